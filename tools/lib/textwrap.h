/* Plain text for people: 80 columns, words wrapped, rules between parts.
 * Shared by report.txt, the verdict screen and `triage compare`. */
#ifndef VMTRIAGE_TEXTWRAP_H
#define VMTRIAGE_TEXTWRAP_H

#include <stdio.h>

#define TEXT_WIDTH 80

/* Writes text wrapped at TEXT_WIDTH: the first line after lead, the others
 * indented by indent. A newline in text starts a new indented line. */
void text_wrap(FILE *f, const char *lead, int indent, const char *text);

/* A line of TEXT_WIDTH times c. */
void text_rule(FILE *f, char c);

#endif
