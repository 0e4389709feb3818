/* Proxmox VE CPU types as data: the table in pve-cpu-types.def, read by
 * isa (the closest type to what executes), compare (what a guest's host can
 * run) and host (every VM's type against the node and the cluster). It
 * names extensions by the report's names ("avx2", "sse4.2"...), so it
 * depends on no check's internals. */
#ifndef VMTRIAGE_PVETYPES_H
#define VMTRIAGE_PVETYPES_H

#include <stdbool.h>

enum pve_vendor { PVE_ANY, PVE_INTEL, PVE_AMD };
enum pve_kind { PVE_GENERIC, PVE_MODEL };

struct pve_type {
	const char *name;
	enum pve_vendor vendor;
	enum pve_kind kind;
	const char *features; /* extension names, space-separated */
};
extern const struct pve_type pve_types[];
extern const int pve_ntypes;

/* The row named name (PVE's spelling, case as in the table), or NULL. */
const struct pve_type *pve_type_find(const char *name);
/* Whether the type offers the extension called ext. */
bool pve_type_has(const struct pve_type *t, const char *ext);
/* Whether a type of this vendor class can run on a CPU of this CPUID vendor
 * string ("GenuineIntel", "AuthenticAMD"; NULL fits only PVE_ANY). */
bool pve_vendor_fits(enum pve_vendor v, const char *vendor);

#endif
