/* Where an order may ship from under the policy's routes and channel lists (README,
 * "Routes"), worked out again from the policy and the order's own ship-to, apart from
 * the run's engine/allocate/route.c: the most specific route.* key that matches (longest
 * postal prefix of the country, then region, then country, then route.default), its
 * list alone under route_mode = only or followed by the other warehouses in warehouse
 * order under prefer, without any warehouse the channel's list (or
 * channel_warehouses.default) leaves out. A country given by name compares as its ISO
 * code (formats/country).
 *
 * Under split = fewest or single the sets an order tries begin with each of its
 * warehouses alone, in its list's order; eng__verify_one_warehouse finds one that could
 * have shipped the order by itself. */
#include <stdlib.h>
#include <string.h>

#include "../../formats/country.h"
#include "verify_int.h"

int eng__verify_routed(const eng_vrun *v)
{
    return fmt_policy_sources_per_order(&v->policy);
}

static uint32_t rank_named(const eng_vrun *v, const char *name)
{
    for (size_t r = 0; r < v->n_warehouses; r++)
        if (strcmp(v->warehouses[r], name) == 0)
            return (uint32_t)r;
    return ENG_VNONE;
}

static int in_rule(const eng_vrun *v, const fmt_wh_rule *rule, uint32_t rank)
{
    for (size_t k = 0; k < rule->n_names; k++)
        if (rank_named(v, rule->names[k]) == rank)
            return 1;
    return 0;
}

size_t eng__verify_allowed(const eng_vrun *v, const eng_vorder *o, uint32_t *ranks)
{
    return eng__verify_allowed_texts(v, eng__verify_head(v, o, FMT_COL_CHANNEL),
                                     eng__verify_head(v, o, FMT_COL_SHIP_COUNTRY),
                                     eng__verify_head(v, o, FMT_COL_SHIP_REGION),
                                     eng__verify_head(v, o, FMT_COL_SHIP_POSTAL), ranks, NULL);
}

size_t eng__verify_allowed_texts(const eng_vrun *v, const char *channel, const char *country,
                                 const char *region, const char *postal, uint32_t *ranks,
                                 const fmt_wh_rule **matched)
{
    const fmt_policy *pol = &v->policy;
    const fmt_wh_rule *route = NULL;
    int route_rank = -1; /* postal 3 + prefix length, region 2, country 1, default 0 */
    char cc[3]; /* a country's name ("United States") as its code */
    (void)fmt_country_alpha2(country, strlen(country), cc);
    for (size_t i = 0; i < pol->n_routes; i++) {
        const fmt_wh_rule *k = &pol->routes[i];
        int rank = -1;
        if (k->kind == FMT_ROUTE_DEFAULT)
            rank = 0;
        else if (strcmp(cc, k->country) == 0) {
            if (k->kind == FMT_ROUTE_COUNTRY)
                rank = 1;
            else if (k->kind == FMT_ROUTE_REGION &&
                     fmt_policy_folded_match(region, strlen(region), k->match, 0, 0))
                rank = 2;
            else if (k->kind == FMT_ROUTE_POSTAL &&
                     fmt_policy_folded_match(postal, strlen(postal), k->match, 1, 1))
                rank = 3 + (int)strlen(k->match);
        }
        if (rank > route_rank) {
            route_rank = rank;
            route = k;
        }
    }
    if (matched)
        *matched = route;
    const fmt_wh_rule *allowed = NULL;
    for (size_t i = 0; i < pol->n_channels && !allowed; i++)
        if (pol->channels[i].kind == 0 && strcmp(pol->channels[i].match, channel) == 0)
            allowed = &pol->channels[i];
    for (size_t i = 0; i < pol->n_channels && !allowed; i++)
        if (pol->channels[i].kind == 1)
            allowed = &pol->channels[i];
    size_t n = 0;
    if (route) {
        for (size_t k = 0; k < route->n_names; k++) {
            uint32_t r = rank_named(v, route->names[k]);
            if (r != ENG_VNONE && (!allowed || in_rule(v, allowed, r)))
                ranks[n++] = r;
        }
        if (pol->route_only)
            return n;
    }
    for (uint32_t r = 0; r < v->n_warehouses; r++)
        if ((!route || !in_rule(v, route, r)) && (!allowed || in_rule(v, allowed, r)))
            ranks[n++] = r;
    return n;
}

uint32_t eng__verify_allowed_slot(const eng_vrun *v, uint32_t sku, const uint32_t *ranks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (uint32_t s = eng__verify_first_slot(v, sku); s != ENG_VNONE;
             s = v->slots[s].next_of_sku)
            if (v->slots[s].wh == ranks[i])
                return s;
    return ENG_VNONE;
}

uint32_t eng__verify_one_warehouse(const eng_vrun *v, const eng_vorder *o, const uint32_t *ranks,
                                   size_t n, const uint32_t *line_from, int64_t *left)
{
    const eng_vline *lines = &v->lines[o->first_line];
    if (n > FMT_SPLIT_MAX_SETS)
        n = FMT_SPLIT_MAX_SETS; /* the sets of one warehouse are the first tried */
    for (uint32_t i = 0; i < o->n_lines; i++)
        if (lines[i].outstanding > 0 && (lines[i].sku == ENG_VNONE || lines[i].pair_sku == ENG_VNONE))
            return ENG_VNONE;
    for (size_t p = 0; p < n; p++) {
        for (uint32_t i = 0; i < o->n_lines; i++)
            if (lines[i].outstanding > 0)
                left[lines[i].pair_sku] = 0;
        /* Units the warehouse would have had to add to what it ended with: the order's
         * units of each SKU but those it really took from there. */
        for (uint32_t i = 0; i < o->n_lines; i++) {
            int64_t *l = &left[lines[i].pair_sku];
            if (lines[i].outstanding > 0 && (!line_from || line_from[i] != ranks[p]) &&
                __builtin_add_overflow(*l, lines[i].outstanding, l))
                *l = INT64_MAX;
        }
        int fits = 1;
        for (uint32_t i = 0; i < o->n_lines && fits; i++) {
            if (lines[i].outstanding == 0)
                continue;
            uint32_t s = eng__verify_allowed_slot(v, lines[i].sku, &ranks[p], 1);
            /* An order that shipped all its units (line_from) met its cap with them. */
            fits = s != ENG_VNONE &&
                   eng__verify_room_end(v, s, o, line_from == NULL) >= left[lines[i].pair_sku];
        }
        if (fits)
            return ranks[p];
    }
    return ENG_VNONE;
}
