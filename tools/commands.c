/* The command table, built from TRIAGE_COMMANDS in commands.h. */
#include "commands.h"

#include <string.h>

#include "lib/util.h"

#define COMMAND_ROW(n, chk, sum, tq, ts, tb) \
	{ #n, cmd_##n, n##_opts, sum, chk, { tq, ts, tb } },
const struct command commands[] = { TRIAGE_COMMANDS(COMMAND_ROW) };
#undef COMMAND_ROW
const int ncommands = ARRAY_SIZE(commands);

const struct command *command_find(const char *name)
{
	for (int i = 0; i < ncommands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}
