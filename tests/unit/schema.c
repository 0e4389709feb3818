/* Runs tests/unit/validate-check from the tests (see schema.h). A second
 * validator in C would be a second reading of JSON Schema to keep in step
 * with the one that judges the boot tests' reports; this is that one. */
#include "schema.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

int schema_check_file(const char *check, const char *file, bool every_key, char *msg, size_t size)
{
	char cmd[600];
	size_t len = 0, n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "python3 tests/unit/validate-check %s'%s' '%s' 2>&1",
		 every_key ? "--every-key " : "", check, file);
	msg[0] = '\0';
	p = popen(cmd, "r");
	if (!p) {
		snprintf(msg, size, "cannot run %s", cmd);
		return -1;
	}
	while (len + 1 < size && (n = fread(msg + len, 1, size - 1 - len, p)) > 0)
		len += n;
	msg[len] = '\0';
	/* Read on to the end: the validator must not die of a broken pipe. */
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 1) {
		int lines = 0;

		for (const char *s = msg; *s; s++)
			lines += *s == '\n';
		return lines ? lines : 1;
	}
	return -1;
}

void assert_check_schema(const char *check, const char *file, bool every_key)
{
	static char msg[16384];
	const char *keep = getenv("VMTRIAGE_SCHEMA_KEEP");
	int n;

	/* A folder to keep each object in, to look at what was validated. */
	if (keep) {
		static int seq;
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && cp '%s' '%s/%s-%d-%d.json'", keep, file, keep, check,
			 (int)getpid(), seq++);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot keep %s in %s\n", file, keep);
	}
	n = schema_check_file(check, file, every_key, msg, sizeof(msg));

	if (n < 0)
		fail_msg("cannot validate `triage %s`'s JSON: %s", check, msg);
	/* cmocka cuts long messages: the whole list first. */
	if (n > 0) {
		fprintf(stderr, "%s", msg);
		fail_msg("`triage %s` wrote JSON that schema/checks/%s.schema.json (or the check contract) rejects: "
			 "%d problem%s above", check, check, n, n == 1 ? "" : "s");
	}
}

void assert_check_schema_text(const char *check, const char *json, size_t len, bool every_key)
{
	char path[] = "/tmp/vmtriage_schema_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(json, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_check_schema(check, path, every_key);
	unlink(path);
}

int run_check(int (*cmd)(int argc, char **argv), const char *const *args, char *out)
{
	char *argv[40];
	int argc = 0, fd, rc;

	strcpy(out, "/tmp/vmtriage_check_XXXXXX");
	fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	while (args[argc] && argc < 35) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc++] = "-q";
	argv[argc++] = "-o";
	argv[argc++] = out;
	argv[argc] = NULL;
	/* Each command parses from argv[1] on, as the dispatcher calls it. */
	rc = cmd(argc, argv);
	fflush(NULL);
	return rc;
}
