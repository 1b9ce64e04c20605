/* JSON receipts. The manifest lists inputs in the order given (catalog, inventory,
 * policy, orders...) and outputs by name, so it is byte-stable for the same inputs. */
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../../formats/isotime.h"
#include "../../formats/json.h"
#include "../../formats/sink.h"

static eng_rc write_json(fmt_buf *b, eng_outdir *od, const char *name, eng_err *err)
{
    if (b->failed)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory writing %s", name);
    fmt_sink *s = NULL;
    eng_rc rc = eng_outdir_create(od, name, 0, &s, err);
    if (rc == ENG_OK)
        rc = fmt_sink_write(s, b->p, b->len, err);
    if (rc == ENG_OK)
        rc = fmt_sink_close(s, err);
    fmt_sink_free(s);
    return rc;
}

static int cmp_file(const void *x, const void *y)
{
    return strcmp(((const eng_output_file *)x)->name, ((const eng_output_file *)y)->name);
}

/* "0.05" from 50000 millionths: the shortest decimal text. */
static void put_ppm(fmt_json *j, const char *key, int64_t ppm)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_buf_put_minor(&b, ppm, 6);
    while (b.len > 1 && b.p && b.p[b.len - 1] == '0')
        b.len--;
    if (b.len > 1 && b.p && b.p[b.len - 1] == '.')
        b.len--;
    fmt_json_strn(j, key, b.p ? b.p : "", b.len);
    fmt_buf_release(&b);
}

/* Keys naming warehouse lists (routes, channels) as an object of key -> list, in the
 * policy's order; nothing when there are none. */
static void put_rules(fmt_json *j, const char *name, const fmt_wh_rule *rules, size_t n)
{
    if (n == 0)
        return;
    fmt_json_object_begin(j, name);
    for (size_t i = 0; i < n; i++) {
        fmt_json_array_begin(j, rules[i].key);
        for (size_t k = 0; k < rules[i].n_names; k++)
            fmt_json_str(j, NULL, rules[i].names[k]);
        fmt_json_array_end(j);
    }
    fmt_json_object_end(j);
}

/* reserve.* and cap.* keys as an object of key -> "N" or "P%", in the policy's order;
 * nothing when there are none. */
static void put_shares(fmt_json *j, const char *name, const fmt_share_rule *rules, size_t n)
{
    if (n == 0)
        return;
    fmt_json_object_begin(j, name);
    for (size_t i = 0; i < n; i++) {
        char text[32];
        long long a = (long long)rules[i].amount;
        if (!rules[i].pct)
            snprintf(text, sizeof text, "%lld", a);
        else if (a % 100 == 0)
            snprintf(text, sizeof text, "%lld%%", a / 100);
        else if (a % 10 == 0)
            snprintf(text, sizeof text, "%lld.%lld%%", a / 100, a % 100 / 10);
        else
            snprintf(text, sizeof text, "%lld.%02lld%%", a / 100, a % 100);
        fmt_json_str(j, rules[i].key, text);
    }
    fmt_json_object_end(j);
}

/* A min_fill as the policy gives it, when it does: "12.5" */
static void put_fill(fmt_json *j, const char *name, int32_t bp)
{
    if (bp < 0)
        return;
    char text[16];
    if (bp % 100 == 0)
        snprintf(text, sizeof text, "%d", bp / 100);
    else if (bp % 10 == 0)
        snprintf(text, sizeof text, "%d.%d", bp / 100, bp % 100 / 10);
    else
        snprintf(text, sizeof text, "%d.%02d", bp / 100, bp % 100);
    fmt_json_str(j, name, text);
}

eng_rc eng_manifest_write(const eng_products *n, const eng_output_file *files, size_t n_files,
                          eng_outdir *od, eng_err *err)
{
    eng_output_file *sorted = malloc((n_files ? n_files : 1) * sizeof *sorted);
    if (!sorted)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory writing the manifest");
    memcpy(sorted, files, n_files * sizeof *sorted);
    qsort(sorted, n_files, sizeof *sorted, cmp_file);
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_json j;
    fmt_json_init(&j, &b);
    char date[11];
    fmt_isodate_format(n->setup->run_date, date);
    fmt_json_object_begin(&j, NULL);
    fmt_json_str(&j, "version", SLIPWAY_VERSION);
    fmt_json_str(&j, "run_date", date);
    fmt_json_object_begin(&j, "policy");
    fmt_json_str(&j, "allocation", fmt_policy_allocation_name(n->setup->policy.allocation));
    put_ppm(&j, "max_error_rate", n->setup->policy.max_error_rate_ppm);
    fmt_json_i64(&j, "return_window_days", n->setup->policy.return_window_days);
    fmt_buf pct;
    fmt_buf_init(&pct);
    fmt_buf_put_minor(&pct, n->setup->policy.restocking_fee_pct.mant,
                      n->setup->policy.restocking_fee_pct.frac);
    fmt_json_strn(&j, "restocking_fee_pct", pct.p ? pct.p : "0", pct.p ? pct.len : 1);
    fmt_buf_release(&pct);
    fmt_json_array_begin(&j, "warehouse_order");
    for (size_t i = 0; i < n->setup->policy.n_warehouse_order; i++)
        fmt_json_str(&j, NULL, n->setup->policy.warehouse_order[i]);
    fmt_json_array_end(&j);
    /* Keys that came later are recorded only when the policy sets them, so that a night
     * without them keeps its manifest's bytes. */
    const fmt_policy *pol = &n->setup->policy;
    put_rules(&j, "routes", pol->routes, pol->n_routes);
    if (pol->route_mode_set)
        fmt_json_str(&j, "route_mode", pol->route_only ? "only" : "prefer");
    put_rules(&j, "channel_warehouses", pol->channels, pol->n_channels);
    if (pol->split_set)
        fmt_json_str(&j, "split", fmt_policy_split_name(pol->split));
    if (pol->max_split)
        fmt_json_u64(&j, "max_split", pol->max_split);
    put_shares(&j, "reserves", pol->reserves, pol->n_reserves);
    put_shares(&j, "caps", pol->caps, pol->n_caps);
    if (pol->reserve_release_set)
        fmt_json_str(&j, "reserve_release", pol->second_pass ? "second_pass" : "keep");
    if (pol->shortage_set)
        fmt_json_str(&j, "shortage_rule",
                     pol->shortage == FMT_SHORTAGE_PROPORTIONAL ? "proportional" : "rank");
    put_fill(&j, "min_fill_line_pct", pol->min_fill_line_bp);
    put_fill(&j, "min_fill_order_pct", pol->min_fill_order_bp);
    if (pol->cutoff_min >= 0) {
        char hhmm[8];
        fmt_policy_format_hhmm(hhmm, pol->cutoff_min, 0);
        fmt_json_str(&j, "cutoff", hhmm);
        if (pol->cutoff_offset_set) {
            fmt_policy_format_hhmm(hhmm, pol->cutoff_offset_min, 1);
            fmt_json_str(&j, "cutoff_offset", hhmm);
        }
    }
    fmt_json_object_end(&j);
    fmt_json_array_begin(&j, "inputs");
    /* Reference files first (the --format map:FILE mapping with them), then orders,
     * returns and history as given. */
    static const char *const roles[] = {"catalog", "inventory", "policy", "mapping",
                                        "orders",  "returns",   "history"};
    for (size_t r = 0; r < sizeof roles / sizeof *roles; r++)
        for (size_t i = 0; i < n->setup->n_sources; i++) {
            const eng_source *s = &n->setup->sources[i];
            const eng_file_facts *f = eng_products_facts(n, i);
            if (strcmp(s->role, roles[r]) != 0)
                continue;
            fmt_json_object_begin(&j, NULL);
            fmt_json_str(&j, "role", s->role);
            fmt_json_str(&j, "path", s->path);
            if (f->format && f->format[0] && strcmp(s->role, "history") == 0)
                fmt_json_str(&j, "kind", f->format);
            /* A reference or returns file read by --encoding: verify reads it so too
             * (orders files have theirs in summary.json, with their layout). */
            if ((strcmp(s->role, "catalog") == 0 || strcmp(s->role, "inventory") == 0 ||
                 strcmp(s->role, "returns") == 0) &&
                f->encoding)
                fmt_json_str(&j, "encoding", f->encoding);
            fmt_json_u64(&j, "bytes", f->bytes);
            fmt_json_str(&j, "sha256", f->sha256);
            fmt_json_object_end(&j);
        }
    fmt_json_array_end(&j);
    fmt_json_array_begin(&j, "outputs");
    for (size_t i = 0; i < n_files; i++) {
        fmt_json_object_begin(&j, NULL);
        fmt_json_str(&j, "name", sorted[i].name);
        fmt_json_u64(&j, "bytes", sorted[i].bytes);
        fmt_json_str(&j, "sha256", sorted[i].sha256);
        fmt_json_object_end(&j);
    }
    fmt_json_array_end(&j);
    fmt_json_object_end(&j);
    fmt_json_finish(&j);
    free(sorted);
    eng_rc rc = write_json(&b, od, "manifest.json", err);
    fmt_buf_release(&b);
    return rc;
}

double eng_metrics_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void eng_metrics_lap(eng_metrics *m, eng_stage stage, double *mark)
{
    double now = eng_metrics_now();
    m->stage_seconds[stage] += now - *mark;
    *mark = now;
}

static void put_seconds(fmt_json *j, const char *key, double s)
{
    char text[32];
    snprintf(text, sizeof text, "%.6f", s);
    fmt_json_number_text(j, key, text);
}

eng_rc eng_metrics_write(const eng_products *n, const eng_metrics *m, eng_outdir *od, eng_err *err)
{
    static const char *const stage_names[] = {
#define ENG_STAGE_NAME(e, name) name,
        ENG_STAGE_MAP(ENG_STAGE_NAME)
#undef ENG_STAGE_NAME
    };
    uint64_t rows = 0, bytes = 0;
    for (size_t i = 0; i < n->setup->n_order_files; i++) {
        rows += eng_products_facts(n, i)->data_rows;
        bytes += eng_products_facts(n, i)->bytes;
    }
    struct rusage ru;
    long peak_kib = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_json j;
    fmt_json_init(&j, &b);
    fmt_json_object_begin(&j, NULL);
    fmt_json_u64(&j, "threads", n->setup->threads);
    put_seconds(&j, "wall_seconds", m->total_seconds);
    fmt_json_object_begin(&j, "stage_seconds");
    for (int s = 0; s < ENG_STAGE_COUNT; s++)
        put_seconds(&j, stage_names[s], m->stage_seconds[s]);
    fmt_json_object_end(&j);
    fmt_json_u64(&j, "order_rows", rows);
    fmt_json_u64(&j, "history_rows", m->history_rows);
    fmt_json_u64(&j, "order_input_bytes", bytes);
    char rate[32];
    snprintf(rate, sizeof rate, "%.0f", m->total_seconds > 0 ? (double)rows / m->total_seconds : 0);
    fmt_json_number_text(&j, "rows_per_second", rate);
    fmt_json_u64(&j, "peak_rss_kib", (uint64_t)peak_kib);
    fmt_json_u64(&j, "memory_estimate_kib", m->memory_estimate / 1024);
    fmt_json_u64(&j, "estimated_order_rows", m->estimated_lines);
    fmt_json_u64(&j, "estimated_orders", m->estimated_orders);
    fmt_json_object_end(&j);
    fmt_json_finish(&j);
    eng_rc rc = write_json(&b, od, "metrics.json", err);
    fmt_buf_release(&b);
    return rc;
}
