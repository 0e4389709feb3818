/* The writer's side of the checks' schema fragments (issue 12), for the
 * checks' own unit tests: the JSON object a check wrote is validated
 * against schema/checks/NAME.schema.json and the check contract by
 * tests/unit/validate-check (python3-jsonschema, the boot tests' own
 * validator), so a key renamed in a check fails its unit test. */
#ifndef VMTRIAGE_TEST_SCHEMA_H
#define VMTRIAGE_TEST_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

/* Validates the check object in file; every_key also renames each member
 * of metrics and data in turn and wants each rename rejected. Returns the
 * number of problems and their lines ("tests.mem.metrics: ...") in msg;
 * -1 when it cannot validate (no python3-jsonschema). */
int schema_check_file(const char *check, const char *file, bool every_key, char *msg, size_t size);

/* The same as a cmocka assertion: fails the test with the lines. */
void assert_check_schema(const char *check, const char *file, bool every_key);

/* A check object as text (a seam's output), through a temporary file. */
void assert_check_schema_text(const char *check, const char *json, size_t len, bool every_key);

/* Runs a check's command in this process (cmd_mem, ...) with args (NULL
 * ended, the command's name first) and "-q -o FILE" added; FILE, a new
 * temporary file, is written to out (at least 32 bytes). Returns the exit
 * code. */
int run_check(int (*cmd)(int argc, char **argv), const char *const *args, char *out);

#endif
