/* Taobao / Tmall seller orders (订单报表), read from a file with one row per item that
 * carries both the order's and the item's columns.
 *
 * Taobao's seller centre exports an order as two reports: the order report (订单报表: one
 * row per order with 订单编号, 买家会员名, 买家应付货款, 买家应付邮费, 总金额, 买家实际支付
 * 金额, 订单状态, 收货人姓名, 收货地址, 联系手机, 订单创建时间, 订单付款时间, 宝贝标题,
 * 宝贝总数量, 运送方式, 商家备注 ...) and the item report (宝贝报表: one row per item with
 * 订单编号, 标题, 价格, 购买数量, 外部系统编号, 商品属性, 套餐信息, 备注, 订单状态, 商家
 * 编码). Tmall's newer sub-order report (子订单报表) has 子订单编号, 主订单编号, 商品标题,
 * 商品价格, 购买数量, 外部系统编号, 商品属性, 订单状态, 商家编码, 买家实付金额, 退款状态,
 * 退款金额, 订单创建时间, 订单付款时间, 发货时间 ... but no ship-to. Neither report alone
 * holds what a slip needs (the seller's SKU and quantity are in the item report, the
 * ship-to and shipping fee in the order report), so this layout reads the merged file
 * that ERPs and sellers' own scripts make by joining the two on the order number: one row
 * per item, the order's columns repeated on each of its rows (or left blank after the
 * first, which the canonical inheritance accepts). Either report alone is recognised as
 * tmall and refused with the name of the column it lacks.
 *
 * Mapping (canonical <- column; a name after "|" is read when the first is absent):
 *   order_id     <- 订单编号 | 主订单编号     required, protection removed (see below)
 *   order_time   <- 订单创建时间             required, China time (+08:00)
 *   sku          <- 商家编码 | 外部系统编号   required, the seller's own code
 *   qty          <- 购买数量                 required
 *   unit_price   <- 价格 | 商品价格           required, the item's unit price
 *   (state)      <- 订单状态                 required, see States
 *   (line state) <- 退款状态                 退款成功: the item is refunded, not shipped
 *   (item_key)   <- 子订单编号               the marketplace's line id
 *   currency     <- "CNY" on every row (Taobao sells in yuan; the files have no column)
 *   channel      <- "tmall" on every row that has an order time
 *   customer_id  <- 买家会员名
 *   ship_name    <- 收货人姓名
 *   ship_region, ship_city, ship_street, ship_postal, ship_country <- 收货地址, split below
 *   ship_service <- 运送方式
 *   shipping     <- 买家应付邮费
 *   order_total  <- 总金额
 * Other columns (联系手机, 宝贝标题, 商品属性, 商家备注, 订单付款时间 ...) are not read.
 *
 * Totals. 总金额 is 买家应付货款 + 买家应付邮费, so the engine's check (order_total = lines +
 * shipping) catches a merged file that lost or doubled an item row in the join. 买家实际
 * 支付金额 is not used: it nets points, red packets and Tmall vouchers the platform pays,
 * and is 0.00 on unpaid and closed orders, so it would not add up. Neither report has a
 * discount column: an item sold under a shop coupon has a 价格 above what the buyer pays,
 * and its order is TOTAL_MISMATCH unless the merge writes the price paid in 价格 or leaves
 * 总金额 out.
 *
 * Required columns are the least a row needs to become an order line, plus 订单状态:
 * without it an unpaid or closed order cannot be told from one to ship, and every Taobao
 * and Tmall report has it. A missing one refuses the file naming the column (and its
 * alternative) and this layout. 商家编码 is preferred to 外部系统编号 (the item report has
 * both: 外部系统编号 is the item's code, 商家编码 the SKU's); the choice is per file, never
 * per row, so a row whose 商家编码 is blank is MISSING_FIELD rather than shipped under
 * another code.
 *
 * States. 订单状态 is read on each row. In the order report it is the order's status,
 * repeated on its rows; in the sub-order report each item has its own (an item refunded
 * before shipping is 交易关闭 while the others wait). Reading closed and shipped as the
 * state of the row's item is right for both: an order all of whose rows are closed is
 * ORDER_CANCELLED, all shipped ALREADY_FULFILLED (closed wins over shipped), and an order
 * with one item closed still ships the others.
 *   等待买家付款, 付款确认中                 -> AWAITING_PAYMENT (order: payment is per order)
 *   买家已付款，等待卖家发货, 等待卖家发货    -> ships (also with an ASCII comma)
 *   卖家部分发货                              -> ships; what slipway shipped on earlier
 *                                                nights is subtracted through --history
 *   卖家已发货，等待买家确认, 交易成功, 买家已签收 -> ALREADY_FULFILLED (the item)
 *   交易关闭 ...                              -> ORDER_CANCELLED (the item)
 *   退款状态 退款成功                         -> ORDER_CANCELLED (the item); any other refund
 *                                                status (申请中, 退款关闭 ...) ships
 *   blank                                     -> ships (a continuation row)
 *   anything else                             -> MALFORMED_ROW naming the value: an unknown
 *                                                status is never shipped on a guess
 * A line not shipped still counts in the order's total, as 总金额 includes it.
 *
 * Quirks handled:
 * - GB18030 (GBK) text: legacy_encoding, used when the file is not valid UTF-8 (the
 *   engine converts it); CRLF line ends.
 * - Header names with trailing spaces ("订单编号 "): names are compared ignoring blanks.
 * - Long ids protected from spreadsheets: ="4012345678901234567" (written RFC 4180-quoted
 *   as "=""4012..."""), a leading tab, a leading apostrophe. Order, sub-order ids and
 *   商家编码 lose the protection and stay text: 19-digit ids are never read as numbers.
 * - Amounts as ¥12.90, ￥12.90 (U+FFE5), 12.90元, RMB 12.90, 1,234.00: plain decimals.
 *   An amount marked with another currency ($5.00), or unreadable, passes unchanged so the
 *   engine reports BAD_NUMBER.
 * - Times "2026-11-26 21:15:02" (also "2026/11/26 21:15:02", without seconds, or a bare
 *   date, as a spreadsheet re-saves them) are China time: +08:00 is appended. Other text
 *   passes unchanged (ISO 8601 is read as is; the rest is BAD_DATE).
 * - 收货地址 is one field, "浙江省 杭州市 西湖区 文三路 90号 (310012)": a postal code in
 *   ASCII or full-width brackets at the end becomes ship_postal (000000, Taobao's "none",
 *   becomes blank); the rest is cut at blanks (ASCII or U+3000): the first word is
 *   ship_region (province), the second ship_city, the rest ship_street as written,
 *   district first ("西湖区 文三路 90号"). With two words they are city and street; one
 *   word is the street alone (then the order lacks ship_city: MISSING_FIELD). The
 *   municipalities come as "北京 北京市 朝阳区 ...", which fits the rule. ship_country is
 *   CN, or HK, MO, TW when the province is 香港, 澳门, 台湾.
 * - A sub-order id repeated in the file (two pulls of overlapping periods) is one line:
 *   the later row counts (SUPERSEDED_ROW on the earlier one). */
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "table.h"
#include "utf8.h"

enum {
    T_ORDER_ID,
    T_SUB_ORDER_ID,
    T_CREATED,
    T_SKU,
    T_QTY,
    T_PRICE,
    T_STATUS,
    T_REFUND,
    T_BUYER,
    T_RECIPIENT,
    T_ADDRESS,
    T_SERVICE,
    T_SHIPPING,
    T_TOTAL,
    T_COUNT
};

/* A wanted column: its names, preferred first, and whether the file must have it. */
typedef struct tmall_column {
    const char *names[2];
    int required;
} tmall_column;

static const tmall_column tmall_columns[T_COUNT] = {
    {{"订单编号", "主订单编号"}, 1},   /* order_id */
    {{"子订单编号", NULL}, 0},         /* item_key */
    {{"订单创建时间", NULL}, 1},       /* order_time */
    {{"商家编码", "外部系统编号"}, 1}, /* sku */
    {{"购买数量", NULL}, 1},           /* qty */
    {{"价格", "商品价格"}, 1},         /* unit_price */
    {{"订单状态", NULL}, 1},           /* order_state, line_state */
    {{"退款状态", NULL}, 0},           /* line_state */
    {{"买家会员名", NULL}, 0},         /* customer_id */
    {{"收货人姓名", NULL}, 0},         /* ship_name */
    {{"收货地址", NULL}, 0},           /* ship_region, ship_city, ship_street, ship_postal */
    {{"运送方式", NULL}, 0},           /* ship_service */
    {{"买家应付邮费", NULL}, 0},       /* shipping */
    {{"总金额", NULL}, 0},             /* order_total */
};

static int tmall_detect(const fmt_layout *l, const fmt_csv_fields *header)
{
    (void)l;
    static const char *const sig[] = {
        "订单编号",     "主订单编号",   "子订单编号",   "商家编码",        "外部系统编号",
        "购买数量",     "价格",         "商品价格",     "订单状态",        "退款状态",
        "订单创建时间", "买家会员名",   "收货人姓名",   "收货地址",        "运送方式",
        "总金额",       "买家应付邮费", "买家应付货款", "买家实际支付金额"};
    int n = fmt_layout_count_cols(header, sig, sizeof sig / sizeof *sig);
    return n >= 4 ? n : 0;
}

/* *at = index of the only header field named name, or -1 when there is none.
 * ENG_REFUSED when the name appears twice. */
static eng_rc find_once(const fmt_csv_fields *header, const char *name, const char *layout, int *at,
                        eng_err *err)
{
    *at = -1;
    for (size_t i = 0; i < fmt_csv_count(header); i++) {
        if (!fmt_header_name_eq(fmt_csv_field(header, i), name))
            continue;
        if (*at >= 0) {
            if (err)
                err->field = name;
            return ENG_FAIL(err, ENG_REFUSED,
                            "column \"%s\" appears twice in the %s header (columns %d and %zu); "
                            "remove one",
                            name, layout, *at + 1, i + 1);
        }
        *at = (int)i;
    }
    return ENG_OK;
}

/* The refusal for a required column that is absent under all its names. */
static eng_rc missing(const fmt_layout *l, const tmall_column *c, eng_err *err)
{
    if (err)
        err->field = c->names[0];
    if (c->names[1])
        return ENG_FAIL(err, ENG_REFUSED,
                        "required column \"%s\" (or \"%s\") is missing from the %s header; "
                        "check that the file is in the %s layout",
                        c->names[0], c->names[1], l->name, l->name);
    return ENG_FAIL(err, ENG_REFUSED,
                    "required column \"%s\" is missing from the %s header; check that the "
                    "file is in the %s layout",
                    c->names[0], l->name, l->name);
}

/* Each wanted column's index: its first name the header has. */
static eng_rc tmall_bind(const fmt_layout *l, const fmt_csv_fields *header, void **bind,
                         eng_err *err)
{
    int *col = malloc(T_COUNT * sizeof *col);
    if (!col)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory reading a header");
    eng_rc rc = ENG_OK;
    for (int k = 0; k < T_COUNT && rc == ENG_OK; k++) {
        const tmall_column *c = &tmall_columns[k];
        col[k] = -1;
        for (int a = 0; a < 2 && c->names[a] && col[k] < 0 && rc == ENG_OK; a++)
            rc = find_once(header, c->names[a], l->name, &col[k], err);
        if (rc == ENG_OK && col[k] < 0 && c->required)
            rc = missing(l, c, err);
    }
    if (rc != ENG_OK) {
        free(col);
        return rc;
    }
    *bind = col;
    return ENG_OK;
}

static void tmall_unbind(void *bind)
{
    free(bind);
}

/* ---- values ---- */

static int starts(fmt_str v, const char *word)
{
    size_t n = strlen(word);
    return v.len >= n && memcmp(v.p, word, n) == 0;
}

static int equals(fmt_str v, const char *word)
{
    return v.len == strlen(word) && starts(v, word);
}

static int ends(fmt_str v, const char *word)
{
    size_t n = strlen(word);
    return v.len >= n && memcmp(v.p + v.len - n, word, n) == 0;
}

/* An amount in yuan as a plain decimal; anything else (another currency's marker, no
 * number at all) unchanged, for the engine to report. */
static fmt_str tmall_money(fmt_out *out, fmt_str v)
{
    fmt_str amount;
    const char *currency;
    if (fmt_layout_money(out, v, &amount, &currency) != 0)
        return v;
    if (*currency && strcmp(currency, "CNY") != 0)
        return v;
    return amount;
}

/* "2026-11-26 21:15:02" in China time as ISO 8601; the shapes a spreadsheet re-saves it in
 * too. Other text unchanged. */
static fmt_str tmall_time(fmt_out *out, fmt_str v)
{
    static const char *const patterns[] = {
        "YYYY-MM-DD hh:mm:ss", "YYYY/MM/DD hh:mm:ss", "YYYY-MM-DD hh:mm",
        "YYYY/MM/DD hh:mm",    "YYYY-MM-DD",          "YYYY/MM/DD",
    };
    v = fmt_layout_trim(v);
    for (size_t i = 0; i < sizeof patterns / sizeof *patterns && v.len; i++) {
        fmt_str t = fmt_layout_date(out, v, patterns[i], "+08:00");
        if (t.p != v.p) /* a new text: the pattern fitted (NULL: out of memory) */
            return t.p ? t : v;
    }
    return v;
}

/* ---- 收货地址 ---- */

#define FULL_SPACE "\xE3\x80\x80" /* U+3000 IDEOGRAPHIC SPACE */

/* Length of the blank (space, tab, U+3000) at p, 0 when none. */
static size_t blank_at(const char *p, size_t left)
{
    if (left && (*p == ' ' || *p == '\t'))
        return 1;
    if (left >= 3 && memcmp(p, FULL_SPACE, 3) == 0)
        return 3;
    return 0;
}

static fmt_str trim_wide(fmt_str v)
{
    size_t k;
    while ((k = blank_at(v.p, v.len)) > 0) {
        v.p += k;
        v.len -= k;
    }
    for (;;) {
        if (v.len && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
            v.len--;
        else if (ends(v, FULL_SPACE))
            v.len -= 3;
        else
            break;
    }
    return v;
}

/* A postal code in brackets at the end of v: "(310012)" or "（310012）". Cuts it from *v and
 * returns its digits, or blank when there is none or it is all zeros. */
static fmt_str cut_postal(fmt_str *v)
{
    static const char *const pairs[][2] = {{"(", ")"}, {"\xEF\xBC\x88", "\xEF\xBC\x89"}};
    fmt_str none = {"", 0};
    for (size_t k = 0; k < 2; k++) {
        size_t open = strlen(pairs[k][0]), close = strlen(pairs[k][1]);
        if (!ends(*v, pairs[k][1]))
            continue;
        size_t end = v->len - close, start = end;
        while (start > 0 && v->p[start - 1] >= '0' && v->p[start - 1] <= '9')
            start--;
        if (start == end || start < open || memcmp(v->p + start - open, pairs[k][0], open) != 0)
            return none;
        fmt_str code = {v->p + start, end - start};
        v->len = start - open;
        *v = trim_wide(*v);
        for (size_t i = 0; i < code.len; i++)
            if (code.p[i] != '0')
                return code;
        return none; /* 000000: the buyer gave none */
    }
    return none;
}

/* The address split into region, city, street, postal and country on row r. */
static void tmall_address(fmt_out_row *r, fmt_str addr)
{
    addr = trim_wide(addr);
    if (addr.len == 0)
        return;
    r->v[FMT_COL_SHIP_POSTAL] = cut_postal(&addr);
    /* The first two words, and where the third starts. */
    fmt_str word[2];
    size_t n_words = 0, i = 0;
    while (i < addr.len && n_words < 2) {
        size_t start = i;
        while (i < addr.len && !blank_at(addr.p + i, addr.len - i))
            i++;
        word[n_words++] = (fmt_str){addr.p + start, i - start};
        size_t k;
        while (i < addr.len && (k = blank_at(addr.p + i, addr.len - i)) > 0)
            i += k;
    }
    fmt_str rest = {addr.p + i, addr.len - i};
    if (n_words == 2 && rest.len) {
        r->v[FMT_COL_SHIP_REGION] = word[0];
        r->v[FMT_COL_SHIP_CITY] = word[1];
        r->v[FMT_COL_SHIP_STREET] = rest;
    } else if (n_words == 2) {
        r->v[FMT_COL_SHIP_CITY] = word[0];
        r->v[FMT_COL_SHIP_STREET] = word[1];
    } else {
        r->v[FMT_COL_SHIP_STREET] = addr;
    }
    fmt_str region = r->v[FMT_COL_SHIP_REGION];
    r->v[FMT_COL_SHIP_COUNTRY] = starts(region, "香港")   ? (fmt_str){"HK", 2}
                                 : starts(region, "澳门") ? (fmt_str){"MO", 2}
                                 : starts(region, "台湾") ? (fmt_str){"TW", 2}
                                                          : (fmt_str){"CN", 2};
}

/* ---- states ---- */

/* The state of 订单状态 on row r; 0, or -1 when the value is not a status we know. */
static int tmall_status(fmt_out_row *r, fmt_str v)
{
    v = fmt_layout_trim(v);
    if (v.len == 0)
        return 0;
    if (starts(v, "等待买家付款") || starts(v, "付款确认中"))
        r->order_state = FMT_STATE_UNPAID;
    else if (starts(v, "交易关闭"))
        r->line_state = FMT_STATE_CANCELLED;
    else if (starts(v, "卖家已发货") || starts(v, "交易成功") || starts(v, "买家已签收"))
        r->line_state = FMT_STATE_FULFILLED;
    else if (!(equals(v, "等待卖家发货") || equals(v, "买家已付款，等待卖家发货") ||
               equals(v, "买家已付款,等待卖家发货") || equals(v, "卖家部分发货")))
        return -1;
    return 0;
}

/* Why a row with an unknown 订单状态 is not read, quoting the value (its valid UTF-8 part,
 * cut at a character boundary, so that the message stays UTF-8). */
static const char *unknown_status(fmt_out *out, fmt_str v)
{
    static const char head[] = "订单状态 \"";
    static const char tail[] = "\" is not a Taobao/Tmall status this layout knows (等待买家付款, "
                               "等待卖家发货, 卖家已发货, 交易成功, 交易关闭 ...)";
    char msg[sizeof head + 64 + sizeof tail];
    fmt_str t = fmt_layout_trim(v);
    size_t n = fmt_utf8_valid_prefix(t.p, t.len); /* undecodable bytes are not repeated */
    if (n > 60) {
        n = 60;
        while (n > 0 && ((unsigned char)t.p[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(msg, head, sizeof head - 1);
    memcpy(msg + sizeof head - 1, t.p, n);
    memcpy(msg + sizeof head - 1 + n, tail, sizeof tail);
    const char *copy = fmt_out_text(out, msg, strlen(msg)).p;
    return copy ? copy : "unknown 订单状态";
}

static eng_rc tmall_transform(const fmt_layout *l, const void *bind, const fmt_csv_fields *rec,
                              fmt_out *out)
{
    const int *col = bind;
    fmt_out_row *r = fmt_out_add(out);
    if (!r)
        return ENG_NOMEM;
    fmt_str f[T_COUNT];
    for (int k = 0; k < T_COUNT; k++)
        f[k] = fmt_layout_field(rec, col[k]);
    r->v[FMT_COL_ORDER_ID] = fmt_layout_unprotect(f[T_ORDER_ID]);
    r->item_key = fmt_layout_unprotect(f[T_SUB_ORDER_ID]);
    r->v[FMT_COL_ORDER_TIME] = tmall_time(out, f[T_CREATED]);
    r->v[FMT_COL_SKU] = fmt_layout_unprotect(f[T_SKU]);
    r->v[FMT_COL_QTY] = fmt_layout_trim(f[T_QTY]);
    r->v[FMT_COL_UNIT_PRICE] = tmall_money(out, f[T_PRICE]);
    r->v[FMT_COL_CURRENCY] = (fmt_str){"CNY", 3};
    if (f[T_CREATED].len)
        r->v[FMT_COL_CHANNEL] = (fmt_str){l->name, strlen(l->name)};
    r->v[FMT_COL_CUSTOMER_ID] = fmt_layout_trim(f[T_BUYER]);
    r->v[FMT_COL_SHIP_NAME] = fmt_layout_trim(f[T_RECIPIENT]);
    tmall_address(r, f[T_ADDRESS]);
    r->v[FMT_COL_SHIP_SERVICE] = fmt_layout_trim(f[T_SERVICE]);
    r->v[FMT_COL_SHIPPING] = tmall_money(out, f[T_SHIPPING]);
    r->v[FMT_COL_ORDER_TOTAL] = tmall_money(out, f[T_TOTAL]);
    if (tmall_status(r, f[T_STATUS]) != 0)
        out->malformed = unknown_status(out, f[T_STATUS]);
    if (equals(fmt_layout_trim(f[T_REFUND]), "退款成功"))
        r->line_state = FMT_STATE_CANCELLED;
    return ENG_OK;
}

/* The column each canonical value is read from (source_column): 收货地址 feeds the whole
 * ship-to but the name. Currency and channel are made up. */
static const int tmall_source[][2] = {
    {FMT_COL_ORDER_ID, T_ORDER_ID},
    {FMT_COL_ORDER_TIME, T_CREATED},
    {FMT_COL_SKU, T_SKU},
    {FMT_COL_QTY, T_QTY},
    {FMT_COL_UNIT_PRICE, T_PRICE},
    {FMT_COL_CUSTOMER_ID, T_BUYER},
    {FMT_COL_SHIP_NAME, T_RECIPIENT},
    {FMT_COL_SHIP_STREET, T_ADDRESS},
    {FMT_COL_SHIP_CITY, T_ADDRESS},
    {FMT_COL_SHIP_REGION, T_ADDRESS},
    {FMT_COL_SHIP_POSTAL, T_ADDRESS},
    {FMT_COL_SHIP_COUNTRY, T_ADDRESS},
    {FMT_COL_SHIP_SERVICE, T_SERVICE},
    {FMT_COL_SHIPPING, T_SHIPPING},
    {FMT_COL_ORDER_TOTAL, T_TOTAL},
};

static int tmall_source_column(const fmt_layout *l, const void *bind, fmt_col c)
{
    (void)l;
    const int *col = bind;
    return fmt_layout_source(tmall_source, sizeof tmall_source / sizeof *tmall_source, col, c);
}

const fmt_layout fmt_layout_tmall = {
    .name = "tmall",
    .dialect = {',', '"', 1},
    .legacy_encoding = "GB18030",
    .detect = tmall_detect,
    .bind = tmall_bind,
    .unbind = tmall_unbind,
    .transform = tmall_transform,
    .source_column = tmall_source_column,
};
