#!/usr/bin/env bash
# Makes the local registry the unit-run tests pull from: Debian's docker-registry on
# 127.0.0.1:5000 (loopback only, no auth, storage under $REGISTRY_DIR), holding a busybox
# image built from Debian's busybox-static with `docker import` (there is no outside registry).
# Idempotent: a registry already answering is kept, an image already pushed is pushed again.
set -euo pipefail

REGISTRY=127.0.0.1:5000
REGISTRY_DIR=${REGISTRY_DIR:-/var/tmp/corekit-registry}
BUSYBOX=${BUSYBOX:-/bin/busybox}

docker version --format 'Docker engine {{.Server.Version}}' || { echo "registry.sh: the Docker engine does not answer" >&2; exit 1; }

if ! curl -fsS "http://$REGISTRY/v2/" >/dev/null 2>&1; then
    mkdir -p "$REGISTRY_DIR/data"
    cat >"$REGISTRY_DIR/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: $REGISTRY
YAML
    nohup docker-registry serve "$REGISTRY_DIR/config.yml" >"$REGISTRY_DIR/registry.log" 2>&1 &
    for _ in $(seq 1 50); do
        curl -fsS "http://$REGISTRY/v2/" >/dev/null 2>&1 && break
        sleep 0.2
    done
    curl -fsS "http://$REGISTRY/v2/" >/dev/null || { echo "registry.sh: docker-registry did not start:" >&2; cat "$REGISTRY_DIR/registry.log" >&2; exit 1; }
fi

# A busybox root filesystem: the static binary and the applets the tests' units use.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for applet in sh echo sleep cat ls true false date hostname env; do
    ln -s busybox "$root/bin/$applet"
done
tar -C "$root" -c . | docker import - "$REGISTRY/busybox:latest" >/dev/null
docker push "$REGISTRY/busybox:latest" >/dev/null
echo "registry.sh: $REGISTRY/busybox:latest is in the registry"
