/* The post-mortem: trap lines, rsyslog lines, the journal reader against
 * journalctl (the oracle) on files systemd-journal-remote wrote, damaged
 * copies of them, the decompressors against the libraries' own encoders,
 * and `triage postmortem` end to end on a root made of those files
 * (tests/postmortem/make-fixtures). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cmocka.h>
#include <lz4.h>
#include <lzma.h>
#include <zstd.h>

#include "commands.h"
#include "lib/json.h"
#include "lib/kmsg.h"
#include "lib/util.h"
#include "postmortem/disks.h"
#include "lib/faultinsn.h"
#include "postmortem/join.h"
#include "postmortem/journal.h"
#include "postmortem/postmortem.h"

static char fixtures[64];	/* made once by group_setup; "" if the writer is missing */

static void test_new_rules(void **state)
{
	(void)state;
	static const struct {
		const char *line, *id;
	} cases[] = {
		{ "Kernel panic - not syncing: Fatal exception", "kernel.panic" },
		{ "node[5]: segfault at 8 ip 00007f12 sp 00007ffd error 4 in libc.so.6[7f00+1a000]", "kernel.segfault" },
		{ "blk_update_request: I/O error, dev sda, sector 2048 op 0x0:(READ)", "kernel.io-error" },
		{ "e1000e 0000:00:19.0 eth0: Detected Hardware Unit Hang:", "kernel.nic-hang" },
		{ "code-tunnel.service: Main process exited, code=dumped, status=11/SEGV", "service.signal" },
		{ "ollama.service: Main process exited, code=killed, status=4/ILL", "service.signal" },
		{ "Process 102321 (code) of user 1000 dumped core.", "service.coredump" },
		{ "ssh.service: Main process exited, code=exited, status=255/EXCEPTION", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r = kmsg_classify(cases[i].line);
		const char *got = r < 0 ? NULL : kmsg_rules[r].id;

		if (!cases[i].id ? got != NULL : !got || strcmp(got, cases[i].id) != 0)
			fail_msg("'%s': expected %s, got %s", cases[i].line, cases[i].id ? cases[i].id : "nothing",
				 got ? got : "nothing");
	}
	/* Every rule that points somewhere points at a check that exists. */
	for (int r = 0; r < kmsg_nrules; r++)
		if (kmsg_rule_confirm(r))
			assert_non_null(command_find(kmsg_rule_confirm(r)));
}

static void test_syslog_lines(void **state)
{
	(void)state;
	struct pm_textline tl;

	/* Epochs from `date -u -d ... +%s`. */
	assert_int_equal(pm_parse_syslog_line("Nov 28 05:30:55 host kernel: [  123.456789] traps: x[1] trap", 2026, &tl), 0);
	assert_int_equal(tl.t_us, 1795843855LL * 1000000);
	assert_string_equal(tl.program, "kernel");
	assert_string_equal(tl.message, "traps: x[1] trap");
	assert_int_equal(pm_parse_syslog_line("2026-11-28T05:30:55.123456+00:00 host systemd[1]: Started x.", 0, &tl), 0);
	assert_int_equal(tl.t_us, 1795843855LL * 1000000 + 123456);
	assert_string_equal(tl.program, "systemd");
	assert_int_equal(tl.pid, 1);
	assert_string_equal(tl.message, "Started x.");
	assert_int_equal(pm_parse_syslog_line("2026-11-28T07:30:55.5+02:00 h sshd[42]: a: b", 0, &tl), 0);
	assert_int_equal(tl.t_us, 1795843855LL * 1000000 + 500000);
	assert_string_equal(tl.message, "a: b");
	assert_int_equal(pm_parse_syslog_line("Dec 31 23:59:59 h cron[7]: x", 2025, &tl), 0);
	assert_int_equal(tl.t_us, 1767225599LL * 1000000);
	assert_int_equal(pm_parse_syslog_line("Nov  8 05:30:55 h kernel: x", 2026, &tl), 0);
	assert_int_equal(pm_parse_syslog_line("                                   continued", 2026, &tl), -1);
	assert_int_equal(pm_parse_syslog_line("Foo 28 05:30:55 h kernel: x", 2026, &tl), -1);
	assert_int_equal(pm_parse_syslog_line("2026-13-28T05:30:55+00:00 h k: x", 2026, &tl), -1);
	assert_int_equal(pm_parse_syslog_line("Nov 28 05:30:55 h", 2026, &tl), -1);
	assert_int_equal(pm_parse_syslog_line("", 2026, &tl), -1);
}

static void test_decompress(void **state)
{
	(void)state;
	char text[3000], out[4096];
	uint8_t comp[4096];
	size_t clen = 0;
	int n;

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = "MESSAGE=stack trace of thread 42\n"[i % 33];
	/* zstd, the writer's own default. */
	clen = ZSTD_compress(comp, sizeof(comp), text, sizeof(text), 3);
	assert_false(ZSTD_isError(clen));
	assert_int_equal(journal_decompress(4, comp, clen, (uint8_t *)out, sizeof(out)), sizeof(text));
	assert_memory_equal(out, text, sizeof(text));
	assert_int_equal(journal_decompress(4, comp, clen, (uint8_t *)out, 100), 100);
	assert_memory_equal(out, text, 100);
	assert_int_equal(journal_decompress(4, comp, clen / 2, (uint8_t *)out, sizeof(out)) == (long)sizeof(text), 0);
	/* xz as liblzma writes it. */
	clen = 0;
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, (uint8_t *)text, sizeof(text), comp, &clen,
						 sizeof(comp)), LZMA_OK);
	assert_int_equal(journal_decompress(1, comp, clen, (uint8_t *)out, sizeof(out)), sizeof(text));
	assert_memory_equal(out, text, sizeof(text));
	assert_int_equal(journal_decompress(1, comp, clen, (uint8_t *)out, 50), 50);
	assert_int_equal(journal_decompress(1, comp, 10, (uint8_t *)out, sizeof(out)), -1);
	/* LZ4: journald writes the decompressed size (le64) and a raw block. */
	{
		uint64_t sz = sizeof(text);

		memcpy(comp, &sz, 8);
		n = LZ4_compress_default(text, (char *)comp + 8, (int)sizeof(text), (int)sizeof(comp) - 8);
		assert_true(n > 0);
		assert_int_equal(journal_decompress(2, comp, (size_t)n + 8, (uint8_t *)out, sizeof(out)), sizeof(text));
		assert_memory_equal(out, text, sizeof(text));
		assert_int_equal(journal_decompress(2, comp, (size_t)n + 8, (uint8_t *)out, 64), 64);
		assert_memory_equal(out, text, 64);
		assert_true(journal_decompress(2, comp, 5, (uint8_t *)out, sizeof(out)) < 0);
	}
	assert_int_equal(journal_decompress(0, comp, 10, (uint8_t *)out, sizeof(out)), -1);
}

/* ---- the journal against journalctl ---- */

struct oracle_entry {
	unsigned long long realtime;
	char boot[40], ident[64], msg[JOURNAL_MSG_MAX];
	int prio, pid;
};

static void oracle_field(struct oracle_entry *o, const char *k, size_t klen, const char *val, size_t vlen)
{
#define KEY_IS(name) (klen == sizeof(name) - 1 && !memcmp(k, name, klen))
	if (KEY_IS("__REALTIME_TIMESTAMP"))
		o->realtime = strtoull(val, NULL, 10);
	else if (KEY_IS("_BOOT_ID"))
		snprintf(o->boot, sizeof(o->boot), "%.*s", (int)vlen, val);
	else if (KEY_IS("SYSLOG_IDENTIFIER"))
		snprintf(o->ident, sizeof(o->ident), "%.*s", (int)vlen, val);
	else if (KEY_IS("PRIORITY"))
		o->prio = atoi(val);
	else if (KEY_IS("_PID"))
		o->pid = atoi(val);
	else if (KEY_IS("MESSAGE"))
		snprintf(o->msg, sizeof(o->msg), "%.*s", (int)(vlen < sizeof(o->msg) ? vlen : sizeof(o->msg) - 1), val);
#undef KEY_IS
}

/* Parses journalctl's export format (docs/JOURNAL_EXPORT_FORMATS.md):
 * "KEY=value\n", or "KEY\n" + le64 size + bytes + "\n"; a blank line ends
 * an entry. */
static int read_export(const char *path, struct oracle_entry *v, int max)
{
	size_t len;
	char *buf = read_file(path, 1 << 24, &len);
	const char *p, *end;
	int n = 0;

	assert_non_null(buf);
	p = buf;
	end = buf + len;
	memset(&v[0], 0, sizeof(v[0]));
	v[0].prio = v[0].pid = -1;
	while (p < end && n < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eq = memchr(p, '=', (size_t)((nl ? nl : end) - p));

		if (!nl)
			break;
		if (nl == p) {
			if (++n < max) {
				memset(&v[n], 0, sizeof(v[n]));
				v[n].prio = v[n].pid = -1;
			}
			p = nl + 1;
		} else if (eq) {
			oracle_field(&v[n], p, (size_t)(eq - p), eq + 1, (size_t)(nl - eq - 1));
			p = nl + 1;
		} else {
			uint64_t sz;

			assert_true(end - nl > 9);
			memcpy(&sz, nl + 1, 8);
			oracle_field(&v[n], p, (size_t)(nl - p), nl + 9, sz);
			p = nl + 9 + sz + 1;
		}
	}
	free(buf);
	return n;
}

struct collected {
	struct journal_entry *e;
	int n, max;
};

static int collect(const struct journal_entry *e, void *arg)
{
	struct collected *c = arg;

	if (c->n < c->max)
		c->e[c->n++] = *e;
	return 0;
}

static char *fixture(const char *name)
{
	return xasprintf("%s/%s", fixtures, name);
}

static void compare_with_oracle(const char *file, const char *export, int count, struct journal_stats *st)
{
	struct oracle_entry *want = xcalloc((size_t)count + 1, sizeof(*want));
	struct collected got = { xcalloc((size_t)count + 1, sizeof(struct journal_entry)), 0, count + 1 };
	char *exp = fixture(export), *path = fixture(file);
	size_t len;
	char *buf;
	int n;

	n = read_export(exp, want, count + 1);
	assert_int_equal(n, count);
	buf = read_file(path, 1 << 26, &len);
	assert_non_null(buf);
	assert_int_equal(journal_read((uint8_t *)buf, len, collect, &got, st), 0);
	assert_int_equal(got.n, n);
	assert_int_equal(st->n_entries, (uint64_t)n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(got.e[i].realtime_us, want[i].realtime);
		assert_string_equal(got.e[i].boot_id, want[i].boot);
		assert_string_equal(got.e[i].identifier, want[i].ident);
		assert_int_equal(got.e[i].priority, want[i].prio);
		assert_int_equal(got.e[i].pid, want[i].pid);
		assert_string_equal(got.e[i].message, want[i].msg);
	}
	free(buf);
	free(exp);
	free(path);
	free(want);
	free(got.e);
}

static void test_journal_compact_zstd(void **state)
{
	(void)state;
	char *path;
	size_t len;
	char *buf;
	struct journal_stats st;

	if (!fixtures[0])
		skip();
	path = fixture("scenario.journal");
	buf = read_file(path, 1 << 26, &len);
	assert_non_null(buf);
	assert_int_equal(journal_read((uint8_t *)buf, len, NULL, NULL, &st), 0);
	/* What systemd 252's writer uses by default: the test must exercise it. */
	assert_true(st.incompatible & JH_INCOMPAT_COMPACT);
	assert_true(st.incompatible & JH_INCOMPAT_KEYED_HASH);
	assert_true(st.incompatible & JH_INCOMPAT_ZSTD);
	free(buf);
	free(path);
	compare_with_oracle("scenario.journal", "scenario.export", 24, &st);
	assert_string_equal(st.note, "");
}

static void test_journal_regular(void **state)
{
	(void)state;
	struct journal_stats st;

	if (!fixtures[0])
		skip();
	compare_with_oracle("regular.journal", "scenario.export", 24, &st);
	assert_string_equal(st.note, "");
}

/* The file of a writer killed mid-run: left online, read whole (object scan
 * included), entry for entry what journalctl reads. */
static void test_journal_killed_writer(void **state)
{
	(void)state;
	struct journal_stats st;

	if (!fixtures[0])
		skip();
	compare_with_oracle("killed.journal", "killed.export", 5000, &st);
	assert_int_equal(st.state, JSTATE_ONLINE);
	assert_true(st.scanned);
	assert_int_equal(st.bad_objects, 0);
	assert_non_null(strstr(st.note, "online"));
}

/* Cut and bit-flipped copies: never a crash (ASan watches), always a note
 * when entries are lost, never more entries than there were. */
static void test_journal_damaged(void **state)
{
	(void)state;
	char *path;
	size_t len;
	uint8_t *buf, *copy;
	struct journal_stats st;
	uint64_t tail;

	if (!fixtures[0])
		skip();
	path = fixture("scenario.journal");
	buf = (uint8_t *)read_file(path, 1 << 26, &len);
	assert_non_null(buf);
	memcpy(&tail, buf + 136, 8); /* tail_object_offset */
	copy = xmalloc(len);
	for (size_t cut = 0; cut < tail + 4096; cut += cut < 4096 ? 61 : 997) {
		memcpy(copy, buf, cut);
		int rc = journal_read(copy, cut, NULL, NULL, &st);

		assert_true(st.entries <= 24);
		if (rc == 0 && st.entries < 24)
			assert_true(st.note[0] != '\0');
		if (rc < 0)
			assert_true(st.note[0] != '\0');
	}
	/* Cut in the middle of the entries: those before the cut are still read. */
	{
		size_t cut = (size_t)tail - 40;

		memcpy(copy, buf, cut);
		assert_int_equal(journal_read(copy, cut, NULL, NULL, &st), 0);
		assert_true(st.entries >= 20);
		assert_non_null(strstr(st.note, "cut short"));
	}
	srandom(15);
	for (int round = 0; round < 300; round++) {
		memcpy(copy, buf, len);
		for (int k = 0; k < 8; k++) {
			/* Past the hash tables, where the entries and their data are. */
			size_t at = (size_t)(tail > 200000 ? tail - 200000 : 272) + (size_t)random() % 200000;

			if (at < len)
				copy[at] ^= (uint8_t)(1u << (random() % 8));
		}
		if (round % 3 == 0) /* the header too */
			copy[random() % 272] ^= (uint8_t)(1u << (random() % 8));
		journal_read(copy, len, NULL, NULL, &st);
		assert_true(st.entries <= 24 + 4); /* a flipped byte can make a false entry header */
	}
	/* An entry-array link pointing back to the start of the arrays. */
	{
		uint64_t ea;

		memcpy(copy, buf, len);
		memcpy(&ea, copy + 176, 8);
		memcpy(copy + ea + 16, &ea, 8);
		assert_int_equal(journal_read(copy, len, NULL, NULL, &st), 0);
		assert_int_equal(st.entries, 24);
	}
	/* The online state of a journal that was never closed. */
	memcpy(copy, buf, len);
	copy[16] = JSTATE_ONLINE;
	assert_int_equal(journal_read(copy, len, NULL, NULL, &st), 0);
	assert_int_equal(st.entries, 24);
	assert_true(st.scanned);
	assert_non_null(strstr(st.note, "online"));
	/* An unknown incompatible flag: refused with a reason. */
	memcpy(copy, buf, len);
	copy[12 + 1] |= 0x80;
	assert_int_equal(journal_read(copy, len, NULL, NULL, &st), -1);
	assert_non_null(strstr(st.note, "incompatible"));
	assert_int_equal(journal_read((const uint8_t *)"LPKSHHRH", 8, NULL, NULL, &st), -1);
	free(copy);
	free(buf);
	free(path);
}

/* ---- end to end ---- */

/* isa: --isa's value ("none", or a file of tests/unit/data/postmortem/):
 * never left out, or the check would run `/proc/self/exe isa`, which is
 * this test. */
static struct jval *run_postmortem_isa(const char *root, const char *isa, int *rc)
{
	char *out = fixture("pm.json"), *rootp = fixture(root);
	char isaopt[300];
	char *argv[] = { "postmortem", "-q", "--root", rootp, "-o", out, isaopt, NULL };
	size_t len;
	char *text, err[200];
	struct jval *v;

	snprintf(isaopt, sizeof(isaopt), "--isa=%s", isa);
	*rc = cmd_postmortem(7, argv);
	text = read_file(out, 1 << 24, &len);
	assert_non_null(text);
	v = json_parse(text, len, err, sizeof(err));
	if (!v)
		fail_msg("%s", err);
	free(text);
	free(out);
	free(rootp);
	return v;
}

static struct jval *run_postmortem(const char *root, int *rc)
{
	return run_postmortem_isa(root, "none", rc);
}

static const struct jval *finding(const struct jval *v, const char *id)
{
	const struct jval *f = json_get(v, "findings");

	for (size_t i = 0; f && i < f->len; i++)
		if (!strcmp(json_str(f->items[i], "id", ""), id))
			return f->items[i];
	return NULL;
}

/* The event of this kind among the scenario's trap finding's evidence. */
static const struct jval *trap_event_of(const struct jval *v, const char *kind)
{
	const struct jval *evs = json_arr(json_obj(finding(v, "prev.trap.not-judged"), "evidence"), "events");

	for (size_t i = 0; i < json_len(evs); i++)
		if (!strcmp(json_str(json_at(evs, i), "kind", ""), kind))
			return json_at(evs, i);
	return NULL;
}

static void check_scenario(const struct jval *v, const char *source)
{
	const struct jval *boots = json_path(v, "data.boots"), *f, *ev, *trap;

	assert_string_equal(json_str(v, "status", ""), "fail");
	assert_non_null(boots);
	assert_int_equal(boots->len, 3);
	/* Newest first: the clean boot 3, the crashed boot 2, boot 1. */
	assert_true(json_get(boots->items[0], "clean_end")->b);
	assert_false(json_get(boots->items[1], "clean_end")->b);
	assert_true(json_get(boots->items[2], "clean_end")->b);
	assert_string_equal(json_str(boots->items[1], "source", ""), source);
	assert_true(json_num(boots->items[1], "quiet_before_end_s", 0) == 10800);

	/* The trap is decoded from its Code: bytes (libfoo.so is not on this
	 * root): vmovdqu ymm needs AVX, not judged without an isa result. */
	assert_null(finding(v, "prev.gpf"));
	f = finding(v, "prev.trap.not-judged");
	assert_non_null(f);
	assert_string_equal(json_str(json_get(f, "evidence"), "confirm_with", ""), "isa");
	assert_string_equal(json_str(json_get(f, "evidence"), "mnemonic", ""), "vmovdqu");
	assert_string_equal(json_str(json_get(f, "evidence"), "extensions", ""), "avx");
	ev = json_get(json_get(f, "evidence"), "events")->items[0];
	assert_string_equal(json_str(ev, "program", ""), "code");
	assert_int_equal((int)json_num(ev, "boot", 0), -1);
	trap = json_get(ev, "trap");
	assert_non_null(trap);
	assert_string_equal(json_str(trap, "ip", ""), "0x70c6be715729");
	assert_string_equal(json_str(trap, "file", ""), "libfoo.so");
	assert_string_equal(json_str(trap, "base", ""), "0x70c6be700000");
	assert_string_equal(json_str(trap, "size", ""), "0x20000");
	assert_string_equal(json_str(trap, "offset", ""), "0x15729");
	assert_string_equal(json_str(trap, "code", ""),
			    "48 89 45 c8 31 c0 48 8b 45 c8 c4 e2 7d 78 c0 <c5> fe 7f 07 48 83 c4 28 5d c3 66 0f 1f 44 00 00");

	/* One crash, one finding: the unit's death right after the trap is
	 * the trap finding's evidence, not a prev.signal of its own. */
	assert_null(finding(v, "prev.signal"));
	f = finding(v, "prev.trap.not-judged");
	assert_true(json_len(json_get(json_get(f, "evidence"), "events")) >= 2);
	ev = json_get(json_get(f, "evidence"), "events")->items[1];
	assert_string_equal(json_str(ev, "kind", ""), "service.signal");
	assert_string_equal(json_str(ev, "unit", ""), "code-tunnel.service");
	assert_string_equal(json_str(ev, "signal", ""), "SEGV");
	assert_non_null(strstr(json_str(ev, "after_trap", ""), "general protection fault"));

	f = finding(v, "prev.oom");
	assert_non_null(f);
	assert_string_equal(json_str(json_get(f, "evidence"), "confirm_with", ""), "mem");
	ev = json_get(json_get(f, "evidence"), "events")->items[0];
	assert_string_equal(json_str(ev, "oom_victim", ""), "stress");
	assert_true(json_num(ev, "oom_anon_rss_kb", 0) == 2015232);
	assert_int_equal((int)json_num(ev, "boot", 0), -2);

	assert_non_null(finding(v, "prev.soft-lockup"));
	/* Its core dump too. */
	assert_null(finding(v, "prev.coredump"));
	assert_non_null(trap_event_of(v, "service.coredump"));
	f = finding(v, "prev.unclean-end");
	assert_non_null(f);
	assert_true(json_get(json_get(f, "evidence"), "after_idle")->b);
	assert_string_equal(json_str(json_get(f, "evidence"), "confirm_with", ""), "wake");
	assert_true(json_num(json_get(v, "metrics"), "unclean_ends", 0) == 1);
}

static void test_root_journal(void **state)
{
	(void)state;
	int rc;
	struct jval *v;

	if (!fixtures[0])
		skip();
	v = run_postmortem("root", &rc);
	assert_int_equal(rc, EXIT_FAIL);
	check_scenario(v, "journal");
	/* The coredump entry's own fields (its MESSAGE was compressed). */
	assert_string_equal(json_str(trap_event_of(v, "service.coredump"), "exe", ""), "/opt/code/bin/code");
	/* The text logs hold the same boots: counted once. */
	assert_true(json_num(json_get(v, "metrics"), "boots_found", 0) == 3);
	json_free(v);
}

static void test_root_text(void **state)
{
	(void)state;
	int rc;
	struct jval *v;

	if (!fixtures[0])
		skip();
	v = run_postmortem("textroot", &rc);
	assert_int_equal(rc, EXIT_FAIL);
	check_scenario(v, "syslog");
	json_free(v);
}

static void test_root_empty(void **state)
{
	(void)state;
	int rc;
	struct jval *v;
	char *d;

	if (!fixtures[0])
		skip();
	d = xasprintf("mkdir -p %s/empty/var/log", fixtures);
	assert_int_equal(system(d), 0);
	v = run_postmortem("empty", &rc);
	assert_int_equal(rc, EXIT_SKIP);
	json_free(v);
	free(d);
}

/* The image's own root is no suspect: "/" on ramfs or tmpfs (the ISO's
 * initramfs) is told from a disk's filesystem by statfs, the kernel's own
 * answer; the post-mortem then says how to attach the crashed VM's disk. */
static void test_volatile_root(void **state)
{
	struct statfs sf;

	(void)state;
	assert_false(pm_volatile_root("tests/unit"));
	assert_false(pm_volatile_root("/no/such/folder"));
	if (statfs("/dev/shm", &sf) == 0 && sf.f_type == 0x01021994)
		assert_true(pm_volatile_root("/dev/shm"));
	assert_non_null(strstr(PM_NO_SUSPECT, "no suspect disk found"));
	assert_non_null(strstr(PM_NO_SUSPECT, "Disk Action > Reassign Owner"));
}

/* Superblocks as mkfs.ext4, mkfs.vfat and mkswap write them. */
static void test_probe_fs(void **state)
{
	(void)state;
	static const struct {
		const char *cmd, *after, *type, *label;
	} cases[] = {
		{ "mkfs.ext4 -q -F -L guestroot", " 8M", "ext4", "guestroot" },
		{ "mkfs.vfat -n EFI", " >/dev/null", "vfat", "EFI" },
		{ "mkfs.vfat -F 32 -n TRIAGE", " >/dev/null", "vfat", "TRIAGE" },
		{ "mkswap", " >/dev/null 2>&1", "swap", "" },
	};
	char *img, cmd[300], label[64];
	uint8_t *buf;
	size_t len;

	if (!fixtures[0])
		skip();
	img = fixture("probe.img");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(cmd, sizeof(cmd), "rm -f %s && truncate -s 40M %s && %s %s%s", img, img, cases[i].cmd, img,
			 cases[i].after);
		if (system(cmd) != 0) {
			fprintf(stderr, "# %s failed: skipped\n", cmd);
			continue;
		}
		buf = (uint8_t *)read_file(img, 0x11000, &len);
		assert_non_null(buf);
		assert_string_equal(pm_probe_fs(buf, len, label, sizeof(label)), cases[i].type);
		assert_string_equal(label, cases[i].label);
		/* Cut short: never past the buffer (ASan), at worst not recognised. */
		for (size_t cut = 0; cut < len; cut += 509)
			pm_probe_fs(buf, cut, label, sizeof(label));
		free(buf);
	}
	{
		uint8_t z[0x11000] = { 0 };

		assert_null(pm_probe_fs(z, sizeof(z), label, sizeof(label)));
		memcpy(z, "LUKS\xba\xbe", 6);
		assert_string_equal(pm_probe_fs(z, sizeof(z), label, sizeof(label)), "luks");
	}
	free(img);
}

static void test_report_target(void **state)
{
	(void)state;
	char label[64], dev[64];

	pm_report_target("console=ttyS0 triage.report=LABEL=mydisk quiet", label, sizeof(label), dev, sizeof(dev));
	assert_string_equal(label, "mydisk");
	assert_string_equal(dev, "");
	pm_report_target("triage.report=/dev/vdc1", label, sizeof(label), dev, sizeof(dev));
	assert_string_equal(dev, "vdc1");
	pm_report_target("triage.mode=quick", label, sizeof(label), dev, sizeof(dev));
	assert_string_equal(label, "");
	assert_string_equal(dev, "");
}

/* The kernel's newer offset form through the model and the join: the
 * event's trap (report.json's "trap") and the decoded instruction name the
 * same file, from the one parser (lib/trapline). */
static void test_offset_form_join(void **state)
{
	(void)state;
	struct pm pm;
	struct pm_isa isa;
	struct pm_record r = { .t_us = 1000000, .boot = "b1", .source = "journal", .program = "kernel", .pid = -1,
			       .unit = "", .coredump_signal = -1 };
	char root[] = "/tmp/test_pm_offset.XXXXXX";

	assert_non_null(mkdtemp(root));
	memset(&isa, 0, sizeof(isa));
	pm_init(&pm);
	r.message = "traps: mainv[2334] trap invalid opcode ip:7f25b1a65100 sp:7fff7d131fd8 error:0 in "
		    "libvnni.so[1100,7f25b1a65000+1000]";
	pm_feed(&pm, &r);
	r.message = "Code: 48 89 e5 <c4> e2 75 50 c2 c3";
	pm_feed(&pm, &r);
	pm_finish(&pm);
	pm_join_traps(&pm, 0, root, &isa);
	assert_int_equal(pm.nevents, 1);
	assert_true(pm.events[0].has_trap && pm.events[0].trap.has_map && pm.events[0].trap.has_offset);
	assert_string_equal(pm.events[0].trap.file, "libvnni.so");
	assert_int_equal(pm.events[0].trap.offset, 0x1100);
	assert_non_null(pm.events[0].insn);
	assert_string_equal(pm.events[0].insn->source, "code");
	assert_string_equal(pm.events[0].insn->insn.mnemonic, "vpdpbusd");
	/* The file was looked for by the trap's name, and the words carry no
	 * mount point ("not found under  in ..." once). */
	assert_string_equal(pm.events[0].insn->note, "libvnni.so not found in the loader's directories");
	pm_free(&pm);
	rmdir(root);
}

/* The model alone: a pstore-like kernel panic, a Code: line that follows no
 * trap, and a unit's signal line too long after its trap to belong to it. */
static void test_model(void **state)
{
	(void)state;
	struct pm pm;
	struct pm_record r = { .boot = "b1", .source = "journal", .program = "kernel", .pid = -1, .unit = "",
			       .coredump_signal = -1 };

	pm_init(&pm);
	r.t_us = 1000000;
	r.message = "Code: 00 11 <22>";
	pm_feed(&pm, &r);
	r.message = "traps: a[1] trap invalid opcode ip:401000 sp:7ffd0000 error:0 in a[400000+2000]";
	pm_feed(&pm, &r);
	r.t_us += 10;
	r.message = "random: crng init done";
	pm_feed(&pm, &r);
	r.message = "Code: 0f 0b <c4> e2";
	pm_feed(&pm, &r); /* not right after the trap: not its bytes */
	r.t_us += (int64_t)PM_TIE_WINDOW_US + 1;
	r.program = "systemd";
	r.message = "a.service: Main process exited, code=killed, status=4/ILL";
	pm_feed(&pm, &r);
	r.t_us += 5;
	r.program = "kernel";
	r.message = "Kernel panic - not syncing: Fatal exception";
	pm_feed(&pm, &r);
	/* The same words from a program are not the kernel's. */
	r.program = "myapp";
	r.message = "Kernel panic - not syncing: just testing";
	pm_feed(&pm, &r);
	/* journald restarted in the middle of a boot is not its end. */
	r.program = "systemd-journald";
	r.message = "Journal stopped";
	pm_feed(&pm, &r);
	r.t_us += (int64_t)PM_SHUTDOWN_TAIL_US + 1;
	r.message = "Journal started";
	pm_feed(&pm, &r);
	pm_finish(&pm);
	assert_int_equal(pm.nevents, 3);
	assert_true(pm.events[0].has_trap);
	assert_string_equal(pm.events[0].code, "");
	assert_string_equal(pm.events[1].signal, "ILL");
	assert_int_equal(pm.events[1].tied_to, -1);
	assert_string_equal(kmsg_rules[pm.events[2].rule].id, "kernel.panic");
	assert_int_equal(pm.nboots, 1);
	assert_false(pm.boots[0].shutdown);
	assert_true(pm_unclean(&pm.boots[0]));
	pm_free(&pm);
}


/* ---- the join with isa, and what will fail next ----
 *
 * tests/postmortem/make-join-root builds a root with gcc: a PIE that dies at
 * vpbroadcastb (3 times in 2 boots), a library with AVX2 code mapped high, a
 * base-ISA segfault, a file linked with -z x86-64-v3, a glibc-hwcaps folder,
 * Bun's path and Rocky Linux 10's os-release. The isa results are
 * `triage isa` on this machine, and with --inject=fault:avx2. */
#define ISA_NO_AVX2 "tests/unit/data/postmortem/isa-no-avx2.json"
#define ISA_EXECUTES "tests/unit/data/postmortem/isa-executes.json"

static bool join_root_made;

static bool make_join_root(void)
{
	char *cmd;
	int rc;

	if (join_root_made)
		return true;
	if (!fixtures[0])
		return false;
	cmd = xasprintf("tests/postmortem/make-join-root %s/joinroot", fixtures);
	rc = system(cmd);
	free(cmd);
	join_root_made = rc == 0;
	return join_root_made;
}

/* The symbol's address in the file, from binutils' nm: the oracle of the
 * offsets the join reports (text at file offset == vaddr in these files). */
static unsigned long long nm_addr(const char *file, const char *sym)
{
	char *cmd = xasprintf("nm %s/joinroot%s | awk '$3 == \"%s\" { print $1 }'", fixtures, file, sym);
	FILE *p = popen(cmd, "r");
	unsigned long long a = 0;

	assert_non_null(p);
	assert_int_equal(fscanf(p, "%llx", &a), 1);
	pclose(p);
	free(cmd);
	return a;
}

/* The finding with this id whose evidence names program. */
static const struct jval *finding_of(const struct jval *v, const char *id, const char *program)
{
	const struct jval *f = json_arr(v, "findings");

	for (size_t i = 0; i < json_len(f); i++)
		if (!strcmp(json_str(json_at(f, i), "id", ""), id) &&
		    !strcmp(json_str(json_obj(json_at(f, i), "evidence"), "program", ""), program))
			return json_at(f, i);
	return NULL;
}

static const struct jval *wf_item(const struct jval *v, const char *path)
{
	const struct jval *items = json_arr(json_obj(json_obj(v, "data"), "will_fail"), "items");

	for (size_t i = 0; i < json_len(items); i++)
		if (!strcmp(json_str(json_at(items, i), "path", ""), path))
			return json_at(items, i);
	return NULL;
}

static void test_join_needs_missing(void **state)
{
	(void)state;
	int rc;
	struct jval *v;
	const struct jval *f, *ev;
	char off[32];

	if (!make_join_root())
		skip();
	v = run_postmortem_isa("joinroot", ISA_NO_AVX2, &rc);
	assert_int_equal(rc, EXIT_FAIL);
	/* One finding for the three deaths of avx2prog, with the count. */
	f = finding_of(v, "prev.trap.needs-missing", "avx2prog");
	assert_non_null(f);
	assert_string_equal(json_str(f, "severity", ""), "fail");
	ev = json_obj(f, "evidence");
	assert_true(json_num(ev, "count", 0) == 3);
	assert_true(json_num(ev, "boots", 0) == 2);
	assert_string_equal(json_str(ev, "mnemonic", ""), "vpbroadcastb");
	assert_string_equal(json_str(ev, "extensions", ""), "avx2");
	assert_string_equal(json_str(ev, "missing", ""), "avx2");
	assert_string_equal(json_str(ev, "pve_type", ""), "x86-64-v3");
	/* isa's fixture ran on an AMD CPU: AMD's poorest model with AVX2. */
	assert_string_equal(json_str(ev, "pve_model_type", ""), "EPYC");
	assert_true(json_num(ev, "level", 0) == 3);
	assert_string_equal(json_str(ev, "file", ""), "/usr/bin/avx2prog");
	snprintf(off, sizeof(off), "0x%llx", nm_addr("/usr/bin/avx2prog", "at_fault"));
	assert_string_equal(json_str(ev, "file_offset", ""), off);
	assert_non_null(strstr(json_str(f, "summary", ""), "3 times in 2 boot(s)"));
	assert_non_null(strstr(json_str(f, "summary", ""), "x86-64-v3"));
	assert_null(finding(v, "prev.gpf")); /* the join's finding, not the rule's */
	/* The library: found where the loader takes it at this level, not in
	 * glibc-hwcaps/x86-64-v3 (which it skips on a v2 vCPU). */
	f = finding_of(v, "prev.trap.needs-missing", "libvec.so.1");
	assert_non_null(f);
	ev = json_obj(f, "evidence");
	assert_string_equal(json_str(ev, "file", ""), "/usr/lib/x86_64-linux-gnu/libvec.so.1");
	snprintf(off, sizeof(off), "0x%llx", nm_addr("/usr/lib/x86_64-linux-gnu/libvec.so.1", "vec_fault"));
	assert_string_equal(json_str(ev, "file_offset", ""), off);
	assert_true(json_num(ev, "count", 0) == 1);
	/* A load through NULL: base x86-64, not the CPU type. */
	f = finding_of(v, "prev.trap.base", "nullprog");
	assert_non_null(f);
	assert_string_equal(json_str(json_obj(f, "evidence"), "mnemonic", ""), "mov");
	assert_true(json_num(json_obj(v, "metrics"), "traps_needs_missing", 0) == 4);
	assert_true(json_num(json_obj(v, "metrics"), "traps_decoded", 0) == 5);

	/* What will fail next on this v2 vCPU. */
	assert_string_equal(json_str(wf_item(v, "/usr/lib/x86_64-linux-gnu/libv3marked.so"), "fails", ""), "yes");
	assert_string_equal(json_str(wf_item(v, "/usr/lib/x86_64-linux-gnu/libv3marked.so"), "needs", ""), "x86-64-v3");
	assert_string_equal(json_str(wf_item(v, "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3"), "kind", ""),
			    "glibc-hwcaps");
	assert_string_equal(json_str(wf_item(v, "/usr/local/bin/bun"), "needs", ""), "avx2");
	assert_string_equal(json_str(wf_item(v, "/usr/local/bin/bun"), "fails", ""), "yes");
	assert_string_equal(json_str(wf_item(v, "/etc/os-release"), "needs", ""), "x86-64-v3");
	/* The files inside glibc-hwcaps are judged as the folder, not one by one. */
	assert_null(wf_item(v, "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libvec.so.1"));
	assert_non_null(finding(v, "prev.will-fail.elf"));
	assert_non_null(finding(v, "prev.will-fail.runtime"));
	assert_non_null(finding(v, "prev.will-fail.os"));
	assert_string_equal(json_str(finding(v, "prev.will-fail.hwcaps"), "severity", ""), "info");
	assert_true(json_true(json_obj(json_obj(v, "data"), "will_fail"), "complete"));
	assert_true(json_num(json_obj(json_obj(v, "data"), "will_fail"), "declaring", 0) == 1);
	json_free(v);
}

static void test_join_executes(void **state)
{
	(void)state;
	int rc;
	struct jval *v;
	const struct jval *f;

	if (!make_join_root())
		skip();
	v = run_postmortem_isa("joinroot", ISA_EXECUTES, &rc);
	/* This vCPU executes AVX2: look elsewhere, and nothing will fail. */
	assert_null(finding(v, "prev.trap.needs-missing"));
	f = finding_of(v, "prev.trap.executes", "avx2prog");
	assert_non_null(f);
	assert_string_equal(json_str(f, "severity", ""), "warn");
	assert_true(json_num(json_obj(f, "evidence"), "count", 0) == 3);
	assert_non_null(strstr(json_str(f, "advice", ""), "memory"));
	assert_non_null(finding_of(v, "prev.trap.base", "nullprog"));
	assert_null(finding(v, "prev.will-fail.elf"));
	assert_null(finding(v, "prev.will-fail.runtime"));
	assert_null(finding(v, "prev.will-fail.os"));
	assert_null(finding(v, "prev.will-fail.hwcaps"));
	assert_string_equal(json_str(wf_item(v, "/usr/local/bin/bun"), "fails", ""), "no");
	assert_true(json_num(json_obj(v, "metrics"), "will_fail", -1) == 0);
	/* The library is now found where a v3+ loader looks first. */
	assert_string_equal(json_str(json_obj(finding_of(v, "prev.trap.executes", "libvec.so.1"), "evidence"), "file", ""),
			    "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libvec.so.1");
	json_free(v);
}

/* The scan stops at its budgets and says so. */
static void test_will_fail_budget(void **state)
{
	(void)state;
	struct pm_isa isa;
	struct pm_wf wf = { 0 };
	char *root;

	if (!make_join_root())
		skip();
	root = fixture("joinroot");
	assert_int_equal(pm_isa_load(&isa, ISA_NO_AVX2), 0);
	assert_int_equal(isa.level_exec, 2);
	assert_int_equal(pm_isa_executes(&isa, "avx2"), 0);
	assert_int_equal(pm_isa_executes(&isa, "avx"), 1);
	assert_int_equal(pm_isa_executes(&isa, "no-such-ext"), -1);
	pm_will_fail(&wf, root, &isa, 10.0, 2);
	assert_true(wf.cut_files);
	assert_false(wf.cut_time);
	assert_int_equal(wf.files, 2);
	pm_wf_free(&wf);
	pm_will_fail(&wf, root, &isa, 0.0, 1000);
	assert_true(wf.cut_time);
	assert_int_equal(wf.files, 0);
	pm_wf_free(&wf);
	pm_will_fail(&wf, root, &isa, 10.0, 1000);
	assert_false(wf.cut_time || wf.cut_files);
	assert_int_equal(wf.elf, 5);
	pm_wf_free(&wf);
	pm_isa_free(&isa);
	assert_int_equal(pm_isa_load(&isa, "none"), -1);
	assert_int_equal(pm_isa_load(&isa, "tests/unit/data/report/minimal.json"), -1);
	free(root);
}

/* systemd-coredump's stack trace: the first frame's module and offset
 * give the instruction when no kernel trap line was kept. */
static void test_join_coredump(void **state)
{
	(void)state;
	struct pm pm;
	struct pm_isa isa;
	char *root;
	struct pm_record r = { .t_us = 1000000, .boot = "b1", .source = "journal", .program = "systemd-coredump",
			       .pid = 9, .unit = "", .coredump_signal = 4, .coredump_exe = "/usr/bin/avx2prog" };
	char msg[400];

	if (!make_join_root())
		skip();
	root = fixture("joinroot");
	snprintf(msg, sizeof(msg),
		 "Process 5300 (avx2prog) of user 0 dumped core.\n\nModule /usr/bin/avx2prog without build-id.\n"
		 "Stack trace of thread 5300:\n#0  0x000055d5c0d4%04llx main (/usr/bin/avx2prog + 0x%llx)\n"
		 "#1  0x00007f0000029d90 n/a (libc.so.6 + 0x29d90)\nELF object binary architecture: AMD x86-64",
		 0x8000 + nm_addr("/usr/bin/avx2prog", "at_fault") - 0x8000, nm_addr("/usr/bin/avx2prog", "at_fault"));
	r.message = msg;
	pm_init(&pm);
	pm_feed(&pm, &r);
	assert_int_equal(pm.nevents, 1);
	assert_true(pm.events[0].has_frame);
	assert_string_equal(pm.events[0].frame_file, "/usr/bin/avx2prog");
	assert_true(pm.events[0].frame_off == nm_addr("/usr/bin/avx2prog", "at_fault"));
	assert_int_equal(pm_isa_load(&isa, ISA_NO_AVX2), 0);
	pm_join_traps(&pm, 0, root, &isa);
	assert_non_null(pm.events[0].insn);
	assert_int_equal(pm.events[0].insn->verdict, FAULT_NEEDS_MISSING);
	assert_string_equal(pm.events[0].insn->insn.mnemonic, "vpbroadcastb");
	assert_string_equal(pm.events[0].insn->path, "/usr/bin/avx2prog");
	pm_isa_free(&isa);
	pm_free(&pm);
	free(root);
}

/* DEVICE words after the options (the check contract takes options only):
 * option values stay with their options, the rest become --devices. */
static void test_device_args(void **state)
{
	(void)state;
	char *out, *rootp;
	size_t len;
	char *text;

	if (!fixtures[0])
		skip();
	out = fixture("dev.json");
	rootp = fixture("root");
	{
		/* With --root the devices are not read: the root is, and -o and -b
		 * kept their values although words follow them. */
		char *argv[] = { "postmortem", "-q", "-o", out, "nosuchdev1", "--boots", "2", "--root", rootp,
				 "/dev/nosuchdev2", "--isa", "none", NULL };

		assert_int_equal(cmd_postmortem(12, argv), EXIT_FAIL);
		text = read_file(out, 1 << 24, &len);
		assert_non_null(text);
		assert_non_null(strstr(text, "\"boots_summarised\": 2") ? text : strstr(text, "\"boots_summarised\":2"));
		free(text);
	}
	{
		char *argv[] = { "postmortem", "-q", "--isa=none", "--", "-o", NULL };

		/* After --, "-o" is a device name, not an option missing its value. */
		assert_int_not_equal(cmd_postmortem(5, argv), EXIT_ERROR);
	}
	{
		char *argv[] = { "postmortem", "-q", "--nonsense", NULL };

		assert_int_equal(cmd_postmortem(3, argv), EXIT_ERROR);
	}
	free(out);
	free(rootp);
}

static void test_root_pstore(void **state)
{
	(void)state;
	int rc;
	struct jval *v;
	char *cmd;

	if (!fixtures[0])
		skip();
	/* systemd-pstore's archive of an efi-pstore record (the kernel's kmsg dump). */
	cmd = xasprintf("mkdir -p %s/pstoreroot/var/lib/systemd/pstore/1795590000/001 && printf '%%s\\n' "
			"'Panic#1 Part1' '<4>[ 9000.123456] BUG: kernel NULL pointer dereference, address: 0000000000000008' "
			"'<0>[ 9000.200000] Kernel panic - not syncing: Fatal exception' "
			"> %s/pstoreroot/var/lib/systemd/pstore/1795590000/001/dmesg.txt", fixtures, fixtures);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	v = run_postmortem("pstoreroot", &rc);
	assert_int_equal(rc, EXIT_FAIL);
	assert_non_null(finding(v, "prev.panic"));
	assert_non_null(finding(v, "prev.bug"));
	assert_string_equal(json_str(json_path(v, "data.sources")->items[0], "kind", ""), "pstore");
	json_free(v);
}

/* A log longer than the limit: its newest lines are read, whole, from a
 * plain file, a gzip'd and an xz'd one (gzip and xz write them). */
static void test_read_log_tail(void **state)
{
	(void)state;
	static const char *const names[] = { "big.log", "big.log.gz", "big.log.xz" };
	char *cmd, *text, note[200];
	size_t len;
	bool cut;

	if (!fixtures[0])
		skip();
	cmd = xasprintf("cd %s && seq -f 'Nov 28 05:30:55 h kernel: line %%.0f' 1 200000 > big.log && "
			"gzip -c big.log > big.log.gz && xz -c big.log > big.log.xz", fixtures);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *path = fixture(names[i]);

		text = pm_read_log(path, 100000, &len, &cut, note, sizeof(note));
		assert_non_null(text);
		assert_true(cut);
		assert_true(len <= 100000 && len > 40000);
		assert_non_null(strstr(text, "kernel: line 200000\n"));
		assert_null(strstr(text, "kernel: line 1\n"));
		/* Whole lines only, at the start too (the plain file's cut). */
		if (i == 0)
			assert_memory_equal(text, "Nov 28", 6);
		free(text);
		free(path);
	}
	text = pm_read_log("/nonexistent/log", 100, &len, &cut, note, sizeof(note));
	assert_null(text);
	assert_non_null(strstr(note, "/nonexistent/log"));
}

static int group_setup(void **state)
{
	(void)state;
	char cmd[200];
	int rc;

	snprintf(fixtures, sizeof(fixtures), "/tmp/vmtriage-pm-XXXXXX");
	if (!mkdtemp(fixtures))
		return -1;
	snprintf(cmd, sizeof(cmd), "tests/postmortem/make-fixtures %s", fixtures);
	rc = system(cmd);
	if (rc != 0) {
		fprintf(stderr, "# make-fixtures failed (%d): the journal tests are skipped\n", rc);
		fixtures[0] = '\0';
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	char cmd[200];

	if (fixtures[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", fixtures);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_rules),
		cmocka_unit_test(test_syslog_lines),
		cmocka_unit_test(test_decompress),
		cmocka_unit_test(test_journal_compact_zstd),
		cmocka_unit_test(test_journal_regular),
		cmocka_unit_test(test_journal_killed_writer),
		cmocka_unit_test(test_journal_damaged),
		cmocka_unit_test(test_root_journal),
		cmocka_unit_test(test_root_text),
		cmocka_unit_test(test_root_empty),
		cmocka_unit_test(test_probe_fs),
		cmocka_unit_test(test_volatile_root),
		cmocka_unit_test(test_report_target),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_offset_form_join),
		cmocka_unit_test(test_root_pstore),
		cmocka_unit_test(test_device_args),
		cmocka_unit_test(test_read_log_tail),
		cmocka_unit_test(test_join_needs_missing),
		cmocka_unit_test(test_join_executes),
		cmocka_unit_test(test_will_fail_budget),
		cmocka_unit_test(test_join_coredump),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
