/*
 * The combinatorial engine on one thread: prints x, pi(x), the sum of the
 * primes <= x and the seconds it took. Built by Benchmarks/combinatorial.sh.
 *
 *   combinatorial-bench X [ALPHA]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cprimepi.h>

static void print_u128(unsigned __int128 value) {
    char digits[40];
    int at = (int)sizeof digits;
    digits[--at] = '\0';
    do {
        digits[--at] = (char)('0' + (int)(value % 10));
        value /= 10;
    } while (value);
    fputs(digits + at, stdout);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s X [ALPHA]\n", argv[0]);
        return 2;
    }
    char *end;
    unsigned long long x = strtoull(argv[1], &end, 0);
    if (*end != '\0') {
        fprintf(stderr, "not a number: %s\n", argv[1]);
        return 2;
    }
    double alpha = argc > 2 ? atof(argv[2]) : 0;
    struct timespec start, stop;
    clock_gettime(CLOCK_MONOTONIC, &start);
    cprimepi_result result;
    int status = cprimepi_totals_alpha(x, alpha, &result);
    clock_gettime(CLOCK_MONOTONIC, &stop);
    if (status != CPRIMEPI_OK) {
        fprintf(stderr, "%s\n", cprimepi_strerror(status));
        return 1;
    }
    printf("%llu %llu ", x, (unsigned long long)result.count);
    print_u128((unsigned __int128)result.sum_high << 64 | result.sum_low);
    printf(" %.3f\n", (double)(stop.tv_sec - start.tv_sec) + (double)(stop.tv_nsec - start.tv_nsec) / 1e9);
    return 0;
}
