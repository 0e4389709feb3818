#include "check.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const status_names[] = { "pass", "warn", "fail", "skip", "error" };
static const char *const severity_names[] = { "info", "warn", "fail" };

const char *status_name(enum status s) { return status_names[s]; }
int status_from_name(const char *n) { return name_index(status_names, ARRAY_SIZE(status_names), n); }
const char *severity_name(enum severity s) { return severity_names[s]; }
int severity_from_name(const char *n) { return name_index(severity_names, ARRAY_SIZE(severity_names), n); }

static int limits[MODE_NCHECK];

void check_set_limits(const int limit_s[MODE_NCHECK])
{
	memcpy(limits, limit_s, sizeof(limits));
}

int status_exit_code(enum status s)
{
	static const int codes[] = {
		[ST_PASS] = EXIT_PASS, [ST_WARN] = EXIT_WARN, [ST_FAIL] = EXIT_FAIL,
		[ST_SKIP] = EXIT_SKIP, [ST_ERROR] = EXIT_ERROR,
	};
	return codes[s];
}

static void open_buffer(char **buf, size_t *len, FILE **f, struct jw *w)
{
	*f = open_memstream(buf, len);
	if (!*f)
		dief("out of memory");
	jw_init(w, *f, 0);
	jw_obj(w, NULL);
}

static void close_buffer(FILE **f, struct jw *w)
{
	if (!*f)
		return;
	jw_obj_end(w);
	if (fclose(*f) != 0)
		dief("out of memory");
	*f = NULL;
}

/* The options given, as check.h describes: the common ones are the run's
 * (mode is written on its own), the rest are the check's. */
static void options_json(struct check *c, const struct opt *table, const struct optv *vals)
{
	FILE *f;
	struct jw w;

	open_buffer(&c->obuf, &c->olen, &f, &w);
	for (int i = CHECK_COMMON_COUNT; table[i].name; i++) {
		const struct opt *o = &table[i];
		const struct optv *v = &vals[i];

		if (!v->set)
			continue;
		if (o->kind == OPT_FLAG)
			jw_bool(&w, o->name, true);
		else if (o->kind == OPT_INT || o->kind == OPT_PERCENT)
			jw_int(&w, o->name, v->num);
		else
			jw_str(&w, o->name, v->str);
	}
	close_buffer(&f, &w);
}

int check_begin(struct check *c, const char *name, const char *usage, const struct opt *table,
		struct optv *vals, int argc, char **argv)
{
	char err[256];
	int pos;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->t0 = now_ns();
	c->tail = &c->findings;
	/* Line buffering keeps progress in order with children and crashes. */
	setvbuf(stderr, NULL, _IOLBF, 0);

	pos = opt_parse(table, vals, argc, argv, err, sizeof(err));
	if (pos < 0) {
		fprintf(stderr, "triage %s: %s\n", name, err);
		return EXIT_ERROR;
	}
	if (pos < argc) {
		fprintf(stderr, "triage %s: unexpected argument '%s' (see --help)\n", name, argv[pos]);
		return EXIT_ERROR;
	}
	if (vals[CHECK_O_HELP].set) {
		printf("usage: triage %s [options]\n\n%s\n\noptions:\n", name, usage);
		opt_help(stdout, table);
		printf("\nexit status: 0 pass, 1 fail, 2 warn, 3 error, 4 skip\n");
		return EXIT_PASS;
	}
	/* Test-only fault switches (triage.fault.crash / .hang): the run sets
	 * this for one check so that the boot tests can prove it survives. */
	const char *fault = getenv("VMTRIAGE_FAULT");

	if (fault && !strcmp(fault, "crash"))
		raise(SIGSEGV);
	if (fault && !strcmp(fault, "hang"))
		for (;;)
			pause();
	if (fault && !strcmp(fault, "garbage")) {
		printf("{\"name\": \"%s\", this is not JSON\n", name);
		return EXIT_PASS;
	}
	c->mode = vals[CHECK_O_MODE].set ? (enum mode)mode_from_name(vals[CHECK_O_MODE].str) : MODE_QUICK;
	c->limit_s = c->mode < MODE_NCHECK ? limits[c->mode] : 0;
	options_json(c, table, vals);
	c->out_path = vals[CHECK_O_OUTPUT].set ? vals[CHECK_O_OUTPUT].str : NULL;
	c->quiet = vals[CHECK_O_QUIET].set;
	open_buffer(&c->mbuf, &c->mlen, &c->mf, &c->metrics);
	open_buffer(&c->dbuf, &c->dlen, &c->df, &c->data);
	return -1;
}

struct jw *check_metrics(struct check *c) { return &c->metrics; }
struct jw *check_data(struct check *c) { return &c->data; }

struct finding *check_finding(struct check *c, const char *id, enum severity sev, const char *advice,
			      const char *fmt, ...)
{
	struct finding *f = xcalloc(1, sizeof(*f));
	va_list ap;

	f->id = xstrdup(id);
	f->sev = sev;
	f->advice = advice ? xstrdup(advice) : NULL;
	va_start(ap, fmt);
	f->summary = xvasprintf(fmt, ap);
	va_end(ap);
	open_buffer(&f->evidence, &f->evlen, &f->evf, &f->ev);
	*c->tail = f;
	c->tail = &f->next;
	return f;
}

__attribute__((format(printf, 4, 0)))
static void tap(struct check *c, const char *lead, const char *tail, const char *fmt, va_list ap)
{
	if (c->quiet)
		return;
	fprintf(stderr, "%s", lead);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "%s\n", tail);
}

void check_ok(struct check *c, bool ok, const char *fmt, ...)
{
	char lead[32];
	va_list ap;

	c->ntests++;
	snprintf(lead, sizeof(lead), "%s %d - ", ok ? "ok" : "not ok", c->ntests);
	va_start(ap, fmt);
	tap(c, lead, "", fmt, ap);
	va_end(ap);
}

void check_skip(struct check *c, const char *fmt, ...)
{
	char lead[32];
	va_list ap;

	c->ntests++;
	snprintf(lead, sizeof(lead), "ok %d - # SKIP ", c->ntests);
	va_start(ap, fmt);
	tap(c, lead, "", fmt, ap);
	va_end(ap);
}

void check_note(struct check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap(c, "# ", "", fmt, ap);
	va_end(ap);
}

void check_progress(struct check *c, double fraction, const char *fmt, ...)
{
	char lead[48];
	va_list ap;

	if (fraction < 0)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	snprintf(lead, sizeof(lead), "# progress %.2f ", fraction);
	va_start(ap, fmt);
	tap(c, lead, "", fmt, ap);
	va_end(ap);
}

enum status status_from_findings(const struct finding *f)
{
	enum severity worst = SEV_INFO;

	for (; f; f = f->next)
		if (f->sev > worst)
			worst = f->sev;
	return worst == SEV_FAIL ? ST_FAIL : worst == SEV_WARN ? ST_WARN : ST_PASS;
}

int check_end(struct check *c, int status_override, const char *reason)
{
	enum status st = status_override >= 0 ? (enum status)status_override : status_from_findings(c->findings);
	FILE *out = stdout;
	struct jw w;
	int rc;

	close_buffer(&c->mf, &c->metrics);
	close_buffer(&c->df, &c->data);
	if (c->out_path) {
		out = fopen(c->out_path, "we");
		if (!out) {
			fprintf(stderr, "triage %s: cannot write %s: %m\n", c->name, c->out_path);
			out = stdout;
		}
	}
	jw_init(&w, out, 2);
	jw_obj(&w, NULL);
	jw_str(&w, "name", c->name);
	jw_str(&w, "status", status_name(st));
	jw_str(&w, "reason", reason);
	jw_str(&w, "mode", mode_name(c->mode));
	jw_raw(&w, "options", c->obuf);
	jw_num(&w, "duration_s", (double)(now_ns() - c->t0) / 1e9);
	jw_raw(&w, "metrics", c->mbuf);
	jw_raw(&w, "data", c->dbuf);
	jw_arr(&w, "findings");
	for (struct finding *f = c->findings, *next; f; f = next) {
		next = f->next;
		close_buffer(&f->evf, &f->ev);
		jw_obj(&w, NULL);
		jw_str(&w, "id", f->id);
		jw_str(&w, "severity", severity_name(f->sev));
		jw_str(&w, "summary", f->summary);
		jw_raw(&w, "evidence", f->evidence);
		jw_str(&w, "advice", f->advice);
		jw_obj_end(&w);
		free(f->id);
		free(f->summary);
		free(f->advice);
		free(f->evidence);
		free(f);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	rc = fflush(out);
	if (out != stdout)
		rc |= fclose(out);
	free(c->mbuf);
	free(c->dbuf);
	free(c->obuf);
	if (rc != 0) {
		fprintf(stderr, "triage %s: writing the result failed\n", c->name);
		return EXIT_ERROR;
	}
	if (!c->quiet) {
		fprintf(stderr, "1..%d\n", c->ntests);
		fprintf(stderr, "# %s: %s%s%s\n", c->name, status_name(st), reason ? ": " : "", reason ? reason : "");
	}
	return status_exit_code(st);
}
