/* A set of 16-byte keys that are digests already (the leading bytes of a SHA-256), numbered
 * densely in insertion order so that an id indexes the caller's own arrays. The keys live
 * in the table's slots, so a lookup touches one cache line; a million payout line
 * identities kept as text in a string map cost three. One thread. */
#ifndef ENG_IDSET_H
#define ENG_IDSET_H

#include <stddef.h>
#include <stdint.h>

#define ENG_IDSET_KEY 16

typedef struct eng_idset eng_idset;

/* A new empty set; NULL when out of memory. */
eng_idset *eng_idset_new(void);
void eng_idset_free(eng_idset *s);

/* Id of key, adding it when absent (*added set to 1 then, when added is not NULL). -1
 * when out of memory. */
int64_t eng_idset_add(eng_idset *s, const unsigned char key[ENG_IDSET_KEY], int *added);

size_t eng_idset_count(const eng_idset *s);

#endif
