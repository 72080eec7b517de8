#!/usr/bin/env bash
# The scheduler at scale, where fleet broke (its README: not over 100 machines or 1,000 units):
# a real 3-member kv-serve cluster, one `unit-sched engine`, and AGENTS simulated machines in
# one process (`unit-sched simulate-agents`: each runs the real agent — registration, scoped
# watches, reconcile, state publishing — on a machine that runs nothing). UNITS instances of
# one template are started with one `unit-sched start --no-block`, and the clock runs until
# every unit's agent reports it launched.
#
#   bench/unit-sched-scale.sh [UNITS [AGENTS]]      (default 10000 1000)
#
# Prints the store's requests per unit (writes counted once, reads where served), the engine's
# CPU, the members' RSS, and as its last line: UNITS units on AGENTS agents: all launched in S s
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

UNITS=${1:-10000}
AGENTS=${2:-1000}
cargo build --release --locked --bin kv-serve --bin unit-sched >&2
B=$PWD/target/release
WORK=$(mktemp -d /tmp/unit-sched-scale.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    sleep 1
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# The open-files limit: 2 long polls per agent, plus heartbeats.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

IPS=(127.0.0.231 127.0.0.232 127.0.0.233)
CLUSTER=$(printf 'm%d=http://%s:2380,' 1 "${IPS[0]}" 2 "${IPS[1]}" 3 "${IPS[2]}"); CLUSTER=${CLUSTER%,}
EPS=$(printf 'http://%s:2379,' "${IPS[@]}"); EPS=${EPS%,}
for i in 1 2 3; do
    ip=${IPS[$((i - 1))]}
    "$B/kv-serve" --name "m$i" --data-dir "$WORK/m$i" --initial-cluster "$CLUSTER" --initial-cluster-token scale \
        --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
        --listen-client-urls "http://$ip:2379" --advertise-client-urls "http://$ip:2379" >"$WORK/m$i.log" 2>&1 &
    PIDS+=($!)
done
MEMBERS=("${PIDS[@]}")
for ip in "${IPS[@]}"; do
    for _ in $(seq 1 100); do curl -sf "http://$ip:2379/health" | grep -q true && break; sleep 0.1; done
done

US=("$B/unit-sched" --endpoints "$EPS")
"${US[@]}" engine --machine-id bench-engine >"$WORK/engine.log" 2>&1 &
ENGINE=$!; PIDS+=("$ENGINE")
"${US[@]}" simulate-agents --agents "$AGENTS" >"$WORK/agents.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 600); do
    n=$("${US[@]}" list-machines --no-legend 2>/dev/null | wc -l)
    [ "$n" -ge "$AGENTS" ] && break
    sleep 0.5
done
[ "$n" -ge "$AGENTS" ] || die "only $n of $AGENTS agents registered"
echo "bench: $AGENTS agents registered" >&2

stats() { # writes (one member's count: every member applies every write), reads (all members)
    local w=0 r=0 i=0
    for ip in "${IPS[@]}"; do
        s=$(curl -sf "http://$ip:2379/v2/stats/store")
        r=$((r + $(echo "$s" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["getsSuccess"]+d["getsFail"])')))
        if [ $i = 0 ]; then
            w=$(echo "$s" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(v for k,v in d.items() if k not in ("getsSuccess","getsFail","watchers","expireCount")))')
        fi
        i=$((i + 1))
    done
    echo "$w $r"
}
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

mkdir -p "$WORK/units"
printf '[Unit]\nDescription=bench %%i\n\n[Service]\nExecStart=/bin/true\n' >"$WORK/units/bench@.service"
# The agents' heartbeats are writes too: measure their rate while nothing else happens, so
# the writes the units cost can be told from them.
read -r wa _ < <(stats)
ta=$(date +%s.%N)
sleep 5
read -r w0 r0 < <(stats)
c0=$(cpu "$ENGINE")
idle_rate=$(echo "($w0 - $wa) / ($(date +%s.%N) - $ta)" | bc -l)
t0=$(date +%s.%N)
(cd "$WORK/units" && eval "\"\${US[@]}\" start --no-block bench@{1..$UNITS}.service" >/dev/null)
t1=$(date +%s.%N)
echo "bench: $UNITS units submitted in $(echo "$t1 - $t0" | bc) s" >&2
launched=0
for _ in $(seq 1 1200); do
    launched=$(curl -sf "http://${IPS[0]}:2379/v2/keys/_corekit/sched/states?recursive=true" | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except Exception:
    print(0); sys.exit()
n = 0
for u in d.get("node", {}).get("nodes", []) or []:
    if any(json.loads(s["value"]).get("job") == "launched" for s in u.get("nodes", []) or []):
        n += 1
print(n)')
    [ "$launched" -ge "$UNITS" ] && break
    sleep 0.5
done
t2=$(date +%s.%N)
[ "$launched" -ge "$UNITS" ] || die "only $launched of $UNITS units launched"
read -r w1 r1 < <(stats)
c1=$(cpu "$ENGINE")
secs=$(echo "$t2 - $t0" | bc)
tck=$(getconf CLK_TCK)
beats=$(echo "$idle_rate * $secs" | bc -l)
echo "store writes per unit: $(echo "scale=2; ($w1 - $w0 - $beats) / $UNITS" | bc) (plus the machines' heartbeats: $(printf '%.0f' "$idle_rate")/s for $AGENTS agents)"
echo "store reads per unit:  $(echo "scale=2; ($r1 - $r0) / $UNITS" | bc)"
echo "engine CPU: $(echo "scale=2; ($c1 - $c0) / $tck" | bc) s"
for i in 0 1 2; do
    echo "member m$((i + 1)) RSS: $(awk '/VmRSS/ { printf "%.1f MiB", $2 / 1024 }' "/proc/${MEMBERS[$i]}/status")"
done
printf '%s units on %s agents: all launched in %.2f s\n' "$UNITS" "$AGENTS" "$secs"
