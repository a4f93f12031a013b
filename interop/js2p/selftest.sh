#!/usr/bin/env bash
# Self-check for the js2p driver: starts two drivers on 127.0.0.1 (ephemeral ports), connects
# them, sets a key on A, polls `get` on B until the value arrives, checks a broadcast and the
# status of both nodes. Exits 0 on success, 1 on failure, 2 if dependencies are missing.
# Bounded: every wait has a deadline and the whole run gives up after TOTAL_S seconds.
# Children are killed on exit (trap).
# Usage: bash interop/js2p/selftest.sh   (after: npm ci --prefix interop/js2p)
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DRIVER="$HERE/driver.js"
TOTAL_S=${SELFTEST_TIMEOUT_S:-30}

if ! command -v node >/dev/null 2>&1; then
    echo "selftest: node not found" >&2; exit 2
fi
if [ ! -d "$HERE/node_modules/js2p" ]; then
    echo "selftest: js2p not installed; run: npm ci --prefix interop/js2p" >&2; exit 2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/js2p-selftest.XXXXXX")"
PIDS=()
cleanup() {
    exec 3>&- 4>&- 2>/dev/null
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

START=$SECONDS
fail() {
    echo "selftest: FAIL: $*" >&2
    for n in a b; do
        if [ -s "$WORK/$n.err" ]; then echo "--- stderr of driver $n (tail)" >&2; tail -n 20 "$WORK/$n.err" >&2; fi
    done
    exit 1
}

# wait_line FILE N -> sets R to line N of FILE once it exists (bounded by the global deadline).
# Runs in the current shell (never in $(...)), so the reply counters below stay correct.
wait_line() {
    local file=$1 n=$2
    while [ "$(wc -l < "$file")" -lt "$n" ]; do
        [ $((SECONDS - START)) -ge "$TOTAL_S" ] && fail "timed out waiting for reply $n in $(basename "$file")"
        sleep 0.05
    done
    R="$(sed -n "${n}p" "$file")"
}

mkfifo "$WORK/a.in" "$WORK/b.in"
node "$DRIVER" --port 0 < "$WORK/a.in" > "$WORK/a.out" 2> "$WORK/a.err" & PIDS+=($!)
exec 3> "$WORK/a.in"
node "$DRIVER" --port 0 < "$WORK/b.in" > "$WORK/b.out" 2> "$WORK/b.err" & PIDS+=($!)
exec 4> "$WORK/b.in"
NA=1; NB=1   # line numbers of the next expected replies (line 1 = startup line)

cmd_a() { echo "$1" >&3; NA=$((NA + 1)); wait_line "$WORK/a.out" "$NA"; }
cmd_b() { echo "$1" >&4; NB=$((NB + 1)); wait_line "$WORK/b.out" "$NB"; }

wait_line "$WORK/a.out" 1; HELLO_A="$R"
wait_line "$WORK/b.out" 1; HELLO_B="$R"
case "$HELLO_A" in '{"ok":true'*) ;; *) fail "driver A did not start: $HELLO_A" ;; esac
case "$HELLO_B" in '{"ok":true'*) ;; *) fail "driver B did not start: $HELLO_B" ;; esac
PORT_A="$(printf '%s' "$HELLO_A" | sed -n 's/.*"port":\([0-9]*\).*/\1/p')"
ID_A="$(printf '%s' "$HELLO_A" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')"
[ -n "$PORT_A" ] && [ -n "$ID_A" ] || fail "cannot parse startup line: $HELLO_A"
echo "selftest: A id=${ID_A:0:12}... port=$PORT_A"

cmd_b "connect 127.0.0.1 $PORT_A"
[ "$R" = '{"ok":true,"result":null}' ] || fail "connect: $R"

# handshake: B lists A as a peer
while :; do
    cmd_b "peers"
    case "$R" in *"\"id\":\"$ID_A\""*) break ;; esac
    [ $((SECONDS - START)) -ge "$TOTAL_S" ] && fail "B never listed A as a peer: $R"
    sleep 0.1
done

cmd_a 'set "selftest key" {"v":"hello-selftest","n":[1,2,3]}'
[ "$R" = '{"ok":true,"result":null}' ] || fail "set on A: $R"

WANT='{"ok":true,"result":{"v":"hello-selftest","n":[1,2,3]}}'
while :; do
    cmd_b 'get "selftest key"'
    [ "$R" = "$WANT" ] && break
    [ $((SECONDS - START)) -ge "$TOTAL_S" ] && fail "value never reached B (last reply: $R)"
    sleep 0.05
done
echo "selftest: set on A reached B after $((SECONDS - START)) s"

cmd_a 'send ["ping",{"$bin":"AAE="}]'
[ "$R" = '{"ok":true,"result":null}' ] || fail "send on A: $R"
WANT="{\"ok\":true,\"result\":[{\"sender\":\"$ID_A\",\"packets\":[\"ping\",{\"\$bin\":\"AAE=\"}]}]}"
while :; do
    cmd_b 'recv'
    [ "$R" = "$WANT" ] && break
    [ "$R" = '{"ok":true,"result":[]}' ] || fail "unexpected recv on B: $R"
    [ $((SECONDS - START)) -ge "$TOTAL_S" ] && fail "broadcast never reached B"
    sleep 0.05
done

cmd_a status; [ "$R" = '{"ok":true,"result":"Nominal"}' ] || fail "status A: $R"
cmd_b status; [ "$R" = '{"ok":true,"result":"Nominal"}' ] || fail "status B: $R"

cmd_a quit; [ "$R" = '{"ok":true,"result":null}' ] || fail "quit A: $R"
echo "selftest: OK ($((SECONDS - START)) s)"
exit 0
