/*
 * cforkpool.h -- numbered items run on forked worker processes, nothing lost.
 *
 * Conventions, for every function in this header:
 *   - Names carry the prefix cforkpool_ (types, functions) or CFORKPOOL_
 *     (macros).
 *   - Functions that can fail return an int status: CFORKPOOL_OK (0) on
 *     success, one of the negative CFORKPOOL_E* codes otherwise;
 *     cforkpool_strerror() names it.
 *   - Pointers are never NULL unless marked _Nullable.
 *   - There is no global mutable state: a run's state lives in its call (and
 *     in a shared mapping it makes and unmaps).
 *
 * CSieve's csieve_chunks_work() is ready-made item work for sieving.
 */
#ifndef CFORKPOOL_H
#define CFORKPOOL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

/*
 * The version of this API. Before 1.0, a change of CFORKPOOL_VERSION_MINOR
 * may break source or binary compatibility; a change of
 * CFORKPOOL_VERSION_PATCH does not. Every library of the hybrid package
 * carries the same version.
 */
#define CFORKPOOL_VERSION "0.3.0"
#define CFORKPOOL_VERSION_MAJOR 0
#define CFORKPOOL_VERSION_MINOR 3
#define CFORKPOOL_VERSION_PATCH 0

/** CFORKPOOL_VERSION of the library linked in, which may differ from the header's. */
const char *cforkpool_version(void);

/* Status codes. */
#define CFORKPOOL_OK 0
/** An argument is out of its domain (a NULL or zero argument, items past 2^64). */
#define CFORKPOOL_EINVAL (-1)
/** Memory could not be allocated or mapped, or a size does not fit in size_t. */
#define CFORKPOOL_ENOMEM (-2)
/*
 * cforkpool_run() runs numbered items across forked worker processes, each
 * item's result written into its own fixed-size slot of a shared memory
 * region made before the first fork. Workers pull the next item from one
 * atomic counter in that region, so a slow item never holds up the others.
 *
 * Nothing is lost when a worker dies (killed by a signal from outside, a
 * crash, a non-zero exit): the parent reaps it, reports it through on_death,
 * and forks a replacement that runs the item the dead worker held before
 * taking new ones; when every worker has ended, any item still undone (its
 * worker died between taking and recording it) is run again. After more than
 * max_deaths deaths the run stops with CFORKPOOL_EWORKERS instead of retrying
 * forever.
 *
 * The fork rule, stated here once for all of hybrid (HybridKit's Pool and
 * ParallelMap, the command line and this pool obey it and point here):
 *   1. Everything a child needs is allocated and prepared before fork():
 *      the shared region, the results, the work's own state (a sieve is
 *      prepared with csieve_sieve_prepare()).
 *   2. A child of a multi-threaded parent calls only async-signal-safe
 *      functions until it execs or exits: C work that only computes into
 *      memory made before the fork, such as csieve_chunks_work. (A sieve's
 *      lists of sieving primes may still grow in the child; glibc's fork
 *      resets malloc's locks in the child, which this relies on there.)
 *   3. Swift work runs in a forked child only when the parent is
 *      single-threaded at the fork; otherwise workers are started by a method
 *      that is safe with threads (HybridKit's Pool spawns them by exec).
 *   4. Results go into a region mapped before the fork (here) or over a
 *      pipe; a child ends with _exit, never exit, so no atexit handler or
 *      stdio buffer of the parent's runs twice.
 *   5. Workers are signalled through their pidfds, never by a pid that
 *      another reaper could have freed for reuse.
 * Workers keep the caller's ignored signals ignored, and die with their
 * parent (PR_SET_PDEATHSIG), so no orphan outlives it.
 *
 * Signals, decided:
 *   - SIGCHLD stays the caller's. The supervisor waits on a pidfd per worker
 *     and reaps only its own workers, by pid; it neither blocks nor takes
 *     SIGCHLD, so a handler of the caller's runs as usual (for the workers'
 *     exits too) and children the caller forked itself are the caller's to
 *     reap. Only when the caller ignores SIGCHLD (SIG_IGN or SA_NOCLDWAIT),
 *     which would have the workers vanish unreaped, is the disposition set to
 *     the default for the run and restored after; a child of the caller's that
 *     ends in that window stays a zombie until the caller reaps it.
 *   - A handler of the caller's that reaps every child (waitpid(-1, ...))
 *     takes workers' statuses away from the pool. Such a worker is judged by
 *     its item: if it had recorded it, nothing was lost and it is no death;
 *     otherwise it is a death with an unknown cause, reported to on_death
 *     with signal 0 and exit code -1 (never as "exited with code 0").
 *   - handle_signals = 1: SIGINT and SIGTERM are blocked on the calling
 *     thread for the run (other threads should block them as well) and read
 *     through a signalfd; when one arrives every worker is ended (SIGTERM,
 *     then SIGKILL after 0.5 s) and reaped, and the call returns CFORKPOOL_EINTR
 *     with the signal in the report.
 *   - handle_signals = 0: the caller's dispositions stay as they are. A worker
 *     killed by SIGINT or SIGTERM (Ctrl-C reaches the whole foreground process
 *     group) is never replaced: the pool takes it as a request to stop, ends
 *     and reaps every worker and returns CFORKPOOL_EINTR with that signal, rather
 *     than replacing workers until max_deaths runs out. What the signal does
 *     to the caller itself is the caller's disposition's business (by default
 *     it ends the caller, and PR_SET_PDEATHSIG the workers).
 */

/** Too many workers died; the run was stopped. */
#define CFORKPOOL_EWORKERS (-4)
/** A SIGINT or SIGTERM ended the run (cforkpool_report.signal says which). */
#define CFORKPOOL_EINTR (-5)
/** fork() failed and no worker could run (or none could for an unfinished item). */
#define CFORKPOOL_EFORK (-6)

/**
 * The work for one item, run in a forked child. It writes the item's result
 * into slot (slot_bytes long, zeroed before the call; never NULL, though
 * marked _Nullable so that functions declared without nullability, such as
 * csieve_chunks_work, have this type) and returns 0; any other value ends the
 * worker with exit code 3, which counts as a death. item is the item's
 * number: first_item + its index within the run.
 */
typedef int (*cforkpool_item_work)(void *_Nullable context, uint64_t item, void *_Nullable slot);

/** What to run and how; cforkpool_options_init() sets the defaults noted. */
typedef struct cforkpool_options {
    /** Processes at once, >= 1 (default 1). */
    unsigned workers;
    /** Items in the run: numbers first_item .. first_item + items - 1. */
    uint64_t items;
    /** Result bytes per item, > 0. */
    size_t slot_bytes;
    /** Worker deaths tolerated (default 4). */
    unsigned max_deaths;
    /** Nonzero: stop on SIGINT and SIGTERM, as described above (default 0). */
    int handle_signals;
    /** Handed to on_progress, on_death and on_item. */
    void *_Nullable context;
    /**
     * Called in the parent about every 50 ms (10 ms with on_item) while the
     * count of finished items (those finished before the run included) grows.
     */
    void (*_Nullable on_progress)(void *_Nullable context, uint64_t items_done);
    /**
     * Called in the parent for each death that is repaired (not the one past
     * max_deaths): its pid, the signal that killed it (0 if it exited), its
     * exit code (-1 if signalled, and -1 with signal 0 when its status is
     * unknown, see above) and the item number it lost (-1 if none).
     */
    void (*_Nullable on_death)(void *_Nullable context, int pid, int signal, int exit_code,
                               int64_t lost_item);
    /**
     * Fault injection for tests: the worker that takes item number fault_item
     * kills itself with SIGKILL before running it, the first time only (or
     * every time, with fault_every_time). -1 (default): never.
     */
    int64_t fault_item;
    /** With fault_item: every worker that takes the item dies, not only the first. */
    int fault_every_time;
    /**
     * With fault_item: the worker dies before recording that it holds the
     * item, the window a final sweep for undone items covers.
     */
    int fault_before_claim;
    /**
     * The number of the run's first item (default 0): a long list can run in
     * batches of bounded shared memory, each batch's work and callbacks
     * seeing the items' own numbers.
     */
    uint64_t first_item;
    /**
     * NULL (default), or items flags: a nonzero flag marks an item finished
     * before the run (read from a journal, say), whose slot the caller has
     * already put in results. Such items are never run and never passed to
     * on_item.
     */
    const unsigned char *_Nullable finished;
    /**
     * Called in the parent for each item this run finishes, soon after its
     * worker records it (the supervisor looks every 10 ms and whenever a
     * worker ends), with the item number and its slot (slot_bytes, valid
     * during the call): a journal can write and fsync it there. Items of a
     * run that ends in an error may have been passed already; none is passed
     * twice. Default NULL.
     */
    void (*_Nullable on_item)(void *_Nullable context, uint64_t item, const void *slot);
} cforkpool_options;

/** What a run saw. */
typedef struct cforkpool_report {
    /** Workers that died (with CFORKPOOL_EWORKERS, the fatal one included). */
    unsigned deaths;
    /** With CFORKPOOL_EINTR: SIGINT or SIGTERM. */
    int signal;
} cforkpool_report;

/** Sets the defaults noted in cforkpool_options. Cost: O(1). */
void cforkpool_options_init(cforkpool_options *options);

/**
 * Runs work(work_context, first_item + k, slot) for every k < options->items
 * on options->workers forked processes and copies the results (items *
 * slot_bytes bytes, in item order) into results (which may be NULL only
 * when items is 0).
 *
 * Cost: one fork per worker (plus one per death), a shared mapping of about
 * items * (slot_bytes + 1) bytes, and a supervisor that wakes when a worker
 * ends, on a stop signal, or every 50 ms (10 ms with on_item).
 * Returns CFORKPOOL_OK, CFORKPOOL_EINVAL (a NULL or zero argument,
 * first_item + items past 2^64), CFORKPOOL_ENOMEM (memory, or a region size
 * that does not fit in size_t: every size is computed with overflow checks),
 * CFORKPOOL_EWORKERS, CFORKPOOL_EINTR or CFORKPOOL_EFORK; results are
 * written only with CFORKPOOL_OK. docs/library.md has a whole example.
 */
int cforkpool_run(const cforkpool_options *options, cforkpool_item_work work,
                  void *_Nullable work_context, void *_Nullable results,
                  cforkpool_report *report);

/** A static, human-readable name for a status code (never NULL). */
const char *cforkpool_strerror(int status);

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif

#endif /* CFORKPOOL_H */
