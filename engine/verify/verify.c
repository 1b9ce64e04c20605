/* slipway verify's driver: read manifest.json, check every hash it records (invariant 6),
 * load the outputs and inputs, then run the checks of invariants 1-5 on what was read.
 *
 * Order matters only for messages: hashes first, so that a changed file is named before
 * the invariants it breaks. Every check runs from the files even when a hash already
 * failed, so a manifest rewritten to match edited outputs hides nothing. */
#include "verify.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../formats/currency.h"
#include "../../formats/num.h"
#include "../../formats/sha256.h"
#include "verify_int.h"

static const fmt_column slip_cols[SL_COUNT] = {
    {"slip_no", 1},    {"order_id", 1},    {"sku", 1},      {"qty", 1},
    {"unit_price", 1}, {"line_amount", 1}, {"currency", 1}, {"warehouse", 1},
};
static const fmt_column status_cols[ST_COUNT] = {
    {"order_id", 1}, {"status", 1},   {"lines", 1}, {"units", 1},
    {"amount", 1},   {"currency", 1}, {"code", 1},
};
static const fmt_column exc_cols[EX_COUNT] = {
    {"source", 1}, {"line", 1}, {"record_id", 1}, {"code", 1}};
static const fmt_column inv_cols[IV_COUNT] = {
    {"sku", 1}, {"warehouse", 0}, {"on_hand", 1}, {"safety_stock", 0}};
static const fmt_column ledger_cols[LG_COUNT] = {
    {"return_no", 1},   {"request_id", 1}, {"order_id", 1}, {"sku", 1},           {"qty", 1},
    {"resolution", 1},  {"decision", 1},   {"code", 1},     {"refund_amount", 1}, {"currency", 1},
    {"restock_qty", 1}, {"warehouse", 1},  {"status", 1},
};
/* History ledgers of other slipway versions may lack columns tonight's has. */
static const fmt_column hist_ledger_cols[LG_COUNT] = {
    {"return_no", 0},   {"request_id", 1}, {"order_id", 1}, {"sku", 1},           {"qty", 1},
    {"resolution", 0},  {"decision", 1},   {"code", 0},     {"refund_amount", 0}, {"currency", 0},
    {"restock_qty", 0}, {"warehouse", 0},  {"status", 0},
};

/* ---- small helpers shared by the checks ---- */

int eng__verify_minor(const char *amount, const char *cur, int64_t *out)
{
    int c = fmt_currency_find(cur, strlen(cur));
    fmt_dec d;
    if (c < 0 || fmt_dec_parse(amount, strlen(amount), &d) != FMT_NUM_OK)
        return -1;
    return fmt_dec_to_minor(d, fmt_currency_minor_digits(c), out) == FMT_NUM_OK ? 0 : -1;
}

void *eng__verify_fit(void *arr, size_t *cap, size_t index, size_t elem, size_t first)
{
    if (index < *cap)
        return arr;
    size_t nc = *cap ? *cap : first;
    while (nc <= index)
        nc *= 2;
    unsigned char *grown = realloc(arr, nc * elem);
    if (!grown)
        return NULL;
    memset(grown + *cap * elem, 0, (nc - *cap) * elem);
    *cap = nc;
    return grown;
}

int eng__verify_count(const char *s, int blank_is_zero, int64_t *out)
{
    if (!*s && blank_is_zero) {
        *out = 0;
        return 0;
    }
    int64_t v;
    if (fmt_int_parse(s, strlen(s), &v) != FMT_NUM_OK || v < 0 || s[0] == '+' || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int eng__verify_int_text(const char *s, int64_t *out)
{
    return fmt_int_parse(s, strlen(s), out) == FMT_NUM_OK ? 0 : -1;
}

void eng__verify_lines(char *dst, size_t cap, const uint64_t *lines, size_t n)
{
    enum { MAX = 10 };
    size_t o = 0;
    dst[0] = '\0';
    for (size_t i = 0; i < n && i < MAX && o < cap; i++)
        o += (size_t)snprintf(dst + o, cap - o, "%s%llu", i ? ", " : "",
                              (unsigned long long)lines[i]);
    if (n > MAX && o < cap)
        snprintf(dst + o, cap - o, " and %zu more", n - MAX);
}

/* ---- files ---- */

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* SHA-256 in hex and size of a file's bytes: 0, or -1 with errno. */
static int hash_file(const char *path, char hex[65], uint64_t *bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fmt_sha256 *h = fmt_sha256_new();
    char *buf = malloc(1u << 16);
    if (!h || !buf) {
        fmt_sha256_free(h);
        free(buf);
        fclose(f);
        errno = ENOMEM;
        return -1;
    }
    uint64_t total = 0;
    size_t n;
    while ((n = fread(buf, 1, 1u << 16, f)) > 0) {
        fmt_sha256_update(h, buf, n);
        total += n;
    }
    int bad = ferror(f);
    fclose(f);
    free(buf);
    fmt_sha256_final_hex(h, hex);
    fmt_sha256_free(h);
    if (bad) {
        errno = EIO;
        return -1;
    }
    *bytes = total;
    return 0;
}

/* Whole file into a NUL-terminated buffer: 0, or -1 with errno. */
static int slurp(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fmt_buf b;
    fmt_buf_init(&b);
    char tmp[8192];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        fmt_buf_put(&b, tmp, n);
    fmt_buf_putc(&b, '\0');
    int bad = ferror(f);
    fclose(f);
    if (bad || b.failed) {
        fmt_buf_release(&b);
        errno = bad ? EIO : ENOMEM;
        return -1;
    }
    *out = b.p;
    *len = b.len - 1;
    return 0;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- manifest.json and inputs ---- */

static const char *const roles[] = {"catalog", "inventory", "policy", "mapping",
                                    "orders",  "returns",   "history"};

static int add_input(eng_vrun *v, size_t *cap, const char *role, const char *path,
                     const char *recorded, const char *sha)
{
    if (v->n_inputs == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        eng_vinput *in = realloc(v->inputs, c * sizeof *in);
        if (!in)
            return -1;
        v->inputs = in;
        *cap = c;
    }
    char *copy = strdup(path);
    if (!copy)
        return -1;
    v->inputs[v->n_inputs++] = (eng_vinput){role, copy, recorded ? recorded : copy, sha};
    return 0;
}

/* A recorded path as verify can open it: as given (relative to the working folder), or
 * relative to the folder holding DIR when the run was made from there. */
static const char *locate(const eng_vrun *v, const char *recorded, char **owned)
{
    *owned = NULL;
    if (recorded[0] == '/' || is_file(recorded))
        return recorded;
    const char *slash = strrchr(v->dir, '/');
    if (!slash)
        return recorded;
    size_t n = (size_t)(slash - v->dir);
    char *parent = strndup(v->dir, n ? n : 1);
    char *p = parent ? join(parent, recorded) : NULL;
    free(parent);
    if (p && is_file(p)) {
        *owned = p;
        return p;
    }
    free(p);
    return recorded;
}

/* The inputs to read: per role, those given on the command line, else the manifest's. */
static eng_rc collect_inputs(eng_vrun *v, const eng_verify_args *a)
{
    const eng_vjson *ins = eng_vjson_get(v->manifest, "inputs");
    size_t cap = 0;
    for (size_t r = 0; r < sizeof roles / sizeof *roles; r++) {
        const char *role = roles[r];
        const char *const *given = NULL;
        size_t n_given = 0;
        const char *one = NULL;
        if (strcmp(role, "catalog") == 0)
            one = a->catalog;
        else if (strcmp(role, "inventory") == 0)
            one = a->inventory;
        else if (strcmp(role, "policy") == 0)
            one = a->policy;
        else if (strcmp(role, "orders") == 0)
            given = a->orders, n_given = a->n_orders;
        else if (strcmp(role, "returns") == 0)
            given = a->returns, n_given = a->n_returns;
        else if (strcmp(role, "history") == 0)
            given = a->history, n_given = a->n_history;
        if (one) {
            given = &one;
            n_given = 1;
        }
        if (n_given == 0)
            given = NULL;
        size_t k = 0;
        for (size_t i = 0; i < eng_vjson_len(ins); i++) {
            const eng_vjson *in = eng_vjson_at(ins, i);
            const char *ro = eng_vjson_get_str(in, "role");
            const char *path = eng_vjson_get_str(in, "path");
            const char *sha = eng_vjson_get_str(in, "sha256");
            if (!ro || strcmp(ro, role) != 0)
                continue;
            if (!path || !sha) {
                eng_vreport_unreadable(
                    v->report, "%s/manifest.json: input %zu has no path or sha256", v->dir, i + 1);
                continue;
            }
            if (given && k >= n_given) {
                eng_vreport_broken(v->report, 6,
                                   "the run read %s file %s, which the command line does not "
                                   "give (manifest.json)",
                                   role, path);
                k++;
                continue;
            }
            char *owned = NULL;
            const char *use = given ? given[k] : locate(v, path, &owned);
            int bad = add_input(v, &cap, role, use, path, sha);
            free(owned);
            if (bad)
                return ENG_NOMEM;
            k++;
        }
        for (; given && k < n_given; k++) {
            eng_vreport_broken(v->report, 6,
                               "%s file %s is given, but manifest.json records no such input "
                               "of the run",
                               role, given[k]);
            if (add_input(v, &cap, role, given[k], NULL, NULL))
                return ENG_NOMEM;
        }
    }
    return ENG_OK;
}

static void check_input_hashes(eng_vrun *v)
{
    for (size_t i = 0; i < v->n_inputs; i++) {
        const eng_vinput *in = &v->inputs[i];
        char hex[65];
        uint64_t bytes;
        if (hash_file(in->path, hex, &bytes) != 0) {
            eng_vreport_unreadable(v->report, "%s input %s: %s", in->role, in->path,
                                   strerror(errno));
            continue;
        }
        if (in->sha256 && strcmp(hex, in->sha256) != 0)
            eng_vreport_broken(v->report, 6,
                               "input %s (%s) changed since the run: sha256 %.16s..., "
                               "manifest.json records %.16s...",
                               in->path, in->role, hex, in->sha256);
    }
}

/* Every output the manifest lists has its bytes and hash; every file in DIR but
 * manifest.json and metrics.json is listed. */
static eng_rc check_outputs(eng_vrun *v, size_t *n_outputs)
{
    const eng_vjson *outs = eng_vjson_get(v->manifest, "outputs");
    *n_outputs = 0;
    if (eng_vjson_kind(outs) != ENG_VJSON_ARRAY) {
        eng_vreport_unreadable(v->report, "%s/manifest.json has no \"outputs\" list", v->dir);
        return ENG_OK;
    }
    for (size_t i = 0; i < eng_vjson_len(outs); i++) {
        const eng_vjson *o = eng_vjson_at(outs, i);
        const char *name = eng_vjson_get_str(o, "name");
        const char *sha = eng_vjson_get_str(o, "sha256");
        const char *bytes_text = eng_vjson_text(eng_vjson_get(o, "bytes"));
        if (!name || !sha || !bytes_text || strchr(name, '/')) {
            eng_vreport_unreadable(v->report,
                                   "%s/manifest.json: output %zu lacks a name, bytes "
                                   "or sha256",
                                   v->dir, i + 1);
            continue;
        }
        char *path = join(v->dir, name);
        if (!path)
            return ENG_NOMEM;
        char hex[65];
        uint64_t bytes;
        if (hash_file(path, hex, &bytes) != 0) {
            if (errno == ENOENT)
                eng_vreport_broken(v->report, 6, "%s is listed in manifest.json but missing", name);
            else
                eng_vreport_unreadable(v->report, "%s: %s", path, strerror(errno));
        } else {
            char want_bytes[32];
            snprintf(want_bytes, sizeof want_bytes, "%llu", (unsigned long long)bytes);
            if (strcmp(hex, sha) != 0 || strcmp(want_bytes, bytes_text) != 0)
                eng_vreport_broken(v->report, 6,
                                   "%s: %llu bytes, sha256 %.16s...; manifest.json records %s "
                                   "bytes, sha256 %.16s...",
                                   name, (unsigned long long)bytes, hex, bytes_text, sha);
            (*n_outputs)++;
        }
        free(path);
    }
    DIR *d = opendir(v->dir);
    if (!d) {
        eng_vreport_unreadable(v->report, "%s: %s", v->dir, strerror(errno));
        return ENG_OK;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, "manifest.json") == 0 ||
            strcmp(n, "metrics.json") == 0)
            continue;
        int listed = 0;
        for (size_t i = 0; i < eng_vjson_len(outs) && !listed; i++) {
            const char *name = eng_vjson_get_str(eng_vjson_at(outs, i), "name");
            listed = name && strcmp(name, n) == 0;
        }
        if (!listed)
            eng_vreport_broken(v->report, 6, "%s is in the output folder but not in manifest.json",
                               n);
    }
    closedir(d);
    return ENG_OK;
}

/* The name an output has in this run: "slips.csv", or "slips.csv.zst" under --compress. */
static char *output_path(const eng_vrun *v, const char *base, const char **label)
{
    const eng_vjson *outs = eng_vjson_get(v->manifest, "outputs");
    size_t n = strlen(base);
    for (size_t i = 0; i < eng_vjson_len(outs); i++) {
        const char *name = eng_vjson_get_str(eng_vjson_at(outs, i), "name");
        if (name && strncmp(name, base, n) == 0 &&
            (name[n] == '\0' || strcmp(name + n, ".zst") == 0)) {
            *label = name;
            return join(v->dir, name);
        }
    }
    *label = base;
    char *plain = join(v->dir, base);
    if (plain && !is_file(plain)) {
        char zst[64];
        snprintf(zst, sizeof zst, "%s.zst", base);
        char *z = join(v->dir, zst);
        if (z && is_file(z)) {
            free(plain);
            return z;
        }
        free(z);
    }
    return plain;
}

static void report_err(eng_vrun *v, const char *label, const eng_err *err)
{
    if (err->line && !strstr(err->msg, label))
        eng_vreport_unreadable(v->report, "%s:%llu: %s", label, (unsigned long long)err->line,
                               err->msg);
    else if (!strstr(err->msg, label))
        eng_vreport_unreadable(v->report, "%s: %s", label, err->msg);
    else
        eng_vreport_unreadable(v->report, "%s", err->msg);
}

static eng_rc load_output(eng_vrun *v, const char *base, const fmt_column *cols, size_t n,
                          eng_vtable **out)
{
    const char *label = base;
    char *path = output_path(v, base, &label);
    if (!path)
        return ENG_NOMEM;
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_rc rc = eng_vtable_load(path, label, cols, n, out, &err);
    free(path);
    if (rc == ENG_NOMEM)
        return rc;
    if (rc != ENG_OK) {
        *out = NULL;
        report_err(v, label, &err);
    }
    return ENG_OK;
}

static eng_rc load_summary(eng_vrun *v)
{
    char *path = join(v->dir, "summary.json");
    if (!path)
        return ENG_NOMEM;
    char *text;
    size_t len;
    if (slurp(path, &text, &len) != 0) {
        eng_vreport_unreadable(v->report, "%s: %s", path, strerror(errno));
        free(path);
        return ENG_OK;
    }
    char why[200];
    int rc = eng_vjson_parse(text, len, &v->summary, why, sizeof why);
    free(text);
    if (rc == -2) {
        free(path);
        return ENG_NOMEM;
    }
    if (rc != 0)
        eng_vreport_unreadable(v->report, "%s: not JSON: %s", path, why);
    free(path);
    return ENG_OK;
}

static eng_rc load_inputs(eng_vrun *v)
{
    eng_err err;
    size_t n_hist = 0;
    for (size_t i = 0; i < v->n_inputs; i++)
        n_hist += strcmp(v->inputs[i].role, "history") == 0;
    v->hist_slips = calloc(n_hist ? n_hist : 1, sizeof *v->hist_slips);
    v->hist_ledgers = calloc(n_hist ? n_hist : 1, sizeof *v->hist_ledgers);
    if (!v->hist_slips || !v->hist_ledgers)
        return ENG_NOMEM;
    v->history_given = n_hist > 0;
    for (size_t i = 0; i < v->n_inputs; i++) {
        const eng_vinput *in = &v->inputs[i];
        memset(&err, 0, sizeof err);
        eng_rc rc = ENG_OK;
        if (strcmp(in->role, "inventory") == 0) {
            rc =
                eng_vtable_load(in->path, in->path, inv_cols, IV_COUNT, &v->inventory_before, &err);
        } else if (strcmp(in->role, "policy") == 0) {
            fmt_policy_release(&v->policy);
            rc = fmt_policy_load(in->path, &v->policy, NULL, &err);
        } else if (strcmp(in->role, "history") == 0) {
            /* Told apart by their headers, as the run tells them. */
            static const fmt_column probe_cols[] = {{"slip_no", 0}};
            eng_vtable *t = NULL;
            rc = eng_vtable_load(in->path, in->path, probe_cols, 1, &t, &err);
            int is_slips = rc == ENG_OK && eng_vtable_has(t, 0);
            eng_vtable_free(t);
            t = NULL;
            if (rc == ENG_OK) {
                memset(&err, 0, sizeof err);
                if (is_slips)
                    rc = eng_vtable_load(in->path, in->path, slip_cols, SL_COUNT, &t, &err);
                else
                    rc = eng_vtable_load(in->path, in->path, hist_ledger_cols, LG_COUNT, &t, &err);
            }
            if (rc == ENG_OK) {
                if (is_slips)
                    v->hist_slips[v->n_hist_slips++] = t;
                else
                    v->hist_ledgers[v->n_hist_ledgers++] = t;
            }
        }
        if (rc == ENG_NOMEM)
            return rc;
        if (rc != ENG_OK)
            report_err(v, in->path, &err);
    }
    return ENG_OK;
}

static void free_run(eng_vrun *v)
{
    eng_vjson_free(v->manifest);
    eng_vjson_free(v->summary);
    for (size_t i = 0; i < v->n_inputs; i++)
        free(v->inputs[i].path);
    free(v->inputs);
    eng_vtable_free(v->slips);
    eng_vtable_free(v->status);
    eng_vtable_free(v->exceptions);
    eng_vtable_free(v->inventory);
    eng_vtable_free(v->ledger);
    eng_vtable_free(v->inventory_before);
    for (size_t i = 0; i < v->n_hist_slips; i++)
        eng_vtable_free(v->hist_slips[i]);
    for (size_t i = 0; i < v->n_hist_ledgers; i++)
        eng_vtable_free(v->hist_ledgers[i]);
    free(v->hist_slips);
    free(v->hist_ledgers);
    eng_vmap_free(v->ordered);
    free(v->ordered_qty);
    fmt_policy_release(&v->policy);
    eng_vreport_free(v->report);
}

static eng_rc verify(eng_vrun *v, const eng_verify_args *a)
{
    struct stat st;
    errno = 0;
    if (stat(v->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        eng_vreport_unreadable(v->report, "%s: %s", v->dir,
                               errno ? strerror(errno) : "not a folder");
        return ENG_OK;
    }
    char *mpath = join(v->dir, "manifest.json");
    if (!mpath)
        return ENG_NOMEM;
    char *text;
    size_t len;
    if (slurp(mpath, &text, &len) != 0) {
        eng_vreport_unreadable(v->report, "%s: %s", mpath, strerror(errno));
        free(mpath);
        return ENG_OK;
    }
    char why[200];
    int prc = eng_vjson_parse(text, len, &v->manifest, why, sizeof why);
    free(text);
    if (prc == -2) {
        free(mpath);
        return ENG_NOMEM;
    }
    if (prc != 0 || eng_vjson_kind(v->manifest) != ENG_VJSON_OBJECT ||
        eng_vjson_kind(eng_vjson_get(v->manifest, "inputs")) != ENG_VJSON_ARRAY) {
        eng_vreport_unreadable(v->report, "%s: not a slipway manifest%s%s", mpath, prc ? ": " : "",
                               prc ? why : "");
        free(mpath);
        return ENG_OK;
    }
    free(mpath);

    ENG_TRY(collect_inputs(v, a));
    check_input_hashes(v);
    size_t n_outputs;
    ENG_TRY(check_outputs(v, &n_outputs));
    if (!eng_vreport_count(v->report, 6))
        eng_vreport_detail(v->report, 6, "%zu outputs and %zu inputs match their sha256", n_outputs,
                           v->n_inputs);

    ENG_TRY(load_summary(v));
    ENG_TRY(load_output(v, "slips.csv", slip_cols, SL_COUNT, &v->slips));
    ENG_TRY(load_output(v, "order_status.csv", status_cols, ST_COUNT, &v->status));
    ENG_TRY(load_output(v, "exceptions.csv", exc_cols, EX_COUNT, &v->exceptions));
    ENG_TRY(load_output(v, "inventory.csv", inv_cols, IV_COUNT, &v->inventory));
    ENG_TRY(load_output(v, "returns_ledger.csv", ledger_cols, LG_COUNT, &v->ledger));
    ENG_TRY(load_inputs(v));

    ENG_TRY(eng__verify_stock(v));
    ENG_TRY(eng__verify_orders(v));
    ENG_TRY(eng__verify_money(v));
    ENG_TRY(eng__verify_history(v));
    return ENG_OK;
}

int eng_verify_main(const eng_verify_args *a)
{
    eng_vrun v;
    memset(&v, 0, sizeof v);
    v.dir = a->dir;
    fmt_policy_defaults(&v.policy);
    v.report = eng_vreport_new();
    if (!v.report) {
        fprintf(stderr, "slipway: out of memory\n");
        return 1;
    }
    printf("slipway verify %s\n", a->dir);
    eng_rc rc = verify(&v, a);
    int code;
    if (rc != ENG_OK) {
        fprintf(stderr, "slipway: verify: out of memory\n");
        code = 1;
    } else {
        fflush(stdout);
        code = eng_vreport_print(v.report, stdout, stderr);
    }
    free_run(&v);
    return code;
}
