/* Hardware health during a burn-in: temperatures (hwmon, thermal zones),
 * CPU frequency and use, thermal throttling counters, machine checks and
 * EDAC memory error counts. Every path is read below h->root, so the unit
 * tests run this on a fixture folder shaped like /sys and /proc. */
#include "burnin.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/edac.h"
#include "lib/procfs.h"
#include "lib/util.h"

/* A reading outside this range is a sensor that is not connected (some
 * boards report -128 or 255 degrees). */
#define TEMP_MIN_C (-40.0)
#define TEMP_MAX_C 150.0
/* CPU use from /proc/stat needs this many ticks (USER_HZ 100) between two
 * readings: a reading right after the first one would say 0 %. */
#define MIN_BUSY_TICKS 10

static int readf_line(const struct health *h, char *buf, size_t size, const char *path)
{
	return read_line_at(buf, size, "%s%s", h->root, path);
}

static int readf_ll(const struct health *h, long long *v, const char *path)
{
	return read_ll_at(v, "%s%s", h->root, path);
}

static char *readf_file(const struct health *h, const char *path, size_t max)
{
	char full[400];

	snprintf(full, sizeof(full), "%s%s", h->root, path);
	return read_file(full, max, NULL);
}

/* Names in a folder below the root that start with prefix, sorted so that
 * hwmon10 follows hwmon9 (versionsort order). */
static int list_dir(const struct health *h, const char *dir, const char *prefix, char names[][64], int max)
{
	char full[300];
	struct dirent **ents;
	int n, k = 0;

	snprintf(full, sizeof(full), "%s%s", h->root, dir);
	n = scandir(full, &ents, NULL, versionsort);
	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		if (k < max && !strncmp(ents[i]->d_name, prefix, strlen(prefix)) && strlen(ents[i]->d_name) < 64)
			strlcpy_(names[k++], ents[i]->d_name, 64);
		free(ents[i]);
	}
	free(ents);
	return k;
}

static bool temp_read(const struct health *h, const char *path, double *c)
{
	long long milli;

	if (readf_ll(h, &milli, path) < 0)
		return false;
	*c = (double)milli / 1000.0;
	return *c >= TEMP_MIN_C && *c <= TEMP_MAX_C;
}

static struct hw_sensor *sensor_add(struct health *h, const char *source, const char *name, const char *label,
				    const char *path, double crit)
{
	struct hw_sensor *s;
	double c;

	if (h->nsensors == HW_MAX_SENSORS || !temp_read(h, path, &c))
		return NULL;
	s = &h->s[h->nsensors++];
	memset(s, 0, sizeof(*s));
	strlcpy_(s->source, source, sizeof(s->source));
	strlcpy_(s->name, name, sizeof(s->name));
	strlcpy_(s->label, label, sizeof(s->label));
	strlcpy_(s->path, path, sizeof(s->path));
	s->start_c = s->max_c = s->last_c = c;
	s->crit_c = crit;
	s->seen = true;
	return s;
}

static void find_hwmon(struct health *h)
{
	char devs[32][64], files[64][64];
	int nd = list_dir(h, "/sys/class/hwmon", "hwmon", devs, 32);

	for (int d = 0; d < nd; d++) {
		char dir[128], name[32] = "", path[160], label[32];
		int nf;

		snprintf(dir, sizeof(dir), "/sys/class/hwmon/%.63s", devs[d]);
		snprintf(path, sizeof(path), "%s/name", dir);
		readf_line(h, name, sizeof(name), path);
		nf = list_dir(h, dir, "temp", files, 64);
		for (int f = 0; f < nf; f++) {
			int idx;
			char tail[16];
			long long crit;

			if (sscanf(files[f], "temp%d_%15s", &idx, tail) != 2 || strcmp(tail, "input") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/temp%d_label", dir, idx);
			if (readf_line(h, label, sizeof(label), path) < 0)
				label[0] = '\0';
			snprintf(path, sizeof(path), "%s/temp%d_crit", dir, idx);
			if (readf_ll(h, &crit, path) < 0)
				crit = LLONG_MIN;
			snprintf(path, sizeof(path), "%s/temp%d_input", dir, idx);
			sensor_add(h, "hwmon", name[0] ? name : devs[d], label, path,
				   crit == LLONG_MIN ? NAN : (double)crit / 1000.0);
		}
	}
}

static void find_thermal(struct health *h)
{
	char zones[32][64];
	int nz = list_dir(h, "/sys/class/thermal", "thermal_zone", zones, 32);

	for (int z = 0; z < nz; z++) {
		char dir[128], type[32] = "", path[160], ttype[32];
		double crit = NAN;

		snprintf(dir, sizeof(dir), "/sys/class/thermal/%.63s", zones[z]);
		snprintf(path, sizeof(path), "%s/type", dir);
		readf_line(h, type, sizeof(type), path);
		for (int t = 0; t < 16; t++) {
			long long v;

			snprintf(path, sizeof(path), "%s/trip_point_%d_type", dir, t);
			if (readf_line(h, ttype, sizeof(ttype), path) < 0)
				break;
			snprintf(path, sizeof(path), "%s/trip_point_%d_temp", dir, t);
			if (!strcmp(ttype, "critical") && readf_ll(h, &v, path) == 0)
				crit = (double)v / 1000.0;
		}
		snprintf(path, sizeof(path), "%s/temp", dir);
		sensor_add(h, "thermal", type[0] ? type : zones[z], "", path, crit);
	}
}

static void find_cpus(struct health *h)
{
	enum { MAX_NAMES = HW_MAX_CPUS + 16 }; /* cpufreq, cpuidle... too */
	char(*names)[64] = xcalloc(MAX_NAMES, sizeof(*names));
	int n = list_dir(h, "/sys/devices/system/cpu", "cpu", names, MAX_NAMES);

	h->ncpus = 0;
	for (int i = 0; i < n && h->ncpus < HW_MAX_CPUS; i++)
		if (sscanf(names[i], "cpu%d", &h->cpus[h->ncpus]) == 1)
			h->ncpus++;
	free(names);
}

/* Counters are summed saturating and a negative reading counts as 0, so
 * every counter stays in [0, INT64_MAX] and a difference of two readings
 * cannot overflow, whatever sysfs or procfs says. */
static long long counter_add(long long sum, long long v)
{
	return sat_add_i64(sum, v > 0 ? v : 0);
}

/* Sum over CPUs of per-core events; per package, each package once. */
static void read_throttle(const struct health *h, struct hw_counters *c)
{
	long long pkg_seen[64];
	int npkg = 0;

	c->throttle_ok = false;
	c->core_throttle = c->pkg_throttle = c->core_throttle_ms = c->pkg_throttle_ms = 0;
	for (int i = 0; i < h->ncpus; i++) {
		char path[160];
		long long v, pkg = -1, ms = 0;
		int cpu = h->cpus[i];
		bool dup = false;

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/thermal_throttle/core_throttle_count", cpu);
		if (readf_ll(h, &v, path) < 0)
			continue;
		c->throttle_ok = true;
		c->core_throttle = counter_add(c->core_throttle, v);
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/thermal_throttle/core_throttle_total_time_ms",
			 cpu);
		if (readf_ll(h, &ms, path) == 0)
			c->core_throttle_ms = counter_add(c->core_throttle_ms, ms);
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/topology/physical_package_id", cpu);
		readf_ll(h, &pkg, path);
		for (int k = 0; k < npkg; k++)
			dup |= pkg_seen[k] == pkg;
		if (dup || npkg == (int)ARRAY_SIZE(pkg_seen))
			continue;
		pkg_seen[npkg++] = pkg;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/thermal_throttle/package_throttle_count", cpu);
		if (readf_ll(h, &v, path) == 0)
			c->pkg_throttle = counter_add(c->pkg_throttle, v);
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/thermal_throttle/package_throttle_total_time_ms", cpu);
		if (readf_ll(h, &ms, path) == 0)
			c->pkg_throttle_ms = counter_add(c->pkg_throttle_ms, ms);
	}
}

/* "MCE:  0  0  Machine check exceptions": the per-CPU counts, summed. */
static long long irq_row(const char *text, const char *tag, bool *found)
{
	const char *p = text;
	size_t tl = strlen(tag);
	long long sum = 0;

	while ((p = strstr(p, tag)) != NULL) {
		if (p == text || p[-1] == '\n' || p[-1] == ' ') {
			char *end;

			p += tl;
			*found = true;
			for (;;) {
				long long v = strtoll(p, &end, 10);

				if (end == p)
					break;
				sum = counter_add(sum, v);
				p = end;
			}
			return sum;
		}
		p += tl;
	}
	return 0;
}

static void read_interrupts(const struct health *h, struct hw_counters *c)
{
	char *text = readf_file(h, "/proc/interrupts", 1 << 20);
	bool mce = false, other = false;

	if (!text) {
		c->irq_ok = false;
		return;
	}
	c->mce = irq_row(text, "MCE:", &mce);
	c->mce_poll = irq_row(text, "MCP:", &other);
	c->threshold = irq_row(text, "THR:", &other);
	c->deferred = irq_row(text, "DFR:", &other);
	c->thermal_irq = irq_row(text, "TRM:", &other);
	c->irq_ok = mce;
	free(text);
}

static void read_edac(const struct health *h, struct hw_counters *c)
{
	c->nmc = edac_read(h->root, c->mc, HW_MAX_MC);
	c->edac_ok = c->nmc > 0;
}

static void read_stat(const struct health *h, struct hw_counters *c)
{
	char *text = readf_file(h, "/proc/stat", 1 << 20);
	struct cpustat st;

	if (text && cpustat_parse(text, -1, &st) == 0) {
		c->cpu_total = cpustat_total(&st);
		c->cpu_busy = cpustat_busy(&st);
	}
	free(text);
}

static void read_counters(const struct health *h, struct hw_counters *c)
{
	read_throttle(h, c);
	read_interrupts(h, c);
	read_edac(h, c);
	read_stat(h, c);
}

/* Mean current frequency over the CPUs, from cpufreq, else /proc/cpuinfo
 * (which in a guest is the host's nominal clock, not a live reading). */
static double read_freq(struct health *h, double *min)
{
	char *text;
	int k = 0;
	double sum = 0;

	*min = NAN;
	for (int i = 0; i < h->ncpus; i++) {
		char path[160];
		long long khz;
		int cpu = h->cpus[i];

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_cur_freq", cpu);
		if (readf_ll(h, &khz, path) < 0 || khz <= 0)
			continue;
		sum += (double)khz / 1000.0;
		*min = k ? fmin(*min, (double)khz / 1000.0) : (double)khz / 1000.0;
		k++;
	}
	if (k) {
		h->freq_source = "cpufreq";
		return sum / k;
	}
	text = readf_file(h, "/proc/cpuinfo", 4 << 20);
	for (const char *p = text; p && (p = strstr(p, "cpu MHz")) != NULL; p++) {
		double mhz;

		if (sscanf(p, "cpu MHz : %lf", &mhz) == 1 || sscanf(p, "cpu MHz\t: %lf", &mhz) == 1) {
			sum += mhz;
			*min = k ? fmin(*min, mhz) : mhz;
			k++;
		}
	}
	free(text);
	if (!k)
		return NAN;
	h->freq_source = "cpuinfo";
	return sum / k;
}

void health_init(struct health *h, const char *root, bool vm)
{
	memset(h, 0, sizeof(*h));
	h->log.fd = -1;
	strlcpy_(h->root, root ? root : "", sizeof(h->root));
	find_cpus(h);
	find_hwmon(h);
	find_thermal(h);
	if (h->nsensors == 0) {
		char any[1][64];

		if (vm)
			h->no_sensor_reason = "this is a virtual machine: the host's temperature sensors are not visible "
					      "to guests";
		else if (!list_dir(h, "/sys/class/hwmon", "hwmon", any, 1) &&
			 !list_dir(h, "/sys/class/thermal", "thermal_zone", any, 1))
			h->no_sensor_reason = "the kernel shows no hwmon sensor or thermal zone: no driver for this "
					      "board's or CPU's sensors";
		else
			h->no_sensor_reason = "no hwmon sensor or thermal zone gives a temperature";
	}
	read_counters(h, &h->first);
	h->last = h->first;
	h->temp_c = health_temp_now(h);
	h->freq_mhz = h->busy_pct = NAN;
	h->freq_min_mhz = NAN;
	h->busy_max_pct = NAN;
}

/* The chart's line is the hottest CPU sensor when there is one: a disk or
 * a chipset sensor would make it jump between parts with other limits. */
static bool cpu_sensor(const struct hw_sensor *s)
{
	static const char *const names[] = { "coretemp", "k10temp", "zenpower", "x86_pkg_temp", "cpu_thermal" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s->name, names[i]))
			return true;
	return false;
}

bool health_has_cpu_sensor(const struct health *h)
{
	for (int i = 0; i < h->nsensors; i++)
		if (cpu_sensor(&h->s[i]))
			return true;
	return false;
}

double health_temp_now(const struct health *h)
{
	bool cpu_only = health_has_cpu_sensor(h);
	double t = NAN;

	for (int i = 0; i < h->nsensors; i++)
		if (h->s[i].seen && (!cpu_only || cpu_sensor(&h->s[i])))
			t = isnan(t) ? h->s[i].last_c : fmax(t, h->s[i].last_c);
	return t;
}

void health_sample(struct health *h, double t)
{
	struct hw_counters prev = h->last;
	double fmin_now;

	for (int i = 0; i < h->nsensors; i++) {
		struct hw_sensor *s = &h->s[i];
		double c;

		s->seen = temp_read(h, s->path, &c);
		if (s->seen) {
			s->last_c = c;
			s->max_c = fmax(s->max_c, c);
		}
	}
	h->temp_c = health_temp_now(h);
	h->freq_mhz = read_freq(h, &fmin_now);
	if (!isnan(h->freq_mhz)) {
		h->freq_min_mhz = isnan(h->freq_min_mhz) ? fmin_now : fmin(h->freq_min_mhz, fmin_now);
		h->freq_sum_mhz += h->freq_mhz;
		h->nfreq++;
	}
	read_counters(h, &h->last);
	h->busy_pct = NAN;
	/* Too few clock ticks since the last reading say nothing. */
	if (h->last.cpu_total - prev.cpu_total >= MIN_BUSY_TICKS) {
		h->busy_pct = 100.0 * (double)(h->last.cpu_busy - prev.cpu_busy) /
			      (double)(h->last.cpu_total - prev.cpu_total);
		h->busy_max_pct = isnan(h->busy_max_pct) ? h->busy_pct : fmax(h->busy_max_pct, h->busy_pct);
	}
	hw_series_add(&h->series, t, h->temp_c, h->freq_mhz, h->busy_pct);
}

bool health_log_open(struct health *h)
{
	h->log_ok = kmsg_open_new(&h->log) == 0;
	return h->log_ok;
}

/* What the run's rule with this id collected from the log. */
static const struct kmsg_hit *log_hit(const struct health *h, const char *id)
{
	static const struct kmsg_hit none;
	int r = kmsg_rule(id);

	return r >= 0 && r < (int)ARRAY_SIZE(h->log.hits) ? &h->log.hits[r] : &none;
}

static int log_count(const struct health *h, const char *id)
{
	return log_hit(h, id)->count;
}

/* The lines kept of a rule (KMSG_EVIDENCE_LINES at most). */
static void log_lines(const struct health *h, const char *id, struct jw *w)
{
	const struct kmsg_hit *k = log_hit(h, id);

	for (int i = 0; i < k->count && i < KMSG_EVIDENCE_LINES; i++)
		jw_str(w, NULL, k->lines[i]);
}

/* NAN-aware: an unknown value does not pull a known one along. */
static double mean2(double a, double wa, double b, double wb)
{
	if (isnan(a))
		return b;
	if (isnan(b))
		return a;
	return (a * wa + b * wb) / (wa + wb);
}

void hw_series_add(struct hw_series *s, double t, double temp, double freq, double busy)
{
	if (s->stride == 0)
		s->stride = 1;
	if (s->n > 0 && s->merged < s->stride) {
		int i = s->n - 1;

		s->temp[i] = isnan(s->temp[i]) ? temp : fmax(s->temp[i], temp);
		s->freq[i] = mean2(s->freq[i], s->merged, freq, 1);
		s->busy[i] = mean2(s->busy[i], s->merged, busy, 1);
		s->merged++;
		return;
	}
	if (s->n == HW_SERIES_CAP) {
		for (int i = 0; i < HW_SERIES_CAP / 2; i++) {
			s->t[i] = s->t[2 * i];
			s->temp[i] = isnan(s->temp[2 * i]) ? s->temp[2 * i + 1] : fmax(s->temp[2 * i], s->temp[2 * i + 1]);
			s->freq[i] = mean2(s->freq[2 * i], 1, s->freq[2 * i + 1], 1);
			s->busy[i] = mean2(s->busy[2 * i], 1, s->busy[2 * i + 1], 1);
		}
		s->n = HW_SERIES_CAP / 2;
		s->stride *= 2;
		s->merged = s->stride;
		hw_series_add(s, t, temp, freq, busy);
		return;
	}
	s->t[s->n] = t;
	s->temp[s->n] = temp;
	s->freq[s->n] = freq;
	s->busy[s->n] = busy;
	s->n++;
	s->merged = 1;
}

/* ---- JSON ---- */

static double freq_avg(const struct health *h)
{
	return h->nfreq ? h->freq_sum_mhz / h->nfreq : NAN;
}

static double temp_start(const struct health *h)
{
	double t = NAN;

	for (int i = 0; i < h->nsensors; i++)
		t = isnan(t) ? h->s[i].start_c : fmax(t, h->s[i].start_c);
	return t;
}

static double temp_max(const struct health *h, int *which)
{
	double t = NAN;

	*which = -1;
	for (int i = 0; i < h->nsensors; i++)
		if (isnan(t) || h->s[i].max_c > t) {
			t = h->s[i].max_c;
			*which = i;
		}
	return t;
}

void health_write_metrics(const struct health *h, struct jw *w)
{
	int hot;

	jw_num(w, "temp_start_c", temp_start(h));
	jw_num(w, "temp_max_c", temp_max(h, &hot));
	jw_num(w, "freq_avg_mhz", freq_avg(h));
	jw_num(w, "freq_min_mhz", h->freq_min_mhz);
	jw_num(w, "cpu_busy_max_pct", h->busy_max_pct);
	if (h->first.throttle_ok)
		jw_int(w, "throttle_events", sat_add_i64(h->last.core_throttle - h->first.core_throttle,
							 h->last.pkg_throttle - h->first.pkg_throttle));
	else
		jw_null(w, "throttle_events");
	if (h->first.irq_ok)
		jw_int(w, "machine_checks", h->last.mce - h->first.mce);
	else
		jw_null(w, "machine_checks");
	if (h->first.edac_ok) {
		jw_int(w, "edac_ce", edac_sum(h->last.mc, h->last.nmc, false) - edac_sum(h->first.mc, h->first.nmc, false));
		jw_int(w, "edac_ue", edac_sum(h->last.mc, h->last.nmc, true) - edac_sum(h->first.mc, h->first.nmc, true));
	} else {
		jw_null(w, "edac_ce");
		jw_null(w, "edac_ue");
	}
}

static void delta(struct jw *w, const char *key, bool available, long long v)
{
	if (available)
		jw_int(w, key, v);
	else
		jw_null(w, key);
}

static void series(struct jw *w, const char *key, const double *v, int n, int dp)
{
	double scale = pow(10, dp);

	jw_arr(w, key);
	for (int i = 0; i < n; i++)
		jw_num(w, NULL, isnan(v[i]) ? NAN : round(v[i] * scale) / scale);
	jw_arr_end(w);
}

void health_write_data(const struct health *h, struct jw *w)
{
	const struct hw_counters *a = &h->first, *b = &h->last;

	jw_obj(w, "health");
	jw_arr(w, "sensors");
	for (int i = 0; i < h->nsensors; i++) {
		jw_obj(w, NULL);
		jw_str(w, "source", h->s[i].source);
		jw_str(w, "name", h->s[i].name);
		jw_str(w, "label", h->s[i].label[0] ? h->s[i].label : NULL);
		jw_num(w, "start_c", h->s[i].start_c);
		jw_num(w, "max_c", h->s[i].max_c);
		jw_num(w, "crit_c", h->s[i].crit_c);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_str(w, "sensors_unavailable", h->nsensors ? NULL : h->no_sensor_reason);
	jw_str(w, "freq_source", h->freq_source);

	/* Counters this machine does not have are null, not zero. */
	jw_obj(w, "throttle");
	jw_bool(w, "available", a->throttle_ok);
	delta(w, "core_events", a->throttle_ok, b->core_throttle - a->core_throttle);
	delta(w, "package_events", a->throttle_ok, b->pkg_throttle - a->pkg_throttle);
	delta(w, "core_ms", a->throttle_ok, b->core_throttle_ms - a->core_throttle_ms);
	delta(w, "package_ms", a->throttle_ok, b->pkg_throttle_ms - a->pkg_throttle_ms);
	delta(w, "thermal_interrupts", a->irq_ok, b->thermal_irq - a->thermal_irq);
	jw_obj_end(w);

	jw_obj(w, "mce");
	jw_bool(w, "available", a->irq_ok);
	delta(w, "exceptions", a->irq_ok, b->mce - a->mce);
	delta(w, "polls", a->irq_ok, b->mce_poll - a->mce_poll);
	delta(w, "threshold_interrupts", a->irq_ok, b->threshold - a->threshold);
	delta(w, "deferred_interrupts", a->irq_ok, b->deferred - a->deferred);
	jw_bool(w, "kernel_log_read", h->log_ok);
	delta(w, "kernel_log_mce", h->log_ok, log_count(h, "kernel.mce"));
	delta(w, "kernel_log_edac", h->log_ok, log_count(h, "kernel.edac"));
	jw_arr(w, "kernel_log");
	log_lines(h, "kernel.mce", w);
	log_lines(h, "kernel.edac", w);
	jw_arr_end(w);
	jw_obj_end(w);

	jw_obj(w, "edac");
	jw_bool(w, "available", a->edac_ok);
	jw_arr(w, "controllers");
	for (int i = 0; i < b->nmc; i++) {
		long long ce0 = 0, ue0 = 0;

		for (int k = 0; k < a->nmc; k++)
			if (!strcmp(a->mc[k].name, b->mc[i].name)) {
				ce0 = a->mc[k].ce;
				ue0 = a->mc[k].ue;
			}
		jw_obj(w, NULL);
		jw_str(w, "name", b->mc[i].name);
		jw_str(w, "driver", b->mc[i].mc_name[0] ? b->mc[i].mc_name : NULL);
		jw_int(w, "ce_before", ce0);
		jw_int(w, "ce_after", b->mc[i].ce);
		jw_int(w, "ue_before", ue0);
		jw_int(w, "ue_after", b->mc[i].ue);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);

	jw_obj(w, "samples");
	jw_int(w, "stride", h->series.stride ? h->series.stride : 1);
	jw_str(w, "temp_of", !h->nsensors ? NULL : health_has_cpu_sensor(h) ? "the hottest CPU sensor" : "the hottest sensor");
	series(w, "t_s", h->series.t, h->series.n, 1);
	series(w, "temp_c", h->series.temp, h->series.n, 1);
	series(w, "freq_mhz", h->series.freq, h->series.n, 0);
	series(w, "cpu_busy_pct", h->series.busy, h->series.n, 1);
	jw_obj_end(w);
	jw_obj_end(w);
}

/* ---- findings ---- */

/* DIMMs of a controller with errors, as EDAC names them (dimm_label, or
 * the csrow/channel label of older drivers). */
static void dimm_evidence(const struct health *h, struct jw *w, const char *mc, bool ue)
{
	char dimms[64][64], dir[128];
	int n;

	snprintf(dir, sizeof(dir), EDAC_MC_DIR "/%s", mc);
	n = list_dir(h, dir, "dimm", dimms, 64);
	if (n == 0)
		n = list_dir(h, dir, "rank", dimms, 64);
	jw_arr(w, "dimms");
	for (int i = 0; i < n; i++) {
		char path[256], label[64] = "";
		long long count;

		snprintf(path, sizeof(path), "%.127s/%.63s/dimm_%s_count", dir, dimms[i], ue ? "ue" : "ce");
		if (readf_ll(h, &count, path) < 0 || count == 0)
			continue;
		snprintf(path, sizeof(path), "%.127s/%.63s/dimm_label", dir, dimms[i]);
		readf_line(h, label, sizeof(label), path);
		jw_obj(w, NULL);
		jw_strf(w, "dimm", "%s/%s", mc, dimms[i]);
		jw_str(w, "label", label[0] ? label : NULL);
		jw_int(w, "count", count);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void edac_finding(const struct health *h, struct check *c, bool ue)
{
	const struct hw_counters *a = &h->first, *b = &h->last;
	long long before = edac_sum(a->mc, a->nmc, ue), after = edac_sum(b->mc, b->nmc, ue);
	struct finding *f;

	if (!b->edac_ok || after == 0)
		return;
	if (ue)
		f = check_finding(c, "hw.edac-ue", SEV_FAIL,
				  "Data in RAM was lost: the memory controller saw errors it could not correct. Replace "
				  "the DIMM named in the evidence before guests go back on this machine, and confirm "
				  "with a full memory test (memtest86+) over several passes.",
				  "%lld uncorrected memory error%s (%lld during the burn-in)", after, after == 1 ? "" : "s",
				  after - before);
	else
		f = check_finding(c, "hw.edac-ce", SEV_WARN,
				  "ECC corrected bit errors in RAM. The data stayed right, but a DIMM that keeps "
				  "producing them tends to fail: reseat or replace the DIMM named in the evidence, and "
				  "run memory at a speed the board supports (no XMP/EXPO overclock).",
				  "%lld corrected memory error%s (%lld during the burn-in)", after, after == 1 ? "" : "s",
				  after - before);
	jw_int(&f->ev, "since_boot", after);
	jw_int(&f->ev, "during_burnin", after - before);
	jw_arr(&f->ev, "controllers");
	for (int i = 0; i < b->nmc; i++) {
		long long n = ue ? b->mc[i].ue : b->mc[i].ce;

		if (n == 0)
			continue;
		jw_obj(&f->ev, NULL);
		jw_str(&f->ev, "name", b->mc[i].name);
		jw_str(&f->ev, "driver", b->mc[i].mc_name[0] ? b->mc[i].mc_name : NULL);
		jw_int(&f->ev, "count", n);
		dimm_evidence(h, &f->ev, b->mc[i].name, ue);
		jw_obj_end(&f->ev);
	}
	jw_arr_end(&f->ev);
}

static bool any_uncorrected(const struct health *h)
{
	const struct kmsg_hit *k = log_hit(h, "kernel.mce");

	for (int i = 0; i < k->count && i < KMSG_EVIDENCE_LINES; i++)
		if (strcasestr(k->lines[i], "uncorrected") || strcasestr(k->lines[i], "fatal") ||
		    strstr(k->lines[i], "PCC"))
			return true;
	return false;
}

static void mce_finding(const struct health *h, struct check *c)
{
	const struct hw_counters *a = &h->first, *b = &h->last;
	long long exc = b->mce - a->mce, thr = b->threshold - a->threshold, dfr = b->deferred - a->deferred;
	int logged = log_count(h, "kernel.mce");
	enum severity sev;
	struct finding *f;

	if (exc <= 0 && thr <= 0 && dfr <= 0 && logged == 0)
		return;
	/* A machine-check exception or an uncorrected error is a failure;
	 * corrected errors (threshold interrupts, logged events) a warning. */
	sev = exc > 0 || dfr > 0 || any_uncorrected(h) ? SEV_FAIL : SEV_WARN;
	f = check_finding(c, "hw.mce", sev,
			  "The CPU reported hardware errors. Decode the messages (rasdaemon or mcelog on the host), "
			  "update the BIOS and CPU microcode, and check cooling and power; errors that repeat on one "
			  "CPU or bank point at a failing CPU, memory or board: move guests off this machine until it "
			  "is fixed.",
			  "Machine checks during the burn-in: %lld exception%s, %lld threshold and %lld deferred "
			  "interrupt%s, %d kernel message%s",
			  exc, exc == 1 ? "" : "s", thr, dfr, thr + dfr == 1 ? "" : "s", logged, logged == 1 ? "" : "s");
	jw_int(&f->ev, "exceptions", exc);
	jw_int(&f->ev, "threshold_interrupts", thr);
	jw_int(&f->ev, "deferred_interrupts", dfr);
	jw_int(&f->ev, "kernel_log_lines", logged);
	jw_arr(&f->ev, "kernel_log");
	log_lines(h, "kernel.mce", &f->ev);
	jw_arr_end(&f->ev);
}

static void thermal_finding(const struct health *h, struct check *c)
{
	const struct hw_counters *a = &h->first, *b = &h->last;
	long long core = b->core_throttle - a->core_throttle, pkg = b->pkg_throttle - a->pkg_throttle;
	int hot;
	double tmax = temp_max(h, &hot);
	const struct hw_sensor *s = hot >= 0 ? &h->s[hot] : NULL;
	bool near = s && !isnan(s->crit_c) && s->max_c >= s->crit_c - HW_NEAR_CRIT_C;
	bool crit = s && !isnan(s->crit_c) && s->max_c >= s->crit_c;
	struct finding *f;

	if (core <= 0 && pkg <= 0 && !near)
		return;
	if (core > 0 || pkg > 0)
		f = check_finding(c, "hw.thermal-throttle", crit ? SEV_FAIL : SEV_WARN,
				  "The CPU slowed itself down to stay within its temperature limit. Check the heatsink "
				  "and its contact (thermal paste), fans, airflow and dust, and the BIOS fan and power "
				  "limit settings: a host that throttles slows every guest on it and makes their timing "
				  "erratic.",
				  "The CPU throttled under load: %lld core and %lld package event%s, hottest %.0f C",
				  core, pkg, core + pkg == 1 ? "" : "s", tmax);
	else
		f = check_finding(c, "hw.thermal-throttle", crit ? SEV_FAIL : SEV_WARN,
				  "The CPU ran at its temperature limit, where it throttles or shuts down. Check the "
				  "heatsink and its contact (thermal paste), fans, airflow and dust, and the BIOS fan and "
				  "power limit settings.",
				  "%s%s%s reached %.0f C under load, within %.0f C of its critical %.0f C", s->name,
				  s->label[0] ? " " : "", s->label, s->max_c, HW_NEAR_CRIT_C, s->crit_c);
	jw_int(&f->ev, "core_events", core);
	jw_int(&f->ev, "package_events", pkg);
	jw_int(&f->ev, "core_ms", b->core_throttle_ms - a->core_throttle_ms);
	jw_int(&f->ev, "package_ms", b->pkg_throttle_ms - a->pkg_throttle_ms);
	if (s) {
		jw_strf(&f->ev, "sensor", "%s%s%s", s->name, s->label[0] ? " " : "", s->label);
		jw_num(&f->ev, "max_c", s->max_c);
		jw_num(&f->ev, "crit_c", s->crit_c);
	}
	jw_num(&f->ev, "freq_min_mhz", h->freq_min_mhz);
	jw_num(&f->ev, "freq_avg_mhz", freq_avg(h));
}

void health_findings(const struct health *h, bool vm, struct check *c)
{
	thermal_finding(h, c);
	mce_finding(h, c);
	edac_finding(h, c, false);
	edac_finding(h, c, true);
	if (h->nsensors == 0) {
		struct finding *f = check_finding(
			c, "hw.sensors-unavailable", SEV_INFO,
			vm ? "Boot this image on the host itself (from USB) to watch its temperatures under load." : NULL,
			"No temperatures: %s", h->no_sensor_reason);

		jw_bool(&f->ev, "vm", vm);
	}
}
