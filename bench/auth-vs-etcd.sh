#!/usr/bin/env bash
# What authentication costs a client: etcd 3.4 and kv-serve side by side, one member each.
#
#     bench/auth-vs-etcd.sh [SECONDS]
#
# For each server: GETs of one key with wrk (2 threads, 8 connections, SECONDS each, default 10)
# with auth off; with auth on as the guest (no credentials); and with auth on as a user with
# Basic credentials (etcd checks the bcrypt hash on every such request; kv-serve remembers a
# password that checked out against the user's current hash). Prints requests/s and mean
# latency per case, and the ratios kv-serve/etcd.
# Environment: KV_SERVE (default target/release/kv-serve), ETCD (default etcd).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
SECS=${1:-10}
KV_SERVE=${KV_SERVE:-target/release/kv-serve}
ETCD=${ETCD:-etcd}
[ -x "$KV_SERVE" ] || die "$KV_SERVE missing: cargo build --release"
command -v "$ETCD" >/dev/null || die "etcd missing (apt-get install etcd-server)"
command -v wrk >/dev/null || die "wrk missing (apt-get install wrk)"
TMP=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT

start() {  # NAME PROGRAM... ; IP in $IP
    local name=$1; shift
    "$@" --name "$name" --data-dir "$TMP/$name" \
        --listen-client-urls "http://$IP:2379" --advertise-client-urls "http://$IP:2379" \
        --listen-peer-urls "http://$IP:2380" --initial-advertise-peer-urls "http://$IP:2380" \
        --initial-cluster "$name=http://$IP:2380" >"$TMP/$name.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do curl -sf "http://$IP:2379/health" >/dev/null && return; sleep 0.1; done
    die "$name did not start"
}

# rps and mean latency (ms) of wrk against URL, with extra wrk args
load() {
    local out
    out=$(wrk -t2 -c8 -d"${SECS}s" "$@" 2>&1)
    local rps lat
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    lat=$(awk '/Latency/ {print $2; exit}' <<<"$out")
    echo "$rps $(to_ms "$lat")"
}

declare -A R
for server in etcd kv-serve; do
    if [ "$server" = etcd ]; then IP=127.0.0.65; start etcd "$ETCD" --enable-v2=true
    else IP=127.0.0.66; start kv-serve "$KV_SERVE"; fi
    EP="http://$IP:2379"
    curl -sf -XPUT "$EP/v2/keys/message" -d value="CROC Cloud" >/dev/null
    R[$server,off]=$(load "$EP/v2/keys/message")
    curl -sf -XPUT "$EP/v2/auth/users/root" -d '{"user":"root","password":"rootpw"}' >/dev/null
    curl -sf -XPUT "$EP/v2/auth/users/app" -d '{"user":"app","password":"apppw"}' >/dev/null
    curl -sf -XPUT "$EP/v2/auth/roles/reader" -d '{"role":"reader","permissions":{"kv":{"read":["/message"],"write":[]}}}' >/dev/null
    curl -sf -XPUT "$EP/v2/auth/users/app" -d '{"user":"app","grant":["reader"]}' >/dev/null
    curl -sf -XPUT "$EP/v2/auth/enable" >/dev/null
    R[$server,guest]=$(load "$EP/v2/keys/message")
    R[$server,user]=$(load -H "Authorization: Basic $(printf app:apppw | base64)" "$EP/v2/keys/message")
    code=$(curl -s -o /dev/null -w '%{http_code}' -u app:apppw "$EP/v2/keys/message")
    [ "$code" = 200 ] || die "$server: the user's GET got $code"
    kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
done

echo "## Authentication's cost: etcd vs kv-serve ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
echo
echo "GET of one key, wrk -t2 -c8 -d${SECS}s; requests/s (mean latency)."
echo
echo "| | etcd | kv-serve | kv-serve/etcd |"
echo "|---|---|---|---|"
for case in off guest user; do
    read -r e_rps e_lat <<<"${R[etcd,$case]}"
    read -r k_rps k_lat <<<"${R[kv-serve,$case]}"
    label=$case
    [ "$case" = off ] && label="auth off"
    [ "$case" = guest ] && label="auth on, no credentials (guest)"
    [ "$case" = user ] && label="auth on, Basic credentials"
    echo "| $label | $e_rps ($e_lat ms) | $k_rps ($k_lat ms) | $(ratio "$k_rps" "$e_rps") |"
done
