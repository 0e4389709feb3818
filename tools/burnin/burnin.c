/* triage burnin: stress-ng under verification for a set time, our own ISA
 * kernels and the wake-latency sampler under that load, and the hardware's
 * health watched throughout.
 *
 * First `triage isa` finds what the CPU really executes, which decides the
 * stressors (stress-ng picks code by CPUID, so a CPU that advertises what it
 * does not execute would make it SIGILL). Then stress-ng runs with --verify
 * and its log is read as it comes; beside it, rounds of `triage isa` check
 * every extension on every CPU and one `triage wake` samples wake-ups
 * across the run; every second the sensors, frequency, CPU use, throttling
 * counters, machine checks and EDAC counts are read. */
#include "command.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/hypervisor.h"

static const char usage[] =
	"Loads the machine with stress-ng under verification for a set time (CPU,\n"
	"matrix, vector and memory stressors chosen for what `triage isa` finds the\n"
	"CPU executes), runs our ISA kernels on every CPU and samples wake-up latency\n"
	"under that load, and watches temperatures, frequency, thermal throttling,\n"
	"machine checks and EDAC memory errors. Needs stress-ng (the image's Burn-in\n"
	"entry loads it); root to read the kernel log and for SCHED_FIFO sampling.";

enum {
	O_DURATION = CHECK_COMMON_COUNT,
	O_STRESSORS,
	O_WORKERS,
	O_MEM_PERCENT,
	O_SAMPLERS,
	O_INTERVAL,
	O_STRESS_NG,
	O_INJECT,
	O_COUNT,
};

const struct opt burnin_opts[] = {
	CHECK_COMMON_OPTS,
	[O_DURATION] = { "duration", 'd', OPT_DURATION, "TIME", "how long to load the machine (default quick 60s, standard 10m, burnin 1h)",
	  10000000000LL, 604800000000000LL },
	[O_STRESSORS] = { "stressors", 's', OPT_STR, "LIST",
	  "stress-ng stressors, comma-separated, each NAME or NAME:METHOD (default cpu,matrix,vecfp,vecmath,vm; "
	  "vm alone on a CPU that advertises what it does not execute)", 0, 0 },
	[O_WORKERS] = { "workers", 'w', OPT_INT, "N", "instances of each stressor (default: one per CPU)", 1, 4096 },
	[O_MEM_PERCENT] = { "mem-percent", 0, OPT_PERCENT, "N",
	  "memory the vm stressor keeps busy, in % of MemAvailable (default 50, at most 1 GiB per instance)", 1, 90 },
	[O_SAMPLERS] = { "samplers", 0, OPT_STR, "LIST", "what runs beside stress-ng: health,isa,wake or none (default all three)", 0,
	  0 },
	[O_INTERVAL] = { "interval", 'i', OPT_DURATION, "TIME", "health sampling interval (default 1s)", 100000000LL, 60000000000LL },
	[O_STRESS_NG] = { "stress-ng", 0, OPT_STR, "PATH", "the stress-ng to run (default: the one in PATH)", 0, 0 },
	[O_INJECT] = { "inject", 0, OPT_STR, "KIND:EXT[@CPU]",
	  "for boot tests: passed to every `triage isa` of the burn-in (see triage isa --help)", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, 0, 0 },
};

static const long long default_duration_s[] = { [MODE_QUICK] = 60, [MODE_STANDARD] = 600, [MODE_BURNIN] = 3600 };

#define DEFAULT_MEM_PERCENT 50
#define DEFAULT_INTERVAL_NS 1000000000LL

const struct sampler_name sampler_names[4] = {
	{ "health", SAMPLE_HEALTH }, { "isa", SAMPLE_ISA }, { "wake", SAMPLE_WAKE }, { "none", 0 },
};

volatile sig_atomic_t burnin_stop_signal;

static void on_stop(int sig) { burnin_stop_signal = sig; }

static void remove_work(const struct burnin *b)
{
	static const char *const files[] = { "stress-ng.yaml", "isa-before.json", "isa-round.json", "wake.json" };
	char path[128];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", b->dir, files[i]);
		remove(path);
	}
	rmdir(b->dir);
}

static unsigned parse_samplers(const char *s, char *err, size_t errlen)
{
	unsigned bits = 0;

	if (!s)
		return SAMPLE_HEALTH | SAMPLE_ISA | SAMPLE_WAKE;
	while (*s) {
		size_t len = strcspn(s, ","), k;

		for (k = 0; k < ARRAY_SIZE(sampler_names); k++)
			if (strlen(sampler_names[k].name) == len && !strncmp(sampler_names[k].name, s, len))
				break;
		if (k == ARRAY_SIZE(sampler_names)) {
			snprintf(err, errlen, "--samplers: '%.*s' is not one of health, isa, wake, none", (int)len, s);
			return ~0u;
		}
		bits |= sampler_names[k].bit;
		s += len;
		s += *s == ',';
	}
	return bits;
}

int cmd_burnin(int argc, char **argv)
{
	struct optv vals[O_COUNT];
	struct check c;
	struct burnin b = { .c = &c, .sng_fd = -1, .sng_status = -1 };
	struct hypervisor hv;
	struct sng_result r = { 0 };
	char err[256], *yaml_text;
	const char *yaml_problem = NULL;
	struct sigaction sa = { .sa_handler = on_stop };
	struct rusage ru0, ru1;
	long long avail;
	int64_t load_start;
	double load_s;
	int rc = check_begin(&c, "burnin", usage, burnin_opts, vals, argc, argv);

	if (rc >= 0)
		return rc;
	b.duration_ns = vals[O_DURATION].set ? vals[O_DURATION].num : default_duration_s[c.mode] * 1000000000LL;
	b.interval_ns = vals[O_INTERVAL].set ? vals[O_INTERVAL].num : DEFAULT_INTERVAL_NS;
	b.inject = vals[O_INJECT].set ? vals[O_INJECT].str : NULL;
	b.samplers = parse_samplers(vals[O_SAMPLERS].set ? vals[O_SAMPLERS].str : NULL, err, sizeof(err));
	if (b.samplers == ~0u) {
		fprintf(stderr, "triage burnin: %s\n", err);
		return check_end(&c, ST_ERROR, err);
	}
	hypervisor_detect(&hv);
	b.vm = hv.vm;
	b.tcg = hv.name && !strcmp(hv.name, "QEMU TCG");

	/* A bad stressor list is the user's to fix before anything runs. */
	if (vals[O_STRESSORS].set && sng_plan_make(&b.plan, NULL, 0, vals[O_STRESSORS].str, 1, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "triage burnin: --stressors: %s\n", err);
		return check_end(&c, ST_ERROR, err);
	}
	if (vals[O_STRESS_NG].set) {
		strlcpy_(b.sng_path, vals[O_STRESS_NG].str, sizeof(b.sng_path));
		if (access(b.sng_path, X_OK) != 0) {
			snprintf(err, sizeof(err), "--stress-ng: cannot run %.200s: %s", b.sng_path, strerror(errno));
			fprintf(stderr, "triage burnin: %s\n", err);
			return check_end(&c, ST_ERROR, err);
		}
	} else if (!burnin_find_in_path("stress-ng", b.sng_path, sizeof(b.sng_path))) {
		return check_end(&c, ST_SKIP,
				 "stress-ng is not installed (the image's Burn-in entry loads it; on a host, install the "
				 "stress-ng package)");
	}
	snprintf(b.dir, sizeof(b.dir), "%s/triage-burnin-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (strlen(b.dir) >= sizeof(b.dir) - 1 || !mkdtemp(b.dir)) {
		snprintf(b.dir, sizeof(b.dir), "/tmp/triage-burnin-XXXXXX");
		if (!mkdtemp(b.dir))
			return check_end(&c, ST_ERROR, "cannot create a work folder in /tmp");
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	b.t0 = now_ns();

	burnin_isa_prescan(&b);
	avail = burnin_mem_available();
	{
		const char *bad[ARRAY_SIZE(b.bad)];
		int pct = vals[O_MEM_PERCENT].set ? (int)vals[O_MEM_PERCENT].num : DEFAULT_MEM_PERCENT;
		int ids[1024], ncpu = online_cpus(ids, 1024);
		int inst = vals[O_WORKERS].set ? (int)vals[O_WORKERS].num : (ncpu > 0 ? ncpu : 1);

		for (int i = 0; i < b.nbad; i++)
			bad[i] = b.bad[i];
		if (sng_plan_make(&b.plan, bad, b.nbad, vals[O_STRESSORS].set ? vals[O_STRESSORS].str : NULL, inst,
				  burnin_vm_bytes(avail, pct, inst), err, sizeof(err)) < 0) {
			fprintf(stderr, "triage burnin: --stressors: %s\n", err);
			remove_work(&b);
			return check_end(&c, ST_ERROR, err);
		}
	}
	if (b.plan.dropped[0])
		check_note(&c, "left out: %s", b.plan.dropped);
	if (b.plan.tunables[0])
		check_note(&c, "stress-ng runs with GLIBC_TUNABLES=%s", b.plan.tunables);

	b.h = xcalloc(1, sizeof(*b.h));
	health_init(b.h, "", b.vm);
	if (b.h->nsensors == 0)
		check_note(&c, "no temperatures: %s", b.h->no_sensor_reason);
	if (!health_log_open(b.h))
		check_note(&c, "the kernel log cannot be read (%s): machine checks come from /proc/interrupts only",
			   strerror(errno));

	if (!burnin_sng_start(&b)) {
		remove_work(&b);
		free(b.h);
		return check_end(&c, ST_ERROR, "cannot start stress-ng");
	}
	check_note(&c, "%s", b.command);
	load_start = b.t0 = now_ns();
	getrusage(RUSAGE_SELF, &ru0);
	health_sample(b.h, 0);
	burnin_run_load(&b);
	load_s = secs(now_ns() - load_start);
	burnin_finish_samplers(&b);
	getrusage(RUSAGE_SELF, &ru1);
	b.self_cpu_s = burnin_cpu_of(&ru1) - burnin_cpu_of(&ru0);
	/* A last sample when the samplers took a while to end. */
	if ((b.samplers & SAMPLE_HEALTH) && (!b.h->series.n || secs(now_ns() - b.t0) -
						b.h->series.t[b.h->series.n - 1] >= secs(b.interval_ns) / 2))
		health_sample(b.h, secs(now_ns() - b.t0));
	kmsg_drain(&b.h->log);
	kmsg_close(&b.h->log);

	yaml_text = read_file(b.yaml, 4 << 20, NULL);
	if (!yaml_text)
		yaml_problem = "stress-ng wrote no YAML";
	else if (sng_parse_yaml(yaml_text, &r, err, sizeof(err)) < 0)
		yaml_problem = err;
	free(yaml_text);
	check_ok(&c, r.n > 0, "stress-ng: %s (exit %d), metrics of %d stressor%s", sng_exit_meaning(b.sng_status),
		 b.sng_status, r.n, r.n == 1 ? "" : "s");

	burnin_write(&b, &r, load_s, yaml_problem);
	json_free(b.wake_result);
	remove_work(&b);
	free(b.h);
	if (r.n == 0 && (b.sng_status == 1 || b.sng_status == 127)) {
		snprintf(err, sizeof(err), "stress-ng did not run (exit %d): %s", b.sng_status,
			 b.ntail ? b.tail[(b.ntail - 1) % LOG_TAIL] : "no output");
		return check_end(&c, ST_ERROR, err);
	}
	if (burnin_stop_signal) {
		snprintf(err, sizeof(err), "stopped early by %s after %.0f s of %.0f s", strsignal(burnin_stop_signal), load_s,
			 secs(b.duration_ns));
		return check_end(&c, -1, err);
	}
	return check_end(&c, -1, NULL);
}
