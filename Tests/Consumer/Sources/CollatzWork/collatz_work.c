#include "collatz_work.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

uint64_t collatz_steps(uint64_t n) {
    uint64_t steps = 0;
    while (n > 1) {
        n = n % 2 == 0 ? n / 2 : 3 * n + 1;
        steps++;
    }
    return steps;
}

int collatz_work(void *context, uint64_t item, void *slot) {
    const collatz_context *collatz = context;
    if (collatz && (int64_t)item == collatz->kill_item) {
        int fd = open(collatz->marker, O_CREAT | O_EXCL | O_WRONLY, 0600);
        if (fd >= 0) {
            close(fd);
            raise(SIGKILL); /* a worker killed mid-item, as `kill -9` would */
        }
    }
    *(uint64_t *)slot = collatz_steps(item + 1);
    return 0;
}
