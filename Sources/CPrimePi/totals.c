#include <stdlib.h>
#include <string.h>

#include "plan.h"

int cprimepi_partial_init(cprimepi_partial *partial, const cprimepi_plan *plan) {
    memset(partial, 0, sizeof *partial);
    if (!plan->data) return CPRIMEPI_EINVAL;
    partial->per_b = calloc((size_t)plan->data->hard_b_max + 1, sizeof(hard_per_b));
    return partial->per_b ? CPRIMEPI_OK : CPRIMEPI_ENOMEM;
}

void cprimepi_partial_free(cprimepi_partial *partial) {
    free(partial->per_b);
    partial->per_b = NULL;
}

int cprimepi_part(const cprimepi_plan *plan, cprimepi_term term, uint64_t segment_from,
                  uint64_t segment_to, cprimepi_partial *partial) {
    const struct cprimepi_plan_data *data = plan->data;
    if (!data || !partial->per_b || segment_from >= segment_to ||
        segment_to > cprimepi_segments(plan, term))
        return CPRIMEPI_EINVAL;
    void *per_b = partial->per_b;
    memset(partial, 0, sizeof *partial);
    partial->per_b = per_b;
    partial->term = term;
    partial->segment_from = segment_from;
    partial->segment_to = segment_to;
    switch (term) {
    case CPRIMEPI_ORDINARY_LEAVES: return ordinary_leaves_part(data, partial);
    case CPRIMEPI_HARD_LEAVES: return hard_leaves_part(data, segment_from, segment_to, partial);
    case CPRIMEPI_EASY_LEAVES: return easy_leaves_part(data, segment_from, segment_to, partial);
    case CPRIMEPI_P2: return p2_part(data, segment_from, segment_to, partial);
    }
    return CPRIMEPI_EINVAL;
}

struct cprimepi_combiner_data {
    const struct cprimepi_plan_data *plan;
    uint64_t next_segment[CPRIMEPI_TERMS];
    uint64_t count; /* S1 + S2 - (the sum over p of pi(x / p)), wrapping */
    u128 sum;
    /* What the combined parts of a term held: primes, or per b the numbers left. */
    uint64_t easy_count, p2_count, p2_primes;
    u128 easy_sum, p2_sum, p2_prime_sum, p2_prime_squares;
    hard_per_b *hard;
};

int cprimepi_combiner_init(cprimepi_combiner *combiner, const cprimepi_plan *plan) {
    combiner->data = NULL;
    if (!plan->data) return CPRIMEPI_EINVAL;
    struct cprimepi_combiner_data *data = calloc(1, sizeof *data);
    if (!data) return CPRIMEPI_ENOMEM;
    data->plan = plan->data;
    data->hard = calloc((size_t)plan->data->hard_b_max + 1, sizeof(hard_per_b));
    if (!data->hard) {
        free(data);
        return CPRIMEPI_ENOMEM;
    }
    combiner->data = data;
    return CPRIMEPI_OK;
}

void cprimepi_combiner_free(cprimepi_combiner *combiner) {
    if (!combiner->data) return;
    free(combiner->data->hard);
    free(combiner->data);
    combiner->data = NULL;
}

int cprimepi_combine(cprimepi_combiner *combiner, const cprimepi_partial *partial) {
    struct cprimepi_combiner_data *data = combiner->data;
    if (!data || partial->term < 0 || partial->term >= CPRIMEPI_TERMS ||
        partial->segment_from != data->next_segment[partial->term] ||
        partial->segment_to <= partial->segment_from)
        return CPRIMEPI_EINVAL;
    u128 sum = join(partial->sum_low, partial->sum_high);
    u128 sum_weight = join(partial->sum_weight_low, partial->sum_weight_high);
    u128 range_sum = join(partial->range_sum_low, partial->range_sum_high);
    switch ((cprimepi_term)partial->term) {
    case CPRIMEPI_ORDINARY_LEAVES:
        data->count += partial->count;
        data->sum += sum;
        break;
    case CPRIMEPI_HARD_LEAVES: {
        const hard_per_b *per_b = partial->per_b;
        data->count += partial->count;
        data->sum += sum;
        for (uint32_t b = data->plan->c + 1; b <= data->plan->hard_b_max; b++) {
            hard_per_b *before = &data->hard[b];
            data->count += per_b[b].count_weight * before->phi_count;
            data->sum += per_b[b].sum_weight * before->phi_sum;
            before->phi_count += per_b[b].phi_count;
            before->phi_sum += per_b[b].phi_sum;
        }
        break;
    }
    case CPRIMEPI_EASY_LEAVES:
        data->count += partial->count + partial->count_weight * data->easy_count;
        data->sum += sum + sum_weight * data->easy_sum;
        data->easy_count += partial->range_count;
        data->easy_sum += range_sum;
        break;
    case CPRIMEPI_P2:
        data->count -= partial->count + partial->count_weight * data->p2_count;
        data->sum -= sum + sum_weight * data->p2_sum;
        data->p2_count += partial->range_count;
        data->p2_sum += range_sum;
        data->p2_primes += partial->prime_count;
        data->p2_prime_sum += join(partial->prime_sum_low, partial->prime_sum_high);
        data->p2_prime_squares += join(partial->prime_squares_low, partial->prime_squares_high);
        break;
    }
    data->next_segment[partial->term] = partial->segment_to;
    return CPRIMEPI_OK;
}

int cprimepi_combiner_result(const cprimepi_combiner *combiner, cprimepi_result *result) {
    const struct cprimepi_combiner_data *data = combiner->data;
    if (!data) return CPRIMEPI_EINVAL;
    const struct cprimepi_plan_data *plan = data->plan;
    cprimepi_plan view = {(struct cprimepi_plan_data *)plan};
    for (int term = 0; term < CPRIMEPI_TERMS; term++)
        if (data->next_segment[term] != cprimepi_segments(&view, (cprimepi_term)term))
            return CPRIMEPI_EINVAL;
    if (plan->y == 0) {
        result_set(result, data->count, data->sum);
        return CPRIMEPI_OK;
    }
    /* pi(x) = S1 + S2 + a - 1 - P2, where P2 = sum over p_i in (y, sqrt x] of
     * pi(x / p_i) - (i - 1), and the sum of those i - 1 and of p_i times the
     * sum of the primes below p_i are closed forms in the primes' count, sum
     * and sum of squares (each halving taken of an exact 128-bit value). */
    uint64_t a = plan->a, b = a + data->p2_primes;
    u128 sum_a = plan->prime_sums[a], squares_a = 0;
    for (uint32_t i = 1; i <= a; i++) squares_a += (u128)plan->primes[i] * plan->primes[i];
    u128 sum_b = sum_a + data->p2_prime_sum, squares_b = squares_a + data->p2_prime_squares;
    uint64_t index_sum = (uint64_t)(((u128)b * (b - 1) - (u128)a * (a - 1)) / 2);
    u128 pair_sum = (sum_b * sum_b - squares_b) / 2 - (sum_a * sum_a - squares_a) / 2;
    uint64_t count = data->count + index_sum + a - 1;
    u128 sum = data->sum + pair_sum + sum_a - 1;
    result_set(result, count, plan->sums ? sum : 0);
    return CPRIMEPI_OK;
}

/* A slot: the partial (its per_b pointer cleared), padded to 16 bytes, then its per-b values. */
static size_t slot_header_bytes(void) { return (sizeof(cprimepi_partial) + 15) & ~(size_t)15; }

static size_t per_b_bytes(const struct cprimepi_plan_data *plan) {
    return ((size_t)plan->hard_b_max + 1) * sizeof(hard_per_b);
}

size_t cprimepi_slot_bytes(const cprimepi_plan *plan) {
    return plan->data ? slot_header_bytes() + per_b_bytes(plan->data) : 0;
}

int cprimepi_part_into(const cprimepi_plan *plan, cprimepi_term term, uint64_t segment_from,
                       uint64_t segment_to, void *slot) {
    cprimepi_partial partial;
    int status = cprimepi_partial_init(&partial, plan);
    if (!status) status = cprimepi_part(plan, term, segment_from, segment_to, &partial);
    if (!status) {
        unsigned char *bytes = slot;
        memcpy(bytes + slot_header_bytes(), partial.per_b, per_b_bytes(plan->data));
        void *per_b = partial.per_b;
        partial.per_b = NULL;
        memcpy(bytes, &partial, sizeof partial);
        partial.per_b = per_b;
    }
    cprimepi_partial_free(&partial);
    return status;
}

int cprimepi_combine_slot(cprimepi_combiner *combiner, const void *slot) {
    if (!combiner->data) return CPRIMEPI_EINVAL;
    const unsigned char *bytes = slot;
    cprimepi_partial partial;
    memcpy(&partial, bytes, sizeof partial);
    /* A copy, aligned for its 128-bit fields wherever the slot lies. */
    size_t size = per_b_bytes(combiner->data->plan);
    partial.per_b = malloc(size);
    if (!partial.per_b) return CPRIMEPI_ENOMEM;
    memcpy(partial.per_b, bytes + slot_header_bytes(), size);
    int status = cprimepi_combine(combiner, &partial);
    free(partial.per_b);
    return status;
}

size_t cprimepi_plan_parts(const cprimepi_plan *plan, unsigned per_term, cprimepi_part_range *ranges,
                           size_t capacity) {
    if (per_term == 0) per_term = 1;
    /* The costliest parts first (the easy and hard leaves' early segments), so that the last
     * ones handed out are small. */
    static const cprimepi_term order[CPRIMEPI_TERMS] = {
        CPRIMEPI_EASY_LEAVES, CPRIMEPI_HARD_LEAVES, CPRIMEPI_P2, CPRIMEPI_ORDINARY_LEAVES};
    size_t count = 0;
    for (int i = 0; i < CPRIMEPI_TERMS; i++) {
        uint64_t segments = cprimepi_segments(plan, order[i]);
        /* The leaves crowd into the first segments: parts start one segment wide and double
         * up to an even share, so no early part outweighs the rest. */
        uint64_t share = segments / per_term > 0 ? segments / per_term : 1;
        for (uint64_t from = 0, width = 1; from < segments; count++) {
            uint64_t to = segments - from > width ? from + width : segments;
            if (count < capacity && ranges != NULL) {
                ranges[count].term = order[i];
                ranges[count].segment_from = from;
                ranges[count].segment_to = to;
            }
            from = to;
            width = width * 2 < share ? width * 2 : share;
        }
    }
    return count;
}

int cprimepi_parts_work(void *parts, uint64_t item, void *slot) {
    const cprimepi_parts *run = parts;
    if (!run || !slot || item >= run->count) return CPRIMEPI_EINVAL;
    const cprimepi_part_range *range = &run->ranges[item];
    return cprimepi_part_into(run->plan, (cprimepi_term)range->term, range->segment_from,
                              range->segment_to, slot);
}

/* Every term on the calling thread, in one part each. */
static int run_plan(uint64_t x, double alpha, cprimepi_mode mode, cprimepi_result *result) {
    cprimepi_plan plan;
    int status = cprimepi_plan_init_mode(&plan, x, alpha, mode);
    if (status) return status;
    cprimepi_partial partial;
    cprimepi_combiner combiner = {0};
    status = cprimepi_partial_init(&partial, &plan);
    if (!status) status = cprimepi_combiner_init(&combiner, &plan);
    for (int term = 0; term < CPRIMEPI_TERMS && !status; term++) {
        uint64_t segments = cprimepi_segments(&plan, (cprimepi_term)term);
        if (segments == 0) continue;
        status = cprimepi_part(&plan, (cprimepi_term)term, 0, segments, &partial);
        if (!status) status = cprimepi_combine(&combiner, &partial);
    }
    if (!status) status = cprimepi_combiner_result(&combiner, result);
    cprimepi_combiner_free(&combiner);
    cprimepi_partial_free(&partial);
    cprimepi_plan_free(&plan);
    return status;
}

int cprimepi_totals_alpha(uint64_t x, double alpha, cprimepi_result *result) {
    return run_plan(x, alpha, CPRIMEPI_COUNT_AND_SUM, result);
}

int cprimepi_totals(uint64_t x, cprimepi_result *result) { return cprimepi_totals_alpha(x, 0, result); }

int cprimepi_count_alpha(uint64_t x, double alpha, uint64_t *count) {
    cprimepi_result result;
    int status = run_plan(x, alpha, CPRIMEPI_COUNT_ONLY, &result);
    if (!status) *count = result.count;
    return status;
}

int cprimepi_count(uint64_t x, uint64_t *count) { return cprimepi_count_alpha(x, 0, count); }

const char *cprimepi_strerror(int status) {
    switch (status) {
    case CPRIMEPI_OK: return "success";
    case CPRIMEPI_EINVAL: return "invalid argument";
    case CPRIMEPI_ENOMEM: return "out of memory";
    }
    return "unknown status";
}

const char *cprimepi_version(void) { return CPRIMEPI_VERSION; }
