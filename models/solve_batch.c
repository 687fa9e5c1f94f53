/*
 * solve_batch.c - solve_batch.h's lanes: which draws a batch may take (the checks of
 * solve.c's solve_setup, lane by lane), packing them into structure of arrays, choosing
 * the kernel variant, and writing the solutions. The arithmetic is in
 * solve_batch_kernel.c.
 */
#include "solve_batch.h"
#include "solve_batch_internal.h"
#include "model_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------- kernel variants ---------- */

int solve_batch_kernel_available(solve_kernel_t kernel)
{
    switch (kernel) {
    case SOLVE_KERNEL_AUTO:
    case SOLVE_KERNEL_PORTABLE:
        return 1;
    case SOLVE_KERNEL_AVX:
    case SOLVE_KERNEL_AVX512:
#ifdef AGTRADE_X86_KERNELS
        /* (libgcc also checks that the OS saves the wider registers) */
        __builtin_cpu_init();
        return kernel == SOLVE_KERNEL_AVX ? __builtin_cpu_supports("avx2")
                                          : __builtin_cpu_supports("avx512f");
#else
        return 0;
#endif
    }
    return 0;
}

const char *solve_batch_kernel_name(solve_kernel_t kernel)
{
    switch (kernel) {
    case SOLVE_KERNEL_AUTO: return "auto";
    case SOLVE_KERNEL_PORTABLE: return "portable";
    case SOLVE_KERNEL_AVX: return "avx";
    case SOLVE_KERNEL_AVX512: return "avx512";
    }
    return "?";
}

solve_kernel_t solve_batch_kernel(const solve_batch_t *b)
{
    return b->kernel;
}

/* ---------- allocation ---------- */

/* The workspace's arrays in one aligned block: their lengths in sb_vec units. The
 * lane's packed inputs come first (SB_INPUTS, up to b->inputs_end), so that copy_lane
 * copies them all without a list of its own. */
#define SB_INPUTS(F_, E, I, R) \
    F_(tariff, R) F_(on, R) F_(freight, R) F_(vshare0, R) F_(share0, R) \
    F_(sigma, I) F_(eta, I) F_(mbu, I) \
    F_(etax, E) F_(kappa, E) F_(eps, E) F_(qy, E) F_(dv, E) F_(xr, E) F_(p0, E) F_(keep, E) \
    F_(production, E)
#define SB_STATE(F_, E, I, R) \
    F_(kroute, R) F_(pd_arg, E) F_(qc, E) F_(dc, E) F_(x, E) F_(x0, E) F_(dx, E) F_(F, E) \
    F_(P, E) F_(Q, E) F_(D, E) F_(exports, E) \
    F_(rsig, R) F_(vs, R) F_(X, R) F_(cjac, R) \
    F_(lnpi, I) F_(mscale, I) F_(pindex, I) F_(composite, I) F_(own, E) F_(J, (E) * (E)) \
    F_(o_pd, E) F_(o_farm, E) F_(o_etr, E) F_(o_imports, I) F_(o_share, R) F_(o_landed, R) \
    F_(o_trev, R)
#define SB_ARRAYS(F_, E, I, R) SB_INPUTS(F_, E, I, R) SB_STATE(F_, E, I, R)

struct solve_batch_block {
    solve_batch_t b;
    sb_vec *block;
};

solve_batch_t *solve_batch_alloc(const market_t *market, solve_kernel_t kernel)
{
    if (!market || !solve_batch_kernel_available(kernel))
        return NULL;
    if (kernel == SOLVE_KERNEL_AUTO)
        kernel = solve_batch_kernel_available(SOLVE_KERNEL_AVX512) ? SOLVE_KERNEL_AVX512
                 : solve_batch_kernel_available(SOLVE_KERNEL_AVX)  ? SOLVE_KERNEL_AVX
                                                                    : SOLVE_KERNEL_PORTABLE;
    size_t E = (size_t)market->n_exporters, I = (size_t)market->n_importers, R = E * I;
    size_t total = 0;
#define SB_COUNT(name, len) total += (size_t)(len);
    SB_ARRAYS(SB_COUNT, E, I, R)
#undef SB_COUNT
    struct solve_batch_block *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    /* aligned for the vector loads; zeroed, so that no lane ever reads garbage */
    s->block = aligned_alloc(sizeof(sb_vec), (total + 1) * sizeof(sb_vec));
    if (!s->block) {
        free(s);
        return NULL;
    }
    memset(s->block, 0, (total + 1) * sizeof(sb_vec));
    solve_batch_t *b = &s->b;
    b->E = (int)E;
    b->I = (int)I;
    b->kernel = kernel;
    sb_vec *at = s->block;
#define SB_CARVE(name, len) b->name = at; at += (len);
    SB_INPUTS(SB_CARVE, E, I, R)
    b->inputs_end = at;
    SB_STATE(SB_CARVE, E, I, R)
#undef SB_CARVE
    return b;
}

void solve_batch_free(solve_batch_t *b)
{
    if (!b)
        return;
    struct solve_batch_block *s = (struct solve_batch_block *)b;   /* b is its first member */
    free(s->block);
    free(s);
}

/* ---------- packing ---------- */

/* Lane l takes the draw when solve_equilibrium would accept its inputs
 * (solve_inputs_check) and solve it without an active set or the Cobb-Douglas branch;
 * then packs it. 1 = taken. */
static int pack_lane(solve_batch_t *b, int l, const market_t *mk, const policy_t *pol,
                     const shocks_t *sh, const solution_t *start)
{
    int E = b->E, I = b->I;
    if (!pol || !sh || mk->n_exporters != E || mk->n_importers != I ||
        solve_inputs_check(mk, pol, sh) != 0)
        return 0;
    for (int j = 0; j < I; j++) {
        if (fabs(1 - sh->sigma[j]) < SOLVE_CD_BAND)
            return 0;   /* the Cobb-Douglas branch is solve_equilibrium's */
        b->sigma[j][l] = sh->sigma[j];
        b->eta[j][l] = sh->eta[j];
        b->mbu[j][l] = mk->composite_imports[j] * sh->demand_shock[j];
    }
    for (int r = 0; r < E * I; r++) {
        double cap = pol->cap[r];
        int live = mk->flow[r] > 0 && cap > 0;
        if (pol->floor[r] * sh->compliance > 0 || (live && isfinite(cap)))
            return 0;   /* a bound: the active set is solve_equilibrium's */
        b->on[r][l] = live;
        b->tariff[r][l] = pol->tariff[r];
        b->freight[r][l] = sh->freight[r];
        b->vshare0[r][l] = live ? mk->base_value_share[r] : 0;
        b->share0[r][l] = live ? mk->base_share[r] : 0;
    }
    for (int i = 0; i < E; i++) {
        b->kappa[i][l] = sh->kappa[i];
        b->eps[i][l] = sh->eps[i];
        b->qy[i][l] = mk->production[i] * sh->yield[i];
        b->dv[i][l] = mk->domestic_use[i] * sh->domestic_shock[i];
        b->etax[i][l] = pol->export_tax[i];
        b->xr[i][l] = sh->exchange_rate[i];
        b->production[i][l] = mk->production[i];
    }
    int warm = start != NULL && start->n_exporters == E && start->n_importers == I;
    for (int i = 0; i < E && warm; i++)
        if (!(start->fob_price[i] > 0) || !isfinite(start->fob_price[i]))
            warm = 0;
    for (int i = 0; i < E; i++) {
        double p0 = warm ? start->fob_price[i] : mk->fob_price[i];
        /* as solve_equilibrium: a warm start from the prices this lane just evaluated
         * keeps their own logs; a cold start never depends on the workspace's past */
        b->keep[i][l] = warm && p0 == b->P[i][l];
        b->p0[i][l] = p0;
    }
    return 1;
}

/* Lane `to` a copy of lane `from`'s inputs (a batch of fewer than SOLVE_LANES draws runs
 * its spare lanes on real numbers, masked out). */
static void copy_lane(solve_batch_t *b, int to, int from)
{
    for (sb_vec *v = b->tariff; v < b->inputs_end; v++)   /* SB_INPUTS: the first arrays */
        (*v)[to] = (*v)[from];
    for (int i = 0; i < b->E; i++)
        b->keep[i][to] = 0;
}

/* ---------- output ---------- */

/* solve.c's solve_fill for lane l, from the kernel's output vectors. */
static void fill_lane(const solve_batch_t *b, int l, solution_t *sol)
{
    int E = b->E, I = b->I, R = E * I;
    for (int i = 0; i < E; i++) {
        sol->fob_price[i] = b->P[i][l];
        sol->producer_price[i] = b->o_pd[i][l];
        sol->production[i] = b->Q[i][l];
        sol->domestic_use[i] = b->D[i][l];
        sol->exports[i] = b->exports[i][l];
        sol->farm_revenue[i] = b->o_farm[i][l];
        sol->export_tax_revenue[i] = b->o_etr[i][l];
    }
    for (int j = 0; j < I; j++) {
        sol->imports[j] = b->o_imports[j][l];
        sol->price_index[j] = b->pindex[j][l];
        sol->composite_imports[j] = b->composite[j][l];
    }
    for (int r = 0; r < R; r++) {
        sol->flow[r] = b->X[r][l];
        sol->share[r] = b->o_share[r][l];
        sol->landed_price[r] = b->o_landed[r][l];
        sol->tariff_revenue[r] = b->o_trev[r][l];
        sol->wedge[r] = 0;      /* solve.c: 1 - 1 */
        sol->transfer[r] = 0;   /* w cif (1 + t) X / 1000 with w = 0 and X >= 0 */
    }
    sol->status = SOLVE_OK;
}

/* ---------- the batch ---------- */

unsigned solve_batch(const market_t *market, const policy_t *const *policy,
                     const shocks_t *const *shocks, const solution_t *const *start, int n,
                     solve_batch_t *b, solution_t *const *sol)
{
    if (!market || !policy || !shocks || !b || !sol || n < 1 || n > SOLVE_LANES)
        return 0;
    unsigned lanes = 0;
    for (int l = 0; l < n; l++)
        if (sol[l] && sol[l]->n_exporters == b->E && sol[l]->n_importers == b->I &&
            pack_lane(b, l, market, policy[l], shocks[l], start ? start[l] : NULL))
            lanes |= 1u << l;
    if (!lanes)
        return 0;
    b->mk = market;
    int first = __builtin_ctz(lanes);
    for (int l = 0; l < SOLVE_LANES; l++)
        if (!(lanes >> l & 1u))
            copy_lane(b, l, first);
    int iterations[SOLVE_LANES] = { 0 };
    unsigned done;
    switch (b->kernel) {
#ifdef AGTRADE_X86_KERNELS
    case SOLVE_KERNEL_AVX512: done = solve_batch_run_avx512(b, lanes, iterations); break;
    case SOLVE_KERNEL_AVX: done = solve_batch_run_avx(b, lanes, iterations); break;
#endif
    default: done = solve_batch_run_portable(b, lanes, iterations); break;
    }
    for (int l = 0; l < n; l++)
        if (done >> l & 1u) {
            fill_lane(b, l, sol[l]);
            sol[l]->iterations = iterations[l];
        }
    return done;
}
