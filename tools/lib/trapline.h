/* The kernel's line for a user-space trap: the one parser every reader
 * uses (the run's kernel-log watch, the post-mortem, `triage needs --trap`,
 * the instruction decoder of lib/faultinsn).
 *
 * Every form arch/x86 has printed, from 2.6 to 6.x:
 *   traps.c do_trap/show_signal:  "comm[pid] trap KIND ip:HEX sp:HEX error:HEX"
 *   traps.c general protection:   "comm[pid] general protection ip:..." (before 5.x)
 *                                 "comm[pid] general protection fault ip:..."
 *   traps.c control protection:   "comm[pid] control protection ip:.. sp:.. ssp:.. error:..(..)"
 *   fault.c show_signal_msg:      "comm[pid]: segfault at HEX ip HEX sp HEX error HEX"
 *                                 then " likely on CPU N (core C, socket S)" (6.1 on)
 * each followed by mm/memory.c print_vma_addr when ip is in a file:
 *   " in FILE[BASE+SIZE]"  and, newer, " in FILE[OFFSET,BASE+SIZE]"
 * (FILE a base name; OFFSET the file offset of ip). The line may carry the
 * prefixes of where it was read: "traps: " (the pr_fmt), "[  12.345678] "
 * (dmesg), "Nov 28 05:30:55 host kernel: " (syslog), "<6>" (a console). */
#ifndef VMTRIAGE_TRAPLINE_H
#define VMTRIAGE_TRAPLINE_H

#include <stdbool.h>

struct trap_line {
	char kind[32];		/* "invalid opcode", "general protection fault", "segfault", ... */
	char comm[32];
	int pid;
	unsigned long long ip, sp, error, addr;
	bool has_ip, has_sp, has_error, has_addr; /* addr: the segfault's "at HEX" */
	bool has_map;		/* " in FILE[...]" */
	char file[256];		/* FILE as printed (a base name), "" without a map */
	unsigned long long base, size;
	bool has_offset;	/* the [OFFSET,BASE+SIZE] form */
	unsigned long long offset;
	bool has_cpu;		/* " likely on CPU N (core C, socket S)" */
	int cpu, core, socket;
};

/* Parses one line. Returns 0, or -1 if it is not a user-space trap line
 * (no comm[pid], no kind the kernel prints, or no ip). */
int trap_parse(const char *line, struct trap_line *t);

#endif
