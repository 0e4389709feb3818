/* Kernels of the state and system extensions: XSAVE, XSAVEOPT, XSAVEC
 * (round trip of the SSE state through memory), RDTSCP and RDPID (they
 * must report the CPU the kernel runs on: Linux stores the CPU number in
 * IA32_TSC_AUX, bits 11:0, with the node above; arch/x86/include/asm/
 * segment.h, VDSO_CPUNODE_BITS). */
#include <immintrin.h>
#include <string.h>

#include "isa.h"
#include "kernels.h"
#include "ref.h"

/* Standard-format XSAVE area with only the legacy region and the header:
 * SDM vol. 1, 13.4. */
#define XSAVE_AREA 576
#define XS_MXCSR 24
#define XS_XMM 160
#define XS_XSTATE_BV 512
#define XS_XCOMP_BV 520
#define MXCSR_DEFAULT 0x1f80
#define XCOMP_COMPACT (1ULL << 63)

enum xsave_kind { XS_PLAIN, XS_OPT, XS_COMPACT };

/* XRSTOR the 16 XMM registers from in, save them again with the kind of
 * XSAVE under test into a second area, and return what it wrote. */
static inline __attribute__((always_inline)) void xsave_round_trip(const uint64_t *in, uint64_t *out,
								     enum xsave_kind kind)
{
	uint8_t src[XSAVE_AREA] __attribute__((aligned(64))), dst[XSAVE_AREA] __attribute__((aligned(64)));
	uint32_t mxcsr = MXCSR_DEFAULT;
	uint64_t bv = XCR0_SSE;

	memset(src, 0, sizeof(src));
	memset(dst, 0, sizeof(dst));
	memcpy(src + XS_MXCSR, &mxcsr, 4);
	memcpy(src + XS_XMM, in, 256);
	memcpy(src + XS_XSTATE_BV, &bv, 8);
	/* RFBM = EDX:EAX & XCR0 = SSE only: XMM0-15 and MXCSR. */
	switch (kind) {
	case XS_PLAIN:
		__asm__ volatile("xrstor %0\n\txsave %1"
				 : : "m"(src), "m"(dst), "a"(XCR0_SSE), "d"(0)
				 : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
				   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
		break;
	case XS_OPT:
		__asm__ volatile("xrstor %0\n\txsaveopt %1"
				 : : "m"(src), "m"(dst), "a"(XCR0_SSE), "d"(0)
				 : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
				   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
		break;
	case XS_COMPACT:
		__asm__ volatile("xrstor %0\n\txsavec %1"
				 : : "m"(src), "m"(dst), "a"(XCR0_SSE), "d"(0)
				 : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
				   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
		break;
	}
	memcpy(out, dst + XS_XMM, 256);
	mxcsr = 0;
	memcpy(&mxcsr, dst + XS_MXCSR, 4);
	out[32] = mxcsr;
	memcpy(&out[33], dst + XS_XSTATE_BV, 8);
	memcpy(&bv, dst + XS_XCOMP_BV, 8);
	out[34] = bv;
}

KERNEL("xsave") void k_xsave(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 32, out += 35)
		xsave_round_trip(in, out, XS_PLAIN);
}

KERNEL("xsave,xsaveopt") void k_xsaveopt(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 32, out += 35)
		xsave_round_trip(in, out, XS_OPT);
}

KERNEL("xsave,xsavec") void k_xsavec(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 32, out += 35)
		xsave_round_trip(in, out, XS_COMPACT);
}

/* Random XMM contents are never all zero, so the SSE component is in use
 * and XSTATE_BV bit 1 is set; standard forms leave XCOMP_BV alone, XSAVEC
 * writes bit 63 and the requested mask. */
static void r_xsave_common(const uint64_t *in, uint64_t *out, int n, uint64_t xcomp)
{
	for (int i = 0; i < n; i++, in += 32, out += 35) {
		memcpy(out, in, 256);
		out[32] = MXCSR_DEFAULT;
		out[33] = XCR0_SSE;
		out[34] = xcomp;
	}
}

void r_xsave(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	r_xsave_common(in, out, n, 0);
}

void r_xsavec(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	r_xsave_common(in, out, n, XCOMP_COMPACT | XCR0_SSE);
}

/* ---- RDTSCP (no GCC target flag: inline assembly only), RDPID ---- */

#define TSC_AUX_CPU_MASK 0xfff

KERNEL_NO_TARGET void k_rdtscp(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)in;
	(void)ctx;
	for (int i = 0; i < n; i++, out += 2) {
		uint32_t lo, hi, aux;

		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
		out[0] = (uint64_t)hi << 32 | lo;
		out[1] = aux;
	}
}

bool c_rdtscp(const uint64_t *out, int n, const struct isa_ctx *ctx, struct isa_mismatch *m)
{
	for (int i = 0; i < n; i++) {
		if ((out[2 * i + 1] & TSC_AUX_CPU_MASK) != ((unsigned)ctx->cpu & TSC_AUX_CPU_MASK)) {
			m->iter = i;
			m->word = 1;
			m->expected = (unsigned)ctx->cpu & TSC_AUX_CPU_MASK;
			m->got = out[2 * i + 1];
			snprintf(m->what, sizeof(m->what), "TSC_AUX (ECX) is not the CPU number");
			return false;
		}
		if (i && out[2 * i] < out[2 * i - 2]) {
			m->iter = i;
			m->word = 0;
			m->expected = out[2 * i - 2];
			m->got = out[2 * i];
			snprintf(m->what, sizeof(m->what), "TSC went backwards on one CPU");
			return false;
		}
	}
	return true;
}

void x_rdtscp(uint64_t *out, int n)
{
	out[2 * (n / 2) + 1] ^= 1;
}

KERNEL("rdpid") void k_rdpid(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)in;
	(void)ctx;
	for (int i = 0; i < n; i++)
		out[i] = _rdpid_u32();
}

bool c_rdpid(const uint64_t *out, int n, const struct isa_ctx *ctx, struct isa_mismatch *m)
{
	for (int i = 0; i < n; i++)
		if ((out[i] & TSC_AUX_CPU_MASK) != ((unsigned)ctx->cpu & TSC_AUX_CPU_MASK)) {
			m->iter = i;
			m->expected = (unsigned)ctx->cpu & TSC_AUX_CPU_MASK;
			m->got = out[i];
			snprintf(m->what, sizeof(m->what), "RDPID is not the CPU number (TSC_AUX)");
			return false;
		}
	return true;
}

void x_rdpid(uint64_t *out, int n)
{
	out[n / 2] ^= 1;
}

/* ---- RTM: XBEGIN, a store inside the transaction, XEND. An abort is RTM
 * working as specified (the CPU may abort any transaction, Intel SDM vol. 1,
 * 16.3.8); only #UD (SIGILL, caught by the guard) is a fault. Each
 * iteration writes its word inside the transaction or on the abort path,
 * and the status: RTM_COMMITTED, or the abort status XBEGIN returned. ---- */

/* bits an abort status may have: 0-5 (explicit, retry, conflict, capacity,
 * debug, nested) and 24-31 (XABORT's code), SDM vol. 1, table 16-1 */
#define RTM_STATUS_BITS 0xff00003fULL

KERNEL("rtm") void k_rtm(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)in;
	(void)ctx;
	for (int i = 0; i < n; i++) {
		volatile uint64_t *w = &out[2 * i];
		unsigned st = _xbegin();

		if (st == _XBEGIN_STARTED) {
			*w = RTM_WORD(i);
			_xend();
			out[2 * i + 1] = RTM_COMMITTED;
		} else {
			*w = RTM_WORD(i);
			out[2 * i + 1] = st;
		}
	}
}

bool c_rtm(const uint64_t *out, int n, const struct isa_ctx *ctx, struct isa_mismatch *m)
{
	(void)ctx;
	for (int i = 0; i < n; i++) {
		uint64_t st = out[2 * i + 1];

		if (out[2 * i] != RTM_WORD(i)) {
			snprintf(m->what, sizeof(m->what), "the word written in iteration %d is wrong", i);
			m->iter = i;
			m->word = 0;
			m->expected = RTM_WORD(i);
			m->got = out[2 * i];
			return false;
		}
		if (st != RTM_COMMITTED && (st & ~RTM_STATUS_BITS)) {
			snprintf(m->what, sizeof(m->what), "XBEGIN returned an abort status with reserved bits");
			m->iter = i;
			m->word = 1;
			m->expected = st & RTM_STATUS_BITS;
			m->got = st;
			return false;
		}
	}
	return true;
}

void x_rtm(uint64_t *out, int n)
{
	if (n > 0)
		out[0] ^= 1;
}

int isa_rtm_commits(const uint64_t *out, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += out[2 * i + 1] == RTM_COMMITTED;
	return k;
}
