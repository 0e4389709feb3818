/* The node's own state: cpuidle, cpufreq and the kernel command line from
 * sysfs and procfs below a root directory; memory and KSM; what its CPU
 * executes, from `triage isa`'s JSON; extension sets by name. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "lib/procfs.h"
#include "lib/pvetypes.h"
#include "lib/util.h"

#define CPU_DIR "sys/devices/system/cpu"

static int read_str(const char *root, const char *rel, char *buf, size_t size)
{
	buf[0] = 0;
	if (read_line_at(buf, size, "%s/%s", root, rel) < 0) {
		buf[0] = 0;
		return -1;
	}
	trim(buf);
	return 0;
}

/* "cpu12" -> 12, else -1 */
static int cpu_number(const char *name)
{
	long long n;

	if (strncmp(name, "cpu", 3) != 0 || parse_ll(name + 3, &n) < 0 || n < 0)
		return -1;
	return (int)n;
}

static void cmdline_value(const char *cmdline, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);

	out[0] = 0;
	for (const char *p = cmdline; *p;) {
		size_t len;

		p += strspn(p, " \t\n");
		len = strcspn(p, " \t\n");
		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=') /* the last one counts, as in the kernel */
			snprintf(out, size, "%.*s", (int)(len - klen - 1), p + klen + 1);
		p += len;
	}
}

int host_read_idle(const char *root, struct host_idle *idle)
{
	char path[600], buf[4096];
	struct dirent *de;
	DIR *d;

	memset(idle, 0, sizeof(*idle));
	read_str(root, CPU_DIR "/cpuidle/current_driver", idle->driver, sizeof(idle->driver));
	if (read_str(root, CPU_DIR "/cpuidle/current_governor_ro", idle->governor, sizeof(idle->governor)) < 0)
		read_str(root, CPU_DIR "/cpuidle/current_governor", idle->governor, sizeof(idle->governor));
	read_str(root, "sys/module/intel_idle/parameters/max_cstate", idle->intel_max_cstate,
		 sizeof(idle->intel_max_cstate));
	if (read_str(root, "proc/cmdline", buf, sizeof(buf)) == 0) {
		cmdline_value(buf, "intel_idle.max_cstate", idle->cmd_intel_max_cstate, sizeof(idle->cmd_intel_max_cstate));
		cmdline_value(buf, "processor.max_cstate", idle->cmd_processor_max_cstate,
			      sizeof(idle->cmd_processor_max_cstate));
		cmdline_value(buf, "idle", idle->cmd_idle, sizeof(idle->cmd_idle));
	}
	read_str(root, CPU_DIR "/cpu0/cpufreq/scaling_driver", idle->freq_driver, sizeof(idle->freq_driver));
	read_str(root, CPU_DIR "/cpu0/cpufreq/scaling_governor", idle->freq_governor, sizeof(idle->freq_governor));
	read_str(root, CPU_DIR "/cpu0/cpufreq/energy_performance_preference", idle->epp, sizeof(idle->epp));

	snprintf(path, sizeof(path), "%s/" CPU_DIR, root);
	if (!(d = opendir(path)))
		return -1;
	while ((de = readdir(d))) {
		int cpu = cpu_number(de->d_name);
		bool any = false;

		if (cpu < 0)
			continue;
		for (int s = 0; s < HOST_CSTATES_MAX; s++) {
			struct host_cstate *st = &idle->st[s];
			char name[32];
			long long v;

			if (read_line_at(name, sizeof(name), "%s/" CPU_DIR "/%s/cpuidle/state%d/name", root, de->d_name,
					 s) < 0)
				break;
			any = true;
			if (s >= idle->nstates) { /* first seen: the state's fixed facts */
				idle->nstates = s + 1;
				strlcpy_(st->name, trim(name), sizeof(st->name));
				read_line_at(st->desc, sizeof(st->desc), "%s/" CPU_DIR "/%s/cpuidle/state%d/desc", root,
					     de->d_name, s);
				st->latency_us = read_ll_at(&v, "%s/" CPU_DIR "/%s/cpuidle/state%d/latency", root,
							    de->d_name, s) == 0 ? v : -1;
				st->residency_us = read_ll_at(&v, "%s/" CPU_DIR "/%s/cpuidle/state%d/residency", root,
							      de->d_name, s) == 0 ? v : -1;
			}
			if (read_ll_at(&v, "%s/" CPU_DIR "/%s/cpuidle/state%d/usage", root, de->d_name, s) == 0)
				st->usage += v;
			if (read_ll_at(&v, "%s/" CPU_DIR "/%s/cpuidle/state%d/time", root, de->d_name, s) == 0)
				st->time_us += v;
			if (read_ll_at(&v, "%s/" CPU_DIR "/%s/cpuidle/state%d/disable", root, de->d_name, s) == 0 && v)
				st->disabled_cpus++;
		}
		idle->ncpus += any;
	}
	closedir(d);
	return idle->driver[0] || idle->nstates ? 0 : -1;
}

long long host_idle_deepest_us(const struct host_idle *idle, int *index)
{
	long long best = -1;

	if (index)
		*index = -1;
	for (int i = 0; i < idle->nstates; i++)
		if (idle->st[i].disabled_cpus < idle->ncpus && idle->st[i].latency_us > best) {
			best = idle->st[i].latency_us;
			if (index)
				*index = i;
		}
	return best;
}

static bool is_poll(const struct host_cstate *st) { return !strcmp(st->name, "POLL"); }

void host_cstate_advice(const struct host_idle *id, long long limit_us, struct host_cstate_advice *a)
{
	unsigned mask = 0;
	int kept_real = 0, leading = 0;
	bool deep_seen = false;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < id->nstates; i++) {
		const struct host_cstate *st = &id->st[i];

		if (st->latency_us >= limit_us) {
			mask |= 1u << i;
			deep_seen = true;
			continue;
		}
		str_append(a->kept, sizeof(a->kept), " ", "%s", st->name);
		kept_real += !is_poll(st);
		leading += !is_poll(st) && !deep_seen;
	}
	a->poll_only = kept_real == 0;
	snprintf(a->runtime, sizeof(a->runtime), "cpupower idle-set -D %lld", limit_us);
	if (!strcmp(id->driver, "intel_idle") && mask)
		snprintf(a->param, sizeof(a->param), "intel_idle.states_off=%u", mask);
	else if (!strcmp(id->driver, "acpi_idle") && leading > 0)
		/* the ACPI C-states C1..CN, numbered after POLL */
		snprintf(a->param, sizeof(a->param), "processor.max_cstate=%d", leading);
}

bool host_idle_poll_only(const struct host_idle *id)
{
	bool poll = false;

	for (int i = 0; i < id->nstates; i++) {
		if (is_poll(&id->st[i]))
			poll = true;
		else if (id->st[i].disabled_cpus < id->ncpus)
			return false;
	}
	return poll;
}

int host_read_mem(const char *root, struct host_mem *m)
{
	struct meminfo mi;
	char path[600];
	char *text;
	long long v;

	m->total_kib = m->available_kib = m->swap_total_kib = m->swap_free_kib = -1;
	m->ksm_run = m->ksm_pages_sharing = m->ksm_pages_shared = -1;
	m->page_size = 4096; /* x86-64: KSM counts base pages */
	if (read_ll_at(&v, "%s/sys/kernel/mm/ksm/run", root) == 0)
		m->ksm_run = v;
	if (read_ll_at(&v, "%s/sys/kernel/mm/ksm/pages_sharing", root) == 0)
		m->ksm_pages_sharing = v;
	if (read_ll_at(&v, "%s/sys/kernel/mm/ksm/pages_shared", root) == 0)
		m->ksm_pages_shared = v;
	/* below root, so lib's parser on the text rather than meminfo_read() */
	snprintf(path, sizeof(path), "%s/proc/meminfo", root);
	text = read_file(path, 1 << 20, NULL);
	if (!text || meminfo_parse(text, &mi) < 0) {
		free(text);
		return -1;
	}
	free(text);
	m->total_kib = mi.total_kib;
	m->available_kib = mi.avail_kib;
	if (mi.has_swap) {
		m->swap_total_kib = mi.swap_total_kib;
		m->swap_free_kib = mi.swap_free_kib;
	}
	return m->total_kib > 0 ? 0 : -1;
}

/* ---- extension sets ---- */

static char ext_names[64][32];
static int next_count;

int ext_index(const char *name)
{
	for (int i = 0; i < next_count; i++)
		if (!strcmp(ext_names[i], name))
			return i;
	if (next_count >= 64 || strlen(name) >= sizeof(ext_names[0]))
		return -1;
	strlcpy_(ext_names[next_count], name, sizeof(ext_names[0]));
	return next_count++;
}

const char *ext_name(int i) { return i >= 0 && i < next_count ? ext_names[i] : "?"; }

int ext_count(void) { return next_count; }

extset ext_parse_list(const char *s)
{
	extset set = 0;

	while (*s) {
		size_t len = strcspn(s, " ");
		char name[32];
		int i;

		if (len && len < sizeof(name)) {
			memcpy(name, s, len);
			name[len] = 0;
			if ((i = ext_index(name)) >= 0)
				set |= 1ULL << i;
		}
		s += len;
		s += strspn(s, " ");
	}
	return set;
}

extset host_type_set(const char *name, bool *known)
{
	const struct pve_type *t = name ? pve_type_find(name) : NULL;

	*known = t != NULL;
	return t ? ext_parse_list(pve_type_features(t)) : 0;
}

int host_level_value(double v)
{
	return v >= 1 && v <= 4 ? (int)v : 0; /* a hostile 1e30 never reaches the cast */
}

int host_cpu_from_isa(const struct jval *isa, struct host_cpu *cpu)
{
	const struct jval *ex = json_arr(json_obj(isa, "data"), "extensions"), *id = json_path(isa, "data.identification");

	memset(cpu, 0, sizeof(*cpu));
	if (!json_len(ex))
		return -1;
	strlcpy_(cpu->vendor, json_str(id, "vendor", ""), sizeof(cpu->vendor));
	strlcpy_(cpu->brand, json_str(id, "brand", ""), sizeof(cpu->brand));
	for (size_t i = 0; i < json_len(ex); i++) {
		const struct jval *e = json_at(ex, i);
		const char *name = json_str(e, "name", NULL);
		int k = name ? ext_index(name) : -1;

		if (k < 0)
			continue;
		cpu->ext_level[k] = host_level_value(json_num(e, "level", 0));
		cpu->tested |= 1ULL << k;
		if (!strcmp(json_str(e, "state", ""), "ok"))
			cpu->ok |= 1ULL << k;
	}
	cpu->known = true;
	cpu->level = host_set_level(cpu, cpu->ok);
	return 0;
}

int host_set_level(const struct host_cpu *cpu, extset s)
{
	extset need[5] = { 0 };
	bool from_isa = false;
	int level = 0;

	for (int i = 0; cpu && i < ext_count(); i++)
		if (cpu->ext_level[i] >= 1 && cpu->ext_level[i] <= 4) {
			from_isa = true;
			for (int l = cpu->ext_level[i]; l <= 4; l++)
				need[l] |= 1ULL << i;
		}
	if (!from_isa) {
		/* no isa table: the PVE generic types without the AES PVE adds
		 * (pve-cpu-types.def); v1 is SSE2 */
		bool known;
		int aes = ext_index("aes");
		extset no_aes = aes >= 0 ? ~(1ULL << aes) : ~0ULL;

		need[1] = ext_parse_list("sse2");
		need[2] = need[1] | host_type_set("x86-64-v2", &known);
		need[3] = need[2] | (host_type_set("x86-64-v3", &known) & no_aes);
		need[4] = need[3] | (host_type_set("x86-64-v4", &known) & no_aes);
	}
	for (int l = 1; l <= 4; l++)
		if ((s & need[l]) == need[l])
			level = l;
		else
			break;
	return level;
}
