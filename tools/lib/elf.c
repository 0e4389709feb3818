/* ELF64 little-endian x86-64 reader: every field read through bounds-
 * checked helpers, since the file may be truncated, corrupt or hostile.
 * Layouts: System V gABI (ELF-64 Object File Format 1.5) and the x86-64
 * psABI "Program Property" section for the GNU property notes. */
#include "elf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define SHDR_SIZE 64
#define SYM_SIZE 24
#define EM_X86_64 62
#define SHT_SYMTAB 2
#define SHT_NOTE 7
#define SHT_DYNSYM 11
#define STT_FUNC 2
#define STT_GNU_IFUNC 10
#define NT_GNU_PROPERTY_TYPE_0 5
#define PROP_X86_ISA_1_USED 0xc0010002U
#define PROP_X86_ISA_1_NEEDED 0xc0008002U
#define PROP_X86_FEATURE_2_USED 0xc0010001U
#define PROP_X86_FEATURE_1_AND 0xc0000002U
#define PAGE 4096ULL /* x86-64 mappings are page-granular */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

const uint8_t *elf_bytes(const struct elf *e, uint64_t off, uint64_t len)
{
	if (off > e->size || len > e->size - off)
		return NULL;
	return e->data + off;
}

int elf_open(struct elf *e, const uint8_t *data, size_t size)
{
	const uint8_t *h = data;
	unsigned phentsize, shentsize;

	memset(e, 0, sizeof(*e));
	e->data = data;
	e->size = size;
	if (size < 4 || memcmp(h, "\177ELF", 4)) {
		snprintf(e->err, sizeof(e->err), "not an ELF file");
		return -1;
	}
	if (size < EHDR_SIZE) {
		snprintf(e->err, sizeof(e->err), "truncated ELF header (%zu bytes)", size);
		return -1;
	}
	if (h[4] != 2 || h[5] != 1) {
		snprintf(e->err, sizeof(e->err), "not ELF64 little-endian (class %u, data %u)", h[4], h[5]);
		return -1;
	}
	if (rd16(h + 18) != EM_X86_64) {
		snprintf(e->err, sizeof(e->err), "not x86-64 (e_machine %u)", rd16(h + 18));
		return -1;
	}
	e->type = rd16(h + 16);
	e->entry = rd64(h + 24);
	e->phoff = rd64(h + 32);
	e->shoff = rd64(h + 40);
	phentsize = rd16(h + 54);
	e->phnum = rd16(h + 56);
	shentsize = rd16(h + 58);
	e->shnum = rd16(h + 60);
	e->shstrndx = rd16(h + 62);
	if (e->phnum && phentsize != PHDR_SIZE) {
		snprintf(e->err, sizeof(e->err), "program header size %u, not %u", phentsize, PHDR_SIZE);
		e->phnum = 0;
	}
	if (e->shnum && shentsize != SHDR_SIZE) {
		snprintf(e->err, sizeof(e->err), "section header size %u, not %u", shentsize, SHDR_SIZE);
		e->shnum = 0;
	}
	/* Extended numbering: the real counts live in section 0. */
	if (e->shoff && e->shnum == 0 && shentsize == SHDR_SIZE && elf_bytes(e, e->shoff, SHDR_SIZE)) {
		uint64_t n = rd64(e->data + e->shoff + 32);

		e->shnum = n > ELF_MAX_SHDRS ? ELF_MAX_SHDRS : (unsigned)n;
		if (e->shstrndx == 0xffff)
			e->shstrndx = rd32(e->data + e->shoff + 40);
	}
	if (e->phnum > ELF_MAX_PHDRS)
		e->phnum = ELF_MAX_PHDRS;
	if (e->phnum && !elf_bytes(e, e->phoff, (uint64_t)e->phnum * PHDR_SIZE)) {
		snprintf(e->err, sizeof(e->err), "program headers (%u at %#llx) run past the end of the file (%zu bytes)",
			 e->phnum, (unsigned long long)e->phoff, size);
		e->phnum = 0;
	}
	if (e->shnum && !elf_bytes(e, e->shoff, (uint64_t)e->shnum * SHDR_SIZE)) {
		if (!e->err[0]) /* the first problem is the one to report */
			snprintf(e->err, sizeof(e->err),
				 "section headers (%u at %#llx) run past the end of the file (%zu bytes)", e->shnum,
				 (unsigned long long)e->shoff, size);
		e->shnum = 0;
	}
	if (e->shstrndx >= e->shnum)
		e->shstrndx = 0;
	return 0;
}

bool elf_phdr(const struct elf *e, unsigned i, struct elf_seg *s)
{
	const uint8_t *p;

	if (i >= e->phnum || !(p = elf_bytes(e, e->phoff + (uint64_t)i * PHDR_SIZE, PHDR_SIZE)))
		return false;
	s->type = rd32(p);
	s->flags = rd32(p + 4);
	s->offset = rd64(p + 8);
	s->vaddr = rd64(p + 16);
	s->filesz = rd64(p + 32);
	s->memsz = rd64(p + 40);
	s->align = rd64(p + 48);
	return true;
}

/* A NUL-terminated string at off inside [tab, tab+tabsize) of the file. */
static const char *strtab_at(const struct elf *e, uint64_t tab, uint64_t tabsize, uint64_t off)
{
	const uint8_t *t = elf_bytes(e, tab, tabsize);

	if (!t || off >= tabsize || !memchr(t + off, 0, tabsize - off))
		return NULL;
	return (const char *)t + off;
}

static bool shdr_raw(const struct elf *e, unsigned i, uint32_t *name, struct elf_sec *s, uint32_t *link,
		     uint64_t *entsize)
{
	const uint8_t *p;

	if (i >= e->shnum || !(p = elf_bytes(e, e->shoff + (uint64_t)i * SHDR_SIZE, SHDR_SIZE)))
		return false;
	*name = rd32(p);
	s->type = rd32(p + 4);
	s->flags = rd64(p + 8);
	s->addr = rd64(p + 16);
	s->offset = rd64(p + 24);
	s->size = rd64(p + 32);
	*link = rd32(p + 40);
	*entsize = rd64(p + 56);
	return true;
}

bool elf_shdr(const struct elf *e, unsigned i, struct elf_sec *s)
{
	uint32_t name, link;
	uint64_t entsize;
	struct elf_sec strs;

	if (!shdr_raw(e, i, &name, s, &link, &entsize))
		return false;
	s->name = "";
	if (e->shstrndx && shdr_raw(e, e->shstrndx, &(uint32_t){ 0 }, &strs, &link, &entsize)) {
		const char *n = strtab_at(e, strs.offset, strs.size, name);

		if (n)
			s->name = n;
	}
	return true;
}

/* Walks the notes in [off, off+len) for NT_GNU_PROPERTY_TYPE_0 of "GNU". */
static void props_in(const struct elf *e, uint64_t off, uint64_t len, struct elf_props *p)
{
	const uint8_t *b = elf_bytes(e, off, len);
	uint64_t i = 0;

	if (!b)
		return;
	while (i <= len && len - i >= 12) {
		uint32_t namesz = rd32(b + i), descsz = rd32(b + i + 4), type = rd32(b + i + 8);
		uint64_t name = i + 12, desc = name + ((namesz + 3ULL) & ~3ULL);
		/* 8-byte alignment of the descriptor and of the next note for
		 * ELF64 property notes (psABI), 4 for the others. */
		uint64_t align = type == NT_GNU_PROPERTY_TYPE_0 ? 8 : 4;

		desc = (desc + align - 1) & ~(align - 1);
		if (desc > len || descsz > len - desc)
			return;
		if (type == NT_GNU_PROPERTY_TYPE_0 && namesz == 4 && !memcmp(b + name, "GNU", 4)) {
			uint64_t j = desc, end = desc + descsz;

			p->found = true;
			while (j <= end && end - j >= 8) {
				uint32_t pt = rd32(b + j), psz = rd32(b + j + 4);

				if (psz > end - j - 8)
					break; /* the property runs past its note */
				if (psz >= 4) {
					uint32_t v = rd32(b + j + 8);

					if (pt == PROP_X86_ISA_1_NEEDED) {
						p->has_needed = true;
						p->isa_needed |= v;
					} else if (pt == PROP_X86_ISA_1_USED) {
						p->has_used = true;
						p->isa_used |= v;
					} else if (pt == PROP_X86_FEATURE_2_USED) {
						p->has_feature_used = true;
						p->feature_used |= v;
					} else if (pt == PROP_X86_FEATURE_1_AND) {
						p->feature_and |= v;
					}
				}
				j += 8 + ((psz + 7ULL) & ~7ULL);
			}
		}
		i = desc + ((descsz + align - 1) & ~(align - 1));
	}
}

void elf_x86_props(const struct elf *e, struct elf_props *p)
{
	struct elf_seg s;
	struct elf_sec sec;
	bool any_pt = false;

	memset(p, 0, sizeof(*p));
	for (unsigned i = 0; i < e->phnum; i++)
		if (elf_phdr(e, i, &s) && s.type == ELF_PT_GNU_PROPERTY) {
			props_in(e, s.offset, s.filesz, p);
			any_pt = true;
		}
	if (!any_pt) /* relocatable objects and old linkers: the section */
		for (unsigned i = 0; i < e->shnum; i++)
			if (elf_shdr(e, i, &sec) && sec.type == SHT_NOTE && !strcmp(sec.name, ".note.gnu.property"))
				props_in(e, sec.offset, sec.size, p);
}

char *elf_isa_names(uint32_t bits, char *buf, size_t size)
{
	static const char *const names[] = { "x86-64-baseline", "x86-64-v2", "x86-64-v3", "x86-64-v4" };
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (unsigned b = 0; b < 32 && size; b++) {
		if (!(bits >> b & 1))
			continue;
		char unknown[24];
		const char *n = b < 4 ? names[b] : (snprintf(unknown, sizeof(unknown), "<unknown: %x>", 1U << b), unknown);
		int w = snprintf(buf + len, size - len, "%s%s", len ? " " : "", n);

		if (w < 0 || (size_t)w >= size - len)
			break;
		len += (size_t)w;
	}
	return buf;
}

bool elf_vaddr_offset(const struct elf *e, uint64_t vaddr, uint64_t *off, uint64_t *avail)
{
	struct elf_seg s;

	for (unsigned i = 0; i < e->phnum; i++) {
		if (!elf_phdr(e, i, &s) || s.type != ELF_PT_LOAD)
			continue;
		if (vaddr < s.vaddr || vaddr - s.vaddr >= s.filesz)
			continue;
		uint64_t o = s.offset + (vaddr - s.vaddr);

		if (o < s.offset || o >= e->size)
			return false;
		*off = o;
		*avail = s.filesz - (vaddr - s.vaddr);
		if (*avail > e->size - o)
			*avail = e->size - o;
		return true;
	}
	return false;
}

bool elf_trap_vaddr(const struct elf *e, uint64_t ip, uint64_t base, uint64_t size, uint64_t *vaddr)
{
	struct elf_seg s;
	bool found = false;

	if (ip < base)
		return false;
	for (unsigned i = 0; i < e->phnum; i++) {
		if (!elf_phdr(e, i, &s) || s.type != ELF_PT_LOAD || !(s.flags & ELF_PF_X))
			continue;
		uint64_t start = s.vaddr & ~(PAGE - 1);
		uint64_t extent = ((s.vaddr + s.memsz + PAGE - 1) & ~(PAGE - 1)) - start;
		/* ET_EXEC is mapped where its addresses say; ET_DYN at a bias
		 * that puts this segment's first page at base. */
		uint64_t v = e->type == ELF_ET_EXEC ? ip : ip - base + start;

		if (v < s.vaddr || v - s.vaddr >= s.memsz)
			continue;
		if (extent == size || !found) {
			*vaddr = v;
			found = true;
			if (extent == size)
				return true;
		}
	}
	return found;
}

void elf_each_symbol(const struct elf *e, bool (*fn)(void *ctx, const char *name, uint64_t addr, unsigned type),
		     void *ctx)
{
	struct elf_sec s, strs;
	uint32_t name, link, l2;
	uint64_t entsize, e2;

	for (unsigned i = 0; i < e->shnum; i++) {
		if (!shdr_raw(e, i, &name, &s, &link, &entsize) || (s.type != SHT_SYMTAB && s.type != SHT_DYNSYM) ||
		    entsize != SYM_SIZE)
			continue;
		if (!shdr_raw(e, link, &name, &strs, &l2, &e2) || !elf_bytes(e, s.offset, s.size))
			continue;
		for (uint64_t j = 0; j + SYM_SIZE <= s.size; j += SYM_SIZE) {
			const uint8_t *p = e->data + s.offset + j;
			const char *nm = strtab_at(e, strs.offset, strs.size, rd32(p));

			if (nm && nm[0] && !fn(ctx, nm, rd64(p + 8), p[4] & 0xf))
				return;
		}
	}
}

#define SHT_RELA 4
#define RELA_SIZE 24
#define R_X86_64_IRELATIVE 37

struct ifunc_ctx {
	uint64_t *out;
	size_t n, max;
};

static bool ifunc_sym(void *ctx, const char *name, uint64_t addr, unsigned type)
{
	struct ifunc_ctx *c = ctx;

	(void)name;
	if (type == STT_GNU_IFUNC && addr && c->n < c->max)
		c->out[c->n++] = addr;
	return c->n < c->max;
}

#define R_X86_64_RELATIVE 8

static size_t rela_addends(const struct elf *e, uint32_t type, uint64_t *out, size_t max)
{
	struct elf_sec s;
	uint32_t name, link;
	uint64_t entsize;
	size_t n = 0;

	for (unsigned i = 0; i < e->shnum && n < max; i++) {
		const uint8_t *p;

		if (!shdr_raw(e, i, &name, &s, &link, &entsize) || s.type != SHT_RELA || entsize != RELA_SIZE)
			continue;
		if (!(p = elf_bytes(e, s.offset, s.size)))
			continue;
		for (uint64_t j = 0; j + RELA_SIZE <= s.size && n < max; j += RELA_SIZE)
			if ((rd64(p + j + 8) & 0xffffffffU) == type)
				out[n++] = rd64(p + j + 16);
	}
	return n;
}

size_t elf_relative_addends(const struct elf *e, uint64_t *out, size_t max)
{
	return rela_addends(e, R_X86_64_RELATIVE, out, max);
}

size_t elf_ifunc_resolvers(const struct elf *e, uint64_t *out, size_t max)
{
	struct ifunc_ctx c = { out, 0, max };

	c.n = rela_addends(e, R_X86_64_IRELATIVE, out, max);
	elf_each_symbol(e, ifunc_sym, &c);
	return c.n;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static struct elf_sym *syms_of(const struct elf *e, uint32_t want, size_t *n)
{
	struct elf_sec s, strs;
	uint32_t name, link, l2;
	uint64_t entsize, e2;
	struct elf_sym *out = NULL;
	size_t cnt = 0, cap = 0;

	for (unsigned i = 0; i < e->shnum; i++) {
		if (!shdr_raw(e, i, &name, &s, &link, &entsize) || s.type != want || entsize != SYM_SIZE)
			continue;
		if (!shdr_raw(e, link, &name, &strs, &l2, &e2) || !elf_bytes(e, s.offset, s.size))
			continue;
		for (uint64_t j = 0; j + SYM_SIZE <= s.size; j += SYM_SIZE) {
			const uint8_t *p = e->data + s.offset + j;
			unsigned t = p[4] & 0xf;
			uint64_t addr = rd64(p + 8);
			const char *nm;

			if ((t != STT_FUNC && t != STT_GNU_IFUNC) || !addr || rd16(p + 6) == 0)
				continue;
			if (!(nm = strtab_at(e, strs.offset, strs.size, rd32(p))) || !nm[0])
				continue;
			if (cnt == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				struct elf_sym *m = realloc(out, ncap * sizeof(*out));

				if (!m)
					break;
				out = m;
				cap = ncap;
			}
			out[cnt++] = (struct elf_sym){ addr, rd64(p + 16), nm, t == STT_GNU_IFUNC };
		}
	}
	*n = cnt;
	if (out)
		qsort(out, cnt, sizeof(*out), sym_cmp);
	return out;
}

struct elf_sym *elf_func_symbols(const struct elf *e, size_t *n)
{
	struct elf_sym *s = syms_of(e, SHT_SYMTAB, n);

	if (!*n) {
		free(s);
		s = syms_of(e, SHT_DYNSYM, n);
	}
	if (!*n) {
		free(s);
		return NULL;
	}
	return s;
}

/* Sizes of 0 (hand-written assembly) are trusted for this far. */
#define SYM_NOSIZE_REACH 65536

const struct elf_sym *elf_sym_at(const struct elf_sym *syms, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* first symbol above addr */
		size_t mid = lo + (hi - lo) / 2;

		if (syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Among aliases at the same address the last one wins; any is fine. */
	for (size_t i = lo; i-- > 0;) {
		const struct elf_sym *s = &syms[i];

		if (s->size ? addr - s->addr < s->size : addr - s->addr < SYM_NOSIZE_REACH)
			return s;
		if (addr - s->addr >= SYM_NOSIZE_REACH)
			break;
	}
	return NULL;
}
