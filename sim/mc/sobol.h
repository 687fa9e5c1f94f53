/*
 * sobol.h - variance-based sensitivity: first-order and total Sobol indices from the
 * Saltelli design, with bootstrap confidence intervals.
 *
 * Design (Saltelli 2010): matrices A and B of n rows over the k design inputs (the
 * scenario's random inputs, then the regime as one more input when there are regimes),
 * and for each input i the matrix A_B^(i): A with column i taken from B; n (k + 2) model
 * evaluations. Row j of A is draw j of the ordinary run, row j of B is draw n + j, and
 * A_B^(i) row j is draw j with input i's stream from draw n + j (sampler_draw_design):
 * every evaluation is a pure function of (seed, j, i), whatever thread computes it.
 *
 * Estimators, with f_A, f_B, f_ABi the outputs and V the variance (divisor 2n) of f_A and
 * f_B pooled:
 *     S1_i = mean_j (f_B - m) (f_ABi - f_A) / V     (Saltelli et al. 2010, Table 2 (b))
 *     ST_i = mean_j (f_A - f_ABi)^2 / (2 V)         (Jansen 1999)
 * m the pooled mean: centring leaves S1's expectation as it is (f_ABi - f_A has mean 0)
 * but removes the noise a large mean adds (a price near 400 USD/t otherwise gives
 * intervals wider than the index).
 * Confidence: 1.96 times the standard deviation (divisor R - 1) of the estimates over
 * R = SOBOL_BOOTSTRAP resamples of the n rows, drawn from Philox stream (seed, replicate,
 * SOBOL_BOOTSTRAP_STREAM): the half width of a 95 % interval, as SALib reports it. Rows
 * whose evaluations failed (NaN) are left out of the sums that need them.
 *
 * No I/O. sobol_estimate allocates only its bootstrap scratch; sobol_run_point spreads
 * the evaluations over OpenMP threads (one engine worker each) and reduces serially in
 * row order, so the indices are bitwise identical for any thread count.
 */
#ifndef AGTRADE_SOBOL_H
#define AGTRADE_SOBOL_H

#include <stddef.h>
#include <stdint.h>
#include "engine.h"

#define SOBOL_BOOTSTRAP_STREAM 0xFFFFFFFEu
#define SOBOL_BOOTSTRAP 100          /* resamples behind each interval (SALib's default) */

/* fa, fb: n x h (row-major), fab: k x n x h. Outputs k x h (input-major): s1, st,
 * s1_conf, st_conf. NAN where V = 0 or fewer than 2 rows are usable. The bootstrap
 * replicates run on `threads` OpenMP threads (<= 0: OpenMP's default), each replicate
 * from its own stream, reduced in replicate order: the same bits for any count. 0, or
 * -1 when the bootstrap scratch cannot be allocated (outputs then untouched or
 * partial). Memory: n_boot (n + 2 k h) values. */
int sobol_estimate(size_t n, int k, size_t h, const double *fa, const double *fb,
                   const double *fab, uint64_t seed, int n_boot, int threads, double *s1,
                   double *st, double *s1_conf, double *st_conf);

/* The design inputs of a spec: n_inputs, plus one for the regime when n_regimes > 0. */
int sobol_n_inputs(const engine_spec_t *spec);

/* Run the design of n rows for one point (spec as for engine_run_point; spec->
 * attrib_index[n_attrib] names the outputs) and fill out->sobol_* (allocated with
 * point_summary_alloc_sobol(out, sobol_n_inputs(spec), spec->n_attrib)). design: NULL,
 * or room for n (k + 2) x n_attrib values that receive every evaluation's outputs, rows
 * in design order (A, B, A_B^(1), ..., A_B^(k); --raw-draws writes them). Returns
 * ENGINE_OK, ENGINE_NOMEM or ENGINE_INTERRUPTED (spec->stop set; out untouched), with a
 * message in err. */
int sobol_run_point(const engine_spec_t *spec, uint64_t n, point_summary_t *out,
                    double *design, char *err, size_t errlen);

#endif
