/* A QMP client for one short conversation with a running QEMU: connect to
 * its control socket (PVE's /var/run/qemu-server/VMID.qmp), negotiate, ask
 * queries, hang up. QEMU serves one client at a time on that socket, so
 * the conversation stays short and everything waits at most until a
 * deadline: a QEMU whose main loop is stuck never answers, and that is an
 * answer too. Only commands that read are sent (docs/host-watch.md). */
#ifndef VMTRIAGE_QMP_H
#define VMTRIAGE_QMP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/json.h"

struct qmp {
	int fd;
	int64_t deadline_ns;	/* every read and write gives up then */
	char *buf;		/* bytes read but not yet parsed */
	size_t len, cap;
	char version[32];	/* "7.2.22" from the greeting */
};

/* Connects and negotiates (the greeting, then qmp_capabilities) within
 * timeout_ns. Returns 0, or -1 with a message in err. */
int qmp_open(struct qmp *q, const char *path, int64_t timeout_ns, char *err, size_t errlen);
/* Sends {"execute": cmd, "arguments": args_json} (args_json NULL: none)
 * and returns the reply's "return" value (the caller frees the reply
 * through *reply), skipping events. NULL with a message in err on an
 * error reply, a timeout or a broken connection. */
const struct jval *qmp_call(struct qmp *q, const char *cmd, const char *args_json, struct jval **reply, char *err,
			    size_t errlen);
/* Sets a new deadline for the calls that follow. */
void qmp_extend(struct qmp *q, int64_t timeout_ns);
void qmp_close(struct qmp *q);

/* One QMP message from buf (a line of at most len bytes): the parsed JSON
 * object, or NULL (err says why). Pure, for the fuzzer. */
struct jval *qmp_parse_line(const char *line, size_t len, char *err, size_t errlen);

#endif
