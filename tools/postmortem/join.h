/* The post-mortem's join with `triage isa`: each user trap's instruction,
 * decoded from the suspect root's own file (lib/faultinsn.c) and judged
 * against what isa measured on this vCPU, read from isa's JSON (never from
 * isa's code); and what on the suspect root will fail next on this vCPU. */
#ifndef VMTRIAGE_PM_JOIN_H
#define VMTRIAGE_PM_JOIN_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/json.h"
#include "postmortem/postmortem.h"

/* What `triage isa` measured, from its JSON (a check's object, or a
 * report.json holding tests.isa). */
struct pm_isa {
	struct jval *json;	/* owned; NULL: no result */
	const struct jval *exts;/* data.extensions */
	int level_exec;		/* 0: not known */
	char from[300];		/* the file, for the evidence */
	char note[300];		/* why there is none */
};

/* Loads path ("none": no result). Returns 0, or -1 with isa->note. */
int pm_isa_load(struct pm_isa *isa, const char *path);
void pm_isa_free(struct pm_isa *isa);
/* 1 if isa found the extension (report name: "avx2") executing, 0 if it
 * found it not executing, -1 if it has no result for it. */
int pm_isa_executes(const struct pm_isa *isa, const char *ext);

/* Decodes the instruction of every user trap event from index first on
 * (those the logs of this root gave), against the files under root ("" is
 * /). Events keep their result in ev->insn. */
void pm_join_traps(struct pm *pm, int first, const char *root, const struct pm_isa *isa);

/* ---- what will fail next (willfail.c) ---- */

/* Where programs live: the scan reads only these, under the root. */
#define PM_WF_BUDGET_S 10.0	/* a Debian desktop's /usr (~150k files) takes ~3 s here */
#define PM_WF_MAX_FILES 200000
#define PM_WF_MAX_ITEMS 200	/* listed; more are only counted */

enum pm_wf_kind { WF_ELF, WF_HWCAPS, WF_RUNTIME, WF_OS };

struct pm_wf_item {
	enum pm_wf_kind kind;
	char path[300];		/* under the root, without it */
	char what[200];		/* "declares x86-64-v3 (GNU property)", "MongoDB 5.0 and later" */
	char needs[64];		/* "x86-64-v3", "avx2" */
	const char *source;	/* where the requirement is documented, or NULL */
	int fails;		/* 1 fails on this vCPU, 0 runs, -1 not known (no isa result) */
};

struct pm_wf {
	struct pm_wf_item *items;
	int nitems, cap;
	long long more;		/* past PM_WF_MAX_ITEMS */
	long long files, elf, declaring, dirs;
	double seconds, budget_s;
	long long max_files;
	bool cut_time, cut_files;
	char os[120];		/* PRETTY_NAME of the suspect system, if any */
};

/* Scans root's program directories within budget_s and max_files, and
 * judges what it finds against isa. Appends to wf (several roots may be
 * scanned into one). */
void pm_will_fail(struct pm_wf *wf, const char *root, const struct pm_isa *isa, double budget_s, long long max_files);
void pm_wf_free(struct pm_wf *wf);
/* KEY=value or KEY="value" of an os-release file's text, "" if absent. */
void pm_os_field(const char *text, const char *key, char *out, size_t size);

#endif
