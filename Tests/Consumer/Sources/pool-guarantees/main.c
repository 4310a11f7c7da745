/*
 * The fork pool at its edges, through CForkPool's public API alone:
 *   1. a child the caller forked itself, ending during a pool run, reaches the caller's SIGCHLD
 *      handler and is the caller's to reap (the pool reaps only its own workers);
 *   2. a region whose size would wrap (one-byte slots, SIZE_MAX / 2 items) is refused up front,
 *      not mapped too small with every worker dying past its end;
 *   3. with handle_signals = 0, a worker stopped by SIGTERM ends the run with CFORKPOOL_EINTR
 *      instead of being replaced until too many workers have died;
 *   4. under a caller's handler that reaps every child (waitpid(-1)), a killed worker is still
 *      replaced, its item re-run, and no death is reported as "exited with code 0".
 * Prints one line per check, "ok" or "FAILED", and exits 1 if any failed.
 */
#define _GNU_SOURCE
#include <cforkpool.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handler_runs;
static volatile sig_atomic_t own_child_reaped;
static volatile pid_t own_child;

static void on_child(int signal) {
    (void)signal;
    int saved = errno;
    handler_runs++;
    int status;
    /* Only our own child: the pool's workers are the pool's. */
    if (own_child > 0 && waitpid(own_child, &status, WNOHANG) == own_child) own_child_reaped = 1;
    errno = saved;
}

static void pause_ms(long ms) {
    struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {}
}

static int slow_item(void *context, uint64_t item, void *slot) {
    (void)context;
    pause_ms(100);
    *(uint64_t *)slot = item;
    return 0;
}

static int check_own_child(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_child;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &action, NULL);

    pid_t child = fork();
    if (child == 0) {
        pause_ms(50);
        _exit(0);
    }
    own_child = child;
    cforkpool_options options;
    cforkpool_options_init(&options);
    options.workers = 2;
    options.items = 8;
    options.slot_bytes = sizeof(uint64_t);
    uint64_t results[8];
    cforkpool_report report;
    int status = cforkpool_run(&options, slow_item, NULL, results, &report);
    for (int wait = 0; wait < 100 && !own_child_reaped; wait++) pause_ms(10);
    int zombie = !own_child_reaped && waitpid(child, NULL, WNOHANG) == child;
    int ok = status == CFORKPOOL_OK && results[7] == 7 && handler_runs > 0 && own_child_reaped;
    printf("own child's SIGCHLD: %s (pool %s, handler ran %d times, child %s)\n", ok ? "ok" : "FAILED",
           cforkpool_strerror(status), (int)handler_runs,
           own_child_reaped ? "reaped by its handler" : zombie ? "left a zombie" : "not reaped");
    signal(SIGCHLD, SIG_DFL);
    return ok;
}

static int write_byte(void *context, uint64_t item, void *slot) {
    (void)context;
    (void)item;
    *(uint8_t *)slot = 1;
    return 0;
}

static int check_wrapping_size(void) {
    cforkpool_options options;
    cforkpool_options_init(&options);
    options.workers = 2;
    options.items = SIZE_MAX / 2;
    options.slot_bytes = 1;
    options.max_deaths = 2;
    static uint8_t results[1];
    cforkpool_report report;
    int status = cforkpool_run(&options, write_byte, NULL, results, &report);
    int ok = status == CFORKPOOL_ENOMEM || status == CFORKPOOL_EINVAL;
    printf("SIZE_MAX / 2 one-byte slots: %s (%s, %u deaths)\n", ok ? "ok" : "FAILED", cforkpool_strerror(status),
           report.deaths);
    return ok;
}

static int terminate_self(void *context, uint64_t item, void *slot) {
    (void)context;
    if (item == 3) raise(SIGTERM);
    *(uint64_t *)slot = item;
    return 0;
}

static int check_stopped_worker(void) {
    cforkpool_options options;
    cforkpool_options_init(&options);
    options.workers = 2;
    options.items = 8;
    options.slot_bytes = sizeof(uint64_t);
    uint64_t results[8];
    cforkpool_report report;
    int status = cforkpool_run(&options, terminate_self, NULL, results, &report);
    int ok = status == CFORKPOOL_EINTR && report.signal == SIGTERM && report.deaths == 0;
    printf("a worker stopped by SIGTERM, handle_signals = 0: %s (%s)\n", ok ? "ok" : "FAILED",
           cforkpool_strerror(status));
    return ok;
}

static void reap_everything(int signal) {
    (void)signal;
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    errno = saved;
}

static int deaths_seen, deaths_as_clean_exit;

static void on_death(void *context, int pid, int signal, int exit_code, int64_t lost_item) {
    (void)context;
    (void)pid;
    (void)lost_item;
    deaths_seen++;
    if (signal == 0 && exit_code == 0) deaths_as_clean_exit++;
}

static int check_reaped_elsewhere(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = reap_everything;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &action, NULL);
    cforkpool_options options;
    cforkpool_options_init(&options);
    options.workers = 2;
    options.items = 8;
    options.slot_bytes = sizeof(uint64_t);
    options.fault_item = 5;
    options.on_death = on_death;
    uint64_t results[8];
    cforkpool_report report;
    int status = cforkpool_run(&options, slow_item, NULL, results, &report);
    signal(SIGCHLD, SIG_DFL);
    int ok = status == CFORKPOOL_OK && results[5] == 5 && deaths_seen == 1 && deaths_as_clean_exit == 0;
    printf("a killed worker reaped by the caller's handler: %s (%s, %d deaths reported, %d as a clean exit)\n",
           ok ? "ok" : "FAILED", cforkpool_strerror(status), deaths_seen, deaths_as_clean_exit);
    return ok;
}

int main(void) {
    /* A program started with signals blocked (Foundation's Process starts them so) would never
     * run a handler nor die of SIGTERM, pool or not. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGTERM, SIG_DFL);
    int ok = check_own_child();
    ok &= check_wrapping_size();
    ok &= check_stopped_worker();
    ok &= check_reaped_elsewhere();
    return ok ? 0 : 1;
}
