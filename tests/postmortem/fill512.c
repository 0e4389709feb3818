#include <immintrin.h>

/* The AVX-512 function of libfill512.so: with -O2 -mavx512f GCC emits the
 * EVEX vpbroadcastd (%rsi),%zmm0 first, so the trap lands in the library's
 * executable segment, mapped high at a non-zero file offset. */
void fill64(char *dst, const int *src)
{
	_mm512_storeu_si512(dst, _mm512_set1_epi32(*src));
}
