/* Return analysis. History already sums its ledgers per (product, currency, reason);
 * tonight's approved requests are added to the same keys here, on one thread (returns
 * are few). */
#include "analysis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/hash.h"
#include "../intake/history.h"
#include "../allocate/returns.h"

/* Reasons are grouped trimmed of blanks and folded to lower case, as history does. */
static const char *lower_reason(char *buf, eng_text t)
{
    size_t start = 0, end = t.len;
    while (start < end && (t.p[start] == ' ' || t.p[start] == '\t'))
        start++;
    while (end > start && (t.p[end - 1] == ' ' || t.p[end - 1] == '\t'))
        end--;
    for (size_t i = start; i < end; i++) {
        char c = t.p[i];
        buf[i - start] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    buf[end - start] = '\0';
    return buf;
}

static const eng_products *sort_night; /* set before qsort, on one thread */

static int cmp_row(const void *x, const void *y)
{
    const eng_analysis_row *a = x, *b = y;
    /* a.units / a.shipped vs b.units / b.shipped without division; never-shipped last. */
    if ((a->shipped == 0) != (b->shipped == 0))
        return a->shipped == 0 ? 1 : -1;
    __int128 l = (__int128)a->units * b->shipped, r = (__int128)b->units * a->shipped;
    if (l != r)
        return l > r ? -1 : 1;
    if (a->units != b->units)
        return a->units > b->units ? -1 : 1;
    int c = strcmp(eng_catalog_get(sort_night->setup->catalog, (uint32_t)a->product)->sku,
                   eng_catalog_get(sort_night->setup->catalog, (uint32_t)b->product)->sku);
    if (c)
        return c;
    if ((c = strcmp(a->reason, b->reason)) != 0)
        return c;
    return (a->currency > b->currency) - (a->currency < b->currency);
}

/* The index entry for (product, currency, reason): the row's index + 1, or 0 (free). */
static uint32_t *row_slot(uint32_t *index, size_t mask, const eng_analysis_row *rows,
                          int32_t product, int16_t currency, const char *reason)
{
    size_t i = (eng_hash_bytes(reason, strlen(reason)) ^
                ((uint64_t)(uint32_t)product * 0x9E3779B97F4A7C15u) ^ (uint16_t)currency) &
               mask;
    while (index[i]) {
        const eng_analysis_row *r = &rows[index[i] - 1];
        if (r->product == product && r->currency == currency && strcmp(r->reason, reason) == 0)
            break;
        i = (i + 1) & mask;
    }
    return &index[i];
}

eng_rc eng_analysis_build(const eng_products *n, const eng_slot_totals *t, eng_analysis_row **out,
                          size_t *n_out, eng_err *err)
{
    size_t n_hist = 0;
    const eng_hist_reason *hist = eng_history_reasons(n->history, &n_hist);
    size_t n_ret = n->returns ? n->returns->n : 0;
    eng_analysis_row *rows = malloc((n_hist + n_ret + 1) * sizeof *rows);
    size_t n_products = eng_catalog_count(n->setup->catalog);
    int64_t *shipped = calloc(n_products ? n_products : 1, sizeof *shipped);
    size_t reason_bytes = 1;
    for (size_t i = 0; i < n_ret; i++)
        reason_bytes += n->returns->items[i].reason.len + 1;
    char *reasons = malloc(reason_bytes); /* tonight's reasons, trimmed and folded */
    size_t reason_at = 0;
    if (!rows || !shipped || !reasons) {
        free(rows);
        free(shipped);
        free(reasons);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory analysing returns");
    }
    for (size_t p = 0; p < n_products; p++)
        shipped[p] = eng_history_shipped_units(n->history, (uint32_t)p);
    for (uint32_t s = 0; s < eng_inventory_count(n->setup->inventory); s++) {
        int32_t p = eng_inventory_slot(n->setup->inventory, s)->product;
        if (p >= 0 && __builtin_add_overflow(shipped[p], t->shipped[s], &shipped[p]))
            shipped[p] = INT64_MAX;
    }
    /* Rows by (product, currency, reason): open addressing over row index + 1. */
    size_t size = 16;
    while (size < (n_hist + n_ret) * 2)
        size *= 2;
    uint32_t *index = calloc(size, sizeof *index);
    if (!index) {
        free(rows);
        free(shipped);
        free(reasons);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory analysing returns");
    }
    size_t k = 0;
    for (size_t i = 0; i < n_hist; i++) {
        *row_slot(index, size - 1, rows, hist[i].product, hist[i].currency, hist[i].reason) =
            (uint32_t)k + 1;
        eng_analysis_row *row = &rows[k++];
        row->product = hist[i].product;
        row->currency = hist[i].currency;
        row->reason = hist[i].reason;
        row->requests = hist[i].requests;
        row->units = hist[i].units;
        row->refund_minor = hist[i].refund_minor;
    }
    for (size_t i = 0; i < n_ret; i++) {
        const eng_return *r = &n->returns->items[i];
        if (r->status == ENG_RS_REJECTED || r->product < 0)
            continue;
        const char *reason = lower_reason(reasons + reason_at, r->reason);
        reason_at += r->reason.len + 1;
        uint32_t *slot = row_slot(index, size - 1, rows, r->product, r->currency, reason);
        eng_analysis_row *row = *slot ? &rows[*slot - 1] : NULL;
        if (!row) {
            *slot = (uint32_t)k + 1;
            row = &rows[k++];
            memset(row, 0, sizeof *row);
            row->product = r->product;
            row->currency = r->currency;
            row->reason = reason;
        }
        row->requests++;
        if (__builtin_add_overflow(row->units, r->qty, &row->units))
            row->units = INT64_MAX;
        if (__builtin_add_overflow(row->refund_minor, r->refund_minor, &row->refund_minor))
            row->refund_minor = INT64_MAX;
    }
    for (size_t i = 0; i < k; i++)
        rows[i].shipped = shipped[rows[i].product];
    free(shipped);
    free(index);
    sort_night = n;
    qsort(rows, k, sizeof *rows, cmp_row);
    /* Tonight's reasons live in `reasons`: copy them next to the rows so one free()
     * releases both. */
    size_t text = 0;
    for (size_t i = 0; i < k; i++)
        text += strlen(rows[i].reason) + 1;
    eng_analysis_row *all = malloc(k * sizeof *all + text + 1);
    if (!all) {
        free(rows);
        free(reasons);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory analysing returns");
    }
    char *pool = (char *)(all + k);
    for (size_t i = 0; i < k; i++) {
        all[i] = rows[i];
        size_t len = strlen(rows[i].reason);
        memcpy(pool, rows[i].reason, len + 1);
        all[i].reason = pool;
        pool += len + 1;
    }
    free(rows);
    free(reasons);
    *out = all;
    *n_out = k;
    return ENG_OK;
}

void eng_analysis_rate(const eng_analysis_row *r, char *dst)
{
    if (r->shipped <= 0) {
        dst[0] = '\0';
        return;
    }
    /* percent with two decimals = units * 10000 / shipped, half up */
    __int128 num = (__int128)r->units * 10000;
    __int128 q = (2 * num + r->shipped) / (2 * (__int128)r->shipped);
    snprintf(dst, 24, "%lld.%02lld", (long long)(q / 100), (long long)(q % 100));
}
