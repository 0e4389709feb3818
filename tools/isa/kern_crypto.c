/* Kernels and references of the crypto extensions: AES-NI, PCLMULQDQ,
 * SHA-NI, GFNI, VAES, VPCLMULQDQ, and the random-number instructions
 * RDRAND and RDSEED (checked by their properties, not a reference). */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "kernels.h"
#include "ref.h"

/* ---- AES-NI: aesenc, aesenclast, aesdec, aesdeclast, aesimc, aeskeygenassist ---- */

#define AES_RCON 0x1b /* any byte; 0x1b is one of the key schedule's */

KERNEL("aes") void k_aes(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 12) {
		__m128i s = _mm_loadu_si128((const __m128i *)in), k = _mm_loadu_si128((const __m128i *)(in + 2));

		_mm_storeu_si128((__m128i *)out, _mm_aesenc_si128(s, k));
		_mm_storeu_si128((__m128i *)(out + 2), _mm_aesenclast_si128(s, k));
		_mm_storeu_si128((__m128i *)(out + 4), _mm_aesdec_si128(s, k));
		_mm_storeu_si128((__m128i *)(out + 6), _mm_aesdeclast_si128(s, k));
		_mm_storeu_si128((__m128i *)(out + 8), _mm_aesimc_si128(s));
		_mm_storeu_si128((__m128i *)(out + 10), _mm_aeskeygenassist_si128(s, AES_RCON));
	}
}

static uint32_t sub_word(uint32_t x)
{
	uint32_t r = 0;

	for (int b = 0; b < 4; b++)
		r |= (uint32_t)ref_aes_sbox((uint8_t)(x >> 8 * b)) << 8 * b;
	return r;
}

/* One AES step on a 128-bit lane given as two words. */
static void aes_lane(const uint64_t *s, const uint64_t *k, uint64_t *out, int op)
{
	uint8_t st[16], key[16];

	memcpy(st, s, 16);
	memcpy(key, k, 16);
	switch (op) {
	case 0: ref_aes_enc(st, key, false); break;
	case 1: ref_aes_enc(st, key, true); break;
	case 2: ref_aes_dec(st, key, false); break;
	case 3: ref_aes_dec(st, key, true); break;
	default: ref_aes_imc(st); break;
	}
	memcpy(out, st, 16);
}

void r_aes(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 12) {
		uint32_t x1 = get32(in, 1), x3 = get32(in, 3);

		for (int op = 0; op < 5; op++)
			aes_lane(in, in + 2, out + 2 * op, op);
		/* SDM: [SubWord(X1), RotWord(SubWord(X1)) ^ RCON, same for X3] */
		put32(out + 10, 0, sub_word(x1));
		put32(out + 10, 1, ror32(sub_word(x1), 8) ^ AES_RCON);
		put32(out + 10, 2, sub_word(x3));
		put32(out + 10, 3, ror32(sub_word(x3), 8) ^ AES_RCON);
	}
}

/* ---- PCLMULQDQ: the four qword selections ---- */

KERNEL("pclmul") void k_pclmul(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 8) {
		__m128i a = _mm_loadu_si128((const __m128i *)in), b = _mm_loadu_si128((const __m128i *)(in + 2));

		_mm_storeu_si128((__m128i *)out, _mm_clmulepi64_si128(a, b, 0x00));
		_mm_storeu_si128((__m128i *)(out + 2), _mm_clmulepi64_si128(a, b, 0x01));
		_mm_storeu_si128((__m128i *)(out + 4), _mm_clmulepi64_si128(a, b, 0x10));
		_mm_storeu_si128((__m128i *)(out + 6), _mm_clmulepi64_si128(a, b, 0x11));
	}
}

/* imm bit 0 picks the qword of the first operand, bit 4 the second's. */
static void clmul_lane(const uint64_t *a, const uint64_t *b, uint64_t *out)
{
	static const int sel[4][2] = { { 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 } };

	for (int k = 0; k < 4; k++)
		ref_clmul(a[sel[k][0]], b[sel[k][1]], &out[2 * k], &out[2 * k + 1]);
}

void r_pclmul(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 4, out += 8)
		clmul_lane(in, in + 2, out);
}

/* ---- SHA-NI: sha256rnds2, sha256msg1, sha256msg2, sha1msg1, sha1nexte ---- */

KERNEL("sha") void k_sha(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 6, out += 10) {
		__m128i a = _mm_loadu_si128((const __m128i *)in), b = _mm_loadu_si128((const __m128i *)(in + 2));
		__m128i k = _mm_loadu_si128((const __m128i *)(in + 4));

		_mm_storeu_si128((__m128i *)out, _mm_sha256rnds2_epu32(a, b, k));
		_mm_storeu_si128((__m128i *)(out + 2), _mm_sha256msg1_epu32(a, b));
		_mm_storeu_si128((__m128i *)(out + 4), _mm_sha256msg2_epu32(a, b));
		_mm_storeu_si128((__m128i *)(out + 6), _mm_sha1msg1_epu32(a, b));
		_mm_storeu_si128((__m128i *)(out + 8), _mm_sha1nexte_epu32(a, b));
	}
}

static uint32_t sig0(uint32_t x) { return ror32(x, 7) ^ ror32(x, 18) ^ x >> 3; }
static uint32_t sig1(uint32_t x) { return ror32(x, 17) ^ ror32(x, 19) ^ x >> 10; }
static uint32_t big_sig0(uint32_t x) { return ror32(x, 2) ^ ror32(x, 13) ^ ror32(x, 22); }
static uint32_t big_sig1(uint32_t x) { return ror32(x, 6) ^ ror32(x, 11) ^ ror32(x, 25); }

/* The SDM's pseudo-code: SRC1 = {C, D, G, H}, SRC2 = {A, B, E, F} from the
 * top dword down; two rounds with WK from XMM0's low qword. */
static void sha256rnds2(const uint64_t *s1, const uint64_t *s2, const uint64_t *k, uint64_t *out)
{
	uint32_t a = get32(s2, 3), b = get32(s2, 2), c = get32(s1, 3), d = get32(s1, 2);
	uint32_t e = get32(s2, 1), f = get32(s2, 0), g = get32(s1, 1), h = get32(s1, 0);

	for (int r = 0; r < 2; r++) {
		uint32_t ch = (e & f) ^ (~e & g), maj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t = ch + big_sig1(e) + get32(k, r) + h;
		uint32_t na = t + maj + big_sig0(a), ne = t + d;

		h = g;
		g = f;
		f = e;
		e = ne;
		d = c;
		c = b;
		b = a;
		a = na;
	}
	out[0] = out[1] = 0;
	put32(out, 3, a);
	put32(out, 2, b);
	put32(out, 1, e);
	put32(out, 0, f);
}

void r_sha(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 6, out += 10) {
		const uint64_t *a = in, *b = in + 2;
		uint32_t w16, w17;

		sha256rnds2(a, b, in + 4, out);
		/* msg1: W0..W3 from SRC1, W4 from SRC2's low dword */
		for (int j = 0; j < 4; j++)
			put32(out + 2, j, get32(a, j) + sig0(j < 3 ? get32(a, j + 1) : get32(b, 0)));
		/* msg2: W14, W15 are SRC2's two top dwords */
		w16 = get32(a, 0) + sig1(get32(b, 2));
		w17 = get32(a, 1) + sig1(get32(b, 3));
		put32(out + 4, 0, w16);
		put32(out + 4, 1, w17);
		put32(out + 4, 2, get32(a, 2) + sig1(w16));
		put32(out + 4, 3, get32(a, 3) + sig1(w17));
		/* sha1msg1: W0..W3 = SRC1 top down, W4, W5 = SRC2's top two */
		put32(out + 6, 3, get32(a, 1) ^ get32(a, 3));
		put32(out + 6, 2, get32(a, 0) ^ get32(a, 2));
		put32(out + 6, 1, get32(b, 3) ^ get32(a, 1));
		put32(out + 6, 0, get32(b, 2) ^ get32(a, 0));
		/* sha1nexte: SRC2 with SRC1's top dword rotated by 30 added on top */
		out[8] = b[0];
		out[9] = b[1];
		put32(out + 8, 3, get32(b, 3) + rol32(get32(a, 3), 30));
	}
}

/* ---- GFNI (legacy SSE encoding): gf2p8mulb, gf2p8affineqb, gf2p8affineinvqb ---- */

#define GF_AFFINE_IMM 0x63 /* the AES affine constant */

KERNEL("gfni") void k_gfni(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 6, out += 6) {
		__m128i x = _mm_loadu_si128((const __m128i *)in), m = _mm_loadu_si128((const __m128i *)(in + 2));
		__m128i y = _mm_loadu_si128((const __m128i *)(in + 4));

		_mm_storeu_si128((__m128i *)out, _mm_gf2p8mul_epi8(x, y));
		_mm_storeu_si128((__m128i *)(out + 2), _mm_gf2p8affine_epi64_epi8(x, m, GF_AFFINE_IMM));
		_mm_storeu_si128((__m128i *)(out + 4), _mm_gf2p8affineinv_epi64_epi8(x, m, 0));
	}
}

/* SDM: result bit i = parity(matrix.byte[7 - i] & x) ^ imm bit i. */
static uint8_t affine(uint64_t matrix, uint8_t x, uint8_t imm)
{
	uint8_t r = 0;

	for (int b = 0; b < 8; b++) {
		int p = ref_popcount64((matrix >> 8 * (7 - b) & 0xff) & x) & 1;

		r |= (uint8_t)((p ^ (imm >> b & 1)) << b);
	}
	return r;
}

void r_gfni(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 6, out += 6) {
		for (int j = 0; j < 16; j++) {
			uint8_t x = get8(in, j);
			uint64_t m = in[2 + j / 8];

			put8(out, j, ref_gf_mul(x, get8(in + 4, j)));
			put8(out + 2, j, affine(m, x, GF_AFFINE_IMM));
			put8(out + 4, j, affine(m, ref_gf_inv(x), 0));
		}
	}
}

/* ---- VAES (VEX.256): the AES rounds on two lanes ---- */

KERNEL("vaes,avx") void k_vaes(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 8, out += 16) {
		__m256i s = _mm256_loadu_si256((const __m256i *)in), k = _mm256_loadu_si256((const __m256i *)(in + 4));

		_mm256_storeu_si256((__m256i *)out, _mm256_aesenc_epi128(s, k));
		_mm256_storeu_si256((__m256i *)(out + 4), _mm256_aesenclast_epi128(s, k));
		_mm256_storeu_si256((__m256i *)(out + 8), _mm256_aesdec_epi128(s, k));
		_mm256_storeu_si256((__m256i *)(out + 12), _mm256_aesdeclast_epi128(s, k));
	}
}

void r_vaes(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 8, out += 16)
		for (int op = 0; op < 4; op++)
			for (int lane = 0; lane < 2; lane++)
				aes_lane(in + 2 * lane, in + 4 + 2 * lane, out + 4 * op + 2 * lane, op);
}

/* ---- VPCLMULQDQ (VEX.256): carry-less multiply on two lanes ---- */

KERNEL("vpclmulqdq,avx") void k_vpclmul(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 8, out += 16) {
		__m256i a = _mm256_loadu_si256((const __m256i *)in), b = _mm256_loadu_si256((const __m256i *)(in + 4));

		_mm256_storeu_si256((__m256i *)out, _mm256_clmulepi64_epi128(a, b, 0x00));
		_mm256_storeu_si256((__m256i *)(out + 4), _mm256_clmulepi64_epi128(a, b, 0x01));
		_mm256_storeu_si256((__m256i *)(out + 8), _mm256_clmulepi64_epi128(a, b, 0x10));
		_mm256_storeu_si256((__m256i *)(out + 12), _mm256_clmulepi64_epi128(a, b, 0x11));
	}
}

void r_vpclmul(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)ctx;
	for (int i = 0; i < n; i++, in += 8, out += 16) {
		uint64_t lanes[2][8];

		clmul_lane(in, in + 4, lanes[0]);
		clmul_lane(in + 2, in + 6, lanes[1]);
		for (int k = 0; k < 4; k++)
			for (int lane = 0; lane < 2; lane++) {
				out[4 * k + 2 * lane] = lanes[lane][2 * k];
				out[4 * k + 2 * lane + 1] = lanes[lane][2 * k + 1];
			}
	}
}

/* ---- RDRAND, RDSEED: retried as Intel's DRNG guide says, then judged
 * by their properties: random 64-bit values never repeat, and a stuck
 * generator (AMD family 17h after resume returned all ones with CF=1)
 * repeats one value. ---- */

#define RDRAND_RETRIES 10  /* Intel DRNG software implementation guide, 5.2.1 */
#define RDSEED_RETRIES 100 /* RDSEED may run dry under load; retry with pause */
#define RAND_WORDS 4	   /* values per iteration; a fifth word marks failed draws */

KERNEL("rdrnd") void k_rdrand(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)in;
	(void)ctx;
	for (int i = 0; i < n; i++, out += RAND_WORDS + 1) {
		out[RAND_WORDS] = 0;
		for (int j = 0; j < RAND_WORDS; j++) {
			unsigned long long v = 0;
			int t = 0;

			while (!_rdrand64_step(&v) && ++t < RDRAND_RETRIES)
				;
			out[j] = v;
			out[RAND_WORDS] |= (uint64_t)(t == RDRAND_RETRIES) << j;
		}
	}
}

KERNEL("rdseed") void k_rdseed(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	(void)in;
	(void)ctx;
	for (int i = 0; i < n; i++, out += RAND_WORDS + 1) {
		out[RAND_WORDS] = 0;
		for (int j = 0; j < RAND_WORDS; j++) {
			unsigned long long v = 0;
			int t = 0;

			while (!_rdseed64_step(&v) && ++t < RDSEED_RETRIES)
				_mm_pause();
			out[j] = v;
			out[RAND_WORDS] |= (uint64_t)(t == RDSEED_RETRIES) << j;
		}
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

bool c_random(const uint64_t *out, int n, const struct isa_ctx *ctx, struct isa_mismatch *m)
{
	uint64_t *v = malloc((size_t)n * RAND_WORDS * sizeof(*v));
	uint64_t dup = 0;
	int nv = 0, run = 1, best = 1;

	(void)ctx;
	if (!v)
		return true; /* cannot judge; a later batch will */
	for (int i = 0; i < n; i++) /* failed draws carry no value */
		for (int j = 0; j < RAND_WORDS; j++)
			if (!(out[i * (RAND_WORDS + 1) + RAND_WORDS] >> j & 1))
				v[nv++] = out[i * (RAND_WORDS + 1) + j];
	qsort(v, (size_t)nv, sizeof(*v), cmp_u64);
	for (int i = 1; i < nv; i++) {
		run = v[i] == v[i - 1] ? run + 1 : 1;
		if (run > best) {
			best = run;
			dup = v[i];
		}
	}
	free(v);
	if (nv == 0) {
		snprintf(m->what, sizeof(m->what), "never succeeded (carry flag clear in all %d draws)",
			 n * RAND_WORDS);
		m->expected = 1;
		m->got = 0;
		return false;
	}
	if (best > 1) {
		snprintf(m->what, sizeof(m->what), "value repeated %d times in %d draws", best, nv);
		m->expected = 0;
		m->got = dup;
		return false;
	}
	return true;
}

void x_random(uint64_t *out, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < RAND_WORDS; j++)
			out[i * (RAND_WORDS + 1) + j] = ~0ULL;
}
