#!/usr/bin/env bash
# `kv get` against `ETCDCTL_API=2 etcdctl get`: wall time per invocation, side by side in one
# hyperfine run against the same server.
#
#   bench/kv-vs-etcdctl.sh
#
# Starts one kv-serve member on 127.0.0.23:2379/2380 (temp data dir), writes /message, then
# runs hyperfine with both commands (each with member sync, as a user types them) and prints
# the ratio kv/etcdctl of the mean wall times. Target: <= 0.3.
#
# Environment:
#   RUNS=200          hyperfine --runs for each command (after 10 warm-up runs)
#   KV_BIN            the kv binary (default target/release/kv, built if missing)
#   KV_SERVE_BIN      the server (default target/release/kv-serve)
#   ETCDCTL           etcdctl binary (default etcdctl)
#   BENCH_STRICT=1    exit 1 when the target is missed (default: report only)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-200}
IP=127.0.0.23
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
KV_BIN=${KV_BIN:-$TARGET_DIR/release/kv}
KV_SERVE_BIN=${KV_SERVE_BIN:-$TARGET_DIR/release/kv-serve}
ETCDCTL=${ETCDCTL:-etcdctl}

die() { echo "bench: $*" >&2; exit 1; }
for tool in hyperfine python3 curl "$ETCDCTL"; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install hyperfine python3 curl etcd-client)"
done
if [ ! -x "$KV_BIN" ] || [ ! -x "$KV_SERVE_BIN" ]; then
    echo "bench: building release binaries" >&2
    (cd "$ROOT" && cargo build --release --bin kv --bin kv-serve)
fi

work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

ep=http://$IP:2379
"$KV_SERVE_BIN" --name bench --data-dir "$work/data" \
    --listen-client-urls "$ep" --advertise-client-urls "$ep" \
    --listen-peer-urls "http://$IP:2380" --initial-advertise-peer-urls "http://$IP:2380" \
    --initial-cluster "bench=http://$IP:2380" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    curl -fs "$ep/health" 2>/dev/null | grep -q true && break
    sleep 0.1
done
curl -fs "$ep/health" | grep -q true || { cat "$work/server.log" >&2; die "kv-serve did not start"; }
curl -fs -XPUT "$ep/v2/keys/message" -d value="CROC Cloud" >/dev/null

# both must print the same thing before they are timed
[ "$("$KV_BIN" --endpoints "$ep" get /message)" = "CROC Cloud" ] || die "kv get gave a wrong answer"
[ "$(ETCDCTL_API=2 "$ETCDCTL" --endpoints "$ep" get /message)" = "CROC Cloud" ] || die "etcdctl get gave a wrong answer"

export ETCDCTL_API=2
hyperfine --warmup 10 --runs "$RUNS" -N --export-json "$work/h.json" \
    -n "kv get" "$KV_BIN --endpoints $ep get /message" \
    -n "etcdctl get" "$ETCDCTL --endpoints $ep get /message"

python3 - "$work/h.json" "${BENCH_STRICT:-0}" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
kv, ec = r["kv get"]["mean"], r["etcdctl get"]["mean"]
ratio = kv / ec
print()
print("| command | mean | stddev |")
print("|---|---|---|")
for n in ("kv get", "etcdctl get"):
    print(f"| {n} | {r[n]['mean']*1000:.2f} ms | {r[n]['stddev']*1000:.2f} ms |")
ok = ratio <= 0.3
print(f"\nratio kv/etcdctl = {ratio:.3f} (target <= 0.3: {'met' if ok else 'MISSED'})")
sys.exit(1 if (not ok and sys.argv[2] == "1") else 0)
PY
