/* Watching the kernel log (/dev/kmsg) through the run: faults, machine
 * checks, lockups, stalls, OOM kills, clocksource and EDAC complaints each
 * become a kernel.* finding with the log lines as evidence. */
#ifndef VMTRIAGE_KMSG_H
#define VMTRIAGE_KMSG_H

#include "lib/check.h"
#include "lib/json.h"

#define KMSG_EVIDENCE_LINES 5

struct kmsg_rule {
	const char *id;
	enum severity sev;
	const char *pattern[6];	/* any of these substrings (a leading ^: at the start); NULL-ended */
	const char *unless;	/* ...unless this substring is present too */
	const char *summary;	/* follows the number of lines */
	const char *advice;
	const char *confirm;	/* the check that can confirm the cause, or NULL */
};

extern const struct kmsg_rule kmsg_rules[];
extern const int kmsg_nrules;

/* The rule a log message matches, or -1. */
int kmsg_classify(const char *message);

/* A user-space trap line, as arch/x86 prints it (traps.c show_signal,
 * fault.c show_signal_msg, print_vma_addr):
 *   traps: code[102321] general protection fault ip:70c6be715729 sp:7fff2e24ac28 error:0 in libfoo.so[70c6be700000+20000]
 *   traps: bun[77] trap invalid opcode ip:4a1b2c sp:7ffe error:0 in bun[400000+1000]
 *   node[5]: segfault at 8 ip 00007f12 sp 00007ffd error 4 in libc.so.6[7f00+1a000] likely on CPU 1 (...)
 * Kept as numbers for the instruction decoder: the faulting address is
 * ip - base + the mapping's file offset. has_* say what the line held. */
struct kmsg_trap {
	char kind[32];		/* "general protection fault", "invalid opcode", "segfault", ... */
	char comm[32];
	int pid;
	unsigned long long ip, sp, error, addr, base, size;
	bool has_ip, has_sp, has_error, has_addr, has_map;
	char file[128];		/* the mapping's file name (a basename) */
};

/* Parses a trap line (with or without the "traps: " prefix). Returns 0, or
 * -1 if the line is not a user-space trap. */
int kmsg_parse_trap(const char *message, struct kmsg_trap *t);

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
