/* The expected side: slipway's own earlier outputs, given with --history as run or
 * reconcile folders or as the files themselves.
 *
 *   slips.csv           what shipped, per (channel, order id, currency), and when first
 *   returns_ledger.csv  what was refunded (approved rows), and the night it was
 *   order_totals.csv    shipping, tax, discount and the order's status (the latest night)
 *   payout_lines.csv    every payout line an earlier reconcile read (counted once)
 *
 * A folder's night is its manifest's run_date. Each slip row (slip number and line) and
 * each approved ledger row (return number) counts once however often it is given, so a
 * folder and a copy of its slips may both be named. Ledgers are read first: the return
 * numbers they approve are the order ids of exchange replacement slips, which are not
 * sales. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../formats/buf.h"
#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../../formats/json.h"
#include "../../formats/source.h"
#include "../../formats/table.h"
#include "../base/progress.h"
#include "rc_int.h"

typedef enum kind { K_SLIPS, K_LEDGER, K_TOTALS, K_LINES, K_COUNT, K_UNKNOWN } kind;

static const char *const kind_file[K_COUNT] = {"slips.csv", "returns_ledger.csv",
                                               "order_totals.csv", "payout_lines.csv"};
static const char *const kind_role[K_COUNT] = {"slips", "returns_ledger", "order_totals",
                                               "payout_lines"};

/* One file to read, and its night (RC_NO_DAY for a bare file). */
typedef struct hfile {
    char *path;
    kind k;
    int32_t night;
} hfile;

enum { SL_SLIP, SL_ORDER, SL_CHANNEL, SL_LINE_NO, SL_AMOUNT, SL_CURRENCY, SL_DATE, SL_N };
static const fmt_column slip_cols[SL_N] = {{"slip_no", 1},  {"order_id", 1},    {"channel", 1},
                                           {"line_no", 1},  {"line_amount", 1}, {"currency", 1},
                                           {"ship_date", 1}};
enum { LG_RETURN_NO, LG_ORDER, LG_DECISION, LG_REFUND, LG_CURRENCY, LG_CHANNEL, LG_N };
static const fmt_column ledger_cols[LG_N] = {{"return_no", 1},     {"order_id", 1}, {"decision", 1},
                                             {"refund_amount", 1}, {"currency", 1}, {"channel", 0}};
enum {
    OT_ORDER,
    OT_CHANNEL,
    OT_CURRENCY,
    OT_ITEMS,
    OT_SHIPPING,
    OT_TAX,
    OT_DISCOUNT,
    OT_TOTAL,
    OT_STATUS,
    OT_DATE,
    OT_N
};
static const fmt_column totals_cols[OT_N] = {
    {"order_id", 1}, {"channel", 1},  {"currency", 1},    {"items", 1},  {"shipping", 1},
    {"tax", 1},      {"discount", 1}, {"order_total", 1}, {"status", 1}, {"ship_date", 1}};
enum {
    PL_ID,
    PL_LAYOUT,
    PL_CHANNEL,
    PL_PAYOUT,
    PL_TXN,
    PL_OCC,
    PL_ORDER,
    PL_CURRENCY,
    PL_TYPE,
    PL_AMOUNT,
    PL_DATE,
    PL_CODE,
    PL_SOURCE,
    PL_LINE,
    PL_N
};
static const fmt_column line_cols[PL_N] = {
    {"line_id", 1},    {"layout", 1},   {"channel", 1},  {"payout_id", 1}, {"transaction_id", 1},
    {"occurrence", 1}, {"order_id", 1}, {"currency", 1}, {"type", 1},      {"amount", 1},
    {"date", 1},       {"code", 1},     {"source", 1},   {"line", 1}};

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The run_date (a run's manifest) or as_of (a reconcile's) of a folder, RC_NO_DAY when it
 * has neither. */
static int32_t folder_night(const char *dir)
{
    char *path = join(dir, "manifest.json");
    fmt_buf text;
    fmt_buf_init(&text);
    eng_err err = {0};
    int32_t day = RC_NO_DAY;
    if (path && fmt_source_slurp(path, 1u << 24, "manifest", &text, NULL, &err) == ENG_OK) {
        fmt_json_value *v = NULL;
        char why[100];
        if (fmt_json_parse(text.p, text.len, &v, why, sizeof why) == 0) {
            const char *d = fmt_json_member_str(v, "run_date");
            if (!d)
                d = fmt_json_member_str(v, "as_of");
            int32_t parsed;
            if (d && fmt_isodate_parse(d, strlen(d), &parsed) == 0)
                day = parsed;
            fmt_json_value_free(v);
        }
    }
    fmt_buf_release(&text);
    free(path);
    return day;
}

/* The kind of a file by its header. */
static eng_rc file_kind(const char *path, kind *k, eng_err *err)
{
    static const fmt_column probe[] = {{"slip_no", 0},  {"request_id", 0},  {"decision", 0},
                                       {"items", 0},    {"order_total", 0}, {"line_id", 0},
                                       {"payout_id", 0}};
    fmt_table *t;
    ENG_TRY(fmt_table_open(path, probe, sizeof probe / sizeof *probe, "history", &t, err));
    if (fmt_table_has(t, 5) && fmt_table_has(t, 6))
        *k = K_LINES;
    else if (fmt_table_has(t, 0))
        *k = K_SLIPS;
    else if (fmt_table_has(t, 1) && fmt_table_has(t, 2))
        *k = K_LEDGER;
    else if (fmt_table_has(t, 3) && fmt_table_has(t, 4))
        *k = K_TOTALS;
    else
        *k = K_UNKNOWN;
    fmt_table_close(t);
    return ENG_OK;
}

static eng_rc add_file(hfile **files, size_t *n, const char *path, kind k, int32_t night)
{
    hfile *g = realloc(*files, (*n + 1) * sizeof *g);
    if (!g)
        return ENG_NOMEM;
    *files = g;
    g[*n].path = strdup(path);
    g[*n].k = k;
    g[*n].night = night;
    if (!g[*n].path)
        return ENG_NOMEM;
    (*n)++;
    return ENG_OK;
}

/* Every file the --history arguments name, in order. */
static eng_rc list_files(rc_state *rc, hfile **files, size_t *n, eng_err *err)
{
    for (size_t i = 0; i < rc->args->n_history; i++) {
        const char *arg = rc->args->history[i];
        struct stat st;
        if (stat(arg, &st) != 0) {
            err->path = arg;
            return ENG_FAIL(err, ENG_REFUSED,
                            "--history %s cannot be read: no such file or folder; give a "
                            "slipway run or reconcile folder, or its slips.csv, "
                            "returns_ledger.csv, order_totals.csv or payout_lines.csv",
                            arg);
        }
        if (S_ISDIR(st.st_mode)) {
            int32_t night = folder_night(arg);
            size_t found = 0;
            for (int k = 0; k < K_COUNT; k++) {
                char name[40];
                for (int z = 0; z < 2; z++) {
                    snprintf(name, sizeof name, "%s%s", kind_file[k], z ? ".zst" : "");
                    char *path = join(arg, name);
                    if (!path)
                        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
                    eng_rc rc2 = is_file(path) ? add_file(files, n, path, (kind)k, night) : ENG_OK;
                    found += is_file(path);
                    free(path);
                    if (rc2 != ENG_OK)
                        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
                }
            }
            if (!found) {
                err->path = arg;
                return ENG_FAIL(err, ENG_REFUSED,
                                "--history %s is a folder without slips.csv, "
                                "returns_ledger.csv, order_totals.csv or payout_lines.csv: "
                                "give slipway run or reconcile output folders",
                                arg);
            }
            continue;
        }
        kind k;
        ENG_TRY(file_kind(arg, &k, err));
        if (k == K_UNKNOWN) {
            err->path = arg;
            err->line = 1;
            return ENG_FAIL(err, ENG_REFUSED,
                            "--history %s is not a slips.csv, returns_ledger.csv, "
                            "order_totals.csv or payout_lines.csv of slipway (its header has "
                            "none of slip_no, request_id and decision, items and order_total, "
                            "line_id and payout_id)",
                            arg);
        }
        if (add_file(files, n, arg, k, RC_NO_DAY) != ENG_OK)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    }
    return ENG_OK;
}

static fmt_str cell(const fmt_table *t, size_t k)
{
    return fmt_table_has(t, k) ? fmt_csv_unguard(fmt_table_get(t, k)) : (fmt_str){"", 0};
}

/* A money cell of a history row in minor units; a row whose amount cannot be read is
 * named and skipped. 1 read, 0 skipped, -1 out of memory. */
static int money(rc_state *rc, const fmt_table *t, const char *path, size_t k, const char *col,
                 int cur, fmt_str record, int64_t *out)
{
    fmt_str v = cell(t, k);
    *out = 0;
    if (v.len == 0)
        return 1;
    if (eng__rc_minor(v.p, v.len, cur, out) == 0)
        return 1;
    return eng__rc_exception(rc, path, fmt_table_line(t), record.p, record.len, ENG_CODE_BAD_NUMBER,
                             col, "%s \"%.*s\" is not an amount in the row's currency", col,
                             (int)(v.len > 40 ? 40 : v.len), v.p) == ENG_OK
               ? 0
               : -1;
}

static int32_t day_of(fmt_str v)
{
    int32_t d;
    return v.len == 10 && fmt_isodate_parse(v.p, 10, &d) == 0 ? d : RC_NO_DAY;
}

static eng_rc read_ledger(rc_state *rc, const hfile *f, rc_input *in, fmt_table *t, eng_err *err)
{
    rc_ocache order = {RC_NONE};
    while (1) {
        int got = fmt_table_next(t, err);
        if (got < 0)
            return err->rc;
        if (got == 0)
            return ENG_OK;
        in->rows++;
        fmt_str no = cell(t, LG_RETURN_NO), id = cell(t, LG_ORDER), cur = cell(t, LG_CURRENCY);
        if (!fmt_table_row_ok(t) || no.len == 0 ||
            !fmt_header_name_eq(cell(t, LG_DECISION), "APPROVED"))
            continue; /* a rejected request refunds nothing */
        /* return numbers restart per run as slip numbers do: the row is the same only
         * with the same order too */
        char key[512];
        int klen = snprintf(key, sizeof key, "%.*s\x1f%.*s", (int)(no.len > 200 ? 200 : no.len),
                            no.p, (int)(id.len > 300 ? 300 : id.len), id.p);
        int added = 0;
        if (eng_vmap_add(rc->return_nos, no.p, no.len, NULL) < 0 ||
            eng_vmap_add(rc->ledger_keys, key, (size_t)klen, &added) < 0)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory");
        if (!added)
            continue; /* a repeat: counted once */
        fmt_str ch = cell(t, LG_CHANNEL);
        uint32_t o = eng__rc_order_cached(rc, &order, ch.p, ch.len, id.p, id.len, cur.p, cur.len);
        if (o == RC_NONE)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory");
        int64_t refund;
        int m = money(rc, t, f->path, LG_REFUND, "refund_amount", rc->orders[o].cur, id, &refund);
        if (m < 0)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory");
        if (!m) {
            in->bad_rows++;
            continue;
        }
        rc_order *x = &rc->orders[o];
        eng__rc_known(rc, o);
        x->ledger += refund;
        x->ledger_rows++;
        int32_t night = f->night != RC_NO_DAY ? f->night : rc->args->as_of;
        if (refund && (x->ledger_day == RC_NO_DAY || night < x->ledger_day))
            x->ledger_day = night;
    }
}

static eng_rc read_slips(rc_state *rc, const hfile *f, rc_input *in, fmt_table *t, eng_err *err)
{
    fmt_buf key;
    fmt_buf_init(&key);
    rc_ocache order = {RC_NONE};
    eng_rc out = ENG_OK;
    while (out == ENG_OK) {
        int got = fmt_table_next(t, err);
        if (got <= 0) {
            out = got < 0 ? err->rc : ENG_OK;
            break;
        }
        in->rows++;
        if (!fmt_table_row_ok(t))
            continue;
        fmt_str id = cell(t, SL_ORDER), cur = cell(t, SL_CURRENCY), ch = cell(t, SL_CHANNEL);
        /* An exchange replacement is no sale: its order id is a return number, of a
         * ledger given or (slipway's own RMA-... numbering, at 0.00) of one not given. */
        fmt_str amount_text = cell(t, SL_AMOUNT);
        if (eng_vmap_find(rc->return_nos, id.p, id.len) >= 0 ||
            (id.len > 4 && memcmp(id.p, "RMA-", 4) == 0 && amount_text.len == 4 &&
             memcmp(amount_text.p, "0.00", 4) == 0))
            continue;
        uint32_t o = eng__rc_order_cached(rc, &order, ch.p, ch.len, id.p, id.len, cur.p, cur.len);
        if (o == RC_NONE) {
            out = ENG_FAIL(err, ENG_NOMEM, "out of memory");
            break;
        }
        /* Two runs of one date number their slips from 1 alike (README "Outputs"): a row is
         * the same row only with the same order (channel, id, currency) and line too. */
        key.len = 0;
        fmt_str no = cell(t, SL_SLIP), line = cell(t, SL_LINE_NO);
        fmt_buf_put(&key, no.p, no.len);
        fmt_buf_putc(&key, ENG_VMAP_SEP);
        fmt_buf_put(&key, line.p, line.len);
        int seen = key.failed ? -1 : eng__rc_slip_seen(rc, o, key.p, key.len);
        if (seen < 0) {
            out = ENG_FAIL(err, ENG_NOMEM, "out of memory");
            break;
        }
        if (seen)
            continue; /* a repeat: counted once */
        int64_t amount;
        int m = money(rc, t, f->path, SL_AMOUNT, "line_amount", rc->orders[o].cur, id, &amount);
        if (m < 0) {
            out = ENG_FAIL(err, ENG_NOMEM, "out of memory");
            break;
        }
        if (!m) {
            in->bad_rows++;
            continue;
        }
        rc_order *x = &rc->orders[o];
        eng__rc_known(rc, o);
        x->shipped += amount;
        x->slip_lines++;
        rc->slip_rows++;
        int32_t day = day_of(cell(t, SL_DATE));
        if (day != RC_NO_DAY && (rc->last_night == RC_NO_DAY || day > rc->last_night))
            rc->last_night = day;
        if (day != RC_NO_DAY && (x->first_ship == RC_NO_DAY || day < x->first_ship))
            x->first_ship = day;
        else if (day == RC_NO_DAY && x->first_ship == RC_NO_DAY)
            x->first_ship = f->night != RC_NO_DAY ? f->night : rc->args->as_of;
    }
    fmt_buf_release(&key);
    return out;
}

static eng_rc read_totals(rc_state *rc, const hfile *f, rc_input *in, fmt_table *t, eng_err *err)
{
    static const size_t amount_col[RC_AMOUNTS] = {OT_ITEMS, OT_SHIPPING, OT_TAX, OT_DISCOUNT,
                                                  OT_TOTAL};
    static const char *const amount_name[RC_AMOUNTS] = {"items", "shipping", "tax", "discount",
                                                        "order_total"};
    rc_ocache order = {RC_NONE};
    rc_icache statuses = {{0}};
    while (1) {
        int got = fmt_table_next(t, err);
        if (got < 0)
            return err->rc;
        if (got == 0)
            return ENG_OK;
        in->rows++;
        if (!fmt_table_row_ok(t))
            continue;
        fmt_str id = cell(t, OT_ORDER), cur = cell(t, OT_CURRENCY), ch = cell(t, OT_CHANNEL);
        uint32_t o = eng__rc_order_cached(rc, &order, ch.p, ch.len, id.p, id.len, cur.p, cur.len);
        if (o == RC_NONE)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory");
        int32_t day = day_of(cell(t, OT_DATE));
        if (day == RC_NO_DAY)
            day = f->night != RC_NO_DAY ? f->night : 0;
        rc_order *x = &rc->orders[o];
        if (x->totals_day != RC_NO_DAY && day < x->totals_day)
            continue; /* an older night's row: the latest says how the order stands */
        int64_t v[RC_AMOUNTS];
        unsigned known = 0;
        int ok = 1;
        for (int a = 0; a < RC_AMOUNTS && ok; a++) {
            int m = money(rc, t, f->path, amount_col[a], amount_name[a], x->cur, id, &v[a]);
            if (m < 0)
                return ENG_FAIL(err, ENG_NOMEM, "out of memory");
            ok = m;
            if (cell(t, amount_col[a]).len)
                known |= 1u << a;
        }
        if (!ok) {
            in->bad_rows++;
            continue;
        }
        x = &rc->orders[o];
        eng__rc_known(rc, o);
        x->totals_day = day;
        memcpy(x->amount, v, sizeof v);
        x->known = known;
        fmt_str st = cell(t, OT_STATUS);
        if ((x->status = eng__rc_intern_cached(rc, &statuses, st.p, st.len)) == RC_NONE)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    }
}

/* An earlier reconcile's payout lines: each identity once, as read then. */
static eng_rc read_lines(rc_state *rc, const hfile *f, rc_input *in, fmt_table *t, eng_err *err)
{
    rc_icache texts = {{0}};
    rc_ocache order = {RC_NONE};
    while (1) {
        int got = fmt_table_next(t, err);
        if (got < 0)
            return err->rc;
        if (got == 0)
            return ENG_OK;
        in->rows++;
        if (!fmt_table_row_ok(t))
            continue;
        fmt_str id = cell(t, PL_ID), type = cell(t, PL_TYPE), cur = cell(t, PL_CURRENCY);
        int ty = fmt_ptype_find(type.p, type.len);
        int c = fmt_currency_find(cur.p, cur.len);
        int64_t amount, occ = 0, line = 0;
        unsigned char digest[ENG_IDSET_KEY];
        fmt_str a = cell(t, PL_AMOUNT), o = cell(t, PL_OCC), l = cell(t, PL_LINE);
        if (eng__rc_unhex(id.p, id.len, digest) != 0 || ty < 0 || c < 0 ||
            eng__rc_minor(a.p, a.len, c, &amount) != 0 ||
            (o.len && fmt_int_parse(o.p, o.len, &occ) != FMT_NUM_OK) ||
            (l.len && fmt_int_parse(l.p, l.len, &line) != FMT_NUM_OK)) {
            in->bad_rows++;
            ENG_TRY(eng__rc_exception(rc, f->path, fmt_table_line(t), id.p, id.len,
                                      ENG_CODE_BAD_VALUE, "line_id",
                                      "not a payout line slipway wrote (line_id, type, currency "
                                      "or amount unreadable); the line is left out"));
            continue;
        }
        int added = 0;
        if (eng_idset_add(rc->line_ids, digest, &added) < 0)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory");
        if (!added) {
            in->duplicate_lines++;
            continue;
        }
        rc_line *ln = eng__rc_new_line(rc);
        if (!ln)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory");
        memcpy(ln->id, digest, sizeof ln->id);
        fmt_str v;
        v = cell(t, PL_LAYOUT), ln->layout = eng__rc_intern_cached(rc, &texts, v.p, v.len);
        v = cell(t, PL_CHANNEL), ln->channel = eng__rc_intern_cached(rc, &texts, v.p, v.len);
        v = cell(t, PL_PAYOUT), ln->payout = eng__rc_intern_cached(rc, &texts, v.p, v.len);
        v = cell(t, PL_TXN);
        ln->txn = v.len ? eng_arena_strndup(rc->line_text, v.p, v.len) : "";
        ln->currency = eng__rc_intern_cached(rc, &texts, cur.p, cur.len);
        v = cell(t, PL_CODE), ln->code = eng__rc_intern_cached(rc, &texts, v.p, v.len);
        v = cell(t, PL_SOURCE), ln->source = eng__rc_intern_cached(rc, &texts, v.p, v.len);
        ln->occurrence = (uint32_t)occ;
        ln->line = (uint64_t)line;
        ln->amount = amount;
        ln->cur = (int16_t)c;
        ln->day = day_of(cell(t, PL_DATE));
        ln->type = (uint8_t)ty;
        v = cell(t, PL_ORDER);
        if (ln->layout == RC_NONE || ln->channel == RC_NONE || ln->payout == RC_NONE || !ln->txn ||
            ln->currency == RC_NONE || ln->code == RC_NONE || ln->source == RC_NONE ||
            eng__rc_attach(rc, &order, ln, v.p, v.len) != 0)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory");
        in->lines++;
    }
}

static eng_rc read_one(rc_state *rc, const hfile *f, eng_err *err)
{
    static const fmt_column *const cols[K_COUNT] = {slip_cols, ledger_cols, totals_cols, line_cols};
    static const size_t n_cols[K_COUNT] = {SL_N, LG_N, OT_N, PL_N};
    rc_input *in = eng__rc_input(rc, f->path, kind_role[f->k]);
    if (!in)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    fmt_table *t;
    ENG_TRY(fmt_table_open(f->path, cols[f->k], n_cols[f->k], kind_role[f->k], &t, err));
    eng_rc r;
    switch (f->k) {
    case K_SLIPS:
        r = read_slips(rc, f, in, t, err);
        break;
    case K_LEDGER:
        r = read_ledger(rc, f, in, t, err);
        break;
    case K_TOTALS:
        r = read_totals(rc, f, in, t, err);
        break;
    default:
        r = read_lines(rc, f, in, t, err);
        break;
    }
    if (r == ENG_OK)
        fmt_table_digest(t, in->sha256, &in->bytes);
    fmt_table_close(t);
    eng_progress_file_done(rc->progress);
    return r;
}

eng_rc eng__rc_read_history(rc_state *rc, eng_err *err)
{
    hfile *files = NULL;
    size_t n = 0;
    eng_rc r = list_files(rc, &files, &n, err);
    eng_progress_stage(rc->progress, "reading history", 0, n);
    /* Ledgers first (their return numbers are exchange slips' order ids), then the rest
     * in the order given. */
    for (int pass = 0; pass < 2 && r == ENG_OK; pass++)
        for (size_t i = 0; i < n && r == ENG_OK; i++)
            if ((files[i].k == K_LEDGER) == (pass == 0))
                r = read_one(rc, &files[i], err);
    if (r != ENG_OK && err->path) {
        /* the message is printed after these paths are freed: keep its own copy */
        uint32_t id = eng__rc_intern(rc, err->path, strlen(err->path));
        err->path = id == RC_NONE ? NULL : eng__rc_text(rc, id);
    }
    for (size_t i = 0; i < n; i++)
        free(files[i].path);
    free(files);
    return r;
}
