#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), from the committed seeds plus the
# corpus grown by earlier runs (fuzz/corpus/TARGET, not committed). A crash stops the run;
# the input is in fuzz/artifacts/TARGET/ — make it a regression test, fix, run again.
# CI runs this with a short time per target (.ci/run); README "Fuzzing" has the long runs.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
TARGETS=$(cargo +nightly fuzz list)
cargo +nightly fuzz build
for t in $TARGETS; do
    mkdir -p "corpus/$t"
    echo "fuzz: $t for ${SECONDS_EACH}s" >&2
    cargo +nightly fuzz run "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 2>&1 |
        grep -E "^(stat::|#[0-9]+.*DONE|==[0-9]+==|SUMMARY|INFO: Running|Done )" || true
    # (libFuzzer also keeps slow-unit-* inputs: slow, not wrong.)
    if [ -n "$(find "artifacts/$t" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) 2>/dev/null)" ]; then
        echo "fuzz: $t found an input that fails: $(ls artifacts/$t)" >&2
        exit 1
    fi
done
