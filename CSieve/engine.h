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

/* A small or medium sieving prime: p / 30 and where its next multiple lies. */
typedef struct sieving_prime {
    uint32_t quotient;     /* p / 30 */
    uint32_t offset_wheel; /* byte offset << 6 | class << 3 | position (see wheel.h) */
} sieving_prime;

typedef struct prime_list {
    sieving_prime *items;
    size_t count;
    size_t capacity;
} prime_list;

/*
 * Small or medium primes by wheel class and by the wheel position of their
 * next multiple (class << 3 | position: the low 6 bits of offset_wheel), so
 * that the crossing loop enters each list at a place known in advance rather
 * than through a jump mispredicted about once per prime and pass; each pass
 * refiles them into the other set by the position where they stop.
 * sets[current] holds them between passes.
 */
typedef struct entry_lists {
    prime_list sets[2][64];
    int current;
} entry_lists;

/*
 * A big sieving prime, packed into 64 bits: p / 30 (below 2^28, as p < 2^32)
 * in the low BIG_QUOTIENT_BITS, then the byte of its next multiple within the
 * segment it waits for (BIG_OFFSET_BITS), then its mod-2310 wheel index
 * (wheel2310.h). 8 bytes, so a bucket streams.
 */
#define BIG_QUOTIENT_BITS 28
#define BIG_OFFSET_BITS 23
#define BIG_WHEEL_SHIFT (BIG_QUOTIENT_BITS + BIG_OFFSET_BITS)
#define ENGINE_LARGEST_SEGMENT_BYTES ((size_t)1 << BIG_OFFSET_BITS)
typedef uint64_t big_prime;

/*
 * Big primes wait in buckets: blocks of BUCKET_BYTES aligned to their size, a
 * header and then the primes up to the block's end, so that a pointer to the
 * next free place in a bucket is all a segment's list needs (it is full when
 * that pointer is aligned, and its bucket is the aligned block below it).
 * 8 KiB: big enough to stream, small enough to recycle often.
 */
#define BUCKET_BYTES 8192
#define BUCKET_CAPACITY ((BUCKET_BYTES - 16) / sizeof(big_prime))
typedef struct bucket {
    struct bucket *next; /* the list's fuller buckets */
    uint64_t unused;     /* keeps the header 16 bytes */
    big_prime items[BUCKET_CAPACITY];
} bucket;

/*
 * Buckets are carved, as needed, from slabs of 4 MiB: an aligned allocation of
 * its own would cost each bucket a page of padding that malloc touches.
 */
#define BUCKETS_PER_SLAB 512
typedef struct bucket_slab {
    struct bucket_slab *next;
    void *memory;
} bucket_slab;

/*
 * Hands out the sieving primes above PRESIEVE_LARGEST_PRIME in increasing
 * order, a block at a time: sets *primes and returns how many (0 at the end).
 * A block stays valid until the next call.
 */
typedef struct prime_source {
    size_t (*next)(void *context, const uint32_t **primes);
    void *context;
} prime_source;

typedef struct engine {
    /* Fixed for the engine's life. */
    const presieve *presieve;
    uint8_t *segment;      /* capacity_bytes plus 64 bytes, the first 16 zeroed after each segment */
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
    prime_source source;
    const uint32_t *block; /* the source's current block of primes, from block_position on */
    size_t block_count, block_position;
    /* Small primes (crossed chunk by chunk) and medium ones (once per segment). */
    entry_lists small, medium;

    /*
     * slots[k]: the next free place in the bucket list of the segment k
     * ahead (NULL: none yet), for k < slot_count. slots slides along a
     * window of twice as many, and moves back to its start when it reaches
     * the end, so that filing a prime indexes it directly.
     */
    big_prime **slots;
    big_prime **slot_window;
    size_t slot_count, slot_window_size;
    bucket *free_buckets;
    bucket_slab *slabs;
    uint8_t *carve, *carve_end; /* the newest slab's buckets not yet handed out */
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
