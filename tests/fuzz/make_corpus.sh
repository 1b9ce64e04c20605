#!/bin/sh
# Rebuild the committed seed corpora (tests/fuzz/corpus/<harness>/) from the project's own
# samples/ and tests/cases/ inputs. Seeds are kept short (head of each file) so the whole
# corpus stays small; regression inputs (corpus/*/regress-*) are kept as they are.
#
# usage: sh tests/fuzz/make_corpus.sh   (from the repository root)
set -eu
C=tests/fuzz/corpus
M=samples/marketplaces
for t in csv order_row detect policy run; do
    mkdir -p "$C/$t"
    find "$C/$t" -type f ! -name 'regress-*' -delete
done

# csv: raw files of every shape: quotes, CRLF and BOM, multi-line records, tab-separated,
# semicolons, non-UTF-8, plus a file longer than one 4096-byte chunk.
for f in tests/cases/crlf_bom_quotes/input/orders.csv tests/cases/malformed_multiline/input/orders.csv \
         tests/cases/refuse_unclosed_quote/input/orders.csv tests/cases/order_checks/input/orders_a.csv \
         tests/cases/duplicate_row_hash_collision/input/orders.csv samples/catalog.csv \
         $M/amazon_orders_2026-11-26.txt $M/kaufhaus_bestellungen_2026-11-26.csv \
         $M/tmall_orders_2026-11-26.csv $M/woocommerce_orders_2026-11-26.csv; do
    head -c 3000 "$f" >"$C/csv/$(echo "$f" | tr / _)"
done
head -c 9000 samples/orders_shop.csv >"$C/csv/orders_shop_9k.csv"
head -c 6000 tests/cases/refuse_swallowed_rows/input/orders.csv >"$C/csv/swallowed_6k.csv"

# detect: each export's header and first records, in its own bytes and encoding.
for f in $M/*_2026-11-26.* samples/orders_wholesale.csv tests/cases/crlf_bom_quotes/input/orders.csv \
         tests/cases/line_amount_fed_back/input/backorders.csv; do
    head -n 4 "$f" | head -c 4000 >"$C/detect/$(basename "$f")"
done

# issue 15: a semicolon file, Excel's "Unicode text" (UTF-16: cut by bytes, not lines),
# and an Amazon report re-saved as CSV.
head -n 4 tests/cases/excel_semicolon/input/orders.csv >"$C/detect/excel_semicolon_orders.csv"
head -c 4000 tests/cases/excel_unicode_text/input/orders.txt >"$C/detect/excel_unicode_text_orders.txt"
head -n 4 tests/cases/market_amazon_resaved/input/amazon_orders_2026-11-26.csv | head -c 4000 \
    >"$C/detect/amazon_resaved.csv"

# order_row: first byte picks the layout (fuzz_order_row.c: 0 canonical, 1 shopify,
# 2 amazon, 3 woocommerce, 4 ebay, 5 tmall, 6 canonical-semicolon, 7 canonical-tab,
# 8 amazon-csv), then data records in UTF-8.
row_seed() { # layout-byte name file lines
    { printf "\\$(printf '%03o' "$1")"; tail -n +2 "$3" | head -n "$4"; } | head -c 4000 >"$C/order_row/$2"
}
row_seed 48 canonical_shop samples/orders_shop.csv 12
row_seed 48 canonical_checks tests/cases/order_checks/input/orders_a.csv 20
row_seed 48 canonical_backorders tests/cases/line_amount_fed_back/input/backorders.csv 6
row_seed 49 shopify $M/shopify_orders_export_2026-11-26.csv 8
iconv -f WINDOWS-1252 -t UTF-8 $M/amazon_orders_2026-11-26.txt | tr -d '\r' >/tmp/slipway-amz.$$
row_seed 50 amazon /tmp/slipway-amz.$$ 8
row_seed 50 amazon_all $M/amazon_all_orders_2026-11-26.txt 8
rm -f /tmp/slipway-amz.$$
row_seed 51 woocommerce $M/woocommerce_orders_2026-11-26.csv 8
tail -n +2 $M/ebay_orders_2026-11-26.csv >/tmp/slipway-ebay.$$
row_seed 52 ebay /tmp/slipway-ebay.$$ 12
rm -f /tmp/slipway-ebay.$$
iconv -f GB18030 -t UTF-8 $M/tmall_orders_2026-11-26.csv >/tmp/slipway-tmall.$$
row_seed 53 tmall /tmp/slipway-tmall.$$ 8
rm -f /tmp/slipway-tmall.$$
# issue 15: files a spreadsheet saved (layouts 6-8 of fuzz_order_row.c), in UTF-8.
iconv -f WINDOWS-1252 -t UTF-8 tests/cases/excel_semicolon/input/orders.csv >/tmp/slipway-semi.$$
printf '20;26/11/2026 10:00;MUG;1;1.234,50;EUR;shop;Ann;Weg 1;Bonn;53111;DE;1.234,50;\n' >>/tmp/slipway-semi.$$
row_seed 54 canonical_semicolon /tmp/slipway-semi.$$ 8
iconv -f UTF-16 -t UTF-8 tests/cases/excel_unicode_text/input/orders.txt | tr -d '\r' >/tmp/slipway-tab.$$
row_seed 55 canonical_tab /tmp/slipway-tab.$$ 8
iconv -f WINDOWS-1252 -t UTF-8 tests/cases/market_amazon_resaved/input/amazon_orders_2026-11-26.csv |
    tr -d '\r' >/tmp/slipway-amzcsv.$$
row_seed 56 amazon_csv /tmp/slipway-amzcsv.$$ 8
rm -f /tmp/slipway-semi.$$ /tmp/slipway-tab.$$ /tmp/slipway-amzcsv.$$

# policy: every policy file of the project, and one of each key.
cp samples/policy.conf "$C/policy/samples.conf"
cp $M/policy.conf "$C/policy/marketplaces.conf"
for f in tests/cases/*/input/policy.conf; do
    cp "$f" "$C/policy/$(basename "$(dirname "$(dirname "$f")")").conf"
done
printf 'allocation = partial\r\nmax_error_rate = 1\rreturn_window_days=0\nrestocking_fee_pct = 12.5 # fee\nwarehouse_order = EAST, MAIN ,WEST\ncutoff = 14:00\ncutoff_offset = -05:30\n' \
    >"$C/policy/every_key.conf"

# run: small nights, catalog SEP inventory SEP orders [SEP policy [SEP returns [SEP history
# [SEP mapping]]]] with SEP the byte 0x01 (fuzz_run.c).
night() { # name catalog inventory orders [policy [returns [history [mapping]]]]; - skips
    out=$C/run/$1
    shift
    first=1
    for f in "$@"; do
        [ $first = 1 ] || printf '\001' >>"$out"
        [ $first = 1 ] && : >"$out"
        first=0
        if [ "$f" = - ]; then continue; fi
        head -n 40 "$f" | head -c 4000 >>"$out" # whole lines: a cut row refuses a catalog
    done
}
I=tests/cases
night alloc_ship_complete $I/alloc_ship_complete/input/catalog.csv $I/alloc_ship_complete/input/inventory.csv \
    $I/alloc_ship_complete/input/orders.csv
night alloc_partial $I/alloc_partial/input/catalog.csv $I/alloc_partial/input/inventory.csv \
    $I/alloc_partial/input/orders.csv $I/alloc_partial/input/policy.conf
night warehouses $I/warehouses/input/catalog.csv $I/warehouses/input/inventory.csv \
    $I/warehouses/input/orders.csv $I/warehouses/input/policy.conf
night order_checks $I/order_checks/input/catalog.csv $I/order_checks/input/inventory.csv \
    $I/order_checks/input/orders_a.csv
night crlf_bom_quotes $I/crlf_bom_quotes/input/catalog.csv $I/crlf_bom_quotes/input/inventory.csv \
    $I/crlf_bom_quotes/input/orders.csv
night returns $I/history_copy_counts_once/input/catalog.csv $I/history_copy_counts_once/input/inventory.csv \
    $I/history_copy_counts_once/input/orders.csv - $I/history_copy_counts_once/input/returns.csv \
    $I/history_copy_counts_once/input/slips.csv
night backorder_feedback $I/backorder_feedback/input/catalog.csv $I/backorder_feedback/input/inventory.csv \
    $I/backorder_feedback/input/backorders.csv - - $I/backorder_feedback/input/slips-night2.csv
night shortage_proportional $I/shortage_proportional/input/catalog.csv \
    $I/shortage_proportional/input/inventory.csv $I/shortage_proportional/input/orders.csv \
    $I/shortage_proportional/input/policy.conf
night min_fill $I/min_fill/input/catalog.csv $I/min_fill/input/inventory.csv \
    $I/min_fill/input/orders.csv $I/min_fill/input/policy.conf
night malformed_multiline $I/malformed_multiline/input/catalog.csv $I/malformed_multiline/input/inventory.csv \
    $I/malformed_multiline/input/orders.csv
for m in shopify_orders_export woocommerce_orders ebay_orders tmall_orders amazon_orders; do
    f=$(ls $M/${m}_2026-11-26.*)
    night "market_$m" $M/catalog.csv $M/inventory.csv "$f" $M/policy.conf
done
night market_mapping $M/catalog.csv $M/inventory.csv $M/kaufhaus_bestellungen_2026-11-26.csv \
    $M/policy.conf - - $M/kaufhaus.map
du -sh "$C"
