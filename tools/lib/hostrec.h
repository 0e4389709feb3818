/* The host's records in the flight recorder's ring (lib/ring.h): what
 * `triage host --watch` writes each tick (docs/host-watch.md, "The
 * host's recorder"). As the guest's (lib/watchrec.h): each payload is one of these
 * structs as its bytes (x86-64, little-endian, every field explicitly
 * sized and aligned, no padding left to the compiler); a reader copies the
 * payload into a zeroed struct, so a shorter payload from an older writer
 * reads as zeros past its end. Fields are only ever added at the end.
 *
 * Counters are the kernel's, cumulative since boot (schedstat's run and
 * run delay, PSI's totals, cpuidle's residency): a reader takes the
 * difference of two records, so a lost record loses resolution, not a
 * figure. */
#ifndef VMTRIAGE_HOSTREC_H
#define VMTRIAGE_HOSTREC_H

#include <stddef.h>
#include <stdint.h>

#include "ring.h"

enum hrec_type {
	HREC_START = RING_T_HOST_FIRST, /* the writer started: struct hrec_start */
	HREC_NODE,			/* one tick of the host: struct hrec_node */
	HREC_VM,			/* one tick of one VM, up to HREC_VCPUS vCPUs: struct hrec_vm */
	HREC_CSTATES,			/* the idle states' names, after each start: struct hrec_cstates */
	HREC_STOP,			/* the writer stopped cleanly (no payload) */
};

struct hrec_start {
	int64_t interval_ns, sync_ns;
	uint32_t ncpus, pid;
	char boot_id[40];
	char release[64];		/* uname -r */
	char version[32];		/* the writer's */
};

/* Which groups of a node record were read (a file missing: 0). */
#define HN_PSI_CPU 0x01
#define HN_PSI_MEM 0x02
#define HN_PSI_IO 0x04
#define HN_MEM 0x08			/* Dirty, Writeback, MemAvailable */
#define HN_CSTATES 0x10

enum { HPSI_CPU, HPSI_MEM, HPSI_IO, HPSI_N };
enum { HPSI_SOME, HPSI_FULL };

#define HREC_CSTATES_MAX 12
struct hrec_node {
	uint32_t known;			/* HN_* */
	uint32_t nvms;			/* VMs found this tick */
	uint64_t psi_us[HPSI_N][2];	/* stalled since boot, us */
	int64_t dirty_kib, writeback_kib, memavail_kib;
	uint32_t ncstates, ncpus;	/* idle states (as HREC_CSTATES names them), CPUs summed */
	uint64_t cstate_us[HREC_CSTATES_MAX]; /* residency since boot, summed over the CPUs */
	int64_t cost_ns;		/* CPU time the recorder used so far (its own rusage) */
};

struct hrec_cstates {
	uint32_t n, pad;
	char name[HREC_CSTATES_MAX][16];
};

#define HREC_VCPUS 10
struct hrec_vcpu {
	uint64_t run_ns, delay_ns;	/* schedstat, cumulative */
};
/* vCPUs [first, first + n) of VM vmid; a VM with more than HREC_VCPUS
 * vCPUs takes several records a tick. */
struct hrec_vm {
	uint32_t vmid, pid;
	uint16_t nvcpus;		/* the VM's, by its threads' names */
	uint16_t first, n;
	uint16_t threads;		/* QEMU's threads */
	uint16_t d_threads;		/* of them in D state now */
	uint16_t d_io_threads;		/* of them in D now and at the tick before: I/O that does not finish */
	char state[HREC_VCPUS];		/* each vCPU thread's state letter (R, S, D, ...) */
	uint16_t pad;
	struct hrec_vcpu v[HREC_VCPUS];
};

_Static_assert(sizeof(struct hrec_start) <= RING_PAYLOAD_MAX, "hrec_start fits a record");
_Static_assert(sizeof(struct hrec_node) <= RING_PAYLOAD_MAX, "hrec_node fits a record");
_Static_assert(sizeof(struct hrec_cstates) <= RING_PAYLOAD_MAX, "hrec_cstates fits a record");
_Static_assert(sizeof(struct hrec_vm) <= RING_PAYLOAD_MAX, "hrec_vm fits a record");
_Static_assert(offsetof(struct hrec_vm, v) % 8 == 0, "hrec_vm's counters are aligned");

/* A record's payload as type t (the struct zeroed past the payload's end):
 * false when r is not of type t or longer than the struct (a newer writer's
 * fields past what this reader knows are ignored: false only for a type
 * mismatch). */
struct ring_rec;
#define hrec_get(r, t, out) hrec_copy((r), (t), (out), sizeof(*(out)))
int hrec_copy(const struct ring_rec *r, uint16_t type, void *out, size_t size);

#endif
