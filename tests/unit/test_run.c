/* triage run: judging a child (crash, hang, garbage, contradictions), the
 * verdict, and the text report's 80 columns. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run/run.h"

#define EXITED(code) ((code) << 8)	/* a wait status as waitpid gives it */
#define SIGNALED(sig) (sig)

static const char good_warn[] =
	"{\"name\":\"isa\",\"status\":\"warn\",\"reason\":null,\"metrics\":{},\"data\":{},"
	"\"findings\":[{\"id\":\"cpu.no-avx\",\"severity\":\"warn\",\"summary\":\"s\",\"evidence\":{},\"advice\":\"a\"}]}";

static void judge(struct check_result *r, int ws, bool to, const char *out)
{
	memset(r, 0, sizeof(*r));
	r->name = "isa";
	judge_child(r, ws, to, 30, out, strlen(out));
}

static void test_judge_good(void **state)
{
	(void)state;
	struct check_result r;

	judge(&r, EXITED(2), false, good_warn);
	assert_int_equal(r.status, ST_WARN);
	assert_non_null(r.json);
	json_free(r.json);
}

static void test_judge_faults(void **state)
{
	(void)state;
	struct check_result r;

	judge(&r, SIGNALED(SIGSEGV), false, "");
	assert_int_equal(r.status, ST_ERROR);
	assert_non_null(strstr(r.reason, "crashed"));
	assert_null(r.json);

	judge(&r, SIGNALED(SIGKILL), true, "{\"partial\":");
	assert_int_equal(r.status, ST_ERROR);
	assert_non_null(strstr(r.reason, "time limit of 30 s"));

	judge(&r, EXITED(0), false, "{\"name\": \"isa\", this is not JSON\n");
	assert_int_equal(r.status, ST_ERROR);
	assert_non_null(strstr(r.reason, "not JSON"));

	judge(&r, EXITED(0), false, "");
	assert_int_equal(r.status, ST_ERROR);
	assert_non_null(strstr(r.reason, "no output"));

	judge(&r, EXITED(0), false, "[1,2]");
	assert_int_equal(r.status, ST_ERROR);
	assert_non_null(strstr(r.reason, "not a check result"));

	judge(&r, EXITED(0), false, "{\"status\":\"great\",\"findings\":[]}");
	assert_int_equal(r.status, ST_ERROR);

	/* exit 0 (pass) with a "warn" status: the two disagree */
	judge(&r, EXITED(0), false, good_warn);
	assert_int_equal(r.status, ST_ERROR);
	assert_non_null(strstr(r.reason, "contradicts"));
	json_free(r.json);
}

static void test_verdict(void **state)
{
	(void)state;
	struct check_result r[4] = {
		{ .status = ST_PASS }, { .status = ST_SKIP }, { .status = ST_WARN }, { .status = ST_PASS },
	};

	assert_int_equal(verdict_of(r, 2), ST_PASS);
	assert_int_equal(verdict_of(r, 4), ST_WARN);
	r[3].status = ST_ERROR;
	assert_int_equal(verdict_of(r, 4), ST_ERROR);
	r[0].status = ST_FAIL;
	assert_int_equal(verdict_of(r, 4), ST_FAIL);
	assert_int_equal(verdict_exit_code(ST_FAIL), 1);
	assert_int_equal(verdict_exit_code(ST_WARN), 2);
	assert_int_equal(verdict_exit_code(ST_ERROR), 3);
	assert_int_equal(verdict_exit_code(ST_PASS), 0);
}

static void test_text_80_columns(void **state)
{
	(void)state;
	const char *rep =
		"{\"run\":{\"mode\":\"quick\",\"started_utc\":\"2026-01-01T00:00:00Z\",\"problems\":"
		"[\"triage.bogus: unknown option; ignored\"]},\"machine_id\":\"0123abcd\","
		"\"system\":{\"cpu\":{\"brand\":\"Some CPU\",\"online\":2}},"
		"\"tests\":{\"isa\":{\"status\":\"warn\",\"duration_s\":0.5,\"findings\":[{\"severity\":\"warn\","
		"\"summary\":\"The vCPU lacks AVX, which a great deal of modern software expects to find, so it "
		"crashes or runs slowly; this sentence is long to test the wrapping of summaries.\"}]}},"
		"\"report_disk\":{\"written\":false,\"error\":\"no filesystem labelled TRIAGE found\"},"
		"\"verdict\":{\"status\":\"warn\",\"top\":[{\"id\":\"cpu.no-avx\",\"severity\":\"warn\","
		"\"summary\":\"short\",\"advice\":\"Pick the x86-64-v3 CPU type in Proxmox VE (Hardware, Processors, "
		"Type) or host if every node of the cluster has the same CPU; host blocks live migration.\"}]}}";
	struct jval *v = json_parse(rep, strlen(rep), NULL, 0);
	size_t len;
	char *text, *line;

	assert_non_null(v);
	text = render_text(v, &len);
	assert_int_equal(strlen(text), len);
	assert_non_null(strstr(text, "VERDICT: WARN"));
	assert_non_null(strstr(text, "Advice: Pick the x86-64-v3"));
	assert_non_null(strstr(text, "triage.bogus"));
	assert_non_null(strstr(text, "no filesystem labelled TRIAGE"));
	for (char *save = NULL, *p = text; (line = strtok_r(p, "\n", &save)); p = NULL)
		if (strlen(line) > 80)
			fail_msg("line longer than 80 columns: '%s'", line);
	free(text);
	json_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_good),
		cmocka_unit_test(test_judge_faults),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_text_80_columns),
	};
	return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
