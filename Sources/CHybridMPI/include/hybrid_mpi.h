/*
 * hybrid_mpi.h -- the compute strategy `mpi`: a parallel map over Open MPI ranks.
 *
 * hybrid_mpi_map() runs numbered items 0 .. items-1 across every rank of
 * MPI_COMM_WORLD, each rank on threads of its own, and gathers every item's
 * fixed-size result (its slot) on rank 0:
 *   - rank 0 hands out item indices on demand, with point-to-point messages
 *     only (one-sided operations such as MPI_Fetch_and_op fail across hosts
 *     with Debian's Open MPI 4.1), and computes on its own threads as well;
 *   - every rank runs its items on `threads` pthreads, never forked processes
 *     (MPI_Init starts threads of its own, and a child of a multi-threaded
 *     process may only call async-signal-safe functions);
 *   - rank 0 keeps one slot per item: a duplicate result is dropped; it calls
 *     on_item, on the calling thread, for each item as soon as its slot is
 *     known (so a journal can append and fsync it), and never runs the items
 *     the caller marks as already done.
 *
 * Faults, as Open MPI 4.1 allows (it has no fault-tolerant MPI): a rank that
 * dies takes the job with it (mpirun ends the others and exits non-zero). A
 * rank that falls silent (its host hung, or its network cut, so that nothing
 * ever fails) is caught by leases: every rank sends rank 0 a message at least
 * every lease/4 seconds, and rank 0 answers every message at once. Rank 0
 * gives up on a rank it has not heard from for lease seconds; a rank gives up
 * on rank 0 when a message of its own stays unanswered for lease seconds.
 * Either returns HYBRID_MPI_ELOST; the caller then reports and calls
 * hybrid_mpi_abort(), which ends the process within its grace period even
 * when MPI_Abort cannot reach the others. A watchdog thread also ends a rank
 * (exit code 1) whose own loop has been stuck inside an MPI call for lease + 5
 * seconds. A rank that loses a peer on another host first waits mpirun's
 * out-of-band keepalive time (the oob_tcp_keepalive_* settings, when they
 * add up to 60 s or less) plus a second before it returns: a cut host is
 * then noticed by mpirun, which ends the job, before any rank ends (once one
 * does, mpirun's order to the cut host's daemon stays unacknowledged and
 * mpirun waits out TCP's retransmissions, about 15 minutes). So a run with a
 * lost peer ends within about lease + lease/4 + grace seconds (15 s with the
 * defaults), plus that wait when the peer is on another host; it never hangs.
 *
 * The C in this target is compiled only when the define HYBRID_MPI is set,
 * which the package trait MPI alone does. Without it every function below
 * exists and returns HYBRID_MPI_ENOTBUILT (hybrid_mpi_compiled() returns 0),
 * so a plain build needs no MPI headers or libraries.
 *
 * Conventions: the prefix hybrid_mpi_ / HYBRID_MPI_; functions return
 * HYBRID_MPI_OK (0) or a negative HYBRID_MPI_E* code. MPI is called from the
 * thread that called hybrid_mpi_init() only (MPI_THREAD_FUNNELED).
 */
#ifndef HYBRID_MPI_H
#define HYBRID_MPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HYBRID_MPI_OK 0
/** An argument is out of its domain. */
#define HYBRID_MPI_EINVAL (-1)
/** Memory could not be allocated. */
#define HYBRID_MPI_ENOMEM (-2)
/** This build has no MPI: build with `swift build --traits MPI`. */
#define HYBRID_MPI_ENOTBUILT (-20)
/** An MPI call failed (MPI_Init, a send, a receive). */
#define HYBRID_MPI_EMPI (-21)
/** A peer fell silent for longer than the lease (see report.lost_rank). */
#define HYBRID_MPI_ELOST (-22)
/** A work function returned non-zero (see report.failed_rank, failed_item, work_status). */
#define HYBRID_MPI_EWORK (-23)
/** should_stop asked rank 0 to stop. */
#define HYBRID_MPI_ESTOPPED (-24)
/** A thread could not be started. */
#define HYBRID_MPI_ETHREAD (-25)

/** The largest slot: 1 MiB (a 65536-bit prime in decimal needs 19,730 bytes). */
#define HYBRID_MPI_MAX_SLOT_BYTES ((size_t)1 << 20)

/** 1 when this build has MPI (the trait MPI was on), 0 otherwise. Cost: O(1). */
int hybrid_mpi_compiled(void);

/**
 * Initialises MPI once per process (MPI_Init_thread with MPI_THREAD_FUNNELED)
 * and writes this process's rank and the number of ranks. Without mpirun the
 * process is a job of its own with one rank. Later calls only report.
 * Unless OMPI_MCA_pml is set (mpirun --mca pml X sets it), it asks Open MPI
 * for the ob1 point-to-point layer: the default probes UCX first, which costs
 * about 0.2 s per rank, and the map's few small messages need nothing more.
 * Cost: MPI_Init's, about 0.02 s under mpirun with ob1, 0.05 s as a singleton.
 * Returns HYBRID_MPI_OK, HYBRID_MPI_EMPI or HYBRID_MPI_ENOTBUILT.
 */
int hybrid_mpi_init(int *rank, int *ranks);

/**
 * The name of the host this rank runs on (MPI_Get_processor_name), NUL-
 * terminated, into name[0 .. size). Returns HYBRID_MPI_OK, HYBRID_MPI_EINVAL
 * (no init yet, NULL or size 0) or HYBRID_MPI_ENOTBUILT.
 */
int hybrid_mpi_host_name(char *name, size_t size);

/**
 * Gives every rank rank 0's `bytes` bytes at `data` (MPI_Bcast): how the ranks
 * agree on what rank 0 alone knows, such as the chunk geometry of a journal
 * only rank 0 reads. Every rank calls it, with the same `bytes`.
 * Returns HYBRID_MPI_OK, HYBRID_MPI_EINVAL (no init yet, NULL data, bytes
 * above INT_MAX), HYBRID_MPI_EMPI or HYBRID_MPI_ENOTBUILT.
 */
int hybrid_mpi_broadcast(void *data, size_t bytes);

/**
 * Ends MPI (MPI_Finalize, which waits for every rank). If that takes longer
 * than timeout_seconds (a peer is gone), the process ends with exit code 1.
 * Returns HYBRID_MPI_OK, HYBRID_MPI_EMPI or HYBRID_MPI_ENOTBUILT.
 */
int hybrid_mpi_finalize(double timeout_seconds);

/**
 * Ends the whole job with exit_code: MPI_Abort, which asks mpirun to end
 * every rank; if this process still runs grace_seconds later (mpirun or a
 * peer cannot be reached), it ends itself with _exit(exit_code). Flush what
 * must be kept first. In a job of one rank, MPI_Finalize (within the grace
 * period) and _exit(exit_code); without MPI or before init, _exit at once.
 * Never returns.
 */
void hybrid_mpi_abort(int exit_code, double grace_seconds) __attribute__((noreturn));

/**
 * The work for one item: writes the item's result into slot (slot_bytes long,
 * zeroed before the call) and returns 0; any other value fails the run with
 * HYBRID_MPI_EWORK. Called on a rank's worker threads: thread t always gets
 * contexts[t], so each thread may keep an engine of its own there.
 */
typedef int (*hybrid_mpi_item_work)(void *context, uint64_t item, void *slot);

typedef struct hybrid_mpi_map_options {
    /** Items 0 .. items - 1; the same on every rank. */
    uint64_t items;
    /** Result bytes per item, 1 .. HYBRID_MPI_MAX_SLOT_BYTES; the same on every rank. */
    size_t slot_bytes;
    /** Worker threads on this rank, >= 1 (default 1). */
    unsigned threads;
    /** threads entries: thread t calls work(contexts[t], ...). NULL hands every thread NULL. */
    void *const *contexts;
    /**
     * Items a rank asks for beyond those its threads run, so that a thread
     * never waits for rank 0 between items (default: threads). Items are
     * handed out one request at a time, so this is also how many items a
     * message carries at most.
     */
    unsigned prefetch;
    /** Seconds a peer may stay silent before the run is given up (default 10, minimum 0.5). */
    double lease_seconds;

    /* Read on rank 0 only. */
    /** items * slot_bytes bytes: receives every slot, in item order. */
    void *results;
    /** NULL, or items bytes: a nonzero byte marks an item done already, its slot in results. */
    const unsigned char *done;
    /** Handed to on_item and should_stop. */
    void *observer;
    /**
     * Called on the calling thread of rank 0 for every item that finishes in
     * this run (not the done ones), once, in the order results arrive, with
     * its slot (also in results). NULL for none.
     */
    void (*on_item)(void *observer, uint64_t item, const void *slot);
    /**
     * Called on rank 0 after each group of on_item calls (every result that
     * arrived, from other ranks or its own threads, since the group before),
     * before it serves another round: a journal appends in on_item and fsyncs
     * once here, so the slower the fsync, the larger the groups. NULL for none.
     */
    void (*on_batch)(void *observer);
    /** Polled on rank 0 at least every 8 ms; nonzero ends the run with HYBRID_MPI_ESTOPPED. */
    int (*should_stop)(void *observer);
} hybrid_mpi_map_options;

typedef struct hybrid_mpi_map_report {
    int rank;            /* this process's rank */
    int ranks;           /* ranks in the job */
    uint64_t items_here; /* items this rank's threads ran */
    uint64_t messages;   /* rank 0: messages received from other ranks */
    int lost_rank;       /* with HYBRID_MPI_ELOST: the silent peer; else -1 */
    int failed_rank;     /* with HYBRID_MPI_EWORK: the rank whose work failed; else -1 */
    int64_t failed_item; /* with HYBRID_MPI_EWORK: its item; else -1 */
    int work_status;     /* with HYBRID_MPI_EWORK: what work returned */
    int threads_unbound; /* 1 when this rank's binding held fewer processors than its threads,
                            which then ran on every processor of the host (see hybrid_mpi_map) */
} hybrid_mpi_map_report;

/** Sets the defaults noted in hybrid_mpi_map_options (and zeroes the rest). */
void hybrid_mpi_map_options_init(hybrid_mpi_map_options *options);

/**
 * Runs work for every item not marked done, across all ranks; every rank
 * calls it with the same items and slot_bytes. On rank 0, results then holds
 * every slot. Call hybrid_mpi_init() first, from the same thread.
 *
 * Threads and binding: mpirun binds each rank to cores by default, to a
 * single core when it starts two ranks or fewer. A rank whose binding holds
 * fewer processors than `threads` runs its threads on every processor of its
 * host instead (report->threads_unbound), as `mpirun --bind-to none` would;
 * a binding with room for every thread (e.g. --map-by ppr:1:node:PE=32) is
 * kept. The calling thread keeps its binding.
 *
 * Cost per item: one message to rank 0 with its slot, and a share of one
 * message back (up to prefetch items per message); rank 0 serves about
 * 10^5 messages a second (see docs/cluster.md's model).
 *
 * Returns HYBRID_MPI_OK, HYBRID_MPI_EINVAL, HYBRID_MPI_ENOMEM,
 * HYBRID_MPI_ENOTBUILT, HYBRID_MPI_EMPI, HYBRID_MPI_ELOST, HYBRID_MPI_EWORK,
 * HYBRID_MPI_ESTOPPED or HYBRID_MPI_ETHREAD. After any failure the caller
 * must end the job with hybrid_mpi_abort(): other ranks may still wait.
 */
int hybrid_mpi_map(const hybrid_mpi_map_options *options, hybrid_mpi_item_work work,
                   hybrid_mpi_map_report *report);

/** A static name for a status code (never NULL). */
const char *hybrid_mpi_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* HYBRID_MPI_H */
