/* triage host: a Proxmox VE node's side of the story. The node's CPU (what
 * `triage isa` finds it executes), its C-states and frequency governor,
 * its memory and KSM, every VM config of the cluster under /etc/pve, and
 * the CPU type every node can run. Findings host.* and vm.*.
 *
 * Everything is read below a root directory and a PVE directory, so the
 * unit tests run it on fixture trees. Nothing under the PVE directory is
 * ever written, except the node's shared report when --share names a
 * folder there. */
#ifndef VMTRIAGE_HOST_H
#define VMTRIAGE_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "host/pveconf.h"
#include "lib/check.h"
#include "lib/cpuid.h"
#include "lib/json.h"

/* ---- the node's idle, frequency and memory state (node.c) ---- */

#define HOST_CSTATES_MAX 16

struct host_cstate {
	char name[32], desc[64];
	long long latency_us, residency_us; /* -1 unknown */
	long long usage, time_us;	    /* summed over the CPUs */
	int disabled_cpus;		    /* CPUs on which it is disabled */
};

struct host_idle {
	char driver[32], governor[32]; /* "" when there is no cpuidle */
	struct host_cstate st[HOST_CSTATES_MAX];
	int nstates, ncpus;
	char intel_max_cstate[16];     /* /sys/module/intel_idle/parameters, or "" */
	char cmd_intel_max_cstate[16], cmd_processor_max_cstate[16], cmd_idle[16]; /* /proc/cmdline */
	char freq_driver[32], freq_governor[32], epp[48];
};

struct host_mem {
	long long total_kib, available_kib, swap_total_kib, swap_free_kib; /* -1 unknown */
	long long ksm_run, ksm_pages_sharing, ksm_pages_shared;		   /* -1 unknown */
	long long page_size;
};

/* Read below root ("/" on a live system). Return 0, or -1 when the source
 * is missing altogether (no cpuidle: a guest, or idle=poll). */
int host_read_idle(const char *root, struct host_idle *idle);
int host_read_mem(const char *root, struct host_mem *mem);

/* The C-state limit to advise, per idle driver and from its own state
 * list: the states whose exit latency is below limit_us stay. intel_idle:
 * intel_idle.states_off=MASK, a bit per sysfs state index (linux
 * drivers/idle/intel_idle.c: BIT(drv->state_count)), exact where
 * intel_idle.max_cstate is not: that one counts the driver's table,
 * skipped entries included (Alder Lake/-N's unusable C1). acpi_idle:
 * processor.max_cstate=N, the first N ACPI C-states. Run time: cpupower
 * idle-set -D limit_us, which disables every state of that latency or
 * more (tools/power/cpupower/utils/cpuidle-set.c). */
struct host_cstate_advice {
	char param[64];	  /* the kernel parameter, "" when the driver has none */
	char runtime[48]; /* the cpupower command */
	char kept[160];	  /* the states that stay, space-separated */
	bool poll_only;	  /* the limit would leave nothing but POLL */
};
void host_cstate_advice(const struct host_idle *idle, long long limit_us, struct host_cstate_advice *a);
/* Whether the CPUs have only POLL left: no other state enabled anywhere. */
bool host_idle_poll_only(const struct host_idle *idle);

/* The deepest enabled state's exit latency in us, -1 if none. */
long long host_idle_deepest_us(const struct host_idle *idle, int *index);

/* ---- extension sets ---- */

/* A set of extensions by the report's names, as bits over a registry of
 * names (the PVE table's and isa's, at most 64). */
typedef uint64_t extset;
int ext_index(const char *name); /* registers new names; -1 when full */
const char *ext_name(int i);
int ext_count(void);
extset ext_parse_list(const char *spaced); /* "sse2 sse3 ..." */

/* What one node executes: from a `triage isa` JSON. */
struct host_cpu {
	bool known;
	char vendor[16], brand[64];
	extset ok;	    /* advertised and executes right: what KVM can offer */
	extset tested;	    /* the extensions its isa run judged at all: a type's
			     * others are left to QEMU's predicate */
	int level;	    /* x86-64 level of ok */
	int ext_level[64];  /* psABI level per registry index, 0 none */
	/* raw CPUID, for QEMU's enforce predicate (lib/qemumodels.h); absent
	 * from an older shared report: then types are judged by the
	 * extensions above alone */
	bool have_dump;
	struct cpuid_dump dump;
};

/* A psABI level (1-4) read from JSON; 0 for anything else. */
int host_level_value(double v);
/* Reads isa's JSON object (the check object of `triage isa`). */
int host_cpu_from_isa(const struct jval *isa, struct host_cpu *cpu);
/* The x86-64 level of a set, by the psABI levels isa reported. */
int host_set_level(const struct host_cpu *cpu, extset s);
/* A PVE type's set; NULL or unknown: 0 with *known false. */
extset host_type_set(const char *name, bool *known);

/* ---- the VMs and the cluster (vms.c) ---- */

#define HOST_NODES_MAX 32

struct host_vm {
	int vmid;
	char node[64], file[1024];
	struct pve_vmconf conf;		/* what the next cold start runs ([PENDING] applied) */
	bool cpu_pending;		/* [PENDING] changes the CPU type */
	char cpu_now[PVE_NAME_MAX];	/* the type the current config runs */
	bool passthrough;		/* hostpciN: the VM cannot migrate */
	bool runs;			/* neither a template nor hibernated: its memory is committed */
	/* a -cpu in args: (it overrides cpu:) */
	bool args_cpu, args_enforce;
	char args_value[128], args_rest[PVE_ARGS_MAX];
	const char *type;		/* the type judged: args' model, else cpu:'s */
	char args_model[PVE_NAME_MAX];
	/* what the type gives the guest, on its node */
	bool node_known;		/* its node's CPU is known */
	bool type_known, host_type;
	bool qemu_known;		/* a model of QEMU's table (lib/qemumodels.h) */
	bool refused;			/* QEMU with enforce refuses the type on its node */
	char refused_why[300];		/* QEMU's words for what is missing */
	char base[PVE_NAME_MAX];	/* the table row it was read as */
	extset set;
	int level;
	/* against the CPU of the node that runs it (0 when that is unknown) */
	extset lacks;			/* the node has, the VM cannot use */
	extset beyond;			/* the VM offers, the node lacks */
	char command[800];		/* the qm command a finding advises, or "" */
};

struct host_node_ref {
	char name[64];
	bool have;			/* a shared report with its CPU */
	int online;			/* .members: 1, 0, -1 not known */
	bool folder;			/* has a folder under nodes/ */
	struct host_cpu cpu;
};

/* Where the member list came from. */
enum host_members { HOST_MEMBERS_COROSYNC, HOST_MEMBERS_MEMBERS, HOST_MEMBERS_STANDALONE, HOST_MEMBERS_FOLDERS };

struct host_cluster {
	struct host_node_ref nodes[HOST_NODES_MAX];
	int nnodes;
	int safe;			/* pve_types index: richest generic every known node runs, -1 */
	int known;			/* nodes with a CPU known */
	enum host_members members;
	char stale[8][64];		/* folders under nodes/ of no member: ignored */
	int nstale, stale_vms;
};

#endif
