/*
 * cprimepi.h -- the combinatorial prime engine of hybrid.
 *
 * CPrimePi computes pi(x), the number of primes <= x, and the sum of those
 * primes, together and exactly, for every x <= 2^64 - 1, in sub-linear time:
 * about x^(2/3) / log^2(x) operations and x^(1/3) log^3(x) memory, by the
 * method of Deleglise and Rivat generalised to sums (each number n weighs n,
 * a completely multiplicative weight, so every leaf of the count is a leaf of
 * the sum multiplied by its denominator).
 *
 * Exactness: every sum of primes <= x < 2^64 is below 2^128, and the method
 * combines its terms with +, - and * only (the few halvings are taken of
 * exact, non-negative 128-bit products). So all of it runs in wrapping
 * unsigned 128-bit arithmetic (64-bit for the count) and the final result is
 * exact although intermediate terms wrap.
 *
 * Conventions, for every function in this header:
 *   - Names carry the prefix cprimepi_ (types, functions) or CPRIMEPI_ (macros).
 *   - Functions that can fail return an int status: CPRIMEPI_OK (0) on
 *     success, a negative CPRIMEPI_E* code otherwise; cprimepi_strerror()
 *     names it. Output parameters are written only on success.
 *   - There is no global mutable state. The caller owns every object (init /
 *     free pairs). A plan is read-only once made: parts over one plan may run
 *     at once in distinct threads, or in children after fork(), each with its
 *     own partial.
 *
 * The work is split into terms, each a sequence of segments that can be
 * computed in any order and on any worker (cprimepi_part), then combined in
 * order of segment (cprimepi_combine). cprimepi_totals() does all of it on the
 * calling thread.
 */
#ifndef CPRIMEPI_H
#define CPRIMEPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

/** The version of this API; every library of the hybrid package carries the same one. */
#define CPRIMEPI_VERSION "0.3.0"

/* Status codes. */
#define CPRIMEPI_OK 0
/** An argument is out of its domain (a term or segment range that does not exist, parts out of order). */
#define CPRIMEPI_EINVAL (-1)
/** Memory could not be allocated. */
#define CPRIMEPI_ENOMEM (-2)

/**
 * pi(x) and the sum of the primes <= x: sum_high * 2^64 + sum_low.
 * The same layout as CSieve's csieve_result.
 */
typedef struct cprimepi_result {
    /** The number of primes <= x. */
    uint64_t count;
    /** The low 64 bits of their sum. */
    uint64_t sum_low;
    /** The high 64 bits of their sum. */
    uint64_t sum_high;
} cprimepi_result;

/**
 * The terms of pi(x) = S1 + S2 + a - 1 - P2 (a = pi(y), y = alpha x^(1/3)),
 * and of the sum alike.
 */
typedef enum cprimepi_term {
    /** S1, the ordinary leaves: one segment, O(y) time. */
    CPRIMEPI_ORDINARY_LEAVES = 0,
    /** The hard special leaves: a sieve of [1, x/y] whose counters say how
     *  many numbers remain below each leaf; O(x / y) sieve work. */
    CPRIMEPI_HARD_LEAVES = 1,
    /** The easy special leaves, from a table of pi and prime sums over
     *  segments of [0, sqrt(x)]. */
    CPRIMEPI_EASY_LEAVES = 2,
    /** P2, the numbers p q <= x with y < p <= q: a prime sieve of [0, x/y]. */
    CPRIMEPI_P2 = 3,
} cprimepi_term;

/** The number of terms: terms are 0 ..< CPRIMEPI_TERMS. */
#define CPRIMEPI_TERMS 4

/** The plan of one x: its parameters and the tables every part reads. */
typedef struct cprimepi_plan {
    /** Owned by the plan: set by cprimepi_plan_init(), released by cprimepi_plan_free(). */
    struct cprimepi_plan_data *_Nullable data;
} cprimepi_plan;

/**
 * Makes the plan of x with the tuning factor alpha (y = alpha * x^(1/3),
 * clamped to [x^(1/3), sqrt(x)]); alpha <= 0 picks the default, which grows
 * with log(x). Every alpha gives the same answer and only moves time between
 * terms, so a second alpha double-checks a result.
 *
 * Cost: O(y) time and about 3 y bytes (the primes, the Moebius and
 * least-prime-factor table and the pi table up to y). For x < 2^64 the
 * default y stays below 2^27. Below x = 64 the plan holds no tables (y is 0)
 * and its one ordinary-leaves segment answers by trial division.
 *
 * Returns CPRIMEPI_OK, CPRIMEPI_EINVAL (plan is NULL) or CPRIMEPI_ENOMEM.
 */
int cprimepi_plan_init(cprimepi_plan *plan, uint64_t x, double alpha);

/** What a plan computes. */
typedef enum cprimepi_mode {
    /** pi(x) and the sum of the primes <= x. */
    CPRIMEPI_COUNT_AND_SUM = 0,
    /** pi(x) alone: the same terms with 64-bit counters only, every sum skipped. Its
     *  results' sum_low and sum_high are 0. */
    CPRIMEPI_COUNT_ONLY = 1,
} cprimepi_mode;

/**
 * cprimepi_plan_init() for a mode: a plan of CPRIMEPI_COUNT_ONLY makes parts
 * that count alone (faster, by skipping the sums), combined as any others. The
 * parts API, slots and their sizes are the same in both modes. Returns what
 * cprimepi_plan_init() returns, or CPRIMEPI_EINVAL for an unknown mode.
 */
int cprimepi_plan_init_mode(cprimepi_plan *plan, uint64_t x, double alpha, cprimepi_mode mode);

/** The mode a plan was made for. */
cprimepi_mode cprimepi_plan_mode(const cprimepi_plan *plan);

/** Releases the plan's tables. A plan whose data is NULL is left alone. */
void cprimepi_plan_free(cprimepi_plan *plan);

/** The x and y of a plan, and the alpha they came from. */
uint64_t cprimepi_plan_x(const cprimepi_plan *plan);
uint64_t cprimepi_plan_y(const cprimepi_plan *plan);
double cprimepi_plan_alpha(const cprimepi_plan *plan);

/**
 * How many segments a term has (0 for a term that does not exist). The
 * segments of a term cover disjoint, adjacent ranges in order; their costs
 * differ by a few times, so a parallel map hands out many per worker.
 */
uint64_t cprimepi_segments(const cprimepi_plan *plan, cprimepi_term term);

/**
 * What one part computed: its own contribution, and what the combiner needs
 * to add the totals of the segments before it. Its fields are the engine's
 * business; read the answer through cprimepi_combine().
 */
typedef struct cprimepi_partial {
    /** The term and the segments [segment_from, segment_to) it covers. */
    int term;
    uint64_t segment_from, segment_to;
    /** The part's contribution as though nothing lay before its first segment (wrapping). */
    uint64_t count;
    uint64_t sum_low, sum_high;
    /** Totals of the part's own range: primes (P2, easy leaves) or unsieved numbers. */
    uint64_t range_count;
    uint64_t range_sum_low, range_sum_high;
    /** Coefficients of the totals before the part (wrapping). */
    uint64_t count_weight;
    uint64_t sum_weight_low, sum_weight_high;
    /** P2: the count, sum and sum of squares of its primes p. */
    uint64_t prime_count;
    uint64_t prime_sum_low, prime_sum_high;
    uint64_t prime_squares_low, prime_squares_high;
    /** Hard leaves: per b, the same four values (owned; NULL for other terms). */
    void *_Nullable per_b;
} cprimepi_partial;

/** Prepares a partial for any term of plan. Returns CPRIMEPI_OK or CPRIMEPI_ENOMEM. */
int cprimepi_partial_init(cprimepi_partial *partial, const cprimepi_plan *plan);

/** Releases a partial's memory. */
void cprimepi_partial_free(cprimepi_partial *partial);

/**
 * Computes the segments [segment_from, segment_to) of a term into partial.
 * Independent of every other part: any partition of 0 ..< cprimepi_segments()
 * may be computed in any order and on any worker.
 *
 * Cost: proportional to the width of the range the segments cover, plus for
 * the hard leaves O(pi(sqrt(x / y))) per segment and an O(pi(sqrt(x / y)))
 * division per part to find where each sieving prime starts.
 *
 * Returns CPRIMEPI_OK, CPRIMEPI_EINVAL (no such term, or the segments are not
 * a non-empty range of it) or CPRIMEPI_ENOMEM.
 */
int cprimepi_part(const cprimepi_plan *plan, cprimepi_term term, uint64_t segment_from,
                  uint64_t segment_to, cprimepi_partial *partial);

/** Adds partials together into a result; each term's partials in order. */
typedef struct cprimepi_combiner {
    /** Owned by the combiner. */
    struct cprimepi_combiner_data *_Nullable data;
} cprimepi_combiner;

/** Prepares a combiner for plan. Returns CPRIMEPI_OK or CPRIMEPI_ENOMEM. */
int cprimepi_combiner_init(cprimepi_combiner *combiner, const cprimepi_plan *plan);

/** Releases a combiner's memory. */
void cprimepi_combiner_free(cprimepi_combiner *combiner);

/**
 * Adds one partial. The partials of a term must come in order: each one's
 * segment_from is the previous one's segment_to (the first's is 0), else
 * CPRIMEPI_EINVAL and nothing changes. Terms may interleave. Cost: O(1), for
 * the hard leaves O(pi(sqrt(x / y))).
 */
int cprimepi_combine(cprimepi_combiner *combiner, const cprimepi_partial *partial);

/**
 * The result once every segment of every term has been combined
 * (CPRIMEPI_EINVAL before).
 */
int cprimepi_combiner_result(const cprimepi_combiner *combiner, cprimepi_result *result);

/* Parts whose results cross a process: flat slots, for a fork pool or messages. */

/**
 * The bytes of one part's result as a flat slot (the partial, then its per-b
 * values for the hard leaves): what cprimepi_part_into() writes and
 * cprimepi_combine_slot() reads, the same for every term of a plan. A
 * multiple of 16: about 48 pi(sqrt(x / y)) bytes, 1.2 MB at x = 10^18.
 */
size_t cprimepi_slot_bytes(const cprimepi_plan *plan);

/**
 * cprimepi_part() into a slot of cprimepi_slot_bytes(plan) bytes (any
 * alignment). It makes and frees a partial of its own, so parts may run at
 * once on threads or in forked children of a process that made the plan.
 * Returns what cprimepi_part() returns; the slot is written only with
 * CPRIMEPI_OK.
 */
int cprimepi_part_into(const cprimepi_plan *plan, cprimepi_term term, uint64_t segment_from,
                       uint64_t segment_to, void *slot);

/** cprimepi_combine() of a slot that cprimepi_part_into() wrote (same rules). */
int cprimepi_combine_slot(cprimepi_combiner *combiner, const void *slot);

/** One part of a run: the segments [segment_from, segment_to) of a term. */
typedef struct cprimepi_part_range {
    /** A cprimepi_term. */
    int term;
    uint64_t segment_from, segment_to;
} cprimepi_part_range;

/**
 * Cuts every term of plan into parts of adjacent segments, the easy and
 * hard leaves' first (the costliest): per term, parts one segment wide that double up to an even share of
 * segments / per_term (the work crowds into the first segments), so about
 * per_term + log2(segments / per_term) parts. Writes up to capacity of them
 * to ranges (NULL with capacity 0 to count them). Each term's parts come in
 * order of segment, so combining them in the order listed is valid. Returns
 * the number of parts. Cost: O(parts).
 */
size_t cprimepi_plan_parts(const cprimepi_plan *plan, unsigned per_term,
                           cprimepi_part_range *_Nullable ranges, size_t capacity);

/** What cprimepi_parts_work() runs: a plan and its parts. */
typedef struct cprimepi_parts {
    const cprimepi_plan *plan;
    const cprimepi_part_range *ranges;
    /** The number of ranges. */
    uint64_t count;
} cprimepi_parts;

/**
 * Ready-made item work for a pool (cforkpool.h's cforkpool_item_work): item
 * i computes parts->ranges[i] with cprimepi_part_into() into slot. Make the
 * plan before the pool forks, so every worker reads it copy-on-write.
 * Returns CPRIMEPI_OK or a CPRIMEPI_E* status.
 */
int cprimepi_parts_work(void *_Nullable parts, uint64_t item, void *_Nullable slot);

/**
 * One-shot: pi(x) and the sum of the primes <= x, with the default alpha, on
 * the calling thread. Same as cprimepi_totals_alpha(x, 0, result).
 *
 * Cost on one core of an AMD EPYC at -O3 -march=native: 0.13 s for x = 10^12,
 * 1.5 s for 10^14, 18 s for 10^16, 270 s for 10^18 (Benchmarks/combinatorial.sh);
 * memory grows as y, 80 MiB at 10^18.
 * Returns CPRIMEPI_OK or CPRIMEPI_ENOMEM.
 */
int cprimepi_totals(uint64_t x, cprimepi_result *result);

/** cprimepi_totals() with a chosen alpha (see cprimepi_plan_init()). */
int cprimepi_totals_alpha(uint64_t x, double alpha, cprimepi_result *result);

/**
 * One-shot: pi(x) alone (a plan of CPRIMEPI_COUNT_ONLY), with the default
 * alpha, on the calling thread: writes *count on success. Cost: the same
 * terms as cprimepi_totals(), without their sums: 0.87 to 0.95 of its time
 * as measured at 10^12 to 10^14 (Benchmarks/combinatorial.sh); the same memory.
 * Returns CPRIMEPI_OK or CPRIMEPI_ENOMEM.
 */
int cprimepi_count(uint64_t x, uint64_t *count);

/** cprimepi_count() with a chosen alpha (see cprimepi_plan_init()). */
int cprimepi_count_alpha(uint64_t x, double alpha, uint64_t *count);

/** A static, human-readable name for a status code (never NULL). */
const char *cprimepi_strerror(int status);

/** The version of this library, CPRIMEPI_VERSION (static storage). */
const char *cprimepi_version(void);

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif

#endif
