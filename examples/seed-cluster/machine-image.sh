#!/usr/bin/env bash
# Builds the image every seed-cluster "machine" boots: corekit's programs and the few tools the
# seed's commands use (busybox for a shell and coreutils, the docker CLI, curl, nginx), copied
# from this computer with the libraries they load, and a boot script. No registry is involved:
# the root filesystem is made here and `docker import`ed.
#
#   machine-image.sh BIN_DIR [IMAGE]      (IMAGE default: corekit-machine:latest)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: machine-image.sh BIN_DIR [IMAGE]}
image=${2:-corekit-machine:latest}
root=$(mktemp -d /tmp/corekit-machine-root.XXXXXX)
trap 'rm -rf "$root"' EXIT

need() { command -v "$1" >/dev/null || { echo "machine-image.sh: $1 is needed ($2)" >&2; exit 3; }; }
need busybox "apt-get install busybox-static"
need docker "the Docker engine and CLI"
need curl "apt-get install curl"
need nginx "apt-get install nginx"

# A program and every library it loads, at the same paths.
copy_with_libs() {
    local f=$1 dest=${2:-$1}
    install -D -m 755 "$f" "$root$dest"
    { ldd "$f" 2>/dev/null || true; } | awk '/=>/ { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' | while read -r lib; do
        [ -n "$lib" ] && [ -e "$lib" ] || continue
        [ -e "$root$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib"
    done
}

mkdir -p "$root"/{bin,sbin,etc/corekit,root,tmp,run,var/lib/corekit,var/log/nginx,var/lib/nginx,home/core,media/configdrive,usr/local/bin}
chmod 1777 "$root/tmp"
install -m 755 "$(command -v busybox)" "$root/bin/busybox"
for applet in $(busybox --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
for p in kv-serve kv unit-run unit-sched disco cfg-init; do
    [ -x "$bin/$p" ] || { echo "machine-image.sh: $bin/$p is missing (cargo build --release)" >&2; exit 3; }
    copy_with_libs "$bin/$p" "/usr/local/bin/$p"
    # Debug builds carry ~130 MB of debug info each: the machines do not need it.
    command -v strip >/dev/null && strip --strip-debug "$root/usr/local/bin/$p"
done
# The seed's commands, as its reader typed them.
ln -s kv "$root/usr/local/bin/etcdctl"
ln -s unit-sched "$root/usr/local/bin/fleetctl"
copy_with_libs "$(command -v docker)" /usr/bin/docker
copy_with_libs "$(command -v curl)" /usr/bin/curl
copy_with_libs "$(command -v nginx)" /usr/sbin/nginx
# curl's TLS (unused here) still wants its config files to be absent rather than broken.
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
core:x:500:500:CoreOS Admin:/home/core:/bin/sh
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
core:x:500:
www-data:x:33:
nogroup:x:65534:
GROUP
echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
: >"$root/etc/machine-id"
chown 500:500 "$root/home/core"
install -m 755 "$here/boot" "$root/usr/local/bin/corekit-boot"
install -m 644 "$here/croc.service" "$root/root/croc.service"
for u in web@.service web-announce@.service; do install -m 644 "$here/$u" "$root/root/$u"; done
for u in nginx-lb.service web-lb-render.service; do install -m 644 "$here/../$u" "$root/root/$u"; done
install -m 644 "$here/../nginx-lb.conf.tmpl" "$root/etc/corekit/nginx-lb.conf.tmpl"
mkdir -p "$root/var/www" && echo "hello from a corekit machine" >"$root/var/www/index.html"

tar -C "$root" -c . | docker import \
    --change 'CMD ["/usr/local/bin/corekit-boot"]' \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' \
    --change 'WORKDIR /root' \
    - "$image" >/dev/null
echo "$image"
