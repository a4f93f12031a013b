#!/usr/bin/env bash
# Broadcast trees vs flood (issue 16): n syncmesh nodes in one JVM, seeded random mesh of degree 4-8,
# K writes at a steady rate; reach time p50/p99, transmissions per write, lost writes, intact and with
# 10 % of the links cut. See bench/README.md, "Broadcast trees".
#
#   bench/trees.sh [--nodes 10,30,100] [--keys 2000] [--rate 200] [--warmup 1000] [--seed 1] [--modes flood,tree] [--cuts 0,10] [--out FILE]
#
# Builds the library and bench/target/bench.jar as run.sh does (BENCH_SKIP_BUILD=1 skips it); writes
# bench/results/<date>-trees.md and the plot beside it (<date>-trees.png); the run is limited to
# BENCH_LIMIT_S seconds (default 1200). BENCH_JVM_OPTS overrides the heap (default -Xmx2g).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
cd "$ROOT"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    mvn -B -q -pl bench -am package -DskipTests
fi
# shellcheck disable=SC2086
exec timeout --signal=TERM --kill-after=15 "${BENCH_LIMIT_S:-1200}" \
    java ${BENCH_JVM_OPTS:--Xmx2g} -Djava.awt.headless=true \
    -cp "$ROOT/syncmesh/target/classes:$HERE/target/bench.jar" org.syncmesh.bench.TreeBench "$@"
