/* Tests of formats/tmall.c, the Taobao/Tmall merged order report: detection against the
 * other layouts, binding (required columns, alternative names, trailing-space headers),
 * and the transform of one record for every quirk the layout's header comment lists.
 * Two tests run the whole engine on a GB18030 file to show that the file is recognised
 * as tmall through its legacy encoding and decoded before it is read.
 *
 * Each transform test starts from one clean record of the merged layout and replaces
 * one value, so the replaced value is the only thing the assertions look at. */
#include "testutil.h"

#include <criterion/redirect.h>
#include <iconv.h>

#include "../engine/run.h"
#include "../formats/isotime.h"
#include "../formats/layout.h"
#include "../formats/utf8.h"

/* The merged layout's columns, in this order (values in `clean` below). */
enum {
    C_ORDER,
    C_SUB,
    C_BUYER,
    C_STATUS,
    C_REFUND,
    C_SKU,
    C_TITLE,
    C_PRICE,
    C_QTY,
    C_SHIPPING,
    C_TOTAL,
    C_NAME,
    C_ADDRESS,
    C_SERVICE,
    C_CREATED,
    C_N
};

static const char *const header_names[C_N] = {
    "订单编号", "子订单编号", "买家会员名", "订单状态", "退款状态",
    "商家编码", "宝贝标题",   "价格",       "购买数量", "买家应付邮费",
    "总金额",   "收货人姓名", "收货地址",   "运送方式", "订单创建时间",
};

static const char *const clean[C_N] = {
    "3761520948817265301",                       /* 订单编号 */
    "3761520948817265302",                       /* 子订单编号 */
    "晓雨不吃香菜",                              /* 买家会员名 */
    "买家已付款，等待卖家发货",                  /* 订单状态 */
    "没有申请退款",                              /* 退款状态 */
    "CN-TENT-2P",                                /* 商家编码 */
    "双人帐篷 Alpine 2P",                        /* 宝贝标题 */
    "1299.00",                                   /* 价格 */
    "1",                                         /* 购买数量 */
    "0.00",                                      /* 买家应付邮费 */
    "1299.00",                                   /* 总金额 */
    "林晓雨",                                    /* 收货人姓名 */
    "浙江省 杭州市 西湖区 文三路 90号 (310012)", /* 收货地址 */
    "快递",                                      /* 运送方式 */
    "2026-11-26 21:15:02",                       /* 订单创建时间 */
};

static const fmt_layout *tmall;
static fmt_csv_fields *head_fields, *rec_fields;
static void *bind;
static fmt_out out;
static eng_err err;
static char line[2048];

static void setup(void)
{
    tmall = fmt_layout_find("tmall");
    cr_assert_not_null(tmall, "the tmall layout is not registered");
    head_fields = fmt_csv_fields_new(tmall->dialect);
    rec_fields = fmt_csv_fields_new(tmall->dialect);
    cr_assert(head_fields && rec_fields);
    cr_assert_eq(fmt_out_init(&out), ENG_OK);
    memset(&err, 0, sizeof err);
    bind = NULL;
}

static void teardown(void)
{
    if (bind)
        tmall->unbind(bind);
    fmt_out_release(&out);
    fmt_csv_fields_free(head_fields);
    fmt_csv_fields_free(rec_fields);
    tu_dir_remove();
}

TestSuite(tmall, .init = setup, .fini = teardown);

/* ---- helpers ---- */

/* Split a header line into head_fields. */
static const fmt_csv_fields *header(const char *text)
{
    cr_assert_eq(fmt_csv_split(head_fields, text, strlen(text)), ENG_OK, "header: %s", text);
    return head_fields;
}

/* The merged header, each name followed by `pad` (" " for Taobao's trailing spaces; a
 * quoted pad survives libcsv's trimming of unquoted fields). */
static const char *merged_header(const char *pad, int quote)
{
    static char h[1024];
    size_t o = 0;
    for (int i = 0; i < C_N; i++) {
        int n = snprintf(h + o, sizeof h - o, "%s%s%s%s%s", i ? "," : "", quote ? "\"" : "",
                         header_names[i], pad, quote ? "\"" : "");
        cr_assert(n > 0 && (size_t)n < sizeof h - o);
        o += (size_t)n;
    }
    return h;
}

/* The clean record with column c's raw text replaced by v (written as is: the caller
 * quotes it when needed); c < 0 changes nothing. */
static const char *row_with(int c, const char *v)
{
    size_t o = 0;
    for (int i = 0; i < C_N; i++) {
        int n = snprintf(line + o, sizeof line - o, "%s%s", i ? "," : "", i == c ? v : clean[i]);
        cr_assert(n >= 0 && (size_t)n < sizeof line - o);
        o += (size_t)n;
    }
    return line;
}

/* Bind the layout to a header line; asserts it binds. */
static void bind_to(const char *head)
{
    if (bind)
        tmall->unbind(bind);
    bind = NULL;
    cr_assert_eq(tmall->bind(tmall, header(head), &bind, &err), ENG_OK, "bind: %s", err.msg);
}

/* Transform one record under the bound header; returns its only row. */
static const fmt_out_row *transform(const char *rec)
{
    cr_assert_eq(fmt_csv_split(rec_fields, rec, strlen(rec)), ENG_OK, "record: %s", rec);
    fmt_out_reset(&out);
    cr_assert_eq(tmall->transform(tmall, bind, rec_fields, &out), ENG_OK);
    cr_assert_eq(out.n, 1, "%zu rows, want 1", out.n);
    return &out.rows[0];
}

/* The clean record with one value replaced, through the merged header. */
static const fmt_out_row *transform_with(int c, const char *v)
{
    bind_to(merged_header("", 0));
    return transform(row_with(c, v));
}

/* A value as NUL-terminated text (rotating buffers, for several in one assertion). */
static const char *text(fmt_str s)
{
    static char buf[8][512];
    static int k;
    char *b = buf[k++ % 8];
    cr_assert_lt(s.len, sizeof buf[0]);
    memcpy(b, s.p, s.len);
    b[s.len] = '\0';
    return b;
}

#define V(r, col) text((r)->v[FMT_COL_##col])

/* ---- detection ---- */

Test(tmall, detect_picks_tmall_for_the_merged_header)
{
    cr_assert_eq(fmt_layout_detect(header(merged_header("", 0))), tmall);
}

/* Taobao writes header names with a trailing space ("订单编号 "); quoted, the space is
 * part of the field, and names are still matched ignoring it. */
Test(tmall, detect_picks_tmall_when_names_have_trailing_spaces)
{
    const fmt_csv_fields *h = header(merged_header(" ", 1));
    cr_assert_str_eq(text(fmt_csv_field(h, 0)), "订单编号 ");
    cr_assert_eq(fmt_layout_col(h, "订单编号"), 0);
    cr_assert_eq(fmt_layout_detect(h), tmall);
}

Test(tmall, detect_picks_canonical_for_the_canonical_header)
{
    const fmt_csv_fields *h = header("order_id,order_time,sku,qty,unit_price,currency,ship_name");
    cr_assert_eq(fmt_layout_detect(h), fmt_layout_find("canonical"));
    cr_assert_eq(tmall->detect(tmall, h), 0);
}

Test(tmall, detect_picks_shopify_for_the_shopify_header)
{
    const fmt_csv_fields *h = header("Name,Email,Financial Status,Created at,Lineitem quantity,"
                                     "Lineitem name,Lineitem price,Lineitem sku,Currency");
    cr_assert_eq(fmt_layout_detect(h), fmt_layout_find("shopify"));
    cr_assert_eq(tmall->detect(tmall, h), 0);
}

/* Three Taobao names are not enough to claim a file; four are. */
Test(tmall, detect_needs_four_signature_columns)
{
    cr_assert_eq(tmall->detect(tmall, header("订单编号,购买数量,价格,备注")), 0);
    cr_assert_eq(tmall->detect(tmall, header("订单编号,购买数量,价格,订单状态")), 4);
}

/* ---- binding ---- */

Test(tmall, bind_refuses_a_missing_sku_column_naming_it_and_the_layout)
{
    eng_rc rc =
        tmall->bind(tmall, header("订单编号,订单创建时间,购买数量,价格,订单状态"), &bind, &err);
    cr_assert_eq(rc, ENG_REFUSED);
    cr_assert_null(bind);
    cr_assert_str_eq(err.field, "商家编码");
    cr_assert(strstr(err.msg, "\"商家编码\" (or \"外部系统编号\")") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "tmall header") != NULL, "%s", err.msg);
}

/* Without 订单状态 unpaid and closed orders would look like orders to ship. */
Test(tmall, bind_refuses_a_file_without_order_status)
{
    eng_rc rc =
        tmall->bind(tmall, header("订单编号,订单创建时间,商家编码,购买数量,价格"), &bind, &err);
    cr_assert_eq(rc, ENG_REFUSED);
    cr_assert_str_eq(err.field, "订单状态");
    cr_assert(strstr(err.msg, "required column \"订单状态\" is missing from the tmall header") !=
                  NULL,
              "%s", err.msg);
}

/* The item report (宝贝报表) alone is recognised, then refused for its missing time. */
Test(tmall, bind_refuses_the_item_report_alone_for_its_missing_order_time)
{
    const fmt_csv_fields *h =
        header("订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码");
    cr_assert_eq(fmt_layout_detect(h), tmall);
    cr_assert_eq(tmall->bind(tmall, h, &bind, &err), ENG_REFUSED);
    cr_assert_str_eq(err.field, "订单创建时间");
}

Test(tmall, bind_refuses_a_column_given_twice)
{
    eng_rc rc =
        tmall->bind(tmall, header("订单编号,订单创建时间,商家编码,购买数量,价格,订单状态,订单编号"),
                    &bind, &err);
    cr_assert_eq(rc, ENG_REFUSED);
    cr_assert(strstr(err.msg, "appears twice in the tmall header (columns 1 and 7)") != NULL, "%s",
              err.msg);
}

/* Tmall's sub-order report names: 主订单编号, 商品价格, 外部系统编号. */
Test(tmall, bind_reads_the_alternative_names_of_the_sub_order_report)
{
    bind_to("子订单编号,主订单编号,商品标题,商品价格,购买数量,外部系统编号,订单状态,订单创建时间");
    const fmt_out_row *r =
        transform("2,1,帐篷,¥1299.00,1,CN-TENT-2P,买家已付款，等待卖家发货,2026-11-26 21:15:02");
    cr_assert_str_eq(V(r, ORDER_ID), "1");
    cr_assert_str_eq(text(r->item_key), "2");
    cr_assert_str_eq(V(r, SKU), "CN-TENT-2P");
    cr_assert_str_eq(V(r, UNIT_PRICE), "1299.00");
}

/* The item report has both: 商家编码 is the SKU's code, 外部系统编号 the item's. */
Test(tmall, bind_prefers_shangjia_bianma_to_waibu_xitong_bianhao)
{
    bind_to("订单编号,外部系统编号,商家编码,购买数量,价格,订单状态,订单创建时间");
    const fmt_out_row *r = transform("1,ITEM-77,CN-MUG-TI,1,12.90,等待卖家发货,2026-11-26");
    cr_assert_str_eq(V(r, SKU), "CN-MUG-TI");
}

/* The choice is per file: a blank 商家编码 stays blank (MISSING_FIELD in the engine), it
 * is never filled from 外部系统编号. */
Test(tmall, blank_shangjia_bianma_is_not_filled_from_the_item_code)
{
    bind_to("订单编号,外部系统编号,商家编码,购买数量,价格,订单状态,订单创建时间");
    const fmt_out_row *r = transform("1,ITEM-77,,1,12.90,等待卖家发货,2026-11-26");
    cr_assert_eq(r->v[FMT_COL_SKU].len, 0);
}

Test(tmall, trailing_space_header_binds_and_reads_its_values)
{
    bind_to(merged_header(" ", 1));
    const fmt_out_row *r = transform(row_with(-1, NULL));
    cr_assert_str_eq(V(r, ORDER_ID), "3761520948817265301");
    cr_assert_str_eq(V(r, SKU), "CN-TENT-2P");
}

/* ---- a clean row ---- */

Test(tmall, clean_row_maps_every_column)
{
    const fmt_out_row *r = transform_with(-1, NULL);
    cr_assert_str_eq(V(r, ORDER_ID), "3761520948817265301");
    cr_assert_str_eq(text(r->item_key), "3761520948817265302");
    cr_assert_str_eq(V(r, ORDER_TIME), "2026-11-26T21:15:02+08:00");
    cr_assert_str_eq(V(r, SKU), "CN-TENT-2P");
    cr_assert_str_eq(V(r, QTY), "1");
    cr_assert_str_eq(V(r, UNIT_PRICE), "1299.00");
    cr_assert_str_eq(V(r, CURRENCY), "CNY");
    cr_assert_str_eq(V(r, CHANNEL), "tmall");
    cr_assert_str_eq(V(r, CUSTOMER_ID), "晓雨不吃香菜");
    cr_assert_str_eq(V(r, SHIP_NAME), "林晓雨");
    cr_assert_str_eq(V(r, SHIP_SERVICE), "快递");
    cr_assert_str_eq(V(r, SHIPPING), "0.00");
    cr_assert_str_eq(V(r, ORDER_TOTAL), "1299.00");
    cr_assert_eq(r->v[FMT_COL_TAX].len, 0);
    cr_assert_eq(r->v[FMT_COL_DISCOUNT].len, 0);
    cr_assert_eq(r->order_state, FMT_STATE_NONE);
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
    cr_assert_eq(r->line_total, 0);
    cr_assert_eq(r->head_only, 0);
    cr_assert_null(out.malformed);
}

/* The file has no currency column: every row says CNY, a continuation row too. */
Test(tmall, currency_is_cny_even_on_a_row_without_order_values)
{
    bind_to("订单编号,商家编码,购买数量,价格,订单状态,订单创建时间");
    const fmt_out_row *r = transform("1,CN-MUG-TI,1,12.90,,");
    cr_assert_str_eq(V(r, CURRENCY), "CNY");
    cr_assert_eq(r->v[FMT_COL_CHANNEL].len, 0, "channel goes with the order's values");
}

/* ---- protected ids ---- */

/* ="..." written as RFC 4180 requires: the field is quoted and its quotes doubled. */
Test(tmall, formula_protected_order_id_is_unwrapped)
{
    const fmt_out_row *r = transform_with(C_ORDER, "\"=\"\"3761520948817265301\"\"\"");
    cr_assert_str_eq(V(r, ORDER_ID), "3761520948817265301");
}

/* A leading tab survives only in a quoted field (libcsv trims unquoted blanks). */
Test(tmall, tab_protected_order_id_is_unwrapped)
{
    const fmt_out_row *r = transform_with(C_ORDER, "\"\t3761520948817265301\"");
    cr_assert_str_eq(V(r, ORDER_ID), "3761520948817265301");
}

Test(tmall, apostrophe_protected_order_id_is_unwrapped)
{
    const fmt_out_row *r = transform_with(C_ORDER, "'3761520948817265301");
    cr_assert_str_eq(V(r, ORDER_ID), "3761520948817265301");
}

Test(tmall, protected_sub_order_id_becomes_the_item_key)
{
    const fmt_out_row *r = transform_with(C_SUB, "\"=\"\"3761520948817265302\"\"\"");
    cr_assert_str_eq(text(r->item_key), "3761520948817265302");
}

/* Regression: 19-digit ids must not pass through a number. 4012345678901234567 read as
 * a double would come back as 4012345678901234688; 9999999999999999999 overflows int64. */
Test(tmall, nineteen_digit_ids_survive_digit_for_digit)
{
    const fmt_out_row *r = transform_with(C_ORDER, "'4012345678901234567");
    cr_assert_str_eq(V(r, ORDER_ID), "4012345678901234567");
    r = transform_with(C_ORDER, "\"=\"\"9999999999999999999\"\"\"");
    cr_assert_str_eq(V(r, ORDER_ID), "9999999999999999999");
}

Test(tmall, protected_sku_is_unwrapped)
{
    const fmt_out_row *r = transform_with(C_SKU, "'00712");
    cr_assert_str_eq(V(r, SKU), "00712");
}

/* A bare ="..." (a spreadsheet formula, not RFC 4180) is read as if it were quoted. */
Test(tmall, bare_formula_order_id_is_unwrapped)
{
    const fmt_out_row *r = transform_with(C_ORDER, "=\"3761520948817265301\"");
    cr_assert_str_eq(V(r, ORDER_ID), "3761520948817265301");
}

/* Regression: the last field of a record still carries the line end when it is split. */
Test(tmall, bare_formula_in_the_last_field_before_crlf_is_read)
{
    const char *rec = "1,=\"3761520948817265301\"\r\n";
    cr_assert_eq(fmt_csv_split(rec_fields, rec, strlen(rec)), ENG_OK);
    cr_assert_str_eq(text(fmt_csv_field(rec_fields, 1)), "=\"3761520948817265301\"");
}

/* Only a whole field ="..." is a formula: any other stray quote still breaks the row. */
Test(tmall, other_quotes_in_unquoted_fields_are_still_malformed)
{
    const char *rec = "=\"37615\"x,1";
    cr_assert_eq(fmt_csv_split(rec_fields, rec, strlen(rec)), ENG_DATA);
    rec = "ab\"c,1";
    cr_assert_eq(fmt_csv_split(rec_fields, rec, strlen(rec)), ENG_DATA);
}

/* ---- amounts ---- */

Test(tmall, yen_sign_amount_is_a_plain_decimal)
{
    cr_assert_str_eq(V(transform_with(C_PRICE, "¥12.90"), UNIT_PRICE), "12.90");
}

/* U+FFE5, the full-width yen sign Chinese keyboards type. */
Test(tmall, full_width_yen_sign_amount_is_a_plain_decimal)
{
    cr_assert_str_eq(V(transform_with(C_PRICE, "￥12.90"), UNIT_PRICE), "12.90");
}

Test(tmall, yuan_suffix_amount_is_a_plain_decimal)
{
    cr_assert_str_eq(V(transform_with(C_PRICE, "123.45元"), UNIT_PRICE), "123.45");
}

Test(tmall, thousands_separated_amount_is_a_plain_decimal)
{
    cr_assert_str_eq(V(transform_with(C_PRICE, "\"1,234.00\""), UNIT_PRICE), "1234.00");
}

Test(tmall, full_width_yen_with_thousands_is_a_plain_decimal)
{
    cr_assert_str_eq(V(transform_with(C_TOTAL, "\"￥1,553.60\""), ORDER_TOTAL), "1553.60");
}

Test(tmall, rmb_prefix_amount_is_a_plain_decimal)
{
    cr_assert_str_eq(V(transform_with(C_SHIPPING, "RMB 6.00"), SHIPPING), "6.00");
}

Test(tmall, shipping_with_yen_sign_is_a_plain_decimal)
{
    cr_assert_str_eq(V(transform_with(C_SHIPPING, "¥10.00"), SHIPPING), "10.00");
}

/* Not yuan: passed on as written, so the engine reports BAD_NUMBER quoting it. */
Test(tmall, amount_in_another_currency_passes_unchanged)
{
    cr_assert_str_eq(V(transform_with(C_PRICE, "$5.00"), UNIT_PRICE), "$5.00");
}

Test(tmall, amount_without_digits_passes_unchanged)
{
    cr_assert_str_eq(V(transform_with(C_SHIPPING, "包邮"), SHIPPING), "包邮");
}

Test(tmall, blank_amount_stays_blank)
{
    cr_assert_eq(transform_with(C_TOTAL, "")->v[FMT_COL_ORDER_TOTAL].len, 0);
}

/* ---- times ---- */

Test(tmall, creation_time_is_china_time)
{
    const fmt_out_row *r = transform_with(C_CREATED, "2026-11-26 21:15:02");
    cr_assert_str_eq(V(r, ORDER_TIME), "2026-11-26T21:15:02+08:00");
}

/* What a spreadsheet makes of the time when the file is re-saved. */
Test(tmall, resaved_slash_time_without_seconds_is_china_time)
{
    const fmt_out_row *r = transform_with(C_CREATED, "2026/11/26 9:05");
    cr_assert_str_eq(V(r, ORDER_TIME), "2026-11-26T09:05:00+08:00");
}

Test(tmall, bare_date_is_china_midnight)
{
    const fmt_out_row *r = transform_with(C_CREATED, "2026-11-26");
    cr_assert_str_eq(V(r, ORDER_TIME), "2026-11-26T00:00:00+08:00");
}

Test(tmall, iso_time_passes_unchanged)
{
    const fmt_out_row *r = transform_with(C_CREATED, "2026-11-26T13:15:02Z");
    cr_assert_str_eq(V(r, ORDER_TIME), "2026-11-26T13:15:02Z");
}

/* Left for the engine to report as BAD_DATE. */
Test(tmall, unreadable_time_passes_unchanged)
{
    const fmt_out_row *r = transform_with(C_CREATED, "26.11.2026 21:15");
    cr_assert_str_eq(V(r, ORDER_TIME), "26.11.2026 21:15");
}

/* ---- 收货地址 ---- */

Test(tmall, address_splits_into_province_city_street_and_postal)
{
    const fmt_out_row *r = transform_with(C_ADDRESS, "浙江省 杭州市 西湖区 文三路 90号 (310012)");
    cr_assert_str_eq(V(r, SHIP_REGION), "浙江省");
    cr_assert_str_eq(V(r, SHIP_CITY), "杭州市");
    cr_assert_str_eq(V(r, SHIP_STREET), "西湖区 文三路 90号");
    cr_assert_str_eq(V(r, SHIP_POSTAL), "310012");
    cr_assert_str_eq(V(r, SHIP_COUNTRY), "CN");
}

Test(tmall, municipality_address_keeps_its_two_names)
{
    const fmt_out_row *r = transform_with(C_ADDRESS, "北京 北京市 朝阳区 建国路 88号 (100022)");
    cr_assert_str_eq(V(r, SHIP_REGION), "北京");
    cr_assert_str_eq(V(r, SHIP_CITY), "北京市");
    cr_assert_str_eq(V(r, SHIP_STREET), "朝阳区 建国路 88号");
}

/* Full-width blanks (U+3000) between the names and full-width brackets round the code. */
Test(tmall, address_with_full_width_blanks_and_brackets_splits)
{
    const fmt_out_row *r =
        transform_with(C_ADDRESS, "广东省　广州市　天河区 天河路 385号（510620）");
    cr_assert_str_eq(V(r, SHIP_REGION), "广东省");
    cr_assert_str_eq(V(r, SHIP_CITY), "广州市");
    cr_assert_str_eq(V(r, SHIP_STREET), "天河区 天河路 385号");
    cr_assert_str_eq(V(r, SHIP_POSTAL), "510620");
}

/* Taobao writes 000000 when the buyer gave no postal code. */
Test(tmall, all_zero_postal_code_is_blank)
{
    const fmt_out_row *r =
        transform_with(C_ADDRESS, "上海 上海市 浦东新区 世纪大道 100号 (000000)");
    cr_assert_eq(r->v[FMT_COL_SHIP_POSTAL].len, 0);
    cr_assert_str_eq(V(r, SHIP_STREET), "浦东新区 世纪大道 100号");
}

Test(tmall, address_without_postal_code_keeps_its_street_whole)
{
    const fmt_out_row *r = transform_with(C_ADDRESS, "湖北省 武汉市 洪山区 珞喻路 1037号");
    cr_assert_eq(r->v[FMT_COL_SHIP_POSTAL].len, 0);
    cr_assert_str_eq(V(r, SHIP_STREET), "洪山区 珞喻路 1037号");
}

/* Brackets at the end that hold no digits are part of the street. */
Test(tmall, bracketed_words_at_the_end_are_not_a_postal_code)
{
    const fmt_out_row *r = transform_with(C_ADDRESS, "四川省 成都市 武侯区 天府大道 1700号 (北门)");
    cr_assert_eq(r->v[FMT_COL_SHIP_POSTAL].len, 0);
    cr_assert_str_eq(V(r, SHIP_STREET), "武侯区 天府大道 1700号 (北门)");
}

Test(tmall, two_word_address_is_city_and_street)
{
    const fmt_out_row *r = transform_with(C_ADDRESS, "杭州市 文三路90号");
    cr_assert_eq(r->v[FMT_COL_SHIP_REGION].len, 0);
    cr_assert_str_eq(V(r, SHIP_CITY), "杭州市");
    cr_assert_str_eq(V(r, SHIP_STREET), "文三路90号");
}

/* No blanks to cut at: all of it is the street, and the order lacks a city. */
Test(tmall, one_word_address_is_only_a_street)
{
    const fmt_out_row *r = transform_with(C_ADDRESS, "浙江省杭州市西湖区文三路90号");
    cr_assert_eq(r->v[FMT_COL_SHIP_CITY].len, 0);
    cr_assert_str_eq(V(r, SHIP_STREET), "浙江省杭州市西湖区文三路90号");
    cr_assert_str_eq(V(r, SHIP_COUNTRY), "CN");
}

Test(tmall, hong_kong_address_ships_to_hk)
{
    const fmt_out_row *r =
        transform_with(C_ADDRESS, "香港特别行政区 九龙 油尖旺区 弥敦道 132号 (999077)");
    cr_assert_str_eq(V(r, SHIP_COUNTRY), "HK");
    cr_assert_str_eq(V(r, SHIP_CITY), "九龙");
}

Test(tmall, blank_address_gives_no_country)
{
    const fmt_out_row *r = transform_with(C_ADDRESS, "");
    cr_assert_eq(r->v[FMT_COL_SHIP_COUNTRY].len, 0);
    cr_assert_eq(r->v[FMT_COL_SHIP_STREET].len, 0);
}

/* ---- states ---- */

Test(tmall, awaiting_payment_is_the_orders_state)
{
    const fmt_out_row *r = transform_with(C_STATUS, "等待买家付款");
    cr_assert_eq(r->order_state, FMT_STATE_UNPAID);
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
}

Test(tmall, paid_waiting_for_the_seller_ships)
{
    const fmt_out_row *r = transform_with(C_STATUS, "买家已付款，等待卖家发货");
    cr_assert_eq(r->order_state, FMT_STATE_NONE);
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
    cr_assert_null(out.malformed);
}

Test(tmall, paid_status_with_an_ascii_comma_ships)
{
    const fmt_out_row *r = transform_with(C_STATUS, "\"买家已付款,等待卖家发货\"");
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
    cr_assert_null(out.malformed);
}

Test(tmall, short_waiting_for_the_seller_ships)
{
    const fmt_out_row *r = transform_with(C_STATUS, "等待卖家发货");
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
    cr_assert_null(out.malformed);
}

/* Partly shipped: what slipway shipped before is subtracted through --history. */
Test(tmall, partly_shipped_order_ships)
{
    const fmt_out_row *r = transform_with(C_STATUS, "卖家部分发货");
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
    cr_assert_null(out.malformed);
}

Test(tmall, seller_shipped_item_is_already_fulfilled)
{
    const fmt_out_row *r = transform_with(C_STATUS, "卖家已发货，等待买家确认");
    cr_assert_eq(r->line_state, FMT_STATE_FULFILLED);
    cr_assert_eq(r->order_state, FMT_STATE_NONE);
}

Test(tmall, successful_trade_is_already_fulfilled)
{
    cr_assert_eq(transform_with(C_STATUS, "交易成功")->line_state, FMT_STATE_FULFILLED);
}

/* Per item: in the sub-order report one closed item must not cancel the others. */
Test(tmall, closed_trade_cancels_the_item)
{
    const fmt_out_row *r = transform_with(C_STATUS, "交易关闭");
    cr_assert_eq(r->line_state, FMT_STATE_CANCELLED);
    cr_assert_eq(r->order_state, FMT_STATE_NONE);
}

Test(tmall, successful_refund_cancels_the_item)
{
    const fmt_out_row *r = transform_with(C_REFUND, "退款成功");
    cr_assert_eq(r->line_state, FMT_STATE_CANCELLED);
}

Test(tmall, refund_still_in_progress_ships)
{
    const fmt_out_row *r = transform_with(C_REFUND, "买家已经申请退款，等待卖家同意");
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
}

Test(tmall, blank_status_ships)
{
    const fmt_out_row *r = transform_with(C_STATUS, "");
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
    cr_assert_eq(r->order_state, FMT_STATE_NONE);
    cr_assert_null(out.malformed);
}

/* Never shipped on a guess: the row is MALFORMED_ROW, quoting the value, and keeps its
 * order id so that the whole order is rejected. */
Test(tmall, unknown_status_makes_the_row_malformed)
{
    const fmt_out_row *r = transform_with(C_STATUS, "待核实");
    cr_assert_not_null(out.malformed);
    cr_assert(strstr(out.malformed, "订单状态 \"待核实\"") != NULL, "%s", out.malformed);
    cr_assert_str_eq(V(r, ORDER_ID), "3761520948817265301");
}

/* A byte GB18030 does not define reaches the layout undecoded; the message quotes only
 * the valid text before it, so exceptions.csv stays UTF-8. */
Test(tmall, unknown_status_message_stays_utf8)
{
    transform_with(C_STATUS, "待\xFF核实");
    cr_assert_not_null(out.malformed);
    cr_assert(strstr(out.malformed, "订单状态 \"待\" is not") != NULL, "%s", out.malformed);
    size_t n = strlen(out.malformed);
    cr_assert_eq(fmt_utf8_valid_prefix(out.malformed, n), n);
}

/* ---- the whole engine on a GB18030 file ---- */

/* text converted from UTF-8 to GB18030 into path. */
static void write_gb18030(const char *path, const char *utf8)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    cr_assert_neq(cd, (iconv_t)-1);
    char buf[4096];
    char *ip = (char *)utf8, *op = buf;
    size_t in_left = strlen(utf8), out_left = sizeof buf;
    cr_assert_neq(iconv(cd, &ip, &in_left, &op, &out_left), (size_t)-1);
    iconv_close(cd);
    size_t n = sizeof buf - out_left;
    cr_assert_lt(fmt_utf8_valid_prefix(buf, n), n, "the converted file must not be UTF-8");
    tu_write(path, buf, n);
}

static char p_cat[512], p_inv[512], p_ord[512], p_out[512];
static const char *orders_arg[1];

/* A one-order night: catalog, inventory and a GB18030 Tmall file in a scratch folder. */
static eng_run_args gb18030_night(void)
{
    tu_dir_new();
    const char *cat = "sku,name,status,list_price,min_price,currency\n"
                      "CN-MUG-TI,钛杯 450 ml,active,12.90,9.90,CNY\n";
    const char *inv = "sku,on_hand\nCN-MUG-TI,10\n";
    tu_write(tu_path(p_cat, sizeof p_cat, "catalog.csv"), cat, strlen(cat));
    tu_write(tu_path(p_inv, sizeof p_inv, "inventory.csv"), inv, strlen(inv));
    write_gb18030(
        tu_path(p_ord, sizeof p_ord, "tmall.csv"),
        "订单编号 ,订单状态 ,商家编码 ,价格 ,购买数量 ,收货人姓名 ,收货地址 ,订单创建时间 \r\n"
        "\"=\"\"3761520948817265301\"\"\",买家已付款，等待卖家发货,CN-MUG-TI,￥12.90,2,"
        "林晓雨,浙江省 杭州市 西湖区 文三路 90号 (310012),2026-11-26 21:15:02\r\n");
    orders_arg[0] = p_ord;
    eng_run_args a;
    memset(&a, 0, sizeof a);
    a.catalog = p_cat;
    a.inventory = p_inv;
    a.orders = orders_arg;
    a.n_orders = 1;
    a.out = tu_path(p_out, sizeof p_out, "out");
    a.threads = 2;
    a.quiet = 1;
    cr_assert_eq(fmt_isodate_parse("2026-11-27", 10, &a.run_date), 0);
    return a;
}

static char *read_out(const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", p_out, name);
    size_t len;
    return tu_read(path, &len);
}

/* The file is not UTF-8, so each layout is tried in its own legacy encoding: tmall's
 * GB18030 makes its header readable, and the records are decoded before they are read. */
Test(tmall, gb18030_file_is_detected_as_tmall_and_decoded)
{
    eng_run_args a = gb18030_night();
    cr_assert_eq(eng_run(&a), 0);
    char *summary = read_out("summary.json");
    cr_assert(strstr(summary, "\"format\": \"tmall\"") != NULL, "%s", summary);
    cr_assert(strstr(summary, "\"encoding\": \"GB18030\"") != NULL, "%s", summary);
    free(summary);
    char *slips = read_out("slips.csv");
    cr_assert(strstr(slips,
                     ",3761520948817265301,tmall,1,CN-MUG-TI,钛杯 450 ml,2,12.90,25.80,CNY,"
                     "MAIN,,林晓雨,西湖区 文三路 90号,杭州市,浙江省,310012,CN,,2026-11-27\n") !=
                  NULL,
              "%s", slips);
    free(slips);
}

/* Forced through the canonical layout, the file is refused (exit 3) and the message names
 * both the layout asked for and the one the file looks like. */
Test(tmall, gb18030_file_forced_as_canonical_is_refused_naming_both, .init = cr_redirect_stderr)
{
    eng_run_args a = gb18030_night();
    a.format = "canonical";
    cr_assert_eq(eng_run(&a), 3);
    fflush(stderr);
    char msg[1024] = "";
    size_t n = fread(msg, 1, sizeof msg - 1, cr_get_redirected_stderr());
    msg[n] = '\0';
    cr_assert(strstr(msg, "--format canonical was given, but the header is that of the tmall "
                          "layout") != NULL,
              "%s", msg);
    struct stat st;
    cr_assert_neq(stat(p_out, &st), 0, "a refused run must leave no output folder");
}

/* ---- source_column: the file's column an exception names ---- */

Test(tmall, exceptions_name_the_files_own_column)
{
    bind_to(merged_header("", 0));
    cr_expect_eq(tmall->source_column(tmall, bind, FMT_COL_SKU), C_SKU);
    cr_expect_eq(tmall->source_column(tmall, bind, FMT_COL_UNIT_PRICE), C_PRICE);
    cr_expect_eq(tmall->source_column(tmall, bind, FMT_COL_ORDER_TOTAL), C_TOTAL);
    /* 收货地址 alone feeds each part of the ship-to. */
    cr_expect_eq(tmall->source_column(tmall, bind, FMT_COL_SHIP_CITY), C_ADDRESS);
    cr_expect_eq(tmall->source_column(tmall, bind, FMT_COL_SHIP_POSTAL), C_ADDRESS);
    /* Made up: no column. */
    cr_expect_eq(tmall->source_column(tmall, bind, FMT_COL_CURRENCY), -1);
    cr_expect_eq(tmall->source_column(tmall, bind, FMT_COL_CHANNEL), -1);
}

Test(tmall, exceptions_name_the_alternative_the_header_has)
{
    bind_to("子订单编号,主订单编号,商品标题,商品价格,购买数量,外部系统编号,订单状态,订单创建时间");
    cr_expect_eq(tmall->source_column(tmall, bind, FMT_COL_ORDER_ID), 1); /* 主订单编号 */
    cr_expect_eq(tmall->source_column(tmall, bind, FMT_COL_SKU), 5);      /* 外部系统编号 */
    cr_expect_eq(tmall->source_column(tmall, bind, FMT_COL_UNIT_PRICE), 3);
    cr_expect_eq(tmall->source_column(tmall, bind, FMT_COL_SHIP_CITY),
                 FMT_LAYOUT_NO_COLUMN); /* no 收货地址 */
}
