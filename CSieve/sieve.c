#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csieve.h"
#include "engine.h"
#include "segment_totals.h"
#include "wheel.h"

/*
 * A sieve runs two engines: the main one over [from, to), and a generator over
 * [167, sqrt(to)] that hands the main one its sieving primes as it needs them,
 * so the memory for sieving primes is never more than those in use. The
 * generator's own sieving primes (up to 2^16) come from a small table.
 */
struct csieve_sieve {
    bool ready;         /* the patterns and engines below are made (on first need) */
    size_t chunk_bytes; /* the L1 data cache: the pre-sieve's window */
    presieve presieve;
    segment_reader reader; /* counting and summing, for this CPU */
    engine main;
    engine generator;
    size_t cache_segment_bytes;   /* a quarter of L2: the segment for small square roots */
    size_t largest_segment_bytes; /* four times L2: the segment for large square roots */
    size_t fixed_segment_bytes;   /* set by csieve_sieve_set_segment_bytes; 0: automatic */

    uint32_t *generated; /* the primes of the generator's current segment */

    uint32_t *table;    /* the primes in (163, table_limit) */
    uint32_t table_limit; /* 0 until a run needs the table; at most 2^16 */
    size_t table_count, table_position;
};

#define TABLE_LIMIT 65536
#define LARGEST_SEGMENT_BYTES ENGINE_LARGEST_SEGMENT_BYTES

/* The whole table is one block. */
static size_t next_from_table(void *context, const uint32_t **primes) {
    csieve_sieve *sieve = context;
    if (sieve->table_position == sieve->table_count) return 0;
    *primes = sieve->table;
    sieve->table_position = sieve->table_count;
    return sieve->table_count;
}

/* Each block is the primes of one of the generator's segments. */
static size_t next_generated(void *context, const uint32_t **primes) {
    csieve_sieve *sieve = context;
    engine *generator = &sieve->generator;
    while (engine_sieve_next(generator)) {
        size_t count = segment_list_primes(generator->segment, generator->length, generator->low_byte,
                                           sieve->generated);
        if (count) {
            *primes = sieve->generated;
            return count;
        }
    }
    return 0;
}

/*
 * A plain sieve of the odd numbers below limit (at most 2^16), for the table
 * and for small ranges: sets bit n / 2 of composite (at least limit / 16
 * bytes, zeroed) for each odd composite n.
 */
static void mark_odd_composites(uint8_t *composite, uint32_t limit) {
    for (uint32_t p = 3; p * p < limit; p += 2)
        if (!(composite[p / 16] >> (p / 2 % 8) & 1))
            for (uint32_t m = p * p; m < limit; m += 2 * p) composite[m / 16] |= (uint8_t)(1u << (m / 2 % 8));
}

static bool is_odd_composite(const uint8_t *composite, uint64_t n) { return composite[n / 16] >> (n / 2 % 8) & 1; }

/*
 * Makes the table reach `needed` (at most 2^16): the generator's sieving primes
 * go up to to^(1/4), so most runs need a few hundred numbers of it, not all
 * 6,500 primes below 2^16. It grows to the next power of two, at least 1024,
 * when a later run needs more.
 */
static int make_table(csieve_sieve *sieve, uint32_t needed) {
    if (needed <= sieve->table_limit) return CSIEVE_OK;
    uint32_t limit = 1024;
    while (limit < needed) limit *= 2;
    if (limit > TABLE_LIMIT) limit = TABLE_LIMIT;
    uint8_t *composite = calloc(limit / 16, 1);
    uint32_t *table = composite ? malloc(limit / 2 * sizeof *table) : NULL;
    if (!table) {
        free(composite);
        return CSIEVE_ENOMEM;
    }
    mark_odd_composites(composite, limit);
    size_t count = 0;
    for (uint32_t n = PRESIEVE_LARGEST_PRIME + 2; n < limit; n += 2)
        if (!is_odd_composite(composite, n)) table[count++] = n;
    free(composite);
    free(sieve->table);
    sieve->table = table;
    sieve->table_count = count;
    sieve->table_limit = limit;
    return CSIEVE_OK;
}

static size_t floor_power_of_two(size_t n) {
    size_t power = 1;
    while (power * 2 <= n) power *= 2;
    return power;
}

/*
 * The segment starts at a quarter of the per-core L2 cache (256 KiB on a 1 MiB
 * L2), leaving room for the pre-sieve patterns and the sieving primes; the
 * chunk that small primes cross off in is the L1 data cache in whole pages,
 * not rounded down to a power of two (with a 48 KiB L1, 10^10 and 10^12 sieve
 * 3% faster in 48 KiB chunks than in 32 KiB ones).
 */
static size_t cache_segment_bytes(size_t *chunk_bytes, size_t *largest_bytes) {
    long level1 = sysconf(_SC_LEVEL1_DCACHE_SIZE);
    long level2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    if (level1 < 8192 || level1 > (1 << 20)) level1 = 32768;
    if (level2 < 65536 || level2 > (64 << 20)) level2 = 1 << 20;
    *chunk_bytes = (size_t)level1 / 4096 * 4096;
    size_t segment = floor_power_of_two((size_t)level2 / 4);
    if (segment < *chunk_bytes) segment = floor_power_of_two(*chunk_bytes);
    *largest_bytes = floor_power_of_two((size_t)level2) * 4;
    return segment;
}

/*
 * The segment for a run up to `to`: a power of two, at least the L1 chunk and
 * at most four times L2, and at least twice the largest sieving prime. Medium
 * and big primes cost a visit per segment whether or not they have many
 * multiples in it; once they reach hundreds of thousands, longer segments
 * amortise those visits better than they lose to cache misses (measured:
 * 10^11 in 10.9 s with 1 MiB against 12.2 s with 256 KiB; with a 1 MiB L2,
 * 4 MiB rather than 2 MiB takes 4-7% off [10^13, +10^10) up to just below
 * 2^64, and 8 MiB is no better). Below a quarter of L2 it is eight times
 * the largest sieving prime: short runs touch (and fault in) no more memory
 * than they use, and still visit each prime rarely (measured: 10^8 in 4.1 ms
 * with 64 KiB, 3.9 ms with 128 KiB or 256 KiB; 10^9 in 60 ms with 64 KiB,
 * 52 ms with 128 KiB or 256 KiB).
 */
static size_t automatic_segment_bytes(const csieve_sieve *sieve, uint64_t to) {
    uint64_t root = to > 0 ? engine_isqrt(to - 1) : 0;
    size_t segment = floor_power_of_two(sieve->chunk_bytes);
    while (segment < sieve->largest_segment_bytes &&
           (segment < 2 * root || (segment < 8 * root && segment < sieve->cache_segment_bytes)))
        segment *= 2;
    return segment;
}

static int set_up_engines(csieve_sieve *sieve) {
    size_t fixed = sieve->fixed_segment_bytes;
    size_t main_bytes = fixed ? fixed : sieve->largest_segment_bytes;
    /* The generator sieves only up to 2^32 and buffers 32 bits per possible prime of its
       segment: it never needs more than the cache-sized segment. */
    size_t generator_bytes = fixed && fixed < sieve->cache_segment_bytes ? fixed : sieve->cache_segment_bytes;
    engine_free(&sieve->main);
    engine_free(&sieve->generator);
    free(sieve->generated);
    sieve->generated = malloc(generator_bytes * 8 * sizeof *sieve->generated);
    if (!sieve->generated) return CSIEVE_ENOMEM;
    if (engine_init(&sieve->main, &sieve->presieve, main_bytes) != CSIEVE_OK) return CSIEVE_ENOMEM;
    return engine_init(&sieve->generator, &sieve->presieve, generator_bytes);
}

/*
 * Making a sieve only reads the cache sizes: the pre-sieve patterns, the
 * table and the engines (most of a short run's start-up, and about 4 MiB)
 * are made by the first run that needs them.
 */
csieve_sieve *csieve_sieve_new(void) {
    csieve_sieve *sieve = calloc(1, sizeof *sieve);
    if (!sieve) return NULL;
    sieve->cache_segment_bytes = cache_segment_bytes(&sieve->chunk_bytes, &sieve->largest_segment_bytes);
    segment_reader_init(&sieve->reader);
    return sieve;
}

/*
 * Below 2^16 a plain sieve of the odd numbers (4 KiB on the stack) answers
 * at once, without the set-up that large ranges pay for.
 */
#define SMALL_RANGE_LIMIT 65536

static int set_up(csieve_sieve *sieve) {
    if (sieve->ready) return CSIEVE_OK;
    if (!sieve->presieve.pattern[0] && presieve_init(&sieve->presieve, sieve->chunk_bytes) != 0)
        return CSIEVE_ENOMEM;
    if (set_up_engines(sieve) != CSIEVE_OK) return CSIEVE_ENOMEM;
    sieve->ready = true;
    return CSIEVE_OK;
}

int csieve_sieve_prepare(csieve_sieve *sieve, uint64_t to) {
    if (!sieve) return CSIEVE_EINVAL;
    if (to <= SMALL_RANGE_LIMIT) return CSIEVE_OK;
    if (set_up(sieve) != CSIEVE_OK) return CSIEVE_ENOMEM;
    return make_table(sieve, (uint32_t)engine_isqrt(engine_isqrt(to - 1)) + 1);
}

void csieve_sieve_free(csieve_sieve *sieve) {
    if (!sieve) return;
    engine_free(&sieve->main);
    engine_free(&sieve->generator);
    presieve_free(&sieve->presieve);
    free(sieve->generated);
    free(sieve->table);
    free(sieve);
}

size_t csieve_sieve_segment_bytes(const csieve_sieve *sieve) {
    if (!sieve) return 0;
    return sieve->fixed_segment_bytes ? sieve->fixed_segment_bytes : sieve->cache_segment_bytes;
}

size_t csieve_sieve_set_segment_bytes(csieve_sieve *sieve, size_t bytes) {
    if (!sieve) return 0;
    size_t wanted = 0;
    if (bytes) {
        wanted = bytes < 64 ? 64 : bytes > LARGEST_SEGMENT_BYTES ? LARGEST_SEGMENT_BYTES : bytes;
        wanted = floor_power_of_two(wanted);
    }
    if (wanted != sieve->fixed_segment_bytes) {
        sieve->fixed_segment_bytes = wanted;
        if (sieve->ready && set_up_engines(sieve) != CSIEVE_OK) {
            /* Fall back to automatic sizing; if even that fails, report 0. */
            sieve->fixed_segment_bytes = 0;
            if (set_up_engines(sieve) != CSIEVE_OK) {
                sieve->ready = false;
                return 0;
            }
        }
    }
    return csieve_sieve_segment_bytes(sieve);
}

static void add_prime(csieve_result *result, uint64_t prime) {
    result->count++;
    result->sum_low += prime;
    result->sum_high += result->sum_low < prime;
}

/* Below SMALL_RANGE_LIMIT a plain sieve of the odd numbers (4 KiB on the stack) answers. */

static void small_range(uint64_t from, uint64_t to, csieve_result *result) {
    uint8_t composite[SMALL_RANGE_LIMIT / 16] = {0};
    mark_odd_composites(composite, (uint32_t)to);
    *result = (csieve_result){0, 0, 0};
    if (from <= 2 && 2 < to) add_prime(result, 2);
    for (uint64_t n = from > 3 ? from | 1 : 3; n < to; n += 2)
        if (!is_odd_composite(composite, n)) add_prime(result, n);
}

/* Sets up both engines for a run over [from, to), with to > SMALL_RANGE_LIMIT. */
static int begin_run(csieve_sieve *sieve, uint64_t from, uint64_t to) {
    /* A sieve whose engines could not be made (out of memory) says so on every run. */
    if (set_up(sieve) != CSIEVE_OK) return CSIEVE_ENOMEM;
    const uint64_t largest = to > 0 ? (uint64_t)(to - 1) : 0;

    /* The generator yields the primes in (163, sqrt(to - 1)]; its own come from the table. */
    const uint64_t root = engine_isqrt(largest);
    if (make_table(sieve, (uint32_t)engine_isqrt(root) + 1) != CSIEVE_OK) return CSIEVE_ENOMEM;
    sieve->table_position = 0;
    engine_use_segment_bytes(&sieve->main, sieve->fixed_segment_bytes ? sieve->fixed_segment_bytes
                                                                       : automatic_segment_bytes(sieve, to));
    int status = engine_begin(&sieve->generator, PRESIEVE_LARGEST_PRIME + 1, root + 1,
                              (prime_source){next_from_table, sieve});
    if (status == CSIEVE_OK)
        status = engine_begin(&sieve->main, from, to, (prime_source){next_generated, sieve});
    return status;
}

/* Ends a run begun by begin_run (whatever it returned); the run's status. */
static int end_run(csieve_sieve *sieve, int status) {
    if (status == CSIEVE_OK) status = sieve->main.status;
    if (status == CSIEVE_OK) status = sieve->generator.status;
    engine_end(&sieve->main);
    engine_end(&sieve->generator);
    return status;
}

static const uint64_t below_seven[3] = {2, 3, 5};

int csieve_sieve_run(csieve_sieve *sieve, uint64_t from, uint64_t to, unsigned flags,
                     csieve_result *result) {
    if (!sieve || !result || from > to) return CSIEVE_EINVAL;
    if (to <= SMALL_RANGE_LIMIT) {
        small_range(from, to, result);
        if (!(flags & CSIEVE_SUM)) result->sum_low = result->sum_high = 0;
        return CSIEVE_OK;
    }
    int status = begin_run(sieve, from, to);

    csieve_result total = {0, 0, 0};
    for (int k = 0; k < 3; k++)
        if (below_seven[k] >= from && below_seven[k] < to) add_prime(&total, below_seven[k]);

    while (status == CSIEVE_OK && engine_sieve_next(&sieve->main)) {
        engine *main = &sieve->main;
        segment_totals totals = (flags & CSIEVE_SUM)
                                    ? sieve->reader.count_and_sum(main->segment, main->length, main->low_byte)
                                    : (segment_totals){sieve->reader.count(main->segment, main->length), 0, 0};
        total.count += totals.count;
        uint64_t low = total.sum_low;
        total.sum_low += totals.sum_low;
        total.sum_high += totals.sum_high + (total.sum_low < low);
    }
    status = end_run(sieve, status);
    if (status != CSIEVE_OK) return status;
    if (!(flags & CSIEVE_SUM)) total.sum_low = total.sum_high = 0;
    *result = total;
    return CSIEVE_OK;
}

/*
 * A segment is listed 4 KiB of sieve (120,960 numbers) at a time: a batch of
 * at most 32,768 primes, 256 KiB, which stays in L2 while the visitor reads it.
 */
#define LIST_PIECE_BYTES 4096

/* Hands the primes of the odd-number sieve below 2^16 in [from, to) to the visitor. */
static int each_small(uint64_t from, uint64_t to, csieve_prime_visitor visit, void *context, uint64_t *batch) {
    uint8_t composite[SMALL_RANGE_LIMIT / 16] = {0};
    mark_odd_composites(composite, (uint32_t)to);
    size_t count = 0;
    if (from <= 2 && 2 < to) batch[count++] = 2;
    for (uint64_t n = from > 3 ? from | 1 : 3; n < to; n += 2)
        if (!is_odd_composite(composite, n)) batch[count++] = n;
    return count && visit(context, batch, count) != 0 ? CSIEVE_ESTOPPED : CSIEVE_OK;
}

int csieve_sieve_each(csieve_sieve *sieve, uint64_t from, uint64_t to, csieve_prime_visitor visit, void *context) {
    if (!sieve || !visit || from > to) return CSIEVE_EINVAL;
    if (from == to) return CSIEVE_OK;
    /* Below 2^16 there are 6,542 primes; the batch holds a whole piece's too. */
    uint64_t *batch = malloc(LIST_PIECE_BYTES * 8 * sizeof *batch);
    if (!batch) return CSIEVE_ENOMEM;
    if (to <= SMALL_RANGE_LIMIT) {
        int status = each_small(from, to, visit, context, batch);
        free(batch);
        return status;
    }
    int status = begin_run(sieve, from, to);
    size_t first = 0;
    for (int k = 0; k < 3; k++)
        if (below_seven[k] >= from && below_seven[k] < to) batch[first++] = below_seven[k];
    if (status == CSIEVE_OK && first && visit(context, batch, first) != 0) status = CSIEVE_ESTOPPED;
    while (status == CSIEVE_OK && engine_sieve_next(&sieve->main)) {
        engine *main = &sieve->main;
        for (size_t offset = 0; offset < main->length && status == CSIEVE_OK; offset += LIST_PIECE_BYTES) {
            size_t length = main->length - offset < LIST_PIECE_BYTES ? main->length - offset : LIST_PIECE_BYTES;
            size_t count = segment_list_primes64(main->segment + offset, length, main->low_byte + offset, batch);
            if (count && visit(context, batch, count) != 0) status = CSIEVE_ESTOPPED;
        }
    }
    status = end_run(sieve, status);
    free(batch);
    return status;
}

int csieve_primes(uint64_t from, uint64_t to, csieve_result *result) {
    if (!result || from > to) return CSIEVE_EINVAL;
    csieve_sieve *sieve = csieve_sieve_new();
    if (!sieve) return CSIEVE_ENOMEM;
    int status = csieve_sieve_run(sieve, from, to, CSIEVE_SUM, result);
    csieve_sieve_free(sieve);
    return status;
}

const char *csieve_version(void) { return CSIEVE_VERSION; }

const char *csieve_strerror(int status) {
    switch (status) {
    case CSIEVE_OK: return "success";
    case CSIEVE_EINVAL: return "invalid argument";
    case CSIEVE_ENOMEM: return "out of memory";
    case CSIEVE_ESTOPPED: return "the visitor stopped the walk";
    default: return "unknown status";
    }
}
