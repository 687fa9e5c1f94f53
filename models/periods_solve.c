/*
 * periods_solve.c - the multi-period equilibrium of MODEL.md Part 2 (see models/README.md,
 * "Part 2"). Years are solved in order; within a year, Newton on ln P_it (plus ln(1 + w)
 * of each active bound) with the analytic Jacobian.
 *
 * A year of one period with no stocks anywhere and no windows is exactly Part 1's
 * problem: it is handed to solve_equilibrium(), so that such a calendar gives Part 1's
 * results bit for bit.
 *
 * Here: the workspace and the year recursion. The system of one year (setup, evaluation,
 * active window bounds) is periods_system.c, its Newton direction (the block-tridiagonal
 * Jacobian and its factorisation) periods_jacobian.c; what they share is declared in
 * model_internal.h.
 */
#include "periods.h"
#include "model_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------- allocation ---------- */

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
    ws->hbase = solve_calloc(nE, d); ws->hc = solve_calloc(nE, d); ws->dbase = solve_calloc(nE, d);
    ws->dc = solve_calloc(nE, d); ws->sb = solve_calloc(nE, d); ws->sq = solve_calloc(nE, d);
    ws->scale = solve_calloc(nE, d); ws->omx = solve_calloc(nE, d);
    ws->cbase = solve_calloc(nI, d); ws->zb = solve_calloc(nI, d);
    ws->kroute = solve_calloc(nR, d);
    ws->onepw = solve_calloc(nR, d);
    ws->removed = solve_calloc(nI, d);
    ws->on = solve_calloc(nR, 1);
    ws->sopen = solve_calloc(E, d); ws->zopen = solve_calloc(I, d); ws->afac = solve_calloc(E, d);
    ws->P = solve_calloc(nE, d); ws->H = solve_calloc(nE, d); ws->D = solve_calloc(nE, d);
    ws->S = solve_calloc(nE, d); ws->ex = solve_calloc(nE, d);
    ws->lnpi = solve_calloc(nI, d); ws->C = solve_calloc(nI, d); ws->Zr = solve_calloc(nI, d);
    ws->Z = solve_calloc(nI, d); ws->Mr = solve_calloc(nI, d); ws->M = solve_calloc(nI, d);
    ws->mc = solve_calloc(3 * nI, d);
    ws->zd = solve_calloc(3 * nI, d);
    ws->mact = solve_calloc(nI, 1);
    ws->rsig = solve_calloc(nR, d); ws->vs = solve_calloc(nR, d); ws->phi = solve_calloc(nR, d);
    ws->X = solve_calloc(nR, d); ws->theta = solve_calloc(nR, d); ws->cj = solve_calloc(nR, d);
    ws->b_route = solve_calloc(B, sizeof(int)); ws->b_first = solve_calloc(B, sizeof(int));
    ws->b_last = solve_calloc(B, sizeof(int)); ws->b_kind = solve_calloc(B, sizeof(int));
    ws->b_win = solve_calloc(B, sizeof(int)); ws->act = solve_calloc(A, sizeof(int));
    ws->b_target = solve_calloc(B, d); ws->b_logtarget = solve_calloc(B, d);
    ws->b_omega = solve_calloc(B, d); ws->b_xsum = solve_calloc(B, d);
    ws->b_active = solve_calloc(B, 1);
    ws->b_dropped = solve_calloc(B, 1);
    ws->b_early = solve_calloc(B, 1);
    ws->x = solve_calloc(nE + A, d);
    ws->x0 = solve_calloc(nE + A, d);
    ws->dx = solve_calloc(nE + A, d);
    ws->F = solve_calloc(nE + A, d);
    ws->Lb = solve_calloc(n * E * E, d);
    ws->Db = solve_calloc(n * E * E, d);
    ws->Ub = solve_calloc(n * E * E, d);
    ws->Y = solve_calloc(nE * nc, d);
    ws->Cm = solve_calloc(A * nE, d);
    ws->Dm = solve_calloc(A * A, d);
    ws->piv = solve_calloc(nE, sizeof(int)); ws->spiv = solve_calloc(A, sizeof(int));
    ws->aux_j = solve_calloc((size_t)ws->maxaux, sizeof(int));
    ws->aux_t = solve_calloc((size_t)ws->maxaux, sizeof(int));
    ws->aux_far = solve_calloc((size_t)ws->maxaux * n, d);
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
