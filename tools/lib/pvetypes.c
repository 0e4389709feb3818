/* The Proxmox VE CPU-type table (pve-cpu-types.def) and lookups by name. */
#include "lib/pvetypes.h"

#include <string.h>

#include "lib/util.h"

const struct pve_type pve_types[] = {
#define PVE_CPU(name, vendor, kind, features) { name, vendor, kind, features },
#include "pve-cpu-types.def"
#undef PVE_CPU
};
const int pve_ntypes = ARRAY_SIZE(pve_types);

const struct pve_type *pve_type_find(const char *name)
{
	for (int i = 0; i < pve_ntypes; i++)
		if (!strcmp(pve_types[i].name, name))
			return &pve_types[i];
	return NULL;
}

bool pve_type_has(const struct pve_type *t, const char *ext)
{
	size_t n = strlen(ext);

	for (const char *p = t->features; *p;) {
		size_t len = strcspn(p, " ");

		if (len == n && !memcmp(p, ext, n))
			return true;
		p += len;
		p += strspn(p, " ");
	}
	return false;
}

bool pve_vendor_fits(enum pve_vendor v, const char *vendor)
{
	switch (v) {
	case PVE_ANY:
		return true;
	case PVE_INTEL:
		return vendor && !strcmp(vendor, "GenuineIntel");
	case PVE_AMD:
		return vendor && !strcmp(vendor, "AuthenticAMD");
	}
	return false;
}
