#include "presieve.h"

#include <stdlib.h>
#include <string.h>

#include "wheel.h"

/*
 * Sixteen groups, so that a fill is four passes of four patterns, with
 * products between 5,681 and 9,797 bytes: 124 KiB (126,378 bytes) in all, which a short run
 * makes (and faults in) quickly, and which stay in L2 next to the segment.
 * Three triples of the smallest primes, then the rest paired largest with
 * smallest.
 */
static const uint16_t group_primes[PRESIEVE_GROUPS][4] = {
    {7, 29, 31},  {11, 17, 37}, {13, 19, 23}, {41, 163},  {43, 157}, {47, 151},
    {53, 149},    {59, 139},    {61, 137},    {67, 131},  {71, 127}, {73, 113},
    {79, 109},    {83, 107},    {89, 103},    {97, 101},
};

/*
 * ANDs the multiples of `prime` into pattern[0, period) (period a multiple of
 * prime). In the mod-30 layout they repeat every `prime` bytes, 8 to a turn:
 * one turn is crossed off by hand, repeated to at least STRETCH bytes, and then
 * ANDed along the pattern a stretch at a time (vector-wide but for a stretch's
 * last few bytes), so that making the patterns (most of a short run's
 * start-up) costs a few passes over them rather than a step per multiple.
 */
#define STRETCH 1024
static void and_multiples(uint8_t *pattern, size_t period, uint32_t prime) {
    uint8_t turn[STRETCH + PRESIEVE_LARGEST_PRIME * 2];
    const size_t q = prime / 30;
    const unsigned class = wheel_position_of[prime % 30];
    memset(turn, 0xff, prime);
    size_t at = q; /* the multiple prime * 1 */
    for (unsigned position = 0; position < 8; position++) {
        turn[at] &= (uint8_t) ~(1u << wheel_bit_of[class][position]);
        at += q * wheel_gap[position] + wheel_adjust[class][position];
    }
    size_t stretch = prime;
    for (; stretch < STRETCH; stretch += prime) memcpy(turn + stretch, turn, prime);
    for (size_t done = 0; done < period; done += stretch) {
        const size_t length = period - done < stretch ? period - done : stretch;
        for (size_t j = 0; j < length; j++) pattern[done + j] &= turn[j];
    }
}

/* A block of the fill, as one vector: one AVX-512 register, two AVX2 or four SSE2 ones. */
typedef uint8_t block __attribute__((vector_size(PRESIEVE_OVERHANG)));

/*
 * Four patterns per pass over an L1-resident window; a group of fewer than
 * four repeats a pointer, which AND does not mind. Compiled once per
 * instruction set so that the loop runs 32 or 64 bytes at a time where the CPU
 * can; presieve_init picks one with __builtin_cpu_supports and keeps it in the
 * caller-owned presieve. (Not target_clones: its IFUNC resolvers run while
 * the dynamic loader relocates, before a sanitizer's runtime is ready, and
 * crash every ThreadSanitizer build at load.)
 */
#define AND_PATTERNS_BODY                                                                   \
    {                                                                                       \
        block x, y, z, w;                                                                   \
        for (size_t j = 0; j < length; j += sizeof x) {                                     \
            memcpy(&x, a + j, sizeof x);                                                    \
            memcpy(&y, b + j, sizeof y);                                                    \
            memcpy(&z, c + j, sizeof z);                                                    \
            memcpy(&w, d + j, sizeof w);                                                    \
            x &= y & z & w;                                                                 \
            if (!first) {                                                                   \
                memcpy(&y, destination + j, sizeof y);                                      \
                x &= y;                                                                     \
            }                                                                               \
            memcpy(destination + j, &x, sizeof x);                                          \
        }                                                                                   \
    }
#define AND_PATTERNS_PARAMETERS                                                            \
    uint8_t *restrict destination, const uint8_t *restrict a, const uint8_t *restrict b,   \
        const uint8_t *restrict c, const uint8_t *restrict d, size_t length, int first

static void and_patterns_default(AND_PATTERNS_PARAMETERS) AND_PATTERNS_BODY

#if defined(__x86_64__)
__attribute__((target("avx2"))) static void and_patterns_avx2(AND_PATTERNS_PARAMETERS)
    AND_PATTERNS_BODY
/* Clang splits 512-bit vectors into 256-bit halves for this target unless asked not to. */
#if defined(__clang__)
#define WHOLE_512_BIT_VECTORS __attribute__((min_vector_width(512)))
#else
#define WHOLE_512_BIT_VECTORS
#endif
__attribute__((target("arch=x86-64-v4"))) WHOLE_512_BIT_VECTORS static void
and_patterns_avx512(AND_PATTERNS_PARAMETERS) AND_PATTERNS_BODY
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
        /* One period and the start of the next: presieve_fill wraps around it. */
        uint8_t *pattern = malloc(period + PRESIEVE_OVERHANG);
        if (!pattern) {
            presieve_free(presieve);
            return -1;
        }
        memset(pattern, 0xff, period);
        for (int k = 0; k < 4 && group_primes[g][k]; k++)
            and_multiples(pattern, period, group_primes[g][k]);
        memcpy(pattern + period, pattern, PRESIEVE_OVERHANG);
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
                               presieve->pattern[groups[3]] + phase[3],
                               (piece + PRESIEVE_OVERHANG - 1) / PRESIEVE_OVERHANG * PRESIEVE_OVERHANG,
                               g == 0);
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
