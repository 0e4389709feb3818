/* The suspect system's disks: every block device that is not in use here,
 * not the boot medium and not the report disk, its filesystem recognised
 * from its superblock, set read-only (BLKROSET) before it is mounted
 * read-only without journal or log replay. */
#include "postmortem/disks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/cmdline.h"
#include "lib/util.h"
#include "postmortem/lvm.h"
#include "postmortem/lvmdm.h"

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void label_copy(char *dst, size_t size, const uint8_t *src, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && src[i] && k + 1 < size; i++)
		dst[k++] = (char)src[i];
	while (k && dst[k - 1] == ' ') /* FAT pads labels with spaces */
		k--;
	dst[k] = '\0';
}

const char *pm_probe_fs(const uint8_t *b, size_t len, char *label, size_t lsize)
{
	label[0] = '\0';
	/* LUKS1 and LUKS2 both start "LUKS\xba\xbe" (cryptsetup's on-disk format). */
	if (len >= 6 && !memcmp(b, "LUKS\xba\xbe", 6))
		return "luks";
	/* XFS: "XFSB" at 0, the label at 108 (xfs_format.h sb_fname). */
	if (len >= 120 && !memcmp(b, "XFSB", 4)) {
		label_copy(label, lsize, b + 108, 12);
		return "xfs";
	}
	/* LVM2: "LABELONE" in one of the first four sectors, type "LVM2 001". */
	for (size_t s = 0; s < 4 && (s + 1) * 512 <= len; s++)
		if (!memcmp(b + s * 512, "LABELONE", 8) && !memcmp(b + s * 512 + 24, "LVM2 001", 8))
			return "lvm2";
	/* ext2/3/4: magic 0xEF53 at 1024+56, the label at 1024+120. */
	if (len >= 1024 + 136 && le16(b + 1024 + 56) == 0xEF53) {
		label_copy(label, lsize, b + 1024 + 120, 16);
		return "ext4";
	}
	/* btrfs: "_BHRfS_M" at 64 KiB + 64, the label at 64 KiB + 299. */
	if (len >= 0x10000 + 299 + 256 && !memcmp(b + 0x10040, "_BHRfS_M", 8)) {
		label_copy(label, lsize, b + 0x10000 + 299, 256);
		return "btrfs";
	}
	/* ISO 9660: "CD001" at 32 KiB + 1: the boot medium (hybrid ISO on USB). */
	if (len >= 0x8006 && !memcmp(b + 0x8001, "CD001", 5))
		return "iso9660";
	/* FAT: the boot sector signature and the type string of FAT12/16 or FAT32. */
	if (len >= 512 && b[510] == 0x55 && b[511] == 0xaa) {
		if (!memcmp(b + 82, "FAT32", 5)) {
			label_copy(label, lsize, b + 71, 11);
			return "vfat";
		}
		if (!memcmp(b + 54, "FAT1", 4)) {
			label_copy(label, lsize, b + 43, 11);
			return "vfat";
		}
	}
	if (len >= 4096 && !memcmp(b + 4086, "SWAPSPACE2", 10))
		return "swap";
	return NULL;
}

/* major:minor of every mounted device (/proc/self/mountinfo, field 3). */
static bool devnum_mounted(const char *majmin)
{
	char *mi = read_file("/proc/self/mountinfo", 1 << 20, NULL), *line, *save = NULL;
	bool found = false;

	if (!mi)
		return true; /* cannot tell: treat as in use */
	for (line = strtok_r(mi, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		char f[3][64];

		if (sscanf(line, "%63s %63s %63s", f[0], f[1], f[2]) == 3 && !strcmp(f[2], majmin))
			found = true;
	}
	free(mi);
	return found;
}

static bool swap_on(const char *name)
{
	char *sw = read_file("/proc/swaps", 1 << 16, NULL), pat[80];
	bool on;

	if (!sw)
		return false;
	snprintf(pat, sizeof(pat), "/dev/%s ", name);
	on = strstr(sw, pat) != NULL;
	free(sw);
	return on;
}

static bool has_holders(const char *name)
{
	char p[300];
	DIR *d;
	struct dirent *de;
	bool any = false;

	snprintf(p, sizeof(p), "/sys/class/block/%s/holders", name);
	d = opendir(p);
	if (!d)
		return false;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			any = true;
	closedir(d);
	return any;
}

/* Is this device, or (for a disk) any of its partitions, in use here? */
static bool in_use(const char *name)
{
	char majmin[32];

	if (read_line_at(majmin, sizeof(majmin), "/sys/class/block/%s/dev", name) < 0)
		return true;
	return devnum_mounted(majmin) || swap_on(name) || has_holders(name);
}

static bool disk_busy(const char *disk)
{
	char p[300];
	DIR *d;
	struct dirent *de;
	size_t n = strlen(disk);
	bool busy = in_use(disk);

	snprintf(p, sizeof(p), "/sys/class/block/%s", disk);
	d = opendir(p);
	if (!d)
		return busy;
	while (!busy && (de = readdir(d)))
		if (!strncmp(de->d_name, disk, n) && de->d_name[n])
			busy = in_use(de->d_name);
	closedir(d);
	return busy;
}

/* The first bytes of /dev/name: enough for every superblock above. */
#define PROBE_BYTES (0x10000 + 4096)

static const char *probe_dev(const char *name, char *label, size_t lsize)
{
	char dev[300];
	uint8_t *buf = xmalloc(PROBE_BYTES);
	const char *t = NULL;
	ssize_t n;
	int fd;

	snprintf(dev, sizeof(dev), "/dev/%s", name);
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = pread(fd, buf, PROBE_BYTES, 0);
		if (n > 0)
			t = pm_probe_fs(buf, (size_t)n, label, lsize);
		close(fd);
	}
	free(buf);
	return t;
}

static bool skip_name(const char *n)
{
	static const char *const prefixes[] = { "loop", "ram", "zram", "sr", "fd", "nbd", "dm-", "md" };

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(n, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

void pm_report_target(const char *cmdline, char *label, size_t lsize, char *dev, size_t dsize)
{
	struct triage_cmdline cl;

	label[0] = dev[0] = '\0';
	if (!cmdline)
		return;
	cmdline_parse(cmdline, &cl);
	if (!strncasecmp(cl.report, "LABEL=", 6))
		strlcpy_(label, cl.report + 6, lsize);
	else if (!strncmp(cl.report, "/dev/", 5))
		strlcpy_(dev, cl.report + 5, dsize);
}

int pm_find_suspects(struct pm_disk *out, int max, const char *report_label)
{
	char *cmdline = read_file("/proc/cmdline", 1 << 16, NULL), xlabel[128], xdev[128];
	DIR *d = opendir("/sys/class/block");
	struct dirent *de;
	int n = 0;

	pm_report_target(cmdline, xlabel, sizeof(xlabel), xdev, sizeof(xdev));
	free(cmdline);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char p[300], parent[300], label[64], disk[64];
		const char *t, *slash;
		ssize_t l;
		struct pm_disk *s;

		if (de->d_name[0] == '.' || skip_name(de->d_name))
			continue;
		/* The disk a partition belongs to is its parent in sysfs. */
		snprintf(p, sizeof(p), "/sys/class/block/%s", de->d_name);
		l = readlink(p, parent, sizeof(parent) - 1);
		if (l <= 0)
			continue;
		parent[l] = '\0';
		strlcpy_(disk, de->d_name, sizeof(disk));
		snprintf(p, sizeof(p), "/sys/class/block/%s/partition", de->d_name);
		if (access(p, F_OK) == 0) {
			*strrchr(parent, '/') = '\0';
			slash = strrchr(parent, '/');
			strlcpy_(disk, slash ? slash + 1 : parent, sizeof(disk));
		}
		t = probe_dev(de->d_name, label, sizeof(label));
		if (!t)
			continue;
		s = &out[n];
		memset(s, 0, sizeof(*s));
		strlcpy_(s->name, de->d_name, sizeof(s->name));
		strlcpy_(s->disk, disk, sizeof(s->disk));
		strlcpy_(s->fstype, t, sizeof(s->fstype));
		strlcpy_(s->label, label, sizeof(s->label));
		if (!strcmp(t, "iso9660") || !strcasecmp(label, report_label) || (xlabel[0] && !strcasecmp(label, xlabel)) ||
		    (xdev[0] && (!strcmp(xdev, de->d_name) || !strcmp(xdev, disk))))
			continue; /* the boot medium, the report disk */
		/* A report disk named by UUID= is not recognised here: it is read
		 * like a suspect, and pm_unmount makes it writable again before the
		 * run writes its report. */
		{
			char dl[64];
			const char *dt = probe_dev(disk, dl, sizeof(dl));

			/* A partition of the hybrid ISO written to a stick (its TRIAGE one too). */
			if (dt && !strcmp(dt, "iso9660"))
				continue;
		}
		if (disk_busy(disk))
			continue;
		if (!strcmp(t, "luks")) {
			snprintf(s->note, sizeof(s->note), "LUKS-encrypted: left alone");
			s->skipped = true;
		} else if (!strcmp(t, "lvm2")) {
			snprintf(s->note, sizeof(s->note), "LVM physical volume: its logical volumes are not activated");
			s->skipped = true;
			s->pv = true;
		} else if (!strcmp(t, "swap")) {
			continue;
		}
		n++;
	}
	closedir(d);
	return n;
}

/* Clears the read-only flag again if it was ours to set. */
static void restore_rw(struct pm_disk *s)
{
	char dev[48];
	int zero = 0, fd;

	if (!s->was_rw)
		return;
	snprintf(dev, sizeof(dev), "/dev/%s", s->name);
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ioctl(fd, BLKROSET, &zero);
		close(fd);
	}
}

int pm_mount_ro(struct pm_disk *s, const char *mnt)
{
	char dev[48], optbuf[96];
	const char *opts = NULL;
	int fd, one = 1, ro = 0;

	snprintf(dev, sizeof(dev), "/dev/%s", s->name);
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(s->note, sizeof(s->note), "cannot open %s: %s", dev, strerror(errno));
		return -1;
	}
	/* The block device refuses writes before anything can mount it: even a
	 * filesystem driver that wanted to replay a journal could not. */
	if (ioctl(fd, BLKROGET, &ro) == 0 && !ro)
		s->was_rw = true;
	if (ioctl(fd, BLKROSET, &one) < 0 || ioctl(fd, BLKROGET, &ro) < 0 || !ro) {
		snprintf(s->note, sizeof(s->note), "cannot set %s read-only (%s): not mounted", dev, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	s->blkro = true;
	if (!strcmp(s->fstype, "ext4"))
		opts = "noload";		/* no journal replay */
	else if (!strcmp(s->fstype, "xfs"))
		opts = "norecovery";		/* no log recovery */
	else if (!strcmp(s->fstype, "btrfs"))
		opts = "rescue=nologreplay";	/* no log tree replay */
	if (s->mount_extra[0]) {
		snprintf(optbuf, sizeof(optbuf), "%s%s%s", opts ? opts : "", opts ? "," : "", s->mount_extra);
		opts = optbuf;
	}
	if (mkdir(mnt, 0700) < 0 && errno != EEXIST) {
		snprintf(s->note, sizeof(s->note), "cannot make %.100s: %s", mnt, strerror(errno));
		return -1;
	}
	if (mount(dev, mnt, s->fstype, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME, opts) < 0) {
		snprintf(s->note, sizeof(s->note), "mount %.40s (%s, ro%s%.60s) failed: %s%s", dev, s->fstype, opts ? "," : "",
			 opts ? opts : "", strerror(errno),
			 errno == ENODEV ? " (this kernel has no driver for it)" : "");
		rmdir(mnt);
		restore_rw(s);
		return -1;
	}
	strlcpy_(s->mnt, mnt, sizeof(s->mnt));
	return 0;
}

void pm_unmount(struct pm_disk *s)
{
	if (!s->mnt[0])
		return;
	if (umount2(s->mnt, 0) < 0)
		umount2(s->mnt, MNT_DETACH);
	rmdir(s->mnt);
	s->mnt[0] = '\0';
	/* Back as it was, once nothing is mounted from it: a disk we were wrong
	 * to take for a suspect (a report disk given by UUID) stays writable. */
	restore_rw(s);
}

/* ---- LVM: linear logical volumes as read-only device-mapper devices ---- */

/* The label, then the metadata area: at most this much is read. */
#define LVM_MDA_READ_MAX (4u << 20)

struct pv_read {
	int disk;		/* index in d[] */
	struct lvm_label label;
	struct lvm_vg *vg;	/* NULL if unreadable */
};

static struct lvm_vg *read_pv(const char *name, struct lvm_label *l, char *err, size_t esz)
{
	char dev[48];
	uint8_t head[LVM_LABEL_SCAN_SECTORS * LVM_SECTOR], *mda = NULL;
	struct lvm_vg *vg = NULL;
	size_t tl, want;
	ssize_t got;
	char *text = NULL;
	int fd;

	snprintf(dev, sizeof(dev), "/dev/%s", name);
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, esz, "cannot open %s: %s", dev, strerror(errno));
		return NULL;
	}
	got = pread(fd, head, sizeof(head), 0);
	if (got <= 0 || lvm_parse_label(head, (size_t)got, l, err, esz) < 0) {
		if (got <= 0)
			snprintf(err, esz, "cannot read %s", dev);
		goto out;
	}
	want = l->mda_size < LVM_MDA_READ_MAX ? (size_t)l->mda_size : LVM_MDA_READ_MAX;
	mda = xmalloc(want);
	got = pread(fd, mda, want, (off_t)l->mda_offset);
	if (got <= 0) {
		snprintf(err, esz, "cannot read the LVM metadata area of %s", dev);
		goto out;
	}
	text = lvm_mda_text(mda, (size_t)got, &tl, err, esz);
	if (!text)
		goto out;
	vg = xmalloc(sizeof(*vg));
	if (lvm_parse_text(text, tl, vg, err, esz) < 0) {
		free(vg);
		vg = NULL;
	}
out:
	free(text);
	free(mda);
	close(fd);
	return vg;
}

/* Sets a PV read-only before anything maps it (recorded for the restore). */
static void pv_readonly(struct pm_disk *s)
{
	char dev[48];
	int fd, one = 1, ro = 0;

	snprintf(dev, sizeof(dev), "/dev/%s", s->name);
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (ioctl(fd, BLKROGET, &ro) == 0 && !ro)
		s->was_rw = true;
	if (ioctl(fd, BLKROSET, &one) == 0 && ioctl(fd, BLKROGET, &ro) == 0 && ro)
		s->blkro = true;
	close(fd);
}

int pm_lvm_activate(struct pm_disk *d, int *n, int max)
{
	struct pv_read pvs[LVM_MAX_PVS];
	int npv = 0, made = 0, n0 = *n;

	for (int i = 0; i < n0 && npv < LVM_MAX_PVS; i++) {
		char err[160];

		if (!d[i].pv)
			continue;
		pv_readonly(&d[i]);
		pvs[npv].disk = i;
		pvs[npv].vg = read_pv(d[i].name, &pvs[npv].label, err, sizeof(err));
		if (!pvs[npv].vg)
			snprintf(d[i].note, sizeof(d[i].note), "LVM physical volume, not read: %.150s", err);
		else if (!d[i].blkro)
			snprintf(d[i].note, sizeof(d[i].note), "LVM physical volume: cannot set it read-only, "
				 "its logical volumes are not activated");
		npv++;
	}
	for (int a = 0; a < npv; a++) {
		struct lvm_vg *vg = pvs[a].vg;
		char done[200] = "";
		bool first = true;

		if (!vg || !d[pvs[a].disk].blkro)
			continue;
		/* Each VG once, from its newest copy among the PVs found. */
		for (int b = 0; b < npv; b++)
			if (b != a && pvs[b].vg && !strcmp(pvs[b].vg->name, vg->name) &&
			    (pvs[b].vg->seqno > vg->seqno || (pvs[b].vg->seqno == vg->seqno && b < a)))
				first = false;
		if (!first) {
			snprintf(d[pvs[a].disk].note, sizeof(d[pvs[a].disk].note),
				 "LVM physical volume of VG %.100s (read from another of its PVs)", vg->name);
			continue;
		}
		for (int l = 0; l < vg->nlvs && *n < max; l++) {
			const struct lvm_lv *lv = &vg->lvs[l];
			struct lvm_linear lin[LVM_MAX_SEGS];
			struct pm_dm_line lines[LVM_MAX_SEGS];
			struct pm_disk *s;
			char why[120] = "", devname[32], label[64], err[160];
			const char *t;
			int k;

			if (!lv->visible)
				continue; /* a pool's or a raid's own parts */
			s = &d[*n];
			memset(s, 0, sizeof(*s));
			snprintf(s->lv, sizeof(s->lv), "%.60s/%.90s", vg->name, lv->name);
			snprintf(s->name, sizeof(s->name), "%.31s", s->lv);
			strlcpy_(s->disk, d[pvs[a].disk].disk, sizeof(s->disk));
			strlcpy_(s->via, d[pvs[a].disk].name, sizeof(s->via));
			strlcpy_(s->fstype, "lvm-lv", sizeof(s->fstype));
			k = lvm_linear_table(vg, lv, lin, LVM_MAX_SEGS, why, sizeof(why));
			for (int i = 0; i < k; i++) {
				int p = -1;

				/* The PV a line maps onto: a device found with its uuid, read-only. */
				for (int b = 0; b < npv; b++)
					if (pvs[b].vg && lvm_pv_by_uuid(vg, pvs[b].label.pv_uuid) == lin[i].pv &&
					    d[pvs[b].disk].blkro)
						p = b;
				if (p < 0 || read_line_at(lines[i].dev, sizeof(lines[i].dev), "/sys/class/block/%s/dev",
							  d[pvs[p].disk].name) < 0) {
					snprintf(why, sizeof(why), "its physical volume %.60s is not here",
						 vg->pvs[lin[i].pv].name);
					k = -1;
					break;
				}
				lines[i].start = lin[i].start;
				lines[i].length = lin[i].length;
				lines[i].offset = lin[i].offset;
			}
			if (k < 0) {
				s->skipped = true;
				snprintf(s->note, sizeof(s->note), "LVM logical volume not activated: %.150s", why);
				(*n)++;
				continue;
			}
			snprintf(s->dmname, sizeof(s->dmname), "vmtriage-%.50s-%.60s", vg->name, lv->name);
			if (pm_dm_create_linear(s->dmname, lines, k, devname, sizeof(devname), err, sizeof(err)) < 0) {
				s->skipped = true;
				snprintf(s->note, sizeof(s->note), "LVM logical volume not activated: %.150s", err);
				(*n)++;
				continue;
			}
			made++;
			s->dm = true;
			s->blkro = true; /* DM_READONLY_FLAG */
			strlcpy_(s->name, devname, sizeof(s->name));
			str_append(done, sizeof(done), ", ", "%s (%s)", lv->name, devname);
			t = probe_dev(devname, label, sizeof(label));
			strlcpy_(s->fstype, t ? t : "unknown", sizeof(s->fstype));
			strlcpy_(s->label, label, sizeof(s->label));
			if (!t || !strcmp(t, "swap")) {
				/* Nothing to read on it: removed at once, not listed. */
				pm_dm_remove(s->dmname);
				continue;
			}
			(*n)++;
		}
		snprintf(d[pvs[a].disk].note, sizeof(d[pvs[a].disk].note),
			 "LVM PV of VG %.40s, linear LVs mapped read-only: %.100s", vg->name,
			 done[0] ? done : "none");
	}
	for (int a = 0; a < npv; a++)
		free(pvs[a].vg);
	return made;
}

void pm_lvm_deactivate(struct pm_disk *d, int n)
{
	for (int i = 0; i < n; i++)
		if (d[i].dm && !d[i].mnt[0]) {
			pm_dm_remove(d[i].dmname);
			d[i].dm = false;
		}
	for (int i = 0; i < n; i++)
		if (d[i].pv)
			restore_rw(&d[i]);
}

/* include/uapi/linux/magic.h (musl ships no kernel headers). */
#define PM_RAMFS_MAGIC 0x858458f6u
#define PM_TMPFS_MAGIC 0x01021994u

bool pm_volatile_root(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && ((unsigned long)sf.f_type == PM_RAMFS_MAGIC || (unsigned long)sf.f_type == PM_TMPFS_MAGIC);
}
