/* Small shared pieces of the night's records: exception lists, batch lifetime, status
 * names. */
#include "record.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

eng_rc eng_exc_add(eng_exc_list *l, eng_arena *mem, uint16_t file, uint64_t line,
                   const char *record_id, eng_code code, const char *field, const char *fmt, ...)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        eng_exc *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return ENG_NOMEM;
        l->items = grown;
        l->cap = cap;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof msg)
        n = sizeof msg - 1;
    char *copy = eng_arena_strndup(mem, msg, (size_t)n);
    if (!copy)
        return ENG_NOMEM;
    eng_exc *e = &l->items[l->n++];
    e->line = line;
    e->record_id = record_id ? record_id : "";
    e->message = copy;
    e->field = field ? field : "";
    e->file = file;
    e->code = (uint16_t)code;
    e->row = UINT32_MAX;
    return ENG_OK;
}

void eng_exc_list_release(eng_exc_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

int eng_code_counts_as_bad(eng_code code)
{
    switch (code) {
    case ENG_CODE_MALFORMED_ROW:
    case ENG_CODE_BAD_ENCODING:
    case ENG_CODE_UNSAFE_TEXT:
    case ENG_CODE_MISSING_FIELD:
    case ENG_CODE_BAD_NUMBER:
    case ENG_CODE_BAD_QTY:
    case ENG_CODE_BAD_DATE:
    case ENG_CODE_BAD_VALUE:
        return 1;
    default:
        return 0;
    }
}

void eng_row_fault(eng_row *row, eng_code code)
{
    row->flags |= ENG_ROW_FAULT;
    if (eng_code_counts_as_bad(code))
        row->flags |= ENG_ROW_BAD;
    if (row->worst == 0 || code < row->worst)
        row->worst = (uint8_t)code;
}

int eng_head_common_holds(const eng_head_common *c, const eng_text *texts)
{
    for (int i = 0; i < ENG_HC_COUNT; i++) {
        eng_text t = texts[eng_head_common_slot(i)];
        if (c->text[i].len != t.len || memcmp(c->text[i].p, t.p, t.len) != 0)
            return 0;
    }
    return 1;
}

eng_head_common *eng_head_common_new(eng_arena *mem, const eng_text *texts)
{
    eng_head_common *c = eng_arena_alloc(mem, sizeof *c, _Alignof(eng_head_common));
    if (!c)
        return NULL;
    for (int i = 0; i < ENG_HC_COUNT; i++) {
        eng_text t = texts[eng_head_common_slot(i)];
        c->text[i].p = t.len ? eng_arena_strndup(mem, t.p, t.len) : "";
        c->text[i].len = t.len;
        if (!c->text[i].p)
            return NULL;
    }
    return c;
}

void eng_head_values_of(const eng_head *h, eng_head_values *out)
{
    memset(out, 0, sizeof *out);
    for (int m = 0; m < ENG_HM_COUNT; m++)
        eng_values_set_money(out, (eng_hm)m, eng_head_money(h, (eng_hm)m));
    out->time_ns = h->time_ns;
    out->priority = eng_head_priority(h);
    out->present = h->present;
}

eng_head *eng_head_new(eng_arena *mem, const eng_head_values *like, const eng_text *texts,
                       const eng_head_common *common)
{
    assert(!common || eng_head_common_holds(common, texts));
    /* The head's own texts, in their order (eng_head_text_where numbers them as they
     * come in eng_ht). */
    eng_ht own[ENG_HEAD_OWN];
    size_t total = 0;
    for (int f = 0, i = 0; f < ENG_HT_COUNT; f++) {
        if (eng_head_text_where((eng_ht)f) < 0)
            continue;
        assert(eng_head_text_where((eng_ht)f) == i);
        own[i++] = (eng_ht)f;
        total += (size_t)texts[f].len + 1;
    }
    if (total > UINT32_MAX)
        return NULL;
    unsigned kept = 0;
    for (int m = 0; m < ENG_HM_COUNT; m++)
        if (like->money_mant[m] != 0)
            kept |= 1u << m;
    if (like->priority != 0)
        kept |= ENG_HEAD_KEEPS_PRIORITY;
    unsigned n_kept = (unsigned)__builtin_popcount(kept);
    int wide = total > UINT16_MAX;
    uint32_t ends[ENG_HEAD_OWN];
    size_t area = n_kept * sizeof(int64_t) + (wide ? sizeof ends : 0) + total;
    eng_head *h = eng_arena_alloc(mem, sizeof *h + area, _Alignof(eng_head));
    if (!h || (!common && !(common = eng_head_common_new(mem, texts))))
        return NULL;
    memset(h, 0, sizeof *h);
    h->common = common;
    h->time_ns = like->time_ns;
    h->present = like->present;
    memcpy(h->money_frac, like->money_frac, sizeof h->money_frac);
    h->wide = (uint8_t)wide;
    h->money_kept = (uint8_t)kept;
    int64_t *mants = (int64_t *)(h + 1);
    int k = 0;
    for (int m = 0; m < ENG_HM_COUNT; m++)
        if (kept & (1u << m))
            mants[k++] = like->money_mant[m];
    if (kept & ENG_HEAD_KEEPS_PRIORITY)
        mants[k++] = like->priority;
    assert(k == (int)n_kept);
    char *at_texts = (char *)(mants + n_kept);
    char *dst = at_texts + (wide ? sizeof ends : 0);
    size_t at = 0;
    for (int i = 0; i < ENG_HEAD_OWN; i++) {
        eng_text t = texts[own[i]];
        if (t.len)
            memcpy(dst + at, t.p, t.len);
        at += t.len;
        dst[at] = '\0';
        ends[i] = (uint32_t)at;
        if (!wide)
            h->own_end[i] = (uint16_t)at;
        at++;
    }
    if (wide)
        memcpy(at_texts, ends, sizeof ends);
    assert(eng_head_text(h, ENG_HT_SHIP_POSTAL).p ==
           dst + total - 1 - texts[ENG_HT_SHIP_POSTAL].len);
    return h;
}

void eng_batch_free(eng_batch *b)
{
    if (!b)
        return;
    free(b->rows);
    free(b->row_flags);
    eng_exc_list_release(&b->exc);
    if (!b->mem_shared)
        eng_arena_free(b->mem);
    free(b);
}

size_t eng_batch_part_of(const eng_batch *b, uint32_t k)
{
    assert(k < b->n_rows);
    /* The last partition starting at or before k; empty partitions share their start
     * with the next, so it is the one holding k. */
    size_t lo = 0, hi = ENG_PARTS + 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (b->part_start[mid] <= k)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

eng_row *eng_batch_row(const eng_batch *b, uint32_t k)
{
    assert(!b->rows && k < b->n_rows);
    size_t p = eng_batch_part_of(b, k);
    assert(b->part_rows[p]);
    return &b->part_rows[p][k - b->part_start[p]];
}

int eng_head_text_slot(fmt_col c)
{
    switch (c) {
    case FMT_COL_CHANNEL:
        return ENG_HT_CHANNEL;
    case FMT_COL_CUSTOMER_ID:
        return ENG_HT_CUSTOMER_ID;
    case FMT_COL_SHIP_NAME:
        return ENG_HT_SHIP_NAME;
    case FMT_COL_SHIP_STREET:
        return ENG_HT_SHIP_STREET;
    case FMT_COL_SHIP_CITY:
        return ENG_HT_SHIP_CITY;
    case FMT_COL_SHIP_REGION:
        return ENG_HT_SHIP_REGION;
    case FMT_COL_SHIP_POSTAL:
        return ENG_HT_SHIP_POSTAL;
    case FMT_COL_SHIP_COUNTRY:
        return ENG_HT_SHIP_COUNTRY;
    case FMT_COL_SHIP_SERVICE:
        return ENG_HT_SHIP_SERVICE;
    case FMT_COL_CURRENCY:
        return ENG_HT_CURRENCY;
    case FMT_COL_MARKETPLACE_TAX:
        return ENG_HT_MARKETPLACE_TAX;
    case FMT_COL_PAYMENT_GATEWAY:
        return ENG_HT_PAYMENT_GATEWAY;
    default:
        return -1;
    }
}

int eng_head_money_slot(fmt_col c)
{
    switch (c) {
    case FMT_COL_ORDER_TOTAL:
        return ENG_HM_ORDER_TOTAL;
    case FMT_COL_SHIPPING:
        return ENG_HM_SHIPPING;
    case FMT_COL_TAX:
        return ENG_HM_TAX;
    case FMT_COL_DISCOUNT:
        return ENG_HM_DISCOUNT;
    default:
        return -1;
    }
}

int eng_order_cmp_id(const eng_order *a, const eng_order *b)
{
    uint32_t la = eng_order_id_len(a), lb = eng_order_id_len(b);
    int c = memcmp(a->id, b->id, la < lb ? la : lb);
    if (c)
        return c;
    return (la > lb) - (la < lb);
}

const char *eng_id_keep(eng_arena *mem, const char *p, uint32_t len)
{
    char *kept = eng_arena_alloc(mem, sizeof len + (size_t)len + 1, _Alignof(uint32_t));
    if (!kept)
        return NULL;
    memcpy(kept, &len, sizeof len);
    if (len)
        memcpy(kept + sizeof len, p, len);
    kept[sizeof len + len] = '\0';
    return kept + sizeof len;
}

const char *eng_status_name(eng_status st)
{
    switch (st) {
    case ENG_ST_SHIPPED:
        return "SHIPPED";
    case ENG_ST_PARTIAL:
        return "PARTIAL";
    case ENG_ST_BACKORDERED:
        return "BACKORDERED";
    case ENG_ST_REJECTED:
        return "REJECTED";
    default:
        return fmt_state_name((fmt_state)(st - ENG_ST_STATE));
    }
}

int64_t eng_line_amount(const eng_line *ln, int64_t units)
{
    if (ln->line_total && units == eng_line_ordered(ln))
        return ln->amount_stated ? eng_line_price(ln) : 0;
    return units * eng_line_unit(ln); /* units <= ordered, whose amount fit 64 bits */
}

/* Move a narrow line's counts, price and slots apart, into mem. */
static eng_rc widen(eng_line *l, eng_arena *mem)
{
    if (l->is_wide)
        return ENG_OK;
    eng_line_wide *w = eng_arena_alloc(mem, sizeof *w, _Alignof(eng_line_wide));
    if (!w)
        return ENG_NOMEM;
    memset(w, 0, sizeof *w);
    for (int q = 0; q < ENG_LQ_COUNT; q++)
        w->q[q] = eng_line_get(l, (eng_lq)q);
    w->price_minor = l->price;
    if (l->n_parts > 1)
        w->parts = l->x.parts;
    else if (l->n_parts == 1)
        w->one_slot = l->x.one_slot;
    memset(l->q, 0, sizeof l->q);
    l->price = 0;
    l->x.wide = w;
    l->is_wide = 1;
    return ENG_OK;
}

eng_rc eng_line_init(eng_line *l, int64_t ordered, eng_arena *mem)
{
    memset(l, 0, sizeof *l);
    if (ordered > UINT32_MAX)
        ENG_TRY(widen(l, mem));
    eng_line_set(l, ENG_LQ_ORDERED, ordered);
    eng_line_set(l, ENG_LQ_QTY, ordered);
    return ENG_OK;
}

eng_rc eng_line_set_before(eng_line *l, int64_t before, eng_arena *mem)
{
    if (before != 0)
        ENG_TRY(widen(l, mem));
    if (l->is_wide)
        eng_line_set(l, ENG_LQ_BEFORE, before);
    return ENG_OK;
}

eng_rc eng_line_set_price(eng_line *l, int64_t price_minor, eng_arena *mem)
{
    if (price_minor < INT32_MIN || price_minor > INT32_MAX)
        ENG_TRY(widen(l, mem));
    if (l->is_wide)
        l->x.wide->price_minor = price_minor;
    else
        l->price = (int32_t)price_minor;
    return ENG_OK;
}
