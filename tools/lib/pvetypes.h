/* Proxmox VE CPU types as data: the list in pve-cpu-types.def, read by
 * isa (the closest type to what executes), compare (what a guest's host can
 * run), postmortem and host (every VM's type against the node and the
 * cluster). What a type offers comes from QEMU's own model table
 * (lib/qemumodels), asked by the report's extension names ("avx2",
 * "sse4.2"...), so it depends on no check's internals; whether QEMU starts
 * it on a CPU is pve_type_starts, the one predicate. */
#ifndef VMTRIAGE_PVETYPES_H
#define VMTRIAGE_PVETYPES_H

#include <stdbool.h>

#include "lib/cpuid.h"
#include "lib/qemumodels.h"

enum pve_vendor { PVE_ANY, PVE_INTEL, PVE_AMD };
enum pve_kind { PVE_GENERIC, PVE_MODEL };

struct pve_type {
	const char *name;
	enum pve_vendor vendor;
	enum pve_kind kind;
};
extern const struct pve_type pve_types[];
extern const int pve_ntypes;

/* The QEMU whose model table says what the types offer: PVE 9's. */
#define PVE_TYPES_QEMU QM_QEMU_10_0

/* The row named name (PVE's spelling, case as in the table), or NULL. */
const struct pve_type *pve_type_find(const char *name);
/* Whether the type offers the extension called ext (the report's name;
 * QEMU's own names work too). */
bool pve_type_has(const struct pve_type *t, const char *ext);
/* The report's extension names the type offers, space-separated ("sse2
 * sse3 ... avx2"), from QEMU's model table. */
const char *pve_type_features(const struct pve_type *t);
/* The QEMU feature name of a report extension name ("sse3" is "pni",
 * "lzcnt" is "abm"); the name itself where they agree. */
const char *pve_qemu_feature(const char *ext);
/* Whether a type of this vendor class can run on a CPU of this CPUID vendor
 * string ("GenuineIntel", "AuthenticAMD"; NULL fits only PVE_ANY). */
bool pve_vendor_fits(enum pve_vendor v, const char *vendor);
/* Whether QEMU with enforce starts the type on the CPU whose CPUID is c,
 * under PVE 9's QEMU and, where PVE 8's QEMU has the model, under that one
 * too. v (may be NULL) gets the refusing verdict, else PVE 9's. */
bool pve_type_starts(const struct pve_type *t, const struct cpuid_dump *c, struct qm_verdict *v);

#endif
