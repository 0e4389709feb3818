/* Loading the post-mortem's modules: finit_module(2) on each .ko of pm.xz in
 * the order scripts/kernel wrote (no kmod, no depmod).
 *
 * Why modules in a second archive, not built in (kconfig/linux.config):
 * MEASURED_SIZES_HERE */
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
