/* The flight recorder's file: a bounded ring of fixed-size, checksummed
 * records in a preallocated file, written by `triage watch` in a guest and
 * `triage host --watch` on a host, read by the post-mortem
 * (docs/watch.md, "The record format").
 *
 * The file is a 4096-byte header and then `capacity` slots of 256 bytes;
 * the record with sequence number seq lives in slot seq % capacity, so the
 * newest records overwrite the oldest. A record is one pwrite of 256 bytes
 * at a 256-byte aligned offset:
 *
 *   off  size
 *     0     8  seq (>= 1)              the head copy
 *     8     2  type                    RING_T_* (0 is never written)
 *    10     1  len                     payload bytes used, <= RING_PAYLOAD_MAX
 *    11     1  flags                   RING_F_*
 *    12     4  magic "VTRC"
 *    16     8  CLOCK_MONOTONIC ns      when the record was stamped
 *    24     8  CLOCK_BOOTTIME ns
 *    32     8  CLOCK_REALTIME ns
 *    40   204  payload                 the rest zero
 *   244     8  seq                     the tail copy
 *   252     4  CRC32C of bytes 0..251
 *
 * all little-endian. A power cut in the middle of a write leaves the slot
 * as some bytes of the new record and the rest of the old one. Sequence
 * numbers only grow, so the two copies of seq differ in any such mix unless
 * it differs from one of the two records in the CRC's own four bytes only,
 * which the CRC then refuses: a torn record is always detected, whatever
 * byte the write stopped at (tests/unit/test_ring.c tries every one), and
 * skipped, never misread. The CRC also catches other corruption (with the
 * usual 2^-32 chance of missing random damage).
 *
 * The header is written once, into a temporary file that is synced and then
 * renamed into place, so it is never torn. */
#ifndef VMTRIAGE_RING_H
#define VMTRIAGE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RING_MAGIC "VMTRING1"	      /* the header's first 8 bytes */
#define RING_VERSION 1
#define RING_HEADER_SIZE 4096
#define RING_RECORD_SIZE 256
#define RING_PAYLOAD_OFF 40
#define RING_PAYLOAD_MAX 204
#define RING_REC_MAGIC 0x43525456u    /* "VTRC" little-endian */
#define RING_DEFAULT_BYTES (8u << 20) /* 32752 records: 9 hours at 1 s and one record a second */
#define RING_MIN_RECORDS 16
/* A reader refuses a header claiming more: 1 GiB of records. */
#define RING_MAX_RECORDS (1u << 22)

/* Record types. 1..63 are the guest's (lib/watchrec.h), 64..127 the
 * host's (triage host --watch); 0 is never written. A reader skips types
 * it does not know (they are valid records, counted in unknown_types). */
#define RING_T_GUEST_FIRST 1
#define RING_T_HOST_FIRST 64
#define RING_T_LAST 127

/* flags */
#define RING_F_EVENT 0x01 /* something is wrong: synced at once */
#define RING_F_START 0x02 /* the first record a writer wrote after opening */

struct ring_rec {
	uint64_t seq;
	uint16_t type;
	uint8_t len;
	uint8_t flags;
	int64_t mono_ns, boot_ns, real_ns;
	uint8_t payload[RING_PAYLOAD_MAX];
};

struct ring_header {
	uint32_t version, record_size;
	uint64_t capacity;		/* slots */
	int64_t created_real_ns;
	char role[16];			/* "guest" or "host" */
	char host[64];			/* the writer's host name when it made the file */
	char boot_id[40];		/* /proc/sys/kernel/random/boot_id at creation */
};

/* Why a slot held no record the reader could use. */
enum ring_skip {
	RING_SKIP_TORN,		/* the two copies of seq differ: a write stopped part way */
	RING_SKIP_CRC,		/* the checksum does not match */
	RING_SKIP_FORMAT,	/* bad magic, seq 0, type 0 or > RING_T_LAST, len too large */
	RING_SKIP_SLOT,		/* a valid record in a slot its seq does not map to */
	RING_SKIP_DUP,		/* a second record with the same seq */
	RING_NSKIP
};
const char *ring_skip_name(enum ring_skip why);

/* Encodes r into 256 bytes (the CRC and both seq copies included). */
void ring_encode(const struct ring_rec *r, uint8_t out[RING_RECORD_SIZE]);
/* Decodes one slot: 1 a record (in *r), 0 an empty slot (all zero), -1 a
 * slot to skip (the reason in *why). */
int ring_decode(const uint8_t in[RING_RECORD_SIZE], struct ring_rec *r, enum ring_skip *why);

uint32_t ring_crc32c(uint32_t crc, const void *buf, size_t len);

/* A whole ring read back. */
struct ring_scan {
	bool header_ok;
	char why[128];			/* when !header_ok: what is wrong */
	struct ring_header hdr;
	struct ring_rec *recs;		/* the valid records in seq order */
	size_t n;
	size_t slots;			/* slots present in the file */
	size_t empty;			/* slots never written */
	size_t skipped[RING_NSKIP];
	size_t skipped_total;
	size_t unknown_types;		/* valid records of a type the caller does not know (ring_count_unknown) */
	uint64_t missing;		/* sequence numbers between the first and last valid record that are not there */
	bool short_file;		/* fewer bytes than the header's capacity needs */
};

/* The pure reader: a ring file's bytes in, its records sorted by seq out.
 * Returns 0, or -1 when the header is unusable (s->why says why; no
 * records are read then). s is always safe to ring_scan_free(). */
int ring_parse(const uint8_t *buf, size_t len, struct ring_scan *s);
/* The same from a file (at most RING_HEADER_SIZE + RING_MAX_RECORDS
 * slots are read). -1 with s->why when it cannot be read either. */
int ring_read(const char *path, struct ring_scan *s);
void ring_scan_free(struct ring_scan *s);

/* The writer. */
struct ring_writer {
	int fd;
	uint64_t capacity, next_seq;
	int64_t sync_every_ns;		/* the bounded rate: at most one routine sync per this */
	int64_t last_sync_ns;		/* CLOCK_MONOTONIC of the last fdatasync */
	int64_t sync_due_ns;		/* when the unsynced records are owed one */
	bool dirty, started, recreated;
	uint64_t writes, syncs, write_errors;
	char path[512];
};

/* The least time between two syncs an event forces: a storm of events
 * (a flood of kernel-log lines) cannot turn into a storm of fdatasync. */
#define RING_EVENT_SYNC_MIN_NS 200000000LL
#define RING_DEFAULT_SYNC_NS 5000000000LL

/* Opens DIR/NAME for appending (DIR is made if missing), or makes it:
 * bytes of file (header included; RING_DEFAULT_BYTES if 0), role "guest"
 * or "host". An existing ring with the same record size and capacity is
 * continued after its highest seq; one that is not a ring or has another
 * size is kept as NAME.old and a new one made (w->recreated). Returns 0,
 * or -1 with the reason in why. */
int ring_open(struct ring_writer *w, const char *dir, const char *name, const char *role, size_t bytes,
	      char *why, size_t whylen);
/* Appends one record: stamps the three clocks, assigns seq, writes it and
 * syncs when flags has RING_F_EVENT (unless a sync happened within
 * RING_EVENT_SYNC_MIN_NS; then at the next append after that) or when
 * sync_every_ns has passed since the last sync. len > RING_PAYLOAD_MAX is
 * cut. Set sync_every_ns after ring_open (it applies from the next sync).
 * Returns 0, or -1 with errno when the write or the sync failed. */
int ring_append(struct ring_writer *w, uint16_t type, uint8_t flags, const void *payload, size_t len);
/* The same for a record whose clocks the caller set (seq is assigned). */
int ring_append_rec(struct ring_writer *w, struct ring_rec *r);
/* The sync owed by time alone (a deferred event's, or the routine one),
 * for a writer that waits between appends. */
int ring_tick(struct ring_writer *w);
/* fdatasync now if anything is unsynced. */
int ring_sync(struct ring_writer *w);
void ring_close(struct ring_writer *w);

/* The three clocks into r. */
void ring_stamp(struct ring_rec *r);

#endif
