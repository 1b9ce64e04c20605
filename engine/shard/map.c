/* A map task of a sharded night (shard.h): its share of the orders files read and checked
 * as `slipway run` reads them, its rows cut into the night's buckets by order identity. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/exchange.h"
#include "../intake/ingest.h"
#include "batch_wire.h"
#include "tasks.h"

typedef struct map_out {
    const eng_batches *bs;
    const eng_plan *plan;
    unsigned task;
    int work_fd;
    const char *work;
    eng_done *done; /* files[1 + j]: bucket j's */
} map_out;

/* Encode and write bucket j, a MB at a time: one pool task per bucket. */
static eng_rc write_bucket(void *ctx, size_t j, unsigned worker, eng_err *err)
{
    (void)worker;
    const map_out *m = ctx;
    char name[FMT_EXCHANGE_NAME_MAX];
    eng_map_file_name(name, sizeof name, m->task, (int)j);
    fmt_exchange_out *x = NULL;
    ENG_TRY(fmt_exchange_create(m->work_fd, m->work, name, "map-bucket", &x, err));
    fmt_buf b;
    fmt_buf_init(&b);
    eng_rc rc =
        eng_wire_put_bucket(m->bs, (unsigned)j, m->plan->shards, &b, eng_exchange_flush, x, err);
    if (rc == ENG_OK)
        rc = fmt_exchange_append(x, &b, err);
    fmt_buf_release(&b);
    if (rc != ENG_OK) {
        fmt_exchange_abandon(x);
        return rc;
    }
    return fmt_exchange_finish(x, &m->done->files[1 + j], err);
}

static eng_rc write_map_results(const eng_setup *setup, const eng_batches *bs,
                                const unsigned char *mine, const eng_plan *plan, unsigned task,
                                int work_fd, const char *work, eng_err *err)
{
    eng_done *d = calloc(1, sizeof *d);
    if (!d)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    fmt_buf b;
    fmt_buf_init(&b);
    eng_wire_put_facts(setup, bs, mine, &b);
    char name[FMT_EXCHANGE_NAME_MAX];
    eng_map_file_name(name, sizeof name, task, -1);
    eng_rc rc = fmt_exchange_write(work_fd, work, name, "map-facts", &b, &d->files[0], err);
    fmt_buf_release(&b);
    map_out m = {bs, plan, task, work_fd, work, d};
    if (rc == ENG_OK)
        rc = eng_pool_for(setup->pool, plan->shards, write_bucket, &m, err);
    d->n = 1 + plan->shards;
    /* Test hook (tests/slurm.sh): SLIPWAY_TEST_MAP_HOLD=I:S holds map task I for S seconds
     * between its files and its record of them, so that a test can cancel it mid-way. */
    const char *hold = getenv("SLIPWAY_TEST_MAP_HOLD");
    unsigned hold_task, hold_seconds;
    if (rc == ENG_OK && hold && sscanf(hold, "%u:%u", &hold_task, &hold_seconds) == 2 &&
        hold_task == task)
        sleep(hold_seconds);
    if (rc == ENG_OK)
        rc = eng_done_write(work_fd, work, "map", task, plan, d, err);
    free(d);
    return rc;
}

int eng_task_map(const eng_plan *plan, eng_run_args_parser parse, int work_fd, const char *work,
                 unsigned task)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    if (eng_task_done_before(work_fd, plan, "map", task))
        return 0; /* run before, whole: nothing to do */
    eng_run_args a;
    int exit_code = eng_task_args(plan, parse, &a);
    if (exit_code >= 0)
        return exit_code;
    a.no_output = 1;
    unsigned char *mine = calloc(a.n_orders ? a.n_orders : 1, 1);
    eng_setup *setup = NULL;
    eng_batches *bs = NULL;
    eng_rc rc = mine ? ENG_OK : ENG_FAIL(&err, ENG_NOMEM, "out of memory");
    /* the plan's list of files checked against its arguments before it is dealt */
    if (rc == ENG_OK)
        rc = eng_plan_check_inputs(plan, &a, NULL, &err);
    if (rc == ENG_OK)
        eng_plan_share(plan, a.orders, task, mine);
    if (rc == ENG_OK)
        rc = eng_setup_new(&a, &setup, eng_err_fresh(&err));
    if (rc == ENG_OK) {
        setup->read_files = mine;
        setup->chunk_stride = plan->shards;
        setup->chunk_slot = task;
        setup->dup_key = &plan->key;
        rc = eng_batches_read(setup, NULL, &bs, eng_err_fresh(&err));
    }
    if (rc == ENG_OK)
        rc = write_map_results(setup, bs, mine, plan, task, work_fd, work, eng_err_fresh(&err));
    if (rc != ENG_OK)
        eng_err_print(&err);
    eng_batches_free(bs);
    eng_setup_free(setup);
    free(mine);
    eng_run_args_release(&a);
    return rc == ENG_OK ? 0 : eng_rc_exit_code(rc);
}
