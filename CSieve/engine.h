/*
 * engine.h -- one segmented sieve over an interval (internal to CSieve).
 *
 * An engine walks [from, to) one segment at a time. Before each segment it
 * takes the sieving primes it now needs (p * p below the segment's end) from a
 * prime source, files each by size, and crosses off:
 *   small primes  (many multiples per L1-sized chunk): unrolled over the wheel,
 *                 chunk by chunk, right after the chunk is pre-sieved;
 *   medium primes (several multiples per segment): the same loop, once per segment;
 *   big primes    (fewer than about one multiple per segment): a bucket sieve.
 * What is left set in the segment are the primes above 5 in it.
 */
#ifndef CSIEVE_ENGINE_H
#define CSIEVE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "presieve.h"

/* A sieving prime as the engine keeps it: p / 30 and where its next multiple lies. */
typedef struct sieving_prime {
    uint32_t quotient;     /* p / 30 */
    uint32_t offset_wheel; /* byte offset << 6 | class << 3 | position (see wheel.h) */
} sieving_prime;

typedef struct prime_list {
    sieving_prime *items;
    size_t count;
    size_t capacity;
} prime_list;

/* 8 KiB blocks: big enough to stream, small enough to recycle often. */
#define BUCKET_CAPACITY 1022
typedef struct bucket {
    struct bucket *next;
    size_t count;
    sieving_prime items[BUCKET_CAPACITY];
} bucket;

/* Hands out the sieving primes above PRESIEVE_LARGEST_PRIME in increasing order; 0 at the end. */
typedef struct prime_source {
    uint64_t (*next)(void *context);
    void *context;
} prime_source;

typedef struct engine {
    /* Fixed for the engine's life. */
    const presieve *presieve;
    uint8_t *segment;      /* capacity_bytes plus 16 bytes of zeroed padding for word reads */
    size_t capacity_bytes; /* the largest segment this engine can sieve */
    size_t segment_bytes;  /* the segment in use: a power of two, at most capacity_bytes */
    unsigned segment_shift;
    size_t chunk_bytes;
    uint64_t small_limit;  /* primes up to this are small */
    uint64_t medium_limit; /* and up to this medium; above it, big */

    /* Per run. */
    uint64_t from, to;
    uint64_t low_byte;  /* absolute index of the current segment's first byte */
    uint64_t next_byte; /* of the next segment */
    uint64_t end_byte;  /* one past the run's last byte */
    size_t length;      /* bytes in the current segment */
    uint64_t pending_prime;
    prime_source source;
    prime_list small[8]; /* by wheel class, so the crossing loop is chosen once per class */
    prime_list medium[8];
    bucket **ring; /* ring[(current + k) & ring_mask]: big primes due k segments ahead */
    size_t ring_size, ring_mask, ring_current;
    bucket *free_buckets;
    int status;
} engine;

int engine_init(engine *engine, const presieve *presieve, size_t capacity_bytes);

/* Sieves the next runs in segments of `bytes` (a power of two, at most the capacity). */
void engine_use_segment_bytes(engine *engine, size_t bytes);
void engine_free(engine *engine);

/* Prepares a run over [from, to); returns CSIEVE_OK or CSIEVE_ENOMEM. */
int engine_begin(engine *engine, uint64_t from, uint64_t to, prime_source source);

/*
 * Sieves the next segment: afterwards segment[0, length) holds bit k of byte j
 * set exactly when low_byte * 30 + 30 j + residue[k] is a prime in [from, to)
 * above 5, and the padding after it is zero. Returns false when the run is
 * over (or failed: see engine->status).
 */
bool engine_sieve_next(engine *engine);

/* floor(sqrt(n)), exactly. */
uint64_t engine_isqrt(uint64_t n);

/* Returns every bucket to the free list; the engine keeps its memory for the next run. */
void engine_end(engine *engine);

#endif /* CSIEVE_ENGINE_H */
