/* Small shared pieces of the night's records: exception lists, batch lifetime, status
 * names. */
#include "record.h"

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

eng_head *eng_head_new(eng_arena *mem, const eng_head *like, const eng_text *texts)
{
    size_t total = 0;
    for (int i = 0; i < ENG_HT_COUNT; i++)
        total += (size_t)texts[i].len + 1;
    if (total > UINT32_MAX)
        return NULL;
    eng_head *h = eng_arena_alloc(mem, sizeof *h, _Alignof(eng_head));
    char *dst = eng_arena_alloc(mem, total, 1);
    if (!h || !dst)
        return NULL;
    *h = *like;
    h->texts = dst;
    size_t at = 0;
    for (int i = 0; i < ENG_HT_COUNT; i++) {
        if (texts[i].len)
            memcpy(dst + at, texts[i].p, texts[i].len);
        at += texts[i].len;
        dst[at] = '\0';
        h->text_end[i] = (uint32_t)at;
        at++;
    }
    return h;
}

void eng_batch_free(eng_batch *b)
{
    if (!b)
        return;
    free(b->rows);
    free(b->row_flags);
    free(b->by_part);
    eng_exc_list_release(&b->exc);
    eng_arena_free(b->mem);
    free(b);
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
    uint32_t n = a->id_len < b->id_len ? a->id_len : b->id_len;
    int c = memcmp(a->id, b->id, n);
    if (c)
        return c;
    return (a->id_len > b->id_len) - (a->id_len < b->id_len);
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
    if (ln->line_total && units == ln->ordered)
        return ln->amount_minor;
    return units * ln->unit_minor; /* units <= ordered, whose amount fit 64 bits */
}
