#!/usr/bin/env bash
# The tests, as CI runs them, on this machine: first .ci/setup.sh installs what they need (as
# root, on Debian 12 with the Rust toolchain: Debian packages, cargo-nextest, a Docker engine,
# the local registry), then every test runs. Extra arguments go to nextest, e.g.
#   ./test.sh -E 'binary(cluster_handover)'
set -euo pipefail
cd "$(dirname "$0")"
.ci/setup.sh
exec cargo nextest run --no-fail-fast "$@"
