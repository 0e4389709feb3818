/* Which hypervisor, if any, from CPUID and DMI. */
#ifndef VMTRIAGE_HYPERVISOR_H
#define VMTRIAGE_HYPERVISOR_H

#include <stdbool.h>

struct hypervisor {
	bool cpuid_bit;		/* CPUID.1:ECX[31], "running under a hypervisor" */
	char sig[13];		/* CPUID 0x40000000 vendor signature */
	unsigned max_leaf;	/* CPUID 0x40000000 EAX */
	char sig2[13];		/* CPUID 0x40000100: KVM behind Hyper-V enlightenments */
	const char *name;	/* "KVM", "QEMU TCG", "Microsoft Hyper-V", ..., or NULL */
	const char *dmi_hint;	/* what DMI strings say, or NULL */
	bool vm;		/* best judgement: running in a virtual machine */
};

void hypervisor_detect(struct hypervisor *h);
/* Name for a CPUID signature, or NULL if unknown. */
const char *hypervisor_name(const char *sig);

#endif
