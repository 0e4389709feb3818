#ifndef VMTRIAGE_RUN_H
#define VMTRIAGE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/check.h"
#include "lib/json.h"

/* What became of one check run as a child. */
struct check_result {
	const char *name;
	enum status status;
	char reason[1024];	/* why error/skip, from the run or the check (the post-mortem's "no suspect disk" advice is 330 bytes) */
	struct jval *json;	/* the check's object, NULL if none was usable */
	double seconds;
};

/* Runs a verdict over check results: fail > error > warn > pass; skips do
 * not count. */
enum status verdict_of(const struct check_result *r, int n);

/* The verdict with the kernel log's worst finding folded in. */
enum status verdict_with_kernel(enum status v, enum severity kernel_worst);

/* Judges a check's output. Takes the child's wait status, whether it timed
 * out, and its stdout text; fills status and reason, and json when the
 * output is a well-formed check object. */
void judge_child(struct check_result *r, int wstatus, bool timed_out, int limit_s, const char *out, size_t len);

/* A short, stable id for this machine (8 hex digits) from DMI or
 * /etc/machine-id; random if neither exists. */
void machine_id(char out[9]);

/* Renders the verdict screen (verdict, top findings, where the report
 * went) for the console, in colour if asked. */
char *render_screen(const struct jval *report, bool color, size_t *len);

#endif
