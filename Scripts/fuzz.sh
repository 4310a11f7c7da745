#!/usr/bin/env bash
# Builds one libFuzzer target and runs it for a given time:
#
#   Scripts/fuzz.sh TARGET SECONDS [libFuzzer options]
#   Scripts/fuzz.sh all SECONDS           each target in turn, SECONDS each
#
# TARGET is one of
#   number-expression  NumberExpression.parse, the numbers of the command line (Swift)
#   url-list           the URL list reader of `hybrid fetch --input` (Swift)
#   journal            the journal reader on any file, and on a written journal cut at any byte (Swift)
#   server-request     `hybrid serve`'s request path through its NIO pipeline (Swift)
#   sieve              the C sieve's count and 128-bit sum on small windows anywhere below 2^64,
#                      with random segment sizes, against Miller-Rabin (C)
#
# Swift targets build from the package in Fuzz/ with -sanitize=fuzzer,address; the C target with
# clang's -fsanitize=fuzzer,address,undefined. Everything the run makes stays in .build-fuzz/:
# the growing corpus (seeded from the committed Fuzz/Corpus/TARGET) and, for a finding, the
# input that caused it (.build-fuzz/findings/TARGET-crash-...). A finding exits non-zero; turn its
# input into a regression test in the normal suite, and add it to Fuzz/Corpus/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
targets=(number-expression url-list journal server-request sieve)

usage() {
    echo "usage: Scripts/fuzz.sh ${targets[*]// /|}|all SECONDS [libFuzzer options]" >&2
    exit 2
}
[ $# -ge 2 ] || usage
target=$1
seconds=$2
shift 2
[[ "$seconds" =~ ^[0-9]+$ ]] || usage

if [ "$target" = all ]; then
    # The last lines say which target failed and why, so that the tail of a log is enough.
    failed=()
    for each in "${targets[@]}"; do
        log="${TMPDIR:-/tmp}/fuzz-$each.$$.log"
        status=0
        "$0" "$each" "$seconds" "$@" 2>&1 | tee "$log" || status=${PIPESTATUS[0]}
        if [ "$status" -ne 0 ]; then
            failed+=("$each")
            echo "fuzz.sh: $each failed (exit $status); its report:" >&2
            grep -E "^(==[0-9]+==|SUMMARY|Fatal error|.*precondition|.*error:|fuzz.sh:|Test unit written)" \
                "$log" | head -20 >&2 || true
        fi
        rm -f "$log"
    done
    if [ "${#failed[@]}" -gt 0 ]; then
        echo "fuzz.sh: failed: ${failed[*]} (the inputs are in .build-fuzz/findings/)" >&2
        exit 1
    fi
    echo "fuzz.sh: all ${#targets[@]} targets ran, no finding"
    exit 0
fi

scratch=$root/.build-fuzz
clang=$(dirname "$(readlink -f "$(command -v swiftc)")")/clang
case "$target" in
number-expression) product=FuzzNumberExpression ;;
url-list) product=FuzzURLList ;;
journal) product=FuzzJournal ;;
server-request) product=FuzzServerRequest ;;
sieve) product=FuzzSieve ;;
*) usage ;;
esac

echo "fuzz.sh: building $target"
if [ "$target" = sieve ]; then
    # The sieve at -O2: a window near 2^64 sets up the primes below 2^32 first, which unoptimized
    # and instrumented takes minutes rather than seconds.
    mkdir -p "$scratch/sieve"
    "$clang" -g -O2 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I CSieve/include CSieve/*.c Fuzz/Sieve/sieve_fuzz.c -lgmp -ldl -lm \
        -o "$scratch/sieve/$product" 2> >(grep -v "Cannot export local symbol" >&2)
    binary=$scratch/sieve/$product
else
    # SwiftPM's --sanitize=fuzzer instruments this package and links libFuzzer's main; the
    # -Xswiftc/-Xcc flags instrument the dependencies (HybridKit, CSieve) for coverage too.
    build() {
        swift build --package-path Fuzz --scratch-path "$scratch" --product "$product" \
            --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address \
            -Xcc -fsanitize=fuzzer-no-link,address 2>&1 </dev/null | grep -v "Cannot export local symbol"
        return "${PIPESTATUS[0]}"
    }
    if ! build; then
        # An incremental build of a path dependency keeps the file list it saw first: once
        # files are added to or removed from this package, it fails on missing inputs. Build
        # again from scratch (the checkouts and the corpus stay).
        echo "fuzz.sh: building $target again from scratch"
        rm -rf "$scratch/x86_64-unknown-linux-gnu" "$scratch/debug" "$scratch/debug.yaml" "$scratch/build.db"
        build || exit 1
    fi
    binary=$scratch/debug/$product
fi

corpus=$scratch/corpus/$target
findings=$scratch/findings
mkdir -p "$corpus" "$findings"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# A Swift trap is reported by libFuzzer and ASan; Swift's own backtracer would only add noise
# (and trips ASan while it copies the stack).
export SWIFT_BACKTRACE=enable=no
echo "fuzz.sh: running $target for $seconds s"
start=$SECONDS
status=0
"$binary" -max_total_time="$seconds" -timeout=120 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$findings/$target-" "$@" "$corpus" "Fuzz/Corpus/$target" </dev/null || status=$?
echo "fuzz.sh: $target: exit $status after $((SECONDS - start)) s$([ $status -eq 0 ] && echo ", no finding")"
if [ "$status" -ne 0 ]; then
    # The input itself, so that a finding on a machine one cannot reach can be replayed here
    # (base64 -d into a file, then run the target binary on it).
    for input in "$findings/$target-"*; do
        [ -f "$input" ] && echo "fuzz.sh: input $(basename "$input") (base64): $(head -c 3000 "$input" | base64 -w0)"
    done
fi
exit "$status"
