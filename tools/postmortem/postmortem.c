/* triage postmortem: the previous boots of a system, from its own logs.
 *
 * Reads, under --root (default /): the systemd journal files in
 * /var/log/journal/ and /run/log/journal/ (archived and `~` ones too),
 * rsyslog's text logs in /var/log/ (one family: syslog, else messages, else
 * kern.log; rotated .gz and .xz included), the kernel's pstore records
 * (/sys/fs/pstore on a live system, and what systemd-pstore archived in
 * /var/lib/systemd/pstore/). Nothing is written. The last --boots boots are
 * summarised, newest first; what they logged becomes prev.* findings. */
#include "postmortem/postmortem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/check.h"
#include "lib/faultinsn.h"
#include "lib/pvetypes.h"
#include "lib/util.h"
#include "postmortem/disks.h"
#include "postmortem/join.h"
#include "postmortem/journal.h"
#include "postmortem/modules.h"
#include "postmortem/record.h"

/* Of one text log, decompressed: its newest part when longer (the image may
 * have 512 MiB of memory in all). */
#define PM_TEXT_MAX (128u << 20)
#define PM_PSTORE_MAX (1u << 20)
#define PM_MAX_FILES 512
#define PM_EVIDENCE_EVENTS 5
/* `triage isa --mode quick` run here when no --isa is given: ~10 s on
 * hardware, a few minutes under TCG (commands.h gives isa 120 s in standard
 * mode; twice that covers the slow emulator). */
#define PM_ISA_WAIT_S 240

enum {
	O_ROOT = CHECK_COMMON_COUNT,
	O_BOOTS,
	O_JOURNAL,
	O_DEVICES,
	O_ISA,
	O_COUNT,
};

const struct opt postmortem_opts[] = {
	CHECK_COMMON_OPTS,
	{ "root", 'r', OPT_STR, "DIR", "read the logs of the system rooted here, e.g. / (default: the suspect disks; / when there are none)", 0, 0 },
	{ "boots", 'b', OPT_INT, "N", "how many of the latest boots to summarise (default 3)", 1, 1000 },
	{ "journal", 'j', OPT_STR, "FILE", "read this one journal file instead of looking under the root", 0, 0 },
	{ "devices", 'd', OPT_STR, "LIST",
	  "read only these suspect devices, e.g. vdb1,vdc (default: every disk not in use, not the boot medium, "
	  "not the report disk; with none, this system's own logs)", 0, 0 },
	{ "isa", 'i', OPT_STR, "FILE",
	  "what triage isa measured on this vCPU: its JSON or a report.json, to judge the traps' instructions "
	  "against (default: run triage isa --mode quick now; none: decode only)", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, 0, 0 },
};

static const char usage[] =
	"What the previous boots left in their logs: traps, services killed by\n"
	"signals, OOM kills, lockups, stalls, hardware errors, panics, and boots\n"
	"that ended without a shutdown, from the journal, text logs and pstore.\n"
	"The suspect disks (not in use here, not the boot medium, not the report\n"
	"disk) are set read-only and mounted read-only without journal replay.";

struct source {
	char path[1024];
	const char *kind;	/* "journal", "syslog", "messages", "kern.log", "pstore" */
	long long records;
	long long bytes;
	char note[240];
};

#define PM_MOUNT_DIR "/run/triage/suspect"
/* The report disk's label (run/disk.h REPORT_LABEL): never a suspect. */
#define PM_REPORT_LABEL "TRIAGE"
#define PM_MAX_DISKS 64

struct ctx {
	struct check *c;
	struct pm_disk disks[PM_MAX_DISKS];
	int ndisks;
	struct pm pm;
	struct source *src;
	int nsrc;
	long long bytes;
	int64_t read_ns;
	/* isa's result: from --isa, or a child started at the beginning */
	struct pm_isa isa;
	bool isa_done;
	pid_t isa_pid;
	char isa_out[256];
	struct pm_wf wf;
	int scanned_roots;
	struct pm_flight *rec;	/* the flight recorder's rings (record.c) */
};

static struct source *add_source(struct ctx *x, const char *path, const char *kind)
{
	struct source *s;

	if (x->nsrc >= PM_MAX_FILES)
		return NULL;
	s = &x->src[x->nsrc++];
	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->kind = kind;
	return s;
}

/* ---- journal files ---- */

struct jfeed {
	struct pm *pm;
	long long n;
};

static int journal_entry_cb(const struct journal_entry *e, void *arg)
{
	struct jfeed *f = arg;
	struct pm_record r = {
		.t_us = (int64_t)e->realtime_us,
		.boot = e->boot_id,
		.source = "journal",
		/* journald names the kernel's records SYSLOG_IDENTIFIER=kernel. */
		.program = e->identifier[0] ? e->identifier : e->comm[0] ? e->comm : "?",
		.pid = e->pid,
		.unit = e->unit,
		.message = e->message,
		.coredump_signal = e->coredump_signal,
		.coredump_exe = e->coredump_exe,
	};

	if (!strcmp(e->transport, "kernel"))
		r.program = "kernel";
	pm_feed(f->pm, &r);
	f->n++;
	return 0;
}

static void read_journal(struct ctx *x, const char *path)
{
	struct source *s = add_source(x, path, "journal");
	struct journal_stats st;
	struct jfeed f = { &x->pm, 0 };
	struct stat sb;
	void *map;
	int fd;

	if (!s)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		snprintf(s->note, sizeof(s->note), "cannot read: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (sb.st_size == 0) {
		snprintf(s->note, sizeof(s->note), "empty file");
		close(fd);
		return;
	}
	/* Read-only and private: nothing reaches the file, even by mistake. */
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(s->note, sizeof(s->note), "cannot map: %s", strerror(errno));
		return;
	}
	madvise(map, (size_t)sb.st_size, MADV_SEQUENTIAL);
	if (journal_read(map, (size_t)sb.st_size, journal_entry_cb, &f, &st) < 0)
		snprintf(s->note, sizeof(s->note), "not read: %s", st.note);
	else if (st.note[0])
		snprintf(s->note, sizeof(s->note), "%s", st.note);
	munmap(map, (size_t)sb.st_size);
	s->records = f.n;
	s->bytes = sb.st_size;
	x->bytes += sb.st_size;
	if (s->note[0])
		check_note(x->c, "%s: %s", path, s->note);
}

static bool is_journal_name(const char *n)
{
	size_t l = strlen(n);

	return (l > 8 && !strcmp(n + l - 8, ".journal")) || (l > 9 && !strcmp(n + l - 9, ".journal~"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* path/<machine-id>/ *.journal* */
static void read_journal_dir(struct ctx *x, const char *path)
{
	char *names[PM_MAX_FILES];
	int n = 0;
	DIR *d, *sub;
	struct dirent *de, *fe;

	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)) && n < PM_MAX_FILES) {
		char *sp;

		if (de->d_name[0] == '.')
			continue;
		sp = xasprintf("%s/%s", path, de->d_name);
		/* The files may also lie directly in the folder (a copied journal). */
		if (is_journal_name(de->d_name)) {
			names[n++] = sp;
			continue;
		}
		sub = opendir(sp);
		if (sub) {
			while ((fe = readdir(sub)) && n < PM_MAX_FILES)
				if (is_journal_name(fe->d_name))
					names[n++] = xasprintf("%s/%s", sp, fe->d_name);
			closedir(sub);
		}
		free(sp);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_str);
	for (int i = 0; i < n; i++) {
		read_journal(x, names[i]);
		free(names[i]);
	}
}

/* ---- text logs ---- */

struct logfile {
	char *path;
	time_t mtime;
};

static int older_first(const void *a, const void *b)
{
	const struct logfile *x = a, *y = b;

	return x->mtime < y->mtime ? -1 : x->mtime > y->mtime ? 1 : strcmp(y->path, x->path);
}

/* One family of rsyslog files: NAME, NAME.1, NAME.2.gz, NAME-20261128.xz. */
static void read_text_family(struct ctx *x, const char *dir, const char *family)
{
	struct logfile files[64];
	struct pm_textstate ts;
	int n = 0;
	size_t fl = strlen(family);
	DIR *d;
	struct dirent *de;

	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && n < (int)ARRAY_SIZE(files)) {
		struct stat sb;
		char *p;

		if (strncmp(de->d_name, family, fl) || (de->d_name[fl] && de->d_name[fl] != '.' && de->d_name[fl] != '-'))
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (stat(p, &sb) < 0 || !S_ISREG(sb.st_mode)) {
			free(p);
			continue;
		}
		files[n].path = p;
		files[n++].mtime = sb.st_mtime;
	}
	closedir(d);
	qsort(files, (size_t)n, sizeof(*files), older_first);
	memset(&ts, 0, sizeof(ts));
	snprintf(ts.family, sizeof(ts.family), "%s", family);
	for (int i = 0; i < n; i++) {
		struct source *s = add_source(x, files[i].path, family);
		struct tm tm;
		size_t len;
		bool cut;
		char note[240];
		long long before = x->pm.records;
		char *text = pm_read_log(files[i].path, PM_TEXT_MAX, &len, &cut, note, sizeof(note));

		if (s) {
			s->kind = family;
			snprintf(s->note, sizeof(s->note), "%s", note);
		}
		if (text) {
			gmtime_r(&files[i].mtime, &tm);
			ts.year = tm.tm_year + 1900;
			ts.mtime_us = (int64_t)files[i].mtime * 1000000;
			pm_feed_text(&x->pm, &ts, text, len);
			x->bytes += (long long)len;
			if (s) {
				s->bytes = (long long)len;
				s->records = x->pm.records - before;
				if (cut)
					snprintf(s->note, sizeof(s->note), "only the last %u MiB read", PM_TEXT_MAX >> 20);
			}
			free(text);
		}
		if (s && s->note[0])
			check_note(x->c, "%s: %s", files[i].path, s->note);
		free(files[i].path);
	}
}

static bool family_present(const char *logdir, const char *family)
{
	char p[600];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", logdir, family);
	if (stat(p, &sb) == 0)
		return true;
	snprintf(p, sizeof(p), "%s/%s.1", logdir, family);
	return stat(p, &sb) == 0;
}

/* A /var/log: its journal, then one family of text logs (syslog holds
 * everything on Debian, messages on RHEL, kern.log the kernel alone). */
static void read_logdir(struct ctx *x, const char *logdir)
{
	static const char *const families[] = { "syslog", "messages", "kern.log" };
	char p[600];

	snprintf(p, sizeof(p), "%s/journal", logdir);
	read_journal_dir(x, p);
	for (size_t i = 0; i < ARRAY_SIZE(families); i++)
		if (family_present(logdir, families[i])) {
			read_text_family(x, logdir, families[i]);
			break;
		}
}

/* ---- pstore ---- */

/* A pstore dmesg record: "<6>[  123.456] text" lines after a header. */
static void read_pstore_file(struct ctx *x, const char *path, const struct stat *sb)
{
	struct source *s = add_source(x, path, "pstore");
	size_t len;
	char *text = read_file(path, PM_PSTORE_MAX, &len), *line, *save = NULL;
	char boot[64];

	if (!text) {
		if (s)
			snprintf(s->note, sizeof(s->note), "cannot read: %s", strerror(errno));
		return;
	}
	snprintf(boot, sizeof(boot), "pstore@%lld", (long long)sb->st_mtime);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct pm_record r = { .t_us = (int64_t)sb->st_mtime * 1000000, .boot = boot, .source = "pstore",
				       .program = "kernel", .pid = -1, .unit = "", .coredump_signal = -1 };
		char *m = line;

		if (*m == '<' && strchr(m, '>'))
			m = strchr(m, '>') + 1;
		if (*m == '[' && strchr(m, ']'))
			m = strchr(m, ']') + 1;
		while (*m == ' ')
			m++;
		r.message = m;
		pm_feed(&x->pm, &r);
		if (s)
			s->records++;
	}
	if (s)
		s->bytes = (long long)len;
	x->bytes += (long long)len;
	free(text);
}

static void read_pstore_dir(struct ctx *x, const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat sb;
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", path, de->d_name);
		if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode) && depth < 3)
			read_pstore_dir(x, p, depth + 1);
		else if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && !strncmp(de->d_name, "dmesg", 5))
			read_pstore_file(x, p, &sb);
		free(p);
	}
	closedir(d);
}

static void read_root(struct ctx *x, const char *root)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/var/log", root);
	read_logdir(x, p);
	snprintf(p, sizeof(p), "%s/run/log/journal", root);
	read_journal_dir(x, p);
	if (!root[0])
		read_pstore_dir(x, "/sys/fs/pstore", 0);
	snprintf(p, sizeof(p), "%s/var/lib/systemd/pstore", root);
	read_pstore_dir(x, p, 0);
	pm_flight_read(x->rec, x->c, root, NULL);
}

/* ---- the join with isa ---- */

/* Standalone, isa runs as a child when the first root's traps or files are
 * to be judged (not at all when there are no logs); in `triage run` the run
 * passes the isa JSON it already has (--isa), so it never runs twice. */
static void isa_start(struct ctx *x)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(x->isa_out, sizeof(x->isa_out), "%s/triage-postmortem-isa-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	fd = mkstemp(x->isa_out);
	if (fd < 0) {
		snprintf(x->isa.note, sizeof(x->isa.note), "cannot make a file for triage isa: %s", strerror(errno));
		x->isa_out[0] = '\0';
		return;
	}
	close(fd);
	x->isa_pid = fork();
	if (x->isa_pid == 0) {
		char *argv[] = { "/proc/self/exe", "isa", "--mode", "quick", "-q", "-o", x->isa_out, NULL };
		int null = open("/dev/null", O_RDWR);

		/* Its output is not ours: our stdout may be our JSON, stderr our TAP. */
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (x->isa_pid < 0)
		snprintf(x->isa.note, sizeof(x->isa.note), "cannot start triage isa: %s", strerror(errno));
}

/* The isa result, waiting for the child the first time. */
static const struct pm_isa *isa_get(struct ctx *x)
{
	int64_t deadline;
	int ws;

	if (x->isa_done)
		return &x->isa;
	x->isa_done = true;
	isa_start(x);
	if (x->isa_pid <= 0)
		return &x->isa;
	check_progress(x->c, 0.5, "triage isa: what this vCPU executes");
	deadline = now_ns() + PM_ISA_WAIT_S * 1000000000LL;
	while (waitpid(x->isa_pid, &ws, WNOHANG) == 0) {
		if (now_ns() > deadline) {
			kill(x->isa_pid, SIGKILL);
			waitpid(x->isa_pid, &ws, 0);
			x->isa_pid = 0;
			snprintf(x->isa.note, sizeof(x->isa.note), "triage isa did not finish within %d s", PM_ISA_WAIT_S);
			check_note(x->c, "%s", x->isa.note);
			return &x->isa;
		}
		usleep(50000);
	}
	x->isa_pid = 0;
	if (pm_isa_load(&x->isa, x->isa_out) < 0)
		check_note(x->c, "triage isa gave no result: %s", x->isa.note);
	snprintf(x->isa.from, sizeof(x->isa.from), "triage isa --mode quick, run by the post-mortem");
	return &x->isa;
}

/* The traps of one root's logs decoded against its files, and what on it
 * will fail next: while the suspect filesystem is still mounted. */
static void join_root(struct ctx *x, const char *root, int first_event, bool scan)
{
	const struct pm_isa *isa = isa_get(x);

	pm_join_traps(&x->pm, first_event, root, isa);
	if (scan) {
		check_progress(x->c, 0.8, "what will fail next on %s", root[0] ? root : "/");
		/* One budget for all the roots: several disks take no longer. */
		pm_will_fail(&x->wf, root, isa, PM_WF_BUDGET_S - x->wf.seconds, PM_WF_MAX_FILES);
		x->scanned_roots++;
	}
}

/* ---- the suspect disks ---- */

static bool is_dir(const char *a, const char *b)
{
	char p[600];
	struct stat sb;

	snprintf(p, sizeof(p), "%s%s", a, b);
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Where the logs are on a mounted filesystem: a root (its /var/log), or a
 * separate /var (its /log). btrfs roots are often a subvolume seen as a
 * folder of the top level: Ubuntu's "@", Debian's "@rootfs", Fedora's
 * "root"; openSUSE's separate "@/var". Returns 1 for a root, 2 for a /var,
 * 0 for neither, with the folder in sub ("" or "/@"). */
static int logs_at(const char *mnt, const char *fstype, char *sub, size_t size)
{
	static const char *const roots[] = { "", "/@", "/@rootfs", "/root" };
	static const char *const vars[] = { "", "/@var", "/@/var" };
	int nr = strcmp(fstype, "btrfs") ? 1 : (int)ARRAY_SIZE(roots);
	int nv = strcmp(fstype, "btrfs") ? 1 : (int)ARRAY_SIZE(vars);
	char p[300];

	for (int i = 0; i < nr; i++) {
		snprintf(p, sizeof(p), "%s/var/log", roots[i]);
		if (is_dir(mnt, p)) {
			snprintf(sub, size, "%s", roots[i]);
			return 1;
		}
	}
	for (int i = 0; i < nv; i++) {
		snprintf(p, sizeof(p), "%s/log", vars[i]);
		if (is_dir(mnt, p)) {
			snprintf(sub, size, "%s", vars[i]);
			return 2;
		}
	}
	return 0;
}

/* XFS, btrfs and device-mapper are modules in pm.xz: loaded only for a
 * suspect that needs one. */
static void load_modules(struct ctx *x)
{
	char note[300];
	bool need = false;
	int n;

	for (int i = 0; i < x->ndisks; i++)
		need |= !strcmp(x->disks[i].fstype, "xfs") || !strcmp(x->disks[i].fstype, "btrfs") ||
			x->disks[i].pv;
	if (!need)
		return;
	n = pm_load_modules(PM_MODULES_DIR, note, sizeof(note));
	if (n < 0)
		check_note(x->c, "no %s (the image's pm.xz): XFS, btrfs and LVM depend on the running kernel",
			   PM_MODULES_DIR);
	else if (note[0])
		check_note(x->c, "kernel modules: %d loaded; %s", n, note);
	else
		check_ok(x->c, true, "%d kernel module(s) loaded for XFS, btrfs and device-mapper", n);
}

static bool wanted(const char *only, const struct pm_disk *s)
{
	char list[512], *tok, *save = NULL;

	if (!only)
		return true;
	snprintf(list, sizeof(list), "%s", only);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const char *t = strncmp(tok, "/dev/", 5) ? tok : tok + 5;

		/* An LV comes with its PV, or by its own name (vg/lv, dm-N). */
		if (!strcmp(t, s->name) || (s->via[0] && !strcmp(t, s->via)) || (s->lv[0] && !strcmp(t, s->lv)))
			return true;
	}
	return false;
}

/* Mounts each suspect filesystem read-only, reads the logs on it (a whole
 * root, or a separate /var), and unmounts it. */
static void read_disks(struct ctx *x, const char *only)
{
	if (only) {
		char list[512], *tok, *save = NULL;

		snprintf(list, sizeof(list), "%s", only);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			const char *name = strncmp(tok, "/dev/", 5) ? tok : tok + 5;
			bool found = false;

			for (int i = 0; i < x->ndisks; i++)
				found |= !strcmp(x->disks[i].name, name) || !strcmp(x->disks[i].via, name) ||
					 !strcmp(x->disks[i].lv, name);
			if (!found && !strchr(name, '/') && strncmp(name, "dm-", 3))
				check_note(x->c, "%s: not a suspect disk (absent, in use here, the report disk or "
					   "the boot medium, or no filesystem recognised)", tok);
		}
	}
	load_modules(x);
	if (pm_lvm_activate(x->disks, &x->ndisks, PM_MAX_DISKS) > 0)
		check_ok(x->c, true, "LVM linear logical volumes mapped read-only (device-mapper, read-only table)");
	for (int i = 0; i < x->ndisks; i++) {
		struct pm_disk *s = &x->disks[i];
		char mnt[160], sub[32], dir[300];
		int before = x->nsrc, first_event = x->pm.nevents, where;

		if (!wanted(only, s)) {
			s->skipped = true;
			snprintf(s->note, sizeof(s->note), "not named by --devices");
			continue;
		}
		if (s->skipped) {
			check_note(x->c, "/dev/%s (%s): %s", s->name, s->fstype, s->note);
			continue;
		}
		snprintf(mnt, sizeof(mnt), "%s/%s", PM_MOUNT_DIR, s->name);
		if (mkdir("/run/triage", 0755) < 0 && errno != EEXIST)
			check_note(x->c, "cannot make /run/triage: %s", strerror(errno));
		if (mkdir(PM_MOUNT_DIR, 0700) < 0 && errno != EEXIST)
			check_note(x->c, "cannot make %s: %s", PM_MOUNT_DIR, strerror(errno));
		if (pm_mount_ro(s, mnt) < 0) {
			check_note(x->c, "/dev/%s: %s", s->name, s->note);
			continue;
		}
		where = logs_at(mnt, s->fstype, sub, sizeof(sub));
		if (!where && !strcmp(s->fstype, "btrfs")) {
			/* The default subvolume is not the top level: the top level
			 * shows every subvolume as a folder. */
			pm_unmount(s);
			snprintf(s->mount_extra, sizeof(s->mount_extra), "subvolid=5");
			if (pm_mount_ro(s, mnt) < 0) {
				check_note(x->c, "/dev/%s: %s", s->name, s->note);
				continue;
			}
			where = logs_at(mnt, s->fstype, sub, sizeof(sub));
		}
		check_ok(x->c, true, "/dev/%s (%s%s%s%s%s%s%s) set read-only and mounted read-only without log replay",
			 s->name, s->fstype, s->label[0] ? ", label " : "", s->label, s->lv[0] ? ", LV " : "", s->lv,
			 sub[0] && where ? ", subvolume " : "", where ? sub + (sub[0] == '/') : "");
		if (where == 1) {
			snprintf(dir, sizeof(dir), "%s%s", mnt, sub);
			read_root(x, dir);
		} else if (where == 2) {
			snprintf(dir, sizeof(dir), "%s%s", mnt, sub);
			pm_flight_read(x->rec, x->c, NULL, dir);
			snprintf(dir, sizeof(dir), "%s%s/log", mnt, sub);
			read_logdir(x, dir);
		}
		s->logs = x->nsrc > before;
		/* A root (its /usr here) decodes its own traps and is scanned; a
		 * separate /var has no programs: its traps are decoded from the
		 * Code: bytes, or against a root mounted earlier (not kept). */
		if (where != 1)
			snprintf(dir, sizeof(dir), "%s", mnt);
		join_root(x, dir, first_event, is_dir(dir, "/usr"));
		pm_unmount(s);
	}
	pm_lvm_deactivate(x->disks, x->ndisks);
}

/* ---- output ---- */

static void iso_time(char *buf, size_t size, int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (!us || !gmtime_r(&t, &tm)) {
		snprintf(buf, size, "?");
		return;
	}
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void write_trap(struct jw *w, const struct kmsg_trap *t, const char *code)
{
	jw_obj(w, "trap");
	jw_str(w, "kind", t->kind);
	jw_str(w, "comm", t->comm);
	jw_int(w, "pid", t->pid);
	/* 64-bit addresses as hex strings: JSON numbers are doubles. */
	if (t->has_ip)
		jw_strf(w, "ip", "0x%llx", t->ip);
	if (t->has_sp)
		jw_strf(w, "sp", "0x%llx", t->sp);
	if (t->has_error)
		jw_strf(w, "error", "0x%llx", t->error);
	if (t->has_addr)
		jw_strf(w, "addr", "0x%llx", t->addr);
	if (t->has_map) {
		jw_str(w, "file", t->file);
		jw_strf(w, "base", "0x%llx", t->base);
		jw_strf(w, "size", "0x%llx", t->size);
		if (t->ip >= t->base && t->ip - t->base < t->size)
			jw_strf(w, "offset", "0x%llx", t->ip - t->base);
	}
	if (code && code[0])
		jw_str(w, "code", code);
	jw_obj_end(w);
}

static const char *const verdict_names[] = {
	[FAULT_UNKNOWN] = "unknown", [FAULT_NEEDS_MISSING] = "needs-missing", [FAULT_EXECUTES] = "executes",
	[FAULT_BASE] = "base", [FAULT_NOT_MEASURED] = "not-measured",
};

/* The decoded instruction of a trap, and its verdict. */
static void write_insn(struct jw *w, const struct fault_insn *f)
{
	char names[256], hex[3 * X86_MAX_LEN + 1] = "";

	jw_obj(w, "insn");
	jw_str(w, "verdict", verdict_names[f->verdict]);
	jw_str(w, "summary", f->summary);
	if (f->decoded) {
		jw_str(w, "mnemonic", f->insn.mnemonic);
		jw_str(w, "extensions", x86_exts_names(f->insn.needs, names, sizeof(names)));
		if (f->missing)
			jw_str(w, "missing", x86_exts_names(f->missing, names, sizeof(names)));
		jw_int(w, "level", f->level);
		if (f->pve_type)
			jw_str(w, "pve_type", f->pve_type);
		for (int i = 0; i < f->insn.len; i++)
			str_append(hex, sizeof(hex), " ", "%02x", f->bytes[i]);
		jw_str(w, "bytes", hex);
		jw_str(w, "from", f->source);
	}
	if (f->source && !strcmp(f->source, "file")) {
		jw_str(w, "path", f->path);
		jw_strf(w, "file_offset", "0x%llx", (unsigned long long)f->offset);
	}
	if (f->note[0])
		jw_str(w, "note", f->note);
	jw_obj_end(w);
}

static void write_event(struct jw *w, const struct pm *pm, const struct pm_event *e, int boot_label, bool with_us)
{
	char t[32];

	iso_time(t, sizeof(t), e->t_us);
	jw_obj(w, NULL);
	jw_str(w, "kind", kmsg_rules[e->rule].id);
	jw_str(w, "time", t);
	if (with_us)
		jw_int(w, "t_us", e->t_us);
	jw_int(w, "boot", boot_label);
	jw_str(w, "boot_id", pm->boots[e->boot].key);
	jw_str(w, "program", e->program);
	if (e->pid >= 0)
		jw_int(w, "pid", e->pid);
	jw_str(w, "line", e->line);
	if (e->has_trap)
		write_trap(w, &e->trap, e->code);
	if (e->unit[0])
		jw_str(w, "unit", e->unit);
	if (e->signal[0])
		jw_str(w, "signal", e->signal);
	if (e->exe[0])
		jw_str(w, "exe", e->exe);
	if (e->coredump_signal >= 0)
		jw_int(w, "coredump_signal", e->coredump_signal);
	if (e->oom_victim[0]) {
		jw_str(w, "oom_victim", e->oom_victim);
		jw_int(w, "oom_anon_rss_kb", e->oom_rss_kb);
	}
	if (e->tied_to >= 0)
		jw_str(w, "after_trap", pm->events[e->tied_to].line);
	if (e->has_frame) {
		jw_str(w, "frame_file", e->frame_file);
		jw_strf(w, "frame_pc", "0x%llx", e->frame_pc);
		jw_strf(w, "frame_offset", "0x%llx", e->frame_off);
	}
	/* In data only: a finding's evidence names the instruction once. */
	if (e->insn && with_us)
		write_insn(w, e->insn);
	jw_obj_end(w);
}

/* The boots summarised: the newest n that were not dropped. Returns how
 * many, with their indexes in sel. */
static int pick_boots(const struct pm *pm, int n, int *sel)
{
	int k = 0;

	for (int i = 0; i < pm->nboots && k < n; i++)
		if (!pm->boots[i].dropped && pm->boots[i].records)
			sel[k++] = i;
	return k;
}

static int label_of(const int *sel, int k, int boot)
{
	for (int i = 0; i < k; i++)
		if (sel[i] == boot)
			return -i;
	return 1; /* not summarised */
}

static const char *const wf_kinds[] = { [WF_ELF] = "elf", [WF_HWCAPS] = "glibc-hwcaps", [WF_RUNTIME] = "runtime",
					  [WF_OS] = "os" };

static void write_will_fail(struct jw *w, const struct pm_wf *wf, int roots)
{
	jw_obj(w, "will_fail");
	jw_bool(w, "scanned", roots > 0);
	if (wf->os[0])
		jw_str(w, "os", wf->os);
	jw_int(w, "files", wf->files);
	jw_int(w, "elf_files", wf->elf);
	jw_int(w, "declaring", wf->declaring);
	jw_int(w, "dirs", wf->dirs);
	jw_num(w, "seconds", wf->seconds);
	jw_num(w, "budget_s", PM_WF_BUDGET_S);
	jw_int(w, "max_files", PM_WF_MAX_FILES);
	jw_bool(w, "complete", !wf->cut_time && !wf->cut_files);
	jw_arr(w, "items");
	for (int i = 0; i < wf->nitems; i++) {
		const struct pm_wf_item *it = &wf->items[i];

		jw_obj(w, NULL);
		jw_str(w, "kind", wf_kinds[it->kind]);
		jw_str(w, "path", it->path);
		jw_str(w, "what", it->what);
		jw_str(w, "needs", it->needs);
		jw_str(w, "fails", it->fails > 0 ? "yes" : it->fails == 0 ? "no" : "not known");
		if (it->source)
			jw_str(w, "source", it->source);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (wf->more)
		jw_int(w, "more", wf->more);
	jw_obj_end(w);
}

static void write_data(struct ctx *x, const char *root, const int *sel, int k)
{
	struct jw *w = check_data(x->c);
	const struct pm *pm = &x->pm;

	jw_str(w, "root", root);
	jw_arr(w, "disks");
	for (int i = 0; i < x->ndisks; i++) {
		const struct pm_disk *d = &x->disks[i];

		jw_obj(w, NULL);
		jw_strf(w, "device", "/dev/%s", d->name);
		jw_str(w, "disk", d->disk);
		jw_str(w, "fstype", d->fstype);
		jw_str(w, "label", d->label);
		if (d->lv[0]) {
			jw_str(w, "lv", d->lv);
			jw_strf(w, "pv", "/dev/%s", d->via);
		}
		jw_bool(w, "read_only_set", d->blkro);
		jw_bool(w, "logs", d->logs);
		if (d->note[0])
			jw_str(w, "note", d->note);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "sources");
	for (int i = 0; i < x->nsrc; i++) {
		jw_obj(w, NULL);
		jw_str(w, "path", x->src[i].path);
		jw_str(w, "kind", x->src[i].kind);
		jw_int(w, "records", x->src[i].records);
		jw_int(w, "bytes", x->src[i].bytes);
		if (x->src[i].note[0])
			jw_str(w, "note", x->src[i].note);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "boots");
	for (int i = 0; i < k; i++) {
		const struct pm_boot *b = &pm->boots[sel[i]];
		char t1[32], t2[32];

		iso_time(t1, sizeof(t1), b->first_us);
		iso_time(t2, sizeof(t2), b->last_us);
		jw_obj(w, NULL);
		jw_int(w, "boot", -i);
		jw_str(w, "id", b->key);
		jw_str(w, "source", b->source);
		jw_str(w, "first", t1);
		jw_str(w, "last", t2);
		jw_int(w, "first_us", b->first_us);
		jw_int(w, "last_us", b->last_us);
		jw_num(w, "duration_s", (double)(b->last_us - b->first_us) / 1e6);
		jw_int(w, "records", b->records);
		jw_bool(w, "current", b->current);
		jw_bool(w, "clean_end", b->shutdown);
		/* How long the system had been quiet before its last message. */
		jw_num(w, "quiet_before_end_s", b->prev_us ? (double)(b->last_us - b->prev_us) / 1e6 : 0.0);
		jw_str(w, "last_program", b->last_program);
		jw_str(w, "last_line", b->last_line);
		jw_arr(w, "events");
		for (int e = 0; e < pm->nevents; e++)
			if (pm->events[e].boot == sel[i])
				write_event(w, pm, &pm->events[e], -i, true);
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (pm->events_lost)
		jw_int(w, "events_not_kept", pm->events_lost);
	jw_obj(w, "isa");
	jw_str(w, "from", x->isa.from);
	jw_bool(w, "measured", x->isa.json != NULL);
	if (x->isa.level_exec)
		jw_int(w, "level_exec", x->isa.level_exec);
	if (x->isa.note[0])
		jw_str(w, "note", x->isa.note);
	jw_obj_end(w);
	write_will_fail(w, &x->wf, x->scanned_roots);
}

static void fmt_span(char *buf, size_t size, double s)
{
	if (s >= 3600)
		snprintf(buf, size, "%d h %02d min", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, size, "%d min %02d s", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, size, "%.1f s", s);
}

/* What the first event of a finding says, in a person's words: the
 * program and where it trapped, the process the OOM killer chose, the unit. */
static void event_summary(char *buf, size_t size, const struct pm_event *e, const struct kmsg_rule *rule)
{
	const struct kmsg_trap *t = &e->trap;

	if (e->has_trap) {
		snprintf(buf, size, "%s[%d] died of %s %s at ip 0x%llx", t->comm, t->pid,
			 strchr("aeiou", t->kind[0]) && t->kind[0] ? "an" : "a", t->kind, t->ip);
		if (t->has_map && t->ip >= t->base)
			str_append(buf, size, "", " in %s+0x%llx", t->file, t->ip - t->base);
	} else if (e->oom_victim[0]) {
		snprintf(buf, size, "the OOM killer killed %s (%lld MiB resident)", e->oom_victim, e->oom_rss_kb / 1024);
	} else if (e->unit[0] && e->signal[0]) {
		snprintf(buf, size, "%s was killed by SIG%s", e->unit, e->signal);
	} else if (e->exe[0]) {
		snprintf(buf, size, "%s dumped core (signal %d)", e->exe, e->coredump_signal);
	} else {
		snprintf(buf, size, "%s", rule->summary);
		/* The rule's words are written for a count ("message(s)"). */
		if (strstr(buf, "(s)"))
			memmove(strstr(buf, "(s)"), strstr(buf, "(s)") + 3, strlen(strstr(buf, "(s)") + 3) + 1);
		str_append(buf, size, "", ": %.120s", e->line);
	}
}

/* A trap whose instruction was decoded: its finding is the join's
 * (prev.trap.*), not the kernel rule's. */
static bool joined(const struct pm_event *ev)
{
	return ev->insn && ev->insn->verdict != FAULT_UNKNOWN;
}

/* The program a trap names: the file it died in, else its command. */
static const char *trap_program(const struct pm_event *ev)
{
	const char *p = ev->has_trap ? (ev->trap.has_map ? ev->trap.file : ev->trap.comm) : ev->exe;
	const char *slash = strrchr(p, '/');

	return slash ? slash + 1 : p;
}

static bool same_group(const struct pm_event *a, const struct pm_event *b)
{
	return a->insn->verdict == b->insn->verdict && a->insn->insn.needs == b->insn->insn.needs &&
	       !strcmp(a->insn->insn.mnemonic, b->insn->insn.mnemonic) && !strcmp(trap_program(a), trap_program(b));
}

static const struct {
	const char *id;
	enum severity sev;
	const char *advice;
} verdict_findings[] = {
	[FAULT_NEEDS_MISSING] = { "prev.trap.needs-missing", SEV_FAIL,
		"The program uses an instruction this vCPU does not execute: the VM's CPU type hides it. In Proxmox VE: "
		"Hardware > Processors > Type: the type named here (on a cluster, the generic x86-64-vN type every node "
		"runs; on a single node, host), then restart the VM. Or install a build of the program for this CPU." },
	[FAULT_EXECUTES] = { "prev.trap.executes", SEV_WARN,
		"This vCPU executes the instruction the program died at: the CPU type is not the cause. Look elsewhere: "
		"the program (a bad pointer or jump faults on any instruction; a misaligned SSE access is a general "
		"protection fault: its bug tracker, a core dump), the memory (triage mem, triage burnin), and the host "
		"(its MCE/EDAC log, other VMs crashing at the same time)." },
	[FAULT_BASE] = { "prev.trap.base", SEV_WARN,
		"The instruction is base x86-64, which every CPU type executes: not a CPU-type problem. Look at the "
		"program (a bug, a bad pointer, an assertion), the memory (triage mem, triage burnin) and the host." },
	[FAULT_NOT_MEASURED] = { "prev.trap.not-judged", SEV_WARN,
		"The instruction needs an extension triage isa has no result for here: run triage isa on this VM (or "
		"give its JSON with --isa) to tell whether the CPU type hides it." },
};

/* The CPU vendor isa identified ("GenuineIntel"), or NULL. */
static const char *isa_vendor(const struct pm_isa *isa)
{
	const struct jval *o = json_obj(isa->json, "data") ? isa->json : json_obj(json_obj(isa->json, "tests"), "isa");

	return json_str(json_obj(json_obj(o, "data"), "identification"), "vendor", NULL);
}

/* The poorest named model of this CPU's vendor (isa's identification)
 * offering every extension of set: fault_insn names the generic type that
 * every node of a cluster runs; on one node a model type fits too. */
/* Whether type t offers every extension the type named like offers. */
static bool offers_all_of(const struct pve_type *t, const char *like)
{
	const struct pve_type *g = like ? pve_type_find(like) : NULL;

	for (const char *p = g ? g->features : ""; *p;) {
		size_t len = strcspn(p, " ");
		char name[40];

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (len && !pve_type_has(t, name))
			return false;
		p += len + (p[len] == ' ');
	}
	return true;
}

/* The poorest named model of the vCPU's vendor that offers the faulting
 * instruction's extensions and the whole generic level that fixes it: a
 * program that died at an AVX-512F instruction was built for x86-64-v4, and
 * a model with AVX512F alone (KnightsMill) would only move the crash. */
static const char *model_type(const struct pm_isa *isa, x86_exts_t set, const char *generic)
{
	const char *vendor = isa_vendor(isa);

	for (int t = 0; vendor && t < pve_ntypes; t++) {
		if (pve_types[t].kind == PVE_MODEL && pve_vendor_fits(pve_types[t].vendor, vendor) &&
		    offers_all_of(&pve_types[t], generic) && fault_type_offers(&pve_types[t], set))
			return pve_types[t].name;
	}
	return NULL;
}

/* One finding per program, instruction and verdict, with the count. */
static void write_trap_findings(struct ctx *x, const int *sel, int k)
{
	const struct pm *pm = &x->pm;
	bool *done = xcalloc((size_t)pm->nevents + 1, sizeof(*done));

	for (int e = 0; e < pm->nevents; e++) {
		const struct pm_event *first = &pm->events[e];
		const struct fault_insn *fi = first->insn;
		int count = 0, shown = 0, boots = 0, last_boot = 1;
		char t[32], names[200], what[1400];
		const char *model;
		struct finding *f;

		if (done[e] || !joined(first) || label_of(sel, k, first->boot) > 0)
			continue;
		for (int o = e; o < pm->nevents; o++) {
			const struct pm_event *ev = &pm->events[o];

			if (done[o] || !joined(ev) || label_of(sel, k, ev->boot) > 0 || !same_group(first, ev))
				continue;
			done[o] = true;
			count++;
			if (label_of(sel, k, ev->boot) != last_boot) {
				last_boot = label_of(sel, k, ev->boot);
				boots++;
			}
		}
		iso_time(t, sizeof(t), first->t_us);
		t[10] = ' ';
		t[19] = '\0';
		x86_exts_names(fi->insn.needs, names, sizeof(names));
		snprintf(what, sizeof(what), "%s %s: %s", trap_program(first),
			 first->has_trap ? first->trap.kind : "dumped core", fi->summary);
		model = fi->verdict == FAULT_NEEDS_MISSING ? model_type(&x->isa, fi->insn.needs, fi->pve_type) : NULL;
		if (model)
			str_append(what, sizeof(what), "", " (or the model %s on %s hosts, or host on one node)", model,
				   pve_vendor_fits(PVE_AMD, isa_vendor(&x->isa)) ? "AMD" : "Intel");
		if (count > 1)
			str_append(what, sizeof(what), "", "; %d times in %d boot(s), first at %s UTC (boot %d)", count, boots,
				   t, label_of(sel, k, first->boot));
		else
			str_append(what, sizeof(what), "", " (%s UTC, boot %d)", t, label_of(sel, k, first->boot));
		f = check_finding(x->c, verdict_findings[fi->verdict].id, verdict_findings[fi->verdict].sev,
				  verdict_findings[fi->verdict].advice, "%s", what);
		jw_str(&f->ev, "program", trap_program(first));
		jw_str(&f->ev, "comm", first->has_trap ? first->trap.comm : first->program);
		jw_str(&f->ev, "mnemonic", fi->insn.mnemonic);
		jw_str(&f->ev, "extensions", names);
		jw_str(&f->ev, "verdict", verdict_names[fi->verdict]);
		if (fi->missing)
			jw_str(&f->ev, "missing", x86_exts_names(fi->missing, names, sizeof(names)));
		jw_int(&f->ev, "level", fi->level);
		if (fi->pve_type)
			jw_str(&f->ev, "pve_type", fi->pve_type);
		if (model)
			jw_str(&f->ev, "pve_model_type", model);
		if (fi->source && !strcmp(fi->source, "file")) {
			jw_str(&f->ev, "file", fi->path);
			jw_strf(&f->ev, "file_offset", "0x%llx", (unsigned long long)fi->offset);
		}
		jw_int(&f->ev, "count", count);
		jw_int(&f->ev, "boots", boots);
		jw_str(&f->ev, "isa_from", x->isa.from);
		jw_str(&f->ev, "confirm_with", "isa");
		jw_arr(&f->ev, "events");
		for (int o = e; o < pm->nevents && shown < PM_EVIDENCE_EVENTS; o++) {
			const struct pm_event *ev = &pm->events[o];

			if (!joined(ev) || label_of(sel, k, ev->boot) > 0 || !same_group(first, ev))
				continue;
			write_event(&f->ev, pm, ev, label_of(sel, k, ev->boot), false);
			shown++;
		}
		jw_arr_end(&f->ev);
	}
	free(done);
}

/* What will fail next: one finding per kind, with the list. */
static void write_will_fail_findings(struct ctx *x)
{
	static const struct {
		enum pm_wf_kind kind;
		const char *id;
		enum severity sev;
		const char *head, *advice;
	} kinds[] = {
		{ WF_ELF, "prev.will-fail.elf", SEV_WARN, "program(s) or librar(ies) declare an x86-64 level this vCPU does not run",
		  "glibc's loader refuses these files (\"CPU ISA level is lower than required\"): give the VM a CPU type "
		  "of that level (Hardware > Processors > Type), or install builds for a lower level." },
		{ WF_RUNTIME, "prev.will-fail.runtime", SEV_WARN, "runtime(s) whose vendor requires what this vCPU does not execute",
		  "These programs need the extension their vendor documents (see the source of each): give the VM a CPU "
		  "type that has it (Hardware > Processors > Type), or install the vendor's build for older CPUs." },
		{ WF_OS, "prev.will-fail.os", SEV_FAIL, "the suspect system's distribution needs an x86-64 level this vCPU does not run",
		  "Its whole userspace is built for that level: give the VM a CPU type of that level (Hardware > "
		  "Processors > Type: x86-64-v2-AES for RHEL 9, x86-64-v3 for RHEL 10)." },
		{ WF_HWCAPS, "prev.will-fail.hwcaps", SEV_INFO, "glibc-hwcaps folder(s) this vCPU will skip",
		  "The loader uses the baseline copies of these libraries: slower, not a crash. A CPU type of that level "
		  "lets it use the faster ones." },
	};
	const struct pm_wf *wf = &x->wf;

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		int n = 0, unknown = 0;
		char list[600] = "";
		struct finding *f;

		for (int j = 0; j < wf->nitems; j++)
			if (wf->items[j].kind == kinds[i].kind && wf->items[j].fails) {
				n++;
				unknown += wf->items[j].fails < 0;
				if (n <= 4)
					str_append(list, sizeof(list), ", ", "%s (%s)", wf->items[j].path, wf->items[j].needs);
			}
		if (!n)
			continue;
		if (kinds[i].kind == WF_OS) {
			const struct pm_wf_item *it = NULL;

			for (int j = 0; j < wf->nitems && !it; j++)
				if (wf->items[j].kind == WF_OS && wf->items[j].fails)
					it = &wf->items[j];
			f = check_finding(x->c, kinds[i].id, unknown == n ? SEV_INFO : kinds[i].sev, kinds[i].advice,
					  "%s: built for %s, %s", it->what, it->needs,
					  unknown == n ? "not judged (no isa result)" : "which this vCPU does not run");
		} else {
			f = check_finding(x->c, kinds[i].id, unknown == n ? SEV_INFO : kinds[i].sev, kinds[i].advice,
					  "%d %s%s: %s%s", n, kinds[i].head, unknown == n ? " (not judged: no isa result)" : "",
					  list, n > 4 ? ", ..." : "");
		}
		jw_int(&f->ev, "count", n);
		jw_str(&f->ev, "confirm_with", "isa");
		jw_arr(&f->ev, "items");
		for (int j = 0; j < wf->nitems; j++) {
			const struct pm_wf_item *it = &wf->items[j];

			if (it->kind != kinds[i].kind || !it->fails)
				continue;
			jw_obj(&f->ev, NULL);
			jw_str(&f->ev, "path", it->path);
			jw_str(&f->ev, "what", it->what);
			jw_str(&f->ev, "needs", it->needs);
			if (it->source)
				jw_str(&f->ev, "source", it->source);
			jw_obj_end(&f->ev);
		}
		jw_arr_end(&f->ev);
	}
}

/* The program or unit an event is about. */
static const char *event_name(const struct pm_event *ev)
{
	return ev->unit[0] ? ev->unit : ev->program;
}

/* How many programs or units the shown events of rule r are about: "12 in
 * all" must not read as one service's count when two died. */
static int distinct_names(const struct pm *pm, const int *sel, int k, int r)
{
	int n = 0;

	for (int e = 0; e < pm->nevents; e++) {
		const struct pm_event *ev = &pm->events[e];
		bool seen = false;

		if (ev->rule != r || label_of(sel, k, ev->boot) > 0 || joined(ev))
			continue;
		for (int o = 0; o < e && !seen; o++) {
			const struct pm_event *p = &pm->events[o];

			seen = p->rule == r && label_of(sel, k, p->boot) <= 0 && !joined(p) &&
			       !strcmp(event_name(p), event_name(ev));
		}
		n += !seen;
	}
	return n;
}

static void write_findings(struct ctx *x, const int *sel, int k)
{
	const struct pm *pm = &x->pm;

	for (int r = 0; r < kmsg_nrules; r++) {
		const struct kmsg_rule *rule = &kmsg_rules[r];
		const struct pm_event *first = NULL;
		enum severity sev = rule->sev;
		int count = 0, shown = 0;
		char id[64], t[32], what[300];
		struct finding *f;
		const char *dot = strchr(rule->id, '.');

		for (int e = 0; e < pm->nevents; e++) {
			const struct pm_event *ev = &pm->events[e];

			if (ev->rule != r || label_of(sel, k, ev->boot) > 0 || joined(ev))
				continue;
			if (!first)
				first = ev;
			count++;
			/* SIGILL is the CPU-type signature: as grave as the trap itself. */
			if ((!strcmp(ev->signal, "ILL") || ev->coredump_signal == 4) && sev < SEV_FAIL)
				sev = SEV_FAIL;
		}
		if (!count)
			continue;
		snprintf(id, sizeof(id), "prev.%s", dot ? dot + 1 : rule->id);
		iso_time(t, sizeof(t), first->t_us);
		t[10] = ' ';
		t[19] = '\0';
		event_summary(what, sizeof(what), first, rule);
		if (count > 1) {
			int names = distinct_names(pm, sel, k, r);

			str_append(what, sizeof(what), "", "; %d in all", count);
			if (names > 1)
				str_append(what, sizeof(what), "", " (%d programs or units)", names);
			str_append(what, sizeof(what), "", " in the last %d boot(s)", k);
		}
		f = check_finding(x->c, id, sev, rule->advice, "%s (%s UTC, boot %d)", what, t,
				  label_of(sel, k, first->boot));
		jw_int(&f->ev, "count", count);
		if (rule->confirm)
			jw_str(&f->ev, "confirm_with", rule->confirm);
		jw_arr(&f->ev, "events");
		for (int e = 0; e < pm->nevents && shown < PM_EVIDENCE_EVENTS; e++) {
			const struct pm_event *ev = &pm->events[e];

			if (ev->rule != r || label_of(sel, k, ev->boot) > 0 || joined(ev))
				continue;
			write_event(&f->ev, pm, ev, label_of(sel, k, ev->boot), false);
			shown++;
		}
		jw_arr_end(&f->ev);
	}

	for (int i = 0; i < k; i++) {
		const struct pm_boot *b = &pm->boots[sel[i]];
		double quiet = b->prev_us ? (double)(b->last_us - b->prev_us) / 1e6 : 0;
		bool idle = b->last_us - b->prev_us >= PM_QUIET_IDLE_US;
		char t[32], span[32];
		struct finding *f;

		if (!pm_unclean(b))
			continue;
		iso_time(t, sizeof(t), b->last_us);
		fmt_span(span, sizeof(span), quiet);
		f = check_finding(x->c, "prev.unclean-end", SEV_WARN,
				  idle ? "The system went quiet and then stopped without shutting down: a hang or a "
					 "stall after idling. In a VM suspect the host (deep C-states, power saving, "
					 "a paused or starved vCPU): run the wake check, and look at the host's log "
					 "at this time."
				       : "The system stopped without shutting down while it was busy: a crash, a "
					 "power cut or a forced reset. The events of this boot and pstore say more; "
					 "on bare metal run the burn-in.",
				  "boot %d ended without a shutdown: its log stops at %s, %s after the message before",
				  -i, t, span);
		jw_int(&f->ev, "boot", -i);
		jw_str(&f->ev, "boot_id", b->key);
		jw_str(&f->ev, "last", t);
		jw_num(&f->ev, "quiet_before_end_s", quiet);
		jw_bool(&f->ev, "after_idle", idle);
		jw_str(&f->ev, "last_program", b->last_program);
		jw_str(&f->ev, "last_line", b->last_line);
		jw_str(&f->ev, "confirm_with", idle ? "wake" : "burnin");
	}
}

/* `triage postmortem [options] [DEVICE...]`: the check contract takes
 * options only, so the devices named after them become --devices=LIST. */
static int devices_from_args(int argc, char **argv, char **out, char *list, size_t size)
{
	int n = 0;
	bool rest = false;

	list[0] = '\0';
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const struct opt *o = NULL;

		if (i == 0 || (!rest && a[0] == '-' && a[1])) {
			if (!strcmp(a, "--")) {
				rest = true;
				continue;
			}
			out[n++] = argv[i];
			/* An option that takes a value as the next word keeps it. */
			if (i > 0 && a[1] == '-' && !strchr(a, '='))
				o = opt_find(postmortem_opts, a + 2);
			else if (i > 0 && a[1] != '-' && !a[2])
				for (const struct opt *t = postmortem_opts; t->name && !o; t++)
					if (t->short_name == a[1])
						o = t;
			if (o && o->kind != OPT_FLAG && i + 1 < argc)
				out[n++] = argv[++i];
			continue;
		}
		str_append(list, size, ",", "%s", a);
	}
	out[n] = NULL;
	return n;
}

int cmd_postmortem(int argc, char **argv)
{
	struct optv vals[O_COUNT + 1] = { 0 };
	struct check c;
	struct ctx x = { 0 };
	const char *root;
	int nboots, sel[1000], k, unclean = 0, traps = 0, ooms = 0, events = 0, decoded = 0, needs_missing = 0,
	    will_fail = 0;
	bool use_disks = false;
	char rootbuf[512];
	int64_t t0;
	char **args = xcalloc((size_t)argc + 2, sizeof(*args)), devlist[512], devopt[530];
	int nargs = devices_from_args(argc, argv, args, devlist, sizeof(devlist));
	int rc;

	if (devlist[0]) {
		snprintf(devopt, sizeof(devopt), "--devices=%s", devlist);
		args[nargs++] = devopt;
	}
	rc = check_begin(&c, "postmortem", usage, postmortem_opts, vals, nargs, args);
	free(args);

	if (rc >= 0)
		return rc;
	root = vals[O_ROOT].set ? vals[O_ROOT].str : "/";
	nboots = vals[O_BOOTS].set ? (int)vals[O_BOOTS].num : PM_DEFAULT_BOOTS;
	/* "/" and "/mnt/x/" both become a prefix without the last slash. */
	snprintf(rootbuf, sizeof(rootbuf), "%s", root);
	while (strlen(rootbuf) > 0 && rootbuf[strlen(rootbuf) - 1] == '/')
		rootbuf[strlen(rootbuf) - 1] = '\0';
	x.c = &c;
	x.src = xcalloc(PM_MAX_FILES, sizeof(*x.src));
	x.rec = xmalloc(sizeof(*x.rec));
	pm_init(&x.pm);
	if (!rootbuf[0] && !vals[O_JOURNAL].set) {
		char id[64];

		/* The boot running now has not ended: it is not judged. */
		if (read_line("/proc/sys/kernel/random/boot_id", id, sizeof(id)) == 0) {
			int o = 0;

			for (int i = 0; id[i] && o < 32; i++)
				if (id[i] != '-')
					x.pm.current_boot[o++] = id[i];
			x.pm.current_boot[o] = '\0';
		}
	}

	pm_flight_init(x.rec, x.pm.current_boot);
	if (vals[O_ISA].set) {
		x.isa_done = true;
		if (pm_isa_load(&x.isa, vals[O_ISA].str) < 0 && strcmp(vals[O_ISA].str, "none"))
			check_note(&c, "--isa: %s", x.isa.note);
	}
	t0 = now_ns();
	if (!vals[O_ROOT].set && !vals[O_JOURNAL].set) {
		x.ndisks = pm_find_suspects(x.disks, PM_MAX_DISKS, PM_REPORT_LABEL);
		use_disks = x.ndisks > 0 || vals[O_DEVICES].set;
	}
	if (vals[O_JOURNAL].set) {
		read_journal(&x, vals[O_JOURNAL].str);
		x.read_ns = now_ns() - t0;
		/* A journal alone: its traps against --root's files, else the Code: bytes and this system's. */
		join_root(&x, rootbuf, 0, false);
	} else if (vals[O_ROOT].set || !use_disks) {
		read_root(&x, rootbuf);
		x.read_ns = now_ns() - t0;
		join_root(&x, rootbuf, 0, true);
	} else {
		read_disks(&x, vals[O_DEVICES].set ? vals[O_DEVICES].str : NULL);
		x.read_ns = now_ns() - t0;
	}
	if (x.isa_out[0])
		unlink(x.isa_out);
	pm_finish(&x.pm);
	check_ok(&c, true, "%d log file(s), %lld records, %.1f MB in %.2f s", x.nsrc, x.pm.records, x.bytes / 1e6,
		 x.read_ns / 1e9);

	k = pick_boots(&x.pm, nboots < (int)ARRAY_SIZE(sel) ? nboots : (int)ARRAY_SIZE(sel), sel);
	for (int i = 0; i < k; i++)
		unclean += pm_unclean(&x.pm.boots[sel[i]]);
	for (int e = 0; e < x.pm.nevents; e++) {
		const struct pm_event *ev = &x.pm.events[e];

		if (label_of(sel, k, ev->boot) > 0)
			continue;
		events++;
		traps += ev->has_trap;
		decoded += ev->insn && ev->insn->decoded;
		needs_missing += ev->insn && ev->insn->verdict == FAULT_NEEDS_MISSING;
		ooms += !strcmp(kmsg_rules[ev->rule].id, "kernel.oom");
	}
	for (int i = 0; i < x.wf.nitems; i++)
		will_fail += x.wf.items[i].fails > 0 && x.wf.items[i].kind != WF_HWCAPS;
	if (traps)
		check_ok(&c, decoded == traps, "%d of %d trap(s) decoded to their instruction; isa: %s", decoded, traps,
			 x.isa.json ? x.isa.from : x.isa.note);
	if (x.scanned_roots)
		check_ok(&c, !x.wf.cut_time && !x.wf.cut_files,
			 "will-fail scan: %lld files (%lld ELF, %lld declaring an x86-64 level) in %.2f s%s", x.wf.files,
			 x.wf.elf, x.wf.declaring, x.wf.seconds,
			 x.wf.cut_time ? ", stopped at the time budget" : x.wf.cut_files ? ", stopped at the file budget" : "");
	{
		struct jw *m = check_metrics(&c);
		int total = 0;

		for (int i = 0; i < x.pm.nboots; i++)
			total += !x.pm.boots[i].dropped;
		jw_int(m, "log_files", x.nsrc);
		jw_int(m, "records", x.pm.records);
		jw_int(m, "bytes", x.bytes);
		jw_num(m, "read_s", x.read_ns / 1e9);
		jw_int(m, "boots_found", total);
		jw_int(m, "boots_summarised", k);
		jw_int(m, "unclean_ends", unclean);
		jw_int(m, "events", events);
		jw_int(m, "traps", traps);
		jw_int(m, "traps_decoded", decoded);
		jw_int(m, "traps_needs_missing", needs_missing);
		jw_int(m, "oom_kills", ooms);
		jw_int(m, "will_fail", will_fail);
		jw_num(m, "scan_s", x.wf.seconds);
		pm_flight_write_metrics(x.rec, m);
	}
	if (use_disks) {
		char what[400] = "";

		for (int i = 0; i < x.ndisks; i++)
			if (x.disks[i].logs)
				str_append(what, sizeof(what), ", ", "/dev/%s", x.disks[i].name);
		snprintf(rootbuf, sizeof(rootbuf), "suspect disks: %s", what[0] ? what : "none with logs");
		root = rootbuf;
	}
	write_data(&x, root, sel, k);
	pm_flight_write_data(x.rec, check_data(&c));
	/* The decoded traps first: they name the instruction and the fix; the
	 * rules' findings (the services those traps killed among them) follow. */
	write_trap_findings(&x, sel, k);
	write_findings(&x, sel, k);
	write_will_fail_findings(&x);
	pm_flight_write_findings(x.rec, &c);
	for (int i = 0; i < k; i++) {
		const struct pm_boot *b = &x.pm.boots[sel[i]];
		char t[32];

		iso_time(t, sizeof(t), b->first_us);
		check_ok(&c, !pm_unclean(b) && !b->events, "boot %d (%s, %s): %lld records, %d event(s), %s", -i, t,
			 b->source, b->records, b->events,
			 b->current ? "running now" : b->shutdown ? "clean shutdown" : "no shutdown");
	}
	pm_free(&x.pm);
	pm_isa_free(&x.isa);
	pm_wf_free(&x.wf);
	free(x.src);
	bool recorded = pm_flight_found(x.rec);
	free(x.rec);
	if (!x.nsrc && !recorded)
		return check_end(&c, ST_SKIP, "no journal, text log or pstore record found");
	if (!k && !recorded)
		return check_end(&c, ST_SKIP, "the logs hold no boot");
	return check_end(&c, -1, NULL);
}
