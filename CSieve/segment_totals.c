#include "segment_totals.h"

#include <string.h>

#include "wheel.h"

typedef unsigned __int128 u128;

static inline uint64_t load_word(const uint8_t *bytes) {
    uint64_t word;
    memcpy(&word, bytes, sizeof word);
    return word; /* little-endian: byte j of the word is bits 8j..8j+7 */
}

#define COUNT_BODY                                                                         \
    {                                                                                      \
        uint64_t count = 0;                                                                \
        for (size_t j = 0; j < length; j += 8)                                             \
            count += (uint64_t)__builtin_popcountll(load_word(segment + j));               \
        return count;                                                                      \
    }

/*
 * The sum without visiting each prime: word w, at word index i, adds
 * popcount(w) * (segment value + 240 i) plus the offsets of its bits, which
 * the offset planes of wheel.h give as 7 more popcounts. All of it stays in
 * 64 bits within a segment (at most 2^21 words), and becomes 128 bits once.
 */
#define COUNT_AND_SUM_BODY                                                                 \
    {                                                                                      \
        uint64_t count = 0, weighted = 0, offsets = 0;                                     \
        uint64_t plane[8] = {0};                                                           \
        size_t words = (length + 7) / 8;                                                   \
        for (size_t i = 0; i < words; i++) {                                               \
            uint64_t word = load_word(segment + 8 * i);                                    \
            uint64_t bits = (uint64_t)__builtin_popcountll(word);                          \
            count += bits;                                                                 \
            weighted += bits * i;                                                          \
            for (int b = 1; b < 8; b++)                                                    \
                plane[b] += (uint64_t)__builtin_popcountll(word & wheel_offset_plane[b]);  \
        }                                                                                  \
        offsets = count;                                                                   \
        for (int b = 1; b < 8; b++) offsets += plane[b] << b;                              \
        u128 sum = (u128)(low_byte * 30) * count + (u128)weighted * 240 + offsets;         \
        return (segment_totals){count, (uint64_t)sum, (uint64_t)(sum >> 64)};              \
    }

#define COUNT_PARAMETERS const uint8_t *segment, size_t length
#define COUNT_AND_SUM_PARAMETERS const uint8_t *segment, size_t length, uint64_t low_byte

static uint64_t count_default(COUNT_PARAMETERS) COUNT_BODY
static segment_totals count_and_sum_default(COUNT_AND_SUM_PARAMETERS) COUNT_AND_SUM_BODY

#if defined(__x86_64__)
__attribute__((target("popcnt"))) static uint64_t count_popcnt(COUNT_PARAMETERS) COUNT_BODY
__attribute__((target("popcnt"))) static segment_totals
count_and_sum_popcnt(COUNT_AND_SUM_PARAMETERS) COUNT_AND_SUM_BODY
__attribute__((target("arch=x86-64-v4"))) static uint64_t count_avx512(COUNT_PARAMETERS) COUNT_BODY
__attribute__((target("arch=x86-64-v4"))) static segment_totals
count_and_sum_avx512(COUNT_AND_SUM_PARAMETERS) COUNT_AND_SUM_BODY
/* With VPOPCNTQ the loops count four words an instruction. */
__attribute__((target("arch=x86-64-v4,avx512vpopcntdq"))) static uint64_t count_vpopcnt(COUNT_PARAMETERS) COUNT_BODY
__attribute__((target("arch=x86-64-v4,avx512vpopcntdq"))) static segment_totals
count_and_sum_vpopcnt(COUNT_AND_SUM_PARAMETERS) COUNT_AND_SUM_BODY
#endif

void segment_reader_init(segment_reader *reader) {
    reader->count = count_default;
    reader->count_and_sum = count_and_sum_default;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) {
        int vpopcnt = __builtin_cpu_supports("avx512vpopcntdq");
        reader->count = vpopcnt ? count_vpopcnt : count_avx512;
        reader->count_and_sum = vpopcnt ? count_and_sum_vpopcnt : count_and_sum_avx512;
    } else if (__builtin_cpu_supports("popcnt")) {
        reader->count = count_popcnt;
        reader->count_and_sum = count_and_sum_popcnt;
    }
#endif
}

size_t segment_list_primes(const uint8_t *segment, size_t length, uint64_t low_byte,
                           uint32_t *primes) {
    size_t count = 0;
    for (size_t j = 0; j < length; j += 8) {
        uint64_t word = load_word(segment + j);
        uint64_t base = (low_byte + j) * 30;
        while (word) {
            primes[count++] = (uint32_t)(base + wheel_bit_value[__builtin_ctzll(word)]);
            word &= word - 1;
        }
    }
    return count;
}

size_t segment_list_primes64(const uint8_t *segment, size_t length, uint64_t low_byte, uint64_t *primes) {
    size_t count = 0;
    /* Whole words: the segment's buffer is padded past its length, and bits past it are 0. */
    for (size_t j = 0; j < length; j += 8) {
        uint64_t word = load_word(segment + j);
        uint64_t base = (low_byte + j) * 30;
        while (word) {
            primes[count++] = base + wheel_bit_value[__builtin_ctzll(word)];
            word &= word - 1;
        }
    }
    return count;
}
