/* lib/qemumodels: the model tables and the predicate "QEMU with enforce
 * starts model M on this CPU", against QEMU itself: every 7.2 model started
 * with `-accel tcg -cpu M,enforce` on this machine must be refused for
 * exactly the features the predicate finds missing on TCG's own CPUID
 * (tests/unit/data/isa/max.cpuid, QEMU 7.2's `-cpu max` under TCG), over
 * the features whose KVM rule is "the host's bit" (TCG emulates no x2apic,
 * KVM does). Then known verdicts on recorded real CPUs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cpuid.h"
#include "lib/qemumodels.h"
#include "lib/util.h"

#define DATA "tests/unit/data/isa/"

static void load(const char *name, struct cpuid_dump *c)
{
	char path[256], err[256];

	snprintf(path, sizeof(path), DATA "%s.cpuid", name);
	if (cpuid_load(path, c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static bool has_name(char names[][48], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

static void test_tables(void **state)
{
	(void)state;
	for (int q = 0; q < QM_NQEMU; q++) {
		int n = qm_nmodels(q), aliases = 0;

		assert_true(n > 100);
		for (int i = 0; i < n; i++) {
			const struct qm_model *m = qm_model_at(q, i);

			if (m->alias_of) {
				aliases++;
				assert_non_null(qm_find(q, m->alias_of));
				assert_string_equal(qm_find(q, m->alias_of)->features, m->features);
			}
			for (const char *p = m->features; *p;) {
				size_t len = strcspn(p, " ");
				char name[64];

				snprintf(name, sizeof(name), "%.*s", (int)len, p);
				if (!qm_feature(q, name))
					fail_msg("QEMU %s %s: feature %s has no location", qm_qemu_name(q), m->name, name);
				p += len + (p[len] == ' ');
			}
		}
		assert_true(aliases > 30);
	}
	/* what PVE lists and the issue names: in both */
	static const char *const need[] = { "Haswell-noTSX", "Haswell-noTSX-IBRS", "Skylake-Client-noTSX-IBRS",
					    "Cascadelake-Server-noTSX", "Icelake-Server-v6", "Cooperlake-v2",
					    "core2duo", "phenom", "Opteron_G1", "Opteron_G2", "KnightsMill" };
	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		assert_non_null(qm_find(QM_QEMU_7_2, need[i]));
		assert_non_null(qm_find(QM_QEMU_10_0, need[i]));
	}
	assert_non_null(qm_find(QM_QEMU_10_0, "GraniteRapids"));
	assert_non_null(qm_find(QM_QEMU_10_0, "Icelake-Server-v7"));
	assert_non_null(qm_find(QM_QEMU_10_0, "EPYC-Genoa"));
	assert_string_equal(qm_find(QM_QEMU_7_2, "Haswell")->alias_of, "Haswell-v1");
	assert_string_equal(qm_find(QM_QEMU_7_2, "EPYC-Rome")->vendor, "AuthenticAMD");
}

static void test_wording(void **state)
{
	char buf[128];

	(void)state;
	qm_feature_describe(qm_feature(QM_QEMU_7_2, "hle"), buf, sizeof(buf));
	assert_string_equal(buf, "CPUID.07H:EBX.hle [bit 4]");
	qm_feature_describe(qm_feature(QM_QEMU_10_0, "avx-vnni"), buf, sizeof(buf));
	assert_string_equal(buf, "CPUID.07H:EAX.avx-vnni [bit 4]");
	qm_feature_describe(qm_feature(QM_QEMU_7_2, "lahf-lm"), buf, sizeof(buf));
	assert_string_equal(buf, "CPUID.80000001H:ECX.lahf-lm [bit 0]");
}

/* QEMU's refusal of m under TCG, as the feature names it prints. */
static int tcg_refuses(const char *model, char names[][48], int max, bool *started)
{
	char cmd[512], line[512];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd),
		 "printf '%%s\\n' '{\"execute\":\"qmp_capabilities\"}' '{\"execute\":\"quit\"}' | "
		 "qemu-system-x86_64 -machine pc -nodefaults -display none -accel tcg -cpu %s,enforce -S -qmp stdio 2>&1",
		 model);
	p = popen(cmd, "r");
	assert_non_null(p);
	*started = false;
	while (fgets(line, sizeof(line), p)) {
		const char *w = strstr(line, "doesn't support requested feature: CPUID.");
		if (strstr(line, "\"return\""))
			*started = true;
		if (!w || n >= max)
			continue;
		w = strchr(strchr(w, ':') + 1, ':'); /* after "CPUID.07H:" */
		w = strchr(w, '.') + 1;		       /* after "EBX." */
		snprintf(names[n], 48, "%.*s", (int)(strstr(w, " [bit") - w), w);
		n++;
	}
	pclose(p);
	return n;
}

/* What QEMU turns off under TCG for every model (target/i386/tcg/tcg-cpu.c,
 * tcg_default_props), so TCG never asks for it. */
static char tcg_off[][48] = { "vme" };

static void test_against_tcg(void **state)
{
	static struct cpuid_dump tcg;
	char ver[256] = "";
	FILE *p = popen("qemu-system-x86_64 --version 2>/dev/null", "r");
	int models = 0, refused = 0, agree = 0;

	(void)state;
	if (p) {
		if (!fgets(ver, sizeof(ver), p))
			ver[0] = 0;
		pclose(p);
	}
	if (!strstr(ver, "version 7.2.")) {
		printf("SKIP: the TCG oracle needs QEMU 7.2 (max.cpuid is its TCG CPUID); found: %s\n", ver);
		skip();
	}
	load("max", &tcg);
	for (int i = 0; i < qm_nmodels(QM_QEMU_7_2); i++) {
		const struct qm_model *m = qm_model_at(QM_QEMU_7_2, i);
		char qemu[64][48], ours[64][48];
		struct qm_verdict v;
		bool started;
		int nq, no = 0;

		if (m->alias_of)
			continue;
		nq = tcg_refuses(m->name, qemu, 64, &started);
		qm_starts(m, &tcg, &v);
		for (int k = 0; k < v.nmissing; k++)
			snprintf(ours[no++], 48, "%s", v.missing[k]->name);
		models++;
		refused += !started;
		assert_int_equal(started, nq == 0);
		for (int k = 0; k < nq; k++)
			if (qm_kvm_plain(QM_QEMU_7_2, qemu[k]) && !has_name(ours, no, qemu[k]))
				fail_msg("%s: QEMU (TCG) misses %s, the predicate does not", m->name, qemu[k]);
		for (int k = 0; k < no; k++)
			if (!has_name(qemu, nq, ours[k]) && !has_name(tcg_off, ARRAY_SIZE(tcg_off), ours[k]))
				fail_msg("%s: the predicate misses %s, QEMU (TCG) starts it", m->name, ours[k]);
		/* hle/rtm: TCG has no TSX, so every model with them is refused */
		if (strstr(m->features, "rtm") && started)
			fail_msg("%s has rtm and QEMU started it under TCG", m->name);
		agree++;
	}
	printf("# %d QEMU 7.2 models under TCG with enforce: %d refused; the predicate agrees on %d\n", models, refused,
	       agree);
	assert_true(models > 60);
	assert_true(refused > 0);
}

static void test_known_verdicts(void **state)
{
	static struct cpuid_dump adl, zen4;
	struct qm_verdict v;
	char buf[512];

	(void)state;
	load("adl-i9-12900k", &adl);
	/* Alder Lake has no TSX: QEMU refuses Skylake-Client for hle and rtm */
	assert_false(qm_pve_starts(QM_QEMU_7_2, "Skylake-Client", NULL, &adl, &v));
	qm_verdict_describe(&v, buf, sizeof(buf));
	assert_non_null(strstr(buf, "CPUID.07H:EBX.hle [bit 4]"));
	assert_non_null(strstr(buf, "CPUID.07H:EBX.rtm [bit 11]"));
	assert_true(qm_pve_starts(QM_QEMU_7_2, "Skylake-Client-noTSX-IBRS", NULL, &adl, &v));
	assert_true(v.vendor_matches);
	assert_true(qm_pve_starts(QM_QEMU_7_2, "x86-64-v3", NULL, &adl, &v));
	assert_false(qm_pve_starts(QM_QEMU_7_2, "x86-64-v4", NULL, &adl, &v));
	assert_true(qm_pve_starts(QM_QEMU_7_2, "host", NULL, &adl, &v));
	assert_false(qm_pve_starts(QM_QEMU_7_2, "EPYC-Rome", NULL, &adl, &v));
	assert_false(v.vendor_matches);
	assert_false(qm_pve_starts(QM_QEMU_7_2, "no-such-cpu", NULL, &adl, &v));
	assert_false(v.known);
	/* a VM's own flags count: +hle is refused where there is no TSX */
	assert_false(qm_pve_starts(QM_QEMU_7_2, "x86-64-v3", "+hle", &adl, &v));
	assert_true(qm_pve_starts(QM_QEMU_7_2, "Skylake-Client", "-hle;-rtm", &adl, &v));
	/* a flag no model sets is named, not judged */
	assert_true(qm_pve_starts(QM_QEMU_7_2, "x86-64-v3", "+md-clear;+hv-tlbflush", &adl, &v));
	assert_string_equal(v.unplaced, "md-clear hv-tlbflush");
	load("zen4-epyc-9124", &zen4);
	assert_true(qm_pve_starts(QM_QEMU_10_0, "EPYC-Genoa", NULL, &zen4, &v));
	assert_true(qm_pve_starts(QM_QEMU_7_2, "EPYC-Milan", NULL, &zen4, &v));
	/* FMA4/XOP/TBM: gone since Zen */
	assert_false(qm_pve_starts(QM_QEMU_7_2, "Opteron_G5", NULL, &zen4, &v));
	qm_verdict_describe(&v, buf, sizeof(buf));
	assert_non_null(strstr(buf, "fma4"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_wording),
		cmocka_unit_test(test_known_verdicts),
		cmocka_unit_test(test_against_tcg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
