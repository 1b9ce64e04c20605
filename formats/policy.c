/* Policy file reader. Values are validated here, where the file and line are known, so
 * the engine receives only sensible values. */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
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

void fmt_policy_release(fmt_policy *p)
{
    for (size_t i = 0; i < p->n_warehouse_order; i++)
        free(p->warehouse_order[i]);
    free(p->warehouse_order);
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

static eng_rc set_warehouses(fmt_policy *p, fmt_str v, eng_err *err)
{
    size_t start = 0;
    while (start <= v.len) {
        const char *comma = memchr(v.p + start, ',', v.len - start);
        size_t end = comma ? (size_t)(comma - v.p) : v.len;
        fmt_str name = trim(v.p + start, end - start);
        if (name.len == 0) {
            if (v.len == 0)
                return ENG_OK; /* an empty list: byte order of names */
            return bad_value(err, "warehouse_order", v, "has an empty warehouse name");
        }
        /* Names are kept as C strings, compared with the inventory's and written to
         * manifest.json: a NUL byte would cut one short (fuzz_policy found
         * "warehouse_order=\0" accepted as an empty name) and invalid UTF-8 would make
         * the manifest invalid. The inventory refuses both as well. */
        if (memchr(name.p, '\0', name.len) || fmt_utf8_valid_prefix(name.p, name.len) != name.len)
            return bad_value(err, "warehouse_order", v,
                             "has a warehouse name with a NUL byte or invalid UTF-8");
        for (size_t i = 0; i < p->n_warehouse_order; i++)
            if (strlen(p->warehouse_order[i]) == name.len &&
                memcmp(p->warehouse_order[i], name.p, name.len) == 0)
                return bad_value(err, "warehouse_order", v, "names a warehouse twice");
        char **grown = realloc(p->warehouse_order, (p->n_warehouse_order + 1) * sizeof *grown);
        char *copy = grown ? malloc(name.len + 1) : NULL;
        if (grown)
            p->warehouse_order = grown;
        if (!copy)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the policy");
        memcpy(copy, name.p, name.len);
        copy[name.len] = '\0';
        p->warehouse_order[p->n_warehouse_order++] = copy;
        start = end + 1;
    }
    return ENG_OK;
}

static eng_rc set_key(fmt_policy *p, fmt_str key, fmt_str v, eng_err *err)
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
    } else {
        if (err)
            err->field = NULL;
        return ENG_FAIL(err, ENG_REFUSED,
                        "unknown policy key \"%.*s\"; known keys: allocation, max_error_rate, "
                        "return_window_days, restocking_fee_pct, warehouse_order, cutoff, "
                        "cutoff_offset",
                        (int)(key.len > 40 ? 40 : key.len), key.p);
    }
    return ENG_OK;
}

eng_rc fmt_policy_parse(const char *path, const char *text, size_t len, fmt_policy *p, eng_err *err)
{
    static const char *const keys[] = {
        "allocation",      "max_error_rate", "return_window_days", "restocking_fee_pct",
        "warehouse_order", "cutoff",         "cutoff_offset"};
    enum { N_KEYS = sizeof keys / sizeof *keys };
    int seen[N_KEYS] = {0};
    uint64_t line = 0, offset_line = 0;
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
            rc = set_key(p, key, value, err);
        if (rc == ENG_OK && str_is(key, "warehouse_order"))
            p->warehouse_order_line = line;
        if (rc == ENG_OK && str_is(key, "cutoff_offset"))
            offset_line = line;
    }
    if (rc == ENG_OK && p->cutoff_offset_set && p->cutoff_min < 0) {
        if (err) {
            err->line = offset_line;
            err->field = "cutoff_offset";
        }
        rc = ENG_FAIL(err, ENG_REFUSED,
                      "cutoff_offset is given without cutoff; add cutoff = HH:MM "
                      "or remove it");
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
