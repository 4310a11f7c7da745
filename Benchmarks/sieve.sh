#!/usr/bin/env bash
# The sieve against primesieve: counting and summing the primes below N with one worker
# (hybrid --strategy serial, primesieve -t1).
#
#   Benchmarks/sieve.sh [ROUNDS] [N ...]       default: 5 rounds, N = 1e9 1e10
#
# Each round runs every contender once, in turn, so that noise from this shared machine
# falls on all of them alike; the table shows the fastest run of each and the ratios.
# primesieve (the command) and libprimesieve-dev (for the iterator-sum anchor) are used when
# installed and reported missing otherwise; hybrid never depends on them.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
shift || true
sizes=("${@:-1e9}")
[ $# -eq 0 ] && sizes=(1e9 1e10)

swift build -c release --product hybrid >/dev/null
hybrid=$(swift build -c release --show-bin-path)/hybrid
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

have_primesieve=false
command -v primesieve >/dev/null && have_primesieve=true
have_iterator=false
if [ -f /usr/include/primesieve.h ] &&
    cc -O2 -o "$work/iterator-sum" Benchmarks/primesieve-iterator-sum.c -lprimesieve 2>/dev/null; then
    have_iterator=true
fi
$have_primesieve || echo "primesieve is not installed (apt-get install primesieve): its column is empty"
$have_iterator || echo "libprimesieve-dev is not installed: the iterator-sum column is empty"

seconds() { # runs "$@", prints its wall time in seconds
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    awk "BEGIN { printf \"%.4f\", $end - $start }"
}
min() { awk -v best="$1" -v new="$2" 'BEGIN { print (best == "" || new + 0 < best + 0) ? new : best }'; }
digits() { awk "BEGIN { printf \"%.0f\", $1 }"; }

printf '%-6s %14s %14s %14s %14s %12s %12s %12s\n' N "hybrid count" "primesieve" "hybrid sum" "iterator sum" \
    "count/ps" "sum/iter" "sum/count"
for size in "${sizes[@]}"; do
    n=$(digits "$size")
    best_count="" best_primesieve="" best_sum="" best_iterator=""
    for _ in $(seq "$rounds"); do
        best_count=$(min "$best_count" "$(seconds "$hybrid" primes "$n" --strategy serial --count-only --no-progress)")
        if $have_primesieve; then
            best_primesieve=$(min "$best_primesieve" "$(seconds primesieve "$n" -c -t1 -q)")
        fi
        best_sum=$(min "$best_sum" "$(seconds "$hybrid" primes "$n" --strategy serial --no-progress)")
        if $have_iterator; then
            best_iterator=$(min "$best_iterator" "$(seconds "$work/iterator-sum" "$n")")
        fi
    done
    ratio() { [ -n "$1" ] && [ -n "$2" ] && awk "BEGIN { printf \"%.3f\", $1 / $2 }" || printf -- '-'; }
    show() { [ -n "$1" ] && printf '%.3f s' "$1" || printf -- '-'; }
    printf '%-6s %14s %14s %14s %14s %12s %12s %12s\n' "$size" "$(show "$best_count")" \
        "$(show "$best_primesieve")" "$(show "$best_sum")" "$(show "$best_iterator")" \
        "$(ratio "$best_count" "$best_primesieve")" "$(ratio "$best_sum" "$best_iterator")" \
        "$(ratio "$best_sum" "$best_count")"
done
