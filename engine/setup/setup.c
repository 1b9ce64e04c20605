/* Setup: the command line's choices checked and turned into the night's configuration,
 * reference data and services, in the order that refuses a bad run cheapest first (the
 * layout, the output folder, then the small files, then the pool). */
#include "setup.h"

#include <assert.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../formats/mapping.h"
#include "policy_refs.h"

/* ---- --history folders ----
 *
 * The history files named by --history arguments, in order: a file stands for itself; a
 * folder is either one run folder (it holds manifest.json: its slips.csv and
 * returns_ledger.csv, plain or .zst) or a folder of run folders (every entry not
 * starting with a dot a run folder, taken in byte order of their names; hidden entries,
 * such as unfinished runs' temporary folders, are skipped). */

static void free_paths(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

typedef struct path_list {
    char **items;
    size_t n;
    size_t cap;
} path_list;

static eng_rc push_path(path_list *l, const char *dir, const char *name, eng_err *err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return ENG_FAIL(err, ENG_NOMEM, "out of memory listing history");
        l->items = grown;
        l->cap = cap;
    }
    size_t len = strlen(dir) + (name ? strlen(name) + 2 : 1);
    char *p = malloc(len);
    if (!p)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory listing history");
    if (name)
        snprintf(p, len, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", name);
    else
        snprintf(p, len, "%s", dir);
    l->items[l->n++] = p;
    return ENG_OK;
}

static int exists_in(const char *dir, const char *name, int want_dir)
{
    char path[4096];
    struct stat st;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return 0;
    return stat(path, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

/* A refusal names the folder as given (argv: it outlives the run) and, inside a folder
 * of runs, the entry at fault. */
static eng_rc refuse_folder(const char *given, const char *entry, eng_err *err, const char *why)
{
    err->path = given;
    err->line = 0;
    err->field = NULL;
    if (entry)
        return ENG_FAIL(err, ENG_REFUSED, "%.200s: %s", entry, why);
    return ENG_FAIL(err, ENG_REFUSED, "%s", why);
}

/* A run folder's slips and returns ledger (the one of each its run wrote). */
static eng_rc add_run_folder(path_list *l, const char *dir, const char *given, const char *entry,
                             eng_err *err)
{
    static const char *const files[2][2] = {{"slips.csv", "slips.csv.zst"},
                                            {"returns_ledger.csv", "returns_ledger.csv.zst"}};
    for (int k = 0; k < 2; k++) {
        int plain = exists_in(dir, files[k][0], 0), zst = exists_in(dir, files[k][1], 0);
        if (plain && zst)
            return refuse_folder(given, entry, err,
                                 "this run folder holds both a plain and a .zst copy of one "
                                 "output; a run writes one of them: remove the other");
        if (!plain && !zst)
            return refuse_folder(given, entry, err,
                                 k == 0 ? "this run folder has manifest.json but no slips.csv: "
                                          "it is not a complete slipway run"
                                        : "this run folder has manifest.json but no "
                                          "returns_ledger.csv: it is not a complete slipway run");
        ENG_TRY(push_path(l, dir, files[k][plain ? 0 : 1], err));
    }
    return ENG_OK;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder of run folders: every visible entry must be one, in name order. */
static eng_rc add_runs_folder(path_list *l, const char *dir, eng_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return refuse_folder(dir, NULL, err, "cannot read this --history folder");
    path_list names = {0}, runs = {0};
    eng_rc rc = ENG_OK;
    struct dirent *e;
    while (rc == ENG_OK && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            rc = push_path(&names, e->d_name, NULL, err);
    closedir(d);
    if (rc == ENG_OK && names.n == 0)
        rc = refuse_folder(dir, NULL, err,
                           "this --history folder holds no run folder (a folder with "
                           "manifest.json), nor is it one: is it the right folder?");
    if (rc == ENG_OK)
        qsort(names.items, names.n, sizeof *names.items, cmp_name);
    for (size_t i = 0; i < names.n && rc == ENG_OK; i++) {
        rc = push_path(&runs, dir, names.items[i], err);
        const char *run = rc == ENG_OK ? runs.items[runs.n - 1] : NULL;
        if (rc == ENG_OK &&
            !(exists_in(dir, names.items[i], 1) && exists_in(run, "manifest.json", 0)))
            rc = refuse_folder(dir, names.items[i], err,
                               "not a run folder (a folder with manifest.json); a --history "
                               "folder holds one run or only run folders: move it out, or give "
                               "the history files one by one");
        if (rc == ENG_OK)
            rc = add_run_folder(l, run, dir, names.items[i], err);
    }
    /* A message may quote an entry's name: it was copied into err->msg already. */
    free_paths(names.items, names.n);
    free_paths(runs.items, runs.n);
    return rc;
}

static eng_rc expand_history(const char *const *given, size_t n, char ***out, size_t *n_out,
                             eng_err *err)
{
    path_list l = {0};
    eng_rc rc = ENG_OK;
    for (size_t i = 0; i < n && rc == ENG_OK; i++) {
        struct stat st;
        if (stat(given[i], &st) != 0 || !S_ISDIR(st.st_mode))
            rc = push_path(&l, given[i], NULL, err); /* opening it says what is wrong */
        else if (exists_in(given[i], "manifest.json", 0))
            rc = add_run_folder(&l, given[i], given[i], NULL, err);
        else
            rc = add_runs_folder(&l, given[i], err);
    }
    if (rc != ENG_OK) {
        free_paths(l.items, l.n);
        return rc;
    }
    *out = l.items;
    *n_out = l.n;
    return ENG_OK;
}

/* Record what reading a whole reference input found: manifest.json's bytes and hash,
 * and a warning when its last line has no line end (a file cut short by a transfer?). */
static void note_input(eng_setup *s, size_t at, uint64_t bytes, const char *sha256,
                       uint64_t unended_line)
{
    eng_file_facts *f = &s->reference_facts[at - s->first_reference];
    f->bytes = bytes;
    memcpy(f->sha256, sha256, sizeof f->sha256);
    /* (void): out of memory only keeps it from summary.json; it is on stderr already. */
    (void)eng_warn_unended(s->warnings, at, s->sources[at].path, unended_line);
}

/* Sources, in this index order: orders, returns, history, then catalog, inventory,
 * policy and the --format map:FILE mapping (mapping: its path, or NULL). Order files come
 * first so that a row's file index is its source index. */
static eng_rc list_sources(eng_setup *s, const eng_run_args *a, const char *mapping, eng_err *err)
{
    s->n_order_files = a->n_orders;
    s->first_return_file = a->n_orders;
    s->n_return_files = a->n_returns;
    s->first_history_file = a->n_orders + a->n_returns;
    s->n_history_files = s->n_history_paths;
    s->first_reference = s->first_history_file + s->n_history_files;
    size_t n_reference = 2 + (a->policy != NULL) + (mapping != NULL);
    s->n_sources = s->first_reference + n_reference;
    s->sources = calloc(s->n_sources, sizeof *s->sources);
    s->reference_facts = calloc(n_reference, sizeof *s->reference_facts);
    if (!s->sources || !s->reference_facts)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < a->n_orders; i++, k++)
        s->sources[k] = (eng_source){a->orders[i], "orders"};
    for (size_t i = 0; i < a->n_returns; i++, k++)
        s->sources[k] = (eng_source){a->returns[i], "returns"};
    for (size_t i = 0; i < s->n_history_paths; i++, k++)
        s->sources[k] = (eng_source){s->history_paths[i], "history"};
    assert(k == s->first_reference);
    s->sources[k++] = (eng_source){a->catalog, "catalog"};
    s->sources[k++] = (eng_source){a->inventory, "inventory"};
    if (a->policy)
        s->sources[k++] = (eng_source){a->policy, "policy"};
    if (mapping)
        s->sources[k++] = (eng_source){mapping, "mapping"};
    assert(k == s->n_sources);
    for (size_t i = 0; i < n_reference; i++)
        s->reference_facts[i].format = "";
    return ENG_OK;
}

/* --format: a built-in layout, auto (NULL), or map:FILE read into s->mapping. */
static eng_rc choose_format(eng_setup *s, const char *format, const char **mapping_path,
                            fmt_input_info *mapping_info, eng_err *err)
{
    *mapping_path = NULL;
    if (!format || strcmp(format, "auto") == 0)
        return ENG_OK;
    if (strncmp(format, "map:", 4) == 0) {
        *mapping_path = format + 4;
        if (!**mapping_path)
            return ENG_FAIL(err, ENG_USAGE, "--format map:FILE needs the mapping file's path");
        ENG_TRY(fmt_mapping_load(*mapping_path, &s->mapping, mapping_info, err));
        s->format = s->mapping;
        return ENG_OK;
    }
    s->format = fmt_layout_find(format);
    if (!s->format)
        return ENG_FAIL(err, ENG_USAGE,
                        "--format %s: use auto, canonical, canonical-semicolon, canonical-tab, "
                        "shopify, amazon, woocommerce, ebay, "
                        "tmall or map:FILE",
                        format);
    return ENG_OK;
}

eng_rc eng_setup_new(const eng_run_args *a, eng_setup **out, eng_err *err)
{
    eng_setup *s = calloc(1, sizeof *s);
    if (!s)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory");
    fmt_policy_defaults(&s->policy);
    s->run_date = a->run_date;
    s->threads = a->threads;
    s->encoding = a->encoding;
    s->date_order = a->date_order;
    s->compress = a->compress;
    s->xlsx = a->xlsx;
    s->memory_limit = a->memory_limit;
    s->warnings = eng_warnings_new();
    const char *mapping_path = NULL;
    fmt_input_info mapping_info, policy_info;
    eng_rc rc = s->warnings ? ENG_OK : ENG_FAIL(err, ENG_NOMEM, "out of memory");
    if (rc == ENG_OK)
        rc = choose_format(s, a->format, &mapping_path, &mapping_info, eng_err_fresh(err));
    if (rc == ENG_OK)
        rc = expand_history(a->history, a->n_history, &s->history_paths, &s->n_history_paths,
                            eng_err_fresh(err));
    if (rc == ENG_OK)
        rc = list_sources(s, a, mapping_path, eng_err_fresh(err));
    if (rc == ENG_OK && !a->no_output)
        rc = eng_outdir_begin(a->out, a->mode ? a->mode : ENG_OUTDIR_MODE, &s->outdir,
                              eng_err_fresh(err));
    if (rc == ENG_OK && s->mapping)
        note_input(s, s->n_sources - 1, mapping_info.bytes, mapping_info.sha256,
                   mapping_info.unended_line);
    if (rc == ENG_OK && a->policy) {
        rc = fmt_policy_load(a->policy, &s->policy, &policy_info, eng_err_fresh(err));
        if (rc == ENG_OK)
            note_input(s, s->first_reference + 2, policy_info.bytes, policy_info.sha256,
                       policy_info.unended_line);
    }
    if (rc == ENG_OK)
        rc = eng_catalog_load_encoded(a->catalog, a->encoding, &s->catalog, eng_err_fresh(err));
    if (rc == ENG_OK) {
        note_input(s, s->first_reference, eng_catalog_file_bytes(s->catalog),
                   eng_catalog_file_sha256(s->catalog), eng_catalog_unended_line(s->catalog));
        /* What --encoding made of it: the manifest says so, and verify reads it so. */
        s->reference_facts[0].encoding = eng_catalog_encoding(s->catalog);
        rc = eng_inventory_load_encoded(a->inventory, a->encoding, s->catalog, &s->policy,
                                        &s->inventory, eng_err_fresh(err));
    }
    if (rc == ENG_OK)
        rc = eng_policy_check_warehouses(&s->policy, a->policy, s->inventory, eng_err_fresh(err));
    if (rc == ENG_OK) {
        note_input(s, s->first_reference + 1, eng_inventory_file_bytes(s->inventory),
                   eng_inventory_file_sha256(s->inventory),
                   eng_inventory_unended_line(s->inventory));
        s->reference_facts[1].encoding = eng_inventory_encoding(s->inventory);
        rc = eng_pool_new(a->threads, &s->pool, eng_err_fresh(err));
    }
    if (rc != ENG_OK) {
        /* err may name the mapping file, a path of the command line: a's, still valid. */
        eng_outdir_settle(s->outdir);
        eng_setup_free(s);
        return rc;
    }
    *out = s;
    return ENG_OK;
}

void eng_run_args_release(eng_run_args *a)
{
    free(a->orders);
    free(a->returns);
    free(a->history);
    a->orders = a->returns = a->history = NULL;
}

void eng_setup_free(eng_setup *s)
{
    if (!s)
        return;
    eng_pool_free(s->pool);
    eng_outdir_free(s->outdir);
    eng_inventory_free(s->inventory);
    eng_catalog_free(s->catalog);
    fmt_policy_release(&s->policy);
    eng_warnings_free(s->warnings);
    free(s->sources);
    free(s->reference_facts);
    free_paths(s->history_paths, s->n_history_paths);
    fmt_mapping_free(s->mapping);
    free(s);
}

const eng_file_facts *eng_setup_facts(const eng_setup *s, size_t source)
{
    return source >= s->first_reference && source < s->n_sources
               ? &s->reference_facts[source - s->first_reference]
               : NULL;
}
