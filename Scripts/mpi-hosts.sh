#!/bin/bash
# mpi-hosts.sh -- several MPI hosts on one Linux machine, made of network namespaces.
#
#   Scripts/mpi-hosts.sh [--hosts N] [--slots S] [--limit SECONDS] [--cut HOST@SECONDS]
#                        [--kill-host HOST@SECONDS] -- MPIRUN-ARGS...
#
# Makes a "head" namespace holding a bridge and N host namespaces, each joined to the bridge by a
# veth pair with a private address of 10.251.0.0/24 (the head is .1, host i is .(10+i)), then runs
#
#   mpirun --hostfile FILE --mca plm_rsh_agent AGENT --mca btl tcp,self,vader --bind-to none
#          --mca oob_tcp_if_include 10.251.0.0/24 --mca btl_tcp_if_include 10.251.0.0/24
#          --mca oob_tcp_keepalive_time 5 --mca oob_tcp_keepalive_intvl 2
#          --mca oob_tcp_keepalive_probes 3 MPIRUN-ARGS
#
# inside the head namespace. FILE lists the hosts (one slot per core unless --slots S); AGENT starts
# each host's Open MPI daemon with `ip netns exec HOST unshare --uts`, so each host has a hostname
# of its own (Open MPI then treats it as another node: TCP between hosts, never shared memory) and
# no ssh is needed. Ranks are not bound to cores (--bind-to none): every host would bind its first
# rank to core 0, and the hosts share this machine's cores. All traffic stays inside these namespaces. The keepalive settings let mpirun
# notice a host whose network is cut within 5 + 2 * 3 = 11 seconds of silence (Open MPI's defaults
# take 480 s, and with data in flight TCP retries for about 15 minutes); docs/cluster.md.
#
# --limit S (default 300): an mpirun still running after S seconds counts as hung: it is killed and
# the script exits 124. Faults, for tests: --cut H@S sets host H's link down S seconds after mpirun starts (a network cut:
# packets vanish, no connection is reset); --kill-host H@S kills every process of host H with
# SIGKILL (a node that dies).
#
# Prints "mpi-hosts: exit E after S seconds" on stderr and exits with mpirun's exit code. Whatever
# happens, it tears down what it made: the processes in its namespaces (by pid), the namespaces, its
# temporary files and the Open MPI session directories of its hosts and of its mpirun.
# Needs root, ip (iproute2), unshare (util-linux) and mpirun; exits 77 (skip) without them.
set -u

hosts=2
slots=""
limit=300
cut=""
kill_host=""
while [ $# -gt 0 ]; do
    case "$1" in
    --hosts) hosts=$2; shift 2 ;;
    --slots) slots=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    --cut) cut=$2; shift 2 ;;
    --kill-host) kill_host=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "mpi-hosts: unknown option $1" >&2; exit 2 ;;
    esac
done
if [ "$(id -u)" != 0 ]; then echo "mpi-hosts: skipped: needs root (network namespaces)" >&2; exit 77; fi
for tool in ip unshare mpirun; do
    if ! command -v "$tool" >/dev/null 2>&1; then echo "mpi-hosts: skipped: needs $tool" >&2; exit 77; fi
done

tag="hy$$"
head="$tag-head"
subnet="10.251.0"
work=$(mktemp -d /tmp/mpi-hosts.XXXXXX)
mpirun_pid=""
namespaces=()

teardown() {
    trap - EXIT INT TERM
    for ns in "${namespaces[@]}"; do
        # Every process still in a namespace of ours: the daemons and ranks of a cut host.
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    done
    if [ -n "$mpirun_pid" ]; then kill -KILL "$mpirun_pid" 2>/dev/null; fi
    for ns in "${namespaces[@]}"; do ip netns delete "$ns" 2>/dev/null; done
    for i in $(seq 1 "$hosts"); do rm -rf /tmp/ompi."$tag-h$i".* 2>/dev/null; done
    if [ -n "$mpirun_pid" ]; then
        rm -rf /tmp/ompi.*/pid."$mpirun_pid" 2>/dev/null
        rmdir /tmp/ompi.* 2>/dev/null # only the empty ones: other runs may be using theirs
    fi
    rm -rf "$work"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$head" || exit 1
namespaces+=("$head")
ip -n "$head" link set lo up
ip -n "$head" link add br0 type bridge
ip -n "$head" addr add "$subnet.1/24" dev br0
ip -n "$head" link set br0 up

cores=$(nproc)
agent_cases=""
: >"$work/hostfile"
for i in $(seq 1 "$hosts"); do
    ns="$tag-h$i"
    ip netns add "$ns" || exit 1
    namespaces+=("$ns")
    ip -n "$ns" link set lo up
    # Made inside the namespaces, so the machine's own network never sees these links.
    ip -n "$head" link add "veth$i" type veth peer name eth0 netns "$ns"
    ip -n "$head" link set "veth$i" master br0
    ip -n "$head" link set "veth$i" up
    ip -n "$ns" addr add "$subnet.$((10 + i))/24" dev eth0
    ip -n "$ns" link set eth0 up
    echo "$subnet.$((10 + i)) slots=${slots:-$cores}" >>"$work/hostfile"
    agent_cases="$agent_cases    $subnet.$((10 + i))) ns=$ns ;;
"
done

# Open MPI's rsh launcher runs: AGENT HOST COMMAND-LINE... (a line for a shell, as for ssh).
cat >"$work/agent" <<EOF
#!/bin/sh
host=\$1
shift
case "\$host" in
$agent_cases    *) echo "mpi-hosts agent: unknown host \$host" >&2; exit 1 ;;
esac
exec ip netns exec "\$ns" unshare --uts /bin/sh -c 'hostname "\$0" && exec /bin/sh -c "\$1"' "\$ns" "\$*"
EOF
chmod +x "$work/agent"

# Open MPI reads its session directories and temporary files from TMPDIR; each host has its own name.
start=$(date +%s.%N)
ip netns exec "$head" mpirun --allow-run-as-root --hostfile "$work/hostfile" \
    --mca plm_rsh_agent "$work/agent" --mca btl tcp,self,vader --bind-to none \
    --mca oob_tcp_if_include "$subnet.0/24" --mca btl_tcp_if_include "$subnet.0/24" \
    --mca oob_tcp_keepalive_time 5 --mca oob_tcp_keepalive_intvl 2 --mca oob_tcp_keepalive_probes 3 \
    "$@" &
mpirun_pid=$!

fault() { # fault ACTION HOST@SECONDS
    local host=${2%@*} delay=${2#*@}
    sleep "$delay"
    case "$1" in
    cut) ip -n "$tag-h$host" link set eth0 down && echo "mpi-hosts: cut host $host's link" >&2 ;;
    kill)
        for pid in $(ip netns pids "$tag-h$host"); do kill -KILL "$pid" 2>/dev/null; done
        echo "mpi-hosts: killed every process of host $host" >&2
        ;;
    esac
}
fault_pids=()
if [ -n "$cut" ]; then fault cut "$cut" & fault_pids+=($!); fi
if [ -n "$kill_host" ]; then fault kill "$kill_host" & fault_pids+=($!); fi

# A time limit of our own, by pid (never a process group: the script's caller may share it).
deadline=$(($(date +%s) + limit))
hung=""
while [ -d /proc/"$mpirun_pid" ] && [ "$(cut -d' ' -f3 /proc/"$mpirun_pid"/stat 2>/dev/null)" != Z ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "mpi-hosts: mpirun still running after $limit seconds: killed" >&2
        kill -KILL "$mpirun_pid" 2>/dev/null
        hung=1
        break
    fi
    sleep 0.2
done
wait "$mpirun_pid"
status=$?
if [ -n "$hung" ]; then status=124; fi
for pid in "${fault_pids[@]}"; do
    pkill -KILL -P "$pid" 2>/dev/null # its sleep
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
done
echo "mpi-hosts: exit $status after $(echo "$(date +%s.%N) - $start" | bc) seconds" >&2
exit "$status"
