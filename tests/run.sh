#!/bin/sh
# tests/run.sh - every suite of novo, one after the other (`make test`, CI).
#
# Each suite prints `N passed, M failed` as its last line; this script sums
# them. A suite that crashes, exits non-zero with no failure counted, or
# prints no count is one more failure. Last line: the total. Exit 1 on any
# failure.
cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
broken=""
out=$(mktemp /tmp/novo-run.XXXXXX) || exit 1
trap 'rm -f "$out" "$out.rc"' EXIT

# run_suite NAME COMMAND...: runs it, shows its output, adds its count.
run_suite() {
	name=$1
	shift
	echo "=== $name: $*"
	{ "$@" 2>&1; echo $? >"$out.rc"; } | tee "$out"
	rc=$(cat "$out.rc")
	last=$(tail -n 1 "$out")
	# a "name: " before the count is tolerated
	p=$(echo "$last" | sed -n 's/^\([^ ]*: \)\{0,1\}\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
	f=$(echo "$last" | sed -n 's/^\([^ ]*: \)\{0,1\}\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\3/p')
	if [ -z "$p" ]; then
		echo "=== $name: no \`N passed, M failed\` line (exit $rc): counted as 1 failure"
		failed=$((failed + 1))
		broken="$broken $name"
		return
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "=== $name: exit $rc with no failure counted: counted as 1 failure"
		failed=$((failed + 1))
		broken="$broken $name"
	fi
}

for t in build/unit/test_*; do
	[ -x "$t" ] || continue
	run_suite "unit $(basename "$t")" "$t"
done

if [ -x build/novod ]; then
	run_suite "integration (novod)" python3 tests/integration/run.py --novod build/novod
else
	echo "=== integration: build/novod missing: counted as 1 failure"
	failed=$((failed + 1))
	broken="$broken integration"
fi

# The same suite against novod built with ASan/UBSan. A report found on
# novod's stderr fails the run (run.py checks it after every group).
if [ -x build/asan/novod ]; then
	export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:halt_on_error=1:allocator_may_return_null=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	run_suite "integration (asan novod)" python3 tests/integration/run.py --novod build/asan/novod
	unset ASAN_OPTIONS UBSAN_OPTIONS
else
	echo "=== integration (asan): build/asan/novod missing: counted as 1 failure"
	failed=$((failed + 1))
	broken="$broken integration-asan"
fi

for s in tests/hostile/run.sh tests/lkm/run.sh tests/cluster/run.sh; do
	[ -f "$s" ] && run_suite "$s" sh "$s"
done

[ -n "$broken" ] && echo "=== suites that crashed or printed no count:$broken"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
