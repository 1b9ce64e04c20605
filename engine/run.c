/* The nightly run, stage by stage, each handing the next an owned product:
 *
 *   eng_setup       configuration, reference data, inputs, pool, output folder
 *   eng_budget      the night's size from the start of its files: refused if too big
 *   eng_batches     the orders files read into checked rows        (intake/ingest)
 *   eng_returns     return requests read                            (allocate/returns)
 *   eng_history     what earlier nights shipped and took back       (intake/history)
 *   eng_book        orders grouped and checked, each with a verdict (book/orders)
 *   eng_allocation  stock reserved in rank order, returns decided   (allocate/alloc)
 *   outputs         the files, the summary, the manifest            (write/)
 *
 * Nothing is visible in the output folder until eng_outdir_commit(); any failure before
 * it removes the temporary folder. Products are freed in reverse order behind one exit. */
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "allocate/alloc.h"
#include "allocate/returns.h"
#include "base/heap.h"
#include "base/outdir.h"
#include "base/progress.h"
#include "base/strset.h"
#include "book/error_rate.h"
#include "book/orders.h"
#include "intake/budget.h"
#include "intake/history.h"
#include "intake/ingest.h"
#include "write/alerts.h"
#include "write/analysis.h"
#include "write/manifest.h"
#include "write/outputs.h"
#include "write/page.h"
#include "write/summary.h"
#include "write/xlsx.h"

/* The ids history must keep in full: tonight's order ids (and the returns' ids, added
 * when the returns were read), from the batches' rows, or once they are grouped (a loaded
 * book) from the orders, every row with an id being in the order of that id. */
static eng_rc collect_order_ids(const eng_batches *bs, const eng_book *book, eng_strset *ids,
                                eng_err *err)
{
    for (size_t i = 0; book && i < book->n_orders; i++) {
        const eng_order *o = book->orders[i];
        if (i > 0 && eng_order_cmp_id(book->orders[i - 1], o) == 0)
            continue;
        if (eng_strset_add(ids, o->id, eng_order_id_len(o)) != ENG_OK)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory collecting order ids");
    }
    return book ? ENG_OK : eng_batches_order_ids(bs, NULL, ids, err);
}

/* Returns and history, read beside the batches: history keeps in full only what
 * tonight's order ids and the returns' ids need. */
static eng_rc read_returns_and_history(const eng_setup *s, const eng_batches *bs,
                                       const eng_book *book, eng_returns *returns,
                                       eng_history **history, eng_metrics *m, double *mark,
                                       eng_err *err)
{
    eng_strset *order_ids = eng_strset_new(), *request_ids = eng_strset_new();
    eng_rc rc = order_ids && request_ids ? ENG_OK : ENG_FAIL(err, ENG_NOMEM, "out of memory");
    if (rc == ENG_OK && s->n_return_files)
        rc = eng_returns_read(s, returns, order_ids, request_ids, eng_err_fresh(err));
    eng_metrics_lap(m, ENG_STAGE_INGEST, mark);
    if (rc == ENG_OK && s->n_history_files) {
        rc = collect_order_ids(bs, book, order_ids, eng_err_fresh(err));
        if (rc == ENG_OK)
            rc = eng_history_load(s, order_ids, request_ids, history, eng_err_fresh(err));
    }
    eng_metrics_lap(m, ENG_STAGE_HISTORY, mark);
    eng_strset_free(order_ids);
    eng_strset_free(request_ids);
    return rc;
}

/* Writers' results: the CSV files, then the invariants recounted from what they wrote,
 * summary.json and manifest.json. An invariant that fails is a bug: nothing is written. */
static eng_rc write_night(const eng_products *p, eng_report *report, eng_outputs *outputs,
                          eng_invariant inv[ENG_N_INVARIANTS], eng_err *err)
{
    const eng_setup *s = p->setup;
    ENG_TRY(
        eng_outputs_write(p, report, s->outdir, s->compress, s->pool, outputs, eng_err_fresh(err)));
    if (!eng_summary_check(p, report->totals, outputs, inv)) {
        for (int i = 0; i < ENG_N_INVARIANTS; i++)
            if (inv[i].state == ENG_CHECK_BROKEN)
                fprintf(stderr, "slipway: invariant %s broken: %s\n", inv[i].name, inv[i].detail);
        return ENG_FAIL(eng_err_fresh(err), ENG_INTERNAL,
                        "internal error: an invariant does not hold, so no output was written; "
                        "please report this with the inputs");
    }
    eng_output_file *f = &outputs->files[outputs->n_files];
    ENG_TRY(eng_summary_write(p, outputs, report, inv, s->outdir, f, eng_err_fresh(err)));
    outputs->n_files++;
    /* report.html reads back some of the CSV files: after them, before the manifest */
    f = &outputs->files[outputs->n_files];
    ENG_TRY(eng_page_write(p, outputs, report, inv, s->outdir, f, eng_err_fresh(err)));
    outputs->n_files++;
    f = &outputs->files[outputs->n_files];
    ENG_TRY(eng_summary_text_write(p, outputs, report, inv, s->outdir, f, eng_err_fresh(err)));
    outputs->n_files++;
    if (s->xlsx) {
        f = &outputs->files[outputs->n_files];
        ENG_TRY(eng_xlsx_write(p, outputs, s->outdir, f, eng_err_fresh(err)));
        outputs->n_files++;
    }
    return eng_manifest_write(p, outputs->files, outputs->n_files, s->outdir, eng_err_fresh(err));
}

/* The orders files' sizes on disk, for the progress display's time left (0 when one is
 * no regular file: standard input). */
static uint64_t orders_bytes(const eng_setup *s)
{
    uint64_t total = 0;
    for (size_t i = 0; i < s->n_order_files; i++) {
        struct stat st;
        if (stat(s->sources[i].path, &st) != 0 || !S_ISREG(st.st_mode))
            return 0;
        total += (uint64_t)st.st_size;
    }
    return total;
}

int eng_run(const eng_run_args *a)
{
    return eng_run_from(a, NULL, NULL);
}

int eng_run_from(const eng_run_args *a, eng_night_loader load, void *load_ctx)
{
    double t0 = eng_metrics_now(), mark = t0;
    eng_metrics metrics;
    memset(&metrics, 0, sizeof metrics);
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_setup *setup = NULL;
    eng_batches *batches = NULL;
    eng_returns returns;
    memset(&returns, 0, sizeof returns);
    eng_history *history = NULL;
    eng_book *book = NULL;
    eng_allocation *alloc = NULL;
    eng_slot_totals totals;
    memset(&totals, 0, sizeof totals);
    eng_report report;
    memset(&report, 0, sizeof report);
    eng_alert *alerts = NULL;
    eng_analysis_row *analysis = NULL;
    eng_outputs outputs;
    memset(&outputs, 0, sizeof outputs);
    eng_invariant inv[ENG_N_INVARIANTS];
    int committed = 0;

    /* A closed stdout must fail the summary's write with EPIPE, not kill a committed run
     * with SIGPIPE (exit 141). slipway writes to no other pipe. */
    signal(SIGPIPE, SIG_IGN);

    eng_rc rc = eng_setup_new(a, &setup, &err);
    /* after the setup: its output folder blocks the signals every later thread inherits */
    eng_progress *progress = rc == ENG_OK && eng_progress_wanted(a->progress, a->quiet)
                                 ? eng_progress_start("run")
                                 : NULL;
    if (setup)
        setup->progress = progress;
    eng_progress_stage(progress, "reading orders", setup ? orders_bytes(setup) : 0, 0);
    eng_budget budget;
    memset(&budget, 0, sizeof budget);
    if (rc == ENG_OK)
        rc = eng_budget_check(setup, &budget, eng_err_fresh(&err));
    eng_metrics_lap(&metrics, ENG_STAGE_LOAD, &mark);
    if (rc == ENG_OK)
        rc = load ? load(setup, load_ctx, &batches, &book, eng_err_fresh(&err))
                  : eng_batches_read(setup, &budget.size, &batches, eng_err_fresh(&err));
    if (rc == ENG_OK)
        rc = read_returns_and_history(setup, batches, book, &returns, &history, &metrics, &mark,
                                      &err);
    eng_heap_plan_building();
    eng_progress_stage(progress, "checking orders", 0, 0);
    if (rc == ENG_OK && !book)
        rc = eng_book_build(setup, batches, history, &book, eng_err_fresh(&err));
    if (rc == ENG_OK)
        rc = eng_error_rate_check_orders(setup, batches, eng_err_fresh(&err));
    eng_metrics_lap(&metrics, ENG_STAGE_ORDERS, &mark);
    eng_progress_stage(progress, "allocating stock", 0, 0);
    if (rc == ENG_OK)
        rc = eng_allocation_prepare(setup, &alloc, eng_err_fresh(&err));
    if (rc == ENG_OK && setup->n_return_files) {
        rc = eng_returns_decide(setup, history, alloc, &returns, eng_err_fresh(&err));
        if (rc == ENG_OK)
            rc = eng_returns_check_error_rate(setup, &returns, eng_err_fresh(&err));
    }
    if (rc == ENG_OK)
        rc = eng_allocation_run(setup, book, history, alloc, eng_err_fresh(&err));
    eng_metrics_lap(&metrics, ENG_STAGE_ALLOC, &mark);
    eng_progress_stage(progress, "writing outputs", 0, 0);

    eng_products p = {
        setup, batches, book, history, setup && setup->n_return_files ? &returns : NULL, alloc};
    if (rc == ENG_OK)
        rc = eng_alerts_totals(&p, &totals, eng_err_fresh(&err));
    if (rc == ENG_OK)
        rc = eng_alerts_compute(&p, &totals, &alerts, &report.n_alerts, eng_err_fresh(&err));
    if (rc == ENG_OK)
        rc = eng_analysis_build(&p, &totals, &analysis, &report.n_analysis, eng_err_fresh(&err));
    report.totals = &totals;
    report.alerts = alerts;
    report.analysis = analysis;
    if (rc == ENG_OK)
        rc = write_night(&p, &report, &outputs, inv, &err);
    eng_metrics_lap(&metrics, ENG_STAGE_WRITE, &mark);
    if (rc == ENG_OK) {
        metrics.total_seconds = mark - t0;
        metrics.history_rows = eng_history_rows(history);
        metrics.memory_estimate = budget.estimate;
        metrics.estimated_lines = budget.size.lines;
        metrics.estimated_orders = budget.size.orders;
        rc = eng_metrics_write(&p, &metrics, setup->outdir, eng_err_fresh(&err));
    }
    if (rc == ENG_OK)
        rc = eng_outdir_commit(setup->outdir, eng_err_fresh(&err));
    eng_progress_stop(progress); /* its line cleared before the summary or an error */
    if (setup)
        setup->progress = NULL;
    if (rc == ENG_OK) {
        committed = 1;
        if (!a->quiet) {
            eng_summary_print(stdout, &p, &outputs, &report, inv, a->out, eng_metrics_now() - t0);
            printf("  report         %s/report.html\n", a->out);
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
        if (setup)
            eng_outdir_settle(setup->outdir);
        eng_err_print(&err); /* err may point into the products: before they go */
    }
    eng_outputs_release(&outputs);
    free(alerts);
    free(analysis);
    eng_alerts_totals_release(&totals);
    eng_allocation_free(alloc);
    eng_book_free(book);
    eng_history_free(history);
    eng_returns_release(&returns);
    eng_batches_free(batches);
    eng_budget_release(&budget);
    eng_setup_free(setup);
    return committed ? 0 : eng_rc_exit_code(rc);
}
