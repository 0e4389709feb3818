/* The /proc readers of lib/procfs (meminfo, vmstat, stat) and mem's memory
 * pressure reader on any text, with the sizes mem derives from them: no
 * crash, no undefined behaviour (signed overflow included), and what they
 * give stays in range: a count or size is never negative, busy never more
 * than the total; /proc/diskstats' devices have a name and no negative
 * count. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/procfs.h"
#include "lib/util.h"
#include "mem/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1);
	struct meminfo mi;
	struct vmstat vs;
	struct cpustat st;
	struct psi ps;

	memcpy(text, data, size);
	text[size] = '\0';
	if (meminfo_parse(text, &mi) == 0 &&
	    ((!mi.has_avail && mi.avail_kib != mi.free_kib) || mi.total_kib < 0 || mi.free_kib < 0 || mi.avail_kib < 0))
		abort();
	if (meminfo_parse(text, &mi) == 0 && mem_reserve_kib(mi.total_kib) < 0)
		abort();
	if (vmstat_parse(text, &vs) == 0 && (vs.balloon_inflate < 0 || vs.balloon_deflate < 0 || vs.pgmajfault < 0))
		abort();
	if (vmstat_parse(text, &vs) == 0 && vmstat_balloon_kib(&vs) < 0)
		abort();
	(void)psi_parse(text, &ps);
	for (int cpu = -1; cpu < 4; cpu++) {
		if (cpustat_parse(text, cpu, &st) < 0)
			continue;
		if (st.nfields < 4 || st.nfields > 8 || st.user < 0 || st.idle < 0 || st.steal < 0)
			abort();
		if (cpustat_total(&st) < 0 || cpustat_busy(&st) > cpustat_total(&st))
			abort();
	}
	struct diskstat ds[8];
	int nd = diskstats_parse(text, ds, 8);
	if (nd < 0 || nd > 8)
		abort();
	for (int i = 0; i < nd; i++)
		if (ds[i].completed < 0 || ds[i].in_flight < 0 || ds[i].io_ms < 0 || !ds[i].name[0] ||
		    strlen(ds[i].name) >= sizeof(ds[i].name))
			abort();
	free(text);
	return 0;
}
