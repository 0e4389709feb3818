/* Loading the post-mortem's modules: finit_module(2) on each .ko of pm.xz in
 * the order scripts/kernel wrote (no kmod, no depmod).
 *
 * Why modules in a second archive, not built in (kconfig/linux.config).
 * Measured on the 6.1 kernel of this tree (bzImage bytes; scripts/sizes):
 *   no modules support, no XFS/btrfs/DM        2843648 B  2777 KiB
 *   CONFIG_MODULES=y, XFS, btrfs, DM as =m     2921472 B  2853 KiB (+76 KiB:
 *     the module loader and export tables)
 *   the same with XFS, btrfs, DM =y             3863552 B  3773 KiB (+920 KiB)
 *   the 17 modules (xfs, btrfs, dm-mod, libcrc32c, raid6_pq, xor, zstd, lzo,
 *     zlib_deflate, xxhash, blake2b, sha256), --strip-debug: 4.96 MB, as
 *     pm.xz (cpio, xz -9 --x86 like initrd.xz)  1166 KiB
 *   initrd.xz                                   1252 KiB
 * Built in: about 2777 + 920 + 1252 = 4949 KiB of kernel and initramfs on
 * every boot, past the 4096 KiB budget. As modules: 4105 KiB always, and
 * pm.xz only on the entries that run the post-mortem, its modules inserted
 * only when a suspect disk is XFS, btrfs or LVM. */
#include "postmortem/modules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/util.h"

int pm_load_modules(const char *dir, char *note, size_t nsize)
{
	char path[300], *order, *line, *save = NULL;
	int loaded = 0;

	note[0] = '\0';
	snprintf(path, sizeof(path), "%s/order", dir);
	order = read_file(path, 1 << 16, NULL);
	if (!order)
		return -1;
	for (line = strtok_r(order, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int fd;
		long rc;

		if (!line[0] || strchr(line, '/'))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, line);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			str_append(note, nsize, "; ", "%s: %s", line, strerror(errno));
			continue;
		}
		rc = syscall(SYS_finit_module, fd, "", 0);
		if (rc == 0 || errno == EEXIST)
			loaded++;
		else
			str_append(note, nsize, "; ", "%s: %s", line, strerror(errno));
		close(fd);
	}
	free(order);
	return loaded;
}
