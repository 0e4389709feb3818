/* Every subcommand of `triage`, one row each:
 *   X(name, is_check, summary, quick_s, standard_s, burnin_s)
 * is_check: 0 a tool, CHECK_EVERY_MODE a check `triage run` does in every
 * mode, CHECK_BURNIN_MODE one it does by default only in burn-in mode
 * (triage.tests can name it in any mode).
 * Each row names a folder tools/<name>/ that defines
 *   int cmd_<name>(int argc, char **argv);
 *   const struct opt <name>_opts[];   (ends with a NULL name)
 * A check (is_check 1) follows the contract of lib/check.h; `triage run`
 * runs the checks in table order, each with the time limit of its mode in
 * seconds on hardware or KVM (the run stretches them under emulation). */
#ifndef VMTRIAGE_COMMANDS_H
#define VMTRIAGE_COMMANDS_H

#include "lib/mode.h"
#include "lib/opts.h"

#define CHECK_EVERY_MODE 1
#define CHECK_BURNIN_MODE 2

#define TRIAGE_COMMANDS(X)                                                                   \
	X(sysinfo, 0, "the system facts: DMI, hypervisor, CPUs, memory, idle and clock state", 0, 0, 0) \
	X(isa, CHECK_EVERY_MODE, "instructions the CPU really executes, right, on every CPU; x86-64 level, PVE type", 10, 120, 1200) \
	X(mem, CHECK_EVERY_MODE, "fill, verify and hold memory: balloon shrinking, stalls, OOM, corruption", 30, 300, 1200) \
	X(wake, CHECK_EVERY_MODE, "wake-up latency after idle, and how much C-states are to blame", 30, 300, 700) \
	X(burnin, CHECK_BURNIN_MODE, "stress-ng under verification, our checks under load, temperatures, throttling, MCE, EDAC", 120, 720, 3900) \
	X(postmortem, CHECK_EVERY_MODE, "what the previous boots left in their logs: traps, killed services, OOM, lockups, unclean ends", 20, 60, 60) \
	X(run, 0, "run the checks, judge, and write the report", 0, 0, 0) \
	X(report, 0, "render report.txt or report.html again from a report.json", 0, 0, 0) \
	X(compare, 0, "two reports side by side (host against guest) and what to change", 0, 0, 0) \
	X(host, 0, "on a Proxmox VE node: its CPU, C-states and memory, every VM's CPU type and balloon, the cluster-safe type", 0, 0, 0) \
	X(needs, 0, "the ISA extensions an ELF file's code uses and declares; the x86-64 level and PVE type it needs", 0, 0, 0) \
	X(watch, 0, "a flight recorder: heartbeats, steal, PSI, balloon, disk stalls, wake latency, into a ring the post-mortem reads", 0, 0, 0)

#define DECLARE_COMMAND(name, is_check, summary, tq, ts, tb) \
	int cmd_##name(int argc, char **argv);               \
	extern const struct opt name##_opts[];
TRIAGE_COMMANDS(DECLARE_COMMAND)
#undef DECLARE_COMMAND

struct command {
	const char *name;
	int (*main)(int argc, char **argv);
	const struct opt *opts;
	const char *summary;
	int is_check;
	int limit_s[MODE_NCHECK]; /* indexed by enum mode */
};

extern const struct command commands[];
extern const int ncommands;
const struct command *command_find(const char *name);

#endif
