/* The check contract (docs/checks.md, "The contract"): `triage <name>` prints
 * TAP-style progress to stderr and one JSON object to stdout (or -o FILE),
 * and exits 0 pass, 1 fail, 2 warn, 3 error, 4 skip.
 *
 * A check calls check_begin() with its option table, writes what it measured
 * through check_metrics() (a flat object of headline numbers) and
 * check_data() (anything larger: tables, samples, histograms), adds findings,
 * and returns check_end(). The status follows from the worst finding unless
 * the check ends as skipped or in error. "options" holds the options it was
 * given (beyond the common ones): flags as true, whole numbers and
 * percentages as numbers, everything else as the text given. The object
 * written is:
 *
 *   {"name", "status", "reason", "mode", "options": {...}, "duration_s",
 *    "metrics": {...}, "data": {...}, "findings": [{"id", "severity",
 *    "summary", "evidence": {...}, "advice"}]}
 */
#ifndef VMTRIAGE_CHECK_H
#define VMTRIAGE_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "mode.h"
#include "opts.h"
#include "util.h"

enum status { ST_PASS, ST_WARN, ST_FAIL, ST_SKIP, ST_ERROR };
enum severity { SEV_INFO, SEV_WARN, SEV_FAIL };

const char *status_name(enum status s);
int status_from_name(const char *name); /* -1 if unknown */
int status_exit_code(enum status s);
const char *severity_name(enum severity s);
int severity_from_name(const char *name);

/* A finding is built by the check and written out by check_end(). */
struct finding {
	char *id;
	enum severity sev;
	char *summary;
	char *advice;
	char *evidence;	    /* JSON object text, filled on close */
	size_t evlen;
	FILE *evf;
	struct jw ev;	    /* evidence writer: an object is open */
	struct finding *next;
};

struct check {
	const char *name;
	enum mode mode;
	int limit_s;	    /* the time limit of its mode (commands.h), 0 if not known */
	const char *out_path;
	bool quiet;
	int64_t t0;
	int ntests;	    /* TAP test points printed */
	char *mbuf, *dbuf, *obuf;
	size_t mlen, dlen, olen;
	FILE *mf, *df;
	struct jw metrics, data;
	struct finding *findings, **tail;
};

/* Options every check takes, by name; a check's own table follows them in
 * --help, its enum starting at CHECK_COMMON_COUNT and each row designated
 * ([O_NAME] = { ... }) so that the enum cannot drift from the table. */
enum { CHECK_O_MODE, CHECK_O_OUTPUT, CHECK_O_QUIET, CHECK_O_HELP, CHECK_COMMON_COUNT };
#define CHECK_COMMON_OPTS                                                       \
	[CHECK_O_MODE] = { "mode", 'm', OPT_CHOICE, "quick|standard|burnin",    \
	  "how long and how hard to test (default quick)", 0, 0 },              \
	[CHECK_O_OUTPUT] = { "output", 'o', OPT_STR, "FILE", "write the JSON to FILE, not stdout", 0, 0 }, \
	[CHECK_O_QUIET] = { "quiet", 'q', OPT_FLAG, NULL, "no progress on stderr", 0, 0 }, \
	[CHECK_O_HELP] = { "help", 'h', OPT_FLAG, NULL, "show this help", 0, 0 }

/* The time limits of the command about to run, per mode, as its row in the
 * command table describes them: the dispatcher sets them, check_begin()
 * hands the mode's one to the check (struct check's limit_s). */
void check_set_limits(const int limit_s[MODE_NCHECK]);

/* Parses argv (the table must start with CHECK_COMMON_OPTS and end with a
 * NULL name), handles --help and bad options. Returns -1 to go on, or an
 * exit code the caller returns at once. */
int check_begin(struct check *c, const char *name, const char *usage, const struct opt *table,
		struct optv *vals, int argc, char **argv);

struct jw *check_metrics(struct check *c);
struct jw *check_data(struct check *c);

/* Adds a finding and returns it with its evidence object open for jw_*
 * calls; advice may be NULL for a purely informative finding. */
struct finding *check_finding(struct check *c, const char *id, enum severity sev, const char *advice,
			      const char *summary_fmt, ...) __attribute__((format(printf, 5, 6)));

/* TAP progress on stderr. */
void check_ok(struct check *c, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void check_skip(struct check *c, const char *reason_fmt, ...) __attribute__((format(printf, 2, 3)));
void check_note(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "# progress 0.42 text": the run reads these to draw its progress bar. */
void check_progress(struct check *c, double fraction, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes the JSON object and returns the exit code. status_override is
 * ST_SKIP or ST_ERROR to end that way (with a reason), or -1 to derive the
 * status from the findings. Frees everything the check allocated. */
int check_end(struct check *c, int status_override, const char *reason);

/* Status from findings alone: the worst severity. */
enum status status_from_findings(const struct finding *f);

#endif
