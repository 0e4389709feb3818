/* Kernels and references of the scalar and 128-bit extensions: SSE2 to
 * SSE4.2, POPCNT, LZCNT, BMI1/2, MOVBE, ADX, CMPXCHG16B, LAHF/SAHF.
 *
 * Where a compiler could pick another instruction for an intrinsic (BMI
 * helpers are plain C in GCC's headers), the kernel uses inline assembly,
 * so the instruction under test is the one that runs. */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "isa.h"
#include "kernels.h"
#include "ref.h"

/* ---- SSE2: paddq, pmuludq, psadbw ---- */

KERNEL("sse2") void k_sse2(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 6) {
		__m128i a = _mm_loadu_si128((const __m128i *)in), b = _mm_loadu_si128((const __m128i *)(in + 2));

		_mm_storeu_si128((__m128i *)out, _mm_add_epi64(a, b));
		_mm_storeu_si128((__m128i *)(out + 2), _mm_mul_epu32(a, b));
		_mm_storeu_si128((__m128i *)(out + 4), _mm_sad_epu8(a, b));
	}
}

void r_sse2(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 6) {
		for (int q = 0; q < 2; q++) {
			uint64_t sad = 0;

			out[q] = in[q] + in[2 + q];
			out[2 + q] = (in[q] & 0xffffffff) * (in[2 + q] & 0xffffffff);
			for (int b = 0; b < 8; b++) {
				int d = get8(in, 8 * q + b) - get8(in + 2, 8 * q + b);

				sad += (uint64_t)(d < 0 ? -d : d);
			}
			out[4 + q] = sad;
		}
	}
}

/* ---- SSE3: addsubpd, haddpd, hsubpd ---- */

void g_doubles(uint64_t *in, int n, struct isa_rng *r, int per_iter)
{
	for (int i = 0; i < n * per_iter; i++)
		in[i] = isa_rand_double(r, -60, 60);
}

void g_sse3(uint64_t *in, int n, struct isa_rng *r) { g_doubles(in, n, r, 4); }

KERNEL("sse3") void k_sse3(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 6) {
		__m128d a = _mm_loadu_pd((const double *)in), b = _mm_loadu_pd((const double *)(in + 2));

		_mm_storeu_pd((double *)out, _mm_addsub_pd(a, b));
		_mm_storeu_pd((double *)(out + 2), _mm_hadd_pd(a, b));
		_mm_storeu_pd((double *)(out + 4), _mm_hsub_pd(a, b));
	}
}

void r_sse3(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 6) {
		double a0 = as_double(in[0]), a1 = as_double(in[1]), b0 = as_double(in[2]), b1 = as_double(in[3]);

		out[0] = double_bits(a0 - b0);
		out[1] = double_bits(a1 + b1);
		out[2] = double_bits(a0 + a1);
		out[3] = double_bits(b0 + b1);
		out[4] = double_bits(a0 - a1);
		out[5] = double_bits(b0 - b1);
	}
}

/* ---- SSSE3: pshufb, pmaddubsw, palignr, pabsd, phaddw ---- */

KERNEL("ssse3") void k_ssse3(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 10) {
		__m128i a = _mm_loadu_si128((const __m128i *)in), b = _mm_loadu_si128((const __m128i *)(in + 2));

		_mm_storeu_si128((__m128i *)out, _mm_shuffle_epi8(a, b));
		_mm_storeu_si128((__m128i *)(out + 2), _mm_maddubs_epi16(a, b));
		_mm_storeu_si128((__m128i *)(out + 4), _mm_alignr_epi8(a, b, 5));
		_mm_storeu_si128((__m128i *)(out + 6), _mm_abs_epi32(b));
		_mm_storeu_si128((__m128i *)(out + 8), _mm_hadd_epi16(a, b));
	}
}

void r_ssse3(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 10) {
		const uint64_t *a = in, *b = in + 2;

		memset(out, 0, 10 * sizeof(*out));
		for (int j = 0; j < 16; j++) {
			uint8_t sel = get8(b, j);

			put8(out, j, sel & 0x80 ? 0 : get8(a, sel & 15));
			put8(out + 4, j, j + 5 < 16 ? get8(b, j + 5) : get8(a, j + 5 - 16));
		}
		for (int j = 0; j < 8; j++) {
			int32_t s = get8(a, 2 * j) * (int8_t)get8(b, 2 * j) +
				    get8(a, 2 * j + 1) * (int8_t)get8(b, 2 * j + 1);
			const uint64_t *src = j < 4 ? a : b;
			int k = j % 4;

			put16(out + 2, j, (uint16_t)sat_i16(s));
			put16(out + 8, j, (uint16_t)(get16(src, 2 * k) + get16(src, 2 * k + 1)));
		}
		for (int j = 0; j < 4; j++) {
			uint32_t x = get32(b, j);

			put32(out + 6, j, (int32_t)x < 0 ? 0U - x : x);
		}
	}
}

/* ---- SSE4.1: pmulld, pminsd, pblendvb, ptest, roundpd, packusdw, phminposuw ---- */

void g_sse41(uint64_t *in, int n, struct isa_rng *r)
{
	for (int i = 0; i < n; i++, in += 6) {
		for (int j = 0; j < 4; j++)
			in[j] = isa_rng_next(r);
		if (i % 4 == 0)
			in[2] &= ~in[0]; /* ptest: sometimes (a & b) == 0 */
		in[4] = isa_rand_double(r, -10, 60);
		in[5] = isa_rand_double(r, -10, 60);
	}
}

KERNEL("sse4.1") void k_sse41(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 6, out += 12) {
		__m128i a = _mm_loadu_si128((const __m128i *)in), b = _mm_loadu_si128((const __m128i *)(in + 2));
		__m128d d = _mm_loadu_pd((const double *)(in + 4));

		_mm_storeu_si128((__m128i *)out, _mm_mullo_epi32(a, b));
		_mm_storeu_si128((__m128i *)(out + 2), _mm_min_epi32(a, b));
		_mm_storeu_si128((__m128i *)(out + 4), _mm_blendv_epi8(a, b, _mm_xor_si128(a, b)));
		out[6] = (uint64_t)_mm_testz_si128(a, b) | (uint64_t)_mm_testc_si128(a, b) << 1;
		_mm_storeu_pd((double *)(out + 7), _mm_round_pd(d, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC));
		_mm_storeu_si128((__m128i *)(out + 9), _mm_packus_epi32(a, b));
		out[11] = (uint64_t)_mm_cvtsi128_si64(_mm_minpos_epu16(a));
	}
}

void r_sse41(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 6, out += 12) {
		const uint64_t *a = in, *b = in + 2;
		uint16_t minv = 0xffff;
		int mini = 0;

		memset(out, 0, 12 * sizeof(*out));
		for (int j = 0; j < 4; j++) {
			int32_t x = (int32_t)get32(a, j), y = (int32_t)get32(b, j);

			put32(out, j, get32(a, j) * get32(b, j));
			put32(out + 2, j, (uint32_t)(x < y ? x : y));
			put16(out + 9, j, (uint16_t)sat_u16(x));
			put16(out + 9, j + 4, (uint16_t)sat_u16(y));
		}
		for (int j = 0; j < 16; j++)
			put8(out + 4, j, (get8(a, j) ^ get8(b, j)) & 0x80 ? get8(b, j) : get8(a, j));
		out[6] = (uint64_t)(((a[0] & b[0]) | (a[1] & b[1])) == 0) |
			 (uint64_t)(((~a[0] & b[0]) | (~a[1] & b[1])) == 0) << 1;
		out[7] = double_bits(floor(as_double(in[4])));
		out[8] = double_bits(floor(as_double(in[5])));
		for (int j = 0; j < 8; j++)
			if (get16(a, j) < minv) {
				minv = get16(a, j);
				mini = j;
			}
		out[11] = minv | (uint64_t)mini << 16;
	}
}

/* ---- SSE4.2: CRC32C (u8, u32 and u64 forms) ---- */

KERNEL("sse4.2") void k_crc32c(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 9, out += 3) {
		uint64_t c64 = (uint32_t)in[8];
		uint32_t c8 = (uint32_t)in[8], c32 = (uint32_t)in[8];

		for (int j = 0; j < 8; j++)
			c64 = _mm_crc32_u64(c64, in[j]);
		for (int j = 0; j < 8; j++)
			c8 = _mm_crc32_u8(c8, get8(in, j));
		for (int j = 0; j < 4; j++)
			c32 = _mm_crc32_u32(c32, get32(in, j));
		out[0] = c64;
		out[1] = c8;
		out[2] = c32;
	}
}

void r_crc32c(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 9, out += 3) {
		out[0] = ref_crc32c((uint32_t)in[8], in, 64);
		out[1] = ref_crc32c((uint32_t)in[8], in, 8);
		out[2] = ref_crc32c((uint32_t)in[8], in, 16);
	}
}

/* ---- SSE4.2: PCMPISTRI / PCMPESTRI (string compare) ---- */

void g_pcmpstr(uint64_t *in, int n, struct isa_rng *r)
{
	/* A small alphabet with NULs, so matches and string ends happen. */
	for (int i = 0; i < n; i++, in += 5) {
		for (int j = 0; j < 32; j++) {
			uint64_t x = isa_rng_next(r);

			put8(in, j, x % 13 == 0 ? 0 : (uint8_t)('a' + x % 5));
		}
		in[4] = isa_rng_next(r) % 17 | (isa_rng_next(r) % 17) << 8;
	}
}

#define STR_ANY (_SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY | _SIDD_LEAST_SIGNIFICANT)
#define STR_EACH_NEG (_SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_EACH | _SIDD_NEGATIVE_POLARITY | _SIDD_LEAST_SIGNIFICANT)

KERNEL("sse4.2") void k_pcmpstr(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 5, out += 3) {
		__m128i a = _mm_loadu_si128((const __m128i *)in), b = _mm_loadu_si128((const __m128i *)(in + 2));
		int la = (int)(in[4] & 0xff), lb = (int)(in[4] >> 8 & 0xff);

		out[0] = (uint64_t)_mm_cmpistri(a, b, STR_ANY);
		out[1] = (uint64_t)_mm_cmpistri(a, b, STR_EACH_NEG);
		out[2] = (uint64_t)_mm_cmpestri(a, la, b, lb, STR_ANY);
	}
}

static int strlen16(const uint64_t *v)
{
	int i = 0;

	while (i < 16 && get8(v, i))
		i++;
	return i;
}

static int first_any(const uint64_t *a, int la, const uint64_t *b, int lb)
{
	for (int j = 0; j < lb; j++)
		for (int k = 0; k < la; k++)
			if (get8(a, k) == get8(b, j))
				return j;
	return 16;
}

void r_pcmpstr(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 5, out += 3) {
		const uint64_t *a = in, *b = in + 2;
		int la = strlen16(a), lb = strlen16(b), diff = 16;

		out[0] = (uint64_t)first_any(a, la, b, lb);
		/* Equal-each: past both ends counts as equal, past one as not. */
		for (int j = 0; j < 16 && diff == 16; j++) {
			bool va = j < la, vb = j < lb;
			bool eq = va && vb ? get8(a, j) == get8(b, j) : !va && !vb;

			if (!eq)
				diff = j;
		}
		out[1] = (uint64_t)diff;
		out[2] = (uint64_t)first_any(a, (int)(in[4] & 0xff), b, (int)(in[4] >> 8 & 0xff));
	}
}

/* ---- bit counting: POPCNT, LZCNT ---- */

/* Words with varied leading and trailing zeros, and some zeros. */
void g_bits(uint64_t *in, int n, struct isa_rng *r, int per_iter)
{
	for (int i = 0; i < n * per_iter; i++) {
		uint64_t x = isa_rng_next(r), s = isa_rng_next(r);

		x = (x >> (s & 63)) << (s >> 6 & 63);
		in[i] = s % 16 == 0 ? 0 : x;
	}
}

void g_popcnt(uint64_t *in, int n, struct isa_rng *r) { g_bits(in, n, r, 4); }

KERNEL("popcnt") void k_popcnt(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < 4 * n; i++)
		out[i] = (uint64_t)_mm_popcnt_u64(in[i]);
}

void r_popcnt(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < 4 * n; i++)
		out[i] = (uint64_t)ref_popcount64(in[i]);
}

/* Without LZCNT the same bytes run as BSR (the F3 prefix is ignored), so
 * an unadvertised LZCNT shows as a wrong result rather than a fault. */
KERNEL("lzcnt") void k_lzcnt(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < 4 * n; i++) {
		out[2 * i] = _lzcnt_u64(in[i]);
		out[2 * i + 1] = _lzcnt_u32((uint32_t)in[i]);
	}
}

void r_lzcnt(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < 4 * n; i++) {
		out[2 * i] = (uint64_t)ref_lzcnt64(in[i]);
		out[2 * i + 1] = (uint64_t)ref_lzcnt64((uint32_t)in[i]) - 32;
	}
}

/* ---- BMI1: andn, blsi, blsmsk, blsr, tzcnt, bextr ---- */

void g_bmi1(uint64_t *in, int n, struct isa_rng *r)
{
	g_bits(in, n, r, 4);
	for (int i = 0; i < n; i++) /* bextr control: start and length 0..71 */
		in[4 * i + 2] = isa_rng_next(r) % 72 | (isa_rng_next(r) % 72) << 8;
}

KERNEL("bmi") void k_bmi1(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 7) {
		uint64_t x = in[0], y = in[1], ctl = in[2];
		uint32_t z = (uint32_t)in[3], t32;

		__asm__("andn %2, %1, %0" : "=r"(out[0]) : "r"(x), "rm"(y) : "cc");
		__asm__("blsi %1, %0" : "=r"(out[1]) : "rm"(x) : "cc");
		__asm__("blsmsk %1, %0" : "=r"(out[2]) : "rm"(x) : "cc");
		__asm__("blsr %1, %0" : "=r"(out[3]) : "rm"(x) : "cc");
		__asm__("tzcnt %1, %0" : "=r"(out[4]) : "rm"(x) : "cc");
		__asm__("tzcntl %1, %0" : "=r"(t32) : "rm"(z) : "cc");
		out[5] = t32;
		__asm__("bextr %2, %1, %0" : "=r"(out[6]) : "rm"(y), "r"(ctl) : "cc");
	}
}

void r_bmi1(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 7) {
		uint64_t x = in[0], y = in[1];
		unsigned start = in[2] & 0xff, len = in[2] >> 8 & 0xff;
		uint64_t t = start < 64 ? y >> start : 0;

		out[0] = ~x & y;
		out[1] = x & (0 - x);
		out[2] = x ^ (x - 1);
		out[3] = x & (x - 1);
		out[4] = (uint64_t)ref_tzcnt64(x);
		out[5] = (uint32_t)in[3] ? (uint64_t)ref_tzcnt64((uint32_t)in[3]) : 32;
		out[6] = len >= 64 ? t : t & ((1ULL << len) - 1);
	}
}

/* ---- BMI2: pdep, pext, bzhi, mulx, shlx, sarx, shrx, rorx ---- */

void g_bmi2(uint64_t *in, int n, struct isa_rng *r)
{
	for (int i = 0; i < n; i++, in += 4) {
		in[0] = isa_rng_next(r);
		in[1] = isa_rng_next(r) & isa_rng_next(r); /* sparse masks */
		in[2] = isa_rng_next(r);
		in[3] = isa_rng_next(r) % 80; /* bzhi index and shift counts */
	}
}

KERNEL("bmi2") void k_bmi2(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 9) {
		uint64_t x = in[0], m = in[1], y = in[2], s = in[3], lo, hi;

		out[0] = _pdep_u64(x, m);
		out[1] = _pext_u64(x, m);
		out[2] = _bzhi_u64(x, (unsigned)s);
		__asm__("mulx %3, %0, %1" : "=r"(lo), "=r"(hi) : "d"(x), "rm"(y));
		out[3] = lo;
		out[4] = hi;
		__asm__("shlx %2, %1, %0" : "=r"(out[5]) : "rm"(x), "r"(s));
		__asm__("sarx %2, %1, %0" : "=r"(out[6]) : "rm"(y), "r"(s));
		__asm__("shrx %2, %1, %0" : "=r"(out[7]) : "rm"(y), "r"(s));
		__asm__("rorx $13, %1, %0" : "=r"(out[8]) : "rm"(x));
	}
}

void r_bmi2(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 9) {
		uint64_t x = in[0], m = in[1], y = in[2], dep = 0, ext = 0;
		unsigned s = (unsigned)in[3], k = 0, idx = s & 0xff;
		unsigned __int128 p = (unsigned __int128)x * y;

		for (int b = 0; b < 64; b++)
			if (m >> b & 1) {
				dep |= (x >> k & 1) << b;
				ext |= (x >> b & 1) << k;
				k++;
			}
		out[0] = dep;
		out[1] = ext;
		out[2] = idx >= 64 ? x : x & ((1ULL << idx) - 1);
		out[3] = (uint64_t)p;
		out[4] = (uint64_t)(p >> 64);
		out[5] = x << (s & 63);
		out[6] = (uint64_t)((int64_t)y >> (s & 63));
		out[7] = y >> (s & 63);
		out[8] = ror64(x, 13);
	}
}

/* ---- MOVBE: big-endian loads (64, 32, 16 bit) and store ---- */

KERNEL("movbe") void k_movbe(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in++, out += 4) {
		uint64_t q, st;
		uint32_t d;
		uint16_t w;

		__asm__("movbe %1, %0" : "=r"(q) : "m"(*in));
		__asm__("movbel %1, %0" : "=r"(d) : "m"(*(const uint32_t *)in));
		__asm__("movbew %1, %0" : "=r"(w) : "m"(*(const uint16_t *)in));
		__asm__("movbe %1, %0" : "=m"(st) : "r"(in[0]));
		out[0] = q;
		out[1] = d;
		out[2] = w;
		out[3] = st;
	}
}

void r_movbe(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in++, out += 4) {
		uint64_t be = 0;

		for (int b = 0; b < 8; b++)
			be = be << 8 | get8(in, b);
		out[0] = be;
		out[1] = be >> 32;
		out[2] = be >> 48;
		out[3] = be;
	}
}

/* ---- ADX: two independent carry chains (ADCX on CF, ADOX on OF) ---- */

KERNEL("adx") void k_adx(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 12, out += 10) {
		const uint64_t *a = in, *b = in + 4, *c = in + 8;
		uint64_t *s = out, *t = out + 5;
		uint8_t cf, of;

		__asm__("xorl %%eax, %%eax\n\t" /* clears CF and OF */
			"movq 0(%[a]), %%r8\n\t adcxq 0(%[b]), %%r8\n\t movq %%r8, 0(%[s])\n\t"
			"movq 0(%[a]), %%r9\n\t adoxq 0(%[c]), %%r9\n\t movq %%r9, 0(%[t])\n\t"
			"movq 8(%[a]), %%r8\n\t adcxq 8(%[b]), %%r8\n\t movq %%r8, 8(%[s])\n\t"
			"movq 8(%[a]), %%r9\n\t adoxq 8(%[c]), %%r9\n\t movq %%r9, 8(%[t])\n\t"
			"movq 16(%[a]), %%r8\n\t adcxq 16(%[b]), %%r8\n\t movq %%r8, 16(%[s])\n\t"
			"movq 16(%[a]), %%r9\n\t adoxq 16(%[c]), %%r9\n\t movq %%r9, 16(%[t])\n\t"
			"movq 24(%[a]), %%r8\n\t adcxq 24(%[b]), %%r8\n\t movq %%r8, 24(%[s])\n\t"
			"movq 24(%[a]), %%r9\n\t adoxq 24(%[c]), %%r9\n\t movq %%r9, 24(%[t])"
			: "=@ccc"(cf), "=@cco"(of)
			: [a] "r"(a), [b] "r"(b), [c] "r"(c), [s] "r"(s), [t] "r"(t)
			: "rax", "r8", "r9", "memory");
		s[4] = cf;
		t[4] = of;
	}
}

void r_adx(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 12, out += 10) {
		for (int chain = 0; chain < 2; chain++) {
			const uint64_t *a = in, *b = in + 4 + 4 * chain;
			uint64_t *s = out + 5 * chain;
			unsigned carry = 0;

			for (int l = 0; l < 4; l++) {
				unsigned __int128 sum = (unsigned __int128)a[l] + b[l] + carry;

				s[l] = (uint64_t)sum;
				carry = (unsigned)(sum >> 64);
			}
			s[4] = carry;
		}
	}
}

/* ---- CMPXCHG16B: a matching and a failing compare ---- */

KERNEL("cx16") void k_cx16(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 6) {
		uint64_t mem[2] __attribute__((aligned(16))) = { in[0], in[1] };
		uint64_t lo = in[0], hi = in[1];
		bool zf1, zf2;

		__asm__ volatile("lock cmpxchg16b %[m]"
				 : [m] "+m"(mem), "+a"(lo), "+d"(hi), "=@ccz"(zf1)
				 : "b"(in[2]), "c"(in[3]));
		out[0] = zf1;
		out[1] = mem[0];
		out[2] = mem[1];
		lo = ~in[2]; /* cannot match: the compare fails and loads memory */
		hi = in[3];
		__asm__ volatile("lock cmpxchg16b %[m]"
				 : [m] "+m"(mem), "+a"(lo), "+d"(hi), "=@ccz"(zf2)
				 : "b"(in[0]), "c"(in[1]));
		out[3] = zf2;
		out[4] = lo;
		out[5] = hi;
	}
}

void r_cx16(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 6) {
		out[0] = 1;
		out[1] = in[2];
		out[2] = in[3];
		out[3] = 0;
		out[4] = in[2];
		out[5] = in[3];
	}
}

/* ---- LAHF/SAHF in 64-bit mode ---- */

KERNEL("sahf") void k_lahf(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < 4 * n; i++) {
		uint32_t ax;

		__asm__ volatile("movzbl %b1, %%eax\n\t"
				 "shll $8, %%eax\n\t"
				 "sahf\n\t"
				 "lahf\n\t"
				 "movl %%eax, %0"
				 : "=r"(ax)
				 : "r"((uint32_t)in[i])
				 : "rax", "cc");
		out[i] = ax >> 8 & 0xff;
	}
}

void r_lahf(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	/* SAHF sets SF ZF AF PF CF (mask 0xd5); LAHF reads bit 1 as 1. */
	for (int i = 0; i < 4 * n; i++)
		out[i] = (in[i] & 0xd5) | 0x02;
}
