/*
 * The combinatorial engine on one thread: prints x, pi(x), the sum of the
 * primes <= x (0 with --count-only) and the seconds it took, and on stderr the
 * seconds of each term. Built by Benchmarks/combinatorial.sh.
 *
 *   combinatorial-bench [--count-only] X [ALPHA]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv) {
    cprimepi_mode mode = CPRIMEPI_COUNT_AND_SUM;
    if (argc > 1 && strcmp(argv[1], "--count-only") == 0) {
        mode = CPRIMEPI_COUNT_ONLY;
        argc--;
        argv++;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: combinatorial-bench [--count-only] X [ALPHA]\n");
        return 2;
    }
    char *end;
    unsigned long long x = strtoull(argv[1], &end, 0);
    if (*end != '\0') {
        fprintf(stderr, "not a number: %s\n", argv[1]);
        return 2;
    }
    double alpha = argc > 2 ? atof(argv[2]) : 0;
    static const char *const names[CPRIMEPI_TERMS] = {"ordinary", "hard", "easy", "p2"};
    struct timespec start, step;
    clock_gettime(CLOCK_MONOTONIC, &start);
    cprimepi_plan plan;
    cprimepi_partial partial;
    cprimepi_combiner combiner = {0};
    cprimepi_result result;
    int status = cprimepi_plan_init_mode(&plan, x, alpha, mode);
    if (status == CPRIMEPI_OK) {
        fprintf(stderr, "y %llu alpha %.2f plan %.3f", (unsigned long long)cprimepi_plan_y(&plan),
                cprimepi_plan_alpha(&plan), seconds_since(&start));
        status = cprimepi_partial_init(&partial, &plan);
        if (!status) status = cprimepi_combiner_init(&combiner, &plan);
        for (int term = 0; term < CPRIMEPI_TERMS && !status; term++) {
            uint64_t segments = cprimepi_segments(&plan, (cprimepi_term)term);
            if (segments == 0) continue;
            clock_gettime(CLOCK_MONOTONIC, &step);
            status = cprimepi_part(&plan, (cprimepi_term)term, 0, segments, &partial);
            if (!status) status = cprimepi_combine(&combiner, &partial);
            fprintf(stderr, " %s %.3f", names[term], seconds_since(&step));
        }
        fputc('\n', stderr);
        if (!status) status = cprimepi_combiner_result(&combiner, &result);
        cprimepi_combiner_free(&combiner);
        cprimepi_partial_free(&partial);
        cprimepi_plan_free(&plan);
    }
    double seconds = seconds_since(&start);
    if (status != CPRIMEPI_OK) {
        fprintf(stderr, "%s\n", cprimepi_strerror(status));
        return 1;
    }
    printf("%llu %llu ", x, (unsigned long long)result.count);
    print_u128((unsigned __int128)result.sum_high << 64 | result.sum_low);
    printf(" %.3f\n", seconds);
    return 0;
}
