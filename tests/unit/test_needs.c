/* The x86 decoder (lib/x86dec), the ELF reader (lib/elf) and the scan of
 * `triage needs`: known encodings with the extension the Intel SDM gives
 * them, truncation, the trap address of a PIE whose text segment starts at
 * a non-zero offset, hostile headers, the dispatch-name heuristic and the
 * PVE type chosen. The ELF files are the fuzz seeds written by
 * tests/fuzz/mkseeds-elf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "lib/elf.h"
#include "lib/faultinsn.h"
#include "lib/isaresult.h"
#include "lib/json.h"
#include "lib/util.h"
#include "lib/x86dec.h"
#include "needs/needs.h"

#define SEEDS "tests/fuzz/corpus/elf/"

static const struct {
	const char *hex, *mnemonic, *exts;
	int len;
} cases[] = {
	/* the example, and one of each family */
	{ "c4e27d78c0", "vpbroadcastb", "avx2", 5 },
	{ "c4e2797800", "vpbroadcastb", "avx2", 5 },
	{ "c5fdfec1", "vpaddd", "avx2", 4 },
	{ "c5f9fec1", "vpaddd", "avx", 4 },
	{ "c5fc58c1", "vaddps", "avx", 4 },
	{ "62f1fd481000", "vmovupd", "avx512f", 6 },
	{ "62f1fd281000", "vmovupd", "avx512f avx512vl", 6 },
	{ "62f17548fcc2", "vpaddb", "avx512f avx512bw", 6 },
	{ "62f2f54840c2", "vpmullq", "avx512f avx512dq", 6 },
	{ "62f2fd48c4c1", "vpconflictq", "avx512f avx512cd", 6 },
	{ "62f1ff0858c3", "vaddsd", "avx512f", 6 },	/* scalar: no avx512vl */
	/* EVEX 0F 71 /2 ib with a memory source (legacy and VEX have none): once
	 * "(unknown)", seen in Debian 13's stress-ng by the objdump oracle */
	{ "62f17528711003", "vpsrlw", "avx512f avx512bw avx512vl", 7 },
	{ "62f17548712003", "vpsraw", "avx512f avx512bw", 7 },
	{ "62f2754850c2", "vpdpbusd", "avx512f avx512vnni", 6 },
	{ "c4e2755c50c2", NULL, NULL, 0 },		/* VEX map 2 5C: tdp*, no W bit row: skip */
	{ "f3480fb8c3", "popcnt", "popcnt", 5 },
	{ "f3480fbdc3", "lzcnt", "lzcnt", 5 },
	{ "f3480fbcc3", "tzcnt", "", 5 },		/* runs as bsf without BMI1 */
	{ "c4e2f0f2c3", "andn", "bmi1", 5 },
	{ "c4e2e3f5c1", "pdep", "bmi2", 5 },
	{ "480f38f003", "movbe", "movbe", 5 },
	{ "f2480f38f1c3", "crc32", "sse4.2", 6 },
	{ "660f3a63c100", "pcmpistri", "sse4.2-pcmpstr", 6 },
	{ "660f3800c1", "pshufb", "ssse3", 5 },
	{ "660f3840c1", "pmulld", "sse4.1", 5 },
	{ "660fd0c1", "addsubpd", "sse3", 4 },
	{ "660fd4c1", "paddq", "sse2", 4 },
	{ "660f38dcc1", "aesenc", "aes", 5 },
	{ "c4e27ddcc2", "vaesenc", "avx vaes", 5 },
	{ "660f3a44c100", "pclmulqdq", "pclmulqdq", 6 },
	{ "0f38cbc1", "sha256rnds2", "sha-ni", 4 },
	{ "480fc7f0", "rdrand", "rdrand", 4 },
	{ "f30fc7f8", "rdpid", "rdpid", 4 },
	{ "480fc708", "cmpxchg16b", "cx16", 4 },
	{ "9f", "lahf", "lahf-sahf", 1 },
	{ "0f01d0", "xgetbv", "xsave", 3 },
	{ "c4e27d13c1", "vcvtph2ps", "f16c", 5 },
	{ "c4e275b8c2", "vfmadd231ps", "fma", 5 },
	{ "c5f877", "vzeroupper", "avx", 3 },
	{ "c5f892c8", "kmovw", "avx512f", 4 },
	{ "c4e1fb92c8", "kmovq", "avx512bw", 5 },
	/* base instructions: lengths of the awkward cases */
	{ "48b88877665544332211", "mov", "", 10 },	/* mov rax, imm64 */
	{ "66b83412", "mov", "", 4 },			/* mov ax, imm16 */
	{ "66f7000100", "test", "", 5 },		/* test word [rax], imm16 */
	{ "f60001", "test", "", 3 },
	{ "c8100000", "(base)", "", 4 },		/* enter 16, 0 */
	{ "a18877665544332211", "(base)", "", 9 },	/* mov eax, moffs64 */
	{ "4869050001000000100000", "(base)", "", 11 }, /* imul rax, [rip+x], imm32 */
	{ "f30f1efa", "endbr64", "", 4 },
	{ "0f0b", "ud2", "", 2 },
	{ "c3", "ret", "", 1 },
};

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;

	for (; hex[0] && hex[1]; hex += 2)
		sscanf(hex, "%2hhx", &out[n++]);
	return n;
}

static void test_decode_known(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t b[32];
		size_t n = unhex(cases[i].hex, b);
		struct x86_insn in;
		char names[256];
		int len = x86_decode(b, n, &in);

		if (!cases[i].mnemonic)
			continue;
		x86_exts_names(in.needs, names, sizeof(names));
		if (len != cases[i].len || strcmp(in.mnemonic, cases[i].mnemonic) || strcmp(names, cases[i].exts))
			fail_msg("%s: got len %d %s [%s], expected len %d %s [%s]", cases[i].hex, len, in.mnemonic, names,
				 cases[i].len, cases[i].mnemonic, cases[i].exts);
	}
}

/* Every cut of a valid instruction is "not an instruction", never a read
 * past the end (ASan watches the heap copy of exactly n bytes). */
static void test_decode_truncated(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t b[32];
		size_t n = unhex(cases[i].hex, b);

		for (size_t cut = 0; cut < n && cases[i].mnemonic; cut++) {
			uint8_t *p = malloc(cut ? cut : 1);
			struct x86_insn in;

			memcpy(p, b, cut);
			assert_int_equal(x86_decode(p, cut, &in), 0);
			free(p);
		}
	}
	/* 15 bytes at most: 16 prefixes and a nop are not an instruction */
	uint8_t pre[17];
	struct x86_insn in;

	memset(pre, 0x66, 16);
	pre[16] = 0x90;
	assert_int_equal(x86_decode(pre, sizeof(pre), &in), 0);
}

static void test_levels(void **state)
{
	(void)state;
	assert_int_equal(x86_exts_level(0), 1);
	assert_int_equal(x86_exts_level(X86_E(POPCNT)), 2);
	assert_int_equal(x86_exts_level(X86_E(AES) | X86_E(SSE42)), 2);
	assert_int_equal(x86_exts_level(X86_E(AVX2)), 3);
	assert_int_equal(x86_exts_level(X86_E(AVX512BW)), 4);
	assert_int_equal(x86_ext_find("avx512vl"), X86_AVX512VL_BIT);
	assert_int_equal(x86_ext_find("nonesuch"), -1);
}

static uint8_t *load(const char *name, size_t *len)
{
	char path[256];
	char *d;

	snprintf(path, sizeof(path), SEEDS "%s", name);
	d = read_file(path, 1 << 20, len);
	if (!d)
		fail_msg("%s: run tests/fuzz/mkseeds-elf tests/fuzz/corpus/elf", path);
	return (uint8_t *)d;
}

static void test_elf_pie(void **state)
{
	size_t len;
	uint8_t *d = load("pie", &len);
	struct elf e;
	struct elf_props p;
	struct x86_insn in;
	uint64_t v, off, avail, res[8];
	char names[64];

	(void)state;
	assert_int_equal(elf_open(&e, d, len), 0);
	assert_int_equal(e.type, ELF_ET_DYN);
	elf_x86_props(&e, &p);
	assert_true(p.has_needed);
	assert_string_equal(elf_isa_names(p.isa_needed, names, sizeof(names)), "x86-64-baseline x86-64-v3");
	/* A trap at ip in the mapping [base, base+size) that holds the text
	 * segment (file offset 0x1000, vaddr 0x1000): the popcnt at 0x1005. */
	assert_true(elf_trap_vaddr(&e, 0x7f1234561005ULL, 0x7f1234561000ULL, 0x1000, &v));
	assert_int_equal(v, 0x1005);
	assert_true(elf_vaddr_offset(&e, v, &off, &avail));
	assert_int_equal(off, 0x1005);
	assert_true(x86_decode(d + off, avail, &in) > 0);
	assert_string_equal(in.mnemonic, "popcnt");
	/* ip below the mapping, or outside every executable segment */
	assert_false(elf_trap_vaddr(&e, 0x1000, 0x7f1234561000ULL, 0x1000, &v));
	assert_false(elf_trap_vaddr(&e, 0x7f1234569000ULL, 0x7f1234561000ULL, 0x1000, &v));
	assert_int_equal(elf_ifunc_resolvers(&e, res, 8), 2); /* IRELATIVE + IFUNC symbol */
	assert_int_equal(res[0], 0x1012);
	assert_int_equal(elf_relative_addends(&e, res, 8), 1);
	free(d);
}

static void test_elf_hostile(void **state)
{
	size_t len;
	uint8_t *d;
	struct elf e;
	struct needs_scan *s = malloc(sizeof(*s));

	(void)state;
	d = load("cut-headers", &len);
	assert_int_equal(elf_open(&e, d, len), 0);
	assert_int_equal(e.phnum, 0);
	assert_non_null(strstr(e.err, "program headers"));
	assert_int_equal(needs_scan(d, len, s), -1);
	free(d);
	d = load("huge-shnum", &len);
	assert_int_equal(elf_open(&e, d, len), 0);
	assert_int_equal(e.shnum, 0);
	assert_non_null(strstr(e.err, "section headers"));
	free(d);
	assert_int_equal(elf_open(&e, (const uint8_t *)"\177ELF", 4), -1);
	assert_non_null(strstr(e.err, "truncated"));
	assert_int_equal(elf_open(&e, (const uint8_t *)"#!/bin/sh\n", 10), -1);
	assert_string_equal(e.err, "not an ELF file");
	free(s);
}

static void test_dispatch_names(void **state)
{
	static const char *const yes[] = { "__memmove_avx_unaligned_erms", "__strlen_evex", "scale.avx2.0",
					   "foo.arch_x86_64_v3.1", "sha256_block_data_order_avx2", "aesni_encrypt",
					   "__memcpy_avx512_no_vzeroupper", "crc32_sse42", "ChaCha20_ctr32_AVX512" };
	static const char *const no[] = { "main", "format_string", "do_avxish", "savx2", "transform", "__libc_start_main" };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (!needs_dispatch_name(yes[i]))
			fail_msg("%s should read as a dispatch variant", yes[i]);
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (needs_dispatch_name(no[i]))
			fail_msg("%s should not read as a dispatch variant", no[i]);
}

static void test_pve_type(void **state)
{
	x86_exts_t unj;
	bool known;

	(void)state;
	assert_string_equal(needs_pve_type(0, &unj), "kvm64");
	assert_string_equal(needs_pve_type(X86_E(POPCNT) | X86_E(SSE41), &unj), "x86-64-v2");
	assert_string_equal(needs_pve_type(X86_E(POPCNT) | X86_E(AES), &unj), "x86-64-v2-AES");
	assert_string_equal(needs_pve_type(X86_E(AVX2) | X86_E(BMI2), &unj), "x86-64-v3");
	assert_string_equal(needs_pve_type(X86_E(AVX512BW) | X86_E(VBMI), &unj), "Icelake-Server");
	/* SSE4A: AMD's own, in QEMU's phenom model and the AMD models after it */
	assert_string_equal(needs_pve_type(X86_E(SSE4A) | X86_E(SSE3), &unj), "phenom");
	assert_int_equal(unj, 0);
	assert_string_equal(needs_pve_type(X86_E(AVX512ER) | X86_E(SSE3), &unj), "KnightsMill");
	assert_int_equal(needs_missing_on("x86-64-v2-AES", X86_E(AVX2) | X86_E(AES), &known), X86_E(AVX2));
	assert_true(known);
	needs_missing_on("nonesuch", 0, &known);
	assert_false(known);
}

static struct jval *isa_json(const char *absent)
{
	char text[1024], err[128];
	struct jval *v;

	snprintf(text, sizeof(text),
		 "{\"name\": \"isa\", \"data\": {\"extensions\": ["
		 "{\"name\": \"sse2\", \"state\": \"ok\"}, {\"name\": \"popcnt\", \"state\": \"%s\"},"
		 "{\"name\": \"avx\", \"state\": \"ok\"}, {\"name\": \"avx2\", \"state\": \"%s\"},"
		 "{\"name\": \"avx512f\", \"state\": \"absent\"}]}}",
		 strcmp(absent, "popcnt") ? "ok" : "absent", strcmp(absent, "avx2") ? "works-unadvertised" : "faults");
	v = json_parse(text, strlen(text), err, sizeof(err));
	if (!v)
		fail_msg("%s", err);
	return v;
}

/* One reading of isa's JSON (lib/isaresult): the check's object or a
 * report's tests.isa; "untested" is no result, so an instruction needing it
 * is not judged (the decoder once counted it as measured and not executing). */
static void test_isa_result(void **state)
{
	const char *rep = "{\"tests\": {\"isa\": {\"metrics\": {\"level_exec\": 2}, \"data\": {\"extensions\": ["
			  "{\"name\": \"sse2\", \"state\": \"ok\"}, {\"name\": \"avx\", \"state\": \"ok\"},"
			  "{\"name\": \"avx2\", \"state\": \"untested\"}, {\"name\": \"bmi1\", \"state\": \"faults\"}]}}}}";
	struct jval *r = json_parse(rep, strlen(rep), NULL, 0), *c = isa_json("avx2");
	uint8_t code[FAULT_CODE_MAX];
	int ip, n = fault_parse_code("Code: 90 90 <c4> e2 7d 78 c0 c3", code, sizeof(code), &ip);
	struct trap_event t = { .line = { .ip = 0x1002, .has_ip = true }, .code = code, .code_len = (size_t)n, .code_ip = ip };
	struct fault_insn f;

	(void)state;
	assert_non_null(r);
	assert_ptr_equal(isa_result(c), c);
	assert_ptr_equal(isa_result(r), json_path(r, "tests.isa"));
	assert_null(isa_result(json_path(r, "tests")));
	assert_int_equal(isa_result_executes(r, "avx"), 1);
	assert_int_equal(isa_result_executes(r, "avx2"), -1);
	assert_int_equal(isa_result_executes(r, "bmi1"), 0);
	assert_int_equal(isa_result_executes(r, "sha"), -1);
	assert_int_equal(isa_result_executes(c, "avx2"), 0);
	assert_true(isa_state_name_executes("works-unadvertised"));
	assert_false(isa_state_name_executes("faults"));
	/* vpbroadcastb needs AVX2, which this isa result did not test. */
	assert_int_equal(fault_insn(&t, NULL, r, &f), FAULT_NOT_MEASURED);
	assert_int_equal(fault_insn(&t, NULL, c, &f), FAULT_NEEDS_MISSING);
	json_free(r);
	json_free(c);
}

static void test_fault_code_line(void **state)
{
	uint8_t b[FAULT_CODE_MAX];
	int ip;

	(void)state;
	assert_int_equal(fault_parse_code("[  12.3] Code: 48 89 e5 <c4> e2 7d 78 c0 c3", b, sizeof(b), &ip), 9);
	assert_int_equal(ip, 3);
	assert_int_equal(b[3], 0xc4);
	assert_int_equal(b[8], 0xc3);
	assert_int_equal(fault_parse_code("Code: Unable to access opcode bytes at 0x7f00.", b, sizeof(b), &ip), -1);
	assert_int_equal(fault_parse_code("Code: 0f <0b", b, sizeof(b), &ip), 1); /* a cut line: what came before */
}

/* The seed's scenario from the Code: bytes alone: vpbroadcastb, AVX2. */
static void test_fault_code_bytes(void **state)
{
	uint8_t code[FAULT_CODE_MAX];
	int ip, n = fault_parse_code("Code: 90 90 <c4> e2 7d 78 c0 c3", code, sizeof(code), &ip);
	struct trap_event t = { .line = { .ip = 0x7f0000001002ULL, .has_ip = true }, .code = code, .code_len = (size_t)n, .code_ip = ip };
	struct fault_insn f;
	struct jval *no_avx2 = isa_json("avx2"), *all = isa_json("");

	(void)state;
	assert_int_equal(fault_insn(&t, NULL, no_avx2, &f), FAULT_NEEDS_MISSING);
	assert_string_equal(f.insn.mnemonic, "vpbroadcastb");
	assert_string_equal(f.source, "code");
	assert_int_equal(f.missing, X86_E(AVX2));
	assert_string_equal(f.pve_type, "x86-64-v3");
	assert_non_null(strstr(f.summary, "needs AVX2"));
	assert_non_null(strstr(f.summary, "x86-64-v3"));
	assert_int_equal(fault_insn(&t, NULL, all, &f), FAULT_EXECUTES);
	assert_non_null(strstr(f.summary, "look elsewhere"));
	/* base instructions, and ud2 on purpose */
	n = fault_parse_code("Code: <48> 89 07", code, sizeof(code), &ip);
	t.code_len = (size_t)n;
	t.code_ip = ip;
	assert_int_equal(fault_insn(&t, NULL, all, &f), FAULT_BASE);
	assert_string_equal(f.insn.mnemonic, "mov");
	n = fault_parse_code("Code: <0f> 0b", code, sizeof(code), &ip);
	t.code_len = (size_t)n;
	assert_int_equal(fault_insn(&t, NULL, all, &f), FAULT_BASE);
	assert_non_null(strstr(f.summary, "ud2"));
	/* nothing to decode */
	t.code = NULL;
	assert_int_equal(fault_insn(&t, NULL, all, &f), FAULT_UNKNOWN);
	json_free(no_avx2);
	json_free(all);
}

/* A shared library named by its base name, as the kernel prints it, found
 * in the loader's directories under a root, mapped at a high address;
 * its text segment starts at file offset 0x1000. */
static void test_fault_from_file(void **state)
{
	char root[] = "/tmp/test_needs.XXXXXX", dir[256], path[300];
	size_t len;
	uint8_t *d = load("pie", &len);
	struct trap_event t = { .line = { .ip = 0x7f3a12341005ULL, .has_ip = true, .has_map = true, .file = "libfoo.so.1",
					  .base = 0x7f3a12341000ULL, .size = 0x1000 },
				.code_ip = -1 };
	struct fault_insn f;
	struct jval *no_popcnt = isa_json("popcnt");
	FILE *o;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/usr/lib", root);
	snprintf(path, sizeof(path), "mkdir -p %s", dir);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/libfoo.so.1", dir);
	assert_non_null(o = fopen(path, "wb"));
	assert_int_equal(fwrite(d, 1, len, o), len);
	fclose(o);
	assert_int_equal(fault_insn(&t, root, no_popcnt, &f), FAULT_NEEDS_MISSING);
	assert_string_equal(f.source, "file");
	assert_string_equal(f.insn.mnemonic, "popcnt");
	assert_int_equal(f.offset, 0x1005);
	assert_string_equal(f.pve_type, "x86-64-v2");
	assert_non_null(strstr(f.summary, "needs POPCNT"));
	/* The Code: bytes win when the file on disk differs */
	{
		uint8_t code[] = { 0xc4, 0xe2, 0x7d, 0x78, 0xc0 };

		t.code = code;
		t.code_len = sizeof(code);
		t.code_ip = 0;
		fault_insn(&t, root, no_popcnt, &f);
		assert_string_equal(f.source, "code");
		assert_string_equal(f.insn.mnemonic, "vpbroadcastb");
		assert_non_null(strstr(f.note, "differs"));
	}
	/* not found */
	t.code = NULL;
	snprintf(t.line.file, sizeof(t.line.file), "libbar.so");
	assert_int_equal(fault_insn(&t, root, no_popcnt, &f), FAULT_UNKNOWN);
	assert_non_null(strstr(f.summary, "libbar.so not found in the loader's directories"));
	/* Not where the root is mounted: the post-mortem shows the suspect's own paths. */
	assert_null(strstr(f.note, root));
	snprintf(path, sizeof(path), "rm -rf %s", root);
	assert_int_equal(system(path), 0);
	json_free(no_popcnt);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_known),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_elf_pie),
		cmocka_unit_test(test_elf_hostile),
		cmocka_unit_test(test_dispatch_names),
		cmocka_unit_test(test_pve_type),
		cmocka_unit_test(test_isa_result),
		cmocka_unit_test(test_fault_code_line),
		cmocka_unit_test(test_fault_code_bytes),
		cmocka_unit_test(test_fault_from_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
