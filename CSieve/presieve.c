#include "presieve.h"

#include <stdlib.h>
#include <string.h>

#include "wheel.h"

/*
 * Groups whose products stay small (the largest, 43 * 47 * 53, is 105 KiB), so
 * that all patterns together fit in a core's L2 cache next to the segment.
 */
static const uint16_t group_primes[PRESIEVE_GROUPS][4] = {
    {7, 11, 13, 17}, {19, 23, 29}, {31, 37, 41}, {43, 47, 53}, {59, 61},
    {67, 71},        {73, 79},     {83, 89},     {97, 101},    {103, 107},
    {109, 113},      {127, 131},   {137, 139},   {149, 151},   {157, 163},
};

/*
 * Clears the bits of every multiple of prime in bytes [0, length) of pattern,
 * stepping over the multipliers coprime to 30 with the wheel's byte gaps (no
 * division per multiple: building the patterns is most of a sieve's making,
 * and so of a short run's start-up).
 */
static void cross_off_multiples(uint8_t *pattern, size_t length, uint32_t prime) {
    const size_t q = prime / 30;
    const unsigned class = wheel_position_of[prime % 30];
    size_t at = q; /* the multiple prime * 1 */
    for (unsigned position = 0; at < length; position = (position + 1) & 7) {
        pattern[at] &= (uint8_t) ~(1u << wheel_bit_of[class][position]);
        at += q * wheel_gap[position] + wheel_adjust[class][position];
    }
}

/*
 * Four patterns per pass over an L1-resident window; a group of fewer than
 * four repeats a pointer, which AND does not mind. Compiled once per
 * instruction set so that the loop runs 32 or 64 bytes at a time where the CPU
 * can; presieve_init picks one with __builtin_cpu_supports and keeps it in the
 * caller-owned presieve. (Not target_clones: its IFUNC resolvers run while
 * the dynamic loader relocates, before a sanitizer's runtime is ready, and
 * crash every ThreadSanitizer build at load.)
 */
#define AND_PATTERNS_BODY                                                                  \
    {                                                                                      \
        if (first) {                                                                       \
            for (size_t j = 0; j < length; j++) destination[j] = a[j] & b[j] & c[j] & d[j]; \
        } else {                                                                           \
            for (size_t j = 0; j < length; j++) destination[j] &= a[j] & b[j] & c[j] & d[j]; \
        }                                                                                  \
    }
#define AND_PATTERNS_PARAMETERS                                                            \
    uint8_t *restrict destination, const uint8_t *restrict a, const uint8_t *restrict b,   \
        const uint8_t *restrict c, const uint8_t *restrict d, size_t length, int first

static void and_patterns_default(AND_PATTERNS_PARAMETERS) AND_PATTERNS_BODY

#if defined(__x86_64__)
__attribute__((target("avx2"))) static void and_patterns_avx2(AND_PATTERNS_PARAMETERS)
    AND_PATTERNS_BODY
__attribute__((target("arch=x86-64-v4"))) static void and_patterns_avx512(AND_PATTERNS_PARAMETERS)
    AND_PATTERNS_BODY
#endif

static presieve_and_function *best_and_patterns(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return and_patterns_avx512;
    if (__builtin_cpu_supports("avx2")) return and_patterns_avx2;
#endif
    return and_patterns_default;
}

int presieve_init(presieve *presieve, size_t window) {
    memset(presieve, 0, sizeof *presieve);
    presieve->window = window;
    presieve->and_patterns = best_and_patterns();
    for (int g = 0; g < PRESIEVE_GROUPS; g++) {
        uint32_t period = 1;
        for (int k = 0; k < 4 && group_primes[g][k]; k++) period *= group_primes[g][k];
        /* One period: presieve_fill wraps around it. */
        uint8_t *pattern = malloc(period);
        if (!pattern) {
            presieve_free(presieve);
            return -1;
        }
        memset(pattern, 0xff, period);
        for (int k = 0; k < 4 && group_primes[g][k]; k++)
            cross_off_multiples(pattern, period, group_primes[g][k]);
        presieve->pattern[g] = pattern;
        presieve->period[g] = period;
    }
    return 0;
}

void presieve_free(presieve *presieve) {
    for (int g = 0; g < PRESIEVE_GROUPS; g++) free(presieve->pattern[g]);
    memset(presieve, 0, sizeof *presieve);
}

/*
 * ANDs four patterns (of up to four groups; a missing one repeats the first)
 * into destination[0, length), each from its phase: in pieces that end where
 * one of them wraps to its start, so that a pattern holds one period only
 * (its copies for a whole window cost a short run a megabyte of writing).
 */
static void fill_from_groups(const presieve *presieve, uint8_t *destination, uint64_t first_byte, size_t length,
                             int g) {
    int groups[4];
    size_t phase[4];
    for (int k = 0; k < 4; k++) {
        groups[k] = g + k < PRESIEVE_GROUPS ? g + k : g;
        phase[k] = (size_t)(first_byte % presieve->period[groups[k]]);
    }
    for (size_t done = 0; done < length;) {
        size_t piece = length - done;
        for (int k = 0; k < 4; k++) {
            size_t left = presieve->period[groups[k]] - phase[k];
            if (left < piece) piece = left;
        }
        presieve->and_patterns(destination + done, presieve->pattern[groups[0]] + phase[0],
                               presieve->pattern[groups[1]] + phase[1], presieve->pattern[groups[2]] + phase[2],
                               presieve->pattern[groups[3]] + phase[3], piece, g == 0);
        for (int k = 0; k < 4; k++) {
            phase[k] += piece;
            if (phase[k] == presieve->period[groups[k]]) phase[k] = 0;
        }
        done += piece;
    }
}

void presieve_fill(const presieve *presieve, uint8_t *destination, uint64_t first_byte,
                   size_t length) {
    for (int g = 0; g < PRESIEVE_GROUPS; g += 4) fill_from_groups(presieve, destination, first_byte, length, g);
}

void presieve_restore_primes(uint8_t *destination, uint64_t first_byte, size_t length) {
    if (first_byte * 30 > PRESIEVE_LARGEST_PRIME) return;
    for (int g = 0; g < PRESIEVE_GROUPS; g++) {
        for (int k = 0; k < 4 && group_primes[g][k]; k++) {
            uint32_t prime = group_primes[g][k];
            uint64_t byte = prime / 30;
            if (byte >= first_byte && byte < first_byte + length)
                destination[byte - first_byte] |= (uint8_t)(1u << wheel_position_of[prime % 30]);
        }
    }
}
