/* Helpers shared by the libFuzzer targets in tests/fuzz/ (linked into each).
 *
 * A target that reads a whole report takes either the JSON text, optionally
 * followed by a NUL and mutation bytes, or "#", the number of one of the
 * recorded reports in tests/unit/data/report/ and mutation bytes alone
 * (where nearly every change the fuzzer makes is a new mutation, not broken
 * JSON). Each three mutation bytes change the type of one node of the parsed
 * tree, so the fuzzer decides which member of a valid report turns into a
 * string, a number, an array... */
#ifndef VMTRIAGE_FUZZ_H
#define VMTRIAGE_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/json.h"

/* data as a NUL-terminated copy the caller frees. */
char *fuzz_cstr(const uint8_t *data, size_t size);

/* Parses the JSON part of data into two trees (the same, then each mutated by
 * its share of the mutation bytes). Returns false if the JSON does not parse. */
bool fuzz_report_pair(const uint8_t *data, size_t size, struct jval **a, struct jval **b);

/* What report_load accepts: an object whose "schema" is "vmtriage/1". */
bool fuzz_is_report(const struct jval *rep);

struct jval *fuzz_clone(const struct jval *v);

/* Makes a ring image's checksums right (the header's and every non-zero
 * slot's), so that the fuzzer's changes reach what lies behind the CRC;
 * seq_copies: also make each slot's trailing seq copy equal its first, so
 * that the payload is what is fuzzed. (tests/fuzz/ring.c) */
void fuzz_ring_fix(uint8_t *buf, size_t len, bool seq_copies);
/* Same shape, keys and strings; numbers equal to rel_tol. */
bool fuzz_equal(const struct jval *a, const struct jval *b, double rel_tol);

#endif
