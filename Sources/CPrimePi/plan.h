/*
 * plan.h -- the plan's layout and the helpers its parts share (internal).
 *
 * Everything here is read-only once cprimepi_plan_init() returns, so parts may
 * run at once in threads, or in children after fork(), over one plan.
 */
#ifndef CPRIMEPI_PLAN_H
#define CPRIMEPI_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "cprimepi.h"

typedef unsigned __int128 u128;

/*
 * The primes of [lo, hi) as bits of the odd numbers (bit k of word w is
 * lo + 128 w + 2 k + 1, lo a multiple of 128), with per-word prefix counts and,
 * when it keeps sums, prefix sums of offsets (n - lo), so that the count and sum
 * of the primes up to any n of the segment cost one popcount and six masked
 * popcounts (the count alone, one popcount).
 */
/*
 * The odd numbers coprime to 3 * 5 * 7 * 11 * 13 as a bit pattern of one
 * period (bit i for 2i + 1), a little longer so that any 64 bits of it can be
 * read at once: copying it starts each sieve with those primes crossed off.
 */
#define PRESIEVE_PERIOD 15015u
#define PRESIEVE_WORDS ((PRESIEVE_PERIOD + 128) / 64 + 2)

static inline uint64_t presieve_word(const uint64_t *pattern, uint64_t at) {
    uint64_t low = pattern[at >> 6] >> (at & 63);
    return (at & 63) ? low | pattern[(at >> 6) + 1] << (64 - (at & 63)) : low;
}

/* Fills the bits of the odd numbers of [lo, lo + 128 words) from the pattern. */
static inline void presieve_fill(const uint64_t *pattern, uint64_t *bits, size_t words, uint64_t lo) {
    uint64_t at = (lo / 2) % PRESIEVE_PERIOD;
    for (size_t w = 0; w < words; w++) {
        bits[w] = presieve_word(pattern, at);
        at += 64;
        if (at >= PRESIEVE_PERIOD) at -= PRESIEVE_PERIOD;
    }
}

typedef struct prime_segment {
    uint64_t lo, hi;
    size_t words;
    uint64_t *bits;
    uint32_t *count_before;
    uint64_t *offsets_before;
    uint64_t count; /* primes in [lo, hi), 2 included when it lies there */
    u128 sum;
    /* Sieving state for consecutive segments: the next odd multiple of each
     * odd prime whose square lies below the segment's end. */
    const uint32_t *primes; /* 1-based: primes[1] = 2 */
    uint32_t prime_count;
    uint32_t active; /* primes[2 .. active] have next[] set */
    uint64_t *next;
    const uint64_t *presieve; /* the pattern, or NULL to cross off every prime */
    int sums;                 /* whether offsets_before and sum are kept */
} prime_segment;

/* A kernel of the engine that both modes share: `sums` is a constant at every call site, so
 * each mode gets its own copy with the other's work compiled out. */
#define KERNEL static inline __attribute__((always_inline))

/* Allocates room for segments of `numbers` numbers (a multiple of 128); with sums 0 the
 * segments keep counts alone. */
int prime_segment_init(prime_segment *segment, const uint32_t *primes, uint32_t prime_count,
                       uint64_t numbers, const uint64_t *presieve, int sums);
void prime_segment_free(prime_segment *segment);
/* Sieves [lo, hi): lo a multiple of 128, hi - lo at most the size given to
 * init. Consecutive calls with ascending adjacent ranges reuse the multiples;
 * any other call starts them afresh. Needs the primes up to sqrt(hi). */
void prime_segment_sieve(prime_segment *segment, uint64_t lo, uint64_t hi);
/* The largest prime in [lo, n], or 0 if none (2 excluded). */
uint64_t prime_segment_previous(const prime_segment *segment, uint64_t n);

struct cprimepi_plan_data {
    uint64_t x, y, z, sqrt_x;
    double alpha;
    int sums; /* 0 for a plan of CPRIMEPI_COUNT_ONLY */
    uint32_t a;           /* pi(y) */
    uint32_t c;           /* the primes the ordinary leaves' table removes */
    uint32_t prime_count; /* primes up to max(y, sqrt(z)) */
    uint32_t *primes;     /* 1-based */
    uint64_t *prime_sums; /* prime_sums[i] = p_1 + ... + p_i, prime_sums[0] = 0 */
    /* For odd m <= y at (m - 1) / 2: 0 when m is not squarefree, else
     * mu(m) * (index of lpf(m)); m = 1 holds prime_count + 1. */
    int32_t *mu_lpf;
    prime_segment small; /* pi over [0, prime limit], counts alone (plan_pi) */
    uint32_t hard_b_max; /* the last b with hard leaves: p_b^2 <= z - 1 */
    uint64_t hard_segment_numbers, easy_segment_numbers, p2_segment_numbers;
    /* Phi(n, c) = q * phi_count + count_table[r] for n = q P + r (P the
     * primorial of p_c), with the matching sums. */
    uint32_t primorial, totient;
    uint16_t *count_table;
    uint32_t *sum_table;
    uint64_t presieve[PRESIEVE_WORDS];
};

/* pi(n) for n up to the plan's prime limit: the index of the largest prime <= n. */
static inline uint32_t plan_pi(const struct cprimepi_plan_data *plan, uint64_t n);
uint64_t plan_isqrt(uint64_t n);

static inline uint32_t plan_pi(const struct cprimepi_plan_data *plan, uint64_t n) {
    if (n < 2) return 0;
    uint64_t odd = (n + 1) >> 1; /* odd numbers in [0, n] */
    size_t w = (size_t)(odd >> 6);
    uint64_t word = plan->small.bits[w] & ((1ull << (odd & 63)) - 1);
    return plan->small.count_before[w] + (uint32_t)__builtin_popcountll(word) + 1;
}

static inline uint64_t plan_mu_lpf_index(uint64_t m) { return (m - 1) >> 1; }

/* Both totals of a sum that combine with + and *, wrapping. */
typedef struct totals {
    uint64_t count;
    u128 sum;
} totals;

static inline void split(u128 value, uint64_t *low, uint64_t *high) {
    *low = (uint64_t)value;
    *high = (uint64_t)(value >> 64);
}

static inline u128 join(uint64_t low, uint64_t high) { return (u128)high << 64 | low; }

static inline u128 result_sum(const cprimepi_result *result) {
    return (u128)result->sum_high << 64 | result->sum_low;
}

static inline void result_set(cprimepi_result *result, uint64_t count, u128 sum) {
    result->count = count;
    result->sum_low = (uint64_t)sum;
    result->sum_high = (uint64_t)(sum >> 64);
}



/*
 * The sum of the indices of a word's set bits, by six popcounts: plane j holds the bits whose
 * index has bit j set (bit k of a segment word stands for an odd number at offset 2k + 1).
 */
static inline uint64_t bit_index_sum(uint64_t word) {
    static const uint64_t offset_plane[6] = {
        0xAAAAAAAAAAAAAAAAull, 0xCCCCCCCCCCCCCCCCull, 0xF0F0F0F0F0F0F0F0ull,
        0xFF00FF00FF00FF00ull, 0xFFFF0000FFFF0000ull, 0xFFFFFFFF00000000ull,
    };
    uint64_t sum = 0;
    for (int j = 0; j < 6; j++) sum += (uint64_t)__builtin_popcountll(word & offset_plane[j]) << j;
    return sum;
}

/* The primes of [lo, n] (lo <= n, n below the segment's end): their count, and with sums
 * their sum minus count * lo (a 64-bit offset sum; 0 without). */
KERNEL void prime_segment_upto(const prime_segment *segment, uint64_t n, uint64_t *count,
                               uint64_t *offsets, const int sums) {
    uint64_t odd = (n - segment->lo + 1) >> 1; /* odd numbers in [lo, n] */
    size_t w = (size_t)(odd >> 6);
    uint64_t c = 0, o = 0;
    if (w < segment->words) {
        c = segment->count_before[w];
        if (sums) o = segment->offsets_before[w];
        unsigned r = (unsigned)(odd & 63);
        if (r) {
            uint64_t word = segment->bits[w] & ((1ull << r) - 1);
            uint64_t bits = (uint64_t)__builtin_popcountll(word);
            c += bits;
            if (sums) o += bits * (128 * (uint64_t)w + 1) + 2 * bit_index_sum(word);
        }
    } else {
        c = segment->count;
        if (sums) o = (uint64_t)(segment->sum - (u128)segment->count * segment->lo);
        if (segment->lo <= 2 && 2 < segment->hi) {
            c -= 1;
            o -= sums ? 2 : 0;
        }
    }
    if (segment->lo <= 2 && 2 <= n) {
        c += 1;
        if (sums) o += 2 - segment->lo;
    }
    *count = c;
    *offsets = o;
}

/* What a hard-leaves partial keeps per b (cprimepi_partial.per_b). */
typedef struct hard_per_b {
    uint64_t phi_count; /* unsieved numbers the part's range holds after p_1 .. p_(b-1) */
    u128 phi_sum;
    uint64_t count_weight; /* the coefficient of the count before the part (wrapping) */
    u128 sum_weight;
} hard_per_b;

int hard_leaves_part(const struct cprimepi_plan_data *plan, uint64_t from, uint64_t to,
                     cprimepi_partial *partial);
int easy_leaves_part(const struct cprimepi_plan_data *plan, uint64_t from, uint64_t to,
                     cprimepi_partial *partial);
int p2_part(const struct cprimepi_plan_data *plan, uint64_t from, uint64_t to,
            cprimepi_partial *partial);
int ordinary_leaves_part(const struct cprimepi_plan_data *plan, cprimepi_partial *partial);
#endif
