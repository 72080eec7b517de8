#!/usr/bin/env bash
# Build corekit in release mode and install its programs, man pages and shell completions.
#
#   ./install.sh [--prefix DIR]        (default: $PREFIX, else ~/.local)
#
# Installs:
#   every [[bin]] of Cargo.toml          -> PREFIX/bin
#   man/*.1 man/*.5 man/*.7              -> PREFIX/share/man/man1, man5, man7
#   completions/bash/*  (or *.bash)      -> PREFIX/share/bash-completion/completions
#   completions/zsh/*   (or _*)          -> PREFIX/share/zsh/site-functions
#   completions/fish/*  (or *.fish)      -> PREFIX/share/fish/vendor_completions.d
#   units/*.service (paths filled in)    -> PREFIX/share/corekit/units (cfg-init carries its own
#                                           copies; these are for systemd hosts and for reading)
set -euo pipefail

usage() {
    sed -n '2,12s/^# \{0,1\}//p' "$0"
}

prefix=${PREFIX:-$HOME/.local}
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
                  prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
[ -n "$prefix" ] || { echo "install.sh: empty prefix" >&2; exit 2; }
case $prefix in /*) ;; *) prefix=$PWD/$prefix ;; esac

cd "$(dirname "$0")"

command -v cargo >/dev/null || { echo "install.sh: cargo not found (install the Rust toolchain)" >&2; exit 3; }

# Binary names: the `name = "..."` of each [[bin]] section of Cargo.toml.
mapfile -t bins < <(awk '
    /^[[:space:]]*\[\[bin\]\][[:space:]]*$/ { inbin = 1; next }
    /^[[:space:]]*\[/                        { inbin = 0 }
    inbin && /^[[:space:]]*name[[:space:]]*=/ {
        line = $0; sub(/^[^=]*=[[:space:]]*"/, "", line); sub(/".*$/, "", line); print line
    }' Cargo.toml)
if [ ${#bins[@]} -eq 0 ]; then
    echo "install.sh: no [[bin]] sections in Cargo.toml" >&2
    exit 3
fi

echo "install.sh: building ${bins[*]} (cargo build --release --locked)" >&2
cargo build --release --locked

target_dir=${CARGO_TARGET_DIR:-target}
installed=()

put() { # put MODE SRC DEST
    install -D -m "$1" "$2" "$3"
    installed+=("$3")
}

for b in "${bins[@]}"; do
    src=$target_dir/release/$b
    [ -x "$src" ] || { echo "install.sh: $src was not built" >&2; exit 3; }
    put 755 "$src" "$prefix/bin/$b"
done

shopt -s nullglob
manpages=0
for page in man/*.1 man/*.5 man/*.7; do
    sec=${page##*.}
    manpages=$((manpages + 1))
    put 644 "$page" "$prefix/share/man/man$sec/$(basename "$page")"
done

# Completions: completions/{bash,zsh,fish}/FILE, or flat files named by shell convention.
for f in completions/bash/*; do
    [ -f "$f" ] && put 644 "$f" "$prefix/share/bash-completion/completions/$(basename "$f" .bash)"
done
for f in completions/*.bash; do
    put 644 "$f" "$prefix/share/bash-completion/completions/$(basename "$f" .bash)"
done
for f in completions/zsh/* completions/_*; do
    [ -f "$f" ] && put 644 "$f" "$prefix/share/zsh/site-functions/$(basename "$f")"
done
for f in completions/fish/* completions/*.fish; do
    [ -f "$f" ] && put 644 "$f" "$prefix/share/fish/vendor_completions.d/$(basename "$f")"
done
# corekit's unit files, with the binaries' directory and the default run and state dirs
# filled in (cfg-init fills them from its own flags when it loads them).
for f in units/*.service; do
    tmp=$(mktemp)
    sed -e "s|@BINDIR@|$prefix/bin|g" -e "s|@RUNDIR@|/run/corekit|g" -e "s|@STATEDIR@|/var/lib/corekit|g" "$f" > "$tmp"
    put 644 "$tmp" "$prefix/share/corekit/units/$(basename "$f")"
    rm -f "$tmp"
done
shopt -u nullglob

echo "installed ${#installed[@]} files under $prefix:"
for f in "${installed[@]}"; do
    echo "  $f"
done

case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo
       echo "note: $prefix/bin is not on your PATH; add it with:"
       echo "  export PATH=\"$prefix/bin:\$PATH\""
       ;;
esac
if [ "$manpages" -gt 0 ] && ! manpath 2>/dev/null | tr ':' '\n' | grep -qx "$prefix/share/man"; then
    echo "note: if 'man kv-serve' finds nothing, add $prefix/share/man to MANPATH"
fi
