/* Every VM config of the cluster (PVE_DIR/nodes/NODE/qemu-server/VMID.conf:
 * pmxcfs shows every node's VMs on every node), the custom CPU models, and
 * what each VM's CPU type gives its guest on this node. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host/hostrun.h"
#include "lib/json.h"
#include "lib/pvetypes.h"
#include "lib/qemumodels.h"
#include "lib/util.h"

/* A config is a few KiB; pmxcfs refuses files of more than 1 MiB anyway. */
#define CONF_MAX_BYTES (1 << 20)

static int cmp_vm(const void *a, const void *b)
{
	const struct host_vm *x = a, *y = b;

	return x->vmid - y->vmid;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* "123.conf" -> 123, else -1 */
static int conf_vmid(const char *name)
{
	size_t n = strlen(name);
	long long id;
	char num[16];

	if (n < 6 || n - 5 >= sizeof(num) || strcmp(name + n - 5, ".conf") != 0)
		return -1;
	memcpy(num, name, n - 5);
	num[n - 5] = 0;
	if (strspn(num, "0123456789") != n - 5 || parse_ll(num, &id) < 0 || id < 1 || id > 999999999)
		return -1;
	return (int)id;
}

static void load_node_vms(struct host_run *r, const char *node)
{
	char dir[600];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/nodes/%s/qemu-server", r->pve_dir, node);
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		int id = conf_vmid(de->d_name);
		struct host_vm *vm;
		char *text;
		size_t len;

		if (id < 0)
			continue;
		if (r->nvms == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->vms = xrealloc(r->vms, (size_t)r->cap * sizeof(*r->vms));
		}
		vm = &r->vms[r->nvms];
		memset(vm, 0, sizeof(*vm));
		vm->vmid = id;
		strlcpy_(vm->node, node, sizeof(vm->node));
		snprintf(vm->file, sizeof(vm->file), "%s/%s", dir, de->d_name);
		text = read_file(vm->file, CONF_MAX_BYTES, &len);
		if (!text) {
			str_append(r->problems, sizeof(r->problems), "; ", "%s: %s", vm->file, strerror(errno));
			continue;
		}
		{
			/* judged as the next cold start runs it: [PENDING] applied */
			struct pve_vmconf *now = xmalloc(sizeof(*now));

			pve_parse_vmconf(text, len, vm->file, now);
			pve_next_start(now, &vm->conf);
			strlcpy_(vm->cpu_now, now->cpu.type, sizeof(vm->cpu_now));
			vm->cpu_pending = now->pending && ((now->pend.set | now->pend.deleted) & (PVE_K_CPU | PVE_K_ARGS));
			free(now);
		}
		free(text);
		r->nvms++;
	}
	closedir(d);
}

static char *read_pve(const struct host_run *r, const char *rel, size_t *len)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s", r->pve_dir, rel);
	return read_file(path, CONF_MAX_BYTES, len);
}

static int count_confs(const struct host_run *r, const char *node)
{
	char dir[800];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%.600s/nodes/%.64s/qemu-server", r->pve_dir, node);
	if (!(d = opendir(dir)))
		return 0;
	while ((de = readdir(d)))
		n += conf_vmid(de->d_name) >= 0;
	closedir(d);
	return n;
}

/* The cluster's members: corosync.conf's nodelist (what corosync runs
 * with), else pmxcfs's .members nodelist; a .members without a nodelist
 * is a node on its own; with neither file (a copied tree) every folder
 * under nodes/ counts. .members also says which are online. */
static void load_members(struct host_run *r, char (*folders)[PVE_NODE_NAME_MAX], int nfolders)
{
	char names[HOST_NODES_MAX][PVE_NODE_NAME_MAX], err[200];
	struct host_cluster *cl = &r->cluster;
	struct jval *mem = NULL;
	const struct jval *list = NULL;
	size_t len;
	char *text;
	int n = -1;

	if ((text = read_pve(r, "corosync.conf", &len))) {
		n = pve_parse_corosync(text, len, names, HOST_NODES_MAX);
		free(text);
		cl->members = HOST_MEMBERS_COROSYNC;
	}
	if ((text = read_pve(r, ".members", &len))) {
		mem = json_parse(text, len, err, sizeof(err));
		free(text);
		if (!mem)
			str_append(r->problems, sizeof(r->problems), "; ", "%s/.members: %s", r->pve_dir, err);
		list = json_obj(mem, "nodelist");
	}
	if (n < 0 && list) {
		n = 0;
		for (size_t i = 0; i < json_len(list) && n < HOST_NODES_MAX; i++)
			if (strlen(json_key(list, i)) < PVE_NODE_NAME_MAX)
				strlcpy_(names[n++], json_key(list, i), PVE_NODE_NAME_MAX);
		cl->members = HOST_MEMBERS_MEMBERS;
	} else if (n < 0 && mem && *json_str(mem, "nodename", "")) {
		n = 1;
		snprintf(names[0], PVE_NODE_NAME_MAX, "%.63s", json_str(mem, "nodename", ""));
		cl->members = HOST_MEMBERS_STANDALONE;
	} else if (n < 0) {
		n = nfolders;
		for (int i = 0; i < n; i++)
			strlcpy_(names[i], folders[i], PVE_NODE_NAME_MAX);
		cl->members = HOST_MEMBERS_FOLDERS;
	}
	qsort(names, (size_t)n, sizeof(names[0]), cmp_name);
	for (int i = 0; i < n; i++) {
		struct host_node_ref *nd = &cl->nodes[i];
		const struct jval *m = json_get(list, names[i]);

		strlcpy_(nd->name, names[i], sizeof(nd->name));
		nd->online = m ? json_num(m, "online", 0) != 0 : -1;
		for (int k = 0; k < nfolders; k++)
			nd->folder |= !strcmp(folders[k], names[i]);
	}
	cl->nnodes = n;
	for (int k = 0; k < nfolders; k++) {
		bool member = false;

		for (int i = 0; i < n; i++)
			member |= !strcmp(folders[k], names[i]);
		if (member)
			continue;
		if (cl->nstale < (int)ARRAY_SIZE(cl->stale))
			strlcpy_(cl->stale[cl->nstale++], folders[k], sizeof(cl->stale[0]));
		cl->stale_vms += count_confs(r, folders[k]);
	}
	json_free(mem);
}

/* pvestatd's ballooning target: nodes/NODE/config's ballooning-target
 * (pve-manager PVE/Service/pvestatd.pm auto_ballooning, read since
 * 8.3.6, commit c5f0aec5), else 80%. */
static void load_node_config(struct host_run *r)
{
	char rel[200];
	size_t len;
	char *text;
	int t;

	r->balloon_target_pct = HOST_AUTOBALLOON_DEFAULT_PCT;
	snprintf(rel, sizeof(rel), "nodes/%s/config", r->node);
	if (!(text = read_pve(r, rel, &len)))
		return;
	t = pve_node_balloon_target(text, len, &r->balloon_target_bad);
	free(text);
	if (t >= 0) {
		r->balloon_target_set = true;
		r->balloon_target_pct = t;
	}
}

/* pve-manager's version from dpkg's status file below root: it says
 * whether ballooning-target is read at all. */
static void load_pve_manager(struct host_run *r)
{
	char path[600];
	char *text, *p;

	snprintf(path, sizeof(path), "%s/var/lib/dpkg/status", r->root);
	if (!(text = read_file(path, 64 << 20, NULL)))
		return;
	for (p = text; (p = strstr(p, "Package: pve-manager\n"));) {
		char *end = strstr(p, "\n\n"), *v = strstr(p, "\nVersion: ");

		if (v && (!end || v < end)) {
			v += 10;
			snprintf(r->pve_manager, sizeof(r->pve_manager), "%.*s", (int)strcspn(v, "\n"), v);
		}
		p += 1;
	}
	free(text);
}

int host_load_pve(struct host_run *r)
{
	char path[600], folders[HOST_NODES_MAX][PVE_NODE_NAME_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/virtual-guest/cpu-models.conf", r->pve_dir);
	{
		size_t len;
		char *text = read_file(path, CONF_MAX_BYTES, &len);

		r->have_models = text != NULL;
		if (text) {
			pve_parse_cpumodels(text, len, path, &r->models);
			free(text);
		}
	}
	snprintf(path, sizeof(path), "%s/nodes", r->pve_dir);
	if (!(d = opendir(path)))
		return -1;
	while ((de = readdir(d)) && n < HOST_NODES_MAX) {
		char sub[1024];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode) && strlen(de->d_name) < sizeof(folders[0]))
			strlcpy_(folders[n++], de->d_name, sizeof(folders[0]));
	}
	closedir(d);
	load_members(r, folders, n);
	for (int i = 0; i < r->cluster.nnodes; i++)
		if (r->cluster.nodes[i].folder)
			load_node_vms(r, r->cluster.nodes[i].name);
	qsort(r->vms, (size_t)r->nvms, sizeof(*r->vms), cmp_vm);
	load_node_config(r);
	load_pve_manager(r);
	return 0;
}

/* Applies +flag/-flag to a set. */
static extset apply_flags(extset s, const struct pve_cpu *c)
{
	for (int i = 0; i < c->nflags; i++) {
		const char *names[2];
		int n = pve_flag_exts(c->flags[i].name, names, 2);

		for (int k = 0; k < n; k++) {
			int bit = ext_index(names[k]);

			if (bit < 0)
				continue;
			if (c->flags[i].on)
				s |= 1ULL << bit;
			else
				s &= ~(1ULL << bit);
		}
	}
	return s;
}

/* A type name from the table, or its base model ("Haswell-noTSX-IBRS"). */
static extset table_set(const char *type, char *base, size_t size, bool *known)
{
	extset s = host_type_set(type, known);

	strlcpy_(base, type, size);
	if (!*known && strncmp(type, "x86-64", 6) != 0) {
		pve_model_base(type, base, size);
		s = host_type_set(base, known);
	}
	return s;
}

/* The CPU of the node that runs the VM, NULL while it is not known: then
 * nothing about the VM is judged against a CPU (not this node's either). */
const struct host_cpu *host_vm_node_cpu(const struct host_run *r, const struct host_vm *vm)
{
	for (int i = 0; i < r->cluster.nnodes; i++)
		if (r->cluster.nodes[i].have && !strcmp(r->cluster.nodes[i].name, vm->node))
			return &r->cluster.nodes[i].cpu;
	return NULL;
}

/* QEMU's -cpu MODEL,feat,... features: +f, -f, f=on|off, f (on); the
 * ones the report names change the set; "enforce" noted. */
static extset apply_qemu_features(extset s, const char *features, bool *enforce)
{
	*enforce = false;
	while (*features) {
		size_t len = strcspn(features, ",");
		char word[64], *eq;
		const char *name = word, *names[2];
		bool on = true;
		int n;

		snprintf(word, sizeof(word), "%.*s", (int)len, features);
		features += len + (features[len] == ',');
		if (!strcmp(word, "enforce")) {
			*enforce = true;
			continue;
		}
		if (word[0] == '+' || word[0] == '-') {
			on = word[0] == '+';
			name++;
		} else if ((eq = strchr(word, '='))) {
			*eq = 0;
			on = !strcmp(eq + 1, "on") || !strcmp(eq + 1, "true") || !strcmp(eq + 1, "yes");
		}
		n = pve_flag_exts(name, names, 2);
		for (int k = 0; k < n; k++) {
			int bit = ext_index(names[k]);

			if (bit >= 0)
				s = on ? s | 1ULL << bit : s & ~(1ULL << bit);
		}
	}
	return s;
}

static void flags_text(const struct pve_cpu *c, char *buf, size_t size);

/* An args -cpu's features as a PVE flag list, only those QEMU names. */
static void qemu_features_text(const char *features, char *buf, size_t size)
{
	while (*features) {
		size_t len = strcspn(features, ",");
		char word[64], *eq;
		const char *name = word;
		bool on = true;

		snprintf(word, sizeof(word), "%.*s", (int)len, features);
		features += len + (features[len] == ',');
		if (word[0] == '+' || word[0] == '-') {
			on = word[0] == '+';
			name++;
		} else if ((eq = strchr(word, '='))) {
			*eq = 0;
			on = !strcmp(eq + 1, "on") || !strcmp(eq + 1, "true") || !strcmp(eq + 1, "yes");
		}
		if (qm_feature(QM_QEMU_7_2, name) || qm_feature(QM_QEMU_10_0, name))
			str_append(buf, size, ";", "%c%s", on ? '+' : '-', name);
	}
}

void host_vm_features(struct host_run *r, struct host_vm *vm)
{
	const struct pve_cpu *c = &vm->conf.cpu;
	const struct host_cpu *nc = host_vm_node_cpu(r, vm);
	const char *features = "";
	extset s = 0;

	vm->node_known = nc != NULL;
	vm->passthrough = vm->conf.hostpci != 0;
	vm->runs = !vm->conf.template_ && !vm->conf.hibernated;
	vm->type_known = false;
	vm->type = c->type;
	vm->args_cpu = pve_args_cpu(vm->conf.args, vm->args_value, sizeof(vm->args_value), vm->args_rest,
				    sizeof(vm->args_rest));
	if (vm->args_cpu) {
		size_t n = strcspn(vm->args_value, ",");

		snprintf(vm->args_model, sizeof(vm->args_model), "%.*s", (int)n, vm->args_value);
		features = vm->args_value + n + (vm->args_value[n] == ',');
		vm->type = vm->args_model;
	}
	vm->host_type = !strcmp(vm->type, "host") || !strcmp(vm->type, "max");
	if (vm->host_type) {
		/* host passes the node's CPU through: whatever node runs it */
		s = nc ? nc->ok : 0;
		vm->type_known = nc != NULL;
		strlcpy_(vm->base, vm->type, sizeof(vm->base));
	} else if (vm->args_cpu) {
		s = table_set(vm->type, vm->base, sizeof(vm->base), &vm->type_known);
	} else if (!strncmp(c->type, "custom-", 7)) {
		const struct pve_cpumodel *m = pve_cpumodel_find(&r->models, c->type);

		if (m) {
			s = table_set(m->cpu.reported_model, vm->base, sizeof(vm->base), &vm->type_known);
			s = apply_flags(s, &m->cpu);
		}
	} else {
		s = table_set(c->type, vm->base, sizeof(vm->base), &vm->type_known);
	}
	/* PVE's own flags do not reach an args -cpu: QEMU keeps the last */
	s = vm->args_cpu ? apply_qemu_features(s, features, &vm->args_enforce) : apply_flags(s, c);
	vm->set = s;
	/* the psABI levels are the extensions' own: any node's table will do */
	vm->level = vm->type_known ? host_set_level(nc ? nc : &r->cpu, s) : 0;
	vm->lacks = nc && vm->type_known ? nc->ok & ~s : 0;
	vm->beyond = nc && vm->type_known ? s & nc->tested & ~nc->ok : 0;
	for (int q = 0; q < QM_NQEMU; q++)
		vm->qemu_known |= qm_find((enum qm_qemu)q, vm->args_cpu ? vm->type : c->type) != NULL;
	/* QEMU with the enforce PVE adds (an args -cpu has it only if it
	 * says so): does the type start on the node that runs it? */
	vm->refused = nc && !vm->host_type && (vm->type_known || vm->qemu_known) &&
		      !host_vm_runs_on(r, vm, nc, vm->refused_why, sizeof(vm->refused_why));
}

bool host_vm_runs_on(const struct host_run *r, const struct host_vm *vm, const struct host_cpu *cpu, char *why,
		     size_t whylen)
{
	char extra[600] = "";

	if (why)
		why[0] = 0;
	if (!cpu || !cpu->known)
		return false;
	if (vm->host_type || (vm->args_cpu && !vm->args_enforce))
		return true; /* no model, or no enforce: QEMU starts it and drops what is missing */
	if (vm->args_cpu) {
		const char *comma = strchr(vm->args_value, ',');

		qemu_features_text(comma ? comma + 1 : "", extra, sizeof(extra));
	} else {
		flags_text(&vm->conf.cpu, extra, sizeof(extra));
	}
	return host_cpu_runs(r, cpu, vm->args_cpu ? vm->type : vm->conf.cpu.type, extra, why, whylen);
}

/* "+aes;-pcid" applied to a set. */
static extset apply_flag_text(extset s, const char *flags)
{
	while (flags && *flags) {
		size_t len = strcspn(flags, ";");
		char name[40];
		const char *names[2];
		int n;

		snprintf(name, sizeof(name), "%.*s", (int)(len > 1 ? len - 1 : 0), flags + 1);
		n = len > 1 && (flags[0] == '+' || flags[0] == '-') ? pve_flag_exts(name, names, 2) : 0;
		for (int k = 0; k < n; k++) {
			int bit = ext_index(names[k]);

			if (bit >= 0)
				s = flags[0] == '+' ? s | 1ULL << bit : s & ~(1ULL << bit);
		}
		flags += len;
		flags += *flags == ';';
	}
	return s;
}

static void flags_text(const struct pve_cpu *c, char *buf, size_t size)
{
	for (int i = 0; i < c->nflags; i++)
		str_append(buf, size, ";", "%c%s", c->flags[i].on ? '+' : '-', c->flags[i].name);
}

static const char *vendor_word(const char *v)
{
	return !strcmp(v, "GenuineIntel") ? "Intel" : !strcmp(v, "AuthenticAMD") ? "AMD" : v;
}

bool host_cpu_runs(const struct host_run *r, const struct host_cpu *cpu, const char *type, const char *extra,
		   char *why, size_t whylen)
{
	char model[PVE_NAME_MAX], flags[600] = "", base[PVE_NAME_MAX], dummy[8];
	const struct pve_type *t;
	bool known;
	extset s;

	if (!why) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	why[0] = 0;
	if (!cpu || !cpu->known)
		return false;
	if (!strcmp(type, "host") || !strcmp(type, "max"))
		return true; /* no model, no enforce */
	strlcpy_(model, type, sizeof(model));
	if (!strncmp(type, "custom-", 7)) {
		const struct pve_cpumodel *m = pve_cpumodel_find(&r->models, type);

		if (!m) {
			snprintf(why, whylen, "cpu-models.conf defines no %s", type);
			return false;
		}
		strlcpy_(model, m->cpu.reported_model, sizeof(model));
		flags_text(&m->cpu, flags, sizeof(flags));
	}
	if (extra && *extra)
		str_append(flags, sizeof(flags), ";", "%s", extra);
	/* what the node executes, by the report's extensions */
	s = apply_flag_text(table_set(model, base, sizeof(base), &known), flags);
	t = known ? pve_type_find(base) : NULL;
	if (t && !pve_vendor_fits(t->vendor, cpu->vendor)) {
		snprintf(why, whylen, "%s is an %s model, the node's CPU is %s", model,
			 t->vendor == PVE_INTEL ? "Intel" : "AMD", vendor_word(cpu->vendor));
		return false;
	}
	if (known && (s & cpu->tested & ~cpu->ok)) {
		for (int i = 0; i < ext_count(); i++)
			if ((s & cpu->tested & ~cpu->ok) & (1ULL << i))
				str_append(why, whylen, " ", "%s", ext_name(i));
		str_append(why, whylen, "", ": %s", "not executed on the node");
		return false;
	}
	/* QEMU's own model, with the enforce PVE adds: on the node's QEMUs,
	 * and only where none of their tables has the model on the other
	 * (EPYC-Genoa came with QEMU 8.1, after 7.2; PVE 8's own builds are
	 * newer than 7.2 and have it) */
	if (cpu->have_dump) {
		enum qm_qemu order[QM_NQEMU];
		int n = 0, judged = 0;

		for (int i = 0; i < r->nqemu; i++)
			order[n++] = (enum qm_qemu)r->qemus[i];
		for (int q = 0; q < QM_NQEMU; q++) {
			bool have = false;

			for (int i = 0; i < r->nqemu; i++)
				have |= r->qemus[i] == q;
			if (!have)
				order[n++] = (enum qm_qemu)q;
		}
		for (int i = 0; i < n && !(i >= r->nqemu && judged); i++) {
			struct qm_verdict v;
			bool ok = qm_pve_starts(order[i], model, flags, &cpu->dump, &v);

			if (!v.known)
				continue;
			judged++;
			if (!ok) {
				char words[240];

				qm_verdict_describe(&v, words, sizeof(words));
				snprintf(why, whylen, "QEMU %s with enforce: host doesn't support requested feature: %s",
					 qm_qemu_name(order[i]), words);
				return false;
			}
			if (!v.vendor_matches) {
				snprintf(why, whylen, "%s is a model of another vendor than the node's %s", model,
					 vendor_word(cpu->vendor));
				return false;
			}
		}
		if (!judged) {
			snprintf(why, whylen, "no QEMU model %s", model);
			return false;
		}
	}
	if (!known && !cpu->have_dump)
		snprintf(why, whylen, "%s is not in vmtriage's table and the node's CPUID is not known", model);
	return known || cpu->have_dump;
}

int host_cpu_safe(const struct host_run *r, const struct host_cpu *cpu)
{
	int safe = -1;

	for (int i = 0; cpu && i < pve_ntypes; i++)
		if (pve_types[i].kind == PVE_GENERIC && host_cpu_runs(r, cpu, pve_types[i].name, NULL, NULL, 0))
			safe = i;
	return safe;
}

/* The richest generic type (the table lists them poorest first) every
 * node with a known CPU runs. */
void host_cluster_safe(const struct host_run *r, struct host_cluster *cl)
{
	cl->safe = -1;
	cl->known = 0;
	for (int n = 0; n < cl->nnodes; n++)
		cl->known += cl->nodes[n].have;
	if (!cl->known)
		return;
	for (int i = 0; i < pve_ntypes; i++) {
		bool all = true;

		if (pve_types[i].kind != PVE_GENERIC)
			continue;
		for (int n = 0; n < cl->nnodes; n++)
			if (cl->nodes[n].have && !host_cpu_runs(r, &cl->nodes[n].cpu, pve_types[i].name, NULL, NULL, 0))
				all = false;
		if (all)
			cl->safe = i;
	}
}

/* Whether every node with a known CPU offers the same set: then host is
 * as migratable as any type. */
bool host_cluster_uniform(const struct host_cluster *cl)
{
	const struct host_cpu *first = NULL;

	for (int n = 0; n < cl->nnodes; n++) {
		if (!cl->nodes[n].have)
			return false;
		if (!first)
			first = &cl->nodes[n].cpu;
		else if (first->ok != cl->nodes[n].cpu.ok || strcmp(first->vendor, cl->nodes[n].cpu.vendor) != 0)
			return false;
	}
	return first != NULL;
}

/* Types of the table and the custom models this node runs: host_cpu_runs
 * for each. */
int host_runnable_types(const struct host_run *r, const char **out, int max)
{
	int n = 0;

	for (int i = 0; i < pve_ntypes && n < max; i++)
		if (host_cpu_runs(r, &r->cpu, pve_types[i].name, NULL, NULL, 0))
			out[n++] = pve_types[i].name;
	for (int i = 0; i < r->models.n && n < max; i++)
		if (host_cpu_runs(r, &r->cpu, r->models.m[i].cpu.type, NULL, NULL, 0))
			out[n++] = r->models.m[i].cpu.type;
	return n;
}
