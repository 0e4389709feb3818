/* What triage host writes beside its JSON: the node_exporter textfile
 * (--prom) and the node's shared report (--share), both atomically. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/hostrun.h"
#include "lib/pvetypes.h"
#include "lib/util.h"

#define SHARE_SCHEMA "vmtriage-host-share/1"

/* ---- Prometheus ---- */


static void head(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void node_gauge(FILE *f, const char *name, const struct host_run *r, double v)
{
	fprintf(f, "%s{node=", name);
	prom_label(f, r->node);
	fprintf(f, "} %.15g\n", v);
}

static void vm_gauge(FILE *f, const char *name, const struct host_vm *vm, double v)
{
	fprintf(f, "%s{vmid=\"%d\",node=", name, vm->vmid);
	prom_label(f, vm->node);
	fprintf(f, "} %.15g\n", v);
}

/* Per-VM series only for this node's VMs: every node exports its own, so a
 * cluster-wide Prometheus sees each VM once. */
static bool mine(const struct host_run *r, const struct host_vm *vm) { return !strcmp(vm->node, r->node); }

char *host_prom_text(const struct host_run *r, const struct check *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int deepest, counts[3] = { 0 };
	long long lat = host_idle_deepest_us(&r->idle, &deepest);
	const char *types[64];
	bool known;

	if (!f)
		dief("out of memory");
	head(f, "vmtriage_host_info", "The node audited by triage host; labels describe it.");
	fprintf(f, "vmtriage_host_info{node=");
	prom_label(f, r->node);
	fputs(",cpu=", f);
	prom_label(f, r->cpu.brand);
	fputs(",cpuidle_driver=", f);
	prom_label(f, r->idle.driver);
	fputs(",cpufreq_governor=", f);
	prom_label(f, r->idle.freq_governor);
	fputs("} 1\n", f);
	head(f, "vmtriage_host_last_run_timestamp_seconds", "When triage host wrote this file.");
	node_gauge(f, "vmtriage_host_last_run_timestamp_seconds", r, (double)r->started_unix);
	if (r->cpu.known) {
		head(f, "vmtriage_host_cpu_level", "x86-64 level (1-4) of what the node's CPU advertises and executes.");
		node_gauge(f, "vmtriage_host_cpu_level", r, r->cpu.level);
		head(f, "vmtriage_host_pve_cpu_types", "PVE CPU types (built in and custom) the node can run.");
		node_gauge(f, "vmtriage_host_pve_cpu_types", r, host_runnable_types(r, types, 64));
	}
	if (r->cluster.safe >= 0) {
		head(f, "vmtriage_cluster_safe_cpu_level",
		     "x86-64 level of the richest generic PVE CPU type every node with a known CPU runs.");
		node_gauge(f, "vmtriage_cluster_safe_cpu_level", r,
			   host_set_level(&r->cpu, host_type_set(pve_types[r->cluster.safe].name, &known)));
	}
	head(f, "vmtriage_cluster_nodes_cpu_known", "Nodes whose CPU is known (this one and shared reports).");
	node_gauge(f, "vmtriage_cluster_nodes_cpu_known", r, r->cluster.known);
	if (r->idle.nstates) {
		head(f, "vmtriage_host_cstate_exit_latency_seconds", "Exit latency the kernel states for an idle state.");
		for (int i = 0; i < r->idle.nstates; i++) {
			fprintf(f, "vmtriage_host_cstate_exit_latency_seconds{node=");
			prom_label(f, r->node);
			fputs(",state=", f);
			prom_label(f, r->idle.st[i].name);
			fprintf(f, "} %.15g\n", (double)r->idle.st[i].latency_us / 1e6);
		}
		head(f, "vmtriage_host_cstate_disabled_cpus", "CPUs on which an idle state is disabled.");
		for (int i = 0; i < r->idle.nstates; i++) {
			fprintf(f, "vmtriage_host_cstate_disabled_cpus{node=");
			prom_label(f, r->node);
			fputs(",state=", f);
			prom_label(f, r->idle.st[i].name);
			fprintf(f, "} %d\n", r->idle.st[i].disabled_cpus);
		}
		if (lat >= 0) {
			head(f, "vmtriage_host_cstate_deepest_exit_latency_seconds",
			     "Exit latency of the deepest idle state enabled on some CPU.");
			node_gauge(f, "vmtriage_host_cstate_deepest_exit_latency_seconds", r, (double)lat / 1e6);
		}
	}
	if (r->wake) {
		const struct jval *wm = json_get(r->wake, "metrics");

		head(f, "vmtriage_host_wake_overshoot_p99_seconds",
		     "Measured wake-up overshoot after idle, 99th percentile of the worst CPU (triage wake).");
		node_gauge(f, "vmtriage_host_wake_overshoot_p99_seconds", r,
			   json_num(wm, "overshoot_p99_worst_us", 0) / 1e6);
		head(f, "vmtriage_host_wake_cstate_share_seconds",
		     "Measured part of the median wake-up that C-states cause (as is minus held shallow).");
		node_gauge(f, "vmtriage_host_wake_cstate_share_seconds", r, json_num(wm, "cstate_share_p50_us", 0) / 1e6);
	}
	if (r->have_mem) {
		head(f, "vmtriage_host_memory_bytes", "The node's RAM (MemTotal).");
		node_gauge(f, "vmtriage_host_memory_bytes", r, (double)r->mem.total_kib * 1024);
		head(f, "vmtriage_host_swap_bytes", "The node's swap (SwapTotal).");
		node_gauge(f, "vmtriage_host_swap_bytes", r, (double)r->mem.swap_total_kib * 1024);
	}
	if (r->mem.ksm_pages_sharing >= 0) {
		head(f, "vmtriage_host_ksm_sharing_bytes", "Memory KSM saves (pages_sharing).");
		node_gauge(f, "vmtriage_host_ksm_sharing_bytes", r, (double)r->mem.ksm_pages_sharing * r->mem.page_size);
	}
	head(f, "vmtriage_host_vm_memory_configured_bytes", "Sum of the memory of the node's VMs' configs.");
	node_gauge(f, "vmtriage_host_vm_memory_configured_bytes", r, (double)r->vm_mem_mib_node * 1048576);

	head(f, "vmtriage_vm_cpu_level", "x86-64 level (1-4) the VM's CPU type gives its guest; 0 if unknown.");
	for (int i = 0; i < r->nvms; i++)
		if (mine(r, &r->vms[i])) {
			const struct host_vm *vm = &r->vms[i];

			fprintf(f, "vmtriage_vm_cpu_level{vmid=\"%d\",node=", vm->vmid);
			prom_label(f, vm->node);
			fputs(",cputype=", f);
			prom_label(f, vm->type); /* the type judged: args' -cpu wins */
			fprintf(f, "} %d\n", vm->level);
		}
	head(f, "vmtriage_vm_cpu_missing_extensions", "Extensions the node executes that the VM's CPU type hides.");
	for (int i = 0; i < r->nvms; i++)
		if (mine(r, &r->vms[i]))
			vm_gauge(f, "vmtriage_vm_cpu_missing_extensions", &r->vms[i], __builtin_popcountll(r->vms[i].lacks));
	head(f, "vmtriage_vm_cpu_extensions_beyond_node", "Extensions the VM's CPU type offers that the node lacks.");
	for (int i = 0; i < r->nvms; i++)
		if (mine(r, &r->vms[i]))
			vm_gauge(f, "vmtriage_vm_cpu_extensions_beyond_node", &r->vms[i],
				 __builtin_popcountll(r->vms[i].beyond));
	head(f, "vmtriage_vm_memory_bytes", "The VM's configured memory.");
	for (int i = 0; i < r->nvms; i++)
		if (mine(r, &r->vms[i]))
			vm_gauge(f, "vmtriage_vm_memory_bytes", &r->vms[i], (double)r->vms[i].conf.memory_mib * 1048576);
	head(f, "vmtriage_vm_balloon_enabled", "1 if the VM has a balloon device (balloon is not 0).");
	for (int i = 0; i < r->nvms; i++)
		if (mine(r, &r->vms[i]))
			vm_gauge(f, "vmtriage_vm_balloon_enabled", &r->vms[i],
				 !(r->vms[i].conf.balloon_set && r->vms[i].conf.balloon_mib == 0));
	head(f, "vmtriage_vm_balloon_min_bytes",
	     "The least memory PVE's automatic ballooning leaves the VM (its memory when there is no minimum).");
	for (int i = 0; i < r->nvms; i++)
		if (mine(r, &r->vms[i])) {
			const struct pve_vmconf *k = &r->vms[i].conf;

			vm_gauge(f, "vmtriage_vm_balloon_min_bytes", &r->vms[i],
				 (double)(k->balloon_set && k->balloon_mib > 0 ? k->balloon_mib : k->memory_mib) * 1048576);
		}
	head(f, "vmtriage_vm_findings", "Findings about the VM by severity.");
	for (int i = 0; i < r->nvms; i++) {
		const struct host_vm *vm = &r->vms[i];

		if (!mine(r, vm))
			continue;
		memset(counts, 0, sizeof(counts));
		for (const struct finding *fd = c->findings; fd; fd = fd->next) {
			char tag[32];

			snprintf(tag, sizeof(tag), "VM %d:", vm->vmid);
			if (!strncmp(fd->id, "vm.", 3) && !strncmp(fd->summary, tag, strlen(tag)))
				counts[fd->sev]++;
		}
		for (int s = 0; s < 3; s++) {
			fprintf(f, "vmtriage_vm_findings{vmid=\"%d\",node=", vm->vmid);
			prom_label(f, vm->node);
			fprintf(f, ",severity=\"%s\"} %d\n", severity_name((enum severity)s), counts[s]);
		}
	}
	if (fclose(f) != 0)
		dief("out of memory");
	return buf;
}

/* ---- the shared report ---- */

char *host_share_text(const struct host_run *r, size_t *len)
{
	char *buf = NULL, stamp[32];
	FILE *f = open_memstream(&buf, len);
	struct jw w;
	int deepest;
	long long lat = host_idle_deepest_us(&r->idle, &deepest);

	if (!f)
		dief("out of memory");
	utc_stamp(stamp, sizeof(stamp), false);
	jw_init(&w, f, 1);
	jw_obj(&w, NULL);
	jw_str(&w, "schema", SHARE_SCHEMA);
	jw_str(&w, "node", r->node);
	jw_str(&w, "time", stamp);
	jw_obj(&w, "cpu");
	jw_bool(&w, "known", r->cpu.known);
	jw_str(&w, "vendor", r->cpu.vendor);
	jw_str(&w, "brand", r->cpu.brand);
	jw_int(&w, "level", r->cpu.level);
	jw_arr(&w, "extensions");
	for (int i = 0; i < ext_count(); i++)
		if (r->cpu.ok & (1ULL << i))
			jw_str(&w, NULL, ext_name(i));
	jw_arr_end(&w);
	jw_arr(&w, "tested");
	for (int i = 0; i < ext_count(); i++)
		if (r->cpu.tested & (1ULL << i))
			jw_str(&w, NULL, ext_name(i));
	jw_arr_end(&w);
	jw_obj(&w, "levels");
	for (int i = 0; i < ext_count(); i++)
		if (r->cpu.ext_level[i])
			jw_int(&w, ext_name(i), r->cpu.ext_level[i]);
	jw_obj_end(&w);
	/* the raw leaves, so the other nodes judge QEMU's models on this CPU
	 * (lib/qemumodels.h); lib/cpuid.h's text format, one line each */
	jw_arr(&w, "cpuid");
	if (r->cpu.have_dump) {
		char *dump = NULL, *line, *p;
		size_t dlen;
		FILE *df = open_memstream(&dump, &dlen);

		if (!df)
			dief("out of memory");
		cpuid_write(df, &r->cpu.dump);
		fclose(df);
		for (p = dump; (line = strsep(&p, "\n"));)
			if (line[0] && line[0] != '#')
				jw_str(&w, NULL, line);
		free(dump);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_obj(&w, "cstates");
	jw_str(&w, "driver", r->idle.driver);
	jw_str(&w, "deepest", deepest >= 0 ? r->idle.st[deepest].name : "");
	jw_int(&w, "deepest_us", lat);
	jw_obj_end(&w);
	jw_obj_end(&w);
	fputc('\n', f);
	if (fclose(f) != 0)
		dief("out of memory");
	return buf;
}

static void read_share(struct host_run *r, const char *path)
{
	char err[200], *text;
	size_t len;
	struct jval *v;
	const struct jval *cpu, *ex, *lv;
	struct host_node_ref *n = NULL;
	const char *name;

	if (!(text = read_file(path, HOST_SHARE_MAX_BYTES, &len)))
		return;
	v = json_parse(text, len, err, sizeof(err));
	free(text);
	if (!v || strcmp(json_str(v, "schema", ""), SHARE_SCHEMA) != 0) {
		str_append(r->problems, sizeof(r->problems), "; ", "%s: not a %s report%s%s", path, SHARE_SCHEMA,
			   v ? "" : ": ", v ? "" : err);
		goto out;
	}
	name = json_str(v, "node", "");
	cpu = json_get(v, "cpu");
	if (!*name || !json_true(cpu, "known"))
		goto out;
	for (int i = 0; i < r->cluster.nnodes; i++)
		if (!strcmp(r->cluster.nodes[i].name, name))
			n = &r->cluster.nodes[i];
	if (!n && r->cluster.nnodes < HOST_NODES_MAX && (!r->pve_found || !r->cluster.nnodes)) {
		n = &r->cluster.nodes[r->cluster.nnodes++]; /* no node list: the shares are the cluster */
		strlcpy_(n->name, name, sizeof(n->name));
	}
	if (!n || (r->self >= 0 && n == &r->cluster.nodes[r->self] && n->have))
		goto out; /* a node not in this cluster, or ourselves measured now */
	memset(&n->cpu, 0, sizeof(n->cpu));
	strlcpy_(n->cpu.vendor, json_str(cpu, "vendor", ""), sizeof(n->cpu.vendor));
	strlcpy_(n->cpu.brand, json_str(cpu, "brand", ""), sizeof(n->cpu.brand));
	ex = json_arr(cpu, "extensions");
	lv = json_obj(cpu, "levels");
	for (size_t i = 0; i < json_len(ex); i++) {
		const char *e = json_as_str(json_at(ex, i), NULL);
		int k = e ? ext_index(e) : -1;

		if (k >= 0)
			n->cpu.ok |= 1ULL << k;
	}
	/* what its isa run judged; an older report without the list: what
	 * this node's did, else what it says executes */
	ex = json_arr(cpu, "tested");
	for (size_t i = 0; i < json_len(ex); i++) {
		const char *e = json_as_str(json_at(ex, i), NULL);
		int k = e ? ext_index(e) : -1;

		if (k >= 0)
			n->cpu.tested |= 1ULL << k;
	}
	if (!json_len(ex))
		n->cpu.tested = r->cpu.tested ? r->cpu.tested : n->cpu.ok;
	for (size_t i = 0; i < json_len(lv); i++) {
		int k = ext_index(json_key(lv, i));

		if (k >= 0)
			n->cpu.ext_level[k] = host_level_value(json_as_num(json_at(lv, i), 0));
	}
	{
		const struct jval *lines = json_arr(cpu, "cpuid");
		char *dump = NULL;
		size_t tlen;
		FILE *tf;

		if (json_len(lines) && (tf = open_memstream(&dump, &tlen))) {
			for (size_t i = 0; i < json_len(lines); i++)
				fprintf(tf, "%s\n", json_as_str(json_at(lines, i), ""));
			fclose(tf);
			n->cpu.have_dump = cpuid_parse(dump, &n->cpu.dump, err, sizeof(err)) == 0;
			if (!n->cpu.have_dump)
				str_append(r->problems, sizeof(r->problems), "; ", "%s: cpuid: %s", path, err);
			free(dump);
		}
	}
	n->cpu.known = true;
	n->cpu.level = host_set_level(&n->cpu, n->cpu.ok);
	n->have = true;
out:
	json_free(v);
}

void host_read_shares(struct host_run *r, const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char path[800];

		if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		read_share(r, path);
	}
	closedir(d);
}
