/* Which mode of triage host argv asks for (host/modes.h). */
#include "host/modes.h"

#include <stdbool.h>
#include <string.h>

static bool has(int argc, char **argv, const char *opt)
{
	size_t n = strlen(opt);

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strncmp(argv[i], opt, n) && (argv[i][n] == 0 || argv[i][n] == '='))
			return true;
	}
	return false;
}

int host_mode(int argc, char **argv)
{
	if (has(argc, argv, "--autopsy"))
		return host_autopsy(argc, argv);
	if (has(argc, argv, "--watch"))
		return host_watch(argc, argv);
	return -1;
}
