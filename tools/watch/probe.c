/* triage watch --probe: is the service alive (tcp:HOST:PORT accepts,
 * http://HOST:PORT/PATH answers 2xx or 3xx, unit:NAME is active)? The
 * probes run in a thread of their own, so that a probe waiting for its
 * timeout never delays a tick (which would look like a freeze); the tick
 * loop reads their results and takes the actions (watch_probe_step). */
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"

int watch_probe_parse(const char *spec, struct watch_probe *p, char *err, size_t errlen)
{
	const char *rest;
	char hostport[300];

	memset(p, 0, sizeof(*p));
	strlcpy_(p->spec, spec, sizeof(p->spec));
	if (!strncmp(spec, "unit:", 5)) {
		p->kind = PROBE_UNIT;
		strlcpy_(p->target, spec + 5, sizeof(p->target));
		if (!p->target[0] || strchr(p->target, '/')) {
			snprintf(err, errlen, "--probe %s: no unit name", spec);
			return -1;
		}
		return 0;
	}
	if (!strncmp(spec, "tcp:", 4)) {
		p->kind = PROBE_TCP;
		rest = spec + 4;
		strlcpy_(hostport, rest, sizeof(hostport));
		strlcpy_(p->path, "", sizeof(p->path));
	} else if (!strncmp(spec, "http://", 7)) {
		p->kind = PROBE_HTTP;
		rest = spec + 7;
		size_t n = strcspn(rest, "/");
		snprintf(hostport, sizeof(hostport), "%.*s", (int)n, rest);
		strlcpy_(p->path, rest[n] ? rest + n : "/", sizeof(p->path));
	} else {
		snprintf(err, errlen, "--probe %s: not tcp:HOST:PORT, http://HOST[:PORT]/PATH or unit:NAME", spec);
		return -1;
	}
	/* HOST:PORT, [V6]:PORT; http without a port is 80 */
	char *colon = hostport[0] == '[' ? strstr(hostport, "]:") : strrchr(hostport, ':');
	if (colon && hostport[0] == '[')
		colon++;
	if (colon) {
		*colon = '\0';
		strlcpy_(p->port, colon + 1, sizeof(p->port));
	} else if (p->kind == PROBE_HTTP) {
		strlcpy_(p->port, "80", sizeof(p->port));
	}
	strlcpy_(p->target, hostport[0] == '[' ? hostport + 1 : hostport, sizeof(p->target));
	if (p->target[0] && p->target[strlen(p->target) - 1] == ']')
		p->target[strlen(p->target) - 1] = '\0';
	long long port;
	if (!p->target[0] || parse_ll(p->port, &port) < 0 || port < 1 || port > 65535) {
		snprintf(err, errlen, "--probe %s: needs a host and a port 1..65535", spec);
		return -1;
	}
	return 0;
}

/* Connects within timeout_ms; returns the socket or -1 with why. */
static int connect_to(const struct watch_probe *p, int timeout_ms, char *why, size_t size)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int fd = -1, rc = getaddrinfo(p->target, p->port, &hints, &ai);

	if (rc != 0) {
		snprintf(why, size, "cannot resolve %s: %s", p->target, gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };
			int err = 0;
			socklen_t len = sizeof(err);
			if (poll(&pf, 1, timeout_ms) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
				break;
			snprintf(why, size, "connect to %s port %s: %s", p->target, p->port,
				 err ? strerror(err) : "timed out");
		} else {
			snprintf(why, size, "connect to %s port %s: %s", p->target, p->port, strerror(errno));
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int probe_http(const struct watch_probe *p, int timeout_ms, char *why, size_t size)
{
	int fd = connect_to(p, timeout_ms, why, size);
	char req[700], resp[256];
	size_t got = 0;
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000LL;

	if (fd < 0)
		return -1;
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: triage-watch\r\nConnection: close\r\n\r\n",
		 p->path, p->target);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		snprintf(why, size, "sending the request: %s", strerror(errno));
		close(fd);
		return -1;
	}
	while (got < sizeof(resp) - 1 && !memchr(resp, '\n', got)) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		int left = (int)((end - now_ns()) / 1000000);
		if (left <= 0 || poll(&pf, 1, left) != 1)
			break;
		ssize_t n = recv(fd, resp + got, sizeof(resp) - 1 - got, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	resp[got] = '\0';
	int status;
	if (sscanf(resp, "HTTP/%*d.%*d %d", &status) != 1) {
		snprintf(why, size, "no HTTP status line within %d ms", timeout_ms);
		return -1;
	}
	if (status < 200 || status > 399) {
		snprintf(why, size, "HTTP status %d", status);
		return -1;
	}
	return 0;
}

/* `systemctl is-active --quiet NAME`, killed at the timeout. */
static int probe_unit(const struct watch_probe *p, int timeout_ms, char *why, size_t size)
{
	int st = 0;
	pid_t pid = fork();
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000LL;

	if (pid < 0) {
		snprintf(why, size, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		execlp("systemctl", "systemctl", "is-active", "--quiet", p->target, (char *)NULL);
		_exit(127);
	}
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (now_ns() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			snprintf(why, size, "systemctl is-active %s: no answer within %d ms", p->target, timeout_ms);
			return -1;
		}
		usleep(20000);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		snprintf(why, size, "systemctl not found");
	else
		snprintf(why, size, "unit %s is not active", p->target);
	return -1;
}

int watch_probe_once(const struct watch_probe *p, int timeout_ms, char *why, size_t size)
{
	why[0] = '\0';
	switch (p->kind) {
	case PROBE_TCP: {
		int fd = connect_to(p, timeout_ms, why, size);
		if (fd < 0)
			return -1;
		close(fd);
		return 0;
	}
	case PROBE_HTTP:
		return probe_http(p, timeout_ms, why, size);
	case PROBE_UNIT:
		return probe_unit(p, timeout_ms, why, size);
	}
	return -1;
}

static void *probe_thread(void *arg)
{
	struct watch_probes *ps = arg;

	for (;;) {
		for (int i = 0; i < ps->n; i++) {
			char why[200];
			int rc = watch_probe_once(&ps->p[i], ps->timeout_ms, why, sizeof(why));
			pthread_mutex_lock(&ps->lock);
			ps->p[i].results++;
			if (rc == 0) {
				ps->p[i].fails = 0;
			} else {
				ps->p[i].fails++;
				strlcpy_(ps->p[i].why, why, sizeof(ps->p[i].why));
			}
			pthread_mutex_unlock(&ps->lock);
		}
		int64_t until = now_ns() + ps->every_ns;
		while (now_ns() < until) {
			pthread_mutex_lock(&ps->lock);
			bool stop = ps->stop;
			pthread_mutex_unlock(&ps->lock);
			if (stop)
				return NULL;
			usleep(50000);
		}
	}
}

int watch_probes_start(struct watch_probes *ps)
{
	if (!ps->n)
		return 0;
	pthread_mutex_init(&ps->lock, NULL);
	if (pthread_create(&ps->thread, NULL, probe_thread, ps) != 0)
		return -1;
	ps->running = true;
	return 0;
}

void watch_probes_stop(struct watch_probes *ps)
{
	if (!ps->running)
		return;
	pthread_mutex_lock(&ps->lock);
	ps->stop = true;
	pthread_mutex_unlock(&ps->lock);
	/* a probe in progress ends at its timeout */
	pthread_join(ps->thread, NULL);
	ps->running = false;
}

enum probe_action watch_probe_decide(struct watch_probe *p, int failures, bool can_restart, bool can_reboot)
{
	if (p->fails == 0) {
		enum probe_action a = p->stage > 0 ? ACT_RECOVERED : ACT_NONE;
		p->stage = 0;
		p->fails_at_stage = 0;
		return a;
	}
	if (p->fails - p->fails_at_stage < failures)
		return ACT_NONE;
	/* Another `failures` in a row since the last step: the next step. */
	p->fails_at_stage = p->fails;
	p->stage++;
	if (p->stage == 1)
		return can_restart ? ACT_RESTART : can_reboot ? ACT_REBOOT : ACT_REPORT;
	if (p->stage == 2 && can_restart && can_reboot)
		return ACT_REBOOT;
	return ACT_NONE;
}
