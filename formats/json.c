/* JSON writer. Strings are escaped per RFC 8259: quote, backslash and control
 * characters; other bytes (UTF-8) pass through. */
#include "json.h"

#include <assert.h>
#include <string.h>

void fmt_json_init(fmt_json *j, fmt_buf *out)
{
    j->out = out;
    j->depth = 0;
    j->count[0] = 0;
}

void fmt_json_put_escaped(fmt_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    fmt_buf_putc(b, '"');
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        fmt_buf_put(b, s + start, i - start);
        start = i + 1;
        switch (c) {
        case '"':
            fmt_buf_puts(b, "\\\"");
            break;
        case '\\':
            fmt_buf_puts(b, "\\\\");
            break;
        case '\n':
            fmt_buf_puts(b, "\\n");
            break;
        case '\r':
            fmt_buf_puts(b, "\\r");
            break;
        case '\t':
            fmt_buf_puts(b, "\\t");
            break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            fmt_buf_put(b, u, 6);
        }
        }
    }
    fmt_buf_put(b, s + start, len - start);
    fmt_buf_putc(b, '"');
}

/* Separator, newline, indentation and "key": before a value. */
static void member(fmt_json *j, const char *key)
{
    if (j->depth > 0) {
        if (j->count[j->depth]++)
            fmt_buf_putc(j->out, ',');
        fmt_buf_putc(j->out, '\n');
        for (int i = 0; i < j->depth; i++)
            fmt_buf_put(j->out, "  ", 2);
    }
    if (key) {
        fmt_json_put_escaped(j->out, key, strlen(key));
        fmt_buf_put(j->out, ": ", 2);
    }
}

static void open_level(fmt_json *j, const char *key, char c)
{
    member(j, key);
    fmt_buf_putc(j->out, c);
    assert(j->depth + 1 < FMT_JSON_MAX_DEPTH);
    j->count[++j->depth] = 0;
}

static void close_level(fmt_json *j, char c)
{
    int had = j->count[j->depth];
    j->depth--;
    if (had) {
        fmt_buf_putc(j->out, '\n');
        for (int i = 0; i < j->depth; i++)
            fmt_buf_put(j->out, "  ", 2);
    }
    fmt_buf_putc(j->out, c);
}

void fmt_json_object_begin(fmt_json *j, const char *key)
{
    open_level(j, key, '{');
}

void fmt_json_object_end(fmt_json *j)
{
    close_level(j, '}');
}

void fmt_json_array_begin(fmt_json *j, const char *key)
{
    open_level(j, key, '[');
}

void fmt_json_array_end(fmt_json *j)
{
    close_level(j, ']');
}

void fmt_json_strn(fmt_json *j, const char *key, const char *s, size_t len)
{
    member(j, key);
    fmt_json_put_escaped(j->out, s, len);
}

void fmt_json_str(fmt_json *j, const char *key, const char *s)
{
    fmt_json_strn(j, key, s, strlen(s));
}

void fmt_json_u64(fmt_json *j, const char *key, uint64_t v)
{
    member(j, key);
    fmt_buf_put_u64(j->out, v);
}

void fmt_json_i64(fmt_json *j, const char *key, int64_t v)
{
    member(j, key);
    fmt_buf_put_i64(j->out, v);
}

void fmt_json_bool(fmt_json *j, const char *key, int v)
{
    member(j, key);
    fmt_buf_puts(j->out, v ? "true" : "false");
}

void fmt_json_null(fmt_json *j, const char *key)
{
    member(j, key);
    fmt_buf_puts(j->out, "null");
}

void fmt_json_number_text(fmt_json *j, const char *key, const char *text)
{
    member(j, key);
    fmt_buf_puts(j->out, text);
}

void fmt_json_finish(fmt_json *j)
{
    fmt_buf_putc(j->out, '\n');
}
