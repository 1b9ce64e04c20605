/* libFuzzer harness: order rows through parsing and validation (eng_ingest_record).
 *
 * The first input byte picks a layout (canonical, shopify, amazon, woocommerce, ebay,
 * tmall, canonical-semicolon, canonical-tab, amazon-csv), bound to that layout's real header as its sample export writes it; the rest is
 * the file's data records, cut as the chunker cuts them and each fed through
 * eng_ingest_record against a small fixed catalog, then grouped by eng_ingest_partition.
 * So every row check of every layout's transform sees fuzzed values while the header,
 * which the detect harness covers, stays valid.
 *
 * Checks besides the sanitizers: every row's exceptions name a line inside its record's
 * lines and a known code, every order id is valid UTF-8 (outputs must be), a faulted row
 * has its worst code, and the partition index lists each row with an id exactly once. */
#include "../../engine/base/hash.h"
#include "../../engine/setup/catalog.h"
#include "../../engine/intake/ingest.h"
#include "../../formats/canon.h"
#include "../../formats/utf8.h"
#include "fuzz_util.h"

static const char catalog_csv[] =
    "sku,name,status,list_price,min_price,currency,returnable,return_window_days,bin\n"
    "TENT-2P-ALP,Alpine 2-person dome tent,active,189.00,149.00,EUR,y,60,A-01-01\n"
    "TENT-1P-ULT,Ultralight 1-person tent,inactive,229.00,179.00,EUR,y,,A-01-03\n"
    "TENT-PEG-10,\"Tent pegs, steel (10 pack)\",active,8.90,6.50,EUR,y,,A-01-04\n"
    "MAT-FOAM-OLD,Foam mat 1 cm (old model),discontinued,14.90,9.90,EUR,y,,A-02-04\n"
    "PACK-65L,Trekking backpack 65 l,active,179.00,145.00,EUR,y,,C-01-02\n"
    "PACK-65L-FBA,Trekking backpack 65 l (FBA),active,179.00,145.00,EUR,y,,\n"
    "US-TENT-2P,Trailhead 2P backpacking tent,active,199.00,159.00,USD,y,,U-01-01\n"
    "UK-MUG-TI,Titanium mug 450 ml (UK),active,24.00,18.00,GBP,y,30,K-01-03\n"
    "AU-STOVE,Compact stove (AU),active,59.00,45.00,AUD,y,,Z-01-01\n"
    "CN-TENT-2P,双人帐篷 Alpine 2P (CN),active,1299.00,999.00,CNY,y,7,C-01-01\n"
    "JP-MUG,Mug (JP),active,1800,1500,JPY,n,,J-01-01\n"
    "KW-LAMP,Lamp (KW),active,12.500,10.000,KWD,y,,W-01-01\n"
    "GIFT-25,Gift card 25,active,25.00,25.00,EUR,n,,\n";

/* Each layout's header as its sample export writes it (samples/marketplaces/, decoded to
 * UTF-8). */
static const char *const headers[][2] = {
    {"canonical",
     "order_id,order_time,sku,qty,unit_price,currency,channel,priority,customer_id,ship_name,"
     "ship_street,ship_city,ship_region,ship_postal,ship_country,ship_service,order_total,"
     "shipping,tax,discount,open_qty,line_amount"},
    {"shopify",
     "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
     "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
     "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,"
     "Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
     "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing "
     "City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping "
     "Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,"
     "Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,"
     "Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,"
     "Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount"},
    {"amazon", "order-id\torder-item-id\tpurchase-date\tpayments-date\tbuyer-email\tbuyer-name\t"
               "buyer-phone-number\tsku\tproduct-name\tquantity-purchased\tcurrency\titem-price\t"
               "item-tax\tshipping-price\tshipping-tax\tship-service-level\trecipient-name\t"
               "ship-address-1\tship-address-2\tship-address-3\tship-city\tship-state\t"
               "ship-postal-code\tship-country\tship-phone-number\tsales-channel\t"
               "fulfillment-channel\torder-status\tlast-updated-date"},
    {"woocommerce",
     "order_id,order_number,order_date,status,billing_first_name,billing_last_name,"
     "billing_email,shipping_first_name,shipping_last_name,shipping_company,shipping_address_1,"
     "shipping_address_2,shipping_city,shipping_state,shipping_postcode,shipping_country,"
     "shipping_method,order_currency,cart_discount,order_shipping,order_shipping_tax,order_tax,"
     "order_total,customer_note,line_item_1,line_item_2,line_item_3"},
    {"ebay", "Sales Record Number,Order Number,Buyer Username,Buyer Name,Buyer Email,Buyer Note,"
             "Buyer Address 1,Buyer Address 2,Buyer City,Buyer State,Buyer Zip,Buyer Country,Ship "
             "To Name,Ship To Phone,Ship To Address 1,Ship To Address 2,Ship To City,Ship To "
             "State,Ship To Zip,Ship To Country,Item Number,Item Title,Custom Label,Quantity,"
             "Sold For,Shipping And Handling,Seller Collected Tax,eBay Collected Tax,Total Price,"
             "Payment Method,Sale Date,Paid On Date,Shipped On Date,Shipping Service,Transaction "
             "ID"},
    {"tmall", "订单编号 ,子订单编号 ,买家会员名 ,订单状态 ,退款状态 ,商家编码 ,宝贝标题 ,价格 "
              ",购买数量 ,买家应付邮费 ,总金额 ,收货人姓名 ,收货地址 ,运送方式 ,联系手机 "
              ",订单创建时间 ,订单付款时间 ,商家备注 "},
    /* Issue 15: files as a spreadsheet saved them, their dates read day first (6) and
     * month first (7), so fmt_out_sheet_dates and the decimal commas see fuzzed values. */
    {"canonical-semicolon", "order_id;order_time;sku;qty;unit_price;currency;channel;ship_name;"
                            "ship_street;ship_city;ship_postal;ship_country;order_total;shipping"},
    {"canonical-tab", "order_id\torder_time\tsku\tqty\tunit_price\tcurrency\tship_name\t"
                      "ship_street\tship_city\tship_country\torder_total"},
    {"amazon-csv", "order-id,order-item-id,purchase-date,payments-date,buyer-email,"
                   "buyer-name,buyer-phone-number,sku,product-name,quantity-purchased,"
                   "currency,item-price,item-tax,shipping-price,shipping-tax,"
                   "ship-service-level,recipient-name,ship-address-1,ship-address-2,"
                   "ship-address-3,ship-city,ship-state,ship-postal-code,ship-country,"
                   "ship-phone-number,delivery-start-date,delivery-end-date,"
                   "delivery-time-zone,delivery-Instructions,sales-channel,"
                   "fulfillment-channel,last-updated-date"},
};
#define N_LAYOUTS (sizeof headers / sizeof *headers)

static eng_catalog *catalog;
static eng_ingest_worker *worker;
static eng_intern *intern; /* lives for the process, as the heads made through it */
static eng_layout layouts[N_LAYOUTS];
static fmt_csv_fields *header_fields[N_LAYOUTS]; /* header_names point into these */

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_order_row: %s\n", what);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char path[600];
    fz_write(fz_path(path, sizeof path, "catalog.csv"), catalog_csv, sizeof catalog_csv - 1);
    eng_err err;
    memset(&err, 0, sizeof err);
    /* The catalog keeps its path for messages: give it one that lives for the process. */
    static char cat_path[600];
    memcpy(cat_path, path, sizeof cat_path);
    if (eng_catalog_load(cat_path, &catalog, &err) != ENG_OK)
        fail(err.msg);
    intern = eng_intern_new(eng_sip_key_random());
    worker = eng_ingest_worker_new(eng_sip_key_random(), intern);
    if (!intern || !worker)
        fail("out of memory");
    for (size_t i = 0; i < N_LAYOUTS; i++) {
        eng_layout *lay = &layouts[i];
        lay->layout = fmt_layout_find(headers[i][0]);
        if (!lay->layout)
            fail(headers[i][0]);
        fmt_csv_fields *f = fmt_csv_fields_new(lay->layout->dialect);
        if (!f || fmt_csv_split(f, headers[i][1], strlen(headers[i][1])) != ENG_OK)
            fail("header");
        if (lay->layout->bind(lay->layout, f, &lay->bind, &err) != ENG_OK)
            fail(err.msg);
        lay->n_header = fmt_csv_count(f);
        const char **names = calloc(lay->n_header, sizeof *names);
        if (!names)
            fail("out of memory");
        for (size_t k = 0; k < lay->n_header; k++)
            names[k] = fmt_csv_field(f, k).p;
        lay->header_names = names;
        lay->date_order = i == 6 ? FMT_DATE_DMY : i == 7 ? FMT_DATE_MDY : FMT_DATE_UNKNOWN;
        for (int c = 0; c < FMT_COL_COUNT; c++) {
            const fmt_layout *l = lay->layout;
            int at = l->source_column ? l->source_column(l, lay->bind, (fmt_col)c) : -1;
            lay->col_label[c] =
                at >= 0 && (size_t)at < lay->n_header ? names[at] : fmt_col_name((fmt_col)c);
        }
        header_fields[i] = f;
    }
    /* Everything above lives for the process; the scratch file is no longer needed. */
    (void)unlink(path);
    return 0;
}

static void check_batch(const eng_batch *b)
{
    for (size_t i = 0; i < b->exc.n; i++) {
        const eng_exc *e = &b->exc.items[i];
        if (e->code == 0 || e->code >= ENG_CODE_COUNT || !e->message || !e->field)
            fail("exception without code, message or field");
        if (e->row >= b->n_rows || eng_row_line(eng_batch_row(b, e->row)) != e->line)
            fail("exception on a line that is not its row's");
    }
    size_t with_id = 0;
    for (size_t i = 0; i < b->n_rows; i++) {
        const eng_row *r = eng_batch_row(b, (uint32_t)i);
        if (r->order_id) {
            with_id++;
            uint32_t id_len = eng_row_id_len(r);
            if (fmt_utf8_valid_prefix(r->order_id, id_len) != id_len ||
                strlen(r->order_id) != id_len)
                fail("order id is not valid UTF-8 text");
        }
        if ((r->flags & ENG_ROW_FAULT) && r->worst == 0)
            fail("faulted row without a worst code");
    }
    if (b->part_start[ENG_PARTS] != with_id)
        fail("partition index does not list every row with an id");
    /* Grouped: each row in the range of the partition its id hashes to, those without an
     * id last. */
    for (size_t p = 0, i = 0; p <= ENG_PARTS; p++) {
        size_t end = b->part_start[p] + eng_batch_part_count(b, p);
        for (; i < end; i++) {
            const eng_row *r = &b->part_rows[p][i - b->part_start[p]];
            if (p == ENG_PARTS
                    ? r->order_id != NULL
                    : !r->order_id || (eng_hash_bytes(r->order_id, eng_row_id_len(r)) >> 56) != p)
                fail("a row outside its partition's range");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* '0'.. '8' pick layouts 0..8, as the seeds write them; any other byte by its value */
    const eng_layout *lay = &layouts[(data[0] >= '0' ? data[0] - '0' : data[0]) % N_LAYOUTS];
    const char *p = (const char *)data + 1;
    size_t len = size - 1;
    eng_batch *b = calloc(1, sizeof *b);
    if (!b)
        fail("out of memory");
    b->mem = eng_arena_new(1u << 16);
    if (!b->mem)
        fail("out of memory");
    fmt_csv_iter it;
    fmt_csv_iter_init(&it, p, len, 2, lay->layout->dialect);
    fmt_str rec;
    uint64_t line;
    while (fmt_csv_iter_next(&it, &rec, &line))
        if (eng_ingest_record(b, worker, lay, catalog, rec.p, rec.len, line, it.line) != ENG_OK)
            fail("eng_ingest_record: out of memory");
    eng_rowstore *store = eng_rowstore_new(1, 0);
    if (!store || eng_ingest_partition(b, store, 0) != ENG_OK)
        fail("eng_ingest_partition: out of memory");
    check_batch(b);
    eng_batch_free(b);
    eng_rowstore_free(store);
    return 0;
}
