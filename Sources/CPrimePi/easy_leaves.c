/*
 * The easy special leaves: those with p_b <= x / (p_b m) < p_b^2, where
 * Phi(n, b - 1) = 1 + pi(n) - (b - 1) and its sum is 1 + (sum of primes <= n)
 * - (p_1 + ... + p_(b-1)). All their n lie below sqrt(x), so a table of pi and
 * prime sums over one segment of [0, sqrt(x)] at a time answers them. Where m
 * is a prime q, consecutive q often share pi(x / (p q)): each run of them
 * (a cluster) costs one look-up, their sum coming from the prime sums.
 */
#include "plan.h"

KERNEL int easy_leaves_kernel(const struct cprimepi_plan_data *plan, uint64_t from, uint64_t to,
                              cprimepi_partial *partial, const int sums) {
    const uint64_t x = plan->x, y = plan->y;
    const uint32_t *primes = plan->primes;
    const uint64_t *prime_sums = plan->prime_sums;
    const uint64_t numbers = plan->easy_segment_numbers, end = plan->sqrt_x + 1;
    prime_segment table;
    int status = prime_segment_init(&table, primes, plan->prime_count, numbers, plan->presieve, sums);
    if (status) return status;
    uint64_t count = 0, count_weight = 0, range_count = 0;
    u128 sum = 0, sum_weight = 0, range_sum = 0;
    for (uint64_t segment = from; segment < to; segment++) {
        uint64_t lo = segment * numbers;
        uint64_t hi = lo + numbers < end ? lo + numbers : end;
        prime_segment_sieve(&table, lo, hi);

        uint64_t bound = plan_isqrt(lo);
        uint32_t b_lo = plan_pi(plan, bound) + 1;
        bound = x / y / hi;
        uint32_t b_from_y = plan_pi(plan, bound < y ? bound : y) + 1;
        if (b_lo < b_from_y) b_lo = b_from_y;
        if (b_lo < plan->c + 1) b_lo = plan->c + 1;
        uint32_t b_hi = plan->a - 1;
        bound = hi - 1 < y ? hi - 1 : y;
        if (plan_pi(plan, bound) < b_hi) b_hi = plan_pi(plan, bound);
        if (lo > 0) {
            bound = plan_isqrt(x / lo);
            if (bound > y) bound = y;
            if (plan_pi(plan, bound) < b_hi) b_hi = plan_pi(plan, bound);
        }

        for (uint32_t b = b_lo; b <= b_hi; b++) {
            uint64_t p = primes[b];
            uint64_t n_lo = lo > p ? lo : p, n_hi = hi < p * p ? hi : p * p;
            if (n_lo >= n_hi) continue;
            uint64_t x_p = x / p;
            uint64_t m_max = x_p / n_lo, m_min = x_p / n_hi;
            if (m_max > y) m_max = y;
            if (m_min < y / p) m_min = y / p;
            /* Phi(n, b - 1) = offset + pi(n), sum_offset + sum of primes <= n. */
            uint64_t offset = 1 - (uint64_t)(b - 1);
            u128 sum_offset = (u128)1 - prime_sums[b - 1];
            if (p * p <= y) {
                for (uint64_t m = m_max | 1; m > m_min; m -= 2) {
                    if (m > m_max) continue;
                    int32_t v = plan->mu_lpf[plan_mu_lpf_index(m)];
                    if (v == 0 || (uint32_t)(v < 0 ? -v : v) <= b) continue;
                    uint64_t n = x_p / m, pi_n;
                    u128 sum_n, weight = (u128)p * m;
                    int absolute = n <= y;
                    if (absolute) { /* the plan's own tables answer without the part's base */
                        pi_n = plan_pi(plan, n);
                        sum_n = prime_sums[pi_n];
                    } else {
                        uint64_t primes_upto, offsets;
                        prime_segment_upto(&table, n, &primes_upto, &offsets, sums);
                        pi_n = range_count + primes_upto;
                        sum_n = range_sum + offsets + (u128)primes_upto * lo;
                    }
                    if (v > 0) {
                        count -= offset + pi_n;
                        sum -= weight * (sum_offset + sum_n);
                        count_weight -= !absolute;
                        sum_weight -= absolute ? 0 : weight;
                    } else {
                        count += offset + pi_n;
                        sum += weight * (sum_offset + sum_n);
                        count_weight += !absolute;
                        sum_weight += absolute ? 0 : weight;
                    }
                }
                continue;
            }
            if (m_min < p) m_min = p;
            if (m_max <= m_min) continue;
            uint32_t j_hi = plan_pi(plan, m_max);
            for (uint32_t j = plan_pi(plan, m_min) + 1; j <= j_hi;) {
                uint64_t q = primes[j], n = x_p / q;
                if (n <= y && q <= n) {
                    /* n >= q: the next q lowers n by at least 1, clusters are rare. */
                    uint32_t pi_n = plan_pi(plan, n);
                    count += offset + pi_n;
                    sum += (u128)(p * q) * (sum_offset + prime_sums[pi_n]);
                    j++;
                    continue;
                }
                if (n <= y) {
                    /* pi(n) and the prime below n from the plan's tables, and no base. */
                    uint32_t pi_n = plan_pi(plan, n);
                    uint64_t below = primes[pi_n] < n_lo ? n_lo : primes[pi_n];
                    uint64_t q_max = x_p / below;
                    uint32_t j_end = q_max >= primes[j_hi] ? j_hi : plan_pi(plan, q_max);
                    count += (uint64_t)(j_end - j + 1) * (offset + pi_n);
                    sum += (u128)p * (prime_sums[j_end] - prime_sums[j - 1]) *
                           (sum_offset + prime_sums[pi_n]);
                    j = j_end + 1;
                    continue;
                }
                uint64_t primes_upto, offsets;
                prime_segment_upto(&table, n, &primes_upto, &offsets, sums);
                uint64_t below = prime_segment_previous(&table, n);
                if (below < n_lo) below = n_lo;
                uint64_t q_max = x_p / below;
                uint32_t j_end = q_max >= primes[j_hi] ? j_hi : plan_pi(plan, q_max);
                uint64_t leaves = j_end - j + 1;
                u128 weight = (u128)p * (prime_sums[j_end] - prime_sums[j - 1]);
                count += leaves * (offset + range_count + primes_upto);
                sum += weight * (sum_offset + range_sum + offsets + (u128)primes_upto * lo);
                count_weight += leaves;
                sum_weight += weight;
                j = j_end + 1;
            }
        }
        range_count += table.count;
        range_sum += table.sum;
    }
    prime_segment_free(&table);
    partial->count = count;
    partial->count_weight = count_weight;
    partial->range_count = range_count;
    if (sums) { /* without, the sums are dead code and never computed */
        split(sum, &partial->sum_low, &partial->sum_high);
        split(sum_weight, &partial->sum_weight_low, &partial->sum_weight_high);
        split(range_sum, &partial->range_sum_low, &partial->range_sum_high);
    }
    return CPRIMEPI_OK;
}

int easy_leaves_part(const struct cprimepi_plan_data *plan, uint64_t from, uint64_t to,
                     cprimepi_partial *partial) {
    return plan->sums ? easy_leaves_kernel(plan, from, to, partial, 1)
                      : easy_leaves_kernel(plan, from, to, partial, 0);
}
