/* Layout registry, auto-detection and the helpers layouts share (amounts written with
 * currency symbols and separators, dates in marketplace patterns, protected ids). */
#include "layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

extern const fmt_layout fmt_layout_canonical;
extern const fmt_layout fmt_layout_shopify;

static const fmt_layout *const builtin[] = {
    &fmt_layout_canonical,
    &fmt_layout_shopify,
};

#define N_BUILTIN (sizeof builtin / sizeof *builtin)

const char *fmt_state_name(fmt_state st)
{
    static const char *const names[FMT_STATE_COUNT] = {"",
                                                       "NO_SHIPPING_NEEDED",
                                                       "FULFILLED_BY_MARKETPLACE",
                                                       "AWAITING_PAYMENT",
                                                       "ALREADY_FULFILLED",
                                                       "ORDER_CANCELLED"};
    return (unsigned)st < FMT_STATE_COUNT ? names[st] : "";
}

/* ---- fmt_out ---- */

eng_rc fmt_out_init(fmt_out *out)
{
    memset(out, 0, sizeof *out);
    out->mem = eng_arena_new(4096);
    return out->mem ? ENG_OK : ENG_NOMEM;
}

void fmt_out_release(fmt_out *out)
{
    free(out->rows);
    eng_arena_free(out->mem);
    memset(out, 0, sizeof *out);
}

void fmt_out_reset(fmt_out *out)
{
    out->n = 0;
    out->skip = 0;
    out->malformed = NULL;
    eng_arena_reset(out->mem);
}

fmt_out_row *fmt_out_add(fmt_out *out)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 8;
        fmt_out_row *grown = realloc(out->rows, cap * sizeof *grown);
        if (!grown)
            return NULL;
        out->rows = grown;
        out->cap = cap;
    }
    fmt_out_row *r = &out->rows[out->n++];
    memset(r, 0, sizeof *r);
    for (int c = 0; c < FMT_COL_COUNT; c++)
        r->v[c].p = "";
    r->item_key.p = "";
    return r;
}

fmt_str fmt_out_text(fmt_out *out, const char *p, size_t len)
{
    fmt_str s = {eng_arena_strndup(out->mem, p, len), len};
    if (!s.p)
        s.len = 0;
    return s;
}

/* ---- registry ---- */

const fmt_layout *fmt_layout_find(const char *name)
{
    for (size_t i = 0; i < N_BUILTIN; i++)
        if (strcmp(builtin[i]->name, name) == 0)
            return builtin[i];
    return NULL;
}

const fmt_layout *const *fmt_layout_all(size_t *n)
{
    *n = N_BUILTIN;
    return builtin;
}

const fmt_layout *fmt_layout_detect(const fmt_csv_fields *header)
{
    const fmt_layout *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < N_BUILTIN; i++) {
        int score = builtin[i]->detect(builtin[i], header);
        if (score > best_score) {
            best = builtin[i];
            best_score = score;
        }
    }
    return best;
}

/* ---- helpers ---- */

int fmt_layout_col(const fmt_csv_fields *header, const char *name)
{
    for (size_t i = 0; i < fmt_csv_count(header); i++)
        if (fmt_header_name_eq(fmt_csv_field(header, i), name))
            return (int)i;
    return -1;
}

int fmt_layout_count_cols(const fmt_csv_fields *header, const char *const *names, size_t n)
{
    int found = 0;
    for (size_t k = 0; k < n; k++)
        found += fmt_layout_col(header, names[k]) >= 0;
    return found;
}

fmt_str fmt_layout_field(const fmt_csv_fields *rec, int i)
{
    fmt_str blank = {"", 0};
    if (i < 0 || (size_t)i >= fmt_csv_count(rec))
        return blank;
    return fmt_csv_field(rec, (size_t)i);
}

static fmt_str trim(fmt_str v)
{
    while (v.len && (v.p[0] == ' ' || v.p[0] == '\t')) {
        v.p++;
        v.len--;
    }
    while (v.len && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
        v.len--;
    return v;
}

fmt_str fmt_layout_unprotect(fmt_str v)
{
    v = trim(v);
    if (v.len >= 3 && v.p[0] == '=' && v.p[1] == '"' && v.p[v.len - 1] == '"') {
        v.p += 2;
        v.len -= 3;
    } else if (v.len && (v.p[0] == '\'' || v.p[0] == '\t')) {
        v.p++;
        v.len--;
    }
    return trim(v);
}

/* Currency markers as exports write them, longest first where one is a prefix of
 * another. */
static const struct {
    const char *mark;
    const char *code;
} markers[] = {
    {"US $", "USD"},         {"US$", "USD"},          {"AU $", "AUD"},
    {"AU$", "AUD"},          {"C $", "CAD"},          {"CA $", "CAD"},
    {"C$", "CAD"},           {"NZ $", "NZD"},         {"$", "USD"},
    {"\xC2\xA3", "GBP"},     {"\xE2\x82\xAC", "EUR"}, {"\xC2\xA5", "CNY"},
    {"\xEF\xBF\xA5", "CNY"}, {"\xE5\x85\x83", "CNY"}, {"RMB", "CNY"},
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int fmt_layout_money(fmt_out *out, fmt_str v, fmt_str *amount, const char **currency)
{
    *currency = "";
    v = fmt_layout_unprotect(v);
    *amount = v;
    if (v.len == 0)
        return 0;
    /* Split the value into its number (digits, separators, a sign) and the marker text
     * around it. */
    char num[64], mark[32];
    size_t n_num = 0, n_mark = 0;
    int neg = 0;
    for (size_t i = 0; i < v.len; i++) {
        char c = v.p[i];
        if (is_digit(c) || ((c == '.' || c == ',') && n_num > 0)) {
            if (n_num + 1 >= sizeof num)
                return -1;
            num[n_num++] = c;
        } else if (c == '-' && n_num == 0) {
            neg = 1;
        } else if (c == ' ' && n_mark == 0) {
            continue; /* "1 234,50" groups, and blanks before a trailing marker */
        } else {
            if (n_mark + 1 >= sizeof mark)
                return -1;
            mark[n_mark++] = c;
        }
    }
    while (n_mark && mark[n_mark - 1] == ' ')
        n_mark--;
    mark[n_mark] = '\0';
    if (n_num == 0)
        return -1;
    if (n_mark) {
        for (size_t k = 0; k < sizeof markers / sizeof *markers && !**currency; k++)
            if (strcmp(mark, markers[k].mark) == 0)
                *currency = markers[k].code;
        if (!**currency) {
            /* A three-letter code ("EUR", "AUD") names itself. */
            int code = n_mark == 3;
            for (size_t k = 0; k < 3 && code; k++)
                code = mark[k] >= 'A' && mark[k] <= 'Z';
            if (!code)
                return -1;
            *currency = fmt_out_text(out, mark, 3).p;
            if (!*currency)
                return -1;
        }
    }
    /* Which separator is the decimal point: the last one when both appear; a lone comma
     * with one or two digits after it ("90,00"); a lone point unless it repeats. */
    num[n_num] = '\0';
    const char *last_dot = strrchr(num, '.'), *last_comma = strrchr(num, ',');
    char dec = 0;
    if (last_dot && last_comma)
        dec = last_dot > last_comma ? '.' : ',';
    else if (last_comma && strchr(num, ',') == last_comma && strlen(last_comma + 1) <= 2)
        dec = ',';
    else if (last_dot && strchr(num, '.') == last_dot)
        dec = '.';
    char clean[64];
    size_t n_clean = 0;
    if (neg)
        clean[n_clean++] = '-';
    for (size_t i = 0; i < n_num; i++) {
        char c = num[i];
        if (is_digit(c))
            clean[n_clean++] = c;
        else if (c == dec)
            clean[n_clean++] = '.';
        /* any other separator groups thousands: dropped */
    }
    *amount = fmt_out_text(out, clean, n_clean);
    return amount->p ? 0 : -1;
}
