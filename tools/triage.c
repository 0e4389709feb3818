/* triage: the vmtriage multi-call binary.
 *
 * `triage <command> [options]`; `triage --help` lists the commands and
 * `triage <command> --help` describes one. Also callable through a link
 * named after the command (argv[0] "isa" runs `triage isa`). */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "lib/check.h"
#include "lib/util.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: triage <command> [options]\n\n"
		   "vmtriage finds why a virtual machine or a host is unstable: missing CPU\n"
		   "instructions, memory taken by the balloon, slow wake-ups from deep C-states.\n\n"
		   "commands:\n");
	for (int i = 0; i < ncommands; i++)
		fprintf(f, "  %-10s %s%s\n", commands[i].name, commands[i].summary,
			commands[i].is_check ? " [check]" : "");
	fprintf(f, "\n`triage <command> --help` describes a command and its options.\n"
		   "A check prints progress to stderr and JSON to stdout, and exits\n"
		   "0 pass, 1 fail, 2 warn, 3 error, 4 skip.\n");
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const struct command *cmd = command_find(base);

	if (cmd) {
		check_set_limits(cmd->limit_s);
		return cmd->main(argc, argv);
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	cmd = command_find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "triage: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_ERROR;
	}
	check_set_limits(cmd->limit_s);
	return cmd->main(argc - 1, argv + 1);
}
