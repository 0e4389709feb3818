/* LVM2 physical volumes, read without lvm2: the label, the metadata area and
 * the text metadata of the volume group (lvm2's format_text), and the
 * device-mapper "linear" table of a logical volume whose segments are all
 * linear. Pure functions over bytes (fuzzed by tests/fuzz/fuzz_lvm.c).
 *
 * Why not lvm2 itself: /sbin/lvm and /sbin/dmsetup with their shared-library
 * closure (Debian 12, lvm2 2.03.16) are 12.3 MB, 3589 KiB xz-compressed as an
 * initramfs (measured: ldd closure, cpio, xz -9 --x86 as scripts/initramfs),
 * against a 4096 KiB budget for kernel and initramfs together. This reader
 * and the ioctls in lvmdm.c add a few KiB to triage. */
#ifndef VMTRIAGE_PM_LVM_H
#define VMTRIAGE_PM_LVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LVM_SECTOR 512
#define LVM_LABEL_SCAN_SECTORS 4	/* the label is in one of the first four sectors */
#define LVM_MDA_HEADER_SIZE 512
#define LVM_MAX_PVS 16
#define LVM_MAX_LVS 64
#define LVM_MAX_SEGS 16
#define LVM_MAX_STRIPES 8

struct lvm_label {
	char pv_uuid[33];	/* 32 characters, without lvm's dashes */
	uint64_t dev_size;	/* bytes, as pvcreate saw it */
	uint64_t mda_offset;	/* the first metadata area: bytes from the device start */
	uint64_t mda_size;
	int sector;		/* where LABELONE was found */
};

struct lvm_pv {
	char name[64];		/* "pv0": what segments refer to */
	char uuid[33];		/* without dashes */
	uint64_t pe_start;	/* sectors */
	uint64_t pe_count;
};

struct lvm_seg {
	uint64_t start_extent, extent_count;
	char type[32];		/* "striped" (linear: stripe_count 1), "thin", "raid1", ... */
	int stripe_count;
	int nstripes;
	int pv[LVM_MAX_STRIPES];	/* index into vg->pvs, -1 if not a PV (a sub-LV) */
	uint64_t pe[LVM_MAX_STRIPES];
};

struct lvm_lv {
	char name[128];
	bool visible;		/* status has "VISIBLE": not a pool's or a raid's hidden part */
	int segment_count;	/* as the metadata says */
	int nsegs;
	struct lvm_seg segs[LVM_MAX_SEGS];
};

struct lvm_vg {
	char name[128];
	uint64_t seqno;
	uint64_t extent_size;	/* sectors */
	int npvs, nlvs;
	struct lvm_pv pvs[LVM_MAX_PVS];
	struct lvm_lv lvs[LVM_MAX_LVS];
};

/* One line of a device-mapper linear table, in 512-byte sectors. */
struct lvm_linear {
	uint64_t start, length;
	int pv;			/* index into vg->pvs */
	uint64_t offset;	/* on that PV */
};

/* lvm2's checksum: CRC-32 (reflected 0xEDB88320) from 0xf597a6cf, no final xor. */
uint32_t lvm_crc(uint32_t crc, const uint8_t *p, size_t n);

/* The label in the first LVM_LABEL_SCAN_SECTORS sectors of buf. 0, or -1
 * with err saying why. */
int lvm_parse_label(const uint8_t *buf, size_t len, struct lvm_label *l, char *err, size_t esz);

/* The current metadata text of a metadata area (mda: its bytes, from the
 * mda header on, at most the area's size). Returns a malloc'd NUL-terminated
 * copy (*tlen: its length), or NULL with err. Checksums are verified. */
char *lvm_mda_text(const uint8_t *mda, size_t len, size_t *tlen, char *err, size_t esz);

/* The volume group in metadata text. 0, or -1 with err. */
int lvm_parse_text(const char *text, size_t len, struct lvm_vg *vg, char *err, size_t esz);

/* The PV of vg with this uuid (with or without dashes), or -1. */
int lvm_pv_by_uuid(const struct lvm_vg *vg, const char *uuid);

/* The linear table of lv: its lines (at most max), or -1 with why filled
 * ("segment 1 is thin", "segment 2 is striped over 2 PVs", ...) when any
 * segment is not a plain linear mapping onto a PV. */
int lvm_linear_table(const struct lvm_vg *vg, const struct lvm_lv *lv, struct lvm_linear *out, int max, char *why,
		     size_t wsz);

#endif
