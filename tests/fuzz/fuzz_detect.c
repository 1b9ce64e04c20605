/* libFuzzer harness: marketplace header detection, binding and the first records.
 *
 * The input is the start of an orders file, as ingest sees it (engine/intake/ingest.c, detect):
 * each built-in layout splits the first record with a non-blank field in its own dialect
 * and scores it; the best score wins, the canonical layout on a tie. The harness checks
 * that fmt_layout_detect() on a comma-split header picks a layout with the highest score,
 * binds the winner to its header (as --format auto would), checks every source_column it
 * reports names a header column or says why not, and runs the layout's transform on the
 * next few records, so a header that binds oddly is also read. */
#include "../../formats/canon.h"
#include "../../formats/layout.h"
#include "fuzz_util.h"

#define MAX_RECORDS 8

/* The first record with a non-blank field, split into f. 1 when found. */
static int first_record(fmt_csv_iter *it, fmt_csv_fields *f)
{
    fmt_str rec;
    uint64_t line;
    while (fmt_csv_iter_next(it, &rec, &line)) {
        eng_rc rc = fmt_csv_split(f, rec.p, rec.len);
        if (rc == ENG_NOMEM)
            abort();
        for (size_t i = 0; i < fmt_csv_count(f); i++)
            if (fmt_csv_field(f, i).len)
                return 1;
    }
    return 0;
}

static void check_transform(const fmt_layout *l, const void *bind, fmt_csv_iter *it, fmt_out *out)
{
    fmt_csv_fields *f = fmt_csv_fields_new(l->dialect);
    if (!f)
        abort();
    fmt_str rec;
    uint64_t line;
    for (int k = 0; k < MAX_RECORDS && fmt_csv_iter_next(it, &rec, &line); k++) {
        if (fmt_csv_split(f, rec.p, rec.len) == ENG_NOMEM)
            abort();
        fmt_out_reset(out);
        if (l->transform(l, bind, f, out) != ENG_OK)
            abort(); /* ENG_NOMEM only */
        for (size_t r = 0; r < out->n; r++)
            for (int c = 0; c < FMT_COL_COUNT; c++)
                if (!out->rows[r].v[c].p)
                    abort(); /* blank is {"", 0}, never NULL */
    }
    fmt_csv_fields_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    size_t n_all;
    const fmt_layout *const *all = fmt_layout_all(&n_all);
    const fmt_layout *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < n_all; i++) {
        fmt_csv_fields *f = fmt_csv_fields_new(all[i]->dialect);
        if (!f)
            abort();
        fmt_csv_iter it;
        fmt_csv_iter_init(&it, p, size, 1, all[i]->dialect);
        int score = first_record(&it, f) ? all[i]->detect(all[i], f) : 0;
        if (score < 0)
            abort();
        if (score > best_score) {
            best = all[i];
            best_score = score;
        }
        fmt_csv_fields_free(f);
    }

    /* fmt_layout_detect on the comma-split header: the layout it names scores highest. */
    fmt_csv_fields *h = fmt_csv_fields_new(FMT_CSV);
    if (!h)
        abort();
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, p, size, 1, FMT_CSV);
    if (first_record(&it, h)) {
        const fmt_layout *d = fmt_layout_detect(h);
        int top = 0;
        for (size_t i = 0; i < n_all; i++) {
            int s = all[i]->detect(all[i], h);
            top = s > top ? s : top;
        }
        if ((d == NULL) != (top == 0) || (d && d->detect(d, h) != top))
            abort();
    }
    fmt_csv_fields_free(h);
    if (!best)
        return 0;

    /* Bind the winner as ingest does, and read a few records through it. */
    fmt_csv_fields *f = fmt_csv_fields_new(best->dialect);
    if (!f)
        abort();
    fmt_csv_iter_init(&it, p, size, 1, best->dialect);
    if (!first_record(&it, f))
        abort(); /* it scored above 0, so it has a header */
    eng_err err;
    memset(&err, 0, sizeof err);
    void *bind = NULL;
    eng_rc rc = best->bind(best, f, &bind, &err);
    if (rc != ENG_OK && rc != ENG_REFUSED)
        abort();
    if (rc == ENG_OK) {
        int n_header = (int)fmt_csv_count(f);
        for (int c = 0; c < FMT_COL_COUNT; c++) {
            int at = best->source_column ? best->source_column(best, bind, (fmt_col)c) : -1;
            if (at >= n_header || (at < 0 && at != -1 && at != FMT_LAYOUT_NO_COLUMN))
                abort();
        }
        fmt_out out;
        if (fmt_out_init(&out) != ENG_OK)
            abort();
        check_transform(best, bind, &it, &out);
        fmt_out_release(&out);
        best->unbind(bind);
    } else if (err.msg[0] == '\0') {
        abort(); /* a refusal says why */
    }
    fmt_csv_fields_free(f);
    return 0;
}
