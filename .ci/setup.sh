#!/usr/bin/env bash
# Installs what the tests need on a Debian 12 machine that has the Rust toolchain, and checks
# it answers: Debian packages, cargo-nextest, a Docker engine, the local registry with busybox.
# Idempotent: what is there already is left alone (apt-get only runs when a package is missing).
# Run as root (./test.sh runs it first; so does .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "setup: run as root (the tests make cgroups, network namespaces and run units as nobody)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
# etcd-server: the reference server (conformance was recorded against etcd 3.4; the harness can
#   start it with COREKIT_TEST_SERVER=etcd). etcd-client (etcdctl) and python3-etcd: the real
#   clients that tests/conformance.rs drives through ../shared/conformance/clients.sh.
# wrk, hyperfine: the benchmarks under bench/. curl, procps: scripts and process inspection.
# zsh, fish: tests/completions.rs checks the generated completions parse and complete.
# iproute2: tests/partition.rs cuts members apart with network namespaces (ip netns, veth); ss
#   resets connections in tests/cluster_handover.rs.
# docker-registry, busybox-static: the local registry (127.0.0.1:5000) and the busybox image
#   that the Docker tests pull (.ci/registry.sh builds and pushes it).
# etcd-discovery: Debian's discovery.etcd.io, the reference tests/disco_serve.rs compares
#   `disco serve` with byte for byte, and that tests/disco_bootstrap.rs bootstraps kv-serve through.
# nginx: the load balancer tests/disco_nginx.rs keeps in step with announced backends.
PACKAGES=(etcd-server etcd-client python3-etcd wrk hyperfine curl procps zsh fish iproute2 docker-registry busybox-static etcd-discovery nginx)
command -v docker >/dev/null || PACKAGES+=(docker.io)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    # (retried: a mirror hiccup should not fail the run)
    for attempt in 1 2 3; do
        if apt-get update -q && apt-get install -y -q "${missing[@]}" </dev/null; then
            break
        fi
        [ "$attempt" = 3 ] && { echo "setup: apt-get failed 3 times" >&2; exit 1; }
        sleep 10
    done
fi

if ! cargo nextest --version >/dev/null 2>&1; then
    echo "setup: cargo-nextest missing: installing it from crates.io" >&2
    cargo install --locked cargo-nextest
fi
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy

# The Docker engine must answer: the unit-run, unit-sched and seed-cluster tests use it (and
# fail, never skip, without it). It is normally running already; if not, start it.
if ! docker version >/dev/null 2>&1; then
    echo "setup: the Docker engine does not answer; starting dockerd" >&2
    (service docker start || (nohup dockerd >/var/log/dockerd.log 2>&1 &)) || true
    for _ in $(seq 1 60); do docker version >/dev/null 2>&1 && break; sleep 1; done
fi
docker version --format 'Docker engine {{.Server.Version}}' >&2 || echo "setup: WARNING: no Docker engine: the Docker tests will fail" >&2
bash .ci/registry.sh >&2 || echo "setup: WARNING: the local registry is not up: the Docker tests will fail" >&2
