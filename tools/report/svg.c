/* The SVG chart kit of report.html: linear and log axes, lines, points,
 * bars, legends. Charts are drawn server-side into the page, no script.
 * See report/svg.h. */
#include "report/svg.h"

#include <math.h>
#include <stdlib.h>

#include "lib/opts.h"
#include "lib/util.h"
#include "report/html.h"

static double axis_at(const struct axis *a, double v, double from, double to)
{
	double t = a->log ? (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo)) : (v - a->lo) / (a->hi - a->lo);

	return from + t * (to - from);
}

/* Where the plot area ends on the right. */
int svg_x_end(const struct plot *p)
{
	return SVG_W - (p->right_axis ? M_RIGHT_AXIS : M_RIGHT);
}

double svg_px(const struct plot *p, double v)
{
	return axis_at(&p->x, v, M_LEFT, svg_x_end(p));
}

double svg_py(const struct plot *p, double v)
{
	return axis_at(&p->y, v, SVG_H - M_BOTTOM, M_TOP);
}

/* Whole decades around [lo, hi]; lo > 0. */
void svg_axis_log(struct axis *a, double lo, double hi)
{
	a->log = true;
	a->lo = pow(10, floor(log10(lo)));
	a->hi = pow(10, ceil(log10(hi)));
	if (a->hi <= a->lo)
		a->hi = a->lo * 10;
}

/* lo to hi rounded up, ticks at 1, 2 or 5 times a power of ten. */
void svg_axis_lin(struct axis *a, double lo, double hi)
{
	double raw = (hi - lo) / 5, mag, step;

	if (!(raw > 0))
		raw = hi > 0 ? hi / 5 : 1;
	mag = pow(10, floor(log10(raw)));
	step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
	a->log = false;
	a->step = step;
	a->lo = floor(lo / step) * step;
	a->hi = ceil(hi / step) * step;
	if (a->hi <= a->lo)
		a->hi = a->lo + step;
}

static void tick_label(const struct axis *a, char *buf, size_t size, double v)
{
	if (a->tick)
		a->tick(buf, size, v);
	else if (v == floor(v))
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%g", v);
}

/* Microseconds as "50us", "1ms", "2.5s": short enough for an axis. */
void svg_tick_us(char *buf, size_t size, double us)
{
	format_duration(buf, size, llround(us * 1000));
}

void svg_open(FILE *f, const char *id, const char *title, const char *desc)
{
	fprintf(f, "<figure>\n<svg class=\"chart\" id=\"%s\" viewBox=\"0 0 %d %d\" role=\"img\" "
		   "aria-labelledby=\"%s-t %s-d\">\n<title id=\"%s-t\">", id, SVG_W, SVG_H, id, id, id);
	html_escape(f, title);
	fprintf(f, "</title>\n<desc id=\"%s-d\">", id);
	html_escape(f, desc);
	fputs("</desc>\n", f);
}

void svg_close(FILE *f, const char *caption)
{
	fputs("</svg>\n<figcaption>", f);
	html_escape(f, caption);
	fputs("</figcaption>\n</figure>\n", f);
}

/* The y axis: grid lines, tick labels and its label, rotated. */
void svg_axis_y(const struct plot *p, const char *label)
{
	FILE *f = p->f;
	char t[32];

	for (double v = p->y.lo; v <= p->y.hi * (1 + 1e-9); v = p->y.log ? v * 10 : v + p->y.step) {
		double y = svg_py(p, v);

		tick_label(&p->y, t, sizeof(t), v);
		fprintf(f, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
			   "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
			M_LEFT, svg_x_end(p), y, y, M_LEFT - 5, y + 4, t);
	}
	fprintf(f, "<line class=\"ax\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", M_LEFT, M_LEFT, M_TOP,
		SVG_H - M_BOTTOM);
	fprintf(f, "<text class=\"lab\" text-anchor=\"middle\" transform=\"translate(13 %d) rotate(-90)\">",
		(SVG_H - M_BOTTOM + M_TOP) / 2);
	html_escape(f, label);
	fputs("</text>\n", f);
}

/* A second y axis on the right (p->right_axis set): tick labels and its
 * label only, since the grid lines belong to the left axis. */
void svg_axis_y_right(const struct plot *p, const char *label)
{
	FILE *f = p->f;
	char t[32];

	for (double v = p->y.lo; v <= p->y.hi * (1 + 1e-9); v = p->y.log ? v * 10 : v + p->y.step) {
		tick_label(&p->y, t, sizeof(t), v);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\">%s</text>\n", svg_x_end(p) + 5, svg_py(p, v) + 4, t);
	}
	fprintf(f, "<line class=\"ax\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", svg_x_end(p), svg_x_end(p), M_TOP,
		SVG_H - M_BOTTOM);
	fprintf(f, "<text class=\"lab\" text-anchor=\"middle\" transform=\"translate(%d %d) rotate(90)\">",
		SVG_W - 13, (SVG_H - M_BOTTOM + M_TOP) / 2);
	html_escape(f, label);
	fputs("</text>\n", f);
}

static void axis_x_label(const struct plot *p, const char *label)
{
	fprintf(p->f, "<line class=\"ax\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n", M_LEFT, svg_x_end(p),
		SVG_H - M_BOTTOM, SVG_H - M_BOTTOM);
	fprintf(p->f, "<text class=\"lab\" text-anchor=\"middle\" x=\"%d\" y=\"%d\">", (M_LEFT + svg_x_end(p)) / 2,
		SVG_H - 8);
	html_escape(p->f, label);
	fputs("</text>\n", p->f);
}

static void x_tick(const struct plot *p, double v, const char *text)
{
	fprintf(p->f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", svg_px(p, v), SVG_H - M_BOTTOM + 17);
	html_escape(p->f, text);
	fputs("</text>\n", p->f);
}

/* Categories 0..n-1 labelled with vals[i] (formatted by the axis' tick
 * function); at most about ten labels. */
void svg_axis_x_cats(const struct plot *p, const double *vals, int n, const char *label)
{
	int every = n > 10 ? (n + 9) / 10 : 1;
	char t[32];

	for (int i = 0; i < n; i += every) {
		tick_label(&p->x, t, sizeof(t), vals[i]);
		x_tick(p, i, t);
	}
	axis_x_label(p, label);
}

void svg_axis_x_lin(const struct plot *p, const char *label)
{
	char t[32];

	for (double v = p->x.lo; v <= p->x.hi * (1 + 1e-9); v += p->x.step) {
		tick_label(&p->x, t, sizeof(t), v);
		x_tick(p, v, t);
	}
	axis_x_label(p, label);
}

static bool plottable(const struct plot *p, double y)
{
	return isfinite(y) && (!p->y.log || y > 0);
}

void svg_polyline(const struct plot *p, const double *xs, const double *ys, int n, const char *cls)
{
	fprintf(p->f, "<polyline class=\"ln %s\" points=\"", cls);
	for (int i = 0; i < n; i++)
		if (plottable(p, ys[i]))
			fprintf(p->f, "%.1f,%.1f ", svg_px(p, xs[i]), svg_py(p, ys[i]));
	fputs("\"/>\n", p->f);
}

void svg_point(const struct plot *p, double x, double y, const char *cls, const char *tip)
{
	if (!plottable(p, y))
		return;
	fprintf(p->f, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>", cls, svg_px(p, x), svg_py(p, y));
	html_escape(p->f, tip);
	fputs("</title></circle>\n", p->f);
}

void svg_legend_item(FILE *f, const char *cls, const char *text)
{
	fprintf(f, "<span><i class=\"%s\"></i>", cls);
	html_escape(f, text);
	fputs("</span>", f);
}

/* A JSON array of numbers as doubles divided by scale (NaN where not a
 * number). The caller frees it. */
double *svg_numbers(const struct jval *arr, double scale, int *n)
{
	double *v;

	*n = json_is(arr, J_ARR) ? (int)json_len(arr) : 0;
	v = xcalloc((size_t)*n + 1, sizeof(*v));
	for (int i = 0; i < *n; i++)
		v[i] = json_as_num(json_at(arr, (size_t)i), NAN) / scale;
	return v;
}

double svg_max_of(const double *v, int n)
{
	double m = 0;

	for (int i = 0; i < n; i++)
		if (isfinite(v[i]) && v[i] > m)
			m = v[i];
	return m;
}

/* The smallest and largest finite values; false if there is none. */
bool svg_finite_range(const double *v, int n, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (int i = 0; i < n; i++)
		if (isfinite(v[i])) {
			*lo = fmin(*lo, v[i]);
			*hi = fmax(*hi, v[i]);
		}
	return *lo <= *hi;
}

void svg_hline(const struct plot *p, double y, const char *cls)
{
	fprintf(p->f, "<line class=\"ln %s\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>\n", cls, M_LEFT, svg_x_end(p),
		svg_py(p, y), svg_py(p, y));
}
