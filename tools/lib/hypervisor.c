#include "hypervisor.h"

#include <cpuid.h>
#include <string.h>

#include "util.h"

static const struct {
	const char *sig, *name;
} signatures[] = {
	{ "KVMKVMKVM", "KVM" },
	{ "TCGTCGTCGTCG", "QEMU TCG" },
	{ "Microsoft Hv", "Microsoft Hyper-V" },
	{ "VMwareVMware", "VMware" },
	{ "XenVMMXenVMM", "Xen" },
	{ "VBoxVBoxVBox", "VirtualBox" },
	{ "bhyve bhyve ", "bhyve" },
	{ " lrpepyh  vr", "Parallels" },
	{ "ACRNACRNACRN", "ACRN" },
	{ "QNXQVMBSQG", "QNX" },
	{ "Linux KVM Hv", "KVM (Hyper-V enlightenments)" },
};

/* DMI strings that name a virtual platform even when CPUID hides it. */
static const struct {
	const char *file, *needle, *hint;
} dmi_hints[] = {
	{ "sys_vendor", "QEMU", "QEMU/KVM (Proxmox VE uses this)" },
	{ "product_name", "Standard PC (", "QEMU/KVM machine type (i440fx or q35)" },
	{ "sys_vendor", "VMware", "VMware" },
	{ "product_name", "VirtualBox", "VirtualBox" },
	{ "product_name", "Virtual Machine", "Microsoft Hyper-V" },
	{ "sys_vendor", "Xen", "Xen" },
	{ "sys_vendor", "Amazon EC2", "Amazon EC2" },
	{ "sys_vendor", "Google", "Google Compute Engine" },
};

const char *hypervisor_name(const char *sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signatures); i++)
		if (strcmp(sig, signatures[i].sig) == 0)
			return signatures[i].name;
	return NULL;
}

static void leaf_signature(unsigned leaf, char sig[13], unsigned *max)
{
	unsigned a, b, c, d;

	__cpuid(leaf, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	/* Signatures are padded with NULs or spaces; keep them printable. */
	for (int i = 0; i < 12; i++)
		if (sig[i] && (sig[i] < 0x20 || sig[i] > 0x7e))
			sig[i] = '?';
	if (max)
		*max = a;
}

void hypervisor_detect(struct hypervisor *h)
{
	unsigned a, b, c, d;

	memset(h, 0, sizeof(*h));
	__cpuid(1, a, b, c, d);
	h->cpuid_bit = (c >> 31) & 1;
	if (h->cpuid_bit) {
		leaf_signature(0x40000000, h->sig, &h->max_leaf);
		h->name = hypervisor_name(h->sig);
		if (h->max_leaf >= 0x40000100 || strcmp(h->sig, "Microsoft Hv") == 0) {
			unsigned max2;

			leaf_signature(0x40000100, h->sig2, &max2);
			if (!hypervisor_name(h->sig2))
				h->sig2[0] = '\0';
			else if (strcmp(h->sig, "Microsoft Hv") == 0)
				h->name = hypervisor_name(h->sig2);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(dmi_hints); i++) {
		char buf[128];

		if (read_line_at(buf, sizeof(buf), "/sys/class/dmi/id/%s", dmi_hints[i].file) == 0 &&
		    strstr(buf, dmi_hints[i].needle)) {
			h->dmi_hint = dmi_hints[i].hint;
			break;
		}
	}
	h->vm = h->cpuid_bit || h->dmi_hint;
}
