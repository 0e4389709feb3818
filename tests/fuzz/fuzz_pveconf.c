/* libFuzzer target: PVE's VM configs (with [PENDING] applied as the next
 * start would), cpu: property strings, cpu-models.conf, the -cpu in
 * args:, corosync.conf's nodelist and a node config's ballooning-target
 * (tools/host/pveconf.c). The first byte picks the reader, so one corpus
 * covers all six; every field must stay a terminated string of its
 * buffer. */
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
	static struct pve_vmconf next;
	const char *text = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;

	if (!size)
		return 0;
	switch (data[0] % 6) {
	case 0:
		pve_parse_vmconf(text, len, "fuzz.conf", &c);
		terminated(c.cpu.type, sizeof(c.cpu.type));
		terminated(c.description, sizeof(c.description));
		terminated(c.args, sizeof(c.args));
		terminated(c.lock, sizeof(c.lock));
		if (c.nproblems > PVE_PROBLEMS_MAX || c.nsnapshots > PVE_SNAPSHOTS_MAX || c.cpu.nflags > PVE_FLAGS_MAX)
			abort();
		pve_next_start(&c, &next);
		terminated(next.cpu.type, sizeof(next.cpu.type));
		terminated(next.args, sizeof(next.args));
		if (next.cpu.nflags > PVE_FLAGS_MAX || (!c.pending && memcmp(&next, &c, sizeof(c)) != 0))
			abort();
		break;
	case 3: {
		char *s = malloc(len + 1), cpu[64], rest[PVE_ARGS_MAX];

		if (!s)
			return 0;
		memcpy(s, text, len);
		s[len] = 0;
		if (pve_args_cpu(s, cpu, sizeof(cpu), rest, sizeof(rest)))
			terminated(cpu, sizeof(cpu));
		terminated(rest, sizeof(rest));
		free(s);
		break;
	}
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
	case 4: {
		static char names[8][PVE_NODE_NAME_MAX];
		int n = pve_parse_corosync(text, len, names, 8);

		if (n > 8)
			abort();
		for (int i = 0; i < n; i++)
			terminated(names[i], sizeof(names[i]));
		break;
	}
	case 5: {
		bool bad;
		int t = pve_node_balloon_target(text, len, &bad);

		if (t < -1 || t > 100 || (bad && t != -1))
			abort();
		break;
	}
	case 2:
		pve_parse_cpumodels(text, len, "cpu-models.conf", &m);
		if (m.n > PVE_MODELS_MAX)
			abort();
		for (int i = 0; i < m.n; i++)
			pve_cpumodel_find(&m, m.m[i].name);
		break;
	}
	return 0;
}
