/* A year of payouts for `make bench` (issue 16): deterministic, synthetic.
 *
 *   payoutgen --out DIR [--lines N] [--nights N] [--seed S]
 *
 * DIR/nights/night-NNN/ are slipway run folders of a year (slips.csv, order_totals.csv,
 * returns_ledger.csv, a manifest.json with the run_date): each night's orders spread over
 * three channels, one or two slip lines each, about 1% returned and refunded in the next
 * night's ledger. DIR/payouts/ holds what the three channels paid for them, N payout
 * lines in all (about a third each): Shopify Payments transaction exports (a charge and
 * its fee per order, a payout a week, an export a month), Amazon settlement reports (the
 * principal, shipping and commission per order, a settlement every 14 days with its
 * summary row) and eBay transaction reports (item subtotal, shipping and two fees per
 * order, a payout a week with its Payout row, a report a month). Refunds are paid back
 * in the payouts too. Integer cents throughout. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t state = 88172645463325252u;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static const char *const skus[] = {"TENT-2P", "PACK-35L", "LAMP-LED", "MUG-TI", "STOVE-1"};
static const int64_t prices[] = {18900, 9990, 2490, 1290, 3990};

static void day_text(int day, char out[16])
{
    /* days after 2026-01-01 (a year of 365 days) */
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m = 0;
    while (m < 11 && day >= mdays[m])
        day -= mdays[m++];
    snprintf(out, 16, "2026-%02d-%02d", (m + 1) % 100, (day + 1) % 100);
}

static FILE *open_file(const char *dir, const char *name)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

static void money(FILE *f, int64_t cents)
{
    if (cents < 0) {
        fputc('-', f);
        cents = -cents;
    }
    fprintf(f, "%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

/* The order's id as slipway's orders name it: Shopify's "#S-0000001", Amazon's and eBay's
 * without the '#'. */
static void order_id(char *dst, size_t cap, int channel, size_t id)
{
    snprintf(dst, cap, "%s%c-%07zu", channel == 0 ? "#" : "", "SAE"[channel], id + 1);
}

typedef struct order {
    int channel; /* 0 shopify, 1 amazon, 2 ebay */
    int day;
    int64_t items, shipping;
    int refunded; /* 1: one unit comes back the next night */
    int64_t refund;
} order;

int main(int argc, char **argv)
{
    const char *out = NULL;
    long lines = 1000000, nights = 365;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--lines") && i + 1 < argc)
            lines = atol(argv[++i]);
        else if (!strcmp(argv[i], "--nights") && i + 1 < argc)
            nights = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            state = strtoull(argv[++i], NULL, 10) | 1;
        else {
            fprintf(stderr, "usage: payoutgen --out DIR [--lines N] [--nights N] [--seed S]\n");
            return 2;
        }
    }
    if (!out || lines < 1 || nights < 1 || nights > 365) {
        fprintf(stderr, "usage: payoutgen --out DIR [--lines N] [--nights N (1-365)]\n");
        return 2;
    }
    long per_night = lines / (nights * 3) + 1; /* three payout lines an order on average */
    size_t n_orders = (size_t)(per_night * nights);
    order *orders = calloc(n_orders, sizeof *orders);
    if (!orders)
        return 1;
    char path[512], day[16];
    snprintf(path, sizeof path, "%s/nights", out);
    mkdir(out, 0755);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/payouts", out);
    mkdir(path, 0755);
    static const char *const channel[] = {"shopify", "amazon", "ebay"};
    uint64_t slip = 0, rma = 0;
    for (long n = 0; n < nights; n++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/nights/night-%03ld", out, n + 1);
        mkdir(dir, 0755);
        day_text((int)n, day);
        FILE *m = open_file(dir, "manifest.json");
        fprintf(m, "{\n  \"run_date\": \"%s\"\n}\n", day);
        fclose(m);
        FILE *s = open_file(dir, "slips.csv"), *t = open_file(dir, "order_totals.csv"),
             *l = open_file(dir, "returns_ledger.csv");
        fprintf(s, "slip_no,order_id,channel,line_no,sku,name,qty,unit_price,line_amount,"
                   "currency,warehouse,bin,ship_name,ship_street,ship_city,ship_region,"
                   "ship_postal,ship_country,ship_service,ship_date\n");
        fprintf(t, "order_id,channel,currency,items,shipping,tax,discount,order_total,"
                   "marketplace_tax,payment_gateway,status,ship_date\n");
        fprintf(l, "return_no,request_id,order_id,sku,qty,reason,condition,resolution,decision,"
                   "code,refund_amount,currency,restock_qty,warehouse,status,channel\n");
        for (long k = 0; k < per_night; k++) {
            size_t id = (size_t)(n * per_night + k);
            order *o = &orders[id];
            o->channel = (int)(id % 3);
            o->day = (int)n;
            o->shipping = 490;
            int n_lines = 1 + (int)(next() % 2);
            char oid[32];
            order_id(oid, sizeof oid, o->channel, id);
            slip++;
            for (int j = 0; j < n_lines; j++) {
                int p = (int)(next() % 5);
                int64_t qty = 1 + (int64_t)(next() % 2);
                o->items += qty * prices[p];
                fprintf(s, "OUT-%.4s%.2s%.2s-%06llu,%s,%s,%d,%s,%s,%lld,", day, day + 5, day + 8,
                        (unsigned long long)slip, oid, channel[o->channel], j + 1, skus[p], skus[p],
                        (long long)qty);
                money(s, prices[p]);
                fputc(',', s);
                money(s, qty * prices[p]);
                fprintf(s, ",EUR,MAIN,A-1,A Buyer,Street 1,Berlin,,10115,DE,standard,%s\n", day);
                if (j == 0 && next() % 100 == 0) {
                    o->refunded = 1;
                    o->refund = prices[p];
                }
            }
            fprintf(t, "%s,%s,EUR,", oid, channel[o->channel]);
            money(t, o->items);
            fputc(',', t);
            money(t, o->shipping);
            fprintf(t, ",0.00,0.00,");
            money(t, o->items + o->shipping);
            fprintf(t, ",,,SHIPPED,%s\n", day);
        }
        /* the previous night's returns */
        for (long k = 0; n > 0 && k < per_night; k++) {
            const order *o = &orders[(size_t)((n - 1) * per_night + k)];
            if (!o->refunded)
                continue;
            char oid[32];
            order_id(oid, sizeof oid, o->channel, (size_t)((n - 1) * per_night + k));
            fprintf(l,
                    "RMA-%.4s%.2s%.2s-%06llu,R-%s,%s,X,1,changed mind,resaleable,refund,"
                    "APPROVED,,",
                    day, day + 5, day + 8, (unsigned long long)++rma, oid, oid);
            money(l, o->refund);
            fprintf(l, ",EUR,1,MAIN,RESTOCKED,%s\n", channel[o->channel]);
        }
        fclose(s);
        fclose(t);
        fclose(l);
    }
    /* Payouts: Shopify and eBay weekly, Amazon every 14 days; a file a month (Amazon: a
     * file per settlement). An order is paid in the period after its night; its refund in
     * the period after its return. */
    FILE *f = NULL;
    int file_month = -1;
    for (int ch = 0; ch < 3; ch++) {
        int period = ch == 1 ? 14 : 7;
        for (int start = 0; start < nights; start += period) {
            int month = 0;
            char first[16];
            day_text(start, first);
            month = atoi(first + 5);
            if (ch != 1 && month != file_month) {
                if (f)
                    fclose(f);
                snprintf(path, sizeof path, "%s-%02d.csv", ch == 0 ? "shopify" : "ebay", month);
                char dir[512];
                snprintf(dir, sizeof dir, "%s/payouts", out);
                f = open_file(dir, path);
                file_month = month;
                if (ch == 0)
                    fprintf(f, "Transaction Date,Type,Order,Card Brand,Card Source,Payout "
                               "Status,Payout Date,Payout ID,Available On,Amount,Fee,Net,"
                               "Checkout,Payment Method Name,Presentment Amount,Presentment "
                               "Currency,Currency\n");
                else
                    fprintf(f, "\"Transaction report\"\n\"Seller ID\",\"bench\"\n\n"
                               "\"Transaction creation date\",\"Type\",\"Order number\","
                               "\"Net amount\",\"Payout currency\",\"Payout date\",\"Payout "
                               "ID\",\"Transaction ID\",\"Item subtotal\",\"Shipping and "
                               "handling\",\"Final Value Fee - fixed\",\"Final Value Fee - "
                               "variable\",\"Gross transaction amount\"\n");
            }
            if (ch == 1) {
                if (f)
                    fclose(f);
                f = NULL;
                file_month = -1;
                snprintf(path, sizeof path, "%s/payouts/amazon-%03d.txt", out, start);
                f = fopen(path, "w");
                if (!f)
                    return 1;
                fprintf(f, "settlement-id\tsettlement-start-date\tsettlement-end-date\t"
                           "deposit-date\ttotal-amount\tcurrency\ttransaction-type\torder-id\t"
                           "merchant-order-id\tadjustment-id\tshipment-id\tmarketplace-name\t"
                           "amount-type\tamount-description\tamount\tfulfillment-id\t"
                           "posted-date\tposted-date-time\torder-item-code\t"
                           "merchant-order-item-id\tmerchant-adjustment-item-id\tsku\t"
                           "quantity-purchased\n");
                /* the summary row: the deposit, summed below and written first as a
                 * placeholder of fixed width, then overwritten */
            }
            int64_t net = 0;
            long summary_at = ch == 1 ? ftell(f) : 0;
            if (ch == 1)
                fprintf(f, "%-120s\n", "");
            char pay_day[16], pid[32];
            day_text(start + period - 1 < nights ? start + period - 1 : (int)nights - 1, pay_day);
            snprintf(pid, sizeof pid, "%d%05d", ch + 1, start);
            for (int d = start; d < start + period && d < nights; d++) {
                day_text(d, day);
                for (long k = 0; k < per_night; k++) {
                    size_t id = (size_t)(d * per_night + k);
                    const order *o = &orders[id];
                    if (o->channel != ch)
                        continue;
                    char oid[32];
                    order_id(oid, sizeof oid, o->channel, id);
                    int64_t total = o->items + o->shipping, fee = total * 29 / 1000 + 30;
                    if (ch == 0) {
                        fprintf(f, "%s 10:00:00 +0100,charge,%s,visa,online,paid,%s,%s,%s,", day,
                                oid, pay_day, pid, pay_day);
                        money(f, total);
                        fputc(',', f);
                        money(f, fee);
                        fputc(',', f);
                        money(f, total - fee);
                        fprintf(f, ",,card,");
                        money(f, total);
                        fprintf(f, ",EUR,EUR\n");
                        if (o->refunded) {
                            fprintf(f, "%s 12:00:00 +0100,refund,%s,visa,online,paid,%s,%s,%s,-",
                                    day, oid, pay_day, pid, pay_day);
                            money(f, o->refund);
                            fprintf(f, ",0.00,-");
                            money(f, o->refund);
                            fprintf(f, ",,card,");
                            money(f, o->refund);
                            fprintf(f, ",EUR,EUR\n");
                        }
                    } else if (ch == 1) {
                        const char *desc[] = {"ItemPrice\tPrincipal", "ItemPrice\tShipping",
                                              "ItemFees\tCommission"};
                        int64_t amt[] = {o->items, o->shipping, -(total * 15 / 100)};
                        for (int c = 0; c < 3; c++) {
                            fprintf(f, "%s\t\t\t\t\tEUR\tOrder\t%s\t\t\t\tAmazon.de\t%s\t", pid + 1,
                                    oid, desc[c]);
                            money(f, amt[c]);
                            fprintf(f, "\t\t\t%s 08:00:00 UTC\t\t\t\t\t\n", day);
                            net += amt[c];
                        }
                        if (o->refunded) {
                            fprintf(f,
                                    "%s\t\t\t\t\tEUR\tRefund\t%s\t\t\t\tAmazon.de\tItemPrice\t"
                                    "Principal\t-",
                                    pid + 1, oid);
                            money(f, o->refund);
                            fprintf(f, "\t\t\t%s 09:00:00 UTC\t\t\t\t\t\n", day);
                            net -= o->refund;
                        }
                    } else {
                        int64_t fixed = 30, variable = total * 13 / 100;
                        fprintf(f, "\"%s\",\"Order\",\"%s\",\"", day, oid);
                        money(f, total - fixed - variable);
                        fprintf(f, "\",\"EUR\",\"%s\",\"%s\",\"T%zu\",\"", pay_day, pid, id);
                        money(f, o->items);
                        fprintf(f, "\",\"");
                        money(f, o->shipping);
                        fprintf(f, "\",\"");
                        money(f, -fixed);
                        fprintf(f, "\",\"");
                        money(f, -variable);
                        fprintf(f, "\",\"");
                        money(f, total);
                        fprintf(f, "\"\n");
                        net += total - fixed - variable;
                        if (o->refunded) {
                            fprintf(f, "\"%s\",\"Refund\",\"%s\",\"-", day, oid);
                            money(f, o->refund);
                            fprintf(f,
                                    "\",\"EUR\",\"%s\",\"%s\",\"R%zu\",\"--\",\"--\",\"--\","
                                    "\"--\",\"-",
                                    pay_day, pid, id);
                            money(f, o->refund);
                            fprintf(f, "\"\n");
                            net -= o->refund;
                        }
                    }
                }
            }
            if (ch == 2) {
                fprintf(f, "\"%s\",\"Payout\",\"--\",\"-", pay_day);
                money(f, net);
                fprintf(f, "\",\"EUR\",\"%s\",\"%s\",\"--\",\"--\",\"--\",\"--\",\"--\",\"--\"\n",
                        pay_day, pid);
            }
            if (ch == 1) {
                long end = ftell(f);
                fseek(f, summary_at, SEEK_SET);
                char line[121];
                char sum[32];
                snprintf(sum, sizeof sum, "%s%lld.%02lld", net < 0 ? "-" : "",
                         (long long)((net < 0 ? -net : net) / 100),
                         (long long)((net < 0 ? -net : net) % 100));
                int len = snprintf(line, sizeof line, "%s\t\t\t%s 00:00:00 UTC\t%s\tEUR", pid + 1,
                                   pay_day, sum);
                fwrite(line, 1, (size_t)len, f);
                /* the rest of the placeholder: tabs, so the row has its 23 fields... */
                for (int c = 6; c < 23 && len < 120; c++, len++)
                    fputc('\t', f);
                /* ...and blanks inside the last field, which the reader trims */
                for (; len < 120; len++)
                    fputc(' ', f);
                fseek(f, end, SEEK_SET);
            }
        }
        if (f)
            fclose(f);
        f = NULL;
        file_month = -1;
    }
    free(orders);
    return 0;
}
