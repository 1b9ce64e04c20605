/* JSON writer and reader. The writer escapes strings per RFC 8259: quote, backslash and
 * control characters; other bytes (UTF-8) pass through. The reader is a recursive
 * descent over RFC 8259, depth-limited so that a hostile manifest cannot exhaust the
 * stack; each node owns its text and children, and the tree is freed bottom-up. */
#include "json.h"

#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- reading ---- */

#define PARSE_MAX_DEPTH 64 /* the reader's; the writer's is FMT_JSON_MAX_DEPTH */

struct fmt_json_value {
    fmt_json_type type;
    char *text;            /* string value or number text; "true"/"false" for bools */
    char *key;             /* member name when the node is inside an object */
    fmt_json_value **kids; /* array elements or object members */
    size_t n_kids;
    size_t cap_kids;
};

typedef struct parser {
    const char *p;
    size_t len;
    size_t pos;
    char *why;
    size_t why_cap;
    int nomem;
} parser;

static int fail(parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(parser *ps, const char *fmt, ...)
{
    if (ps->why[0] == '\0' && !ps->nomem) {
        va_list ap;
        va_start(ap, fmt);
        char msg[160];
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(ps->why, ps->why_cap, "%s at byte %zu", msg, ps->pos);
    }
    return -1;
}

static void skip_ws(parser *ps)
{
    while (ps->pos < ps->len && (ps->p[ps->pos] == ' ' || ps->p[ps->pos] == '\t' ||
                                 ps->p[ps->pos] == '\n' || ps->p[ps->pos] == '\r'))
        ps->pos++;
}

void fmt_json_value_free(fmt_json_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_kids; i++)
        fmt_json_value_free(v->kids[i]);
    free(v->kids);
    free(v->text);
    free(v->key);
    free(v);
}

static fmt_json_value *new_node(parser *ps, fmt_json_type t)
{
    fmt_json_value *v = calloc(1, sizeof *v);
    if (!v)
        ps->nomem = 1;
    else
        v->type = t;
    return v;
}

static int add_kid(parser *ps, fmt_json_value *parent, fmt_json_value *kid)
{
    if (parent->n_kids == parent->cap_kids) {
        size_t cap = parent->cap_kids ? parent->cap_kids * 2 : 4;
        fmt_json_value **k = realloc(parent->kids, cap * sizeof *k);
        if (!k) {
            ps->nomem = 1;
            return -1;
        }
        parent->kids = k;
        parent->cap_kids = cap;
    }
    parent->kids[parent->n_kids++] = kid;
    return 0;
}

static int hex4(parser *ps, uint32_t *out)
{
    if (ps->len - ps->pos < 4)
        return fail(ps, "truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = ps->p[ps->pos++];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return fail(ps, "bad \\u escape");
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *dst, uint32_t cp)
{
    if (cp < 0x80) {
        dst[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        dst[0] = (char)(0xC0 | (cp >> 6));
        dst[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        dst[0] = (char)(0xE0 | (cp >> 12));
        dst[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        dst[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    dst[0] = (char)(0xF0 | (cp >> 18));
    dst[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    dst[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    dst[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string literal at ps->pos (on the opening quote) into a new NUL-terminated copy. An
 * escape never grows the text (\uXXXX is 6 bytes for at most 4), so the literal's own
 * bytes suffice. (Sized by the rest of the document instead, a manifest of many history
 * files cost memory as its square.) */
static int parse_string(parser *ps, char **out)
{
    ps->pos++;
    size_t start = ps->pos, end = start;
    while (end < ps->len && ps->p[end] != '"')
        end += ps->p[end] == '\\' ? 2 : 1;
    if (end > ps->len)
        end = ps->len;
    char *s = malloc(end - start + 1);
    if (!s) {
        ps->nomem = 1;
        return -1;
    }
    size_t o = 0;
    for (;;) {
        if (ps->pos >= ps->len) {
            free(s);
            return fail(ps, "string never closed");
        }
        unsigned char c = (unsigned char)ps->p[ps->pos++];
        if (c == '"')
            break;
        if (c < 0x20) {
            free(s);
            return fail(ps, "control character in a string");
        }
        if (c != '\\') {
            s[o++] = (char)c;
            continue;
        }
        if (ps->pos >= ps->len) {
            free(s);
            return fail(ps, "string never closed");
        }
        char e = ps->p[ps->pos++];
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
        const char *k = e ? strchr(from, e) : NULL;
        if (k) {
            s[o++] = to[k - from];
            continue;
        }
        if (e != 'u') {
            free(s);
            return fail(ps, "unknown escape \\%c", e);
        }
        uint32_t cp;
        if (hex4(ps, &cp) != 0) {
            free(s);
            return -1;
        }
        if (cp >= 0xD800 && cp < 0xDC00) {
            uint32_t lo;
            if (ps->len - ps->pos < 2 || ps->p[ps->pos] != '\\' || ps->p[ps->pos + 1] != 'u') {
                free(s);
                return fail(ps, "lone surrogate in \\u escape");
            }
            ps->pos += 2;
            if (hex4(ps, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF) {
                free(s);
                return fail(ps, "bad surrogate pair in \\u escape");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp < 0xE000) {
            free(s);
            return fail(ps, "lone surrogate in \\u escape");
        }
        o += put_utf8(s + o, cp);
    }
    s[o] = '\0';
    *out = s;
    return 0;
}

static int parse_value(parser *ps, int depth, fmt_json_value **out);

static int parse_number(parser *ps, fmt_json_value **out)
{
    size_t start = ps->pos;
    if (ps->p[ps->pos] == '-')
        ps->pos++;
    size_t digits = ps->pos;
    while (ps->pos < ps->len && ps->p[ps->pos] >= '0' && ps->p[ps->pos] <= '9')
        ps->pos++;
    if (ps->pos == digits)
        return fail(ps, "bad number");
    if (ps->pos - digits > 1 && ps->p[digits] == '0')
        return fail(ps, "number with a leading zero");
    if (ps->pos < ps->len && ps->p[ps->pos] == '.') {
        size_t f = ++ps->pos;
        while (ps->pos < ps->len && ps->p[ps->pos] >= '0' && ps->p[ps->pos] <= '9')
            ps->pos++;
        if (ps->pos == f)
            return fail(ps, "bad number");
    }
    if (ps->pos < ps->len && (ps->p[ps->pos] == 'e' || ps->p[ps->pos] == 'E')) {
        ps->pos++;
        if (ps->pos < ps->len && (ps->p[ps->pos] == '+' || ps->p[ps->pos] == '-'))
            ps->pos++;
        size_t e = ps->pos;
        while (ps->pos < ps->len && ps->p[ps->pos] >= '0' && ps->p[ps->pos] <= '9')
            ps->pos++;
        if (ps->pos == e)
            return fail(ps, "bad number");
    }
    fmt_json_value *v = new_node(ps, FMT_JSON_T_NUMBER);
    if (!v)
        return -1;
    v->text = strndup(ps->p + start, ps->pos - start);
    if (!v->text) {
        ps->nomem = 1;
        fmt_json_value_free(v);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_word(parser *ps, const char *word, fmt_json_type t, fmt_json_value **out)
{
    size_t n = strlen(word);
    if (ps->len - ps->pos < n || memcmp(ps->p + ps->pos, word, n) != 0)
        return fail(ps, "unexpected character '%c'", ps->p[ps->pos]);
    ps->pos += n;
    fmt_json_value *v = new_node(ps, t);
    if (!v)
        return -1;
    v->text = strdup(word);
    if (!v->text) {
        ps->nomem = 1;
        fmt_json_value_free(v);
        return -1;
    }
    *out = v;
    return 0;
}

/* An array or object at ps->pos (on the opening bracket). */
static int parse_container(parser *ps, int depth, fmt_json_value **out)
{
    int is_obj = ps->p[ps->pos] == '{';
    char close = is_obj ? '}' : ']';
    ps->pos++;
    fmt_json_value *v = new_node(ps, is_obj ? FMT_JSON_T_OBJECT : FMT_JSON_T_ARRAY);
    if (!v)
        return -1;
    skip_ws(ps);
    if (ps->pos < ps->len && ps->p[ps->pos] == close) {
        ps->pos++;
        *out = v;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(ps);
        if (is_obj) {
            if (ps->pos >= ps->len || ps->p[ps->pos] != '"') {
                fmt_json_value_free(v);
                return fail(ps, "expected a member name");
            }
            if (parse_string(ps, &key) != 0) {
                fmt_json_value_free(v);
                return -1;
            }
            skip_ws(ps);
            if (ps->pos >= ps->len || ps->p[ps->pos] != ':') {
                free(key);
                fmt_json_value_free(v);
                return fail(ps, "expected ':'");
            }
            ps->pos++;
        }
        fmt_json_value *kid = NULL;
        if (parse_value(ps, depth + 1, &kid) != 0 || add_kid(ps, v, kid) != 0) {
            free(key);
            fmt_json_value_free(kid);
            fmt_json_value_free(v);
            return -1;
        }
        kid->key = key;
        skip_ws(ps);
        if (ps->pos < ps->len && ps->p[ps->pos] == ',') {
            ps->pos++;
            continue;
        }
        if (ps->pos < ps->len && ps->p[ps->pos] == close) {
            ps->pos++;
            *out = v;
            return 0;
        }
        fmt_json_value_free(v);
        return fail(ps, "expected ',' or '%c'", close);
    }
}

static int parse_value(parser *ps, int depth, fmt_json_value **out)
{
    if (depth > PARSE_MAX_DEPTH)
        return fail(ps, "nested deeper than %d", PARSE_MAX_DEPTH);
    skip_ws(ps);
    if (ps->pos >= ps->len)
        return fail(ps, "unexpected end");
    char c = ps->p[ps->pos];
    if (c == '{' || c == '[')
        return parse_container(ps, depth, out);
    if (c == '"') {
        fmt_json_value *v = new_node(ps, FMT_JSON_T_STRING);
        if (!v)
            return -1;
        if (parse_string(ps, &v->text) != 0) {
            fmt_json_value_free(v);
            return -1;
        }
        *out = v;
        return 0;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(ps, out);
    if (c == 't')
        return parse_word(ps, "true", FMT_JSON_T_BOOL, out);
    if (c == 'f')
        return parse_word(ps, "false", FMT_JSON_T_BOOL, out);
    return parse_word(ps, "null", FMT_JSON_T_NULL, out);
}

int fmt_json_parse(const char *text, size_t len, fmt_json_value **out, char *why, size_t why_cap)
{
    parser ps = {text, len, 0, why, why_cap, 0};
    why[0] = '\0';
    fmt_json_value *v = NULL;
    if (parse_value(&ps, 0, &v) != 0)
        return ps.nomem ? -2 : -1;
    skip_ws(&ps);
    if (ps.pos != len) {
        fmt_json_value_free(v);
        return fail(&ps, "text after the JSON value");
    }
    *out = v;
    return 0;
}

fmt_json_type fmt_json_kind(const fmt_json_value *v)
{
    return v ? v->type : FMT_JSON_T_NULL;
}

const fmt_json_value *fmt_json_member(const fmt_json_value *v, const char *key)
{
    if (!v || v->type != FMT_JSON_T_OBJECT)
        return NULL;
    for (size_t i = 0; i < v->n_kids; i++)
        if (strcmp(v->kids[i]->key, key) == 0)
            return v->kids[i];
    return NULL;
}

size_t fmt_json_count(const fmt_json_value *v)
{
    return v && (v->type == FMT_JSON_T_ARRAY || v->type == FMT_JSON_T_OBJECT) ? v->n_kids : 0;
}

const fmt_json_value *fmt_json_item(const fmt_json_value *v, size_t i)
{
    return i < fmt_json_count(v) ? v->kids[i] : NULL;
}

const char *fmt_json_value_text(const fmt_json_value *v)
{
    return v && (v->type == FMT_JSON_T_STRING || v->type == FMT_JSON_T_NUMBER) ? v->text : NULL;
}

const char *fmt_json_member_str(const fmt_json_value *v, const char *key)
{
    const fmt_json_value *m = fmt_json_member(v, key);
    return m && m->type == FMT_JSON_T_STRING ? m->text : NULL;
}
