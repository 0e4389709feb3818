/* Option values (a subcommand's argv and the kernel command line's knobs go
 * through the same table): the input is argv, NUL-separated, parsed against
 * a table with every kind of option; each word is also read as a duration
 * and a size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct opt table[] = {
	{ "flag", 'f', OPT_FLAG, NULL, "", 0, 0 },
	{ "str", 's', OPT_STR, "TEXT", "", 0, 0 },
	{ "int", 'i', OPT_INT, "N", "", 1, 1000 },
	{ "any", 'a', OPT_INT, "N", "", 0, 0 },
	{ "percent", 'p', OPT_PERCENT, "PCT", "", 1, 99 },
	{ "duration", 'd', OPT_DURATION, "TIME", "", 1000, 24 * 3600 * 1000000000LL },
	{ "size", 'z', OPT_SIZE, "SIZE", "", 0, 0 },
	{ "list", 'l', OPT_DURLIST, "TIMES", "", 1000, 1000000000LL },
	{ "choice", 'c', OPT_CHOICE, "quick|standard|burnin", "", 0, 0 },
	{ 0 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct optv v[sizeof(table) / sizeof(table[0])];
	char *text = fuzz_cstr(data, size), *argv[64], err[256], buf[64];
	int argc = 0, pos;
	long long n;

	argv[argc++] = "fuzz";
	for (char *p = text; p <= text + size && argc < 63; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	pos = opt_parse(table, v, argc, argv, err, sizeof(err));
	if (pos < 0 ? !err[0] : pos > argc)
		abort();
	for (int i = 0; pos >= 0 && table[i].name; i++) {
		if (!v[i].set)
			continue;
		if ((table[i].min || table[i].max) && table[i].kind != OPT_DURLIST &&
		    (v[i].num < table[i].min || v[i].num > table[i].max))
			abort();
		if (v[i].nlist < 0 || v[i].nlist > OPT_LIST_MAX)
			abort();
	}
	for (int i = 1; i < argc; i++) {
		if (parse_duration_ns(argv[i], &n) == 0) {
			if (n < 0)
				abort();
			format_duration(buf, sizeof(buf), n);
		}
		if (parse_size_bytes(argv[i], &n) == 0 && n < 0)
			abort();
	}
	free(text);
	return 0;
}
