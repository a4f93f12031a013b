#!/usr/bin/env bash
# Anti-entropy benchmark: two syncmesh nodes in one JVM, n keys each, d differing, link-up to
# identical (time and bytes through a counting relay), idle bytes/s, and the initial-sync time of a
# fresh node for comparison. See bench/README.md, "Anti-entropy".
#
#   bench/antientropy.sh [--keys 100000] [--runs 3] [--diffs 0,1,1000,100000] [--idle-s 10]
#                        [--leasing true|false] [--out FILE]
#
# Builds the library and bench/target/bench.jar as run.sh does (BENCH_SKIP_BUILD=1 skips it);
# prints a Markdown table; the run is limited to BENCH_LIMIT_S seconds (default 600).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
cd "$ROOT"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    mvn -B -q -pl bench -am package -DskipTests
fi
exec timeout --signal=TERM --kill-after=15 "${BENCH_LIMIT_S:-600}" \
    java -Xmx1g -cp "$ROOT/syncmesh/target/classes:$HERE/target/bench.jar" org.syncmesh.bench.AntiEntropyBench "$@"
