/* Unit tests of the flight recorder's ring (tools/lib/ring.c): a record
 * round-trips; a write torn at EVERY byte offset of a record, either way
 * round (new bytes first or last) and over an old record or a never-written
 * slot, is skipped and never read as anything but one of the two intact
 * records; a real file torn the same way reads back in order with exactly
 * that record skipped; the writer wraps, continues after a restart, keeps a
 * foreign file aside, and syncs at its bounded rate and at once on an event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/ring.h"
#include "lib/util.h"

#define SMALL_RING (RING_HEADER_SIZE + 64 * RING_RECORD_SIZE) /* 64 slots */

static char *tmpdir(void)
{
	char *d = xstrdup("/tmp/test_ring.XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void rmtree(const char *d)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static struct ring_rec make_rec(uint64_t seq, uint16_t type, int fill)
{
	struct ring_rec r;

	memset(&r, 0, sizeof(r));
	r.seq = seq;
	r.type = type;
	r.len = RING_PAYLOAD_MAX;
	r.flags = (uint8_t)(seq & 1);
	r.mono_ns = 1000 + (int64_t)seq;
	r.boot_ns = 2000 + (int64_t)seq;
	r.real_ns = 1700000000000000000LL + (int64_t)seq;
	for (int i = 0; i < RING_PAYLOAD_MAX; i++)
		r.payload[i] = (uint8_t)(fill + i);
	return r;
}

static bool same(const struct ring_rec *a, const struct ring_rec *b)
{
	return a->seq == b->seq && a->type == b->type && a->len == b->len && a->flags == b->flags &&
	       a->mono_ns == b->mono_ns && a->boot_ns == b->boot_ns && a->real_ns == b->real_ns &&
	       memcmp(a->payload, b->payload, a->len) == 0;
}

static void test_roundtrip(void **state)
{
	uint8_t buf[RING_RECORD_SIZE];
	struct ring_rec r = make_rec(42, 7, 3), back;
	enum ring_skip why;

	(void)state;
	ring_encode(&r, buf);
	assert_int_equal(ring_decode(buf, &back, &why), 1);
	assert_true(same(&r, &back));
	/* A short payload: the rest reads back as zero. */
	r.len = 5;
	ring_encode(&r, buf);
	assert_int_equal(ring_decode(buf, &back, &why), 1);
	assert_int_equal(back.len, 5);
	assert_int_equal(back.payload[5], 0);
	/* All zero is an empty slot, not a damaged one. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(ring_decode(buf, &back, &why), 0);
	/* One flipped bit anywhere: refused. */
	ring_encode(&r, buf);
	for (int i = 0; i < RING_RECORD_SIZE * 8; i++) {
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(ring_decode(buf, &back, &why), -1);
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	/* The CRC32C check value of "123456789" (RFC 3720, appendix B.4). */
	assert_int_equal(ring_crc32c(0, "123456789", 9), 0xE3069283u);
}

/* A slot holding `first` and then overwritten by `second`, cut after k
 * bytes: the first k bytes of second, then the rest of first. With
 * reverse, the last bytes land first (the write order of some disks). */
static void tear(uint8_t *out, const uint8_t *first, const uint8_t *second, int k, bool reverse)
{
	if (!reverse) {
		memcpy(out, second, (size_t)k);
		memcpy(out + k, first + k, (size_t)(RING_RECORD_SIZE - k));
	} else {
		memcpy(out, first, (size_t)(RING_RECORD_SIZE - k));
		memcpy(out + RING_RECORD_SIZE - k, second + RING_RECORD_SIZE - k, (size_t)k);
	}
}

static void tear_all_offsets(const uint8_t *oldb, const struct ring_rec *oldr, const uint8_t *newb,
			     const struct ring_rec *newr, int *skipped)
{
	uint8_t mix[RING_RECORD_SIZE];
	struct ring_rec back;
	enum ring_skip why;

	for (int rev = 0; rev < 2; rev++) {
		for (int k = 0; k <= RING_RECORD_SIZE; k++) {
			tear(mix, oldb, newb, k, rev);
			int rc = ring_decode(mix, &back, &why);
			if (memcmp(mix, newb, sizeof(mix)) == 0) {
				assert_int_equal(rc, 1);
				assert_true(same(&back, newr));
			} else if (memcmp(mix, oldb, sizeof(mix)) == 0) {
				assert_int_equal(rc, oldr ? 1 : 0);
				if (oldr)
					assert_true(same(&back, oldr));
			} else {
				/* A true mix: never a record. */
				if (rc != -1)
					fail_msg("torn at byte %d (%s) read as a record", k, rev ? "tail first" : "head first");
				assert_true(why == RING_SKIP_TORN || why == RING_SKIP_CRC);
				(*skipped)++;
			}
		}
	}
}

static void test_torn_every_offset(void **state)
{
	uint8_t oldb[RING_RECORD_SIZE], newb[RING_RECORD_SIZE], zero[RING_RECORD_SIZE] = { 0 };
	int skipped = 0;

	(void)state;
	/* The worst case for the seq copies: the old record a whole ring
	 * earlier (seq differs by the capacity), same type and length, and
	 * payloads that differ in every byte. */
	for (uint64_t cap = 16; cap <= 65536; cap *= 16) {
		struct ring_rec o = make_rec(5, 3, 0), n = make_rec(5 + cap, 3, 1);
		ring_encode(&o, oldb);
		ring_encode(&n, newb);
		tear_all_offsets(oldb, &o, newb, &n, &skipped);
		/* And the same payload: only the header fields and CRC differ. */
		n = make_rec(5 + cap, 3, 0);
		n.mono_ns = o.mono_ns;
		n.boot_ns = o.boot_ns;
		n.real_ns = o.real_ns;
		n.flags = o.flags;
		ring_encode(&n, newb);
		tear_all_offsets(oldb, &o, newb, &n, &skipped);
	}
	/* Over a slot never written (zeros). */
	struct ring_rec n = make_rec(1, 1, 9);
	ring_encode(&n, newb);
	tear_all_offsets(zero, NULL, newb, &n, &skipped);
	/* Most offsets are true mixes: the loops did test something. */
	assert_true(skipped > 8 * RING_RECORD_SIZE);
}

/* Writes n records through the writer into dir. */
static void write_n(const char *dir, int n, size_t bytes, struct ring_writer *w)
{
	char why[256];

	assert_int_equal(ring_open(w, dir, "watch.ring", "guest", bytes, why, sizeof(why)), 0);
	for (int i = 0; i < n; i++) {
		uint32_t v = (uint32_t)i;
		assert_int_equal(ring_append(w, 1, 0, &v, sizeof(v)), 0);
	}
}

static void test_file_torn_every_offset(void **state)
{
	char *d = tmpdir(), path[600];
	struct ring_writer w;
	struct ring_scan s;
	uint8_t good[RING_RECORD_SIZE], prev[RING_RECORD_SIZE], mix[RING_RECORD_SIZE];

	(void)state;
	/* 100 records into 64 slots: the last (seq 100) overwrote seq 36. */
	write_n(d, 100, SMALL_RING, &w);
	ring_close(&w);
	snprintf(path, sizeof(path), "%s/watch.ring", d);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	off_t off = RING_HEADER_SIZE + (100 % 64) * RING_RECORD_SIZE;
	assert_int_equal(pread(fd, good, sizeof(good), off), RING_RECORD_SIZE);
	struct ring_rec old36 = make_rec(36, 1, 0);
	uint32_t v = 35;
	/* The record seq 36 as the writer wrote it: rebuilt from a decode of
	 * the good one with its own fields (clocks are not known: take the
	 * live ones' shape, the test is about the seq copies and CRC). */
	struct ring_rec g;
	enum ring_skip why;
	assert_int_equal(ring_decode(good, &g, &why), 1);
	old36 = g;
	old36.seq = 36;
	memcpy(old36.payload, &v, sizeof(v));
	ring_encode(&old36, prev);
	for (int k = 1; k < RING_RECORD_SIZE; k++) {
		tear(mix, prev, good, k, false);
		assert_int_equal(pwrite(fd, mix, sizeof(mix), off), RING_RECORD_SIZE);
		assert_int_equal(ring_read(path, &s), 0);
		if (memcmp(mix, prev, sizeof(mix)) == 0) {
			assert_int_equal(s.n, 64);
		} else {
			assert_int_equal(s.n, 63);
			assert_int_equal(s.skipped_total, 1);
			assert_int_equal(s.missing, 0); /* seq 36 was the oldest: its loss is no gap */
			assert_true(s.recs[0].seq == 37 && s.recs[62].seq == 99);
		}
		for (size_t i = 1; i < s.n; i++)
			assert_true(s.recs[i].seq == s.recs[i - 1].seq + 1);
		ring_scan_free(&s);
	}
	/* Intact again, then a record in the middle torn: the gap is counted. */
	assert_int_equal(pwrite(fd, good, sizeof(good), off), RING_RECORD_SIZE);
	off = RING_HEADER_SIZE + (80 % 64) * RING_RECORD_SIZE;
	assert_int_equal(pread(fd, good, sizeof(good), off), RING_RECORD_SIZE);
	good[100] ^= 0xff;
	assert_int_equal(pwrite(fd, good, sizeof(good), off), RING_RECORD_SIZE);
	assert_int_equal(ring_read(path, &s), 0);
	assert_int_equal(s.skipped[RING_SKIP_CRC], 1);
	assert_int_equal(s.missing, 1);
	ring_scan_free(&s);
	close(fd);
	rmtree(d);
	free(d);
}

static void test_writer(void **state)
{
	char *d = tmpdir(), path[600], why[256];
	struct ring_writer w;
	struct ring_scan s;

	(void)state;
	write_n(d, 10, SMALL_RING, &w);
	ring_close(&w);
	snprintf(path, sizeof(path), "%s/watch.ring", d);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, SMALL_RING); /* preallocated */
	/* A restart continues after the highest seq. */
	write_n(d, 40, SMALL_RING, &w);
	assert_false(w.recreated);
	ring_close(&w);
	assert_int_equal(ring_read(path, &s), 0);
	assert_int_equal(s.n, 50);
	assert_int_equal(s.empty, 14);
	assert_true(s.recs[0].flags & RING_F_START);
	assert_true(s.recs[10].seq == 11 && (s.recs[10].flags & RING_F_START)); /* the second writer's first */
	assert_false(s.recs[11].flags & RING_F_START);
	ring_scan_free(&s);
	/* Wrapped: the newest 64 in order. */
	write_n(d, 30, SMALL_RING, &w);
	ring_close(&w);
	assert_int_equal(ring_read(path, &s), 0);
	assert_string_equal(s.hdr.role, "guest");
	assert_int_equal(s.hdr.capacity, 64);
	assert_int_equal(s.n, 64);
	assert_int_equal(s.recs[0].seq, 17);
	assert_int_equal(s.recs[63].seq, 80);
	assert_int_equal(s.empty, 0);
	assert_int_equal(s.skipped_total, 0);
	for (size_t i = 1; i < s.n; i++) {
		assert_true(s.recs[i].seq == s.recs[i - 1].seq + 1);
		assert_true(s.recs[i].mono_ns >= s.recs[i - 1].mono_ns);
	}
	ring_scan_free(&s);
	/* Another size: the old ring kept as .old, a new one made. */
	write_n(d, 1, SMALL_RING * 2, &w);
	assert_true(w.recreated);
	ring_close(&w);
	snprintf(path, sizeof(path), "%s/watch.ring.old", d);
	assert_int_equal(ring_read(path, &s), 0);
	assert_int_equal(s.n, 64);
	ring_scan_free(&s);
	/* Not a ring at all. */
	snprintf(path, sizeof(path), "%s/watch.ring", d);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("hello\n", f);
	fclose(f);
	assert_int_equal(ring_read(path, &s), -1);
	assert_non_null(strstr(s.why, "shorter than"));
	ring_scan_free(&s);
	write_n(d, 1, SMALL_RING, &w);
	assert_true(w.recreated);
	ring_close(&w);
	/* Too small to hold a ring. */
	assert_int_equal(ring_open(&w, d, "x.ring", "guest", RING_HEADER_SIZE + 15 * RING_RECORD_SIZE, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "records"));
	rmtree(d);
	free(d);
}

static void test_sync_rate(void **state)
{
	char *d = tmpdir();
	struct ring_writer w;
	uint32_t v = 0;

	(void)state;
	write_n(d, 0, SMALL_RING, &w);
	w.sync_every_ns = 3600LL * 1000000000LL;
	w.sync_due_ns = w.last_sync_ns + w.sync_every_ns;
	for (int i = 0; i < 100; i++)
		assert_int_equal(ring_append(&w, 1, 0, &v, sizeof(v)), 0);
	assert_int_equal(w.syncs, 0);
	/* Past the event window since the writer opened: an event syncs at once... */
	usleep(RING_EVENT_SYNC_MIN_NS / 1000 + 10000);
	assert_int_equal(ring_append(&w, 1, RING_F_EVENT, &v, sizeof(v)), 0);
	assert_int_equal(w.syncs, 1);
	/* ...a second one right after waits out the window... */
	assert_int_equal(ring_append(&w, 1, RING_F_EVENT, &v, sizeof(v)), 0);
	assert_int_equal(w.syncs, 1);
	assert_int_equal(ring_tick(&w), 0);
	assert_int_equal(w.syncs, 1);
	/* ...and is synced by the first tick after it. */
	usleep(RING_EVENT_SYNC_MIN_NS / 1000 + 10000);
	assert_int_equal(ring_tick(&w), 0);
	assert_int_equal(w.syncs, 2);
	assert_false(w.dirty);
	ring_close(&w);
	assert_int_equal(w.syncs, 2); /* nothing left unsynced */
	rmtree(d);
	free(d);
}

static void test_parse_hostile(void **state)
{
	uint8_t buf[RING_HEADER_SIZE + 16 * RING_RECORD_SIZE];
	struct ring_scan s;
	struct ring_rec r = make_rec(3, 2, 0);

	(void)state;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(ring_parse(buf, 100, &s), -1);
	assert_int_equal(ring_parse(buf, sizeof(buf), &s), -1);
	assert_non_null(strstr(s.why, "magic"));
	ring_scan_free(&s);
	/* A record in a slot its seq does not map to. */
	char *d = tmpdir(), path[600];
	struct ring_writer w;
	write_n(d, 3, sizeof(buf), &w);
	ring_close(&w);
	snprintf(path, sizeof(path), "%s/watch.ring", d);
	size_t len;
	uint8_t *file = (uint8_t *)read_file(path, sizeof(buf) + 1, &len);
	assert_int_equal(len, sizeof(buf));
	ring_encode(&r, file + RING_HEADER_SIZE + 9 * RING_RECORD_SIZE);
	assert_int_equal(ring_parse(file, len, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.skipped[RING_SKIP_SLOT], 1);
	assert_int_equal(s.empty, 12);
	ring_scan_free(&s);
	/* Cut short: what is there is read, and the shortness said. */
	assert_int_equal(ring_parse(file, RING_HEADER_SIZE + 2 * RING_RECORD_SIZE + 7, &s), 0);
	assert_true(s.short_file);
	assert_int_equal(s.n, 1);
	ring_scan_free(&s);
	/* A header byte changed: refused as a whole. */
	file[20] ^= 1;
	assert_int_equal(ring_parse(file, len, &s), -1);
	assert_non_null(strstr(s.why, "checksum"));
	ring_scan_free(&s);
	free(file);
	rmtree(d);
	free(d);
}

/* A ring laid out by tests/fuzz/mkseeds-ring in Python from docs/watch.md
 * alone: the two implementations of the format agree. */
static void test_independent_writer(void **state)
{
	size_t len;
	char *file = read_file("tests/fuzz/corpus/ring/wrapped-0", 1 << 20, &len);
	struct ring_scan s;
	static const uint64_t want[] = { 5, 8, 10, 12, 13, 14, 15, 16, 17, 19, 20 };

	(void)state;
	assert_non_null(file);
	assert_int_equal(ring_parse((const uint8_t *)file + 1, len - 1, &s), 0);
	assert_string_equal(s.hdr.role, "guest");
	assert_string_equal(s.hdr.host, "seed");
	assert_int_equal(s.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < s.n; i++)
		assert_int_equal(s.recs[i].seq, want[i]);
	assert_int_equal(s.recs[0].type, 1 + 5 % 3);
	assert_int_equal(s.recs[0].mono_ns, 5000000000LL);
	assert_int_equal(s.recs[0].boot_ns, 10000000000LL);
	assert_memory_equal(s.recs[0].payload, "beat 5", 6);
	assert_int_equal(s.empty, 2);
	assert_int_equal(s.skipped[RING_SKIP_TORN], 1);
	assert_int_equal(s.skipped[RING_SKIP_CRC], 1);
	assert_int_equal(s.skipped[RING_SKIP_SLOT], 1);
	assert_int_equal(s.missing, 5);
	ring_scan_free(&s);
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),      cmocka_unit_test(test_torn_every_offset),
		cmocka_unit_test(test_file_torn_every_offset), cmocka_unit_test(test_writer),
		cmocka_unit_test(test_sync_rate),      cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_independent_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
