/*
 * The hard special leaves: mu(p_b m) p_b m Phi(x / (p_b m), b - 1) with
 * x / (p_b m) >= p_b^2, where Phi needs the numbers left after sieving out
 * p_1 .. p_(b-1). A segmented sieve of [1, z) (odd numbers only: p_1 = 2 is
 * always among the c primes) removes one prime after another, and counters
 * over the segment's words tell, for any n, how many numbers remain up to n
 * and the sum of their offsets from the segment's start.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"


/*
 * What remains is counted by two levels of linear counters rather than a
 * binary indexed tree: removing a number then costs two subtractions instead
 * of a walk up the tree, and since the leaves of one b come in ascending
 * order of n, a cursor that only moves forward sums the counters before each
 * one. Each counter packs a count and a sum of offsets in one word
 * (count << OFFSET_BITS | offsets), which segments of at most 2^21 numbers keep
 * within 64 bits.
 */
#define OFFSET_BITS 43
#define WORDS_PER_SMALL 4   /* 512 numbers */
#define SMALLS_PER_LARGE 16 /* 8192 numbers */

typedef struct leaf_sieve {
    uint64_t lo;
    size_t words;
    uint64_t *bits;
    uint64_t *small; /* per WORDS_PER_SMALL words */
    uint64_t *large; /* per SMALLS_PER_LARGE small counters */
    uint64_t count, offsets; /* what remains in the whole segment */
} leaf_sieve;

typedef struct leaf_cursor {
    size_t small; /* the small counters before it are summed in packed */
    uint64_t packed;
} leaf_cursor;

static inline uint64_t pack(uint64_t count, uint64_t offsets) { return count << OFFSET_BITS | offsets; }

KERNEL void remove_number(leaf_sieve *sieve, uint64_t n, const int sums) {
    uint64_t offset = n - sieve->lo;
    uint64_t k = offset >> 1;
    uint64_t mask = 1ull << (k & 63);
    size_t w = (size_t)(k >> 6);
    if (!(sieve->bits[w] & mask)) return;
    sieve->bits[w] &= ~mask;
    sieve->count--;
    if (sums) sieve->offsets -= offset;
    uint64_t packed = pack(1, sums ? offset : 0);
    sieve->small[w / WORDS_PER_SMALL] -= packed;
    sieve->large[w / (WORDS_PER_SMALL * SMALLS_PER_LARGE)] -= packed;
}

static inline uint64_t word_offsets(uint64_t word, size_t w) {
    uint64_t bits = (uint64_t)__builtin_popcountll(word);
    return bits * (128 * (uint64_t)w + 1) + 2 * bit_index_sum(word);
}

/* What remains in [lo, n]; n must not fall below the cursor's last n. */
KERNEL void remaining_upto(const leaf_sieve *sieve, leaf_cursor *cursor, uint64_t n,
                           uint64_t *count, uint64_t *offsets, const int sums) {
    uint64_t odd = (n - sieve->lo + 1) >> 1;
    size_t w = (size_t)(odd >> 6);
    size_t target = w / WORDS_PER_SMALL;
    while (cursor->small < target) {
        if (cursor->small % SMALLS_PER_LARGE == 0 && cursor->small + SMALLS_PER_LARGE <= target) {
            cursor->packed += sieve->large[cursor->small / SMALLS_PER_LARGE];
            cursor->small += SMALLS_PER_LARGE;
        } else {
            cursor->packed += sieve->small[cursor->small++];
        }
    }
    uint64_t c = cursor->packed >> OFFSET_BITS;
    uint64_t o = cursor->packed & ((1ull << OFFSET_BITS) - 1);
    for (size_t i = target * WORDS_PER_SMALL; i < w; i++) {
        c += (uint64_t)__builtin_popcountll(sieve->bits[i]);
        if (sums) o += word_offsets(sieve->bits[i], i);
    }
    unsigned r = (unsigned)(odd & 63);
    if (r) {
        uint64_t word = sieve->bits[w] & ((1ull << r) - 1);
        c += (uint64_t)__builtin_popcountll(word);
        if (sums) o += word_offsets(word, w);
    }
    *count = c;
    *offsets = o;
}

KERNEL void count_remaining(leaf_sieve *sieve, const int sums) {
    size_t words = sieve->words;
    size_t smalls = (words + WORDS_PER_SMALL - 1) / WORDS_PER_SMALL;
    size_t larges = (smalls + SMALLS_PER_LARGE - 1) / SMALLS_PER_LARGE;
    memset(sieve->small, 0, smalls * sizeof(uint64_t));
    memset(sieve->large, 0, larges * sizeof(uint64_t));
    sieve->count = 0;
    sieve->offsets = 0;
    for (size_t w = 0; w < words; w++) {
        uint64_t word = sieve->bits[w];
        uint64_t c = (uint64_t)__builtin_popcountll(word), o = sums ? word_offsets(word, w) : 0;
        sieve->count += c;
        sieve->offsets += o;
        sieve->small[w / WORDS_PER_SMALL] += pack(c, o);
        sieve->large[w / (WORDS_PER_SMALL * SMALLS_PER_LARGE)] += pack(c, o);
    }
}

/*
 * With 3 and 5 among the pre-sieved primes, a prime p > 5 has only the
 * multiples p k with k coprime to 30 left to remove: 8 of every 15 odd k.
 */
static const uint8_t wheel_residue[8] = {1, 7, 11, 13, 17, 19, 23, 29};
static const uint8_t wheel_gap[8] = {6, 4, 2, 4, 2, 4, 6, 2};

KERNEL int hard_leaves_kernel(const struct cprimepi_plan_data *plan, uint64_t from, uint64_t to,
                              cprimepi_partial *partial, const int sums) {
    const uint64_t x = plan->x, y = plan->y, z = plan->z;
    const uint32_t c = plan->c, b_max = plan->hard_b_max;
    const uint32_t *primes = plan->primes;
    const uint64_t numbers = plan->hard_segment_numbers;
    hard_per_b *per_b = partial->per_b;
    leaf_sieve sieve = {0};
    sieve.bits = malloc(numbers / 128 * sizeof(uint64_t));
    size_t most_words = numbers / 128;
    sieve.small = malloc((most_words / WORDS_PER_SMALL + 2) * sizeof(uint64_t));
    sieve.large = malloc((most_words / (WORDS_PER_SMALL * SMALLS_PER_LARGE) + 2) * sizeof(uint64_t));
    uint64_t *next = malloc(((size_t)b_max + 1) * sizeof(uint64_t));
    uint8_t *wheel = malloc((size_t)b_max + 1);
    int status = CPRIMEPI_ENOMEM;
    if (!sieve.bits || !sieve.small || !sieve.large || !next || !wheel) goto done;
    status = CPRIMEPI_OK;
    memset(per_b, 0, ((size_t)b_max + 1) * sizeof(hard_per_b));

    uint64_t first_lo = from * numbers;
    for (uint32_t b = 2; b <= b_max; b++) {
        /* p itself is removed on its own; the other multiples that matter start at p^2. */
        uint64_t p = primes[b];
        uint64_t k = p;
        if (p * p < first_lo) k = ((first_lo + p - 1) / p) | 1;
        wheel[b] = 0;
        if (c >= 3 && b > c) {
            while (1) {
                uint8_t r = (uint8_t)(k % 30), i = 0;
                while (i < 8 && wheel_residue[i] != r) i++;
                if (i < 8) {
                    wheel[b] = i;
                    break;
                }
                k += 2;
            }
        }
        next[b] = k * p;
    }
    uint64_t count = 0;
    u128 sum = 0;
    /* Every leaf of b has n < x / p_b^2, so past x / p_b^2 neither b nor any larger b has
     * leaves left, and its multiples need not be crossed off: b_stop falls as lo rises. */
    uint32_t b_stop = b_max;
    for (uint64_t segment = from; segment < to; segment++) {
        uint64_t lo = segment * numbers;
        uint64_t hi = lo + numbers < z ? lo + numbers : z;
        size_t words = (size_t)((hi - lo + 127) / 128);
        uint64_t end = lo + 128 * (uint64_t)words;
        sieve.lo = lo;
        sieve.words = words;
        /* The c primes of the ordinary leaves' table go before any leaf is asked. */
        uint32_t first_crossed = 2;
        if (c == 6) {
            presieve_fill(plan->presieve, sieve.bits, words, lo);
            first_crossed = 7;
        } else {
            memset(sieve.bits, 0xFF, words * sizeof(uint64_t));
        }
        if (end > hi) {
            uint64_t first_out = (hi - lo) >> 1;
            for (uint64_t k = first_out; k < 64 * (uint64_t)words; k++)
                sieve.bits[k >> 6] &= ~(1ull << (k & 63));
        }
        for (uint32_t b = first_crossed; b <= c && b <= b_max; b++) {
            uint64_t p = primes[b];
            if (p >= lo && p < hi) {
                uint64_t k = (p - lo) >> 1;
                sieve.bits[k >> 6] &= ~(1ull << (k & 63));
            }
            uint64_t n = next[b];
            for (; n < end; n += 2 * p) {
                uint64_t k = (n - lo) >> 1;
                sieve.bits[k >> 6] &= ~(1ull << (k & 63));
            }
            next[b] = n;
        }
        count_remaining(&sieve, sums);

        if (lo > 0) {
            uint64_t bound = plan_isqrt(x / lo);
            while (b_stop > c && primes[b_stop] > bound) b_stop--;
        }
        for (uint32_t b = c + 1; b <= b_stop; b++) {
            uint64_t p = primes[b];
            hard_per_b *state = &per_b[b];
            leaf_cursor cursor = {0, 0};
            if (p * p < hi) {
                uint64_t n_lo = lo > p * p ? lo : p * p;
                uint64_t x_p = x / p;
                uint64_t m_max = x_p / n_lo, m_min = x_p / hi;
                if (m_max > y) m_max = y;
                if (m_min < y / p) m_min = y / p;
                if (p * p <= y) {
                    for (uint64_t m = m_max | 1; m > m_min; m -= 2) {
                        if (m > m_max) continue;
                        int32_t v = plan->mu_lpf[plan_mu_lpf_index(m)];
                        if (v == 0 || (uint32_t)(v < 0 ? -v : v) <= b) continue;
                        uint64_t n = x_p / m, left, offsets;
                        remaining_upto(&sieve, &cursor, n, &left, &offsets, sums);
                        uint64_t phi_count = state->phi_count + left;
                        u128 phi_sum = state->phi_sum + offsets + (u128)left * lo;
                        u128 weight = (u128)p * m;
                        if (v > 0) { /* -mu(m) = -1 */
                            count -= phi_count;
                            sum -= weight * phi_sum;
                            state->count_weight -= 1;
                            if (sums) state->sum_weight -= weight;
                        } else {
                            count += phi_count;
                            sum += weight * phi_sum;
                            state->count_weight += 1;
                            if (sums) state->sum_weight += weight;
                        }
                    }
                } else {
                    if (m_min < p) m_min = p;
                    if (m_max > m_min) {
                        uint32_t j_hi = plan_pi(plan, m_max), j_lo = plan_pi(plan, m_min);
                        for (uint32_t j = j_hi; j > j_lo; j--) {
                            uint64_t q = primes[j];
                            uint64_t n = x_p / q, left, offsets;
                            remaining_upto(&sieve, &cursor, n, &left, &offsets, sums);
                            count += state->phi_count + left;
                            sum += (u128)(p * q) * (state->phi_sum + offsets + (u128)left * lo);
                        }
                        state->count_weight += j_hi - j_lo;
                        if (sums)
                            state->sum_weight +=
                                (u128)p * (plan->prime_sums[j_hi] - plan->prime_sums[j_lo]);
                    }
                }
            }
            state->phi_count += sieve.count;
            if (sums) state->phi_sum += sieve.offsets + (u128)sieve.count * lo;
            if (p >= lo && p < hi) remove_number(&sieve, p, sums);
            uint64_t n = next[b];
            if (c >= 3) {
                /* Locals the compiler can keep in registers: the counters' stores
                 * could otherwise alias the bits. Bits past hi are already clear. */
                uint64_t *restrict bits = sieve.bits, *restrict small = sieve.small,
                                   *restrict large = sieve.large;
                uint64_t left = sieve.count, left_offsets = sieve.offsets;
                unsigned i = wheel[b];
                for (; n < end; i = (i + 1) & 7) {
                    uint64_t offset = n - lo, k = offset >> 1, mask = 1ull << (k & 63);
                    size_t w = (size_t)(k >> 6);
                    /* Without a branch: whether n is still there is a coin toss. */
                    uint64_t hit = (bits[w] & mask) != 0;
                    bits[w] &= ~mask;
                    left -= hit;
                    if (sums) left_offsets -= hit * offset;
                    uint64_t packed = (0 - hit) & pack(1, sums ? offset : 0);
                    small[w / WORDS_PER_SMALL] -= packed;
                    large[w / (WORDS_PER_SMALL * SMALLS_PER_LARGE)] -= packed;
                    n += p * wheel_gap[i];
                }
                sieve.count = left;
                sieve.offsets = left_offsets;
                wheel[b] = (uint8_t)i;
            } else {
                for (; n < end; n += 2 * p)
                    if (n < hi) remove_number(&sieve, n, sums);
            }
            next[b] = n;
        }
    }
    partial->count = count;
    if (sums) split(sum, &partial->sum_low, &partial->sum_high);
done:
    free(sieve.bits);
    free(sieve.small);
    free(sieve.large);
    free(next);
    free(wheel);
    return status;
}

int hard_leaves_part(const struct cprimepi_plan_data *plan, uint64_t from, uint64_t to,
                     cprimepi_partial *partial) {
    return plan->sums ? hard_leaves_kernel(plan, from, to, partial, 1)
                      : hard_leaves_kernel(plan, from, to, partial, 0);
}
