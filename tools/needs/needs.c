/* triage needs FILE...: the ISA extensions an ELF file's code uses (its
 * executable sections decoded) and what its GNU property notes declare,
 * separately; the lowest x86-64 level and Proxmox VE CPU type that run it.
 * With --on TYPE the exit status answers "does it run on TYPE?" for CI:
 * 0 yes, 2 only code behind runtime dispatch needs more (it runs unless
 * the program picks a variant the vCPU lacks, which a correct program
 * does not), 1 no, 3 a file could not be read. */
#include "needs/needs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/faultinsn.h"
#include "lib/json.h"
#include "lib/opts.h"
#include "lib/pvetypes.h"
#include "lib/util.h"

/* Executables larger than this are not read: the largest binaries in a
 * distribution (LLVM, browsers) are some hundreds of MiB. */
#define NEEDS_MAX_FILE (1ULL << 30)

enum { O_ON, O_JSON, O_LIST, O_TRAP, O_ISA, O_ROOT, O_OUT, O_HELP };
const struct opt needs_opts[] = {
	[O_ON] = { "on", 0, OPT_STR, "TYPE", "exit 1 if a file needs more than the PVE CPU type TYPE offers (e.g. x86-64-v2-AES)", 0, 0 },
	[O_JSON] = { "json", 0, OPT_FLAG, NULL, "JSON (the check contract's shape) instead of text", 0, 0 },
	[O_LIST] = { "list", 0, OPT_FLAG, NULL, "list every instruction: address, length, mnemonic, extensions", 0, 0 },
	[O_TRAP] = { "trap", 0, OPT_STR, "TEXT", "instead of files: the kernel's trap line (and its Code: line): the instruction and its verdict", 0, 0 },
	[O_ISA] = { "isa", 0, OPT_STR, "FILE", "with --trap: the JSON of triage isa (or a report.json) to judge against", 0, 0 },
	[O_ROOT] = { "root", 0, OPT_STR, "DIR", "with --trap: the crashed system's root, where its files are (default /)", 0, 0 },
	[O_OUT] = { "output", 'o', OPT_STR, "FILE", "write to FILE, not stdout", 0, 0 },
	[O_HELP] = { "help", 'h', OPT_FLAG, NULL, "show this help", 0, 0 },
	{ NULL, 0, 0, NULL, NULL, 0, 0 },
};

struct needs_file {
	const char *path;
	struct needs_scan s;
	int rc;			/* needs_scan's result, or -1 unreadable */
	x86_exts_t miss[NEEDS_NCLASS]; /* against --on */
	int declared_miss;	/* declared level above the type's */
	int verdict;		/* EXIT_PASS, EXIT_WARN, EXIT_FAIL, EXIT_ERROR */
};

static const char *const class_key[NEEDS_NCLASS] = { "unconditional", "if_reached" };

/* The level a PVE type offers, from the extensions it has. */
static int type_level(const char *type)
{
	const struct pve_type *t = pve_type_find(type);
	x86_exts_t set = 0;

	if (!t)
		return 0;
	for (int b = 0; b < X86_NEXTS; b++)
		if (pve_type_has(t, x86_exts[b].name))
			set |= 1ULL << b;
	for (int l = 4; l > 1; l--) {
		bool all = true;

		for (int b = 0; b < X86_NEXTS && all; b++)
			if (x86_exts[b].level >= 2 && x86_exts[b].level <= l)
				all = set >> b & 1;
		if (all)
			return l;
	}
	return 1;
}

static void judge(struct needs_file *f, const char *on)
{
	bool known;

	if (f->rc < 0) {
		f->verdict = EXIT_ERROR;
		return;
	}
	f->verdict = EXIT_PASS;
	if (!on)
		return;
	/* Extensions no PVE type names (clwb, serialize, sse4a...) cannot be
	 * judged against a type: they are listed, not counted as missing. */
	for (int c = 0; c < NEEDS_NCLASS; c++) {
		x86_exts_t unj;

		needs_pve_type(f->s.set[c], &unj);
		f->miss[c] = needs_missing_on(on, f->s.set[c] & ~unj, &known);
	}
	f->declared_miss = needs_declared_level(f->s.props.isa_needed) > type_level(on);
	if (f->miss[NEEDS_ALWAYS] || f->declared_miss)
		f->verdict = EXIT_FAIL;
	else if (f->miss[NEEDS_IF_REACHED])
		f->verdict = EXIT_WARN;
}

static void read_one(struct needs_file *f)
{
	size_t len = 0;
	char *buf = read_file(f->path, NEEDS_MAX_FILE, &len);

	if (!buf) {
		memset(&f->s, 0, sizeof(f->s));
		snprintf(f->s.err, sizeof(f->s.err), "cannot read: %s", strerror(errno));
		f->rc = -1;
		return;
	}
	f->rc = needs_scan((const uint8_t *)buf, len, &f->s);
	free(buf);
}

/* ---- text ---- */

static void text_class(FILE *o, const struct needs_scan *s, int c)
{
	for (int b = 0; b < X86_NEXTS; b++) {
		const struct needs_ext *x = &s->ext[c][b];

		if (!x->count)
			continue;
		fprintf(o, "      %-16s %8llu  e.g. %s at %#llx", x86_exts[b].name, (unsigned long long)x->count,
			x->first[0].mnemonic, (unsigned long long)x->first[0].addr);
		if (x->first[0].symbol[0])
			fprintf(o, " in %s", x->first[0].symbol);
		fputc('\n', o);
	}
}

static void text_level(FILE *o, x86_exts_t set)
{
	x86_exts_t unj;
	const char *t = needs_pve_type(set, &unj);
	char names[256];

	x86_exts_t beyond = 0;
	int level = x86_exts_level(set);

	for (int b = 0; b < X86_NEXTS; b++)
		if ((set >> b & 1) && (x86_exts[b].level == 0 || x86_exts[b].level > level) && !(unj >> b & 1))
			beyond |= 1ULL << b;
	fprintf(o, "x86-64-v%d", level);
	if (beyond)
		fprintf(o, " plus %s", x86_exts_names(beyond, names, sizeof(names)));
	fprintf(o, ", PVE type %s", t ? t : "(none in the table)");
	if (unj)
		fprintf(o, " (not judged: %s)", x86_exts_names(unj, names, sizeof(names)));
}

static void write_text(FILE *o, struct needs_file *files, int n, const char *on)
{
	char buf[256];

	for (int i = 0; i < n; i++) {
		struct needs_file *f = &files[i];
		const struct needs_scan *s = &f->s;

		fprintf(o, "%s%s\n", i ? "\n" : "", f->path);
		if (f->rc < 0) {
			fprintf(o, "  cannot scan: %s\n", s->err);
			continue;
		}
		if (s->err[0])
			fprintf(o, "  note: %s\n", s->err);
		fprintf(o, "  declared (GNU property notes): ");
		if (!s->props.found)
			fprintf(o, "nothing (no .note.gnu.property)\n");
		else
			fprintf(o, "ISA needed: %s; used: %s\n",
				s->props.has_needed ? elf_isa_names(s->props.isa_needed, buf, sizeof(buf)) : "-",
				s->props.has_used ? elf_isa_names(s->props.isa_used, buf + 128, 128) : "-");
		fprintf(o, "  code: %llu instructions in %u sections (%s), %llu bytes undecoded\n",
			(unsigned long long)s->insns, s->nsections, s->sections, (unsigned long long)s->undecoded);
		fprintf(o, "  runs unconditionally: ");
		text_level(o, s->set[NEEDS_ALWAYS]);
		fputc('\n', o);
		text_class(o, s, NEEDS_ALWAYS);
		if (s->set[NEEDS_IF_REACHED]) {
			fprintf(o, "  used if reached (");
			if (s->ifunc_resolvers)
				fprintf(o, "%u ifunc resolvers choosing among %u variants%s", s->ifunc_resolvers,
					s->ifunc_variants, s->dispatch_funcs ? "; " : "");
			if (s->dispatch_funcs)
				fprintf(o, "functions named as variants, e.g. %s", s->dispatch_example);
			if (!s->ifunc_resolvers && !s->dispatch_funcs)
				fprintf(o, "xgetbv of a CPU check");
			fprintf(o, "): ");
			text_level(o, s->set[NEEDS_ALWAYS] | s->set[NEEDS_IF_REACHED]);
			fputc('\n', o);
			text_class(o, s, NEEDS_IF_REACHED);
		}
		if (s->cpuid || s->cpu_model)
			fprintf(o, "  checks the CPU at run time (%llu cpuid%s): code counted as unconditional may be guarded\n",
				(unsigned long long)s->cpuid, s->cpu_model ? ", __cpu_model/cpu_features" : "");
		if (!s->symbols)
			fprintf(o, "  no function symbols: dispatch variants cannot be told apart\n");
		if (on) {
			fprintf(o, "  on %s: ", on);
			if (f->verdict == EXIT_FAIL) {
				x86_exts_t m = f->miss[NEEDS_ALWAYS];

				fprintf(o, "NO, needs %s%s\n", m ? x86_exts_names(m, buf, sizeof(buf)) : "",
					f->declared_miss ? (m ? " and declares a higher level" : "the level it declares")
							 : "");
			} else if (f->verdict == EXIT_WARN) {
				fprintf(o, "yes, unless it picks a variant that uses %s\n",
					x86_exts_names(f->miss[NEEDS_IF_REACHED], buf, sizeof(buf)));
			} else {
				fprintf(o, "yes\n");
			}
		}
	}
}

/* ---- JSON ---- */

static void json_exts(struct jw *w, const char *key, x86_exts_t set)
{
	jw_arr(w, key);
	for (int b = 0; b < X86_NEXTS; b++)
		if (set >> b & 1)
			jw_str(w, NULL, x86_exts[b].name);
	jw_arr_end(w);
}

static void json_isa_bits(struct jw *w, const char *key, bool has, uint32_t bits)
{
	char buf[128];

	if (!has) {
		jw_null(w, key);
		return;
	}
	jw_arr(w, key);
	elf_isa_names(bits, buf, sizeof(buf));
	for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
		jw_str(w, NULL, tok);
	jw_arr_end(w);
}

static void json_class(struct jw *w, const struct needs_scan *s, int c, x86_exts_t cumulative)
{
	x86_exts_t unj;
	const char *t = needs_pve_type(cumulative, &unj);

	jw_obj(w, class_key[c]);
	jw_int(w, "level", x86_exts_level(cumulative));
	jw_str(w, "pve_type", t);
	json_exts(w, "not_judged", unj);
	jw_arr(w, "extensions");
	for (int b = 0; b < X86_NEXTS; b++) {
		const struct needs_ext *x = &s->ext[c][b];

		if (!x->count)
			continue;
		jw_obj(w, NULL);
		jw_str(w, "name", x86_exts[b].name);
		jw_uint(w, "count", x->count);
		jw_arr(w, "first");
		for (int k = 0; k < x->nfirst; k++) {
			jw_obj(w, NULL);
			jw_strf(w, "addr", "%#llx", (unsigned long long)x->first[k].addr);
			jw_str(w, "mnemonic", x->first[k].mnemonic);
			jw_str(w, "symbol", x->first[k].symbol[0] ? x->first[k].symbol : NULL);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void write_json(FILE *o, struct needs_file *files, int n, const char *on, int status)
{
	static const char *const st[] = { [EXIT_PASS] = "pass", [EXIT_FAIL] = "fail", [EXIT_WARN] = "warn",
					  [EXIT_ERROR] = "error", [EXIT_SKIP] = "skip" };
	struct jw w;
	uint64_t insns = 0, undecoded = 0;
	int nfail = 0;

	for (int i = 0; i < n; i++) {
		insns += files[i].s.insns;
		undecoded += files[i].s.undecoded;
		nfail += files[i].verdict == EXIT_FAIL;
	}
	jw_init(&w, o, 2);
	jw_obj(&w, NULL);
	jw_str(&w, "name", "needs");
	jw_str(&w, "status", st[status]);
	jw_str(&w, "reason", NULL);
	jw_obj(&w, "metrics");
	jw_int(&w, "files", n);
	jw_uint(&w, "instructions", insns);
	jw_uint(&w, "undecoded_bytes", undecoded);
	jw_int(&w, "files_exceeding", nfail);
	jw_obj_end(&w);
	jw_obj(&w, "data");
	jw_str(&w, "on", on);
	jw_arr(&w, "files");
	for (int i = 0; i < n; i++) {
		const struct needs_file *f = &files[i];
		const struct needs_scan *s = &f->s;

		jw_obj(&w, NULL);
		jw_str(&w, "path", f->path);
		jw_str(&w, "status", st[f->verdict]);
		jw_str(&w, "note", s->err[0] ? s->err : NULL);
		if (f->rc == 0) {
			jw_obj(&w, "declared");
			jw_bool(&w, "found", s->props.found);
			json_isa_bits(&w, "isa_needed", s->props.has_needed, s->props.isa_needed);
			json_isa_bits(&w, "isa_used", s->props.has_used, s->props.isa_used);
			jw_int(&w, "level", needs_declared_level(s->props.isa_needed));
			jw_obj_end(&w);
			jw_obj(&w, "code");
			jw_int(&w, "sections", s->nsections);
			jw_uint(&w, "bytes", s->code_bytes);
			jw_uint(&w, "instructions", s->insns);
			jw_uint(&w, "undecoded_bytes", s->undecoded);
			jw_bool(&w, "symbols", s->symbols);
			jw_uint(&w, "cpuid", s->cpuid);
			jw_bool(&w, "cpu_feature_checks", s->cpu_model);
			jw_int(&w, "dispatch_functions", s->dispatch_funcs);
			jw_int(&w, "ifunc_resolvers", s->ifunc_resolvers);
			jw_int(&w, "ifunc_variants", s->ifunc_variants);
			json_class(&w, s, NEEDS_ALWAYS, s->set[NEEDS_ALWAYS]);
			json_class(&w, s, NEEDS_IF_REACHED, s->set[NEEDS_ALWAYS] | s->set[NEEDS_IF_REACHED]);
			jw_obj_end(&w);
			if (on) {
				jw_obj(&w, "on");
				jw_str(&w, "type", on);
				jw_bool(&w, "runs", f->verdict != EXIT_FAIL);
				json_exts(&w, "missing", f->miss[NEEDS_ALWAYS]);
				json_exts(&w, "missing_if_reached", f->miss[NEEDS_IF_REACHED]);
				jw_bool(&w, "declared_level_above", f->declared_miss);
				jw_obj_end(&w);
			}
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_arr(&w, "findings");
	for (int i = 0; i < n; i++) {
		const struct needs_file *f = &files[i];
		char buf[256];

		if (f->verdict != EXIT_FAIL)
			continue;
		jw_obj(&w, NULL);
		jw_str(&w, "id", "needs.exceeds-type");
		jw_str(&w, "severity", "fail");
		jw_strf(&w, "summary", "%s needs %s, which %s does not offer", f->path,
			f->miss[NEEDS_ALWAYS] ? x86_exts_names(f->miss[NEEDS_ALWAYS], buf, sizeof(buf)) : "a higher declared level", on);
		jw_obj(&w, "evidence");
		jw_str(&w, "path", f->path);
		json_exts(&w, "missing", f->miss[NEEDS_ALWAYS]);
		jw_obj_end(&w);
		jw_strf(&w, "advice", "Give the VM a CPU type with %s (e.g. %s), or rebuild the program for %s",
			buf, needs_pve_type(f->s.set[NEEDS_ALWAYS], NULL) ? needs_pve_type(f->s.set[NEEDS_ALWAYS], NULL) : "host", on);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	fputc('\n', o);
}

static const char *const verdict_names[] = {
	[FAULT_UNKNOWN] = "unknown", [FAULT_NEEDS_MISSING] = "needs-missing", [FAULT_EXECUTES] = "executes",
	[FAULT_BASE] = "base", [FAULT_NOT_MEASURED] = "not-measured",
};

/* --trap: one trap report decoded and judged (lib/faultinsn). */
static int trap_main(const char *text, const char *isa_path, const char *root, bool json, FILE *o)
{
	struct trap_event t;
	struct fault_insn *f = xcalloc(1, sizeof(*f));
	char err[256], names[256];
	uint8_t code[FAULT_CODE_MAX];
	struct jval *isa = NULL;
	const char *cl = strstr(text, "Code:");
	int n, ip, rc;

	memset(&t, 0, sizeof(t));
	t.code_ip = -1;
	if (trap_parse(text, &t.line) < 0) {
		fprintf(stderr, "triage needs: --trap: not a kernel trap line (comm[pid] trap|segfault|general protection ... ip:...): '%s'\n", text);
		free(f);
		return EXIT_ERROR;
	}
	if (cl && (n = fault_parse_code(cl, code, sizeof(code), &ip)) > 0) {
		t.code = code;
		t.code_len = (size_t)n;
		t.code_ip = ip;
	}
	if (isa_path) {
		size_t len;
		char *buf = read_file(isa_path, 64 << 20, &len);

		if (!buf || !(isa = json_parse(buf, len, err, sizeof(err)))) {
			fprintf(stderr, "triage needs: %s: %s\n", isa_path, buf ? err : strerror(errno));
			free(buf);
			free(f);
			return EXIT_ERROR;
		}
		free(buf);
	}
	fault_insn(&t, root, isa, f);
	if (json) {
		struct jw w;

		jw_init(&w, o, 2);
		jw_obj(&w, NULL);
		jw_str(&w, "verdict", verdict_names[f->verdict]);
		jw_str(&w, "summary", f->summary);
		jw_strf(&w, "ip", "%#llx", t.line.ip);
		jw_str(&w, "file", t.line.has_map ? t.line.file : NULL);
		jw_str(&w, "source", f->source);
		jw_str(&w, "path", f->path[0] ? f->path : NULL);
		if (f->decoded) {
			char hex[3 * X86_MAX_LEN + 1] = "";

			for (int i = 0; i < f->insn.len; i++)
				str_append(hex, sizeof(hex), " ", "%02x", f->bytes[i]);
			jw_strf(&w, "offset", "%#llx", (unsigned long long)f->offset);
			jw_str(&w, "mnemonic", f->insn.mnemonic);
			jw_str(&w, "bytes", hex);
			jw_str(&w, "needs", x86_exts_names(f->insn.needs, names, sizeof(names)));
			jw_str(&w, "missing", x86_exts_names(f->missing, names, sizeof(names)));
			jw_int(&w, "level", f->level);
			jw_str(&w, "pve_type", f->pve_type);
		}
		jw_str(&w, "note", f->note[0] ? f->note : NULL);
		jw_obj_end(&w);
		fputc('\n', o);
	} else {
		fprintf(o, "%s\n", f->summary);
		if (f->decoded)
			fprintf(o, "  instruction: %s (%d bytes) from %s%s%s at offset %#llx\n", f->insn.mnemonic, f->insn.len,
				f->source, f->path[0] && !strcmp(f->source, "file") ? " " : "",
				f->path[0] && !strcmp(f->source, "file") ? f->path : "", (unsigned long long)f->offset);
		if (f->note[0])
			fprintf(o, "  note: %s\n", f->note);
	}
	rc = f->verdict == FAULT_NEEDS_MISSING ? EXIT_FAIL : f->verdict == FAULT_UNKNOWN ? EXIT_ERROR : EXIT_PASS;
	json_free(isa);
	free(f);
	return rc;
}

int cmd_needs(int argc, char **argv)
{
	struct optv v[ARRAY_SIZE(needs_opts)] = { 0 };
	char err[256];
	const char *on;
	struct needs_file *files;
	int pos, n, status = EXIT_PASS;
	FILE *o = stdout;
	bool known;

	pos = opt_parse(needs_opts, v, argc, argv, err, sizeof(err));
	if (pos >= 0 && v[O_HELP].set) {
		printf("usage: triage needs [--on TYPE] [--json] [-o FILE] FILE...\n\n"
		       "The ISA extensions the code of ELF files uses, split into code that runs\n"
		       "unconditionally and code behind runtime dispatch (used if reached), what\n"
		       "their GNU property notes declare, and the lowest x86-64 level and Proxmox VE\n"
		       "CPU type that run them.\n\noptions:\n");
		opt_help(stdout, needs_opts);
		printf("\nexit status: 0 runs on TYPE (or no --on), 2 only dispatch variants need more,\n"
		       "1 needs more than TYPE, 3 a file could not be read\n");
		return EXIT_PASS;
	}
	if (pos >= 0 && v[O_TRAP].set) {
		if (v[O_OUT].set && !(o = fopen(v[O_OUT].str, "w"))) {
			fprintf(stderr, "triage needs: %s: %s\n", v[O_OUT].str, strerror(errno));
			return EXIT_ERROR;
		}
		status = trap_main(v[O_TRAP].str, v[O_ISA].set ? v[O_ISA].str : NULL, v[O_ROOT].set ? v[O_ROOT].str : NULL,
				   v[O_JSON].set, o);
		if (o != stdout)
			fclose(o);
		return status;
	}
	if (pos < 0 || pos >= argc) {
		fprintf(stderr, "triage needs: %s\n", pos < 0 ? err : "expects ELF files (see --help)");
		return EXIT_ERROR;
	}
	on = v[O_ON].set ? v[O_ON].str : NULL;
	if (on) {
		needs_missing_on(on, 0, &known);
		if (!known) {
			fprintf(stderr, "triage needs: unknown PVE CPU type '%s' (e.g. kvm64, x86-64-v2-AES, x86-64-v3, Haswell)\n", on);
			return EXIT_ERROR;
		}
	}
	n = argc - pos;
	if (v[O_LIST].set) {
		for (int i = 0; i < n; i++) {
			size_t len = 0;
			char *buf = read_file(argv[pos + i], NEEDS_MAX_FILE, &len);

			if (!buf || needs_list((const uint8_t *)buf, len, stdout, err, sizeof(err)) < 0) {
				fprintf(stderr, "triage needs: %s: %s\n", argv[pos + i], buf ? err : strerror(errno));
				status = EXIT_ERROR;
			}
			free(buf);
		}
		return fflush(stdout) == 0 ? status : EXIT_ERROR;
	}
	files = xcalloc((size_t)n, sizeof(*files));
	for (int i = 0; i < n; i++) {
		files[i].path = argv[pos + i];
		read_one(&files[i]);
		judge(&files[i], on);
		/* fail beats error beats warn: the CI question is "does it run" */
		if (files[i].verdict == EXIT_FAIL || (files[i].verdict == EXIT_ERROR && status != EXIT_FAIL) ||
		    (files[i].verdict == EXIT_WARN && status == EXIT_PASS))
			status = files[i].verdict;
	}
	if (v[O_OUT].set && !(o = fopen(v[O_OUT].str, "w"))) {
		fprintf(stderr, "triage needs: %s: %s\n", v[O_OUT].str, strerror(errno));
		free(files);
		return EXIT_ERROR;
	}
	if (v[O_JSON].set)
		write_json(o, files, n, on, status);
	else
		write_text(o, files, n, on);
	if (o != stdout ? fclose(o) != 0 : fflush(o) != 0)
		status = EXIT_ERROR;
	free(files);
	return status;
}
