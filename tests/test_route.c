/* Tests of engine/allocate/route: which warehouses an order may ship from, by the most
 * specific route key that matches its ship-to (postal prefix, region, country, default),
 * route_mode, and its channel's list; ship-to values folded as the keys are. */
#include "../engine/allocate/route.h"
#include "../engine/core/arena.h"
#include "../engine/setup/catalog.h"
#include "../engine/setup/inventory.h"
#include "../formats/policy.h"
#include "testutil.h"

static char cat_path[512], inv_path[512];
static eng_catalog *cat;
static eng_inventory *inv;
static fmt_policy pol;
static eng_routes *routes;
static eng_arena *mem;

static void setup(void)
{
    tu_dir_new();
    tu_path(cat_path, sizeof cat_path, "catalog.csv");
    tu_path(inv_path, sizeof inv_path, "inventory.csv");
    const char *c = "sku,name,status,list_price,min_price,currency\nMUG,Mug,active,5.00,4.00,EUR\n";
    tu_write(cat_path, c, strlen(c));
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(eng_catalog_load(cat_path, &cat, &err), ENG_OK, "%s", err.msg);
    fmt_policy_defaults(&pol);
    mem = eng_arena_new(4096);
    cr_assert_not_null(mem);
}

static void teardown(void)
{
    eng_routes_free(routes);
    eng_inventory_free(inv);
    eng_catalog_free(cat);
    fmt_policy_release(&pol);
    eng_arena_free(mem);
    tu_dir_remove();
}

TestSuite(route, .init = setup, .fini = teardown);

/* Warehouses BER, NJ, LON (ranks 0, 1, 2 by warehouse_order) under the policy text. */
static void load(const char *policy)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(fmt_policy_parse("policy.conf", policy, strlen(policy), &pol, &err), ENG_OK, "%s",
                 err.msg);
    const char *i = "sku,warehouse,on_hand\nMUG,BER,1\nMUG,NJ,1\nMUG,LON,1\n";
    tu_write(inv_path, i, strlen(i));
    cr_assert_eq(eng_inventory_load(inv_path, cat, &pol, &inv, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(eng_routes_new(&pol, inv, &routes, &err), ENG_OK, "%s", err.msg);
}

/* The head of an order shipping to country/region/postal on channel. */
static const eng_head *head(const char *channel, const char *country, const char *region,
                            const char *postal)
{
    eng_text t[ENG_HT_COUNT];
    for (int k = 0; k < ENG_HT_COUNT; k++)
        t[k] = (eng_text){"", 0};
    t[ENG_HT_CHANNEL] = (eng_text){channel, (uint32_t)strlen(channel)};
    t[ENG_HT_SHIP_COUNTRY] = (eng_text){country, (uint32_t)strlen(country)};
    t[ENG_HT_SHIP_REGION] = (eng_text){region, (uint32_t)strlen(region)};
    t[ENG_HT_SHIP_POSTAL] = (eng_text){postal, (uint32_t)strlen(postal)};
    eng_head_values v;
    memset(&v, 0, sizeof v);
    const eng_head *h = eng_head_new(mem, &v, t, NULL);
    cr_assert_not_null(h);
    return h;
}

/* The order's warehouses as names joined by commas. */
static const char *list(const eng_head *h, const char **key)
{
    static char out[128];
    uint32_t ranks[8];
    const fmt_wh_rule *rule;
    size_t n = eng_routes_of(routes, h, ranks, &rule);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strcat(out, i ? "," : "");
        strcat(out, eng_inventory_warehouse(inv, ranks[i]));
    }
    *key = rule ? rule->key : "-";
    return out;
}

Test(route, no_route_keys_means_no_routes)
{
    load("warehouse_order = BER, NJ, LON\n");
    cr_assert_null(routes);
}

Test(route, the_most_specific_key_wins_and_values_fold)
{
    load("warehouse_order = BER, NJ, LON\n"
         "route.default = BER\nroute.US = NJ\nroute.US-CA = LON, NJ\n"
         "route.GB = LON\nroute.GB:SW = NJ\nroute.GB:SW1A = BER\n");
    const char *key;
    /* prefer: the route's list, then the others in warehouse order */
    cr_assert_str_eq(list(head("shop", "DE", "", "10115"), &key), "BER,NJ,LON");
    cr_assert_str_eq(key, "route.default");
    cr_assert_str_eq(list(head("shop", " us ", "NY", "12207"), &key), "NJ,BER,LON");
    cr_assert_str_eq(key, "route.US");
    cr_assert_str_eq(list(head("shop", "US", "ca", "93701"), &key), "LON,NJ,BER");
    cr_assert_str_eq(key, "route.US-CA");
    cr_assert_str_eq(list(head("shop", "GB", "", "sw1a 2aa"), &key), "BER,NJ,LON");
    cr_assert_str_eq(key, "route.GB:SW1A", "the longest prefix");
    cr_assert_str_eq(list(head("shop", "GB", "", "SW9 9AA"), &key), "NJ,BER,LON");
    cr_assert_str_eq(key, "route.GB:SW");
    cr_assert_str_eq(list(head("shop", "GB", "", "M1 1AE"), &key), "LON,BER,NJ");
    /* A region key of another country does not match: CA is not a US region here. */
    cr_assert_str_eq(list(head("shop", "CA", "CA", ""), &key), "BER,NJ,LON");
    cr_assert_str_eq(key, "route.default");
}

Test(route, only_keeps_the_list_and_channels_filter_it)
{
    load("warehouse_order = BER, NJ, LON\nroute_mode = only\n"
         "route.US = NJ, BER\nchannel_warehouses.amazon = LON, NJ\n"
         "channel_warehouses.\"b2b.eu\" = BER\n");
    const char *key;
    cr_assert_str_eq(list(head("shop", "US", "", ""), &key), "NJ,BER");
    cr_assert_str_eq(list(head("amazon", "US", "", ""), &key), "NJ", "the route's order kept");
    cr_assert_str_eq(list(head("b2b.eu", "US", "", ""), &key), "BER");
    /* No route matches and no default: every warehouse, filtered by the channel. */
    cr_assert_str_eq(list(head("amazon", "DE", "", ""), &key), "NJ,LON");
    cr_assert_str_eq(key, "-");
    cr_assert_str_eq(list(head("shop", "DE", "", ""), &key), "BER,NJ,LON");
}

Test(route, an_empty_list_under_only_allows_nothing)
{
    load("warehouse_order = BER, NJ, LON\nroute_mode = only\nroute.FR =\n"
         "channel_warehouses.default = NJ\n");
    const char *key;
    cr_assert_str_eq(list(head("shop", "FR", "", ""), &key), "");
    cr_assert_str_eq(list(head("shop", "DE", "", ""), &key), "NJ", "the default channel list");
    uint32_t ranks[8];
    size_t n = eng_routes_of(routes, head("shop", "DE", "", ""), ranks, NULL);
    cr_assert_eq(eng_routes_first_slot(routes, 0, ranks, n), 1, "MUG's slot at NJ");
    n = eng_routes_of(routes, head("shop", "FR", "", ""), ranks, NULL);
    cr_assert_eq(eng_routes_first_slot(routes, 0, ranks, n), -1);
}

/* Values of any length compare: a 154-byte postal code that starts with a prefix key
 * matches it (the engine once folded into a 128-byte buffer and verify into 256, and the
 * two disagreed). */
Test(route, long_ship_to_values_still_match)
{
    load("warehouse_order = BER, NJ, LON\nroute_mode = only\nroute.GB = BER\n"
         "route.GB:SW1 = LON\nroute.GB-LONDON = NJ\n");
    char postal[160], region[300];
    memset(postal, 'X', sizeof postal - 1);
    postal[sizeof postal - 1] = '\0';
    memcpy(postal, "sw1a ", 5);
    const char *key;
    cr_assert_str_eq(list(head("shop", "GB", "", postal), &key), "LON");
    /* Blanks do not count in a postal code, however many. */
    memset(postal, ' ', sizeof postal - 1);
    memcpy(postal + 140, "SW1", 3);
    cr_assert_str_eq(list(head("shop", "GB", "", postal), &key), "LON");
    memset(region, ' ', sizeof region - 1);
    region[sizeof region - 1] = '\0';
    memcpy(region + 290, "london", 6);
    cr_assert_str_eq(list(head("shop", "GB", region, ""), &key), "NJ", "trimmed");
    cr_assert_str_eq(key, "route.GB-LONDON");
}
