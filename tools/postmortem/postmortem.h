/* `triage postmortem`: what the previous boots of a system left in its logs
 * (systemd journal files, rsyslog text logs, pstore, systemd-coredump),
 * read without writing anything, classified with the run's kernel-log rule
 * table (lib/kmsg.c), summarised boot by boot, newest first, as prev.*
 * findings that each name the check that can confirm them.
 *
 * The model below is fed one log record at a time by whichever reader found
 * it (pm_feed), so the readers stay pure and the unit tests can feed lines. */
#ifndef VMTRIAGE_POSTMORTEM_H
#define VMTRIAGE_POSTMORTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/kmsg.h"
#include "lib/trapline.h"

struct fault_insn;

#define PM_LINE_MAX 400		/* a log line kept as evidence */
#define PM_MAX_EVENTS 4000	/* kept; more are only counted */
#define PM_DEFAULT_BOOTS 3
/* A unit's "killed by signal" line belongs to the trap before it when both
 * are this close (systemd logs it within milliseconds of the kernel's trap;
 * a core dump being written can delay it by seconds). */
#define PM_TIE_WINDOW_US (60LL * 1000000)
/* A log that stops after this much silence points at the idle machine (deep
 * C-states, the host), not at load: systemd's own timers (tmpfiles, apt,
 * logrotate) write something at least every few hours on a busy system. */
#define PM_QUIET_IDLE_US (15LL * 60 * 1000000)
/* A shutdown message counts when the log ends within this of it: a system
 * that goes on logging long after "Journal stopped" only restarted journald.
 * systemd's default stop timeout is 90 s (DefaultTimeoutStopSec). */
#define PM_SHUTDOWN_TAIL_US (120LL * 1000000)

/* One record from any source. */
struct pm_record {
	int64_t t_us;		/* realtime, UTC microseconds; 0 if unknown */
	const char *boot;	/* the boot key (a _BOOT_ID, or the text reader's) */
	const char *source;	/* "journal", "syslog", "kern.log", "pstore", ... */
	const char *program;	/* SYSLOG_IDENTIFIER or the syslog tag: "kernel", "systemd" */
	int pid;
	const char *unit;	/* _SYSTEMD_UNIT, may be empty */
	const char *message;
	int coredump_signal;	/* COREDUMP_SIGNAL, -1 if none */
	const char *coredump_exe;
};

struct pm_event {
	int rule;		/* index in kmsg_rules */
	int boot;		/* index in pm.boots */
	int64_t t_us;
	char program[64];
	int pid;
	char line[PM_LINE_MAX];
	bool has_trap;
	struct trap_line trap;
	char code[200];		/* the kernel's "Code:" bytes after a trap */
	char unit[128];		/* service.signal: the unit */
	char signal[8];		/* "ILL", "SEGV", "BUS" */
	char exe[256];		/* service.coredump: COREDUMP_EXE */
	int coredump_signal;
	int tied_to;		/* index of the trap event this line follows, or -1 */
	char oom_victim[64];	/* kernel.oom: the killed process */
	long long oom_rss_kb;	/* its anon-rss */
	/* service.coredump: the first frame of systemd-coredump's stack trace,
	 * "#0  0x00007f3a12355729 n/a (/usr/lib/libfoo.so + 0x15729)". */
	bool has_frame;
	unsigned long long frame_pc, frame_off; /* off: from the module's start */
	char frame_file[200];
	struct fault_insn *insn; /* the decoded instruction (join.c), or NULL */
};

struct pm_boot {
	char key[48];
	char source[24];
	int64_t first_us, last_us, prev_us; /* prev: the record before the last */
	long long records;
	bool shutdown;		/* it ended with a shutdown (pm_finish) */
	int64_t shutdown_us;	/* the last shutdown or reboot message */
	bool current;		/* the boot running now (--root / on a live system) */
	bool dropped;		/* a text-log boot that a journal boot already covers */
	int events;
	char last_program[64];
	char last_line[PM_LINE_MAX];
	int64_t linux_version_us; /* the "Linux version" line: the boot's start */
	int index;		/* before pm_finish sorted the boots */
};

struct pm {
	struct pm_boot *boots;
	int nboots, capboots;
	struct pm_event *events;
	int nevents;
	long long events_lost;	/* past PM_MAX_EVENTS */
	long long records;
	int last_boot;		/* cache: records come in runs of one boot */
	int last_kernel_event;	/* the event of the previous kernel record in its boot, for Code: */
	int last_kernel_boot;
	char current_boot[40];	/* the running boot's id, dashes removed, or "" */
};

void pm_init(struct pm *pm);
void pm_free(struct pm *pm);
/* Takes one record: boot bookkeeping, shutdown markers, classification. */
void pm_feed(struct pm *pm, const struct pm_record *r);
/* Marks text-log boots that overlap a journal boot (rsyslog got the same
 * lines from journald) and sorts boots newest first. */
void pm_finish(struct pm *pm);
/* Whether a boot ended without a shutdown message and is not running now. */
bool pm_unclean(const struct pm_boot *b);

/* ---- text logs (logs.c) ---- */

/* One line of an rsyslog file, in the traditional format ("Nov 28 05:30:55
 * host tag[pid]: msg") or RFC 3339 ("2026-11-28T05:30:55.123456+00:00 host
 * tag: msg"). year: for the traditional format, which has none. The kernel's
 * "[  123.456789] " prefix is removed from the message. Returns 0 or -1. */
struct pm_textline {
	int64_t t_us;
	char program[64];
	int pid;
	const char *message;	/* points into the line */
};
int pm_parse_syslog_line(const char *line, int year, struct pm_textline *out);

/* Reads a log file whole, undoing gzip or xz (by their magic bytes), at
 * most max bytes of text: the newest part (the end) when it is longer, and
 * then *cut is set. Returns a NUL-terminated buffer or NULL (a note in note). */
char *pm_read_log(const char *path, size_t max, size_t *len, bool *cut, char *note, size_t notesize);

/* Feeds every line of a text log (a whole file's text) to the model, telling
 * boots apart by the kernel's "Linux version" lines; boot keys are
 * "<family>#<n>" numbered across the files of one family in the order given. */
struct pm_textstate {
	char family[16];
	int nboot;
	char boot[48];
	int year;		/* of the file's modification time */
	int64_t mtime_us;
};
void pm_feed_text(struct pm *pm, struct pm_textstate *ts, const char *text, size_t len);

#endif
