/* Running kernels safely and judging their output.
 *
 * A kernel may use an instruction the CPU does not have: it then raises
 * #UD (SIGILL), or #GP (SIGSEGV) for some state errors. The guard catches
 * the signal with sigsetjmp/siglongjmp, so the process survives and the
 * fault becomes a result. The handlers are installed only around a kernel
 * and the previous ones restored after, so a fault anywhere else still
 * kills the process as it should. */
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "isa.h"
#include "kernels.h"
#include "lib/util.h"

uint64_t isa_rng_next(struct isa_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t isa_rand_double(struct isa_rng *r, int emin, int emax)
{
	uint64_t x = isa_rng_next(r);
	int e = emin + (int)(isa_rng_next(r) % (uint64_t)(emax - emin + 1));

	return (x & 0x800fffffffffffffULL) | (uint64_t)(e + 1023) << 52;
}

uint32_t isa_rand_float(struct isa_rng *r, int emin, int emax)
{
	uint32_t x = (uint32_t)isa_rng_next(r);
	int e = emin + (int)(isa_rng_next(r) % (uint64_t)(emax - emin + 1));

	return (x & 0x807fffffU) | (uint32_t)(e + 127) << 23;
}

void isa_gen(const struct isa_ext *e, uint64_t *in, int n, struct isa_rng *r)
{
	if (e->gen) {
		e->gen(in, n, r);
		return;
	}
	for (int i = 0; i < n * e->in_words; i++)
		in[i] = isa_rng_next(r);
}

static const int guarded_signals[] = { SIGILL, SIGSEGV, SIGBUS, SIGFPE };

static sigjmp_buf guard_jmp;
static volatile sig_atomic_t guard_sig;

static void guard_handler(int sig)
{
	guard_sig = sig;
	siglongjmp(guard_jmp, 1);
}

static int guarded_call(isa_kernel_fn fn, const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	struct sigaction sa, old[ARRAY_SIZE(guarded_signals)];
	volatile int sig = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guard_handler;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(guarded_signals); i++)
		sigaction(guarded_signals[i], &sa, &old[i]);
	guard_sig = 0;
	/* savemask 1: siglongjmp also unblocks the signal being handled. */
	if (sigsetjmp(guard_jmp, 1) == 0)
		fn(in, out, n, ctx);
	else
		sig = guard_sig;
	for (size_t i = 0; i < ARRAY_SIZE(guarded_signals); i++)
		sigaction(guarded_signals[i], &old[i], NULL);
	return sig;
}

int isa_run_kernel(const struct isa_ext *e, const uint64_t *in, uint64_t *out, int n, const struct isa_ctx *ctx)
{
	return guarded_call(e->kernel, in, out, n, ctx);
}

bool isa_verify(const struct isa_ext *e, const uint64_t *in, const uint64_t *out, uint64_t *scratch, int n,
		const struct isa_ctx *ctx, struct isa_mismatch *m)
{
	memset(m, 0, sizeof(*m));
	if (e->check)
		return e->check(out, n, ctx, m);
	e->ref(in, scratch, n, ctx);
	for (int i = 0; i < n * e->out_words; i++)
		if (out[i] != scratch[i]) {
			m->iter = i / e->out_words;
			m->word = i % e->out_words;
			m->expected = scratch[i];
			m->got = out[i];
			snprintf(m->what, sizeof(m->what), "iteration %d, output word %d", m->iter, m->word);
			return false;
		}
	return true;
}

void isa_corrupt(const struct isa_ext *e, uint64_t *out, int n)
{
	if (e->corrupt)
		e->corrupt(out, n);
	else
		out[(n / 2) * e->out_words + e->out_words / 2] ^= 1ULL << 13;
}
