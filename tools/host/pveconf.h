/* Proxmox VE's configuration files, read as PVE reads them: pure functions
 * over bytes, so the unit tests and the fuzzer feed them anything.
 *
 * A VM's config (/etc/pve/nodes/NODE/qemu-server/VMID.conf), after
 * qemu-server src/PVE/QemuServer.pm parse_vm_config: blank lines skipped;
 * '#' lines are the VM's description; "key: value" lines, the key
 * [a-z][a-z_-]*\d* (so "amd-sev", "allow-ksm" are keys); a section header
 * "[name]" starts a snapshot, "[PENDING]" the pending changes,
 * "[special:cloudinit]" and "[special:fleecing]" special sections: none of
 * them is the current config. Any other "[...]" is an unknown section that
 * PVE skips with a warning, with every line up to the next known section.
 * Values of cpu: and memory: are property strings
 * (src/PVE/QemuServer/CPUConfig.pm, src/PVE/QemuServer/Memory.pm).
 *
 * The custom CPU models (/etc/pve/virtual-guest/cpu-models.conf), a
 * PVE::SectionConfig file: "cpu-model: NAME" then indented "key value"
 * lines. A line PVE would reject becomes a problem naming the file and the
 * line; the rest of the file is still read, and a rejected value leaves
 * the key at PVE's default, as PVE does. */
#ifndef VMTRIAGE_PVECONF_H
#define VMTRIAGE_PVECONF_H

#include <stdbool.h>
#include <stddef.h>

#define PVE_NAME_MAX 64
#define PVE_FLAGS_MAX 24
#define PVE_PROBLEMS_MAX 16
#define PVE_SNAPSHOTS_MAX 16
#define PVE_MODELS_MAX 32

/* PVE's defaults (qemu-server PVE/QemuServer.pm $confdesc): no cpu: line
 * runs kvm64, no memory: line 512 MiB, one socket of one core. */
#define PVE_DEFAULT_CPU "kvm64"
#define PVE_DEFAULT_MEMORY_MIB 512
#define PVE_DEFAULT_HOTPLUG "network,disk,usb"

struct pve_flag {
	char name[32];
	bool on; /* +flag, or -flag */
};

/* The cpu: property string (pve-vm-cpu-conf), or a custom model's keys. */
struct pve_cpu {
	char type[PVE_NAME_MAX];	/* cputype; "custom-NAME" for a custom model */
	char reported_model[PVE_NAME_MAX]; /* custom models only */
	struct pve_flag flags[PVE_FLAGS_MAX];
	int nflags;
	int hidden;			/* -1 unset, 0, 1 */
	char hv_vendor_id[16];
	char phys_bits[8];		/* "host" or 8..64, "" unset */
};

struct pve_problem {
	int line;	/* 1-based; 0 for the whole file */
	char msg[200];	/* "FILE:LINE: what" */
};

/* The keys a cold start reads that [PENDING] may change: bits of
 * pve_pending.set and .deleted. */
enum {
	PVE_K_CPU = 1 << 0,
	PVE_K_MEMORY = 1 << 1,
	PVE_K_BALLOON = 1 << 2,
	PVE_K_SHARES = 1 << 3,
	PVE_K_ARGS = 1 << 4,
	PVE_K_TEMPLATE = 1 << 5,
};

#define PVE_ARGS_MAX 256

/* The [PENDING] section: what the next cold start applies (qemu-server
 * vmconfig_apply_pending: the keys in delete: go first, then every new
 * value; pve-guest-common AbstractConfig.pm parse_pending_delete splits
 * delete: on ',', ';' and spaces, a '!' prefix forces). */
struct pve_pending {
	unsigned set, deleted;	/* PVE_K_* */
	struct pve_cpu cpu;
	long long memory_mib, balloon_mib;
	int shares;
	bool template_;
	char args[PVE_ARGS_MAX];
	unsigned hostpci_set, hostpci_deleted; /* bit N: hostpciN */
};

struct pve_vmconf {
	bool cpu_set;		/* a valid cpu: line; else type is kvm64 */
	struct pve_cpu cpu;
	bool memory_set;
	long long memory_mib;	/* current memory, default 512 */
	bool balloon_set;	/* absent: a balloon device with min = memory */
	long long balloon_mib;	/* 0: no balloon device */
	int numa;		/* -1 unset (off), 0, 1 */
	char hotplug[64];	/* as given, or the default */
	int cores, sockets, vcpus; /* vcpus 0 unset */
	char name[PVE_NAME_MAX];
	char args[PVE_ARGS_MAX]; /* raw QEMU arguments: a -cpu there overrides cpu: */
	int shares;		/* -1 unset (1000); 0: no automatic ballooning */
	bool template_;		/* template: 1, never started */
	bool hibernated;	/* vmstate: in the current config: its RAM is on disk */
	char lock[32];		/* lock:, "" none ("suspended" with vmstate) */
	unsigned hostpci;	/* bit N: hostpciN is configured (PCI passthrough) */
	char boot[128], ide2[256]; /* as given, for putting them back */
	unsigned virtio_used;	/* bit N: virtioN is configured */
	char description[512];	/* the '#' lines, first ones */
	char snapshots[PVE_SNAPSHOTS_MAX][41];
	int nsnapshots;
	bool pending, cloudinit, fleecing; /* sections present */
	struct pve_pending pend;
	unsigned keys_set;	/* PVE_K_* given a valid value in the current config */
	struct pve_problem problems[PVE_PROBLEMS_MAX];
	int nproblems;
};

struct pve_cpumodel {
	char name[PVE_NAME_MAX]; /* without "custom-" */
	struct pve_cpu cpu;	 /* reported_model defaults to kvm64 */
};

struct pve_cpumodels {
	struct pve_cpumodel m[PVE_MODELS_MAX];
	int n;
	struct pve_problem problems[PVE_PROBLEMS_MAX];
	int nproblems;
};

/* Parses a VM config; file names the file in messages. Always fills out
 * (defaults where nothing valid is given); returns the number of problems. */
int pve_parse_vmconf(const char *buf, size_t len, const char *file, struct pve_vmconf *out);

/* The config the next cold start runs: c with its [PENDING] changes
 * applied (qm start applies them; a running VM keeps c until then). */
void pve_next_start(const struct pve_vmconf *c, struct pve_vmconf *next);

/* A -cpu in args (the last one: QEMU keeps the last, and qemu-server puts
 * args after its own -cpu, src/PVE/QemuServer.pm config_to_command). Its
 * value into cpu (e.g. "host,+kvm_pv_unhalt") and the args without that
 * option into rest; false when there is none. Words split as
 * PVE::Tools::split_args (shell quoting). */
bool pve_args_cpu(const char *args, char *cpu, size_t cpusize, char *rest, size_t restsize);

/* The flags PVE allows in a VM's own cpu: flags (qemu-server
 * src/PVE/QemuServer/CPUFlags.pm $supported_vm_specific_cpu_flags_by_arch;
 * custom models may set any flag). */
bool pve_vm_flag_allowed(const char *name);

/* The node names of corosync.conf's nodelist { node { name: X } } (the
 * cluster's members, as pve-cluster writes the file) into names, up to
 * max; returns how many, -1 when the text has no nodelist. */
#define PVE_NODE_NAME_MAX 64
int pve_parse_corosync(const char *buf, size_t len, char (*names)[PVE_NODE_NAME_MAX], int max);

/* A node's config (/etc/pve/nodes/NODE/config, pve-manager
 * PVE/NodeConfig.pm, "key: value" lines, '#' lines its description):
 * ballooning-target 0..100, -1 when unset or invalid (*bad set then). */
int pve_node_balloon_target(const char *buf, size_t len, bool *bad);

/* Parses cpu-models.conf; returns the number of problems. */
int pve_parse_cpumodels(const char *buf, size_t len, const char *file, struct pve_cpumodels *out);

/* The model called name (with or without "custom-"), or NULL. */
const struct pve_cpumodel *pve_cpumodel_find(const struct pve_cpumodels *m, const char *name);

/* Parses a cpu: property string into c (for tests and the fuzzer too).
 * Returns 0, or -1 with a message in err. */
int pve_parse_cpu(const char *value, struct pve_cpu *c, char *err, size_t errlen);

/* The report's extension names a QEMU CPU flag stands for ("pni" is
 * sse3, "sse4_2" is sse4.2 and its string instructions...): up to max
 * names into out; 0 when the flag is no extension the report knows. */
int pve_flag_exts(const char *flag, const char **out, int max);

/* A QEMU model name without its variant suffix ("Skylake-Client-IBRS",
 * "Haswell-noTSX", "EPYC-Rome-v2" to the base name) into buf. */
void pve_model_base(const char *name, char *buf, size_t size);

#endif
