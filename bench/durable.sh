#!/usr/bin/env bash
# Durable-mode benchmark: ONE syncmesh node, no peers, 16-byte keys, 100-byte values: set() rate
# with 8 writers (in-memory, durable PROCESS_CRASH, durable SYNC), restart time with 1,000,000
# keys (child JVMs), heap and RSS per 100,000 keys (child JVMs). See bench/README.md, "Durable mode".
#
#   bench/durable.sh [--runs 3] [--sets 200000] [--sync-s 5] [--threads 8] [--restart-keys 1000000]
#                    [--mem-keys 100000] [--mem-value-bytes 100] [--child-opts "-Xmx512m"] [--restart-opts "-Xmx2g"]
#                    [--only rate,restart,memory] [--out FILE]
#
# Builds the library and bench/target/bench.jar as run.sh does (BENCH_SKIP_BUILD=1 skips it);
# data directories go to bench/target/durable-bench (deleted and re-created per run); prints a
# Markdown table; the run is limited to BENCH_LIMIT_S seconds (default 900).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
cd "$ROOT"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    mvn -B -q -pl bench -am package -DskipTests
fi
exec timeout --signal=TERM --kill-after=15 "${BENCH_LIMIT_S:-900}" \
    java -Xmx2g -cp "$ROOT/syncmesh/target/classes:$HERE/target/bench.jar" org.syncmesh.bench.DurableBench \
    --dir "$HERE/target/durable-bench" "$@"
