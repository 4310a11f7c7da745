#!/usr/bin/env bash
# Soak benchmark, on loopback only and bounded in time:
#
#   serve  `hybrid serve` (zero latency) for SECONDS under wrk with 2,000 connections, while one
#          client pipelines requests for /bytes/65536 and never reads an answer: the server's
#          peak resident size, wrk's rate and errors, the resident size 5 s after the clients
#          have gone, and whether it still answers. Memory must stay bounded: a server that
#          queues answers for a client that does not read grows without limit.
#   fetch  `hybrid fetch` of 10^6 URLs from nginx (a static 16-byte body), read from standard
#          input, 100 in flight: wall time, ok and failed, and peak resident size. With streamed
#          input and results the peak stays flat as the list grows; holding them all, it grows
#          by hundreds of bytes per URL.
#
# Usage: Benchmarks/soak.sh [serve|fetch|all] [SECONDS]   (default: all, 60 s)
#        URLS=100000 Benchmarks/soak.sh fetch             (fewer URLs)
#        SOAK_CAP_MB=4096                                  (the server is killed past this size)
# Needs wrk (serve), nginx (fetch), python3 (the non-reading client) and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."

part=${1:-all}
seconds=${2:-60}
urls=${URLS:-1000000}
case "$part" in serve | fetch | all) ;; *)
    echo "usage: Benchmarks/soak.sh [serve|fetch|all] [SECONDS]" >&2
    exit 2
    ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] || {
    echo "soak.sh: SECONDS must be a whole number" >&2
    exit 2
}

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
note() { echo "soak.sh: $*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

# 2,000 connections on each side need more descriptors than the usual 1,024.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

note "building hybrid (release)..."
swift build -c release --product hybrid >/dev/null
cp "$(swift build -c release --show-bin-path)/hybrid" "$work/hybrid"
hybrid=$work/hybrid

resident_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

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

soak_serve() {
    have wrk || {
        note "wrk is missing: skipping serve"
        return
    }
    have python3 || {
        note "python3 is missing: skipping serve"
        return
    }
    "$hybrid" serve --port 0 --latency 0 >"$work/serve.out" 2>"$work/serve.err" &
    local server=$!
    pids+=("$server")
    local url=""
    for _ in $(seq 200); do
        url=$(sed -n 's/^listening on //p' "$work/serve.out")
        [ -n "$url" ] && break
        sleep 0.05
    done
    [ -n "$url" ] || {
        note "hybrid serve did not start"
        exit 1
    }
    local start_kb
    start_kb=$(resident_kb "$server")

    # The resident size, sampled every 0.2 s; the peak is read at the end. A server past the
    # cap is killed, so that a missing back-pressure cannot take the machine's memory.
    local cap_kb=$((${SOAK_CAP_MB:-4096} * 1024))
    (
        peak=0
        began=$SECONDS
        while kill -0 "$server" 2>/dev/null; do
            now=$(resident_kb "$server")
            ((now > peak)) && peak=$now && echo "$peak" >"$work/peak"
            if ((now > cap_kb)); then
                echo "killed at $now kB after $((SECONDS - began)) s, past the cap of $cap_kb kB (SOAK_CAP_MB)" >"$work/capped"
                kill -9 "$server"
            fi
            sleep 0.2
        done
    ) &
    pids+=($!)

    # A client that pipelines requests and never reads: its answers pile up in the server
    # unless the server stops reading from it while it cannot write.
    python3 - "${url#http://}" "$seconds" >"$work/pipeliner.out" 2>&1 <<'PY' &
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
seconds = float(sys.argv[2])
request = b"GET /bytes/65536 HTTP/1.1\r\nHost: soak\r\n\r\n"
sock = socket.create_connection((host, int(port)))
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
sock.setblocking(False)
burst, sent, end = request * 64, 0, time.monotonic() + seconds
while time.monotonic() < end:
    try:
        sent += sock.send(burst)
    except BlockingIOError:
        time.sleep(0.01)
    except OSError as error:
        print(f"pipelining client: {error}")
        break
print(f"pipelining client: sent {sent // len(request)} requests, read none")
sock.close()
PY
    local pipeliner=$!
    pids+=("$pipeliner")
    sleep 1

    note "serve: wrk -t2 -c2000 -d${seconds}s against $url, one client pipelining and never reading..."
    wrk -t2 -c2000 -d"${seconds}s" --timeout 10s "$url/" >"$work/wrk.out" 2>&1 || true
    wait "$pipeliner" 2>/dev/null || true
    sleep 5
    local after_kb answer
    after_kb=$(resident_kb "$server")
    answer=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$url/" 2>/dev/null || true)
    [ "$answer" = 000 ] || [ -z "$answer" ] && answer="no answer"
    after_kb="$after_kb kB"
    kill -0 "$server" 2>/dev/null || after_kb="gone"
    kill "$server" 2>/dev/null || true

    echo "serve soak, ${seconds} s, $url"
    echo "  resident at start       $start_kb kB"
    echo "  peak resident           $(cat "$work/peak" 2>/dev/null || echo "$start_kb") kB"
    echo "  resident 5 s after      $after_kb"
    echo "  still answers           $answer"
    [ -f "$work/capped" ] && echo "  server                  $(cat "$work/capped")"
    echo "  wrk                     $(awk '/Requests\/sec/ { print $2 " requests/s" }' "$work/wrk.out")"
    local errors
    errors=$(grep -E 'Socket errors|Non-2xx' "$work/wrk.out" | sed 's/^ *//' | paste -sd ';' - || true)
    echo "  wrk errors              ${errors:-none}"
    echo "  $(cat "$work/pipeliner.out")"
}

soak_fetch() {
    have nginx || {
        note "nginx is missing: skipping fetch"
        return
    }
    local port
    port=$(free_port)
    mkdir -p "$work/nginx-temp"
    cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 10000000;
    client_body_temp_path $work/nginx-temp;
    server {
        listen 127.0.0.1:$port;
        location / { return 200 "sixteen bytes!!\n"; }
    }
}
CONF
    nginx -c "$work/nginx.conf" -p "$work" &
    pids+=($!)
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.05
    done
    note "fetch: $urls URLs from nginx on 127.0.0.1:$port, 100 in flight, URLs on standard input..."
    local status=0
    # At most 10 minutes: a fetch that stalls is a finding, not a reason to hang.
    awk -v n="$urls" -v port="$port" 'BEGIN { for (i = 0; i < n; i++) printf "http://127.0.0.1:%d/%d\n", port, i }' |
        timeout 600 /usr/bin/time -f '%M %e' -o "$work/time.out" \
            "$hybrid" fetch --no-progress --strategy multi --concurrency 100 --input - \
            >"$work/fetch.out" 2>"$work/fetch.err" || status=$?
    read -r peak_kb wall <"$work/time.out" || true
    echo "fetch soak, $urls URLs"
    echo "  exit                    $status"
    echo "  wall                    ${wall:-?} s"
    echo "  peak resident           ${peak_kb:-?} kB ($((${peak_kb:-0} * 1024 / urls)) bytes per URL)"
    echo "  report                  $(grep -E '^(ok|failed) ' "$work/fetch.out" | tr -s ' ' | paste -sd ',' -)"
    [ -s "$work/fetch.err" ] && echo "  stderr                  $(head -c 300 "$work/fetch.err")"
    return 0
}

case "$part" in
serve) soak_serve ;;
fetch) soak_fetch ;;
all)
    soak_serve
    soak_fetch
    ;;
esac
