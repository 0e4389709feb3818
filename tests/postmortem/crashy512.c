#include <stdio.h>

/* crashy512: a program that calls into libfill512.so (AVX-512F). */
void fill64(char *dst, const int *src);

int main(void)
{
	static char buf[65];
	int v = 0x41414141;

	fill64(buf, &v);
	puts(buf);
	return 0;
}
