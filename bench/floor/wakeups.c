/*
 * The least a map costs besides its items on this machine: a host and two
 * worker processes, joined by Unix socket pairs as the pool's are, pass
 * one byte each way per round (the host sends to both workers and waits
 * for both answers), with nothing else: no Lua, no codec, no framing. A
 * round is what any pool of processes pays for a call whose workers are
 * asleep when it starts: two wake-ups of workers, the host's wait, and
 * each worker's sleep after it answers.
 *
 *   scripts/floor          builds this with cc and runs it after floor.c
 *
 * Between rounds the host stays busy for a millisecond, as a script
 * between two maps (bench/cliffs.lua collects garbage and reads /proc),
 * so that each round finds the workers asleep. Two ways of waiting are
 * timed, taking turns: as the pool waits (the host polls without sleeping
 * for up to 50 us before each sleep; a worker spins up to 50 us, or 5 us
 * after a long wait, as every wait here is) and without any spin. Each prints the host's CPU per round (the CPU
 * clock read around the round, as os.clock in a script) and the workers'
 * (their CPU clocks over all rounds, divided by the rounds): the medians
 * of five runs of 2,000 rounds each. See BENCHMARKS.md, "The floor under a
 * map's fixed cost".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 2000
#define RUNS 5
#define WORKERS 2

static int64_t clock_ns(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void busy(int64_t ns) {
    int64_t start = clock_ns(CLOCK_MONOTONIC);
    while (clock_ns(CLOCK_MONOTONIC) - start < ns) {}
}

/* Ends the program (or a worker: `_exit`, in a child) when a call
 * failed; `what` names it. A short read or write is a failure too: the
 * other side is gone. */
static pid_t parent;

static void must(int ok, const char *what) {
    if (ok) return;
    if (errno != 0) perror(what);
    else fprintf(stderr, "%s: the other side is gone\n", what);
    if (getpid() != parent) _exit(1);
    exit(1);
}

static void put(int fd, const void *bytes, size_t count, const char *what) {
    errno = 0;
    must(write(fd, bytes, count) == (ssize_t)count, what);
}

static void get(int fd, void *bytes, size_t count, const char *what) {
    errno = 0;
    must(read(fd, bytes, count) == (ssize_t)count, what);
}

/* A worker: answers each byte with one, until told to stop ('q'); then
 * sends its CPU time. Spins up to `spin` ns after a wait of twice its
 * spin or less, a tenth of it after a longer one, as the pool's workers
 * do (Spin.read). */
static void worker(int fd, int64_t spin) {
    int64_t budget = spin;
    char byte;
    for (;;) {
        int64_t start = clock_ns(CLOCK_MONOTONIC);
        ssize_t n;
        while ((n = recv(fd, &byte, 1, MSG_DONTWAIT)) < 0 && errno == EAGAIN &&
               clock_ns(CLOCK_MONOTONIC) - start < budget) {}
        if (n < 0) {
            struct pollfd entry = {fd, POLLIN, 0};
            while (poll(&entry, 1, -1) < 0 && errno == EINTR) {}
            n = read(fd, &byte, 1);
            budget = clock_ns(CLOCK_MONOTONIC) - start <= 2 * spin ? spin : spin / 10;
        } else {
            budget = spin;
        }
        if (n <= 0) _exit(1);
        if (byte == 'q') break;
        put(fd, &byte, 1, "write");
    }
    int64_t cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    put(fd, &cpu, sizeof cpu, "write");
    _exit(0);
}

/* One run: the host's and the workers' CPU per round, in microseconds. */
static void run(int64_t hostSpin, int64_t workerSpin, double *host, double *workers) {
    int fds[WORKERS][2];
    pid_t pids[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        must(socketpair(AF_UNIX, SOCK_STREAM, 0, fds[w]) == 0, "socketpair");
        pids[w] = fork();
        must(pids[w] >= 0, "fork");
        if (pids[w] == 0) {
            for (int other = 0; other <= w; other++) close(fds[other][0]);
            worker(fds[w][1], workerSpin);
        }
        close(fds[w][1]);
    }
    int64_t hostCPU = 0;
    char byte = 'x';
    for (int r = 0; r < ROUNDS; r++) {
        busy(1000000);
        int64_t start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        struct pollfd entries[WORKERS];
        for (int w = 0; w < WORKERS; w++) {
            put(fds[w][0], &byte, 1, "write");
            entries[w] = (struct pollfd){fds[w][0], POLLIN, 0};
        }
        /* Each pass polls without sleeping for up to hostSpin, then
         * sleeps, as the pool's wait does (HostWait.pollSpinning). */
        int64_t pass = clock_ns(CLOCK_MONOTONIC);
        for (int answers = 0; answers < WORKERS;) {
            int timeout = clock_ns(CLOCK_MONOTONIC) - pass < hostSpin ? 0 : -1;
            errno = 0;
            int ready = poll(entries, WORKERS, timeout);
            if (ready < 0 && errno == EINTR) continue;
            must(ready >= 0, "poll");
            if (ready == 0) continue;
            for (int w = 0; w < WORKERS; w++) {
                if (entries[w].fd < 0 || entries[w].revents == 0) continue;
                get(entries[w].fd, &byte, 1, "read");
                entries[w].fd = -1;
                answers++;
            }
            pass = clock_ns(CLOCK_MONOTONIC);
        }
        hostCPU += clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start;
    }
    int64_t workersCPU = 0;
    for (int w = 0; w < WORKERS; w++) {
        int64_t cpu;
        byte = 'q';
        put(fds[w][0], &byte, 1, "write");
        get(fds[w][0], &cpu, sizeof cpu, "read");
        workersCPU += cpu;
        close(fds[w][0]);
        must(waitpid(pids[w], NULL, 0) == pids[w], "waitpid");
    }
    *host = hostCPU / 1e3 / ROUNDS;
    *workers = workersCPU / 1e3 / ROUNDS;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values) {
    qsort(values, RUNS, sizeof *values, compare);
    return values[RUNS / 2];
}

int main(void) {
    parent = getpid();
    signal(SIGPIPE, SIG_IGN);
    struct { const char *name; int64_t host, worker; } ways[] = {
        {"as the pool waits (host spins up to 50 us, a worker 5 us after a long wait)", 50000, 50000},
        {"no spin: every wait sleeps in poll", 0, 0},
    };
    enum { WAYS = sizeof ways / sizeof ways[0] };
    double host[WAYS][RUNS], workers[WAYS][RUNS], total[WAYS][RUNS];
    for (int k = 0; k < RUNS; k++) {
        for (int i = 0; i < WAYS; i++) {
            run(ways[i].host, ways[i].worker, &host[i][k], &workers[i][k]);
            total[i][k] = host[i][k] + workers[i][k];
        }
    }
    printf("| a round of a host and %d sleeping workers | host | workers | all three |\n", WORKERS);
    printf("|---|---|---|---|\n");
    for (int i = 0; i < WAYS; i++) {
        printf("| %s | %.1f us | %.1f us | %.1f us |\n", ways[i].name, median(host[i]), median(workers[i]),
               median(total[i]));
    }
    return 0;
}
