/* Kernels and references of the VEX-encoded vector extensions: AVX, AVX2,
 * FMA, F16C and AVX-VNNI. All of them need the OS to have enabled the YMM
 * state in XCR0, or they raise #UD whatever CPUID says. */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "isa.h"
#include "kernels.h"
#include "ref.h"

/* ---- F16C: vcvtph2ps, vcvtps2ph (nearest even and toward zero) ---- */

void g_f16c(uint64_t *in, int n, struct isa_rng *r)
{
	for (int i = 0; i < n; i++, in += 6) {
		for (int j = 0; j < 8; j++) {
			uint16_t h = (uint16_t)isa_rng_next(r);

			if ((h & 0x7c00) == 0x7c00) /* NaN payloads: not compared; infinity kept */
				h &= 0xfc00;
			put16(in, j, h);
		}
		/* Floats around the half range: subnormal halves, overflow, ties. */
		for (int j = 0; j < 8; j++)
			put32(in + 2, j, isa_rand_float(r, -27, 17));
		if (i % 2)
			in[2] &= ~0x0fffULL; /* low mantissa bits clear: exact ties */
	}
}

KERNEL("f16c") void k_f16c(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 6, out += 8) {
		__m128i h = _mm_loadu_si128((const __m128i *)in);
		__m256 f = _mm256_loadu_ps((const float *)(in + 2));

		_mm256_storeu_ps((float *)out, _mm256_cvtph_ps(h));
		_mm_storeu_si128((__m128i *)(out + 4), _mm256_cvtps_ph(f, _MM_FROUND_TO_NEAREST_INT));
		_mm_storeu_si128((__m128i *)(out + 6), _mm256_cvtps_ph(f, _MM_FROUND_TO_ZERO));
	}
}

void r_f16c(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 6, out += 8)
		for (int j = 0; j < 8; j++) {
			put32(out, j, ref_half_to_float(get16(in, j)));
			put16(out + 4, j, ref_float_to_half(get32(in + 2, j), false));
			put16(out + 6, j, ref_float_to_half(get32(in + 2, j), true));
		}
}

/* ---- FMA: vfmadd, vfmsub, vfnmadd (pd), vfmadd (ps), against fma() ---- */

void g_fma(uint64_t *in, int n, struct isa_rng *r)
{
	for (int i = 0; i < n; i++, in += 24) {
		for (int j = 0; j < 12; j++)
			in[j] = isa_rand_double(r, -100, 100);
		/* c = -(a*b) rounded: only a fused multiply-add sees the residual */
		in[8] = double_bits(-(as_double(in[0]) * as_double(in[4])));
		for (int j = 0; j < 24; j++)
			put32(in + 12, j, isa_rand_float(r, -40, 40));
		put32(in + 12, 16, float_bits(-(as_float(get32(in + 12, 0)) * as_float(get32(in + 12, 8)))));
	}
}

KERNEL("fma") void k_fma(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 24, out += 16) {
		__m256d a = _mm256_loadu_pd((const double *)in), b = _mm256_loadu_pd((const double *)(in + 4));
		__m256d c = _mm256_loadu_pd((const double *)(in + 8));
		__m256 fa = _mm256_loadu_ps((const float *)(in + 12)), fb = _mm256_loadu_ps((const float *)(in + 16));
		__m256 fc = _mm256_loadu_ps((const float *)(in + 20));

		_mm256_storeu_pd((double *)out, _mm256_fmadd_pd(a, b, c));
		_mm256_storeu_pd((double *)(out + 4), _mm256_fmsub_pd(a, b, c));
		_mm256_storeu_pd((double *)(out + 8), _mm256_fnmadd_pd(a, b, c));
		_mm256_storeu_ps((float *)(out + 12), _mm256_fmadd_ps(fa, fb, fc));
	}
}

void r_fma(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 24, out += 16) {
		for (int j = 0; j < 4; j++) {
			double a = as_double(in[j]), b = as_double(in[4 + j]), c = as_double(in[8 + j]);

			out[j] = double_bits(fma(a, b, c));
			out[4 + j] = double_bits(fma(a, b, -c));
			out[8 + j] = double_bits(fma(-a, b, c));
		}
		for (int j = 0; j < 8; j++) {
			float a = as_float(get32(in + 12, j)), b = as_float(get32(in + 12, 8 + j));
			float c = as_float(get32(in + 12, 16 + j));

			put32(out + 12, j, float_bits(fmaf(a, b, c)));
		}
	}
}

/* ---- AVX: vaddsubpd, vhaddpd, vperm2f128, vdivpd, vsqrtpd, vblendvpd ---- */

void g_avx(uint64_t *in, int n, struct isa_rng *r) { g_doubles(in, n, r, 8); }

KERNEL("avx") void k_avx(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 8, out += 24) {
		__m256d a = _mm256_loadu_pd((const double *)in), b = _mm256_loadu_pd((const double *)(in + 4));
		__m256d absa = _mm256_andnot_pd(_mm256_set1_pd(-0.0), a);

		_mm256_storeu_pd((double *)out, _mm256_addsub_pd(a, b));
		_mm256_storeu_pd((double *)(out + 4), _mm256_hadd_pd(a, b));
		_mm256_storeu_pd((double *)(out + 8), _mm256_permute2f128_pd(a, b, 0x21));
		_mm256_storeu_pd((double *)(out + 12), _mm256_div_pd(a, b));
		_mm256_storeu_pd((double *)(out + 16), _mm256_sqrt_pd(absa));
		_mm256_storeu_pd((double *)(out + 20), _mm256_blendv_pd(a, b, _mm256_xor_pd(a, b)));
	}
}

void r_avx(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 8, out += 24) {
		double a[4], b[4];

		for (int j = 0; j < 4; j++) {
			a[j] = as_double(in[j]);
			b[j] = as_double(in[4 + j]);
		}
		for (int j = 0; j < 4; j++) {
			out[j] = double_bits(j % 2 ? a[j] + b[j] : a[j] - b[j]);
			out[12 + j] = double_bits(a[j] / b[j]);
			out[16 + j] = double_bits(sqrt(fabs(a[j])));
			out[20 + j] = (in[j] ^ in[4 + j]) >> 63 ? in[4 + j] : in[j];
		}
		/* per 128-bit lane: {a0+a1, b0+b1}, {a2+a3, b2+b3} */
		out[4] = double_bits(a[0] + a[1]);
		out[5] = double_bits(b[0] + b[1]);
		out[6] = double_bits(a[2] + a[3]);
		out[7] = double_bits(b[2] + b[3]);
		/* imm 0x21: low lane <- a's high lane, high lane <- b's low lane */
		out[8] = in[2];
		out[9] = in[3];
		out[10] = in[4];
		out[11] = in[5];
	}
}

/* ---- AVX2: vpshufb, vpermd, vpsllvd, vpsrlvq, vpgatherdd, vpmaddwd ---- */

#define GATHER_TABLE 256

static uint32_t gather_table[GATHER_TABLE];

static const uint32_t *gather_values(void)
{
	if (!gather_table[1])
		for (uint32_t i = 0; i < GATHER_TABLE; i++)
			gather_table[i] = (i + 1) * 0x9e3779b1U ^ i << 7;
	return gather_table;
}

void g_avx2(uint64_t *in, int n, struct isa_rng *r)
{
	for (int i = 0; i < n; i++, in += 20) {
		for (int j = 0; j < 12; j++)
			in[j] = isa_rng_next(r);
		for (int j = 0; j < 8; j++) /* dword shift counts 0..40: some >= 32 */
			put32(in + 12, j, (uint32_t)(isa_rng_next(r) % 41));
		for (int j = 0; j < 4; j++) /* qword shift counts 0..70 */
			in[16 + j] = isa_rng_next(r) % 71;
	}
}

KERNEL("avx2") void k_avx2(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	const int *table = (const int *)gather_values();

	(void)ctx;
	for (int i = 0; i < n; i++, in += 20, out += 24) {
		__m256i a = _mm256_loadu_si256((const __m256i *)in), b = _mm256_loadu_si256((const __m256i *)(in + 4));
		__m256i idx = _mm256_loadu_si256((const __m256i *)(in + 8));
		__m256i cd = _mm256_loadu_si256((const __m256i *)(in + 12));
		__m256i cq = _mm256_loadu_si256((const __m256i *)(in + 16));
		__m256i gidx = _mm256_and_si256(idx, _mm256_set1_epi32(GATHER_TABLE - 1));

		_mm256_storeu_si256((__m256i *)out, _mm256_shuffle_epi8(a, b));
		_mm256_storeu_si256((__m256i *)(out + 4), _mm256_permutevar8x32_epi32(a, idx));
		_mm256_storeu_si256((__m256i *)(out + 8), _mm256_sllv_epi32(a, cd));
		_mm256_storeu_si256((__m256i *)(out + 12), _mm256_srlv_epi64(b, cq));
		_mm256_storeu_si256((__m256i *)(out + 16), _mm256_i32gather_epi32(table, gidx, 4));
		_mm256_storeu_si256((__m256i *)(out + 20), _mm256_madd_epi16(a, b));
	}
}

void r_avx2(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	const uint32_t *table = gather_values();

	(void)ctx;
	for (int i = 0; i < n; i++, in += 20, out += 24) {
		const uint64_t *a = in, *b = in + 4, *idx = in + 8;

		memset(out, 0, 24 * sizeof(*out));
		for (int j = 0; j < 32; j++) { /* pshufb stays within each 128-bit lane */
			uint8_t sel = get8(b, j);

			put8(out, j, sel & 0x80 ? 0 : get8(a, (j & 16) + (sel & 15)));
		}
		for (int j = 0; j < 8; j++) {
			uint32_t c = get32(in + 12, j);
			int32_t s = (int16_t)get16(a, 2 * j) * (int16_t)get16(b, 2 * j);

			put32(out + 4, j, get32(a, get32(idx, j) & 7));
			put32(out + 8, j, c > 31 ? 0 : get32(a, j) << c);
			put32(out + 16, j, table[get32(idx, j) & (GATHER_TABLE - 1)]);
			/* -32768 * -32768 twice overflows: the instruction wraps too */
			put32(out + 20, j, (uint32_t)s + (uint32_t)((int16_t)get16(a, 2 * j + 1) * (int16_t)get16(b, 2 * j + 1)));
		}
		for (int j = 0; j < 4; j++)
			out[12 + j] = in[16 + j] > 63 ? 0 : b[j] >> in[16 + j];
	}
}

/* ---- AVX-VNNI (VEX): vpdpbusd, vpdpwssd ---- */

KERNEL("avxvnni") void k_avxvnni(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 12, out += 8) {
		__m256i a = _mm256_loadu_si256((const __m256i *)in), b = _mm256_loadu_si256((const __m256i *)(in + 4));
		__m256i c = _mm256_loadu_si256((const __m256i *)(in + 8));

		_mm256_storeu_si256((__m256i *)out, _mm256_dpbusd_avx_epi32(c, a, b));
		_mm256_storeu_si256((__m256i *)(out + 4), _mm256_dpwssd_avx_epi32(c, a, b));
	}
}

/* Shared with AVX512-VNNI: dword lanes j of c plus the dot products. */
void ref_vnni(const uint64_t *a, const uint64_t *b, const uint64_t *c, int lanes, uint64_t *bus, uint64_t *buss,
	      uint64_t *wss, uint64_t *wsss)
{
	for (int j = 0; j < lanes; j++) {
		int64_t pb = 0, pw = 0;

		for (int k = 0; k < 4; k++)
			pb += (int64_t)get8(a, 4 * j + k) * (int8_t)get8(b, 4 * j + k);
		for (int k = 0; k < 2; k++)
			pw += (int64_t)(int16_t)get16(a, 2 * j + k) * (int16_t)get16(b, 2 * j + k);
		if (bus)
			put32(bus, j, get32(c, j) + (uint32_t)pb);
		if (buss)
			put32(buss, j, (uint32_t)sat_i32((int32_t)get32(c, j) + pb));
		if (wss)
			put32(wss, j, get32(c, j) + (uint32_t)pw);
		if (wsss)
			put32(wsss, j, (uint32_t)sat_i32((int32_t)get32(c, j) + pw));
	}
}

void r_avxvnni(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 12, out += 8)
		ref_vnni(in, in + 4, in + 8, 8, out, NULL, out + 4, NULL);
}
