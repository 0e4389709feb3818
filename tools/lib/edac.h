/* The EDAC memory error counters (Documentation/admin-guide/ras.rst): one
 * folder per memory controller under /sys/devices/system/edac/mc, each
 * with ce_count (corrected) and ue_count (uncorrected) since boot. */
#ifndef VMTRIAGE_EDAC_H
#define VMTRIAGE_EDAC_H

#include <stdbool.h>
#include <stdint.h>

#define EDAC_MC_DIR "/sys/devices/system/edac/mc"

struct edac_mc {
	char name[16];	   /* mc0 */
	char mc_name[32];  /* the driver's controller name; "" if none */
	long long ce, ue;
};

/* The controllers below root ("" on a live system, a fixture folder in
 * the tests) that have a ce_count, mc0 to mcN in order, at most max.
 * Returns how many: 0 without EDAC. */
int edac_read(const char *root, struct edac_mc *mc, int max);

/* The sum of ue (or ce) counts over n controllers, saturating. */
int64_t edac_sum(const struct edac_mc *mc, int n, bool ue);

#endif
