/* JSON, written and read: a small streaming writer for summary.json, manifest.json and
 * metrics.json, and a small reader that parses such a file into a tree (slipway verify,
 * and --history checking a run's manifest).
 *
 * Writing:
 *
 * Output is indented by two spaces, one member per line, keys in the order written, so
 * the files diff well and are byte-stable. Money is written by callers as strings of
 * decimal text ("1234.50"), never as JSON numbers, so no reader turns it into a float. */
#ifndef FMT_JSON_H
#define FMT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define FMT_JSON_MAX_DEPTH 16

typedef struct fmt_json {
    fmt_buf *out;
    int depth;
    int count[FMT_JSON_MAX_DEPTH]; /* members written at each level */
} fmt_json;

/* Start writing into out (borrowed for the writer's life). */
void fmt_json_init(fmt_json *j, fmt_buf *out);

/* key is the member name inside an object, NULL inside an array or at the top. */
void fmt_json_object_begin(fmt_json *j, const char *key);
void fmt_json_object_end(fmt_json *j);
void fmt_json_array_begin(fmt_json *j, const char *key);
void fmt_json_array_end(fmt_json *j);
void fmt_json_str(fmt_json *j, const char *key, const char *s);
void fmt_json_strn(fmt_json *j, const char *key, const char *s, size_t len);
void fmt_json_u64(fmt_json *j, const char *key, uint64_t v);
void fmt_json_i64(fmt_json *j, const char *key, int64_t v);
void fmt_json_bool(fmt_json *j, const char *key, int v);
void fmt_json_null(fmt_json *j, const char *key);
/* A number already formatted as JSON (e.g. "12.5"), written as is. */
void fmt_json_number_text(fmt_json *j, const char *key, const char *text);

/* Finish: a trailing newline after the top value. */
void fmt_json_finish(fmt_json *j);

/* Append s as a JSON string literal with quotes and escapes. */
void fmt_json_put_escaped(fmt_buf *b, const char *s, size_t len);

/* ---- reading ----
 *
 * Strings are decoded (escapes, \uXXXX to UTF-8) and NUL-terminated; numbers are kept as
 * their text, never converted to floating point. */

typedef enum fmt_json_type {
    FMT_JSON_T_NULL,
    FMT_JSON_T_BOOL,
    FMT_JSON_T_NUMBER,
    FMT_JSON_T_STRING,
    FMT_JSON_T_ARRAY,
    FMT_JSON_T_OBJECT
} fmt_json_type;

typedef struct fmt_json_value fmt_json_value;

/* Parse one JSON value filling all of text (blanks around it allowed). Returns 0 with the
 * tree in *out (owned by the caller, free with fmt_json_value_free), or -1 with a one-line
 * reason and its byte offset in why (why_cap >= 1); -2 when out of memory. */
int fmt_json_parse(const char *text, size_t len, fmt_json_value **out, char *why, size_t why_cap);

/* Free a tree. Accepts NULL. */
void fmt_json_value_free(fmt_json_value *v);

/* Type of a value (FMT_JSON_T_NULL for a NULL pointer). */
fmt_json_type fmt_json_kind(const fmt_json_value *v);

/* Member of an object by key (the first if repeated), or NULL when v is not an object or
 * has no such key. Borrowed from the tree. */
const fmt_json_value *fmt_json_member(const fmt_json_value *v, const char *key);

/* Elements of an array (members of an object): count, and element i. */
size_t fmt_json_count(const fmt_json_value *v);
const fmt_json_value *fmt_json_item(const fmt_json_value *v, size_t i);

/* Text of a string or number value, or NULL for other types. Borrowed from the tree. */
const char *fmt_json_value_text(const fmt_json_value *v);

/* The string member key of an object, or NULL when absent or not a string. */
const char *fmt_json_member_str(const fmt_json_value *v, const char *key);

#endif
