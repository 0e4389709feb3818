/* x86-64 decoder: lengths by the generic encoding rules, extensions by the
 * rows of x86dec-ops.def.
 *
 * Why our own and not Debian's libcapstone 4.0.2 (measured 2026-11-28 with
 * a static musl test program, stripped): linking only capstone's x86
 * objects (the other architectures' entry points left out) added
 * 1,555,552 bytes (+124 KiB xz) to the binary, all architectures 4.8 MB
 * (+ 499 KiB xz); and capstone 4 does not know AVX512-VNNI, VBMI, BITALG,
 * IFMA, GFNI, VAES, VPCLMULQDQ, RDPID or AVX-VNNI, names no group for
 * POPCNT, LZCNT, MOVBE or RDRAND, and loses step after an instruction it
 * does not know, which in a linear scan of glibc garbles what follows.
 * This decoder, lib/elf, lib/faultinsn and tools/needs together add
 * 61,440 bytes to the stripped triage (528,880 -> 590,320) and 21,900
 * bytes to initrd.xz (1,048,952 -> 1,070,852): kernel + initramfs 3823 KiB
 * of the 4096 KiB budget, the ISO 15796 KiB (`make all`; the objects'
 * share: bench/needs.sh). */
#include "x86dec.h"

#include <stdio.h>
#include <string.h>

#define X86_ROW(id, nm, lvl) [X86_##id##_BIT] = { nm, lvl },
const struct x86_ext x86_exts[X86_NEXTS] = { X86_EXTS(X86_ROW) };
#undef X86_ROW

/* ---- the rows ---- */

enum { NP = 0, P66 = 1, PF3 = 2, PF2 = 3, ANYP = -1 };
enum { MEM = 0, REG = 1 };
enum { V = 1, INT = 2, SC = 4, WIDE = 8, FMANAME = 16 };

#define NA (1ULL << 63)
#define K (1ULL << 62) /* mask-register op: the subset follows the mnemonic */
#define E X86_E
#define F E(AVX512F)
#define BW E(AVX512BW)
#define DQ E(AVX512DQ)
#define CD E(AVX512CD)
#define ER E(AVX512ER)
#define SSE2 E(SSE2)
#define SSE3 E(SSE3)
#define SSSE3 E(SSSE3)
#define SSE41 E(SSE41)
#define SSE42 E(SSE42)
#define SSE4A E(SSE4A)
#define PCMPSTR E(PCMPSTR)
#define PCMPSTR_AVX (E(PCMPSTR) | E(AVX))
#define POPCNT E(POPCNT)
#define LZCNT E(LZCNT)
#define CX16 E(CX16)
#define AVX E(AVX)
#define AVX2 E(AVX2)
#define FMA E(FMA)
#define FMA4 E(FMA4)
#define F16C E(F16C)
#define BMI1 E(BMI1)
#define BMI2 E(BMI2)
#define MOVBE E(MOVBE)
#define ADX E(ADX)
#define AES E(AES)
#define AES_AVX (E(AES) | E(AVX))
#define VAES_F (E(VAES) | F)
#define PCLMUL E(PCLMUL)
#define PCLMUL_AVX (E(PCLMUL) | E(AVX))
#define VPCLMUL_F (E(VPCLMUL) | F)
#define GFNI E(GFNI)
#define GFNI_AVX (E(GFNI) | E(AVX))
#define GFNI_F (E(GFNI) | F)
#define SHA E(SHA)
#define XSAVE E(XSAVE)
#define XSAVEOPT E(XSAVEOPT)
#define XSAVEC E(XSAVEC)
#define CLWB E(CLWB)
#define CLFLUSHOPT E(CLFLUSHOPT)
#define RDRAND E(RDRAND)
#define RDSEED E(RDSEED)
#define RDPID E(RDPID)
#define AVXVNNI E(AVXVNNI)
#define VNNI512 E(VNNI512)
#define VBMI E(VBMI)
#define VBMI2 E(VBMI2)
#define IFMA E(IFMA)
#define BITALG E(BITALG)
#define VPOPCNTDQ E(VPOPCNTDQ)
#define BF16 E(BF16)
#define AMX E(AMX)

struct oprow {
	uint8_t map, lo, hi;
	int8_t pfx, w, reg, mod;
	uint8_t flags;
	const char *mnem;
	x86_exts_t ext[3]; /* legacy, VEX, EVEX */
};

#define OP(map, pfx, lo, hi, w, reg, mod, mn, leg, vex, evex, fl) \
	{ map, lo, hi, pfx, w, reg, mod, fl, mn, { leg, vex, evex } },
static const struct oprow rows[] = {
#include "x86dec-ops.def"
};
#undef OP

/* ---- length decoding ---- */

/* One-byte map: what follows the opcode. */
enum { M = 0x10 /* ModRM */, I0 = 0, IB = 1, IW = 2, IZ = 3, IV = 4, IENTER = 5, IMOFFS = 6, BAD = 0x20, PFXB = 0x40 };

static uint8_t onebyte(uint8_t op)
{
	if (op < 0x40) {
		uint8_t lo = op & 7;

		if (op == 0x0f)
			return I0; /* escape, handled by the caller */
		if (lo < 4)
			return M;
		if (lo == 4)
			return IB;
		if (lo == 5)
			return IZ;
		/* 06/07/0E/16/17/1E/1F/27/2F/37/3F invalid; 26/2E/36/3E prefixes */
		return (op >= 0x26 && lo == 6) ? PFXB : BAD;
	}
	if (op < 0x50)
		return PFXB; /* REX */
	if (op < 0x60)
		return I0;
	switch (op) {
	case 0x60: case 0x61: case 0x62: case 0x82: case 0x9a: case 0xc4: case 0xc5:
	case 0xce: case 0xd4: case 0xd5: case 0xd6: case 0xea:
		return BAD; /* invalid in 64-bit mode (62, C4, C5: EVEX/VEX, caller) */
	case 0x63: return M;
	case 0x64: case 0x65: case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return PFXB;
	case 0x68: return IZ;
	case 0x69: return M | IZ;
	case 0x6a: return IB;
	case 0x6b: return M | IB;
	case 0x80: case 0x83: case 0xc0: case 0xc1: case 0xc6: return M | IB;
	case 0x81: case 0xc7: return M | IZ;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3: return IMOFFS;
	case 0xa8: return IB;
	case 0xa9: return IZ;
	case 0xc2: case 0xca: return IW;
	case 0xc8: return IENTER;
	case 0xcd: return IB;
	case 0xe8: case 0xe9: return IZ;
	case 0xeb: return IB;
	}
	if (op >= 0x70 && op <= 0x7f)
		return IB;
	if (op >= 0x84 && op <= 0x8f)
		return M;
	if (op >= 0xb0 && op <= 0xb7)
		return IB;
	if (op >= 0xb8 && op <= 0xbf)
		return IV;
	if ((op >= 0xd0 && op <= 0xd3) || (op >= 0xd8 && op <= 0xdf) || op == 0xf6 || op == 0xf7 ||
	    op == 0xfe || op == 0xff)
		return M;
	if (op >= 0xe0 && op <= 0xe7)
		return IB;
	return I0;
}

/* Map 0F: ModRM or not, and the immediate. */
static uint8_t twobyte(uint8_t op, int pfx)
{
	switch (op) {
	case 0x04: case 0x0a: case 0x0c: case 0x24: case 0x25: case 0x26: case 0x27: case 0x36:
	case 0x39: case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3f:
		return BAD;
	case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0b: case 0x0e:
	case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: case 0x37: case 0x77:
	case 0xa0: case 0xa1: case 0xa2: case 0xa8: case 0xa9: case 0xaa:
		return I0;
	case 0x0f: return M | IB; /* 3DNow!: the opcode is a trailing byte */
	case 0x70: case 0x71: case 0x72: case 0x73: case 0xa4: case 0xac: case 0xba:
	case 0xc2: case 0xc4: case 0xc5: case 0xc6:
		return M | IB;
	case 0x78:
		/* SSE4A extrq/insertq take two immediate bytes; NP 0F 78 is vmread */
		return (pfx == P66 || pfx == PF2) ? (M | IW) : M;
	}
	if (op >= 0x80 && op <= 0x8f)
		return IZ;
	if (op >= 0xc8 && op <= 0xcf)
		return I0;
	return M;
}

/* Bytes of ModRM, SIB and displacement from p (at the ModRM byte). */
static int modrm_len(const uint8_t *p, size_t n, size_t at)
{
	uint8_t m, mod, rm;
	int len = 1;

	if (at >= n)
		return -1;
	m = p[at];
	mod = m >> 6;
	rm = m & 7;
	if (mod == 3)
		return 1;
	if (rm == 4) {
		if (at + 1 >= n)
			return -1;
		len++;
		if (mod == 0 && (p[at + 1] & 7) == 5)
			len += 4;
	} else if (mod == 0 && rm == 5) {
		len += 4; /* RIP-relative */
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len;
}

/* ---- classification ---- */

/* The i-th comma-separated item of list, the W-th "/" alternative of it,
 * the legacy/VEX or EVEX side of a "|". Empty when absent. */
static void pick(const char *list, int i, bool w, bool evex, char *out, size_t size)
{
	const char *s = list, *e;
	size_t len;

	for (; i > 0 && s; i--) {
		s = strchr(s, ',');
		if (s)
			s++;
	}
	out[0] = '\0';
	if (!s)
		return;
	e = strchr(s, ',');
	len = e ? (size_t)(e - s) : strlen(s);
	for (const char *bar = memchr(s, '|', len); bar;) {
		if (evex) {
			len -= (size_t)(bar + 1 - s);
			s = bar + 1;
		} else {
			len = (size_t)(bar - s);
		}
		break;
	}
	{
		const char *slash = memchr(s, '/', len);

		if (slash) {
			if (w) {
				len -= (size_t)(slash + 1 - s);
				s = slash + 1;
			} else {
				len = (size_t)(slash - s);
			}
		}
	}
	if (len >= size)
		len = size - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

/* FMA3 opcodes 96-BF: the form from the low nibble, the operand order from
 * the high one, ps/pd and ss/sd from W. */
static void fma_name(uint8_t op, bool w, char *out, size_t size, bool *scalar)
{
	static const char *const kind[] = { "fmaddsub", "fmsubadd", "fmadd", "fmadd", "fmsub", "fmsub",
					    "fnmadd", "fnmadd", "fnmsub", "fnmsub" };
	int lo = op & 0xf, hi = op >> 4;
	const char *order = hi == 9 ? "132" : hi == 0xa ? "213" : "231";

	out[0] = '\0';
	*scalar = false;
	if (lo < 6) {
		return; /* 9x/Ax/Bx 0-5: gathers, scatters, IFMA, not FMA */
	}
	*scalar = lo >= 8 && (lo & 1);
	snprintf(out, size, "v%s%s%s", kind[lo - 6], order,
		 lo < 8 ? (w ? "pd" : "ps") : *scalar ? (w ? "sd" : "ss") : (w ? "pd" : "ps"));
}

static x86_exts_t kmask_ext(const char *mn)
{
	size_t n = strlen(mn);
	char last = n ? mn[n - 1] : 0;

	if (!strcmp(mn, "ktestw") || !strcmp(mn, "kaddw"))
		return DQ;
	if (!strcmp(mn, "kunpckbw"))
		return F;
	return last == 'w' ? F : last == 'b' ? DQ : BW;
}

static void classify(struct x86_insn *in, bool evex_b)
{
	int ei = in->enc == X86_LEGACY ? 0 : in->enc == X86_VEX ? 1 : 2;
	int reg = in->has_modrm ? (in->modrm >> 3) & 7 : -1;
	int mod3 = in->has_modrm ? (in->modrm >> 6) == 3 : -1;

	in->known = false;
	in->needs = 0;
	if (in->enc == X86_XOP) {
		in->known = true;
		in->needs = E(XOP);
		snprintf(in->mnemonic, sizeof(in->mnemonic), "(xop)");
		return;
	}
	if (in->enc == X86_EVEX && (in->map == 5 || in->map == 6)) {
		in->known = true;
		in->needs = E(FP16) | F;
		if (in->vl < 512 && in->pfx < PF3 && !(evex_b && mod3 == 1))
			in->needs |= E(AVX512VL);
		snprintf(in->mnemonic, sizeof(in->mnemonic), "(avx512-fp16)");
		return;
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct oprow *r = &rows[i];
		x86_exts_t x;
		char mn[sizeof(in->mnemonic) - 1];
		bool scalar = r->flags & SC;

		if (r->map != in->map || in->op < r->lo || in->op > r->hi)
			continue;
		if ((r->pfx != ANYP && r->pfx != in->pfx) || (r->w >= 0 && r->w != in->w))
			continue;
		if ((r->reg >= 0 && r->reg != reg) || (r->mod >= 0 && r->mod != mod3))
			continue;
		x = r->ext[ei];
		if (x == NA)
			continue;
		if (r->flags & FMANAME)
			fma_name(in->op, in->w, mn, sizeof(mn), &scalar);
		else
			pick(r->mnem, in->op - r->lo, in->w, in->enc == X86_EVEX, mn, sizeof(mn));
		if (!mn[0])
			continue; /* a hole in the range */
		if (x == K)
			x = kmask_ext(mn);
		if (in->enc == X86_VEX) {
			if ((r->flags & INT) && in->vl == 256 && (x & AVX))
				x = (x & ~AVX) | AVX2;
			if ((r->flags & WIDE) && in->vl == 256)
				x = (x & ~(AES | PCLMUL)) | ((x & AES) ? E(VAES) : 0) | ((x & PCLMUL) ? E(VPCLMUL) : 0);
		} else if (in->enc == X86_EVEX) {
			x |= F;
			/* EVEX.b on a register form is rounding control: 512 bits */
			if (!scalar && in->vl < 512 && !(evex_b && mod3 == 1))
				x |= E(AVX512VL);
		}
		in->needs = x;
		in->known = true;
		if (in->enc != X86_LEGACY && (r->flags & V) && mn[0] != 'v')
			snprintf(in->mnemonic, sizeof(in->mnemonic), "v%s", mn);
		else
			snprintf(in->mnemonic, sizeof(in->mnemonic), "%s", mn);
		return;
	}
	/* No row: base x86 in the legacy maps; anything VEX/EVEX at least
	 * needs what its encoding does. */
	if (in->enc == X86_VEX)
		in->needs = AVX;
	else if (in->enc == X86_EVEX)
		in->needs = F;
	snprintf(in->mnemonic, sizeof(in->mnemonic), "%s", in->enc == X86_LEGACY ? "(base)" : "(unknown)");
}

/* Names of the one-byte and common 0F base instructions, for a trap's
 * message ("died at mov"): not needed for the extension. */
static void base_name(struct x86_insn *in, uint8_t rex_w)
{
	static const char *const alu[] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };
	static const char *const grp3[] = { "test", "test", "not", "neg", "mul", "imul", "div", "idiv" };
	static const char *const grp5[] = { "inc", "dec", "call", "call", "jmp", "jmp", "push", "" };
	uint8_t op = in->op;
	int reg = (in->modrm >> 3) & 7;
	const char *n = NULL;

	(void)rex_w;
	if (in->map == 0) {
		if (op < 0x40 && (op & 7) < 6)
			n = alu[op >> 3];
		else if (op >= 0x50 && op <= 0x57)
			n = "push";
		else if (op >= 0x58 && op <= 0x5f)
			n = "pop";
		else if (op >= 0x70 && op <= 0x7f)
			n = "jcc";
		else if (op >= 0x80 && op <= 0x83)
			n = alu[reg];
		else if (op >= 0x88 && op <= 0x8b)
			n = "mov";
		else if (op >= 0xb0 && op <= 0xbf)
			n = "mov";
		else if (op >= 0xd8 && op <= 0xdf)
			n = "(x87)";
		else if (op == 0xff)
			n = grp5[reg];
		else if (op == 0xf6 || op == 0xf7)
			n = grp3[reg];
		else {
			switch (op) {
			case 0x63: n = "movsxd"; break;
			case 0x84: case 0x85: case 0xa8: case 0xa9: n = "test"; break;
			case 0x86: case 0x87: n = "xchg"; break;
			case 0x8d: n = "lea"; break;
			case 0x90: n = "nop"; break;
			case 0xc3: n = "ret"; break;
			case 0xc6: case 0xc7: n = "mov"; break;
			case 0xc9: n = "leave"; break;
			case 0xcc: n = "int3"; break;
			case 0xe8: n = "call"; break;
			case 0xe9: case 0xeb: n = "jmp"; break;
			case 0xf4: n = "hlt"; break;
			}
		}
	} else if (in->map == 1) {
		if (op >= 0x40 && op <= 0x4f)
			n = "cmovcc";
		else if (op >= 0x80 && op <= 0x8f)
			n = "jcc";
		else if (op >= 0x90 && op <= 0x9f)
			n = "setcc";
		else {
			switch (op) {
			case 0x05: n = "syscall"; break;
			case 0x0b: n = "ud2"; break;
			case 0x31: n = "rdtsc"; break;
			case 0xa2: n = "cpuid"; break;
			case 0xaf: n = "imul"; break;
			case 0xb6: case 0xb7: n = "movzx"; break;
			case 0xbe: case 0xbf: n = "movsx"; break;
			case 0xbc: n = "bsf"; break;
			case 0xbd: n = "bsr"; break;
			case 0xb0: case 0xb1: n = "cmpxchg"; break;
			case 0xc0: case 0xc1: n = "xadd"; break;
			}
		}
	}
	if (n && n[0])
		snprintf(in->mnemonic, sizeof(in->mnemonic), "%s", n);
}

int x86_decode(const uint8_t *p, size_t n, struct x86_insn *in)
{
	size_t i = 0;
	int opsize16 = 0, addr32 = 0, pfx = NP;
	uint8_t rex = 0, info;
	bool evex_b = false;
	int m;

	memset(in, 0, sizeof(*in));
	if (n > X86_MAX_LEN)
		n = X86_MAX_LEN;
	/* Legacy prefixes; of 66/F2/F3 the last F2/F3 wins as the mandatory
	 * prefix, as the CPU reads them. A REX counts only right before the
	 * opcode. */
	for (;; i++) {
		if (i >= n)
			return 0;
		uint8_t b = p[i];

		if (b == 0x66) {
			opsize16 = 1;
			if (pfx == NP)
				pfx = P66;
		} else if (b == 0xf2 || b == 0xf3) {
			pfx = b == 0xf3 ? PF3 : PF2;
		} else if (b == 0x67) {
			addr32 = 1;
		} else if (b == 0xf0 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 ||
			   b == 0x65) {
		} else if ((b & 0xf0) == 0x40) {
			rex = b;
		} else {
			break;
		}
		if ((b & 0xf0) != 0x40)
			rex = 0;
	}
	in->w = rex & 8;

	uint8_t b0 = p[i];

	if (b0 == 0xc4 || b0 == 0xc5 || b0 == 0x62 || (b0 == 0x8f && i + 1 < n && (p[i + 1] & 0x1f) >= 8)) {
		/* VEX, EVEX, XOP: no REX or 66/F2/F3 before them */
		if (rex || opsize16 || pfx != NP)
			return 0;
		if (b0 == 0xc5) {
			if (i + 2 >= n)
				return 0;
			in->enc = X86_VEX;
			in->map = 1;
			in->vl = (p[i + 1] & 4) ? 256 : 128;
			in->pfx = p[i + 1] & 3;
			i += 2;
		} else if (b0 == 0xc4 || b0 == 0x8f) {
			if (i + 3 >= n)
				return 0;
			in->enc = b0 == 0xc4 ? X86_VEX : X86_XOP;
			in->map = p[i + 1] & 0x1f;
			if (in->enc == X86_VEX && (in->map < 1 || in->map > 3))
				return 0;
			if (in->enc == X86_XOP && in->map > 10)
				return 0;
			in->w = p[i + 2] >> 7;
			in->vl = (p[i + 2] & 4) ? 256 : 128;
			in->pfx = p[i + 2] & 3;
			i += 3;
		} else {
			if (i + 4 >= n)
				return 0;
			in->enc = X86_EVEX;
			in->map = p[i + 1] & 7;
			if (in->map == 0 || in->map == 4 || in->map == 7 || !(p[i + 2] & 4))
				return 0; /* reserved maps; P1 bit 2 must be 1 */
			in->w = p[i + 2] >> 7;
			in->pfx = p[i + 2] & 3;
			in->vl = 128 << ((p[i + 3] >> 5) & 3);
			if (in->vl > 512)
				in->vl = 512; /* L'L = 3 is reserved; rounding forms ignore it */
			evex_b = p[i + 3] & 0x10;
			i += 4;
		}
		in->op = p[i++];
		in->has_modrm = !(in->enc == X86_VEX && in->map == 1 && in->op == 0x77);
		m = 0;
		if (in->has_modrm) {
			m = modrm_len(p, n, i);
			if (m < 0)
				return 0;
			in->modrm = p[i];
		}
		i += (size_t)m;
		if (in->map == 3 || in->map == 8 ||
		    (in->map == 1 && ((in->op >= 0x70 && in->op <= 0x73) || in->op == 0xc2 ||
				      (in->op >= 0xc4 && in->op <= 0xc6))))
			i += 1;
		else if (in->map == 10)
			i += 4;
		if (i > n)
			return 0;
		in->len = (int)i;
		classify(in, evex_b);
		return in->len;
	}

	in->enc = X86_LEGACY;
	in->pfx = pfx;
	if (b0 == 0x0f) {
		if (++i >= n)
			return 0;
		if (p[i] == 0x38 || p[i] == 0x3a) {
			in->map = p[i] == 0x38 ? 2 : 3;
			if (++i >= n)
				return 0;
			in->op = p[i++];
			info = M | (in->map == 3 ? IB : I0);
		} else {
			in->map = 1;
			in->op = p[i++];
			info = twobyte(in->op, pfx);
		}
	} else {
		in->map = 0;
		in->op = p[i++];
		info = onebyte(in->op);
	}
	if (info & (BAD | PFXB))
		return 0;
	in->has_modrm = info & M;
	if (in->has_modrm && in->map == 1 && in->op >= 0x20 && in->op <= 0x23) {
		/* mov to/from CR/DR: ModRM.mod is ignored, always registers */
		if (i >= n)
			return 0;
		in->modrm = p[i] | 0xc0;
		i += 1;
	} else if (in->has_modrm) {
		m = modrm_len(p, n, i);
		if (m < 0)
			return 0;
		in->modrm = p[i];
		i += (size_t)m;
	}
	switch (info & 0xf) {
	case IB: i += 1; break;
	case IW: i += 2; break;
	case IZ: i += opsize16 && !(in->map == 0 && (in->op == 0xe8 || in->op == 0xe9)) &&
			     !(in->map == 1) ? 2 : 4; break;
	case IV: i += in->w ? 8 : opsize16 ? 2 : 4; break;
	case IENTER: i += 3; break;
	case IMOFFS: i += addr32 ? 4 : 8; break;
	}
	/* TEST r/m, imm is the only /0 and /1 of F6/F7 with an immediate */
	if (in->map == 0 && (in->op == 0xf6 || in->op == 0xf7) && ((in->modrm >> 3) & 7) < 2)
		i += in->op == 0xf6 ? 1 : opsize16 ? 2 : 4;
	if (i > n)
		return 0;
	in->len = (int)i;
	classify(in, false);
	if (!in->known) {
		base_name(in, rex);
	} else if (in->map == 0 || (in->map == 1 && in->op >= 0xc8 && in->op <= 0xcf)) {
		base_name(in, rex);
	}
	/* Instructions of the 0F 01 group named by their full ModRM */
	if (in->map == 1 && in->op == 0x01 && in->has_modrm) {
		switch (in->modrm) {
		case 0xd0: in->needs = XSAVE; in->known = true; snprintf(in->mnemonic, sizeof(in->mnemonic), "xgetbv"); break;
		case 0xd1: in->needs = XSAVE; in->known = true; snprintf(in->mnemonic, sizeof(in->mnemonic), "xsetbv"); break;
		case 0xf9: in->needs = E(RDTSCP); in->known = true; snprintf(in->mnemonic, sizeof(in->mnemonic), "rdtscp"); break;
		case 0xe8:
			if (pfx == NP) {
				in->needs = E(SERIALIZE);
				in->known = true;
				snprintf(in->mnemonic, sizeof(in->mnemonic), "serialize");
			}
			break;
		case 0xd5: case 0xd6:
			in->needs = E(RTM);
			in->known = true;
			snprintf(in->mnemonic, sizeof(in->mnemonic), in->modrm == 0xd5 ? "xend" : "xtest");
			break;
		}
	}
	/* C6 F8 / C7 F8: xabort/xbegin (RTM) */
	if (in->map == 0 && (in->op == 0xc6 || in->op == 0xc7) && in->modrm == 0xf8) {
		in->needs = E(RTM);
		in->known = true;
		snprintf(in->mnemonic, sizeof(in->mnemonic), in->op == 0xc6 ? "xabort" : "xbegin");
	}
	/* LAHF/SAHF in 64-bit mode need CPUID 80000001h ECX[0] */
	if (in->map == 0 && (in->op == 0x9e || in->op == 0x9f)) {
		in->needs = E(LAHF);
		in->known = true;
		snprintf(in->mnemonic, sizeof(in->mnemonic), in->op == 0x9e ? "sahf" : "lahf");
	}
	return in->len;
}

int x86_exts_level(x86_exts_t set)
{
	int level = 1;

	for (int b = 0; b < X86_NEXTS; b++)
		if ((set >> b & 1) && x86_exts[b].level > level)
			level = x86_exts[b].level;
	return level;
}

char *x86_exts_names(x86_exts_t set, char *buf, size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (int b = 0; b < X86_NEXTS && size; b++) {
		if (!(set >> b & 1))
			continue;
		int w = snprintf(buf + len, size - len, "%s%s", len ? " " : "", x86_exts[b].name);

		if (w < 0 || (size_t)w >= size - len)
			break;
		len += (size_t)w;
	}
	return buf;
}

int x86_ext_find(const char *name)
{
	for (int b = 0; b < X86_NEXTS; b++)
		if (!strcmp(x86_exts[b].name, name))
			return b;
	return -1;
}
