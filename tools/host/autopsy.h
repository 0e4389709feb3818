/* triage host --autopsy VMID: what a hung VM's QEMU shows before it is
 * killed, read twice a few seconds apart, and the one verdict it adds up
 * to (docs/host-watch.md, "Autopsy of a hung VM"). Nothing here changes the VM:
 * QMP queries and `info registers`, and files under /proc.
 *
 * The sampling lives in autopsy.c, the parsers and the judge here are
 * pure functions over what was read, for the unit tests and the fuzzer. */
#ifndef VMTRIAGE_AUTOPSY_H
#define VMTRIAGE_AUTOPSY_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/json.h"

#define AUT_THREADS_MAX 512
#define AUT_VCPUS_MAX 288	/* PVE's limit of vCPUs a VM */
#define AUT_DISKS_MAX 64

enum aut_role { AUT_VCPU, AUT_IOTHREAD, AUT_WORKER, AUT_IO_URING, AUT_MAIN, AUT_OTHER };

struct aut_thread {
	int tid;
	char comm[32];
	char state;			/* from stat; 0: gone */
	int64_t cpu_ticks;		/* utime + stime */
	bool has_sched;
	int64_t run_ns, delay_ns;
};

struct aut_regs {
	bool known;
	uint64_t ip;			/* RIP, or EIP outside long mode */
	unsigned cs;			/* selector */
	uint64_t cs_base;
	int hlt;			/* 1 halted, 0 not, -1 not printed */
	bool long_mode;			/* RIP= rather than EIP= */
};

struct aut_disk {
	char device[64], qdev[160], node[64];
	int64_t ops, bytes;		/* rd + wr + flush + unmap, completed */
	int64_t idle_ns;		/* since the last completion, -1 not known */
	int64_t failed;			/* failed_*_operations */
	int inflight;			/* virtio queues' elements in use, -1 not known */
};

struct aut_sample {
	int64_t t_ns;
	int nthreads;
	struct aut_thread th[AUT_THREADS_MAX];
	bool qmp;			/* QMP answered */
	char status[32];		/* query-status, "" not known */
	int ndisks;
	struct aut_disk disk[AUT_DISKS_MAX];
	int nregs;
	struct aut_regs regs[AUT_VCPUS_MAX];
};

/* The share of a gap a thread waited for a CPU. schedstat adds a wait to
 * the run delay only when the thread gets a CPU (sched_info_arrive), so a
 * thread that is runnable and never runs shows none: one runnable (R) at
 * both ends of the gap that did not run at all in it waited all of it.
 * (One that ran has had its waits counted up to its last run; R at both
 * ends alone is common on a busy host for a thread that wakes often.) */
double aut_wait_share(char state_before, char state_after, double run_share, double delay_share);

/* What the judge derives per thread over the gap. */
struct aut_rate {
	enum aut_role role;
	int vcpu;			/* cpu-index, -1 not a vCPU */
	double run_share, delay_share;	/* of the gap's wall time; -1 not known */
};

enum aut_verdict {
	AUT_PAUSED,			/* QEMU says the VM is not running, or QEMU is stopped */
	AUT_UNRESPONSIVE,		/* QMP does not answer: QEMU's main loop is stuck */
	AUT_IO_STUCK,			/* requests in flight and none completed */
	AUT_STARVED,			/* vCPUs runnable but not run */
	AUT_SPINNING,			/* vCPUs busy in the guest */
	AUT_IDLE,			/* vCPUs asleep: the guest waits for something */
	AUT_NVERDICTS,
};
const char *aut_verdict_name(enum aut_verdict v); /* "paused", "io-stuck", ... */

/* A vCPU that spent at least this share of the gap runnable on a run
 * queue without running (schedstat's run delay) and got less than
 * AUT_STARVED_RUN_SHARE of a CPU is starved: a healthy host keeps the run
 * delay well under 1%, and a vCPU given a quarter of a CPU still moves. */
#define AUT_STARVED_DELAY_SHARE 0.5
#define AUT_STARVED_RUN_SHARE 0.25
/* A vCPU runnable (running or waiting to) for at least this share of the
 * gap, and given at least AUT_STARVED_RUN_SHARE of a CPU, is spinning
 * guest code: a halted vCPU sleeps in the host and uses next to none. On
 * a busy host the share it gets is less than it wants, so the test is on
 * running plus waiting. */
#define AUT_SPIN_RUNNABLE_SHARE 0.8

struct aut_judgement {
	enum aut_verdict verdict;
	char why[400];
	int stopped_threads;		/* in state T in both samples */
	int d_threads;			/* in D in both samples */
	int inflight;			/* over every disk, -1 not known */
	int64_t ops_completed;		/* over every disk in the gap, -1 not known */
	int stuck_disks;		/* disks with requests in flight and none completed */
	int vcpus, vcpus_starved, vcpus_spinning;
	double run_share_max, delay_share_max;	/* over the vCPUs, -1 not known */
};

/* Thread roles: vcpu_tids[i] is the thread of cpu-index i (query-cpus-fast),
 * or 0; without QMP the names "CPU N/KVM" and "CPU N/TCG" say it. */
enum aut_role aut_role(const struct aut_thread *t, int pid, const int *vcpu_tids, int nvcpus, int *vcpu);
/* The rates of the threads of b (matched to a by tid) over the gap. */
void aut_rates(const struct aut_sample *a, const struct aut_sample *b, int pid, const int *vcpu_tids, int nvcpus,
	       struct aut_rate *rates);
void aut_judge(const struct aut_sample *a, const struct aut_sample *b, const struct aut_rate *rates,
	       struct aut_judgement *j);

/* Parses HMP `info registers -a` (QEMU target/i386/cpu-dump.c): blocks
 * "CPU#N" with EIP= or RIP=, "CS =sel base", HLT=. Returns the number of
 * CPUs read into regs (index N), at most max. */
int aut_parse_regs(const char *text, struct aut_regs *regs, int max);

/* From one query-blockstats reply and, per qdev path, the in-flight count
 * (x-query-virtio-queue-status's inuse summed over queues, -1 unknown). */
int aut_parse_blockstats(const struct jval *ret, struct aut_disk *disks, int max);

#endif
