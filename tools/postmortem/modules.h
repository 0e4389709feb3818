/* The post-mortem's kernel modules (XFS, btrfs, device-mapper), loaded only
 * when there are disks to read. */
#ifndef VMTRIAGE_PM_MODULES_H
#define VMTRIAGE_PM_MODULES_H

#include <stddef.h>

/* Where pm.xz, the image's second archive, puts them: the .ko files and
 * `order`, one file name a line, dependencies first (scripts/kernel). */
#define PM_MODULES_DIR "/lib/modules/postmortem"

/* Loads every module named in dir/order with finit_module (one already
 * loaded counts as loaded). Returns how many are loaded, or -1 when there
 * is no such archive (not this image); note says what failed. */
int pm_load_modules(const char *dir, char *note, size_t nsize);

#endif
