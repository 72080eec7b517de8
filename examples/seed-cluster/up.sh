#!/usr/bin/env bash
# The seed's three machines on this computer: each a Docker container on a private network
# (own address, hostname, machine ID, run dir), booted as the seed booted them — a discovery
# token from `disco serve` (here, on the network's gateway), the seed's cloud-config with that
# token as user-data on a config drive (with the machine's address for $private_ipv4), and
# `cfg-init apply` at boot, which starts etcd2.service (kv-serve) and fleet.service
# (unit-sched daemon) through the node agent.
#
#   examples/seed-cluster/up.sh [--size N]     (default 3; down.sh takes it all away)
#
# Needs: root, the Docker engine, corekit's programs (installed on PATH by ./install.sh, or
# built in target/release, or COREKIT_BIN_DIR), busybox-static, curl and nginx on this computer
# (the machines' image is made from them), and for croc.service the local registry on
# 127.0.0.1:5000 (.ci/registry.sh). Its state lives in COREKIT_SEED_DIR (/tmp/corekit-seed);
# COREKIT_SEED_{NET,SUBNET,NAME,IMAGE,STORE_IP} rename what it makes (tests run a cluster of
# their own beside yours).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
size=3
while [ $# -gt 0 ]; do
    case $1 in
        --size) size=${2:?--size needs a number}; shift 2 ;;
        --size=*) size=${1#--size=}; shift ;;
        -h|--help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "up.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
case $size in ''|*[!0-9]*) echo "up.sh: --size must be a number" >&2; exit 2 ;; esac
[ "$size" -ge 1 ] && [ "$size" -le 9 ] || { echo "up.sh: --size must be 1 to 9" >&2; exit 2; }

state=${COREKIT_SEED_DIR:-/tmp/corekit-seed}
net=${COREKIT_SEED_NET:-corekit-seed}
subnet=${COREKIT_SEED_SUBNET:-172.31.250}
image=${COREKIT_SEED_IMAGE:-corekit-machine:latest}
name=${COREKIT_SEED_NAME:-corekit-m}
store_ip=${COREKIT_SEED_STORE_IP:-127.0.0.77}
[ ! -e "$state/up" ] || { echo "up.sh: a cluster is up already (examples/seed-cluster/down.sh first)" >&2; exit 2; }

bin=${COREKIT_BIN_DIR:-}
if [ -z "$bin" ]; then
    if command -v cfg-init >/dev/null && command -v unit-sched >/dev/null; then
        bin=$(dirname "$(command -v cfg-init)")
    else
        bin=$(cd "$here/../.." && pwd)/target/release
    fi
fi
for p in kv-serve kv disco unit-sched unit-run cfg-init; do
    [ -x "$bin/$p" ] || { echo "up.sh: $bin/$p not found: ./install.sh first (or COREKIT_BIN_DIR)" >&2; exit 3; }
done
docker version >/dev/null 2>&1 || { echo "up.sh: the Docker engine does not answer" >&2; exit 3; }

t0=$(date +%s.%N)
mkdir -p "$state"
echo "$net" >"$state/net"
echo "$name" >"$state/name"
"$here/machine-image.sh" "$bin" "$image" >/dev/null

# The private network, and on its gateway the discovery service (backed by a store of its own
# on a loopback address).
gw=$subnet.1
docker network create --subnet "$subnet.0/24" --gateway "$gw" "$net" >/dev/null
"$bin/kv-serve" --name discovery --data-dir "$state/discovery.kv" \
    --listen-client-urls http://$store_ip:2379 --advertise-client-urls http://$store_ip:2379 \
    --listen-peer-urls http://$store_ip:2380 --initial-advertise-peer-urls http://$store_ip:2380 \
    >"$state/discovery-store.log" 2>&1 &
echo $! >"$state/discovery-store.pid"
for _ in $(seq 1 100); do curl -sf http://$store_ip:2379/health >/dev/null && break; sleep 0.1; done
"$bin/disco" serve --kv http://$store_ip:2379 --addr "$gw:8087" --host "http://$gw:8087" \
    >"$state/disco.log" 2>&1 &
echo $! >"$state/disco.pid"
for _ in $(seq 1 100); do curl -sf "http://$gw:8087/health" >/dev/null && break; sleep 0.1; done
token=$("$bin/disco" new --size "$size" --server "http://$gw:8087")
echo "$token" >"$state/token"

# The seed's cloud-config, re-indented, with the new token and nothing else changed.
for i in $(seq 1 "$size"); do
    ip=$subnet.1$i
    drive=$state/m$i/configdrive
    mkdir -p "$drive/openstack/latest" "$drive/ec2/latest"
    sed "s#^    discovery: .*#    discovery: $token#" "$here/cloud-config.yml" \
        >"$drive/openstack/latest/user_data"
    printf '{"local-ipv4": "%s"}\n' "$ip" >"$drive/ec2/latest/meta-data.json"
    printf '{"hostname": "m%s", "uuid": "m%s"}\n' "$i" "$i" >"$drive/openstack/latest/meta_data.json"
    docker run -d --name "$name$i" --hostname "m$i" --network "$net" --ip "$ip" \
        -v "$drive:/media/configdrive:ro" -v /var/run/docker.sock:/var/run/docker.sock \
        --stop-timeout 30 "$image" >/dev/null
done
touch "$state/up"

# Up when every member is healthy and every agent registered.
eps=$(for i in $(seq 1 "$size"); do printf 'http://%s.1%s:2379,' "$subnet" "$i"; done); eps=${eps%,}
deadline=$(( $(date +%s) + 120 ))
until KV_ENDPOINTS=$eps "$bin/kv" cluster-health >/dev/null 2>&1 &&
      [ "$(KV_ENDPOINTS=$eps "$bin/unit-sched" list-machines --no-legend 2>/dev/null | wc -l)" -eq "$size" ]; do
    if [ "$(date +%s)" -gt "$deadline" ]; then
        echo "up.sh: the cluster did not come up within 120 s; machine logs:" >&2
        for i in $(seq 1 "$size"); do
            echo "--- m$i" >&2
            if ! docker exec "$name$i" sh -c 'cat /run/corekit/cfg-init.log; tail -20 /run/corekit/unit-run.log' >&2; then
                # The machine's container has stopped: how, and what it printed last.
                docker inspect -f 'exit code {{.State.ExitCode}}, OOM-killed {{.State.OOMKilled}}, error "{{.State.Error}}"' "$name$i" >&2 || true
                docker logs --tail 40 "$name$i" >&2 || true
            fi
        done
        exit 1
    fi
    sleep 0.5
done
echo "$eps" >"$state/endpoints"
printf 'up.sh: %s machines up in %s s (discovery token %s)\n' "$size" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" "$token" >&2
echo "# a shell on a machine: docker exec -it ${name}1 sh     (croc.service is in /root)"
echo "export KV_ENDPOINTS=$eps"
