/* The closest Proxmox VE CPU type: the richest type whose extensions all
 * execute here. The types are data (lib/pve-cpu-types.def). */
#include <string.h>

#include "isa.h"
#include "lib/util.h"

int pve_type_set(const struct pve_type *t, isa_set *set, char *err, size_t errlen)
{
	const char *p = t->features;

	*set = 0;
	while (*p) {
		size_t len = strcspn(p, " ");
		char name[32];
		int i;

		if (len == 0) {
			p++;
			continue;
		}
		if (len >= sizeof(name)) {
			snprintf(err, errlen, "%s: extension name too long", t->name);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = 0;
		i = isa_find(name);
		if (i < 0) {
			snprintf(err, errlen, "%s: unknown extension '%s'", t->name, name);
			return -1;
		}
		*set |= 1ULL << i;
		p += len;
	}
	return 0;
}

void pve_match(isa_set exec, const char *vendor, struct pve_match *m)
{
	int best[2] = { -1, -1 }, size[2] = { -1, -1 };

	for (int i = 0; i < pve_ntypes; i++) {
		const struct pve_type *t = &pve_types[i];
		char err[96];
		isa_set s;
		int k = t->kind == PVE_GENERIC ? 0 : 1, n;

		if (pve_type_set(t, &s, err, sizeof(err)) < 0 || (s & ~exec) || !pve_vendor_fits(t->vendor, vendor))
			continue;
		n = __builtin_popcountll(s);
		if (n > size[k]) { /* strictly richer: ties keep the earlier row */
			size[k] = n;
			best[k] = i;
		}
	}
	m->generic = best[0];
	m->model = best[1];
	m->closest = size[1] > size[0] ? best[1] : best[0];
	m->beyond = exec;
	if (m->closest >= 0) {
		isa_set s;
		char err[96];

		pve_type_set(&pve_types[m->closest], &s, err, sizeof(err));
		m->beyond &= ~s;
	}
}
