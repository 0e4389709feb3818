/* The report disk: a vfat or ext4 filesystem labelled TRIAGE, or the one
 * triage.report= names. It is the only filesystem vmtriage ever mounts
 * read-write, and it is never formatted. */
#ifndef VMTRIAGE_DISK_H
#define VMTRIAGE_DISK_H

#include <stdbool.h>
#include <stddef.h>

#define REPORT_LABEL "TRIAGE"

struct fsinfo {
	char type[8];	/* "vfat" or "ext4" (ext2/3 mount through ext4) */
	char label[64];
	char uuid[40];	/* as blkid prints it */
};

/* Recognises vfat and ext2/3/4 from the first 2048 bytes of a device.
 * Returns 0 and fills fi, or -1 if neither. */
int fs_probe(const unsigned char *buf, size_t len, struct fsinfo *fi);

/* Does fi match a target: "auto" (label TRIAGE), LABEL=x, UUID=x? Labels
 * and UUIDs compare without case, as FAT stores them upper-case. */
bool fs_matches(const struct fsinfo *fi, const char *target);

struct report_disk {
	char dev[64];		/* /dev/vdb */
	struct fsinfo fs;
	bool read_only;
};

/* Finds the report disk for target (auto, LABEL=, UUID=, /dev/x) by
 * scanning /sys/class/block. Returns 0 when found; otherwise -1 with a
 * sentence for the user in why. A read-only match is returned (with
 * read_only set) only when no writable one exists. */
int report_disk_find(const char *target, struct report_disk *d, char *why, size_t whylen);

struct report_file {
	const char *name;	/* report.json */
	const char *data;
	size_t len;
};

/* Mounts d on mnt, writes files into <mnt>/vmtriage/<dirname>/ so that the
 * folder appears whole or not at all (written under a temporary name, each
 * file fsynced, then renamed, then the parent fsynced), and unmounts.
 * Returns 0, or -1 with a sentence in why. */
int report_disk_write(const struct report_disk *d, const char *mnt, const char *dirname,
		      const struct report_file *files, int nfiles, char *why, size_t whylen);

/* Writes one file atomically in an existing directory: temporary file,
 * fsync, rename, fsync of the directory. Returns 0 or -1 with errno. */
int write_file_atomic(const char *dir, const char *name, const char *data, size_t len);

#endif
