#!/bin/sh
# test-versions.sh MAJOR...: run the database tests once per PostgreSQL major
# version, each on a throwaway cluster started from that major's binaries
# (pg-fetch.sh), then print one pass/fail line per major. It fails when any
# major fails. `make test-versions` runs it with PG_MAJORS.
#
# Environment:
#   GO            the go command (default go)
#   PG_JOBS       how many majors run at once (default 1)
#   PG_TESTFLAGS  more go test flags (default -parallel 4: many tests wait on
#                 a timeout or a server rather than on the CPU)
#   PG_SKIP       a go test -skip pattern for tests that cannot run on these
#                 binaries (the Makefile says which and why)
#   PG_LOG_DIR    where each major's go test -v output goes (default a
#                 temporary directory, kept when a major fails)
# RBACDRIFT_TEST_DATABASE_URL is ignored: each major must run on its own
# binaries, never on the machine's server.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
GO=${GO:-go}

# One major: the worker that the main part below starts through xargs.
if [ "${1:-}" = --one ]; then
	major=$2 bin=$3 log=$PG_LOG_DIR/pg$2.log
	began=$(date +%s)
	status=pass
	# shellcheck disable=SC2086 # $PG_TESTFLAGS and $PG_PKGS are lists
	env -u RBACDRIFT_TEST_DATABASE_URL RBACDRIFT_TEST_PG_BINDIR="$bin" \
		"$GO" test -count=1 -v $PG_TESTFLAGS ${PG_SKIP:+-skip "$PG_SKIP"} $PG_PKGS >"$log" 2>&1 || status=fail
	took=$(($(date +%s) - began))
	passed=$(grep -c -- '--- PASS' "$log" || true)
	failed=$(grep -c -- '--- FAIL' "$log" || true)
	skipped=$(grep -c -- '--- SKIP' "$log" || true)
	version=$("$bin/postgres" --version | sed 's/.* //')
	echo "$major $status $version $passed $failed $skipped $took" >"$PG_LOG_DIR/pg$major.result"
	echo "test-versions: PostgreSQL $version: $status ($passed tests passed, $failed failed, $skipped skipped, ${took}s)"
	exit 0
fi

# failures LOG: what the failed tests of a go test -v log said, each under
# its name, then the packages that failed (a build failure included).
failures() {
	awk '
	FNR == NR {
		if ($1 == "---" && $2 == "FAIL:") failed[$3] = 1
		next
	}
	$1 == "===" { test = $3; next }
	$1 == "---" || /^(PASS|FAIL|ok)[ \t]/ || /^(PASS|FAIL)$/ {
		if ($1 == "FAIL" && NF > 1) print
		next
	}
	/^panic:/ { test = "panic" }
	/^# / { test = "build" }
	test == "panic" || test == "build" || (test in failed) {
		if (test != shown) { print "  " test ":"; shown = test }
		print
	}' "$1" "$1"
}

[ $# -gt 0 ] || { echo "usage: test-versions.sh MAJOR..." >&2; exit 2; }
cd "$top"
began=$(date +%s)
# Fetch first, one at a time: a failed download is reported before any test
# runs, and two majors never unpack into the cache at once.
pairs=
for major in "$@"; do
	bin=$(sh "$here/pg-fetch.sh" "$major")
	pairs="$pairs $major $bin"
done
# The packages whose tests use a database (they import internal/testutil/pgtest);
# the others do not depend on the server and run once in `make test`.
PG_PKGS=$("$GO" list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... |
	awk '/ github.com\/rbacdrift\/rbacdrift\/internal\/testutil\/pgtest( |$)/ || $1 ~ /\/internal\/testutil\/pgtest$/ {print $1}' | tr '\n' ' ')
[ -n "$PG_PKGS" ] || { echo "test-versions: no package imports internal/testutil/pgtest" >&2; exit 1; }
keep=${PG_LOG_DIR:-}
PG_LOG_DIR=${PG_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/rbacdrift-test-versions-XXXXXX")}
mkdir -p "$PG_LOG_DIR"
rm -f "$PG_LOG_DIR"/pg*.result
PG_TESTFLAGS=${PG_TESTFLAGS--parallel 4}
export GO PG_PKGS PG_LOG_DIR PG_SKIP PG_TESTFLAGS
echo "test-versions: PostgreSQL $*, ${PG_JOBS:-1} at a time; packages: $PG_PKGS"
[ -z "${PG_SKIP:-}" ] || echo "test-versions: not run on these binaries (-skip): $PG_SKIP"
# Build the test binaries once, so the parallel runs do not all compile them.
# A build failure is reported by each major's run.
# shellcheck disable=SC2086
"$GO" test -count=1 -run '^$' $PG_PKGS >/dev/null 2>&1 || true
# shellcheck disable=SC2086
echo $pairs | xargs -n 2 -P "${PG_JOBS:-1}" sh "$0" --one

echo "test-versions: summary, $(($(date +%s) - began))s in all:"
failed=
for major in "$@"; do
	read -r _ status version passed nfail skipped took <"$PG_LOG_DIR/pg$major.result" 2>/dev/null ||
		status=fail version="$major (no result)" passed=0 nfail=0 skipped=0 took=0
	[ "$status" = pass ] || failed="$failed $major"
	printf '  PostgreSQL %-6s %-4s %4s tests passed, %s failed, %s skipped, %ss\n' "$version" "$status" "$passed" "$nfail" "$skipped" "$took"
done
if [ -n "$failed" ]; then
	for major in $failed; do
		echo
		echo "test-versions: PostgreSQL $major failed; from $PG_LOG_DIR/pg$major.log:"
		failures "$PG_LOG_DIR/pg$major.log" | head -n 100
	done
	echo
	echo "test-versions: failed on PostgreSQL$failed; the full logs are in $PG_LOG_DIR"
	exit 1
fi
[ -n "$keep" ] || rm -rf "$PG_LOG_DIR"
echo "test-versions: passed on PostgreSQL $*"
