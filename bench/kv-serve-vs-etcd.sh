#!/usr/bin/env bash
# kv-serve against etcd 3.4, side by side in one run, on the v2 keys API.
#
#   bench/kv-serve-vs-etcd.sh
#
# Starts etcd (--enable-v2=true) on 127.0.0.21:2379/2380 and kv-serve on 127.0.0.22:2379/2380,
# each a one-member cluster with default settings and a temp data dir, then for each server:
#   PUT: wrk, CONNS connections, THREADS threads, DURATION; 256-byte form-encoded values over
#        KEYS keys (bench/v2-keys.lua)
#   GET: the same, reading the keys the PUT phase wrote
# (REPEAT rounds, interleaved) and records requests/s, p99 latency (wrk --latency) and the server's VmRSS / VmHWM after the
# load. Any non-2xx answer or socket error fails the run. Prints a Markdown table with the
# ratios kv-serve/etcd and the targets: PUT >= 2x, GET >= 1.5x, RSS <= 0.25x.
#
# Environment:
#   DURATION=10s CONNS=64 THREADS=2 KEYS=10000
#   SNAPSHOT_COUNT=100000 --snapshot-count given to BOTH servers (the default of etcd 3.4 and kv-serve;
#                  etcd 2 used 10000), so both snapshot equally often
#   REPEAT=3       rounds; each round runs PUT then GET on both servers, interleaved, and the
#                  table shows medians (the machine has 2 cores shared by wrk and the server)
#   KV_SERVE_CMD   command for the kv-serve side (default target/release/kv-serve, built with
#                  `cargo build --release` if missing); e.g. KV_SERVE_CMD="etcd --enable-v2=true"
#                  points both sides at etcd to check this script.
#   ETCD_CMD       command for the etcd side (default "etcd --enable-v2=true")
#   BENCH_STRICT=1 exit 1 when a target is missed (default: report only)
#   KEEP_BENCH_DIR=1 keep the temp dir (data dirs, logs, wrk outputs)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
KEYS=${KEYS:-10000}
REPEAT=${REPEAT:-3}
SNAPSHOT_COUNT=${SNAPSHOT_COUNT:-100000}
LUA=$ROOT/bench/v2-keys.lua
ETCD_IP=127.0.0.21
KV_IP=127.0.0.22


for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install wrk curl python3)"
done

read -r -a ETCD_ARGV <<<"${ETCD_CMD:-etcd --enable-v2=true}"
command -v "${ETCD_ARGV[0]}" >/dev/null || die "${ETCD_ARGV[0]} not found (apt-get install etcd-server)"

if [ -n "${KV_SERVE_CMD:-}" ]; then
    read -r -a KV_ARGV <<<"$KV_SERVE_CMD"
    KV_LABEL="kv-serve (KV_SERVE_CMD=$KV_SERVE_CMD)"
else
    KV_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/kv-serve
    if [ ! -x "$KV_BIN" ]; then
        echo "bench: $KV_BIN missing: cargo build --release" >&2
        (cd "$ROOT" && cargo build --release --bin kv-serve)
    elif [ -n "$(find "$ROOT/lib" "$ROOT/bin" "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" -newer "$KV_BIN" -print -quit 2>/dev/null)" ]; then
        echo "bench: warning: $KV_BIN is older than the sources; run cargo build --release for a current number" >&2
    fi
    KV_ARGV=("$KV_BIN")
    KV_LABEL="kv-serve ($KV_BIN)"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/kv-bench.XXXXXX")
PIDS=()
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    if [ "${KEEP_BENCH_DIR:-}" = 1 ]; then
        echo "bench: kept $TMP" >&2
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME IP ARGV... ; sets STARTED_PID
start_server() {
    local name=$1 ip=$2
    shift 2
    if (exec 3<>"/dev/tcp/$ip/2379") 2>/dev/null; then
        die "$ip:2379 is already in use; stop whatever listens there"
    fi
    "$@" --name "$name" --data-dir "$TMP/$name.data" \
        --listen-client-urls "http://$ip:2379" --advertise-client-urls "http://$ip:2379" \
        --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
        --initial-cluster "$name=http://$ip:2380" --snapshot-count "$SNAPSHOT_COUNT" \
        </dev/null >"$TMP/$name.log" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
    for _ in $(seq 300); do
        if ! kill -0 "$STARTED_PID" 2>/dev/null; then
            tail -20 "$TMP/$name.log" >&2
            die "$name exited during start-up (log above)"
        fi
        if curl -sf --max-time 1 "http://$ip:2379/health" 2>/dev/null | grep -q '"health": *"true"'; then
            return 0
        fi
        sleep 0.1
    done
    tail -20 "$TMP/$name.log" >&2
    die "$name not healthy after 30 s (log above)"
}

# rss_mib PID FIELD  (VmRSS or VmHWM, in MiB)
rss_mib() {
    awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}


# run_wrk NAME IP MODE KEYS -> sets RPS P99 (ms); fails on non-2xx or socket errors
run_wrk() {
    local name=$1 ip=$2 mode=$3 keys=$4 out
    out=$TMP/$name.$mode.wrk
    echo "bench: $name $mode: wrk -t$THREADS -c$CONNS -d$DURATION over $keys keys" >&2
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s --latency \
        -s "$LUA" "http://$ip:2379" -- "$mode" "$keys" "$THREADS" >"$out" 2>&1 ||
        { cat "$out" >&2; die "wrk failed for $name $mode"; }
    local bench_line total bad socket
    bench_line=$(grep '^BENCH ' "$out" || true)
    [ -n "$bench_line" ] || { cat "$out" >&2; die "$name $mode: no BENCH line from the wrk script"; }
    total=$(sed -E 's/.*responses=([0-9]+).*/\1/' <<<"$bench_line")
    bad=$(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<<"$bench_line")
    if [ "$total" -eq 0 ]; then cat "$out" >&2; die "$name $mode: no responses at all"; fi
    if [ "$bad" -ne 0 ] || grep -q 'Non-2xx' "$out"; then
        cat "$out" >&2
        die "$name $mode: $bad non-2xx responses ($bench_line)"
    fi
    socket=$(grep 'Socket errors' "$out" || true)
    if [ -n "$socket" ]; then
        if grep -Eq 'connect [1-9]|read [1-9]|write [1-9]' <<<"$socket"; then
            cat "$out" >&2
            die "$name $mode: $socket"
        fi
        echo "bench: warning: $name $mode: $socket" >&2
    fi
    RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    if [ -z "$RPS" ] || [ -z "$P99" ]; then
        cat "$out" >&2
        die "$name $mode: cannot read wrk's output"
    fi
    echo "bench: $name $mode: $RPS req/s, p99 $P99 ms, $total responses ($bench_line)" >&2
}

# covered_keys IP: the largest N such that /bench/k0 .. k(N-1) all exist
covered_keys() {
    curl -sf --max-time 30 "http://$1:2379/v2/keys/bench" | python3 -c '
import json, sys
nodes = json.load(sys.stdin).get("node", {}).get("nodes", [])
have = {n["key"].rsplit("/", 1)[-1] for n in nodes}
n = 0
while "k%d" % n in have:
    n += 1
print(n)'
}

declare -A R

load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
    echo "bench: warning: load average is $load before the run: other work on this machine skews the numbers" >&2
fi

start_server bench-etcd "$ETCD_IP" "${ETCD_ARGV[@]}"
ETCD_PID=$STARTED_PID
start_server bench-kv "$KV_IP" "${KV_ARGV[@]}"
KV_PID=$STARTED_PID
declare -A NAME=([etcd]=bench-etcd [kv]=bench-kv)
declare -A IP=([etcd]=$ETCD_IP [kv]=$KV_IP)
declare -A PID=([etcd]=$ETCD_PID [kv]=$KV_PID)

etcd_version=$(curl -sf "http://$ETCD_IP:2379/version" || echo '?')
kv_version=$(curl -sf "http://$KV_IP:2379/version" || echo '?')

# REPEAT rounds, the two servers interleaved within each round (PUT etcd, PUT kv, GET etcd,
# GET kv), so drift on a shared machine hits both; the table shows each metric's median.
for r in $(seq "$REPEAT"); do
    for side in etcd kv; do
        run_wrk "${NAME[$side]}" "${IP[$side]}" put "$KEYS"
        R[$side.put_rps]+="$RPS "
        R[$side.put_p99]+="$P99 "
    done
    for side in etcd kv; do
        keys=$(covered_keys "${IP[$side]}")
        [ "$keys" -gt 0 ] || die "${NAME[$side]}: the PUT phase left no readable keys"
        [ "$keys" -ge "$KEYS" ] || echo "bench: note: ${NAME[$side]}: PUT covered only $keys of $KEYS keys; GET reads those" >&2
        R[$side.keys]=$keys
        run_wrk "${NAME[$side]}" "${IP[$side]}" get "$keys"
        R[$side.get_rps]+="$RPS "
        R[$side.get_p99]+="$P99 "
        kill -0 "${PID[$side]}" 2>/dev/null || die "${NAME[$side]} died during the run"
        if [ "$r" = "$REPEAT" ]; then
            R[$side.rss]=$(rss_mib "${PID[$side]}" VmRSS)
            R[$side.hwm]=$(rss_mib "${PID[$side]}" VmHWM)
        fi
    done
done
for side in etcd kv; do
    for m in put_rps put_p99 get_rps get_p99; do
        R[$side.$m.all]=${R[$side.$m]% }
        # shellcheck disable=SC2086  # a space-separated list of numbers
        R[$side.$m]=$(median ${R[$side.$m]})
    done
done

# verdict VALUE-KV VALUE-ETCD OP LIMIT  -> sets V to met/missed, counts MISSED
MISSED=0

verdict "${R[kv.put_rps]}" "${R[etcd.put_rps]}" ">=" 2; v_put=$V
verdict "${R[kv.get_rps]}" "${R[etcd.get_rps]}" ">=" 1.5; v_get=$V
verdict "${R[kv.rss]}" "${R[etcd.rss]}" "<=" 0.25; v_rss=$V

cat <<EOF

## kv-serve vs etcd, v2 keys API

$(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores (load average $load at start); --snapshot-count $SNAPSHOT_COUNT for both; wrk -t$THREADS -c$CONNS -d$DURATION, median of $REPEAT interleaved rounds, 256-byte values over $KEYS keys (GET over ${R[etcd.keys]} / ${R[kv.keys]} keys written).
etcd: \`${ETCD_ARGV[*]}\` $etcd_version
kv-serve: $KV_LABEL $kv_version

| metric | etcd | kv-serve | ratio (kv-serve/etcd) | target | |
|---|---:|---:|---:|---|---|
| PUT requests/s | ${R[etcd.put_rps]} | ${R[kv.put_rps]} | $(ratio "${R[kv.put_rps]}" "${R[etcd.put_rps]}") | ≥ 2× | $v_put |
| PUT p99 latency (ms) | ${R[etcd.put_p99]} | ${R[kv.put_p99]} | $(ratio "${R[kv.put_p99]}" "${R[etcd.put_p99]}") | lower is better | |
| GET requests/s | ${R[etcd.get_rps]} | ${R[kv.get_rps]} | $(ratio "${R[kv.get_rps]}" "${R[etcd.get_rps]}") | ≥ 1.5× | $v_get |
| GET p99 latency (ms) | ${R[etcd.get_p99]} | ${R[kv.get_p99]} | $(ratio "${R[kv.get_p99]}" "${R[etcd.get_p99]}") | lower is better | |
| RSS after load (MiB) | ${R[etcd.rss]} | ${R[kv.rss]} | $(ratio "${R[kv.rss]}" "${R[etcd.rss]}") | ≤ 0.25× | $v_rss |
| peak RSS, VmHWM (MiB) | ${R[etcd.hwm]} | ${R[kv.hwm]} | $(ratio "${R[kv.hwm]}" "${R[etcd.hwm]}") | | |

Each round (req/s; p99 ms):
- etcd PUT: ${R[etcd.put_rps.all]}; ${R[etcd.put_p99.all]}
- kv-serve PUT: ${R[kv.put_rps.all]}; ${R[kv.put_p99.all]}
- etcd GET: ${R[etcd.get_rps.all]}; ${R[etcd.get_p99.all]}
- kv-serve GET: ${R[kv.get_rps.all]}; ${R[kv.get_p99.all]}
EOF

if [ "$MISSED" -gt 0 ]; then
    echo
    echo "$MISSED target(s) missed."
    [ "${BENCH_STRICT:-}" = 1 ] && exit 1
fi
exit 0
