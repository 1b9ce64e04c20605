/* `--payout-format map:FILE`: a payout layout described by the user in a mapping file,
 * for a marketplace or payment provider slipway has no layout for (the grammar is in
 * payout.h, the user's guide in the README's "Payout mapping"). The file is read once,
 * the layout is read-only after, and every payout file of the run is read with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mapping.h"
#include "payout.h"
#include "source.h"
#include "table.h"
#include "utf8.h"

#define PMAP_MAX_BYTES (1u << 20)

/* The file's columns a mapping names; order_id and amount are required. */
enum { PM_ORDER, PM_AMOUNT, PM_TYPE, PM_PAYOUT, PM_TXN, PM_CURRENCY, PM_DATE, PM_FEE, PM_COUNT };
static const char *const column_keys[PM_COUNT] = {"order_id",  "amount",         "type",
                                                  "payout_id", "transaction_id", "currency_column",
                                                  "date",      "fee_column"};

enum {
    S_NAME,
    S_CHANNEL,
    S_CURRENCY,
    S_DELIMITER,
    S_DECIMAL_COMMA,
    S_DATE_FORMAT,
    S_ORDER_PREFIX,
    S_FEE_SIGN,
    S_IGNORE,
    S_COUNT
};
static const char *const setting_keys[S_COUNT] = {"name",         "channel",       "currency",
                                                  "delimiter",    "decimal_comma", "date_format",
                                                  "order_prefix", "fee_sign",      "ignore"};

typedef struct value_list {
    char **v;
    size_t n;
} value_list;

typedef struct pmap {
    fmt_payout_layout layout; /* first: the layout's config points back at this */
    char *name;               /* "map:NAME" */
    char *channel, *currency, *order_prefix;
    char *column[PM_COUNT];
    int decimal_comma, month_first, fee_positive;
    value_list types[FMT_PT_COUNT]; /* type column values per payout type */
    value_list ignore;              /* type column values that are no payout line */
    uint64_t seen_column[PM_COUNT], seen_setting[S_COUNT], seen_type[FMT_PT_COUNT];
} pmap;

static void free_list(value_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void fmt_payout_map_free(const fmt_payout_layout *layout)
{
    if (!layout)
        return;
    pmap *m = (pmap *)(uintptr_t)layout->config;
    free(m->name);
    free(m->channel);
    free(m->currency);
    free(m->order_prefix);
    for (int k = 0; k < PM_COUNT; k++)
        free(m->column[k]);
    for (int t = 0; t < FMT_PT_COUNT; t++)
        free_list(&m->types[t]);
    free_list(&m->ignore);
    free(m);
}

/* ---- the mapping file ---- */

typedef struct parser {
    pmap *m;
    eng_err *err;
    uint64_t line;
} parser;

#define REFUSE(ps, key, ...)                                 \
    ((ps)->err->line = (ps)->line, (ps)->err->field = (key), \
     ENG_FAIL((ps)->err, ENG_REFUSED, __VA_ARGS__))

/* The value: in double quotes ("" for a quote) when it starts with one, else up to a
 * comment (a `#` after a blank). */
static eng_rc read_value(parser *ps, const char *key, fmt_str raw, char **out)
{
    fmt_str v = fmt_mapping_trim(raw);
    fmt_buf b;
    fmt_buf_init(&b);
    if (v.len && v.p[0] == '"') {
        size_t i = 1;
        for (;; i++) {
            if (i >= v.len) {
                fmt_buf_release(&b);
                return REFUSE(ps, key, "%s: the quoted value has no closing quote", key);
            }
            if (v.p[i] == '"' && i + 1 < v.len && v.p[i + 1] == '"') {
                fmt_buf_putc(&b, '"');
                i++;
            } else if (v.p[i] == '"') {
                break;
            } else {
                fmt_buf_putc(&b, v.p[i]);
            }
        }
        fmt_str rest = fmt_mapping_trim((fmt_str){v.p + i + 1, v.len - i - 1});
        if (rest.len && rest.p[0] != '#') {
            fmt_buf_release(&b);
            return REFUSE(ps, key, "%s: text after the closing quote", key);
        }
    } else {
        size_t end = 0;
        while (end < v.len &&
               !(v.p[end] == '#' && (end == 0 || v.p[end - 1] == ' ' || v.p[end - 1] == '\t')))
            end++;
        fmt_str t = fmt_mapping_trim((fmt_str){v.p, end});
        fmt_buf_put(&b, t.p, t.len);
    }
    *out = b.failed ? NULL : fmt_mapping_strdup((fmt_str){b.p ? b.p : "", b.len});
    fmt_buf_release(&b);
    if (!*out)
        return ENG_FAIL(ps->err, ENG_NOMEM, "out of memory reading the payout mapping");
    if (!**out) {
        free(*out);
        *out = NULL;
        return REFUSE(ps, key, "%s has no value", key);
    }
    return ENG_OK;
}

/* "Sale, Order Payment" into a list of values (blanks around each taken off). */
static eng_rc set_list(parser *ps, const char *key, const char *v, value_list *l)
{
    const char *p = v;
    while (1) {
        const char *comma = strchr(p, ',');
        fmt_str one = fmt_mapping_trim((fmt_str){p, comma ? (size_t)(comma - p) : strlen(p)});
        if (!one.len)
            return REFUSE(ps, key, "%s: an empty value in the list \"%s\"", key, v);
        char **g = realloc(l->v, (l->n + 1) * sizeof *g);
        if (!g || !(g[l->n] = fmt_mapping_strdup(one))) {
            if (g)
                l->v = g;
            return ENG_FAIL(ps->err, ENG_NOMEM, "out of memory reading the payout mapping");
        }
        l->v = g;
        l->n++;
        if (!comma)
            return ENG_OK;
        p = comma + 1;
    }
}

static int yes_no(const char *v)
{
    fmt_str s = {v, strlen(v)};
    if (fmt_header_name_eq(s, "yes") || fmt_header_name_eq(s, "true") || !strcmp(v, "1"))
        return 1;
    if (fmt_header_name_eq(s, "no") || fmt_header_name_eq(s, "false") || !strcmp(v, "0"))
        return 0;
    return -1;
}

static eng_rc set_setting(parser *ps, int k, char *v)
{
    pmap *m = ps->m;
    const char *key = setting_keys[k];
    switch (k) {
    case S_NAME:
        for (const char *c = v; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
                return REFUSE(ps, key,
                              "name \"%s\": use lowercase letters, digits, - and _ (it names the "
                              "layout in payout_lines.csv and in each line's identity)",
                              v);
        free(m->name);
        m->name = malloc(strlen(v) + 5);
        if (!m->name)
            return ENG_FAIL(ps->err, ENG_NOMEM, "out of memory reading the payout mapping");
        snprintf(m->name, strlen(v) + 5, "map:%s", v);
        return ENG_OK;
    case S_CHANNEL:
        free(m->channel);
        m->channel = fmt_mapping_strdup((fmt_str){v, strlen(v)});
        break;
    case S_CURRENCY:
        if (strlen(v) != 3 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' || v[2] < 'A' ||
            v[2] > 'Z')
            return REFUSE(ps, key, "currency \"%s\" is not an ISO 4217 code such as EUR", v);
        m->currency = fmt_mapping_strdup((fmt_str){v, 3});
        break;
    case S_DELIMITER: {
        unsigned char d = !strcmp(v, ",")                                      ? ','
                          : !strcmp(v, ";")                                    ? ';'
                          : !strcmp(v, "|")                                    ? '|'
                          : fmt_header_name_eq((fmt_str){v, strlen(v)}, "tab") ? '\t'
                                                                               : 0;
        if (!d)
            return REFUSE(ps, key, "delimiter \"%s\": give , ; | or tab", v);
        m->layout.dialect.delim = d;
        return ENG_OK;
    }
    case S_DECIMAL_COMMA:
        if ((m->decimal_comma = yes_no(v)) < 0)
            return REFUSE(ps, key, "decimal_comma \"%s\": give yes or no", v);
        return ENG_OK;
    case S_DATE_FORMAT:
        if (!strcmp(v, "YYYY-MM-DD") || !strcmp(v, "DD.MM.YYYY") || !strcmp(v, "DD/MM/YYYY"))
            m->month_first = 0;
        else if (!strcmp(v, "MM/DD/YYYY"))
            m->month_first = 1;
        else
            return REFUSE(ps, key,
                          "date_format \"%s\": give YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY or "
                          "MM/DD/YYYY (a time after the date is read and left out)",
                          v);
        return ENG_OK;
    case S_ORDER_PREFIX:
        m->order_prefix = fmt_mapping_strdup((fmt_str){v, strlen(v)});
        break;
    case S_FEE_SIGN:
        if (!strcmp(v, "negative"))
            m->fee_positive = 0;
        else if (!strcmp(v, "positive"))
            m->fee_positive = 1;
        else
            return REFUSE(ps, key,
                          "fee_sign \"%s\": give negative (the fee column writes a charge as "
                          "-0.30) or positive (as 0.30)",
                          v);
        return ENG_OK;
    default: /* S_IGNORE */
        return set_list(ps, key, v, &m->ignore);
    }
    return (k == S_CHANNEL    ? m->channel
            : k == S_CURRENCY ? m->currency
                              : m->order_prefix)
               ? ENG_OK
               : ENG_FAIL(ps->err, ENG_NOMEM, "out of memory reading the payout mapping");
}

static eng_rc parse_line(parser *ps, fmt_str body)
{
    pmap *m = ps->m;
    const char *eq = memchr(body.p, '=', body.len);
    if (!eq)
        return REFUSE(ps, NULL, "expected `key = value`, found \"%.*s\"",
                      (int)(body.len > 60 ? 60 : body.len), body.p);
    fmt_str key = fmt_mapping_trim((fmt_str){body.p, (size_t)(eq - body.p)});
    fmt_str raw = {eq + 1, body.len - (size_t)(eq - body.p) - 1};
    int col = -1, set = -1, type = -1;
    for (int k = 0; k < PM_COUNT && col < 0; k++)
        if (fmt_header_name_eq(key, column_keys[k]))
            col = k;
    for (int k = 0; k < S_COUNT && col < 0 && set < 0; k++)
        if (fmt_header_name_eq(key, setting_keys[k]))
            set = k;
    if (col < 0 && set < 0) {
        char name[40]; /* keys are matched ignoring case */
        size_t n = key.len < sizeof name - 1 ? key.len : sizeof name - 1;
        for (size_t i = 0; i < n; i++)
            name[i] = key.p[i] >= 'A' && key.p[i] <= 'Z' ? (char)(key.p[i] - 'A' + 'a') : key.p[i];
        type = key.len < sizeof name ? fmt_ptype_find(name, n) : -1;
    }
    if (col < 0 && set < 0 && type < 0)
        return REFUSE(ps, NULL,
                      "unknown key \"%.*s\"; keys are the columns order_id, amount, type, "
                      "payout_id, transaction_id, currency_column, date, fee_column; the "
                      "settings name, channel, currency, delimiter, decimal_comma, "
                      "date_format, order_prefix, fee_sign, ignore; and a payout type (sale, "
                      "fee, refund, payout...) listing the type column's values for it",
                      (int)(key.len > 40 ? 40 : key.len), key.p);
    const char *name = col >= 0   ? column_keys[col]
                       : set >= 0 ? setting_keys[set]
                                  : fmt_ptype_name((fmt_ptype)type);
    uint64_t *seen = col >= 0   ? &m->seen_column[col]
                     : set >= 0 ? &m->seen_setting[set]
                                : &m->seen_type[type];
    if (*seen)
        return REFUSE(ps, name, "%s is already given on line %llu; keep one line", name,
                      (unsigned long long)*seen);
    *seen = ps->line;
    char *v = NULL;
    ENG_TRY(read_value(ps, name, raw, &v));
    eng_rc rc = ENG_OK;
    if (col >= 0) {
        m->column[col] = v;
        return ENG_OK;
    }
    if (set >= 0)
        rc = set_setting(ps, set, v);
    else
        rc = set_list(ps, name, v, &m->types[type]);
    free(v);
    return rc;
}

static eng_rc check_mapping(parser *ps)
{
    pmap *m = ps->m;
    ps->line = 0;
    if (!m->column[PM_ORDER] || !m->column[PM_AMOUNT])
        return REFUSE(ps, m->column[PM_ORDER] ? "amount" : "order_id",
                      "%s is not mapped: a payout mapping needs at least `order_id = <the "
                      "column naming the order>` and `amount = <the column of the amount>`",
                      m->column[PM_ORDER] ? "amount" : "order_id");
    if (m->currency && m->column[PM_CURRENCY])
        return REFUSE(ps, "currency",
                      "both currency (a constant) and currency_column are given; keep one");
    if (!m->currency && !m->column[PM_CURRENCY])
        return REFUSE(ps, "currency",
                      "no currency: give `currency_column = <column>` or, when every row is "
                      "in one currency, `currency = EUR`");
    int typed = 0;
    for (int t = 0; t < FMT_PT_COUNT; t++)
        typed |= m->types[t].n > 0;
    if ((typed || m->ignore.n) && !m->column[PM_TYPE])
        return REFUSE(ps, "type",
                      "type values are listed but no `type = <column>` says which column holds "
                      "them");
    return ENG_OK;
}

/* ---- the layout ---- */

typedef struct pmap_bind {
    const pmap *m;
    int col[PM_COUNT];
} pmap_bind;

static int map_detect(const fmt_payout_layout *layout, const fmt_csv_fields *header)
{
    const pmap *m = layout->config;
    int found = 0;
    for (int k = 0; k < PM_COUNT; k++) {
        if (!m->column[k])
            continue;
        int here = 0;
        for (size_t i = 0; i < fmt_csv_count(header) && !here; i++)
            here = fmt_header_name_eq(fmt_payout_cell(fmt_csv_field(header, i)), m->column[k]);
        if (!here)
            return 0;
        found++;
    }
    return found;
}

static eng_rc map_bind(const fmt_payout_layout *layout, const fmt_csv_fields *header, void **bind,
                       eng_err *err)
{
    const pmap *m = layout->config;
    fmt_column cols[PM_COUNT];
    int which[PM_COUNT];
    size_t n = 0;
    for (int k = 0; k < PM_COUNT; k++)
        if (m->column[k]) {
            cols[n] = (fmt_column){m->column[k], 1};
            which[n++] = k;
        }
    pmap_bind *b = malloc(sizeof *b);
    int idx[PM_COUNT];
    if (!b)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    eng_rc rc = fmt_header_map(header, cols, n, idx, m->name, err);
    if (rc != ENG_OK) {
        free(b);
        return rc;
    }
    b->m = m;
    for (int k = 0; k < PM_COUNT; k++)
        b->col[k] = -1;
    for (size_t i = 0; i < n; i++)
        b->col[which[i]] = idx[i];
    *bind = b;
    return ENG_OK;
}

static int listed(const value_list *l, fmt_str v)
{
    for (size_t i = 0; i < l->n; i++)
        if (fmt_header_name_eq(v, l->v[i]))
            return 1;
    return 0;
}

static int is_zero(fmt_str amount)
{
    for (size_t i = 0; i < amount.len; i++)
        if (amount.p[i] >= '1' && amount.p[i] <= '9')
            return 0;
    return 1;
}

static eng_rc map_transform(const void *bind, const fmt_csv_fields *rec, fmt_pout *out)
{
    const pmap_bind *b = bind;
    const pmap *m = b->m;
    fmt_str f[PM_COUNT];
    int blank = 1;
    for (int k = 0; k < PM_COUNT; k++) {
        f[k] = fmt_payout_field(rec, b->col[k]);
        blank &= f[k].len == 0;
    }
    if (blank || (b->col[PM_TYPE] >= 0 && listed(&m->ignore, f[PM_TYPE]))) {
        out->skip = 1;
        return ENG_OK;
    }
    fmt_str amount = fmt_payout_amount(out, f[PM_AMOUNT], m->decimal_comma, 0);
    fmt_str date = fmt_payout_date(out, f[PM_DATE], m->month_first);
    if (!amount.p || !date.p)
        return ENG_NOMEM;
    fmt_ptype type = FMT_PT_UNCLASSIFIED;
    if (b->col[PM_TYPE] >= 0) {
        for (int t = 0; t < FMT_PT_COUNT && type == FMT_PT_UNCLASSIFIED; t++)
            if (listed(&m->types[t], f[PM_TYPE]))
                type = (fmt_ptype)t;
    } else {
        /* no type column: money in is a sale, money out a refund */
        type = amount.len && amount.p[0] == '-' ? FMT_PT_REFUND : FMT_PT_SALE;
    }
    fmt_str currency = m->currency ? (fmt_str){m->currency, 3} : f[PM_CURRENCY];
    for (int fee = 0; fee < 2; fee++) {
        fmt_str a = amount;
        if (fee) {
            if (!f[PM_FEE].len)
                break;
            a = fmt_payout_amount(out, f[PM_FEE], m->decimal_comma, m->fee_positive);
            if (!a.p)
                return ENG_NOMEM;
            if (is_zero(a))
                break;
        }
        int fee_back = fee && !(a.len && a.p[0] == '-');
        fmt_pline *l = fmt_pout_add(out, !fee ? type : fee_back ? FMT_PT_FEE_REFUND : FMT_PT_FEE);
        if (!l)
            return ENG_NOMEM;
        l->payout_id = f[PM_PAYOUT];
        l->txn_id = f[PM_TXN];
        l->order_id = f[PM_ORDER];
        l->currency = currency;
        l->amount = a;
        l->date = date;
        /* the source's own words: its type, else the column the amount came from */
        if (fee)
            l->code = (fmt_str){m->column[PM_FEE], strlen(m->column[PM_FEE])};
        else if (b->col[PM_TYPE] >= 0)
            l->code = f[PM_TYPE];
        else
            l->code = (fmt_str){m->column[PM_AMOUNT], strlen(m->column[PM_AMOUNT])};
        l->col[FMT_PL_AMOUNT] = b->col[fee ? PM_FEE : PM_AMOUNT];
        l->col[FMT_PL_CURRENCY] = b->col[PM_CURRENCY];
        l->col[FMT_PL_DATE] = b->col[PM_DATE];
    }
    return ENG_OK;
}

/* The mapping's file name without folder and extension, as a layout name. */
static char *default_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strcspn(base, ".");
    char *name = malloc(len + 5);
    if (!name)
        return NULL;
    memcpy(name, "map:", 4);
    for (size_t i = 0; i < len; i++) {
        char c = base[i];
        name[4 + i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a')
                      : ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') ? c
                                                                                       : '_';
    }
    name[4 + len] = '\0';
    return name;
}

eng_rc fmt_payout_map_parse(const char *path, const char *text, size_t len,
                            const fmt_payout_layout **out, eng_err *err)
{
    err->path = path;
    err->line = 0;
    err->field = NULL;
    pmap *m = calloc(1, sizeof *m);
    if (!m)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the payout mapping");
    m->layout.config = m;
    m->layout.dialect = FMT_CSV;
    m->name = default_name(path);
    m->channel = fmt_mapping_strdup((fmt_str){"mapped", 6});
    parser ps = {m, err, 0};
    eng_rc rc = m->name && m->channel
                    ? ENG_OK
                    : ENG_FAIL(err, ENG_NOMEM, "out of memory reading the payout mapping");
    size_t pos = 0;
    fmt_str body;
    while (rc == ENG_OK && fmt_mapping_next_line(text, len, &pos, &body)) {
        ps.line++;
        if (fmt_utf8_valid_prefix(body.p, body.len) != body.len || memchr(body.p, '\0', body.len))
            rc = REFUSE(&ps, NULL, "the line is not UTF-8 text; save the mapping as UTF-8");
        else if (body.len && body.p[0] != '#')
            rc = parse_line(&ps, body);
    }
    if (rc == ENG_OK)
        rc = check_mapping(&ps);
    if (rc != ENG_OK) {
        fmt_payout_map_free(&m->layout);
        return rc;
    }
    m->layout.name = m->name;
    m->layout.channel = m->channel;
    m->layout.order_prefix = m->order_prefix;
    m->layout.detect = map_detect;
    m->layout.bind = map_bind;
    m->layout.unbind = fmt_payout_unbind;
    m->layout.transform = map_transform;
    *out = &m->layout;
    return ENG_OK;
}

eng_rc fmt_payout_map_load(const char *path, const fmt_payout_layout **out, fmt_input_info *info,
                           eng_err *err)
{
    fmt_buf text;
    fmt_buf_init(&text);
    eng_rc rc = fmt_source_slurp(path, PMAP_MAX_BYTES, "payout mapping", &text, info, err);
    if (rc == ENG_OK)
        rc = fmt_payout_map_parse(path, text.p ? text.p : "", text.len, out, err);
    fmt_buf_release(&text);
    return rc;
}
