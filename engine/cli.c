/* Argument parsing. Flags are long options (and -h, -V, -q), each value a separate
 * argument or after '=' (--threads 4, --threads=4); "--" ends the options. Every mistake
 * is one line on stderr naming the flag (and the closest one, for a typo), then a pointer
 * to --help, and exit code 2. */
#include "cli.h"
#include "init.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../formats/isotime.h"
#include "../formats/num.h"
#include "../formats/payout.h"
#include "../formats/source.h"
#include "../formats/utf8.h"
#include "base/outdir.h"
#include "base/text.h"
#include "write/manifest.h"
#include "run.h"
#include "reconcile/reconcile.h"
#include "shard/shard.h"
#include "verify/verify.h"

static const char main_help[] =
    "slipway " SLIPWAY_VERSION " - nightly sales-order-to-shipment batch engine\n"
    "\n"
    "usage:\n"
    "  slipway run --catalog FILE --inventory FILE --orders FILE [--orders FILE ...]\n"
    "              [--returns FILE ...] [--history FILE|DIR ...] [--policy FILE]\n"
    "              [--threads N] [--run-date YYYY-MM-DD] [--compress] [--mode OCTAL]\n"
    "              [--memory-limit SIZE] [--shards N --work DIR] --out DIR\n"
    "  slipway verify DIR [--catalog FILE --inventory FILE --orders FILE ...]\n"
    "  slipway reconcile --history FILE|DIR ... --payouts FILE ... [--policy FILE]\n"
    "              [--as-of YYYY-MM-DD] [--payout-format NAME] --out DIR\n"
    "  slipway init DIR       templates for a first night with your own data\n"
    "  slipway slurm RUN-ARGUMENTS --shards N --work DIR [--dry-run]\n"
    "  slipway slurm --status --work DIR      a night as Slurm jobs, and where it stands\n"
    "  slipway task map I|group J|finish --work DIR   one task of a sharded night\n"
    "  slipway -h | --help    -V | --version    slipway run --help    slipway verify --help\n"
    "  slipway reconcile --help\n"
    "  (run also takes --format, --encoding, --date-order, --quiet, --progress, --xlsx\n"
    "  and --: see run --help)\n"
    "\n"
    "Exit codes: 0 committed or verify passed, 1 internal or I/O failure, 2 usage error,\n"
    "3 input refused (or a file verify needs cannot be read), "
    "4 verify found a broken invariant;\n"
    "130, 143, 129 interrupted by SIGINT, SIGTERM, SIGHUP.\n";

static const char run_help[] =
    "usage: slipway run --catalog FILE --inventory FILE --orders FILE [--orders FILE ...]\n"
    "                   [--returns FILE ...] [--history FILE|DIR ...] [--policy FILE]\n"
    "                   [--format auto|canonical|canonical-semicolon|canonical-tab|\n"
    "                             shopify|amazon|woocommerce|ebay|tmall|map:FILE]\n"
    "                   [--encoding utf-8|windows-1252|gb18030] [--date-order dmy|mdy]\n"
    "                   [--threads N] [--run-date YYYY-MM-DD] [--compress]\n"
    "                   [--mode OCTAL] [--memory-limit SIZE] [--quiet] [--progress] [--xlsx]\n"
    "                   [--shards N --work DIR] --out DIR\n"
    "                   [-- ORDERS-FILE ...]\n"
    "\n"
    "Reads the night's orders, checks every row and order, reserves stock under the\n"
    "policy (in rank order, or in proportion under shortage_rule = proportional) and\n"
    "writes into DIR (which must not exist): slips.csv, picklist.csv,\n"
    "order_status.csv, backorders.csv, exceptions.csv, inventory.csv, alerts.csv,\n"
    "returns_ledger.csv, returns_analysis.csv, order_totals.csv, summary.json,\n"
    "summary.txt, report.html (the night on one page: open it in a browser),\n"
    "manifest.json, metrics.json, and routing.csv when the policy routes orders or\n"
    "shares stock.\n"
    "\n"
    "  --catalog FILE      products: sku,name,status,list_price,min_price,currency\n"
    "  --inventory FILE    stock: sku,on_hand[,warehouse,reorder_point,reorder_qty,\n"
    "                      safety_stock]\n"
    "  --orders FILE       order lines (repeat for several files); .zst is decompressed\n"
    "  --returns FILE      return requests: request_id,order_id,sku,qty,reason,condition\n"
    "                      [,resolution,requested_at,channel] (repeat for several files)\n"
    "  --history FILE|DIR  slips.csv or returns_ledger.csv of earlier nights (repeat);\n"
    "                      a run folder (with manifest.json), or a folder of run folders\n"
    "  --policy FILE       key = value lines: allocation, max_error_rate,\n"
    "                      return_window_days, restocking_fee_pct, warehouse_order,\n"
    "                      route.*, route_mode, channel_warehouses.*, split,\n"
    "                      max_split, reserve.*, cap.*, reserve_release, cutoff,\n"
    "                      cutoff_offset, shortage_rule, min_fill_line_pct,\n"
    "                      min_fill_order_pct (README, \"Policy keys\")\n"
    "  --format F          auto (default): each orders file's layout from its header;\n"
    "                      or force one layout for every file; map:FILE reads your own\n"
    "                      column mapping (README, \"map:FILE\")\n"
    "  --encoding E        force the encoding of the orders, returns, catalog and\n"
    "                      inventory files (default: UTF-8, or an orders layout's own\n"
    "                      when the bytes are not UTF-8)\n"
    "  --date-order O      dmy or mdy: how dates a spreadsheet rewrote read (26/11/2026\n"
    "                      or 11/26/2026); default: each file's own, from its dates\n"
    "  --threads N         worker threads (default: number of CPUs)\n"
    "  --run-date D        business date for slip numbers and the policy's cut-off\n"
    "                      (default: today, UTC)\n"
    "  --compress          write every CSV output as .csv.zst\n"
    "  --xlsx              also write slipway.xlsx: a sheet per main output, ids as text,\n"
    "                      money and quantities as numbers, dates as dates\n"
    "  --mode OCTAL        permission bits of the output files (default 0640: they hold\n"
    "                      customer names and addresses); the folder gets x where the\n"
    "                      files have r (0750). The umask may remove more\n"
    "  --memory-limit SIZE the memory the run may use (512M, 16G; default: what the\n"
    "                      system has available). A night estimated from the start of\n"
    "                      its orders files to need more is refused before it is read\n"
    "  --out DIR           output folder to create\n"
    "  --shards N          run the night as N map tasks, N group tasks and a finishing\n"
    "                      task, separate processes handing each other files in --work\n"
    "                      DIR, as a cluster's jobs would (README, \"Running on a\n"
    "                      cluster\"); the outputs are the same bytes as without it\n"
    "  --work DIR          the sharded night's work folder: created when missing, kept, so\n"
    "                      the same command run again redoes only unfinished tasks\n"
    "  -q, --quiet         no summary on stdout (warnings and errors still on stderr)\n"
    "  --progress          progress on stderr (stage, lines, MB/s, time left) even when\n"
    "                      stderr is no terminal; on a terminal it is on unless --quiet\n"
    "  -- FILE ...         every argument after -- is an orders file, even one whose\n"
    "                      name starts with '-'\n"
    "Each single-value flag is given once. -h, --help: this text; -V, --version.\n"
    "\n"
    "SIGINT, SIGTERM or SIGHUP before DIR is complete removes the unfinished folder and\n"
    "exits 130, 143 or 129; after, DIR stays.\n";

static const char verify_help[] =
    "usage: slipway verify DIR [--catalog FILE] [--inventory FILE] [--policy FILE]\n"
    "                          [--orders FILE ...] [--returns FILE ...] [--history FILE ...]\n"
    "                          [--quiet] [--progress] [-- DIR]\n"
    "\n"
    "Re-reads a finished run in DIR and checks the invariants (README, \"Invariants\")\n"
    "from the files themselves:\n"
    "  1 nothing oversells: per SKU and warehouse, slips ship at most\n"
    "    max(0, on_hand before - safety_stock) + restocked\n"
    "  2 inventory.csv on_hand = on_hand before - shipped + restocked\n"
    "  3 every order read has one status row; every orders-file row is in such an order\n"
    "    or named in exceptions.csv\n"
    "  4 per currency, slip line amounts = SHIPPED and PARTIAL order amounts; ledger\n"
    "    refunds = approved refunds (paid for the units less restocking_fee_pct)\n"
    "  5 with history: no order line ships beyond what it asks for over the nights, no\n"
    "    request is approved twice (not checked when the run had no --history)\n"
    "  6 every output and input matches the bytes and sha256 in DIR/manifest.json, and\n"
    "    every output a run writes is there\n"
    "and verify's own checks, every output recounted from the inputs:\n"
    "  7 each slip line matches its order's row (SKU, ship-to, price, amount, units) or\n"
    "    its exchange in the ledger\n"
    "  8 statuses, their figures and backorders.csv follow the orders, exceptions.csv and\n"
    "    the slips; no backordered order could have shipped from the stock left\n"
    "  9 picklist.csv and alerts.csv recount\n"
    "History is streamed: memory grows with tonight's files, not with history.\n"
    "Inputs are those manifest.json names (paths as the run was given them, from the\n"
    "working folder or DIR's parent), unless given here for their role.\n"
    "Each broken invariant is printed with the rows involved (file:line and values).\n"
    "An invariant is \"holds\" only when its check ran; one that needs a file verify\n"
    "cannot read says \"not checked\" and why. -q, --quiet prints only the findings and\n"
    "the last line. --progress shows the stage on stderr even when it is no terminal (on\n"
    "a terminal it is on unless --quiet).\n"
    "A folder slipway reconcile wrote gets its own five checks instead: payouts add up\n"
    "to their lines, every payout line attributed, totals tie out to the history's\n"
    "slips and ledgers, one status per order, and the manifest's hashes.\n"
    "\n"
    "Exit codes: 0 every invariant holds, 4 one is broken, 3 a file cannot be read\n"
    "(missing, not CSV, a manifest that is not JSON, not a regular file), 2 usage error.\n";

/* The known word meant by what was typed (its name before any '='): the only one it is
 * the start of ("--cat"), else the closest within 2 edits. NULL when none is near. */
static const char *closest(const char *typed, const char *const *known, size_t n)
{
    char word[48];
    size_t len = strcspn(typed, "=");
    snprintf(word, sizeof word, "%.*s", (int)(len < 47 ? len : 47), typed);
    const char *best = NULL, *prefix_of = NULL;
    size_t best_d = 3;
    int prefixes = 0;
    for (size_t i = 0; i < n; i++) {
        size_t d = eng_text_distance(word, strlen(word), known[i], strlen(known[i]), 0);
        if (d < best_d) {
            best_d = d;
            best = known[i];
        }
        if (strlen(word) >= 4 && strncmp(known[i], word, strlen(word)) == 0) {
            prefixes++;
            prefix_of = known[i];
        }
    }
    return prefixes == 1 ? prefix_of : best; /* "--cat" is --catalog, not --out */
}

static const char *const run_flags[] = {
    "--catalog",  "--inventory",    "--orders",     "--returns", "--history",  "--policy",
    "--format",   "--encoding",     "--date-order", "--threads", "--run-date", "--compress",
    "--mode",     "--memory-limit", "--quiet",      "--out",     "--help",     "--version",
    "--progress", "--xlsx",         "--shards",     "--work"};
static const char *const verify_flags[] = {"--catalog", "--inventory", "--orders", "--returns",
                                           "--history", "--policy",    "--quiet",  "--help",
                                           "--version", "--progress"};
static const char *const reconcile_flags[] = {
    "--history", "--payouts", "--policy", "--as-of", "--payout-format", "--payout-map",
    "--mode",    "--out",     "--quiet",  "--help",  "--version",       "--progress"};
static const char *const commands[] = {"run",  "verify", "reconcile", "init",
                                       "task", "help",   "--help",    "--version"};

static const char init_help[] =
    "usage: slipway init DIR [--quiet]\n"
    "\n"
    "Writes into DIR (which must not exist) templates for a first night with your own\n"
    "data: catalog.csv, inventory.csv, policy.conf (with comments), a tiny orders.csv,\n"
    "and README.txt explaining each column and the command that runs them as they are.\n";

static int cmd_init(int argc, char **argv)
{
    const char *dir = NULL;
    int quiet = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(init_help, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            quiet = 1;
        } else if (argv[i][0] == '-' || dir) {
            fprintf(stderr, "slipway: init: unexpected argument '%s'\n%s", argv[i], init_help);
            return 2;
        } else {
            dir = argv[i];
        }
    }
    if (!dir) {
        fprintf(stderr, "slipway: init: DIR is required\n%s", init_help);
        return 2;
    }
    return eng_init_main(dir, quiet);
}

static const char reconcile_help[] =
    "usage: slipway reconcile --history FILE|DIR [--history ...] --payouts FILE\n"
    "                         [--payouts FILE ...] [--policy FILE] [--as-of YYYY-MM-DD]\n"
    "                         [--payout-format auto|amazon-settlement|ebay-transactions|\n"
    "                                          paypal|shopify-payments|stripe|map:FILE]\n"
    "                         [--payout-map FILE ...] [--progress]\n"
    "                         [--mode OCTAL] [--quiet] --out DIR\n"
    "\n"
    "Compares what slipway shipped and refunded (the run folders' slips.csv,\n"
    "returns_ledger.csv and order_totals.csv, given with --history) with what the\n"
    "marketplaces paid (their payout files, each recognised by its header), per channel,\n"
    "order and currency, and writes into DIR (which must not exist): payout_lines.csv\n"
    "(every payout line, typed and counted once: give it as --history next time),\n"
    "reconciliation.csv (one status per order), open_items.csv (oldest first),\n"
    "payouts.csv, fees.csv, exceptions.csv, reconcile_summary.json, report.html and\n"
    "manifest.json.\n"
    "\n"
    "  --history FILE|DIR  a slipway run or reconcile folder, or its slips.csv,\n"
    "                      returns_ledger.csv, order_totals.csv or payout_lines.csv\n"
    "  --payouts FILE      a marketplace's payout or settlement file (repeatable)\n"
    "  --policy FILE       payout_due_days.CHANNEL, refund_due_days.CHANNEL (14 days by\n"
    "                      default), reconcile_tolerance_minor (0: exact), max_error_rate,\n"
    "                      payout_channel.LAYOUT, payout_order_prefix.LAYOUT\n"
    "  --as-of D           the day open items are aged to (default today, UTC)\n"
    "  --payout-format N   read every payout file with layout N (default auto);\n"
    "                      map:FILE, with your own payout mapping (README, \"Payout\n"
    "                      mapping\")\n"
    "  --payout-map FILE   a payout mapping recognised by its columns beside the\n"
    "                      built-in layouts (repeatable): one run reads them all\n"
    "  --mode OCTAL        permission bits of the output files (default 0640)\n"
    "  -q, --quiet         no summary on stdout\n"
    "  --progress          progress on stderr even when it is no terminal (on a terminal\n"
    "                      it is on unless --quiet)\n"
    "\n"
    "Exit codes: 0 written, 1 internal or I/O failure, 2 usage error (DIR exists),\n"
    "3 input refused (an unreadable or unrecognised file, a payout file over\n"
    "max_error_rate).\n";

/* The first value of each single-value flag, so that a second one is a usage error
 * (two --out would leave which folder was meant to chance). */
typedef struct seen_values {
    const char *flag[16];
    const char *value[16];
} seen_values;

/* The slot of a single-value flag; NULL for a flag that may be repeated. */
static const char **first_value(seen_values *s, const char *flag)
{
    for (size_t i = 0; i < sizeof s->flag / sizeof *s->flag && s->flag[i]; i++)
        if (strcmp(s->flag[i], flag) == 0)
            return &s->value[i];
    return NULL;
}

/* "unknown argument 'x'", and the flag meant when it looks like a typo of one. */
static void unknown_text(char *dst, size_t cap, const char *what, const char *arg,
                         const char *const *known, size_t n)
{
    const char *near = closest(arg, known, n);
    if (near)
        snprintf(dst, cap, "unknown %s '%s'; did you mean %s?", what, arg, near);
    else
        snprintf(dst, cap, "unknown %s '%s'", what, arg);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "slipway: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'slipway run --help'.\n");
    va_end(ap);
    return 2;
}

static int verify_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int verify_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "slipway: verify: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'slipway verify --help'.\n");
    va_end(ap);
    return 2;
}

/* The value of a flag: "--x=v" or the next argument. NULL when missing. */
static const char *flag_value(int argc, char **argv, int *i, const char *flag)
{
    size_t n = strlen(flag);
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int is_flag(const char *arg, const char *flag)
{
    size_t n = strlen(flag);
    return strncmp(arg, flag, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* "0640" or "640": three octal digits, after an optional 0. The owner must keep read and
 * write (the run writes the files, verify reads them); set-id and sticky bits mean
 * nothing on these files and are refused. 0 or -1. */
static int parse_mode(const char *v, unsigned *mode)
{
    if (v[0] == '0' && strlen(v) == 4)
        v++;
    if (strlen(v) != 3 || strspn(v, "01234567") != 3)
        return -1;
    unsigned m = (unsigned)((v[0] - '0') << 6 | (v[1] - '0') << 3 | (v[2] - '0'));
    if ((m & 0600) != 0600)
        return -1;
    *mode = m;
    return 0;
}

/* "123", "512M", "16G", "2T" (also "16GB", "16GiB"; K, M, G, T are powers of 1024). At
 * least 1 MiB, or a typo such as "16" for 16G would refuse every night. 0 or -1. */
static int parse_size(const char *v, uint64_t *bytes)
{
    int64_t n;
    size_t digits = strspn(v, "0123456789");
    if (digits == 0 || digits > 15 || fmt_int_parse(v, digits, &n) != FMT_NUM_OK)
        return -1;
    static const char units[] = "KMGT";
    const char *suffix = v + digits,
               *u = *suffix ? strchr(units, toupper((unsigned char)*suffix)) : NULL;
    if (*suffix && (!u || (strcmp(suffix + 1, "") != 0 && strcasecmp(suffix + 1, "B") != 0 &&
                           strcasecmp(suffix + 1, "iB") != 0)))
        return -1;
    uint64_t b = (uint64_t)n;
    for (int k = u ? (int)(u - units) + 1 : 0; k > 0; k--) {
        if (b > UINT64_MAX / 1024)
            return -1; /* over 16 EiB: a typo, not a machine */
        b *= 1024;
    }
    if (b < (1u << 20))
        return -1;
    *bytes = b;
    return 0;
}

static unsigned default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

static int32_t today_utc(void)
{
    return (int32_t)(time(NULL) / 86400);
}

/* "-" names standard input, for at most one input file (it can be read only once; the
 * copy fmt_stdin_spool makes is read as often as the night needs). Not for --history,
 * which may name folders and whose files must stand beside their manifest. -1 to go on,
 * else the exit code. */
static int take_stdin(const eng_run_args *a)
{
    int n = 0;
    const char *flag = NULL;
    const struct {
        const char *flag;
        const char *const *paths;
        size_t n;
    } lists[] = {{"--orders", a->orders, a->n_orders},
                 {"--returns", a->returns, a->n_returns},
                 {"--catalog", &a->catalog, 1},
                 {"--inventory", &a->inventory, 1},
                 {"--policy", &a->policy, a->policy ? 1 : 0}};
    for (size_t l = 0; l < sizeof lists / sizeof *lists; l++)
        for (size_t i = 0; i < lists[l].n; i++)
            if (strcmp(lists[l].paths[i], "-") == 0) {
                n++;
                flag = lists[l].flag;
            }
    for (size_t i = 0; i < a->n_history; i++)
        if (strcmp(a->history[i], "-") == 0)
            return usage_error("--history cannot read standard input ('-'): name the files or "
                               "the run folder");
    if (a->format && strcmp(a->format, "map:-") == 0)
        return usage_error("--format map:- is not supported: name the mapping file");
    if (n > 1)
        return usage_error("'-' (standard input) is given %d times; at most one input can be "
                           "read from standard input",
                           n);
    if (n == 0)
        return -1;
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_rc rc = fmt_stdin_spool(&err);
    if (rc == ENG_OK)
        return -1;
    fprintf(stderr, "slipway: %s -: %s\n", flag, err.msg);
    return eng_rc_exit_code(rc);
}

int eng_cli_run_args(int argc, char **argv, int first_arg, eng_run_args *out)
{
    eng_run_args a;
    memset(&a, 0, sizeof a);
    a.threads = default_threads();
    a.run_date = today_utc();
    a.orders = calloc((size_t)argc, sizeof *a.orders);
    a.returns = calloc((size_t)argc, sizeof *a.returns);
    a.history = calloc((size_t)argc, sizeof *a.history);
    if (!a.orders || !a.returns || !a.history) {
        eng_run_args_release(&a);
        fprintf(stderr, "slipway: out of memory\n");
        return 1;
    }
    int rc = -1, after_dashes = 0;
    seen_values seen = {{"--catalog", "--inventory", "--policy", "--out", "--threads", "--run-date",
                         "--format", "--encoding", "--date-order", "--mode", "--memory-limit",
                         "--shards", "--work"},
                        {NULL}};
    for (int i = first_arg; i < argc && rc < 0; i++) {
        const char *arg = argv[i];
        const char *v = NULL;
        if (after_dashes && (!*arg || fmt_utf8_valid_prefix(arg, strlen(arg)) != strlen(arg))) {
            /* As any value: paths are repeated in the UTF-8 outputs. */
            rc = usage_error("-- %s: an orders file needs a name that is valid UTF-8",
                             *arg ? "(a name after --)" : "\"\"");
        } else if (after_dashes) {
            a.orders[a.n_orders++] = arg;
        } else if (strcmp(arg, "--") == 0) {
            after_dashes = 1;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(run_help, stdout);
            rc = 0;
        } else if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
            printf("slipway %s\n", SLIPWAY_VERSION);
            rc = 0;
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            a.quiet = 1;
        } else if (strcmp(arg, "--progress") == 0) {
            a.progress = 1;
        } else if (strcmp(arg, "--xlsx") == 0) {
            a.xlsx = 1;
        } else if (strcmp(arg, "--compress") == 0) {
            a.compress = 1;
        } else if (is_flag(arg, "--catalog") || is_flag(arg, "--inventory") ||
                   is_flag(arg, "--orders") || is_flag(arg, "--policy") || is_flag(arg, "--out") ||
                   is_flag(arg, "--threads") || is_flag(arg, "--run-date") ||
                   is_flag(arg, "--format") || is_flag(arg, "--encoding") ||
                   is_flag(arg, "--date-order") || is_flag(arg, "--returns") ||
                   is_flag(arg, "--history") || is_flag(arg, "--mode") ||
                   is_flag(arg, "--memory-limit") || is_flag(arg, "--shards") ||
                   is_flag(arg, "--work")) {
            const char *flag = arg;
            char name[32];
            size_t len = strcspn(flag, "=");
            snprintf(name, sizeof name, "%.*s", (int)(len < 31 ? len : 31), flag);
            v = flag_value(argc, argv, &i, name);
            const char **first = first_value(&seen, name);
            const char *earlier = first ? *first : NULL;
            if (first && !earlier)
                *first = v;
            if (!v || (!*v)) {
                rc = usage_error("%s needs a value", name);
            } else if (earlier) {
                rc = usage_error("%s is given twice ('%s' and '%s'); give it once", name, earlier,
                                 v);
            } else if (fmt_utf8_valid_prefix(v, strlen(v)) != strlen(v)) {
                /* Paths are repeated in CSV and JSON outputs, which are UTF-8. */
                rc = usage_error("%s: the value is not valid UTF-8; rename the file or folder",
                                 name);
            } else if (strcmp(name, "--catalog") == 0) {
                a.catalog = v;
            } else if (strcmp(name, "--inventory") == 0) {
                a.inventory = v;
            } else if (strcmp(name, "--orders") == 0) {
                a.orders[a.n_orders++] = v;
            } else if (strcmp(name, "--policy") == 0) {
                a.policy = v;
            } else if (strcmp(name, "--out") == 0) {
                a.out = v;
            } else if (strcmp(name, "--threads") == 0) {
                int64_t t;
                if (fmt_int_parse(v, strlen(v), &t) != FMT_NUM_OK || t < 1 || t > 1024)
                    rc = usage_error("--threads wants a whole number from 1 to 1024, not '%s'", v);
                else
                    a.threads = (unsigned)t;
            } else if (strcmp(name, "--run-date") == 0) {
                if (fmt_isodate_parse(v, strlen(v), &a.run_date) != 0)
                    rc = usage_error("--run-date wants YYYY-MM-DD in 1970-2099, not '%s'", v);
            } else if (strcmp(name, "--format") == 0) {
                a.format = v;
            } else if (strcmp(name, "--encoding") == 0) {
                static const char *const known[][2] = {
                    {"utf-8", "UTF-8"}, {"windows-1252", "WINDOWS-1252"}, {"gb18030", "GB18030"}};
                a.encoding = NULL;
                for (size_t k = 0; k < sizeof known / sizeof *known; k++)
                    if (strcasecmp(v, known[k][0]) == 0)
                        a.encoding = known[k][1];
                if (!a.encoding)
                    rc = usage_error("--encoding %s: use utf-8, windows-1252 or gb18030", v);
            } else if (strcmp(name, "--date-order") == 0) {
                if (strcasecmp(v, "dmy") == 0)
                    a.date_order = FMT_DATE_DMY;
                else if (strcasecmp(v, "mdy") == 0)
                    a.date_order = FMT_DATE_MDY;
                else
                    rc =
                        usage_error("--date-order %s: use dmy (26/11/2026) or mdy (11/26/2026)", v);
            } else if (strcmp(name, "--mode") == 0) {
                if (parse_mode(v, &a.mode) != 0)
                    rc = usage_error("--mode wants octal permission bits for the output files "
                                     "that let the owner read and write, 0600 to 0777 (e.g. "
                                     "0640 or 0644), not '%s'",
                                     v);
            } else if (strcmp(name, "--memory-limit") == 0) {
                if (parse_size(v, &a.memory_limit) != 0)
                    rc = usage_error("--memory-limit wants a size such as 512M, 16G or 2T "
                                     "(bytes without a suffix), not '%s'",
                                     v);
            } else if (strcmp(name, "--returns") == 0) {
                a.returns[a.n_returns++] = v;
            } else if (strcmp(name, "--shards") == 0) {
                int64_t n;
                if (fmt_int_parse(v, strlen(v), &n) != FMT_NUM_OK || n < 1 || n > ENG_PARTS)
                    rc = usage_error("--shards wants a whole number from 1 to %d, not '%s'",
                                     ENG_PARTS, v);
                else
                    a.shards = (unsigned)n;
            } else if (strcmp(name, "--work") == 0) {
                a.work = v;
            } else {
                a.history[a.n_history++] = v;
            }
        } else {
            char text[200];
            unknown_text(text, sizeof text, "argument", arg, run_flags,
                         sizeof run_flags / sizeof *run_flags);
            rc = usage_error("%s", text);
        }
    }
    if (rc < 0) {
        if (!a.catalog)
            rc = usage_error("%s is required", "--catalog");
        else if (!a.inventory)
            rc = usage_error("%s is required", "--inventory");
        else if (a.n_orders == 0)
            rc = usage_error("%s is required (at least one file)", "--orders");
        else if (!a.out)
            rc = usage_error("%s is required", "--out");
        else if (a.n_orders + a.n_returns + a.n_history > 60000)
            rc = usage_error("%s: at most 60000 files in all", "--orders, --returns, --history");
        else if (a.shards && !a.work)
            rc = usage_error("--shards needs --work DIR: the folder its tasks share");
        else if (a.work && !a.shards)
            rc = usage_error("--work goes with --shards N");
    }
    if (rc >= 0)
        eng_run_args_release(&a);
    *out = a;
    return rc;
}

static int cmd_run(int argc, char **argv)
{
    eng_run_args a;
    int rc = eng_cli_run_args(argc, argv, 2, &a);
    if (rc >= 0)
        return rc;
    if (a.shards) {
        rc = eng_shard_run_local(&a, argc - 2, argv + 2);
    } else {
        rc = take_stdin(&a);
        if (rc < 0)
            rc = eng_run(&a);
    }
    eng_run_args_release(&a);
    return rc;
}

static int cmd_verify(int argc, char **argv)
{
    eng_verify_args a;
    memset(&a, 0, sizeof a);
    a.orders = calloc((size_t)argc, sizeof *a.orders);
    a.returns = calloc((size_t)argc, sizeof *a.returns);
    a.history = calloc((size_t)argc, sizeof *a.history);
    int rc = -1, after_dashes = 0;
    seen_values seen = {{"--catalog", "--inventory", "--policy"}, {NULL}};
    if (!a.orders || !a.returns || !a.history) {
        fprintf(stderr, "slipway: out of memory\n");
        rc = 1;
    }
    for (int i = 2; i < argc && rc < 0; i++) {
        const char *arg = argv[i];
        if (!after_dashes && strcmp(arg, "--") == 0) {
            after_dashes = 1;
        } else if (after_dashes && a.dir) {
            rc = verify_usage("one DIR only ('%s' and '%s')", a.dir, arg);
        } else if (after_dashes) {
            a.dir = arg;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(verify_help, stdout);
            rc = 0;
        } else if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
            printf("slipway %s\n", SLIPWAY_VERSION);
            rc = 0;
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            a.quiet = 1;
        } else if (strcmp(arg, "--progress") == 0) {
            a.progress = 1;
        } else if (is_flag(arg, "--catalog") || is_flag(arg, "--inventory") ||
                   is_flag(arg, "--orders") || is_flag(arg, "--policy") ||
                   is_flag(arg, "--returns") || is_flag(arg, "--history")) {
            char name[32];
            size_t len = strcspn(arg, "=");
            snprintf(name, sizeof name, "%.*s", (int)(len < 31 ? len : 31), arg);
            const char *v = flag_value(argc, argv, &i, name);
            const char **first = first_value(&seen, name);
            const char *earlier = first ? *first : NULL;
            if (first && !earlier)
                *first = v;
            if (!v || !*v)
                rc = verify_usage("%s needs a value", name);
            else if (earlier)
                rc = verify_usage("%s is given twice ('%s' and '%s'); give it once", name, earlier,
                                  v);
            else if (strcmp(name, "--catalog") == 0)
                a.catalog = v;
            else if (strcmp(name, "--inventory") == 0)
                a.inventory = v;
            else if (strcmp(name, "--policy") == 0)
                a.policy = v;
            else if (strcmp(name, "--orders") == 0)
                a.orders[a.n_orders++] = v;
            else if (strcmp(name, "--returns") == 0)
                a.returns[a.n_returns++] = v;
            else
                a.history[a.n_history++] = v;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            char text[200];
            unknown_text(text, sizeof text, "argument", arg, verify_flags,
                         sizeof verify_flags / sizeof *verify_flags);
            rc = verify_usage("%s", text);
        } else if (a.dir) {
            rc = verify_usage("one DIR only ('%s' and '%s')", a.dir, arg);
        } else {
            a.dir = arg;
        }
    }
    if (rc < 0 && !a.dir)
        rc = verify_usage("%s", "DIR (the run's output folder) is required");
    if (rc < 0)
        rc = eng_verify_main(&a);
    free(a.orders);
    free(a.returns);
    free(a.history);
    return rc;
}

static int reconcile_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int reconcile_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "slipway: reconcile: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'slipway reconcile --help'.\n");
    va_end(ap);
    return 2;
}

static int cmd_reconcile(int argc, char **argv)
{
    eng_reconcile_args a;
    memset(&a, 0, sizeof a);
    a.as_of = today_utc();
    a.file_mode = ENG_OUTDIR_MODE;
    a.history = calloc((size_t)argc, sizeof *a.history);
    a.payouts = calloc((size_t)argc, sizeof *a.payouts);
    a.payout_maps = calloc((size_t)argc, sizeof *a.payout_maps);
    int rc = -1;
    seen_values seen = {{"--policy", "--as-of", "--payout-format", "--mode", "--out"}, {NULL}};
    if (!a.history || !a.payouts || !a.payout_maps) {
        fprintf(stderr, "slipway: out of memory\n");
        rc = 1;
    }
    for (int i = 2; i < argc && rc < 0; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(reconcile_help, stdout);
            rc = 0;
        } else if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
            printf("slipway %s\n", SLIPWAY_VERSION);
            rc = 0;
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            a.quiet = 1;
        } else if (strcmp(arg, "--progress") == 0) {
            a.progress = 1;
        } else if (is_flag(arg, "--history") || is_flag(arg, "--payouts") ||
                   is_flag(arg, "--policy") || is_flag(arg, "--as-of") ||
                   is_flag(arg, "--payout-format") || is_flag(arg, "--payout-map") ||
                   is_flag(arg, "--mode") || is_flag(arg, "--out")) {
            char name[32];
            size_t len = strcspn(arg, "=");
            snprintf(name, sizeof name, "%.*s", (int)(len < 31 ? len : 31), arg);
            const char *v = flag_value(argc, argv, &i, name);
            const char **first = first_value(&seen, name);
            const char *earlier = first ? *first : NULL;
            if (first && !earlier)
                *first = v;
            if (!v || !*v)
                rc = reconcile_usage("%s needs a value", name);
            else if (earlier)
                rc = reconcile_usage("%s is given twice ('%s' and '%s'); give it once", name,
                                     earlier, v);
            else if (fmt_utf8_valid_prefix(v, strlen(v)) != strlen(v))
                rc = reconcile_usage("%s: the value must be valid UTF-8", name);
            else if (strcmp(name, "--history") == 0)
                a.history[a.n_history++] = v;
            else if (strcmp(name, "--payouts") == 0)
                a.payouts[a.n_payouts++] = v;
            else if (strcmp(name, "--payout-map") == 0)
                a.payout_maps[a.n_payout_maps++] = v;
            else if (strcmp(name, "--policy") == 0)
                a.policy = v;
            else if (strcmp(name, "--out") == 0)
                a.out = v;
            else if (strcmp(name, "--as-of") == 0 && fmt_isodate_parse(v, strlen(v), &a.as_of) != 0)
                rc = reconcile_usage("--as-of wants YYYY-MM-DD in 1970-2099, not '%s'", v);
            else if (strcmp(name, "--mode") == 0 && parse_mode(v, &a.file_mode) != 0)
                rc =
                    reconcile_usage("--mode wants octal permission bits such as 0640, not '%s'", v);
            else if (strcmp(name, "--payout-format") == 0) {
                if (strncmp(v, "map:", 4) == 0 && (!v[4] || strcmp(v, "map:-") == 0))
                    rc = reconcile_usage("--payout-format map:FILE needs the mapping file's path");
                else if (strcmp(v, "auto") != 0 && strncmp(v, "map:", 4) != 0 &&
                         !fmt_payout_layout_find(v))
                    rc = reconcile_usage("--payout-format '%s' is not auto, map:FILE or one of: %s",
                                         v, fmt_payout_layout_names());
                a.payout_format = v;
            }
        } else {
            char text[200];
            unknown_text(text, sizeof text, "argument", arg, reconcile_flags,
                         sizeof reconcile_flags / sizeof *reconcile_flags);
            rc = reconcile_usage("%s", text);
        }
    }
    if (rc < 0 && !a.out)
        rc = reconcile_usage("%s", "--out DIR is required");
    else if (rc < 0 && !a.n_payouts)
        rc = reconcile_usage("%s", "--payouts FILE is required (a marketplace's payout file)");
    else if (rc < 0 && !a.n_history)
        rc = reconcile_usage("%s", "--history is required: the run folders whose slips, ledgers "
                                   "and order totals the payouts are checked against");
    if (rc < 0)
        rc = eng_reconcile_main(&a);
    free(a.history);
    free(a.payouts);
    free(a.payout_maps);
    return rc;
}

int eng_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_help, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(main_help, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("slipway %s\n", SLIPWAY_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc, argv);
    if (strcmp(cmd, "verify") == 0)
        return cmd_verify(argc, argv);
    if (strcmp(cmd, "reconcile") == 0)
        return cmd_reconcile(argc, argv);
    if (strcmp(cmd, "init") == 0)
        return cmd_init(argc, argv);
    if (strcmp(cmd, "task") == 0)
        return eng_shard_task(argc - 1, argv + 1, eng_cli_run_args);
    if (strcmp(cmd, "slurm") == 0)
        return eng_shard_slurm(argc - 1, argv + 1, eng_cli_run_args);
    char text[200];
    unknown_text(text, sizeof text, "command", cmd, commands, sizeof commands / sizeof *commands);
    fprintf(stderr, "slipway: %s\nTry 'slipway --help'.\n", text);
    return 2;
}
