#!/usr/bin/env bash
# The sieve against primesieve, one worker each (hybrid --strategy serial, primesieve -t1), over
# the rows of the sieve's benchmark table: the whole command for the primes below 1000 (start-up),
# counts below 10^8 ... 10^11, and 10^10-wide ranges from 10^12 up to just below 2^64.
#
#   Benchmarks/sieve.sh [ROUNDS] [ROW ...]
#
#   ROUNDS   runs of each contender per row, alternating (default 3); the table shows the fastest
#   ROW      any of: startup 1e8 1e9 1e10 1e11 1e12 1e13 1e14 1e15 1e18 top (default: all)
#
# Environment:
#   PRIMESIEVE=path    the primesieve to compare with (default: the one on the PATH)
#   PRIMESIEVE2=path   a second one, shown beside it (e.g. the newest built from source and the
#                      distribution's), each with its own ratio column
#   HYBRID=path        a hybrid binary to use instead of building one as the README's first
#                      command does (swift build -c release --static-swift-stdlib -Xswiftc -use-ld=lld
#                      -Xswiftc -LScripts/static-libs -Xlinker -z -Xlinker pack-relative-relocs
#                      -Xlinker --no-export-dynamic)
#   SWIFT=1            also count with the Swift engine, and show its time over the C engine's
#
# Each round runs every contender once on a row, in turn, so that noise from a shared machine
# falls on all of them alike. Times are whole-process wall times; short rows (below 0.1 s) repeat
# each command 20 times within a round and keep its fastest, timed by hyperfine (started without
# a shell) when it is installed, and through the shell otherwise. With GNU time (/usr/bin/time)
# installed, the table also gives peak resident memory (%M, the largest over a row's runs) and,
# for rows of a second or more, the ratio of CPU times (user + system, fastest of each): on a
# machine busy with other work it moves far less than the wall-time ratio. primesieve's stop is
# inclusive, so it is given TO - 1. Every count must agree with hybrid's (exit 1 otherwise);
# hybrid's sums are checked against its own count runs. hybrid never depends on primesieve.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
    rounds=$1
    shift
fi
all_rows=(startup 1e8 1e9 1e10 1e11 1e12 1e13 1e14 1e15 1e18 top)
rows=("$@")
[ ${#rows[@]} -eq 0 ] && rows=("${all_rows[@]}")

# Each row: label, from, to, primesieve's inclusive stop (exact decimals: 2^64 is beyond awk).
row_range() {
    case $1 in
    startup) echo "primes 1000 (whole command)|0|1000|999" ;;
    1e8) echo "count below 1e8|0|100000000|99999999" ;;
    1e9) echo "count below 1e9|0|1000000000|999999999" ;;
    1e10) echo "count below 1e10|0|10000000000|9999999999" ;;
    1e11) echo "count below 1e11|0|100000000000|99999999999" ;;
    1e12) echo "[1e12, +1e10)|1000000000000|1010000000000|1009999999999" ;;
    1e13) echo "[1e13, +1e10)|10000000000000|10010000000000|10009999999999" ;;
    1e14) echo "[1e14, +1e10)|100000000000000|100010000000000|100009999999999" ;;
    1e15) echo "[1e15, +1e10)|1000000000000000|1000010000000000|1000009999999999" ;;
    1e18) echo "[1e18, +1e10)|1000000000000000000|1000000010000000000|1000000009999999999" ;;
    top) echo "[2^64-1e10-1, 2^64-1)|18446744063709551615|18446744073709551615|18446744073709551614" ;;
    *)
        echo "sieve.sh: unknown row '$1' (rows: ${all_rows[*]})" >&2
        exit 2
        ;;
    esac
}
for row in "${rows[@]}"; do row_range "$row" >/dev/null; done

if [ -n "${HYBRID:-}" ]; then
    hybrid=$HYBRID
else
    # As the README builds it: the Swift runtime and the C++ one linked in, and a
    # position-independent executable with packed relative relocations and without a dynamic
    # symbol table, so that start-up is the program's own.
    flags=(-c release --static-swift-stdlib -Xswiftc -use-ld=lld -Xswiftc -LScripts/static-libs
        -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic)
    swift build "${flags[@]}" --product hybrid >/dev/null
    hybrid=$(swift build "${flags[@]}" --show-bin-path)/hybrid
fi
peers=()
peer_names=()
for variable in PRIMESIEVE PRIMESIEVE2; do
    path=${!variable:-}
    [ "$variable" = PRIMESIEVE ] && [ -z "$path" ] && path=$(command -v primesieve || true)
    [ -z "$path" ] && continue
    if ! output=$("$path" --version 2>/dev/null) || ! version=$(awk 'NR == 1 { print $2 }' <<<"$output") ||
        [ -z "$version" ]; then
        echo "sieve.sh: $variable=$path does not run" >&2
        exit 2
    fi
    peers+=("$path")
    peer_names+=("primesieve ${version%,}")
done
[ ${#peers[@]} -eq 0 ] && echo "primesieve is not installed (apt-get install primesieve, or PRIMESIEVE=path): no peer columns"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
have_time=false
[ -x /usr/bin/time ] && /usr/bin/time -f %M -o "$work/rss" true 2>/dev/null && have_time=true

have_hyperfine=false
command -v hyperfine >/dev/null && have_hyperfine=true

# run NAME REPEAT COMMAND...: runs the command REPEAT times, appends its fastest wall time to
# $work/NAME.seconds, its peak RSS (KiB) to $work/NAME.rss, its CPU seconds to $work/NAME.cpu
# and its last output to $work/NAME.out. Repeated (short) commands are timed by hyperfine when
# it is installed: it starts them without a shell, where timing through date and GNU time adds
# about 4 ms to each and so shrinks every ratio towards 1.
run() {
    local name=$1 repeat=$2 best="" start end seconds
    shift 2
    if [ "$repeat" -gt 1 ] && $have_hyperfine; then
        # Its warnings about outliers would break the table; a failure shows them.
        if ! hyperfine -N --style none --warmup 3 --runs "$repeat" --export-json "$work/hyperfine.json" "$*" \
            >/dev/null 2>"$work/hyperfine.err"; then
            cat "$work/hyperfine.err" >&2
            exit 1
        fi
        sed -n 's/.*"min": *\([0-9.e+-]*\).*/\1/p' "$work/hyperfine.json" >>"$work/$name.seconds"
        repeat=1
        best=skip
    fi
    for _ in $(seq "$repeat"); do
        start=$(date +%s.%N)
        if $have_time; then
            /usr/bin/time -f '%M %U %S' -o "$work/rss" "$@" >"$work/$name.out"
            awk '{ print $1 }' "$work/rss" >>"$work/$name.rss"
            awk '{ print $2 + $3 }' "$work/rss" >>"$work/$name.cpu"
        else
            "$@" >"$work/$name.out"
        fi
        end=$(date +%s.%N)
        seconds=$(awk "BEGIN { printf \"%.6f\", $end - $start }")
        [ "$best" = skip ] && continue
        best=$(awk -v b="$best" -v s="$seconds" 'BEGIN { print (b == "" || s + 0 < b + 0) ? s : b }')
    done
    [ "$best" = skip ] || echo "$best" >>"$work/$name.seconds"
}
fastest() { sort -g "$work/$1.seconds" | head -1; }
# The fastest CPU time, or nothing below a second (GNU time counts in hundredths).
fastest_cpu() { [ -s "$work/$1.cpu" ] && sort -g "$work/$1.cpu" | head -1 | awk '$1 >= 1' || true; }
largest_rss() { [ -s "$work/$1.rss" ] && sort -n "$work/$1.rss" | tail -1 || echo ""; }
json_field() { sed -n "s/.*\"$1\": \"\{0,1\}\([0-9]*\)\"\{0,1\}[,}].*/\1/p" "$2"; }
show_seconds() {
    awk -v s="$1" 'BEGIN { if (s == "") print "-"; else if (s < 0.1) printf "%.1f ms", s * 1000; else printf "%.3f s", s }'
}
show_rss() { [ -n "$1" ] && awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }' || printf -- '-'; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk "BEGIN { printf \"%.2fx\", $1 / $2 }" || printf -- '-'; }

header="| case | hybrid count | hybrid sum |"
rule="|---|---|---|"
for name in "${peer_names[@]}"; do
    header+=" $name |"
    rule+="---|"
done
for name in "${peer_names[@]}"; do
    header+=" count / ${name#primesieve } |"
    rule+="---|"
done
for name in "${peer_names[@]}"; do
    header+=" cpu / ${name#primesieve } |"
    rule+="---|"
done
header+=" sum / count |"
rule+="---|"
if [ "${SWIFT:-0}" = 1 ]; then
    header+=" swift count | swift / c |"
    rule+="---|---|"
fi
header+=" peak RSS hybrid |"
rule+="---|"
for name in "${peer_names[@]}"; do
    header+=" peak RSS ${name#primesieve } |"
    rule+="---|"
done
header+=" count |"
rule+="---|"
timing="short rows timed through the shell (install hyperfine to time them without it)"
$have_hyperfine && timing="short rows timed by hyperfine"
echo "$rounds rounds, fastest of each, $timing; hybrid: $hybrid"
echo
echo "$header"
echo "$rule"

status=0
for row in "${rows[@]}"; do
    IFS='|' read -r label from to stop <<<"$(row_range "$row")"
    rm -f "$work"/*.seconds "$work"/*.rss "$work"/*.cpu
    repeat=1
    [ "$row" = startup ] || [ "$row" = 1e8 ] && repeat=20
    for _ in $(seq "$rounds"); do
        run count "$repeat" "$hybrid" primes "$from" "$to" --strategy serial --count-only --no-progress --json
        run sum "$repeat" "$hybrid" primes "$from" "$to" --strategy serial --no-progress --json
        if [ "${SWIFT:-0}" = 1 ]; then
            run swift "$repeat" "$hybrid" primes "$from" "$to" --strategy serial --engine swift --count-only \
                --no-progress --json
        fi
        for index in "${!peers[@]}"; do
            if [ "$from" = 0 ]; then
                run "peer$index" "$repeat" "${peers[$index]}" "$stop" -c -t1 -q
            else
                run "peer$index" "$repeat" "${peers[$index]}" "$from" "$stop" -c -t1 -q
            fi
        done
    done
    count=$(json_field count "$work/count.out")
    line="| $label | $(show_seconds "$(fastest count)") | $(show_seconds "$(fastest sum)") |"
    for index in "${!peers[@]}"; do line+=" $(show_seconds "$(fastest "peer$index")") |"; done
    for index in "${!peers[@]}"; do line+=" $(ratio "$(fastest count)" "$(fastest "peer$index")") |"; done
    for index in "${!peers[@]}"; do line+=" $(ratio "$(fastest_cpu count)" "$(fastest_cpu "peer$index")") |"; done
    line+=" $(ratio "$(fastest sum)" "$(fastest count)") |"
    if [ "${SWIFT:-0}" = 1 ]; then
        line+=" $(show_seconds "$(fastest swift)") | $(ratio "$(fastest swift)" "$(fastest count)") |"
    fi
    line+=" $(show_rss "$(largest_rss count)") |"
    for index in "${!peers[@]}"; do line+=" $(show_rss "$(largest_rss "peer$index")") |"; done
    line+=" $(printf "%'d" "$count") |"
    echo "$line"

    # Every answer agrees: hybrid's sum run and Swift count with its count run, primesieve too.
    disagree=""
    [ "$(json_field count "$work/sum.out")" = "$count" ] || disagree+=" hybrid-sum=$(json_field count "$work/sum.out")"
    if [ "${SWIFT:-0}" = 1 ] && [ "$(json_field count "$work/swift.out")" != "$count" ]; then
        disagree+=" swift=$(json_field count "$work/swift.out")"
    fi
    for index in "${!peers[@]}"; do
        peer_count=$(tr -dc '0-9' <"$work/peer$index.out")
        [ "$peer_count" = "$count" ] || disagree+=" ${peer_names[$index]}=$peer_count"
    done
    if [ -n "$disagree" ]; then
        echo "sieve.sh: counts disagree on $label: hybrid=$count$disagree" >&2
        status=1
    fi
done
exit $status
