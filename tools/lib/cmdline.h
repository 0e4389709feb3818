/* The triage.* options of the kernel command line (docs/cmdline.md).
 * Unknown or malformed options become problems to show and record; they
 * never stop the run, and the default stays in force. */
#ifndef VMTRIAGE_CMDLINE_H
#define VMTRIAGE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "mode.h"

enum after { AFTER_WAIT, AFTER_POWEROFF, AFTER_REBOOT, AFTER_SHELL };

#define CMDLINE_MAX_KNOBS 32
#define CMDLINE_MAX_PROBLEMS 16
#define CMDLINE_MAX_TESTS 8
/* triage.timelimit's bound: a burn-in of a week is the longest anyone
 * plans; beyond it the number is a typo (and would overflow the run's
 * seconds). */
#define CMDLINE_TIMELIMIT_MAX_S (7 * 24 * 3600)

/* triage.<check>.<name>=<value>: checked later against the check's options. */
struct knob {
	char check[16];
	char name[32];
	char value[128];
};

struct triage_cmdline {
	enum mode mode;
	enum after after;
	bool exit_isa_debug;		/* triage.exit=isa-debug-exit */
	char report[128];		/* auto, none, LABEL=x, UUID=x, /dev/x */
	int ntests;			/* 0: all */
	char tests[CMDLINE_MAX_TESTS][16];
	int nknobs;
	struct knob knobs[CMDLINE_MAX_KNOBS];
	long long timelimit_ns;		/* triage.timelimit: per check; 0 = the mode's */
	/* triage.fault=KIND:CHECK, for the boot tests only: makes CHECK crash,
	 * hang or print garbage, to prove the run survives it. */
	char fault_kind[16], fault_check[16];
	int nproblems;
	char problems[CMDLINE_MAX_PROBLEMS][160];
};

/* Parses a kernel command line. Words are separated by white space; a value
 * may be double-quoted. Never fails: bad options become problems. */
void cmdline_parse(const char *text, struct triage_cmdline *out);

/* Applies one option, triage.KEY=VALUE, as if it were on the command line
 * (for the same option given another way, e.g. `triage run --tests`). */
void cmdline_set(struct triage_cmdline *c, const char *key, const char *value);

/* Records a problem (also used by callers that check knobs further). */
void cmdline_problem(struct triage_cmdline *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *after_name(enum after a);

/* Checks a report target: auto, none, LABEL=x, UUID=x or /dev/x. */
bool report_target_valid(const char *s);

#endif
