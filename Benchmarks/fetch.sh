#!/usr/bin/env bash
# Benchmarks `hybrid fetch` and `hybrid serve` against their peers, on loopback only:
#   1. 1000 URLs of 50 ms each from `hybrid serve`, 100 in flight: every fetch strategy
#      against the ideal 0.5 s and `curl --parallel --parallel-immediate --parallel-max 100`;
#   2. 20000 requests for a 1 KiB static file from nginx, 50 in flight: hybrid fetch against
#      `curl --parallel --parallel-max 50` and wrk (-t2 -c50);
#   3. `hybrid serve` at zero latency under wrk (-t2 -c50), and 1000 delayed requests at once.
# Each contender runs RUNS times (default 3), alternating, and the fastest run counts: these
# machines are shared and noisy. curl, wrk and nginx are optional: a missing one is reported
# and its rows are skipped. Usage: Benchmarks/fetch.sh   (RUNS=5 Benchmarks/fetch.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
WRK_SECONDS=${WRK_SECONDS:-3}
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

have() { command -v "$1" >/dev/null 2>&1; }
note() { echo "fetch.sh: $*" >&2; }

echo "building hybrid (release)..." >&2
swift build -c release --product hybrid >/dev/null
# A copy in the temp dir: the commands below are split on spaces, which a checkout path may hold.
cp "$(swift build -c release --show-bin-path)/hybrid" "$work/hybrid"
hybrid="$work/hybrid"

# A free loopback port: one nothing answers on.
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

# Starts `hybrid serve` with the given options; sets serve_url.
start_serve() {
    local out="$work/serve.$RANDOM"
    "$hybrid" serve --port 0 "$@" >"$out" &
    pids+=($!)
    for _ in $(seq 100); do
        if grep -q '^listening on ' "$out" 2>/dev/null; then
            serve_url=$(sed -n 's/^listening on //p' "$out")
            return
        fi
        sleep 0.05
    done
    note "hybrid serve did not start"
    exit 1
}

# Wall-clock seconds of a command, its output discarded.
seconds_of() {
    local start=$EPOCHREALTIME
    "$@" >/dev/null 2>&1 || true
    local end=$EPOCHREALTIME
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }'
}

# A curl config that fetches every URL of a list to /dev/null.
curl_config() {
    awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' "$1" >"$2"
}

declare -A best
contenders=()
# Runs every contender of one case RUNS times, alternating; keeps the fastest of each.
race() {
    local run name
    for run in $(seq "$RUNS"); do
        for name in "${contenders[@]}"; do
            local s
            s=$(seconds_of ${commands[$name]})
            if [[ -z "${best[$name]:-}" ]] || awk -v a="$s" -v b="${best[$name]}" 'BEGIN { exit !(a < b) }'; then
                best[$name]=$s
            fi
        done
    done
}

rows=()
row() { rows+=("$(printf '%-36s %-40s %9s %10s   %s' "$@")"); }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

# ---- 1. 1000 URLs of 50 ms, 100 in flight ---------------------------------------------------
start_serve --latency 50 --size 1024
delayed="$work/delayed.txt"
for i in $(seq 1000); do echo "$serve_url/n/$i"; done >"$delayed"
declare -A commands
contenders=("hybrid multi" "hybrid threads-multi" "hybrid threads")
commands["hybrid multi"]="$hybrid fetch --no-progress --strategy multi --concurrency 100 --input $delayed"
commands["hybrid threads-multi"]="$hybrid fetch --no-progress --strategy threads-multi --concurrency 100 --threads 2 --input $delayed"
commands["hybrid threads"]="$hybrid fetch --no-progress --strategy threads --threads 100 --input $delayed"
if have curl; then
    curl_config "$delayed" "$work/delayed.curl"
    contenders+=("curl --parallel")
    commands["curl --parallel"]="curl -s --parallel --parallel-immediate --parallel-max 100 -K $work/delayed.curl"
else
    note "curl is missing: skipping curl --parallel"
fi
echo "case 1: 1000 URLs x 50 ms, 100 in flight ($RUNS runs each)..." >&2
race
for name in "${contenders[@]}"; do
    vs="vs ideal 0.5 s: $(ratio "${best[$name]}" 0.5)"
    if [[ -n "${best[curl --parallel]:-}" && $name != "curl --parallel" ]]; then
        vs+=", vs curl: $(ratio "${best[$name]}" "${best[curl --parallel]}") the time"
    fi
    row "1000 x 50 ms, 100 in flight" "$name" "${best[$name]}" "$(rate 1000 "${best[$name]}")" "$vs"
done

# ---- 2. nginx, 20000 x 1 KiB, 50 in flight -------------------------------------------------
if have nginx; then
    port=$(free_port)
    mkdir -p "$work/www" "$work/nginx-temp"
    head -c 1024 /dev/zero | tr '\0' 'x' >"$work/www/1k.bin"
    cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $work/nginx-temp;
    server {
        listen 127.0.0.1:$port;
        root $work/www;
    }
}
CONF
    nginx -c "$work/nginx.conf" -p "$work" &
    pids+=($!)
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.05
    done
    static="$work/static.txt"
    for _ in $(seq 20000); do echo "http://127.0.0.1:$port/1k.bin"; done >"$static"
    unset best; declare -A best
    contenders=("hybrid multi" "hybrid threads-multi")
    commands["hybrid multi"]="$hybrid fetch --no-progress --strategy multi --concurrency 50 --input $static"
    commands["hybrid threads-multi"]="$hybrid fetch --no-progress --strategy threads-multi --concurrency 50 --threads 2 --input $static"
    if have curl; then
        curl_config "$static" "$work/static.curl"
        contenders+=("curl --parallel")
        commands["curl --parallel"]="curl -s --parallel --parallel-max 50 -K $work/static.curl"
    fi
    echo "case 2: nginx, 20000 x 1 KiB, 50 in flight ($RUNS runs each)..." >&2
    race
    wrk_rate=""
    if have wrk; then
        for _ in $(seq "$RUNS"); do
            r=$(wrk -t2 -c50 -d"${WRK_SECONDS}s" "http://127.0.0.1:$port/1k.bin" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
            if [[ -z "$wrk_rate" ]] || ((r > wrk_rate)); then wrk_rate=$r; fi
        done
    else
        note "wrk is missing: skipping wrk"
    fi
    for name in "${contenders[@]}"; do
        r=$(rate 20000 "${best[$name]}")
        vs=""
        if [[ -n "${best[curl --parallel]:-}" && $name != "curl --parallel" ]]; then
            vs+="vs curl: $(ratio "$r" "$(rate 20000 "${best[curl --parallel]}")") the rate"
        fi
        if [[ -n "$wrk_rate" ]]; then vs+="${vs:+, }vs wrk: $(ratio "$r" "$wrk_rate") the rate"; fi
        row "nginx 20000 x 1 KiB, 50 in flight" "$name" "${best[$name]}" "$r" "$vs"
    done
    [[ -n "$wrk_rate" ]] && row "nginx 20000 x 1 KiB, 50 in flight" "wrk -t2 -c50 (${WRK_SECONDS} s)" "-" "$wrk_rate" ""
else
    note "nginx is missing: skipping the static-file case"
fi

# ---- 3. hybrid serve -----------------------------------------------------------------------
if have wrk; then
    start_serve --latency 0 --size 1024
    best_rate=""
    for _ in $(seq "$RUNS"); do
        r=$(wrk -t2 -c50 -d"${WRK_SECONDS}s" "$serve_url/" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
        if [[ -z "$best_rate" ]] || ((r > best_rate)); then best_rate=$r; fi
    done
    row "hybrid serve, zero latency" "wrk -t2 -c50 (${WRK_SECONDS} s)" "-" "$best_rate" "target: 20000 req/s"
fi
start_serve --latency 100 --size 1024
for i in $(seq 1000); do echo "$serve_url/c/$i"; done >"$work/concurrent.txt"
ok=$("$hybrid" fetch --no-progress --json --concurrency 1000 --input "$work/concurrent.txt" |
    sed -n 's/.*"ok": *\([0-9]*\).*/\1/p')
row "hybrid serve, 1000 x 100 ms at once" "hybrid fetch multi, 1000 in flight" "-" "-" "ok: $ok of 1000"

echo
printf '%-36s %-40s %9s %10s   %s\n' "case" "contender" "best s" "req/s" "ratios"
printf '%s\n' "${rows[@]}"
