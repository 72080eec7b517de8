#!/usr/bin/env bash
# Takes away everything up.sh made: the machines (and a croc_service container their units
# left), the private network, the discovery service and its store, and the state directory.
# The machines' image stays, for the next up.sh (docker rmi corekit-machine to remove it).
set -uo pipefail
state=${COREKIT_SEED_DIR:-/tmp/corekit-seed}
net=$(cat "$state/net" 2>/dev/null || echo "${COREKIT_SEED_NET:-corekit-seed}")
name=$(cat "$state/name" 2>/dev/null || echo "${COREKIT_SEED_NAME:-corekit-m}")
machines=$(docker ps -aq --filter "name=^$name[0-9]$" 2>/dev/null)
# A clean stop first (the agents stop their units, croc.service's container with them), then
# whatever is left.
[ -z "$machines" ] || docker stop -t 30 $machines >/dev/null 2>&1
[ -z "$machines" ] || docker rm -f $machines >/dev/null 2>&1
docker rm -f croc_service >/dev/null 2>&1
docker network rm "$net" >/dev/null 2>&1
for p in disco discovery-store; do
    if [ -s "$state/$p.pid" ]; then
        pid=$(cat "$state/$p.pid")
        kill "$pid" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    fi
done
rm -rf "$state"
echo "down.sh: the seed cluster is gone" >&2
