/* A small JSON reader for slipway verify: manifest.json and summary.json parsed into a
 * tree that the checks walk. Strings are decoded (escapes, \uXXXX to UTF-8) and
 * NUL-terminated; numbers are kept as their text, never converted to floating point. */
#ifndef ENG_VJSON_H
#define ENG_VJSON_H

#include <stddef.h>

typedef enum eng_vjson_type {
    ENG_VJSON_NULL,
    ENG_VJSON_BOOL,
    ENG_VJSON_NUMBER,
    ENG_VJSON_STRING,
    ENG_VJSON_ARRAY,
    ENG_VJSON_OBJECT
} eng_vjson_type;

typedef struct eng_vjson eng_vjson;

/* Parse one JSON value filling all of text (blanks around it allowed). Returns 0 with the
 * tree in *out (owned by the caller, free with eng_vjson_free), or -1 with a one-line
 * reason and its byte offset in why (why_cap >= 1); -2 when out of memory. */
int eng_vjson_parse(const char *text, size_t len, eng_vjson **out, char *why, size_t why_cap);

/* Free a tree. Accepts NULL. */
void eng_vjson_free(eng_vjson *v);

/* Type of a value (ENG_VJSON_NULL for a NULL pointer). */
eng_vjson_type eng_vjson_kind(const eng_vjson *v);

/* Member of an object by key (the first if repeated), or NULL when v is not an object or
 * has no such key. Borrowed from the tree. */
const eng_vjson *eng_vjson_get(const eng_vjson *v, const char *key);

/* Elements of an array (members of an object): count, and element i. */
size_t eng_vjson_len(const eng_vjson *v);
const eng_vjson *eng_vjson_at(const eng_vjson *v, size_t i);

/* Text of a string or number value, or NULL for other types. Borrowed from the tree. */
const char *eng_vjson_text(const eng_vjson *v);

/* The string member key of an object, or NULL when absent or not a string. */
const char *eng_vjson_get_str(const eng_vjson *v, const char *key);

#endif
