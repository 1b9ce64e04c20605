#!/bin/sh
# slipway.xlsx (`run --xlsx`, issue 17), read back with unzip and awk (a small reader):
#   - a sheet per main output, named, each with its header frozen and filtered;
#   - every cell of every sheet is its CSV file's field: text as text (ids, SKUs and
#     postal codes keep leading zeros and every digit), quantities and money as numbers
#     (money in its currency's decimals), dates as dates (Excel day numbers), blanks
#     blank; as many rows as the CSV;
#   - the same night gives the same bytes (at 1 and 2 threads, a second apart), and the
#     workbook is in the manifest (slipway verify holds);
#   - no formula anywhere.
# usage: sh tests/xlsx.sh path/to/slipway
set -u
bin=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-xlsx.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
report() {
    if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi
}
command -v unzip >/dev/null || { echo "xlsx: unzip is not installed (make test installs it)"; exit 1; }

M=samples/marketplaces
night="--catalog $M/catalog.csv --inventory $M/inventory.csv --policy $M/policy.conf
    --orders $M/shopify_orders_export_2026-11-26.csv --orders $M/amazon_orders_2026-11-26.txt
    --orders $M/woocommerce_orders_2026-11-26.csv --orders $M/ebay_orders_2026-11-26.csv
    --orders $M/tmall_orders_2026-11-26.csv --run-date 2026-11-27"
# shellcheck disable=SC2086
"$bin" run -q $night --xlsx --threads 1 --out "$work/a" || { echo "FAIL the run"; exit 1; }
sleep 1
# shellcheck disable=SC2086
"$bin" run -q $night --xlsx --threads 2 --compress --out "$work/b" || { echo "FAIL the run"; exit 1; }
cmp -s "$work/a/slipway.xlsx" "$work/b/slipway.xlsx" && report ok "" ||
    report bad "slipway.xlsx differs between two runs of one night (1 and 2 threads, --compress)"
"$bin" verify "$work/a" >/dev/null 2>&1 && grep -q '"name": "slipway.xlsx"' "$work/a/manifest.json" &&
    report ok "" || report bad "slipway.xlsx is not in a manifest verify holds"

x=$work/a/slipway.xlsx
unzip -p "$x" xl/workbook.xml | grep -o 'sheet name="[^"]*"' | sed 's/sheet name="//; s/"$//' >"$work/names"
printf '%s\n' slips "order status" exceptions backorders alerts "returns ledger" >"$work/want-names"
cmp -s "$work/names" "$work/want-names" && report ok "" ||
    report bad "sheets: $(tr '\n' ',' <"$work/names")"
if unzip -p "$x" 'xl/worksheets/*.xml' | grep -q '<f>'; then report bad "a formula in the workbook"
else report ok ""; fi

# A sheet's rows as tab-separated cells: text unescaped, numbers as written, dates
# (style of the date format) turned back into YYYY-MM-DD.
datestyle=$(unzip -p "$x" xl/styles.xml | awk '
    { while (match($0, /<numFmt numFmtId="[0-9]+" formatCode="[^"]*"/)) {
          f = substr($0, RSTART, RLENGTH); $0 = substr($0, RSTART + RLENGTH)
          id = f; sub(/.*numFmtId="/, "", id); sub(/".*/, "", id)
          if (f ~ /yyyy-mm-dd/) dateid = id } }
    END { print dateid }')
datexf=$(unzip -p "$x" xl/styles.xml | sed 's/<cellXfs/\n<cellXfs/; s/<\/cellXfs>/\n/' | sed -n '/^<cellXfs/p' |
    grep -o '<xf [^>]*>' | awk -v d="$datestyle" 'index($0, "numFmtId=\"" d "\"") { print NR - 1 }')
sheet_rows() { # sheet number
    unzip -p "$x" "xl/worksheets/sheet$1.xml" | sed 's/<row /\n<row /g' | grep '^<row ' | awk -v dx="$datexf" '
    function col(ref,   s, n, i) { s = ref; sub(/[0-9]+$/, "", s); n = 0
        for (i = 1; i <= length(s); i++) n = n * 26 + index("ABCDEFGHIJKLMNOPQRSTUVWXYZ", substr(s, i, 1))
        return n }
    function unesc(t) { gsub(/&lt;/, "<", t); gsub(/&gt;/, ">", t); gsub(/&quot;/, "\"", t)
        gsub(/&apos;/, "\047", t); gsub(/&#39;/, "\047", t); gsub(/&amp;/, "\\&", t); return t }
    function civil(z,   era, doe, yoe, y, doy, mp, d, m) { # days since 1970 to Y-M-D
        z += 719468; era = int(z / 146097); doe = z - era * 146097
        yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
        y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
        mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
        m = mp < 10 ? mp + 3 : mp - 9; if (m <= 2) y++
        return sprintf("%04d-%02d-%02d", y, m, d) }
    {
        delete v; maxc = 0; line = $0
        while (match(line, /<c r="[A-Z]+[0-9]+"[^>]*(\/>|>.*<\/c>)/)) {
            cell = substr(line, RSTART); end = index(cell, "</c>"); self = index(cell, "/>")
            if (self && (!end || self < index(cell, ">"))) { line = substr(cell, self + 2); continue }
            cell = substr(cell, 1, end + 3); line = substr(line, RSTART + length(cell))
            ref = cell; sub(/^<c r="/, "", ref); sub(/".*/, "", ref); c = col(ref)
            if (cell ~ /<t[ >]/) { t = cell; sub(/.*<t[^>]*>/, "", t); sub(/<\/t>.*/, "", t); val = unesc(t) }
            else { t = cell; sub(/.*<v>/, "", t); sub(/<\/v>.*/, "", t); val = t
                   if (cell ~ ("s=\"" dx "\"")) val = civil(t - 25569) }
            v[c] = val; if (c > maxc) maxc = c
        }
        out = ""; for (i = 1; i <= maxc; i++) out = out (i > 1 ? "\t" : "") v[i]; print out
    }'
}
# A CSV file's rows as tab-separated fields (RFC 4180; a field never holds a tab here).
csv_rows() {
    awk 'BEGIN { RS = "\n" } {
        rec = rec $0
        if (gsub(/"/, "\"", rec) % 2) { rec = rec "\n"; next }
        out = ""; s = rec; n = 0
        while (length(s) > 0 || n == 0) {
            if (substr(s, 1, 1) == "\"") { f = ""; s = substr(s, 2)
                while (1) { q = index(s, "\""); f = f substr(s, 1, q - 1); s = substr(s, q + 1)
                    if (substr(s, 1, 1) == "\"") { f = f "\""; s = substr(s, 2) } else break }
                c = index(s, ","); s = c ? substr(s, c + 1) : ""; last = !c
            } else { c = index(s, ","); f = c ? substr(s, 1, c - 1) : s; s = c ? substr(s, c + 1) : ""; last = !c }
            if (f ~ /^\047[=+@-]/) f = substr(f, 2)  # the formula guard: a cell, not a formula
            out = out (n++ ? "\t" : "") f
            if (last) break
        }
        sub(/\r$/, "", out); print out; rec = ""
    }' "$1"
}
# numbers compare as numbers ("736.00" is 736), the rest as text; trailing blanks equal
same_rows() { # csv-rows sheet-rows
    awk -F'\t' 'NR == FNR { a[FNR] = $0; n = FNR; next }
    { if (FNR > n) { print "row " FNR ": extra in the sheet"; bad = 1; exit }
      split(a[FNR], w, "\t"); m = split($0, g, "\t"); k = length(w) > m ? length(w) : m
      for (i = 1; i <= k; i++) { x = w[i]; y = g[i]
          if (x == y) continue
          if (x ~ /^-?[0-9]+(\.[0-9]+)?$/ && y ~ /^-?[0-9.E+-]+$/ && x + 0 == y + 0 && x !~ /^0[0-9]/) continue
          print "row " FNR " column " i ": csv \"" x "\", sheet \"" y "\""; bad = 1; exit } }
    END { if (!bad && FNR != n) print "rows: csv " n ", sheet " FNR; }' "$1" "$2"
}
i=1
for f in slips order_status exceptions backorders alerts returns_ledger; do
    csv_rows "$work/a/$f.csv" >"$work/$f.csv-rows"
    sheet_rows $i >"$work/$f.sheet-rows"
    diffs=$(same_rows "$work/$f.csv-rows" "$work/$f.sheet-rows")
    [ -z "$diffs" ] && report ok "" || report bad "sheet $i ($f): $diffs"
    unzip -p "$x" "xl/worksheets/sheet$i.xml" | grep -q 'state="frozen"' &&
        unzip -p "$x" "xl/worksheets/sheet$i.xml" | grep -q '<autoFilter ref="A1:' && report ok "" ||
        report bad "sheet $i ($f): header not frozen and filtered"
    i=$((i + 1))
done
# ids as text: the Tmall order ids (18 digits) and a postal code with a leading zero
tmall=$(awk -F'\t' '$2 == "tmall" { print $1; exit }' "$work/order_status.csv-rows")
unzip -p "$x" xl/worksheets/sheet2.xml | grep -q "<t>$tmall</t>" && [ ${#tmall} -ge 15 ] && report ok "" ||
    report bad "the Tmall order id $tmall is not text in the sheet"
zero=$(awk -F'\t' 'NR > 1 && $17 ~ /^0/ { print $17; exit }' "$work/slips.csv-rows")
[ -n "$zero" ] && unzip -p "$x" xl/worksheets/sheet1.xml | grep -q "<t>$zero</t>" && report ok "" ||
    report bad "a postal code with a leading zero ($zero) is not text"
# a date is a date: slips' ship_date carries the date style
unzip -p "$x" xl/worksheets/sheet1.xml | grep -q "<c r=\"T2\" s=\"$datexf\"><v>46353</v>" && report ok "" ||
    report bad "ship_date 2026-11-27 is not the date 46353 in the date style"

# The reader can fail: slips.csv against the order status sheet differs.
[ -n "$(same_rows "$work/slips.csv-rows" "$work/order_status.sheet-rows")" ] && report ok "" ||
    report bad "the comparison finds no difference between two different sheets"

# A sheet longer than a spreadsheet holds goes on in "slips (2)"...: with the test hook's
# 100 rows a sheet, slips.csv's rows are on the sheets slips, slips (2)... in order.
rows=$(($(wc -l <"$work/slips.csv-rows") - 1))
# shellcheck disable=SC2086
SLIPWAY_XLSX_SHEET_ROWS=100 "$bin" run -q $night --xlsx --out "$work/c" ||
    report bad "the run with 100 rows a sheet failed"
y=$work/c/slipway.xlsx
parts=$(( (rows + 99) / 100 ))
unzip -p "$y" xl/workbook.xml | grep -o 'sheet name="slips[^"]*"' | sed 's/sheet name="//; s/"$//' >"$work/slip-sheets"
want=$(k=1; while [ $k -le $parts ]; do [ $k = 1 ] && echo slips || echo "slips ($k)"; k=$((k + 1)); done)
[ "$(cat "$work/slip-sheets")" = "$want" ] && report ok "" ||
    report bad "slips' $rows rows on $(tr '\n' ',' <"$work/slip-sheets"), want $parts sheets"
x=$y
: >"$work/joined"
k=1
while [ $k -le $parts ]; do
    sheet_rows $k | { [ $k = 1 ] && cat || tail -n +2; } >>"$work/joined"
    k=$((k + 1))
done
diffs=$(same_rows "$work/slips.csv-rows" "$work/joined")
[ -z "$diffs" ] && report ok "" || report bad "slips over $parts sheets: $diffs"

# A text longer than a cell holds (a hostile 40,000-character street) is cut at 32,767
# characters in the sheet; the night still commits (the CSV files keep it whole).
"$bin" init -q "$work/tpl" || report bad "slipway init failed"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ship_street") c = i }
    $1 == "1003" { s = ""; for (i = 0; i < 40000; i++) s = s "A"; $c = s; OFS = ","; $1 = $1 }
    { print }' "$work/tpl/orders.csv" >"$work/long.csv"
"$bin" run -q --catalog "$work/tpl/catalog.csv" --inventory "$work/tpl/inventory.csv" \
    --orders "$work/long.csv" --run-date 2026-11-27 --xlsx --out "$work/long" 2>"$work/long.err"
if [ $? = 0 ]; then
    x=$work/long/slipway.xlsx
    len=$(sheet_rows 1 | awk -F'\t' '$2 == "1003" { print length($14) }')
    [ "$len" = 32767 ] && report ok "" || report bad "a 40,000-character street is $len characters in the sheet"
else
    report bad "a 40,000-character street failed the --xlsx run: $(cat "$work/long.err")"
fi

echo "xlsx: $pass passed, $fail failed"
[ "$fail" = 0 ]
