/* triage host --autopsy: lib/task's readers of a thread's stat and
 * schedstat and the autopsy's parsers on what real QEMU and Linux wrote
 * (tests/unit/data/autopsy/README), and the judge on the edges of every
 * threshold. The whole command runs against real QEMU processes in
 * tests/autopsy/check (make check-autopsy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host/autopsy.h"
#include "host/qmp.h"
#include "lib/json.h"
#include "lib/task.h"
#include "lib/util.h"

#define DATA "tests/unit/data/autopsy/"

static void test_task_stat_recorded(void **state)
{
	char *text = read_file(DATA "qemu-7.2-tcg-spin-threads.txt", 1 << 20, NULL);
	int threads = 0, vcpus = 0;

	(void)state;
	assert_non_null(text);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		struct task_stat st;
		struct schedstat ss;
		char *comm;

		if (line[0] != '#')
			continue;
		comm = line + 2;
		line = strtok(NULL, "\n");
		assert_int_equal(task_stat_parse(line, &st), 0);
		assert_string_equal(st.comm, comm);
		assert_true(st.tid > 0);
		line = strtok(NULL, "\n");
		assert_int_equal(schedstat_parse(line, &ss), 0);
		assert_true(ss.run_ns > 0 && ss.slices > 0);
		if (!strcmp(st.comm, "CPU 0/TCG")) {
			/* the spinning vCPU: running, 40 ticks in user space */
			assert_int_equal(st.state, 'R');
			assert_int_equal(st.utime, 40);
			assert_int_equal(ss.run_ns, 410469725);
			assert_int_equal(ss.delay_ns, 685951908);
			vcpus++;
		}
		threads++;
	}
	assert_true(threads >= 3);
	assert_int_equal(vcpus, 1);
	free(text);
}

static void test_task_stat_corners(void **state)
{
	struct task_stat st;
	struct schedstat ss;

	(void)state;
	/* a name with ") " and "(" in it ends at the last ')' */
	assert_int_equal(task_stat_parse("42 (a) R (b) D 1 2 3 0 -1 0 0 0 0 0 7 9 0", &st), 0);
	assert_string_equal(st.comm, "a) R (b");
	assert_int_equal(st.state, 'D');
	assert_int_equal(st.utime, 7);
	assert_int_equal(st.stime, 9);
	assert_int_equal(st.processor, -1);
	/* cut before stime */
	assert_int_equal(task_stat_parse("42 (x) S 1 2 3 0 -1 0 0 0 0 0 7", &st), -1);
	assert_int_equal(task_stat_parse("42 (x)", &st), -1);
	assert_int_equal(task_stat_parse("42 x) S 1", &st), -1);
	assert_int_equal(task_stat_parse("", &st), -1);
	/* a name longer than the buffer is cut, not overrun */
	assert_int_equal(task_stat_parse("1 (0123456789012345678901234567890123456789) S 1 2 3 0 -1 0 0 0 0 0 1 1", &st),
			 0);
	assert_int_equal(strlen(st.comm), sizeof(st.comm) - 1);
	assert_int_equal(schedstat_parse("1 2", &ss), -1);
	assert_int_equal(schedstat_parse("1 2 3\n", &ss), 0);
	assert_int_equal(ss.delay_ns, 2);
	/* beyond int64 saturates */
	assert_int_equal(schedstat_parse("99999999999999999999 0 0", &ss), 0);
	assert_int_equal(ss.run_ns, INT64_MAX);
}

static void test_regs_recorded(void **state)
{
	char *text = read_file(DATA "regs-realmode-2cpu.txt", 1 << 20, NULL);
	struct aut_regs r[4];

	(void)state;
	assert_non_null(text);
	assert_int_equal(aut_parse_regs(text, r, 4), 2);
	assert_true(r[0].known && !r[0].long_mode);
	assert_int_equal(r[0].ip, 0x9); /* guest.S: halt, after cli, the stack set up and hlt */
	assert_int_equal(r[0].cs, 0xf000);
	assert_int_equal(r[0].cs_base, 0xf0000);
	assert_int_equal(r[0].hlt, 1);
	assert_int_equal(r[1].ip, 0xfff0); /* the AP, at reset */
	assert_int_equal(r[1].cs_base, 0xffff0000);
	assert_int_equal(r[1].hlt, 1);
	assert_false(r[2].known);
	/* room for one CPU: the second is not read */
	assert_int_equal(aut_parse_regs(text, r, 1), 1);
	free(text);
}

static void test_regs_long_mode(void **state)
{
	/* the long-mode lines of QEMU's x86_cpu_dump_state (target/i386/
	 * cpu-dump.c: "RIP=%016lx RFL=%08x [...] CPL=%d II=%d A20=%d SMM=%d
	 * HLT=%d", "CS =%04x %016lx %08x %08x DPL=...") */
	static const char text[] =
		"\r\nCPU#0\r\nRAX=0000000000000000 RBX=ffffffff82a0c940 RCX=0000000000000001 RDX=0000000000000000\r\n"
		"RIP=ffffffff81c2f4ee RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\r\n"
		"CS =0010 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]\r\n"
		"CPU#1\r\nRIP=00007f3a1c2b5d10 RFL=00000202 [-------] CPL=3 II=0 A20=1 SMM=0 HLT=0\r\n"
		"CS =0033 0000000000000000 ffffffff 00a0fb00 DPL=3 CS64 [-RA]\r\n";
	struct aut_regs r[2];

	(void)state;
	assert_int_equal(aut_parse_regs(text, r, 2), 2);
	assert_true(r[0].long_mode);
	assert_true(r[0].ip == 0xffffffff81c2f4eeULL);
	assert_int_equal(r[0].cs, 0x10);
	assert_int_equal(r[0].hlt, 1);
	assert_true(r[1].ip == 0x00007f3a1c2b5d10ULL);
	assert_int_equal(r[1].cs, 0x33);
	assert_int_equal(r[1].hlt, 0);
}

static void test_blockstats_recorded(void **state)
{
	char err[200];
	size_t len;
	char *text = read_file(DATA "blockstats-throttled.json", 1 << 20, &len);
	struct jval *v = json_parse(text, len, err, sizeof(err));
	struct aut_disk d[4];

	(void)state;
	assert_non_null(v);
	assert_int_equal(aut_parse_blockstats(json_get(v, "return"), d, 4), 1);
	assert_string_equal(d[0].device, "drive-virtio0");
	assert_string_equal(d[0].qdev, "/machine/peripheral/virtio0/virtio-backend");
	assert_true(d[0].ops > 0);
	assert_int_equal(d[0].bytes, d[0].ops * 65536); /* guest.S writes 64 KiB a request */
	assert_true(d[0].idle_ns > 0);
	assert_int_equal(d[0].inflight, -1); /* not in blockstats: the virtio queues say */
	json_free(v);
	free(text);
}

static void test_qmp_line(void **state)
{
	char err[200];
	struct jval *v;

	(void)state;
	assert_null(qmp_parse_line("[1]\r\n", 5, err, sizeof(err)));
	assert_null(qmp_parse_line("{\"return\":", 10, err, sizeof(err)));
	v = qmp_parse_line("{\"return\": {}}\r\n", 16, err, sizeof(err));
	assert_non_null(v);
	json_free(v);
}

/* ---- the judge ---- */

static struct aut_sample sa, sb;
static struct aut_rate rates[8];

#define PID 100
#define GAP_NS 2000000000LL

/* Two samples GAP_NS apart: the main thread and one vCPU thread (tid 101)
 * whose run and delay grow by the shares given, the VM running, one
 * disk with inflight requests before and after and done completions. */
static void two(double run, double delay, int in0, int in1, int done)
{
	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	sa.t_ns = 1000;
	sb.t_ns = 1000 + GAP_NS;
	for (int i = 0; i < 2; i++) {
		struct aut_sample *s = i ? &sb : &sa;

		s->qmp = true;
		snprintf(s->status, sizeof(s->status), "running");
		s->nthreads = 2;
		s->th[0] = (struct aut_thread){ .tid = PID, .comm = "kvm", .state = 'S', .has_sched = true };
		/* runnable at both ends when it wanted the CPU most of the gap */
		s->th[1] = (struct aut_thread){ .tid = 101, .comm = "CPU 0/KVM", .state = run + delay > 0.5 ? 'R' : 'S',
						.has_sched = true };
		s->ndisks = 1;
		snprintf(s->disk[0].device, sizeof(s->disk[0].device), "drive-scsi0");
		s->disk[0].inflight = i ? in1 : in0;
		s->disk[0].ops = 50 + (i ? done : 0);
	}
	sb.th[1].run_ns = (int64_t)(run * GAP_NS);
	sb.th[1].delay_ns = (int64_t)(delay * GAP_NS);
}

static enum aut_verdict judge(struct aut_judgement *j)
{
	int vcpu_tids[1] = { 101 };

	aut_rates(&sa, &sb, PID, vcpu_tids, 1, rates);
	aut_judge(&sa, &sb, rates, j);
	return j->verdict;
}

static void test_judge_edges(void **state)
{
	struct aut_judgement j;

	(void)state;
	two(0.0, 0.0, 0, 0, 0);
	assert_int_equal(judge(&j), AUT_IDLE);
	assert_int_equal(rates[1].role, AUT_VCPU);
	assert_int_equal(rates[0].role, AUT_MAIN);
	/* starved: waited at least half the gap, ran under a quarter */
	two(0.24, AUT_STARVED_DELAY_SHARE, 0, 0, 0);
	assert_int_equal(judge(&j), AUT_STARVED);
	assert_int_equal(j.vcpus_starved, 1);
	two(0.24, 0.49, 0, 0, 0);
	sa.th[1].state = sb.th[1].state = 'S';
	assert_int_equal(judge(&j), AUT_IDLE);
	/* runnable at both ends and never run: schedstat has not added the
	 * wait yet (it does when the thread gets a CPU), starved all the same */
	two(0.0, 0.0, 0, 0, 0);
	sa.th[1].state = sb.th[1].state = 'R';
	assert_int_equal(judge(&j), AUT_STARVED);
	assert_true(rates[1].delay_share == 1.0);
	assert_true(aut_wait_share('R', 'S', 0.0, 0.1) == 0.1);
	assert_true(aut_wait_share('R', 'R', 0.0, 0.1) == 1.0);
	/* it ran: its waits are counted up to then, R at both ends is chance */
	assert_true(aut_wait_share('R', 'R', 0.01, 0.1) == 0.1);
	assert_true(aut_wait_share('R', 'R', 0.3, 0.8) == 0.8);
	/* the main thread woken at both readings of an idle QEMU on a busy
	 * host (seen in tests/autopsy/check): not starved */
	two(0.0, 0.0, 0, 0, 0);
	sa.th[0].state = sb.th[0].state = 'R';
	sb.th[0].run_ns = 2000000; /* 0.1% */
	assert_int_equal(judge(&j), AUT_IDLE);
	/* a quarter of a CPU and runnable 80% of the time: spinning, on a busy host */
	two(AUT_STARVED_RUN_SHARE, 0.55, 0, 0, 0);
	assert_int_equal(judge(&j), AUT_SPINNING);
	two(AUT_STARVED_RUN_SHARE, 0.54, 0, 0, 0);
	assert_int_equal(judge(&j), AUT_IDLE);
	two(1.0, 0.0, 0, 0, 0);
	assert_int_equal(judge(&j), AUT_SPINNING);
	/* the RIP: the same twice is a tight loop */
	sa.nregs = sb.nregs = 1;
	sa.regs[0] = sb.regs[0] = (struct aut_regs){ .known = true, .ip = 0xfff0, .cs = 0xf000, .hlt = 0 };
	assert_int_equal(judge(&j), AUT_SPINNING);
	assert_non_null(strstr(j.why, "EIP=f000:000000000000fff0 both times"));
	sb.regs[0].ip = 0xfff2;
	judge(&j);
	assert_null(strstr(j.why, "both times"));
	/* I/O: in flight in both readings and none completed */
	two(1.0, 0.0, 1, 1, 0);
	assert_int_equal(judge(&j), AUT_IO_STUCK);
	assert_int_equal(j.inflight, 1);
	two(1.0, 0.0, 1, 1, 1); /* one completed: moving */
	assert_int_equal(judge(&j), AUT_SPINNING);
	two(0.0, 0.0, 0, 1, 0); /* only just submitted */
	assert_int_equal(judge(&j), AUT_IDLE);
	/* D state through the gap, nothing completed (no virtio counts) */
	two(0.0, 0.0, -1, -1, 0);
	sa.th[0].state = sb.th[0].state = 'D';
	assert_int_equal(judge(&j), AUT_IO_STUCK);
	assert_int_equal(j.d_threads, 1);
	/* paused beats everything */
	two(0.0, 0.0, 1, 1, 0);
	snprintf(sb.status, sizeof(sb.status), "io-error");
	assert_int_equal(judge(&j), AUT_PAUSED);
	assert_non_null(strstr(j.why, "io-error"));
	/* QEMU stopped: every thread in T, QMP silent */
	two(0.0, 0.0, 0, 0, 0);
	for (int i = 0; i < 2; i++)
		sa.th[i].state = sb.th[i].state = 'T';
	sb.qmp = false;
	assert_int_equal(judge(&j), AUT_PAUSED);
	assert_int_equal(j.stopped_threads, 2);
	/* QMP silent, threads not starved: the main loop is stuck */
	two(0.0, 0.0, 0, 0, 0);
	sb.qmp = false;
	assert_int_equal(judge(&j), AUT_UNRESPONSIVE);
	/* QMP silent because the main thread waits for a CPU: starved */
	sb.th[0].delay_ns = (int64_t)(0.9 * GAP_NS);
	assert_int_equal(judge(&j), AUT_STARVED);
	assert_non_null(strstr(j.why, "main loop"));
}

static void test_roles(void **state)
{
	struct aut_thread t = { .tid = 7 };
	int vcpu;

	(void)state;
	snprintf(t.comm, sizeof(t.comm), "CPU 3/KVM");
	assert_int_equal(aut_role(&t, 1, NULL, 0, &vcpu), AUT_VCPU);
	assert_int_equal(vcpu, 3);
	snprintf(t.comm, sizeof(t.comm), "IO iothread-virtioscsi0");
	assert_int_equal(aut_role(&t, 1, NULL, 0, &vcpu), AUT_IOTHREAD);
	snprintf(t.comm, sizeof(t.comm), "iou-wrk-1234");
	assert_int_equal(aut_role(&t, 1, NULL, 0, &vcpu), AUT_IO_URING);
	snprintf(t.comm, sizeof(t.comm), "worker");
	assert_int_equal(aut_role(&t, 1, NULL, 0, &vcpu), AUT_WORKER);
	snprintf(t.comm, sizeof(t.comm), "kvm");
	assert_int_equal(aut_role(&t, 7, NULL, 0, &vcpu), AUT_MAIN);
	assert_int_equal(aut_role(&t, 1, NULL, 0, &vcpu), AUT_OTHER);
	/* QMP's thread ids win over names */
	assert_int_equal(aut_role(&t, 1, (int[]){ 9, 7 }, 2, &vcpu), AUT_VCPU);
	assert_int_equal(vcpu, 1);
	assert_string_equal(aut_verdict_name(AUT_IO_STUCK), "io-stuck");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_stat_recorded), cmocka_unit_test(test_task_stat_corners),
		cmocka_unit_test(test_regs_recorded),	   cmocka_unit_test(test_regs_long_mode),
		cmocka_unit_test(test_blockstats_recorded), cmocka_unit_test(test_qmp_line),
		cmocka_unit_test(test_judge_edges),	   cmocka_unit_test(test_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
