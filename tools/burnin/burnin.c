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
#include "burnin.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/hypervisor.h"
#include "lib/procfs.h"

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
	{ "duration", 'd', OPT_DURATION, "TIME", "how long to load the machine (default quick 60s, standard 10m, burnin 1h)",
	  10000000000LL, 604800000000000LL },
	{ "stressors", 's', OPT_STR, "LIST",
	  "stress-ng stressors, comma-separated, each NAME or NAME:METHOD (default cpu,matrix,vecfp,vecmath,vm; "
	  "vm alone on a CPU that advertises what it does not execute)", 0, 0 },
	{ "workers", 'w', OPT_INT, "N", "instances of each stressor (default: one per CPU)", 1, 4096 },
	{ "mem-percent", 0, OPT_PERCENT, "N",
	  "memory the vm stressor keeps busy, in % of MemAvailable (default 50, at most 1 GiB per instance)", 1, 90 },
	{ "samplers", 0, OPT_STR, "LIST", "what runs beside stress-ng: health,isa,wake or none (default all three)", 0,
	  0 },
	{ "interval", 'i', OPT_DURATION, "TIME", "health sampling interval (default 1s)", 100000000LL, 60000000000LL },
	{ "stress-ng", 0, OPT_STR, "PATH", "the stress-ng to run (default: the one in PATH)", 0, 0 },
	{ "inject", 0, OPT_STR, "KIND:EXT[@CPU]",
	  "for boot tests: passed to every `triage isa` of the burn-in (see triage isa --help)", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, 0, 0 },
};

static const long long default_duration_s[] = { [MODE_QUICK] = 60, [MODE_STANDARD] = 600, [MODE_BURNIN] = 3600 };

#define DEFAULT_MEM_PERCENT 50
/* The vm stressor verifies a region per pass; at 5.8 GiB per instance a
 * 30 s run on this build machine never finished the first fill (0 bogo-ops,
 * 19 s of system time in page faults), at 1 GiB it made 696372. The mem
 * check is the one that covers memory as a whole. */
#define VM_BYTES_MAX (1LL << 30)
#define DEFAULT_INTERVAL_NS 1000000000LL
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
static const struct {
	const char *name;
	unsigned bit;
} sampler_names[] = { { "health", SAMPLE_HEALTH }, { "isa", SAMPLE_ISA }, { "wake", SAMPLE_WAKE }, { "none", 0 } };

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

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

static double secs(int64_t ns) { return (double)ns / 1e9; }

static double cpu_of(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 + (double)ru->ru_stime.tv_sec +
	       (double)ru->ru_stime.tv_usec / 1e6;
}

static void fmt_clock(char *buf, size_t size, double s)
{
	long long t = (long long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, size, "%lld:%02lld:%02lld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, size, "%lld:%02lld", t / 60, t % 60);
}

/* ---- children ---- */

static pid_t spawn(char *const argv[], int out_fd, const char *tunables, int nice_inc)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	int null = open("/dev/null", O_RDWR);

	if (null >= 0)
		dup2(null, 0);
	dup2(out_fd >= 0 ? out_fd : null, 1);
	dup2(out_fd >= 0 ? out_fd : null, 2);
	if (tunables && tunables[0])
		setenv("GLIBC_TUNABLES", tunables, 1);
	if (nice_inc && setpriority(PRIO_PROCESS, 0, nice_inc) < 0)
		(void)0; /* an unprivileged caller may already be niced higher */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	execv(argv[0], argv);
	dprintf(out_fd >= 0 ? out_fd : 2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Starts `triage NAME ARGS... -q -o OUT` with our own binary. */
static bool start_triage(struct burnin *b, struct child *ch, const char *name, const char *tag, char **args)
{
	char *argv[24];
	int n = 0;

	snprintf(ch->out, sizeof(ch->out), "%s/%s.json", b->dir, tag);
	argv[n++] = "/proc/self/exe";
	argv[n++] = (char *)name;
	for (; *args && n < 18; args++)
		argv[n++] = *args;
	argv[n++] = "-q";
	argv[n++] = "-o";
	argv[n++] = ch->out;
	argv[n] = NULL;
	unlink(ch->out);
	ch->pid = spawn(argv, -1, NULL, 0);
	ch->started = now_ns();
	if (ch->pid < 0) {
		check_note(b->c, "cannot start triage %s: %s", name, strerror(errno));
		return false;
	}
	return true;
}

/* The child's JSON once it has exited, or NULL (*exited tells which). */
static struct jval *reap_triage(struct child *ch, bool wait_for_it, bool *exited, int *status)
{
	char err[128], *text;
	size_t len;
	struct rusage ru;
	struct jval *v;
	int ws;

	*exited = false;
	if (ch->pid <= 0 || wait4(ch->pid, &ws, wait_for_it ? 0 : WNOHANG, &ru) != ch->pid)
		return NULL;
	*exited = true;
	ch->cpu_s += cpu_of(&ru);
	ch->pid = 0;
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	text = read_file(ch->out, 16 << 20, &len);
	if (!text)
		return NULL;
	v = json_parse(text, len, err, sizeof(err));
	free(text);
	return v;
}

static void stop_child(struct child *ch)
{
	struct rusage ru;
	int ws;

	if (ch->pid <= 0)
		return;
	kill(ch->pid, SIGKILL);
	if (wait4(ch->pid, &ws, 0, &ru) == ch->pid)
		ch->cpu_s += cpu_of(&ru);
	ch->pid = 0;
}

/* Waits for a child until deadline; kills it after. */
static struct jval *finish_triage(struct child *ch, int64_t deadline, bool *killed, int *status)
{
	bool exited;
	struct jval *v;

	*killed = false;
	while (ch->pid > 0) {
		v = reap_triage(ch, false, &exited, status);
		if (exited)
			return v;
		if (now_ns() >= deadline) {
			stop_child(ch);
			*killed = true;
			return NULL;
		}
		usleep(50000);
	}
	return NULL;
}

/* ---- before the load: what the CPU executes ---- */

static bool has_prefix(const char *s, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0)
		return false;
	*rest = s + n;
	return true;
}

static void isa_prescan(struct burnin *b)
{
	char *args[8] = { "--mode", "quick", NULL, NULL };
	const struct jval *fl;
	struct jval *v;
	bool killed;
	int status = -1, n = 2;

	if (b->inject) {
		args[n++] = "--inject";
		args[n++] = (char *)b->inject;
	}
	args[n] = NULL;
	check_progress(b->c, 0, "what the CPU executes (triage isa)");
	if (!start_triage(b, &b->isa, "isa", "isa-before", args)) {
		b->isa_pre_status = "not run";
		return;
	}
	v = finish_triage(&b->isa, now_ns() + (b->tcg ? 8 : 2) * 60000000000LL, &killed, &status);
	status = status_from_name(v ? json_str(v, "status", NULL) : NULL);
	b->isa_pre_status = status >= 0 ? status_name((enum status)status) : "error"; /* outlives v */
	fl = v ? json_get(v, "findings") : NULL;
	for (size_t i = 0; fl && i < fl->len; i++) {
		const char *id = json_str(fl->items[i], "id", ""), *ext;

		if ((has_prefix(id, "cpu.advertised-but-faults.", &ext) || has_prefix(id, "cpu.wrong-result.", &ext)) &&
		    b->nbad < (int)ARRAY_SIZE(b->bad))
			strlcpy_(b->bad[b->nbad++], ext, sizeof(b->bad[0]));
	}
	if (!v)
		check_note(b->c, "triage isa gave no result (%s): running every stressor",
			   killed ? "timed out" : "it failed");
	b->isa.cpu_s = 0; /* the rounds under load count, not this */
	check_ok(b->c, v != NULL, "before the load, triage isa: %s, %d extension%s advertised but not executed right",
		 b->isa_pre_status, b->nbad, b->nbad == 1 ? "" : "s");
	json_free(v);
}

/* ---- stress-ng ---- */

static bool find_in_path(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s:/usr/bin:/usr/local/bin:/bin", path && *path ? path : "");
	for (char *save = NULL, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/%s", d, name);
		if (access(out, X_OK) == 0)
			return true;
	}
	return false;
}

static long long mem_available(void)
{
	struct meminfo mi;

	return meminfo_read(&mi) == 0 ? sat_mul_i64(mi.avail_kib, 1024) : 0;
}

/* Per vm instance: the share of MemAvailable, at most VM_BYTES_MAX, in MiB. */
static long long vm_bytes(long long avail, int pct, int instances)
{
	long long per = avail > 0 ? avail / 100 * pct / instances : 0;

	if (per > VM_BYTES_MAX)
		per = VM_BYTES_MAX;
	return per & ~((1LL << 20) - 1);
}

static struct sng_tally *tally_of(struct burnin *b, const char *name)
{
	for (int i = 0; i < b->ntally; i++)
		if (!strcmp(b->tally[i].name, name))
			return &b->tally[i];
	if (b->ntally == (int)ARRAY_SIZE(b->tally))
		return &b->tally[b->ntally - 1];
	strlcpy_(b->tally[b->ntally].name, name, sizeof(b->tally[0].name));
	return &b->tally[b->ntally++];
}

static void sng_line(struct burnin *b, const char *line)
{
	struct sng_line l;
	struct sng_tally *t;

	b->nlines++;
	strlcpy_(b->tail[b->ntail % LOG_TAIL], line, sizeof(b->tail[0]));
	b->ntail++;
	switch (sng_classify(line, &l)) {
	case SNG_MISCOMPARE:
	case SNG_FAILED:
	case SNG_SIGNAL:
		t = tally_of(b, l.stressor[0] ? l.stressor : "?");
		t->miscompare += l.kind == SNG_MISCOMPARE;
		t->failed += l.kind == SNG_FAILED;
		t->signals += l.kind == SNG_SIGNAL;
		if (b->nfail < MAX_FAIL_LINES) {
			b->fails[b->nfail].kind = l.kind;
			b->fails[b->nfail].signal = l.signal;
			strlcpy_(b->fails[b->nfail].text, line, sizeof(b->fails[0].text));
			b->nfail++;
		}
		check_note(b->c, "%s", line);
		break;
	case SNG_ERROR:
		b->errors++;
		check_note(b->c, "%s", line);
		break;
	case SNG_SKIPPED:
		b->skipped++;
		check_note(b->c, "%s", line);
		break;
	case SNG_OTHER:
		break;
	}
}

/* Reads what stress-ng wrote; false at end of file. */
static bool sng_read(struct burnin *b)
{
	char buf[4096];
	ssize_t n = read(b->sng_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		if (b->linelen) {
			b->linebuf[b->linelen] = '\0';
			sng_line(b, b->linebuf);
			b->linelen = 0;
		}
		return false;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || b->linelen == sizeof(b->linebuf) - 1) {
			b->linebuf[b->linelen] = '\0';
			if (b->linelen)
				sng_line(b, b->linebuf);
			b->linelen = 0;
		} else {
			b->linebuf[b->linelen++] = buf[i];
		}
	}
	return true;
}

static bool sng_start(struct burnin *b)
{
	char *argv[SNG_MAX_ARGS], bufs[40][32];
	int pfd[2];

	snprintf(b->yaml, sizeof(b->yaml), "%s/stress-ng.yaml", b->dir);
	if (sng_argv(&b->plan, b->sng_path, (b->duration_ns + 999999999LL) / 1000000000LL, b->yaml, argv, bufs,
		     (int)ARRAY_SIZE(bufs)) < 0 ||
	    pipe2(pfd, O_CLOEXEC) < 0)
		return false;
	b->command[0] = '\0';
	for (int i = 0; argv[i]; i++)
		str_append(b->command, sizeof(b->command), " ", "%s", argv[i]);
	b->sng_pid = spawn(argv, pfd[1], b->plan.tunables, SNG_NICE);
	close(pfd[1]);
	if (b->sng_pid < 0) {
		close(pfd[0]);
		return false;
	}
	b->sng_fd = pfd[0];
	b->sng_status = -1;
	return true;
}

/* Asks stress-ng to stop (it ends its stressors and still writes its
 * metrics), or kills its whole group of workers. */
static void sng_stop(struct burnin *b, bool kill_it)
{
	if (b->sng_pid <= 0 || b->sng_status >= 0)
		return;
	if (kill_it) {
		b->sng_killed = true;
		kill(b->sng_pid, SIGKILL);
	} else if (!b->sng_interrupted) {
		b->sng_interrupted = true;
		kill(b->sng_pid, SIGINT);
	}
}

static void sng_reap(struct burnin *b, bool wait_for_it)
{
	struct rusage ru;
	int ws;

	if (b->sng_pid <= 0 || b->sng_status >= 0)
		return;
	if (wait4(b->sng_pid, &ws, wait_for_it ? 0 : WNOHANG, &ru) == b->sng_pid) {
		b->sng_status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
		b->sng_cpu_s = cpu_of(&ru); /* stress-ng and the workers it waited for */
	}
}

/* ---- beside the load ---- */

static void wake_start(struct burnin *b)
{
	int ids[1024], n = online_cpus(ids, 1024), k;
	int64_t share = (int64_t)((double)b->duration_ns * WAKE_SHARE) - WAKE_WARMUP_NS;
	char cpus[128] = "", budget[32];
	char *args[12] = { "--mode", "quick", "--no-shallow", "--durations", "1ms,20ms", "--cpus", cpus,
			   "--budget", budget, NULL };

	/* At most four CPUs, spread over the ones we may use. */
	b->nwake_cpus = n < WAKE_MAX_CPUS ? n : WAKE_MAX_CPUS;
	for (k = 0; k < b->nwake_cpus; k++) {
		b->wake_cpus[k] = ids[(long)k * n / b->nwake_cpus];
		str_append(cpus, sizeof(cpus), ",", "%d", b->wake_cpus[k]);
	}
	b->wake_budget_ns = b->nwake_cpus ? share / (2 * b->nwake_cpus) : 0;
	if (b->wake_budget_ns < WAKE_MIN_BLOCK_NS) {
		b->wake_problem = "the burn-in is too short to sample wake-ups";
		return;
	}
	snprintf(budget, sizeof(budget), "%lldms", (long long)(b->wake_budget_ns / 1000000));
	if (!start_triage(b, &b->wake, "wake", "wake", args))
		b->wake_problem = "triage wake could not start";
}

static void isa_round_start(struct burnin *b)
{
	char *args[8] = { "--mode", "quick", "--iterations", ISA_ITERATIONS, NULL };

	if (b->inject) {
		args[4] = "--inject";
		args[5] = (char *)b->inject;
	}
	start_triage(b, &b->isa, "isa", "isa-round", args);
}

static void remember_id(struct burnin *b, const char *id)
{
	for (int i = 0; i < b->nisa_ids; i++)
		if (!strcmp(b->isa_ids[i], id))
			return;
	if (b->nisa_ids < (int)ARRAY_SIZE(b->isa_ids))
		strlcpy_(b->isa_ids[b->nisa_ids++], id, sizeof(b->isa_ids[0]));
}

/* A finished round: wrong results and faults that were not there before
 * the load count; the warnings every run of isa gives (baseline-only, the
 * PVE type) are the pre-scan's business. */
static void isa_round_done(struct burnin *b, struct jval *v, int status)
{
	const struct jval *fl = v ? json_get(v, "findings") : NULL;
	bool bad = false;

	if (!v) {
		b->isa_errors++;
		check_note(b->c, "an isa round under load gave no result (exit %d)", status);
		return;
	}
	b->isa_rounds++;
	for (size_t i = 0; fl && i < fl->len; i++) {
		const char *id = json_str(fl->items[i], "id", ""), *ext;

		if (has_prefix(id, "cpu.wrong-result.", &ext)) {
			b->isa_wrong++;
			bad = true;
			remember_id(b, id);
		} else if (has_prefix(id, "cpu.advertised-but-faults.", &ext)) {
			bool known = false;

			for (int k = 0; k < b->nbad; k++)
				known |= !strcmp(b->bad[k], ext);
			if (!known) {
				b->isa_fault++;
				bad = true;
				remember_id(b, id);
			}
		}
	}
	b->isa_rounds_failed += bad;
	check_ok(b->c, !bad, "isa round %d under load: %s", b->isa_rounds, bad ? "wrong results or faults" : "all right");
}

static void poll_children(struct burnin *b, int64_t now, bool load_on)
{
	bool exited;
	int status;
	struct jval *v;

	if (b->isa.pid > 0) {
		v = reap_triage(&b->isa, false, &exited, &status);
		if (exited) {
			isa_round_done(b, v, status);
			json_free(v);
		}
	}
	if ((b->samplers & SAMPLE_ISA) && load_on && b->isa.pid <= 0 && now >= b->isa_next &&
	    now + ISA_TAIL_NS < b->t0 + b->duration_ns) {
		isa_round_start(b);
		b->isa_next = now + ISA_PERIOD_NS;
	}
	if ((b->samplers & SAMPLE_WAKE) && load_on && !b->wake.started && !b->wake_problem &&
	    now >= b->t0 + WAKE_WARMUP_NS)
		wake_start(b);
	if (b->wake.pid > 0) {
		v = reap_triage(&b->wake, false, &exited, &status);
		if (exited) {
			b->wake_result = v;
			if (!v)
				b->wake_problem = "triage wake gave no result";
		}
	}
}

/* ---- health ---- */

static void progress(struct burnin *b, int64_t now)
{
	char el[32], tot[32], temp[32] = "", freq[32] = "", busy[32] = "";
	double frac = secs(now - b->t0) / secs(b->duration_ns);
	int problems = b->nfail + b->isa_rounds_failed;

	fmt_clock(el, sizeof(el), secs(now - b->t0));
	fmt_clock(tot, sizeof(tot), secs(b->duration_ns));
	if (!isnan(b->h->busy_pct))
		snprintf(busy, sizeof(busy), ", CPUs %.0f%% busy", b->h->busy_pct);
	if (!isnan(b->h->temp_c))
		snprintf(temp, sizeof(temp), ", %.0f C", b->h->temp_c);
	if (!isnan(b->h->freq_mhz))
		snprintf(freq, sizeof(freq), ", %.0f MHz", b->h->freq_mhz);
	check_progress(b->c, frac, "%s of %s%s%s%s, %d problem%s%s", el, tot, busy, temp, freq, problems,
		       problems == 1 ? "" : "s", now > b->t0 + b->duration_ns ? "; stress-ng is stopping" : "");
}

/* ---- the run ---- */

static void run_load(struct burnin *b)
{
	int64_t next_sample = b->t0 + b->interval_ns, next_progress = b->t0 + PROGRESS_EVERY_NS;
	int64_t end = b->t0 + b->duration_ns;
	bool eof = false;

	/* The first ISA round once the load is up, the last one ending well
	 * before it stops. */
	b->isa_next = b->t0 + (b->duration_ns / 4 < ISA_PERIOD_NS / 4 ? b->duration_ns / 4 : ISA_PERIOD_NS / 4);
	while (!eof || b->sng_status < 0) {
		struct pollfd pf[2] = { { .fd = eof ? -1 : b->sng_fd, .events = POLLIN },
					{ .fd = b->h->log.fd, .events = POLLIN } };
		int64_t now = now_ns(), wait = next_sample - now;

		if (stop_signal && !b->sng_interrupted) {
			check_note(b->c, "stopping early (%s): collecting what ran", strsignal(stop_signal));
			sng_stop(b, false);
		}
		if (now > end + SNG_GRACE_NS && !b->sng_interrupted) {
			check_note(b->c, "stress-ng runs past its time: interrupting it");
			sng_stop(b, false);
		}
		if (now > end + SNG_GRACE_NS + SNG_KILL_NS)
			sng_stop(b, true);
		if (wait > 0 && poll(pf, 2, (int)(wait / 1000000) + 1) > 0) {
			if (pf[0].revents & (POLLIN | POLLHUP | POLLERR))
				eof = !sng_read(b);
			if (pf[1].revents & POLLIN)
				kmsg_drain(&b->h->log);
			continue;
		}
		if (eof)
			sng_reap(b, false);
		now = now_ns();
		if (now < next_sample)
			continue;
		next_sample += b->interval_ns;
		if (next_sample < now)
			next_sample = now + b->interval_ns;
		if (b->samplers & SAMPLE_HEALTH)
			health_sample(b->h, secs(now - b->t0));
		poll_children(b, now, b->sng_status < 0 && !b->sng_interrupted);
		if (now >= next_progress) {
			progress(b, now);
			next_progress += PROGRESS_EVERY_NS;
		}
	}
	close(b->sng_fd);
	kmsg_drain(&b->h->log);
}

static void finish_samplers(struct burnin *b)
{
	int64_t deadline = now_ns() + CHILD_GRACE_NS * (b->tcg ? 4 : 1);
	bool killed;
	int status;
	struct jval *v;

	if (b->isa.pid > 0) {
		v = finish_triage(&b->isa, deadline, &killed, &status);
		if (!killed)
			isa_round_done(b, v, status);
		json_free(v);
	}
	if (b->wake.pid > 0) {
		b->wake_result = finish_triage(&b->wake, deadline, &killed, &status);
		if (!b->wake_result)
			b->wake_problem = killed ? "triage wake did not finish in time" : "triage wake gave no result";
	}
}

/* ---- judging and writing ---- */

static const char advice_miscompare[] =
	"Results came out wrong under sustained load. On a bare host that is failing or overdriven hardware: load "
	"the BIOS defaults (no overclock or undervolt, memory at its JEDEC speed), update the BIOS and microcode "
	"and test again; if it repeats, replace the part the failing stressor exercises (vm: memory; cpu, matrix, "
	"vector and the ISA kernels: the CPU). In a guest, run the burn-in on the host itself.";

static const char advice_sigill[] =
	"The CPU advertises an instruction it does not execute, and stress-ng picked code by what it advertises. "
	"In a Proxmox VE guest choose a CPU type the host really supports (see the isa check's PVE type), and keep "
	"every node of a cluster on the same type; on a bare host update the BIOS and microcode.";

static const char advice_failed[] =
	"A stress-ng stressor crashed or failed under load. On a bare host, crashes under load point at unstable "
	"hardware (memory, CPU, power): load the BIOS defaults and test again, then test memory on its own "
	"(memtest86+). The stress-ng lines in the evidence name the stressor.";

static int sng_signal_of(const struct burnin *b, int *sig)
{
	for (int i = 0; i < b->nfail; i++)
		if (b->fails[i].kind == SNG_SIGNAL && b->fails[i].signal != SIGKILL) {
			*sig = b->fails[i].signal;
			return i;
		}
	return -1;
}

static void fail_lines(struct jw *w, const struct burnin *b, enum sng_line_kind kind, int max)
{
	jw_arr(w, "lines");
	for (int i = 0, k = 0; i < b->nfail && k < max; i++)
		if (b->fails[i].kind == kind || (kind == SNG_FAILED && b->fails[i].kind == SNG_SIGNAL)) {
			jw_str(w, NULL, b->fails[i].text);
			k++;
		}
	jw_arr_end(w);
}

static void findings_stress(struct burnin *b)
{
	int miscompares = 0, failed = 0, signals = 0, sig = 0, at;
	struct finding *f;

	for (int i = 0; i < b->ntally; i++) {
		miscompares += b->tally[i].miscompare;
		failed += b->tally[i].failed;
		signals += b->tally[i].signals;
	}
	if (miscompares > 0 || b->isa_wrong > 0) {
		f = check_finding(b->c, "burnin.miscompare", SEV_FAIL, advice_miscompare,
				  "Wrong results under load: %d stress-ng verification failure%s, %d of %d ISA round%s "
				  "with wrong results",
				  miscompares, miscompares == 1 ? "" : "s", b->isa_rounds_failed, b->isa_rounds,
				  b->isa_rounds == 1 ? "" : "s");
		jw_arr(&f->ev, "stressors");
		for (int i = 0; i < b->ntally; i++)
			if (b->tally[i].miscompare)
				jw_str(&f->ev, NULL, b->tally[i].name);
		jw_arr_end(&f->ev);
		jw_int(&f->ev, "stress_ng_miscompares", miscompares);
		fail_lines(&f->ev, b, SNG_MISCOMPARE, 4);
		jw_int(&f->ev, "isa_rounds", b->isa_rounds);
		jw_int(&f->ev, "isa_rounds_wrong", b->isa_rounds_failed);
		jw_arr(&f->ev, "isa_findings");
		for (int i = 0; i < b->nisa_ids; i++)
			jw_str(&f->ev, NULL, b->isa_ids[i]);
		jw_arr_end(&f->ev);
	}
	at = sng_signal_of(b, &sig);
	if (failed > 0 || signals > 0 || (b->sng_status == 2 && !miscompares) || b->sng_status == 5 ||
	    b->sng_status == 6) {
		bool only_killed = at < 0 && failed == 0 && signals > 0;

		if (at >= 0 && sig == SIGILL)
			f = check_finding(b->c, "burnin.stressor-failed", SEV_FAIL, advice_sigill,
					  "A stress-ng stressor died of SIGILL: an advertised instruction does not execute");
		else if (only_killed)
			f = check_finding(b->c, "burnin.stressor-failed", SEV_WARN,
					  "Something killed the stressor, most likely the OOM killer: give the machine "
					  "more memory or lower --mem-percent.",
					  "A stress-ng stressor was killed (SIGKILL)");
		else
			f = check_finding(b->c, "burnin.stressor-failed", SEV_FAIL, advice_failed,
					  "stress-ng failed under load: %s%s%s", sng_exit_meaning(b->sng_status),
					  at >= 0 ? ", " : "", at >= 0 ? strsignal(sig) : "");
		jw_int(&f->ev, "exit_code", b->sng_status);
		jw_str(&f->ev, "exit_meaning", sng_exit_meaning(b->sng_status));
		jw_int(&f->ev, "failures", failed);
		jw_int(&f->ev, "signals", signals);
		fail_lines(&f->ev, b, SNG_FAILED, 6);
	}
	if (b->isa_fault > 0) {
		f = check_finding(b->c, "burnin.stressor-failed", SEV_FAIL, advice_failed,
				  "Under load, ISA extensions that executed before now fault (%d time%s)", b->isa_fault,
				  b->isa_fault == 1 ? "" : "s");
		jw_arr(&f->ev, "isa_findings");
		for (int i = 0; i < b->nisa_ids; i++)
			jw_str(&f->ev, NULL, b->isa_ids[i]);
		jw_arr_end(&f->ev);
	}
}

/* wake.stall and wake.steal under load are the burn-in's own: a machine
 * that stalls when hot, or a host that takes the CPU from its guests. */
static void findings_wake(struct burnin *b)
{
	const struct jval *fl = b->wake_result ? json_get(b->wake_result, "findings") : NULL;

	for (size_t i = 0; fl && i < fl->len; i++) {
		const struct jval *it = fl->items[i];
		const char *id = json_str(it, "id", "");
		int sev = severity_from_name(json_str(it, "severity", "info"));
		struct finding *f;

		if ((strcmp(id, "wake.stall") && strcmp(id, "wake.steal")) || sev < SEV_WARN)
			continue;
		f = check_finding(b->c, id, (enum severity)sev, json_str(it, "advice", NULL), "Under load: %s",
				  json_str(it, "summary", ""));
		jw_value(&f->ev, "under_load", json_get(it, "evidence"));
	}
}

static void write_plan(struct burnin *b, struct jw *w)
{
	jw_obj(w, "plan");
	jw_arr(w, "stressors");
	for (int i = 0; i < b->plan.n; i++) {
		const char *what = NULL;

		for (int k = 0; k < sng_nstressors; k++)
			if (!strcmp(sng_stressors[k].name, b->plan.names[i]))
				what = sng_stressors[k].what;
		jw_obj(w, NULL);
		jw_str(w, "name", b->plan.names[i]);
		jw_str(w, "what", what);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_int(w, "instances", b->plan.instances);
	jw_int(w, "vm_bytes", b->plan.vm_bytes);
	jw_str(w, "dropped", b->plan.dropped[0] ? b->plan.dropped : NULL);
	jw_str(w, "glibc_tunables", b->plan.tunables[0] ? b->plan.tunables : NULL);
	jw_str(w, "isa_before", b->isa_pre_status);
	jw_arr(w, "advertised_not_executed");
	for (int i = 0; i < b->nbad; i++)
		jw_str(w, NULL, b->bad[i]);
	jw_arr_end(w);
	{
		char list[32] = "";

		for (size_t k = 0; k < ARRAY_SIZE(sampler_names); k++)
			if (sampler_names[k].bit ? b->samplers & sampler_names[k].bit : !b->samplers)
				str_append(list, sizeof(list), ",", "%s", sampler_names[k].name);
		jw_str(w, "samplers", list);
	}
	jw_str(w, "command", b->command);
	jw_obj_end(w);
}

static void write_stress(struct burnin *b, struct jw *w, const struct sng_result *r, const char *yaml_problem)
{
	jw_obj(w, "stress_ng");
	jw_str(w, "path", b->sng_path);
	jw_str(w, "version", r->version[0] ? r->version : NULL);
	jw_int(w, "exit_code", b->sng_status);
	jw_str(w, "exit_meaning", sng_exit_meaning(b->sng_status));
	jw_bool(w, "interrupted", b->sng_interrupted);
	jw_bool(w, "killed", b->sng_killed);
	jw_str(w, "yaml_problem", yaml_problem);
	jw_arr(w, "stressors");
	for (int i = 0; i < r->n; i++) {
		const struct sng_metrics *m = &r->m[i];
		struct sng_tally *t = tally_of(b, m->name);

		jw_obj(w, NULL);
		jw_str(w, "name", m->name);
		jw_num(w, "bogo_ops", m->bogo_ops);
		jw_num(w, "bogo_ops_per_s", m->bogo_ops_per_s);
		jw_num(w, "wall_s", m->wall_s);
		jw_num(w, "user_s", m->user_s);
		jw_num(w, "sys_s", m->sys_s);
		jw_num(w, "cpu_pct", m->cpu_pct);
		jw_int(w, "max_rss_kib", m->max_rss_kib);
		jw_int(w, "miscompares", t->miscompare);
		jw_int(w, "failures", t->failed);
		jw_int(w, "signals", t->signals);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "failures");
	for (int i = 0; i < b->nfail; i++) {
		static const char *const kinds[] = { "other", "miscompare", "failed", "signal", "error", "skipped" };

		jw_obj(w, NULL);
		jw_str(w, "kind", kinds[b->fails[i].kind]);
		jw_str(w, "line", b->fails[i].text);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_int(w, "log_lines", b->nlines);
	jw_arr(w, "log_tail");
	for (int i = b->ntail > LOG_TAIL ? b->ntail - LOG_TAIL : 0; i < b->ntail; i++)
		jw_str(w, NULL, b->tail[i % LOG_TAIL]);
	jw_arr_end(w);
	jw_obj_end(w);
}

static void write_samplers(struct burnin *b, struct jw *w)
{
	const struct jval *m = b->wake_result ? json_get(b->wake_result, "metrics") : NULL;
	const struct jval *fl = b->wake_result ? json_get(b->wake_result, "findings") : NULL;

	jw_obj(w, "isa");
	jw_bool(w, "enabled", b->samplers & SAMPLE_ISA);
	jw_int(w, "rounds", b->isa_rounds);
	jw_int(w, "rounds_failed", b->isa_rounds_failed);
	jw_int(w, "errors", b->isa_errors);
	jw_int(w, "iterations", atoi(ISA_ITERATIONS));
	jw_num(w, "period_s", secs(ISA_PERIOD_NS));
	jw_arr(w, "findings");
	for (int i = 0; i < b->nisa_ids; i++)
		jw_str(w, NULL, b->isa_ids[i]);
	jw_arr_end(w);
	jw_obj_end(w);

	jw_obj(w, "wake");
	jw_bool(w, "enabled", b->samplers & SAMPLE_WAKE);
	jw_str(w, "problem", b->wake_problem);
	jw_arr(w, "cpus");
	for (int i = 0; i < b->nwake_cpus; i++)
		jw_int(w, NULL, b->wake_cpus[i]);
	jw_arr_end(w);
	jw_num(w, "block_s", secs(b->wake_budget_ns));
	jw_str(w, "status", b->wake_result ? json_str(b->wake_result, "status", NULL) : NULL);
	jw_num(w, "overshoot_p99_worst_us", json_num(m, "overshoot_p99_worst_us", NAN));
	jw_num(w, "overshoot_max_worst_us", json_num(m, "overshoot_max_worst_us", NAN));
	jw_num(w, "samples", json_num(m, "samples", NAN));
	jw_arr(w, "findings");
	for (size_t i = 0; fl && i < fl->len; i++)
		jw_str(w, NULL, json_str(fl->items[i], "id", ""));
	jw_arr_end(w);
	jw_obj_end(w);
}

static void write_metrics(struct burnin *b, const struct sng_result *r, double load_s)
{
	struct jw *w = check_metrics(b->c);
	const struct jval *m = b->wake_result ? json_get(b->wake_result, "metrics") : NULL;
	double ops = 0;
	int miscompares = 0, failures = 0;

	for (int i = 0; i < r->n; i++)
		ops += r->m[i].bogo_ops;
	for (int i = 0; i < b->ntally; i++) {
		miscompares += b->tally[i].miscompare;
		failures += b->tally[i].failed + b->tally[i].signals;
	}
	jw_num(w, "duration_planned_s", secs(b->duration_ns));
	jw_num(w, "load_s", load_s);
	jw_int(w, "stressors", b->plan.n);
	jw_int(w, "instances", b->plan.instances);
	jw_num(w, "bogo_ops", ops);
	jw_int(w, "stress_ng_exit", b->sng_status);
	jw_int(w, "miscompares", miscompares + b->isa_wrong);
	jw_int(w, "stressor_failures", failures);
	jw_int(w, "isa_rounds", b->isa_rounds);
	jw_int(w, "isa_rounds_failed", b->isa_rounds_failed);
	/* CPU time, from the kernel's accounting of each process: what the
	 * samplers took beside what stress-ng got. */
	jw_num(w, "load_cpu_s", b->sng_cpu_s);
	jw_num(w, "health_cpu_s", b->self_cpu_s);
	jw_num(w, "isa_cpu_s", b->isa.cpu_s);
	jw_num(w, "wake_cpu_s", b->wake.cpu_s);
	jw_num(w, "sampler_cpu_pct", b->sng_cpu_s > 0 ? 100.0 * (b->self_cpu_s + b->isa.cpu_s + b->wake.cpu_s) /
								 (b->sng_cpu_s + b->self_cpu_s + b->isa.cpu_s + b->wake.cpu_s)
							: NAN);
	jw_num(w, "wake_p99_us", json_num(m, "overshoot_p99_worst_us", NAN));
	jw_num(w, "wake_max_us", json_num(m, "overshoot_max_worst_us", NAN));
	health_write_metrics(b->h, w);
}

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
	} else if (!find_in_path("stress-ng", b.sng_path, sizeof(b.sng_path))) {
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

	isa_prescan(&b);
	avail = mem_available();
	{
		const char *bad[ARRAY_SIZE(b.bad)];
		int pct = vals[O_MEM_PERCENT].set ? (int)vals[O_MEM_PERCENT].num : DEFAULT_MEM_PERCENT;
		int ids[1024], ncpu = online_cpus(ids, 1024);
		int inst = vals[O_WORKERS].set ? (int)vals[O_WORKERS].num : (ncpu > 0 ? ncpu : 1);

		for (int i = 0; i < b.nbad; i++)
			bad[i] = b.bad[i];
		if (sng_plan_make(&b.plan, bad, b.nbad, vals[O_STRESSORS].set ? vals[O_STRESSORS].str : NULL, inst,
				  vm_bytes(avail, pct, inst), err, sizeof(err)) < 0) {
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

	if (!sng_start(&b)) {
		remove_work(&b);
		free(b.h);
		return check_end(&c, ST_ERROR, "cannot start stress-ng");
	}
	check_note(&c, "%s", b.command);
	load_start = b.t0 = now_ns();
	getrusage(RUSAGE_SELF, &ru0);
	health_sample(b.h, 0);
	run_load(&b);
	load_s = secs(now_ns() - load_start);
	finish_samplers(&b);
	getrusage(RUSAGE_SELF, &ru1);
	b.self_cpu_s = cpu_of(&ru1) - cpu_of(&ru0);
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

	findings_stress(&b);
	findings_wake(&b);
	if (b.samplers & SAMPLE_HEALTH)
		health_findings(b.h, b.vm, &c);

	write_metrics(&b, &r, load_s);
	{
		struct jw *w = check_data(&c);

		write_plan(&b, w);
		write_stress(&b, w, &r, yaml_problem);
		write_samplers(&b, w);
		health_write_data(b.h, w);
	}
	json_free(b.wake_result);
	remove_work(&b);
	free(b.h);
	if (r.n == 0 && (b.sng_status == 1 || b.sng_status == 127)) {
		snprintf(err, sizeof(err), "stress-ng did not run (exit %d): %s", b.sng_status,
			 b.ntail ? b.tail[(b.ntail - 1) % LOG_TAIL] : "no output");
		return check_end(&c, ST_ERROR, err);
	}
	if (stop_signal) {
		snprintf(err, sizeof(err), "stopped early by %s after %.0f s of %.0f s", strsignal(stop_signal), load_s,
			 secs(b.duration_ns));
		return check_end(&c, -1, err);
	}
	return check_end(&c, -1, NULL);
}
