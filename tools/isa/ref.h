/* Scalar building blocks of the references: written from the instruction
 * definitions (Intel SDM, FIPS-197, RFC 3720), baseline x86-64 only. */
#ifndef VMTRIAGE_ISA_REF_H
#define VMTRIAGE_ISA_REF_H

#include <stdbool.h>
#include <stdint.h>

/* Kernels: the only code allowed to use wider instructions. noinline keeps
 * each one a separate function that runs only under the fault guard. */
#define KERNEL(tgt) __attribute__((target(tgt), noinline))
#define KERNEL_NO_TARGET __attribute__((noinline))

static inline uint32_t ror32(uint32_t x, unsigned n) { n &= 31; return n ? x >> n | x << (32 - n) : x; }
static inline uint32_t rol32(uint32_t x, unsigned n) { return ror32(x, 32 - (n & 31)); }
static inline uint64_t ror64(uint64_t x, unsigned n) { n &= 63; return n ? x >> n | x << (64 - n) : x; }

/* Byte, word and dword lanes of a word array (little-endian, as the CPU). */
static inline uint8_t get8(const uint64_t *v, int i) { return (uint8_t)(v[i / 8] >> (8 * (i % 8))); }
static inline uint16_t get16(const uint64_t *v, int i) { return (uint16_t)(v[i / 4] >> (16 * (i % 4))); }
static inline uint32_t get32(const uint64_t *v, int i) { return (uint32_t)(v[i / 2] >> (32 * (i % 2))); }
static inline void put8(uint64_t *v, int i, uint8_t x)
{
	int s = 8 * (i % 8);
	v[i / 8] = (v[i / 8] & ~(0xffULL << s)) | (uint64_t)x << s;
}
static inline void put16(uint64_t *v, int i, uint16_t x)
{
	int s = 16 * (i % 4);
	v[i / 4] = (v[i / 4] & ~(0xffffULL << s)) | (uint64_t)x << s;
}
static inline void put32(uint64_t *v, int i, uint32_t x)
{
	int s = 32 * (i % 2);
	v[i / 2] = (v[i / 2] & ~(0xffffffffULL << s)) | (uint64_t)x << s;
}

static inline double as_double(uint64_t x) { union { uint64_t u; double d; } v = { .u = x }; return v.d; }
static inline uint64_t double_bits(double d) { union { double d; uint64_t u; } v = { .d = d }; return v.u; }
static inline float as_float(uint32_t x) { union { uint32_t u; float f; } v = { .u = x }; return v.f; }
static inline uint32_t float_bits(float f) { union { float f; uint32_t u; } v = { .f = f }; return v.u; }

static inline int32_t sat_i32(int64_t x) { return x > INT32_MAX ? INT32_MAX : x < INT32_MIN ? INT32_MIN : (int32_t)x; }
static inline int32_t sat_i16(int32_t x) { return x > INT16_MAX ? INT16_MAX : x < INT16_MIN ? INT16_MIN : x; }
static inline int32_t sat_i8(int32_t x) { return x > 127 ? 127 : x < -128 ? -128 : x; }
static inline uint32_t sat_u16(int64_t x) { return x > 0xffff ? 0xffff : x < 0 ? 0 : (uint32_t)x; }
static inline uint32_t sat_u8(int32_t x) { return x > 0xff ? 0xff : x < 0 ? 0 : (uint32_t)x; }

int ref_popcount64(uint64_t x);
int ref_lzcnt64(uint64_t x);
int ref_tzcnt64(uint64_t x);

/* CRC32C (Castagnoli, reflected 0x82F63B78) without the final inversion,
 * as the SSE4.2 CRC32 instruction computes it. */
uint32_t ref_crc32c(uint32_t crc, const void *buf, int len);

/* AES round steps on a 16-byte state in memory order (FIPS-197). */
void ref_aes_enc(uint8_t s[16], const uint8_t k[16], bool last);
void ref_aes_dec(uint8_t s[16], const uint8_t k[16], bool last);
void ref_aes_imc(uint8_t s[16]);
uint8_t ref_aes_sbox(uint8_t x);
/* GF(2^8) modulo x^8+x^4+x^3+x+1 (AES and GFNI). */
uint8_t ref_gf_mul(uint8_t a, uint8_t b);
uint8_t ref_gf_inv(uint8_t a);

/* Carry-less 64x64 -> 128 multiplication. */
void ref_clmul(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi);

/* IEEE binary16 <-> binary32 (round to nearest even, or toward zero). */
uint32_t ref_half_to_float(uint16_t h);
/* binary32 to bfloat16 as the SDM's convert_fp32_to_bfloat16 (finite
 * inputs): round to nearest even, denormals to signed zero. */
uint16_t ref_float_to_bf16(uint32_t f);
uint16_t ref_float_to_half(uint32_t f, bool toward_zero);

#endif
