/* The feature table: one row per ISA extension, and the decisions that
 * read it (advertised, enabled by the OS, x86-64 level). */
#include <string.h>

#include "isa.h"
#include "kernels.h"
#include "lib/util.h"

/* A CPUID bit: leaf, sub-leaf, register, bit (Intel SDM vol. 2A, CPUID;
 * AMD APM vol. 3, appendix E). */
#define ID(leaf, sub, reg, bit) { leaf, sub, reg, bit }

#define EXT 0x80000001U /* AMD-defined feature flags */
/* The start of what a row without a kernel says instead of what it runs. */
#define CPUID_ONLY "CPUID only: "

/* The kernel's name in /proc/cpuinfo flags: K for names Linux 6.1 (the
 * image's kernel, arch/x86/include/asm/cpufeatures.h) already shows, KNEW
 * for names only newer kernels show, NOK where the kernel shows none. */
#define K(name) { name, false }
#define KNEW(name) { name, true }
#define NOK { NULL, false }

/* Levels: x86-64 psABI 1.0, "Micro-architecture levels" (v2: CMPXCHG16B,
 * LAHF-SAHF, POPCNT, SSE3, SSE4.1, SSE4.2, SSSE3; v3: AVX, AVX2, BMI1,
 * BMI2, F16C, FMA, LZCNT, MOVBE, OSXSAVE; v4: AVX512F/BW/CD/DQ/VL). */
const struct isa_ext isa_exts[] = {
	/* name, what the kernel runs, level, CPUID predicate, kernel flag, OS state, input
	 * and output words per iteration, generator, kernel, reference,
	 * property check, corrupter (struct isa_ext) */
	{ "sse2", "paddq, pmuludq, psadbw", 1, ID(1, 0, R_EDX, 26), K("sse2"), OS_NONE, 4, 6, NULL, k_sse2, r_sse2, NULL, NULL },
	{ "sse3", "addsubpd, haddpd, hsubpd", 2, ID(1, 0, R_ECX, 0), K("pni"), OS_NONE, 4, 6, g_sse3, k_sse3, r_sse3, NULL, NULL },
	{ "ssse3", "pshufb, pmaddubsw, palignr, pabsd, phaddw", 2, ID(1, 0, R_ECX, 9), K("ssse3"), OS_NONE, 4, 10, NULL, k_ssse3, r_ssse3, NULL, NULL },
	{ "sse4.1", "pmulld, pminsd, pblendvb, ptest, roundpd, packusdw, phminposuw", 2, ID(1, 0, R_ECX, 19), K("sse4_1"), OS_NONE, 6, 12, g_sse41, k_sse41, r_sse41, NULL, NULL },
	{ "sse4.2", "crc32 (CRC32C, 8/32/64-bit forms) against a table", 2, ID(1, 0, R_ECX, 20), K("sse4_2"), OS_NONE, 9, 3, NULL, k_crc32c, r_crc32c, NULL, NULL },
	{ "sse4.2-pcmpstr", "pcmpistri, pcmpestri (equal any, equal each)", 2, ID(1, 0, R_ECX, 20), K("sse4_2"), OS_NONE, 5, 3, g_pcmpstr, k_pcmpstr, r_pcmpstr, NULL, NULL },
	{ "popcnt", "popcnt against a loop", 2, ID(1, 0, R_ECX, 23), K("popcnt"), OS_NONE, 4, 4, g_popcnt, k_popcnt, r_popcnt, NULL, NULL },
	{ "cx16", "lock cmpxchg16b, matching and failing", 2, ID(1, 0, R_ECX, 13), K("cx16"), OS_NONE, 4, 6, NULL, k_cx16, r_cx16, NULL, NULL },
	{ "lahf-sahf", "sahf, lahf in 64-bit mode", 2, ID(EXT, 0, R_ECX, 0), K("lahf_lm"), OS_NONE, 4, 4, NULL, k_lahf, r_lahf, NULL, NULL },
	{ "lzcnt", "lzcnt (64, 32 bit) against a loop", 3, ID(EXT, 0, R_ECX, 5), K("abm"), OS_NONE, 4, 8, g_popcnt, k_lzcnt, r_lzcnt, NULL, NULL },
	{ "bmi1", "andn, blsi, blsmsk, blsr, tzcnt, bextr", 3, ID(7, 0, R_EBX, 3), K("bmi1"), OS_NONE, 4, 7, g_bmi1, k_bmi1, r_bmi1, NULL, NULL },
	{ "bmi2", "pdep, pext (against loops), bzhi, mulx, shlx, sarx, shrx, rorx", 3, ID(7, 0, R_EBX, 8), K("bmi2"), OS_NONE, 4, 9, g_bmi2, k_bmi2, r_bmi2, NULL, NULL },
	{ "movbe", "movbe loads (64/32/16) and store against bswap", 3, ID(1, 0, R_ECX, 22), K("movbe"), OS_NONE, 1, 4, NULL, k_movbe, r_movbe, NULL, NULL },
	{ "f16c", "vcvtph2ps, vcvtps2ph (nearest, toward zero) against a software conversion", 3, ID(1, 0, R_ECX, 29), K("f16c"), OS_YMM, 6, 8, g_f16c, k_f16c, r_f16c, NULL, NULL },
	{ "fma", "vfmadd, vfmsub, vfnmadd (pd, ps) against fma()", 3, ID(1, 0, R_ECX, 12), K("fma"), OS_YMM, 24, 16, g_fma, k_fma, r_fma, NULL, NULL },
	{ "avx", "vaddsubpd, vhaddpd, vperm2f128, vdivpd, vsqrtpd, vblendvpd", 3, ID(1, 0, R_ECX, 28), K("avx"), OS_YMM, 8, 24, g_avx, k_avx, r_avx, NULL, NULL },
	{ "avx2", "vpshufb, vpermd, vpsllvd, vpsrlvq, vpgatherdd, vpmaddwd", 3, ID(7, 0, R_EBX, 5), K("avx2"), OS_YMM, 20, 24, g_avx2, k_avx2, r_avx2, NULL, NULL },
	{ "xsave", "xrstor, xsave round trip of the SSE state", 3, ID(1, 0, R_ECX, 26), K("xsave"), OS_XSAVE, 32, 35, NULL, k_xsave, r_xsave, NULL, NULL },
	{ "avx512f", "masked vpaddq, vpternlogd, vpermt2d, vpcmpud, vpcompressd, vprolvd", 4, ID(7, 0, R_EBX, 16), K("avx512f"), OS_ZMM, 25, 49, NULL, k_avx512f, r_avx512f, NULL, NULL },
	{ "avx512cd", "vpconflictd, vplzcntq, vplzcntd", 4, ID(7, 0, R_EBX, 28), K("avx512cd"), OS_ZMM, 16, 24, g_avx512cd, k_avx512cd, r_avx512cd, NULL, NULL },
	{ "avx512bw", "masked vpaddusb, vpermw, vpcmpub, vpsadbw, vpacksswb", 4, ID(7, 0, R_EBX, 30), K("avx512bw"), OS_ZMM, 25, 33, NULL, k_avx512bw, r_avx512bw, NULL, NULL },
	{ "avx512dq", "vpmullq, vcvtqq2pd, vcvttpd2qq, vpmovq2m", 4, ID(7, 0, R_EBX, 17), K("avx512dq"), OS_ZMM, 16, 33, g_avx512dq, k_avx512dq, r_avx512dq, NULL, NULL },
	{ "avx512vl", "EVEX on ymm/xmm: masked vpaddd, vpternlogq, vprold, vpcompressd, vpcmpgtq", 4, ID(7, 0, R_EBX, 31), K("avx512vl"), OS_ZMM, 9, 15, NULL, k_avx512vl, r_avx512vl, NULL, NULL },
	{ "adx", "adcx and adox carry chains", 0, ID(7, 0, R_EBX, 19), K("adx"), OS_NONE, 12, 10, NULL, k_adx, r_adx, NULL, NULL },
	{ "aes", "aesenc, aesenclast, aesdec, aesdeclast, aesimc, aeskeygenassist against a software AES", 0, ID(1, 0, R_ECX, 25), K("aes"), OS_NONE, 4, 12, NULL, k_aes, r_aes, NULL, NULL },
	{ "pclmulqdq", "pclmulqdq (4 selections) against a loop", 0, ID(1, 0, R_ECX, 1), K("pclmulqdq"), OS_NONE, 4, 8, NULL, k_pclmul, r_pclmul, NULL, NULL },
	{ "sha-ni", "sha256rnds2, sha256msg1/2, sha1msg1, sha1nexte against the SDM", 0, ID(7, 0, R_EBX, 29), K("sha_ni"), OS_NONE, 6, 10, NULL, k_sha, r_sha, NULL, NULL },
	{ "rdrand", "rdrand: succeeds, no repeated 64-bit value", 0, ID(1, 0, R_ECX, 30), K("rdrand"), OS_NONE, 0, 5, NULL, k_rdrand, NULL, c_random, x_random },
	{ "rdseed", "rdseed: succeeds, no repeated 64-bit value", 0, ID(7, 0, R_EBX, 18), K("rdseed"), OS_NONE, 0, 5, NULL, k_rdseed, NULL, c_random, x_random },
	{ "avx512vnni", "vpdpbusd(s), vpdpwssd(s) on zmm", 0, ID(7, 0, R_ECX, 11), K("avx512_vnni"), OS_ZMM, 24, 32, NULL, k_avx512vnni, r_avx512vnni, NULL, NULL },
	{ "avx512vbmi", "vpermb, vpermt2b, vpmultishiftqb", 0, ID(7, 0, R_ECX, 1), K("avx512vbmi"), OS_ZMM, 24, 24, NULL, k_avx512vbmi, r_avx512vbmi, NULL, NULL },
	{ "avx512vbmi2", "vpshldvd, vpshrdvq, vpcompressb, vpexpandw", 0, ID(7, 0, R_ECX, 6), K("avx512_vbmi2"), OS_ZMM, 26, 32, NULL, k_avx512vbmi2, r_avx512vbmi2, NULL, NULL },
	{ "avx512ifma", "vpmadd52luq, vpmadd52huq", 0, ID(7, 0, R_EBX, 21), K("avx512ifma"), OS_ZMM, 24, 16, NULL, k_avx512ifma, r_avx512ifma, NULL, NULL },
	{ "avx512bitalg", "vpopcntb, vpopcntw, vpshufbitqmb", 0, ID(7, 0, R_ECX, 12), K("avx512_bitalg"), OS_ZMM, 16, 17, NULL, k_avx512bitalg, r_avx512bitalg, NULL, NULL },
	{ "avx512vpopcntdq", "vpopcntq, vpopcntd", 0, ID(7, 0, R_ECX, 14), K("avx512_vpopcntdq"), OS_ZMM, 8, 16, g_vpopcnt, k_avx512vpopcntdq, r_avx512vpopcntdq, NULL, NULL },
	{ "gfni", "gf2p8mulb, gf2p8affineqb, gf2p8affineinvqb (SSE encoding)", 0, ID(7, 0, R_ECX, 8), K("gfni"), OS_NONE, 6, 6, NULL, k_gfni, r_gfni, NULL, NULL },
	{ "vaes", "vaesenc, vaesenclast, vaesdec, vaesdeclast on ymm", 0, ID(7, 0, R_ECX, 9), K("vaes"), OS_YMM, 8, 16, NULL, k_vaes, r_vaes, NULL, NULL },
	{ "vpclmulqdq", "vpclmulqdq on ymm (4 selections)", 0, ID(7, 0, R_ECX, 10), K("vpclmulqdq"), OS_YMM, 8, 16, NULL, k_vpclmul, r_vpclmul, NULL, NULL },
	{ "avx-vnni", "vpdpbusd, vpdpwssd (VEX) on ymm", 0, ID(7, 1, R_EAX, 4), K("avx_vnni"), OS_YMM, 12, 8, NULL, k_avxvnni, r_avxvnni, NULL, NULL },
	{ "xsaveopt", "xrstor, xsaveopt round trip", 0, ID(0xd, 1, R_EAX, 0), K("xsaveopt"), OS_XSAVE, 32, 35, NULL, k_xsaveopt, r_xsave, NULL, NULL },
	{ "xsavec", "xrstor, xsavec round trip (compacted format)", 0, ID(0xd, 1, R_EAX, 1), K("xsavec"), OS_XSAVE, 32, 35, NULL, k_xsavec, r_xsavec, NULL, NULL },
	{ "rdtscp", "rdtscp: TSC_AUX is the CPU number, TSC monotonic", 0, ID(EXT, 0, R_EDX, 27), K("rdtscp"), OS_NONE, 0, 2, NULL, k_rdtscp, NULL, c_rdtscp, x_rdtscp },
	{ "rdpid", "rdpid: the CPU number", 0, ID(7, 0, R_ECX, 22), K("rdpid"), OS_NONE, 0, 1, NULL, k_rdpid, NULL, c_rdpid, x_rdpid },
	/* What AI runtimes and newer crypto libraries use. Rows without a kernel are CPUID only: the
	 * instructions exist on no machine this was tested on (and GCC 12 has no target for some). */
	{ "avx512bf16", "vdpbf16ps, vcvtne2ps2bf16, vcvtneps2bf16 against the SDM's rounding", 0, ID(7, 1, R_EAX, 5), K("avx512_bf16"), OS_ZMM, 40, 20, g_avx512bf16, k_avx512bf16, r_avx512bf16, NULL, NULL },
	{ "avx512fp16", CPUID_ONLY "no CPU here to verify a kernel on", 0, ID(7, 0, R_EDX, 23), K("avx512_fp16"), OS_ZMM, 0, 0, NULL, NULL, NULL, NULL, NULL },
	{ "avx-ifma", CPUID_ONLY "GCC 12 has no target for it, no CPU here has it", 0, ID(7, 1, R_EAX, 23), KNEW("avx_ifma"), OS_YMM, 0, 0, NULL, NULL, NULL, NULL, NULL },
	{ "avx-vnni-int8", CPUID_ONLY "GCC 12 has no target for it, no CPU here has it", 0, ID(7, 1, R_EDX, 4), KNEW("avx_vnni_int8"), OS_YMM, 0, 0, NULL, NULL, NULL, NULL, NULL },
	{ "amx-tile", CPUID_ONLY "no CPU here to verify a kernel on; tile state needs XCR0 bits 17-18 and arch_prctl(ARCH_REQ_XCOMP_PERM)", 0, ID(7, 0, R_EDX, 24), K("amx_tile"), OS_AMX, 0, 0, NULL, NULL, NULL, NULL, NULL },
	{ "amx-int8", CPUID_ONLY "no CPU here to verify a kernel on", 0, ID(7, 0, R_EDX, 25), K("amx_int8"), OS_AMX, 0, 0, NULL, NULL, NULL, NULL, NULL },
	{ "amx-bf16", CPUID_ONLY "no CPU here to verify a kernel on", 0, ID(7, 0, R_EDX, 22), K("amx_bf16"), OS_AMX, 0, 0, NULL, NULL, NULL, NULL, NULL },
	{ "sha512", CPUID_ONLY "GCC 12 has no target for it, no CPU here has it", 0, ID(7, 1, R_EAX, 0), KNEW("sha512"), OS_YMM, 0, 0, NULL, NULL, NULL, NULL, NULL },
	{ "sm3", CPUID_ONLY "GCC 12 has no target for it, no CPU here has it", 0, ID(7, 1, R_EAX, 1), KNEW("sm3"), OS_YMM, 0, 0, NULL, NULL, NULL, NULL, NULL },
	{ "sm4", CPUID_ONLY "GCC 12 has no target for it, no CPU here has it", 0, ID(7, 1, R_EAX, 2), KNEW("sm4"), OS_YMM, 0, 0, NULL, NULL, NULL, NULL, NULL },
	/* TSX (Intel SDM vol. 1, ch. 16): RTM executed, an abort is no fault;
	 * HLE's prefixes are hints a CPU without it ignores, so nothing faults. */
	{ "rtm", "xbegin, a store, xend; aborts counted (data.tsx)", 0, ID(7, 0, R_EBX, 11), K("rtm"), OS_NONE, 0, 2, NULL, k_rtm, NULL, c_rtm, x_rtm },
	{ "hle", CPUID_ONLY "XACQUIRE/XRELEASE are hints a CPU without HLE ignores: nothing can fault", 0, ID(7, 0, R_EBX, 4), K("hle"), OS_NONE, 0, 0, NULL, NULL, NULL, NULL, NULL },
	{ "avx10", CPUID_ONLY "the version and vector lengths are in data.avx10 (CPUID 0x24)", 0, ID(7, 1, R_EDX, 19), NOK, OS_YMM, 0, 0, NULL, NULL, NULL, NULL, NULL },
};
const int isa_next = ARRAY_SIZE(isa_exts);
_Static_assert(ARRAY_SIZE(isa_exts) <= ISA_MAX_EXTS, "isa_set has one bit per row");

int isa_find(const char *name)
{
	for (int i = 0; i < isa_next; i++)
		if (!strcmp(isa_exts[i].name, name))
			return i;
	return -1;
}

static const char *const state_names[ISA_NSTATES] = {
	[ISA_OK] = "ok",
	[ISA_ABSENT] = "absent",
	[ISA_WORKS_UNADVERTISED] = "works-unadvertised",
	[ISA_FAULTS] = "faults",
	[ISA_WRONG] = "wrong",
	[ISA_NOT_OS_ENABLED] = "not-os-enabled",
	[ISA_UNTESTED] = "untested",
	[ISA_INCONSISTENT] = "inconsistent",
};

const char *isa_state_name(enum isa_state s)
{
	return s < ISA_NSTATES ? state_names[s] : "?";
}

/* Not advertised and wrong is "absent" too: without the extension the
 * same bytes may decode as an older instruction (LZCNT runs as BSR). */
enum isa_state isa_classify(bool advertised, bool os_enabled, bool ran, bool right)
{
	if (advertised && !os_enabled)
		return ISA_NOT_OS_ENABLED;
	if (advertised)
		return !ran ? ISA_FAULTS : right ? ISA_OK : ISA_WRONG;
	return ran && right ? ISA_WORKS_UNADVERTISED : ISA_ABSENT;
}

bool isa_state_executes(enum isa_state s)
{
	return s == ISA_OK || s == ISA_WORKS_UNADVERTISED;
}

bool isa_advertised(const struct isa_ext *e, const struct cpuid_dump *c)
{
	return cpuid_bit(c, e->pred.leaf, e->pred.sub, e->pred.reg, e->pred.bit);
}

bool isa_os_enabled(const struct isa_ext *e, const struct cpuid_dump *c)
{
	bool osxsave = cpuid_get(c, 1, 0)[R_ECX] >> 27 & 1;
	uint64_t ymm = XCR0_SSE | XCR0_YMM, zmm = ymm | XCR0_AVX512;

	switch (e->os) {
	case OS_NONE:
		return true;
	case OS_XSAVE:
		return osxsave;
	case OS_YMM:
		return osxsave && c->has_xcr0 && (c->xcr0 & ymm) == ymm;
	case OS_ZMM:
		return osxsave && c->has_xcr0 && (c->xcr0 & zmm) == zmm;
	case OS_AMX:
		return osxsave && c->has_xcr0 && (c->xcr0 & XCR0_AMX) == XCR0_AMX;
	}
	return false;
}

isa_set isa_usable_set(const struct cpuid_dump *c)
{
	isa_set s = 0;

	for (int i = 0; i < isa_next; i++)
		if (isa_advertised(&isa_exts[i], c) && isa_os_enabled(&isa_exts[i], c))
			s |= 1ULL << i;
	return s;
}

static isa_set level_set(int level)
{
	isa_set s = 0;

	for (int i = 0; i < isa_next; i++)
		if (isa_exts[i].level == level)
			s |= 1ULL << i;
	return s;
}

int isa_level(isa_set set)
{
	int level = 1;

	for (int l = 2; l <= 4 && (level_set(l) & ~set) == 0; l++)
		level = l;
	return level;
}

isa_set isa_level_missing(isa_set set)
{
	int level = isa_level(set);

	return level >= 4 ? 0 : level_set(level + 1) & ~set;
}

bool isa_cpuid_vm(const struct cpuid_dump *c)
{
	return cpuid_get(c, 1, 0)[R_ECX] >> 31 & 1;
}

enum isa_v3_gap isa_v3_gap(isa_set usable, bool virtual_machine)
{
	if (isa_level(usable) != 2)
		return ISA_V3_OK;
	if (!virtual_machine)
		return ISA_V3_HOST_LACKS;
	return usable >> isa_find("avx") & 1 ? ISA_V3_NO_AVX2 : ISA_V3_NO_AVX;
}
