#include "csieve.h"
/* placeholder: the segmented sieve lands in the next commit */
csieve_sieve *csieve_sieve_new(void) { return 0; }
void csieve_sieve_free(csieve_sieve *sieve) { (void)sieve; }
size_t csieve_sieve_set_segment_bytes(csieve_sieve *sieve, size_t bytes) { (void)sieve; return bytes; }
int csieve_sieve_run(csieve_sieve *s, uint64_t f, uint64_t t, unsigned fl, csieve_result *r) { (void)s; (void)f; (void)t; (void)fl; (void)r; return CSIEVE_ENOMEM; }
int csieve_primes(uint64_t f, uint64_t t, csieve_result *r) { (void)f; (void)t; (void)r; return CSIEVE_ENOMEM; }
const char *csieve_strerror(int status) { (void)status; return "unknown"; }
