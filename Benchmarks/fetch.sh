#!/usr/bin/env bash
# Benchmarks `hybrid fetch` and `hybrid serve` against their peers, on loopback only:
#   1. 20000 requests for a 1 KiB file from nginx over HTTPS with HTTP/2, 50 in flight: hybrid
#      multi against `curl --parallel --parallel-max 50 --http2` (goal: >= 1.5x curl's rate) and
#      h2load -c1 -m50 (the ceiling; goal: >= 0.5x its rate);
#   2. the same over HTTPS with HTTP/1.1: hybrid multi --http1.1 against curl --http1.1 and
#      h2load --h1 -c50;
#   3. peak resident memory of hybrid fetch --jsonl over 10^5 and 10^6 URLs from nginx (goal:
#      the second under 10x the first: memory follows the transfers in flight, not the list);
#   4. 1000 URLs of 50 ms each from `hybrid serve`, 100 in flight, every fetch strategy and curl;
#   5. `hybrid serve` at zero latency under wrk (-t2 -c50).
# Each contender (h2load included) runs RUNS times (default 3), alternating, timed by the wall
# clock from start to exit, and the fastest run counts: these machines are shared and noisy;
# the spread (slowest / fastest) is printed beside each.
# nginx, openssl, curl, h2load (nghttp2-client) and wrk are optional: a missing one is
# reported and its rows are skipped. CASES picks cases (default "1 2 3 4 5").
# Usage: Benchmarks/fetch.sh   (RUNS=5 CASES="1 2" Benchmarks/fetch.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
CASES=${CASES:-"1 2 3 4 5"}
WRK_SECONDS=${WRK_SECONDS:-3}
work=$(mktemp -d)
chmod 755 "$work" # nginx's workers may run as another user
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

have() { command -v "$1" >/dev/null 2>&1 || [[ -x /usr/sbin/$1 ]]; }
note() { echo "fetch.sh: $*" >&2; }
wants() { [[ " $CASES " == *" $1 "* ]]; }
PATH=$PATH:/usr/sbin

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

wait_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return
        sleep 0.05
    done
    note "nothing listens on port $1"
    exit 1
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

declare -A best worst commands
contenders=()
# Runs every contender of one case RUNS times, alternating; keeps the fastest and slowest.
race() {
    local run name s
    best=() worst=()
    for run in $(seq "$RUNS"); do
        for name in "${contenders[@]}"; do
            s=$(seconds_of ${commands[$name]})
            if [[ -z "${best[$name]:-}" ]] || awk -v a="$s" -v b="${best[$name]}" 'BEGIN { exit !(a < b) }'; then
                best[$name]=$s
            fi
            if [[ -z "${worst[$name]:-}" ]] || awk -v a="$s" -v b="${worst[$name]}" 'BEGIN { exit !(a > b) }'; then
                worst[$name]=$s
            fi
        done
    done
}

rows=()
verdicts=()
row() { rows+=("$(printf '%-34s %-44s %9s %8s %7s   %s' "$@")"); }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
spread() { awk -v a="${worst[$1]}" -v b="${best[$1]}" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { # name value goal-operator goal
    local met
    met=$(awk -v v="${2%x}" -v g="$4" -v op="$3" 'BEGIN { print ((op == ">=" ? v >= g : v < g) ? "met" : "NOT met") }')
    verdicts+=("$(printf '%-58s %8s   goal %s %s: %s' "$1" "$2" "$3" "$4" "$met")")
}

# ---- nginx with TLS (cases 1-3) -------------------------------------------------------------
nginx_ready=""
if wants 1 || wants 2 || wants 3; then
    if have nginx && have openssl; then
        mkdir -p "$work/www" "$work/nginx-temp" "$work/tls"
        head -c 1024 /dev/zero | tr '\0' 'x' >"$work/www/1k.bin"
        chmod -R a+rX "$work/www"
        (
            cd "$work/tls"
            curve=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
            openssl req -x509 "${curve[@]}" -keyout ca.key -out ca.pem -days 2 -subj "/CN=bench authority" \
                -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
            openssl req "${curve[@]}" -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
            printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext
            chmod a+r server.key
        ) >/dev/null 2>&1
        tls_port=$(free_port)
        cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 10000000;
    http2_max_requests 10000000;
    client_body_temp_path $work/nginx-temp;
    server {
        listen 127.0.0.1:$tls_port ssl http2;
        ssl_certificate $work/tls/server.pem;
        ssl_certificate_key $work/tls/server.key;
        root $work/www;
    }
}
CONF
        nginx -c "$work/nginx.conf" -p "$work" 2>/dev/null &
        pids+=($!)
        wait_port "$tls_port"
        tls_url="https://127.0.0.1:$tls_port/1k.bin"
        ca="$work/tls/ca.pem"
        nginx_ready=1
        for _ in $(seq 20000); do echo "$tls_url"; done >"$work/static.txt"
        curl_config "$work/static.txt" "$work/static.curl"
    else
        note "nginx or openssl is missing: skipping cases 1-3 (apt-get install nginx-light openssl)"
    fi
fi

# ---- 1. HTTPS + HTTP/2 -------------------------------------------------------------------------
if wants 1 && [[ -n $nginx_ready ]]; then
    contenders=("hybrid multi")
    commands["hybrid multi"]="$hybrid fetch --no-progress --cacert $ca --strategy multi --concurrency 50 --input $work/static.txt"
    if have curl; then
        contenders+=("curl --parallel --http2")
        commands["curl --parallel --http2"]="curl -s --cacert $ca --http2 --parallel --parallel-max 50 -K $work/static.curl"
    fi
    if have h2load; then
        contenders+=("h2load -c1 -m50")
        commands["h2load -c1 -m50"]="h2load -n 20000 -c 1 -m 50 $tls_url"
    else
        note "h2load is missing (nghttp2-client)"
    fi
    echo "case 1: nginx HTTPS+HTTP/2, 20000 x 1 KiB, 50 in flight ($RUNS runs each)..." >&2
    race
    h2=""
    [[ -n "${best[h2load -c1 -m50]:-}" ]] && h2=$(rate 20000 "${best[h2load -c1 -m50]}")
    hybrid_rate=$(rate 20000 "${best[hybrid multi]}")
    for name in "${contenders[@]}"; do
        row "HTTPS+HTTP/2 20000 x 1 KiB, 50" "$name" "${best[$name]}" "$(rate 20000 "${best[$name]}")" "$(spread "$name")" ""
    done
    if [[ -n "${best[curl --parallel --http2]:-}" ]]; then
        verdict "HTTP/2: hybrid multi / curl --parallel --http2 (rate)" "$(ratio "$hybrid_rate" "$(rate 20000 "${best[curl --parallel --http2]}")")" ">=" 1.5
    fi
    [[ -n $h2 && $h2 != 0 ]] && verdict "HTTP/2: hybrid multi / h2load (rate)" "$(ratio "$hybrid_rate" "$h2")" ">=" 0.5
fi

# ---- 2. HTTPS + HTTP/1.1 -----------------------------------------------------------------------
if wants 2 && [[ -n $nginx_ready ]]; then
    contenders=("hybrid multi --http1.1")
    commands["hybrid multi --http1.1"]="$hybrid fetch --no-progress --http1.1 --cacert $ca --strategy multi --concurrency 50 --input $work/static.txt"
    if have curl; then
        contenders+=("curl --parallel --http1.1")
        commands["curl --parallel --http1.1"]="curl -s --cacert $ca --http1.1 --parallel --parallel-max 50 -K $work/static.curl"
    fi
    if have h2load; then
        contenders+=("h2load --h1 -c50")
        commands["h2load --h1 -c50"]="h2load --h1 -n 20000 -c 50 -m 1 $tls_url"
    fi
    echo "case 2: nginx HTTPS+HTTP/1.1, 20000 x 1 KiB, 50 in flight ($RUNS runs each)..." >&2
    race
    h1=""
    [[ -n "${best[h2load --h1 -c50]:-}" ]] && h1=$(rate 20000 "${best[h2load --h1 -c50]}")
    hybrid_rate=$(rate 20000 "${best[hybrid multi --http1.1]}")
    for name in "${contenders[@]}"; do
        row "HTTPS+HTTP/1.1 20000 x 1 KiB, 50" "$name" "${best[$name]}" "$(rate 20000 "${best[$name]}")" "$(spread "$name")" ""
    done
    if [[ -n "${best[curl --parallel --http1.1]:-}" ]]; then
        verdict "HTTP/1.1: hybrid multi / curl --parallel --http1.1 (rate)" "$(ratio "$hybrid_rate" "$(rate 20000 "${best[curl --parallel --http1.1]}")")" ">=" 1.5
    fi
    [[ -n $h1 && $h1 != 0 ]] && verdict "HTTP/1.1: hybrid multi / h2load --h1 (rate)" "$(ratio "$hybrid_rate" "$h1")" ">=" 0.5
fi

# ---- 3. peak memory over 10^5 and 10^6 URLs ------------------------------------------------------
if wants 3 && [[ -n $nginx_ready ]]; then
    if [[ -x /usr/bin/time ]]; then
        declare -A peak
        for count in 100000 1000000; do
            echo "case 3: peak memory of hybrid fetch --jsonl over $count URLs..." >&2
            # The list is read as transfers free up, from a file of up to 40 MB.
            awk -v n="$count" -v url="$tls_url" 'BEGIN { for (i = 0; i < n; i++) print url }' >"$work/many.txt"
            start=$EPOCHREALTIME
            peak[$count]=$(/usr/bin/time -f %M "$hybrid" fetch --no-progress --jsonl --cacert "$ca" \
                --concurrency 50 --input "$work/many.txt" 2>&1 >/dev/null | tail -1)
            seconds=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
            row "HTTPS+HTTP/2, --jsonl, 50 in flight" "hybrid multi, $count URLs" "$seconds" "$(rate "$count" "$seconds")" "-" "peak RSS $((peak[$count] / 1024)) MB"
        done
        verdict "peak RSS: 10^6 URLs / 10^5 URLs" "$(ratio "${peak[1000000]}" "${peak[100000]}")" "<" 10
    else
        note "/usr/bin/time is missing: skipping case 3"
    fi
fi

# ---- 4. 1000 URLs of 50 ms from hybrid serve, 100 in flight -----------------------------------
if wants 4; then
    start_serve --latency 50 --size 1024
    delayed="$work/delayed.txt"
    for i in $(seq 1000); do echo "$serve_url/n/$i"; done >"$delayed"
    contenders=("hybrid multi" "hybrid threads-multi" "hybrid threads")
    commands["hybrid multi"]="$hybrid fetch --no-progress --strategy multi --concurrency 100 --input $delayed"
    commands["hybrid threads-multi"]="$hybrid fetch --no-progress --strategy threads-multi --concurrency 100 --threads 2 --input $delayed"
    commands["hybrid threads"]="$hybrid fetch --no-progress --strategy threads --threads 100 --input $delayed"
    if have curl; then
        curl_config "$delayed" "$work/delayed.curl"
        contenders+=("curl --parallel")
        commands["curl --parallel"]="curl -s --parallel --parallel-immediate --parallel-max 100 -K $work/delayed.curl"
    fi
    echo "case 4: 1000 URLs x 50 ms, 100 in flight ($RUNS runs each)..." >&2
    race
    for name in "${contenders[@]}"; do
        row "1000 x 50 ms, 100 in flight" "$name" "${best[$name]}" "$(rate 1000 "${best[$name]}")" "$(spread "$name")" "$(ratio "${best[$name]}" 0.5) the ideal 0.5 s"
    done
fi

# ---- 5. hybrid serve under wrk ------------------------------------------------------------------
if wants 5; then
    if have wrk; then
        start_serve --latency 0 --size 1024
        best_rate=""
        for _ in $(seq "$RUNS"); do
            r=$(wrk -t2 -c50 -d"${WRK_SECONDS}s" "$serve_url/" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
            if [[ -z "$best_rate" ]] || ((r > best_rate)); then best_rate=$r; fi
        done
        row "hybrid serve, zero latency" "wrk -t2 -c50 (${WRK_SECONDS} s)" "-" "$best_rate" "-" ""
    else
        note "wrk is missing: skipping case 5"
    fi
fi

echo
printf '%-34s %-44s %9s %8s %7s   %s\n' "case" "contender" "best s" "req/s" "spread" "notes"
printf '%s\n' "${rows[@]}"
if ((${#verdicts[@]} > 0)); then
    echo
    echo "the issue's ratios (fastest of $RUNS alternating runs; spread = slowest / fastest):"
    printf '%s\n' "${verdicts[@]}"
fi
