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
# Further arguments go to `swift test` (e.g. --filter SieveTests). Every hybrid process the tests
# start is instrumented too and inherits the options below, so a report in a child fails the test
# that started it (a changed exit code or an unexpected line on stderr).
#
# Two suites are skipped (SANITIZE_SKIP= runs them too): BenchCommandTests times whole sweeps and
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

skip=()
for suite in ${SANITIZE_SKIP-HybridCLITests.BenchCommandTests HybridCLITests.ConsumerTests}; do
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

echo "sanitize.sh: swift test under $mode (scratch $scratch${skip:+, skipping ${SANITIZE_SKIP-BenchCommandTests ConsumerTests}})"
start=$SECONDS
status=0
swift test --scratch-path "$scratch" "${flags[@]}" ${skip[@]+"${skip[@]}"} "$@" </dev/null || status=$?
echo "sanitize.sh: $mode: exit $status after $((SECONDS - start)) s"
exit "$status"
