/* triage watch --install / --uninstall: the systemd unit that keeps the
 * recorder running from early boot, restarted if it dies, niced up so that
 * a busy guest does not starve it, and spared by the OOM killer (it must
 * outlive what it records). */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"

#define UNIT_NAME "vmtriage-watch.service"
#define UNIT_DIR "etc/systemd/system"

/* Options that are about installing, not recording: left out of ExecStart. */
static bool install_only(const char *a, bool *takes_value)
{
	static const char *const flags[] = { "--install", "--uninstall", "--no-enable" };

	*takes_value = false;
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (!strcmp(a, flags[i]))
			return true;
	if (!strcmp(a, "--root")) {
		*takes_value = true;
		return true;
	}
	return !strncmp(a, "--root=", 7);
}

/* An argument for ExecStart: systemd's own quoting (systemd.service(5),
 * "Command lines"): double quotes, with \ and " escaped, and % doubled
 * (a specifier otherwise). */
static void append_arg(FILE *f, const char *a)
{
	fputs("\"", f);
	for (const char *p = a; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		if (*p == '%')
			fputc('%', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

char *watch_unit_text(const char *exe, int argc, char **argv)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		dief("out of memory");
	fprintf(f, "# Written by `triage watch --install`; `triage watch --uninstall` removes it.\n"
		   "[Unit]\n"
		   "Description=vmtriage flight recorder (triage watch): heartbeats, steal, PSI, balloon, disk stalls\n"
		   "DefaultDependencies=no\n"
		   "After=local-fs.target\n"
		   "Before=shutdown.target\n"
		   "Conflicts=shutdown.target\n"
		   "\n"
		   "[Service]\n"
		   "Type=simple\n"
		   "ExecStart=");
	append_arg(f, exe);
	fputs(" watch", f);
	/* each argument after a space */
	for (int i = 1; i < argc; i++) {
		bool takes;
		if (install_only(argv[i], &takes)) {
			i += takes;
			continue;
		}
		fputc(' ', f);
		append_arg(f, argv[i]);
	}
	fprintf(f, "\n"
		   "Restart=always\n"
		   "RestartSec=1\n"
		   "# Not starved by a busy guest, and the last to be killed when memory runs out.\n"
		   "Nice=-10\n"
		   "OOMScoreAdjust=-900\n"
		   "\n"
		   "[Install]\n"
		   "WantedBy=multi-user.target\n");
	fclose(f);
	return text;
}

static int systemctl(const char *a, const char *b, const char *c)
{
	const char *path = access("/usr/bin/systemctl", X_OK) == 0 ? "/usr/bin/systemctl" :
			   access("/bin/systemctl", X_OK) == 0	    ? "/bin/systemctl" : NULL;
	pid_t pid;
	int st;

	if (!path)
		return 1; /* no systemd here: the file alone */
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl(path, "systemctl", a, b, c, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void unit_path(char *buf, size_t size, const char *root)
{
	snprintf(buf, size, "%s%s" UNIT_DIR "/" UNIT_NAME, root, root[strlen(root) - 1] == '/' ? "" : "/");
}

int watch_install(const char *root, int argc, char **argv, bool enable)
{
	char exe[PATH_MAX], path[PATH_MAX + 64], dir[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *text;
	FILE *f;

	if (n <= 0) {
		fprintf(stderr, "triage watch: cannot find this binary (/proc/self/exe): %s\n", strerror(errno));
		return EXIT_ERROR;
	}
	exe[n] = '\0';
	unit_path(path, sizeof(path), root);
	strlcpy_(dir, path, sizeof(dir));
	*strrchr(dir, '/') = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(dir, 0755);
		*p = '/';
	}
	(void)mkdir(dir, 0755);
	text = watch_unit_text(exe, argc, argv);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "triage watch: cannot write %s: %s\n", path, strerror(errno));
		free(text);
		return EXIT_ERROR;
	}
	free(text);
	printf("wrote %s (ExecStart runs %s)\n", path, exe);
	if (!enable)
		return EXIT_PASS;
	int rc = systemctl("daemon-reload", NULL, NULL);
	if (rc == 1) {
		printf("no systemctl here: enable it with `systemctl enable --now " UNIT_NAME "`\n");
		return EXIT_PASS;
	}
	if (rc < 0 || systemctl("enable", "--now", UNIT_NAME) != 0) {
		fprintf(stderr, "triage watch: systemctl enable --now " UNIT_NAME " failed\n");
		return EXIT_ERROR;
	}
	printf("enabled and started " UNIT_NAME "\n");
	return EXIT_PASS;
}

int watch_uninstall(const char *root, bool enable)
{
	char path[PATH_MAX + 64];

	unit_path(path, sizeof(path), root);
	if (enable && access(path, F_OK) == 0 && systemctl("disable", "--now", UNIT_NAME) < 0)
		fprintf(stderr, "triage watch: systemctl disable --now " UNIT_NAME " failed; removing the file anyway\n");
	if (unlink(path) != 0 && errno != ENOENT) {
		fprintf(stderr, "triage watch: cannot remove %s: %s\n", path, strerror(errno));
		return EXIT_ERROR;
	}
	if (enable)
		(void)systemctl("daemon-reload", NULL, NULL);
	printf("removed %s (the records under the ring's folder are kept)\n", path);
	return EXIT_PASS;
}
