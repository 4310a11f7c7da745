#include <stdlib.h>
#include <string.h>

#include "plan.h"


int prime_segment_init(prime_segment *segment, const uint32_t *primes, uint32_t prime_count,
                       uint64_t numbers, const uint64_t *presieve, int sums) {
    memset(segment, 0, sizeof *segment);
    segment->presieve = presieve;
    segment->sums = sums;
    size_t words = (size_t)(numbers / 128);
    segment->bits = malloc(words * sizeof(uint64_t));
    segment->count_before = malloc(words * sizeof(uint32_t));
    segment->offsets_before = sums ? malloc(words * sizeof(uint64_t)) : NULL;
    segment->next = malloc(((size_t)prime_count + 1) * sizeof(uint64_t));
    segment->primes = primes;
    segment->prime_count = prime_count;
    if (!segment->bits || !segment->count_before || (sums && !segment->offsets_before) || !segment->next) {
        prime_segment_free(segment);
        return CPRIMEPI_ENOMEM;
    }
    return CPRIMEPI_OK;
}

void prime_segment_free(prime_segment *segment) {
    free(segment->bits);
    free(segment->count_before);
    free(segment->offsets_before);
    free(segment->next);
    memset(segment, 0, sizeof *segment);
}

/* The per-word prefix counts (and with sums the prefix offset sums) of the sieved bits. */
KERNEL void count_words(prime_segment *segment, const int sums) {
    uint64_t count = 0, offsets = 0;
    const uint64_t *bits = segment->bits;
    for (size_t w = 0; w < segment->words; w++) {
        segment->count_before[w] = (uint32_t)count;
        uint64_t c = (uint64_t)__builtin_popcountll(bits[w]);
        if (sums) {
            segment->offsets_before[w] = offsets;
            offsets += c * (128 * (uint64_t)w + 1) + 2 * bit_index_sum(bits[w]);
        }
        count += c;
    }
    segment->count = count;
    segment->sum = sums ? (u128)count * segment->lo + offsets : 0;
}

void prime_segment_sieve(prime_segment *segment, uint64_t lo, uint64_t hi) {
    if (lo != segment->hi || segment->words == 0) segment->active = 1;
    size_t words = (size_t)((hi - lo + 127) / 128);
    segment->lo = lo;
    segment->hi = hi;
    segment->words = words;
    uint64_t *bits = segment->bits;
    uint32_t first_crossed = 2;
    if (segment->presieve) {
        presieve_fill(segment->presieve, bits, words, lo);
        if (lo == 0) bits[0] |= 1u << 1 | 1u << 2 | 1u << 3 | 1u << 5 | 1u << 6; /* 3 ... 13 */
        first_crossed = 7;
    } else {
        memset(bits, 0xFF, words * sizeof(uint64_t));
    }
    uint64_t end = lo + 128 * (uint64_t)words; /* the bits cover [lo, end) */
    if (lo == 0) bits[0] &= ~1ull;             /* 1 is not prime */
    const uint32_t *primes = segment->primes;
    /* Primes whose square falls in this segment start at their square. */
    while (segment->active < segment->prime_count &&
           (uint64_t)primes[segment->active + 1] * primes[segment->active + 1] < hi) {
        uint32_t i = ++segment->active;
        if (i == 1) continue;
        uint64_t p = primes[i];
        uint64_t first = p * p;
        if (first < lo) {
            uint64_t q = (lo + p - 1) / p;
            if ((q & 1) == 0) q++;
            first = q * p;
        }
        segment->next[i] = first;
    }
    for (uint32_t i = first_crossed; i <= segment->active; i++) {
        uint64_t p = primes[i];
        uint64_t n = segment->next[i];
        if (n < lo) { /* a prime that became active in an earlier, non-adjacent call */
            uint64_t q = (lo + p - 1) / p;
            if ((q & 1) == 0) q++;
            n = q * p;
        }
        uint64_t step = 2 * p;
        for (; n < end; n += step) {
            uint64_t k = (n - lo) >> 1;
            bits[k >> 6] &= ~(1ull << (k & 63));
        }
        segment->next[i] = n;
    }
    /* Numbers at or past hi are not in the segment. */
    if (end > hi) {
        uint64_t first_out = (hi - lo) >> 1; /* the first bit whose number is >= hi */
        for (uint64_t k = first_out; k < 64 * (uint64_t)words; k++)
            bits[k >> 6] &= ~(1ull << (k & 63));
    }
    if (segment->sums)
        count_words(segment, 1);
    else
        count_words(segment, 0);
    if (lo <= 2 && 2 < hi) {
        segment->count += 1;
        segment->sum += segment->sums ? 2 : 0;
    }
}

uint64_t prime_segment_previous(const prime_segment *segment, uint64_t n) {
    uint64_t odd = (n - segment->lo + 1) >> 1;
    if (odd == 0) return 0;
    int64_t k = (int64_t)odd - 1; /* the bit of the largest odd number <= n */
    int64_t w = k >> 6;
    uint64_t word = segment->bits[w] & (~0ull >> (63 - (k & 63)));
    while (word == 0) {
        if (--w < 0) return 0;
        word = segment->bits[w];
    }
    uint64_t bit = 63 - (uint64_t)__builtin_clzll(word);
    return segment->lo + 128 * (uint64_t)w + 2 * bit + 1;
}
