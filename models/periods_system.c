/*
 * periods_system.c - the Newton system of one year of periods_solve (MODEL.md Part 2):
 * the year's constants and bounds (setup), every quantity and residual at a point
 * (evaluation, which also decides the importer bounds M = max(0, Mr); why:
 * periods_jacobian.c), the active set of the window bounds, and the callbacks that hand
 * the system to newton_run. Internal to models/ (model_internal.h).
 */
#include "periods.h"
#include "model_internal.h"

#include <math.h>

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
int pw_setup(pctx_t *cx, const periods_solution_t *sol)
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
solve_status_t pw_newton(pctx_t *cx, int *iterations)
{
    periods_workspace_t *ws = cx->ws;
    newton_problem_t p = { cx, ws->x, ws->x0, ws->dx, &cx->nx, cx->N, &cx->merit, &cx->maxres,
                           2 * ws->nb + 8, ws->nb != 0, pw_cb_start, pw_cb_eval,
                           pw_cb_direction, pw_cb_update_active, pw_cb_drop_unconfirmed,
                           pw_cb_relayout };
    return newton_run(&p, iterations);
}

