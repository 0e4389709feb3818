/* stress-ng as the burn-in's load: which stressors, with which options, and
 * how to read what it says (its --yaml file and its log lines). Written for
 * Debian 12's stress-ng 0.15.06 and tolerant of later versions' additions. */
#include "burnin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

/* Every stressor here checks its own results under --verify. Debian builds
 * stress-ng for baseline x86-64 and compiles the compute stressors with GCC
 * target_clones (its binary carries about 300 IRELATIVE resolvers and AVX-512
 * code), so on a CPU that is honest about its features nothing here can
 * SIGILL. The dispatching ones are left out on a CPU that is not. */
const struct sng_stressor sng_stressors[] = {
	{ "cpu", { "--cpu-method", "all", NULL }, "integer, floating point and bit operations, 70 methods in turn", true },
	{ "matrix", { "--matrix-method", "all", NULL }, "floating-point matrix operations", true },
	{ "vecfp", { NULL }, "floating point on vectors of 128 to 512 bits", true },
	{ "vecmath", { NULL }, "integer arithmetic on 128-bit vectors", true },
	{ "vm", { "--vm-method", "all", NULL }, "memory patterns written and read back", false },
};
const int sng_nstressors = ARRAY_SIZE(sng_stressors);

/* triage isa's extension names against glibc's (sysdeps/x86/cpu-features,
 * GLIBC_TUNABLES=glibc.cpu.hwcaps=-NAME,...). */
static const struct {
	const char *ext, *glibc;
} hwcaps[] = {
	{ "sse3", "SSE3" },	    { "ssse3", "SSSE3" },	{ "sse4.1", "SSE4_1" },
	{ "sse4.2", "SSE4_2" },	    { "sse4.2-pcmpstr", "SSE4_2" }, { "popcnt", "POPCNT" },
	{ "lzcnt", "LZCNT" },	    { "bmi1", "BMI1" },		{ "bmi2", "BMI2" },
	{ "movbe", "MOVBE" },	    { "f16c", "F16C" },		{ "fma", "FMA" },
	{ "avx", "AVX" },	    { "avx2", "AVX2" },		{ "avx512f", "AVX512F" },
	{ "avx512cd", "AVX512CD" }, { "avx512bw", "AVX512BW" }, { "avx512dq", "AVX512DQ" },
	{ "avx512vl", "AVX512VL" }, { "xsavec", "XSAVEC" },
};

const char *sng_glibc_hwcap(const char *ext)
{
	for (size_t i = 0; i < ARRAY_SIZE(hwcaps); i++)
		if (!strcmp(hwcaps[i].ext, ext))
			return hwcaps[i].glibc;
	return NULL;
}

static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || len >= 32)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

int sng_plan_make(struct sng_plan *p, const char *const *bad, int nbad, const char *only, int instances,
		  long long vm_bytes, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->instances = instances > 0 ? instances : 1;
	p->vm_bytes = vm_bytes;
	for (int i = 0; i < nbad; i++) {
		const char *g = sng_glibc_hwcap(bad[i]);
		char item[40];

		snprintf(item, sizeof(item), "-%s", g ? g : "");
		if (g && !strstr(p->tunables, item))
			str_append(p->tunables, sizeof(p->tunables), ",", "%s", item);
	}
	if (p->tunables[0]) {
		char list[sizeof(p->tunables)];

		strlcpy_(list, p->tunables, sizeof(list));
		snprintf(p->tunables, sizeof(p->tunables), "glibc.cpu.hwcaps=%.200s", list);
	}
	if (only) {
		for (const char *s = only; *s;) {
			size_t len = strcspn(s, ",:"), mlen = 0;
			const char *m = s[len] == ':' ? s + len + 1 : NULL;
			int k, i = p->n;

			if (m)
				mlen = strcspn(m, ",");
			if (!valid_name(s, len) || (m && !valid_name(m, mlen))) {
				snprintf(err, errlen, "'%.*s' is not a stress-ng stressor name (NAME or NAME:METHOD)",
					 (int)(m ? len + 1 + mlen : len), s);
				return -1;
			}
			if (i == SNG_MAX_STRESSORS) {
				snprintf(err, errlen, "at most %d stressors", SNG_MAX_STRESSORS);
				return -1;
			}
			for (k = 0; k < sng_nstressors; k++)
				if (strlen(sng_stressors[k].name) == len && !strncmp(sng_stressors[k].name, s, len))
					break;
			snprintf(p->names[i], sizeof(p->names[0]), "%.*s", (int)len, s);
			/* Our options for a stressor of the table; stress-ng's
			 * defaults for another; the method the user named. */
			p->args[i] = k < sng_nstressors ? sng_stressors[k].args : NULL;
			if (m) {
				snprintf(p->method_opt[i], sizeof(p->method_opt[0]), "--%.*s-method", (int)len, s);
				snprintf(p->method[i], sizeof(p->method[0]), "%.*s", (int)mlen, m);
				p->method_args[i][0] = p->method_opt[i];
				p->method_args[i][1] = p->method[i];
				p->method_args[i][2] = NULL;
				p->args[i] = p->method_args[i];
			}
			p->n++;
			s += len + (m ? 1 + mlen : 0);
			s += *s == ',';
		}
		return 0;
	}
	for (int k = 0; k < sng_nstressors; k++) {
		if (sng_stressors[k].dispatch && nbad > 0) {
			if (!p->dropped[0])
				str_append(p->dropped, sizeof(p->dropped), "", "%s",
				       "the CPU advertises extensions it does not execute right, and these stressors "
				       "pick their code by CPUID:");
			str_append(p->dropped, sizeof(p->dropped), " ", "%s", sng_stressors[k].name);
			continue;
		}
		strlcpy_(p->names[p->n], sng_stressors[k].name, sizeof(p->names[0]));
		p->args[p->n++] = sng_stressors[k].args;
	}
	return 0;
}

int sng_argv(const struct sng_plan *p, const char *exe, long long timeout_s, const char *yaml,
	     char *argv[SNG_MAX_ARGS], char bufs[][32], int nbufs)
{
	int n = 0, b = 0;

#define ARG(s)                                          \
	do {                                            \
		if (n >= SNG_MAX_ARGS - 1)              \
			return -1;                      \
		argv[n++] = (char *)(s);                \
	} while (0)
#define ARGF(...)                                                 \
	do {                                                      \
		if (b >= nbufs)                                   \
			return -1;                                \
		snprintf(bufs[b], sizeof(bufs[b]), __VA_ARGS__);  \
		ARG(bufs[b++]);                                   \
	} while (0)

	ARG(exe);
	ARG("--timeout");
	ARGF("%llds", timeout_s);
	ARG("--verify");
	ARG("--metrics-brief");
	ARG("--yaml");
	ARG(yaml);
	for (int i = 0; i < p->n; i++) {
		ARGF("--%s", p->names[i]);
		ARGF("%d", p->instances);
		for (int k = 0; p->args[i] && p->args[i][k]; k++)
			ARG(p->args[i][k]);
		if (!strcmp(p->names[i], "vm") && p->vm_bytes > 0) {
			ARG("--vm-bytes");
			ARGF("%lld", p->vm_bytes);
		}
	}
	argv[n] = NULL;
	return n;
#undef ARG
#undef ARGF
}

const char *sng_exit_meaning(int code)
{
	static const char *const meaning[] = {
		"success",
		"error: bad options or a fatal problem of stress-ng itself",
		"one or more stressors failed",
		"one or more stressors lacked resources (memory, a system call)",
		"one or more stressors are not implemented here",
		"a stressor was killed by an unexpected signal",
		"a stressor exited unexpectedly, without metrics",
		"the bogo-ops metrics may be untrustworthy",
	};
	return code >= 0 && code < (int)ARRAY_SIZE(meaning) ? meaning[code] : "unknown";
}

/* ---- YAML ---- */

/* stress-ng writes flat YAML: top-level "section:" lines, "key: value"
 * pairs indented below them, and under "metrics:" a list whose items start
 * with "- stressor: NAME". This reads exactly that shape and skips the rest. */
static bool key_value(char *line, char **key, char **val)
{
	char *colon;

	line = trim(line);
	if (line[0] == '-' && line[1] == ' ')
		line = trim(line + 2);
	colon = strstr(line, ": ");
	if (!colon) {
		size_t len = strlen(line);

		if (!len || line[len - 1] != ':')
			return false;
		line[len - 1] = '\0';
		*key = line;
		*val = line + len - 1;
		return true;
	}
	*colon = '\0';
	*key = trim(line);
	*val = trim(colon + 2);
	/* Strings may be quoted: 'gcc 12.2.0'. */
	size_t vlen = strlen(*val);

	if (vlen >= 2 && ((*val)[0] == '\'' || (*val)[0] == '"') && (*val)[vlen - 1] == (*val)[0]) {
		(*val)[vlen - 1] = '\0';
		(*val)++;
	}
	return true;
}

static void set_metric(struct sng_metrics *m, const char *key, const char *val)
{
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
		{ "bogo-ops", offsetof(struct sng_metrics, bogo_ops) },
		{ "bogo-ops-per-second-real-time", offsetof(struct sng_metrics, bogo_ops_per_s) },
		{ "wall-clock-time", offsetof(struct sng_metrics, wall_s) },
		{ "user-time", offsetof(struct sng_metrics, user_s) },
		{ "system-time", offsetof(struct sng_metrics, sys_s) },
		{ "cpu-usage-per-instance", offsetof(struct sng_metrics, cpu_pct) },
	};
	double d;

	if (!strcmp(key, "max-rss")) {
		/* Checked before the cast: nan or 1e30 would be undefined. */
		if (parse_double(val, &d) == 0 && d >= 0 && d < 0x1p62)
			m->max_rss_kib = (long long)d;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (!strcmp(fields[i].key, key) && parse_double(val, &d) == 0)
			*(double *)((char *)m + fields[i].off) = d;
}

int sng_parse_yaml(const char *text, struct sng_result *r, char *err, size_t errlen)
{
	char section[32] = "", *copy = xstrdup(text), *save = NULL;
	struct sng_metrics *cur = NULL;

	memset(r, 0, sizeof(*r));
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		bool top = !isspace((unsigned char)line[0]);
		bool item = !strncmp(trim(line), "- ", 2);
		char *key, *val;

		if (!strcmp(line, "---") || !strcmp(line, "..."))
			continue;
		if (!key_value(line, &key, &val))
			continue;
		if (top) {
			strlcpy_(section, key, sizeof(section));
			cur = NULL;
			continue;
		}
		if (!strcmp(section, "system-info")) {
			if (!strcmp(key, "stress-ng-version"))
				strlcpy_(r->version, val, sizeof(r->version));
		} else if (!strcmp(section, "metrics")) {
			if (item && !strcmp(key, "stressor")) {
				cur = r->n < SNG_MAX_STRESSORS ? &r->m[r->n++] : NULL;
				if (cur)
					strlcpy_(cur->name, val, sizeof(cur->name));
			} else if (cur) {
				set_metric(cur, key, val);
			}
		}
	}
	free(copy);
	if (r->n == 0) {
		snprintf(err, errlen, "no metrics in stress-ng's YAML");
		return -1;
	}
	return 0;
}

/* ---- log lines ---- */

/* Words of a verification failure in stress-ng's messages ("sqrt error
 * detected", "detected 4 bit errors", "checksum mismatch", "unexpected
 * value"). A failed system call instead carries "errno=". */
static const char *const miscompare_words[] = {
	"error detected", "bit error", "mismatch", "miscompar", "unexpected value", "incorrect", "wrong",
	"checksum", "verif", "corrupt", "differ", "not equal", NULL,
};

/* "stress-ng: fail:  [123] NAME: text" or "[123] NAME instance 0 ...":
 * the stressor is the first word after the pid when a colon or "instance"
 * follows it ("[123] stressor terminated ..." names none). */
static const char *after_pid(const char *s, char stressor[32])
{
	const char *p = strchr(s, ']');
	size_t len;

	stressor[0] = '\0';
	if (!p)
		return s;
	for (p++; *p == ' '; p++)
		;
	len = strcspn(p, ": ");
	if (valid_name(p, len) && (p[len] == ':' || !strncmp(p + len, " instance", 9))) {
		memcpy(stressor, p, len);
		stressor[len] = '\0';
	}
	return p;
}

static bool has_any(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strstr(s, *words))
			return true;
	return false;
}

/* "signal 4 'SIGILL'" (0.15: "terminated with unexpected signal signal 4
 * 'SIGILL'"; older: "child died: signal 4 'SIGILL'"). */
static bool find_signal(const char *s, struct sng_line *out)
{
	for (s = strstr(s, "signal "); s; s = strstr(s + 1, "signal "))
		if (isdigit((unsigned char)s[7]) && sscanf(s, "signal %d '%15[A-Z0-9]'", &out->signal, out->signame) >= 1)
			return out->signal > 0;
	return false;
}

enum sng_line_kind sng_classify(const char *line, struct sng_line *out)
{
	const char *rest;

	memset(out, 0, sizeof(*out));
	rest = after_pid(line, out->stressor);
	if (find_signal(rest, out))
		return out->kind = SNG_SIGNAL;
	if (strstr(line, " fail: ")) {
		if (strstr(rest, "bogo-ops counter") || strstr(rest, "metrics-check") || strstr(rest, "errno="))
			return out->kind = SNG_FAILED;
		return out->kind = has_any(rest, miscompare_words) ? SNG_MISCOMPARE : SNG_FAILED;
	}
	if (strstr(line, " error: "))
		return out->kind = SNG_ERROR;
	if (strstr(line, " info: ") && (strstr(rest, "skipp") || strstr(rest, "not implemented")))
		return out->kind = SNG_SKIPPED;
	return out->kind = SNG_OTHER;
}
