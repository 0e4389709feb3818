/* LVM2's on-disk format, read only (lvm2's lib/label/label.h,
 * lib/format_text/layout.h, and the text format of
 * lib/format_text/export.c). Everything here is outside input: every
 * offset and size is checked against the buffer before it is used. */
#include "postmortem/lvm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LVM_INITIAL_CRC 0xf597a6cfu
/* The mda header's magic, FMTT_MAGIC in layout.h. */
static const uint8_t mda_magic[16] = " LVM2 x[5A%r0N*>";

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

uint32_t lvm_crc(uint32_t crc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return crc;
}

static void uuid_plain(char *dst, size_t size, const char *src)
{
	size_t k = 0;

	for (; *src && k + 1 < size; src++)
		if (*src != '-')
			dst[k++] = *src;
	dst[k] = '\0';
}

int lvm_parse_label(const uint8_t *b, size_t len, struct lvm_label *l, char *err, size_t esz)
{
	memset(l, 0, sizeof(*l));
	for (int s = 0; s < LVM_LABEL_SCAN_SECTORS && (size_t)(s + 1) * LVM_SECTOR <= len; s++) {
		const uint8_t *h = b + (size_t)s * LVM_SECTOR;
		uint32_t off;
		const uint8_t *pv, *end = h + LVM_SECTOR;
		bool data_done = false;

		if (memcmp(h, "LABELONE", 8))
			continue;
		/* label_header: id[8], sector_xl, crc_xl (over offset_xl to the
		 * sector's end), offset_xl (to the pv_header), type[8]. */
		if (get64(h + 8) != (uint64_t)s) {
			snprintf(err, esz, "LVM label in sector %d says sector %llu", s,
				 (unsigned long long)get64(h + 8));
			return -1;
		}
		if (lvm_crc(LVM_INITIAL_CRC, h + 20, LVM_SECTOR - 20) != get32(h + 16)) {
			snprintf(err, esz, "LVM label checksum mismatch (sector %d)", s);
			return -1;
		}
		if (memcmp(h + 24, "LVM2 001", 8)) {
			snprintf(err, esz, "LVM label of an unknown type");
			return -1;
		}
		off = get32(h + 20);
		if (off < 32 || off > LVM_SECTOR - 32 - 8) {
			snprintf(err, esz, "LVM label: pv_header offset %u out of the sector", off);
			return -1;
		}
		pv = h + off;
		/* pv_header: pv_uuid[32], device_size_xl, then two lists of
		 * (offset, size) ending in a zero offset: data areas, metadata areas. */
		for (int i = 0; i < 32; i++)
			l->pv_uuid[i] = pv[i] >= 0x21 && pv[i] < 0x7f ? (char)pv[i] : '?';
		l->pv_uuid[32] = '\0';
		l->dev_size = get64(pv + 32);
		for (const uint8_t *p = pv + 40; p + 16 <= end; p += 16) {
			uint64_t o = get64(p), sz = get64(p + 8);

			if (!data_done) {
				data_done = o == 0;
				continue;
			}
			if (o == 0)
				break;
			l->mda_offset = o;
			l->mda_size = sz;
			break;
		}
		l->sector = s;
		if (!l->mda_offset || l->mda_size < LVM_MDA_HEADER_SIZE) {
			snprintf(err, esz, "LVM physical volume without a metadata area");
			return -1;
		}
		return 0;
	}
	snprintf(err, esz, "no LVM label in the first %d sectors", LVM_LABEL_SCAN_SECTORS);
	return -1;
}

char *lvm_mda_text(const uint8_t *m, size_t len, size_t *tlen, char *err, size_t esz)
{
	uint64_t size, off, tsize, first;
	uint32_t crc;
	char *t;

	if (len < LVM_MDA_HEADER_SIZE) {
		snprintf(err, esz, "LVM metadata area too short (%zu bytes)", len);
		return NULL;
	}
	/* mda_header: checksum_xl (over the rest of its 512 bytes), magic[16],
	 * version, start, size, then raw_locns: offset, size, checksum, flags. */
	if (memcmp(m + 4, mda_magic, 16) || get32(m + 20) != 1) {
		snprintf(err, esz, "no LVM metadata area header (magic or version)");
		return NULL;
	}
	if (lvm_crc(LVM_INITIAL_CRC, m + 4, LVM_MDA_HEADER_SIZE - 4) != get32(m)) {
		snprintf(err, esz, "LVM metadata area header checksum mismatch");
		return NULL;
	}
	size = get64(m + 32);
	off = get64(m + 40);
	tsize = get64(m + 48);
	crc = get32(m + 56);
	if (!off || !tsize) {
		snprintf(err, esz, "LVM metadata area holds no metadata");
		return NULL;
	}
	if (size < LVM_MDA_HEADER_SIZE || off < LVM_MDA_HEADER_SIZE || off >= size ||
	    tsize > size - LVM_MDA_HEADER_SIZE) {
		snprintf(err, esz, "LVM metadata location out of its area (offset %llu, size %llu)",
			 (unsigned long long)off, (unsigned long long)tsize);
		return NULL;
	}
	/* A circular buffer: text that runs past the end goes on after the header. */
	first = tsize <= size - off ? tsize : size - off;
	if (off + first > len || LVM_MDA_HEADER_SIZE + (tsize - first) > len) {
		snprintf(err, esz, "LVM metadata text lies past the %zu bytes read", len);
		return NULL;
	}
	t = malloc(tsize + 1);
	if (!t) {
		snprintf(err, esz, "out of memory");
		return NULL;
	}
	memcpy(t, m + off, first);
	memcpy(t + first, m + LVM_MDA_HEADER_SIZE, tsize - first);
	t[tsize] = '\0';
	if (lvm_crc(LVM_INITIAL_CRC, (const uint8_t *)t, tsize) != crc) {
		snprintf(err, esz, "LVM metadata text checksum mismatch");
		free(t);
		return NULL;
	}
	*tlen = strnlen(t, tsize);
	return t;
}

/* ---- the text format: sections "name { ... }", "key = value", values
 * strings, integers or [lists], "#" comments ---- */

enum tok { T_END, T_NAME, T_STR, T_NUM, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_EQ, T_COMMA, T_BAD };

struct lex {
	const char *start, *p, *end;
	enum tok t;
	char s[256];		/* T_NAME, T_STR (truncated) */
	long long n;		/* T_NUM */
};

static void next(struct lex *x)
{
	size_t k = 0;

	for (;;) {
		while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r'))
			x->p++;
		if (x->p < x->end && *x->p == '#') {
			while (x->p < x->end && *x->p != '\n')
				x->p++;
			continue;
		}
		break;
	}
	x->s[0] = '\0';
	if (x->p >= x->end || !*x->p) {
		x->t = T_END;
		return;
	}
	switch (*x->p) {
	case '{': x->t = T_LBRACE; x->p++; return;
	case '}': x->t = T_RBRACE; x->p++; return;
	case '[': x->t = T_LBRACK; x->p++; return;
	case ']': x->t = T_RBRACK; x->p++; return;
	case '=': x->t = T_EQ; x->p++; return;
	case ',': x->t = T_COMMA; x->p++; return;
	case '"':
		x->p++;
		while (x->p < x->end && *x->p != '"' && *x->p) {
			char c = *x->p++;

			if (c == '\\' && x->p < x->end && *x->p)
				c = *x->p++;
			if (k + 1 < sizeof(x->s))
				x->s[k++] = c;
		}
		x->s[k] = '\0';
		if (x->p >= x->end || *x->p != '"') {
			x->t = T_BAD;
			return;
		}
		x->p++;
		x->t = T_STR;
		return;
	}
	if (*x->p == '-' || (*x->p >= '0' && *x->p <= '9')) {
		bool neg = *x->p == '-', digits = false;
		unsigned long long v = 0;
		const char *q = x->p + neg;

		while (q < x->end && *q >= '0' && *q <= '9') {
			v = v * 10 + (unsigned)(*q++ - '0');
			digits = true;
		}
		/* "1e3"? names may start with a digit too: fall through to a name. */
		if (digits && (q >= x->end || !(*q == '_' || *q == '.' || *q == '+' || (*q >= 'A' && *q <= 'Z') ||
						 (*q >= 'a' && *q <= 'z') || *q == '-' || (*q >= '0' && *q <= '9')))) {
			x->p = q;
			x->n = neg ? -(long long)(v & 0x7fffffffffffffffull) : (long long)(v & 0x7fffffffffffffffull);
			x->t = T_NUM;
			return;
		}
	}
	while (x->p < x->end && *x->p &&
	       ((*x->p >= 'A' && *x->p <= 'Z') || (*x->p >= 'a' && *x->p <= 'z') || (*x->p >= '0' && *x->p <= '9') ||
		*x->p == '_' || *x->p == '.' || *x->p == '+' || *x->p == '-')) {
		if (k + 1 < sizeof(x->s))
			x->s[k++] = *x->p;
		x->p++;
	}
	x->s[k] = '\0';
	x->t = k ? T_NAME : T_BAD;
	if (!k)
		x->p++;
}

/* A value: a scalar, or a list of scalars (kept when vals is given). */
struct val {
	enum tok t;		/* T_STR, T_NUM, or T_LBRACK for a list */
	char s[256];
	long long n;
	int count;		/* list length */
};

#define LIST_MAX (2 * LVM_MAX_STRIPES)

static int value(struct lex *x, struct val *v, struct val *items, int max)
{
	memset(v, 0, sizeof(*v));
	if (x->t == T_STR || x->t == T_NUM) {
		v->t = x->t;
		memcpy(v->s, x->s, sizeof(v->s));
		v->n = x->n;
		next(x);
		return 0;
	}
	if (x->t != T_LBRACK)
		return -1;
	v->t = T_LBRACK;
	next(x);
	while (x->t != T_RBRACK) {
		if (x->t != T_STR && x->t != T_NUM)
			return -1;
		if (items && v->count < max) {
			items[v->count].t = x->t;
			memcpy(items[v->count].s, x->s, sizeof(x->s));
			items[v->count].n = x->n;
		}
		v->count++;
		next(x);
		if (x->t == T_COMMA)
			next(x);
		else if (x->t != T_RBRACK)
			return -1;
	}
	next(x);
	return 0;
}

enum sect { S_TOP, S_VG, S_PVS, S_PV, S_LVS, S_LV, S_SEG, S_OTHER };

struct parse {
	struct lvm_vg *vg;
	char *err;
	size_t esz;
	bool have_vg;
};

#define MAX_DEPTH 8

static uint64_t unum(const struct val *v)
{
	return v->t == T_NUM && v->n > 0 ? (uint64_t)v->n : 0;
}

static void assign(struct parse *ps, enum sect s, const char *key, const struct val *v, const struct val *items)
{
	struct lvm_vg *vg = ps->vg;

	if (s == S_VG) {
		if (!strcmp(key, "extent_size"))
			vg->extent_size = unum(v);
		else if (!strcmp(key, "seqno"))
			vg->seqno = unum(v);
	} else if (s == S_PV && vg->npvs > 0) {
		struct lvm_pv *pv = &vg->pvs[vg->npvs - 1];

		if (!strcmp(key, "id") && v->t == T_STR)
			uuid_plain(pv->uuid, sizeof(pv->uuid), v->s);
		else if (!strcmp(key, "pe_start"))
			pv->pe_start = unum(v);
		else if (!strcmp(key, "pe_count"))
			pv->pe_count = unum(v);
	} else if (s == S_LV && vg->nlvs > 0) {
		struct lvm_lv *lv = &vg->lvs[vg->nlvs - 1];

		if (!strcmp(key, "status") && v->t == T_LBRACK)
			for (int i = 0; i < v->count && i < LIST_MAX; i++)
				lv->visible |= items[i].t == T_STR && !strcmp(items[i].s, "VISIBLE");
		else if (!strcmp(key, "segment_count"))
			lv->segment_count = (int)(unum(v) > 1000000 ? 1000000 : unum(v));
	} else if (s == S_SEG && vg->nlvs > 0 && vg->lvs[vg->nlvs - 1].nsegs > 0) {
		struct lvm_lv *lv = &vg->lvs[vg->nlvs - 1];
		struct lvm_seg *sg = &lv->segs[lv->nsegs - 1];

		if (!strcmp(key, "start_extent"))
			sg->start_extent = unum(v);
		else if (!strcmp(key, "extent_count"))
			sg->extent_count = unum(v);
		else if (!strcmp(key, "type") && v->t == T_STR)
			snprintf(sg->type, sizeof(sg->type), "%.31s", v->s);
		else if (!strcmp(key, "stripe_count"))
			sg->stripe_count = (int)(unum(v) > 1000 ? 1000 : unum(v));
		else if (!strcmp(key, "stripes") && v->t == T_LBRACK) {
			/* "pv0", 0, "pv1", 0: pairs of PV name and first extent.
			 * lvm2 writes physical_volumes before logical_volumes, so
			 * the names resolve now; an unknown one stays -1. */
			sg->nstripes = v->count / 2;
			for (int i = 0; i + 1 < v->count && i + 1 < LIST_MAX; i += 2) {
				int k = i / 2;

				sg->pv[k] = -1;
				for (int p = 0; items[i].t == T_STR && p < vg->npvs; p++)
					if (!strcmp(items[i].s, vg->pvs[p].name))
						sg->pv[k] = p;
				sg->pe[k] = unum(&items[i + 1]);
			}
		}
	}
}

/* Which section a "name {" opens inside section s (and sets it up). */
static enum sect open_sect(struct parse *ps, enum sect s, const char *name)
{
	struct lvm_vg *vg = ps->vg;

	switch (s) {
	case S_TOP:
		if (ps->have_vg)
			return S_OTHER; /* one VG per metadata text */
		ps->have_vg = true;
		snprintf(vg->name, sizeof(vg->name), "%.127s", name);
		return S_VG;
	case S_VG:
		if (!strcmp(name, "physical_volumes"))
			return S_PVS;
		if (!strcmp(name, "logical_volumes"))
			return S_LVS;
		return S_OTHER;
	case S_PVS:
		if (vg->npvs >= LVM_MAX_PVS)
			return S_OTHER;
		memset(&vg->pvs[vg->npvs], 0, sizeof(vg->pvs[0]));
		snprintf(vg->pvs[vg->npvs].name, sizeof(vg->pvs[0].name), "%.63s", name);
		vg->npvs++;
		return S_PV;
	case S_LVS:
		if (vg->nlvs >= LVM_MAX_LVS)
			return S_OTHER;
		memset(&vg->lvs[vg->nlvs], 0, sizeof(vg->lvs[0]));
		snprintf(vg->lvs[vg->nlvs].name, sizeof(vg->lvs[0].name), "%.127s", name);
		vg->nlvs++;
		return S_LV;
	case S_LV: {
		struct lvm_lv *lv = &vg->lvs[vg->nlvs - 1];

		if (strncmp(name, "segment", 7))
			return S_OTHER;
		if (lv->nsegs >= LVM_MAX_SEGS) {
			lv->nsegs++; /* counted: the LV is then refused as too fragmented */
			return S_OTHER;
		}
		memset(&lv->segs[lv->nsegs], 0, sizeof(lv->segs[0]));
		for (int k = 0; k < LVM_MAX_STRIPES; k++)
			lv->segs[lv->nsegs].pv[k] = -1;
		lv->nsegs++;
		return S_SEG;
	}
	default:
		return S_OTHER;
	}
}

static int items(struct lex *x, struct parse *ps, enum sect s, int depth)
{
	struct val *list = calloc(LIST_MAX, sizeof(*list));
	int rc = -1;

	if (!list) {
		snprintf(ps->err, ps->esz, "out of memory");
		return -1;
	}
	for (;;) {
		char name[256];
		struct val v;

		if (x->t == T_END) {
			if (depth)
				snprintf(ps->err, ps->esz, "LVM metadata ends inside a section");
			else
				rc = 0;
			break;
		}
		if (x->t == T_RBRACE) {
			if (!depth)
				snprintf(ps->err, ps->esz, "LVM metadata: unbalanced '}'");
			else
				rc = 0;
			break;
		}
		if (x->t != T_NAME) {
			snprintf(ps->err, ps->esz, "LVM metadata: a name expected near byte %td", x->p - x->start);
			break;
		}
		memcpy(name, x->s, sizeof(name));
		next(x);
		if (x->t == T_EQ) {
			next(x);
			if (value(x, &v, list, LIST_MAX) < 0) {
				snprintf(ps->err, ps->esz, "LVM metadata: bad value for %.60s", name);
				break;
			}
			assign(ps, s, name, &v, list);
			continue;
		}
		if (x->t != T_LBRACE || depth + 1 >= MAX_DEPTH) {
			snprintf(ps->err, ps->esz, "LVM metadata: '=' or '{' expected after %.60s", name);
			break;
		}
		next(x);
		if (items(x, ps, open_sect(ps, s, name), depth + 1) < 0)
			break;
		next(x); /* the '}' */
	}
	free(list);
	return rc;
}

int lvm_parse_text(const char *text, size_t len, struct lvm_vg *vg, char *err, size_t esz)
{
	struct parse *ps = calloc(1, sizeof(*ps));
	struct lex x = { .start = text, .p = text, .end = text + len };
	int rc;

	memset(vg, 0, sizeof(*vg));
	if (!ps) {
		snprintf(err, esz, "out of memory");
		return -1;
	}
	ps->vg = vg;
	ps->err = err;
	ps->esz = esz;
	next(&x);
	rc = items(&x, ps, S_TOP, 0);
	if (rc == 0 && !ps->have_vg) {
		snprintf(err, esz, "LVM metadata without a volume group");
		rc = -1;
	}
	if (rc == 0 && !vg->extent_size) {
		snprintf(err, esz, "LVM metadata of VG %.100s without an extent size", vg->name);
		rc = -1;
	}
	free(ps);
	return rc;
}

int lvm_pv_by_uuid(const struct lvm_vg *vg, const char *uuid)
{
	char u[64];

	uuid_plain(u, sizeof(u), uuid);
	for (int i = 0; i < vg->npvs; i++)
		if (vg->pvs[i].uuid[0] && !strcmp(vg->pvs[i].uuid, u))
			return i;
	return -1;
}

int lvm_linear_table(const struct lvm_vg *vg, const struct lvm_lv *lv, struct lvm_linear *out, int max, char *why,
		     size_t wsz)
{
	uint64_t next_extent = 0, es = vg->extent_size;
	/* 2^63 sectors is past any disk: anything larger is damage. */
	const uint64_t lim = (uint64_t)1 << 40;

	if (lv->nsegs == 0 || lv->nsegs > LVM_MAX_SEGS || lv->nsegs > max) {
		snprintf(why, wsz, "%d segments", lv->nsegs);
		return -1;
	}
	if (lv->segment_count && lv->segment_count != lv->nsegs) {
		snprintf(why, wsz, "segment_count %d but %d segments", lv->segment_count, lv->nsegs);
		return -1;
	}
	if (!es || es > lim) {
		snprintf(why, wsz, "extent size %llu", (unsigned long long)es);
		return -1;
	}
	for (int i = 0; i < lv->nsegs; i++) {
		const struct lvm_seg *s = &lv->segs[i];
		const struct lvm_pv *pv;

		if (strcmp(s->type, "striped")) {
			snprintf(why, wsz, "segment %d is %.30s", i + 1, s->type[0] ? s->type : "of no type");
			return -1;
		}
		if (s->stripe_count != 1 || s->nstripes != 1) {
			snprintf(why, wsz, "segment %d is striped over %d", i + 1, s->stripe_count);
			return -1;
		}
		if (s->pv[0] < 0) {
			snprintf(why, wsz, "segment %d maps onto no physical volume of the VG", i + 1);
			return -1;
		}
		pv = &vg->pvs[s->pv[0]];
		if (s->start_extent != next_extent || !s->extent_count || s->extent_count > lim ||
		    s->pe[0] > lim || (pv->pe_count && s->pe[0] + s->extent_count > pv->pe_count) || pv->pe_start > lim) {
			snprintf(why, wsz, "segment %d: extents out of order or out of its PV", i + 1);
			return -1;
		}
		out[i].start = s->start_extent * es;
		out[i].length = s->extent_count * es;
		out[i].pv = s->pv[0];
		out[i].offset = pv->pe_start + s->pe[0] * es;
		next_extent += s->extent_count;
	}
	return lv->nsegs;
}
