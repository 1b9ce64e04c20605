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

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../formats/chunker.h"
#include "../formats/currency.h"
#include "../formats/isotime.h"
#include "../formats/sha256.h"
#include "../formats/source.h"
#include "../formats/utf8.h"
#include "hash.h"
#include "queue.h"
#include "text.h"

#define CHUNK_SIZE (4u << 20)

/* ---- checking one record ---- */

struct eng_ingest_worker {
    fmt_csv_fields *fields;
    fmt_sha256 *sha;
};

eng_ingest_worker *eng_ingest_worker_new(void)
{
    eng_ingest_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->fields = fmt_csv_fields_new(',');
    w->sha = fmt_sha256_new();
    if (!w->fields || !w->sha) {
        eng_ingest_worker_free(w);
        return NULL;
    }
    return w;
}

void eng_ingest_worker_free(eng_ingest_worker *w)
{
    if (!w)
        return;
    fmt_csv_fields_free(w->fields);
    fmt_sha256_free(w->sha);
    free(w);
}

static eng_row *new_row(eng_batch *b)
{
    if (b->n_rows == b->cap_rows) {
        size_t cap = b->cap_rows ? b->cap_rows * 2 : 1024;
        eng_row *grown = realloc(b->rows, cap * sizeof *grown);
        if (!grown)
            return NULL;
        b->rows = grown;
        b->cap_rows = cap;
    }
    eng_row *r = &b->rows[b->n_rows++];
    memset(r, 0, sizeof *r);
    return r;
}

/* Raise code on row with an exception; msg is already formatted. */
static eng_rc flag(eng_batch *b, eng_row *row, eng_code code, const char *field, const char *msg)
{
    eng_row_fault(row, code);
    return eng_exc_add(&b->exc, b->mem, b->file, row->line, row->order_id, code, field, "%s", msg);
}

static int is_valid_utf8(fmt_str s)
{
    return fmt_utf8_valid_prefix(s.p, s.len) == s.len;
}

/* Copy text into the batch arena, escaping invalid bytes so outputs stay UTF-8. */
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
        if (prev->order_id && prev->order_id_len == id.len &&
            memcmp(prev->order_id, id.p, id.len) == 0 && is_valid_utf8(id)) {
            row->order_id = prev->order_id;
            row->order_id_len = prev->order_id_len;
            return ENG_OK;
        }
    }
    uint32_t len;
    row->order_id = keep_text(b, id, &len);
    if (!row->order_id)
        return ENG_NOMEM;
    row->order_id_len = len;
    if (!is_valid_utf8(id))
        row->flags |= ENG_ROW_ID_ESCAPED;
    return ENG_OK;
}

static int head_equal(const eng_head *a, const eng_head *b)
{
    if (a->present != b->present || a->time_ns != b->time_ns || a->priority != b->priority)
        return 0;
    for (int i = 0; i < ENG_HT_COUNT; i++)
        if (a->text[i].len != b->text[i].len ||
            memcmp(a->text[i].p, b->text[i].p, a->text[i].len) != 0)
            return 0;
    for (int i = 0; i < ENG_HM_COUNT; i++)
        if (a->money[i].mant != b->money[i].mant || a->money[i].frac != b->money[i].frac)
            return 0;
    return 1;
}

/* Store the row's order-level values; identical heads on consecutive rows are shared. */
static eng_rc keep_head(eng_batch *b, eng_row *row, const eng_head *h, const fmt_str *raw_text)
{
    if (b->n_rows >= 2) {
        const eng_row *prev = &b->rows[b->n_rows - 2];
        if (prev->head && head_equal(prev->head, h)) {
            row->head = prev->head;
            return ENG_OK;
        }
    }
    eng_head *copy = eng_arena_alloc(b->mem, sizeof *copy, _Alignof(eng_head));
    if (!copy)
        return ENG_NOMEM;
    *copy = *h;
    for (int i = 0; i < ENG_HT_COUNT; i++) {
        copy->text[i].p = keep_text(b, raw_text[i], &copy->text[i].len);
        if (!copy->text[i].p)
            return ENG_NOMEM;
    }
    row->head = copy;
    return ENG_OK;
}

static const char *num_problem(fmt_num_rc rc)
{
    return fmt_num_rc_text(rc);
}

eng_rc eng_ingest_record(eng_batch *b, eng_ingest_worker *w, const eng_layout *layout,
                         const eng_catalog *catalog, const char *rec, size_t len, uint64_t line,
                         uint64_t end_line)
{
    eng_row *row = new_row(b);
    if (!row)
        return ENG_NOMEM;
    row->line = line;
    row->file = b->file;
    unsigned char digest[32];
    fmt_sha256_digest(w->sha, rec, len, digest);
    memcpy(row->raw_digest, digest, sizeof row->raw_digest);
    row->raw_len = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
    row->product = -1;
    row->open_qty = -1;

    fmt_csv_fields *fields = w->fields;
    eng_rc split = fmt_csv_split(fields, rec, len);
    if (split == ENG_NOMEM)
        return ENG_NOMEM;
    size_t n = fmt_csv_count(fields);
    fmt_str val[FMT_COL_COUNT];
    for (int c = 0; c < FMT_COL_COUNT; c++) {
        int at = layout->col[c];
        if (at >= 0 && (size_t)at < n) {
            val[c] = fmt_csv_field(fields, (size_t)at);
        } else {
            val[c].p = "";
            val[c].len = 0;
        }
    }
    ENG_TRY(set_order_id(b, row, val[FMT_COL_ORDER_ID]));
    for (int c = 0; c < FMT_COL_COUNT; c++)
        if (val[c].len)
            row->given |= 1u << c;

    char msg[320], q[64];
    if (split == ENG_DATA || n != layout->n_header) {
        if (end_line > line)
            /* Whatever went wrong, the record swallowed the lines up to end_line: say so,
             * and count them as bad rows for max_error_rate, so that a quote left open
             * cannot hide the rest of a file behind one exception. */
            snprintf(msg, sizeof msg,
                     "the row is not well-formed CSV: it runs on to line %llu (a quote opened "
                     "and not closed where expected?), so lines %llu-%llu are read into it, "
                     "not as rows of their own",
                     (unsigned long long)end_line, (unsigned long long)line + 1,
                     (unsigned long long)end_line);
        else if (split == ENG_DATA)
            snprintf(msg, sizeof msg,
                     "the row is not well-formed CSV (a quote inside an unquoted field, text "
                     "after a closing quote, or a quote never closed)");
        else
            snprintf(msg, sizeof msg, "the row has %zu fields, the header has %zu", n,
                     layout->n_header);
        row->given = UINT32_MAX;
        b->swallowed_lines += end_line - line;
        return flag(b, row, ENG_CODE_MALFORMED_ROW, "", msg);
    }

    /* Quotes and delimiters are ASCII, so a valid record has only valid fields: look
     * field by field only when the record as a whole fails. */
    for (size_t i = 0; fmt_utf8_valid_prefix(rec, len) != len && i < n; i++) {
        fmt_str f = fmt_csv_field(fields, i);
        size_t ok = fmt_utf8_valid_prefix(f.p, f.len);
        if (ok == f.len)
            continue;
        eng_text_quote(q, sizeof q, f.p, f.len);
        snprintf(msg, sizeof msg, "%s is not valid UTF-8 (byte 0x%02X at position %zu)", q,
                 (unsigned char)f.p[ok], ok + 1);
        ENG_TRY(flag(b, row, ENG_CODE_BAD_ENCODING, layout->header_names[i], msg));
    }

    if (val[FMT_COL_ORDER_ID].len == 0)
        ENG_TRY(flag(b, row, ENG_CODE_MISSING_FIELD, "order_id",
                     "order_id is blank, so the row belongs to no order"));

    fmt_str sku = val[FMT_COL_SKU];
    if (sku.len == 0) {
        ENG_TRY(flag(b, row, ENG_CODE_MISSING_FIELD, "sku", "sku is blank"));
    } else {
        row->product = eng_catalog_find(catalog, sku.p, sku.len);
        if (row->product < 0 || !eng_catalog_get(catalog, (uint32_t)row->product)->active)
            eng_text_quote(q, sizeof q, sku.p, sku.len);
        if (row->product < 0) {
            snprintf(msg, sizeof msg, "SKU %s is not in the catalog", q);
            ENG_TRY(flag(b, row, ENG_CODE_UNKNOWN_SKU, "sku", msg));
        } else {
            const eng_product *p = eng_catalog_get(catalog, (uint32_t)row->product);
            if (!p->active) {
                snprintf(msg, sizeof msg, "SKU %s has catalog status \"%.40s\", not active", q,
                         p->status);
                ENG_TRY(flag(b, row, ENG_CODE_SKU_INACTIVE, "sku", msg));
            }
        }
    }

    fmt_str qty = val[FMT_COL_QTY];
    if (qty.len == 0) {
        ENG_TRY(flag(b, row, ENG_CODE_MISSING_FIELD, "qty", "qty is blank"));
    } else if (fmt_qty_parse(qty.p, qty.len, &row->qty) == FMT_NUM_OK) {
        row->flags |= ENG_ROW_QTY_OK;
    } else {
        eng_text_quote(q, sizeof q, qty.p, qty.len);
        snprintf(msg, sizeof msg, "qty %s is not a positive whole number", q);
        ENG_TRY(flag(b, row, ENG_CODE_BAD_QTY, "qty", msg));
    }

    fmt_str open = val[FMT_COL_OPEN_QTY];
    if (open.len &&
        (fmt_int_parse(open.p, open.len, &row->open_qty) != FMT_NUM_OK || row->open_qty < 0)) {
        row->open_qty = -1;
        eng_text_quote(q, sizeof q, open.p, open.len);
        snprintf(msg, sizeof msg, "open_qty %s is not a whole number of units >= 0", q);
        ENG_TRY(flag(b, row, ENG_CODE_BAD_QTY, "open_qty", msg));
    }

    fmt_str price = val[FMT_COL_UNIT_PRICE];
    if (price.len == 0) {
        ENG_TRY(flag(b, row, ENG_CODE_MISSING_FIELD, "unit_price", "unit_price is blank"));
    } else {
        fmt_num_rc nrc = fmt_dec_parse(price.p, price.len, &row->unit_price);
        if (nrc == FMT_NUM_OK) {
            row->flags |= ENG_ROW_PRICE_OK;
        } else {
            eng_text_quote(q, sizeof q, price.p, price.len);
            snprintf(msg, sizeof msg, "unit_price %s %s", q, num_problem(nrc));
            ENG_TRY(flag(b, row, ENG_CODE_BAD_NUMBER, "unit_price", msg));
        }
    }

    eng_head h;
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
        const char *name = fmt_col_name((fmt_col)c);
        int ts = eng_head_text_slot((fmt_col)c), ms = eng_head_money_slot((fmt_col)c);
        if (ts >= 0) {
            raw_text[ts] = v;
        } else if (ms >= 0) {
            fmt_num_rc nrc = fmt_dec_parse(v.p, v.len, &h.money[ms]);
            if (nrc != FMT_NUM_OK) {
                eng_text_quote(q, sizeof q, v.p, v.len);
                snprintf(msg, sizeof msg, "%s %s %s", name, q, num_problem(nrc));
                ENG_TRY(flag(b, row, ENG_CODE_BAD_NUMBER, name, msg));
                continue;
            }
        } else if (c == FMT_COL_ORDER_TIME) {
            if (fmt_isotime_parse(v.p, v.len, &h.time_ns) != 0) {
                eng_text_quote(q, sizeof q, v.p, v.len);
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
    /* Until kept, the head points at the field buffer: enough to compare. */
    for (int i = 0; i < ENG_HT_COUNT; i++) {
        h.text[i].p = raw_text[i].p;
        h.text[i].len = (uint32_t)raw_text[i].len;
    }
    ENG_TRY(keep_head(b, row, &h, raw_text));
    return ENG_OK;
}

eng_rc eng_ingest_partition(eng_batch *b)
{
    uint32_t count[ENG_PARTS] = {0};
    uint8_t *part_of = malloc(b->n_rows ? b->n_rows : 1);
    b->by_part = malloc((b->n_rows ? b->n_rows : 1) * sizeof *b->by_part);
    if (!part_of || !b->by_part) {
        free(part_of);
        return ENG_NOMEM;
    }
    for (size_t i = 0; i < b->n_rows; i++) {
        const eng_row *r = &b->rows[i];
        if (!r->order_id)
            continue;
        /* The top byte picks the partition; orders.c indexes its table with low bits. */
        part_of[i] = (uint8_t)(eng_hash_bytes(r->order_id, r->order_id_len) >> 56);
        count[part_of[i]]++;
    }
    b->part_start[0] = 0;
    for (int p = 0; p < ENG_PARTS; p++)
        b->part_start[p + 1] = b->part_start[p] + count[p];
    uint32_t fill[ENG_PARTS];
    memcpy(fill, b->part_start, sizeof fill);
    for (size_t i = 0; i < b->n_rows; i++)
        if (b->rows[i].order_id)
            b->by_part[fill[part_of[i]]++] = (uint32_t)i;
    free(part_of);
    return ENG_OK;
}

/* ---- the reader thread and the workers ---- */

typedef struct work_item {
    fmt_chunk *chunk;
    uint16_t file;
} work_item;

typedef struct ingest {
    eng_night *night;
    eng_queue *queue;
    eng_layout *layouts;         /* per order file; written by the reader before its first chunk
                                    of that file is queued (the queue's mutex publishes it) */
    fmt_buf *header_text;        /* per file: header names, owned */
    eng_ingest_worker **workers; /* per pool thread */
    pthread_mutex_t mu;
    eng_batch **results; /* protected by mu */
    size_t n_results;    /* protected by mu */
    size_t cap_results;  /* protected by mu */
    eng_rc reader_rc;    /* written by the reader, read after join */
    eng_err reader_err;
} ingest;

static eng_rc read_header(ingest *in, uint16_t file, fmt_chunk *ch, eng_err *err)
{
    eng_source *src = &in->night->sources[file];
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, ch->data, ch->len, ch->first_line, ',');
    fmt_str rec;
    uint64_t line;
    err->path = src->path;
    err->line = 0;
    err->field = NULL;
    if (!fmt_csv_iter_next(&it, &rec, &line))
        return ENG_FAIL(err, ENG_REFUSED,
                        "the orders file is empty: it needs a header line naming the columns");
    err->line = line;
    fmt_csv_fields *f = fmt_csv_fields_new(',');
    if (!f)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    eng_rc rc = fmt_csv_split(f, rec.p, rec.len);
    if (rc == ENG_DATA)
        rc = ENG_FAIL(err, ENG_REFUSED, "the header line is not well-formed CSV");
    else if (rc == ENG_NOMEM)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    eng_layout *lay = &in->layouts[file];
    if (rc == ENG_OK)
        rc = fmt_header_map(f, fmt_canon_columns(), FMT_COL_COUNT, lay->col, "canonical orders",
                            err);
    if (rc == ENG_OK) {
        size_t n = fmt_csv_count(f);
        fmt_buf *text = &in->header_text[file];
        size_t *offs = calloc(n ? n : 1, sizeof *offs);
        lay->header_names = calloc(n ? n : 1, sizeof *lay->header_names);
        if (!offs || !lay->header_names) {
            free(offs);
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
        } else {
            /* Names go into exceptions.csv (field): keep them valid UTF-8. */
            eng_arena *scratch = eng_arena_new(4096);
            for (size_t i = 0; i < n && scratch; i++) {
                fmt_str name = fmt_csv_field(f, i);
                offs[i] = text->len;
                if (!is_valid_utf8(name))
                    name.p = eng_text_sanitize(scratch, name.p, name.len, &name.len);
                if (name.p)
                    fmt_buf_put(text, name.p, name.len);
                fmt_buf_putc(text, '\0');
            }
            if (!scratch)
                text->failed = 1;
            eng_arena_free(scratch);
            for (size_t i = 0; i < n; i++)
                lay->header_names[i] = text->p ? text->p + offs[i] : "";
            /* Known columns are named as SPEC spells them, whatever the file's case. */
            for (int c = 0; c < FMT_COL_COUNT; c++)
                if (lay->col[c] >= 0)
                    lay->header_names[lay->col[c]] = fmt_col_name((fmt_col)c);
            lay->n_header = n;
            free(offs);
            if (text->failed)
                rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
        }
    }
    fmt_csv_fields_free(f);
    if (rc == ENG_OK) {
        /* The chunk now starts after the header. */
        ch->start = it.pos;
        ch->first_line = it.line;
        src->format = "canonical";
    }
    return rc;
}

static eng_rc read_file(ingest *in, uint16_t file, eng_err *err)
{
    eng_source *src = &in->night->sources[file];
    fmt_source *s = NULL;
    ENG_TRY(fmt_source_open(src->path, &s, err));
    size_t chunk = in->night->chunk_size ? in->night->chunk_size : CHUNK_SIZE;
    fmt_chunker *c = fmt_chunker_new(s, ',', chunk);
    eng_rc rc = c ? ENG_OK : ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", src->path);
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
            rc = read_header(in, file, ch, err);
            first = 0;
            if (rc != ENG_OK) {
                fmt_chunk_free(ch);
                break;
            }
        }
        work_item *item = malloc(sizeof *item);
        if (!item) {
            fmt_chunk_free(ch);
            rc = ENG_FAIL(err, ENG_NOMEM, "out of memory reading %s", src->path);
            break;
        }
        item->chunk = ch;
        item->file = file;
        if (eng_queue_push(in->queue, item) != 0) {
            /* A worker failed and closed the queue; its error is reported instead. */
            fmt_chunk_free(ch);
            free(item);
            rc = ENG_INTERNAL;
            break;
        }
    }
    if (rc == ENG_OK) {
        src->bytes = fmt_source_raw_bytes(s);
        fmt_source_sha256(s, src->sha256);
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
    for (size_t f = 0; f < in->night->n_order_files && in->reader_rc == ENG_OK; f++)
        in->reader_rc = read_file(in, (uint16_t)f, &in->reader_err);
    eng_queue_close(in->queue);
    return NULL;
}

static eng_rc parse_chunk(ingest *in, work_item *item, unsigned worker, eng_batch **out,
                          eng_err *err)
{
    eng_batch *b = calloc(1, sizeof *b);
    if (!b)
        return ENG_NOMEM;
    b->file = item->file;
    b->seq = item->chunk->seq;
    b->mem = eng_arena_new(1u << 18);
    if (!b->mem) {
        eng_batch_free(b);
        return ENG_NOMEM;
    }
    const fmt_chunk *ch = item->chunk;
    const eng_layout *lay = &in->layouts[item->file];
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, ch->data + ch->start, ch->len - ch->start, ch->first_line, ',');
    fmt_str rec;
    uint64_t line;
    eng_rc rc = ENG_OK;
    while (rc == ENG_OK && fmt_csv_iter_next(&it, &rec, &line)) {
        rc = eng_ingest_record(b, in->workers[worker], lay, in->night->catalog, rec.p, rec.len,
                               line, it.line);
        /* A quote left open at the end of the file took every line after it. */
        uint64_t last = it.line; /* last line holding bytes of the record */
        if (rec.len && (rec.p[rec.len - 1] == '\n' || rec.p[rec.len - 1] == '\r'))
            last--;
        if (rc == ENG_OK && !it.complete && last > line &&
            b->rows[b->n_rows - 1].worst == ENG_CODE_MALFORMED_ROW) {
            err->path = in->night->sources[item->file].path;
            err->line = line;
            err->field = NULL;
            rc = ENG_FAIL(err, ENG_REFUSED,
                          "a quote opened on this line is never closed, so lines %llu-%llu, to "
                          "the end of the file, would be lost; fix the file",
                          (unsigned long long)line + 1, (unsigned long long)last);
        }
    }
    if (rc == ENG_OK)
        rc = eng_ingest_partition(b);
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
            rc = parse_chunk(in, item, worker, &b, err);
            if (rc == ENG_OK) {
                rc = keep_batch(in, b);
                if (rc != ENG_OK)
                    eng_batch_free(b);
            }
            if (rc == ENG_NOMEM)
                ENG_FAIL(err, rc, "out of memory parsing %s", in->night->sources[item->file].path);
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

eng_rc eng_ingest_orders(eng_night *night, eng_pool *pool, eng_err *err)
{
    ingest in;
    memset(&in, 0, sizeof in);
    in.night = night;
    unsigned n_workers = eng_pool_threads(pool);
    size_t n_files = night->n_order_files;
    /* Two chunks per worker keep everyone busy; the cap bounds raw text in memory
     * (16 x 4 MiB) however many threads are asked for. */
    size_t depth = 2 * (size_t)n_workers < 16 ? 2 * (size_t)n_workers : 16;
    eng_rc rc = eng_queue_new(depth, &in.queue, err);
    if (rc != ENG_OK)
        return rc;
    pthread_mutex_init(&in.mu, NULL);
    in.layouts = calloc(n_files ? n_files : 1, sizeof *in.layouts);
    in.header_text = calloc(n_files ? n_files : 1, sizeof *in.header_text);
    in.workers = calloc(n_workers, sizeof *in.workers);
    if (!in.layouts || !in.header_text || !in.workers) {
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory starting to read orders");
        goto done;
    }
    for (unsigned w = 0; w < n_workers; w++) {
        in.workers[w] = eng_ingest_worker_new();
        if (!in.workers[w]) {
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
    qsort(in.results, in.n_results, sizeof *in.results, cmp_batch);
    night->batches = in.results;
    night->n_batches = in.n_results;
    in.results = NULL;
    in.n_results = 0;
    for (size_t i = 0; i < night->n_batches; i++)
        night->sources[night->batches[i]->file].data_rows += night->batches[i]->n_rows;
done:
    for (size_t i = 0; i < in.n_results; i++)
        eng_batch_free(in.results[i]);
    free(in.results);
    if (in.workers)
        for (unsigned w = 0; w < n_workers; w++)
            eng_ingest_worker_free(in.workers[w]);
    free(in.workers);
    if (in.layouts)
        for (size_t f = 0; f < n_files; f++)
            free(in.layouts[f].header_names);
    free(in.layouts);
    /* Header names are referenced by exceptions (field) for the whole run: keep them. */
    if (rc == ENG_OK) {
        night->header_text = in.header_text;
    } else if (in.header_text) {
        for (size_t f = 0; f < n_files; f++)
            fmt_buf_release(&in.header_text[f]);
        free(in.header_text);
    }
    pthread_mutex_destroy(&in.mu);
    eng_queue_free(in.queue);
    return rc;
}
