/* Data generator for benchmarks: a canonical night (catalog, inventory, orders, returns)
 * and, optionally, many earlier nights of history (slips.csv and returns_ledger.csv in
 * slipway's own output format), all from a fixed seed, so every run of the benchmark
 * reads the same bytes.
 *
 * Shapes: SKU popularity is Zipf-like (s = 1.1), orders have 1-5 lines, a share of
 * addresses are quoted because they hold a comma, a few hot SKUs have scarce stock, a
 * small share of rows are bad (unknown SKU, bad quantity, bad price). Every shape is a
 * flag (see usage). --contention makes every line want one of the hot SKUs. --routed
 * makes the routed night of issue 14: customers in DE, FR, GB and the US, stock in four
 * warehouses (MAIN and EAST for Europe, UK, US), and DIR/policy.conf routing by country
 * with a webshop reserve and split = fewest, beside DIR/plain.conf (warehouse order
 * alone) for the same night unrouted and DIR/fair.conf (the routes under the shortage
 * rules: proportional shares and minimum fills).
 *
 * Writes DIR/catalog.csv, DIR/inventory.csv, DIR/orders.csv (.zst with --zstd, both with
 * --both), DIR/returns.csv and DIR/history/slips-DATE.csv[.zst], ledger-DATE.csv[.zst].
 * Floating point only picks shapes; every amount written is integer cents. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../formats/buf.h"
#include "../formats/isotime.h"
#include "../formats/sink.h"

typedef struct opts {
    const char *out;
    long rows; /* order lines tonight */
    long skus;
    long nights;       /* nights of history */
    long history_rows; /* slip lines per night of history */
    long returns;      /* return requests tonight */
    unsigned long long seed;
    int zstd;        /* orders and history as .zst */
    int both;        /* orders as .csv and .csv.zst */
    double skew;     /* Zipf exponent of SKU popularity */
    long hot;        /* SKUs whose stock is scarce */
    long scarcity;   /* hot SKUs' stock, percent of their expected demand */
    long error_ppm;  /* bad order rows per million */
    long multi_pct;  /* percent of orders with 2-5 lines (the rest have 1) */
    long quoted_pct; /* percent of orders whose street holds a comma, so is quoted */
    int contention;  /* every line wants a hot SKU */
    int routed;      /* customers in four countries, four warehouses, policy.conf routes */
} opts;

static unsigned long long rng;

static unsigned long long next(void)
{
    /* splitmix64: fast, and the same sequence on every platform */
    unsigned long long z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static long below(long n)
{
    return (long)(next() % (unsigned long long)n);
}

/* Zipf-like SKU choice: cumulative weights 1/(k+1)^s, binary search. */
static double *zipf_cdf;

static void zipf_init(long n, double s)
{
    zipf_cdf = malloc((size_t)n * sizeof *zipf_cdf);
    if (!zipf_cdf)
        exit(1);
    double sum = 0;
    for (long k = 0; k < n; k++) {
        sum += 1.0 / pow((double)(k + 1), s);
        zipf_cdf[k] = sum;
    }
    for (long k = 0; k < n; k++)
        zipf_cdf[k] /= sum;
}

static long zipf(long n)
{
    double u = (double)(next() >> 11) / 9007199254740992.0;
    long lo = 0, hi = n - 1;
    while (lo < hi) {
        long mid = (lo + hi) / 2;
        if (zipf_cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static long price_cents(long sku)
{
    return 499 + (sku * 7919) % 20000;
}

/* A file being written through slipway's own sink (zstd when asked). */
typedef struct out {
    fmt_sink *sink;
    fmt_buf buf;
} out;

static void out_open(out *o, const char *dir, const char *name, int zstd)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s%s", dir, name, zstd ? ".zst" : "");
    fmt_buf_init(&o->buf);
    eng_err err;
    memset(&err, 0, sizeof err);
    if (fmt_sink_open(path, zstd, &o->sink, &err) != ENG_OK) {
        fprintf(stderr, "gen: %s\n", err.msg);
        exit(1);
    }
}

static void out_flush(out *o, int force)
{
    if (o->buf.len < (1u << 20) && !force)
        return;
    eng_err err;
    memset(&err, 0, sizeof err);
    if (o->buf.failed || fmt_sink_write(o->sink, o->buf.p, o->buf.len, &err) != ENG_OK) {
        fprintf(stderr, "gen: write failed: %s\n", err.msg);
        exit(1);
    }
    o->buf.len = 0;
}

static void out_close(out *o)
{
    out_flush(o, 1);
    eng_err err;
    memset(&err, 0, sizeof err);
    if (fmt_sink_close(o->sink, &err) != ENG_OK) {
        fprintf(stderr, "gen: close failed: %s\n", err.msg);
        exit(1);
    }
    fmt_sink_free(o->sink);
    fmt_buf_release(&o->buf);
}

static void put_money(fmt_buf *b, long cents)
{
    fmt_buf_put_minor(b, cents, 2);
}

/* The routed night's customers by country: half in DE, 15% FR and GB, 20% US. */
static const char *country_of(long who)
{
    long k = who % 20;
    return k < 10 ? "DE" : k < 13 ? "FR" : k < 16 ? "GB" : "US";
}

static void put_address(fmt_buf *b, const opts *o, long who, int quoted)
{
    char tmp[256];
    if (o->routed && strcmp(country_of(who), "DE") != 0) {
        const char *c = country_of(who);
        if (c[0] == 'F')
            snprintf(tmp, sizeof tmp, "Customer %ld,%s%ld rue de Rivoli%s,Paris,,%05ld,FR", who,
                     quoted ? "\"" : "", who % 300 + 1, quoted ? ", Apt 2\"" : "",
                     75001 + who % 20);
        else if (c[0] == 'G')
            snprintf(tmp, sizeof tmp, "Customer %ld,%s%ld High Street%s,London,,SW1A %ldAA,GB", who,
                     quoted ? "\"" : "", who % 300 + 1, quoted ? ", Flat 2\"" : "",
                     who % 9 + 1);
        else
            snprintf(tmp, sizeof tmp, "Customer %ld,%s%ld Main St%s,New York,NY,%05ld,US", who,
                     quoted ? "\"" : "", who % 300 + 1, quoted ? ", Apt 2\"" : "",
                     10001 + who % 200);
        fmt_buf_puts(b, tmp);
        return;
    }
    if (quoted)
        snprintf(tmp, sizeof tmp, "Customer %ld,\"Hauptstrasse %ld, Apt %ld\",Berlin,,%05ld,DE",
                 who, who % 300 + 1, who % 40 + 1, 10115 + who % 900);
    else
        snprintf(tmp, sizeof tmp, "Customer %ld,Hauptstrasse %ld,Berlin,,%05ld,DE", who,
                 who % 300 + 1, 10115 + who % 900);
    fmt_buf_puts(b, tmp);
}

static void write_reference(const opts *o)
{
    out f;
    out_open(&f, o->out, "catalog.csv", 0);
    fmt_buf_puts(&f.buf, "sku,name,status,list_price,min_price,currency,returnable,bin\n");
    for (long s = 0; s < o->skus; s++) {
        char tmp[160];
        snprintf(tmp, sizeof tmp, "SKU%06ld,Product %ld,active,", s, s);
        fmt_buf_puts(&f.buf, tmp);
        put_money(&f.buf, price_cents(s));
        fmt_buf_putc(&f.buf, ',');
        put_money(&f.buf, price_cents(s) / 2);
        snprintf(tmp, sizeof tmp, ",EUR,%s,%c-%02ld-%02ld\n", s % 50 == 7 ? "n" : "y",
                 'A' + (int)(s % 6), s % 40, s % 17);
        fmt_buf_puts(&f.buf, tmp);
        out_flush(&f, 0);
    }
    out_close(&f);
    out_open(&f, o->out, "inventory.csv", 0);
    fmt_buf_puts(&f.buf, "sku,warehouse,on_hand,reorder_point,reorder_qty,safety_stock\n");
    for (long s = 0; s < o->skus; s++) {
        /* Expected demand per SKU is about rows * 2 * zipf weight: stock covers it for all
         * but a few hot SKUs, which run out. */
        double share = s == 0 ? zipf_cdf[0] : zipf_cdf[s] - zipf_cdf[s - 1];
        long demand = (long)(share * (double)o->rows * 2.0) + 5;
        if (o->contention && s < o->hot) /* every line wants one of the hot SKUs */
            demand = o->rows * 2 / o->hot + 5;
        long on_hand = s < o->hot ? demand * o->scarcity / 100 : demand * 2 + below(50);
        char tmp[160];
        snprintf(tmp, sizeof tmp, "SKU%06ld,MAIN,%ld,%ld,%ld,%ld\n", s, on_hand, demand / 4 + 1,
                 demand + 10, s % 9 == 0 ? 2L : 0L);
        fmt_buf_puts(&f.buf, tmp);
        if (s % 4 == 0) {
            snprintf(tmp, sizeof tmp, "SKU%06ld,EAST,%ld,%ld,%ld,0\n", s, on_hand / 4,
                     demand / 8 + 1, demand / 2 + 10);
            fmt_buf_puts(&f.buf, tmp);
        }
        if (o->routed) { /* GB's 15% and the US's 20% of the demand, and as much again */
            snprintf(tmp, sizeof tmp, "SKU%06ld,UK,%ld,%ld,%ld,0\n", s, on_hand * 15 / 100,
                     demand / 16 + 1, demand / 4 + 10);
            fmt_buf_puts(&f.buf, tmp);
            snprintf(tmp, sizeof tmp, "SKU%06ld,US,%ld,%ld,%ld,0\n", s, on_hand * 20 / 100,
                     demand / 12 + 1, demand / 3 + 10);
            fmt_buf_puts(&f.buf, tmp);
        }
        out_flush(&f, 0);
    }
    out_close(&f);
}

/* One order line with, now and then, one bad value: an unknown SKU, a quantity of 0 or a
 * price that is not a number, each a row the engine must name in exceptions.csv. */
static void put_line(fmt_buf *b, const opts *o, long order, const char *when, long who, int quoted)
{
    long sku = o->contention ? below(o->hot) : zipf(o->skus);
    long bad = below(1000000) < o->error_ppm ? 1 + below(3) : 0;
    char tmp[256];
    snprintf(tmp, sizeof tmp, "T%09ld,%s,%s%06ld,%ld,", order, when, bad == 1 ? "NOSUCH" : "SKU",
             sku, bad == 2 ? 0 : 1 + below(3));
    fmt_buf_puts(b, tmp);
    if (bad == 3)
        fmt_buf_puts(b, "12.x0");
    else
        put_money(b, price_cents(sku));
    snprintf(tmp, sizeof tmp, ",EUR,%s,%s,C%07ld,", order % 3 ? "shop" : "marketplace",
             order % 97 == 0 ? "5" : "", who);
    fmt_buf_puts(b, tmp);
    put_address(b, o, who, quoted);
    fmt_buf_puts(b, ",standard,,4.90,,\n");
}

static void write_orders(const opts *o, int32_t run_date, int zstd)
{
    out f;
    out_open(&f, o->out, "orders.csv", zstd);
    fmt_buf_puts(&f.buf, "order_id,order_time,sku,qty,unit_price,currency,channel,priority,"
                         "customer_id,ship_name,ship_street,ship_city,ship_region,ship_postal,"
                         "ship_country,ship_service,order_total,shipping,tax,discount\n");
    char when[40];
    long order = 0;
    for (long line = 0; line < o->rows; order++) {
        long lines = below(100) < o->multi_pct ? 2 + below(4) : 1;
        int64_t t = ((int64_t)run_date - 1) * FMT_NS_PER_DAY + below(86400) * INT64_C(1000000000);
        fmt_isotime_format(t, when);
        long who = below(1000000);
        /* Drawn per order: one order's rows share one address, or every quoted row would
         * differ from its order's others (INCONSISTENT_ORDER, not a realistic night). */
        int quoted = below(100) < o->quoted_pct;
        for (long l = 0; l < lines && line < o->rows; l++, line++) {
            put_line(&f.buf, o, order, when, who, quoted);
            out_flush(&f, 0);
        }
    }
    out_close(&f);
}

/* One earlier night: its slips, and a ledger of returns of the night before it. */
static void write_history_night(const opts *o, int32_t day, long night)
{
    char name[64], date[9], ship_date[11];
    fmt_isodate_compact(day, date);
    fmt_isodate_format(day, ship_date);
    out f;
    snprintf(name, sizeof name, "history/slips-%s.csv", date);
    out_open(&f, o->out, name, o->zstd);
    fmt_buf_puts(&f.buf, "slip_no,order_id,channel,line_no,sku,name,qty,unit_price,line_amount,"
                         "currency,warehouse,bin,ship_name,ship_street,ship_city,ship_region,"
                         "ship_postal,ship_country,ship_service,ship_date\n");
    long order = 0;
    for (long line = 0; line < o->history_rows; order++) {
        long lines = 1 + below(5), who = below(1000000);
        for (long l = 0; l < lines && line < o->history_rows; l++, line++) {
            long sku = zipf(o->skus), qty = 1 + below(3);
            char tmp[256];
            snprintf(tmp, sizeof tmp,
                     "OUT-%s-%06ld,H%04ld-%08ld,shop,%ld,SKU%06ld,Product %ld,%ld,", date,
                     order + 1, night, order, l + 1, sku, sku, qty);
            fmt_buf_puts(&f.buf, tmp);
            put_money(&f.buf, price_cents(sku));
            fmt_buf_putc(&f.buf, ',');
            put_money(&f.buf, price_cents(sku) * qty);
            snprintf(tmp, sizeof tmp, ",EUR,MAIN,A-01-01,");
            fmt_buf_puts(&f.buf, tmp);
            put_address(&f.buf, o, who, order % 10 == 0);
            fmt_buf_puts(&f.buf, ",standard,");
            fmt_buf_puts(&f.buf, ship_date);
            fmt_buf_putc(&f.buf, '\n');
            out_flush(&f, 0);
        }
    }
    out_close(&f);
    /* About 2% of the previous night's lines come back. */
    snprintf(name, sizeof name, "history/ledger-%s.csv", date);
    out_open(&f, o->out, name, o->zstd);
    fmt_buf_puts(&f.buf, "return_no,request_id,order_id,sku,qty,reason,condition,resolution,"
                         "decision,code,refund_amount,currency,restock_qty,warehouse,status\n");
    static const char *const reasons[] = {"too small", "too large", "damaged in transit",
                                          "not as described", "changed mind"};
    for (long r = 0; r < o->history_rows / 50; r++) {
        long sku = zipf(o->skus);
        char tmp[256];
        snprintf(tmp, sizeof tmp,
                 "RMA-%s-%06ld,REQ-%04ld-%07ld,H%04ld-%08ld,SKU%06ld,1,%s,resaleable,refund,"
                 "APPROVED,,",
                 date, r + 1, night, r, night + 1, below(order + 1), sku, reasons[below(5)]);
        fmt_buf_puts(&f.buf, tmp);
        put_money(&f.buf, price_cents(sku));
        fmt_buf_puts(&f.buf, ",EUR,1,MAIN,RESTOCKED\n");
        out_flush(&f, 0);
    }
    out_close(&f);
}

static void write_returns(const opts *o)
{
    out f;
    out_open(&f, o->out, "returns.csv", 0);
    fmt_buf_puts(&f.buf, "request_id,order_id,sku,qty,reason,condition,resolution\n");
    for (long r = 0; r < o->returns; r++) {
        char tmp[160];
        /* Mostly orders of the last history night (some of which did not ship that SKU:
         * those are rejected). */
        snprintf(tmp, sizeof tmp, "TREQ-%07ld,H0001-%08ld,SKU%06ld,1,too small,%s,%s\n", r,
                 below(o->history_rows / 3 + 1), zipf(o->skus), r % 5 ? "new" : "damaged",
                 r % 7 ? "refund" : "exchange");
        fmt_buf_puts(&f.buf, tmp);
        out_flush(&f, 0);
    }
    out_close(&f);
}

/* The routes both routed policies use, by the customers' countries (country_of). */
#define ROUTED_ROUTES                                                                              \
    "warehouse_order = MAIN, EAST, UK, US\n"                                                      \
    "route_mode = only\n"                                                                         \
    "route.DE = MAIN, EAST\n"                                                                     \
    "route.FR = MAIN, EAST\n"                                                                     \
    "route.GB = UK, MAIN\n"                                                                       \
    "route.US = US\n"

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* The routed night's policies: policy.conf routes, plain.conf does not, fair.conf routes
 * and shares short stock in proportion (issue 14's shortage rules). */
static void write_policies(const opts *o)
{
    write_text(o->out, "policy.conf",
               "# The routed bench night (bench/gen.c --routed): Europe from MAIN, then EAST;\n"
               "# Great Britain from UK, then MAIN; the US from US alone (no route\n"
               "# reaches past it); the webshop keeps 5% of each SKU in each\n"
               "# warehouse; each order from the fewest warehouses.\n" ROUTED_ROUTES
               "reserve.shop.* = 5%\n"
               "split = fewest\n");
    write_text(o->out, "fair.conf",
               "# The routed bench night shared fairly: the routes of policy.conf, each order\n"
               "# from at most two warehouses, proportional shares of short stock, and\n"
               "# partial shipments below 40% of a line or 50% of an order waiting.\n"
               "allocation = partial\n" ROUTED_ROUTES "max_split = 2\n"
               "shortage_rule = proportional\n"
               "min_fill_line_pct = 40\n"
               "min_fill_order_pct = 50\n");
    write_text(o->out, "plain.conf",
               "# The routed bench night without routes: every order tries every warehouse.\n"
               "warehouse_order = MAIN, EAST, UK, US\n");
}

static const char usage[] =
    "usage: gen --out DIR [--rows N] [--skus N] [--skew S] [--hot N] [--scarcity PCT]\n"
    "           [--error-ppm N] [--multi-line PCT] [--quoted PCT] [--contention] [--routed]\n"
    "           [--nights N] [--history-rows N] [--returns N] [--seed S] [--zstd | --both]\n";

static double skew_arg(const char *v)
{
    char *end;
    double s = strtod(v ? v : "", &end);
    if (!v || *end || !(s > 0 && s < 10)) {
        fprintf(stderr, "gen: --skew wants a number between 0 and 10 (1.1 is Zipf-like)\n");
        exit(2);
    }
    return s;
}

static long num_arg(const char *flag, const char *v)
{
    char *end;
    errno = 0;
    long n = strtol(v ? v : "", &end, 10);
    if (!v || *end || errno || n < 0) {
        fprintf(stderr, "gen: %s wants a whole number\n", flag);
        exit(2);
    }
    return n;
}

int main(int argc, char **argv)
{
    opts o = {.rows = 1000000,
              .skus = 20000,
              .history_rows = 100000,
              .returns = 1000,
              .seed = 42,
              .skew = 1.1,
              .hot = 20,
              .scarcity = 33,
              .error_ppm = 1000,
              .multi_pct = 80,
              .quoted_pct = 10};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--out") == 0 && v)
            o.out = argv[++i];
        else if (strcmp(a, "--rows") == 0)
            o.rows = num_arg(a, v), i++;
        else if (strcmp(a, "--skus") == 0)
            o.skus = num_arg(a, v), i++;
        else if (strcmp(a, "--nights") == 0)
            o.nights = num_arg(a, v), i++;
        else if (strcmp(a, "--history-rows") == 0)
            o.history_rows = num_arg(a, v), i++;
        else if (strcmp(a, "--returns") == 0)
            o.returns = num_arg(a, v), i++;
        else if (strcmp(a, "--seed") == 0)
            o.seed = (unsigned long long)num_arg(a, v), i++;
        else if (strcmp(a, "--skew") == 0)
            o.skew = skew_arg(v), i++;
        else if (strcmp(a, "--hot") == 0)
            o.hot = num_arg(a, v), i++;
        else if (strcmp(a, "--scarcity") == 0)
            o.scarcity = num_arg(a, v), i++;
        else if (strcmp(a, "--error-ppm") == 0)
            o.error_ppm = num_arg(a, v), i++;
        else if (strcmp(a, "--multi-line") == 0)
            o.multi_pct = num_arg(a, v), i++;
        else if (strcmp(a, "--quoted") == 0)
            o.quoted_pct = num_arg(a, v), i++;
        else if (strcmp(a, "--contention") == 0)
            o.contention = 1;
        else if (strcmp(a, "--routed") == 0)
            o.routed = 1;
        else if (strcmp(a, "--zstd") == 0)
            o.zstd = 1;
        else if (strcmp(a, "--both") == 0)
            o.both = 1;
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (!o.out || o.skus < 1 || o.hot < 1 || o.hot > o.skus || o.multi_pct > 100 ||
        o.quoted_pct > 100 || o.error_ppm > 1000000) {
        fprintf(stderr,
                "gen: --out DIR is required; --skus >= --hot >= 1; percents <= 100; "
                "--error-ppm <= 1000000\n%s",
                usage);
        return 2;
    }
    if (mkdir(o.out, 0755) != 0 && errno != EEXIST) {
        perror(o.out);
        return 1;
    }
    char hist[4096];
    snprintf(hist, sizeof hist, "%s/history", o.out);
    if (o.nights && mkdir(hist, 0755) != 0 && errno != EEXIST) {
        perror(hist);
        return 1;
    }
    rng = o.seed;
    zipf_init(o.skus, o.skew);
    int32_t run_date = fmt_days_from_civil(2026, 11, 27);
    write_reference(&o);
    if (o.routed)
        write_policies(&o);
    unsigned long long orders_seed = rng;
    if (o.both) { /* the same lines twice, so both files read the same night */
        write_orders(&o, run_date, 0);
        rng = orders_seed;
    }
    write_orders(&o, run_date, o.zstd || o.both);
    for (long k = 1; k <= o.nights; k++)
        write_history_night(&o, run_date - (int32_t)k, k);
    write_returns(&o);
    free(zipf_cdf);
    return 0;
}
