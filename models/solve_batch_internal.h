/*
 * solve_batch_internal.h - what solve_batch.c (checks, packing, dispatch, output) shares
 * with solve_batch_kernel.c (the lockstep Newton, compiled per instruction set: portable, AVX, AVX-512).
 * Internal to models/.
 *
 * Every per-lane number is a `sb_vec`, one double per lane (GCC vector extension:
 * IEEE double arithmetic lane by lane, whatever instructions the compiler picks, and
 * no contraction into FMA under -ffp-contract=off). Arrays are structure of arrays:
 * route r's flows of the lanes are X[r][0..SOLVE_LANES-1].
 */
#ifndef AGTRADE_SOLVE_BATCH_INTERNAL_H
#define AGTRADE_SOLVE_BATCH_INTERNAL_H

#include "solve_batch.h"

typedef double sb_vec __attribute__((vector_size(SOLVE_LANES * sizeof(double))));

struct solve_batch {
    int E, I;
    solve_kernel_t kernel;
    const market_t *mk;  /* of the current solve */
    /* per solve, packed by solve_batch.c (route r = i * I + j) */
    sb_vec *tariff, *etax;   /* the lane's policy: t_ij, e_i */
    sb_vec *kroute;      /* kernel: (1 + t) / pb on routes in the CES sum, 1 elsewhere */
    sb_vec *on;          /* 1 for routes in the CES sum, 0 elsewhere */
    sb_vec *freight;     /* f_ij of the draw */
    sb_vec *vshare0, *share0;   /* baseline expenditure and quantity shares (0 off the sum) */
    sb_vec *sigma, *eta, *mbu;  /* per importer; mbu = Mb_j u_j */
    sb_vec *kappa, *eps, *qy, *dv, *pd_arg, *xr, *p0;   /* per exporter; kernel: pd_arg = (1-e)/Pdb */
    sb_vec *keep;        /* per exporter: 1 = start from x as it is (warm, same prices) */
    sb_vec *production;  /* Qb_i, the residual's scale */
    sb_vec *inputs_end;  /* the packed inputs are the arrays from tariff up to here */
    /* state at the current point (kernel) */
    sb_vec *qc, *dc, *x, *x0, *dx, *F;
    sb_vec *P, *Q, *D, *exports;                  /* per exporter */
    sb_vec *rsig, *vs, *X, *cjac;                 /* per route */
    sb_vec *lnpi, *mscale;                        /* per importer */
    sb_vec *pindex, *composite;   /* after convergence: PMb exp(lnpi), mscale exp(-sigma lnpi) */
    sb_vec *own, *J;              /* Jacobian: E, E x E */
    /* after convergence, solve.c's solve_fill values (no bound: every wedge 0) */
    sb_vec *o_pd, *o_farm, *o_etr;        /* per exporter */
    sb_vec *o_imports;                    /* per importer */
    sb_vec *o_share, *o_landed, *o_trev;  /* per route */
};

/* The lockstep Newton for the lanes in `lanes` from the packed inputs (solve_batch.c
 * has checked them): returns the lanes converged, iterations[l] their Newton steps. */
unsigned solve_batch_run_portable(solve_batch_t *b, unsigned lanes, int *iterations);
#ifdef AGTRADE_X86_KERNELS
unsigned solve_batch_run_avx(solve_batch_t *b, unsigned lanes, int *iterations);
unsigned solve_batch_run_avx512(solve_batch_t *b, unsigned lanes, int *iterations);
#endif

#endif
