/* CPUID dumps: collected live on one CPU or parsed from a recorded file,
 * handed to libcpuid for identification, and searched for the hypervisor
 * signature. */
#include <errno.h>
#include <libcpuid.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "lib/hypervisor.h"
#include "lib/util.h"

/* Caps on what a dump keeps: libcpuid reads at most 32 basic and 32
 * extended leaves; the rest is for people reading the dump. */
#define BASIC_CAP 0x3fU
#define EXT_CAP 0x8000003fU
#define HV_SPAN 0x10U

static void cpuid_exec(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[R_EAX]), "=b"(r[R_EBX]), "=c"(r[R_ECX]), "=d"(r[R_EDX])
			 : "a"(leaf), "c"(sub));
}

static void add(struct isa_cpuid *c, uint32_t leaf, uint32_t sub, const uint32_t r[4])
{
	if (c->n >= ISA_CPUID_MAX)
		return;
	c->e[c->n].leaf = leaf;
	c->e[c->n].sub = sub;
	memcpy(c->e[c->n].r, r, sizeof(c->e[c->n].r));
	c->n++;
}

static void add_exec(struct isa_cpuid *c, uint32_t leaf, uint32_t sub)
{
	uint32_t r[4];

	cpuid_exec(leaf, sub, r);
	add(c, leaf, sub, r);
}

/* Leaves whose sub-leaf matters, and how many sub-leaves to keep. */
static const struct {
	uint32_t leaf, subs;
} sub_leaves[] = {
	{ 0x4, 8 },	    /* deterministic cache parameters (libcpuid: intel_fn4) */
	{ 0x7, 0 },	    /* structured features: 7.0 EAX says how many */
	{ 0xb, 4 },	    /* topology (libcpuid: intel_fn11) */
	{ 0xd, 19 },	    /* XSAVE: 0 sizes, 1 XSAVEOPT/XSAVEC, 2.. components */
	{ 0x12, 4 },	    /* SGX (libcpuid: intel_fn12h) */
	{ 0x14, 4 },	    /* processor trace (libcpuid: intel_fn14h) */
	{ 0x1f, 6 },	    /* v2 topology */
	{ 0x8000001d, 4 },  /* AMD cache topology (libcpuid: amd_fn8000001dh) */
};

static uint32_t subs_of(uint32_t leaf, const uint32_t r0[4])
{
	for (size_t i = 0; i < ARRAY_SIZE(sub_leaves); i++)
		if (sub_leaves[i].leaf == leaf)
			return sub_leaves[i].subs ? sub_leaves[i].subs : (r0[R_EAX] < 8 ? r0[R_EAX] + 1 : 8);
	return 1;
}

static void add_range(struct isa_cpuid *c, uint32_t first, uint32_t last)
{
	for (uint32_t leaf = first; leaf <= last; leaf++) {
		uint32_t r0[4];

		cpuid_exec(leaf, 0, r0);
		add(c, leaf, 0, r0);
		for (uint32_t s = 1; s < subs_of(leaf, r0); s++)
			add_exec(c, leaf, s);
	}
}

void isa_cpuid_collect(struct isa_cpuid *c)
{
	uint32_t r[4];

	memset(c, 0, sizeof(*c));
	cpuid_exec(0, 0, r);
	add_range(c, 0, r[R_EAX] < BASIC_CAP ? r[R_EAX] : BASIC_CAP);

	/* The hypervisor range exists only when CPUID.1:ECX[31] says so; bare
	 * Intel CPUs answer unknown leaves with the highest basic leaf. */
	if (isa_cpuid_get(c, 1, 0)[R_ECX] & (1U << 31)) {
		for (uint32_t base = 0x40000000; base <= 0x40000100; base += 0x100) {
			cpuid_exec(base, 0, r);
			if (r[R_EAX] >= base && r[R_EAX] <= base + 0xff)
				add_range(c, base, r[R_EAX] < base + HV_SPAN ? r[R_EAX] : base + HV_SPAN);
			else if (base == 0x40000000)
				add(c, base, 0, r);
		}
	}

	cpuid_exec(0x80000000, 0, r);
	if (r[R_EAX] >= 0x80000000 && r[R_EAX] <= 0x8000ffff)
		add_range(c, 0x80000000, r[R_EAX] < EXT_CAP ? r[R_EAX] : EXT_CAP);

	c->has_xcr0 = (isa_cpuid_get(c, 1, 0)[R_ECX] >> 27 & 1) && isa_read_xcr0(&c->xcr0);
}

const uint32_t *isa_cpuid_get(const struct isa_cpuid *c, uint32_t leaf, uint32_t sub)
{
	static const uint32_t zero[4];

	for (int i = 0; i < c->n; i++)
		if (c->e[i].leaf == leaf && c->e[i].sub == sub)
			return c->e[i].r;
	return zero;
}

void isa_cpuid_write(FILE *f, const struct isa_cpuid *c)
{
	fprintf(f, "# vmtriage cpuid dump 1: LEAF SUBLEAF EAX EBX ECX EDX, hex\n");
	if (c->has_xcr0)
		fprintf(f, "xcr0 %016llx\n", (unsigned long long)c->xcr0);
	for (int i = 0; i < c->n; i++)
		fprintf(f, "%08x %02x %08x %08x %08x %08x\n", c->e[i].leaf, c->e[i].sub, c->e[i].r[0],
			c->e[i].r[1], c->e[i].r[2], c->e[i].r[3]);
}

int isa_cpuid_parse(const char *text, struct isa_cpuid *c, char *err, size_t errlen)
{
	int lineno = 0;

	memset(c, 0, sizeof(*c));
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char line[1024], *p;
		unsigned long long x;
		unsigned v[6];
		int used = 0;

		lineno++;
		if (len >= sizeof(line)) {
			snprintf(err, errlen, "line %d: too long", lineno);
			return -1;
		}
		memcpy(line, text, len);
		line[len] = 0;
		text += len + (nl ? 1 : 0);
		p = trim(line);
		if (!*p || *p == '#')
			continue;
		if (sscanf(p, "xcr0 %llx %n", &x, &used) == 1 && !p[used]) {
			c->has_xcr0 = true;
			c->xcr0 = x;
			continue;
		}
		if (sscanf(p, "%x %x %x %x %x %x %n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &used) != 6 ||
		    p[used]) {
			snprintf(err, errlen, "line %d: expected LEAF SUBLEAF EAX EBX ECX EDX in hex", lineno);
			return -1;
		}
		if (c->n >= ISA_CPUID_MAX) {
			snprintf(err, errlen, "line %d: more than %d leaves", lineno, ISA_CPUID_MAX);
			return -1;
		}
		add(c, v[0], v[1], (uint32_t[4]){ v[2], v[3], v[4], v[5] });
	}
	if (c->n == 0) {
		snprintf(err, errlen, "no CPUID leaves");
		return -1;
	}
	return 0;
}

int isa_cpuid_load(const char *path, struct isa_cpuid *c, char *err, size_t errlen)
{
	char *text = read_file(path, 1 << 20, NULL);
	int rc;

	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = isa_cpuid_parse(text, c, err, errlen);
	free(text);
	return rc;
}

/* libcpuid's raw layout, filled from the dump rather than by executing
 * CPUID again, so live CPUs and recorded dumps take the same path. */
static void to_raw(const struct isa_cpuid *c, struct cpu_raw_data_t *raw)
{
	memset(raw, 0, sizeof(*raw));
	for (uint32_t i = 0; i < MAX_CPUID_LEVEL; i++)
		memcpy(raw->basic_cpuid[i], isa_cpuid_get(c, i, 0), 16);
	for (uint32_t i = 0; i < MAX_EXT_CPUID_LEVEL; i++)
		memcpy(raw->ext_cpuid[i], isa_cpuid_get(c, 0x80000000 + i, 0), 16);
	for (uint32_t i = 0; i < MAX_INTELFN4_LEVEL; i++)
		memcpy(raw->intel_fn4[i], isa_cpuid_get(c, 4, i), 16);
	for (uint32_t i = 0; i < MAX_INTELFN11_LEVEL; i++)
		memcpy(raw->intel_fn11[i], isa_cpuid_get(c, 0xb, i), 16);
	for (uint32_t i = 0; i < MAX_INTELFN12H_LEVEL; i++)
		memcpy(raw->intel_fn12h[i], isa_cpuid_get(c, 0x12, i), 16);
	for (uint32_t i = 0; i < MAX_INTELFN14H_LEVEL; i++)
		memcpy(raw->intel_fn14h[i], isa_cpuid_get(c, 0x14, i), 16);
	for (uint32_t i = 0; i < MAX_AMDFN8000001DH_LEVEL; i++)
		memcpy(raw->amd_fn8000001dh[i], isa_cpuid_get(c, 0x8000001d, i), 16);
}

/* Without libcpuid: vendor, brand and the display family/model/stepping
 * as the SDM (CPUID leaf 1) and AMD's APM define them. */
static void identify_raw(const struct isa_cpuid *c, struct isa_ident *id)
{
	const uint32_t *r = isa_cpuid_get(c, 0, 0), *r1 = isa_cpuid_get(c, 1, 0);
	uint32_t base_family = r1[R_EAX] >> 8 & 0xf, base_model = r1[R_EAX] >> 4 & 0xf;
	char brand[49];

	memcpy(id->vendor, &r[R_EBX], 4);
	memcpy(id->vendor + 4, &r[R_EDX], 4);
	memcpy(id->vendor + 8, &r[R_ECX], 4);
	for (uint32_t i = 0; i < 3; i++)
		memcpy(brand + 16 * i, isa_cpuid_get(c, 0x80000002 + i, 0), 16);
	brand[48] = 0;
	strlcpy_(id->brand, trim(brand), sizeof(id->brand));
	id->family = (int)(base_family + (base_family == 0xf ? (r1[R_EAX] >> 20 & 0xff) : 0));
	id->model = (int)(base_model | (base_family == 0x6 || base_family == 0xf ? (r1[R_EAX] >> 12 & 0xf0) : 0));
	id->stepping = (int)(r1[R_EAX] & 0xf);
}

void isa_identify(const struct isa_cpuid *c, struct isa_ident *id)
{
	struct cpu_raw_data_t raw;
	struct cpu_id_t data;

	memset(id, 0, sizeof(*id));
	/* Our own decoding first; libcpuid adds the codename and its flags. */
	identify_raw(c, id);
	to_raw(c, &raw);
	if (cpu_identify(&raw, &data) != 0)
		return;
	_Static_assert(sizeof(id->lc_flags) == sizeof(data.flags), "libcpuid flags size");
	id->lc_ok = true;
	strlcpy_(id->vendor, data.vendor_str, sizeof(id->vendor));
	strlcpy_(id->brand, trim(data.brand_str), sizeof(id->brand));
	strlcpy_(id->codename, data.cpu_codename, sizeof(id->codename));
	id->family = data.ext_family;
	id->model = data.ext_model;
	id->stepping = data.stepping;
	memcpy(id->lc_flags, data.flags, sizeof(id->lc_flags));
}

static void signature(const uint32_t *r, char out[13])
{
	memcpy(out, &r[R_EBX], 4);
	memcpy(out + 4, &r[R_ECX], 4);
	memcpy(out + 8, &r[R_EDX], 4);
	out[12] = 0;
}

void isa_hypervisor(const struct isa_cpuid *c, struct isa_hypervisor *h)
{
	const uint32_t *r0 = isa_cpuid_get(c, 0x40000000, 0);
	const uint32_t *r1 = isa_cpuid_get(c, 0x40000100, 0);
	const char *n0, *n1;

	memset(h, 0, sizeof(*h));
	h->present = isa_cpuid_get(c, 1, 0)[R_ECX] >> 31 & 1;
	h->name = "none";
	if (!h->present)
		return;
	signature(r0, h->sig0);
	h->max0 = r0[R_EAX];
	if (r1[R_EAX] >= 0x40000100)
		signature(r1, h->sig1);
	n0 = hypervisor_name(h->sig0);
	n1 = h->sig1[0] ? hypervisor_name(h->sig1) : NULL;
	/* KVM with Hyper-V enlightenments (PVE's Windows guests) shows
	 * "Microsoft Hv" first and its own signature at 0x40000100. */
	h->name = n1 ? n1 : n0 ? n0 : "unknown";
}
