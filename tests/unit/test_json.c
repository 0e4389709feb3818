/* The JSON writer and parser: escaping, nesting, numbers, round trips and
 * the errors a check's garbage output produces. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/json.h"
#include "report/report.h"

static char *render(void (*fn)(struct jw *), int indent)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;

	jw_init(&w, f, indent);
	fn(&w);
	assert_false(w.misuse);
	fclose(f);
	return buf;
}

static void write_sample(struct jw *w)
{
	jw_obj(w, NULL);
	jw_str(w, "s", "a\"b\\c\n\t\x01");
	jw_int(w, "i", -42);
	jw_uint(w, "u", 18446744073709551615ULL);
	jw_num(w, "d", 1.5);
	jw_num(w, "whole", 3.0);
	jw_num(w, "nan", NAN);
	jw_num(w, "inf", INFINITY);
	jw_bool(w, "t", true);
	jw_null(w, "n");
	jw_arr(w, "a");
	jw_int(w, NULL, 1);
	jw_obj(w, NULL);
	jw_obj_end(w);
	jw_arr(w, NULL);
	jw_arr_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
}

static void test_writer_compact(void **state)
{
	(void)state;
	char *s = render(write_sample, 0);

	assert_string_equal(s, "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\",\"i\":-42,\"u\":18446744073709551615,"
			       "\"d\":1.5,\"whole\":3,\"nan\":null,\"inf\":null,\"t\":true,\"n\":null,"
			       "\"a\":[1,{},[]]}");
	free(s);
}

static void test_writer_roundtrip_indented(void **state)
{
	(void)state;
	char *s = render(write_sample, 2), err[128];
	struct jval *v = json_parse(s, strlen(s), err, sizeof(err));

	assert_non_null(v);
	assert_string_equal(json_str(v, "s", NULL), "a\"b\\c\n\t\x01");
	assert_true(json_num(v, "i", 0) == -42);
	assert_true(json_get(v, "nan")->type == J_NULL);
	assert_int_equal(json_get(v, "a")->len, 3);
	assert_true(json_get(v, "t")->b);
	json_free(v);
	free(s);
}

static void misuse_key_in_array(struct jw *w)
{
	jw_arr(w, NULL);
	jw_int(w, "oops", 1);
	jw_arr_end(w);
}

static void test_writer_flags_misuse(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;

	jw_init(&w, f, 0);
	misuse_key_in_array(&w);
	assert_true(w.misuse);
	fclose(f);
	free(buf);
}

static void test_parse_unicode(void **state)
{
	(void)state;
	const char *in = "{\"k\": \"\\u00e9\\u20ac\\ud83d\\ude00/\\/\"}";
	struct jval *v = json_parse(in, strlen(in), NULL, 0);

	assert_non_null(v);
	assert_string_equal(json_str(v, "k", NULL), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80//");
	json_free(v);
}

static void test_parse_numbers_and_paths(void **state)
{
	(void)state;
	const char *in = " {\"a\": {\"b\": [0, -1.25e2, 3E-1]}, \"c\": false} \n";
	struct jval *v = json_parse(in, strlen(in), NULL, 0);
	const struct jval *b;

	assert_non_null(v);
	b = json_path(v, "a.b");
	assert_non_null(b);
	assert_int_equal(b->len, 3);
	assert_true(b->items[1]->num == -125.0);
	assert_true(fabs(b->items[2]->num - 0.3) < 1e-12);
	assert_false(json_get(v, "c")->b);
	assert_null(json_path(v, "a.x"));
	json_free(v);
}

static void test_parse_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "{", "{\"a\" 1}", "{\"a\":1,}", "[1 2]", "01", "-", "1.", "1e", "\"abc", "\"\\x\"",
		"\"\\ud800\"", "tru", "nul", "{} {}", "{'a':1}", "[1]x", "\"a\nb\"", "{\"a\":1}}",
		"{\"name\": \"isa\", this is not JSON\n",
	};
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jval *v = json_parse(bad[i], strlen(bad[i]), err, sizeof(err));

		if (v)
			fail_msg("accepted bad JSON: %s", bad[i]);
		assert_true(strstr(err, "at byte") != NULL);
	}
}

static void test_parse_depth_limit(void **state)
{
	(void)state;
	char deep[2 * (JSON_MAX_NESTING + 2) + 1];
	int n = JSON_MAX_NESTING + 1;

	for (int i = 0; i < n; i++)
		deep[i] = '[';
	for (int i = 0; i < n; i++)
		deep[n + i] = ']';
	assert_null(json_parse(deep, (size_t)(2 * n), NULL, 0));
	/* one level less is fine */
	struct jval *v = json_parse(deep + 1, (size_t)(2 * n - 2), NULL, 0);

	assert_non_null(v);
	json_free(v);
}

/* The reader and the writer share one depth: a valid 40-deep report (and
 * the deepest the reader takes) is written back as JSON that parses. */
static void test_depth_roundtrip(void **state)
{
	(void)state;
	for (int depth = 40; depth <= JSON_MAX_NESTING; depth += JSON_MAX_NESTING - 40) {
		char in[4 * JSON_MAX_NESTING + 64], *out;
		size_t n = 0, len;
		struct jval *v, *again;

		n += (size_t)sprintf(in, "{\"schema\":\"vmtriage/1\",\"x\":");
		for (int i = 1; i < depth; i++)
			in[n++] = '[';
		for (int i = 1; i < depth; i++)
			in[n++] = ']';
		in[n++] = '}';
		v = json_parse(in, n, NULL, 0);
		assert_non_null(v);
		out = json_to_string(v, 2, &len);
		again = json_parse(out, len, NULL, 0);
		assert_non_null(again);
		json_free(again);
		free(out);
		json_free(v);
	}
}

static void test_parse_long_number(void **state)
{
	(void)state;
	const char *in = "[1234567890123456789012345678901234567890123456789012345678901234567890, "
			 "-0.00000000000000000000000000000000000000000000000000000000000000000000001e-5]";
	char err[128];
	struct jval *v = json_parse(in, strlen(in), err, sizeof(err));

	assert_non_null(v);
	assert_true(fabs(v->items[0]->num / 1.2345678901234568e69 - 1) < 1e-15);
	assert_true(v->items[1]->num < 0 && v->items[1]->num > -1e-70);
	json_free(v);
	/* beyond a double: refused by name, not turned into null */
	assert_null(json_parse("[1e400]", 7, err, sizeof(err)));
	assert_string_equal(err, "number out of range at byte 1");
	assert_null(json_parse("-1e99999", 8, err, sizeof(err)));
	assert_string_equal(err, "number out of range at byte 0");
}

static void test_parse_bom(void **state)
{
	(void)state;
	const char *in = "\xef\xbb\xbf{\"schema\": \"vmtriage/1\"}";
	char err[128];
	struct jval *v = json_parse(in, strlen(in), err, sizeof(err));

	assert_non_null(v);
	assert_string_equal(json_str(v, "schema", NULL), "vmtriage/1");
	json_free(v);
	/* a BOM elsewhere is not white space */
	assert_null(json_parse("[\xef\xbb\xbf 1]", 7, err, sizeof(err)));
}

static void test_parse_utf8(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *err;
	} bad[] = {
		{ "\"a\xff\"", "invalid UTF-8 in string at byte 2" },
		{ "\"\xc3\"", "invalid UTF-8 in string at byte 1" },	       /* cut sequence */
		{ "\"\xc0\xaf\"", "invalid UTF-8 in string at byte 1" },       /* overlong '/' */
		{ "\"\xe0\x80\xaf\"", "invalid UTF-8 in string at byte 1" },   /* overlong */
		{ "\"\xed\xa0\x80\"", "invalid UTF-8 in string at byte 1" },   /* a surrogate */
		{ "\"\xf4\x90\x80\x80\"", "invalid UTF-8 in string at byte 1" }, /* above U+10FFFF */
		{ "{\"k\\u0000\": 1}", "\\u0000 in a string (not accepted: strings are read as C strings) at byte 3" },
		{ "{\"schema\": \"vmtriage/1\\u0000evil\"}", "\\u0000 in a string (not accepted: strings are read as C strings) at byte 22" },
	};
	const char *good = "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"";
	char err[160];
	struct jval *v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = json_parse(bad[i].in, strlen(bad[i].in), err, sizeof(err));
		if (v)
			fail_msg("accepted: %s", bad[i].in);
		assert_string_equal(err, bad[i].err);
	}
	v = json_parse(good, strlen(good), err, sizeof(err));
	assert_non_null(v);
	assert_int_equal(v->len, 13);
	json_free(v);
}

/* Text from the system may be any bytes; what the writer writes is UTF-8. */
static void test_escape_invalid_utf8(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jval *v;

	json_escape(f, "a\xff\xc3\xa9\xc3", 5);
	fclose(f);
	assert_string_equal(buf, "\"a\\ufffd\xc3\xa9\\ufffd\"");
	v = json_parse(buf, len, NULL, 0);
	assert_non_null(v);
	json_free(v);
	free(buf);
}

/* A file over the limit is "too large", not cut and then misread. */
static void test_report_too_large(void **state)
{
	(void)state;
	char path[] = "/tmp/vmtriage-test-XXXXXX", err[300];
	int fd = mkstemp(path);
	static const char head[] = "{\"schema\": \"vmtriage/1\", \"pad\": \"";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, head, sizeof(head) - 1), (ssize_t)sizeof(head) - 1);
	assert_int_equal(ftruncate(fd, REPORT_MAX_BYTES + 1), 0);
	close(fd);
	assert_null(report_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, ": too large: more than 64 MiB"));
	unlink(path);
}

static void test_value_rewrite(void **state)
{
	(void)state;
	const char *in = "{\"x\":[1,\"two\",{\"y\":null}],\"z\":true}";
	struct jval *v = json_parse(in, strlen(in), NULL, 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;

	jw_init(&w, f, 0);
	jw_value(&w, NULL, v);
	fclose(f);
	assert_string_equal(buf, in);
	free(buf);
	json_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_compact),
		cmocka_unit_test(test_writer_roundtrip_indented),
		cmocka_unit_test(test_writer_flags_misuse),
		cmocka_unit_test(test_parse_unicode),
		cmocka_unit_test(test_parse_numbers_and_paths),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_depth_limit),
		cmocka_unit_test(test_value_rewrite),
		cmocka_unit_test(test_depth_roundtrip),
		cmocka_unit_test(test_parse_long_number),
		cmocka_unit_test(test_parse_bom),
		cmocka_unit_test(test_parse_utf8),
		cmocka_unit_test(test_escape_invalid_utf8),
		cmocka_unit_test(test_report_too_large),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
