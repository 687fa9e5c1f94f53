/*
 * rng.h - Philox4x32-10 (Random123) behind a gsl_rng, with streams keyed by
 * (seed, draw, stream) so that every random input of every draw is reproducible on its
 * own, whatever thread, rank or order computes it.
 *
 * Contract:
 *  - rng_philox4x32 is a gsl_rng_type: get() returns 32-bit words (min 0, max 2^32 - 1),
 *    get_double() returns uniforms k * 2^-53 in [0, 1) built from two consecutive
 *    32-bit words, so GSL's continuous distributions get full double precision.
 *  - rng_set_stream() positions a generator at the start of stream
 *    key = (seed lo, seed hi), counter = (draw lo, draw hi, stream, 0). Output word n of
 *    the stream (n = 0, 1, ...) is word n % 4 of philox4x32(counter with 4th word
 *    n / 4, key): the 4th counter word counts the blocks consumed, so a stream holds
 *    2^34 words before it would wrap.
 *  - rng_set_stream() allocates nothing and costs a few stores (call it per input per
 *    draw). The first block is computed lazily on the first get().
 *  - gsl_rng_set(r, s) (and gsl_rng_alloc's default seeding) selects the stream
 *    (seed s, draw 0, stream 0).
 *  - A gsl_rng is not thread-safe: one per thread (see sample_workspace_t).
 */
#ifndef AGTRADE_RNG_H
#define AGTRADE_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

extern const gsl_rng_type *rng_philox4x32;

/* gsl_rng_alloc(rng_philox4x32); NULL on allocation failure. Free with gsl_rng_free. */
gsl_rng *rng_alloc(void);

/* r must have been allocated with rng_alloc() / gsl_rng_alloc(rng_philox4x32). */
void rng_set_stream(gsl_rng *r, uint64_t seed, uint64_t draw, uint32_t stream);

/* The name stored in output files' `rng` attribute. */
#define RNG_NAME "philox4x32-10"

#endif
