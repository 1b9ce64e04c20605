/* The actual side: the payout files given with --payouts, each recognised by its header
 * (or read with --payout-format), every record turned into typed payout lines in minor
 * units, each line counted once across files and earlier reconciles.
 *
 * A line's identity (README "Reconciliation"): its layout, payout id and the source's
 * transaction id with the line's type and code when the source has one; otherwise its
 * payout id, order, type, code, currency, amount and date, and its occurrence among such
 * identical lines of its payout in its file. A payout given twice, or a re-export that
 * overlaps an earlier one, so adds nothing; two genuine identical fee rows of one payout
 * both count. The identity is kept as 32 hex digits of its SHA-256 (a later occurrence's:
 * of the first's and its number). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/buf.h"
#include "../../formats/chunker.h"
#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../../formats/num.h"
#include "../../formats/sha256.h"
#include "../../formats/source.h"
#include "../../formats/table.h"
#include "../../formats/utf8.h"
#include "../base/progress.h"
#include "rc_int.h"

#define HEADER_WITHIN 30 /* records a preamble may take before the header (eBay's) */

/* The k-th layout a payout file may be: the --payout-map mappings first (a built-in
 * layout takes a file from them only with more of its columns), then the built-in
 * layouts; with --payout-format, that layout alone. NULL after the last. */
static const fmt_payout_layout *candidate(const rc_state *rc, const char *forced, size_t k)
{
    size_t n_builtin;
    const fmt_payout_layout *const *builtin = fmt_payout_layout_all(&n_builtin);
    if (rc->forced_map)
        return k == 0 ? rc->maps[rc->n_maps - 1] : NULL;
    if (forced)
        return k == 0 ? fmt_payout_layout_find(forced) : NULL;
    if (k < rc->n_maps)
        return rc->maps[k];
    return k - rc->n_maps < n_builtin ? builtin[k - rc->n_maps] : NULL;
}

/* The layout whose header is within the first records of text, and which record it is. */
static const fmt_payout_layout *detect(const rc_state *rc, const char *text, size_t len,
                                       const char *forced, size_t *header_at)
{
    const fmt_payout_layout *best = NULL, *l;
    int best_score = 0;
    for (size_t k = 0; (l = candidate(rc, forced, k)) != NULL; k++) {
        fmt_csv_fields *f = fmt_csv_fields_new(l->dialect);
        if (!f)
            return NULL;
        fmt_csv_iter it;
        fmt_csv_iter_init(&it, text, len, 1, l->dialect);
        fmt_str rec;
        uint64_t line;
        for (size_t r = 0; r < HEADER_WITHIN && fmt_csv_iter_next(&it, &rec, &line); r++) {
            if (!it.complete || fmt_csv_split(f, rec.p, rec.len) != ENG_OK)
                continue;
            int score = l->detect(l, f);
            if (score > best_score) {
                best = l;
                best_score = score;
                *header_at = r;
            }
            if (score)
                break;
        }
        fmt_csv_fields_free(f);
    }
    return best;
}

/* Why a file no payout layout recognises is not one, when its first line tells: one of
 * slipway's own outputs, or a spreadsheet's semicolon CSV. NULL otherwise. */
static const char *unknown_why(const char *p, size_t n)
{
    size_t end = 0, semis = 0, commas = 0;
    while (end < n && end < 4096 && p[end] != '\n') {
        semis += p[end] == ';';
        commas += p[end] == ',';
        end++;
    }
    static const struct {
        const char *column, *says;
    } own[] = {
        {"slip_no", "this is slipway's slips.csv: give it (or its run folder) with --history"},
        {"request_id", "this is slipway's returns_ledger.csv: give it with --history"},
        {"line_id", "this is slipway's payout_lines.csv: give it (or its reconcile folder) with "
                    "--history"},
        {"order_total", "this is slipway's order_totals.csv: give it with --history"},
    };
    for (size_t i = 0; i < sizeof own / sizeof *own; i++) {
        size_t len = strlen(own[i].column);
        for (size_t k = 0; k + len <= end; k++)
            if (memcmp(p + k, own[i].column, len) == 0)
                return own[i].says;
    }
    if (semis > commas && semis >= 3)
        return "the file is cut at semicolons, as a spreadsheet saves CSV in a language with a "
               "decimal comma; slipway reads payout files as the marketplace exports them: "
               "download the export again, or save it as comma-separated CSV";
    return NULL;
}

/* The identity of line l but its occurrence: its digest's first 16 bytes into id. */
static void identity(fmt_sha256 *h, const fmt_payout_layout *layout, const fmt_pline *l,
                     unsigned char id[ENG_IDSET_KEY])
{
    const fmt_str parts[] = {{layout->name, strlen(layout->name)},
                             l->payout_id,
                             l->txn_id,
                             {fmt_ptype_name(l->type), strlen(fmt_ptype_name(l->type))},
                             l->code,
                             l->txn_id.len ? (fmt_str){"", 0} : l->order_id,
                             l->txn_id.len ? (fmt_str){"", 0} : l->currency,
                             l->txn_id.len ? (fmt_str){"", 0} : l->amount,
                             l->txn_id.len ? (fmt_str){"", 0} : l->date};
    char stack[512];
    fmt_buf b;
    fmt_buf_init(&b);
    size_t need = 0;
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        need += parts[i].len + 1;
    char *p = stack;
    if (need > sizeof stack) { /* long texts: rare */
        fmt_buf_reserve(&b, need);
        p = b.p;
    }
    size_t n = 0;
    for (size_t i = 0; p && i < sizeof parts / sizeof *parts; i++) {
        memcpy(p + n, parts[i].p, parts[i].len);
        n += parts[i].len;
        p[n++] = ENG_VMAP_SEP;
    }
    unsigned char d[32];
    fmt_sha256_digest(h, p ? p : "", p ? n : 0, d);
    memcpy(id, d, ENG_IDSET_KEY);
    fmt_buf_release(&b);
}

/* The identity of the occurrence-th of identical lines: the first's is the line's own,
 * a later one's the SHA-256 of that and its number. */
static void nth(fmt_sha256 *h, const unsigned char base[ENG_IDSET_KEY], uint32_t occurrence,
                unsigned char id[ENG_IDSET_KEY])
{
    if (occurrence <= 1) {
        memcpy(id, base, ENG_IDSET_KEY);
        return;
    }
    char text[48];
    eng__rc_hex(base, text);
    int n = 32 + snprintf(text + 32, sizeof text - 32, "#%u", occurrence);
    unsigned char d[32];
    fmt_sha256_digest(h, text, (size_t)n, d);
    memcpy(id, d, ENG_IDSET_KEY);
}

typedef struct reader {
    rc_state *rc;
    rc_input *in;
    const fmt_payout_layout *layout;
    void *bind;
    const fmt_csv_fields *header;
    eng_idset *seen_here; /* identities of this file without a txn id: occurrence counts */
    int64_t *count_here;
    size_t cap_count;
    fmt_sha256 *hash;
    /* the last payout's own statement: its id and currency, for its rows that leave the
     * currency blank (Amazon's detail rows may) */
    char declared_id[64], declared_cur[8];
    const char *channel; /* the layout's, or the policy's payout_channel.* */
    const char *prefix;  /* taken off order references: the layout's or the policy's */
    uint32_t layout_id, channel_id, source_id; /* interned, the same for every line */
    int last_cur;                              /* the currency last interned, -1 none */
    uint32_t last_cur_id;
    rc_icache payouts, codes;
    rc_ocache order;
} reader;

static const char *col_name(const reader *r, int col, const char *fallback)
{
    static char name[64];
    if (col < 0 || (size_t)col >= fmt_csv_count(r->header))
        return fallback;
    fmt_str h = fmt_csv_field(r->header, (size_t)col);
    snprintf(name, sizeof name, "%.*s", (int)(h.len > 60 ? 60 : h.len), h.p);
    return name;
}

/* Add line l of the record at `line`: checked, in minor units, counted once. 1 added, 0
 * named as an exception or already known, -1 out of memory. */
static int add_line(reader *r, const fmt_pline *l, uint64_t line, uint32_t occurrence,
                    const unsigned char base[ENG_IDSET_KEY])
{
    rc_state *rc = r->rc;
    const char *path = r->in->path;
    int cur = fmt_currency_find(l->currency.p, l->currency.len);
    if (cur < 0) {
        const char *field = col_name(r, l->col[FMT_PL_CURRENCY], "currency");
        eng_rc e;
        if (l->currency.len)
            e = eng__rc_exception(
                rc, path, line, l->order_id.p, l->order_id.len, ENG_CODE_BAD_VALUE, field,
                "%s \"%.*s\" is not an ISO 4217 currency code", field,
                (int)(l->currency.len > 20 ? 20 : l->currency.len), l->currency.p);
        else
            e = eng__rc_exception(rc, path, line, l->order_id.p, l->order_id.len,
                                  ENG_CODE_MISSING_FIELD, field,
                                  "%s is blank: a payout line's currency is needed to read its "
                                  "amount",
                                  field);
        return e == ENG_OK ? 0 : -1;
    }
    int64_t minor;
    if (eng__rc_minor(l->amount.p, l->amount.len, cur, &minor) != 0) {
        const char *field = col_name(r, l->col[FMT_PL_AMOUNT], "amount");
        fmt_dec d;
        int neg = l->amount.len > 1 && l->amount.p[0] == '-';
        int number = l->amount.len && fmt_dec_parse(l->amount.p + neg, l->amount.len - (size_t)neg,
                                                    &d) == FMT_NUM_OK;
        char why[80];
        if (!l->amount.len)
            snprintf(why, sizeof why, "is blank");
        else if (number)
            snprintf(why, sizeof why, "has more than the %d digits after the point %s has",
                     fmt_currency_minor_digits(cur), fmt_currency_code(cur));
        else
            snprintf(why, sizeof why, "is not a number");
        return eng__rc_exception(rc, path, line, l->order_id.p, l->order_id.len,
                                 l->amount.len ? ENG_CODE_BAD_NUMBER : ENG_CODE_MISSING_FIELD,
                                 field, "%s \"%.*s\" %s", field,
                                 (int)(l->amount.len > 40 ? 40 : l->amount.len), l->amount.p,
                                 why) == ENG_OK
                   ? 0
                   : -1;
    }
    int32_t day = RC_NO_DAY;
    if (l->date.len && (l->date.len != 10 || fmt_isodate_parse(l->date.p, 10, &day) != 0)) {
        const char *field = col_name(r, l->col[FMT_PL_DATE], "date");
        return eng__rc_exception(rc, path, line, l->order_id.p, l->order_id.len, ENG_CODE_BAD_DATE,
                                 field, "%s \"%.*s\" is not a date slipway reads", field,
                                 (int)(l->date.len > 40 ? 40 : l->date.len), l->date.p) == ENG_OK
                   ? 0
                   : -1;
    }
    unsigned char id[ENG_IDSET_KEY];
    nth(r->hash, base, occurrence, id);
    int added = 0;
    if (eng_idset_add(rc->line_ids, id, &added) < 0)
        return -1;
    if (!added) {
        r->in->duplicate_lines++;
        return 0;
    }
    rc_line *x = eng__rc_new_line(rc);
    if (!x)
        return -1;
    memcpy(x->id, id, sizeof x->id);
    x->layout = r->layout_id;
    x->channel = r->channel_id;
    x->source = r->source_id;
    x->payout = eng__rc_intern_cached(rc, &r->payouts, l->payout_id.p, l->payout_id.len);
    x->txn = l->txn_id.len ? eng_arena_strndup(rc->line_text, l->txn_id.p, l->txn_id.len) : "";
    if (cur != r->last_cur) {
        r->last_cur_id = eng__rc_intern(rc, fmt_currency_code(cur), 3);
        r->last_cur = cur;
    }
    x->currency = r->last_cur_id;
    x->code = eng__rc_intern_cached(rc, &r->codes, l->code.p, l->code.len);
    x->occurrence = occurrence;
    x->line = line;
    x->amount = minor;
    x->cur = (int16_t)cur;
    x->day = day;
    x->type = (uint8_t)l->type;
    fmt_str order = l->order_id;
    size_t pre = strlen(r->prefix);
    if (pre && order.len > pre && memcmp(order.p, r->prefix, pre) == 0) {
        order.p += pre;
        order.len -= pre;
    }
    if (x->payout == RC_NONE || !x->txn || x->currency == RC_NONE || x->code == RC_NONE ||
        eng__rc_attach(rc, &r->order, x, order.p, order.len) != 0)
        return -1;
    r->in->lines++;
    return 1;
}

/* The occurrence of line l among identical lines of this file without a txn id (0 for a
 * line with one), its identity but the occurrence into base. -1 when out of memory. */
static int64_t occurrence_of(reader *r, const fmt_pline *l, unsigned char base[ENG_IDSET_KEY])
{
    identity(r->hash, r->layout, l, base);
    if (l->txn_id.len)
        return 0;
    int64_t k = eng_idset_add(r->seen_here, base, NULL);
    if (k < 0)
        return -1;
    if ((size_t)k >= r->cap_count) {
        size_t cap = r->cap_count ? r->cap_count * 2 : 1024;
        while (cap <= (size_t)k)
            cap *= 2;
        int64_t *g = realloc(r->count_here, cap * sizeof *g);
        if (!g)
            return -1;
        memset(g + r->cap_count, 0, (cap - r->cap_count) * sizeof *g);
        r->count_here = g;
        r->cap_count = cap;
    }
    return ++r->count_here[k];
}

/* The declared total of a payout, as a line of type payout (the transfer out of the
 * marketplace's balance, so a payout's lines add up to 0). */
static int add_declared(reader *r, const fmt_pdeclared *d, uint64_t line)
{
    fmt_pline l;
    memset(&l, 0, sizeof l);
    l.type = FMT_PT_PAYOUT;
    l.payout_id = d->payout_id;
    l.currency = d->currency;
    l.date = d->date;
    l.code = (fmt_str){"declared total", 14};
    l.txn_id = (fmt_str){"", 0};
    l.order_id = (fmt_str){"", 0};
    l.col[FMT_PL_AMOUNT] = d->col;
    l.col[FMT_PL_CURRENCY] = l.col[FMT_PL_DATE] = -1;
    /* negated: money leaving the balance for the bank */
    char neg[80];
    if (d->total.len && d->total.len < sizeof neg - 1) {
        if (d->total.p[0] == '-')
            snprintf(neg, sizeof neg, "%.*s", (int)d->total.len - 1, d->total.p + 1);
        else
            snprintf(neg, sizeof neg, "-%.*s", (int)d->total.len, d->total.p);
        l.amount = (fmt_str){neg, strlen(neg)};
    } else {
        l.amount = d->total;
    }
    unsigned char base[ENG_IDSET_KEY];
    identity(r->hash, r->layout, &l, base);
    return add_line(r, &l, line, 0, base);
}

/* Open path and find its layout and header record (the record number, from 0). The
 * refusal says why a file no layout knows is not one when its first line tells. */
static eng_rc open_payout(rc_state *rc, const char *path, fmt_source **src,
                          const fmt_payout_layout **layout, size_t *header_at, eng_err *err)
{
    const char *forced = rc->args->payout_format;
    if (forced && (strcmp(forced, "auto") == 0 || rc->forced_map))
        forced = NULL;
    ENG_TRY(fmt_source_open(path, src, err));
    const char *p;
    size_t n;
    eng_rc rc2 = fmt_source_peek(*src, 1u << 16, &p, &n, err);
    *layout = NULL;
    if (rc2 == ENG_OK) {
        *layout = detect(rc, p, n, forced, header_at);
        /* a file that is not UTF-8 is Windows-1252, as the marketplaces' EU exports are */
        if (fmt_utf8_valid_prefix(p, n) + 4 <= n)
            rc2 = fmt_source_set_encoding(
                *src, fmt_source_is_utf16(*src) ? "UTF-16" : "WINDOWS-1252", err);
    }
    if (rc2 == ENG_OK && !*layout) {
        err->path = path;
        err->line = 0;
        const char *why = unknown_why(p, n);
        if (why)
            rc2 = ENG_FAIL(err, ENG_REFUSED, "%s", why);
        else if (rc->forced_map)
            rc2 = ENG_FAIL(err, ENG_REFUSED,
                           "no header with every column the mapping %s names in the first %d "
                           "lines; check the column names in the mapping against the file's "
                           "header (case and blanks do not matter)",
                           rc->args->payout_format + 4, HEADER_WITHIN);
        else
            rc2 = ENG_FAIL(
                err, ENG_REFUSED,
                forced ? "no header of the %s layout in the first %d lines; check that the "
                         "file is a %s file, or leave out --payout-format"
                       : "%.0sno payout layout slipway knows has its header in the first "
                         "%d lines (layouts: %s); give --payout-format if the file is one "
                         "of them",
                forced ? forced : "", HEADER_WITHIN, forced ? forced : fmt_payout_layout_names());
    }
    if (rc2 != ENG_OK) {
        fmt_source_close(*src);
        *src = NULL;
    }
    return rc2;
}

/* One data record: its lines, or its exception. ENG_NOMEM only. */
static eng_rc read_record(reader *r, fmt_csv_fields *fields, fmt_pout *out, fmt_str rec,
                          uint64_t line, eng_err *err)
{
    rc_state *rc = r->rc;
    rc_input *in = r->in;
    in->rows++;
    eng_rc split = fmt_csv_split(fields, rec.p, rec.len);
    if (split == ENG_NOMEM)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", in->path);
    if (split != ENG_OK || fmt_csv_count(fields) != fmt_csv_count(r->header)) {
        /* a trailing blank line of a report is no record */
        if (split == ENG_OK && fmt_csv_count(fields) == 1 &&
            fmt_payout_cell(fmt_csv_field(fields, 0)).len == 0) {
            in->rows--;
            return ENG_OK;
        }
        in->bad_rows++;
        if (eng__rc_exception(rc, in->path, line, "", 0, ENG_CODE_MALFORMED_ROW, "",
                              "the row has %zu fields, the header has %zu (or is not "
                              "well-formed)",
                              fmt_csv_count(fields), fmt_csv_count(r->header)) != ENG_OK)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory");
        return ENG_OK;
    }
    fmt_pout_reset(out);
    if (r->layout->transform(r->bind, fields, out) != ENG_OK)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", in->path);
    if (out->skip) {
        in->rows--;
        return ENG_OK;
    }
    size_t before = rc->n_exc;
    if (out->has_declared) {
        const fmt_pdeclared *d = &out->declared;
        snprintf(r->declared_id, sizeof r->declared_id, "%.*s",
                 (int)(d->payout_id.len < 63 ? d->payout_id.len : 63), d->payout_id.p);
        snprintf(r->declared_cur, sizeof r->declared_cur, "%.*s",
                 (int)(d->currency.len < 7 ? d->currency.len : 7), d->currency.p);
        if (add_declared(r, d, line) < 0)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < out->n; i++) {
        fmt_pline *pl = &out->lines[i];
        if (!pl->currency.len && pl->payout_id.len == strlen(r->declared_id) &&
            memcmp(pl->payout_id.p, r->declared_id, pl->payout_id.len) == 0)
            pl->currency = (fmt_str){r->declared_cur, strlen(r->declared_cur)};
        unsigned char base[ENG_IDSET_KEY];
        int64_t occ = occurrence_of(r, pl, base);
        if (occ < 0 || add_line(r, pl, line, (uint32_t)occ, base) < 0)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    }
    if (rc->n_exc > before)
        in->bad_rows++;
    return ENG_OK;
}

/* max_error_rate, as for orders files: a file mostly bad is the wrong file. */
static eng_rc check_error_rate(rc_state *rc, const rc_input *in, const fmt_payout_layout *layout,
                               const char *path, eng_err *err)
{
    if (!in->rows || in->bad_rows * 1000000 <= (uint64_t)rc->policy.max_error_rate_ppm * in->rows)
        return ENG_OK;
    const rc_exc *first = NULL; /* this file's first, to say what is wrong */
    for (size_t i = 0; i < rc->n_exc; i++)
        if (!strcmp(eng__rc_text(rc, rc->exc[i].source), in->path) &&
            (!first || rc->exc[i].line < first->line))
            first = &rc->exc[i];
    err->path = path; /* the argument: it outlives the state the error is printed after */
    err->line = first ? first->line : 0;
    return ENG_FAIL(err, ENG_REFUSED,
                    "%llu of %llu rows could not be read, over max_error_rate (%lld.%02lld%%): "
                    "is it a %s file? The first, %s: %s",
                    (unsigned long long)in->bad_rows, (unsigned long long)in->rows,
                    (long long)(rc->policy.max_error_rate_ppm / 10000),
                    (long long)(rc->policy.max_error_rate_ppm % 10000 / 100), layout->name,
                    first ? eng_code_name((eng_code)first->code) : "", first ? first->message : "");
}

static eng_rc read_file(rc_state *rc, const char *path, eng_err *err)
{
    rc_input *in = eng__rc_input(rc, path, "payouts");
    if (!in)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    fmt_source *src = NULL;
    const fmt_payout_layout *layout;
    size_t header_at = 0;
    ENG_TRY(open_payout(rc, path, &src, &layout, &header_at, err));
    in->format = layout->name;
    fmt_chunker *ch = fmt_chunker_new(src, layout->dialect, 1u << 20);
    fmt_csv_fields *header = fmt_csv_fields_new(layout->dialect),
                   *fields = fmt_csv_fields_new(layout->dialect);
    reader r = {.rc = rc,
                .in = in,
                .layout = layout,
                .header = header,
                .seen_here = eng_idset_new(),
                .hash = fmt_sha256_new(),
                .channel = layout->channel,
                .prefix = layout->order_prefix ? layout->order_prefix : ""};
    const char *channel = fmt_policy_layout_text(rc->policy.payout_channel,
                                                 rc->policy.n_payout_channel, layout->name),
               *pre = fmt_policy_layout_text(rc->policy.order_prefix, rc->policy.n_order_prefix,
                                             layout->name);
    if (channel)
        r.channel = channel;
    if (pre)
        r.prefix = pre;
    r.layout_id = eng__rc_intern(rc, layout->name, strlen(layout->name));
    r.channel_id = eng__rc_intern(rc, r.channel, strlen(r.channel));
    r.source_id = eng__rc_intern(rc, path, strlen(path));
    r.last_cur = -1;
    r.order.order = RC_NONE;
    fmt_pout out;
    int out_ok = fmt_pout_init(&out) == ENG_OK;
    eng_rc rc2 = ENG_OK;
    if (!ch || !header || !fields || !r.seen_here || !r.hash || !out_ok || r.layout_id == RC_NONE ||
        r.channel_id == RC_NONE || r.source_id == RC_NONE)
        rc2 = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", path);
    fmt_chunk *chunk = NULL;
    fmt_csv_iter it;
    size_t record = 0;
    int bound = 0;
    while (rc2 == ENG_OK) {
        fmt_str rec;
        uint64_t line;
        if (!chunk || !fmt_csv_iter_next(&it, &rec, &line) ||
            (chunk->ends_inside_quotes && !it.complete)) {
            fmt_chunk_free(chunk);
            chunk = NULL;
            if ((rc2 = fmt_chunker_next(ch, &chunk, err)) != ENG_OK || !chunk)
                break;
            fmt_csv_iter_init(&it, chunk->data + chunk->start, chunk->len - chunk->start,
                              chunk->first_line, layout->dialect);
            continue;
        }
        if (record++ < header_at)
            continue; /* the preamble */
        if (bound) {
            rc2 = read_record(&r, fields, &out, rec, line, err);
            continue;
        }
        err->path = path;
        err->line = line;
        if (fmt_csv_split(header, rec.p, rec.len) != ENG_OK)
            rc2 = ENG_FAIL(err, ENG_REFUSED, "the %s header is not well-formed", layout->name);
        else
            rc2 = layout->bind(layout, header, &r.bind, err);
        bound = 1;
    }
    if (rc2 == ENG_OK && !bound) {
        err->path = path;
        rc2 = ENG_FAIL(err, ENG_REFUSED, "the file ends before its %s header", layout->name);
    }
    if (rc2 == ENG_OK) {
        fmt_source_sha256(src, in->sha256);
        in->bytes = fmt_source_raw_bytes(src);
        eng_progress_add(rc->progress, in->bytes, in->rows);
        eng_progress_file_done(rc->progress);
    }
    fmt_chunk_free(chunk);
    fmt_pout_release(&out);
    if (r.bind)
        layout->unbind(r.bind);
    eng_idset_free(r.seen_here);
    free(r.count_here);
    fmt_sha256_free(r.hash);
    fmt_csv_fields_free(header);
    fmt_csv_fields_free(fields);
    fmt_chunker_free(ch);
    fmt_source_close(src);
    return rc2 == ENG_OK ? check_error_rate(rc, in, layout, path, err) : rc2;
}

eng_rc eng__rc_read_payouts(rc_state *rc, eng_err *err)
{
    for (size_t i = 0; i < rc->args->n_payouts; i++)
        ENG_TRY(read_file(rc, rc->args->payouts[i], err));
    return ENG_OK;
}
