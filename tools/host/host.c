/* triage host: run on a Proxmox VE node, it audits the node (what its CPU
 * executes, its C-states and governor, its memory) and every VM config of
 * the cluster against it, and says which command fixes what.
 *
 * The node's CPU comes from `triage isa` run as a child of this binary,
 * the measured wake-up stall from `triage wake` likewise (with and
 * without C-states held shallow). The VM configs are only read. */
#include "host/host.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/hostrun.h"
#include "host/modes.h"
#include "lib/pvetypes.h"
#include "lib/qemumodels.h"
#include "lib/util.h"

static const char usage[] =
	"Audits a Proxmox VE node and every VM of its cluster: the node's CPU (what\n"
	"`triage isa` finds it executes, its x86-64 level, the PVE CPU types it runs),\n"
	"C-states and frequency governor (and the wake-up stall `triage wake`\n"
	"measures with and without them), memory, KSM and ballooning; each VM's CPU\n"
	"type against this node and the cluster, and its balloon. Findings give the\n"
	"`qm set` command that fixes them. Nothing under the PVE folder is written,\n"
	"except this node's report in the folder --share names.";

enum {
	O_PVE = CHECK_COMMON_COUNT,
	O_ROOT,
	O_NODE,
	O_ISA_JSON,
	O_CPUID_DUMP,
	O_NO_WAKE,
	O_WAKE_JSON,
	O_PROM,
	O_SHARE,
	O_VM,
	O_RUN_ISO,
	O_YES,
	O_FORCE,
	O_AUTOPSY,
	O_WATCH,
	O_COUNT,
};

const struct opt host_opts[] = {
	CHECK_COMMON_OPTS,
	{ "pve", 0, OPT_STR, "DIR", "the PVE cluster file system (default /etc/pve)", 0, 0 },
	{ "root", 0, OPT_STR, "DIR", "read /proc and /sys below DIR (default /; for tests)", 0, 0 },
	{ "node", 0, OPT_STR, "NAME", "this node's name in DIR/nodes (default the host name)", 0, 0 },
	{ "isa-json", 0, OPT_STR, "FILE", "the node's `triage isa` result from FILE instead of running it", 0, 0 },
	{ "cpuid-dump", 0, OPT_STR, "FILE",
	  "the node's raw CPUID from FILE (`triage isa --dump-cpuid`) instead of its own; for QEMU's enforce check", 0, 0 },
	{ "no-wake", 0, OPT_FLAG, NULL, "do not measure the wake-up stall (about 3 s on 2 CPUs, up to 10 s)", 0, 0 },
	{ "wake-json", 0, OPT_STR, "FILE", "the node's `triage wake` result from FILE instead of running it", 0, 0 },
	{ "prom", 0, OPT_STR, "FILE", "also write a node_exporter textfile (atomically)", 0, 0 },
	{ "share", 0, OPT_STR, "DIR",
	  "write this node's report to DIR/NODE.json (atomically) and read the other nodes' from there", 0, 0 },
	{ "vm", 0, OPT_INT, "VMID", "with --run-iso: print the qm commands that boot VM VMID once from the ISO", 100,
	  999999999 },
	{ "run-iso", 0, OPT_STR, "ISO", "the vmtriage ISO as qm takes it (local:iso/vmtriage.iso)", 0, 0 },
	{ "yes", 0, OPT_FLAG, NULL, "with --vm: run the commands instead of printing them", 0, 0 },
	{ "force", 0, OPT_FLAG, NULL, "with --vm: shut a running VM down first (and start it again after)", 0, 0 },
	/* other modes with their own options (host/modes.h): --autopsy 1 --help */
	{ "autopsy", 0, OPT_INT, "VMID", "instead: examine hung VM VMID before it is killed (verdict, report)", 1,
	  999999999 },
	{ "watch", 0, OPT_FLAG, NULL, "instead: record every VM's vCPU scheduling and the host's pressure", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, 0, 0 },
};

/* The wake-up stall the wake check warns about (wake/judge.c SHARE_WARN_NS):
 * an idle state whose exit alone takes this long is worth a finding. */
#define HOST_CSTATE_WARN_US 100
/* Children: isa takes a few seconds, wake at most about 2 x 4 CPUs x 2
 * idle lengths x 0.3 s; the limits leave room for TCG and a busy host. */
#define ISA_LIMIT_S 300
#define WAKE_LIMIT_S 120

/* ---- children ---- */

static struct jval *read_json_file(const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = read_file(path, 16 << 20, &len);
	struct jval *v;

	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	v = json_parse(text, len, err, errlen);
	free(text);
	return v;
}

/* Runs `triage NAME ARGS -q -o OUT` with this binary and returns its JSON,
 * killing it after limit_s. */
static struct jval *run_child(const char *name, char **args, int limit_s, char *err, size_t errlen)
{
	char dir[] = "/tmp/triage-host.XXXXXX", out[64], *argv[24];
	int64_t deadline = now_ns() + (int64_t)limit_s * 1000000000LL;
	struct jval *v = NULL;
	int ws = 0;
	pid_t pid;

	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "mkdtemp: %s", strerror(errno));
		return NULL;
	}
	snprintf(out, sizeof(out), "%s/%s.json", dir, name);
	triage_child_argv(argv, (int)ARRAY_SIZE(argv), name, args, out);
	pid = fork();
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		rmdir(dir);
		return NULL;
	}
	while (waitpid(pid, &ws, WNOHANG) == 0) {
		if (now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &ws, 0);
			snprintf(err, errlen, "triage %s took more than %d s: stopped", name, limit_s);
			goto out;
		}
		usleep(50000);
	}
	v = read_json_file(out, err, errlen);
	if (!v && WIFEXITED(ws))
		snprintf(err + strlen(err), errlen - strlen(err), " (exit %d)", WEXITSTATUS(ws));
out:
	unlink(out);
	rmdir(dir);
	return v;
}

static void node_cpu(struct check *c, struct host_run *r, const char *isa_json)
{
	char err[256] = "";
	struct jval *v;

	if (isa_json) {
		v = read_json_file(isa_json, err, sizeof(err));
		snprintf(r->cpu_source, sizeof(r->cpu_source), "%.63s", isa_json);
	} else {
		char *args[] = { "--mode", "quick", NULL };

		check_progress(c, 0.05, "what the CPU executes (triage isa)");
		v = run_child("isa", args, ISA_LIMIT_S, err, sizeof(err));
		snprintf(r->cpu_source, sizeof(r->cpu_source), "triage isa");
	}
	if (v && host_cpu_from_isa(v, &r->cpu) < 0)
		snprintf(err, sizeof(err), "no extension table in the isa result");
	r->isa_status = v ? json_str(v, "status", "?") : "not run";
	check_ok(c, r->cpu.known, "the node's CPU: %s", r->cpu.known ? r->cpu.brand : err);
	if (!r->cpu.known)
		snprintf(r->cpu_source, sizeof(r->cpu_source), "unknown: %.50s", err);
	json_free(v);
}

/* The node's raw CPUID for QEMU's enforce predicate: a recorded dump, or
 * this CPU's own when the node is the machine this runs on (no
 * --isa-json); without either, types are judged by extensions alone. */
static void node_cpuid(struct check *c, struct host_run *r, const struct optv *vals)
{
	char err[200] = "";

	if (vals[O_CPUID_DUMP].set) {
		r->cpu.have_dump = cpuid_load(vals[O_CPUID_DUMP].str, &r->cpu.dump, err, sizeof(err)) == 0;
		check_ok(c, r->cpu.have_dump, "the node's CPUID: %s%s%s", vals[O_CPUID_DUMP].str, err[0] ? ": " : "",
			 err);
	} else if (!vals[O_ISA_JSON].set) {
		cpuid_collect(&r->cpu.dump);
		r->cpu.have_dump = true;
	} else {
		check_note(c, "no CPUID dump with --isa-json: types judged by their extensions, not by QEMU's models");
	}
}

static void node_wake(struct check *c, struct host_run *r, bool skip, const char *wake_json)
{
	char err[256] = "";

	if (skip && !wake_json) {
		snprintf(r->wake_note, sizeof(r->wake_note), "not measured (--no-wake)");
		check_skip(c, "wake-up stall: %s", r->wake_note);
		return;
	}
	if (wake_json) {
		r->wake = read_json_file(wake_json, err, sizeof(err));
	} else {
		/* two idle lengths either side of a deep state's residency, on
		 * at most 4 CPUs (quick mode), with and without C-states */
		char *args[] = { "--mode", "quick", "--durations", "1ms,20ms", "--budget", "300ms", NULL };

		check_progress(c, 0.5, "wake-up stall with and without deep C-states (triage wake)");
		r->wake = run_child("wake", args, WAKE_LIMIT_S, err, sizeof(err));
	}
	if (!r->wake)
		snprintf(r->wake_note, sizeof(r->wake_note), "%.150s", err);
	check_ok(c, r->wake != NULL, "wake-up stall: %s", r->wake ? json_str(r->wake, "status", "?") : err);
}

/* ---- helpers ---- */

static void set_list(struct jw *w, const char *key, extset s)
{
	jw_arr(w, key);
	for (int i = 0; i < ext_count(); i++)
		if (s & (1ULL << i))
			jw_str(w, NULL, ext_name(i));
	jw_arr_end(w);
}

static void set_text(char *buf, size_t size, extset s, int max)
{
	int n = 0, total = __builtin_popcountll(s);

	buf[0] = 0;
	for (int i = 0; i < ext_count(); i++)
		if (s & (1ULL << i)) {
			if (n == max) {
				str_append(buf, size, " ", "and %d more", total - max);
				break;
			}
			str_append(buf, size, " ", "%s", ext_name(i));
			n++;
		}
}

static const char *safe_name(const struct host_run *r)
{
	return r->cluster.safe >= 0 ? pve_types[r->cluster.safe].name : NULL;
}

static int safe_level(const struct host_run *r)
{
	bool known;

	return r->cluster.safe >= 0 ? host_set_level(&r->cpu, host_type_set(safe_name(r), &known)) : 0;
}

/* The evidence every vm.* finding carries; the first CPU command advised
 * is kept for the VM's row. */
static void vm_evidence(struct finding *f, struct host_vm *vm)
{
	if (f->advice && !strncmp(f->advice, "qm set", 6) && strstr(f->advice, "--cpu") && !vm->command[0])
		strlcpy_(vm->command, f->advice, sizeof(vm->command));
	jw_int(&f->ev, "vmid", vm->vmid);
	jw_str(&f->ev, "node", vm->node);
	jw_str(&f->ev, "file", vm->file);
	jw_str(&f->ev, "cpu", vm->type);
}

/* The type to advise a VM: the cluster-safe one, or for a VM that cannot
 * migrate (PCI passthrough) the richest its own node runs; NULL while its
 * node's CPU is not known, since then no type is known to run there. */
static const char *advise_type(const struct host_run *r, const struct host_vm *vm, int *level)
{
	const struct host_cpu *nc = host_vm_node_cpu(r, vm);
	int i = !nc ? -1 : vm->passthrough ? host_cpu_safe(r, nc) : r->cluster.safe;
	bool known;

	*level = i >= 0 ? host_set_level(nc, host_type_set(pve_types[i].name, &known)) : 0;
	return i >= 0 ? pve_types[i].name : NULL;
}

/* "qm set N --cpu T", or with a -cpu in args: (which overrides cpu:, so
 * --cpu alone would change nothing) that option taken out of args. */
static void cpu_command(char *buf, size_t size, const struct host_vm *vm, const char *type)
{
	char quoted[PVE_ARGS_MAX * 4] = "";

	if (!vm->args_cpu) {
		snprintf(buf, size, "qm set %d --cpu %s", vm->vmid, type);
		return;
	}
	if (!vm->args_rest[0]) {
		snprintf(buf, size, "qm set %d --delete args --cpu %s", vm->vmid, type);
		return;
	}
	for (const char *p = vm->args_rest; *p; p++) /* one shell word: ' as '\'' */
		str_append(quoted, sizeof(quoted), "", *p == '\'' ? "'\\''" : "%c", *p);
	snprintf(buf, size, "qm set %d --args '%.600s' --cpu %.60s", vm->vmid, quoted, type);
}

static const char *unknown_nodes(const struct host_run *r, char *buf, size_t size)
{
	buf[0] = 0;
	for (int i = 0; i < r->cluster.nnodes; i++)
		if (!r->cluster.nodes[i].have)
			str_append(buf, size, ", ", "%s", r->cluster.nodes[i].name);
	return buf;
}

/* Whether a Debian version "8.3.5", "8.3.6~bpo1" is below a.b.c. */
static bool version_before(const char *v, int a, int b, int c)
{
	int want[3] = { a, b, c };

	for (int i = 0; i < 3; i++) {
		long n = strtol(v, (char **)&v, 10);

		if (n != want[i])
			return n < want[i];
		if (*v != '.')
			return i < 2; /* "8.3" is before 8.3.6 */
		v++;
	}
	return false;
}

/* ---- findings ---- */

static void vm_cpu_findings(struct check *c, struct host_run *r, struct host_vm *vm)
{
	int alevel;
	const char *adv = advise_type(r, vm, &alevel);
	struct finding *f;
	char list[300], advice[800], what[96];

	snprintf(what, sizeof(what), "%s%s", vm->args_cpu ? "args: -cpu " : "CPU type ", vm->type);
	if (!vm->type_known && !vm->host_type && !vm->qemu_known) {
		bool custom = !vm->args_cpu && !strncmp(vm->type, "custom-", 7);

		f = check_finding(c, "vm.cpu-type-unknown", SEV_WARN,
				  custom ? "Define the model in Datacenter -> Custom CPU models (cpu-models.conf), or "
					   "pick a built-in type." : NULL,
				  "VM %d: %s is %s", vm->vmid, what,
				  custom ? "a custom model that cpu-models.conf does not define: PVE drops the cpu: line "
					   "(CPUConfig.pm validate_vm_cpu_conf) and starts it as kvm64"
					 : "not in vmtriage's table: its features are not checked");
		vm_evidence(f, vm);
		r->vm_findings[SEV_WARN]++;
		return;
	}
	if (!vm->node_known) {
		char nodes[256];

		/* no type is known to run on that node: advise none */
		snprintf(advice, sizeof(advice), "Run `triage host --share /etc/pve/vmtriage` on %s; then its VMs are "
			 "judged against its CPU.", vm->node);
		f = check_finding(c, "vm.node-cpu-unknown", SEV_INFO, advice,
				  "VM %d: %s runs on node %s, whose CPU is not yet known (not yet known: %s): no CPU "
				  "type is advised for it", vm->vmid, what, vm->node,
				  unknown_nodes(r, nodes, sizeof(nodes)));
		vm_evidence(f, vm);
		jw_str(&f->ev, "unknown_nodes", nodes);
		if (vm->type_known)
			jw_int(&f->ev, "level", vm->level);
		r->vm_findings[SEV_INFO]++;
		return;
	}
	if (vm->beyond || vm->refused) {
		/* PVE adds enforce to its own -cpu: QEMU refuses to start; an
		 * args -cpu without enforce starts with the features dropped */
		bool refuses = vm->refused || !vm->args_cpu || vm->args_enforce;

		set_text(list, sizeof(list), vm->beyond, 8);
		if (adv)
			cpu_command(advice, sizeof(advice), vm, adv);
		f = check_finding(c, "vm.cpu-beyond-node", refuses ? SEV_FAIL : SEV_WARN, adv ? advice : NULL,
				  "VM %d: %s %s%s%s its node %s: %s", vm->vmid, what,
				  vm->refused ? "cannot start on" : "offers ", vm->refused ? "" : list,
				  vm->refused ? "" : ", which is not executed on", vm->node,
				  vm->refused ? vm->refused_why
				  : refuses   ? "QEMU refuses to start it there"
					      : "QEMU (no enforce) drops them, and the guest may not be what you meant");
		vm_evidence(f, vm);
		set_list(&f->ev, "beyond", vm->beyond);
		if (vm->refused)
			jw_str(&f->ev, "qemu", vm->refused_why);
		r->vm_findings[f->sev]++;
	} else if (!vm->host_type && !vm->passthrough) {
		char nodes[256] = "", why[400] = "", one[300];

		for (int i = 0; i < r->cluster.nnodes; i++)
			if (r->cluster.nodes[i].have &&
			    !host_vm_runs_on(r, vm, &r->cluster.nodes[i].cpu, one, sizeof(one))) {
				str_append(nodes, sizeof(nodes), ", ", "%s", r->cluster.nodes[i].name);
				if (!why[0])
					snprintf(why, sizeof(why), "%.63s: %s", r->cluster.nodes[i].name, one);
			}
		if (nodes[0]) {
			if (adv)
				cpu_command(advice, sizeof(advice), vm, adv);
			f = check_finding(c, "vm.cpu-beyond-cluster", SEV_WARN, adv ? advice : NULL,
					  "VM %d: %s cannot start on or live-migrate to node%s %s (%s)", vm->vmid, what,
					  strchr(nodes, ',') ? "s" : "", nodes, why);
			vm_evidence(f, vm);
			jw_str(&f->ev, "nodes", nodes);
			jw_str(&f->ev, "why", why);
			r->vm_findings[SEV_WARN]++;
		}
	}
	if (vm->host_type) {
		if (r->cluster.nnodes > 1 && !vm->passthrough && !host_cluster_uniform(&r->cluster)) {
			if (adv)
				cpu_command(advice, sizeof(advice), vm, adv);
			f = check_finding(c, "vm.cpu-host-migration", SEV_WARN, adv ? advice : NULL,
					  "VM %d: %s passes the node's CPU through; live migration between nodes with "
					  "different CPUs fails or crashes the guest (%d of %d nodes' CPUs known)",
					  vm->vmid, what, r->cluster.known, r->cluster.nnodes);
			vm_evidence(f, vm);
			r->vm_findings[SEV_WARN]++;
		}
		return;
	}
	/* a type that cannot start was advised against above */
	if (adv && vm->type_known && !vm->beyond && !vm->refused && vm->level < alevel) {
		bool baseline = vm->level <= 1;
		bool known;
		extset gain = host_type_set(adv, &known) & ~vm->set;

		set_text(list, sizeof(list), gain, 10);
		cpu_command(advice, sizeof(advice), vm, adv);
		/* below v2 most distributions no longer run (RHEL 9, glibc
		 * hwcaps); v2 and up, PVE's default x86-64-v2-AES among them,
		 * is a choice unless the guest needs more (what isa and the
		 * post-mortem measure in the guest) */
		f = check_finding(c, baseline ? "vm.cpu-baseline" : "vm.cpu-below-cluster", baseline ? SEV_WARN : SEV_INFO,
				  advice, "VM %d: %s%s is x86-64-v%d: it hides %s, which %s (v%d) gives and %s executes",
				  vm->vmid, what, vm->conf.cpu_set || vm->args_cpu ? "" : " (no valid cpu: line: PVE's default)",
				  vm->level, list, adv, alevel,
				  vm->passthrough ? "its node (it has PCI passthrough: it stays there)" : "every known node");
		vm_evidence(f, vm);
		jw_int(&f->ev, "level", vm->level);
		jw_str(&f->ev, "cluster_safe", adv);
		jw_int(&f->ev, "cluster_safe_level", alevel);
		set_list(&f->ev, "missing", gain);
		r->vm_findings[f->sev]++;
	}
}

static void vm_findings(struct check *c, struct host_run *r, struct host_vm *vm)
{
	const struct pve_vmconf *k = &vm->conf;
	struct finding *f;
	char advice[700];

	if (k->nproblems) {
		f = check_finding(c, "vm.config-problem", SEV_WARN, "Fix the line with `qm set` or in the GUI; PVE "
				  "ignores it the same way.", "VM %d: %s%s", vm->vmid, k->problems[0].msg,
				  k->nproblems > 1 ? " (and more)" : "");
		vm_evidence(f, vm);
		jw_arr(&f->ev, "problems");
		for (int i = 0; i < k->nproblems; i++)
			jw_str(&f->ev, NULL, k->problems[i].msg);
		jw_arr_end(&f->ev);
		r->vm_findings[SEV_WARN]++;
	}
	if (vm->cpu_pending) {
		f = check_finding(c, "vm.cpu-pending", SEV_INFO, NULL,
				  "VM %d: a pending change ([PENDING]) makes its next cold start run %s%s (now %s): "
				  "judged as that", vm->vmid, vm->args_cpu ? "args: -cpu " : "CPU type ", vm->type,
				  vm->cpu_now);
		vm_evidence(f, vm);
		jw_str(&f->ev, "cpu_now", vm->cpu_now);
		r->vm_findings[SEV_INFO]++;
	}
	vm_cpu_findings(c, r, vm);
	if (vm->args_cpu) {
		if (vm->args_rest[0])
			snprintf(advice, sizeof(advice), "To let the cpu: line count: qm set %d --args '%s' (args without "
				 "-cpu)", vm->vmid, vm->args_rest);
		else
			snprintf(advice, sizeof(advice), "To let the cpu: line count: qm set %d --delete args", vm->vmid);
		f = check_finding(c, "vm.cpu-args-override", SEV_INFO, strchr(vm->args_rest, '\'') ? NULL : advice,
				  "VM %d: its args: line passes -cpu %s to QEMU, which overrides the cpu: type %s (QEMU "
				  "keeps the last -cpu): `qm set --cpu` alone changes nothing", vm->vmid, vm->args_value,
				  k->cpu.type);
		vm_evidence(f, vm);
		jw_str(&f->ev, "args", k->args);
		jw_str(&f->ev, "args_cpu", vm->args_value);
		r->vm_findings[SEV_INFO]++;
	}
	if (!vm->runs)
		return; /* a template never runs; a hibernated VM resumes its saved balloon */
	if (k->balloon_set && k->balloon_mib > 0 && k->balloon_mib < k->memory_mib) {
		bool manual = k->shares == 0;

		snprintf(advice, sizeof(advice),
			 "qm set %d --balloon 0 (no balloon), or qm set %d --balloon %lld (minimum = memory, no "
			 "%s)", vm->vmid, vm->vmid, k->memory_mib, manual ? "shrunk start" : "automatic shrinking");
		if (manual)
			/* vm_start sets the balloon to balloon: at every cold
			 * start; AutoBalloon.pm compute_alg1 skips shares 0 */
			f = check_finding(c, "vm.balloon-shares-zero", SEV_WARN, advice,
					  "VM %d: shares: 0 turns automatic ballooning off, and PVE sets the balloon to its "
					  "minimum %lld MiB at every start: the guest runs with %lld of %lld MiB until "
					  "someone raises it", vm->vmid, k->balloon_mib, k->balloon_mib, k->memory_mib);
		else
			f = check_finding(c, "vm.balloon-auto", SEV_WARN, advice,
					  "VM %d: balloon minimum %lld MiB of %lld MiB: above %d%% host memory use PVE "
					  "shrinks the guest towards %lld MiB while it runs", vm->vmid, k->balloon_mib,
					  k->memory_mib, r->balloon_target_pct, k->balloon_mib);
		vm_evidence(f, vm);
		jw_int(&f->ev, "memory_mib", k->memory_mib);
		jw_int(&f->ev, "balloon_min_mib", k->balloon_mib);
		k->shares >= 0 ? jw_int(&f->ev, "shares", k->shares) : jw_null(&f->ev, "shares");
		jw_int(&f->ev, "target_pct", r->balloon_target_pct);
		r->vm_findings[SEV_WARN]++;
	}
}

static void node_findings(struct check *c, struct host_run *r)
{
	const struct host_idle *id = &r->idle;
	struct finding *f;
	int deepest;
	long long lat = host_idle_deepest_us(id, &deepest);
	bool limited = id->cmd_intel_max_cstate[0] || id->cmd_processor_max_cstate[0] || id->cmd_idle[0];

	if (r->have_idle && lat >= HOST_CSTATE_WARN_US) {
		struct host_cstate_advice a;
		char advice[700], param[200] = "";

		host_cstate_advice(id, HOST_CSTATE_WARN_US, &a);
		if (a.param[0])
			snprintf(param, sizeof(param), "%s on the kernel command line (/etc/kernel/cmdline or "
				 "GRUB_CMDLINE_LINUX, then proxmox-boot-tool refresh), or ", a.param);
		if (!a.poll_only)
			snprintf(advice, sizeof(advice), "Limit C-states for latency-sensitive VMs to %s: %sat run time "
				 "%s (until reboot), or the BIOS's C-state limit.", a.kept, param, a.runtime);
		else
			/* never a limit that leaves only polling without saying so */
			snprintf(advice, sizeof(advice), "Every idle state but POLL takes %d us or more to exit: any "
				 "limit leaves the CPUs polling when idle (full power and heat, less turbo headroom). "
				 "Only if that is the intent: %sat run time %s.", HOST_CSTATE_WARN_US, param, a.runtime);
		f = check_finding(c, "host.deep-cstates", SEV_WARN, advice,
				  "the node's deepest enabled idle state %s takes %lld us to exit (%s driver%s)",
				  id->st[deepest].name, lat, id->driver[0] ? id->driver : "no",
				  limited ? "; the kernel command line limits C-states" : "");
		jw_str(&f->ev, "driver", id->driver);
		jw_str(&f->ev, "state", id->st[deepest].name);
		jw_int(&f->ev, "exit_latency_us", lat);
		jw_int(&f->ev, "target_residency_us", id->st[deepest].residency_us);
		jw_uint(&f->ev, "usage", (unsigned long long)id->st[deepest].usage);
		jw_str(&f->ev, "kept", a.kept);
		jw_str(&f->ev, "param", a.param);
		jw_bool(&f->ev, "poll_only", a.poll_only);
	}
	if (r->have_idle && id->nstates && host_idle_poll_only(id)) {
		bool maxc = !strcmp(id->driver, "intel_idle") && id->cmd_intel_max_cstate[0];

		f = check_finding(c, "host.cstates-poll-only", SEV_WARN,
				  maxc ? "If polling is not the intent: intel_idle.max_cstate counts the driver's table, "
					 "skipped states included (on Alder Lake and Alder Lake-N such as the N100, "
					 "drivers/idle/intel_idle.c marks the table's C1 unusable, so =1 stops before "
					 "C1E and =2 keeps it); or drop it and run triage host again for the "
					 "intel_idle.states_off that keeps the shallow states."
				       : "If polling is not the intent: lift the C-state limit (kernel command line, "
					 "cpupower idle-set -E) and keep only the shallow states.",
				  "only POLL is left to the idle CPUs (%s driver%s%s): they spin at full power when idle",
				  id->driver, maxc ? ", intel_idle.max_cstate=" : "", maxc ? id->cmd_intel_max_cstate : "");
		jw_str(&f->ev, "driver", id->driver);
		jw_str(&f->ev, "intel_idle.max_cstate", id->cmd_intel_max_cstate);
		jw_str(&f->ev, "processor.max_cstate", id->cmd_processor_max_cstate);
	}
	if (r->have_idle && (!strcmp(id->epp, "power") || !strcmp(id->epp, "balance_power"))) {
		f = check_finding(c, "host.energy-preference", SEV_INFO,
				  "For latency: echo balance_performance (or performance) into "
				  "/sys/devices/system/cpu/cpu*/cpufreq/energy_performance_preference.",
				  "the CPUs' energy preference is '%s': frequency ramps up slowly after idle", id->epp);
		jw_str(&f->ev, "epp", id->epp);
		jw_str(&f->ev, "governor", id->freq_governor);
	}
	if (r->wake) {
		const struct jval *fl = json_arr(r->wake, "findings");

		for (size_t i = 0; i < json_len(fl); i++) {
			const struct jval *wf = json_at(fl, i);
			int s = severity_from_name(json_str(wf, "severity", "info"));

			if (s <= SEV_INFO)
				continue;
			f = check_finding(c, "host.wake-stall", (enum severity)s, json_str(wf, "advice", NULL),
					  "on the node itself: %s", json_str(wf, "summary", "?"));
			jw_str(&f->ev, "wake_finding", json_str(wf, "id", "?"));
			if (json_get(wf, "evidence"))
				jw_value(&f->ev, "wake_evidence", json_get(wf, "evidence"));
		}
	}
	if (r->have_mem && r->nvms_node) {
		long long ram_mib = r->mem.total_kib / 1024;

		if (r->vm_mem_mib_node > ram_mib) {
			f = check_finding(c, "host.mem-overcommit", SEV_WARN,
					  "Give the VMs less memory, move some to another node, or set balloon minimums "
					  "you can live with; KSM and swap only help so far.",
					  "the %d VMs of node %s are configured with %lld MiB, more than its %lld MiB of "
					  "RAM", r->nvms_node, r->node, r->vm_mem_mib_node, ram_mib);
			jw_int(&f->ev, "vm_memory_mib", r->vm_mem_mib_node);
			jw_int(&f->ev, "ram_mib", ram_mib);
		} else if (r->vm_mem_mib_node * 100 > ram_mib * r->balloon_target_pct) {
			f = check_finding(c, "host.mem-autoballoon", SEV_INFO, NULL,
					  "the %d VMs of node %s are configured with %lld MiB, over %d%% of its %lld MiB: "
					  "when they use it, PVE's automatic ballooning shrinks every VM with a balloon "
					  "minimum", r->nvms_node, r->node, r->vm_mem_mib_node, r->balloon_target_pct,
					  ram_mib);
			jw_int(&f->ev, "vm_memory_mib", r->vm_mem_mib_node);
			jw_int(&f->ev, "ram_mib", ram_mib);
		}
	}
	if (!r->pve_found) {
		f = check_finding(c, "host.no-vm-configs", SEV_INFO, NULL,
				  "no VM configs found: %s/nodes does not exist (not a Proxmox VE node?); only the node "
				  "itself was audited", r->pve_dir);
		jw_str(&f->ev, "pve_dir", r->pve_dir);
	} else if (!r->nvms) {
		f = check_finding(c, "host.no-vm-configs", SEV_INFO, NULL, "no VM configs found under %s/nodes",
				  r->pve_dir);
		jw_str(&f->ev, "pve_dir", r->pve_dir);
	}
	if (r->models.nproblems) {
		f = check_finding(c, "host.cpu-models-problem", SEV_WARN, NULL, "%s%s", r->models.problems[0].msg,
				  r->models.nproblems > 1 ? " (and more)" : "");
		jw_arr(&f->ev, "problems");
		for (int i = 0; i < r->models.nproblems; i++)
			jw_str(&f->ev, NULL, r->models.problems[i].msg);
		jw_arr_end(&f->ev);
	}
	if (r->cluster.nnodes > 1 && r->cluster.known < r->cluster.nnodes) {
		char nodes[256];

		unknown_nodes(r, nodes, sizeof(nodes));
		f = check_finding(c, "host.cluster-cpus-unknown", SEV_INFO,
				  "Run `triage host --share /etc/pve/vmtriage` once on every node: then the "
				  "cluster-safe type comes from every node's real CPU.",
				  "the CPUs of %d of %d nodes are known (not yet: %s); the cluster-safe CPU type only "
				  "covers the known ones, and the VMs of the others are given no type",
				  r->cluster.known, r->cluster.nnodes, nodes);
		jw_arr(&f->ev, "unknown_nodes");
		for (int i = 0; i < r->cluster.nnodes; i++)
			if (!r->cluster.nodes[i].have)
				jw_str(&f->ev, NULL, r->cluster.nodes[i].name);
		jw_arr_end(&f->ev);
	}
	for (int i = 0; i < r->cluster.nstale; i++) {
		f = check_finding(c, "host.stale-node-folder", SEV_INFO,
				  "A node removed with `pvecm delnode` keeps its folder (pve-docs pvecm.adoc, \"Remove a "
				  "Cluster Node\"): move its VM configs to a member or the folder away once you no longer "
				  "need them.",
				  "%s/nodes/%s is no member of the cluster (%s): it and its VM configs are ignored",
				  r->pve_dir, r->cluster.stale[i],
				  r->cluster.members == HOST_MEMBERS_COROSYNC ? "corosync.conf" :
				  r->cluster.members == HOST_MEMBERS_MEMBERS ? ".members" : "a node on its own");
		jw_str(&f->ev, "folder", r->cluster.stale[i]);
		if (i == 0)
			jw_int(&f->ev, "vm_configs_ignored", r->cluster.stale_vms);
	}
	if (r->balloon_target_bad)
		check_finding(c, "host.balloon-target-invalid", SEV_WARN, "Set it in the GUI: node -> System -> "
			      "Options -> Ballooning target (0 to 100).",
			      "%s/nodes/%s/config: ballooning-target is not 0 to 100: pvestatd rejects the file's "
			      "value and aims at %d%%", r->pve_dir, r->node, HOST_AUTOBALLOON_DEFAULT_PCT);
	if (r->balloon_target_set && r->pve_manager[0] && version_before(r->pve_manager, 8, 3, 6)) {
		f = check_finding(c, "host.balloon-target-ignored", SEV_INFO, "Upgrade pve-manager to 8.3.6 or later.",
				  "ballooning-target %d%% is set, but pve-manager %s reads it only from 8.3.6 on: "
				  "pvestatd aims at %d%%", r->balloon_target_pct, r->pve_manager,
				  HOST_AUTOBALLOON_DEFAULT_PCT);
		jw_str(&f->ev, "pve_manager", r->pve_manager);
	}
}

/* ---- JSON ---- */

static void write_cpu(struct jw *w, const struct host_run *r)
{
	const char *types[64];
	int n = host_runnable_types(r, types, 64);

	jw_obj(w, "cpu");
	jw_str(w, "source", r->cpu_source);
	jw_bool(w, "known", r->cpu.known);
	jw_str(w, "vendor", r->cpu.vendor);
	jw_str(w, "brand", r->cpu.brand);
	jw_int(w, "level", r->cpu.level);
	set_list(w, "extensions", r->cpu.ok);
	jw_arr(w, "pve_types");
	for (int i = 0; i < n; i++)
		jw_str(w, NULL, types[i]);
	jw_arr_end(w);
	jw_obj_end(w);
}

static void opt_str(struct jw *w, const char *key, const char *s) { s[0] ? jw_str(w, key, s) : jw_null(w, key); }

static void write_idle(struct jw *w, const struct host_run *r)
{
	const struct host_idle *id = &r->idle;

	jw_obj(w, "cstates");
	opt_str(w, "driver", id->driver);
	opt_str(w, "governor", id->governor);
	jw_int(w, "cpus", id->ncpus);
	jw_arr(w, "states");
	for (int i = 0; i < id->nstates; i++) {
		jw_obj(w, NULL);
		jw_str(w, "name", id->st[i].name);
		jw_str(w, "desc", id->st[i].desc);
		jw_int(w, "exit_latency_us", id->st[i].latency_us);
		jw_int(w, "target_residency_us", id->st[i].residency_us);
		jw_int(w, "usage", id->st[i].usage);
		jw_int(w, "time_us", id->st[i].time_us);
		jw_int(w, "disabled_cpus", id->st[i].disabled_cpus);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	opt_str(w, "intel_idle_max_cstate", id->intel_max_cstate);
	jw_obj(w, "cmdline");
	opt_str(w, "intel_idle.max_cstate", id->cmd_intel_max_cstate);
	opt_str(w, "processor.max_cstate", id->cmd_processor_max_cstate);
	opt_str(w, "idle", id->cmd_idle);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj(w, "cpufreq");
	opt_str(w, "driver", id->freq_driver);
	opt_str(w, "governor", id->freq_governor);
	opt_str(w, "energy_performance_preference", id->epp);
	jw_obj_end(w);
}

static void num_or_null(struct jw *w, const char *key, long long v) { v >= 0 ? jw_int(w, key, v) : jw_null(w, key); }

static void write_vm(struct jw *w, const struct host_vm *vm)
{
	const struct pve_vmconf *k = &vm->conf;

	jw_obj(w, NULL);
	jw_int(w, "vmid", vm->vmid);
	jw_str(w, "node", vm->node);
	jw_str(w, "file", vm->file);
	jw_str(w, "name", k->name);
	jw_bool(w, "template", k->template_);
	jw_bool(w, "hibernated", k->hibernated);
	jw_bool(w, "passthrough", vm->passthrough);
	jw_obj(w, "cpu");
	jw_str(w, "type", k->cpu.type);
	jw_bool(w, "configured", k->cpu_set);
	vm->cpu_pending ? jw_str(w, "now", vm->cpu_now) : jw_null(w, "now");
	vm->args_cpu ? jw_str(w, "args", vm->args_value) : jw_null(w, "args");
	jw_str(w, "judged", vm->type);
	jw_arr(w, "flags");
	for (int i = 0; i < k->cpu.nflags; i++)
		jw_strf(w, NULL, "%c%s", k->cpu.flags[i].on ? '+' : '-', k->cpu.flags[i].name);
	jw_arr_end(w);
	k->cpu.hidden >= 0 ? jw_bool(w, "hidden", k->cpu.hidden) : jw_null(w, "hidden");
	opt_str(w, "hv_vendor_id", k->cpu.hv_vendor_id);
	opt_str(w, "phys_bits", k->cpu.phys_bits);
	jw_bool(w, "known", vm->type_known);
	jw_str(w, "read_as", vm->base);
	vm->type_known ? jw_int(w, "level", vm->level) : jw_null(w, "level");
	set_list(w, "extensions", vm->set);
	set_list(w, "lacks", vm->lacks);
	set_list(w, "beyond_node", vm->beyond);
	jw_obj_end(w);
	jw_int(w, "memory_mib", k->memory_mib);
	jw_obj(w, "balloon");
	jw_bool(w, "device", !(k->balloon_set && k->balloon_mib == 0));
	jw_int(w, "min_mib", k->balloon_set ? k->balloon_mib : k->memory_mib);
	jw_bool(w, "automatic", k->balloon_set && k->balloon_mib > 0 && k->balloon_mib < k->memory_mib && k->shares != 0);
	k->shares >= 0 ? jw_int(w, "shares", k->shares) : jw_null(w, "shares");
	jw_obj_end(w);
	k->numa >= 0 ? jw_bool(w, "numa", k->numa) : jw_null(w, "numa");
	jw_str(w, "hotplug", k->hotplug);
	jw_int(w, "sockets", k->sockets);
	jw_int(w, "cores", k->cores);
	jw_arr(w, "snapshots");
	for (int i = 0; i < k->nsnapshots; i++)
		jw_str(w, NULL, k->snapshots[i]);
	jw_arr_end(w);
	jw_bool(w, "pending", k->pending);
	jw_arr(w, "problems");
	for (int i = 0; i < k->nproblems; i++)
		jw_str(w, NULL, k->problems[i].msg);
	jw_arr_end(w);
	vm->command[0] ? jw_str(w, "command", vm->command) : jw_null(w, "command");
	jw_obj_end(w);
}

static void write_report(struct check *c, struct host_run *r)
{
	struct jw *m = check_metrics(c), *d = check_data(c);
	int deepest;
	long long lat = host_idle_deepest_us(&r->idle, &deepest);
	const char *types[64];

	jw_str(m, "node", r->node);
	r->cpu.known ? jw_int(m, "cpu_level", r->cpu.level) : jw_null(m, "cpu_level");
	jw_int(m, "pve_types_runnable", host_runnable_types(r, types, 64));
	r->cluster.safe >= 0 ? jw_str(m, "cluster_safe_type", safe_name(r)) : jw_null(m, "cluster_safe_type");
	jw_int(m, "nodes", r->cluster.nnodes);
	jw_int(m, "nodes_known", r->cluster.known);
	jw_int(m, "vms", r->nvms);
	jw_int(m, "vms_on_node", r->nvms_node);
	jw_int(m, "vm_findings_warn", r->vm_findings[SEV_WARN]);
	jw_int(m, "vm_findings_fail", r->vm_findings[SEV_FAIL]);
	num_or_null(m, "cstate_deepest_us", lat);
	num_or_null(m, "mem_total_mib", r->have_mem ? r->mem.total_kib / 1024 : -1);
	jw_int(m, "vm_memory_mib", r->vm_mem_mib_node);
	num_or_null(m, "swap_total_mib", r->mem.swap_total_kib >= 0 ? r->mem.swap_total_kib / 1024 : -1);
	num_or_null(m, "ksm_shared_mib", r->mem.ksm_pages_sharing >= 0
						 ? r->mem.ksm_pages_sharing * r->mem.page_size / (1024 * 1024) : -1);
	if (r->wake) {
		const struct jval *wm = json_get(r->wake, "metrics");

		jw_num(m, "wake_p99_us", json_num(wm, "overshoot_p99_worst_us", 0));
		jw_num(m, "wake_cstate_share_us", json_num(wm, "cstate_share_p50_us", 0));
	} else {
		jw_null(m, "wake_p99_us");
		jw_null(m, "wake_cstate_share_us");
	}

	jw_str(d, "node", r->node);
	jw_str(d, "pve_dir", r->pve_dir);
	jw_bool(d, "pve_found", r->pve_found);
	write_cpu(d, r);
	write_idle(d, r);
	jw_obj(d, "memory");
	num_or_null(d, "total_kib", r->mem.total_kib);
	num_or_null(d, "available_kib", r->mem.available_kib);
	num_or_null(d, "swap_total_kib", r->mem.swap_total_kib);
	num_or_null(d, "swap_free_kib", r->mem.swap_free_kib);
	num_or_null(d, "ksm_run", r->mem.ksm_run);
	num_or_null(d, "ksm_pages_sharing", r->mem.ksm_pages_sharing);
	num_or_null(d, "ksm_pages_shared", r->mem.ksm_pages_shared);
	jw_int(d, "vm_memory_mib", r->vm_mem_mib_node);
	jw_int(d, "autoballoon_used_pct", r->balloon_target_pct);
	jw_bool(d, "autoballoon_target_configured", r->balloon_target_set);
	opt_str(d, "pve_manager", r->pve_manager);
	jw_obj_end(d);
	jw_obj(d, "wake");
	if (r->wake) {
		jw_str(d, "status", json_str(r->wake, "status", "?"));
		jw_value(d, "metrics", json_get(r->wake, "metrics"));
	} else {
		jw_null(d, "status");
		jw_str(d, "note", r->wake_note);
	}
	jw_obj_end(d);
	jw_obj(d, "cluster");
	r->cluster.safe >= 0 ? jw_str(d, "safe_type", safe_name(r)) : jw_null(d, "safe_type");
	r->cluster.safe >= 0 ? jw_int(d, "safe_level", safe_level(r)) : jw_null(d, "safe_level");
	r->share_dir ? jw_str(d, "share_dir", r->share_dir) : jw_null(d, "share_dir");
	{
		static const char *const src[] = { "corosync.conf", ".members", "standalone", "nodes folders" };

		jw_str(d, "members_from", src[r->cluster.members]);
	}
	jw_arr(d, "stale_folders");
	for (int i = 0; i < r->cluster.nstale; i++)
		jw_str(d, NULL, r->cluster.stale[i]);
	jw_arr_end(d);
	jw_arr(d, "nodes");
	for (int i = 0; i < r->cluster.nnodes; i++) {
		const struct host_node_ref *n = &r->cluster.nodes[i];

		jw_obj(d, NULL);
		jw_str(d, "name", n->name);
		jw_bool(d, "this", i == r->self);
		jw_bool(d, "cpu_known", n->have);
		jw_bool(d, "cpuid_known", n->have && n->cpu.have_dump);
		n->online >= 0 ? jw_bool(d, "online", n->online) : jw_null(d, "online");
		if (n->have) {
			jw_str(d, "brand", n->cpu.brand);
			jw_int(d, "level", n->cpu.level);
		}
		jw_obj_end(d);
	}
	jw_arr_end(d);
	jw_obj_end(d);
	jw_arr(d, "custom_models");
	for (int i = 0; i < r->models.n; i++) {
		jw_obj(d, NULL);
		jw_str(d, "name", r->models.m[i].cpu.type);
		jw_str(d, "reported_model", r->models.m[i].cpu.reported_model);
		jw_int(d, "flags", r->models.m[i].cpu.nflags);
		jw_obj_end(d);
	}
	jw_arr_end(d);
	jw_arr(d, "vms");
	for (int i = 0; i < r->nvms; i++)
		write_vm(d, &r->vms[i]);
	jw_arr_end(d);
	r->problems[0] ? jw_str(d, "problems", r->problems) : jw_null(d, "problems");
}

/* ---- one VM through the image ---- */

static int run_iso(struct host_run *r, const struct optv *vals)
{
	int vmid = (int)vals[O_VM].num;
	char path[700], work[64], *text, *script;
	struct pve_vmconf conf;
	size_t len;
	int ws;

	if (!vals[O_RUN_ISO].set) {
		fprintf(stderr, "triage host: --vm needs --run-iso ISO\n");
		return EXIT_ERROR;
	}
	/* qm only acts on the VMs of the node it runs on */
	snprintf(path, sizeof(path), "%s/nodes/%s/qemu-server/%d.conf", r->pve_dir, r->node, vmid);
	if (!(text = read_file(path, 1 << 20, &len))) {
		fprintf(stderr, "triage host: %s: %s (is VM %d on this node, %s?)\n", path, strerror(errno), vmid,
			r->node);
		return EXIT_ERROR;
	}
	pve_parse_vmconf(text, len, path, &conf);
	free(text);
	for (int i = 0; i < conf.nproblems; i++)
		fprintf(stderr, "triage host: warning: %s\n", conf.problems[i].msg);
	snprintf(work, sizeof(work), "/var/tmp/vmtriage-%d", vmid);
	script = host_iso_script(vmid, &conf, vals[O_RUN_ISO].str, work, vals[O_FORCE].set, &len);
	if (!script) {
		fprintf(stderr, "triage host: VM %d has no free virtio slot for the report disk\n", vmid);
		return EXIT_ERROR;
	}
	if (!vals[O_YES].set) {
		fwrite(script, 1, len, stdout);
		free(script);
		return EXIT_PASS;
	}
	{
		pid_t pid = fork();

		if (pid == 0) {
			execl("/bin/sh", "sh", "-c", script, (char *)NULL);
			_exit(127);
		}
		free(script);
		if (pid < 0 || waitpid(pid, &ws, 0) != pid)
			return EXIT_ERROR;
	}
	return WIFEXITED(ws) && WEXITSTATUS(ws) == 0 ? EXIT_PASS : EXIT_ERROR;
}

/* ---- the command ---- */

static void node_name(struct host_run *r, const struct optv *v)
{
	struct utsname u;

	if (v->set)
		strlcpy_(r->node, v->str, sizeof(r->node));
	else if (uname(&u) == 0)
		snprintf(r->node, sizeof(r->node), "%.*s", (int)strcspn(u.nodename, "."), u.nodename);
	else
		strlcpy_(r->node, "localhost", sizeof(r->node));
}

static void outputs(struct check *c, struct host_run *r, const struct optv *vals)
{
	char err[300], path[700];
	size_t len;
	char *text;

	if (vals[O_SHARE].set) {
		if (mkdir(r->share_dir, 0755) < 0 && errno != EEXIST)
			warn_msg("%s: %s", r->share_dir, strerror(errno));
		snprintf(path, sizeof(path), "%s/%s.json", r->share_dir, r->node);
		text = host_share_text(r, &len);
		if (len > HOST_SHARE_MAX_BYTES)
			snprintf(err, sizeof(err), "%zu bytes: more than %d", len, HOST_SHARE_MAX_BYTES);
		check_ok(c, len <= HOST_SHARE_MAX_BYTES &&
			 file_replace(path, text, len, true, "share", err, sizeof(err)) == 0,
			 "this node's report shared as %s%s%s", path, len <= HOST_SHARE_MAX_BYTES ? "" : ": ",
			 len <= HOST_SHARE_MAX_BYTES ? "" : err);
		free(text);
	}
	if (vals[O_PROM].set) {
		text = host_prom_text(r, c, &len);
		err[0] = 0;
		check_ok(c, file_replace(vals[O_PROM].str, text, len, true, "prom", err, sizeof(err)) == 0,
			 "Prometheus textfile %s%s%s", vals[O_PROM].str, err[0] ? ": " : "", err);
		free(text);
	}
}

int cmd_host(int argc, char **argv)
{
	struct optv vals[O_COUNT + 1] = { 0 };
	struct check c;
	struct host_run r = { 0 };
	int rc = host_mode(argc, argv);

	if (rc >= 0)
		return rc;
	rc = check_begin(&c, "host", usage, host_opts, vals, argc, argv);
	char path[600];
	struct stat st;

	if (rc >= 0)
		return rc;
	r.root = vals[O_ROOT].set ? vals[O_ROOT].str : "";
	r.pve_dir = vals[O_PVE].set ? vals[O_PVE].str : "/etc/pve";
	r.share_dir = vals[O_SHARE].set ? vals[O_SHARE].str : NULL;
	r.started_unix = (int64_t)time(NULL);
	r.self = -1;
	node_name(&r, &vals[O_NODE]);
	if (vals[O_VM].set) {
		/* not an audit: no JSON, the script or its outcome instead */
		fclose(c.mf);
		fclose(c.df);
		free(c.mbuf);
		free(c.dbuf);
		return run_iso(&r, vals);
	}
	/* the table's names first, so sets print in its order */
	for (int i = 0; i < pve_ntypes; i++)
		ext_parse_list(pve_type_features(&pve_types[i]));

	node_cpu(&c, &r, vals[O_ISA_JSON].set ? vals[O_ISA_JSON].str : NULL);
	node_cpuid(&c, &r, vals);
	r.have_idle = host_read_idle(r.root, &r.idle) == 0;
	check_ok(&c, true, "C-states: %s", r.have_idle ? r.idle.driver : "no cpuidle (a VM, or idle=poll)");
	r.have_mem = host_read_mem(r.root, &r.mem) == 0;
	check_ok(&c, r.have_mem, "memory: %lld MiB", r.mem.total_kib / 1024);

	snprintf(path, sizeof(path), "%s/nodes", r.pve_dir);
	r.pve_found = stat(path, &st) == 0 && S_ISDIR(st.st_mode) && host_load_pve(&r) == 0;
	/* the QEMU a type must start on: PVE 8 ships the 7.2 line's models,
	 * PVE 9 10.0's; both while the version is not known */
	if (!strncmp(r.pve_manager, "8.", 2) || !strncmp(r.pve_manager, "9.", 2)) {
		r.qemus[r.nqemu++] = r.pve_manager[0] == '8' ? QM_QEMU_7_2 : QM_QEMU_10_0;
	} else {
		r.qemus[r.nqemu++] = QM_QEMU_7_2;
		r.qemus[r.nqemu++] = QM_QEMU_10_0;
	}
	for (int i = 0; i < r.cluster.nnodes; i++)
		if (!strcmp(r.cluster.nodes[i].name, r.node))
			r.self = i;
	if (r.self < 0 && r.cluster.nnodes < HOST_NODES_MAX) { /* not a node of this cluster: itself still counts */
		r.self = r.cluster.nnodes++;
		strlcpy_(r.cluster.nodes[r.self].name, r.node, sizeof(r.cluster.nodes[0].name));
	}
	if (r.self >= 0 && r.cpu.known) {
		r.cluster.nodes[r.self].have = true;
		r.cluster.nodes[r.self].cpu = r.cpu;
	}
	if (r.share_dir)
		host_read_shares(&r, r.share_dir);
	if (r.problems[0])
		check_note(&c, "not read: %s", r.problems);
	host_cluster_safe(&r, &r.cluster);
	if (r.pve_found)
		check_ok(&c, true, "%s: %d node%s (%d with a known CPU), %d VM%s; cluster-safe CPU type %s", r.pve_dir,
			 r.cluster.nnodes, r.cluster.nnodes == 1 ? "" : "s", r.cluster.known, r.nvms, r.nvms == 1 ? "" : "s",
			 safe_name(&r) ? safe_name(&r) : "unknown");
	else
		check_ok(&c, true, "no VM configs: %s/nodes not found (not a Proxmox VE node); this node's safe type %s",
			 r.pve_dir, safe_name(&r) ? safe_name(&r) : "unknown");

	for (int i = 0; i < r.nvms; i++) {
		host_vm_features(&r, &r.vms[i]);
		if (!strcmp(r.vms[i].node, r.node)) {
			r.nvms_node++;
			/* a template never runs, a hibernated VM's RAM is on disk */
			if (r.vms[i].runs)
				r.vm_mem_mib_node += r.vms[i].conf.memory_mib;
		}
	}
	node_wake(&c, &r, vals[O_NO_WAKE].set, vals[O_WAKE_JSON].set ? vals[O_WAKE_JSON].str : NULL);
	for (int i = 0; i < r.nvms; i++)
		vm_findings(&c, &r, &r.vms[i]);
	node_findings(&c, &r);
	write_report(&c, &r);
	outputs(&c, &r, vals);
	json_free(r.wake);
	free(r.vms);
	return check_end(&c, -1, NULL);
}
