/* Which CPUs a check runs on: the one --cpus parser and the one way to pin
 * the calling thread to a CPU (isa, wake). */
#ifndef VMTRIAGE_CPUS_H
#define VMTRIAGE_CPUS_H

#include <stddef.h>

#define CPUS_MAX 1024 /* CPU_SETSIZE of glibc and musl */

/* Pins the calling thread to cpu and checks that it now runs there.
 * Returns 0, or -1 (errno set when the kernel refused). */
int cpu_pin(int cpu);

/* The CPUs of a --cpus list ("0-3,8", sysfs format), in order, each one
 * this process may run on; with list NULL, every CPU it may run on. At
 * most max. Returns how many, or -1 with a message in err that names the
 * bad list or the first CPU that is not available. */
int cpus_select(const char *list, int *out, int max, char *err, size_t errlen);

#endif
