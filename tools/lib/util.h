/* Small helpers shared by init and every triage subcommand.
 *
 * The x-prefixed wrappers either succeed or exit with a message, so callers
 * stay straight-line (toybox's lib/xwrap.c habit). PID 1 must not use them. */
#ifndef VMTRIAGE_UTIL_H
#define VMTRIAGE_UTIL_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes of the check contract (docs/checks.md, "The contract"). */
enum exit_code {
	EXIT_PASS = 0,
	EXIT_FAIL = 1,
	EXIT_WARN = 2,
	EXIT_ERROR = 3,
	EXIT_SKIP = 4,
};

extern const char *prog_name; /* for messages; set by main */

void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void dief(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy_(char *dst, const char *src, size_t size);

/* Reads a whole file (at most max bytes) into a NUL-terminated buffer the
 * caller frees. Returns NULL with errno set on failure. *len may be NULL. */
char *read_file(const char *path, size_t max, size_t *len);

/* Reads the first line of a small file (sysfs, procfs) into buf without
 * the trailing newline. Returns 0, or -1 with errno set. */
int read_line(const char *path, char *buf, size_t size);
int read_line_at(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads a decimal integer from a sysfs-style file. */
int read_ll(const char *path, long long *out);
int read_ll_at(long long *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Replaces path with data through a dot-named temporary file beside it
 * and rename(): a reader sees the old file or the new, never part of one.
 * sync: fsync the file before the rename and its folder after it, so the
 * new file survives a power cut. The one atomic writer of the tree (watch's
 * textfile, host's --prom and --share, host --watch's textfile). For the
 * crash tests, VMTRIAGE_KILL_BEFORE_RENAME=kill_point kills the process
 * between the write and the rename (kill_point NULL: never). Returns 0, or
 * -1 with the reason in err. */
int file_replace(const char *path, const char *data, size_t len, bool sync, const char *kill_point, char *err,
		 size_t errlen);

/* This process's user + system CPU time in ns (getrusage), -1 on error:
 * the recorders' measure of their own cost. */
int64_t self_cpu_ns(void);

/* A Prometheus label value in double quotes, with backslash, double quote
 * and newline escaped (the text exposition format). */
void prom_label(FILE *f, const char *s);

/* Writes a string to a file (sysfs, procfs). Returns 0 or -1 with errno. */
int write_str(const char *path, const char *s);

/* Monotonic time in nanoseconds. */
int64_t now_ns(void);
/* Sleeps until the CLOCK_MONOTONIC time deadline (ns): the timer-wake
 * measurement of `triage wake` and `triage watch` (how late the wake-up
 * comes is now_ns() - deadline). A signal does not move the deadline; with
 * stop, a signal that set *stop ends the sleep early (-1). */
int sleep_until_ns(int64_t deadline, const volatile sig_atomic_t *stop);
/* Sleeps sleep_ns and returns how late the wake-up came (ns). */
int64_t sleep_overshoot_ns(int64_t sleep_ns);
/* Wall-clock UTC time as "YYYY-MM-DDTHH:MM:SSZ". */
void utc_stamp(char *buf, size_t size, bool compact);

/* Strict number parsing: the whole string must be consumed. */
int parse_ll(const char *s, long long *out);
int parse_double(const char *s, double *out);

/* Appends sep (when buf is not empty) and the formatted text to buf, cut
 * at size: for lists such as "0,2,5" or a command line. */
void str_append(char *buf, size_t size, const char *sep, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* s in ASCII capitals ("warn" -> "WARN") in buf; returns buf. */
const char *str_upper(const char *s, char *buf, size_t size);
/* The argv of `triage NAME ARGS... -q -o OUT` run through our own binary
 * (/proc/self/exe): a check that needs another check's answer runs it as
 * a child and reads its JSON. argv has room for max pointers; ARGS is
 * NULL-ended and cut to fit. */
void triage_child_argv(char **argv, int max, const char *name, char **args, const char *out);

/* Trims leading and trailing white space in place and returns s. */
char *trim(char *s);

/* Parses a CPU list such as "0-3,8,10-11" (sysfs format) into a bitmap of
 * at most max CPUs. Returns the number of CPUs set or -1 on bad input. */
int parse_cpulist(const char *s, uint8_t *set, int max);

/* Number of CPUs this process may run on, and their ids, in order. */
int online_cpus(int *ids, int max);

/* Index of name in a table of n names (NULL entries never match), or -1;
 * -1 also for a NULL name. */
int name_index(const char *const *names, size_t n, const char *name);

/* Arithmetic on numbers from outside (procfs, sysfs, reports): the result
 * saturates at the type's limit instead of overflowing, which for signed
 * types would be undefined. */
int64_t sat_add_i64(int64_t a, int64_t b);
int64_t sat_sub_i64(int64_t a, int64_t b);
int64_t sat_mul_i64(int64_t a, int64_t b);
uint64_t sat_add_u64(uint64_t a, uint64_t b);

#endif
