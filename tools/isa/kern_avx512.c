/* Kernels and references of the AVX-512 family. Each kernel enables only
 * its own subset on top of AVX512F (plus AVX512BW where GCC needs 64-bit
 * mask registers), so a CPU with F but without, say, VBMI faults in the
 * VBMI kernel alone. Under QEMU TCG none of this exists: every kernel
 * raises SIGILL, which the guard catches. */
#include <immintrin.h>
#include <string.h>

#include "isa.h"
#include "kernels.h"
#include "ref.h"

#define LD(p) _mm512_loadu_si512((const void *)(p))
#define ST(p, v) _mm512_storeu_si512((void *)(p), (v))

/* ---- AVX512F: masked add, vpternlogd, vpermt2d, vpcmpud, vpcompressd, vprolvd ---- */

KERNEL("avx512f") void k_avx512f(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 25, out += 49) {
		__m512i a = LD(in), b = LD(in + 8), c = LD(in + 16);
		__mmask8 m8 = (__mmask8)in[24];
		__mmask16 m16 = (__mmask16)(in[24] >> 8);

		ST(out, _mm512_mask_add_epi64(c, m8, a, b));
		ST(out + 8, _mm512_ternarylogic_epi32(a, b, c, 0x96));
		ST(out + 16, _mm512_ternarylogic_epi32(a, b, c, 0xe8));
		ST(out + 24, _mm512_permutex2var_epi32(a, b, c));
		out[32] = _mm512_cmplt_epu32_mask(a, b);
		ST(out + 33, _mm512_maskz_compress_epi32(m16, a));
		ST(out + 41, _mm512_rolv_epi32(a, b));
	}
}

void r_avx512f(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 25, out += 49) {
		const uint64_t *a = in, *b = in + 8, *c = in + 16;
		unsigned m8 = in[24] & 0xff, m16 = in[24] >> 8 & 0xffff;
		int k = 0;

		memset(out, 0, 49 * sizeof(*out));
		for (int j = 0; j < 8; j++) {
			out[j] = m8 >> j & 1 ? a[j] + b[j] : c[j];
			out[8 + j] = a[j] ^ b[j] ^ c[j];
			out[16 + j] = (a[j] & b[j]) | (a[j] & c[j]) | (b[j] & c[j]); /* majority */
		}
		for (int j = 0; j < 16; j++) {
			uint32_t sel = get32(b, j);

			put32(out + 24, j, sel & 16 ? get32(c, sel & 15) : get32(a, sel & 15));
			out[32] |= (uint64_t)(get32(a, j) < get32(b, j)) << j;
			if (m16 >> j & 1)
				put32(out + 33, k++, get32(a, j));
			put32(out + 41, j, rol32(get32(a, j), get32(b, j) & 31));
		}
	}
}

/* ---- AVX512CD: vpconflictd, vplzcntq, vplzcntd ---- */

void g_avx512cd(uint64_t *in, int n, struct isa_rng *r)
{
	for (int i = 0; i < n; i++, in += 16) {
		for (int j = 0; j < 16; j++) /* few distinct values: conflicts happen */
			put32(in, j, (uint32_t)(isa_rng_next(r) % 6));
		g_bits(in + 8, 1, r, 8);
	}
}

KERNEL("avx512f,avx512cd") void k_avx512cd(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 16, out += 24) {
		__m512i a = LD(in), b = LD(in + 8);

		ST(out, _mm512_conflict_epi32(a));
		ST(out + 8, _mm512_lzcnt_epi64(b));
		ST(out + 16, _mm512_lzcnt_epi32(b));
	}
}

void r_avx512cd(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 16, out += 24) {
		memset(out, 0, 24 * sizeof(*out));
		for (int j = 0; j < 16; j++) {
			uint32_t bits = 0;

			for (int k = 0; k < j; k++)
				bits |= (uint32_t)(get32(in, k) == get32(in, j)) << k;
			put32(out, j, bits);
			put32(out + 16, j, (uint32_t)ref_lzcnt64(get32(in + 8, j)) - 32);
		}
		for (int j = 0; j < 8; j++)
			out[8 + j] = (uint64_t)ref_lzcnt64(in[8 + j]);
	}
}

/* ---- AVX512BW: masked vpaddusb, vpermw, vpcmpub, vpsadbw, vpacksswb ---- */

KERNEL("avx512f,avx512bw") void k_avx512bw(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 25, out += 33) {
		__m512i a = LD(in), b = LD(in + 8), idx = LD(in + 16);
		__mmask64 m = in[24];

		ST(out, _mm512_mask_adds_epu8(a, m, a, b));
		ST(out + 8, _mm512_permutexvar_epi16(idx, a));
		out[16] = _mm512_cmplt_epu8_mask(a, b);
		ST(out + 17, _mm512_sad_epu8(a, b));
		ST(out + 25, _mm512_packs_epi16(a, b));
	}
}

void r_avx512bw(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 25, out += 33) {
		const uint64_t *a = in, *b = in + 8, *idx = in + 16;
		uint64_t m = in[24];

		memset(out, 0, 33 * sizeof(*out));
		for (int j = 0; j < 64; j++) {
			put8(out, j, m >> j & 1 ? (uint8_t)sat_u8(get8(a, j) + get8(b, j)) : get8(a, j));
			out[16] |= (uint64_t)(get8(a, j) < get8(b, j)) << j;
		}
		for (int j = 0; j < 32; j++)
			put16(out + 8, j, get16(a, get16(idx, j) & 31));
		for (int q = 0; q < 8; q++) {
			uint64_t sad = 0;

			for (int k = 0; k < 8; k++) {
				int d = get8(a, 8 * q + k) - get8(b, 8 * q + k);

				sad += (uint64_t)(d < 0 ? -d : d);
			}
			out[17 + q] = sad;
		}
		/* per 128-bit lane: 8 words of a, then 8 of b, saturated to bytes */
		for (int lane = 0; lane < 4; lane++)
			for (int k = 0; k < 8; k++) {
				put8(out + 25, 16 * lane + k, (uint8_t)sat_i8((int16_t)get16(a, 8 * lane + k)));
				put8(out + 25, 16 * lane + 8 + k, (uint8_t)sat_i8((int16_t)get16(b, 8 * lane + k)));
			}
	}
}

/* ---- AVX512DQ: vpmullq, vcvtqq2pd, vcvttpd2qq, vpmovq2m ---- */

void g_avx512dq(uint64_t *in, int n, struct isa_rng *r)
{
	for (int i = 0; i < n; i++, in += 16) {
		for (int j = 0; j < 8; j++)
			in[j] = isa_rng_next(r);
		for (int j = 0; j < 8; j++) /* |x| < 2^62: truncation to int64 is defined */
			in[8 + j] = isa_rand_double(r, -4, 61);
	}
}

KERNEL("avx512f,avx512dq") void k_avx512dq(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 16, out += 33) {
		__m512i a = LD(in);
		__m512d d = _mm512_loadu_pd((const double *)(in + 8));

		ST(out, _mm512_mullo_epi64(a, _mm512_castpd_si512(d)));
		_mm512_storeu_pd((double *)(out + 8), _mm512_cvtepi64_pd(a));
		ST(out + 16, _mm512_cvttpd_epi64(d));
		out[24] = _mm512_movepi64_mask(a);
		ST(out + 25, _mm512_xor_si512(a, _mm512_castpd_si512(d)));
	}
}

void r_avx512dq(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 16, out += 33) {
		out[24] = 0;
		for (int j = 0; j < 8; j++) {
			out[j] = in[j] * in[8 + j];
			out[8 + j] = double_bits((double)(int64_t)in[j]);
			out[16 + j] = (uint64_t)(int64_t)as_double(in[8 + j]);
			out[24] |= (in[j] >> 63) << j;
			out[25 + j] = in[j] ^ in[8 + j];
		}
	}
}

/* ---- AVX512VL: EVEX on 256- and 128-bit registers ---- */

KERNEL("avx512f,avx512vl") void k_avx512vl(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 9, out += 15) {
		__m256i a = _mm256_loadu_si256((const __m256i *)in), b = _mm256_loadu_si256((const __m256i *)(in + 4));
		__mmask8 m = (__mmask8)in[8];

		_mm256_storeu_si256((__m256i *)out, _mm256_mask_add_epi32(a, m, a, b));
		_mm256_storeu_si256((__m256i *)(out + 4), _mm256_ternarylogic_epi64(a, b, a, 0x6c));
		_mm_storeu_si128((__m128i *)(out + 8), _mm_rol_epi32(_mm256_castsi256_si128(a), 7));
		_mm256_storeu_si256((__m256i *)(out + 10), _mm256_maskz_compress_epi32(m, a));
		out[14] = _mm256_cmpgt_epi64_mask(a, b);
	}
}

/* vpternlog: bit i of imm is the result for (a, b, c) bits forming i = 4a+2b+c. */
static uint64_t ternlog(uint64_t a, uint64_t b, uint64_t c, uint8_t imm)
{
	uint64_t r = 0;

	for (int bit = 0; bit < 64; bit++) {
		int idx = (int)((a >> bit & 1) << 2 | (b >> bit & 1) << 1 | (c >> bit & 1));

		r |= (uint64_t)(imm >> idx & 1) << bit;
	}
	return r;
}

void r_avx512vl(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 9, out += 15) {
		const uint64_t *a = in, *b = in + 4;
		unsigned m = in[8] & 0xff;
		int k = 0;

		memset(out, 0, 15 * sizeof(*out));
		for (int j = 0; j < 8; j++) {
			put32(out, j, m >> j & 1 ? get32(a, j) + get32(b, j) : get32(a, j));
			if (m >> j & 1)
				put32(out + 10, k++, get32(a, j));
		}
		for (int j = 0; j < 4; j++) {
			out[4 + j] = ternlog(a[j], b[j], a[j], 0x6c);
			put32(out + 8, j, rol32(get32(a, j), 7));
			out[14] |= (uint64_t)((int64_t)a[j] > (int64_t)b[j]) << j;
		}
	}
}

/* ---- AVX512VNNI: vpdpbusd(s), vpdpwssd(s) ---- */

KERNEL("avx512f,avx512vnni") void k_avx512vnni(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 24, out += 32) {
		__m512i a = LD(in), b = LD(in + 8), c = LD(in + 16);

		ST(out, _mm512_dpbusd_epi32(c, a, b));
		ST(out + 8, _mm512_dpbusds_epi32(c, a, b));
		ST(out + 16, _mm512_dpwssd_epi32(c, a, b));
		ST(out + 24, _mm512_dpwssds_epi32(c, a, b));
	}
}

void r_avx512vnni(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 24, out += 32)
		ref_vnni(in, in + 8, in + 16, 16, out, out + 8, out + 16, out + 24);
}

/* ---- AVX512VBMI: vpermb, vpermt2b, vpmultishiftqb ---- */

KERNEL("avx512f,avx512vbmi") void k_avx512vbmi(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 24, out += 24) {
		__m512i a = LD(in), idx = LD(in + 8), b = LD(in + 16);

		ST(out, _mm512_permutexvar_epi8(idx, a));
		ST(out + 8, _mm512_permutex2var_epi8(a, idx, b));
		ST(out + 16, _mm512_multishift_epi64_epi8(idx, a));
	}
}

void r_avx512vbmi(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 24, out += 24) {
		const uint64_t *a = in, *idx = in + 8, *b = in + 16;

		for (int j = 0; j < 64; j++) {
			uint8_t s = get8(idx, j);

			put8(out, j, get8(a, s & 63));
			put8(out + 8, j, s & 64 ? get8(b, s & 63) : get8(a, s & 63));
			/* byte j of qword j/8: 8 bits of a's qword from bit (s & 63) up, wrapping */
			put8(out + 16, j, (uint8_t)ror64(a[j / 8], s & 63));
		}
	}
}

/* ---- AVX512VBMI2: vpshldvd, vpshrdvq, vpcompressb, vpexpandw ---- */

KERNEL("avx512f,avx512bw,avx512vbmi2")
void k_avx512vbmi2(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 26, out += 32) {
		__m512i a = LD(in), b = LD(in + 8), c = LD(in + 16);

		ST(out, _mm512_shldv_epi32(a, b, c));
		ST(out + 8, _mm512_shrdv_epi64(a, b, c));
		ST(out + 16, _mm512_maskz_compress_epi8(in[24], a));
		ST(out + 24, _mm512_maskz_expand_epi16((__mmask32)in[25], b));
	}
}

void r_avx512vbmi2(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 26, out += 32) {
		const uint64_t *a = in, *b = in + 8, *c = in + 16;
		uint64_t m = in[24];
		uint32_t e = (uint32_t)in[25];
		int k = 0;

		memset(out, 0, 32 * sizeof(*out));
		for (int j = 0; j < 16; j++) { /* (a:b) << c, upper half */
			uint64_t t = ((uint64_t)get32(a, j) << 32 | get32(b, j)) << (get32(c, j) & 31);

			put32(out, j, (uint32_t)(t >> 32));
		}
		for (int j = 0; j < 8; j++) { /* (b:a) >> c, lower half */
			unsigned __int128 t = ((unsigned __int128)b[j] << 64 | a[j]) >> (c[j] & 63);

			out[8 + j] = (uint64_t)t;
		}
		for (int j = 0; j < 64; j++)
			if (m >> j & 1)
				put8(out + 16, k++, get8(a, j));
		k = 0;
		for (int j = 0; j < 32; j++)
			if (e >> j & 1)
				put16(out + 24, j, get16(b, k++));
	}
}

/* ---- AVX512IFMA: vpmadd52luq, vpmadd52huq ---- */

KERNEL("avx512f,avx512ifma") void k_avx512ifma(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 24, out += 16) {
		__m512i a = LD(in), b = LD(in + 8), c = LD(in + 16);

		ST(out, _mm512_madd52lo_epu64(a, b, c));
		ST(out + 8, _mm512_madd52hi_epu64(a, b, c));
	}
}

#define LOW52 ((1ULL << 52) - 1)

void r_avx512ifma(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 24, out += 16)
		for (int j = 0; j < 8; j++) {
			unsigned __int128 p = (unsigned __int128)(in[8 + j] & LOW52) * (in[16 + j] & LOW52);

			out[j] = in[j] + ((uint64_t)p & LOW52);
			out[8 + j] = in[j] + (uint64_t)(p >> 52);
		}
}

/* ---- AVX512BITALG: vpopcntb, vpopcntw, vpshufbitqmb ---- */

KERNEL("avx512f,avx512bw,avx512bitalg")
void k_avx512bitalg(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 16, out += 17) {
		__m512i a = LD(in), b = LD(in + 8);

		ST(out, _mm512_popcnt_epi8(a));
		ST(out + 8, _mm512_popcnt_epi16(a));
		out[16] = _mm512_bitshuffle_epi64_mask(a, b);
	}
}

void r_avx512bitalg(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 16, out += 17) {
		out[16] = 0;
		for (int j = 0; j < 64; j++) {
			put8(out, j, (uint8_t)ref_popcount64(get8(in, j)));
			out[16] |= (in[j / 8] >> (get8(in + 8, j) & 63) & 1) << j;
		}
		for (int j = 0; j < 32; j++)
			put16(out + 8, j, (uint16_t)ref_popcount64(get16(in, j)));
	}
}

/* ---- AVX512VPOPCNTDQ: vpopcntq, vpopcntd ---- */

void g_vpopcnt(uint64_t *in, int n, struct isa_rng *r) { g_bits(in, n, r, 8); }

KERNEL("avx512f,avx512vpopcntdq")
void k_avx512vpopcntdq(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 8, out += 16) {
		__m512i a = LD(in);

		ST(out, _mm512_popcnt_epi64(a));
		ST(out + 8, _mm512_popcnt_epi32(a));
	}
}

void r_avx512vpopcntdq(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 8, out += 16)
		for (int j = 0; j < 8; j++) {
			out[j] = (uint64_t)ref_popcount64(in[j]);
			out[8 + j] = (uint64_t)ref_popcount64(in[j] & 0xffffffff) |
				     (uint64_t)ref_popcount64(in[j] >> 32) << 32;
		}
}

/* ---- AVX512-BF16: vdpbf16ps, vcvtne2ps2bf16, vcvtneps2bf16 ----
 * Intel SDM vol. 2: the conversions round to nearest even without reading
 * MXCSR and flush denormals to zero; VDPBF16PS adds the odd pair's product
 * to the accumulator, then the even pair's, each sum rounded to nearest
 * even. Inputs stay normal and the products of two 8-bit significands are
 * exact in binary32, so only those two roundings matter. */

#define BF16_IN 40
#define BF16_OUT 20

static uint32_t rand_bf16(struct isa_rng *r, int emin, int emax)
{
	return isa_rand_float(r, emin, emax) >> 16;
}

void g_avx512bf16(uint64_t *in, int n, struct isa_rng *r)
{
	for (int i = 0; i < n; i++, in += BF16_IN) {
		uint32_t *w = (uint32_t *)in;

		for (int j = 0; j < 16; j++) { /* 32 bf16 of a, then of b */
			w[j] = rand_bf16(r, -8, 8) | rand_bf16(r, -8, 8) << 16;
			w[16 + j] = rand_bf16(r, -8, 8) | rand_bf16(r, -8, 8) << 16;
		}
		for (int j = 0; j < 16; j++) /* the accumulator */
			w[32 + j] = isa_rand_float(r, -4, 12);
		for (int j = 0; j < 32; j++) { /* to convert; every fourth an exact tie */
			w[48 + j] = isa_rand_float(r, -100, 100);
			if (isa_rng_next(r) % 4 == 0)
				w[48 + j] = (w[48 + j] & 0xffff0000U) | 0x8000U;
		}
	}
}

KERNEL("avx512f,avx512bw,avx512vl,avx512bf16")
void k_avx512bf16(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += BF16_IN, out += BF16_OUT) {
		__m512bh a = (__m512bh)LD(in), b = (__m512bh)LD(in + 8);
		__m512 acc = _mm512_castsi512_ps(LD(in + 16));
		__m512 x = _mm512_castsi512_ps(LD(in + 24)), y = _mm512_castsi512_ps(LD(in + 32));

		ST(out, _mm512_castps_si512(_mm512_dpbf16_ps(acc, a, b)));
		ST(out + 8, (__m512i)_mm512_cvtne2ps_pbh(y, x)); /* x in the low half */
		_mm256_storeu_si256((__m256i *)(out + 16), (__m256i)_mm512_cvtneps_pbh(x));
	}
}

static float bf16_to_float(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;

	memcpy(&f, &u, 4);
	return f;
}

void r_avx512bf16(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += BF16_IN, out += BF16_OUT) {
		const uint16_t *a = (const uint16_t *)in, *b = (const uint16_t *)(in + 8);
		const uint32_t *acc = (const uint32_t *)(in + 16), *x = (const uint32_t *)(in + 24);
		uint32_t *o = (uint32_t *)out;
		uint16_t *h = (uint16_t *)(out + 8), *h2 = (uint16_t *)(out + 16);

		for (int j = 0; j < 16; j++) {
			float s;

			memcpy(&s, &acc[j], 4);
			s += bf16_to_float(a[2 * j + 1]) * bf16_to_float(b[2 * j + 1]);
			s += bf16_to_float(a[2 * j]) * bf16_to_float(b[2 * j]);
			memcpy(&o[j], &s, 4);
		}
		for (int j = 0; j < 32; j++) /* x then y */
			h[j] = ref_float_to_bf16(x[j]);
		for (int j = 0; j < 16; j++)
			h2[j] = ref_float_to_bf16(x[j]);
	}
}
