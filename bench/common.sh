# Shared by the side-by-side benchmarks: sourced, not run.
# shellcheck shell=bash

die() { echo "bench: $*" >&2; exit 1; }

# to_ms 12.34ms|567.00us|1.20s
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
        printf "%.2f", n
    }'
}

# median of the arguments
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f×", a / b }'; }

verdict() {
    if awk -v a="$1" -v b="$2" -v op="$3" -v t="$4" 'BEGIN { if (b + 0 == 0) exit 1; r = a / b; exit !((op == ">=" && r >= t) || (op == "<=" && r <= t)) }'; then
        V="met"
    else
        MISSED=$((MISSED + 1))
        V="**missed**"
    fi
}
