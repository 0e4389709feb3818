#include "task.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* A count as procfs.c reads one: saturating, a negative one as 0. */
static const char *count(const char *s, int64_t *out)
{
	char *e;
	long long v;

	errno = 0;
	v = strtoll(s, &e, 10);
	if (e == s)
		return NULL;
	*out = v > 0 ? v : 0;
	return e;
}

int task_stat_parse(const char *text, struct task_stat *st)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')'), *p;
	int64_t v, tid;
	size_t n;

	memset(st, 0, sizeof(*st));
	st->processor = -1;
	if (!open || !close || close < open || !count(text, &tid) || tid > INT_MAX)
		return -1;
	st->tid = (int)tid;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(st->comm))
		n = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, n);
	st->comm[n] = 0;
	p = close + 1;
	if (*p != ' ' || !p[1] || p[1] == ' ' || p[1] == '\n')
		return -1;
	st->state = p[1];
	p += 2;
	/* fields 4 (ppid) to 13 (cmajflt), then utime and stime, then on to
	 * 39 (processor) */
	for (int field = 4; field <= 39; field++) {
		while (*p == ' ')
			p++;
		if (*p == '-')
			p++; /* tty_nr, tpgid, priority, nice may be negative */
		if (!(p = count(p, &v))) {
			if (field <= 15)
				return -1;
			break;
		}
		if (field == 14)
			st->utime = v;
		else if (field == 15)
			st->stime = v;
		else if (field == 39)
			st->processor = v > INT_MAX ? -1 : (int)v;
	}
	return 0;
}

int schedstat_parse(const char *text, struct schedstat *ss)
{
	const char *p = text;

	memset(ss, 0, sizeof(*ss));
	if (!(p = count(p, &ss->run_ns)) || !(p = count(p, &ss->delay_ns)) || !count(p, &ss->slices))
		return -1;
	return 0;
}

int task_list(const char *root, int pid, int *tids, int max)
{
	char path[512];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "%s/proc/%d/task", root, pid);
	if (!(dir = opendir(path)))
		return -1;
	while ((d = readdir(dir)) && n < max) {
		long long tid;

		if (parse_ll(d->d_name, &tid) == 0 && tid > 0 && tid <= INT_MAX)
			tids[n++] = (int)tid;
	}
	closedir(dir);
	return n;
}

int task_read(const char *root, int pid, int tid, struct task_stat *st, struct schedstat *ss, bool *has_sched)
{
	char path[512], buf[1024];
	size_t len;
	char *text;

	snprintf(path, sizeof(path), "%s/proc/%d/task/%d/stat", root, pid, tid);
	if (!(text = read_file(path, 4096, &len)))
		return -1;
	if (task_stat_parse(text, st) < 0) {
		free(text);
		errno = EINVAL;
		return -1;
	}
	free(text);
	snprintf(path, sizeof(path), "%s/proc/%d/task/%d/schedstat", root, pid, tid);
	*has_sched = read_line(path, buf, sizeof(buf)) == 0 && schedstat_parse(buf, ss) == 0;
	if (!*has_sched)
		memset(ss, 0, sizeof(*ss));
	return 0;
}

int task_open(const char *root, int pid, int tid, int fds[2])
{
	char path[512];

	snprintf(path, sizeof(path), "%s/proc/%d/task/%d/stat", root, pid, tid);
	if ((fds[0] = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fds[1] = -1;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/proc/%d/task/%d/schedstat", root, pid, tid);
	fds[1] = open(path, O_RDONLY | O_CLOEXEC);
	return 0;
}

static int pread_text(int fd, char *buf, size_t size)
{
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, size - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	return 0;
}

int task_read_fds(const int fds[2], struct task_stat *st, struct schedstat *ss, bool *has_sched)
{
	char buf[1024];

	/* a thread that has ended reads as an error (ESRCH) or nothing */
	if (pread_text(fds[0], buf, sizeof(buf)) < 0 || task_stat_parse(buf, st) < 0)
		return -1;
	*has_sched = pread_text(fds[1], buf, sizeof(buf)) == 0 && schedstat_parse(buf, ss) == 0;
	if (!*has_sched)
		memset(ss, 0, sizeof(*ss));
	return 0;
}

void task_close(int fds[2])
{
	for (int i = 0; i < 2; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}
