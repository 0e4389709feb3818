/* Fill and verify kernels of triage mem.
 *
 * SSE2 is part of the x86-64 baseline, so these need no probe. GCC 12 at
 * -O2 does not vectorize a 64-bit OR reduction by itself, hence the
 * intrinsics: two 16-byte lanes of "address XOR mask" advance by 32 bytes
 * a step, and the check ORs (value XOR expected) into an accumulator that
 * is looked at once per 4 KiB page. Only a page with a mismatch is
 * rescanned word by word. */
#include "mem.h"

#include <emmintrin.h>

static inline __m128i lane_addr(const uint64_t *p)
{
	return _mm_set_epi64x((long long)(uintptr_t)(p + 1), (long long)(uintptr_t)p);
}

/* Writes one page: word i = address of word i XOR mask. */
static inline void fill_page(uint64_t *p, __m128i m)
{
	const __m128i step = _mm_set1_epi64x(32);
	__m128i e0 = lane_addr(p), e1 = lane_addr(p + 2);

	for (size_t i = 0; i < MEM_PAGE_WORDS; i += 4) {
		_mm_store_si128((__m128i *)(p + i), _mm_xor_si128(e0, m));
		_mm_store_si128((__m128i *)(p + i + 2), _mm_xor_si128(e1, m));
		e0 = _mm_add_epi64(e0, step);
		e1 = _mm_add_epi64(e1, step);
	}
}

/* OR of (value XOR expected) over one page: zero when the page is good. */
static inline uint64_t check_page(const uint64_t *p, __m128i m)
{
	const __m128i step = _mm_set1_epi64x(32);
	__m128i e0 = lane_addr(p), e1 = lane_addr(p + 2);
	__m128i a0 = _mm_setzero_si128(), a1 = _mm_setzero_si128();

	for (size_t i = 0; i < MEM_PAGE_WORDS; i += 4) {
		__m128i v0 = _mm_load_si128((const __m128i *)(p + i));
		__m128i v1 = _mm_load_si128((const __m128i *)(p + i + 2));

		a0 = _mm_or_si128(a0, _mm_xor_si128(v0, _mm_xor_si128(e0, m)));
		a1 = _mm_or_si128(a1, _mm_xor_si128(v1, _mm_xor_si128(e1, m)));
		e0 = _mm_add_epi64(e0, step);
		e1 = _mm_add_epi64(e1, step);
	}
	a0 = _mm_or_si128(a0, a1);
	return (uint64_t)_mm_cvtsi128_si64(a0) | (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(a0, a0));
}

void mem_fill(uint64_t *p, size_t nwords, uint64_t mask)
{
	const __m128i m = _mm_set1_epi64x((long long)mask);

	for (size_t i = 0; i < nwords; i += MEM_PAGE_WORDS)
		fill_page(p + i, m);
}

/* The slow path: one bad page, word by word. */
static uint64_t log_page(const uint64_t *p, uint64_t mask, uint64_t off, struct mem_errlog *log)
{
	uint64_t bad = 0;

	for (size_t i = 0; i < MEM_PAGE_WORDS; i++) {
		uint64_t want = (uint64_t)(uintptr_t)(p + i) ^ mask;

		if (p[i] == want)
			continue;
		bad++;
		if (log && log->n < log->cap)
			log->e[log->n++] = (struct mem_err){
				.offset = off + i * 8, .vaddr = (uint64_t)(uintptr_t)(p + i),
				.expected = want, .got = p[i], .pass = log->pass,
			};
	}
	return bad;
}

uint64_t mem_verify(uint64_t *p, size_t nwords, uint64_t mask, bool rewrite, uint64_t newmask,
		    uint64_t off, struct mem_errlog *log)
{
	const __m128i m = _mm_set1_epi64x((long long)mask), nm = _mm_set1_epi64x((long long)newmask);
	uint64_t bad = 0;

	for (size_t i = 0; i < nwords; i += MEM_PAGE_WORDS) {
		if (check_page(p + i, m)) {
			uint64_t n = log_page(p + i, mask, off + i * 8, log);

			/* A word that reads back wrong once may read right
			 * the second time (a weak cell): still a fault. */
			bad += n ? n : 1;
			if (log && !n && log->n < log->cap)
				log->e[log->n++] = (struct mem_err){
					.offset = off + i * 8, .vaddr = (uint64_t)(uintptr_t)(p + i),
					.expected = (uint64_t)(uintptr_t)(p + i) ^ mask, .got = p[i],
					.pass = log->pass,
				};
		}
		if (rewrite)
			fill_page(p + i, nm);
	}
	if (log)
		log->count += bad;
	return bad;
}

int mem_flipped_bits(uint64_t expected, uint64_t got, int *bits, int max)
{
	uint64_t x = expected ^ got;
	int n = 0;

	for (int b = 0; b < 64; b++)
		if (x >> b & 1) {
			if (n < max)
				bits[n] = b;
			n++;
		}
	return n;
}
