/* A set of byte strings (order ids, request ids) built by one thread, then read by any.
 *
 * Used to keep only the history tonight needs: the ids of tonight's orders and returns
 * are collected first, and a year of earlier slips is filtered against them. */
#ifndef ENG_STRSET_H
#define ENG_STRSET_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

typedef struct eng_strset eng_strset;

eng_strset *eng_strset_new(void);
void eng_strset_free(eng_strset *s);

/* Add a copy of s (len bytes). ENG_NOMEM. Not thread-safe. */
eng_rc eng_strset_add(eng_strset *s, const char *str, size_t len);

/* 1 when the set holds s. Thread-safe once no thread adds. */
int eng_strset_has(const eng_strset *s, const char *str, size_t len);

size_t eng_strset_count(const eng_strset *s);

#endif
