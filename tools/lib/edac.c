#include "edac.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int is_mc(const struct dirent *d)
{
	return !strncmp(d->d_name, "mc", 2) && strlen(d->d_name) < sizeof(((struct edac_mc *)0)->name);
}

int edac_read(const char *root, struct edac_mc *mc, int max)
{
	char dir[512];
	struct dirent **ents;
	int n, k = 0;

	snprintf(dir, sizeof(dir), "%s" EDAC_MC_DIR, root);
	/* versionsort: mc10 after mc9. */
	n = scandir(dir, &ents, is_mc, versionsort);
	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		struct edac_mc *m = &mc[k];
		long long ce, ue;

		if (k < max && read_ll_at(&ce, "%s/%s/ce_count", dir, ents[i]->d_name) == 0) {
			if (read_ll_at(&ue, "%s/%s/ue_count", dir, ents[i]->d_name) < 0)
				ue = 0;
			strlcpy_(m->name, ents[i]->d_name, sizeof(m->name));
			if (read_line_at(m->mc_name, sizeof(m->mc_name), "%s/%s/mc_name", dir, ents[i]->d_name) < 0)
				m->mc_name[0] = '\0';
			/* Counters: a negative reading is a broken file, counted as 0. */
			m->ce = ce > 0 ? ce : 0;
			m->ue = ue > 0 ? ue : 0;
			k++;
		}
		free(ents[i]);
	}
	free(ents);
	return k;
}

int64_t edac_sum(const struct edac_mc *mc, int n, bool ue)
{
	int64_t s = 0;

	for (int i = 0; i < n; i++)
		s = sat_add_i64(s, ue ? mc[i].ue : mc[i].ce);
	return s;
}
