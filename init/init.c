/* init: PID 1 of the vmtriage image.
 *
 * Mounts the kernel filesystems, protects itself from the OOM killer, reads
 * the triage.* options, starts `triage run`, reaps every child, and ends
 * with the triage.after action. It knows nothing about the checks or the
 * tests.
 *
 * Two consoles, two streams. The serial port gets the run's line-oriented
 * output (progress lines, report.txt, the report's JSON between markers)
 * for CI and `qm terminal`. The screen (VGA text or framebuffer, /dev/tty1)
 * is drawn by `triage run --screen`: progress lines in place, then the
 * verdict page; kernel messages go to an unseen console (tty2) so they
 * never scroll it, and still reach the serial port and /dev/kmsg.
 *
 * Signals are blocked and read through a signalfd in the one poll loop
 * (sinit's habit): no handler ever runs at an awkward moment. PID 1 must
 * never exit (the kernel panics), so every failure is a warning and the
 * loop goes on. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cmdline.h"
#include "lib/pager.h"
#include "lib/util.h"

#define TRIAGE "/bin/triage"
#define SHELL "/bin/sh"
#define REPORT_TXT "/run/triage/report.txt"
/* The verdict page `triage run --screen` keeps for us (run/screen.h). */
#define VERDICT_PAGE "/run/triage/verdict.screen"
/* Kernel messages go to this console, which nobody looks at (Alt-F2). */
#define KMSG_TTY "/dev/tty2"
#define KMSG_VT 2
/* <linux/tiocl.h>: TIOCLINUX subcode that moves kernel messages to a VT. */
#define TIOCL_SETKMSGREDIRECT 11
/* QEMU's isa-debug-exit device: -device isa-debug-exit,iobase=0xf4,iosize=4 */
#define DEBUG_EXIT_PORT 0xf4

/* The consoles people look at: the VGA console and the first serial port.
 * /dev/console is only the last console= of the command line. */
static const char *const console_paths[] = { "/dev/tty1", "/dev/ttyS0" };
#define NCONSOLES ARRAY_SIZE(console_paths)
enum { CON_SCREEN, CON_SERIAL };

static int consoles[NCONSOLES] = { -1, -1 };
static struct triage_cmdline cl;

enum phase { PHASE_RUN, PHASE_SHELL, PHASE_WAIT, PHASE_PAGER, PHASE_DONE };

/* Lines per page of the report viewer: a VGA text screen has 25. */
#define PAGE_LINES 22

static struct {
	enum phase phase;
	pid_t run_pid;
	int run_out;		/* read end of the run's stdout and stderr */
	int run_code;		/* its verdict, for a deferred isa-debug-exit; -1 none */
	bool screen;		/* the run draws on the screen console */
	bool page_shown;	/* the verdict page is what the screen shows */
	pid_t shells[NCONSOLES];
	char *report;		/* the text report being paged, and where */
	size_t report_pos;
	size_t pager_con;	/* the console that pages */
	struct pager pager;	/* the full-screen pager on the screen */
	int rows, cols;		/* the screen's size */
} st = { .run_out = -1, .run_code = -1 };

/* Writes all of buf to one console: the report's JSON on serial must
 * arrive whole, so a console that is slow is waited for. */
static void out_to(size_t i, const char *buf, size_t len)
{
	size_t done = 0;

	while (consoles[i] >= 0 && done < len) {
		ssize_t w = write(consoles[i], buf + done, len - done);

		if (w > 0) {
			done += (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else {
			/* A console that takes nothing (no UART there) is dropped. */
			close(consoles[i]);
			consoles[i] = -1;
		}
	}
}

static void out_all(const char *buf, size_t len)
{
	for (size_t i = 0; i < NCONSOLES; i++)
		out_to(i, buf, len);
}

static void out_str(size_t i, const char *s)
{
	out_to(i, s, strlen(s));
}

/* A line to one console, or to all (con -1). */
static void say_to(int con, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "vmtriage: ");

	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 2, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\r';
	buf[n++] = '\n';
	if (con < 0)
		out_all(buf, (size_t)n);
	else
		out_to((size_t)con, buf, (size_t)n);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_to(-1, fmt, ap);
	va_end(ap);
	st.page_shown = false;
}

static void say_serial(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say_serial(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_to(CON_SERIAL, fmt, ap);
	va_end(ap);
}

static void mount_one(const char *src, const char *dst, const char *type, unsigned long flags, const char *data)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, data) < 0 && errno != EBUSY)
		say("warning: cannot mount %s on %s: %s", type, dst, strerror(errno));
}

static void setup_system(void)
{
	mount_one("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	mount_one("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_one("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_one("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	mount_one("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	mount_one("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=620");
	if (write_str("/proc/self/oom_score_adj", "-1000") < 0)
		say("warning: cannot protect init from the OOM killer: %s", strerror(errno));
	/* Ctrl-Alt-Del becomes SIGINT to us, handled as a reboot. */
	reboot(RB_DISABLE_CAD);
	sethostname("vmtriage", 8);
	setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", "linux", 1);
}

static void open_consoles(void)
{
	struct winsize ws = { 0 };
	/* TIOCLINUX reads bytes: the subcode, then the console number. */
	char arg[2] = { TIOCL_SETKMSGREDIRECT, KMSG_VT };
	int kmsg_tty;

	for (size_t i = 0; i < NCONSOLES; i++)
		consoles[i] = open(console_paths[i], O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (consoles[0] < 0 && consoles[1] < 0)
		consoles[0] = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
	/* The run draws on tty1 when it is a virtual console (VGA text or a
	 * framebuffer); otherwise it writes lines to every console as before. */
	st.screen = consoles[CON_SCREEN] >= 0 && ioctl(consoles[CON_SCREEN], TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0;
	st.rows = ws.ws_row;
	st.cols = ws.ws_col;
	if (!st.screen)
		return;
	/* Kernel messages (console=tty0 prints them on the visible console) go
	 * to tty2 instead, which must exist for that: opening it creates it.
	 * console=ttyS0 and /dev/kmsg still get every one. */
	kmsg_tty = open(KMSG_TTY, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (kmsg_tty < 0 || ioctl(consoles[CON_SCREEN], TIOCLINUX, arg) < 0)
		say("warning: kernel messages stay on the screen: %s", strerror(errno));
	/* kmsg_tty stays open: the console must not be freed. */
}

/* Raw keys: one byte at a time, no echo, for the menu. */
static void console_raw(int fd, bool raw)
{
	struct termios t;

	if (fd < 0 || tcgetattr(fd, &t) < 0)
		return;
	if (raw)
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	else
		t.c_lflag |= ICANON | ECHO;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(fd, TCSANOW, &t);
}

static void child_signals(void)
{
	sigset_t all;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static pid_t start_run(void)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		say("cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		say("cannot fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		child_signals();
		setsid();
		dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		if (st.screen)
			execl(TRIAGE, "triage", "run", "--kernel-cmdline", "--serial-json", "--color", "--screen",
			      console_paths[CON_SCREEN], (char *)NULL);
		else
			execl(TRIAGE, "triage", "run", "--kernel-cmdline", "--serial-json", "--color", (char *)NULL);
		dprintf(2, "vmtriage: cannot start %s: %s\n", TRIAGE, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	st.run_out = pfd[0];
	return pid;
}

/* Copies the run's output to the serial console (every console when the
 * run has no screen of its own), with CR before LF for the serial line. */
static void pump_run_output(void)
{
	char in[4096], out[8192];
	ssize_t n = read(st.run_out, in, sizeof(in));
	size_t o = 0;

	if (n <= 0) {
		if (n < 0 && errno == EINTR)
			return;
		close(st.run_out);
		st.run_out = -1;
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (in[i] == '\n')
			out[o++] = '\r';
		out[o++] = in[i];
	}
	if (st.screen)
		out_to(CON_SERIAL, out, o);
	else
		out_all(out, o);
}

static pid_t start_shell(size_t con)
{
	pid_t pid = fork();

	if (pid < 0) {
		say("cannot fork a shell: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int fd;

		child_signals();
		setsid();
		fd = open(console_paths[con], O_RDWR);
		if (fd < 0)
			_exit(127);
		ioctl(fd, TIOCSCTTY, 0);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		setenv("TERM", con == 0 ? "linux" : "vt100", 1);
		execl(SHELL, "-sh", (char *)NULL);
		dprintf(2, "vmtriage: cannot start %s: %s\n", SHELL, strerror(errno));
		_exit(127);
	}
	return pid;
}

static void enter_shell(void)
{
	/* The screen as a terminal again: plain colours, a cursor, no page. */
	if (st.screen)
		out_str(CON_SCREEN, "\033[0m\033[H\033[J\033[?25h");
	say("rescue shell on the console (busybox sh); `exit` returns to the menu. The report is in /run/triage/.");
	st.phase = PHASE_SHELL;
	for (size_t i = 0; i < NCONSOLES; i++) {
		console_raw(consoles[i], false);
		st.shells[i] = consoles[i] >= 0 ? start_shell(i) : 0;
	}
}

/* The verdict page on the screen again (after the viewer or a shell). */
static bool show_page(void)
{
	size_t len;
	char *page;

	if (st.page_shown)
		return true;
	page = read_file(VERDICT_PAGE, 1 << 20, &len);
	if (!page)
		return false;
	out_to(CON_SCREEN, page, len);
	free(page);
	st.page_shown = true;
	return true;
}

static void show_menu(void)
{
	static const char keys[] = "keys:  [s] shell   [v] view the report   [r] reboot   [p] power off";

	st.phase = PHASE_WAIT;
	for (size_t i = 0; i < NCONSOLES; i++)
		console_raw(consoles[i], true);
	if (st.screen && show_page()) {
		say_serial("%s", keys);
	} else {
		say("%s", keys);
	}
}

/* Waits until the consoles have sent what they were given: QEMU's exit
 * or a power-off must not cut the report's last lines off the serial. */
static void drain_consoles(void)
{
	for (size_t i = 0; i < NCONSOLES; i++)
		if (consoles[i] >= 0)
			tcdrain(consoles[i]);
}

static void debug_exit(int code);

static void power(int how)
{
	/* The screen keeps its page (which says what happens next). */
	if (st.screen)
		say_serial("%s", how == RB_AUTOBOOT ? "rebooting" : "powering off");
	else
		say("%s", how == RB_AUTOBOOT ? "rebooting" : "powering off");
	/* Deferred from the end of the run (triage.after=wait or shell), so a
	 * test could look at the screen and press a key first. */
	if (st.run_code >= 0)
		debug_exit(st.run_code);
	drain_consoles();
	sync();
	/* Ask every process to go, so filesystems are not busy. */
	kill(-1, SIGTERM);
	sleep(1);
	kill(-1, SIGKILL);
	sync();
	reboot(how);
	/* Still here: no ACPI power-off on this machine. */
	say("power-off failed (%s); it is safe to switch off now", strerror(errno));
	st.phase = PHASE_DONE;
}

/* The line-by-line pager writes to the console that asked for it. */
static void pager_out(const char *buf, size_t len)
{
	if (st.screen)
		out_to(st.pager_con, buf, len);
	else
		out_all(buf, len);
}

/* Shows the next page of the text report; back to the menu at its end. */
static void report_page(void)
{
	const char *p = st.report + st.report_pos;

	for (int n = 0; *p && n < PAGE_LINES; n++) {
		size_t len = strcspn(p, "\n");

		pager_out(p, len);
		pager_out("\r\n", 2);
		p += len + (p[len] == '\n');
	}
	st.report_pos = (size_t)(p - st.report);
	if (*p) {
		static const char more[] = "-- more: [space] next page, [q] back --\r\n";

		pager_out(more, sizeof(more) - 1);
		return;
	}
	free(st.report);
	st.report = NULL;
	show_menu();
}

static void draw_pager(void)
{
	size_t len;
	char *s = pager_render(&st.pager, &len);

	out_to(CON_SCREEN, s, len);
	free(s);
}

static void leave_pager(void)
{
	if (st.pager_con == CON_SCREEN && st.screen)
		pager_free(&st.pager);
	free(st.report);
	st.report = NULL;
	show_menu();
}

/* [v]: on the screen a full-screen pager; on serial, page after page. */
static void view_report(size_t con)
{
	free(st.report);
	st.report = read_file(REPORT_TXT, 1 << 20, NULL);
	st.report_pos = 0;
	if (!st.report) {
		say("no report at %s", REPORT_TXT);
		show_menu();
		return;
	}
	st.phase = PHASE_PAGER;
	st.pager_con = con;
	if (con == CON_SCREEN && st.screen) {
		pager_init(&st.pager, st.report, "report.txt", st.rows, st.cols);
		st.page_shown = false;
		draw_pager();
		return;
	}
	report_page();
}

static void debug_exit(int code)
{
	/* QEMU exits with (code << 1) | 1; without the device this is a no-op. */
	drain_consoles();
	if (ioperm(DEBUG_EXIT_PORT, 4, 1) < 0) {
		say("triage.exit=isa-debug-exit: no port access: %s", strerror(errno));
		return;
	}
	outl((unsigned)code, DEBUG_EXIT_PORT);
}

static void after_run(int code)
{
	/* With a menu or a shell to come, QEMU exits at the power-off. */
	if (cl.exit_isa_debug && (cl.after == AFTER_WAIT || cl.after == AFTER_SHELL))
		st.run_code = code;
	else if (cl.exit_isa_debug)
		debug_exit(code);
	switch (cl.after) {
	case AFTER_POWEROFF: power(RB_POWER_OFF); break;
	case AFTER_REBOOT: power(RB_AUTOBOOT); break;
	case AFTER_SHELL: enter_shell(); break;
	case AFTER_WAIT: show_menu(); break;
	}
}

static void reap(void)
{
	int ws;
	pid_t pid;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
		if (pid == st.run_pid) {
			int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : EXIT_ERROR;

			if (WIFSIGNALED(ws))
				say("triage run was killed by signal %d", WTERMSIG(ws));
			if (code > EXIT_ERROR)
				code = EXIT_ERROR;
			/* Drain what is left of its output before moving on. */
			while (st.run_out >= 0)
				pump_run_output();
			st.run_pid = 0;
			after_run(code);
			continue;
		}
		for (size_t i = 0; i < NCONSOLES; i++)
			if (pid == st.shells[i])
				st.shells[i] = 0;
	}
	if (st.phase == PHASE_SHELL) {
		bool any = false;

		for (size_t i = 0; i < NCONSOLES; i++)
			any |= st.shells[i] > 0;
		if (!any)
			show_menu();
	}
}

static void key(size_t con, char c)
{
	if (st.phase == PHASE_PAGER) {
		if (con != st.pager_con)
			return;
		if (con == CON_SCREEN && st.screen) {
			enum pager_result r = pager_key(&st.pager, (unsigned char)c);

			if (r == PAGER_QUIT)
				leave_pager();
			else if (r == PAGER_REDRAW)
				draw_pager();
		} else if (c == 'q' || c == 'Q') {
			leave_pager();
		} else if (c == ' ' || c == '\r' || c == '\n') {
			report_page();
		}
		return;
	}
	switch (c) {
	case 's': case 'S': enter_shell(); break;
	case 'v': case 'V': view_report(con); break;
	case 'r': case 'R': power(RB_AUTOBOOT); break;
	case 'p': case 'P': power(RB_POWER_OFF); break;
	default: break;
	}
}

static void on_signal(int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD: reap(); break;
		/* busybox's reboot, halt and poweroff signal PID 1 like this. */
		case SIGTERM: case SIGINT: power(RB_AUTOBOOT); break;
		case SIGUSR1: case SIGUSR2: power(RB_POWER_OFF); break;
		default: break;
		}
	}
}

int main(int argc, char **argv)
{
	sigset_t all;
	int sfd;
	char *text;

	/* The kernel passes command-line words it does not know (noxsave,
	 * nosmt...) to init as arguments: they are not ours to judge. */
	(void)argc;
	(void)argv;
	prog_name = "init";
	if (getpid() != 1) {
		fprintf(stderr, "init: this is the vmtriage image's PID 1; it only runs as such\n");
		return 2;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sfd = signalfd(-1, &all, SFD_NONBLOCK | SFD_CLOEXEC);
	setup_system();
	open_consoles();

	text = read_file("/proc/cmdline", 65536, NULL);
	cmdline_parse(text ? text : "", &cl);
	free(text);
	say("init started; mode %s, then %s%s", mode_name(cl.mode), after_name(cl.after),
	    cl.exit_isa_debug ? " (exit through isa-debug-exit)" : "");

	if (cl.mode == MODE_SHELL) {
		/* triage run reports option problems itself; without it, we do. */
		for (int i = 0; i < cl.nproblems; i++)
			say("option problem: %s", cl.problems[i]);
		enter_shell();
	} else if ((st.run_pid = start_run()) > 0) {
		st.phase = PHASE_RUN;
	} else {
		after_run(EXIT_ERROR);
	}

	for (;;) {
		struct pollfd pf[2 + NCONSOLES];
		size_t con_of[2 + NCONSOLES] = { 0 };
		nfds_t n = 0;

		pf[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (st.run_out >= 0)
			pf[n++] = (struct pollfd){ .fd = st.run_out, .events = POLLIN };
		if (st.phase == PHASE_WAIT || st.phase == PHASE_PAGER)
			for (size_t i = 0; i < NCONSOLES; i++)
				if (consoles[i] >= 0) {
					con_of[n] = i;
					pf[n++] = (struct pollfd){ .fd = consoles[i], .events = POLLIN };
				}
		if (poll(pf, n, -1) < 0) {
			if (errno != EINTR)
				sleep(1);
			continue;
		}
		for (nfds_t i = 0; i < n; i++) {
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (pf[i].fd == sfd) {
				on_signal(sfd);
			} else if (pf[i].fd == st.run_out) {
				pump_run_output();
			} else if (st.phase == PHASE_WAIT || st.phase == PHASE_PAGER) {
				/* An escape sequence (an arrow key) arrives in one read. */
				char keys[64];
				ssize_t got = read(pf[i].fd, keys, sizeof(keys));

				for (ssize_t k = 0; k < got; k++) {
					/* A key may have left the pager or started a shell. */
					if (st.phase != PHASE_WAIT && st.phase != PHASE_PAGER)
						break;
					key(con_of[i], keys[k]);
				}
			}
		}
	}
}
