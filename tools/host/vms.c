/* Every VM config of the cluster (PVE_DIR/nodes/NODE/qemu-server/VMID.conf:
 * pmxcfs shows every node's VMs on every node), the custom CPU models, and
 * what each VM's CPU type gives its guest on this node. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host/hostrun.h"
#include "lib/pvetypes.h"
#include "lib/util.h"

/* A config is a few KiB; pmxcfs refuses files of more than 1 MiB anyway. */
#define CONF_MAX_BYTES (1 << 20)

static int cmp_vm(const void *a, const void *b)
{
	const struct host_vm *x = a, *y = b;

	return x->vmid - y->vmid;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
		pve_parse_vmconf(text, len, vm->file, &vm->conf);
		free(text);
		r->nvms++;
	}
	closedir(d);
}

int host_load_pve(struct host_run *r)
{
	char path[600], *names[HOST_NODES_MAX];
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
		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode) && strlen(de->d_name) < sizeof(r->cluster.nodes[0].name))
			names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n; i++) {
		strlcpy_(r->cluster.nodes[i].name, names[i], sizeof(r->cluster.nodes[i].name));
		load_node_vms(r, names[i]);
		free(names[i]);
	}
	r->cluster.nnodes = n;
	qsort(r->vms, (size_t)r->nvms, sizeof(*r->vms), cmp_vm);
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

/* The CPU of the node that runs the VM when known, else this node's. */
const struct host_cpu *host_vm_node_cpu(const struct host_run *r, const struct host_vm *vm)
{
	for (int i = 0; i < r->cluster.nnodes; i++)
		if (r->cluster.nodes[i].have && !strcmp(r->cluster.nodes[i].name, vm->node))
			return &r->cluster.nodes[i].cpu;
	return &r->cpu;
}

void host_vm_features(struct host_run *r, struct host_vm *vm)
{
	const struct pve_cpu *c = &vm->conf.cpu;
	const struct host_cpu *nc = host_vm_node_cpu(r, vm);
	extset s = 0;

	vm->type_known = false;
	vm->host_type = !strcmp(c->type, "host") || !strcmp(c->type, "max");
	if (vm->host_type) {
		/* host passes the node's CPU through: whatever node runs it */
		s = nc->ok;
		vm->type_known = nc->known;
		strlcpy_(vm->base, c->type, sizeof(vm->base));
	} else if (!strncmp(c->type, "custom-", 7)) {
		const struct pve_cpumodel *m = pve_cpumodel_find(&r->models, c->type);

		if (m) {
			s = table_set(m->cpu.reported_model, vm->base, sizeof(vm->base), &vm->type_known);
			s = apply_flags(s, &m->cpu);
		}
	} else {
		s = table_set(c->type, vm->base, sizeof(vm->base), &vm->type_known);
	}
	s = apply_flags(s, c);
	vm->set = s;
	vm->level = vm->type_known ? host_set_level(nc, s) : 0;
	vm->lacks = nc->known && vm->type_known ? nc->ok & ~s : 0;
	vm->beyond = nc->known && vm->type_known ? s & ~nc->ok : 0;
}

/* The richest generic type (the table lists them poorest first) whose
 * extensions every node with a known CPU executes. */
void host_cluster_safe(struct host_cluster *cl)
{
	cl->safe = -1;
	cl->known = 0;
	for (int n = 0; n < cl->nnodes; n++)
		cl->known += cl->nodes[n].have;
	if (!cl->known)
		return;
	for (int i = 0; i < pve_ntypes; i++) {
		bool all = true, known;
		extset s;

		if (pve_types[i].kind != PVE_GENERIC)
			continue;
		s = host_type_set(pve_types[i].name, &known);
		for (int n = 0; n < cl->nnodes; n++)
			if (cl->nodes[n].have && (s & ~cl->nodes[n].cpu.ok))
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

/* Types of the table and custom models this node runs: vendor fits and
 * every extension advertised and executing. */
int host_runnable_types(const struct host_run *r, const char **out, int max)
{
	int n = 0;

	for (int i = 0; i < pve_ntypes && n < max; i++) {
		bool known;
		extset s = host_type_set(pve_types[i].name, &known);

		if (r->cpu.known && pve_vendor_fits(pve_types[i].vendor, r->cpu.vendor) && !(s & ~r->cpu.ok))
			out[n++] = pve_types[i].name;
	}
	for (int i = 0; i < r->models.n && n < max; i++) {
		const struct pve_cpumodel *m = &r->models.m[i];
		const struct pve_type *t = pve_type_find(m->cpu.reported_model);
		char base[PVE_NAME_MAX];
		bool known;
		extset s = apply_flags(table_set(m->cpu.reported_model, base, sizeof(base), &known), &m->cpu);

		if (r->cpu.known && known && (!t || pve_vendor_fits(t->vendor, r->cpu.vendor)) && !(s & ~r->cpu.ok))
			out[n++] = m->cpu.type;
	}
	return n;
}
