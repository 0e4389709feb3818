/* The suspect system's disks, found and mounted strictly read-only. */
#ifndef VMTRIAGE_PM_DISKS_H
#define VMTRIAGE_PM_DISKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pm_disk {
	char name[32];		/* vdb1 */
	char disk[32];		/* vdb */
	char fstype[16];	/* ext4, xfs, btrfs, vfat, luks, lvm2 */
	char label[64];
	char mnt[128];		/* where it is mounted now, or "" */
	bool skipped;		/* in use here, LUKS, LVM: not mounted */
	bool blkro;		/* BLKROSET was set */
	bool was_rw;		/* ...by us: cleared again after unmounting */
	bool logs;		/* logs were found on it */
	bool pv;		/* an LVM physical volume */
	bool dm;		/* a device-mapper device we made (an LV): removed after */
	char lv[160];		/* "vg/lv" for an LV */
	char via[32];		/* an LV's (first) PV: vdb2 */
	char dmname[128];	/* its device-mapper name */
	char mount_extra[32];	/* more mount options ("subvolid=5") */
	char note[200];
};

/* Recognises a filesystem or container from the first bytes of a device
 * (at least 68 KiB for btrfs): "ext4", "xfs", "btrfs", "vfat", "luks",
 * "lvm2", "iso9660", "swap", or NULL. Fills label when it has one. */
const char *pm_probe_fs(const uint8_t *buf, size_t len, char *label, size_t lsize);

/* Every block device with a filesystem that is neither the boot medium nor
 * labelled report_label nor on a disk in use on this system (anything of it
 * mounted, swap, held by device-mapper: a live system's own disks are never
 * touched). LUKS and LVM ones are listed as skipped. Returns how many. */
int pm_find_suspects(struct pm_disk *out, int max, const char *report_label);

/* Whether path is on a RAM filesystem (ramfs, tmpfs): "/" there is a live
 * or rescue image (this one, booted from the ISO), whose own logs and
 * programs are no suspect system's. */
bool pm_volatile_root(const char *path);

/* What the post-mortem says when the image found no suspect disk: how to
 * attach one, in Proxmox VE's words. */
#define PM_NO_SUSPECT \
	"no suspect disk found: nothing to read but this rescue image. Attach the crashed VM's disk and boot " \
	"again: in Proxmox VE, stop the crashed VM, select its disk under Hardware, Disk Action > Reassign " \
	"Owner, Target Guest: this VM (or on the node: qm disk move CRASHED-ID DISK --target-vmid THIS-ID); " \
	"then restart this VM"

/* The report target the run was given (triage.report= on the kernel command
 * line: LABEL=x, /dev/x, UUID=x) is never a suspect either: a read-only flag
 * on it would stop the run writing its report. exclude_label and
 * exclude_dev are filled from it ("" when absent). */
void pm_report_target(const char *cmdline, char *exclude_label, size_t lsize, char *exclude_dev, size_t dsize);

/* BLKROSET on the device, then a read-only mount without journal or log
 * replay on mnt. Returns 0, or -1 with s->note saying why. */
int pm_mount_ro(struct pm_disk *s, const char *mnt);
void pm_unmount(struct pm_disk *s);

/* LVM without lvm2: for every PV among d[0..*n) (set read-only first), its
 * VG's metadata (the newest copy among its PVs), and for every visible LV
 * whose segments are all linear, a read-only device-mapper device, appended
 * to d as a suspect (swap ones are not). Other LVs (striped, thin, raid, a
 * PV missing) are appended as skipped with the reason. The PV's note says
 * what became of it. Returns how many devices were made. */
int pm_lvm_activate(struct pm_disk *d, int *n, int max);

/* Removes the devices pm_lvm_activate made; the PVs writable again if
 * they were before. */
void pm_lvm_deactivate(struct pm_disk *d, int n);

#endif
