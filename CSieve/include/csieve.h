/*
 * csieve.h -- the C core of hybrid.
 *
 * CSieve counts and sums the primes in any half-open interval [from, to) with
 * 0 <= from <= to <= 2^64 - 1, exactly: counts are 64-bit, sums are 128-bit
 * (returned as two 64-bit halves).
 *
 * Conventions, for every function in this header:
 *   - Names carry the prefix csieve_ (types, functions) or CSIEVE_ (macros).
 *   - Functions that can fail return an int status: CSIEVE_OK (0) on success,
 *     one of the negative CSIEVE_E* codes otherwise; csieve_strerror() names
 *     it. Output parameters are written only on success.
 *   - There is no global mutable state. A caller owns every object it creates
 *     (a csieve_sieve from csieve_sieve_new() is released with
 *     csieve_sieve_free()); distinct objects may be used from distinct threads
 *     or processes at once, and an object may be used in a child after fork().
 *   - Intervals are half-open: [from, to) holds from but not to.
 */
#ifndef CSIEVE_H
#define CSIEVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The version of this API. Before 1.0, a change of CSIEVE_VERSION_MINOR may
 * break source or binary compatibility; a change of CSIEVE_VERSION_PATCH does
 * not. Every library of the hybrid package carries the same version.
 */
#define CSIEVE_VERSION "0.3.0"
#define CSIEVE_VERSION_MAJOR 0
#define CSIEVE_VERSION_MINOR 3
#define CSIEVE_VERSION_PATCH 0

/** CSIEVE_VERSION of the library linked in, which may differ from the header's. */
const char *csieve_version(void);

/* Status codes. */
#define CSIEVE_OK 0
/** An argument is out of its domain (from > to, a null pointer, ...). */
#define CSIEVE_EINVAL (-1)
/** Memory could not be allocated. */
#define CSIEVE_ENOMEM (-2)
/** The visitor of csieve_sieve_each() returned nonzero, which stopped the walk. */
#define CSIEVE_ESTOPPED (-7)

/** The largest value an interval bound may take: 2^64 - 1. */
#define CSIEVE_MAX_TO UINT64_MAX

/**
 * The outcome of sieving one interval.
 *
 * The sum of the primes is sum_high * 2^64 + sum_low. Past 2^64 it needs the
 * high half: the sum of the primes below N overflows 64 bits from
 * N = 29,505,444,492 on (just past the prime 29,505,444,491).
 */
typedef struct csieve_result {
    uint64_t count;    /* number of primes in [from, to) */
    uint64_t sum_low;  /* low 64 bits of their sum */
    uint64_t sum_high; /* high 64 bits of their sum */
} csieve_result;

/* What csieve_sieve_run() computes (a bit set). */
/** Count the primes. Always done. */
#define CSIEVE_COUNT 0u
/** Also sum them; without it sum_low and sum_high are 0. Costs a few percent. */
#define CSIEVE_SUM 1u

/**
 * A segmented sieve of Eratosthenes and the memory it sieves with.
 *
 * The sieve stores the numbers coprime to 30 as bits, 8 bits per 30 numbers
 * (the mod-30 wheel). It copies a precomputed pattern for the primes up to 163,
 * crosses off small primes in L1-cache-sized passes, medium primes (up to the
 * segment size in bytes) one segment at a time, and keeps big primes in
 * buckets (a bucket sieve), so that a prime with no multiple in a segment
 * costs nothing there; big primes step on a mod-2310 wheel. The segment size
 * follows the CPU's cache sizes, read when the sieve is made, and grows with
 * sqrt(to) (see csieve_sieve_set_segment_bytes).
 *
 * Memory, to predict before a long run:
 *   - fixed, at most about 6 MiB resident: the pre-sieve patterns (124 KiB);
 *     the segment buffer (four times the L2 size, touched as far as the
 *     segment in use: 128 KiB at 10^8, 256 KiB to 4 MiB higher up on a 1 MiB
 *     L2); the generator of sieving primes (its segment of up to 256 KiB and
 *     up to 1.5 MiB of the primes it hands out);
 *   - per call over [from, to): 8 bytes for each sieving prime p <= sqrt(to)
 *     that has a multiple in the interval. All of them, pi(sqrt(to)) (about
 *     sqrt(to) / ln(sqrt(to))), when the interval is at least 5 sqrt(to)
 *     wide; in a narrower interval of width W the primes above about W / 4.8
 *     are kept only if a multiple of theirs falls in it (for a prime p, a
 *     chance of about W / (4.8 p)). Plus 16 bytes per segment that the
 *     largest prime can reach ahead (its 14 p / 30 bytes), and a bucket of
 *     8 KiB per such segment at most.
 *   Measured peaks (resident, the process included): [0, 10^10) 9.0 MiB
 *   with hybrid's Swift runtime (about 1 MiB of it the sieve's); [10^18,
 *   +10^10) 406 MiB; [2^64 - 2e9 - 1, 2^64 - 1) 510 MiB; [2^64 - 10^10 - 1,
 *   2^64 - 1) 1229 MiB, where nearly every prime below 2^32 is kept. Chunks of
 *   a range sieved one after another (as hybrid's workers do) each cost their
 *   own interval's primes, not the whole range's.
 */
typedef struct csieve_sieve csieve_sieve;

/**
 * Makes a sieve. Returns NULL when memory runs out.
 * Cost: a few microseconds: it reads the CPU's cache sizes and picks the
 * popcount and pattern loops this CPU runs. The pre-sieve patterns and the
 * buffers (about 0.1 ms) are made by the first csieve_sieve_run()
 * whose to exceeds 2^16, so a sieve that only answers small ranges never pays
 * for them; if memory runs out then, that run returns CSIEVE_ENOMEM.
 */
csieve_sieve *csieve_sieve_new(void);

/**
 * Makes, now, what runs up to `to` set up on first need: the pre-sieve
 * patterns, the segment buffers and the table of the generator's primes
 * (about 4 MiB and 0.1 ms). Call it before fork() when forked children will
 * run the sieve (csieve_chunks_work does): they then share these pages
 * copy-on-write instead of each allocating its own after the fork. A run
 * still grows its lists of sieving primes as its interval needs them.
 * Returns CSIEVE_OK, CSIEVE_EINVAL (sieve NULL) or CSIEVE_ENOMEM.
 */
int csieve_sieve_prepare(csieve_sieve *sieve, uint64_t to);

/** Releases a sieve and all its memory. csieve_sieve_free(NULL) does nothing. */
void csieve_sieve_free(csieve_sieve *sieve);

/**
 * The segment size in bytes (each byte holds 30 numbers): the size set with
 * csieve_sieve_set_segment_bytes(), or, when sizing is automatic, a quarter
 * of L2 (the size from about 10^9 to 10^10; shorter runs take less).
 */
size_t csieve_sieve_segment_bytes(const csieve_sieve *sieve);

/**
 * Sets the segment size in bytes. The value is clamped to [64, 8 MiB] and
 * rounded down to a power of two; 0 restores automatic sizing, which picks
 * per run twice sqrt(to) rounded up to a power of two (eight times sqrt(to)
 * below a quarter of L2), between the L1 data cache and four times L2 (128 KiB
 * at 10^8, 256 KiB from 10^9 to 10^10, 2 MiB at 10^12, 4 MiB from about
 * 4 * 10^12 on a 1 MiB L2).
 * Returns csieve_sieve_segment_bytes() (0 if memory ran out).
 * Answers never depend on it: tests use tiny segments to put many segment
 * edges and bucket-sieved primes into small intervals. Tiny segments are
 * costly high up, though: the big primes' lists take 16 bytes per segment
 * that the largest sieving prime reaches ahead (about 14 sqrt(to) / 30
 * bytes), cleared on every call: near 2^64 with 64-byte segments that is
 * about 530 MB; with the automatic size, under 1 MiB.
 */
size_t csieve_sieve_set_segment_bytes(csieve_sieve *sieve, size_t bytes);

/**
 * Counts (and with CSIEVE_SUM sums) the primes in [from, to).
 *
 * Requires from <= to (else CSIEVE_EINVAL). Every to <= 2^64 - 1 is valid;
 * up to to = 2^16 a plain sieve answers without any set-up.
 * Cost: O(sqrt(to)) set-up per call (it generates the primes up to sqrt(to)
 * and files those with a multiple in the interval: about 10 ms at 10^15,
 * 0.25 s at 10^18, 1 s just below 2^64), then about
 * (to - from) * log log(to) / 30 byte operations. Successive calls over
 * adjacent chunks of a large interval each pay only their own set-up, so
 * chunks of at least a few hundred times sqrt(to) keep full speed.
 *
 * Returns CSIEVE_OK, CSIEVE_EINVAL or CSIEVE_ENOMEM.
 */
int csieve_sieve_run(csieve_sieve *sieve, uint64_t from, uint64_t to, unsigned flags,
                     csieve_result *result);

/**
 * Receives a batch of primes from csieve_sieve_each(): count > 0 primes in
 * increasing order, valid only during the call. Returns 0 to go on, anything
 * else to stop the walk.
 */
typedef int (*csieve_prime_visitor)(void *context, const uint64_t *primes, size_t count);

/**
 * Hands every prime in [from, to) to visit, in increasing order, in batches
 * of at most 32,768 (one per 4 KiB of sieve, about 120,000 numbers), so that
 * a caller can list any range in constant memory.
 *
 * Requires from <= to and visit (else CSIEVE_EINVAL). Cost: that of
 * csieve_sieve_run() plus about one cycle per prime found to list it, and a
 * 256 KiB batch buffer allocated per call.
 * Returns CSIEVE_OK, CSIEVE_EINVAL, CSIEVE_ENOMEM, or CSIEVE_ESTOPPED when
 * visit returned nonzero (the primes before that batch were all handed over).
 */
int csieve_sieve_each(csieve_sieve *sieve, uint64_t from, uint64_t to, csieve_prime_visitor visit,
                      void *context);

/**
 * One-shot convenience: makes a sieve, runs it over [from, to) with
 * CSIEVE_SUM, frees it. Same return values as csieve_sieve_run().
 */
int csieve_primes(uint64_t from, uint64_t to, csieve_result *result);

/** A static, human-readable name for a status code (never NULL). */
const char *csieve_strerror(int status);


/* ========================================================================== */
/* Worker processes                                                           */
/* ========================================================================== */
/*
 * csieve_fork_run() runs numbered items across forked worker processes, each
 * item's result written into its own fixed-size slot of a shared memory
 * region made before the first fork. Workers pull the next item from one
 * atomic counter in that region, so a slow item never holds up the others.
 *
 * Nothing is lost when a worker dies (killed by a signal from outside, a
 * crash, a non-zero exit): the parent reaps it, reports it through on_death,
 * and forks a replacement that runs the item the dead worker held before
 * taking new ones; when every worker has ended, any item still undone (its
 * worker died between taking and recording it) is run again. After more than
 * max_deaths deaths the run stops with CSIEVE_EWORKERS instead of retrying
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
 *     then SIGKILL after 0.5 s) and reaped, and the call returns CSIEVE_EINTR
 *     with the signal in the report.
 *   - handle_signals = 0: the caller's dispositions stay as they are. A worker
 *     killed by SIGINT or SIGTERM (Ctrl-C reaches the whole foreground process
 *     group) is never replaced: the pool takes it as a request to stop, ends
 *     and reaps every worker and returns CSIEVE_EINTR with that signal, rather
 *     than replacing workers until max_deaths runs out. What the signal does
 *     to the caller itself is the caller's disposition's business (by default
 *     it ends the caller, and PR_SET_PDEATHSIG the workers).
 */

/** Too many workers died; the run was stopped. */
#define CSIEVE_EWORKERS (-4)
/** A SIGINT or SIGTERM ended the run (csieve_fork_report.signal says which). */
#define CSIEVE_EINTR (-5)
/** fork() failed and no worker could run (or none could for an unfinished item). */
#define CSIEVE_EFORK (-6)

/**
 * The work for one item, run in a forked child. It writes the item's result
 * into slot (slot_bytes long, zeroed before the call) and returns 0; any other
 * value ends the worker with exit code 3, which counts as a death. item is the
 * item's number: first_item + its index within the run.
 */
typedef int (*csieve_item_work)(void *context, uint64_t item, void *slot);

typedef struct csieve_fork_options {
    unsigned workers;     /* processes at once, >= 1 (default 1) */
    uint64_t items;       /* items in the run: numbers first_item .. first_item + items - 1 */
    size_t slot_bytes;    /* result bytes per item, > 0 */
    unsigned max_deaths;  /* worker deaths tolerated (default 4) */
    int handle_signals;   /* stop on SIGINT/SIGTERM, see above (default 0) */
    void *context;        /* handed to on_progress, on_death and on_item */
    /* Called in the parent about every 50 ms (10 ms with on_item) while the count of finished
       items (those finished before the run included) grows. */
    void (*on_progress)(void *context, uint64_t items_done);
    /* Called in the parent for each death that is repaired (not the one past max_deaths): its
       pid, the signal that killed it (0 if it exited), its exit code (-1 if signalled, and -1
       with signal 0 when its status is unknown, see above) and the item number it lost (-1 if
       none). */
    void (*on_death)(void *context, int pid, int signal, int exit_code, int64_t lost_item);
    /* Fault injection for tests: the worker that takes item number fault_item kills itself with
       SIGKILL before running it: the first time only, or every time. -1 (default): never.
       With fault_before_claim it dies before recording that it holds the item, the
       window a final sweep for undone items covers. */
    int64_t fault_item;
    int fault_every_time;
    int fault_before_claim;
    /* The number of the run's first item (default 0): a long list can run in batches of bounded
       shared memory, each batch's work and callbacks seeing the items' own numbers. */
    uint64_t first_item;
    /* NULL (default), or items flags: a nonzero flag marks an item finished before the run (read
       from a journal, say), whose slot the caller has already put in results. Such items are
       never run and never passed to on_item. */
    const unsigned char *finished;
    /* Called in the parent for each item this run finishes, soon after its worker records it
       (the supervisor looks every 10 ms and whenever a worker ends), with the item number and
       its slot (slot_bytes, valid during the call): a journal can write and fsync it there.
       Items of a run that ends in an error may have been passed already; none is passed twice.
       Default NULL. */
    void (*on_item)(void *context, uint64_t item, const void *slot);
} csieve_fork_options;

typedef struct csieve_fork_report {
    unsigned deaths; /* workers that died (with CSIEVE_EWORKERS, the fatal one included) */
    int signal;      /* with CSIEVE_EINTR: SIGINT or SIGTERM */
} csieve_fork_report;

/** Sets the defaults noted in csieve_fork_options. */
void csieve_fork_options_init(csieve_fork_options *options);

/**
 * Runs work(work_context, first_item + k, slot) for every k < options->items
 * on options->workers forked processes and copies the results (items *
 * slot_bytes bytes, in item order) into results.
 *
 * Cost: one fork per worker (plus one per death), a shared mapping of about
 * items * (slot_bytes + 1) bytes, and a supervisor that wakes when a worker
 * ends, on a stop signal, or every 50 ms (10 ms with on_item).
 * Returns CSIEVE_OK, CSIEVE_EINVAL (a NULL or zero argument, first_item +
 * items past 2^64), CSIEVE_ENOMEM (memory, or a region size that does not fit
 * in size_t: every size is computed with overflow checks), CSIEVE_EWORKERS,
 * CSIEVE_EINTR or CSIEVE_EFORK; results are written only with CSIEVE_OK.
 *
 * Example: square 0 .. 999 on four processes.
 *
 *   #include <csieve.h>
 *   #include <stdio.h>
 *
 *   static int square(void *context, uint64_t item, void *slot) {
 *       (void)context;
 *       *(uint64_t *)slot = item * item;
 *       return 0;
 *   }
 *
 *   int main(void) {
 *       static uint64_t squares[1000];
 *       csieve_fork_options options;
 *       csieve_fork_report report;
 *       csieve_fork_options_init(&options);
 *       options.workers = 4;
 *       options.items = 1000;
 *       options.slot_bytes = sizeof(uint64_t);
 *       int status = csieve_fork_run(&options, square, NULL, squares, &report);
 *       if (status != CSIEVE_OK) return 1;
 *       printf("%llu\n", (unsigned long long)squares[999]);
 *       return 0;
 *   }
 */
int csieve_fork_run(const csieve_fork_options *options, csieve_item_work work, void *work_context,
                    void *results, csieve_fork_report *report);

/* ------------------------------------------------------------------------ */
/* Chunks: the one definition of how a range is cut into pieces of work.     */
/* ------------------------------------------------------------------------ */

/**
 * The chunk width planned for [from, to) on `workers` workers: at least 8
 * chunks per worker when there are several and the range is large enough (one
 * worker takes chunks as wide as they may be), each between 2^24 and
 * 2^27 numbers, but never below 256 * sqrt(to) (so the per-call set-up of the
 * sieving primes stays under 1% of a chunk's work), rounded up to a multiple
 * of 30 * 64 (whole sieve words). A journal records the width, so a resumed
 * run uses the same chunks whatever its worker count. Cost: O(1).
 */
uint64_t csieve_chunk_width(uint64_t from, uint64_t to, unsigned workers);

/** The number of chunks of width chunk_width in [from, to): at least 1, even for an empty range. */
uint64_t csieve_chunk_count(uint64_t from, uint64_t to, uint64_t chunk_width);

/**
 * Chunk `item` of [from, to): [from + item * chunk_width, min(that +
 * chunk_width, to)). Returns CSIEVE_OK, or CSIEVE_EINVAL when from > to,
 * chunk_width is 0, an output is NULL or item >= csieve_chunk_count().
 */
int csieve_chunk_bounds(uint64_t from, uint64_t to, uint64_t chunk_width, uint64_t item, uint64_t *chunk_from,
                        uint64_t *chunk_to);

/**
 * A ready-made csieve_item_work for sieving: item i is csieve_chunk_bounds()'s
 * chunk i and its slot a csieve_result. Make the sieve and call
 * csieve_sieve_prepare(sieve, to) before csieve_fork_run, so each child sieves
 * with its own copy-on-write copy of memory made before the fork.
 */
typedef struct csieve_chunks {
    csieve_sieve *sieve;
    uint64_t from, to, chunk_width;
    unsigned flags; /* CSIEVE_COUNT or CSIEVE_SUM */
} csieve_chunks;

int csieve_chunks_work(void *chunks, uint64_t item, void *slot);

#ifdef __cplusplus
}
#endif

#endif /* CSIEVE_H */
