/*
 * A preloaded library (LD_PRELOAD) that makes system failures happen on
 * demand, for tests that run the built luapool:
 *
 *   TEST_FORK_FAILS_WHILE=path   fork() fails with EAGAIN while the file
 *                                at path exists
 *   TEST_IGNORE_SIGTERM=1        every signal(SIGTERM, ...) installs
 *                                SIG_IGN: the process ignores SIGTERM
 *
 * Built by the tests with `cc -shared -fPIC`.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

pid_t fork(void) {
    static pid_t (*real)(void);
    const char *flag = getenv("TEST_FORK_FAILS_WHILE");
    if (flag && access(flag, F_OK) == 0) {
        errno = EAGAIN;
        return -1;
    }
    if (!real) real = (pid_t (*)(void))dlsym(RTLD_NEXT, "fork");
    return real();
}

sighandler_t signal(int sig, sighandler_t handler) {
    static sighandler_t (*real)(int, sighandler_t);
    if (!real) real = (sighandler_t (*)(int, sighandler_t))dlsym(RTLD_NEXT, "signal");
    if (sig == SIGTERM && getenv("TEST_IGNORE_SIGTERM")) handler = SIG_IGN;
    return real(sig, handler);
}
