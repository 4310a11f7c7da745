/* Counts and sums the primes below 10^9 through CSieve's C API. */
#include <csieve.h>
#include <inttypes.h>
#include <stdio.h>

int main(void) {
    csieve_sieve *sieve = csieve_sieve_new();
    if (!sieve) return 1;
    csieve_result result;
    int status = csieve_sieve_run(sieve, 0, 1000000000, CSIEVE_SUM, &result);
    csieve_sieve_free(sieve);
    if (status != CSIEVE_OK) {
        fprintf(stderr, "csieve: %s\n", csieve_strerror(status));
        return 1;
    }
    /* The sum fits in 64 bits here; sum_high carries the rest past 2^64. */
    printf("C: %" PRIu64 " primes below 10^9, sum %" PRIu64 " (high half %" PRIu64 ")\n", result.count,
           result.sum_low, result.sum_high);
    return 0;
}
