/* libFuzzer harness: the policy file.
 *
 * The input is a policy file. It is parsed from memory (fmt_policy_parse) and read from a
 * scratch file (fmt_policy_load, which also goes through fmt_source: BOM, zstd), and the
 * two must agree. Checks the contract of policy.h: on success every value is in its
 * documented range and warehouse names are distinct, non-empty and trimmed; on refusal
 * the error has a message and a line, and the policy is back to its defaults. */
#include "../../formats/policy.h"
#include "fuzz_util.h"

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_policy: %s\n", what);
    abort();
}

static void check_ok(const fmt_policy *p)
{
    if (p->allocation != FMT_ALLOC_SHIP_COMPLETE && p->allocation != FMT_ALLOC_PARTIAL)
        fail("allocation out of range");
    if (p->max_error_rate_ppm < 0 || p->max_error_rate_ppm > 1000000)
        fail("max_error_rate out of 0..1");
    if (p->return_window_days < 0 || p->return_window_days > 36500)
        fail("return_window_days out of range");
    fmt_dec zero = {0, 0}, hundred = {100, 0};
    if (fmt_dec_cmp(p->restocking_fee_pct, zero) < 0 ||
        fmt_dec_cmp(p->restocking_fee_pct, hundred) > 0)
        fail("restocking_fee_pct out of 0..100");
    if (p->cutoff_min < -1 || p->cutoff_min > 23 * 60 + 59)
        fail("cutoff out of -1 (none) and 00:00..23:59");
    if (p->cutoff_offset_min < -14 * 60 || p->cutoff_offset_min > 14 * 60)
        fail("cutoff_offset out of -14:00..+14:00");
    if (p->cutoff_offset_set && p->cutoff_min < 0)
        fail("cutoff_offset accepted without cutoff");
    if (p->split != FMT_SPLIT_LINE && p->split != FMT_SPLIT_FEWEST && p->split != FMT_SPLIT_SINGLE)
        fail("split out of range");
    if (p->max_split > 1000000 || (p->split == FMT_SPLIT_SINGLE && p->max_split > 1))
        fail("max_split out of range or contradicting split = single");
    if (p->shortage != FMT_SHORTAGE_RANK && p->shortage != FMT_SHORTAGE_PROPORTIONAL)
        fail("shortage_rule out of range");
    if (p->shortage == FMT_SHORTAGE_PROPORTIONAL &&
        (p->allocation != FMT_ALLOC_PARTIAL || p->split != FMT_SPLIT_LINE))
        fail("proportional shares accepted with ship_complete or split sets");
    if (p->min_fill_line_bp < -1 || p->min_fill_line_bp > 10000 || p->min_fill_order_bp < -1 ||
        p->min_fill_order_bp > 10000)
        fail("a min_fill out of -1 (none) and 0..100%");
    if ((p->min_fill_line_bp > 0 || p->min_fill_order_bp > 0) &&
        p->allocation != FMT_ALLOC_PARTIAL)
        fail("a min_fill accepted with ship_complete");
    for (size_t i = 0; i < p->n_routes; i++) {
        const fmt_wh_rule *r = &p->routes[i];
        if (r->kind != FMT_ROUTE_DEFAULT && strlen(r->country) != 2)
            fail("a route without a two-letter country");
        if ((r->kind == FMT_ROUTE_REGION || r->kind == FMT_ROUTE_POSTAL) && !r->match[0])
            fail("a region or postal route with nothing to match");
        for (size_t k = 0; k < i; k++)
            if (p->routes[k].kind == r->kind && !strcmp(p->routes[k].country, r->country) &&
                !strcmp(p->routes[k].match, r->match))
                fail("two routes for one place");
    }
    for (int kind = 0; kind < 2; kind++) {
        const fmt_share_rule *r = kind ? p->caps : p->reserves;
        size_t n = kind ? p->n_caps : p->n_reserves;
        for (size_t i = 0; i < n; i++) {
            if (!r[i].channel[0] || (r[i].sku && !r[i].sku[0]))
                fail("a reserve or cap without a channel or SKU");
            if (r[i].amount < 0 || (r[i].pct && r[i].amount > 10000))
                fail("a reserve or cap out of range");
        }
    }
    for (size_t i = 0; i < p->n_warehouse_order; i++) {
        const char *w = p->warehouse_order[i];
        size_t n = strlen(w);
        if (n == 0 || w[0] == ' ' || w[0] == '\t' || w[n - 1] == ' ' || w[n - 1] == '\t' ||
            strchr(w, ','))
            fail("warehouse name empty, untrimmed or holding a comma");
        for (size_t k = 0; k < i; k++)
            if (strcmp(w, p->warehouse_order[k]) == 0)
                fail("warehouse named twice");
    }
}

static void check_defaults(const fmt_policy *p)
{
    fmt_policy d;
    fmt_policy_defaults(&d);
    if (p->allocation != d.allocation || p->max_error_rate_ppm != d.max_error_rate_ppm ||
        p->return_window_days != d.return_window_days ||
        fmt_dec_cmp(p->restocking_fee_pct, d.restocking_fee_pct) != 0 ||
        p->n_warehouse_order != 0 || p->warehouse_order != NULL || p->cutoff_min != d.cutoff_min ||
        p->cutoff_offset_min != d.cutoff_offset_min ||
        p->cutoff_offset_set != d.cutoff_offset_set || p->n_routes || p->routes || p->n_channels ||
        p->channels || p->route_only || p->route_mode_set || p->split != d.split ||
        p->split_set || p->max_split || p->n_reserves || p->reserves || p->n_caps || p->caps ||
        p->second_pass || p->reserve_release_set || p->shortage != d.shortage ||
        p->shortage_set || p->min_fill_line_bp != d.min_fill_line_bp ||
        p->min_fill_order_bp != d.min_fill_order_bp)
        fail("a refused policy kept non-default values");
}

static int same_rules(const fmt_wh_rule *a, const fmt_wh_rule *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i].kind != b[i].kind || strcmp(a[i].key, b[i].key) != 0 ||
            strcmp(a[i].country, b[i].country) != 0 || strcmp(a[i].match, b[i].match) != 0 ||
            a[i].n_names != b[i].n_names || a[i].line != b[i].line)
            return 0;
        for (size_t k = 0; k < a[i].n_names; k++)
            if (strcmp(a[i].names[k], b[i].names[k]) != 0)
                return 0;
    }
    return 1;
}

static int same(const fmt_policy *a, const fmt_policy *b)
{
    if (a->n_routes != b->n_routes || a->n_channels != b->n_channels ||
        a->route_only != b->route_only || a->route_mode_set != b->route_mode_set ||
        !same_rules(a->routes, b->routes, a->n_routes) ||
        !same_rules(a->channels, b->channels, a->n_channels))
        return 0;
    if (a->allocation != b->allocation || a->max_error_rate_ppm != b->max_error_rate_ppm ||
        a->return_window_days != b->return_window_days ||
        fmt_dec_cmp(a->restocking_fee_pct, b->restocking_fee_pct) != 0 ||
        a->n_warehouse_order != b->n_warehouse_order || a->cutoff_min != b->cutoff_min ||
        a->cutoff_offset_min != b->cutoff_offset_min ||
        a->cutoff_offset_set != b->cutoff_offset_set || a->shortage != b->shortage ||
        a->min_fill_line_bp != b->min_fill_line_bp || a->min_fill_order_bp != b->min_fill_order_bp)
        return 0;
    for (size_t i = 0; i < a->n_warehouse_order; i++)
        if (strcmp(a->warehouse_order[i], b->warehouse_order[i]) != 0)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    fmt_policy mem, file;
    fmt_policy_defaults(&mem);
    fmt_policy_defaults(&file);
    eng_err err_mem, err_file;
    memset(&err_mem, 0, sizeof err_mem);
    memset(&err_file, 0, sizeof err_file);
    eng_rc rc_mem = fmt_policy_parse("policy.conf", text, size, &mem, &err_mem);
    if (rc_mem == ENG_OK)
        check_ok(&mem);
    else if (rc_mem != ENG_REFUSED || err_mem.msg[0] == '\0' || err_mem.line == 0)
        fail("refusal without a message or line");
    else
        check_defaults(&mem);

    /* The same bytes from a file. A leading BOM is dropped and zstd is decompressed
     * there, so only plain text without a BOM must give the same answer. */
    char path[600];
    fz_write(fz_path(path, sizeof path, "policy.conf"), data, size);
    eng_rc rc_file = fmt_policy_load(path, &file, NULL, &err_file);
    int plain = !(size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) &&
                !(size >= 4 && memcmp(text, "\x28\xB5\x2F\xFD", 4) == 0);
    if (plain && size <= (1u << 20)) {
        if (rc_file != rc_mem || (rc_mem == ENG_OK && !same(&mem, &file)))
            fail("fmt_policy_load and fmt_policy_parse disagree");
        if (rc_mem != ENG_OK && err_file.line != err_mem.line)
            fail("fmt_policy_load and fmt_policy_parse name different lines");
    }
    fmt_policy_release(&mem);
    fmt_policy_release(&file);
    (void)unlink(path);
    return 0;
}
