/* libFuzzer target: the LVM2 reader (label, metadata area, text metadata,
 * linear tables) on any bytes. The input is a PV's first bytes; when it
 * holds no label it is parsed as metadata text too. Seeds:
 * tests/fuzz/corpus/lvm/ (lvm2's own metadata, tests/unit/data/lvm/). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "postmortem/lvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lvm_vg vg;
	struct lvm_label l;
	struct lvm_linear lin[LVM_MAX_SEGS];
	char err[200], *t = NULL;
	size_t tl = 0;

	if (lvm_parse_label(data, size, &l, err, sizeof(err)) == 0 && l.mda_offset < size)
		t = lvm_mda_text(data + l.mda_offset, size - (size_t)l.mda_offset, &tl, err, sizeof(err));
	if (lvm_parse_text(t ? t : (const char *)data, t ? tl : size, &vg, err, sizeof(err)) == 0) {
		for (int i = 0; i < vg.nlvs; i++)
			lvm_linear_table(&vg, &vg.lvs[i], lin, LVM_MAX_SEGS, err, sizeof(err));
		lvm_pv_by_uuid(&vg, l.pv_uuid);
	}
	free(t);
	return 0;
}
