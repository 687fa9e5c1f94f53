/*
 * solve.c - the per-draw equilibrium: Newton on log FOB prices (plus log(1 + w) for
 * the active purchase floors and quantity caps) with the analytic Jacobian, a
 * backtracking line search as the globally convergent fallback, and an active-set loop
 * for the bounds. See models/README.md for the equations.
 *
 * The CES system is evaluated in the normalized form that needs no a_ij:
 *   r_ij = p_ij / pb_ij,  PM_j / PMb_j = Pi_j = (sum_i v_ij r_ij^(1-sigma_j))^(1/(1-sigma_j)),
 * with v_ij the baseline expenditure share (s_ij pb_ij / PMb_j, NOT the quantity share
 * s_ij: that follows from a_ij = s_ij (pb_ij / PMb_j)^sigma_j), and
 *   X_ij = Mb_j s_ij r_ij^(-sigma_j) Pi_j^(sigma_j + eta_j) u_j,
 * so a draw's sigma_j needs no recalibration. Per route and evaluation this costs one
 * log and one exp; nothing calls pow().
 *
 * The solution_t record itself (alloc, free, copy, status words) is in solution.c.
 */
#include "solve.h"
#include "model_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SOLVE_MAX_ACTIVE 512      /* active bounds per solve, bounds the workspace size */

enum { BOUND_FLOOR, BOUND_CAP };

struct solve_workspace {
    int E, I, max_active;
    /* per-solve constants */
    double *kroute;          /* (1 + t_ij) / pb_ij for routes in the CES sum */
    unsigned char *on;       /* route in the CES sum this solve */
    double *removed_share;   /* per importer: baseline expenditure share of routes capped at 0 */
    double *onepw;           /* 1 + w_ij (1 off the active set) */
    int *route_var;          /* unknown of the route's active bound, -1 if none */
    double *qy, *qc, *dv, *dc;   /* Qb y, ln((1-e)/Pdb), Db v, ln((1-e) x / Pdb) */
    /* logs kept from the last solve with this workspace, keyed by their argument (a
     * key of 0 never matches: the arguments are positive): the engine's reference and
     * scenario solves share most of them, so the scenario solve takes no log here */
    double *key_pdb, *key_e, *log_pd;    /* ln((1-e)/Pdb) */
    double *key_xr, *log_xr;             /* ln(x / xb) */
    double *key_p0, *log_p0;             /* ln of a start price */
    /* bounds of this solve */
    int nb, nact;
    int *b_route, *b_kind, *act;
    double *b_target, *b_logtarget, *b_omega;
    unsigned char *b_active, *b_dropped, *b_early;   /* early: not yet confirmed */
    /* state at the current point */
    double *P, *Q, *D, *exports;                 /* per exporter */
    double *theta, *rsig, *vshare, *X;           /* per route */
    int *live, *live_start;   /* routes in importer j's CES sum: live[live_start[j]..] */
    int *live_exp;            /* exporter of live[k]: no integer division per route */
    double *mbu;              /* per importer: Mb_j u_j */
    double *lnpi, *mscale;                       /* per importer */
    /* Newton */
    double *x, *x0, *F, *dx, *J;
    double *cjac, *own;                          /* Jacobian scratch: per route, exporter */
    int *piv;
};

typedef struct {
    const market_t *mk;
    const policy_t *pol;
    const shocks_t *sh;
    solve_workspace_t *ws;
    double merit, maxres;
    int n;
} solve_ctx_t;

/* ---------- allocation ---------- */

void *solve_calloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size);
}

solve_workspace_t *solve_workspace_alloc(const market_t *market)
{
    if (!market)
        return NULL;
    solve_workspace_t *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    size_t E = (size_t)market->n_exporters, I = (size_t)market->n_importers, R = E * I;
    ws->E = (int)E;
    ws->I = (int)I;
    ws->max_active = (int)(R < SOLVE_MAX_ACTIVE ? R : SOLVE_MAX_ACTIVE);
    size_t nmax = E + (size_t)ws->max_active;
    ws->kroute = solve_calloc(R, sizeof(double));
    ws->on = solve_calloc(R, 1);
    ws->removed_share = solve_calloc(I, sizeof(double));
    ws->onepw = solve_calloc(R, sizeof(double));
    ws->route_var = solve_calloc(R, sizeof(int));
    ws->qy = solve_calloc(E, sizeof(double));
    ws->qc = solve_calloc(E, sizeof(double));
    ws->dv = solve_calloc(E, sizeof(double));
    ws->dc = solve_calloc(E, sizeof(double));
    ws->key_pdb = solve_calloc(E, sizeof(double));
    ws->key_e = solve_calloc(E, sizeof(double));
    ws->log_pd = solve_calloc(E, sizeof(double));
    ws->key_xr = solve_calloc(E, sizeof(double));
    ws->log_xr = solve_calloc(E, sizeof(double));
    ws->key_p0 = solve_calloc(E, sizeof(double));
    ws->log_p0 = solve_calloc(E, sizeof(double));
    ws->b_route = solve_calloc(2 * R, sizeof(int));
    ws->b_kind = solve_calloc(2 * R, sizeof(int));
    ws->act = solve_calloc(2 * R, sizeof(int));
    ws->b_target = solve_calloc(2 * R, sizeof(double));
    ws->b_logtarget = solve_calloc(2 * R, sizeof(double));
    ws->b_omega = solve_calloc(2 * R, sizeof(double));
    ws->b_active = solve_calloc(2 * R, 1);
    ws->b_dropped = solve_calloc(2 * R, 1);
    ws->b_early = solve_calloc(2 * R, 1);
    ws->P = solve_calloc(E, sizeof(double));
    ws->Q = solve_calloc(E, sizeof(double));
    ws->D = solve_calloc(E, sizeof(double));
    ws->exports = solve_calloc(E, sizeof(double));
    ws->live = solve_calloc(R, sizeof(int));
    ws->live_start = solve_calloc(I + 1, sizeof(int));
    ws->live_exp = solve_calloc(R, sizeof(int));
    ws->mbu = solve_calloc(I, sizeof(double));
    ws->theta = solve_calloc(R, sizeof(double));
    ws->rsig = solve_calloc(R, sizeof(double));
    ws->vshare = solve_calloc(R, sizeof(double));
    ws->X = solve_calloc(R, sizeof(double));
    ws->lnpi = solve_calloc(I, sizeof(double));
    ws->mscale = solve_calloc(I, sizeof(double));
    ws->x = solve_calloc(nmax, sizeof(double));
    ws->x0 = solve_calloc(nmax, sizeof(double));
    ws->F = solve_calloc(nmax, sizeof(double));
    ws->dx = solve_calloc(nmax, sizeof(double));
    ws->J = solve_calloc(nmax * nmax, sizeof(double));
    ws->piv = solve_calloc(nmax, sizeof(int));
    ws->cjac = solve_calloc(R, sizeof(double));
    ws->own = solve_calloc(E, sizeof(double));
    if (!ws->kroute || !ws->on || !ws->removed_share || !ws->onepw || !ws->route_var ||
        !ws->qy || !ws->qc || !ws->dv || !ws->dc || !ws->key_pdb || !ws->key_e ||
        !ws->log_pd || !ws->key_xr || !ws->log_xr || !ws->key_p0 || !ws->log_p0 || !ws->b_route || !ws->b_kind ||
        !ws->act || !ws->b_target || !ws->b_logtarget || !ws->b_omega || !ws->b_active || !ws->b_dropped || !ws->b_early ||
        !ws->P || !ws->Q || !ws->D || !ws->exports || !ws->live || !ws->live_start || !ws->live_exp || !ws->mbu || !ws->theta || !ws->rsig ||
        !ws->vshare || !ws->X || !ws->lnpi || !ws->mscale || !ws->x || !ws->x0 || !ws->F ||
        !ws->dx || !ws->J || !ws->piv || !ws->cjac || !ws->own) {
        solve_workspace_free(ws);
        return NULL;
    }
    return ws;
}

void solve_workspace_free(solve_workspace_t *ws)
{
    if (!ws)
        return;
    free(ws->kroute); free(ws->on); free(ws->removed_share); free(ws->onepw);
    free(ws->route_var); free(ws->qy); free(ws->qc); free(ws->dv); free(ws->dc);
    free(ws->key_pdb); free(ws->key_e); free(ws->log_pd); free(ws->key_xr);
    free(ws->log_xr); free(ws->key_p0); free(ws->log_p0);
    free(ws->b_route); free(ws->b_kind); free(ws->act); free(ws->b_target);
    free(ws->b_logtarget); free(ws->b_omega); free(ws->b_active); free(ws->b_dropped); free(ws->b_early);
    free(ws->P); free(ws->Q); free(ws->D); free(ws->exports);
    free(ws->live); free(ws->live_start); free(ws->live_exp); free(ws->mbu); free(ws->theta); free(ws->rsig); free(ws->vshare); free(ws->X);
    free(ws->lnpi); free(ws->mscale);
    free(ws->x); free(ws->x0); free(ws->F); free(ws->dx); free(ws->J); free(ws->piv);
    free(ws->cjac); free(ws->own);
    free(ws);
}

/* ---------- setup ---------- */

int solve_inputs_check(const market_t *mk, const policy_t *pol, const shocks_t *sh)
{
    int E = mk->n_exporters, I = mk->n_importers;
    if (pol->n_exporters != E || pol->n_importers != I || sh->n_exporters != E ||
        sh->n_importers != I)
        return SOLVE_BAD_INPUT;
    double c = sh->compliance;
    if (!(c >= 0 && c <= 1))
        return SOLVE_BAD_INPUT;
    for (int j = 0; j < I; j++) {
        double sg = sh->sigma[j], et = sh->eta[j], u = sh->demand_shock[j];
        if (!(sg > 0) || !isfinite(sg) || !(et < 0) || !isfinite(et) || !(u > 0) ||
            !isfinite(u))
            return SOLVE_BAD_INPUT;
    }
    for (int i = 0; i < E; i++) {
        double y = sh->yield[i], v = sh->domestic_shock[i], xr = sh->exchange_rate[i];
        double ep = sh->eps[i], ka = sh->kappa[i], e = pol->export_tax[i];
        if (!(y >= 0) || !isfinite(y) || !(v > 0) || !isfinite(v) || !(xr > 0) ||
            !isfinite(xr) || !(ep <= 0) || !isfinite(ep) || !(ka >= 0) || !isfinite(ka) ||
            !(e >= 0 && e < 1))
            return SOLVE_BAD_INPUT;
    }
    for (int j = 0; j < I; j++) {
        int loses_origin = 0;
        for (int i = 0; i < E; i++) {
            int r = i * I + j;
            double t = pol->tariff[r], f = sh->freight[r], cap = pol->cap[r];
            double fl = pol->floor[r] * c;
            if (!(t >= 0) || !isfinite(t) || !(f >= 0) || !isfinite(f) || !(cap >= 0) ||
                !(pol->floor[r] >= 0) || !isfinite(pol->floor[r]))
                return SOLVE_BAD_INPUT;
            int live = mk->flow[r] > 0 && cap > 0;
            if (fl > 0 && (!live || fl > cap))
                return SOLVE_BAD_INPUT;   /* a floor no flow can meet */
            loses_origin |= mk->flow[r] > 0 && cap == 0;
        }
        if (loses_origin && fabs(1 - sh->sigma[j]) < SOLVE_CD_BAND)
            return SOLVE_BAD_INPUT;   /* Cobb-Douglas cannot lose an origin */
    }
    return 0;
}

/* Fills the per-solve constants of inputs solve_inputs_check has accepted. */
static void solve_setup(const market_t *mk, const policy_t *pol, const shocks_t *sh,
                        solve_workspace_t *ws)
{
    int E = mk->n_exporters, I = mk->n_importers;
    double c = sh->compliance;
    for (int j = 0; j < I; j++)
        ws->removed_share[j] = 0;
    for (int i = 0; i < E; i++) {
        double xr = sh->exchange_rate[i], ep = sh->eps[i], ka = sh->kappa[i];
        double e = pol->export_tax[i];
        ws->qy[i] = mk->production[i] * sh->yield[i];
        ws->dv[i] = mk->domestic_use[i] * sh->domestic_shock[i];
        double lq = 0, lx = 0;
        if (ka != 0 || ep != 0) {
            if (mk->producer_price[i] != ws->key_pdb[i] || e != ws->key_e[i]) {
                ws->log_pd[i] = log((1 - e) / mk->producer_price[i]);
                ws->key_pdb[i] = mk->producer_price[i];
                ws->key_e[i] = e;
            }
            lq = ws->log_pd[i];
        }
        if (ep != 0 && xr != 1) {
            if (xr != ws->key_xr[i]) {
                ws->log_xr[i] = log(xr);
                ws->key_xr[i] = xr;
            }
            lx = ws->log_xr[i];
        }
        ws->qc[i] = lq;
        ws->dc[i] = ep != 0 ? lq + lx : 0;
    }
    int nb = 0;
    for (int i = 0; i < E; i++) {
        for (int j = 0; j < I; j++) {
            int r = i * I + j;
            double t = pol->tariff[r], cap = pol->cap[r], fl = pol->floor[r] * c;
            int live = mk->flow[r] > 0 && cap > 0;
            ws->on[r] = (unsigned char)live;
            ws->onepw[r] = 1.0;
            ws->route_var[r] = -1;
            ws->kroute[r] = live ? (1 + t) / mk->landed_price[r] : 0;
            if (mk->flow[r] > 0 && cap == 0)
                ws->removed_share[j] += mk->base_value_share[r];
            if (fl > 0) {
                ws->b_route[nb] = r;
                ws->b_kind[nb] = BOUND_FLOOR;
                ws->b_target[nb] = fl;
                ws->b_logtarget[nb] = log(fl);
                ws->b_omega[nb] = 0;
                ws->b_active[nb] = 0;
                ws->b_dropped[nb] = 0;
                ws->b_early[nb] = 0;
                nb++;
            }
            if (live && isfinite(cap)) {
                ws->b_route[nb] = r;
                ws->b_kind[nb] = BOUND_CAP;
                ws->b_target[nb] = cap;
                ws->b_logtarget[nb] = log(cap);
                ws->b_omega[nb] = 0;
                ws->b_active[nb] = 0;
                ws->b_dropped[nb] = 0;
                ws->b_early[nb] = 0;
                nb++;
            }
        }
    }
    int nl = 0;
    for (int j = 0; j < I; j++) {
        ws->live_start[j] = nl;
        ws->mbu[j] = mk->composite_imports[j] * sh->demand_shock[j];
        for (int i = 0; i < E; i++) {
            int r = i * I + j;
            ws->X[r] = 0;
            ws->rsig[r] = 0;
            ws->vshare[r] = 0;
            if (ws->on[r]) {
                ws->live_exp[nl] = i;
                ws->live[nl++] = r;
            }
        }
    }
    ws->live_start[I] = nl;
    ws->nb = nb;
}

/* Lays out the unknowns: E log prices, then log(1 + w) of each active bound. */
static int solve_layout(solve_ctx_t *cx)
{
    solve_workspace_t *ws = cx->ws;
    int E = ws->E, n = E;
    for (int k = 0; k < ws->E * ws->I; k++)
        ws->route_var[k] = -1;
    for (int b = 0; b < ws->nb; b++) {
        if (!ws->b_active[b])
            continue;
        if (n - E >= ws->max_active)
            return SOLVE_BAD_INPUT;
        ws->act[n - E] = b;
        ws->route_var[ws->b_route[b]] = n;
        ws->x[n] = ws->b_omega[b];
        n++;
    }
    cx->n = n;
    return 0;
}

/* ---------- evaluation ---------- */

/* Evaluates every quantity and the residuals at ws->x. Returns 0, or -1 when something
 * is not finite. Sets cx->merit (half the squared scaled residual) and cx->maxres. */
static int solve_eval(solve_ctx_t *cx)
{
    solve_workspace_t *ws = cx->ws;
    const market_t *mk = cx->mk;
    const shocks_t *sh = cx->sh;
    int E = ws->E, I = ws->I;
    const double *x = ws->x;
    double *P = ws->P, *X = ws->X, *rsig = ws->rsig, *vs = ws->vshare;

    for (int i = 0; i < E; i++) {
        double z = x[i], ka = sh->kappa[i], ep = sh->eps[i];
        P[i] = exp(z);
        ws->Q[i] = ka == 0 ? ws->qy[i] : ws->qy[i] * exp(ka * (z + ws->qc[i]));
        ws->D[i] = ep == 0 ? ws->dv[i] : ws->dv[i] * exp(ep * (z + ws->dc[i]));
        ws->exports[i] = 0;
    }
    for (int a = E; a < cx->n; a++)
        ws->onepw[ws->b_route[ws->act[a - E]]] = exp(x[a]);

    for (int j = 0; j < I; j++) {
        double sg = sh->sigma[j], dl = 1 - sg, lnpi, S;
        const int *rl = ws->live + ws->live_start[j], nl = ws->live_start[j + 1] - ws->live_start[j];
        const int *re = ws->live_exp + ws->live_start[j];
        if (fabs(dl) >= SOLVE_CD_BAND) {
            S = 0;
            for (int k = 0; k < nl; k++) {
                int r = rl[k];
                double rr = (P[re[k]] + sh->freight[r]) * ws->kroute[r] * ws->onepw[r];
                double e = exp(-sg * log(rr));
                rsig[r] = e;
                vs[r] = mk->base_value_share[r] * rr * e;
                S += vs[r];
            }
            lnpi = log(S) / dl;
        } else {
            /* Cobb-Douglas band: sum v (r^(1-sigma) - 1) with expm1, so that
             * ln Pi = log1p(.)/(1 - sigma) is continuous through sigma = 1 */
            double Sm1 = -ws->removed_share[j], T = 0;
            for (int k = 0; k < nl; k++) {
                int r = rl[k];
                double v = mk->base_value_share[r];
                double L = log((P[re[k]] + sh->freight[r]) * ws->kroute[r] * ws->onepw[r]);
                double gm1 = expm1(dl * L);
                rsig[r] = exp(-sg * L);
                Sm1 += v * gm1;
                T += v * L;
                vs[r] = v * (1 + gm1);
            }
            S = 1 + Sm1;
            lnpi = dl == 0 ? T : log1p(Sm1) / dl;
        }
        double m = ws->mbu[j] * exp((sg + sh->eta[j]) * lnpi);
        if (!isfinite(m) || !(S > 0))
            return -1;
        ws->lnpi[j] = lnpi;
        ws->mscale[j] = m;
        double invS = 1 / S;
        for (int k = 0; k < nl; k++) {
            int r = rl[k];
            double Xr = m * mk->base_share[r] * rsig[r];
            X[r] = Xr;
            vs[r] *= invS;
            ws->exports[re[k]] += Xr;
        }
    }

    double merit = 0, maxres = 0;
    for (int i = 0; i < E; i++) {
        double F = ws->Q[i] - ws->D[i] - ws->exports[i];
        double sc = fabs(F / mk->production[i]);
        ws->F[i] = F;
        merit += sc * sc;
        maxres = sc > maxres ? sc : maxres;
    }
    for (int a = E; a < cx->n; a++) {
        int b = ws->act[a - E];
        double G = log(X[ws->b_route[b]]) - ws->b_logtarget[b];
        ws->F[a] = G;
        merit += G * G;
        maxres = fabs(G) > maxres ? fabs(G) : maxres;
    }
    cx->merit = 0.5 * merit;
    cx->maxres = maxres;
    return isfinite(merit) ? 0 : -1;
}

/* ---------- Jacobian and linear algebra ---------- */

/* Importer j's CES block moves every residual of the routes into j. An unknown u that
 * moves log r_kj by a (theta_kj for log P_k, 1 for the route's own log(1 + w)) moves
 * ln Pi_j by v_kj a and ln X_ij by (sigma_j + eta_j) v_kj a - [i == k] sigma_j a.
 * The price block is therefore -X C^T (X and C both E x I, c_kj = (sigma_j + eta_j)
 * v_kj theta_kj) plus a diagonal; wedges add their own rows and columns. */
static void solve_jacobian(solve_ctx_t *cx)
{
    solve_workspace_t *ws = cx->ws;
    const shocks_t *sh = cx->sh;
    int E = ws->E, I = ws->I, n = cx->n;
    double *J = ws->J, *C = ws->cjac, *X = ws->X;
    for (int i = 0; i < E; i++) {
        double own = sh->kappa[i] * ws->Q[i] - sh->eps[i] * ws->D[i];
        for (int j = 0; j < I; j++) {
            int r = i * I + j;
            double th = ws->P[i] / (ws->P[i] + sh->freight[r]);
            ws->theta[r] = th;
            C[r] = ws->on[r] ? (sh->sigma[j] + sh->eta[j]) * ws->vshare[r] * th : 0;
            own += sh->sigma[j] * X[r] * th;
        }
        ws->own[i] = own;
    }
    for (int i = 0; i < E; i++) {
        const double *xi = X + (size_t)i * (size_t)I;
        for (int k = 0; k < E; k++) {
            const double *ck = C + (size_t)k * (size_t)I;
            double acc = 0;
            for (int j = 0; j < I; j++)
                acc += xi[j] * ck[j];
            J[i * n + k] = -acc;
        }
        J[i * n + i] += ws->own[i];
    }
    if (n == E)
        return;
    for (int i = 0; i < E; i++)
        for (int c = E; c < n; c++)
            J[i * n + c] = 0;
    for (int a = E; a < n; a++)
        for (int c = 0; c < n; c++)
            J[a * n + c] = 0;
    for (int a = E; a < n; a++) {
        int rb = ws->b_route[ws->act[a - E]], ib = rb / I, jb = rb % I;
        double sg = sh->sigma[jb], se = sg + sh->eta[jb];
        /* column: the route's own wedge */
        for (int i = 0; i < E; i++)
            J[i * n + a] = -X[i * I + jb] * se * ws->vshare[rb];
        J[ib * n + a] += sg * X[rb];
        /* row: log X_b - log bound */
        for (int k = 0; k < E; k++) {
            int r = k * I + jb;
            if (!ws->on[r])
                continue;
            J[a * n + k] = C[r];
            int vk = ws->route_var[r];
            if (vk >= 0)
                J[a * n + vk] = se * ws->vshare[r];
        }
        J[a * n + ib] -= sg * ws->theta[rb];
        J[a * n + a] -= sg;
    }
}

/* In-place LU with partial pivoting, then dx = -J^-1 F. -1 when J is singular. */
static int solve_newton_direction(solve_ctx_t *cx)
{
    solve_workspace_t *ws = cx->ws;
    int n = cx->n;
    double *A = ws->J, *b = ws->dx;
    for (int i = 0; i < n; i++)
        b[i] = -ws->F[i];
    for (int k = 0; k < n; k++) {
        int p = k;
        double best = fabs(A[k * n + k]);
        for (int i = k + 1; i < n; i++) {
            double v = fabs(A[i * n + k]);
            if (v > best) {
                best = v;
                p = i;
            }
        }
        if (!(best > 0) || !isfinite(best))
            return -1;
        if (p != k) {
            for (int c = 0; c < n; c++) {
                double t = A[k * n + c];
                A[k * n + c] = A[p * n + c];
                A[p * n + c] = t;
            }
            double t = b[k];
            b[k] = b[p];
            b[p] = t;
        }
        double inv = 1 / A[k * n + k];
        A[k * n + k] = inv;   /* the back substitution multiplies: no division chain */
        for (int i = k + 1; i < n; i++) {
            double l = A[i * n + k] * inv;
            if (l == 0)
                continue;
            for (int c = k + 1; c < n; c++)
                A[i * n + c] -= l * A[k * n + c];
            b[i] -= l * b[k];
        }
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = b[i];
        for (int c = i + 1; c < n; c++)
            s -= A[i * n + c] * b[c];
        b[i] = s * A[i * n + i];
    }
    double big = 0;
    for (int i = 0; i < n; i++) {
        double a = fabs(b[i]);
        big = a > big || a != a ? a : big;   /* a NaN sticks */
    }
    if (!isfinite(big))
        return -1;
    if (big > SOLVE_STEP_MAX)
        for (int i = 0; i < n; i++)
            b[i] *= SOLVE_STEP_MAX / big;
    return 0;
}

/* ---------- active set ---------- */

/* Adds the bounds that are violated by more than `slack` (relative) and, when `final`
 * (the current active set has converged), drops those whose wedge has the wrong sign.
 * A new bound starts from the wedge that would meet it at the current prices. Returns
 * the number of changes. */
static int solve_update_active(solve_ctx_t *cx, double slack, int final)
{
    solve_workspace_t *ws = cx->ws;
    int changes = 0, I = ws->I;
    for (int a = ws->E; a < cx->n; a++)
        ws->b_omega[ws->act[a - ws->E]] = ws->x[a];
    for (int b = 0; b < ws->nb; b++) {
        int floor = ws->b_kind[b] == BOUND_FLOOR, r = ws->b_route[b];
        if (ws->b_active[b]) {
            if (final && ((floor && ws->b_omega[b] > 0) || (!floor && ws->b_omega[b] < 0))) {
                ws->b_active[b] = 0;
                ws->b_dropped[b] = 1;
                ws->onepw[r] = 1.0;
                changes++;
            }
            continue;
        }
        double X = ws->X[r], B = ws->b_target[b];
        /* a bound dropped once comes back only on a converged iterate: no cycling */
        if (!final && ws->b_dropped[b])
            continue;
        if ((floor && X < B * (1 - slack)) || (!floor && X > B * (1 + slack))) {
            double sg = cx->sh->sigma[r % I], se = sg + cx->sh->eta[r % I];
            double dlnx = -sg + se * ws->vshare[r];   /* d ln X / d ln(1 + w), prices fixed */
            double w0 = X > 0 && dlnx < 0 ? log(B / X) / dlnx : 0;
            ws->b_active[b] = 1;
            ws->b_early[b] = (unsigned char)!final;
            ws->b_omega[b] = floor ? fmin(w0, 0) : fmax(w0, 0);
            changes++;
        }
    }
    return changes;
}

/* Bounds activated on the way may not bind at the solution, and the system with them
 * may then have no solution at all (the wedge runs off to -infinity or +infinity). Drops
 * them when Newton is in trouble (`all`), or those whose wedge has taken the wrong sign;
 * they come back only on a converged iterate. Returns how many were dropped. */
static int solve_drop_unconfirmed(solve_ctx_t *cx, int all)
{
    solve_workspace_t *ws = cx->ws;
    int dropped = 0;
    for (int a = ws->E; a < cx->n; a++) {
        int b = ws->act[a - ws->E];
        int floor = ws->b_kind[b] == BOUND_FLOOR;
        double om = ws->x[a];
        if (ws->b_early[b] && (all || (floor && om > 0) || (!floor && om < 0))) {
            ws->b_active[b] = 0;
            ws->b_early[b] = 0;
            ws->b_dropped[b] = 1;
            dropped++;
        }
    }
    return dropped;
}

/* Activates the bounds whose wedge in the warm start has the binding sign. */
static void solve_seed_active(solve_workspace_t *ws, const solution_t *start)
{
    for (int b = 0; b < ws->nb; b++) {
        double w = start->wedge[ws->b_route[b]];
        int floor = ws->b_kind[b] == BOUND_FLOOR;
        if (isfinite(w) && w > -1 && ((floor && w < 0) || (!floor && w > 0))) {
            ws->b_active[b] = 1;
            ws->b_omega[b] = log1p(w);
        }
    }
}

/* ---------- output ---------- */

static void solve_fill(solve_ctx_t *cx, solution_t *sol)
{
    solve_workspace_t *ws = cx->ws;
    const market_t *mk = cx->mk;
    const policy_t *pol = cx->pol;
    const shocks_t *sh = cx->sh;
    int E = ws->E, I = ws->I;
    for (int i = 0; i < E; i++) {
        double P = ws->P[i], e = pol->export_tax[i], Pd = P * (1 - e);
        sol->fob_price[i] = P;
        sol->producer_price[i] = Pd;
        sol->production[i] = ws->Q[i];
        sol->domestic_use[i] = ws->D[i];
        sol->exports[i] = ws->exports[i];
        sol->farm_revenue[i] = Pd * ws->Q[i] / 1000;
        sol->export_tax_revenue[i] = e * P * ws->exports[i] / 1000;
    }
    for (int j = 0; j < I; j++) {
        double imports = 0;
        for (int i = 0; i < E; i++)
            imports += ws->X[i * I + j];
        sol->imports[j] = imports;
        sol->price_index[j] = mk->price_index[j] * exp(ws->lnpi[j]);
        sol->composite_imports[j] = ws->mscale[j] * exp(-sh->sigma[j] * ws->lnpi[j]);
        for (int i = 0; i < E; i++) {
            int r = i * I + j;
            double cif = ws->P[i] + sh->freight[r], t = pol->tariff[r];
            /* 1 + w from the solver's own exp(omega): 1 + (onepw - 1) would lose it
             * when a floor needs a subsidy of nearly 100 % */
            double onepw = ws->on[r] ? ws->onepw[r] : 1, w = onepw - 1, X = ws->X[r];
            sol->flow[r] = X;
            sol->share[r] = X / imports;
            sol->landed_price[r] = cif * (1 + t) * onepw;
            sol->tariff_revenue[r] = t * cif * X / 1000;
            sol->wedge[r] = w;
            sol->transfer[r] = w * cif * (1 + t) * X / 1000;
        }
    }
}

/* ---------- the solve ---------- */

static int solve_finish(solution_t *sol, solve_status_t status, int iterations)
{
    sol->status = status;
    sol->iterations = iterations;
    return (int)status;
}

/* New active set: new unknowns, wedges off the set back to 0, re-evaluated. */
static int solve_relayout(solve_ctx_t *cx)
{
    solve_workspace_t *ws = cx->ws;
    if (solve_layout(cx) != 0)
        return SOLVE_BAD_INPUT;
    for (int r = 0; r < ws->E * ws->I; r++)
        ws->onepw[r] = 1.0;
    return solve_eval(cx) == 0 ? 0 : SOLVE_NOT_FINITE;
}

/* The callbacks of newton_run (model_internal.h). */
static int solve_cb_start(void *c)
{
    if (solve_layout(c) != 0)
        return SOLVE_BAD_INPUT;
    return solve_eval(c) == 0 ? 0 : SOLVE_NOT_FINITE;
}

static int solve_cb_eval(void *c)
{
    return solve_eval(c);
}

static int solve_cb_direction(void *c)
{
    solve_jacobian(c);
    return solve_newton_direction(c);
}

static int solve_cb_update_active(void *c, double slack, int final)
{
    return solve_update_active(c, slack, final);
}

static int solve_cb_drop_unconfirmed(void *c, int all)
{
    return solve_drop_unconfirmed(c, all);
}

static int solve_cb_relayout(void *c)
{
    return solve_relayout(c);
}

static solve_status_t solve_newton(solve_ctx_t *cx, int *iterations)
{
    solve_workspace_t *ws = cx->ws;
    newton_problem_t p = { cx, ws->x, ws->x0, ws->dx, &cx->n, ws->E, &cx->merit, &cx->maxres,
                           2 * ws->nb + 8, ws->nb != 0, solve_cb_start, solve_cb_eval,
                           solve_cb_direction, solve_cb_update_active,
                           solve_cb_drop_unconfirmed, solve_cb_relayout };
    return newton_run(&p, iterations);
}

int solve_equilibrium(const market_t *market, const policy_t *policy,
                      const shocks_t *shocks, const solution_t *start,
                      solve_workspace_t *ws, solution_t *sol)
{
    if (!market || !policy || !shocks || !ws || !sol)
        return sol ? solve_finish(sol, SOLVE_BAD_INPUT, 0) : (int)SOLVE_BAD_INPUT;
    if (ws->E != market->n_exporters || ws->I != market->n_importers ||
        sol->n_exporters != ws->E || sol->n_importers != ws->I)
        return solve_finish(sol, SOLVE_BAD_INPUT, 0);
    solve_ctx_t cx = { market, policy, shocks, ws, 0, 0, 0 };
    int rc = solve_inputs_check(market, policy, shocks);
    if (rc != 0)
        return solve_finish(sol, (solve_status_t)rc, 0);
    solve_setup(market, policy, shocks, ws);

    int E = ws->E, warm = start != NULL && start->n_exporters == E &&
                          start->n_importers == ws->I;
    for (int i = 0; i < E && warm; i++)
        if (!(start->fob_price[i] > 0) || !isfinite(start->fob_price[i]))
            warm = 0;
    /* Reads `start` completely before anything is written to `sol` (they may alias). */
    for (int i = 0; i < E; i++) {
        double p0 = warm ? start->fob_price[i] : market->fob_price[i];
        /* ws->P = exp(ws->x) after every evaluation, and the engine's scenario solve
         * starts from the reference solve just done in this workspace: its own log
         * price (within an ulp of log(p0)). Cold starts always take log(p0), so that a
         * reference solve never depends on what the workspace did before. */
        if (warm && p0 == ws->P[i])
            continue;
        if (p0 != ws->key_p0[i]) {
            ws->log_p0[i] = log(p0);
            ws->key_p0[i] = p0;
        }
        ws->x[i] = ws->log_p0[i];
    }
    if (warm)
        solve_seed_active(ws, start);

    int iterations = 0;
    solve_status_t st = solve_newton(&cx, &iterations);
    if (st == SOLVE_OK || st == SOLVE_MAX_ITER || st == SOLVE_SINGULAR)
        solve_fill(&cx, sol);
    return solve_finish(sol, st, iterations);
}
