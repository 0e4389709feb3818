/* Raw CPUID and XCR0, the hardware's own word on what it offers: executed
 * on the calling CPU, or parsed from a recorded dump (tests/unit/data/isa/
 * format). `triage isa` decides from these bits; `triage host` reads a
 * node's CPU the same way. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cpuid.h"
#include "lib/util.h"

/* Caps on what a dump keeps: libcpuid reads at most 32 basic and 32
 * extended leaves; the rest is for people reading the dump. */
#define BASIC_CAP 0x3fU
#define EXT_CAP 0x8000003fU
#define HV_SPAN 0x10U

void cpuid_exec(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[R_EAX]), "=b"(r[R_EBX]), "=c"(r[R_ECX]), "=d"(r[R_EDX])
			 : "a"(leaf), "c"(sub));
}

static void add(struct cpuid_dump *c, uint32_t leaf, uint32_t sub, const uint32_t r[4])
{
	if (c->n >= CPUID_MAX)
		return;
	c->e[c->n].leaf = leaf;
	c->e[c->n].sub = sub;
	memcpy(c->e[c->n].r, r, sizeof(c->e[c->n].r));
	c->n++;
}

static void add_exec(struct cpuid_dump *c, uint32_t leaf, uint32_t sub)
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

static void add_range(struct cpuid_dump *c, uint32_t first, uint32_t last)
{
	for (uint32_t leaf = first; leaf <= last; leaf++) {
		uint32_t r0[4];

		cpuid_exec(leaf, 0, r0);
		add(c, leaf, 0, r0);
		for (uint32_t s = 1; s < subs_of(leaf, r0); s++)
			add_exec(c, leaf, s);
	}
}

void cpuid_collect(struct cpuid_dump *c)
{
	uint32_t r[4];

	memset(c, 0, sizeof(*c));
	cpuid_exec(0, 0, r);
	add_range(c, 0, r[R_EAX] < BASIC_CAP ? r[R_EAX] : BASIC_CAP);

	/* The hypervisor range exists only when CPUID.1:ECX[31] says so; bare
	 * Intel CPUs answer unknown leaves with the highest basic leaf. */
	if (cpuid_get(c, 1, 0)[R_ECX] & (1U << 31)) {
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

	c->has_xcr0 = (cpuid_get(c, 1, 0)[R_ECX] >> 27 & 1) && cpuid_read_xcr0(&c->xcr0);
}

const uint32_t *cpuid_get(const struct cpuid_dump *c, uint32_t leaf, uint32_t sub)
{
	static const uint32_t zero[4];

	for (int i = 0; i < c->n; i++)
		if (c->e[i].leaf == leaf && c->e[i].sub == sub)
			return c->e[i].r;
	return zero;
}

void cpuid_write(FILE *f, const struct cpuid_dump *c)
{
	fprintf(f, "# vmtriage cpuid dump 1: LEAF SUBLEAF EAX EBX ECX EDX, hex\n");
	if (c->has_xcr0)
		fprintf(f, "xcr0 %016llx\n", (unsigned long long)c->xcr0);
	for (int i = 0; i < c->n; i++)
		fprintf(f, "%08x %02x %08x %08x %08x %08x\n", c->e[i].leaf, c->e[i].sub, c->e[i].r[0],
			c->e[i].r[1], c->e[i].r[2], c->e[i].r[3]);
}

int cpuid_parse(const char *text, struct cpuid_dump *c, char *err, size_t errlen)
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
		if (c->n >= CPUID_MAX) {
			snprintf(err, errlen, "line %d: more than %d leaves", lineno, CPUID_MAX);
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

int cpuid_load(const char *path, struct cpuid_dump *c, char *err, size_t errlen)
{
	char *text = read_file(path, 1 << 20, NULL);
	int rc;

	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = cpuid_parse(text, c, err, errlen);
	free(text);
	return rc;
}


bool cpuid_bit(const struct cpuid_dump *c, uint32_t leaf, uint32_t sub, int reg, int bit)
{
	uint32_t base = leaf & 0xffff0000U;

	if (cpuid_get(c, base, 0)[R_EAX] < leaf)
		return false;
	/* 7.0 EAX and 0x24.0 EAX: the highest valid sub-leaf */
	if ((leaf == 7 || leaf == 0x24) && sub > cpuid_get(c, leaf, 0)[R_EAX])
		return false;
	return cpuid_get(c, leaf, sub)[reg] >> bit & 1;
}

void cpuid_vendor(const struct cpuid_dump *c, char out[13])
{
	const uint32_t *r = cpuid_get(c, 0, 0);

	memcpy(out, &r[R_EBX], 4);
	memcpy(out + 4, &r[R_EDX], 4);
	memcpy(out + 8, &r[R_ECX], 4);
	out[12] = 0;
}

static sigjmp_buf xgetbv_jmp;

static void xgetbv_fault(int sig)
{
	(void)sig;
	siglongjmp(xgetbv_jmp, 1);
}

/* Guarded although OSXSAVE promises XGETBV: a hypervisor may show the bit
 * without the instruction working, and a fault must not end the caller. */
bool cpuid_read_xcr0(uint64_t *xcr0)
{
	struct sigaction sa, old_ill, old_segv;
	volatile bool ok = false;
	uint32_t lo, hi;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = xgetbv_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGILL, &sa, &old_ill);
	sigaction(SIGSEGV, &sa, &old_segv);
	if (sigsetjmp(xgetbv_jmp, 1) == 0) {
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		*xcr0 = (uint64_t)hi << 32 | lo;
		ok = true;
	}
	sigaction(SIGILL, &old_ill, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return ok;
}
