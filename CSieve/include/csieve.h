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
 *   - Pointers are never NULL unless marked _Nullable (a NULL passed anyway
 *     is refused with CSIEVE_EINVAL, never dereferenced).
 */
#ifndef CSIEVE_H
#define CSIEVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

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
/** An argument is out of its domain (from > to, a null pointer passed anyway, ...). */
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
    /** The number of primes in [from, to). */
    uint64_t count;
    /** The low 64 bits of their sum. */
    uint64_t sum_low;
    /** The high 64 bits of their sum. */
    uint64_t sum_high;
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
csieve_sieve *_Nullable csieve_sieve_new(void);

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
void csieve_sieve_free(csieve_sieve *_Nullable sieve);

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
typedef int (*csieve_prime_visitor)(void *_Nullable context, const uint64_t *primes, size_t count);

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
                      void *_Nullable context);

/**
 * One-shot convenience: makes a sieve, runs it over [from, to) with
 * CSIEVE_SUM, frees it. Same return values as csieve_sieve_run().
 */
int csieve_primes(uint64_t from, uint64_t to, csieve_result *result);

/** A static, human-readable name for a status code (never NULL). */
const char *csieve_strerror(int status);


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
 * Ready-made item work for the fork pool (cforkpool.h's cforkpool_item_work)
 * or any other: item i is csieve_chunk_bounds()'s chunk i and its slot a
 * csieve_result. Make the sieve and call csieve_sieve_prepare(sieve, to)
 * before cforkpool_run(), so each child sieves with its own copy-on-write
 * copy of memory made before the fork (the fork rule, in cforkpool.h).
 */
typedef struct csieve_chunks {
    /** The sieve every chunk runs on, prepared up to `to`. */
    csieve_sieve *sieve;
    /** The whole range [from, to) and its chunk width (csieve_chunk_width()). */
    uint64_t from, to, chunk_width;
    /** CSIEVE_COUNT or CSIEVE_SUM. */
    unsigned flags;
} csieve_chunks;

int csieve_chunks_work(void *_Nullable chunks, uint64_t item, void *_Nullable slot);

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif

#endif /* CSIEVE_H */
