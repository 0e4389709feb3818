/* The flight recorder's ring file (ring.h has the format). */
#include "ring.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Header layout: offsets of its fields; the CRC32C of bytes 0..4091 last. */
#define H_VERSION 8
#define H_RECSIZE 12
#define H_CAPACITY 16
#define H_CREATED 24
#define H_ROLE 32
#define H_HOST 48
#define H_BOOTID 112
#define H_CRC (RING_HEADER_SIZE - 4)

#define R_TYPE 8
#define R_LEN 10
#define R_FLAGS 11
#define R_MAGIC 12
#define R_MONO 16
#define R_BOOT 24
#define R_REAL 32
#define R_SEQ2 244
#define R_CRC 252

static const char *const skip_names[RING_NSKIP] = {
	[RING_SKIP_TORN] = "torn",
	[RING_SKIP_CRC] = "checksum",
	[RING_SKIP_FORMAT] = "format",
	[RING_SKIP_SLOT] = "misplaced",
	[RING_SKIP_DUP] = "duplicate",
};

const char *ring_skip_name(enum ring_skip why)
{
	return (unsigned)why < RING_NSKIP ? skip_names[why] : "?";
}

/* CRC32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven. */
static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t ring_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (crc_table[1] == 0)
		crc_init();
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint16_t get_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

void ring_encode(const struct ring_rec *r, uint8_t out[RING_RECORD_SIZE])
{
	size_t len = r->len > RING_PAYLOAD_MAX ? RING_PAYLOAD_MAX : r->len;

	memset(out, 0, RING_RECORD_SIZE);
	put_u64(out, r->seq);
	put_u16(out + R_TYPE, r->type);
	out[R_LEN] = (uint8_t)len;
	out[R_FLAGS] = r->flags;
	put_u32(out + R_MAGIC, RING_REC_MAGIC);
	put_u64(out + R_MONO, (uint64_t)r->mono_ns);
	put_u64(out + R_BOOT, (uint64_t)r->boot_ns);
	put_u64(out + R_REAL, (uint64_t)r->real_ns);
	memcpy(out + RING_PAYLOAD_OFF, r->payload, len);
	put_u64(out + R_SEQ2, r->seq);
	put_u32(out + R_CRC, ring_crc32c(0, out, R_CRC));
}

int ring_decode(const uint8_t in[RING_RECORD_SIZE], struct ring_rec *r, enum ring_skip *why)
{
	uint64_t seq = get_u64(in);
	bool zero = true;

	for (int i = 0; i < RING_RECORD_SIZE && zero; i++)
		zero = in[i] == 0;
	if (zero)
		return 0;
	/* The seq copies first: a torn write is named as such, whatever the
	 * CRC would also say. */
	if (seq != get_u64(in + R_SEQ2)) {
		*why = RING_SKIP_TORN;
		return -1;
	}
	if (get_u32(in + R_CRC) != ring_crc32c(0, in, R_CRC)) {
		*why = RING_SKIP_CRC;
		return -1;
	}
	if (get_u32(in + R_MAGIC) != RING_REC_MAGIC || seq == 0 || get_u16(in + R_TYPE) == 0 ||
	    get_u16(in + R_TYPE) > RING_T_LAST || in[R_LEN] > RING_PAYLOAD_MAX) {
		*why = RING_SKIP_FORMAT;
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->seq = seq;
	r->type = get_u16(in + R_TYPE);
	r->len = in[R_LEN];
	r->flags = in[R_FLAGS];
	r->mono_ns = (int64_t)get_u64(in + R_MONO);
	r->boot_ns = (int64_t)get_u64(in + R_BOOT);
	r->real_ns = (int64_t)get_u64(in + R_REAL);
	memcpy(r->payload, in + RING_PAYLOAD_OFF, r->len);
	return 1;
}

static void header_encode(const struct ring_header *h, uint8_t out[RING_HEADER_SIZE])
{
	memset(out, 0, RING_HEADER_SIZE);
	memcpy(out, RING_MAGIC, 8);
	put_u32(out + H_VERSION, h->version);
	put_u32(out + H_RECSIZE, h->record_size);
	put_u64(out + H_CAPACITY, h->capacity);
	put_u64(out + H_CREATED, (uint64_t)h->created_real_ns);
	strlcpy_((char *)out + H_ROLE, h->role, 16);
	strlcpy_((char *)out + H_HOST, h->host, 64);
	strlcpy_((char *)out + H_BOOTID, h->boot_id, 40);
	put_u32(out + H_CRC, ring_crc32c(0, out, H_CRC));
}

/* Copies a NUL-padded text field, keeping printable ASCII only. */
static void text_field(char *dst, const uint8_t *src, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[i] = '\0';
}

static int header_decode(const uint8_t *in, size_t len, struct ring_header *h, char *why, size_t whylen)
{
	if (len < RING_HEADER_SIZE) {
		snprintf(why, whylen, "%zu bytes: shorter than the %d-byte header", len, RING_HEADER_SIZE);
		return -1;
	}
	if (memcmp(in, RING_MAGIC, 8) != 0) {
		snprintf(why, whylen, "not a vmtriage ring (no %s magic)", RING_MAGIC);
		return -1;
	}
	if (get_u32(in + H_CRC) != ring_crc32c(0, in, H_CRC)) {
		snprintf(why, whylen, "the header's checksum does not match");
		return -1;
	}
	h->version = get_u32(in + H_VERSION);
	h->record_size = get_u32(in + H_RECSIZE);
	h->capacity = get_u64(in + H_CAPACITY);
	if (h->version != RING_VERSION || h->record_size != RING_RECORD_SIZE) {
		snprintf(why, whylen, "version %u with %u-byte records: this reader knows version %d, %d bytes",
			 h->version, h->record_size, RING_VERSION, RING_RECORD_SIZE);
		return -1;
	}
	if (h->capacity < RING_MIN_RECORDS || h->capacity > RING_MAX_RECORDS) {
		snprintf(why, whylen, "a capacity of %llu records (%u..%u expected)",
			 (unsigned long long)h->capacity, RING_MIN_RECORDS, RING_MAX_RECORDS);
		return -1;
	}
	h->created_real_ns = (int64_t)get_u64(in + H_CREATED);
	text_field(h->role, in + H_ROLE, sizeof(h->role));
	text_field(h->host, in + H_HOST, sizeof(h->host));
	text_field(h->boot_id, in + H_BOOTID, sizeof(h->boot_id));
	return 0;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct ring_rec *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int ring_parse(const uint8_t *buf, size_t len, struct ring_scan *s)
{
	size_t have, n = 0;

	memset(s, 0, sizeof(*s));
	if (header_decode(buf, len, &s->hdr, s->why, sizeof(s->why)) < 0)
		return -1;
	s->header_ok = true;
	have = (len - RING_HEADER_SIZE) / RING_RECORD_SIZE;
	if (have < s->hdr.capacity)
		s->short_file = true;
	else
		have = (size_t)s->hdr.capacity;
	s->slots = have;
	s->recs = have ? xcalloc(have, sizeof(*s->recs)) : NULL;
	for (size_t i = 0; i < have; i++) {
		enum ring_skip why = RING_SKIP_FORMAT;
		int rc = ring_decode(buf + RING_HEADER_SIZE + i * RING_RECORD_SIZE, &s->recs[n], &why);

		if (rc == 0) {
			s->empty++;
		} else if (rc < 0) {
			s->skipped[why]++;
		} else if (s->recs[n].seq % s->hdr.capacity != i) {
			s->skipped[RING_SKIP_SLOT]++;
		} else {
			n++;
		}
	}
	if (n > 1)
		qsort(s->recs, n, sizeof(*s->recs), rec_cmp);
	/* Slots are unique per seq % capacity, so two equal seqs can only be
	 * misplaced ones (already refused); kept as a guard for the invariant
	 * the consumers rely on: seq strictly increasing. */
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && s->recs[i].seq == s->recs[m - 1].seq) {
			s->skipped[RING_SKIP_DUP]++;
			continue;
		}
		s->recs[m++] = s->recs[i];
	}
	s->n = m;
	for (int k = 0; k < RING_NSKIP; k++)
		s->skipped_total += s->skipped[k];
	if (m > 1)
		s->missing = s->recs[m - 1].seq - s->recs[0].seq + 1 - m;
	return 0;
}

int ring_read(const char *path, struct ring_scan *s)
{
	size_t max = RING_HEADER_SIZE + (size_t)RING_MAX_RECORDS * RING_RECORD_SIZE, len = 0;
	uint8_t *buf = (uint8_t *)read_file(path, max, &len);
	int rc;

	if (!buf) {
		memset(s, 0, sizeof(*s));
		snprintf(s->why, sizeof(s->why), "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	rc = ring_parse(buf, len, s);
	free(buf);
	return rc;
}

void ring_scan_free(struct ring_scan *s)
{
	free(s->recs);
	s->recs = NULL;
	s->n = 0;
}

/* ---- the writer ---- */

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void ring_stamp(struct ring_rec *r)
{
	r->mono_ns = clock_ns(CLOCK_MONOTONIC);
	r->boot_ns = clock_ns(CLOCK_BOOTTIME);
	r->real_ns = clock_ns(CLOCK_REALTIME);
}

static int write_all(int fd, const void *buf, size_t len, off_t off)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t k = pwrite(fd, p, len, off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		len -= (size_t)k;
		off += k;
	}
	return 0;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

static int mkdir_p(const char *dir)
{
	char buf[512];

	if (strlcpy_(buf, dir, sizeof(buf)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Writes a new ring (header, then every slot zero: the blocks are really
 * allocated, so a later record's fdatasync writes data, not metadata) to
 * PATH.tmp, syncs it and renames it into place. */
static int ring_create(const char *dir, const char *path, const char *role, uint64_t capacity, char *why,
		       size_t whylen)
{
	char tmp[600];
	static uint8_t zeros[65536];
	uint8_t hdr[RING_HEADER_SIZE];
	struct ring_header h = { .version = RING_VERSION, .record_size = RING_RECORD_SIZE, .capacity = capacity };
	uint64_t left = capacity * RING_RECORD_SIZE;
	off_t off = RING_HEADER_SIZE;
	int fd;

	h.created_real_ns = clock_ns(CLOCK_REALTIME);
	strlcpy_(h.role, role, sizeof(h.role));
	if (gethostname(h.host, sizeof(h.host)) != 0)
		h.host[0] = '\0';
	h.host[sizeof(h.host) - 1] = '\0';
	if (read_line("/proc/sys/kernel/random/boot_id", h.boot_id, sizeof(h.boot_id)) != 0)
		h.boot_id[0] = '\0';
	header_encode(&h, hdr);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(why, whylen, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	int rc = write_all(fd, hdr, sizeof(hdr), 0);
	while (rc == 0 && left > 0) {
		size_t k = left < sizeof(zeros) ? (size_t)left : sizeof(zeros);
		rc = write_all(fd, zeros, k, off);
		off += (off_t)k;
		left -= k;
	}
	if (rc == 0)
		rc = fsync(fd);
	if (rc != 0) {
		snprintf(why, whylen, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(why, whylen, "cannot rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	fsync_dir(dir);
	return 0;
}

int ring_open(struct ring_writer *w, const char *dir, const char *name, const char *role, size_t bytes,
	      char *why, size_t whylen)
{
	struct ring_scan s;
	uint64_t capacity;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->sync_every_ns = RING_DEFAULT_SYNC_NS;
	if (bytes == 0)
		bytes = RING_DEFAULT_BYTES;
	capacity = bytes > RING_HEADER_SIZE ? (bytes - RING_HEADER_SIZE) / RING_RECORD_SIZE : 0;
	if (capacity < RING_MIN_RECORDS || capacity > RING_MAX_RECORDS) {
		snprintf(why, whylen, "a ring of %zu bytes holds %llu records (%u..%u allowed)", bytes,
			 (unsigned long long)capacity, RING_MIN_RECORDS, RING_MAX_RECORDS);
		return -1;
	}
	if (mkdir_p(dir) != 0) {
		snprintf(why, whylen, "cannot make %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((size_t)snprintf(w->path, sizeof(w->path), "%s/%s", dir, name) >= sizeof(w->path)) {
		snprintf(why, whylen, "the path %s/%s is too long", dir, name);
		return -1;
	}
	w->next_seq = 1;
	if (access(w->path, F_OK) == 0) {
		int rc = ring_read(w->path, &s);
		if (rc == 0 && s.hdr.capacity == capacity && !s.short_file) {
			if (s.n > 0)
				w->next_seq = s.recs[s.n - 1].seq + 1;
		} else {
			/* Not ours, damaged or another size: kept, not destroyed. */
			char old[600];
			snprintf(old, sizeof(old), "%s.old", w->path);
			if (rename(w->path, old) != 0) {
				snprintf(why, whylen, "cannot move %s aside: %s", w->path, strerror(errno));
				ring_scan_free(&s);
				return -1;
			}
			w->recreated = true;
		}
		ring_scan_free(&s);
	}
	if (access(w->path, F_OK) != 0 && ring_create(dir, w->path, role, capacity, why, whylen) != 0)
		return -1;
	w->fd = open(w->path, O_WRONLY | O_CLOEXEC);
	if (w->fd < 0) {
		snprintf(why, whylen, "cannot open %s: %s", w->path, strerror(errno));
		return -1;
	}
	w->capacity = capacity;
	w->last_sync_ns = clock_ns(CLOCK_MONOTONIC);
	w->sync_due_ns = w->last_sync_ns + w->sync_every_ns;
	return 0;
}

int ring_sync(struct ring_writer *w)
{
	if (w->fd < 0 || !w->dirty)
		return 0;
	w->last_sync_ns = clock_ns(CLOCK_MONOTONIC);
	w->sync_due_ns = w->last_sync_ns + w->sync_every_ns;
	w->dirty = false;
	w->syncs++;
	return fdatasync(w->fd);
}

int ring_tick(struct ring_writer *w)
{
	if (w->dirty && clock_ns(CLOCK_MONOTONIC) >= w->sync_due_ns)
		return ring_sync(w);
	return 0;
}

int ring_append_rec(struct ring_writer *w, struct ring_rec *r)
{
	uint8_t buf[RING_RECORD_SIZE];
	int64_t now;
	bool event;

	if (w->fd < 0) {
		errno = EBADF;
		return -1;
	}
	r->seq = w->next_seq++;
	if (!w->started) {
		r->flags |= RING_F_START;
		w->started = true;
	}
	event = r->flags & RING_F_EVENT;
	ring_encode(r, buf);
	if (write_all(w->fd, buf, sizeof(buf), RING_HEADER_SIZE + (off_t)(r->seq % w->capacity) * RING_RECORD_SIZE) != 0) {
		w->write_errors++;
		return -1;
	}
	w->writes++;
	w->dirty = true;
	now = clock_ns(CLOCK_MONOTONIC);
	/* An event is owed a sync now, or as soon as RING_EVENT_SYNC_MIN_NS
	 * has passed since the last one (then by the first append after it). */
	if (event && w->sync_due_ns > w->last_sync_ns + RING_EVENT_SYNC_MIN_NS)
		w->sync_due_ns = w->last_sync_ns + RING_EVENT_SYNC_MIN_NS;
	if (now >= w->sync_due_ns)
		return ring_sync(w);
	return 0;
}

int ring_append(struct ring_writer *w, uint16_t type, uint8_t flags, const void *payload, size_t len)
{
	struct ring_rec r;

	memset(&r, 0, sizeof(r));
	ring_stamp(&r);
	r.type = type;
	r.flags = flags;
	r.len = (uint8_t)(len > RING_PAYLOAD_MAX ? RING_PAYLOAD_MAX : len);
	if (r.len)
		memcpy(r.payload, payload, r.len);
	return ring_append_rec(w, &r);
}

void ring_close(struct ring_writer *w)
{
	if (w->fd < 0)
		return;
	(void)ring_sync(w);
	close(w->fd);
	w->fd = -1;
}
