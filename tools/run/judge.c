/* Turning a child's exit, time-out and output into a check result. */
#include "run/run.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

enum status verdict_of(const struct check_result *r, int n)
{
	/* Rank: a failure is the strongest statement, then "could not tell". */
	static const int rank[] = { [ST_PASS] = 0, [ST_SKIP] = 0, [ST_WARN] = 1, [ST_ERROR] = 2, [ST_FAIL] = 3 };
	enum status v = ST_PASS;

	for (int i = 0; i < n; i++)
		if (rank[r[i].status] > rank[v])
			v = r[i].status;
	return v;
}

enum status verdict_with_kernel(enum status v, enum severity kernel_worst)
{
	if (kernel_worst == SEV_FAIL)
		return ST_FAIL;
	if (kernel_worst == SEV_WARN && (v == ST_PASS || v == ST_SKIP))
		return ST_WARN;
	return v;
}

void judge_child(struct check_result *r, int wstatus, bool timed_out, int limit_s, const char *out, size_t len)
{
	char err[128];
	const struct jval *st;
	struct jval *j;
	int code;

	r->json = NULL;
	r->reason[0] = '\0';
	if (timed_out) {
		r->status = ST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "did not finish within its time limit of %d s and was killed", limit_s);
		return;
	}
	if (WIFSIGNALED(wstatus)) {
		int sig = WTERMSIG(wstatus);

		r->status = ST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "crashed: killed by signal %d (%s)%s", sig, strsignal(sig),
			 sig == SIGKILL ? ", perhaps by the OOM killer" : "");
		return;
	}
	code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	j = len ? json_parse(out, len, err, sizeof(err)) : NULL;
	if (!j) {
		r->status = ST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "exited with code %d and %s", code,
			 len ? "output that is not JSON" : "no output");
		if (len) {
			size_t n = strlen(r->reason);

			snprintf(r->reason + n, sizeof(r->reason) - n, " (%s)", err);
		}
		return;
	}
	st = json_get(j, "status");
	if (j->type != J_OBJ || !st || st->type != J_STR || status_from_name(st->str) < 0 ||
	    !json_get(j, "findings") || json_get(j, "findings")->type != J_ARR) {
		r->status = ST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "exited with code %d and JSON that is not a check result", code);
		json_free(j);
		return;
	}
	r->status = (enum status)status_from_name(st->str);
	if (status_exit_code(r->status) != code) {
		r->status = ST_ERROR;
		snprintf(r->reason, sizeof(r->reason), "exit code %d contradicts its status '%s'", code, st->str);
	} else if (json_str(j, "reason", NULL)) {
		snprintf(r->reason, sizeof(r->reason), "%s", json_str(j, "reason", ""));
	}
	r->json = j;
}
