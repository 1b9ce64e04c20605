/* WooCommerce order export (the "Order Export & Order Import" and "Customer/Order CSV
 * Export" plugins, one row per order): comma CSV, RFC 4180 quoting, one record per ORDER
 * whose items sit in packed cells line_item_1 .. line_item_N. One record becomes one
 * canonical row per non-blank item cell, in column number order; the first carries the
 * order-level values, the others only order_id and their item (the canonical model's
 * inheritance fills them in).
 *
 * Mapping (see README "Marketplace layouts"):
 *   order_id            order_id (order_number when the file has no order_id column)
 *   order_time          order_date: "16-05-2018 07:32:06" (day first, also "16-05-2018
 *                       07:32" and "16-05-2018") or ISO "2026-11-26 09:15:02", read as UTC
 *   sku, qty            the item cell's sku: and quantity: (qty: accepted)
 *   unit_price          the item cell's total:, a LINE total (row.line_total): the engine
 *                       takes it as the line amount and derives the unit price half up
 *   currency            order_currency (currency)
 *   customer_id         billing_email
 *   ship_name           shipping_first_name + " " + shipping_last_name, then
 *                       ", " + shipping_company when given (the company alone without a name)
 *   ship_street         shipping_address_1, then ", " + shipping_address_2 when given
 *   ship_city/region    shipping_city, shipping_state
 *   ship_postal         shipping_postcode (spreadsheet protection removed)
 *   ship_country        shipping_country
 *   ship_service        shipping_method_title, else shipping_method
 *   shipping            order_shipping (shipping_total), plus fee_total when positive
 *   tax                 tax_total; or order_tax + order_shipping_tax (shipping_tax_total)
 *   discount            only a negative fee_total, as a positive amount (see totals)
 *   order_total         order_total, when the taxes in it are known (see totals)
 *   payment_gateway     payment_method (the gateway's id: stripe, ppcp-gateway), else
 *                       payment_method_title
 *   channel             "woocommerce" on the order's first row
 * Not read: billing name and address (never used as a ship-to: WooCommerce leaves the
 * shipping address blank for virtual and local pickup orders, and shipping those to the
 * billing address would be a guess, so such an order is MISSING_FIELD), customer_note,
 * cart_discount/discount_total (see totals), and the item keys name, product_id,
 * variation_id, sub_total, tax, tax_data, refunded and any item meta.
 *
 * States (status, "wc-" prefix optional, any case, the admin labels "On hold" and
 * "Pending payment" too): processing ships; completed -> ALREADY_FULFILLED; cancelled,
 * failed, refunded -> ORDER_CANCELLED; pending, on-hold, checkout-draft ->
 * AWAITING_PAYMENT. Any other status (a shop's custom "wc-shipped", or blank) is not
 * guessed at: the record is MALFORMED_ROW naming the status, so nothing of the order
 * ships until someone looks.
 *
 * Totals. In WooCommerce an item's total: is after discounts and before tax, and
 *   order_total = sum(item totals) + shipping + fees + cart tax + shipping tax,
 * where the coupon discount (cart_discount, discount_total) is already inside the item
 * totals. So the engine's check (lines + shipping + tax - discount) is right when
 * shipping = shipping (+ positive fees), tax = every tax, and discount is NOT the coupon
 * discount (subtracting it again would reject every discounted order). A negative fee (a
 * shop's "discount as a fee") becomes the discount. tax_total is WooCommerce's total tax
 * (cart and shipping); order_tax is its cart tax alone (`_order_tax`), so the shipping tax
 * column is added to it. A file with order_tax but no shipping tax column cannot show
 * whether shipping was taxed: there order_total is passed only for orders with no
 * shipping charge; a file with no tax column at all never passes order_total. A file
 * without fee_total is taken to have no fees (an order that had some gets TOTAL_MISMATCH,
 * the gap being the fee). Refunds do not change order_total and are not read.
 *
 * Item cells. `name:Alpine 2-person dome tent|product_id:13|sku:TENT-2P-ALP|quantity:1|
 * total:189.00|tax:35.91`: pairs key:value joined by '|', the value after the key's
 * first ':' (so a name may hold ':'). The cell is cut at every '|', and a piece starts a
 * new pair when it begins with a known key (name, meta, sku, quantity, qty, total,
 * product_id, variation_id, _variation_id, sub_total, subtotal, tax, total_tax,
 * subtotal_tax, tax_data, refunded, refunded_qty). Any other piece continues the name
 * (or meta, or an item meta pair) before it, so "name:Poles | carbon|sku:..." keeps its
 * '|'; after any other key a piece holding ':' is an item meta pair such as
 * "pa_colour:green" (ignored), and one without ':' makes the cell malformed. A name that
 * itself holds "|sku:" cannot be told from a key and gives two sku: keys. A blank cell is
 * no item. A missing sku:, quantity: or total: leaves that value blank, so the engine
 * reports MISSING_FIELD (sku, qty, unit_price) for the order; a cell that is not a list
 * of key:value pairs, has sku:, quantity: or total: twice, or has none of name:, sku:,
 * quantity:, total: is MALFORMED_ROW naming the column (the order is rejected: it never
 * ships with an item missing). An order with no item cell at all is one summary row, and
 * the engine reports it has no item lines.
 *
 * Other quirks: quoted fields with line breaks and doubled quotes are the CSV reader's
 * business, and the record keeps the line it starts on; line breaks inside the shipping
 * address and name fields are joined into ", " so that slips stay one line per address
 * part. Amounts go through fmt_layout_money ("€5,70" -> "5.70"); values that cannot be
 * read pass unchanged, so the engine reports BAD_NUMBER or BAD_DATE with the line. The
 * order date is the shop's local time with no zone; the shop's zone is unknown, so it is
 * read as UTC: that can only move an order among others placed within the zone's
 * offset in the ranking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "num.h"
#include "table.h"
#include "utf8.h"

enum {
    W_ORDER_ID,
    W_ORDER_NUMBER,
    W_ORDER_DATE,
    W_STATUS,
    W_BILLING_EMAIL,
    W_SHIP_FIRST,
    W_SHIP_LAST,
    W_SHIP_COMPANY,
    W_SHIP_ADDRESS_1,
    W_SHIP_ADDRESS_2,
    W_SHIP_CITY,
    W_SHIP_STATE,
    W_SHIP_POSTCODE,
    W_SHIP_COUNTRY,
    W_SHIP_METHOD,
    W_SHIP_METHOD_TITLE,
    W_ORDER_CURRENCY,
    W_CURRENCY,
    W_ORDER_SHIPPING,
    W_SHIPPING_TOTAL,
    W_ORDER_SHIPPING_TAX,
    W_SHIPPING_TAX_TOTAL,
    W_ORDER_TAX,
    W_TAX_TOTAL,
    W_FEE_TOTAL,
    W_ORDER_TOTAL,
    W_PAYMENT_METHOD,
    W_PAYMENT_METHOD_TITLE,
    W_COUNT
};

/* Alternatives (order_id or order_number, order_currency or currency) are all optional
 * here; bind checks that one of each is present. */
static const fmt_column woo_columns[W_COUNT] = {
    {"order_id", 0},           {"order_number", 0},
    {"order_date", 1},         {"status", 1},
    {"billing_email", 0},      {"shipping_first_name", 0},
    {"shipping_last_name", 0}, {"shipping_company", 0},
    {"shipping_address_1", 0}, {"shipping_address_2", 0},
    {"shipping_city", 0},      {"shipping_state", 0},
    {"shipping_postcode", 0},  {"shipping_country", 0},
    {"shipping_method", 0},    {"shipping_method_title", 0},
    {"order_currency", 0},     {"currency", 0},
    {"order_shipping", 0},     {"shipping_total", 0},
    {"order_shipping_tax", 0}, {"shipping_tax_total", 0},
    {"order_tax", 0},          {"tax_total", 0},
    {"fee_total", 0},          {"order_total", 0},
    {"payment_method", 0},     {"payment_method_title", 0},
};

/* One packed item column. */
typedef struct woo_item_col {
    unsigned long number; /* N of line_item_N */
    int col;              /* index in the header */
} woo_item_col;

typedef struct woo_bind {
    int col[W_COUNT];
    int id, currency, shipping, shipping_tax, tax, ship_method; /* chosen alternatives */
    int tax_is_total;    /* tax_total: every tax; else order_tax, the cart tax alone */
    woo_item_col *items; /* line_item_N columns in number order */
    size_t n_items;
} woo_bind;

static int lower(char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* 1 when v (already trimmed) equals word, ignoring ASCII case. */
static int eq_nocase(fmt_str v, const char *word)
{
    size_t n = strlen(word);
    if (v.len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(v.p[i]) != lower(word[i]))
            return 0;
    return 1;
}

/* The N of a header "line_item_N" (N: 1 to 9 digits, not 0), or 0. */
static unsigned long item_number(fmt_str name)
{
    static const char prefix[] = "line_item_";
    size_t n = sizeof prefix - 1;
    name = fmt_layout_trim(name);
    if (name.len <= n || name.len > n + 9)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(name.p[i]) != prefix[i])
            return 0;
    unsigned long num = 0;
    for (size_t i = n; i < name.len; i++) {
        if (name.p[i] < '0' || name.p[i] > '9')
            return 0;
        num = num * 10 + (unsigned long)(name.p[i] - '0');
    }
    return num;
}

static int woo_detect(const fmt_layout *l, const fmt_csv_fields *header)
{
    (void)l;
    /* Names no canonical or Shopify header uses; order_total is canonical too. */
    static const char *const sig[] = {"order_date",          "status",
                                      "order_currency",      "billing_email",
                                      "shipping_first_name", "shipping_address_1",
                                      "shipping_postcode",   "customer_note"};
    int items = 0;
    for (size_t i = 0; i < fmt_csv_count(header) && !items; i++)
        items = item_number(fmt_csv_field(header, i)) > 0;
    if (!items)
        return 0;
    int n = 1 + fmt_layout_count_cols(header, sig, sizeof sig / sizeof *sig);
    return n >= 3 ? n : 0;
}

static int cmp_item_col(const void *x, const void *y)
{
    const woo_item_col *a = x, *b = y;
    return (a->number > b->number) - (a->number < b->number);
}

static void woo_unbind(void *bind)
{
    woo_bind *b = bind;
    if (!b)
        return;
    free(b->items);
    free(b);
}

/* The first of two alternative columns the header has, or -1. */
static int either(const woo_bind *b, int first, int second)
{
    return b->col[first] >= 0 ? b->col[first] : b->col[second];
}

static eng_rc woo_bind_header(const fmt_layout *l, const fmt_csv_fields *header, void **bind,
                              eng_err *err)
{
    woo_bind *b = calloc(1, sizeof *b);
    size_t n = fmt_csv_count(header);
    if (b)
        b->items = malloc((n ? n : 1) * sizeof *b->items);
    if (!b || !b->items) {
        woo_unbind(b);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    }
    eng_rc rc = fmt_header_map(header, woo_columns, W_COUNT, b->col, l->name, err);
    if (rc != ENG_OK)
        goto fail;
    b->id = either(b, W_ORDER_ID, W_ORDER_NUMBER);
    b->currency = either(b, W_ORDER_CURRENCY, W_CURRENCY);
    b->shipping = either(b, W_ORDER_SHIPPING, W_SHIPPING_TOTAL);
    b->shipping_tax = either(b, W_ORDER_SHIPPING_TAX, W_SHIPPING_TAX_TOTAL);
    b->tax_is_total = b->col[W_TAX_TOTAL] >= 0;
    b->tax = either(b, W_TAX_TOTAL, W_ORDER_TAX);
    b->ship_method = either(b, W_SHIP_METHOD_TITLE, W_SHIP_METHOD);
    if (b->id < 0 || b->currency < 0) {
        err->field = b->id < 0 ? "order_id" : "order_currency";
        rc = ENG_FAIL(err, ENG_REFUSED,
                      "required column \"%s\" (or \"%s\") is missing from the %s header; check "
                      "that the file is in the %s layout",
                      err->field, b->id < 0 ? "order_number" : "currency", l->name, l->name);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned long num = item_number(fmt_csv_field(header, i));
        if (num == 0)
            continue;
        for (size_t k = 0; k < b->n_items; k++) {
            if (b->items[k].number != num)
                continue;
            err->field = NULL; /* the message names it: no static name to point at */
            rc = ENG_FAIL(err, ENG_REFUSED,
                          "column \"line_item_%lu\" appears twice in the %s header (columns %d "
                          "and %zu); remove one",
                          num, l->name, b->items[k].col + 1, i + 1);
            goto fail;
        }
        b->items[b->n_items].number = num;
        b->items[b->n_items].col = (int)i;
        b->n_items++;
    }
    if (b->n_items == 0) {
        err->field = "line_item_1";
        rc = ENG_FAIL(err, ENG_REFUSED,
                      "required column \"line_item_1\" is missing from the %s header; check that "
                      "the file is in the %s layout",
                      l->name, l->name);
        goto fail;
    }
    qsort(b->items, b->n_items, sizeof *b->items, cmp_item_col);
    *bind = b;
    return ENG_OK;
fail:
    woo_unbind(b);
    return rc;
}

/* ---- values ---- */

/* v with each run of line breaks (and the blanks around it) replaced by ", ": an
 * address typed over two lines stays one slip field. */
static fmt_str one_line(fmt_out *out, fmt_str v)
{
    if (!memchr(v.p, '\n', v.len) && !memchr(v.p, '\r', v.len))
        return v;
    char *buf = eng_arena_alloc(out->mem, v.len * 2 + 1, 1);
    if (!buf)
        return (fmt_str){NULL, 0};
    size_t n = 0;
    for (size_t i = 0; i < v.len;) {
        if (v.p[i] != '\n' && v.p[i] != '\r') {
            buf[n++] = v.p[i++];
            continue;
        }
        while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
            n--;
        while (i < v.len && (v.p[i] == '\r' || v.p[i] == '\n' || v.p[i] == ' ' || v.p[i] == '\t'))
            i++;
        if (n && i < v.len) {
            buf[n++] = ',';
            buf[n++] = ' ';
        }
    }
    buf[n] = '\0';
    return (fmt_str){buf, n};
}

/* a + sep + b, or whichever is not blank. */
static fmt_str join(fmt_out *out, fmt_str a, const char *sep, fmt_str b)
{
    if (!a.len)
        return b;
    if (!b.len)
        return a;
    size_t n_sep = strlen(sep);
    char *buf = eng_arena_alloc(out->mem, a.len + n_sep + b.len + 1, 1);
    if (!buf)
        return (fmt_str){NULL, 0};
    memcpy(buf, a.p, a.len);
    memcpy(buf + a.len, sep, n_sep);
    memcpy(buf + a.len + n_sep, b.p, b.len);
    buf[a.len + n_sep + b.len] = '\0';
    return (fmt_str){buf, a.len + n_sep + b.len};
}

/* An amount as plain decimal text; as written when it cannot be read. */
static fmt_str amount(fmt_out *out, fmt_str v)
{
    fmt_str a;
    const char *cur;
    if (fmt_layout_money(out, v, &a, &cur) != 0)
        return fmt_layout_trim(v);
    return a;
}

/* A signed plain decimal ("-5.00"): value = (neg ? -1 : 1) * d. 0 when readable. */
static int signed_dec(fmt_str v, int *neg, fmt_dec *d)
{
    *neg = v.len && v.p[0] == '-';
    return fmt_dec_parse(v.p + *neg, v.len - (size_t)*neg, d) == FMT_NUM_OK ? 0 : -1;
}

/* a + b for amounts already through amount(); a blank one counts 0. An operand that
 * is not a plain decimal is returned as it is, so the engine reports it (BAD_NUMBER);
 * a sum over 64 bits is returned as "a+b" text, which the engine reports the same way. */
static fmt_str add_amounts(fmt_out *out, fmt_str a, fmt_str b)
{
    if (!a.len)
        return b;
    if (!b.len)
        return a;
    int neg_a, neg_b;
    fmt_dec da, db;
    if (signed_dec(a, &neg_a, &da))
        return a;
    if (signed_dec(b, &neg_b, &db))
        return b;
    int frac = da.frac > db.frac ? da.frac : db.frac;
    int64_t ma = da.mant, mb = db.mant, sum;
    int over = 0;
    for (int k = da.frac; k < frac; k++)
        over |= __builtin_mul_overflow(ma, 10, &ma);
    for (int k = db.frac; k < frac; k++)
        over |= __builtin_mul_overflow(mb, 10, &mb);
    over |= __builtin_add_overflow(neg_a ? -ma : ma, neg_b ? -mb : mb, &sum);
    char buf[48];
    if (over || sum == INT64_MIN) {
        int n = snprintf(buf, sizeof buf, "%.20s+%.20s", a.p, b.p);
        return fmt_out_text(out, buf, (size_t)n);
    }
    uint64_t mag = sum < 0 ? (uint64_t)-sum : (uint64_t)sum;
    uint64_t scale = 1;
    for (int k = 0; k < frac; k++)
        scale *= 10;
    int n =
        snprintf(buf, sizeof buf, "%s%llu", sum < 0 ? "-" : "", (unsigned long long)(mag / scale));
    if (frac)
        n += snprintf(buf + n, sizeof buf - (size_t)n, ".%0*llu", frac,
                      (unsigned long long)(mag % scale));
    return fmt_out_text(out, buf, (size_t)n);
}

/* 1 when v is a readable amount of zero (or blank). */
static int is_zero(fmt_str v)
{
    int neg;
    fmt_dec d;
    return v.len == 0 || (signed_dec(v, &neg, &d) == 0 && d.mant == 0);
}

/* order_date: day first ("16-05-2018 07:32:06", without seconds, or a date alone), else
 * as written (ISO "2026-11-26 09:15:02" needs nothing). No zone: UTC, see above. */
static fmt_str order_time(fmt_out *out, fmt_str v)
{
    static const char *const patterns[] = {"DD-MM-YYYY hh:mm:ss", "DD-MM-YYYY hh:mm", "DD-MM-YYYY"};
    v = fmt_layout_trim(v);
    for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++) {
        fmt_str t = fmt_layout_date(out, v, patterns[i], "Z");
        if (t.p != v.p)
            return t;
    }
    return v;
}

/* The state a status names: 0 and *state set, or -1 for a status we do not know. */
static int status_state(fmt_str v, fmt_state *state)
{
    static const struct {
        const char *status;
        fmt_state state;
    } known[] = {
        {"processing", FMT_STATE_NONE},        {"completed", FMT_STATE_FULFILLED},
        {"cancelled", FMT_STATE_CANCELLED},    {"failed", FMT_STATE_CANCELLED},
        {"refunded", FMT_STATE_CANCELLED},     {"pending", FMT_STATE_UNPAID},
        {"pending payment", FMT_STATE_UNPAID}, {"on-hold", FMT_STATE_UNPAID},
        {"on hold", FMT_STATE_UNPAID},         {"checkout-draft", FMT_STATE_UNPAID},
    };
    v = fmt_layout_trim(v);
    if (v.len > 3 && lower(v.p[0]) == 'w' && lower(v.p[1]) == 'c' && v.p[2] == '-') {
        v.p += 3;
        v.len -= 3;
    }
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (eq_nocase(v, known[i].status)) {
            *state = known[i].state;
            return 0;
        }
    return -1;
}

/* v for a message: at most 60 bytes, valid UTF-8, quotes and line breaks replaced. */
static void quote(char *dst, size_t cap, fmt_str v)
{
    size_t n = fmt_utf8_valid_prefix(v.p, v.len);
    int cut = n < v.len || n > 60;
    if (n > 60) {
        n = 60;
        while (n && ((unsigned char)v.p[n] & 0xC0) == 0x80)
            n--;
    }
    size_t k = 0;
    dst[k++] = '"';
    for (size_t i = 0; i < n && k + 5 < cap; i++) {
        char c = v.p[i];
        dst[k++] = c == '"' ? '\'' : (c == '\n' || c == '\r') ? ' ' : c;
    }
    if (cut && k + 5 < cap) {
        memcpy(dst + k, "...", 3);
        k += 3;
    }
    dst[k++] = '"';
    dst[k] = '\0';
}

/* ---- item cells ---- */

enum { SLOT_NONE = -1, SLOT_SKU, SLOT_QTY, SLOT_TOTAL, SLOT_COUNT };

/* Keys that begin a pair. A text key's value may hold '|' (a name). */
static const struct {
    const char *key;
    int slot;
    int text;
} item_keys[] = {
    {"name", SLOT_NONE, 1},       {"meta", SLOT_NONE, 1},         {"sku", SLOT_SKU, 0},
    {"quantity", SLOT_QTY, 0},    {"qty", SLOT_QTY, 0},           {"total", SLOT_TOTAL, 0},
    {"product_id", SLOT_NONE, 0}, {"variation_id", SLOT_NONE, 0}, {"_variation_id", SLOT_NONE, 0},
    {"sub_total", SLOT_NONE, 0},  {"subtotal", SLOT_NONE, 0},     {"tax", SLOT_NONE, 0},
    {"total_tax", SLOT_NONE, 0},  {"subtotal_tax", SLOT_NONE, 0}, {"tax_data", SLOT_NONE, 1},
    {"refunded", SLOT_NONE, 0},   {"refunded_qty", SLOT_NONE, 0},
};

#define N_ITEM_KEYS (sizeof item_keys / sizeof *item_keys)

typedef struct woo_item {
    fmt_str v[SLOT_COUNT]; /* sku, quantity, total; blank when the cell lacks them */
} woo_item;

/* Read one item cell. Returns NULL, or why the cell is not an item (in out's arena). */
static const char *parse_item(fmt_out *out, fmt_str cell, woo_item *it)
{
    static const char *const slot_key[SLOT_COUNT] = {"sku", "quantity", "total"};
    char why[160], q[80];
    int seen[SLOT_COUNT] = {0};
    int named = 0;
    enum { CUR_NONE, CUR_TEXT, CUR_FIXED, CUR_META } cur = CUR_NONE;
    for (int s = 0; s < SLOT_COUNT; s++)
        it->v[s] = (fmt_str){"", 0};
    why[0] = '\0';
    for (size_t at = 0, next; at <= cell.len && !why[0]; at = next + 1) {
        const char *bar = memchr(cell.p + at, '|', cell.len - at);
        next = bar ? (size_t)(bar - cell.p) : cell.len;
        fmt_str piece = fmt_layout_trim((fmt_str){cell.p + at, next - at});
        if (!piece.len)
            continue; /* "a||b", a trailing '|' */
        const char *colon = memchr(piece.p, ':', piece.len);
        size_t k = N_ITEM_KEYS;
        if (colon) {
            fmt_str key = fmt_layout_trim((fmt_str){piece.p, (size_t)(colon - piece.p)});
            for (k = 0; k < N_ITEM_KEYS && !eq_nocase(key, item_keys[k].key); k++)
                ;
        }
        if (k < N_ITEM_KEYS) {
            int s = item_keys[k].slot;
            named |= s != SLOT_NONE || strcmp(item_keys[k].key, "name") == 0;
            cur = item_keys[k].text ? CUR_TEXT : CUR_FIXED;
            if (s == SLOT_NONE)
                continue;
            if (seen[s]++)
                snprintf(why, sizeof why, "it has %s: twice", slot_key[s]);
            it->v[s] =
                fmt_layout_trim((fmt_str){colon + 1, (size_t)(piece.p + piece.len - colon - 1)});
        } else if (cur == CUR_TEXT || cur == CUR_META) {
            continue; /* more of a name or meta value that held '|' */
        } else if (colon) {
            cur = CUR_META; /* item meta such as "pa_colour:green" */
        } else {
            quote(q, sizeof q, fmt_layout_trim(piece));
            snprintf(why, sizeof why, "%s is not a key:value pair", q);
        }
    }
    if (!why[0] && !named)
        snprintf(why, sizeof why, "it has none of the keys name:, sku:, quantity:, total:");
    if (!why[0])
        return NULL;
    return fmt_out_text(out, why, strlen(why)).p;
}

/* ---- the record ---- */

static eng_rc woo_transform(const fmt_layout *l, const void *bind, const fmt_csv_fields *rec,
                            fmt_out *out)
{
    (void)l;
    const woo_bind *b = bind;
    fmt_str f[W_COUNT];
    for (int k = 0; k < W_COUNT; k++)
        f[k] = fmt_layout_trim(fmt_layout_field(rec, b->col[k]));
    fmt_str id = fmt_layout_unprotect(fmt_layout_field(rec, b->id));
    const char *malformed = NULL;
    char why[320], q[80];

    /* One row per item, in column number order. */
    for (size_t i = 0; i < b->n_items && !malformed; i++) {
        fmt_str cell = fmt_layout_trim(fmt_layout_field(rec, b->items[i].col));
        if (!cell.len)
            continue;
        woo_item it;
        const char *bad = parse_item(out, cell, &it);
        if (bad) {
            quote(q, sizeof q, cell);
            snprintf(why, sizeof why, "line_item_%lu %s is not a WooCommerce item: %s",
                     b->items[i].number, q, bad);
            malformed = why;
            break;
        }
        fmt_out_row *r = fmt_out_add(out);
        if (!r)
            return ENG_NOMEM;
        r->v[FMT_COL_ORDER_ID] = id;
        r->v[FMT_COL_SKU] = it.v[SLOT_SKU];
        r->v[FMT_COL_QTY] = it.v[SLOT_QTY];
        r->v[FMT_COL_UNIT_PRICE] = amount(out, it.v[SLOT_TOTAL]);
        r->line_total = 1;
    }
    fmt_out_row *head = out->n ? &out->rows[0] : fmt_out_add(out);
    if (!head)
        return ENG_NOMEM;
    if (out->n == 1 && !head->line_total) {
        /* No item at all: a summary row, so the engine says the order has no lines. */
        head->v[FMT_COL_ORDER_ID] = id;
        head->head_only = 1;
    }

    fmt_str *v = head->v;
    v[FMT_COL_ORDER_TIME] = order_time(out, f[W_ORDER_DATE]);
    v[FMT_COL_CURRENCY] = fmt_layout_trim(fmt_layout_field(rec, b->currency));
    v[FMT_COL_CHANNEL] = (fmt_str){"woocommerce", 11};
    v[FMT_COL_CUSTOMER_ID] = f[W_BILLING_EMAIL];
    fmt_str person = join(out, one_line(out, f[W_SHIP_FIRST]), " ", one_line(out, f[W_SHIP_LAST]));
    v[FMT_COL_SHIP_NAME] = join(out, person, ", ", one_line(out, f[W_SHIP_COMPANY]));
    v[FMT_COL_SHIP_STREET] =
        join(out, one_line(out, f[W_SHIP_ADDRESS_1]), ", ", one_line(out, f[W_SHIP_ADDRESS_2]));
    v[FMT_COL_SHIP_CITY] = one_line(out, f[W_SHIP_CITY]);
    v[FMT_COL_SHIP_REGION] = one_line(out, f[W_SHIP_STATE]);
    v[FMT_COL_SHIP_POSTAL] = fmt_layout_unprotect(f[W_SHIP_POSTCODE]);
    v[FMT_COL_SHIP_COUNTRY] = f[W_SHIP_COUNTRY];
    v[FMT_COL_SHIP_SERVICE] =
        f[W_SHIP_METHOD_TITLE].len ? f[W_SHIP_METHOD_TITLE] : f[W_SHIP_METHOD];
    /* The gateway's id ("stripe", "ppcp-gateway") names who pays out; its title is for
     * the buyer. */
    v[FMT_COL_PAYMENT_GATEWAY] =
        f[W_PAYMENT_METHOD].len ? f[W_PAYMENT_METHOD] : f[W_PAYMENT_METHOD_TITLE];

    /* Totals: see the header comment. */
    fmt_str shipping = amount(out, fmt_layout_trim(fmt_layout_field(rec, b->shipping)));
    fmt_str fee = amount(out, f[W_FEE_TOTAL]);
    if (fee.len && fee.p[0] == '-')
        v[FMT_COL_DISCOUNT] = (fmt_str){fee.p + 1, fee.len - 1};
    else if (!is_zero(fee))
        shipping = add_amounts(out, shipping, fee);
    fmt_str tax = amount(out, fmt_layout_trim(fmt_layout_field(rec, b->tax)));
    int taxes_known = b->tax >= 0;
    if (!b->tax_is_total && b->tax >= 0) {
        if (b->shipping_tax >= 0)
            tax = add_amounts(out, tax,
                              amount(out, fmt_layout_trim(fmt_layout_field(rec, b->shipping_tax))));
        else
            taxes_known = is_zero(shipping); /* no shipping, so no shipping tax */
    }
    v[FMT_COL_SHIPPING] = shipping;
    v[FMT_COL_TAX] = tax;
    if (taxes_known)
        v[FMT_COL_ORDER_TOTAL] = amount(out, f[W_ORDER_TOTAL]);

    fmt_state state = FMT_STATE_NONE;
    if (!malformed && status_state(f[W_STATUS], &state) != 0) {
        quote(q, sizeof q, f[W_STATUS]);
        snprintf(why, sizeof why,
                 "status %s is not a WooCommerce order status slipway knows (processing ships; "
                 "completed, cancelled, failed, refunded, pending, on-hold do not)",
                 q);
        malformed = why;
    }
    head->order_state = state;
    if (malformed) {
        out->malformed = fmt_out_text(out, malformed, strlen(malformed)).p;
        if (!out->malformed)
            return ENG_NOMEM;
    }
    for (size_t i = 0; i < out->n; i++)
        for (int c = 0; c < FMT_COL_COUNT; c++)
            if (!out->rows[i].v[c].p)
                return ENG_NOMEM; /* an arena copy failed */
    return ENG_OK;
}

/* The column each canonical value is read from (source_column), the alternative the
 * header has. sku, qty and unit_price come from the line_item_N cells and channel is made
 * up, so they have none; discount is a negative fee_total. */
static const int woo_source[][2] = {
    {FMT_COL_ORDER_TIME, W_ORDER_DATE},     {FMT_COL_CUSTOMER_ID, W_BILLING_EMAIL},
    {FMT_COL_SHIP_CITY, W_SHIP_CITY},       {FMT_COL_SHIP_REGION, W_SHIP_STATE},
    {FMT_COL_SHIP_POSTAL, W_SHIP_POSTCODE}, {FMT_COL_SHIP_COUNTRY, W_SHIP_COUNTRY},
    {FMT_COL_DISCOUNT, W_FEE_TOTAL},        {FMT_COL_ORDER_TOTAL, W_ORDER_TOTAL},
};

static int woo_source_column(const fmt_layout *l, const void *bind, fmt_col c)
{
    (void)l;
    const woo_bind *b = bind;
    int shipping[2] = {b->shipping, b->col[W_FEE_TOTAL]};
    if (c == FMT_COL_ORDER_ID)
        return fmt_layout_bound(b->id);
    if (c == FMT_COL_CURRENCY)
        return fmt_layout_bound(b->currency);
    /* Values joined from several columns have one only when the file has just one. */
    if (c == FMT_COL_SHIP_NAME) /* first and last name, company */
        return fmt_layout_one_col(&b->col[W_SHIP_FIRST], 3);
    if (c == FMT_COL_SHIP_STREET)
        return fmt_layout_one_col(&b->col[W_SHIP_ADDRESS_1], 2);
    if (c == FMT_COL_SHIP_SERVICE) /* shipping_method_title, else shipping_method */
        return fmt_layout_one_col(&b->col[W_SHIP_METHOD], 2);
    if (c == FMT_COL_PAYMENT_GATEWAY) /* payment_method, else payment_method_title */
        return fmt_layout_one_col(&b->col[W_PAYMENT_METHOD], 2);
    if (c == FMT_COL_SHIPPING) /* plus a positive fee_total */
        return fmt_layout_one_col(shipping, 2);
    if (c == FMT_COL_TAX) /* order_tax plus the shipping tax, or tax_total alone */
        return b->tax_is_total || b->shipping_tax < 0 ? b->tax : -1;
    return fmt_layout_source(woo_source, sizeof woo_source / sizeof *woo_source, b->col, c);
}

const fmt_layout fmt_layout_woocommerce = {
    .name = "woocommerce",
    .dialect = {',', '"', 0},
    .legacy_encoding = "WINDOWS-1252",
    .detect = woo_detect,
    .bind = woo_bind_header,
    .unbind = woo_unbind,
    .transform = woo_transform,
    .source_column = woo_source_column,
};
