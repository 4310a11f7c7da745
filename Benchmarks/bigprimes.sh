#!/usr/bin/env bash
# The per-item CPU-bound map: COUNT probable primes of each bit length, serial vs threads vs
# processes, fastest of ROUNDS alternating runs, and the speedup of each over serial.
#
#   Benchmarks/bigprimes.sh [COUNT] [ROUNDS] [WORKERS] [BITS...]   default: 64 3 <cores> 512 1024 2048
#
# The acceptance check is the 1024-bit row: processes on 2 workers at least 1.7x serial.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-64}
rounds=${2:-3}
workers=${3:-$(nproc)}
shift 3 || shift $# || true
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(512 1024 2048)

swift build -c release --product hybrid >/dev/null
hybrid=$(swift build -c release --show-bin-path)/hybrid

declare -A best
for _ in $(seq "$rounds"); do
    for bits in "${sizes[@]}"; do
        for strategy in serial threads processes; do
            extra=()
            [ "$strategy" != serial ] && extra=(--workers "$workers")
            s=$("$hybrid" bigprimes --bits "$bits" --count "$count" --strategy "$strategy" "${extra[@]}" \
                --json --no-progress | sed 's/.*"seconds": \([0-9.e-]*\).*/\1/')
            key="$bits/$strategy"
            best[$key]=$(awk -v b="${best[$key]:-}" -v s="$s" 'BEGIN { print (b == "" || s + 0 < b + 0) ? s : b }')
        done
    done
done

printf '%s probable primes per run, %s worker(s), %s core(s), fastest of %s\n\n' \
    "$count" "$workers" "$(nproc)" "$rounds"
printf '%-6s %10s %18s %18s\n' bits serial threads processes
for bits in "${sizes[@]}"; do
    serial=${best[$bits/serial]}
    printf '%-6s %8.3f s' "$bits" "$serial"
    for strategy in threads processes; do
        s=${best[$bits/$strategy]}
        printf ' %18s' "$(awk -v s="$s" -v b="$serial" 'BEGIN { printf "%.3f s %5.2fx", s, b / s }')"
    done
    echo
done
