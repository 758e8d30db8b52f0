#!/bin/sh
# make bench: rbacdrift side by side with pg_dump on a 10,000-table catalog.
# Installs the measuring tools when they are missing (hyperfine for times,
# GNU time for peak memory), then runs the Go runner, bench/run, which builds
# the bench databases when needed and writes BENCHMARKS.md.
#
#   RBACDRIFT_BENCH_URL   superuser postgres:// URL of the server to use
#                         (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
#   RBACDRIFT_BENCH_RUNS  timed runs per command (default 10)
#
# Extra arguments go to the runner: -rebuild, -runs N, -rss-runs N, -clean.
set -eu
cd "$(dirname "$0")/.."

need=""
command -v hyperfine >/dev/null 2>&1 || need="$need hyperfine"
[ -x /usr/bin/time ] || need="$need time"
if [ -n "$need" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "bench: installing$need" >&2
        apt-get update -qq >/dev/null && apt-get install -y -qq $need >/dev/null ||
            echo "bench: could not install$need" >&2
    else
        echo "bench: missing$need; install it (Debian: apt-get install$need)" >&2
    fi
fi
if ! command -v hyperfine >/dev/null 2>&1; then
    echo "bench: no hyperfine: times will come from /usr/bin/time -v" >&2
fi
go run ./bench/run "$@"
# Tenants, fleets, the dry run and 500 harvested queries at scale: their own
# sections of BENCHMARKS.md.
exec go run ./bench/scale
