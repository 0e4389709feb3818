/* The CPU's name from its vendor, family and model, by data the project
 * keeps with its source (cpu-names.def: the kernel's intel-family.h and
 * its AMD Zen ranges). libcpuid's codename is added only where it agrees;
 * a CPU not in the data is "unknown", never a guess. */
#ifndef VMTRIAGE_CPUNAMES_H
#define VMTRIAGE_CPUNAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the name into out ("Intel Sapphire Rapids", "AMD Zen 4", "AMD
 * Zen 3 (EPYC (Milan))", "unknown") and returns whether it named the CPU.
 * codename: libcpuid's, or NULL. virt: under a hypervisor, whose family
 * and model are its own choice (QEMU's models set them): then only a name
 * libcpuid's codename agrees with is given, else "unknown". */
bool cpu_name(const char *vendor, unsigned family, unsigned model, const char *codename, bool virt, char *out,
	      size_t len);

#endif
