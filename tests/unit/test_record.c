/* Unit tests of the post-mortem's flight-record reader
 * (tools/postmortem/record.c) on rings laid out by
 * tests/postmortem/make-flight-ring (Python, from docs/watch.md, not by
 * lib/ring.c): every scripted episode is found with its figures, a quiet
 * record gives no finding, a torn newest record is skipped and said so;
 * and `triage postmortem --root` on such a tree writes what its schema
 * fragment declares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "lib/json.h"
#include "lib/util.h"
#include "postmortem/record.h"
#include "schema.h"

static char *make_ring(const char *scenario, char *root, size_t size)
{
	char cmd[600];

	snprintf(root, size, "/tmp/test_record.XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "tests/postmortem/make-flight-ring %s %s/var/lib/vmtriage/watch.ring", scenario, root);
	assert_int_equal(system(cmd), 0);
	return root;
}

static void rmtree(const char *d)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static const struct pm_episode *find(const struct pm_flight *r, enum pm_ep_kind k, int nth)
{
	for (int i = 0; i < r->nep; i++)
		if (r->ep[i].kind == k && nth-- == 0)
			return &r->ep[i];
	return NULL;
}

static int count(const struct pm_flight *r, enum pm_ep_kind k)
{
	int n = 0;

	for (int i = 0; i < r->nep; i++)
		n += r->ep[i].kind == k;
	return n;
}

static void test_episodes(void **state)
{
	char root[64];
	static struct pm_flight r;
	const struct pm_episode *e;

	(void)state;
	make_ring("episodes", root, sizeof(root));
	pm_flight_init(&r, NULL);
	pm_flight_read(&r, NULL, root, NULL);
	assert_int_equal(r.nrings, 1);
	assert_true(r.rings[0].scan.header_ok);
	assert_int_equal(r.rings[0].scan.skipped_total, 0);
	assert_int_equal(r.rings[0].runs, 2);
	assert_true(r.rings[0].clean_stop);
	/* The paused VM: 30 s between two beats at 1 s, nothing ran. */
	assert_int_equal(count(&r, EP_FREEZE), 2);
	e = find(&r, EP_FREEZE, 0);
	assert_int_equal(e->cause, FC_PAUSED);
	assert_true(fabs(e->duration_s - 29.0) < 0.01);
	assert_true(fabs(e->d_mono_s - 30.0) < 0.01 && fabs(e->d_boot_s - 30.0) < 0.01 && fabs(e->d_real_s - 30.0) < 0.01);
	assert_true(e->ctxt_share >= 0 && e->ctxt_share < 0.1);
	assert_true(e->steal_before_pct < 1);
	assert_int_equal(e->logged_inside, 0);
	/* Busy: 20% steal before, 50% across. */
	e = find(&r, EP_FREEZE, 1);
	assert_int_equal(e->cause, FC_HOST_BUSY);
	assert_true(fabs(e->duration_s - 11.0) < 0.01);
	assert_true(fabs(e->steal_before_pct - 20) < 1 && fabs(e->steal_in_pct - 50) < 1);
	/* 10 s of 20% steal before it */
	assert_int_equal(count(&r, EP_STEAL), 1);
	e = find(&r, EP_STEAL, 0);
	assert_true(fabs(e->duration_s - 10) < 0.01 && fabs(e->peak - 20) < 1);
	/* 20 s of memory PSI full at 50% */
	assert_int_equal(count(&r, EP_STALL), 1);
	e = find(&r, EP_STALL, 0);
	assert_string_equal(e->what, "memory");
	assert_true(fabs(e->duration_s - 20) < 0.01 && fabs(e->peak - 50) < 0.5 && fabs(e->mean - 50) < 0.5);
	/* vda: 3 in flight, the last record 15 s stuck, 15.5 s busy */
	assert_int_equal(count(&r, EP_IO_STALL), 1);
	e = find(&r, EP_IO_STALL, 0);
	assert_string_equal(e->what, "vda");
	assert_true(fabs(e->peak - 15) < 0.01 && fabs(e->extra - 15.5) < 0.01);
	assert_int_equal(e->count, 3);
	/* 512 MiB of balloon, then the OOM kill */
	assert_int_equal(count(&r, EP_BALLOON_OOM), 1);
	e = find(&r, EP_BALLOON_OOM, 0);
	assert_true(fabs(e->peak - 512) < 1 && fabs(e->extra - 512) < 1);
	assert_true(e->duration_s > 39 && e->duration_s < 42);
	/* three wake-ups 150 ms late */
	e = find(&r, EP_WAKE, 0);
	assert_non_null(e);
	assert_int_equal(e->count, 3);
	assert_true(fabs(e->peak - 150) < 0.01);
	/* the first run ended without its stop, the next began 60 s later */
	assert_int_equal(count(&r, EP_RECORD_END), 1);
	e = find(&r, EP_RECORD_END, 0);
	assert_true(fabs(e->extra - 60) < 0.01);
	/* the timeline ends at the last record, a point a second */
	assert_int_equal(r.tl_ring, 0);
	assert_true(r.tl_n > 100 && r.tl_n <= PM_TL_POINTS);
	assert_true(r.tl_t[r.tl_n - 1] == 0);
	assert_false(isnan(r.tl[TL_AVAIL_MIB][r.tl_n - 1]));
	rmtree(root);
}

static void test_quiet_and_torn(void **state)
{
	char root[64];
	static struct pm_flight r;

	(void)state;
	make_ring("quiet", root, sizeof(root));
	pm_flight_init(&r, NULL);
	pm_flight_read(&r, NULL, root, NULL);
	assert_int_equal(r.nrings, 1);
	assert_int_equal(r.nep, 0);
	assert_int_equal(r.rings[0].scan.n, 403);
	rmtree(root);
	/* A power cut mid-write: the torn newest beat is skipped, the rest read. */
	make_ring("torn", root, sizeof(root));
	pm_flight_init(&r, NULL);
	pm_flight_read(&r, NULL, root, NULL);
	assert_int_equal(r.rings[0].scan.skipped[RING_SKIP_TORN], 1);
	assert_int_equal(r.rings[0].scan.n, 402);
	assert_int_equal(r.nep, 0);
	rmtree(root);
	/* The running boot's own record is not an unclean end. */
	make_ring("episodes", root, sizeof(root));
	pm_flight_init(&r, "22222222222222222222222222222222");
	pm_flight_read(&r, NULL, root, NULL);
	assert_true(r.rings[0].current);
	rmtree(root);
}

static void test_postmortem_json(void **state)
{
	char root[64], out[128], *argv[8];
	size_t len;

	(void)state;
	make_ring("episodes", root, sizeof(root));
	snprintf(out, sizeof(out), "%s/pm.json", root);
	argv[0] = "postmortem";
	argv[1] = "--root";
	argv[2] = root;
	argv[3] = "--isa";
	argv[4] = "none";
	argv[5] = "-q";
	argv[6] = "-o";
	argv[7] = out;
	/* fail: a paused VM, an I/O stall, the balloon before an OOM */
	assert_int_equal(cmd_postmortem(8, argv), EXIT_FAIL);
	assert_check_schema("postmortem", out, false);
	char *text = read_file(out, 1 << 22, &len);
	char err[200];
	struct jval *v = json_parse(text, len, err, sizeof(err));
	assert_non_null(v);
	const struct jval *fl = json_arr(v, "findings");
	static const char *const want[] = { "prev.watch.freeze.paused", "prev.watch.freeze.host-busy", "prev.watch.io-stall",
					    "prev.watch.balloon-oom", "prev.watch.stall", "prev.watch.steal",
					    "prev.watch.wake-latency", "prev.watch.record-end" };
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		bool found = false;
		for (size_t k = 0; k < json_len(fl); k++)
			found |= !strcmp(json_str(json_at(fl, k), "id", ""), want[i]);
		if (!found)
			fail_msg("no %s", want[i]);
	}
	const struct jval *m = json_obj(v, "metrics");
	assert_true(json_num(m, "record_freezes", 0) == 2);
	assert_true(fabs(json_num(m, "record_longest_freeze_s", 0) - 29) < 0.01);
	json_free(v);
	free(text);
	rmtree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_episodes),
		cmocka_unit_test(test_quiet_and_torn),
		cmocka_unit_test(test_postmortem_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
