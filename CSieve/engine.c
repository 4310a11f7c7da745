#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "csieve.h"
#include "wheel.h"

typedef unsigned __int128 u128;

#define ALWAYS_INLINE inline __attribute__((always_inline))

uint64_t engine_isqrt(uint64_t n) {
    uint64_t root = 0;
    for (uint64_t bit = (uint64_t)1 << 31; bit; bit >>= 1) {
        uint64_t trial = root | bit;
        if ((u128)trial * trial <= n) root = trial;
    }
    return root;
}

static unsigned log2_of(size_t power_of_two) {
    unsigned shift = 0;
    while (((size_t)1 << shift) < power_of_two) shift++;
    return shift;
}

/* ---- crossing off ---------------------------------------------------------- */

/*
 * Crosses off the multiples of one prime of wheel class `class` in
 * window[0, length) and returns its state relative to the window's end.
 * Inlined with a constant class, the masks and carries become immediates.
 * Entering at the multiple's wheel position (a switch into the loop) and then
 * crossing a whole turn of 8 multiples per iteration while the turn fits
 * keeps the hot loop free of table look-ups and bounds checks.
 */
static ALWAYS_INLINE uint32_t cross_off(uint8_t *window, size_t length, uint32_t quotient,
                                        uint32_t offset_wheel, const unsigned class) {
    const size_t q = quotient;
    size_t at = offset_wheel >> 6;
    unsigned position = offset_wheel & 7;

#define MASK(k) ((uint8_t) ~(1u << wheel_bit_of[class][k]))
#define TURN(k) (q * (wheel_residue[k] - 1u) + wheel_turn_offset[class][k])
#define STEP(k)                                           \
    case k:                                               \
        if (at >= length) {                               \
            position = k;                                 \
            goto done;                                    \
        }                                                 \
        window[at] &= MASK(k);                            \
        at += q * wheel_gap[k] + wheel_adjust[class][k];

    switch (position) {
        for (;;) {
        case 0: {
            const size_t prime = q * 30 + wheel_residue[class];
            const size_t last = TURN(7);
            if (length > last) {
                const size_t o1 = TURN(1), o2 = TURN(2), o3 = TURN(3);
                const size_t o4 = TURN(4), o5 = TURN(5), o6 = TURN(6);
                const size_t stop = length - last;
                for (; at < stop; at += prime) {
                    uint8_t *p = window + at;
                    p[0] &= MASK(0);
                    p[o1] &= MASK(1);
                    p[o2] &= MASK(2);
                    p[o3] &= MASK(3);
                    p[o4] &= MASK(4);
                    p[o5] &= MASK(5);
                    p[o6] &= MASK(6);
                    p[last] &= MASK(7);
                }
            }
            if (at >= length) {
                position = 0;
                goto done;
            }
            window[at] &= MASK(0);
            at += q * wheel_gap[0] + wheel_adjust[class][0];
        }
            STEP(1)
            STEP(2)
            STEP(3)
            STEP(4)
            STEP(5)
            STEP(6)
            STEP(7)
        }
    }
#undef STEP
#undef TURN
#undef MASK
done:
    return (uint32_t)((at - length) << 6 | class << 3 | position);
}

/* Runs cross_off over a list of primes that all share one wheel class. */
static void cross_off_list(uint8_t *window, size_t length, prime_list *list, unsigned class) {
    sieving_prime *item = list->items;
    sieving_prime *end = item + list->count;
#define CLASS(c)                                                                       \
    case c:                                                                            \
        for (; item < end; item++)                                                     \
            item->offset_wheel = cross_off(window, length, item->quotient, item->offset_wheel, c); \
        break;
    switch (class) {
        CLASS(0) CLASS(1) CLASS(2) CLASS(3) CLASS(4) CLASS(5) CLASS(6) CLASS(7)
    }
#undef CLASS
}

/* ---- lists and buckets ----------------------------------------------------- */

static int list_push(prime_list *list, sieving_prime item) {
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 256;
        sieving_prime *items = realloc(list->items, capacity * sizeof *items);
        if (!items) return CSIEVE_ENOMEM;
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = item;
    return CSIEVE_OK;
}

static ALWAYS_INLINE int bucket_push(engine *engine, size_t slot, sieving_prime item) {
    bucket *head = engine->ring[slot];
    if (!head || head->count == BUCKET_CAPACITY) {
        bucket *fresh = engine->free_buckets;
        if (fresh) {
            engine->free_buckets = fresh->next;
        } else if (!(fresh = malloc(sizeof *fresh))) {
            return CSIEVE_ENOMEM;
        }
        fresh->next = head;
        fresh->count = 0;
        engine->ring[slot] = head = fresh;
    }
    head->items[head->count++] = item;
    return CSIEVE_OK;
}

/* Files a big prime's next multiple, `offset` bytes past the current segment's start. */
static ALWAYS_INLINE int file_big(engine *engine, uint64_t offset, uint32_t quotient,
                                  unsigned wheel) {
    size_t slot = (engine->ring_current + (offset >> engine->segment_shift)) & engine->ring_mask;
    uint32_t within = (uint32_t)(offset & (engine->segment_bytes - 1));
    return bucket_push(engine, slot, (sieving_prime){quotient, within << 6 | wheel});
}

/*
 * The bucket sieve: each big prime due in this segment crosses its multiples
 * here (usually one) and moves to the bucket of the segment of its next
 * multiple, or leaves the run when that lies past its end.
 */
static void cross_off_big(engine *engine) {
    uint8_t *segment = engine->segment;
    const uint64_t length = engine->length;
    const uint64_t remaining = engine->end_byte - engine->low_byte;
    bucket *list = engine->ring[engine->ring_current];
    engine->ring[engine->ring_current] = NULL;
    while (list) {
        for (size_t n = 0; n < list->count; n++) {
            const uint64_t q = list->items[n].quotient;
            uint64_t at = list->items[n].offset_wheel >> 6;
            const unsigned class = (list->items[n].offset_wheel >> 3) & 7;
            unsigned position = list->items[n].offset_wheel & 7;
            do {
                segment[at] &= (uint8_t) ~(1u << wheel_bit_of[class][position]);
                at += q * wheel_gap[position] + wheel_adjust[class][position];
                position = (position + 1) & 7;
            } while (at < length);
            if (at < remaining &&
                file_big(engine, at, (uint32_t)q, class << 3 | position) != CSIEVE_OK) {
                engine->status = CSIEVE_ENOMEM;
            }
        }
        bucket *next = list->next;
        list->next = engine->free_buckets;
        engine->free_buckets = list;
        list = next;
    }
}

/* ---- adding sieving primes ------------------------------------------------- */

/* Files prime p, whose multiples count from max(p * p, this segment's start). */
static int add_sieving_prime(engine *engine, uint64_t prime) {
    const uint64_t low = engine->low_byte * 30;
    uint64_t start = prime * prime > low ? prime * prime : low;
    uint64_t multiplier = start / prime + (start % prime != 0);
    multiplier += wheel_round_up[multiplier % 30];
    u128 multiple = (u128)prime * multiplier;
    if (multiple >= engine->to) return CSIEVE_OK; /* no multiple in the run */
    const uint64_t offset = (uint64_t)(multiple / 30) - engine->low_byte;
    const uint32_t quotient = (uint32_t)(prime / 30);
    const unsigned class = wheel_position_of[prime % 30];
    const unsigned wheel = class << 3 | wheel_position_of[multiplier % 30];
    if (prime <= engine->small_limit)
        return list_push(&engine->small[class], (sieving_prime){quotient, (uint32_t)offset << 6 | wheel});
    if (prime <= engine->medium_limit)
        return list_push(&engine->medium[class], (sieving_prime){quotient, (uint32_t)offset << 6 | wheel});
    return file_big(engine, offset, quotient, wheel);
}

/* ---- the engine -------------------------------------------------------------- */

int engine_init(engine *engine, const presieve *presieve, size_t capacity_bytes) {
    memset(engine, 0, sizeof *engine);
    engine->presieve = presieve;
    engine->capacity_bytes = capacity_bytes;
    engine->segment = aligned_alloc(64, capacity_bytes + 64);
    engine_use_segment_bytes(engine, capacity_bytes);
    return engine->segment ? CSIEVE_OK : CSIEVE_ENOMEM;
}

void engine_use_segment_bytes(engine *engine, size_t bytes) {
    engine->segment_bytes = bytes < engine->capacity_bytes ? bytes : engine->capacity_bytes;
    engine->segment_shift = log2_of(engine->segment_bytes);
    engine->chunk_bytes = engine->presieve->window < engine->segment_bytes ? engine->presieve->window
                                                                             : engine->segment_bytes;
    /* A small prime crosses at least ~40 multiples per chunk, a medium one at least ~2 per segment. */
    engine->small_limit = engine->chunk_bytes / 5;
    engine->medium_limit = engine->segment_bytes * 4;
}

void engine_free(engine *engine) {
    engine_end(engine);
    for (bucket *b = engine->free_buckets; b;) {
        bucket *next = b->next;
        free(b);
        b = next;
    }
    for (int c = 0; c < 8; c++) {
        free(engine->small[c].items);
        free(engine->medium[c].items);
    }
    free(engine->ring);
    free(engine->segment);
    memset(engine, 0, sizeof *engine);
}

int engine_begin(engine *engine, uint64_t from, uint64_t to, prime_source source) {
    engine->from = from;
    engine->to = to;
    engine->source = source;
    engine->status = CSIEVE_OK;
    engine->length = 0;
    for (int c = 0; c < 8; c++) engine->small[c].count = engine->medium[c].count = 0;
    if (from >= to) {
        engine->next_byte = engine->end_byte = 0;
        engine->pending_prime = 0;
        return CSIEVE_OK;
    }
    engine->next_byte = engine->low_byte = from / 30;
    engine->end_byte = (to - 1) / 30 + 1;
    engine->pending_prime = source.next(source.context);

    /* A big prime's next multiple lies at most p / 5 + 6 bytes ahead. */
    uint64_t largest = engine_isqrt(to - 1);
    size_t ring_size = 4;
    while (ring_size < ((largest / 5 + 6) >> engine->segment_shift) + 3) ring_size *= 2;
    if (ring_size > engine->ring_size) {
        bucket **ring = realloc(engine->ring, ring_size * sizeof *ring);
        if (!ring) return CSIEVE_ENOMEM;
        engine->ring = ring;
        engine->ring_size = ring_size;
    }
    memset(engine->ring, 0, engine->ring_size * sizeof *engine->ring);
    engine->ring_mask = ring_size - 1;
    engine->ring_current = 0;
    return CSIEVE_OK;
}

void engine_end(engine *engine) {
    for (size_t slot = 0; slot < engine->ring_size; slot++) {
        for (bucket *b = engine->ring[slot]; b;) {
            bucket *next = b->next;
            b->next = engine->free_buckets;
            engine->free_buckets = b;
            b = next;
        }
        engine->ring[slot] = NULL;
    }
}

bool engine_sieve_next(engine *engine) {
    if (engine->status != CSIEVE_OK || engine->next_byte >= engine->end_byte) return false;
    const uint64_t low_byte = engine->low_byte = engine->next_byte;
    const uint64_t remaining = engine->end_byte - low_byte;
    const size_t length = engine->length =
        remaining < engine->segment_bytes ? (size_t)remaining : engine->segment_bytes;
    engine->next_byte = low_byte + length;
    uint8_t *segment = engine->segment;

    /* Every prime p with p * p below the segment's end (capped at `to`) now sieves. */
    u128 high = (u128)(low_byte + length) * 30;
    if (high > engine->to) high = engine->to;
    while (engine->pending_prime && (u128)engine->pending_prime * engine->pending_prime < high) {
        if (add_sieving_prime(engine, engine->pending_prime) != CSIEVE_OK) {
            engine->status = CSIEVE_ENOMEM;
            return false;
        }
        engine->pending_prime = engine->source.next(engine->source.context);
    }

    for (size_t start = 0; start < length; start += engine->chunk_bytes) {
        size_t chunk = length - start < engine->chunk_bytes ? length - start : engine->chunk_bytes;
        presieve_fill(engine->presieve, segment + start, low_byte + start, chunk);
        for (unsigned c = 0; c < 8; c++)
            cross_off_list(segment + start, chunk, &engine->small[c], c);
    }
    for (unsigned c = 0; c < 8; c++) cross_off_list(segment, length, &engine->medium[c], c);
    cross_off_big(engine);
    engine->ring_current = (engine->ring_current + 1) & engine->ring_mask;
    if (engine->status != CSIEVE_OK) return false;

    presieve_restore_primes(segment, low_byte, length);
    if (low_byte == 0) segment[0] &= (uint8_t)~1u; /* 1 is not a prime */
    /* Numbers below from and from to on are not in the run. */
    if (low_byte == engine->from / 30) {
        uint64_t below = engine->from % 30;
        for (int k = 0; k < 8; k++)
            if (wheel_residue[k] < below) segment[0] &= (uint8_t) ~(1u << k);
    }
    if (low_byte + length == engine->end_byte) {
        uint64_t past = engine->to - (engine->end_byte - 1) * 30; /* in (0, 30] */
        for (int k = 0; k < 8; k++)
            if (wheel_residue[k] >= past) segment[length - 1] &= (uint8_t) ~(1u << k);
    }
    memset(segment + length, 0, 16);
    return true;
}
