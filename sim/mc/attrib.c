/* attrib.c - see attrib.h. */
#include "attrib.h"
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

void attrib_variance_split(const point_summary_t *ps, size_t v, double *within,
                           double *between)
{
    assert(ps && v < ps->n_vars && within && between);
    size_t V = ps->n_vars;
    double n_all = 0.0, sum = 0.0;
    for (int g = 1; g < ps->n_groups; g++)
        if (ps->draws_ok[g] > 0) {
            n_all += (double)ps->draws_ok[g];
            sum += (double)ps->draws_ok[g] * ps->mean[(size_t)g * V + v];
        }
    *within = *between = NAN;
    if (ps->n_groups < 2 || n_all < 2.0)
        return;
    double mean = sum / n_all, w = 0.0, b = 0.0;
    for (int g = 1; g < ps->n_groups; g++) {
        double n = (double)ps->draws_ok[g];
        if (n == 0.0)
            continue;
        size_t at = (size_t)g * V + v;
        double d = ps->mean[at] - mean;
        b += n * d * d;
        if (n > 1.0)
            w += (n - 1.0) * ps->sd[at] * ps->sd[at];
    }
    *within = w / (n_all - 1.0);
    *between = b / (n_all - 1.0);
}

/* ---- the targets --------------------------------------------------------------------- */

/* What `agtrade summary` prints (sim/cli/cmd_summary.c), whole quantities. */
static const char *const headline[] = {
    "flow", "flow_change", "share", "share_change", "fob_price", "fob_spread",
    "fob_spread_change", "farm_revenue", "farm_revenue_change", "welfare_importer_cs",
    "welfare_tariff_revenue", "welfare_producer_surplus", "welfare_total"};

int attrib_target_parse(const char *name, attrib_target_t *t)
{
    for (int d = 0; d < quantity_def_count; d++) {
        const quantity_def_t *def = &quantity_defs[d];
        int first = def->is_welfare ? FORM_WELFARE : FORM_LEVEL;
        int last = def->is_welfare ? FORM_WELFARE : FORM_CHANGE;
        for (int f = first; f <= last; f++) {
            char stem[96];
            quantity_form_name(def, (quantity_form_t)f, stem, sizeof stem);
            if (!strcmp(stem, name)) {
                t->def = d;
                t->form = (quantity_form_t)f;
                return 0;
            }
        }
    }
    return -1;
}

int attrib_targets(const char *const *extra, int n_extra, attrib_target_t *out, char *err,
                   size_t errlen)
{
    int n_head = (int)(sizeof headline / sizeof headline[0]), n = 0;
    for (int k = 0; k < n_head + n_extra; k++) {
        const char *name = k < n_head ? headline[k] : extra[k - n_head];
        attrib_target_t t;
        if (attrib_target_parse(name, &t)) {
            snprintf(err, errlen, "unknown quantity '%s' (a /summary variable name such as "
                     "'imports' or 'production_change')", name);
            return -1;
        }
        int seen = 0;
        for (int j = 0; j < n; j++)
            seen |= out[j].def == t.def && out[j].form == t.form;
        if (seen)
            continue;
        if (n == ATTRIB_MAX_TARGETS) {
            snprintf(err, errlen, "at most %d quantities are attributed", ATTRIB_MAX_TARGETS);
            return -1;
        }
        out[n++] = t;
    }
    return n;
}

size_t attrib_target_indices(const quantity_layout_t *layout, const attrib_target_t *targets,
                             int n_targets, size_t *index)
{
    size_t n = 0;
    for (int t = 0; t < n_targets; t++) {
        size_t base = quantity_base(layout, targets[t].def, targets[t].form);
        size_t size = quantity_size(layout, targets[t].def);
        for (size_t e = 0; e < size; e++)
            index[n++] = base + e;
    }
    return n;
}

/* ---- streamed co-moments ------------------------------------------------------------ */

/* Offsets into data[]. */
#define A_MEAN(m) ((m)->data + 1)
#define A_CZZ(m) ((m)->data + 1 + (size_t)(m)->k + (m)->h)
#define A_CZX(m) (A_CZZ(m) + (size_t)(m)->k * (size_t)(m)->k)
#define A_CXX(m) (A_CZX(m) + (size_t)(m)->k * (m)->h)

size_t attrib_moments_len(int k, size_t h)
{
    size_t K = (size_t)k;
    return 1 + K + h + K * K + K * h + h;
}

attrib_moments_t *attrib_moments_alloc(int k, size_t h)
{
    attrib_moments_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->k = k;
    m->h = h;
    m->data = calloc(attrib_moments_len(k, h), sizeof(double));
    m->scratch = malloc((h + 1) * sizeof(double));
    if (!m->data || !m->scratch) {
        attrib_moments_free(m);
        return NULL;
    }
    return m;
}

void attrib_moments_free(attrib_moments_t *m)
{
    if (!m)
        return;
    free(m->data);
    free(m->scratch);
    free(m);
}

void attrib_moments_reset(attrib_moments_t *m)
{
    memset(m->data, 0, attrib_moments_len(m->k, m->h) * sizeof(double));
}

double attrib_moments_count(const attrib_moments_t *m) { return m->data[0]; }

/* y += a x over n elements: the bulk of a draw's attribution cost (k h products).
 * restrict and the cheap cost model let GCC vectorise it, and target_clones compiles it
 * for AVX-512, AVX2 and the SSE2 baseline, picked per CPU when the program loads (0.65
 * -> 0.51 us per draw, bench_attrib): every variant's multiply and add round exactly as
 * the scalar ones (no fused multiply-add: -ffp-contract=off), so the bits are the same
 * on every x86-64 CPU (test_attrib: against the update written out in plain C). */
#if defined(__GNUC__) && !defined(__clang__)   /* clang vectorizes it at -O2 anyway */
__attribute__((optimize("tree-loop-vectorize", "vect-cost-model=cheap")))
#endif
__attribute__((target_clones("avx512f", "avx2", "default")))
static void add_scaled(double *restrict y, const double *restrict x, double a, size_t n)
{
    for (size_t t = 0; t < n; t++)
        y[t] += a * x[t];
}

void attrib_moments_add(attrib_moments_t *m, const double *z, const double *x)
{
    size_t K = (size_t)m->k, H = m->h;
    for (size_t i = 0; i < K; i++)
        if (!isfinite(z[i]))
            return;
    for (size_t t = 0; t < H; t++)
        if (!isfinite(x[t]))
            return;
    double n = m->data[0] + 1.0;
    double *mean = A_MEAN(m), *czz = A_CZZ(m), *czx = A_CZX(m), *cxx = A_CXX(m);
    double *mz = mean, *mx = mean + K, *ex = m->scratch;
    /* Welford: C += (y - old mean) (y - new mean)^T; dz holds the old deviations of the
     * scores, ex the new ones of the targets. The C_zx rows are contiguous in t, so the
     * inner loop (the bulk of the cost: k h products) runs over consecutive memory. */
    double dz[ATTRIB_MAX_INPUTS];
    assert(K <= ATTRIB_MAX_INPUTS);
    m->data[0] = n;
    for (size_t i = 0; i < K; i++) {
        dz[i] = z[i] - mz[i];
        mz[i] += dz[i] / n;
    }
    for (size_t i = 0; i < K; i++)
        for (size_t j = i; j < K; j++)
            czz[i * K + j] += dz[i] * (z[j] - mz[j]);
    for (size_t t = 0; t < H; t++) {
        double dx = x[t] - mx[t];
        mx[t] += dx / n;
        ex[t] = x[t] - mx[t];
        cxx[t] += dx * ex[t];
    }
    for (size_t i = 0; i < K; i++)
        add_scaled(czx + i * H, ex, dz[i], H);
}

void attrib_moments_merge(attrib_moments_t *into, const attrib_moments_t *from)
{
    assert(into->k == from->k && into->h == from->h);
    double na = into->data[0], nb = from->data[0];
    if (nb == 0.0)
        return;
    if (na == 0.0) {
        memcpy(into->data, from->data, attrib_moments_len(into->k, into->h) * sizeof(double));
        return;
    }
    size_t K = (size_t)into->k, H = into->h, D = K + H;
    double n = na + nb, w = na * nb / n;
    double *ma = A_MEAN(into);
    const double *mb = A_MEAN(from);
    double *czz = A_CZZ(into), *czx = A_CZX(into), *cxx = A_CXX(into);
    const double *bzz = A_CZZ(from), *bzx = A_CZX(from), *bxx = A_CXX(from);
    double d[ATTRIB_MAX_INPUTS + 1], *dx = into->scratch;
    for (size_t i = 0; i < K; i++)
        d[i] = mb[i] - ma[i];
    for (size_t i = 0; i < K; i++)
        for (size_t j = i; j < K; j++)
            czz[i * K + j] += bzz[i * K + j] + w * d[i] * d[j];
    for (size_t t = 0; t < H; t++) {
        dx[t] = mb[K + t] - ma[K + t];
        cxx[t] += bxx[t] + w * dx[t] * dx[t];
    }
    /* row by row, so that the loop over t runs over consecutive memory (it vectorises);
     * each element's operations are the same in either order of the loops */
    for (size_t i = 0; i < K; i++) {
        double wd = w * d[i];
        for (size_t t = 0; t < H; t++)
            czx[i * H + t] += bzx[i * H + t] + wd * dx[t];
    }
    for (size_t a = 0; a < D; a++)
        ma[a] += (mb[a] - ma[a]) * (nb / n);
    into->data[0] = n;
}

void attrib_finish(const attrib_moments_t *m, double *corr, double *src, double *r2)
{
    size_t K = (size_t)m->k, H = m->h;
    const double *czz = A_CZZ(m), *czx = A_CZX(m), *cxx = A_CXX(m);
    for (size_t t = 0; t < H * K; t++)
        corr[t] = src[t] = NAN;
    for (size_t t = 0; t < H; t++)
        r2[t] = NAN;
    if (K == 0 || m->data[0] < (double)K + 2.0)
        return;
    /* the scores that vary (a fixed input's score is constant) form the regression */
    size_t use[ATTRIB_MAX_INPUTS], n_use = 0;
    for (size_t i = 0; i < K; i++)
        if (czz[i * K + i] > 0.0)
            use[n_use++] = i;
    for (size_t t = 0; t < H; t++)
        for (size_t a = 0; a < n_use; a++) {
            size_t i = use[a];
            if (cxx[t] > 0.0)
                corr[i * H + t] = czx[i * H + t] / sqrt(czz[i * K + i] * cxx[t]);
        }
    if (n_use == 0)
        return;
    gsl_matrix *R = gsl_matrix_alloc(n_use, n_use);
    gsl_vector *b = gsl_vector_alloc(n_use), *x = gsl_vector_alloc(n_use);
    int ok = R && b && x;
    for (size_t a = 0; ok && a < n_use; a++)
        for (size_t c = 0; c < n_use; c++) {
            size_t i = use[a < c ? a : c], j = use[a < c ? c : a];
            gsl_matrix_set(R, a, c, czz[i * K + j] / sqrt(czz[i * K + i] * czz[j * K + j]));
        }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    ok = ok && gsl_linalg_cholesky_decomp1(R) == GSL_SUCCESS;
    for (size_t t = 0; ok && t < H; t++) {
        if (!(cxx[t] > 0.0))
            continue;
        for (size_t a = 0; a < n_use; a++)
            gsl_vector_set(b, a, corr[use[a] * H + t]);
        if (gsl_linalg_cholesky_solve(R, b, x) != GSL_SUCCESS)
            continue;
        double fit = 0.0;
        for (size_t a = 0; a < n_use; a++) {
            src[use[a] * H + t] = gsl_vector_get(x, a);
            fit += gsl_vector_get(x, a) * gsl_vector_get(b, a);
        }
        r2[t] = fit;
    }
    gsl_set_error_handler(old);
    gsl_matrix_free(R);
    gsl_vector_free(b);
    gsl_vector_free(x);
}
