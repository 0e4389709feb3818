/* libFuzzer target: PVE's VM configs, cpu: property strings and
 * cpu-models.conf (tools/host/pveconf.c). The first byte picks the reader,
 * so one corpus covers all three; every field must stay a terminated
 * string of its buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/pveconf.h"

static void terminated(const char *s, size_t size)
{
	if (!memchr(s, 0, size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pve_vmconf c;
	static struct pve_cpumodels m;
	const char *text = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;

	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		pve_parse_vmconf(text, len, "fuzz.conf", &c);
		terminated(c.cpu.type, sizeof(c.cpu.type));
		terminated(c.description, sizeof(c.description));
		if (c.nproblems > PVE_PROBLEMS_MAX || c.nsnapshots > PVE_SNAPSHOTS_MAX || c.cpu.nflags > PVE_FLAGS_MAX)
			abort();
		break;
	case 1: {
		char *s = malloc(len + 1), err[160];
		struct pve_cpu cpu;

		if (!s)
			return 0;
		memcpy(s, text, len);
		s[len] = 0;
		if (pve_parse_cpu(s, &cpu, err, sizeof(err)) == 0)
			terminated(cpu.type, sizeof(cpu.type));
		free(s);
		break;
	}
	default:
		pve_parse_cpumodels(text, len, "cpu-models.conf", &m);
		if (m.n > PVE_MODELS_MAX)
			abort();
		for (int i = 0; i < m.n; i++)
			pve_cpumodel_find(&m, m.m[i].name);
		break;
	}
	return 0;
}
