/* The kernel's user-space trap line (trapline.h). */
#include "trapline.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* A hex number as the kernel prints it (%lx, %px, %p: no 0x); %p printed a
 * NULL pointer as "(null)" before 4.15. At most 16 digits. */
static bool hex(const char **pp, unsigned long long *v)
{
	const char *p = *pp;
	int n = 0;

	if (!strncmp(p, "(null)", 6)) {
		*v = 0;
		*pp = p + 6;
		return true;
	}
	*v = 0;
	for (; isxdigit((unsigned char)*p) && n < 16; p++, n++)
		*v = *v << 4 | (unsigned long long)(isdigit((unsigned char)*p) ? *p - '0' : (*p | 0x20) - 'a' + 10);
	if (!n || isxdigit((unsigned char)*p))
		return false;
	*pp = p;
	return true;
}

/* " NAME:HEX" or " NAME HEX" at *pp (traps.c writes the colon, fault.c
 * the space). */
static bool field(const char **pp, const char *name, unsigned long long *v, bool *has)
{
	const char *p = *pp;
	size_t n = strlen(name);

	if (p[0] != ' ' || strncmp(p + 1, name, n) || (p[1 + n] != ':' && p[1 + n] != ' '))
		return false;
	p += 2 + n;
	if (!hex(&p, v))
		return false;
	*pp = p;
	if (has)
		*has = true;
	return true;
}

/* The prefixes a reader leaves on the line: a console level "<6>", syslog's
 * "... kernel: " (before the first bracket: the timestamp or comm[pid]),
 * dmesg's "[  12.345678] ", the pr_fmt "traps: ". */
static const char *skip_prefixes(const char *m)
{
	const char *k = strstr(m, "kernel: "), *br = strchr(m, '['), *p;

	if (m[0] == '<') {
		for (p = m + 1; isdigit((unsigned char)*p); p++)
			;
		if (*p == '>' && p > m + 1)
			m = p + 1;
	}
	if (k && (!br || k < br))
		m = k + 8;
	if (m[0] == '[') {
		for (p = m + 1; *p == ' '; p++)
			;
		while (isdigit((unsigned char)*p) || *p == '.')
			p++;
		if (p[0] == ']' && p[1] == ' ')
			m = p + 2;
	}
	if (!strncmp(m, "traps: ", 7))
		m += 7;
	return m;
}

/* The kind at p ("segfault at ", "trap KIND ip:", "general protection ...");
 * *rest past it (at " ip" for all but the segfault's "at HEX"). */
static bool kind(const char *p, struct trap_line *t, const char **rest)
{
	static const struct {
		const char *printed, *kind;
	} named[] = {
		{ "general protection fault", "general protection fault" },
		{ "general protection", "general protection fault" }, /* before 5.x */
		{ "control protection", "control protection" },	      /* CET, 6.6 on */
	};
	const char *ip;

	if (!strncmp(p, "segfault at ", 12)) {
		p += 12;
		if (!hex(&p, &t->addr))
			return false;
		t->has_addr = true;
		snprintf(t->kind, sizeof(t->kind), "segfault");
		*rest = p;
		return true;
	}
	ip = strstr(p, " ip:");
	if (!ip)
		return false;
	if (!strncmp(p, "trap ", 5)) {
		/* do_trap's string: "invalid opcode", "divide error", "int3", ... */
		size_t n = (size_t)(ip - (p + 5));

		if (!n || n >= sizeof(t->kind))
			return false;
		for (const char *c = p + 5; c < ip; c++)
			if (!isalnum((unsigned char)*c) && *c != ' ' && *c != '-')
				return false;
		snprintf(t->kind, sizeof(t->kind), "%.*s", (int)n, p + 5);
		*rest = ip;
		return true;
	}
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if ((size_t)(ip - p) == strlen(named[i].printed) && !strncmp(p, named[i].printed, (size_t)(ip - p))) {
			snprintf(t->kind, sizeof(t->kind), "%s", named[i].kind);
			*rest = ip;
			return true;
		}
	return false;
}

/* "[BASE+SIZE]" or "[OFFSET,BASE+SIZE]" at p, ending the word. */
static bool map_range(const char *p, struct trap_line *t)
{
	unsigned long long a, b, c;

	if (*p++ != '[' || !hex(&p, &a))
		return false;
	if (*p == ',') {
		p++;
		if (!hex(&p, &b) || *p++ != '+' || !hex(&p, &c))
			return false;
		t->has_offset = true;
		t->offset = a;
		t->base = b;
		t->size = c;
	} else {
		if (*p++ != '+' || !hex(&p, &b))
			return false;
		t->has_offset = false;
		t->base = a;
		t->size = b;
	}
	return p[0] == ']' && (!p[1] || isspace((unsigned char)p[1]));
}

/* " in FILE[...]": the file name runs to the first bracket that parses as
 * the range and ends the word (a name may hold spaces and brackets). */
static const char *mapping(const char *p, struct trap_line *t)
{
	const char *name = p + 4;

	if (strncmp(p, " in ", 4) || !*name)
		return p;
	for (const char *br = strchr(name + 1, '['); br; br = strchr(br + 1, '[')) {
		size_t n = (size_t)(br - name);

		if (n >= sizeof(t->file))
			break;
		if (map_range(br, t)) {
			memcpy(t->file, name, n);
			t->file[n] = '\0';
			t->has_map = true;
			return strchr(br, ']') + 1;
		}
	}
	t->has_offset = false;
	t->base = t->size = 0;
	return p;
}

int trap_parse(const char *line, struct trap_line *t)
{
	const char *m = skip_prefixes(line), *rest = NULL, *cpu;

	memset(t, 0, sizeof(*t));
	/* comm[pid]: the first bracket of digits that a kind follows (comm
	 * may hold spaces and brackets itself). */
	for (const char *br = strchr(m + (*m != '\0'), '['); br; br = strchr(br + 1, '[')) {
		const char *p = br + 1, *k;
		int pid = 0, digits = 0;

		for (; isdigit((unsigned char)*p) && digits < 9; p++, digits++)
			pid = pid * 10 + (*p - '0');
		if (!digits || *p != ']')
			continue;
		k = p + 1;
		if (*k == ':')
			k++;
		if (*k != ' ' || (size_t)(br - m) >= sizeof(t->comm) || br == m)
			continue;
		if (!kind(k + 1, t, &rest))
			continue;
		memcpy(t->comm, m, (size_t)(br - m));
		t->comm[br - m] = '\0';
		t->pid = pid;
		break;
	}
	if (!rest || !field(&rest, "ip", &t->ip, &t->has_ip)) {
		memset(t, 0, sizeof(*t));
		return -1;
	}
	field(&rest, "cs", &(unsigned long long){ 0 }, NULL);
	field(&rest, "sp", &t->sp, &t->has_sp);
	field(&rest, "ssp", &(unsigned long long){ 0 }, NULL);
	if (field(&rest, "error", &t->error, &t->has_error) && *rest == '(') {
		/* control protection: "error:%lx(%s)" */
		const char *close = strchr(rest, ')');

		rest = close ? close + 1 : rest;
	}
	rest = mapping(rest, t);
	cpu = strstr(rest, " likely on CPU ");
	if (cpu && sscanf(cpu, " likely on CPU %d (core %d, socket %d)", &t->cpu, &t->core, &t->socket) == 3)
		t->has_cpu = true;
	return 0;
}
