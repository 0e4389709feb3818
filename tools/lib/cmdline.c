#include "cmdline.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "util.h"

static const char *const after_names[] = { "wait", "poweroff", "reboot", "shell" };

const char *after_name(enum after a) { return after_names[a]; }

void cmdline_problem(struct triage_cmdline *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nproblems == CMDLINE_MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(c->problems[c->nproblems++], sizeof(c->problems[0]), fmt, ap);
	va_end(ap);
}

static bool is_word(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

bool report_target_valid(const char *s)
{
	if (!strcmp(s, "auto") || !strcmp(s, "none"))
		return true;
	if (!strncmp(s, "LABEL=", 6) || !strncmp(s, "UUID=", 5))
		return strchr(s, '=')[1] != '\0' && !strchr(s, '/');
	if (!strncmp(s, "/dev/", 5))
		return s[5] != '\0' && !strstr(s, "..");
	return false;
}

static void set_tests(struct triage_cmdline *c, const char *v)
{
	int n = 0;

	for (const char *p = v; *p;) {
		size_t m = strcspn(p, ",");

		if (!is_word(p, m) || m >= sizeof(c->tests[0]) || n == CMDLINE_MAX_TESTS) {
			cmdline_problem(c, "triage.tests=%s: expected a comma list such as isa,mem,wake; running all", v);
			c->ntests = 0;
			return;
		}
		memcpy(c->tests[n], p, m);
		c->tests[n++][m] = '\0';
		p += m + (p[m] == ',');
	}
	if (n == 0)
		cmdline_problem(c, "triage.tests is empty; running all");
	c->ntests = n;
}

static void set_fault(struct triage_cmdline *c, const char *v)
{
	static const char *const kinds[] = { "crash", "hang", "garbage" };
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : 0;

	char kind[16];
	int i = -1;

	if (colon && n < sizeof(kind)) {
		memcpy(kind, v, n);
		kind[n] = '\0';
		i = name_index(kinds, ARRAY_SIZE(kinds), kind);
	}
	if (i >= 0 && is_word(colon + 1, strlen(colon + 1)) && strlen(colon + 1) < sizeof(c->fault_check)) {
		strlcpy_(c->fault_kind, kinds[i], sizeof(c->fault_kind));
		strlcpy_(c->fault_check, colon + 1, sizeof(c->fault_check));
		return;
	}
	cmdline_problem(c, "triage.fault=%s: expected crash:CHECK, hang:CHECK or garbage:CHECK; ignored", v);
}

/* The options that take one value; a second one is reported (the kernel
 * passes both, and the last would silently win). */
static const char *const single[] = { "mode", "after", "exit", "report", "tests", "fault", "timelimit" };

static void repeated(struct triage_cmdline *c, unsigned *seen, const char *key, const char *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(single); i++)
		if (!strcmp(key, single[i])) {
			if (*seen & 1u << i)
				cmdline_problem(c, "triage.%s=%s: given more than once; the last one counts", key, v);
			*seen |= 1u << i;
		}
}

static void option(struct triage_cmdline *c, unsigned *seen, const char *key, const char *v)
{
	int i;

	repeated(c, seen, key, v);
	if (!strcmp(key, "mode")) {
		if ((i = mode_from_name(v)) < 0)
			cmdline_problem(c, "triage.mode=%s: expected quick, standard, burnin or shell; using quick", v);
		else
			c->mode = (enum mode)i;
	} else if (!strcmp(key, "after")) {
		if ((i = name_index(after_names, ARRAY_SIZE(after_names), v)) < 0)
			cmdline_problem(c, "triage.after=%s: expected wait, poweroff, reboot or shell; using wait", v);
		else
			c->after = (enum after)i;
	} else if (!strcmp(key, "exit")) {
		if (strcmp(v, "isa-debug-exit"))
			cmdline_problem(c, "triage.exit=%s: the only exit method is isa-debug-exit; ignored", v);
		else
			c->exit_isa_debug = true;
	} else if (!strcmp(key, "report")) {
		if (!report_target_valid(v) || strlen(v) >= sizeof(c->report))
			cmdline_problem(c, "triage.report=%s: expected auto, none, LABEL=x, UUID=x or /dev/x; using auto", v);
		else
			strlcpy_(c->report, v, sizeof(c->report));
	} else if (!strcmp(key, "tests")) {
		set_tests(c, v);
	} else if (!strcmp(key, "fault")) {
		set_fault(c, v);
	} else if (!strcmp(key, "timelimit")) {
		long long ns;

		if (parse_duration_ns(v, &ns) < 0 || ns < 1000000000LL || ns > CMDLINE_TIMELIMIT_MAX_S * 1000000000LL)
			cmdline_problem(c, "triage.timelimit=%s: expected a duration from 1s to %dh; ignored", v,
					CMDLINE_TIMELIMIT_MAX_S / 3600);
		else
			c->timelimit_ns = ns;
	} else {
		const char *dot = strchr(key, '.');
		struct knob *k;

		if (!dot || !is_word(key, (size_t)(dot - key)) || !is_word(dot + 1, strlen(dot + 1)) ||
		    (size_t)(dot - key) >= sizeof(k->check) || strlen(dot + 1) >= sizeof(k->name)) {
			cmdline_problem(c, "triage.%s: unknown option; ignored", key);
			return;
		}
		if (strlen(v) >= sizeof(k->value)) {
			cmdline_problem(c, "triage.%s: value too long; ignored", key);
			return;
		}
		for (int j = 0; j < c->nknobs; j++)
			if (!strncmp(c->knobs[j].check, key, (size_t)(dot - key)) && !c->knobs[j].check[dot - key] &&
			    !strcmp(c->knobs[j].name, dot + 1)) {
				cmdline_problem(c, "triage.%s=%s: given more than once; the last one counts", key, v);
				strlcpy_(c->knobs[j].value, v, sizeof(c->knobs[j].value));
				return;
			}
		if (c->nknobs == CMDLINE_MAX_KNOBS) {
			cmdline_problem(c, "triage.%s: too many options; ignored", key);
			return;
		}
		k = &c->knobs[c->nknobs++];
		memcpy(k->check, key, (size_t)(dot - key));
		k->check[dot - key] = '\0';
		strlcpy_(k->name, dot + 1, sizeof(k->name));
		strlcpy_(k->value, v, sizeof(k->value));
	}
}

void cmdline_parse(const char *text, struct triage_cmdline *c)
{
	char word[512];
	unsigned seen = 0;

	memset(c, 0, sizeof(*c));
	strlcpy_(c->report, "auto", sizeof(c->report));
	while (*text) {
		size_t n = 0;
		bool quoted = false, truncated = false;

		while (*text == ' ' || *text == '\t' || *text == '\n')
			text++;
		if (!*text)
			break;
		/* The kernel allows quotes anywhere in a word: a="b c" is one. */
		for (; *text && (quoted || (*text != ' ' && *text != '\t' && *text != '\n')); text++) {
			if (*text == '"') {
				quoted = !quoted;
				continue;
			}
			if (n + 1 < sizeof(word))
				word[n++] = *text;
			else
				truncated = true;
		}
		word[n] = '\0';
		if (n < 7 || memcmp(word, "triage.", 7) != 0)
			continue;
		char *key = word + 7, *eq = strchr(key, '=');

		if (truncated) {
			cmdline_problem(c, "%.40s...: option too long; ignored", word);
			continue;
		}
		if (!eq || eq == key) {
			cmdline_problem(c, "%s: expected triage.<option>=<value>; ignored", word);
			continue;
		}
		*eq = '\0';
		if (eq[1] == '\0') {
			cmdline_problem(c, "triage.%s: empty value; ignored", key);
			continue;
		}
		option(c, &seen, key, eq + 1);
	}
}

void cmdline_set(struct triage_cmdline *c, const char *key, const char *value)
{
	unsigned seen = 0; /* one option set from outside the command line: never a repeat */

	option(c, &seen, key, value);
}
