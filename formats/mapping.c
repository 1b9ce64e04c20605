/* `--format map:FILE`: a layout built at run time from the user's mapping file (the
 * grammar and every rule are in mapping.h; README "map:FILE" is the user's guide).
 *
 *   mapping text -> lines -> key = value -> map_config (checked: every refusal names the
 *   file, line and key) -> a heap fmt_layout whose config is the map_config
 *   header -> bind: each named column's index (map_bind)
 *   record -> transform: canonical values, normalised like the built-in layouts
 *
 * The config is read-only once parsed, so transform stays a pure function of the record
 * and the binding, as layout.h asks. Everything the layout owns (its name, the config and
 * its strings) is in one allocation tree freed by fmt_mapping_free.
 *
 * Decisions beyond mapping.h:
 * - A key given twice is refused, whatever it is: for a canonical column that is "mapped
 *   twice"; `currency` with `currency_column` (and `channel` with `channel_column`) also
 *   map one column twice. Two canonical columns may name the same file column (an
 *   e-mail column as both customer_id and ship_name is odd, but not wrong).
 * - open_qty may be mapped like any canonical column (a system that keeps slipway's
 *   backorders in its own layout).
 * - Mapping the status column without saying which values matter, or a *_when without
 *   status, or one value in two lists, is refused: each is a mapping that cannot do what
 *   its author meant.
 * - With the default ISO 8601 date_format and a time_zone, a time written without a zone
 *   ("2026-11-26 14:03:00", or a plain date, then 00:00) gets the time_zone appended;
 *   anything else passes unchanged.
 * - A missing required mapping has no line to name (line 0): the message says which key
 *   to add. */
#include "mapping.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "currency.h"
#include "source.h"
#include "table.h"
#include "utf8.h"

#define MAP_MAX_BYTES (1u << 20)

/* The keys that are not canonical columns. */
enum {
    K_DELIMITER,
    K_QUOTE,
    K_ENCODING,
    K_DATE_FORMAT,
    K_TIME_ZONE,
    K_PRICE,
    K_CURRENCY,
    K_CHANNEL,
    K_CURRENCY_COLUMN,
    K_CHANNEL_COLUMN,
    K_STATUS,
    K_CANCELLED_WHEN,
    K_FULFILLED_WHEN,
    K_UNPAID_WHEN,
    K_COUNT
};

static const char *const setting_names[K_COUNT] = {
    "delimiter", "quote",          "encoding",       "date_format",     "time_zone",
    "price",     "currency",       "channel",        "currency_column", "channel_column",
    "status",    "cancelled_when", "fulfilled_when", "unpaid_when",
};

/* One status value and the state it gives the order. */
typedef struct map_status {
    char *value;
    fmt_state state;
    uint64_t line;
} map_status;

typedef struct map_config {
    char *name;                  /* "map:<path>" */
    char *column[FMT_COL_COUNT]; /* the file's column per canonical column; NULL: unmapped */
    uint64_t col_line[FMT_COL_COUNT];
    char *status_column; /* NULL: no status column */
    map_status *states;
    size_t n_states;
    char *date_format;      /* NULL: ISO 8601 as the engine reads it */
    char *time_zone;        /* "+01:00"; NULL: UTC */
    char *currency;         /* constant ISO code, or NULL */
    char *channel;          /* constant; "mapped" unless given */
    int line_total;         /* price = line_total */
    uint64_t seen[K_COUNT]; /* line of each setting key, 0 when not given */
} map_config;

/* The layout and its config in one block: fmt_mapping_free frees both. */
typedef struct map_layout {
    fmt_layout layout; /* first: a fmt_layout * is a map_layout * */
    map_config cfg;
} map_layout;

/* Column indexes of one header. */
typedef struct map_bind {
    int col[FMT_COL_COUNT];
    int status;
} map_bind;

static const fmt_col required_cols[] = {FMT_COL_ORDER_ID, FMT_COL_SKU, FMT_COL_QTY,
                                        FMT_COL_UNIT_PRICE, FMT_COL_ORDER_TIME};

static int is_required(int col)
{
    for (size_t i = 0; i < sizeof required_cols / sizeof *required_cols; i++)
        if ((int)required_cols[i] == col)
            return 1;
    return 0;
}

/* ---- small text helpers ---- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

fmt_str fmt_mapping_trim(fmt_str s)
{
    while (s.len && is_blank(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && (is_blank(s.p[s.len - 1]) || s.p[s.len - 1] == '\r'))
        s.len--;
    return s;
}

int fmt_mapping_next_line(const char *text, size_t len, size_t *pos, fmt_str *line)
{
    if (*pos == 0 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        *pos = 3; /* a byte order mark before the first line */
    if (*pos >= len)
        return 0;
    /* A line ends at LF, CRLF or a lone CR, as in the policy file. */
    size_t end = *pos;
    while (end < len && text[end] != '\n' && text[end] != '\r')
        end++;
    *line = fmt_mapping_trim((fmt_str){text + *pos, end - *pos});
    *pos = end + (end + 1 < len && text[end] == '\r' && text[end + 1] == '\n') + 1;
    return 1;
}

char *fmt_mapping_strdup(fmt_str s)
{
    char *p = malloc(s.len + 1);
    if (p) {
        memcpy(p, s.p, s.len);
        p[s.len] = '\0';
    }
    return p;
}

static int eq_word(fmt_str s, const char *word)
{
    return fmt_header_name_eq(s, word);
}

/* ---- parsing ---- */

typedef struct parser {
    map_config *cfg;
    fmt_layout *layout;
    eng_err *err;
    uint64_t line;
} parser;

/* Point err at the current line and key (NULL for none). */
static void locate(parser *ps, const char *key)
{
    if (ps->err) {
        ps->err->line = ps->line;
        ps->err->field = key;
    }
}

/* Refuse at the current line, naming key; ENG_FAIL records where it was raised. */
#define REFUSE(ps, key, ...) (locate((ps), (key)), ENG_FAIL((ps)->err, ENG_REFUSED, __VA_ARGS__))

static eng_rc no_memory(parser *ps)
{
    return ENG_FAIL(ps->err, ENG_NOMEM, "out of memory reading the mapping");
}

/* The value after `=`, into a new string: in double quotes ("" for a quote) when it
 * starts with one, else up to a comment (a `#` at its start or after a blank). plain:
 * never quoted (quote's own value). */
static eng_rc read_value(parser *ps, const char *key, fmt_str raw, int plain, char **out)
{
    fmt_str v = fmt_mapping_trim(raw);
    if (!plain && v.len && v.p[0] == '"') {
        char *buf = malloc(v.len);
        if (!buf)
            return no_memory(ps);
        size_t n = 0, i = 1;
        for (;; i++) {
            if (i >= v.len) {
                free(buf);
                return REFUSE(ps, key,
                              "the quote that opens the value is not closed; write "
                              "a quote inside a quoted value as \"\"");
            }
            if (v.p[i] == '"' && i + 1 < v.len && v.p[i + 1] == '"') {
                buf[n++] = '"';
                i++;
            } else if (v.p[i] == '"') {
                break;
            } else {
                buf[n++] = v.p[i];
            }
        }
        fmt_str rest = {v.p + i + 1, v.len - i - 1};
        rest = fmt_mapping_trim(rest);
        if (rest.len && rest.p[0] != '#') {
            free(buf);
            return REFUSE(ps, key,
                          "text after the closing quote (\"%.*s\"); put a comment after a #",
                          (int)(rest.len > 40 ? 40 : rest.len), rest.p);
        }
        buf[n] = '\0';
        *out = buf;
        return ENG_OK;
    }
    for (size_t i = 0; i < v.len; i++)
        if (v.p[i] == '#' && (i == 0 || is_blank(v.p[i - 1]))) {
            v.len = i;
            break;
        }
    v = fmt_mapping_trim(v);
    *out = fmt_mapping_strdup(v);
    return *out ? ENG_OK : no_memory(ps);
}

/* Why a date pattern cannot work with fmt_layout_date, or NULL when it can. The tokens are
 * read the way fmt_layout_date reads them. */
static const char *date_format_problem(const char *p)
{
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    while (*p) {
        if (strncmp(p, "YYYY", 4) == 0) {
            year++;
            p += 4;
        } else if (strncmp(p, "YY", 2) == 0) {
            year++;
            p += 2;
        } else if (strncmp(p, "MON", 3) == 0) {
            month++;
            p += 3;
        } else if (p[0] == p[1] && strchr("MDhms", p[0])) {
            *(p[0] == 'M'   ? &month
              : p[0] == 'D' ? &day
              : p[0] == 'h' ? &hour
              : p[0] == 'm' ? &minute
                            : &second) += 1;
            p += 2;
        } else if (strchr("YMDhms", p[0])) {
            return "has a lone or tripled Y, M, D, h, m or s; the parts are YYYY or YY, MM or "
                   "MON, DD, hh, mm, ss (e.g. DD.MM.YYYY hh:mm)";
        } else {
            p++;
        }
    }
    if (!year || !month || !day)
        return "needs a year (YYYY or YY), a month (MM or MON) and a day (DD), e.g. "
               "DD.MM.YYYY hh:mm";
    if (year > 1 || month > 1 || day > 1 || hour > 1 || minute > 1 || second > 1)
        return "names one part twice";
    if ((minute || second) && !hour)
        return "has minutes or seconds without hours (hh)";
    if (second && !minute)
        return "has seconds without minutes (mm)";
    return NULL;
}

/* "+01:00" from "+01:00", "+0100", "+01"; NULL (UTC) from "Z" or "UTC". Returns -1 when
 * the text is no such offset. */
static int parse_zone(const char *v, char out[7], int *utc)
{
    size_t n = strlen(v);
    *utc = 0;
    if (strcmp(v, "Z") == 0 || strcmp(v, "z") == 0 || fmt_header_name_eq((fmt_str){v, n}, "UTC")) {
        *utc = 1;
        return 0;
    }
    if (n < 3 || (v[0] != '+' && v[0] != '-'))
        return -1;
    for (size_t i = 1; i < n; i++)
        if (!(v[i] >= '0' && v[i] <= '9') && !(i == 3 && v[i] == ':'))
            return -1;
    int hh = (v[1] - '0') * 10 + (v[2] - '0'), mm = 0;
    if (n == 6 && v[3] == ':')
        mm = (v[4] - '0') * 10 + (v[5] - '0');
    else if (n == 5 && v[3] != ':')
        mm = (v[3] - '0') * 10 + (v[4] - '0');
    else if (n != 3)
        return -1;
    if (hh > 14 || mm > 59)
        return -1;
    out[0] = v[0];
    out[1] = (char)('0' + hh / 10);
    out[2] = (char)('0' + hh % 10);
    out[3] = ':';
    out[4] = (char)('0' + mm / 10);
    out[5] = (char)('0' + mm % 10);
    out[6] = '\0';
    return 0;
}

static eng_rc set_status_list(parser *ps, int key, const char *v)
{
    static const fmt_state state_of[] = {FMT_STATE_CANCELLED, FMT_STATE_FULFILLED,
                                         FMT_STATE_UNPAID};
    const char *name = setting_names[key];
    fmt_state st = state_of[key - K_CANCELLED_WHEN];
    const char *colon = strchr(v, ':');
    fmt_str subject = {v, colon ? (size_t)(colon - v) : 0};
    if (!colon || !eq_word(subject, "status"))
        return REFUSE(ps, name,
                      "write `%s = status: value, value` (values of the column mapped by "
                      "`status = <column>`), not \"%.60s\"",
                      name, v);
    const char *p = colon + 1;
    for (;;) {
        const char *comma = strchr(p, ',');
        fmt_str item = {p, comma ? (size_t)(comma - p) : strlen(p)};
        item = fmt_mapping_trim(item);
        if (item.len == 0)
            return REFUSE(ps, name, "an empty value in the list \"%.60s\"", v);
        for (size_t i = 0; i < ps->cfg->n_states; i++) {
            const map_status *s = &ps->cfg->states[i];
            if (fmt_header_name_eq(item, s->value))
                return REFUSE(ps, name,
                              "status value \"%.*s\" is already listed on line %llu; give each "
                              "value one state",
                              (int)(item.len > 60 ? 60 : item.len), item.p,
                              (unsigned long long)s->line);
        }
        map_status *grown =
            realloc(ps->cfg->states, (ps->cfg->n_states + 1) * sizeof *ps->cfg->states);
        if (!grown)
            return no_memory(ps);
        ps->cfg->states = grown;
        map_status *s = &grown[ps->cfg->n_states];
        s->value = fmt_mapping_strdup(item);
        if (!s->value)
            return no_memory(ps);
        s->state = st;
        s->line = ps->line;
        ps->cfg->n_states++;
        if (!comma)
            break;
        p = comma + 1;
    }
    return ENG_OK;
}

/* A setting's value (v is owned by the caller). */
static eng_rc set_setting(parser *ps, int key, const char *v)
{
    map_config *c = ps->cfg;
    fmt_layout *l = ps->layout;
    const char *name = setting_names[key];
    fmt_str s = {v, strlen(v)};
    switch (key) {
    case K_DELIMITER:
        if (strcmp(v, ",") == 0 || strcmp(v, ";") == 0 || strcmp(v, "|") == 0)
            l->dialect.delim = (unsigned char)v[0];
        else if (eq_word(s, "tab"))
            l->dialect.delim = '\t';
        else
            return REFUSE(ps, name, "delimiter \"%.40s\" is not one of , ; | tab", v);
        return ENG_OK;
    case K_QUOTE:
        if (strcmp(v, "\"") == 0 || strcmp(v, "'") == 0)
            l->dialect.quote = v[0];
        else if (eq_word(s, "none"))
            l->dialect.quote = -1;
        else
            return REFUSE(ps, name, "quote \"%.40s\" is not \" or ' or none", v);
        return ENG_OK;
    case K_ENCODING:
        if (eq_word(s, "utf-8") || eq_word(s, "utf8"))
            l->legacy_encoding = NULL;
        else if (eq_word(s, "windows-1252"))
            l->legacy_encoding = "WINDOWS-1252";
        else if (eq_word(s, "gb18030"))
            l->legacy_encoding = "GB18030";
        else
            return REFUSE(ps, name, "encoding \"%.40s\" is not utf-8, windows-1252 or gb18030", v);
        return ENG_OK;
    case K_DATE_FORMAT: {
        const char *why = date_format_problem(v);
        if (why)
            return REFUSE(ps, name, "date_format \"%.40s\" %s", v, why);
        c->date_format = fmt_mapping_strdup(s);
        return c->date_format ? ENG_OK : no_memory(ps);
    }
    case K_TIME_ZONE: {
        char zone[7];
        int utc;
        if (parse_zone(v, zone, &utc) != 0)
            return REFUSE(ps, name,
                          "time_zone \"%.40s\" is not a fixed offset such as +01:00, -0500 or "
                          "UTC",
                          v);
        if (utc)
            return ENG_OK;
        c->time_zone = fmt_mapping_strdup((fmt_str){zone, strlen(zone)});
        return c->time_zone ? ENG_OK : no_memory(ps);
    }
    case K_PRICE:
        if (eq_word(s, "unit"))
            c->line_total = 0;
        else if (eq_word(s, "line_total"))
            c->line_total = 1;
        else
            return REFUSE(ps, name,
                          "price \"%.40s\" is not unit (unit_price is one unit's price) or "
                          "line_total (it is the line's total)",
                          v);
        return ENG_OK;
    case K_CURRENCY: {
        char code[4] = "";
        for (size_t i = 0; i < 3 && i < s.len; i++)
            code[i] = (char)(v[i] >= 'a' && v[i] <= 'z' ? v[i] - 32 : v[i]);
        if (s.len != 3 || fmt_currency_find(code, 3) < 0)
            return REFUSE(ps, name,
                          "currency \"%.40s\" is not an ISO 4217 code; currency is the one "
                          "currency of every order (EUR), and a file with a currency column "
                          "maps it with currency_column = <column>",
                          v);
        c->currency = fmt_mapping_strdup((fmt_str){code, 3});
        return c->currency ? ENG_OK : no_memory(ps);
    }
    case K_CHANNEL:
        free(c->channel);
        c->channel = fmt_mapping_strdup(s);
        return c->channel ? ENG_OK : no_memory(ps);
    case K_STATUS:
        c->status_column = fmt_mapping_strdup(s);
        return c->status_column ? ENG_OK : no_memory(ps);
    default:
        return set_status_list(ps, key, v);
    }
}

/* Map canonical column col to the file's column v (ownership of v passes here). */
static eng_rc set_column(parser *ps, fmt_col col, const char *key, char *v)
{
    map_config *c = ps->cfg;
    if (c->column[col]) {
        eng_rc rc = REFUSE(ps, key,
                           "%s is already mapped on line %llu (to \"%.60s\"); map each "
                           "canonical column once",
                           fmt_col_name(col), (unsigned long long)c->col_line[col], c->column[col]);
        free(v);
        return rc;
    }
    c->column[col] = v;
    c->col_line[col] = ps->line;
    return ENG_OK;
}

/* The key's canonical column, or -1. */
static int canonical_key(fmt_str key)
{
    for (int k = 0; k < FMT_COL_COUNT; k++)
        if (k != FMT_COL_CURRENCY && k != FMT_COL_CHANNEL && k != FMT_COL_LINE_AMOUNT &&
            fmt_header_name_eq(key, fmt_col_name((fmt_col)k)))
            return k;
    return -1;
}

static int setting_key(fmt_str key)
{
    for (int k = 0; k < K_COUNT; k++)
        if (fmt_header_name_eq(key, setting_names[k]))
            return k;
    return -1;
}

static eng_rc unknown_key(parser *ps, fmt_str key, fmt_str raw)
{
    int n = (int)(key.len > 40 ? 40 : key.len);
    /* `Bestellnummer = order_id`: the two sides swapped. */
    fmt_str value = fmt_mapping_trim(raw);
    if (canonical_key(value) >= 0 || setting_key(value) >= 0)
        return REFUSE(ps, NULL,
                      "unknown key \"%.*s\": the canonical column goes on the left, the "
                      "file's column on the right (%.*s = %.*s)",
                      n, key.p, (int)(value.len > 40 ? 40 : value.len), value.p, n, key.p);
    return REFUSE(ps, NULL,
                  "unknown key \"%.*s\"; keys are the canonical order columns (order_id, sku, "
                  "qty, unit_price, order_time, ship_name...) and delimiter, quote, encoding, "
                  "date_format, time_zone, price, currency, channel, currency_column, "
                  "channel_column, status, cancelled_when, fulfilled_when, unpaid_when",
                  n, key.p);
}

static eng_rc parse_line(parser *ps, fmt_str body)
{
    const char *eq = memchr(body.p, '=', body.len);
    if (!eq)
        return REFUSE(ps, NULL, "expected `key = value`, found \"%.*s\"",
                      (int)(body.len > 60 ? 60 : body.len), body.p);
    fmt_str key = fmt_mapping_trim((fmt_str){body.p, (size_t)(eq - body.p)});
    fmt_str raw = {eq + 1, body.len - (size_t)(eq - body.p) - 1};
    int col = canonical_key(key);
    int set = col < 0 ? setting_key(key) : -1;
    if (col < 0 && set < 0)
        return unknown_key(ps, key, raw);
    const char *name = col >= 0 ? fmt_col_name((fmt_col)col) : setting_names[set];
    char *v = NULL;
    ENG_TRY(read_value(ps, name, raw, set == K_QUOTE, &v));
    if (v[0] == '\0') {
        free(v);
        return REFUSE(ps, name, "%s has no value", name);
    }
    if (col >= 0)
        return set_column(ps, (fmt_col)col, name, v);
    if (set == K_CURRENCY_COLUMN || set == K_CHANNEL_COLUMN) {
        ps->cfg->seen[set] = ps->line;
        return set_column(ps, set == K_CURRENCY_COLUMN ? FMT_COL_CURRENCY : FMT_COL_CHANNEL, name,
                          v);
    }
    eng_rc rc;
    if (ps->cfg->seen[set])
        rc = REFUSE(ps, name, "%s is already given on line %llu; keep one line", name,
                    (unsigned long long)ps->cfg->seen[set]);
    else
        rc = set_setting(ps, set, v);
    ps->cfg->seen[set] = ps->line;
    free(v);
    return rc;
}

/* Checks of the whole mapping, after its last line. */
static eng_rc check_mapping(parser *ps)
{
    map_config *c = ps->cfg;
    for (size_t i = 0; i < sizeof required_cols / sizeof *required_cols; i++) {
        fmt_col col = required_cols[i];
        if (c->column[col])
            continue;
        ps->line = 0;
        return REFUSE(ps, fmt_col_name(col),
                      "%s is not mapped: add `%s = <the file's column>`; order_id, sku, qty, "
                      "unit_price and order_time must be mapped",
                      fmt_col_name(col), fmt_col_name(col));
    }
    /* A constant and a column for one canonical column: whichever line came second. */
    static const int pairs[][2] = {{K_CURRENCY, K_CURRENCY_COLUMN}, {K_CHANNEL, K_CHANNEL_COLUMN}};
    for (size_t i = 0; i < 2; i++) {
        uint64_t a = c->seen[pairs[i][0]], b = c->seen[pairs[i][1]];
        if (!a || !b)
            continue;
        const char *key = setting_names[pairs[i][0]];
        ps->line = a > b ? a : b;
        return REFUSE(ps, key,
                      "%s is given both as a constant (line %llu) and as a column (%s, line "
                      "%llu): the canonical column is mapped twice; keep one",
                      key, (unsigned long long)a, setting_names[pairs[i][1]],
                      (unsigned long long)b);
    }
    for (int k = K_CANCELLED_WHEN; k <= K_UNPAID_WHEN; k++) {
        if (c->seen[k] && !c->status_column) {
            ps->line = c->seen[k];
            return REFUSE(ps, setting_names[k],
                          "%s needs the status column: add `status = <the file's column>`",
                          setting_names[k]);
        }
    }
    if (c->status_column && c->n_states == 0) {
        ps->line = c->seen[K_STATUS];
        return REFUSE(ps, "status",
                      "status is mapped but no cancelled_when, fulfilled_when or unpaid_when "
                      "says which of its values matter");
    }
    return ENG_OK;
}

/* ---- the layout's functions ---- */

/* Index of the one header field named name; -1 when absent, -2 when there are two (*dup
 * the second). */
static int find_column(const fmt_csv_fields *header, const char *name, size_t *first, size_t *dup)
{
    int at = -1;
    for (size_t i = 0; i < fmt_csv_count(header); i++) {
        if (!fmt_header_name_eq(fmt_csv_field(header, i), name))
            continue;
        if (at >= 0) {
            *first = (size_t)at;
            *dup = i;
            return -2;
        }
        at = (int)i;
    }
    return at;
}

/* How many mapped columns the header has; 0 when a required one is missing. */
static int map_detect(const fmt_layout *l, const fmt_csv_fields *header)
{
    const map_config *c = l->config;
    int found = 0;
    for (int k = 0; k < FMT_COL_COUNT; k++) {
        if (!c->column[k])
            continue;
        if (fmt_layout_col(header, c->column[k]) >= 0)
            found++;
        else if (is_required(k))
            return 0;
    }
    if (c->status_column && fmt_layout_col(header, c->status_column) >= 0)
        found++;
    return found;
}

static eng_rc bind_one(const fmt_layout *l, const fmt_csv_fields *header, const char *column,
                       const char *key, uint64_t line, int *idx, eng_err *err)
{
    size_t first = 0, dup = 0;
    *idx = find_column(header, column, &first, &dup);
    if (*idx >= 0)
        return ENG_OK;
    if (err)
        err->field = column;
    if (*idx == -2)
        return ENG_FAIL(err, ENG_REFUSED,
                        "column \"%s\" (%s in %s) appears twice in the header (columns %zu and "
                        "%zu); remove one",
                        column, key, l->name, first + 1, dup + 1);
    return ENG_FAIL(err, ENG_REFUSED,
                    "column \"%s\" is missing from the header; %s maps %s to it (line %llu): "
                    "fix the mapping or check that this is the right file",
                    column, l->name, key, (unsigned long long)line);
}

static eng_rc map_bind_header(const fmt_layout *l, const fmt_csv_fields *header, void **bind,
                              eng_err *err)
{
    const map_config *c = l->config;
    map_bind *b = malloc(sizeof *b);
    if (!b)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    eng_rc rc = ENG_OK;
    b->status = -1;
    for (int k = 0; k < FMT_COL_COUNT; k++) {
        b->col[k] = -1;
        if (c->column[k] && rc == ENG_OK) {
            const char *key = k == FMT_COL_CURRENCY  ? "currency_column"
                              : k == FMT_COL_CHANNEL ? "channel_column"
                                                     : fmt_col_name((fmt_col)k);
            rc = bind_one(l, header, c->column[k], key, c->col_line[k], &b->col[k], err);
        }
    }
    if (rc == ENG_OK && c->status_column)
        rc = bind_one(l, header, c->status_column, "status", c->seen[K_STATUS], &b->status, err);
    if (rc != ENG_OK) {
        free(b);
        return rc;
    }
    *bind = b;
    return ENG_OK;
}

static void map_unbind(void *bind)
{
    free(bind);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* order_time: the mapping's pattern, or ISO 8601 with the time_zone added when the time
 * has none. {NULL, 0} when out of memory. */
static fmt_str map_time(fmt_out *out, const map_config *c, fmt_str v)
{
    if (c->date_format)
        return fmt_layout_date(out, v, c->date_format, c->time_zone);
    v = fmt_mapping_trim(v);
    if (!c->time_zone || v.len < 10)
        return v;
    for (size_t i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? v.p[i] != '-' : !is_digit(v.p[i]))
            return v;
    char buf[96];
    int n;
    if (v.len == 10) {
        n = snprintf(buf, sizeof buf, "%.10sT00:00:00%s", v.p, c->time_zone);
    } else {
        if (v.len > 64 || (v.p[10] != 'T' && v.p[10] != ' '))
            return v;
        for (size_t i = 11; i < v.len; i++)
            if (v.p[i] == 'Z' || v.p[i] == 'z' || v.p[i] == '+' || v.p[i] == '-')
                return v; /* it has its own zone */
        n = snprintf(buf, sizeof buf, "%.*s%s", (int)v.len, v.p, c->time_zone);
    }
    return fmt_out_text(out, buf, (size_t)n);
}

static eng_rc map_transform(const fmt_layout *l, const void *bind, const fmt_csv_fields *rec,
                            fmt_out *out)
{
    const map_config *c = l->config;
    const map_bind *b = bind;
    fmt_out_row *r = fmt_out_add(out);
    if (!r)
        return ENG_NOMEM;
    const char *written_in = ""; /* the currency an amount is written with */
    int order_level = 0;
    for (int k = 0; k < FMT_COL_COUNT; k++) {
        if (b->col[k] < 0)
            continue;
        fmt_str v = fmt_layout_field(rec, b->col[k]);
        switch (k) {
        case FMT_COL_ORDER_ID:
        case FMT_COL_SKU:
        case FMT_COL_CUSTOMER_ID:
        case FMT_COL_SHIP_POSTAL:
            v = fmt_layout_unprotect(v);
            break;
        case FMT_COL_ORDER_TIME:
            v = map_time(out, c, v);
            if (!v.p)
                return ENG_NOMEM;
            break;
        case FMT_COL_UNIT_PRICE:
        case FMT_COL_ORDER_TOTAL:
        case FMT_COL_SHIPPING:
        case FMT_COL_TAX:
        case FMT_COL_DISCOUNT: {
            fmt_str amount;
            const char *cur;
            /* An amount without a sensible reading passes as written: BAD_NUMBER. */
            if (fmt_layout_money(out, v, &amount, &cur) == 0) {
                v = amount;
                if (!*written_in)
                    written_in = cur;
            }
            break;
        }
        default:
            break;
        }
        r->v[k] = v;
        order_level |= v.len && fmt_col_is_order_level((fmt_col)k);
    }
    if (order_level && c->currency)
        r->v[FMT_COL_CURRENCY] = (fmt_str){c->currency, strlen(c->currency)};
    if (order_level && b->col[FMT_COL_CHANNEL] < 0)
        r->v[FMT_COL_CHANNEL] = (fmt_str){c->channel, strlen(c->channel)};
    if (!c->currency && b->col[FMT_COL_CURRENCY] < 0 && *written_in)
        r->v[FMT_COL_CURRENCY] = (fmt_str){written_in, strlen(written_in)};
    r->line_total = c->line_total;
    if (b->status >= 0) {
        fmt_str status = fmt_layout_field(rec, b->status);
        for (size_t i = 0; i < c->n_states && r->order_state == FMT_STATE_NONE; i++)
            if (fmt_header_name_eq(status, c->states[i].value))
                r->order_state = c->states[i].state;
    }
    return ENG_OK;
}

/* The mapped column; currency and channel without a *_column mapping are made up. */
static int map_source_column(const fmt_layout *l, const void *bind, fmt_col c)
{
    int col = ((const map_bind *)bind)->col[c];
    if (col < 0 && (c == FMT_COL_CURRENCY || c == FMT_COL_CHANNEL))
        return -1; /* a constant, or (currency) read off the amounts */
    (void)l;
    return fmt_layout_bound(col);
}

/* ---- public ---- */

void fmt_mapping_free(fmt_layout *l)
{
    if (!l)
        return;
    map_layout *m = (map_layout *)l;
    map_config *c = &m->cfg;
    free(c->name);
    for (int k = 0; k < FMT_COL_COUNT; k++)
        free(c->column[k]);
    free(c->status_column);
    for (size_t i = 0; i < c->n_states; i++)
        free(c->states[i].value);
    free(c->states);
    free(c->date_format);
    free(c->time_zone);
    free(c->currency);
    free(c->channel);
    free(m);
}

eng_rc fmt_mapping_parse(const char *path, const char *text, size_t len, fmt_layout **out,
                         eng_err *err)
{
    if (err) {
        err->path = path;
        err->line = 0;
        err->field = NULL;
    }
    map_layout *m = calloc(1, sizeof *m);
    if (!m)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the mapping");
    parser ps = {&m->cfg, &m->layout, err, 0};
    fmt_layout *l = &m->layout;
    size_t name_len = strlen(path) + 5;
    m->cfg.name = malloc(name_len);
    m->cfg.channel = fmt_mapping_strdup((fmt_str){"mapped", 6});
    eng_rc rc = m->cfg.name && m->cfg.channel ? ENG_OK : no_memory(&ps);
    if (rc == ENG_OK)
        snprintf(m->cfg.name, name_len, "map:%s", path);
    l->name = m->cfg.name;
    l->dialect = FMT_CSV;
    l->legacy_encoding = NULL;
    l->detect = map_detect;
    l->bind = map_bind_header;
    l->unbind = map_unbind;
    l->transform = map_transform;
    l->source_column = map_source_column;
    l->config = &m->cfg;

    size_t pos = 0;
    fmt_str body;
    while (rc == ENG_OK && fmt_mapping_next_line(text, len, &pos, &body)) {
        ps.line++;
        if (fmt_utf8_valid_prefix(body.p, body.len) != body.len || memchr(body.p, '\0', body.len))
            rc = REFUSE(&ps, NULL,
                        "the line is not UTF-8 text; save the mapping as UTF-8 (the names it "
                        "holds are compared with the decoded header)");
        else if (body.len && body.p[0] != '#')
            rc = parse_line(&ps, body);
    }
    if (rc == ENG_OK)
        rc = check_mapping(&ps);
    if (rc != ENG_OK) {
        fmt_mapping_free(l);
        return rc;
    }
    /* Its dates are as its date_format and time_zone say: no spreadsheet's reading. */
    l->own_dates = m->cfg.date_format || m->cfg.time_zone;
    *out = l;
    return ENG_OK;
}

eng_rc fmt_mapping_load(const char *path, fmt_layout **out, fmt_input_info *info, eng_err *err)
{
    fmt_buf text;
    fmt_buf_init(&text);
    eng_rc rc = fmt_source_slurp(path, MAP_MAX_BYTES, "mapping", &text, info, err);
    if (rc == ENG_OK)
        rc = fmt_mapping_parse(path, text.p ? text.p : "", text.len, out, err);
    fmt_buf_release(&text);
    return rc;
}
