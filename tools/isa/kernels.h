/* The kernels (k_), references (r_), input generators (g_), property
 * checks (c_) and corrupters (x_) that the rows of isa_exts[] name. */
#ifndef VMTRIAGE_ISA_KERNELS_H
#define VMTRIAGE_ISA_KERNELS_H

#include "isa.h"

#define KFN(name) void name(const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
#define GFN(name) void name(uint64_t *in, int n, struct isa_rng *r)
#define CFN(name) bool name(const uint64_t *out, int n, const struct isa_ctx *ctx, struct isa_mismatch *m)
#define XFN(name) void name(uint64_t *out, int n)

/* kern_base.c */
KFN(k_sse2); KFN(r_sse2);
GFN(g_sse3); KFN(k_sse3); KFN(r_sse3);
KFN(k_ssse3); KFN(r_ssse3);
GFN(g_sse41); KFN(k_sse41); KFN(r_sse41);
KFN(k_crc32c); KFN(r_crc32c);
GFN(g_pcmpstr); KFN(k_pcmpstr); KFN(r_pcmpstr);
GFN(g_popcnt); KFN(k_popcnt); KFN(r_popcnt);
KFN(k_lzcnt); KFN(r_lzcnt);
GFN(g_bmi1); KFN(k_bmi1); KFN(r_bmi1);
GFN(g_bmi2); KFN(k_bmi2); KFN(r_bmi2);
KFN(k_movbe); KFN(r_movbe);
KFN(k_adx); KFN(r_adx);
KFN(k_cx16); KFN(r_cx16);
KFN(k_lahf); KFN(r_lahf);
void g_doubles(uint64_t *in, int n, struct isa_rng *r, int per_iter);
void g_bits(uint64_t *in, int n, struct isa_rng *r, int per_iter);

/* kern_crypto.c */
KFN(k_aes); KFN(r_aes);
KFN(k_pclmul); KFN(r_pclmul);
KFN(k_sha); KFN(r_sha);
KFN(k_gfni); KFN(r_gfni);
KFN(k_vaes); KFN(r_vaes);
KFN(k_vpclmul); KFN(r_vpclmul);
KFN(k_rdrand); KFN(k_rdseed); CFN(c_random); XFN(x_random);

/* kern_sys.c: RTM. Status word of an iteration that committed. */
#define RTM_COMMITTED (1ULL << 63)
/* The word iteration i writes (inside the transaction or after its abort). */
#define RTM_WORD(i) ((uint64_t)(i) * 0x9e3779b97f4a7c15ULL)
KFN(k_rtm); CFN(c_rtm); XFN(x_rtm);
/* How many of n iterations of k_rtm's output committed. */
int isa_rtm_commits(const uint64_t *out, int n);

/* kern_avx.c */
GFN(g_f16c); KFN(k_f16c); KFN(r_f16c);
GFN(g_fma); KFN(k_fma); KFN(r_fma);
GFN(g_avx); KFN(k_avx); KFN(r_avx);
GFN(g_avx2); KFN(k_avx2); KFN(r_avx2);
KFN(k_avxvnni); KFN(r_avxvnni);
void ref_vnni(const uint64_t *a, const uint64_t *b, const uint64_t *c, int lanes, uint64_t *bus, uint64_t *buss,
	      uint64_t *wss, uint64_t *wsss);

/* kern_avx512.c */
KFN(k_avx512f); KFN(r_avx512f);
GFN(g_avx512cd); KFN(k_avx512cd); KFN(r_avx512cd);
KFN(k_avx512bw); KFN(r_avx512bw);
GFN(g_avx512dq); KFN(k_avx512dq); KFN(r_avx512dq);
KFN(k_avx512vl); KFN(r_avx512vl);
KFN(k_avx512vnni); KFN(r_avx512vnni);
KFN(k_avx512vbmi); KFN(r_avx512vbmi);
KFN(k_avx512vbmi2); KFN(r_avx512vbmi2);
KFN(k_avx512ifma); KFN(r_avx512ifma);
KFN(k_avx512bitalg); KFN(r_avx512bitalg);
GFN(g_vpopcnt); KFN(k_avx512vpopcntdq); KFN(r_avx512vpopcntdq);
GFN(g_avx512bf16); KFN(k_avx512bf16); KFN(r_avx512bf16);

/* kern_sys.c */
KFN(k_xsave); KFN(k_xsaveopt); KFN(k_xsavec); KFN(r_xsave); KFN(r_xsavec);

KFN(k_rdtscp); CFN(c_rdtscp); XFN(x_rdtscp);
KFN(k_rdpid); CFN(c_rdpid); XFN(x_rdpid);

#endif
