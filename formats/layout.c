/* Layout registry, auto-detection and the helpers layouts share (amounts written with
 * currency symbols and separators, dates in marketplace patterns, protected ids). */
#include "layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "table.h"

extern const fmt_layout fmt_layout_canonical;
extern const fmt_layout fmt_layout_canonical_semicolon;
extern const fmt_layout fmt_layout_canonical_tab;
extern const fmt_layout fmt_layout_shopify;
extern const fmt_layout fmt_layout_amazon;
extern const fmt_layout fmt_layout_amazon_csv;
extern const fmt_layout fmt_layout_woocommerce;
extern const fmt_layout fmt_layout_ebay;
extern const fmt_layout fmt_layout_tmall;

/* Canonical first: it wins a tie in detection. */
static const fmt_layout *const builtin[] = {
    &fmt_layout_canonical,           &fmt_layout_shopify,       &fmt_layout_amazon,
    &fmt_layout_woocommerce,         &fmt_layout_ebay,          &fmt_layout_tmall,
    &fmt_layout_canonical_semicolon, &fmt_layout_canonical_tab, &fmt_layout_amazon_csv,
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

eng_rc fmt_out_sheet_dates(fmt_out *out, fmt_date_order order)
{
    for (size_t i = 0; i < out->n; i++) {
        fmt_str *v = &out->rows[i].v[FMT_COL_ORDER_TIME];
        int64_t ns;
        char iso[19];
        if (v->len == 0 || fmt_isotime_parse(v->p, v->len, &ns) == 0 ||
            fmt_sheet_date_iso(v->p, v->len, order, iso) != 0)
            continue;
        fmt_str t = fmt_out_text(out, iso, sizeof iso);
        if (!t.p)
            return ENG_NOMEM;
        *v = t;
    }
    return ENG_OK;
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

int fmt_layout_bound(int col)
{
    return col >= 0 ? col : FMT_LAYOUT_NO_COLUMN;
}

int fmt_layout_source(const int (*table)[2], size_t n, const int *col, fmt_col c)
{
    for (size_t k = 0; k < n; k++)
        if (table[k][0] == (int)c)
            return fmt_layout_bound(col[table[k][1]]);
    return -1;
}

int fmt_layout_one_col(const int *col, size_t n)
{
    int at = FMT_LAYOUT_NO_COLUMN;
    for (size_t k = 0; k < n; k++) {
        if (col[k] < 0)
            continue;
        if (at >= 0)
            return -1;
        at = col[k];
    }
    return at;
}

fmt_str fmt_layout_field(const fmt_csv_fields *rec, int i)
{
    fmt_str blank = {"", 0};
    if (i < 0 || (size_t)i >= fmt_csv_count(rec))
        return blank;
    return fmt_csv_field(rec, (size_t)i);
}

fmt_str fmt_layout_trim(fmt_str v)
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
    v = fmt_layout_trim(v);
    if (v.len >= 3 && v.p[0] == '=' && v.p[1] == '"' && v.p[v.len - 1] == '"') {
        v.p += 2;
        v.len -= 3;
    } else if (v.len && (v.p[0] == '\'' || v.p[0] == '\t')) {
        v.p++;
        v.len--;
    }
    return fmt_layout_trim(v);
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

/* Whether the separators of num (digits and '.', ',', ' ', not starting with one) make
 * sense with dec as the decimal point (0: none): the point at most once, followed by
 * digits only; every other separator groups thousands, so groups before the point are
 * the first of 1-3 digits without a leading zero and then exactly 3 each. "1,2,3",
 * "1.234.50" and "1,234.5.6" have no sensible reading. */
static int sensible_separators(const char *num, size_t n, char dec)
{
    size_t int_len = n;
    if (dec) {
        const char *point = memchr(num, dec, n);
        if (point) {
            int_len = (size_t)(point - num);
            if (int_len + 1 == n)
                return 0; /* nothing after the point */
            for (size_t i = int_len + 1; i < n; i++)
                if (!is_digit(num[i]))
                    return 0; /* a second point, or grouping after the point */
        }
    }
    /* The whole part: one group of any length, or groups split by separators, the first
     * of 1-3 digits without a leading zero and each later one of exactly 3. */
    size_t run = 0, n_groups = 0;
    for (size_t i = 0; i <= int_len; i++) {
        if (i < int_len && is_digit(num[i])) {
            run++;
            continue;
        }
        if (n_groups == 0 && i < int_len && (run > 3 || num[0] == '0'))
            return 0;
        if (n_groups > 0 && run != 3)
            return 0;
        n_groups++;
        run = 0;
    }
    return 1;
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
    int neg = 0, marked_after = 0; /* marker text seen after the number began */
    for (size_t i = 0; i < v.len; i++) {
        char c = v.p[i];
        /* A blank between two digits groups thousands ("1 234,50"). */
        int grouping_blank =
            c == ' ' && n_num > 0 && is_digit(v.p[i - 1]) && i + 1 < v.len && is_digit(v.p[i + 1]);
        if (is_digit(c) || ((c == '.' || c == ',') && n_num > 0) || grouping_blank) {
            if (marked_after || n_num + 1 >= sizeof num)
                return -1; /* "12€50": digits on both sides of a marker */
            num[n_num++] = c;
        } else if (c == '-' && n_num == 0) {
            neg = 1;
        } else if (c == ' ' && (n_mark == 0 || (n_num > 0 && !marked_after))) {
            continue; /* leading blanks, and blanks before a trailing marker */
        } else {
            if (n_mark + 1 >= sizeof mark || (n_num > 0 && n_mark > 0 && !marked_after))
                return -1; /* "E12UR": marker text on both sides of the number */
            mark[n_mark++] = c;
            marked_after |= n_num > 0;
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
    if (!sensible_separators(num, n_num, dec))
        return -1;
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

/* "Z", or a sign and two hour digits, optionally followed by two minute digits with or
 * without a colon ("+01", "-0400", "+05:30"), as the ISO reader takes them. */
static int is_zone(fmt_str z)
{
    if (z.len == 1)
        return z.p[0] == 'Z' || z.p[0] == 'z';
    if (z.len != 3 && z.len != 5 && z.len != 6)
        return 0;
    if (z.p[0] != '+' && z.p[0] != '-')
        return 0;
    const char *d = z.p + 1;
    if (z.len == 6 && d[2] != ':')
        return 0;
    const char *m = z.len == 6 ? d + 3 : d + 2;
    int ok = is_digit(d[0]) && is_digit(d[1]) && (d[0] - '0') * 10 + (d[1] - '0') <= 23;
    if (z.len > 3)
        ok = ok && is_digit(m[0]) && is_digit(m[1]) && m[0] <= '5';
    return ok;
}

/* Up to max digits at v[*i] (at least one). */
static int read_num(fmt_str v, size_t *i, int max, int *out)
{
    int n = 0, val = 0;
    while (*i < v.len && n < max && is_digit(v.p[*i])) {
        val = val * 10 + (v.p[*i] - '0');
        (*i)++;
        n++;
    }
    *out = val;
    return n > 0 ? 0 : -1;
}

fmt_str fmt_layout_date(fmt_out *out, fmt_str v, const char *pattern, const char *zone)
{
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    v = fmt_layout_trim(v);
    if (v.len == 0)
        return v;
    int y = -1, mo = -1, d = -1, hh = 0, mi = 0, ss = 0;
    size_t i = 0;
    for (const char *p = pattern; *p;) {
        if (strncmp(p, "YYYY", 4) == 0) {
            size_t at = i;
            if (read_num(v, &i, 4, &y) || i - at != 4)
                return v;
            p += 4;
        } else if (strncmp(p, "YY", 2) == 0) {
            size_t at = i;
            if (read_num(v, &i, 2, &y) || i - at != 2)
                return v;
            y += 2000;
            p += 2;
        } else if (strncmp(p, "MON", 3) == 0) {
            if (i + 3 > v.len)
                return v;
            char m[3];
            for (int k = 0; k < 3; k++)
                m[k] = (char)(v.p[i + (size_t)k] | 0x20);
            mo = -1;
            for (int k = 0; k < 12 && mo < 0; k++)
                if (memcmp(m, months + 3 * k, 3) == 0)
                    mo = k + 1;
            if (mo < 0)
                return v;
            i += 3;
            p += 3;
        } else if (p[0] == p[1] && strchr("MDhms", p[0])) {
            int *slot = p[0] == 'M'   ? &mo
                        : p[0] == 'D' ? &d
                        : p[0] == 'h' ? &hh
                        : p[0] == 'm' ? &mi
                                      : &ss;
            if (read_num(v, &i, 2, slot))
                return v;
            p += 2;
        } else {
            if (i >= v.len || v.p[i] != *p)
                return v;
            i++;
            p++;
        }
    }
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || hh > 23 || mi > 59 || ss > 59)
        return v;
    /* A day the month does not have ("31.02.2026") does not survive the round trip. */
    int y2, mo2, d2;
    fmt_civil_from_days(fmt_days_from_civil(y, mo, d), &y2, &mo2, &d2);
    if (y2 != y || mo2 != mo || d2 != d)
        return v;
    /* The rest may be the value's own zone. */
    fmt_str rest = {v.p + i, v.len - i};
    rest = fmt_layout_trim(rest);
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, hh, mi, ss);
    if (rest.len) {
        if (!is_zone(rest))
            return v;
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%.*s", (int)rest.len, rest.p);
    } else if (zone) {
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%s", zone);
    }
    return fmt_out_text(out, buf, (size_t)n);
}
