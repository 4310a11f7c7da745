/*
 * fetch.c -- batches of URLs over libcurl: one reused easy handle, or one
 * multi handle with a bounded window of transfers (see cfetch.h).
 */
/* sigaction, clock_gettime, nanosleep, openat and renameat are POSIX, not ISO C. */
#define _POSIX_C_SOURCE 200809L

#include "cfetch.h"
#include "curl_library.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What a transfer slot is doing. */
enum transfer_state {
    TRANSFER_IDLE,    /* holds no URL */
    TRANSFER_RUNNING, /* attempting its URL (added to the multi handle, if any) */
    TRANSFER_WAITING, /* its URL failed and waits for retry_at to try again */
};

/* The longest body file name, its NUL included: a URL's segment is cut to fit, with room for
 * the ".N" that makes it unique. */
#define FILE_NAME_SIZE 240

/* The most redirect responses remembered per transfer to find a loop. */
#define REDIRECTS_REMEMBERED 64

struct cfetch_fetcher;

/*
 * One transfer slot: an easy handle reused for URL after URL, so libcurl
 * keeps its buffers and the multi handle its connections between them.
 */
struct transfer {
    CURL *easy;
    struct cfetch_fetcher *fetcher;
    enum transfer_state state;
    size_t index;       /* the URL's index in the batch while not idle */
    char *url;          /* a copy of the URL, url_length bytes and a NUL */
    size_t url_length;
    char *host;         /* "host:port" of the URL, while it holds a per-host place */
    unsigned attempts;  /* attempts begun for this URL */
    unsigned reconnects; /* of them, repeated because the server ended a reused connection */
    unsigned connections; /* connections its attempts opened */
    int performed;      /* libcurl ran the current attempt (its times and status are real) */
    double retry_at;    /* CLOCK_MONOTONIC seconds, while waiting */
    uint64_t bytes;     /* body bytes of this attempt, decoded */
    int body_too_large; /* the write callback refused bytes past max_body_bytes */
    int out_of_memory;  /* the write callback could not grow the body */
    int write_errno;    /* the body file could not be written: why */
    int redirect_loop;  /* a URL answered a redirect twice */
    int interrupted;    /* the batch was stopped during this attempt */
    int stalled;        /* no byte arrived for stall_timeout seconds */
    int stall_clock;    /* libcurl began the attempt's transfer: the stall clock runs */
    double last_progress; /* CLOCK_MONOTONIC seconds when a byte last arrived */
    curl_off_t progress_bytes; /* body bytes libcurl reported at last_progress */
    int file;           /* the body's temporary file, or -1 */
    uint64_t redirected[REDIRECTS_REMEMBERED]; /* hashes of URLs that answered a redirect */
    unsigned redirected_count;
    unsigned char *body;
    size_t body_length;
    size_t body_capacity;
    char error[CURL_ERROR_SIZE]; /* libcurl writes its detailed message here */
    char file_name[FILE_NAME_SIZE]; /* the body's final name in output_directory, once saved */
};

struct cfetch_fetcher {
    cfetch_options options; /* strings below are the fetcher's own copies */
    unsigned window;              /* 0: easy handle; K: multi handle, K in flight */
    CURLM *multi;                 /* window 0: the easy handle's own, as curl_easy_perform's */
    struct transfer *transfers;   /* max(window, 1) slots */
    unsigned transfer_count;
    struct curl_slist *headers;   /* options.headers as libcurl's list */
    char *user_agent;
    char *ca_file;
    int directory;                /* options.output_directory, open, or -1 */
    cfetch_batch *batch;    /* the batch being run */
    cfetch_failure failure; /* why making or running the fetcher failed */
};

/* A host and the easy-handle transfers in flight to it (per_host). */
struct host_count {
    char *host;
    unsigned in_flight;
    struct host_count *next;
};

#define HOST_BUCKETS 256

struct cfetch_batch {
    pthread_mutex_t source_lock; /* the source, taken and exhausted */
    pthread_mutex_t lock;        /* the sink and the host counts */
    pthread_cond_t host_freed;
    cfetch_source source;
    cfetch_sink sink;
    void *context;
    /* Array mode (cfetch_batch_new). */
    const char *const *urls;
    size_t count;
    cfetch_result *results;
    size_t array_next;
    /* Under source_lock. */
    size_t taken;
    int exhausted;
    /* Under lock. */
    struct host_count *hosts[HOST_BUCKETS];
    /* Atomic. */
    size_t done;
    int stop;
};

/* ---------------------------------------------------------------- global -- */

/* The process-wide contract of cfetch.h: curl_global_init is not thread-safe in
 * libcurl 7.88 and must run once before any handle exists, so these are written
 * by global_init alone, under pthread_once, and only read after it returned. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_status = CFETCH_ECURL;
/* Why global_init failed; "" once it succeeded. */
static char global_message[CFETCH_ERROR_SIZE] = "libcurl was not initialised";
/* libcurl's functions, filled once by global_init (see curl_library.h). */
static curl_library libcurl;
/* "cfetch/VERSION libcurl/VERSION", the default User-Agent. */
static char default_user_agent[64];

static void global_init(void) {
    /* A peer that closes its socket while libcurl writes would raise SIGPIPE,
     * whose default action ends the process; CURLOPT_NOSIGNAL alone does not
     * cover every path (TLS writes), so the process ignores it. */
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, NULL);
    if (curl_library_load(&libcurl, global_message, sizeof global_message) != 0) return;
    CURLcode code = libcurl.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(global_message, sizeof global_message, "curl_global_init failed: %s",
                 libcurl.easy_strerror(code));
        return;
    }
    global_message[0] = '\0';
    curl_version_info_data *info = libcurl.version_info(CURLVERSION_NOW);
    snprintf(default_user_agent, sizeof default_user_agent, "cfetch/%s libcurl/%s",
             CFETCH_VERSION, info != NULL && info->version != NULL ? info->version : "?");
    global_status = CFETCH_OK;
}

int cfetch_global_init(void) {
    pthread_once(&global_once, global_init);
    return global_status;
}

const char *cfetch_user_agent(void) {
    if (cfetch_global_init() != CFETCH_OK) return "cfetch/" CFETCH_VERSION;
    return default_user_agent;
}

const char *cfetch_version(void) { return CFETCH_VERSION; }

const char *cfetch_strerror(int status) {
    switch (status) {
    case CFETCH_OK: return "success";
    case CFETCH_EINVAL: return "invalid argument";
    case CFETCH_ENOMEM: return "out of memory";
    case CFETCH_ECURL: return "libcurl failed to set up a transfer";
    case CFETCH_EIO: return "a file or directory could not be opened";
    default: return "unknown status";
    }
}

/* --------------------------------------------------------------- options -- */

void cfetch_options_init(cfetch_options *options) {
    if (options == NULL) return;
    memset(options, 0, sizeof *options);
    options->connect_timeout = 30;
    options->stall_timeout = 60;
    options->retry_backoff = 0.1;
    options->follow_redirects = 1;
    options->max_redirects = 10;
}

/* ----------------------------------------------------------------- batch -- */

static cfetch_batch *batch_alloc(void) {
    cfetch_batch *batch = calloc(1, sizeof *batch);
    if (batch == NULL) return NULL;
    if (pthread_mutex_init(&batch->source_lock, NULL) != 0) {
        free(batch);
        return NULL;
    }
    if (pthread_mutex_init(&batch->lock, NULL) != 0) {
        pthread_mutex_destroy(&batch->source_lock);
        free(batch);
        return NULL;
    }
    if (pthread_cond_init(&batch->host_freed, NULL) != 0) {
        pthread_mutex_destroy(&batch->lock);
        pthread_mutex_destroy(&batch->source_lock);
        free(batch);
        return NULL;
    }
    return batch;
}

static int array_source(void *context, const char **url, size_t *length) {
    cfetch_batch *batch = context;
    if (batch->array_next >= batch->count) return CFETCH_END;
    *url = batch->urls[batch->array_next++];
    *length = strlen(*url);
    return CFETCH_URL;
}

static void array_sink(void *context, size_t index, const char *url, size_t url_length,
                       const cfetch_result *result) {
    (void)url;
    (void)url_length;
    cfetch_batch *batch = context;
    cfetch_result *slot = &batch->results[index];
    *slot = *result;
    /* The result's strings and body live only during this call: keep copies. */
    slot->final_url = result->final_url != NULL ? strdup(result->final_url) : NULL;
    slot->file_name = result->file_name != NULL ? strdup(result->file_name) : NULL;
    if (result->body != NULL) {
        slot->body = malloc(result->body_length);
        if (slot->body != NULL) {
            memcpy(slot->body, result->body, result->body_length);
        } else {
            slot->body_length = 0;
        }
    }
}

cfetch_batch *cfetch_batch_new(const char *const *urls, size_t count,
                                           cfetch_result *results) {
    if (count > 0 && (urls == NULL || results == NULL)) return NULL;
    cfetch_batch *batch = batch_alloc();
    if (batch == NULL) return NULL;
    batch->urls = urls;
    batch->count = count;
    batch->results = results;
    batch->source = array_source;
    batch->sink = array_sink;
    batch->context = batch;
    if (count > 0) memset(results, 0, count * sizeof *results);
    return batch;
}

cfetch_batch *cfetch_stream_new(cfetch_source source, cfetch_sink sink,
                                            void *context) {
    if (source == NULL || sink == NULL) return NULL;
    cfetch_batch *batch = batch_alloc();
    if (batch == NULL) return NULL;
    batch->source = source;
    batch->sink = sink;
    batch->context = context;
    return batch;
}

void cfetch_batch_free(cfetch_batch *batch) {
    if (batch == NULL) return;
    if (batch->results != NULL) {
        for (size_t i = 0; i < batch->count; i++) {
            free(batch->results[i].body);
            free((char *)batch->results[i].final_url);
            free((char *)batch->results[i].file_name);
            batch->results[i].file_name = NULL;
            batch->results[i].body = NULL;
            batch->results[i].final_url = NULL;
            batch->results[i].body_length = 0;
        }
    }
    for (size_t b = 0; b < HOST_BUCKETS; b++) {
        struct host_count *entry = batch->hosts[b];
        while (entry != NULL) {
            struct host_count *next = entry->next;
            free(entry->host);
            free(entry);
            entry = next;
        }
    }
    pthread_cond_destroy(&batch->host_freed);
    pthread_mutex_destroy(&batch->lock);
    pthread_mutex_destroy(&batch->source_lock);
    free(batch);
}

size_t cfetch_batch_done(const cfetch_batch *batch) {
    if (batch == NULL) return 0;
    return __atomic_load_n(&batch->done, __ATOMIC_ACQUIRE);
}

size_t cfetch_batch_taken(cfetch_batch *batch) {
    if (batch == NULL) return 0;
    pthread_mutex_lock(&batch->source_lock);
    size_t taken = batch->taken;
    pthread_mutex_unlock(&batch->source_lock);
    return taken;
}

void cfetch_batch_stop(cfetch_batch *batch) {
    if (batch != NULL) __atomic_store_n(&batch->stop, 1, __ATOMIC_RELEASE);
}

int cfetch_batch_stopped(const cfetch_batch *batch) {
    return batch != NULL && __atomic_load_n(&batch->stop, __ATOMIC_ACQUIRE);
}

int cfetch_batch_exhausted(cfetch_batch *batch) {
    if (batch == NULL) return 1;
    pthread_mutex_lock(&batch->source_lock);
    int exhausted =
        batch->exhausted || (batch->source == array_source && batch->array_next >= batch->count);
    pthread_mutex_unlock(&batch->source_lock);
    return exhausted;
}

/*
 * Gives the transfer the batch's next URL (a copy it owns). Returns
 * CFETCH_URL; CFETCH_LATER when the source has none ready yet;
 * CFETCH_END when it has no more or the batch was stopped. When memory
 * for the copy runs out, the URL is still taken and *out_of_memory is set.
 */
static int batch_take(cfetch_batch *batch, struct transfer *transfer, int *out_of_memory) {
    if (cfetch_batch_stopped(batch)) return CFETCH_END;
    pthread_mutex_lock(&batch->source_lock);
    const char *url = NULL;
    size_t length = 0;
    int answer = batch->exhausted ? CFETCH_END
                                  : batch->source(batch->context, &url, &length);
    while (answer == CFETCH_SKIP) {
        batch->taken++;
        answer = batch->source(batch->context, &url, &length);
    }
    if (answer != CFETCH_URL) {
        if (answer != CFETCH_LATER) {
            batch->exhausted = 1;
            answer = CFETCH_END;
        }
        pthread_mutex_unlock(&batch->source_lock);
        return answer;
    }
    char *copy = malloc(length + 1);
    if (copy == NULL) {
        /* The URL is lost to this fetcher, so it still gets a result. */
        *out_of_memory = 1;
        copy = NULL;
    } else {
        memcpy(copy, url != NULL ? url : "", length);
        copy[length] = '\0';
    }
    transfer->index = batch->taken++;
    pthread_mutex_unlock(&batch->source_lock);
    free(transfer->url);
    transfer->url = copy;
    transfer->url_length = copy != NULL ? length : 0;
    return CFETCH_URL;
}

/* Sleeps 5 ms: a stream's source has no URL ready yet. */
static void pause_for_source(void) {
    struct timespec pause = {0, 5000000L};
    nanosleep(&pause, NULL);
}

/* ----------------------------------------------------------- per host -- */

/* "host:port" of a URL, lower-cased, without user info; malloc'ed. */
static char *host_of(const char *url) {
    const char *start = strstr(url, "://");
    start = start != NULL ? start + 3 : url;
    size_t length = strcspn(start, "/?#");
    const char *at = memchr(start, '@', length);
    while (at != NULL) {
        length -= (size_t)(at + 1 - start);
        start = at + 1;
        at = memchr(start, '@', length);
    }
    char *host = malloc(length + 1);
    if (host == NULL) return NULL;
    for (size_t i = 0; i < length; i++) {
        char c = start[i];
        host[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    host[length] = '\0';
    return host;
}

static uint64_t hash_bytes(const char *bytes, size_t length) {
    uint64_t hash = 14695981039346656037ull; /* FNV-1a */
    for (size_t i = 0; i < length; i++) {
        hash ^= (unsigned char)bytes[i];
        hash *= 1099511628211ull;
    }
    return hash;
}

static struct host_count **host_slot(cfetch_batch *batch, const char *host) {
    struct host_count **slot = &batch->hosts[hash_bytes(host, strlen(host)) % HOST_BUCKETS];
    while (*slot != NULL && strcmp((*slot)->host, host) != 0) slot = &(*slot)->next;
    return slot;
}

/*
 * Waits until fewer than limit easy-handle transfers of this batch are in
 * flight to the transfer's host, then counts this one. Returns 0 when the
 * batch is stopped while waiting (nothing is counted then).
 */
static int host_enter(cfetch_batch *batch, struct transfer *transfer, unsigned limit) {
    free(transfer->host);
    transfer->host = host_of(transfer->url);
    if (transfer->host == NULL) return 1; /* no memory to count: go uncounted */
    pthread_mutex_lock(&batch->lock);
    for (;;) {
        struct host_count **slot = host_slot(batch, transfer->host);
        if (*slot == NULL) {
            struct host_count *entry = calloc(1, sizeof *entry);
            char *name = strdup(transfer->host);
            if (entry == NULL || name == NULL) {
                free(entry);
                free(name);
                break;
            }
            entry->host = name;
            *slot = entry;
        }
        if ((*slot)->in_flight < limit) {
            (*slot)->in_flight++;
            pthread_mutex_unlock(&batch->lock);
            return 1;
        }
        if (cfetch_batch_stopped(batch)) break;
        /* A timed wait, so that a stop is seen without a wake-up. */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec += 1;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&batch->host_freed, &batch->lock, &until);
    }
    pthread_mutex_unlock(&batch->lock);
    free(transfer->host);
    transfer->host = NULL;
    return cfetch_batch_stopped(batch) ? 0 : 1;
}

static void host_leave(cfetch_batch *batch, struct transfer *transfer) {
    if (transfer->host == NULL) return;
    pthread_mutex_lock(&batch->lock);
    struct host_count **slot = host_slot(batch, transfer->host);
    if (*slot != NULL && --(*slot)->in_flight == 0) {
        struct host_count *entry = *slot;
        *slot = entry->next;
        free(entry->host);
        free(entry);
    }
    pthread_cond_broadcast(&batch->host_freed);
    pthread_mutex_unlock(&batch->lock);
    free(transfer->host);
    transfer->host = NULL;
}

/* ------------------------------------------------------------- transfers -- */

static double monotonic_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/* Sleeps until deadline, in steps of at most 0.1 s so that a stop ends it. */
static void sleep_until(double deadline, const cfetch_batch *batch) {
    for (;;) {
        if (cfetch_batch_stopped(batch)) return;
        double remaining = deadline - monotonic_seconds();
        if (!(remaining > 0)) return;
        if (remaining > 0.1) remaining = 0.1;
        struct timespec pause;
        pause.tv_sec = 0;
        pause.tv_nsec = (long)(remaining * 1e9);
        nanosleep(&pause, NULL);
    }
}

/* The wait before retry number `retry` (1 for the first): backoff doubled
 * each time, capped at CFETCH_MAX_BACKOFF; NaN and negatives are 0. */
static double backoff_before(double backoff, unsigned retry) {
    if (!(backoff > 0)) return 0;
    for (unsigned i = 1; i < retry && backoff < CFETCH_MAX_BACKOFF; i++) backoff *= 2;
    return backoff < CFETCH_MAX_BACKOFF ? backoff : CFETCH_MAX_BACKOFF;
}

/*
 * The file name CFETCH_NAME_URL gives a body: the last segment of the URL's
 * path, without query or fragment, cut to fit; the URL's index when that is
 * empty, "." or "..". A leading dot becomes "_", so that no name is hidden or
 * can be a transfer's ".INDEX.part".
 */
static void url_file_name(const char *url, size_t index, char *name, size_t size) {
    const char *start = strstr(url, "://");
    start = start != NULL ? start + 3 : url;
    const char *path = strchr(start, '/');
    size_t length = 0;
    const char *segment = "";
    if (path != NULL) {
        size_t path_length = strcspn(path, "?#");
        const char *end = path + path_length;
        segment = end;
        while (segment > path && segment[-1] != '/') segment--;
        length = (size_t)(end - segment);
    }
    if (length > size - 16) length = size - 16;
    if (length == 0 || (length == 1 && segment[0] == '.') ||
        (length == 2 && segment[0] == '.' && segment[1] == '.')) {
        snprintf(name, size, "%zu", index);
        return;
    }
    memcpy(name, segment, length);
    name[length] = '\0';
    if (name[0] == '.') name[0] = '_';
}

/*
 * Gives the complete temporary file its final name: under CFETCH_NAME_URL the
 * first of NAME, NAME.1, NAME.2, ... that no file holds yet (linkat never
 * replaces a file, so two transfers of one batch, or a file already there,
 * never lose a body); else the index, replacing an older file of that name.
 */
static int name_body_file(struct transfer *transfer, const char *temporary, const char *url) {
    struct cfetch_fetcher *fetcher = transfer->fetcher;
    if (fetcher->options.file_names != CFETCH_NAME_URL) {
        snprintf(transfer->file_name, sizeof transfer->file_name, "%zu", transfer->index);
        return renameat(fetcher->directory, temporary, fetcher->directory, transfer->file_name);
    }
    char base[FILE_NAME_SIZE];
    url_file_name(url, transfer->index, base, sizeof base);
    for (unsigned attempt = 0;; attempt++) {
        if (attempt == 0) {
            snprintf(transfer->file_name, sizeof transfer->file_name, "%s", base);
        } else {
            snprintf(transfer->file_name, sizeof transfer->file_name, "%s.%u", base, attempt);
        }
        if (linkat(fetcher->directory, temporary, fetcher->directory, transfer->file_name, 0) == 0)
            return unlinkat(fetcher->directory, temporary, 0);
        if (errno != EEXIST || attempt == UINT_MAX) return -1;
    }
}

static void close_body_file(struct transfer *transfer, int keep, const char *url) {
    if (transfer->file < 0 && !keep) return;
    struct cfetch_fetcher *fetcher = transfer->fetcher;
    char temporary[48];
    snprintf(temporary, sizeof temporary, ".%zu.part", transfer->index);
    if (keep && transfer->file < 0) {
        /* An empty body still gets its file. */
        transfer->file = openat(fetcher->directory, temporary,
                                O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (transfer->file < 0) {
            transfer->write_errno = errno;
            return;
        }
    }
    if (close(transfer->file) != 0 && keep) {
        transfer->write_errno = errno;
        keep = 0;
    }
    transfer->file = -1;
    if (keep && name_body_file(transfer, temporary, url != NULL ? url : "") != 0) {
        transfer->write_errno = errno;
        keep = 0;
    }
    if (!keep) unlinkat(fetcher->directory, temporary, 0);
}

static int write_body_file(struct transfer *transfer, const char *data, size_t length) {
    if (transfer->file < 0) {
        char temporary[48];
        snprintf(temporary, sizeof temporary, ".%zu.part", transfer->index);
        transfer->file = openat(transfer->fetcher->directory, temporary,
                                O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (transfer->file < 0) {
            transfer->write_errno = errno;
            return -1;
        }
    }
    while (length > 0) {
        ssize_t written = write(transfer->file, data, length);
        if (written < 0) {
            if (errno == EINTR) continue;
            transfer->write_errno = errno;
            return -1;
        }
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

static size_t receive_body(char *data, size_t size, size_t count, void *context) {
    struct transfer *transfer = context;
    const cfetch_options *options = &transfer->fetcher->options;
    size_t length = size * count;
    uint64_t limit = options->max_body_bytes;
    if (limit > 0 && transfer->bytes + length > limit) {
        transfer->body_too_large = 1;
        return 0; /* anything but length makes libcurl stop with CURLE_WRITE_ERROR */
    }
    if (transfer->fetcher->directory >= 0 && length > 0 &&
        write_body_file(transfer, data, length) != 0) {
        return 0;
    }
    if (options->keep_bodies && length > 0) {
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

/* Sees each response's status line: a URL that answers a redirect a second
 * time within one transfer is a loop, ended at once. */
static size_t receive_header(char *data, size_t size, size_t count, void *context) {
    struct transfer *transfer = context;
    size_t length = size * count;
    /* A header is a byte from the server as much as a body is: the stall clock restarts. */
    transfer->last_progress = monotonic_seconds();
    /* "HTTP/1.1 302 ..." or "HTTP/2 302 ...": the code follows the first space. */
    if (transfer->fetcher->options.follow_redirects && length > 9 &&
        memcmp(data, "HTTP/", 5) == 0) {
        const char *space = memchr(data, ' ', length);
        if (space != NULL && (size_t)(space - data) + 1 < length && space[1] == '3') {
            char *url = NULL;
            libcurl.easy_getinfo(transfer->easy, CURLINFO_EFFECTIVE_URL, &url);
            if (url != NULL) {
                uint64_t hash = hash_bytes(url, strlen(url));
                for (unsigned i = 0; i < transfer->redirected_count; i++) {
                    if (transfer->redirected[i] == hash) {
                        transfer->redirect_loop = 1;
                        return 0;
                    }
                }
                if (transfer->redirected_count < REDIRECTS_REMEMBERED)
                    transfer->redirected[transfer->redirected_count++] = hash;
            }
        }
    }
    return length;
}

/*
 * libcurl's progress callback, called on every pass of its loop over a
 * transfer that has begun (so at least every 0.1 s, the longest poll here):
 * ends the transfer when the batch is stopped or no byte arrived for
 * stall_timeout seconds. libcurl's own low-speed check samples once a second
 * and fired a 2 s limit after 3.1 to 3.9 s.
 */
static int watch_transfer(void *context, curl_off_t download_total, curl_off_t downloaded,
                          curl_off_t upload_total, curl_off_t uploaded) {
    (void)download_total;
    (void)upload_total;
    (void)uploaded;
    struct transfer *transfer = context;
    if (cfetch_batch_stopped(transfer->fetcher->batch)) {
        transfer->interrupted = 1;
        return 1;
    }
    double now = monotonic_seconds();
    if (!transfer->stall_clock || downloaded != transfer->progress_bytes) {
        transfer->stall_clock = 1;
        transfer->progress_bytes = downloaded;
        transfer->last_progress = now;
        return 0;
    }
    double stall = transfer->fetcher->options.stall_timeout;
    if (stall > 0 && now - transfer->last_progress >= stall) {
        transfer->stalled = 1;
        return 1;
    }
    return 0;
}

/*
 * A limit in seconds as libcurl's long: milliseconds (or seconds), rounded up
 * so that a sub-millisecond limit does not become "no limit". 0, negative and
 * NaN mean none (0); values above CFETCH_MAX_TIMEOUT are that cap, so
 * no conversion overflows.
 */
static long limit_units(double seconds, double units_per_second) {
    if (!(seconds > 0)) return 0;
    if (seconds > CFETCH_MAX_TIMEOUT) seconds = CFETCH_MAX_TIMEOUT;
    double value = seconds * units_per_second;
    if (!(value < (double)LONG_MAX)) return LONG_MAX;
    long whole = (long)value;
    return (double)whole < value ? whole + 1 : whole;
}

/* Records why the fetcher failed (the first cause wins) and returns its status. */
static int fail(struct cfetch_fetcher *fetcher, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct cfetch_fetcher *fetcher, int status, const char *format, ...) {
    if (fetcher->failure.status != CFETCH_OK) return status;
    fetcher->failure.status = status;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(fetcher->failure.message, sizeof fetcher->failure.message, format, arguments);
    va_end(arguments);
    return status;
}

/*
 * Sets the options that stay the same for every URL a handle fetches, on a
 * handle just made or just reset. Returns CURLE_OK, or the code of the first
 * option libcurl refused, named in transfer->error (a libcurl built without
 * TLS refuses CURLOPT_CAINFO, for one).
 */
static CURLcode transfer_apply_options(struct transfer *transfer) {
    struct cfetch_fetcher *fetcher = transfer->fetcher;
    const cfetch_options *options = &fetcher->options;
    CURL *easy = transfer->easy;
    /* Sets one option; a refusal names the option and ends the call. */
#define SET(option, value)                                                             \
    do {                                                                               \
        CURLcode refused_ = libcurl.easy_setopt(easy, option, value);                  \
        if (refused_ != CURLE_OK) {                                                    \
            snprintf(transfer->error, sizeof transfer->error, "libcurl refused %s: %s", \
                     #option, libcurl.easy_strerror(refused_));                         \
            return refused_;                                                           \
        }                                                                              \
    } while (0)
    /* Signals would be raised on whichever thread runs the transfer. */
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_WRITEFUNCTION, receive_body);
    SET(CURLOPT_WRITEDATA, transfer);
    SET(CURLOPT_PRIVATE, transfer);
    SET(CURLOPT_ERRORBUFFER, transfer->error);
    SET(CURLOPT_TIMEOUT_MS, limit_units(options->total_timeout, 1000));
    long connect_ms = limit_units(options->connect_timeout, 1000);
    /* libcurl reads 0 as its own 300 s; the cap is the nearest thing to "none". */
    if (connect_ms == 0) connect_ms = limit_units(CFETCH_MAX_TIMEOUT, 1000);
    SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    if (options->max_body_bytes > 0 && options->max_body_bytes <= (uint64_t)INT64_MAX) {
        /* Refuses early a body whose Content-Length is already too long. */
        SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)options->max_body_bytes);
    }
    if (options->follow_redirects) {
        SET(CURLOPT_FOLLOWLOCATION, 1L);
        SET(CURLOPT_MAXREDIRS, (long)options->max_redirects);
    }
    SET(CURLOPT_HEADERFUNCTION, receive_header);
    SET(CURLOPT_HEADERDATA, transfer);
    /* Where a stop and a stall end a transfer, for easy and multi handles alike. */
    SET(CURLOPT_NOPROGRESS, 0L);
    SET(CURLOPT_XFERINFOFUNCTION, watch_transfer);
    SET(CURLOPT_XFERINFODATA, transfer);
    if (options->insecure) {
        SET(CURLOPT_SSL_VERIFYPEER, 0L);
        SET(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (fetcher->ca_file != NULL) SET(CURLOPT_CAINFO, fetcher->ca_file);
    /* "" asks for every encoding this libcurl decodes. */
    if (options->compressed) SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_USERAGENT, fetcher->user_agent != NULL ? fetcher->user_agent : default_user_agent);
    if (fetcher->headers != NULL) SET(CURLOPT_HTTPHEADER, fetcher->headers);
    return CURLE_OK;
#undef SET
}

static int transfer_setup(struct transfer *transfer, struct cfetch_fetcher *fetcher) {
    transfer->fetcher = fetcher;
    transfer->state = TRANSFER_IDLE;
    transfer->file = -1;
    transfer->easy = libcurl.easy_init();
    if (transfer->easy == NULL) return fail(fetcher, CFETCH_ECURL, "libcurl could not make a handle");
    if (transfer_apply_options(transfer) != CURLE_OK) {
        return fail(fetcher, CFETCH_ECURL, "%s", transfer->error);
    }
    return CFETCH_OK;
}

static void transfer_cleanup(struct transfer *transfer) {
    if (transfer->easy != NULL) libcurl.easy_cleanup(transfer->easy);
    transfer->easy = NULL;
    if (transfer->file >= 0) close_body_file(transfer, 0, NULL);
    free(transfer->body);
    transfer->body = NULL;
    free(transfer->url);
    transfer->url = NULL;
    free(transfer->host);
    transfer->host = NULL;
}

/* Whether the URL starts with a scheme ("letter *(letter / digit / + - .) :"). */
static int has_scheme(const char *url) {
    if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z'))) return 0;
    for (const char *c = url + 1; *c != '\0'; c++) {
        if (*c == ':') return 1;
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                 *c == '+' || *c == '-' || *c == '.';
        if (!ok) return 0;
    }
    return 0;
}

static int is_https(const char *url) {
    return strncmp(url, "https:", 6) == 0 || strncmp(url, "HTTPS:", 6) == 0;
}

/*
 * Prepares the handle for one attempt at its URL. Returns CURLE_OK, or the
 * code of a URL that cannot be attempted (its message in transfer->error).
 */
static CURLcode transfer_begin(struct transfer *transfer) {
    const cfetch_options *options = &transfer->fetcher->options;
    transfer->attempts += 1;
    transfer->performed = 0;
    transfer->bytes = 0;
    transfer->body_length = 0;
    transfer->body_too_large = 0;
    transfer->out_of_memory = 0;
    transfer->write_errno = 0;
    transfer->redirect_loop = 0;
    transfer->interrupted = 0;
    transfer->stalled = 0;
    transfer->stall_clock = 0;
    transfer->progress_bytes = 0;
    transfer->last_progress = monotonic_seconds();
    transfer->redirected_count = 0;
    transfer->error[0] = '\0';
    transfer->state = TRANSFER_RUNNING;
    if (transfer->file >= 0) {
        /* A retry: the body starts again. */
        if (ftruncate(transfer->file, 0) != 0 || lseek(transfer->file, 0, SEEK_SET) != 0) {
            close_body_file(transfer, 0, NULL);
        }
    }
    if (transfer->url == NULL) return CURLE_OUT_OF_MEMORY;
    /* libcurl 7.88 counts the retries on reused connections that turned out dead per handle,
     * and only a reset clears the count: a handle reused for URL after URL against a server
     * that ends connections (nginx's GOAWAY after keepalive_requests) reaches 5 and fails
     * every later URL with "Connection died". Reset clears the options, not the connections
     * (they live in the multi handle, or the easy handle's own cache); it costs about 1 us. */
    libcurl.easy_reset(transfer->easy);
    /* A refusal here fails this URL, with the option named in its error. */
    if (transfer_apply_options(transfer) != CURLE_OK) return CURLE_FAILED_INIT;
    if (strlen(transfer->url) != transfer->url_length) {
        snprintf(transfer->error, sizeof transfer->error,
                 "the URL holds a NUL byte at offset %zu", strlen(transfer->url));
        return CURLE_URL_MALFORMAT;
    }
    if (!has_scheme(transfer->url)) {
        /* As Python's urlopen does; libcurl would guess http:// and look the text up as a host. */
        snprintf(transfer->error, sizeof transfer->error,
                 "the URL has no scheme (such as https://)");
        return CURLE_URL_MALFORMAT;
    }
    /* 2TLS: HTTP/2 only over TLS (ALPN), never h2c, also after a redirect from http. */
    int http1 = options->http_version == CFETCH_HTTP_1_1;
    libcurl.easy_setopt(transfer->easy, CURLOPT_HTTP_VERSION,
                        http1 ? (long)CURL_HTTP_VERSION_1_1 : (long)CURL_HTTP_VERSION_2TLS);
    if (transfer->fetcher->window > 0) {
        /* Wait for the first connection to a host to say whether it multiplexes, rather than
         * open one connection per transfer; only where HTTP/2 is possible, so a plain http
         * transfer never waits for a busy HTTP/1.1 connection. */
        libcurl.easy_setopt(transfer->easy, CURLOPT_PIPEWAIT,
                            !http1 && is_https(transfer->url) ? 1L : 0L);
    }
    return libcurl.easy_setopt(transfer->easy, CURLOPT_URL, transfer->url);
}

/* Codes that another attempt cannot change. */
static int is_permanent(CURLcode code) {
    switch (code) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    /* No retry moments later makes a name resolve or a certificate valid. */
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_WRITE_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
        return 1;
    default:
        return 0;
    }
}

static int http_version_number(long version) {
    switch (version) {
    case CURL_HTTP_VERSION_1_0: return 10;
    case CURL_HTTP_VERSION_1_1: return 11;
    case CURL_HTTP_VERSION_2_0: return 20;
    case CURL_HTTP_VERSION_3: return 30;
    default: return 0;
    }
}

/* Writes the URL's result through the batch's sink and frees the slot. */
static void transfer_record(struct transfer *transfer, CURLcode code, long status) {
    struct cfetch_fetcher *fetcher = transfer->fetcher;
    cfetch_batch *batch = fetcher->batch;
    const cfetch_options *options = &fetcher->options;
    cfetch_result result;
    memset(&result, 0, sizeof result);
    result.status = status;
    result.bytes = transfer->bytes;
    result.curl_code = (int)code;
    result.attempts = transfer->attempts;
    /* An interrupted transfer's connection never served it: counted, it would make the
     * summary's connections depend on how many transfers a stop happened to cut short. */
    result.connections = transfer->interrupted ? 0 : transfer->connections;
    if (transfer->performed) {
        /* Only an attempt libcurl ran has times of its own; otherwise the handle still
         * holds the previous URL's. */
        CURL *easy = transfer->easy;
        double seconds = 0;
        if (libcurl.easy_getinfo(easy, CURLINFO_TOTAL_TIME, &seconds) == CURLE_OK)
            result.total_seconds = seconds;
        if (libcurl.easy_getinfo(easy, CURLINFO_CONNECT_TIME, &seconds) == CURLE_OK)
            result.connect_seconds = seconds;
        if (libcurl.easy_getinfo(easy, CURLINFO_STARTTRANSFER_TIME, &seconds) == CURLE_OK)
            result.first_byte_seconds = seconds;
        curl_off_t received = 0;
        if (libcurl.easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &received) == CURLE_OK &&
            received > 0)
            result.bytes_received = (uint64_t)received;
        long value = 0;
        if (libcurl.easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &value) == CURLE_OK && value > 0)
            result.redirects = (unsigned)value;
        if (status > 0 && libcurl.easy_getinfo(easy, CURLINFO_HTTP_VERSION, &value) == CURLE_OK)
            result.http_version = http_version_number(value);
        char *final_url = NULL;
        if (libcurl.easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &final_url) == CURLE_OK)
            result.final_url = final_url;
    }
    if (result.final_url == NULL) result.final_url = transfer->url;
    int refused = options->fail_on_http_error && code == CURLE_OK && status >= 400;
    if (refused) {
        code = CURLE_HTTP_RETURNED_ERROR;
        result.curl_code = (int)code;
    }
    if (fetcher->directory >= 0) {
        int keep = code == CURLE_OK;
        transfer->file_name[0] = '\0';
        close_body_file(transfer, keep, result.final_url);
        if (keep && transfer->write_errno == 0) {
            result.saved = 1;
            result.file_name = transfer->file_name;
        } else if (keep) {
            code = CURLE_WRITE_ERROR;
            result.curl_code = (int)code;
        }
    }
    if (code != CURLE_OK) {
        if (refused) {
            /* curl --fail's words, which scripts already know. */
            snprintf(result.error, sizeof result.error, "The requested URL returned error: %ld",
                     status);
        } else if (transfer->interrupted) {
            snprintf(result.error, sizeof result.error, "interrupted: the fetch was stopped");
        } else if (transfer->stalled) {
            /* libcurl's words for its own low-speed limit, which this one replaces. */
            snprintf(result.error, sizeof result.error,
                     "Operation too slow: no byte received for %g seconds",
                     options->stall_timeout);
        } else if (transfer->body_too_large) {
            snprintf(result.error, sizeof result.error,
                     "body larger than the maximum of %llu bytes",
                     (unsigned long long)options->max_body_bytes);
        } else if (transfer->write_errno != 0) {
            snprintf(result.error, sizeof result.error, "cannot write the body to %s/%s: %s",
                     options->output_directory,
                     transfer->file_name[0] != '\0' ? transfer->file_name : "(its file)",
                     strerror(transfer->write_errno));
        } else if (transfer->redirect_loop) {
            snprintf(result.error, sizeof result.error,
                     "redirect loop: %.160s answered a redirect again, after %u hop(s)",
                     result.final_url, result.redirects);
        } else if (code == CURLE_TOO_MANY_REDIRECTS) {
            snprintf(result.error, sizeof result.error,
                     "too many redirects: more than %ld", options->max_redirects);
        } else if (code == CURLE_FILESIZE_EXCEEDED) {
            snprintf(result.error, sizeof result.error,
                     "body larger than the maximum of %llu bytes (by its Content-Length)",
                     (unsigned long long)options->max_body_bytes);
        } else if (transfer->error[0] != '\0') {
            snprintf(result.error, sizeof result.error, "%s", transfer->error);
        } else {
            snprintf(result.error, sizeof result.error, "%s", libcurl.easy_strerror(code));
        }
    }
    if (options->keep_bodies && transfer->body_length > 0 && !refused) {
        result.body = transfer->body;
        result.body_length = transfer->body_length;
    }
    pthread_mutex_lock(&batch->lock);
    batch->sink(batch->context, transfer->index, transfer->url != NULL ? transfer->url : "",
                transfer->url_length, &result);
    pthread_mutex_unlock(&batch->lock);
    transfer->body_length = 0;
    transfer->state = TRANSFER_IDLE;
    __atomic_fetch_add(&batch->done, 1, __ATOMIC_RELEASE);
}

/*
 * Ends one attempt: records the result, or schedules another attempt.
 * Returns 1 when the URL is finished, 0 when it waits for a retry.
 */
/* Codes of a request the server's end of a reused connection cut off before any answer. */
static int is_ended_connection(CURLcode code) {
    return code == CURLE_HTTP2 || code == CURLE_HTTP2_STREAM || code == CURLE_SEND_ERROR ||
           code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING;
}

static int transfer_finish(struct transfer *transfer, CURLcode code) {
    if (transfer->body_too_large) code = CURLE_FILESIZE_EXCEEDED;
    if (transfer->out_of_memory) code = CURLE_OUT_OF_MEMORY;
    if (transfer->stalled) code = CURLE_OPERATION_TIMEDOUT;
    if (transfer->interrupted) code = CURLE_ABORTED_BY_CALLBACK;
    long status = 0;
    long connects = 0;
    if (transfer->performed) {
        long value = 0;
        if (libcurl.easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &value) == CURLE_OK)
            status = value;
        if (libcurl.easy_getinfo(transfer->easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK &&
            connects > 0)
            transfer->connections += (unsigned)connects;
    }
    int failed = code != CURLE_OK || status >= 500;
    const cfetch_options *options = &transfer->fetcher->options;
    int stopped = cfetch_batch_stopped(transfer->fetcher->batch);
    /* libcurl 7.88 repeats a request on a reused connection that the server had closed, but
     * not one caught in an HTTP/2 GOAWAY's race ("Error in the HTTP2 framing layer", about 1
     * in 10^5 URLs against nginx ending connections after 100 requests). No answer came, so
     * once per URL, at once and beside the retries asked for, it gets what libcurl does. */
    if (transfer->performed && connects == 0 && status == 0 && transfer->bytes == 0 &&
        is_ended_connection(code) && transfer->reconnects == 0 && !stopped) {
        transfer->reconnects = 1;
        transfer->retry_at = monotonic_seconds();
        transfer->state = TRANSFER_WAITING;
        return 0;
    }
    unsigned retried = transfer->attempts - transfer->reconnects;
    if (failed && !is_permanent(code) && retried <= options->retries && !stopped) {
        transfer->retry_at = monotonic_seconds() + backoff_before(options->retry_backoff,
                                                                  retried);
        transfer->state = TRANSFER_WAITING;
        return 0;
    }
    transfer_record(transfer, code, status);
    return 1;
}

/* Records a result for an attempt that never reached libcurl's transfer. */
static void transfer_abandon(struct transfer *transfer, CURLcode code) {
    transfer->performed = 0;
    transfer->bytes = 0;
    if (transfer->attempts == 0) transfer->attempts = 1;
    transfer_record(transfer, code, 0);
}

/* ---------------------------------------------------------------- fetcher -- */

static char *copy_string(const char *text, int *failed) {
    if (text == NULL) return NULL;
    char *copy = strdup(text);
    if (copy == NULL) *failed = 1;
    return copy;
}

/* Gives the caller the cause (when it asked) and releases the half-made fetcher. */
static cfetch_fetcher *fetcher_abandon(cfetch_fetcher *fetcher, cfetch_failure *failure) {
    if (failure != NULL) *failure = fetcher->failure;
    cfetch_fetcher_free(fetcher);
    return NULL;
}

cfetch_fetcher *cfetch_fetcher_new(const cfetch_options *options, unsigned window,
                                   cfetch_failure *failure) {
    if (failure != NULL) memset(failure, 0, sizeof *failure);
    cfetch_fetcher *fetcher = calloc(1, sizeof *fetcher);
    if (fetcher == NULL) {
        if (failure != NULL) {
            failure->status = CFETCH_ENOMEM;
            snprintf(failure->message, sizeof failure->message, "out of memory");
        }
        return NULL;
    }
    fetcher->directory = -1;
    if (cfetch_global_init() != CFETCH_OK) {
        fail(fetcher, CFETCH_ECURL, "%s", global_message);
        return fetcher_abandon(fetcher, failure);
    }
    if (options != NULL) {
        fetcher->options = *options;
    } else {
        cfetch_options_init(&fetcher->options);
    }
    /* Values that large mean "no limit"; libcurl's signed size would turn them negative. */
    if (fetcher->options.max_body_bytes > (uint64_t)INT64_MAX) fetcher->options.max_body_bytes = 0;
    if (fetcher->options.max_redirects < 0) fetcher->options.max_redirects = 0;
    int failed = 0;
    fetcher->user_agent = copy_string(fetcher->options.user_agent, &failed);
    fetcher->ca_file = copy_string(fetcher->options.ca_file, &failed);
    fetcher->options.user_agent = fetcher->user_agent;
    fetcher->options.ca_file = fetcher->ca_file;
    for (size_t i = 0; i < fetcher->options.header_count && !failed; i++) {
        struct curl_slist *grown = libcurl.slist_append(fetcher->headers, fetcher->options.headers[i]);
        if (grown == NULL) failed = 1;
        else fetcher->headers = grown;
    }
    fetcher->options.headers = NULL;
    fetcher->options.header_count = 0;
    const char *directory = fetcher->options.output_directory;
    fetcher->options.output_directory = NULL;
    if (directory != NULL && !failed) {
        fetcher->options.output_directory = strdup(directory);
        if (fetcher->options.output_directory == NULL) failed = 1;
    }
    fetcher->window = window;
    fetcher->transfer_count = window > 0 ? window : 1;
    fetcher->transfers = calloc(fetcher->transfer_count, sizeof *fetcher->transfers);
    if (fetcher->transfers == NULL || failed) {
        fail(fetcher, CFETCH_ENOMEM, "out of memory");
        return fetcher_abandon(fetcher, failure);
    }
    for (unsigned i = 0; i < fetcher->transfer_count; i++) fetcher->transfers[i].file = -1;
    if (directory != NULL) {
        fetcher->directory = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fetcher->directory < 0) {
            fail(fetcher, CFETCH_EIO, "cannot open the output directory %s: %s", directory,
                 strerror(errno));
            return fetcher_abandon(fetcher, failure);
        }
    }
    for (unsigned i = 0; i < fetcher->transfer_count; i++) {
        if (transfer_setup(&fetcher->transfers[i], fetcher) != CFETCH_OK) {
            return fetcher_abandon(fetcher, failure);
        }
    }
    fetcher->multi = libcurl.multi_init();
    if (fetcher->multi == NULL) {
        fail(fetcher, CFETCH_ECURL, "libcurl could not make a multi handle");
        return fetcher_abandon(fetcher, failure);
    }
    if (window > 0) {
        int http1 = fetcher->options.http_version == CFETCH_HTTP_1_1;
        /* HTTP/2 streams share connections; HTTP/1.1 never waits for a busy connection. */
        libcurl.multi_setopt(fetcher->multi, CURLMOPT_PIPELINING,
                             http1 ? (long)CURLPIPE_NOTHING : (long)CURLPIPE_MULTIPLEX);
        /* Keep one connection per transfer in flight alive for reuse, and no
         * more, so the fetcher's descriptors stay bounded by its window. */
        libcurl.multi_setopt(fetcher->multi, CURLMOPT_MAXCONNECTS, (long)window);
        if (fetcher->options.per_host > 0) {
            libcurl.multi_setopt(fetcher->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                                 (long)fetcher->options.per_host);
        }
    }
    return fetcher;
}

void cfetch_fetcher_free(cfetch_fetcher *fetcher) {
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
    if (fetcher->headers != NULL) libcurl.slist_free_all(fetcher->headers);
    if (fetcher->directory >= 0) close(fetcher->directory);
    free((char *)fetcher->options.output_directory);
    free(fetcher->user_agent);
    free(fetcher->ca_file);
    free(fetcher->transfers);
    free(fetcher);
}

/*
 * Runs the easy handle's transfer to its end on the calling thread, as
 * curl_easy_perform does (it, too, drives a multi handle of the easy handle's
 * own, which keeps the connections between transfers), but waiting at most
 * 0.1 s at a time rather than its 1 s, so that a stop and a stall are seen
 * on time.
 */
static CURLcode perform(cfetch_fetcher *fetcher, struct transfer *transfer) {
    CURLM *multi = fetcher->multi;
    if (libcurl.multi_add_handle(multi, transfer->easy) != CURLM_OK) return CURLE_FAILED_INIT;
    CURLcode code = CURLE_FAILED_INIT;
    for (;;) {
        int running = 0;
        if (libcurl.multi_perform(multi, &running) != CURLM_OK) break;
        CURLMsg *message;
        int queued = 0;
        int done = 0;
        while ((message = libcurl.multi_info_read(multi, &queued)) != NULL) {
            if (message->msg != CURLMSG_DONE) continue;
            code = message->data.result;
            done = 1;
        }
        if (done) break;
        if (libcurl.multi_poll(multi, NULL, 0, 100, NULL) != CURLM_OK) break;
    }
    libcurl.multi_remove_handle(multi, transfer->easy);
    return code;
}

/* One transfer at a time on the one easy handle. */
static int run_easy(cfetch_fetcher *fetcher, cfetch_batch *batch) {
    struct transfer *transfer = &fetcher->transfers[0];
    unsigned per_host = fetcher->options.per_host;
    for (;;) {
        int out_of_memory = 0;
        int answer = batch_take(batch, transfer, &out_of_memory);
        if (answer == CFETCH_END) return CFETCH_OK;
        if (answer == CFETCH_LATER) {
            pause_for_source();
            continue;
        }
        transfer->attempts = 0;
        transfer->reconnects = 0;
        transfer->connections = 0;
        if (out_of_memory) {
            transfer_abandon(transfer, CURLE_OUT_OF_MEMORY);
            return fail(fetcher, CFETCH_ENOMEM, "out of memory copying a URL");
        }
        if (per_host > 0 && !host_enter(batch, transfer, per_host)) {
            transfer->interrupted = 1;
            transfer_abandon(transfer, CURLE_ABORTED_BY_CALLBACK);
            continue;
        }
        for (;;) {
            CURLcode code = transfer_begin(transfer);
            if (code == CURLE_OK) {
                transfer->performed = 1;
                code = perform(fetcher, transfer);
            }
            if (transfer_finish(transfer, code)) break;
            sleep_until(transfer->retry_at, batch);
            if (cfetch_batch_stopped(batch)) {
                transfer->interrupted = 1;
                transfer_record(transfer, CURLE_ABORTED_BY_CALLBACK, 0);
                break;
            }
        }
        host_leave(batch, transfer);
    }
}

/* Starts the next attempt of a running or waiting transfer on the multi
 * handle. Returns 1 when it is in flight, 0 when it finished at once. */
static int multi_start(cfetch_fetcher *fetcher, struct transfer *transfer) {
    CURLcode code = transfer_begin(transfer);
    if (code != CURLE_OK) {
        transfer_abandon(transfer, code);
        return 0;
    }
    if (libcurl.multi_add_handle(fetcher->multi, transfer->easy) != CURLM_OK) {
        transfer_abandon(transfer, CURLE_FAILED_INIT);
        return 0;
    }
    transfer->performed = 1;
    return 1;
}

/* Gives an idle transfer the batch's next URL and starts it. Returns
 * CFETCH_URL when it is in flight, CFETCH_LATER when the source
 * has none ready, CFETCH_END when none is left or memory ran out (then
 * *status says so). */
static int multi_take(cfetch_fetcher *fetcher, struct transfer *transfer, int *status) {
    for (;;) {
        int out_of_memory = 0;
        int answer = batch_take(fetcher->batch, transfer, &out_of_memory);
        if (answer != CFETCH_URL) return answer;
        transfer->attempts = 0;
        transfer->reconnects = 0;
        transfer->connections = 0;
        if (out_of_memory) {
            transfer_abandon(transfer, CURLE_OUT_OF_MEMORY);
            *status = fail(fetcher, CFETCH_ENOMEM, "out of memory copying a URL");
            return CFETCH_END;
        }
        if (multi_start(fetcher, transfer)) return CFETCH_URL;
    }
}

/* Fills idle transfers from the batch. Returns the number started; sets
 * *exhausted when the batch has no URL left, *starved when the source had
 * none ready. */
static unsigned multi_fill(cfetch_fetcher *fetcher, int *exhausted, int *starved, int *status) {
    unsigned started = 0;
    *starved = 0;
    for (unsigned i = 0; i < fetcher->transfer_count && !*exhausted; i++) {
        struct transfer *transfer = &fetcher->transfers[i];
        if (transfer->state != TRANSFER_IDLE) continue;
        int answer = multi_take(fetcher, transfer, status);
        if (answer == CFETCH_URL) {
            started++;
        } else if (answer == CFETCH_LATER) {
            *starved = 1;
            break;
        } else {
            *exhausted = 1;
        }
    }
    return started;
}

/* Up to window transfers in flight; one is added as one finishes. */
static int run_multi(cfetch_fetcher *fetcher, cfetch_batch *batch) {
    CURLM *multi = fetcher->multi;
    unsigned active = 0;  /* transfers running or waiting to retry */
    unsigned waiting = 0; /* of them, waiting to retry */
    int exhausted = 0;    /* the batch has handed out its last URL */
    int starved = 0;      /* the source had no URL ready at the last ask */
    int fill = 1;         /* idle transfers may wait for a URL */
    int status = CFETCH_OK;
    for (;;) {
        if (cfetch_batch_stopped(batch)) break;
        if (!exhausted && (fill || starved)) {
            active += multi_fill(fetcher, &exhausted, &starved, &status);
            fill = 0;
        }
        if (active == 0 && exhausted) break;
        if (waiting > 0) {
            double now = monotonic_seconds();
            for (unsigned i = 0; i < fetcher->transfer_count; i++) {
                struct transfer *transfer = &fetcher->transfers[i];
                if (transfer->state != TRANSFER_WAITING || transfer->retry_at > now) continue;
                waiting--;
                if (!multi_start(fetcher, transfer)) {
                    active--;
                    fill = 1;
                }
            }
        }

        int running = 0;
        CURLMcode performed = libcurl.multi_perform(multi, &running);
        if (performed != CURLM_OK) {
            status = fail(fetcher, CFETCH_ECURL, "curl_multi_perform failed: %s",
                          libcurl.multi_strerror(performed));
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
            if (!transfer_finish(transfer, code)) {
                waiting++;
                continue;
            }
            active--;
            if (!exhausted && !starved) {
                int answer = multi_take(fetcher, transfer, &status);
                if (answer == CFETCH_URL) {
                    active++;
                } else if (answer == CFETCH_LATER) {
                    starved = 1;
                } else {
                    exhausted = 1;
                }
            }
        }
        if (active == 0 && exhausted) break;

        /* Chosen after the finished transfers moved to waiting, so a retry due in 0.1 s
         * is not slept past; at most 0.1 s, so that a stop is seen soon, and 5 ms while
         * the source owes URLs. */
        int poll_ms = starved ? 5 : 100;
        if (waiting > 0) {
            double now = monotonic_seconds();
            for (unsigned i = 0; i < fetcher->transfer_count; i++) {
                struct transfer *transfer = &fetcher->transfers[i];
                if (transfer->state != TRANSFER_WAITING) continue;
                double wait_ms = (transfer->retry_at - now) * 1000.0;
                int until = wait_ms <= 0 ? 0 : (int)wait_ms + 1;
                if (until < poll_ms) poll_ms = until;
            }
        }
        if (active == 0) {
            /* Nothing in flight: libcurl 7.88 would sleep out the whole poll time, so wait for the
               source instead. */
            pause_for_source();
            continue;
        }
        CURLMcode polled = libcurl.multi_poll(multi, NULL, 0, poll_ms, NULL);
        if (polled != CURLM_OK) {
            status = fail(fetcher, CFETCH_ECURL, "curl_multi_poll failed: %s",
                          libcurl.multi_strerror(polled));
            break;
        }
    }
    /* Stopped, or the multi handle is broken: every URL this fetcher holds still gets a
     * result; URLs not yet taken stay for other fetchers. */
    int stopped = cfetch_batch_stopped(batch);
    for (unsigned i = 0; i < fetcher->transfer_count; i++) {
        struct transfer *transfer = &fetcher->transfers[i];
        if (transfer->state == TRANSFER_IDLE) continue;
        if (transfer->state == TRANSFER_RUNNING) libcurl.multi_remove_handle(multi, transfer->easy);
        transfer->interrupted = stopped;
        transfer_record(transfer, stopped ? CURLE_ABORTED_BY_CALLBACK : CURLE_FAILED_INIT, 0);
    }
    return status;
}

const cfetch_failure *cfetch_fetcher_failure(const cfetch_fetcher *fetcher) {
    return &fetcher->failure;
}

int cfetch_fetcher_run(cfetch_fetcher *fetcher, cfetch_batch *batch) {
    if (fetcher == NULL || batch == NULL) return CFETCH_EINVAL;
    memset(&fetcher->failure, 0, sizeof fetcher->failure);
    fetcher->batch = batch;
    int status = fetcher->window == 0 ? run_easy(fetcher, batch) : run_multi(fetcher, batch);
    fetcher->batch = NULL;
    return status;
}
