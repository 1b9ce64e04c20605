/* Tonight's orders, read again from the --orders files, and invariant 3.
 *
 * The files are read record by record through the formats/ layouts (the same readers
 * the run uses, which are pure: record in, canonical rows out), so a row's values are
 * what the run saw. From the rows verify builds its own model of the night's orders, by
 * README "How order rows are read", independently of the engine's order code:
 *
 *   - an order is all rows of one file sharing an order id; a row repeating another of
 *     it field for field (DUPLICATE_ROW, record_fields) counts once, a row that a later row of the
 * same marketplace line replaces (SUPERSEDED_ROW) not at all, a summary row is no line;
 *   - each order-level value is the first non-blank one of its rows (text that is not
 *     valid UTF-8 shown escaped, as the outputs show it);
 *   - a line's amount is its stated total, else qty x unit price; the unit price of a
 *     stated total is total / qty rounded half up;
 *   - the same (channel, order id) in several files: one copy goes on, by the README's
 *     rules of "Copies of an order" (which_copy), the others are set aside;
 *   - an order is rejected when exceptions.csv names a rejecting code (any order code
 *     but DUPLICATE_ROW and SUPERSEDED_ROW, and BAD_VALUE) on one of its rows (by source
 *     and line).
 *
 * Invariant 3 itself: every order read has exactly one status row (an id read from k
 * files has k), no status row names an id no file holds, and every row without an order
 * id is named in exceptions.csv. */
#include <assert.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/chunker.h"
#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../../formats/layout.h"
#include "../../formats/mapping.h"
#include "../../formats/num.h"
#include "../../formats/sha256.h"
#include "../../formats/source.h"
#include "../../formats/utf8.h"
#include "../core/arena.h"
#include "../base/text.h"
#include "verify_int.h"

/* ---- invariant 3's tally, by order id as the run shows it ---- */

typedef struct order_seen {
    int64_t status_rows;
    uint64_t status_line[2];
    int64_t files; /* how many orders files hold the id */
    int64_t aside; /* of those orders, copies set aside: they have no status row */
    int64_t last_file;
    int64_t first_file;
    uint64_t first_line;
} order_seen;

/* ---- rows, as read, until they are grouped into orders ---- */

enum {
    VR_QTY_OK = 1,
    VR_PRICE_OK = 2,
    VR_LINE_TOTAL = 4,
    VR_HEAD_ONLY = 8,
    VR_MALFORMED = 16, /* the record could not be read: a line with nothing readable */
    VR_DUP = 32,
    VR_SUPERSEDED = 64,
};

typedef struct vrow {
    uint64_t line;
    int64_t qty;        /* with VR_QTY_OK */
    int64_t open_qty;   /* -1 when blank or unreadable */
    int64_t updated_ns; /* with an item key: the latest row of a marketplace line wins */
    fmt_dec price;      /* with VR_PRICE_OK: unit price, or the line total */
    uint32_t order;     /* id in v->order_keys */
    uint32_t file;
    uint32_t head;    /* the row's order-level values: id in ctx.row_heads, ENG_VNONE none */
    uint32_t sku;     /* id in v->skus, ENG_VNONE when blank */
    uint32_t key;     /* marketplace line id: id in ctx.item_keys, ENG_VNONE none */
    uint32_t rec_len; /* with digest: the record's fields (its bytes when malformed) */
    unsigned char digest[16];
    uint8_t flags; /* VR_* */
    uint8_t order_state;
    uint8_t line_state;
} vrow;

/* A row at a (source, line) that exceptions.csv names: which order, how many rows. */
typedef struct exc_link {
    uint32_t named; /* id in ctx.named */
    uint32_t order;
    uint32_t rows;
} exc_link;

typedef struct ctx {
    eng_vrun *v;
    eng_vmap *ids;
    order_seen *seen;
    size_t cap;
    eng_vmap *named;      /* "source\x1fline" of exceptions.csv */
    int64_t *named_first; /* by named id: its first exceptions.csv row; exc_next chains */
    int64_t *exc_next;
    size_t cap_named;
    vrow *rows;
    size_t n_rows, cap_rows;
    exc_link *links;
    size_t n_links, cap_links;
    eng_vmap *row_heads;
    eng_vmap *item_keys;
    eng_arena *mem;
    fmt_buf key;
    fmt_sha256 *sha;
    fmt_buf record; /* a record's fields as DUPLICATE_ROW compares them */
    uint64_t data_rows;
    uint64_t unnamed;
    int incomplete; /* an orders file could not be read */
    /* the previous row's order and head, which the next row usually shares */
    fmt_buf last_id;
    size_t last_file;
    int last_escaped;
    int64_t last_seen, last_order;
    fmt_buf last_head;
    uint32_t last_head_id;
} ctx;

/* README "How order rows are read": two rows are the same record when every field,
 * ignored columns included, is equal after CSV unquoting and trimming of blanks (space,
 * tab). The fields, each with its 8-byte length, into b; {NULL, 0} when out of memory. */
static fmt_str record_fields(fmt_buf *b, const fmt_csv_fields *fields)
{
    b->len = 0;
    for (size_t i = 0; i < fmt_csv_count(fields); i++) {
        fmt_str f = fmt_csv_field(fields, i);
        size_t from = 0, to = f.len;
        while (from < to && (f.p[from] == ' ' || f.p[from] == '\t'))
            from++;
        while (to > from && (f.p[to - 1] == ' ' || f.p[to - 1] == '\t'))
            to--;
        uint64_t n = to - from;
        fmt_buf_put(b, &n, sizeof n);
        fmt_buf_put(b, f.p + from, n);
    }
    return b->failed ? (fmt_str){NULL, 0} : (fmt_str){b->p ? b->p : "", b->len};
}

static int64_t id_of(ctx *c, const char *id, size_t len)
{
    int added;
    int64_t k = eng_vmap_add(c->ids, id, len, &added);
    if (k < 0)
        return -1;
    order_seen *s = eng__verify_fit(c->seen, &c->cap, (size_t)k, sizeof *s, 1024);
    if (!s)
        return -1;
    c->seen = s;
    if (added)
        c->seen[k].last_file = -1;
    return k;
}

static int is_status(const char *s)
{
    static const char *const known[] = {
        "SHIPPED",           "PARTIAL",           "BACKORDERED",      "REJECTED",
        "ORDER_CANCELLED",   "ALREADY_FULFILLED", "AWAITING_PAYMENT", "FULFILLED_BY_MARKETPLACE",
        "NO_SHIPPING_NEEDED"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(s, known[i]) == 0)
            return 1;
    return 0;
}

/* The order-level columns, in canonical order: the fields of a head. */
static const fmt_col head_cols[] = {
    FMT_COL_ORDER_TIME,  FMT_COL_CURRENCY,    FMT_COL_CHANNEL,      FMT_COL_PRIORITY,
    FMT_COL_CUSTOMER_ID, FMT_COL_SHIP_NAME,   FMT_COL_SHIP_STREET,  FMT_COL_SHIP_CITY,
    FMT_COL_SHIP_REGION, FMT_COL_SHIP_POSTAL, FMT_COL_SHIP_COUNTRY, FMT_COL_SHIP_SERVICE,
    FMT_COL_ORDER_TOTAL, FMT_COL_SHIPPING,    FMT_COL_TAX,          FMT_COL_DISCOUNT,
};
#define N_HEAD (sizeof head_cols / sizeof *head_cols)

static int head_field(fmt_col c)
{
    for (size_t i = 0; i < N_HEAD; i++)
        if (head_cols[i] == c)
            return (int)i;
    return -1;
}

/* A row's head as a key of row_heads: per field its length (4 bytes) and bytes. */
static int row_head(ctx *c, const fmt_out_row *row, uint32_t *out)
{
    int any = 0;
    c->key.len = 0;
    for (size_t i = 0; i < N_HEAD; i++) {
        fmt_str s = row->v[head_cols[i]];
        uint32_t n = (uint32_t)s.len;
        any |= n > 0;
        fmt_buf_put(&c->key, &n, sizeof n);
        fmt_buf_put(&c->key, s.p, s.len);
    }
    if (c->key.failed)
        return -1;
    if (!any) {
        *out = ENG_VNONE;
        return 0;
    }
    if (c->last_head_id != ENG_VNONE && c->last_head.len == c->key.len &&
        memcmp(c->last_head.p, c->key.p, c->key.len) == 0) {
        *out = c->last_head_id;
        return 0;
    }
    int64_t id = eng_vmap_add(c->row_heads, c->key.p, c->key.len, NULL);
    if (id < 0)
        return -1;
    c->last_head.len = 0;
    fmt_buf_put(&c->last_head, c->key.p, c->key.len);
    if (c->last_head.failed)
        return -1;
    c->last_head_id = (uint32_t)id;
    *out = (uint32_t)id;
    return 0;
}

/* The row's order: file f, escaped flag and the id as shown. */
static int64_t order_of(ctx *c, size_t f, int escaped, const char *shown, size_t len)
{
    uint32_t file = (uint32_t)f;
    unsigned char esc = (unsigned char)escaped;
    c->key.len = 0;
    fmt_buf_put(&c->key, &file, sizeof file);
    fmt_buf_put(&c->key, &esc, 1);
    fmt_buf_put(&c->key, shown, len);
    if (c->key.failed)
        return -1;
    return eng_vmap_add(c->v->order_keys, c->key.p, c->key.len, NULL);
}

static int add_link(ctx *c, int64_t named, uint32_t order)
{
    if (c->n_links && c->links[c->n_links - 1].named == (uint32_t)named &&
        c->links[c->n_links - 1].order == order) {
        c->links[c->n_links - 1].rows++;
        return 0;
    }
    exc_link *l = eng__verify_fit(c->links, &c->cap_links, c->n_links, sizeof *l, 256);
    if (!l)
        return -1;
    c->links = l;
    c->links[c->n_links++] = (exc_link){(uint32_t)named, order, 1};
    return 0;
}

/* One canonical row of file f at line (row NULL: a record that could not be read), the
 * index-th row its record gave. */
static int take_row(ctx *c, size_t f, const char *source, uint64_t line, fmt_str id,
                    const fmt_out_row *row, int index, const char *rec, size_t rec_len)
{
    eng_vrun *v = c->v;
    c->data_rows++;
    char text[32];
    snprintf(text, sizeof text, "%llu", (unsigned long long)line);
    if (eng__verify_key(&c->key, source, text, NULL) != 0)
        return -1;
    int64_t named = eng_vmap_find(c->named, c->key.p, c->key.len);
    if (id.len == 0) {
        if (named < 0) {
            c->unnamed++;
            eng_vreport_broken(c->v->report, 3,
                               "%s:%llu: the row has no order id and is not in exceptions.csv",
                               source, (unsigned long long)line);
        }
        return 0;
    }
    size_t len = id.len;
    const char *shown = id.p;
    int escaped = fmt_utf8_valid_prefix(id.p, id.len) != id.len;
    if (escaped) {
        shown = eng_text_sanitize(c->mem, id.p, id.len, &len);
        if (!shown)
            return -1;
    }
    /* Rows of one order mostly follow each other: the previous row's order, no lookup. */
    int64_t k, o;
    if (c->last_order >= 0 && c->last_file == f && c->last_escaped == escaped &&
        c->last_id.len == len && memcmp(c->last_id.p, shown, len) == 0) {
        k = c->last_seen;
        o = c->last_order;
    } else {
        k = id_of(c, shown, len);
        o = k < 0 ? -1 : order_of(c, f, escaped, shown, len);
        if (o < 0 || o >= ENG_VNONE)
            return -1;
        c->last_id.len = 0;
        fmt_buf_put(&c->last_id, shown, len);
        if (c->last_id.failed)
            return -1;
        c->last_seen = k;
        c->last_order = o;
        c->last_file = f;
        c->last_escaped = escaped;
    }
    order_seen *s = &c->seen[k];
    if (s->last_file != (int64_t)f) {
        if (s->files == 0) {
            s->first_file = (int64_t)f;
            s->first_line = line;
        }
        s->files++;
        s->last_file = (int64_t)f;
    }

    if (named >= 0 && add_link(c, named, (uint32_t)o) != 0)
        return -1;
    vrow *rows = eng__verify_fit(c->rows, &c->cap_rows, c->n_rows, sizeof *rows, 1024);
    if (!rows)
        return -1;
    c->rows = rows;
    vrow *r = &c->rows[c->n_rows++];
    memset(r, 0, sizeof *r);
    r->line = line;
    r->order = (uint32_t)o;
    r->file = (uint32_t)f;
    r->open_qty = -1;
    r->head = r->sku = r->key = ENG_VNONE;
    /* As the README tells repeats: the record's fields (its bytes when it is not
     * well-formed), the row's place in it mixed in. */
    unsigned char digest[32];
    fmt_sha256_digest(c->sha, rec, rec_len, digest);
    memcpy(r->digest, digest, sizeof r->digest);
    for (size_t b = 0; b < sizeof(size_t); b++)
        r->digest[15 - b] ^= (unsigned char)((size_t)index >> (8 * b));
    r->rec_len = (uint32_t)(rec_len > UINT32_MAX ? UINT32_MAX : rec_len);
    if (!row) {
        r->flags = VR_MALFORMED;
        return 0;
    }
    r->order_state = (uint8_t)row->order_state;
    r->line_state = (uint8_t)row->line_state;
    if (row->head_only)
        r->flags |= VR_HEAD_ONLY;
    if (row->line_total)
        r->flags |= VR_LINE_TOTAL;
    fmt_str sku = row->v[FMT_COL_SKU], qty = row->v[FMT_COL_QTY];
    fmt_str price = row->v[FMT_COL_UNIT_PRICE], open = row->v[FMT_COL_OPEN_QTY];
    if (sku.len && (r->sku = eng__verify_sku(v, sku.p, sku.len)) == ENG_VNONE)
        return -1;
    /* A number against the file's own rule ("12.5" where the comma marks decimals) is
     * unreadable, whatever it would say as plain text. */
    uint32_t bad = row->bad_number;
    if (qty.len && !(bad >> FMT_COL_QTY & 1) &&
        fmt_qty_parse(qty.p, qty.len, &r->qty) == FMT_NUM_OK)
        r->flags |= VR_QTY_OK;
    if (open.len &&
        ((bad >> FMT_COL_OPEN_QTY & 1) ||
         fmt_int_parse(open.p, open.len, &r->open_qty) != FMT_NUM_OK || r->open_qty < 0))
        r->open_qty = -1; /* BAD_QTY: the order is rejected */
    if (price.len && !(bad >> FMT_COL_UNIT_PRICE & 1) &&
        fmt_dec_parse(price.p, price.len, &r->price) == FMT_NUM_OK)
        r->flags |= VR_PRICE_OK;
    if (row->item_key.len) {
        int64_t kid = eng_vmap_add(c->item_keys, row->item_key.p, row->item_key.len, NULL);
        if (kid < 0)
            return -1;
        r->key = (uint32_t)kid;
        r->updated_ns = row->updated_ns;
    }
    return row_head(c, row, &r->head);
}

/* Which layout reads file f: a map:FILE mapping when the run had one, else what
 * summary.json says the run detected, else detection from the header as the run does. */
static const fmt_layout *layout_from_summary(const eng_vrun *v, size_t k, const char **encoding,
                                             fmt_date_order *date_order)
{
    const fmt_json_value *ins = fmt_json_member(v->summary, "inputs");
    size_t seen = 0;
    for (size_t i = 0; i < fmt_json_count(ins); i++) {
        const fmt_json_value *in = fmt_json_item(ins, i);
        const char *role = fmt_json_member_str(in, "role");
        if (!role || strcmp(role, "orders") != 0)
            continue;
        if (seen++ != k)
            continue;
        const char *enc = fmt_json_member_str(in, "encoding");
        if (enc && strcmp(enc, "UTF-8") != 0)
            *encoding = enc;
        /* A spreadsheet's dates: the run decided their order from the file (or was told) */
        const char *order = fmt_json_member_str(in, "date_order");
        *date_order = !order                      ? FMT_DATE_UNKNOWN
                      : strcmp(order, "dmy") == 0 ? FMT_DATE_DMY
                      : strcmp(order, "mdy") == 0 ? FMT_DATE_MDY
                                                  : FMT_DATE_UNKNOWN;
        const char *fmt = fmt_json_member_str(in, "format");
        return fmt ? fmt_layout_find(fmt) : NULL;
    }
    return NULL;
}

/* The first record with a non-blank field, split with d: 1, 0 when none, -1 no memory. */
static int header_record(const char *p, size_t len, fmt_dialect d, fmt_csv_fields *f,
                         fmt_csv_iter *it)
{
    fmt_csv_iter_init(it, p, len, 1, d);
    fmt_str rec;
    uint64_t line;
    while (fmt_csv_iter_next(it, &rec, &line)) {
        if (fmt_csv_split(f, rec.p, rec.len) == ENG_NOMEM)
            return -1;
        for (size_t i = 0; i < fmt_csv_count(f); i++)
            if (fmt_csv_field(f, i).len)
                return 1;
    }
    return 0;
}

/* The peek converted from encoding to UTF-8 (undefined bytes kept as they are), malloc'd;
 * NULL when iconv lacks the encoding or memory is short. */
static char *decode(const char *p, size_t n, const char *encoding, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = n * 4 + 4;
    char *buf = malloc(cap);
    if (buf) {
        char *ip = (char *)p, *op = buf;
        size_t in_left = n, out_left = cap;
        while (in_left && iconv(cd, &ip, &in_left, &op, &out_left) == (size_t)-1 &&
               errno == EILSEQ) {
            *op++ = *ip++;
            in_left--;
            out_left--;
        }
        *out_len = (size_t)(op - buf);
    }
    iconv_close(cd);
    return buf;
}

/* The layout whose signature the file's header fits best, as the run detects it: each
 * layout in its own dialect, and in its legacy encoding when the bytes are not UTF-8
 * (*encoding set then). Ties go to the earlier layout (canonical first). */
static const fmt_layout *detect(const char *p, size_t n, const char **encoding)
{
    size_t n_all;
    const fmt_layout *const *all = fmt_layout_all(&n_all);
    const fmt_layout *best = NULL;
    int best_score = 0;
    int utf8 = fmt_utf8_valid_prefix(p, n) + 4 >= n;
    for (size_t i = 0; i < n_all; i++) {
        const char *enc = utf8 ? NULL : all[i]->legacy_encoding;
        size_t len = n;
        char *conv = enc ? decode(p, n, enc, &len) : NULL;
        if (enc && !conv)
            continue;
        fmt_csv_fields *f = fmt_csv_fields_new(all[i]->dialect);
        fmt_csv_iter it;
        int score = f && header_record(conv ? conv : p, len, all[i]->dialect, f, &it) == 1
                        ? all[i]->detect(all[i], f)
                        : 0;
        fmt_csv_fields_free(f);
        free(conv);
        if (score > best_score) {
            best = all[i];
            best_score = score;
            *encoding = enc;
        }
    }
    return best;
}

/* Read one orders file: every record into rows, as the run's ingest cuts them. */
static eng_rc read_orders_file(ctx *c, size_t f, const eng_vinput *in, size_t k,
                               const fmt_layout *mapping)
{
    eng_vrun *v = c->v;
    eng_err err;
    memset(&err, 0, sizeof err);
    fmt_source *src = NULL;
    fmt_chunker *ch = NULL;
    fmt_chunk *chunk = NULL;
    fmt_csv_fields *fields = NULL;
    void *bind = NULL;
    fmt_out out;
    int out_ok = fmt_out_init(&out) == ENG_OK;
    eng_rc rc = ENG_OK;
    const fmt_layout *l = NULL;
    const char *encoding = NULL;
    if (!out_ok)
        return ENG_NOMEM;
    if (fmt_source_open(in->path, &src, &err) != ENG_OK) {
        c->incomplete = 1;
        eng_vreport_unreadable(v->report, "orders %s: %s", in->path, err.msg);
        goto done;
    }
    fmt_date_order date_order = FMT_DATE_UNKNOWN;
    const fmt_layout *recorded = layout_from_summary(v, k, &encoding, &date_order);
    l = mapping ? mapping : recorded;
    const char *peek;
    size_t n_peek;
    if (fmt_source_peek(src, 1u << 16, &peek, &n_peek, &err) != ENG_OK) {
        c->incomplete = 1;
        eng_vreport_unreadable(v->report, "orders %s: %s", in->path, err.msg);
        goto done;
    }
    if (!l)
        l = detect(peek, n_peek, &encoding);
    if (!l) {
        c->incomplete = 1;
        eng_vreport_unreadable(v->report, "orders %s: the header matches no known layout",
                               in->path);
        goto done;
    }
    if (!encoding && fmt_utf8_valid_prefix(peek, n_peek) + 4 < n_peek)
        encoding = l->legacy_encoding;
    if (encoding && fmt_source_set_encoding(src, encoding, &err) != ENG_OK) {
        c->incomplete = 1;
        eng_vreport_unreadable(v->report, "orders %s: %s", in->path, err.msg);
        goto done;
    }
    ch = fmt_chunker_new(src, l->dialect, 1u << 20);
    fields = fmt_csv_fields_new(l->dialect);
    if (!ch || !fields) {
        rc = ENG_NOMEM;
        goto done;
    }
    int have_header = 0;
    size_t n_header = 0;
    for (;;) {
        fmt_chunk_free(chunk);
        chunk = NULL;
        if (fmt_chunker_next(ch, &chunk, &err) != ENG_OK) {
            c->incomplete = 1;
            eng_vreport_unreadable(v->report, "orders %s: %s", in->path, err.msg);
            goto done;
        }
        if (!chunk)
            break;
        fmt_csv_iter it;
        fmt_csv_iter_init(&it, chunk->data + chunk->start, chunk->len - chunk->start,
                          chunk->first_line, l->dialect);
        fmt_str rec;
        uint64_t line;
        while (fmt_csv_iter_next(&it, &rec, &line)) {
            eng_rc split = fmt_csv_split(fields, rec.p, rec.len);
            if (split == ENG_NOMEM) {
                rc = ENG_NOMEM;
                goto done;
            }
            size_t n = fmt_csv_count(fields);
            if (!have_header) {
                int blank = 1;
                for (size_t i = 0; i < n && blank; i++)
                    blank = fmt_csv_field(fields, i).len == 0;
                if (blank)
                    continue;
                if (l->bind(l, fields, &bind, &err) != ENG_OK) {
                    bind = NULL;
                    c->incomplete = 1;
                    eng_vreport_unreadable(v->report, "orders %s: %s", in->path, err.msg);
                    goto done;
                }
                have_header = 1;
                n_header = n;
                v->inputs[f].backorders =
                    l->source_column && l->source_column(l, bind, FMT_COL_OPEN_QTY) >= 0;
                for (int col = 0; col < FMT_COL_COUNT && l->source_column; col++)
                    if (l->source_column(l, bind, (fmt_col)col) == FMT_LAYOUT_NO_COLUMN)
                        v->inputs[f].no_column |= 1u << col;
                continue;
            }
            fmt_out_reset(&out);
            if (l->transform(l, bind, fields, &out) != ENG_OK ||
                (date_order && fmt_out_sheet_dates(&out, date_order) != ENG_OK)) {
                rc = ENG_NOMEM;
                goto done;
            }
            if (split == ENG_OK && out.skip)
                continue;
            if (split == ENG_DATA || out.malformed || n != n_header || out.n == 0) {
                fmt_str id = out.n ? out.rows[0].v[FMT_COL_ORDER_ID] : (fmt_str){"", 0};
                if (take_row(c, f, in->recorded, line, id, NULL, 0, rec.p, rec.len) != 0) {
                    rc = ENG_NOMEM;
                    goto done;
                }
                continue;
            }
            fmt_str fields_text = record_fields(&c->record, fields);
            if (!fields_text.p) {
                rc = ENG_NOMEM;
                goto done;
            }
            for (size_t i = 0; i < out.n; i++)
                if (take_row(c, f, in->recorded, line, out.rows[i].v[FMT_COL_ORDER_ID],
                             &out.rows[i], (int)i, fields_text.p, fields_text.len) != 0) {
                    rc = ENG_NOMEM;
                    goto done;
                }
        }
    }
done:
    if (bind && l && l->unbind)
        l->unbind(bind);
    fmt_chunk_free(chunk);
    fmt_csv_fields_free(fields);
    fmt_chunker_free(ch);
    fmt_source_close(src);
    fmt_out_release(&out);
    return rc;
}

/* ---- from rows to orders ---- */

static int same_record(const vrow *a, const vrow *b)
{
    return a->rec_len == b->rec_len && memcmp(a->digest, b->digest, sizeof a->digest) == 0;
}

/* A row that a later row of the same marketplace line replaces: a later update, then a
 * later line. A byte-for-byte repeat replaces nothing (it is DUPLICATE_ROW). */
static void mark_superseded(vrow **rows, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        vrow *a = rows[j];
        if (a->key == ENG_VNONE)
            continue;
        for (size_t k = 0; k < n; k++) {
            const vrow *b = rows[k];
            if (k == j || b->key != a->key || same_record(a, b))
                continue;
            if (b->updated_ns > a->updated_ns ||
                (b->updated_ns == a->updated_ns && b->line > a->line)) {
                a->flags |= VR_SUPERSEDED;
                break;
            }
        }
    }
}

static int cmp_row_bytes(const void *x, const void *y)
{
    const vrow *a = *(vrow *const *)x, *b = *(vrow *const *)y;
    int c = memcmp(a->digest, b->digest, sizeof a->digest);
    if (c)
        return c;
    if (a->rec_len != b->rec_len)
        return a->rec_len < b->rec_len ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

/* Every row repeating an earlier row of the order field for field counts once. */
static int mark_repeats(vrow **rows, size_t n)
{
    if (n <= 16) { /* most orders: a few rows, no sorting */
        for (size_t j = 1; j < n; j++)
            for (size_t k = 0; k < j; k++)
                if (!(rows[k]->flags & VR_DUP) && same_record(rows[k], rows[j])) {
                    rows[j]->flags |= VR_DUP;
                    break;
                }
        return 0;
    }
    vrow **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return -1;
    memcpy(sorted, rows, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_row_bytes);
    for (size_t i = 1; i < n; i++)
        if (same_record(sorted[i - 1], sorted[i]))
            sorted[i]->flags |= VR_DUP;
    free(sorted);
    return 0;
}

/* Field i of a row head key (from row_head). */
static fmt_str row_head_field(const ctx *c, uint32_t head, size_t i)
{
    const char *p = eng_vmap_key(c->row_heads, head, NULL);
    for (size_t k = 0;; k++) {
        uint32_t n;
        memcpy(&n, p, sizeof n);
        if (k == i)
            return (fmt_str){p + sizeof n, n};
        p += sizeof n + n;
    }
}

/* Each order-level value: the first non-blank one of the rows that count, escaped when
 * not valid UTF-8; kept as one key of v->heads, the fields NUL-terminated in order. */
static int resolve_head(ctx *c, vrow **rows, size_t n, uint32_t *out)
{
    fmt_str val[N_HEAD];
    memset(val, 0, sizeof val);
    for (size_t j = 0; j < n; j++) {
        const vrow *r = rows[j];
        if ((r->flags & (VR_DUP | VR_SUPERSEDED | VR_MALFORMED)) || r->head == ENG_VNONE)
            continue;
        for (size_t i = 0; i < N_HEAD; i++)
            if (!val[i].len)
                val[i] = row_head_field(c, r->head, i);
    }
    fmt_buf *b = &c->key; /* free again: row heads are read through val, not c->key */
    b->len = 0;
    for (size_t i = 0; i < N_HEAD; i++) {
        const char *p = val[i].p;
        size_t len = val[i].len;
        if (len && fmt_utf8_valid_prefix(p, len) != len) {
            p = eng_text_sanitize(c->mem, p, len, &len);
            if (!p)
                return -1;
        }
        /* A NUL inside a value ends it here; only rejected orders can hold one. */
        size_t shown = p ? strnlen(p, len) : 0;
        fmt_buf_put(b, p, shown);
        fmt_buf_putc(b, '\0');
    }
    int64_t id = b->failed ? -1 : eng_vmap_add(c->v->heads, b->p, b->len, NULL);
    if (id < 0)
        return -1;
    *out = (uint32_t)id;
    return 0;
}

/* The line's price in the order's currency, as README "Line totals" says. */
static void price_line(eng_vline *ln, const vrow *r, int cur, int *known)
{
    *known = 0;
    if (!(r->flags & VR_PRICE_OK) || cur < 0)
        return;
    int64_t price = 0;
    fmt_num_rc nrc = fmt_dec_to_minor(r->price, fmt_currency_minor_digits(cur), &price);
    if (nrc != FMT_NUM_OK)
        return; /* BAD_NUMBER: the order is rejected */
    ln->unit_minor = price;
    if (ln->flags & ENG_VL_LINE_TOTAL) {
        ln->amount_minor = price;
        ln->unit_minor =
            ln->ordered > 0
                ? (int64_t)(((__int128)2 * price + ln->ordered) / (2 * (__int128)ln->ordered))
                : 0;
    }
    *known = (ln->flags & ENG_VL_QTY_OK) != 0;
    if (*known && !(ln->flags & ENG_VL_LINE_TOTAL) &&
        __builtin_mul_overflow(ln->ordered, ln->unit_minor, &ln->amount_minor)) {
        ln->amount_minor = 0; /* BAD_NUMBER: the order is rejected */
        *known = 0;
    }
    if (*known)
        ln->flags |= ENG_VL_PRICED;
}

static int build_order(ctx *c, uint32_t oid, vrow **rows, size_t n)
{
    eng_vrun *v = c->v;
    eng_vorder *o = &v->orders[oid];
    assert(n > 0 && rows[0]->order == oid); /* an order exists because a row named it */
    memset(o, 0, sizeof *o);
    o->key = oid;
    o->line = rows[0]->line;
    o->file = rows[0]->file;
    o->next_in_pair = ENG_VNONE;
    o->status_row = -1;
    o->currency = -1;
    size_t key_len;
    const char *key = eng_vmap_key(v->order_keys, oid, &key_len);
    if (key[sizeof(uint32_t)])
        o->flags |= ENG_VO_ESCAPED;
    mark_superseded(rows, n);
    if (mark_repeats(rows, n) != 0 || resolve_head(c, rows, n, &o->head) != 0)
        return -1;
    for (size_t j = 0; j < n; j++)
        if (!(rows[j]->flags & VR_SUPERSEDED) && rows[j]->order_state > o->state)
            o->state = rows[j]->order_state;
    const char *cur = eng__verify_head(v, o, FMT_COL_CURRENCY);
    o->currency = (int16_t)fmt_currency_find(cur, strlen(cur));
    o->first_line = (uint32_t)v->n_lines;
    for (size_t j = 0; j < n; j++) {
        const vrow *r = rows[j];
        if (r->flags & (VR_DUP | VR_SUPERSEDED | VR_HEAD_ONLY))
            continue;
        eng_vline *ln = &v->lines[v->n_lines++];
        memset(ln, 0, sizeof *ln);
        ln->line_no = ++o->n_lines;
        ln->src_line = r->line;
        ln->sku = r->sku;
        ln->pair_sku = ENG_VNONE;
        ln->first_part = -1;
        ln->open_qty = r->open_qty;
        ln->line_state = r->line_state;
        if (r->flags & VR_QTY_OK) {
            ln->ordered = r->qty;
            ln->flags |= ENG_VL_QTY_OK;
        }
        if (r->flags & VR_LINE_TOTAL)
            ln->flags |= ENG_VL_LINE_TOTAL;
        int known;
        price_line(ln, r, o->currency, &known);
        /* order_status figures of an order that ships nothing: what was ordered, sums
         * that overflow saturate (units) or count 0 (amount), as the run counts them */
        if (__builtin_add_overflow(o->units, ln->ordered, &o->units))
            o->units = INT64_MAX;
        if (__builtin_add_overflow(o->amount_minor, ln->amount_minor, &o->amount_minor))
            o->amount_minor = 0;
    }
    return 0;
}

/* ---- copies of an order ---- */

typedef struct line_key {
    uint32_t sku; /* id in v->skus */
    int64_t ordered;
} line_key;

static int cmp_line_key(const void *x, const void *y)
{
    const line_key *a = x, *b = y;
    if (a->sku != b->sku)
        return a->sku < b->sku ? -1 : 1;
    return (a->ordered > b->ordered) - (a->ordered < b->ordered);
}

/* Order o's lines as sorted (SKU, ordered) keys into keys (room for n_lines); 0 when a
 * line has a SKU the catalog lacks or an unreadable quantity: such a copy shares its lines
 * with no other. */
static int line_keys(const eng_vrun *v, const eng_vorder *o, line_key *keys)
{
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_vline *ln = &v->lines[o->first_line + i];
        if (ln->sku == ENG_VNONE || !(ln->flags & ENG_VL_QTY_OK) || !v->catalog_skus)
            return 0;
        const char *sku = eng_vmap_key(v->skus, ln->sku, NULL);
        if (eng_vmap_find(v->catalog_skus, sku, strlen(sku)) < 0)
            return 0;
        keys[i] = (line_key){ln->sku, ln->ordered};
    }
    qsort(keys, o->n_lines, sizeof *keys, cmp_line_key);
    return 1;
}

static fmt_str trim(const char *p)
{
    return fmt_layout_trim((fmt_str){p, strlen(p)});
}

/* Whether orders a and b ask for the same lines, quantities and ship-to. -1: no memory. */
static int same_copies(const eng_vrun *v, const eng_vorder *a, const eng_vorder *b)
{
    static const fmt_col ship_to[] = {FMT_COL_SHIP_NAME,   FMT_COL_SHIP_STREET,
                                      FMT_COL_SHIP_CITY,   FMT_COL_SHIP_REGION,
                                      FMT_COL_SHIP_POSTAL, FMT_COL_SHIP_COUNTRY};
    uint32_t no_column = v->inputs[a->file].no_column | v->inputs[b->file].no_column;
    for (size_t i = 0; i < sizeof ship_to / sizeof *ship_to; i++) {
        if (no_column & (1u << ship_to[i])) /* a file without the column says nothing */
            continue;
        fmt_str x = trim(eng__verify_head(v, a, ship_to[i]));
        fmt_str y = trim(eng__verify_head(v, b, ship_to[i]));
        if (x.len != y.len || memcmp(x.p, y.p, x.len) != 0)
            return 0;
    }
    if (a->n_lines != b->n_lines)
        return 0;
    line_key *keys = malloc((a->n_lines ? a->n_lines : 1) * 2 * sizeof *keys);
    if (!keys)
        return -1;
    int same = line_keys(v, a, keys) && line_keys(v, b, keys + a->n_lines);
    for (uint32_t i = 0; same && i < a->n_lines; i++)
        same = cmp_line_key(&keys[i], &keys[a->n_lines + i]) == 0;
    free(keys);
    return same;
}

/* Of the copies of one pair with escaped flag `escaped` (chained from first in file
 * order), the one that goes on; the others get RESENT and the code their rows must carry.
 * README "Copies of an order": a copy in a marketplace state (the strongest, then the
 * first); else a backorders copy with the same lines, quantities and ship-to (the fields
 * both files have) as any export; else the first export (the backorders copy then
 * ORDER_AMENDED); else the first. */
static int which_copy(eng_vrun *v, uint32_t first, uint8_t escaped)
{
    uint32_t winner = ENG_VNONE, kept = ENG_VNONE, export = ENG_VNONE, amended = ENG_VNONE;
    uint8_t best = 0;
    size_t n = 0;
    for (uint32_t q = first; q != ENG_VNONE; q = v->orders[q].next_in_pair) {
        const eng_vorder *o = &v->orders[q];
        if ((o->flags & ENG_VO_ESCAPED) != escaped)
            continue;
        n++;
        if (o->state > best) {
            best = o->state;
            winner = q;
        }
        if (v->inputs[o->file].backorders) {
            if (kept == ENG_VNONE)
                kept = q;
        } else if (export == ENG_VNONE) {
            export = q;
        }
    }
    if (n < 2)
        return 0;
    if (winner == ENG_VNONE && kept != ENG_VNONE && export != ENG_VNONE) {
        int same = 0; /* with any export of the pair */
        for (uint32_t q = export; q != ENG_VNONE && !same; q = v->orders[q].next_in_pair) {
            const eng_vorder *o = &v->orders[q];
            if ((o->flags & ENG_VO_ESCAPED) != escaped || v->inputs[o->file].backorders)
                continue;
            same = same_copies(v, &v->orders[kept], o);
            if (same < 0)
                return -1;
        }
        winner = same ? kept : export;
        amended = same ? ENG_VNONE : kept;
    }
    for (uint32_t q = first; q != ENG_VNONE; q = v->orders[q].next_in_pair) {
        eng_vorder *o = &v->orders[q];
        if ((o->flags & ENG_VO_ESCAPED) != escaped)
            continue;
        if (winner == ENG_VNONE)
            winner = q; /* the first file's */
        if (q == winner)
            continue;
        o->flags |= ENG_VO_RESENT;
        o->aside_code = q == amended ? ENG_CODE_ORDER_AMENDED : ENG_CODE_DUPLICATE_ORDER;
    }
    return 0;
}

/* Pairs (channel, order id) in file order, and which of a pair's copies goes on (an
 * escaped id never equals one that was valid text). */
static int pair_orders(ctx *c)
{
    eng_vrun *v = c->v;
    size_t cap = 0, cap_last = 0;
    uint32_t *last = NULL;
    int rc = -1;
    for (uint32_t oid = 0; oid < v->n_orders; oid++) {
        eng_vorder *o = &v->orders[oid];
        if (eng__verify_key(&c->key, eng__verify_head(v, o, FMT_COL_CHANNEL),
                            eng__verify_order_id(v, o), NULL) != 0)
            goto done;
        int added;
        int64_t p = eng_vmap_add(v->pairs, c->key.p, c->key.len, &added);
        if (p < 0)
            goto done;
        uint32_t *first = eng__verify_fit(v->pair_first, &cap, (size_t)p, sizeof *first, 1024);
        if (!first)
            goto done;
        v->pair_first = first;
        uint32_t *grown = eng__verify_fit(last, &cap_last, (size_t)p, sizeof *last, 1024);
        if (!grown)
            goto done;
        last = grown;
        o->pair = (uint32_t)p;
        if (added) {
            v->pair_first[p] = last[p] = oid;
            continue;
        }
        v->orders[last[p]].next_in_pair = oid;
        last[p] = oid;
    }
    for (size_t p = 0; p < eng_vmap_count(v->pairs); p++)
        for (uint8_t escaped = 0; escaped <= ENG_VO_ESCAPED; escaped += ENG_VO_ESCAPED)
            if (which_copy(v, v->pair_first[p], escaped) != 0)
                goto done;
    /* Every line's (channel, order id, SKU), for history and per-SKU sums. */
    for (uint32_t oid = 0; oid < v->n_orders; oid++) {
        const eng_vorder *o = &v->orders[oid];
        for (uint32_t i = 0; i < o->n_lines; i++) {
            eng_vline *ln = &v->lines[o->first_line + i];
            if (ln->sku == ENG_VNONE)
                continue;
            if (eng__verify_key(&c->key, eng__verify_head(v, o, FMT_COL_CHANNEL),
                                eng__verify_order_id(v, o), eng_vmap_key(v->skus, ln->sku, NULL)))
                goto done;
            int64_t k = eng_vmap_add(v->pair_skus, c->key.p, c->key.len, NULL);
            if (k < 0)
                goto done;
            ln->pair_sku = (uint32_t)k;
        }
    }
    rc = 0;
done:
    free(last);
    return rc;
}

static int is_rejecting(eng_code code)
{
    /* BAD_VALUE: an orders row's marketplace_tax that is not y or n (issue 16) */
    return (code >= ENG_CODE_MALFORMED_ROW && code <= ENG_CODE_ORDER_CHANGED_AFTER_SHIPMENT &&
            code != ENG_CODE_DUPLICATE_ROW) ||
           code == ENG_CODE_BAD_VALUE;
}

static int cmp_link(const void *x, const void *y)
{
    const exc_link *a = x, *b = y;
    if (a->named != b->named)
        return a->named < b->named ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

static void fault(eng_vorder *o, uint64_t line, eng_code code)
{
    o->flags |= ENG_VO_REJECTED;
    if (!o->fault_line || line < o->fault_line) {
        o->fault_line = line;
        o->fault_codes = 0;
    }
    if (line == o->fault_line)
        o->fault_codes |= UINT64_C(1) << code;
}

/* Which orders exceptions.csv rejects. Its rows name a source and line, which is one
 * order's row but for one case: the same file given twice, whose re-sent copy shares
 * every line with the original. There DUPLICATE_ORDER is the copy's (one per row of it),
 * unless there are more of them than the copy has rows; other codes are the original's. */
static void attribute_exceptions(ctx *c)
{
    eng_vrun *v = c->v;
    if (c->n_links)
        qsort(c->links, c->n_links, sizeof *c->links, cmp_link);
    for (size_t i = 0; i < c->n_links;) {
        size_t j = i;
        uint64_t copy_rows = 0, n_dup = 0;
        size_t distinct = 0;
        for (; j < c->n_links && c->links[j].named == c->links[i].named; j++) {
            if (j == i || c->links[j].order != c->links[j - 1].order)
                distinct++;
            if (v->orders[c->links[j].order].flags & ENG_VO_RESENT)
                copy_rows += c->links[j].rows;
        }
        uint32_t named = c->links[i].named;
        for (int64_t e = c->named_first[named]; e >= 0; e = c->exc_next[e])
            n_dup += eng_code_from_name(eng_vtable_get(v->exceptions, (size_t)e, EX_CODE)) ==
                     ENG_CODE_DUPLICATE_ORDER;
        for (int64_t e = c->named_first[named]; e >= 0; e = c->exc_next[e]) {
            eng_code code = eng_code_from_name(eng_vtable_get(v->exceptions, (size_t)e, EX_CODE));
            int64_t line;
            if (!is_rejecting(code) ||
                eng__verify_count(eng_vtable_get(v->exceptions, (size_t)e, EX_LINE), 0, &line))
                continue;
            for (size_t k = i; k < j; k++) {
                eng_vorder *o = &v->orders[c->links[k].order];
                int copy = (o->flags & ENG_VO_RESENT) != 0;
                if (distinct == 1 || copy || code != ENG_CODE_DUPLICATE_ORDER || n_dup > copy_rows)
                    fault(o, (uint64_t)line, code);
            }
        }
        i = j;
    }
}

static eng_rc build_model(ctx *c)
{
    eng_vrun *v = c->v;
    v->n_orders = eng_vmap_count(v->order_keys);
    v->orders = calloc(v->n_orders ? v->n_orders : 1, sizeof *v->orders);
    v->lines = calloc(c->n_rows ? c->n_rows : 1, sizeof *v->lines);
    vrow **by_order = malloc((c->n_rows ? c->n_rows : 1) * sizeof *by_order);
    size_t *start = NULL;
    eng_rc rc = ENG_NOMEM;
    if (!v->orders || !v->lines || !by_order)
        goto done;
    /* Rows grouped by order, each group in read order (a counting sort: stable). */
    start = calloc(v->n_orders + 1, sizeof *start);
    if (!start)
        goto done;
    for (size_t r = 0; r < c->n_rows; r++)
        start[c->rows[r].order + 1]++;
    for (size_t o = 0; o < v->n_orders; o++)
        start[o + 1] += start[o];
    for (size_t r = 0; r < c->n_rows; r++)
        by_order[start[c->rows[r].order]++] = &c->rows[r];
    for (size_t o = v->n_orders; o > 0; o--)
        start[o] = start[o - 1];
    start[0] = 0;
    for (size_t o = 0; o < v->n_orders; o++)
        if (build_order(c, (uint32_t)o, by_order + start[o], start[o + 1] - start[o]) != 0)
            goto done;
    if (pair_orders(c) != 0)
        goto done;
    attribute_exceptions(c);
    v->orders_read = 1;
    rc = ENG_OK;
done:
    free(by_order);
    free(start);
    return rc;
}

/* ---- invariant 3 ---- */

static eng_rc check(ctx *c)
{
    eng_vrun *v = c->v;
    const eng_vtable *ex = v->exceptions, *st = v->status;
    for (size_t r = 0; r < eng_vtable_rows(ex); r++) {
        if (eng__verify_key(&c->key, eng_vtable_get(ex, r, EX_SOURCE),
                            eng_vtable_get(ex, r, EX_LINE), NULL) != 0)
            return ENG_NOMEM;
        int added;
        int64_t k = eng_vmap_add(c->named, c->key.p, c->key.len, &added);
        if (k < 0)
            return ENG_NOMEM;
        int64_t *first =
            eng__verify_fit(c->named_first, &c->cap_named, (size_t)k, sizeof *first, 256);
        if (!first)
            return ENG_NOMEM;
        c->named_first = first;
        if (added)
            c->named_first[k] = -1;
        /* chained newest first, then reversed below so each chain is in file order */
        c->exc_next[r] = c->named_first[k];
        c->named_first[k] = (int64_t)r;
    }
    for (size_t k = 0; k < eng_vmap_count(c->named); k++) {
        int64_t prev = -1, e = c->named_first[k];
        while (e >= 0) {
            int64_t next = c->exc_next[e];
            c->exc_next[e] = prev;
            prev = e;
            e = next;
        }
        c->named_first[k] = prev;
    }
    for (size_t r = 0; r < eng_vtable_rows(st); r++) {
        const char *id = eng_vtable_get(st, r, ST_ORDER_ID);
        const char *status = eng_vtable_get(st, r, ST_STATUS);
        if (!is_status(status))
            eng_vreport_broken(v->report, 3,
                               "%s:%llu: order %s has status \"%.40s\", not one of "
                               "SPEC's",
                               eng_vtable_label(st), (unsigned long long)eng_vtable_line(st, r), id,
                               status);
        int64_t k = id_of(c, id, strlen(id));
        if (k < 0)
            return ENG_NOMEM;
        order_seen *s = &c->seen[k];
        if (s->status_rows < 2)
            s->status_line[s->status_rows] = eng_vtable_line(st, r);
        s->status_rows++;
    }
    const fmt_layout *mapping = NULL;
    fmt_layout *owned_mapping = NULL;
    for (size_t i = 0; i < v->n_inputs; i++)
        if (strcmp(v->inputs[i].role, "mapping") == 0 && !v->inputs[i].refused) {
            eng_err err;
            memset(&err, 0, sizeof err);
            eng_rc rc = fmt_mapping_load(v->inputs[i].path, &owned_mapping, NULL, &err);
            if (rc == ENG_NOMEM)
                return rc;
            if (rc != ENG_OK) {
                c->incomplete = 1;
                eng_vreport_unreadable(v->report, "mapping %s: %s", v->inputs[i].path, err.msg);
            }
            mapping = owned_mapping;
        }
    size_t k = 0, n_files = 0;
    eng_rc rc = ENG_OK;
    for (size_t i = 0; i < v->n_inputs && rc == ENG_OK; i++)
        if (strcmp(v->inputs[i].role, "orders") == 0) {
            if (v->inputs[i].refused)
                c->incomplete = 1;
            else
                rc = read_orders_file(c, i, &v->inputs[i], k, mapping);
            k++;
            n_files++;
        }
    fmt_mapping_free(owned_mapping);
    if (rc != ENG_OK)
        return rc;
    if (c->incomplete) {
        eng_vreport_unchecked(v->report, 3, "an orders file could not be read (see above)");
        return ENG_OK;
    }
    ENG_TRY(build_model(c));
    for (size_t oid = 0; oid < v->n_orders; oid++)
        if (v->orders[oid].flags & ENG_VO_RESENT) {
            const char *id = eng__verify_order_id(v, &v->orders[oid]);
            int64_t seen = id_of(c, id, strlen(id));
            if (seen < 0)
                return ENG_NOMEM;
            c->seen[seen].aside++;
        }

    size_t n_ids = eng_vmap_count(c->ids), n_orders = 0, n_aside = 0;
    for (size_t id = 0; id < n_ids; id++) {
        const order_seen *s = &c->seen[id];
        const char *name = eng_vmap_key(c->ids, (int64_t)id, NULL);
        n_orders += (size_t)(s->files - s->aside);
        n_aside += (size_t)s->aside;
        if (s->status_rows == s->files - s->aside)
            continue;
        if (s->files == 0)
            eng_vreport_broken(v->report, 3,
                               "%s:%llu: status row for order %s, which no orders file holds",
                               eng_vtable_label(st), (unsigned long long)s->status_line[0], name);
        else if (s->status_rows == 0)
            eng_vreport_broken(v->report, 3, "order %s (%s:%llu) has no row in %s", name,
                               v->inputs[s->first_file].recorded, (unsigned long long)s->first_line,
                               eng_vtable_label(st));
        else
            eng_vreport_broken(
                v->report, 3,
                "order %s has %lld rows in %s (lines %llu, %llu%s) but %lld order%s of that "
                "id go%s on (read from %lld orders file%s, first %s:%llu; a copy set aside "
                "has no row)",
                name, (long long)s->status_rows, eng_vtable_label(st),
                (unsigned long long)s->status_line[0], (unsigned long long)s->status_line[1],
                s->status_rows > 2 ? ", ..." : "", (long long)(s->files - s->aside),
                s->files - s->aside == 1 ? "" : "s", s->files - s->aside == 1 ? "es" : "",
                (long long)s->files, s->files == 1 ? "" : "s", v->inputs[s->first_file].recorded,
                (unsigned long long)s->first_line);
    }
    char aside[64] = "";
    if (n_aside)
        snprintf(aside, sizeof aside, " (%zu cop%s set aside %s none)", n_aside,
                 n_aside == 1 ? "y" : "ies", n_aside == 1 ? "has" : "have");
    eng_vreport_detail(v->report, 3,
                       "%zu order%s in %zu file%s %s one status row each%s; %llu row%s read, "
                       "each in an order or in exceptions.csv",
                       n_orders, n_orders == 1 ? "" : "s", n_files, n_files == 1 ? "" : "s",
                       n_orders == 1 ? "has" : "have", aside, (unsigned long long)c->data_rows,
                       c->data_rows == 1 ? "" : "s");
    return ENG_OK;
}

eng_rc eng__verify_orders(eng_vrun *v)
{
    if (!v->status || !v->exceptions) {
        eng_vreport_unchecked(v->report, 3,
                              "needs order_status.csv and exceptions.csv, and one could not "
                              "be read");
        return ENG_OK;
    }
    ctx c;
    memset(&c, 0, sizeof c);
    c.v = v;
    c.ids = eng_vmap_new();
    c.named = eng_vmap_new();
    c.row_heads = eng_vmap_new();
    c.item_keys = eng_vmap_new();
    c.mem = eng_arena_new(1u << 16);
    c.sha = fmt_sha256_new();
    size_t n_exc = eng_vtable_rows(v->exceptions);
    c.exc_next = malloc((n_exc ? n_exc : 1) * sizeof *c.exc_next);
    v->order_keys = eng_vmap_new();
    v->heads = eng_vmap_new();
    v->pairs = eng_vmap_new();
    v->pair_skus = eng_vmap_new();
    fmt_buf_init(&c.key);
    fmt_buf_init(&c.record);
    fmt_buf_init(&c.last_id);
    fmt_buf_init(&c.last_head);
    c.last_order = -1;
    c.last_head_id = ENG_VNONE;
    eng_rc rc = ENG_NOMEM;
    if (c.ids && c.named && c.row_heads && c.item_keys && c.mem && c.sha && c.exc_next &&
        v->order_keys && v->heads && v->pairs && v->pair_skus)
        rc = check(&c);
    eng_vmap_free(c.ids);
    eng_vmap_free(c.named);
    eng_vmap_free(c.row_heads);
    eng_vmap_free(c.item_keys);
    eng_arena_free(c.mem);
    fmt_sha256_free(c.sha);
    fmt_buf_release(&c.key);
    fmt_buf_release(&c.record);
    fmt_buf_release(&c.last_id);
    fmt_buf_release(&c.last_head);
    free(c.seen);
    free(c.named_first);
    free(c.exc_next);
    free(c.rows);
    free(c.links);
    return rc;
}

/* ---- what each line still needs tonight ---- */

/* README "History": outstanding = ordered - what history shipped of that order and SKU,
 * earlier shipments matched to the order's lines of that SKU in line order; at most a
 * fed-back open_qty; nothing for a line the marketplace ships itself. */
eng_rc eng__verify_outstanding(eng_vrun *v)
{
    if (!v->orders_read)
        return ENG_OK;
    size_t n = eng_vmap_count(v->pair_skus);
    int64_t *used = calloc(n ? n : 1, sizeof *used);
    if (!used)
        return ENG_NOMEM;
    for (size_t oid = 0; oid < v->n_orders; oid++) {
        const eng_vorder *o = &v->orders[oid];
        eng_vline *lines = &v->lines[o->first_line];
        for (uint32_t i = 0; i < o->n_lines; i++)
            if (lines[i].pair_sku != ENG_VNONE)
                used[lines[i].pair_sku] = 0;
        for (uint32_t i = 0; i < o->n_lines; i++) {
            eng_vline *ln = &lines[i];
            ln->before = 0;
            if (ln->pair_sku != ENG_VNONE && v->hist_units) {
                int64_t avail = v->hist_units[ln->pair_sku] - used[ln->pair_sku];
                ln->before = avail < ln->ordered ? (avail > 0 ? avail : 0) : ln->ordered;
                used[ln->pair_sku] += ln->before;
            }
            ln->outstanding = ln->ordered - ln->before;
            if (ln->open_qty >= 0 && ln->open_qty < ln->outstanding)
                ln->outstanding = ln->open_qty;
            if (ln->line_state)
                ln->outstanding = 0;
            assert(ln->before >= 0 && ln->before <= ln->ordered && ln->outstanding >= 0);
        }
    }
    free(used);
    return ENG_OK;
}

/* ---- lookups for the other checks ---- */

const char *eng__verify_head(const eng_vrun *v, const eng_vorder *o, fmt_col c)
{
    int i = head_field(c);
    if (i < 0 || !v->heads)
        return "";
    const char *p = eng_vmap_key(v->heads, o->head, NULL);
    for (int k = 0; k < i; k++)
        p += strlen(p) + 1;
    return p;
}

int eng__verify_after_cutoff(const eng_vrun *v, const eng_vorder *o)
{
    if (v->policy.cutoff_min < 0 || !v->manifest)
        return 0;
    const char *date = fmt_json_member_str(v->manifest, "run_date");
    const char *when = eng__verify_head(v, o, FMT_COL_ORDER_TIME);
    int32_t day;
    int64_t ns;
    if (!date || fmt_isodate_parse(date, strlen(date), &day) != 0 ||
        fmt_isotime_parse(when, strlen(when), &ns) != 0)
        return 0;
    /* Run dates and times are 1970-2099: the nanoseconds fit 64 bits. */
    int64_t cutoff_s =
        ((int64_t)day * 1440 + v->policy.cutoff_min - v->policy.cutoff_offset_min) * 60;
    return ns > cutoff_s * INT64_C(1000000000);
}

const char *eng__verify_order_id(const eng_vrun *v, const eng_vorder *o)
{
    return eng_vmap_key(v->order_keys, o->key, NULL) + sizeof(uint32_t) + 1;
}

eng_vorder *eng__verify_find_order(eng_vrun *v, const char *channel, const char *id)
{
    if (!v->orders_read)
        return NULL;
    fmt_buf key;
    fmt_buf_init(&key);
    int64_t p = eng__verify_key(&key, channel, id, NULL) == 0
                    ? eng_vmap_find(v->pairs, key.p, key.len)
                    : -1;
    fmt_buf_release(&key);
    if (p < 0)
        return NULL;
    for (uint32_t q = v->pair_first[p]; q != ENG_VNONE; q = v->orders[q].next_in_pair)
        if (!(v->orders[q].flags & (ENG_VO_ESCAPED | ENG_VO_RESENT)))
            return &v->orders[q];
    return NULL;
}

__int128 eng__verify_line_amount(const eng_vline *ln, int64_t units)
{
    if ((ln->flags & ENG_VL_LINE_TOTAL) && units == ln->ordered)
        return ln->amount_minor;
    return (__int128)units * ln->unit_minor;
}
