/* The SVG chart kit of report.html: a plot of SVG_W x SVG_H user units
 * with margins for the axes, linear or log axes with tick labels, lines,
 * points with a tooltip, and the legend beside the figure. A view builds
 * a struct plot, sets its axes, then draws between svg_open and svg_close. */
#ifndef VMTRIAGE_REPORT_SVG_H
#define VMTRIAGE_REPORT_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/json.h"

#define SVG_W 440
#define SVG_H 270
#define M_LEFT 74
#define M_RIGHT 10
#define M_RIGHT_AXIS 56	/* room for a second y axis on the right */
#define M_TOP 10
#define M_BOTTOM 48

typedef void (*tick_fn)(char *buf, size_t size, double v);

struct axis {
	double lo, hi, step; /* step: tick spacing of a linear axis */
	bool log;
	tick_fn tick;	     /* formats a tick label; NULL: a plain number */
};

struct plot {
	FILE *f;
	struct axis x, y;
	bool right_axis; /* leave room for a second y axis (svg_axis_y_right) */
};

/* Where the plot area ends on the right, and a value's place on x and y. */
int svg_x_end(const struct plot *p);
double svg_px(const struct plot *p, double v);
double svg_py(const struct plot *p, double v);

/* Whole decades around [lo, hi]; lo > 0. */
void svg_axis_log(struct axis *a, double lo, double hi);
/* lo to hi rounded up, ticks at 1, 2 or 5 times a power of ten. */
void svg_axis_lin(struct axis *a, double lo, double hi);
/* Microseconds as "50us", "1ms", "2.5s": short enough for an axis (a tick_fn). */
void svg_tick_us(char *buf, size_t size, double us);

/* A figure with an <svg> of id, its title and description for screen
 * readers; svg_close ends it with a caption. */
void svg_open(FILE *f, const char *id, const char *title, const char *desc);
void svg_close(FILE *f, const char *caption);

/* The y axis: grid lines, tick labels and its label, rotated. */
void svg_axis_y(const struct plot *p, const char *label);
/* A second y axis on the right (p->right_axis set): tick labels and its
 * label only, since the grid lines belong to the left axis. */
void svg_axis_y_right(const struct plot *p, const char *label);
/* Categories 0..n-1 labelled with vals[i] (formatted by the axis' tick
 * function); at most about ten labels. */
void svg_axis_x_cats(const struct plot *p, const double *vals, int n, const char *label);
void svg_axis_x_lin(const struct plot *p, const char *label);

/* A line through the points that can be drawn (finite; > 0 on a log axis). */
void svg_polyline(const struct plot *p, const double *xs, const double *ys, int n, const char *cls);
/* A dot with a tooltip. */
void svg_point(const struct plot *p, double x, double y, const char *cls, const char *tip);
/* A horizontal line across the plot at y. */
void svg_hline(const struct plot *p, double y, const char *cls);
/* One legend entry: a swatch of class cls and its text. */
void svg_legend_item(FILE *f, const char *cls, const char *text);

/* A JSON array of numbers as doubles divided by scale (NaN where not a
 * number; none when arr is not an array). The caller frees it. */
double *svg_numbers(const struct jval *arr, double scale, int *n);
/* The largest finite value, at least 0. */
double svg_max_of(const double *v, int n);
/* The smallest and largest finite values; false if there is none. */
bool svg_finite_range(const double *v, int n, double *lo, double *hi);

#endif
