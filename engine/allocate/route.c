/* The most specific route wins: the longest postal prefix of the order's country, then
 * its region, then the country, then route.default. Ship-to values compare as the keys
 * were folded (fmt_policy_folded_match): trimmed, ASCII upper case, postal codes
 * without blanks, at any length; a country given by name ("United States",
 * "Deutschland", as eBay exports it) compares as its ISO code (formats/country). */
#include "route.h"

#include <stdlib.h>
#include <string.h>

#include "../../formats/country.h"

typedef struct compiled {
    const fmt_wh_rule *rule;
    uint32_t *ranks;
    size_t n;
    size_t match_len;
} compiled;

/* Entries of the (product, warehouse) -> slot table at most: 16 MB. */
#define SLOT_TABLE_MAX (UINT32_C(1) << 22)

struct eng_routes {
    const eng_inventory *inv;
    size_t n_wh;
    /* slot of (product, warehouse rank), -1 none: n_products x n_wh, or NULL when that
     * would be too large (then the product's slots are searched) */
    int32_t *slot_at;
    size_t n_products;
    int only;
    compiled *routes;
    size_t n_routes;
    compiled *channels;
    size_t n_channels;
    const compiled *channel_default;
};

static int64_t rank_of(const eng_inventory *inv, const char *name)
{
    for (size_t r = 0; r < eng_inventory_warehouse_count(inv); r++)
        if (strcmp(eng_inventory_warehouse(inv, (uint32_t)r), name) == 0)
            return (int64_t)r;
    return -1;
}

static eng_rc compile(const fmt_wh_rule *rules, size_t n, const eng_inventory *inv, compiled **out,
                      eng_err *err)
{
    compiled *c = calloc(n ? n : 1, sizeof *c);
    if (!c)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the routes");
    *out = c;
    for (size_t i = 0; i < n; i++) {
        c[i].rule = &rules[i];
        c[i].match_len = strlen(rules[i].match);
        c[i].ranks = malloc((rules[i].n_names ? rules[i].n_names : 1) * sizeof *c[i].ranks);
        if (!c[i].ranks)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the routes");
        for (size_t k = 0; k < rules[i].n_names; k++) {
            int64_t r = rank_of(inv, rules[i].names[k]);
            /* setup/policy_refs refused a name the inventory lacks */
            if (r < 0)
                return ENG_FAIL(err, ENG_INTERNAL, "route warehouse %s unknown", rules[i].names[k]);
            c[i].ranks[c[i].n++] = (uint32_t)r;
        }
    }
    return ENG_OK;
}

static void free_compiled(compiled *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++)
        free(c[i].ranks);
    free(c);
}

void eng_routes_free(eng_routes *r)
{
    if (!r)
        return;
    free_compiled(r->routes, r->n_routes);
    free_compiled(r->channels, r->n_channels);
    free(r->slot_at);
    free(r);
}

eng_rc eng_routes_new(const fmt_policy *pol, const eng_inventory *inv, eng_routes **out,
                      eng_err *err)
{
    *out = NULL;
    if (!fmt_policy_sources_per_order(pol))
        return ENG_OK;
    eng_routes *r = calloc(1, sizeof *r);
    if (!r)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading the routes");
    r->inv = inv;
    r->n_wh = eng_inventory_warehouse_count(inv);
    r->only = pol->route_only;
    r->n_routes = pol->n_routes;
    r->n_channels = pol->n_channels;
    eng_rc rc = compile(pol->routes, pol->n_routes, inv, &r->routes, err);
    if (rc == ENG_OK)
        rc = compile(pol->channels, pol->n_channels, inv, &r->channels, err);
    if (rc != ENG_OK) {
        eng_routes_free(r);
        return rc;
    }
    for (size_t i = 0; i < r->n_channels; i++)
        if (r->channels[i].rule->kind == 1)
            r->channel_default = &r->channels[i];
    /* The walk asks "which slot of this SKU is in that warehouse" for every line and
     * warehouse it weighs: a table answers in one read. */
    size_t n_slots = eng_inventory_count(inv);
    for (uint32_t s = 0; s < n_slots; s++) {
        int32_t p = eng_inventory_slot(inv, s)->product;
        if (p >= 0 && (size_t)p + 1 > r->n_products)
            r->n_products = (size_t)p + 1;
    }
    if (r->n_products * r->n_wh <= SLOT_TABLE_MAX &&
        (r->slot_at = malloc((r->n_products * r->n_wh + 1) * sizeof *r->slot_at))) {
        memset(r->slot_at, 0xff, (r->n_products * r->n_wh + 1) * sizeof *r->slot_at);
        for (uint32_t s = 0; s < n_slots; s++) {
            const eng_slot *sl = eng_inventory_slot(inv, s);
            if (sl->product >= 0)
                r->slot_at[(size_t)sl->product * r->n_wh + sl->wh_rank] = (int32_t)s;
        }
    }
    *out = r;
    return ENG_OK;
}

static const compiled *match_route(const eng_routes *r, eng_text country, eng_text region,
                                   eng_text postal)
{
    const compiled *best[4] = {NULL, NULL, NULL, NULL}; /* by fmt_route_kind */
    char cc[3];
    (void)fmt_country_alpha2(country.p, country.len, cc); /* "United States" is US */
    for (size_t i = 0; i < r->n_routes; i++) {
        const compiled *c = &r->routes[i];
        const fmt_wh_rule *k = c->rule;
        if (k->kind == FMT_ROUTE_DEFAULT) {
            best[FMT_ROUTE_DEFAULT] = c;
            continue;
        }
        if (strcmp(cc, k->country) != 0)
            continue;
        if (k->kind == FMT_ROUTE_COUNTRY) {
            best[FMT_ROUTE_COUNTRY] = c;
        } else if (k->kind == FMT_ROUTE_REGION) {
            if (fmt_policy_folded_match(region.p, region.len, k->match, 0, 0))
                best[FMT_ROUTE_REGION] = c;
        } else if (fmt_policy_folded_match(postal.p, postal.len, k->match, 1, 1) &&
                   (!best[FMT_ROUTE_POSTAL] || c->match_len > best[FMT_ROUTE_POSTAL]->match_len)) {
            best[FMT_ROUTE_POSTAL] = c;
        }
    }
    for (int kind = FMT_ROUTE_POSTAL; kind >= FMT_ROUTE_DEFAULT; kind--)
        if (best[kind])
            return best[kind];
    return NULL;
}

static const compiled *match_channel(const eng_routes *r, eng_text ch)
{
    for (size_t i = 0; i < r->n_channels; i++) {
        const compiled *c = &r->channels[i];
        if (c->rule->kind == 0 && c->match_len == ch.len &&
            memcmp(c->rule->match, ch.p, ch.len) == 0)
            return c;
    }
    return r->channel_default;
}

static int listed(const compiled *c, uint32_t rank)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->ranks[i] == rank)
            return 1;
    return 0;
}

size_t eng_routes_of(const eng_routes *r, const eng_head *h, uint32_t *out,
                     const fmt_wh_rule **matched)
{
    eng_text none = {"", 0};
    return eng_routes_of_texts(r, h ? eng_head_text(h, ENG_HT_CHANNEL) : none,
                               h ? eng_head_text(h, ENG_HT_SHIP_COUNTRY) : none,
                               h ? eng_head_text(h, ENG_HT_SHIP_REGION) : none,
                               h ? eng_head_text(h, ENG_HT_SHIP_POSTAL) : none, out, matched);
}

size_t eng_routes_of_texts(const eng_routes *r, eng_text channel_text, eng_text country,
                           eng_text region, eng_text postal, uint32_t *out,
                           const fmt_wh_rule **matched)
{
    const compiled *route = match_route(r, country, region, postal);
    const compiled *channel = match_channel(r, channel_text);
    if (matched)
        *matched = route ? route->rule : NULL;
    size_t n = 0;
    if (route) {
        for (size_t i = 0; i < route->n; i++)
            if (!channel || listed(channel, route->ranks[i]))
                out[n++] = route->ranks[i];
        if (r->only)
            return n;
    }
    /* The others in warehouse order: all of them without a route, the rest under prefer. */
    for (uint32_t w = 0; w < r->n_wh; w++)
        if ((!route || !listed(route, w)) && (!channel || listed(channel, w)))
            out[n++] = w;
    return n;
}

int64_t eng_routes_slot(const eng_routes *r, uint32_t product, uint32_t rank)
{
    if (r->slot_at)
        return product < r->n_products ? r->slot_at[(size_t)product * r->n_wh + rank] : -1;
    size_t n_slots; /* the table would have been too large: search the product's slots */
    const uint32_t *slots = eng_inventory_product_slots(r->inv, product, &n_slots);
    for (size_t k = 0; k < n_slots; k++)
        if (eng_inventory_slot(r->inv, slots[k])->wh_rank == rank)
            return slots[k];
    return -1;
}

int64_t eng_routes_first_slot(const eng_routes *r, uint32_t product, const uint32_t *ranks,
                              size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t s = eng_routes_slot(r, product, ranks[i]);
        if (s >= 0)
            return s;
    }
    return -1;
}

int eng_routes_order_lacks(const eng_routes *r, const eng_inventory *inv, const eng_order *o,
                           const uint32_t *ranks, size_t n)
{
    for (uint32_t i = 0; i < o->n_lines; i++) {
        const eng_line *ln = &o->lines[i];
        if (eng_line_qty(ln) == 0 || eng_routes_first_slot(r, (uint32_t)ln->product, ranks, n) >= 0)
            continue;
        size_t n_slots; /* a SKU with no inventory row at all is merely out of stock */
        (void)eng_inventory_product_slots(inv, (uint32_t)ln->product, &n_slots);
        if (n_slots > 0)
            return 1;
    }
    return 0;
}

static size_t place_of(const eng_inventory *inv, const uint32_t *ranks, size_t n, uint32_t slot)
{
    uint32_t w = eng_inventory_slot(inv, slot)->wh_rank;
    size_t p = 0;
    while (p < n && ranks[p] != w)
        p++;
    return p;
}

void eng_routes_sort_parts(const eng_inventory *inv, const uint32_t *ranks, size_t n,
                           eng_part *parts, size_t k)
{
    for (size_t i = 1; i < k; i++) { /* a line has a part or two */
        eng_part x = parts[i];
        size_t at = place_of(inv, ranks, n, x.slot), j = i;
        for (; j > 0 && place_of(inv, ranks, n, parts[j - 1].slot) > at; j--)
            parts[j] = parts[j - 1];
        parts[j] = x;
    }
}

int eng_routes_lists(const eng_routes *r, const fmt_wh_rule *route, uint32_t rank)
{
    for (size_t i = 0; i < r->n_routes; i++)
        if (r->routes[i].rule == route)
            return listed(&r->routes[i], rank);
    return 0;
}

int eng_routes_only(const eng_routes *r)
{
    return r->only;
}
