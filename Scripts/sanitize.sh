#!/usr/bin/env bash
# Runs the test suite under one sanitizer, in its own scratch directory (.build-asan, .build-ubsan,
# .build-tsan):
#
#   Scripts/sanitize.sh address     AddressSanitizer with leak detection, Swift and C
#   Scripts/sanitize.sh undefined   UndefinedBehaviorSanitizer for the C code (CSieve, and the C
#                                   shims of the dependencies); swiftc has no UBSan on Linux, and
#                                   Swift traps on overflow and out-of-bounds by itself
#   Scripts/sanitize.sh thread      ThreadSanitizer, Swift and C
#
# thread first builds Scripts/sanitizers/tsan-probe.c with CSieve and exits 77 (skipped) when it
# cannot start. Further arguments go to `swift test` (e.g. --filter SieveTests). Every hybrid process the tests
# start is instrumented too and inherits the options below, so a report in a child fails the test
# that started it (a changed exit code or an unexpected line on stderr).
#
# Two suites are skipped (SANITIZE_SKIP= runs them too; under thread, see below): BenchCommandTests times whole sweeps and
# the demo, several minutes of the same sieve and fetch code the other suites check, under time
# limits a slowed-down build misses; ConsumerTests builds another package with plain flags, so
# no sanitizer would look at it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=${1:-}
case "$mode" in
address | undefined | thread) shift ;;
*)
    echo "usage: Scripts/sanitize.sh address|undefined|thread [swift test arguments]" >&2
    exit 2
    ;;
esac

case "$mode" in
address) scratch=.build-asan ;;
undefined) scratch=.build-ubsan ;;
thread) scratch=.build-tsan ;;
esac

default_skip="HybridCLITests.BenchCommandTests HybridCLITests.ConsumerTests"
# Under TSan (5-15 times slower, unoptimized) the engines' answer suites alone take far longer
# than the rest: they sieve up to 10^10 on one thread, where TSan has nothing to look at; so do
# the two command tests that sieve 2-3 * 10^10 in forked single-threaded workers, past their time
# limits. The strategies' suites still run both engines on threads and processes.
[ "$mode" = thread ] && default_skip+=" HybridKitTests.EngineTests HybridKitTests.BucketSieveTests
    HybridCLITests.PrimesCommandTests/sumPastTwoToThe64
    HybridCLITests.WorkerFaultTests/killedFromOutside"
skip=()
for suite in ${SANITIZE_SKIP-$default_skip}; do
    skip+=(--skip "$suite")
done

case "$mode" in
address)
    flags=(--sanitize=address)
    export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:strict_init_order=1"
    export LSAN_OPTIONS="suppressions=$root/Scripts/sanitizers/leaks.supp:print_suppressions=0"
    ;;
undefined)
    # clang's -fsanitize=undefined for every C file, and the same flag on the link, through
    # swiftc to the clang that links, so that it brings UBSan's runtime in. Not recoverable: the
    # first report ends the process, so it cannot scroll past unnoticed.
    flags=(-Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined
        -Xswiftc -Xclang-linker -Xswiftc -fsanitize=undefined)
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    ;;
thread)
    flags=(--sanitize=thread)
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
    ;;
esac

if [ "$mode" = thread ]; then
    # A few seconds to learn whether a TSan build can start, before minutes of building.
    toolchain=$(dirname "$(readlink -f "$(command -v swiftc)")")
    probe_dir=$root/$scratch/probe
    mkdir -p "$probe_dir"
    "$toolchain/clang" -O1 -fsanitize=thread -I CSieve/include -I CSieve CSieve/*.c \
        Scripts/sanitizers/tsan-probe.c -lgmp -ldl -L "$toolchain/../lib/swift/linux" -ldispatch \
        -lBlocksRuntime -Wl,-rpath,"$toolchain/../lib/swift/linux" -o "$probe_dir/tsan-probe" \
        2> >(grep -v "Cannot export local symbol" >&2)
    if ! "$probe_dir/tsan-probe"; then
        echo "sanitize.sh: thread: SKIPPED: a ThreadSanitizer build of CSieve does not start" \
            "here (Scripts/sanitizers/tsan-probe.c says why)" >&2
        exit 77
    fi
fi

echo "sanitize.sh: swift test under $mode (scratch $scratch${skip:+, skipping ${SANITIZE_SKIP-$default_skip}})"
start=$SECONDS
status=0
swift test --scratch-path "$scratch" "${flags[@]}" ${skip[@]+"${skip[@]}"} "$@" </dev/null || status=$?
echo "sanitize.sh: $mode: exit $status after $((SECONDS - start)) s"
exit "$status"
