/*
 * hybrid_shims.h -- the POSIX macros Swift cannot import, as functions.
 *
 * waitpid's status is read through macros (WIFEXITED and friends), and a CPU set through
 * CPU_COUNT_S; Swift sees no macro with an argument, so HybridKit's Syscalls reads them through
 * these instead of re-deriving the bit layouts.
 */
#ifndef HYBRID_SHIMS_H
#define HYBRID_SHIMS_H

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/**
 * The CPUs this process may run on (its affinity mask, as `taskset` sets it), or 0 when the
 * mask cannot be read. sched_getaffinity and CPU_COUNT_S.
 */
int hybrid_affinity_cpus(void);

/**
 * Writes every dirty page of the filesystem that holds the open file `descriptor` to its disk
 * (syncfs, Linux 2.6.39): one call that makes many just-written files durable at once, where
 * fsync would need one call each. Returns 0, or -1 with errno set.
 */
int hybrid_sync_file_system(int descriptor);

/**
 * A pidfd for the child `pid` (pidfd_open, Linux 5.3), or -1: a handle that names that process
 * and no other, even after another reaper freed its pid for reuse. The fork rule signals workers
 * through it.
 */
int hybrid_pidfd_open(pid_t pid);

/** Sends `signal` through a pidfd (pidfd_send_signal); 0, or -1 with errno set. */
int hybrid_pidfd_signal(int pidfd, int signal);

/** Nonzero when the child exited (then hybrid_wait_exit_code is its code). WIFEXITED. */
static inline int hybrid_wait_exited(int status) { return WIFEXITED(status); }
/** The exit code of a child that exited. WEXITSTATUS. */
static inline int hybrid_wait_exit_code(int status) { return WEXITSTATUS(status); }
/** Nonzero when a signal ended the child (then hybrid_wait_signal is that signal). WIFSIGNALED. */
static inline int hybrid_wait_signaled(int status) { return WIFSIGNALED(status); }
/** The signal that ended a child. WTERMSIG. */
static inline int hybrid_wait_signal(int status) { return WTERMSIG(status); }

/**
 * fork() for a Pool worker process, returning as fork does. The child asks to be killed when
 * its parent dies (PR_SET_PDEATHSIG) and ends at once if the parent is already gone, so no
 * worker outlives the pool that started it. The caller keeps the fork rule: the parent has one
 * thread, or the child calls only async-signal-safe functions.
 */
static inline pid_t hybrid_fork_worker(void) {
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
    }
    return pid;
}

/** An anonymous shared-memory file (memfd, close-on-exec) for a Pool's worker records; -1 on failure. */
static inline int hybrid_memory_file(void) { return (int)syscall(SYS_memfd_create, "hybrid-pool", 1u /* MFD_CLOEXEC */); }

/**
 * Starts this program anew (/proc/self/exe, with `argv`) as a Pool worker, by posix_spawn, which
 * is safe from a multi-threaded parent: no Swift code runs in the child before exec. The child
 * gets the parent's environment plus `worker` ("NAME=VALUE"), `socket` as descriptor 3 and
 * `region` as descriptor 4, and nothing else of the parent's that is close-on-exec. Returns its
 * pid, or -1.
 */
static inline pid_t hybrid_spawn_worker(char *const argv[], const char *worker, int socket, int region) {
    extern char **environ;
    size_t count = 0;
    while (environ[count]) count++;
    char **environment = malloc((count + 2) * sizeof *environment);
    if (!environment) return -1;
    memcpy(environment, environ, count * sizeof *environment);
    environment[count] = (char *)worker;
    environment[count + 1] = NULL;
    /* Copies above 9, so that neither is already 3 or 4 (a dup2 onto itself keeps close-on-exec). */
    int socket_copy = fcntl(socket, F_DUPFD_CLOEXEC, 10), region_copy = fcntl(region, F_DUPFD_CLOEXEC, 10);
    pid_t pid = -1;
    posix_spawn_file_actions_t actions;
    if (socket_copy >= 0 && region_copy >= 0 && posix_spawn_file_actions_init(&actions) == 0) {
        posix_spawn_file_actions_adddup2(&actions, socket_copy, 3);
        posix_spawn_file_actions_adddup2(&actions, region_copy, 4);
        if (posix_spawn(&pid, "/proc/self/exe", &actions, NULL, argv, environment) != 0) pid = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    if (socket_copy >= 0) close(socket_copy);
    if (region_copy >= 0) close(region_copy);
    free(environment);
    return pid;
}

/** In a spawned worker: die with the parent (PR_SET_PDEATHSIG), and at once if it is already gone. */
static inline void hybrid_follow_parent(pid_t parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
}

/** An atomic store with release order: a worker process publishes into shared memory. */
static inline void hybrid_store_release(int64_t *address, int64_t value) {
    __atomic_store_n(address, value, __ATOMIC_RELEASE);
}

/** An atomic load with acquire order: the parent reads what a worker published. */
static inline int64_t hybrid_load_acquire(const int64_t *address) { return __atomic_load_n(address, __ATOMIC_ACQUIRE); }

#endif
