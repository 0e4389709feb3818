/* Loading the post-mortem's modules: finit_module(2) on each .ko of pm.xz in
 * the order scripts/kernel wrote (no kmod, no depmod).
 *
 * Why modules in a second archive, not built in (kconfig/linux.config).
 * Measured on the 6.1 kernel of this tree (scripts/sizes, size(1)):
 *   bzImage without modules support                 2777 KiB
 *   bzImage with CONFIG_MODULES=y (XFS, btrfs, DM =m) 2853 KiB (+76: loader,
 *     export tables)
 *   the 17 modules (xfs, btrfs, dm-mod, libcrc32c, raid6_pq, xor, zstd,
 *     lzo, zlib_deflate, xxhash, blake2b, sha256), --strip-debug: 4.96 MB;
 *     text+data 2.55 MB (xfs 0.72, btrfs 1.20, dm-mod 0.10, libraries 0.53)
 *   pm.xz, those modules as an xz initramfs        1166 KiB
 *   built in instead: text+data x the bzImage's own ratio (2921472 B of
 *     bzImage for 13.4 MB of vmlinux text+data) = about 545 KiB more bzImage
 *   initrd.xz                                       1252 KiB
 * Built in: 2777 + 545 + 1252 = about 4574 KiB of kernel and initramfs, past
 * the 4096 KiB budget on every boot. As modules: 4105 KiB always (76 KiB of
 * module support), and pm.xz only on the entries that run the post-mortem,
 * its modules inserted only when a suspect disk is XFS, btrfs or LVM. */
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
