/* triage compare A.json B.json: two reports side by side.
 *
 * Typically the PVE host's `triage run --no-disk` report against a guest's:
 * the extensions the host executes that the guest does not see (its CPU
 * type hides them), the x86-64 levels, wake-up latency and memory figures,
 * and the advice that follows. The comparison is built once (cmp_build)
 * and written as text or JSON; the logic is here for the unit tests. */
#ifndef VMTRIAGE_COMPARE_H
#define VMTRIAGE_COMPARE_H

#include <stdbool.h>
#include <stdio.h>

#include "lib/json.h"

#define CMP_MAX_EXTS 96
#define CMP_MAX_IDLE 16
#define CMP_MAX_ADVICE 8
#define CMP_NFIGURES 20

/* One report; strings point into its parsed JSON. */
struct cmp_side {
	const struct jval *rep;
	const char *path;
	bool vm;
	const char *role;	/* "host" or "guest" when the two differ, else "A" or "B" */
};

/* Extensions one side executes (state ok) that the other has in its
 * table but does not (hidden, absent, faulting). */
struct cmp_only {
	const char *name[CMP_MAX_EXTS];
	int level[CMP_MAX_EXTS];	/* psABI level that requires it, 0: none */
	int n;
};

struct cmp_figure {
	const char *section, *label, *path, *unit;
	int dp;
	double scale;		/* shown = value / scale */
	double v[2];		/* NaN: absent */
};

struct cmp_wake {
	double idle_us;
	double v[2][2][3];	/* [run default/shallow][side][p50, p99, max], worst CPU */
};

struct cmp_advice {
	const char *id;
	const char *severity;	/* info, warn */
	char text[900];
};

struct cmp {
	struct cmp_side s[2];
	bool isa[2];		/* the side has isa data */
	struct cmp_only only[2];	/* only[0]: A has, B lacks */
	struct cmp_only broken[2];	/* advertised but faulting, wrong, disabled, inconsistent */
	struct cmp_figure fig[CMP_NFIGURES];
	int nfig;
	struct cmp_wake wake[CMP_MAX_IDLE];
	int nwake;
	struct cmp_advice adv[CMP_MAX_ADVICE];
	int nadv;
};

/* Compares two parsed vmtriage/1 reports (kept alive by the caller). */
void cmp_build(struct cmp *c, const struct jval *a, const char *path_a, const struct jval *b, const char *path_b);

/* The figure with this report path, or NULL. */
const struct cmp_figure *cmp_figure(const struct cmp *c, const char *path);

/* 80 columns of text, and the same as JSON. */
void cmp_write_text(FILE *f, const struct cmp *c);
void cmp_write_json(FILE *f, const struct cmp *c);

#endif
