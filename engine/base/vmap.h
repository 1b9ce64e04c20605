/* Byte-string keys numbered densely in insertion order, for verify's and reconcile's tallies: a key
 * (an order id, "SKU\x1fwarehouse") gets an id 0, 1, 2... that indexes the caller's own
 * arrays of counts and sums. One thread. */
#ifndef ENG_VMAP_H
#define ENG_VMAP_H

#include <stddef.h>
#include <stdint.h>

/* Separator for keys made of several values: a byte that CSV text from slipway's own
 * outputs never holds unquoted and that sorts below every printable character. */
#define ENG_VMAP_SEP '\x1f'

typedef struct eng_vmap eng_vmap;

/* A new empty map; NULL when out of memory. */
eng_vmap *eng_vmap_new(void);
void eng_vmap_free(eng_vmap *m);

/* Id of key (len bytes), or -1 when absent. */
int64_t eng_vmap_find(const eng_vmap *m, const char *key, size_t len);

/* Id of key, adding a copy when absent (*added set to 1 then, when added is not NULL).
 * -1 when out of memory. */
int64_t eng_vmap_add(eng_vmap *m, const char *key, size_t len, int *added);

/* Number of keys; the key of an id (NUL-terminated, borrowed until the map is freed). */
size_t eng_vmap_count(const eng_vmap *m);
const char *eng_vmap_key(const eng_vmap *m, int64_t id, size_t *len);

#endif
