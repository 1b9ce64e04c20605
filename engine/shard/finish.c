/* The finishing task of a sharded night (shard.h): the night's book put together from
 * every group task's file, and the rest of `slipway run` from there (returns and history,
 * allocation, outputs) into --out, atomically. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../formats/exchange.h"
#include "../run.h"
#include "book_wire.h"
#include "tasks.h"

typedef struct finish_ctx {
    const eng_plan *plan;
    int work_fd;
    const char *work;
    eng_done **map_done;   /* per map task */
    eng_done **group_done; /* per group task */
    eng_book_loader *loader;
} finish_ctx;

static eng_rc load_group(void *ctx, size_t j, unsigned worker, eng_err *err)
{
    (void)worker;
    const finish_ctx *c = ctx;
    char name[FMT_EXCHANGE_NAME_MAX], what[FMT_EXCHANGE_NAME_MAX + 256];
    eng_group_file_name(name, sizeof name, (unsigned)j);
    snprintf(what, sizeof what, "%s/%s", c->work, name);
    const fmt_exchange_file *f =
        eng_done_listed(c->group_done, c->work, "group", (unsigned)j, name, err);
    if (!f)
        return ENG_REFUSED;
    fmt_exchange_in *x = NULL;
    eng_rc rc = fmt_exchange_open(c->work_fd, c->work, name, "group-orders", f->sha256, &x, err);
    if (rc == ENG_OK)
        rc = eng_book_load_group(c->loader, (unsigned)j, x, what, err);
    if (rc == ENG_OK)
        rc = fmt_exchange_finish_in(x, err);
    else if (x)
        fmt_exchange_close_in(x);
    return rc;
}

/* The batches from the map tasks' facts (their shapes), completed with their rows' flags
 * and exceptions by the group tasks' files, which also hold the book. */
static eng_rc load_from_work(const eng_setup *setup, void *ctx, eng_batches **batches,
                             eng_book **book, eng_err *err)
{
    finish_ctx *c = ctx;
    eng_wire_loader *facts = NULL;
    eng_batches *bs = NULL;
    eng_rc rc = eng_map_facts_load(c->plan, c->work_fd, c->work, c->map_done, setup, &facts, err);
    if (rc == ENG_OK)
        rc = eng_wire_loader_take(facts, NULL, &bs, err);
    eng_wire_loader_free(facts);
    if (rc == ENG_OK)
        rc = eng_book_loader_new(setup, bs, c->plan->shards, &c->loader, err);
    if (rc == ENG_OK)
        rc = eng_pool_for(setup->pool, c->plan->shards, load_group, c, err);
    if (rc == ENG_OK)
        rc = eng_book_loader_take(c->loader, book, err);
    eng_book_loader_free(c->loader);
    c->loader = NULL;
    *batches = bs; /* the run frees them, whatever happened */
    return rc;
}

int eng_task_finish(const eng_plan *plan, eng_run_args_parser parse, int work_fd, const char *work)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_done **map_done = eng_done_array_new(plan->shards),
             **group_done = eng_done_array_new(plan->shards);
    if (!map_done || !group_done) {
        eng_done_array_free(map_done, plan->shards);
        eng_done_array_free(group_done, plan->shards);
        fprintf(stderr, "slipway: out of memory\n");
        return 1;
    }
    eng_run_args a;
    int exit_code = eng_task_args(plan, parse, &a);
    struct stat st;
    if (exit_code >= 0) {
        /* the plan's arguments refused (said) */
    } else if (eng_task_done_before(work_fd, plan, "finish", 0) && lstat(a.out, &st) == 0) {
        exit_code = 0; /* finished before, and its output folder is there */
    } else if (!eng_phase_ready(plan, work_fd, work, "map", map_done, "finish") ||
               !eng_phase_ready(plan, work_fd, work, "group", group_done, "finish")) {
        exit_code = 3;
    } else if (eng_plan_check_inputs(plan, &a, NULL, &err) != ENG_OK) {
        eng_err_print(&err);
        exit_code = eng_rc_exit_code(err.rc);
    } else {
        finish_ctx c = {plan, work_fd, work, map_done, group_done, NULL};
        exit_code = eng_run_from(&a, load_from_work, &c);
        static const eng_done none; /* a record of no files: the night is in DIR */
        if (exit_code == 0 &&
            eng_done_write(work_fd, work, "finish", 0, plan, &none, &err) != ENG_OK)
            fprintf(stderr, "slipway: warning: %s (the output folder is complete)\n", err.msg);
    }
    eng_run_args_release(&a);
    eng_done_array_free(map_done, plan->shards);
    eng_done_array_free(group_done, plan->shards);
    return exit_code;
}
