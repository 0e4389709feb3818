/* The HTML kit of report.html: escaping, numbers tagged with their place in
 * report.json, badges. See report/html.h. */
#include "report/html.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

void html_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '\t': case '\n': fputc(*s, f); break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				fputs("&#xFFFD;", f);
			else
				fputc(*s, f);
		}
	}
}

void html_textf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		dief("out of memory");
	va_end(ap);
	html_escape(f, s);
	free(s);
}

void html_el(FILE *f, const char *open, const char *text, const char *close)
{
	fputs(open, f);
	html_escape(f, text);
	fputs(close, f);
}

void html_raw_number(char *buf, size_t size, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.10g", v);
}

void html_value(FILE *f, const char *tag, const struct jval *v, const char *path, int dp, double scale)
{
	char raw[48], sc[48];

	if (!v || json_is(v, J_NULL) || json_is(v, J_ARR) || json_is(v, J_OBJ)) {
		fprintf(f, "<%s class=\"na\">&#8211;</%s>", tag, tag);
		return;
	}
	if (!json_is(v, J_NUM)) {
		fprintf(f, "<%s>", tag);
		html_escape(f, json_as_str(v, json_is_true(v) ? "yes" : "no"));
		fprintf(f, "</%s>", tag);
		return;
	}
	html_raw_number(raw, sizeof(raw), json_as_num(v, 0));
	html_raw_number(sc, sizeof(sc), scale);
	fprintf(f, "<%s class=\"n\" data-path=\"", tag);
	html_escape(f, path);
	fprintf(f, "\" data-value=\"%s\"", raw);
	if (scale && scale != 1)
		fprintf(f, " data-scale=\"%s\"", sc);
	if (dp == DP_RAW)
		fprintf(f, ">%s</%s>", raw, tag);
	else
		fprintf(f, ">%.*f</%s>", dp, json_as_num(v, 0) / (scale ? scale : 1), tag);
}

const struct field *html_field_find(const struct field *t, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].key, key))
			return &t[i];
	return NULL;
}

const char *html_status_class(const char *s)
{
	static const char *const known[] = { "pass", "warn", "fail", "error", "skip", "info" };

	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(s, known[i]))
			return known[i];
	return "skip";
}

void html_badge(FILE *f, const char *status)
{
	fprintf(f, "<span class=\"badge bg-%s\">", html_status_class(status));
	html_escape(f, status);
	fputs("</span>", f);
}

void html_names(FILE *f, const struct jval *arr)
{
	if (!json_is(arr, J_ARR) || !json_len(arr)) {
		fputs("none", f);
		return;
	}
	for (size_t i = 0; i < json_len(arr); i++)
		html_textf(f, "%s%s", i ? ", " : "", json_as_str(json_at(arr, i), "?"));
}

bool html_not_known(FILE *f, const struct jval *v, enum jtype want, const char *path)
{
	if (!v || json_is(v, J_NULL) || json_is(v, want))
		return false;
	fputs("<p class=\"note\">Not known: <code>", f);
	html_escape(f, path);
	fprintf(f, "</code> in report.json is %s, not %s.</p>\n", json_type_name(v->type), json_type_name(want));
	return true;
}

void html_inline_fig(FILE *f, const struct jval *o, const char *key, const char *base, int dp, const char *after)
{
	char path[200];

	snprintf(path, sizeof(path), "%s.%s", base, key);
	html_value(f, "span", json_get(o, key), path, dp, 1);
	html_escape(f, after);
}
