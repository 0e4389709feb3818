/* What the kernel says about memory: /proc/meminfo and /proc/vmstat
 * (parsed by lib/procfs), /proc/pressure/memory (lib/procfs too), and the virtio-balloon
 * device in sysfs. */
#include "mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

/* The floor: 64 MiB keeps a small guest's init, shell and page tables
 * alive; 5% is the scale of the kernel's own watermarks plus slack on a
 * big one (min_free_kbytes is about 0.4-1% of RAM, and kswapd's high
 * watermark a few times that). */
#define RESERVE_MIN_KIB (64 * 1024)
#define RESERVE_PERCENT 5

int64_t mem_reserve_kib(int64_t memtotal_kib)
{
	/* Divided first: MemTotal from the file may be anything. */
	int64_t share = memtotal_kib / 100 * RESERVE_PERCENT + memtotal_kib % 100 * RESERVE_PERCENT / 100;

	return share > RESERVE_MIN_KIB ? share : RESERVE_MIN_KIB;
}

void mem_procfd_open(struct procfd *p)
{
	p->meminfo = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	p->vmstat = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	p->psi = open("/proc/pressure/memory", O_RDONLY | O_CLOEXEC);
}

void mem_procfd_close(struct procfd *p)
{
	if (p->meminfo >= 0)
		close(p->meminfo);
	if (p->vmstat >= 0)
		close(p->vmstat);
	if (p->psi >= 0)
		close(p->psi);
	p->meminfo = p->vmstat = p->psi = -1;
}

/* /proc/vmstat is about 5 KiB on 6.x kernels; room to grow. */
#define PROC_BUF 16384

int mem_read_meminfo(const struct procfd *p, struct meminfo *mi)
{
	char buf[PROC_BUF];

	return procfs_pread(p->meminfo, buf, sizeof(buf)) < 0 ? -1 : meminfo_parse(buf, mi);
}

int mem_read_vmstat(const struct procfd *p, struct vmstat *vs)
{
	char buf[PROC_BUF];

	return procfs_pread(p->vmstat, buf, sizeof(buf)) < 0 ? -1 : vmstat_parse(buf, vs);
}

int mem_read_psi(const struct procfd *p, struct psi *ps)
{
	char buf[512];

	/* Reading fails with EOPNOTSUPP when the kernel has PSI but it was
	 * turned off (psi=0): treated as absent. */
	return procfs_pread(p->psi, buf, sizeof(buf)) < 0 ? -1 : psi_parse(buf, ps);
}

/* Feature bits of the balloon device: include/uapi/linux/virtio_balloon.h
 * (device bits) and virtio_config.h (transport bits). */
static const char *const balloon_feature_names[MEM_BALLOON_FEATURES] = {
	[0] = "must_tell_host",
	[1] = "stats_vq",
	[2] = "deflate_on_oom",
	[3] = "free_page_hint",
	[4] = "page_poison",
	[5] = "page_reporting",
	[28] = "indirect_desc",
	[29] = "event_idx",
	[32] = "version_1",
	[33] = "access_platform",
	[34] = "ring_packed",
	[35] = "in_order",
	[36] = "order_platform",
	[37] = "sr_iov",
	[38] = "notification_data",
	[39] = "notif_config_data",
	[40] = "ring_reset",
};

const char *mem_balloon_feature_name(int bit)
{
	return bit >= 0 && bit < MEM_BALLOON_FEATURES ? balloon_feature_names[bit] : NULL;
}

/* virtio device id of the memory balloon (virtio spec 1.2, 5 "Device Types"). */
#define VIRTIO_ID_BALLOON 5

int mem_find_balloon(const char *root, struct balloon_dev *b)
{
	char path[512], buf[256];
	struct dirent *de;
	DIR *d;

	memset(b, 0, sizeof(*b));
	snprintf(path, sizeof(path), "%s/devices", root);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		long long id;

		if (de->d_name[0] == '.')
			continue;
		if (read_line_at(buf, sizeof(buf), "%s/devices/%s/device", root, de->d_name) < 0)
			continue;
		id = strtoll(buf, NULL, 0);
		if (id != VIRTIO_ID_BALLOON)
			continue;
		b->present = true;
		strlcpy_(b->name, de->d_name, sizeof(b->name));
		/* Bound: the driver folder links the device. */
		snprintf(path, sizeof(path), "%s/drivers/virtio_balloon/%s", root, de->d_name);
		b->bound = access(path, F_OK) == 0;
		if (read_line_at(buf, sizeof(buf), "%s/devices/%s/features", root, de->d_name) == 0) {
			strlcpy_(b->features, buf, sizeof(b->features));
			b->stats_vq = strlen(buf) > 1 && buf[1] == '1';
			b->deflate_on_oom = strlen(buf) > 2 && buf[2] == '1';
			b->free_page_hint = strlen(buf) > 3 && buf[3] == '1';
			b->reporting = strlen(buf) > 5 && buf[5] == '1';
		}
		break;
	}
	closedir(d);
	return 0;
}

int64_t mem_memmap_ram_kib(const char *root)
{
	char buf[64];
	int64_t kib = 0;
	bool any = false;

	/* Entries are numbered from 0 without gaps (drivers/firmware/memmap.c). */
	for (int i = 0; i < 4096; i++) {
		unsigned long long start, end;

		if (read_line_at(buf, sizeof(buf), "%s/%d/type", root, i) < 0)
			break;
		if (strcmp(buf, "System RAM") != 0)
			continue;
		if (read_line_at(buf, sizeof(buf), "%s/%d/start", root, i) < 0 || sscanf(buf, "%llx", &start) != 1 ||
		    read_line_at(buf, sizeof(buf), "%s/%d/end", root, i) < 0 || sscanf(buf, "%llx", &end) != 1 ||
		    end < start)
			continue;
		kib += (int64_t)((end - start + 1) / 1024);
		any = true;
	}
	return any ? kib : -1;
}

int64_t mem_given_kib(int64_t memmap_kib, int64_t memtotal_kib, int64_t balloon_kib, bool deflate_on_oom)
{
	if (memmap_kib > 0)
		return memmap_kib;
	/* Without deflate-on-oom the balloon's pages leave MemTotal. */
	return deflate_on_oom ? memtotal_kib : memtotal_kib + balloon_kib;
}
