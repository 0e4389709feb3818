#include "cpus.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

int cpu_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE) {
		errno = EINVAL;
		return -1;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -1;
	/* The kernel migrates the thread before the call returns. */
	return sched_getcpu() == cpu ? 0 : -1;
}

int cpus_select(const char *list, int *out, int max, char *err, size_t errlen)
{
	int allowed[CPUS_MAX], nallowed = online_cpus(allowed, CPUS_MAX), n = 0;
	uint8_t want[CPUS_MAX];

	if (!list) {
		n = nallowed < max ? nallowed : max;
		memcpy(out, allowed, (size_t)n * sizeof(*out));
		return n;
	}
	if (parse_cpulist(list, want, CPUS_MAX) <= 0) {
		snprintf(err, errlen, "--cpus '%s': expected a list such as 0-3,8", list);
		return -1;
	}
	for (int cpu = 0; cpu < CPUS_MAX; cpu++) {
		bool ok = false;

		if (!want[cpu])
			continue;
		for (int i = 0; i < nallowed; i++)
			ok |= allowed[i] == cpu;
		if (!ok) {
			snprintf(err, errlen, "--cpus: CPU %d is not online or not allowed for this process", cpu);
			return -1;
		}
		if (n == max) {
			snprintf(err, errlen, "--cpus '%s': more than %d CPUs", list, max);
			return -1;
		}
		out[n++] = cpu;
	}
	return n;
}
