/* Policy file reader. Values are validated here, where the file and line are known, so
 * the engine receives only sensible values. */
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "payout.h"
#include "source.h"
#include "utf8.h"

void fmt_policy_defaults(fmt_policy *p)
{
    p->allocation = FMT_ALLOC_SHIP_COMPLETE;
    p->max_error_rate_ppm = 50000;
    p->return_window_days = 30;
    p->restocking_fee_pct.mant = 0;
    p->restocking_fee_pct.frac = 0;
    p->warehouse_order = NULL;
    p->n_warehouse_order = 0;
    p->warehouse_order_line = 0;
    p->cutoff_min = -1;
    p->cutoff_offset_min = 0;
    p->cutoff_offset_set = 0;
    p->routes = NULL;
    p->n_routes = 0;
    p->route_only = 0;
    p->route_mode_set = 0;
    p->channels = NULL;
    p->n_channels = 0;
    p->split = FMT_SPLIT_LINE;
    p->split_set = 0;
    p->max_split = 0;
    p->reserves = NULL;
    p->n_reserves = 0;
    p->caps = NULL;
    p->n_caps = 0;
    p->second_pass = 0;
    p->reserve_release_set = 0;
    p->shortage = FMT_SHORTAGE_RANK;
    p->payout_due = NULL;
    p->n_payout_due = 0;
    p->refund_due = NULL;
    p->n_refund_due = 0;
    p->reconcile_tolerance_minor = 0;
    p->payout_channel = NULL;
    p->n_payout_channel = 0;
    p->order_prefix = NULL;
    p->n_order_prefix = 0;
    p->shortage_set = 0;
    p->min_fill_line_bp = -1;
    p->min_fill_order_bp = -1;
}

int fmt_policy_below_fill(int64_t shipped, int64_t outstanding, int32_t bp)
{
    if (bp <= 0 || shipped <= 0)
        return 0;
    return (__int128)shipped * 10000 < (__int128)outstanding * bp;
}

int64_t fmt_share_units(const fmt_share_rule *r, int64_t of, int round_up)
{
    if (!r->pct)
        return r->amount;
    /* of < 2^63 and amount <= 10000: the product fits in 128 bits */
    __int128 scaled = (__int128)of * r->amount;
    int64_t units = (int64_t)(scaled / 10000);
    if (round_up && scaled % 10000 != 0)
        units++;
    return units;
}

const char *fmt_policy_split_name(fmt_split s)
{
    return s == FMT_SPLIT_FEWEST ? "fewest" : s == FMT_SPLIT_SINGLE ? "single" : "line";
}

size_t fmt_policy_split_cap(const fmt_policy *p, size_t n)
{
    size_t cap = p->split == FMT_SPLIT_SINGLE ? 1 : p->max_split ? p->max_split : n;
    return cap < n ? cap : n;
}

int fmt_policy_sources_per_order(const fmt_policy *p)
{
    return p->n_routes > 0 || p->n_channels > 0 || p->split != FMT_SPLIT_LINE ||
           p->max_split > 0 || p->n_reserves > 0 || p->n_caps > 0 ||
           p->shortage == FMT_SHORTAGE_PROPORTIONAL || p->min_fill_line_bp > 0 ||
           p->min_fill_order_bp > 0;
}

int64_t fmt_policy_cutoff_ns(const fmt_policy *p, int32_t run_date)
{
    if (p->cutoff_min < 0)
        return INT64_MAX;
    /* Run dates are 1970-2099 and offsets under a day: no overflow. */
    int64_t minutes = (int64_t)run_date * 1440 + p->cutoff_min - p->cutoff_offset_min;
    return minutes * 60 * INT64_C(1000000000);
}

void fmt_policy_format_hhmm(char *dst, int32_t minutes, int with_sign)
{
    int32_t m = minutes < 0 ? -minutes : minutes;
    if (with_sign)
        *dst++ = minutes < 0 ? '-' : '+';
    dst[0] = (char)('0' + m / 600);
    dst[1] = (char)('0' + m / 60 % 10);
    dst[2] = ':';
    dst[3] = (char)('0' + m % 60 / 10);
    dst[4] = (char)('0' + m % 10);
    dst[5] = '\0';
}

/* "HH:MM" (two digits each) of at most max_minutes into *minutes; 0 when it is not. */
static int parse_hhmm(fmt_str v, int max_minutes, int32_t *minutes)
{
    if (v.len != 5 || v.p[2] != ':')
        return 0;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (v.p[i] < '0' || v.p[i] > '9'))
            return 0;
    int h = (v.p[0] - '0') * 10 + (v.p[1] - '0'), m = (v.p[3] - '0') * 10 + (v.p[4] - '0');
    if (m > 59 || h * 60 + m > max_minutes)
        return 0;
    *minutes = h * 60 + m;
    return 1;
}

static void free_rules(fmt_wh_rule *rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < rules[i].n_names; k++)
            free(rules[i].names[k]);
        free(rules[i].names);
        free(rules[i].key);
        free(rules[i].match);
    }
    free(rules);
}

static void free_shares(fmt_share_rule *rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rules[i].key);
        free(rules[i].channel);
        free(rules[i].sku);
    }
    free(rules);
}

static void free_days(fmt_days_rule *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(r[i].channel);
    free(r);
}

int64_t fmt_policy_due_days(const fmt_days_rule *rules, size_t n, const char *channel, size_t len)
{
    int64_t fallback = FMT_DUE_DAYS_DEFAULT;
    for (size_t i = 0; i < n; i++) {
        if (!rules[i].channel[0])
            fallback = rules[i].days;
        else if (strlen(rules[i].channel) == len && memcmp(rules[i].channel, channel, len) == 0)
            return rules[i].days;
    }
    return fallback;
}

static void free_texts(fmt_text_rule *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].layout);
        free(r[i].value);
    }
    free(r);
}

const char *fmt_policy_layout_text(const fmt_text_rule *rules, size_t n, const char *layout)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rules[i].layout, layout) == 0)
            return rules[i].value;
    return NULL;
}

void fmt_policy_release(fmt_policy *p)
{
    free_texts(p->payout_channel, p->n_payout_channel);
    free_texts(p->order_prefix, p->n_order_prefix);
    free_days(p->payout_due, p->n_payout_due);
    free_days(p->refund_due, p->n_refund_due);
    free_shares(p->reserves, p->n_reserves);
    free_shares(p->caps, p->n_caps);
    for (size_t i = 0; i < p->n_warehouse_order; i++)
        free(p->warehouse_order[i]);
    free(p->warehouse_order);
    free_rules(p->routes, p->n_routes);
    free_rules(p->channels, p->n_channels);
    fmt_policy_defaults(p);
}

const char *fmt_policy_allocation_name(fmt_allocation a)
{
    return a == FMT_ALLOC_PARTIAL ? "partial" : "ship_complete";
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static fmt_str trim(const char *s, size_t len)
{
    while (len && is_space(*s)) {
        s++;
        len--;
    }
    while (len && is_space(s[len - 1]))
        len--;
    fmt_str t = {s, len};
    return t;
}

static int str_is(fmt_str s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

static eng_rc bad_value(eng_err *err, const char *key, fmt_str v, const char *why)
{
    if (err)
        err->field = key;
    return ENG_FAIL(err, ENG_REFUSED, "value \"%.*s\" %s", (int)(v.len > 60 ? 60 : v.len), v.p,
                    why);
}

/* A comma list of warehouse names into *names (n of them), for field (a static name for
 * messages). An empty value is an empty list. */
static eng_rc parse_names(const char *field, fmt_str v, char ***names, size_t *n, eng_err *err)
{
    size_t start = 0;
    while (start <= v.len) {
        const char *comma = memchr(v.p + start, ',', v.len - start);
        size_t end = comma ? (size_t)(comma - v.p) : v.len;
        fmt_str name = trim(v.p + start, end - start);
        if (name.len == 0) {
            if (v.len == 0)
                return ENG_OK;
            return bad_value(err, field, v, "has an empty warehouse name");
        }
        /* Names are kept as C strings, compared with the inventory's and written to
         * manifest.json: a NUL byte would cut one short (fuzz_policy found
         * "warehouse_order=\0" accepted as an empty name) and invalid UTF-8 would make
         * the manifest invalid. The inventory refuses both as well. */
        if (memchr(name.p, '\0', name.len) || fmt_utf8_valid_prefix(name.p, name.len) != name.len)
            return bad_value(err, field, v,
                             "has a warehouse name with a NUL byte or invalid UTF-8");
        for (size_t i = 0; i < *n; i++)
            if (strlen((*names)[i]) == name.len && memcmp((*names)[i], name.p, name.len) == 0)
                return bad_value(err, field, v, "names a warehouse twice");
        char **grown = realloc(*names, (*n + 1) * sizeof *grown);
        char *copy = grown ? malloc(name.len + 1) : NULL;
        if (grown)
            *names = grown;
        if (!copy)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the policy");
        memcpy(copy, name.p, name.len);
        copy[name.len] = '\0';
        (*names)[(*n)++] = copy;
        start = end + 1;
    }
    return ENG_OK;
}

static eng_rc set_warehouses(fmt_policy *p, fmt_str v, eng_err *err)
{
    return parse_names("warehouse_order", v, &p->warehouse_order, &p->n_warehouse_order, err);
}

static char fold_upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - ('a' - 'A')) : c;
}

/* s as a route key keeps it: trimmed, ASCII upper case, and with drop_blanks (postal
 * prefixes) without blanks; into dst (len + 1 bytes), its length returned. */
static size_t fold_key(char *dst, const char *s, size_t len, int drop_blanks)
{
    fmt_str t = trim(s, len);
    size_t n = 0;
    for (size_t i = 0; i < t.len; i++) {
        if (drop_blanks && (t.p[i] == ' ' || t.p[i] == '\t'))
            continue;
        dst[n++] = fold_upper(t.p[i]);
    }
    dst[n] = '\0';
    return n;
}

/* Folded s (as fold_key folds keys) against key: 1 when equal (prefix 0) or when
 * key starts it (prefix 1). Compares as it folds, so values of any length compare. */
int fmt_policy_folded_match(const char *s, size_t len, const char *key, int drop_blanks, int prefix)
{
    fmt_str t = trim(s, len);
    size_t k = 0;
    for (size_t i = 0; i < t.len; i++) {
        if (drop_blanks && (t.p[i] == ' ' || t.p[i] == '\t'))
            continue;
        if (key[k] == '\0')
            return prefix;
        if (fold_upper(t.p[i]) != key[k])
            return 0;
        k++;
    }
    return key[k] == '\0';
}

/* A new rule in *rules for the key as written, its list parsed from v. */
static eng_rc add_rule(fmt_wh_rule **rules, size_t *n, fmt_str key, fmt_str v, const char *field,
                       fmt_wh_rule **out, eng_err *err)
{
    fmt_wh_rule *grown = realloc(*rules, (*n + 1) * sizeof *grown);
    if (!grown)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the policy");
    *rules = grown;
    fmt_wh_rule *r = &grown[*n];
    memset(r, 0, sizeof *r);
    r->key = malloc(key.len + 1);
    r->match = malloc(key.len + 1);
    if (!r->key || !r->match) {
        free(r->key);
        free(r->match);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the policy");
    }
    (*n)++;
    memcpy(r->key, key.p, key.len);
    r->key[key.len] = '\0';
    r->match[0] = '\0';
    *out = r;
    return parse_names(field, v, &r->names, &r->n_names, err);
}

/* The last of rules[0..n) against the earlier ones: the same kind, country and match
 * (a channel's country is always "") is one key given twice, however it is spelled. */
static eng_rc refuse_repeat(const fmt_wh_rule *rules, size_t n, const char *field, const char *what,
                            eng_err *err)
{
    const fmt_wh_rule *r = &rules[n - 1];
    for (size_t i = 0; i + 1 < n; i++) {
        const fmt_wh_rule *q = &rules[i];
        if (q->kind == r->kind && strcmp(q->country, r->country) == 0 &&
            strcmp(q->match, r->match) == 0) {
            if (err)
                err->field = field;
            return ENG_FAIL(err, ENG_REFUSED,
                            "key \"%s\" names the same %s as \"%s\" on line %llu; keep one", r->key,
                            what, q->key, (unsigned long long)q->line);
        }
    }
    return ENG_OK;
}

static int is_letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* route.default, route.CC, route.CC-REGION, route.CC:PREFIX */
static eng_rc set_route(fmt_policy *p, fmt_str key, fmt_str v, uint64_t line, eng_err *err)
{
    fmt_str rest = {key.p + 6, key.len - 6};
    int kind;
    if (str_is(rest, "default"))
        kind = FMT_ROUTE_DEFAULT;
    else if (rest.len >= 2 && is_letter(rest.p[0]) && is_letter(rest.p[1]) &&
             (rest.len == 2 || ((rest.p[2] == '-' || rest.p[2] == ':') && rest.len > 3)))
        kind = rest.len == 2      ? FMT_ROUTE_COUNTRY
               : rest.p[2] == '-' ? FMT_ROUTE_REGION
                                  : FMT_ROUTE_POSTAL;
    else {
        if (err)
            err->field = "route";
        return ENG_FAIL(err, ENG_REFUSED,
                        "key \"%.*s\" is not route.CC, route.CC-REGION, route.CC:PREFIX or "
                        "route.default (CC a two-letter country code)",
                        (int)(key.len > 60 ? 60 : key.len), key.p);
    }
    fmt_wh_rule *r;
    ENG_TRY(add_rule(&p->routes, &p->n_routes, key, v, "route", &r, err));
    r->kind = kind;
    r->line = line;
    if (kind != FMT_ROUTE_DEFAULT) {
        r->country[0] = fold_upper(rest.p[0]);
        r->country[1] = fold_upper(rest.p[1]);
        r->country[2] = '\0';
    }
    if (kind == FMT_ROUTE_REGION || kind == FMT_ROUTE_POSTAL) {
        size_t n = fold_key(r->match, rest.p + 3, rest.len - 3, kind == FMT_ROUTE_POSTAL);
        if (n == 0) {
            if (err)
                err->field = "route";
            return ENG_FAIL(err, ENG_REFUSED, "key \"%.*s\" has an empty region or postal prefix",
                            (int)(key.len > 60 ? 60 : key.len), key.p);
        }
    }
    /* The same place twice (route.de and route.DE) is one key given twice. */
    return refuse_repeat(p->routes, p->n_routes, "route", "place", err);
}

/* channel_warehouses.CHANNEL (a channel with a dot or a blank in double quotes) or
 * channel_warehouses.default */
static eng_rc set_channel(fmt_policy *p, fmt_str key, fmt_str v, uint64_t line, eng_err *err)
{
    fmt_str rest = {key.p + 19, key.len - 19};
    int is_default = str_is(rest, "default");
    fmt_str channel = rest;
    int ok = rest.len > 0;
    if (ok && rest.p[0] == '"') {
        ok = rest.len >= 3 && rest.p[rest.len - 1] == '"' && !memchr(rest.p + 1, '"', rest.len - 2);
        channel.p = rest.p + 1;
        channel.len = rest.len >= 2 ? rest.len - 2 : 0;
    } else if (ok) {
        ok = !memchr(rest.p, '.', rest.len) && !memchr(rest.p, ' ', rest.len) &&
             !memchr(rest.p, '\t', rest.len) && !memchr(rest.p, '"', rest.len);
    }
    if (!ok) {
        if (err)
            err->field = "channel_warehouses";
        return ENG_FAIL(err, ENG_REFUSED,
                        "key \"%.*s\" is not channel_warehouses.CHANNEL (write a channel with "
                        "a dot or a blank in double quotes) or channel_warehouses.default",
                        (int)(key.len > 60 ? 60 : key.len), key.p);
    }
    fmt_wh_rule *r;
    ENG_TRY(add_rule(&p->channels, &p->n_channels, key, v, "channel_warehouses", &r, err));
    r->kind = is_default;
    r->line = line;
    memcpy(r->match, channel.p, channel.len);
    r->match[channel.len] = '\0';
    return refuse_repeat(p->channels, p->n_channels, "channel_warehouses", "channel", err);
}

static char *dup_str(fmt_str s)
{
    char *d = malloc(s.len + 1);
    if (d) {
        memcpy(d, s.p, s.len);
        d[s.len] = '\0';
    }
    return d;
}

/* reserve.CHANNEL.SKU, reserve.CHANNEL.*, cap.CHANNEL.SKU, cap.CHANNEL.* (field: "reserve"
 * or "cap"): the text between the first two dots is the channel, or a channel in double
 * quotes; the rest is the SKU or `*`. The value is N units or P% with at most two
 * decimals. */
static eng_rc set_share(fmt_share_rule **rules, size_t *n, const char *field, fmt_str key,
                        fmt_str v, uint64_t line, eng_err *err)
{
    size_t skip = strlen(field) + 1;
    fmt_str rest = {key.p + skip, key.len - skip}, channel = rest, sku = {NULL, 0};
    int ok = rest.len > 0;
    if (ok && rest.p[0] == '"') {
        const char *close = memchr(rest.p + 1, '"', rest.len - 1);
        ok = close && close > rest.p + 1 && (size_t)(close - rest.p) + 1 < rest.len &&
             close[1] == '.';
        if (ok) {
            channel.p = rest.p + 1;
            channel.len = (size_t)(close - rest.p) - 1;
            sku.p = close + 2;
            sku.len = rest.len - (size_t)(close - rest.p) - 2;
        }
    } else if (ok) {
        const char *dot = memchr(rest.p, '.', rest.len);
        ok = dot != NULL;
        if (ok) {
            channel.len = (size_t)(dot - rest.p);
            sku.p = dot + 1;
            sku.len = rest.len - channel.len - 1;
            ok = channel.len > 0 && !memchr(channel.p, ' ', channel.len) &&
                 !memchr(channel.p, '\t', channel.len) && !memchr(channel.p, '"', channel.len);
        }
    }
    if (!ok || sku.len == 0) {
        if (err)
            err->field = field;
        if (rest.len > 0 && rest.p[0] != '"' && !memchr(rest.p, '.', rest.len))
            return ENG_FAIL(err, ENG_REFUSED,
                            "key \"%.*s\" names a channel but no SKU: write %.*s.SKU for one "
                            "SKU or %.*s.* for every SKU",
                            (int)(key.len > 60 ? 60 : key.len), key.p,
                            (int)(key.len > 60 ? 60 : key.len), key.p,
                            (int)(key.len > 60 ? 60 : key.len), key.p);
        return ENG_FAIL(err, ENG_REFUSED,
                        "key \"%.*s\" is not %s.CHANNEL.SKU or %s.CHANNEL.* (write a channel "
                        "with a dot or a blank in double quotes)",
                        (int)(key.len > 60 ? 60 : key.len), key.p, field, field);
    }
    fmt_share_rule r;
    memset(&r, 0, sizeof r);
    r.line = line;
    if (v.len > 1 && v.p[v.len - 1] == '%') {
        fmt_dec d;
        int64_t hundredths;
        fmt_str num = trim(v.p, v.len - 1);
        if (fmt_dec_parse(num.p, num.len, &d) != FMT_NUM_OK ||
            fmt_dec_to_minor(d, 2, &hundredths) != FMT_NUM_OK || hundredths < 0 ||
            hundredths > 10000)
            return bad_value(err, field, v,
                             "is not a percentage from 0% to 100% with at most two decimals");
        r.pct = 1;
        r.amount = hundredths;
    } else if (fmt_int_parse(v.p, v.len, &r.amount) != FMT_NUM_OK || r.amount < 0) {
        return bad_value(err, field, v, "is not a whole number of units or a percentage (12.5%)");
    }
    for (size_t i = 0; i < *n; i++) {
        const fmt_share_rule *q = &(*rules)[i];
        if (strlen(q->channel) == channel.len && memcmp(q->channel, channel.p, channel.len) == 0 &&
            ((!q->sku && str_is(sku, "*")) || (q->sku && str_is(sku, q->sku)))) {
            if (err)
                err->field = field;
            return ENG_FAIL(err, ENG_REFUSED,
                            "key \"%.*s\" names the same channel and SKU as \"%s\" on line %llu; "
                            "keep one",
                            (int)(key.len > 60 ? 60 : key.len), key.p, q->key,
                            (unsigned long long)q->line);
        }
    }
    fmt_share_rule *grown = realloc(*rules, (*n + 1) * sizeof *grown);
    if (!grown)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the policy");
    *rules = grown;
    r.key = dup_str(key);
    r.channel = dup_str(channel);
    r.sku = str_is(sku, "*") ? NULL : dup_str(sku);
    grown[(*n)++] = r;
    if (!r.key || !r.channel || (!r.sku && !str_is(sku, "*")))
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the policy");
    return ENG_OK;
}

/* A min_fill_*_pct value: a percentage from 0 to 100 with at most two decimals, with or
 * without its `%`, in hundredths. */
static eng_rc set_fill(int32_t *bp, const char *key, fmt_str v, eng_err *err)
{
    fmt_str num = v.len > 1 && v.p[v.len - 1] == '%' ? trim(v.p, v.len - 1) : v;
    fmt_dec d;
    int64_t hundredths;
    if (fmt_dec_parse(num.p, num.len, &d) != FMT_NUM_OK ||
        fmt_dec_to_minor(d, 2, &hundredths) != FMT_NUM_OK || hundredths < 0 || hundredths > 10000)
        return bad_value(err, key, v, "is not a percentage from 0 to 100 with at most two decimals");
    *bp = (int32_t)hundredths;
    return ENG_OK;
}

/* payout_due_days.CHANNEL or refund_due_days.CHANNEL (field without the dot): whole days,
 * one key per channel, `default` for every other channel. A channel with a dot or a blank
 * is written in double quotes, as in reserve.* keys. */
static eng_rc set_days(fmt_days_rule **rules, size_t *n, const char *field, fmt_str key, fmt_str v,
                       uint64_t line, eng_err *err)
{
    size_t skip = strlen(field) + 1;
    fmt_str channel = {key.p + skip, key.len - skip};
    if (channel.len >= 2 && channel.p[0] == '"' && channel.p[channel.len - 1] == '"') {
        channel.p++;
        channel.len -= 2;
    } else if (str_is(channel, "default")) {
        channel.len = 0;
    }
    int64_t days;
    if (fmt_int_parse(v.p, v.len, &days) != FMT_NUM_OK || days < 0 || days > 36500)
        return bad_value(err, field, v, "is not a whole number of days");
    for (size_t i = 0; i < *n; i++)
        if (strlen((*rules)[i].channel) == channel.len &&
            memcmp((*rules)[i].channel, channel.p, channel.len) == 0) {
            if (err)
                err->field = field;
            return ENG_FAIL(err, ENG_REFUSED,
                            "key \"%.*s\" is given twice (first on line %llu): which one was "
                            "meant is not guessed; keep one",
                            (int)(key.len > 60 ? 60 : key.len), key.p,
                            (unsigned long long)(*rules)[i].line);
        }
    fmt_days_rule *grown = realloc(*rules, (*n + 1) * sizeof *grown);
    if (!grown)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the policy");
    *rules = grown;
    fmt_days_rule *r = &grown[(*n)++];
    r->days = days;
    r->line = line;
    r->channel = malloc(channel.len + 1);
    if (!r->channel) {
        (*n)--;
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the policy");
    }
    memcpy(r->channel, channel.p, channel.len);
    r->channel[channel.len] = '\0';
    return ENG_OK;
}

/* payout_channel.LAYOUT or payout_order_prefix.LAYOUT (field without the dot): text for
 * one payout layout, which must be one slipway reads. */
static eng_rc set_text(fmt_text_rule **rules, size_t *n, const char *field, fmt_str key, fmt_str v,
                       uint64_t line, eng_err *err)
{
    size_t skip = strlen(field) + 1;
    fmt_str layout = {key.p + skip, key.len - skip};
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(layout.len < 63 ? layout.len : 63), layout.p);
    if (err)
        err->field = field;
    if (layout.len >= 63 || !fmt_payout_layout_find(name))
        return ENG_FAIL(err, ENG_REFUSED, "key \"%.*s\" names no payout layout (%s)",
                        (int)(key.len > 60 ? 60 : key.len), key.p, fmt_payout_layout_names());
    if (fmt_policy_layout_text(*rules, *n, name))
        return ENG_FAIL(err, ENG_REFUSED, "key \"%.*s\" is given twice; keep one",
                        (int)(key.len > 60 ? 60 : key.len), key.p);
    fmt_text_rule *grown = realloc(*rules, (*n + 1) * sizeof *grown);
    if (!grown)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the policy");
    *rules = grown;
    fmt_text_rule *r = &grown[*n];
    r->layout = strdup(name);
    r->value = malloc(v.len + 1);
    r->line = line;
    if (!r->layout || !r->value) {
        free(r->layout);
        free(r->value);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the policy");
    }
    memcpy(r->value, v.p, v.len);
    r->value[v.len] = '\0';
    (*n)++;
    return ENG_OK;
}

static eng_rc set_key(fmt_policy *p, fmt_str key, fmt_str v, uint64_t line, eng_err *err)
{
    fmt_num_rc nrc;
    if (str_is(key, "allocation")) {
        if (str_is(v, "ship_complete"))
            p->allocation = FMT_ALLOC_SHIP_COMPLETE;
        else if (str_is(v, "partial"))
            p->allocation = FMT_ALLOC_PARTIAL;
        else
            return bad_value(err, "allocation", v, "is not ship_complete or partial");
    } else if (str_is(key, "max_error_rate")) {
        int64_t ppm;
        nrc = fmt_ppm_parse(v.p, v.len, &ppm);
        if (nrc != FMT_NUM_OK)
            return bad_value(err, "max_error_rate", v, fmt_num_rc_text(nrc));
        if (ppm > 1000000)
            return bad_value(err, "max_error_rate", v, "is above 1 (a share, 0.05 = 5%)");
        p->max_error_rate_ppm = ppm;
    } else if (str_is(key, "return_window_days")) {
        int64_t days;
        nrc = fmt_int_parse(v.p, v.len, &days);
        if (nrc != FMT_NUM_OK || days < 0 || days > 36500)
            return bad_value(err, "return_window_days", v, "is not a whole number of days");
        p->return_window_days = days;
    } else if (str_is(key, "restocking_fee_pct")) {
        fmt_dec pct;
        nrc = fmt_dec_parse(v.p, v.len, &pct);
        if (nrc != FMT_NUM_OK)
            return bad_value(err, "restocking_fee_pct", v, fmt_num_rc_text(nrc));
        fmt_dec hundred = {100, 0};
        if (fmt_dec_cmp(pct, hundred) > 0)
            return bad_value(err, "restocking_fee_pct", v, "is above 100");
        p->restocking_fee_pct = pct;
    } else if (str_is(key, "warehouse_order")) {
        return set_warehouses(p, v, err);
    } else if (str_is(key, "route_mode")) {
        p->route_mode_set = 1;
        if (str_is(v, "prefer"))
            p->route_only = 0;
        else if (str_is(v, "only"))
            p->route_only = 1;
        else
            return bad_value(err, "route_mode", v, "is not prefer or only");
    } else if (key.len > 6 && memcmp(key.p, "route.", 6) == 0) {
        return set_route(p, key, v, line, err);
    } else if (key.len > 19 && memcmp(key.p, "channel_warehouses.", 19) == 0) {
        return set_channel(p, key, v, line, err);
    } else if (str_is(key, "split")) {
        p->split_set = 1;
        if (str_is(v, "line"))
            p->split = FMT_SPLIT_LINE;
        else if (str_is(v, "fewest"))
            p->split = FMT_SPLIT_FEWEST;
        else if (str_is(v, "single"))
            p->split = FMT_SPLIT_SINGLE;
        else
            return bad_value(err, "split", v, "is not line, fewest or single");
    } else if (str_is(key, "max_split")) {
        int64_t n;
        nrc = fmt_int_parse(v.p, v.len, &n);
        if (nrc != FMT_NUM_OK || n < 1 || n > 1000000)
            return bad_value(err, "max_split", v, "is not a whole number of warehouses, 1 or more");
        p->max_split = (uint32_t)n;
    } else if (key.len > 8 && memcmp(key.p, "reserve.", 8) == 0) {
        return set_share(&p->reserves, &p->n_reserves, "reserve", key, v, line, err);
    } else if (key.len > 4 && memcmp(key.p, "cap.", 4) == 0) {
        return set_share(&p->caps, &p->n_caps, "cap", key, v, line, err);
    } else if (str_is(key, "reserve_release")) {
        p->reserve_release_set = 1;
        if (str_is(v, "keep"))
            p->second_pass = 0;
        else if (str_is(v, "second_pass"))
            p->second_pass = 1;
        else
            return bad_value(err, "reserve_release", v, "is not keep or second_pass");
    } else if (str_is(key, "cutoff")) {
        if (!parse_hhmm(v, 23 * 60 + 59, &p->cutoff_min))
            return bad_value(err, "cutoff", v, "is not a time of day HH:MM (00:00-23:59)");
    } else if (str_is(key, "cutoff_offset")) {
        fmt_str hhmm = {v.p + 1, v.len ? v.len - 1 : 0};
        int32_t minutes;
        if (v.len == 0 || (v.p[0] != '+' && v.p[0] != '-') || !parse_hhmm(hhmm, 14 * 60, &minutes))
            return bad_value(err, "cutoff_offset", v,
                             "is not an offset from UTC +HH:MM or -HH:MM (up to 14:00)");
        p->cutoff_offset_min = v.p[0] == '-' ? -minutes : minutes;
        p->cutoff_offset_set = 1;
    } else if (str_is(key, "shortage_rule")) {
        p->shortage_set = 1;
        if (str_is(v, "rank"))
            p->shortage = FMT_SHORTAGE_RANK;
        else if (str_is(v, "proportional"))
            p->shortage = FMT_SHORTAGE_PROPORTIONAL;
        else
            return bad_value(err, "shortage_rule", v, "is not rank or proportional");
    } else if (str_is(key, "min_fill_line_pct")) {
        return set_fill(&p->min_fill_line_bp, "min_fill_line_pct", v, err);
    } else if (str_is(key, "min_fill_order_pct")) {
        return set_fill(&p->min_fill_order_bp, "min_fill_order_pct", v, err);
    } else if (key.len > 16 && memcmp(key.p, "payout_due_days.", 16) == 0) {
        return set_days(&p->payout_due, &p->n_payout_due, "payout_due_days", key, v, line, err);
    } else if (key.len > 16 && memcmp(key.p, "refund_due_days.", 16) == 0) {
        return set_days(&p->refund_due, &p->n_refund_due, "refund_due_days", key, v, line, err);
    } else if (key.len > 15 && memcmp(key.p, "payout_channel.", 15) == 0) {
        return set_text(&p->payout_channel, &p->n_payout_channel, "payout_channel", key, v, line,
                        err);
    } else if (key.len > 20 && memcmp(key.p, "payout_order_prefix.", 20) == 0) {
        return set_text(&p->order_prefix, &p->n_order_prefix, "payout_order_prefix", key, v, line,
                        err);
    } else if (str_is(key, "reconcile_tolerance_minor")) {
        int64_t minor;
        if (fmt_int_parse(v.p, v.len, &minor) != FMT_NUM_OK || minor < 0 || minor > 1000000000)
            return bad_value(err, "reconcile_tolerance_minor", v,
                             "is not a whole number of minor units (cents), 0 or more");
        p->reconcile_tolerance_minor = minor;
    } else {
        if (err)
            err->field = NULL;
        return ENG_FAIL(err, ENG_REFUSED,
                        "unknown policy key \"%.*s\"; known keys: allocation, max_error_rate, "
                        "return_window_days, restocking_fee_pct, warehouse_order, route.*, "
                        "route_mode, channel_warehouses.*, split, max_split, reserve.*, cap.*, "
                        "reserve_release, cutoff, cutoff_offset, shortage_rule, "
                        "min_fill_line_pct, min_fill_order_pct, payout_due_days.*, "
                        "refund_due_days.*, reconcile_tolerance_minor, payout_channel.*, "
                        "payout_order_prefix.*",
                        (int)(key.len > 40 ? 40 : key.len), key.p);
    }
    return ENG_OK;
}

/* The shortage rules' contradictions, once every key is read (their order in the file
 * does not matter). */
static eng_rc check_shortage(const fmt_policy *p, uint64_t shortage_line,
                             const uint64_t fill_lines[2], eng_err *err)
{
    int partial = p->allocation == FMT_ALLOC_PARTIAL;
    if (p->shortage == FMT_SHORTAGE_PROPORTIONAL) {
        const char *why = NULL;
        if (!partial)
            why = "shortage_rule = proportional gives each line a share of a short warehouse, "
                  "so orders ship in part; it needs allocation = partial (the default is "
                  "ship_complete), or use shortage_rule = rank";
        else if (p->split != FMT_SPLIT_LINE)
            why = "shortage_rule = proportional shares each warehouse among lines, while "
                  "split = fewest or single ships whole orders from chosen warehouses; use "
                  "split = line (max_split still applies) or shortage_rule = rank";
        if (why) {
            if (err) {
                err->line = shortage_line;
                err->field = "shortage_rule";
            }
            return ENG_FAIL(err, ENG_REFUSED, "%s", why);
        }
    }
    /* the first minimum above 0 in the file is the one named */
    int which = -1;
    if (p->min_fill_line_bp > 0)
        which = 0;
    if (p->min_fill_order_bp > 0 && (which < 0 || fill_lines[1] < fill_lines[0]))
        which = 1;
    if (!partial && which >= 0) {
        const char *fill_key = which ? "min_fill_order_pct" : "min_fill_line_pct";
        if (err) {
            err->line = fill_lines[which];
            err->field = fill_key;
        }
        return ENG_FAIL(err, ENG_REFUSED,
                        "%s limits partial shipments, but allocation = ship_complete ships "
                        "whole orders only; set allocation = partial or remove it",
                        fill_key);
    }
    return ENG_OK;
}

eng_rc fmt_policy_parse(const char *path, const char *text, size_t len, fmt_policy *p, eng_err *err)
{
    static const char *const keys[] = {
        "allocation",         "max_error_rate",     "return_window_days",
        "restocking_fee_pct", "warehouse_order",    "cutoff",
        "cutoff_offset",      "route_mode",         "split",
        "max_split",          "reserve_release",    "shortage_rule",
        "min_fill_line_pct",  "min_fill_order_pct", "reconcile_tolerance_minor"};
    enum { N_KEYS = sizeof keys / sizeof *keys };
    int seen[N_KEYS] = {0};
    uint64_t line = 0, offset_line = 0, max_split_line = 0, shortage_line = 0;
    uint64_t fill_lines[2] = {0, 0}; /* min_fill_line_pct, min_fill_order_pct */
    size_t pos = 0;
    eng_rc rc = ENG_OK;
    if (err) {
        err->path = path;
        err->field = NULL;
    }
    while (pos < len && rc == ENG_OK) {
        line++;
        /* A line ends at LF, CRLF or a lone CR, as in the CSV inputs. */
        size_t end = pos;
        while (end < len && text[end] != '\n' && text[end] != '\r')
            end++;
        size_t next = end + (end + 1 < len && text[end] == '\r' && text[end + 1] == '\n') + 1;
        size_t stop = end, pos_line = pos;
        const char *hash = memchr(text + pos, '#', end - pos);
        if (hash)
            stop = (size_t)(hash - text);
        fmt_str body = trim(text + pos, stop - pos);
        size_t ok = fmt_utf8_clean_prefix(body.p, body.len);
        pos = next;
        if (err)
            err->line = line;
        if (ok != body.len) {
            /* A NUL cut the shown value short ("0.05\0" read as "0.05" and was refused for
             * no visible reason); say what is in the line instead. Comments are not read. */
            char why[96];
            size_t before = (size_t)(body.p - (text + pos_line));
            fmt_utf8_explain(why, sizeof why, body.p - before, before + body.len, before + ok);
            rc = ENG_FAIL(err, ENG_REFUSED, "the line %s; the policy must be UTF-8 text", why);
            break;
        }
        if (body.len == 0)
            continue;
        const char *eq = memchr(body.p, '=', body.len);
        if (!eq) {
            rc = ENG_FAIL(err, ENG_REFUSED, "expected `key = value`, found \"%.*s\"",
                          (int)(body.len > 60 ? 60 : body.len), body.p);
            break;
        }
        fmt_str key = trim(body.p, (size_t)(eq - body.p));
        fmt_str value = trim(eq + 1, body.len - (size_t)(eq - body.p) - 1);
        for (int k = 0; k < N_KEYS; k++) {
            if (str_is(key, keys[k]) && seen[k]++) {
                if (err)
                    err->field = keys[k];
                rc = ENG_FAIL(err, ENG_REFUSED, "key given twice; keep one line");
            }
        }
        if (rc == ENG_OK)
            rc = set_key(p, key, value, line, err);
        if (rc == ENG_OK && str_is(key, "warehouse_order"))
            p->warehouse_order_line = line;
        if (rc == ENG_OK && str_is(key, "cutoff_offset"))
            offset_line = line;
        if (rc == ENG_OK && str_is(key, "max_split"))
            max_split_line = line;
        if (rc == ENG_OK && str_is(key, "shortage_rule"))
            shortage_line = line;
        if (rc == ENG_OK && str_is(key, "min_fill_line_pct"))
            fill_lines[0] = line;
        if (rc == ENG_OK && str_is(key, "min_fill_order_pct"))
            fill_lines[1] = line;
    }
    if (rc == ENG_OK)
        rc = check_shortage(p, shortage_line, fill_lines, err);
    if (rc == ENG_OK && p->cutoff_offset_set && p->cutoff_min < 0) {
        if (err) {
            err->line = offset_line;
            err->field = "cutoff_offset";
        }
        rc = ENG_FAIL(err, ENG_REFUSED,
                      "cutoff_offset is given without cutoff; add cutoff = HH:MM "
                      "or remove it");
    }
    if (rc == ENG_OK && p->split == FMT_SPLIT_SINGLE && p->max_split > 1) {
        if (err) {
            err->line = max_split_line;
            err->field = "max_split";
        }
        rc = ENG_FAIL(err, ENG_REFUSED,
                      "max_split = %u contradicts split = single, which ships each order from "
                      "one warehouse; remove max_split or use split = fewest",
                      (unsigned)p->max_split);
    }
    if (rc != ENG_OK)
        fmt_policy_release(p);
    return rc;
}

eng_rc fmt_policy_load(const char *path, fmt_policy *p, fmt_input_info *info, eng_err *err)
{
    fmt_buf text;
    fmt_buf_init(&text);
    eng_rc rc = fmt_source_slurp(path, 1u << 20, "policy", &text, info, err);
    if (rc == ENG_OK)
        rc = fmt_policy_parse(path, text.p ? text.p : "", text.len, p, err);
    fmt_buf_release(&text);
    return rc;
}
