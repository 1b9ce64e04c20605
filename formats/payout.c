/* The payout line model and what the payout layouts share. */
#include "payout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "layout.h"

static const char *const type_names[FMT_PT_COUNT] = {
#define FMT_PTYPE_NAME(e, name) name,
    FMT_PAYOUT_TYPES(FMT_PTYPE_NAME)
#undef FMT_PTYPE_NAME
};

const char *fmt_ptype_name(fmt_ptype t)
{
    return t >= 0 && t < FMT_PT_COUNT ? type_names[t] : "";
}

int fmt_ptype_find(const char *name, size_t len)
{
    for (int t = 0; t < FMT_PT_COUNT; t++)
        if (strlen(type_names[t]) == len && memcmp(type_names[t], name, len) == 0)
            return t;
    return -1;
}

eng_rc fmt_pout_init(fmt_pout *out)
{
    memset(out, 0, sizeof *out);
    out->mem = eng_arena_new(4096);
    return out->mem ? ENG_OK : ENG_NOMEM;
}

void fmt_pout_release(fmt_pout *out)
{
    free(out->lines);
    eng_arena_free(out->mem);
    memset(out, 0, sizeof *out);
}

void fmt_pout_reset(fmt_pout *out)
{
    out->n = 0;
    out->skip = 0;
    out->has_declared = 0;
    out->malformed = NULL;
    eng_arena_reset(out->mem);
}

fmt_pline *fmt_pout_add(fmt_pout *out, fmt_ptype type)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 8;
        fmt_pline *grown = realloc(out->lines, cap * sizeof *grown);
        if (!grown)
            return NULL;
        out->lines = grown;
        out->cap = cap;
    }
    fmt_pline *l = &out->lines[out->n++];
    memset(l, 0, sizeof *l);
    l->type = type;
    fmt_str blank = {"", 0};
    l->payout_id = l->txn_id = l->order_id = l->currency = l->amount = l->date = l->code = blank;
    for (int k = 0; k < FMT_PL_COUNT; k++)
        l->col[k] = -1;
    return l;
}

fmt_str fmt_pout_text(fmt_pout *out, const char *p, size_t len)
{
    char *copy = eng_arena_strndup(out->mem, p, len);
    fmt_str s = {copy, copy ? len : 0};
    return s;
}

/* ---- helpers ---- */

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

int fmt_payout_signature(const fmt_csv_fields *header, const char *const *sig, size_t n, int needed)
{
    int found = fmt_layout_count_cols(header, sig, n);
    return found >= needed ? found : 0;
}

int fmt_payout_has(fmt_str v, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= v.len; i++) {
        size_t k = 0;
        while (k < n && fold(v.p[i + k]) == fold(word[k]))
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

eng_rc fmt_payout_bind_columns(const fmt_csv_fields *header, const fmt_column *cols, size_t n,
                               const char *layout, void **bind, eng_err *err)
{
    int *col = malloc(n * sizeof *col);
    if (!col)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    eng_rc rc = fmt_header_map(header, cols, n, col, layout, err);
    if (rc != ENG_OK) {
        free(col);
        return rc;
    }
    *bind = col;
    return ENG_OK;
}

void fmt_payout_unbind(void *bind)
{
    free(bind);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

fmt_str fmt_payout_cell(fmt_str v)
{
    while (v.len && is_blank(v.p[0])) {
        v.p++;
        v.len--;
    }
    while (v.len && is_blank(v.p[v.len - 1]))
        v.len--;
    if (v.len == 2 && v.p[0] == '-' && v.p[1] == '-')
        v.len = 0;
    return v;
}

fmt_str fmt_payout_field(const fmt_csv_fields *rec, int col)
{
    if (col < 0 || (size_t)col >= fmt_csv_count(rec))
        return (fmt_str){"", 0};
    return fmt_payout_cell(fmt_csv_field(rec, (size_t)col));
}

/* A currency sign or code around an amount: ASCII letters, '$', spaces, or a UTF-8
 * sequence ("€", "£", "¥", "元"). */
static int currency_byte(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '$' || c == ' ' || c >= 0x80;
}

fmt_str fmt_payout_amount(fmt_pout *out, fmt_str v, int decimal_comma, int negate)
{
    v = fmt_payout_cell(v);
    if (v.len == 0 || v.len > 64)
        return v;
    const unsigned char *p = (const unsigned char *)v.p;
    size_t a = 0, b = v.len;
    int neg = 0;
    /* the sign: parentheses around all, a leading or trailing '-', or U+2212 */
    if (p[a] == '(' && p[b - 1] == ')') {
        neg = 1;
        a++;
        b--;
    }
    for (int pass = 0; pass < 2; pass++) {
        while (a < b && currency_byte(p[a]) &&
               !(b - a >= 3 && p[a] == 0xE2 && p[a + 1] == 0x88 && p[a + 2] == 0x92))
            a++;
        while (b > a && currency_byte(p[b - 1]))
            b--;
        if (a < b && p[a] == '-' && !neg) {
            neg = 1;
            a++;
        } else if (b - a >= 3 && p[a] == 0xE2 && p[a + 1] == 0x88 && p[a + 2] == 0x92 && !neg) {
            neg = 1;
            a += 3;
        } else if (a < b && p[b - 1] == '-' && !neg) {
            neg = 1;
            b--;
        } else if (a < b && p[a] == '+') {
            a++;
        }
    }
    /* the number: digits, groups of three between group marks, at most one decimal mark */
    char mark = decimal_comma ? ',' : '.', group = decimal_comma ? '.' : ',';
    char digits[80];
    size_t n = 0, int_digits = 0, run = 0;
    int seen_mark = 0, seen_group = 0;
    if (a >= b)
        return v;
    for (size_t i = a; i < b; i++) {
        unsigned char c = p[i];
        if (c >= '0' && c <= '9') {
            digits[n++] = (char)c;
            run++;
        } else if (c == (unsigned char)mark && !seen_mark) {
            if (seen_group && run != 3)
                return v;
            seen_mark = 1;
            int_digits = n;
            run = 0;
        } else if (c == (unsigned char)group && !seen_mark) {
            /* the first group 1-3 digits, every later one exactly 3 */
            if (run == 0 || run > 3 || (seen_group && run != 3))
                return v;
            seen_group = 1;
            run = 0;
        } else {
            return v; /* a letter between digits, an exponent, a second mark: not read */
        }
    }
    if (!seen_mark) {
        int_digits = n;
        if (seen_group && run != 3)
            return v;
    }
    if (n == 0)
        return v;
    char buf[84];
    size_t len = 0;
    if (neg != negate)
        buf[len++] = '-';
    if (int_digits == 0)
        buf[len++] = '0';
    memcpy(buf + len, digits, int_digits);
    len += int_digits;
    if (n > int_digits) {
        buf[len++] = '.';
        memcpy(buf + len, digits + int_digits, n - int_digits);
        len += n - int_digits;
    }
    return fmt_pout_text(out, buf, len);
}

static int month_of(const char *p)
{
    static const char *const names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int m = 0; m < 12; m++) {
        int same = 1;
        for (int k = 0; k < 3 && same; k++)
            same = (p[k] | 0x20) == names[m][k];
        if (same)
            return m + 1;
    }
    return 0;
}

static int read_num(const char *p, size_t len, size_t *i, int max_digits, int *out)
{
    int v = 0, k = 0;
    while (*i < len && k < max_digits && p[*i] >= '0' && p[*i] <= '9') {
        v = v * 10 + (p[*i] - '0');
        (*i)++;
        k++;
    }
    *out = v;
    return k;
}

fmt_str fmt_payout_date(fmt_pout *out, fmt_str v, int month_first)
{
    v = fmt_payout_cell(v);
    const char *p = v.p;
    size_t len = v.len, i = 0;
    int y = 0, m = 0, d = 0, a, b, c;
    if (len >= 10 && p[4] == '-' && p[7] == '-') {
        size_t k = 0;
        read_num(p, len, &k, 4, &y);
        k = 5;
        read_num(p, len, &k, 2, &m);
        k = 8;
        read_num(p, len, &k, 2, &d);
    } else if (len >= 6 && month_of(p) && (p[3] == '-' || p[3] == ' ')) {
        /* "Nov-01-26", "Nov 1, 2026" */
        m = month_of(p);
        i = 4;
        read_num(p, len, &i, 2, &d);
        while (i < len && (p[i] == '-' || p[i] == ',' || p[i] == ' '))
            i++;
        int digits = read_num(p, len, &i, 4, &y);
        if (digits == 2)
            y += 2000;
        else if (digits != 4)
            return v;
    } else {
        int n1 = read_num(p, len, &i, 2, &a);
        if (!n1 || i >= len || (p[i] != '.' && p[i] != '/'))
            return v;
        char sep = p[i++];
        if (!read_num(p, len, &i, 2, &b) || i >= len || p[i] != sep)
            return v;
        i++;
        int digits = read_num(p, len, &i, 4, &c);
        if (digits == 2)
            c += 2000;
        else if (digits != 4)
            return v;
        y = c;
        /* dots are day first (German, as Amazon.de and PayPal.de write them) */
        if (sep == '/' && month_first) {
            m = a;
            d = b;
        } else {
            d = a;
            m = b;
        }
    }
    if (y < 1970 || y > 2099 || m < 1 || m > 12 || d < 1 || d > 31)
        return v;
    int32_t day;
    char iso[11];
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
    if (fmt_isodate_parse(iso, 10, &day) != 0)
        return v; /* the 31st of a short month */
    return fmt_pout_text(out, iso, 10);
}

/* ---- the layouts ---- */

extern const fmt_payout_layout fmt_payout_amazon;
extern const fmt_payout_layout fmt_payout_ebay;
extern const fmt_payout_layout fmt_payout_paypal;
extern const fmt_payout_layout fmt_payout_shopify;
extern const fmt_payout_layout fmt_payout_stripe;

static const fmt_payout_layout *const all_layouts[] = {
    &fmt_payout_amazon,  &fmt_payout_ebay,   &fmt_payout_paypal,
    &fmt_payout_shopify, &fmt_payout_stripe,
};

const fmt_payout_layout *const *fmt_payout_layout_all(size_t *n)
{
    *n = sizeof all_layouts / sizeof *all_layouts;
    return all_layouts;
}

const fmt_payout_layout *fmt_payout_layout_find(const char *name)
{
    for (size_t i = 0; i < sizeof all_layouts / sizeof *all_layouts; i++)
        if (strcmp(all_layouts[i]->name, name) == 0)
            return all_layouts[i];
    return NULL;
}

const char *fmt_payout_layout_names(void)
{
    return "amazon-settlement, ebay-transactions, paypal, shopify-payments, stripe";
}
