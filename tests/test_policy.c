/* Tests of formats/policy: defaults, each key, comments, and every refusal with its line
 * and key, each limit on both sides. */
#include "../formats/policy.h"
#include "testutil.h"

/* Parse text over defaults into *p; returns the result, err filled. */
static eng_rc parse(const char *text, fmt_policy *p, eng_err *err)
{
    fmt_policy_defaults(p);
    memset(err, 0, sizeof *err);
    return fmt_policy_parse("policy.conf", text, strlen(text), p, err);
}

static void assert_defaults(const fmt_policy *p)
{
    cr_assert_eq(p->allocation, FMT_ALLOC_SHIP_COMPLETE);
    cr_assert_eq(p->max_error_rate_ppm, 50000);
    cr_assert_eq(p->return_window_days, 30);
    cr_assert_eq(p->restocking_fee_pct.mant, 0);
    cr_assert_eq(p->n_warehouse_order, 0);
    cr_assert_null(p->warehouse_order);
    cr_assert_eq(p->cutoff_min, -1);
    cr_assert_eq(p->cutoff_offset_min, 0);
    cr_assert_eq(p->cutoff_offset_set, 0);
    cr_assert_eq(p->n_routes, 0);
    cr_assert_null(p->routes);
    cr_assert_eq(p->n_channels, 0);
    cr_assert_eq(p->route_only, 0);
    cr_assert_eq(p->split, FMT_SPLIT_LINE);
    cr_assert_eq(p->split_set, 0);
    cr_assert_eq(p->max_split, 0);
    cr_assert_eq(p->n_reserves, 0);
    cr_assert_null(p->reserves);
    cr_assert_eq(p->n_caps, 0);
    cr_assert_null(p->caps);
    cr_assert_eq(p->second_pass, 0);
    cr_assert_eq(p->reserve_release_set, 0);
    cr_assert_eq(fmt_policy_sources_per_order(p), 0);
}

/* text must be refused on `line`, naming `field` (NULL for none); p back to defaults. */
static void assert_refused(const char *text, uint64_t line, const char *field)
{
    fmt_policy p;
    eng_err err;
    cr_assert_eq(parse(text, &p, &err), ENG_REFUSED, "accepted: %s", text);
    cr_assert_eq(err.line, line, "refused on line %llu, want %llu: %s",
                 (unsigned long long)err.line, (unsigned long long)line, text);
    cr_assert_str_eq(err.path, "policy.conf");
    if (field)
        cr_assert(err.field && strcmp(err.field, field) == 0, "field %s, want %s",
                  err.field ? err.field : "(none)", field);
    cr_assert_neq(err.msg[0], '\0');
    assert_defaults(&p);
    fmt_policy_release(&p);
}

static fmt_policy accept(const char *text)
{
    fmt_policy p;
    eng_err err;
    cr_assert_eq(parse(text, &p, &err), ENG_OK, "refused line %llu: %s",
                 (unsigned long long)err.line, err.msg);
    return p;
}

Test(policy, defaults_match_spec)
{
    fmt_policy p;
    fmt_policy_defaults(&p);
    assert_defaults(&p);
    cr_assert_str_eq(fmt_policy_allocation_name(p.allocation), "ship_complete");
}

Test(policy, empty_text_keeps_defaults)
{
    fmt_policy p = accept("");
    assert_defaults(&p);
    fmt_policy_release(&p);
}

Test(policy, every_key_is_parsed)
{
    fmt_policy p = accept("allocation = partial\n"
                          "max_error_rate = 0.1\n"
                          "return_window_days = 14\n"
                          "restocking_fee_pct = 12.5\n"
                          "warehouse_order = EAST,WEST\n");
    cr_assert_eq(p.allocation, FMT_ALLOC_PARTIAL);
    cr_assert_str_eq(fmt_policy_allocation_name(p.allocation), "partial");
    cr_assert_eq(p.max_error_rate_ppm, 100000);
    cr_assert_eq(p.return_window_days, 14);
    cr_assert_eq(p.restocking_fee_pct.mant, 125);
    cr_assert_eq(p.restocking_fee_pct.frac, 1);
    cr_assert_eq(p.n_warehouse_order, 2);
    cr_assert_str_eq(p.warehouse_order[0], "EAST");
    cr_assert_str_eq(p.warehouse_order[1], "WEST");
    fmt_policy_release(&p);
    assert_defaults(&p);
}

Test(policy, allocation_ship_complete_is_accepted)
{
    fmt_policy p = accept("allocation=ship_complete");
    cr_assert_eq(p.allocation, FMT_ALLOC_SHIP_COMPLETE);
    fmt_policy_release(&p);
}

Test(policy, comments_blank_lines_and_spaces_are_ignored)
{
    fmt_policy p = accept("# nightly policy\n"
                          "\n"
                          "   \t\n"
                          "  allocation   =   partial   # ship what we can\n"
                          "#return_window_days = 1\n");
    cr_assert_eq(p.allocation, FMT_ALLOC_PARTIAL);
    cr_assert_eq(p.return_window_days, 30);
    fmt_policy_release(&p);
}

/* Regression (review of 2026-11-27): lines were split on LF only, so in a CR-only file
 * a first-line comment hid every key and the policy silently stayed at its defaults. */
Test(policy, lone_cr_line_ends_are_accepted)
{
    fmt_policy p = accept("# c\rallocation = partial\rwarehouse_order = MAIN\r");
    cr_assert_eq(p.allocation, FMT_ALLOC_PARTIAL);
    cr_assert_eq(p.n_warehouse_order, 1);
    cr_assert_str_eq(p.warehouse_order[0], "MAIN");
    fmt_policy_release(&p);
}

Test(policy, lone_cr_lines_are_counted_in_errors)
{
    fmt_policy p;
    eng_err err;
    cr_assert_eq(parse("allocation = partial\r\rcolour = blue\r", &p, &err), ENG_REFUSED);
    cr_assert_eq(err.line, 3);
}

Test(policy, crlf_line_ends_are_accepted)
{
    fmt_policy p = accept("allocation = partial\r\nreturn_window_days = 7\r\n");
    cr_assert_eq(p.allocation, FMT_ALLOC_PARTIAL);
    cr_assert_eq(p.return_window_days, 7);
    fmt_policy_release(&p);
}

Test(policy, last_line_without_newline_is_read)
{
    fmt_policy p = accept("# x\nreturn_window_days = 45");
    cr_assert_eq(p.return_window_days, 45);
    fmt_policy_release(&p);
}

Test(policy, unknown_key_is_refused_with_its_line)
{
    assert_refused("allocation = partial\n\n# c\nfoo = 1\n", 4, NULL);
}

Test(policy, unknown_key_message_names_it)
{
    fmt_policy p;
    eng_err err;
    cr_assert_eq(parse("colour = blue\n", &p, &err), ENG_REFUSED);
    cr_assert_not_null(strstr(err.msg, "colour"), "message: %s", err.msg);
    fmt_policy_release(&p);
}

Test(policy, duplicate_key_is_refused_on_its_second_line)
{
    assert_refused("allocation = partial\nmax_error_rate = 0.1\nallocation = partial\n", 3,
                   "allocation");
}

Test(policy, line_without_equals_is_refused)
{
    assert_refused("allocation = partial\nship it\n", 2, NULL);
}

Test(policy, bad_allocation_is_refused)
{
    assert_refused("allocation = fast\n", 1, "allocation");
    assert_refused("allocation =\n", 1, "allocation");
}

Test(policy, max_error_rate_one_is_accepted)
{
    fmt_policy p = accept("max_error_rate = 1");
    cr_assert_eq(p.max_error_rate_ppm, 1000000);
    fmt_policy_release(&p);
}

Test(policy, max_error_rate_zero_is_accepted)
{
    fmt_policy p = accept("max_error_rate = 0");
    cr_assert_eq(p.max_error_rate_ppm, 0);
    fmt_policy_release(&p);
}

Test(policy, max_error_rate_above_one_is_refused)
{
    assert_refused("max_error_rate = 1.5\n", 1, "max_error_rate");
    assert_refused("max_error_rate = 1.000001\n", 1, "max_error_rate");
}

Test(policy, max_error_rate_that_is_not_a_share_is_refused)
{
    assert_refused("max_error_rate = -0.1\n", 1, "max_error_rate");
    assert_refused("max_error_rate = 5%\n", 1, "max_error_rate");
    assert_refused("max_error_rate = 0.0000001\n", 1, "max_error_rate");
}

Test(policy, return_window_zero_is_accepted)
{
    fmt_policy p = accept("return_window_days = 0");
    cr_assert_eq(p.return_window_days, 0);
    fmt_policy_release(&p);
}

Test(policy, return_window_minus_one_is_refused)
{
    assert_refused("return_window_days = -1\n", 1, "return_window_days");
}

Test(policy, return_window_fraction_is_refused)
{
    assert_refused("return_window_days = 7.5\n", 1, "return_window_days");
}

Test(policy, restocking_fee_100_is_accepted)
{
    fmt_policy p = accept("restocking_fee_pct = 100");
    cr_assert_eq(p.restocking_fee_pct.mant, 100);
    cr_assert_eq(p.restocking_fee_pct.frac, 0);
    fmt_policy_release(&p);
}

Test(policy, restocking_fee_above_100_is_refused)
{
    assert_refused("restocking_fee_pct = 101\n", 1, "restocking_fee_pct");
    assert_refused("restocking_fee_pct = 100.01\n", 1, "restocking_fee_pct");
}

Test(policy, restocking_fee_negative_is_refused)
{
    assert_refused("restocking_fee_pct = -5\n", 1, "restocking_fee_pct");
}

Test(policy, warehouse_order_names_are_trimmed)
{
    fmt_policy p = accept("warehouse_order =  EAST ,  WEST,NORTH\t\n");
    cr_assert_eq(p.n_warehouse_order, 3);
    cr_assert_str_eq(p.warehouse_order[0], "EAST");
    cr_assert_str_eq(p.warehouse_order[1], "WEST");
    cr_assert_str_eq(p.warehouse_order[2], "NORTH");
    fmt_policy_release(&p);
}

Test(policy, warehouse_order_single_name)
{
    fmt_policy p = accept("warehouse_order = MAIN");
    cr_assert_eq(p.n_warehouse_order, 1);
    cr_assert_str_eq(p.warehouse_order[0], "MAIN");
    fmt_policy_release(&p);
}

Test(policy, empty_warehouse_order_is_allowed)
{
    fmt_policy p = accept("warehouse_order =\n");
    cr_assert_eq(p.n_warehouse_order, 0);
    fmt_policy_release(&p);
}

Test(policy, warehouse_order_with_empty_name_is_refused)
{
    assert_refused("warehouse_order = A,,B\n", 1, "warehouse_order");
    assert_refused("warehouse_order = A,\n", 1, "warehouse_order");
    assert_refused("warehouse_order = ,A\n", 1, "warehouse_order");
}

/* Regression (issue 5, fuzzing, 2026-11-27): fuzz_policy found "warehouse_order=\0"
 * accepted, a one-byte name that is "" as a C string; "A\0x,A\0y" passed as two names that
 * both read "A". Such names are refused, as are names that are not valid UTF-8 (they are
 * written to manifest.json). Seed: tests/fuzz/corpus/policy/regress-nul-warehouse. */
static void assert_refused_bytes(const char *text, size_t len, uint64_t line)
{
    fmt_policy p;
    eng_err err;
    fmt_policy_defaults(&p);
    memset(&err, 0, sizeof err);
    cr_assert_eq(fmt_policy_parse("policy.conf", text, len, &p, &err), ENG_REFUSED);
    cr_assert_eq(err.line, line);
    /* The line is refused before its key is read: a policy must be UTF-8 text. */
    cr_assert(strstr(err.msg, "the policy must be UTF-8 text"), "message: %s", err.msg);
    assert_defaults(&p);
    fmt_policy_release(&p);
}

Test(policy, warehouse_name_with_nul_byte_is_refused)
{
    assert_refused_bytes("warehouse_order=\0", 17, 1);
    assert_refused_bytes("# c\nwarehouse_order = A\0x, A\0y\n", 31, 2);
}

Test(policy, warehouse_name_with_invalid_utf8_is_refused)
{
    const char *text = "warehouse_order = MAIN,\xff\n";
    assert_refused_bytes(text, strlen(text), 1);
}

Test(policy, warehouse_name_in_utf8_is_accepted)
{
    fmt_policy p = accept("warehouse_order = Lager S\xc3\xbc"
                          "d,MAIN\n");
    cr_assert_eq(p.n_warehouse_order, 2);
    cr_assert_str_eq(p.warehouse_order[0], "Lager S\xc3\xbc"
                                           "d");
    fmt_policy_release(&p);
}

Test(policy, warehouse_order_naming_a_warehouse_twice_is_refused)
{
    assert_refused("warehouse_order = A,B,A\n", 1, "warehouse_order");
}

Test(policy, refusal_after_warehouse_order_frees_it_and_restores_defaults)
{
    /* assert_refused checks the defaults; ASan checks nothing leaks. */
    assert_refused("warehouse_order = A,B\nallocation = fast\n", 2, "allocation");
}

TestSuite(policy_file, .init = tu_dir_new, .fini = tu_dir_remove);

Test(policy_file, load_reads_a_file)
{
    char path[512];
    const char *text = "allocation = partial\nwarehouse_order = W1, W2\n";
    tu_write(tu_path(path, sizeof path, "policy.conf"), text, strlen(text));
    fmt_policy p;
    fmt_policy_defaults(&p);
    eng_err err = {0};
    cr_assert_eq(fmt_policy_load(path, &p, NULL, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(p.allocation, FMT_ALLOC_PARTIAL);
    cr_assert_eq(p.n_warehouse_order, 2);
    cr_assert_str_eq(p.warehouse_order[1], "W2");
    fmt_policy_release(&p);
}

/* Regression (issue 12, 2026-12-06): the policy was read once to parse and again to hash,
 * so manifest.json could describe another file than the one applied. The bytes and hash
 * now come from the one read: here of a BOM-led policy without a final line end, whose
 * hash covers the BOM (the file's own bytes), and whose unended last line is reported. */
Test(policy_file, load_describes_exactly_the_bytes_it_parsed)
{
    char path[512];
    const char *text = "\xEF\xBB\xBF# cut\r\nallocation = partial\rmax_error_rate = 0.1";
    tu_write(tu_path(path, sizeof path, "policy.conf"), text, strlen(text));
    fmt_policy p;
    fmt_policy_defaults(&p);
    eng_err err = {0};
    fmt_input_info info;
    memset(&info, 0, sizeof info);
    cr_assert_eq(fmt_policy_load(path, &p, &info, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(p.allocation, FMT_ALLOC_PARTIAL);
    cr_assert_eq(p.max_error_rate_ppm, 100000);
    char want[65];
    tu_sha256_hex(text, strlen(text), want);
    cr_assert_eq(info.bytes, strlen(text));
    cr_assert_str_eq(info.sha256, want);
    cr_assert_eq(info.unended_line, 3, "CRLF and a lone CR each end one line");
    fmt_policy_release(&p);
}

Test(policy_file, load_reports_no_unended_line_after_a_final_line_end)
{
    char path[512];
    const char *text = "allocation = partial\n";
    tu_write(tu_path(path, sizeof path, "policy.conf"), text, strlen(text));
    fmt_policy p;
    fmt_policy_defaults(&p);
    eng_err err = {0};
    fmt_input_info info;
    memset(&info, 0xff, sizeof info);
    cr_assert_eq(fmt_policy_load(path, &p, &info, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(info.unended_line, 0);
    cr_assert_eq(info.bytes, strlen(text));
    fmt_policy_release(&p);
}

Test(policy_file, load_refuses_missing_file)
{
    char path[512];
    fmt_policy p;
    fmt_policy_defaults(&p);
    eng_err err = {0};
    cr_assert_eq(fmt_policy_load(tu_path(path, sizeof path, "none.conf"), &p, NULL, &err),
                 ENG_REFUSED);
    assert_defaults(&p);
}

Test(policy_file, load_reports_line_of_bad_key)
{
    char path[512];
    const char *text = "\xEF\xBB\xBF# policy\nallocation = partial\nbogus = 1\n";
    tu_write(tu_path(path, sizeof path, "policy.conf"), text, strlen(text));
    fmt_policy p;
    fmt_policy_defaults(&p);
    eng_err err = {0};
    cr_assert_eq(fmt_policy_load(path, &p, NULL, &err), ENG_REFUSED);
    cr_assert_eq(err.line, 3);
    cr_assert_str_eq(err.path, path);
    assert_defaults(&p);
}

/* ---- bytes that are not text (issue 5, hostile input, 2026-11-27) ---- */

Test(policy, nul_after_a_value_is_refused_saying_so)
{
    static const char text[] = "allocation = partial\nmax_error_rate = 0.05\0\n";
    fmt_policy p;
    eng_err err;
    fmt_policy_defaults(&p);
    memset(&err, 0, sizeof err);
    cr_assert_eq(fmt_policy_parse("policy.conf", text, sizeof text - 1, &p, &err), ENG_REFUSED);
    cr_assert_eq(err.line, 2);
    cr_assert(strstr(err.msg, "holds a NUL byte at position 22") != NULL, "%s", err.msg);
    assert_defaults(&p);
}

Test(policy, latin1_value_is_refused_latin1_comment_is_not_read)
{
    assert_refused("warehouse_order = MAIN, S\xFC"
                   "D\n",
                   1, NULL);
    fmt_policy p = accept("allocation = partial # S\xFC"
                          "d\n");
    cr_assert_eq(p.allocation, FMT_ALLOC_PARTIAL);
    fmt_policy_release(&p);
}

/* ---- cutoff (issue 14) ---- */

Test(policy, no_cutoff_by_default)
{
    fmt_policy p = accept("allocation = partial\n");
    cr_assert_eq(p.cutoff_min, -1);
    cr_assert_eq(p.cutoff_offset_set, 0);
    cr_assert_eq(fmt_policy_cutoff_ns(&p, 20784), INT64_MAX);
    fmt_policy_release(&p);
}

Test(policy, cutoff_and_offset_give_an_instant_on_the_run_date)
{
    fmt_policy p = accept("cutoff = 14:00\ncutoff_offset = +01:00\n");
    cr_assert_eq(p.cutoff_min, 14 * 60);
    cr_assert_eq(p.cutoff_offset_min, 60);
    cr_assert_eq(p.cutoff_offset_set, 1);
    /* 2026-11-27 is day 20784; 14:00 at UTC+1 is 13:00 UTC. */
    int64_t want = (INT64_C(20784) * 86400 + 13 * 3600) * INT64_C(1000000000);
    cr_assert_eq(fmt_policy_cutoff_ns(&p, 20784), want);
    fmt_policy_release(&p);
    p = accept("cutoff = 00:00\ncutoff_offset = -05:30\n");
    cr_assert_eq(fmt_policy_cutoff_ns(&p, 20784),
                 (INT64_C(20784) * 86400 + 5 * 3600 + 30 * 60) * INT64_C(1000000000));
    fmt_policy_release(&p);
    p = accept("cutoff = 23:59\n");
    cr_assert_eq(p.cutoff_offset_min, 0);
    cr_assert_eq(p.cutoff_offset_set, 0);
    fmt_policy_release(&p);
}

Test(policy, cutoff_formats_back_as_written)
{
    char b[8];
    fmt_policy_format_hhmm(b, 14 * 60 + 5, 0);
    cr_assert_str_eq(b, "14:05");
    fmt_policy_format_hhmm(b, -(5 * 60 + 30), 1);
    cr_assert_str_eq(b, "-05:30");
    fmt_policy_format_hhmm(b, 0, 1);
    cr_assert_str_eq(b, "+00:00");
}

Test(policy, refuses_bad_cutoffs)
{
    assert_refused("cutoff = 24:00\n", 1, "cutoff");
    assert_refused("cutoff = 9:00\n", 1, "cutoff");
    assert_refused("cutoff = 12:60\n", 1, "cutoff");
    assert_refused("cutoff = noon\n", 1, "cutoff");
    assert_refused("cutoff = 12:00\ncutoff_offset = 01:00\n", 2, "cutoff_offset"); /* no sign */
    assert_refused("cutoff = 12:00\ncutoff_offset = +14:30\n", 2, "cutoff_offset");
    assert_refused("cutoff = 12:00\ncutoff = 13:00\n", 2, "cutoff");
    /* An offset alone would do nothing: refused, naming its line. */
    assert_refused("# zone\ncutoff_offset = +02:00\n", 2, "cutoff_offset");
    fmt_policy p = accept("cutoff = 12:00\ncutoff_offset = +14:00\n");
    cr_assert_eq(p.cutoff_offset_min, 14 * 60);
    fmt_policy_release(&p);
    p = accept("cutoff = 12:00\ncutoff_offset = -14:00\n");
    cr_assert_eq(p.cutoff_offset_min, -14 * 60);
    fmt_policy_release(&p);
}

/* ---- routes and channel warehouses (issue 14) ---- */

Test(policy, route_keys_are_parsed_folded_and_kept_in_order)
{
    fmt_policy p = accept("route.de = BER\n"
                          "route.US-ca = NJ, BER\n"
                          "route.GB: sw1 a = LON\n"
                          "route.default =\n"
                          "route_mode = only\n"
                          "channel_warehouses.amazon = NJ, LON\n"
                          "channel_warehouses.\"my.shop\" = BER\n"
                          "channel_warehouses.default = BER, NJ\n");
    cr_assert_eq(p.n_routes, 4);
    cr_assert_eq(p.routes[0].kind, FMT_ROUTE_COUNTRY);
    cr_assert_str_eq(p.routes[0].country, "DE");
    cr_assert_str_eq(p.routes[0].key, "route.de");
    cr_assert_eq(p.routes[0].line, 1);
    cr_assert_eq(p.routes[1].kind, FMT_ROUTE_REGION);
    cr_assert_str_eq(p.routes[1].country, "US");
    cr_assert_str_eq(p.routes[1].match, "CA");
    cr_assert_eq(p.routes[1].n_names, 2);
    cr_assert_str_eq(p.routes[1].names[1], "BER");
    cr_assert_eq(p.routes[2].kind, FMT_ROUTE_POSTAL);
    cr_assert_str_eq(p.routes[2].match, "SW1A", "postal prefixes lose their blanks");
    cr_assert_eq(p.routes[3].kind, FMT_ROUTE_DEFAULT);
    cr_assert_eq(p.routes[3].n_names, 0, "an empty list is allowed");
    cr_assert_eq(p.route_only, 1);
    cr_assert_eq(p.route_mode_set, 1);
    cr_assert_eq(p.n_channels, 3);
    cr_assert_str_eq(p.channels[0].match, "amazon");
    cr_assert_eq(p.channels[0].kind, 0);
    cr_assert_str_eq(p.channels[1].match, "my.shop");
    cr_assert_eq(p.channels[2].kind, 1);
    fmt_policy_release(&p);
    p = accept("route.default = A\n");
    cr_assert_eq(p.route_only, 0, "prefer by default");
    cr_assert_eq(p.route_mode_set, 0);
    fmt_policy_release(&p);
}

Test(policy, refuses_bad_route_and_channel_keys)
{
    assert_refused("route.D = A\n", 1, "route");
    assert_refused("route.DEU = A\n", 1, "route");
    assert_refused("route.1A = A\n", 1, "route");
    assert_refused("route.DE- = A\n", 1, "route");
    assert_refused("route.DE: = A\n", 1, "route");
    assert_refused("route.DE = A, A\n", 1, "route");
    assert_refused("route.DE = A\nroute.de = B\n", 2, "route");          /* the same place */
    assert_refused("route.GB:SW1 = A\nroute.gb:sw 1 = B\n", 2, "route"); /* blanks dropped */
    assert_refused("route_mode = strict\n", 1, "route_mode");
    assert_refused("route_mode = only\nroute_mode = prefer\n", 2, "route_mode");
    assert_refused("channel_warehouses.my.shop = A\n", 1, "channel_warehouses");
    assert_refused("channel_warehouses.my shop = A\n", 1, "channel_warehouses");
    assert_refused("channel_warehouses.\"my shop = A\n", 1, "channel_warehouses");
    assert_refused("channel_warehouses.shop = A\nchannel_warehouses.shop = B\n", 2,
                   "channel_warehouses");
    /* A quoted "default" is a channel of that name, not the default list. */
    fmt_policy p = accept("channel_warehouses.\"default\" = A\nchannel_warehouses.default = B\n");
    cr_assert_eq(p.channels[0].kind, 0);
    cr_assert_eq(p.channels[1].kind, 1);
    fmt_policy_release(&p);
}

/* ---- split and max_split (issue 14) ---- */

Test(policy, split_modes_and_their_caps)
{
    fmt_policy p = accept("split = fewest\nmax_split = 2\n");
    cr_assert_eq(p.split, FMT_SPLIT_FEWEST);
    cr_assert_eq(p.split_set, 1);
    cr_assert_eq(p.max_split, 2);
    cr_assert_eq(fmt_policy_split_cap(&p, 4), 2);
    cr_assert_eq(fmt_policy_split_cap(&p, 1), 1, "never more than the order's list");
    cr_assert(fmt_policy_sources_per_order(&p));
    cr_assert_str_eq(fmt_policy_split_name(p.split), "fewest");
    fmt_policy_release(&p);
    p = accept("split = single\nmax_split = 1\n");
    cr_assert_eq(fmt_policy_split_cap(&p, 4), 1);
    cr_assert_str_eq(fmt_policy_split_name(p.split), "single");
    fmt_policy_release(&p);
    p = accept("split = line\n");
    cr_assert_eq(p.split_set, 1, "recorded in the manifest though it is the default");
    cr_assert_eq(fmt_policy_split_cap(&p, 4), 4);
    cr_assert_eq(fmt_policy_sources_per_order(&p), 0, "line without a cap is today's walk");
    fmt_policy_release(&p);
    p = accept("max_split = 1000000\n");
    cr_assert(fmt_policy_sources_per_order(&p));
    fmt_policy_release(&p);
}

Test(policy, refuses_bad_split_keys)
{
    assert_refused("split = all\n", 1, "split");
    assert_refused("split = fewest\nsplit = line\n", 2, "split");
    assert_refused("max_split = 0\n", 1, "max_split");
    assert_refused("max_split = 1000001\n", 1, "max_split");
    assert_refused("max_split = two\n", 1, "max_split");
    assert_refused("max_split = 2\nmax_split = 3\n", 2, "max_split");
    assert_refused("max_split = 2\n\nsplit = single\n", 1, "max_split"); /* contradicts */
}

/* ---- reserve.* and cap.* (issue 14) ---- */

Test(policy, reserves_and_caps_keep_channel_sku_and_amount)
{
    fmt_policy p = accept("reserve.shop.* = 2\n"
                          "reserve.\"b2b.eu\".MUG.XL = 12.5%\n"
                          "reserve.shop.MUG = 0%\n"
                          "cap.amazon.* = 40%\n"
                          "cap.amazon.TENT = 3\n");
    cr_assert_eq(p.n_reserves, 3);
    cr_assert_str_eq(p.reserves[0].channel, "shop");
    cr_assert_null(p.reserves[0].sku, "* is every SKU");
    cr_assert_eq(p.reserves[0].pct, 0);
    cr_assert_eq(p.reserves[0].amount, 2);
    cr_assert_str_eq(p.reserves[1].channel, "b2b.eu");
    cr_assert_str_eq(p.reserves[1].sku, "MUG.XL", "the rest after the channel, dots and all");
    cr_assert_eq(p.reserves[1].pct, 1);
    cr_assert_eq(p.reserves[1].amount, 1250);
    cr_assert_eq(p.reserves[1].line, 2);
    cr_assert_eq(p.n_caps, 2);
    cr_assert_str_eq(p.caps[1].sku, "TENT");
    cr_assert(fmt_policy_sources_per_order(&p));
    /* 12.5% of 9 is 1.125: a reserve rounds up, a cap down */
    cr_assert_eq(fmt_share_units(&p.reserves[1], 9, 1), 2);
    cr_assert_eq(fmt_share_units(&p.reserves[1], 9, 0), 1);
    cr_assert_eq(fmt_share_units(&p.reserves[1], 8, 1), 1, "exact: no rounding");
    cr_assert_eq(fmt_share_units(&p.reserves[0], 1, 1), 2, "units do not depend on the stock");
    cr_assert_eq(fmt_share_units(&p.caps[0], INT64_MAX, 0), INT64_MAX / 10000 * 4000 +
                                                               INT64_MAX % 10000 * 4000 / 10000);
    fmt_policy_release(&p);
}

Test(policy, refuses_bad_reserve_and_cap_keys)
{
    assert_refused("reserve.shop = 2\n", 1, "reserve");         /* no SKU */
    assert_refused("reserve.shop. = 2\n", 1, "reserve");        /* empty SKU */
    assert_refused("reserve..MUG = 2\n", 1, "reserve");         /* empty channel */
    assert_refused("reserve.my shop.MUG = 2\n", 1, "reserve");  /* blank unquoted */
    assert_refused("reserve.\"shop.MUG = 2\n", 1, "reserve");   /* unclosed quote */
    assert_refused("reserve.\"shop\"MUG = 2\n", 1, "reserve");  /* no dot after the quote */
    assert_refused("reserve.shop.MUG = -1\n", 1, "reserve");
    assert_refused("reserve.shop.MUG = 1.5\n", 1, "reserve");   /* units are whole */
    assert_refused("reserve.shop.MUG = 100.01%\n", 1, "reserve");
    assert_refused("reserve.shop.MUG = 12.345%\n", 1, "reserve"); /* two decimals at most */
    assert_refused("reserve.shop.MUG = %\n", 1, "reserve");
    assert_refused("cap.amazon.* = 1\ncap.amazon.* = 2\n", 2, "cap");
    assert_refused("reserve.\"shop\".MUG = 1\nreserve.shop.MUG = 2\n", 2, "reserve");
    fmt_policy p = accept("reserve.shop.MUG = 1\ncap.shop.MUG = 1\n"); /* a reserve and a cap */
    fmt_policy_release(&p);
}

Test(policy, reserve_release_keep_or_second_pass)
{
    fmt_policy p = accept("reserve_release = second_pass\n");
    cr_assert_eq(p.second_pass, 1);
    cr_assert_eq(p.reserve_release_set, 1);
    fmt_policy_release(&p);
    p = accept("reserve_release = keep\n");
    cr_assert_eq(p.second_pass, 0);
    cr_assert_eq(p.reserve_release_set, 1);
    fmt_policy_release(&p);
    assert_refused("reserve_release = later\n", 1, "reserve_release");
    assert_refused("reserve_release = keep\nreserve_release = keep\n", 2, "reserve_release");
}

/* ---- shortage_rule and min_fill_*_pct (issue 14) ---- */

Test(policy, shortage_rule_and_minima)
{
    fmt_policy p = accept("allocation = partial\nshortage_rule = proportional\n"
                          "min_fill_line_pct = 12.5\nmin_fill_order_pct = 50%\n");
    cr_assert_eq(p.shortage, FMT_SHORTAGE_PROPORTIONAL);
    cr_assert_eq(p.shortage_set, 1);
    cr_assert_eq(p.min_fill_line_bp, 1250);
    cr_assert_eq(p.min_fill_order_bp, 5000);
    cr_assert(fmt_policy_sources_per_order(&p));
    fmt_policy_release(&p);
    p = accept("shortage_rule = rank\nmin_fill_line_pct = 0\n");
    cr_assert_eq(p.shortage, FMT_SHORTAGE_RANK);
    cr_assert_eq(p.shortage_set, 1, "recorded in the manifest though it is the default");
    cr_assert_eq(p.min_fill_line_bp, 0);
    cr_assert_eq(p.min_fill_order_bp, -1, "not given");
    cr_assert_eq(fmt_policy_sources_per_order(&p), 0, "rank and a 0% minimum are today's walk");
    fmt_policy_release(&p);
}

Test(policy, below_fill_compares_exact_fractions)
{
    /* 1 of 3 is 33.333...%: below 33.34%, not below 33.33% */
    cr_assert(fmt_policy_below_fill(1, 3, 3334));
    cr_assert_not(fmt_policy_below_fill(1, 3, 3333));
    cr_assert_not(fmt_policy_below_fill(1, 2, 5000), "exactly the minimum is not below it");
    cr_assert(fmt_policy_below_fill(1, 2, 5001));
    cr_assert_not(fmt_policy_below_fill(0, 2, 5000), "nothing shipped waits anyway");
    cr_assert_not(fmt_policy_below_fill(1, 2, 0));
    cr_assert_not(fmt_policy_below_fill(1, 2, -1), "not given");
    cr_assert(fmt_policy_below_fill(INT64_MAX / 2, INT64_MAX, 10000), "no overflow");
}

Test(policy, refuses_contradicting_shortage_keys)
{
    assert_refused("shortage_rule = fair\n", 1, "shortage_rule");
    assert_refused("shortage_rule = proportional\n", 1, "shortage_rule"); /* ship_complete */
    assert_refused("shortage_rule = proportional\n\nallocation = partial\nsplit = fewest\n", 1,
                   "shortage_rule");
    assert_refused("min_fill_order_pct = 10\n", 1, "min_fill_order_pct"); /* ship_complete */
    assert_refused("min_fill_line_pct = 0\nmin_fill_order_pct = 50\n", 2,
                   "min_fill_order_pct"); /* 0% holds nothing back: the other one is named */
    assert_refused("allocation = partial\nmin_fill_line_pct = 100.5\n", 2, "min_fill_line_pct");
    assert_refused("allocation = partial\nmin_fill_line_pct = 1.234\n", 2, "min_fill_line_pct");
    assert_refused("allocation = partial\nmin_fill_line_pct = half\n", 2, "min_fill_line_pct");
    assert_refused("allocation = partial\nmin_fill_line_pct = 1\nmin_fill_line_pct = 2\n", 3,
                   "min_fill_line_pct");
    fmt_policy p = accept("min_fill_line_pct = 0\n"); /* a 0% minimum holds nothing back */
    fmt_policy_release(&p);
    p = accept("allocation = partial\nreserve.shop.* = 1\ncap.amazon.* = 50%\n"
               "shortage_rule = proportional\n"); /* reserves and caps share in proportion */
    cr_assert_eq(p.n_reserves, 1);
    fmt_policy_release(&p);
}
