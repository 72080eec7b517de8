#!/usr/bin/env bash
# One write waking N long-poll watchers: kv-serve and etcd 3.4 side by side in one run.
#
#   bench/watchers-vs-etcd.sh [N] [ROUNDS]        (default 10000 watchers, 5 rounds)
#
# Starts one etcd member (--enable-v2=true) on 127.0.0.71 and one kv-serve member on 127.0.0.72
# and runs bench/watch_wake.rs (a Rust client: N connections, each a GET ?wait=true on one key,
# then one PUT, and the time until every watcher has its whole answer) against each in turn,
# interleaved round by round. Prints the medians of the rounds: time to the first, median, 99th
# percentile and last answer, and the ratio kv-serve/etcd of the last.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
N=${1:-10000}
ROUNDS=${2:-5}
command -v etcd >/dev/null || die "etcd not found (apt-get install etcd-server)"
ulimit -n $((N + 1000)) 2>/dev/null || die "cannot raise the open files limit to $((N + 1000))"
(cd "$ROOT" && cargo build --release --quiet --bin kv-serve --example watch_wake)
KV=${CARGO_TARGET_DIR:-$ROOT/target}/release/kv-serve
CLIENT=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/watch_wake
TMP=$(mktemp -d "${TMPDIR:-/tmp}/watch-bench.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT
start() { # NAME IP ARGV...
    local name=$1 ip=$2
    shift 2
    "$@" --name "$name" --data-dir "$TMP/$name" \
        --listen-client-urls "http://$ip:2379" --advertise-client-urls "http://$ip:2379" \
        --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
        --initial-cluster "$name=http://$ip:2380" </dev/null >"$TMP/$name.log" 2>&1 &
    PIDS+=("$!")
    for _ in $(seq 100); do curl -sf "http://$ip:2379/health" >/dev/null && return 0; sleep 0.1; done
    die "$name did not start (log: $TMP/$name.log)"
}
start etcd 127.0.0.71 etcd --enable-v2=true
start kv 127.0.0.72 "$KV"
declare -A first median p99 last
for r in $(seq "$ROUNDS"); do
    for side in etcd kv; do
        ip=127.0.0.71; [ "$side" = kv ] && ip=127.0.0.72
        read -r f m p l < <("$CLIENT" "http://$ip:2379" "$N" 1)
        first[$side]+=" $f"; median[$side]+=" $m"; p99[$side]+=" $p"; last[$side]+=" $l"
        echo "round $r, $side: first $f ms, median $m ms, p99 $p ms, last $l ms" >&2
    done
done
echo "## One write waking $N watchers: etcd vs kv-serve, median of $ROUNDS rounds"
echo
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores; ms from the PUT to each watcher's whole answer."
echo
echo "| | first | median | p99 | all answered | "
echo "|---|---|---|---|---|"
for side in etcd kv; do
    # shellcheck disable=SC2086
    echo "| $side | $(median ${first[$side]}) | $(median ${median[$side]}) | $(median ${p99[$side]}) | $(median ${last[$side]}) |"
done
# shellcheck disable=SC2086
echo "| ratio kv-serve/etcd | | | | $(ratio "$(median ${last[kv]})" "$(median ${last[etcd]})") |"
