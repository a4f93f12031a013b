#!/usr/bin/env bash
# Store choice for the durable mode: RocksDB, SQLite, H2 MVStore and LMDB on the journal's
# workload, reopen + scan, integrity after damage, jar sizes. See bench/README.md, "Store choice".
#
#   bench/stores.sh                 the full comparison (3 repetitions); ~10 min on 2 cores
#   bench/stores.sh --reps 1 --nosync-records 20000 --scan-records 100000   smoke test, ~1 min
#   (options go to org.syncmesh.bench.StoreChoice: --stores rocksdb,sqlite,mvstore,lmdb,
#    --reps N, --nosync-records N, --scan-records N, --cap-s S, --dir D, --out FILE)
#
# Builds the library and bench (BENCH_SKIP_BUILD=1 skips it), asks Maven for the candidates'
# classpath (they are "provided" in bench/pom.xml, not in bench.jar), and writes
# bench/results/<date>-stores.md. The stores work in bench/target/stores-data (not /tmp: the
# filesystem is part of the result). Hard limit: BENCH_LIMIT_S (default 1200).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
cd "$ROOT"
CMD="bench/stores.sh $*"
CP_FILE="$HERE/target/stores.classpath"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    # one reactor build from the root; every module writes CP_FILE in turn and bench, built last, writes it last
    mvn -B -q -pl bench -am package dependency:build-classpath -DskipTests \
        -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=provided
elif [ ! -f "$CP_FILE" ]; then
    echo "stores: $CP_FILE is missing (run without BENCH_SKIP_BUILD)" >&2
    exit 1
fi
OUT="${STORES_OUT:-bench/results/$(date +%F)-stores.md}"
exec timeout --signal=TERM --kill-after=15 "${BENCH_LIMIT_S:-1200}" \
    java -Xmx1g --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    -cp "$HERE/target/classes:$(cat "$CP_FILE")" org.syncmesh.bench.StoreChoice \
    --dir "$HERE/target/stores-data" --out "$OUT" --command "$CMD" "$@"
