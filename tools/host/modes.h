/* triage host's other modes, each its own option table and command:
 * --autopsy VMID (autopsy.c) and --watch (watch.c). host.c hands argv to
 * host_mode() first; it runs one of them, or returns -1 for the audit. */
#ifndef VMTRIAGE_HOST_MODES_H
#define VMTRIAGE_HOST_MODES_H

#include "lib/opts.h"

int host_mode(int argc, char **argv);
int host_autopsy(int argc, char **argv);
extern const struct opt autopsy_opts[];
int host_watch(int argc, char **argv);
extern const struct opt host_watch_opts[];

#endif
