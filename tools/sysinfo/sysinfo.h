#ifndef VMTRIAGE_SYSINFO_H
#define VMTRIAGE_SYSINFO_H

#include "lib/json.h"

/* Writes the system facts as one JSON object under key (NULL at top level).
 * Everything is read from /proc, /sys and CPUID; a fact that cannot be read
 * is null, never a guess. */
void sysinfo_write(struct jw *w, const char *key);

/* The kB value of a /proc/meminfo field ("MemTotal"), -1 if absent. */
long long sysinfo_meminfo_kib(const char *text, const char *field);

#endif
