/*
 * periods_jacobian.c - the Newton direction of one year of periods_solve (MODEL.md Part 2):
 * the analytic Jacobian and its factorisation. Internal to models/ (model_internal.h).
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
#include <string.h>

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
void pw_importer_derivatives(pctx_t *cx)
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
void pw_blocks(pctx_t *cx)
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
void pw_border(pctx_t *cx)
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
int pw_direction(pctx_t *cx)
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
