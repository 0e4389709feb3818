/* triage burnin: the command's own state, shared by its three files and
 * by nothing else (the pure part the unit tests use is burnin.h):
 *
 * burnin.c  the command: options, the plan, the order of things
 * load.c    the children (stress-ng, triage isa and wake) and the load loop
 * output.c  the findings and the JSON */
#ifndef VMTRIAGE_BURNIN_COMMAND_H
#define VMTRIAGE_BURNIN_COMMAND_H

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "burnin.h"

/* The vm stressor verifies a region per pass; at 5.8 GiB per instance a
 * 30 s run on this build machine never finished the first fill (0 bogo-ops,
 * 19 s of system time in page faults), at 1 GiB it made 696372. The mem
 * check is the one that covers memory as a whole. */
#define VM_BYTES_MAX (1LL << 30)
/* The stressors run at this nice level so that the samplers, the run's
 * progress and a shell stay responsive while every CPU is busy; the load is
 * the same, as nothing else wants the CPUs. */
#define SNG_NICE 10
/* A round of `triage isa` under load this often; 4096 inputs per kernel and
 * CPU, a standard run's count (0.17 s on two CPUs of a 2.0 GHz Xeon). */
#define ISA_PERIOD_NS 20000000000LL
#define ISA_ITERATIONS "4096"
#define ISA_TAIL_NS 3000000000LL
/* Wake sampling starts once stress-ng has its workers running, and sizes
 * its blocks to end well before stress-ng does. */
#define WAKE_WARMUP_NS 3000000000LL
#define WAKE_SHARE 0.7
#define WAKE_MAX_CPUS 4
#define WAKE_MIN_BLOCK_NS 200000000LL
/* How long past its --timeout stress-ng may take to stop and write its
 * YAML before it is interrupted, and then killed. */
#define SNG_GRACE_NS 60000000000LL
#define SNG_KILL_NS 15000000000LL
/* How long the samplers may take to finish after stress-ng has ended. */
#define CHILD_GRACE_NS 30000000000LL
#define PROGRESS_EVERY_NS 5000000000LL
#define MAX_FAIL_LINES 32
#define LOG_TAIL 12

enum sampler { SAMPLE_HEALTH = 1, SAMPLE_ISA = 2, SAMPLE_WAKE = 4 };

/* --samplers words, in the order the report lists them. */
struct sampler_name {
	const char *name;
	unsigned bit;
};
extern const struct sampler_name sampler_names[4];

/* A `triage` child (isa or wake) writing its JSON to a file. */
struct child {
	pid_t pid;
	char out[256];
	int64_t started;
	double cpu_s;	/* user + system time of every process run here */
};

/* Per stressor: what its log said. */
struct sng_tally {
	char name[32];
	int miscompare, failed, signals;
};

struct burnin {
	struct check *c;
	bool vm, tcg;
	unsigned samplers;
	int64_t t0, duration_ns, interval_ns;
	char dir[64];
	const char *inject;

	/* before the load: what triage isa found */
	int nbad;
	char bad[48][24];
	const char *isa_pre_status;

	struct sng_plan plan;
	char sng_path[256], yaml[128], command[1024];
	pid_t sng_pid;
	int sng_fd;
	double sng_cpu_s, self_cpu_s;
	int sng_status;		/* exit code, or 128 + signal; -1 while running */
	bool sng_interrupted, sng_killed;
	char linebuf[1024];
	size_t linelen;
	char tail[LOG_TAIL][200];
	int ntail, nlines;
	int nfail;
	struct {
		enum sng_line_kind kind;
		int signal;	/* SNG_SIGNAL */
		char text[200];
	} fails[MAX_FAIL_LINES];
	int ntally;
	struct sng_tally tally[SNG_MAX_STRESSORS * 2];
	int skipped, errors;

	/* beside the load */
	struct child isa, wake;
	int64_t isa_next;
	int isa_rounds, isa_rounds_failed, isa_errors;
	int isa_wrong, isa_fault;
	char isa_ids[8][64];
	int nisa_ids;
	struct jval *wake_result;
	const char *wake_problem;
	int wake_cpus[WAKE_MAX_CPUS], nwake_cpus;
	int64_t wake_budget_ns;

	struct health *h;
};

/* The signal that asked the burn-in to stop early, or 0. */
extern volatile sig_atomic_t burnin_stop_signal;

static inline double secs(int64_t ns) { return (double)ns / 1e9; }

/* ---- load.c ---- */

double burnin_cpu_of(const struct rusage *ru);
/* triage isa before the load: which extensions the stressors must avoid. */
void burnin_isa_prescan(struct burnin *b);
bool burnin_find_in_path(const char *name, char *out, size_t size);
long long burnin_mem_available(void);
long long burnin_vm_bytes(long long avail, int pct, int instances);
struct sng_tally *burnin_tally_of(struct burnin *b, const char *name);
/* One line of stress-ng's log: kept in the tail, counted, noted. */
void burnin_sng_line(struct burnin *b, const char *line);
bool burnin_sng_start(struct burnin *b);
/* Until stress-ng has ended: its log, the health samples, the samplers. */
void burnin_run_load(struct burnin *b);
void burnin_finish_samplers(struct burnin *b);

/* ---- output.c ---- */

void burnin_findings_stress(struct burnin *b);
void burnin_findings_wake(struct burnin *b);
void burnin_write_metrics(struct burnin *b, const struct sng_result *r, double load_s);
void burnin_write_plan(struct burnin *b, struct jw *w);
void burnin_write_stress(struct burnin *b, struct jw *w, const struct sng_result *r, const char *yaml_problem);
void burnin_write_samplers(struct burnin *b, struct jw *w);
/* All of the above once the load has ended: the findings, metrics and data
 * of the check, from what the run gathered (the unit test's seam). */
void burnin_write(struct burnin *b, const struct sng_result *r, double load_s, const char *yaml_problem);

#endif
