/* Text logs as rsyslog writes them (/var/log/syslog, kern.log, messages),
 * rotated ones gzip'd or xz'd. */
#include "postmortem/postmortem.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "lib/util.h"

static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil), so that no time zone or locale is involved. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static int64_t civil_us(int y, int mo, int d, int h, int mi, int s)
{
	return ((days_from_civil(y, mo, d) * 86400) + h * 3600 + mi * 60 + s) * 1000000LL;
}

/* "2026-11-28T05:30:55.123456+00:00": returns the length used, or -1. */
static int parse_rfc3339(const char *p, int64_t *t)
{
	int y = digits(p, 4), mo = digits(p + 5, 2), d = digits(p + 8, 2);
	int h = digits(p + 11, 2), mi = digits(p + 14, 2), s = digits(p + 17, 2), i = 19;
	int64_t frac = 0, scale = 1000000;

	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || mi < 0 || s < 0 || p[4] != '-' || p[7] != '-' ||
	    p[10] != 'T' || p[13] != ':' || p[16] != ':')
		return -1;
	if (p[i] == '.')
		for (i++; p[i] >= '0' && p[i] <= '9'; i++)
			if (scale > 1) {
				scale /= 10;
				frac += (p[i] - '0') * scale;
			}
	*t = civil_us(y, mo, d, h, mi, s) + frac;
	if (p[i] == 'Z')
		return i + 1;
	if ((p[i] == '+' || p[i] == '-') && p[i + 3] == ':') {
		int oh = digits(p + i + 1, 2), om = digits(p + i + 4, 2);

		if (oh < 0 || om < 0)
			return -1;
		*t -= (p[i] == '+' ? 1 : -1) * (oh * 3600LL + om * 60) * 1000000;
		return i + 6;
	}
	return -1;
}

/* "Nov 28 05:30:55" (day space-padded): returns 15, or -1. */
static int parse_traditional(const char *p, int year, int64_t *t)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int mo = -1, d, h, mi, s;

	for (int i = 0; i < 12; i++)
		if (!strncmp(p, months + 3 * i, 3))
			mo = i + 1;
	if (mo < 0 || p[3] != ' ')
		return -1;
	d = p[4] == ' ' ? digits(p + 5, 1) : digits(p + 4, 2);
	h = digits(p + 7, 2);
	mi = digits(p + 10, 2);
	s = digits(p + 13, 2);
	if (d < 1 || h < 0 || mi < 0 || s < 0 || p[6] != ' ' || p[9] != ':' || p[12] != ':')
		return -1;
	*t = civil_us(year, mo, d, h, mi, s);
	return 15;
}

int pm_parse_syslog_line(const char *line, int year, struct pm_textline *out)
{
	const char *p = line, *tag, *colon, *lb;
	int n = -1;
	size_t tl;

	memset(out, 0, sizeof(*out));
	out->pid = -1;
	if (strlen(line) >= 20 && line[4] == '-')
		n = parse_rfc3339(line, &out->t_us);
	else if (strlen(line) >= 16)
		n = parse_traditional(line, year, &out->t_us);
	if (n < 0 || p[n] != ' ')
		return -1;
	p += n + 1;
	p += strcspn(p, " "); /* the host name */
	if (*p != ' ')
		return -1;
	tag = p + 1;
	colon = strstr(tag, ": ");
	if (!colon) {
		colon = strchr(tag, ':');
		if (!colon || colon[1])
			return -1;
	}
	tl = (size_t)(colon - tag);
	if (tl == 0 || memchr(tag, ' ', tl))
		return -1;
	lb = memchr(tag, '[', tl);
	if (lb) {
		out->pid = atoi(lb + 1);
		tl = (size_t)(lb - tag);
	}
	snprintf(out->program, sizeof(out->program), "%.*s", (int)(tl < sizeof(out->program) ? tl : sizeof(out->program) - 1),
		 tag);
	p = colon + (colon[1] == ' ' ? 2 : 1);
	/* The kernel's own time stamp, "[  123.456789] ". */
	if (*p == '[') {
		const char *rb = strchr(p, ']');

		if (rb && rb - p < 20 && strspn(p + 1, " 0123456789.") == (size_t)(rb - p - 1))
			p = rb + (rb[1] == ' ' ? 2 : 1);
	}
	out->message = p;
	return 0;
}

/* Room for more output once the buffer (cap + 1 bytes) is full: doubled up
 * to max + 1 bytes; past that the older half is dropped, since the newest
 * lines matter most. */
static char *make_room(char *out, size_t *cap, size_t *n, size_t max, bool *cut)
{
	if (*n < *cap)
		return out;
	if (*cap > max) {
		memmove(out, out + *cap / 2, *cap - *cap / 2);
		*n = *cap - *cap / 2;
		*cut = true;
		return out;
	}
	*cap = *cap * 2 > max + 1 ? max + 1 : *cap * 2;
	return xrealloc(out, *cap + 1);
}

static char *inflate_gz(const unsigned char *in, size_t inlen, size_t max, size_t *len, bool *cut)
{
	z_stream z = { 0 };
	size_t cap = inlen * 4 + 4096, n = 0;
	char *out;
	int rc = Z_OK;

	if (cap > max + 1)
		cap = max + 1;
	out = xmalloc(cap + 1);
	/* 16 + MAX_WBITS: a gzip header, not a zlib one. */
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(out);
		return NULL;
	}
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)inlen;
	while (rc == Z_OK) {
		out = make_room(out, &cap, &n, max, cut);
		z.next_out = (unsigned char *)out + n;
		z.avail_out = (uInt)(cap - n);
		rc = inflate(&z, Z_NO_FLUSH);
		n = cap - z.avail_out;
		/* logrotate may append members; go on into the next one. */
		if (rc == Z_STREAM_END && z.avail_in > 0) {
			inflateReset(&z);
			rc = Z_OK;
		}
		if (rc == Z_BUF_ERROR && z.avail_out > 0)
			break; /* input ended early: keep what there is */
	}
	inflateEnd(&z);
	out[n] = '\0'; /* cap + 1 bytes are allocated */
	*len = n;
	return out;
}

static char *unxz(const unsigned char *in, size_t inlen, size_t max, size_t *len, bool *cut)
{
	lzma_stream s = LZMA_STREAM_INIT;
	size_t cap = inlen * 6 + 4096, n = 0;
	char *out;
	lzma_ret rc = LZMA_OK;

	if (cap > max + 1)
		cap = max + 1;
	if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
		return NULL;
	out = xmalloc(cap + 1);
	s.next_in = in;
	s.avail_in = inlen;
	while (rc == LZMA_OK) {
		out = make_room(out, &cap, &n, max, cut);
		s.next_out = (uint8_t *)out + n;
		s.avail_out = cap - n;
		rc = lzma_code(&s, LZMA_FINISH);
		n = cap - s.avail_out;
	}
	lzma_end(&s);
	out[n] = '\0'; /* cap + 1 bytes are allocated */
	*len = n;
	return out;
}

static char *read_tail(const char *path, size_t max, size_t *len, bool *cut, char *note, size_t notesize)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	char *buf, *nl;
	ssize_t n;

	if (fd < 0 || fstat(fd, &sb) < 0) {
		snprintf(note, notesize, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = xmalloc(max + 1);
	n = pread(fd, buf, max, sb.st_size > (off_t)max ? sb.st_size - (off_t)max : 0);
	close(fd);
	if (n < 0) {
		snprintf(note, notesize, "%s: %s", path, strerror(errno));
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*cut = sb.st_size > (off_t)max;
	/* Start at a whole line. */
	nl = *cut ? memchr(buf, '\n', (size_t)n) : NULL;
	if (nl) {
		n -= nl + 1 - buf;
		memmove(buf, nl + 1, (size_t)n + 1);
	}
	*len = (size_t)n;
	return buf;
}

/* Compressed logs are read whole, then undone: a rotated log this large
 * compressed would be gigabytes of text. */
#define PM_COMPRESSED_MAX (256u << 20)

char *pm_read_log(const char *path, size_t max, size_t *len, bool *cut, char *note, size_t notesize)
{
	unsigned char magic[6] = { 0 };
	size_t rawlen;
	char *raw, *out;
	bool gz, xz;
	int fd;

	*cut = false;
	note[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, magic, sizeof(magic)) < 0) {
		snprintf(note, notesize, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	gz = magic[0] == 0x1f && magic[1] == 0x8b;
	xz = !memcmp(magic, "\xfd" "7zXZ\0", 6);
	if (!gz && !xz) /* plain text: its end, where the last boot is */
		return read_tail(path, max, len, cut, note, notesize);
	raw = read_file(path, PM_COMPRESSED_MAX, &rawlen);
	if (!raw) {
		snprintf(note, notesize, "%s: %s", path, strerror(errno));
		return NULL;
	}
	out = gz ? inflate_gz((unsigned char *)raw, rawlen, max, len, cut)
		 : unxz((unsigned char *)raw, rawlen, max, len, cut);
	free(raw);
	if (!out)
		snprintf(note, notesize, "%s: cannot decompress", path);
	return out;
}

void pm_feed_text(struct pm *pm, struct pm_textstate *ts, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	char line[4096];

	if (!ts->boot[0])
		snprintf(ts->boot, sizeof(ts->boot), "%s#%d", ts->family, ts->nboot);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		struct pm_textline tl;
		struct pm_record r;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		if (pm_parse_syslog_line(line, ts->year, &tl) < 0)
			continue;
		/* The traditional format has no year: a date after the file was
		 * last written belongs to the year before. */
		if (line[4] != '-' && ts->mtime_us && tl.t_us > ts->mtime_us + 86400LL * 1000000)
			pm_parse_syslog_line(line, ts->year - 1, &tl);
		if (!strcmp(tl.program, "kernel") && !strncmp(tl.message, "Linux version ", 14))
			snprintf(ts->boot, sizeof(ts->boot), "%s#%d", ts->family, ++ts->nboot);
		memset(&r, 0, sizeof(r));
		r.t_us = tl.t_us;
		r.boot = ts->boot;
		r.source = ts->family;
		r.program = tl.program;
		r.pid = tl.pid;
		r.unit = "";
		r.message = tl.message;
		r.coredump_signal = -1;
		pm_feed(pm, &r);
	}
}
