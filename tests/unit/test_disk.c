/* Report disk: recognising vfat and ext4 by label and UUID from recorded
 * superblocks (made with mkfs.vfat and mkfs.ext4), and the atomic write. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/util.h"
#include "run/disk.h"

static void probe(const char *name, struct fsinfo *fi, int want)
{
	char path[256];
	size_t len;
	char *buf;

	snprintf(path, sizeof(path), "tests/unit/data/disk/%s", name);
	buf = read_file(path, 1 << 20, &len);
	assert_non_null(buf);
	assert_int_equal(fs_probe((unsigned char *)buf, len, fi), want);
	free(buf);
}

static void test_fat16(void **state)
{
	(void)state;
	struct fsinfo fi;

	probe("fat16-triage.bin", &fi, 0);
	assert_string_equal(fi.type, "vfat");
	assert_string_equal(fi.label, "TRIAGE");
	assert_string_equal(fi.uuid, "1234-ABCD");
	assert_true(fs_matches(&fi, "auto"));
	assert_true(fs_matches(&fi, "LABEL=triage"));
	assert_true(fs_matches(&fi, "UUID=1234-abcd"));
	assert_false(fs_matches(&fi, "LABEL=OTHER"));
}

static void test_fat32(void **state)
{
	(void)state;
	struct fsinfo fi;

	probe("fat32-other.bin", &fi, 0);
	assert_string_equal(fi.type, "vfat");
	assert_string_equal(fi.label, "OTHER");
	assert_string_equal(fi.uuid, "0BAD-F00D");
	assert_false(fs_matches(&fi, "auto"));
	assert_true(fs_matches(&fi, "LABEL=OTHER"));
}

static void test_ext4(void **state)
{
	(void)state;
	struct fsinfo fi;

	probe("ext4-triage.bin", &fi, 0);
	assert_string_equal(fi.type, "ext4");
	assert_string_equal(fi.label, "TRIAGE");
	assert_string_equal(fi.uuid, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
	assert_true(fs_matches(&fi, "auto"));
	assert_true(fs_matches(&fi, "UUID=0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0"));
}

static void test_not_a_filesystem(void **state)
{
	(void)state;
	struct fsinfo fi;
	unsigned char zeros[2048] = { 0 };
	char path[] = "tests/unit/data/disk/fat16-triage.bin";
	size_t len;
	unsigned char *buf;

	probe("random.bin", &fi, -1);
	assert_int_equal(fs_probe(zeros, sizeof(zeros), &fi), -1);
	/* A FAT boot sector that lost its signature, or is cut short. */
	buf = (unsigned char *)read_file(path, 4096, &len);
	assert_int_equal(fs_probe(buf, 300, &fi), -1);
	buf[510] = 0;
	assert_int_equal(fs_probe(buf, len, &fi), -1);
	free(buf);
}

static void test_atomic_write(void **state)
{
	(void)state;
	char dir[] = "/tmp/vmtriage-unit-XXXXXX", path[300];
	char *back;
	DIR *d;
	struct dirent *e;
	int n = 0;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(write_file_atomic(dir, "report.json", "{\"a\":1}", 7), 0);
	assert_int_equal(write_file_atomic(dir, "report.json", "{\"a\":2}", 7), 0);
	snprintf(path, sizeof(path), "%s/report.json", dir);
	back = read_file(path, 100, NULL);
	assert_string_equal(back, "{\"a\":2}");
	free(back);
	/* no temporary file left behind */
	d = opendir(dir);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 1);
	/* a folder that is not there: an error, not a crash */
	assert_int_equal(write_file_atomic("/nonexistent-vmtriage", "x", "y", 1), -1);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fat16),
		cmocka_unit_test(test_fat32),
		cmocka_unit_test(test_ext4),
		cmocka_unit_test(test_not_a_filesystem),
		cmocka_unit_test(test_atomic_write),
	};
	return cmocka_run_group_tests_name("disk", tests, NULL, NULL);
}
