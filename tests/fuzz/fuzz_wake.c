/* triage wake --load: a saved measurement file (hand-made or recorded
 * elsewhere), read back, summarised and judged as a live run would be. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "wake/wake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct wake_env env;
	struct wake_block *b = NULL;
	struct wake_verdict v;
	char err[512];
	int nb = 0;

	/* wake_load reads a path: the input goes to a memory file. */
	if (fd < 0) {
		fd = memfd_create("fuzz_wake", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (wake_load(path, &env, &b, &nb, err, sizeof(err)) == 0) {
		wake_judge(&env, b, nb, &v);
		for (int i = 0; i < nb; i++)
			wake_block_free(&b[i]);
		free(b);
	} else if (!err[0]) {
		abort();
	}
	return 0;
}
