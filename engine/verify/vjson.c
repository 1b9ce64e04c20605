/* Recursive descent over RFC 8259 JSON, depth-limited so that a hostile manifest cannot
 * exhaust the stack. Each node owns its text and children; the tree is freed bottom-up. */
#include "vjson.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct eng_vjson {
    eng_vjson_type type;
    char *text;       /* string value or number text; "true"/"false" for bools */
    char *key;        /* member name when the node is inside an object */
    eng_vjson **kids; /* array elements or object members */
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

void eng_vjson_free(eng_vjson *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_kids; i++)
        eng_vjson_free(v->kids[i]);
    free(v->kids);
    free(v->text);
    free(v->key);
    free(v);
}

static eng_vjson *new_node(parser *ps, eng_vjson_type t)
{
    eng_vjson *v = calloc(1, sizeof *v);
    if (!v)
        ps->nomem = 1;
    else
        v->type = t;
    return v;
}

static int add_kid(parser *ps, eng_vjson *parent, eng_vjson *kid)
{
    if (parent->n_kids == parent->cap_kids) {
        size_t cap = parent->cap_kids ? parent->cap_kids * 2 : 4;
        eng_vjson **k = realloc(parent->kids, cap * sizeof *k);
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

static int parse_value(parser *ps, int depth, eng_vjson **out);

static int parse_number(parser *ps, eng_vjson **out)
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
    eng_vjson *v = new_node(ps, ENG_VJSON_NUMBER);
    if (!v)
        return -1;
    v->text = strndup(ps->p + start, ps->pos - start);
    if (!v->text) {
        ps->nomem = 1;
        eng_vjson_free(v);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_word(parser *ps, const char *word, eng_vjson_type t, eng_vjson **out)
{
    size_t n = strlen(word);
    if (ps->len - ps->pos < n || memcmp(ps->p + ps->pos, word, n) != 0)
        return fail(ps, "unexpected character '%c'", ps->p[ps->pos]);
    ps->pos += n;
    eng_vjson *v = new_node(ps, t);
    if (!v)
        return -1;
    v->text = strdup(word);
    if (!v->text) {
        ps->nomem = 1;
        eng_vjson_free(v);
        return -1;
    }
    *out = v;
    return 0;
}

/* An array or object at ps->pos (on the opening bracket). */
static int parse_container(parser *ps, int depth, eng_vjson **out)
{
    int is_obj = ps->p[ps->pos] == '{';
    char close = is_obj ? '}' : ']';
    ps->pos++;
    eng_vjson *v = new_node(ps, is_obj ? ENG_VJSON_OBJECT : ENG_VJSON_ARRAY);
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
                eng_vjson_free(v);
                return fail(ps, "expected a member name");
            }
            if (parse_string(ps, &key) != 0) {
                eng_vjson_free(v);
                return -1;
            }
            skip_ws(ps);
            if (ps->pos >= ps->len || ps->p[ps->pos] != ':') {
                free(key);
                eng_vjson_free(v);
                return fail(ps, "expected ':'");
            }
            ps->pos++;
        }
        eng_vjson *kid = NULL;
        if (parse_value(ps, depth + 1, &kid) != 0 || add_kid(ps, v, kid) != 0) {
            free(key);
            eng_vjson_free(kid);
            eng_vjson_free(v);
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
        eng_vjson_free(v);
        return fail(ps, "expected ',' or '%c'", close);
    }
}

static int parse_value(parser *ps, int depth, eng_vjson **out)
{
    if (depth > MAX_DEPTH)
        return fail(ps, "nested deeper than %d", MAX_DEPTH);
    skip_ws(ps);
    if (ps->pos >= ps->len)
        return fail(ps, "unexpected end");
    char c = ps->p[ps->pos];
    if (c == '{' || c == '[')
        return parse_container(ps, depth, out);
    if (c == '"') {
        eng_vjson *v = new_node(ps, ENG_VJSON_STRING);
        if (!v)
            return -1;
        if (parse_string(ps, &v->text) != 0) {
            eng_vjson_free(v);
            return -1;
        }
        *out = v;
        return 0;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(ps, out);
    if (c == 't')
        return parse_word(ps, "true", ENG_VJSON_BOOL, out);
    if (c == 'f')
        return parse_word(ps, "false", ENG_VJSON_BOOL, out);
    return parse_word(ps, "null", ENG_VJSON_NULL, out);
}

int eng_vjson_parse(const char *text, size_t len, eng_vjson **out, char *why, size_t why_cap)
{
    parser ps = {text, len, 0, why, why_cap, 0};
    why[0] = '\0';
    eng_vjson *v = NULL;
    if (parse_value(&ps, 0, &v) != 0)
        return ps.nomem ? -2 : -1;
    skip_ws(&ps);
    if (ps.pos != len) {
        eng_vjson_free(v);
        return fail(&ps, "text after the JSON value");
    }
    *out = v;
    return 0;
}

eng_vjson_type eng_vjson_kind(const eng_vjson *v)
{
    return v ? v->type : ENG_VJSON_NULL;
}

const eng_vjson *eng_vjson_get(const eng_vjson *v, const char *key)
{
    if (!v || v->type != ENG_VJSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < v->n_kids; i++)
        if (strcmp(v->kids[i]->key, key) == 0)
            return v->kids[i];
    return NULL;
}

size_t eng_vjson_len(const eng_vjson *v)
{
    return v && (v->type == ENG_VJSON_ARRAY || v->type == ENG_VJSON_OBJECT) ? v->n_kids : 0;
}

const eng_vjson *eng_vjson_at(const eng_vjson *v, size_t i)
{
    return i < eng_vjson_len(v) ? v->kids[i] : NULL;
}

const char *eng_vjson_text(const eng_vjson *v)
{
    return v && (v->type == ENG_VJSON_STRING || v->type == ENG_VJSON_NUMBER) ? v->text : NULL;
}

const char *eng_vjson_get_str(const eng_vjson *v, const char *key)
{
    const eng_vjson *m = eng_vjson_get(v, key);
    return m && m->type == ENG_VJSON_STRING ? m->text : NULL;
}
