#!/bin/sh
# Hostile input: run slipway on every case of tests/hostile/table.tsv -- empty and
# truncated files, NUL bytes, invalid UTF-8, stray byte order marks, open quotes, 10 MB
# fields, 10,000 columns, numbers and dates out of range, zstd that is not what its name
# says, a directory -- and check the exact outcome of each (tests/hostile/README.md).
#
# Each case must: finish within 60 s, not die of a signal, print no sanitizer report,
# exit with the expected code, and then either
#   - (refused) print the expected fragment on stderr and leave no output folder and no
#     temporary folder behind, or
#   - (committed) write exactly the expected exceptions.csv rows (source, line, record_id,
#     code, field), ship every order named (slips.csv), leave no temporary folder,
#     report every checked invariant as holding, and hold no output cell a spreadsheet
#     would run as a formula (tests/formula_scan.sh).
#
# usage: tests/hostile.sh path/to/slipway [case ...]
set -u
bin=$1
shift
here=tests/hostile
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT
in=$work/in
mkdir "$in"
pass=0
fail=0
TAB=$(printf '\t')

# The first n fields of each CSV record on stdin, unquoted, joined by commas (RFC 4180
# quoting; the outputs checked here hold no line breaks inside fields).
csv_cut() { # n
    awk -v n="$1" '
    {
        out = ""; f = 0; i = 1; len = length($0)
        while (f < n && i <= len + 1) {
            v = ""
            if (substr($0, i, 1) == "\"") {
                i++
                while (i <= len) {
                    c = substr($0, i, 1)
                    if (c == "\"") {
                        if (substr($0, i + 1, 1) == "\"") { v = v "\""; i += 2; continue }
                        i++; break
                    }
                    v = v c; i++
                }
                while (i <= len && substr($0, i, 1) != ",") i++
            } else {
                while (i <= len && substr($0, i, 1) != ",") { v = v substr($0, i, 1); i++ }
            }
            i++
            out = (f ? out "," : "") v
            f++
        }
        print out
    }'
}

# Make a generated input (file column "gen:NAME") at path.
gen() { # name path
    H='order_id,order_time,sku,qty,unit_price,currency,ship_name,ship_street,ship_city,ship_country'
    G1='G-1,2026-11-26T08:00:00Z,MUG,1,8.00,EUR,Ann,Weg 1,Bonn,DE'
    G2='G-2,2026-11-26T08:01:00Z,LAMP,1,25.00,EUR,Bob,Weg 2,Bonn,DE'
    case $1 in
    field_10mb_sku.csv) # line 3: a SKU of 10 MiB of "M"; line 4: qty 0
        big=$(head -c 10485760 /dev/zero | tr '\0' M)
        { echo "$H"; echo "$G1"
          echo "X-1,2026-11-26T08:00:00Z,$big,1,8.00,EUR,Ann,Weg 1,Bonn,DE"
          echo "X-2,2026-11-26T08:00:00Z,MUG,0,8.00,EUR,Ann,Weg 1,Bonn,DE"; echo "$G2"; } >"$2" ;;
    field_10mb_street.csv) # line 3: a quoted street of 10 MiB of "S, " (commas inside)
        big=$(head -c 3495253 /dev/zero | sed 's/\x0/S, /g')
        { echo "$H"; echo "$G1"
          echo "X-1,2026-11-26T08:00:00Z,MUG,1,8.00,EUR,Ann,\"$big\",Bonn,DE"
          echo "X-2,2026-11-26T08:00:00Z,MUG,0,8.00,EUR,Ann,Weg 1,Bonn,DE"; echo "$G2"; } >"$2" ;;
    columns_10000.csv) # the header and lines 2-3 and 5 have 10,000 columns; line 4 has 10
        h=$(awk 'BEGIN { for (i = 11; i <= 10000; i++) printf ",extra_%d", i }')
        v=$(awk 'BEGIN { for (i = 11; i <= 10000; i++) printf ",%d", i }')
        { echo "$H$h"; echo "$G1$v"
          echo "X-1,2026-11-26T08:00:00Z,MUG,0,8.00,EUR,Ann,Weg 1,Bonn,DE$v"
          echo "X-2,2026-11-26T08:00:00Z,MUG,1,8.00,EUR,Ann,Weg 1,Bonn,DE"; echo "$G2$v"; } >"$2" ;;
    row_10000_fields.csv) # a 10-column file whose line 3 has 10,000 fields
        v=$(awk 'BEGIN { for (i = 11; i <= 10000; i++) printf ",%d", i }')
        { echo "$H"; echo "$G1"
          echo "X-1,2026-11-26T08:00:00Z,MUG,1,8.00,EUR,Ann,Weg 1,Bonn,DE$v"; echo "$G2"; } >"$2" ;;
    amazon_10mb_sku.txt) # the sample report's first two orders, then one with a 10 MiB
        # SKU (line 4): the Windows-1252 report is decoded 64 KiB at a time
        src=samples/marketplaces/amazon_orders_2026-11-26.txt
        big=$(head -c 10485760 /dev/zero | tr '\0' K)
        l=$(sed -n 2p "$src")
        { sed -n 1,3p "$src"
          printf '999-0000000-0000001\t99999999999999\t%s\t%s\t%s\n' \
              "$(printf '%s' "$l" | cut -f3-7)" "$big" "$(printf '%s' "$l" | cut -f9-)"; } >"$2" ;;
    zstd_named_csv.csv) zstd -q -c "$here/files/plain_orders.csv" >"$2" ;;
    csv_named_zst.zst) cp "$here/files/plain_orders.csv" "$2" ;;
    truncated.zst) # the frame cut 8 bytes before its end
        zstd -q -c "$here/files/plain_orders.csv" >"$work/full.zst"
        head -c $(($(wc -c <"$work/full.zst") - 8)) "$work/full.zst" >"$2" ;;
    truncated_history.csv.zst)
        zstd -q -c "$here/base/history_slips.csv" >"$work/full.zst"
        head -c $(($(wc -c <"$work/full.zst") / 2)) "$work/full.zst" >"$2" ;;
    no_trailing_newline.csv.zst) zstd -q -c "$here/files/no_trailing_newline.csv" >"$2" ;;
    empty.zst) : >"$2" ;;
    empty_payload.zst) zstd -q -c "$here/files/empty.csv" >"$2" ;;
    directory.csv) mkdir "$2" ;;
    *) echo "hostile: unknown generated file $1" >&2; return 1 ;;
    esac
}

check() { # ok|message
    if [ "$1" = ok ]; then return 0; fi
    case_ok=0
    echo "    $1"
}

run_case() { # name role file exit ships expect args
    name=$1 role=$2 file=$3 want_exit=$4 ships=$5 expect=$6 extra=$7
    case $file in
    gen:*) path=$in/${file#gen:}; rm -rf "$path"; gen "${file#gen:}" "$path" || return 1 ;;
    *) path=$here/files/$file ;;
    esac
    catalog="--catalog $here/base/catalog.csv"
    inventory="--inventory $here/base/inventory.csv"
    orders="--orders $here/base/orders.csv"
    more=""
    case $role in
    orders) orders="--orders $path" ;;
    catalog) catalog="--catalog $path" ;;
    inventory) inventory="--inventory $path" ;;
    policy) more="--policy $path" ;;
    # Returns are checked against base/history_slips.csv (orders H-1 and H-2).
    returns) more="--returns $path --history $here/base/history_slips.csv" ;;
    history) more="--history $path" ;;
    *) echo "hostile: unknown role $role" >&2; return 1 ;;
    esac
    [ "$extra" = - ] && extra=""
    case " $extra " in *" --inventory "*) inventory="" ;; esac
    case " $extra " in *" --catalog "*) catalog="" ;; esac
    extra=$(echo "$extra" | sed "s#@base/#$here/base/#g; s#@files/#$here/files/#g; s#@samples/#samples/#g")
    out=$work/out-$name
    # shellcheck disable=SC2086
    timeout 60 "$bin" run $catalog $inventory $orders $more $extra --run-date 2026-11-27 \
        --threads 2 --out "$out" >"$work/stdout" 2>"$work/stderr"
    got=$?
    case_ok=1
    if [ "$got" = 124 ]; then
        check "did not finish within 60 s"
    elif [ "$got" -ge 128 ]; then
        check "killed by signal $((got - 128))"
    elif [ "$got" != "$want_exit" ]; then
        check "exit $got, expected $want_exit"
    fi
    if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$work/stderr"; then
        check "sanitizer report on stderr"
    fi
    if ls -a "$work" | grep -q "^\.out-$name\.tmp-"; then
        check "a temporary folder was left behind"
    fi
    if [ "$want_exit" != 0 ]; then
        [ -e "$out" ] && check "a refused run left $out behind"
        frag=$(printf '%s' "${expect#stderr:}" | sed "s#@#$path#g")
        grep -qF -- "$frag" "$work/stderr" || check "stderr lacks: $frag"
    elif [ -d "$out" ]; then
        # Exceptions: exactly the expected rows, the hostile file named @.
        csv_cut 5 <"$out/exceptions.csv" | tail -n +2 |
            awk -v p="$path" -v base="$here/" 'BEGIN { FS = OFS = "," }
                { if ($1 == p) $1 = "@"; else if (index($1, base) == 1) $1 = substr($1, length(base) + 1)
                  print }' |
            sed 's/\xEF\xBB\xBF/<U+FEFF>/g' | sort >"$work/got"
        # Expected rows, and the expected warnings (items "warn:TEXT", @ = the path).
        : >"$work/want"
        : >"$work/want_warn"
        if [ "$expect" != - ]; then
            printf '%s\n' "$expect" | tr ';' '\n' | grep -v '^warn:' | sort >"$work/want"
            printf '%s\n' "$expect" | tr ';' '\n' | sed -n 's/^warn://p' |
                sed "s#@#$path#g" | sort >"$work/want_warn"
        fi
        if ! cmp -s "$work/want" "$work/got"; then
            check "exceptions differ (< expected, > got):"
            diff "$work/want" "$work/got" | grep '^[<>]' | cut -c1-200 | sed 's/^/      /'
        fi
        # No good row lost: every order named ships.
        csv_cut 2 <"$out/slips.csv" | tail -n +2 | cut -d, -f2 | sort -u >"$work/shipped"
        for id in $(echo "$ships" | tr ',' ' '); do
            [ "$id" = - ] && continue
            grep -qxF -- "$id" "$work/shipped" || check "order $id did not ship"
        done
        if grep -q '"holds": false' "$out/summary.json"; then
            check "an invariant does not hold"
        fi
        if ! sh tests/formula_scan.sh "$out"/*.csv >"$work/scan"; then
            check "an output cell would run as a spreadsheet formula:"
            head -5 "$work/scan" | cut -c1-200 | sed 's/^/      /'
        fi
        # Warnings: exactly the expected ones in summary.json, each also on stderr.
        awk '/^  "warnings": \[\]/ { exit } /^  "warnings": \[/ { on = 1; next }
             on && /^  \]/ { exit }
             on { sub(/^ *"/, ""); sub(/",?$/, ""); print }' "$out/summary.json" |
            sort >"$work/got_warn"
        if ! grep -q '^  "warnings": \[' "$out/summary.json"; then
            check "summary.json has no warnings key"
        elif ! cmp -s "$work/want_warn" "$work/got_warn"; then
            check "summary.json warnings differ (< expected, > got):"
            diff "$work/want_warn" "$work/got_warn" | grep '^[<>]' | cut -c1-200 | sed 's/^/      /'
        fi
        while IFS= read -r w; do
            grep -qxF -- "slipway: warning: $w" "$work/stderr" || check "stderr lacks the warning: $w"
        done <"$work/want_warn"
    else
        check "no output folder"
    fi
    if [ $case_ok = 1 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name ($role $file)"
        sed 's/^/    stderr: /' "$work/stderr" | cut -c1-300 | head -5
    fi
    rm -rf "$out"
    case $file in gen:*) rm -rf "$path" ;; esac
}

only=" $* "
while IFS="$TAB" read -r name role file want_exit ships expect extra; do
    case $name in '' | '#'*) continue ;; esac
    [ "$only" != "  " ] && case $only in *" $name "*) ;; *) continue ;; esac
    run_case "$name" "$role" "$file" "$want_exit" "$ships" "$expect" "${extra:--}" </dev/null
done <"$here/table.tsv"
echo "hostile: $pass passed, $fail failed"
[ "$fail" = 0 ]
