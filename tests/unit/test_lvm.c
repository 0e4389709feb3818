/* The LVM2 reader on metadata written by Debian's lvm2 tools
 * (tests/postmortem/make-lvm-fixtures, output in tests/unit/data/lvm/):
 * the linear tables against lvm2's own report (lvs.txt), the striped LV
 * refused, damaged and truncated copies refused without a crash; the
 * image's own spelling of the dm ioctl ABI against the kernel's header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/dm-ioctl.h>

#include "postmortem/lvm.h"
#include "postmortem/lvmdm.h"

#define DATA "tests/unit/data/lvm/"
#define HEAD 65536
#define EXTENT 2048	/* vgcreate -s 1M: sectors */

static uint8_t *load_head(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(HEAD);

	assert_non_null(f);
	*n = fread(b, 1, HEAD, f);
	fclose(f);
	assert_true(*n > 0);
	return b;
}

static char *load_text(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *t = calloc(1, 1 << 16);

	assert_non_null(f);
	*n = fread(t, 1, (1 << 16) - 1, f);
	fclose(f);
	return t;
}

/* lvm2's PV uuid of pvA/pvB from lvs.txt, without dashes. */
static void oracle_uuid(const char *pv, char *out)
{
	size_t n;
	char *t = load_text(DATA "lvs.txt", &n), *line, *save = NULL;
	int k = 0;

	out[0] = '\0';
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[16], uuid[64];

		if (sscanf(line, " %15s %63s", name, uuid) == 2 && !strcmp(name, pv)) {
			for (char *c = uuid; *c; c++)
				if (*c != '-')
					out[k++] = *c;
			out[k] = '\0';
		}
	}
	free(t);
}

static struct lvm_vg *vg_of(const char *path, struct lvm_label *l)
{
	size_t n, tl;
	uint8_t *b = load_head(path, &n);
	char err[200];
	char *t;
	struct lvm_vg *vg = malloc(sizeof(*vg));

	assert_int_equal(lvm_parse_label(b, n, l, err, sizeof(err)), 0);
	assert_true(l->mda_offset < n);
	t = lvm_mda_text(b + l->mda_offset, n - l->mda_offset, &tl, err, sizeof(err));
	if (!t)
		fail_msg("%s", err);
	assert_int_equal(lvm_parse_text(t, tl, vg, err, sizeof(err)), 0);
	free(t);
	free(b);
	return vg;
}

static const struct lvm_lv *lv_named(const struct lvm_vg *vg, const char *name)
{
	for (int i = 0; i < vg->nlvs; i++)
		if (!strcmp(vg->lvs[i].name, name))
			return &vg->lvs[i];
	fail_msg("no LV %s", name);
	return NULL;
}

/* Every linear row of lvs.txt ("root 16384 8192 linear 1 pvA:12-15") is a
 * table line; the striped LV has no table. */
static void check_tables(const struct lvm_vg *vg)
{
	size_t n;
	char *t = load_text(DATA "lvs.txt", &n), *line, *save = NULL;
	int rows = 0;
	uint64_t pe_start = 0;

	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char pv[16], uuid[64];
		unsigned long long ps;

		if (sscanf(line, " %15s %63s %llu", pv, uuid, &ps) == 3 && !strncmp(pv, "pv", 2))
			pe_start = ps;
	}
	assert_int_equal(pe_start, 2048);
	free(t);
	t = load_text(DATA "lvs.txt", &n);
	save = NULL;
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64], type[16], pv[16];
		unsigned long long start, size, a, b;
		int stripes;
		struct lvm_linear lin[LVM_MAX_SEGS];
		char why[120];
		const struct lvm_lv *lv;
		int k, found = 0;

		if (sscanf(line, " %63s %llu %llu %15s %d %15[^:]:%llu-%llu", name, &start, &size, type, &stripes, pv,
			   &a, &b) != 8)
			continue;
		lv = lv_named(vg, name);
		k = lvm_linear_table(vg, lv, lin, LVM_MAX_SEGS, why, sizeof(why));
		if (strcmp(type, "linear")) {
			assert_int_equal(k, -1);
			assert_non_null(strstr(why, "striped over 2"));
			continue;
		}
		assert_true(k > 0);
		for (int i = 0; i < k; i++) {
			if (lin[i].start != start)
				continue;
			found = 1;
			assert_int_equal(lin[i].length, size);
			assert_int_equal(lin[i].length, (b - a + 1) * EXTENT);
			assert_int_equal(lin[i].offset, pe_start + a * EXTENT);
		}
		assert_true(found);
		rows++;
	}
	assert_int_equal(rows, 3);
	free(t);
}

static void test_label_and_tables(void **state)
{
	(void)state;
	struct lvm_label la, lb;
	struct lvm_vg *va = vg_of(DATA "pvA.head", &la), *vb = vg_of(DATA "pvB.head", &lb);
	char ua[40], ub[40];

	oracle_uuid("pvA", ua);
	oracle_uuid("pvB", ub);
	assert_string_equal(la.pv_uuid, ua);
	assert_string_equal(lb.pv_uuid, ub);
	assert_int_equal(la.mda_offset, 4096);
	assert_string_equal(va->name, "vgfix");
	assert_int_equal(va->extent_size, EXTENT);
	assert_int_equal(va->npvs, 2);
	assert_int_equal(va->nlvs, 3);
	assert_int_equal(va->seqno, vb->seqno); /* both PVs hold the same, latest, text */
	assert_true(lv_named(va, "root")->visible);
	assert_int_equal(lv_named(va, "root")->nsegs, 2);
	/* The segments of root are on pvA: the PV with pvA's label uuid. */
	assert_int_equal(lv_named(va, "root")->segs[0].pv[0], lvm_pv_by_uuid(va, la.pv_uuid));
	assert_int_not_equal(lvm_pv_by_uuid(va, lb.pv_uuid), -1);
	assert_int_not_equal(lvm_pv_by_uuid(va, la.pv_uuid), lvm_pv_by_uuid(va, lb.pv_uuid));
	check_tables(va);
	free(va);
	free(vb);
}

/* vgcfgbackup writes the same text format (with its own header comments). */
static void test_backup_text(void **state)
{
	(void)state;
	size_t n;
	char *t = load_text(DATA "vgfix.vg", &n), err[200];
	struct lvm_vg *vg = malloc(sizeof(*vg));

	assert_int_equal(lvm_parse_text(t, n, vg, err, sizeof(err)), 0);
	assert_string_equal(vg->name, "vgfix");
	check_tables(vg);
	free(vg);
	free(t);
}

static void test_damage(void **state)
{
	(void)state;
	size_t n, tl;
	uint8_t *b = load_head(DATA "pvA.head", &n);
	struct lvm_label l;
	char err[200], *t;
	struct lvm_vg *vg = malloc(sizeof(*vg));
	uint64_t off;

	assert_int_equal(lvm_parse_label(b, n, &l, err, sizeof(err)), 0);
	/* The label's checksum covers its pv_header. */
	b[l.sector * 512 + 40] ^= 1;
	assert_int_equal(lvm_parse_label(b, n, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "checksum"));
	b[l.sector * 512 + 40] ^= 1;
	/* The text's checksum. */
	off = 4096 + (b[4096 + 40] | (uint64_t)b[4096 + 41] << 8 | (uint64_t)b[4096 + 42] << 16);
	b[off + 10] ^= 0x20;
	assert_null(lvm_mda_text(b + 4096, n - 4096, &tl, err, sizeof(err)));
	assert_non_null(strstr(err, "checksum"));
	b[off + 10] ^= 0x20;
	/* Cut short: the text lies past what was read. */
	assert_null(lvm_mda_text(b + 4096, off - 4096 + 20, &tl, err, sizeof(err)));
	t = lvm_mda_text(b + 4096, n - 4096, &tl, err, sizeof(err));
	assert_non_null(t);
	/* Every prefix of the text: refused or parsed, never a crash (ASan). */
	for (size_t k = 0; k < tl; k += 7)
		(void)lvm_parse_text(t, k, vg, err, sizeof(err));
	assert_int_equal(lvm_parse_text(t, tl / 2, vg, err, sizeof(err)), -1);
	/* Unbalanced and hostile input. */
	assert_int_equal(lvm_parse_text("vg {", 4, vg, err, sizeof(err)), -1);
	assert_int_equal(lvm_parse_text("}", 1, vg, err, sizeof(err)), -1);
	assert_int_equal(lvm_parse_text("a{b{c{d{e{f{g{h{i{j{", 20, vg, err, sizeof(err)), -1);
	assert_int_equal(lvm_parse_text("vg { extent_size = [1, \"x", 25, vg, err, sizeof(err)), -1);
	free(t);
	free(vg);
	free(b);
}

static void test_dm_abi(void **state)
{
	(void)state;
	struct pm_dm_line lines[2] = { { 0, 16384, 2048, "252:2" }, { 16384, 8192, 26624, "252:2" } };
	static uint8_t buf[4096];
	size_t n;
	const struct dm_ioctl *io = (const void *)buf;
	const struct dm_target_spec *sp;

	assert_int_equal(sizeof(struct pm_dm_ioctl), sizeof(struct dm_ioctl));
	assert_int_equal(offsetof(struct pm_dm_ioctl, dev), offsetof(struct dm_ioctl, dev));
	assert_int_equal(offsetof(struct pm_dm_ioctl, name), offsetof(struct dm_ioctl, name));
	assert_int_equal(offsetof(struct pm_dm_ioctl, data), offsetof(struct dm_ioctl, data));
	assert_int_equal(sizeof(struct pm_dm_target_spec), sizeof(struct dm_target_spec));
	assert_int_equal(PM_DM_IOC(PM_DM_DEV_CREATE_CMD), DM_DEV_CREATE);
	assert_int_equal(PM_DM_IOC(PM_DM_DEV_REMOVE_CMD), DM_DEV_REMOVE);
	assert_int_equal(PM_DM_IOC(PM_DM_DEV_SUSPEND_CMD), DM_DEV_SUSPEND);
	assert_int_equal(PM_DM_IOC(PM_DM_TABLE_LOAD_CMD), DM_TABLE_LOAD);
	assert_int_equal(PM_DM_READONLY_FLAG, DM_READONLY_FLAG);
	/* The table as the kernel walks it (dm-ioctl.c next_target). */
	n = pm_dm_table_buf(buf, sizeof(buf), "vmtriage-rhel-root", lines, 2);
	assert_true(n > sizeof(*io));
	assert_int_equal(io->version[0], DM_VERSION_MAJOR);
	assert_int_equal(io->data_size, n);
	assert_int_equal(io->target_count, 2);
	assert_true(io->flags & DM_READONLY_FLAG);
	assert_string_equal(io->name, "vmtriage-rhel-root");
	sp = (const void *)(buf + io->data_start);
	assert_int_equal(sp->sector_start, 0);
	assert_int_equal(sp->length, 16384);
	assert_string_equal(sp->target_type, "linear");
	assert_string_equal((const char *)(sp + 1), "252:2 2048");
	assert_int_equal(sp->next % 8, 0);
	sp = (const void *)((const uint8_t *)sp + sp->next);
	assert_int_equal(sp->sector_start, 16384);
	assert_string_equal((const char *)(sp + 1), "252:2 26624");
	assert_true((const uint8_t *)sp + sp->next <= buf + n);
	/* Too small a buffer: refused, not overrun. */
	assert_int_equal(pm_dm_table_buf(buf, sizeof(struct dm_ioctl) + 50, "x", lines, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_and_tables),
		cmocka_unit_test(test_backup_text),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_dm_abi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
