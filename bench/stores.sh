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
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    mvn -B -q install -DskipTests
    mvn -B -q -f bench/pom.xml package -DskipTests
fi
CP_FILE="$HERE/target/stores.classpath"
mvn -B -q -f bench/pom.xml dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=provided
OUT="${STORES_OUT:-bench/results/$(date +%F)-stores.md}"
exec timeout --signal=TERM --kill-after=15 "${BENCH_LIMIT_S:-1200}" \
    java -Xmx1g --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    -cp "$HERE/target/classes:$(cat "$CP_FILE")" org.syncmesh.bench.StoreChoice \
    --dir "$HERE/target/stores-data" --out "$OUT" --command "$CMD" "$@"
