/* The post-mortem's model: boots and the events in them. */
#include "postmortem/postmortem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

/* Messages that a system writes when it goes down on purpose (systemd's
 * targets, journald stopping, the kernel's last words, rsyslogd on SIGTERM).
 * A boot without one ended in a crash, a hang, a power cut or a kill. */
static const char *const shutdown_markers[] = {
	"Reached target shutdown.target", "Reached target System Shutdown", "Reached target poweroff.target",
	"Reached target Power-Off", "Reached target System Power Off", "Reached target reboot.target",
	"Reached target System Reboot", "Reached target kexec.target", "Reached target Final Step",
	"reboot: Power down", "reboot: Restarting system", "reboot: System halted", "Journal stopped",
	"exiting on signal 15", "System is powering down", "System is rebooting", "System is halting",
};

/* Only these programs write what the rules look for; checking every other
 * line against them would cost most of the reading time. */
static bool program_watched(const char *p)
{
	return !strcmp(p, "kernel") || !strcmp(p, "systemd") || !strcmp(p, "systemd-coredump") ||
	       !strcmp(p, "systemd-journald") || !strcmp(p, "rsyslogd") || !strcmp(p, "systemd-shutdown");
}

void pm_init(struct pm *pm)
{
	memset(pm, 0, sizeof(*pm));
	pm->last_boot = -1;
	pm->last_kernel_event = -1;
	pm->last_kernel_boot = -1;
	pm->events = xcalloc(PM_MAX_EVENTS, sizeof(*pm->events));
}

void pm_free(struct pm *pm)
{
	for (int i = 0; i < pm->nevents; i++)
		free(pm->events[i].insn);
	free(pm->boots);
	free(pm->events);
	memset(pm, 0, sizeof(*pm));
}

static int boot_find(struct pm *pm, const char *key, const char *source)
{
	struct pm_boot *b;

	if (pm->last_boot >= 0 && !strcmp(pm->boots[pm->last_boot].key, key))
		return pm->last_boot;
	for (int i = 0; i < pm->nboots; i++)
		if (!strcmp(pm->boots[i].key, key))
			return pm->last_boot = i;
	if (pm->nboots == pm->capboots) {
		pm->capboots = pm->capboots ? 2 * pm->capboots : 16;
		pm->boots = xrealloc(pm->boots, (size_t)pm->capboots * sizeof(*pm->boots));
	}
	b = &pm->boots[pm->nboots];
	memset(b, 0, sizeof(*b));
	snprintf(b->key, sizeof(b->key), "%s", key);
	snprintf(b->source, sizeof(b->source), "%s", source);
	b->current = pm->current_boot[0] && !strcmp(key, pm->current_boot);
	return pm->last_boot = pm->nboots++;
}

static void one_line(char *dst, size_t size, const char *msg)
{
	size_t n = strcspn(msg, "\n");

	if (n >= size)
		n = size - 1;
	memcpy(dst, msg, n);
	dst[n] = '\0';
}

/* "Out of memory: Killed process 4242 (stress) total-vm:..kB, anon-rss:2015232kB, ..." */
static void oom_details(struct pm_event *ev, const char *m)
{
	const char *lp = strstr(m, "Killed process "), *rp, *rss;

	if (!lp || !(lp = strchr(lp, '(')) || !(rp = strchr(lp, ')')))
		return;
	snprintf(ev->oom_victim, sizeof(ev->oom_victim), "%.*s", (int)(rp - lp - 1), lp + 1);
	rss = strstr(rp, "anon-rss:");
	if (rss)
		ev->oom_rss_kb = strtoll(rss + 9, NULL, 10);
}

/* "code-tunnel.service: Main process exited, code=dumped, status=11/SEGV" */
static void service_details(struct pm_event *ev, const char *m)
{
	const char *colon = strstr(m, ": "), *st = strstr(m, "status=");
	const char *slash = st ? strchr(st, '/') : NULL;

	if (colon && (size_t)(colon - m) < sizeof(ev->unit))
		snprintf(ev->unit, sizeof(ev->unit), "%.*s", (int)(colon - m), m);
	if (slash)
		snprintf(ev->signal, sizeof(ev->signal), "%.*s", (int)strspn(slash + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
			 slash + 1);
}

/* The latest trap event of the same boot within the window before t. */
static int trap_before(const struct pm *pm, int boot, int64_t t)
{
	for (int i = pm->nevents - 1; i >= 0; i--) {
		const struct pm_event *e = &pm->events[i];

		if (e->boot != boot)
			continue;
		if (t - e->t_us > PM_TIE_WINDOW_US)
			return -1;
		if (e->has_trap)
			return i;
	}
	return -1;
}

static struct pm_event *add_event(struct pm *pm, int rule, int boot, const struct pm_record *r)
{
	struct pm_event *ev;

	pm->boots[boot].events++;
	if (pm->nevents >= PM_MAX_EVENTS) {
		pm->events_lost++;
		return NULL;
	}
	ev = &pm->events[pm->nevents++];
	memset(ev, 0, sizeof(*ev));
	ev->rule = rule;
	ev->boot = boot;
	ev->t_us = r->t_us;
	ev->pid = r->pid;
	ev->tied_to = -1;
	ev->coredump_signal = -1;
	snprintf(ev->program, sizeof(ev->program), "%s", r->program);
	one_line(ev->line, sizeof(ev->line), r->message);
	return ev;
}

/* systemd-coredump's first frame (src/shared/elf-util.c prints "#%-2u
 * 0x%016llx %s (%s + 0x%llx)"): the pc at the signal, in which module. */
static void coredump_frame(struct pm_event *ev, const char *m)
{
	const char *p = strstr(m, "\n#0 "), *open, *plus;
	size_t n;

	if (!p || sscanf(p + 4, " 0x%llx", &ev->frame_pc) != 1)
		return;
	open = strchr(p, '(');
	plus = open ? strstr(open, " + 0x") : NULL;
	if (!plus || memchr(p + 1, '\n', (size_t)(plus - p - 1)) || sscanf(plus + 5, "%llx", &ev->frame_off) != 1)
		return;
	n = (size_t)(plus - open - 1);
	if (!n || n >= sizeof(ev->frame_file))
		return;
	memcpy(ev->frame_file, open + 1, n);
	ev->frame_file[n] = '\0';
	ev->has_frame = true;
}

void pm_feed(struct pm *pm, const struct pm_record *r)
{
	int bi = boot_find(pm, r->boot, r->source), rule;
	struct pm_boot *b = &pm->boots[bi];
	const char *m = r->message;
	bool kernel = !strcmp(r->program, "kernel");
	struct pm_event *ev;

	pm->records++;
	b->records++;
	if (r->t_us) {
		if (!b->first_us || r->t_us < b->first_us)
			b->first_us = r->t_us;
		if (r->t_us >= b->last_us) {
			b->prev_us = b->last_us;
			b->last_us = r->t_us;
			snprintf(b->last_program, sizeof(b->last_program), "%s", r->program);
			one_line(b->last_line, sizeof(b->last_line), m);
		} else if (r->t_us > b->prev_us) {
			b->prev_us = r->t_us;
		}
	}
	if (!program_watched(r->program) && r->coredump_signal < 0)
		return;

	if (kernel && !strncmp(m, "Linux version ", 14) && !b->linux_version_us)
		b->linux_version_us = r->t_us;
	for (size_t i = 0; i < ARRAY_SIZE(shutdown_markers); i++)
		if (strstr(m, shutdown_markers[i]) && r->t_us >= b->shutdown_us)
			b->shutdown_us = r->t_us ? r->t_us : 1;

	/* The kernel prints a trap's instruction bytes as the next record. */
	if (kernel && !strncmp(m, "Code: ", 6)) {
		if (pm->last_kernel_boot == bi && pm->last_kernel_event >= 0 &&
		    pm->events[pm->last_kernel_event].has_trap && !pm->events[pm->last_kernel_event].code[0])
			one_line(pm->events[pm->last_kernel_event].code, sizeof(pm->events[0].code), m + 6);
		return;
	}
	if (kernel) {
		pm->last_kernel_boot = bi;
		pm->last_kernel_event = -1;
	}

	rule = kmsg_classify(m);
	if (rule < 0 && r->coredump_signal >= 0)
		rule = kmsg_rule("service.coredump");
	if (rule < 0)
		return;
	/* The rules for the kernel's lines only count the kernel's own records:
	 * a program may log the same words (a test suite, a journal viewer). */
	if (!strncmp(kmsg_rules[rule].id, "kernel.", 7) && !kernel)
		return;
	/* One OOM kill logs several lines; the "Killed process" one is the event. */
	if (!strcmp(kmsg_rules[rule].id, "kernel.oom") && !strstr(m, "Killed process"))
		return;
	ev = add_event(pm, rule, bi, r);
	if (!ev)
		return;
	if (kernel)
		pm->last_kernel_event = (int)(ev - pm->events);
	if (kernel && trap_parse(m, &ev->trap) == 0) {
		ev->has_trap = true;
		snprintf(ev->program, sizeof(ev->program), "%s", ev->trap.comm);
		ev->pid = ev->trap.pid;
	}
	if (!strcmp(kmsg_rules[rule].id, "kernel.oom"))
		oom_details(ev, m);
	if (!strcmp(kmsg_rules[rule].id, "service.signal")) {
		service_details(ev, m);
		ev->tied_to = trap_before(pm, bi, r->t_us);
	}
	if (!strcmp(kmsg_rules[rule].id, "service.coredump")) {
		snprintf(ev->exe, sizeof(ev->exe), "%s", r->coredump_exe ? r->coredump_exe : "");
		ev->coredump_signal = r->coredump_signal;
		if (r->unit && r->unit[0])
			snprintf(ev->unit, sizeof(ev->unit), "%s", r->unit);
		ev->tied_to = trap_before(pm, bi, r->t_us);
		coredump_frame(ev, m);
	}
}

bool pm_unclean(const struct pm_boot *b)
{
	return !b->shutdown && !b->current && !b->dropped;
}

static int newest_first(const void *a, const void *b)
{
	const struct pm_boot *x = a, *y = b;

	return x->last_us < y->last_us ? 1 : x->last_us > y->last_us ? -1 : 0;
}

void pm_finish(struct pm *pm)
{
	int *map;

	for (int i = 0; i < pm->nboots; i++) {
		struct pm_boot *b = &pm->boots[i];

		b->shutdown = b->shutdown_us && b->last_us - b->shutdown_us <= PM_SHUTDOWN_TAIL_US;
	}
	for (int i = 0; i < pm->nboots; i++) {
		struct pm_boot *t = &pm->boots[i];

		if (!strcmp(t->source, "journal"))
			continue;
		for (int j = 0; j < pm->nboots; j++) {
			const struct pm_boot *jb = &pm->boots[j];

			if (!strcmp(jb->source, "journal") && t->last_us >= jb->first_us && t->first_us <= jb->last_us)
				t->dropped = true;
		}
	}
	/* Sort, then renumber the events' boot indexes. */
	for (int i = 0; i < pm->nboots; i++)
		pm->boots[i].index = i;
	if (pm->nboots)
		qsort(pm->boots, (size_t)pm->nboots, sizeof(*pm->boots), newest_first);
	map = xcalloc((size_t)pm->nboots + 1, sizeof(*map));
	for (int i = 0; i < pm->nboots; i++)
		map[pm->boots[i].index] = i;
	for (int i = 0; i < pm->nevents; i++)
		pm->events[i].boot = map[pm->events[i].boot];
	free(map);
	pm->last_boot = -1;
}
