/* Tests of formats/json: exact output text (two-space indent, one member per line, keys
 * in the order written) and RFC 8259 string escapes. */
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
