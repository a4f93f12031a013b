#!/usr/bin/env bash
# Time from starting a node to its first line (the start line of `node --json`: it is listening),
# over RUNS runs, with the median. Issue 16's start-up figure (target: 0.3 s).
#
#   bench/startup.sh [RUNS]     # bin/syncmesh (jvm.options and the CDS archive) and plain java -jar, in turn
#   bench/startup.sh RUNS -- COMMAND...   # any command whose first stdout line says it started
#
# Every run starts a fresh process on an ephemeral port of 127.0.0.1 and ends it with `quit`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

time_runs() { # RUNS COMMAND...: prints each run's milliseconds, sorted, then the median
  local runs=$1 i s e line
  shift
  local times=()
  for ((i = 0; i < runs; i++)); do
    s=$(date +%s%N)
    coproc NODE { exec "$@" 2>/dev/null; }
    read -r line <&"${NODE[0]}"
    e=$(date +%s%N)
    echo quit >&"${NODE[1]}"
    wait "$NODE_PID" || true
    times+=($(((e - s) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' '
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "ms; median " a[int((NR+1)/2)] " ms"}'
}

runs=${1:-11}
if [ "${2:-}" = "--" ]; then
  shift 2
  time_runs "$runs" "$@"
  exit
fi
jar="$ROOT/syncmesh-cli/target/syncmesh.jar"
[ -f "$jar" ] || (cd "$ROOT" && mvn -B -q -pl syncmesh-cli -am package -DskipTests) >&2
echo "bin/syncmesh node --json --port 0:"
time_runs "$runs" "$ROOT/bin/syncmesh" node --json --port 0
echo "java -jar syncmesh.jar node --json --port 0:"
time_runs "$runs" java -jar "$jar" node --json --port 0
