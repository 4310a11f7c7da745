/*
 * cbigprimes.h -- big primes and primality, with GMP, for hybrid's bigprimes
 * workload and its isprime command.
 *
 * Item i of the bigprimes workload is "the i-th probable prime of B bits for
 * a seed". An item's answer depends only on (seed, i, B), never on which
 * worker or how many workers computed it, so every strategy prints the same
 * primes.
 *
 * Conventions, for every function in this header:
 *   - Names carry the prefix cbigprimes_ (types, functions) or CBIGPRIMES_
 *     (macros).
 *   - Functions that can fail return an int status: CBIGPRIMES_OK (0) on
 *     success, CBIGPRIMES_EINVAL otherwise. Output parameters are written
 *     only on success.
 *   - Numbers cross this interface as NUL-terminated decimal strings (digits
 *     only, most significant first), so callers never see a GMP type or
 *     macro. Every GMP number is a local of one call: there is no global
 *     mutable state, and any number of threads may call at once.
 *   - GMP aborts the process when it cannot allocate memory; these functions
 *     have no out-of-memory status of their own.
 *
 * How item i is made, exactly (the generator is part of the interface; it
 * changes only with CBIGPRIMES_VERSION_MAJOR):
 *   - mix64(z) is SplitMix64's finaliser:
 *       z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
 *       z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
 *       return z ^ (z >> 31);                       (all arithmetic mod 2^64)
 *   - The item's stream starts at state = mix64(mix64(seed) + i); each word
 *     of the stream is state += 0x9E3779B97F4A7C15, then mix64(state).
 *   - A candidate takes the next ceil(B / 64) words of the stream, the first
 *     as its least significant 64 bits, keeps the low B bits and sets bit
 *     B - 1, so it has exactly B bits.
 *   - The item's prime is the smallest probable prime >= the candidate
 *     (mpz_nextprime: trial division by small primes, then GMP 6.2's
 *     mpz_millerrabin with reps = CBIGPRIMES_PRIMALITY_ROUNDS = 25, which is
 *     Baillie-PSW followed by reps - 24 = 1 Miller-Rabin round).
 *   - If that prime has B + 1 bits (the candidate was above the largest
 *     B-bit prime), the next candidate is taken from the same stream, and so
 *     on until the prime has exactly B bits. Every B >= 2 has a B-bit prime
 *     (Bertrand's postulate), and a candidate below it is taken with
 *     probability at least 1/2 per try, so this ends.
 *
 * Example: print the first four 256-bit primes for seed 1, and test one.
 *
 *   #include <cbigprimes.h>
 *   #include <stdio.h>
 *
 *   int main(void) {
 *       char prime[CBIGPRIMES_MAX_DIGITS + 1];
 *       for (uint64_t i = 0; i < 4; i++) {
 *           if (cbigprimes_prime(1, i, 256, prime, sizeof prime) != CBIGPRIMES_OK) return 1;
 *           printf("%s\n", prime);
 *       }
 *       int verdict;
 *       if (cbigprimes_primality("170141183460469231731687303715884105727", &verdict) != CBIGPRIMES_OK)
 *           return 1;
 *       printf("2^127 - 1: %s\n", verdict == CBIGPRIMES_COMPOSITE ? "composite" : "prime");
 *       return 0;
 *   }
 */
#ifndef CBIGPRIMES_H
#define CBIGPRIMES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

/*
 * The version of this API. Before 1.0, a change of the minor version may break
 * source or binary compatibility; a change of the patch version does not.
 */
#define CBIGPRIMES_VERSION "0.3.0"
#define CBIGPRIMES_VERSION_MAJOR 0
#define CBIGPRIMES_VERSION_MINOR 3
#define CBIGPRIMES_VERSION_PATCH 0

/** CBIGPRIMES_VERSION of the library linked in, which may differ from the header's. */
const char *cbigprimes_version(void);

/** Success. */
#define CBIGPRIMES_OK 0
/** An argument is out of its domain (bits out of range, a short buffer, not a decimal number). */
#define CBIGPRIMES_EINVAL (-1)

/** The fewest bits a big prime may have: 2 (the primes 2 and 3). */
#define CBIGPRIMES_MIN_BITS 2u
/** The most bits a big prime may have: 65536. */
#define CBIGPRIMES_MAX_BITS 65536u
/** The decimal digits of 2^65536 - 1, the longest number of CBIGPRIMES_MAX_BITS bits. */
#define CBIGPRIMES_MAX_DIGITS 19729u
/** The probable-prime rounds behind every answer above 2^64 (GMP's reps argument). */
#define CBIGPRIMES_PRIMALITY_ROUNDS 25

/* What cbigprimes_primality() finds. */
/** Not prime: 0, 1, or a number with a factor. Always certain. */
#define CBIGPRIMES_COMPOSITE 0
/**
 * Above 2^64: passed every test, Baillie-PSW, which no composite is known to
 * pass, and Miller-Rabin rounds with bases from GMP's fixed-seed generator.
 */
#define CBIGPRIMES_PROBABLE_PRIME 1
/**
 * Proven prime: every prime below 2^64 (a deterministic Miller-Rabin test,
 * see cbigprimes_primality()), and larger ones GMP proves (it rarely does).
 */
#define CBIGPRIMES_PRIME 2

/**
 * The length of the longest decimal number of `bits` bits, 2^bits - 1,
 * without the terminating NUL: floor(bits * log10(2)) + 1.
 * A buffer for cbigprimes_prime() needs this plus one bytes.
 * Cost: O(1). Returns 0 when bits is outside
 * [CBIGPRIMES_MIN_BITS, CBIGPRIMES_MAX_BITS].
 */
size_t cbigprimes_digits(unsigned bits);

/**
 * Writes the item-th probable prime of exactly `bits` bits for `seed` into
 * decimal, NUL-terminated (see "How item i is made" above).
 *
 * Parameters:
 *   seed     any value; distinct seeds give unrelated primes.
 *   item     any value; the answer for an item never depends on the others.
 *   bits     CBIGPRIMES_MIN_BITS .. CBIGPRIMES_MAX_BITS.
 *   decimal  the output buffer, size bytes long, with
 *            size >= cbigprimes_digits(bits) + 1.
 *
 * Cost: about bits / 18 candidates survive trial division, and each costs
 * at least one modular exponentiation, O(bits^2.6) with GMP's
 * multiplication; the prime itself costs a Baillie-PSW test and one more
 * round. The cost grows about eightfold per doubling of bits, with a spread
 * of several times between items (the gap to the next prime varies).
 *
 * Returns CBIGPRIMES_OK, or CBIGPRIMES_EINVAL when bits is out of range or
 * size is too small (decimal is then left as it was).
 */
int cbigprimes_prime(uint64_t seed, uint64_t item, unsigned bits, char *decimal, size_t size);

/**
 * Tests whether a decimal number of any size is prime.
 *
 * Below 2^64 the answer is proven: a strong probable-prime test to the twelve
 * bases 2, 3, ..., 37 (the first twelve primes), which no composite below
 * 3.18 * 10^23 passes (Jiang and Deng, 2014), so the verdict is CBIGPRIMES_PRIME or
 * CBIGPRIMES_COMPOSITE. Above, GMP's mpz_probab_prime_p with
 * CBIGPRIMES_PRIMALITY_ROUNDS: trial division, Baillie-PSW and one more
 * Miller-Rabin round.
 *
 * Parameters:
 *   decimal  a NUL-terminated string of one or more ASCII digits, nothing
 *            else (no sign, space or separator); leading zeros are allowed.
 *   verdict  receives CBIGPRIMES_PRIME, CBIGPRIMES_PROBABLE_PRIME or
 *            CBIGPRIMES_COMPOSITE.
 *
 * Cost: below 2^64, at most twelve modular exponentiations of 64 bits (about
 * a microsecond). Above, parsing is O(n^1.5) for n digits or better, then
 * O(bits^2.6) per round; a composite usually stops at the first test.
 *
 * Returns CBIGPRIMES_OK, or CBIGPRIMES_EINVAL when decimal is not a decimal
 * integer (empty, a sign, any other character).
 */
int cbigprimes_primality(const char *decimal, int *verdict);

/** The same test for a number below 2^64: 1 if n is prime, 0 if not. Proven; about 1 µs. */
int cbigprimes_is_prime_u64(uint64_t n);

/**
 * The item work a pool runs for bigprimes: item number i is
 * cbigprimes_prime(seed, first_item + i, bits, slot, slot_bytes). Its
 * signature is the fork pool's item work (cforkpool.h), so a pool run hands it
 * this struct as context; each slot then holds one NUL-terminated decimal
 * prime. The work touches only its own GMP numbers, so forked children run C
 * alone.
 */
typedef struct cbigprimes_work_context {
    /** The seed of every item's stream. */
    uint64_t seed;
    /** Added to every item number (0 when the pool run has its own first item). */
    uint64_t first_item;
    /** Bits of every prime, CBIGPRIMES_MIN_BITS .. CBIGPRIMES_MAX_BITS. */
    unsigned bits;
    /** The pool's slot size: cbigprimes_digits(bits) + 1. */
    size_t slot_bytes;
} cbigprimes_work_context;

/**
 * Runs one item; returns 0, or 1 when the context is out of its domain or a
 * pointer is NULL (nullable only to match the pool's item work type).
 */
int cbigprimes_work(void *_Nullable context, uint64_t item, void *_Nullable slot);

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif

#endif /* CBIGPRIMES_H */
