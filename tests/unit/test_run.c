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

#include "lib/kmsg.h"
#include "lib/verdict.h"
#include "report/report.h"
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
	assert_int_equal(status_exit_code(ST_FAIL), 1);
	assert_int_equal(status_exit_code(ST_WARN), 2);
	assert_int_equal(status_exit_code(ST_ERROR), 3);
	assert_int_equal(status_exit_code(ST_PASS), 0);
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

static void test_kmsg_rules(void **state)
{
	(void)state;
	static const struct {
		const char *line, *id;
	} cases[] = {
		{ "traps: node[412] general protection fault ip:7f3a sp:7ffd error:0 in libc.so.6", "kernel.gpf" },
		{ "traps: bun[77] trap invalid opcode ip:4a1b2c sp:7ffe error:0 in bun[400000+1000]", "kernel.gpf" },
		{ "watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [java:1234]", "kernel.soft-lockup" },
		{ "BUG: kernel NULL pointer dereference, address: 0000000000000008", "kernel.bug" },
		{ "NMI watchdog: Watchdog detected hard LOCKUP on cpu 3", "kernel.soft-lockup" },
		{ "INFO: task kworker/0:1:12 blocked for more than 120 seconds.", "kernel.hung-task" },
		{ "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:", "kernel.rcu-stall" },
		{ "Out of memory: Killed process 321 (triage) total-vm:123kB", "kernel.oom" },
		{ "clocksource: Marking clocksource 'tsc' as unstable because the skew is too large:", "kernel.clocksource" },
		{ "mce: [Hardware Error]: Machine check events logged", "kernel.mce" },
		{ "EDAC MC0: 1 CE memory read error on CPU_SrcID#0_Ha#0_Chan#1_DIMM#0", "kernel.edac" },
		{ "virtio_balloon virtio2: Out of puff! Can't get 1 pages", "kernel.balloon" },
		{ "WARNING: CPU: 0 PID: 1 at kernel/foo.c:12 bar+0x1/0x2", "kernel.warning" },
		{ "EDAC MC: Ver: 3.0.0", NULL },
		{ "EDAC sbridge MC0: HANDLING MCE MEMORY ERROR", "kernel.edac" },
		{ "EDAC MC1: 2 UE memory read error on DIMM_B1", "kernel.edac" },
		{ "EDAC DEBUG: nothing wrong", NULL },
		{ "Linux version 6.1.0 (gcc 12)", NULL },
		{ "random: crng init done", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = kmsg_classify(cases[i].line);
		const char *got = r < 0 ? NULL : kmsg_rules[r].id;

		if (!cases[i].id ? got != NULL : !got || strcmp(got, cases[i].id) != 0)
			fail_msg("'%s': expected %s, got %s", cases[i].line, cases[i].id ? cases[i].id : "nothing",
				 got ? got : "nothing");
	}
}

static void test_kmsg_records(void **state)
{
	(void)state;
	struct kmsg_watch w = { .fd = -1 };
	static const char rec[] = "4,1234,5678901,-;Out of memory: Killed process 9 (x)\n SUBSYSTEM=mem\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	struct jw jw;
	struct jval *v;

	for (int i = 0; i < KMSG_EVIDENCE_LINES + 2; i++)
		kmsg_feed(&w, rec, sizeof(rec) - 1);
	kmsg_feed(&w, "garbage without a semicolon", 27);
	assert_int_equal(w.records, KMSG_EVIDENCE_LINES + 3);
	assert_int_equal(kmsg_worst(&w), SEV_WARN);
	f = open_memstream(&buf, &len);
	jw_init(&jw, f, 0);
	jw_obj(&jw, NULL);
	kmsg_write(&w, &jw, "kernel_log");
	jw_obj_end(&jw);
	fclose(f);
	v = json_parse(buf, len, NULL, 0);
	assert_non_null(v);
	const struct jval *k = json_get(v, "kernel_log");

	assert_int_equal(k->len, 1);
	assert_string_equal(json_str(k->items[0], "id", ""), "kernel.oom");
	assert_true(json_num(json_get(k->items[0], "evidence"), "count", 0) == KMSG_EVIDENCE_LINES + 2);
	assert_int_equal(json_get(json_get(k->items[0], "evidence"), "lines")->len, KMSG_EVIDENCE_LINES);
	assert_string_equal(json_get(json_get(k->items[0], "evidence"), "lines")->items[0]->str,
			    "Out of memory: Killed process 9 (x)");
	assert_int_equal(verdict_with_kernel(ST_PASS, SEV_WARN), ST_WARN);
	assert_int_equal(verdict_with_kernel(ST_ERROR, SEV_WARN), ST_ERROR);
	assert_int_equal(verdict_with_kernel(ST_WARN, SEV_FAIL), ST_FAIL);
	assert_int_equal(verdict_with_kernel(ST_PASS, SEV_INFO), ST_PASS);
	json_free(v);
	free(buf);
}

/* The serial verdict wraps a long summary at a word, as the VGA page does
 * (the old one cut "...instabil..." mid-word at column 80). */
static void test_text_never_cuts_a_word(void **state)
{
	const char *rep = "{\"verdict\":{\"status\":\"fail\",\"top\":[{\"id\":\"prev.trap.needs-missing\","
			  "\"severity\":\"fail\",\"summary\":\"crashy invalid opcode: died at vpbroadcastb, which "
			  "needs AVX2; this vCPU does not execute it -> x86-64-v3, PVE type x86-64-v3\"}]}}";
	struct jval *v = json_parse(rep, strlen(rep), NULL, 0);
	size_t len;
	char *text;

	(void)state;
	assert_non_null(v);
	text = render_screen(v, false, &len);
	assert_non_null(strstr(text, "1. [fail] crashy invalid opcode: died at vpbroadcastb, which needs AVX2; this\n"));
	assert_non_null(strstr(text, "\n   vCPU does not execute it -> x86-64-v3, PVE type x86-64-v3\n"));
	assert_non_null(strstr(text, "\n   prev.trap.needs-missing\n"));
	free(text);
	json_free(v);
}

/* verdict.top (lib/verdict): failures before warnings in the order added,
 * errors last, at most VERDICT_TOP_MAX, informational ones only counted. */
static void test_verdict_top(void **state)
{
	struct verdict v;
	char *text = NULL, name[16];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct jw w;
	struct jval *j;
	const struct jval *top;

	(void)state;
	verdict_init(&v);
	verdict_add_error(&v, "mem", "crashed");
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "w%d", i);
		verdict_add(&v, "wake", name, SEV_WARN, "a warning", NULL);
	}
	verdict_add(&v, "isa", "cpu.pve-type", SEV_INFO, "info", NULL);
	verdict_add(&v, "kernel_log", "kernel.gpf", SEV_FAIL, "a trap", "advice");
	jw_init(&w, f, 0);
	jw_obj(&w, NULL);
	verdict_write(&v, &w, ST_FAIL);
	jw_obj_end(&w);
	fclose(f);
	verdict_free(&v);
	j = json_parse(text, len, NULL, 0);
	assert_non_null(j);
	top = json_path(j, "verdict.top");
	assert_int_equal(json_len(top), VERDICT_TOP_MAX);
	assert_string_equal(json_str(json_at(top, 0), "id", ""), "kernel.gpf");
	assert_string_equal(json_str(json_at(top, 0), "advice", ""), "advice");
	assert_string_equal(json_str(json_at(top, 1), "id", ""), "w0");
	assert_string_equal(json_str(json_at(top, 9), "id", ""), "w8");
	assert_true(json_num(json_path(j, "verdict.findings"), "warn", 0) == 12);
	assert_true(json_num(json_path(j, "verdict.findings"), "info", 0) == 1);
	assert_true(json_num(json_path(j, "verdict.findings"), "fail", 0) == 1);
	assert_true(json_num(json_get(j, "verdict"), "exit_code", 0) == 1);
	json_free(j);
	free(text);

	/* With room, the check in error comes after the findings. */
	text = NULL;
	f = open_memstream(&text, &len);
	verdict_init(&v);
	verdict_add_error(&v, "mem", "crashed");
	verdict_add(&v, "wake", "wake.stall", SEV_WARN, "late", NULL);
	jw_init(&w, f, 0);
	jw_obj(&w, NULL);
	verdict_write(&v, &w, ST_ERROR);
	jw_obj_end(&w);
	fclose(f);
	verdict_free(&v);
	j = json_parse(text, len, NULL, 0);
	top = json_path(j, "verdict.top");
	assert_int_equal(json_len(top), 2);
	assert_string_equal(json_str(json_at(top, 1), "id", ""), "run.check-error.mem");
	assert_string_equal(json_str(json_at(top, 1), "severity", ""), "error");
	json_free(j);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_good),
		cmocka_unit_test(test_judge_faults),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_verdict_top),
		cmocka_unit_test(test_text_never_cuts_a_word),
		cmocka_unit_test(test_text_80_columns),
		cmocka_unit_test(test_kmsg_rules),
		cmocka_unit_test(test_kmsg_records),
	};
	return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
