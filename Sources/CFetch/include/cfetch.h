/*
 * cfetch.h -- batches of URLs fetched with libcurl: TLS, HTTP/2, redirects.
 *
 * A batch (cfetch_batch) hands out URLs and takes back results; one or more
 * fetchers (cfetch_fetcher), each on its own thread, take the next URL from
 * the batch, fetch it and give the batch its result, so a batch is fetched
 * exactly once however many fetchers share it. Each URL's index is its
 * position in the input, so results can be put back in order. The manual,
 * with a whole example program, is docs/fetch-c-api.md.
 *
 * Conventions, for every function in this header:
 *   - Names carry the prefix cfetch_ (types, functions) or CFETCH_ (macros).
 *   - Functions that can fail return an int status: CFETCH_OK (0) on success,
 *     one of the negative CFETCH_E* codes otherwise; cfetch_strerror() names
 *     it. Each URL's own failure is a result, never a failed call.
 *   - Pointers are never NULL unless marked _Nullable.
 *   - Process-wide state, one contract: cfetch_global_init() opens libcurl,
 *     runs curl_global_init() and ignores SIGPIPE, once per process, before
 *     any thread fetches. libcurl 7.88 requires that curl_global_init() run
 *     once, before any handle exists and while no other thread uses libcurl;
 *     what it sets up (libcurl's functions, the default User-Agent, why it
 *     failed) is written only then and only read afterwards. Apart from
 *     it the caller owns every object: a batch is shared by its fetchers
 *     (its calls are thread-safe), a fetcher is used by one thread at a time.
 *
 * Needs libcurl 7.85 or later, with nghttp2 for HTTP/2, opened at run time
 * rather than linked (docs/fetch-c-api.md says why).
 */
#ifndef CFETCH_H
#define CFETCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

/*
 * The version of this API. Before 1.0, a change of CFETCH_VERSION_MINOR may
 * break source or binary compatibility; a change of CFETCH_VERSION_PATCH does
 * not.
 */
#define CFETCH_VERSION "0.3.0"
#define CFETCH_VERSION_MAJOR 0
#define CFETCH_VERSION_MINOR 3
#define CFETCH_VERSION_PATCH 0

/** CFETCH_VERSION of the library linked, which may differ from the header's (static storage). */
const char *cfetch_version(void);

/* Status codes. */
#define CFETCH_OK 0
/** An argument is out of its domain (a null pointer, ...). */
#define CFETCH_EINVAL (-1)
/** Memory could not be allocated. */
#define CFETCH_ENOMEM (-2)
/** libcurl could not be initialised, or refused a handle or an option. */
#define CFETCH_ECURL (-3)
/** A file or directory could not be opened (output_directory). */
#define CFETCH_EIO (-4)

/** A static, human-readable name for a status code. */
const char *cfetch_strerror(int status);

/** The longest wait before a retry, in seconds (10 minutes): backoffs stop doubling there. */
#define CFETCH_MAX_BACKOFF 600.0
/**
 * The longest time limit honoured, in seconds (about 31.7 years): a larger
 * total_timeout, connect_timeout or stall_timeout is taken as this one, so
 * no conversion to libcurl's milliseconds can overflow.
 */
#define CFETCH_MAX_TIMEOUT 1e9

/** cfetch_options.file_names: each body is named by its URL's index ("0", "1", ...). */
#define CFETCH_NAME_INDEX 0
/**
 * cfetch_options.file_names: each body is named by the last segment of its
 * final URL's path (the index when that is empty, "." or ".."; a leading dot
 * becomes "_"), with ".1", ".2", ... added where a file of that name exists.
 */
#define CFETCH_NAME_URL 1

/** cfetch_options.http_version: HTTP/2 over TLS where offered, HTTP/1.1 otherwise. */
#define CFETCH_HTTP_DEFAULT 0
/** cfetch_options.http_version: HTTP/1.1 always. */
#define CFETCH_HTTP_1_1 11

/**
 * How a fetcher fetches. Set every field with cfetch_options_init() first,
 * then change the ones you need, so that fields added later keep their
 * defaults. cfetch_fetcher_new() copies the options and the strings they
 * point to.
 */
typedef struct cfetch_options {
    /** Limit on a whole transfer, in seconds; 0 means none. Default 0. */
    double total_timeout;
    /** Limit on connecting (TLS handshake included), in seconds; 0 means none. Default 30. */
    double connect_timeout;
    /**
     * Ends a transfer that receives no byte for this many seconds once
     * libcurl began it (a silent server), with CURLE_OPERATION_TIMEDOUT,
     * while a slow but moving download goes on; checked at least every
     * 0.1 s, so it fires within about 0.1 s of the limit; 0 means never.
     * Default 60.
     */
    double stall_timeout;
    /**
     * Further attempts after a transport error (curl_code != 0) or a 5xx
     * status, except failures no retry can fix: malformed URLs, unsupported
     * schemes, DNS failures, certificate failures, too many redirects or a
     * loop, bodies over the maximum, unwritable body files, a stopped batch.
     * Besides, a request that the end of a reused connection cut off before
     * any answer (an HTTP/2 GOAWAY's race) is repeated once, at once, as
     * libcurl repeats one sent on a closed connection; attempts counts it.
     * The result is that of the last attempt. Default 0.
     */
    unsigned retries;
    /**
     * Seconds to wait before the first retry; each further retry waits twice
     * as long as the one before, up to CFETCH_MAX_BACKOFF. NaN and negative
     * values are 0. Default 0.1.
     */
    double retry_backoff;
    /**
     * Largest body accepted (after decoding), in bytes; a longer one ends the
     * transfer with CURLE_FILESIZE_EXCEEDED. 0, and values above INT64_MAX,
     * mean no limit. Default 0.
     */
    uint64_t max_body_bytes;
    /** Nonzero keeps each body in its result; 0 counts the bytes and drops them. Default 0. */
    int keep_bodies;
    /** CFETCH_HTTP_DEFAULT or CFETCH_HTTP_1_1. Default CFETCH_HTTP_DEFAULT. */
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
    const char *_Nullable ca_file;
    /** Nonzero asks for every content encoding libcurl decodes (gzip, deflate, br, zstd). */
    int compressed;
    /**
     * Nonzero fails a URL whose last response has a status of 400 or more,
     * as curl's --fail does: curl_code CURLE_HTTP_RETURNED_ERROR, status
     * kept, the body neither saved to output_directory nor kept. Default 0.
     */
    int fail_on_http_error;
    /**
     * A directory to write each body to, named as file_names says: written to
     * ".INDEX.part" and renamed when its transfer completed, so a failed or
     * stopped transfer never leaves a file under the final name. NULL writes
     * no files. Default NULL.
     */
    const char *_Nullable output_directory;
    /** CFETCH_NAME_INDEX or CFETCH_NAME_URL. Default CFETCH_NAME_INDEX. */
    int file_names;
    /** The User-Agent header; NULL sends "cfetch/VERSION libcurl/VERSION". */
    const char *_Nullable user_agent;
    /** header_count extra request headers, each "Name: value"; NULL when header_count is 0. */
    const char *_Nonnull const *_Nullable headers;
    /** The number of headers. Default 0. */
    size_t header_count;
    /**
     * At most this many connections to one host (host and port) at once; 0
     * means no cap. A multi handle caps its own connections (HTTP/2 streams
     * share one); easy-handle fetchers of one batch wait for each other.
     */
    unsigned per_host;
} cfetch_options;

/** Fills options with the defaults above. Cost: O(1). */
void cfetch_options_init(cfetch_options *options);

/** The length of cfetch_result.error, its terminating NUL included. */
#define CFETCH_ERROR_SIZE 256

/**
 * The outcome of fetching one URL (its last attempt). Times are in seconds
 * from the start of that attempt, as libcurl measures them; what an attempt
 * never reached (no transfer at all, no connection, no response) is 0.
 */
typedef struct cfetch_result {
    /** The HTTP status code of the last response; 0 when none arrived. */
    long status;
    /** Body bytes delivered, after any content decoding (compressed). */
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
    /**
     * New connections this URL's attempts opened (0 when they reused one);
     * 0 for an interrupted URL, whose connections never served it.
     */
    unsigned connections;
    /** Nonzero when the body was written to output_directory, as file_name. */
    int saved;
    /** With saved: the body's file name within output_directory; NULL otherwise. */
    const char *_Nullable file_name;
    /** The URL the last response came from (after redirects); NULL when memory ran out. */
    const char *_Nullable final_url;
    /** libcurl's message for curl_code, NUL-terminated; "" when it is 0. */
    char error[CFETCH_ERROR_SIZE];
    /** With keep_bodies: the body, body_length bytes (NULL when it was empty). */
    unsigned char *_Nullable body;
    /** The length of body in bytes. */
    size_t body_length;
} cfetch_result;

/** What a cfetch_source returns: no more URLs, ever. */
#define CFETCH_END 0
/** What a cfetch_source returns: *url and *length hold the next URL. */
#define CFETCH_URL 1
/**
 * What a cfetch_source returns: no URL is ready yet (input still coming);
 * the fetcher goes on with its transfers and asks again within 5 ms.
 */
#define CFETCH_LATER 2
/**
 * What a cfetch_source returns: the next URL is not fetched (a journal holds
 * its result). Its index is used up, so the URLs after it keep their input
 * positions; the batch asks again at once.
 */
#define CFETCH_SKIP 3

/**
 * A stream's source: sets *url to the next URL, *length bytes long (the
 * string needs no NUL; a NUL inside it makes that URL a failed result), and
 * returns CFETCH_URL; or returns CFETCH_LATER, CFETCH_SKIP or CFETCH_END. The fetcher copies the URL before the
 * next call. Calls are serialised by the batch, from whichever fetcher thread
 * needs a URL. A source should not block: a fetcher waiting in it moves none
 * of its transfers; return CFETCH_LATER instead.
 */
typedef int (*cfetch_source)(void *_Nullable context, const char *_Nullable *_Nonnull url,
                             size_t *length);

/**
 * A stream's sink: receives the result of the URL with this index (the
 * index-th URL the source gave, skipped ones counted, from 0). url, result,
 * its final_url and body are valid only during the call. Calls are serialised by the batch (a slow
 * sink slows every fetcher), from whichever fetcher thread finished the URL;
 * a sink call may run while the source is called from another thread.
 */
typedef void (*cfetch_sink)(void *_Nullable context, size_t index, const char *url,
                            size_t url_length, const cfetch_result *result);

/** URLs to fetch and where their results go, shared by every fetcher working on it. */
typedef struct cfetch_batch cfetch_batch;

/**
 * Makes a batch over urls[0..count): results[i] receives urls[i]'s result.
 * The caller owns both arrays, which must outlive the batch (both may be NULL
 * when count is 0); results are zeroed here. Bodies and final URLs in the
 * results are copies owned by the batch: cfetch_batch_free() releases them.
 * Cost: O(count). Returns NULL when memory runs out, or count > 0 and an
 * array is NULL.
 */
cfetch_batch *_Nullable cfetch_batch_new(const char *_Nonnull const *_Nullable urls, size_t count,
                                         cfetch_result *_Nullable results);

/**
 * Makes a batch that takes URLs from source and gives results to sink, both
 * called with context. Memory stays bounded by the transfers in flight,
 * however many URLs the source gives. Cost: O(1).
 * Returns NULL when memory runs out.
 */
cfetch_batch *_Nullable cfetch_stream_new(cfetch_source source, cfetch_sink sink,
                                          void *_Nullable context);

/** Releases a batch (after every fetcher on it returned). NULL does nothing. */
void cfetch_batch_free(cfetch_batch *_Nullable batch);

/**
 * The number of URLs of the batch finished so far, read atomically: safe to
 * call from any thread while fetchers run (for progress). Cost: O(1).
 */
size_t cfetch_batch_done(const cfetch_batch *batch);

/** The number of URLs fetchers have taken so far (finished, in flight or skipped). Thread-safe. */
size_t cfetch_batch_taken(cfetch_batch *batch);

/**
 * Stops the batch: fetchers take no more URLs, end the transfers in flight
 * (and retries waiting) within about 0.1 s, report each of those as
 * CURLE_ABORTED_BY_CALLBACK ("interrupted"), delete their unfinished body
 * files, and return. One atomic store: safe from any thread, and from a
 * signal handler.
 */
void cfetch_batch_stop(cfetch_batch *batch);

/** Whether cfetch_batch_stop() was called. Thread-safe. */
int cfetch_batch_stopped(const cfetch_batch *batch);

/**
 * Whether the batch has handed out its last URL (its source said
 * CFETCH_END, or the array was all taken). After every fetcher returned, a
 * batch neither stopped nor exhausted holds URLs no fetcher took: they have
 * no result. Thread-safe. Cost: O(1).
 */
int cfetch_batch_exhausted(cfetch_batch *batch);

/**
 * The process-wide set-up (see the conventions above): opens libcurl.so.4,
 * runs curl_global_init(CURL_GLOBAL_DEFAULT) and ignores SIGPIPE, once per
 * process; later calls return the first call's answer. Call it before any
 * thread fetches (cfetch_fetcher_new() calls it). Cost: the first call
 * loads libcurl and its TLS library. Returns CFETCH_OK, or CFETCH_ECURL
 * (cfetch_fetcher_new() then says why).
 */
int cfetch_global_init(void);

/** The default User-Agent, "cfetch/VERSION libcurl/VERSION" (static storage). */
const char *cfetch_user_agent(void);

/**
 * A fetcher: one libcurl easy or multi handle and its transfers, used by one
 * thread at a time. Window 0: one easy handle, one transfer at a time, on the
 * calling thread; window K >= 1: one multi handle keeping up to K transfers
 * in flight, adding one as one finishes. Only http and https are fetched
 * (HTTP/2 over TLS where offered, never h2c); connections are kept alive,
 * and each attempt starts from a reset handle. A transfer in flight holds up
 * to three file descriptors, a multi handle two more: docs/fetch-c-api.md
 * says why, and how to size windows.
 */
typedef struct cfetch_fetcher cfetch_fetcher;

/** Why a fetcher could not be made, or why cfetch_fetcher_run() failed. */
typedef struct cfetch_failure {
    /** CFETCH_ENOMEM, CFETCH_ECURL or CFETCH_EIO; CFETCH_OK when nothing failed. */
    int status;
    /**
     * One NUL-terminated line naming the cause, such as "cannot open the
     * output directory out: Permission denied" or "libcurl refused
     * CURLOPT_CAINFO: ..."; "" with CFETCH_OK.
     */
    char message[CFETCH_ERROR_SIZE];
} cfetch_failure;

/**
 * Makes a fetcher with up to window transfers in flight (0: an easy handle).
 * options may be NULL for the defaults; it is copied.
 * Cost: O(window) allocations; connections open lazily.
 * Returns NULL when memory runs out (CFETCH_ENOMEM), cfetch_global_init()
 * fails or libcurl refuses a handle or an option (CFETCH_ECURL), or
 * output_directory cannot be opened (CFETCH_EIO); then *failure, when
 * failure is not NULL, says which and why.
 */
cfetch_fetcher *_Nullable cfetch_fetcher_new(const cfetch_options *_Nullable options,
                                             unsigned window, cfetch_failure *_Nullable failure);

/** After cfetch_fetcher_run() failed: why (status CFETCH_OK while it has not). */
const cfetch_failure *cfetch_fetcher_failure(const cfetch_fetcher *fetcher);

/** Releases a fetcher, its handles and its open connections. NULL does nothing. */
void cfetch_fetcher_free(cfetch_fetcher *_Nullable fetcher);

/**
 * Fetches URLs of the batch until none is left to take or the batch is
 * stopped: takes the next URL, fetches it (retrying as the options say),
 * gives the batch its result, and takes another. Many fetchers, each on its
 * own thread, may run on one batch at once.
 * Cost: the network's; per transfer, libcurl's parsing and a few system
 * calls, plus the TCP and TLS handshakes of a new connection.
 * Returns CFETCH_OK once the batch has no URL left to take (per-URL failures
 * are in the results), CFETCH_ENOMEM or CFETCH_ECURL when the fetcher itself
 * fails (cfetch_fetcher_failure() says why); then every URL it had taken
 * still gets a result (curl_code CURLE_OUT_OF_MEMORY or CURLE_FAILED_INIT)
 * and the URLs it had not taken stay for other fetchers
 * (cfetch_batch_exhausted() tells whether any are left).
 */
int cfetch_fetcher_run(cfetch_fetcher *fetcher, cfetch_batch *batch);

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif

#endif /* CFETCH_H */
