/* Parallel ingest of order files.
 *
 *   reader thread:  file -> header -> chunks --queue--> workers
 *   workers:        chunk -> records -> eng_row + exceptions -> batch (slot by file, seq)
 *
 * The queue is bounded (two chunks per worker), so memory holds a few chunks of raw text
 * at a time, whatever the file size. Each batch is stored at its own place in the result
 * list under the results mutex and the list is sorted by (file, seq) once everything is
 * read: the order of the night's rows never depends on thread timing.
 *
 * Row checks here need only the row itself and the catalog. Checks that need the whole
 * order (inherited fields, currency, totals, duplicates) run later in orders.c. */
#include "ingest.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../../formats/chunker.h"
#include "../../formats/num.h"
#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../../formats/source.h"
#include "../../formats/utf8.h"
#include "../base/hash.h"
#include "../base/heap.h"
#include "../base/progress.h"
#include "../base/queue.h"
#include "../base/siphash.h"
#include "../base/strset.h"
#include "../base/text.h"

/* ---- checking one record ---- */

#define MAX_DIALECTS 8

struct eng_ingest_worker {
    fmt_csv_fields *fields[MAX_DIALECTS]; /* one splitter per dialect met */
    fmt_dialect dialects[MAX_DIALECTS];
    size_t n_dialects;
    eng_sip_key dup_key; /* the run's: rows of one order are parsed by any worker */
    eng_intern *intern;  /* the run's repeated texts; NULL: every head keeps its own */
    eng_intern_cache intern_cache;
    fmt_buf record;        /* a record's fields trimmed, for its digest (rare) */
    size_t *record_lens;   /* and their lengths */
    size_t cap_record_lens;
    fmt_out out;
    /* the rows of the chunk being parsed, before they are grouped into the row store:
     * reused chunk after chunk, so its pages are mapped once */
    eng_row *rows;
    size_t cap_rows;
};

eng_ingest_worker *eng_ingest_worker_new(eng_sip_key dup_key, eng_intern *intern)
{
    eng_ingest_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->dup_key = dup_key;
    w->intern = intern;
    if (fmt_out_init(&w->out) != ENG_OK) {
        eng_ingest_worker_free(w);
        return NULL;
    }
    return w;
}

void eng_ingest_worker_free(eng_ingest_worker *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_dialects; i++)
        fmt_csv_fields_free(w->fields[i]);
    fmt_buf_release(&w->record);
    free(w->record_lens);
    fmt_out_release(&w->out);
    free(w->rows);
    free(w);
}

/* The worker's splitter for a dialect; files of one night use one or two. */
static fmt_csv_fields *fields_for(eng_ingest_worker *w, fmt_dialect d)
{
    for (size_t i = 0; i < w->n_dialects; i++)
        if (w->dialects[i].delim == d.delim && w->dialects[i].quote == d.quote &&
            w->dialects[i].formulas == d.formulas)
            return w->fields[i];
    if (w->n_dialects == MAX_DIALECTS)
        return NULL;
    fmt_csv_fields *f = fmt_csv_fields_new(d);
    if (f) {
        w->fields[w->n_dialects] = f;
        w->dialects[w->n_dialects++] = d;
    }
    return f;
}

static eng_rc reserve_rows(eng_batch *b, size_t cap)
{
    if (cap <= b->cap_rows)
        return ENG_OK;
    eng_row *grown = realloc(b->rows, cap * sizeof *grown);
    if (!grown)
        return ENG_NOMEM;
    b->rows = grown;
    b->cap_rows = cap;
    return ENG_OK;
}

#define ROWS_AHEAD 512 /* about 52 KiB */

static eng_row *new_row(eng_batch *b)
{
    if (b->n_rows == b->cap_rows && reserve_rows(b, b->cap_rows ? b->cap_rows * 2 : 1024) != ENG_OK)
        return NULL;
    /* Rows are written one after another into fresh memory: map the next rows' pages in
     * one call rather than a fault each. */
    if (b->n_rows % ROWS_AHEAD == 0) {
        size_t ahead = b->cap_rows - b->n_rows < ROWS_AHEAD ? b->cap_rows - b->n_rows : ROWS_AHEAD;
        eng_heap_prefault(&b->rows[b->n_rows], ahead * sizeof *b->rows);
    }
    eng_row *r = &b->rows[b->n_rows++];
    memset(r, 0, sizeof *r);
    return r;
}

/* Raise code on row with an exception; msg is already formatted. */
static eng_rc flag(eng_batch *b, eng_row *row, eng_code code, const char *field, const char *msg)
{
    eng_row_fault(row, code);
    eng_rc rc = eng_exc_add(&b->exc, b->mem, b->file, eng_row_line(row), row->order_id, code, field,
                            "%s", msg);
    if (rc == ENG_OK)
        b->exc.items[b->exc.n - 1].row = (uint32_t)(row - b->rows);
    return rc;
}

static int is_valid_utf8(fmt_str s)
{
    return fmt_utf8_valid_prefix(s.p, s.len) == s.len;
}

/* Copy text into the batch's arena, escaping invalid bytes so outputs stay UTF-8. */
static const char *keep_text(eng_batch *b, fmt_str s, uint32_t *len)
{
    if (s.len == 0) {
        *len = 0;
        return "";
    }
    size_t n = s.len;
    const char *out = is_valid_utf8(s) ? eng_arena_strndup(b->mem, s.p, s.len)
                                       : eng_text_sanitize(b->mem, s.p, s.len, &n);
    *len = (uint32_t)n;
    return out;
}

static eng_rc set_order_id(eng_batch *b, eng_row *row, fmt_str id)
{
    if (id.len == 0)
        return ENG_OK;
    /* Rows of one order usually follow each other: share the previous row's copy. */
    if (b->n_rows >= 2) {
        const eng_row *prev = &b->rows[b->n_rows - 2];
        if (prev->order_id && eng_row_id_len(prev) == id.len &&
            memcmp(prev->order_id, id.p, id.len) == 0 && is_valid_utf8(id)) {
            row->order_id = prev->order_id;
            return ENG_OK;
        }
    }
    int valid = is_valid_utf8(id);
    size_t len = id.len;
    const char *text = valid ? id.p : eng_text_sanitize(b->mem, id.p, id.len, &len);
    if (!text || !(row->order_id = eng_id_keep(b->mem, text, (uint32_t)len)))
        return ENG_NOMEM;
    if (!valid)
        row->flags |= ENG_ROW_ID_ESCAPED;
    return ENG_OK;
}

/* Whether kept head a holds the values of the head being read: b's non-text values and
 * texts t (as read, before any escaping: an escaped text never equals its raw bytes, so
 * such a row only misses the sharing). */
static int head_equal(const eng_head *a, const eng_head_values *b, const eng_text *t)
{
    if (a->present != b->present || a->time_ns != b->time_ns || eng_head_priority(a) != b->priority)
        return 0;
    for (int i = 0; i < ENG_HM_COUNT; i++) {
        fmt_dec m = eng_head_money(a, (eng_hm)i);
        if (m.mant != b->money_mant[i] || m.frac != b->money_frac[i])
            return 0;
    }
    for (int i = 0; i < ENG_HT_COUNT; i++) {
        eng_text k = eng_head_text(a, (eng_ht)i);
        if (k.len != t[i].len || memcmp(k.p, t[i].p, k.len) != 0)
            return 0;
    }
    return 1;
}

/* Store the row's order-level values; identical heads on consecutive rows are shared. */
static eng_rc keep_head(eng_batch *b, eng_ingest_worker *w, eng_row *row, const eng_head_values *h,
                        const fmt_str *raw_text)
{
    eng_text t[ENG_HT_COUNT];
    for (int i = 0; i < ENG_HT_COUNT; i++) {
        t[i].p = raw_text[i].p;
        t[i].len = (uint32_t)raw_text[i].len;
    }
    if (b->n_rows >= 2) {
        const eng_row *prev = &b->rows[b->n_rows - 2];
        if (prev->head && head_equal(prev->head, h, t)) {
            row->head = prev->head;
            return ENG_OK;
        }
    }
    /* Text that is not valid UTF-8 is kept escaped (a copy in the arena, rare). */
    for (int i = 0; i < ENG_HT_COUNT; i++)
        if (t[i].len && !is_valid_utf8(raw_text[i])) {
            uint32_t len;
            if (!(t[i].p = keep_text(b, raw_text[i], &len)))
                return ENG_NOMEM;
            t[i].len = len;
        }
    eng_head *copy = eng_head_new(b->mem, h, t, eng_intern_common(w->intern, &w->intern_cache, t));
    if (!copy)
        return ENG_NOMEM;
    row->head = copy;
    return ENG_OK;
}

static const char *num_problem(fmt_num_rc rc)
{
    return fmt_num_rc_text(rc);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* What DUPLICATE_ROW compares of a well-formed record: every field, ignored columns
 * included, after CSV unquoting and trimming (libcsv trims unquoted fields; quoted ones
 * keep their blanks, trimmed here). The same record re-quoted, or with trailing blanks,
 * is the same record; rows differing in any field are not (the marketplace's line id,
 * where a layout has one, is one of the fields). Its digest is of the number of fields,
 * every field's length, then every field's text each followed by a NUL (which say the
 * fields exactly, so rows whose fields differ never share the bytes hashed): the
 * splitter's own arrays as they are, unless a field needs trimming, so the common record
 * is hashed without a copy. ENG_NOMEM. */
static eng_rc record_digest(eng_ingest_worker *w, const fmt_csv_fields *fields, uint64_t out[2])
{
    size_t n = fmt_csv_count(fields), text_len;
    const char *text;
    const size_t *lens;
    fmt_csv_fields_all(fields, &text, &text_len, &lens);
    size_t i = 0;
    for (; i < n; i++) {
        fmt_str f = fmt_csv_field(fields, i);
        if (f.len && (is_blank(f.p[0]) || is_blank(f.p[f.len - 1])))
            break;
    }
    uint64_t count = n;
    eng_sip_part parts[3] = {{&count, sizeof count}, {lens, n * sizeof *lens}, {text, text_len}};
    if (i == n) {
        eng_siphash13_128_parts(&w->dup_key, parts, 3, out);
        return ENG_OK;
    }
    if (n > w->cap_record_lens) {
        size_t *grown = realloc(w->record_lens, n * sizeof *grown);
        if (!grown)
            return ENG_NOMEM;
        w->record_lens = grown;
        w->cap_record_lens = n;
    }
    fmt_buf *b = &w->record;
    b->len = 0;
    for (i = 0; i < n; i++) {
        fmt_str f = fmt_csv_field(fields, i);
        while (f.len && is_blank(f.p[0])) {
            f.p++;
            f.len--;
        }
        while (f.len && is_blank(f.p[f.len - 1]))
            f.len--;
        w->record_lens[i] = f.len;
        fmt_buf_put(b, f.p, f.len);
        fmt_buf_putc(b, '\0');
    }
    if (b->failed)
        return ENG_NOMEM;
    parts[1].p = w->record_lens;
    parts[2].p = b->p;
    parts[2].len = b->len;
    eng_siphash13_128_parts(&w->dup_key, parts, 3, out);
    return ENG_OK;
}

/* The row's extra values, made when it first needs one. */
static eng_row_extra *row_extra(eng_batch *b, eng_row *row)
{
    if (!row->extra) {
        eng_row_extra *x = eng_arena_alloc(b->mem, sizeof *x, _Alignof(eng_row_extra));
        if (!x)
            return NULL;
        memset(x, 0, sizeof *x);
        x->open_qty = -1;
        row->extra = x;
    }
    return (eng_row_extra *)row->extra;
}

/* The row's values too large for it, made when it first needs them. */
static eng_row_big *row_big(eng_batch *b, eng_row *row)
{
    eng_row_extra *x = row_extra(b, row);
    if (x && !x->big) {
        eng_row_big *big = eng_arena_alloc(b->mem, sizeof *big, _Alignof(eng_row_big));
        if (!big)
            return NULL;
        memset(big, 0, sizeof *big);
        x->big = big;
    }
    return x ? (eng_row_big *)x->big : NULL;
}

enum { QTY_IN_EXTRA, UNIT_IN_EXTRA };

/* Set a row's 32-bit qty or unit_mant (*field) to v, or when v does not fit, mark it and
 * keep v with the row's large values. ENG_NOMEM. */
static eng_rc set_narrow(eng_batch *b, eng_row *row, int32_t *field, int64_t v, int which)
{
    if (v > ENG_ROW_IN_EXTRA && v <= INT32_MAX) {
        *field = (int32_t)v;
        return ENG_OK;
    }
    eng_row_big *big = row_big(b, row);
    if (!big)
        return ENG_NOMEM;
    *field = ENG_ROW_IN_EXTRA;
    if (which == QTY_IN_EXTRA)
        big->qty = v;
    else
        big->unit_mant = v;
    return ENG_OK;
}

/* A new row of the batch for the record at line, with the record's digest and the index
 * of the row within the record mixed in (one WooCommerce record holds several lines,
 * and each must stay distinct from the others for DUPLICATE_ROW). */
static eng_row *start_row(eng_batch *b, const uint64_t digest[2], uint64_t line, size_t index)
{
    eng_row *row = new_row(b);
    if (!row)
        return NULL;
    if (line < ENG_ROW_LINE_IN_EXTRA) {
        row->line = (uint32_t)line;
    } else {
        eng_row_big *big = row_big(b, row);
        if (!big)
            return NULL;
        row->line = ENG_ROW_LINE_IN_EXTRA;
        big->line = line;
    }
    row->file = b->file;
    row->rec_digest[0] = digest[0];
    row->rec_digest[1] = digest[1] ^ index;
    row->product = -1;
    return row;
}

static eng_rc malformed(eng_batch *b, eng_row *row, const fmt_out *out, eng_rc split, size_t n,
                        const eng_layout *layout, uint64_t line, uint64_t end_line)
{
    char msg[320];
    if (out->n > 0)
        ENG_TRY(set_order_id(b, row, out->rows[0].v[FMT_COL_ORDER_ID]));
    if (out->malformed && split == ENG_OK && n == layout->n_header) {
        /* Well-formed CSV that the layout cannot read (a WooCommerce item cell): its line
         * breaks are quoted text of its own, not lines swallowed by a stray quote. */
        snprintf(msg, sizeof msg, "%s", out->malformed);
    } else if (end_line > line) {
        /* Whatever went wrong, the record swallowed the lines up to end_line: say so, and
         * count them as bad rows for max_error_rate, so that a quote left open cannot
         * hide the rest of a file behind one exception. */
        b->swallowed_lines += end_line - line;
        snprintf(msg, sizeof msg,
                 "the row is not well-formed CSV: it runs on to line %llu (a quote opened "
                 "and not closed where expected?), so lines %llu-%llu are read into it, not "
                 "as rows of their own",
                 (unsigned long long)end_line, (unsigned long long)line + 1,
                 (unsigned long long)end_line);
    } else if (split == ENG_DATA)
        snprintf(msg, sizeof msg,
                 "the row is not well-formed CSV (a quote inside an unquoted field, text "
                 "after a closing quote, or a quote never closed)");
    else if (out->malformed)
        snprintf(msg, sizeof msg, "%s", out->malformed);
    else
        snprintf(msg, sizeof msg, "the row has %zu fields, the header has %zu", n,
                 layout->n_header);
    row->flags |= ENG_ROW_GIVEN_ALL;
    return flag(b, row, ENG_CODE_MALFORMED_ROW, "", msg);
}

/* Raw fields that are not valid UTF-8, named by column, on the record's first row.
 * Quotes and delimiters are ASCII, so a valid record has only valid fields: look field
 * by field only when the record as a whole fails. */
static eng_rc check_encoding(eng_batch *b, eng_row *row, const fmt_csv_fields *fields,
                             const eng_layout *layout, const char *rec, size_t len)
{
    char msg[320], q[64], why[96];
    size_t n = fmt_csv_count(fields);
    /* A byte order mark is valid UTF-8 but not clean text (see fmt_utf8_clean_prefix):
     * "\xEF\xBB\xBFA-1" shipped as an order apart from "A-1". */
    for (size_t i = 0; fmt_utf8_clean_prefix(rec, len) != len && i < n; i++) {
        fmt_str f = fmt_csv_field(fields, i);
        size_t ok = fmt_utf8_clean_prefix(f.p, f.len);
        if (ok == f.len)
            continue;
        eng_text_quote(q, sizeof q, f.p, f.len);
        fmt_utf8_explain(why, sizeof why, f.p, f.len, ok);
        /* Not for a NUL or a byte order mark, which no --encoding mends. */
        int hint = layout->looks_1252 && f.p[ok] != '\0' && fmt_utf8_valid_prefix(f.p, f.len) == ok;
        snprintf(msg, sizeof msg, "%s %s%s", q, why,
                 hint ? "; the file looks like Windows-1252 (a spreadsheet's \"CSV\"): give "
                        "--encoding windows-1252"
                      : "");
        ENG_TRY(flag(b, row, ENG_CODE_BAD_ENCODING,
                     i < layout->n_header ? layout->header_names[i] : "", msg));
    }
    return ENG_OK;
}

static eng_rc keep_line_key(eng_batch *b, eng_row *row, const fmt_out_row *o)
{
    if (o->item_key.len == 0)
        return ENG_OK;
    eng_line_key *k = eng_arena_alloc(b->mem, sizeof *k, _Alignof(eng_line_key));
    eng_row_extra *x = row_extra(b, row);
    uint32_t len;
    if (!k || !x || !(k->id = keep_text(b, o->item_key, &len)))
        return ENG_NOMEM;
    k->len = len;
    k->updated_ns = o->updated_ns;
    x->key = k;
    return ENG_OK;
}

/* The file's name for canonical value c (exceptions' field). */
static const char *col_label(const eng_layout *layout, fmt_col c)
{
    return layout->col_label[c] ? layout->col_label[c] : fmt_col_name(c);
}

/* UNSAFE_TEXT when value v of column c is one slipway would have to write with a
 * spreadsheet guard (formats/csv.h); *unsafe says whether it was. what names the kind of
 * value for the fix ("ids"): ids, SKUs and postal codes are matched and printed exactly,
 * so slipway never alters them, and the source must. */
static eng_rc check_unsafe(eng_batch *b, eng_row *row, const eng_layout *layout, fmt_col c,
                           fmt_str v, const char *what, int *unsafe)
{
    char msg[320], q[64], why[160];
    const char *name = col_label(layout, c);
    if (c != FMT_COL_SHIP_POSTAL && fmt_is_scientific(v.p, v.len)) {
        /* Excel turned a long numeric id into a number: its last digits are gone, so no
         * order or product can be matched to it. */
        *unsafe = 1;
        eng_text_quote(q, sizeof q, v.p, v.len);
        snprintf(msg, sizeof msg,
                 "%s %s is a number in scientific notation: a spreadsheet turned the id into a "
                 "number and its last digits are lost; export it again, or format the column as "
                 "text before saving",
                 name, q);
        return flag(b, row, ENG_CODE_UNSAFE_TEXT, name, msg);
    }
    *unsafe = fmt_csv_needs_guard(v.p, v.len);
    if (!*unsafe)
        return ENG_OK;
    eng_text_quote(q, sizeof q, v.p, v.len);
    fmt_csv_guard_why(why, sizeof why, v.p, v.len);
    snprintf(msg, sizeof msg, "%s %s %s; slipway never changes %s, so correct it at the source",
             name, q, why, what);
    return flag(b, row, ENG_CODE_UNSAFE_TEXT, name, msg);
}

/* A number the file wrote against its own rule (fmt_out_row.bad_number: a "12.5" in a
 * semicolon-separated file, where the comma marks the decimals). */
static eng_rc bad_decimal_comma(eng_batch *b, eng_row *row, const char *name, fmt_str v,
                                eng_code code)
{
    char msg[320], q[64];
    eng_text_quote(q, sizeof q, v.p, v.len);
    snprintf(msg, sizeof msg, "%s %s " FMT_DECIMAL_COMMA_RULE, name, q);
    return flag(b, row, code, name, msg);
}

static int is_bad_number(const fmt_out_row *o, fmt_col c)
{
    return (o->bad_number >> c) & 1;
}

/* The checks of one canonical row, on its own. */
/* SKU, quantity and price of a row that is a line. */
static eng_rc check_line(eng_batch *b, eng_row *row, const fmt_out_row *o, const eng_layout *layout,
                         const eng_catalog *catalog)
{
    const fmt_str *val = o->v;
    char msg[320], q[64];
    const char *sku_name = col_label(layout, FMT_COL_SKU),
               *qty_name = col_label(layout, FMT_COL_QTY),
               *open_name = col_label(layout, FMT_COL_OPEN_QTY),
               *price_name = col_label(layout, FMT_COL_UNIT_PRICE);
    fmt_str sku = val[FMT_COL_SKU];
    int unsafe;
    ENG_TRY(check_unsafe(b, row, layout, FMT_COL_SKU, sku, "SKUs", &unsafe));
    if (unsafe) {
        /* No catalog look-up: the catalog refuses such SKUs, and one problem is enough. */
    } else if (o->line_state != FMT_STATE_NONE) {
        /* Not ours to ship (a gift card, a line the marketplace fulfils): it needs no
         * catalog product; its quantity and price still count in the order's total. */
        row->product = sku.len ? eng_catalog_find(catalog, sku.p, sku.len) : -1;
    } else if (sku.len == 0) {
        snprintf(msg, sizeof msg, "%s is blank", sku_name);
        ENG_TRY(flag(b, row, ENG_CODE_MISSING_FIELD, sku_name, msg));
    } else {
        int active;
        row->product = eng_catalog_lookup(catalog, sku.p, sku.len, &active);
        if (!active)
            eng_text_quote(q, sizeof q, sku.p, sku.len);
        if (row->product < 0) {
            snprintf(msg, sizeof msg, "SKU %s is not in the catalog", q);
            ENG_TRY(flag(b, row, ENG_CODE_UNKNOWN_SKU, sku_name, msg));
        } else if (!active) {
            const eng_product *p = eng_catalog_get(catalog, (uint32_t)row->product);
            snprintf(msg, sizeof msg, "SKU %s has catalog status \"%.40s\", not active", q,
                     p->status);
            ENG_TRY(flag(b, row, ENG_CODE_SKU_INACTIVE, sku_name, msg));
        }
    }

    fmt_str qty = val[FMT_COL_QTY];
    fmt_num_rc qrc;
    int64_t parsed;
    if (qty.len == 0) {
        snprintf(msg, sizeof msg, "%s is blank", qty_name);
        ENG_TRY(flag(b, row, ENG_CODE_MISSING_FIELD, qty_name, msg));
    } else if (is_bad_number(o, FMT_COL_QTY)) {
        ENG_TRY(bad_decimal_comma(b, row, qty_name, qty, ENG_CODE_BAD_QTY));
    } else if ((qrc = fmt_qty_parse(qty.p, qty.len, &parsed)) == FMT_NUM_OK) {
        ENG_TRY(set_narrow(b, row, &row->qty, parsed, QTY_IN_EXTRA));
        row->flags |= ENG_ROW_QTY_OK;
    } else {
        eng_text_quote(q, sizeof q, qty.p, qty.len);
        /* 9223372036854775808 is a positive whole number: say what is wrong with it. */
        snprintf(msg, sizeof msg, "%s %s %s", qty_name, q,
                 qrc == FMT_NUM_OVERFLOW ? "is too large (over 64 bits)"
                                         : "is not a positive whole number");
        ENG_TRY(flag(b, row, ENG_CODE_BAD_QTY, qty_name, msg));
    }

    fmt_str open = val[FMT_COL_OPEN_QTY];
    int64_t open_qty = -1;
    if (open.len && is_bad_number(o, FMT_COL_OPEN_QTY)) {
        ENG_TRY(bad_decimal_comma(b, row, open_name, open, ENG_CODE_BAD_QTY));
    } else if (open.len && fmt_int_parse(open.p, open.len, &open_qty) == FMT_NUM_OK &&
               open_qty >= 0) {
        eng_row_extra *x = row_extra(b, row);
        if (!x)
            return ENG_NOMEM;
        x->open_qty = open_qty;
    } else if (open.len) {
        eng_text_quote(q, sizeof q, open.p, open.len);
        snprintf(msg, sizeof msg, "%s %s is not a whole number of units >= 0", open_name, q);
        ENG_TRY(flag(b, row, ENG_CODE_BAD_QTY, open_name, msg));
    }

    fmt_str price = val[FMT_COL_UNIT_PRICE];
    if (o->line_total)
        row->flags |= ENG_ROW_LINE_TOTAL;
    if (price.len == 0) {
        snprintf(msg, sizeof msg, "%s is blank", price_name);
        ENG_TRY(flag(b, row, ENG_CODE_MISSING_FIELD, price_name, msg));
    } else if (is_bad_number(o, FMT_COL_UNIT_PRICE)) {
        ENG_TRY(bad_decimal_comma(b, row, price_name, price, ENG_CODE_BAD_NUMBER));
    } else {
        fmt_dec unit = {0, 0};
        fmt_num_rc nrc = fmt_dec_parse(price.p, price.len, &unit);
        ENG_TRY(set_narrow(b, row, &row->unit_mant, unit.mant, UNIT_IN_EXTRA));
        row->unit_frac = unit.frac;
        if (nrc == FMT_NUM_OK) {
            row->flags |= ENG_ROW_PRICE_OK;
        } else {
            eng_text_quote(q, sizeof q, price.p, price.len);
            snprintf(msg, sizeof msg, "%s %s %s", price_name, q, num_problem(nrc));
            ENG_TRY(flag(b, row, ENG_CODE_BAD_NUMBER, price_name, msg));
        }
    }
    return ENG_OK;
}

/* 1 for y, yes, true or 1; 0 for n, no, false or 0 (any case); -1 otherwise. */
static int yes_no(fmt_str v)
{
    static const char *const yes[] = {"y", "yes", "true", "1"}, *const no[] = {"n", "no", "false",
                                                                               "0"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (v.len == strlen(yes[i]) && strncasecmp(v.p, yes[i], v.len) == 0)
            return 1;
        if (v.len == strlen(no[i]) && strncasecmp(v.p, no[i], v.len) == 0)
            return 0;
    }
    return -1;
}

static eng_rc check_values(eng_batch *b, eng_ingest_worker *w, eng_row *row, const fmt_out_row *o,
                           const eng_layout *layout, const eng_catalog *catalog)
{
    const fmt_str *val = o->v;
    char msg[320], q[64];
    row->order_state = (uint8_t)o->order_state;
    row->line_state = (uint8_t)o->line_state;
    if (o->head_only)
        row->flags |= ENG_ROW_HEAD_ONLY;
    ENG_TRY(keep_line_key(b, row, o));
    if (val[FMT_COL_ORDER_ID].len == 0) {
        const char *name = col_label(layout, FMT_COL_ORDER_ID);
        snprintf(msg, sizeof msg, "%s is blank, so the row belongs to no order", name);
        ENG_TRY(flag(b, row, ENG_CODE_MISSING_FIELD, name, msg));
    }
    int unsafe;
    ENG_TRY(check_unsafe(b, row, layout, FMT_COL_ORDER_ID, val[FMT_COL_ORDER_ID], "ids", &unsafe));

    if (!o->head_only) /* a summary row has no SKU, quantity or price to check */
        ENG_TRY(check_line(b, row, o, layout, catalog));

    eng_head_values h;
    memset(&h, 0, sizeof h);
    fmt_str raw_text[ENG_HT_COUNT];
    for (int i = 0; i < ENG_HT_COUNT; i++) {
        raw_text[i].p = "";
        raw_text[i].len = 0;
    }
    for (int c = 0; c < FMT_COL_COUNT; c++) {
        fmt_str v = val[c];
        if (!fmt_col_is_order_level((fmt_col)c) || v.len == 0)
            continue;
        const char *name = col_label(layout, (fmt_col)c);
        int ts = eng_head_text_slot((fmt_col)c), ms = eng_head_money_slot((fmt_col)c);
        if (is_bad_number(o, (fmt_col)c)) {
            ENG_TRY(bad_decimal_comma(b, row, name, v, ENG_CODE_BAD_NUMBER));
            continue;
        }
        if (c == FMT_COL_MARKETPLACE_TAX) {
            /* Kept as "y" or "n" whatever the file wrote, so copies and rows compare. */
            int says = yes_no(fmt_layout_trim(v));
            if (says < 0) {
                eng_text_quote(q, sizeof q, v.p, v.len);
                snprintf(msg, sizeof msg,
                         "%s %s is not y or n (whether the marketplace collected the tax)", name,
                         q);
                ENG_TRY(flag(b, row, ENG_CODE_BAD_VALUE, name, msg));
                continue;
            }
            raw_text[ts] = says ? (fmt_str){"y", 1} : (fmt_str){"n", 1};
        } else if (ts >= 0) {
            raw_text[ts] = v;
            if (c == FMT_COL_SHIP_POSTAL)
                ENG_TRY(
                    check_unsafe(b, row, layout, FMT_COL_SHIP_POSTAL, v, "postal codes", &unsafe));
        } else if (ms >= 0) {
            fmt_dec d;
            fmt_num_rc nrc = fmt_dec_parse(v.p, v.len, &d);
            if (nrc != FMT_NUM_OK) {
                eng_text_quote(q, sizeof q, v.p, v.len);
                snprintf(msg, sizeof msg, "%s %s %s", name, q, num_problem(nrc));
                ENG_TRY(flag(b, row, ENG_CODE_BAD_NUMBER, name, msg));
                continue;
            }
            eng_values_set_money(&h, (eng_hm)ms, d);
        } else if (c == FMT_COL_ORDER_TIME) {
            if (fmt_isotime_parse(v.p, v.len, &h.time_ns) != 0) {
                eng_text_quote(q, sizeof q, v.p, v.len);
                unsigned sheet = layout->layout->own_dates ? 0 : fmt_sheet_date_orders(v.p, v.len);
                int mdy = layout->date_order == FMT_DATE_MDY;
                if (sheet && !layout->date_order)
                    snprintf(msg, sizeof msg,
                             "order_time %s is a spreadsheet's date, and the file's first MiB "
                             "had none to tell day first from month first; give --date-order "
                             "dmy or --date-order mdy",
                             q);
                else if (sheet && layout->date_order_given)
                    snprintf(msg, sizeof msg,
                             "order_time %s is not a %s date, as --date-order %s says the "
                             "dates are; give --date-order %s if this file's are",
                             q, mdy ? "month-first" : "day-first", mdy ? "mdy" : "dmy",
                             mdy ? "dmy" : "mdy");
                else if (sheet) /* a spreadsheet's date that reads only the other way round */
                    snprintf(msg, sizeof msg,
                             "order_time %s is not a %s date, as this file's dates are (%s); "
                             "fix it at the source, or give --date-order %s if the file's "
                             "dates are all %s",
                             q, mdy ? "month-first" : "day-first",
                             mdy ? "11/26/2026" : "26/11/2026", mdy ? "dmy" : "mdy",
                             mdy ? "day first" : "month first");
                else
                    snprintf(msg, sizeof msg,
                             "order_time %s is not an ISO 8601 date or time in 1970-2099", q);
                ENG_TRY(flag(b, row, ENG_CODE_BAD_DATE, name, msg));
                continue;
            }
        } else if (c == FMT_COL_PRIORITY) {
            if (fmt_int_parse(v.p, v.len, &h.priority) != FMT_NUM_OK) {
                eng_text_quote(q, sizeof q, v.p, v.len);
                snprintf(msg, sizeof msg, "priority %s is not a whole number", q);
                ENG_TRY(flag(b, row, ENG_CODE_BAD_NUMBER, name, msg));
                continue;
            }
        }
        h.present |= 1u << c;
    }
    if (!h.present)
        return ENG_OK;
    ENG_TRY(keep_head(b, w, row, &h, raw_text));
    return ENG_OK;
}

eng_rc eng_ingest_record(eng_batch *b, eng_ingest_worker *w, const eng_layout *layout,
                         const eng_catalog *catalog, const char *rec, size_t len, uint64_t line,
                         uint64_t end_line)
{
    fmt_csv_fields *fields = fields_for(w, layout->layout->dialect);
    if (!fields)
        return ENG_NOMEM;
    eng_rc split = fmt_csv_split(fields, rec, len);
    if (split == ENG_NOMEM)
        return ENG_NOMEM;
    size_t n = fmt_csv_count(fields);
    fmt_out *out = &w->out;
    fmt_out_reset(out);
    ENG_TRY(layout->layout->transform(layout->layout, layout->bind, fields, out));
    if (layout->date_order)
        ENG_TRY(fmt_out_sheet_dates(out, layout->date_order));
    if (split == ENG_OK && out->skip)
        return ENG_OK; /* not order data: a report's footer line */
    uint64_t digest[2];
    if (split == ENG_DATA || out->malformed || n != layout->n_header || out->n == 0) {
        /* Its bytes, as it has no fields, after a field count of 0, which no well-formed
         * record has (record_digest): the two kinds never hash the same bytes. */
        uint64_t no_fields = 0;
        eng_sip_part raw[2] = {{&no_fields, sizeof no_fields}, {rec, len}};
        eng_siphash13_128_parts(&w->dup_key, raw, 2, digest);
        eng_row *row = start_row(b, digest, line, 0);
        return row ? malformed(b, row, out, split, n, layout, line, end_line) : ENG_NOMEM;
    }
    ENG_TRY(record_digest(w, fields, digest));
    for (size_t i = 0; i < out->n; i++) {
        eng_row *row = start_row(b, digest, line, i);
        if (!row)
            return ENG_NOMEM;
        ENG_TRY(set_order_id(b, row, out->rows[i].v[FMT_COL_ORDER_ID]));
        for (int k = 0; k < ENG_REQUIRED_COUNT; k++)
            if (out->rows[i].v[eng_required_col(k)].len)
                row->flags |= (uint16_t)(1u << (ENG_ROW_GIVEN_SHIFT + k));
        if (i == 0)
            ENG_TRY(check_encoding(b, row, fields, layout, rec, len));
        ENG_TRY(check_values(b, w, row, &out->rows[i], layout, catalog));
    }
    return ENG_OK;
}

/* eng_ingest_partition, handing back the rows array the batch had in *old. */
static eng_rc group_rows(eng_batch *b, eng_rowstore *store, unsigned worker, eng_row **old)
{
    size_t n = b->n_rows;
    uint32_t count[ENG_PARTS + 1] = {0}; /* ENG_PARTS: rows without an order id */
    uint16_t *part_of = malloc((n ? n : 1) * sizeof *part_of);
    uint32_t *moved_to = malloc((n ? n : 1) * sizeof *moved_to);
    if (!part_of || !moved_to) {
        free(part_of);
        free(moved_to);
        return ENG_NOMEM;
    }
    const char *last_id = NULL;
    uint16_t last_part = 0;
    for (size_t i = 0; i < n; i++) {
        const eng_row *r = &b->rows[i];
        if (!r->order_id) {
            part_of[i] = ENG_PARTS;
        } else {
            /* Consecutive rows of one order share their id's text (set_order_id): hash
             * once. The top byte picks the partition; orders.c indexes its table with low
             * bits. */
            if (r->order_id != last_id) {
                last_id = r->order_id;
                last_part = (uint16_t)(eng_hash_bytes(r->order_id, eng_row_id_len(r)) >> 56);
            }
            part_of[i] = last_part;
        }
        count[part_of[i]]++;
    }
    /* Room taken but not filled on failure stays in the store, unused, until it is
     * freed: nothing points at it. */
    eng_row *dst[ENG_PARTS + 1] = {0};
    for (int p = 0; p <= ENG_PARTS; p++)
        if (count[p] && !(dst[p] = eng_rowstore_take(store, worker, (size_t)p, count[p]))) {
            free(part_of);
            free(moved_to);
            return ENG_NOMEM;
        }
    b->part_start[0] = 0;
    for (int p = 0; p < ENG_PARTS; p++)
        b->part_start[p + 1] = b->part_start[p] + count[p];
    uint32_t fill[ENG_PARTS + 1] = {0};
    for (size_t i = 0; i < n; i++) {
        uint16_t p = part_of[i];
        moved_to[i] = b->part_start[p] + fill[p];
        dst[p][fill[p]++] = b->rows[i];
    }
    memcpy(b->part_rows, dst, sizeof dst);
    for (size_t e = 0; e < b->exc.n; e++)
        if (b->exc.items[e].row != UINT32_MAX)
            b->exc.items[e].row = moved_to[b->exc.items[e].row];
    free(part_of);
    free(moved_to);
    *old = b->rows;
    b->rows = NULL;
    b->cap_rows = 0;
    return ENG_OK;
}

eng_rc eng_ingest_partition(eng_batch *b, eng_rowstore *store, unsigned worker)
{
    eng_row *old;
    ENG_TRY(group_rows(b, store, worker, &old));
    free(old);
    return ENG_OK;
}

/* ---- the reader thread and the workers ---- */

typedef struct work_item {
    fmt_chunk *chunk;
    uint16_t file;
} work_item;

typedef struct ingest {
    const eng_setup *setup;
    uint64_t bytes_before; /* raw bytes of the orders files read before this one (reader) */
    const eng_night_size *surveyed; /* NULL: no survey to compare each file with */
    eng_file_facts *files;          /* per orders file: each written by the reader alone */
    eng_queue *queue;
    fmt_chunk_pool *chunk_bufs;  /* every chunk's buffer, recycled */
    eng_layout *layouts;         /* per order file; written by the reader before its first chunk
                                    of that file is queued (the queue's mutex publishes it) */
    fmt_buf *header_text;        /* per file: header names, owned */
    eng_ingest_worker **workers; /* per pool thread */
    eng_arena **worker_mem;      /* per pool thread: its batches' arena (the batches own it) */
    eng_rowstore *rows;          /* the batches' grouped rows (the batches own it) */
    pthread_mutex_t mu;
    eng_batch **results; /* protected by mu */
    size_t n_results;    /* protected by mu */
    size_t cap_results;  /* protected by mu */
    eng_rc reader_rc;    /* written by the reader, read after join */
    eng_err reader_err;
} ingest;

/* The first record with a non-blank field (eBay puts a line of bare commas first). Returns
 * 1 with the record split into f, 0 when there is none, -1 when out of memory. */
static int first_record(const char *p, size_t len, uint64_t first_line, fmt_dialect d,
                        fmt_csv_fields *f, fmt_csv_iter *it, uint64_t *line, int *strict_ok)
{
    fmt_csv_iter_init(it, p, len, first_line, d);
    fmt_str rec;
    while (fmt_csv_iter_next(it, &rec, line)) {
        eng_rc rc = fmt_csv_split(f, rec.p, rec.len);
        if (rc == ENG_NOMEM)
            return -1;
        for (size_t i = 0; i < fmt_csv_count(f); i++)
            if (fmt_csv_field(f, i).len) {
                *strict_ok = rc == ENG_OK;
                return 1;
            }
    }
    return 0;
}

/* The peeked start of the file in encoding (NULL: as is), converted into a scratch copy. */
static eng_rc decoded_peek(const char *p, size_t n, const char *encoding, char **out,
                           size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!encoding)
        return ENG_OK;
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == (iconv_t)-1)
        return ENG_OK; /* this system lacks it: the layout is simply not detected */
    size_t cap = n * 4 + 4;
    char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return ENG_NOMEM;
    }
    char *ip = (char *)p, *op = buf;
    size_t in_left = n, out_left = cap;
    while (in_left && iconv(cd, &ip, &in_left, &op, &out_left) == (size_t)-1 && errno == EILSEQ) {
        *op++ = *ip++; /* undefined byte: kept as is */
        in_left--;
        out_left--;
    }
    iconv_close(cd);
    *out = buf;
    *out_len = (size_t)(op - buf);
    return ENG_OK;
}

/* A character of two or more bytes, valid UTF-8, anywhere in p. */
static int has_utf8_letter(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        size_t more = c >= 0xC2 && c <= 0xDF   ? 1
                      : c >= 0xE0 && c <= 0xEF ? 2
                      : c >= 0xF0 && c <= 0xF4 ? 3
                                               : 0;
        if (more && i + more < n && fmt_utf8_valid_prefix(p + i, more + 1) == more + 1)
            return 1;
    }
    return 0;
}

/* Valid UTF-8, allowing the peek to end inside a character. */
static int peek_is_utf8(const char *p, size_t n, int at_eof)
{
    size_t ok = fmt_utf8_valid_prefix(p, n);
    return ok == n || (!at_eof && n - ok < 4 && (unsigned char)p[ok] >= 0xC2);
}

/* The encoding an orders file is read from: UTF-16 after a UTF-16 byte order mark; else
 * as it is when its start is UTF-8, even under --encoding (which is for the files that
 * need it: a UTF-8 export beside a Windows-1252 catalog reads right under one flag); else
 * --encoding, else the layout's own. --encoding utf-8 reads every other file as it is
 * (its invalid bytes are BAD_ENCODING). NULL: as it is. */
static const char *file_encoding(const ingest *in, const fmt_layout *l, const char *p, size_t n,
                                 int utf8)
{
    const char *forced = in->setup->encoding;
    if (fmt_utf16_bom(p, n))
        return "UTF-16";
    if (utf8 || (forced && strcmp(forced, "UTF-8") == 0))
        return NULL;
    return forced ? forced : l->legacy_encoding;
}

typedef struct detection {
    const fmt_layout *layout;
    const char *encoding; /* NULL: the bytes are read as they are */
    int score;
} detection;

/* Score one layout read in one encoding. */
static eng_rc try_layout(const fmt_layout *l, const char *encoding, const char *p, size_t n,
                         detection *best)
{
    char *conv;
    size_t conv_len;
    ENG_TRY(decoded_peek(p, n, encoding, &conv, &conv_len));
    if (encoding && !conv)
        return ENG_OK;
    fmt_csv_fields *f = fmt_csv_fields_new(l->dialect);
    if (!f) {
        free(conv);
        return ENG_NOMEM;
    }
    fmt_csv_iter it;
    uint64_t line;
    int strict_ok = 0;
    int got = first_record(conv ? conv : p, conv ? conv_len : n, 1, l->dialect, f, &it, &line,
                           &strict_ok);
    int score = got == 1 ? l->detect(l, f) : 0;
    fmt_csv_fields_free(f);
    free(conv);
    if (got < 0)
        return ENG_NOMEM;
    if (score > best->score) {
        best->layout = l;
        best->encoding = encoding;
        best->score = score;
    }
    return ENG_OK;
}

/* Which layout and encoding fit the start of the file best. Bytes that are not UTF-8 are
 * tried in each layout's own legacy encoding (GB18030 for Tmall, Windows-1252 for the
 * western exports); a forced --encoding is the only one tried. */
static eng_rc detect(const ingest *in, const fmt_layout *const *layouts, size_t n_layouts,
                     const char *p, size_t n, int at_eof, detection *best)
{
    memset(best, 0, sizeof *best);
    int utf8 = peek_is_utf8(p, n, at_eof);
    for (size_t i = 0; i < n_layouts; i++) {
        const fmt_layout *l = layouts[i];
        ENG_TRY(try_layout(l, file_encoding(in, l, p, n, utf8), p, n, best));
    }
    return ENG_OK;
}

/* Keep the header's names for exceptions.csv (field), as valid UTF-8; a name that is a
 * canonical column in other case is spelled as SPEC spells it. */
static eng_rc keep_header_names(ingest *in, uint16_t file, const fmt_csv_fields *f)
{
    eng_layout *lay = &in->layouts[file];
    size_t n = fmt_csv_count(f);
    fmt_buf *text = &in->header_text[file];
    size_t *offs = calloc(n ? n : 1, sizeof *offs);
    lay->header_names = calloc(n ? n : 1, sizeof *lay->header_names);
    eng_arena *scratch = eng_arena_new(4096);
    eng_rc rc = offs && lay->header_names && scratch ? ENG_OK : ENG_NOMEM;
    for (size_t i = 0; rc == ENG_OK && i < n; i++) {
        fmt_str name = fmt_csv_field(f, i);
        offs[i] = text->len;
        for (int c = 0; c < FMT_COL_COUNT; c++)
            if (fmt_header_name_eq(name, fmt_col_name((fmt_col)c))) {
                name.p = fmt_col_name((fmt_col)c);
                name.len = strlen(name.p);
            }
        if (!is_valid_utf8(name))
            name.p = eng_text_sanitize(scratch, name.p, name.len, &name.len);
        if (name.p)
            fmt_buf_put(text, name.p, name.len);
        fmt_buf_putc(text, '\0');
    }
    for (size_t i = 0; rc == ENG_OK && i < n; i++)
        lay->header_names[i] = text->p ? text->p + offs[i] : "";
    lay->n_header = n;
    if (text->failed)
        rc = ENG_NOMEM;
    free(offs);
    eng_arena_free(scratch);
    return rc;
}

/* The first order_time of the file that reads as a spreadsheet date only day first
 * (index FMT_DATE_DMY), only month first (FMT_DATE_MDY), or either way (0). */
typedef struct date_seen {
    uint64_t line;
    char text[48];
} date_seen;

/* How the file's spreadsheet dates read (README "Inputs"): --date-order, else what the
 * order_time values of the records in its first chunk (after the header, as the layout
 * makes them) allow. One that can only be day first and none that can only be month
 * first make it day first, and the other way round; both kinds, or only dates that read
 * either way, refuse the file with what to do. A file with no such dates has none. */
static eng_rc decide_date_order(ingest *in, uint16_t file, const fmt_chunk *ch, eng_err *err)
{
    eng_layout *lay = &in->layouts[file];
    const fmt_layout *l = lay->layout;
    lay->date_order = l->own_dates ? FMT_DATE_UNKNOWN : (fmt_date_order)in->setup->date_order;
    lay->date_order_given = lay->date_order != FMT_DATE_UNKNOWN;
    if (lay->date_order || l->own_dates)
        return ENG_OK;
    fmt_csv_fields *f = fmt_csv_fields_new(l->dialect);
    fmt_out out;
    if (!f || fmt_out_init(&out) != ENG_OK) {
        fmt_csv_fields_free(f);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    }
    date_seen seen[3];
    memset(seen, 0, sizeof seen);
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, ch->data + ch->start, ch->len - ch->start, ch->first_line, l->dialect);
    fmt_str rec;
    uint64_t line;
    eng_rc rc = ENG_OK;
    while (rc == ENG_OK && it.pos < ((size_t)1 << 20) && fmt_csv_iter_next(&it, &rec, &line)) {
        fmt_out_reset(&out);
        if (fmt_csv_split(f, rec.p, rec.len) == ENG_NOMEM ||
            l->transform(l, lay->bind, f, &out) != ENG_OK) {
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading dates");
            break;
        }
        for (size_t i = 0; i < out.n; i++) {
            fmt_str v = out.rows[i].v[FMT_COL_ORDER_TIME];
            int64_t ns;
            unsigned orders = v.len ? fmt_sheet_date_orders(v.p, v.len) : 0;
            if (!orders || fmt_isotime_parse(v.p, v.len, &ns) == 0)
                continue;
            int kind = orders == (1u << FMT_DATE_DMY)   ? FMT_DATE_DMY
                       : orders == (1u << FMT_DATE_MDY) ? FMT_DATE_MDY
                                                        : 0;
            if (!seen[kind].line) {
                seen[kind].line = line;
                eng_text_quote(seen[kind].text, sizeof seen[kind].text, v.p, v.len);
            }
        }
    }
    fmt_out_release(&out);
    fmt_csv_fields_free(f);
    if (rc != ENG_OK)
        return rc;
    err->line = 0;
    err->field = fmt_col_name(FMT_COL_ORDER_TIME); /* static: the header names go with the ingest */
    if (seen[FMT_DATE_DMY].line && seen[FMT_DATE_MDY].line)
        return ENG_FAIL(err, ENG_REFUSED,
                        "order_time %s (line %llu) can only be day first and %s (line %llu) only "
                        "month first: the file mixes two date orders; export it again",
                        seen[FMT_DATE_DMY].text, (unsigned long long)seen[FMT_DATE_DMY].line,
                        seen[FMT_DATE_MDY].text, (unsigned long long)seen[FMT_DATE_MDY].line);
    if (seen[FMT_DATE_DMY].line || seen[FMT_DATE_MDY].line) {
        lay->date_order = seen[FMT_DATE_DMY].line ? FMT_DATE_DMY : FMT_DATE_MDY;
        return ENG_OK;
    }
    if (seen[0].line)
        return ENG_FAIL(err, ENG_REFUSED,
                        "order_time %s (line %llu) is a spreadsheet's date that could be day "
                        "first or month first, and so is every such date in the file's first "
                        "MiB; give --date-order dmy (26/11/2026) or --date-order mdy "
                        "(11/26/2026)",
                        seen[0].text, (unsigned long long)seen[0].line);
    return ENG_OK;
}

/* Find the header in the first chunk, bind the layout to it, and start the chunk after
 * it. */
static eng_rc read_header(ingest *in, uint16_t file, fmt_chunk *ch, const detection *found,
                          eng_err *err)
{
    const eng_source *src = &in->setup->sources[file];
    eng_file_facts *facts = &in->files[file];
    eng_layout *lay = &in->layouts[file];
    const fmt_layout *l = lay->layout;
    err->path = src->path;
    err->line = 0;
    err->field = NULL;
    fmt_csv_fields *f = fmt_csv_fields_new(l->dialect);
    if (!f)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    fmt_csv_iter it;
    uint64_t line;
    int strict_ok = 0;
    int got =
        first_record(ch->data, ch->len, ch->first_line, l->dialect, f, &it, &line, &strict_ok);
    eng_rc rc = ENG_OK;
    if (got < 0)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    else if (got == 0)
        rc = ENG_FAIL(err, ENG_REFUSED,
                      "the orders file is empty: it needs a header line naming the columns");
    if (rc == ENG_OK) {
        err->line = line;
        if (!strict_ok)
            rc = ENG_FAIL(err, ENG_REFUSED, "the header line is not well-formed CSV");
    }
    if (rc == ENG_OK) {
        rc = l->bind(l, f, &lay->bind, err);
        if (rc == ENG_REFUSED && in->setup->format && found->layout && found->layout != l) {
            /* Forced through the wrong layout: say what the file looks like. */
            size_t k = strlen(err->msg);
            snprintf(err->msg + k, sizeof err->msg - k,
                     " (--format %s was given, but the header is that of the %s layout)", l->name,
                     found->layout->name);
        }
    }
    if (rc == ENG_OK && keep_header_names(in, file, f) != ENG_OK)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    if (rc == ENG_OK)
        for (int c = 0; c < FMT_COL_COUNT; c++) {
            int at = l->source_column ? l->source_column(l, lay->bind, (fmt_col)c) : -1;
            lay->col_label[c] = at >= 0 && (size_t)at < lay->n_header ? lay->header_names[at]
                                                                      : fmt_col_name((fmt_col)c);
            facts->col_label[c] = lay->col_label[c];
            if (at == FMT_LAYOUT_NO_COLUMN)
                facts->no_column |= 1u << c;
            else if (at >= 0)
                facts->own_column |= 1u << c;
        }
    fmt_csv_fields_free(f);
    if (rc == ENG_OK) {
        /* The chunk now starts after the header. */
        ch->start = it.pos;
        ch->first_line = it.line;
        facts->format = l->name;
        facts->encoding = found->encoding ? found->encoding : "UTF-8";
        rc = decide_date_order(in, file, ch, err);
        if (lay->date_order)
            facts->date_order = lay->date_order == FMT_DATE_DMY ? "dmy" : "mdy";
    }
    return rc;
}

/* Why no layout fits the header at the start of p: the likely cause, after "; ". */
static void no_layout_hint(const char *p, size_t n, char *dst, size_t cap)
{
    dst[0] = '\0';
    if (fmt_utf16_bom(p, n)) {
        snprintf(dst, cap,
                 "; the file is UTF-16 (Excel's \"Unicode text\") and no layout "
                 "fits its header");
        return;
    }
    fmt_csv_fields *f = fmt_csv_fields_new(FMT_CSV);
    fmt_csv_iter it;
    uint64_t line;
    int strict_ok;
    if (f && first_record(p, n, 1, FMT_CSV, f, &it, &line, &strict_ok) == 1) {
        const char *what, *kind = fmt_header_kind(f, &what);
        fmt_str first = fmt_csv_field(f, 0);
        if (kind)
            snprintf(dst, cap, "; it looks like %s, not orders: were two files swapped?", kind);
        else if (fmt_csv_count(f) == 1 && memchr(first.p, '\t', first.len))
            snprintf(dst, cap,
                     "; its header is tab-separated but fits no layout: check the "
                     "column names");
    }
    fmt_csv_fields_free(f);
}

/* Choose the file's layout and encoding from its first bytes (or --format/--encoding). */
static eng_rc choose_layout(ingest *in, uint16_t file, fmt_source *s, detection *found,
                            eng_err *err)
{
    const eng_source *src = &in->setup->sources[file];
    const char *p;
    size_t n;
    ENG_TRY(fmt_source_peek(s, 1u << 16, &p, &n, err));
    size_t n_all;
    const fmt_layout *const *all = fmt_layout_all(&n_all);
    ENG_TRY(detect(in, all, n_all, p, n, n < (1u << 16), found));
    const fmt_layout *forced = in->setup->format;
    eng_layout *lay = &in->layouts[file];
    lay->layout = forced ? forced : found->layout;
    err->path = src->path;
    err->line = 0;
    err->field = NULL;
    uint64_t lines = 0;
    if (!lay->layout && n < (1u << 16) && fmt_csv_skip_blank(p, n, FMT_CSV, &lines) == n)
        return ENG_FAIL(err, ENG_REFUSED,
                        "the orders file is empty: it needs a header line naming the columns");
    if (!lay->layout) {
        char hint[160];
        no_layout_hint(p, n, hint, sizeof hint);
        return ENG_FAIL(err, ENG_REFUSED,
                        "the header matches no known layout (canonical, with commas, semicolons "
                        "or tabs; shopify, amazon, woocommerce, ebay, tmall)%s; name one with "
                        "--format, or describe the columns with --format map:FILE",
                        hint);
    }
    int utf8 = peek_is_utf8(p, n, n < (1u << 16));
    const char *enc = file_encoding(in, lay->layout, p, n, utf8);
    /* Read as UTF-8 though its start is not: with no UTF-8 letter in it either, the file
     * is most likely a spreadsheet's Windows-1252, which the rows' BAD_ENCODING say. */
    lay->looks_1252 = !enc && !utf8 && !has_utf8_letter(p, n);
    if (forced) {
        detection own = {forced, enc, 0};
        detection detected = *found;
        *found = own;
        found->score = detected.layout ? detected.score : 0;
        lay->detected = detected.layout;
    }
    found->encoding = enc;
    if (enc)
        ENG_TRY(fmt_source_set_encoding(s, enc, err));
    return ENG_OK;
}

/* ---- the night's size, from the start of each file ---- */

/* Enough records (thousands) to see how long a line is and how many lines an order has;
 * little enough to cost under a percent of reading the file. */
#define SURVEY_BYTES (1u << 20)
#define RATIO_BYTES  (16u << 20)

typedef struct survey_count {
    uint64_t rows, orders;
    size_t data_start, data_end; /* the sampled records' bytes in the peek */
} survey_count;

/* Rows and runs of one order id in the whole records of p[0..n): orders whose rows are
 * not adjacent count once per run, which errs towards more orders (the costlier side). */
static eng_rc survey_records(const fmt_layout *l, const char *p, size_t n, int at_eof,
                             survey_count *c)
{
    memset(c, 0, sizeof *c);
    fmt_csv_fields *f = fmt_csv_fields_new(l->dialect);
    fmt_out out;
    int out_ok = fmt_out_init(&out) == ENG_OK;
    eng_rc rc = f && out_ok ? ENG_OK : ENG_NOMEM;
    fmt_csv_iter it;
    uint64_t line;
    int strict_ok = 0;
    int got = rc == ENG_OK ? first_record(p, n, 1, l->dialect, f, &it, &line, &strict_ok) : 0;
    if (got < 0)
        rc = ENG_NOMEM;
    void *bind = NULL;
    eng_err ignored;
    memset(&ignored, 0, sizeof ignored);
    if (got == 1 && l->bind(l, f, &bind, &ignored) == ENG_OK) {
        c->data_start = c->data_end = it.pos;
        uint64_t prev = 0;
        size_t prev_len = SIZE_MAX;
        fmt_str rec;
        while (rc == ENG_OK && fmt_csv_iter_next(&it, &rec, &line)) {
            if (!it.complete && !at_eof)
                break; /* cut by the end of the sample */
            rc = fmt_csv_split(f, rec.p, rec.len) == ENG_NOMEM ? ENG_NOMEM : ENG_OK;
            if (rc == ENG_OK) {
                fmt_out_reset(&out);
                rc = l->transform(l, bind, f, &out);
            }
            for (size_t i = 0; rc == ENG_OK && !out.skip && i < out.n; i++) {
                /* The id's hash stands for it: two ids meeting there would count as one
                 * order only in this estimate. */
                fmt_str id = out.rows[i].v[FMT_COL_ORDER_ID];
                uint64_t h = eng_hash_bytes(id.p, id.len);
                if (id.len != prev_len || h != prev) {
                    c->orders++;
                    prev = h;
                    prev_len = id.len;
                }
                c->rows++;
            }
            c->data_end = it.pos;
        }
        l->unbind(bind);
    }
    if (out_ok)
        fmt_out_release(&out);
    fmt_csv_fields_free(f);
    return rc;
}

/* A zstd file's compression ratio, from more bytes than the sample parsed: the decoder
 * has taken in up to a block (128 KiB of text) more than it handed out. Over 4 MiB that
 * left the bench nights' line estimates 3.3% short; over 16 MiB, 1%. Decompressing
 * 16 MiB costs about 1% of a 1M-line night (3% of a 200,000-line one, 0.2% at 5M).
 * Returns the text read in all (want, or less at its end). */
static eng_rc read_on(fmt_source *s, uint64_t want, uint64_t *text_read)
{
    char *scratch = malloc(1u << 20);
    if (!scratch)
        return ENG_NOMEM;
    uint64_t total = 0;
    eng_err ignored;
    memset(&ignored, 0, sizeof ignored);
    eng_rc rc = ENG_OK;
    while (total < want) {
        size_t k = 0;
        rc = fmt_source_read(s, scratch, 1u << 20, &k, &ignored);
        if (rc != ENG_OK || k == 0)
            break;
        total += k;
    }
    free(scratch);
    if (rc == ENG_NOMEM)
        return rc;
    if (total > *text_read)
        *text_read = total;
    return ENG_OK; /* a read failure is for reading the file to report */
}

/* sum + v rounded, stuck at UINT64_MAX (a damaged .zst header can claim any size). */
static uint64_t add_scaled(uint64_t sum, double v)
{
    uint64_t add = v < 1.8e19 ? (uint64_t)(v + 0.5) : UINT64_MAX;
    return sum > UINT64_MAX - add ? UINT64_MAX : sum + add;
}

void eng_night_size_release(eng_night_size *n)
{
    free(n->seen);
    n->seen = NULL;
}

eng_rc eng_orders_survey(const eng_setup *setup, eng_night_size *out, eng_err *err)
{
    memset(out, 0, sizeof *out);
    out->seen = calloc(setup->n_order_files ? setup->n_order_files : 1, sizeof *out->seen);
    if (!out->seen)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory sizing the night");
    ingest in;
    memset(&in, 0, sizeof in);
    in.setup = setup;
    size_t n_all;
    const fmt_layout *const *all = fmt_layout_all(&n_all);
    for (size_t file = 0; file < setup->n_order_files; file++) {
        /* A pipe or FIFO can be read once only, by intake: it is not in the estimate. */
        struct stat st;
        if (stat(fmt_input_path(setup->sources[file].path), &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        fmt_source *s = NULL;
        eng_err ignored;
        memset(&ignored, 0, sizeof ignored);
        eng_rc rc = fmt_source_open(setup->sources[file].path, &s, &ignored);
        if (rc == ENG_OK)
            out->seen[file].regular =
                fmt_source_opened_as(s, &out->seen[file].size, &out->seen[file].mtime);
        const char *p = NULL;
        size_t n = 0;
        if (rc == ENG_OK)
            rc = fmt_source_peek(s, SURVEY_BYTES, &p, &n, &ignored);
        detection found;
        memset(&found, 0, sizeof found);
        if (rc == ENG_OK)
            rc = detect(&in, all, n_all, p, n, n < SURVEY_BYTES, &found);
        const fmt_layout *l = setup->format ? setup->format : found.layout;
        survey_count c;
        memset(&c, 0, sizeof c);
        if (rc == ENG_OK && l)
            rc = survey_records(l, p, n, n < SURVEY_BYTES, &c);
        uint64_t text_read = n;
        if (rc == ENG_OK && fmt_source_is_zstd(s) && n == SURVEY_BYTES)
            rc = read_on(s, RATIO_BYTES, &text_read);
        uint64_t text = rc == ENG_OK ? fmt_source_text_size_estimate(s, text_read) : 0;
        fmt_source_close(s);
        if (rc == ENG_NOMEM)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory sizing the night");
        /* Anything else wrong with the file is for its reading to say, in full. */
        size_t sampled = c.data_end - c.data_start;
        if (sampled == 0)
            continue;
        double scale = text > c.data_start ? (double)(text - c.data_start) / (double)sampled : 1.0;
        out->lines = add_scaled(out->lines, (double)c.rows * scale);
        out->orders = add_scaled(out->orders, (double)c.orders * scale);
        out->bytes = add_scaled(out->bytes, (double)text);
    }
    return ENG_OK;
}

/* The file is the one the survey sized: a file replaced or still growing between the two
 * is refused as one that changes while it is read. */
static eng_rc check_as_surveyed(const ingest *in, uint16_t file, fmt_source *s, eng_err *err)
{
    if (!in->surveyed || !in->surveyed->seen[file].regular)
        return ENG_OK;
    const struct eng_file_seen *was = &in->surveyed->seen[file];
    uint64_t size;
    struct timespec mtime;
    if (fmt_source_opened_as(s, &size, &mtime) && size == was->size &&
        mtime.tv_sec == was->mtime.tv_sec && mtime.tv_nsec == was->mtime.tv_nsec)
        return ENG_OK;
    err->path = in->setup->sources[file].path;
    err->line = 0;
    err->field = NULL;
    return ENG_FAIL(err, ENG_REFUSED,
                    "changed while it was read (a transfer still in progress?); wait until it "
                    "is complete and run again");
}

static eng_rc read_file(ingest *in, uint16_t file, eng_err *err)
{
    const eng_source *src = &in->setup->sources[file];
    fmt_source *s = NULL;
    ENG_TRY(fmt_source_open(src->path, &s, err));
    eng_rc seen_rc = check_as_surveyed(in, file, s, err);
    if (seen_rc != ENG_OK) {
        fmt_source_close(s);
        return seen_rc;
    }
    detection found;
    eng_rc rc = choose_layout(in, file, s, &found, err);
    if (rc != ENG_OK) {
        fmt_source_close(s);
        return rc;
    }
    if (in->setup->format)
        found.layout = in->layouts[file].detected;
    size_t chunk = in->setup->chunk_size ? in->setup->chunk_size : ENG_INGEST_CHUNK;
    fmt_chunker *c = fmt_chunker_new(s, in->layouts[file].layout->dialect, chunk);
    rc = c ? ENG_OK : ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", src->path);
    if (c)
        fmt_chunker_use_pool(c, in->chunk_bufs);
    int first = 1;
    while (rc == ENG_OK) {
        fmt_chunk *ch = NULL;
        rc = fmt_chunker_next(c, &ch, err);
        if (rc != ENG_OK)
            break;
        if (!ch) {
            if (first) {
                err->path = src->path;
                err->line = 0;
                err->field = NULL;
                rc = ENG_FAIL(err, ENG_REFUSED,
                              "the orders file is empty: it needs a header "
                              "line naming the columns");
            }
            break;
        }
        if (first) {
            rc = read_header(in, file, ch, &found, err);
            first = 0;
            if (rc != ENG_OK) {
                fmt_chunk_free(ch);
                break;
            }
        }
        if (!eng_setup_parses(in->setup, file, ch->seq)) {
            fmt_chunk_free(ch); /* another map task's part of the file */
            continue;
        }
        work_item *item = malloc(sizeof *item);
        if (!item) {
            fmt_chunk_free(ch);
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", src->path);
            break;
        }
        item->chunk = ch;
        item->file = file;
        eng_progress_bytes_at(in->setup->progress, in->bytes_before + fmt_source_raw_bytes(s));
        if (eng_queue_push(in->queue, item) != 0) {
            /* A worker failed and closed the queue; its error is reported instead. */
            fmt_chunk_free(ch);
            free(item);
            rc = ENG_INTERNAL;
            break;
        }
    }
    if (rc == ENG_OK) {
        in->files[file].bytes = fmt_source_raw_bytes(s);
        in->bytes_before += in->files[file].bytes;
        fmt_source_sha256(s, in->files[file].sha256);
        /* (void): out of memory only keeps it from summary.json; it was printed. Of the
         * map tasks sharing a file, the one with chunk 0 says it. */
        if (eng_setup_parses(in->setup, file, 0))
            (void)eng_warn_unended(in->setup->warnings, file, src->path,
                                   fmt_chunker_unended_line(c));
    }
    fmt_chunker_free(c);
    fmt_source_close(s);
    return rc;
}

static void *reader_main(void *arg)
{
    ingest *in = arg;
    memset(&in->reader_err, 0, sizeof in->reader_err);
    in->reader_rc = ENG_OK;
    for (size_t f = 0; f < in->setup->n_order_files && in->reader_rc == ENG_OK; f++)
        if (!in->setup->read_files || in->setup->read_files[f])
            in->reader_rc = read_file(in, (uint16_t)f, &in->reader_err);
    eng_queue_close(in->queue);
    return NULL;
}

/* Parse one chunk into a batch. ENG_NOMEM is its only failure (the caller says so). */
static eng_rc parse_chunk(ingest *in, work_item *item, unsigned worker, eng_batch **out)
{
    eng_batch *b = calloc(1, sizeof *b);
    if (!b)
        return ENG_NOMEM;
    b->file = item->file;
    b->seq = item->chunk->seq;
    b->mem = in->worker_mem[worker];
    b->mem_shared = 1;
    const fmt_chunk *ch = item->chunk;
    const eng_layout *lay = &in->layouts[item->file];
    eng_ingest_worker *w = in->workers[worker];
    /* Rows are read into the worker's array and grouped into the row store at the end.
     * Room for rows of 64 bytes of text at once: growing by doubling copied each batch's
     * rows five times over (a tenth of the read stage). */
    b->rows = w->rows;
    b->cap_rows = w->cap_rows;
    w->rows = NULL;
    w->cap_rows = 0;
    eng_rc rc = reserve_rows(b, (ch->len - ch->start) / 64 + 16);
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, ch->data + ch->start, ch->len - ch->start, ch->first_line,
                      lay->layout->dialect);
    fmt_str rec;
    uint64_t line;
    while (rc == ENG_OK && fmt_csv_iter_next(&it, &rec, &line)) {
        /* A file ending inside a quoted field is refused by the reader (fmt_chunker_next
         * after this chunk), so its last record's rows never reach an output. */
        if (!it.complete && ch->ends_inside_quotes)
            break;
        rc = eng_ingest_record(b, w, lay, in->setup->catalog, rec.p, rec.len, line, it.line);
    }
    eng_progress_add(in->setup->progress, 0, b->n_rows);
    size_t cap = b->cap_rows;
    eng_row *read = NULL;
    if (rc == ENG_OK)
        rc = group_rows(b, in->rows, worker, &read);
    if (rc != ENG_OK) {
        read = b->rows;
        b->rows = NULL;
    }
    w->rows = read;
    w->cap_rows = read ? cap : 0;
    if (rc != ENG_OK) {
        eng_batch_free(b);
        return rc;
    }
    *out = b;
    return ENG_OK;
}

static eng_rc keep_batch(ingest *in, eng_batch *b)
{
    pthread_mutex_lock(&in->mu);
    eng_rc rc = ENG_OK;
    if (in->n_results == in->cap_results) {
        size_t cap = in->cap_results ? in->cap_results * 2 : 64;
        eng_batch **grown = realloc(in->results, cap * sizeof *grown);
        if (grown) {
            in->results = grown;
            in->cap_results = cap;
        } else {
            rc = ENG_NOMEM;
        }
    }
    if (rc == ENG_OK)
        in->results[in->n_results++] = b;
    pthread_mutex_unlock(&in->mu);
    return rc;
}

static eng_rc worker_task(void *ctx, size_t i, unsigned worker, eng_err *err)
{
    (void)i;
    ingest *in = ctx;
    eng_rc rc = ENG_OK;
    work_item *item;
    while ((item = eng_queue_pop(in->queue)) != NULL) {
        if (rc == ENG_OK) {
            eng_batch *b = NULL;
            rc = parse_chunk(in, item, worker, &b);
            if (rc == ENG_OK) {
                rc = keep_batch(in, b);
                if (rc != ENG_OK)
                    eng_batch_free(b);
            }
            if (rc == ENG_NOMEM)
                ENG_FAIL(err, rc, "out of memory parsing %s", in->setup->sources[item->file].path);
            if (rc != ENG_OK)
                eng_queue_close(in->queue); /* stop the reader; keep draining */
        }
        fmt_chunk_free(item->chunk);
        free(item);
    }
    return rc;
}

static int cmp_batch(const void *a, const void *b)
{
    const eng_batch *x = *(eng_batch *const *)a, *y = *(eng_batch *const *)b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

eng_rc eng_batches_read(const eng_setup *setup, const eng_night_size *surveyed, eng_batches **out,
                        eng_err *err)
{
    ingest in;
    memset(&in, 0, sizeof in);
    in.setup = setup;
    in.surveyed = surveyed;
    eng_pool *pool = setup->pool;
    unsigned n_workers = eng_pool_threads(pool);
    size_t n_files = setup->n_order_files;
    eng_batches *bs = calloc(1, sizeof *bs);
    if (bs) {
        bs->n_files = n_files;
        bs->files = calloc(n_files ? n_files : 1, sizeof *bs->files);
    }
    in.files = bs ? bs->files : NULL;
    /* Two chunks per worker keep everyone busy; the cap bounds raw text in memory
     * (16 x 4 MiB) however many threads are asked for. */
    size_t depth = 2 * (size_t)n_workers < 16 ? 2 * (size_t)n_workers : 16;
    eng_rc rc = eng_queue_new(depth, &in.queue, err);
    if (rc != ENG_OK)
        return rc;
    pthread_mutex_init(&in.mu, NULL);
    /* The queue's chunks, one being filled and one per worker being parsed. */
    in.chunk_bufs = fmt_chunk_pool_new(depth + n_workers + 2);
    in.layouts = calloc(n_files ? n_files : 1, sizeof *in.layouts);
    in.header_text = calloc(n_files ? n_files : 1, sizeof *in.header_text);
    in.workers = calloc(n_workers, sizeof *in.workers);
    if (!bs || !in.files || !in.chunk_bufs || !in.layouts || !in.header_text || !in.workers) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory starting to read orders");
        goto done;
    }
    /* Drawn per run, so that no file can be made to collide (orders.c compares the rows'
     * values on every hit, so a collision could only cost time). */
    eng_sip_key dup_key = setup->dup_key ? *setup->dup_key : eng_sip_key_random();
    if (!(bs->intern = eng_intern_new(eng_sip_key_random()))) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory starting to read orders");
        goto done;
    }
    if (!(bs->rows = in.rows = eng_rowstore_new(n_workers, surveyed ? surveyed->lines : 0))) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory starting to read orders");
        goto done;
    }
    bs->worker_mem = in.worker_mem = calloc(n_workers, sizeof *bs->worker_mem);
    if (bs->worker_mem)
        bs->n_worker_mem = n_workers;
    for (unsigned w = 0; w < n_workers && bs->worker_mem; w++)
        if (!(bs->worker_mem[w] = eng_arena_new(1u << 18)))
            in.worker_mem = NULL;
        else /* heads and ids fill it front to back, each block mapped while reading */
            eng_arena_on_new_block(bs->worker_mem[w], eng_heap_prefault);
    for (unsigned w = 0; w < n_workers; w++) {
        in.workers[w] = eng_ingest_worker_new(dup_key, bs->intern);
        if (!in.workers[w] || !in.worker_mem) {
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory starting to read orders");
            goto done;
        }
    }
    pthread_t reader;
    if (pthread_create(&reader, NULL, reader_main, &in) != 0) {
        rc = ENG_FAIL(err, ENG_INTERNAL, "cannot start the reader thread");
        goto done;
    }
    eng_err work_err;
    memset(&work_err, 0, sizeof work_err);
    eng_rc work_rc = eng_pool_for(pool, n_workers, worker_task, &in, &work_err);
    pthread_join(reader, NULL);
    /* A worker's failure explains a reader stopped by the closed queue. */
    if (work_rc != ENG_OK) {
        rc = work_rc;
        *err = work_err;
    } else if (in.reader_rc != ENG_OK) {
        rc = in.reader_rc;
        *err = in.reader_err;
    }
    if (rc != ENG_OK)
        goto done;
    if (in.n_results) /* a map task may read no file: results is NULL */
        qsort(in.results, in.n_results, sizeof *in.results, cmp_batch);
    bs->items = in.results;
    bs->n = in.n_results;
    in.results = NULL;
    in.n_results = 0;
    for (size_t i = 0; i < bs->n; i++)
        bs->files[bs->items[i]->file].data_rows += bs->items[i]->n_rows;
done:
    for (size_t i = 0; i < in.n_results; i++)
        eng_batch_free(in.results[i]);
    free(in.results);
    if (in.workers)
        for (unsigned w = 0; w < n_workers; w++)
            eng_ingest_worker_free(in.workers[w]);
    free(in.workers);
    if (in.layouts)
        for (size_t f = 0; f < n_files; f++) {
            free(in.layouts[f].header_names);
            if (in.layouts[f].layout && in.layouts[f].bind)
                in.layouts[f].layout->unbind(in.layouts[f].bind);
        }
    free(in.layouts);
    /* Header names are referenced by exceptions (field) for the whole run: keep them. */
    if (bs)
        bs->header_text = in.header_text;
    pthread_mutex_destroy(&in.mu);
    eng_queue_free(in.queue);
    fmt_chunk_pool_free(in.chunk_bufs); /* after the workers freed every chunk */
    if (rc != ENG_OK) {
        eng_batches_free(bs);
        return rc;
    }
    *out = bs;
    return ENG_OK;
}

eng_rc eng_batches_order_ids(const eng_batches *bs, const unsigned char *here, eng_strset *ids,
                             eng_err *err)
{
    for (size_t b = 0; b < bs->n; b++) {
        const eng_batch *bt = bs->items[b];
        for (size_t p = 0; p < ENG_PARTS; p++) {
            const eng_row *rows = bt->part_rows[p];
            for (size_t i = 0; (!here || here[p]) && i < eng_batch_part_count(bt, p); i++) {
                /* Rows of one order usually follow each other: skip the repeat lookups. */
                if (i > 0 && rows[i - 1].order_id == rows[i].order_id)
                    continue;
                if (eng_strset_add(ids, rows[i].order_id, eng_row_id_len(&rows[i])) != ENG_OK)
                    return ENG_FAIL(err, ENG_NOMEM, "out of memory collecting order ids");
            }
        }
    }
    return ENG_OK;
}

void eng_batches_free(eng_batches *bs)
{
    if (!bs)
        return;
    for (size_t i = 0; i < bs->n; i++)
        eng_batch_free(bs->items[i]);
    free(bs->items);
    for (size_t f = 0; bs->header_text && f < bs->n_files; f++)
        fmt_buf_release(&bs->header_text[f]);
    free(bs->header_text);
    free(bs->files);
    eng_intern_free(bs->intern);
    for (unsigned w = 0; w < bs->n_worker_mem; w++)
        eng_arena_free(bs->worker_mem[w]);
    free(bs->worker_mem);
    eng_rowstore_free(bs->rows);
    free(bs);
}
