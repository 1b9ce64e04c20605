/* slipway verify's driver: read manifest.json, check every hash it records and the set of
 * outputs a run writes (invariant 6), load the outputs and inputs, then run the checks of
 * invariants 1-5 and verify's own checks 7-9 on what was read.
 *
 * Order matters only for messages: hashes first, so that a changed file is named before
 * the invariants it breaks. Every check runs from the files even when a hash already
 * failed, so a manifest rewritten to match edited outputs hides nothing.
 *
 * Verify reads only regular files: a manifest naming /dev/zero or a FIFO would otherwise
 * hang it or feed it endless bytes. Each path is stat()ed before anything opens it, and
 * verify's own opens use O_NONBLOCK and check the descriptor again with fstat(), so a
 * file swapped for a FIFO after the stat cannot block it. (The formats/ readers that load
 * a file afterwards open it by path again: a swap in that window is refused by the hash
 * pass having read it, or shows as a changed file.) */
#include "verify.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../formats/currency.h"
#include "../../formats/num.h"
#include "../../formats/sha256.h"
#include "../base/progress.h"
#include "verify_int.h"

static const fmt_column slip_cols[SL_COUNT] = {
    {"slip_no", 1},     {"order_id", 1},     {"channel", 1},      {"line_no", 1},
    {"sku", 1},         {"name", 1},         {"qty", 1},          {"unit_price", 1},
    {"line_amount", 1}, {"currency", 1},     {"warehouse", 1},    {"bin", 1},
    {"ship_name", 1},   {"ship_street", 1},  {"ship_city", 1},    {"ship_region", 1},
    {"ship_postal", 1}, {"ship_country", 1}, {"ship_service", 1}, {"ship_date", 1},
};
static const fmt_column status_cols[ST_COUNT] = {
    {"order_id", 1}, {"channel", 1}, {"status", 1},   {"lines", 1},
    {"units", 1},    {"amount", 1},  {"currency", 1}, {"code", 1},
};
static const fmt_column totals_cols[OT_COUNT] = {
    {"order_id", 1},        {"channel", 1},     {"currency", 1},
    {"items", 1},           {"shipping", 1},    {"tax", 1},
    {"discount", 1},        {"order_total", 1}, {"marketplace_tax", 1},
    {"payment_gateway", 1}, {"status", 1},      {"ship_date", 1},
};
static const fmt_column pick_cols[PK_COUNT] = {{"warehouse", 1}, {"bin", 1}, {"sku", 1},
                                               {"name", 1},      {"qty", 1}, {"slips", 1}};
static const fmt_column routing_cols[RT_COUNT] = {
    {"rank", 1},  {"order_id", 1},   {"channel", 1}, {"status", 1},
    {"route", 1}, {"candidates", 1}, {"chosen", 1},  {"skipped", 1},
};
static const fmt_column alert_cols[AL_COUNT] = {
    {"sku", 1},    {"warehouse", 1}, {"on_hand", 1},       {"reorder_point", 1},
    {"demand", 1}, {"shortfall", 1}, {"suggested_qty", 1}, {"code", 1},
};
static const fmt_column catalog_cols[CT_COUNT] = {
    {"sku", 1}, {"name", 1}, {"status", 1}, {"currency", 1}, {"bin", 0}};
static const fmt_column exc_cols[EX_COUNT] = {
    {"source", 1}, {"line", 1}, {"record_id", 1}, {"code", 1}};
static const fmt_column inv_cols[IV_COUNT] = {{"sku", 1},         {"warehouse", 0},
                                              {"on_hand", 1},     {"reorder_point", 0},
                                              {"reorder_qty", 0}, {"safety_stock", 0}};
static const fmt_column ledger_cols[LG_COUNT] = {
    {"return_no", 1},   {"request_id", 1}, {"order_id", 1}, {"sku", 1},           {"qty", 1},
    {"resolution", 1},  {"decision", 1},   {"code", 1},     {"refund_amount", 1}, {"currency", 1},
    {"restock_qty", 1}, {"warehouse", 1},  {"status", 1},   {"channel", 0},
};

/* backorders.csv: the canonical order columns, then line_no, open_qty, code, line_amount. */
static const fmt_column *backorder_cols(void)
{
    static fmt_column cols[BO_COUNT];
    for (int c = 0; c <= FMT_COL_DISCOUNT; c++)
        cols[c] = (fmt_column){fmt_col_name((fmt_col)c), 1};
    cols[BO_LINE_NO] = (fmt_column){"line_no", 1};
    cols[BO_OPEN_QTY] = (fmt_column){"open_qty", 1};
    cols[BO_CODE] = (fmt_column){"code", 1};
    cols[BO_LINE_AMOUNT] = (fmt_column){"line_amount", 1};
    return cols;
}

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

void eng__verify_amount_text(char *dst, size_t cap, __int128 v, int cur)
{
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_buf_put_minor128(&b, v, cur >= 0 ? fmt_currency_minor_digits(cur) : 0);
    snprintf(dst, cap, "%.*s", b.p ? (int)b.len : 0, b.p ? b.p : "");
    fmt_buf_release(&b);
}

int eng__verify_key(fmt_buf *b, const char *a, const char *c, const char *d)
{
    b->len = 0;
    fmt_buf_puts(b, a);
    fmt_buf_putc(b, ENG_VMAP_SEP);
    fmt_buf_puts(b, c);
    if (d) {
        fmt_buf_putc(b, ENG_VMAP_SEP);
        fmt_buf_puts(b, d);
    }
    fmt_buf_putc(b, '\0');
    if (b->failed)
        return -1;
    b->len--; /* NUL-terminated for messages, not part of the key */
    return 0;
}

int eng__verify_paid_key(const eng_vrun *v, fmt_buf *b, const char *channel, const char *id,
                         const char *sku)
{
    if (!v->paid_by_channel)
        return eng__verify_key(b, id, sku, NULL);
    if (!channel) {
        b->len = 0;
        return 0;
    }
    return eng__verify_key(b, channel, id, sku);
}

uint32_t eng__verify_sku(eng_vrun *v, const char *sku, size_t len)
{
    int64_t id = eng_vmap_add(v->skus, sku, len, NULL);
    return id < 0 || id >= ENG_VNONE ? ENG_VNONE : (uint32_t)id;
}

int64_t eng__verify_catalog_row(const eng_vrun *v, const char *sku)
{
    int64_t id = v->catalog_skus ? eng_vmap_find(v->catalog_skus, sku, strlen(sku)) : -1;
    return id < 0 ? -1 : v->catalog_rows[id];
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

/* errno for "not a regular file": ENODEV reads "No such device", so the message is ours. */
#define NOT_REGULAR (-1000)

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m)    ? "a folder"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISSOCK(m) ? "a socket"
                         : "not a file";
}

/* Why opening path failed with errno e, as text (buf holds it for a special file). */
static const char *why_text(int e, const char *path, char *buf, size_t cap)
{
    if (e != NOT_REGULAR)
        return strerror(e);
    struct stat st;
    snprintf(buf, cap, "not a regular file (%s); verify reads only files",
             stat(path, &st) == 0 ? kind_of(st.st_mode) : "gone");
    return buf;
}

/* path opened for reading if it is a regular file: the descriptor, or -1 with errno
 * (NOT_REGULAR for anything else). A special file is never opened: the
 * stat comes first, and O_NONBLOCK with an fstat of the descriptor covers a swap between
 * the two (opening a FIFO without it waits for a writer). */
static int open_regular(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISREG(st.st_mode)) {
        errno = NOT_REGULAR;
        return -1;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = NOT_REGULAR;
        return -1;
    }
    /* A regular file never blocks: clear O_NONBLOCK so reads behave as usual. */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK); /* best effort: regular files ignore it */
    return fd;
}

/* 0 when path is a regular file (or does not exist: its loader says so), else -1. For
 * the formats/ readers, which open by path themselves. */
static int regular_or_absent(const char *path)
{
    struct stat st;
    return stat(path, &st) != 0 || S_ISREG(st.st_mode) ? 0 : -1;
}

/* Every byte of an open file through fn: 0, or -1 with errno. Closes fd. */
static int read_all(int fd, void (*fn)(void *ctx, const char *p, size_t n), void *ctx)
{
    char *buf = malloc(1u << 16);
    if (!buf) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf, 1u << 16);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -1;
            break;
        }
        if (n == 0)
            break;
        fn(ctx, buf, (size_t)n);
    }
    int e = errno;
    free(buf);
    close(fd);
    errno = e;
    return rc;
}

typedef struct hashing {
    fmt_sha256 *h;
    uint64_t total;
} hashing;

static void hash_bytes(void *ctx, const char *p, size_t n)
{
    hashing *hs = ctx;
    fmt_sha256_update(hs->h, p, n);
    hs->total += n;
}

/* SHA-256 in hex and size of a file's bytes: 0, or -1 with errno (NOT_REGULAR for a
 * special file, which is not read). */
static int hash_file(const char *path, char hex[65], uint64_t *bytes)
{
    int fd = open_regular(path);
    if (fd < 0)
        return -1;
    hashing hs = {fmt_sha256_new(), 0};
    if (!hs.h) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    int rc = read_all(fd, hash_bytes, &hs);
    int e = errno;
    fmt_sha256_final_hex(hs.h, hex);
    fmt_sha256_free(hs.h);
    if (rc != 0) {
        errno = e;
        return -1;
    }
    *bytes = hs.total;
    return 0;
}

static void keep_bytes(void *ctx, const char *p, size_t n)
{
    fmt_buf_put(ctx, p, n);
}

/* Whole file into a NUL-terminated buffer: 0, or -1 with errno. */
static int slurp(const char *path, char **out, size_t *len)
{
    int fd = open_regular(path);
    if (fd < 0)
        return -1;
    fmt_buf b;
    fmt_buf_init(&b);
    int rc = read_all(fd, keep_bytes, &b);
    fmt_buf_putc(&b, '\0');
    if (rc != 0 || b.failed) {
        int e = rc != 0 ? errno : ENOMEM;
        fmt_buf_release(&b);
        errno = e;
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
    v->inputs[v->n_inputs++] =
        (eng_vinput){role, copy, recorded ? recorded : copy, sha, 0, 0, 0, 0};
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
    const fmt_json_value *ins = fmt_json_member(v->manifest, "inputs");
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
        for (size_t i = 0; i < fmt_json_count(ins); i++) {
            const fmt_json_value *in = fmt_json_item(ins, i);
            const char *ro = fmt_json_member_str(in, "role");
            const char *path = fmt_json_member_str(in, "path");
            const char *sha = fmt_json_member_str(in, "sha256");
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

/* Returns how many inputs could be hashed. */
static size_t check_input_hashes(eng_vrun *v)
{
    size_t n_read = 0;
    for (size_t i = 0; i < v->n_inputs; i++) {
        const eng_vinput *in = &v->inputs[i];
        char hex[65];
        uint64_t bytes;
        if (hash_file(in->path, hex, &bytes) != 0) {
            int e = errno;
            /* Named here once; the readers skip it (a special file is never opened). */
            v->inputs[i].refused = 1;
            v->inputs[i].unreadable = 1;
            char why[96];
            if (strcmp(in->path, "-") == 0) /* run --orders - < file */
                eng_vreport_unreadable(v->report,
                                       "%s input -: the run read it from standard input; give "
                                       "the file with --%s FILE",
                                       in->role, in->role);
            else
                eng_vreport_unreadable(v->report, "%s input %s: %s", in->role, in->path,
                                       why_text(e, in->path, why, sizeof why));
            continue;
        }
        n_read++;
        if (in->sha256 && strcmp(hex, in->sha256) != 0)
            eng_vreport_broken(v->report, 6,
                               "input %s (%s) changed since the run: sha256 %.16s..., "
                               "manifest.json records %.16s...",
                               in->path, in->role, hex, in->sha256);
    }
    return n_read;
}

/* Every output the manifest lists has its bytes and hash; every file in DIR but
 * manifest.json and metrics.json is listed. */
static eng_rc check_outputs(eng_vrun *v, size_t *n_outputs)
{
    const fmt_json_value *outs = fmt_json_member(v->manifest, "outputs");
    *n_outputs = 0;
    if (fmt_json_kind(outs) != FMT_JSON_T_ARRAY) {
        eng_vreport_unreadable(v->report, "%s/manifest.json has no \"outputs\" list", v->dir);
        return ENG_OK;
    }
    for (size_t i = 0; i < fmt_json_count(outs); i++) {
        const fmt_json_value *o = fmt_json_item(outs, i);
        const char *name = fmt_json_member_str(o, "name");
        const char *sha = fmt_json_member_str(o, "sha256");
        const char *bytes_text = fmt_json_value_text(fmt_json_member(o, "bytes"));
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
            else {
                char why[96];
                eng_vreport_unreadable(v->report, "%s: %s", path,
                                       why_text(errno, path, why, sizeof why));
            }
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
        for (size_t i = 0; i < fmt_json_count(outs) && !listed; i++) {
            const char *name = fmt_json_member_str(fmt_json_item(outs, i), "name");
            listed = name && strcmp(name, n) == 0;
        }
        if (!listed)
            eng_vreport_broken(v->report, 6, "%s is in the output folder but not in manifest.json",
                               n);
    }
    closedir(d);
    return ENG_OK;
}

static int listed_output(const eng_vrun *v, const char *name)
{
    const fmt_json_value *outs = fmt_json_member(v->manifest, "outputs");
    for (size_t i = 0; i < fmt_json_count(outs); i++) {
        const char *n = fmt_json_member_str(fmt_json_item(outs, i), "name");
        if (n && strcmp(n, name) == 0)
            return 1;
    }
    return 0;
}

static int in_dir(const eng_vrun *v, const char *name)
{
    char *path = join(v->dir, name);
    struct stat st;
    int found = path && stat(path, &st) == 0;
    free(path);
    return found;
}

/* The outputs every run writes (README "Outputs"), the CSV ones all plain or all .zst
 * (--compress): one missing is a finding even when manifest.json no longer lists it. (One
 * that the manifest lists is already named by check_outputs.) */
static void check_output_set(eng_vrun *v)
{
    static const char *const csv[] = {
        "slips.csv",       "picklist.csv",       "order_status.csv",
        "backorders.csv",  "exceptions.csv",     "inventory.csv",
        "alerts.csv",      "returns_ledger.csv", "returns_analysis.csv",
        "order_totals.csv"};
    size_t n_plain = 0, n_zst = 0;
    for (size_t i = 0; i < sizeof csv / sizeof *csv; i++) {
        char zst[64];
        snprintf(zst, sizeof zst, "%s.zst", csv[i]);
        int plain = in_dir(v, csv[i]), z = in_dir(v, zst);
        n_plain += (size_t)plain;
        n_zst += (size_t)z;
        if (plain && z)
            eng_vreport_broken(v->report, 6,
                               "both %s and %s are in the output folder; a run writes one of them",
                               csv[i], zst);
        else if (!plain && !z && !listed_output(v, csv[i]) && !listed_output(v, zst))
            eng_vreport_broken(v->report, 6,
                               "%s is missing: every run writes it (or %s), and manifest.json "
                               "does not list it",
                               csv[i], zst);
    }
    if (n_plain && n_zst)
        eng_vreport_broken(v->report, 6,
                           "%zu CSV outputs are plain and %zu compressed (.zst); a run writes all "
                           "of them one way",
                           n_plain, n_zst);
    if (!in_dir(v, "summary.json") && !listed_output(v, "summary.json"))
        eng_vreport_broken(v->report, 6,
                           "summary.json is missing: every run writes it, and manifest.json does "
                           "not list it");
}

/* The name an output has in this run: "slips.csv", or "slips.csv.zst" under --compress. */
static char *output_path(const eng_vrun *v, const char *base, const char **label)
{
    const fmt_json_value *outs = fmt_json_member(v->manifest, "outputs");
    size_t n = strlen(base);
    for (size_t i = 0; i < fmt_json_count(outs); i++) {
        const char *name = fmt_json_member_str(fmt_json_item(outs, i), "name");
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
    if (regular_or_absent(path) != 0) {
        char why[96];
        /* already reported by the hash pass when listed; say it here otherwise */
        if (!listed_output(v, label))
            eng_vreport_unreadable(v->report, "%s: %s", path,
                                   why_text(NOT_REGULAR, path, why, sizeof why));
        free(path);
        *out = NULL;
        return ENG_OK;
    }
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_rc rc = eng_vtable_load(path, label, cols, n, 1, out, &err);
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
        /* a missing summary.json is invariant 6's finding already */
        if (errno != ENOENT && !(errno == NOT_REGULAR && listed_output(v, "summary.json"))) {
            char why[96];
            eng_vreport_unreadable(v->report, "%s: %s", path,
                                   why_text(errno, path, why, sizeof why));
        }
        free(path);
        return ENG_OK;
    }
    char why[200];
    int rc = fmt_json_parse(text, len, &v->summary, why, sizeof why);
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

/* The encoding manifest.json records the run read input `in` from (its --encoding), or
 * NULL: UTF-8 (or UTF-16 after a byte order mark, which the reader finds itself). */
static const char *recorded_encoding(const eng_vrun *v, const eng_vinput *in)
{
    const fmt_json_value *ins = fmt_json_member(v->manifest, "inputs");
    for (size_t i = 0; ins && i < fmt_json_count(ins); i++) {
        const fmt_json_value *x = fmt_json_item(ins, i);
        const char *role = fmt_json_member_str(x, "role"), *path = fmt_json_member_str(x, "path");
        const char *enc = fmt_json_member_str(x, "encoding");
        if (role && path && enc && strcmp(role, in->role) == 0 && strcmp(path, in->recorded) == 0 &&
            strcmp(enc, "UTF-16") != 0)
            return enc;
    }
    return NULL;
}

/* Reference inputs whole; history is only counted here (vhist.c streams it). */
static eng_rc load_inputs(eng_vrun *v)
{
    eng_err err;
    for (size_t i = 0; i < v->n_inputs; i++) {
        const eng_vinput *in = &v->inputs[i];
        v->history_given |= strcmp(in->role, "history") == 0;
        assert(!in->refused || in->unreadable);
        if (in->refused)
            continue; /* a special file: named by the hash pass, never opened */
        memset(&err, 0, sizeof err);
        eng_rc rc = ENG_OK;
        const char *enc = recorded_encoding(v, in);
        if (strcmp(in->role, "inventory") == 0) {
            rc = eng_vtable_load_encoded(in->path, enc, in->path, inv_cols, IV_COUNT, 1,
                                         &v->inventory_before, &err);
        } else if (strcmp(in->role, "catalog") == 0) {
            rc = eng_vtable_load_encoded(in->path, enc, in->path, catalog_cols, CT_COUNT, 0,
                                         &v->catalog, &err);
        } else if (strcmp(in->role, "policy") == 0) {
            fmt_policy_release(&v->policy);
            rc = fmt_policy_load(in->path, &v->policy, NULL, &err);
        }
        if (rc == ENG_NOMEM)
            return rc;
        if (rc != ENG_OK) {
            report_err(v, in->path, &err);
            v->inputs[i].unreadable = 1;
        }
    }
    if (!v->catalog)
        return ENG_OK;
    v->catalog_skus = eng_vmap_new();
    size_t cap = 0;
    if (!v->catalog_skus)
        return ENG_NOMEM;
    for (size_t r = 0; r < eng_vtable_rows(v->catalog); r++) {
        const char *sku = eng_vtable_get(v->catalog, r, CT_SKU);
        int added;
        int64_t id = eng_vmap_add(v->catalog_skus, sku, strlen(sku), &added);
        int64_t *rows =
            id < 0 ? NULL : eng__verify_fit(v->catalog_rows, &cap, (size_t)id, sizeof *rows, 256);
        if (!rows)
            return ENG_NOMEM;
        v->catalog_rows = rows;
        if (added) /* a SKU's rows (one per currency) agree but for prices: the first stands */
            v->catalog_rows[id] = (int64_t)r;
    }
    return ENG_OK;
}

static void free_run(eng_vrun *v)
{
    fmt_json_value_free(v->manifest);
    fmt_json_value_free(v->summary);
    for (size_t i = 0; i < v->n_inputs; i++)
        free(v->inputs[i].path);
    free(v->inputs);
    eng_vtable *tables[] = {v->slips,  v->status,           v->exceptions, v->inventory,
                            v->ledger, v->backorders,       v->picklist,   v->alerts,
                            v->totals, v->inventory_before, v->catalog,    v->routing};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
        eng_vtable_free(tables[i]);
    eng_vmap *maps[] = {v->catalog_skus, v->skus,      v->order_keys, v->heads,
                        v->pairs,        v->pair_skus, v->paid_keys,  v->hist_requests,
                        v->slot_keys,    v->return_nos};
    for (size_t i = 0; i < sizeof maps / sizeof *maps; i++)
        eng_vmap_free(maps[i]);
    free(v->catalog_rows);
    free(v->orders);
    free(v->lines);
    free(v->pair_first);
    free(v->hist_units);
    free(v->paid);
    free(v->hist_request_count);
    free(v->slots);
    eng__verify_shares_free(v->shares);
    free(v->part_next);
    free(v->sku_first_slot);
    free(v->warehouses);
    fmt_policy_release(&v->policy);
    eng_vreport_free(v->report);
}

/* An invariant that needed an input verify could not read is not checked, whatever its
 * check found in the rest: it cannot say "holds" for what it never saw. Which checks read
 * which inputs: the orders (and their mapping) for 3, 5, 7, 8 and 9 (demand); history
 * for 4 (what was paid), 5, 7 and 8 (what is outstanding); the catalog for 3 and 8 (which
 * copy of an order goes on), 5, 7 (names and bins) and 9 (alerts); the inventory for 1,
 * 2, 8 and 9; the policy for 1 (reserves), 4 (the restocking fee), 7 (routes), 8 (the
 * replay) and 9 (the cut-off). A finding still wins: what is broken stays broken. */
static void unchecked_without_inputs(eng_vrun *v)
{
    static const struct {
        const char *role;
        int inv[6];
    } needs[] = {
        {"orders", {3, 5, 7, 8, 9}},  {"mapping", {3, 5, 7, 8, 9}}, {"history", {4, 5, 7, 8}},
        {"catalog", {3, 5, 7, 8, 9}}, {"inventory", {1, 2, 8, 9}},  {"policy", {1, 4, 7, 8, 9}},
    };
    for (size_t i = 0; i < v->n_inputs; i++) {
        if (!v->inputs[i].unreadable)
            continue;
        for (size_t k = 0; k < sizeof needs / sizeof *needs; k++)
            if (strcmp(needs[k].role, v->inputs[i].role) == 0)
                for (int j = 0; j < 6 && needs[k].inv[j]; j++)
                    eng_vreport_unchecked_first(v->report, needs[k].inv[j],
                                                "needs %s input %s, which could not be read",
                                                v->inputs[i].role, v->inputs[i].recorded);
    }
}

/* Nothing at all could be checked: each invariant says why. */
static void nothing_checked(eng_vrun *v, const char *why)
{
    for (int inv = 1; inv <= ENG_VREPORT_INVARIANTS; inv++)
        eng_vreport_unchecked(v->report, inv, "%s", why);
}

static eng_rc verify(eng_vrun *v, const eng_verify_args *a)
{
    struct stat st;
    errno = 0;
    if (stat(v->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        eng_vreport_unreadable(v->report, "%s: %s", v->dir,
                               errno ? strerror(errno) : "not a folder");
        nothing_checked(v, errno == ENOENT ? "the run folder does not exist"
                                           : "the run folder cannot be read");
        return ENG_OK;
    }
    char *mpath = join(v->dir, "manifest.json");
    if (!mpath)
        return ENG_NOMEM;
    char *text;
    size_t len;
    if (slurp(mpath, &text, &len) != 0) {
        char why[96];
        eng_vreport_unreadable(v->report, "%s: %s", mpath, why_text(errno, mpath, why, sizeof why));
        nothing_checked(v, "manifest.json could not be read, so the run's inputs are unknown");
        free(mpath);
        return ENG_OK;
    }
    char why[200];
    int prc = fmt_json_parse(text, len, &v->manifest, why, sizeof why);
    free(text);
    if (prc == -2) {
        free(mpath);
        return ENG_NOMEM;
    }
    if (prc != 0 || fmt_json_kind(v->manifest) != FMT_JSON_T_OBJECT ||
        fmt_json_kind(fmt_json_member(v->manifest, "inputs")) != FMT_JSON_T_ARRAY) {
        eng_vreport_unreadable(v->report, "%s: not a slipway manifest%s%s", mpath, prc ? ": " : "",
                               prc ? why : "");
        nothing_checked(v, "manifest.json is not a slipway manifest, so the run's inputs are "
                           "unknown");
        free(mpath);
        return ENG_OK;
    }
    free(mpath);

    ENG_TRY(collect_inputs(v, a));
    eng_progress_stage(v->progress, "checking sha256 of inputs and outputs", 0, 0);
    size_t n_inputs = check_input_hashes(v);
    size_t n_outputs;
    ENG_TRY(check_outputs(v, &n_outputs));
    check_output_set(v);
    if (!eng_vreport_count(v->report, 6) && n_inputs < v->n_inputs)
        eng_vreport_unchecked(v->report, 6,
                              "%zu of %zu inputs could not be read, so their sha256 was not "
                              "compared (%zu outputs match theirs)",
                              v->n_inputs - n_inputs, v->n_inputs, n_outputs);
    else if (!eng_vreport_count(v->report, 6))
        eng_vreport_detail(v->report, 6,
                           "%zu outputs and %zu inputs match their sha256; every output a run "
                           "writes is there",
                           n_outputs, n_inputs);

    eng_progress_stage(v->progress, "reading outputs", 0, 0);
    ENG_TRY(load_summary(v));
    ENG_TRY(load_output(v, "slips.csv", slip_cols, SL_COUNT, &v->slips));
    ENG_TRY(load_output(v, "order_status.csv", status_cols, ST_COUNT, &v->status));
    ENG_TRY(load_output(v, "exceptions.csv", exc_cols, EX_COUNT, &v->exceptions));
    ENG_TRY(load_output(v, "inventory.csv", inv_cols, IV_COUNT, &v->inventory));
    ENG_TRY(load_output(v, "returns_ledger.csv", ledger_cols, LG_COUNT, &v->ledger));
    ENG_TRY(load_output(v, "backorders.csv", backorder_cols(), BO_COUNT, &v->backorders));
    ENG_TRY(load_output(v, "picklist.csv", pick_cols, PK_COUNT, &v->picklist));
    ENG_TRY(load_output(v, "alerts.csv", alert_cols, AL_COUNT, &v->alerts));
    ENG_TRY(load_output(v, "order_totals.csv", totals_cols, OT_COUNT, &v->totals));
    eng_progress_stage(v->progress, "reading inputs", 0, 0);
    ENG_TRY(load_inputs(v));
    if (eng__verify_routed(v)) /* written only when the policy routes */
        ENG_TRY(load_output(v, "routing.csv", routing_cols, RT_COUNT, &v->routing));
    v->skus = eng_vmap_new();
    v->return_nos = eng_vmap_new();
    if (!v->skus || !v->return_nos)
        return ENG_NOMEM;
    for (size_t r = 0; v->ledger && r < eng_vtable_rows(v->ledger); r++) {
        const char *no = eng_vtable_get(v->ledger, r, LG_RETURN_NO);
        if (*no && eng_vmap_add(v->return_nos, no, strlen(no), NULL) < 0)
            return ENG_NOMEM;
    }

    /* The stock first (it only needs the slips), then tonight's orders, then history for
     * what they need, then everything that compares against them. */
    eng_progress_stage(v->progress, "checking stock and orders", 0, 0);
    ENG_TRY(eng__verify_stock(v));
    ENG_TRY(eng__verify_shares(v));
    ENG_TRY(eng__verify_orders(v));
    eng_progress_stage(v->progress, "reading history", 0, 0);
    ENG_TRY(eng__verify_history_load(v));
    eng_progress_stage(v->progress, "recounting the outputs", 0, 0);
    ENG_TRY(eng__verify_outstanding(v));
    ENG_TRY(eng__verify_money(v));
    ENG_TRY(eng__verify_history(v));
    ENG_TRY(eng__verify_slips(v));
    ENG_TRY(eng__verify_status(v));
    ENG_TRY(eng__verify_totals(v)); /* after status: it reads each order's status row */
    ENG_TRY(eng__verify_routing(v));
    ENG_TRY(eng__verify_replay(v));
    ENG_TRY(eng__verify_pick(v));
    unchecked_without_inputs(v);
    return ENG_OK;
}

/* Whether DIR's manifest says `slipway reconcile` wrote it. */
static int is_reconcile_folder(const char *dir)
{
    char *path = join(dir, "manifest.json");
    char *text = NULL;
    size_t len;
    int yes = 0;
    fmt_json_value *m = NULL;
    char why[80];
    if (path && slurp(path, &text, &len) == 0 &&
        fmt_json_parse(text, len, &m, why, sizeof why) == 0) {
        const char *cmd = fmt_json_member_str(m, "command");
        yes = cmd && strcmp(cmd, "reconcile") == 0;
    }
    fmt_json_value_free(m);
    free(text);
    free(path);
    return yes;
}

int eng_verify_main(const eng_verify_args *a)
{
    if (is_reconcile_folder(a->dir)) {
        if (a->catalog || a->inventory || a->policy || a->n_orders || a->n_returns ||
            a->n_history) {
            fprintf(stderr,
                    "slipway: verify: %s is a reconcile folder: it names its own "
                    "inputs; give no --catalog, --inventory, --policy, --orders, "
                    "--returns or --history\n",
                    a->dir);
            return 2;
        }
        return eng__verify_reconcile(a->dir, a->quiet);
    }
    eng_vrun v;
    memset(&v, 0, sizeof v);
    v.dir = a->dir;
    fmt_policy_defaults(&v.policy);
    v.report = eng_vreport_new();
    if (!v.report) {
        fprintf(stderr, "slipway: out of memory\n");
        return 1;
    }
    if (a->quiet)
        eng_vreport_set_quiet(v.report);
    else
        printf("slipway verify %s\n", a->dir);
    v.progress = eng_progress_wanted(a->progress, a->quiet) ? eng_progress_start("verify") : NULL;
    eng_rc rc = verify(&v, a);
    eng_progress_stop(v.progress); /* its line cleared before the findings */
    v.progress = NULL;
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
