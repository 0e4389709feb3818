/* triage report [--text|--html|--json] [-o FILE] REPORT.json
 *
 * Renders report.txt or report.html again from a report.json, for example
 * one copied off a report disk, or one recorded before the HTML page
 * existed. The rendering is the one `triage run` uses, so the result is
 * the same file the run would have written. */
#include "report/report.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/opts.h"
#include "lib/util.h"
#include "run/html.h"
#include "run/run.h"

const struct opt report_opts[] = {
	{ "text", 0, OPT_FLAG, NULL, "render report.txt, 80 columns (the default)", 0, 0 },
	{ "html", 0, OPT_FLAG, NULL, "render report.html: one self-contained page with charts", 0, 0 },
	{ "json", 0, OPT_FLAG, NULL, "write the report JSON back, checked and indented", 0, 0 },
	{ "output", 'o', OPT_STR, "FILE", "write to FILE, not stdout", 0, 0 },
	{ "help", 'h', OPT_FLAG, NULL, "show this help", 0, 0 },
	{ 0 },
};
enum { O_TEXT, O_HTML, O_JSON, O_OUTPUT, O_HELP };

/* Says why rep is not a vmtriage/1 report, or returns false. */
static bool not_a_report(const struct jval *rep, char *why, size_t size)
{
	const struct jval *schema = json_get(rep, "schema");

	if (rep->type != J_OBJ)
		snprintf(why, size, "the JSON is not an object");
	else if (!schema || schema->type != J_STR)
		snprintf(why, size, "no \"schema\" member");
	else if (strcmp(schema->str, REPORT_SCHEMA_NAME) != 0)
		snprintf(why, size, "its schema is \"%.60s\"", schema->str);
	else
		return false;
	return true;
}

struct jval *report_load(const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	/* /proc/self/fd/0 rather than /dev/stdin: the image's /dev has no such link. */
	/* One byte over the limit: a file that large is refused as such,
	 * not cut and then misread. */
	char *text = read_file(strcmp(path, "-") ? path : "/proc/self/fd/0", REPORT_MAX_BYTES + 1, &len);
	struct jval *rep;
	char why[160];

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
	       "  triage report --html vmtriage/20260101T120000Z-1a2b3c4d/report.json > report.html\n\n"
	       "options:\n");
	opt_help(stdout, report_opts);
	printf("\nexit status: 0 written, 3 error (unreadable file, not JSON, not a vmtriage/1 report)\n");
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
