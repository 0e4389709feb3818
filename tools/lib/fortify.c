/* Debian's libcpuid.a is built against glibc with _FORTIFY_SOURCE, so it
 * calls four checked variants that musl does not have. These forward to the
 * plain functions (the buffer sizes libcpuid passes are its own). Debian 13's
 * (glibc 2.41, C23 by default) also calls __isoc23_sscanf, glibc's sscanf
 * with C23's binary integers (%b, 0b for %i), in its raw-data reader, which
 * triage never calls: it forwards to musl's vsscanf. Only the musl build
 * needs them; glibc has the real ones.
 *
 * The headers come first: __GLIBC__ is defined by glibc's <features.h>, which
 * every libc header includes, so testing it before any include is always
 * true and the glibc build would replace glibc's own checked functions. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifndef __GLIBC__
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int __snprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int __vsnprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
char *__strcpy_chk(char *dst, const char *src, size_t dstlen);
int __isoc23_sscanf(const char *s, const char *fmt, ...) __attribute__((format(scanf, 2, 3)));

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	va_start(ap, fmt);
	r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int __snprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	(void)slen;
	va_start(ap, fmt);
	r = vsnprintf(s, n, fmt, ap);
	va_end(ap);
	return r;
}

int __vsnprintf_chk(char *s, size_t n, int flag, size_t slen, const char *fmt, va_list ap)
{
	(void)flag;
	(void)slen;
	return vsnprintf(s, n, fmt, ap);
}

char *__strcpy_chk(char *dst, const char *src, size_t dstlen)
{
	(void)dstlen;
	return strcpy(dst, src);
}

int __isoc23_sscanf(const char *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsscanf(s, fmt, ap);
	va_end(ap);
	return r;
}
#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int fortify_shims_not_needed_with_glibc;
#endif
