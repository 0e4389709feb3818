#include "opts.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int parse_scaled(const char *s, const char *const *units, const double *scale, double *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -1;
	for (int i = 0; units[i]; i++)
		if (strcmp(end, units[i]) == 0) {
			*out = v * scale[i];
			return 0;
		}
	return -1;
}

int parse_duration_ns(const char *s, long long *ns)
{
	static const char *const units[] = { "", "s", "ms", "us", "ns", "m", "h", NULL };
	static const double scale[] = { 1e9, 1e9, 1e6, 1e3, 1, 60e9, 3600e9 };
	double v;

	if (parse_scaled(s, units, scale, &v) < 0 || v > 9e18)
		return -1;
	*ns = llround(v);
	return 0;
}

int parse_size_bytes(const char *s, long long *bytes)
{
	static const char *const units[] = { "", "B", "K", "KiB", "M", "MiB", "G", "GiB", "T", "TiB", NULL };
	static const double scale[] = { 1, 1, 0x1p10, 0x1p10, 0x1p20, 0x1p20, 0x1p30, 0x1p30, 0x1p40, 0x1p40 };
	double v;

	if (parse_scaled(s, units, scale, &v) < 0 || v > 9e18)
		return -1;
	*bytes = llround(v);
	return 0;
}

void format_duration(char *buf, size_t size, long long ns)
{
	if (ns >= 1000000000LL && ns % 1000000000LL == 0)
		snprintf(buf, size, "%llds", ns / 1000000000LL);
	else if (ns >= 1000000000LL)
		snprintf(buf, size, "%.3gs", (double)ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, size, "%.3gms", (double)ns / 1e6);
	else if (ns >= 1000)
		snprintf(buf, size, "%.3gus", (double)ns / 1e3);
	else
		snprintf(buf, size, "%lldns", ns);
}

static bool choice_ok(const char *choices, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = choices; *p;) {
		size_t m = strcspn(p, "|");

		if (m == n && strncmp(p, word, n) == 0)
			return true;
		p += m + (p[m] == '|');
	}
	return false;
}

static int range_ok(const struct opt *o, long long v, char *err, size_t errlen)
{
	if ((o->min || o->max) && (v < o->min || v > o->max)) {
		char lo[32], hi[32];

		if (o->kind == OPT_DURATION || o->kind == OPT_DURLIST) {
			format_duration(lo, sizeof(lo), o->min);
			format_duration(hi, sizeof(hi), o->max);
		} else {
			snprintf(lo, sizeof(lo), "%lld", o->min);
			snprintf(hi, sizeof(hi), "%lld", o->max);
		}
		snprintf(err, errlen, "--%s: out of range (%s to %s)", o->name, lo, hi);
		return -1;
	}
	return 0;
}

int opt_value(const struct opt *o, const char *text, struct optv *v, char *err, size_t errlen)
{
	long long n;

	v->str = text;
	switch (o->kind) {
	case OPT_FLAG:
		if (text && strcmp(text, "1") && strcmp(text, "yes") && strcmp(text, "true")) {
			snprintf(err, errlen, "--%s takes no value", o->name);
			return -1;
		}
		break;
	case OPT_STR:
		break;
	case OPT_CHOICE:
		if (!choice_ok(o->arg, text)) {
			snprintf(err, errlen, "--%s: '%s' is not one of %s", o->name, text, o->arg);
			return -1;
		}
		break;
	case OPT_INT:
		if (parse_ll(text, &n) < 0) {
			snprintf(err, errlen, "--%s: '%s' is not a whole number", o->name, text);
			return -1;
		}
		if (range_ok(o, n, err, errlen) < 0)
			return -1;
		v->num = n;
		break;
	case OPT_PERCENT: {
		char buf[32];
		size_t len = strlen(text);

		if (len == 0 || len >= sizeof(buf)) {
			snprintf(err, errlen, "--%s: '%s' is not a percentage", o->name, text);
			return -1;
		}
		memcpy(buf, text, len + 1);
		if (buf[len - 1] == '%')
			buf[len - 1] = '\0';
		if (parse_ll(buf, &n) < 0) {
			snprintf(err, errlen, "--%s: '%s' is not a percentage", o->name, text);
			return -1;
		}
		if (range_ok(o, n, err, errlen) < 0)
			return -1;
		v->num = n;
		break;
	}
	case OPT_DURATION:
		if (parse_duration_ns(text, &n) < 0) {
			snprintf(err, errlen, "--%s: '%s' is not a duration (e.g. 500us, 20ms, 1.5s, 2m)", o->name, text);
			return -1;
		}
		if (range_ok(o, n, err, errlen) < 0)
			return -1;
		v->num = n;
		break;
	case OPT_SIZE:
		if (parse_size_bytes(text, &n) < 0) {
			snprintf(err, errlen, "--%s: '%s' is not a size (e.g. 4096, 64M, 1G)", o->name, text);
			return -1;
		}
		if (range_ok(o, n, err, errlen) < 0)
			return -1;
		v->num = n;
		break;
	case OPT_DURLIST: {
		const char *p = text;

		v->nlist = 0;
		while (*p) {
			char item[32];
			size_t m = strcspn(p, ",");

			if (m == 0 || m >= sizeof(item) || v->nlist == OPT_LIST_MAX) {
				snprintf(err, errlen, "--%s: '%s' is not a list of at most %d durations", o->name, text, OPT_LIST_MAX);
				return -1;
			}
			memcpy(item, p, m);
			item[m] = '\0';
			if (parse_duration_ns(item, &n) < 0) {
				snprintf(err, errlen, "--%s: '%s' is not a duration", o->name, item);
				return -1;
			}
			if (range_ok(o, n, err, errlen) < 0)
				return -1;
			v->list[v->nlist++] = n;
			p += m + (p[m] == ',');
		}
		if (v->nlist == 0) {
			snprintf(err, errlen, "--%s: empty list", o->name);
			return -1;
		}
		break;
	}
	}
	v->set = true;
	return 0;
}

const struct opt *opt_find(const struct opt *table, const char *name)
{
	for (const struct opt *o = table; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

int opt_parse(const struct opt *table, struct optv *vals, int argc, char **argv, char *err, size_t errlen)
{
	int i;

	/* Callers need not clear vals: every option starts unset. */
	for (i = 0; table[i].name; i++)
		memset(&vals[i], 0, sizeof(vals[i]));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *value = NULL;
		const struct opt *o = NULL;
		char name[64];

		if (strcmp(a, "--") == 0)
			return i + 1;
		if (a[0] != '-' || a[1] == '\0')
			return i;
		if (a[1] == '-') {
			size_t n = strcspn(a + 2, "=");

			if (n >= sizeof(name)) {
				snprintf(err, errlen, "unknown option '%s'", a);
				return -1;
			}
			memcpy(name, a + 2, n);
			name[n] = '\0';
			if (a[2 + n] == '=')
				value = a + 3 + n;
			o = opt_find(table, name);
		} else {
			for (const struct opt *p = table; p->name; p++)
				if (p->short_name && p->short_name == a[1])
					o = p;
			if (o && a[2])
				value = a + 2;
		}
		if (!o) {
			snprintf(err, errlen, "unknown option '%s' (see --help)", a);
			return -1;
		}
		if (o->kind != OPT_FLAG && !value) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "--%s needs a value (%s)", o->name, o->arg ? o->arg : "VALUE");
				return -1;
			}
			value = argv[++i];
		}
		if (opt_value(o, value, &vals[o - table], err, errlen) < 0)
			return -1;
	}
	return i;
}

void opt_help(FILE *f, const struct opt *table)
{
	for (const struct opt *o = table; o->name; o++) {
		char left[64];

		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
				 o->kind == OPT_FLAG ? "" : " ", o->kind == OPT_FLAG ? "" : o->arg);
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				 o->kind == OPT_FLAG ? "" : "=", o->kind == OPT_FLAG ? "" : o->arg);
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
}
