/* triage report [--text|--html|--json] [-o FILE] REPORT.json
 *
 * Renders report.txt or report.html again from a report.json, for example
 * one copied off a report disk, or one recorded before the HTML page
 * existed. The rendering is the one `triage run` uses, so the result is
 * the same file the run would have written. A check's own JSON (`triage
 * host -o host.json`) is rendered as a report of that one check. */
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/check.h"
#include "lib/opts.h"
#include "lib/util.h"
#include "lib/verdict.h"

const struct opt report_opts[] = {
	{ "text", 0, OPT_FLAG, NULL, "render report.txt, 80 columns (the default)", 0, 0 },
	{ "html", 0, OPT_FLAG, NULL, "render report.html: one self-contained page with charts", 0, 0 },
	{ "json", 0, OPT_FLAG, NULL, "write the report JSON back, checked and indented", 0, 0 },
	{ "output", 'o', OPT_STR, "FILE", "write to FILE, not stdout", 0, 0 },
	{ "help", 'h', OPT_FLAG, NULL, "show this help", 0, 0 },
	{ 0 },
};
enum { O_TEXT, O_HTML, O_JSON, O_OUTPUT, O_HELP };

/* A check's own JSON, as `triage NAME -o FILE` writes it (lib/check.h):
 * no "schema", a "name" and a "status", and what a check measured. */
static bool is_check(const struct jval *v)
{
	return json_is(v, J_OBJ) && !json_get(v, "schema") && json_str(v, "name", NULL) && json_str(v, "status", NULL) &&
	       (json_get(v, "metrics") || json_get(v, "data") || json_get(v, "findings"));
}

/* Says why a check's JSON cannot stand as a report's one check, or false. */
static bool not_a_check(const struct jval *c, char *why, size_t size)
{
	const char *name = json_str(c, "name", ""), *status = json_str(c, "status", "");

	if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(name) || strlen(name) > 32)
		snprintf(why, size, "a check's JSON whose name \"%.40s\" is not a check's name", name);
	else if (status_from_name(status) < 0)
		snprintf(why, size, "a check's JSON whose status \"%.40s\" is none of pass, warn, fail, skip, error",
			 status);
	else
		return false;
	return true;
}

/* The report triage run would write around this one check, as far as the
 * check's JSON tells: its mode and time, the verdict from its status and
 * findings; no system facts, kernel log or report disk (none was looked
 * at). NULL when too deep for the writer. */
static struct jval *wrap_check(const struct jval *c)
{
	const char *name = json_str(c, "name", "?");
	const struct jval *fl = json_arr(c, "findings");
	enum status st = (enum status)status_from_name(json_str(c, "status", ""));
	size_t len = 0;
	char *text = NULL;
	struct jval *rep;
	struct verdict v;
	struct jw w;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		dief("out of memory");
	if (st == ST_SKIP) /* as run/judge.c verdict_of ranks it */
		st = ST_PASS;
	jw_init(&w, f, 0);
	jw_obj(&w, NULL);
	jw_str(&w, "schema", REPORT_SCHEMA_NAME);
	jw_obj(&w, "run");
	jw_str(&w, "mode", json_str(c, "mode", NULL));
	jw_num(&w, "duration_s", json_num(c, "duration_s", NAN));
	jw_arr(&w, "tests");
	jw_str(&w, NULL, name);
	jw_arr_end(&w);
	jw_arr(&w, "problems");
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_obj(&w, "tests");
	jw_value(&w, name, c);
	jw_obj_end(&w);
	/* What triage run would put first (lib/verdict). */
	verdict_init(&v);
	verdict_add_findings(&v, name, fl);
	verdict_write(&v, &w, st);
	verdict_free(&v);
	jw_obj_end(&w);
	if (fclose(f) != 0)
		dief("out of memory");
	rep = w.misuse ? NULL : json_parse(text, len, NULL, 0);
	free(text);
	return rep;
}

/* Says why rep is not a vmtriage/1 report, or returns false. */
static bool not_a_report(const struct jval *rep, char *why, size_t size)
{
	const char *schema = json_str(rep, "schema", NULL);

	if (!json_is(rep, J_OBJ))
		snprintf(why, size, "the JSON is not an object");
	else if (!schema)
		snprintf(why, size, "no \"schema\" member, and not a check's JSON either (an object with \"name\", "
			 "\"status\" and \"metrics\", \"data\" or \"findings\")");
	else if (strcmp(schema, REPORT_SCHEMA_NAME) != 0)
		snprintf(why, size, "its schema is \"%.60s\"", schema);
	else
		return false;
	return true;
}

struct jval *report_load(const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	/* /proc/self/fd/0 rather than /dev/stdin: the image's /dev has no such
	 * link. One byte over the limit: a file that large is refused as such,
	 * not cut and then misread. */
	char *text = read_file(strcmp(path, "-") ? path : "/proc/self/fd/0", REPORT_MAX_BYTES + 1, &len);
	struct jval *rep, *wrapped;
	char why[240] = "";

	if (!text) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	if (len > REPORT_MAX_BYTES) {
		snprintf(err, errlen, "%s: too large: more than %d MiB (a report.json is far smaller)", path,
			 REPORT_MAX_BYTES >> 20);
		free(text);
		return NULL;
	}
	rep = json_parse(text, len, why, sizeof(why));
	free(text);
	if (!rep) {
		snprintf(err, errlen, "%s: not JSON: %s", path, why);
		return NULL;
	}
	if (is_check(rep)) {
		wrapped = not_a_check(rep, why, sizeof(why)) ? NULL : wrap_check(rep);
		if (!wrapped && !*why)
			snprintf(why, sizeof(why), "a check's JSON nested too deeply to render");
		json_free(rep);
		if (!wrapped)
			snprintf(err, errlen, "%s: not a %s report: %s", path, REPORT_SCHEMA_NAME, why);
		return wrapped;
	}
	if (not_a_report(rep, why, sizeof(why))) {
		snprintf(err, errlen, "%s: not a %s report: %s", path, REPORT_SCHEMA_NAME, why);
		json_free(rep);
		return NULL;
	}
	return rep;
}

static void usage(void)
{
	printf("usage: triage report [--text | --html | --json] [-o FILE] REPORT.json\n\n"
	       "Renders a report again from its report.json (\"-\" reads stdin): report.txt\n"
	       "(the default), report.html, or the JSON itself after checking it. The same\n"
	       "renderers as `triage run`, so the output is the file the run writes, for a\n"
	       "report copied off a report disk or recorded by an older vmtriage.\n\n"
	       "One check's own JSON (`triage host -o host.json`) is rendered as a report\n"
	       "of that one check.\n\n"
	       "  triage report --html vmtriage/20260101T120000Z-1a2b3c4d/report.json > report.html\n"
	       "  triage report --html host.json > host.html\n\n"
	       "options:\n");
	opt_help(stdout, report_opts);
	printf("\nexit status: 0 written, 3 error (unreadable file, not JSON, neither a vmtriage/1 report nor a check's JSON)\n");
}

static int write_out(const char *path, const char *data, size_t len)
{
	FILE *f = path ? fopen(path, "w") : stdout;

	if (!f || fwrite(data, 1, len, f) != len || (path ? fclose(f) : fflush(f)) != 0) {
		fprintf(stderr, "triage report: cannot write %s: %s\n", path ? path : "stdout", strerror(errno));
		return EXIT_ERROR;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct optv v[ARRAY_SIZE(report_opts)] = { 0 };
	char err[512], *out;
	struct jval *rep;
	size_t len;
	int pos, rc;

	pos = opt_parse(report_opts, v, argc, argv, err, sizeof(err));
	if (pos >= 0 && v[O_HELP].set) {
		usage();
		return 0;
	}
	if (pos < 0 || argc - pos != 1 || v[O_TEXT].set + v[O_HTML].set + v[O_JSON].set > 1) {
		fprintf(stderr, "triage report: %s\n",
			pos < 0 ? err : argc - pos != 1 ? "expects one REPORT.json (see --help)"
							: "--text, --html and --json exclude each other");
		return EXIT_ERROR;
	}
	rep = report_load(argv[pos], err, sizeof(err));
	if (!rep) {
		fprintf(stderr, "triage report: %s\n", err);
		return EXIT_ERROR;
	}
	out = v[O_HTML].set ? render_html(rep, &len) : v[O_JSON].set ? json_to_string(rep, 2, &len) : render_text(rep, &len);
	rc = write_out(v[O_OUTPUT].set ? v[O_OUTPUT].str : NULL, out, len);
	free(out);
	json_free(rep);
	return rc;
}
