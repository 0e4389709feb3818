/* A streaming JSON writer and a small DOM parser.
 *
 * The writer keeps a stack of open containers so that commas, keys and
 * indentation come out right whatever order the caller writes in; a key is
 * given inside objects and must be NULL inside arrays. Numbers that are not
 * finite are written as null, since JSON has no NaN. */
#ifndef VMTRIAGE_JSON_H
#define VMTRIAGE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Containers open at once, for the writer and the reader alike: whatever
 * the reader accepts, the writer can write back (`triage report --json`). */
#define JW_MAX_DEPTH 64

struct jw {
	FILE *f;
	int depth;
	int indent;			 /* spaces per level; 0 writes one line */
	bool first[JW_MAX_DEPTH + 1];	 /* nothing written yet at this level */
	bool in_array[JW_MAX_DEPTH + 1];
	bool misuse;			 /* a key where none belongs, or overflow */
};

void jw_init(struct jw *w, FILE *f, int indent);

void jw_obj(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);

void jw_str(struct jw *w, const char *key, const char *s); /* NULL: null */
void jw_strn(struct jw *w, const char *key, const char *s, size_t n);
void jw_strf(struct jw *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void jw_int(struct jw *w, const char *key, long long v);
void jw_uint(struct jw *w, const char *key, unsigned long long v);
void jw_num(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);
/* Inserts text that is already valid JSON (checked by the caller). */
void jw_raw(struct jw *w, const char *key, const char *json);

/* Writes s as a JSON string literal, quotes included. */
void json_escape(FILE *f, const char *s, size_t n);

/* ---- parser ---- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	bool b;
	double num;
	char *str;	      /* J_STR, NUL-terminated UTF-8 */
	size_t len;	      /* elements of J_ARR/J_OBJ, bytes of J_STR */
	struct jval **items;  /* J_ARR, J_OBJ values */
	char **keys;	      /* J_OBJ keys */
};

#define JSON_MAX_NESTING JW_MAX_DEPTH

/* Parses exactly one JSON value (white space around it allowed, and a UTF-8
 * byte order mark before it). Returns NULL and a message with the byte
 * offset in err on bad input: invalid UTF-8, a \u0000 (every consumer reads
 * strings as C strings), a number beyond a double's range or nesting deeper
 * than JSON_MAX_NESTING are refused by name. Numbers of any length are read
 * as doubles. */
struct jval *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(struct jval *v);

/* Member of an object, or NULL. */
const struct jval *json_get(const struct jval *obj, const char *key);
/* For tests, NULL otherwise: called with every object and key that json_get
 * (and so every accessor below) looks up, so that the renderers' test can
 * check each key they read against the checks' schema fragments. */
extern void (*json_get_hook)(const struct jval *obj, const char *key);
/* Follows dot-separated keys ("system.cpu.count"). */
const struct jval *json_path(const struct jval *v, const char *path);
/* Convenience accessors with a fallback when absent or of another type. */
const char *json_str(const struct jval *obj, const char *key, const char *def);
double json_num(const struct jval *obj, const char *key, double def);

/* Typed access, for readers of reports from other machines: a member that
 * is absent or of another type is NULL, empty or the caller's default,
 * never a node whose type was not checked (a string's len is its bytes,
 * and its items are NULL). */
bool json_is(const struct jval *v, enum jtype type);
/* Member key of obj if it is an array (json_arr) or an object (json_obj). */
const struct jval *json_arr(const struct jval *obj, const char *key);
const struct jval *json_obj(const struct jval *obj, const char *key);
/* Elements of an array or members of an object; 0 for anything else. */
size_t json_len(const struct jval *v);
/* Element i of an array or value of member i of an object; NULL past the
 * end or on anything else. With json_len, the way to walk a container. */
const struct jval *json_at(const struct jval *v, size_t i);
/* Key of member i of an object; NULL past the end or on anything else. */
const char *json_key(const struct jval *obj, size_t i);
/* v itself as a string or number, def when absent or of another type. */
const char *json_as_str(const struct jval *v, const char *def);
double json_as_num(const struct jval *v, double def);
/* v is the boolean true; member key of obj is. */
bool json_is_true(const struct jval *v);
bool json_true(const struct jval *obj, const char *key);
/* "a string", "an array", ...: for messages about a member of the wrong type. */
const char *json_type_name(enum jtype type);

/* Writes a parsed value back out. */
void jw_value(struct jw *w, const char *key, const struct jval *v);
/* A parsed value as JSON text (indent 0: one line), malloc'd. Exits with a
 * message for a tree deeper than JW_MAX_DEPTH (the parser never makes one). */
char *json_to_string(const struct jval *v, int indent, size_t *len);

#endif
