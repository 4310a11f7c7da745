#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/* Below this x the tables would be degenerate (y < 2); a plain sieve answers. */
#define SMALLEST_PLANNED_X 64

uint64_t plan_isqrt(uint64_t n) {
    uint64_t r = (uint64_t)sqrtl((long double)n);
    while (r > 0 && (r > UINT32_MAX || r * r > n)) r--;
    while (r < UINT32_MAX && (r + 1) * (r + 1) <= n) r++;
    return r;
}

static uint64_t integer_cube_root(uint64_t n) {
    uint64_t r = (uint64_t)cbrtl((long double)n);
    while (r > 0 && (r > 2642245 || r * r * r > n)) r--;
    while (r < 2642245 && (r + 1) * (r + 1) * (r + 1) <= n) r++;
    return r;
}

/* Grows with log x as the special leaves' share does; measured on x86-64 at -O3. */
static double default_alpha(uint64_t x) {
    double l = log((double)x);
    double alpha = l * l * l / 3000.0;
    return alpha < 1 ? 1 : alpha;
}


static uint64_t round_up_128(uint64_t n) { return (n + 127) & ~(uint64_t)127; }

static int make_tables(struct cprimepi_plan_data *plan) {
    uint64_t z = plan->z;
    uint64_t limit = plan->y;
    uint64_t root_z = plan_isqrt(z) + 1, root_root_x = plan_isqrt(plan->sqrt_x) + 1;
    if (root_z > limit) limit = root_z;
    if (root_root_x > limit) limit = root_root_x;

    /* The primes up to limit, by a plain sieve of odd numbers. */
    uint8_t *composite = calloc(limit / 2 + 1, 1);
    if (!composite) return CPRIMEPI_ENOMEM;
    for (uint64_t i = 3; i * i <= limit; i += 2)
        if (!composite[i / 2])
            for (uint64_t j = i * i; j <= limit; j += 2 * i) composite[j / 2] = 1;
    uint64_t count = 1;
    for (uint64_t i = 3; i <= limit; i += 2) count += !composite[i / 2];
    plan->primes = malloc((count + 2) * sizeof(uint32_t));
    plan->prime_sums = malloc((count + 2) * sizeof(uint64_t));
    if (!plan->primes || !plan->prime_sums) {
        free(composite);
        return CPRIMEPI_ENOMEM;
    }
    plan->primes[0] = 0;
    plan->prime_sums[0] = 0;
    uint32_t k = 0;
    plan->primes[++k] = 2;
    for (uint64_t i = 3; i <= limit; i += 2)
        if (!composite[i / 2]) plan->primes[++k] = (uint32_t)i;
    free(composite);
    plan->prime_count = k;
    plan->primes[k + 1] = UINT32_MAX; /* a sentinel above every bound */
    for (uint32_t i = 1; i <= k; i++) plan->prime_sums[i] = plan->prime_sums[i - 1] + plan->primes[i];

    memset(plan->presieve, 0xFF, sizeof plan->presieve);
    static const uint32_t presieved[5] = {3, 5, 7, 11, 13};
    for (int j = 0; j < 5; j++) /* 2i + 1 is a multiple of p where i = (p - 1) / 2 mod p */
        for (uint64_t i = presieved[j] / 2; i < 64 * PRESIEVE_WORDS; i += presieved[j])
            plan->presieve[i >> 6] &= ~(1ull << (i & 63));
    /* One word past the limit, so that plan_pi() never reads past the table. */
    uint64_t small_numbers = round_up_128(limit + 1) + 128;
    /* plan_pi() reads its counts alone. */
    int status = prime_segment_init(&plan->small, plan->primes, k, small_numbers, plan->presieve, 0);
    if (status) return status;
    prime_segment_sieve(&plan->small, 0, small_numbers);
    plan->a = plan_pi(plan, plan->y);

    /* mu(m) and lpf(m) for odd m <= y, as one signed index. */
    uint64_t odd = (plan->y + 1) / 2;
    plan->mu_lpf = calloc(odd, sizeof(int32_t));
    int8_t *mu = malloc(odd);
    if (!plan->mu_lpf || !mu) {
        free(mu);
        return CPRIMEPI_ENOMEM;
    }
    memset(mu, 1, odd);
    for (uint32_t i = 2; i <= plan->a; i++) {
        uint64_t p = plan->primes[i];
        for (uint64_t m = p; m <= plan->y; m += 2 * p) {
            uint64_t at = plan_mu_lpf_index(m);
            if (plan->mu_lpf[at] == 0) plan->mu_lpf[at] = (int32_t)i;
            mu[at] = (int8_t)-mu[at];
        }
        if (p * p <= plan->y)
            for (uint64_t m = p * p; m <= plan->y; m += 2 * p * p) mu[plan_mu_lpf_index(m)] = 0;
    }
    plan->mu_lpf[0] = (int32_t)(plan->prime_count + 1);
    for (uint64_t at = 0; at < odd; at++) plan->mu_lpf[at] *= mu[at];
    free(mu);

    /* c: as many primes as keep the primorial table small beside the other tables. */
    plan->c = plan->a < 6 ? plan->a : 6;
    uint32_t primorial = 1, totient = 1;
    for (uint32_t i = 1; i <= plan->c; i++) primorial *= plan->primes[i];
    while (plan->c > 1 && primorial > 4 * plan->y) primorial /= plan->primes[plan->c--];
    for (uint32_t i = 1; i <= plan->c; i++) totient *= plan->primes[i] - 1;
    plan->primorial = primorial;
    plan->totient = totient;
    plan->count_table = malloc(primorial * sizeof(uint16_t));
    plan->sum_table = malloc(primorial * sizeof(uint32_t));
    uint8_t *shares_factor = calloc(primorial, 1);
    if (!plan->count_table || !plan->sum_table || !shares_factor) {
        free(shares_factor);
        return CPRIMEPI_ENOMEM;
    }
    shares_factor[0] = 1;
    for (uint32_t i = 1; i <= plan->c; i++)
        for (uint32_t r = plan->primes[i]; r < primorial; r += plan->primes[i]) shares_factor[r] = 1;
    uint32_t coprime_count = 0, coprime_sum = 0;
    for (uint32_t r = 0; r < primorial; r++) {
        if (!shares_factor[r]) {
            coprime_count++;
            coprime_sum += r;
        }
        plan->count_table[r] = (uint16_t)coprime_count;
        plan->sum_table[r] = coprime_sum;
    }
    free(shares_factor);

    plan->hard_b_max = plan->c;
    uint64_t largest_n = z - 1;
    while (plan->hard_b_max + 1 < plan->a &&
           (uint64_t)plan->primes[plan->hard_b_max + 1] * plan->primes[plan->hard_b_max + 1] <=
               largest_n)
        plan->hard_b_max++;
    return CPRIMEPI_OK;
}

int cprimepi_plan_init(cprimepi_plan *plan, uint64_t x, double alpha) {
    return cprimepi_plan_init_mode(plan, x, alpha, CPRIMEPI_COUNT_AND_SUM);
}

int cprimepi_plan_init_mode(cprimepi_plan *plan, uint64_t x, double alpha, cprimepi_mode mode) {
    if (!plan) return CPRIMEPI_EINVAL;
    plan->data = NULL;
    if (mode != CPRIMEPI_COUNT_AND_SUM && mode != CPRIMEPI_COUNT_ONLY) return CPRIMEPI_EINVAL;
    struct cprimepi_plan_data *data = calloc(1, sizeof *data);
    if (!data) return CPRIMEPI_ENOMEM;
    data->x = x;
    data->sums = mode == CPRIMEPI_COUNT_AND_SUM;
    if (x < SMALLEST_PLANNED_X) {
        plan->data = data;
        return CPRIMEPI_OK;
    }
    if (!(alpha > 0)) alpha = default_alpha(x);
    data->sqrt_x = plan_isqrt(x);
    uint64_t cube_root = integer_cube_root(x);
    double wanted = alpha * (double)cube_root;
    uint64_t y = wanted > (double)data->sqrt_x ? data->sqrt_x : (uint64_t)wanted;
    if (y < cube_root) y = cube_root;
    if (y < 2) y = 2;
    data->y = y;
    data->alpha = (double)y / (double)cube_root;
    data->z = x / y + 1;
    /* Small x get segments no wider than their ranges, so that planning stays cheap. */
    uint64_t widest = 1u << 22;
    /* The hard leaves' packed counters hold offsets of segments up to 2^21 numbers. */
    uint64_t widest_hard = 1u << 21;
    data->hard_segment_numbers = data->z < widest_hard ? round_up_128(data->z) : widest_hard;
    /* The easy leaves crowd into the low segments (at 10^16, 7.5 of their 8.6 s fell in the
     * first 2^22 numbers): narrow segments let parts over them balance on many workers, for
     * about the same total. */
    uint64_t widest_easy = 1u << 15;
    data->easy_segment_numbers =
        data->sqrt_x + 1 < widest_easy ? round_up_128(data->sqrt_x + 1) : widest_easy;
    data->p2_segment_numbers = data->z < widest ? round_up_128(data->z) : widest;
    int status = make_tables(data);
    if (status) {
        plan->data = data;
        cprimepi_plan_free(plan);
        return status;
    }
    plan->data = data;
    return CPRIMEPI_OK;
}

void cprimepi_plan_free(cprimepi_plan *plan) {
    struct cprimepi_plan_data *data = plan->data;
    if (!data) return;
    free(data->primes);
    free(data->prime_sums);
    free(data->mu_lpf);
    free(data->count_table);
    free(data->sum_table);
    prime_segment_free(&data->small);
    free(data);
    plan->data = NULL;
}

uint64_t cprimepi_plan_x(const cprimepi_plan *plan) { return plan->data ? plan->data->x : 0; }
uint64_t cprimepi_plan_y(const cprimepi_plan *plan) { return plan->data ? plan->data->y : 0; }
double cprimepi_plan_alpha(const cprimepi_plan *plan) { return plan->data ? plan->data->alpha : 0; }
cprimepi_mode cprimepi_plan_mode(const cprimepi_plan *plan) {
    return plan->data && !plan->data->sums ? CPRIMEPI_COUNT_ONLY : CPRIMEPI_COUNT_AND_SUM;
}

static uint64_t segments_of(uint64_t width, uint64_t numbers) { return (width + numbers - 1) / numbers; }

uint64_t cprimepi_segments(const cprimepi_plan *plan, cprimepi_term term) {
    const struct cprimepi_plan_data *data = plan->data;
    if (!data) return 0;
    int planned = data->x >= SMALLEST_PLANNED_X;
    switch (term) {
    case CPRIMEPI_ORDINARY_LEAVES: return 1;
    case CPRIMEPI_HARD_LEAVES: return planned ? segments_of(data->z, data->hard_segment_numbers) : 0;
    case CPRIMEPI_EASY_LEAVES:
        return planned ? segments_of(data->sqrt_x + 1, data->easy_segment_numbers) : 0;
    case CPRIMEPI_P2: return planned ? segments_of(data->z, data->p2_segment_numbers) : 0;
    }
    return 0;
}
