/* The instruction at a trap, decoded and judged against what `triage isa`
 * measured: the join the post-mortem makes for each user trap.
 *
 * The trap comes from the kernel's lines ("traps: node[123] trap invalid
 * opcode ip:7f3a... sp:... error:0 in libfoo.so.1[7f3a12340000+1b000]",
 * "Code: 48 89 ... <c4> e2 7d 78 c0 ..."). The kernel prints only the
 * file's base name, so a name without '/' is looked for where programs and
 * the loader's libraries live, under root. */
#ifndef VMTRIAGE_FAULTINSN_H
#define VMTRIAGE_FAULTINSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "pvetypes.h"
#include "trapline.h"
#include "x86dec.h"

#define FAULT_CODE_MAX 128

/* A trap: the kernel's line (or a core dump's first frame: file a path,
 * offset the file offset) and the Code: bytes. */
struct trap_event {
	struct trap_line line;
	const uint8_t *code;	/* the Code: bytes, or NULL */
	size_t code_len;
	int code_ip;		/* index of the byte at ip in code (the <xx> one), -1 if none */
};

enum fault_verdict {
	FAULT_UNKNOWN,		/* no bytes, or they do not decode */
	FAULT_NEEDS_MISSING,	/* needs an extension this vCPU does not execute */
	FAULT_EXECUTES,		/* the vCPU executes what it needs: look elsewhere */
	FAULT_BASE,		/* base x86-64: not a CPU-type problem */
	FAULT_NOT_MEASURED,	/* needs an extension triage isa did not test */
};

struct fault_insn {
	enum fault_verdict verdict;
	bool decoded;
	const char *source;	/* "file" or "code" (the Code: bytes) */
	char path[512];		/* the file read, under root */
	uint64_t vaddr, offset; /* in the file, when read from it */
	struct x86_insn insn;
	uint8_t bytes[X86_MAX_LEN];
	x86_exts_t missing;	/* of insn.needs, what the vCPU does not execute */
	x86_exts_t unmeasured;	/* of insn.needs, what isa has no result for */
	int level;		/* x86-64 level the instruction needs */
	const char *pve_type;	/* the poorest PVE type offering insn.needs */
	char summary[640];	/* one line for a person */
	char note[400];		/* why the file was not used, a mismatch... */
};

/* Decodes the instruction at t->ip from the file under root (root NULL or
 * "" for /), else from the Code: bytes, and judges it against isa, the
 * JSON of `triage isa` or a report.json holding it (NULL: no verdict on
 * the vCPU, only the decoding). Returns f->verdict. */
enum fault_verdict fault_insn(const struct trap_event *t, const char *root, const struct jval *isa,
			      struct fault_insn *f);

/* The bytes of a kernel "Code:" line ("Code: 0f 1f ... <c4> e2 7d ..."),
 * at most max into out, *ip_index the one in <> (or -1). Returns the
 * count, or -1 if the line holds no code bytes. */
int fault_parse_code(const char *line, uint8_t *out, size_t max, int *ip_index);

/* The first PVE type (lib/pve-cpu-types.def order: generic types first,
 * poorest first) offering every extension of set the table names; NULL
 * if none. Extensions no row names go to *unjudged (may be NULL). */
const char *fault_pve_type(x86_exts_t set, x86_exts_t *unjudged);
/* Whether PVE type t offers every extension of set. */
bool fault_type_offers(const struct pve_type *t, x86_exts_t set);

#endif
