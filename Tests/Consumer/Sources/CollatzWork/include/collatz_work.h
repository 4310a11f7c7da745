/* Work of the consumer's own for hybrid's parallel map: the Collatz steps of item + 1. */
#ifndef COLLATZ_WORK_H
#define COLLATZ_WORK_H

#include <stdint.h>

typedef struct collatz_context {
    /* The worker that first takes this item kills itself with SIGKILL (-1: none). */
    int64_t kill_item;
    /* A file made by that first worker, so that the item's re-run computes it. */
    const char *marker;
} collatz_context;

/* A cforkpool_item_work: writes the Collatz steps of item + 1 into slot (a uint64_t). */
int collatz_work(void *context, uint64_t item, void *slot);

/* The Collatz steps of n. */
uint64_t collatz_steps(uint64_t n);

#endif
