#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/util.h"

#define SHALLOW 5

char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

bool fuzz_is_report(const struct jval *rep)
{
	const struct jval *schema = json_get(rep, "schema");

	return schema && schema->type == J_STR && strcmp(schema->str, "vmtriage/1") == 0;
}

struct jval *fuzz_clone(const struct jval *v)
{
	struct jval *c = xcalloc(1, sizeof(*c));

	*c = *v;
	c->str = NULL;
	c->items = NULL;
	c->keys = NULL;
	if (v->type == J_STR) {
		c->str = xmalloc(v->len + 1);
		memcpy(c->str, v->str, v->len + 1);
	}
	if (v->type == J_ARR || v->type == J_OBJ) {
		c->items = xcalloc(v->len ? v->len : 1, sizeof(*c->items));
		if (v->type == J_OBJ)
			c->keys = xcalloc(v->len ? v->len : 1, sizeof(*c->keys));
		for (size_t i = 0; i < v->len; i++) {
			c->items[i] = fuzz_clone(v->items[i]);
			if (v->type == J_OBJ)
				c->keys[i] = xstrdup(v->keys[i]);
		}
	}
	return c;
}

bool fuzz_equal(const struct jval *a, const struct jval *b, double rel_tol)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case J_NULL: return true;
	case J_BOOL: return a->b == b->b;
	case J_NUM: return a->num == b->num || fabs(a->num - b->num) <= rel_tol * fmax(fabs(a->num), fabs(b->num));
	case J_STR: return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
	case J_ARR:
	case J_OBJ:
		if (a->len != b->len)
			return false;
		for (size_t i = 0; i < a->len; i++)
			if ((a->type == J_OBJ && strcmp(a->keys[i], b->keys[i]) != 0) ||
			    !fuzz_equal(a->items[i], b->items[i], rel_tol))
				return false;
		return true;
	}
	return false;
}

/* Nodes at most maxdepth levels down (the renderers' and compare's paths
 * are a few levels deep; a deep node is rarely read by name). */
static size_t count_nodes(const struct jval *v, int maxdepth)
{
	size_t n = 1;

	if ((v->type == J_ARR || v->type == J_OBJ) && maxdepth > 0)
		for (size_t i = 0; i < v->len; i++)
			n += count_nodes(v->items[i], maxdepth - 1);
	return n;
}

/* The node with this preorder index among those count_nodes counts. */
static struct jval *nth_node(struct jval *v, size_t *k, int maxdepth)
{
	if (*k == 0)
		return v;
	--*k;
	if ((v->type == J_ARR || v->type == J_OBJ) && maxdepth > 0)
		for (size_t i = 0; i < v->len; i++) {
			struct jval *hit = nth_node(v->items[i], k, maxdepth - 1);

			if (hit)
				return hit;
		}
	return NULL;
}

static struct jval *new_str(const char *s)
{
	struct jval *v = xcalloc(1, sizeof(*v));

	v->type = J_STR;
	v->str = xstrdup(s);
	v->len = strlen(s);
	return v;
}

/* Replaces v's content in place with a value of another type; arg picks
 * among a few values of that type, the awkward ones included. */
static void retype(struct jval *v, unsigned type, unsigned arg)
{
	static const double nums[] = { 0, -1, 0.5, 1e300, -1e300, 9.3e18, -9.3e18, 2147483648.0, 1e-300, 65 };
	static const char *const strs[] = { "", "x", "ok", "fail", "vmtriage/1", "999999999999999999999",
					    "\xff\xfe", "nan" };
	struct jval *tmp = xcalloc(1, sizeof(*tmp));

	*tmp = *v; /* free the old content through a detached copy */
	json_free(tmp);
	memset(v, 0, sizeof(*v));
	switch (type % 7) {
	case 0: v->type = J_NULL; break;
	case 1: v->type = J_BOOL; v->b = arg & 1; break;
	case 2: v->type = J_NUM; v->num = nums[arg % (sizeof(nums) / sizeof(nums[0]))]; break;
	case 3: {
		const char *s = strs[arg % (sizeof(strs) / sizeof(strs[0]))];

		v->type = J_STR;
		v->str = xstrdup(s);
		v->len = strlen(s);
		break;
	}
	case 4:
	case 5:
		/* an array: empty, or one string, one number, one object */
		v->type = J_ARR;
		v->items = xcalloc(1, sizeof(*v->items));
		if (arg % 4 == 1) {
			v->items[v->len++] = new_str("x");
		} else if (arg % 4 >= 2) {
			struct jval *e = xcalloc(1, sizeof(*e));

			e->type = arg % 4 == 2 ? J_NUM : J_OBJ;
			v->items[v->len++] = e;
		}
		break;
	case 6: v->type = J_OBJ; break;
	}
}

/* The recorded reports a mutation-only input starts from (read once; the
 * targets run from the repository root, as scripts/fuzz does). */
static const char *const base_files[] = {
	"tests/unit/data/report/synthetic-full.json", "tests/unit/data/report/burnin-vm-warn.json",
	"tests/unit/data/report/guest-v2aes.json",    "tests/unit/data/report/host-v4.json",
	"tests/unit/data/report/kvm-quick-warn.json", "tests/unit/data/report/burnin-host-synthetic.json",
};
#define NBASE (sizeof(base_files) / sizeof(base_files[0]))

static struct jval *base_report(unsigned i)
{
	static struct jval *base[NBASE];
	static bool loaded;

	if (!loaded) {
		for (size_t k = 0; k < NBASE; k++) {
			size_t len;
			char *text = read_file(base_files[k], 1 << 24, &len);

			base[k] = text ? json_parse(text, len, NULL, 0) : NULL;
			if (!base[k]) {
				fprintf(stderr, "fuzz: cannot read %s (run from the repository root)\n", base_files[k]);
				abort();
			}
			free(text);
		}
		loaded = true;
	}
	return fuzz_clone(base[i % NBASE]);
}

bool fuzz_report_pair(const uint8_t *data, size_t size, struct jval **a, struct jval **b)
{
	const uint8_t *nul = memchr(data, 0, size), *m;
	struct jval *side[2];

	if (size && data[0] == '#') {
		/* "#", a recorded report's number, then only mutations: every
		 * byte the fuzzer changes changes a type, none breaks the JSON. */
		if (size < 2)
			return false;
		side[0] = base_report(data[1]);
		m = data + 2;
	} else {
		side[0] = json_parse((const char *)data, nul ? (size_t)(nul - data) : size, NULL, 0);
		if (!side[0])
			return false;
		m = nul ? nul + 1 : data + size;
	}
	side[1] = fuzz_clone(side[0]);
	/* Each mutation: side (bit 7), shallow nodes only (bit 6: at most
	 * SHALLOW levels down) and node index (14 bits, modulo the count),
	 * then the new type (3 bits) and a value for it (5 bits). */
	for (; m + 3 <= data + size; m += 3) {
		int s = m[0] >> 7, depth = m[0] & 0x40 ? SHALLOW : INT_MAX;
		size_t k = ((size_t)(m[0] & 0x3f) << 8 | m[1]) % count_nodes(side[s], depth);
		struct jval *n = nth_node(side[s], &k, depth);

		if (n)
			retype(n, m[2] & 7, m[2] >> 3);
	}
	*a = side[0];
	*b = side[1];
	return true;
}
