/* The counts are recounted from the rows' final flags when asked for: a few passes over
 * bytes per row, next to a night's parsing. */
#include "error_rate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

eng_rate eng_error_rate_of_orders(const eng_batches *batches, size_t f)
{
    eng_rate r = {0, 0};
    for (size_t b = 0; b < batches->n; b++) {
        const eng_batch *bt = batches->items[b];
        if (bt->file != f)
            continue;
        /* A row of an order with a marketplace state is not an error (README). */
        for (size_t i = 0; i < bt->n_rows; i++)
            r.bad += (bt->row_flags[i] & (ENG_ROW_BAD | ENG_ROW_MUTED)) == ENG_ROW_BAD;
        /* Lines swallowed by a malformed record count as bad rows of their own. */
        r.bad += bt->swallowed_lines;
        r.rows += bt->n_rows + bt->swallowed_lines;
    }
    return r;
}

eng_rc eng_error_rate_check_file(const eng_setup *setup, size_t source, eng_rate r, eng_err *err)
{
    int64_t ppm = setup->policy.max_error_rate_ppm;
    /* bad / rows > ppm / 10^6, in integers; files under 100 rows are not judged. */
    if (r.rows < 100 || (__int128)r.bad * 1000000 <= (__int128)ppm * r.rows)
        return ENG_OK;
    err->path = setup->sources[source].path;
    err->line = 0;
    err->field = NULL;
    return ENG_FAIL(err, ENG_REFUSED,
                    "%llu of %llu rows (%.1f%%) have MALFORMED_ROW, BAD_ENCODING, "
                    "UNSAFE_TEXT, MISSING_FIELD or BAD_* codes, above max_error_rate %.4g: is this "
                    "the right file and format? Nothing was written",
                    (unsigned long long)r.bad, (unsigned long long)r.rows,
                    100.0 * (double)r.bad / (double)r.rows, (double)ppm / 1e6);
}

/* What to look at for the commonest problem of a refused file. */
static const char *hint(eng_code code, uint64_t n, uint64_t rows)
{
    switch (code) {
    case ENG_CODE_BAD_ENCODING:
        return ": the file is not UTF-8; if a spreadsheet saved it, give --encoding "
               "windows-1252 (gb18030 for Chinese text)";
    case ENG_CODE_MALFORMED_ROW:
        return ": those rows do not have the header's number of fields; check the separator "
               "(a spreadsheet may have saved it with ';' or tabs) and the quotes";
    case ENG_CODE_MISSING_FIELD:
        return n == rows ? ": the column is blank on every row; is it the right file, or the "
                           "right column name?"
                         : "";
    case ENG_CODE_BAD_NUMBER:
        return ": amounts are written 12.50, or 12,50 in a semicolon-separated file";
    case ENG_CODE_BAD_QTY:
        return ": quantities are whole numbers of units, 1 or more";
    case ENG_CODE_BAD_DATE:
        return ": dates are ISO 8601 (2026-11-26 or 2026-11-26T10:00:00Z) or a spreadsheet's "
               "(26/11/2026); check --date-order";
    default:
        return "";
    }
}

typedef struct tally {
    uint16_t code;
    const char *field;
    uint64_t n;
    uint64_t lines[3]; /* the first, in file order */
    unsigned n_lines;
} tally;

/* The lines a malformed record of batch bt swallowed, counted as bad rows of their own
 * (eng_error_rate_of_orders): all of the batch's go to its first such record, so the
 * tally of MALFORMED_ROW rows adds up to what the rate counted. */
static uint64_t swallowed_by(const eng_batch *bt, const eng_exc *e)
{
    for (size_t i = 0; i < bt->exc.n; i++)
        if (bt->exc.items[i].code == ENG_CODE_MALFORMED_ROW)
            return &bt->exc.items[i] == e ? bt->swallowed_lines : 0;
    return 0;
}

/* The (code, field) of the most bad rows of orders file f, from its rows' exceptions:
 * the refusal names it, so the fix is plain. 0 when none is known (no memory). */
static int commonest(const eng_batches *batches, size_t f, tally *top)
{
    tally *t = NULL;
    size_t n = 0, cap = 0;
    for (size_t b = 0; b < batches->n; b++) {
        const eng_batch *bt = batches->items[b];
        if (bt->file != f)
            continue;
        for (size_t i = 0; i < bt->exc.n; i++) {
            const eng_exc *e = &bt->exc.items[i];
            if (!eng_code_counts_as_bad((eng_code)e->code) ||
                (e->row != UINT32_MAX && (bt->row_flags[e->row] & ENG_ROW_MUTED)))
                continue;
            const char *field = e->field ? e->field : "";
            size_t k = 0;
            while (k < n && !(t[k].code == e->code && strcmp(t[k].field, field) == 0))
                k++;
            if (k == n) {
                if (n == cap) {
                    size_t grown_cap = cap ? cap * 2 : 16;
                    tally *grown = realloc(t, grown_cap * sizeof *grown);
                    if (!grown) {
                        free(t);
                        return 0;
                    }
                    t = grown;
                    cap = grown_cap;
                }
                memset(&t[n], 0, sizeof t[n]);
                t[n].code = e->code;
                t[n].field = field;
                n++;
            }
            /* batches are in file order, and a batch's exceptions in line order */
            if (t[k].n_lines < 3)
                t[k].lines[t[k].n_lines++] = e->line;
            t[k].n++;
            /* A record that swallowed lines is one exception but that many bad rows. */
            if (e->code == ENG_CODE_MALFORMED_ROW && bt->swallowed_lines && !*field)
                t[k].n += swallowed_by(bt, e);
        }
    }
    int found = n > 0;
    if (found) {
        *top = t[0];
        for (size_t k = 1; k < n; k++)
            if (t[k].n > top->n)
                *top = t[k];
    }
    free(t);
    return found;
}

eng_rc eng_error_rate_check_orders(const eng_setup *setup, const eng_batches *batches, eng_err *err)
{
    for (size_t f = 0; f < setup->n_order_files; f++) {
        eng_rate r = eng_error_rate_of_orders(batches, f);
        eng_rc rc = eng_error_rate_check_file(setup, f, r, err);
        tally top;
        memset(&top, 0, sizeof top);
        if (rc == ENG_OK)
            continue;
        if (rc != ENG_REFUSED || !commonest(batches, f, &top))
            return rc;
        /* The same refusal, saying what most of the bad rows are (err->msg holds 320
         * bytes: the list of codes makes room for it). */
        char lines[64];
        int k = snprintf(lines, sizeof lines, "%llu", (unsigned long long)top.lines[0]);
        for (unsigned i = 1; i < top.n_lines && k > 0 && (size_t)k < sizeof lines; i++)
            k += snprintf(lines + k, sizeof lines - (size_t)k, ", %llu",
                          (unsigned long long)top.lines[i]);
        return ENG_FAIL(
            err, ENG_REFUSED,
            "%llu of %llu rows (%.1f%%) are bad, above max_error_rate %.4g; most are "
            "%s%s%s (%llu row%s, first at line%s %s)%s. Nothing was written",
            (unsigned long long)r.bad, (unsigned long long)r.rows,
            100.0 * (double)r.bad / (double)r.rows, (double)setup->policy.max_error_rate_ppm / 1e6,
            eng_code_name((eng_code)top.code), *top.field ? " in " : "", top.field,
            (unsigned long long)top.n, top.n == 1 ? "" : "s", top.n_lines == 1 ? "" : "s", lines,
            hint((eng_code)top.code, top.n, r.rows));
    }
    return ENG_OK;
}
