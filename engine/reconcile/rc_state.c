/* The reconcile state's small services: interned texts, orders by key, exceptions. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/buf.h"
#include "../../formats/currency.h"
#include "../../formats/num.h"
#include "../base/hash.h"
#include "rc_int.h"

uint32_t eng__rc_intern(rc_state *rc, const char *s, size_t len)
{
    int64_t id = eng_vmap_add(rc->text, s, len, NULL);
    return id < 0 || id >= (int64_t)RC_NONE ? RC_NONE : (uint32_t)id;
}

uint32_t eng__rc_intern_cached(rc_state *rc, rc_icache *c, const char *s, size_t len)
{
    if (!len)
        return 0;
    uint32_t *at = &c->id[eng_hash_bytes(s, len) & (RC_ICACHE - 1)];
    size_t have;
    const char *t = *at ? eng_vmap_key(rc->text, *at, &have) : NULL;
    if (t && have == len && memcmp(t, s, len) == 0)
        return *at;
    uint32_t id = eng__rc_intern(rc, s, len);
    if (id != RC_NONE)
        *at = id;
    return id;
}

const char *eng__rc_text(const rc_state *rc, uint32_t id)
{
    size_t len;
    return id == RC_NONE ? "" : eng_vmap_key(rc->text, id, &len);
}

size_t eng__rc_text_len(const rc_state *rc, uint32_t id)
{
    size_t len = 0;
    if (id != RC_NONE)
        eng_vmap_key(rc->text, id, &len);
    return len;
}

int eng__rc_paid_slot(fmt_ptype t)
{
    switch (t) {
#define RC_PAID_CASE(x) \
    case FMT_PT_##x:    \
        return RC_PAID_##x;
        RC_PAID_TYPES(RC_PAID_CASE)
#undef RC_PAID_CASE
    default:
        return -1;
    }
}

static void *grow(void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return arr;
    size_t nc = *cap ? *cap * 2 : 64;
    while (nc < need)
        nc *= 2;
    void *g = realloc(arr, nc * elem);
    if (g) {
        memset((char *)g + *cap * elem, 0, (nc - *cap) * elem);
        *cap = nc;
    }
    return g;
}

uint32_t eng__rc_order(rc_state *rc, const char *channel, size_t channel_len, const char *id,
                       size_t id_len, const char *cur, size_t cur_len)
{
    /* the key on the stack: this runs for every slip, totals row and payout line */
    char stack[256];
    fmt_buf key;
    fmt_buf_init(&key);
    size_t need = channel_len + id_len + cur_len + 2;
    char *k_text = stack;
    if (need > sizeof stack) {
        if (fmt_buf_reserve(&key, need) != 0)
            return RC_NONE;
        k_text = key.p;
    }
    memcpy(k_text, channel, channel_len);
    k_text[channel_len] = ENG_VMAP_SEP;
    memcpy(k_text + channel_len + 1, id, id_len);
    k_text[channel_len + 1 + id_len] = ENG_VMAP_SEP;
    memcpy(k_text + channel_len + 1 + id_len + 1, cur, cur_len);
    size_t key_len = need;
    int added = 0;
    int64_t k = eng_vmap_add(rc->keys, k_text, key_len, &added);
    uint32_t out = RC_NONE;
    if (k >= 0 && !added) {
        out = (uint32_t)k;
    } else if (k >= 0) {
        /* not zeroed ahead (grow would touch every page of the doubled array at once):
         * each order is set below when it is made */
        rc_order *orders = rc->orders;
        if ((size_t)k >= rc->cap_orders) {
            size_t cap = rc->cap_orders ? rc->cap_orders * 2 : 1024;
            orders = realloc(rc->orders, cap * sizeof *orders);
            if (orders)
                rc->cap_orders = cap;
        }
        if (orders) {
            rc->orders = orders;
            rc->n_orders = (size_t)k + 1;
            rc_order *o = &orders[k];
            memset(o, 0, sizeof *o);
            o->slip_refs = o->known_cur = RC_NONE;
            /* a few channels and currencies: from the cache, without a probe */
            o->channel = eng__rc_intern_cached(rc, &rc->order_texts, channel, channel_len);
            o->order_id = eng__rc_intern(rc, id, id_len);
            o->currency = eng__rc_intern_cached(rc, &rc->order_texts, cur, cur_len);
            o->cur = fmt_currency_find(cur, cur_len);
            o->first_ship = o->totals_day = o->ledger_day = o->first_paid = RC_NO_DAY;
            o->status = RC_NONE;
            if (o->channel != RC_NONE && o->order_id != RC_NONE && o->currency != RC_NONE)
                out = (uint32_t)k;
        }
    }
    fmt_buf_release(&key);
    return out;
}

static int text_is(const rc_state *rc, uint32_t id, const char *s, size_t len)
{
    size_t have;
    const char *t = eng_vmap_key(rc->text, id, &have);
    return have == len && memcmp(t, s, len) == 0;
}

uint32_t eng__rc_order_cached(rc_state *rc, rc_ocache *c, const char *channel, size_t channel_len,
                              const char *id, size_t id_len, const char *cur, size_t cur_len)
{
    if (c->order != RC_NONE) {
        const rc_order *o = &rc->orders[c->order];
        if (text_is(rc, o->order_id, id, id_len) && text_is(rc, o->channel, channel, channel_len) &&
            text_is(rc, o->currency, cur, cur_len))
            return c->order;
    }
    return c->order = eng__rc_order(rc, channel, channel_len, id, id_len, cur, cur_len);
}

int eng__rc_attach(rc_state *rc, rc_ocache *c, rc_line *l, const char *id, size_t len)
{
    l->order = RC_NONE;
    if (!len || l->type == FMT_PT_PAYOUT) { /* a payout's own line: unattributed */
        l->order_id = eng__rc_intern(rc, id, len);
        return l->order_id == RC_NONE ? -1 : 0;
    }
    size_t ch_len, cur_len;
    const char *ch = eng_vmap_key(rc->text, l->channel, &ch_len),
               *cur = eng_vmap_key(rc->text, l->currency, &cur_len);
    uint32_t o = eng__rc_order_cached(rc, c, ch, ch_len, id, len, cur, cur_len);
    if (o == RC_NONE)
        return -1;
    l->order = o;
    l->order_id = rc->orders[o].order_id;
    return 0;
}

rc_line *eng__rc_new_line(rc_state *rc)
{
    rc_line *lines = grow(rc->lines, &rc->cap_lines, rc->n_lines + 1, sizeof *lines);
    if (!lines)
        return NULL;
    rc->lines = lines;
    rc_line *l = &lines[rc->n_lines++];
    memset(l, 0, sizeof *l);
    return l;
}

void eng__rc_known(rc_state *rc, uint32_t o)
{
    rc_order *x = &rc->orders[o];
    if (!x->known_seq)
        x->known_seq = ++rc->known_rows;
}

eng_rc eng__rc_exception(rc_state *rc, const char *source, uint64_t line, const char *record,
                         size_t record_len, int code, const char *field, const char *fmt, ...)
{
    rc_exc *exc = grow(rc->exc, &rc->cap_exc, rc->n_exc + 1, sizeof *exc);
    if (!exc)
        return ENG_NOMEM;
    rc->exc = exc;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rc_exc *e = &exc[rc->n_exc];
    e->source = eng__rc_intern(rc, source, strlen(source));
    e->line = line;
    e->record = eng__rc_intern(rc, record, record_len);
    e->code = code;
    e->field = eng__rc_intern(rc, field, strlen(field));
    e->message = strdup(msg);
    if (e->source == RC_NONE || e->record == RC_NONE || e->field == RC_NONE || !e->message) {
        free(e->message);
        return ENG_NOMEM;
    }
    rc->n_exc++;
    return ENG_OK;
}

rc_input *eng__rc_input(rc_state *rc, const char *path, const char *role)
{
    rc_input *in = grow(rc->inputs, &rc->cap_inputs, rc->n_inputs + 1, sizeof *in);
    if (!in)
        return NULL;
    rc->inputs = in;
    rc_input *i = &in[rc->n_inputs];
    memset(i, 0, sizeof *i);
    if (!(i->path = strdup(path)))
        return NULL;
    i->role = role;
    i->format = "";
    rc->n_inputs++;
    return i;
}

int eng__rc_minor(const char *text, size_t len, int cur, int64_t *out)
{
    /* payout amounts are signed; the order amounts fmt_dec reads never are */
    int neg = len > 1 && text[0] == '-';
    fmt_dec d;
    if (cur < 0 || fmt_dec_parse(text + neg, len - (size_t)neg, &d) != FMT_NUM_OK ||
        fmt_dec_to_minor(d, fmt_currency_minor_digits(cur), out) != FMT_NUM_OK)
        return -1;
    if (neg)
        *out = -*out;
    return 0;
}

void eng__rc_money_text(char *dst, size_t cap, __int128 v, int cur)
{
    fmt_minor128_text(dst, cap, v, cur >= 0 ? fmt_currency_minor_digits(cur) : 2);
}

void eng__rc_hex(const unsigned char id[ENG_IDSET_KEY], char hex[32])
{
    for (int i = 0; i < ENG_IDSET_KEY; i++) {
        hex[2 * i] = "0123456789abcdef"[id[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[id[i] & 15];
    }
}

static int nibble(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int eng__rc_unhex(const char *text, size_t len, unsigned char id[ENG_IDSET_KEY])
{
    if (len != 2 * ENG_IDSET_KEY)
        return -1;
    for (int i = 0; i < ENG_IDSET_KEY; i++) {
        int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        id[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

int eng__rc_slip_seen(rc_state *rc, uint32_t o, const char *key, size_t len)
{
    rc_order *x = &rc->orders[o];
    for (uint32_t r = x->slip_refs; r != RC_NONE; r = rc->slip_refs[r].next)
        if (rc->slip_refs[r].len == len && memcmp(rc->slip_refs[r].key, key, len) == 0)
            return 1;
    struct rc_slip_ref *refs =
        grow(rc->slip_refs, &rc->cap_slip_refs, rc->n_slip_refs + 1, sizeof *refs);
    if (!refs)
        return -1;
    rc->slip_refs = refs; /* kept at once: grow may have moved it */
    char *copy = len < UINT32_MAX ? eng_arena_strndup(rc->line_text, key, len) : NULL;
    if (!copy)
        return -1;
    refs[rc->n_slip_refs] = (struct rc_slip_ref){copy, (uint32_t)len, x->slip_refs};
    x->slip_refs = (uint32_t)rc->n_slip_refs++;
    return 0;
}
