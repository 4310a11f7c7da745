/*
 * chunks.c -- how a range is cut into chunks: the one definition of chunk geometry.
 *
 * Swift's ChunkPlan, the fork pool's csieve_chunks_work and a journal's record of a job all ask
 * these functions, so a chunk is the same numbers whoever computes it.
 */
#include "csieve.h"
#include "engine.h"

/* The smallest chunk worth a call: about 2 ms of sieving. */
#define MINIMUM_WIDTH ((uint64_t)1 << 24)
/* The largest: about 15 ms of sieving, so that workers finish together and progress moves. */
#define MAXIMUM_WIDTH ((uint64_t)1 << 27)
/* Chunks per worker, at least, when the range is large enough; a lone worker has no one to
   balance with, and takes chunks as wide as MAXIMUM_WIDTH lets it (each chunk pays for setting
   up its sieving primes again). */
#define CHUNKS_PER_WORKER 8
/* Whole sieve words: 64 bits of 30 numbers each. */
#define ALIGNMENT ((uint64_t)30 * 64)

uint64_t csieve_chunk_width(uint64_t from, uint64_t to, unsigned workers) {
    uint64_t width = to > from ? to - from : 0;
    /* The square root rounded up, so that a chunk is never below 256 * sqrt(to). */
    uint64_t root = engine_isqrt(to);
    if (root * root < to) root++;
    uint64_t smallest = root > UINT64_MAX / 256 ? UINT64_MAX : root * 256;
    if (smallest < MINIMUM_WIDTH) smallest = MINIMUM_WIDTH;
    uint64_t wanted = workers > 1 ? (uint64_t)workers * CHUNKS_PER_WORKER : 1;
    uint64_t chunk = width / wanted;
    if (chunk < 1) chunk = 1;
    if (chunk > MAXIMUM_WIDTH) chunk = MAXIMUM_WIDTH;
    if (chunk < smallest) chunk = smallest;
    return (chunk + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
}

uint64_t csieve_chunk_count(uint64_t from, uint64_t to, uint64_t chunk_width) {
    if (to <= from || chunk_width == 0) return 1;
    return (to - from - 1) / chunk_width + 1;
}

int csieve_chunk_bounds(uint64_t from, uint64_t to, uint64_t chunk_width, uint64_t item, uint64_t *chunk_from,
                        uint64_t *chunk_to) {
    if (from > to || chunk_width == 0 || !chunk_from || !chunk_to ||
        item >= csieve_chunk_count(from, to, chunk_width))
        return CSIEVE_EINVAL;
    /* item < count keeps item * chunk_width below the range's width: no overflow. */
    uint64_t start = from + item * chunk_width;
    *chunk_from = start;
    *chunk_to = to - start < chunk_width ? to : start + chunk_width;
    return CSIEVE_OK;
}

int csieve_chunks_work(void *context, uint64_t item, void *slot) {
    const csieve_chunks *chunks = context;
    uint64_t from, to;
    if (csieve_chunk_bounds(chunks->from, chunks->to, chunks->chunk_width, item, &from, &to) != CSIEVE_OK) return 1;
    return csieve_sieve_run(chunks->sieve, from, to, chunks->flags, slot) == CSIEVE_OK ? 0 : 1;
}
