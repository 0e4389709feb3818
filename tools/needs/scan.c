/* The scan of `triage needs`: executable sections decoded linearly, counts
 * per extension, unconditional or behind runtime dispatch. */
#include "needs/needs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/faultinsn.h"
#include "lib/pvetypes.h"
#include "lib/util.h"

/* Name parts that mark a dispatch variant, after a '_' or '.' or at the
 * start: glibc's multiarch (__memmove_avx_unaligned_erms, __strlen_evex),
 * GCC's target_clones (foo.avx2.0, foo.arch_x86_64_v3.1), OpenSSL and
 * libraries in its style (aesni_*, *_avx512, *_shaext). "open" parts may be
 * followed by letters (avx512bw, avx512vl); the others must end the name
 * or be followed by '_', '.' or a digit, so "_fma" does not match "_format". */
static const struct {
	const char *part;
	bool open;
} dispatch_parts[] = {
	{ "avx512", true }, { "avx10", true }, { "avx2", false }, { "avx", false }, { "evex", true },
	{ "sse3", false }, { "ssse3", false }, { "sse4", true }, { "sse42", false },
	{ "fma", false }, { "fma4", false }, { "bmi", false }, { "bmi2", false }, { "popcnt", false },
	{ "lzcnt", false }, { "movbe", false }, { "aesni", false }, { "vaes", false }, { "shaext", false },
	{ "shani", false }, { "sha_ni", false }, { "pclmul", true }, { "clmul", false }, { "vpclmul", true },
	{ "gfni", false }, { "vnni", false }, { "avxvnni", false }, { "f16c", false }, { "x86_64_v", true },
	{ "haswell", false }, { "skylake", true }, { "icelake", true }, { "znver", true }, { "rtm", false },
	{ "erms", false },
};

bool needs_dispatch_name(const char *name)
{
	char low[128];
	size_t n = 0;

	for (; name[n] && n < sizeof(low) - 1; n++)
		low[n] = (char)tolower((unsigned char)name[n]);
	low[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(dispatch_parts); i++) {
		size_t pl = strlen(dispatch_parts[i].part);

		for (const char *p = strstr(low, dispatch_parts[i].part); p; p = strstr(p + 1, dispatch_parts[i].part)) {
			char before = p == low ? '_' : p[-1], after = p[pl];

			if (before != '_' && before != '.')
				continue;
			if (dispatch_parts[i].open || !after || after == '_' || after == '.' || isdigit((unsigned char)after))
				return true;
		}
	}
	return false;
}

int needs_declared_level(uint32_t isa_needed)
{
	int level = 0;

	for (int b = 0; b < 4; b++)
		if (isa_needed >> b & 1)
			level = b + 1;
	return level;
}

const char *needs_pve_type(x86_exts_t set, x86_exts_t *unjudged)
{
	return fault_pve_type(set, unjudged);
}

x86_exts_t needs_missing_on(const char *type, x86_exts_t set, bool *known)
{
	const struct pve_type *t = pve_type_find(type);
	x86_exts_t miss = 0;

	*known = t != NULL;
	if (!t)
		return 0;
	for (int b = 0; b < X86_NEXTS; b++)
		if ((set >> b & 1) && !pve_type_has(t, x86_exts[b].name))
			miss |= 1ULL << b;
	return miss;
}

static bool cpu_check_symbol(void *ctx, const char *name, uint64_t addr, unsigned type)
{
	struct needs_scan *s = ctx;

	(void)addr;
	(void)type;
	/* libgcc's __builtin_cpu_supports, glibc's cpu_features */
	if (!strcmp(name, "__cpu_model") || !strcmp(name, "__cpu_indicator_init") || strstr(name, "cpu_features")) {
		s->cpu_model = true;
		return false;
	}
	return true;
}

static void count(struct needs_scan *s, int cls, const struct x86_insn *in, uint64_t addr, const struct elf_sym *fn)
{
	for (int b = 0; b < X86_NEXTS; b++) {
		struct needs_ext *x;

		if (!(in->needs >> b & 1))
			continue;
		x = &s->ext[cls][b];
		x->count++;
		if (x->nfirst < NEEDS_FIRST) {
			struct needs_site *site = &x->first[x->nfirst++];

			site->addr = addr;
			snprintf(site->symbol, sizeof(site->symbol), "%s", fn ? fn->name : "");
			snprintf(site->mnemonic, sizeof(site->mnemonic), "%s", in->mnemonic);
		}
	}
	s->set[cls] |= in->needs;
}

/* Executable sections: where code is. */
struct code {
	const struct elf *e;
	struct { uint64_t addr, size; const uint8_t *p; } sec[64];
	int nsec;
};

static const uint8_t *code_at(const struct code *c, uint64_t addr, uint64_t *avail)
{
	for (int i = 0; i < c->nsec; i++)
		if (addr >= c->sec[i].addr && addr - c->sec[i].addr < c->sec[i].size) {
			*avail = c->sec[i].size - (addr - c->sec[i].addr);
			return c->sec[i].p + (addr - c->sec[i].addr);
		}
	return NULL;
}

/* The target of a direct call or jump, or of lea reg, [rip+disp32]. */
static bool branch_target(const uint8_t *p, const struct x86_insn *in, uint64_t addr, uint64_t *to, bool *is_lea)
{
	int32_t rel;

	*is_lea = false;
	if (in->enc != X86_LEGACY)
		return false;
	if (in->map == 0 && (in->op == 0xe8 || in->op == 0xe9 || (in->op == 0x8d && (in->modrm & 0xc7) == 5))) {
		memcpy(&rel, p + in->len - 4, 4);
		*is_lea = in->op == 0x8d;
	} else if (in->map == 1 && in->op >= 0x80 && in->op <= 0x8f) {
		memcpy(&rel, p + in->len - 4, 4);
	} else if (in->map == 0 && (in->op == 0xeb || (in->op >= 0x70 && in->op <= 0x7f))) {
		rel = (int8_t)p[in->len - 1];
	} else {
		return false;
	}
	*to = addr + (uint64_t)in->len + (uint64_t)(int64_t)rel;
	return true;
}

/* Resolvers are short: a CPU-feature test or two and a choice of leas;
 * GCC moves some branches to .text.unlikely, so jumps are followed. */
#define RESOLVER_MAX_INSNS 200
#define RESOLVER_MAX_BLOCKS 32

static void add_addr(uint64_t **a, size_t *n, size_t *cap, uint64_t v)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*a = xrealloc(*a, *cap * sizeof(**a));
	}
	(*a)[(*n)++] = v;
}

/* The lea targets in code of one resolver: the variants it may return. */
static void resolver_variants(const struct code *c, uint64_t start, uint64_t **out, size_t *n, size_t *cap)
{
	uint64_t work[RESOLVER_MAX_BLOCKS];
	int nwork = 0, done = 0, insns = 0;

	work[nwork++] = start;
	while (done < nwork && insns < RESOLVER_MAX_INSNS) {
		uint64_t addr = work[done++], avail;
		const uint8_t *p;

		while (insns++ < RESOLVER_MAX_INSNS && (p = code_at(c, addr, &avail))) {
			struct x86_insn in;
			uint64_t to;
			bool lea;

			if (!x86_decode(p, avail, &in))
				break;
			if (branch_target(p, &in, addr, &to, &lea)) {
				uint64_t av2;

				if (lea && code_at(c, to, &av2))
					add_addr(out, n, cap, to);
				else if (!lea && in.op != 0xe8 && nwork < RESOLVER_MAX_BLOCKS)
					work[nwork++] = to;
			}
			if (in.map == 0 && (in.op == 0xc3 || in.op == 0xe9 || in.op == 0xeb || in.op == 0xcc))
				break; /* ret, jmp: the block ends */
			addr += (uint64_t)in.len;
		}
	}
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Variant regions [start, end): from a variant's entry to the next known
 * function start (a symbol, a call target, another variant). */
struct regions {
	uint64_t *start, *end;
	size_t n;
};

static bool in_region(const struct regions *r, uint64_t addr)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->start[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && addr < r->end[lo - 1];
}

#define MAX_RESOLVERS 4096
#define MAX_RELATIVE (1 << 20)

static void find_variants(const struct elf *e, const struct code *c, const struct elf_sym *syms, size_t nsyms,
			  struct regions *r, struct needs_scan *s)
{
	uint64_t *res = xmalloc(MAX_RESOLVERS * sizeof(*res));
	size_t nres = elf_ifunc_resolvers(e, res, MAX_RESOLVERS);
	uint64_t *var = NULL, *starts = NULL;
	size_t nvar = 0, cvar = 0, nst = 0, cst = 0;

	memset(r, 0, sizeof(*r));
	/* An ifunc symbol and its IRELATIVE relocation name one resolver. */
	qsort(res, nres, sizeof(*res), u64_cmp);
	for (size_t i = 0; i < nres; i++) {
		if (i && res[i] == res[i - 1])
			continue;
		s->ifunc_resolvers++;
		resolver_variants(c, res[i], &var, &nvar, &cvar);
	}
	free(res);
	if (!nvar)
		return;
	qsort(var, nvar, sizeof(*var), u64_cmp);
	/* Function starts: symbols, call targets, relocated pointers into
	 * code (function tables of a PIE), resolvers' choices. */
	for (size_t i = 0; i < nsyms; i++)
		add_addr(&starts, &nst, &cst, syms[i].addr);
	{
		uint64_t *rel = xmalloc(MAX_RELATIVE * sizeof(*rel)), av;
		size_t nrel = elf_relative_addends(e, rel, MAX_RELATIVE);

		for (size_t i = 0; i < nrel; i++)
			if (code_at(c, rel[i], &av))
				add_addr(&starts, &nst, &cst, rel[i]);
		free(rel);
	}
	for (size_t i = 0; i < nvar; i++)
		add_addr(&starts, &nst, &cst, var[i]);
	for (int k = 0; k < c->nsec; k++) {
		add_addr(&starts, &nst, &cst, c->sec[k].addr + c->sec[k].size);
		for (uint64_t off = 0; off < c->sec[k].size;) {
			struct x86_insn in;
			int len = x86_decode(c->sec[k].p + off, c->sec[k].size - off, &in);
			uint64_t to;
			bool lea;

			if (!len) {
				off++;
				continue;
			}
			/* Not the leas: glibc's string functions take addresses of
			 * their own labels, which would cut a variant short. */
			if (in.map == 0 && in.op == 0xe8 &&
			    branch_target(c->sec[k].p + off, &in, c->sec[k].addr + off, &to, &lea))
				add_addr(&starts, &nst, &cst, to);
			off += (uint64_t)len;
		}
	}
	qsort(starts, nst, sizeof(*starts), u64_cmp);
	r->start = xmalloc(nvar * sizeof(uint64_t));
	r->end = xmalloc(nvar * sizeof(uint64_t));
	for (size_t i = 0, j = 0; i < nvar; i++) {
		if (i && var[i] == var[i - 1])
			continue;
		while (j < nst && starts[j] <= var[i])
			j++;
		r->start[r->n] = var[i];
		r->end[r->n] = j < nst ? starts[j] : var[i];
		r->n++;
	}
	s->ifunc_variants = (unsigned)r->n;
	free(var);
	free(starts);
}

static void add_code(struct code *c, struct needs_scan *s, const char *name, uint64_t addr, const uint8_t *p,
		     uint64_t size)
{
	if (c->nsec == (int)ARRAY_SIZE(c->sec)) {
		snprintf(s->err, sizeof(s->err), "more than %zu executable sections: the rest not scanned",
			 ARRAY_SIZE(c->sec));
		return;
	}
	c->sec[c->nsec].addr = addr;
	c->sec[c->nsec].size = size;
	c->sec[c->nsec].p = p;
	c->nsec++;
	s->nsections++;
	str_append(s->sections, sizeof(s->sections), " ", "%s", name[0] ? name : "?");
	s->code_bytes += size;
}

/* The executable sections; a file without section headers (sstrip,
 * some packers) by its executable PT_LOAD segments instead. */
static void collect_code(const struct elf *e, struct code *c, struct needs_scan *s)
{
	struct elf_sec sec;
	struct elf_seg seg;
	const uint8_t *p;

	for (unsigned i = 0; i < e->shnum; i++) {
		if (!elf_shdr(e, i, &sec) || !(sec.flags & ELF_SHF_EXECINSTR) || sec.type == ELF_SHT_NOBITS || !sec.size)
			continue;
		if (!(p = elf_bytes(e, sec.offset, sec.size))) {
			snprintf(s->err, sizeof(s->err), "section %.40s (%llu bytes at %#llx) runs past the end of the file",
				 sec.name, (unsigned long long)sec.size, (unsigned long long)sec.offset);
			continue;
		}
		add_code(c, s, sec.name, sec.addr, p, sec.size);
	}
	if (c->nsec)
		return;
	for (unsigned i = 0; i < e->phnum; i++) {
		uint64_t size;

		if (!elf_phdr(e, i, &seg) || seg.type != ELF_PT_LOAD || !(seg.flags & ELF_PF_X) || !seg.filesz ||
		    seg.offset >= e->size)
			continue;
		size = seg.filesz < e->size - seg.offset ? seg.filesz : e->size - seg.offset;
		add_code(c, s, "(PT_LOAD)", seg.vaddr, e->data + seg.offset, size);
	}
	if (c->nsec && !s->err[0])
		snprintf(s->err, sizeof(s->err), "no section headers: decoded the executable segments (headers and data in them too)");
}

int needs_scan(const uint8_t *data, size_t size, struct needs_scan *s)
{
	struct elf e;
	struct elf_sym *syms;
	size_t nsyms;
	const struct elf_sym *last_fn = NULL;
	bool last_dispatch = false;
	struct code c = { 0 };
	struct regions reg;

	memset(s, 0, sizeof(*s));
	if (elf_open(&e, data, size) < 0) {
		snprintf(s->err, sizeof(s->err), "%s", e.err);
		return -1;
	}
	if (e.err[0])
		snprintf(s->err, sizeof(s->err), "%s", e.err);
	c.e = &e;
	elf_x86_props(&e, &s->props);
	syms = elf_func_symbols(&e, &nsyms);
	s->symbols = nsyms > 0;
	elf_each_symbol(&e, cpu_check_symbol, s);

	collect_code(&e, &c, s);
	find_variants(&e, &c, syms, nsyms, &reg, s);

	for (int k = 0; k < c.nsec; k++) {
		const uint8_t *p = c.sec[k].p;

		for (uint64_t off = 0; off < c.sec[k].size;) {
			struct x86_insn in;
			int len = x86_decode(p + off, c.sec[k].size - off, &in);
			uint64_t addr = c.sec[k].addr + off;

			if (!len) {
				s->undecoded++;
				off++;
				continue;
			}
			s->insns++;
			if (in.map == 1 && in.op == 0xa2 && in.enc == X86_LEGACY)
				s->cpuid++;
			if (in.needs) {
				const struct elf_sym *fn = nsyms ? elf_sym_at(syms, nsyms, addr) : NULL;
				bool dispatch;

				if (fn != last_fn || !fn) {
					last_fn = fn;
					last_dispatch = fn && needs_dispatch_name(fn->name);
					if (last_dispatch) {
						s->dispatch_funcs++;
						if (!s->dispatch_example[0])
							snprintf(s->dispatch_example, sizeof(s->dispatch_example), "%s", fn->name);
					}
				}
				/* xgetbv reads XCR0 to learn whether the OS enabled AVX: it
				 * is part of a CPU check, guarded by CPUID's OSXSAVE bit. */
				dispatch = last_dispatch || in_region(&reg, addr) ||
					   (in.map == 1 && in.op == 0x01 && in.modrm == 0xd0);
				count(s, dispatch ? NEEDS_IF_REACHED : NEEDS_ALWAYS, &in, addr, fn);
			}
			off += (uint64_t)len;
		}
	}
	free(reg.start);
	free(reg.end);
	free(syms);
	if (!s->nsections) {
		if (!s->err[0])
			snprintf(s->err, sizeof(s->err), "no executable sections (stripped of section headers?)");
		return -1;
	}
	return 0;
}

int needs_list(const uint8_t *data, size_t size, FILE *o, char *err, size_t errlen)
{
	struct elf e;
	struct code c = { 0 };
	struct needs_scan *s = xcalloc(1, sizeof(*s));
	char names[512];

	if (elf_open(&e, data, size) < 0) {
		snprintf(err, errlen, "%s", e.err);
		free(s);
		return -1;
	}
	c.e = &e;
	collect_code(&e, &c, s);
	free(s);
	for (int k = 0; k < c.nsec; k++) {
		const uint8_t *p = c.sec[k].p;

		for (uint64_t off = 0; off < c.sec[k].size;) {
			struct x86_insn in;
			int len = x86_decode(p + off, c.sec[k].size - off, &in);
			unsigned long long addr = c.sec[k].addr + off;

			if (!len) {
				fprintf(o, "%llx 1 (bad) -\n", addr);
				off++;
				continue;
			}
			x86_exts_names(in.needs, names, sizeof(names));
			for (char *ch = names; *ch; ch++)
				if (*ch == ' ')
					*ch = ',';
			fprintf(o, "%llx %d %s %s\n", addr, len, in.mnemonic, names[0] ? names : "-");
			off += (uint64_t)len;
		}
	}
	return 0;
}
