/* Watching the kernel log (/dev/kmsg) through the run: faults, machine
 * checks, lockups, stalls, OOM kills, clocksource and EDAC complaints each
 * become a kernel.* finding with the log lines as evidence. */
#ifndef VMTRIAGE_KMSG_H
#define VMTRIAGE_KMSG_H

#include "lib/check.h"
#include "lib/json.h"

#define KMSG_EVIDENCE_LINES 5

struct kmsg_rule {
	const char *id;		/* a row of lib/findings.def: severity, confirming check */
	const char *pattern[6];	/* any of these substrings (a leading ^: at the start); NULL-ended */
	const char *unless;	/* ...unless this substring is present too */
	const char *summary;	/* follows the number of lines */
	const char *advice;
};

extern const struct kmsg_rule kmsg_rules[];
extern const int kmsg_nrules;

/* The rule a log message matches, or -1. */
int kmsg_classify(const char *message);

struct kmsg_hit {
	int count;
	char lines[KMSG_EVIDENCE_LINES][200];
};

struct kmsg_watch {
	int fd;
	long long records;	/* messages read */
	bool lost;		/* the ring buffer overran between reads */
	struct kmsg_hit hits[32];
	/* Called for each line a rule classifies, when set (after kmsg_open):
	 * the rule, the text, and the record's timestamp (us since boot,
	 * CLOCK_MONOTONIC's base; -1 if the record had none). */
	void (*on_line)(void *ctx, int rule, const char *text, long long usec);
	void *ctx;
};

/* Opens /dev/kmsg at the start of its buffer (boot messages count too).
 * Returns -1 if the log cannot be read (not root, no /dev/kmsg). */
int kmsg_open(struct kmsg_watch *w);
/* The same, past the messages already logged: only what comes from now. */
int kmsg_open_new(struct kmsg_watch *w);
/* A rule's severity and the check that confirms it (its findings.def row). */
enum severity kmsg_rule_sev(int rule);
const char *kmsg_rule_confirm(int rule);
/* The index of the rule with this id, or -1. */
int kmsg_rule(const char *id);
/* Reads every record that is waiting; never blocks. */
void kmsg_drain(struct kmsg_watch *w);
/* Parses one /dev/kmsg record ("pri,seq,usec,flags;text\n...") and feeds its
 * text to the rules. Exposed for the unit tests. */
void kmsg_feed(struct kmsg_watch *w, const char *record, size_t len);
/* The one-line summary of a rule's finding: "3 soft or hard lockup ...". */
void kmsg_summary(const struct kmsg_watch *w, int rule, char *buf, size_t size);
/* Writes the findings as an array under key. */
void kmsg_write(const struct kmsg_watch *w, struct jw *jw, const char *key);
/* The worst severity among the findings so far (SEV_INFO if none). */
enum severity kmsg_worst(const struct kmsg_watch *w);
void kmsg_close(struct kmsg_watch *w);

#endif
