/*
 * csieve.h -- the C core of hybrid.
 *
 * CSieve counts and sums the primes in any half-open interval [from, to) with
 * 0 <= from <= to <= 2^64 - 1, exactly: counts are 64-bit, sums are 128-bit
 * (returned as two 64-bit halves).
 *
 * Conventions, for every function in this header:
 *   - Names carry the prefix csieve_ (types, functions) or CSIEVE_ (macros).
 *   - Functions that can fail return an int status: CSIEVE_OK (0) on success,
 *     one of the negative CSIEVE_E* codes otherwise; csieve_strerror() names
 *     it. Output parameters are written only on success.
 *   - There is no global mutable state. A caller owns every object it creates
 *     (a csieve_sieve from csieve_sieve_new() is released with
 *     csieve_sieve_free()); distinct objects may be used from distinct threads
 *     or processes at once, and an object may be used in a child after fork().
 *   - Intervals are half-open: [from, to) holds from but not to.
 */
#ifndef CSIEVE_H
#define CSIEVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The version of this API. Before 1.0, a change of CSIEVE_VERSION_MINOR may
 * break source or binary compatibility; a change of CSIEVE_VERSION_PATCH does
 * not. Every library of the hybrid package carries the same version.
 */
#define CSIEVE_VERSION "0.3.0"
#define CSIEVE_VERSION_MAJOR 0
#define CSIEVE_VERSION_MINOR 3
#define CSIEVE_VERSION_PATCH 0

/** CSIEVE_VERSION of the library linked in, which may differ from the header's. */
const char *csieve_version(void);

/* Status codes. */
#define CSIEVE_OK 0
/** An argument is out of its domain (from > to, a null pointer, ...). */
#define CSIEVE_EINVAL (-1)
/** Memory could not be allocated. */
#define CSIEVE_ENOMEM (-2)
/** The visitor of csieve_sieve_each() returned nonzero, which stopped the walk. */
#define CSIEVE_ESTOPPED (-7)

/** The largest value an interval bound may take: 2^64 - 1. */
#define CSIEVE_MAX_TO UINT64_MAX

/**
 * The outcome of sieving one interval.
 *
 * The sum of the primes is sum_high * 2^64 + sum_low. Past 2^64 it needs the
 * high half: the sum of the primes below N overflows 64 bits from
 * N = 29,505,444,492 on (just past the prime 29,505,444,491).
 */
typedef struct csieve_result {
    uint64_t count;    /* number of primes in [from, to) */
    uint64_t sum_low;  /* low 64 bits of their sum */
    uint64_t sum_high; /* high 64 bits of their sum */
} csieve_result;

/* What csieve_sieve_run() computes (a bit set). */
/** Count the primes. Always done. */
#define CSIEVE_COUNT 0u
/** Also sum them; without it sum_low and sum_high are 0. Costs a few percent. */
#define CSIEVE_SUM 1u

/**
 * A segmented sieve of Eratosthenes and the memory it sieves with.
 *
 * The sieve stores the numbers coprime to 30 as bits, 8 bits per 30 numbers
 * (the mod-30 wheel). It copies a precomputed pattern for the primes up to 163,
 * crosses off small primes in L1-cache-sized passes, medium primes (up to the
 * segment size in bytes) one segment at a time, and keeps big primes in
 * buckets (a bucket sieve), so that a prime with no multiple in a segment
 * costs nothing there; big primes step on a mod-2310 wheel. The segment size
 * follows the CPU's cache sizes, read when the sieve is made, and grows with
 * sqrt(to) (see csieve_sieve_set_segment_bytes).
 *
 * Memory, to predict before a long run:
 *   - fixed, at most about 6 MiB resident: the pre-sieve patterns (124 KiB);
 *     the segment buffer (four times the L2 size, touched as far as the
 *     segment in use: 128 KiB at 10^8, 256 KiB to 4 MiB higher up on a 1 MiB
 *     L2); the generator of sieving primes (its segment of up to 256 KiB and
 *     up to 1.5 MiB of the primes it hands out);
 *   - per call over [from, to): 8 bytes for each sieving prime p <= sqrt(to)
 *     that has a multiple in the interval. All of them, pi(sqrt(to)) (about
 *     sqrt(to) / ln(sqrt(to))), when the interval is at least 5 sqrt(to)
 *     wide; in a narrower interval of width W the primes above about W / 4.8
 *     are kept only if a multiple of theirs falls in it (for a prime p, a
 *     chance of about W / (4.8 p)). Plus 16 bytes per segment that the
 *     largest prime can reach ahead (its 14 p / 30 bytes), and a bucket of
 *     8 KiB per such segment at most.
 *   Measured peaks (resident, the process included): [0, 10^10) 9.0 MiB
 *   with hybrid's Swift runtime (about 1 MiB of it the sieve's); [10^18,
 *   +10^10) 406 MiB; [2^64 - 2e9 - 1, 2^64 - 1) 510 MiB; [2^64 - 10^10 - 1,
 *   2^64 - 1) 1229 MiB, where nearly every prime below 2^32 is kept. Chunks of
 *   a range sieved one after another (as hybrid's workers do) each cost their
 *   own interval's primes, not the whole range's.
 */
typedef struct csieve_sieve csieve_sieve;

/**
 * Makes a sieve. Returns NULL when memory runs out.
 * Cost: a few microseconds: it reads the CPU's cache sizes and picks the
 * popcount and pattern loops this CPU runs. The pre-sieve patterns and the
 * buffers (about 0.1 ms) are made by the first csieve_sieve_run()
 * whose to exceeds 2^16, so a sieve that only answers small ranges never pays
 * for them; if memory runs out then, that run returns CSIEVE_ENOMEM.
 */
csieve_sieve *csieve_sieve_new(void);

/**
 * Makes, now, what runs up to `to` set up on first need: the pre-sieve
 * patterns, the segment buffers and the table of the generator's primes
 * (about 4 MiB and 0.1 ms). Call it before fork() when forked children will
 * run the sieve (csieve_chunks_work does): they then share these pages
 * copy-on-write instead of each allocating its own after the fork. A run
 * still grows its lists of sieving primes as its interval needs them.
 * Returns CSIEVE_OK, CSIEVE_EINVAL (sieve NULL) or CSIEVE_ENOMEM.
 */
int csieve_sieve_prepare(csieve_sieve *sieve, uint64_t to);

/** Releases a sieve and all its memory. csieve_sieve_free(NULL) does nothing. */
void csieve_sieve_free(csieve_sieve *sieve);

/**
 * The segment size in bytes (each byte holds 30 numbers): the size set with
 * csieve_sieve_set_segment_bytes(), or, when sizing is automatic, a quarter
 * of L2 (the size from about 10^9 to 10^10; shorter runs take less).
 */
size_t csieve_sieve_segment_bytes(const csieve_sieve *sieve);

/**
 * Sets the segment size in bytes. The value is clamped to [64, 8 MiB] and
 * rounded down to a power of two; 0 restores automatic sizing, which picks
 * per run twice sqrt(to) rounded up to a power of two (eight times sqrt(to)
 * below a quarter of L2), between the L1 data cache and four times L2 (128 KiB
 * at 10^8, 256 KiB from 10^9 to 10^10, 2 MiB at 10^12, 4 MiB from about
 * 4 * 10^12 on a 1 MiB L2).
 * Returns csieve_sieve_segment_bytes() (0 if memory ran out).
 * Answers never depend on it: tests use tiny segments to put many segment
 * edges and bucket-sieved primes into small intervals. Tiny segments are
 * costly high up, though: the big primes' lists take 16 bytes per segment
 * that the largest sieving prime reaches ahead (about 14 sqrt(to) / 30
 * bytes), cleared on every call: near 2^64 with 64-byte segments that is
 * about 530 MB; with the automatic size, under 1 MiB.
 */
size_t csieve_sieve_set_segment_bytes(csieve_sieve *sieve, size_t bytes);

/**
 * Counts (and with CSIEVE_SUM sums) the primes in [from, to).
 *
 * Requires from <= to (else CSIEVE_EINVAL). Every to <= 2^64 - 1 is valid;
 * up to to = 2^16 a plain sieve answers without any set-up.
 * Cost: O(sqrt(to)) set-up per call (it generates the primes up to sqrt(to)
 * and files those with a multiple in the interval: about 10 ms at 10^15,
 * 0.25 s at 10^18, 1 s just below 2^64), then about
 * (to - from) * log log(to) / 30 byte operations. Successive calls over
 * adjacent chunks of a large interval each pay only their own set-up, so
 * chunks of at least a few hundred times sqrt(to) keep full speed.
 *
 * Returns CSIEVE_OK, CSIEVE_EINVAL or CSIEVE_ENOMEM.
 */
int csieve_sieve_run(csieve_sieve *sieve, uint64_t from, uint64_t to, unsigned flags,
                     csieve_result *result);

/**
 * Receives a batch of primes from csieve_sieve_each(): count > 0 primes in
 * increasing order, valid only during the call. Returns 0 to go on, anything
 * else to stop the walk.
 */
typedef int (*csieve_prime_visitor)(void *context, const uint64_t *primes, size_t count);

/**
 * Hands every prime in [from, to) to visit, in increasing order, in batches
 * of at most 32,768 (one per 4 KiB of sieve, about 120,000 numbers), so that
 * a caller can list any range in constant memory.
 *
 * Requires from <= to and visit (else CSIEVE_EINVAL). Cost: that of
 * csieve_sieve_run() plus about one cycle per prime found to list it, and a
 * 256 KiB batch buffer allocated per call.
 * Returns CSIEVE_OK, CSIEVE_EINVAL, CSIEVE_ENOMEM, or CSIEVE_ESTOPPED when
 * visit returned nonzero (the primes before that batch were all handed over).
 */
int csieve_sieve_each(csieve_sieve *sieve, uint64_t from, uint64_t to, csieve_prime_visitor visit,
                      void *context);

/**
 * One-shot convenience: makes a sieve, runs it over [from, to) with
 * CSIEVE_SUM, frees it. Same return values as csieve_sieve_run().
 */
int csieve_primes(uint64_t from, uint64_t to, csieve_result *result);

/** A static, human-readable name for a status code (never NULL). */
const char *csieve_strerror(int status);


/* ========================================================================== */
/* Fetching                                                                   */
/* ========================================================================== */
/*
 * CSieve also fetches URLs with libcurl, for the I/O-bound half of hybrid.
 * A batch (csieve_fetch_batch) hands out URLs and takes back results; one or
 * more fetchers (csieve_fetcher), each on its own thread, take the next URL
 * from the batch, fetch it and give the batch its result, so a batch is
 * fetched exactly once however many fetchers share it. Each URL's index is
 * its position in the input, so results can be put back in order.
 *
 * A batch is either an array (csieve_fetch_batch_new: URLs in, one result
 * slot per URL out) or a stream (csieve_fetch_stream_new: a source callback
 * gives the next URL when a fetcher needs one, a sink callback gets each
 * result as it finishes), so a list of a million URLs needs memory for the
 * transfers in flight only.
 *
 * A fetcher owns one libcurl handle and is never shared between threads:
 *   - window 0: one easy handle, reused for every URL, one transfer at a time;
 *   - window K >= 1: one multi handle keeping up to K transfers in flight,
 *     adding one as one finishes, driven by curl_multi_poll().
 * Only http and https are fetched. https speaks HTTP/2 where the server
 * offers it (ALPN), and a multi handle multiplexes its transfers to one host
 * over one connection; plain http speaks HTTP/1.1 (never h2c, whose upgrade
 * breaks connection reuse in libcurl 7.88). Certificates are verified against
 * the system's authorities unless told otherwise. Redirects are followed (up
 * to 10 by default). Connections are kept alive and reused within a fetcher.
 *
 * Rules for callers:
 *   - Call csieve_fetch_global_init() before starting any thread that fetches
 *     (it opens libcurl.so.4, runs curl_global_init once, through
 *     pthread_once, and sets SIGPIPE to be ignored, since a peer that closes a
 *     socket must not kill the process). It is the only global state CSieve
 *     touches. libcurl is opened then rather than linked, so a program that
 *     only sieves never maps libcurl and its TLS stack; without libcurl.so.4
 *     installed, csieve_fetch_global_init() returns CSIEVE_ECURL.
 *   - Each URL's outcome is one csieve_fetch_result: a failed transfer
 *     (malformed URL, no scheme, unsupported scheme, refused connection,
 *     untrusted certificate, time-out, redirect loop, ...) is a result with
 *     curl_code != 0 and a message, never a failed batch.
 *   - A transfer in flight holds up to three file descriptors (its
 *     connection, and for an easy handle libcurl's internal wake-up pair, or
 *     a name resolver's pair while it resolves), plus one while it writes a
 *     body file; a multi handle holds two more. The caller sizes windows to
 *     the process's descriptor limit.
 *
 * Retries (options.retries) follow a transport error or a 5xx status, after
 * retry_backoff, then twice that, and so on, each wait capped at
 * CSIEVE_FETCH_MAX_BACKOFF. Failures that no retry can fix are never
 * retried: malformed URLs and unsupported schemes, name resolution (DNS)
 * failures, certificate failures, too many redirects or a loop, bodies over
 * the maximum, a body file that cannot be written, and a stopped batch.
 *
 * Needs libcurl 7.85 or later (CURLOPT_PROTOCOLS_STR), with nghttp2 for
 * HTTP/2.
 *
 * Example: fetch three URLs, up to two at a time, on the calling thread.
 *
 *   #include <csieve.h>
 *   #include <stdio.h>
 *
 *   int main(void) {
 *       const char *urls[] = {"https://example.com/", "http://127.0.0.1:8080/status/404",
 *                             "ftp://example.invalid/"};
 *       csieve_fetch_result results[3];
 *       csieve_fetch_options options;
 *       if (csieve_fetch_global_init() != CSIEVE_OK) return 1;
 *       csieve_fetch_options_init(&options);
 *       options.total_timeout = 10;
 *       csieve_fetch_batch *batch = csieve_fetch_batch_new(urls, 3, results);
 *       csieve_fetcher *fetcher = csieve_fetcher_new(&options, 2);
 *       if (batch == NULL || fetcher == NULL) return 1;
 *       int status = csieve_fetcher_run(fetcher, batch);
 *       for (size_t i = 0; i < 3; i++)
 *           printf("%s: status %ld, HTTP %d, %llu bytes, %s\n", urls[i], results[i].status,
 *                  results[i].http_version, (unsigned long long)results[i].bytes,
 *                  results[i].error);
 *       csieve_fetcher_free(fetcher);
 *       csieve_fetch_batch_free(batch);
 *       return status == CSIEVE_OK ? 0 : 1;
 *   }
 *
 * To fetch on T threads, make one fetcher per thread and call
 * csieve_fetcher_run() on the same batch from each.
 */

/** libcurl could not be initialised, or refused a handle or an option. */
#define CSIEVE_ECURL (-3)

/** The longest wait before a retry, in seconds (10 minutes): backoffs stop doubling there. */
#define CSIEVE_FETCH_MAX_BACKOFF 600.0
/**
 * The longest time limit honoured, in seconds (about 31.7 years): a larger
 * total_timeout, connect_timeout or stall_timeout is taken as this one, so
 * no conversion to libcurl's milliseconds can overflow.
 */
#define CSIEVE_FETCH_MAX_TIMEOUT 1e9

/** csieve_fetch_options.http_version: HTTP/2 over TLS where offered, HTTP/1.1 otherwise. */
#define CSIEVE_HTTP_DEFAULT 0
/** csieve_fetch_options.http_version: HTTP/1.1 always. */
#define CSIEVE_HTTP_1_1 11

/**
 * How a fetcher fetches. Set every field with csieve_fetch_options_init()
 * first, then change the ones you need, so that fields added later keep
 * their defaults. csieve_fetcher_new() copies the options and the strings
 * they point to.
 */
typedef struct csieve_fetch_options {
    /** Limit on a whole transfer, in seconds; 0 means none. Default 0. */
    double total_timeout;
    /** Limit on connecting (TLS handshake included), in seconds; 0 means none. Default 30. */
    double connect_timeout;
    /**
     * Ends a transfer that receives less than 1 byte per second over this
     * many seconds (a silent server), while a slow but moving download
     * goes on; 0 means never. Default 60.
     */
    double stall_timeout;
    /**
     * Further attempts after a transport error (curl_code != 0) or a 5xx
     * status, except the failures no retry can fix (see above); the result
     * is that of the last attempt. Default 0.
     */
    unsigned retries;
    /**
     * Seconds to wait before the first retry; each further retry waits twice
     * as long as the one before, up to CSIEVE_FETCH_MAX_BACKOFF. NaN and
     * negative values are 0. Default 0.1.
     */
    double retry_backoff;
    /**
     * Largest body accepted (after decoding), in bytes; a longer one ends the
     * transfer with CURLE_FILESIZE_EXCEEDED. 0, and values above INT64_MAX,
     * mean no limit. Default 0.
     */
    uint64_t max_body_bytes;
    /**
     * Nonzero keeps each body in its result (see csieve_fetch_result); 0
     * counts the bytes and drops them. Default 0.
     */
    int keep_bodies;
    /** CSIEVE_HTTP_DEFAULT or CSIEVE_HTTP_1_1. Default CSIEVE_HTTP_DEFAULT. */
    int http_version;
    /** Nonzero follows redirects (Location); 0 reports the 3xx itself. Default 1. */
    int follow_redirects;
    /**
     * Redirects followed at most; one more is a failed result
     * (CURLE_TOO_MANY_REDIRECTS). A URL that answers a redirect a second time
     * within one transfer is a loop, failed at once. Default 10.
     */
    long max_redirects;
    /** Nonzero skips certificate and host-name verification. Default 0. */
    int insecure;
    /** A PEM file of authorities to trust instead of the system's; NULL for the system's. */
    const char *ca_file;
    /** Nonzero asks for every content encoding libcurl decodes (gzip, deflate, br, zstd). */
    int compressed;
    /**
     * A directory to write each body to, as the file named by the URL's
     * index ("0", "1", ...). A body is written to ".INDEX.part" and renamed
     * when its transfer completed, so a failed or stopped transfer never
     * leaves a file under the final name. NULL writes no files. Default NULL.
     */
    const char *output_directory;
    /** The User-Agent header; NULL sends "csieve/VERSION libcurl/VERSION". */
    const char *user_agent;
    /** header_count extra request headers, each "Name: value". Default none. */
    const char *const *headers;
    size_t header_count;
    /**
     * At most this many connections to one host (host and port) at once; 0
     * means no cap. A multi handle caps its own connections (HTTP/2 streams
     * share one); easy-handle fetchers of one batch wait for each other.
     */
    unsigned per_host;
} csieve_fetch_options;

/** Fills options with the defaults above. Cost: O(1). */
void csieve_fetch_options_init(csieve_fetch_options *options);

/** The length of csieve_fetch_result.error, its terminating NUL included. */
#define CSIEVE_FETCH_ERROR_SIZE 256

/**
 * The outcome of fetching one URL (its last attempt). Times are in seconds
 * from the start of that attempt, as libcurl measures them; what an attempt
 * never reached (no transfer at all, no connection, no response) is 0.
 */
typedef struct csieve_fetch_result {
    /** The HTTP status code of the last response; 0 when none arrived. */
    long status;
    /** Body bytes delivered, after any content decoding (--compressed). */
    uint64_t bytes;
    /** Body bytes as received on the wire, before content decoding. */
    uint64_t bytes_received;
    /** Total time of the transfer. */
    double total_seconds;
    /** Time until the connection was made (0 for a reused one). */
    double connect_seconds;
    /** Time until the first byte of the response arrived. */
    double first_byte_seconds;
    /** libcurl's CURLcode: 0 (CURLE_OK) when the transfer completed. */
    int curl_code;
    /** Attempts made: 1 plus the retries used. */
    unsigned attempts;
    /** Redirects followed. */
    unsigned redirects;
    /** The HTTP version of the last response: 10, 11, 20 or 30; 0 when none arrived. */
    int http_version;
    /** New connections this URL's attempts opened (0 when they reused one). */
    unsigned connections;
    /** Nonzero when the body was written to output_directory under the URL's index. */
    int saved;
    /** The URL the last response came from (after redirects). */
    const char *final_url;
    /** libcurl's message for curl_code, NUL-terminated; "" when it is 0. */
    char error[CSIEVE_FETCH_ERROR_SIZE];
    /** With keep_bodies: the body, body_length bytes (NULL when it was empty). */
    unsigned char *body;
    size_t body_length;
} csieve_fetch_result;

/** What a csieve_fetch_source returns: no more URLs, ever. */
#define CSIEVE_FETCH_END 0
/** What a csieve_fetch_source returns: *url and *length hold the next URL. */
#define CSIEVE_FETCH_URL 1
/**
 * What a csieve_fetch_source returns: no URL is ready yet (input still
 * coming); the fetcher goes on with its transfers and asks again within 5 ms.
 */
#define CSIEVE_FETCH_LATER 2

/**
 * A stream's source: sets *url to the next URL, *length bytes long (the
 * string needs no NUL; a NUL inside it makes that URL a failed result), and
 * returns CSIEVE_FETCH_URL; or returns CSIEVE_FETCH_LATER or
 * CSIEVE_FETCH_END. The fetcher copies the URL before the next call. Calls
 * are serialised by the batch, from whichever fetcher thread needs a URL.
 * A source should not block: a fetcher waiting in it moves none of its
 * transfers; return CSIEVE_FETCH_LATER instead.
 */
typedef int (*csieve_fetch_source)(void *context, const char **url, size_t *length);

/**
 * A stream's sink: receives the result of the URL with this index (the
 * index-th URL the source gave, from 0). result, its final_url and body are
 * valid only during the call. Calls are serialised by the batch (a slow sink
 * slows every fetcher), from whichever fetcher thread finished the URL;
 * a sink call may run while the source is called from another thread.
 */
typedef void (*csieve_fetch_sink)(void *context, size_t index, const char *url,
                                  size_t url_length, const csieve_fetch_result *result);

/** URLs to fetch and where their results go, shared by every fetcher working on it. */
typedef struct csieve_fetch_batch csieve_fetch_batch;

/**
 * Makes a batch over urls[0..count): results[i] receives urls[i]'s result.
 * The caller owns both arrays, which must outlive the batch; results are
 * zeroed here. Bodies and final URLs in the results are copies owned by the
 * batch: csieve_fetch_batch_free() releases them. Cost: O(count).
 * Returns NULL when memory runs out, or count > 0 and an array is NULL.
 */
csieve_fetch_batch *csieve_fetch_batch_new(const char *const *urls, size_t count,
                                           csieve_fetch_result *results);

/**
 * Makes a batch that takes URLs from source and gives results to sink, both
 * called with context. Memory stays bounded by the transfers in flight,
 * however many URLs the source gives. Cost: O(1).
 * Returns NULL when memory runs out or a callback is NULL.
 */
csieve_fetch_batch *csieve_fetch_stream_new(csieve_fetch_source source, csieve_fetch_sink sink,
                                            void *context);

/** Releases a batch (after every fetcher on it returned). NULL does nothing. */
void csieve_fetch_batch_free(csieve_fetch_batch *batch);

/**
 * The number of URLs of the batch finished so far, read atomically: safe to
 * call from any thread while fetchers run (for progress). Cost: O(1).
 */
size_t csieve_fetch_batch_done(const csieve_fetch_batch *batch);

/** The number of URLs fetchers have taken so far (finished or in flight). Thread-safe. */
size_t csieve_fetch_batch_taken(csieve_fetch_batch *batch);

/**
 * Stops the batch: fetchers take no more URLs, end the transfers in flight
 * (and retries waiting) within about 0.1 s, report each of those as
 * CURLE_ABORTED_BY_CALLBACK ("interrupted"), delete their unfinished body
 * files, and return. One atomic store: safe from any thread, and from a
 * signal handler.
 */
void csieve_fetch_batch_stop(csieve_fetch_batch *batch);

/** Whether csieve_fetch_batch_stop() was called. Thread-safe. */
int csieve_fetch_batch_stopped(const csieve_fetch_batch *batch);

/**
 * Runs curl_global_init(CURL_GLOBAL_DEFAULT) once per process (later calls
 * return its first answer) and ignores SIGPIPE. Call it before any thread
 * that fetches starts. Cost: the first call loads libcurl and sets up its
 * TLS library; later calls are O(1).
 * Returns CSIEVE_OK or CSIEVE_ECURL.
 */
int csieve_fetch_global_init(void);

/** The default User-Agent, "csieve/VERSION libcurl/VERSION" (static storage). */
const char *csieve_fetch_user_agent(void);

/** A fetcher: one libcurl easy or multi handle and its transfers. */
typedef struct csieve_fetcher csieve_fetcher;

/**
 * Makes a fetcher. window 0 makes an easy-handle fetcher (one transfer at a
 * time); window K >= 1 makes a multi-handle fetcher with up to K transfers in
 * flight. options may be NULL for the defaults; it is copied.
 * Cost: O(window) allocations; connections open lazily.
 * Returns NULL when memory runs out, libcurl refuses a handle or an option,
 * or output_directory cannot be opened; call csieve_fetch_global_init() first.
 */
csieve_fetcher *csieve_fetcher_new(const csieve_fetch_options *options, unsigned window);

/**
 * Releases a fetcher, its handles and its open connections.
 * csieve_fetcher_free(NULL) does nothing.
 */
void csieve_fetcher_free(csieve_fetcher *fetcher);

/**
 * Fetches URLs of the batch until none is left to take or the batch is
 * stopped: takes the next URL, fetches it (retrying as the options say),
 * gives the batch its result, and takes another. Many fetchers, each on its
 * own thread, may run on one batch at once.
 * Cost: the network's. On a reused connection the CPU cost per transfer is
 * libcurl's parsing plus a few system calls (a send, a receive, a poll); a new
 * connection adds its TCP and TLS handshakes. Measured rates are in the README.
 * Returns CSIEVE_OK once the batch has no URL left to take (per-URL failures
 * are in the results), CSIEVE_EINVAL for a NULL argument, CSIEVE_ENOMEM or
 * CSIEVE_ECURL when the fetcher itself fails; then every URL it had taken
 * still gets a result (curl_code CURLE_OUT_OF_MEMORY or
 * CURLE_FAILED_INIT) and the URLs it had not taken stay for other fetchers.
 */
int csieve_fetcher_run(csieve_fetcher *fetcher, csieve_fetch_batch *batch);

/* ========================================================================== */
/* Worker processes                                                           */
/* ========================================================================== */
/*
 * csieve_fork_run() runs numbered items across forked worker processes, each
 * item's result written into its own fixed-size slot of a shared memory
 * region made before the first fork. Workers pull the next item from one
 * atomic counter in that region, so a slow item never holds up the others.
 *
 * Nothing is lost when a worker dies (killed by a signal from outside, a
 * crash, a non-zero exit): the parent reaps it, reports it through on_death,
 * and forks a replacement that runs the item the dead worker held before
 * taking new ones; when every worker has ended, any item still undone (its
 * worker died between taking and recording it) is run again. After more than
 * max_deaths deaths the run stops with CSIEVE_EWORKERS instead of retrying
 * forever.
 *
 * Fork rules this follows, and asks of its caller: call it from a process with
 * no other threads running (or only threads that never hold a lock the work
 * function needs: the children run `work` and nothing else, then _exit).
 * Allocate what `work` reads before the call. Workers keep the caller's
 * ignored signals ignored, and die with their parent (PR_SET_PDEATHSIG), so
 * no orphan outlives it.
 *
 * Signals, decided:
 *   - SIGCHLD stays the caller's. The supervisor waits on a pidfd per worker
 *     and reaps only its own workers, by pid; it neither blocks nor takes
 *     SIGCHLD, so a handler of the caller's runs as usual (for the workers'
 *     exits too) and children the caller forked itself are the caller's to
 *     reap. Only when the caller ignores SIGCHLD (SIG_IGN or SA_NOCLDWAIT),
 *     which would have the workers vanish unreaped, is the disposition set to
 *     the default for the run and restored after; a child of the caller's that
 *     ends in that window stays a zombie until the caller reaps it.
 *   - A handler of the caller's that reaps every child (waitpid(-1, ...))
 *     takes workers' statuses away from the pool. Such a worker is judged by
 *     its item: if it had recorded it, nothing was lost and it is no death;
 *     otherwise it is a death with an unknown cause, reported to on_death
 *     with signal 0 and exit code -1 (never as "exited with code 0").
 *   - handle_signals = 1: SIGINT and SIGTERM are blocked on the calling
 *     thread for the run (other threads should block them as well) and read
 *     through a signalfd; when one arrives every worker is ended (SIGTERM,
 *     then SIGKILL after 0.5 s) and reaped, and the call returns CSIEVE_EINTR
 *     with the signal in the report.
 *   - handle_signals = 0: the caller's dispositions stay as they are. A worker
 *     killed by SIGINT or SIGTERM (Ctrl-C reaches the whole foreground process
 *     group) is never replaced: the pool takes it as a request to stop, ends
 *     and reaps every worker and returns CSIEVE_EINTR with that signal, rather
 *     than replacing workers until max_deaths runs out. What the signal does
 *     to the caller itself is the caller's disposition's business (by default
 *     it ends the caller, and PR_SET_PDEATHSIG the workers).
 */

/** Too many workers died; the run was stopped. */
#define CSIEVE_EWORKERS (-4)
/** A SIGINT or SIGTERM ended the run (csieve_fork_report.signal says which). */
#define CSIEVE_EINTR (-5)
/** fork() failed and no worker could run (or none could for an unfinished item). */
#define CSIEVE_EFORK (-6)

/**
 * The work for one item, run in a forked child. It writes the item's result
 * into slot (slot_bytes long, zeroed before the call) and returns 0; any other
 * value ends the worker with exit code 3, which counts as a death. item is the
 * item's number: first_item + its index within the run.
 */
typedef int (*csieve_item_work)(void *context, uint64_t item, void *slot);

typedef struct csieve_fork_options {
    unsigned workers;     /* processes at once, >= 1 (default 1) */
    uint64_t items;       /* items in the run: numbers first_item .. first_item + items - 1 */
    size_t slot_bytes;    /* result bytes per item, > 0 */
    unsigned max_deaths;  /* worker deaths tolerated (default 4) */
    int handle_signals;   /* stop on SIGINT/SIGTERM, see above (default 0) */
    void *context;        /* handed to on_progress, on_death and on_item */
    /* Called in the parent about every 50 ms (10 ms with on_item) while the count of finished
       items (those finished before the run included) grows. */
    void (*on_progress)(void *context, uint64_t items_done);
    /* Called in the parent for each death that is repaired (not the one past max_deaths): its
       pid, the signal that killed it (0 if it exited), its exit code (-1 if signalled, and -1
       with signal 0 when its status is unknown, see above) and the item number it lost (-1 if
       none). */
    void (*on_death)(void *context, int pid, int signal, int exit_code, int64_t lost_item);
    /* Fault injection for tests: the worker that takes item number fault_item kills itself with
       SIGKILL before running it: the first time only, or every time. -1 (default): never.
       With fault_before_claim it dies before recording that it holds the item, the
       window a final sweep for undone items covers. */
    int64_t fault_item;
    int fault_every_time;
    int fault_before_claim;
    /* The number of the run's first item (default 0): a long list can run in batches of bounded
       shared memory, each batch's work and callbacks seeing the items' own numbers. */
    uint64_t first_item;
    /* NULL (default), or items flags: a nonzero flag marks an item finished before the run (read
       from a journal, say), whose slot the caller has already put in results. Such items are
       never run and never passed to on_item. */
    const unsigned char *finished;
    /* Called in the parent for each item this run finishes, soon after its worker records it
       (the supervisor looks every 10 ms and whenever a worker ends), with the item number and
       its slot (slot_bytes, valid during the call): a journal can write and fsync it there.
       Items of a run that ends in an error may have been passed already; none is passed twice.
       Default NULL. */
    void (*on_item)(void *context, uint64_t item, const void *slot);
} csieve_fork_options;

typedef struct csieve_fork_report {
    unsigned deaths; /* workers that died (with CSIEVE_EWORKERS, the fatal one included) */
    int signal;      /* with CSIEVE_EINTR: SIGINT or SIGTERM */
} csieve_fork_report;

/** Sets the defaults noted in csieve_fork_options. */
void csieve_fork_options_init(csieve_fork_options *options);

/**
 * Runs work(work_context, first_item + k, slot) for every k < options->items
 * on options->workers forked processes and copies the results (items *
 * slot_bytes bytes, in item order) into results.
 *
 * Cost: one fork per worker (plus one per death), a shared mapping of about
 * items * (slot_bytes + 1) bytes, and a supervisor that wakes when a worker
 * ends, on a stop signal, or every 50 ms (10 ms with on_item).
 * Returns CSIEVE_OK, CSIEVE_EINVAL (a NULL or zero argument, first_item +
 * items past 2^64), CSIEVE_ENOMEM (memory, or a region size that does not fit
 * in size_t: every size is computed with overflow checks), CSIEVE_EWORKERS,
 * CSIEVE_EINTR or CSIEVE_EFORK; results are written only with CSIEVE_OK.
 *
 * Example: square 0 .. 999 on four processes.
 *
 *   #include <csieve.h>
 *   #include <stdio.h>
 *
 *   static int square(void *context, uint64_t item, void *slot) {
 *       (void)context;
 *       *(uint64_t *)slot = item * item;
 *       return 0;
 *   }
 *
 *   int main(void) {
 *       static uint64_t squares[1000];
 *       csieve_fork_options options;
 *       csieve_fork_report report;
 *       csieve_fork_options_init(&options);
 *       options.workers = 4;
 *       options.items = 1000;
 *       options.slot_bytes = sizeof(uint64_t);
 *       int status = csieve_fork_run(&options, square, NULL, squares, &report);
 *       if (status != CSIEVE_OK) return 1;
 *       printf("%llu\n", (unsigned long long)squares[999]);
 *       return 0;
 *   }
 */
int csieve_fork_run(const csieve_fork_options *options, csieve_item_work work, void *work_context,
                    void *results, csieve_fork_report *report);

/* ------------------------------------------------------------------------ */
/* Chunks: the one definition of how a range is cut into pieces of work.     */
/* ------------------------------------------------------------------------ */

/**
 * The chunk width planned for [from, to) on `workers` workers: at least 8
 * chunks per worker when there are several and the range is large enough (one
 * worker takes chunks as wide as they may be), each between 2^24 and
 * 2^27 numbers, but never below 256 * sqrt(to) (so the per-call set-up of the
 * sieving primes stays under 1% of a chunk's work), rounded up to a multiple
 * of 30 * 64 (whole sieve words). A journal records the width, so a resumed
 * run uses the same chunks whatever its worker count. Cost: O(1).
 */
uint64_t csieve_chunk_width(uint64_t from, uint64_t to, unsigned workers);

/** The number of chunks of width chunk_width in [from, to): at least 1, even for an empty range. */
uint64_t csieve_chunk_count(uint64_t from, uint64_t to, uint64_t chunk_width);

/**
 * Chunk `item` of [from, to): [from + item * chunk_width, min(that +
 * chunk_width, to)). Returns CSIEVE_OK, or CSIEVE_EINVAL when from > to,
 * chunk_width is 0, an output is NULL or item >= csieve_chunk_count().
 */
int csieve_chunk_bounds(uint64_t from, uint64_t to, uint64_t chunk_width, uint64_t item, uint64_t *chunk_from,
                        uint64_t *chunk_to);

/**
 * A ready-made csieve_item_work for sieving: item i is csieve_chunk_bounds()'s
 * chunk i and its slot a csieve_result. Make the sieve and call
 * csieve_sieve_prepare(sieve, to) before csieve_fork_run, so each child sieves
 * with its own copy-on-write copy of memory made before the fork.
 */
typedef struct csieve_chunks {
    csieve_sieve *sieve;
    uint64_t from, to, chunk_width;
    unsigned flags; /* CSIEVE_COUNT or CSIEVE_SUM */
} csieve_chunks;

int csieve_chunks_work(void *chunks, uint64_t item, void *slot);

#ifdef __cplusplus
}
#endif

#endif /* CSIEVE_H */
