/* Tests of engine/verify/vjson, the JSON reader slipway verify uses for manifest.json and
 * summary.json: the values slipway writes, escapes and \u sequences, numbers kept as
 * text, and each kind of malformed text refused with a reason and an offset. */
#include "../engine/verify/vjson.h"
#include "testutil.h"

static eng_vjson *parse_ok(const char *text)
{
    eng_vjson *v = NULL;
    char why[160];
    cr_assert_eq(eng_vjson_parse(text, strlen(text), &v, why, sizeof why), 0, "%s: %s", text, why);
    return v;
}

static void parse_bad(const char *text, const char *reason)
{
    eng_vjson *v = NULL;
    char why[160];
    cr_assert_eq(eng_vjson_parse(text, strlen(text), &v, why, sizeof why), -1, "%s", text);
    cr_assert_null(v);
    cr_assert(strstr(why, reason) != NULL, "%s: '%s' lacks '%s'", text, why, reason);
    cr_assert(strstr(why, "at byte") != NULL, "%s", why);
}

Test(vjson, reads_a_manifest_shaped_object)
{
    eng_vjson *v = parse_ok("{\n  \"version\": \"0.1.0\",\n  \"inputs\": [\n    {\"role\": "
                            "\"catalog\", \"bytes\": 3103, \"sha256\": \"ab\"}\n  ]\n}\n");
    cr_assert_eq(eng_vjson_kind(v), ENG_VJSON_OBJECT);
    cr_assert_str_eq(eng_vjson_get_str(v, "version"), "0.1.0");
    const eng_vjson *ins = eng_vjson_get(v, "inputs");
    cr_assert_eq(eng_vjson_kind(ins), ENG_VJSON_ARRAY);
    cr_assert_eq(eng_vjson_len(ins), 1);
    const eng_vjson *in = eng_vjson_at(ins, 0);
    cr_assert_str_eq(eng_vjson_get_str(in, "role"), "catalog");
    cr_assert_str_eq(eng_vjson_text(eng_vjson_get(in, "bytes")), "3103");
    cr_assert_null(eng_vjson_get_str(in, "bytes"), "a number is not a string");
    cr_assert_null(eng_vjson_get(in, "path"));
    cr_assert_null(eng_vjson_at(ins, 1));
    eng_vjson_free(v);
}

Test(vjson, keeps_numbers_as_written)
{
    eng_vjson *v = parse_ok("[0, -12, 12.50, 1e3, 9223372036854775808]");
    cr_assert_eq(eng_vjson_len(v), 5);
    cr_assert_str_eq(eng_vjson_text(eng_vjson_at(v, 2)), "12.50");
    cr_assert_str_eq(eng_vjson_text(eng_vjson_at(v, 4)), "9223372036854775808");
    eng_vjson_free(v);
}

Test(vjson, decodes_escapes_and_surrogate_pairs)
{
    eng_vjson *v = parse_ok("\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\"");
    cr_assert_str_eq(eng_vjson_text(v), "a\"b\\c/d\n\xc3\xa9\xf0\x9f\x98\x80");
    eng_vjson_free(v);
}

Test(vjson, reads_literals_and_empty_containers)
{
    eng_vjson *v = parse_ok(" {\"a\": true, \"b\": false, \"c\": null, \"d\": [], \"e\": {}} ");
    cr_assert_eq(eng_vjson_kind(eng_vjson_get(v, "a")), ENG_VJSON_BOOL);
    cr_assert_eq(eng_vjson_kind(eng_vjson_get(v, "c")), ENG_VJSON_NULL);
    cr_assert_eq(eng_vjson_len(eng_vjson_get(v, "d")), 0);
    cr_assert_eq(eng_vjson_kind(eng_vjson_get(v, "e")), ENG_VJSON_OBJECT);
    cr_assert_null(eng_vjson_text(eng_vjson_get(v, "a")));
    eng_vjson_free(v);
}

Test(vjson, first_of_a_repeated_key_wins)
{
    eng_vjson *v = parse_ok("{\"k\": \"first\", \"k\": \"second\"}");
    cr_assert_str_eq(eng_vjson_get_str(v, "k"), "first");
    eng_vjson_free(v);
}

Test(vjson, refuses_malformed_text)
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

Test(vjson, limits_nesting_depth)
{
    char deep[200], ok[200];
    memset(deep, '[', 70);
    memset(deep + 70, ']', 70);
    deep[140] = '\0';
    parse_bad(deep, "nested deeper than 64");
    memset(ok, '[', 64);
    memset(ok + 64, ']', 64);
    ok[128] = '\0';
    eng_vjson_free(parse_ok(ok));
}

Test(vjson, lookups_on_wrong_types_are_empty)
{
    eng_vjson *v = parse_ok("\"text\"");
    cr_assert_null(eng_vjson_get(v, "a"));
    cr_assert_eq(eng_vjson_len(v), 0);
    cr_assert_null(eng_vjson_at(v, 0));
    cr_assert_eq(eng_vjson_kind(NULL), ENG_VJSON_NULL);
    eng_vjson_free(v);
    eng_vjson_free(NULL);
}
