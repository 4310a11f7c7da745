/*
 * map_check.c -- exercises hybrid_mpi_map() without Swift, under mpirun.
 *
 * Built by Tests/MPI/check.sh with mpicc straight from the shim's source.
 * Item i's slot is the 64-bit word i * i + 1 (mod 2^64), padded to --slot
 * bytes; rank 0 checks every slot and prints one line:
 *   ok items N ranks R threads T messages M seconds S here H cpu C unbound U
 * (cpu: rank 0's processor seconds, its serving included) and exits 0, or names what is wrong and exits 1.
 *
 * Options:
 *   --items N        items (default 1000)
 *   --threads T      threads per rank (default 1)
 *   --spin-us U      busy work per item, microseconds (default 0: tiny items)
 *   --root-sleep-us U  rank 0's items sleep U microseconds, so that it mostly serves
 *   --slot BYTES     slot size (default 8)
 *   --prefetch P     items asked for beyond the running ones (default threads)
 *   --lease S        lease seconds (default 10)
 *   --record FILE    rank 0 appends each finished item's index (8 bytes) and
 *                    fsyncs once per batch: a journal in miniature
 *   --resume FILE    items listed in FILE are done already: not run
 *   --die-rank R --die-after K   rank R kills itself (SIGKILL) once it has run K items
 *   --hang-rank R --hang-after K rank R stops every thread and its loop (as a cut
 *                    network looks to the others) once it has run K items
 *   --fail-item I    the work for item I returns 7
 */
#include "hybrid_mpi.h"

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t items = 1000, spin_us = 0, root_sleep_us = 0, die_after = 0, hang_after = 0;
static long die_rank = -1, hang_rank = -1;
static int64_t fail_item = -1;
static int rank;
static atomic_uint_fast64_t ran;
static int record_fd = -1;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int work(void *context, uint64_t item, void *slot) {
    (void)context;
    uint64_t n = atomic_fetch_add(&ran, 1) + 1;
    if (rank == die_rank && n > die_after) raise(SIGKILL);
    if (rank == hang_rank && n > hang_after) {
        /* SIGSTOP stops every thread of the rank at once, as a frozen host would. */
        raise(SIGSTOP);
    }
    if ((int64_t)item == fail_item) return 7;
    if (rank == 0 && root_sleep_us > 0) usleep((useconds_t)root_sleep_us);
    if (spin_us > 0) {
        double until = now() + (double)spin_us * 1e-6;
        while (now() < until) {
        }
    }
    uint64_t value = item * item + 1;
    memcpy(slot, &value, 8);
    return 0;
}

static void on_item(void *observer, uint64_t item, const void *slot) {
    (void)observer;
    (void)slot;
    if (record_fd >= 0 && write(record_fd, &item, 8) != 8) {
        perror("record");
        exit(1);
    }
}

static void on_batch(void *observer) {
    (void)observer;
    if (record_fd >= 0) fsync(record_fd);
}

int main(int argc, char **argv) {
    hybrid_mpi_map_options options;
    hybrid_mpi_map_options_init(&options);
    size_t slot_bytes = 8;
    const char *record = NULL, *resume = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *name = argv[i], *value = argv[i + 1];
        if (!strcmp(name, "--items")) items = strtoull(value, NULL, 10);
        else if (!strcmp(name, "--threads")) options.threads = (unsigned)atoi(value);
        else if (!strcmp(name, "--spin-us")) spin_us = strtoull(value, NULL, 10);
        else if (!strcmp(name, "--root-sleep-us")) root_sleep_us = strtoull(value, NULL, 10);
        else if (!strcmp(name, "--slot")) slot_bytes = strtoull(value, NULL, 10);
        else if (!strcmp(name, "--prefetch")) options.prefetch = (unsigned)atoi(value);
        else if (!strcmp(name, "--lease")) options.lease_seconds = atof(value);
        else if (!strcmp(name, "--record")) record = value;
        else if (!strcmp(name, "--resume")) resume = value;
        else if (!strcmp(name, "--die-rank")) die_rank = atol(value);
        else if (!strcmp(name, "--die-after")) die_after = strtoull(value, NULL, 10);
        else if (!strcmp(name, "--hang-rank")) hang_rank = atol(value);
        else if (!strcmp(name, "--hang-after")) hang_after = strtoull(value, NULL, 10);
        else if (!strcmp(name, "--fail-item")) fail_item = strtoll(value, NULL, 10);
        else {
            fprintf(stderr, "map_check: unknown option %s\n", name);
            return 2;
        }
    }
    if (slot_bytes < 8) slot_bytes = 8;
    int ranks;
    if (hybrid_mpi_init(&rank, &ranks) != HYBRID_MPI_OK) {
        fprintf(stderr, "map_check: MPI_Init failed\n");
        return 1;
    }
    unsigned char *results = NULL, *done = NULL;
    if (rank == 0) {
        results = calloc(items ? items : 1, slot_bytes);
        done = calloc(items ? items : 1, 1);
        if (resume != NULL) {
            FILE *file = fopen(resume, "rb");
            uint64_t item;
            while (file != NULL && fread(&item, 8, 1, file) == 1) {
                if (item < items) {
                    done[item] = 1;
                    uint64_t value = item * item + 1;
                    memcpy(results + item * slot_bytes, &value, 8);
                }
            }
            if (file != NULL) fclose(file);
        }
        if (record != NULL) record_fd = open(record, O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
    options.items = items;
    options.slot_bytes = slot_bytes;
    options.results = results;
    options.done = done;
    options.on_item = on_item;
    options.on_batch = on_batch;
    hybrid_mpi_map_report report;
    double start = now();
    int status = hybrid_mpi_map(&options, work, &report);
    double seconds = now() - start;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double cpu = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec * 1e-6 + (double)usage.ru_stime.tv_sec +
                 (double)usage.ru_stime.tv_usec * 1e-6;
    if (status != HYBRID_MPI_OK) {
        if (status == HYBRID_MPI_ELOST)
            fprintf(stderr, "map_check: rank %d: rank %d fell silent past its lease of %g s\n", rank,
                    report.lost_rank, options.lease_seconds);
        else if (status == HYBRID_MPI_EWORK)
            fprintf(stderr, "map_check: rank %d: work for item %lld on rank %d failed with %d\n", rank,
                    (long long)report.failed_item, report.failed_rank, report.work_status);
        else
            fprintf(stderr, "map_check: rank %d: %s\n", rank, hybrid_mpi_strerror(status));
        hybrid_mpi_abort(1, 3);
    }
    int exit_code = 0;
    if (rank == 0) {
        for (uint64_t i = 0; i < items; i++) {
            uint64_t value;
            memcpy(&value, results + i * slot_bytes, 8);
            if (value != i * i + 1) {
                fprintf(stderr, "map_check: item %llu has %llu\n", (unsigned long long)i, (unsigned long long)value);
                exit_code = 1;
                break;
            }
        }
        if (exit_code == 0)
            printf("ok items %llu ranks %d threads %u messages %llu seconds %.4f here %llu cpu %.3f unbound %d\n",
                   (unsigned long long)items, ranks, options.threads, (unsigned long long)report.messages, seconds,
                   (unsigned long long)report.items_here, cpu, report.threads_unbound);
        fflush(stdout);
    }
    hybrid_mpi_finalize(10);
    return exit_code;
}
