#include "segment_totals.h"

#include <string.h>

#include "wheel.h"

typedef unsigned __int128 u128;

static inline uint64_t load_word(const uint8_t *bytes) {
    uint64_t word;
    memcpy(&word, bytes, sizeof word);
    return word; /* little-endian: byte j of the word is bits 8j..8j+7 */
}

__attribute__((target_clones("arch=x86-64-v4", "popcnt", "default"))) uint64_t
segment_count(const uint8_t *segment, size_t length) {
    uint64_t count = 0;
    for (size_t j = 0; j < length; j += 8) count += (uint64_t)__builtin_popcountll(load_word(segment + j));
    return count;
}

/*
 * The sum without visiting each prime: word w, at word index i, adds
 * popcount(w) * (segment value + 240 i) plus the offsets of its bits, which
 * the offset planes of wheel.h give as 7 more popcounts. All of it stays in
 * 64 bits within a segment (at most 2^21 words), and becomes 128 bits once.
 */
__attribute__((target_clones("arch=x86-64-v4", "popcnt", "default"))) segment_totals
segment_count_and_sum(const uint8_t *segment, size_t length, uint64_t low_byte) {
    uint64_t count = 0, weighted = 0, offsets = 0;
    uint64_t plane[8] = {0};
    size_t words = (length + 7) / 8;
    for (size_t i = 0; i < words; i++) {
        uint64_t word = load_word(segment + 8 * i);
        uint64_t bits = (uint64_t)__builtin_popcountll(word);
        count += bits;
        weighted += bits * i;
        for (int b = 1; b < 8; b++) plane[b] += (uint64_t)__builtin_popcountll(word & wheel_offset_plane[b]);
    }
    offsets = count;
    for (int b = 1; b < 8; b++) offsets += plane[b] << b;
    u128 sum = (u128)(low_byte * 30) * count + (u128)weighted * 240 + offsets;
    return (segment_totals){count, (uint64_t)sum, (uint64_t)(sum >> 64)};
}

size_t segment_list_primes(const uint8_t *segment, size_t length, uint64_t low_byte,
                           uint32_t *primes) {
    size_t count = 0;
    for (size_t j = 0; j < length; j += 8) {
        uint64_t word = load_word(segment + j);
        uint64_t base = (low_byte + j) * 30;
        while (word) {
            unsigned bit = (unsigned)__builtin_ctzll(word);
            primes[count++] = (uint32_t)(base + 30 * (bit >> 3) + wheel_residue[bit & 7]);
            word &= word - 1;
        }
    }
    return count;
}
