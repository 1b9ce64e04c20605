/* Invariant 3: every order read has exactly one status row, and every orders-file row is
 * part of an order with a status or named in exceptions.csv.
 *
 * The orders files are read again record by record through the formats/ layouts (the
 * same readers the run uses, which are pure: record in, canonical rows out), so a row's
 * order id is what the run saw. An order is all rows of one file sharing an id; the same
 * id in a later file is a re-sent copy with its own status row, so an id read from k
 * files must have exactly k status rows. On the way, the units each order asked for per
 * SKU (first file, a row repeated byte for byte counted once) are kept for invariant 5. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/chunker.h"
#include "../../formats/layout.h"
#include "../../formats/mapping.h"
#include "../../formats/num.h"
#include "../../formats/sha256.h"
#include "../../formats/source.h"
#include "../../formats/utf8.h"
#include "../arena.h"
#include "../text.h"
#include "verify_int.h"

typedef struct order_seen {
    int64_t status_rows;
    uint64_t status_line[2];
    int64_t files; /* how many orders files hold the id */
    int64_t last_file;
    int64_t first_file;
    uint64_t first_line;
} order_seen;

typedef struct ctx {
    eng_vrun *v;
    eng_vmap *ids;
    order_seen *seen;
    size_t cap;
    eng_vmap *named; /* "source\x1fline" of exceptions.csv */
    eng_vmap *rows;  /* file + record digest: a row repeated byte for byte */
    eng_arena *mem;
    fmt_buf key;
    fmt_sha256 *sha;
    uint64_t data_rows;
    uint64_t unnamed;
    int incomplete; /* an orders file could not be read */
    size_t ordered_cap;
} ctx;

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

/* Add qty units of sku to what order id asked for. */
static int add_ordered(ctx *c, fmt_str id, fmt_str sku, fmt_str qty)
{
    eng_vrun *v = c->v;
    int64_t q;
    if (fmt_qty_parse(qty.p, qty.len, &q) != FMT_NUM_OK)
        return 0; /* BAD_QTY: the line cannot ship */
    c->key.len = 0;
    fmt_buf_put(&c->key, id.p, id.len);
    fmt_buf_putc(&c->key, ENG_VMAP_SEP);
    fmt_buf_put(&c->key, sku.p, sku.len);
    if (c->key.failed)
        return -1;
    int64_t k = eng_vmap_add(v->ordered, c->key.p, c->key.len, NULL);
    if (k < 0)
        return -1;
    int64_t *s = eng__verify_fit(v->ordered_qty, &c->ordered_cap, (size_t)k, sizeof *s, 1024);
    if (!s)
        return -1;
    v->ordered_qty = s;
    v->ordered_qty[k] = q > INT64_MAX - v->ordered_qty[k] ? INT64_MAX : v->ordered_qty[k] + q;
    return 0;
}

/* One row of file f at line: its order id as the run shows it (invalid UTF-8 escaped). */
static int take_row(ctx *c, size_t f, const char *source, uint64_t line, fmt_str id,
                    const fmt_out_row *row, int first_of_record, const char *rec, size_t rec_len)
{
    c->data_rows++;
    char text[32];
    snprintf(text, sizeof text, "%llu", (unsigned long long)line);
    c->key.len = 0;
    fmt_buf_puts(&c->key, source);
    fmt_buf_putc(&c->key, ENG_VMAP_SEP);
    fmt_buf_puts(&c->key, text);
    if (c->key.failed)
        return -1;
    int named = eng_vmap_find(c->named, c->key.p, c->key.len) >= 0;
    if (id.len == 0) {
        if (!named) {
            c->unnamed++;
            eng_vreport_broken(c->v->report, 3,
                               "%s:%llu: the row has no order id and is not in exceptions.csv",
                               source, (unsigned long long)line);
        }
        return 0;
    }
    size_t len = id.len;
    const char *shown = id.p;
    if (fmt_utf8_valid_prefix(id.p, id.len) != id.len) {
        shown = eng_text_sanitize(c->mem, id.p, id.len, &len);
        if (!shown)
            return -1;
    }
    int64_t k = id_of(c, shown, len);
    if (k < 0)
        return -1;
    order_seen *s = &c->seen[k];
    if (s->last_file != (int64_t)f) {
        if (s->files == 0) {
            s->first_file = (int64_t)f;
            s->first_line = line;
        }
        s->files++;
        s->last_file = (int64_t)f;
    }
    /* What the order asked for, from its first file: a row repeated byte for byte inside
     * the file (DUPLICATE_ROW) counts once. */
    if (row && !row->head_only && s->first_file == (int64_t)f) {
        unsigned char digest[32];
        fmt_sha256_digest(c->sha, rec, rec_len, digest);
        c->key.len = 0;
        fmt_buf_put(&c->key, &f, sizeof f);
        fmt_buf_put(&c->key, digest, sizeof digest);
        fmt_buf_put(&c->key, &first_of_record, sizeof first_of_record);
        if (c->key.failed)
            return -1;
        int added;
        if (eng_vmap_add(c->rows, c->key.p, c->key.len, &added) < 0)
            return -1;
        if (added &&
            add_ordered(c, (fmt_str){shown, len}, row->v[FMT_COL_SKU], row->v[FMT_COL_QTY]) != 0)
            return -1;
    }
    return 0;
}

/* Which layout reads file f: a map:FILE mapping when the run had one, else what
 * summary.json says the run detected, else detection from the header as the run does. */
static const fmt_layout *layout_from_summary(const eng_vrun *v, size_t k, const char **encoding)
{
    const eng_vjson *ins = eng_vjson_get(v->summary, "inputs");
    size_t seen = 0;
    for (size_t i = 0; i < eng_vjson_len(ins); i++) {
        const eng_vjson *in = eng_vjson_at(ins, i);
        const char *role = eng_vjson_get_str(in, "role");
        if (!role || strcmp(role, "orders") != 0)
            continue;
        if (seen++ != k)
            continue;
        const char *enc = eng_vjson_get_str(in, "encoding");
        if (enc && strcmp(enc, "UTF-8") != 0)
            *encoding = enc;
        const char *fmt = eng_vjson_get_str(in, "format");
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
    l = mapping ? mapping : layout_from_summary(v, k, &encoding);
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
                continue;
            }
            fmt_out_reset(&out);
            if (l->transform(l, bind, fields, &out) != ENG_OK) {
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
            for (size_t i = 0; i < out.n; i++)
                if (take_row(c, f, in->recorded, line, out.rows[i].v[FMT_COL_ORDER_ID],
                             &out.rows[i], (int)i, rec.p, rec.len) != 0) {
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

static eng_rc check(ctx *c)
{
    eng_vrun *v = c->v;
    const eng_vtable *ex = v->exceptions, *st = v->status;
    for (size_t r = 0; r < eng_vtable_rows(ex); r++) {
        c->key.len = 0;
        fmt_buf_puts(&c->key, eng_vtable_get(ex, r, EX_SOURCE));
        fmt_buf_putc(&c->key, ENG_VMAP_SEP);
        fmt_buf_puts(&c->key, eng_vtable_get(ex, r, EX_LINE));
        if (c->key.failed || eng_vmap_add(c->named, c->key.p, c->key.len, NULL) < 0)
            return ENG_NOMEM;
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
        if (strcmp(v->inputs[i].role, "mapping") == 0) {
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
            rc = read_orders_file(c, i, &v->inputs[i], k++, mapping);
            n_files++;
        }
    fmt_mapping_free(owned_mapping);
    if (rc != ENG_OK)
        return rc;
    if (eng_vreport_has_unreadable(v->report) && c->incomplete) {
        eng_vreport_unchecked(v->report, 3, "an orders file could not be read (see above)");
        eng_vmap_free(v->ordered);
        v->ordered = NULL;
        return ENG_OK;
    }

    size_t n_ids = eng_vmap_count(c->ids), n_orders = 0;
    for (size_t id = 0; id < n_ids; id++) {
        const order_seen *s = &c->seen[id];
        const char *name = eng_vmap_key(c->ids, (int64_t)id, NULL);
        n_orders += (size_t)s->files;
        if (s->status_rows == s->files)
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
                "order %s has %lld rows in %s (lines %llu, %llu%s) but is read "
                "from %lld orders file%s (first %s:%llu)",
                name, (long long)s->status_rows, eng_vtable_label(st),
                (unsigned long long)s->status_line[0], (unsigned long long)s->status_line[1],
                s->status_rows > 2 ? ", ..." : "", (long long)s->files, s->files == 1 ? "" : "s",
                v->inputs[s->first_file].recorded, (unsigned long long)s->first_line);
    }
    eng_vreport_detail(v->report, 3,
                       "%zu orders in %zu files have one status row each; %llu rows read, "
                       "each in an order or in exceptions.csv",
                       n_orders, n_files, (unsigned long long)c->data_rows);
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
    c.rows = eng_vmap_new();
    c.mem = eng_arena_new(1u << 16);
    c.sha = fmt_sha256_new();
    v->ordered = eng_vmap_new();
    fmt_buf_init(&c.key);
    eng_rc rc = ENG_NOMEM;
    if (c.ids && c.named && c.rows && c.mem && c.sha && v->ordered)
        rc = check(&c);
    eng_vmap_free(c.ids);
    eng_vmap_free(c.named);
    eng_vmap_free(c.rows);
    eng_arena_free(c.mem);
    fmt_sha256_free(c.sha);
    fmt_buf_release(&c.key);
    free(c.seen);
    return rc;
}
