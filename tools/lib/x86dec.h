/* An x86-64 instruction decoder for one question: which ISA extension does
 * this instruction need? Bytes in, the instruction's length, a mnemonic and
 * the set of extensions out, named as `triage isa` names them ("avx2",
 * "avx512bw"...). Shared by `triage needs` (whole executable sections) and
 * the post-mortem (the bytes at a trap's ip).
 *
 * Length decoding follows the generic x86 rules (prefixes, REX, VEX, EVEX,
 * XOP, ModRM, SIB, displacement, immediate), so it stays in step through
 * instructions it has no row for; the extension comes from the rows of
 * x86dec-ops.def. Pure: no allocation, no global state. */
#ifndef VMTRIAGE_X86DEC_H
#define VMTRIAGE_X86DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One bit per extension; the names and x86-64 levels are in x86_exts[]. */
#define X86_EXTS(X)                                                   \
	X(SSE2, "sse2", 1) X(SSE3, "sse3", 2) X(SSSE3, "ssse3", 2)    \
	X(SSE41, "sse4.1", 2) X(SSE42, "sse4.2", 2)                   \
	X(PCMPSTR, "sse4.2-pcmpstr", 2) X(POPCNT, "popcnt", 2)        \
	X(CX16, "cx16", 2) X(LAHF, "lahf-sahf", 2)                    \
	X(AVX, "avx", 3) X(AVX2, "avx2", 3) X(BMI1, "bmi1", 3)        \
	X(BMI2, "bmi2", 3) X(F16C, "f16c", 3) X(FMA, "fma", 3)        \
	X(LZCNT, "lzcnt", 3) X(MOVBE, "movbe", 3) X(XSAVE, "xsave", 3) \
	X(AVX512F, "avx512f", 4) X(AVX512BW, "avx512bw", 4)           \
	X(AVX512CD, "avx512cd", 4) X(AVX512DQ, "avx512dq", 4)         \
	X(AVX512VL, "avx512vl", 4)                                    \
	X(ADX, "adx", 0) X(AES, "aes", 0) X(PCLMUL, "pclmulqdq", 0)   \
	X(SHA, "sha-ni", 0) X(RDRAND, "rdrand", 0) X(RDSEED, "rdseed", 0) \
	X(VNNI512, "avx512vnni", 0) X(VBMI, "avx512vbmi", 0)          \
	X(VBMI2, "avx512vbmi2", 0) X(IFMA, "avx512ifma", 0)           \
	X(BITALG, "avx512bitalg", 0) X(VPOPCNTDQ, "avx512vpopcntdq", 0) \
	X(GFNI, "gfni", 0) X(VAES, "vaes", 0) X(VPCLMUL, "vpclmulqdq", 0) \
	X(AVXVNNI, "avx-vnni", 0) X(BF16, "avx512-bf16", 0)           \
	X(FP16, "avx512-fp16", 0) X(XSAVEOPT, "xsaveopt", 0)          \
	X(XSAVEC, "xsavec", 0) X(RDTSCP, "rdtscp", 0) X(RDPID, "rdpid", 0) \
	X(AVX512ER, "avx512er", 0) X(SSE4A, "sse4a", 0) X(XOP, "xop", 0) \
	X(FMA4, "fma4", 0) X(TBM, "tbm", 0) X(AMX, "amx", 0)          \
	X(CLWB, "clwb", 0) X(CLFLUSHOPT, "clflushopt", 0)             \
	X(SERIALIZE, "serialize", 0) X(RTM, "rtm", 0)

#define X86_ENUM(id, name, level) X86_##id##_BIT,
enum { X86_EXTS(X86_ENUM) X86_NEXTS };
#undef X86_ENUM
#define X86_E(id) (1ULL << X86_##id##_BIT)

typedef uint64_t x86_exts_t;

struct x86_ext {
	const char *name;
	int level; /* x86-64 psABI level that includes it, 0 if none */
};
extern const struct x86_ext x86_exts[X86_NEXTS];

enum x86_enc { X86_LEGACY, X86_VEX, X86_EVEX, X86_XOP };

#define X86_MAX_LEN 15

struct x86_insn {
	int len;	     /* bytes */
	enum x86_enc enc;
	int map;	     /* 0 one-byte, 1 0F, 2 0F38, 3 0F3A, 5/6 EVEX maps, 8-10 XOP */
	uint8_t op;	     /* opcode byte within the map */
	int pfx;	     /* mandatory prefix: 0 none, 1 66, 2 F3, 3 F2 */
	bool w;		     /* REX.W / VEX.W / EVEX.W */
	int vl;		     /* vector length in bits for VEX/EVEX (128, 256, 512), else 0 */
	bool has_modrm;
	uint8_t modrm;
	x86_exts_t needs;    /* extensions the instruction needs (0: base x86-64) */
	bool known;	     /* a row of the table matched (else mnemonic is "(unknown)") */
	char mnemonic[24];
};

/* Decodes the instruction at p (n bytes available) in 64-bit mode. Returns
 * its length, or 0 when the bytes are not a valid instruction or end
 * before it does (then in->len is 0 and the rest is unspecified). */
int x86_decode(const uint8_t *p, size_t n, struct x86_insn *in);

/* The highest x86-64 level any of the set's extensions belongs to (1 if
 * none); exts beyond the levels (aes, sha-ni...) do not raise it. */
int x86_exts_level(x86_exts_t set);
/* Names of the set, space-separated, into buf. Returns buf. */
char *x86_exts_names(x86_exts_t set, char *buf, size_t size);
/* The bit of the extension called name, or -1. */
int x86_ext_find(const char *name);

#endif
