/* The nightly run, stage by stage. Nothing is visible in the output folder until
 * eng_outdir_commit(); any failure before it removes the temporary folder. */
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../formats/mapping.h"
#include "../formats/source.h"
#include "write/alerts.h"
#include "allocate/alloc.h"
#include "write/analysis.h"
#include "base/heap.h"
#include "intake/history.h"
#include "intake/ingest.h"
#include "write/manifest.h"
#include "record/night.h"
#include "book/orders.h"
#include "base/outdir.h"
#include "write/outputs.h"
#include "base/pool.h"
#include "allocate/returns.h"
#include "base/strset.h"
#include "write/summary.h"

/* Record what reading a whole input found: manifest.json's bytes and hash, and a warning
 * when its last line has no line end (a file cut short by a transfer?). */
static void note_input(eng_night *n, size_t at, const fmt_input_info *info)
{
    eng_source *src = &n->sources[at];
    src->bytes = info->bytes;
    memcpy(src->sha256, info->sha256, sizeof src->sha256);
    /* (void): out of memory only keeps it from summary.json; it is on stderr already. */
    (void)eng_warn_unended(n->warnings, at, src->path, info->unended_line);
}

/* err, cleared of where the last error was: each stage gets it so, and names the file,
 * line and field its own errors concern, or none. A shared record once kept the path of
 * whatever was read last, and a later failure (history amounts overflowing, the output
 * folder already existing, out of memory) was said to be in the inventory, a returns file
 * or the mapping. */
static eng_err *fresh(eng_err *err)
{
    err->path = NULL;
    err->line = 0;
    err->field = NULL;
    err->sys_errno = 0;
    err->code = ENG_CODE_NONE;
    return err;
}

/* SPEC: refuse a file of 100 rows or more whose share of bad rows is above the limit. */
static eng_rc check_error_rate(const eng_night *n, size_t first, size_t count, eng_err *err)
{
    int64_t ppm = n->policy.max_error_rate_ppm;
    for (size_t f = first; f < first + count; f++) {
        const eng_source *s = &n->sources[f];
        if (s->rate_rows < 100)
            continue;
        /* bad / rows > ppm / 10^6, in integers. */
        if ((__int128)s->bad_rows * 1000000 <= (__int128)ppm * s->rate_rows)
            continue;
        err->path = s->path;
        err->line = 0;
        err->field = NULL;
        return ENG_FAIL(
            err, ENG_REFUSED,
            "%llu of %llu rows (%.1f%%) have MALFORMED_ROW, BAD_ENCODING, "
            "UNSAFE_TEXT, MISSING_FIELD or BAD_* codes, above max_error_rate %.4g: is this the "
            "right file and format? Nothing was written",
            (unsigned long long)s->bad_rows, (unsigned long long)s->rate_rows,
            100.0 * (double)s->bad_rows / (double)s->rate_rows, (double)ppm / 1e6);
    }
    return ENG_OK;
}

/* Sources, in this index order: orders, returns, history, then catalog, inventory,
 * policy and the --format map:FILE mapping (mapping: its path, or NULL). Order files come
 * first so that a row's file index is its source index. */
static eng_rc setup_sources(eng_night *n, const eng_run_args *a, const char *mapping,
                            size_t *catalog_at, eng_err *err)
{
    n->n_order_files = a->n_orders;
    n->first_return_file = a->n_orders;
    n->n_return_files = a->n_returns;
    n->first_history_file = a->n_orders + a->n_returns;
    n->n_history_files = a->n_history;
    n->n_sources =
        a->n_orders + a->n_returns + a->n_history + 2 + (a->policy != NULL) + (mapping != NULL);
    n->sources = calloc(n->n_sources, sizeof *n->sources);
    if (!n->sources)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < a->n_orders; i++, k++) {
        n->sources[k].path = a->orders[i];
        n->sources[k].role = "orders";
    }
    for (size_t i = 0; i < a->n_returns; i++, k++) {
        n->sources[k].path = a->returns[i];
        n->sources[k].role = "returns";
    }
    for (size_t i = 0; i < a->n_history; i++, k++) {
        n->sources[k].path = a->history[i];
        n->sources[k].role = "history";
    }
    for (size_t i = 0; i < n->n_sources; i++)
        n->sources[i].format = "";
    *catalog_at = k;
    n->sources[k].path = a->catalog;
    n->sources[k++].role = "catalog";
    n->sources[k].path = a->inventory;
    n->sources[k++].role = "inventory";
    if (a->policy) {
        n->sources[k].path = a->policy;
        n->sources[k++].role = "policy";
    }
    if (mapping) {
        n->sources[k].path = mapping;
        n->sources[k].role = "mapping";
    }
    return ENG_OK;
}

/* The ids history must keep in full: tonight's order ids (and the returns' ids, added
 * when the returns were read). */
static eng_rc collect_order_ids(const eng_night *n, eng_strset *ids, eng_err *err)
{
    for (size_t b = 0; b < n->n_batches; b++) {
        const eng_batch *bt = n->batches[b];
        for (size_t i = 0; i < bt->n_rows; i++) {
            const eng_row *r = &bt->rows[i];
            /* Rows of one order usually follow each other: skip the repeat lookups. */
            if (!r->order_id || (i > 0 && bt->rows[i - 1].order_id == r->order_id))
                continue;
            if (eng_strset_add(ids, r->order_id, r->order_id_len) != ENG_OK)
                return ENG_FAIL(err, ENG_NOMEM, "out of memory collecting order ids");
        }
    }
    return ENG_OK;
}

/* Time since *mark into the stage's slot; moves the mark. */
static void lap(eng_metrics *m, eng_stage stage, double *mark)
{
    double now = eng_metrics_now();
    m->stage_seconds[stage] += now - *mark;
    *mark = now;
}

int eng_run(const eng_run_args *a)
{
    double t0 = eng_metrics_now(), mark = t0;
    eng_metrics metrics;
    memset(&metrics, 0, sizeof metrics);
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_night night;
    memset(&night, 0, sizeof night);
    eng_night *n = &night;
    fmt_policy_defaults(&n->policy);
    n->run_date = a->run_date;
    n->threads = a->threads;
    n->warnings = eng_warnings_new();

    eng_catalog *catalog = NULL;
    eng_inventory *inventory = NULL;
    eng_outdir *od = NULL;
    eng_pool *pool = NULL;
    eng_history *history = NULL;
    eng_returns returns;
    memset(&returns, 0, sizeof returns);
    eng_strset *order_ids = eng_strset_new(), *request_ids = eng_strset_new();
    eng_slot_totals totals;
    memset(&totals, 0, sizeof totals);
    eng_report report;
    memset(&report, 0, sizeof report);
    eng_alert *alerts = NULL;
    eng_analysis_row *analysis = NULL;
    eng_outputs outputs;
    memset(&outputs, 0, sizeof outputs);
    eng_invariant inv[ENG_N_INVARIANTS];
    fmt_layout *mapping = NULL; /* --format map:FILE */
    const char *mapping_path = NULL;
    fmt_input_info mapping_info; /* until the sources are set up */
    int committed = 0;
    size_t cat_at = 0;
    char **history_paths = NULL; /* --history with its folders expanded */
    size_t n_history_paths = 0;
    eng_run_args expanded = *a;

    /* A closed stdout must fail the summary's write with EPIPE, not kill a committed run
     * with SIGPIPE (exit 141). slipway writes to no other pipe. */
    signal(SIGPIPE, SIG_IGN);

    eng_rc rc = order_ids && request_ids && n->warnings
                    ? ENG_OK
                    : ENG_FAIL(&err, ENG_NOMEM, "out of memory");
    n->encoding = a->encoding;
    if (rc == ENG_OK && a->format && strncmp(a->format, "map:", 4) == 0) {
        mapping_path = a->format + 4;
        if (!*mapping_path)
            rc = ENG_FAIL(&err, ENG_USAGE, "--format map:FILE needs the mapping file's path");
        else
            rc = fmt_mapping_load(mapping_path, &mapping, &mapping_info, &err);
        n->format = mapping;
    } else if (rc == ENG_OK && a->format && strcmp(a->format, "auto") != 0) {
        n->format = fmt_layout_find(a->format);
        if (!n->format)
            rc = ENG_FAIL(&err, ENG_USAGE,
                          "--format %s: use auto, canonical, shopify, amazon, woocommerce, ebay, "
                          "tmall or map:FILE",
                          a->format);
    }
    if (rc == ENG_OK)
        rc = eng_history_expand(a->history, a->n_history, &history_paths, &n_history_paths,
                                fresh(&err));
    if (rc == ENG_OK) {
        expanded.history = (const char **)history_paths;
        expanded.n_history = n_history_paths;
        rc = setup_sources(n, &expanded, mapping_path, &cat_at, fresh(&err));
    }
    if (rc == ENG_OK)
        rc = eng_outdir_begin(a->out, a->mode ? a->mode : ENG_OUTDIR_MODE, &od, fresh(&err));
    if (rc == ENG_OK && mapping)
        note_input(n, n->n_sources - 1, &mapping_info);
    if (rc == ENG_OK && a->policy) {
        fmt_input_info policy_info;
        rc = fmt_policy_load(a->policy, &n->policy, &policy_info, fresh(&err));
        if (rc == ENG_OK)
            note_input(n, cat_at + 2, &policy_info);
    }
    if (rc == ENG_OK)
        rc = eng_catalog_load(a->catalog, &catalog, fresh(&err));
    if (rc == ENG_OK) {
        n->catalog = catalog;
        n->sources[cat_at].bytes = eng_catalog_file_bytes(catalog);
        memcpy(n->sources[cat_at].sha256, eng_catalog_file_sha256(catalog), 65);
        (void)eng_warn_unended(n->warnings, cat_at, a->catalog,
                               eng_catalog_unended_line(catalog)); /* (void): as note_input */
        rc = eng_inventory_load(a->inventory, catalog, &n->policy, &inventory, fresh(&err));
    }
    if (rc == ENG_OK) {
        n->inventory = inventory;
        n->sources[cat_at + 1].bytes = eng_inventory_file_bytes(inventory);
        memcpy(n->sources[cat_at + 1].sha256, eng_inventory_file_sha256(inventory), 65);
        (void)eng_warn_unended(n->warnings, cat_at + 1, a->inventory,
                               eng_inventory_unended_line(inventory));
        rc = eng_pool_new(a->threads, &pool, fresh(&err));
    }
    lap(&metrics, ENG_STAGE_LOAD, &mark);

    if (rc == ENG_OK)
        rc = eng_ingest_orders(n, pool, fresh(&err));
    if (rc == ENG_OK && n->n_return_files) {
        rc = eng_returns_read(n, n->first_return_file, n->n_return_files, &returns, order_ids,
                              request_ids, fresh(&err));
        n->returns = &returns;
    }
    lap(&metrics, ENG_STAGE_INGEST, &mark);
    if (rc == ENG_OK && n->n_history_files) {
        rc = collect_order_ids(n, order_ids, fresh(&err));
        if (rc == ENG_OK)
            rc = eng_history_load(n, n->first_history_file, n->n_history_files, order_ids,
                                  request_ids, pool, &history, fresh(&err));
        n->history = history;
    }
    lap(&metrics, ENG_STAGE_HISTORY, &mark);
    eng_heap_plan_building();
    if (rc == ENG_OK)
        rc = eng_orders_build(n, pool, fresh(&err));
    if (rc == ENG_OK) {
        eng_orders_count_bad(n);
        rc = check_error_rate(n, 0, n->n_order_files, fresh(&err));
    }
    lap(&metrics, ENG_STAGE_ORDERS, &mark);
    if (rc == ENG_OK)
        rc = eng_alloc_prepare(n, fresh(&err));
    if (rc == ENG_OK && n->returns) {
        rc = eng_returns_decide(n, history, &returns, fresh(&err));
        if (rc == ENG_OK) {
            eng_returns_count_bad(n, &returns);
            rc = check_error_rate(n, n->first_return_file, n->n_return_files, fresh(&err));
        }
    }
    if (rc == ENG_OK)
        rc = eng_alloc_run(n, pool, fresh(&err));
    lap(&metrics, ENG_STAGE_ALLOC, &mark);
    if (rc == ENG_OK)
        rc = eng_alerts_totals(n, &totals, fresh(&err));
    if (rc == ENG_OK)
        rc = eng_alerts_compute(n, &totals, &alerts, &report.n_alerts, fresh(&err));
    if (rc == ENG_OK)
        rc = eng_analysis_build(n, &totals, &analysis, &report.n_analysis, fresh(&err));
    report.totals = &totals;
    report.alerts = alerts;
    report.analysis = analysis;
    if (rc == ENG_OK)
        rc = eng_outputs_write(n, &report, od, a->compress, pool, &outputs, fresh(&err));
    if (rc == ENG_OK && !eng_summary_check(n, &totals, &outputs, inv)) {
        for (int i = 0; i < ENG_N_INVARIANTS; i++)
            if (inv[i].state == ENG_CHECK_BROKEN)
                fprintf(stderr, "slipway: invariant %s broken: %s\n", inv[i].name, inv[i].detail);
        rc = ENG_FAIL(fresh(&err), ENG_INTERNAL,
                      "internal error: an invariant does not hold, so no output was written; "
                      "please report this with the inputs");
    }
    if (rc == ENG_OK) {
        eng_output_file *f = &outputs.files[outputs.n_files];
        rc = eng_summary_write(n, &outputs, &report, inv, od, f, fresh(&err));
        if (rc == ENG_OK)
            outputs.n_files++;
    }
    if (rc == ENG_OK)
        rc = eng_manifest_write(n, outputs.files, outputs.n_files, od, fresh(&err));
    lap(&metrics, ENG_STAGE_WRITE, &mark);
    if (rc == ENG_OK) {
        metrics.total_seconds = mark - t0;
        metrics.history_rows = eng_history_rows(history);
        rc = eng_metrics_write(n, &metrics, od, fresh(&err));
    }
    if (rc == ENG_OK)
        rc = eng_outdir_commit(od, fresh(&err));
    if (rc == ENG_OK) {
        committed = 1;
        if (!a->quiet) {
            eng_summary_print(stdout, n, &outputs, &report, inv, a->out, eng_metrics_now() - t0);
            /* The summary is a courtesy: a reader gone (EPIPE) or a full disk under
             * stdout does not undo a committed run. */
            if (fflush(stdout) != 0 || ferror(stdout))
                fprintf(stderr,
                        "slipway: warning: cannot print the summary: %s (the output folder %s "
                        "is complete)\n",
                        strerror(errno), a->out);
        }
    }

    if (!committed) {
        eng_outdir_settle(od);
        eng_err_print(&err);
    }
    eng_outdir_free(od);
    eng_outputs_release(&outputs);
    free(alerts);
    free(analysis);
    eng_alerts_totals_release(&totals);
    eng_pool_free(pool);
    eng_returns_release(&returns);
    eng_history_free(history);
    eng_strset_free(order_ids);
    eng_strset_free(request_ids);
    fmt_policy_release(&n->policy);
    free(n->restocked);
    eng_night_release(n);
    eng_inventory_free(inventory);
    eng_catalog_free(catalog);
    eng_history_paths_free(history_paths, n_history_paths);
    fmt_mapping_free(mapping); /* last: err and the sources may point into it until here */
    return committed ? 0 : eng_rc_exit_code(rc);
}
