/*
 * presieve.h -- pre-sieving by copying patterns (internal to CSieve).
 *
 * In the mod-30 byte layout the multiples of a set of primes repeat every
 * product-of-those-primes bytes. Crossing off 7..163 by hand would be a third
 * of all the sieve's work; instead the sieve ANDs together a few precomputed
 * patterns, each for a group of primes, at the right phase.
 */
#ifndef CSIEVE_PRESIEVE_H
#define CSIEVE_PRESIEVE_H

#include <stddef.h>
#include <stdint.h>

/* The largest prime the patterns take care of; sieving primes start above it. */
#define PRESIEVE_LARGEST_PRIME 163
#define PRESIEVE_GROUPS 16

/*
 * A fill writes whole blocks of PRESIEVE_OVERHANG bytes, so that no piece of it ends in a
 * byte-at-a-time tail: up to PRESIEVE_OVERHANG - 1 bytes past its end, with the values the
 * wheel holds there. Each pattern carries its first PRESIEVE_OVERHANG bytes again after its
 * period, so that reading past a period's end reads on into the next.
 */
#define PRESIEVE_OVERHANG 64

/* destination[j] = a[j] & b[j] & c[j] & d[j] (or &= when not first), for j < length, a
   multiple of PRESIEVE_OVERHANG. */
typedef void presieve_and_function(uint8_t *restrict destination, const uint8_t *restrict a,
                                   const uint8_t *restrict b, const uint8_t *restrict c,
                                   const uint8_t *restrict d, size_t length, int first);

typedef struct presieve {
    /* Each pattern holds one period and PRESIEVE_OVERHANG bytes more; a fill wraps around it. */
    uint8_t *pattern[PRESIEVE_GROUPS];
    uint32_t period[PRESIEVE_GROUPS];
    size_t window;
    /* The widest variant this CPU runs, chosen once by presieve_init. */
    presieve_and_function *and_patterns;
} presieve;

/* Builds the patterns for windows of up to window bytes. Returns 0, or -1 without memory. */
int presieve_init(presieve *presieve, size_t window);
void presieve_free(presieve *presieve);

/*
 * Writes bytes [first_byte, first_byte + length) of the pre-sieved wheel into
 * destination (length <= window): every bit set except multiples of 7..163
 * (the primes 7..163 themselves included; the caller puts them back). It may
 * write up to PRESIEVE_OVERHANG - 1 bytes more, which destination must have
 * room for; they hold the wheel's next bytes.
 */
void presieve_fill(const presieve *presieve, uint8_t *destination, uint64_t first_byte,
                   size_t length);

/* Sets the bits of the primes 7..163 that lie in [first_byte, first_byte + length). */
void presieve_restore_primes(uint8_t *destination, uint64_t first_byte, size_t length);

#endif /* CSIEVE_PRESIEVE_H */
