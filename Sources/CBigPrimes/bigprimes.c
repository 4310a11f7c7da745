/*
 * bigprimes.c -- probable primes of B bits and primality tests, with GMP.
 *
 * GMP stays in this file: its functions are macros (mpz_nextprime is
 * __gmpz_nextprime) that Swift cannot call, and its types never cross
 * cbigprimes.h. Every mpz_t here is a local, so calls share nothing.
 */
#include <gmp.h>
#include <string.h>

#include "cbigprimes.h"

/* SplitMix64 (Steele, Lea and Flood, 2014): its finaliser and its step. */
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t next_word(uint64_t *state) {
    *state += 0x9E3779B97F4A7C15u;
    return mix64(*state);
}

size_t cbigprimes_digits(unsigned bits) {
    if (bits < CBIGPRIMES_MIN_BITS || bits > CBIGPRIMES_MAX_BITS) return 0;
    /* floor(bits * log10 2) + 1, with log10 2 to 20 decimals: the error (< 10^-15 at
       65536 bits) is far below the distance of any bits * log10 2 here from an integer. */
    const unsigned __int128 log10_2_e20 = (unsigned __int128)3010299956639811952u * 10u + 1u;
    const unsigned __int128 e20 = (unsigned __int128)10000000000u * 10000000000u;
    return (size_t)((unsigned __int128)bits * log10_2_e20 / e20) + 1;
}

/* The next candidate of exactly `bits` bits from the stream: low word first, top bit set. */
static void next_candidate(mpz_t candidate, uint64_t *state, unsigned bits, uint64_t *words) {
    size_t count = (bits + 63) / 64;
    for (size_t w = 0; w < count; w++) words[w] = next_word(state);
    mpz_import(candidate, count, -1, sizeof *words, 0, 0, words);
    mpz_fdiv_r_2exp(candidate, candidate, bits);
    mpz_setbit(candidate, bits - 1);
}

int cbigprimes_prime(uint64_t seed, uint64_t item, unsigned bits, char *decimal, size_t size) {
    size_t digits = cbigprimes_digits(bits);
    if (digits == 0 || size < digits + 1) return CBIGPRIMES_EINVAL;

    /* 8 KiB at 65536 bits: small enough for any thread's stack. */
    uint64_t words[(CBIGPRIMES_MAX_BITS + 63) / 64];
    uint64_t state = mix64(mix64(seed) + item);
    mpz_t candidate, prime;
    mpz_init2(candidate, bits + 64);
    mpz_init2(prime, bits + 64);
    for (;;) {
        next_candidate(candidate, &state, bits, words);
        /* mpz_nextprime gives the next prime strictly above its argument, so start one below
           the candidate to allow the candidate itself. In GMP 6.2 it sieves by small primes,
           then runs mpz_millerrabin(p, 25): Baillie-PSW plus one Miller-Rabin round. */
        mpz_sub_ui(candidate, candidate, 1);
        mpz_nextprime(prime, candidate);
        if (mpz_sizeinbase(prime, 2) == bits) break;
    }
    /* Exact: mpz_get_str writes the digits of prime < 2^bits and a NUL, at most size bytes. */
    mpz_get_str(decimal, 10, prime);
    mpz_clear(candidate);
    mpz_clear(prime);
    return CBIGPRIMES_OK;
}

const char *cbigprimes_version(void) { return CBIGPRIMES_VERSION; }

static uint64_t multiply_mod(uint64_t a, uint64_t b, uint64_t n) {
    return (uint64_t)((unsigned __int128)a * b % n);
}

static uint64_t power_mod(uint64_t base, uint64_t exponent, uint64_t n) {
    uint64_t result = 1;
    base %= n;
    for (; exponent; exponent >>= 1) {
        if (exponent & 1) result = multiply_mod(result, base, n);
        base = multiply_mod(base, base, n);
    }
    return result;
}

int cbigprimes_is_prime_u64(uint64_t n) {
    static const uint64_t bases[12] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
    if (n < 2) return 0;
    for (int k = 0; k < 12; k++) {
        if (n == bases[k]) return 1;
        if (n % bases[k] == 0) return 0;
    }
    /* n - 1 = d * 2^s with d odd; n passes to base a when a^d = 1 or a^(d 2^r) = n - 1, r < s. */
    uint64_t d = n - 1;
    int s = __builtin_ctzll(d);
    d >>= s;
    for (int k = 0; k < 12; k++) {
        uint64_t x = power_mod(bases[k], d, n);
        if (x == 1 || x == n - 1) continue;
        int r = 1;
        for (; r < s; r++) {
            x = multiply_mod(x, x, n);
            if (x == n - 1) break;
        }
        if (r == s) return 0;
    }
    return 1;
}

int cbigprimes_primality(const char *decimal, int *verdict) {
    if (decimal[0] == '\0') return CBIGPRIMES_EINVAL;
    /* mpz_set_str would also take spaces and signs; the interface promises digits only. */
    uint64_t small = 0;
    int fits = 1;
    for (const char *c = decimal; *c; c++) {
        if (*c < '0' || *c > '9') return CBIGPRIMES_EINVAL;
        if (fits && (__builtin_mul_overflow(small, 10, &small) ||
                     __builtin_add_overflow(small, (uint64_t)(*c - '0'), &small)))
            fits = 0;
    }
    if (fits) {
        *verdict = cbigprimes_is_prime_u64(small) ? CBIGPRIMES_PRIME : CBIGPRIMES_COMPOSITE;
        return CBIGPRIMES_OK;
    }
    mpz_t number;
    mpz_init(number);
    if (mpz_set_str(number, decimal, 10) != 0) {
        mpz_clear(number);
        return CBIGPRIMES_EINVAL;
    }
    int found = mpz_probab_prime_p(number, CBIGPRIMES_PRIMALITY_ROUNDS);
    mpz_clear(number);
    *verdict = found == 2 ? CBIGPRIMES_PRIME : found == 1 ? CBIGPRIMES_PROBABLE_PRIME : CBIGPRIMES_COMPOSITE;
    return CBIGPRIMES_OK;
}

int cbigprimes_work(void *context, uint64_t item, void *slot) {
    const cbigprimes_work_context *work = context;
    if (!work || !slot) return 1;
    return cbigprimes_prime(work->seed, work->first_item + item, work->bits, slot, work->slot_bytes) ==
                   CBIGPRIMES_OK
               ? 0
               : 1;
}
