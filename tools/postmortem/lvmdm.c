/* device-mapper ioctls for the post-mortem's LVM volumes (the sequence
 * dmsetup uses: create, load, resume; remove when done). */
#include "postmortem/lvmdm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define DM_CONTROL "/dev/mapper/control"
#define DM_CONTROL_MAJOR 10	/* misc */
#define DM_CONTROL_MINOR 236	/* MAPPER_CTRL_MINOR, include/linux/miscdevice.h */
#define DM_BUF 16384

static void header(struct pm_dm_ioctl *io, size_t size, const char *name)
{
	memset(io, 0, sizeof(*io));
	io->version[0] = 4; /* DM_VERSION_MAJOR: any 4.x kernel takes it */
	io->data_size = (uint32_t)size;
	io->data_start = sizeof(*io);
	snprintf(io->name, sizeof(io->name), "%s", name);
}

size_t pm_dm_table_buf(void *buf, size_t size, const char *name, const struct pm_dm_line *lines, int n)
{
	struct pm_dm_ioctl *io = buf;
	size_t off = sizeof(*io);

	if (size < off)
		return 0;
	memset(buf, 0, size);
	for (int i = 0; i < n; i++) {
		struct pm_dm_target_spec *sp = (struct pm_dm_target_spec *)((char *)buf + off);
		char *params = (char *)(sp + 1);
		size_t room, len;

		if (off + sizeof(*sp) > size)
			return 0;
		room = size - off - sizeof(*sp);
		len = (size_t)snprintf(params, room, "%s %llu", lines[i].dev, (unsigned long long)lines[i].offset);
		if (len + 1 > room)
			return 0;
		sp->sector_start = lines[i].start;
		sp->length = lines[i].length;
		snprintf(sp->target_type, sizeof(sp->target_type), "linear");
		/* next: from this spec to the next one, 8-byte aligned. */
		sp->next = (uint32_t)((sizeof(*sp) + len + 1 + 7) & ~(size_t)7);
		off += sp->next;
	}
	if (off > size)
		return 0;
	header(io, off, name);
	io->target_count = (uint32_t)n;
	io->flags = PM_DM_READONLY_FLAG;
	return off;
}

static int control(void)
{
	int fd = open(DM_CONTROL, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		/* devtmpfs makes it when dm-mod registers; made here if not. */
		mkdir("/dev/mapper", 0755);
		mknod(DM_CONTROL, S_IFCHR | 0600, makedev(DM_CONTROL_MAJOR, DM_CONTROL_MINOR));
		fd = open(DM_CONTROL, O_RDWR | O_CLOEXEC);
	}
	return fd;
}

int pm_dm_remove(const char *name)
{
	struct pm_dm_ioctl io;
	int fd = control(), rc;

	if (fd < 0)
		return -1;
	header(&io, sizeof(io), name);
	rc = ioctl(fd, PM_DM_IOC(PM_DM_DEV_REMOVE_CMD), &io);
	close(fd);
	return rc < 0 ? -1 : 0;
}

int pm_dm_create_linear(const char *name, const struct pm_dm_line *lines, int n, char *devname, size_t dsize,
			char *err, size_t esz)
{
	struct pm_dm_ioctl io;
	char *buf;
	size_t len;
	int fd = control();

	if (fd < 0) {
		snprintf(err, esz, "no device-mapper (%s: %s)", DM_CONTROL, strerror(errno));
		return -1;
	}
	header(&io, sizeof(io), name);
	if (ioctl(fd, PM_DM_IOC(PM_DM_DEV_CREATE_CMD), &io) < 0) {
		snprintf(err, esz, "DM_DEV_CREATE %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	snprintf(devname, dsize, "dm-%u", minor((dev_t)io.dev));
	buf = malloc(DM_BUF);
	len = buf ? pm_dm_table_buf(buf, DM_BUF, name, lines, n) : 0;
	if (!len || ioctl(fd, PM_DM_IOC(PM_DM_TABLE_LOAD_CMD), buf) < 0) {
		snprintf(err, esz, "DM_TABLE_LOAD %s: %s", name, len ? strerror(errno) : "table too large");
		goto fail;
	}
	header(&io, sizeof(io), name);
	if (ioctl(fd, PM_DM_IOC(PM_DM_DEV_SUSPEND_CMD), &io) < 0) {
		snprintf(err, esz, "DM_DEV_SUSPEND (resume) %s: %s", name, strerror(errno));
		goto fail;
	}
	free(buf);
	close(fd);
	return 0;
fail:
	free(buf);
	header(&io, sizeof(io), name);
	ioctl(fd, PM_DM_IOC(PM_DM_DEV_REMOVE_CMD), &io);
	close(fd);
	return -1;
}
