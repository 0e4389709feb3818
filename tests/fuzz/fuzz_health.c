/* The burn-in's health readers (/proc/interrupts, /proc/stat, /proc/cpuinfo,
 * thermal_throttle, cpufreq, EDAC, hwmon and thermal zones) read below a
 * root folder: the input is the content of those files, NUL-separated in
 * the order of files[] below; after the first round (health_init), each
 * further round rewrites the files and takes a sample. Then the metrics,
 * data and findings are written as the burn-in writes them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "burnin/burnin.h"
#include "fuzz.h"
#include "lib/check.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	"/proc/interrupts",
	"/proc/stat",
	"/proc/cpuinfo",
	"/sys/devices/system/cpu/cpu0/thermal_throttle/core_throttle_count",
	"/sys/devices/system/cpu/cpu0/thermal_throttle/core_throttle_total_time_ms",
	"/sys/devices/system/cpu/cpu0/thermal_throttle/package_throttle_count",
	"/sys/devices/system/cpu/cpu0/thermal_throttle/package_throttle_total_time_ms",
	"/sys/devices/system/cpu/cpu0/topology/physical_package_id",
	"/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq",
	"/sys/devices/system/edac/mc/mc0/ce_count",
	"/sys/devices/system/edac/mc/mc0/ue_count",
	"/sys/devices/system/edac/mc/mc0/mc_name",
	"/sys/devices/system/edac/mc/mc0/dimm0/dimm_label",
	"/sys/devices/system/edac/mc/mc0/dimm0/dimm_ce_count",
	"/sys/devices/system/edac/mc/mc0/dimm0/dimm_ue_count",
	"/sys/class/hwmon/hwmon0/name",
	"/sys/class/hwmon/hwmon0/temp1_input",
	"/sys/class/hwmon/hwmon0/temp1_label",
	"/sys/class/hwmon/hwmon0/temp1_crit",
	"/sys/class/thermal/thermal_zone0/type",
	"/sys/class/thermal/thermal_zone0/temp",
	"/sys/class/thermal/thermal_zone0/trip_point_0_type",
	"/sys/class/thermal/thermal_zone0/trip_point_0_temp",
};
#define NFILES (sizeof(files) / sizeof(files[0]))
#define MAX_ROUNDS 4

static char root[64];

static void put(const char *path, const uint8_t *p, size_t n)
{
	char full[512], *slash;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	for (slash = strchr(full + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(full, 0755);
		*slash = '/';
	}
	f = fopen(full, "w");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		abort();
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_root(void)
{
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const struct opt opts[] = { CHECK_COMMON_OPTS, { NULL, 0, 0, NULL, NULL, 0, 0 } };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct health h;
	const uint8_t *p = data, *end = data + size;
	char *argv[] = { "burnin", "-q", "-o", "/dev/null", NULL };
	struct optv vals[sizeof(opts) / sizeof(opts[0])];
	bool vm = size && (data[0] & 1);
	FILE *null = fopen("/dev/null", "w");
	struct check c;
	struct jw w;

	if (!root[0]) {
		/* tmpfs: a disk-backed /tmp makes each round wait for the disk.
		 * libFuzzer may end without atexit: scripts/fuzz removes
		 * /dev/shm/fuzz_NAME.* too. */
		strcpy(root, "/dev/shm/fuzz_health.XXXXXX");
		if (!mkdtemp(root))
			abort();
		atexit(rm_root);
	}
	for (int round = 0; round < MAX_ROUNDS && (round == 0 || p < end); round++) {
		for (size_t i = 0; i < NFILES; i++) {
			const uint8_t *nul = p < end ? memchr(p, 0, (size_t)(end - p)) : NULL;
			size_t n = p < end ? (nul ? (size_t)(nul - p) : (size_t)(end - p)) : 0;

			put(files[i], p, n);
			p = p + n + (p < end);
		}
		if (round == 0)
			health_init(&h, root, vm);
		else
			health_sample(&h, round * 2.0);
	}
	jw_init(&w, null, 0);
	jw_obj(&w, NULL);
	jw_obj(&w, "metrics");
	health_write_metrics(&h, &w);
	jw_obj_end(&w);
	jw_obj(&w, "data");
	health_write_data(&h, &w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	if (check_begin(&c, "burnin", "fuzz", opts, vals, 4, argv) != -1)
		abort();
	health_findings(&h, vm, &c);
	check_end(&c, -1, NULL);
	fclose(null);
	return 0;
}
