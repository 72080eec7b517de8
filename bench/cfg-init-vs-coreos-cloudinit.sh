#!/usr/bin/env bash
# cfg-init validate and coreos-cloudinit -validate side by side on the same inputs: every input
# of ../shared/reference/coreos-cloudinit/inputs/, printed one after the other.
#   bench/cfg-init-vs-coreos-cloudinit.sh [COREOS_CLOUDINIT]
# COREOS_CLOUDINIT defaults to /tmp/cci/bin/coreos-cloudinit (the reference's build.sh makes it
# from a git directory of coreos/coreos-cloudinit v1.14.0; it needs golang-go). Without it, the
# validator's recorded transcripts are shown instead. tests/cfg_init_validate.rs checks the
# comparison (every coreos-cloudinit finding on the same line) against those transcripts.
set -u
cd "$(dirname "$0")/.."
REF=../shared/reference/coreos-cloudinit
CCI=${1:-/tmp/cci/bin/coreos-cloudinit}
cargo build -q --bin cfg-init || exit 3
CFG=target/debug/cfg-init
for f in $(cd "$REF/inputs" && find . -type f | sed 's|^\./||' | sort); do
    name=$(echo "$f" | tr '/' '_'); name=${name%.*}
    echo "=== $f"
    echo "--- coreos-cloudinit v1.14.0"
    if [ -x "$CCI" ]; then
        (cd "$REF" && "$CCI" -validate --from-file "inputs/$f" 2>&1 | sed -n 's/^[0-9/]* [0-9:]* line/line/p'; echo "exit ${PIPESTATUS[0]}")
    else
        sed -n 's/^[0-9/]* [0-9:]* line/line/p; s/^--- exit code: /exit /p' "$REF/transcripts/validate/$name.txt"
    fi
    echo "--- cfg-init"
    (cd "$REF/inputs" && "$OLDPWD/$CFG" validate "$f" 2>/dev/null; echo "exit $?")
done
