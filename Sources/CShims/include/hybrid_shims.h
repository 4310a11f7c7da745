/*
 * hybrid_shims.h -- the POSIX macros Swift cannot import, as functions.
 *
 * waitpid's status is read through macros (WIFEXITED and friends); Swift sees no macro with an
 * argument, so HybridKit's Syscalls reads a status through these instead of re-deriving the
 * bit layout.
 */
#ifndef HYBRID_SHIMS_H
#define HYBRID_SHIMS_H

#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

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

/** An atomic store with release order: a worker process publishes into shared memory. */
static inline void hybrid_store_release(int64_t *address, int64_t value) {
    __atomic_store_n(address, value, __ATOMIC_RELEASE);
}

/** An atomic load with acquire order: the parent reads what a worker published. */
static inline int64_t hybrid_load_acquire(const int64_t *address) { return __atomic_load_n(address, __ATOMIC_ACQUIRE); }

#endif
