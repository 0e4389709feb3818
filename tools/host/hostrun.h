/* One run of triage host: what it read and what it concluded, shared by
 * host.c (the command, JSON, findings), vms.c (configs and the cluster)
 * and out.c (the Prometheus textfile and the shared report). */
#ifndef VMTRIAGE_HOSTRUN_H
#define VMTRIAGE_HOSTRUN_H

#include "host/host.h"

struct host_run {
	const char *root, *pve_dir, *share_dir;
	char node[64];
	int64_t started_unix;

	struct host_cpu cpu;
	char cpu_source[64];	/* "triage isa", a file, or why unknown */
	const char *isa_status;

	bool have_idle, have_mem;
	struct host_idle idle;
	struct host_mem mem;

	bool pve_found, have_models;
	struct pve_cpumodels models;
	struct host_vm *vms;
	int nvms, cap;
	struct host_cluster cluster;
	int self;		/* this node's index in cluster.nodes, -1 */
	char problems[1024];	/* files that could not be read */

	struct jval *wake;	/* `triage wake`'s object, or NULL */
	char wake_note[160];

	int balloon_target_pct;	/* pvestatd's target, nodes/NODE/config or 80 */
	bool balloon_target_set, balloon_target_bad;
	char pve_manager[32];	/* its version from dpkg's status, or "" */
	/* the QEMU versions a type must start on: PVE 8's 7.2, PVE 9's 10.0,
	 * both while pve-manager's version is not known (enum qm_qemu) */
	int qemus[2], nqemu;

	long long vm_mem_mib_node; /* configured memory of this node's VMs that run */
	int nvms_node;
	int vm_findings[3];	/* by severity, over every VM */
};

/* PVE's automatic ballooning aims at this share of the node's memory in
 * use unless the node config says otherwise (pve-manager
 * PVE/Service/pvestatd.pm auto_ballooning: goal = memtotal * target / 100
 * - memused, shared out by PVE/AutoBalloon.pm compute_alg1). */
#define HOST_AUTOBALLOON_DEFAULT_PCT 80

/* vms.c */
int host_load_pve(struct host_run *r);
void host_vm_features(struct host_run *r, struct host_vm *vm);
const struct host_cpu *host_vm_node_cpu(const struct host_run *r, const struct host_vm *vm);
void host_cluster_safe(const struct host_run *r, struct host_cluster *cl);
/* pve_types index of the richest generic type a node with this CPU runs,
 * -1 when none or cpu is NULL. */
int host_cpu_safe(const struct host_run *r, const struct host_cpu *cpu);
/* Whether a node with this CPU runs the PVE type with the VM's own flags
 * (extra, "+aes;-pcid" or NULL): every extension it offers advertised and
 * executing there, the vendor right, and QEMU with enforce starting it on
 * the node's CPUID (every QEMU of r->qemus). why: QEMU's words. */
bool host_cpu_runs(const struct host_run *r, const struct host_cpu *cpu, const char *type, const char *extra,
		   char *why, size_t whylen);
bool host_cluster_uniform(const struct host_cluster *cl);
int host_runnable_types(const struct host_run *r, const char **out, int max);
/* Whether the VM's type (cpu: with its flags, or args' -cpu) starts on a
 * node with this CPU (host_cpu_runs); false while cpu is unknown. */
bool host_vm_runs_on(const struct host_run *r, const struct host_vm *vm, const struct host_cpu *cpu, char *why,
		     size_t whylen);

/* The node_exporter textfile, malloc'd. */
char *host_prom_text(const struct host_run *r, const struct check *c, size_t *len);
/* The node's shared report (its CPU and idle state), malloc'd. */
char *host_share_text(const struct host_run *r, size_t *len);
/* Reads the other nodes' shared reports from dir into the cluster. */
void host_read_shares(struct host_run *r, const char *dir);

/* iso.c: the shell script behind --vm VMID --run-iso ISO (malloc'd), or
 * NULL when the VM has no free virtio slot for the report disk. */
char *host_iso_script(int vmid, const struct pve_vmconf *c, const char *iso, const char *work, bool force,
		      size_t *len);

/* pmxcfs keeps every file in RAM and refuses one larger than 1 MiB
 * (pve-cluster src/pmxcfs/memdb.h: MEMDB_MAX_FILE_SIZE, 128 MiB in all;
 * memdb_rename makes the temporary-file-and-rename protocol work there):
 * a shared report stays far below that. */
#define HOST_SHARE_MAX_BYTES (256 * 1024)

#endif
