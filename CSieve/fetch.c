/*
 * fetch.c -- batches of URLs over libcurl: one reused easy handle, or one
 * multi handle with a bounded window of transfers (see csieve.h, "Fetching").
 */
/* sigaction, clock_gettime and nanosleep are POSIX, not ISO C. */
#define _POSIX_C_SOURCE 200809L

#include "csieve.h"
#include "curl_library.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What a transfer slot is doing. */
enum transfer_state {
    TRANSFER_IDLE,    /* holds no URL */
    TRANSFER_RUNNING, /* attempting its URL (added to the multi handle, if any) */
    TRANSFER_WAITING, /* its URL failed and waits for retry_at to try again */
};

/*
 * One transfer slot: an easy handle reused for URL after URL, so libcurl
 * keeps its buffers and the multi handle its connections between them.
 */
struct transfer {
    CURL *easy;
    const csieve_fetch_options *options;
    enum transfer_state state;
    size_t index;       /* the URL's index in the batch while not idle */
    unsigned attempts;  /* attempts begun for this URL */
    double retry_at;    /* CLOCK_MONOTONIC seconds, while waiting */
    uint64_t bytes;     /* body bytes of this attempt */
    int body_too_large; /* the write callback refused bytes past max_body_bytes */
    int out_of_memory;  /* the write callback could not grow the body */
    unsigned char *body;
    size_t body_length;
    size_t body_capacity;
    char error[CURL_ERROR_SIZE]; /* libcurl writes its detailed message here */
};

struct csieve_fetcher {
    csieve_fetch_options options;
    unsigned window;               /* 0: easy handle; K: multi handle, K in flight */
    CURLM *multi;                  /* NULL for window 0 */
    struct transfer *transfers;    /* max(window, 1) slots */
    unsigned transfer_count;
};

/* ---------------------------------------------------------------- global -- */

/* The one piece of process-wide state: curl_global_init is not thread-safe in
 * libcurl 7.88 and must run once before any handle exists. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_status = CSIEVE_ECURL;
/* libcurl's functions, filled once by global_init (see curl_library.h). */
static curl_library libcurl;

static void global_init(void) {
    /* A peer that closes its socket while libcurl writes would raise SIGPIPE,
     * whose default action ends the process; CURLOPT_NOSIGNAL alone does not
     * cover every path (TLS writes), so the process ignores it. */
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, NULL);
    if (curl_library_load(&libcurl) != 0) return;
    global_status = libcurl.global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? CSIEVE_OK : CSIEVE_ECURL;
}

int csieve_fetch_global_init(void) {
    pthread_once(&global_once, global_init);
    return global_status;
}

/* --------------------------------------------------------------- options -- */

void csieve_fetch_options_init(csieve_fetch_options *options) {
    if (options == NULL) return;
    memset(options, 0, sizeof *options);
    options->retry_backoff = 0.1;
}

/* ----------------------------------------------------------------- batch -- */

int csieve_fetch_batch_init(csieve_fetch_batch *batch, const char *const *urls, size_t count,
                            csieve_fetch_result *results) {
    if (batch == NULL || (count > 0 && (urls == NULL || results == NULL))) return CSIEVE_EINVAL;
    batch->urls = urls;
    batch->count = count;
    batch->results = results;
    batch->next = 0;
    batch->done = 0;
    if (count > 0) memset(results, 0, count * sizeof *results);
    return CSIEVE_OK;
}

void csieve_fetch_batch_free(csieve_fetch_batch *batch) {
    if (batch == NULL || batch->results == NULL) return;
    for (size_t i = 0; i < batch->count; i++) {
        free(batch->results[i].body);
        batch->results[i].body = NULL;
        batch->results[i].body_length = 0;
    }
}

size_t csieve_fetch_batch_done(const csieve_fetch_batch *batch) {
    if (batch == NULL) return 0;
    return __atomic_load_n(&batch->done, __ATOMIC_ACQUIRE);
}

/* Hands out the next URL index, or SIZE_MAX when the batch has none left. The
 * counter may run past count (each fetcher overshoots once): harmless. */
static size_t batch_take(csieve_fetch_batch *batch) {
    size_t index = __atomic_fetch_add(&batch->next, 1, __ATOMIC_RELAXED);
    return index < batch->count ? index : SIZE_MAX;
}

/* ------------------------------------------------------------- transfers -- */

static double monotonic_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static void sleep_until(double deadline) {
    double remaining = deadline - monotonic_seconds();
    if (remaining <= 0) return;
    struct timespec pause;
    pause.tv_sec = (time_t)remaining;
    pause.tv_nsec = (long)((remaining - (double)pause.tv_sec) * 1e9);
    /* An interrupted sleep only retries early, which is harmless. */
    nanosleep(&pause, NULL);
}

static size_t receive_body(char *data, size_t size, size_t count, void *context) {
    struct transfer *transfer = context;
    size_t length = size * count;
    uint64_t limit = transfer->options->max_body_bytes;
    if (limit > 0 && transfer->bytes + length > limit) {
        transfer->body_too_large = 1;
        return 0; /* anything but length makes libcurl stop with CURLE_WRITE_ERROR */
    }
    if (transfer->options->keep_bodies && length > 0) {
        if (transfer->body_length + length > transfer->body_capacity) {
            size_t capacity = transfer->body_capacity ? transfer->body_capacity : 4096;
            while (capacity < transfer->body_length + length) capacity *= 2;
            unsigned char *grown = realloc(transfer->body, capacity);
            if (grown == NULL) {
                transfer->out_of_memory = 1;
                return 0;
            }
            transfer->body = grown;
            transfer->body_capacity = capacity;
        }
        memcpy(transfer->body + transfer->body_length, data, length);
        transfer->body_length += length;
    }
    transfer->bytes += length;
    return length;
}

static long milliseconds(double seconds) {
    if (seconds <= 0) return 0;
    double value = seconds * 1000.0;
    /* Round up so that a sub-millisecond limit does not become "no limit". */
    long whole = (long)value;
    return (double)whole < value ? whole + 1 : whole;
}

/* Sets the options that stay the same for every URL a handle fetches. */
static int transfer_setup(struct transfer *transfer, const csieve_fetch_options *options) {
    transfer->options = options;
    transfer->state = TRANSFER_IDLE;
    transfer->easy = libcurl.easy_init();
    if (transfer->easy == NULL) return CSIEVE_ECURL;
    CURL *easy = transfer->easy;
    CURLcode code = CURLE_OK;
    /* Signals would be raised on whichever thread runs the transfer. */
    code |= libcurl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    /* h2c upgrades break connection reuse in libcurl 7.88, and HTTP/1.1 is
     * what the benchmarks compare. */
    code |= libcurl.easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    code |= libcurl.easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    code |= libcurl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, receive_body);
    code |= libcurl.easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
    code |= libcurl.easy_setopt(easy, CURLOPT_PRIVATE, transfer);
    code |= libcurl.easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
    code |= libcurl.easy_setopt(easy, CURLOPT_TIMEOUT_MS, milliseconds(options->total_timeout));
    code |= libcurl.easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                             milliseconds(options->connect_timeout));
    if (options->max_body_bytes > 0) {
        /* Refuses early a body whose Content-Length is already too long. */
        code |= libcurl.easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                                 (curl_off_t)options->max_body_bytes);
    }
    return code == CURLE_OK ? CSIEVE_OK : CSIEVE_ECURL;
}

static void transfer_cleanup(struct transfer *transfer) {
    if (transfer->easy != NULL) libcurl.easy_cleanup(transfer->easy);
    transfer->easy = NULL;
    free(transfer->body);
    transfer->body = NULL;
}

/* Prepares the handle for one attempt at its URL. */
static CURLcode transfer_begin(struct transfer *transfer, const csieve_fetch_batch *batch) {
    transfer->attempts += 1;
    transfer->bytes = 0;
    transfer->body_length = 0;
    transfer->body_too_large = 0;
    transfer->out_of_memory = 0;
    transfer->error[0] = '\0';
    transfer->state = TRANSFER_RUNNING;
    return libcurl.easy_setopt(transfer->easy, CURLOPT_URL, batch->urls[transfer->index]);
}

/* Codes that another attempt cannot change. */
static int is_permanent(CURLcode code) {
    switch (code) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
        return 1;
    default:
        return 0;
    }
}

/* Writes the URL's result and frees the slot. */
static void transfer_record(struct transfer *transfer, csieve_fetch_batch *batch, CURLcode code,
                            long status) {
    csieve_fetch_result *result = &batch->results[transfer->index];
    result->status = status;
    result->bytes = transfer->bytes;
    result->curl_code = (int)code;
    result->attempts = transfer->attempts;
    double seconds = 0;
    if (libcurl.easy_getinfo(transfer->easy, CURLINFO_TOTAL_TIME, &seconds) == CURLE_OK)
        result->total_seconds = seconds;
    if (libcurl.easy_getinfo(transfer->easy, CURLINFO_CONNECT_TIME, &seconds) == CURLE_OK)
        result->connect_seconds = seconds;
    if (libcurl.easy_getinfo(transfer->easy, CURLINFO_STARTTRANSFER_TIME, &seconds) == CURLE_OK)
        result->first_byte_seconds = seconds;
    result->error[0] = '\0';
    if (code != CURLE_OK) {
        if (transfer->body_too_large) {
            snprintf(result->error, sizeof result->error,
                     "body larger than the maximum of %llu bytes",
                     (unsigned long long)transfer->options->max_body_bytes);
        } else if (transfer->error[0] != '\0') {
            snprintf(result->error, sizeof result->error, "%s", transfer->error);
        } else {
            snprintf(result->error, sizeof result->error, "%s", libcurl.easy_strerror(code));
        }
    }
    if (transfer->options->keep_bodies && transfer->body_length > 0) {
        /* Hand the buffer over rather than copy it; the slot grows a new one. */
        result->body = transfer->body;
        result->body_length = transfer->body_length;
        transfer->body = NULL;
        transfer->body_length = 0;
        transfer->body_capacity = 0;
    }
    transfer->state = TRANSFER_IDLE;
    __atomic_fetch_add(&batch->done, 1, __ATOMIC_RELEASE);
}

/*
 * Ends one attempt: records the result, or schedules another attempt.
 * Returns 1 when the URL is finished, 0 when it waits for a retry.
 */
static int transfer_finish(struct transfer *transfer, csieve_fetch_batch *batch, CURLcode code) {
    if (transfer->body_too_large) code = CURLE_FILESIZE_EXCEEDED;
    if (transfer->out_of_memory) code = CURLE_OUT_OF_MEMORY;
    long status = 0;
    libcurl.easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
    int failed = code != CURLE_OK || status >= 500;
    const csieve_fetch_options *options = transfer->options;
    if (failed && !is_permanent(code) && transfer->attempts <= options->retries) {
        double backoff = options->retry_backoff;
        for (unsigned i = 1; i < transfer->attempts; i++) backoff *= 2;
        transfer->retry_at = monotonic_seconds() + backoff;
        transfer->state = TRANSFER_WAITING;
        return 0;
    }
    transfer_record(transfer, batch, code, status);
    return 1;
}

/* Records a result for a URL that the fetcher could not attempt at all. */
static void transfer_abandon(struct transfer *transfer, csieve_fetch_batch *batch,
                             CURLcode code) {
    transfer->error[0] = '\0';
    if (transfer->attempts == 0) transfer->attempts = 1;
    transfer->bytes = 0;
    transfer_record(transfer, batch, code, 0);
}

/* ---------------------------------------------------------------- fetcher -- */

csieve_fetcher *csieve_fetcher_new(const csieve_fetch_options *options, unsigned window) {
    if (csieve_fetch_global_init() != CSIEVE_OK) return NULL;
    csieve_fetcher *fetcher = calloc(1, sizeof *fetcher);
    if (fetcher == NULL) return NULL;
    if (options != NULL) {
        fetcher->options = *options;
    } else {
        csieve_fetch_options_init(&fetcher->options);
    }
    fetcher->window = window;
    fetcher->transfer_count = window > 0 ? window : 1;
    fetcher->transfers = calloc(fetcher->transfer_count, sizeof *fetcher->transfers);
    if (fetcher->transfers == NULL) {
        free(fetcher);
        return NULL;
    }
    for (unsigned i = 0; i < fetcher->transfer_count; i++) {
        if (transfer_setup(&fetcher->transfers[i], &fetcher->options) != CSIEVE_OK) {
            csieve_fetcher_free(fetcher);
            return NULL;
        }
    }
    if (window > 0) {
        fetcher->multi = libcurl.multi_init();
        if (fetcher->multi == NULL) {
            csieve_fetcher_free(fetcher);
            return NULL;
        }
        /* HTTP/1.1 only: a new transfer must never wait to multiplex on a
         * connection that is busy. */
        libcurl.multi_setopt(fetcher->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING);
        /* Keep one connection per transfer in flight alive for reuse, and no
         * more, so the fetcher's descriptors stay bounded by its window. */
        libcurl.multi_setopt(fetcher->multi, CURLMOPT_MAXCONNECTS, (long)window);
    }
    return fetcher;
}

void csieve_fetcher_free(csieve_fetcher *fetcher) {
    if (fetcher == NULL) return;
    if (fetcher->transfers != NULL) {
        for (unsigned i = 0; i < fetcher->transfer_count; i++) {
            struct transfer *transfer = &fetcher->transfers[i];
            if (fetcher->multi != NULL && transfer->easy != NULL &&
                transfer->state == TRANSFER_RUNNING) {
                libcurl.multi_remove_handle(fetcher->multi, transfer->easy);
            }
            transfer_cleanup(transfer);
        }
    }
    if (fetcher->multi != NULL) libcurl.multi_cleanup(fetcher->multi);
    free(fetcher->transfers);
    free(fetcher);
}

/* One transfer at a time on the one easy handle. */
static int run_easy(csieve_fetcher *fetcher, csieve_fetch_batch *batch) {
    struct transfer *transfer = &fetcher->transfers[0];
    for (;;) {
        size_t index = batch_take(batch);
        if (index == SIZE_MAX) return CSIEVE_OK;
        transfer->index = index;
        transfer->attempts = 0;
        for (;;) {
            CURLcode code = transfer_begin(transfer, batch);
            if (code == CURLE_OK) code = libcurl.easy_perform(transfer->easy);
            if (transfer_finish(transfer, batch, code)) break;
            sleep_until(transfer->retry_at);
        }
    }
}

/* Starts the next attempt of a running or waiting transfer on the multi
 * handle. Returns 1 when it is in flight, 0 when it finished at once. */
static int multi_start(csieve_fetcher *fetcher, struct transfer *transfer,
                       csieve_fetch_batch *batch) {
    CURLcode code = transfer_begin(transfer, batch);
    if (code != CURLE_OK) {
        transfer_abandon(transfer, batch, code);
        return 0;
    }
    if (libcurl.multi_add_handle(fetcher->multi, transfer->easy) != CURLM_OK) {
        transfer_abandon(transfer, batch, CURLE_FAILED_INIT);
        return 0;
    }
    return 1;
}

/* Gives an idle transfer the batch's next URL. Returns 0 when none is left. */
static int multi_take(csieve_fetcher *fetcher, struct transfer *transfer,
                      csieve_fetch_batch *batch) {
    for (;;) {
        size_t index = batch_take(batch);
        if (index == SIZE_MAX) return 0;
        transfer->index = index;
        transfer->attempts = 0;
        if (multi_start(fetcher, transfer, batch)) return 1;
    }
}

/* Up to window transfers in flight; one is added as one finishes. */
static int run_multi(csieve_fetcher *fetcher, csieve_fetch_batch *batch) {
    CURLM *multi = fetcher->multi;
    unsigned active = 0;  /* transfers running or waiting to retry */
    unsigned waiting = 0; /* of them, waiting to retry */
    int exhausted = 0;    /* the batch has handed out its last URL */
    for (unsigned i = 0; i < fetcher->transfer_count && !exhausted; i++) {
        if (multi_take(fetcher, &fetcher->transfers[i], batch)) {
            active++;
        } else {
            exhausted = 1;
        }
    }
    int status = CSIEVE_OK;
    while (active > 0) {
        int poll_ms = 1000;
        if (waiting > 0) {
            double now = monotonic_seconds();
            double earliest = now + 1.0;
            for (unsigned i = 0; i < fetcher->transfer_count; i++) {
                struct transfer *transfer = &fetcher->transfers[i];
                if (transfer->state != TRANSFER_WAITING) continue;
                if (transfer->retry_at <= now) {
                    waiting--;
                    if (!multi_start(fetcher, transfer, batch)) {
                        active--;
                        if (!exhausted && multi_take(fetcher, transfer, batch)) {
                            active++;
                        } else {
                            exhausted = 1;
                        }
                    }
                } else if (transfer->retry_at < earliest) {
                    earliest = transfer->retry_at;
                }
            }
            poll_ms = (int)((earliest - now) * 1000.0) + 1;
        }

        int running = 0;
        if (libcurl.multi_perform(multi, &running) != CURLM_OK) {
            status = CSIEVE_ECURL;
            break;
        }
        CURLMsg *message;
        int queued = 0;
        while ((message = libcurl.multi_info_read(multi, &queued)) != NULL) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *easy = message->easy_handle;
            CURLcode code = message->data.result; /* read before the handle is removed */
            struct transfer *transfer = NULL;
            libcurl.easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&transfer);
            libcurl.multi_remove_handle(multi, easy);
            if (!transfer_finish(transfer, batch, code)) {
                waiting++;
                continue;
            }
            active--;
            if (!exhausted) {
                if (multi_take(fetcher, transfer, batch)) {
                    active++;
                } else {
                    exhausted = 1;
                }
            }
        }
        if (active == 0) break;
        if (libcurl.multi_poll(multi, NULL, 0, poll_ms, NULL) != CURLM_OK) {
            status = CSIEVE_ECURL;
            break;
        }
    }
    if (status != CSIEVE_OK) {
        /* The multi handle is broken: every URL this fetcher holds still gets
         * a result; URLs not yet taken stay for other fetchers. */
        for (unsigned i = 0; i < fetcher->transfer_count; i++) {
            struct transfer *transfer = &fetcher->transfers[i];
            if (transfer->state == TRANSFER_IDLE) continue;
            if (transfer->state == TRANSFER_RUNNING) libcurl.multi_remove_handle(multi, transfer->easy);
            transfer_abandon(transfer, batch, CURLE_FAILED_INIT);
        }
    }
    return status;
}

int csieve_fetcher_run(csieve_fetcher *fetcher, csieve_fetch_batch *batch) {
    if (fetcher == NULL || batch == NULL) return CSIEVE_EINVAL;
    if (batch->count > 0 && (batch->urls == NULL || batch->results == NULL)) return CSIEVE_EINVAL;
    return fetcher->window == 0 ? run_easy(fetcher, batch) : run_multi(fetcher, batch);
}
