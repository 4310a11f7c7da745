/*
 * workers.c -- forked worker processes over numbered items, with nothing lost.
 *
 * Everything the children share is one MAP_SHARED region mapped before the
 * first fork: the counter that hands out items, a record per worker of the
 * item it holds, a done flag and a result slot per item. The parent only
 * supervises: it reaps children, and when one dies with an item unfinished it
 * forks a replacement that runs that item first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "csieve.h"

typedef struct worker_record {
    _Atomic int64_t current; /* the item this worker holds, or -1 */
} worker_record;

typedef struct shared_region {
    _Atomic uint64_t next;      /* the next item to hand out */
    _Atomic uint64_t completed; /* items whose results are written */
    _Atomic int fault_armed;    /* the fault hook fires while this is 1 */
    /* then: worker_record[workers], _Atomic uint8_t done[items], results */
} shared_region;

typedef struct pool {
    const csieve_fork_options *options;
    csieve_item_work work;
    void *context;
    shared_region *shared;
    size_t shared_bytes;
    worker_record *records;
    _Atomic uint8_t *done;
    uint8_t *results;
    pid_t *pids; /* per record; 0 when none runs */
    pid_t parent; /* the supervisor, which workers must outlive no longer than */
    sigset_t original_mask;
} pool;

void csieve_fork_options_init(csieve_fork_options *options) {
    memset(options, 0, sizeof *options);
    options->workers = 1;
    options->max_deaths = 4;
    options->fault_item = -1;
}

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

/* The child: take items until none are left, then _exit. Never returns. */
static void run_child(pool *pool, unsigned record, int64_t first_item) {
    const csieve_fork_options *options = pool->options;
    /* The parent blocked these to wait for them; a worker dies of them as usual, unless the
     * caller ignored them (a background job), and a handler of the caller's is not ours to run. */
    static const int stop_signals[2] = {SIGINT, SIGTERM};
    for (int k = 0; k < 2; k++) {
        struct sigaction current;
        if (sigaction(stop_signals[k], NULL, &current) == 0 && current.sa_handler != SIG_IGN)
            signal(stop_signals[k], SIG_DFL);
    }
    pthread_sigmask(SIG_SETMASK, &pool->original_mask, NULL);
    /* No orphans: a worker whose parent dies goes too, even if it died before this line. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != pool->parent) _exit(1);

    uint64_t item = first_item >= 0 ? (uint64_t)first_item : atomic_fetch_add(&pool->shared->next, 1);
    while (item < options->items) {
        int fault = (int64_t)item == options->fault_item &&
                    (options->fault_every_time || atomic_exchange(&pool->shared->fault_armed, 0));
        /* Dying here, with the item taken but not yet recorded, leaves it for the final sweep. */
        if (fault && options->fault_before_claim) raise(SIGKILL);
        atomic_store(&pool->records[record].current, (int64_t)item);
        if (fault) raise(SIGKILL);
        uint8_t *slot = pool->results + item * options->slot_bytes;
        memset(slot, 0, options->slot_bytes);
        if (pool->work(pool->context, item, slot) != 0) _exit(3);
        atomic_store_explicit(&pool->done[item], 1, memory_order_release);
        atomic_fetch_add(&pool->shared->completed, 1);
        atomic_store(&pool->records[record].current, -1);
        item = atomic_fetch_add(&pool->shared->next, 1);
    }
    _exit(0);
}

static int spawn(pool *pool, unsigned record, int64_t first_item) {
    atomic_store(&pool->records[record].current, first_item);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) run_child(pool, record, first_item);
    pool->pids[record] = pid;
    return 0;
}

static pid_t reap(pid_t pid, int *status, int flags) {
    pid_t result;
    do result = waitpid(pid, status, flags);
    while (result < 0 && errno == EINTR);
    return result;
}

/* Ends every running worker: SIGTERM, then SIGKILL for any still there after 0.5 s. */
static void stop_all(pool *pool) {
    unsigned workers = pool->options->workers;
    for (unsigned r = 0; r < workers; r++)
        if (pool->pids[r] > 0) kill(pool->pids[r], SIGTERM);
    for (int round = 0; round < 50; round++) {
        unsigned running = 0;
        for (unsigned r = 0; r < workers; r++) {
            int status;
            if (pool->pids[r] > 0 && reap(pool->pids[r], &status, WNOHANG) == 0) running++;
            else pool->pids[r] = 0;
        }
        if (!running) return;
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    for (unsigned r = 0; r < workers; r++) {
        if (pool->pids[r] > 0) {
            int status;
            kill(pool->pids[r], SIGKILL);
            reap(pool->pids[r], &status, 0);
            pool->pids[r] = 0;
        }
    }
}

/* SIGINT or SIGTERM if one is pending for the supervisor (consuming it), else 0. */
static int pending_stop_signal(const csieve_fork_options *options) {
    if (!options->handle_signals) return 0;
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    struct timespec now = {0, 0};
    int signal_number = sigtimedwait(&stop, NULL, &now);
    return signal_number > 0 ? signal_number : 0;
}

/* The signals the supervisor waits for: a child's exit, and with handle_signals the stop signals. */
static sigset_t supervised_signals(const csieve_fork_options *options) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    if (options->handle_signals) {
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
    }
    return set;
}

/* Supervises until every item is done; returns a status. */
static int supervise(pool *pool, csieve_fork_report *report) {
    const csieve_fork_options *options = pool->options;
    sigset_t wake = supervised_signals(options);
    uint64_t reported = UINT64_MAX;
    for (;;) {
        unsigned running = 0;
        for (unsigned r = 0; r < options->workers; r++) {
            if (pool->pids[r] <= 0) continue;
            int status = 0;
            pid_t pid = reap(pool->pids[r], &status, WNOHANG);
            if (pid == 0) {
                running++;
                continue;
            }
            pid_t worker = pool->pids[r];
            pool->pids[r] = 0;
            if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
            /* Reaped by someone else (status unknown): a death only if it left work undone. */
            if (pid < 0) {
                int64_t held = atomic_load(&pool->records[r].current);
                if (held < 0 || atomic_load(&pool->done[held])) continue;
                pid = worker;
                status = 0;
            }
            /* Ctrl-C reaches the whole process group: a worker killed by it is no death to repair. */
            int stop = pending_stop_signal(options);
            if (stop) {
                report->signal = stop;
                stop_all(pool);
                return CSIEVE_EINTR;
            }

            /* A death: find what it held, say so, and hand it to a replacement. */
            int64_t lost = atomic_load(&pool->records[r].current);
            if (lost >= 0 && atomic_load_explicit(&pool->done[lost], memory_order_acquire)) lost = -1;
            if (++report->deaths > options->max_deaths) {
                stop_all(pool);
                return CSIEVE_EWORKERS;
            }
            if (options->on_death)
                options->on_death(options->context, (int)pid, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
                                  WIFEXITED(status) ? WEXITSTATUS(status) : -1, lost);
            /* If no replacement can be forked, the final sweep runs the lost item. */
            if ((lost >= 0 || atomic_load(&pool->shared->next) < options->items) && spawn(pool, r, lost) == 0)
                running++;
        }
        uint64_t completed = atomic_load(&pool->shared->completed);
        if (options->on_progress && completed != reported) {
            options->on_progress(options->context, completed);
            reported = completed;
        }
        if (!running) {
            /* Every worker has ended. An item can still be undone if its worker died between
             * taking it from the counter and recording it: run each such item again. */
            unsigned started = 0;
            uint64_t item = 0;
            for (unsigned r = 0; r < options->workers; r++, item++) {
                while (item < options->items && atomic_load(&pool->done[item])) item++;
                if (item == options->items) break;
                if (spawn(pool, r, (int64_t)item) == 0) started++;
            }
            if (!started) return item >= options->items ? CSIEVE_OK : CSIEVE_EFORK;
            continue;
        }

        struct timespec timeout = {0, 50 * 1000 * 1000};
        siginfo_t info;
        int signal_number = sigtimedwait(&wake, &info, &timeout);
        if (signal_number == SIGINT || signal_number == SIGTERM) {
            report->signal = signal_number;
            stop_all(pool);
            return CSIEVE_EINTR;
        }
    }
}

int csieve_fork_run(const csieve_fork_options *options, csieve_item_work work, void *work_context,
                    void *results, csieve_fork_report *report) {
    if (!options || !work || !report || options->workers == 0 || options->slot_bytes == 0 ||
        (options->items && !results))
        return CSIEVE_EINVAL;
    memset(report, 0, sizeof *report);
    if (options->items == 0) return CSIEVE_OK;
    if (options->items > (SIZE_MAX / 2) / options->slot_bytes) return CSIEVE_ENOMEM;

    pool pool = {.options = options, .work = work, .context = work_context};
    size_t records_at = round_up(sizeof(shared_region), 64);
    size_t done_at = records_at + round_up(options->workers * sizeof(worker_record), 64);
    size_t results_at = done_at + round_up((size_t)options->items, 64);
    pool.shared_bytes = results_at + (size_t)options->items * options->slot_bytes;
    void *region = mmap(NULL, pool.shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pool.pids = calloc(options->workers, sizeof *pool.pids);
    if (region == MAP_FAILED || !pool.pids) {
        if (region != MAP_FAILED) munmap(region, pool.shared_bytes);
        free(pool.pids);
        return CSIEVE_ENOMEM;
    }
    pool.shared = region;
    pool.parent = getpid();
    pool.records = (worker_record *)((uint8_t *)region + records_at);
    pool.done = (_Atomic uint8_t *)((uint8_t *)region + done_at);
    pool.results = (uint8_t *)region + results_at;
    atomic_store(&pool.shared->fault_armed, 1);

    /* Block what the supervisor waits for before the first fork, so no wake-up is missed. */
    sigset_t wait_for = supervised_signals(options);
    pthread_sigmask(SIG_BLOCK, &wait_for, &pool.original_mask);
    /* Workers must stay reapable: a caller that ignores SIGCHLD would have them vanish. */
    struct sigaction child_default, caller_child;
    memset(&child_default, 0, sizeof child_default);
    child_default.sa_handler = SIG_DFL;
    sigemptyset(&child_default.sa_mask);
    sigaction(SIGCHLD, &child_default, &caller_child);

    unsigned started = 0;
    for (unsigned r = 0; r < options->workers; r++) {
        if (spawn(&pool, r, -1) == 0) started++;
    }
    int status = started ? supervise(&pool, report) : CSIEVE_EFORK;
    if (status == CSIEVE_OK) memcpy(results, pool.results, (size_t)options->items * options->slot_bytes);

    /* Drop a SIGCHLD left pending by the last reaps, then restore the caller's mask. */
    struct timespec now = {0, 0};
    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    while (sigtimedwait(&child, NULL, &now) > 0) {}
    sigaction(SIGCHLD, &caller_child, NULL);
    pthread_sigmask(SIG_SETMASK, &pool.original_mask, NULL);
    munmap(region, pool.shared_bytes);
    free(pool.pids);
    return status;
}

int csieve_chunks_work(void *context, uint64_t item, void *slot) {
    csieve_chunks *chunks = context;
    uint64_t from = chunks->from + item * chunks->chunk_width;
    uint64_t to = chunks->to - from < chunks->chunk_width ? chunks->to : from + chunks->chunk_width;
    return csieve_sieve_run(chunks->sieve, from, to, chunks->flags, slot) == CSIEVE_OK ? 0 : 1;
}
