#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void jw_init(struct jw *w, FILE *f, int indent)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->indent = indent;
	w->first[0] = true;
}

static void newline(struct jw *w)
{
	if (!w->indent)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < w->depth * w->indent; i++)
		fputc(' ', w->f);
}

/* Writes the separator and key that precede a value at the current level. */
static void prefix(struct jw *w, const char *key)
{
	if (w->depth > 0) {
		if (!w->first[w->depth])
			fputc(',', w->f);
		newline(w);
	}
	w->first[w->depth] = false;
	if (w->depth > 0 && !w->in_array[w->depth]) {
		if (!key) {
			w->misuse = true;
			key = "";
		}
		json_escape(w->f, key, strlen(key));
		fputs(w->indent ? ": " : ":", w->f);
	} else if (key) {
		w->misuse = true;
	}
}

static void open_container(struct jw *w, const char *key, bool array)
{
	prefix(w, key);
	fputc(array ? '[' : '{', w->f);
	if (w->depth >= JW_MAX_DEPTH) {
		w->misuse = true;
		return;
	}
	w->depth++;
	w->first[w->depth] = true;
	w->in_array[w->depth] = array;
}

static void close_container(struct jw *w, bool array)
{
	if (w->depth == 0 || w->in_array[w->depth] != array) {
		w->misuse = true;
		return;
	}
	bool empty = w->first[w->depth];

	w->depth--;
	if (!empty)
		newline(w);
	fputc(array ? ']' : '}', w->f);
	if (w->depth == 0 && w->indent)
		fputc('\n', w->f);
}

void jw_obj(struct jw *w, const char *key) { open_container(w, key, false); }
void jw_obj_end(struct jw *w) { close_container(w, false); }
void jw_arr(struct jw *w, const char *key) { open_container(w, key, true); }
void jw_arr_end(struct jw *w) { close_container(w, true); }

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t k;

	if (*p >= 0xc2 && *p <= 0xdf)
		k = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		k = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		k = 4;
	else
		return 0;
	if (*p == 0xe0)
		lo = 0xa0;
	else if (*p == 0xed)
		hi = 0x9f;
	else if (*p == 0xf0)
		lo = 0x90;
	else if (*p == 0xf4)
		hi = 0x8f;
	if ((size_t)(end - p) < k || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return k;
}

void json_escape(FILE *f, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (c >= 0x80) {
				/* Text from the system (a kernel log line, DMI)
				 * may be any bytes; the output stays UTF-8. */
				size_t k = utf8_seq((const unsigned char *)s + i, (const unsigned char *)s + n);

				if (!k) {
					fputs("\\ufffd", f);
				} else {
					fwrite(s + i, 1, k, f);
					i += k - 1;
				}
			} else if (c < 0x20 || c == 0x7f) {
				fputs("\\u00", f);
				fputc(hex[c >> 4], f);
				fputc(hex[c & 15], f);
			} else {
				fputc(c, f);
			}
		}
	}
	fputc('"', f);
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	if (!s) {
		jw_null(w, key);
		return;
	}
	jw_strn(w, key, s, strlen(s));
}

void jw_strn(struct jw *w, const char *key, const char *s, size_t n)
{
	prefix(w, key);
	json_escape(w->f, s, n);
}

void jw_strf(struct jw *w, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	jw_str(w, key, s);
	free(s);
}

void jw_int(struct jw *w, const char *key, long long v)
{
	prefix(w, key);
	fprintf(w->f, "%lld", v);
}

void jw_uint(struct jw *w, const char *key, unsigned long long v)
{
	prefix(w, key);
	fprintf(w->f, "%llu", v);
}

void jw_num(struct jw *w, const char *key, double v)
{
	if (!isfinite(v)) {
		jw_null(w, key);
		return;
	}
	prefix(w, key);
	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(w->f, "%.0f", v);
	} else {
		/* The shortest of 15 or 17 digits that reads back as the same
		 * double: a report read and written again keeps its numbers. */
		char buf[32];

		snprintf(buf, sizeof(buf), "%.15g", v);
		if (strtod(buf, NULL) != v)
			snprintf(buf, sizeof(buf), "%.17g", v);
		fputs(buf, w->f);
	}
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	prefix(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	prefix(w, key);
	fputs("null", w->f);
}

void jw_raw(struct jw *w, const char *key, const char *json)
{
	prefix(w, key);
	fputs(json, w->f);
}

void jw_value(struct jw *w, const char *key, const struct jval *v)
{
	if (!v) {
		jw_null(w, key);
		return;
	}
	switch (v->type) {
	case J_NULL: jw_null(w, key); break;
	case J_BOOL: jw_bool(w, key, v->b); break;
	case J_NUM: jw_num(w, key, v->num); break;
	case J_STR: jw_strn(w, key, v->str, v->len); break;
	case J_ARR:
		jw_arr(w, key);
		for (size_t i = 0; i < v->len; i++)
			jw_value(w, NULL, v->items[i]);
		jw_arr_end(w);
		break;
	case J_OBJ:
		jw_obj(w, key);
		for (size_t i = 0; i < v->len; i++)
			jw_value(w, v->keys[i], v->items[i]);
		jw_obj_end(w);
		break;
	}
}

char *json_to_string(const struct jval *v, int indent, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct jw w;

	if (!f)
		dief("out of memory");
	jw_init(&w, f, indent);
	jw_value(&w, NULL, v);
	if (fclose(f) != 0)
		dief("out of memory");
	if (w.misuse)
		dief("internal error: a JSON tree deeper than %d levels", JW_MAX_DEPTH);
	if (len)
		*len = n;
	return buf;
}

/* ---- parser: recursive descent over a bounded buffer ---- */

struct parser {
	const char *p, *start, *end;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct parser *ps, const char *what)
{
	if (!ps->failed && ps->err)
		snprintf(ps->err, ps->errlen, "%s at byte %td", what, ps->p - ps->start);
	ps->failed = true;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static int hex4(struct parser *ps, unsigned *out)
{
	unsigned v = 0;

	if (ps->end - ps->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = *ps->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void put_utf8(char *buf, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		buf[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		buf[(*n)++] = (char)(0xc0 | (cp >> 6));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		buf[(*n)++] = (char)(0xe0 | (cp >> 12));
		buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		buf[(*n)++] = (char)(0xf0 | (cp >> 18));
		buf[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* Parses a string literal; the output is never longer than the input. */
static char *parse_string(struct parser *ps, size_t *len)
{
	const char *q = ps->p + 1;
	char *out;
	size_t n = 0;

	/* find the closing quote to size the buffer */
	while (q < ps->end && *q != '"')
		q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
	if (q >= ps->end) {
		fail(ps, "unterminated string");
		return NULL;
	}
	out = xmalloc((size_t)(q - ps->p) + 1);
	ps->p++;
	while (*ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p++;

		if (c < 0x20) {
			ps->p--;
			fail(ps, "control character in string");
			free(out);
			return NULL;
		}
		if (c >= 0x80) {
			size_t k = utf8_seq((const unsigned char *)ps->p - 1, (const unsigned char *)q);

			if (!k) {
				ps->p--;
				fail(ps, "invalid UTF-8 in string");
				free(out);
				return NULL;
			}
			memcpy(out + n, ps->p - 1, k);
			n += k;
			ps->p += k - 1;
			continue;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		c = (unsigned char)*ps->p++;
		switch (c) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case '/': out[n++] = '/'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u': {
			unsigned cp, lo;

			if (hex4(ps, &cp) < 0)
				goto bad;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (!literal(ps, "\\u") || hex4(ps, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				goto bad;
			} else if (cp == 0) {
				ps->p -= 6;
				fail(ps, "\\u0000 in a string (not accepted: strings are read as C strings)");
				free(out);
				return NULL;
			}
			/* \uXXXX is 6 input bytes and at most 4 output bytes; a
			 * surrogate pair is 12 input bytes for 4 output bytes. */
			put_utf8(out, &n, cp);
			break;
		}
		default:
			goto bad;
		}
	}
	ps->p++;
	out[n] = '\0';
	*len = n;
	return out;
bad:
	fail(ps, "bad escape in string");
	free(out);
	return NULL;
}

static struct jval *parse_value(struct parser *ps, int depth);

static struct jval *new_val(enum jtype t)
{
	struct jval *v = xcalloc(1, sizeof(*v));

	v->type = t;
	return v;
}

static void append(struct jval *c, char *key, struct jval *item, size_t *cap)
{
	if (c->len == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		c->items = xrealloc(c->items, *cap * sizeof(*c->items));
		if (c->type == J_OBJ)
			c->keys = xrealloc(c->keys, *cap * sizeof(*c->keys));
	}
	if (c->type == J_OBJ)
		c->keys[c->len] = key;
	c->items[c->len++] = item;
}

static struct jval *parse_container(struct parser *ps, int depth, bool array)
{
	struct jval *c = new_val(array ? J_ARR : J_OBJ);
	char close = array ? ']' : '}';
	size_t cap = 0;

	if (depth >= JSON_MAX_NESTING) {
		fail(ps, "nesting too deep");
		free(c);
		return NULL;
	}
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return c;
	}
	for (;;) {
		char *key = NULL;
		struct jval *item;

		skip_ws(ps);
		if (!array) {
			size_t klen;

			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, "expected a key");
				break;
			}
			key = parse_string(ps, &klen);
			if (!key)
				break;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				fail(ps, "expected ':'");
				free(key);
				break;
			}
			ps->p++;
		}
		item = parse_value(ps, depth + 1);
		if (!item) {
			free(key);
			break;
		}
		append(c, key, item, &cap);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return c;
		}
		fail(ps, array ? "expected ',' or ']'" : "expected ',' or '}'");
		break;
	}
	json_free(c);
	return NULL;
}

static struct jval *parse_number(struct parser *ps)
{
	const char *s = ps->p;
	char buf[64], *num;
	struct jval *v;
	double d;
	size_t n;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
		goto bad;
	if (*ps->p == '0')
		ps->p++;
	else
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			goto bad;
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			goto bad;
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	/* Any number of digits is valid JSON: a long one is read as the
	 * nearest double, one beyond a double's range is refused. */
	n = (size_t)(ps->p - s);
	num = n < sizeof(buf) ? buf : xmalloc(n + 1);
	memcpy(num, s, n);
	num[n] = '\0';
	d = strtod(num, NULL);
	if (num != buf)
		free(num);
	if (!isfinite(d)) {
		ps->p = s;
		fail(ps, "number out of range");
		return NULL;
	}
	v = new_val(J_NUM);
	v->num = d;
	return v;
bad:
	fail(ps, "bad number");
	return NULL;
}

static struct jval *parse_value(struct parser *ps, int depth)
{
	struct jval *v;

	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, "unexpected end of input");
		return NULL;
	}
	switch (*ps->p) {
	case '{': return parse_container(ps, depth, false);
	case '[': return parse_container(ps, depth, true);
	case '"': {
		size_t len;
		char *s = parse_string(ps, &len);

		if (!s)
			return NULL;
		v = new_val(J_STR);
		v->str = s;
		v->len = len;
		return v;
	}
	case 't':
	case 'f':
		if (literal(ps, "true") || literal(ps, "false")) {
			v = new_val(J_BOOL);
			v->b = *(ps->p - 4) == 't';
			return v;
		}
		break;
	case 'n':
		if (literal(ps, "null"))
			return new_val(J_NULL);
		break;
	default:
		return parse_number(ps);
	}
	fail(ps, "unexpected character");
	return NULL;
}

struct jval *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser ps = { .p = text, .start = text, .end = text + len, .err = err, .errlen = errlen };
	struct jval *v;

	if (err && errlen)
		err[0] = '\0';
	/* RFC 8259 lets a reader ignore a byte order mark; editors on
	 * Windows write one. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		ps.p += 3;
	v = parse_value(&ps, 0);
	if (!v)
		return NULL;
	skip_ws(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "trailing data");
		json_free(v);
		return NULL;
	}
	return v;
}

void json_free(struct jval *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->len && (v->type == J_ARR || v->type == J_OBJ); i++) {
		json_free(v->items[i]);
		if (v->type == J_OBJ)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

void (*json_get_hook)(const struct jval *obj, const char *key);

const struct jval *json_get(const struct jval *obj, const char *key)
{
	if (!obj || obj->type != J_OBJ)
		return NULL;
	if (json_get_hook)
		json_get_hook(obj, key);
	for (size_t i = 0; i < obj->len; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

const struct jval *json_path(const struct jval *v, const char *path)
{
	char key[128];

	while (v && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = json_get(v, key);
		path += n + (path[n] == '.');
	}
	return v;
}

const char *json_str(const struct jval *obj, const char *key, const char *def)
{
	const struct jval *v = json_get(obj, key);

	return v && v->type == J_STR ? v->str : def;
}

double json_num(const struct jval *obj, const char *key, double def)
{
	const struct jval *v = json_get(obj, key);

	return v && v->type == J_NUM ? v->num : def;
}

bool json_is(const struct jval *v, enum jtype type)
{
	return v && v->type == type;
}

const struct jval *json_arr(const struct jval *obj, const char *key)
{
	const struct jval *v = json_get(obj, key);

	return json_is(v, J_ARR) ? v : NULL;
}

const struct jval *json_obj(const struct jval *obj, const char *key)
{
	const struct jval *v = json_get(obj, key);

	return json_is(v, J_OBJ) ? v : NULL;
}

size_t json_len(const struct jval *v)
{
	return json_is(v, J_ARR) || json_is(v, J_OBJ) ? v->len : 0;
}

const struct jval *json_at(const struct jval *v, size_t i)
{
	return i < json_len(v) ? v->items[i] : NULL;
}

const char *json_key(const struct jval *obj, size_t i)
{
	return json_is(obj, J_OBJ) && i < obj->len ? obj->keys[i] : NULL;
}

const char *json_as_str(const struct jval *v, const char *def)
{
	return json_is(v, J_STR) ? v->str : def;
}

double json_as_num(const struct jval *v, double def)
{
	return json_is(v, J_NUM) ? v->num : def;
}

bool json_is_true(const struct jval *v)
{
	return json_is(v, J_BOOL) && v->b;
}

bool json_true(const struct jval *obj, const char *key)
{
	return json_is_true(json_get(obj, key));
}

const char *json_type_name(enum jtype type)
{
	static const char *const names[] = {
		[J_NULL] = "null", [J_BOOL] = "a boolean", [J_NUM] = "a number",
		[J_STR] = "a string", [J_ARR] = "an array", [J_OBJ] = "an object",
	};

	return (unsigned)type < sizeof(names) / sizeof(names[0]) ? names[type] : "of no known type";
}
