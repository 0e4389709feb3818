/* Read-only device-mapper devices for LVM's linear logical volumes, made
 * with the kernel's ioctls on /dev/mapper/control (no libdevmapper). */
#ifndef VMTRIAGE_PM_LVMDM_H
#define VMTRIAGE_PM_LVMDM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

/* The dm ioctl ABI (linux/dm-ioctl.h, version 4), spelled out because the
 * image's musl build has no kernel headers; test_lvm checks it against them. */
struct pm_dm_ioctl {
	uint32_t version[3];
	uint32_t data_size;
	uint32_t data_start;
	uint32_t target_count;
	int32_t open_count;
	uint32_t flags;
	uint32_t event_nr;
	uint32_t padding;
	uint64_t dev;
	char name[128];
	char uuid[129];
	char data[7];
};

struct pm_dm_target_spec {
	uint64_t sector_start;
	uint64_t length;
	int32_t status;
	uint32_t next;
	char target_type[16];
};

#define PM_DM_IOCTL_TYPE 0xfd
#define PM_DM_VERSION_CMD 0
#define PM_DM_DEV_CREATE_CMD 3
#define PM_DM_DEV_REMOVE_CMD 4
#define PM_DM_DEV_SUSPEND_CMD 6
#define PM_DM_TABLE_LOAD_CMD 9
#define PM_DM_READONLY_FLAG (1u << 0)
#define PM_DM_IOC(cmd) _IOWR(PM_DM_IOCTL_TYPE, cmd, struct pm_dm_ioctl)

/* One target line's device: "major:minor" of a PV's block device. */
struct pm_dm_line {
	uint64_t start, length, offset;
	char dev[24];
};

/* Builds the DM_TABLE_LOAD buffer for name: n linear targets. Returns its
 * size (at most size), or 0 if it does not fit. Pure: tested on the host. */
size_t pm_dm_table_buf(void *buf, size_t size, const char *name, const struct pm_dm_line *lines, int n);

/* Creates name as a read-only linear device: DM_DEV_CREATE, DM_TABLE_LOAD
 * with DM_READONLY_FLAG (the PVs are opened read-only), DM_DEV_SUSPEND
 * without the suspend flag (resume: the table goes live). Fills devname
 * ("dm-3"). 0, or -1 with err; a half-made device is removed again. */
int pm_dm_create_linear(const char *name, const struct pm_dm_line *lines, int n, char *devname, size_t dsize,
			char *err, size_t esz);

/* DM_DEV_REMOVE. */
int pm_dm_remove(const char *name);

#endif
