/* triage burnin: what the load showed, as findings and JSON. */
#include "command.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- judging and writing ---- */

static const char advice_miscompare[] =
	"Results came out wrong under sustained load. On a bare host that is failing or overdriven hardware: load "
	"the BIOS defaults (no overclock or undervolt, memory at its JEDEC speed), update the BIOS and microcode "
	"and test again; if it repeats, replace the part the failing stressor exercises (vm: memory; cpu, matrix, "
	"vector and the ISA kernels: the CPU). In a guest, run the burn-in on the host itself.";

static const char advice_sigill[] =
	"The CPU advertises an instruction it does not execute, and stress-ng picked code by what it advertises. "
	"In a Proxmox VE guest choose a CPU type the host really supports (see the isa check's PVE type), and keep "
	"every node of a cluster on the same type; on a bare host update the BIOS and microcode.";

static const char advice_failed[] =
	"A stress-ng stressor crashed or failed under load. On a bare host, crashes under load point at unstable "
	"hardware (memory, CPU, power): load the BIOS defaults and test again, then test memory on its own "
	"(memtest86+). The stress-ng lines in the evidence name the stressor.";

static int sng_signal_of(const struct burnin *b, int *sig)
{
	for (int i = 0; i < b->nfail; i++)
		if (b->fails[i].kind == SNG_SIGNAL && b->fails[i].signal != SIGKILL) {
			*sig = b->fails[i].signal;
			return i;
		}
	return -1;
}

static void fail_lines(struct jw *w, const struct burnin *b, enum sng_line_kind kind, int max)
{
	jw_arr(w, "lines");
	for (int i = 0, k = 0; i < b->nfail && k < max; i++)
		if (b->fails[i].kind == kind || (kind == SNG_FAILED && b->fails[i].kind == SNG_SIGNAL)) {
			jw_str(w, NULL, b->fails[i].text);
			k++;
		}
	jw_arr_end(w);
}

void burnin_findings_stress(struct burnin *b)
{
	int miscompares = 0, failed = 0, signals = 0, sig = 0, at;
	struct finding *f;

	for (int i = 0; i < b->ntally; i++) {
		miscompares += b->tally[i].miscompare;
		failed += b->tally[i].failed;
		signals += b->tally[i].signals;
	}
	if (miscompares > 0 || b->isa_wrong > 0) {
		f = check_finding(b->c, "burnin.miscompare", SEV_FAIL, advice_miscompare,
				  "Wrong results under load: %d stress-ng verification failure%s, %d of %d ISA round%s "
				  "with wrong results",
				  miscompares, miscompares == 1 ? "" : "s", b->isa_rounds_failed, b->isa_rounds,
				  b->isa_rounds == 1 ? "" : "s");
		jw_arr(&f->ev, "stressors");
		for (int i = 0; i < b->ntally; i++)
			if (b->tally[i].miscompare)
				jw_str(&f->ev, NULL, b->tally[i].name);
		jw_arr_end(&f->ev);
		jw_int(&f->ev, "stress_ng_miscompares", miscompares);
		fail_lines(&f->ev, b, SNG_MISCOMPARE, 4);
		jw_int(&f->ev, "isa_rounds", b->isa_rounds);
		jw_int(&f->ev, "isa_rounds_wrong", b->isa_rounds_failed);
		jw_arr(&f->ev, "isa_findings");
		for (int i = 0; i < b->nisa_ids; i++)
			jw_str(&f->ev, NULL, b->isa_ids[i]);
		jw_arr_end(&f->ev);
	}
	at = sng_signal_of(b, &sig);
	if (failed > 0 || signals > 0 || (b->sng_status == 2 && !miscompares) || b->sng_status == 5 ||
	    b->sng_status == 6) {
		bool only_killed = at < 0 && failed == 0 && signals > 0;

		if (at >= 0 && sig == SIGILL)
			f = check_finding(b->c, "burnin.stressor-failed", SEV_FAIL, advice_sigill,
					  "A stress-ng stressor died of SIGILL: an advertised instruction does not execute");
		else if (only_killed)
			f = check_finding(b->c, "burnin.stressor-failed", SEV_WARN,
					  "Something killed the stressor, most likely the OOM killer: give the machine "
					  "more memory or lower --mem-percent.",
					  "A stress-ng stressor was killed (SIGKILL)");
		else
			f = check_finding(b->c, "burnin.stressor-failed", SEV_FAIL, advice_failed,
					  "stress-ng failed under load: %s%s%s", sng_exit_meaning(b->sng_status),
					  at >= 0 ? ", " : "", at >= 0 ? strsignal(sig) : "");
		jw_int(&f->ev, "exit_code", b->sng_status);
		jw_str(&f->ev, "exit_meaning", sng_exit_meaning(b->sng_status));
		jw_int(&f->ev, "failures", failed);
		jw_int(&f->ev, "signals", signals);
		fail_lines(&f->ev, b, SNG_FAILED, 6);
	}
	if (b->isa_fault > 0) {
		f = check_finding(b->c, "burnin.stressor-failed", SEV_FAIL, advice_failed,
				  "Under load, ISA extensions that executed before now fault (%d time%s)", b->isa_fault,
				  b->isa_fault == 1 ? "" : "s");
		jw_arr(&f->ev, "isa_findings");
		for (int i = 0; i < b->nisa_ids; i++)
			jw_str(&f->ev, NULL, b->isa_ids[i]);
		jw_arr_end(&f->ev);
	}
}

/* wake.stall and wake.steal under load are the burn-in's own: a machine
 * that stalls when hot, or a host that takes the CPU from its guests. */
void burnin_findings_wake(struct burnin *b)
{
	const struct jval *fl = b->wake_result ? json_get(b->wake_result, "findings") : NULL;

	for (size_t i = 0; fl && i < fl->len; i++) {
		const struct jval *it = fl->items[i];
		const char *id = json_str(it, "id", "");
		int sev = severity_from_name(json_str(it, "severity", "info"));
		struct finding *f;

		if ((strcmp(id, "wake.stall") && strcmp(id, "wake.steal")) || sev < SEV_WARN)
			continue;
		f = check_finding(b->c, id, (enum severity)sev, json_str(it, "advice", NULL), "Under load: %s",
				  json_str(it, "summary", ""));
		jw_value(&f->ev, "under_load", json_get(it, "evidence"));
	}
}

void burnin_write_plan(struct burnin *b, struct jw *w)
{
	jw_obj(w, "plan");
	jw_arr(w, "stressors");
	for (int i = 0; i < b->plan.n; i++) {
		const char *what = NULL;

		for (int k = 0; k < sng_nstressors; k++)
			if (!strcmp(sng_stressors[k].name, b->plan.names[i]))
				what = sng_stressors[k].what;
		jw_obj(w, NULL);
		jw_str(w, "name", b->plan.names[i]);
		jw_str(w, "what", what);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_int(w, "instances", b->plan.instances);
	jw_int(w, "vm_bytes", b->plan.vm_bytes);
	jw_str(w, "dropped", b->plan.dropped[0] ? b->plan.dropped : NULL);
	jw_str(w, "glibc_tunables", b->plan.tunables[0] ? b->plan.tunables : NULL);
	jw_str(w, "isa_before", b->isa_pre_status);
	jw_arr(w, "advertised_not_executed");
	for (int i = 0; i < b->nbad; i++)
		jw_str(w, NULL, b->bad[i]);
	jw_arr_end(w);
	{
		char list[32] = "";

		for (size_t k = 0; k < ARRAY_SIZE(sampler_names); k++)
			if (sampler_names[k].bit ? b->samplers & sampler_names[k].bit : !b->samplers)
				str_append(list, sizeof(list), ",", "%s", sampler_names[k].name);
		jw_str(w, "samplers", list);
	}
	jw_str(w, "command", b->command);
	jw_obj_end(w);
}

void burnin_write_stress(struct burnin *b, struct jw *w, const struct sng_result *r, const char *yaml_problem)
{
	jw_obj(w, "stress_ng");
	jw_str(w, "path", b->sng_path);
	jw_str(w, "version", r->version[0] ? r->version : NULL);
	jw_int(w, "exit_code", b->sng_status);
	jw_str(w, "exit_meaning", sng_exit_meaning(b->sng_status));
	jw_bool(w, "interrupted", b->sng_interrupted);
	jw_bool(w, "killed", b->sng_killed);
	jw_str(w, "yaml_problem", yaml_problem);
	jw_arr(w, "stressors");
	for (int i = 0; i < r->n; i++) {
		const struct sng_metrics *m = &r->m[i];
		struct sng_tally *t = burnin_tally_of(b, m->name);

		jw_obj(w, NULL);
		jw_str(w, "name", m->name);
		jw_num(w, "bogo_ops", m->bogo_ops);
		jw_num(w, "bogo_ops_per_s", m->bogo_ops_per_s);
		jw_num(w, "wall_s", m->wall_s);
		jw_num(w, "user_s", m->user_s);
		jw_num(w, "sys_s", m->sys_s);
		jw_num(w, "cpu_pct", m->cpu_pct);
		jw_int(w, "max_rss_kib", m->max_rss_kib);
		jw_int(w, "miscompares", t->miscompare);
		jw_int(w, "failures", t->failed);
		jw_int(w, "signals", t->signals);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr(w, "failures");
	for (int i = 0; i < b->nfail; i++) {
		static const char *const kinds[] = { "other", "miscompare", "failed", "signal", "error", "skipped" };

		jw_obj(w, NULL);
		jw_str(w, "kind", kinds[b->fails[i].kind]);
		jw_str(w, "line", b->fails[i].text);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_int(w, "log_lines", b->nlines);
	jw_arr(w, "log_tail");
	for (int i = b->ntail > LOG_TAIL ? b->ntail - LOG_TAIL : 0; i < b->ntail; i++)
		jw_str(w, NULL, b->tail[i % LOG_TAIL]);
	jw_arr_end(w);
	jw_obj_end(w);
}

void burnin_write_samplers(struct burnin *b, struct jw *w)
{
	const struct jval *m = b->wake_result ? json_get(b->wake_result, "metrics") : NULL;
	const struct jval *fl = b->wake_result ? json_get(b->wake_result, "findings") : NULL;

	jw_obj(w, "isa");
	jw_bool(w, "enabled", b->samplers & SAMPLE_ISA);
	jw_int(w, "rounds", b->isa_rounds);
	jw_int(w, "rounds_failed", b->isa_rounds_failed);
	jw_int(w, "errors", b->isa_errors);
	jw_int(w, "iterations", atoi(ISA_ITERATIONS));
	jw_num(w, "period_s", secs(ISA_PERIOD_NS));
	jw_arr(w, "findings");
	for (int i = 0; i < b->nisa_ids; i++)
		jw_str(w, NULL, b->isa_ids[i]);
	jw_arr_end(w);
	jw_obj_end(w);

	jw_obj(w, "wake");
	jw_bool(w, "enabled", b->samplers & SAMPLE_WAKE);
	jw_str(w, "problem", b->wake_problem);
	jw_arr(w, "cpus");
	for (int i = 0; i < b->nwake_cpus; i++)
		jw_int(w, NULL, b->wake_cpus[i]);
	jw_arr_end(w);
	jw_num(w, "block_s", secs(b->wake_budget_ns));
	jw_str(w, "status", b->wake_result ? json_str(b->wake_result, "status", NULL) : NULL);
	jw_num(w, "overshoot_p99_worst_us", json_num(m, "overshoot_p99_worst_us", NAN));
	jw_num(w, "overshoot_max_worst_us", json_num(m, "overshoot_max_worst_us", NAN));
	jw_num(w, "samples", json_num(m, "samples", NAN));
	jw_arr(w, "findings");
	for (size_t i = 0; fl && i < fl->len; i++)
		jw_str(w, NULL, json_str(fl->items[i], "id", ""));
	jw_arr_end(w);
	jw_obj_end(w);
}

void burnin_write_metrics(struct burnin *b, const struct sng_result *r, double load_s)
{
	struct jw *w = check_metrics(b->c);
	const struct jval *m = b->wake_result ? json_get(b->wake_result, "metrics") : NULL;
	double ops = 0;
	int miscompares = 0, failures = 0;

	for (int i = 0; i < r->n; i++)
		ops += r->m[i].bogo_ops;
	for (int i = 0; i < b->ntally; i++) {
		miscompares += b->tally[i].miscompare;
		failures += b->tally[i].failed + b->tally[i].signals;
	}
	jw_num(w, "duration_planned_s", secs(b->duration_ns));
	jw_num(w, "load_s", load_s);
	jw_int(w, "stressors", b->plan.n);
	jw_int(w, "instances", b->plan.instances);
	jw_num(w, "bogo_ops", ops);
	jw_int(w, "stress_ng_exit", b->sng_status);
	jw_int(w, "miscompares", miscompares + b->isa_wrong);
	jw_int(w, "stressor_failures", failures);
	jw_int(w, "isa_rounds", b->isa_rounds);
	jw_int(w, "isa_rounds_failed", b->isa_rounds_failed);
	/* CPU time, from the kernel's accounting of each process: what the
	 * samplers took beside what stress-ng got. */
	jw_num(w, "load_cpu_s", b->sng_cpu_s);
	jw_num(w, "health_cpu_s", b->self_cpu_s);
	jw_num(w, "isa_cpu_s", b->isa.cpu_s);
	jw_num(w, "wake_cpu_s", b->wake.cpu_s);
	jw_num(w, "sampler_cpu_pct", b->sng_cpu_s > 0 ? 100.0 * (b->self_cpu_s + b->isa.cpu_s + b->wake.cpu_s) /
								 (b->sng_cpu_s + b->self_cpu_s + b->isa.cpu_s + b->wake.cpu_s)
							: NAN);
	jw_num(w, "wake_p99_us", json_num(m, "overshoot_p99_worst_us", NAN));
	jw_num(w, "wake_max_us", json_num(m, "overshoot_max_worst_us", NAN));
	health_write_metrics(b->h, w);
}

void burnin_write(struct burnin *b, const struct sng_result *r, double load_s, const char *yaml_problem)
{
	struct jw *w = check_data(b->c);

	burnin_findings_stress(b);
	burnin_findings_wake(b);
	if (b->samplers & SAMPLE_HEALTH)
		health_findings(b->h, b->vm, b->c);

	burnin_write_metrics(b, r, load_s);
	burnin_write_plan(b, w);
	burnin_write_stress(b, w, r, yaml_problem);
	burnin_write_samplers(b, w);
	health_write_data(b->h, w);
}
