#!/bin/bash
# check.sh -- the mpi strategy's C side under mpirun, without Swift: answers, faults, resume.
#
#   Tests/MPI/check.sh            (from the package root; about two minutes)
#
# Builds Tests/MPI/map_check.c with mpicc straight from Sources/CHybridMPI, then checks on this
# host (loopback and shared memory only): one process without mpirun; 3 ranks x 2 threads; a
# rank bound to one core spreading its threads; a killed rank (non-zero exit, within seconds); a frozen rank (SIGSTOP: caught by the lease); a
# failing work call; a resume that runs only the missing items. With root and `ip`, also across
# two network-namespace hosts (Scripts/mpi-hosts.sh): a run, a cut link and a killed host, each
# followed by a resume; and mpirun on a head with one rank on each of two hosts, either host's
# link cut, each followed by a resume. Exits 77 (skip) without mpicc and mpirun.
set -u
cd "$(dirname "$0")/../.."
for tool in mpicc mpirun; do
    if ! command -v "$tool" >/dev/null; then echo "check.sh: skipped: needs $tool (openmpi-bin, libopenmpi-dev)"; exit 77; fi
done
work=$(mktemp -d /tmp/mpi-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
mpicc -O2 -Wall -Wextra -Werror -DHYBRID_MPI -ISources/CHybridMPI/include Sources/CHybridMPI/hybrid_mpi.c \
    Tests/MPI/map_check.c -o "$work/map_check" -lpthread || exit 1

# One host: loopback for Open MPI's own connections, shared memory between ranks.
local_mpirun=(mpirun --allow-run-as-root --oversubscribe --mca oob_tcp_if_include lo --mca btl self,vader)
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
items_in() { echo $(($(stat -c %s "$1") / 8)); }

# run NAME EXPECT LIMIT COMMAND...: runs COMMAND, wants exit code EXPECT ("nonzero" for any
# other than 0) within LIMIT seconds.
run() {
    local name=$1 expect=$2 limit=$3
    shift 3
    local start end status seconds
    start=$(date +%s.%N)
    "$@" >"$work/out" 2>"$work/err"
    status=$?
    end=$(date +%s.%N)
    seconds=$(echo "$end - $start" | bc)
    if { [ "$expect" = nonzero ] && [ "$status" != 0 ]; } || [ "$status" = "$expect" ]; then
        if [ "$(echo "$seconds > $limit" | bc)" = 1 ]; then
            fail "$name: exit $status after $seconds s, over the bound of $limit s"
        else
            pass "$name: exit $status after $seconds s (bound $limit s)"
        fi
    else
        fail "$name: exit $status, wanted $expect"
        sed 's/^/     /' "$work/err" | grep -v '^ *$' | head -20
    fi
}

run "one process, no mpirun" 0 30 "$work/map_check" --items 500 --threads 2
run "3 ranks x 2 threads" 0 30 "${local_mpirun[@]}" -np 3 "$work/map_check" --items 5000 --threads 2 --spin-us 200
# mpirun binds a job of one or two ranks to one core each: a rank of 2 threads must spread them
# over every core (with two cores or more), and keep a binding that has room for them.
if [ "$(nproc)" -ge 2 ]; then
    run "one rank bound to a core, 2 threads" 0 30 "${local_mpirun[@]}" --bind-to core -np 1 "$work/map_check" \
        --items 500 --threads 2
    grep -q "unbound 1$" "$work/out" && pass "its threads run on every core" || fail "its threads stayed bound: $(cat "$work/out")"
    run "one rank unbound, 2 threads" 0 30 "${local_mpirun[@]}" --bind-to none -np 1 "$work/map_check" \
        --items 500 --threads 2
    grep -q "unbound 0$" "$work/out" && pass "an unbound rank is left as it is" || fail "unbound rank changed: $(cat "$work/out")"
fi
run "slots of 1000 bytes" 0 30 "${local_mpirun[@]}" -np 3 "$work/map_check" --items 2000 --slot 1000 --spin-us 100
run "a failing work call" nonzero 20 "${local_mpirun[@]}" -np 3 "$work/map_check" --items 5000 --spin-us 100 --fail-item 2500

run "a rank killed mid-run" nonzero 20 "${local_mpirun[@]}" -np 3 "$work/map_check" --items 5000 --spin-us 1000 \
    --record "$work/journal" --die-rank 2 --die-after 300
done_items=$(items_in "$work/journal")
run "resume after the kill ($done_items items journalled)" 0 30 "${local_mpirun[@]}" -np 2 "$work/map_check" \
    --items 5000 --spin-us 1000 --resume "$work/journal"
rm -f "$work/journal"

# A frozen rank never fails: only the lease (2 s here) notices it; MPI_Abort then ends the job.
run "a frozen rank (SIGSTOP), lease 2 s" nonzero 15 "${local_mpirun[@]}" -np 3 "$work/map_check" --items 20000 \
    --spin-us 1000 --lease 2 --record "$work/journal" --hang-rank 2 --hang-after 200
run "resume after the freeze ($(items_in "$work/journal") items journalled)" 0 60 "${local_mpirun[@]}" -np 3 \
    "$work/map_check" --items 20000 --spin-us 1000 --threads 1 --resume "$work/journal"
rm -f "$work/journal"

if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && command -v unshare >/dev/null; then
    hosts=(Scripts/mpi-hosts.sh --hosts 2 --slots 2 --limit 90)
    run "2 namespace hosts x 2 ranks" 0 60 "${hosts[@]}" -- -np 4 "$work/map_check" --items 5000 --spin-us 500
    # A cut link: nothing fails, packets vanish. Bound: the lease (10 s) or mpirun's keepalive
    # (5 + 2 * 3 s), then the abort; 30 s leaves room on a loaded machine.
    run "host 2's link cut after 2 s" nonzero 32 "${hosts[@]}" --cut 2@2 -- -np 4 "$work/map_check" \
        --items 40000 --spin-us 1000 --record "$work/journal"
    run "resume after the cut ($(items_in "$work/journal") items journalled)" 0 90 "${hosts[@]}" -- -np 4 \
        "$work/map_check" --items 40000 --spin-us 1000 --resume "$work/journal"
    rm -f "$work/journal"
    run "host 2 killed after 2 s" nonzero 20 "${hosts[@]}" --kill-host 2@2 -- -np 4 "$work/map_check" \
        --items 40000 --spin-us 1000 --record "$work/journal"
    run "resume after the kill ($(items_in "$work/journal") items journalled)" 0 90 "${hosts[@]}" -- -np 4 \
        "$work/map_check" --items 40000 --spin-us 1000 --resume "$work/journal"
    rm -f "$work/journal"

    # mpirun on the head, one rank on each of two hosts, one host's link cut. A lease (2 s) shorter
    # than mpirun's keepalive (5 + 2 * 3 s) runs out first: had its rank then ended at once, mpirun
    # would wait for the cut host's daemon for about 15 minutes (hybrid_mpi.c, let_mpirun_notice).
    # Bound: the keepalive, a second, the abort; 30 s leaves room on a loaded machine.
    one_each=(Scripts/mpi-hosts.sh --hosts 2 --slots 1 --limit 90)
    for host in 2 1; do
        run "one rank a host: host $host's link cut after 3 s, lease 2 s" nonzero 33 "${one_each[@]}" --cut "$host@3" \
            -- -np 2 "$work/map_check" --items 20000 --spin-us 1000 --lease 2 --record "$work/journal"
        run "resume after the cut ($(items_in "$work/journal") items journalled)" 0 60 "${one_each[@]}" -- -np 2 \
            "$work/map_check" --items 20000 --spin-us 1000 --resume "$work/journal"
        rm -f "$work/journal"
    done
else
    echo "skip namespace hosts: need root, ip and unshare"
fi

if [ "$failures" -gt 0 ]; then echo "check.sh: $failures failed"; exit 1; fi
echo "check.sh: all passed"
