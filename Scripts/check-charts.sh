#!/usr/bin/env bash
# Renders every chart hybrid draws in a real browser (headless Chromium) and checks that each
# screenshot came out at the chart's own size, for a person to look at:
#
#   - every SVG under docs/ (the README's chart among them);
#   - charts drawn fresh by small sweeps: `hybrid bench primes`, `bench fetch` (its default sweep
#     of transfers in flight, up to 100), `bench bigprimes`, and the lesson (`hybrid demo --svg`).
#
# The SVGs and PNGs land in OUT (default: a new temporary directory), printed at the end. Exits 2
# when chromium or the hybrid executable is missing, 1 when a chart could not be drawn or shot.
# Usage: Scripts/check-charts.sh [OUT]   (HYBRID=.build/release/hybrid, CHROMIUM=chromium-browser)
set -euo pipefail
cd "$(dirname "$0")/.."

hybrid=${HYBRID:-.build/debug/hybrid}
chromium=${CHROMIUM:-chromium}
if [[ ! -x $hybrid ]]; then
    echo "check-charts: no hybrid executable at $hybrid (swift build first, or set HYBRID)" >&2
    exit 2
fi
if ! command -v "$chromium" >/dev/null; then
    echo "check-charts: $chromium is not on the PATH (apt-get install chromium, or set CHROMIUM)" >&2
    exit 2
fi
out=${1:-$(mktemp -d "${TMPDIR:-/tmp}/hybrid-charts-XXXXXX")}
mkdir -p "$out"
out=$(cd "$out" && pwd)
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

# Small sweeps, so that drawing takes a minute, not the figures: the chart is what is checked.
draw() {
    local name=$1
    shift
    if ! "$hybrid" "$@" --no-progress --svg "$out/$name.svg" >"$out/$name.txt"; then
        echo "check-charts: hybrid $* failed (its output: $out/$name.txt)" >&2
        exit 1
    fi
}
draw bench-primes bench primes --to 1e8 --workers 1,2,4,8 --repeat 3 --no-peers
draw bench-fetch bench fetch --urls 100 --latency 5 --repeat 2 --no-peers
draw bench-bigprimes bench bigprimes --bits 256 --count 24 --workers 1,2,4 --repeat 2
draw lesson demo --primes-to 1e8 --urls 50 --latency 5 --python-primes-to 1e4

sandbox=()
if [[ $(id -u) == 0 ]]; then sandbox=(--no-sandbox); fi
status=0
for svg in docs/*.svg "$out"/*.svg; do
    name=$(basename "$svg" .svg)
    [[ $svg == docs/* ]] && name=docs-$name
    # The window is the chart's own size, from its root element.
    root=$(grep -o -m1 '<svg [^>]*>' "$svg")
    width=$(sed -n 's/.* width="\([0-9]*\)".*/\1/p' <<<"$root")
    height=$(sed -n 's/.* height="\([0-9]*\)".*/\1/p' <<<"$root")
    if [[ -z $width || -z $height ]]; then
        echo "check-charts: $svg: no width and height on its <svg> element" >&2
        status=1
        continue
    fi
    png=$out/$name.png
    rm -f "$png"
    "$chromium" --headless "${sandbox[@]}" --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
        --window-size="$width,$height" --screenshot="$png" "file://$(realpath "$svg")" >/dev/null 2>&1 || true
    # A PNG's width and height are the big-endian words at bytes 16 and 20.
    if [[ ! -s $png ]]; then
        echo "check-charts: $svg: chromium wrote no screenshot" >&2
        status=1
        continue
    fi
    shot=$(od -An -tu1 -j16 -N8 "$png" | tr -s ' ' | sed 's/^ //')
    read -r w1 w2 w3 w4 h1 h2 h3 h4 <<<"$shot"
    shot_width=$(((w1 << 24) | (w2 << 16) | (w3 << 8) | w4))
    shot_height=$(((h1 << 24) | (h2 << 16) | (h3 << 8) | h4))
    if [[ $shot_width != "$width" || $shot_height != "$height" ]]; then
        echo "check-charts: $png is ${shot_width}x$shot_height, the chart ${width}x$height" >&2
        status=1
        continue
    fi
    echo "$png (${width}x$height)"
done
echo "charts and screenshots: $out"
exit $status
