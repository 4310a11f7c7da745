#include "curl_library.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int curl_library_load(curl_library *library, char *message, size_t size) {
    memset(library, 0, sizeof *library);
    /* The soname of libcurl 7.16 and later; RTLD_LOCAL keeps its symbols out of the global scope. */
    void *handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        snprintf(message, size, "libcurl.so.4 could not be loaded: %s", why != NULL ? why : "?");
        return -1;
    }
#define RESOLVE(field, symbol)                                                         \
    do {                                                                               \
        *(void **)&library->field = dlsym(handle, symbol);                             \
        if (!library->field) {                                                         \
            snprintf(message, size, "libcurl.so.4 has no %s: it is too old", symbol);  \
            return -1;                                                                 \
        }                                                                              \
    } while (0)
    RESOLVE(global_init, "curl_global_init");
    RESOLVE(easy_init, "curl_easy_init");
    RESOLVE(easy_cleanup, "curl_easy_cleanup");
    RESOLVE(easy_reset, "curl_easy_reset");
    RESOLVE(easy_setopt, "curl_easy_setopt");
    RESOLVE(easy_getinfo, "curl_easy_getinfo");
    RESOLVE(easy_strerror, "curl_easy_strerror");
    RESOLVE(multi_init, "curl_multi_init");
    RESOLVE(multi_setopt, "curl_multi_setopt");
    RESOLVE(multi_add_handle, "curl_multi_add_handle");
    RESOLVE(multi_remove_handle, "curl_multi_remove_handle");
    RESOLVE(multi_perform, "curl_multi_perform");
    RESOLVE(multi_poll, "curl_multi_poll");
    RESOLVE(multi_info_read, "curl_multi_info_read");
    RESOLVE(multi_cleanup, "curl_multi_cleanup");
    RESOLVE(multi_strerror, "curl_multi_strerror");
    RESOLVE(slist_append, "curl_slist_append");
    RESOLVE(slist_free_all, "curl_slist_free_all");
    RESOLVE(version_info, "curl_version_info");
#undef RESOLVE
    /* The handle stays open for the process's life: every fetch calls through it. */
    return 0;
}
