/* triage sysinfo: the facts about the machine the checks ran on.
 *
 * DMI identity, the hypervisor by CPUID and DMI, the kernel, CPUs and their
 * topology, memory, cpuidle and cpufreq state, the clocksource and whether a
 * virtio balloon is present. Read-only; needs no privileges beyond reading
 * sysfs (some DMI fields are root-only and are then null). */
#include "sysinfo/sysinfo.h"

#include <cpuid.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/check.h"
#include "lib/hypervisor.h"
#include "lib/procfs.h"
#include "lib/util.h"

#define MAX_CPUS 4096

enum { O_OUTPUT, O_HELP };

const struct opt sysinfo_opts[] = {
	[O_OUTPUT] = { "output", 'o', OPT_STR, "FILE", "write the JSON to FILE, not stdout", 0, 0 },
	[O_HELP] = { "help", 'h', OPT_FLAG, NULL, "show this help", 0, 0 },
	{ 0 },
};

static void sysfs_str(struct jw *w, const char *key, const char *path)
{
	char buf[256];

	if (read_line(path, buf, sizeof(buf)) == 0)
		jw_str(w, key, trim(buf));
	else
		jw_null(w, key);
}

static void sysfs_int(struct jw *w, const char *key, const char *path)
{
	long long v;

	if (read_ll(path, &v) == 0)
		jw_int(w, key, v);
	else
		jw_null(w, key);
}

static void write_dmi(struct jw *w)
{
	static const char *const fields[] = {
		"sys_vendor", "product_name", "product_version", "product_family", "board_vendor",
		"board_name", "bios_vendor", "bios_version", "bios_date", "chassis_type",
	};

	jw_obj(w, "dmi");
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		char path[128];

		snprintf(path, sizeof(path), "/sys/class/dmi/id/%s", fields[i]);
		sysfs_str(w, fields[i], path);
	}
	jw_obj_end(w);
}

static void write_hypervisor(struct jw *w)
{
	struct hypervisor h;

	hypervisor_detect(&h);
	jw_obj(w, "hypervisor");
	jw_bool(w, "vm", h.vm);
	jw_bool(w, "cpuid_bit", h.cpuid_bit);
	jw_str(w, "cpuid_signature", h.cpuid_bit ? h.sig : NULL);
	jw_str(w, "cpuid_signature_2", h.sig2[0] ? h.sig2 : NULL);
	jw_str(w, "name", h.name);
	jw_str(w, "dmi_hint", h.dmi_hint);
	jw_obj_end(w);
}

static void write_kernel(struct jw *w)
{
	struct utsname u;
	char *cmdline = read_file("/proc/cmdline", 4096, NULL);

	jw_obj(w, "kernel");
	if (uname(&u) == 0) {
		jw_str(w, "release", u.release);
		jw_str(w, "version", u.version);
		jw_str(w, "machine", u.machine);
	}
	jw_str(w, "cmdline", cmdline ? trim(cmdline) : NULL);
	free(cmdline);
	jw_obj_end(w);
}

static void cpu_brand(char brand[49])
{
	unsigned regs[12], max, b, c, d;

	__cpuid(0x80000000, max, b, c, d);
	brand[0] = '\0';
	if (max < 0x80000004)
		return;
	for (unsigned i = 0; i < 3; i++)
		__cpuid(0x80000002 + i, regs[i * 4], regs[i * 4 + 1], regs[i * 4 + 2], regs[i * 4 + 3]);
	memcpy(brand, regs, 48);
	brand[48] = '\0';
	memmove(brand, trim(brand), strlen(trim(brand)) + 1);
}

static void write_cpus(struct jw *w)
{
	static uint8_t online[MAX_CPUS];
	unsigned a, b, c, d, family, model;
	char vendor[13], brand[49], buf[256];
	int n = -1, packages = 0, cores = 0, max_pkg = -1;

	__cpuid(0, a, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = '\0';
	__cpuid(1, a, b, c, d);
	family = (a >> 8) & 0xf;
	model = (a >> 4) & 0xf;
	if (family == 0xf)
		family += (a >> 20) & 0xff;
	if (family >= 6)
		model |= ((a >> 16) & 0xf) << 4;
	cpu_brand(brand);

	jw_obj(w, "cpu");
	jw_str(w, "vendor", vendor);
	jw_str(w, "brand", brand);
	jw_int(w, "family", family);
	jw_int(w, "model", model);
	jw_int(w, "stepping", a & 0xf);
	if (read_line("/sys/devices/system/cpu/online", buf, sizeof(buf)) == 0)
		n = parse_cpulist(buf, online, MAX_CPUS);
	jw_int(w, "online", n);
	if (read_line("/sys/devices/system/cpu/possible", buf, sizeof(buf)) == 0) {
		static uint8_t possible[MAX_CPUS];

		jw_int(w, "possible", parse_cpulist(buf, possible, MAX_CPUS));
	}
	/* Topology: count distinct packages, and cores as (package, core) pairs. */
	jw_arr(w, "topology");
	for (int cpu = 0; n > 0 && cpu < MAX_CPUS; cpu++) {
		long long pkg, core;

		if (!online[cpu])
			continue;
		if (read_ll_at(&pkg, "/sys/devices/system/cpu/cpu%d/topology/physical_package_id", cpu) < 0 ||
		    read_ll_at(&core, "/sys/devices/system/cpu/cpu%d/topology/core_id", cpu) < 0)
			continue;
		jw_obj(w, NULL);
		jw_int(w, "cpu", cpu);
		jw_int(w, "package", pkg);
		jw_int(w, "core", core);
		jw_obj_end(w);
		if (pkg > max_pkg) {
			max_pkg = (int)pkg;
			packages++;
		}
		if (read_line_at(buf, sizeof(buf), "/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", cpu) == 0) {
			uint8_t sib[256];

			/* Count a core once: at its first sibling. */
			if (parse_cpulist(buf, sib, (int)sizeof(sib)) > 0) {
				int first = 0;

				while (first < (int)sizeof(sib) && !sib[first])
					first++;
				if (first == cpu)
					cores++;
			}
		}
	}
	jw_arr_end(w);
	jw_int(w, "packages", packages);
	jw_int(w, "cores", cores);
	jw_obj_end(w);
}

static void kib_or_null(struct jw *w, const char *key, bool known, int64_t v)
{
	if (known)
		jw_int(w, key, v);
	else
		jw_null(w, key);
}

static void write_memory(struct jw *w)
{
	struct meminfo mi;
	bool ok = meminfo_read(&mi) == 0;

	jw_obj(w, "memory");
	kib_or_null(w, "MemTotal_kib", ok, mi.total_kib);
	kib_or_null(w, "MemFree_kib", ok, mi.free_kib);
	kib_or_null(w, "MemAvailable_kib", ok && mi.has_avail, mi.avail_kib);
	kib_or_null(w, "SwapTotal_kib", ok && mi.has_swap, mi.swap_total_kib);
	kib_or_null(w, "SwapFree_kib", ok && mi.has_swap, mi.swap_free_kib);
	kib_or_null(w, "HugePages_Total", ok && mi.has_hugepages, mi.hugepages_total);
	jw_bool(w, "psi", access("/proc/pressure/memory", R_OK) == 0);
	jw_obj_end(w);
}

static void write_cpuidle(struct jw *w)
{
	jw_obj(w, "cpuidle");
	sysfs_str(w, "driver", "/sys/devices/system/cpu/cpuidle/current_driver");
	if (access("/sys/devices/system/cpu/cpuidle/current_governor", R_OK) == 0)
		sysfs_str(w, "governor", "/sys/devices/system/cpu/cpuidle/current_governor");
	else
		sysfs_str(w, "governor", "/sys/devices/system/cpu/cpuidle/current_governor_ro");
	/* States are per CPU but the same on every CPU in practice; cpu0's. */
	jw_arr(w, "states");
	for (int s = 0; s < 16; s++) {
		char dir[96], path[128];

		snprintf(dir, sizeof(dir), "/sys/devices/system/cpu/cpu0/cpuidle/state%d", s);
		if (access(dir, R_OK) != 0)
			break;
		jw_obj(w, NULL);
		snprintf(path, sizeof(path), "%s/name", dir);
		sysfs_str(w, "name", path);
		snprintf(path, sizeof(path), "%s/desc", dir);
		sysfs_str(w, "desc", path);
		snprintf(path, sizeof(path), "%s/latency", dir);
		sysfs_int(w, "latency_us", path);
		snprintf(path, sizeof(path), "%s/residency", dir);
		sysfs_int(w, "residency_us", path);
		snprintf(path, sizeof(path), "%s/disable", dir);
		sysfs_int(w, "disabled", path);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	sysfs_int(w, "max_cstate_intel_idle", "/sys/module/intel_idle/parameters/max_cstate");
	jw_obj_end(w);
}

static void write_cpufreq(struct jw *w)
{
	const char *d = "/sys/devices/system/cpu/cpu0/cpufreq";
	char path[128];

	jw_obj(w, "cpufreq");
	snprintf(path, sizeof(path), "%s/scaling_driver", d);
	sysfs_str(w, "driver", path);
	snprintf(path, sizeof(path), "%s/scaling_governor", d);
	sysfs_str(w, "governor", path);
	snprintf(path, sizeof(path), "%s/energy_performance_preference", d);
	sysfs_str(w, "energy_performance_preference", path);
	snprintf(path, sizeof(path), "%s/cpuinfo_min_freq", d);
	sysfs_int(w, "min_khz", path);
	snprintf(path, sizeof(path), "%s/cpuinfo_max_freq", d);
	sysfs_int(w, "max_khz", path);
	snprintf(path, sizeof(path), "%s/scaling_cur_freq", d);
	sysfs_int(w, "cur_khz", path);
	sysfs_int(w, "intel_pstate_no_turbo", "/sys/devices/system/cpu/intel_pstate/no_turbo");
	jw_obj_end(w);
}

static void write_clocksource(struct jw *w)
{
	jw_obj(w, "clocksource");
	sysfs_str(w, "current", "/sys/devices/system/clocksource/clocksource0/current_clocksource");
	sysfs_str(w, "available", "/sys/devices/system/clocksource/clocksource0/available_clocksource");
	jw_obj_end(w);
}

/* virtio device id 5 is the memory balloon (virtio spec 1.1, 5.5). */
#define VIRTIO_ID_BALLOON 5

static void write_balloon(struct jw *w)
{
	DIR *d = opendir("/sys/bus/virtio/devices");
	struct dirent *e;
	bool found = false;

	jw_obj(w, "balloon");
	while (d && (e = readdir(d))) {
		long long id;
		char buf[256];

		if (e->d_name[0] == '.')
			continue;
		if (read_ll_at(&id, "/sys/bus/virtio/devices/%s/device", e->d_name) < 0 || id != VIRTIO_ID_BALLOON)
			continue;
		found = true;
		jw_str(w, "device", e->d_name);
		snprintf(buf, sizeof(buf), "/sys/bus/virtio/devices/%.200s/driver", e->d_name);
		jw_bool(w, "driver_bound", access(buf, F_OK) == 0);
		if (read_line_at(buf, sizeof(buf), "/sys/bus/virtio/devices/%s/features", e->d_name) == 0)
			jw_str(w, "features", buf);
		break;
	}
	if (d)
		closedir(d);
	jw_bool(w, "present", found);
	jw_obj_end(w);
}

void sysinfo_write(struct jw *w, const char *key)
{
	char host[256];

	jw_obj(w, key);
	if (gethostname(host, sizeof(host)) == 0)
		jw_str(w, "hostname", host);
	write_dmi(w);
	write_hypervisor(w);
	write_kernel(w);
	write_cpus(w);
	write_memory(w);
	write_cpuidle(w);
	write_cpufreq(w);
	write_clocksource(w);
	write_balloon(w);
	jw_obj_end(w);
}

int cmd_sysinfo(int argc, char **argv)
{
	struct optv v[ARRAY_SIZE(sysinfo_opts)] = { 0 };
	char err[256];
	FILE *out = stdout;
	struct jw w;
	int pos = opt_parse(sysinfo_opts, v, argc, argv, err, sizeof(err));

	if (pos < 0 || pos < argc) {
		fprintf(stderr, "triage sysinfo: %s\n", pos < 0 ? err : "takes no arguments");
		return EXIT_ERROR;
	}
	if (v[O_HELP].set) {
		printf("usage: triage sysinfo [options]\n\n"
		       "Prints the system facts as JSON: DMI, hypervisor, kernel, CPUs and\n"
		       "topology, memory, cpuidle and cpufreq state, clocksource, balloon.\n\noptions:\n");
		opt_help(stdout, sysinfo_opts);
		return 0;
	}
	if (v[O_OUTPUT].set && !(out = fopen(v[O_OUTPUT].str, "we"))) {
		fprintf(stderr, "triage sysinfo: cannot write %s: %m\n", v[O_OUTPUT].str);
		return EXIT_ERROR;
	}
	jw_init(&w, out, 2);
	sysinfo_write(&w, NULL);
	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
		fprintf(stderr, "triage sysinfo: write failed\n");
		return EXIT_ERROR;
	}
	return 0;
}
