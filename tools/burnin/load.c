/* triage burnin: the children and the load. stress-ng's log is read as it
 * comes; beside it, rounds of `triage isa` and one `triage wake` run as
 * children writing JSON files; every interval the health is sampled. */
#include "command.h"

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

#include "lib/procfs.h"

double burnin_cpu_of(const struct rusage *ru)
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

	snprintf(ch->out, sizeof(ch->out), "%s/%s.json", b->dir, tag);
	triage_child_argv(argv, (int)ARRAY_SIZE(argv), name, args, ch->out);
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
	ch->cpu_s += burnin_cpu_of(&ru);
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
		ch->cpu_s += burnin_cpu_of(&ru);
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

void burnin_isa_prescan(struct burnin *b)
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

bool burnin_find_in_path(const char *name, char *out, size_t size)
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

long long burnin_mem_available(void)
{
	struct meminfo mi;

	return meminfo_read(&mi) == 0 ? sat_mul_i64(mi.avail_kib, 1024) : 0;
}

/* Per vm instance: the share of MemAvailable, at most VM_BYTES_MAX, in MiB. */
long long burnin_vm_bytes(long long avail, int pct, int instances)
{
	long long per = avail > 0 ? avail / 100 * pct / instances : 0;

	if (per > VM_BYTES_MAX)
		per = VM_BYTES_MAX;
	return per & ~((1LL << 20) - 1);
}

struct sng_tally *burnin_tally_of(struct burnin *b, const char *name)
{
	for (int i = 0; i < b->ntally; i++)
		if (!strcmp(b->tally[i].name, name))
			return &b->tally[i];
	if (b->ntally == (int)ARRAY_SIZE(b->tally))
		return &b->tally[b->ntally - 1];
	strlcpy_(b->tally[b->ntally].name, name, sizeof(b->tally[0].name));
	return &b->tally[b->ntally++];
}

void burnin_sng_line(struct burnin *b, const char *line)
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
		t = burnin_tally_of(b, l.stressor[0] ? l.stressor : "?");
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
			burnin_sng_line(b, b->linebuf);
			b->linelen = 0;
		}
		return false;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n' || b->linelen == sizeof(b->linebuf) - 1) {
			b->linebuf[b->linelen] = '\0';
			if (b->linelen)
				burnin_sng_line(b, b->linebuf);
			b->linelen = 0;
		} else {
			b->linebuf[b->linelen++] = buf[i];
		}
	}
	return true;
}

bool burnin_sng_start(struct burnin *b)
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
		b->sng_cpu_s = burnin_cpu_of(&ru); /* stress-ng and the workers it waited for */
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

void burnin_run_load(struct burnin *b)
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

		if (burnin_stop_signal && !b->sng_interrupted) {
			check_note(b->c, "stopping early (%s): collecting what ran", strsignal(burnin_stop_signal));
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

void burnin_finish_samplers(struct burnin *b)
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
