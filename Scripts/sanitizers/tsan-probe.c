/*
 * Does a ThreadSanitizer build of CSieve start at all? Scripts/sanitize.sh thread builds this
 * with CSieve's sources first: a GNU ifunc resolver (as target_clones makes) that is
 * instrumented runs before the TSan runtime is ready and the program dies at load, and so would
 * every binary of the test suite, after a full build. Exit 0: it started and counted right.
 */
#include <csieve.h>

int main(void) {
    csieve_result result;
    return csieve_primes(0, 1000, &result) == CSIEVE_OK && result.count == 168 ? 0 : 1;
}
