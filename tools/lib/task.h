/* The one reader of a thread's /proc/PID/task/TID/stat and schedstat: pure
 * parsers over the files' text (the unit tests and the fuzzer feed them
 * recorded or hostile text), and the list of a process's threads.
 *
 * schedstat is the scheduler's own account of a thread (Documentation/
 * scheduler/sched-stats.rst): nanoseconds on a CPU, nanoseconds spent
 * runnable but waiting on a run queue (the run delay), and timeslices.
 * A run delay that grows while the thread is runnable is a thread the host
 * does not schedule: for a vCPU thread, a guest that stands still. */
#ifndef VMTRIAGE_TASK_H
#define VMTRIAGE_TASK_H

#include <stdbool.h>
#include <stdint.h>

struct task_stat {
	int tid;
	char comm[32];		/* the thread's name, at most 15 bytes from the kernel */
	char state;		/* R S D T t Z X I P ... as the kernel prints it */
	int64_t utime, stime;	/* USER_HZ ticks */
	int processor;		/* the CPU it last ran on, -1 unknown */
};

/* "TID (COMM) S ...": the name may hold spaces and ')', so it ends at the
 * last ')'. -1 when the line does not have the state and the times. */
int task_stat_parse(const char *text, struct task_stat *st);

struct schedstat {
	int64_t run_ns, delay_ns, slices;
};
/* "RUN DELAY SLICES"; -1 without three numbers. */
int schedstat_parse(const char *text, struct schedstat *ss);

/* The thread ids of process pid below root ("" on a live system), at most
 * max, in directory order. Returns their number, or -1 with errno set. */
int task_list(const char *root, int pid, int *tids, int max);

/* Reads task TID's stat and schedstat (either may be missing: then 0 and
 * has_sched false). -1 when the thread is gone or its stat unparsable. */
int task_read(const char *root, int pid, int tid, struct task_stat *st, struct schedstat *ss, bool *has_sched);

/* The same from files kept open (fds[0] stat, fds[1] schedstat or -1):
 * procfs makes them anew at each read from offset 0, so a reader that
 * samples every second opens them once. task_open returns 0, or -1 when
 * the thread is gone; task_close closes both. */
int task_open(const char *root, int pid, int tid, int fds[2]);
int task_read_fds(const int fds[2], struct task_stat *st, struct schedstat *ss, bool *has_sched);
void task_close(int fds[2]);

#endif
