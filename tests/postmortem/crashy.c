#include <immintrin.h>
#include <stdio.h>
#include <string.h>

/* The AVX2 function: with -O2 -mavx2 GCC emits vpbroadcastb (%rsi),%ymm0
 * as its first instruction, so a vCPU without AVX2 traps exactly there. */
__attribute__((noinline)) void fill32(char *dst, const char *src)
{
	_mm256_storeu_si256((__m256i *)dst, _mm256_set1_epi8(*src));
}

int main(int argc, char **argv)
{
	char buf[33];
	const char *c = argc > 1 ? argv[1] : "x";

	fill32(buf, c);
	buf[32] = 0;
	puts(buf);
	return 0;
}
