/*
 * periods_solve.c - the multi-period equilibrium of MODEL.md Part 2 (see models/README.md,
 * "Part 2"). Years are solved in order; within a year, Newton on ln P_it (plus ln(1 + w)
 * of each active bound) with the analytic Jacobian.
 *
 * Why block tridiagonal: period t's exporter balances depend on prices of t-1, t, t+1
 * only (the stock carried in from t-1 on P_t-1/P_t, the stock carried out on P_t+1/P_t,
 * importer stocks likewise through PM), so the price block of the Jacobian is block
 * tridiagonal with E x E blocks. It is factorised by block Thomas (block LU without
 * pivoting across blocks, partial pivoting inside each diagonal block); active bounds
 * border it (a window couples the periods it covers), and the border is eliminated by a
 * Schur complement: cost O(n E^3 + n E^2 m + m^3) per step instead of O((nE + m)^3).
 * Written here because GSL has only scalar tridiagonal solvers and no banded or block
 * LU, and the factorisation must run in the preallocated workspace (as solve.c's LU).
 *
 * A year of one period with no stocks anywhere and no windows is exactly Part 1's
 * problem: it is handed to solve_equilibrium(), so that such a calendar gives Part 1's
 * results bit for bit.
 *
 * The importer bound M_jt >= 0 is decided at every evaluation, M = max(0, Mr) with Mr
 * the storage rule's imports (continuous; Newton differentiates the branch it is on:
 * semismooth Newton). An active-set loop over these bounds was tried first and dropped:
 * freeing a run of binding periods at once changes the stocks of all later periods, and
 * it cycled or failed where this converges in 9-10 steps. Where it binds (a run s+1..t-1),
 * M = 0 and Z = Z_prev - C, so the imports of the period t after the run depend on the
 * prices of every period s..t+1 (the importer restocks what it ate from its stock). Those
 * entries fall outside the three block diagonals; they are a rank-one term per
 * (importer, run), u v^T, carried exactly as extra border rows and columns ("aux":
 * w = v^T dx, identity block -1) of the same Schur complement as the window bounds, so
 * Newton keeps its rate.
 */
#include "periods.h"
#include "model_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PERIODS_MAX_ACTIVE 256    /* active bounds per year (workspace size) */

enum { PB_FLOOR = PERIODS_FLOOR, PB_CAP = PERIODS_CAP };

struct periods_workspace {
    int E, I, R, nmax, maxb, maxact, maxaux, max_windows;
    /* the Part 1 path */
    policy_t *pol1;
    shocks_t *sh1;
    solution_t *sol1;
    solve_workspace_t *ws1;
    /* per-year constants; (t, i), (t, j), (t, r) with t local to the year */
    double *hbase, *hc, *dbase, *dc, *sb, *sq, *scale, *omx;   /* omx: 1 - e */
    double *cbase, *zb;
    double *kroute, *onepw, *removed;
    unsigned char *on;
    double *sopen, *zopen, *afac;  /* opening stocks, area factor of the year */
    /* state */
    double *P, *H, *D, *S, *ex;
    double *lnpi, *C, *Zr, *Z, *Mr, *M, *mc, *zd;      /* mc, zd: 3 per (t, j) */
    unsigned char *mact;      /* (t, j): the import bound binds at the current point */
    double *rsig, *vs, *phi, *X, *theta, *cj;
    /* bounds of the year */
    int nb, nact;
    int *b_route, *b_first, *b_last, *b_kind, *b_win, *act;
    double *b_target, *b_logtarget, *b_omega, *b_xsum;
    unsigned char *b_active, *b_dropped, *b_early;
    /* rank-one terms of the importer bound: importer, period after the run, run start
     * s (-1: the run starts the year), and dM_jt / d ln Pi_jq for q = 0..t-2 */
    int naux;
    int *aux_j, *aux_t;
    double *aux_far;
    /* Newton and linear algebra */
    double *x, *x0, *dx, *F;
    double *Lb, *Db, *Ub, *Y, *Cm, *Dm;
    int *piv, *spiv;
};

typedef struct {
    const periods_market_t *pm;
    const periods_policy_t *pol;
    const shocks_t *sh;
    periods_workspace_t *ws;
    int y, t0, n, N;          /* year, its first period, its periods, price unknowns */
    int nx;                   /* all unknowns: N + active bounds */
    double merit, maxres;
} pctx_t;

/* ---------- allocation ---------- */

static void *pcalloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size);
}

void periods_workspace_free(periods_workspace_t *ws)
{
    if (!ws)
        return;
    policy_free(ws->pol1); shocks_free(ws->sh1); solution_free(ws->sol1);
    solve_workspace_free(ws->ws1);
    void *p[] = { ws->hbase, ws->hc, ws->dbase, ws->dc, ws->sb, ws->sq, ws->scale, ws->omx,
                  ws->cbase, ws->zb, ws->kroute, ws->onepw, ws->removed, ws->on, ws->sopen,
                  ws->zopen, ws->afac, ws->P, ws->H, ws->D, ws->S, ws->ex, ws->lnpi, ws->C,
                  ws->Zr, ws->Z, ws->Mr, ws->M, ws->mc, ws->zd, ws->mact, ws->rsig, ws->vs,
                  ws->phi, ws->X, ws->theta, ws->cj, ws->b_route, ws->b_first, ws->b_last,
                  ws->b_kind, ws->b_win, ws->act, ws->b_target, ws->b_logtarget, ws->b_omega,
                  ws->b_xsum, ws->b_active, ws->b_dropped, ws->b_early, ws->x, ws->x0, ws->dx,
                  ws->F, ws->Lb, ws->Db, ws->Ub, ws->Y, ws->Cm, ws->Dm, ws->piv,
                  ws->spiv, ws->aux_j, ws->aux_t, ws->aux_far };
    for (size_t k = 0; k < sizeof p / sizeof p[0]; k++)
        free(p[k]);
    free(ws);
}

periods_workspace_t *periods_workspace_alloc(const periods_market_t *pm, int max_windows)
{
    if (!pm || max_windows < 0)
        return NULL;
    periods_workspace_t *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    int nmax = 0;
    for (int y = 0; y < pm->n_years; y++) {
        int n = pm->year_first[y + 1] - pm->year_first[y];
        nmax = n > nmax ? n : nmax;
    }
    size_t E = (size_t)pm->n_exporters, I = (size_t)pm->n_importers, R = E * I;
    size_t n = (size_t)nmax, nE = n * E, nI = n * I, nR = n * R;
    ws->E = (int)E;
    ws->I = (int)I;
    ws->R = (int)R;
    ws->nmax = nmax;
    ws->max_windows = max_windows;
    ws->maxb = (int)(2 * nR) + max_windows;
    ws->maxact = ws->maxb < PERIODS_MAX_ACTIVE ? ws->maxb : PERIODS_MAX_ACTIVE;
    ws->maxaux = (int)I * ((nmax + 1) / 2);   /* runs are separated by a free period */
    size_t B = (size_t)ws->maxb, d = sizeof(double);
    size_t A = (size_t)ws->maxact + (size_t)ws->maxaux;   /* border */
    size_t nc = 1 + A;
    ws->pol1 = policy_alloc_baseline(pm->period_market[0]);
    ws->sh1 = shocks_alloc_baseline(pm->period_market[0]);
    ws->sol1 = solution_alloc(pm->period_market[0]);
    ws->ws1 = solve_workspace_alloc(pm->period_market[0]);
    ws->hbase = pcalloc(nE, d); ws->hc = pcalloc(nE, d); ws->dbase = pcalloc(nE, d);
    ws->dc = pcalloc(nE, d); ws->sb = pcalloc(nE, d); ws->sq = pcalloc(nE, d);
    ws->scale = pcalloc(nE, d); ws->omx = pcalloc(nE, d);
    ws->cbase = pcalloc(nI, d); ws->zb = pcalloc(nI, d);
    ws->kroute = pcalloc(nR, d); ws->onepw = pcalloc(nR, d); ws->removed = pcalloc(nI, d);
    ws->on = pcalloc(nR, 1);
    ws->sopen = pcalloc(E, d); ws->zopen = pcalloc(I, d); ws->afac = pcalloc(E, d);
    ws->P = pcalloc(nE, d); ws->H = pcalloc(nE, d); ws->D = pcalloc(nE, d);
    ws->S = pcalloc(nE, d); ws->ex = pcalloc(nE, d);
    ws->lnpi = pcalloc(nI, d); ws->C = pcalloc(nI, d); ws->Zr = pcalloc(nI, d);
    ws->Z = pcalloc(nI, d); ws->Mr = pcalloc(nI, d); ws->M = pcalloc(nI, d);
    ws->mc = pcalloc(3 * nI, d); ws->zd = pcalloc(3 * nI, d); ws->mact = pcalloc(nI, 1);
    ws->rsig = pcalloc(nR, d); ws->vs = pcalloc(nR, d); ws->phi = pcalloc(nR, d);
    ws->X = pcalloc(nR, d); ws->theta = pcalloc(nR, d); ws->cj = pcalloc(nR, d);
    ws->b_route = pcalloc(B, sizeof(int)); ws->b_first = pcalloc(B, sizeof(int));
    ws->b_last = pcalloc(B, sizeof(int)); ws->b_kind = pcalloc(B, sizeof(int));
    ws->b_win = pcalloc(B, sizeof(int)); ws->act = pcalloc(A, sizeof(int));
    ws->b_target = pcalloc(B, d); ws->b_logtarget = pcalloc(B, d);
    ws->b_omega = pcalloc(B, d); ws->b_xsum = pcalloc(B, d);
    ws->b_active = pcalloc(B, 1); ws->b_dropped = pcalloc(B, 1); ws->b_early = pcalloc(B, 1);
    ws->x = pcalloc(nE + A, d); ws->x0 = pcalloc(nE + A, d); ws->dx = pcalloc(nE + A, d);
    ws->F = pcalloc(nE + A, d);
    ws->Lb = pcalloc(n * E * E, d); ws->Db = pcalloc(n * E * E, d); ws->Ub = pcalloc(n * E * E, d);
    ws->Y = pcalloc(nE * nc, d); ws->Cm = pcalloc(A * nE, d); ws->Dm = pcalloc(A * A, d);
    ws->piv = pcalloc(nE, sizeof(int)); ws->spiv = pcalloc(A, sizeof(int));
    ws->aux_j = pcalloc((size_t)ws->maxaux, sizeof(int));
    ws->aux_t = pcalloc((size_t)ws->maxaux, sizeof(int));
    ws->aux_far = pcalloc((size_t)ws->maxaux * n, d);
    if (!ws->pol1 || !ws->sh1 || !ws->sol1 || !ws->ws1 || !ws->hbase || !ws->hc ||
        !ws->dbase || !ws->dc || !ws->sb || !ws->sq || !ws->scale || !ws->omx || !ws->cbase ||
        !ws->zb || !ws->kroute || !ws->onepw || !ws->removed || !ws->on || !ws->sopen ||
        !ws->zopen || !ws->afac || !ws->P || !ws->H || !ws->D || !ws->S || !ws->ex ||
        !ws->lnpi || !ws->C || !ws->Zr || !ws->Z || !ws->Mr || !ws->M || !ws->mc || !ws->zd ||
        !ws->mact || !ws->rsig || !ws->vs || !ws->phi || !ws->X || !ws->theta || !ws->cj ||
        !ws->b_route || !ws->b_first || !ws->b_last || !ws->b_kind || !ws->b_win ||
        !ws->act || !ws->b_target || !ws->b_logtarget || !ws->b_omega || !ws->b_xsum ||
        !ws->b_active || !ws->b_dropped || !ws->b_early || !ws->x || !ws->x0 || !ws->dx ||
        !ws->F || !ws->Lb || !ws->Db || !ws->Ub || !ws->Y || !ws->Cm || !ws->Dm ||
        !ws->piv || !ws->spiv || !ws->aux_j || !ws->aux_t || !ws->aux_far) {
        periods_workspace_free(ws);
        return NULL;
    }
    return ws;
}

/* ---------- setup of one year ---------- */

static int pw_bad(double v)
{
    return !(v >= 0) || !isfinite(v);
}

/* Appends a bound; SOLVE_BAD_INPUT when there is no room. */
static int pw_add_bound(periods_workspace_t *ws, int r, int first, int last, int kind,
                        double target, int win)
{
    if (ws->nb >= ws->maxb)
        return SOLVE_BAD_INPUT;
    int b = ws->nb++;
    ws->b_route[b] = r;
    ws->b_first[b] = first;
    ws->b_last[b] = last;
    ws->b_kind[b] = kind;
    ws->b_target[b] = target;
    ws->b_logtarget[b] = log(target);
    ws->b_win[b] = win;
    ws->b_omega[b] = 0;
    ws->b_active[b] = ws->b_dropped[b] = ws->b_early[b] = 0;
    return 0;
}

/* Window parts in this year (see periods.h). Needs ws->on of the year. */
static int pw_setup_windows(pctx_t *cx, const periods_solution_t *sol)
{
    periods_workspace_t *ws = cx->ws;
    const periods_market_t *pm = cx->pm;
    int I = ws->I, R = ws->R, t0 = cx->t0, t1 = cx->t0 + cx->n - 1;
    for (int w = 0; w < cx->pol->n_windows; w++) {
        const periods_window_t *win = cx->pol->window + w;
        int a = win->first > t0 ? win->first : t0, b = win->last < t1 ? win->last : t1;
        if (a > b)
            continue;
        int r = win->exporter * I + win->importer;
        double amount = win->amount * (win->kind == PB_FLOOR ? cx->sh->compliance : 1);
        double target;
        if (win->last <= t1) {
            /* the last part: what remains after the earlier years' deliveries */
            double done = 0;
            for (int g = win->first; g < t0; g++)
                done += sol->flow[g * R + r];
            target = amount - done;
        } else {
            double part = 0, all = 0;
            for (int g = win->first; g <= win->last; g++) {
                double xb = pm->spec->flow[g * R + r];
                all += xb;
                part += g <= t1 ? xb : 0;
            }
            target = all > 0 ? amount * part / all : 0;
        }
        int live = 0;
        for (int g = a; g <= b; g++)
            live += ws->on[(g - t0) * R + r];
        if (win->kind == PB_FLOOR) {
            if (!(target > 0))
                continue;   /* already met */
            if (!live)
                return SOLVE_BAD_INPUT;   /* a floor no flow can meet */
        } else if (!(target > 0)) {
            /* nothing left under the cap: the route is closed for the rest of the window */
            for (int g = a; g <= b; g++)
                ws->on[(g - t0) * R + r] = 0;
            continue;
        } else if (!live) {
            continue;
        }
        if (pw_add_bound(ws, r, a - t0, b - t0, win->kind, target, w) != 0)
            return SOLVE_BAD_INPUT;
    }
    return 0;
}

/* Checks the year's inputs and fills its constants. 0 or SOLVE_BAD_INPUT. */
static int pw_setup(pctx_t *cx, const periods_solution_t *sol)
{
    periods_workspace_t *ws = cx->ws;
    const periods_market_t *pm = cx->pm;
    const periods_spec_t *sp = pm->spec;
    const periods_policy_t *pol = cx->pol;
    const shocks_t *sh = cx->sh;
    int E = ws->E, I = ws->I, R = ws->R, n = cx->n, t0 = cx->t0, y = cx->y;
    double c = sh->compliance;
    if (!(c >= 0 && c <= 1))
        return SOLVE_BAD_INPUT;
    for (int j = 0; j < I; j++) {
        double sg = sh->sigma[j], et = sh->eta[j], u = sh->demand_shock[j];
        if (!(sg > 0) || !isfinite(sg) || !(et < 0) || !isfinite(et) || !(u > 0) || !isfinite(u))
            return SOLVE_BAD_INPUT;
    }
    for (int i = 0; i < E; i++) {
        double yl = sh->yield[i], v = sh->domestic_shock[i], xr = sh->exchange_rate[i];
        if (pw_bad(yl) || !(v > 0) || !isfinite(v) || !(xr > 0) || !isfinite(xr) ||
            !(sh->eps[i] <= 0) || !isfinite(sh->eps[i]) || pw_bad(sh->kappa[i]))
            return SOLVE_BAD_INPUT;
    }
    for (int t = 0; t < n; t++) {
        int g = t0 + t;
        const market_t *mk = pm->period_market[g];
        for (int i = 0; i < E; i++) {
            int a = t * E + i;
            double e = pol->export_tax[g * E + i];
            if (!(e >= 0 && e < 1))
                return SOLVE_BAD_INPUT;
            ws->omx[a] = 1 - e;
            ws->hbase[a] = pm->harvest[g * E + i] * sh->yield[i] * ws->afac[i];
            ws->hc[a] = log((1 - e) / mk->producer_price[i]);
            /* the period market's domestic use: it makes the baseline clear exactly */
            ws->dbase[a] = mk->domestic_use[i] * sh->domestic_shock[i];
            ws->dc[a] = ws->hc[a] + log(sh->exchange_rate[i]);
            ws->sb[a] = pm->stock[g * E + i];
            ws->scale[a] = sp->production[y * E + i] / n;
        }
        for (int j = 0; j < I; j++) {
            ws->cbase[t * I + j] = sp->consumption[g * I + j] * sh->demand_shock[j];
            ws->zb[t * I + j] = pm->importer_stock[g * I + j];
            ws->removed[t * I + j] = 0;
        }
        for (int r = 0; r < R; r++) {
            int a = t * R + r, j = r % I;
            double tf = pol->tariff[g * R + r], f = sh->freight[r], cap = pol->cap[g * R + r];
            if (pw_bad(tf) || pw_bad(f) || !(cap >= 0) || pw_bad(pol->floor[g * R + r]))
                return SOLVE_BAD_INPUT;
            int live = mk->flow[r] > 0 && cap > 0;
            ws->on[a] = (unsigned char)live;
            ws->kroute[a] = (1 + tf) / mk->landed_price[r];
            if (mk->flow[r] > 0 && cap == 0)
                ws->removed[t * I + j] += mk->base_value_share[r];
        }
    }
    /* the stock rules' constants: ln((1-e_t+1)/(1-e_t)) - ln Rb_t, and ln((1-e)/Pdb) last */
    for (int t = 0; t < n; t++)
        for (int i = 0; i < E; i++) {
            int a = t * E + i;
            ws->sq[a] = t < n - 1 ? ws->hc[a + E] - ws->hc[a] : ws->hc[a];
        }
    ws->nb = 0;
    for (int t = 0; t < n; t++) {
        int g = t0 + t;
        for (int r = 0; r < R; r++) {
            double fl = pol->floor[g * R + r] * c, cap = pol->cap[g * R + r];
            int live = ws->on[t * R + r];
            if (fl > 0) {
                if (!live || fl > cap || pw_add_bound(ws, r, t, t, PB_FLOOR, fl, -1) != 0)
                    return SOLVE_BAD_INPUT;
            }
            if (live && isfinite(cap) && pw_add_bound(ws, r, t, t, PB_CAP, cap, -1) != 0)
                return SOLVE_BAD_INPUT;
        }
    }
    if (pw_setup_windows(cx, sol) != 0)
        return SOLVE_BAD_INPUT;
    for (int t = 0; t < n; t++)
        for (int j = 0; j < I; j++)
            if (ws->removed[t * I + j] > 0 && fabs(1 - sh->sigma[j]) < SOLVE_CD_BAND)
                return SOLVE_BAD_INPUT;   /* Cobb-Douglas cannot lose an origin */
    return 0;
}

/* Lays out the unknowns: n E log prices, then ln(1 + w) of each active bound. */
static int pw_layout(pctx_t *cx)
{
    periods_workspace_t *ws = cx->ws;
    int k = cx->N;
    for (int b = 0; b < ws->nb; b++) {
        if (!ws->b_active[b])
            continue;
        if (k - cx->N >= ws->maxact)
            return SOLVE_BAD_INPUT;
        ws->act[k - cx->N] = b;
        ws->x[k++] = ws->b_omega[b];
    }
    ws->nact = k - cx->N;
    cx->nx = k;
    return 0;
}

/* ---------- evaluation ---------- */

/* Every quantity and residual at ws->x. 0, or -1 when something is not finite. */
static int pw_eval(pctx_t *cx)
{
    periods_workspace_t *ws = cx->ws;
    const periods_market_t *pm = cx->pm;
    const periods_spec_t *sp = pm->spec;
    const shocks_t *sh = cx->sh;
    int E = ws->E, I = ws->I, R = ws->R, n = cx->n, N = cx->N;
    const double *x = ws->x;
    for (int t = 0; t < n; t++)
        for (int i = 0; i < E; i++) {
            int a = t * E + i;
            double z = x[a], ka = sh->kappa[i], ep = sh->eps[i];
            ws->P[a] = exp(z);
            ws->H[a] = ka == 0 ? ws->hbase[a] : ws->hbase[a] * exp(ka * (z + ws->hc[a]));
            ws->D[a] = ep == 0 ? ws->dbase[a] : ws->dbase[a] * exp(ep * (z + ws->dc[a]));
            ws->ex[a] = 0;
            double ps = t < n - 1 ? sp->psi[i] : -sp->psi_closing[i];
            double arg = t < n - 1 ? x[a + E] - z + ws->sq[a] : z + ws->sq[a];
            ws->S[a] = ps == 0 ? ws->sb[a] : ws->sb[a] * exp(ps * arg);
        }
    for (int k = 0; k < n * R; k++)
        ws->onepw[k] = 1;
    for (int k = N; k < cx->nx; k++) {
        int b = ws->act[k - N];
        double e = exp(x[k]);
        for (int t = ws->b_first[b]; t <= ws->b_last[b]; t++)
            ws->onepw[t * R + ws->b_route[b]] *= e;
    }
    for (int t = 0; t < n; t++) {
        const market_t *mk = pm->period_market[cx->t0 + t];
        for (int j = 0; j < I; j++) {
            double sg = sh->sigma[j], dl = 1 - sg, lnpi, Ssum;
            int q = t * I + j;
            if (fabs(dl) >= SOLVE_CD_BAND) {
                Ssum = 0;
                for (int i = 0; i < E; i++) {
                    int r = i * I + j, a = t * R + r;
                    if (!ws->on[a]) {
                        ws->rsig[a] = ws->vs[a] = 0;
                        continue;
                    }
                    double rr = (ws->P[t * E + i] + sh->freight[r]) * ws->kroute[a] * ws->onepw[a];
                    double e = exp(-sg * log(rr));
                    ws->rsig[a] = e;
                    ws->vs[a] = mk->base_value_share[r] * rr * e;
                    Ssum += ws->vs[a];
                }
                lnpi = log(Ssum) / dl;
            } else {
                double Sm1 = -ws->removed[q], Tl = 0;
                for (int i = 0; i < E; i++) {
                    int r = i * I + j, a = t * R + r;
                    if (!ws->on[a]) {
                        ws->rsig[a] = ws->vs[a] = 0;
                        continue;
                    }
                    double v = mk->base_value_share[r];
                    double L = log((ws->P[t * E + i] + sh->freight[r]) * ws->kroute[a] * ws->onepw[a]);
                    double gm1 = expm1(dl * L);
                    ws->rsig[a] = exp(-sg * L);
                    Sm1 += v * gm1;
                    Tl += v * L;
                    ws->vs[a] = v * (1 + gm1);
                }
                Ssum = 1 + Sm1;
                lnpi = dl == 0 ? Tl : log1p(Sm1) / dl;
            }
            if (!(Ssum > 0) || !isfinite(lnpi))
                return -1;
            ws->lnpi[q] = lnpi;
            double inv = 1 / Ssum;
            for (int i = 0; i < E; i++)
                ws->vs[t * R + i * I + j] *= inv;
            ws->C[q] = ws->cbase[q] * exp(sh->eta[j] * lnpi);
        }
    }
    for (int j = 0; j < I; j++) {
        double zp = ws->zopen[j];
        double pm_ = sp->psi_importer[j], pt = sp->psi_importer_closing[j];
        for (int t = 0; t < n; t++) {
            int q = t * I + j;
            double zr;
            if (t < n - 1)
                zr = pm_ == 0 ? ws->zb[q] : ws->zb[q] * exp(pm_ * (ws->lnpi[q + I] - ws->lnpi[q]));
            else
                zr = pt == 0 ? ws->zb[q] : ws->zb[q] * exp(-pt * ws->lnpi[q]);
            ws->Zr[q] = zr;
            ws->Mr[q] = ws->C[q] + zr - zp;
            /* the bound M >= 0, decided at every evaluation: M = max(0, Mr) is
             * continuous (both branches give Z = Zr at Mr = 0), and Newton takes the
             * Jacobian of the branch it is on (semismooth Newton) */
            ws->mact[q] = (unsigned char)(ws->Mr[q] < 0);
            if (ws->mact[q]) {
                ws->M[q] = 0;
                ws->Z[q] = zp - ws->C[q];
            } else {
                ws->M[q] = ws->Mr[q];
                ws->Z[q] = zr;
            }
            zp = ws->Z[q];
        }
    }
    for (int t = 0; t < n; t++) {
        const market_t *mk = pm->period_market[cx->t0 + t];
        for (int j = 0; j < I; j++) {
            int q = t * I + j;
            double pisg = exp(sh->sigma[j] * ws->lnpi[q]), M = ws->M[q];
            for (int i = 0; i < E; i++) {
                int r = i * I + j, a = t * R + r;
                double ph = ws->on[a] ? mk->base_share[r] * ws->rsig[a] * pisg : 0;
                ws->phi[a] = ph;
                ws->X[a] = M * ph;
                ws->ex[t * E + i] += ws->X[a];
            }
        }
    }
    double merit = 0, maxres = 0;
    for (int t = 0; t < n; t++)
        for (int i = 0; i < E; i++) {
            int a = t * E + i;
            double open = t ? ws->S[a - E] : ws->sopen[i];
            double F = (open + ws->H[a] - ws->D[a] - ws->ex[a] - ws->S[a]) / ws->scale[a];
            ws->F[a] = F;
            merit += F * F;
            maxres = fabs(F) > maxres ? fabs(F) : maxres;
        }
    for (int k = N; k < cx->nx; k++) {
        int b = ws->act[k - N];
        double xs = 0;
        for (int t = ws->b_first[b]; t <= ws->b_last[b]; t++)
            xs += ws->X[t * R + ws->b_route[b]];
        ws->b_xsum[b] = xs;
        double G = log(xs) - ws->b_logtarget[b];
        ws->F[k] = G;
        merit += G * G;
        maxres = fabs(G) > maxres ? fabs(G) : maxres;
    }
    cx->merit = 0.5 * merit;
    cx->maxres = maxres;
    return isfinite(merit) ? 0 : -1;
}

/* ---------- Jacobian ---------- */

/* Period t follows a run of binding import bounds: dM_jt / d ln Pi_jq for q <= t-2 (the
 * part beyond the block tridiagonal). M_jt = C_t + Zr_t - Zr_s + sum_{q=s+1}^{t-1} C_q
 * with s the last free period before the run (Zr_s = Zb_s (Pi_s+1 / Pi_s)^psiM). */
static void pw_add_aux(pctx_t *cx, int j, int t)
{
    periods_workspace_t *ws = cx->ws;
    int I = ws->I, a = ws->naux++, s = t - 1;
    double *far = ws->aux_far + (size_t)a * (size_t)ws->nmax;
    while (s >= 0 && ws->mact[s * I + j])
        s--;
    for (int q = 0; q < t - 1; q++)
        far[q] = q > s ? cx->sh->eta[j] * ws->C[q * I + j] : 0;
    if (s >= 0) {
        double pz = cx->pm->spec->psi_importer[j] * ws->Zr[s * I + j];
        far[s] += pz;
        if (s + 1 <= t - 2)
            far[s + 1] -= pz;
    }
    ws->aux_j[a] = j;
    ws->aux_t[a] = t;
}

/* dZ_jt/d ln Pi_j,(t-1, t, t+1) (zd) and dM_jt/d ln Pi_j,(t-1, t, t+1) (mc), and the
 * rank-one terms beyond them. */
static void pw_importer_derivatives(pctx_t *cx)
{
    periods_workspace_t *ws = cx->ws;
    const periods_spec_t *sp = cx->pm->spec;
    int I = ws->I, n = cx->n;
    ws->naux = 0;
    for (int j = 0; j < I; j++) {
        double et = cx->sh->eta[j];
        for (int t = 0; t < n; t++) {
            int q = t * I + j;
            double *zd = ws->zd + 3 * q, *mc = ws->mc + 3 * q;
            const double *zp = t ? ws->zd + 3 * (q - I) : NULL;
            double eC = et * ws->C[q];
            if (ws->mact[q]) {
                zd[0] = zp ? zp[1] : 0;
                zd[1] = (zp ? zp[2] : 0) - eC;
                zd[2] = 0;
                mc[0] = mc[1] = mc[2] = 0;
            } else {
                double ps = t < n - 1 ? sp->psi_importer[j] : sp->psi_importer_closing[j];
                zd[0] = 0;
                zd[1] = -ps * ws->Zr[q];
                zd[2] = t < n - 1 ? ps * ws->Zr[q] : 0;
                mc[0] = zp ? -zp[1] : 0;
                mc[1] = eC + zd[1] - (zp ? zp[2] : 0);
                mc[2] = zd[2];
                if (t >= 2 && ws->mact[q - I])
                    pw_add_aux(cx, j, t);
            }
        }
    }
}

/* Price blocks L_t (t, t-1), D_t (t, t), U_t (t, t+1), rows scaled like the residuals. */
static void pw_blocks(pctx_t *cx)
{
    periods_workspace_t *ws = cx->ws;
    const periods_spec_t *sp = cx->pm->spec;
    const shocks_t *sh = cx->sh;
    int E = ws->E, I = ws->I, R = ws->R, n = cx->n, EE = E * E;
    for (int t = 0; t < n; t++)
        for (int i = 0; i < E; i++)
            for (int j = 0; j < I; j++) {
                int r = i * I + j, a = t * R + r;
                double th = ws->P[t * E + i] / (ws->P[t * E + i] + sh->freight[r]);
                ws->theta[a] = th;
                ws->cj[a] = ws->on[a] ? ws->vs[a] * th : 0;
            }
    for (int t = 0; t < n; t++) {
        double *L = ws->Lb + t * EE, *Dg = ws->Db + t * EE, *U = ws->Ub + t * EE;
        for (int i = 0; i < E; i++) {
            int a = t * E + i;
            double own = sh->kappa[i] * ws->H[a] - sh->eps[i] * ws->D[a] +
                         (t < n - 1 ? sp->psi[i] : sp->psi_closing[i]) * ws->S[a] +
                         (t > 0 ? sp->psi[i] * ws->S[a - E] : 0);
            for (int j = 0; j < I; j++)
                own += sh->sigma[j] * ws->X[t * R + i * I + j] * ws->theta[t * R + i * I + j];
            for (int k = 0; k < E; k++) {
                double l = 0, dg = 0, u = 0;
                for (int j = 0; j < I; j++) {
                    int ri = t * R + i * I + j, q = t * I + j;
                    const double *mc = ws->mc + 3 * q;
                    double ph = ws->phi[ri];
                    dg += (ph * mc[1] + sh->sigma[j] * ws->X[ri]) * ws->cj[t * R + k * I + j];
                    if (t > 0)
                        l += ph * mc[0] * ws->cj[(t - 1) * R + k * I + j];
                    if (t < n - 1)
                        u += ph * mc[2] * ws->cj[(t + 1) * R + k * I + j];
                }
                L[i * E + k] = -l;
                Dg[i * E + k] = -dg;
                U[i * E + k] = -u;
            }
            Dg[i * E + i] += own;
            if (t > 0)
                L[i * E + i] -= sp->psi[i] * ws->S[a - E];
            if (t < n - 1)
                U[i * E + i] -= sp->psi[i] * ws->S[a];
            double inv = 1 / ws->scale[a];
            for (int k = 0; k < E; k++) {
                L[i * E + k] *= inv;
                Dg[i * E + k] *= inv;
                U[i * E + k] *= inv;
            }
        }
    }
}

/* The border of the active bounds: columns (into ws->Y, columns 1..), rows (ws->Cm) and
 * the bound-bound block (ws->Dm). See models/README.md for the derivatives. */
static void pw_border(pctx_t *cx)
{
    periods_workspace_t *ws = cx->ws;
    const shocks_t *sh = cx->sh;
    int E = ws->E, I = ws->I, R = ws->R, n = cx->n, N = cx->N, na = ws->nact;
    int nbd = na + ws->naux, nc = 1 + nbd;
    for (int row = 0; row < N; row++)
        for (int c = 1; c < nc; c++)
            ws->Y[row * nc + c] = 0;
    for (int a = 0; a < na; a++) {
        int b = ws->act[a], rb = ws->b_route[b], ib = rb / I, jb = rb % I;
        int f = ws->b_first[b], l = ws->b_last[b];
        double sg = sh->sigma[jb], ixs = 1 / ws->b_xsum[b];
        /* column: d F_(q, i) / d omega_b */
        for (int q = f > 0 ? f - 1 : 0; q <= l + 1 && q < n; q++) {
            const double *mc = ws->mc + 3 * (q * I + jb);
            double dm = 0;   /* d M_jb,q / d omega_b */
            for (int d = -1; d <= 1; d++) {
                int qq = q + d;
                if (qq >= f && qq <= l)
                    dm += mc[d + 1] * ws->vs[qq * R + rb];
            }
            int inw = q >= f && q <= l;
            for (int i = 0; i < E; i++) {
                int ri = q * R + i * I + jb;
                double v = ws->phi[ri] * dm;
                if (inw)
                    v += ws->X[ri] * sg * (ws->vs[q * R + rb] - (i == ib));
                ws->Y[(q * E + i) * nc + 1 + a] = -v / ws->scale[q * E + i];
            }
        }
        /* row: d G_b / d z_(q, k) */
        double *Cr = ws->Cm + (size_t)a * (size_t)N;
        memset(Cr, 0, (size_t)N * sizeof(double));
        for (int t = f; t <= l; t++) {
            int rt = t * R + rb;
            const double *mc = ws->mc + 3 * (t * I + jb);
            for (int d = -1; d <= 1; d++) {
                int q = t + d;
                if (q < 0 || q >= n)
                    continue;
                for (int k = 0; k < E; k++) {
                    double v = ws->phi[rt] * mc[d + 1] * ws->cj[q * R + k * I + jb];
                    if (d == 0)
                        v += ws->X[rt] * sg * (ws->cj[q * R + k * I + jb] -
                                               (k == ib ? ws->theta[rt] : 0));
                    Cr[q * E + k] += v * ixs;
                }
            }
        }
        /* bound-bound block */
        for (int c = 0; c < na; c++) {
            int bc = ws->act[c], rc = ws->b_route[bc];
            double v = 0;
            if (rc % I == jb) {
                int fc = ws->b_first[bc], lc = ws->b_last[bc];
                for (int t = f; t <= l; t++) {
                    int rt = t * R + rb;
                    const double *mc = ws->mc + 3 * (t * I + jb);
                    for (int d = -1; d <= 1; d++) {
                        int q = t + d;
                        if (q >= fc && q <= lc)
                            v += ws->phi[rt] * mc[d + 1] * ws->vs[q * R + rc];
                    }
                    if (t >= fc && t <= lc)
                        v += ws->X[rt] * sg * (ws->vs[t * R + rc] - (rc == rb));
                }
            }
            ws->Dm[a * nbd + c] = v * ixs;
        }
        for (int c = 0; c < ws->naux; c++) {   /* X_rb,t of a period after a run */
            int t = ws->aux_t[c];
            int in = ws->aux_j[c] == jb && t >= f && t <= l;
            ws->Dm[a * nbd + na + c] = in ? ws->phi[t * R + rb] * ixs : 0;
        }
    }
    for (int c = 0; c < ws->naux; c++) {
        int j = ws->aux_j[c], t = ws->aux_t[c], ac = na + c;
        const double *far = ws->aux_far + (size_t)c * (size_t)ws->nmax;
        /* column u: the period's flows move with M_jt */
        for (int i = 0; i < E; i++)
            ws->Y[(t * E + i) * nc + 1 + ac] = -ws->phi[t * R + i * I + j] / ws->scale[t * E + i];
        /* row v: d M_jt through the prices (and wedges) of periods 0..t-2 */
        double *Cr = ws->Cm + (size_t)ac * (size_t)N;
        memset(Cr, 0, (size_t)N * sizeof(double));
        for (int q = 0; q < t - 1; q++)
            for (int k = 0; k < E; k++)
                Cr[q * E + k] = far[q] * ws->cj[q * R + k * I + j];
        for (int b = 0; b < na; b++) {
            int bb = ws->act[b], rc = ws->b_route[bb];
            double v = 0;
            if (rc % I == j)
                for (int q = ws->b_first[bb]; q <= ws->b_last[bb] && q < t - 1; q++)
                    v += far[q] * ws->vs[q * R + rc];
            ws->Dm[ac * nbd + b] = v;
        }
        for (int c2 = 0; c2 < ws->naux; c2++)
            ws->Dm[ac * nbd + na + c2] = c2 == c ? -1 : 0;
    }
}

/* ---------- linear algebra ---------- */

/* In-place LU with partial pivoting of the m x m matrix A (row stride m). -1 if singular. */
static int pw_lu(double *A, int m, int *piv)
{
    for (int k = 0; k < m; k++) {
        int p = k;
        double best = fabs(A[k * m + k]);
        for (int i = k + 1; i < m; i++)
            if (fabs(A[i * m + k]) > best) {
                best = fabs(A[i * m + k]);
                p = i;
            }
        if (!(best > 0) || !isfinite(best))
            return -1;
        piv[k] = p;
        if (p != k)
            for (int c = 0; c < m; c++) {
                double t = A[k * m + c];
                A[k * m + c] = A[p * m + c];
                A[p * m + c] = t;
            }
        double inv = 1 / A[k * m + k];
        for (int i = k + 1; i < m; i++) {
            double l = A[i * m + k] * inv;
            A[i * m + k] = l;
            if (l != 0)
                for (int c = k + 1; c < m; c++)
                    A[i * m + c] -= l * A[k * m + c];
        }
    }
    return 0;
}

/* Solves LU X = B in place for the m x nc matrix B (row stride ld). */
static void pw_lu_solve(const double *A, int m, const int *piv, double *B, int nc, int ld)
{
    /* every row swap first: pw_lu swapped whole rows, multipliers included */
    for (int k = 0; k < m; k++)
        if (piv[k] != k)
            for (int c = 0; c < nc; c++) {
                double t = B[k * ld + c];
                B[k * ld + c] = B[piv[k] * ld + c];
                B[piv[k] * ld + c] = t;
            }
    for (int k = 0; k < m; k++) {
        for (int i = k + 1; i < m; i++) {
            double l = A[i * m + k];
            if (l != 0)
                for (int c = 0; c < nc; c++)
                    B[i * ld + c] -= l * B[k * ld + c];
        }
    }
    for (int i = m - 1; i >= 0; i--) {
        double inv = 1 / A[i * m + i];
        for (int c = 0; c < nc; c++) {
            double s = B[i * ld + c];
            for (int k = i + 1; k < m; k++)
                s -= A[i * m + k] * B[k * ld + c];
            B[i * ld + c] = s * inv;
        }
    }
}

/* C (E x nc, stride ldc) -= A (E x E) B (E x nc, stride ldb) */
static void pw_gemm_sub(const double *A, int E, const double *B, int nc, int ldb, double *C,
                        int ldc)
{
    for (int i = 0; i < E; i++)
        for (int k = 0; k < E; k++) {
            double a = A[i * E + k];
            if (a == 0)
                continue;
            for (int c = 0; c < nc; c++)
                C[i * ldc + c] -= a * B[k * ldb + c];
        }
}

/* The Newton direction dx = -J^-1 F by block Thomas plus the Schur complement of the
 * border, step limited to SOLVE_STEP_MAX. -1 when J is singular or the step not finite. */
static int pw_direction(pctx_t *cx)
{
    periods_workspace_t *ws = cx->ws;
    int E = ws->E, n = cx->n, N = cx->N, na = ws->nact + ws->naux, nc = 1 + na, EE = E * E;
    double *Y = ws->Y;
    for (int row = 0; row < N; row++)
        Y[row * nc] = ws->F[row];
    for (int t = 0; t < n; t++) {
        double *Dg = ws->Db + t * EE, *Yt = Y + (size_t)t * E * nc;
        if (t > 0) {
            const double *L = ws->Lb + t * EE;
            pw_gemm_sub(L, E, ws->Ub + (t - 1) * EE, E, E, Dg, E);
            pw_gemm_sub(L, E, Yt - (size_t)E * nc, nc, nc, Yt, nc);
        }
        if (pw_lu(Dg, E, ws->piv + t * E) != 0)
            return -1;
        if (t < n - 1)
            pw_lu_solve(Dg, E, ws->piv + t * E, ws->Ub + t * EE, E, E);
        pw_lu_solve(Dg, E, ws->piv + t * E, Yt, nc, nc);
    }
    for (int t = n - 2; t >= 0; t--)
        pw_gemm_sub(ws->Ub + t * EE, E, Y + (size_t)(t + 1) * E * nc, nc, nc,
                    Y + (size_t)t * E * nc, nc);
    double *dw = ws->dx + N;
    if (na > 0) {
        /* (D - C A^-1 B) dw = -G + C A^-1 F */
        for (int a = 0; a < na; a++) {
            const double *Cr = ws->Cm + (size_t)a * N;
            double rhs = a < ws->nact ? -ws->F[N + a] : 0;   /* aux rows: v^T dx - w = 0 */
            for (int row = 0; row < N; row++)
                rhs += Cr[row] * Y[row * nc];
            dw[a] = rhs;
            for (int c = 0; c < na; c++) {
                double s = ws->Dm[a * na + c];
                for (int row = 0; row < N; row++)
                    s -= Cr[row] * Y[row * nc + 1 + c];
                ws->Dm[a * na + c] = s;
            }
        }
        if (pw_lu(ws->Dm, na, ws->spiv) != 0)
            return -1;
        pw_lu_solve(ws->Dm, na, ws->spiv, dw, 1, 1);
    }
    for (int row = 0; row < N; row++) {
        double s = -Y[row * nc];
        for (int c = 0; c < na; c++)
            s -= Y[row * nc + 1 + c] * dw[c];
        ws->dx[row] = s;
    }
    double big = 0;
    for (int k = 0; k < cx->nx; k++) {
        double a = fabs(ws->dx[k]);
        big = a > big || a != a ? a : big;
    }
    if (!isfinite(big))
        return -1;
    if (big > SOLVE_STEP_MAX)
        for (int k = 0; k < cx->nx; k++)
            ws->dx[k] *= SOLVE_STEP_MAX / big;
    return 0;
}

/* ---------- active sets ---------- */

/* As solve.c: adds violated bounds (beyond `slack`), and when `final` drops those whose
 * wedge has the wrong sign. Returns the changes. (The importer bounds need no active
 * set: pw_eval decides them at every point.) */
static int pw_update_active(pctx_t *cx, double slack, int final)
{
    periods_workspace_t *ws = cx->ws;
    int changes = 0, I = ws->I, R = ws->R;
    for (int k = cx->N; k < cx->nx; k++)
        ws->b_omega[ws->act[k - cx->N]] = ws->x[k];
    for (int b = 0; b < ws->nb; b++) {
        int floor = ws->b_kind[b] == PB_FLOOR, r = ws->b_route[b];
        if (ws->b_active[b]) {
            if (final && ((floor && ws->b_omega[b] > 0) || (!floor && ws->b_omega[b] < 0))) {
                ws->b_active[b] = 0;
                ws->b_dropped[b] = 1;
                changes++;
            }
            continue;
        }
        if (!final && ws->b_dropped[b])
            continue;
        double xs = 0, B = ws->b_target[b];
        for (int t = ws->b_first[b]; t <= ws->b_last[b]; t++)
            xs += ws->X[t * R + r];
        /* xs <= 0 (imports of a free importer can be negative on the way): no log
         * to solve for; the bound waits for a point where it has flows */
        if (xs > 0 && ((floor && xs < B * (1 - slack)) || (!floor && xs > B * (1 + slack)))) {
            int j = r % I, t = ws->b_first[b];
            double sg = cx->sh->sigma[j], se = sg + cx->sh->eta[j];
            double dlnx = -sg + se * ws->vs[t * R + r];
            double w0 = xs > 0 && dlnx < 0 ? log(B / xs) / dlnx : 0;
            ws->b_active[b] = 1;
            ws->b_early[b] = (unsigned char)!final;
            ws->b_omega[b] = floor ? fmin(w0, 0) : fmax(w0, 0);
            changes++;
        }
    }
    return changes;
}

/* solve.c's rule: early bounds that do not hold up are dropped (all of them when
 * Newton is in trouble); they come back only on a converged iterate. */
static int pw_drop_unconfirmed(pctx_t *cx, int all)
{
    periods_workspace_t *ws = cx->ws;
    int dropped = 0;
    for (int k = cx->N; k < cx->nx; k++) {
        int b = ws->act[k - cx->N], floor = ws->b_kind[b] == PB_FLOOR;
        double om = ws->x[k];
        if (ws->b_early[b] && (all || (floor && om > 0) || (!floor && om < 0))) {
            ws->b_active[b] = ws->b_early[b] = 0;
            ws->b_dropped[b] = 1;
            dropped++;
        }
    }
    return dropped;
}

static int pw_relayout(pctx_t *cx)
{
    cx->ws->nact = 0;
    if (pw_layout(cx) != 0)
        return SOLVE_BAD_INPUT;
    if (pw_eval(cx) == 0)
        return 0;
    /* a bound just added whose flows vanish at this point: without the early ones */
    if (pw_drop_unconfirmed(cx, 1) == 0 || pw_layout(cx) != 0)
        return SOLVE_NOT_FINITE;
    return pw_eval(cx) == 0 ? 0 : SOLVE_NOT_FINITE;
}

/* The callbacks of newton_run (model_internal.h). */
static int pw_cb_start(void *c)
{
    if (pw_layout(c) != 0)
        return SOLVE_BAD_INPUT;
    return pw_eval(c) == 0 ? 0 : SOLVE_NOT_FINITE;
}

static int pw_cb_eval(void *c)
{
    return pw_eval(c);
}

static int pw_cb_direction(void *c)
{
    pw_importer_derivatives(c);
    pw_blocks(c);
    pw_border(c);
    return pw_direction(c);
}

static int pw_cb_update_active(void *c, double slack, int final)
{
    return pw_update_active(c, slack, final);
}

static int pw_cb_drop_unconfirmed(void *c, int all)
{
    return pw_drop_unconfirmed(c, all);
}

static int pw_cb_relayout(void *c)
{
    return pw_relayout(c);
}

/* newton_run (solve.c's iteration) on the year's system. */
static solve_status_t pw_newton(pctx_t *cx, int *iterations)
{
    periods_workspace_t *ws = cx->ws;
    newton_problem_t p = { cx, ws->x, ws->x0, ws->dx, &cx->nx, cx->N, &cx->merit, &cx->maxres,
                           2 * ws->nb + 8, ws->nb != 0, pw_cb_start, pw_cb_eval,
                           pw_cb_direction, pw_cb_update_active, pw_cb_drop_unconfirmed,
                           pw_cb_relayout };
    return newton_run(&p, iterations);
}

/* ---------- one year ---------- */

/* Warm start of the year from `start` (prices, binding wedges), or baseline prices. */
static void pw_start(pctx_t *cx, const periods_solution_t *start)
{
    periods_workspace_t *ws = cx->ws;
    const periods_market_t *pm = cx->pm;
    int E = ws->E, R = ws->R, warm = start != NULL;
    for (int a = 0; a < cx->N && warm; a++)
        if (!(start->fob_price[cx->t0 * E + a] > 0) || !isfinite(start->fob_price[cx->t0 * E + a]))
            warm = 0;
    for (int t = 0; t < cx->n; t++) {
        int g = cx->t0 + t;
        for (int i = 0; i < E; i++)
            ws->x[t * E + i] = log(warm ? start->fob_price[g * E + i]
                                        : pm->period_market[g]->fob_price[i]);
    }
    if (!warm)
        return;
    for (int b = 0; b < ws->nb; b++) {
        int floor = ws->b_kind[b] == PB_FLOOR;
        double w = ws->b_win[b] >= 0 && ws->b_win[b] < start->max_windows
                       ? start->window_wedge[ws->b_win[b]]
                       : start->wedge[(cx->t0 + ws->b_first[b]) * R + ws->b_route[b]];
        if (isfinite(w) && w > -1 && ((floor && w < 0) || (!floor && w > 0))) {
            ws->b_active[b] = 1;
            ws->b_omega[b] = log1p(w);
        }
    }
}

static void pw_fill(pctx_t *cx, periods_solution_t *sol)
{
    periods_workspace_t *ws = cx->ws;
    const periods_market_t *pm = cx->pm;
    const periods_policy_t *pol = cx->pol;
    const shocks_t *sh = cx->sh;
    int E = ws->E, I = ws->I, R = ws->R, n = cx->n, t0 = cx->t0;
    for (int i = 0; i < E; i++)
        sol->production[cx->y * E + i] = 0;
    for (int t = 0; t < n; t++) {
        int g = t0 + t;
        for (int i = 0; i < E; i++) {
            int a = t * E + i, ga = g * E + i;
            double P = ws->P[a], e = 1 - ws->omx[a];
            sol->fob_price[ga] = P;
            sol->producer_price[ga] = P * ws->omx[a];
            sol->harvest[ga] = ws->H[a];
            sol->domestic_use[ga] = ws->D[a];
            sol->exports[ga] = ws->ex[a];
            sol->stock[ga] = ws->S[a];
            sol->export_tax_revenue[ga] = e * P * ws->ex[a] / 1000;
            sol->production[cx->y * E + i] += ws->H[a];
        }
        for (int j = 0; j < I; j++) {
            int q = t * I + j, gq = g * I + j;
            double imp = 0;
            for (int i = 0; i < E; i++)
                imp += ws->X[t * R + i * I + j];
            sol->price_index[gq] = pm->period_market[g]->price_index[j] * exp(ws->lnpi[q]);
            sol->consumption[gq] = ws->C[q];
            sol->importer_stock[gq] = ws->Z[q];
            sol->composite_imports[gq] = ws->M[q];
            sol->imports[gq] = imp;
            sol->import_bound[gq] = ws->mact[q];
        }
        for (int r = 0; r < R; r++) {
            int a = t * R + r, i = r / I;
            double cif = ws->P[t * E + i] + sh->freight[r], tf = pol->tariff[g * R + r];
            double onepw = ws->on[a] ? ws->onepw[a] : 1, w = onepw - 1, X = ws->X[a];
            sol->flow[g * R + r] = X;
            sol->landed_price[g * R + r] = cif * (1 + tf) * onepw;
            sol->tariff_revenue[g * R + r] = tf * cif * X / 1000;
            sol->wedge[g * R + r] = w;
            sol->transfer[g * R + r] = w * cif * (1 + tf) * X / 1000;
        }
    }
    for (int w = 0; w < pol->n_windows && w < sol->max_windows; w++)
        if (pol->window[w].last >= t0 && pol->window[w].last < t0 + n)
            sol->window_wedge[w] = 0;
    for (int b = 0; b < ws->nb; b++)
        if (ws->b_win[b] >= 0 && pol->window[ws->b_win[b]].last < t0 + n &&
            ws->b_win[b] < sol->max_windows)
            sol->window_wedge[ws->b_win[b]] = ws->b_active[b] ? expm1(ws->b_omega[b]) : 0;
}

/* A year of one period without stocks or windows is Part 1's problem. */
static int pw_is_annual(pctx_t *cx)
{
    const periods_market_t *pm = cx->pm;
    int E = cx->ws->E, I = cx->ws->I, g = cx->t0;
    if (cx->n != 1)
        return 0;
    for (int i = 0; i < E; i++)
        if (cx->ws->sopen[i] != 0 || pm->stock[g * E + i] != 0)
            return 0;
    for (int j = 0; j < I; j++)
        if (cx->ws->zopen[j] != 0 || pm->importer_stock[g * I + j] != 0)
            return 0;
    for (int w = 0; w < cx->pol->n_windows; w++)
        if (cx->pol->window[w].first <= g && cx->pol->window[w].last >= g)
            return 0;
    return 1;
}

static solve_status_t pw_solve_annual(pctx_t *cx, const periods_solution_t *start,
                                      periods_solution_t *sol)
{
    periods_workspace_t *ws = cx->ws;
    const market_t *mk = cx->pm->period_market[cx->t0];
    int E = ws->E, I = ws->I, R = ws->R, g = cx->t0;
    policy_t *p = ws->pol1;
    shocks_t *s = ws->sh1;
    memcpy(p->tariff, cx->pol->tariff + (size_t)g * R, (size_t)R * sizeof(double));
    memcpy(p->export_tax, cx->pol->export_tax + (size_t)g * E, (size_t)E * sizeof(double));
    memcpy(p->floor, cx->pol->floor + (size_t)g * R, (size_t)R * sizeof(double));
    memcpy(p->cap, cx->pol->cap + (size_t)g * R, (size_t)R * sizeof(double));
    memcpy(s->domestic_shock, cx->sh->domestic_shock, (size_t)E * sizeof(double));
    memcpy(s->exchange_rate, cx->sh->exchange_rate, (size_t)E * sizeof(double));
    memcpy(s->eps, cx->sh->eps, (size_t)E * sizeof(double));
    memcpy(s->kappa, cx->sh->kappa, (size_t)E * sizeof(double));
    memcpy(s->demand_shock, cx->sh->demand_shock, (size_t)I * sizeof(double));
    memcpy(s->sigma, cx->sh->sigma, (size_t)I * sizeof(double));
    memcpy(s->eta, cx->sh->eta, (size_t)I * sizeof(double));
    memcpy(s->freight, cx->sh->freight, (size_t)R * sizeof(double));
    s->compliance = cx->sh->compliance;
    for (int i = 0; i < E; i++)
        s->yield[i] = ws->afac[i] == 1 ? cx->sh->yield[i] : cx->sh->yield[i] * ws->afac[i];
    int warm = start != NULL;
    if (warm) {
        memcpy(ws->sol1->fob_price, start->fob_price + (size_t)g * E, (size_t)E * sizeof(double));
        memcpy(ws->sol1->wedge, start->wedge + (size_t)g * R, (size_t)R * sizeof(double));
    }
    solution_t *o = ws->sol1;
    int rc = solve_equilibrium(mk, p, s, warm ? o : NULL, ws->ws1, o);
    if (rc == SOLVE_OK || rc == SOLVE_MAX_ITER || rc == SOLVE_SINGULAR) {
        for (int i = 0; i < E; i++) {
            int ga = g * E + i;
            sol->fob_price[ga] = o->fob_price[i];
            sol->producer_price[ga] = o->producer_price[i];
            sol->harvest[ga] = o->production[i];
            sol->domestic_use[ga] = o->domestic_use[i];
            sol->exports[ga] = o->exports[i];
            sol->stock[ga] = 0;
            sol->export_tax_revenue[ga] = o->export_tax_revenue[i];
            sol->production[cx->y * E + i] = o->production[i];
        }
        for (int j = 0; j < I; j++) {
            int gq = g * I + j;
            sol->price_index[gq] = o->price_index[j];
            sol->consumption[gq] = o->composite_imports[j];
            sol->importer_stock[gq] = 0;
            sol->composite_imports[gq] = o->composite_imports[j];
            sol->imports[gq] = o->imports[j];
            sol->import_bound[gq] = 0;
        }
        memcpy(sol->flow + (size_t)g * R, o->flow, (size_t)R * sizeof(double));
        memcpy(sol->landed_price + (size_t)g * R, o->landed_price, (size_t)R * sizeof(double));
        memcpy(sol->tariff_revenue + (size_t)g * R, o->tariff_revenue, (size_t)R * sizeof(double));
        memcpy(sol->wedge + (size_t)g * R, o->wedge, (size_t)R * sizeof(double));
        memcpy(sol->transfer + (size_t)g * R, o->transfer, (size_t)R * sizeof(double));
    }
    sol->iterations += o->iterations;
    return (solve_status_t)rc;
}

/* Opening stocks and area factor of year y from the solution of the years before. */
static void pw_year_links(pctx_t *cx, const periods_solution_t *sol)
{
    periods_workspace_t *ws = cx->ws;
    const periods_market_t *pm = cx->pm;
    const periods_spec_t *sp = pm->spec;
    int E = ws->E, I = ws->I, y = cx->y;
    for (int i = 0; i < E; i++) {
        double Pe = pm->year_price[y * E + i];   /* first year: its own baseline */
        if (y == 0) {
            ws->sopen[i] = sp->opening_stock[i];
            ws->afac[i] = 1;
        } else {
            int a = pm->year_first[y - 1], b = pm->year_first[y];
            double num = 0, den = 0;
            for (int g = a; g < b; g++) {
                double q = sol->domestic_use[g * E + i] + sol->exports[g * E + i];
                num += sol->producer_price[g * E + i] * q;
                den += q;
            }
            Pe = num / den;
            ws->sopen[i] = sol->stock[(b - 1) * E + i];
            double ka = sp->area_response[i];
            ws->afac[i] = ka == 0 ? 1 : exp(ka * log(Pe / pm->year_price[(y - 1) * E + i]));
        }
        sol->expected_price[y * E + i] = Pe;
    }
    for (int j = 0; j < I; j++)
        ws->zopen[j] = y == 0 ? sp->importer_opening_stock[j]
                              : sol->importer_stock[(pm->year_first[y] - 1) * I + j];
}

int periods_solve(const periods_market_t *pm, const periods_policy_t *policy,
                  const periods_shocks_t *shocks, const periods_solution_t *start,
                  periods_workspace_t *ws, periods_solution_t *sol)
{
    if (!sol)
        return SOLVE_BAD_INPUT;
    sol->iterations = 0;
    sol->failed_year = 0;
    if (!pm || !policy || !shocks || !ws || ws->E != pm->n_exporters ||
        ws->I != pm->n_importers || sol->n_periods != pm->n_periods ||
        sol->n_exporters != ws->E || sol->n_importers != ws->I ||
        policy->n_periods != pm->n_periods || policy->n_exporters != ws->E ||
        policy->n_importers != ws->I || shocks->n_years != pm->n_years ||
        policy->n_windows > ws->max_windows ||
        (start && (start->n_periods != pm->n_periods || start->n_exporters != ws->E ||
                   start->n_importers != ws->I))) {
        sol->status = SOLVE_BAD_INPUT;
        return SOLVE_BAD_INPUT;
    }
    for (int y = 0; y < pm->n_years; y++) {
        const shocks_t *sh = shocks->year[y];
        if (sh->n_exporters != ws->E || sh->n_importers != ws->I) {
            sol->status = SOLVE_BAD_INPUT;
            sol->failed_year = y;
            return SOLVE_BAD_INPUT;
        }
        int t0 = pm->year_first[y], n = pm->year_first[y + 1] - t0;
        pctx_t cx = { pm, policy, sh, ws, y, t0, n, n * ws->E, n * ws->E, 0, 0 };
        pw_year_links(&cx, sol);
        solve_status_t st;
        if (pw_is_annual(&cx)) {
            st = pw_solve_annual(&cx, start, sol);
        } else {
            int its = 0;
            st = (solve_status_t)pw_setup(&cx, sol);
            if (st == SOLVE_OK) {
                pw_start(&cx, start);
                st = pw_newton(&cx, &its);
                if (st == SOLVE_OK || st == SOLVE_MAX_ITER || st == SOLVE_SINGULAR)
                    pw_fill(&cx, sol);
            }
            sol->iterations += its;
        }
        if (st != SOLVE_OK) {
            sol->status = st;
            sol->failed_year = y;
            return (int)st;
        }
    }
    int R = ws->R;
    for (int w = 0; w < policy->n_windows && w < sol->max_windows; w++) {
        const periods_window_t *win = policy->window + w;
        double s = 0;
        for (int g = win->first; g <= win->last; g++)
            s += sol->flow[g * R + win->exporter * ws->I + win->importer];
        sol->window_flow[w] = s;
    }
    sol->failed_year = -1;
    sol->status = SOLVE_OK;
    return 0;
}
