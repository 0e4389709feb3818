/* A test program for tests/needs/check: one function cloned for three
 * targets by GCC (target_clones: an ifunc resolver picks one at load
 * time), so its AVX2 and AVX-512 code is "used if reached" only. */
#include <stdio.h>

#define N 4096
static float x[N], y[N];

__attribute__((target_clones("default", "avx2", "avx512f"), noinline)) void scale(float k)
{
	for (int i = 0; i < N; i++)
		y[i] = k * x[i] + y[i];
}

int main(int argc, char **argv)
{
	(void)argv;
	for (int i = 0; i < N; i++)
		x[i] = (float)i;
	scale((float)argc);
	printf("%f\n", y[N - 1]);
	return 0;
}
