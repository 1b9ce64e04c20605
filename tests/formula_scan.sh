#!/bin/sh
# Fails when a CSV file holds a cell that a spreadsheet would run as a formula: one that
# starts with =, +, -, @, a tab or a carriage return (README, "Outputs safe to open in a
# spreadsheet"). A plain number (-5, -0.50) is a number to a spreadsheet, not a formula,
# and is allowed. Cells are read per RFC 4180: quoted fields may hold commas, doubled
# quotes and line breaks, and the cell checked is the text inside the quotes. Only a
# cell's first 64 bytes are kept, so 10 MB fields cost no more than a pass over them.
#
# usage: sh tests/formula_scan.sh FILE.csv ...      prints each such cell, exit 1 if any
set -u
status=0
for f in "$@"; do
    awk -v file="$f" '
    function add(t) {
        if (length(cell) < 64)
            cell = cell substr(t, 1, 64)
    }
    function check() {
        if (cell ~ /^[=+@\t\r-]/ && cell !~ /^-?[0-9]+(\.[0-9]+)?$/) {
            printf "%s:%d: field %d starts with a formula character: %s\n", file, start, col, cell
            bad = 1
        }
        cell = ""
        col++
    }
    # From position i of s, outside quotes: the rest of an unquoted field (or the text
    # after a closing quote) up to the next comma. Returns the position after the comma,
    # or 0 at the end of the line (the record ends there).
    function to_comma(s, i,    k) {
        k = index(substr(s, i), ",")
        if (k == 0) {
            add(substr(s, i))
            check()
            return 0
        }
        add(substr(s, i, k - 1))
        check()
        return i + k
    }
    BEGIN { inq = 0; cell = ""; bad = 0; col = 1; start = 1 }
    {
        s = $0
        n = length(s)
        i = 1
        if (inq)
            add("\n")
        else {
            col = 1
            start = NR
        }
        while (1) {
            if (inq) {
                k = index(substr(s, i), "\"")
                if (k == 0) {
                    add(substr(s, i))
                    break # the quoted field runs on over the next line
                }
                add(substr(s, i, k - 1))
                i += k
                if (substr(s, i, 1) == "\"") {
                    add("\"")
                    i++
                    continue
                }
                inq = 0
                if ((i = to_comma(s, i)) == 0)
                    break
            } else if (substr(s, i, 1) == "\"") {
                inq = 1
                i++
            } else if ((i = to_comma(s, i)) == 0)
                break
            if (i > n + 1)
                break
        }
    }
    END { if (inq) { printf "%s: a quote is never closed\n", file; bad = 1 } exit bad }
    ' "$f" || status=1
done
exit $status
