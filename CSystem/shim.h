/*
 * Linux calls that Glibc's Swift module does not bring: their headers, and
 * inline functions for the variadic ones (Swift cannot call C varargs).
 */
#ifndef CSYSTEM_SHIM_H
#define CSYSTEM_SHIM_H

#include <malloc.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

/* prctl(PR_SET_PDEATHSIG, sig): the signal this process gets when its
 * parent thread dies. */
static inline int csystem_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0UL, 0UL, 0UL);
}

/* The number of CPUs this process may run on (its affinity mask), or -1. */
static inline int csystem_cpu_count(void) {
    /* The raw system call: glibc declares its wrapper and the CPU_* macros
     * only with _GNU_SOURCE. It returns the size of the mask it wrote. */
    unsigned long mask[1024 / (8 * sizeof(unsigned long))] = {0};
    long bytes = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
    if (bytes <= 0) return -1;
    int count = 0;
    for (long i = 0; i < bytes / (long)sizeof(unsigned long); i++) {
        count += __builtin_popcountl(mask[i]);
    }
    return count;
}

/* pidfd_open(pid, 0): a descriptor that polls readable once the process
 * has ended (Linux 5.3), or -1 with errno (ENOSYS on older kernels). */
static inline int csystem_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Room for one descriptor in a control message (CMSG_SPACE, a macro). */
static inline int csystem_cmsg_space_int(void) {
    return (int)CMSG_SPACE(sizeof(int));
}

/* Puts descriptor `fd` in the control buffer of `message` (SCM_RIGHTS);
 * msg_control and msg_controllen must be set, with room for one. */
static inline void csystem_cmsg_put_fd(struct msghdr *message, int fd) {
    struct cmsghdr *header = CMSG_FIRSTHDR(message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &fd, sizeof(int));
    message->msg_controllen = CMSG_SPACE(sizeof(int));
}

/* The `index`-th descriptor a received message carries: 1 and it in
 * `*fd`, or 0 when there is none. */
static inline int csystem_cmsg_get_fd(struct msghdr *message, int index, int *fd) {
    int seen = 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(message); header != NULL;
         header = CMSG_NXTHDR(message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++, seen++) {
            if (seen == index) {
                memcpy(fd, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
                return 1;
            }
        }
    }
    return 0;
}

#endif
