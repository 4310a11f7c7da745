#define _GNU_SOURCE
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Most shims are static inline in include/hybrid_shims.h; the affinity count and syncfs need _GNU_SOURCE,
 * which must not reach Swift through the header (it would make `environ` ambiguous). */
#include "hybrid_shims.h"

int hybrid_affinity_cpus(void) {
    /* A set for up to 4096 CPUs first; larger machines get a set of their size. */
    for (int cpus = 4096; cpus <= (1 << 20); cpus *= 4) {
        size_t size = CPU_ALLOC_SIZE(cpus);
        cpu_set_t *set = CPU_ALLOC(cpus);
        if (!set) return 0;
        int count = sched_getaffinity(0, size, set) == 0 ? CPU_COUNT_S(size, set) : -1;
        CPU_FREE(set);
        if (count >= 0) return count;
    }
    return 0;
}

int hybrid_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int hybrid_pidfd_signal(int pidfd, int signal) { return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0); }

int hybrid_sync_file_system(int descriptor) { return syncfs(descriptor); }
