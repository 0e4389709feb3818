/* libFuzzer target: lib/qemumodels' reading of a VM's CPU type and its
 * `flags=` (text from /etc/pve/qemu-server/VMID.conf: "+aes;-pcid"), as
 * `triage host` hands them to qm_pve_starts, against a recorded CPU. The
 * input: the type, a newline, the flags. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/qemumodels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cpuid_dump host;
	static int loaded;
	char *text = malloc(size + 1), *nl, err[128], buf[4096];
	struct qm_verdict v;

	if (!loaded) {
		loaded = 1;
		if (cpuid_load("tests/unit/data/isa/spr-xeon-w9-3475x.cpuid", &host, err, sizeof(err)) != 0)
			memset(&host, 0, sizeof(host));
	}
	memcpy(text, data, size);
	text[size] = '\0';
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	for (int q = 0; q < QM_NQEMU; q++) {
		qm_pve_starts(q, text, nl ? nl + 1 : NULL, &host, &v);
		qm_verdict_describe(&v, buf, sizeof(buf));
		qm_pve_offers(q, text, nl ? nl + 1 : "avx2");
	}
	free(text);
	return 0;
}
