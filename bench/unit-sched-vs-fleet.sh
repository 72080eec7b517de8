#!/usr/bin/env bash
# A unit's failover when its machine dies: real fleet v1.0 and unit-sched side by side.
#
#   bench/unit-sched-vs-fleet.sh [ROUNDS]          (default 3)
#
# fleet: the reference cluster of ../shared/reference/fleet (three systemd containers running
# fleetd v1.0.0 against etcd 3.4 on the docker network's gateway), driven by its cluster.sh:
# `failover` starts croc.service, `docker kill`s the container it runs on, and polls
# `fleetctl list-units` every 0.5 s until it is active on another machine.
# unit-sched: the seed cluster of examples/seed-cluster (three machine containers booted from the
# seed's cloud-config: kv-serve, unit-run, unit-sched), the same unit, the same kill, the same
# poll with `unit-sched list-units`. Both with the default agent TTL (30 s).
#
# Needs: root, Docker, corekit installed or built (cargo build --release), fleet built
# (FLEET_GIT_DIR=<a git dir of coreos/fleet> for ../shared/reference/fleet/build.sh, run when
# /tmp/fleet/bin/fleetctl is missing) and its image (cluster.sh image, run when missing:
# debootstrap from the Debian mirror). Prints the failover times and their medians.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
ROUNDS=${1:-3}
REF=${FLEET_REFERENCE:-$ROOT/../shared/reference/fleet}
[ -x "$REF/cluster.sh" ] || die "no fleet reference at $REF (FLEET_REFERENCE)"
if [ ! -x /tmp/fleet/bin/fleetctl ]; then
    [ -n "${FLEET_GIT_DIR:-}" ] || die "fleet is not built: set FLEET_GIT_DIR to a git dir of coreos/fleet"
    "$REF/build.sh" "$FLEET_GIT_DIR" >&2
fi
docker image inspect fleet-node:bookworm >/dev/null 2>&1 || "$REF/cluster.sh" image >&2
BIN=${COREKIT_BIN_DIR:-$ROOT/target/release}
[ -x "$BIN/unit-sched" ] || die "$BIN/unit-sched missing: cargo build --release (or COREKIT_BIN_DIR)"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fleet-bench.XXXXXX")
cleanup() {
    "$REF/cluster.sh" down >/dev/null 2>&1 || true
    COREKIT_SEED_DIR=$TMP/seed "$ROOT/examples/seed-cluster/down.sh" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

# The unit fleet's reference runs (its machines have no Docker): the seed's loop, in sh.
cat >"$TMP/croc.service" <<'U'
[Unit]
Description=CROC Cloud demo (seed walkthrough, /bin/sh instead of docker)

[Service]
ExecStart=/bin/sh -c 'while true; do echo "CROC Cloud"; sleep 1; done'
U

# --- fleet (its cluster.sh starts /tmp/fleet/croc.service)
FLEET=()
cp "$TMP/croc.service" /tmp/fleet/croc.service
"$REF/cluster.sh" up >&2
for r in $(seq "$ROUNDS"); do
    T=$TMP/fleet RUN=$r "$REF/cluster.sh" failover >/dev/null 2>&1 || true
    t=$(sed -n 's/^# failover time .*: \([0-9.]*\) s$/\1/p' "$TMP/fleet/failover-$r.txt")
    [ -n "$t" ] && ! grep -q "gave up" "$TMP/fleet/failover-$r.txt" ||
        { cat "$TMP/fleet/failover-$r.txt" >&2; die "fleet round $r: no failover (transcript above)"; }
    echo "fleet round $r: $t s" >&2
    FLEET+=("$t")
done
"$REF/cluster.sh" down >&2

# --- unit-sched
export COREKIT_SEED_DIR=$TMP/seed
US="$BIN/unit-sched"
CORE=()
for r in $(seq "$ROUNDS"); do
    # A fresh cluster each round (as fleet's reference restarts its killed machine).
    eval "$(COREKIT_BIN_DIR=$BIN "$ROOT/examples/seed-cluster/up.sh" 2>/dev/null | grep '^export KV_ENDPOINTS=')"
    (cd "$TMP" && "$US" start croc.service >/dev/null)
    line=""
    for _ in $(seq 120); do
        line=$("$US" list-units --no-legend --fields=unit,machine,active 2>/dev/null | grep croc || true)
        [ "$(echo "$line" | awk '{print $3}')" = active ] && break
        sleep 0.5
    done
    ip=$(echo "$line" | grep -o '172\.31\.250\.[0-9]*')
    mid=$(echo "$line" | awk '{print substr($2,1,8)}')
    victim=corekit-m${ip##*.1}
    t0=$(date +%s.%N)
    docker kill "$victim" >/dev/null
    while :; do
        now=$(date +%s.%N)
        cur=$("$US" list-units --no-legend --fields=unit,machine,active 2>/dev/null | grep croc || true)
        if echo "$cur" | awk -v m="$mid" '$3=="active" && substr($2,1,8)!=m {f=1} END {exit !f}'; then break; fi
        awk -v a="$t0" -v b="$now" 'BEGIN { exit !(b - a > 180) }' && die "unit-sched round $r: no failover in 180 s"
        sleep 0.5
    done
    t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    echo "unit-sched round $r: $t s" >&2
    CORE+=("$t")
    "$ROOT/examples/seed-cluster/down.sh" 2>/dev/null
done

echo "## A unit's failover when its machine is killed: fleet v1.0 vs unit-sched, $ROUNDS rounds"
echo
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ); 3 machines (Docker containers) each, agent TTL 30 s; from \`docker kill\` of the unit's machine until \`list-units\` shows it active on another (polled every 0.5 s)."
echo
echo "| | rounds (s) | median (s) |"
echo "|---|---|---|"
echo "| fleet v1.0.0 | ${FLEET[*]} | $(median "${FLEET[@]}") |"
echo "| unit-sched | ${CORE[*]} | $(median "${CORE[@]}") |"
echo "| ratio unit-sched/fleet | | $(ratio "$(median "${CORE[@]}")" "$(median "${FLEET[@]}")") |"
