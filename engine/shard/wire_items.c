/* Pieces of the exchange files (wire_items.h). */
#include "wire_items.h"

#include <string.h>

void eng_wire_put_text(fmt_buf *b, const char *p, size_t len)
{
    wire_put_u64(b, len);
    fmt_buf_put(b, p, len);
    fmt_buf_putc(b, '\0');
}

eng_text eng_wire_get_text(wire_in *in)
{
    eng_text t = {"", 0};
    uint64_t len = wire_get_u64(in);
    if (in->bad || len >= (uint64_t)(in->end - in->p) || in->p[len] != '\0') {
        in->bad = 1;
        in->p = in->end;
        return t;
    }
    t.p = (const char *)in->p;
    t.len = (uint32_t)len;
    in->p += len + 1;
    return t;
}

const char *eng_wire_keep_text_or_null(wire_in *in, eng_arena *mem, int *ok)
{
    size_t len;
    int is_null;
    const char *p = wire_get_text_or_null(in, &len, &is_null);
    if (is_null)
        return NULL;
    char *copy = eng_arena_strndup(mem, p, len);
    if (!copy)
        *ok = 0;
    return copy;
}

void eng_wire_put_head(fmt_buf *b, const eng_head *h)
{
    eng_head_values v;
    eng_head_values_of(h, &v);
    for (int m = 0; m < ENG_HM_COUNT; m++) {
        wire_put_i64(b, v.money_mant[m]);
        wire_put_u64(b, v.money_frac[m]);
    }
    /* seconds and the nanoseconds apart: a time given to the second (the usual) then
     * ends in a zero byte, and the seconds of one night share their high bytes */
    int64_t sec = v.time_ns / 1000000000, ns = v.time_ns % 1000000000;
    if (ns < 0) {
        sec--;
        ns += 1000000000;
    }
    wire_put_i64(b, sec);
    wire_put_u64(b, (uint64_t)ns);
    wire_put_i64(b, v.priority);
    wire_put_u64(b, v.present);
    for (int f = 0; f < ENG_HT_COUNT; f++) {
        eng_text t = eng_head_text(h, (eng_ht)f);
        eng_wire_put_text(b, t.p, t.len);
    }
}

const eng_head *eng_wire_get_head(wire_in *in, eng_arena *mem, eng_intern *intern,
                                  eng_intern_cache *cache, int *ok)
{
    eng_head_values v;
    memset(&v, 0, sizeof v);
    for (int m = 0; m < ENG_HM_COUNT; m++) {
        v.money_mant[m] = wire_get_i64(in);
        v.money_frac[m] = (uint8_t)wire_get_max(in, 18);
    }
    int64_t sec = wire_get_i64(in);
    uint64_t ns = wire_get_max(in, 999999999);
    if (sec < INT64_MIN / 1000000000 || sec > INT64_MAX / 1000000000 - 1)
        in->bad = 1; /* no time a row holds */
    else
        v.time_ns = sec * 1000000000 + (int64_t)ns;
    v.priority = wire_get_i64(in);
    v.present = (uint32_t)wire_get_u64(in);
    eng_text texts[ENG_HT_COUNT];
    for (int f = 0; f < ENG_HT_COUNT; f++)
        texts[f] = eng_wire_get_text(in);
    if (in->bad)
        return NULL;
    const eng_head_common *common = eng_intern_common(intern, cache, texts);
    eng_head *h = eng_head_new(mem, &v, texts, common);
    if (!h)
        *ok = 0;
    return h;
}

void eng_wire_put_exc(fmt_buf *b, const eng_exc *x)
{
    wire_put_u64(b, x->line);
    wire_put_text_or_null(b, x->record_id);
    wire_put_text_or_null(b, x->message);
    wire_put_text_or_null(b, x->field);
    wire_put_u64(b, x->file);
    wire_put_u64(b, x->code);
    wire_put_u64(b, x->row);
}

eng_exc eng_wire_get_exc(wire_in *in, eng_arena *mem, size_t file_limit, uint64_t row_limit,
                         int *ok)
{
    eng_exc got;
    got.line = wire_get_u64(in);
    const char *record_id = eng_wire_keep_text_or_null(in, mem, ok);
    const char *message = eng_wire_keep_text_or_null(in, mem, ok);
    const char *field = eng_wire_keep_text_or_null(in, mem, ok);
    got.record_id = record_id ? record_id : "";
    got.message = message ? message : "";
    got.field = field ? field : "";
    got.file = (uint16_t)wire_get_max(in, file_limit ? file_limit - 1 : 0);
    got.code = (uint16_t)wire_get_max(in, ENG_CODE_COUNT - 1);
    uint64_t row = wire_get_u64(in);
    if (row != UINT32_MAX && row >= row_limit)
        in->bad = 1;
    got.row = (uint32_t)row;
    return got;
}

void eng_wire_stream_init(eng_wire_stream *s, fmt_exchange_in *x, eng_err *err)
{
    memset(s, 0, sizeof *s);
    s->x = x;
    s->want = ENG_WIRE_WINDOW;
    s->rc = ENG_OK;
    s->err = err;
}

int eng_wire_window(eng_wire_stream *s)
{
    const unsigned char *p;
    size_t n;
    if (s->rc != ENG_OK || (s->rc = fmt_exchange_peek(s->x, s->want, &p, &n, s->err)) != ENG_OK)
        return 0;
    s->base = p;
    s->more = n >= s->want;
    wire_in_init(&s->in, p, n);
    return 1;
}

int eng_wire_settle(eng_wire_stream *s)
{
    if (s->in.bad && s->more) {
        s->want = 2 * (size_t)(s->in.end - s->base);
        return 0;
    }
    if (!s->in.bad)
        fmt_exchange_consume(s->x, (size_t)(s->in.p - s->base));
    s->want = ENG_WIRE_WINDOW;
    return 1;
}
