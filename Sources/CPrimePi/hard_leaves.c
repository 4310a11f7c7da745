/*
 * The hard special leaves: mu(p_b m) p_b m Phi(x / (p_b m), b - 1) with
 * x / (p_b m) >= p_b^2, where Phi needs the numbers left after sieving out
 * p_1 .. p_(b-1). A segmented sieve of [1, z) (odd numbers only: p_1 = 2 is
 * always among the c primes) removes one prime after another, and a binary
 * indexed tree over the segment's words tells, for any n, how many numbers
 * remain up to n and the sum of their offsets from the segment's start.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static const uint64_t offset_plane[6] = {
    0xAAAAAAAAAAAAAAAAull, 0xCCCCCCCCCCCCCCCCull, 0xF0F0F0F0F0F0F0F0ull,
    0xFF00FF00FF00FF00ull, 0xFFFF0000FFFF0000ull, 0xFFFFFFFF00000000ull,
};

static inline uint64_t bit_index_sum(uint64_t word) {
    uint64_t sum = 0;
    for (int j = 0; j < 6; j++) sum += (uint64_t)__builtin_popcountll(word & offset_plane[j]) << j;
    return sum;
}

typedef struct leaf_sieve {
    uint64_t lo;
    size_t words;
    uint64_t *bits;
    uint32_t *tree_count; /* 1-based binary indexed tree over words */
    uint64_t *tree_offsets;
    uint64_t count, offsets; /* what remains in the whole segment */
} leaf_sieve;

static void remove_number(leaf_sieve *sieve, uint64_t n) {
    uint64_t offset = n - sieve->lo;
    uint64_t k = offset >> 1;
    uint64_t mask = 1ull << (k & 63);
    size_t w = (size_t)(k >> 6);
    if (!(sieve->bits[w] & mask)) return;
    sieve->bits[w] &= ~mask;
    sieve->count--;
    sieve->offsets -= offset;
    for (size_t i = w + 1; i <= sieve->words; i += i & (0 - i)) {
        sieve->tree_count[i]--;
        sieve->tree_offsets[i] -= offset;
    }
}

/* What remains in [lo, n]. */
static inline void remaining_upto(const leaf_sieve *sieve, uint64_t n, uint64_t *count,
                                  uint64_t *offsets) {
    uint64_t odd = (n - sieve->lo + 1) >> 1;
    size_t w = (size_t)(odd >> 6);
    uint64_t c = 0, o = 0;
    for (size_t i = w; i > 0; i &= i - 1) {
        c += sieve->tree_count[i];
        o += sieve->tree_offsets[i];
    }
    unsigned r = (unsigned)(odd & 63);
    if (r) {
        uint64_t word = sieve->bits[w] & ((1ull << r) - 1);
        uint64_t bits = (uint64_t)__builtin_popcountll(word);
        c += bits;
        o += bits * (128 * (uint64_t)w + 1) + 2 * bit_index_sum(word);
    }
    *count = c;
    *offsets = o;
}

static void build_tree(leaf_sieve *sieve) {
    size_t words = sieve->words;
    memset(sieve->tree_count, 0, (words + 1) * sizeof(uint32_t));
    memset(sieve->tree_offsets, 0, (words + 1) * sizeof(uint64_t));
    sieve->count = 0;
    sieve->offsets = 0;
    for (size_t i = 1; i <= words; i++) {
        uint64_t word = sieve->bits[i - 1];
        uint64_t c = (uint64_t)__builtin_popcountll(word);
        uint64_t o = c * (128 * (uint64_t)(i - 1) + 1) + 2 * bit_index_sum(word);
        sieve->count += c;
        sieve->offsets += o;
        sieve->tree_count[i] += (uint32_t)c;
        sieve->tree_offsets[i] += o;
        size_t j = i + (i & (0 - i));
        if (j <= words) {
            sieve->tree_count[j] += sieve->tree_count[i];
            sieve->tree_offsets[j] += sieve->tree_offsets[i];
        }
    }
}

int hard_leaves_part(const struct cprimepi_plan_data *plan, uint64_t from, uint64_t to,
                     cprimepi_partial *partial) {
    const uint64_t x = plan->x, y = plan->y, z = plan->z;
    const uint32_t c = plan->c, b_max = plan->hard_b_max;
    const uint32_t *primes = plan->primes;
    const uint64_t numbers = plan->hard_segment_numbers;
    hard_per_b *per_b = partial->per_b;
    leaf_sieve sieve = {0};
    sieve.bits = malloc(numbers / 128 * sizeof(uint64_t));
    sieve.tree_count = malloc((numbers / 128 + 1) * sizeof(uint32_t));
    sieve.tree_offsets = malloc((numbers / 128 + 1) * sizeof(uint64_t));
    uint64_t *next = malloc(((size_t)b_max + 1) * sizeof(uint64_t));
    int status = CPRIMEPI_ENOMEM;
    if (!sieve.bits || !sieve.tree_count || !sieve.tree_offsets || !next) goto done;
    status = CPRIMEPI_OK;
    memset(per_b, 0, ((size_t)b_max + 1) * sizeof(hard_per_b));

    uint64_t first_lo = from * numbers;
    for (uint32_t b = 2; b <= b_max; b++) {
        /* p itself is removed on its own; the other multiples that matter start at p^2. */
        uint64_t p = primes[b];
        uint64_t start = p * p;
        if (start < first_lo) {
            uint64_t q = (first_lo + p - 1) / p;
            start = (q | 1) * p;
        }
        next[b] = start;
    }
    uint64_t count = 0;
    u128 sum = 0;
    for (uint64_t segment = from; segment < to; segment++) {
        uint64_t lo = segment * numbers;
        uint64_t hi = lo + numbers < z ? lo + numbers : z;
        size_t words = (size_t)((hi - lo + 127) / 128);
        uint64_t end = lo + 128 * (uint64_t)words;
        sieve.lo = lo;
        sieve.words = words;
        memset(sieve.bits, 0xFF, words * sizeof(uint64_t));
        if (end > hi) {
            uint64_t first_out = (hi - lo) >> 1;
            for (uint64_t k = first_out; k < 64 * (uint64_t)words; k++)
                sieve.bits[k >> 6] &= ~(1ull << (k & 63));
        }
        /* The c primes of the ordinary leaves' table go before any leaf is asked. */
        for (uint32_t b = 2; b <= c && b <= b_max; b++) {
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
        build_tree(&sieve);

        for (uint32_t b = c + 1; b <= b_max; b++) {
            uint64_t p = primes[b];
            hard_per_b *state = &per_b[b];
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
                        remaining_upto(&sieve, n, &left, &offsets);
                        uint64_t phi_count = state->phi_count + left;
                        u128 phi_sum = state->phi_sum + offsets + (u128)left * lo;
                        u128 weight = (u128)p * m;
                        if (v > 0) { /* -mu(m) = -1 */
                            count -= phi_count;
                            sum -= weight * phi_sum;
                            state->count_weight -= 1;
                            state->sum_weight -= weight;
                        } else {
                            count += phi_count;
                            sum += weight * phi_sum;
                            state->count_weight += 1;
                            state->sum_weight += weight;
                        }
                    }
                } else {
                    if (m_min < p) m_min = p;
                    if (m_max > m_min) {
                        uint32_t j_hi = plan_pi(plan, m_max), j_lo = plan_pi(plan, m_min);
                        for (uint32_t j = j_hi; j > j_lo; j--) {
                            uint64_t q = primes[j];
                            uint64_t n = x_p / q, left, offsets;
                            remaining_upto(&sieve, n, &left, &offsets);
                            count += state->phi_count + left;
                            sum += (u128)(p * q) * (state->phi_sum + offsets + (u128)left * lo);
                        }
                        state->count_weight += j_hi - j_lo;
                        state->sum_weight +=
                            (u128)p * (plan->prime_sums[j_hi] - plan->prime_sums[j_lo]);
                    }
                }
            }
            state->phi_count += sieve.count;
            state->phi_sum += sieve.offsets + (u128)sieve.count * lo;
            if (p >= lo && p < hi) remove_number(&sieve, p);
            uint64_t n = next[b];
            for (; n < end; n += 2 * p)
                if (n < hi) remove_number(&sieve, n);
            next[b] = n;
        }
    }
    partial->count = count;
    partial->sum_low = (uint64_t)sum;
    partial->sum_high = (uint64_t)(sum >> 64);
done:
    free(sieve.bits);
    free(sieve.tree_count);
    free(sieve.tree_offsets);
    free(next);
    return status;
}
