/* CPU names from cpu-names.def; libcpuid's codename where it agrees. */
#include "lib/cpunames.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"

static const struct {
	unsigned model;
	const char *name, *symbol;
} intel[] = {
#define INTEL(model, name, symbol) { model, name, symbol },
#define AMD(family, lo, hi, name)
#include "cpu-names.def"
#undef AMD
#undef INTEL
};

static const struct {
	unsigned family, lo, hi;
	const char *name;
} amd[] = {
#define INTEL(model, name, symbol)
#define AMD(family, lo, hi, name) { family, lo, hi, name },
#include "cpu-names.def"
#undef AMD
#undef INTEL
};

/* libcpuid's codenames of each Zen generation (its amd.c tables), to tell
 * whether its codename agrees with the kernel's range. */
static const struct {
	const char *gen, *names;
} zen_codenames[] = {
	{ "Zen", "naples summit raven pinnacle picasso colfax whitehaven dali pollock" },
	{ "Zen 2", "rome matisse renoir castle lucienne mendocino vangogh" },
	{ "Zen 3", "milan vermeer cezanne rembrandt chagall barcelo" },
	{ "Zen 4", "genoa raphael phoenix bergamo siena storm dragon hawk" },
	{ "Zen 5", "turin granite strix krackan shimada fire" },
};

/* Lower-case letters and digits only: "Sapphire Rapids" and "SAPPHIRERAPIDS". */
static void squash(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; s && *s && o + 1 < len; s++)
		if (isalnum((unsigned char)*s))
			out[o++] = (char)tolower((unsigned char)*s);
	out[o] = 0;
}

static bool intel_agrees(const char *symbol, const char *codename)
{
	char sym[64], cn[96], arch[64];
	const char *p = symbol;

	/* the microarchitecture is the symbol without ATOM_ and its _X/_L/... suffix */
	if (!strncmp(p, "ATOM_", 5))
		p += 5;
	snprintf(arch, sizeof(arch), "%.*s", (int)strcspn(p, "_"), p);
	squash(arch, sym, sizeof(sym));
	squash(codename, cn, sizeof(cn));
	return sym[0] && strstr(cn, sym);
}

static bool amd_agrees(const char *gen, const char *codename)
{
	char cn[96];

	squash(codename, cn, sizeof(cn));
	for (size_t i = 0; i < ARRAY_SIZE(zen_codenames); i++) {
		if (strcmp(zen_codenames[i].gen, gen))
			continue;
		for (const char *p = zen_codenames[i].names; *p;) {
			size_t n = strcspn(p, " ");
			char word[32];

			snprintf(word, sizeof(word), "%.*s", (int)n, p);
			if (cn[0] && strstr(cn, word))
				return true;
			p += n + (p[n] == ' ');
		}
	}
	return false;
}

bool cpu_name(const char *vendor, unsigned family, unsigned model, const char *codename, bool virt, char *out,
	      size_t len)
{
	snprintf(out, len, "unknown");
	if (vendor && !strcmp(vendor, "GenuineIntel") && family == 6) {
		for (size_t i = 0; i < ARRAY_SIZE(intel); i++)
			if (intel[i].model == model) {
				bool agree = codename && intel_agrees(intel[i].symbol, codename);

				if (virt && !agree)
					return false;
				if (agree)
					snprintf(out, len, "Intel %s (%s)", intel[i].name, codename);
				else
					snprintf(out, len, "Intel %s", intel[i].name);
				return true;
			}
	} else if (vendor && !strcmp(vendor, "AuthenticAMD")) {
		for (size_t i = 0; i < ARRAY_SIZE(amd); i++)
			if (amd[i].family == family && model >= amd[i].lo && model <= amd[i].hi) {
				bool agree = codename && amd_agrees(amd[i].name, codename);

				if (virt && !agree)
					return false;
				if (agree)
					snprintf(out, len, "AMD %s (%s)", amd[i].name, codename);
				else
					snprintf(out, len, "AMD %s", amd[i].name);
				return true;
			}
	}
	return false;
}
