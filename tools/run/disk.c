#include "run/disk.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* Copies a fixed-width, space- or NUL-padded label and trims it. */
static void copy_label(char *dst, size_t size, const unsigned char *src, size_t n)
{
	size_t len = n < size - 1 ? n : size - 1;

	memcpy(dst, src, len);
	dst[len] = '\0';
	dst[strcspn(dst, "\0")] = '\0';
	while (len && (dst[len - 1] == ' ' || dst[len - 1] == '\0'))
		dst[--len] = '\0';
}

/* FAT boot sector layout: Microsoft's FAT specification (fatgen103), BPB at
 * offset 11; the extended BPB sits at 36 (FAT12/16) or 64 (FAT32). */
static int probe_fat(const unsigned char *b, size_t len, struct fsinfo *fi)
{
	unsigned bps, spc;
	const unsigned char *ext;

	if (len < 512 || b[510] != 0x55 || b[511] != 0xaa)
		return -1;
	bps = le16(b + 11);
	spc = b[13];
	if (bps < 512 || bps > 4096 || (bps & (bps - 1)) || spc == 0 || (spc & (spc - 1)) || b[16] == 0)
		return -1;
	ext = le16(b + 22) == 0 ? b + 64 : b + 36; /* FAT32 keeps sectors-per-FAT at 36 */
	if (ext[2] != 0x29 || memcmp(ext + 18, "FAT", 3) != 0)
		return -1;
	strcpy(fi->type, "vfat");
	copy_label(fi->label, sizeof(fi->label), ext + 7, 11);
	if (strcmp(fi->label, "NO NAME") == 0)
		fi->label[0] = '\0';
	uint32_t id = le32(ext + 3);
	snprintf(fi->uuid, sizeof(fi->uuid), "%04X-%04X", id >> 16, id & 0xffff);
	return 0;
}

/* ext2/3/4 superblock at byte 1024: magic 0xEF53 at 0x38, UUID at 0x68,
 * volume name at 0x78 (Documentation/filesystems/ext4/super.rst). */
static int probe_ext(const unsigned char *b, size_t len, struct fsinfo *fi)
{
	const unsigned char *sb = b + 1024, *u;

	if (len < 1024 + 0x88 || le16(sb + 0x38) != 0xef53)
		return -1;
	strcpy(fi->type, "ext4");
	copy_label(fi->label, sizeof(fi->label), sb + 0x78, 16);
	u = sb + 0x68;
	snprintf(fi->uuid, sizeof(fi->uuid),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	return 0;
}

int fs_probe(const unsigned char *buf, size_t len, struct fsinfo *fi)
{
	memset(fi, 0, sizeof(*fi));
	if (probe_fat(buf, len, fi) == 0 || probe_ext(buf, len, fi) == 0)
		return 0;
	memset(fi, 0, sizeof(*fi));
	return -1;
}

bool fs_matches(const struct fsinfo *fi, const char *target)
{
	if (strcmp(target, "auto") == 0)
		return strcasecmp(fi->label, REPORT_LABEL) == 0;
	if (strncmp(target, "LABEL=", 6) == 0)
		return strcasecmp(fi->label, target + 6) == 0;
	if (strncmp(target, "UUID=", 5) == 0)
		return strcasecmp(fi->uuid, target + 5) == 0;
	return false;
}

static int probe_dev(const char *dev, struct fsinfo *fi)
{
	unsigned char buf[2048];
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	return n > 0 ? fs_probe(buf, (size_t)n, fi) : -1;
}

static bool dev_read_only(const char *name)
{
	long long ro = 0;

	return read_ll_at(&ro, "/sys/class/block/%s/ro", name) == 0 && ro != 0;
}

int report_disk_find(const char *target, struct report_disk *d, char *why, size_t whylen)
{
	struct report_disk ro_match;
	bool have_ro = false;
	DIR *dir;
	struct dirent *e;

	memset(d, 0, sizeof(*d));
	if (strncmp(target, "/dev/", 5) == 0) {
		strlcpy_(d->dev, target, sizeof(d->dev));
		if (probe_dev(d->dev, &d->fs) < 0) {
			snprintf(why, whylen, "%s is %s", target,
				 access(target, F_OK) == 0 ? "not a vfat or ext4 filesystem (vmtriage never formats a disk)" : "not present");
			return -1;
		}
		d->read_only = dev_read_only(target + 5);
		return 0;
	}
	dir = opendir("/sys/class/block");
	if (!dir) {
		snprintf(why, whylen, "cannot list block devices: %s", strerror(errno));
		return -1;
	}
	while ((e = readdir(dir))) {
		struct report_disk c = { 0 };
		long long size = 0;

		if (e->d_name[0] == '.' || !strncmp(e->d_name, "loop", 4) || !strncmp(e->d_name, "ram", 3))
			continue;
		if (read_ll_at(&size, "/sys/class/block/%s/size", e->d_name) < 0 || size == 0)
			continue;
		snprintf(c.dev, sizeof(c.dev), "/dev/%.58s", e->d_name);
		if (probe_dev(c.dev, &c.fs) < 0 || !fs_matches(&c.fs, target))
			continue;
		c.read_only = dev_read_only(e->d_name);
		if (!c.read_only) {
			*d = c;
			closedir(dir);
			return 0;
		}
		if (!have_ro) {
			ro_match = c;
			have_ro = true;
		}
	}
	closedir(dir);
	if (have_ro) {
		*d = ro_match;
		return 0;
	}
	if (strcmp(target, "auto") == 0)
		snprintf(why, whylen, "no filesystem labelled %s found", REPORT_LABEL);
	else
		snprintf(why, whylen, "no filesystem matching %s found", target);
	return -1;
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	/* Some filesystems cannot fsync a directory; the rename is still ordered. */
	if (r < 0 && errno == EINVAL)
		r = 0;
	close(fd);
	return r;
}

static int write_all_fd(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

int write_file_atomic(const char *dir, const char *name, const char *data, size_t len)
{
	char tmp[512], dst[512];
	int fd, e;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write_all_fd(fd, data, len) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, dst) < 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return fsync_path(dir);
}

static int write_file_synced(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), e;

	if (fd < 0)
		return -1;
	if (write_all_fd(fd, data, len) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

static const char *errno_sentence(int e)
{
	switch (e) {
	case EROFS: return "the disk is read-only";
	case ENOSPC: return "the disk is full";
	case EDQUOT: return "the disk quota is exhausted";
	case EIO: return "an I/O error (a failing disk?)";
	default: return strerror(e);
	}
}

int report_disk_write(const struct report_disk *d, const char *mnt, const char *dirname,
		      const struct report_file *files, int nfiles, char *why, size_t whylen)
{
	char top[512], tmp[600], final[600], path[700];
	int i, e;

	if (d->read_only) {
		snprintf(why, whylen, "%s (%s, label %s) is read-only", d->dev, d->fs.type, d->fs.label);
		return -1;
	}
	if (mkdir(mnt, 0700) < 0 && errno != EEXIST) {
		snprintf(why, whylen, "cannot create %s: %s", mnt, strerror(errno));
		return -1;
	}
	if (mount(d->dev, mnt, d->fs.type, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME, NULL) < 0) {
		e = errno;
		snprintf(why, whylen, "cannot mount %s (%s): %s", d->dev, d->fs.type,
			 e == EINVAL || e == EUCLEAN ? "the filesystem is damaged or not what its superblock says"
						      : errno_sentence(e));
		return -1;
	}
	snprintf(top, sizeof(top), "%s/vmtriage", mnt);
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", top, dirname);
	snprintf(final, sizeof(final), "%s/%s", top, dirname);
	if (mkdir(top, 0755) < 0 && errno != EEXIST)
		goto fail;
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		goto fail;
	for (i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, files[i].name);
		if (write_file_synced(path, files[i].data, files[i].len) < 0)
			goto fail;
	}
	if (fsync_path(tmp) < 0 || rename(tmp, final) < 0 || fsync_path(top) < 0)
		goto fail;
	sync();
	if (umount(mnt) < 0) {
		snprintf(why, whylen, "written, but unmounting %s failed: %s", d->dev, strerror(errno));
		return 0;
	}
	return 0;
fail:
	e = errno;
	/* Leave no half-written folder behind; a reader ignores .tmp-* anyway. */
	for (i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, files[i].name);
		unlink(path);
	}
	rmdir(tmp);
	sync();
	umount(mnt);
	snprintf(why, whylen, "writing to %s (%s, label %s) failed: %s", d->dev, d->fs.type, d->fs.label, errno_sentence(e));
	return -1;
}
