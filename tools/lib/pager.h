/* A full-screen text pager driven by the keyboard alone, for the console
 * at the end of a run (init's [v]): arrows, PgUp/PgDn, Home/End, space,
 * `/` search, n/N for the next and previous match, q to leave. Pure: it
 * takes key bytes and renders ANSI text; the caller reads and writes the
 * terminal. */
#ifndef VMTRIAGE_PAGER_H
#define VMTRIAGE_PAGER_H

#include <stdbool.h>
#include <stddef.h>

#define PAGER_QUERY_MAX 64

enum pager_result {
	PAGER_NONE,	/* nothing changed on screen */
	PAGER_REDRAW,	/* render again */
	PAGER_QUIT,	/* q: the caller takes the screen back */
};

struct pager {
	const char *text;	/* not owned; must outlive the pager */
	const char *name;	/* shown in the status line */
	size_t *start;		/* byte offset of each line */
	int nlines;
	int top;		/* first line shown */
	int rows, cols;
	/* keyboard input: escape sequences arrive a byte at a time */
	int esc;		/* 0 none, 1 ESC seen, 2 in ESC [ or ESC O */
	char seq[8];
	int seqlen;
	bool searching;		/* typing a query after '/' */
	char query[PAGER_QUERY_MAX];
	char last[PAGER_QUERY_MAX];	/* the query searched for */
	int match;		/* line of the last match, -1 none */
	char msg[80];		/* one-off status message */
};

/* Splits text into lines for a screen of rows x cols (rows - 1 lines of
 * text and a status line). */
void pager_init(struct pager *pg, const char *text, const char *name, int rows, int cols);
void pager_free(struct pager *pg);

/* Feeds one byte of keyboard input. */
enum pager_result pager_key(struct pager *pg, unsigned char c);

/* The whole screen as escape sequences and text, never a line feed. */
char *pager_render(const struct pager *pg, size_t *len);

#endif
