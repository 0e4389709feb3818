/* The run on a screen (the VGA or framebuffer console, or any terminal):
 * one line per check that redraws in place while the checks run, then one
 * full page with the verdict, the top findings and the one action for each,
 * where the report went, and the keys. The serial console keeps the run's
 * line-oriented output on stderr; nothing here writes to it. */
#ifndef VMTRIAGE_SCREEN_H
#define VMTRIAGE_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/json.h"

#define SCREEN_MAX_CHECKS 16
/* The verdict page with its keys, kept in the output folder by `triage run
 * --kernel-cmdline` for init, which redraws it and reads the keys. */
#define SCREEN_PAGE_FILE "verdict.screen"
#define SCREEN_KEYS "[v] view the report   [s] shell   [r] reboot   [p] power off"

/* How the verdict page is laid out. */
struct page_opts {
	int rows, cols;		/* the terminal's size (TIOCGWINSZ) */
	bool color;		/* ANSI colours */
	bool unicode;		/* the font has →, █ and ░; else "->", '#' and '.' */
	const char *keys;	/* the last line: the keys, or what happens next */
};

/* Renders the verdict page from the report JSON: escape sequences that
 * clear the screen and place every line, never a line feed, so nothing
 * scrolls. Lines are word-wrapped, never cut inside a word. */
char *screen_page(const struct jval *report, const struct page_opts *o, size_t *len);

/* How a status looks on the console, the VGA page's and the serial text's
 * one table: its bar (ANSI), its tag colour, its words. Unknown: error's. */
struct looks {
	const char *status, *bar, *tag, *words;
};
const struct looks *looks_of(const char *status);

/* Word-wraps text (UTF-8, counted in columns) to at most maxlines lines of
 * width columns: fills lines[] (each up to linesize bytes) and returns how
 * many. Text that does not fit ends with "..." after the last whole word. */
int screen_wrap(const char *text, int width, int maxlines, char lines[][256], size_t linesize);

/* Columns a UTF-8 string takes (one per character). */
int screen_cols(const char *s);

struct screen {
	int fd;			/* -1: no screen */
	struct page_opts page;
	int nchecks;
	char names[SCREEN_MAX_CHECKS][16];
	int note_row;		/* where the next note goes */
	int64_t last_draw;
};

/* Opens the terminal at path and reads its size and font; -1 with errno. */
int screen_open(struct screen *s, const char *path, bool color);
void screen_close(struct screen *s);

/* Clears the screen and shows the title and one waiting line per check. */
void screen_begin(struct screen *s, const char *title, const char *const *names, int n);

/* A line of text under the checks (an option problem, what happens now). */
void screen_note(struct screen *s, const char *text);

/* Redraws check i's line: its bar, share done, time spent and left, and
 * what it is doing. At most a few times a second unless force. */
void screen_progress(struct screen *s, int i, double frac, double elapsed, const char *left, const char *what,
		     bool force);

/* Check i's final line: its status and time, or why it failed. */
void screen_done(struct screen *s, int i, const char *status, double seconds, const char *reason);

/* Writes text to the screen as it is. */
void screen_write(struct screen *s, const char *buf, size_t len);

#endif
