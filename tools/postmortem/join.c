/* Each user trap's instruction, decoded from the suspect root's files and
 * judged against isa's JSON (join.h). */
#include "postmortem/join.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/elf.h"
#include "lib/faultinsn.h"
#include "lib/isaresult.h"
#include "lib/util.h"

/* isa's JSON is small (~100 KiB with every CPU); a report.json holding it
 * is larger. */
#define PM_ISA_MAX (64u << 20)

int pm_isa_load(struct pm_isa *isa, const char *path)
{
	char err[200];
	size_t len;
	char *text;
	const struct jval *m;

	memset(isa, 0, sizeof(*isa));
	snprintf(isa->from, sizeof(isa->from), "%s", path);
	if (!strcmp(path, "none")) {
		snprintf(isa->note, sizeof(isa->note), "no isa result (--isa none)");
		return -1;
	}
	text = read_file(path, PM_ISA_MAX, &len);
	if (!text) {
		snprintf(isa->note, sizeof(isa->note), "%.200s: cannot read", path);
		return -1;
	}
	isa->json = json_parse(text, len, err, sizeof(err));
	free(text);
	if (!isa->json) {
		snprintf(isa->note, sizeof(isa->note), "%.200s: not JSON: %.80s", path, err);
		return -1;
	}
	/* A check's object, or a report holding it (lib/isaresult). */
	m = json_obj(isa_result(isa->json), "metrics");
	isa->exts = json_arr(json_obj(isa_result(isa->json), "data"), "extensions");
	if (!isa->exts || !json_len(isa->exts)) {
		snprintf(isa->note, sizeof(isa->note), "%.200s: holds no isa result (data.extensions)", path);
		json_free(isa->json);
		isa->json = NULL;
		isa->exts = NULL;
		return -1;
	}
	isa->level_exec = (int)json_num(m, "level_exec", 0);
	return 0;
}

void pm_isa_free(struct pm_isa *isa)
{
	json_free(isa->json);
	memset(isa, 0, sizeof(*isa));
}

int pm_isa_executes(const struct pm_isa *isa, const char *ext)
{
	return isa_result_executes(isa->json, ext);
}

/* A core dump's first frame as a file offset: systemd's "+ 0xOFF" counts
 * from the module's start, its lowest PT_LOAD page (0 for PIEs and
 * libraries, 0x400000 for most ET_EXEC). */
static bool frame_offset(const char *path, unsigned long long off, uint64_t *file_off)
{
	size_t len;
	uint8_t *d = (uint8_t *)read_file(path, 1u << 30, &len);
	struct elf e;
	struct elf_seg s;
	uint64_t low = UINT64_MAX, avail;
	bool ok = false;

	if (!d)
		return false;
	if (elf_open(&e, d, len) == 0) {
		for (unsigned i = 0; i < e.phnum; i++)
			if (elf_phdr(&e, i, &s) && s.type == ELF_PT_LOAD && s.vaddr < low)
				low = s.vaddr & ~(uint64_t)0xfff;
		ok = low != UINT64_MAX && elf_vaddr_offset(&e, low + off, file_off, &avail);
	}
	free(d);
	return ok;
}

/* The trap of one event, or false when it has nothing to decode: the
 * kernel's line as the reader parsed it (lib/trapline), or a core dump's
 * first frame. */
static bool event_trap(const struct pm_event *ev, const char *root, struct trap_event *t, uint8_t *code)
{
	memset(t, 0, sizeof(*t));
	t->code_ip = -1;
	if (ev->has_trap) {
		t->line = ev->trap;
		if (ev->code[0]) {
			int n = fault_parse_code(ev->code, code, FAULT_CODE_MAX, &t->code_ip);

			if (n > 0) {
				t->code = code;
				t->code_len = (size_t)n;
			}
		}
		return true;
	}
	/* SIGILL, SIGSEGV, SIGBUS core dumps with systemd-coredump's stack trace. */
	if (ev->has_frame && (ev->coredump_signal == 4 || ev->coredump_signal == 11 || ev->coredump_signal == 7)) {
		char path[600];
		uint64_t off;

		t->line.ip = ev->frame_pc;
		t->line.has_ip = true;
		snprintf(t->line.file, sizeof(t->line.file), "%s", ev->frame_file);
		t->line.has_map = t->line.file[0] != '\0';
		snprintf(path, sizeof(path), "%s%s", root, t->line.file);
		if (t->line.file[0] == '/' && frame_offset(path, ev->frame_off, &off)) {
			t->line.has_offset = true;
			t->line.offset = off;
		}
		return true;
	}
	return false;
}

static void strip_root(char *s, const char *root)
{
	size_t rl = strlen(root);

	for (char *p = strstr(s, root); p; p = strstr(p, root))
		memmove(p, p + rl, strlen(p + rl) + 1);
}

void pm_join_traps(struct pm *pm, int first, const char *root, const struct pm_isa *isa)
{
	for (int i = first; i < pm->nevents; i++) {
		struct pm_event *ev = &pm->events[i];
		struct trap_event t;
		uint8_t code[FAULT_CODE_MAX];
		size_t rl = strlen(root);

		if (ev->insn || !event_trap(ev, root, &t, code))
			continue;
		/* A core dump after a trap line is the same crash: counted once. */
		if (!ev->has_trap && ev->tied_to >= 0 && pm->events[ev->tied_to].has_trap)
			continue;
		ev->insn = xcalloc(1, sizeof(*ev->insn));
		fault_insn(&t, root, isa->json, ev->insn);
		/* Paths as the suspect system knows them, not where it is mounted. */
		if (rl) {
			strip_root(ev->insn->path, root);
			strip_root(ev->insn->note, root);
			strip_root(ev->insn->summary, root);
		}
	}
}
