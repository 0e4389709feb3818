/* The report disk's superblock probes (FAT and ext2/3/4 labels and UUIDs,
 * read from a block device nobody vouches for), and the match against a
 * triage.report= target. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "run/disk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const targets[] = { "auto", "LABEL=TRIAGE", "UUID=1234-ABCD", "/dev/sda1", "none" };
	/* the probes get a buffer of exactly the bytes read */
	unsigned char *buf = malloc(size ? size : 1);
	struct fsinfo fi;

	memcpy(buf, data, size);
	memset(&fi, 0, sizeof(fi));
	if (fs_probe(buf, size, &fi) == 0) {
		if (!memchr(fi.label, 0, sizeof(fi.label)) || !memchr(fi.uuid, 0, sizeof(fi.uuid)))
			abort();
		for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
			(void)fs_matches(&fi, targets[i]);
	}
	free(buf);
	return 0;
}
