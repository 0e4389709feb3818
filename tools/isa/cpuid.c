/* A CPUID dump (lib/cpuid.h) handed to libcpuid for identification, and
 * searched for the hypervisor signature. */
#include <libcpuid.h>
#include <string.h>

#include "isa.h"
#include "lib/cpunames.h"
#include "lib/hypervisor.h"
#include "lib/util.h"

/* libcpuid 0.7 (Debian 13) moved the x86 identification into data.x86 and
 * deprecated the old members; 0.6 (Debian 12) has only those. The ARM
 * register counts came with 0.7's x86/ARM split. */
#ifdef MAX_ARM_ID_AFR_REGS
#define LC_X86(d) ((d).x86)
#else
#define LC_X86(d) (d)
#endif

/* libcpuid's raw layout, filled from the dump rather than by executing
 * CPUID again, so live CPUs and recorded dumps take the same path. */
static void to_raw(const struct cpuid_dump *c, struct cpu_raw_data_t *raw)
{
	memset(raw, 0, sizeof(*raw));
	for (uint32_t i = 0; i < MAX_CPUID_LEVEL; i++)
		memcpy(raw->basic_cpuid[i], cpuid_get(c, i, 0), 16);
	for (uint32_t i = 0; i < MAX_EXT_CPUID_LEVEL; i++)
		memcpy(raw->ext_cpuid[i], cpuid_get(c, 0x80000000 + i, 0), 16);
	for (uint32_t i = 0; i < MAX_INTELFN4_LEVEL; i++)
		memcpy(raw->intel_fn4[i], cpuid_get(c, 4, i), 16);
	for (uint32_t i = 0; i < MAX_INTELFN11_LEVEL; i++)
		memcpy(raw->intel_fn11[i], cpuid_get(c, 0xb, i), 16);
	for (uint32_t i = 0; i < MAX_INTELFN12H_LEVEL; i++)
		memcpy(raw->intel_fn12h[i], cpuid_get(c, 0x12, i), 16);
	for (uint32_t i = 0; i < MAX_INTELFN14H_LEVEL; i++)
		memcpy(raw->intel_fn14h[i], cpuid_get(c, 0x14, i), 16);
	for (uint32_t i = 0; i < MAX_AMDFN8000001DH_LEVEL; i++)
		memcpy(raw->amd_fn8000001dh[i], cpuid_get(c, 0x8000001d, i), 16);
#ifdef MAX_AMDFN80000026H_LEVEL /* AMD's extended topology: libcpuid 0.7 */
	for (uint32_t i = 0; i < MAX_AMDFN80000026H_LEVEL; i++)
		memcpy(raw->amd_fn80000026h[i], cpuid_get(c, 0x80000026, i), 16);
#endif
}

/* Without libcpuid: vendor, brand and the display family/model/stepping
 * as the SDM (CPUID leaf 1) and AMD's APM define them. */
static void identify_raw(const struct cpuid_dump *c, struct isa_ident *id)
{
	const uint32_t *r1 = cpuid_get(c, 1, 0);
	uint32_t base_family = r1[R_EAX] >> 8 & 0xf, base_model = r1[R_EAX] >> 4 & 0xf;
	char brand[49];

	cpuid_vendor(c, id->vendor);
	for (uint32_t i = 0; i < 3; i++)
		memcpy(brand + 16 * i, cpuid_get(c, 0x80000002 + i, 0), 16);
	brand[48] = 0;
	strlcpy_(id->brand, trim(brand), sizeof(id->brand));
	id->family = (int)(base_family + (base_family == 0xf ? (r1[R_EAX] >> 20 & 0xff) : 0));
	id->model = (int)(base_model | (base_family == 0x6 || base_family == 0xf ? (r1[R_EAX] >> 12 & 0xf0) : 0));
	id->stepping = (int)(r1[R_EAX] & 0xf);
}

void isa_identify(const struct cpuid_dump *c, struct isa_ident *id)
{
	struct cpu_raw_data_t raw;
	struct cpu_id_t data;

	memset(id, 0, sizeof(*id));
	/* Our own decoding first; libcpuid adds the codename. */
	identify_raw(c, id);
	to_raw(c, &raw);
	if (cpu_identify(&raw, &data) != 0) {
		cpu_name(id->vendor, (unsigned)id->family, (unsigned)id->model, NULL, isa_cpuid_vm(c), id->name,
			 sizeof(id->name));
		return;
	}
	id->lc_ok = true;
	strlcpy_(id->vendor, data.vendor_str, sizeof(id->vendor));
	strlcpy_(id->brand, trim(data.brand_str), sizeof(id->brand));
	strlcpy_(id->codename, data.cpu_codename, sizeof(id->codename));
	id->family = LC_X86(data).ext_family;
	id->model = LC_X86(data).ext_model;
	id->stepping = LC_X86(data).stepping;
	cpu_name(id->vendor, (unsigned)id->family, (unsigned)id->model, id->codename, isa_cpuid_vm(c), id->name,
		 sizeof(id->name));
}

static void signature(const uint32_t *r, char out[13])
{
	memcpy(out, &r[R_EBX], 4);
	memcpy(out + 4, &r[R_ECX], 4);
	memcpy(out + 8, &r[R_EDX], 4);
	out[12] = 0;
}

void isa_hypervisor(const struct cpuid_dump *c, struct isa_hypervisor *h)
{
	const uint32_t *r0 = cpuid_get(c, 0x40000000, 0);
	const uint32_t *r1 = cpuid_get(c, 0x40000100, 0);
	const char *n0, *n1;

	memset(h, 0, sizeof(*h));
	h->present = cpuid_get(c, 1, 0)[R_ECX] >> 31 & 1;
	h->name = "none";
	if (!h->present)
		return;
	signature(r0, h->sig0);
	h->max0 = r0[R_EAX];
	if (r1[R_EAX] >= 0x40000100)
		signature(r1, h->sig1);
	n0 = hypervisor_name(h->sig0);
	n1 = h->sig1[0] ? hypervisor_name(h->sig1) : NULL;
	/* KVM with Hyper-V enlightenments (PVE's Windows guests) shows
	 * "Microsoft Hv" first and its own signature at 0x40000100. */
	h->name = n1 ? n1 : n0 ? n0 : "unknown";
}
