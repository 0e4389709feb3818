/* What will fail next on the suspect system (join.h): ELF files whose GNU
 * property note says they need an x86-64 level (glibc's loader refuses them
 * with "CPU ISA level is lower than required"), glibc-hwcaps folders the
 * loader will skip, and runtimes with documented requirements
 * (runtimes.def), each judged against what isa measured here. Bounded: the
 * folders where programs live, within a time and file budget. */
#include "postmortem/join.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/elf.h"
#include "lib/util.h"

struct wf_runtime {
	const char *name, *path, *needs, *source;
};
struct wf_os {
	const char *name, *ids;
	int major;
	const char *needs, *source;
};

#define RUNTIME(n, p, x, s) { n, p, x, s },
#define OS(n, i, v, x, s)
static const struct wf_runtime runtimes[] = {
#include "postmortem/runtimes.def"
};
#undef RUNTIME
#undef OS
#define RUNTIME(n, p, x, s)
#define OS(n, i, v, x, s) { n, i, v, x, s },
static const struct wf_os oses[] = {
#include "postmortem/runtimes.def"
};
#undef RUNTIME
#undef OS

/* Where programs and their libraries live (FHS), under the root. bin,
 * sbin, lib and lib64 are links into usr on merged-/usr systems: the walk
 * follows no link, so nothing is read twice. */
static const char *const program_dirs[] = {
	"usr/bin", "usr/sbin", "usr/libexec", "usr/lib", "usr/lib64", "usr/lib32", "usr/local", "opt",
	"bin", "sbin", "lib", "lib64",
};
/* Folders of no programs, large: kernel modules, firmware, debug symbols,
 * and the script trees of Python and Perl (tens of thousands of files; their
 * few native modules declare no ISA level in practice). By name prefix. */
static const char *const skip_dirs[] = { "modules", "firmware", "debug", "locale", "python", "perl", "share",
					 "node_modules", "gems" };
/* Names that are never ELF files, not opened at all. */
static const char *const skip_suffixes[] = { ".py", ".pyc", ".pm", ".pl", ".h", ".txt", ".gz", ".xz", ".zst", ".json",
					     ".js", ".mo", ".png", ".svg", ".html", ".rb", ".conf", ".a", ".o", ".la" };
#define WF_MAX_DEPTH 10

struct walk {
	struct pm_wf *wf;
	const char *root;
	const struct pm_isa *isa;
	int64_t deadline;
};

/* Whether the vCPU runs what needs asks: 1, 0, or -1 (no isa result). */
static int runs(const struct pm_isa *isa, const char *needs)
{
	int lvl;

	if (!isa->json)
		return -1;
	if (sscanf(needs, "x86-64-v%d", &lvl) == 1)
		return isa->level_exec ? isa->level_exec >= lvl : -1;
	return pm_isa_executes(isa, needs);
}

static void add(struct pm_wf *wf, enum pm_wf_kind kind, const char *path, const char *needs, const char *source, int fails,
		const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void add(struct pm_wf *wf, enum pm_wf_kind kind, const char *path, const char *needs, const char *source, int fails,
		const char *fmt, ...)
{
	struct pm_wf_item *it;
	va_list ap;

	if (wf->nitems >= PM_WF_MAX_ITEMS) {
		wf->more++;
		return;
	}
	if (wf->nitems == wf->cap) {
		wf->cap = wf->cap ? 2 * wf->cap : 16;
		wf->items = xrealloc(wf->items, (size_t)wf->cap * sizeof(*wf->items));
	}
	it = &wf->items[wf->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	snprintf(it->path, sizeof(it->path), "/%s", path);
	snprintf(it->needs, sizeof(it->needs), "%s", needs);
	it->source = source;
	it->fails = fails;
	va_start(ap, fmt);
	vsnprintf(it->what, sizeof(it->what), fmt, ap);
	va_end(ap);
}

/* One regular file: its x86 ISA needs, if it is an ELF file that declares
 * them. Mapped, not read: only the header and notes are touched. */
static void scan_file(struct walk *w, const char *full, const char *rel, off_t size)
{
	unsigned char magic[4];
	struct elf e;
	struct elf_props p;
	void *map;
	int fd, lvl;
	char needs[16], names[120];

	w->wf->files++;
	if (size < 64)
		return;
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOATIME | O_NOFOLLOW);
	if (fd < 0)
		fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (pread(fd, magic, 4, 0) != 4 || memcmp(magic, "\177ELF", 4)) {
		close(fd);
		return;
	}
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	w->wf->elf++;
	if (elf_open(&e, map, (size_t)size) == 0 && (e.type == ELF_ET_EXEC || e.type == ELF_ET_DYN)) {
		elf_x86_props(&e, &p);
		/* The highest level named: glibc requires every bit it knows. */
		lvl = p.has_needed ? (p.isa_needed & ELF_X86_ISA_V4 ? 4 : p.isa_needed & ELF_X86_ISA_V3 ? 3
				      : p.isa_needed & ELF_X86_ISA_V2 ? 2 : 1) : 1;
		if (lvl > 1) {
			int r;

			w->wf->declaring++;
			snprintf(needs, sizeof(needs), "x86-64-v%d", lvl);
			r = runs(w->isa, needs);
			if (r != 1)
				add(w->wf, WF_ELF, rel, needs, NULL, r < 0 ? -1 : 1, "declares it needs %s (GNU property)",
				    elf_isa_names(p.isa_needed, names, sizeof(names)));
		}
	}
	munmap(map, (size_t)size);
}

/* glibc-hwcaps/x86-64-vN: the loader takes these only on a CPU of level N. */
static void scan_hwcaps(struct walk *w, const char *full, const char *rel)
{
	DIR *d = opendir(full);
	struct dirent *de;
	int lvl;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char sub[700];
		int r;

		if (sscanf(de->d_name, "x86-64-v%d", &lvl) != 1)
			continue;
		r = runs(w->isa, de->d_name);
		if (r == 1)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name) >= (int)sizeof(sub))
			continue;
		add(w->wf, WF_HWCAPS, sub, de->d_name, NULL, r < 0 ? -1 : 1,
		    "libraries built for %s: the loader skips them and takes the baseline ones (slower, not a crash)",
		    de->d_name);
	}
	closedir(d);
}

static bool over_budget(struct walk *w)
{
	if (w->wf->files >= w->wf->max_files) {
		w->wf->cut_files = true;
		return true;
	}
	/* The clock is read every 64 files: cheap enough, fine enough. */
	if ((w->wf->files & 63) == 0 && now_ns() > w->deadline)
		w->wf->cut_time = true;
	return w->wf->cut_time;
}

static void walk(struct walk *w, const char *rel, int depth)
{
	char full[1200];
	DIR *d;
	struct dirent *de;

	snprintf(full, sizeof(full), "%s/%s", w->root, rel);
	d = opendir(full);
	if (!d)
		return;
	w->wf->dirs++;
	while ((de = readdir(d)) && !over_budget(w)) {
		char sub[1000], path[1300];
		struct stat sb;
		bool skip = false;

		if (de->d_name[0] == '.')
			continue;
		/* Paths too long for the buffers are left out, not cut. */
		if (snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name) >= (int)sizeof(sub) ||
		    snprintf(path, sizeof(path), "%s/%s", w->root, sub) >= (int)sizeof(path))
			continue;
		/* No link is followed: an absolute one points out of the root. */
		if (lstat(path, &sb) < 0)
			continue;
		if (S_ISREG(sb.st_mode)) {
			size_t nl = strlen(de->d_name);

			for (size_t i = 0; i < ARRAY_SIZE(skip_suffixes) && !skip; i++) {
				size_t sl = strlen(skip_suffixes[i]);

				skip = nl > sl && !strcmp(de->d_name + nl - sl, skip_suffixes[i]);
			}
			if (skip)
				w->wf->files++;
			else
				scan_file(w, path, sub, sb.st_size);
			continue;
		}
		if (!S_ISDIR(sb.st_mode) || depth >= WF_MAX_DEPTH)
			continue;
		if (!strcmp(de->d_name, "glibc-hwcaps")) {
			/* What is inside is judged as a folder, not file by file. */
			scan_hwcaps(w, path, sub);
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(skip_dirs); i++)
			skip |= !strncmp(de->d_name, skip_dirs[i], strlen(skip_dirs[i]));
		if (!skip)
			walk(w, sub, depth + 1);
	}
	closedir(d);
}

/* rel with at most one '*' component: calls check for each match. */
static void runtime_paths(struct walk *w, const struct wf_runtime *rt)
{
	const char *star = strchr(rt->path, '*');
	char path[1200];
	struct stat sb;

	if (!star) {
		snprintf(path, sizeof(path), "%s/%s", w->root, rt->path);
		if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			int r = runs(w->isa, rt->needs);

			add(w->wf, WF_RUNTIME, rt->path, rt->needs, rt->source, r < 0 ? -1 : !r, "%s", rt->name);
		}
		return;
	}
	{
		/* "opt/mongodb*" + "/bin/mongod": the folder before the star, the
		 * prefix of the name, and the rest after the component. */
		const char *slash = star;
		const char *after = strchr(star, '/');
		char dir[600], prefix[100];
		DIR *d;
		struct dirent *de;

		while (slash > rt->path && slash[-1] != '/')
			slash--;
		snprintf(dir, sizeof(dir), "%s/%.*s", w->root, (int)(slash - rt->path), rt->path);
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(star - slash), slash);
		d = opendir(dir);
		if (!d)
			return;
		while ((de = readdir(d))) {
			char rel[900];
			int r;

			if (de->d_name[0] == '.' || strncmp(de->d_name, prefix, strlen(prefix)))
				continue;
			snprintf(rel, sizeof(rel), "%.*s%s%s", (int)(slash - rt->path), rt->path, de->d_name,
				 after ? after : "");
			snprintf(path, sizeof(path), "%s/%s", w->root, rel);
			if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
				continue;
			r = runs(w->isa, rt->needs);
			add(w->wf, WF_RUNTIME, rel, rt->needs, rt->source, r < 0 ? -1 : !r, "%s", rt->name);
		}
		closedir(d);
	}
}

void pm_os_field(const char *text, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key);

	out[0] = '\0';
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n;

		if (strncmp(l, key, kl) || l[kl] != '=')
			continue;
		l += kl + 1;
		if (*l == '"' || *l == '\'')
			l++;
		n = strcspn(l, "\"'\n");
		snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), l);
		return;
	}
}

static void scan_os(struct walk *w)
{
	static const char *const files[] = { "etc/os-release", "usr/lib/os-release" };
	char path[700], id[64], like[160], ver[32], pretty[120];
	char *text = NULL;
	const char *rel = NULL;
	size_t len;
	struct stat sb;

	for (size_t i = 0; i < ARRAY_SIZE(files) && !text; i++) {
		snprintf(path, sizeof(path), "%s/%s", w->root, files[i]);
		/* etc/os-release is often a link to ../usr/lib/os-release. */
		if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			text = read_file(path, 16384, &len);
			rel = files[i];
		}
	}
	if (!text)
		return;
	pm_os_field(text, "ID", id, sizeof(id));
	pm_os_field(text, "ID_LIKE", like, sizeof(like));
	pm_os_field(text, "VERSION_ID", ver, sizeof(ver));
	pm_os_field(text, "PRETTY_NAME", pretty, sizeof(pretty));
	free(text);
	if (pretty[0] && !w->wf->os[0])
		snprintf(w->wf->os, sizeof(w->wf->os), "%s", pretty);
	for (size_t i = 0; i < ARRAY_SIZE(oses); i++) {
		const struct wf_os *o = &oses[i];
		char ids[200], *tok, *save = NULL;
		bool match = false;
		int r;

		snprintf(ids, sizeof(ids), "%s", o->ids);
		for (tok = strtok_r(ids, " ", &save); tok && !match; tok = strtok_r(NULL, " ", &save))
			match = !strcmp(id, tok);
		if (!match || atoi(ver) != o->major)
			continue;
		r = runs(w->isa, o->needs);
		add(w->wf, WF_OS, rel, o->needs, o->source, r < 0 ? -1 : !r, "%s: %s", o->name, pretty[0] ? pretty : id);
	}
}

void pm_will_fail(struct pm_wf *wf, const char *root, const struct pm_isa *isa, double budget_s, long long max_files)
{
	struct walk w = { wf, root[0] ? root : "", isa, 0 };
	int64_t t0 = now_ns();

	wf->budget_s = budget_s > 0 ? budget_s : 0;
	wf->max_files = max_files;
	w.deadline = t0 + (int64_t)(budget_s * 1e9);
	scan_os(&w);
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++)
		runtime_paths(&w, &runtimes[i]);
	for (size_t i = 0; i < ARRAY_SIZE(program_dirs) && !over_budget(&w); i++) {
		char p[700];
		struct stat sb;

		/* /bin -> usr/bin on merged-/usr systems: read once, as usr/bin. */
		snprintf(p, sizeof(p), "%s/%s", w.root, program_dirs[i]);
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			walk(&w, program_dirs[i], 0);
	}
	wf->seconds += (double)(now_ns() - t0) / 1e9;
}

void pm_wf_free(struct pm_wf *wf)
{
	free(wf->items);
	memset(wf, 0, sizeof(*wf));
}
