#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "csieve.h"
#include "wheel.h"
#include "wheel2310.h"

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
                                        uint32_t offset_wheel, const unsigned class, const unsigned entry) {
    const size_t q = quotient;
    size_t at = offset_wheel >> 6;
    /* The entry is a constant of the caller's loop: the switch below becomes a direct jump. */
    unsigned position = entry;

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
                    /* Opaque to the optimiser, so that it keeps one induction variable and
                       indexed stores rather than eight pointers to step (ten more instructions
                       a turn, measured). */
                    __asm__("" : "+r"(p));
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

/* ---- lists and buckets ----------------------------------------------------- */

/* Lists start small: a short run spreads a few hundred primes over 256 lists, and every page
   the lists touch is a page fault of its start-up. */
__attribute__((noinline, cold)) static int list_grow(prime_list *list) {
    size_t capacity = list->capacity ? list->capacity * 2 : 16;
    sieving_prime *items = realloc(list->items, capacity * sizeof *items);
    if (!items) return CSIEVE_ENOMEM;
    list->items = items;
    list->capacity = capacity;
    return CSIEVE_OK;
}

static ALWAYS_INLINE int list_push(prime_list *list, sieving_prime item) {
    if (__builtin_expect(list->count == list->capacity, 0) && list_grow(list) != CSIEVE_OK) return CSIEVE_ENOMEM;
    list->items[list->count++] = item;
    return CSIEVE_OK;
}

/*
 * Crosses off every prime of `lists` in window[0, length), list by list (each
 * of one class and one entry position, both constants in its loop), and files
 * each prime into the other set by the position where it stops.
 */
static int cross_off_entries(entry_lists *lists, uint8_t *window, size_t length) {
    prime_list *from = lists->sets[lists->current];
    prime_list *into = lists->sets[!lists->current];
    int status = CSIEVE_OK;
    for (int k = 0; k < 64; k++) into[k].count = 0;
#define ENTRY(k)                                                                                     \
    case k:                                                                                          \
        for (; item < end; item++) {                                                                 \
            const uint32_t next = cross_off(window, length, item->quotient, item->offset_wheel, (k) >> 3, (k) & 7); \
            if (list_push(&into[next & 63], (sieving_prime){item->quotient, next}) != CSIEVE_OK)    \
                status = CSIEVE_ENOMEM;                                                              \
        }                                                                                            \
        break;
#define CLASS_ENTRIES(c) ENTRY(c * 8) ENTRY(c * 8 + 1) ENTRY(c * 8 + 2) ENTRY(c * 8 + 3) \
    ENTRY(c * 8 + 4) ENTRY(c * 8 + 5) ENTRY(c * 8 + 6) ENTRY(c * 8 + 7)
    for (int k = 0; k < 64; k++) {
        const sieving_prime *item = from[k].items;
        const sieving_prime *end = item + from[k].count;
        switch (k) {
            CLASS_ENTRIES(0) CLASS_ENTRIES(1) CLASS_ENTRIES(2) CLASS_ENTRIES(3)
            CLASS_ENTRIES(4) CLASS_ENTRIES(5) CLASS_ENTRIES(6) CLASS_ENTRIES(7)
        }
    }
#undef CLASS_ENTRIES
#undef ENTRY
    lists->current = !lists->current;
    return status;
}

static void entry_lists_clear(entry_lists *lists) {
    lists->current = 0;
    for (int k = 0; k < 64; k++) lists->sets[0][k].count = 0;
}

static void entry_lists_free(entry_lists *lists) {
    for (int set = 0; set < 2; set++)
        for (int k = 0; k < 64; k++) free(lists->sets[set][k].items);
}

static ALWAYS_INLINE bool bucket_is_full(const big_prime *free_place) {
    return ((uintptr_t)free_place & (BUCKET_BYTES - 1)) == 0; /* NULL too: no bucket yet */
}

static ALWAYS_INLINE bucket *bucket_of(const big_prime *free_place) {
    return (bucket *)(((uintptr_t)free_place - 1) & ~(uintptr_t)(BUCKET_BYTES - 1));
}

/* A fresh bucket in front of the list whose free place was `full` (NULL: none); its first free place. */
__attribute__((noinline, cold)) static big_prime *start_bucket(engine *engine, big_prime *full) {
    if (!engine->free_buckets) {
        if (engine->carve == engine->carve_end) {
            bucket_slab *slab = malloc(sizeof *slab);
            void *memory = slab ? malloc((size_t)BUCKET_BYTES * (BUCKETS_PER_SLAB + 1)) : NULL;
            if (!memory) {
                free(slab);
                return NULL;
            }
            slab->memory = memory;
            slab->next = engine->slabs;
            engine->slabs = slab;
            engine->carve = (uint8_t *)(((uintptr_t)memory + BUCKET_BYTES - 1) & ~(uintptr_t)(BUCKET_BYTES - 1));
            engine->carve_end = engine->carve + (size_t)BUCKET_BYTES * BUCKETS_PER_SLAB;
        }
        bucket *fresh = (bucket *)engine->carve;
        engine->carve += BUCKET_BYTES;
        fresh->next = NULL;
        engine->free_buckets = fresh;
    }
    bucket *fresh = engine->free_buckets;
    engine->free_buckets = fresh->next;
    fresh->next = full ? bucket_of(full) : NULL;
    return fresh->items;
}

/* Files a big prime into the list of the segment `ahead` segments on. */
static ALWAYS_INLINE int file_big(engine *engine, big_prime **slots, size_t ahead, big_prime item) {
    big_prime *place = slots[ahead];
    if (bucket_is_full(place) && !(place = start_bucket(engine, place))) return CSIEVE_ENOMEM;
    *place = item;
    slots[ahead] = place + 1;
    return CSIEVE_OK;
}

/*
 * The bucket sieve: each big prime due in this segment crosses one multiple
 * and moves to the list of the segment of its next multiple (this one again
 * if it has another here). Its wheel step is one table entry: mask, gap and
 * carry, and the next wheel index. A prime whose next multiple lies past the
 * run's end waits in a list no segment reaches; engine_end recycles it.
 */
static void cross_off_big(engine *engine) {
    uint8_t *segment = engine->segment;
    big_prime **slots = engine->slots;
    const unsigned shift = engine->segment_shift;
    const size_t within = engine->segment_bytes - 1;
    while (slots[0]) {
        big_prime *end = slots[0];
        slots[0] = NULL;
        bucket *current = bucket_of(end);
        big_prime *item = current->items;
        for (;;) {
            for (; item < end; item++) {
                const uint64_t packed = *item;
                const uint64_t quotient = packed & (((uint64_t)1 << BIG_QUOTIENT_BITS) - 1);
                const wheel_big_step *step = &wheel_big_steps[packed >> BIG_WHEEL_SHIFT];
                size_t at = (packed >> BIG_QUOTIENT_BITS) & (((uint64_t)1 << BIG_OFFSET_BITS) - 1);
                segment[at] &= step->mask;
                at += step->factor * quotient + step->carry;
                const big_prime next = quotient | (uint64_t)(at & within) << BIG_QUOTIENT_BITS |
                                       (uint64_t)step->next << BIG_WHEEL_SHIFT;
                if (file_big(engine, slots, at >> shift, next) != CSIEVE_OK) engine->status = CSIEVE_ENOMEM;
            }
            bucket *fuller = current->next;
            current->next = engine->free_buckets;
            engine->free_buckets = current;
            if (!fuller) break;
            current = fuller;
            item = current->items;
            end = current->items + BUCKET_CAPACITY;
        }
    }
}

/* Moves the lists one segment on. */
static void advance_slots(engine *engine) {
    const size_t count = engine->slot_count;
    big_prime **next = engine->slots + 1;
    if (next + count > engine->slot_window + engine->slot_window_size) {
        memmove(engine->slot_window, next, (count - 1) * sizeof *next);
        memset(engine->slot_window + count - 1, 0, (engine->slot_window_size - count + 1) * sizeof *next);
        next = engine->slot_window;
    }
    engine->slots = next;
}

/* ---- adding sieving primes ------------------------------------------------- */

/*
 * Files the primes of the source's blocks whose squares lie below `high`,
 * each by size. A prime's multiples count from max(p * p, this segment's
 * start): one division per prime and run, then its wheel takes over.
 */
static int add_sieving_primes(engine *engine, uint64_t high) {
    const uint64_t low_byte = engine->low_byte;
    const uint64_t low = low_byte * 30;
    const uint64_t to = engine->to;
    for (;;) {
        if (engine->block_position == engine->block_count) {
            engine->block_position = 0;
            engine->block_count = engine->source.next(engine->source.context, &engine->block);
            if (engine->block_count == 0) {
                engine->block = NULL;
                return CSIEVE_OK;
            }
        }
        const uint32_t *block = engine->block;
        size_t position = engine->block_position;
        const size_t count = engine->block_count;
        for (; position < count; position++) {
            const uint64_t prime = block[position];
            const uint64_t square = prime * prime; /* prime < 2^32 */
            if (square >= high) {
                engine->block_position = position;
                return CSIEVE_OK;
            }
            const uint64_t start = square > low ? square : low;
            const uint64_t quotient = prime / 30;
            const unsigned class = wheel_position_of[prime - quotient * 30];
            uint64_t multiplier = start / prime + (start % prime != 0);
            int status;
            if (prime <= engine->medium_limit) {
                multiplier += wheel_round_up[multiplier % 30];
                if ((u128)prime * multiplier >= to) continue; /* no multiple in the run */
                const uint64_t byte = quotient * multiplier + wheel_residue[class] * multiplier / 30;
                const sieving_prime item = {(uint32_t)quotient, (uint32_t)(byte - low_byte) << 6 | class << 3 |
                                                                    wheel_position_of[multiplier % 30]};
                entry_lists *lists = prime <= engine->small_limit ? &engine->small : &engine->medium;
                status = list_push(&lists->sets[lists->current][item.offset_wheel & 63], item);
            } else {
                const unsigned residue = (unsigned)(multiplier % WHEEL_BIG_MODULUS);
                const unsigned round_up = wheel_big_round_up[residue];
                multiplier += round_up;
                if ((u128)prime * multiplier >= to) continue;
                const uint64_t offset =
                    quotient * multiplier + wheel_residue[class] * multiplier / 30 - low_byte;
                const uint64_t wheel = class * WHEEL_BIG_POSITIONS + wheel_big_position_of[residue + round_up];
                const big_prime item = quotient | (offset & (engine->segment_bytes - 1)) << BIG_QUOTIENT_BITS |
                                       wheel << BIG_WHEEL_SHIFT;
                status = file_big(engine, engine->slots, offset >> engine->segment_shift, item);
            }
            if (status != CSIEVE_OK) return status;
        }
        engine->block_position = position;
    }
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
    /*
     * A small prime crosses at least ~40 multiples per chunk, a medium one at
     * least ~8 per segment. Above that a big prime's visit (one multiple, one
     * table step, one filing) costs less than the medium loop's entry and
     * exit, which mispredict (measured at 10^15: medium up to 1x the segment
     * 0.47 s, 4x 0.54 s, for 2e9 numbers).
     */
    engine->small_limit = engine->chunk_bytes / 5;
    engine->medium_limit = engine->segment_bytes;
}

void engine_free(engine *engine) {
    engine_end(engine);
    for (bucket_slab *slab = engine->slabs; slab;) {
        bucket_slab *next = slab->next;
        free(slab->memory);
        free(slab);
        slab = next;
    }
    entry_lists_free(&engine->small);
    entry_lists_free(&engine->medium);
    free(engine->slot_window);
    free(engine->segment);
    memset(engine, 0, sizeof *engine);
}

int engine_begin(engine *engine, uint64_t from, uint64_t to, prime_source source) {
    engine->from = from;
    engine->to = to;
    engine->source = source;
    engine->block = NULL;
    engine->block_count = engine->block_position = 0;
    engine->status = CSIEVE_OK;
    engine->length = 0;
    entry_lists_clear(&engine->small);
    entry_lists_clear(&engine->medium);
    if (from >= to) {
        engine->next_byte = engine->end_byte = 0;
        return CSIEVE_OK;
    }
    engine->next_byte = engine->low_byte = from / 30;
    engine->end_byte = (to - 1) / 30 + 1;

    /* A big prime's next multiple lies at most 14 q + 14 bytes past a byte of this segment, and
       its first one less than 14 p past max(p * p, the segment's start). */
    uint64_t largest = engine_isqrt(to - 1);
    const uint64_t reach = (largest / 30 + 1) * (WHEEL_BIG_LARGEST_GAP + 1);
    size_t count = (size_t)((reach + engine->segment_bytes) >> engine->segment_shift) + 2;
    if (2 * count > engine->slot_window_size) {
        big_prime **window = realloc(engine->slot_window, 2 * count * sizeof *window);
        if (!window) return CSIEVE_ENOMEM;
        engine->slot_window = window;
        engine->slot_window_size = 2 * count;
    }
    memset(engine->slot_window, 0, engine->slot_window_size * sizeof *engine->slot_window);
    engine->slots = engine->slot_window;
    engine->slot_count = count;
    return CSIEVE_OK;
}

void engine_end(engine *engine) {
    if (!engine->slots) return;
    for (size_t k = 0; k < engine->slot_count; k++) {
        big_prime *place = engine->slots[k];
        if (!place) continue;
        for (bucket *b = bucket_of(place); b;) {
            bucket *next = b->next;
            b->next = engine->free_buckets;
            engine->free_buckets = b;
            b = next;
        }
        engine->slots[k] = NULL;
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
    if (add_sieving_primes(engine, (uint64_t)high) != CSIEVE_OK) {
        engine->status = CSIEVE_ENOMEM;
        return false;
    }

    /* Chunks of equal size, none larger than chunk_bytes: a short last one would cost every
       small prime a visit for a few multiples. */
    const size_t pieces = (length + engine->chunk_bytes - 1) / engine->chunk_bytes;
    for (size_t k = 0, start = 0; k < pieces; k++) {
        const size_t end = (k + 1) * length / pieces;
        presieve_fill(engine->presieve, segment + start, low_byte + start, end - start);
        if (cross_off_entries(&engine->small, segment + start, end - start) != CSIEVE_OK)
            engine->status = CSIEVE_ENOMEM;
        start = end;
    }
    if (cross_off_entries(&engine->medium, segment, length) != CSIEVE_OK) engine->status = CSIEVE_ENOMEM;
    cross_off_big(engine);
    advance_slots(engine);
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
