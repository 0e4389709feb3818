/* /proc/meminfo, /proc/vmstat and /proc/pressure/memory as triage mem and
 * triage sysinfo read them (the same text given to each reader), and the
 * sizes derived from them: any numbers the kernel (or a fixture) writes
 * give defined results. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "mem/mem.h"
#include "sysinfo/sysinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct meminfo mi;
	struct vmstat vs;
	struct psi ps;

	if (mem_parse_meminfo(text, &mi) == 0)
		(void)mem_reserve_kib(mi.total_kib);
	if (mem_parse_vmstat(text, &vs) == 0)
		(void)mem_balloon_kib(&vs);
	(void)mem_parse_psi(text, &ps);
	(void)sysinfo_meminfo_kib(text, "MemTotal");
	(void)sysinfo_meminfo_kib(text, "HugePages_Total");
	free(text);
	return 0;
}
