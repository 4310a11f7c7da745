/*
 * forkpool.c -- forked worker processes over numbered items, with nothing lost.
 *
 * Everything the children share is one MAP_SHARED region mapped before the
 * first fork: the counter that hands out items, a record per worker of the
 * item it holds, a done flag and a result slot per item. The parent only
 * supervises: it waits on one pidfd per worker (so it never takes a SIGCHLD,
 * which belongs to the caller), reaps its own children by pid, reports items
 * as their done flags appear, and when a worker dies with an item unfinished
 * it forks a replacement that runs that item first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cforkpool.h"

typedef struct worker_record {
    _Atomic int64_t current; /* the item (index within the run) this worker holds, or -1 */
} worker_record;

typedef struct shared_region {
    _Atomic uint64_t next;      /* the next item to hand out */
    _Atomic uint64_t completed; /* items whose results are written */
    _Atomic int fault_armed;    /* the fault hook fires while this is 1 */
    /* then: worker_record[workers], _Atomic uint8_t done[items], results */
} shared_region;

typedef struct pool {
    const cforkpool_options *options;
    cforkpool_item_work work;
    void *context;
    shared_region *shared;
    size_t shared_bytes;
    worker_record *records;
    _Atomic uint8_t *done;
    uint8_t *results;
    uint8_t *reported;   /* parent only: items handed to on_item (or finished before the run) */
    uint64_t unreported; /* parent only: every item below it is reported */
    int64_t fault_item;  /* options->fault_item as an index within the run, or -1 */
    pid_t *pids;         /* per record; 0 when none runs */
    int *pidfds;         /* per record; -1 when none (or pidfds are unavailable) */
    struct pollfd *fds;  /* the supervisor's poll set: a pidfd per worker and the stop signalfd */
    int stop_fd;         /* a signalfd for SIGINT and SIGTERM, with handle_signals; else -1 */
    pid_t parent;        /* the supervisor, which workers must outlive no longer than */
    sigset_t original_mask;
} pool;

const char *cforkpool_version(void) { return CFORKPOOL_VERSION; }

const char *cforkpool_strerror(int status) {
    switch (status) {
    case CFORKPOOL_OK: return "success";
    case CFORKPOOL_EINVAL: return "invalid argument";
    case CFORKPOOL_ENOMEM: return "out of memory";
    case CFORKPOOL_EWORKERS: return "too many worker processes died";
    case CFORKPOOL_EINTR: return "interrupted by a signal";
    case CFORKPOOL_EFORK: return "could not fork a worker process";
    default: return "unknown status";
    }
}

void cforkpool_options_init(cforkpool_options *options) {
    memset(options, 0, sizeof *options);
    options->workers = 1;
    options->max_deaths = 4;
    options->fault_item = -1;
}

/* n rounded up to a multiple of 64 and added to *total; 0 when either overflows size_t. */
static int add_aligned(size_t *total, size_t n) {
    size_t rounded;
    if (__builtin_add_overflow(n, (size_t)63, &rounded)) return 0;
    rounded &= ~(size_t)63;
    return !__builtin_add_overflow(*total, rounded, total);
}

/* The next item for a worker: the counter's next one that was not finished before the run. */
static uint64_t take_item(pool *pool) {
    for (;;) {
        uint64_t item = atomic_fetch_add(&pool->shared->next, 1);
        if (item >= pool->options->items || !atomic_load(&pool->done[item])) return item;
    }
}

/* The child: take items until none are left, then _exit. Never returns. */
static void run_child(pool *pool, unsigned record, int64_t first_item) {
    const cforkpool_options *options = pool->options;
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

    uint64_t item = first_item >= 0 ? (uint64_t)first_item : take_item(pool);
    while (item < options->items) {
        int fault = (int64_t)item == pool->fault_item &&
                    (options->fault_every_time || atomic_exchange(&pool->shared->fault_armed, 0));
        /* Dying here, with the item taken but not yet recorded, leaves it for the final sweep. */
        if (fault && options->fault_before_claim) raise(SIGKILL);
        atomic_store(&pool->records[record].current, (int64_t)item);
        if (fault) raise(SIGKILL);
        uint8_t *slot = pool->results + item * options->slot_bytes;
        memset(slot, 0, options->slot_bytes);
        if (pool->work(pool->context, options->first_item + item, slot) != 0) _exit(3);
        atomic_store_explicit(&pool->done[item], 1, memory_order_release);
        atomic_fetch_add(&pool->shared->completed, 1);
        atomic_store(&pool->records[record].current, -1);
        item = take_item(pool);
    }
    _exit(0);
}

static int spawn(pool *pool, unsigned record, int64_t first_item) {
    atomic_store(&pool->records[record].current, first_item);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) run_child(pool, record, first_item);
    pool->pids[record] = pid;
    /* Readable once the worker has ended: the supervisor's wake-up, with no SIGCHLD involved. */
    pool->pidfds[record] = (int)syscall(SYS_pidfd_open, pid, 0);
    return 0;
}

static pid_t reap(pid_t pid, int *status, int flags) {
    pid_t result;
    do result = waitpid(pid, status, flags);
    while (result < 0 && errno == EINTR);
    return result;
}

/* Forgets record r's worker once it is reaped (or gone). */
static void release(pool *pool, unsigned r) {
    pool->pids[r] = 0;
    if (pool->pidfds[r] >= 0) close(pool->pidfds[r]);
    pool->pidfds[r] = -1;
}

/*
 * Signals record r's worker through its pidfd, which names that process and no
 * other even if a reaper elsewhere freed its pid for reuse; by pid only where
 * the kernel has no pidfds (before Linux 5.3), when the worker is still ours
 * because only we reap it by pid.
 */
static void signal_worker(pool *pool, unsigned r, int signal) {
    if (pool->pidfds[r] >= 0 && syscall(SYS_pidfd_send_signal, pool->pidfds[r], signal, NULL, 0) == 0) return;
    if (pool->pidfds[r] < 0) kill(pool->pids[r], signal);
}

/* Ends every running worker: SIGTERM, then SIGKILL for any still there after 0.5 s. */
static void stop_all(pool *pool) {
    unsigned workers = pool->options->workers;
    for (unsigned r = 0; r < workers; r++)
        if (pool->pids[r] > 0) signal_worker(pool, r, SIGTERM);
    for (int round = 0; round < 50; round++) {
        unsigned running = 0;
        for (unsigned r = 0; r < workers; r++) {
            int status;
            if (pool->pids[r] > 0 && reap(pool->pids[r], &status, WNOHANG) == 0) running++;
            else if (pool->pids[r] > 0) release(pool, r);
        }
        if (!running) return;
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    for (unsigned r = 0; r < workers; r++) {
        if (pool->pids[r] > 0) {
            int status;
            signal_worker(pool, r, SIGKILL);
            reap(pool->pids[r], &status, 0);
            release(pool, r);
        }
    }
}

/* SIGINT or SIGTERM if one is waiting on the stop signalfd (consuming it), else 0. */
static int pending_stop_signal(pool *pool) {
    if (pool->stop_fd < 0) return 0;
    struct signalfd_siginfo info;
    ssize_t got = read(pool->stop_fd, &info, sizeof info);
    return got == (ssize_t)sizeof info ? (int)info.ssi_signo : 0;
}

/* Hands every newly finished item to on_item, in the parent, as soon as its done flag shows. */
static void report_items(pool *pool) {
    const cforkpool_options *options = pool->options;
    if (!options->on_item) return;
    uint64_t end = atomic_load(&pool->shared->next);
    if (end > options->items) end = options->items;
    /* Items are taken in order, so only [unreported, next) can hold news. */
    for (uint64_t item = pool->unreported; item < end; item++) {
        if (pool->reported[item] || !atomic_load_explicit(&pool->done[item], memory_order_acquire)) continue;
        pool->reported[item] = 1;
        options->on_item(options->context, options->first_item + item, pool->results + item * options->slot_bytes);
    }
    while (pool->unreported < options->items && pool->reported[pool->unreported]) pool->unreported++;
}

/* Waits up to 50 ms for a worker to end or a stop signal to arrive; returns such a signal, else 0. */
static int wait_for_news(pool *pool) {
    unsigned workers = pool->options->workers;
    struct pollfd *fds = pool->fds;
    nfds_t count = 0;
    int blind = 0; /* a worker without a pidfd: poll more often instead */
    for (unsigned r = 0; r < workers; r++) {
        if (pool->pids[r] <= 0) continue;
        if (pool->pidfds[r] < 0) blind = 1;
        else fds[count++] = (struct pollfd){.fd = pool->pidfds[r], .events = POLLIN};
    }
    if (pool->stop_fd >= 0) fds[count++] = (struct pollfd){.fd = pool->stop_fd, .events = POLLIN};
    /* The caller's on_item wants items soon after they finish, not only when a worker ends. */
    int timeout = blind ? 5 : (pool->options->on_item ? 10 : 50);
    while (poll(fds, count, timeout) < 0 && errno == EINTR) {}
    return pending_stop_signal(pool);
}

/* Supervises until every item is done; returns a status. */
static int supervise(pool *pool, cforkpool_report *report) {
    const cforkpool_options *options = pool->options;
    uint64_t progressed = UINT64_MAX;
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
            release(pool, r);
            if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
            int signal = pid > 0 && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
            int exit_code = pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            /* Reaped by someone else (status unknown): a death only if it left work undone. */
            if (pid < 0) {
                int64_t held = atomic_load(&pool->records[r].current);
                if (held < 0 || atomic_load(&pool->done[held])) continue;
                pid = worker;
            }
            /* Ctrl-C reaches the whole process group, and a worker told to stop is not a death to
             * repair: the run ends, whether or not the caller asked the pool to handle signals. */
            int stop = pending_stop_signal(pool);
            if (!stop && (signal == SIGINT || signal == SIGTERM)) stop = signal;
            if (stop) {
                report->signal = stop;
                stop_all(pool);
                return CFORKPOOL_EINTR;
            }

            /* A death: find what it held, say so, and hand it to a replacement. */
            int64_t lost = atomic_load(&pool->records[r].current);
            if (lost >= 0 && atomic_load_explicit(&pool->done[lost], memory_order_acquire)) lost = -1;
            if (++report->deaths > options->max_deaths) {
                stop_all(pool);
                return CFORKPOOL_EWORKERS;
            }
            if (options->on_death)
                options->on_death(options->context, (int)pid, signal, exit_code,
                                  lost >= 0 ? (int64_t)options->first_item + lost : -1);
            /* If no replacement can be forked, the final sweep runs the lost item. */
            if ((lost >= 0 || atomic_load(&pool->shared->next) < options->items) && spawn(pool, r, lost) == 0)
                running++;
        }
        report_items(pool);
        uint64_t completed = atomic_load(&pool->shared->completed);
        if (options->on_progress && completed != progressed) {
            options->on_progress(options->context, completed);
            progressed = completed;
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
            if (!started) return item >= options->items ? CFORKPOOL_OK : CFORKPOOL_EFORK;
            continue;
        }
        int stop = wait_for_news(pool);
        if (stop) {
            report->signal = stop;
            stop_all(pool);
            return CFORKPOOL_EINTR;
        }
    }
}

int cforkpool_run(const cforkpool_options *options, cforkpool_item_work work, void *work_context,
                    void *results, cforkpool_report *report) {
    if (!options || !work || !report || options->workers == 0 || options->slot_bytes == 0 ||
        (options->items && !results))
        return CFORKPOOL_EINVAL;
    memset(report, 0, sizeof *report);
    if (options->items == 0) return CFORKPOOL_OK;
    if (options->items - 1 > UINT64_MAX - options->first_item) return CFORKPOOL_EINVAL;

    /* Every size is checked: a size that wraps would map too little and kill every worker. */
    size_t total = 0, records_at, done_at, results_at, result_bytes, record_bytes;
    if (options->items > SIZE_MAX || __builtin_mul_overflow((size_t)options->items, options->slot_bytes, &result_bytes) ||
        __builtin_mul_overflow((size_t)options->workers, sizeof(worker_record), &record_bytes))
        return CFORKPOOL_ENOMEM;
    if (!add_aligned(&total, sizeof(shared_region))) return CFORKPOOL_ENOMEM;
    records_at = total;
    if (!add_aligned(&total, record_bytes)) return CFORKPOOL_ENOMEM;
    done_at = total;
    if (!add_aligned(&total, (size_t)options->items)) return CFORKPOOL_ENOMEM;
    results_at = total;
    if (__builtin_add_overflow(total, result_bytes, &total)) return CFORKPOOL_ENOMEM;

    pool pool = {.options = options, .work = work, .context = work_context, .stop_fd = -1, .fault_item = -1};
    pool.shared_bytes = total;
    void *region = mmap(NULL, pool.shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pool.pids = calloc(options->workers, sizeof *pool.pids);
    pool.pidfds = malloc(options->workers * sizeof *pool.pidfds);
    /* On the heap, not the stack: the API sets no maximum on workers. */
    pool.fds = calloc((size_t)options->workers + 1, sizeof *pool.fds);
    pool.reported = options->on_item ? calloc((size_t)options->items, 1) : NULL;
    if (region == MAP_FAILED || !pool.pids || !pool.pidfds || !pool.fds || (options->on_item && !pool.reported)) {
        if (region != MAP_FAILED) munmap(region, pool.shared_bytes);
        free(pool.pids);
        free(pool.pidfds);
        free(pool.fds);
        free(pool.reported);
        return CFORKPOOL_ENOMEM;
    }
    for (unsigned r = 0; r < options->workers; r++) pool.pidfds[r] = -1;
    pool.shared = region;
    pool.parent = getpid();
    pool.records = (worker_record *)((uint8_t *)region + records_at);
    pool.done = (_Atomic uint8_t *)((uint8_t *)region + done_at);
    pool.results = (uint8_t *)region + results_at;
    atomic_store(&pool.shared->fault_armed, 1);
    if (options->fault_item >= 0 && (uint64_t)options->fault_item >= options->first_item &&
        (uint64_t)options->fault_item - options->first_item < options->items)
        pool.fault_item = (int64_t)((uint64_t)options->fault_item - options->first_item);

    /* Items finished before the run (a journal's): their slots come in, they are never run. */
    uint64_t finished_before = 0;
    if (options->finished) {
        for (uint64_t item = 0; item < options->items; item++) {
            if (!options->finished[item]) continue;
            memcpy(pool.results + item * options->slot_bytes, (uint8_t *)results + item * options->slot_bytes,
                   options->slot_bytes);
            atomic_store(&pool.done[item], 1);
            if (pool.reported) pool.reported[item] = 1;
            finished_before++;
        }
        atomic_store(&pool.shared->completed, finished_before);
    }

    /* Block what the supervisor waits for before the first fork, so no stop request is missed. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    if (options->handle_signals) {
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGTERM);
    }
    pthread_sigmask(SIG_BLOCK, &stop_signals, &pool.original_mask);
    if (options->handle_signals) pool.stop_fd = signalfd(-1, &stop_signals, SFD_NONBLOCK | SFD_CLOEXEC);
    /* Workers must stay reapable: a caller that ignores SIGCHLD (or asked for SA_NOCLDWAIT) would
     * have them vanish. Any other disposition, a handler of the caller's included, is left alone. */
    struct sigaction caller_child;
    sigaction(SIGCHLD, NULL, &caller_child);
    int child_changed = caller_child.sa_handler == SIG_IGN || (caller_child.sa_flags & SA_NOCLDWAIT);
    if (child_changed) {
        struct sigaction child_default;
        memset(&child_default, 0, sizeof child_default);
        child_default.sa_handler = SIG_DFL;
        sigemptyset(&child_default.sa_mask);
        sigaction(SIGCHLD, &child_default, NULL);
    }

    unsigned started = 0;
    if (finished_before < options->items) {
        for (unsigned r = 0; r < options->workers; r++) {
            if (spawn(&pool, r, -1) == 0) started++;
        }
    }
    int status = finished_before == options->items ? CFORKPOOL_OK : started ? supervise(&pool, report) : CFORKPOOL_EFORK;
    if (status == CFORKPOOL_OK) {
        report_items(&pool);
        memcpy(results, pool.results, result_bytes);
    }

    if (child_changed) sigaction(SIGCHLD, &caller_child, NULL);
    if (pool.stop_fd >= 0) close(pool.stop_fd);
    pthread_sigmask(SIG_SETMASK, &pool.original_mask, NULL);
    munmap(region, pool.shared_bytes);
    free(pool.pids);
    free(pool.pidfds);
    free(pool.fds);
    free(pool.reported);
    return status;
}
