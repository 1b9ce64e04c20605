/* The counts are recounted from the rows' final flags when asked for: a few passes over
 * bytes per row, next to a night's parsing. */
#include "error_rate.h"

eng_rate eng_error_rate_of_orders(const eng_batches *batches, size_t f)
{
    eng_rate r = {0, 0};
    for (size_t b = 0; b < batches->n; b++) {
        const eng_batch *bt = batches->items[b];
        if (bt->file != f)
            continue;
        /* A row of an order with a marketplace state is not an error (README). */
        for (size_t i = 0; i < bt->n_rows; i++)
            r.bad += (bt->row_flags[i] & (ENG_ROW_BAD | ENG_ROW_MUTED)) == ENG_ROW_BAD;
        /* Lines swallowed by a malformed record count as bad rows of their own. */
        r.bad += bt->swallowed_lines;
        r.rows += bt->n_rows + bt->swallowed_lines;
    }
    return r;
}

eng_rc eng_error_rate_check_file(const eng_setup *setup, size_t source, eng_rate r, eng_err *err)
{
    int64_t ppm = setup->policy.max_error_rate_ppm;
    /* bad / rows > ppm / 10^6, in integers; files under 100 rows are not judged. */
    if (r.rows < 100 || (__int128)r.bad * 1000000 <= (__int128)ppm * r.rows)
        return ENG_OK;
    err->path = setup->sources[source].path;
    err->line = 0;
    err->field = NULL;
    return ENG_FAIL(err, ENG_REFUSED,
                    "%llu of %llu rows (%.1f%%) have MALFORMED_ROW, BAD_ENCODING, "
                    "UNSAFE_TEXT, MISSING_FIELD or BAD_* codes, above max_error_rate %.4g: is this "
                    "the right file and format? Nothing was written",
                    (unsigned long long)r.bad, (unsigned long long)r.rows,
                    100.0 * (double)r.bad / (double)r.rows, (double)ppm / 1e6);
}

eng_rc eng_error_rate_check_orders(const eng_setup *setup, const eng_batches *batches, eng_err *err)
{
    for (size_t f = 0; f < setup->n_order_files; f++)
        ENG_TRY(eng_error_rate_check_file(setup, f, eng_error_rate_of_orders(batches, f), err));
    return ENG_OK;
}
