/*
 * hybrid_shims.h -- the POSIX macros Swift cannot import, as functions.
 *
 * waitpid's status is read through macros (WIFEXITED and friends); Swift sees no macro with an
 * argument, so HybridKit's Syscalls reads a status through these instead of re-deriving the
 * bit layout.
 */
#ifndef HYBRID_SHIMS_H
#define HYBRID_SHIMS_H

#include <sys/wait.h>

/** Nonzero when the child exited (then hybrid_wait_exit_code is its code). WIFEXITED. */
static inline int hybrid_wait_exited(int status) { return WIFEXITED(status); }
/** The exit code of a child that exited. WEXITSTATUS. */
static inline int hybrid_wait_exit_code(int status) { return WEXITSTATUS(status); }
/** Nonzero when a signal ended the child (then hybrid_wait_signal is that signal). WIFSIGNALED. */
static inline int hybrid_wait_signaled(int status) { return WIFSIGNALED(status); }
/** The signal that ended a child. WTERMSIG. */
static inline int hybrid_wait_signal(int status) { return WTERMSIG(status); }

#endif
