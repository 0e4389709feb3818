/* QEMU's CPU models (qemu-models-*.def, asked of QEMU by
 * scripts/qemu-cpu-models) and "QEMU with enforce starts model M here".
 *
 * QEMU with `enforce` refuses to start when a feature the model sets is not
 * in what the accelerator offers (target/i386/cpu.c,
 * x86_cpu_filter_features: "host doesn't support requested feature:
 * CPUID.07H:EBX.hle [bit 4]"). Under KVM, what is offered is
 * KVM_GET_SUPPORTED_CPUID as QEMU adjusts it
 * (target/i386/kvm/kvm.c, kvm_arch_get_supported_cpuid): the host's CPUID
 * bits the kernel's KVM knows (arch/x86/kvm/cpuid.c, kvm_set_cpu_caps),
 * plus what KVM or QEMU emulate whatever the host has. Those exceptions are
 * the table below; every other feature needs its bit in the host's CPUID. */
#include "lib/qemumodels.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"

static const struct qm_feature feats_7_2[] = {
#define QEMU_VERSION(v, pkg)
#define QEMU_MODEL(name, alias, dep, vendor, accel, features)
#define QEMU_FEAT(name, leaf, sub, reg, bit) { name, leaf, sub, reg, bit },
#include "qemu-models-7.2.def"
};
static const struct qm_feature feats_10_0[] = {
#include "qemu-models-10.0.def"
};
#undef QEMU_FEAT
#undef QEMU_MODEL
#undef QEMU_VERSION

#define QEMU_FEAT(name, leaf, sub, reg, bit)
#define QEMU_VERSION(v, pkg)
#define QEMU_MODEL(name, alias, dep, vendor, accel, features) { name, alias, dep, vendor, accel, features, Q },
#define Q QM_QEMU_7_2
static const struct qm_model models_7_2[] = {
#include "qemu-models-7.2.def"
};
#undef Q
#define Q QM_QEMU_10_0
static const struct qm_model models_10_0[] = {
#include "qemu-models-10.0.def"
};
#undef Q
#undef QEMU_MODEL
#undef QEMU_VERSION

#define QEMU_MODEL(name, alias, dep, vendor, accel, features)
#define QEMU_VERSION(v, pkg) v,
static const char *const versions[] = {
#include "qemu-models-7.2.def"
#include "qemu-models-10.0.def"
};
#undef QEMU_VERSION
#undef QEMU_MODEL
#undef QEMU_FEAT

static const struct {
	const char *name;
	const struct qm_model *models;
	int nmodels;
	const struct qm_feature *feats;
	int nfeats;
} qemus[QM_NQEMU] = {
	[QM_QEMU_7_2] = { "7.2", models_7_2, ARRAY_SIZE(models_7_2), feats_7_2, ARRAY_SIZE(feats_7_2) },
	[QM_QEMU_10_0] = { "10.0", models_10_0, ARRAY_SIZE(models_10_0), feats_10_0, ARRAY_SIZE(feats_10_0) },
};

const char *qm_qemu_name(enum qm_qemu q)
{
	return q < QM_NQEMU ? qemus[q].name : "?";
}

const char *qm_qemu_version(enum qm_qemu q)
{
	return q < QM_NQEMU ? versions[q] : "?";
}

int qm_nmodels(enum qm_qemu q)
{
	return q < QM_NQEMU ? qemus[q].nmodels : 0;
}

const struct qm_model *qm_model_at(enum qm_qemu q, int i)
{
	return q < QM_NQEMU && i >= 0 && i < qemus[q].nmodels ? &qemus[q].models[i] : NULL;
}

const struct qm_model *qm_find(enum qm_qemu q, const char *name)
{
	for (int i = 0; i < qm_nmodels(q); i++)
		if (!strcmp(qemus[q].models[i].name, name))
			return &qemus[q].models[i];
	return NULL;
}

const struct qm_feature *qm_feature(enum qm_qemu q, const char *name)
{
	if (q >= QM_NQEMU)
		return NULL;
	for (int i = 0; i < qemus[q].nfeats; i++)
		if (!strcmp(qemus[q].feats[i].name, name))
			return &qemus[q].feats[i];
	return NULL;
}

static bool host_bit(const struct cpuid_dump *h, uint32_t leaf, uint32_t sub, int reg, int bit)
{
	return cpuid_bit(h, leaf, sub, reg, bit);
}

/* Features KVM offers a guest whatever the host's CPUID says. */
static const char *const kvm_always[] = {
	"x2apic",	     /* arch/x86/kvm/cpuid.c: "KVM emulates x2apic in software irrespective of host support" */
	"tsc-deadline",	     /* kvm_arch_get_supported_cpuid: in-kernel irqchip and KVM_CAP_TSC_DEADLINE_TIMER */
	"hypervisor",	     /* kvm_arch_get_supported_cpuid: ret |= CPUID_EXT_HYPERVISOR */
	"arat",		     /* kvm_arch_get_supported_cpuid: ret |= CPUID_6_EAX_ARAT ("emulated APIC") */
	"tsc-adjust",	     /* kvm_set_cpu_caps: kvm_cpu_cap_set(X86_FEATURE_TSC_ADJUST), emulated MSR */
	"arch-capabilities", /* kvm_set_cpu_caps: kvm_cpu_cap_set(X86_FEATURE_ARCH_CAPABILITIES), emulated MSR */
};

/* The speculation controls KVM translates between the vendors' leaves
 * (kvm_set_cpu_caps: SPEC_CTRL from AMD_IBRS, AMD_IBPB from IBPB...): the
 * feature is offered if the host has either bit. */
static const struct {
	const char *name;
	uint32_t leaf;
	int reg, bit;
} kvm_alias[] = {
	{ "spec-ctrl", 0x80000008, R_EBX, 14 }, /* AMD IBRS */
	{ "stibp", 0x80000008, R_EBX, 15 },	/* AMD STIBP */
	{ "ssbd", 0x80000008, R_EBX, 24 },	/* AMD SSBD */
	{ "ibpb", 0x7, R_EDX, 26 },		/* Intel SPEC_CTRL (IBRS and IBPB) */
	{ "ibrs", 0x7, R_EDX, 26 },
	{ "amd-stibp", 0x7, R_EDX, 27 },
	{ "amd-ssbd", 0x7, R_EDX, 31 },
	{ "virt-ssbd", 0x80000008, R_EBX, 24 }, /* svm_set_cpu_caps: VIRT_SSBD from AMD_SSBD */
};

/* XSAVE state a feature needs enabled in the host's XCR0: the kernel drops
 * the feature otherwise (arch/x86/kernel/cpu/cpuid-deps.c,
 * fpu__init_system_xstate) and KVM offers only what the kernel has. */
static uint64_t xcr0_needs(const char *name)
{
	static const char *const ymm[] = { "avx", "avx2", "fma", "f16c", "avx-vnni", "vaes", "vpclmulqdq", "avx-ifma",
					   "avx-vnni-int8", "avx-ne-convert", "avx-vnni-int16", "sha512", "sm3", "sm4" };

	if (!strncmp(name, "avx512", 6) || !strncmp(name, "avx10", 5))
		return 0xe6; /* SSE, YMM, opmask, ZMM_Hi256, Hi16_ZMM */
	if (!strncmp(name, "amx-", 4))
		return 0x60000; /* XTILECFG, XTILEDATA */
	for (size_t i = 0; i < ARRAY_SIZE(ymm); i++)
		if (!strcmp(name, ymm[i]))
			return 0x6;
	return 0;
}

/* QEMU refuses TSX on the Haswell steppings with the TSX erratum even if
 * the host shows it (target/i386/kvm/kvm.c, host_tsx_broken). */
static bool tsx_broken(const struct cpuid_dump *h)
{
	char vendor[13];
	uint32_t a = cpuid_get(h, 1, 0)[R_EAX];
	unsigned family = (a >> 8 & 0xf) + ((a >> 8 & 0xf) == 0xf ? (a >> 20 & 0xff) : 0);
	unsigned model = (a >> 4 & 0xf) | ((family == 6 || family == 0xf) ? (a >> 12 & 0xf0) : 0);
	unsigned stepping = a & 0xf;

	cpuid_vendor(h, vendor);
	return !strcmp(vendor, "GenuineIntel") && family == 6 &&
	       ((model == 63 && stepping < 4) || model == 60 || model == 69 || model == 70);
}

enum offer { OFFERED, MISSING, UNJUDGED };

static enum offer kvm_offers(const struct qm_feature *f, const struct cpuid_dump *h)
{
	uint64_t need;

	if (f->leaf == QM_LEAF_NONE)
		/* KVM's own paravirt leaf 0x40000001: every kernel PVE ships has
		 * these (arch/x86/kvm/cpuid.c, KVM_CPUID_FEATURES). The rest are
		 * MSR features (arch-capabilities' bits), not in CPUID. */
		return !strncmp(f->name, "kvm", 3) ? OFFERED : UNJUDGED;
	for (size_t i = 0; i < ARRAY_SIZE(kvm_always); i++)
		if (!strcmp(f->name, kvm_always[i]))
			return OFFERED;
	if (!strcmp(f->name, "umip")) {
		/* vmx_set_cpu_caps: UMIP emulated by descriptor-table exiting on Intel */
		char vendor[13];

		cpuid_vendor(h, vendor);
		if (!strcmp(vendor, "GenuineIntel"))
			return OFFERED;
	}
	/* Intel sets SYSCALL (80000001H EDX[11]) only when CPUID runs in 64-bit
	 * mode (SDM vol. 2A, CPUID); a node's kernel is 64-bit, so it follows LM.
	 * Dumps taken by 32-bit tools show it clear. */
	if (!strcmp(f->name, "syscall") && host_bit(h, 0x80000001, 0, R_EDX, 29))
		return OFFERED;
	for (size_t i = 0; i < ARRAY_SIZE(kvm_alias); i++)
		if (!strcmp(f->name, kvm_alias[i].name) &&
		    host_bit(h, kvm_alias[i].leaf, 0, kvm_alias[i].reg, kvm_alias[i].bit))
			return OFFERED;
	if (!host_bit(h, f->leaf, f->sub, f->reg, f->bit))
		return MISSING;
	if (!strcmp(f->name, "hle") || !strcmp(f->name, "rtm")) {
		/* RTM_ALWAYS_ABORT (7.0 EDX[11]): the kernel clears HLE and RTM
		 * (arch/x86/kernel/cpu/tsx.c), so KVM does not offer them. */
		if (host_bit(h, 7, 0, R_EDX, 11) || tsx_broken(h))
			return MISSING;
	}
	/* kvm_set_cpu_caps offers PKU only when the node's kernel set CR4.PKE
	 * (OSPKE). PVE's kernels do wherever the CPU has PKU; a dump taken under
	 * another OS (Windows, a guest kernel without PKU) shows OSPKE clear
	 * and says nothing about the node's kernel, so it is not judged. */
	need = xcr0_needs(f->name);
	if (need && h->has_xcr0 && (h->xcr0 & need) != need)
		return MISSING;
	return OFFERED;
}

bool qm_kvm_plain(enum qm_qemu q, const char *name)
{
	const struct qm_feature *f = qm_feature(q, name);

	if (!f || f->leaf == QM_LEAF_NONE || !strcmp(name, "umip") || !strcmp(name, "syscall"))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(kvm_always); i++)
		if (!strcmp(name, kvm_always[i]))
			return false;
	for (size_t i = 0; i < ARRAY_SIZE(kvm_alias); i++)
		if (!strcmp(name, kvm_alias[i].name))
			return false;
	return true;
}

static void verdict_init(struct qm_verdict *v)
{
	memset(v, 0, sizeof(*v));
}

static bool is_vendor(const struct cpuid_dump *h, const char *vendor)
{
	char hv[13];

	cpuid_vendor(h, hv);
	return !vendor || !*vendor || !strcmp(hv, vendor);
}

/* One feature by name against the host; adds it to v's lists. */
static void judge(enum qm_qemu q, const char *name, size_t len, const struct cpuid_dump *h, struct qm_verdict *v)
{
	char buf[64];
	const struct qm_feature *f;

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, name, len);
	buf[len] = 0;
	for (char *p = buf; *p; p++) /* QEMU's own normalisation: lahf_lm is lahf-lm */
		if (*p == '_')
			*p = '-';
	f = qm_feature(q, buf);
	if (!f) {
		/* a VM flag no model sets, so the table does not place it (PVE's
		 * allowed flags include md-clear, pdpe1gb, hv-*): named, not judged */
		size_t used = strlen(v->unplaced);

		snprintf(v->unplaced + used, sizeof(v->unplaced) - used, "%s%s", used ? " " : "", buf);
		return;
	}
	switch (kvm_offers(f, h)) {
	case OFFERED:
		break;
	case MISSING:
		v->starts = false;
		if (v->nmissing < QM_MISSING_MAX)
			v->missing[v->nmissing++] = f;
		break;
	case UNJUDGED:
		if (v->nunjudged < QM_MISSING_MAX)
			v->unjudged[v->nunjudged++] = f->name;
		break;
	}
}

/* Whether the space-separated list has name. */
static bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, " ");

		if (len == n && !memcmp(p, name, n))
			return true;
		p += len;
		p += strspn(p, " ");
	}
	return false;
}

/* Whether the ';'-separated list has word. */
static bool strstr_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ";");

		if (len == n && !memcmp(p, word, n))
			return true;
		p += len;
		p += strspn(p, ";");
	}
	return false;
}

static bool starts_with(const struct qm_model *m, const char *plus, const char *minus, const struct cpuid_dump *h,
			struct qm_verdict *v)
{
	const char *lists[2] = { m->features, plus };

	verdict_init(v);
	v->known = true;
	v->starts = true;
	v->model = m->name;
	v->vendor_matches = is_vendor(h, m->vendor);
	for (int l = 0; l < 2; l++) {
		for (const char *p = lists[l] ? lists[l] : ""; *p;) {
			size_t len = strcspn(p, " ;");
			const char *w = p;
			char name[64];

			if (l == 1 && *w == '+') {
				w++;
				len--;
			}
			if (len && len < sizeof(name) && !(l == 1 && *p == '-')) {
				memcpy(name, w, len);
				name[len] = 0;
				for (char *c = name; *c; c++)
					if (*c == '_')
						*c = '-';
				if (!list_has(minus ? minus : "", name))
					judge(m->qemu, name, len, h, v);
			}
			p += strcspn(p, " ;");
			p += strspn(p, " ;");
		}
	}
	return v->starts;
}

bool qm_starts(const struct qm_model *m, const struct cpuid_dump *host, struct qm_verdict *v)
{
	return starts_with(m, NULL, NULL, host, v);
}

/* qemu-server's own types: PVE/QemuServer/CPUConfig.pm, $builtin_models
 * (reported-model qemu64 plus these flags). */
static const struct {
	const char *name, *flags;
} pve_builtin[] = {
	{ "x86-64-v2", "+popcnt;+pni;+sse4.1;+sse4.2;+ssse3" },
	{ "x86-64-v2-AES", "+aes;+popcnt;+pni;+sse4.1;+sse4.2;+ssse3" },
	{ "x86-64-v3", "+aes;+popcnt;+pni;+sse4.1;+sse4.2;+ssse3;+avx;+avx2;+bmi1;+bmi2;+f16c;+fma;+abm;+movbe;+xsave" },
	{ "x86-64-v4", "+aes;+popcnt;+pni;+sse4.1;+sse4.2;+ssse3;+avx;+avx2;+bmi1;+bmi2;+f16c;+fma;+abm;+movbe;+xsave;"
		       "+avx512f;+avx512bw;+avx512cd;+avx512dq;+avx512vl" },
};

/* The minus flags of a flag list ("-pcid;+aes" gives "-pcid"), as names. */
static void minus_of(const char *flags, char *out, size_t len)
{
	size_t o = 0;

	out[0] = 0;
	for (const char *p = flags ? flags : ""; *p;) {
		size_t n = strcspn(p, ";");

		if (*p == '-' && n > 1 && o + n < len) {
			memcpy(out + o, p + 1, n - 1);
			o += n - 1;
			out[o++] = ' ';
			out[o] = 0;
		}
		p += n;
		p += strspn(p, ";");
	}
}

/* The QEMU model, + and - flags qemu-server starts a PVE type with. */
static const struct qm_model *resolve(enum qm_qemu q, const char *type, const char *extra, char *plus, size_t plen,
				      char *minus, size_t mlen)
{
	const char *model = type;

	plus[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(pve_builtin); i++)
		if (!strcmp(type, pve_builtin[i].name)) {
			model = "qemu64";
			snprintf(plus, plen, "%s", pve_builtin[i].flags);
		}
	/* $depreacated_cpu_map: Icelake-Client was never a real CPU */
	if (!strcmp(type, "Icelake-Client"))
		model = "Icelake-Server";
	else if (!strcmp(type, "Icelake-Client-noTSX"))
		model = "Icelake-Server-noTSX";
	/* get_pve_cpu_flags */
	if (!strcmp(model, "kvm64"))
		snprintf(plus, plen, "+lahf_lm;+sep");
	else if (!strcmp(model, "kvm32"))
		snprintf(plus, plen, "+sep");
	if (extra && *extra)
		snprintf(plus + strlen(plus), plen - strlen(plus), ";%s", extra);
	minus_of(extra, minus, mlen);
	if (!strncmp(model, "Opteron", 7))
		snprintf(minus + strlen(minus), mlen - strlen(minus), " rdtscp");
	return qm_find(q, model);
}

static bool generic_model(const char *model)
{
	return !strcmp(model, "qemu64") || !strcmp(model, "kvm64") || !strcmp(model, "qemu32") ||
	       !strcmp(model, "kvm32");
}

bool qm_pve_starts(enum qm_qemu q, const char *type, const char *extra, const struct cpuid_dump *host,
		   struct qm_verdict *v)
{
	char plus[512], minus[256];
	const struct qm_model *m;

	verdict_init(v);
	if (!strcmp(type, "host")) {
		/* no model and no enforce (get_cpu_options: enforce only if not host) */
		v->known = v->starts = v->vendor_matches = true;
		v->model = "host";
		return true;
	}
	m = resolve(q, type, extra, plus, sizeof(plus), minus, sizeof(minus));
	if (!m)
		return false;
	starts_with(m, plus, minus, host, v);
	/* qemu-server forces the model's vendor, except for QEMU's generic models */
	if (generic_model(m->name))
		v->vendor_matches = true;
	return v->starts;
}

bool qm_pve_known(enum qm_qemu q, const char *type)
{
	char plus[512], minus[256];

	return !strcmp(type, "host") || resolve(q, type, NULL, plus, sizeof(plus), minus, sizeof(minus));
}

bool qm_pve_offers(enum qm_qemu q, const char *type, const char *feature)
{
	char plus[512], minus[256], want[64];
	const struct qm_model *m = resolve(q, type, NULL, plus, sizeof(plus), minus, sizeof(minus));

	if (!m)
		return false;
	snprintf(want, sizeof(want), "+%s", feature);
	for (char *c = plus; *c; c++)
		if (*c == '_')
			*c = '-';
	return !list_has(minus, feature) && (list_has(m->features, feature) || strstr_word(plus, want));
}

static const char *reg_name(int reg)
{
	static const char *const n[] = { "EAX", "EBX", "ECX", "EDX" };

	return reg >= 0 && reg < 4 ? n[reg] : "?";
}

void qm_feature_describe(const struct qm_feature *f, char *out, size_t len)
{
	/* target/i386/cpu.c, feature_word_description and mark_unavailable_features */
	if (f->leaf == QM_LEAF_NONE)
		snprintf(out, len, "%s (an MSR feature)", f->name);
	else
		snprintf(out, len, "CPUID.%02XH:%s.%s [bit %d]", f->leaf, reg_name(f->reg), f->name, f->bit);
}

void qm_verdict_describe(const struct qm_verdict *v, char *out, size_t len)
{
	size_t o = 0;

	out[0] = 0;
	for (int i = 0; i < v->nmissing && o + 1 < len; i++) {
		char one[96];

		qm_feature_describe(v->missing[i], one, sizeof(one));
		o += snprintf(out + o, len - o, "%s%s", i ? "; " : "", one);
	}
}
