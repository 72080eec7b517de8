#!/usr/bin/env bash
# Three kv-serve members against three etcd 3.4 members, side by side in one run, on the v2
# keys API, with the load sent to a FOLLOWER (so every write is forwarded to the leader and
# replicated to a quorum).
#
#   bench/cluster-vs-etcd.sh
#
# Starts a 3-member etcd cluster (--enable-v2=true) on 127.0.0.41..43:2379/2380 and a 3-member
# kv-serve cluster on 127.0.0.44..46:2379/2380, each with its own --initial-cluster and
# --initial-cluster-token, temp data dirs and the same --snapshot-count. Finds each cluster's
# leader through /v2/stats/self and picks another member; then for each cluster, against that
# follower's client URL:
#   PUT: wrk, CONNS connections, THREADS threads, DURATION; 256-byte form-encoded values over
#        KEYS keys (bench/v2-keys.lua)
#   GET: the same, reading the keys the PUT phase wrote (plain reads, served by the follower)
# (REPEAT rounds, interleaved) and records requests/s and p99 latency (wrk --latency). Any
# non-2xx answer or socket error fails the run. Prints a Markdown table with the ratios
# kv-serve/etcd and the targets: PUT >= 2x with p99 <= 0.5x, GET >= 1.5x.
#
# Environment:
#   DURATION=10s CONNS=64 THREADS=2 KEYS=10000
#   SNAPSHOT_COUNT=100000 --snapshot-count given to ALL six members (the default of etcd 3.4
#                  and kv-serve), so both clusters snapshot equally often
#   REPEAT=3       rounds; each round runs PUT then GET on both clusters, interleaved, and the
#                  table shows medians (the machine has 2 cores shared by wrk and six servers)
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
ETCD_IPS=(127.0.0.41 127.0.0.42 127.0.0.43)
KV_IPS=(127.0.0.44 127.0.0.45 127.0.0.46)


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

TMP=$(mktemp -d "${TMPDIR:-/tmp}/kv-cluster-bench.XXXXXX")
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

# start_cluster SIDE PREFIX "IP..." ARGV... : spawns three members PREFIX1..3 (one per IP)
# with one --initial-cluster, waits until each is healthy; sets MEMBER_PIDS[SIDE.i].
declare -A MEMBER_PIDS
start_cluster() {
    local side=$1 prefix=$2 ips=$3
    shift 3
    local -a ip_list
    read -r -a ip_list <<<"$ips"
    local initial="" i ip name
    for i in "${!ip_list[@]}"; do
        initial+="${initial:+,}$prefix$((i + 1))=http://${ip_list[$i]}:2380"
    done
    for ip in "${ip_list[@]}"; do
        for port in 2379 2380; do
            if (exec 3<>"/dev/tcp/$ip/$port") 2>/dev/null; then
                die "$ip:$port is already in use; stop whatever listens there"
            fi
        done
    done
    for i in "${!ip_list[@]}"; do
        ip=${ip_list[$i]}
        name=$prefix$((i + 1))
        "$@" --name "$name" --data-dir "$TMP/$name.data" \
            --listen-client-urls "http://$ip:2379" --advertise-client-urls "http://$ip:2379" \
            --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
            --initial-cluster "$initial" --initial-cluster-token "$prefix-token" \
            --initial-cluster-state new --snapshot-count "$SNAPSHOT_COUNT" \
            </dev/null >"$TMP/$name.log" 2>&1 &
        MEMBER_PIDS[$side.$i]=$!
        PIDS+=("$!")
    done
    # The members need each other for a quorum: wait for all of them together.
    for i in "${!ip_list[@]}"; do
        ip=${ip_list[$i]}
        name=$prefix$((i + 1))
        local ok=0
        for _ in $(seq 300); do
            if ! kill -0 "${MEMBER_PIDS[$side.$i]}" 2>/dev/null; then
                tail -20 "$TMP/$name.log" >&2
                die "$name exited during start-up (log above)"
            fi
            if curl -sf --max-time 1 "http://$ip:2379/health" 2>/dev/null | grep -q '"health": *"true"'; then
                ok=1
                break
            fi
            sleep 0.1
        done
        [ "$ok" = 1 ] || { tail -20 "$TMP/$name.log" >&2; die "$name not healthy after 30 s (log above)"; }
    done
}

# state IP: the member's Raft state from /v2/stats/self (StateLeader, StateFollower, ...)
state() {
    curl -sf --max-time 2 "http://$1:2379/v2/stats/self" 2>/dev/null |
        python3 -c 'import json, sys; print(json.load(sys.stdin).get("state", "?"))' 2>/dev/null || echo '?'
}

# pick_follower "IP..." : sets LEADER_IDX and FOLLOWER_IDX (the member after the leader)
pick_follower() {
    local -a ip_list
    read -r -a ip_list <<<"$1"
    local i
    for _ in $(seq 100); do
        for i in "${!ip_list[@]}"; do
            if [ "$(state "${ip_list[$i]}")" = StateLeader ]; then
                LEADER_IDX=$i
                FOLLOWER_IDX=$(((i + 1) % ${#ip_list[@]}))
                [ "$(state "${ip_list[$FOLLOWER_IDX]}")" = StateFollower ] ||
                    die "${ip_list[$FOLLOWER_IDX]} is not a follower of ${ip_list[$i]}"
                return 0
            fi
        done
        sleep 0.2
    done
    die "no leader among $1 within 20 s"
}


# run_wrk NAME IP MODE KEYS -> sets RPS P99 (ms); fails on non-2xx or socket errors
run_wrk() {
    local name=$1 ip=$2 mode=$3 keys=$4 out
    out=$TMP/$name.$mode.$r.wrk
    echo "bench: $name $mode: wrk -t$THREADS -c$CONNS -d$DURATION over $keys keys at http://$ip:2379" >&2
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

# covered_keys IP: the largest N such that /bench/k0 .. k(N-1) all exist (a quorum read, so a
# follower that lags behind cannot under-count)
covered_keys() {
    curl -sf --max-time 30 "http://$1:2379/v2/keys/bench?quorum=true" | python3 -c '
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

start_cluster etcd bench-etcd "${ETCD_IPS[*]}" "${ETCD_ARGV[@]}"
start_cluster kv bench-kv "${KV_IPS[*]}" "${KV_ARGV[@]}"

pick_follower "${ETCD_IPS[*]}"
declare -A NAME IP LEADER
NAME[etcd]=bench-etcd$((FOLLOWER_IDX + 1)); IP[etcd]=${ETCD_IPS[$FOLLOWER_IDX]}; LEADER[etcd]=bench-etcd$((LEADER_IDX + 1))
pick_follower "${KV_IPS[*]}"
NAME[kv]=bench-kv$((FOLLOWER_IDX + 1)); IP[kv]=${KV_IPS[$FOLLOWER_IDX]}; LEADER[kv]=bench-kv$((LEADER_IDX + 1))
for side in etcd kv; do
    echo "bench: $side: leader ${LEADER[$side]}, load goes to follower ${NAME[$side]} (http://${IP[$side]}:2379)" >&2
done

etcd_version=$(curl -sf "http://${IP[etcd]}:2379/version" || echo '?')
kv_version=$(curl -sf "http://${IP[kv]}:2379/version" || echo '?')

# alive SIDE: every member of the side's cluster still runs
alive() {
    local i
    for i in 0 1 2; do
        kill -0 "${MEMBER_PIDS[$1.$i]}" 2>/dev/null || die "$1 member $((i + 1)) died during the run"
    done
}

# REPEAT rounds, the two clusters interleaved within each round (PUT etcd, PUT kv, GET etcd,
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
        alive "$side"
    done
done
for side in etcd kv; do
    # The leader must not have changed under the load (else the "follower" numbers mix roles).
    [ "$(state "${IP[$side]}")" = StateFollower ] ||
        echo "bench: warning: ${NAME[$side]} is no longer a follower after the run" >&2
    for m in put_rps put_p99 get_rps get_p99; do
        R[$side.$m.all]=${R[$side.$m]% }
        # shellcheck disable=SC2086  # a space-separated list of numbers
        R[$side.$m]=$(median ${R[$side.$m]})
    done
done

# verdict VALUE-KV VALUE-ETCD OP LIMIT  -> sets V to met/missed, counts MISSED
MISSED=0

verdict "${R[kv.put_rps]}" "${R[etcd.put_rps]}" ">=" 2; v_put=$V
verdict "${R[kv.put_p99]}" "${R[etcd.put_p99]}" "<=" 0.5; v_put99=$V
verdict "${R[kv.get_rps]}" "${R[etcd.get_rps]}" ">=" 1.5; v_get=$V

cat <<EOF

## Three kv-serve members vs three etcd members, v2 keys API, load on a follower

$(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores (load average $load at start); 3 members each, --snapshot-count $SNAPSHOT_COUNT for all; wrk -t$THREADS -c$CONNS -d$DURATION against a follower's client URL, median of $REPEAT interleaved rounds, 256-byte values over $KEYS keys (GET over ${R[etcd.keys]} / ${R[kv.keys]} keys written).
etcd: \`${ETCD_ARGV[*]}\` $etcd_version; load on ${NAME[etcd]} (leader ${LEADER[etcd]})
kv-serve: $KV_LABEL $kv_version; load on ${NAME[kv]} (leader ${LEADER[kv]})

| metric | etcd ×3 | kv-serve ×3 | ratio (kv-serve/etcd) | target | |
|---|---:|---:|---:|---|---|
| PUT requests/s | ${R[etcd.put_rps]} | ${R[kv.put_rps]} | $(ratio "${R[kv.put_rps]}" "${R[etcd.put_rps]}") | ≥ 2× | $v_put |
| PUT p99 latency (ms) | ${R[etcd.put_p99]} | ${R[kv.put_p99]} | $(ratio "${R[kv.put_p99]}" "${R[etcd.put_p99]}") | ≤ 0.5× | $v_put99 |
| GET requests/s | ${R[etcd.get_rps]} | ${R[kv.get_rps]} | $(ratio "${R[kv.get_rps]}" "${R[etcd.get_rps]}") | ≥ 1.5× | $v_get |
| GET p99 latency (ms) | ${R[etcd.get_p99]} | ${R[kv.get_p99]} | $(ratio "${R[kv.get_p99]}" "${R[etcd.get_p99]}") | lower is better | |

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
