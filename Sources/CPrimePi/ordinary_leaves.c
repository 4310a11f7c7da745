/*
 * S1, the ordinary leaves mu(m) m Phi(x / m, c) for squarefree m <= y with
 * lpf(m) > p_c, from the primorial table; and the trivial special leaves, the
 * prime pairs p_b < q with x / (p_b q) < p_b, whose Phi is 1 (the number 1
 * alone), so that each b's run of them costs O(1) from the prime sums.
 */
#include "plan.h"

static totals phi_table(const struct cprimepi_plan_data *plan, uint64_t n) {
    uint64_t q = n / plan->primorial, r = n % plan->primorial;
    /* P * phi(P) * q^2 / 2, with the halving on P, which is even. */
    u128 periods = (u128)(plan->primorial / 2) * plan->totient * ((u128)q * q);
    return (totals){q * plan->totient + plan->count_table[r],
                    periods + (u128)q * plan->primorial * plan->count_table[r] + plan->sum_table[r]};
}

/* The primes <= x and their sum by a plain sieve, for the x too small to plan. */
static totals small_totals(uint64_t x) {
    totals t = {0, 0};
    for (uint64_t n = 2; n <= x; n++) {
        int prime = 1;
        for (uint64_t d = 2; d * d <= n && prime; d++) prime = n % d != 0;
        if (prime) {
            t.count++;
            t.sum += n;
        }
    }
    return t;
}

int ordinary_leaves_part(const struct cprimepi_plan_data *plan, cprimepi_partial *partial) {
    uint64_t count = 0;
    u128 sum = 0;
    if (plan->y == 0) {
        totals t = small_totals(plan->x);
        count = t.count;
        sum = t.sum;
    } else {
        const uint64_t x = plan->x, y = plan->y;
        for (uint64_t m = 1; m <= y; m += 2) {
            int32_t v = plan->mu_lpf[plan_mu_lpf_index(m)];
            if (v == 0 || (uint32_t)(v < 0 ? -v : v) <= plan->c) continue;
            totals phi = phi_table(plan, x / m);
            if (v > 0) {
                count += phi.count;
                sum += (u128)m * phi.sum;
            } else {
                count -= phi.count;
                sum -= (u128)m * phi.sum;
            }
        }
        const uint32_t a = plan->a;
        for (uint32_t b = plan->c + 1; b + 1 <= a; b++) {
            uint64_t p = plan->primes[b];
            if (p * p <= y) continue;
            uint64_t q_min = p;
            if (y / p > q_min) q_min = y / p;
            if (x / p / p > q_min) q_min = x / p / p;
            if (q_min >= y) continue;
            uint32_t j = plan_pi(plan, q_min);
            count += a - j;
            sum += (u128)p * (plan->prime_sums[a] - plan->prime_sums[j]);
        }
    }
    partial->count = count;
    if (plan->sums) split(sum, &partial->sum_low, &partial->sum_high);
    return CPRIMEPI_OK;
}
