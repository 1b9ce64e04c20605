/* `slipway init DIR`: a folder of templates for a first night with one's own data: a
 * catalog, an inventory, a commented policy, a tiny orders file and a README.txt that
 * explains each column. They run as they are (tests/init.sh), so a new user edits
 * something that works instead of starting from a blank page. The folder is written
 * like a run's outputs: complete or not at all, never over an existing one. */
#include "init.h"

#include <stdio.h>
#include <string.h>

#include "base/outdir.h"

typedef struct template_file {
    const char *name;
    const char *text;
} template_file;

static const char catalog[] = "sku,name,status,list_price,min_price,currency,returnable\n"
                              "TENT-2P,Two-person tent,active,189.00,149.00,EUR,y\n"
                              "LAMP-LED,LED camping lamp,active,24.90,19.90,EUR,y\n"
                              "STOVE-GAS,Gas stove,active,39.90,34.90,EUR,n\n";

static const char inventory[] = "sku,warehouse,on_hand,reorder_point,reorder_qty,safety_stock\n"
                                "TENT-2P,MAIN,6,2,10,0\n"
                                "TENT-2P,EAST,2,1,4,0\n"
                                "LAMP-LED,MAIN,25,10,40,2\n"
                                "STOVE-GAS,MAIN,1,2,6,0\n";

static const char orders[] =
    "order_id,order_time,sku,qty,unit_price,currency,channel,customer_id,ship_name,"
    "ship_street,ship_city,ship_postal,ship_country,shipping\n"
    "1001,2026-11-26T09:15:00Z,TENT-2P,1,189.00,EUR,shop,C-1,Anna Berg,Hauptstrasse 5,"
    "Berlin,10115,DE,4.90\n"
    "1001,2026-11-26T09:15:00Z,LAMP-LED,2,24.90,EUR,shop,C-1,Anna Berg,Hauptstrasse 5,"
    "Berlin,10115,DE,4.90\n"
    "1002,2026-11-26T10:40:00Z,STOVE-GAS,2,39.90,EUR,shop,C-2,Marc Leroy,12 rue de la Paix,"
    "Paris,75002,FR,4.90\n"
    "1003,2026-11-26T11:05:00Z,LAMP-LED,1,24.90,EUR,marketplace,C-3,Eva Novak,Vinohradska 10,"
    "Praha,12000,CZ,0.00\n";

static const char policy[] =
    "# slipway policy: one `key = value` per line; `#` starts a comment. An unknown key,\n"
    "# a key given twice or a bad value refuses the run (so a typo never goes unnoticed).\n"
    "# Every key is in the README, \"Policy keys\"; these are the ones most shops set first.\n"
    "\n"
    "# ship_complete: an order ships only when every line can be reserved, else it is\n"
    "# BACKORDERED and reserves nothing. partial: ship what is there, backorder the rest.\n"
    "allocation = ship_complete\n"
    "\n"
    "# Refuse an orders file when more than this share of its rows cannot be read (a\n"
    "# wrong file, a broken export). Checked for files of 100 rows or more.\n"
    "max_error_rate = 0.05\n"
    "\n"
    "# The order warehouses are tried in (a line ships from the first that covers it).\n"
    "warehouse_order = MAIN, EAST\n"
    "\n"
    "# Days after shipping a return is accepted, and the fee kept on a restocked return.\n"
    "return_window_days = 30\n"
    "restocking_fee_pct = 0\n";

static const char readme[] =
    "Your first night with slipway\n"
    "=============================\n"
    "\n"
    "These files run as they are:\n"
    "\n"
    "  slipway run --catalog catalog.csv --inventory inventory.csv --policy policy.conf \\\n"
    "      --orders orders.csv --out night-1\n"
    "\n"
    "Then open night-1/report.html in a browser, and replace the rows with your own\n"
    "(verify a night before you edit the files it read: `slipway verify night-1`\n"
    "re-reads them). The run date is today unless --run-date YYYY-MM-DD says. Every\n"
    "file is CSV (UTF-8; a spreadsheet's semicolon CSV is read too), one header row, columns\n"
    "in any order, matched by name ignoring case. Money is written as a plain decimal\n"
    "(189.00) in the currency's digits; each amount is in its row's currency.\n"
    "\n"
    "catalog.csv: what you sell, one row per SKU\n"
    "  sku          your article number, as the orders name it\n"
    "  name         shown on slips and the pick list\n"
    "  status       active sells; anything else (discontinued) rejects the line\n"
    "  list_price   the price; min_price: a line below it is rejected (PRICE_BELOW_MIN)\n"
    "  currency     ISO code (EUR); a SKU sold in several currencies has a row per currency\n"
    "  returnable   y or n: whether a return of it is accepted\n"
    "\n"
    "inventory.csv: stock on hand, one row per SKU and warehouse\n"
    "  sku, warehouse   the slot; warehouse may be left out when you have one\n"
    "  on_hand          units you have now; tomorrow use the night's inventory.csv\n"
    "  reorder_point    at or below it, alerts.csv suggests reordering (reorder_qty)\n"
    "  safety_stock     units never shipped from this slot\n"
    "\n"
    "orders.csv: the night's order lines (slipway's canonical layout; the exports of\n"
    "Shopify, Amazon, WooCommerce, eBay and Tmall are read as they come, and any other\n"
    "through a mapping file: README, \"map:FILE\")\n"
    "  order_id, order_time   the order and when it was placed (ISO 8601, 2026-11-26T09:15:00Z)\n"
    "  sku, qty, unit_price   one line each; rows of one order share its id\n"
    "  currency, channel      the order's currency and where it came from (shop, amazon...)\n"
    "  customer_id            your customer's id\n"
    "  ship_name, ship_street, ship_city, ship_postal, ship_country   the address for the slip\n"
    "  shipping               the order's shipping charge (optional; also order_total, tax,\n"
    "                         discount, priority, ship_region, ship_service)\n"
    "\n"
    "policy.conf: how stock is given out (comments in the file)\n"
    "\n"
    "What a night writes: slips.csv and picklist.csv for the warehouse, order_status.csv\n"
    "and backorders.csv (feed it back with tomorrow's orders), exceptions.csv (every row\n"
    "that could not be used: file, line, field and why; an order with a bad row is\n"
    "REJECTED whole: fix it and give it again), inventory.csv (tomorrow's stock),\n"
    "alerts.csv, returns_ledger.csv and returns_analysis.csv (with --returns),\n"
    "order_totals.csv, summary.json and summary.txt, report.html, manifest.json (every\n"
    "file's SHA-256) and metrics.json (timings). `slipway verify night-1` recounts its\n"
    "invariants. `man slipway` and the README have everything.\n";

static const template_file files[] = {
    {"README.txt", readme}, {"catalog.csv", catalog}, {"inventory.csv", inventory},
    {"orders.csv", orders}, {"policy.conf", policy},
};

int eng_init_main(const char *dir, int quiet)
{
    eng_err err;
    memset(&err, 0, sizeof err);
    eng_outdir *od = NULL;
    /* 0644: templates are the user's own files to edit, not customer data */
    eng_rc rc = eng_outdir_begin(dir, 0644, &od, &err);
    for (size_t i = 0; rc == ENG_OK && i < sizeof files / sizeof *files; i++) {
        rc = eng_outdir_write_file(od, files[i].name, files[i].text, strlen(files[i].text), NULL,
                                   NULL, eng_err_fresh(&err));
    }
    if (rc == ENG_OK)
        rc = eng_outdir_commit(od, eng_err_fresh(&err));
    if (rc != ENG_OK) { /* printed before the folder is freed: err may name its files */
        if (od)
            eng_outdir_settle(od);
        eng_err_print(&err);
        eng_outdir_free(od);
        return eng_rc_exit_code(rc);
    }
    eng_outdir_free(od);
    if (!quiet)
        printf("slipway init -> %s: README.txt, catalog.csv, inventory.csv, orders.csv, "
               "policy.conf\n"
               "  first night   cd %s && slipway run --catalog catalog.csv --inventory "
               "inventory.csv --policy policy.conf --orders orders.csv --out night-1\n",
               dir, dir);
    return 0;
}
