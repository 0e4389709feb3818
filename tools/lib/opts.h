/* Options of a subcommand, described by a table.
 *
 * One table serves three purposes: parsing argv, printing --help, and
 * checking a kernel command-line knob such as triage.mem.percent=85 before
 * the run passes it on, so that a bad knob is reported rather than fatal. */
#ifndef VMTRIAGE_OPTS_H
#define VMTRIAGE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_kind {
	OPT_FLAG,     /* --name */
	OPT_STR,      /* --name=TEXT */
	OPT_INT,      /* --name=N */
	OPT_PERCENT,  /* --name=85 or 85% */
	OPT_DURATION, /* --name=1.5s, 200ms, 50us, 3m: stored in ns */
	OPT_SIZE,     /* --name=64M, 1G, 4096: stored in bytes */
	OPT_DURLIST,  /* --name=50us,1ms,20ms: durations in ns */
	OPT_CHOICE,   /* --name=one of the '|'-separated words in arg */
};

#define OPT_LIST_MAX 16

struct opt {
	const char *name;
	char short_name;       /* 0 if none */
	enum opt_kind kind;
	const char *arg;       /* shown in help; for OPT_CHOICE, "a|b|c" */
	const char *help;
	long long min, max;    /* accepted range; both 0: no limit */
};

struct optv {
	bool set;
	const char *str;       /* the text as given */
	long long num;         /* INT, PERCENT, DURATION (ns), SIZE (bytes) */
	long long list[OPT_LIST_MAX];
	int nlist;
};

/* Parses one value for o. Returns 0, or -1 with a message in err. */
int opt_value(const struct opt *o, const char *text, struct optv *v, char *err, size_t errlen);

/* Finds an option by long name in a table ended by a NULL name. */
const struct opt *opt_find(const struct opt *table, const char *name);

/* Parses argv[1..] against table (vals parallel to it). Accepts --name=v,
 * --name v, -x v and --. Returns the index of the first positional argument
 * (argc if none), or -1 with a message in err. */
int opt_parse(const struct opt *table, struct optv *vals, int argc, char **argv, char *err, size_t errlen);

void opt_help(FILE *f, const struct opt *table);

/* Unit parsers, shared with the kernel command-line reader. */
int parse_duration_ns(const char *s, long long *ns);
int parse_size_bytes(const char *s, long long *bytes);
/* Formats ns as "150us", "2.5ms", "1s". */
void format_duration(char *buf, size_t size, long long ns);

#endif
