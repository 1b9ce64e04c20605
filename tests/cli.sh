#!/bin/sh
# Command-line behaviour that golden cases cannot express: flags, exit codes, the output
# folder's life cycle (exists -> exit 2, nothing left behind by a failure).
#
# usage: tests/cli.sh path/to/slipway
set -u
bin=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-cli.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
pass=0
fail=0
args="--catalog samples/catalog.csv --inventory samples/inventory.csv --orders samples/orders_shop.csv --run-date 2026-11-27"

expect() { # name, expected exit, actual exit
    if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: exit $3, expected $2"; fi
}
expect_true() { # name, command...
    name=$1; shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi
}

"$bin" --version >"$work/v" 2>&1; expect "--version" 0 $?
expect_true "--version prints the version" grep -q '^slipway [0-9]' "$work/v"
"$bin" --help >/dev/null 2>&1; expect "--help" 0 $?
"$bin" run --help >"$work/h" 2>&1; expect "run --help" 0 $?
expect_true "run --help names --orders" grep -q -- '--orders' "$work/h"
"$bin" >/dev/null 2>&1; expect "no command" 2 $?
"$bin" frobnicate >/dev/null 2>&1; expect "unknown command" 2 $?
"$bin" run $args >/dev/null 2>&1; expect "missing --out" 2 $?
"$bin" run $args --out "$work/o" --bogus >/dev/null 2>&1; expect "unknown flag" 2 $?
"$bin" run $args --out "$work/o" --threads 0 >/dev/null 2>&1; expect "--threads 0" 2 $?
"$bin" run $args --out "$work/o" --run-date 2026-02-30 >/dev/null 2>&1; expect "bad --run-date" 2 $?
"$bin" run $args --out "$work/o" --returns "$work/none.csv" >/dev/null 2>&1; expect "missing --returns file" 3 $?
"$bin" run $args --out "$work/o" --format bogus >/dev/null 2>&1; expect "unknown --format" 2 $?
"$bin" run $args --out "$work/o" --format shopify >/dev/null 2>"$work/err"
expect "canonical file forced through shopify" 3 $?
expect_true "the refusal names both layouts" grep -q "header is that of the canonical layout" "$work/err"
# An Amazon order report (tab-separated, Windows-1252) forced through another layout is
# refused (exit 3) naming both layouts, and leaves nothing behind.
amz="--catalog samples/marketplaces/catalog.csv --inventory samples/marketplaces/inventory.csv --orders samples/marketplaces/amazon_orders_2026-11-26.txt --run-date 2026-11-27"
"$bin" run $amz --out "$work/o" --format shopify >/dev/null 2>"$work/err"
expect "amazon report forced through shopify" 3 $?
expect_true "the amazon refusal names both layouts" grep -qE -- 'missing from the shopify header.*--format shopify was given, but .*amazon' "$work/err"
"$bin" run $amz --out "$work/o" --format canonical >/dev/null 2>"$work/err"
expect "amazon report forced through canonical" 3 $?
expect_true "the canonical refusal names both layouts" grep -qE -- 'missing from the canonical orders header.*--format canonical was given, but .*amazon' "$work/err"
expect_true "forced refusals leave no output folder" test ! -e "$work/o"
# The human summary names each file's layout and the encoding it was decoded from.
"$bin" run $amz --out "$work/o" >"$work/out" 2>&1
expect "amazon report read with --format auto" 0 $?
expect_true "the summary names the layout and encoding" grep -q "from 1 file: amazon in WINDOWS-1252)" "$work/out"
rm -rf "$work/o"
"$bin" run $args --out "$work/o" --encoding latin-9 >/dev/null 2>&1; expect "unknown --encoding" 2 $?
"$bin" run $args --out "$(printf "$work/o\377")" >/dev/null 2>&1; expect "non-UTF-8 path" 2 $?
expect_true "usage errors create nothing" test ! -e "$work/o"

# An existing output folder is never touched.
mkdir "$work/exists"
"$bin" run $args --out "$work/exists" >/dev/null 2>"$work/err"; expect "existing --out" 2 $?
expect_true "existing --out is named on stderr" grep -q "already exists" "$work/err"
expect_true "existing --out stays empty" test -z "$(ls -A "$work/exists")"

# The parent of --out must exist.
"$bin" run $args --out "$work/no/such/dir" >/dev/null 2>&1; expect "missing parent" 2 $?

# Regression (issue 12, 2026-12-06): an error left the previous stage's file in its
# record, so a later refusal named a file it was not about (here the mapping, read just
# before the output folder is made; after loading, the inventory). An error about the
# output folder names no input.
kauf="--catalog samples/marketplaces/catalog.csv --inventory samples/marketplaces/inventory.csv --orders samples/marketplaces/kaufhaus_bestellungen_2026-11-26.csv --format map:samples/marketplaces/kaufhaus.map --run-date 2026-11-27"
"$bin" run $kauf --out "$work/no/such/dir" >/dev/null 2>"$work/err"
expect "missing parent after a mapping" 2 $?
expect_true "the missing parent is not blamed on the mapping file" \
    grep -qx "slipway: the folder that should hold $work/no/such/dir does not exist: $work/no/such" "$work/err"
mkdir "$work/taken"
"$bin" run $kauf --out "$work/taken" >/dev/null 2>"$work/err"
expect "existing --out after a mapping" 2 $?
expect_true "an existing --out is not blamed on the mapping file" \
    grep -q "^slipway: output folder $work/taken already exists" "$work/err"

# Unreadable and missing inputs are refusals (3), and leave nothing behind.
"$bin" run --catalog "$work/none.csv" --inventory samples/inventory.csv --orders samples/orders_shop.csv --out "$work/o" >/dev/null 2>"$work/err"
expect "missing catalog" 3 $?
expect_true "missing catalog is named" grep -q "none.csv" "$work/err"
"$bin" run --catalog samples/catalog.csv --inventory samples/inventory.csv --orders samples --out "$work/o" >/dev/null 2>"$work/err"
expect "directory as orders file" 3 $?
expect_true "directory is explained" grep -q "directory" "$work/err"
expect_true "refusals leave no output folder" test ! -e "$work/o"
expect_true "refusals leave no temporary folder" test -z "$(ls -A "$work" | grep '^\.o\.tmp-')"

# Stale temporary folders (which the next run removes and which it leaves alone),
# signals and permissions: tests/outdir.sh.

# Regression (issue 12, 2026-12-06): the policy and mapping files were read twice, once to
# parse and once to hash, so manifest.json could record another file than the run used.
# A FIFO can be read only once: the second read blocked (here: the timeout). Each input
# is now read once and manifest.json hashes exactly the bytes parsed.
manifest_input() { # manifest role field -> the value of field for that role's input
    awk -v role="$2" -v field="$3" '
        $0 ~ "\"role\": \"" role "\"" { on = 1 }
        on && $0 ~ "\"" field "\":" { sub(/.*": "?/, ""); sub(/"?,?$/, ""); print; exit }' "$1"
}
mkfifo "$work/policy.fifo" "$work/map.fifo"
printf 'allocation = partial\n' >"$work/policy.txt"
timeout 30 sh -c 'cat "$1" >"$2"' sh "$work/policy.txt" "$work/policy.fifo" &
timeout 30 sh -c 'cat "$1" >"$2"' sh samples/marketplaces/kaufhaus.map "$work/map.fifo" &
timeout 30 "$bin" run --catalog samples/marketplaces/catalog.csv \
    --inventory samples/marketplaces/inventory.csv --policy "$work/policy.fifo" \
    --orders samples/marketplaces/kaufhaus_bestellungen_2026-11-26.csv \
    --format "map:$work/map.fifo" --run-date 2026-11-27 --out "$work/fifo" >/dev/null 2>"$work/err"
expect "policy and mapping given as FIFOs" 0 $?
wait
m=$work/fifo/manifest.json
expect_true "the policy read from the FIFO was applied" grep -q '"allocation": "partial"' "$m"
expect_true "manifest.json hashes the policy bytes parsed" test \
    "$(manifest_input "$m" policy sha256)" = "$(sha256sum <"$work/policy.txt" | cut -c1-64)"
expect_true "manifest.json counts the policy bytes parsed" test \
    "$(manifest_input "$m" policy bytes)" = "$(wc -c <"$work/policy.txt" | tr -d ' ')"
expect_true "manifest.json hashes the mapping bytes parsed" test \
    "$(manifest_input "$m" mapping sha256)" = \
    "$(sha256sum <samples/marketplaces/kaufhaus.map | cut -c1-64)"
expect_true "the orders were read through the FIFO's mapping" \
    grep -q '"format": "map:' "$work/fifo/summary.json"
# Every other input too: each role given as a FIFO is read once and hashed as read.
h=tests/hostile
set -- catalog "$h/base/catalog.csv" inventory "$h/base/inventory.csv" \
    orders "$h/base/orders.csv" returns "$h/files/returns_hostile_rows.csv" \
    history "$h/base/history_slips.csv"
fifo_args=""
while [ $# -gt 0 ]; do
    mkfifo "$work/$1.fifo"
    timeout 30 sh -c 'cat "$1" >"$2"' sh "$2" "$work/$1.fifo" &
    fifo_args="$fifo_args --$1 $work/$1.fifo"
    shift 2
done
# shellcheck disable=SC2086
timeout 30 "$bin" run $fifo_args --run-date 2026-11-27 --out "$work/fifo2" >/dev/null 2>"$work/err"
expect "every input given as a FIFO" 0 $?
wait
for r in catalog:base/catalog.csv inventory:base/inventory.csv orders:base/orders.csv \
    returns:files/returns_hostile_rows.csv history:base/history_slips.csv; do
    expect_true "manifest.json hashes the ${r%%:*} bytes read from its FIFO" test \
        "$(manifest_input "$work/fifo2/manifest.json" "${r%%:*}" sha256)" = \
        "$(sha256sum <"$h/${r#*:}" | cut -c1-64)"
done

# A read-only parent: the run fails with an I/O error (1) or, as root, succeeds; either
# way no partial folder is left.
if [ "$(id -u)" != 0 ]; then
    mkdir "$work/ro" && chmod a-w "$work/ro"
    "$bin" run $args --out "$work/ro/o" >/dev/null 2>&1; expect "read-only parent" 1 $?
    expect_true "read-only parent: nothing created" test -z "$(ls -A "$work/ro")"
fi

# Started with stdin, stdout and stderr closed (a cron line's `>&-`): the files the run
# opens must not take those numbers, or a warning (this orders file has no final line
# end) or the summary would be written into an output. The night commits and verifies,
# and no output holds a line slipway prints.
head -c -1 samples/orders_shop.csv >"$work/unended.csv"
"$bin" run --catalog samples/catalog.csv --inventory samples/inventory.csv \
    --orders "$work/unended.csv" --run-date 2026-11-27 --out "$work/closed-fds" <&- >&- 2>&-
expect "closed stdin, stdout, stderr" 0 $?
"$bin" verify "$work/closed-fds" >/dev/null 2>&1; expect "closed fds: verify" 0 $?
# (summary.txt is the printed summary by design: it may not hold a warning either)
expect_true "closed fds: no printed line in an output" \
    sh -c '! ls "$1" | grep -v "^summary.txt$" | (cd "$1" && xargs grep -l "^slipway\|^  [a-z]* read\|warning:") >/dev/null &&
        ! grep -q "warning:" "$1/summary.txt"' sh "$work/closed-fds"

# ---- issue 15: the command line as people expect -----------------------------------------
"$bin" -V >"$work/v" 2>&1; expect "-V" 0 $?
expect_true "-V prints the version" grep -q '^slipway [0-9]' "$work/v"
"$bin" -h >"$work/h" 2>&1; expect "-h" 0 $?
"$bin" run -h >"$work/h" 2>&1; expect "run -h" 0 $?
expect_true "run -h names --quiet and --" grep -q -- '--quiet' "$work/h"
"$bin" verify -h >/dev/null 2>&1; expect "verify -h" 0 $?
"$bin" run $args --out "$work/o" --out "$work/o2" >/dev/null 2>"$work/err"
expect "--out twice" 2 $?
expect_true "--out twice names both values" grep -q -- "--out is given twice ('$work/o' and '$work/o2')" "$work/err"
"$bin" run $args --catalog samples/catalog.csv --out "$work/o" >/dev/null 2>&1
expect "--catalog twice, even the same file" 2 $?
expect_true "a refused repeat creates nothing" test ! -e "$work/o" -a ! -e "$work/o2"
"$bin" run $args --ouput "$work/o" >/dev/null 2>"$work/err"; expect "mistyped flag" 2 $?
expect_true "a mistyped flag suggests the closest" grep -q -- "unknown argument '--ouput'; did you mean --out?" "$work/err"
"$bin" run $args --invent samples/inventory.csv >/dev/null 2>"$work/err"
expect_true "a flag's start suggests the flag" grep -q -- "did you mean --inventory?" "$work/err"
"$bin" verfy "$work/o" >/dev/null 2>"$work/err"; expect "mistyped command" 2 $?
expect_true "a mistyped command suggests the closest" grep -q "unknown command 'verfy'; did you mean verify?" "$work/err"
"$bin" verify "$work/o" --histroy x >/dev/null 2>"$work/err"
expect_true "verify suggests too" grep -q -- "did you mean --history?" "$work/err"
"$bin" run $args --out "$work/o" --zzzzzz >/dev/null 2>"$work/err"
expect_true "nothing near: no suggestion" sh -c '! grep -q "did you mean" "$1"' sh "$work/err"
# -- ends the options: what follows is orders files, even a name starting with '-'.
cp samples/orders_shop.csv "$work/-shop.csv"
abs_bin=$bin
case $abs_bin in /*) ;; *) abs_bin=$(pwd)/$abs_bin ;; esac
root=$(pwd)
(cd "$work" && "$abs_bin" run --catalog "$root/samples/catalog.csv" --inventory "$root/samples/inventory.csv" \
    --run-date 2026-11-27 --out dashes -- -shop.csv >/dev/null 2>&1)
expect "-- then an orders file named -shop.csv" 0 $?
expect_true "the file after -- is read as orders" grep -q '"path": "-shop.csv"' "$work/dashes/manifest.json"
# --quiet: nothing on stdout; the folder is complete.
"$bin" run $args --quiet --out "$work/q" >"$work/out" 2>&1; expect "--quiet" 0 $?
expect_true "--quiet prints nothing" test ! -s "$work/out"
expect_true "--quiet still writes the run" test -f "$work/q/manifest.json"
"$bin" verify -q "$work/q" >"$work/out" 2>&1; expect "verify -q" 0 $?
expect_true "verify -q prints only the verdict" test "$(cat "$work/out")" = "verify: every checked invariant holds"
# - reads standard input (one input at most); its bytes are hashed into the manifest, and
# verify then needs the file given.
"$bin" run --catalog samples/catalog.csv --inventory samples/inventory.csv --orders - \
    --run-date 2026-11-27 --out "$work/stdin" <samples/orders_shop.csv >/dev/null 2>&1
expect "--orders - from a redirect" 0 $?
sha=$(sha256sum samples/orders_shop.csv | cut -d' ' -f1)
expect_true "the manifest records - with the bytes' sha256" \
    sh -c 'grep -A3 "\"path\": \"-\"" "$1" | grep -q "$2"' sh "$work/stdin/manifest.json" "$sha"
"$bin" run $args --out "$work/plain" >/dev/null 2>&1
expect_true "- and the file give the same slips" cmp -s "$work/stdin/slips.csv" "$work/plain/slips.csv"
cat samples/orders_shop.csv | "$bin" run --catalog samples/catalog.csv --inventory samples/inventory.csv \
    --orders - --run-date 2026-11-27 --out "$work/pipe" >/dev/null 2>&1
expect "--orders - from a pipe" 0 $?
"$bin" verify "$work/stdin" >/dev/null 2>"$work/err"; expect "verify of a - run without the file" 3 $?
expect_true "verify says to give the file" grep -q "orders input -: the run read it from standard input; give the file with --orders FILE" "$work/err"
"$bin" verify "$work/stdin" --orders samples/orders_shop.csv >/dev/null 2>&1
expect "verify of a - run with the file" 0 $?
"$bin" run --catalog - --inventory samples/inventory.csv --orders - --out "$work/o" \
    <samples/orders_shop.csv >/dev/null 2>"$work/err"
expect "- twice" 2 $?
expect_true "- twice is named" grep -q "'-' (standard input) is given 2 times" "$work/err"
"$bin" run $args --history - --out "$work/o" </dev/null >/dev/null 2>&1; expect "--history -" 2 $?
expect_true "refused - runs create nothing" test ! -e "$work/o"
# The summary's plurals.
printf 'order_id,order_time,sku,qty,unit_price,currency,ship_name,ship_street,ship_city,ship_country\nQ-1,2026-11-26T10:00:00Z,RAIN-PONCHO,1,19.90,EUR,Ann,Weg 1,Bonn,DE\n' >"$work/one.csv"
"$bin" run --catalog samples/catalog.csv --inventory samples/inventory.csv --orders "$work/one.csv" \
    --threads 1 --out "$work/one" >"$work/out" 2>&1
expect_true "one line, one file, one thread" sh -c 'grep -q "(1 line from 1 file: canonical)" "$1" &&
    grep -q "slips          1 (1 line)" "$1" && grep -q "lines/s, 1 thread)" "$1"' sh "$work/out"

# ---- issue 17: progress on stderr ----------------------------------------------------------
# Off when stderr is no terminal (this test's files); --progress forces it, as a line
# redrawn with CR and erase-to-end and cleared at the end, and changes no output.
night="--catalog samples/catalog.csv --inventory samples/inventory.csv --orders samples/orders_shop.csv --run-date 2026-11-27"
# shellcheck disable=SC2086
"$bin" run $night --out "$work/p-off" >/dev/null 2>"$work/p-off.err"; expect "run without --progress" 0 $?
expect_true "no progress when stderr is a file" sh -c '! grep -q "$(printf "\r")" "$1"' sh "$work/p-off.err"
# shellcheck disable=SC2086
"$bin" run $night --progress --out "$work/p-on" >/dev/null 2>"$work/p-on.err"; expect "run --progress" 0 $?
expect_true "run --progress: a stage drawn, the line cleared at the end" sh -c '
    tr "\r" "\n" <"$1" | grep -q "^slipway run: [a-z]" &&
    tail -c 4 "$1" | od -c | grep -q "033"' sh "$work/p-on.err"
expect_true "run --progress changes no output" sh -c '
    for f in "$1"/*; do b=$(basename "$f"); [ "$b" = metrics.json ] || cmp -s "$f" "$2/$b" || exit 1; done' \
    sh "$work/p-off" "$work/p-on"
"$bin" verify "$work/p-on" --progress >/dev/null 2>"$work/pv.err"; expect "verify --progress" 0 $?
expect_true "verify --progress clears its line" sh -c 'tail -c 4 "$1" | od -c | grep -q "033"' sh "$work/pv.err"
"$bin" run --catalog samples/catalog.csv --inventory samples/inventory.csv --orders samples/orders_shop.csv \
    --run-date 2026-11-27 --progress --quiet --out "$work/p-q" >/dev/null 2>"$work/pq.err"
expect "run --progress --quiet" 0 $?

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
