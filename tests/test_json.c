/* Tests of formats/json: exact output text (two-space indent, one member per line, keys
 * in the order written) and RFC 8259 string escapes; and the reader (slipway verify's
 * manifest.json and summary.json, --history's check of a run's manifest): the values
 * slipway writes, escapes and \u sequences, numbers kept as text, and each kind of
 * malformed text refused with a reason and an offset. */
#include "../formats/json.h"
#include "testutil.h"

static void assert_text(const fmt_buf *b, const char *want)
{
    cr_assert(b->len == strlen(want) && memcmp(b->p, want, b->len) == 0, "wrote:\n%.*s\nwant:\n%s",
              (int)b->len, b->p ? b->p : "", want);
}

static void assert_escaped(const char *s, size_t len, const char *want)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_json_put_escaped(&b, s, len);
    assert_text(&b, want);
    fmt_buf_release(&b);
}

Test(json, flat_object_one_member_per_line)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_json j;
    fmt_json_init(&j, &b);
    fmt_json_object_begin(&j, NULL);
    fmt_json_str(&j, "version", "1.0");
    fmt_json_u64(&j, "orders", 42);
    fmt_json_bool(&j, "ok", 1);
    fmt_json_object_end(&j);
    fmt_json_finish(&j);
    assert_text(&b, "{\n"
                    "  \"version\": \"1.0\",\n"
                    "  \"orders\": 42,\n"
                    "  \"ok\": true\n"
                    "}\n");
    fmt_buf_release(&b);
}

Test(json, nested_objects_and_arrays)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_json j;
    fmt_json_init(&j, &b);
    fmt_json_object_begin(&j, NULL);
    fmt_json_str(&j, "run_date", "2026-11-27");
    fmt_json_object_begin(&j, "amounts");
    fmt_json_str(&j, "EUR", "1234.50");
    fmt_json_object_begin(&j, "deep");
    fmt_json_null(&j, "none");
    fmt_json_object_end(&j);
    fmt_json_object_end(&j);
    fmt_json_array_begin(&j, "inputs");
    fmt_json_object_begin(&j, NULL);
    fmt_json_str(&j, "path", "orders.csv");
    fmt_json_u64(&j, "bytes", 10);
    fmt_json_object_end(&j);
    fmt_json_array_begin(&j, NULL);
    fmt_json_i64(&j, NULL, -1);
    fmt_json_bool(&j, NULL, 0);
    fmt_json_array_end(&j);
    fmt_json_array_end(&j);
    fmt_json_number_text(&j, "rate", "12.5");
    fmt_json_object_end(&j);
    fmt_json_finish(&j);
    assert_text(&b, "{\n"
                    "  \"run_date\": \"2026-11-27\",\n"
                    "  \"amounts\": {\n"
                    "    \"EUR\": \"1234.50\",\n"
                    "    \"deep\": {\n"
                    "      \"none\": null\n"
                    "    }\n"
                    "  },\n"
                    "  \"inputs\": [\n"
                    "    {\n"
                    "      \"path\": \"orders.csv\",\n"
                    "      \"bytes\": 10\n"
                    "    },\n"
                    "    [\n"
                    "      -1,\n"
                    "      false\n"
                    "    ]\n"
                    "  ],\n"
                    "  \"rate\": 12.5\n"
                    "}\n");
    fmt_buf_release(&b);
}

Test(json, empty_object_and_array_stay_on_one_line)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_json j;
    fmt_json_init(&j, &b);
    fmt_json_object_begin(&j, NULL);
    fmt_json_object_begin(&j, "o");
    fmt_json_object_end(&j);
    fmt_json_array_begin(&j, "a");
    fmt_json_array_end(&j);
    fmt_json_object_end(&j);
    fmt_json_finish(&j);
    assert_text(&b, "{\n  \"o\": {},\n  \"a\": []\n}\n");
    fmt_buf_release(&b);
}

Test(json, top_level_empty_object)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_json j;
    fmt_json_init(&j, &b);
    fmt_json_object_begin(&j, NULL);
    fmt_json_object_end(&j);
    fmt_json_finish(&j);
    assert_text(&b, "{}\n");
    fmt_buf_release(&b);
}

Test(json, integer_limits)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_json j;
    fmt_json_init(&j, &b);
    fmt_json_array_begin(&j, NULL);
    fmt_json_u64(&j, NULL, UINT64_MAX);
    fmt_json_i64(&j, NULL, INT64_MIN);
    fmt_json_u64(&j, NULL, 0);
    fmt_json_array_end(&j);
    fmt_json_finish(&j);
    assert_text(&b, "[\n  18446744073709551615,\n  -9223372036854775808,\n  0\n]\n");
    fmt_buf_release(&b);
}

Test(json, keys_are_escaped_too)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_json j;
    fmt_json_init(&j, &b);
    fmt_json_object_begin(&j, NULL);
    fmt_json_u64(&j, "a\"b", 1);
    fmt_json_object_end(&j);
    fmt_json_finish(&j);
    assert_text(&b, "{\n  \"a\\\"b\": 1\n}\n");
    fmt_buf_release(&b);
}

Test(json, fifteen_levels_of_nesting)
{
    /* FMT_JSON_MAX_DEPTH is 16 counters: the top level and 15 open containers. */
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_json j;
    fmt_json_init(&j, &b);
    for (int i = 0; i < FMT_JSON_MAX_DEPTH - 1; i++)
        fmt_json_array_begin(&j, NULL);
    fmt_json_u64(&j, NULL, 7);
    for (int i = 0; i < FMT_JSON_MAX_DEPTH - 1; i++)
        fmt_json_array_end(&j);
    cr_assert_eq(j.depth, 0);
    size_t open = 0, close = 0;
    for (size_t i = 0; i < b.len; i++) {
        open += b.p[i] == '[';
        close += b.p[i] == ']';
    }
    cr_assert_eq(open, 15);
    cr_assert_eq(close, 15);
    /* The 7 sits at depth 15: 30 spaces of indent. */
    cr_assert_not_null(strstr(b.p, "\n                              7\n"));
    fmt_buf_release(&b);
}

Test(json, escapes_quote_and_backslash)
{
    assert_escaped("say \"hi\"", 8, "\"say \\\"hi\\\"\"");
    assert_escaped("C:\\dir", 6, "\"C:\\\\dir\"");
}

Test(json, escapes_newline_cr_and_tab)
{
    assert_escaped("a\nb\rc\td", 7, "\"a\\nb\\rc\\td\"");
}

Test(json, escapes_other_control_characters_as_u00xx)
{
    assert_escaped("\x01", 1, "\"\\u0001\"");
    assert_escaped("\x1f", 1, "\"\\u001f\"");
    assert_escaped("\b\f", 2, "\"\\u0008\\u000c\"");
}

Test(json, escapes_nul_inside_counted_string)
{
    assert_escaped("a\0b", 3, "\"a\\u0000b\"");
}

Test(json, leaves_space_del_and_utf8_unescaped)
{
    assert_escaped(" ", 1, "\" \"");
    assert_escaped("\x7f", 1, "\"\x7f\"");
    assert_escaped("caf\xC3\xA9 \xE2\x82\xAC", 9, "\"caf\xC3\xA9 \xE2\x82\xAC\"");
}

Test(json, empty_string)
{
    assert_escaped("", 0, "\"\"");
}

Test(json, strn_writes_only_len_bytes)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_json j;
    fmt_json_init(&j, &b);
    fmt_json_strn(&j, NULL, "abcdef", 3);
    fmt_json_finish(&j);
    assert_text(&b, "\"abc\"\n");
    fmt_buf_release(&b);
}

/* ---- reading ---- */

static fmt_json_value *parse_ok(const char *text)
{
    fmt_json_value *v = NULL;
    char why[160];
    cr_assert_eq(fmt_json_parse(text, strlen(text), &v, why, sizeof why), 0, "%s: %s", text, why);
    return v;
}

static void parse_bad(const char *text, const char *reason)
{
    fmt_json_value *v = NULL;
    char why[160];
    cr_assert_eq(fmt_json_parse(text, strlen(text), &v, why, sizeof why), -1, "%s", text);
    cr_assert_null(v);
    cr_assert(strstr(why, reason) != NULL, "%s: '%s' lacks '%s'", text, why, reason);
    cr_assert(strstr(why, "at byte") != NULL, "%s", why);
}

Test(json_read, reads_a_manifest_shaped_object)
{
    fmt_json_value *v = parse_ok("{\n  \"version\": \"0.1.0\",\n  \"inputs\": [\n    {\"role\": "
                                 "\"catalog\", \"bytes\": 3103, \"sha256\": \"ab\"}\n  ]\n}\n");
    cr_assert_eq(fmt_json_kind(v), FMT_JSON_T_OBJECT);
    cr_assert_str_eq(fmt_json_member_str(v, "version"), "0.1.0");
    const fmt_json_value *ins = fmt_json_member(v, "inputs");
    cr_assert_eq(fmt_json_kind(ins), FMT_JSON_T_ARRAY);
    cr_assert_eq(fmt_json_count(ins), 1);
    const fmt_json_value *in = fmt_json_item(ins, 0);
    cr_assert_str_eq(fmt_json_member_str(in, "role"), "catalog");
    cr_assert_str_eq(fmt_json_value_text(fmt_json_member(in, "bytes")), "3103");
    cr_assert_null(fmt_json_member_str(in, "bytes"), "a number is not a string");
    cr_assert_null(fmt_json_member(in, "path"));
    cr_assert_null(fmt_json_item(ins, 1));
    fmt_json_value_free(v);
}

Test(json_read, keeps_numbers_as_written)
{
    fmt_json_value *v = parse_ok("[0, -12, 12.50, 1e3, 9223372036854775808]");
    cr_assert_eq(fmt_json_count(v), 5);
    cr_assert_str_eq(fmt_json_value_text(fmt_json_item(v, 2)), "12.50");
    cr_assert_str_eq(fmt_json_value_text(fmt_json_item(v, 4)), "9223372036854775808");
    fmt_json_value_free(v);
}

Test(json_read, decodes_escapes_and_surrogate_pairs)
{
    fmt_json_value *v = parse_ok("\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\"");
    cr_assert_str_eq(fmt_json_value_text(v), "a\"b\\c/d\n\xc3\xa9\xf0\x9f\x98\x80");
    fmt_json_value_free(v);
}

Test(json_read, reads_literals_and_empty_containers)
{
    fmt_json_value *v =
        parse_ok(" {\"a\": true, \"b\": false, \"c\": null, \"d\": [], \"e\": {}} ");
    cr_assert_eq(fmt_json_kind(fmt_json_member(v, "a")), FMT_JSON_T_BOOL);
    cr_assert_eq(fmt_json_kind(fmt_json_member(v, "c")), FMT_JSON_T_NULL);
    cr_assert_eq(fmt_json_count(fmt_json_member(v, "d")), 0);
    cr_assert_eq(fmt_json_kind(fmt_json_member(v, "e")), FMT_JSON_T_OBJECT);
    cr_assert_null(fmt_json_value_text(fmt_json_member(v, "a")));
    fmt_json_value_free(v);
}

Test(json_read, first_of_a_repeated_key_wins)
{
    fmt_json_value *v = parse_ok("{\"k\": \"first\", \"k\": \"second\"}");
    cr_assert_str_eq(fmt_json_member_str(v, "k"), "first");
    fmt_json_value_free(v);
}

Test(json_read, refuses_malformed_text)
{
    parse_bad("", "unexpected end");
    parse_bad("{\"a\": 1", "expected ',' or '}'");
    parse_bad("{\"a\" 1}", "expected ':'");
    parse_bad("{a: 1}", "expected a member name");
    parse_bad("[1, 2] x", "text after the JSON value");
    parse_bad("\"abc", "string never closed");
    parse_bad("\"a\x01\"", "control character");
    parse_bad("\"\\q\"", "unknown escape");
    parse_bad("\"\\ud83d\"", "lone surrogate");
    parse_bad("\"\\u12G4\"", "bad \\u escape");
    parse_bad("01", "leading zero");
    parse_bad("1.", "bad number");
    parse_bad("-", "bad number");
    parse_bad("nul", "unexpected character");
}

Test(json_read, limits_nesting_depth)
{
    char deep[200], ok[200];
    memset(deep, '[', 70);
    memset(deep + 70, ']', 70);
    deep[140] = '\0';
    parse_bad(deep, "nested deeper than 64");
    memset(ok, '[', 64);
    memset(ok + 64, ']', 64);
    ok[128] = '\0';
    fmt_json_value_free(parse_ok(ok));
}

Test(json_read, lookups_on_wrong_types_are_empty)
{
    fmt_json_value *v = parse_ok("\"text\"");
    cr_assert_null(fmt_json_member(v, "a"));
    cr_assert_eq(fmt_json_count(v), 0);
    cr_assert_null(fmt_json_item(v, 0));
    cr_assert_eq(fmt_json_kind(NULL), FMT_JSON_T_NULL);
    fmt_json_value_free(v);
    fmt_json_value_free(NULL);
}
