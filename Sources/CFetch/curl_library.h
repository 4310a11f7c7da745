/*
 * curl_library.h -- libcurl, loaded when the first fetch needs it (internal).
 *
 * Linking libcurl would map it and its TLS, Kerberos and LDAP stack into
 * every process that links CFetch: about 5 MB of resident pages and a few
 * milliseconds of start-up for a program that never fetches. CFetch instead
 * opens libcurl.so.4 the first time cfetch_global_init() runs and
 * calls it through this table of functions.
 */
#ifndef CFETCH_CURL_LIBRARY_H
#define CFETCH_CURL_LIBRARY_H

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

typedef struct curl_library {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    void (*easy_reset)(CURL *handle);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode code);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_setopt)(CURLM *multi, CURLMoption option, ...);
    CURLMcode (*multi_add_handle)(CURLM *multi, CURL *handle);
    CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *handle);
    CURLMcode (*multi_perform)(CURLM *multi, int *running);
    CURLMcode (*multi_poll)(CURLM *multi, struct curl_waitfd extra[], unsigned extra_count,
                            int timeout_ms, int *ready);
    CURLMsg *(*multi_info_read)(CURLM *multi, int *queued);
    CURLMcode (*multi_cleanup)(CURLM *multi);
    const char *(*multi_strerror)(CURLMcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *string);
    void (*slist_free_all)(struct curl_slist *list);
    curl_version_info_data *(*version_info)(CURLversion stamp);
} curl_library;

/*
 * Opens libcurl.so.4 and resolves every function above into *library.
 * Returns 0, or -1 when the library or a function is missing, with a line
 * that says which in message (size bytes). Not thread-safe: call it once,
 * before any thread fetches (under pthread_once).
 */
int curl_library_load(curl_library *library, char *message, size_t size);

#endif /* CFETCH_CURL_LIBRARY_H */
