/* The closest Proxmox VE CPU type: the richest type whose extensions all
 * execute here and which QEMU with enforce starts on this CPU. The types
 * are data (lib/pve-cpu-types.def, QEMU's lib/qemu-models-*.def). */
#include <string.h>

#include "isa.h"
#include "lib/util.h"

int pve_type_set(const struct pve_type *t, isa_set *set, char *err, size_t errlen)
{
	*set = 0;
	if (!qm_pve_known(PVE_TYPES_QEMU, t->name)) {
		snprintf(err, errlen, "%s: no such model in QEMU %s", t->name, qm_qemu_name(PVE_TYPES_QEMU));
		return -1;
	}
	for (int i = 0; i < isa_next; i++)
		if (pve_type_has(t, isa_exts[i].name))
			*set |= 1ULL << i;
	return 0;
}

void pve_match(isa_set exec, const struct cpuid_dump *c, struct pve_match *m)
{
	int best[2] = { -1, -1 }, size[2] = { -1, -1 };
	char vendor[13];

	cpuid_vendor(c, vendor);
	for (int i = 0; i < pve_ntypes; i++) {
		const struct pve_type *t = &pve_types[i];
		char err[96];
		isa_set s;
		int k = t->kind == PVE_GENERIC ? 0 : 1, n;

		if (pve_type_set(t, &s, err, sizeof(err)) < 0 || (s & ~exec) || !pve_vendor_fits(t->vendor, vendor) ||
		    !pve_type_starts(t, c, NULL))
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
