/* `slipway reconcile`: the stages in order, into an atomic output folder. */
#include "reconcile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../formats/currency.h"
#include "../../formats/isotime.h"
#include "../base/outdir.h"
#include "../base/progress.h"
#include "rc_int.h"
#include "rc_match.h"

static void release(rc_state *rc)
{
    eng_vmap_free(rc->text);
    eng_vmap_free(rc->keys);
    eng_idset_free(rc->line_ids);
    eng_arena_free(rc->line_text);
    eng_vmap_free(rc->ledger_keys);
    free(rc->slip_refs);
    eng_vmap_free(rc->return_nos);
    free(rc->orders);
    free(rc->lines);
    free(rc->by_order);
    free(rc->payouts);
    for (size_t i = 0; i < rc->n_exc; i++)
        free(rc->exc[i].message);
    free(rc->exc);
    for (size_t i = 0; i < rc->n_inputs; i++)
        free(rc->inputs[i].path);
    free(rc->inputs);
    fmt_policy_release(&rc->policy);
    for (size_t i = 0; i < rc->n_maps; i++)
        fmt_payout_map_free(rc->maps[i]);
    free(rc->maps);
}

static int fail(const eng_err *err)
{
    if (err->path && err->line)
        fprintf(stderr, "slipway: %s:%llu: %s\n", err->path, (unsigned long long)err->line,
                err->msg);
    else if (err->path)
        fprintf(stderr, "slipway: %s: %s\n", err->path, err->msg);
    else
        fprintf(stderr, "slipway: %s\n", err->msg);
    return eng_rc_exit_code(err->rc);
}

/* The payout files' sizes on disk, for the progress display (0: one is no file). */
static uint64_t payouts_bytes(const eng_reconcile_args *a)
{
    uint64_t total = 0;
    for (size_t i = 0; i < a->n_payouts; i++) {
        struct stat st;
        if (stat(a->payouts[i], &st) != 0 || !S_ISREG(st.st_mode))
            return 0;
        total += (uint64_t)st.st_size;
    }
    return total;
}

/* A payout mapping, named in the manifest's inputs. */
static eng_rc load_map(rc_state *rc, const char *path, eng_err *err)
{
    rc_input *in = eng__rc_input(rc, path, "payout_mapping");
    if (!in)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    fmt_input_info info;
    ENG_TRY(fmt_payout_map_load(path, &rc->maps[rc->n_maps], &info, err));
    in->format = rc->maps[rc->n_maps]->name;
    rc->n_maps++;
    in->bytes = info.bytes;
    memcpy(in->sha256, info.sha256, sizeof in->sha256);
    return ENG_OK;
}

int eng_reconcile_main(const eng_reconcile_args *a)
{
    rc_state rc;
    memset(&rc, 0, sizeof rc);
    rc.args = a;
    rc.last_night = RC_NO_DAY;
    fmt_policy_defaults(&rc.policy);
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_rc r = ENG_OK;
    rc.text = eng_vmap_new();
    rc.keys = eng_vmap_new();
    rc.line_ids = eng_idset_new();
    rc.line_text = eng_arena_new(1u << 20);
    rc.ledger_keys = eng_vmap_new();
    rc.return_nos = eng_vmap_new();
    if (!rc.text || !rc.keys || !rc.line_ids || !rc.line_text || !rc.ledger_keys ||
        !rc.return_nos || eng__rc_intern(&rc, "", 0) != 0)
        r = ENG_FAIL(&err, ENG_NOMEM, "out of memory");
    if (r == ENG_OK && a->policy) {
        rc_input *in = eng__rc_input(&rc, a->policy, "policy");
        fmt_input_info info;
        r = in ? fmt_policy_load(a->policy, &rc.policy, &info, &err)
               : ENG_FAIL(&err, ENG_NOMEM, "out of memory");
        if (r == ENG_OK) {
            in->bytes = info.bytes;
            memcpy(in->sha256, info.sha256, sizeof in->sha256);
        }
    }
    int forced_map = a->payout_format && strncmp(a->payout_format, "map:", 4) == 0;
    if (r == ENG_OK && !(rc.maps = calloc(a->n_payout_maps + 1, sizeof *rc.maps)))
        r = ENG_FAIL(&err, ENG_NOMEM, "out of memory");
    for (size_t i = 0; r == ENG_OK && i < a->n_payout_maps + (size_t)forced_map; i++)
        r = load_map(&rc, i < a->n_payout_maps ? a->payout_maps[i] : a->payout_format + 4, &err);
    rc.forced_map = forced_map;
    rc.progress =
        eng_progress_wanted(a->progress, a->quiet) ? eng_progress_start("reconcile") : NULL;
    if (r == ENG_OK)
        r = eng__rc_read_history(&rc, &err);
    if (r == ENG_OK && rc.slip_rows == 0)
        fprintf(stderr, "slipway: warning: the --history given holds no slips, so nothing "
                        "shipped is known and every paid order will be PAID_NOT_SHIPPED; give "
                        "the run folders (or their slips.csv) as --history too\n");
    if (r == ENG_OK && rc.last_night != RC_NO_DAY && a->as_of < rc.last_night) {
        char d[11], l[11];
        fmt_isodate_format(a->as_of, d);
        fmt_isodate_format(rc.last_night, l);
        fprintf(stderr,
                "slipway: warning: --as-of %s is before the last slip (%s): items are "
                "aged as of a day before they shipped\n",
                d, l);
    }
    eng_progress_stage(rc.progress, "reading payouts", payouts_bytes(a), a->n_payouts);
    if (r == ENG_OK)
        r = eng__rc_read_payouts(&rc, &err);
    eng_progress_stage(rc.progress, "matching", 0, 0);
    if (r == ENG_OK && eng__rc_attribute(&rc) != ENG_OK)
        r = ENG_FAIL(&err, ENG_NOMEM, "out of memory");
    eng_outdir *od = NULL;
    eng_progress_stage(rc.progress, "writing outputs", 0, 0);
    if (r == ENG_OK)
        r = eng_outdir_begin(a->out, a->file_mode, &od, eng_err_fresh(&err));
    if (r == ENG_OK)
        r = eng__rc_write(&rc, od, &err);
    if (r == ENG_OK)
        r = eng_outdir_commit(od, eng_err_fresh(&err));
    eng_progress_stop(rc.progress); /* (when the write did not already) */
    rc.progress = NULL;
    if (r != ENG_OK && od)
        eng_outdir_settle(od); /* the signal watcher stopped before the message */
    /* before the folder and the state are freed: err may name a file of either */
    int code = r == ENG_OK ? 0 : fail(&err);
    eng_outdir_free(od);
    release(&rc);
    return code;
}
