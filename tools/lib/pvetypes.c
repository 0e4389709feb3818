/* The Proxmox VE CPU-type list (pve-cpu-types.def), what each type offers
 * (QEMU's model table through lib/qemumodels) and whether it starts. */
#include "lib/pvetypes.h"

#include <pthread.h>
#include <string.h>

#include "lib/util.h"

const struct pve_type pve_types[] = {
#define PVE_CPU(name, vendor, kind) { name, vendor, kind },
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

/* The report's extension names where QEMU spells them differently
 * (target/i386/cpu.c, feature_word_info); test_isa checks that each maps to
 * the CPUID bit isa reads for it. */
static const struct {
	const char *ext, *qemu;
} qemu_names[] = {
	{ "sse3", "pni" },
	{ "sse4.2-pcmpstr", "sse4.2" },
	{ "lahf-sahf", "lahf-lm" },
	{ "lzcnt", "abm" },
	{ "avx512vpopcntdq", "avx512-vpopcntdq" },
	{ "avx512bf16", "avx512-bf16" },
	{ "avx512fp16", "avx512-fp16" },
	{ "amx", "amx-tile" },
};

const char *pve_qemu_feature(const char *ext)
{
	for (size_t i = 0; i < ARRAY_SIZE(qemu_names); i++)
		if (!strcmp(qemu_names[i].ext, ext))
			return qemu_names[i].qemu;
	return ext;
}

bool pve_type_has(const struct pve_type *t, const char *ext)
{
	return qm_pve_offers(PVE_TYPES_QEMU, t->name, pve_qemu_feature(ext));
}

/* The extensions the report names (isa's rows, the decoder's names where
 * they differ): what pve_type_features lists. test_isa checks that every
 * isa row is here and lands on isa's own CPUID bit. */
static const char *const report_exts[] = {
	"sse2", "sse3", "ssse3", "sse4.1", "sse4.2", "sse4.2-pcmpstr", "popcnt", "cx16", "lahf-sahf", "lzcnt",
	"bmi1", "bmi2", "movbe", "f16c", "fma", "avx", "avx2", "xsave", "avx512f", "avx512cd", "avx512bw",
	"avx512dq", "avx512vl", "adx", "aes", "pclmulqdq", "sha-ni", "rdrand", "rdseed", "avx512vnni",
	"avx512vbmi", "avx512vbmi2", "avx512ifma", "avx512bitalg", "avx512vpopcntdq", "gfni", "vaes",
	"vpclmulqdq", "avx-vnni", "xsaveopt", "xsavec", "rdtscp", "rdpid", "avx512bf16", "avx512fp16",
	"avx-ifma", "avx-vnni-int8", "amx-tile", "amx-int8", "amx-bf16", "sha512", "sm3", "sm4", "avx10",
	"rtm", "hle", "avx512er", "avx512pf", "avx512-4fmaps", "avx512-4vnniw", "sse4a", "xop", "fma4", "tbm",
	"clwb", "clflushopt", "serialize",
};

static char type_features[ARRAY_SIZE(pve_types)][1024];
static pthread_once_t features_once = PTHREAD_ONCE_INIT;

static void build_features(void)
{
	for (int t = 0; t < pve_ntypes; t++) {
		size_t o = 0;

		for (size_t e = 0; e < ARRAY_SIZE(report_exts); e++)
			if (pve_type_has(&pve_types[t], report_exts[e]) && o + strlen(report_exts[e]) + 2 < sizeof(type_features[t]))
				o += (size_t)snprintf(type_features[t] + o, sizeof(type_features[t]) - o, "%s%s", o ? " " : "",
						      report_exts[e]);
	}
}

const char *pve_type_features(const struct pve_type *t)
{
	pthread_once(&features_once, build_features);
	return type_features[t - pve_types];
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

bool pve_type_starts(const struct pve_type *t, const struct cpuid_dump *c, struct qm_verdict *v)
{
	struct qm_verdict mine, old;

	if (!v)
		v = &mine;
	if (!qm_pve_starts(PVE_TYPES_QEMU, t->name, NULL, c, v))
		return false;
	/* PVE 8: where its QEMU has the model (x86-64-vN resolve to qemu64) */
	if (qm_pve_starts(QM_QEMU_7_2, t->name, NULL, c, &old) || !old.known)
		return true;
	*v = old;
	return false;
}
