/*
 * Linux calls that Glibc's Swift module does not bring: their headers, and
 * inline functions for the variadic ones (Swift cannot call C varargs).
 */
#ifndef CSYSTEM_SHIM_H
#define CSYSTEM_SHIM_H

#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/types.h>
#include <signal.h>

/* prctl(PR_SET_PDEATHSIG, sig): the signal this process gets when its
 * parent thread dies. */
static inline int csystem_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0UL, 0UL, 0UL);
}

#endif
