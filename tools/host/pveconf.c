/* Proxmox VE's VM configs and custom CPU models (pveconf.h). The rules
 * follow qemu-server PVE/QemuServer.pm parse_vm_config and $confdesc,
 * PVE/QemuServer/CPUConfig.pm ($cpu_fmt, the flag pattern, the
 * cpu-models.conf section config), PVE/QemuServer/Memory.pm and
 * PVE::JSONSchema parse_property_string. */
#include "host/pveconf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pvetypes.h"
#include "lib/qemumodels.h"
#include "lib/util.h"

#define LINE_MAX_ 4096

static void problem(struct pve_problem *p, int *n, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void problem(struct pve_problem *p, int *n, const char *file, int line, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (*n >= PVE_PROBLEMS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	p[*n].line = line;
	snprintf(p[*n].msg, sizeof(p[*n].msg), "%s:%d: %s", file, line, what);
	(*n)++;
}

/* PVE::JSONSchema parse_boolean. */
static int parse_bool(const char *s)
{
	static const char *const yes[] = { "1", "on", "yes", "true" }, *const no[] = { "0", "off", "no", "false" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}

static bool parse_int_range(const char *s, long long lo, long long hi, long long *out)
{
	long long v;

	if (!*s || parse_ll(s, &v) < 0 || v < lo || v > hi)
		return false;
	for (const char *p = s; *p; p++) /* PVE's integers are plain digits */
		if (!isdigit((unsigned char)*p) && !(p == s && *p == '-'))
			return false;
	*out = v;
	return true;
}

static bool all_chars(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

/* ---- property strings ---- */

/* One "key=value" item at a time from a comma-separated list; an item
 * without '=' is the default key's value. Returns false at the end. */
struct propiter {
	const char *p;
	char key[32], val[LINE_MAX_];
};

static bool prop_next(struct propiter *it, const char *default_key, char *err, size_t errlen, bool *bad)
{
	size_t len, klen;
	const char *eq;

	*bad = false;
	if (!it->p || !*it->p)
		return false;
	len = strcspn(it->p, ",");
	eq = memchr(it->p, '=', len);
	if (eq) {
		klen = (size_t)(eq - it->p);
		if (klen == 0 || klen >= sizeof(it->key)) {
			snprintf(err, errlen, "bad key in '%.*s'", (int)(len > 60 ? 60 : len), it->p);
			*bad = true;
		} else {
			memcpy(it->key, it->p, klen);
			it->key[klen] = 0;
			snprintf(it->val, sizeof(it->val), "%.*s", (int)(len - klen - 1), eq + 1);
		}
	} else if (default_key) {
		strlcpy_(it->key, default_key, sizeof(it->key));
		snprintf(it->val, sizeof(it->val), "%.*s", (int)len, it->p);
	} else {
		snprintf(err, errlen, "value without a key: '%.*s'", (int)(len > 60 ? 60 : len), it->p);
		*bad = true;
	}
	it->p += len + (it->p[len] == ',');
	if (!*bad && !it->val[0]) {
		snprintf(err, errlen, "empty value for '%s'", it->key);
		*bad = true;
	}
	return true;
}

bool pve_vm_flag_allowed(const char *name)
{
	/* CPUFlags.pm, qemu-server 9.2; nested-virt since 9.1 (commit
	 * 9e319737, 2025-11), the rest as in 8.x */
	static const char *const allowed[] = { "nested-virt", "md-clear", "pcid",    "spec-ctrl",   "ssbd",
					       "ibpb",	      "virt-ssbd", "amd-ssbd", "amd-no-ssb", "pdpe1gb",
					       "hv-tlbflush", "hv-evmcs", "aes" };

	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		if (!strcmp(name, allowed[i]))
			return true;
	return false;
}

/* flags: "+aes;-pcid" (CPUConfig.pm: each flag signed, ';'-separated,
 * names [a-zA-Z0-9._-]+; a VM's own flags only from PVE's set). */
static int parse_flags(const char *s, struct pve_cpu *c, bool vm, char *err, size_t errlen)
{
	c->nflags = 0;
	while (*s) {
		size_t len = strcspn(s, ";");
		struct pve_flag *f;

		if (len < 2 || (s[0] != '+' && s[0] != '-')) {
			snprintf(err, errlen, "flag '%.*s' is not +FLAG or -FLAG", (int)(len > 40 ? 40 : len), s);
			return -1;
		}
		if (c->nflags >= PVE_FLAGS_MAX || len - 1 >= sizeof(f->name)) {
			snprintf(err, errlen, "too many or too long flags");
			return -1;
		}
		f = &c->flags[c->nflags++];
		memcpy(f->name, s + 1, len - 1);
		f->name[len - 1] = 0;
		f->on = s[0] == '+';
		if (!all_chars(f->name, "-_.")) {
			snprintf(err, errlen, "bad flag name '%s'", f->name);
			return -1;
		}
		if (vm && !pve_vm_flag_allowed(f->name)) {
			/* validate_vm_cpu_conf's own words */
			snprintf(err, errlen, "flag '%s': VM-specific CPU flags must be a subset of: nested-virt, "
				 "md-clear, pcid, spec-ctrl, ssbd, ibpb, virt-ssbd, amd-ssbd, amd-no-ssb, pdpe1gb, "
				 "hv-tlbflush, hv-evmcs, aes", f->name);
			return -1;
		}
		s += len;
		if (*s == ';') {
			s++;
			if (!*s) {
				snprintf(err, errlen, "flags end with ';'");
				return -1;
			}
		}
	}
	return 0;
}

/* A model QEMU defines (reported-model's enum, CPUConfig.pm
 * get_all_cpu_models: QEMU's models, kvm32/64, qemu32/64, max and host;
 * not PVE's own x86-64-vN, not custom models): in QEMU 7.2's or 10.0's
 * table (lib/qemumodels.h), as is or by its base name, so that a newer
 * version of a known model ("SierraForest-v3", QEMU 10.1) still passes. */
static bool qemu_model(const char *name)
{
	char base[PVE_NAME_MAX];

	if (!strcmp(name, "host") || !strcmp(name, "max"))
		return true;
	pve_model_base(name, base, sizeof(base));
	for (int q = 0; q < QM_NQEMU; q++)
		if (qm_find((enum qm_qemu)q, name) || qm_find((enum qm_qemu)q, base))
			return true;
	return false;
}

static void cpu_init(struct pve_cpu *c)
{
	memset(c, 0, sizeof(*c));
	strlcpy_(c->type, PVE_DEFAULT_CPU, sizeof(c->type));
	c->hidden = -1;
}

/* The keys a cpu: value and a custom model share; model says which of
 * cputype (a VM) or reported-model (a model) is allowed. */
static int cpu_key(struct pve_cpu *c, const char *key, const char *val, bool model, char *err, size_t errlen)
{
	long long n;

	if (!model && !strcmp(key, "cputype")) {
		if (strlen(val) >= sizeof(c->type) || !all_chars(val, "-_.")) {
			snprintf(err, errlen, "bad CPU type '%.60s'", val);
			return -1;
		}
		strlcpy_(c->type, val, sizeof(c->type));
	} else if (!strcmp(key, "reported-model")) {
		if (!model) {
			snprintf(err, errlen, "property 'reported-model' not allowed in VM-specific CPU config");
			return -1;
		}
		if (strlen(val) >= sizeof(c->reported_model) || !all_chars(val, "-_.") || !qemu_model(val)) {
			snprintf(err, errlen, "reported-model '%.60s' is not a QEMU CPU model (PVE reports kvm64)", val);
			return -1;
		}
		strlcpy_(c->reported_model, val, sizeof(c->reported_model));
	} else if (!strcmp(key, "flags")) {
		return parse_flags(val, c, !model, err, errlen);
	} else if (!strcmp(key, "hidden")) {
		if ((c->hidden = parse_bool(val)) < 0) {
			snprintf(err, errlen, "hidden is not a boolean: '%.40s'", val);
			return -1;
		}
	} else if (!strcmp(key, "hv-vendor-id")) {
		/* CPUConfig.pm: pattern [a-zA-Z0-9]{1,12} */
		if (strlen(val) > 12 || !all_chars(val, "")) {
			snprintf(err, errlen, "hv-vendor-id is not 1 to 12 letters or digits: '%.40s'", val);
			return -1;
		}
		strlcpy_(c->hv_vendor_id, val, sizeof(c->hv_vendor_id));
	} else if (!strcmp(key, "phys-bits")) {
		/* CPUConfig.pm: 'host' or 8..64 */
		if (strcmp(val, "host") != 0 && !parse_int_range(val, 8, 64, &n)) {
			snprintf(err, errlen, "phys-bits is neither 'host' nor 8 to 64: '%.40s'", val);
			return -1;
		}
		strlcpy_(c->phys_bits, val, sizeof(c->phys_bits));
	} else if (!strcmp(key, "guest-phys-bits") || !strcmp(key, "level")) {
		/* newer PVE keys with no bearing on the instruction set:
		 * guest-phys-bits 32..64, level a uint32 (CPUConfig.pm) */
		bool gpb = key[0] == 'g';

		if (!parse_int_range(val, gpb ? 32 : 0, gpb ? 64 : 0xffffffffLL, &n)) {
			snprintf(err, errlen, "%s is not %s: '%.40s'", key, gpb ? "32 to 64" : "a number", val);
			return -1;
		}
	} else {
		snprintf(err, errlen, "unknown property '%s'", key);
		return -1;
	}
	return 0;
}

int pve_parse_cpu(const char *value, struct pve_cpu *c, char *err, size_t errlen)
{
	struct propiter it = { .p = value };
	unsigned seen = 0;
	static const char *const keys[] = { "cputype", "flags", "hidden", "hv-vendor-id", "phys-bits",
					     "guest-phys-bits", "level" };
	bool bad;

	cpu_init(c);
	while (prop_next(&it, "cputype", err, errlen, &bad)) {
		if (bad)
			return -1;
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
			if (!strcmp(it.key, keys[k])) {
				if (seen & (1u << k)) {
					snprintf(err, errlen, "'%s' given twice", it.key);
					return -1;
				}
				seen |= 1u << k;
			}
		if (cpu_key(c, it.key, it.val, false, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* memory: "[current=]MiB" (Memory.pm; 16 MiB at least). */
static int parse_memory(const char *value, long long *mib, char *err, size_t errlen)
{
	struct propiter it = { .p = value };
	bool bad, got = false;
	long long n;

	while (prop_next(&it, "current", err, errlen, &bad)) {
		if (bad)
			return -1;
		if (!strcmp(it.key, "current")) {
			if (got || !parse_int_range(it.val, 16, 1LL << 40, &n)) {
				snprintf(err, errlen, "memory is not a size of at least 16 MiB: '%.40s'", it.val);
				return -1;
			}
			*mib = n;
			got = true;
		} else {
			snprintf(err, errlen, "unknown memory property '%s'", it.key);
			return -1;
		}
	}
	if (!got) {
		snprintf(err, errlen, "memory without 'current'");
		return -1;
	}
	return 0;
}

/* hotplug: "0", "1" or a list of network,disk,cpu,memory,usb,cloudinit. */
static bool valid_hotplug(const char *v)
{
	static const char *const words[] = { "network", "disk", "cpu", "memory", "usb", "cloudinit" };

	if (!strcmp(v, "0") || !strcmp(v, "1"))
		return true;
	while (*v) {
		size_t len = strcspn(v, ","), k;

		for (k = 0; k < ARRAY_SIZE(words); k++)
			if (strlen(words[k]) == len && !strncmp(v, words[k], len))
				break;
		if (k == ARRAY_SIZE(words))
			return false;
		v += len;
		if (*v == ',' && !*++v)
			return false;
	}
	return true;
}

/* PVE::Tools decode_text: the description is stored URI-escaped. */
static void uri_unescape_append(char *dst, size_t size, const char *s)
{
	size_t n = strlen(dst);

	for (; *s && n + 1 < size; s++) {
		if (*s == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
			char hex[3] = { s[1], s[2], 0 };

			dst[n++] = (char)strtol(hex, NULL, 16);
			s += 2;
		} else {
			dst[n++] = *s;
		}
	}
	dst[n] = 0;
}

/* The next line of buf (without '\n') into line; false at the end. Lines
 * longer than the buffer are cut, and flagged. */
static bool next_line(const char **p, const char *end, char *line, size_t size, bool *cut)
{
	const char *nl;
	size_t len;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	len = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	*cut = len >= size;
	if (*cut)
		len = size - 1;
	memcpy(line, *p, len);
	line[len] = 0;
	for (size_t i = 0; i < len; i++)
		if (line[i] == '\0')
			line[i] = ' '; /* a NUL inside the file is no end of line */
	*p = nl ? nl + 1 : end;
	return true;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

enum section { S_NONE, S_MAIN, S_PENDING, S_SPECIAL, S_SNAPSHOT, S_UNKNOWN };

/* parse_vm_config's section headers, in its order: "[PENDING]",
 * "[special:cloudinit|fleecing]", "[name]" with name [a-z][a-z0-9_-]+
 * (all case-insensitive), then any other "[...]": an unknown section.
 * Trailing white space allowed; S_NONE when the line is no header. */
static enum section section_header(const char *line, char *name, size_t size)
{
	const char *close;
	size_t len;

	if (line[0] != '[' || !(close = strchr(line, ']')) || !blank(close + 1))
		return S_NONE;
	len = (size_t)(close - line - 1);
	snprintf(name, size, "%.*s", (int)len, line + 1);
	if (!strcasecmp(name, "PENDING"))
		return S_PENDING;
	if (!strcasecmp(name, "special:cloudinit") || !strcasecmp(name, "special:fleecing"))
		return S_SPECIAL;
	if (len < 2 || len >= size || !isalpha((unsigned char)name[0]))
		return S_UNKNOWN;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
			return S_UNKNOWN;
	return S_SNAPSHOT;
}

/* "key: value" with key matching [a-z][a-z_-]*\d* (parse_vm_config);
 * value trimmed. */
static bool key_value(char *line, char **key, char **value)
{
	char *p = line, *colon;

	if (!islower((unsigned char)*p))
		return false;
	while (islower((unsigned char)*p) || *p == '_' || *p == '-')
		p++;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p != ':')
		return false;
	colon = p;
	*colon = 0;
	*key = line;
	*value = trim(colon + 1);
	return **value != 0;
}

/* One key of the current config (dst == c) or of [PENDING] (dst a
 * scratch config whose keys_set says what it gave); problems go to c. */
static void vm_key(struct pve_vmconf *c, struct pve_vmconf *dst, const char *file, int ln, const char *key,
		   const char *val)
{
	char err[300];
	long long n;

	if (!strcmp(key, "cpu")) {
		struct pve_cpu cpu;

		if (pve_parse_cpu(val, &cpu, err, sizeof(err)) < 0) {
			problem(c->problems, &c->nproblems, file, ln, "cpu: %s (PVE ignores the line%s)", err,
				dst == c ? ": kvm64" : "");
			return;
		}
		dst->cpu = cpu;
		dst->cpu_set = true;
		dst->keys_set |= PVE_K_CPU;
	} else if (!strcmp(key, "memory")) {
		if (parse_memory(val, &n, err, sizeof(err)) < 0) {
			problem(c->problems, &c->nproblems, file, ln, "memory: %s", err);
			return;
		}
		dst->memory_mib = n;
		dst->memory_set = true;
		dst->keys_set |= PVE_K_MEMORY;
	} else if (!strcmp(key, "balloon")) {
		if (!parse_int_range(val, 0, 1LL << 40, &n)) {
			problem(c->problems, &c->nproblems, file, ln, "balloon: not a size in MiB: '%.40s'", val);
			return;
		}
		dst->balloon_mib = n;
		dst->balloon_set = true;
		dst->keys_set |= PVE_K_BALLOON;
	} else if (!strcmp(key, "shares")) {
		/* QemuServer.pm $confdesc: 0..50000, default 1000 */
		if (!parse_int_range(val, 0, 50000, &n)) {
			problem(c->problems, &c->nproblems, file, ln, "shares: not 0 to 50000: '%.40s'", val);
			return;
		}
		dst->shares = (int)n;
		dst->keys_set |= PVE_K_SHARES;
	} else if (!strcmp(key, "template")) {
		int b = parse_bool(val);

		if (b < 0) {
			problem(c->problems, &c->nproblems, file, ln, "template: not a boolean: '%.40s'", val);
			return;
		}
		dst->template_ = b;
		dst->keys_set |= PVE_K_TEMPLATE;
	} else if (!strcmp(key, "vmstate")) {
		dst->hibernated = true;
	} else if (!strcmp(key, "lock")) {
		strlcpy_(dst->lock, val, sizeof(dst->lock));
	} else if (!strncmp(key, "hostpci", 7) && parse_int_range(key + 7, 0, 15, &n)) {
		dst->hostpci |= 1u << n; /* $MAX_HOSTPCI_DEVICES 16 */
	} else if (!strcmp(key, "numa")) {
		int b = parse_bool(val);

		if (b < 0)
			problem(c->problems, &c->nproblems, file, ln, "numa: not a boolean: '%.40s'", val);
		else
			dst->numa = b;
	} else if (!strcmp(key, "hotplug")) {
		if (!valid_hotplug(val))
			problem(c->problems, &c->nproblems, file, ln, "hotplug: not 0, 1 or a list of "
				"network,disk,cpu,memory,usb,cloudinit: '%.40s'", val);
		else
			strlcpy_(dst->hotplug, val, sizeof(dst->hotplug));
	} else if (!strcmp(key, "cores") || !strcmp(key, "sockets") || !strcmp(key, "vcpus")) {
		if (!parse_int_range(val, 1, 65536, &n)) {
			problem(c->problems, &c->nproblems, file, ln, "%s: not a count: '%.40s'", key, val);
			return;
		}
		*(key[0] == 'c' ? &dst->cores : key[0] == 's' ? &dst->sockets : &dst->vcpus) = (int)n;
	} else if (!strcmp(key, "name")) {
		strlcpy_(dst->name, val, sizeof(dst->name));
	} else if (!strcmp(key, "args")) {
		if (strlen(val) >= sizeof(dst->args))
			problem(c->problems, &c->nproblems, file, ln, "args: longer than %d bytes, cut", PVE_ARGS_MAX - 1);
		strlcpy_(dst->args, val, sizeof(dst->args));
		dst->keys_set |= PVE_K_ARGS;
	} else if (!strcmp(key, "boot")) {
		strlcpy_(dst->boot, val, sizeof(dst->boot));
	} else if (!strcmp(key, "ide2")) {
		strlcpy_(dst->ide2, val, sizeof(dst->ide2));
	} else if (!strncmp(key, "virtio", 6) && parse_int_range(key + 6, 0, 15, &n)) {
		dst->virtio_used |= 1u << n;
	}
	/* every other key is PVE's business, not ours */
}

/* pending delete: "cpu,balloon;!hostpci0 args" */
static void pending_delete(struct pve_pending *pd, const char *val)
{
	static const struct {
		const char *key;
		unsigned bit;
	} keys[] = { { "cpu", PVE_K_CPU },     { "memory", PVE_K_MEMORY }, { "balloon", PVE_K_BALLOON },
		     { "shares", PVE_K_SHARES }, { "args", PVE_K_ARGS },     { "template", PVE_K_TEMPLATE } };

	while (*val) {
		size_t len = strcspn(val, ",; \t");
		char word[40];
		long long n;

		snprintf(word, sizeof(word), "%.*s", (int)len, val[0] == '!' ? val + 1 : val);
		for (size_t i = 0; len && i < ARRAY_SIZE(keys); i++)
			if (!strcmp(word, keys[i].key))
				pd->deleted |= keys[i].bit;
		if (!strncmp(word, "hostpci", 7) && parse_int_range(word + 7, 0, 15, &n))
			pd->hostpci_deleted |= 1u << n;
		val += len;
		val += strspn(val, ",; \t");
	}
}

static void vmconf_init(struct pve_vmconf *c)
{
	memset(c, 0, sizeof(*c));
	cpu_init(&c->cpu);
	c->memory_mib = PVE_DEFAULT_MEMORY_MIB;
	c->numa = -1;
	c->shares = -1;
	c->cores = c->sockets = 1;
	strlcpy_(c->hotplug, PVE_DEFAULT_HOTPLUG, sizeof(c->hotplug));
}

static void keep_pending(struct pve_pending *pd, const struct pve_vmconf *p)
{
	pd->set = p->keys_set;
	pd->cpu = p->cpu;
	pd->memory_mib = p->memory_mib;
	pd->balloon_mib = p->balloon_mib;
	pd->shares = p->shares;
	pd->template_ = p->template_;
	strlcpy_(pd->args, p->args, sizeof(pd->args));
	pd->hostpci_set = p->hostpci;
}

int pve_parse_vmconf(const char *buf, size_t len, const char *file, struct pve_vmconf *c)
{
	const char *p = buf, *end = buf + len;
	char line[LINE_MAX_], sect[64];
	bool cut;
	enum section in = S_MAIN;
	struct pve_vmconf *pend = xmalloc(sizeof(*pend)); /* the [PENDING] keys, read as a config */
	int ln = 0;

	vmconf_init(c);
	vmconf_init(pend);
	while (next_line(&p, end, line, sizeof(line), &cut)) {
		enum section hdr;
		char *key, *val;

		ln++;
		if (cut)
			problem(c->problems, &c->nproblems, file, ln, "line longer than %d bytes, cut", LINE_MAX_ - 1);
		if (blank(line))
			continue;
		if ((hdr = section_header(line, sect, sizeof(sect))) != S_NONE) {
			in = hdr;
			if (hdr == S_PENDING) {
				if (c->pending)
					problem(c->problems, &c->nproblems, file, ln, "duplicate section: pending");
				c->pending = true;
				vmconf_init(pend); /* PVE starts it afresh */
			} else if (hdr == S_SPECIAL) {
				*(tolower((unsigned char)sect[8]) == 'c' ? &c->cloudinit : &c->fleecing) = true;
			} else if (hdr == S_SNAPSHOT) {
				if (c->nsnapshots < PVE_SNAPSHOTS_MAX)
					strlcpy_(c->snapshots[c->nsnapshots++], sect, sizeof(c->snapshots[0]));
			} else {
				/* PVE warns and skips every line up to the next
				 * section it knows: none of them is the VM's config */
				problem(c->problems, &c->nproblems, file, ln,
					"skipping unknown section '%.40s' and its lines", sect);
			}
			continue;
		}
		if (in == S_UNKNOWN)
			continue;
		if (line[0] == '#') {
			/* parse_vm_config: the '#' lines of a section make its
			 * description */
			if (in == S_MAIN) {
				uri_unescape_append(c->description, sizeof(c->description), line + 1);
				uri_unescape_append(c->description, sizeof(c->description), "\n");
			}
			continue;
		}
		if (!key_value(line, &key, &val)) {
			problem(c->problems, &c->nproblems, file, ln, "unable to parse config: %.80s", line);
			continue;
		}
		if (in == S_PENDING) {
			if (!strcmp(key, "delete"))
				pending_delete(&c->pend, val);
			else if (strcmp(key, "description") != 0)
				vm_key(c, pend, file, ln, key, val);
			continue;
		}
		if (in != S_MAIN)
			continue;
		if (!strcmp(key, "description")) /* joins the '#' lines */
			uri_unescape_append(c->description, sizeof(c->description), val);
		else if (!strcmp(key, "delete"))
			problem(c->problems, &c->nproblems, file, ln, "property 'delete' is only allowed in [PENDING]");
		else
			vm_key(c, c, file, ln, key, val);
	}
	if (c->pending)
		keep_pending(&c->pend, pend);
	free(pend);
	/* PVE strips the description's trailing white space */
	for (size_t n = strlen(c->description); n && isspace((unsigned char)c->description[n - 1]);)
		c->description[--n] = 0;
	if (c->balloon_set && c->balloon_mib > c->memory_mib)
		problem(c->problems, &c->nproblems, file, 0,
			"balloon %lld MiB is above memory %lld MiB (PVE refuses to start such a VM)", c->balloon_mib,
			c->memory_mib);
	return c->nproblems;
}

void pve_next_start(const struct pve_vmconf *c, struct pve_vmconf *n)
{
	const struct pve_pending *pd = &c->pend;

	*n = *c;
	if (!c->pending)
		return;
	if (pd->deleted & PVE_K_CPU) {
		cpu_init(&n->cpu);
		n->cpu_set = false;
	}
	if (pd->deleted & PVE_K_MEMORY) {
		n->memory_mib = PVE_DEFAULT_MEMORY_MIB;
		n->memory_set = false;
	}
	if (pd->deleted & PVE_K_BALLOON)
		n->balloon_set = false;
	if (pd->deleted & PVE_K_SHARES)
		n->shares = -1;
	if (pd->deleted & PVE_K_ARGS)
		n->args[0] = 0;
	if (pd->deleted & PVE_K_TEMPLATE)
		n->template_ = false;
	n->hostpci &= ~pd->hostpci_deleted;
	if (pd->set & PVE_K_CPU) {
		n->cpu = pd->cpu;
		n->cpu_set = true;
	}
	if (pd->set & PVE_K_MEMORY) {
		n->memory_mib = pd->memory_mib;
		n->memory_set = true;
	}
	if (pd->set & PVE_K_BALLOON) {
		n->balloon_mib = pd->balloon_mib;
		n->balloon_set = true;
	}
	if (pd->set & PVE_K_SHARES)
		n->shares = pd->shares;
	if (pd->set & PVE_K_ARGS)
		strlcpy_(n->args, pd->args, sizeof(n->args));
	if (pd->set & PVE_K_TEMPLATE)
		n->template_ = pd->template_;
	n->hostpci |= pd->hostpci_set;
	n->keys_set = (c->keys_set & ~pd->deleted) | pd->set;
}

/* PVE::Tools::split_args: words as a POSIX shell splits them (quotes and
 * backslashes), one at a time into word; false at the end. */
static bool next_word(const char **p, char *word, size_t size, const char **start)
{
	const char *s = *p;
	size_t n = 0;
	char q = 0;

	s += strspn(s, " \t");
	if (!*s)
		return false;
	*start = s;
	for (; *s && (q || (*s != ' ' && *s != '\t')); s++) {
		char ch = *s;

		if (q) {
			if (ch == q) {
				q = 0;
				continue;
			}
			if (q == '"' && ch == '\\' && s[1] && strchr("\"\\$`", s[1]))
				ch = *++s;
		} else if (ch == '\'' || ch == '"') {
			q = ch;
			continue;
		} else if (ch == '\\' && s[1]) {
			ch = *++s;
		}
		if (n + 1 < size)
			word[n++] = ch;
	}
	word[n] = 0;
	*p = s;
	return true;
}

bool pve_args_cpu(const char *args, char *cpu, size_t cpusize, char *rest, size_t restsize)
{
	const char *p = args, *start;
	char word[PVE_ARGS_MAX];
	bool found = false;

	cpu[0] = 0;
	if (rest)
		rest[0] = 0;
	while (next_word(&p, word, sizeof(word), &start)) {
		/* QEMU takes -cpu and --cpu alike; every one leaves rest */
		if (!strcmp(word, "-cpu") || !strcmp(word, "--cpu")) {
			if (!next_word(&p, word, sizeof(word), &start))
				word[0] = 0;
			strlcpy_(cpu, word, cpusize);
			found = true;
		} else if (rest) {
			str_append(rest, restsize, " ", "%.*s", (int)(p - start), start);
		}
	}
	return found;
}

/* ---- corosync.conf and the node config ---- */

int pve_parse_corosync(const char *buf, size_t len, char (*names)[PVE_NODE_NAME_MAX], int max)
{
	const char *p = buf, *end = buf + len;
	char line[LINE_MAX_], path[4][32];
	int depth = 0, n = 0;
	bool cut, nodelist = false;

	while (next_line(&p, end, line, sizeof(line), &cut)) {
		char *s = trim(line), *open = strchr(s, '{'), *colon = strchr(s, ':');

		if (!*s || *s == '#')
			continue;
		if (open && (!colon || colon > open)) { /* "name {" */
			*open = 0;
			if (depth < 4)
				strlcpy_(path[depth], trim(s), sizeof(path[0]));
			depth++;
			nodelist |= depth == 1 && !strcmp(path[0], "nodelist");
			continue;
		}
		if (*s == '}') {
			depth -= depth > 0;
			continue;
		}
		if (!colon || depth != 2 || strcmp(path[0], "nodelist") != 0 || strcmp(path[1], "node") != 0)
			continue;
		*colon = 0;
		if (strcmp(trim(s), "name") != 0)
			continue;
		s = trim(colon + 1);
		if (*s && strlen(s) < PVE_NODE_NAME_MAX && all_chars(s, "-_.") && n < max) {
			bool dup = false;

			for (int i = 0; i < n; i++)
				dup |= !strcmp(names[i], s);
			if (!dup)
				strlcpy_(names[n++], s, PVE_NODE_NAME_MAX);
		}
	}
	return nodelist ? n : -1;
}

int pve_node_balloon_target(const char *buf, size_t len, bool *bad)
{
	const char *p = buf, *end = buf + len;
	char line[LINE_MAX_], *key, *val;
	int target = -1;
	bool cut;

	*bad = false;
	while (next_line(&p, end, line, sizeof(line), &cut)) {
		long long n;

		if (line[0] == '#' || !key_value(line, &key, &val) || strcmp(key, "ballooning-target") != 0)
			continue;
		/* NodeConfig.pm: integer 0..100, default 80 */
		if (parse_int_range(val, 0, 100, &n)) {
			target = (int)n;
			*bad = false;
		} else {
			target = -1;
			*bad = true;
		}
	}
	return target;
}

/* ---- cpu-models.conf ---- */

int pve_parse_cpumodels(const char *buf, size_t len, const char *file, struct pve_cpumodels *out)
{
	const char *p = buf, *end = buf + len;
	char line[LINE_MAX_], err[160];
	struct pve_cpumodel *m = NULL;
	bool cut;
	int ln = 0;

	memset(out, 0, sizeof(*out));
	while (next_line(&p, end, line, sizeof(line), &cut)) {
		char *s = line, *key, *val;

		ln++;
		if (cut)
			problem(out->problems, &out->nproblems, file, ln, "line longer than %d bytes, cut", LINE_MAX_ - 1);
		if (blank(line)) {
			m = NULL; /* SectionConfig: a blank line ends the section */
			continue;
		}
		if (line[0] == '#')
			continue;
		if (!isspace((unsigned char)line[0])) {
			const char *hdr = "cpu-model:";

			m = NULL;
			if (strncmp(line, hdr, strlen(hdr)) != 0) {
				problem(out->problems, &out->nproblems, file, ln, "not a 'cpu-model: NAME' line: %.60s",
					line);
				continue;
			}
			val = trim(line + strlen(hdr));
			if (!*val || strlen(val) >= PVE_NAME_MAX || !all_chars(val, "-_.")) {
				problem(out->problems, &out->nproblems, file, ln, "bad model name '%.60s'", val);
				continue;
			}
			if (pve_cpumodel_find(out, val)) {
				problem(out->problems, &out->nproblems, file, ln, "model '%s' defined twice", val);
				continue;
			}
			if (out->n >= PVE_MODELS_MAX) {
				problem(out->problems, &out->nproblems, file, ln, "more than %d models", PVE_MODELS_MAX);
				continue;
			}
			m = &out->m[out->n++];
			strlcpy_(m->name, val, sizeof(m->name));
			cpu_init(&m->cpu);
			snprintf(m->cpu.type, sizeof(m->cpu.type), "custom-%.50s", val);
			strlcpy_(m->cpu.reported_model, PVE_DEFAULT_CPU, sizeof(m->cpu.reported_model));
			continue;
		}
		if (!m)
			continue; /* the rest of a section PVE already rejected */
		s = trim(line);
		key = s;
		s += strcspn(s, " \t");
		if (*s)
			*s++ = 0;
		val = trim(s);
		if (!*val) {
			problem(out->problems, &out->nproblems, file, ln, "'%s' without a value", key);
			continue;
		}
		if (cpu_key(&m->cpu, key, val, true, err, sizeof(err)) < 0)
			problem(out->problems, &out->nproblems, file, ln, "model '%s': %s", m->name, err);
	}
	return out->nproblems;
}

const struct pve_cpumodel *pve_cpumodel_find(const struct pve_cpumodels *m, const char *name)
{
	if (!strncmp(name, "custom-", 7))
		name += 7;
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->m[i].name, name))
			return &m->m[i];
	return NULL;
}

/* ---- names ---- */

/* Lower case without '-', '_' and '.': QEMU spells the same flag
 * "sse4.2", "sse4_2" and "sse4-2". */
static void squash(const char *s, size_t n, char *out, size_t size)
{
	size_t k = 0;

	for (size_t i = 0; i < n && s[i] && k + 1 < size; i++)
		if (s[i] != '-' && s[i] != '_' && s[i] != '.')
			out[k++] = (char)tolower((unsigned char)s[i]);
	out[k] = 0;
}

/* QEMU names that differ from the report's (pve-cpu-types.def's header). */
static const struct {
	const char *qemu, *ext1, *ext2;
} aliases[] = {
	{ "pni", "sse3", NULL },
	{ "sse42", "sse4.2", "sse4.2-pcmpstr" },
	{ "abm", "lzcnt", NULL },
	{ "lahflm", "lahf-sahf", NULL },
	{ "pclmuldq", "pclmulqdq", NULL },
};

int pve_flag_exts(const char *flag, const char **out, int max)
{
	char want[40], have[40];

	squash(flag, strlen(flag), want, sizeof(want));
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		if (!strcmp(want, aliases[i].qemu)) {
			int n = 0;

			if (n < max)
				out[n++] = aliases[i].ext1;
			if (aliases[i].ext2 && n < max)
				out[n++] = aliases[i].ext2;
			return n;
		}
	/* otherwise the name of an extension some PVE type offers */
	for (int t = 0; t < pve_ntypes; t++)
		for (const char *p = pve_type_features(&pve_types[t]); *p;) {
			size_t len = strcspn(p, " ");

			squash(p, len, have, sizeof(have));
			if (len && !strcmp(have, want) && max > 0) {
				static char names[64][32]; /* the table's names, kept */
				static int nnames;

				for (int k = 0; k < nnames; k++)
					if (!strncmp(names[k], p, len) && !names[k][len]) {
						out[0] = names[k];
						return 1;
					}
				if (nnames >= 64 || len >= sizeof(names[0]))
					return 0;
				memcpy(names[nnames], p, len);
				names[nnames][len] = 0;
				out[0] = names[nnames++];
				return 1;
			}
			p += len;
			p += strspn(p, " ");
		}
	return 0;
}

void pve_model_base(const char *name, char *buf, size_t size)
{
	static const char *const suffixes[] = { "-IBRS", "-noTSX", "-IBPB", "-GDS", "-RFDS" };
	bool again = true;

	strlcpy_(buf, name, size);
	while (again) {
		size_t n = strlen(buf);
		char *dash = strrchr(buf, '-');

		again = false;
		for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
			size_t k = strlen(suffixes[i]);

			if (n > k && !strcmp(buf + n - k, suffixes[i])) {
				buf[n - k] = 0;
				again = true;
			}
		}
		/* QEMU's versioned models: "EPYC-Rome-v2" */
		if (dash && dash[1] == 'v' && dash[2] && strspn(dash + 2, "0123456789") == strlen(dash + 2)) {
			*dash = 0;
			again = true;
		}
	}
}
