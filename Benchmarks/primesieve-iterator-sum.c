/*
 * The anchor for summing: the primes below N added up through libprimesieve's
 * iterator (primesieve_generate_next_primes plus adding the array), in 128 bits.
 * Built and run by Benchmarks/sieve.sh when libprimesieve-dev is installed.
 */
#include <primesieve.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: primesieve-iterator-sum N\n");
        return 2;
    }
    uint64_t stop = strtoull(argv[1], NULL, 10);
    primesieve_iterator it;
    primesieve_init(&it);
    primesieve_jump_to(&it, 0, stop);
    unsigned __int128 sum = 0;
    uint64_t count = 0;
    for (;;) {
        primesieve_generate_next_primes(&it);
        size_t i = 0;
        for (; i < it.size && it.primes[i] < stop; i++) sum += it.primes[i];
        count += i;
        if (i < it.size) break;
    }
    primesieve_free_iterator(&it);
    char digits[48];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (int)(sum % 10));
        sum /= 10;
    } while (sum);
    printf("%llu ", (unsigned long long)count);
    while (n) putchar(digits[--n]);
    putchar('\n');
    return 0;
}
