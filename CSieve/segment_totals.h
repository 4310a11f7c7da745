/*
 * segment_totals.h -- reading the primes out of a sieved segment (internal).
 */
#ifndef CSIEVE_SEGMENT_TOTALS_H
#define CSIEVE_SEGMENT_TOTALS_H

#include <stddef.h>
#include <stdint.h>

typedef struct segment_totals {
    uint64_t count;
    uint64_t sum_low, sum_high;
} segment_totals;

/*
 * The segment holds `length` bytes (zero-padded to a multiple of 8 and beyond)
 * whose byte j stands for the numbers (low_byte + j) * 30 + [0, 30).
 *
 * Counting and summing are popcounts, compiled once per instruction set; a
 * segment_reader holds the variants this CPU runs, chosen once by
 * segment_reader_init (no IFUNC, no global state: see presieve.c).
 */
typedef struct segment_reader {
    uint64_t (*count)(const uint8_t *segment, size_t length);
    segment_totals (*count_and_sum)(const uint8_t *segment, size_t length, uint64_t low_byte);
} segment_reader;

void segment_reader_init(segment_reader *reader);

/* Writes the primes of the segment, in order, to primes (they must be < 2^32); returns how many. */
size_t segment_list_primes(const uint8_t *segment, size_t length, uint64_t low_byte,
                           uint32_t *primes);

/* The same for primes of any size, for csieve_sieve_each. */
size_t segment_list_primes64(const uint8_t *segment, size_t length, uint64_t low_byte, uint64_t *primes);

#endif /* CSIEVE_SEGMENT_TOTALS_H */
