/* A test program for tests/needs/check: loops the vectorizer widens at -O3
 * and, per -march level, one intrinsic of that level, so that a build for
 * x86-64-vN uses vN instructions unconditionally. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define N 4096
static int32_t a[N], b[N], c[N];
static float x[N], y[N];

__attribute__((noinline)) static void mul_add(void)
{
	for (int i = 0; i < N; i++)
		c[i] = a[i] * b[i] + c[i];
}

__attribute__((noinline)) static float saxpy(float k)
{
	float s = 0;

	for (int i = 0; i < N; i++) {
		y[i] = k * x[i] + y[i];
		s += y[i];
	}
	return s;
}

__attribute__((noinline)) static int bits(const uint64_t *v, int n)
{
	int s = 0;

	for (int i = 0; i < n; i++)
		s += __builtin_popcountll(v[i]);
	return s;
}

__attribute__((noinline)) static int level_op(int v)
{
#if defined(__AVX512BW__)
	__m512i z = _mm512_set1_epi8((char)v);
	return _mm512_reduce_add_epi32(_mm512_add_epi8(z, z));
#elif defined(__AVX2__)
	__m256i z = _mm256_set1_epi8((char)v);
	z = _mm256_add_epi8(z, z);
	return _mm256_extract_epi32(z, 1);
#elif defined(__SSE4_2__)
	return (int)_mm_crc32_u32((unsigned)v, 7);
#else
	return v + 1;
#endif
}

int main(int argc, char **argv)
{
	uint64_t v[4] = { (uint64_t)argc, 3, 7, 15 };

	for (int i = 0; i < N; i++) {
		a[i] = i;
		b[i] = argc;
		x[i] = (float)i;
	}
	mul_add();
	printf("%d %f %d %d\n", c[N - 1], saxpy((float)argc), bits(v, 4), level_op(argc));
	(void)argv;
	return 0;
}
