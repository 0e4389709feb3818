/* A reader of systemd journal files (systemd's docs/JOURNAL_FILE_FORMAT.md),
 * a pure function over the bytes of one file: no libsystemd, no mmap of its
 * own, every offset checked against the buffer before it is read.
 *
 * It walks the entries through the header's entry-array chain and, when
 * that chain is broken or the file was not closed cleanly (a crashed VM's
 * online file, `…journal~`, a tail cut mid-object), also scans the objects
 * one after another and resynchronises past damage, so that every entry
 * that is still readable is seen once, in file order. */
#ifndef VMTRIAGE_JOURNAL_H
#define VMTRIAGE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JOURNAL_HEADER_MIN 208	/* fields up to n_data exist in every version */
#define JOURNAL_MSG_MAX 2048	/* MESSAGE kept per entry; longer ones are cut */

/* Header flags (journal-def.h). */
#define JH_INCOMPAT_XZ 0x01u
#define JH_INCOMPAT_LZ4 0x02u
#define JH_INCOMPAT_KEYED_HASH 0x04u
#define JH_INCOMPAT_ZSTD 0x08u
#define JH_INCOMPAT_COMPACT 0x10u
#define JH_INCOMPAT_KNOWN 0x1fu

enum journal_state { JSTATE_OFFLINE, JSTATE_ONLINE, JSTATE_ARCHIVED };

/* The fields of one entry the post-mortem uses; absent ones are empty
 * strings and -1 numbers. */
struct journal_entry {
	uint64_t offset;	/* of the ENTRY object in the file */
	uint64_t seqnum;
	uint64_t realtime_us;	/* __REALTIME_TIMESTAMP */
	uint64_t monotonic_us;
	char boot_id[33];	/* _BOOT_ID, from the entry object */
	int priority;
	int pid;
	int coredump_signal;
	char identifier[64];	/* SYSLOG_IDENTIFIER */
	char unit[128];		/* _SYSTEMD_UNIT */
	char comm[64];		/* _COMM */
	char transport[16];	/* _TRANSPORT: kernel, journal, syslog, ... */
	char coredump_exe[256];
	size_t message_len;
	char message[JOURNAL_MSG_MAX];
	bool message_cut;
};

struct journal_stats {
	uint32_t incompatible;	/* header flags */
	uint32_t compatible;
	int state;		/* enum journal_state, or the raw byte if unknown */
	uint64_t n_entries;	/* as the header says */
	uint64_t entries;	/* delivered */
	uint64_t bad_objects;	/* skipped: bad type, size, offset or payload */
	uint64_t undecodable;	/* DATA objects whose compression we could not undo */
	bool chain_broken;	/* the entry-array chain ended early or pointed nowhere */
	bool scanned;		/* the object-by-object scan ran */
	bool truncated;		/* the file is shorter than header and arena */
	char note[200];		/* what went wrong, for a person; empty if nothing */
};

/* Called for each entry in file order; return non-zero to stop. */
typedef int (*journal_entry_fn)(const struct journal_entry *e, void *ctx);

/* Reads the journal file in buf. Returns 0 if the header was usable (even if
 * entries were skipped: see st->note), -1 if it is not a journal file we can
 * read (bad signature, unknown incompatible flag, header out of bounds), with
 * st->note saying why. */
int journal_read(const uint8_t *buf, size_t len, journal_entry_fn fn, void *ctx, struct journal_stats *st);

/* Decompresses a journal DATA payload (flags: the object's compression bit)
 * into out, at most outsize bytes: the start of the data when it is longer.
 * Returns the number of bytes written, or -1 if the data is not valid. */
long journal_decompress(int flags, const uint8_t *in, size_t inlen, uint8_t *out, size_t outsize);

#endif
