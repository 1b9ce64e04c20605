/* Order grouping and order-level validation, one partition per task.
 *
 * Per partition:
 *   1. visit its rows batch by batch (batches are in file and chunk order), giving each
 *      row its order: same id in the same file joins; the same id in another file makes
 *      another order;
 *   2. gather each order's rows, still in input order (a stable counting sort), and link
 *      copies: an order is identified by (channel, order id), its channel being the first
 *      non-blank channel of its rows, so the same id from two channels is two orders; of
 *      several copies of one (channel, id), one goes on and the others are set aside
 *      (DUPLICATE_ORDER, or ORDER_AMENDED for a backorders copy an export changed), by
 *      choose_copy's rules;
 *   3. check each order: repeated rows, inherited fields that disagree, required
 *      order-level fields, currency against the catalog, money against the currency's
 *      decimals, price floor, stated total;
 *   4. write the verdict: REJECTED with the code of its first bad row, or valid.
 * A task writes only its own partition and the rows that hash to it. */
#include "orders.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../base/hash.h"
#include "../base/heap.h"
#include "../base/kmerge.h"
#include "../intake/history.h"
#include "../base/text.h"

typedef struct pending {
    const char *id;
    uint32_t id_len;
    int escaped; /* the id was invalid UTF-8, stored escaped (ENG_ROW_ID_ESCAPED) */
    uint16_t file;
    uint32_t n_rows;
    int32_t original;   /* for a copy set aside: the copy that goes on, else -1 */
    int32_t next_copy;  /* the next copy of the same (channel, id) in file order, else -1 */
    int32_t last_copy;  /* on the first copy: the last one so far */
    uint8_t aside_code; /* for a copy set aside: DUPLICATE_ORDER or ORDER_AMENDED */
    uint8_t why;        /* for a copy set aside: which of choose_copy's rules chose */
    eng_text channel;   /* link_copies: the first non-blank channel of its rows */
} pending;

/* Why a copy goes on instead of another (choose_copy). */
enum {
    CHOSE_FIRST_FILE, /* two exports, or two backorders copies: the first file's */
    CHOSE_STATE,      /* the marketplace's verdict (cancelled...) settles the order */
    CHOSE_BACKORDERS, /* a backorders copy of the same lines, quantities and ship-to */
    CHOSE_AMENDMENT,  /* an export that changes a backorders copy */
};

typedef struct visit {
    eng_row *row;
    uint32_t order;
} visit;

/* What every partition task reads, and writes (its own partition, its own rows). */
typedef struct book_ctx {
    const eng_setup *setup;
    eng_batches *batches; /* rows taken, final flags written back (release_rows) */
    const eng_history *history;
    eng_book *book;
    const unsigned char *here; /* per partition (ENG_PARTS: no order id): its rows are here;
                                  NULL: all are */
} book_ctx;

static int is_here(const book_ctx *c, size_t p)
{
    return !c->here || c->here[p];
}

typedef struct part_task {
    const book_ctx *ctx;
    eng_partition *part;
    /* scratch, freed at the end of the task */
    visit *visits;
    size_t n_visits;
    pending *pend;
    size_t n_pend;
    size_t cap_pend;
    eng_row **rows;      /* rows grouped by order */
    uint32_t *row_start; /* n_pend + 1 */
} part_task;

static const char *source_path(const eng_setup *s, uint16_t file)
{
    return s->sources[file].path;
}

/* ---- 1. visiting ---- */

/* The pending order of row's id and file, from table (order index + 1, the latest per
 * id) or added to it. Which copy of an order an order is, is settled once its rows are
 * grouped and its channel known (link_copies). */
static eng_rc order_of_row(part_task *t, uint32_t *table, size_t mask, const eng_row *row,
                           uint32_t *order)
{
    uint32_t id_len = eng_row_id_len(row);
    size_t h = eng_hash_bytes(row->order_id, id_len) & mask;
    uint32_t found = 0;
    while (table[h]) {
        const pending *q = &t->pend[table[h] - 1];
        if (q->id_len == id_len && q->escaped == !!(row->flags & ENG_ROW_ID_ESCAPED) &&
            memcmp(q->id, row->order_id, id_len) == 0) {
            found = table[h];
            break;
        }
        h = (h + 1) & mask;
    }
    if (found && t->pend[found - 1].file == row->file) {
        *order = found - 1;
        return ENG_OK;
    }
    if (t->n_pend == t->cap_pend) {
        size_t cap = t->cap_pend ? t->cap_pend * 2 : 256;
        pending *grown = realloc(t->pend, cap * sizeof *grown);
        if (!grown)
            return ENG_NOMEM;
        t->pend = grown;
        t->cap_pend = cap;
    }
    *order = (uint32_t)t->n_pend++;
    pending *q = &t->pend[*order];
    memset(q, 0, sizeof *q);
    q->id = row->order_id;
    q->id_len = id_len;
    q->escaped = !!(row->flags & ENG_ROW_ID_ESCAPED);
    q->file = row->file;
    q->original = -1;
    table[h] = *order + 1;
    return ENG_OK;
}

#define ID_AHEAD 8

static eng_rc visit_rows(part_task *t)
{
    size_t total = t->part->n_rows;
    t->visits = malloc((total ? total : 1) * sizeof *t->visits);
    size_t size = 16;
    while (size < total * 2)
        size *= 2;
    uint32_t *table = calloc(size, sizeof *table);
    if (!t->visits || !table) {
        free(table);
        return ENG_NOMEM;
    }
    const char *last_id = NULL; /* the id text the previous row shared */
    uint16_t last_escaped = 0;
    uint32_t order = 0;
    eng_rc rc = ENG_OK;
    const eng_batches *bs = t->ctx->batches;
    size_t p = (size_t)(t->part - t->ctx->book->parts);
    /* The partition's rows are every batch's part_rows[p], in batch order. */
    for (size_t b = 0, j = 0, k = 0; k < total && rc == ENG_OK; k++, j++) {
        const eng_batch *bt = bs->items[b];
        while (j == eng_batch_part_count(bt, p)) {
            bt = bs->items[++b];
            j = 0;
        }
        eng_row *row = &bt->part_rows[p][j];
        /* The rows lie in order here, but their ids' texts lie in the arenas of the
         * workers that read them, cold by now: the lookup's first read of an id (its
         * length, before its text) missed the cache on every order. Ask 8 rows ahead. */
        if (j + ID_AHEAD < eng_batch_part_count(bt, p))
            __builtin_prefetch(bt->part_rows[p][j + ID_AHEAD].order_id - sizeof(uint32_t));
        uint16_t escaped = row->flags & ENG_ROW_ID_ESCAPED;
        /* Rows of one order that follow each other in a file share their id's text
         * (ingest's set_order_id shares a text only between rows of one batch, and every
         * copy is an allocation of its own), so the same pointer is the same order of the same
         * file: no hashing and no lookup in the table. (An escaped id may share its text with a
         * literal one, and is still another order.) */
        if (row->order_id != last_id || escaped != last_escaped)
            rc = order_of_row(t, table, size - 1, row, &order);
        if (rc != ENG_OK)
            break;
        last_id = row->order_id;
        last_escaped = escaped;
        t->pend[order].n_rows++;
        t->visits[t->n_visits].row = row;
        t->visits[t->n_visits].order = order;
        t->n_visits++;
    }
    free(table);
    return rc;
}

/* ---- 2. grouping ---- */

static eng_rc group_rows(part_task *t)
{
    t->rows = malloc((t->n_visits ? t->n_visits : 1) * sizeof *t->rows);
    t->row_start = calloc(t->n_pend + 1, sizeof *t->row_start);
    if (!t->rows || !t->row_start)
        return ENG_NOMEM;
    for (size_t o = 0; o < t->n_pend; o++)
        t->row_start[o + 1] = t->row_start[o] + t->pend[o].n_rows;
    uint32_t *fill = malloc((t->n_pend ? t->n_pend : 1) * sizeof *fill);
    if (!fill)
        return ENG_NOMEM;
    memcpy(fill, t->row_start, t->n_pend * sizeof *fill);
    for (size_t v = 0; v < t->n_visits; v++)
        t->rows[fill[t->visits[v].order]++] = t->visits[v].row;
    free(fill);
    return ENG_OK;
}

static eng_rc choose_copy(part_task *t, uint32_t first);

/* Each order's channel (the first non-blank one of its rows, as the resolved head will
 * have it) and its copies: pendings are in file order, so each (channel, id)'s copies are
 * chained in file order from its first; choose_copy then says which goes on. */
static eng_rc link_copies(part_task *t)
{
    size_t size = 16;
    while (size < t->n_pend * 2)
        size *= 2;
    uint32_t *table = calloc(size, sizeof *table); /* pending index + 1 */
    if (!table)
        return ENG_NOMEM;
    for (size_t o = 0; o < t->n_pend; o++) {
        pending *q = &t->pend[o];
        q->channel = (eng_text){"", 0};
        for (uint32_t k = t->row_start[o]; k < t->row_start[o + 1] && !q->channel.len; k++)
            if (t->rows[k]->head)
                q->channel = eng_head_text(t->rows[k]->head, ENG_HT_CHANNEL);
        size_t h = (eng_hash_bytes(q->id, q->id_len) ^
                    eng_hash_bytes(q->channel.p, q->channel.len) * UINT64_C(0x9E3779B97F4A7C15)) &
                   (size - 1);
        for (; table[h]; h = (h + 1) & (size - 1)) {
            const pending *e = &t->pend[table[h] - 1];
            if (e->id_len == q->id_len && e->escaped == q->escaped &&
                e->channel.len == q->channel.len && memcmp(e->id, q->id, q->id_len) == 0 &&
                memcmp(e->channel.p, q->channel.p, q->channel.len) == 0)
                break;
        }
        q->next_copy = -1;
        if (table[h]) {
            pending *head = &t->pend[table[h] - 1];
            t->pend[head->last_copy].next_copy = (int32_t)o;
            head->last_copy = (int32_t)o;
            q->last_copy = -1; /* not a first copy */
        } else {
            table[h] = (uint32_t)o + 1;
            q->last_copy = (int32_t)o;
        }
    }
    free(table);
    for (uint32_t o = 0; o < t->n_pend; o++)
        if (t->pend[o].last_copy >= 0 && t->pend[o].next_copy >= 0)
            ENG_TRY(choose_copy(t, o));
    return ENG_OK;
}

/* ---- 3. checking one order ---- */

typedef struct order_check {
    part_task *t;
    eng_order *ord;
    eng_row **rows;
    uint32_t n_rows;
    eng_head_values res;               /* resolved order-level values but the texts: */
    eng_text res_text[ENG_HT_COUNT];   /* the resolved texts, in the heads they came from */
    const eng_row *src[FMT_COL_COUNT]; /* row each resolved value came from */
    int64_t money_minor[ENG_HM_COUNT];
    int money_ok; /* every given order-level amount converted */
    int quiet;    /* a copy set aside (only its aside code is reported on it), or an order
                     the marketplace settled */
} order_check;

static eng_rc raise(order_check *oc, eng_row *row, eng_code code, const char *field,
                    const char *msg)
{
    eng_partition *part = oc->t->part;
    if (oc->quiet && code != ENG_CODE_DUPLICATE_ORDER && code != ENG_CODE_ORDER_AMENDED)
        return ENG_OK;
    if (code != ENG_CODE_DUPLICATE_ROW && code != ENG_CODE_SUPERSEDED_ROW)
        eng_row_fault(row, code);
    return eng_exc_add(&part->exc, part->mem, row->file, eng_row_line(row), row->order_id, code,
                       field, "%s", msg);
}

/* Rows that become lines: not a repeat, not replaced by a later report row, not a
 * summary row. */
static int is_line(const eng_row *r)
{
    return !(r->flags & (ENG_ROW_DUP | ENG_ROW_SUPERSEDED | ENG_ROW_HEAD_ONLY));
}

static int same_digest(const eng_row *a, const eng_row *b)
{
    return a->rec_digest[0] == b->rec_digest[0] && a->rec_digest[1] == b->rec_digest[1];
}

static int same_text(eng_text a, eng_text b)
{
    return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

/* A quoted field keeps its blanks ("Ann  "), which DUPLICATE_ROW ignores. */
static eng_text trimmed(eng_text t)
{
    while (t.len && (t.p[0] == ' ' || t.p[0] == '\t')) {
        t.p++;
        t.len--;
    }
    while (t.len && (t.p[t.len - 1] == ' ' || t.p[t.len - 1] == '\t'))
        t.len--;
    return t;
}

static int heads_same(const eng_head *a, const eng_head *b)
{
    if (a == b)
        return 1;
    if (!a || !b || a->present != b->present || a->time_ns != b->time_ns ||
        eng_head_priority(a) != eng_head_priority(b))
        return 0;
    for (int m = 0; m < ENG_HM_COUNT; m++) {
        fmt_dec x = eng_head_money(a, (eng_hm)m), y = eng_head_money(b, (eng_hm)m);
        if (x.mant != y.mant || x.frac != y.frac)
            return 0;
    }
    for (int t = 0; t < ENG_HT_COUNT; t++)
        if (!same_text(trimmed(eng_head_text(a, (eng_ht)t)), trimmed(eng_head_text(b, (eng_ht)t))))
            return 0;
    return 1;
}

/* Two rows of one order are the same record: their digests meet (a keyed hash of every
 * field, ingest.c's record_digest) and every value kept of them is equal. The second
 * half turns a collision of the hash into two distinct rows; what it cannot see (a
 * column no rule reads) is covered by the 128-bit keyed digest alone. */
static int rows_same_record(const eng_row *a, const eng_row *b)
{
    enum {
        FROM_INTAKE = ENG_ROW_QTY_OK | ENG_ROW_PRICE_OK | ENG_ROW_ID_ESCAPED | ENG_ROW_HEAD_ONLY |
                      ENG_ROW_LINE_TOTAL | ENG_ROW_GIVEN_ALL
    };
    if (!same_digest(a, b))
        return 0;
    if ((a->flags & FROM_INTAKE) != (b->flags & FROM_INTAKE) || a->product != b->product ||
        eng_row_open_qty(a) != eng_row_open_qty(b) || a->order_state != b->order_state ||
        a->line_state != b->line_state)
        return 0;
    if ((a->flags & ENG_ROW_QTY_OK) && eng_row_qty(a) != eng_row_qty(b))
        return 0;
    if ((a->flags & ENG_ROW_PRICE_OK) &&
        (eng_row_unit_price(a).mant != eng_row_unit_price(b).mant || a->unit_frac != b->unit_frac))
        return 0;
    const eng_line_key *ka = eng_row_key(a), *kb = eng_row_key(b);
    if (!ka != !kb)
        return 0;
    if (ka &&
        (ka->updated_ns != kb->updated_ns ||
         !same_text(trimmed((eng_text){ka->id, ka->len}), trimmed((eng_text){kb->id, kb->len}))))
        return 0;
    return heads_same(a->head, b->head);
}

/* The file's name for canonical value c of row r (exceptions' field: "Lineitem sku"). */
static const char *col_label(const order_check *oc, const eng_row *r, fmt_col c)
{
    const char *label = oc->t->ctx->batches->files[r->file].col_label[c];
    return label ? label : fmt_col_name(c);
}

/* The row among rows[0..n) of one order that replaces rows[j]: a row of the same
 * marketplace line with a later update (then a later line), or NULL when rows[j] is the
 * line's latest. The rows may be in any order. */
static const eng_row *superseded_in(eng_row *const *rows, uint32_t n, uint32_t j)
{
    const eng_row *a = rows[j];
    const eng_line_key *ka = eng_row_key(a);
    if (!ka)
        return NULL;
    for (uint32_t k = 0; k < n; k++) {
        const eng_row *b = rows[k];
        const eng_line_key *kb = eng_row_key(b);
        /* A repeat replaces nothing: it is DUPLICATE_ROW, and were it to replace the row
         * it repeats, the line would be lost with both. */
        if (k == j || !kb || kb->len != ka->len || memcmp(kb->id, ka->id, ka->len) != 0 ||
            rows_same_record(a, b))
            continue;
        if (kb->updated_ns > ka->updated_ns ||
            (kb->updated_ns == ka->updated_ns && eng_row_line(b) > eng_row_line(a)))
            return b;
    }
    return NULL;
}

static const eng_row *superseded_by(const order_check *oc, uint32_t j)
{
    return superseded_in(oc->rows, oc->n_rows, j);
}

/* Reports pulled over overlapping periods repeat a marketplace line with newer values:
 * the row with the latest update (then the later line) wins, the others are named
 * SUPERSEDED_ROW (informational). */
static eng_rc mark_superseded(order_check *oc)
{
    char msg[160];
    for (uint32_t j = 0; j < oc->n_rows; j++) {
        eng_row *a = oc->rows[j];
        const eng_row *b = superseded_by(oc, j);
        if (!b || (a->flags & ENG_ROW_SUPERSEDED))
            continue;
        /* Out of date: what was wrong with the row alone (a Pending row's blank price)
         * no longer matters, so its own exceptions are not written (outputs.c); an
         * order-level problem raised later may still name it as the first row. */
        a->flags = (uint16_t)((a->flags | ENG_ROW_SUPERSEDED) & ~(ENG_ROW_FAULT | ENG_ROW_BAD));
        a->worst = ENG_CODE_NONE;
        snprintf(msg, sizeof msg, "line %llu has a later row for the same %s line; it counts",
                 (unsigned long long)eng_row_line(b), oc->t->ctx->batches->files[a->file].format);
        ENG_TRY(raise(oc, a, ENG_CODE_SUPERSEDED_ROW, "", msg));
    }
    return ENG_OK;
}

static int cmp_row_record(const void *x, const void *y)
{
    const eng_row *a = *(eng_row *const *)x, *b = *(eng_row *const *)y;
    for (int i = 0; i < 2; i++)
        if (a->rec_digest[i] != b->rec_digest[i])
            return a->rec_digest[i] < b->rec_digest[i] ? -1 : 1;
    uint64_t la = eng_row_line(a), lb = eng_row_line(b);
    return (la > lb) - (la < lb);
}

/* DUPLICATE_ROW: a row repeating an earlier row of the order field for field (every
 * field after unquoting and trimming: rows_same_record) is counted once. */
static eng_rc mark_repeats(order_check *oc)
{
    char msg[128];
    if (oc->n_rows <= 64) {
        for (uint32_t j = 1; j < oc->n_rows; j++) {
            for (uint32_t k = 0; k < j; k++) {
                if ((oc->rows[k]->flags & ENG_ROW_DUP) ||
                    !rows_same_record(oc->rows[k], oc->rows[j]))
                    continue;
                oc->rows[j]->flags |= ENG_ROW_DUP;
                snprintf(msg, sizeof msg, "repeats line %llu field for field; counted once",
                         (unsigned long long)eng_row_line(oc->rows[k]));
                ENG_TRY(raise(oc, oc->rows[j], ENG_CODE_DUPLICATE_ROW, "", msg));
                break;
            }
        }
        return ENG_OK;
    }
    eng_row **sorted = malloc(oc->n_rows * sizeof *sorted);
    if (!sorted)
        return ENG_NOMEM;
    memcpy(sorted, oc->rows, oc->n_rows * sizeof *sorted);
    qsort(sorted, oc->n_rows, sizeof *sorted, cmp_row_record);
    /* Rows of equal digests lie together, each group by line: within it, a row repeats
     * the first earlier row of equal values, as in the quadratic walk above. */
    eng_rc rc = ENG_OK;
    for (uint32_t g = 0, end; g < oc->n_rows && rc == ENG_OK; g = end) {
        for (end = g + 1; end < oc->n_rows && same_digest(sorted[g], sorted[end]); end++)
            ;
        for (uint32_t j = g + 1; j < end && rc == ENG_OK; j++)
            for (uint32_t k = g; k < j; k++) {
                if ((sorted[k]->flags & ENG_ROW_DUP) || !rows_same_record(sorted[k], sorted[j]))
                    continue;
                sorted[j]->flags |= ENG_ROW_DUP;
                snprintf(msg, sizeof msg, "repeats line %llu field for field; counted once",
                         (unsigned long long)eng_row_line(sorted[k]));
                rc = raise(oc, sorted[j], ENG_CODE_DUPLICATE_ROW, "", msg);
                break;
            }
    }
    free(sorted);
    return rc;
}

/* ---- 2b. which copy of an order goes on ---- */

static eng_row **copy_rows(const part_task *t, uint32_t o)
{
    return t->rows + t->row_start[o];
}

/* The marketplace's verdict on a copy: the strongest state of its rows that no later row
 * of the same line replaces (the table's order: cancelled beats fulfilled). */
static fmt_state copy_state(const part_task *t, uint32_t o)
{
    eng_row **rows = copy_rows(t, o);
    uint32_t n = t->pend[o].n_rows;
    fmt_state state = FMT_STATE_NONE;
    for (uint32_t i = 0; i < n; i++)
        if (rows[i]->order_state > state && !superseded_in(rows, n, i))
            state = (fmt_state)rows[i]->order_state;
    return state;
}

/* A copy from slipway's own backorders.csv fed back as --orders: its file has the
 * open_qty column no marketplace export has. */
static int is_backorders_copy(const part_task *t, uint32_t o)
{
    return (t->ctx->batches->files[t->pend[o].file].own_column >> FMT_COL_OPEN_QTY) & 1;
}

typedef struct line_shape {
    int32_t product;
    int64_t qty;
} line_shape;

static int cmp_shape(const void *x, const void *y)
{
    const line_shape *a = x, *b = y;
    if (a->product != b->product)
        return a->product < b->product ? -1 : 1;
    return (a->qty > b->qty) - (a->qty < b->qty);
}

/* A copy's lines as (product, ordered qty), sorted: its rows less repeats, replaced rows
 * and summary rows, as check_lines will make its lines. *comparable is 0 when a line has
 * an unknown SKU or an unreadable quantity, which no other copy can be said to share. */
static eng_rc copy_shape(const part_task *t, uint32_t o, line_shape *shape, uint32_t *n_shape,
                         int *comparable)
{
    uint32_t n = t->pend[o].n_rows;
    eng_row **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return ENG_NOMEM;
    memcpy(sorted, copy_rows(t, o), n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_row_record); /* repeats lie together, first line first */
    *n_shape = 0;
    *comparable = 1;
    for (uint32_t i = 0, g = 0; i < n; i++) {
        const eng_row *r = sorted[i];
        if (i == 0 || !same_digest(sorted[g], r))
            g = i;
        else if (rows_same_record(sorted[g], r))
            continue; /* DUPLICATE_ROW: counted once */
        if ((r->flags & ENG_ROW_HEAD_ONLY) || superseded_in(sorted, n, i))
            continue;
        if (r->product < 0 || !(r->flags & ENG_ROW_QTY_OK))
            *comparable = 0;
        shape[(*n_shape)++] = (line_shape){r->product, eng_row_qty(r)};
    }
    free(sorted);
    qsort(shape, *n_shape, sizeof *shape, cmp_shape);
    return ENG_OK;
}

/* A copy's ship-to value as its order will resolve it: the first non-empty one of its
 * current rows, then trimmed (a quoted "  " is a value, as resolve_head takes it). */
static eng_text copy_ship_to(const part_task *t, uint32_t o, eng_ht ht)
{
    eng_row **rows = copy_rows(t, o);
    uint32_t n = t->pend[o].n_rows;
    for (uint32_t i = 0; i < n; i++) {
        if (!rows[i]->head || superseded_in(rows, n, i))
            continue;
        eng_text v = eng_head_text(rows[i]->head, ht);
        if (v.len)
            return trimmed(v);
    }
    return (eng_text){"", 0};
}

/* The ship-to: where the parcel goes (the service is how, and may change freely). Its
 * values' slots in a head are eng_head_text_slot(ship_to_col[i]). */
static const fmt_col ship_to_col[] = {FMT_COL_SHIP_NAME,   FMT_COL_SHIP_STREET,
                                      FMT_COL_SHIP_CITY,   FMT_COL_SHIP_REGION,
                                      FMT_COL_SHIP_POSTAL, FMT_COL_SHIP_COUNTRY};
#define N_SHIP_TO (sizeof ship_to_col / sizeof *ship_to_col)

static eng_ht ship_to(size_t i)
{
    return (eng_ht)eng_head_text_slot(ship_to_col[i]);
}

/* Whether copies a and b ask for the same lines, quantities and ship-to. */
static eng_rc copies_same(const part_task *t, uint32_t a, uint32_t b, int *same)
{
    *same = 0;
    const eng_file_facts *fa = &t->ctx->batches->files[t->pend[a].file],
                         *fb = &t->ctx->batches->files[t->pend[b].file];
    for (size_t i = 0; i < N_SHIP_TO; i++) {
        /* A file with no column for it (the Amazon All Orders report has no street)
         * says nothing about it: not a change. */
        uint32_t bit = 1u << ship_to_col[i];
        if ((fa->no_column | fb->no_column) & bit)
            continue;
        if (!same_text(copy_ship_to(t, a, ship_to(i)), copy_ship_to(t, b, ship_to(i))))
            return ENG_OK;
    }
    uint32_t na = t->pend[a].n_rows, nb = t->pend[b].n_rows;
    line_shape *sa = malloc((na + nb) * sizeof *sa);
    if (!sa)
        return ENG_NOMEM;
    line_shape *sb = sa + na;
    uint32_t ma, mb;
    int ca, cb;
    eng_rc rc = copy_shape(t, a, sa, &ma, &ca);
    if (rc == ENG_OK)
        rc = copy_shape(t, b, sb, &mb, &cb);
    if (rc == ENG_OK)
        *same = ca && cb && ma == mb;
    for (uint32_t i = 0; rc == ENG_OK && *same && i < ma; i++)
        *same = cmp_shape(&sa[i], &sb[i]) == 0;
    free(sa);
    return rc;
}

/* Which of the copies of one (channel, id), chained from first in file order, goes on;
 * the others are set aside (pending.original, aside_code, why). In this order:
 *   1. a copy in a marketplace state wins, whatever the order of the files (the
 *      strongest state, then the first file): nothing of the order ships;
 *   2. a backorders copy and an export with the same lines, quantities and ship-to: the
 *      backorders copy goes on, so its open_qty bounds each line;
 *   3. the backorders copy and exports that all differ: the first export goes on (what
 *      history shipped is still deducted), and the backorders copy is ORDER_AMENDED;
 *   4. otherwise the first file's copy.
 * The first backorders copy is the one compared, with each export in turn; a ship-to
 * field one of the two files has no column for is not compared. */
static eng_rc choose_copy(part_task *t, uint32_t first)
{
    int32_t winner = -1, amended = -1, kept = -1, export = -1;
    uint8_t why = CHOSE_FIRST_FILE;
    fmt_state best = FMT_STATE_NONE;
    for (int32_t q = (int32_t)first; q >= 0; q = t->pend[q].next_copy) {
        fmt_state s = copy_state(t, (uint32_t)q);
        if (s > best) {
            best = s;
            winner = q;
        }
        if (is_backorders_copy(t, (uint32_t)q)) {
            if (kept < 0)
                kept = q;
        } else if (export < 0) {
            export = q;
        }
    }
    if (winner >= 0) {
        why = CHOSE_STATE;
    } else if (kept >= 0 && export >= 0) {
        /* The backorders copy goes on when any export agrees with it (the seller report
         * may follow an All Orders report of the same order); else the first export. */
        int same = 0;
        for (int32_t q = export; q >= 0 && !same; q = t->pend[q].next_copy)
            if (!is_backorders_copy(t, (uint32_t)q))
                ENG_TRY(copies_same(t, (uint32_t)kept, (uint32_t)q, &same));
        winner = same ? kept : export;
        amended = same ? -1 : kept;
        why = same ? CHOSE_BACKORDERS : CHOSE_AMENDMENT;
    } else {
        winner = (int32_t)first;
    }
    for (int32_t q = (int32_t)first; q >= 0; q = t->pend[q].next_copy) {
        if (q == winner)
            continue;
        t->pend[q].original = winner;
        t->pend[q].aside_code = q == amended ? ENG_CODE_ORDER_AMENDED : ENG_CODE_DUPLICATE_ORDER;
        t->pend[q].why = why;
    }
    return ENG_OK;
}

/* Copy column c of h into the resolved head. */
static void take_value(order_check *oc, const eng_head *h, int c)
{
    eng_head_values *res = &oc->res;
    int ts = eng_head_text_slot((fmt_col)c), ms = eng_head_money_slot((fmt_col)c);
    if (ts >= 0)
        oc->res_text[ts] = eng_head_text(h, (eng_ht)ts);
    else if (ms >= 0)
        eng_values_set_money(res, (eng_hm)ms, eng_head_money(h, (eng_hm)ms));
    else if (c == FMT_COL_ORDER_TIME)
        res->time_ns = h->time_ns;
    else if (c == FMT_COL_PRIORITY)
        res->priority = eng_head_priority(h);
    res->present |= 1u << c;
}

/* Whether column c of h has the resolved value. */
static int same_value(const order_check *oc, const eng_head *b, int c)
{
    const eng_head_values *a = &oc->res;
    int ts = eng_head_text_slot((fmt_col)c), ms = eng_head_money_slot((fmt_col)c);
    if (ts >= 0) {
        eng_text x = oc->res_text[ts], y = eng_head_text(b, (eng_ht)ts);
        return x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
    }
    if (ms >= 0)
        return fmt_dec_cmp(eng_values_money(a, (eng_hm)ms), eng_head_money(b, (eng_hm)ms)) == 0;
    if (c == FMT_COL_ORDER_TIME)
        return a->time_ns == b->time_ns;
    return a->priority == eng_head_priority(b);
}

/* Value of column c as text for a message, quoted: h's, with `text` for a text column. */
static void describe(char *dst, size_t cap, const eng_head_values *h, eng_text text, int c)
{
    int ms = eng_head_money_slot((fmt_col)c);
    char tmp[48];
    if (eng_head_text_slot((fmt_col)c) >= 0) {
        eng_text_quote(dst, cap, text.p, text.len);
        return;
    }
    if (ms >= 0) {
        fmt_buf b;
        fmt_buf_init(&b);
        fmt_buf_put_minor(&b, h->money_mant[ms], h->money_frac[ms]);
        snprintf(dst, cap, "\"%.*s\"", b.p ? (int)b.len : 0, b.p ? b.p : "");
        fmt_buf_release(&b);
        return;
    }
    if (c == FMT_COL_ORDER_TIME) {
        fmt_isotime_format(h->time_ns, tmp);
        snprintf(dst, cap, "%s", tmp);
        return;
    }
    snprintf(dst, cap, "%lld", (long long)h->priority);
}

/* Resolve each order-level field to its first non-blank value; flag rows that differ. */
static eng_rc resolve_head(order_check *oc)
{
    char a[80], b[80], msg[256];
    for (uint32_t i = 0; i < oc->n_rows; i++) {
        eng_row *r = oc->rows[i];
        if ((r->flags & (ENG_ROW_DUP | ENG_ROW_SUPERSEDED)) || !r->head)
            continue;
        for (int c = 0; c < FMT_COL_COUNT; c++) {
            if (!(r->head->present & (1u << c)))
                continue;
            if (!(oc->res.present & (1u << c))) {
                take_value(oc, r->head, c);
                oc->src[c] = r;
                continue;
            }
            if (oc->src[c]->head == r->head || same_value(oc, r->head, c))
                continue;
            int ts = eng_head_text_slot((fmt_col)c);
            eng_text none = {"", 0};
            eng_head_values theirs;
            eng_head_values_of(r->head, &theirs);
            describe(a, sizeof a, &theirs, ts >= 0 ? eng_head_text(r->head, (eng_ht)ts) : none, c);
            describe(b, sizeof b, &oc->res, ts >= 0 ? oc->res_text[ts] : none, c);
            const char *name = col_label(oc, r, (fmt_col)c);
            snprintf(msg, sizeof msg, "%s %s differs from %s on line %llu of the same order", name,
                     a, b, (unsigned long long)eng_row_line(oc->src[c]));
            ENG_TRY(raise(oc, r, ENG_CODE_INCONSISTENT_ORDER, name, msg));
        }
    }
    return ENG_OK;
}

static eng_rc check_required(order_check *oc)
{
    char msg[256];
    uint32_t given = 0; /* ENG_ROW_GIVEN_SHIFT + i for eng_required_col(i) */
    int shippable = 0;
    for (uint32_t i = 0; i < oc->n_rows; i++) {
        given |= oc->rows[i]->flags;
        shippable |= is_line(oc->rows[i]) && oc->rows[i]->line_state == FMT_STATE_NONE;
    }
    for (int i = 0; i < ENG_REQUIRED_COUNT; i++) {
        fmt_col c = eng_required_col(i);
        /* A value given but invalid already has its own code on its row. */
        if ((oc->res.present & (1u << c)) || (given & (1u << (ENG_ROW_GIVEN_SHIFT + i))))
            continue;
        /* Nothing of the order ships (gift cards, digital goods): no ship-to needed. */
        if (!shippable && c != FMT_COL_ORDER_TIME && c != FMT_COL_CURRENCY)
            continue;
        const char *name = col_label(oc, oc->rows[0], c);
        const eng_file_facts *src = &oc->t->ctx->batches->files[oc->rows[0]->file];
        if (src->no_column & (1u << c)) /* the Amazon All Orders report has no ship-to */
            snprintf(msg, sizeof msg,
                     "the order has no %s: this %s file has no column for it, so the order "
                     "cannot ship from this file alone",
                     name, src->format);
        else if (c == FMT_COL_ORDER_TIME || c == FMT_COL_CURRENCY)
            snprintf(msg, sizeof msg, "no row of the order has a valid %s", name);
        else
            snprintf(msg, sizeof msg, "the order has no %s on any row, so it cannot ship", name);
        ENG_TRY(raise(oc, oc->rows[0], ENG_CODE_MISSING_FIELD, name, msg));
    }
    return ENG_OK;
}

static void money_text(char *dst, size_t cap, __int128 v, int currency)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_buf_put_minor128(&b, v, currency >= 0 ? fmt_currency_minor_digits(currency) : 2);
    snprintf(dst, cap, "%.*s", b.p ? (int)b.len : 0, b.p ? b.p : "?");
    fmt_buf_release(&b);
}

/* CURRENCY_MISMATCH's message for an order in currency cur and a SKU with no row in it:
 * the one currency the SKU has, or its list. */
static void currency_mismatch_text(char *dst, size_t cap, int cur, const eng_product *p)
{
    if (p->n_prices == 1) {
        snprintf(dst, cap,
                 "order currency %s differs from the catalog currency %s of SKU \"%.60s\"",
                 fmt_currency_code(cur), fmt_currency_code(p->price.currency), p->sku);
        return;
    }
    char codes[96] = "";
    size_t len = 0;
    uint32_t i = 0;
    /* Each code takes 5 bytes with its separator; room is kept for ", ..." and the NUL. */
    for (; i < p->n_prices && len + 5 + 6 <= sizeof codes; i++)
        len += (size_t)snprintf(codes + len, sizeof codes - len, "%s%s", i ? ", " : "",
                                fmt_currency_code(eng_product_price_at(p, i)->currency));
    if (i < p->n_prices)
        memcpy(codes + len, ", ...", 6);
    snprintf(dst, cap, "order currency %s is not among the catalog currencies %s of SKU \"%.60s\"",
             fmt_currency_code(cur), codes, p->sku);
}

/* Currency, per-line money and price floor; fills the order's lines. */
static eng_rc check_lines(order_check *oc, int *all_amounts)
{
    const eng_setup *n = oc->t->ctx->setup;
    eng_order *ord = oc->ord;
    char msg[256], q[64], a[48], b[48];
    int cur = -1;
    const eng_text *ct = &oc->res_text[ENG_HT_CURRENCY];
    if (oc->res.present & (1u << FMT_COL_CURRENCY)) {
        cur = fmt_currency_find(ct->p, ct->len);
        if (cur < 0) {
            eng_text_quote(q, sizeof q, ct->p, ct->len);
            snprintf(msg, sizeof msg, "currency %s is not an ISO 4217 code", q);
            ENG_TRY(raise(oc, (eng_row *)oc->src[FMT_COL_CURRENCY], ENG_CODE_CURRENCY_MISMATCH,
                          col_label(oc, oc->src[FMT_COL_CURRENCY], FMT_COL_CURRENCY), msg));
        }
    }
    ord->currency = (int16_t)cur;
    *all_amounts = cur >= 0;
    uint32_t n_lines = 0;
    for (uint32_t i = 0; i < oc->n_rows; i++)
        n_lines += is_line(oc->rows[i]);
    ord->lines = eng_arena_alloc(oc->t->part->mem, (n_lines ? n_lines : 1) * sizeof *ord->lines,
                                 _Alignof(eng_line));
    if (!ord->lines)
        return ENG_NOMEM;
    ord->n_lines = n_lines;
    uint32_t k = 0;
    for (uint32_t i = 0; i < oc->n_rows; i++) {
        eng_row *r = oc->rows[i];
        if (!is_line(r))
            continue;
        eng_line *ln = &ord->lines[k++];
        ENG_TRY(
            eng_line_init(ln, (r->flags & ENG_ROW_QTY_OK) ? eng_row_qty(r) : 0, oc->t->part->mem));
        ln->line_total = !!(r->flags & ENG_ROW_LINE_TOTAL);
        ln->product = r->product;
        int known = (r->flags & ENG_ROW_QTY_OK) && (r->flags & ENG_ROW_PRICE_OK) && cur >= 0;
        const eng_product *p =
            r->product >= 0 ? eng_catalog_get(n->catalog, (uint32_t)r->product) : NULL;
        /* The SKU's row in the order's currency (a SKU may have one per currency). */
        const eng_price *listed = p && cur >= 0 ? eng_product_price(p, cur) : NULL;
        if (p && cur >= 0 && !listed) {
            currency_mismatch_text(msg, sizeof msg, cur, p);
            ENG_TRY(
                raise(oc, r, ENG_CODE_CURRENCY_MISMATCH, col_label(oc, r, FMT_COL_CURRENCY), msg));
        }
        int line_total = (r->flags & ENG_ROW_LINE_TOTAL) != 0;
        int64_t amount = 0; /* of all ordered units, when known */
        if ((r->flags & ENG_ROW_PRICE_OK) && cur >= 0) {
            /* 0 where the conversion fails: never printed, the order is rejected */
            int64_t price = 0;
            fmt_num_rc nrc =
                fmt_dec_to_minor(eng_row_unit_price(r), fmt_currency_minor_digits(cur), &price);
            ENG_TRY(eng_line_set_price(ln, price, oc->t->part->mem));
            /* SPEC: the stated line amount is the truth; the unit price is it divided by
             * the quantity, half up (eng_line_unit). */
            ln->amount_stated = nrc == FMT_NUM_OK && line_total;
            if (ln->amount_stated)
                amount = price;
            int64_t unit = eng_line_unit(ln);
            if (nrc != FMT_NUM_OK) {
                known = 0;
                if (nrc == FMT_NUM_PRECISION)
                    snprintf(msg, sizeof msg, "unit_price has %d digits after the point; %s has %d",
                             r->unit_frac, fmt_currency_code(cur), fmt_currency_minor_digits(cur));
                else
                    snprintf(msg, sizeof msg, "unit_price is too large (over 64 bits in %s)",
                             fmt_currency_code(cur));
                ENG_TRY(
                    raise(oc, r, ENG_CODE_BAD_NUMBER, col_label(oc, r, FMT_COL_UNIT_PRICE), msg));
            } else if (listed && unit < listed->min_minor) {
                money_text(a, sizeof a, unit, cur);
                money_text(b, sizeof b, listed->min_minor, cur);
                const char *name = col_label(oc, r, FMT_COL_UNIT_PRICE);
                if (line_total) /* the price compared is not the one in the file */
                    snprintf(msg, sizeof msg,
                             "unit price %s (%s divided by the quantity) is below the catalog "
                             "minimum %s %s",
                             a, name, b, fmt_currency_code(cur));
                else
                    snprintf(msg, sizeof msg, "%s %s is below the catalog minimum %s %s", name, a,
                             b, fmt_currency_code(cur));
                ENG_TRY(raise(oc, r, ENG_CODE_PRICE_BELOW_MIN, name, msg));
            }
        }
        if (known && !line_total) {
            if (__builtin_mul_overflow(eng_line_qty(ln), eng_line_price(ln), &amount)) {
                known = 0;
                amount = 0;
                ENG_TRY(raise(oc, r, ENG_CODE_BAD_NUMBER, col_label(oc, r, FMT_COL_UNIT_PRICE),
                              "qty times unit_price is too large (over 64 bits)"));
            }
        }
        *all_amounts &= known;
        /* A sum too large is a problem of the order as a whole: SPEC reports those on the
         * order's first row, not on whichever line tipped it over. */
        eng_row *first = oc->rows[0];
        if (__builtin_add_overflow(ord->units, eng_line_qty(ln), &ord->units)) {
            ord->units = INT64_MAX;
            ENG_TRY(raise(oc, first, ENG_CODE_BAD_QTY, col_label(oc, first, FMT_COL_QTY),
                          "the order's total quantity is too large (over 64 bits)"));
        }
        if (__builtin_add_overflow(ord->amount_minor, amount, &ord->amount_minor)) {
            ord->amount_minor = 0;
            *all_amounts = 0;
            ENG_TRY(raise(oc, first, ENG_CODE_BAD_NUMBER, col_label(oc, first, FMT_COL_UNIT_PRICE),
                          "the order's amount is too large (over 64 bits)"));
        }
    }
    return ENG_OK;
}

/* Order-level amounts in minor units; TOTAL_MISMATCH when a stated total disagrees. */
static eng_rc check_total(order_check *oc, int all_amounts)
{
    int cur = oc->ord->currency;
    char msg[400];
    oc->money_ok = cur >= 0;
    for (int m = 0; m < ENG_HM_COUNT && cur >= 0; m++) {
        static const fmt_col col[ENG_HM_COUNT] = {FMT_COL_ORDER_TOTAL, FMT_COL_SHIPPING,
                                                  FMT_COL_TAX, FMT_COL_DISCOUNT};
        oc->money_minor[m] = 0;
        if (!(oc->res.present & (1u << col[m])))
            continue;
        fmt_num_rc nrc = fmt_dec_to_minor(eng_values_money(&oc->res, (eng_hm)m),
                                          fmt_currency_minor_digits(cur), &oc->money_minor[m]);
        if (nrc != FMT_NUM_OK) {
            oc->money_ok = 0;
            const char *name = col_label(oc, oc->src[col[m]], col[m]);
            snprintf(msg, sizeof msg, "%s %s for %s", name,
                     nrc == FMT_NUM_PRECISION ? "has more digits after the point than allowed"
                                              : "is too large (over 64 bits)",
                     fmt_currency_code(cur));
            ENG_TRY(raise(oc, (eng_row *)oc->src[col[m]], ENG_CODE_BAD_NUMBER, name, msg));
        }
    }
    if (!(oc->res.present & (1u << FMT_COL_ORDER_TOTAL)) || !all_amounts || !oc->money_ok)
        return ENG_OK;
    __int128 lines = 0; /* every amount is known (all_amounts) and fit 64 bits */
    for (uint32_t i = 0; i < oc->ord->n_lines; i++)
        lines += eng_line_amount(&oc->ord->lines[i], eng_line_ordered(&oc->ord->lines[i]));
    __int128 expect = lines + oc->money_minor[ENG_HM_SHIPPING] + oc->money_minor[ENG_HM_TAX] -
                      oc->money_minor[ENG_HM_DISCOUNT];
    if (expect == oc->money_minor[ENG_HM_ORDER_TOTAL])
        return ENG_OK;
    char t[48], l[48], s[48], x[48], d[48], e[48];
    money_text(t, sizeof t, oc->money_minor[ENG_HM_ORDER_TOTAL], cur);
    money_text(l, sizeof l, lines, cur);
    money_text(s, sizeof s, oc->money_minor[ENG_HM_SHIPPING], cur);
    money_text(x, sizeof x, oc->money_minor[ENG_HM_TAX], cur);
    money_text(d, sizeof d, oc->money_minor[ENG_HM_DISCOUNT], cur);
    money_text(e, sizeof e, expect, cur);
    const char *name = col_label(oc, oc->rows[0], FMT_COL_ORDER_TOTAL);
    snprintf(msg, sizeof msg,
             "%s %s differs from lines %s + shipping %s + tax %s - discount %s = %s", name, t, l, s,
             x, d, e);
    return raise(oc, oc->rows[0], ENG_CODE_TOTAL_MISMATCH, name, msg);
}

/* code on every row of the order, against its order id column: a verdict on the order as
 * a whole (a copy set aside, nothing left to ship). */
static eng_rc raise_on_rows(order_check *oc, eng_code code, const char *msg)
{
    for (uint32_t i = 0; i < oc->n_rows; i++)
        ENG_TRY(raise(oc, oc->rows[i], code, col_label(oc, oc->rows[i], FMT_COL_ORDER_ID), msg));
    return ENG_OK;
}

/* A copy set aside: its aside code on every row, naming the copy that goes on and why. */
static eng_rc mark_aside(order_check *oc, const pending *pd)
{
    const part_task *t = oc->t;
    uint32_t w = (uint32_t)pd->original;
    const char *path = source_path(t->ctx->setup, t->pend[w].file);
    unsigned long long line = (unsigned long long)eng_row_line(copy_rows(t, w)[0]);
    char msg[320];
    switch (pd->why) {
    case CHOSE_STATE:
        snprintf(msg, sizeof msg,
                 "the marketplace's copy in %.120s (line %llu) says %s, which settles the order; "
                 "this copy is not processed",
                 path, line, eng_status_name((eng_status)(ENG_ST_STATE + copy_state(t, w))));
        break;
    case CHOSE_BACKORDERS:
        snprintf(msg, sizeof msg,
                 "the backorders copy in %.120s (line %llu) has the same lines, quantities and "
                 "ship-to, and goes on with its open_qty; this copy is not processed",
                 path, line);
        break;
    case CHOSE_AMENDMENT:
        if (pd->aside_code == ENG_CODE_ORDER_AMENDED) {
            snprintf(msg, sizeof msg,
                     "the order was changed: the copy in %.120s (line %llu) has other lines, "
                     "quantities or ship-to and goes on instead; this backorders copy is not "
                     "processed",
                     path, line);
            break;
        }
        /* fall through */
    default:
        snprintf(msg, sizeof msg,
                 "order %s received in %.120s (line %llu); this copy is not processed",
                 t->pend[w].file < pd->file ? "already" : "also", path, line);
        break;
    }
    return raise_on_rows(oc, (eng_code)pd->aside_code, msg);
}

/* The resolved head: the first row's own head when every value came from it. */
static eng_rc settle_head(order_check *oc)
{
    const eng_head *single = NULL;
    int one = 1;
    for (int c = 0; c < FMT_COL_COUNT && one; c++) {
        if (!oc->src[c])
            continue;
        if (!single)
            single = oc->src[c]->head;
        else if (oc->src[c]->head != single)
            one = 0;
    }
    if (one && single && single->present == oc->res.present) {
        oc->ord->head = single;
        return ENG_OK;
    }
    for (int i = 0; i < ENG_HT_COUNT; i++)
        if (!oc->res_text[i].p) {
            oc->res_text[i].p = "";
            oc->res_text[i].len = 0;
        }
    /* The repeated texts most often all come from one row's head: share its tuple. */
    const eng_head_common *common = NULL;
    for (int c = 0; c < FMT_COL_COUNT && !common; c++)
        if (oc->src[c] && eng_head_common_holds(oc->src[c]->head->common, oc->res_text))
            common = oc->src[c]->head->common;
    eng_head *h = eng_head_new(oc->t->part->mem, &oc->res, oc->res_text, common);
    if (!h)
        return ENG_NOMEM;
    oc->ord->head = h;
    return ENG_OK;
}

/* Whether a copy that history shipped in full differs from what shipped: a SKU history
 * shipped more of than the copy now asks for (used[k] of history line k is what the
 * copy's lines took), or another ship-to than the latest slip's (fields both state).
 * msg says which. */
static int changed_after(const order_check *oc, const eng_hist_order *ho, const int64_t *used,
                         char *msg, size_t cap)
{
    char day[11];
    fmt_isodate_format(ho->ship_date, day);
    for (uint32_t k = 0; k < ho->n_lines; k++)
        if (used[k] < ho->lines[k].shipped) {
            snprintf(msg, cap,
                     "the order now asks for %lld of SKU %.60s, but %lld already shipped (slip "
                     "%.40s on %s): the order changed after it shipped; nothing more ships",
                     (long long)used[k], ho->lines[k].sku, (long long)ho->lines[k].shipped,
                     ho->slip, day);
            return 1;
        }
    uint32_t no_column = oc->t->ctx->batches->files[oc->ord->file].no_column;
    for (size_t i = 0; i < N_SHIP_TO; i++) {
        eng_text now = trimmed(eng_head_text(oc->ord->head, ship_to(i)));
        eng_text then = trimmed(ho->text[ship_to(i)]);
        /* Only what both sides state: a hand-made slips file may lack ship-to columns,
         * and an export may have none for a field (Amazon's All Orders report). */
        if (then.len == 0 || (no_column & (1u << ship_to_col[i])))
            continue;
        if (!same_text(now, then)) {
            snprintf(msg, cap,
                     "the order's %s changed after it shipped (slip %.40s on %s went to \"%.*s\"; "
                     "now \"%.*s\"); nothing more ships",
                     col_label(oc, oc->rows[0], ship_to_col[i]), ho->slip, day,
                     (int)(then.len < 60 ? then.len : 60), then.p ? then.p : "",
                     (int)(now.len < 60 ? now.len : 60), now.p ? now.p : "");
            return 1;
        }
    }
    return 0;
}

/* What each line still needs tonight. SPEC "History": only what earlier nights have not
 * shipped is outstanding (earlier shipments of a SKU are matched to the order's lines of
 * that SKU in line order). A fed-back backorders.csv also says what was open when it was
 * written (open_qty), which bounds the line even when the history given lacks a night.
 * An order with nothing outstanding is DUPLICATE_ORDER, or ORDER_CHANGED_AFTER_SHIPMENT when
 * history shipped all it asks for but the copy differs from what shipped (changed_after). */
static eng_rc settle_outstanding(order_check *oc)
{
    const eng_setup *n = oc->t->ctx->setup;
    const eng_history *history = oc->t->ctx->history;
    eng_order *ord = oc->ord;
    eng_text channel = eng_head_text(ord->head, ENG_HT_CHANNEL);
    const eng_hist_order *ho =
        history ? eng_history_order(history, channel.p, channel.len, ord->id, eng_order_id_len(ord))
                : NULL;
    int64_t small[16];
    size_t n_used = ho && ho->n_lines > 16 ? ho->n_lines : 16;
    int64_t *used = n_used <= 16 ? small : calloc(n_used, sizeof *used);
    if (!used)
        return ENG_NOMEM;
    memset(used, 0, n_used * sizeof *used);
    int64_t outstanding = 0;
    uint32_t shippable = 0;
    int all_shipped_before = ho != NULL; /* history alone leaves every line nothing */
    fmt_state line_state = FMT_STATE_NONE;
    /* Lines were made from the rows that are lines, in row order (check_lines). */
    for (uint32_t i = 0, j = 0; i < ord->n_lines; i++, j++) {
        while (!is_line(oc->rows[j]))
            j++;
        const eng_row *r = oc->rows[j];
        eng_line *ln = &ord->lines[i];
        const eng_product *p =
            ln->product >= 0 ? eng_catalog_get(n->catalog, (uint32_t)ln->product) : NULL;
        const eng_hist_line *hl = ho && p ? eng_history_line(ho, p->sku, p->sku_len) : NULL;
        if (hl) {
            size_t k = (size_t)(hl - ho->lines);
            int64_t avail = hl->shipped - used[k];
            int64_t ordered = eng_line_ordered(ln);
            int64_t take = avail < ordered ? avail : ordered;
            used[k] += take;
            if (eng_line_set_before(ln, take, oc->t->part->mem) != ENG_OK) {
                if (used != small)
                    free(used);
                return ENG_NOMEM;
            }
            eng_line_set(ln, ENG_LQ_QTY, ordered - take);
        }
        if (r->line_state == FMT_STATE_NONE && (!hl || eng_line_qty(ln) > 0))
            all_shipped_before = 0;
        int64_t open_qty = eng_row_open_qty(r);
        if (open_qty >= 0 && open_qty < eng_line_qty(ln))
            eng_line_set(ln, ENG_LQ_QTY, open_qty);
        if (r->line_state != FMT_STATE_NONE) {
            /* Not ours to ship (a gift card, a line the marketplace fulfils). */
            eng_line_set(ln, ENG_LQ_QTY, 0);
            if (r->line_state > line_state)
                line_state = (fmt_state)r->line_state;
        } else {
            shippable++;
        }
        outstanding += eng_line_qty(ln);
    }
    char msg[512], day[11];
    eng_code code = outstanding == 0 && shippable > 0 && all_shipped_before &&
                            changed_after(oc, ho, used, msg, sizeof msg)
                        ? ENG_CODE_ORDER_CHANGED_AFTER_SHIPMENT
                        : ENG_CODE_DUPLICATE_ORDER;
    if (used != small)
        free(used);
    if (code == ENG_CODE_DUPLICATE_ORDER) { /* else msg says what changed */
        if (outstanding > 0)
            return ENG_OK;
        if (shippable == 0) {
            /* Every line is the marketplace's or needs no shipping: that is the order's
             * status, not an error. */
            ord->status = (uint8_t)(ENG_ST_STATE + line_state);
            return ENG_OK;
        }
        if (ho && ho->ship_date >= 0) {
            fmt_isodate_format(ho->ship_date, day);
            snprintf(msg, sizeof msg,
                     "order already shipped on an earlier night (slip %.40s on %s); nothing is "
                     "left to ship",
                     ho->slip, day);
        } else {
            snprintf(msg, sizeof msg, "nothing is left to ship: open_qty is 0 on every line");
        }
    }
    ENG_TRY(raise_on_rows(oc, code, msg));
    ord->status = ENG_ST_REJECTED;
    ord->code = code;
    return ENG_OK;
}

static eng_rc check_order(part_task *t, uint32_t o)
{
    order_check oc;
    memset(&oc, 0, sizeof oc);
    oc.t = t;
    oc.ord = &t->part->orders[o];
    oc.rows = t->rows + t->row_start[o];
    oc.n_rows = t->row_start[o + 1] - t->row_start[o];
    eng_order *ord = oc.ord;
    const pending *pd = &t->pend[o];
    memset(ord, 0, sizeof *ord);
    ord->id = pd->id;
    ord->file = pd->file;
    ord->line = eng_row_line(oc.rows[0]);
    ord->n_rows = oc.n_rows;
    ord->currency = -1;

    int all_amounts = 0;
    /* The marketplace's own verdict (cancelled, fulfilled...) settles the order: it gets
     * that status and no exception. */
    fmt_state state = copy_state(t, o);
    oc.quiet = pd->original >= 0 || state != FMT_STATE_NONE;
    ENG_TRY(mark_superseded(&oc));
    ENG_TRY(mark_repeats(&oc));
    ENG_TRY(resolve_head(&oc));
    ENG_TRY(check_required(&oc));
    ENG_TRY(check_lines(&oc, &all_amounts));
    if (ord->n_lines == 0)
        ENG_TRY(raise(&oc, oc.rows[0], ENG_CODE_MISSING_FIELD,
                      col_label(&oc, oc.rows[0], FMT_COL_SKU),
                      "the order has no item lines, only a summary"));
    ENG_TRY(check_total(&oc, all_amounts));
    if (all_amounts && oc.money_ok)
        ord->flags |= ENG_ORD_PRICED;
    if (pd->original >= 0) {
        ord->flags |= ENG_ORD_DUPLICATE;
        t->part->n_aside++;
        ENG_TRY(mark_aside(&oc, pd));
    }
    ENG_TRY(settle_head(&oc));

    assert(eng_order_time_ns(ord) == oc.res.time_ns && eng_order_priority(ord) == oc.res.priority);
    const eng_row *first_bad = NULL;
    for (uint32_t i = 0; i < oc.n_rows; i++) {
        const eng_row *r = oc.rows[i];
        if ((r->flags & ENG_ROW_FAULT) && (!first_bad || eng_row_line(r) < eng_row_line(first_bad)))
            first_bad = r;
    }
    ord->status = first_bad ? ENG_ST_REJECTED : ENG_ST_BACKORDERED;
    ord->code = first_bad ? first_bad->worst : ENG_CODE_NONE;
    ord->lines_out = ord->n_lines;
    if (state != FMT_STATE_NONE && pd->original < 0) {
        ord->status = (uint8_t)(ENG_ST_STATE + state);
        ord->code = ENG_CODE_NONE;
        for (uint32_t i = 0; i < oc.n_rows; i++)
            oc.rows[i]->flags |= ENG_ROW_MUTED;
        return ENG_OK;
    }
    if (!first_bad)
        ENG_TRY(settle_outstanding(&oc));
    return ENG_OK;
}

/* What later stages read of the batch's rows of partition p, their final flags, into
 * row_flags; the batch lets go of them (the caller releases them from the row store). */
static void keep_flags(eng_batch *bt, size_t p)
{
    const eng_row *rows = bt->part_rows[p];
    for (uint32_t j = 0; j < eng_batch_part_count(bt, p); j++)
        bt->row_flags[bt->part_start[p] + j] = rows[j].flags;
    bt->part_rows[p] = NULL;
}

/* What later stages read of a batch's rows without an order id (in no partition), set
 * before the partitions are built: their flags and counts. */
static eng_rc tally_batch(void *ctx, size_t b, unsigned worker, eng_err *err)
{
    (void)worker;
    (void)err;
    const book_ctx *c = ctx;
    eng_batch *bt = c->batches->items[b];
    if (!is_here(c, ENG_PARTS))
        return ENG_OK;
    const eng_row *standalone = bt->part_rows[ENG_PARTS];
    bt->standalone_rows = eng_batch_part_count(bt, ENG_PARTS);
    bt->unnamed_rows = 0;
    for (uint32_t j = 0; j < bt->standalone_rows; j++) {
        assert(!standalone[j].order_id);
        bt->unnamed_rows += !(standalone[j].flags & ENG_ROW_FAULT);
    }
    keep_flags(bt, ENG_PARTS); /* released by tally_rows */
    return ENG_OK;
}

/* Each batch's row_flags and standalone counts, and each partition's row count. The rows
 * stay where ingest grouped them (each batch's part_rows[p]): a partition reads them there,
 * with no copy. On ENG_NOMEM no row has gone. */
static eng_rc tally_rows(const book_ctx *c, eng_err *err)
{
    const eng_batches *bs = c->batches;
    for (size_t b = 0; b < bs->n; b++) {
        eng_batch *bt = bs->items[b];
        assert(!bt->rows);
        if (!bt->row_flags &&
            !(bt->row_flags = malloc((bt->n_rows ? bt->n_rows : 1) * sizeof *bt->row_flags)))
            return ENG_NOMEM;
        for (size_t p = 0; p < ENG_PARTS; p++)
            if (is_here(c, p))
                c->book->parts[p].n_rows += eng_batch_part_count(bt, p);
    }
    ENG_TRY(eng_pool_for(c->setup->pool, bs->n, tally_batch, (void *)c, err));
    eng_rowstore_release(bs->rows, ENG_PARTS);
    return ENG_OK;
}

/* The partition's orders are built: its rows' final flags go back to their batches, and
 * the rows are released, so that a night never holds all its rows and all its lines at
 * once (blocks in the heap give their pages to the next partitions' orders and lines;
 * blocks of 256 KiB and more, mapped apart, go back to the system). Each row is in one
 * partition, so no two tasks write the same flag. */
static void release_rows(const book_ctx *c, size_t p)
{
    for (size_t b = 0; b < c->batches->n; b++)
        keep_flags(c->batches->items[b], p);
    eng_rowstore_release(c->batches->rows, p);
    c->book->parts[p].n_rows = 0;
}

static eng_rc build_partition(void *ctx, size_t p, unsigned worker, eng_err *err)
{
    (void)worker;
    const book_ctx *c = ctx;
    if (!is_here(c, p))
        return ENG_OK; /* another task's partition: stays empty */
    part_task t;
    memset(&t, 0, sizeof t);
    t.ctx = c;
    t.part = &c->book->parts[p];
    eng_rc rc = ENG_OK;
    t.part->mem = eng_arena_new(1u << 16);
    if (!t.part->mem)
        rc = ENG_NOMEM;
    if (rc == ENG_OK)
        rc = visit_rows(&t);
    if (rc == ENG_OK)
        rc = group_rows(&t);
    if (rc == ENG_OK)
        rc = link_copies(&t);
    if (rc == ENG_OK) {
        t.part->orders = eng_arena_alloc(
            t.part->mem, (t.n_pend ? t.n_pend : 1) * sizeof *t.part->orders, _Alignof(eng_order));
        if (!t.part->orders)
            rc = ENG_NOMEM;
        t.part->n_orders = t.n_pend;
    }
    for (uint32_t o = 0; rc == ENG_OK && o < t.n_pend; o++) {
        /* An order's first read is its first row's head, in its reading worker's arena: cold
         * memory, a miss per order that the hardware cannot guess. Ask for it a few
         * orders ahead. */
        if (o + 4 < t.n_pend)
            __builtin_prefetch(t.rows[t.row_start[o + 4]]->head);
        rc = check_order(&t, o);
    }
    if (rc == ENG_OK)
        release_rows(c, p);
    free(t.visits);
    free(t.pend);
    free(t.rows);
    free(t.row_start);
    if (rc != ENG_OK)
        return ENG_FAIL(err, rc, "out of memory grouping orders");
    return ENG_OK;
}

/* Set by eng_book_build and eng_book_list before their sorting tasks start (the pool's
 * start publishes it); only read while they run. */
static const eng_setup *sort_setup;

/* SPEC's order for order_status.csv: id, then source (path bytes), then line. */
static int cmp_order_id(const void *x, const void *y)
{
    const eng_order *a = *(eng_order *const *)x, *b = *(eng_order *const *)y;
    int c = eng_order_cmp_id(a, b);
    if (c)
        return c;
    if (a->file != b->file) {
        c = strcmp(source_path(sort_setup, a->file), source_path(sort_setup, b->file));
        if (c)
            return c;
        return a->file < b->file ? -1 : 1;
    }
    return (a->line > b->line) - (a->line < b->line);
}

/* An order with the first 16 bytes of its id as two big-endian numbers, zero-padded: keys
 * ordered as numbers are ordered as the ids' bytes, so most comparisons of the sort stay
 * in the key array instead of reaching into every order's id in cold memory. Equal keys
 * (an id longer than 16 bytes, or a prefix padded with zeros) fall back to cmp_order_id. */
typedef struct id_key {
    uint64_t hi, lo;
    eng_order *o;
} id_key;

static void id_key_set(id_key *k, eng_order *o)
{
    unsigned char b[16] = {0};
    uint32_t len = eng_order_id_len(o);
    memcpy(b, o->id, len < 16 ? len : 16);
    k->hi = k->lo = 0;
    for (int i = 0; i < 8; i++) {
        k->hi = k->hi << 8 | b[i];
        k->lo = k->lo << 8 | b[8 + i];
    }
    k->o = o;
}

static int cmp_id_key(const void *x, const void *y)
{
    const id_key *a = x, *b = y;
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    return cmp_order_id(&a->o, &b->o);
}

/* The orders in id order, with no array of keys for the whole night (40 MB at 5M lines,
 * on top of every order and line, was the peak of the run): each partition sorts its own
 * orders in place on any thread (a partition holds every order of its ids), then the
 * 256 partitions are merged (base/kmerge, on all threads). cmp_id_key is a total order
 * (no two orders share a file and line), so the result is the same however the orders
 * are spread over partitions. */
static eng_rc sort_partition(void *ctx, size_t p, unsigned worker, eng_err *err)
{
    (void)worker;
    eng_partition *part = &((eng_book *)ctx)->parts[p];
    size_t n = part->n_orders;
    if (n < 2)
        return ENG_OK;
    id_key *keys = malloc(n * sizeof *keys);
    eng_order *sorted = malloc(n * sizeof *sorted);
    if (!keys || !sorted) {
        free(keys);
        free(sorted);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory sorting orders");
    }
    for (size_t o = 0; o < n; o++)
        id_key_set(&keys[o], &part->orders[o]);
    qsort(keys, n, sizeof *keys, cmp_id_key);
    for (size_t o = 0; o < n; o++)
        sorted[o] = *keys[o].o;
    memcpy(part->orders, sorted, n * sizeof *sorted);
    free(sorted);
    free(keys);
    return ENG_OK;
}

/* The partitions' sorted orders as runs of one merge (base/kmerge). */
static const void *partition_order(const void *ctx, size_t p, size_t i)
{
    return &((const eng_book *)ctx)->parts[p].orders[i];
}

static void order_id_key(const void *elem, uint64_t key[2])
{
    id_key k;
    id_key_set(&k, (eng_order *)elem);
    key[0] = k.hi;
    key[1] = k.lo;
}

static int order_id_cmp(const void *a, const void *b)
{
    const eng_order *x = a, *y = b;
    return cmp_order_id(&x, &y);
}

static void order_id_ahead(const void *next, const void *after)
{
    (void)after; /* a partition's orders are one array, read in order */
    __builtin_prefetch(((const eng_order *)next)->id);
}

eng_rc eng_book_list(const eng_setup *setup, eng_book *b, eng_err *err)
{
    size_t total = 0;
    b->n_aside = 0;
    for (size_t p = 0; p < ENG_PARTS; p++) {
        total += b->parts[p].n_orders;
        b->n_aside += b->parts[p].n_aside;
    }
    free(b->orders);
    b->n_orders = 0;
    sort_setup = setup;
    if (!(b->orders = malloc((total ? total : 1) * sizeof *b->orders)))
        return ENG_FAIL(err, ENG_NOMEM, "out of memory listing orders");
    size_t run_len[ENG_PARTS];
    for (size_t p = 0; p < ENG_PARTS; p++)
        run_len[p] = b->parts[p].n_orders;
    eng_kmerge merge = {ENG_PARTS,    run_len,       b, partition_order, order_id_key,
                        order_id_cmp, order_id_ahead};
    ENG_TRY(eng_kmerge_run(setup->pool, &merge, b->orders, err));
    b->n_orders = total;
    return ENG_OK;
}

eng_rc eng_book_build_some(const eng_setup *setup, eng_batches *batches, const eng_history *history,
                           const unsigned char *here, eng_book **out, eng_err *err)
{
    eng_book *b = calloc(1, sizeof *b);
    if (!b)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory grouping orders");
    book_ctx c = {setup, batches, history, b, here};
    eng_rc rc = tally_rows(&c, err);
    if (rc != ENG_OK)
        rc = ENG_FAIL(err, ENG_NOMEM, "out of memory grouping orders");
    if (rc == ENG_OK)
        rc = eng_pool_for(setup->pool, ENG_PARTS, build_partition, &c, err);
    /* Every row is freed now; what the last partitions freed no later one reused: give
     * it back before the sort and the allocation take their scratch. */
    eng_heap_give_back_free();
    sort_setup = setup;
    if (rc == ENG_OK)
        rc = eng_pool_for(setup->pool, ENG_PARTS, sort_partition, b, err);
    if (rc == ENG_OK)
        rc = eng_book_list(setup, b, err);
    if (rc != ENG_OK) {
        eng_book_free(b);
        return rc;
    }
    *out = b;
    return ENG_OK;
}

eng_rc eng_book_build(const eng_setup *setup, eng_batches *batches, const eng_history *history,
                      eng_book **out, eng_err *err)
{
    return eng_book_build_some(setup, batches, history, NULL, out, err);
}

void eng_book_free(eng_book *b)
{
    if (!b)
        return;
    for (size_t p = 0; p < ENG_PARTS; p++) {
        eng_exc_list_release(&b->parts[p].exc);
        eng_arena_free(b->parts[p].mem);
    }
    free(b->orders);
    free(b);
}
