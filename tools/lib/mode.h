/* How long and how hard to test: the one mode enum of the kernel command
 * line (triage.mode), the run and every check. A check runs in the first
 * MODE_NCHECK modes; shell is the image's rescue shell and runs none. */
#ifndef VMTRIAGE_MODE_H
#define VMTRIAGE_MODE_H

enum mode { MODE_QUICK, MODE_STANDARD, MODE_BURNIN, MODE_SHELL, MODE_COUNT };
#define MODE_NCHECK 3

const char *mode_name(enum mode m);
int mode_from_name(const char *name); /* -1 if unknown */

#endif
