#include "postmortem/journal.h"

#include <lz4.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "lib/util.h"

/* Layout (JOURNAL_FILE_FORMAT.md, journal-def.h): offsets into the header
 * and the objects, all little-endian. */
#define H_SIGNATURE 0
#define H_COMPATIBLE 8
#define H_INCOMPATIBLE 12
#define H_STATE 16
#define H_HEADER_SIZE 88
#define H_ARENA_SIZE 96
#define H_N_ENTRIES 152
#define H_ENTRY_ARRAY 176

#define OBJ_HEADER 16 /* type, flags, reserved[6], le64 size */
enum { OBJ_UNUSED, OBJ_DATA, OBJ_FIELD, OBJ_ENTRY, OBJ_DATA_HT, OBJ_FIELD_HT, OBJ_ENTRY_ARRAY, OBJ_TAG, OBJ_MAX };
#define OBJ_COMPRESSED_XZ 1
#define OBJ_COMPRESSED_LZ4 2
#define OBJ_COMPRESSED_ZSTD 4
#define OBJ_COMPRESSED_MASK 7

#define DATA_PAYLOAD 64		/* regular; compact adds two le32 */
#define DATA_PAYLOAD_COMPACT 72
#define ENTRY_SEQNUM 16
#define ENTRY_REALTIME 24
#define ENTRY_MONOTONIC 32
#define ENTRY_BOOT_ID 40
#define ENTRY_ITEMS 64
#define EA_NEXT 16
#define EA_ITEMS 24

/* Decompressed DATA is cut here: enough for MESSAGE and the field name. */
#define SCRATCH_SIZE (JOURNAL_MSG_MAX + 64)

struct reader {
	const uint8_t *p;
	size_t len;
	uint64_t header_size;
	bool compact;
	struct journal_stats *st;
	ZSTD_DCtx *zstd;
	uint8_t scratch[SCRATCH_SIZE];
};

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v; /* x86-64 only, as the whole binary */
}

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The object at off if it lies wholly inside the buffer, is aligned, and
 * (when type is not OBJ_UNUSED) is of that type; its size in *size. */
static const uint8_t *object_at(const struct reader *r, uint64_t off, int type, uint64_t *size)
{
	const uint8_t *o;
	uint64_t sz;

	if (off < r->header_size || off % 8 || off > r->len || r->len - off < OBJ_HEADER)
		return NULL;
	o = r->p + off;
	sz = le64(o + 8);
	if (sz < OBJ_HEADER || sz > r->len - off)
		return NULL;
	if (type != OBJ_UNUSED && o[0] != type)
		return NULL;
	*size = sz;
	return o;
}

/* Streams a zstd frame into a bounded buffer: only its start is wanted.
 * Stops at the frame's end, a full buffer, or when a call makes no progress
 * (input used up and nothing more to flush: a cut frame). */
static long zstd_prefix(ZSTD_DCtx *z, ZSTD_inBuffer *ib, ZSTD_outBuffer *ob)
{
	while (ob->pos < ob->size) {
		size_t in0 = ib->pos, out0 = ob->pos;
		size_t rc = ZSTD_decompressStream(z, ob, ib);

		if (ZSTD_isError(rc))
			return -1;
		if (rc == 0)
			return (long)ob->pos;
		if (ib->pos == in0 && ob->pos == out0)
			return ib->pos == ib->size ? -1 : (long)ob->pos;
	}
	return (long)ob->pos;
}

long journal_decompress(int flags, const uint8_t *in, size_t inlen, uint8_t *out, size_t outsize)
{
	switch (flags & OBJ_COMPRESSED_MASK) {
	case OBJ_COMPRESSED_ZSTD: {
		ZSTD_DCtx *z = ZSTD_createDCtx();
		ZSTD_inBuffer ib = { in, inlen, 0 };
		ZSTD_outBuffer ob = { out, outsize, 0 };
		long ret;

		if (!z)
			return -1;
		ret = zstd_prefix(z, &ib, &ob);
		ZSTD_freeDCtx(z);
		return ret;
	}
	case OBJ_COMPRESSED_XZ: {
		lzma_stream s = LZMA_STREAM_INIT;
		long ret = -1;
		lzma_ret lr;

		/* journald's xz objects are small; 64 MiB is far above what they need. */
		if (lzma_stream_decoder(&s, 64u << 20, 0) != LZMA_OK)
			return -1;
		s.next_in = in;
		s.avail_in = inlen;
		s.next_out = out;
		s.avail_out = outsize;
		lr = lzma_code(&s, LZMA_FINISH);
		if (lr == LZMA_STREAM_END || (lr == LZMA_OK && s.avail_out == 0))
			ret = (long)(outsize - s.avail_out);
		lzma_end(&s);
		return ret;
	}
	case OBJ_COMPRESSED_LZ4: {
		/* journald prefixes the LZ4 block with its decompressed size (le64). */
		uint64_t full;
		int n, want;

		if (inlen < 8 || inlen - 8 > INT32_MAX)
			return -1;
		full = le64(in);
		want = (int)(full < outsize ? full : outsize);
		if (outsize > INT32_MAX)
			return -1;
		n = LZ4_decompress_safe_partial((const char *)in + 8, (char *)out, (int)(inlen - 8), want,
						(int)outsize);
		return n < 0 ? -1 : n;
	}
	default:
		return -1;
	}
}

/* Where zstd is concerned the context is reused: creating one per object
 * would cost more than the decompression of a short message. */
static long decompress(struct reader *r, int flags, const uint8_t *in, size_t inlen)
{
	if ((flags & OBJ_COMPRESSED_MASK) == OBJ_COMPRESSED_ZSTD && r->zstd) {
		ZSTD_inBuffer ib = { in, inlen, 0 };
		ZSTD_outBuffer ob = { r->scratch, sizeof(r->scratch), 0 };

		ZSTD_DCtx_reset(r->zstd, ZSTD_reset_session_only);
		return zstd_prefix(r->zstd, &ib, &ob);
	}
	return journal_decompress(flags, in, inlen, r->scratch, sizeof(r->scratch));
}

static void copy_field(char *dst, size_t size, const uint8_t *v, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static int small_int(const uint8_t *v, size_t n)
{
	int x = 0;

	if (n == 0 || n > 9)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x;
}

#define FIELD_IS(name) (n > sizeof(name) - 1 && !memcmp(d, name, sizeof(name) - 1) && ((v = d + sizeof(name) - 1), (vn = n - (sizeof(name) - 1)), 1))

/* Takes one "NAME=value" payload into the entry if it is a field we keep. */
static void take_field(struct journal_entry *e, const uint8_t *d, size_t n, bool cut)
{
	const uint8_t *v;
	size_t vn;

	switch (d[0]) {
	case 'M':
		if (FIELD_IS("MESSAGE=")) {
			copy_field(e->message, sizeof(e->message), v, vn);
			e->message_len = vn < sizeof(e->message) ? vn : sizeof(e->message) - 1;
			e->message_cut = cut || vn >= sizeof(e->message);
		}
		break;
	case 'P':
		if (FIELD_IS("PRIORITY="))
			e->priority = small_int(v, vn);
		break;
	case 'S':
		if (FIELD_IS("SYSLOG_IDENTIFIER="))
			copy_field(e->identifier, sizeof(e->identifier), v, vn);
		break;
	case 'C':
		if (FIELD_IS("COREDUMP_EXE="))
			copy_field(e->coredump_exe, sizeof(e->coredump_exe), v, vn);
		else if (FIELD_IS("COREDUMP_SIGNAL="))
			e->coredump_signal = small_int(v, vn);
		break;
	case '_':
		if (FIELD_IS("_SYSTEMD_UNIT="))
			copy_field(e->unit, sizeof(e->unit), v, vn);
		else if (FIELD_IS("_COMM="))
			copy_field(e->comm, sizeof(e->comm), v, vn);
		else if (FIELD_IS("_PID="))
			e->pid = small_int(v, vn);
		else if (FIELD_IS("_TRANSPORT="))
			copy_field(e->transport, sizeof(e->transport), v, vn);
		break;
	}
}

static bool interesting_first(uint8_t c)
{
	return c == 'M' || c == 'P' || c == 'S' || c == 'C' || c == '_';
}

/* Reads the entry at off. Returns false if it is not a valid ENTRY object. */
static bool read_entry(struct reader *r, uint64_t off, struct journal_entry *e)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t size, isz = r->compact ? 4 : 16, n;
	const uint8_t *o = object_at(r, off, OBJ_ENTRY, &size);

	if (!o || size < ENTRY_ITEMS)
		return false;
	e->offset = off;
	e->seqnum = le64(o + ENTRY_SEQNUM);
	e->realtime_us = le64(o + ENTRY_REALTIME);
	e->monotonic_us = le64(o + ENTRY_MONOTONIC);
	for (int i = 0; i < 16; i++) {
		e->boot_id[2 * i] = hex[o[ENTRY_BOOT_ID + i] >> 4];
		e->boot_id[2 * i + 1] = hex[o[ENTRY_BOOT_ID + i] & 15];
	}
	e->boot_id[32] = '\0';
	e->priority = e->pid = e->coredump_signal = -1;
	e->identifier[0] = e->unit[0] = e->comm[0] = e->transport[0] = e->coredump_exe[0] = '\0';
	e->message[0] = '\0';
	e->message_len = 0;
	e->message_cut = false;

	n = (size - ENTRY_ITEMS) / isz;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *it = o + ENTRY_ITEMS + i * isz;
		uint64_t doff = r->compact ? le32(it) : le64(it), dsize, poff;
		const uint8_t *d = object_at(r, doff, OBJ_DATA, &dsize);
		int flags;

		poff = r->compact ? DATA_PAYLOAD_COMPACT : DATA_PAYLOAD;
		if (!d || dsize <= poff) {
			r->st->bad_objects++;
			continue;
		}
		flags = d[1] & OBJ_COMPRESSED_MASK;
		if (!flags) {
			if (interesting_first(d[poff]))
				take_field(e, d + poff, dsize - poff, false);
		} else {
			long got = decompress(r, flags, d + poff, dsize - poff);

			if (got <= 0) {
				r->st->undecodable++;
				continue;
			}
			take_field(e, r->scratch, (size_t)got, (size_t)got == sizeof(r->scratch));
		}
	}
	return true;
}

struct offsets {
	uint64_t *v;
	size_t n, cap;
	size_t max;	/* no file holds more entries than len / ENTRY_ITEMS */
};

static void push(struct offsets *o, uint64_t off)
{
	if (o->n >= o->max)
		return;
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 1024;
		o->v = xrealloc(o->v, o->cap * sizeof(*o->v));
	}
	o->v[o->n++] = off;
}

/* The global entry-array chain from the header. Arrays are appended, so a
 * link that does not go forward is damage (and would loop). */
static void walk_chain(struct reader *r, uint64_t first, struct offsets *out)
{
	uint64_t off = first, prev = 0, isz = r->compact ? 4 : 8;

	while (off) {
		uint64_t size, n;
		const uint8_t *o = object_at(r, off, OBJ_ENTRY_ARRAY, &size);

		if (!o || off <= prev || size < EA_ITEMS) {
			r->st->chain_broken = true;
			if (!r->st->note[0])
				snprintf(r->st->note, sizeof(r->st->note),
					 "entry-array chain broken at offset %llu", (unsigned long long)off);
			return;
		}
		n = (size - EA_ITEMS) / isz;
		for (uint64_t i = 0; i < n; i++) {
			const uint8_t *it = o + EA_ITEMS + i * isz;
			uint64_t eo = r->compact ? le32(it) : le64(it);

			if (!eo) /* arrays are allocated ahead: the rest is unused */
				return;
			push(out, eo);
		}
		prev = off;
		off = le64(o + EA_NEXT);
	}
}

/* Object by object from the header to the end of what is in the buffer.
 * After damage it steps 8 bytes at a time until something looks like an
 * object header again (a known type, zero reserved bytes, a size that fits). */
static void scan_objects(struct reader *r, uint64_t end, struct offsets *out)
{
	uint64_t off = (r->header_size + 7) & ~7ull;
	bool in_damage = false;

	r->st->scanned = true;
	while (off + OBJ_HEADER <= end) {
		const uint8_t *o = r->p + off;
		uint64_t size = le64(o + 8);
		bool ok = o[0] > OBJ_UNUSED && o[0] < OBJ_MAX && size >= OBJ_HEADER && size <= end - off &&
			  !(o[1] & ~OBJ_COMPRESSED_MASK) && !memcmp(o + 2, "\0\0\0\0\0\0", 6);

		if (!ok) {
			/* All zeros is unwritten space at the tail, not damage. */
			if (!in_damage && (o[0] || size)) {
				r->st->bad_objects++;
				in_damage = true;
			}
			off += 8;
			continue;
		}
		in_damage = false;
		if (o[0] == OBJ_ENTRY)
			push(out, off);
		off += (size + 7) & ~7ull;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int journal_read(const uint8_t *buf, size_t len, journal_entry_fn fn, void *ctx, struct journal_stats *st)
{
	struct reader *r;
	struct offsets offs = { 0 };
	struct journal_entry *e;
	uint64_t arena, end;

	memset(st, 0, sizeof(*st));
	if (len < JOURNAL_HEADER_MIN || memcmp(buf + H_SIGNATURE, "LPKSHHRH", 8)) {
		snprintf(st->note, sizeof(st->note), "not a journal file (no LPKSHHRH header)");
		return -1;
	}
	st->compatible = le32(buf + H_COMPATIBLE);
	st->incompatible = le32(buf + H_INCOMPATIBLE);
	st->state = buf[H_STATE];
	st->n_entries = le64(buf + H_N_ENTRIES);
	if (st->incompatible & ~JH_INCOMPAT_KNOWN) {
		snprintf(st->note, sizeof(st->note), "unknown incompatible flags 0x%x: a newer journal format",
			 st->incompatible & ~JH_INCOMPAT_KNOWN);
		return -1;
	}
	r = xcalloc(1, sizeof(*r));
	r->p = buf;
	r->len = len;
	r->st = st;
	r->header_size = le64(buf + H_HEADER_SIZE);
	r->compact = st->incompatible & JH_INCOMPAT_COMPACT;
	arena = le64(buf + H_ARENA_SIZE);
	if (r->header_size < JOURNAL_HEADER_MIN || r->header_size > len) {
		snprintf(st->note, sizeof(st->note), "header size %llu out of range",
			 (unsigned long long)r->header_size);
		free(r);
		return -1;
	}
	end = len;
	if (arena <= len - r->header_size)
		end = r->header_size + arena;
	else
		st->truncated = true;
	r->zstd = ZSTD_createDCtx();
	/* Twice: the chain's and the scan's offsets of the same entries. */
	offs.max = 2 * (len / ENTRY_ITEMS) + 2;

	walk_chain(r, le64(buf + H_ENTRY_ARRAY), &offs);
	if (st->chain_broken || st->truncated || offs.n < st->n_entries ||
	    (st->state != JSTATE_OFFLINE && st->state != JSTATE_ARCHIVED)) {
		scan_objects(r, end, &offs);
		if (offs.n)
			qsort(offs.v, offs.n, sizeof(*offs.v), cmp_u64);
	}

	e = xmalloc(sizeof(*e));
	for (size_t i = 0; i < offs.n; i++) {
		if (i && offs.v[i] == offs.v[i - 1])
			continue;
		if (!read_entry(r, offs.v[i], e)) {
			st->bad_objects++;
			continue;
		}
		st->entries++;
		if (fn && fn(e, ctx))
			break;
	}
	free(e);

	{
		char more[200] = "";

		if (st->truncated)
			str_append(more, sizeof(more), "; ", "file cut short (%zu of %llu bytes)", len,
				   (unsigned long long)(r->header_size + arena));
		if (st->bad_objects)
			str_append(more, sizeof(more), "; ", "%llu damaged object(s) skipped",
				   (unsigned long long)st->bad_objects);
		if (st->undecodable)
			str_append(more, sizeof(more), "; ", "%llu compressed field(s) undecodable",
				   (unsigned long long)st->undecodable);
		if (st->state == JSTATE_ONLINE)
			str_append(more, sizeof(more), "; ", "left online (not closed by journald)");
		if (more[0])
			str_append(st->note, sizeof(st->note), "; ", "%s", more);
	}
	ZSTD_freeDCtx(r->zstd);
	free(r);
	free(offs.v);
	return 0;
}
