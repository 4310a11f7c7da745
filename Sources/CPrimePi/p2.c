/*
 * P2: the numbers p q <= x with y < p <= q, and their sum: for each prime p
 * in (y, sqrt(x)], pi(x / p) and the sum of the primes <= x / p. As p falls,
 * x / p rises, so one prime sieve walks the values v = x / p upwards while a
 * second one walks the primes p downwards. The parts split the range of v;
 * a part counts from 0, and the combiner adds what lies before it.
 */
#include "plan.h"

/* The p chunks are narrower than the v segments: they grow as x / v^2 does. */
#define P_CHUNK_NUMBERS (1u << 20)

KERNEL int p2_kernel(const struct cprimepi_plan_data *plan, uint64_t from, uint64_t to,
                     cprimepi_partial *partial, const int sums) {
    const uint64_t x = plan->x, y = plan->y, z = plan->z;
    const uint64_t numbers = plan->p2_segment_numbers;
    uint64_t v_from = from * numbers;
    uint64_t v_to = to * numbers < z ? to * numbers : z;
    prime_segment values, ps;
    int status = prime_segment_init(&values, plan->primes, plan->prime_count, numbers, plan->presieve, sums);
    if (status) return status;
    /* Small x get chunks no wider than their primes' range. */
    uint64_t chunk_numbers = plan->sqrt_x + 1 < P_CHUNK_NUMBERS ? plan->sqrt_x + 1 : P_CHUNK_NUMBERS;
    status = prime_segment_init(&ps, plan->primes, plan->prime_count, chunk_numbers + 256, plan->presieve, sums);
    if (status) {
        prime_segment_free(&values);
        return status;
    }
    uint64_t range_count = 0, count = 0, prime_count = 0;
    u128 range_sum = 0, sum = 0, prime_sum = 0, prime_squares = 0;
    uint64_t v_lo = v_from, v_hi = v_lo + numbers < v_to ? v_lo + numbers : v_to;
    prime_segment_sieve(&values, v_lo, v_hi);

    /* p in (p_bottom, p_top] has x / p in [v_from, v_to). */
    uint64_t p_top = plan->sqrt_x;
    if (v_from > 0 && x / v_from < p_top) p_top = x / v_from;
    uint64_t p_bottom = x / v_to > y ? x / v_to : y;
    uint64_t chunk_hi = p_top + 1;
    while (chunk_hi > p_bottom + 1) {
        uint64_t chunk_lo = chunk_hi - 1 > chunk_numbers ? chunk_hi - chunk_numbers : 0;
        chunk_lo &= ~(uint64_t)127;
        prime_segment_sieve(&ps, chunk_lo, chunk_hi);
        for (size_t w = ps.words; w-- > 0;) {
            uint64_t word = ps.bits[w];
            while (word) {
                unsigned bit = 63 - (unsigned)__builtin_clzll(word);
                word &= ~(1ull << bit);
                uint64_t p = chunk_lo + 128 * (uint64_t)w + 2 * bit + 1;
                if (p <= p_bottom) break;
                uint64_t v = x / p;
                while (v >= v_hi) {
                    range_count += values.count;
                    range_sum += values.sum;
                    v_lo = v_hi;
                    v_hi = v_lo + numbers < v_to ? v_lo + numbers : v_to;
                    prime_segment_sieve(&values, v_lo, v_hi);
                }
                uint64_t primes_upto, offsets;
                prime_segment_upto(&values, v, &primes_upto, &offsets, sums);
                count += range_count + primes_upto;
                sum += (u128)p * (range_sum + offsets + (u128)primes_upto * v_lo);
                prime_count++;
                prime_sum += p;
                prime_squares += (u128)p * p;
            }
        }
        chunk_hi = chunk_lo;
    }
    for (;;) {
        range_count += values.count;
        range_sum += values.sum;
        if (v_hi >= v_to) break;
        v_lo = v_hi;
        v_hi = v_lo + numbers < v_to ? v_lo + numbers : v_to;
        prime_segment_sieve(&values, v_lo, v_hi);
    }
    prime_segment_free(&values);
    prime_segment_free(&ps);
    partial->count = count;
    partial->range_count = range_count;
    partial->count_weight = prime_count;
    partial->prime_count = prime_count;
    if (sums) { /* without, the sums are dead code and never computed */
        split(sum, &partial->sum_low, &partial->sum_high);
        split(range_sum, &partial->range_sum_low, &partial->range_sum_high);
        split(prime_sum, &partial->sum_weight_low, &partial->sum_weight_high);
        split(prime_sum, &partial->prime_sum_low, &partial->prime_sum_high);
        split(prime_squares, &partial->prime_squares_low, &partial->prime_squares_high);
    }
    return CPRIMEPI_OK;
}

int p2_part(const struct cprimepi_plan_data *plan, uint64_t from, uint64_t to,
            cprimepi_partial *partial) {
    return plan->sums ? p2_kernel(plan, from, to, partial, 1) : p2_kernel(plan, from, to, partial, 0);
}
