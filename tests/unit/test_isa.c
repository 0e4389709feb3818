/* triage isa: level classification and PVE CPU type matching from recorded
 * CPUID dumps (tests/unit/data/isa/), libcpuid's flags against the raw
 * CPUID bits, the state classification, the references against known
 * answers, and for every row of the feature table: a right output passes
 * and a corrupted one is reported as a wrong result. */
#include <dirent.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "commands.h"
#include "isa/isa.h"
#include "isa/kernels.h"
#include "isa/ref.h"
#include "lib/json.h"
#include "lib/util.h"
#include "schema.h"

#define DATA "tests/unit/data/isa/"

static isa_set type_set(const char *name)
{
	char err[128];
	isa_set s = 0;

	for (int i = 0; i < pve_ntypes; i++)
		if (!strcmp(pve_types[i].name, name)) {
			assert_int_equal(pve_type_set(&pve_types[i], &s, err, sizeof(err)), 0);
			return s;
		}
	fail_msg("no PVE type %s", name);
	return 0;
}

static const char *type_name(int i)
{
	return i < 0 ? "-" : pve_types[i].name;
}

static void load(const char *name, struct cpuid_dump *c, struct isa_ident *id)
{
	char path[256], err[256];

	snprintf(path, sizeof(path), DATA "%s.cpuid", name);
	if (cpuid_load(path, c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	isa_identify(c, id);
}

static char *set_names(isa_set s)
{
	static char buf[1024];

	buf[0] = 0;
	for (int i = 0; i < isa_next; i++)
		if (s >> i & 1) {
			strcat(buf, " ");
			strcat(buf, isa_exts[i].name);
		}
	return buf;
}

/* Every dump of expect.txt: level, PVE match, exact feature set, vendor,
 * hypervisor. */
static void test_recorded_dumps(void **state)
{
	static struct cpuid_dump c;
	char *text = read_file(DATA "expect.txt", 1 << 16, NULL), *line, *save = NULL;
	int checked = 0;

	(void)state;
	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char dump[64], closest[64], generic[64], model[64], equals[64], vendor[32], hv[32], gap[32], states[512];
		static const char *const gaps[] = { "-", "cpu.no-avx", "cpu.no-avx2", "cpu.host-lacks-v3" };
		struct isa_ident id;
		struct isa_hypervisor h;
		struct pve_match m;
		isa_set usable;
		int level;

		if (line[0] == '#' || !line[0])
			continue;
		assert_int_equal(sscanf(line, "%63s %d %63s %63s %63s %63s %31s %31s %31s %511s", dump, &level, closest,
					generic, model, equals, vendor, hv, gap, states),
				 10);
		load(dump, &c, &id);
		usable = isa_usable_set(&c);
		pve_match(usable, &c, &m);
		isa_hypervisor(&c, &h);
		print_message("  %-18s v%d %-15s usable:%s\n", dump, isa_level(usable), type_name(m.closest),
			      set_names(usable));
		assert_int_equal(isa_level(usable), level);
		assert_string_equal(type_name(m.closest), closest);
		assert_string_equal(type_name(m.generic), generic);
		assert_string_equal(type_name(m.model), model);
		if (strcmp(equals, "-") != 0) {
			if (usable != type_set(equals))
				fail_msg("%s: usable set differs from %s by%s", dump, equals,
					 set_names(usable ^ type_set(equals)));
			if (!strcmp(closest, equals))
				assert_int_equal(m.beyond, 0);
		}
		assert_string_equal(id.vendor, vendor);
		assert_int_equal(h.present, strcmp(hv, "-") != 0);
		if (h.present)
			assert_string_equal(h.sig0, hv);
		assert_string_equal(gaps[isa_v3_gap(usable, h.present)], gap);
		for (char *st = states, *sv = NULL, *tok; strcmp(states, "-") && (tok = strtok_r(st, ",", &sv)); st = NULL) {
			int i = isa_find(tok + 1);

			if (i < 0 || (tok[0] != '+' && tok[0] != '-'))
				fail_msg("%s: bad state '%s' in expect.txt", dump, tok);
			if ((usable >> i & 1) != (tok[0] == '+'))
				fail_msg("%s: %s is %susable", dump, tok + 1, usable >> i & 1 ? "" : "not ");
		}
		checked++;
	}
	free(text);
	assert_true(checked >= 18);
}

static void test_identification(void **state)
{
	static struct cpuid_dump c;
	struct isa_ident id;

	(void)state;
	load("Haswell", &c, &id);
	assert_string_equal(id.vendor, "GenuineIntel");
	assert_int_equal(id.family, 6);
	assert_int_equal(id.model, 60);
	assert_int_equal(id.stepping, 4);
	assert_string_equal(id.brand, "Intel Core Processor (Haswell)");
	load("EPYC-Rome", &c, &id);
	assert_int_equal(id.family, 23); /* 0xf + extended family 8 */
	assert_int_equal(id.model, 49);
}

static void test_os_state(void **state)
{
	static struct cpuid_dump c;
	struct isa_ident id;
	int avx = isa_find("avx"), avx512f = isa_find("avx512f"), xsave = isa_find("xsave");

	(void)state;
	/* AVX advertised but OSXSAVE off: advertised, not enabled. */
	load("v3-without-xsave", &c, &id);
	assert_true(isa_advertised(&isa_exts[avx], &c));
	assert_false(isa_os_enabled(&isa_exts[avx], &c));
	assert_false(c.has_xcr0);
	/* The same CPU with XCR0 lacking the AVX-512 state. */
	load("host-avx512", &c, &id);
	assert_true(isa_os_enabled(&isa_exts[avx512f], &c));
	c.xcr0 &= ~XCR0_AVX512;
	assert_true(isa_advertised(&isa_exts[avx512f], &c));
	assert_false(isa_os_enabled(&isa_exts[avx512f], &c));
	assert_true(isa_os_enabled(&isa_exts[avx], &c));
	assert_true(isa_os_enabled(&isa_exts[xsave], &c));
	assert_int_equal(isa_level(isa_usable_set(&c)), 3);
}

static void test_dump_round_trip_and_errors(void **state)
{
	static struct cpuid_dump a, b;
	struct isa_ident id;
	char *text = NULL, err[128];
	size_t len = 0;
	FILE *f;

	(void)state;
	load("Westmere", &a, &id);
	f = open_memstream(&text, &len);
	cpuid_write(f, &a);
	fclose(f);
	assert_int_equal(cpuid_parse(text, &b, err, sizeof(err)), 0);
	assert_int_equal(a.n, b.n);
	assert_memory_equal(a.e, b.e, sizeof(a.e[0]) * (size_t)a.n);
	free(text);
	assert_int_equal(cpuid_parse("00000000 00 0000000d\n", &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 1"));
	assert_int_equal(cpuid_parse("# only a comment\n", &b, err, sizeof(err)), -1);
}

static void test_levels(void **state)
{
	isa_set v4 = type_set("x86-64-v4");

	(void)state;
	assert_int_equal(isa_level(type_set("kvm64")), 1);
	assert_int_equal(isa_level(type_set("x86-64-v2")), 2);
	assert_int_equal(isa_level(type_set("x86-64-v3")), 3);
	assert_int_equal(isa_level(v4), 4);
	/* One missing extension of a level drops to the level below. */
	assert_int_equal(isa_level(v4 & ~(1ULL << isa_find("avx512vl"))), 3);
	assert_int_equal(isa_level(v4 & ~(1ULL << isa_find("movbe"))), 2);
	assert_int_equal(isa_level(v4 & ~(1ULL << isa_find("cx16"))), 1);
	assert_int_equal(isa_level(v4 & ~(1ULL << isa_find("xsave"))), 2); /* OSXSAVE is part of v3 */
	assert_true(isa_level_missing(type_set("x86-64-v2")) >> isa_find("avx2") & 1);
	assert_int_equal(isa_level_missing(v4), 0);
	/* what x86-64-v2 lacks for v3, in a VM and on bare metal */
	assert_int_equal(isa_v3_gap(type_set("x86-64-v2-AES"), true), ISA_V3_NO_AVX);
	assert_int_equal(isa_v3_gap(type_set("SandyBridge"), true), ISA_V3_NO_AVX2);
	assert_int_equal(isa_v3_gap(type_set("IvyBridge"), true), ISA_V3_NO_AVX2);
	assert_int_equal(isa_v3_gap(type_set("IvyBridge"), false), ISA_V3_HOST_LACKS);
	assert_int_equal(isa_v3_gap(type_set("x86-64-v3"), false), ISA_V3_OK);
	assert_int_equal(isa_v3_gap(type_set("kvm64"), true), ISA_V3_OK); /* cpu.baseline-only says it */
}

static void test_pve_table(void **state)
{
	static struct cpuid_dump c;
	struct isa_ident id;
	isa_set prev = 0;
	static const char *const chain[] = { "kvm64", "x86-64-v2", "x86-64-v2-AES", "x86-64-v3", "x86-64-v4" };
	struct pve_match m;
	isa_set all = 0;

	(void)state;
	for (int i = 0; i < pve_ntypes; i++) {
		char err[128];
		isa_set s;

		if (pve_type_set(&pve_types[i], &s, err, sizeof(err)) != 0)
			fail_msg("%s", err);
	}
	for (size_t i = 0; i < ARRAY_SIZE(chain); i++) { /* each generic type contains the previous */
		isa_set s = type_set(chain[i]);

		assert_int_equal(s & prev, prev);
		assert_true(s != prev);
		prev = s;
	}
	for (int i = 0; i < isa_next; i++)
		all |= 1ULL << i;
	/* everything executes: the richest type QEMU starts on the CPU */
	load("spr-xeon-w9-3475x", &c, &id);
	pve_match(all, &c, &m);
	assert_string_equal(type_name(m.closest), "SapphireRapids");
	assert_string_equal(type_name(m.generic), "x86-64-v4");
	assert_true(pve_type_starts(&pve_types[m.closest], &c, NULL));
	load("zen4-epyc-9124", &c, &id);
	pve_match(all, &c, &m);
	assert_string_equal(type_name(m.closest), "EPYC-Genoa");
	assert_true(m.beyond >> isa_find("avx-vnni") & 1);
	assert_false(m.beyond >> isa_find("avx512bf16") & 1);
	/* other vendors: generic types only */
	c.e[0].r[R_EBX] = 0x6f677948; /* "HygonGenuine" */
	c.e[0].r[R_EDX] = 0x6e65476e;
	c.e[0].r[R_ECX] = 0x656e6975;
	pve_match(all, &c, &m);
	assert_string_equal(type_name(m.closest), "x86-64-v4");
	assert_string_equal(type_name(m.model), "-");
	load("kvm64", &c, &id);
	pve_match(type_set("kvm64") & ~(1ULL << isa_find("cx16")), &c, &m);
	assert_int_equal(m.closest, -1); /* below every type */
}

/* Every recorded dump (names.txt lists them all): the CPU's name, an rtm
 * row that reads CPUID 7.0 EBX[11], and a recommended PVE type that QEMU
 * with enforce starts on the CPU (the closest type, and the generic one). */
static void test_real_cpus(void **state)
{
	static struct cpuid_dump c;
	char *text = read_file(DATA "names.txt", 1 << 16, NULL), *line, *save = NULL;
	DIR *d = opendir(DATA);
	struct dirent *de;
	int checked = 0, dumps = 0, rtm = isa_find("rtm");

	(void)state;
	assert_non_null(text);
	assert_true(rtm >= 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		struct isa_ident id;
		struct pve_match m;
		struct qm_verdict v;
		char why[1024];

		if (line[0] == '#' || !tab)
			continue;
		*tab = 0;
		load(line, &c, &id);
		if (strcmp(id.name, tab + 1))
			fail_msg("%s: named '%s', expected '%s'", line, id.name, tab + 1);
		assert_int_equal(isa_advertised(&isa_exts[rtm], &c), cpuid_bit(&c, 7, 0, R_EBX, 11));
		pve_match(isa_usable_set(&c), &c, &m);
		for (int k = 0; k < 2; k++) {
			int t = k ? m.generic : m.closest;

			if (t < 0)
				continue;
			if (!pve_type_starts(&pve_types[t], &c, &v)) {
				qm_verdict_describe(&v, why, sizeof(why));
				fail_msg("%s: %s is advised, QEMU refuses it: %s", line, pve_types[t].name, why);
			}
			if (pve_type_has(&pve_types[t], "rtm") && !cpuid_bit(&c, 7, 0, R_EBX, 11))
				fail_msg("%s: %s has TSX, the CPU has none", line, pve_types[t].name);
		}
		print_message("  %-18s %-40s %s\n", line, id.name, m.closest >= 0 ? pve_types[m.closest].name : "-");
		checked++;
	}
	assert_non_null(d);
	while ((de = readdir(d)))
		dumps += strlen(de->d_name) > 6 && !strcmp(de->d_name + strlen(de->d_name) - 6, ".cpuid");
	closedir(d);
	assert_int_equal(checked, dumps);
	free(text);
}

/* What a PVE type offers comes from QEMU's table by QEMU's names: every
 * isa row must map to a QEMU feature at isa's own CPUID bit, and be in the
 * list pve_type_features draws from. */
static void test_qemu_names(void **state)
{
	(void)state;
	for (int i = 0; i < isa_next; i++) {
		const struct isa_ext *e = &isa_exts[i];
		const struct qm_feature *f = qm_feature(PVE_TYPES_QEMU, pve_qemu_feature(e->name));
		bool listed = false;

		if (!f)
			fail_msg("%s: QEMU %s has no feature %s", e->name, qm_qemu_name(PVE_TYPES_QEMU),
				 pve_qemu_feature(e->name));
		if (f->leaf != e->pred.leaf || f->sub != e->pred.sub || f->reg != e->pred.reg || f->bit != e->pred.bit)
			fail_msg("%s: QEMU's %s is at %x.%u reg %d bit %d, isa reads %x.%u reg %d bit %d", e->name, f->name,
				 f->leaf, f->sub, f->reg, f->bit, e->pred.leaf, e->pred.sub, e->pred.reg, e->pred.bit);
		for (int t = 0; t < pve_ntypes && !listed; t++)
			listed = pve_type_has(&pve_types[t], e->name);
		for (int t = 0; t < pve_ntypes; t++) /* a type offering it lists it */
			if (pve_type_has(&pve_types[t], e->name)) {
				const char *all = pve_type_features(&pve_types[t]), *p = strstr(all, e->name);
				size_t n = strlen(e->name);

				while (p && !((p == all || p[-1] == ' ') && (p[n] == ' ' || !p[n])))
					p = strstr(p + 1, e->name);
				if (!p)
					fail_msg("%s offers %s, pve_type_features does not list it", pve_types[t].name, e->name);
			}
	}
}

static void test_classify(void **state)
{
	(void)state;
	/* advertised, os enabled, ran, right */
	assert_int_equal(isa_classify(true, true, true, true), ISA_OK);
	assert_int_equal(isa_classify(true, true, false, false), ISA_FAULTS);
	assert_int_equal(isa_classify(true, true, true, false), ISA_WRONG);
	assert_int_equal(isa_classify(true, false, false, false), ISA_NOT_OS_ENABLED);
	assert_int_equal(isa_classify(false, true, false, false), ISA_ABSENT);
	assert_int_equal(isa_classify(false, false, false, false), ISA_ABSENT);
	assert_int_equal(isa_classify(false, true, true, true), ISA_WORKS_UNADVERTISED);
	assert_int_equal(isa_classify(false, true, true, false), ISA_ABSENT); /* LZCNT running as BSR */
	assert_string_equal(isa_state_name(ISA_WORKS_UNADVERTISED), "works-unadvertised");
	assert_true(isa_state_executes(ISA_WORKS_UNADVERTISED));
	assert_false(isa_state_executes(ISA_WRONG));
}

static void hex16(const char *hex, uint8_t out[16])
{
	for (int i = 0; i < 16; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

/* Known answers, so the references do not just agree with the hardware. */
static void test_references_known_answers(void **state)
{
	uint8_t s[16], k[16], want[16];
	uint64_t lo, hi;

	(void)state;
	/* RFC 3720 / the CRC catalogue: CRC-32C check value of "123456789". */
	assert_int_equal(ref_crc32c(~0U, "123456789", 9) ^ ~0U, 0xe3069283);
	/* FIPS-197 appendix C.1: rounds 1 and 10 of AES-128. */
	hex16("00102030405060708090a0b0c0d0e0f0", s);
	hex16("d6aa74fdd2af72fadaa678f1d6ab76fe", k);
	hex16("89d810e8855ace682d1843d8cb128fe4", want);
	ref_aes_enc(s, k, false);
	assert_memory_equal(s, want, 16);
	hex16("bd6e7c3df2b5779e0b61216e8b10b689", s);
	hex16("13111d7fe3944a17f307a78b4d2b30c5", k);
	hex16("69c4e0d86a7b0430d8cdb78070b4c55a", want);
	ref_aes_enc(s, k, true);
	assert_memory_equal(s, want, 16);
	/* The last decryption round undoes the last encryption round. */
	memset(k, 0, 16);
	hex16("00112233445566778899aabbccddeeff", want);
	memcpy(s, want, 16);
	ref_aes_enc(s, k, true);
	ref_aes_dec(s, k, true);
	assert_memory_equal(s, want, 16);
	assert_int_equal(ref_aes_sbox(0x00), 0x63);
	assert_int_equal(ref_aes_sbox(0x53), 0xed);
	assert_int_equal(ref_gf_mul(0x57, 0x83), 0xc1); /* FIPS-197 4.2 */
	assert_int_equal(ref_gf_mul(ref_gf_inv(0x53), 0x53), 1);
	ref_clmul(3, 3, &lo, &hi);
	assert_true(lo == 5 && hi == 0);
	ref_clmul(1ULL << 63, 2, &lo, &hi);
	assert_true(lo == 0 && hi == 1);
	/* binary16: 1.0, largest finite, overflow, ties and subnormals. */
	assert_int_equal(ref_float_to_half(0x3f800000, false), 0x3c00);
	assert_int_equal(ref_float_to_half(0x477fe000, false), 0x7bff);	/* 65504 */
	assert_int_equal(ref_float_to_half(0x477ff000, false), 0x7c00);	/* 65520: ties up to inf */
	assert_int_equal(ref_float_to_half(0x477ff000, true), 0x7bff);
	assert_int_equal(ref_float_to_half(0x33800000, false), 0x0001);	/* 2^-24 */
	assert_int_equal(ref_float_to_half(0x33000000, false), 0x0000);	/* 2^-25: tie to even */
	assert_int_equal(ref_float_to_half(0x33400000, false), 0x0001);	/* 1.5 * 2^-25 */
	assert_int_equal(ref_float_to_half(0xc0490fdb, false), 0xc248);	/* -pi */
	assert_int_equal(ref_half_to_float(0x0001), 0x33800000);
	assert_int_equal(ref_half_to_float(0x3c00), 0x3f800000);
	assert_int_equal(ref_half_to_float(0xfc00), 0xff800000);
	assert_int_equal(ref_half_to_float(0x8400), 0xb8800000);
	/* bfloat16: exact, ties to even both ways, above a tie, denormals to signed zero */
	assert_int_equal(ref_float_to_bf16(0x3f800000), 0x3f80);
	assert_int_equal(ref_float_to_bf16(0x3f808000), 0x3f80);
	assert_int_equal(ref_float_to_bf16(0x3f818000), 0x3f82);
	assert_int_equal(ref_float_to_bf16(0x3f808001), 0x3f81);
	assert_int_equal(ref_float_to_bf16(0x00000001), 0x0000);
	assert_int_equal(ref_float_to_bf16(0x807fffff), 0x8000);
	assert_int_equal(ref_float_to_bf16(0xc0490fdb), 0xc049); /* -pi */
	assert_int_equal(ref_lzcnt64(0), 64);
	assert_int_equal(ref_tzcnt64(1ULL << 40), 40);
}

/* An output the check accepts: the kernel's own where this machine runs it
 * (then it must also be right), else the reference's, else plausible values
 * for the property checks. Returns whether the kernel ran. */
static bool good_output(const struct isa_ext *e, const uint64_t *in, uint64_t *out, int n,
			const struct isa_ctx *ctx, struct isa_rng *r)
{
	if (isa_run_kernel(e, in, out, n, ctx) == 0)
		return true;
	if (e->ref) {
		e->ref(in, out, n, ctx);
		return false;
	}
	for (int i = 0; i < n; i++) {
		uint64_t *o = out + i * e->out_words;

		if (e->check == c_random) { /* distinct draws, none failed */
			for (int j = 0; j < e->out_words - 1; j++)
				o[j] = isa_rng_next(r);
			o[e->out_words - 1] = 0;
		} else if (e->check == c_rdtscp) { /* TSC rising, TSC_AUX = CPU */
			o[0] = 1000 * (uint64_t)i;
			o[1] = (uint64_t)ctx->cpu;
		} else if (e->check == c_rtm) { /* committed, or aborted with a conflict */
			o[0] = RTM_WORD(i);
			o[1] = i & 1 ? RTM_COMMITTED : 1U << 2;
		} else if (e->check == c_rdpid) {
			o[0] = (uint64_t)ctx->cpu;
		} else {
			fail_msg("%s: no good output known for this property check", e->name);
		}
	}
	return false;
}

static void test_every_row_detects_corruption(void **state)
{
	enum { N = 8 };
	uint64_t *in = calloc(N * 64, sizeof(uint64_t)), *out = calloc(N * 64, sizeof(uint64_t));
	uint64_t *scratch = calloc(N * 64, sizeof(uint64_t));
	struct isa_rng r = { 42 };
	struct isa_ctx ctx;
	cpu_set_t one;
	int ran = 0;

	(void)state;
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	sched_setaffinity(0, sizeof(one), &one); /* RDTSCP/RDPID report this CPU */
	ctx.cpu = sched_getcpu();
	assert_true(isa_next >= 30);
	for (int i = 0; i < isa_next; i++) {
		const struct isa_ext *e = &isa_exts[i];
		struct isa_mismatch m;
		bool executed;

		if (!e->kernel) { /* CPUID only: says why, and has nothing to run */
			assert_non_null(strstr(e->what, "CPUID only: "));
			assert_true(e->ref == NULL && e->check == NULL && e->out_words == 0);
			continue;
		}
		assert_true(e->in_words <= 64 && e->out_words <= 64 && e->out_words > 0);
		assert_true((e->ref != NULL) != (e->check != NULL));
		isa_gen(e, in, N, &r);
		executed = good_output(e, in, out, N, &ctx, &r);
		ran += executed;
		if (!isa_verify(e, in, out, scratch, N, &ctx, &m))
			fail_msg("%s: a right output was rejected: %s, expected 0x%llx got 0x%llx", e->name, m.what,
				 (unsigned long long)m.expected, (unsigned long long)m.got);
		isa_corrupt(e, out, N);
		if (isa_verify(e, in, out, scratch, N, &ctx, &m))
			fail_msg("%s: a corrupted output passed", e->name);
		assert_true(m.what[0] != 0);
		assert_true(e->check || m.expected != m.got);
		assert_int_equal(isa_classify(true, true, true, false), ISA_WRONG);
	}
	print_message("  %d of %d kernels ran on this CPU, the others were checked with reference output\n", ran,
		      isa_next);
	free(in);
	free(out);
	free(scratch);
}

/* A kernel this CPU lacks raises SIGILL inside the guard; the process goes
 * on. With every kernel on this CPU, fake one: ud2 raises SIGILL. */
static void k_ud2(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)in;
	(void)out;
	(void)n;
	(void)ctx;
	__asm__ volatile("ud2");
}

static void test_guard_catches_sigill(void **state)
{
	struct isa_ext e = isa_exts[0];
	uint64_t in[8] = { 0 }, out[8];
	struct isa_ctx ctx = { 0 };

	(void)state;
	e.kernel = k_ud2;
	assert_int_equal(isa_run_kernel(&e, in, out, 1, &ctx), SIGILL);
	assert_int_equal(isa_run_kernel(&e, in, out, 1, &ctx), SIGILL); /* and again: the mask was restored */
	assert_int_equal(isa_run_kernel(&isa_exts[0], in, out, 1, &ctx), 0);
}

/* The JSON `triage isa` writes, against schema/checks/isa.schema.json:
 * the real command on this machine's CPUs with few inputs, plain and with
 * each kind of injected failure (a fault names its signal, a wrong result
 * writes its mismatch), so the members only a failure writes are checked
 * too; renaming any key written must be rejected (--every-key). */
static void test_json_matches_fragment(void **state)
{
	static const char *const runs[][8] = {
		{ "isa", "--iterations", "4", "--seed", "1", NULL },
		{ "isa", "--iterations", "4", "--inject", "fault:sse4.2", "--only", "sse2,sse4.2,avx2", NULL },
		{ "isa", "--iterations", "4", "--inject", "wrong:sse2", "--only", "sse2,aes", NULL },
	};
	static const char *const expect[] = { NULL, "data.extensions", "data.extensions" };
	char out[64], err[160], *text;
	struct jval *v;
	size_t len;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(runs); i++) {
		int rc = run_check(cmd_isa, runs[i], out);

		text = read_file(out, 1 << 22, &len);
		assert_non_null(text);
		v = json_parse(text, len, err, sizeof(err));
		if (!v)
			fail_msg("%s: %s", out, err);
		if (rc > EXIT_WARN)
			fail_msg("triage isa exited %d: %s", rc, json_str(v, "reason", "?"));
		assert_check_schema("isa", out, true);
		/* The injected failure is in the JSON: its members got checked (on
		 * every CPU: an earlier test may have pinned this process to one). */
		if (expect[i]) {
			const struct jval *x = json_path(v, expect[i]);
			bool seen = false;

			for (size_t k = 0; k < json_len(x); k++)
				seen |= json_get(json_at(x, k), i == 1 ? "signal" : "mismatch") != NULL;
			if (!seen)
				fail_msg("run %zu: no extension has its \"%s\"", i, i == 1 ? "signal" : "mismatch");
		}
		json_free(v);
		free(text);
		unlink(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_dumps),
		cmocka_unit_test(test_identification),
		cmocka_unit_test(test_os_state),
		cmocka_unit_test(test_dump_round_trip_and_errors),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_pve_table),
		cmocka_unit_test(test_qemu_names),
		cmocka_unit_test(test_real_cpus),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_references_known_answers),
		cmocka_unit_test(test_every_row_detects_corruption),
		cmocka_unit_test(test_guard_catches_sigill),
		cmocka_unit_test(test_json_matches_fragment),
	};

	return cmocka_run_group_tests_name("isa", tests, NULL, NULL);
}
