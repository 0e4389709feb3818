/* triage compare: the comparison as 80 columns of text, or as JSON. */
#include "compare/compare.h"

#include <math.h>
#include <string.h>

#include "lib/opts.h"
#include "lib/textwrap.h"
#include "lib/util.h"


static const char *const run_labels[2] = { "C-states as set", "C-states held shallow" };
static const char *const stat_labels[3] = { "p50", "p99", "max" };

static void describe(FILE *f, const struct cmp_side *s, const char *letter)
{
	const struct jval *r = s->rep, *sys = json_get(r, "system"), *cpu = json_get(sys, "cpu");
	char lead[32], line[600];

	if (strcmp(s->role, letter) != 0)
		snprintf(lead, sizeof(lead), "%s = %s: ", letter, s->role);
	else
		snprintf(lead, sizeof(lead), "%s: ", letter);
	snprintf(line, sizeof(line), "%s, %s; %s, %.0f CPUs, %.0f MiB; %s run %s, verdict %s (%s)",
		 json_str(sys, "hostname", "?"), s->vm ? json_str(json_get(sys, "hypervisor"), "name", "VM") : "bare metal",
		 json_str(cpu, "brand", "?"), json_num(cpu, "online", 0),
		 json_num(json_get(sys, "memory"), "MemTotal_kib", 0) / 1024, json_str(json_get(r, "run"), "mode", "?"),
		 json_str(json_get(r, "run"), "started_utc", "?"), json_str(json_get(r, "verdict"), "status", "?"), s->path);
	text_wrap(f, lead, (int)strlen(lead), line);
}

static void value_text(char *buf, size_t size, double v, int dp, double scale, const char *unit)
{
	if (!isfinite(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.*f%s%s", dp, v / scale, unit ? " " : "", unit ? unit : "");
}

static void figure_rows(FILE *f, const struct cmp *c, const char *section)
{
	char a[40], b[40], ratio[24];

	for (int k = 0; k < c->nfig; k++) {
		const struct cmp_figure *fg = &c->fig[k];

		if (strcmp(fg->section, section) != 0 || (!isfinite(fg->v[0]) && !isfinite(fg->v[1])))
			continue;
		value_text(a, sizeof(a), fg->v[0], fg->dp, fg->scale, fg->unit);
		value_text(b, sizeof(b), fg->v[1], fg->dp, fg->scale, fg->unit);
		if (fg->v[0] > 0 && isfinite(fg->v[1]))
			snprintf(ratio, sizeof(ratio), "%.2fx", fg->v[1] / fg->v[0]);
		else
			snprintf(ratio, sizeof(ratio), "-");
		fprintf(f, "  %-26s %16s %16s %10s\n", fg->label, a, b, ratio);
	}
}

static void figure_head(FILE *f, const struct cmp *c, const char *title)
{
	char ratio[32];

	snprintf(ratio, sizeof(ratio), "%s/%s", c->s[1].role, c->s[0].role);
	fprintf(f, "\n%-28s %16s %16s %10s\n", title, c->s[0].role, c->s[1].role, ratio);
}

static void only_line(FILE *f, const struct cmp_only *o, const char *fmt_a, const char *fmt_b)
{
	char lead[96], list[900];
	size_t n = 0;

	snprintf(lead, sizeof(lead), "  %s %s (%d): ", fmt_a, fmt_b, o->n);
	list[0] = '\0';
	for (int i = 0; i < o->n && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", o->name[i]);
	text_wrap(f, lead, 4, o->n ? list : "none");
}

static void isa_text(FILE *f, const struct cmp *c)
{
	char has[64], lacks[64];

	figure_head(f, c, "CPU instructions");
	if (!c->isa[0] || !c->isa[1]) {
		fprintf(f, "  (no isa data in %s)\n", !c->isa[0] ? c->s[0].path : c->s[1].path);
	}
	for (int i = 0; i < 2 && c->isa[0] && c->isa[1]; i++) {
		snprintf(has, sizeof(has), "%s has,", c->s[i].role);
		snprintf(lacks, sizeof(lacks), "%s lacks", c->s[1 - i].role);
		only_line(f, &c->only[i], has, lacks);
	}
	for (int i = 0; i < 2; i++)
		if (c->broken[i].n) {
			snprintf(has, sizeof(has), "advertised but broken on");
			only_line(f, &c->broken[i], has, c->s[i].role);
		}
	figure_rows(f, c, "isa");
	fprintf(f, "  %-26s %16s %16s\n", "closest PVE CPU type",
		json_str(json_path(c->s[0].rep, "tests.isa.data.pve"), "closest", "-"),
		json_str(json_path(c->s[1].rep, "tests.isa.data.pve"), "closest", "-"));
}

/* " ------- name -------": a label over three columns of 10. */
static void side_banner(FILE *f, const char *name)
{
	int len = (int)strlen(name) + 2, left = (29 - len) / 2, right = 29 - len - left;

	fputc(' ', f);
	for (int i = 0; i < left; i++)
		fputc('-', f);
	fprintf(f, " %s ", name);
	for (int i = 0; i < right; i++)
		fputc('-', f);
}

static void wake_table(FILE *f, const struct cmp *c, int run)
{
	char idle[24];
	bool any = false;

	for (int k = 0; k < c->nwake; k++)
		for (int i = 0; i < 2; i++)
			any |= isfinite(c->wake[k].v[run][i][1]);
	if (!any)
		return;
	fprintf(f, "  %s: overshoot by idle length, worst CPU (us)\n  %-8s", run_labels[run], "");
	for (int i = 0; i < 2; i++)
		side_banner(f, c->s[i].role);
	fprintf(f, "\n  %-8s", "idle");
	for (int i = 0; i < 2; i++)
		for (int s = 0; s < 3; s++)
			fprintf(f, " %9s", stat_labels[s]);
	fputc('\n', f);
	for (int k = 0; k < c->nwake; k++) {
		format_duration(idle, sizeof(idle), llround(c->wake[k].idle_us * 1000));
		fprintf(f, "  %-8s", idle);
		for (int i = 0; i < 2; i++)
			for (int s = 0; s < 3; s++) {
				double v = c->wake[k].v[run][i][s];

				if (isfinite(v))
					fprintf(f, " %9.1f", v);
				else
					fprintf(f, " %9s", "-");
			}
		fputc('\n', f);
	}
}

static void wake_text(FILE *f, const struct cmp *c)
{
	figure_head(f, c, "Wake-up latency after idle");
	figure_rows(f, c, "wake");
	if (!c->nwake)
		return;
	for (int r = 0; r < 2; r++)
		wake_table(f, c, r);
}

void cmp_write_text(FILE *f, const struct cmp *c)
{
	char lead[32];

	text_rule(f, '=');
	fprintf(f, "vmtriage compare\n");
	text_rule(f, '=');
	describe(f, &c->s[0], "A");
	describe(f, &c->s[1], "B");
	fprintf(f, "\nAdvice:\n");
	if (!c->nadv)
		fprintf(f, "  Nothing to change: no difference that calls for action.\n");
	for (int i = 0; i < c->nadv; i++) {
		snprintf(lead, sizeof(lead), "%d. [%s] ", i + 1, c->adv[i].severity);
		text_wrap(f, lead, 4, c->adv[i].text);
		fprintf(f, "    (%s)\n", c->adv[i].id);
	}
	figure_head(f, c, "System");
	figure_rows(f, c, "system");
	isa_text(f, c);
	wake_text(f, c);
	figure_head(f, c, "Memory");
	figure_rows(f, c, "mem");
	text_rule(f, '=');
}

/* ---- JSON ---- */

static void jw_maybe(struct jw *w, const char *key, double v)
{
	if (isfinite(v))
		jw_num(w, key, v);
	else
		jw_null(w, key);
}

static void json_side(struct jw *w, const struct cmp_side *s)
{
	const struct jval *r = s->rep, *sys = json_get(r, "system");

	jw_obj(w, NULL);
	jw_str(w, "path", s->path);
	jw_str(w, "role", s->role);
	jw_bool(w, "vm", s->vm);
	jw_str(w, "machine_id", json_str(r, "machine_id", NULL));
	jw_str(w, "hostname", json_str(sys, "hostname", NULL));
	jw_str(w, "hypervisor", json_str(json_get(sys, "hypervisor"), "name", NULL));
	jw_str(w, "cpu", json_str(json_get(sys, "cpu"), "brand", NULL));
	jw_str(w, "mode", json_str(json_get(r, "run"), "mode", NULL));
	jw_str(w, "started_utc", json_str(json_get(r, "run"), "started_utc", NULL));
	jw_str(w, "verdict", json_str(json_get(r, "verdict"), "status", NULL));
	jw_obj_end(w);
}

static void json_names(struct jw *w, const char *key, const struct cmp_only *o)
{
	jw_arr(w, key);
	for (int i = 0; i < o->n; i++)
		jw_str(w, NULL, o->name[i]);
	jw_arr_end(w);
}

static void json_isa(struct jw *w, const struct cmp *c)
{
	jw_obj(w, "isa");
	jw_bool(w, "a_has_data", c->isa[0]);
	jw_bool(w, "b_has_data", c->isa[1]);
	json_names(w, "a_only", &c->only[0]);
	json_names(w, "b_only", &c->only[1]);
	json_names(w, "a_broken", &c->broken[0]);
	json_names(w, "b_broken", &c->broken[1]);
	jw_str(w, "a_closest_pve", json_str(json_path(c->s[0].rep, "tests.isa.data.pve"), "closest", NULL));
	jw_str(w, "b_closest_pve", json_str(json_path(c->s[1].rep, "tests.isa.data.pve"), "closest", NULL));
	jw_obj_end(w);
}

static void json_figures(struct jw *w, const struct cmp *c)
{
	jw_arr(w, "figures");
	for (int k = 0; k < c->nfig; k++) {
		const struct cmp_figure *fg = &c->fig[k];

		jw_obj(w, NULL);
		jw_str(w, "section", fg->section);
		jw_str(w, "path", fg->path);
		jw_str(w, "label", fg->label);
		/* Values as the reports have them: the one scaled figure kind is KiB shown as MiB. */
		jw_str(w, "unit", fg->scale == 1024 ? "KiB" : fg->unit);
		jw_maybe(w, "a", fg->v[0]);
		jw_maybe(w, "b", fg->v[1]);
		jw_maybe(w, "ratio_b_a", fg->v[0] > 0 ? fg->v[1] / fg->v[0] : NAN);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void json_wake(struct jw *w, const struct cmp *c)
{
	static const char *const runs[2] = { "default", "shallow" }, *const sides[2] = { "a", "b" };
	static const char *const stats[3] = { "p50_us", "p99_us", "max_us" };

	jw_arr(w, "wake_by_idle");
	for (int k = 0; k < c->nwake; k++) {
		jw_obj(w, NULL);
		jw_num(w, "idle_us", c->wake[k].idle_us);
		for (int r = 0; r < 2; r++) {
			jw_obj(w, runs[r]);
			for (int i = 0; i < 2; i++) {
				jw_obj(w, sides[i]);
				for (int s = 0; s < 3; s++)
					jw_maybe(w, stats[s], c->wake[k].v[r][i][s]);
				jw_obj_end(w);
			}
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void cmp_write_json(FILE *f, const struct cmp *c)
{
	struct jw w;

	jw_init(&w, f, 2);
	jw_obj(&w, NULL);
	jw_str(&w, "schema", "vmtriage-compare/1");
	jw_arr(&w, "reports");
	json_side(&w, &c->s[0]);
	json_side(&w, &c->s[1]);
	jw_arr_end(&w);
	json_isa(&w, c);
	json_figures(&w, c);
	json_wake(&w, c);
	jw_arr(&w, "advice");
	for (int i = 0; i < c->nadv; i++) {
		jw_obj(&w, NULL);
		jw_str(&w, "id", c->adv[i].id);
		jw_str(&w, "severity", c->adv[i].severity);
		jw_str(&w, "text", c->adv[i].text);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	fputc('\n', f);
}
