/* triage burnin: the pure part (which stress-ng stressors, its YAML and its
 * log, hardware health from sysfs and procfs under a root folder, the series
 * kept for the chart, the findings), shared by the command and its unit
 * tests. The command itself, which starts and watches everything, is
 * burnin.c, load.c and output.c around command.h. */
#ifndef VMTRIAGE_BURNIN_H
#define VMTRIAGE_BURNIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/check.h"
#include "lib/edac.h"
#include "lib/json.h"
#include "lib/kmsg.h"

/* ---- stress-ng: the plan ---- */

struct sng_stressor {
	const char *name;
	const char *args[4];   /* its own options, NULL-terminated */
	const char *what;      /* what it exercises, for the report */
	bool dispatch;	       /* its code is picked by CPUID (GCC target_clones) */
};

/* The stressors a burn-in runs, in order: the table is the plan. */
extern const struct sng_stressor sng_stressors[];
extern const int sng_nstressors;

#define SNG_MAX_STRESSORS 16

struct sng_plan {
	int n;
	char names[SNG_MAX_STRESSORS][32];
	const char *const *args[SNG_MAX_STRESSORS]; /* NULL for a user-named stressor */
	/* NAME:METHOD from the user: --NAME-method METHOD */
	char method_opt[SNG_MAX_STRESSORS][48], method[SNG_MAX_STRESSORS][32];
	const char *method_args[SNG_MAX_STRESSORS][3];
	int instances;		/* per stressor */
	long long vm_bytes;	/* per vm instance, 0: stress-ng's default */
	char dropped[256];	/* stressors left out, and why; "" if none */
	char tunables[256];	/* GLIBC_TUNABLES for stress-ng; "" if none */
};

/* The plan for a CPU on which the extensions in bad[] are advertised but
 * fault or compute wrong (from triage isa): stressors that pick their code
 * by CPUID would run exactly that code, so they are left out, and glibc's
 * own CPUID dispatch (memcpy, strlen) is steered off them. only: a
 * comma-separated list of stressors chosen by the user, each NAME or
 * NAME:METHOD (stress-ng's --NAME-method), or NULL. Returns 0,
 * or -1 with a message (a bad name in only). */
int sng_plan_make(struct sng_plan *p, const char *const *bad, int nbad, const char *only, int instances,
		  long long vm_bytes, char *err, size_t errlen);

/* glibc's name for an extension of triage isa, or NULL if glibc does not
 * dispatch on it. */
const char *sng_glibc_hwcap(const char *ext);

/* stress-ng's argument vector (NULL-terminated, pointers into bufs) for
 * the plan, running timeout_s seconds and writing its YAML to yaml. */
#define SNG_MAX_ARGS 64
int sng_argv(const struct sng_plan *p, const char *exe, long long timeout_s, const char *yaml,
	     char *argv[SNG_MAX_ARGS], char bufs[][32], int nbufs);

/* What stress-ng's exit status means (its manual, "EXIT STATUS"). */
const char *sng_exit_meaning(int code);

/* ---- stress-ng: the YAML file (--yaml) ---- */

struct sng_metrics {
	char name[32];
	double bogo_ops, bogo_ops_per_s, wall_s, user_s, sys_s, cpu_pct;
	long long max_rss_kib;
};

struct sng_result {
	char version[32];
	int n;
	struct sng_metrics m[SNG_MAX_STRESSORS];
};

/* Reads the system-info version and the metrics list. Returns 0, or -1
 * with a message when the text holds no metrics. */
int sng_parse_yaml(const char *text, struct sng_result *r, char *err, size_t errlen);

/* ---- stress-ng: its log lines ---- */

enum sng_line_kind {
	SNG_OTHER,	/* anything else */
	SNG_MISCOMPARE,	/* a stressor verified its results and found them wrong */
	SNG_FAILED,	/* a stressor failed otherwise (or its metrics are broken) */
	SNG_SIGNAL,	/* a stressor died of a signal */
	SNG_ERROR,	/* stress-ng itself reports an error */
	SNG_SKIPPED,	/* a stressor did not run here */
};

struct sng_line {
	enum sng_line_kind kind;
	char stressor[32]; /* "" when the line does not name one */
	int signal;	   /* SNG_SIGNAL */
	char signame[16];
};

enum sng_line_kind sng_classify(const char *line, struct sng_line *out);

/* ---- hardware health ---- */

#define HW_MAX_SENSORS 32
#define HW_MAX_MC 8
#define HW_MAX_CPUS 1024
/* Points kept per series: 1 Hz for 10 minutes, then every other point is
 * merged (the temperature keeps the higher, the rest the mean), so an
 * 8-hour burn-in still draws from at most this many. */
#define HW_SERIES_CAP 600

struct hw_sensor {
	char source[8];	  /* "hwmon" or "thermal" */
	char name[32];	  /* hwmon name (coretemp, k10temp) or zone type */
	char label[32];	  /* temp label (Package id 0, Tctl), "" if none */
	char path[160];	  /* the *_input or temp file, below the root */
	double start_c, max_c, last_c, crit_c; /* crit_c: NAN if none */
	bool seen;
};

/* Cumulative counters: a snapshot at the start and one at each sample. */
struct hw_counters {
	bool throttle_ok;   /* some CPU has thermal_throttle/ */
	long long core_throttle, pkg_throttle, core_throttle_ms, pkg_throttle_ms;
	bool irq_ok;	    /* /proc/interrupts has an MCE row */
	long long mce, mce_poll, threshold, deferred, thermal_irq;
	bool edac_ok;	    /* EDAC has a memory controller */
	int nmc;
	struct edac_mc mc[HW_MAX_MC];
	long long cpu_busy, cpu_total; /* /proc/stat jiffies, all CPUs */
};

struct hw_series {
	int n, stride;		/* stride: samples merged per point */
	double t[HW_SERIES_CAP], temp[HW_SERIES_CAP], freq[HW_SERIES_CAP], busy[HW_SERIES_CAP];
	int merged;		/* samples in the current last point */
};

struct health {
	char root[200];		/* "" on a live system; a fixture folder in tests */
	int ncpus, cpus[HW_MAX_CPUS]; /* the cpuN folders, listed once */
	int nsensors;
	struct hw_sensor s[HW_MAX_SENSORS];
	const char *no_sensor_reason; /* set when nsensors is 0 */
	const char *freq_source;      /* "cpufreq", "cpuinfo" or NULL */
	struct hw_counters first, last;
	double temp_c, freq_mhz, busy_pct; /* the latest sample; NAN if unknown */
	double freq_min_mhz, freq_sum_mhz, busy_max_pct;
	int nfreq;
	struct hw_series series;
	/* The kernel log from the start of the run on, judged by the run's
	 * rules (kernel.mce, kernel.edac); fd -1 when it cannot be read. */
	struct kmsg_watch log;
	bool log_ok;
};

/* Finds the sensors and takes the first snapshot of the counters. */
void health_init(struct health *h, const char *root, bool vm);
/* Reads temperatures, frequency, CPU use and counters; t in seconds since
 * the start. The first call after init sets the baseline of CPU use. */
void health_sample(struct health *h, double t);
/* Starts reading the kernel log (root only); false if it cannot be read. */
bool health_log_open(struct health *h);
/* Appends one point to the series, merging pairs when it is full. */
void hw_series_add(struct hw_series *s, double t, double temp, double freq, double busy);

/* Highest current temperature of the CPU's sensors (of all sensors when no
 * CPU sensor is known), NAN if none. */
double health_temp_now(const struct health *h);
bool health_has_cpu_sensor(const struct health *h);

void health_write_metrics(const struct health *h, struct jw *w);
void health_write_data(const struct health *h, struct jw *w);

/* Temperature of a sensor this close to its critical trip (degrees C) is
 * reported with the throttling finding: Intel's PROCHOT and AMD's Tctl
 * limits act at the critical point, and firmware starts fans well before. */
#define HW_NEAR_CRIT_C 5.0

/* hw.thermal-throttle, hw.mce, hw.edac-ce, hw.edac-ue and the note about
 * missing sensors, from the first and last snapshots. */
void health_findings(const struct health *h, bool vm, struct check *c);

#endif
