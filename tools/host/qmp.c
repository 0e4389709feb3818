/* See host/qmp.h. QMP's wire format: one JSON object a line (QEMU ends
 * them with \r\n), the greeting {"QMP": ...} first, then a reply
 * {"return": ...} or {"error": {"class", "desc"}} per command, with
 * {"event": ...} messages in between at any time (qapi/qmp-spec). */
#include "host/qmp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/util.h"

/* A reply larger than this is not one of the queries we send (query-
 * blockstats of many disks is tens of KiB). */
#define QMP_LINE_MAX (4 << 20)

struct jval *qmp_parse_line(const char *line, size_t len, char *err, size_t errlen)
{
	struct jval *v = json_parse(line, len, err, errlen);

	if (v && !json_is(v, J_OBJ)) {
		snprintf(err, errlen, "a QMP message that is not an object");
		json_free(v);
		return NULL;
	}
	return v;
}

static int wait_fd(struct qmp *q, short events, char *err, size_t errlen)
{
	for (;;) {
		int64_t left = q->deadline_ns - now_ns();
		struct pollfd p = { q->fd, events, 0 };
		int n;

		if (left <= 0) {
			snprintf(err, errlen, "no answer within the time limit");
			return -1;
		}
		n = poll(&p, 1, (int)(left / 1000000 + 1));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		if (n > 0)
			return 0;
	}
}

/* The next message, malloc'd. */
static struct jval *read_msg(struct qmp *q, char *err, size_t errlen)
{
	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		ssize_t n;

		if (nl) {
			size_t line = (size_t)(nl - q->buf) + 1;
			struct jval *v = qmp_parse_line(q->buf, line, err, errlen);

			memmove(q->buf, q->buf + line, q->len - line);
			q->len -= line;
			return v;
		}
		if (q->len >= QMP_LINE_MAX) {
			snprintf(err, errlen, "a QMP message longer than %d bytes", QMP_LINE_MAX);
			return NULL;
		}
		if (q->cap - q->len < 65536) {
			q->cap = q->cap ? q->cap * 2 : 131072;
			q->buf = xrealloc(q->buf, q->cap);
		}
		if (wait_fd(q, POLLIN, err, errlen) < 0)
			return NULL;
		n = read(q->fd, q->buf + q->len, q->cap - q->len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s", n < 0 ? strerror(errno) : "QEMU closed the connection");
			return NULL;
		}
		q->len += (size_t)n;
	}
}

static int send_all(struct qmp *q, const char *s, size_t len, char *err, size_t errlen)
{
	while (len) {
		ssize_t n;

		if (wait_fd(q, POLLOUT, err, errlen) < 0)
			return -1;
		n = send(q->fd, s, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			snprintf(err, errlen, "send: %s", strerror(errno));
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

void qmp_extend(struct qmp *q, int64_t timeout_ns) { q->deadline_ns = now_ns() + timeout_ns; }

int qmp_open(struct qmp *q, const char *path, int64_t timeout_ns, char *err, size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct jval *greet, *reply = NULL;
	const struct jval *ver;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	qmp_extend(q, timeout_ns);
	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(err, errlen, "%s: the path is too long for a socket", path);
		return -1;
	}
	strlcpy_(a.sun_path, path, sizeof(a.sun_path));
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (q->fd < 0 || (connect(q->fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS &&
			  errno != EAGAIN)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		qmp_close(q);
		return -1;
	}
	/* QEMU greets a client only once the one before it has gone */
	if (!(greet = read_msg(q, err, errlen))) {
		str_append(err, errlen, "", " (waiting for QEMU's greeting: its main loop is stuck, or another "
				  "client holds the socket)");
		qmp_close(q);
		return -1;
	}
	ver = json_path(greet, "QMP.version.qemu");
	if (json_obj(json_get(greet, "QMP"), "version"))
		snprintf(q->version, sizeof(q->version), "%.0f.%.0f.%.0f", json_num(ver, "major", 0),
			 json_num(ver, "minor", 0), json_num(ver, "micro", 0));
	json_free(greet);
	if (!qmp_call(q, "qmp_capabilities", NULL, &reply, err, errlen)) {
		json_free(reply);
		qmp_close(q);
		return -1;
	}
	json_free(reply);
	return 0;
}

const struct jval *qmp_call(struct qmp *q, const char *cmd, const char *args_json, struct jval **reply, char *err,
			    size_t errlen)
{
	char *msg = args_json ? xasprintf("{\"execute\":\"%s\",\"arguments\":%s}\n", cmd, args_json)
			      : xasprintf("{\"execute\":\"%s\"}\n", cmd);
	int rc = q->fd < 0 ? -1 : send_all(q, msg, strlen(msg), err, errlen);

	free(msg);
	*reply = NULL;
	if (q->fd < 0)
		snprintf(err, errlen, "not connected");
	if (rc < 0)
		return NULL;
	for (;;) {
		struct jval *v = read_msg(q, err, errlen);
		const struct jval *e;

		if (!v)
			return NULL;
		if (json_get(v, "event")) {
			json_free(v);
			continue;
		}
		if ((e = json_obj(v, "error"))) {
			snprintf(err, errlen, "%s: %s", json_str(e, "class", "error"), json_str(e, "desc", "?"));
			json_free(v);
			return NULL;
		}
		if (!json_get(v, "return")) {
			snprintf(err, errlen, "a reply with neither return nor error");
			json_free(v);
			return NULL;
		}
		*reply = v;
		return json_get(v, "return");
	}
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->buf);
	q->buf = NULL;
	q->len = q->cap = 0;
}
