/* A group task of a sharded night (shard.h): bucket J's rows from every map task grouped
 * into orders and checked as a whole, exactly as the orders stage of `slipway run` does
 * for those orders (a bucket holds every row of its order ids, from every file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/exchange.h"
#include "../base/strset.h"
#include "../book/orders.h"
#include "../intake/history.h"
#include "book_wire.h"
#include "tasks.h"

/* Bucket J's rows from every map task (each map task's facts first). */
static eng_rc load_rows(const eng_plan *plan, int work_fd, const char *work,
                        eng_done *const *map_done, const eng_setup *setup, unsigned bucket,
                        const unsigned char *here, eng_batches **out, eng_err *err)
{
    eng_wire_loader *l = NULL;
    ENG_TRY(eng_map_facts_load(plan, work_fd, work, map_done, setup, &l, err));
    eng_rc rc = ENG_OK;
    for (unsigned t = 0; t < plan->shards && rc == ENG_OK; t++) {
        char name[FMT_EXCHANGE_NAME_MAX], what[FMT_EXCHANGE_NAME_MAX + 256];
        eng_map_file_name(name, sizeof name, t, (int)bucket);
        snprintf(what, sizeof what, "%s/%s", work, name);
        const fmt_exchange_file *f = eng_done_listed(map_done, work, "map", t, name, err);
        fmt_exchange_in *x = NULL;
        rc = f ? fmt_exchange_open(work_fd, work, name, "map-bucket", f->sha256, &x, err)
               : ENG_REFUSED;
        if (rc == ENG_OK)
            rc = eng_wire_load_bucket(l, t, bucket, x, what, err);
        if (rc == ENG_OK)
            rc = fmt_exchange_finish_in(x, err);
        else if (x)
            fmt_exchange_close_in(x);
    }
    if (rc == ENG_OK)
        rc = eng_wire_loader_take(l, here, out, err);
    eng_wire_loader_free(l);
    return rc;
}

/* What history must keep in full for the bucket's orders: their ids. */
static eng_rc bucket_history(const eng_setup *setup, const eng_batches *bs,
                             const unsigned char *here, eng_history **out, eng_err *err)
{
    *out = NULL;
    if (!setup->n_history_files)
        return ENG_OK;
    eng_strset *ids = eng_strset_new(), *no_requests = eng_strset_new();
    eng_rc rc = ids && no_requests ? ENG_OK : ENG_FAIL(err, ENG_NOMEM, "out of memory");
    if (rc == ENG_OK)
        rc = eng_batches_order_ids(bs, here, ids, err);
    if (rc == ENG_OK)
        rc = eng_history_load(setup, ids, no_requests, out, err);
    eng_strset_free(ids);
    eng_strset_free(no_requests);
    return rc;
}

static eng_rc write_group(const eng_batches *bs, const eng_book *book, const eng_plan *plan,
                          unsigned bucket, int work_fd, const char *work, eng_err *err)
{
    eng_done *d = calloc(1, sizeof *d);
    if (!d)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    char name[FMT_EXCHANGE_NAME_MAX];
    eng_group_file_name(name, sizeof name, bucket);
    fmt_exchange_out *x = NULL;
    eng_rc rc = fmt_exchange_create(work_fd, work, name, "group-orders", &x, err);
    fmt_buf b;
    fmt_buf_init(&b);
    if (rc == ENG_OK)
        rc = eng_book_wire_put(bs, book, bucket, plan->shards, &b, eng_exchange_flush, x, err);
    if (rc == ENG_OK)
        rc = fmt_exchange_append(x, &b, err);
    fmt_buf_release(&b);
    if (rc == ENG_OK) {
        rc = fmt_exchange_finish(x, &d->files[0], err);
        d->n = 1;
    } else if (x) {
        fmt_exchange_abandon(x);
    }
    if (rc == ENG_OK)
        rc = eng_done_write(work_fd, work, "group", bucket, plan, d, err);
    free(d);
    return rc;
}

int eng_task_group(const eng_plan *plan, eng_run_args_parser parse, int work_fd, const char *work,
                   unsigned bucket)
{
    if (eng_task_done_before(work_fd, plan, "group", bucket))
        return 0; /* run before, whole: nothing to do */
    eng_run_args a;
    int exit_code = eng_task_args(plan, parse, &a);
    if (exit_code >= 0)
        return exit_code;
    a.no_output = 1;
    eng_done **map_done = eng_done_array_new(plan->shards);
    if (!map_done) {
        fprintf(stderr, "slipway: out of memory\n");
        eng_run_args_release(&a);
        return 1;
    }
    char then[40];
    snprintf(then, sizeof then, "group task %u", bucket);
    if (!eng_phase_ready(plan, work_fd, work, "map", map_done, then)) {
        eng_done_array_free(map_done, plan->shards);
        eng_run_args_release(&a);
        return 3;
    }
    eng_err err;
    memset(&err, 0, sizeof err);
    unsigned char here[ENG_PARTS + 1];
    for (size_t p = 0; p <= ENG_PARTS; p++)
        here[p] = eng_bucket_of_part(p, plan->shards) == bucket;
    eng_setup *setup = NULL;
    eng_batches *bs = NULL;
    eng_history *history = NULL;
    eng_book *book = NULL;
    eng_rc rc = eng_plan_check_inputs(plan, &a, NULL, &err);
    if (rc == ENG_OK)
        rc = eng_setup_new(&a, &setup, eng_err_fresh(&err));
    if (rc == ENG_OK)
        rc =
            load_rows(plan, work_fd, work, map_done, setup, bucket, here, &bs, eng_err_fresh(&err));
    if (rc == ENG_OK)
        rc = bucket_history(setup, bs, here, &history, eng_err_fresh(&err));
    if (rc == ENG_OK)
        rc = eng_book_build_some(setup, bs, history, here, &book, eng_err_fresh(&err));
    if (rc == ENG_OK)
        rc = write_group(bs, book, plan, bucket, work_fd, work, eng_err_fresh(&err));
    if (rc != ENG_OK)
        eng_err_print(&err);
    eng_book_free(book);
    eng_history_free(history);
    eng_batches_free(bs);
    eng_setup_free(setup);
    eng_done_array_free(map_done, plan->shards);
    eng_run_args_release(&a);
    return rc == ENG_OK ? 0 : eng_rc_exit_code(rc);
}
