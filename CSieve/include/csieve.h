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

#define CSIEVE_VERSION "0.1.0"
#define CSIEVE_VERSION_MAJOR 0
#define CSIEVE_VERSION_MINOR 1
#define CSIEVE_VERSION_PATCH 0

/* Status codes. */
#define CSIEVE_OK 0
/** An argument is out of its domain (from > to, a null pointer, ...). */
#define CSIEVE_EINVAL (-1)
/** Memory could not be allocated. */
#define CSIEVE_ENOMEM (-2)

/** The largest value an interval bound may take: 2^64 - 1. */
#define CSIEVE_MAX_TO UINT64_MAX

/**
 * The outcome of sieving one interval.
 *
 * The sum of the primes is sum_high * 2^64 + sum_low. Past 2^64 it needs the
 * high half: the sum of the primes below N overflows 64 bits from
 * N = 29,505,444,491 on.
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
 * crosses off small primes in L1-cache-sized passes, medium primes one
 * segment at a time, and keeps big primes in buckets (a bucket sieve), so that
 * a prime with no multiple in a segment costs nothing there. The segment size
 * follows the CPU's cache sizes, read when the sieve is made.
 *
 * Memory: about 0.7 MiB fixed plus O(sqrt(to)) for the sieving primes of the
 * interval in hand (8 bytes per prime <= sqrt(to) that has a multiple in it).
 */
typedef struct csieve_sieve csieve_sieve;

/**
 * Makes a sieve. Returns NULL when memory runs out.
 * Cost: about 0.3 ms (it builds the pre-sieve patterns once).
 */
csieve_sieve *csieve_sieve_new(void);

/** Releases a sieve and all its memory. csieve_sieve_free(NULL) does nothing. */
void csieve_sieve_free(csieve_sieve *sieve);

/** The segment size in bytes now in force (each byte holds 30 numbers). */
size_t csieve_sieve_segment_bytes(const csieve_sieve *sieve);

/**
 * Sets the segment size in bytes. The value is clamped to [64, 16 MiB] and
 * rounded down to a power of two; 0 restores the size chosen from the cache
 * sizes. Returns the size now in force (0 if memory ran out).
 * Answers never depend on it: tests use tiny segments to put many segment
 * edges and bucket-sieved primes into small intervals.
 */
size_t csieve_sieve_set_segment_bytes(csieve_sieve *sieve, size_t bytes);

/**
 * Counts (and with CSIEVE_SUM sums) the primes in [from, to).
 *
 * Requires from <= to (else CSIEVE_EINVAL). Every to <= 2^64 - 1 is valid.
 * Cost: O(sqrt(to)) set-up per call (the sieving primes up to sqrt(to) that
 * have a multiple in the interval), then about (to - from) * log log(to) / 30
 * byte operations. Successive calls over adjacent chunks of a large interval
 * each pay only their own set-up, so chunks as small as a few segments
 * (about 10^8 numbers) keep full speed.
 *
 * Returns CSIEVE_OK, CSIEVE_EINVAL or CSIEVE_ENOMEM.
 */
int csieve_sieve_run(csieve_sieve *sieve, uint64_t from, uint64_t to, unsigned flags,
                     csieve_result *result);

/**
 * One-shot convenience: makes a sieve, runs it over [from, to) with
 * CSIEVE_SUM, frees it. Same return values as csieve_sieve_run().
 */
int csieve_primes(uint64_t from, uint64_t to, csieve_result *result);

/** A static, human-readable name for a status code (never NULL). */
const char *csieve_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* CSIEVE_H */
