/*
 * libFuzzer target: CSieve's count and 128-bit sum of the primes in small windows anywhere
 * below 2^64, with random segment sizes, against an independent reference: deterministic
 * Miller-Rabin on every number of the window, summed in unsigned __int128.
 *
 * Input (missing bytes read as 0):
 *   byte  0      the height: from has at most (byte % 65) bits. Heights above 2^48 are taken
 *                only one time in 16 (byte 1's low bits), because a window there first sets up
 *                every prime below sqrt(to), up to 2^32, which takes seconds; the rest are
 *                lowered by 16 bits.
 *   byte  1      bit 4, at height 64: the window ends within 4096 of 2^64 - 1 (the top edge);
 *                bit 5: count only (no sum).
 *   bytes 2-3    the width, 0 ... 4096.
 *   byte  4      the segment size: 64 << (byte % 20) bytes (2^19 and up are clamped by the
 *                sieve to 16 MiB), or 0 (automatic) when byte % 20 == 19; with bit 7, an
 *                arbitrary size from bytes 14-17, which the sieve clamps and rounds itself.
 *   bytes 5-12   from's bits, before the height's mask.
 *   byte  13     (unused, kept for older corpora)
 *   bytes 14-17  the arbitrary segment size.
 *
 * One sieve serves every input, as a long-lived caller would use it: segment sizes change
 * between runs of the same object.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csieve.h"

static uint64_t read_bytes(const uint8_t *data, size_t size, size_t offset, size_t count) {
    uint64_t value = 0;
    for (size_t i = 0; i < count; i++)
        value |= (uint64_t)(offset + i < size ? data[offset + i] : 0) << (8 * i);
    return value;
}

static uint64_t multiply_mod(uint64_t a, uint64_t b, uint64_t m) {
    return (uint64_t)((unsigned __int128)a * b % m);
}

static uint64_t power_mod(uint64_t base, uint64_t exponent, uint64_t m) {
    uint64_t result = 1;
    base %= m;
    while (exponent > 0) {
        if (exponent & 1) result = multiply_mod(result, base, m);
        base = multiply_mod(base, base, m);
        exponent >>= 1;
    }
    return result;
}

/* Miller-Rabin with the first twelve primes as bases: exact for every n below 3.3 * 10^24. */
static int is_prime(uint64_t n) {
    static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
    if (n < 2) return 0;
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        if (n == bases[i]) return 1;
        if (n % bases[i] == 0) return 0;
    }
    uint64_t d = n - 1;
    int shifts = 0;
    while ((d & 1) == 0) {
        d >>= 1;
        shifts++;
    }
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        uint64_t x = power_mod(bases[i], d, n);
        if (x == 1 || x == n - 1) continue;
        int witness = 1;
        for (int r = 1; r < shifts && witness; r++) {
            x = multiply_mod(x, x, n);
            if (x == n - 1) witness = 0;
        }
        if (witness) return 0;
    }
    return 1;
}

static void fail(const char *what, uint64_t from, uint64_t to, size_t segment, unsigned long long got_count,
                 unsigned __int128 got_sum, unsigned long long want_count, unsigned __int128 want_sum) {
    fprintf(stderr,
            "sieve_fuzz: %s for [%llu, %llu) with segment bytes %zu: count %llu sum %llu*2^64+%llu, "
            "expected count %llu sum %llu*2^64+%llu\n",
            what, (unsigned long long)from, (unsigned long long)to, segment, got_count,
            (unsigned long long)(got_sum >> 64), (unsigned long long)got_sum, want_count,
            (unsigned long long)(want_sum >> 64), (unsigned long long)want_sum);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static csieve_sieve *sieve;
    if (sieve == NULL && (sieve = csieve_sieve_new()) == NULL) abort();

    unsigned height = (unsigned)(read_bytes(data, size, 0, 1) % 65);
    unsigned mode = (unsigned)read_bytes(data, size, 1, 1);
    if (height > 48 && (mode & 0x0F) != 0) height -= 16;
    uint64_t width = read_bytes(data, size, 2, 2) % 4097;
    unsigned segment_choice = (unsigned)read_bytes(data, size, 4, 1);
    uint64_t bits = read_bytes(data, size, 5, 8);
    uint64_t from = height == 64 ? bits : bits & ((UINT64_C(1) << height) - 1);
    if (height == 64 && (mode & 0x10)) from = UINT64_MAX - width - (bits & 0xFFF);
    if (from > UINT64_MAX - width) from = UINT64_MAX - width;
    uint64_t to = from + width;
    unsigned flags = (mode & 0x20) ? CSIEVE_COUNT : CSIEVE_SUM;

    size_t segment;
    if (segment_choice & 0x80)
        segment = (size_t)read_bytes(data, size, 14, 4);
    else
        segment = segment_choice % 20 == 19 ? 0 : (size_t)64 << (segment_choice % 20);
    size_t set = csieve_sieve_set_segment_bytes(sieve, segment);
    /* The documented clamp: [64, 16 MiB], a power of two, 0 for automatic. */
    if (set == 0 || (set & (set - 1)) != 0 || set < 64 || set > ((size_t)16 << 20)) {
        fprintf(stderr, "sieve_fuzz: segment bytes %zu set as %zu\n", segment, set);
        abort();
    }

    csieve_result result;
    memset(&result, 0xAB, sizeof result);
    csieve_result untouched = result;
    if (width > 0 && csieve_sieve_run(sieve, to, from, flags, &result) != CSIEVE_EINVAL) {
        fprintf(stderr, "sieve_fuzz: the inverted range [%llu, %llu) was not refused\n",
                (unsigned long long)to, (unsigned long long)from);
        abort();
    }
    if (memcmp(&result, &untouched, sizeof result) != 0) {
        fprintf(stderr, "sieve_fuzz: a refused run wrote its result\n");
        abort();
    }
    int status = csieve_sieve_run(sieve, from, to, flags, &result);
    if (status != CSIEVE_OK) {
        fprintf(stderr, "sieve_fuzz: [%llu, %llu): %s\n", (unsigned long long)from, (unsigned long long)to,
                csieve_strerror(status));
        abort();
    }

    uint64_t count = 0;
    unsigned __int128 sum = 0;
    for (uint64_t n = from; n < to; n++) {
        if (is_prime(n)) {
            count++;
            sum += n;
        }
    }
    if (flags == CSIEVE_COUNT) sum = 0;
    unsigned __int128 got = ((unsigned __int128)result.sum_high << 64) | result.sum_low;
    if (result.count != count || got != sum)
        fail("wrong answer", from, to, set, (unsigned long long)result.count, got, (unsigned long long)count,
             sum);
    return 0;
}
