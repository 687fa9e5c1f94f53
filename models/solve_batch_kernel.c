/*
 * solve_batch_kernel.c - the lockstep Newton of solve_batch.h: solve.c's evaluation,
 * Jacobian, LU with partial pivoting and step rule, written once over kv lanes.
 *
 * Compiled three times on x86-64 (Makefile): solve_batch_run_portable with the
 * project's flags (SSE2, the x86-64 baseline; elsewhere plain C), solve_batch_run_avx
 * with -mavx -DSOLVE_BATCH_AVX and solve_batch_run_avx512 with -mavx512f
 * -DSOLVE_BATCH_AVX512. All keep -ffp-contract=off, so the compiler never fuses a
 * multiply and an add (-mavx512f would allow FMA): every lane's arithmetic is the same
 * sequence of IEEE double operations in all three objects, which differ only in how
 * many lanes one instruction carries. exp and log are SLEEF's deterministic non-FMA
 * functions (Sleef_cinz_*_u10: 1-ulp accuracy, and the same bits from the purec, SSE2,
 * AVX and AVX-512 "nofma" variants, so on every CPU). Why SLEEF: it is the well-kept
 * vector library Debian ships whose results are fixed across instruction sets (glibc's
 * scalar exp/log and libmvec pick a variant per CPU with no such promise); why its
 * non-FMA family: its FMA family (Sleef_finz_*) needs FMA hardware even in its
 * "purecfma" fallback, so no common bits would exist on a CPU without FMA. Measured in
 * models/README.md.
 *
 * Where solve.c branches per route or region, a lane select replaces the branch with
 * the same value in every case (a route off the CES sum contributes exact zeros).
 */
#include "solve_batch_internal.h"
#include "model_internal.h"

#include <float.h>
#include <sleef.h>

/* Halvings a lane may take in the batch: the whole part is evaluated at every halving,
 * so a lane that needs more (rare; the scalar solve allows SOLVE_MAX_HALVINGS) leaves
 * the batch rather than hold up its part. */
#define SB_MAX_HALVINGS 8

#if defined(SOLVE_BATCH_AVX512)
#include <immintrin.h>
#define SB_RUN solve_batch_run_avx512
#define KW 8
typedef __m512d k_native;
#define SB_EXP Sleef_cinz_expd8_u10avx512fnofma
#define SB_LOG Sleef_cinz_logd8_u10avx512fnofma
#elif defined(SOLVE_BATCH_AVX)
#include <immintrin.h>
#define SB_RUN solve_batch_run_avx
#define KW 4
typedef __m256d k_native;
#define SB_EXP Sleef_cinz_expd4_u10avx
#define SB_LOG Sleef_cinz_logd4_u10avx
#elif defined(__SSE2__)
#include <emmintrin.h>
#define SB_RUN solve_batch_run_portable
#define KW 2
typedef __m128d k_native;
#define SB_EXP Sleef_cinz_expd2_u10sse2
#define SB_LOG Sleef_cinz_logd2_u10sse2
#else
#define SB_RUN solve_batch_run_portable
#define KW 1
#define SB_EXP Sleef_cinz_expd1_u10purec
#define SB_LOG Sleef_cinz_logd1_u10purec
#endif

/* The kernel works on KW lanes at a time, the width of one SIMD register of the
 * variant (a wider generic vector would be split by the compiler, comparisons and
 * selects element by element): a part of the batch, lanes h..h+KW-1 of every sb_vec
 * array, reached through V(). The parts are independent, as the lanes are. */
_Static_assert(SOLVE_LANES % KW == 0, "the batch splits into parts of KW lanes");
typedef double kv __attribute__((vector_size(KW * sizeof(double)), may_alias));
typedef long long km __attribute__((vector_size(KW * sizeof(double))));

typedef struct {
    solve_batch_t *b;
    int h;              /* the part's first lane */
    kv merit, maxres;   /* after the last evaluation */
} kpart_t;

#define V(name, idx) (*(kv *)((double *)&b->name[idx] + p->h))

#if KW > 1
static inline kv sb_exp(kv x) { return (kv)SB_EXP((k_native)x); }
static inline kv sb_log(kv x) { return (kv)SB_LOG((k_native)x); }
#else
static inline kv sb_exp(kv x) { return (kv){ SB_EXP(x[0]) }; }
static inline kv sb_log(kv x) { return (kv){ SB_LOG(x[0]) }; }
#endif

static inline kv sb_sel(km m, kv a, kv b)
{
    return (kv)((m & (km)a) | (~m & (km)b));
}

static inline kv sb_abs(kv a)
{
    const km no_sign = (km){ 0 } + 0x7fffffffffffffffLL;
    return (kv)((km)a & no_sign);
}

static inline km sb_finite(kv a)
{
    return (km)(sb_abs(a) <= DBL_MAX);   /* false for NaN and +-inf */
}

/* a mask's lanes as bits of the part (bit l: lane h + l) and back; all lanes set */
static inline unsigned sb_bits(km m)
{
    unsigned bits = 0;
    for (int l = 0; l < KW; l++)
        bits |= (m[l] != 0) << l;
    return bits;
}

static inline int sb_all(km m)
{
    return sb_bits(m) == (1u << KW) - 1;
}

static inline km sb_lanes(unsigned bits)
{
    km m = { 0 };
    for (int l = 0; l < KW; l++)
        m[l] = (bits >> l & 1u) ? -1 : 0;
    return m;
}

/* solve.c's solve_eval, every lane of the part. Returns the lanes where it is finite. */
static unsigned sb_eval(kpart_t *p)
{
    solve_batch_t *b = p->b;
    int E = b->E, I = b->I;
    const kv zero = { 0 };
    km ok = ~(km){ 0 };
    for (int i = 0; i < E; i++) {
        kv z = V(x, i), ka = V(kappa, i), ep = V(eps, i);
        V(P, i) = sb_exp(z);
        /* kappa = 0 (fixed production) or eps = 0 in every lane: solve.c takes no exp,
         * and the select below would discard it */
        km fixed_q = (km)(ka == 0), fixed_d = (km)(ep == 0);
        V(Q, i) = sb_all(fixed_q) ? V(qy, i)
                  : sb_sel(fixed_q, V(qy, i), V(qy, i) * sb_exp(ka * (z + V(qc, i))));
        V(D, i) = sb_all(fixed_d) ? V(dv, i)
                  : sb_sel(fixed_d, V(dv, i), V(dv, i) * sb_exp(ep * (z + V(dc, i))));
        V(exports, i) = zero;
    }
    for (int j = 0; j < I; j++) {
        kv sg = V(sigma, j), dl = 1 - sg, S = zero;
        for (int i = 0; i < E; i++) {
            int r = i * I + j;
            km on = (km)(V(on, r) != 0);
            if (!sb_bits(on)) {   /* off the CES sum in every lane: exact zeros */
                V(rsig, r) = zero;
                V(vs, r) = zero;
                continue;
            }
            kv rr = (V(P, i) + V(freight, r)) * V(kroute, r);
            kv e = sb_exp(-sg * sb_log(rr));
            V(rsig, r) = sb_sel(on, e, zero);
            V(vs, r) = sb_sel(on, V(vshare0, r) * rr * e, zero);
            S += V(vs, r);
        }
        kv lnpi = sb_log(S) / dl;
        kv m = V(mbu, j) * sb_exp((sg + V(eta, j)) * lnpi);
        ok &= sb_finite(m) & (km)(S > 0);
        V(lnpi, j) = lnpi;
        V(mscale, j) = m;
        kv invS = 1 / S;
        for (int i = 0; i < E; i++) {
            int r = i * I + j;
            kv Xr = sb_sel((km)(V(on, r) != 0), m * V(share0, r) * V(rsig, r), zero);
            V(X, r) = Xr;
            V(vs, r) *= invS;
            V(exports, i) += Xr;
        }
    }
    kv merit = zero, maxres = zero;
    for (int i = 0; i < E; i++) {
        kv F = V(Q, i) - V(D, i) - V(exports, i);
        kv sc = sb_abs(F / V(production, i));
        V(F, i) = F;
        merit += sc * sc;
        maxres = sb_sel((km)(sc > maxres), sc, maxres);
    }
    p->merit = 0.5 * merit;
    p->maxres = maxres;
    return sb_bits(ok & sb_finite(merit));
}

/* solve.c's solve_jacobian (no active bound) and solve_newton_direction, every lane:
 * the limited Newton step into b->dx. Returns the lanes where J is not singular and the
 * step finite. */
static unsigned sb_direction(kpart_t *p)
{
    solve_batch_t *b = p->b;
    int E = b->E, I = b->I, n = E;
    const kv zero = { 0 };
    for (int i = 0; i < E; i++) {
        kv own = V(kappa, i) * V(Q, i) - V(eps, i) * V(D, i);
        for (int j = 0; j < I; j++) {
            int r = i * I + j;
            kv th = V(P, i) / (V(P, i) + V(freight, r));
            V(cjac, r) = sb_sel((km)(V(on, r) != 0), (V(sigma, j) + V(eta, j)) * V(vs, r) * th,
                          zero);
            own += V(sigma, j) * V(X, r) * th;
        }
        V(own, i) = own;
    }
    for (int i = 0; i < E; i++) {
        for (int k = 0; k < E; k++) {
            kv acc = zero;
            for (int j = 0; j < I; j++)
                acc += V(X, i * I + j) * V(cjac, k * I + j);
            V(J, i * n + k) = -acc;
        }
        V(J, i * n + i) += V(own, i);
    }
    km ok = ~(km){ 0 };
    for (int i = 0; i < n; i++)
        V(dx, i) = -V(F, i);
    for (int k = 0; k < n; k++) {
        kv best = sb_abs(V(J, k * n + k)), piv = zero + (double)k;
        for (int i = k + 1; i < n; i++) {
            kv v = sb_abs(V(J, i * n + k));
            km bigger = (km)(v > best);
            best = sb_sel(bigger, v, best);
            piv = sb_sel(bigger, zero + (double)i, piv);
        }
        ok &= (km)(best > 0) & sb_finite(best);
        /* row k <-> row piv, per lane (the columns before k are not read again) */
        for (int i = k + 1; i < n; i++) {
            km sw = (km)(piv == (double)i);
            if (!sb_bits(sw))
                continue;
            for (int c = k; c < n; c++) {
                kv t = V(J, k * n + c);
                V(J, k * n + c) = sb_sel(sw, V(J, i * n + c), t);
                V(J, i * n + c) = sb_sel(sw, t, V(J, i * n + c));
            }
            kv t = V(dx, k);
            V(dx, k) = sb_sel(sw, V(dx, i), t);
            V(dx, i) = sb_sel(sw, t, V(dx, i));
        }
        kv inv = 1 / V(J, k * n + k);
        V(J, k * n + k) = inv;
        for (int i = k + 1; i < n; i++) {
            kv l = V(J, i * n + k) * inv;
            km skip = (km)(l == 0);   /* solve.c skips such a row */
            for (int c = k + 1; c < n; c++)
                V(J, i * n + c) = sb_sel(skip, V(J, i * n + c), V(J, i * n + c) - l * V(J, k * n + c));
            V(dx, i) = sb_sel(skip, V(dx, i), V(dx, i) - l * V(dx, k));
        }
    }
    for (int i = n - 1; i >= 0; i--) {
        kv s = V(dx, i);
        for (int c = i + 1; c < n; c++)
            s -= V(J, i * n + c) * V(dx, c);
        V(dx, i) = s * V(J, i * n + i);
    }
    kv big = zero;
    for (int i = 0; i < n; i++) {
        kv a = sb_abs(V(dx, i));
        big = sb_sel((km)(a > big) | (km)(a != a), a, big);   /* a NaN sticks */
    }
    ok &= sb_finite(big);
    km limit = (km)(big > SOLVE_STEP_MAX);
    if (sb_bits(limit)) {
        kv q = SOLVE_STEP_MAX / big;
        for (int i = 0; i < n; i++)
            V(dx, i) = sb_sel(limit, V(dx, i) * q, V(dx, i));
    }
    return sb_bits(ok);
}

/* solve.c's solve_fill, the arithmetic of it, at the last point of every lane. */
static void fill_outputs(kpart_t *p)
{
    solve_batch_t *b = p->b;
    const market_t *mk = b->mk;
    int E = b->E, I = b->I;
    for (int i = 0; i < E; i++) {
        kv P = V(P, i), e = V(etax, i), Pd = P * (1 - e);
        V(o_pd, i) = Pd;
        V(o_farm, i) = Pd * V(Q, i) / 1000;
        V(o_etr, i) = e * P * V(exports, i) / 1000;
    }
    for (int j = 0; j < I; j++) {
        kv imports = { 0 };
        for (int i = 0; i < E; i++)
            imports += V(X, i * I + j);
        V(o_imports, j) = imports;
        V(pindex, j) = mk->price_index[j] * sb_exp(V(lnpi, j));
        V(composite, j) = V(mscale, j) * sb_exp(-V(sigma, j) * V(lnpi, j));
        for (int i = 0; i < E; i++) {
            int r = i * I + j;
            kv cif = V(P, i) + V(freight, r), t = V(tariff, r), X = V(X, r);
            V(o_share, r) = X / imports;
            V(o_landed, r) = cif * (1 + t) * 1;
            V(o_trev, r) = t * cif * X / 1000;
        }
    }
}

/* The Newton of one part: `lanes` and the result are bits of the part. */
static unsigned run_part(kpart_t *p, unsigned lanes, int *iterations)
{
    solve_batch_t *b = p->b;
    int E = b->E;
    const kv zero = { 0 };
    const market_t *mk = b->mk;
    for (int r = 0; r < E * b->I; r++)   /* solve.c's setup: (1 + t) / pb on the CES sum */
        V(kroute, r) = sb_sel((km)(V(on, r) != 0), (1 + V(tariff, r)) / mk->landed_price[r],
                              zero + 1);
    for (int i = 0; i < E; i++)
        V(pd_arg, i) = (1 - V(etax, i)) / mk->producer_price[i];
    /* solve.c's setup logs and start: ln((1-e)/Pdb) when kappa or eps is not 0,
     * ln(x/xb) when eps is not 0 and the rate moved; log prices unless kept */
    for (int i = 0; i < E; i++) {
        kv ka = V(kappa, i), ep = V(eps, i);
        km any = (km)(ka != 0) | (km)(ep != 0);
        kv lq = sb_sel(any, sb_log(V(pd_arg, i)), zero);
        kv lx = sb_sel((km)(ep != 0) & (km)(V(xr, i) != 1), sb_log(V(xr, i)), zero);
        V(qc, i) = lq;
        V(dc, i) = sb_sel((km)(ep != 0), lq + lx, zero);
        V(x, i) = sb_sel((km)(V(keep, i) != 0), V(x, i), sb_log(V(p0, i)));
    }
    unsigned active = lanes & sb_eval(p), done = 0;
    for (int steps = 0; active; steps++) {
        unsigned converged = active & sb_bits((km)(p->maxres <= SOLVE_TOL));
        for (int l = 0; l < KW; l++)
            if (converged >> l & 1u)
                iterations[l] = steps;
        done |= converged;
        active &= ~converged;
        if (!active || steps >= SOLVE_MAX_NEWTON)
            break;
        active &= sb_direction(p);
        if (!active)
            break;
        /* newton.c's Armijo backtracking, lane by lane: a lane whose step passes keeps
         * its point (re-evaluating it gives the same bits) while the others halve */
        kv merit0 = p->merit, lambda = zero + 1;
        for (int i = 0; i < E; i++)
            V(x0, i) = V(x, i);
        unsigned searching = active;
        for (int h = 0; h <= SB_MAX_HALVINGS && searching; h++) {
            km move = sb_lanes(searching);
            for (int i = 0; i < E; i++)
                V(x, i) = sb_sel(move, V(x0, i) + lambda * V(dx, i), V(x, i));
            unsigned ok = sb_eval(p);
            searching &= ~(ok & sb_bits((km)(p->merit <= (1 - 2 * SOLVE_ARMIJO * lambda) *
                                                                merit0)));
            lambda = sb_sel(sb_lanes(searching), lambda * 0.5, lambda);
        }
        /* a long line search is solve_equilibrium's (it may still converge there) */
        active &= ~searching;
    }
    fill_outputs(p);
    return done;
}

unsigned SB_RUN(solve_batch_t *b, unsigned lanes, int *iterations)
{
    unsigned done = 0, part_mask = (1u << KW) - 1;
    for (int h = 0; h < SOLVE_LANES; h += KW) {
        unsigned part = lanes >> h & part_mask;
        if (part) {
            kpart_t p = { b, h, { 0 }, { 0 } };
            done |= run_part(&p, part, iterations + h) << h;
        }
    }
    return done;
}
