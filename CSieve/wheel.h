/*
 * wheel.h -- the mod-30 wheel (internal to CSieve).
 *
 * Only numbers coprime to 30 can be primes above 5, and there are 8 of them in
 * every 30: 1, 7, 11, 13, 17, 19, 23, 29. A sieve byte b therefore stands for
 * the 30 numbers [30b, 30b + 30), and its bit k for the number 30b + residue[k].
 *
 * A sieving prime p = 30q + residue[c] belongs to wheel class c. Its multiples
 * p*m that matter have m coprime to 30 too; m's position i (m mod 30 =
 * residue[i]) and p's class c decide which bit p*m sets and how far, in bytes,
 * the next multiple p*(m + gap[i]) lies: q * gap[i] + adjust[c][i].
 * Over a whole turn of m (8 steps, m grows by 30) p advances exactly p bytes,
 * so adjust[c][0..7] sums to residue[c].
 */
#ifndef CSIEVE_WHEEL_H
#define CSIEVE_WHEEL_H

#include <stdint.h>

static const uint8_t wheel_residue[8] = {1, 7, 11, 13, 17, 19, 23, 29};

/* residue[i + 1] - residue[i], with residue[8] = 31. */
static const uint8_t wheel_gap[8] = {6, 4, 2, 4, 2, 4, 6, 2};

/* The position of n % 30 in wheel_residue, or 8 when n shares a factor with 30. */
static const uint8_t wheel_position_of[30] = {8, 0, 8, 8, 8, 8, 8, 1, 8, 8, 8, 2, 8, 3, 8,
                                              8, 8, 4, 8, 5, 8, 8, 8, 6, 8, 8, 8, 8, 8, 7};

/* What to add to n so that n % 30 becomes coprime to 30 (0 when it already is). */
static const uint8_t wheel_round_up[30] = {1, 0, 5, 4, 3, 2, 1, 0, 3, 2, 1, 0, 1, 0, 3,
                                           2, 1, 0, 1, 0, 3, 2, 1, 0, 5, 4, 3, 2, 1, 0};

/* wheel_bit_of[c][i]: the bit that p*m sets, for p of class c and m at position i. */
static const uint8_t wheel_bit_of[8][8] = {
    {0, 1, 2, 3, 4, 5, 6, 7}, {1, 5, 4, 0, 7, 3, 2, 6}, {2, 4, 0, 6, 1, 7, 3, 5},
    {3, 0, 6, 5, 2, 1, 7, 4}, {4, 7, 1, 2, 5, 6, 0, 3}, {5, 3, 7, 1, 6, 0, 4, 2},
    {6, 2, 3, 7, 0, 4, 5, 1}, {7, 6, 5, 4, 3, 2, 1, 0},
};

/* wheel_adjust[c][i]: the carry into the next byte when m steps from position i. */
static const uint8_t wheel_adjust[8][8] = {
    {0, 0, 0, 0, 0, 0, 0, 1}, {1, 1, 1, 0, 1, 1, 1, 1}, {2, 2, 0, 2, 0, 2, 2, 1},
    {3, 1, 1, 2, 1, 1, 3, 1}, {3, 3, 1, 2, 1, 3, 3, 1}, {4, 2, 2, 2, 2, 2, 4, 1},
    {5, 3, 1, 4, 1, 3, 5, 1}, {6, 4, 2, 4, 2, 4, 6, 1},
};

/*
 * wheel_turn_offset[c][k]: within one turn of the wheel that starts at the
 * multiple p*m with m = 1 (mod 30), the k-th multiple lies
 * q * (residue[k] - 1) + wheel_turn_offset[c][k] bytes after the first.
 */
static const uint8_t wheel_turn_offset[8][8] = {
    {0, 0, 0, 0, 0, 0, 0, 0},   {0, 1, 2, 3, 3, 4, 5, 6},    {0, 2, 4, 4, 6, 6, 8, 10},
    {0, 3, 4, 5, 7, 8, 9, 12},  {0, 3, 6, 7, 9, 10, 13, 16}, {0, 4, 6, 8, 10, 12, 14, 18},
    {0, 5, 8, 9, 13, 14, 17, 22}, {0, 6, 10, 12, 16, 18, 22, 28},
};

/*
 * Summing without visiting each prime: bit t of a little-endian 64-bit sieve
 * word stands for word_value + 30 * (t / 8) + residue[t % 8], an offset below
 * 256. wheel_offset_plane[b] selects the bits whose offset has bit b set, so
 * the offsets of the primes in word w add up to
 * sum over b of 2^b * popcount(w & wheel_offset_plane[b]).
 * Every offset is odd: plane 0 is all bits.
 */
static const uint64_t wheel_offset_plane[8] = {
    0xffffffffffffffffull, 0x9966996699669966ull, 0xac3553caac3553caull, 0xce46627331b99d8cull,
    0x0f878383c1c1e1f0ull, 0xf007fc03fe01fe00ull, 0xfff80003fffe0000ull, 0xfffffffc00000000ull,
};

/* wheel_bit_value[t]: what bit t of a little-endian 64-bit sieve word adds to the word's value. */
static const uint8_t wheel_bit_value[64] = {
    1, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 49, 53, 59,
    61, 67, 71, 73, 77, 79, 83, 89, 91, 97, 101, 103, 107, 109, 113, 119,
    121, 127, 131, 133, 137, 139, 143, 149, 151, 157, 161, 163, 167, 169, 173, 179,
    181, 187, 191, 193, 197, 199, 203, 209, 211, 217, 221, 223, 227, 229, 233, 239,
};

#endif /* CSIEVE_WHEEL_H */
