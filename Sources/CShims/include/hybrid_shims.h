/*
 * hybrid_shims.h -- the POSIX macros Swift cannot import, as functions.
 *
 * waitpid's status is read through macros (WIFEXITED and friends), and a CPU set through
 * CPU_COUNT_S; Swift sees no macro with an argument, so HybridKit's Syscalls reads them through
 * these instead of re-deriving the bit layouts.
 */
#ifndef HYBRID_SHIMS_H
#define HYBRID_SHIMS_H

#include <sys/wait.h>

/**
 * The CPUs this process may run on (its affinity mask, as `taskset` sets it), or 0 when the
 * mask cannot be read. sched_getaffinity and CPU_COUNT_S.
 */
int hybrid_affinity_cpus(void);

/** Nonzero when the child exited (then hybrid_wait_exit_code is its code). WIFEXITED. */
static inline int hybrid_wait_exited(int status) { return WIFEXITED(status); }
/** The exit code of a child that exited. WEXITSTATUS. */
static inline int hybrid_wait_exit_code(int status) { return WEXITSTATUS(status); }
/** Nonzero when a signal ended the child (then hybrid_wait_signal is that signal). WIFSIGNALED. */
static inline int hybrid_wait_signaled(int status) { return WIFSIGNALED(status); }
/** The signal that ended a child. WTERMSIG. */
static inline int hybrid_wait_signal(int status) { return WTERMSIG(status); }

#endif
