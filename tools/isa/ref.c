/* Scalar references: loops and tables, nothing wider than baseline x86-64. */
#include "ref.h"

#include <string.h>

int ref_popcount64(uint64_t x)
{
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

int ref_lzcnt64(uint64_t x)
{
	int n = 0;

	for (uint64_t bit = 1ULL << 63; bit && !(x & bit); bit >>= 1)
		n++;
	return n;
}

int ref_tzcnt64(uint64_t x)
{
	int n = 0;

	for (uint64_t bit = 1; bit && !(x & bit); bit <<= 1)
		n++;
	return n;
}

#define CRC32C_POLY 0x82f63b78U /* RFC 3720, reflected */

uint32_t ref_crc32c(uint32_t crc, const void *buf, int len)
{
	static uint32_t table[256];
	const uint8_t *p = buf;

	if (!table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ CRC32C_POLY : c >> 1;
			table[i] = c;
		}
	}
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

uint8_t ref_gf_mul(uint8_t a, uint8_t b)
{
	uint8_t r = 0;

	while (b) {
		if (b & 1)
			r ^= a;
		a = (uint8_t)((a << 1) ^ (a & 0x80 ? 0x1b : 0)); /* reduce by 0x11b */
		b >>= 1;
	}
	return r;
}

uint8_t ref_gf_inv(uint8_t a)
{
	static uint8_t inv[256];

	if (!inv[1]) {
		for (int x = 1; x < 256; x++) { /* x^254 = x^-1 in GF(2^8) */
			uint8_t r = 1;

			for (int i = 0; i < 254; i++)
				r = ref_gf_mul(r, (uint8_t)x);
			inv[x] = r;
		}
	}
	return inv[a]; /* inv[0] stays 0: AES and GFNI both define inverse(0) = 0 */
}

static uint8_t sbox[256], inv_sbox[256];

static void aes_tables(void)
{
	if (sbox[0])
		return; /* sbox[0] is 0x63 once built */
	for (int x = 0; x < 256; x++) {
		uint8_t b = ref_gf_inv((uint8_t)x), s = b ^ 0x63;

		for (int k = 1; k <= 4; k++)
			s ^= (uint8_t)(b << k | b >> (8 - k));
		sbox[x] = s;
		inv_sbox[s] = (uint8_t)x;
	}
}

uint8_t ref_aes_sbox(uint8_t x)
{
	aes_tables();
	return sbox[x];
}

static void mix(uint8_t s[16], const uint8_t m[4])
{
	for (int c = 0; c < 4; c++) {
		uint8_t a[4], *col = s + 4 * c;

		memcpy(a, col, 4);
		for (int r = 0; r < 4; r++)
			col[r] = ref_gf_mul(a[0], m[(4 - r) % 4]) ^ ref_gf_mul(a[1], m[(5 - r) % 4]) ^
				 ref_gf_mul(a[2], m[(6 - r) % 4]) ^ ref_gf_mul(a[3], m[(7 - r) % 4]);
	}
}

/* Row r of column c sits at s[r + 4c]; ShiftRows moves row r left by r. */
void ref_aes_enc(uint8_t s[16], const uint8_t k[16], bool last)
{
	static const uint8_t mixcol[4] = { 2, 3, 1, 1 };
	uint8_t t[16];

	aes_tables();
	for (int c = 0; c < 4; c++)
		for (int r = 0; r < 4; r++)
			t[r + 4 * c] = sbox[s[r + 4 * ((c + r) % 4)]];
	if (!last)
		mix(t, mixcol);
	for (int i = 0; i < 16; i++)
		s[i] = t[i] ^ k[i];
}

void ref_aes_dec(uint8_t s[16], const uint8_t k[16], bool last)
{
	static const uint8_t invmix[4] = { 14, 11, 13, 9 };
	uint8_t t[16];

	aes_tables();
	for (int c = 0; c < 4; c++)
		for (int r = 0; r < 4; r++)
			t[r + 4 * ((c + r) % 4)] = inv_sbox[s[r + 4 * c]];
	if (!last)
		mix(t, invmix);
	for (int i = 0; i < 16; i++)
		s[i] = t[i] ^ k[i];
}

void ref_aes_imc(uint8_t s[16])
{
	static const uint8_t invmix[4] = { 14, 11, 13, 9 };

	mix(s, invmix);
}

void ref_clmul(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
	*lo = *hi = 0;
	for (int i = 0; i < 64; i++)
		if (b >> i & 1) {
			*lo ^= a << i;
			*hi ^= i ? a >> (64 - i) : 0;
		}
}

uint32_t ref_half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16, m = h & 0x3ff;
	int e = h >> 10 & 0x1f;

	if (e == 31) /* infinity; NaN keeps its payload and becomes quiet */
		return sign | 0x7f800000 | m << 13 | (m ? 0x400000 : 0);
	if (e == 0) {
		if (!m)
			return sign;
		e = 1;
		while (!(m & 0x400)) { /* subnormal half: normal as a float */
			m <<= 1;
			e--;
		}
		m &= 0x3ff;
	}
	return sign | (uint32_t)(e - 15 + 127) << 23 | m << 13;
}

uint16_t ref_float_to_half(uint32_t f, bool toward_zero)
{
	uint16_t sign = (uint16_t)(f >> 16 & 0x8000);
	int exp = f >> 23 & 0xff, e, ue, qexp, shift;
	uint32_t mant = f & 0x7fffff, m, r;

	if (exp == 0xff)
		return sign | 0x7c00 | (mant ? 0x200 | mant >> 13 : 0);
	if (exp == 0 && mant == 0)
		return sign;
	/* value = m * 2^e with m normalised to 24 bits */
	m = exp ? mant | 0x800000 : mant;
	e = exp ? exp - 150 : -149;
	while (!(m & 0x800000)) {
		m <<= 1;
		e--;
	}
	ue = e + 23;			/* unbiased exponent of the value */
	qexp = ue >= -14 ? ue - 10 : -24; /* exponent of the half's last place */
	shift = qexp - e;		/* >= 13 */
	if (shift > 24) {
		r = 0; /* below half of the smallest subnormal: rounds to zero */
	} else {
		uint32_t rem = m & ((1U << shift) - 1), half = 1U << (shift - 1);

		r = m >> shift;
		if (!toward_zero && (rem > half || (rem == half && (r & 1))))
			r++;
	}
	if (ue >= -14) {
		int biased = ue + 15;

		if (r == 2048) { /* rounding carried into the next binade */
			r = 1024;
			biased++;
		}
		if (biased >= 31)
			return toward_zero ? sign | 0x7bff : sign | 0x7c00;
		return (uint16_t)(sign | biased << 10 | (r & 0x3ff));
	}
	return (uint16_t)(sign | r); /* subnormal; r == 1024 is the smallest normal */
}

uint16_t ref_float_to_bf16(uint32_t u)
{
	if ((u & 0x7f800000U) == 0)
		return (uint16_t)(u >> 16 & 0x8000);
	return (uint16_t)((u + 0x7fffU + (u >> 16 & 1)) >> 16);
}
