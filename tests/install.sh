#!/bin/sh
# make install (issue 17): into a scratch PREFIX, then
#   - the binary runs, `man slipway` finds and renders slipway(1) from that PREFIX, and
#     groff finds nothing wrong in it;
#   - the man page names every flag each command's --help lists, every exit status and
#     every exception and reconciliation code the engine knows (from its own sources);
#   - the bash completion parses and offers every flag of each command (and the
#     commands); the zsh one names them too; the docs are there.
#
# usage: sh tests/install.sh        (from the repository root; builds build/slipway)
set -u
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
report() {
    if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi
}

prefix=$work/prefix
make --no-print-directory install PREFIX="$prefix" >"$work/log" 2>&1 ||
    { echo "FAIL make install"; cat "$work/log"; exit 1; }
make --no-print-directory install DESTDIR="$work/dest" PREFIX=/usr >"$work/log" 2>&1 &&
    [ -x "$work/dest/usr/bin/slipway" ] && report ok "" || report bad "DESTDIR is not honoured"

"$prefix/bin/slipway" --version | grep -q '^slipway ' && report ok "" ||
    report bad "the installed binary does not run"
for f in share/man/man1/slipway.1 share/bash-completion/completions/slipway \
    share/zsh/site-functions/_slipway share/doc/slipway/README.md share/doc/slipway/LAYOUTS.md; do
    [ -s "$prefix/$f" ] && report ok "" || report bad "$f is not installed"
done

# man finds the page through the PREFIX's man folder, as after `make install PREFIX=...`
MANPATH=$prefix/share/man MANWIDTH=100 man -P cat slipway >"$work/man.txt" 2>"$work/man.err"
grep -q '^SYNOPSIS' "$work/man.txt" && grep -q 'slipway reconcile' "$work/man.txt" &&
    report ok "" || report bad "man slipway: $(head -2 "$work/man.err")"
groff -man -ww -z "$prefix/share/man/man1/slipway.1" 2>"$work/groff.err"
[ ! -s "$work/groff.err" ] && report ok "" || report bad "groff warns: $(head -3 "$work/groff.err")"

page=$prefix/share/man/man1/slipway.1
bash_comp=$prefix/share/bash-completion/completions/slipway
zsh_comp=$prefix/share/zsh/site-functions/_slipway
# Every flag of every command's help, in the page and both completions
for cmd in run verify reconcile init slurm task; do
    build/slipway $cmd --help | grep -o '\-\-[a-z][a-z-]*' | sort -u >"$work/flags.$cmd"
    while read -r flag; do
        [ "$flag" = --help ] || [ "$flag" = --version ] && continue
        esc=$(echo "$flag" | sed 's/-/\\\\-/g')
        grep -q -- "$esc" "$page" || report bad "the man page lacks $cmd $flag"
        grep -q -- "$flag" "$bash_comp" || report bad "bash completion lacks $cmd $flag"
        grep -q -- "$flag" "$zsh_comp" || report bad "zsh completion lacks $cmd $flag"
    done <"$work/flags.$cmd"
    report ok ""
done
# Every exit status the help names
for code in 0 1 2 3 4; do
    grep -q "^\.B $code\$" "$page" || report bad "the man page lacks exit status $code"
done
grep -q '^\.BR 130 ", " 143 ", " 129$' "$page" && report ok "" ||
    report bad "the man page lacks the signal exit statuses 130, 143, 129"
# Every code the engine names (engine/core/err.c) and every reconcile status
codes=$(sed -n '/define ENG_CODE_MAP/,/^typedef enum eng_code/s/^ *X(\([A-Z_]*\),.*/\1/p' \
    engine/core/err.h | grep -v '^NONE$')
[ "$(echo "$codes" | wc -l)" -ge 30 ] && report ok "" ||
    report bad "the codes of engine/core/err.h were not found: $codes"
for c in $codes; do
    grep -q "\\.BR* $c\\( \|,\|\.\|$\)" "$page" || report bad "the man page lacks the code $c"
done
for s in $(grep -o '"[A-Z_]*"' engine/reconcile/rc_match.c | tr -d '"' | sort -u); do
    grep -q "\\.BR* $s\\( \|,\|\.\|;\|$\)" "$page" || report bad "the man page lacks the status $s"
done

# bash completion: it parses, and completes a command's flags
bash -c ". '$bash_comp'; COMP_WORDS=(slipway reconcile --pay); COMP_CWORD=2; _slipway;
    printf '%s\n' \"\${COMPREPLY[@]}\"" >"$work/comp" 2>&1
grep -qx -- --payouts "$work/comp" && grep -qx -- --payout-map "$work/comp" && report ok "" ||
    report bad "bash completion of 'slipway reconcile --pay': $(tr '\n' ' ' <"$work/comp")"

bash -c ". '$bash_comp'; COMP_WORDS=(slipway i); COMP_CWORD=1; _slipway;
    printf '%s\n' \"\${COMPREPLY[@]}\"" >"$work/comp" 2>&1
grep -qx init "$work/comp" && report ok "" || report bad "bash completion does not offer init"

echo "install: $pass passed, $fail failed"
[ "$fail" = 0 ]
