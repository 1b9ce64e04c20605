/* A small streaming JSON writer for summary.json, manifest.json and metrics.json.
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

#endif
