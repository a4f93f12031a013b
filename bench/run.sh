#!/usr/bin/env bash
# Cross-system benchmark (issue 6): syncmesh vs js2p 0.7.870 vs Hazelcast 5.7 ReplicatedMap,
# every node a separate process on 127.0.0.1. See bench/README.md.
#
#   bench/run.sh            full suite: 3 runs, K = 10,000 and 100,000 (js2p: 10,000); < 20 min
#   bench/run.sh --quick    smoke test: K small, 1 run, about a minute (plus the build)
#   bench/run.sh [--quick] [--systems syncmesh,js2p,hazelcast] [--runs N] [--js2p-100k] ...
#                           (every option after the first is passed to org.syncmesh.bench.Bench)
#
# Builds what it needs (the library and bench/target/bench.jar with Maven; js2p with npm ci if it
# is not installed yet), writes bench/results/<date>.md (quick mode: bench/results/tmp/), and
# stops by itself: the suite has a time budget (19 min, quick 2.5 min), the whole script a hard
# limit (BENCH_LIMIT_S), every node a --ttl-s, and every child is killed on exit.
# Environment: BENCH_SKIP_BUILD=1 (use the jars as they are), BENCH_JVM_OPTS (default -Xmx256m),
# BENCH_CLI_JVM_OPTS (--syncmesh-cli nodes: after the launcher's own options, as SYNCMESH_JAVA_OPTS),
# BENCH_LIMIT_S (hard limit of the run after the build, default 1320; quick 300).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
cd "$ROOT"

QUICK=0
for a in "$@"; do
    if [ "$a" = "--quick" ]; then QUICK=1; fi
done
if [ "$QUICK" = 1 ]; then LIMIT_S=${BENCH_LIMIT_S:-300}; else LIMIT_S=${BENCH_LIMIT_S:-1320}; fi
JVM_OPTS=${BENCH_JVM_OPTS:--Xmx256m}
CLI_JVM_OPTS=${BENCH_CLI_JVM_OPTS:-}

BENCH_PID=""
descendants() {
    local c
    for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
        echo "$c"
        descendants "$c"
    done
}
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$BENCH_PID" ] && kill -0 "$BENCH_PID" 2>/dev/null; then
        local kids
        kids="$(descendants "$BENCH_PID")"
        kill -TERM "$BENCH_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$BENCH_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$BENCH_PID" 2>/dev/null || true
        for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- build -------------------------------------------------------------------------------------
JAR="$HERE/target/bench.jar"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    echo "bench: building the library, the command's jar and bench/target/bench.jar" >&2
    # bench is a module of the root reactor: the library and syncmesh-cli come from this work
    # tree's build, never from ~/.m2.
    mvn -B -q -pl bench -am package -DskipTests
fi
if [ ! -f "$JAR" ]; then
    echo "bench: $JAR is missing (run without BENCH_SKIP_BUILD)" >&2
    exit 1
fi
if [ ! -d interop/js2p/node_modules/js2p ]; then
    echo "bench: installing js2p (npm ci --prefix interop/js2p)" >&2
    npm ci --prefix interop/js2p >&2
fi

# ---- run ---------------------------------------------------------------------------------------
echo "bench: running (hard limit ${LIMIT_S} s)" >&2
# shellcheck disable=SC2086
timeout --signal=TERM --kill-after=15 "$LIMIT_S" \
    java -Xmx512m -cp "$ROOT/syncmesh/target/classes:$JAR" org.syncmesh.bench.Bench --repo "$ROOT" --jar "$JAR" --jvm-opts "$JVM_OPTS" --cli-jvm-opts "$CLI_JVM_OPTS" "$@" &
BENCH_PID=$!
wait "$BENCH_PID"
status=$?
BENCH_PID=""
exit "$status"
