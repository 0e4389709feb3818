/* The instruction at a trap and its verdict (faultinsn.h). */
#include "faultinsn.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf.h"
#include "isaresult.h"
#include "pvetypes.h"
#include "util.h"

/* Where the loader and PATH find what a trap names by its base name
 * (ld.so(8) default paths on Debian and RHEL; glibc-hwcaps first, as the
 * loader prefers them). */
static const char *const search_dirs[] = {
	"/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v4", "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3",
	"/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v2", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib", "/usr/local/bin", "/usr/bin", "/bin",
	"/usr/sbin", "/sbin", "/usr/libexec", "/opt",
};

/* Executables are not read beyond this: see tools/needs. */
#define FAULT_MAX_FILE (1ULL << 30)

const char *fault_pve_type(x86_exts_t set, x86_exts_t *unjudged)
{
	x86_exts_t u = 0;

	for (int b = 0; b < X86_NEXTS; b++) {
		bool named = false;

		for (int t = 0; t < pve_ntypes && !named && (set >> b & 1); t++)
			named = pve_type_has(&pve_types[t], x86_exts[b].name);
		if ((set >> b & 1) && !named)
			u |= 1ULL << b;
	}
	if (unjudged)
		*unjudged = u;
	set &= ~u;
	for (int t = 0; t < pve_ntypes; t++)
		if (fault_type_offers(&pve_types[t], set))
			return pve_types[t].name;
	return NULL;
}

bool fault_type_offers(const struct pve_type *t, x86_exts_t set)
{
	for (int b = 0; b < X86_NEXTS; b++)
		if ((set >> b & 1) && !pve_type_has(t, x86_exts[b].name))
			return false;
	return true;
}

int fault_parse_code(const char *line, uint8_t *out, size_t max, int *ip_index)
{
	const char *p = strstr(line, "Code:");
	int n = 0;

	*ip_index = -1;
	p = p ? p + 5 : line;
	while (*p && (size_t)n < max) {
		bool mark = false;
		unsigned v;
		int used;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '<' || *p == '(') {
			mark = true;
			p++;
		}
		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) || sscanf(p, "%2x%n", &v, &used) != 1)
			break;
		p += used;
		if (mark) {
			if (*p != '>' && *p != ')')
				break;
			p++;
			*ip_index = n;
		}
		out[n++] = (uint8_t)v;
	}
	return n ? n : -1;
}

/* Reads root/dir/name into a buffer, or NULL. */
static uint8_t *read_under(const char *root, const char *path, char *used, size_t usedlen, size_t *len)
{
	snprintf(used, usedlen, "%s%s", root ? root : "", path);
	return (uint8_t *)read_file(used, FAULT_MAX_FILE, len);
}

/* The bytes at the trap from one file, if its executable segments fit the
 * mapping. */
static bool from_file(const uint8_t *d, size_t len, const struct trap_line *t, struct fault_insn *f)
{
	struct elf e;
	uint64_t avail;

	if (elf_open(&e, d, len) < 0) {
		snprintf(f->note, sizeof(f->note), "%.120s: %s", f->path, e.err);
		return false;
	}
	if (t->has_offset) {
		/* The kernel computed it from the mapping's own file offset. */
		if (t->offset >= len) {
			snprintf(f->note, sizeof(f->note), "%.120s: offset %#llx past the end of the file", f->path,
				 (unsigned long long)t->offset);
			return false;
		}
		f->offset = t->offset;
		avail = len - t->offset;
		f->vaddr = 0;
		goto decode;
	}
	if (!elf_trap_vaddr(&e, t->ip, t->base, t->size, &f->vaddr)) {
		snprintf(f->note, sizeof(f->note), "%.120s: no executable segment fits ip %#llx in [%#llx+%#llx]", f->path,
			 (unsigned long long)t->ip, (unsigned long long)t->base, (unsigned long long)t->size);
		return false;
	}
	if (!elf_vaddr_offset(&e, f->vaddr, &f->offset, &avail)) {
		snprintf(f->note, sizeof(f->note), "%.120s: address %#llx is not in the file", f->path,
			 (unsigned long long)f->vaddr);
		return false;
	}
decode:
	if (avail > X86_MAX_LEN)
		avail = X86_MAX_LEN;
	memcpy(f->bytes, d + f->offset, avail);
	f->decoded = x86_decode(f->bytes, avail, &f->insn) > 0;
	f->source = "file";
	return f->decoded;
}

/* The loader takes glibc-hwcaps/x86-64-vN only on a CPU of that level:
 * with isa's level known, the folders above it are not where it looked. */
static bool loader_skips(const char *dir, int level_exec)
{
	const char *h = strstr(dir, "glibc-hwcaps/x86-64-v");
	int n;

	return level_exec > 0 && h && sscanf(h + 21, "%d", &n) == 1 && n > level_exec;
}

static void decode_file(const struct trap_line *t, const char *root, int level_exec, struct fault_insn *f)
{
	size_t len = 0;
	uint8_t *d;

	if (!t->file[0])
		return;
	if (strchr(t->file, '/')) {
		d = read_under(root, t->file, f->path, sizeof(f->path), &len);
		if (!d)
			snprintf(f->note, sizeof(f->note), "%.120s: cannot read", f->path);
		else
			from_file(d, len, t, f);
		free(d);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(search_dirs) && !f->decoded; i++) {
		char rel[512];

		if (loader_skips(search_dirs[i], level_exec))
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", search_dirs[i], t->file);
		d = read_under(root, rel, f->path, sizeof(f->path), &len);
		if (d)
			from_file(d, len, t, f);
		free(d);
	}
	if (!f->decoded && !f->note[0])
		/* No root in the words: the caller shows paths as the suspect
		 * system knows them. */
		snprintf(f->note, sizeof(f->note), "%.120s not found in the loader's directories", t->file);
}

/* The extensions isa found executing, and those it has a result for
 * (lib/isaresult: one reading of isa's JSON). */
static void isa_sets(const struct jval *isa, x86_exts_t *executes, x86_exts_t *measured)
{
	*executes = *measured = 0;
	for (int b = 0; isa && b < X86_NEXTS; b++) {
		int r = isa_result_executes(isa, x86_exts[b].name);

		if (r >= 0)
			*measured |= 1ULL << b;
		if (r > 0)
			*executes |= 1ULL << b;
	}
}

enum fault_verdict fault_insn(const struct trap_event *t, const char *root, const struct jval *isa,
			      struct fault_insn *f)
{
	x86_exts_t executes, measured;
	char names[256];

	const struct jval *m = json_obj(isa_result(isa), "metrics");

	memset(f, 0, sizeof(*f));
	decode_file(&t->line, root, (int)json_num(m, "level_exec", 0), f);
	if (t->code && t->code_ip >= 0 && (size_t)t->code_ip < t->code_len) {
		const uint8_t *c = t->code + t->code_ip;
		size_t n = t->code_len - (size_t)t->code_ip;

		if (f->decoded && memcmp(c, f->bytes, n < (size_t)f->insn.len ? n : (size_t)f->insn.len)) {
			/* What ran is what the kernel printed: the file changed since. */
			snprintf(f->note, sizeof(f->note), "%.120s differs from the Code: bytes (updated since the crash?): used the Code: bytes",
				 f->path);
			f->decoded = false;
		}
		if (!f->decoded) {
			memcpy(f->bytes, c, n < X86_MAX_LEN ? n : X86_MAX_LEN);
			f->decoded = x86_decode(f->bytes, n < X86_MAX_LEN ? n : X86_MAX_LEN, &f->insn) > 0;
			f->source = "code";
		}
	}
	if (!f->decoded) {
		f->verdict = FAULT_UNKNOWN;
		snprintf(f->summary, sizeof(f->summary), "the instruction at %#llx is unknown: %s",
			 (unsigned long long)t->line.ip, f->note[0] ? f->note : "no file and no Code: bytes");
		return f->verdict;
	}
	f->level = x86_exts_level(f->insn.needs);
	f->pve_type = fault_pve_type(f->insn.needs, NULL);
	if (!(f->insn.needs & ~X86_E(SSE2))) {
		f->verdict = FAULT_BASE;
		if (f->insn.map == 1 && f->insn.op == 0x0b)
			snprintf(f->summary, sizeof(f->summary),
				 "died at ud2, which the program executes on purpose (an assertion, __builtin_trap): "
				 "not a CPU-type problem; look at the program");
		else
			snprintf(f->summary, sizeof(f->summary),
				 "died at %s, base x86-64: not a CPU-type problem; look at the program "
				 "(a bug, a bad pointer), memory (triage mem) and the host",
				 f->insn.mnemonic);
		return f->verdict;
	}
	x86_exts_names(f->insn.needs, names, sizeof(names));
	if (!isa) {
		f->verdict = FAULT_NOT_MEASURED;
		snprintf(f->summary, sizeof(f->summary), "died at %s (%s) -> x86-64-v%d, PVE type %s; no isa result to judge it",
			 f->insn.mnemonic, names, f->level, f->pve_type ? f->pve_type : "host");
		return f->verdict;
	}
	isa_sets(isa, &executes, &measured);
	f->missing = f->insn.needs & measured & ~executes;
	f->unmeasured = f->insn.needs & ~measured;
	if (f->missing) {
		char miss[256];

		f->verdict = FAULT_NEEDS_MISSING;
		x86_exts_names(f->missing, miss, sizeof(miss));
		for (char *c = miss; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		char lvl[32] = "";

		if (f->level > 1)
			snprintf(lvl, sizeof(lvl), "x86-64-v%d, ", f->level);
		snprintf(f->summary, sizeof(f->summary),
			 "died at %s, which needs %s; this vCPU does not execute it -> %sPVE type %s", f->insn.mnemonic,
			 miss, lvl, f->pve_type ? f->pve_type : "host");
	} else if (f->unmeasured) {
		f->verdict = FAULT_NOT_MEASURED;
		snprintf(f->summary, sizeof(f->summary), "died at %s (%s), which triage isa does not test", f->insn.mnemonic,
			 names);
	} else {
		f->verdict = FAULT_EXECUTES;
		snprintf(f->summary, sizeof(f->summary),
			 "died at %s (%s), which this vCPU executes: not the CPU type; look elsewhere: the program "
			 "(a bad pointer faults on any instruction), memory (triage mem, burnin), the host",
			 f->insn.mnemonic, names);
	}
	return f->verdict;
}
