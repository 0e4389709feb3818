/* triage run: the orchestrator.
 *
 * Collects the system facts, runs each check as a child process with a time
 * limit, judges what comes back (a crash, a hang or garbage output becomes a
 * check in error, and the run goes on), writes the report to the output
 * folder and then to the report disk, and exits with the verdict. Options
 * come from argv or, as init starts it, from the kernel command line. */
#include "run/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "lib/cmdline.h"
#include "lib/hypervisor.h"
#include "lib/kmsg.h"
#include "lib/verdict.h"
#include "report/report.h"
#include "run/disk.h"
#include "run/screen.h"
#include "sysinfo/sysinfo.h"

#ifndef VMTRIAGE_VERSION
#define VMTRIAGE_VERSION "0.1"
#endif

#define MARK_BEGIN "-----BEGIN VMTRIAGE REPORT-----"
#define MARK_END "-----END VMTRIAGE REPORT-----"
/* Time limits in commands.h are for hardware; TCG runs vector code about
 * 60x slower, and the checks size their quick mode by a time budget, so a
 * modest stretch suffices. */
#define EMULATION_STRETCH 4
/* At most this often a progress line per check on the console. */
#define PROGRESS_INTERVAL_NS 2000000000LL
#define MAX_OUTPUT (16 << 20)
/* Over a check's own --duration: what it does before and after its timed
 * part (the burn-in's ISA scan, stress-ng stopping, the samplers ending). */
#define DURATION_MARGIN_S 120

const struct opt run_opts[] = {
	{ "mode", 'm', OPT_CHOICE, "quick|standard|burnin", "how long and how hard to test (default quick)", 0, 0 },
	{ "tests", 't', OPT_STR, "LIST", "checks to run, comma-separated (default: all)", 0, 0 },
	{ "report", 'r', OPT_STR, "TARGET", "report disk: auto, none, LABEL=x, UUID=x or /dev/x", 0, 0 },
	{ "no-disk", 0, OPT_FLAG, NULL, "write no report disk (same as --report=none)", 0, 0 },
	{ "out-dir", 'd', OPT_STR, "DIR", "folder for the report (default /run/triage)", 0, 0 },
	{ "kernel-cmdline", 0, OPT_FLAG, NULL, "read triage.* options from /proc/cmdline", 0, 0 },
	{ "cmdline", 0, OPT_STR, "TEXT", "read triage.* options from TEXT", 0, 0 },
	{ "serial-json", 0, OPT_FLAG, NULL, "end with the report JSON between marker lines", 0, 0 },
	{ "color", 0, OPT_FLAG, NULL, "colour the verdict screen (ANSI)", 0, 0 },
	{ "quiet", 'q', OPT_FLAG, NULL, "no progress", 0, 0 },
	{ "screen", 0, OPT_STR, "TTY", "progress in place and the verdict page on this terminal (e.g. /dev/tty1)", 0, 0 },
	{ "help", 'h', OPT_FLAG, NULL, "show this help", 0, 0 },
	{ 0 },
};
enum { O_MODE, O_TESTS, O_REPORT, O_NODISK, O_OUTDIR, O_KCMD, O_CMDLINE, O_SERIAL, O_COLOR, O_QUIET, O_SCREEN, O_HELP };

/* Options a knob may not set: the run owns them. */
static const char *const reserved_knobs[] = { "mode", "output", "quiet", "help" };

struct plan {
	struct triage_cmdline cl;
	/* Each knob as validate() parsed it against its check's options, so
	 * the run uses the value it checked (the child gets the same text). */
	struct optv knob_val[CMDLINE_MAX_KNOBS];
	enum mode mode;
	const struct command *checks[16];
	int nchecks;
	const char *outdir;
	bool quiet;
	int stretch;
	struct kmsg_watch kmsg;
	int64_t t0;
	char started[32];	/* UTC, ISO 8601 */
	char machine_id[9];
	struct screen scr;	/* --screen: fd -1 without */
	int current;		/* index of the running check */
};

static void say(const struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct plan *p, const char *fmt, ...)
{
	va_list ap;

	if (p->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The checks named by triage.tests, or by default every check of the mode
 * (the burn-in only in burn-in mode). */
static bool wanted(const struct triage_cmdline *cl, const struct command *c, enum mode mode)
{
	if (cl->ntests == 0)
		return c->is_check == CHECK_EVERY_MODE || (c->is_check == CHECK_BURNIN_MODE && mode == MODE_BURNIN);
	for (int i = 0; i < cl->ntests; i++)
		if (strcmp(cl->tests[i], c->name) == 0)
			return true;
	return false;
}

/* A check that runs for a set time (triage.burnin.duration=2h) gets that
 * time plus a margin instead of its mode's limit. */
static int limit_for(const struct plan *p, const struct command *c)
{
	int limit = c->limit_s[p->mode] * p->stretch;

	for (int i = 0; i < p->cl.nknobs; i++) {
		const struct knob *k = &p->cl.knobs[i];

		if (!strcmp(k->check, c->name) && !strcmp(k->name, "duration"))
			limit = (int)(p->knob_val[i].num / 1000000000LL) + DURATION_MARGIN_S * p->stretch;
	}
	return limit;
}

/* Checks knobs and test names against the command table; a bad one becomes
 * a problem and is dropped. */
static void validate(struct plan *p)
{
	struct triage_cmdline *cl = &p->cl;
	int keep = 0;

	for (int i = 0; i < cl->ntests; i++) {
		const struct command *c = command_find(cl->tests[i]);

		if (!c || !c->is_check)
			cmdline_problem(cl, "triage.tests: '%s' is not a check; ignored", cl->tests[i]);
		else
			memmove(cl->tests[keep++], cl->tests[i], sizeof(cl->tests[0]));
	}
	if (cl->ntests && !keep)
		cmdline_problem(cl, "triage.tests names no known check; running all");
	cl->ntests = keep;

	keep = 0;
	for (int i = 0; i < cl->nknobs; i++) {
		struct knob *k = &cl->knobs[i];
		const struct command *c = command_find(k->check);
		const struct opt *o = c && c->is_check ? opt_find(c->opts, k->name) : NULL;
		struct optv v = { 0 };
		char err[200];
		bool reserved = false;

		for (size_t r = 0; r < ARRAY_SIZE(reserved_knobs); r++)
			reserved |= strcmp(k->name, reserved_knobs[r]) == 0;
		if (!c || !c->is_check) {
			cmdline_problem(cl, "triage.%s.%s: '%s' is not a check; ignored", k->check, k->name, k->check);
		} else if (!o || reserved) {
			cmdline_problem(cl, "triage.%s.%s: '%s' has no option '%s'; ignored", k->check, k->name, k->check, k->name);
		} else if (opt_value(o, k->value, &v, err, sizeof(err)) < 0) {
			cmdline_problem(cl, "triage.%s.%s=%s: %s; ignored", k->check, k->name, k->value, err);
		} else {
			cl->knobs[keep] = *k;
			p->knob_val[keep] = v;
			p->knob_val[keep].str = cl->knobs[keep].value;
			keep++;
		}
	}
	cl->nknobs = keep;
}

static bool knob_set(const struct plan *p, const char *check, const char *name)
{
	for (int i = 0; i < p->cl.nknobs; i++)
		if (!strcmp(p->cl.knobs[i].check, check) && !strcmp(p->cl.knobs[i].name, name))
			return true;
	return false;
}

static int child_argv(const struct plan *p, const struct command *c, char **argv, char bufs[][160], int max)
{
	int n = 0, b = 0;

	argv[n++] = "triage";
	argv[n++] = (char *)c->name;
	argv[n++] = "--mode";
	argv[n++] = (char *)mode_name(p->mode);
	for (int i = 0; i < p->cl.nknobs && n < max - 2; i++) {
		const struct knob *k = &p->cl.knobs[i];

		if (strcmp(k->check, c->name) != 0)
			continue;
		snprintf(bufs[b], 160, "--%s=%s", k->name, k->value);
		argv[n++] = bufs[b++];
	}
	/* The post-mortem judges traps against isa's result of this run (isa
	 * runs before it, in table order), read from its JSON: isa never runs
	 * twice. Without isa in the run, it decodes only. */
	if (!strcmp(c->name, "postmortem") && !knob_set(p, "postmortem", "isa") && n < max - 1 &&
	    b < CMDLINE_MAX_KNOBS) {
		bool isa_ran = false;

		for (int i = 0; i < p->nchecks; i++)
			isa_ran |= !strcmp(p->checks[i]->name, "isa");
		if (!isa_ran || snprintf(bufs[b], 160, "--isa=%s/isa.json", p->outdir) >= 160)
			snprintf(bufs[b], 160, "--isa=none");
		argv[n++] = bufs[b++];
	}
	argv[n] = NULL;
	return n;
}

/* A progress line: which check, a bar, elapsed and (estimated) remaining. */
static void progress_line(const struct plan *p, const char *name, double frac, double elapsed, const char *left,
			  const char *what)
{
	enum { BAR = 20 };
	char bar[BAR + 1];
	int fill = (int)(frac * BAR + 0.5);

	for (int i = 0; i < BAR; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR] = '\0';
	say(p, "  [%s] [%s] %3.0f%%  %.0f s, %s  %s", name, bar, frac * 100, elapsed, left, what);
}

/* Shows the child's stderr: progress (at most every PROGRESS_INTERVAL_NS),
 * notes, failures and anything that is not TAP; every line goes to the
 * check's log in full. */
static void relay_line(struct plan *p, const char *name, const char *line, int64_t t0, int limit,
		       int64_t *last_progress)
{
	double frac;
	int off = 0;

	if (sscanf(line, "# progress %lf %n", &frac, &off) == 1 && off > 0) {
		int64_t now = now_ns();
		double elapsed = (double)(now - t0) / 1e9;
		char left[32];

		if (frac > 0.05)
			snprintf(left, sizeof(left), "~%.0f s left", elapsed / frac - elapsed);
		else
			snprintf(left, sizeof(left), "limit %d s", limit);
		screen_progress(&p->scr, p->current, frac, elapsed, left, line + off, false);
		if (now - *last_progress >= PROGRESS_INTERVAL_NS) {
			*last_progress = now;
			progress_line(p, name, frac, elapsed, left, line + off);
		}
		return;
	}
	/* "ok N - ..." and the plan line are the quiet part of TAP. */
	if (!strncmp(line, "ok ", 3) || !strncmp(line, "1..", 3))
		return;
	say(p, "  [%s] %s", name, line);
}

static void run_one(struct plan *p, const struct command *c, struct check_result *r)
{
	char path[512], logpath[512], bufs[CMDLINE_MAX_KNOBS][160], line[1024];
	char *argv[8 + CMDLINE_MAX_KNOBS];
	int limit = limit_for(p, c), pfd[2], outfd, logfd, wstatus = 0;
	size_t linelen = 0, outlen = 0;
	int64_t t0 = now_ns(), deadline, last = 0;
	bool timed_out = false, eof = false;
	const char *fault = NULL;
	char *out;
	pid_t pid;

	r->name = c->name;
	child_argv(p, c, argv, bufs, (int)ARRAY_SIZE(argv));
	snprintf(path, sizeof(path), "%s/%s.json", p->outdir, c->name);
	snprintf(logpath, sizeof(logpath), "%s/%s.log", p->outdir, c->name);
	if (!strcmp(p->cl.fault_check, c->name))
		fault = p->cl.fault_kind;
	/* cmdline_parse bounds it (CMDLINE_TIMELIMIT_MAX_S), so it fits an int. */
	if (p->cl.timelimit_ns > 0 && p->cl.timelimit_ns <= CMDLINE_TIMELIMIT_MAX_S * 1000000000LL)
		limit = (int)(p->cl.timelimit_ns / 1000000000LL);

	deadline = t0 + (int64_t)limit * 1000000000LL;
	outfd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (outfd < 0 || pipe2(pfd, O_CLOEXEC) < 0) {
		r->status = ST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "cannot start: %s", strerror(errno));
		goto out_close;
	}
	say(p, "[%s] running (time limit %d s)", c->name, limit);
	{
		char left[32];

		snprintf(left, sizeof(left), "limit %d s", limit);
		screen_progress(&p->scr, p->current, 0, 0, left, "starting", true);
	}
	pid = fork();
	if (pid < 0) {
		r->status = ST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "cannot start: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		goto out_close;
	}
	if (pid == 0) {
		/* Own process group: a time-out kills the check and its workers. */
		setpgid(0, 0);
		dup2(outfd, 1);
		dup2(pfd[1], 2);
		if (fault)
			setenv("VMTRIAGE_FAULT", fault, 1);
		execv("/proc/self/exe", argv);
		fprintf(stderr, "cannot run triage %s: %s\n", c->name, strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	while (!eof) {
		struct pollfd pf[2] = { { .fd = pfd[0], .events = POLLIN }, { .fd = p->kmsg.fd, .events = POLLIN } };
		int64_t left = deadline - now_ns();
		char buf[4096];
		ssize_t n;

		if (left <= 0) {
			timed_out = true;
			kill(-pid, SIGKILL);
			break;
		}
		if (poll(pf, p->kmsg.fd >= 0 ? 2 : 1, (int)(left / 1000000 + 1)) <= 0)
			continue;
		if (pf[1].revents & POLLIN)
			kmsg_drain(&p->kmsg);
		if (!(pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(pfd[0], buf, sizeof(buf));
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			eof = true;
			break;
		}
		if (logfd >= 0 && write(logfd, buf, (size_t)n) < 0) {
			close(logfd);
			logfd = -1;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || linelen == sizeof(line) - 1) {
				line[linelen] = '\0';
				relay_line(p, c->name, line, t0, limit, &last);
				linelen = 0;
			} else {
				line[linelen++] = buf[i];
			}
		}
	}
	close(pfd[0]);
	/* The pipe closes when the check exits, or earlier if it closed
	 * stderr itself: wait for it, within the same deadline. */
	while (waitpid(pid, &wstatus, timed_out ? 0 : WNOHANG) == 0) {
		if (now_ns() >= deadline) {
			timed_out = true;
			kill(-pid, SIGKILL);
		} else {
			usleep(20000);
		}
	}
	kill(-pid, SIGKILL); /* workers the check left behind */
	r->seconds = (double)(now_ns() - t0) / 1e9;
	out = read_file(path, MAX_OUTPUT, &outlen);
	judge_child(r, wstatus, timed_out, limit, out ? out : "", out ? outlen : 0);
	free(out);
	say(p, "[%s] %s%s%s (%.1f s)", c->name, status_name(r->status), r->reason[0] ? ": " : "", r->reason, r->seconds);
	screen_done(&p->scr, p->current, status_name(r->status), r->seconds, r->reason);
out_close:
	if (outfd >= 0)
		close(outfd);
	if (logfd >= 0)
		close(logfd);
}

/* Writes a check's object: its own JSON with the run's judgement on top. */
static void write_test(struct jw *w, const struct check_result *r)
{
	static const char *const own[] = { "name", "status", "reason" };

	jw_obj(w, r->name);
	jw_str(w, "name", r->name);
	jw_str(w, "status", status_name(r->status));
	jw_str(w, "reason", r->reason[0] ? r->reason : NULL);
	if (r->json) {
		for (size_t i = 0; i < r->json->len; i++) {
			bool skip = false;

			for (size_t k = 0; k < ARRAY_SIZE(own); k++)
				skip |= strcmp(r->json->keys[i], own[k]) == 0;
			if (!skip)
				jw_value(w, r->json->keys[i], r->json->items[i]);
		}
	} else {
		jw_num(w, "duration_s", r->seconds);
		jw_obj(w, "metrics");
		jw_obj_end(w);
		jw_obj(w, "data");
		jw_obj_end(w);
		jw_arr(w, "findings");
		jw_arr_end(w);
	}
	jw_obj_end(w);
}

struct disk_state {
	const char *target;
	bool found, written;
	struct report_disk d;
	char dirname[64];
	char error[256];
};

/* The verdict, the findings counted by severity, and what to look at first
 * (lib/verdict): the checks in table order, then the kernel log, then
 * checks that could not complete. */
static void write_verdict(struct jw *w, const struct plan *p, const struct check_result *res, int n,
			  enum status verdict)
{
	struct verdict v;

	verdict_init(&v);
	for (int i = 0; i < n; i++)
		verdict_add_findings(&v, res[i].name, json_get(res[i].json, "findings"));
	for (int r = 0; r < kmsg_nrules; r++) {
		char summary[200];

		if (!p->kmsg.hits[r].count)
			continue;
		kmsg_summary(&p->kmsg, r, summary, sizeof(summary));
		verdict_add(&v, "kernel_log", kmsg_rules[r].id, kmsg_rule_sev(r), summary, kmsg_rules[r].advice);
	}
	for (int i = 0; i < n; i++)
		if (res[i].status == ST_ERROR)
			verdict_add_error(&v, res[i].name, res[i].reason);
	verdict_write(&v, w, verdict);
	verdict_free(&v);
}

static char *build_report(const struct plan *p, const struct check_result *res, int n, enum status verdict,
			  const struct disk_state *ds, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct jw w;

	if (!f)
		dief("out of memory");
	jw_init(&w, f, 2);
	jw_obj(&w, NULL);
	jw_str(&w, "schema", REPORT_SCHEMA_NAME);
	jw_obj(&w, "tool");
	jw_str(&w, "name", "vmtriage");
	jw_str(&w, "version", VMTRIAGE_VERSION);
	jw_obj_end(&w);
	jw_str(&w, "machine_id", p->machine_id);
	jw_obj(&w, "run");
	jw_str(&w, "mode", mode_name(p->mode));
	jw_str(&w, "started_utc", p->started);
	jw_str(&w, "out_dir", p->outdir);
	jw_num(&w, "duration_s", (double)(now_ns() - p->t0) / 1e9);
	jw_arr(&w, "tests");
	for (int i = 0; i < p->nchecks; i++)
		jw_str(&w, NULL, p->checks[i]->name);
	jw_arr_end(&w);
	jw_arr(&w, "problems");
	for (int i = 0; i < p->cl.nproblems; i++)
		jw_str(&w, NULL, p->cl.problems[i]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	sysinfo_write(&w, "system");
	jw_obj(&w, "tests");
	for (int i = 0; i < n; i++)
		write_test(&w, &res[i]);
	jw_obj_end(&w);
	kmsg_write(&p->kmsg, &w, "kernel_log");
	jw_obj(&w, "report_disk");
	jw_str(&w, "target", ds->target);
	jw_str(&w, "device", ds->found ? ds->d.dev : NULL);
	jw_str(&w, "filesystem", ds->found ? ds->d.fs.type : NULL);
	jw_str(&w, "label", ds->found ? ds->d.fs.label : NULL);
	jw_strf(&w, "path", "vmtriage/%s", ds->dirname);
	jw_bool(&w, "written", ds->written);
	jw_str(&w, "error", ds->error[0] ? ds->error : NULL);
	jw_obj_end(&w);
	write_verdict(&w, p, res, n, verdict);
	jw_obj_end(&w);
	if (fclose(f) != 0 || w.misuse)
		dief("internal error building the report");
	return buf;
}

/* The report in every form, all from one JSON text. */
struct outputs {
	char *json, *text, *html;
	size_t jlen, tlen, hlen;
	struct jval *rep;
};

static void outputs_free(struct outputs *o)
{
	free(o->json);
	free(o->text);
	free(o->html);
	json_free(o->rep);
	memset(o, 0, sizeof(*o));
}

/* Builds the report, renders report.txt and report.html from its JSON, and
 * writes all three to the output folder (again, if the report disk's
 * outcome changes what the report says). */
static void publish(const struct plan *p, const struct check_result *res, int n, enum status verdict,
		    const struct disk_state *ds, struct outputs *o)
{
	char err[160];

	outputs_free(o);
	o->json = build_report(p, res, n, verdict, ds, &o->jlen);
	o->rep = json_parse(o->json, o->jlen, err, sizeof(err));
	if (!o->rep)
		dief("internal error: the report is not valid JSON (%s)", err);
	o->text = render_text(o->rep, &o->tlen);
	o->html = render_html(o->rep, &o->hlen);
	if (write_file_atomic(p->outdir, "report.json", o->json, o->jlen) < 0 ||
	    write_file_atomic(p->outdir, "report.txt", o->text, o->tlen) < 0 ||
	    write_file_atomic(p->outdir, "report.html", o->html, o->hlen) < 0)
		warn_msg("cannot write the report to %s: %s", p->outdir, strerror(errno));
}

static int mkdir_p(const char *path)
{
	char buf[512];

	strlcpy_(buf, path, sizeof(buf));
	for (char *s = buf + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* --screen: the checks' lines in place of the serial console's log. */
static void screen_start(struct plan *p, const char *tty, bool color, const struct hypervisor *hv)
{
	const char *names[SCREEN_MAX_CHECKS];
	char title[200];

	p->scr.fd = -1;
	if (!tty)
		return;
	if (screen_open(&p->scr, tty, color) < 0) {
		warn_msg("cannot open the screen %s: %s", tty, strerror(errno));
		return;
	}
	for (int i = 0; i < p->nchecks && i < SCREEN_MAX_CHECKS; i++)
		names[i] = p->checks[i]->name;
	snprintf(title, sizeof(title), "vmtriage %s: %s triage of %s%s%s", VMTRIAGE_VERSION, mode_name(p->mode),
		 hv->vm ? "a virtual machine" : "this machine", hv->name ? ", " : "", hv->name ? hv->name : "");
	screen_begin(&p->scr, title, names, p->nchecks);
	for (int i = 0; i < p->cl.nproblems; i++) {
		char line[200];

		snprintf(line, sizeof(line), "option problem (ignored): %s", p->cl.problems[i]);
		screen_note(&p->scr, line);
	}
}

/* The verdict page: drawn now with what happens next, and kept in the
 * output folder with the keys for init to draw again after the report
 * viewer or a shell. */
static void screen_end(struct plan *p, const struct jval *rep, bool booted)
{
	static const char *const next[] = {
		[AFTER_WAIT] = SCREEN_KEYS,
		[AFTER_POWEROFF] = "Powering off (triage.after=poweroff).",
		[AFTER_REBOOT] = "Rebooting (triage.after=reboot).",
		[AFTER_SHELL] = "A shell follows; `exit` in it brings this page back.",
	};
	struct page_opts o;
	char *page;
	size_t len;

	if (p->scr.fd < 0)
		return;
	o = p->scr.page;
	o.keys = SCREEN_KEYS;
	page = screen_page(rep, &o, &len);
	if (booted && write_file_atomic(p->outdir, SCREEN_PAGE_FILE, page, len) < 0)
		warn_msg("cannot keep the verdict page in %s: %s", p->outdir, strerror(errno));
	free(page);
	o.keys = booted ? next[p->cl.after] : NULL;
	page = screen_page(rep, &o, &len);
	screen_write(&p->scr, page, len);
	free(page);
	screen_close(&p->scr);
}

static void usage(void)
{
	printf("usage: triage run [options]\n\n"
	       "Runs the checks (each a child with a time limit), judges the findings,\n"
	       "and writes report.json, report.txt and report.html to the output folder\n"
	       "and, when a report disk is named or found, to vmtriage/<time>-<id>/ on it.\n\noptions:\n");
	opt_help(stdout, run_opts);
	printf("\nexit status: the verdict: 0 pass, 2 warn, 1 fail, 3 error\n");
}

int cmd_run(int argc, char **argv)
{
	struct optv v[ARRAY_SIZE(run_opts)] = { 0 };
	struct check_result res[16] = { 0 };
	struct disk_state ds = { 0 };
	struct hypervisor hv;
	struct plan p = { 0 };
	struct outputs o = { 0 };
	char err[256], stamp[32];
	int pos, n = 0;
	enum status verdict;

	p.t0 = now_ns();
	setvbuf(stderr, NULL, _IOLBF, 0);
	pos = opt_parse(run_opts, v, argc, argv, err, sizeof(err));
	if (pos < 0 || pos < argc) {
		fprintf(stderr, "triage run: %s\n", pos < 0 ? err : "takes no arguments (see --help)");
		return EXIT_ERROR;
	}
	if (v[O_HELP].set) {
		usage();
		return 0;
	}

	/* The command line first, then explicit options on top. */
	ds.target = "none";
	if (v[O_KCMD].set || v[O_CMDLINE].set) {
		char *text_cl = v[O_CMDLINE].set ? xstrdup(v[O_CMDLINE].str) : read_file("/proc/cmdline", 65536, NULL);

		cmdline_parse(text_cl ? text_cl : "", &p.cl);
		free(text_cl);
		ds.target = p.cl.report;
	} else {
		cmdline_parse("", &p.cl);
	}
	/* The shell mode runs no check: init never starts the run in it. */
	p.mode = p.cl.mode == MODE_SHELL ? MODE_QUICK : p.cl.mode;
	if (v[O_MODE].set)
		p.mode = (enum mode)mode_from_name(v[O_MODE].str);
	if (v[O_TESTS].set) {
		struct triage_cmdline tmp;

		cmdline_parse("", &tmp);
		cmdline_set(&tmp, "tests", v[O_TESTS].str);
		memcpy(p.cl.tests, tmp.tests, sizeof(tmp.tests));
		p.cl.ntests = tmp.ntests;
		for (int i = 0; i < tmp.nproblems; i++)
			cmdline_problem(&p.cl, "--tests: %s", tmp.problems[i]);
	}
	if (v[O_REPORT].set) {
		if (!report_target_valid(v[O_REPORT].str)) {
			fprintf(stderr, "triage run: --report=%s: expected auto, none, LABEL=x, UUID=x or /dev/x\n", v[O_REPORT].str);
			return EXIT_ERROR;
		}
		ds.target = v[O_REPORT].str;
	}
	if (v[O_NODISK].set)
		ds.target = "none";
	p.outdir = v[O_OUTDIR].set ? v[O_OUTDIR].str : "/run/triage";
	p.quiet = v[O_QUIET].set;
	hypervisor_detect(&hv);
	p.stretch = hv.name && !strcmp(hv.name, "QEMU TCG") ? EMULATION_STRETCH : 1;
	validate(&p);
	if (kmsg_open(&p.kmsg) < 0)
		cmdline_problem(&p.cl, "the kernel log cannot be read (%s): kernel.* findings are off", strerror(errno));
	for (int i = 0; i < ncommands; i++)
		if (commands[i].is_check && wanted(&p.cl, &commands[i], p.mode) && p.nchecks < (int)ARRAY_SIZE(p.checks))
			p.checks[p.nchecks++] = &commands[i];
	if (mkdir_p(p.outdir) < 0) {
		fprintf(stderr, "triage run: cannot create %s: %s\n", p.outdir, strerror(errno));
		return EXIT_ERROR;
	}

	utc_stamp(p.started, sizeof(p.started), false);
	utc_stamp(stamp, sizeof(stamp), true);
	machine_id(p.machine_id);
	snprintf(ds.dirname, sizeof(ds.dirname), "%s-%s", stamp, p.machine_id);
	say(&p, "vmtriage %s: %s triage of %s%s, %d check%s", VMTRIAGE_VERSION, mode_name(p.mode),
	    hv.vm ? "a virtual machine" : "this machine", hv.name ? (hv.name[0] == 'Q' ? " (QEMU TCG)" : "") : "",
	    p.nchecks, p.nchecks == 1 ? "" : "s");
	for (int i = 0; i < p.cl.nproblems; i++)
		say(&p, "option problem: %s", p.cl.problems[i]);
	screen_start(&p, v[O_SCREEN].set ? v[O_SCREEN].str : NULL, v[O_COLOR].set, &hv);

	for (int i = 0; i < p.nchecks; i++) {
		p.current = i;
		run_one(&p, p.checks[i], &res[n++]);
	}
	screen_note(&p.scr, "Writing the report...");
	kmsg_drain(&p.kmsg);
	verdict = verdict_with_kernel(verdict_of(res, n), kmsg_worst(&p.kmsg));

	if (strcmp(ds.target, "none") != 0) {
		ds.found = report_disk_find(ds.target, &ds.d, ds.error, sizeof(ds.error)) == 0;
	} else {
		snprintf(ds.error, sizeof(ds.error), "no report disk requested");
	}
	/* The disk's copy says it was written there; if writing fails, the
	 * output folder's copy is published again to say why. */
	ds.written = ds.found;
	publish(&p, res, n, verdict, &ds, &o);
	if (ds.found) {
		const struct report_file files[] = {
			{ "report.json", o.json, o.jlen },
			{ "report.txt", o.text, o.tlen },
			{ "report.html", o.html, o.hlen },
		};
		char mnt[600];

		snprintf(mnt, sizeof(mnt), "%s/mnt", p.outdir);
		if (report_disk_write(&ds.d, mnt, ds.dirname, files, (int)ARRAY_SIZE(files), ds.error, sizeof(ds.error)) < 0) {
			ds.written = false;
			publish(&p, res, n, verdict, &ds, &o);
		}
	}

	if (!p.quiet) {
		size_t slen;
		char *screen = render_screen(o.rep, v[O_COLOR].set, &slen);

		fwrite(o.text, 1, o.tlen, stderr);
		fwrite(screen, 1, slen, stderr);
		free(screen);
	}
	if (v[O_SERIAL].set) {
		/* One line of JSON between markers: CI reads it off the serial log. */
		char *line = json_to_string(o.rep, 0, NULL);

		fflush(stderr);
		printf("%s\n%s\n%s\n", MARK_BEGIN, line, MARK_END);
		fflush(stdout);
		free(line);
	}
	screen_end(&p, o.rep, v[O_KCMD].set);
	for (int i = 0; i < n; i++)
		json_free(res[i].json);
	kmsg_close(&p.kmsg);
	outputs_free(&o);
	return status_exit_code(verdict);
}
