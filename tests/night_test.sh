# Sourced by the shell tests that take a slipway binary and the night generator, with
# the test's name in test_name and its arguments as they were given:
#   test_name=budget
#   . tests/night_test.sh               (from the repository root)
# Checks the two arguments, sets bin and gen, makes a scratch folder $work (removed at
# exit unless KEEP is set), and counts failures with bad(). End the test with
# `[ "$fail" = 0 ]`.
if [ $# -ne 2 ]; then
    echo "usage: sh tests/$test_name.sh path/to/slipway path/to/gen" >&2
    exit 2
fi
bin=$1
gen=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-$test_name.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
fail=0
bad() {
    echo "FAIL $1"
    fail=$((fail + 1))
}
