/* The records the stages hand each other inside their products:
 *
 *   intake    files -> chunks -> batches of eng_row (+ row-level exceptions)
 *   book      batches -> partitions of eng_order with eng_line (+ order-level exceptions)
 *   allocate  ranked orders -> reservations on the stock counters, slip numbers
 *   write     everything above -> the output files
 *
 * Rows live in their batch's array, their heads, ids and texts in the arena of the worker
 * that read the batch; orders and lines in their partition's arena. Each stage writes only the
 * fields it owns (named per field below), so the threads of one stage never write the same record.
 */
#ifndef ENG_RECORD_H
#define ENG_RECORD_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../formats/buf.h"
#include "../../formats/canon.h"
#include "../../formats/layout.h"
#include "../../formats/num.h"
#include "../core/arena.h"
#include "../core/err.h"

/* Orders are spread over this many partitions by a hash of their id; all rows of one
 * order id, from every file, land in the same partition. */
#define ENG_PARTS 256

/* ---- one input row (ingest; some flags updated by the orders stage) ---- */

/* Order-level text fields kept per row, in this order. */
typedef enum eng_ht {
    ENG_HT_CHANNEL,
    ENG_HT_CUSTOMER_ID,
    ENG_HT_SHIP_NAME,
    ENG_HT_SHIP_STREET,
    ENG_HT_SHIP_CITY,
    ENG_HT_SHIP_REGION,
    ENG_HT_SHIP_POSTAL,
    ENG_HT_SHIP_COUNTRY,
    ENG_HT_SHIP_SERVICE,
    ENG_HT_CURRENCY,
    ENG_HT_MARKETPLACE_TAX, /* "y" or "n" as checked (ingest), "" when not stated */
    ENG_HT_PAYMENT_GATEWAY,
    ENG_HT_COUNT
} eng_ht;

/* Order-level money fields, in this order. */
typedef enum eng_hm {
    ENG_HM_ORDER_TOTAL,
    ENG_HM_SHIPPING,
    ENG_HM_TAX,
    ENG_HM_DISCOUNT,
    ENG_HM_COUNT
} eng_hm;

/* The head slot an order-level column fills: a text slot (eng_ht) or a money slot
 * (eng_hm), -1 for a column of the other kind or not order-level. */
int eng_head_text_slot(fmt_col c);
int eng_head_money_slot(fmt_col c);

typedef struct eng_text {
    const char *p; /* NUL-terminated; "" when blank */
    uint32_t len;
} eng_text;

/* An order id as the night keeps it, once per order though every row and the order point
 * at it: NUL-terminated, its length the uint32_t right before its first byte. */
static inline uint32_t eng_id_len(const char *id)
{
    uint32_t len;
    memcpy(&len, id - sizeof len, sizeof len);
    return len;
}

/* A kept copy in mem of the len bytes at p. NULL when out of memory. */
const char *eng_id_keep(eng_arena *mem, const char *p, uint32_t len);

/* The order-level texts that repeat from order to order (channel, ship_country,
 * ship_service, currency, marketplace_tax, payment_gateway), kept together once per
 * distinct combination: the intake's table (intake/intern) hands every head with the same
 * texts the same tuple, so a night of a million orders holds a few hundred of them. A tuple is
 * private to its head (in the head's arena) when the table is full or a text is long. Each text is
 * NUL-terminated; "" when blank. */
typedef struct eng_head_common {
    eng_text text[6]; /* in ENG_HC_* order */
} eng_head_common;

enum {
    ENG_HC_CHANNEL,
    ENG_HC_SHIP_COUNTRY,
    ENG_HC_SHIP_SERVICE,
    ENG_HC_CURRENCY,
    ENG_HC_MARKETPLACE_TAX,
    ENG_HC_PAYMENT_GATEWAY,
    ENG_HC_COUNT
};

/* Where text slot f of a head lies: >= 0 its index among the head's own texts, < 0 the
 * one's complement of its index in the common tuple. */
static inline int eng_head_text_where(eng_ht f)
{
    static const signed char where[ENG_HT_COUNT] = {
        [ENG_HT_CHANNEL] = ~ENG_HC_CHANNEL,
        [ENG_HT_CUSTOMER_ID] = 0,
        [ENG_HT_SHIP_NAME] = 1,
        [ENG_HT_SHIP_STREET] = 2,
        [ENG_HT_SHIP_CITY] = 3,
        [ENG_HT_SHIP_REGION] = 4,
        [ENG_HT_SHIP_POSTAL] = 5,
        [ENG_HT_SHIP_COUNTRY] = ~ENG_HC_SHIP_COUNTRY,
        [ENG_HT_SHIP_SERVICE] = ~ENG_HC_SHIP_SERVICE,
        [ENG_HT_CURRENCY] = ~ENG_HC_CURRENCY,
        [ENG_HT_MARKETPLACE_TAX] = ~ENG_HC_MARKETPLACE_TAX,
        [ENG_HT_PAYMENT_GATEWAY] = ~ENG_HC_PAYMENT_GATEWAY,
    };
    return where[f];
}

#define ENG_HEAD_OWN 6 /* texts a head holds itself: customer and address but the country */

/* The order-level values of one row as read, or of an order as resolved: the working
 * form, on the stack; eng_head is the kept one. `present` has bit (1 << fmt_col) for each
 * column that is non-blank and valid; absent amounts are zero. */
typedef struct eng_head_values {
    int64_t money_mant[ENG_HM_COUNT];
    int64_t time_ns;
    int64_t priority;
    uint32_t present;
    uint8_t money_frac[ENG_HM_COUNT];
} eng_head_values;

static inline fmt_dec eng_values_money(const eng_head_values *v, eng_hm m)
{
    fmt_dec d = {v->money_mant[m], v->money_frac[m]};
    return d;
}

static inline void eng_values_set_money(eng_head_values *v, eng_hm m, fmt_dec d)
{
    v->money_mant[m] = d.mant;
    v->money_frac[m] = d.frac;
}

/* The order-level values one row carries, kept: a night keeps one per order, so it is
 * packed. 40 bytes, then the amounts and the priority that are not zero (8 bytes each,
 * `money_kept` has bit m for amount m and ENG_HEAD_KEEPS_PRIORITY for the priority), then
 * the head's own six texts, one after another, each NUL-terminated, own_end[i] being
 * where text i's NUL is (when `wide`, the texts pass 64 KiB and the ends are uint32_t at
 * the start of the text area instead). The repeated texts are the shared `common` tuple.
 * (A head with ten text ends, four amounts and its texts apart was 104 bytes and all ten
 * texts.) Read it with eng_head_text(), eng_head_money() and eng_head_priority(). */
typedef struct eng_head {
    const eng_head_common *common;
    int64_t time_ns;
    uint32_t present;
    uint8_t money_frac[ENG_HM_COUNT];
    uint16_t own_end[ENG_HEAD_OWN];
    uint8_t wide;
    uint8_t money_kept;
} eng_head;

#define ENG_HEAD_KEEPS_PRIORITY (1u << ENG_HM_COUNT)

static inline const int64_t *eng_head_mants(const eng_head *h)
{
    return (const int64_t *)(h + 1);
}

static inline fmt_dec eng_head_money(const eng_head *h, eng_hm m)
{
    fmt_dec d = {0, h->money_frac[m]};
    if (h->money_kept & (1u << m))
        d.mant = eng_head_mants(h)[__builtin_popcount(h->money_kept & ((1u << m) - 1))];
    return d;
}

/* The priority as read (0 when blank or not a whole number, as in eng_head_values). */
static inline int64_t eng_head_priority(const eng_head *h)
{
    if (!(h->money_kept & ENG_HEAD_KEEPS_PRIORITY))
        return 0;
    return eng_head_mants(h)[__builtin_popcount(h->money_kept & (ENG_HEAD_KEEPS_PRIORITY - 1))];
}

static inline eng_text eng_head_text(const eng_head *h, eng_ht f)
{
    int w = eng_head_text_where(f);
    if (w < 0)
        return h->common->text[~w];
    const char *area = (const char *)(eng_head_mants(h) + __builtin_popcount(h->money_kept));
    uint32_t start, end;
    if (__builtin_expect(h->wide, 0)) {
        uint32_t ends[ENG_HEAD_OWN];
        memcpy(ends, area, sizeof ends);
        area += sizeof ends;
        start = w == 0 ? 0 : ends[w - 1] + 1;
        end = ends[w];
    } else {
        start = w == 0 ? 0 : (uint32_t)h->own_end[w - 1] + 1;
        end = h->own_end[w];
    }
    eng_text t = {area + start, end - start};
    return t;
}

/* The head's values in the working form. */
void eng_head_values_of(const eng_head *h, eng_head_values *out);

/* The text slot of common tuple entry i (ENG_HC_*). */
static inline eng_ht eng_head_common_slot(int i)
{
    static const eng_ht slot[ENG_HC_COUNT] = {ENG_HT_CHANNEL,         ENG_HT_SHIP_COUNTRY,
                                              ENG_HT_SHIP_SERVICE,    ENG_HT_CURRENCY,
                                              ENG_HT_MARKETPLACE_TAX, ENG_HT_PAYMENT_GATEWAY};
    return slot[i];
}

/* Whether the tuple holds exactly the common texts of texts[] (indexed by eng_ht). */
int eng_head_common_holds(const eng_head_common *c, const eng_text *texts);

/* A tuple in mem holding copies of the common texts of texts[]. NULL when out of memory. */
eng_head_common *eng_head_common_new(eng_arena *mem, const eng_text *texts);

/* A head in mem with the values of like and the texts texts[] (indexed by eng_ht):
 * its own texts copied, the repeated ones from common, which must hold them
 * (eng_head_common_holds), or when common is NULL from a private tuple made in mem. NULL
 * when out of memory or the texts are over 4 GB together. */
eng_head *eng_head_new(eng_arena *mem, const eng_head_values *like, const eng_text *texts,
                       const eng_head_common *common);

enum {
    ENG_ROW_QTY_OK = 1 << 0,     /* qty parsed */
    ENG_ROW_PRICE_OK = 1 << 1,   /* unit_price parsed */
    ENG_ROW_BAD = 1 << 2,        /* has a code that counts towards max_error_rate */
    ENG_ROW_FAULT = 1 << 3,      /* has any code that rejects its order */
    ENG_ROW_DUP = 1 << 4,        /* repeats an earlier row of its order (orders stage) */
    ENG_ROW_ID_ESCAPED = 1 << 5, /* order_id held invalid UTF-8 and is stored escaped: it
                                    never equals an id that did not */
    ENG_ROW_HEAD_ONLY = 1 << 6,  /* order-level values only, no line (a summary row) */
    ENG_ROW_LINE_TOTAL = 1 << 7, /* unit_price holds the line's total (Amazon, WooCommerce) */
    ENG_ROW_SUPERSEDED = 1 << 8, /* a later row of the same marketplace line wins (orders) */
    ENG_ROW_MUTED = 1 << 9,      /* its order has a marketplace state: its exceptions are
                                    not reported (orders stage) */
    /* Bits ENG_ROW_GIVEN_SHIFT and up: which of the order-level values every order needs
     * (eng_required_col) the row has non-blank, valid or not; all of them for a malformed
     * row, whose fields cannot be trusted. */
    ENG_ROW_GIVEN_SHIFT = 10,
};

/* The order-level values every order needs (orders.c's check_required). */
#define ENG_REQUIRED_COUNT 6
static inline fmt_col eng_required_col(int i)
{
    static const fmt_col cols[ENG_REQUIRED_COUNT] = {FMT_COL_ORDER_TIME, FMT_COL_CURRENCY,
                                                     FMT_COL_SHIP_NAME,  FMT_COL_SHIP_STREET,
                                                     FMT_COL_SHIP_CITY,  FMT_COL_SHIP_COUNTRY};
    return cols[i];
}

#define ENG_ROW_GIVEN_ALL (((1u << ENG_REQUIRED_COUNT) - 1) << ENG_ROW_GIVEN_SHIFT)

/* The values of a row too large for its 32-bit fields (see eng_row): rarer still. */
typedef struct eng_row_big {
    int64_t qty;       /* when the row's qty is ENG_ROW_IN_EXTRA */
    int64_t unit_mant; /* when the row's unit_mant is ENG_ROW_IN_EXTRA */
    uint64_t line;     /* when the row's line is ENG_ROW_LINE_IN_EXTRA */
} eng_row_big;

/* What few rows carry: the marketplace's line id (rows may repeat a line; the latest
 * wins; every row of an Amazon or Tmall night has one), an open_qty column (a fed-back
 * backorder), and values too large for the row's 32-bit fields. */
typedef struct eng_row_extra {
    const struct eng_line_key *key; /* NULL when the row has no line id */
    int64_t open_qty;               /* -1 when blank */
    const eng_row_big *big;         /* NULL when every value fits the row */
} eng_row_extra;

/* A row's qty or unit_mant that does not fit 32 bits is in its extra; so is a line
 * number past 4,294,967,294. */
#define ENG_ROW_IN_EXTRA      INT32_MIN
#define ENG_ROW_LINE_IN_EXTRA UINT32_MAX

/* One per order line of the night until the orders stage has built its lines, so it is
 * kept to 64 bytes: what only some rows have is behind `extra` (a line id, open_qty,
 * numbers too large for 32 bits), of which values it gives only those a rule reads
 * (flags), and its id's length before the id's text. Read it with eng_row_line,
 * eng_row_qty, eng_row_unit_price and eng_row_id_len. */
typedef struct eng_row {
    const char *order_id;       /* NULL when blank or the row is unreadable; the uint32_t
                                   before its text is its length (eng_row_id_len) */
    const eng_head *head;       /* NULL when every order-level field is blank */
    const eng_row_extra *extra; /* NULL when the row needs none */
    uint64_t rec_digest[2];     /* keyed SipHash-128 of the record's fields as DUPLICATE_ROW
                                   compares them (unquoted, trimmed, each with its length), or
                                   of its bytes when it is malformed; the key is drawn per run,
                                   and rows whose digests meet are compared value by value */
    uint32_t line;              /* physical line where the record starts */
    int32_t qty;                /* valid with ENG_ROW_QTY_OK */
    int32_t unit_mant;          /* unit_price (fmt_dec), valid with ENG_ROW_PRICE_OK */
    int32_t product;            /* catalog index, or -1 */
    uint16_t file;              /* index into the night's order files */
    uint16_t flags;             /* ENG_ROW_*, and which required values are given */
    uint8_t unit_frac;          /* unit_price's digits after the point */
    uint8_t worst;              /* lowest eng_code that faults the row, 0 for none */
    uint8_t order_state;        /* fmt_state the marketplace gives the whole order, if stated */
    uint8_t line_state;         /* fmt_state of this line: not ours to ship when set */
} eng_row;

/* A marketplace line id (Amazon's order-item-id) and when the row was last updated. */
typedef struct eng_line_key {
    const char *id;
    uint32_t len;
    int64_t updated_ns;
} eng_line_key;

static inline uint64_t eng_row_line(const eng_row *r)
{
    return r->line != ENG_ROW_LINE_IN_EXTRA ? r->line : r->extra->big->line;
}

static inline int64_t eng_row_qty(const eng_row *r)
{
    return r->qty != ENG_ROW_IN_EXTRA ? r->qty : r->extra->big->qty;
}

static inline fmt_dec eng_row_unit_price(const eng_row *r)
{
    fmt_dec d = {r->unit_mant != ENG_ROW_IN_EXTRA ? r->unit_mant : r->extra->big->unit_mant,
                 r->unit_frac};
    return d;
}

/* The order id's length (the row has an id). */
static inline uint32_t eng_row_id_len(const eng_row *r)
{
    return eng_id_len(r->order_id);
}

static inline const eng_line_key *eng_row_key(const eng_row *r)
{
    return r->extra ? r->extra->key : NULL;
}

static inline int64_t eng_row_open_qty(const eng_row *r)
{
    return r->extra ? r->extra->open_qty : -1;
}

/* Record that a row carries code: sets ENG_ROW_FAULT (and ENG_ROW_BAD for the codes that
 * count towards max_error_rate) and keeps the lowest code in row->worst. Informational
 * codes (DUPLICATE_ROW) do not fault a row and are not passed here. */
void eng_row_fault(eng_row *row, eng_code code);

/* 1 for the codes that count towards max_error_rate: MALFORMED_ROW, BAD_ENCODING,
 * UNSAFE_TEXT (a file full of formula-led ids is the wrong file or a hostile one),
 * MISSING_FIELD and BAD_*. */
int eng_code_counts_as_bad(eng_code code);

/* ---- one exception row ---- */
typedef struct eng_exc {
    uint64_t line;         /* 0 when not tied to a line */
    const char *record_id; /* order id (valid UTF-8) or "" */
    const char *message;
    const char *field; /* column name or "" */
    uint16_t file;     /* index into the night's sources */
    uint16_t code;     /* eng_code */
    uint32_t row;      /* in a batch's list: the row's index in that batch (its flags say
                          whether the exception is muted); UINT32_MAX elsewhere */
} eng_exc;

/* A growable list of exceptions with the arena its texts live in (owned by a batch or a
 * partition; one writer). */
typedef struct eng_exc_list {
    eng_exc *items;
    size_t n;
    size_t cap;
} eng_exc_list;

/* Append an exception; message is formatted into mem. ENG_NOMEM. */
eng_rc eng_exc_add(eng_exc_list *l, eng_arena *mem, uint16_t file, uint64_t line,
                   const char *record_id, eng_code code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
void eng_exc_list_release(eng_exc_list *l);

/* ---- one chunk's rows (ingest) ---- */
typedef struct eng_batch {
    eng_row *rows; /* the rows in reading order, while the chunk is read; NULL once grouped */
    size_t n_rows;
    size_t cap_rows;
    /* Once grouped (eng_ingest_partition), part_rows[p] holds the batch's rows
     * part_start[p] .. part_start[p + 1] - 1 of partition p, borrowed from the intake's row
     * store (intake/rowstore.h): the orders stage builds partition p from every batch's
     * part_rows[p] where it lies, then releases them. NULL when empty or released. Row k
     * of the grouped batch is eng_batch_row(). */
    eng_row *part_rows[ENG_PARTS + 1];
    /* Set by eng_book_build as the rows go: what later stages read of them. */
    uint16_t *row_flags;      /* each row's ENG_ROW_* flags, final after the orders stage */
    uint64_t standalone_rows; /* rows in no order (blank order id) */
    uint64_t unnamed_rows;    /* of those, rows with no exception (must be none) */
    eng_exc_list exc;
    /* heads, ids, text, messages: the batch's own arena, or (mem_shared) the arena of the
     * worker that read it, shared with that worker's other batches and freed with them */
    eng_arena *mem;
    int mem_shared;
    /* The grouped batch's rows part_start[p] .. part_start[p + 1] - 1 are partition p's
     * (part_rows[p]), in the order read; those from part_start[ENG_PARTS] to n_rows have
     * no order id (part_rows[ENG_PARTS]) */
    uint32_t part_start[ENG_PARTS + 1];
    uint16_t file;
    uint64_t seq;
    uint64_t swallowed_lines; /* lines read into malformed multi-line records */
} eng_batch;

void eng_batch_free(eng_batch *b);

/* The rows of partition p of a grouped batch (p == ENG_PARTS: those without an order
 * id), in part_rows[p]. */
static inline uint32_t eng_batch_part_count(const eng_batch *b, size_t p)
{
    return (p < ENG_PARTS ? b->part_start[p + 1] : (uint32_t)b->n_rows) - b->part_start[p];
}

/* The partition row k (< n_rows) of a grouped batch is in (ENG_PARTS: the rows without
 * an order id). */
size_t eng_batch_part_of(const eng_batch *b, uint32_t k);

/* Row k (< n_rows) of a grouped batch, numbered as exceptions' row and row_flags number
 * them, while its partition's rows are kept. */
eng_row *eng_batch_row(const eng_batch *b, uint32_t k);

/* ---- orders (orders stage; allocation fields by alloc) ---- */

/* An order's status. The marketplace states follow fmt_state's order (ENG_ST_STATE +
 * state), so that a state maps to its status by addition. */
typedef enum eng_status {
    ENG_ST_SHIPPED,
    ENG_ST_PARTIAL,
    ENG_ST_BACKORDERED,
    ENG_ST_REJECTED,
    ENG_ST_STATE = ENG_ST_REJECTED, /* + fmt_state (FMT_STATE_NONE is never used) */
    ENG_ST_NO_SHIPPING,
    ENG_ST_BY_MARKETPLACE,
    ENG_ST_UNPAID,
    ENG_ST_FULFILLED,
    ENG_ST_CANCELLED,
    ENG_ST_COUNT
} eng_status;

const char *eng_status_name(eng_status st);

/* Where part of a line ships from. */
typedef struct eng_part {
    uint32_t slot;
    int64_t qty;
} eng_part;

/* A line's unit counts, read with eng_line_get and written with eng_line_set. Each is
 * at most ORDERED: what is to allocate tonight (QTY: ordered - before, at most the row's
 * open_qty), what tonight ships (SHIPPED, alloc), what earlier nights shipped (BEFORE).
 * A narrow line keeps the first three in 32 bits and has no BEFORE. */
typedef enum eng_lq {
    ENG_LQ_ORDERED,
    ENG_LQ_QTY,
    ENG_LQ_SHIPPED,
    ENG_LQ_BEFORE,
    ENG_LQ_COUNT
} eng_lq;

#define ENG_LQ_NARROW ENG_LQ_BEFORE /* counts a narrow line holds itself */

/* What a line keeps apart, in its partition's arena, when it does not fit 32 bytes ("wide"):
 * more than 4,294,967,295 units (SPEC allows any 64-bit quantity), units shipped by earlier
 * nights, or a price in minor units past 32 bits. Its counts, price and where they ship
 * from. */
typedef struct eng_line_wide {
    int64_t q[ENG_LQ_COUNT];
    int64_t price_minor;
    eng_part *parts;   /* n_parts > 1 */
    uint32_t one_slot; /* n_parts == 1 */
} eng_line_wide;

/* A line of an order: one per distinct row with a SKU, in row order (so its line_no, 1
 * among the order's distinct rows, is its index in the order's lines plus 1). It does
 * not point back at its row, which is freed once the order's partition is built
 * (orders.c). One per order line of the night, so 32 bytes: three unit counts and the
 * price in 32 bits (a line that needs more, or has units shipped before, is wide and keeps
 * them apart), where it ships from in one word, and the price one field, a unit price or
 * a stated line amount (read it through eng_line_price, eng_line_unit and
 * eng_line_amount). */
typedef struct eng_line {
    union {
        eng_part *parts;     /* narrow, n_parts > 1: where the units ship from */
        uint32_t one_slot;   /* narrow, n_parts == 1: the slot all shipped units come from */
        eng_line_wide *wide; /* is_wide */
    } x;
    uint32_t q[ENG_LQ_NARROW]; /* narrow counts (ordered is 0 when the row's qty is bad) */
    int32_t price;             /* narrow: in minor units, the unit price, or with
                                  amount_stated the line's stated amount; 0 when unknown */
    int32_t product;
    uint32_t n_parts : 28; /* 0: nothing shipped; read them with eng_alloc_line_parts */
    /* alloc: the line waits for tomorrow, below min_fill_line_pct (it ships nothing) */
    uint32_t waits : 1;
    /* the row was given as a line total (ENG_ROW_LINE_TOTAL), kept here because the row
     * is far away in memory and freed after the orders stage */
    uint32_t line_total : 1;
    /* the price is that total, converted (a line total that did not convert keeps what
     * the conversion gave as its unit price, and has no amount) */
    uint32_t amount_stated : 1;
    uint32_t is_wide : 1;
} eng_line;

static inline int64_t eng_line_get(const eng_line *l, eng_lq q)
{
    if (l->is_wide)
        return l->x.wide->q[q];
    return q == ENG_LQ_BEFORE ? 0 : (int64_t)l->q[q];
}

/* Set count q to v; a narrow line takes only counts that fit 32 bits and no BEFORE (see
 * eng_line_set_before). */
static inline void eng_line_set(eng_line *l, eng_lq q, int64_t v)
{
    assert(v >= 0 && (q == ENG_LQ_ORDERED || v <= eng_line_get(l, ENG_LQ_ORDERED)));
    if (l->is_wide) {
        l->x.wide->q[q] = v;
    } else if (q == ENG_LQ_BEFORE) {
        assert(v == 0);
    } else {
        assert(v <= UINT32_MAX);
        l->q[q] = (uint32_t)v;
    }
}

/* The price in minor units: the unit price, or with amount_stated the stated amount. */
static inline int64_t eng_line_price(const eng_line *l)
{
    return l->is_wide ? l->x.wide->price_minor : l->price;
}

/* Set units shipped by earlier nights, or the price, widening the line (in mem) when it
 * needs. ENG_NOMEM. */
eng_rc eng_line_set_before(eng_line *l, int64_t before, eng_arena *mem);
eng_rc eng_line_set_price(eng_line *l, int64_t price_minor, eng_arena *mem);

static inline int64_t eng_line_ordered(const eng_line *l)
{
    return eng_line_get(l, ENG_LQ_ORDERED);
}

static inline int64_t eng_line_before(const eng_line *l)
{
    return eng_line_get(l, ENG_LQ_BEFORE);
}

static inline int64_t eng_line_qty(const eng_line *l)
{
    return eng_line_get(l, ENG_LQ_QTY);
}

static inline int64_t eng_line_shipped(const eng_line *l)
{
    return eng_line_get(l, ENG_LQ_SHIPPED);
}

/* The line's parts array (n_parts > 1). */
static inline eng_part *eng_line_parts(const eng_line *l)
{
    return l->is_wide ? l->x.wide->parts : l->x.parts;
}

static inline void eng_line_set_parts(eng_line *l, eng_part *parts)
{
    if (l->is_wide)
        l->x.wide->parts = parts;
    else
        l->x.parts = parts;
}

/* The slot of a line shipped from one (n_parts == 1). */
static inline uint32_t eng_line_one_slot(const eng_line *l)
{
    return l->is_wide ? l->x.wide->one_slot : l->x.one_slot;
}

static inline void eng_line_set_one_slot(eng_line *l, uint32_t slot)
{
    if (l->is_wide)
        l->x.wide->one_slot = slot;
    else
        l->x.one_slot = slot;
}

/* A new line in *l (zeroed) for `ordered` units, all of them to allocate (QTY), wide when
 * they pass 32 bits (its counts then in mem). ENG_NOMEM. */
eng_rc eng_line_init(eng_line *l, int64_t ordered, eng_arena *mem);

/* The unit price in minor units: for a stated line amount, it divided by the quantity,
 * half up (SPEC), 0 without a quantity. */
static inline int64_t eng_line_unit(const eng_line *ln)
{
    if (!ln->amount_stated)
        return eng_line_price(ln);
    int64_t ordered = eng_line_ordered(ln);
    if (ordered <= 0)
        return 0;
    return (int64_t)(((__int128)2 * eng_line_price(ln) + ordered) / (2 * (__int128)ordered));
}

/* The amount of a line's first `units` units: the stated total when that is all of them
 * and the line was given as a total (SPEC: "the line amount is the truth"; 0 when it did
 * not convert), else units x unit price. Amounts of parts are differences of this, so
 * they add up to the total. */
int64_t eng_line_amount(const eng_line *ln, int64_t units);

enum {
    ENG_ORD_DUPLICATE = 1 << 0,  /* same id already received in an earlier file */
    ENG_ORD_CONTENDED = 1 << 1,  /* has a line on a contended SKU (alloc) */
    ENG_ORD_NO_ALLOWED = 1 << 2, /* a line's SKU is in none of its allowed warehouses */
    ENG_ORD_WAITS = 1 << 3,      /* waits for tomorrow, below min_fill_order_pct (alloc) */
    ENG_ORD_PRICED = 1 << 4,     /* every line and order-level amount converted to minor units */
};

/* One per order of the night, so 80 bytes: its id's length is kept before the id's text
 * (eng_id_len), and its time and priority are its head's (eng_order_time_ns,
 * eng_order_priority), read once per order when ranking. */
typedef struct eng_order {
    const char *id;       /* a kept id (eng_id_keep) */
    const eng_head *head; /* resolved order-level fields (never NULL once built) */
    eng_line *lines;
    uint64_t line;       /* physical line of the first row */
    uint64_t first_slip; /* alloc: number of the first slip */
    int64_t units;       /* ordered units, then (after alloc) as SPEC's status row wants */
    int64_t amount_minor;
    uint32_t n_lines;
    uint32_t n_slips;   /* alloc: slips (one per warehouse shipped from) */
    uint32_t lines_out; /* `lines` column of the status row */
    uint32_t n_rows;    /* input rows, repeats included (the summary recounts them) */
    uint16_t file;
    int16_t currency; /* fmt_currency index, -1 unknown */
    uint8_t flags;
    uint8_t status; /* eng_status */
    uint8_t code;   /* eng_code of the status row */
} eng_order;

static inline uint32_t eng_order_id_len(const eng_order *o)
{
    return eng_id_len(o->id);
}

/* The order's time and priority: its head's when given, else 0 (SPEC: a blank priority
 * ranks as 0). */
static inline int64_t eng_order_time_ns(const eng_order *o)
{
    return (o->head->present & (1u << FMT_COL_ORDER_TIME)) ? o->head->time_ns : 0;
}

static inline int64_t eng_order_priority(const eng_order *o)
{
    return (o->head->present & (1u << FMT_COL_PRIORITY)) ? eng_head_priority(o->head) : 0;
}

/* Order ids in byte order (a proper prefix first): <0, 0, >0. */
int eng_order_cmp_id(const eng_order *a, const eng_order *b);

typedef struct eng_partition {
    eng_order *orders;
    size_t n_orders;
    size_t n_aside; /* of those, copies set aside (ENG_ORD_DUPLICATE) */
    eng_exc_list exc;
    eng_arena *mem;
    size_t n_rows; /* its rows in every batch (each batch's part_rows[p]) */
} eng_partition;

/* ---- inputs ---- */

/* An input file as given on the command line: setup's, fixed for the run. */
typedef struct eng_source {
    const char *path; /* as given on the command line (or listed in a --history folder) */
    const char *role; /* "orders", "returns", "history", "catalog", "inventory", "policy",
                         "mapping" */
} eng_source;

/* What reading a file found out about it. Each file is read by exactly one stage, which
 * owns its facts: setup the reference files, intake the orders, returns and history. */
typedef struct eng_file_facts {
    const char *format;   /* layout detected ("canonical"), "slips"... or "" */
    const char *encoding; /* orders: the encoding read ("UTF-8", "GB18030") */
    const char *date_order; /* orders: "dmy" or "mdy" when its dates are a spreadsheet's */
    /* orders: the file's name for each canonical value, for exceptions' field
     * ("Lineitem sku" in a Shopify file); NULL before the header is read */
    const char *col_label[FMT_COL_COUNT];
    uint32_t no_column; /* bit (1 << fmt_col) per value the file has no column for */
    uint32_t own_column; /* bit (1 << fmt_col) per value read from a column of its own */
    uint64_t bytes;
    char sha256[65];
    uint64_t data_rows; /* records after the header */
} eng_file_facts;

#endif
