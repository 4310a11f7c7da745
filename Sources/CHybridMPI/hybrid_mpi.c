/*
 * hybrid_mpi.c -- the compute strategy `mpi` (see include/hybrid_mpi.h).
 *
 * Compiled with MPI only when HYBRID_MPI is defined, which the package trait
 * MPI alone does; otherwise every entry point says HYBRID_MPI_ENOTBUILT. Not
 * __has_include(<mpi.h>): a machine with MPI headers but a build without the
 * trait must not silently grow an MPI dependency, and a build with the trait
 * on a machine without them must fail loudly.
 *
 * The protocol, all point-to-point on MPI_COMM_WORLD, MPI_BYTE payloads of
 * uint64_t words:
 *   ASK  (rank r -> 0): [wanted, n, n records of (item, slot padded to 8)]:
 *        the results rank r finished since its last ASK, and how many more
 *        items it wants. Sent when results are ready, when it wants items,
 *        and at least every lease/4 seconds (a heartbeat).
 *   GIVE (0 -> rank r): [n, n items], one per ASK, in order, sent at once.
 *        Fewer items than wanted means none are left to hand out.
 *   FAIL (rank r -> 0): [item, status] when a work call failed.
 *   END  (0 -> rank r): [] once every item is finished; no GIVE follows it.
 *   BYE  (rank r -> 0): [] the answer to END; rank r sends nothing after it.
 * Rank 0 never hands an item out twice, so a result can arrive only once;
 * one that arrives again anyway is dropped.
 */
#define _GNU_SOURCE
#include "hybrid_mpi.h"

#include <string.h>
#include <unistd.h>

const char *hybrid_mpi_strerror(int status) {
    switch (status) {
    case HYBRID_MPI_OK: return "success";
    case HYBRID_MPI_EINVAL: return "invalid argument";
    case HYBRID_MPI_ENOMEM: return "out of memory";
    case HYBRID_MPI_ENOTBUILT: return "this build has no MPI";
    case HYBRID_MPI_EMPI: return "an MPI call failed";
    case HYBRID_MPI_ELOST: return "a rank fell silent past its lease";
    case HYBRID_MPI_EWORK: return "a work function failed";
    case HYBRID_MPI_ESTOPPED: return "stopped";
    case HYBRID_MPI_ETHREAD: return "a thread could not be started";
    default: return "unknown status";
    }
}

void hybrid_mpi_map_options_init(hybrid_mpi_map_options *options) {
    if (options == NULL) return;
    memset(options, 0, sizeof *options);
    options->threads = 1;
    options->lease_seconds = 10;
}

#ifndef HYBRID_MPI

int hybrid_mpi_compiled(void) { return 0; }

int hybrid_mpi_init(int *rank, int *ranks) {
    (void)rank;
    (void)ranks;
    return HYBRID_MPI_ENOTBUILT;
}

int hybrid_mpi_host_name(char *name, size_t size) {
    (void)name;
    (void)size;
    return HYBRID_MPI_ENOTBUILT;
}

int hybrid_mpi_broadcast(void *data, size_t bytes) {
    (void)data;
    (void)bytes;
    return HYBRID_MPI_ENOTBUILT;
}

int hybrid_mpi_finalize(double timeout_seconds) {
    (void)timeout_seconds;
    return HYBRID_MPI_ENOTBUILT;
}

void hybrid_mpi_abort(int exit_code, double grace_seconds) {
    (void)grace_seconds;
    _exit(exit_code);
}

int hybrid_mpi_map(const hybrid_mpi_map_options *options, hybrid_mpi_item_work work,
                   hybrid_mpi_map_report *report) {
    (void)options;
    (void)work;
    (void)report;
    return HYBRID_MPI_ENOTBUILT;
}

#else /* HYBRID_MPI */

#include <errno.h>
#include <limits.h>
#include <mpi.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { TAG_ASK = 101, TAG_GIVE, TAG_FAIL, TAG_END, TAG_BYE };

/* MPI is process-wide state; so is what this file keeps about it. */
static int mpi_ready;
static int world_rank;
static int world_size = 1;

static double monotonic_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static struct timespec monotonic_after(double seconds) {
    double when = monotonic_seconds() + seconds;
    struct timespec at;
    at.tv_sec = (time_t)when;
    at.tv_nsec = (long)((when - (double)at.tv_sec) * 1e9);
    if (at.tv_nsec >= 1000000000L) {
        at.tv_sec += 1;
        at.tv_nsec -= 1000000000L;
    }
    return at;
}

static int init_monotonic_cond(pthread_cond_t *cond) {
    pthread_condattr_t attributes;
    if (pthread_condattr_init(&attributes) != 0) return -1;
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    int status = pthread_cond_init(cond, &attributes);
    pthread_condattr_destroy(&attributes);
    return status;
}

/* Starts a thread with every signal blocked, so that signals meant for the
   process (SIGINT, SIGTERM) reach the thread that waits for them. With an
   affinity, the thread runs on those processors instead of the process's. */
static int start_thread(pthread_t *thread, void *(*body)(void *), void *argument, const cpu_set_t *affinity) {
    sigset_t all, previous;
    pthread_attr_t attributes;
    if (pthread_attr_init(&attributes) != 0) return -1;
    if (affinity != NULL) pthread_attr_setaffinity_np(&attributes, sizeof *affinity, affinity);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int status = pthread_create(thread, &attributes, body, argument);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    pthread_attr_destroy(&attributes);
    return status;
}

/* mpirun binds each rank to cores by default (to one core when it starts two
   ranks or fewer): a rank of 32 threads would run them all on one core. When
   the rank's binding holds fewer processors than it runs threads, its threads
   run on every processor of the host instead (as with mpirun --bind-to none),
   and *affinity is that set; a binding wide enough for the threads stands. */
static int threads_affinity(unsigned threads, cpu_set_t *affinity) {
    cpu_set_t bound;
    if (sched_getaffinity(0, sizeof bound, &bound) != 0 || (unsigned)CPU_COUNT(&bound) >= threads) return 0;
    long processors = sysconf(_SC_NPROCESSORS_ONLN);
    CPU_ZERO(affinity);
    for (long cpu = 0; cpu < processors && cpu < CPU_SETSIZE; cpu++) CPU_SET((int)cpu, affinity);
    return CPU_COUNT(affinity) > CPU_COUNT(&bound);
}

/* ---------------------------------------------------------------------------
 * The watchdog: a thread that ends the process when its deadline passes.
 * Busy-polling MPI calls never return when a peer's network is cut, and
 * mpirun ignores SIGTERM, so nothing outside the rank can be relied on to end
 * it: the watchdog writes one line and calls _exit, which needs no lock that
 * a stuck thread might hold.
 * ------------------------------------------------------------------------- */

static pthread_once_t watchdog_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t watchdog_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watchdog_cond;
static int watchdog_running;
static double watchdog_deadline; /* 0: disarmed */
static int watchdog_exit_code = 1;
static char watchdog_message[256];

static void *watchdog_main(void *unused) {
    (void)unused;
    pthread_mutex_lock(&watchdog_lock);
    for (;;) {
        if (watchdog_deadline == 0) {
            pthread_cond_wait(&watchdog_cond, &watchdog_lock);
            continue;
        }
        double left = watchdog_deadline - monotonic_seconds();
        if (left <= 0) {
            ssize_t ignored = write(2, watchdog_message, strlen(watchdog_message));
            (void)ignored;
            _exit(watchdog_exit_code);
        }
        struct timespec at = monotonic_after(left);
        pthread_cond_timedwait(&watchdog_cond, &watchdog_lock, &at);
    }
    return NULL;
}

static void watchdog_start(void) {
    pthread_t thread;
    if (init_monotonic_cond(&watchdog_cond) != 0) return;
    if (start_thread(&thread, watchdog_main, NULL, NULL) == 0) {
        pthread_detach(thread);
        watchdog_running = 1;
    }
}

/* Arms the watchdog: unless re-armed or disarmed, the process ends with
   exit_code `seconds` from now. seconds <= 0 disarms it. */
static void watchdog_arm(double seconds, int exit_code, const char *why) {
    pthread_once(&watchdog_once, watchdog_start);
    pthread_mutex_lock(&watchdog_lock);
    if (seconds <= 0) {
        watchdog_deadline = 0;
    } else {
        watchdog_deadline = monotonic_seconds() + seconds;
        watchdog_exit_code = exit_code;
        snprintf(watchdog_message, sizeof watchdog_message, "hybrid: rank %d: %s\n", world_rank, why);
    }
    pthread_cond_signal(&watchdog_cond);
    pthread_mutex_unlock(&watchdog_lock);
}

/* ---------------------------------------------------------------------------
 * Set-up and tear-down.
 * ------------------------------------------------------------------------- */

int hybrid_mpi_compiled(void) { return 1; }

int hybrid_mpi_init(int *rank, int *ranks) {
    if (!mpi_ready) {
        /* MPI_Init starts threads of its own. They must never take SIGINT or SIGTERM, which the
           caller waits for on its own thread (sigtimedwait) to stop a run cleanly: a process-
           directed signal goes to any thread that does not block it. They inherit this mask. */
        sigset_t stop_signals, previous;
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
        /* The map sends a few small messages per chunk, which any point-to-point layer carries
           at no measurable cost; but Open MPI's default choice probes UCX first, which takes
           about 0.2 s of every rank's start here. So the ob1 layer, unless the user chose one
           (mpirun --mca pml X sets this variable for every rank, and then it wins). */
        setenv("OMPI_MCA_pml", "ob1", 0);
        int provided = 0;
        int status = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
        pthread_sigmask(SIG_SETMASK, &previous, NULL);
        if (status != MPI_SUCCESS) return HYBRID_MPI_EMPI;
        /* Failures come back as codes, so that a rank can report before it ends the job. */
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
        MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
        MPI_Comm_size(MPI_COMM_WORLD, &world_size);
        mpi_ready = 1;
    }
    if (rank != NULL) *rank = world_rank;
    if (ranks != NULL) *ranks = world_size;
    return HYBRID_MPI_OK;
}

int hybrid_mpi_host_name(char *name, size_t size) {
    if (!mpi_ready || name == NULL || size == 0) return HYBRID_MPI_EINVAL;
    char buffer[MPI_MAX_PROCESSOR_NAME + 1];
    int length = 0;
    if (MPI_Get_processor_name(buffer, &length) != MPI_SUCCESS) return HYBRID_MPI_EMPI;
    buffer[length] = '\0';
    snprintf(name, size, "%s", buffer);
    return HYBRID_MPI_OK;
}

int hybrid_mpi_broadcast(void *data, size_t bytes) {
    if (!mpi_ready || data == NULL || bytes > INT_MAX) return HYBRID_MPI_EINVAL;
    return MPI_Bcast(data, (int)bytes, MPI_BYTE, 0, MPI_COMM_WORLD) == MPI_SUCCESS ? HYBRID_MPI_OK : HYBRID_MPI_EMPI;
}

int hybrid_mpi_finalize(double timeout_seconds) {
    if (!mpi_ready) return HYBRID_MPI_OK;
    if (timeout_seconds > 0) watchdog_arm(timeout_seconds, 1, "MPI_Finalize did not return: a peer is gone");
    int status = MPI_Finalize();
    if (timeout_seconds > 0) watchdog_arm(0, 0, "");
    mpi_ready = 0;
    return status == MPI_SUCCESS ? HYBRID_MPI_OK : HYBRID_MPI_EMPI;
}

void hybrid_mpi_abort(int exit_code, double grace_seconds) {
    fflush(NULL);
    if (!mpi_ready) _exit(exit_code);
    watchdog_arm(grace_seconds > 0 ? grace_seconds : 0.001, exit_code,
                 "MPI_Abort did not end this rank in time; ending it here");
    /* A job of one rank has no one else to end: finalizing removes Open MPI's session directory,
       which MPI_Abort would leave behind (with a page of noise). */
    if (world_size == 1) {
        MPI_Finalize();
        _exit(exit_code);
    }
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    _exit(exit_code);
}

/* ---------------------------------------------------------------------------
 * The state a rank's threads share.
 * ------------------------------------------------------------------------- */

typedef struct map_state {
    pthread_mutex_t lock;
    pthread_cond_t work_ready; /* worker threads wait here for items */
    pthread_cond_t main_wake;  /* the calling thread waits here for results */

    const hybrid_mpi_map_options *options;
    hybrid_mpi_item_work work;
    size_t stride; /* bytes of one record: the item, then the slot padded to 8 */

    /* Rank 0: the hand-out state. 0 to do, 1 handed out, 2 finished. */
    int is_root;
    unsigned char *state;
    uint64_t next;

    /* Other ranks: items granted and not yet taken by a thread. */
    uint64_t *queue;
    size_t queue_capacity, queue_head, queue_length;

    /* Records finished by the threads, not yet collected by the calling thread. */
    unsigned char *finished;
    size_t finished_count, finished_capacity;

    unsigned running;  /* items being run right now */
    unsigned alive;    /* threads not yet ended */
    int closing;       /* no more items will come */
    int stopping;      /* the run failed: threads stop after their current item */
    int failed;        /* a work call returned non-zero */
    uint64_t failed_item;
    int failed_status;
    uint64_t items_here;
} map_state;

typedef struct worker_argument {
    map_state *state;
    void *context;
} worker_argument;

static size_t record_stride(size_t slot_bytes) { return 8 + (slot_bytes + 7) / 8 * 8; }

/* Rank 0: the next item to run, skipping those done or handed out. Under the lock. */
static int root_take(map_state *s, uint64_t *item) {
    uint64_t items = s->options->items;
    while (s->next < items && s->state[s->next] != 0) s->next++;
    if (s->next >= items) return 0;
    s->state[s->next] = 1;
    *item = s->next++;
    return 1;
}

/* Appends a finished record. Under the lock. */
static int append_finished(map_state *s, uint64_t item, const void *slot) {
    if (s->finished_count == s->finished_capacity) {
        size_t capacity = s->finished_capacity ? s->finished_capacity * 2 : 64;
        unsigned char *grown = realloc(s->finished, capacity * s->stride);
        if (grown == NULL) return -1;
        s->finished = grown;
        s->finished_capacity = capacity;
    }
    unsigned char *record = s->finished + s->finished_count * s->stride;
    memcpy(record, &item, 8);
    memset(record + 8, 0, s->stride - 8);
    memcpy(record + 8, slot, s->options->slot_bytes);
    s->finished_count++;
    return 0;
}

static void *worker_main(void *raw) {
    worker_argument *argument = raw;
    map_state *s = argument->state;
    size_t slot_bytes = s->options->slot_bytes;
    unsigned char *slot = malloc(slot_bytes);
    pthread_mutex_lock(&s->lock);
    if (slot == NULL && !s->failed) {
        s->failed = 1;
        s->failed_item = 0;
        s->failed_status = HYBRID_MPI_ENOMEM;
    }
    while (slot != NULL) {
        uint64_t item = 0;
        int have = 0;
        while (!have && !s->stopping && !s->failed) {
            if (s->is_root) {
                have = root_take(s, &item);
                if (!have) break;
            } else if (s->queue_length > 0) {
                item = s->queue[s->queue_head];
                s->queue_head = (s->queue_head + 1) % s->queue_capacity;
                s->queue_length--;
                have = 1;
            } else if (s->closing) {
                break;
            } else {
                pthread_cond_wait(&s->work_ready, &s->lock);
            }
        }
        if (!have) break;
        s->running++;
        pthread_mutex_unlock(&s->lock);
        memset(slot, 0, slot_bytes);
        int status = s->work(argument->context, item, slot);
        pthread_mutex_lock(&s->lock);
        s->running--;
        if (status != 0 || append_finished(s, item, slot) != 0) {
            if (!s->failed) {
                s->failed = 1;
                s->failed_item = item;
                s->failed_status = status != 0 ? status : HYBRID_MPI_ENOMEM;
            }
        } else {
            s->items_here++;
        }
        pthread_cond_signal(&s->main_wake);
    }
    s->alive--;
    pthread_cond_signal(&s->main_wake);
    pthread_mutex_unlock(&s->lock);
    free(slot);
    return NULL;
}

/* Takes the finished records out of the shared state: swaps them with *spare. */
static size_t collect_finished(map_state *s, unsigned char **spare, size_t *spare_capacity) {
    unsigned char *records = s->finished;
    size_t count = s->finished_count, capacity = s->finished_capacity;
    s->finished = *spare;
    s->finished_capacity = *spare_capacity;
    s->finished_count = 0;
    *spare = records;
    *spare_capacity = capacity;
    return count;
}

/* The calling thread's idle wait: up to `seconds` on main_wake, unless a thread has already
   finished an item or failed (either signals main_wake). */
static void wait_for_threads(map_state *s, double seconds) {
    pthread_mutex_lock(&s->lock);
    if (s->finished_count == 0 && !s->failed) {
        struct timespec at = monotonic_after(seconds);
        pthread_cond_timedwait(&s->main_wake, &s->lock, &at);
    }
    pthread_mutex_unlock(&s->lock);
}

/* The next idle wait after one that found nothing: twice as long, up to `longest`. */
static double backed_off(double wait, double longest) { return wait * 2 < longest ? wait * 2 : longest; }

/* Re-arms the watchdog at most every 0.1 s: a loop that stops coming here for lease + 5
   seconds is stuck inside MPI, and the watchdog ends the process saying `why`. */
static void pet_watchdog(double *last_pet, double now, double lease, const char *why) {
    if (now - *last_pet <= 0.1) return;
    watchdog_arm(lease + 5, 1, why);
    *last_pet = now;
}

/* ---------------------------------------------------------------------------
 * Sends in flight: MPI_Isend never blocks, so a peer whose network is cut can
 * stall nothing but its own messages. Buffers live until their send completes.
 * ------------------------------------------------------------------------- */

typedef struct outbox {
    MPI_Request *requests;
    void **buffers;
    size_t count, capacity;
} outbox;

static int outbox_send(outbox *box, void *buffer, size_t bytes, int destination, int tag) {
    if (box->count == box->capacity) {
        size_t capacity = box->capacity ? box->capacity * 2 : 16;
        MPI_Request *requests = realloc(box->requests, capacity * sizeof *requests);
        if (requests == NULL) return HYBRID_MPI_ENOMEM;
        box->requests = requests;
        void **buffers = realloc(box->buffers, capacity * sizeof *buffers);
        if (buffers == NULL) return HYBRID_MPI_ENOMEM;
        box->buffers = buffers;
        box->capacity = capacity;
    }
    if (MPI_Isend(buffer, (int)bytes, MPI_BYTE, destination, tag, MPI_COMM_WORLD,
                  &box->requests[box->count]) != MPI_SUCCESS) {
        free(buffer);
        return HYBRID_MPI_EMPI;
    }
    box->buffers[box->count++] = buffer;
    return HYBRID_MPI_OK;
}

/* Frees the buffers of completed sends; returns how many are still in flight. */
static size_t outbox_progress(outbox *box) {
    size_t kept = 0;
    for (size_t i = 0; i < box->count; i++) {
        int done = 0;
        MPI_Test(&box->requests[i], &done, MPI_STATUS_IGNORE);
        if (done) {
            free(box->buffers[i]);
        } else {
            box->requests[kept] = box->requests[i];
            box->buffers[kept] = box->buffers[i];
            kept++;
        }
    }
    box->count = kept;
    return kept;
}

/* Waits up to `seconds` for every send to complete. */
static void outbox_drain(outbox *box, double seconds) {
    double until = monotonic_seconds() + seconds;
    while (outbox_progress(box) > 0 && monotonic_seconds() < until) {
        struct timespec pause = {0, 200000};
        nanosleep(&pause, NULL);
    }
}

static void outbox_free(outbox *box) {
    free(box->requests);
    free(box->buffers);
}

static void *message_buffer(size_t bytes) { return malloc(bytes > 0 ? bytes : 8); }

/* ---------------------------------------------------------------------------
 * Rank 0: serves the others, runs items on its own threads, gathers slots.
 * ------------------------------------------------------------------------- */

typedef struct root_books {
    double *last_heard; /* per rank: when its last message came */
    unsigned char *said_bye;
    uint64_t remaining; /* items not finished */
} root_books;

/* Records one finished item (from any rank): keeps the first result of an item. */
static void root_accept(map_state *s, root_books *books, uint64_t item, const unsigned char *slot) {
    const hybrid_mpi_map_options *o = s->options;
    if (item >= o->items) return;
    pthread_mutex_lock(&s->lock);
    int fresh = s->state[item] == 1;
    if (fresh) s->state[item] = 2;
    pthread_mutex_unlock(&s->lock);
    if (!fresh) return; /* a duplicate, or an item never handed out: dropped */
    unsigned char *target = (unsigned char *)o->results + item * o->slot_bytes;
    memcpy(target, slot, o->slot_bytes);
    books->remaining--;
    if (o->on_item != NULL) o->on_item(o->observer, item, target);
}

static int root_loop(map_state *s, hybrid_mpi_map_report *report) {
    const hybrid_mpi_map_options *o = s->options;
    double lease = o->lease_seconds;
    root_books books = {0};
    books.last_heard = calloc((size_t)world_size, sizeof(double));
    books.said_bye = calloc((size_t)world_size, 1);
    unsigned char *inbox = NULL, *spare = NULL;
    size_t inbox_capacity = 0, spare_capacity = 0;
    outbox box = {0};
    int result = HYBRID_MPI_OK, batch_open = 0;
    if (books.last_heard == NULL || books.said_bye == NULL) {
        result = HYBRID_MPI_ENOMEM;
        goto out;
    }
    for (uint64_t i = 0; i < o->items; i++)
        if (s->state[i] != 2) books.remaining++;
    double start = monotonic_seconds();
    for (int r = 0; r < world_size; r++) books.last_heard[r] = start;
    books.said_bye[0] = 1;
    int ended = 0, byes_missing = world_size - 1;
    double ended_at = 0, idle_wait = 50e-6, last_pet = 0;

    for (;;) {
        int activity = 0;
        /* Every message waiting, in the order each rank sent them. */
        for (;;) {
            int flag = 0;
            MPI_Status status;
            if (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status) != MPI_SUCCESS) {
                result = HYBRID_MPI_EMPI;
                goto out;
            }
            if (!flag) break;
            int bytes = 0;
            MPI_Get_count(&status, MPI_BYTE, &bytes);
            if ((size_t)bytes > inbox_capacity) {
                size_t capacity = (size_t)bytes * 2;
                unsigned char *grown = realloc(inbox, capacity);
                if (grown == NULL) {
                    result = HYBRID_MPI_ENOMEM;
                    goto out;
                }
                inbox = grown;
                inbox_capacity = capacity;
            }
            int source = status.MPI_SOURCE, tag = status.MPI_TAG;
            if (MPI_Recv(inbox, bytes, MPI_BYTE, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
                result = HYBRID_MPI_EMPI;
                goto out;
            }
            activity = 1;
            report->messages++;
            books.last_heard[source] = monotonic_seconds();
            if (tag == TAG_ASK && (size_t)bytes >= 16) {
                uint64_t wanted, count;
                memcpy(&wanted, inbox, 8);
                memcpy(&count, inbox + 8, 8);
                if (count > ((size_t)bytes - 16) / s->stride) count = ((size_t)bytes - 16) / s->stride;
                for (uint64_t k = 0; k < count; k++) {
                    const unsigned char *record = inbox + 16 + k * s->stride;
                    uint64_t item;
                    memcpy(&item, record, 8);
                    root_accept(s, &books, item, record + 8);
                }
                if (count > 0) batch_open = 1;
                if (ended) continue; /* END went out already: no GIVE may follow it */
                uint64_t *give = message_buffer(8 * (1 + wanted));
                if (give == NULL) {
                    result = HYBRID_MPI_ENOMEM;
                    goto out;
                }
                uint64_t granted = 0, item;
                pthread_mutex_lock(&s->lock);
                while (granted < wanted && root_take(s, &item)) give[1 + granted++] = item;
                pthread_mutex_unlock(&s->lock);
                give[0] = granted;
                if ((result = outbox_send(&box, give, 8 * (1 + granted), source, TAG_GIVE)) != HYBRID_MPI_OK)
                    goto out;
            } else if (tag == TAG_FAIL && bytes >= 16) {
                uint64_t item, status_word;
                memcpy(&item, inbox, 8);
                memcpy(&status_word, inbox + 8, 8);
                report->failed_rank = source;
                report->failed_item = (int64_t)item;
                report->work_status = (int)(int64_t)status_word;
                result = HYBRID_MPI_EWORK;
                goto out;
            } else if (tag == TAG_BYE) {
                if (!books.said_bye[source]) {
                    books.said_bye[source] = 1;
                    byes_missing--;
                }
            }
        }

        /* What this rank's own threads finished. */
        pthread_mutex_lock(&s->lock);
        size_t count = collect_finished(s, &spare, &spare_capacity);
        int failed = s->failed;
        pthread_mutex_unlock(&s->lock);
        for (size_t k = 0; k < count; k++) {
            uint64_t item;
            memcpy(&item, spare + k * s->stride, 8);
            root_accept(s, &books, item, spare + k * s->stride + 8);
        }
        if (count > 0) {
            activity = 1;
            batch_open = 1;
        }
        /* One group for everything that came in since the last: a journal fsyncs once for it, so
           the slower its disk, the bigger its groups, and rank 0 keeps up. */
        if (batch_open && o->on_batch != NULL) o->on_batch(o->observer);
        batch_open = 0;
        if (failed) {
            report->failed_rank = 0;
            report->failed_item = (int64_t)s->failed_item;
            report->work_status = s->failed_status;
            result = HYBRID_MPI_EWORK;
            goto out;
        }

        double now = monotonic_seconds();
        if (books.remaining == 0 && !ended) {
            for (int r = 1; r < world_size; r++) {
                if ((result = outbox_send(&box, message_buffer(0), 0, r, TAG_END)) != HYBRID_MPI_OK) goto out;
            }
            ended = 1;
            ended_at = now;
        }
        /* Every answer is in: a rank that never says BYE cannot change it. */
        if (ended && (byes_missing == 0 || now - ended_at > lease)) break;
        for (int r = 1; r < world_size && !ended; r++) {
            if (now - books.last_heard[r] > lease) {
                report->lost_rank = r;
                result = HYBRID_MPI_ELOST;
                goto out;
            }
        }
        if (o->should_stop != NULL && o->should_stop(o->observer)) {
            result = HYBRID_MPI_ESTOPPED;
            goto out;
        }
        outbox_progress(&box);
        pet_watchdog(&last_pet, now, lease, "stuck in MPI for longer than the lease: a peer is unreachable");
        if (activity) {
            idle_wait = 20e-6;
        } else {
            wait_for_threads(s, idle_wait);
            /* Every wake-up takes a core from a thread that sieves, so polls back off to 8 ms
               apart: a rank asks for its next items while its threads still hold work (and this
               loop also wakes whenever a thread here finishes), so no thread waits for them.
               Once END is out, the BYEs are what the run waits for: 1 ms. */
            idle_wait = backed_off(idle_wait, ended ? 1e-3 : 8e-3);
        }
    }
    outbox_drain(&box, lease);
out:
    /* Even a failing run keeps what it accepted: the caller's journal syncs it now. */
    if (batch_open && o->on_batch != NULL) o->on_batch(o->observer);
    watchdog_arm(0, 0, "");
    outbox_free(&box);
    free(books.last_heard);
    free(books.said_bye);
    free(inbox);
    free(spare);
    return result;
}

/* ---------------------------------------------------------------------------
 * Every other rank: asks rank 0 for items, runs them, returns their slots.
 * ------------------------------------------------------------------------- */

typedef struct pending_ask {
    double sent_at;
    uint64_t wanted;
} pending_ask;

static int rank_loop(map_state *s, hybrid_mpi_map_report *report) {
    const hybrid_mpi_map_options *o = s->options;
    double lease = o->lease_seconds, heartbeat = lease / 4;
    uint64_t target = (uint64_t)o->threads + o->prefetch;
    size_t inbox_words = 1 + (size_t)target;
    uint64_t *inbox = malloc(inbox_words * 8);
    unsigned char *spare = NULL;
    size_t spare_capacity = 0;
    pending_ask *asks = NULL;
    size_t asks_head = 0, asks_count = 0, asks_capacity = 0;
    outbox box = {0};
    MPI_Request receive = MPI_REQUEST_NULL;
    int result = HYBRID_MPI_OK;
    if (inbox == NULL) return HYBRID_MPI_ENOMEM;
    if (MPI_Irecv(inbox, (int)(inbox_words * 8), MPI_BYTE, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &receive) !=
        MPI_SUCCESS) {
        free(inbox);
        return HYBRID_MPI_EMPI;
    }
    uint64_t asked = 0;
    int drained = 0;
    double last_send = 0, idle_wait = 50e-6, last_pet = 0;

    for (;;) {
        int activity = 0, flag = 0;
        MPI_Status status;
        if (MPI_Test(&receive, &flag, &status) != MPI_SUCCESS) {
            result = HYBRID_MPI_EMPI;
            goto out;
        }
        if (flag) {
            activity = 1;
            if (status.MPI_TAG == TAG_END) break;
            /* A GIVE: the answer to the oldest ASK in flight. */
            uint64_t count = inbox[0] < target ? inbox[0] : target;
            pending_ask answered = asks_count > 0 ? asks[asks_head] : (pending_ask){0, 0};
            if (asks_count > 0) {
                asks_head = (asks_head + 1) % asks_capacity;
                asks_count--;
            }
            asked -= answered.wanted < asked ? answered.wanted : asked;
            if (count < answered.wanted) drained = 1;
            pthread_mutex_lock(&s->lock);
            if (s->queue_length + count > s->queue_capacity) { /* more than asked for: never sent */
                pthread_mutex_unlock(&s->lock);
                result = HYBRID_MPI_EMPI;
                goto out;
            }
            for (uint64_t k = 0; k < count; k++) {
                s->queue[(s->queue_head + s->queue_length) % s->queue_capacity] = inbox[1 + k];
                s->queue_length++;
            }
            pthread_cond_broadcast(&s->work_ready);
            pthread_mutex_unlock(&s->lock);
            if (MPI_Irecv(inbox, (int)(inbox_words * 8), MPI_BYTE, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &receive) !=
                MPI_SUCCESS) {
                result = HYBRID_MPI_EMPI;
                goto out;
            }
        }

        pthread_mutex_lock(&s->lock);
        size_t count = collect_finished(s, &spare, &spare_capacity);
        uint64_t held = s->queue_length + s->running;
        int failed = s->failed;
        uint64_t failed_item = s->failed_item;
        int failed_status = s->failed_status;
        pthread_mutex_unlock(&s->lock);
        double now = monotonic_seconds();

        if (failed) {
            uint64_t *fail = message_buffer(16);
            if (fail != NULL) {
                fail[0] = failed_item;
                fail[1] = (uint64_t)(int64_t)failed_status;
                if (outbox_send(&box, fail, 16, 0, TAG_FAIL) == HYBRID_MPI_OK) outbox_drain(&box, 1);
            }
            report->failed_rank = world_rank;
            report->failed_item = (int64_t)failed_item;
            report->work_status = failed_status;
            result = HYBRID_MPI_EWORK;
            goto out;
        }

        uint64_t wanted = !drained && target > held + asked ? target - held - asked : 0;
        if (count > 0 || wanted > 0 || now - last_send >= heartbeat) {
            size_t bytes = 16 + count * s->stride;
            unsigned char *ask = message_buffer(bytes);
            if (ask == NULL) {
                result = HYBRID_MPI_ENOMEM;
                goto out;
            }
            uint64_t header[2] = {wanted, count};
            memcpy(ask, header, 16);
            if (count > 0) memcpy(ask + 16, spare, count * s->stride);
            if ((result = outbox_send(&box, ask, bytes, 0, TAG_ASK)) != HYBRID_MPI_OK) goto out;
            if (asks_count == asks_capacity) {
                size_t capacity = asks_capacity ? asks_capacity * 2 : 16;
                pending_ask *grown = malloc(capacity * sizeof *grown);
                if (grown == NULL) {
                    result = HYBRID_MPI_ENOMEM;
                    goto out;
                }
                for (size_t k = 0; k < asks_count; k++) grown[k] = asks[(asks_head + k) % asks_capacity];
                free(asks);
                asks = grown;
                asks_head = 0;
                asks_capacity = capacity;
            }
            asks[(asks_head + asks_count) % asks_capacity] = (pending_ask){now, wanted};
            asks_count++;
            asked += wanted;
            last_send = now;
            activity = 1;
        }
        if (asks_count > 0 && now - asks[asks_head].sent_at > lease) {
            report->lost_rank = 0;
            result = HYBRID_MPI_ELOST;
            goto out;
        }
        outbox_progress(&box);
        pet_watchdog(&last_pet, now, lease, "stuck in MPI for longer than the lease: rank 0 is unreachable");
        if (activity) {
            idle_wait = 20e-6;
        } else if (asks_count == 0 && held > 0) {
            /* No answer is due and END cannot come while items are held here: the next event
               is a thread finishing, which signals main_wake, or the heartbeat. Sleeping until
               then leaves the threads their cores. */
            double until_heartbeat = heartbeat - (now - last_send);
            wait_for_threads(s, until_heartbeat < 0.1 ? (until_heartbeat > 0 ? until_heartbeat : 0) : 0.1);
            idle_wait = 20e-6;
        } else {
            wait_for_threads(s, idle_wait);
            /* Threads with nothing to run wait for a GIVE: poll for it often. Threads with
               work: back off to 8 ms, as rank 0 does. All done here: END is what ends the
               run, poll for it every 1 ms at most. */
            int starving = held == 0 && asked > 0;
            idle_wait = starving ? 20e-6 : backed_off(idle_wait, held > 0 ? 8e-3 : 1e-3);
        }
    }
    /* END: every item is finished; say BYE and stop. */
    receive = MPI_REQUEST_NULL;
    if ((result = outbox_send(&box, message_buffer(0), 0, 0, TAG_BYE)) == HYBRID_MPI_OK) outbox_drain(&box, lease);
out:
    watchdog_arm(0, 0, "");
    if (receive != MPI_REQUEST_NULL && result == HYBRID_MPI_OK) {
        MPI_Cancel(&receive);
        MPI_Wait(&receive, MPI_STATUS_IGNORE);
    }
    outbox_free(&box);
    free(asks);
    free(spare);
    if (result == HYBRID_MPI_OK) free(inbox); /* else a receive may still be posted into it */
    return result;
}

/* ---------------------------------------------------------------------------
 * A lost peer on another host: let mpirun notice the host first.
 * ------------------------------------------------------------------------- */

/* Open MPI's out-of-band keepalive setting `name` (mpirun --mca oob_tcp_keepalive_X V hands
   every rank OMPI_MCA_oob_tcp_keepalive_X=V), or its default. */
static double keepalive_setting(const char *name, double fallback) {
    char variable[64];
    snprintf(variable, sizeof variable, "OMPI_MCA_oob_tcp_keepalive_%s", name);
    const char *text = getenv(variable);
    char *end = NULL;
    double value = text != NULL ? strtod(text, &end) : 0;
    return text != NULL && end != text && value > 0 ? value : fallback;
}

/* Seconds mpirun takes to notice a host that falls silent (its keepalive: time + intvl *
   probes), or 0 when there is nothing to wait for: every rank on this host, or Open MPI's
   defaults (300 + 20 * 9 s, too long to wait). */
static double mpirun_notice_seconds(void) {
    const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    if (local == NULL || atoi(local) >= world_size) return 0;
    double seconds = keepalive_setting("time", 300) + keepalive_setting("intvl", 20) * keepalive_setting("probes", 9);
    return seconds <= 60 ? seconds : 0;
}

/* A peer on another host fell silent: its host may be frozen, or its network cut. When cut,
   mpirun must notice the host (by its keepalive) before this rank ends: a rank that ends (even
   by MPI_Abort) makes mpirun order every daemon to stop, the order to the cut host is never
   acknowledged, and while data waits for an acknowledgement TCP sends no keepalive, so mpirun
   waits out TCP's retransmissions, about 15 minutes. So the rank waits the keepalive's time
   first (mpirun, noticing the cut host, ends the job and this rank meanwhile), on rank 0 as long
   as should_stop says nothing; then the caller aborts, as for a frozen peer. */
static void let_mpirun_notice(const hybrid_mpi_map_options *o) {
    double seconds = mpirun_notice_seconds();
    if (seconds <= 0) return;
    double until = monotonic_seconds() + seconds + 1;
    while (monotonic_seconds() < until) {
        if (world_rank == 0 && o->should_stop != NULL && o->should_stop(o->observer)) return;
        struct timespec pause = {0, 50000000};
        nanosleep(&pause, NULL);
    }
}

int hybrid_mpi_map(const hybrid_mpi_map_options *options, hybrid_mpi_item_work work,
                   hybrid_mpi_map_report *report) {
    hybrid_mpi_map_report ignored;
    if (report == NULL) report = &ignored;
    memset(report, 0, sizeof *report);
    report->lost_rank = -1;
    report->failed_rank = -1;
    report->failed_item = -1;
    if (!mpi_ready) return HYBRID_MPI_EINVAL;
    report->rank = world_rank;
    report->ranks = world_size;
    if (options == NULL || work == NULL || options->threads == 0 || options->slot_bytes == 0 ||
        options->slot_bytes > HYBRID_MPI_MAX_SLOT_BYTES || options->lease_seconds < 0.5)
        return HYBRID_MPI_EINVAL;
    if (world_rank == 0 && options->items > 0 && options->results == NULL) return HYBRID_MPI_EINVAL;
    if (options->items > SIZE_MAX / options->slot_bytes) return HYBRID_MPI_EINVAL;

    /* The state outlives a failed run on purpose: its threads may still be inside a work call,
       and the caller ends the job with hybrid_mpi_abort(). */
    map_state *s = calloc(1, sizeof *s);
    if (s == NULL) return HYBRID_MPI_ENOMEM;
    hybrid_mpi_map_options *copy = malloc(sizeof *copy);
    if (copy == NULL) {
        free(s);
        return HYBRID_MPI_ENOMEM;
    }
    *copy = *options;
    if (copy->prefetch == 0) copy->prefetch = copy->threads;
    s->options = copy;
    s->work = work;
    s->stride = record_stride(copy->slot_bytes);
    s->is_root = world_rank == 0;
    pthread_mutex_init(&s->lock, NULL);
    init_monotonic_cond(&s->work_ready);
    init_monotonic_cond(&s->main_wake);
    int result = HYBRID_MPI_OK;
    if (s->is_root) {
        s->state = calloc(copy->items > 0 ? copy->items : 1, 1);
        if (s->state == NULL) result = HYBRID_MPI_ENOMEM;
        else if (copy->done != NULL)
            for (uint64_t i = 0; i < copy->items; i++) s->state[i] = copy->done[i] ? 2 : 0;
    } else {
        s->queue_capacity = (size_t)copy->threads + copy->prefetch;
        s->queue = malloc(s->queue_capacity * sizeof *s->queue);
        if (s->queue == NULL) result = HYBRID_MPI_ENOMEM;
    }
    worker_argument *arguments = calloc(copy->threads, sizeof *arguments);
    pthread_t *threads = calloc(copy->threads, sizeof *threads);
    if (arguments == NULL || threads == NULL) result = HYBRID_MPI_ENOMEM;
    cpu_set_t affinity;
    int widened = threads_affinity(copy->threads, &affinity);
    report->threads_unbound = widened;
    unsigned started = 0;
    for (unsigned t = 0; result == HYBRID_MPI_OK && t < copy->threads; t++) {
        arguments[t].state = s;
        arguments[t].context = copy->contexts != NULL ? copy->contexts[t] : NULL;
        pthread_mutex_lock(&s->lock);
        s->alive++;
        pthread_mutex_unlock(&s->lock);
        if (start_thread(&threads[t], worker_main, &arguments[t], widened ? &affinity : NULL) != 0) {
            pthread_mutex_lock(&s->lock);
            s->alive--;
            pthread_mutex_unlock(&s->lock);
            result = HYBRID_MPI_ETHREAD;
            break;
        }
        started++;
    }
    if (result == HYBRID_MPI_OK) result = s->is_root ? root_loop(s, report) : rank_loop(s, report);

    pthread_mutex_lock(&s->lock);
    s->closing = 1;
    if (result != HYBRID_MPI_OK) s->stopping = 1;
    pthread_cond_broadcast(&s->work_ready);
    report->items_here = s->items_here;
    pthread_mutex_unlock(&s->lock);
    if (result == HYBRID_MPI_ELOST) let_mpirun_notice(copy);
    if (result != HYBRID_MPI_OK && started > 0) return result; /* see above: kept for the threads */
    for (unsigned t = 0; t < started; t++) pthread_join(threads[t], NULL);
    report->items_here = s->items_here;
    free(threads);
    free(arguments);
    free(s->state);
    free(s->queue);
    free(s->finished);
    pthread_cond_destroy(&s->work_ready);
    pthread_cond_destroy(&s->main_wake);
    pthread_mutex_destroy(&s->lock);
    free(copy);
    free(s);
    return result;
}

#endif /* HYBRID_MPI */
