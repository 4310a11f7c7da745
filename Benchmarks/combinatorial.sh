#!/usr/bin/env bash
# The combinatorial engine on one thread, in both its modes: pi(x) alone (count-only, beside
# primecount's pi) and pi(x) with the sum of the primes <= x (beside primesum's sum), when the
# peers are given.
#
#   Benchmarks/combinatorial.sh [ROUNDS] [X ...]
#
#   ROUNDS   runs of each contender per x, alternating (default 3); the table shows the fastest
#   X        any of: 1e12 ... 1e19, top (2^64 - 1), or a number (default: 1e12 1e14 1e16)
#
# Environment:
#   PRIMECOUNT=path   a primecount binary (run as `primecount X -t1`)
#   PRIMESUM=path     a primesum binary (run as `primesum X -t1`)
#   CC=compiler       the C compiler (default: clang); the engine is built -O3 -march=native
#
# Times are whole-process wall seconds; with GNU time (/usr/bin/time) installed the table also
# gives peak resident memory (%M, the largest over an x's runs). Every count (of both modes) must
# agree with primecount's and every sum with primesum's (exit 1 otherwise). The engine prints each
# term's seconds on stderr; they are left out of the table.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
    rounds=$1
    shift
fi
rows=("$@")
[ ${#rows[@]} -eq 0 ] && rows=(1e12 1e14 1e16)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench="$work/combinatorial-bench"
"${CC:-clang}" -O3 -march=native -std=gnu11 -ISources/CPrimePi/include Sources/CPrimePi/*.c \
    Benchmarks/combinatorial-bench.c -lm -o "$bench"

[ -n "${PRIMECOUNT:-}" ] || echo "PRIMECOUNT is not set: no primecount column."
[ -n "${PRIMESUM:-}" ] || echo "PRIMESUM is not set: no primesum column."
gnu_time=
[ -x /usr/bin/time ] && gnu_time=/usr/bin/time

number() {
    case $1 in
    top) echo 18446744073709551615 ;;
    1e*) printf '1%0*d\n' "${1#1e}" 0 ;;
    *) echo "$1" ;;
    esac
}

# run NAME COMMAND...: the fastest wall time and the largest peak of NAME's runs so far.
declare -A best peak output
run() {
    local name=$1
    shift
    local start end seconds kilobytes=0
    start=$(date +%s.%N)
    if [ -n "$gnu_time" ]; then
        output[$name]=$("$gnu_time" -f %M -o "$work/memory" "$@")
        kilobytes=$(tail -n 1 "$work/memory")
    else
        output[$name]=$("$@")
    fi
    end=$(date +%s.%N)
    seconds=$(echo "$end - $start" | bc -l)
    if [ -z "${best[$name]:-}" ] || (($(echo "$seconds < ${best[$name]}" | bc -l))); then
        best[$name]=$seconds
    fi
    if [ -z "${peak[$name]:-}" ] || ((kilobytes > ${peak[$name]})); then
        peak[$name]=$kilobytes
    fi
}

printf '%-6s %9s %7s %9s %7s %10s %7s %9s %7s %9s %9s %9s\n' x "hybrid pi" MiB "pi+sum" MiB \
    primecount MiB primesum MiB "pi/pc" "sum/pc" "sum/ps"
status=0
for row in "${rows[@]}"; do
    x=$(number "$row")
    best=() peak=() output=()
    for ((round = 0; round < rounds; round++)); do
        run count "$bench" --count-only "$x" 2>/dev/null
        run hybrid "$bench" "$x" 2>/dev/null
        [ -n "${PRIMECOUNT:-}" ] && run primecount "$PRIMECOUNT" "$x" -t1
        [ -n "${PRIMESUM:-}" ] && run primesum "$PRIMESUM" "$x" -t1
    done
    read -r _ count sum _ <<<"${output[hybrid]}"
    read -r _ alone _ <<<"${output[count]}"
    if [ "$alone" != "$count" ]; then
        echo "pi($x): count-only $alone, with the sum $count" >&2
        status=1
    fi
    if [ -n "${PRIMECOUNT:-}" ] && [ "$(tail -n 1 <<<"${output[primecount]}")" != "$count" ]; then
        echo "pi($x): hybrid $count, primecount $(tail -n 1 <<<"${output[primecount]}")" >&2
        status=1
    fi
    if [ -n "${PRIMESUM:-}" ] && [ "$(tail -n 1 <<<"${output[primesum]}")" != "$sum" ]; then
        echo "sum($x): hybrid $sum, primesum $(tail -n 1 <<<"${output[primesum]}")" >&2
        status=1
    fi
    column() { # seconds and MiB of a contender, or dashes
        if [ -n "${best[$1]:-}" ]; then
            printf '%*.2f %7.1f' "$2" "${best[$1]}" "$(echo "${peak[$1]} / 1024" | bc -l)"
        else
            printf '%*s %7s' "$2" - -
        fi
    }
    ratio() { # ratio NUMERATOR DENOMINATOR
        [ -n "${best[$2]:-}" ] && printf '%9.2f' "$(echo "${best[$1]} / ${best[$2]}" | bc -l)" || printf '%9s' -
    }
    printf '%-6s %s %s %s %s %s %s %s\n' "$row" "$(column count 9)" "$(column hybrid 9)" \
        "$(column primecount 10)" "$(column primesum 9)" "$(ratio count primecount)" \
        "$(ratio hybrid primecount)" "$(ratio hybrid primesum)"
done
exit $status
