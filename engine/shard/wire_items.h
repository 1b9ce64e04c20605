/* The pieces the sharded night's exchange files share (batch_wire: the map tasks' rows;
 * book_wire: the group tasks' orders): texts that decode in place, an order's head, an
 * exception, and a file read a window at a time. */
#ifndef ENG_WIRE_ITEMS_H
#define ENG_WIRE_ITEMS_H

#include "../../formats/buf.h"
#include "../../formats/exchange.h"
#include "../../formats/wire.h"
#include "../core/arena.h"
#include "../intake/intern.h"
#include "../record/record.h"

/* A text with its NUL, so that it decodes in place as a NUL-terminated text. */
void eng_wire_put_text(fmt_buf *b, const char *p, size_t len);

/* A text written by eng_wire_put_text, in place (pointing into the payload); "" with
 * in->bad when it does not fit. */
eng_text eng_wire_get_text(wire_in *in);

/* A copy in mem of a text_or_null (NULL stays NULL); *ok cleared when memory runs out. */
const char *eng_wire_keep_text_or_null(wire_in *in, eng_arena *mem, int *ok);

/* Every value of an order's head, and its texts. */
void eng_wire_put_head(fmt_buf *b, const eng_head *h);

/* A head decoded into mem, its common texts interned (NULL with in->bad, or with *ok
 * cleared when memory runs out). */
const eng_head *eng_wire_get_head(wire_in *in, eng_arena *mem, eng_intern *intern,
                                  eng_intern_cache *cache, int *ok);

/* An exception, whole (its texts copied into mem on the way back). file_limit and
 * row_limit bound what a forged file can claim (row: UINT32_MAX, or below row_limit). */
void eng_wire_put_exc(fmt_buf *b, const eng_exc *x);
eng_exc eng_wire_get_exc(wire_in *in, eng_arena *mem, size_t file_limit, uint64_t row_limit,
                         int *ok);

/* An exchange file read a window at a time. Each item is decoded from a window of at least
 * `want` bytes; an item that runs past the window while the file has more is decoded again
 * from a window twice as large (texts can be long), so a decoder never needs the whole
 * file in memory:
 *
 *     do {
 *         if (!eng_wire_window(&s))
 *             break;                 (a read failed: s.rc)
 *         ... decode one item from s.in ...
 *     } while (!eng_wire_settle(&s));
 */
#define ENG_WIRE_WINDOW (1u << 16)

typedef struct eng_wire_stream {
    fmt_exchange_in *x;
    size_t want;
    int more; /* the window may not be all the file has left */
    const unsigned char *base;
    wire_in in;
    eng_rc rc; /* a read's failure (err says it) */
    eng_err *err;
} eng_wire_stream;

void eng_wire_stream_init(eng_wire_stream *s, fmt_exchange_in *x, eng_err *err);
int eng_wire_window(eng_wire_stream *s);
/* After an item: 1 when it is decoded (its bytes consumed) or beyond repair (s->in.bad),
 * 0 to decode it again from a larger window. */
int eng_wire_settle(eng_wire_stream *s);

#endif
