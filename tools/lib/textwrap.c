#include "textwrap.h"

#include <stdbool.h>
#include <string.h>

void text_wrap(FILE *f, const char *lead, int indent, const char *text)
{
	int col = fprintf(f, "%s", lead);
	bool line_start = true;
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, " \n");

		if (!line_start && col + 1 + (int)n > TEXT_WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			line_start = true;
		}
		if (!line_start) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, n, f);
		col += (int)n;
		line_start = false;
		p += n;
		if (*p == '\n') {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			line_start = true;
			p++;
		}
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

void text_rule(FILE *f, char c)
{
	for (int i = 0; i < TEXT_WIDTH; i++)
		fputc(c, f);
	fputc('\n', f);
}
