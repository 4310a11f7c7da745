#!/usr/bin/env bash
# How the primes workload scales with workers: the sum of the primes below N (default 1e10)
# for every engine x strategy x worker count, fastest of ROUNDS (default 3) alternating runs.
#
#   Benchmarks/scaling.sh [N] [ROUNDS] [WORKERS...]     default: 1e10 3 1 2 4 8 16
#
# Prints seconds per cell, then each cell's speedup over its own 1-worker time.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1e10}
rounds=${2:-3}
shift 2 || shift $# || true
workers=("$@")
[ ${#workers[@]} -eq 0 ] && workers=(1 2 4 8 16)

swift build -c release --product hybrid >/dev/null
hybrid=$(swift build -c release --show-bin-path)/hybrid

declare -A best
for _ in $(seq "$rounds"); do
    for w in "${workers[@]}"; do
        for strategy in threads processes; do
            for engine in c swift; do
                s=$("$hybrid" primes "$size" --strategy "$strategy" --engine "$engine" --workers "$w" \
                    --json --no-progress | sed 's/.*"seconds": \([0-9.e-]*\).*/\1/')
                key="$strategy/$engine/$w"
                best[$key]=$(awk -v b="${best[$key]:-}" -v s="$s" 'BEGIN { print (b == "" || s + 0 < b + 0) ? s : b }')
            done
        done
    done
done

printf 'sum of the primes below %s, %s core(s), fastest of %s\n\n' "$size" "$(nproc)" "$rounds"
printf '%-9s' workers; for combo in threads/c threads/swift processes/c processes/swift; do printf ' %16s' "$combo"; done; echo
for w in "${workers[@]}"; do
    printf '%-9s' "$w"
    for combo in threads/c threads/swift processes/c processes/swift; do
        s=${best[$combo/$w]}
        base=${best[$combo/${workers[0]}]}
        printf ' %16s' "$(awk -v s="$s" -v b="$base" 'BEGIN { printf "%.3f s %5.2fx", s, b / s }')"
    done
    echo
done
