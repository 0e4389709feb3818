/* The kernel's and glibc's view of the CPU, read as text: /proc/cpuinfo
 * "flags" per processor and `ld.so --help`'s "x86-64-vN (supported...)".
 * Nobody here wrote them, so they judge our CPUID decoding; where the
 * kernel turned a feature off on purpose, the cause is a finding. */
#include <stdio.h>
#include <string.h>

#include "isa.h"
#include "lib/util.h"

/* The value of "key : value" if line is that key (spaces and tabs around the colon). */
static const char *field(const char *line, size_t len, const char *key)
{
	size_t k = strlen(key);
	const char *p = line + k, *end = line + len;

	if (len < k || memcmp(line, key, k) != 0)
		return NULL;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != ':')
		return NULL;
	p++;
	while (p < end && *p == ' ')
		p++;
	return p;
}

int isa_cpuinfo_flags(const char *cpuinfo, int cpu, char *out, size_t outlen)
{
	const char *p = cpuinfo;
	bool mine = false;

	if (outlen == 0)
		return -1;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *v;

		if ((v = field(p, len, "processor")) != NULL) {
			int n = 0, digits = 0;

			while (v < p + len && *v >= '0' && *v <= '9' && digits < 9) {
				n = n * 10 + (*v++ - '0');
				digits++;
			}
			mine = digits > 0 && n == cpu;
		} else if (mine && (v = field(p, len, "flags")) != NULL) {
			size_t n = (size_t)(p + len - v);

			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, v, n);
			out[n] = 0;
			return 0;
		}
		p += len + (nl ? 1 : 0);
	}
	return -1;
}

bool isa_flags_have(const char *flags, const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return false;
	for (const char *p = flags; (p = strstr(p, name)) != NULL; p++)
		if ((p == flags || p[-1] == ' ' || p[-1] == '\t') && (p[n] == 0 || p[n] == ' ' || p[n] == '\t'))
			return true;
	return false;
}

int isa_glibc_level(const char *help)
{
	int best = -1;

	for (const char *p = help; (p = strstr(p, "x86-64-v")) != NULL; p++) {
		int level = p[8] - '0';

		if (level < 2 || level > 4)
			continue;
		if (best < 1)
			best = 1;
		/* "  x86-64-v4 (supported, searched)" against "(searched)" alone */
		if (!strncmp(p + 9, " (supported", 11) && level > best)
			best = level;
	}
	return best;
}

/* What clearing a kernel flag also clears: the parent of each of our rows'
 * flags in Linux 6.1's arch/x86/kernel/cpu/cpuid-deps.c (one level each;
 * ancestors are followed by walking the table again). */
static const struct {
	const char *flag, *parent;
} kdeps[] = {
	{ "xsaveopt", "xsave" }, { "xsavec", "xsave" }, { "avx", "xsave" },
	{ "pni", "sse2" }, { "sse4_1", "sse2" }, { "sse4_2", "sse2" }, { "pclmulqdq", "sse2" },
	{ "ssse3", "sse2" }, { "f16c", "sse2" }, { "aes", "sse2" }, { "sha_ni", "sse2" }, { "gfni", "sse2" },
	{ "fma", "avx" }, { "vaes", "avx" }, { "vpclmulqdq", "avx" }, { "avx2", "avx" }, { "avx512f", "avx" },
	{ "avx512ifma", "avx512f" }, { "avx512cd", "avx512f" }, { "avx512dq", "avx512f" },
	{ "avx512bw", "avx512f" }, { "avx512vl", "avx512f" }, { "avx512vbmi", "avx512f" },
	{ "avx512_vpopcntdq", "avx512f" }, { "avx512_vbmi2", "avx512vl" }, { "avx512_vnni", "avx512vl" },
	{ "avx512_bitalg", "avx512vl" }, { "avx512_bf16", "avx512vl" }, { "avx512_fp16", "avx512bw" },
	{ "amx_tile", "xfd" }, { "xfd", "xsaves" }, { "xsaves", "xsave" },
};

static const char *kparent(const char *flag)
{
	for (size_t i = 0; i < ARRAY_SIZE(kdeps); i++)
		if (!strcmp(kdeps[i].flag, flag))
			return kdeps[i].parent;
	return NULL;
}

/* The value of option name= on a command line, copied to out; false if absent. */
static bool cmdline_value(const char *cmdline, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);

	for (const char *p = cmdline; (p = strstr(p, name)) != NULL; p++)
		if ((p == cmdline || p[-1] == ' ') && p[n] == '=') {
			size_t len = strcspn(p + n + 1, " \n");

			if (len >= outlen)
				len = outlen - 1;
			memcpy(out, p + n + 1, len);
			out[len] = 0;
			return true;
		}
	return false;
}

static bool cmdline_flag(const char *cmdline, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = cmdline; (p = strstr(p, name)) != NULL; p++)
		if ((p == cmdline || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

/* Whether a comma list (clearcpuid=avx,sha_ni) names flag. */
static bool list_has(const char *list, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		if (strcspn(p, ",") == n && !strncmp(p, flag, n))
			return true;
		if (!p[strcspn(p, ",")])
			break;
	}
	return false;
}

/* The kernel's messages when it turns features off (Linux 6.1:
 * arch/x86/kernel/cpu/bugs.c for GDS, fpu/xstate.c for XSAVE). */
static const struct {
	const char *message, *clears; /* a flag and everything under it */
} kmessages[] = {
	{ "Disabling AVX as mitigation", "avx" },
	{ "disabling XSAVE", "xsave" },
};

const char *isa_kernel_cause(const struct isa_ext *e, bool os_enabled, const char *cmdline, const char *klog,
			     char *buf, size_t len)
{
	char list[256];
	const char *f;

	if (!e->kflag.name)
		return NULL;
	for (f = e->kflag.name; f; f = kparent(f)) {
		if (cmdline && cmdline_value(cmdline, "clearcpuid", list, sizeof(list)) && list_has(list, f)) {
			snprintf(buf, len, "clearcpuid=%s on the kernel command line%s%s", list,
				 f != e->kflag.name ? " clears " : "", f != e->kflag.name ? f : "");
			return buf;
		}
		if (cmdline && !strcmp(f, "xsave") && cmdline_flag(cmdline, "noxsave")) {
			snprintf(buf, len, "noxsave on the kernel command line");
			return buf;
		}
		if (cmdline && !strcmp(f, "xsaveopt") && cmdline_flag(cmdline, "noxsaveopt")) {
			snprintf(buf, len, "noxsaveopt on the kernel command line");
			return buf;
		}
		for (size_t i = 0; klog && i < ARRAY_SIZE(kmessages); i++)
			if (!strcmp(f, kmessages[i].clears) && strstr(klog, kmessages[i].message)) {
				snprintf(buf, len, "the kernel's log: \"%s\"", kmessages[i].message);
				return buf;
			}
		if (cmdline && !strcmp(f, "avx") && cmdline_value(cmdline, "gather_data_sampling", list, sizeof(list)) &&
		    !strcmp(list, "force")) {
			snprintf(buf, len, "gather_data_sampling=force on the kernel command line (the kernel turns AVX "
					   "off where the microcode lacks the GDS fix)");
			return buf;
		}
	}
	if (!os_enabled) {
		snprintf(buf, len, "the OS did not enable its register state (XCR0)");
		return buf;
	}
	return NULL;
}

int isa_kernel_release(const char *osrelease)
{
	int major, minor;

	if (!osrelease || sscanf(osrelease, "%d.%d", &major, &minor) != 2 || major < 0 || minor < 0 || minor > 99 ||
	    major > 99)
		return 0;
	return major * 100 + minor;
}

/* The release whose arch/x86/include/asm/cpufeatures.h the K() names were
 * checked against. */
#define KNOWN_RELEASE 601

enum isa_kagree isa_kernel_agree(const struct isa_ext *e, bool advertised, bool os_enabled, const char *flags,
				 const struct isa_kview *kv, char *cause, size_t len)
{
	const char *cmdline = kv ? kv->cmdline : NULL, *klog = kv ? kv->klog : NULL;
	bool newer = e->kflag.newer || (kv && kv->release && kv->release < KNOWN_RELEASE);
	bool shown;

	if (len)
		cause[0] = 0;
	if (!e->kflag.name || !flags)
		return ISA_K_NONE;
	shown = isa_flags_have(flags, e->kflag.name);
	if (shown == advertised)
		return ISA_K_AGREE;
	if (!shown && newer)
		return ISA_K_NONE; /* an older kernel may not know the name */
	if (!shown && isa_kernel_cause(e, os_enabled, cmdline, klog, cause, len))
		return ISA_K_CLEARED;
	snprintf(cause, len, shown ? "the kernel shows %s, CPUID does not advertise it"
				   : "CPUID advertises it, the kernel does not show %s and gives no reason",
		 e->kflag.name);
	return ISA_K_DISAGREE;
}
