/* QEMU's x86 CPU models as Proxmox VE starts them, and the one predicate
 * every piece of advice is checked against: "QEMU with `enforce` starts
 * model M on this CPU". The models are data asked of QEMU itself
 * (qemu-models-7.2.def for PVE 8, qemu-models-10.0.def for PVE 9, written
 * by scripts/qemu-cpu-models, checked by `make check-models`); the rules
 * for what KVM offers beyond the host's CPUID are in qemumodels.c, each
 * with its source. docs/cpu-models.md explains both. */
#ifndef VMTRIAGE_QEMUMODELS_H
#define VMTRIAGE_QEMUMODELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/cpuid.h"

/* The QEMU versions Proxmox VE ships: PVE 8 (Debian 12's QEMU 7.2 line;
 * PVE's own 8.x/9.x builds keep 7.2's models and add) and PVE 9 (10.0). */
enum qm_qemu { QM_QEMU_7_2, QM_QEMU_10_0, QM_NQEMU };

/* Where QEMU puts a feature in CPUID. leaf QM_LEAF_NONE: no CPUID bit (an
 * MSR feature such as arch-capabilities' mds-no, or KVM's paravirt leaf,
 * which QEMU shows only under KVM). */
#define QM_LEAF_NONE 0xffffffffU
struct qm_feature {
	const char *name; /* QEMU's name: "hle", "avx512-bf16" */
	uint32_t leaf, sub;
	uint8_t reg; /* enum cpuid_reg */
	uint8_t bit;
};

struct qm_model {
	const char *name;     /* "Haswell", "Haswell-v1", "Haswell-noTSX" */
	const char *alias_of; /* the versioned model a PC machine resolves it to; NULL if none */
	bool deprecated;
	const char *vendor;   /* the model's own, which qemu-server forces with vendor= */
	const char *accel;    /* "kvm": expanded as PVE runs it */
	const char *features; /* QEMU names, space-separated: the full static expansion */
	enum qm_qemu qemu;
};

/* "7.2", "10.0", and the exact version the table was generated from. */
const char *qm_qemu_name(enum qm_qemu q);
const char *qm_qemu_version(enum qm_qemu q);
int qm_nmodels(enum qm_qemu q);
const struct qm_model *qm_model_at(enum qm_qemu q, int i);
/* The row of this QEMU named name (exact spelling), or NULL. */
const struct qm_model *qm_find(enum qm_qemu q, const char *name);
/* Where feature name lives for this QEMU, or NULL if QEMU has no such name. */
const struct qm_feature *qm_feature(enum qm_qemu q, const char *name);

#define QM_MISSING_MAX 48

/* The judgement of one CPU type on one CPU. */
struct qm_verdict {
	bool known;           /* the type exists (in this QEMU, or as a PVE type) */
	bool starts;          /* QEMU with enforce starts it: no feature missing */
	bool vendor_matches;  /* the guest sees this CPU's vendor (generic types always) */
	const char *model;    /* the QEMU model PVE starts for it ("qemu64" for x86-64-v3) */
	int nmissing;         /* features the model needs that KVM cannot offer here */
	const struct qm_feature *missing[QM_MISSING_MAX];
	int nunjudged;        /* MSR features (not in CPUID): QEMU checks them, we cannot */
	const char *unjudged[QM_MISSING_MAX];
	char unplaced[256];   /* a VM's flags no model of the table sets (md-clear, hv-*): not judged */
};

/* "QEMU with `enforce` starts QEMU model m on the CPU whose raw CPUID is
 * host" (host: the node's own CPUID, bare metal or not). Fills v and
 * returns v->starts. */
bool qm_starts(const struct qm_model *m, const struct cpuid_dump *host, struct qm_verdict *v);

/* The same for a Proxmox VE CPU type as a VM's `cpu:` names it: a QEMU
 * model, or PVE's own x86-64-v2/-v2-AES/-v3/-v4 (qemu64 plus flags), with
 * the flags qemu-server adds (kvm64: +lahf_lm +sep; Opteron_*: -rdtscp) and
 * its renames (Icelake-Client). "host" always starts (no enforce, no
 * model). extra: the VM's own `flags=` ("+aes;-pcid"), or NULL. Returns
 * v->starts; an unknown type is v->known false, not started. */
bool qm_pve_starts(enum qm_qemu q, const char *type, const char *extra, const struct cpuid_dump *host,
		   struct qm_verdict *v);

/* Whether this QEMU has the model a PVE type resolves to ("x86-64-v3":
 * qemu64; "host": true). */
bool qm_pve_known(enum qm_qemu q, const char *type);
/* Whether the PVE type (as qm_pve_starts resolves it, without a VM's own
 * flags) sets QEMU feature name ("avx2", "pni", "hle"). */
bool qm_pve_offers(enum qm_qemu q, const char *type, const char *feature);

/* Whether KVM offers feature name exactly when the host's CPUID has its
 * bit (false for what KVM emulates or translates, and for MSR features). */
bool qm_kvm_plain(enum qm_qemu q, const char *name);

/* QEMU's own words for a missing feature: "CPUID.07H:EBX.hle [bit 4]"
 * (the text after "host doesn't support requested feature: "). */
void qm_feature_describe(const struct qm_feature *f, char *out, size_t len);
/* All missing features of v, "; "-separated in QEMU's words. */
void qm_verdict_describe(const struct qm_verdict *v, char *out, size_t len);

#endif
