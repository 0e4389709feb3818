/* triage wake: the log-scale histogram, sample storage,
 * and the recorded-sample format the unit tests replay. */
#include "wake.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

const char *const wake_run_names[WAKE_NRUNS] = { "default", "shallow" };

/* round(10^(k/4)) us for k = 0..24: four buckets per decade, 1 us to 1 s. */
const int64_t wake_hist_edge_ns[WAKE_HIST_EDGES] = {
	1000,	   1778,      3162,	 5623,	    10000,     17783,	  31623,     56234,	100000,
	177828,	   316228,    562341,	 1000000,   1778279,   3162278,	  5623413,   10000000,	17782794,
	31622777,  56234133,  100000000, 177827941, 316227766, 562341325, 1000000000,
};

int wake_hist_bucket(int64_t ns)
{
	int lo = 0, hi = WAKE_HIST_EDGES;

	/* First edge above ns; the bucket index is the number of edges <= ns. */
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (wake_hist_edge_ns[mid] <= ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void wake_hist_fill(const int64_t *x, size_t n, uint64_t *hist)
{
	memset(hist, 0, WAKE_HIST_BUCKETS * sizeof(*hist));
	for (size_t i = 0; i < n; i++)
		hist[wake_hist_bucket(x[i])]++;
}

static void grow(int64_t **a, size_t *cap, size_t need)
{
	if (need <= *cap)
		return;
	*cap = *cap ? *cap * 2 : 1024;
	if (*cap < need)
		*cap = need;
	*a = xrealloc(*a, *cap * sizeof(**a));
}

void wake_block_push(struct wake_block *b, int64_t over, int64_t cold)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->over = xrealloc(b->over, b->cap * sizeof(*b->over));
		b->cold = xrealloc(b->cold, b->cap * sizeof(*b->cold));
	}
	b->over[b->n] = over;
	b->cold[b->n] = cold;
	b->n++;
}

void wake_block_push_warm(struct wake_block *b, int64_t warm)
{
	grow(&b->warm, &b->capwarm, b->nwarm + 1);
	b->warm[b->nwarm++] = warm;
}

void wake_block_finish(struct wake_block *b)
{
	order_stats_of(b->over, b->n, &b->os);
	order_stats_of(b->cold, b->n, &b->cold_st);
	order_stats_of(b->warm, b->nwarm, &b->warm_st);
	wake_hist_fill(b->over, b->n, b->hist);
}

void wake_block_free(struct wake_block *b)
{
	free(b->over);
	free(b->cold);
	free(b->warm);
	b->over = b->cold = b->warm = NULL;
	b->n = b->nwarm = b->cap = b->capwarm = 0;
}

/* ---- recorded samples ----
 *
 *   # comment
 *   env vm=1 tcg=0 cpuidle=1 shallow=1
 *   block run=default cpu=0 idle_ns=50000 elapsed_ns=800000000 steal_ms=0
 *   state LATENCY_US RESIDENCY_US DISABLED USAGE TIME_US NAME...
 *   over NS NS ...
 *   cold NS NS ...
 *   warm NS NS ...
 */

static void save_list(FILE *f, const char *tag, const int64_t *x, size_t n)
{
	fputs(tag, f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %lld", (long long)x[i]);
	fputc('\n', f);
}

void wake_save(FILE *f, const struct wake_env *env, const struct wake_block *b, int nb)
{
	fprintf(f, "# triage wake samples, format 1: see tools/wake/stats.c\n");
	fprintf(f, "env vm=%d tcg=%d cpuidle=%d shallow=%d\n", env->vm, env->tcg, env->cpuidle, env->shallow_held);
	for (int i = 0; i < nb; i++) {
		fprintf(f, "block run=%s cpu=%d idle_ns=%lld elapsed_ns=%lld steal_ms=%.3f\n",
			wake_run_names[b[i].run], b[i].cpu, (long long)b[i].idle_ns, (long long)b[i].elapsed_ns,
			b[i].steal_ms);
		for (int k = 0; k < b[i].nstates; k++) {
			const struct wake_cstate *s = &b[i].states[k];

			fprintf(f, "state %lld %lld %d %lld %lld %s\n", s->latency_us, s->residency_us, s->disabled,
				s->usage, s->time_us, s->name);
		}
		save_list(f, "over", b[i].over, b[i].n);
		save_list(f, "cold", b[i].cold, b[i].n);
		save_list(f, "warm", b[i].warm, b[i].nwarm);
	}
}

/* Reads the value of " key=" in a line; a missing key is an error, so
 * that a typo in a hand-made file shows. */
static int kv_long(const char *line, const char *key, long long *out)
{
	char pat[40];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	errno = 0;
	*out = strtoll(p, NULL, 10);
	return errno ? -1 : 0;
}

/* Parses the numbers after a tag into a fresh array. */
static int parse_list(char *rest, int64_t **a, size_t *n)
{
	char *save = NULL;
	size_t cap = 0;

	free(*a);
	*a = NULL;
	*n = 0;
	for (char *tok = strtok_r(rest, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		long long v;

		if (parse_ll(tok, &v) < 0)
			return -1;
		grow(a, &cap, *n + 1);
		(*a)[(*n)++] = v;
	}
	return 0;
}

int wake_load(const char *path, struct wake_env *env, struct wake_block **out, int *nb, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	struct wake_block *b = NULL, *cur = NULL;
	char *line = NULL;
	size_t linecap = 0;
	int n = 0, lineno = 0, rc = -1;
	ssize_t len;

	memset(env, 0, sizeof(*env));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &linecap, f)) >= 0) {
		long long v[5];

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "env ", 4) == 0) {
			if (kv_long(line, "vm", &v[0]) || kv_long(line, "tcg", &v[1]) || kv_long(line, "cpuidle", &v[2]) ||
			    kv_long(line, "shallow", &v[3]))
				goto bad;
			env->vm = v[0], env->tcg = v[1], env->cpuidle = v[2], env->shallow_held = v[3];
		} else if (strncmp(line, "block ", 6) == 0) {
			const char *run = strstr(line, " run=");

			b = xrealloc(b, (size_t)(n + 1) * sizeof(*b));
			cur = &b[n++];
			memset(cur, 0, sizeof(*cur));
			if (!run || kv_long(line, "cpu", &v[0]) || kv_long(line, "idle_ns", &v[1]) ||
			    kv_long(line, "elapsed_ns", &v[2]))
				goto bad;
			cur->run = strncmp(run + 5, "shallow", 7) == 0 ? WAKE_SHALLOW : WAKE_DEFAULT;
			cur->cpu = (int)v[0];
			cur->idle_ns = v[1];
			cur->elapsed_ns = v[2];
			run = strstr(line, " steal_ms=");
			cur->steal_ms = run ? strtod(run + 10, NULL) : 0;
		} else if (!cur) {
			goto bad;
		} else if (strncmp(line, "state ", 6) == 0) {
			struct wake_cstate *s;
			int used = 0, dis;

			if (cur->nstates == WAKE_MAX_STATES)
				goto bad;
			s = &cur->states[cur->nstates++];
			if (sscanf(line + 6, "%lld %lld %d %lld %lld %n", &s->latency_us, &s->residency_us, &dis,
				   &s->usage, &s->time_us, &used) != 5 || used == 0)
				goto bad;
			s->disabled = dis;
			strlcpy_(s->name, line + 6 + used, sizeof(s->name));
		} else if (strncmp(line, "over", 4) == 0) {
			if (parse_list(line + 4, &cur->over, &cur->n) < 0)
				goto bad;
			cur->cap = cur->n;
		} else if (strncmp(line, "cold", 4) == 0) {
			size_t m;

			/* One burst per wake-up: as many as overshoots, and after them. */
			if (parse_list(line + 4, &cur->cold, &m) < 0 || m != cur->n)
				goto bad;
		} else if (strncmp(line, "warm", 4) == 0) {
			if (parse_list(line + 4, &cur->warm, &cur->nwarm) < 0)
				goto bad;
			cur->capwarm = cur->nwarm;
		} else {
			goto bad;
		}
	}
	for (int i = 0; i < n; i++) {
		if (!b[i].cold && b[i].n) {
			snprintf(err, errlen, "%s: block %d has no cold line", path, i + 1);
			goto fail;
		}
		wake_block_finish(&b[i]);
	}
	*out = b;
	*nb = n;
	b = NULL;
	rc = 0;
	goto out;
bad:
	snprintf(err, errlen, "%s:%d: malformed line", path, lineno);
fail:
	for (int i = 0; i < n; i++)
		wake_block_free(&b[i]);
	free(b);
out:
	free(line);
	fclose(f);
	return rc;
}
