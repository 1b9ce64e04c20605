/* Tests of formats/mapping (`--format map:FILE`): the mapping file grammar, every refusal
 * with its file, line and key, binding a header, and the transform of records written the
 * way a German marketplace writes them (semicolons, "1.234,50", "26.11.2026 14:03"). */
#include "../formats/mapping.h"
#include "testutil.h"

#define MAP_PATH "shop.map"

/* A mapping much like samples/marketplaces/kaufhaus.map. */
static const char kaufhaus[] = "# Kaufhaus export\n"
                               "order_id     = Bestellnummer\n"
                               "order_time   = Bestelldatum\n"
                               "sku          = Artikelnummer\n"
                               "qty          = Menge\n"
                               "unit_price   = Gesamtpreis\n"
                               "ship_name    = Empfänger\n"
                               "ship_postal  = PLZ\n"
                               "ship_country = Land\n"
                               "shipping     = Versandkosten\n"
                               "delimiter    = ;\n"
                               "quote        = \"     # \" (default) or none\n"
                               "encoding     = windows-1252\n"
                               "date_format  = DD.MM.YYYY hh:mm\n"
                               "time_zone    = +01:00\n"
                               "price        = line_total\n"
                               "currency     = EUR\n"
                               "channel      = kaufhaus\n"
                               "status         = Status\n"
                               "cancelled_when = status: Storniert, Erstattet\n"
                               "fulfilled_when = status: Versendet\n"
                               "unpaid_when    = status: Zahlung offen\n";

static const char kaufhaus_header[] =
    "Bestellnummer;Bestelldatum;Artikelnummer;Menge;Gesamtpreis;Empfänger;PLZ;Land;"
    "Versandkosten;Status";

static const char minimal[] = "order_id = Order\n"
                              "sku = SKU\n"
                              "qty = Qty\n"
                              "unit_price = Price\n"
                              "order_time = Date\n";

static fmt_layout *parse_ok(const char *text)
{
    fmt_layout *l = NULL;
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_rc rc = fmt_mapping_parse(MAP_PATH, text, strlen(text), &l, &err);
    cr_assert_eq(rc, ENG_OK, "refused on line %llu (%s): %s", (unsigned long long)err.line,
                 err.field ? err.field : "-", err.msg);
    cr_assert_not_null(l);
    return l;
}

/* text must be refused on line, naming key (NULL: none) and holding needle. */
static void assert_refused(const char *text, uint64_t line, const char *key, const char *needle)
{
    fmt_layout *l = NULL;
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(fmt_mapping_parse(MAP_PATH, text, strlen(text), &l, &err), ENG_REFUSED,
                 "accepted: %s", text);
    cr_assert_null(l);
    cr_assert_str_eq(err.path, MAP_PATH);
    cr_assert_eq(err.line, line, "refused on line %llu, want %llu: %s",
                 (unsigned long long)err.line, (unsigned long long)line, err.msg);
    if (key)
        cr_assert(err.field && strcmp(err.field, key) == 0, "key %s, want %s: %s",
                  err.field ? err.field : "(none)", key, err.msg);
    else
        cr_assert_null(err.field, "key %s, want none", err.field);
    cr_assert(strstr(err.msg, needle), "message lacks \"%s\": %s", needle, err.msg);
}

/* minimal plus extra lines. */
static char *with(const char *extra)
{
    static char buf[2048];
    snprintf(buf, sizeof buf, "%s%s", minimal, extra);
    return buf;
}

/* ---- a record through bind and transform ---- */

typedef struct mapped {
    fmt_csv_fields *header, *record;
    void *bind;
    fmt_out out;
} mapped;

static void map_record(mapped *m, const fmt_layout *l, const char *header, const char *record)
{
    m->header = fmt_csv_fields_new(l->dialect);
    m->record = fmt_csv_fields_new(l->dialect);
    cr_assert(m->header && m->record);
    cr_assert_eq(fmt_csv_split(m->header, header, strlen(header)), ENG_OK);
    cr_assert_eq(fmt_csv_split(m->record, record, strlen(record)), ENG_OK);
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(l->bind(l, m->header, &m->bind, &err), ENG_OK, "bind: %s", err.msg);
    cr_assert_eq(fmt_out_init(&m->out), ENG_OK);
    cr_assert_eq(l->transform(l, m->bind, m->record, &m->out), ENG_OK);
    cr_assert_eq(m->out.n, 1);
}

static void unmap(mapped *m, fmt_layout *l)
{
    fmt_out_release(&m->out);
    l->unbind(m->bind);
    fmt_csv_fields_free(m->header);
    fmt_csv_fields_free(m->record);
    fmt_mapping_free(l);
}

static void assert_value(const mapped *m, fmt_col c, const char *want)
{
    fmt_str v = m->out.rows[0].v[c];
    cr_assert(v.p, "%s is NULL", fmt_col_name(c));
    cr_assert(v.len == strlen(want) && memcmp(v.p, want, v.len) == 0, "%s = \"%.*s\", want \"%s\"",
              fmt_col_name(c), (int)v.len, v.p, want);
}

/* ---- parsing good mappings ---- */

Test(mapping, good_mapping_makes_a_named_layout_with_its_dialect_and_encoding)
{
    fmt_layout *l = parse_ok(kaufhaus);
    cr_assert_str_eq(l->name, "map:" MAP_PATH);
    cr_assert_eq(l->dialect.delim, ';');
    cr_assert_eq(l->dialect.quote, '"');
    cr_assert_str_eq(l->legacy_encoding, "WINDOWS-1252");
    cr_assert(l->detect && l->bind && l->unbind && l->transform);
    cr_assert_not_null(l->config);
    fmt_mapping_free(l);
}

Test(mapping, defaults_are_comma_double_quote_and_utf8)
{
    fmt_layout *l = parse_ok(minimal);
    cr_assert_eq(l->dialect.delim, ',');
    cr_assert_eq(l->dialect.quote, '"');
    cr_assert_null(l->legacy_encoding);
    fmt_mapping_free(l);
}

Test(mapping, delimiter_tab_and_pipe_quote_none_and_gb18030)
{
    fmt_layout *l = parse_ok(with("delimiter = tab\nquote = none\nencoding = GB18030\n"));
    cr_assert_eq(l->dialect.delim, '\t');
    cr_assert_lt(l->dialect.quote, 0);
    cr_assert_str_eq(l->legacy_encoding, "GB18030");
    fmt_mapping_free(l);
    l = parse_ok(with("delimiter = |\nquote = '\nencoding = utf-8\n"));
    cr_assert_eq(l->dialect.delim, '|');
    cr_assert_eq(l->dialect.quote, '\'');
    cr_assert_null(l->legacy_encoding);
    fmt_mapping_free(l);
}

Test(mapping, keys_ignore_case_and_lines_may_end_in_crlf_after_a_bom)
{
    const char text[] = "\xEF\xBB\xBF# comment\r\n"
                        "ORDER_ID = Order\r\n"
                        "  Sku=SKU\r\n"
                        "\r\n"
                        "qty = Qty\r"
                        "unit_price = Price\r\n"
                        "order_time = Date   # the order date\r\n"
                        "Delimiter = ;\r\n";
    fmt_layout *l = parse_ok(text);
    cr_assert_eq(l->dialect.delim, ';');
    mapped m;
    map_record(&m, l, "Order;SKU;Qty;Price;Date", "A-1;TENT-2P-ALP;2;189.00;2026-11-26");
    assert_value(&m, FMT_COL_ORDER_ID, "A-1");
    assert_value(&m, FMT_COL_SKU, "TENT-2P-ALP");
    assert_value(&m, FMT_COL_QTY, "2");
    assert_value(&m, FMT_COL_ORDER_TIME, "2026-11-26");
    unmap(&m, l);
}

Test(mapping, quoted_column_names_keep_hash_blanks_and_quotes)
{
    /* "Order #" is a common US column name: unquoted, " #" would start a comment. */
    fmt_layout *l = parse_ok("order_id = \"Order #\"   # quoted\n"
                             "sku = Item#\n"
                             "qty = \"Qty \"\"units\"\"\"\n"
                             "unit_price = Net = Gross - Tax\n"
                             "order_time = Date\n");
    mapped m;
    map_record(&m, l, "Order #,Item#,\"Qty \"\"units\"\"\",Net = Gross - Tax,Date",
               "1001,MUG-ENAM-35,3,12.90,2026-11-26");
    assert_value(&m, FMT_COL_ORDER_ID, "1001");
    assert_value(&m, FMT_COL_SKU, "MUG-ENAM-35");
    assert_value(&m, FMT_COL_QTY, "3");
    assert_value(&m, FMT_COL_UNIT_PRICE, "12.90");
    unmap(&m, l);
}

Test(mapping, load_reads_the_file_and_names_it)
{
    tu_dir_new();
    char path[512];
    tu_path(path, sizeof path, "kaufhaus.map");
    tu_write(path, kaufhaus, strlen(kaufhaus));
    fmt_layout *l = NULL;
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(fmt_mapping_load(path, &l, NULL, &err), ENG_OK, "%s", err.msg);
    char want[600];
    snprintf(want, sizeof want, "map:%s", path);
    cr_assert_str_eq(l->name, want);
    cr_assert_eq(l->dialect.delim, ';');
    fmt_mapping_free(l);
    tu_dir_remove();
}

Test(mapping, load_refuses_a_missing_file_naming_it)
{
    fmt_layout *l = NULL;
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(fmt_mapping_load("/nonexistent/shop.map", &l, NULL, &err), ENG_REFUSED);
    cr_assert_null(l);
    cr_assert_str_eq(err.path, "/nonexistent/shop.map");
}

Test(mapping, free_accepts_null)
{
    fmt_mapping_free(NULL);
}

/* ---- refusals: file, line and key ---- */

Test(mapping, refuses_an_unknown_key)
{
    assert_refused(with("ship_town = Ort\n"), 6, NULL, "unknown key \"ship_town\"");
}

Test(mapping, unknown_key_with_sides_swapped_gets_a_hint)
{
    assert_refused("Bestellnummer = order_id\n", 1, NULL,
                   "goes on the left, the file's column on the right (order_id = Bestellnummer)");
}

Test(mapping, refuses_a_line_without_equals)
{
    assert_refused(with("ship_city Ort\n"), 6, NULL, "expected `key = value`");
}

Test(mapping, refuses_each_missing_required_mapping)
{
    static const char *const lines[] = {"order_id = Order\n", "sku = SKU\n", "qty = Qty\n",
                                        "unit_price = Price\n", "order_time = Date\n"};
    static const char *const keys[] = {"order_id", "sku", "qty", "unit_price", "order_time"};
    for (int skip = 0; skip < 5; skip++) {
        char text[256] = "";
        for (int i = 0; i < 5; i++)
            if (i != skip)
                strcat(text, lines[i]);
        /* No line has the mistake: line 0, the key to add named. */
        assert_refused(text, 0, keys[skip], "is not mapped");
    }
}

Test(mapping, refuses_a_canonical_column_mapped_twice)
{
    assert_refused(with("ship_name = Name\nsku = Artikel\n"), 7, "sku", "already mapped on line 2");
}

Test(mapping, refuses_currency_as_constant_and_column)
{
    assert_refused(with("currency = EUR\ncurrency_column = Currency\n"), 7, "currency",
                   "mapped twice");
    assert_refused(with("channel_column = Shop\nchannel = web\n"), 7, "channel", "mapped twice");
}

Test(mapping, refuses_a_setting_given_twice)
{
    assert_refused(with("delimiter = ;\ndelimiter = ,\n"), 7, "delimiter",
                   "already given on line 6");
}

Test(mapping, refuses_a_bad_delimiter)
{
    assert_refused(with("delimiter = semicolon\n"), 6, "delimiter", "not one of , ; | tab");
}

Test(mapping, refuses_a_bad_quote)
{
    assert_refused(with("quote = `\n"), 6, "quote", "is not");
}

Test(mapping, refuses_a_bad_encoding)
{
    assert_refused(with("encoding = latin-9\n"), 6, "encoding",
                   "not utf-8, windows-1252 or gb18030");
}

Test(mapping, refuses_a_date_format_without_a_year)
{
    assert_refused(with("date_format = DD.MM. hh:mm\n"), 6, "date_format", "needs a year");
}

Test(mapping, refuses_a_date_format_with_a_lone_letter)
{
    /* D.M.YYYY would never match: fmt_layout_date reads D and M as literal letters. */
    assert_refused(with("date_format = D.M.YYYY\n"), 6, "date_format", "lone or tripled");
}

Test(mapping, refuses_a_date_format_naming_a_part_twice)
{
    assert_refused(with("date_format = DD.MM.YYYY DD\n"), 6, "date_format", "twice");
}

Test(mapping, refuses_a_date_format_with_minutes_but_no_hours)
{
    assert_refused(with("date_format = DD.MM.YYYY mm\n"), 6, "date_format", "without hours");
}

Test(mapping, accepts_each_time_zone_form_and_refuses_a_region)
{
    static const char *const good[] = {"+01:00", "-0500", "+05", "Z", "UTC", "+14:00"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char extra[64];
        snprintf(extra, sizeof extra, "time_zone = %s\n", good[i]);
        fmt_mapping_free(parse_ok(with(extra)));
    }
    assert_refused(with("time_zone = Europe/Berlin\n"), 6, "time_zone", "fixed offset");
    assert_refused(with("time_zone = +15:00\n"), 6, "time_zone", "fixed offset");
    assert_refused(with("time_zone = +01:60\n"), 6, "time_zone", "fixed offset");
}

Test(mapping, refuses_a_bad_price_value)
{
    assert_refused(with("price = gross\n"), 6, "price", "not unit");
}

Test(mapping, refuses_a_currency_that_is_no_iso_code)
{
    /* Most likely a column name meant for currency_column: the message says so. */
    assert_refused(with("currency = Währung\n"), 6, "currency", "currency_column");
}

Test(mapping, refuses_an_empty_value)
{
    assert_refused(with("ship_city =    # none yet\n"), 6, "ship_city", "has no value");
}

Test(mapping, refuses_an_unclosed_quote_and_text_after_a_closing_one)
{
    assert_refused(with("ship_city = \"Ort\n"), 6, "ship_city", "not closed");
    assert_refused(with("ship_city = \"Ort\" x\n"), 6, "ship_city", "after the closing quote");
}

Test(mapping, refuses_a_line_that_is_not_utf8)
{
    assert_refused(with("ship_name = Empf\xE4nger\n"), 6, NULL, "not UTF-8");
}

Test(mapping, refuses_a_state_list_without_the_status_column)
{
    assert_refused(with("cancelled_when = status: Storniert\n"), 6, "cancelled_when",
                   "add `status = <the file's column>`");
}

Test(mapping, refuses_a_status_column_without_state_lists)
{
    assert_refused(with("status = Status\n"), 6, "status", "says which of its values");
}

Test(mapping, refuses_a_state_list_not_naming_status)
{
    assert_refused(with("status = Status\nfulfilled_when = Versendet\n"), 7, "fulfilled_when",
                   "status: value");
}

Test(mapping, refuses_a_status_value_in_two_lists)
{
    assert_refused(with("status = Status\ncancelled_when = status: Storniert\n"
                        "fulfilled_when = status: versendet, STORNIERT\n"),
                   8, "fulfilled_when", "already listed on line 7");
}

Test(mapping, refuses_an_empty_status_value)
{
    assert_refused(with("status = Status\nunpaid_when = status: Offen,,Neu\n"), 7, "unpaid_when",
                   "empty value");
}

/* ---- detect and bind ---- */

Test(mapping, detect_counts_mapped_columns_and_needs_the_required_ones)
{
    fmt_layout *l = parse_ok(kaufhaus);
    fmt_csv_fields *h = fmt_csv_fields_new(l->dialect);
    cr_assert_eq(fmt_csv_split(h, kaufhaus_header, strlen(kaufhaus_header)), ENG_OK);
    cr_assert_eq(l->detect(l, h), 10); /* 9 canonical columns and the status column */
    const char without_qty[] = "Bestellnummer;Bestelldatum;Artikelnummer;Gesamtpreis;Status";
    cr_assert_eq(fmt_csv_split(h, without_qty, strlen(without_qty)), ENG_OK);
    cr_assert_eq(l->detect(l, h), 0);
    fmt_csv_fields_free(h);
    fmt_mapping_free(l);
}

Test(mapping, bind_refuses_a_missing_column_naming_it_and_the_mapping)
{
    fmt_layout *l = parse_ok(kaufhaus);
    fmt_csv_fields *h = fmt_csv_fields_new(l->dialect);
    const char header[] = "Bestellnummer;Bestelldatum;Artikelnummer;Menge;Preis;Empfänger;PLZ;"
                          "Land;Versandkosten;Status";
    cr_assert_eq(fmt_csv_split(h, header, strlen(header)), ENG_OK);
    eng_err err;
    memset(&err, 0, sizeof err);
    void *bind = NULL;
    cr_assert_eq(l->bind(l, h, &bind, &err), ENG_REFUSED);
    cr_assert_null(bind);
    cr_assert_str_eq(err.field, "Gesamtpreis");
    cr_assert(strstr(err.msg, "\"Gesamtpreis\" is missing"), "%s", err.msg);
    cr_assert(strstr(err.msg, "map:" MAP_PATH " maps unit_price to it (line 6)"), "%s", err.msg);
    fmt_csv_fields_free(h);
    fmt_mapping_free(l);
}

Test(mapping, bind_refuses_a_missing_status_column)
{
    fmt_layout *l = parse_ok(kaufhaus);
    fmt_csv_fields *h = fmt_csv_fields_new(l->dialect);
    const char header[] = "Bestellnummer;Bestelldatum;Artikelnummer;Menge;Gesamtpreis;"
                          "Empfänger;PLZ;Land;Versandkosten";
    cr_assert_eq(fmt_csv_split(h, header, strlen(header)), ENG_OK);
    eng_err err;
    memset(&err, 0, sizeof err);
    void *bind = NULL;
    cr_assert_eq(l->bind(l, h, &bind, &err), ENG_REFUSED);
    cr_assert_str_eq(err.field, "Status");
    cr_assert(strstr(err.msg, "maps status to it (line 19)"), "%s", err.msg);
    fmt_csv_fields_free(h);
    fmt_mapping_free(l);
}

Test(mapping, bind_refuses_a_mapped_column_that_appears_twice)
{
    fmt_layout *l = parse_ok(minimal);
    fmt_csv_fields *h = fmt_csv_fields_new(l->dialect);
    const char header[] = "Order,SKU,Qty,Price,Date,sku";
    cr_assert_eq(fmt_csv_split(h, header, strlen(header)), ENG_OK);
    eng_err err;
    memset(&err, 0, sizeof err);
    void *bind = NULL;
    cr_assert_eq(l->bind(l, h, &bind, &err), ENG_REFUSED);
    cr_assert_str_eq(err.field, "SKU");
    cr_assert(strstr(err.msg, "columns 2 and 6"), "%s", err.msg);
    fmt_csv_fields_free(h);
    fmt_mapping_free(l);
}

/* ---- transform ---- */

Test(mapping, transform_reads_a_german_semicolon_record)
{
    fmt_layout *l = parse_ok(kaufhaus);
    mapped m;
    map_record(&m, l, kaufhaus_header,
               "KH-1001;26.11.2026 14:03;\"=\"\"TENT-2P-ALP\"\"\";2;1.234,50;Jürgen Weiß;'01067;"
               "DE;4,95;Neu");
    assert_value(&m, FMT_COL_ORDER_ID, "KH-1001");
    assert_value(&m, FMT_COL_ORDER_TIME, "2026-11-26T14:03:00+01:00");
    assert_value(&m, FMT_COL_SKU, "TENT-2P-ALP"); /* ="..." spreadsheet protection */
    assert_value(&m, FMT_COL_QTY, "2");
    assert_value(&m, FMT_COL_UNIT_PRICE, "1234.50");
    assert_value(&m, FMT_COL_SHIP_NAME, "Jürgen Weiß");
    assert_value(&m, FMT_COL_SHIP_POSTAL, "01067"); /* leading apostrophe dropped */
    assert_value(&m, FMT_COL_SHIPPING, "4.95");
    const fmt_out_row *r = &m.out.rows[0];
    cr_assert_eq(r->line_total, 1, "price = line_total marks the row");
    cr_assert_eq(r->order_state, FMT_STATE_NONE, "Neu is in no list: ship");
    cr_assert_eq(r->line_state, FMT_STATE_NONE);
    cr_assert_eq(r->head_only, 0);
    unmap(&m, l);
}

Test(mapping, transform_sets_constant_currency_and_channel_on_order_rows)
{
    fmt_layout *l = parse_ok(kaufhaus);
    mapped m;
    map_record(&m, l, kaufhaus_header, "KH-1001;26.11.2026 14:03;MUG-ENAM-35;1;12,90;;;;;");
    assert_value(&m, FMT_COL_CURRENCY, "EUR");
    assert_value(&m, FMT_COL_CHANNEL, "kaufhaus");
    unmap(&m, l);
}

Test(mapping, transform_leaves_constants_off_rows_without_order_values)
{
    /* A continuation row (order-level values on the first row only) inherits them. */
    fmt_layout *l = parse_ok(kaufhaus);
    mapped m;
    map_record(&m, l, kaufhaus_header, "KH-1001;;MUG-ENAM-35;1;12,90;;;;;");
    assert_value(&m, FMT_COL_CURRENCY, "");
    assert_value(&m, FMT_COL_CHANNEL, "");
    assert_value(&m, FMT_COL_UNIT_PRICE, "12.90");
    unmap(&m, l);
}

Test(mapping, transform_uses_mapped_as_the_default_channel)
{
    fmt_layout *l = parse_ok(minimal);
    mapped m;
    map_record(&m, l, "Order,SKU,Qty,Price,Date", "1,MUG-ENAM-35,1,12.90,2026-11-26");
    assert_value(&m, FMT_COL_CHANNEL, "mapped");
    assert_value(&m, FMT_COL_CURRENCY, "");
    cr_assert_eq(m.out.rows[0].line_total, 0, "price = unit by default");
    unmap(&m, l);
}

Test(mapping, transform_passes_unreadable_amounts_and_dates_unchanged)
{
    fmt_layout *l = parse_ok(kaufhaus);
    mapped m;
    map_record(&m, l, kaufhaus_header, "KH-1002;26.11.26 14:03;MUG-ENAM-35;1;zwölf;;;;;");
    /* The engine reports these as BAD_DATE and BAD_NUMBER, quoting the file's text. */
    assert_value(&m, FMT_COL_ORDER_TIME, "26.11.26 14:03");
    assert_value(&m, FMT_COL_UNIT_PRICE, "zwölf");
    unmap(&m, l);
}

Test(mapping, transform_leaves_an_impossible_date_for_the_engine)
{
    /* Month 13 fits DD.MM.YYYY but no calendar: fmt_layout_date passes the file's text on
     * unchanged, so the engine's BAD_DATE quotes what the file says. */
    fmt_layout *l = parse_ok(kaufhaus);
    mapped m;
    map_record(&m, l, kaufhaus_header, "KH-1002;31.13.2026 14:03;MUG-ENAM-35;1;9,90;;;;;");
    assert_value(&m, FMT_COL_ORDER_TIME, "31.13.2026 14:03");
    unmap(&m, l);
}

Test(mapping, transform_keeps_a_zone_written_in_the_time)
{
    fmt_layout *l = parse_ok(kaufhaus);
    mapped m;
    map_record(&m, l, kaufhaus_header, "KH-1003;26.07.2026 14:03 +02:00;MUG-ENAM-35;1;9,90;;;;;");
    assert_value(&m, FMT_COL_ORDER_TIME, "2026-07-26T14:03:00+02:00");
    unmap(&m, l);
}

Test(mapping, transform_gives_each_status_list_its_order_state)
{
    static const struct {
        const char *status;
        fmt_state state;
    } cases[] = {
        {"Storniert", FMT_STATE_CANCELLED}, {" erstattet ", FMT_STATE_CANCELLED},
        {"VERSENDET", FMT_STATE_FULFILLED}, {"Zahlung offen", FMT_STATE_UNPAID},
        {"Zahlung", FMT_STATE_NONE},        {"", FMT_STATE_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fmt_layout *l = parse_ok(kaufhaus);
        char record[256];
        snprintf(record, sizeof record, "KH-1;26.11.2026 14:03;MUG-ENAM-35;1;9,90;;;;;%s",
                 cases[i].status);
        mapped m;
        map_record(&m, l, kaufhaus_header, record);
        cr_assert_eq(m.out.rows[0].order_state, cases[i].state, "status \"%s\": state %d, want %d",
                     cases[i].status, m.out.rows[0].order_state, cases[i].state);
        cr_assert_eq(m.out.rows[0].line_state, FMT_STATE_NONE);
        unmap(&m, l);
    }
}

Test(mapping, transform_takes_the_currency_of_an_amount_when_none_is_stated)
{
    fmt_layout *l = parse_ok(with("delimiter = ;\n"));
    mapped m;
    map_record(&m, l, "Order;SKU;Qty;Price;Date", "1;UK-MUG-TI;1;£24.00;2026-11-26");
    assert_value(&m, FMT_COL_UNIT_PRICE, "24.00");
    assert_value(&m, FMT_COL_CURRENCY, "GBP");
    unmap(&m, l);
}

Test(mapping, transform_prefers_the_stated_currency_to_a_symbol)
{
    /* "$" reads as USD; an Australian shop's mapping says AUD, and that wins. */
    fmt_layout *l = parse_ok(with("currency = aud\n"));
    mapped m;
    map_record(&m, l, "Order,SKU,Qty,Price,Date", "1,AU-CHAIR-CAMP,1,$79.00,2026-11-26");
    assert_value(&m, FMT_COL_UNIT_PRICE, "79.00");
    assert_value(&m, FMT_COL_CURRENCY, "AUD");
    unmap(&m, l);
}

Test(mapping, transform_reads_currency_and_channel_columns)
{
    fmt_layout *l = parse_ok(with("currency_column = Cur\nchannel_column = Shop\n"));
    mapped m;
    map_record(&m, l, "Order,SKU,Qty,Price,Date,Cur,Shop",
               "1,US-LANT-LED,1,$27.99,2026-11-26,USD,outlet");
    assert_value(&m, FMT_COL_CURRENCY, "USD");
    assert_value(&m, FMT_COL_CHANNEL, "outlet");
    unmap(&m, l);
}

Test(mapping, transform_adds_the_time_zone_to_iso_times_without_one)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"2026-11-26 21:04:05", "2026-11-26 21:04:05-05:00"},
        {"2026-11-26T21:04:05.250", "2026-11-26T21:04:05.250-05:00"},
        {"2026-11-26", "2026-11-26T00:00:00-05:00"},
        {"2026-11-26T21:04:05Z", "2026-11-26T21:04:05Z"},
        {"2026-11-26T21:04:05+01:00", "2026-11-26T21:04:05+01:00"},
        {"26/11/2026", "26/11/2026"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char record[128];
        snprintf(record, sizeof record, "1,MUG-ENAM-35,1,12.90,%s", cases[i].in);
        fmt_layout *l = parse_ok(with("time_zone = -05:00\n"));
        mapped m;
        map_record(&m, l, "Order,SKU,Qty,Price,Date", record);
        assert_value(&m, FMT_COL_ORDER_TIME, cases[i].want);
        unmap(&m, l);
    }
}

Test(mapping, transform_without_time_zone_leaves_iso_times_alone)
{
    fmt_layout *l = parse_ok(minimal);
    mapped m;
    map_record(&m, l, "Order,SKU,Qty,Price,Date", "1,MUG-ENAM-35,1,12.90,2026-11-26 21:04:05");
    assert_value(&m, FMT_COL_ORDER_TIME, "2026-11-26 21:04:05");
    unmap(&m, l);
}

Test(mapping, transform_reads_fields_of_a_record_without_quoting)
{
    /* quote = none: a quote is ordinary text (a product name with inches). */
    fmt_layout *l =
        parse_ok(with("delimiter = tab\nquote = none\nship_name = Name\nprice = unit\n"));
    mapped m;
    map_record(&m, l, "Order\tSKU\tQty\tPrice\tDate\tName",
               "1\tFRAME-5X7\t1\t16.90\t2026-11-26\tThe \"Oak\" Shop");
    assert_value(&m, FMT_COL_SHIP_NAME, "The \"Oak\" Shop");
    assert_value(&m, FMT_COL_UNIT_PRICE, "16.90");
    unmap(&m, l);
}

Test(mapping, shipped_sample_mapping_loads)
{
    /* samples/marketplaces/kaufhaus.map teaches the format: it must stay valid. Tests run
     * from the repository root. */
    fmt_layout *l = NULL;
    eng_err err;
    memset(&err, 0, sizeof err);
    cr_assert_eq(fmt_mapping_load("samples/marketplaces/kaufhaus.map", &l, NULL, &err), ENG_OK,
                 "line %llu: %s", (unsigned long long)err.line, err.msg);
    cr_assert_str_eq(l->name, "map:samples/marketplaces/kaufhaus.map");
    cr_assert_eq(l->dialect.delim, ';');
    cr_assert_str_eq(l->legacy_encoding, "WINDOWS-1252");
    fmt_mapping_free(l);
}

/* ---- source_column: the file's column an exception names ---- */

Test(mapping, exceptions_name_the_files_own_column)
{
    fmt_layout *l = parse_ok(kaufhaus);
    mapped m;
    map_record(&m, l, kaufhaus_header,
               "KH-1;26.11.2026 14:03;TENT-2P;1;189,00;Anna Keller;79098;DE;4,90;Neu");
    cr_expect_eq(l->source_column(l, m.bind, FMT_COL_SKU), 2);        /* Artikelnummer */
    cr_expect_eq(l->source_column(l, m.bind, FMT_COL_UNIT_PRICE), 4); /* Gesamtpreis */
    cr_expect_eq(l->source_column(l, m.bind, FMT_COL_SHIPPING), 8);   /* Versandkosten */
    /* Constants and unmapped columns have none. */
    cr_expect_eq(l->source_column(l, m.bind, FMT_COL_CURRENCY), -1);
    cr_expect_eq(l->source_column(l, m.bind, FMT_COL_CHANNEL), -1);
    cr_expect_eq(l->source_column(l, m.bind, FMT_COL_TAX), FMT_LAYOUT_NO_COLUMN);
    unmap(&m, l);
}

Test(mapping, exceptions_name_a_mapped_currency_column)
{
    fmt_layout *l = parse_ok(with("currency_column = Cur\nchannel_column = Shop\n"));
    mapped m;
    map_record(&m, l, "Shop,Order,SKU,Qty,Price,Date,Cur",
               "outlet,1,US-LANT-LED,1,$27.99,2026-11-26,USD");
    cr_expect_eq(l->source_column(l, m.bind, FMT_COL_CURRENCY), 6);
    cr_expect_eq(l->source_column(l, m.bind, FMT_COL_CHANNEL), 0);
    cr_expect_eq(l->source_column(l, m.bind, FMT_COL_ORDER_ID), 1);
    unmap(&m, l);
}
