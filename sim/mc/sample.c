/*
 * sample.c - the sampler: the Gaussian copula over the inputs' marginals (dist.c),
 * regimes, and applying inputs to shocks (see sample.h).
 */
#include "sample.h"
#include "error.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>

#include "rng.h"

#define CORRELATION_TOL 1e-12
#define REGIME_SUM_TOL 1e-6

const char *input_target_name(input_target_t target)
{
    switch (target) {
    case TARGET_YIELD: return "yield";
    case TARGET_DOMESTIC_DEMAND: return "domestic_demand";
    case TARGET_EXCHANGE_RATE: return "exchange_rate";
    case TARGET_EPS: return "eps";
    case TARGET_DEMAND: return "demand";
    case TARGET_SIGMA: return "sigma";
    case TARGET_ETA: return "eta";
    case TARGET_FREIGHT_INDEX: return "freight_index";
    case TARGET_FREIGHT_ROUTE: return "freight_route";
    case TARGET_COMPLIANCE: return "compliance";
    case TARGET_NTB: return "ntb";
    }
    return "unknown";
}

/* ---- the sampler -------------------------------------------------------------------- */

struct sampler {
    int n_inputs;
    dist_t *dists;          /* deep copies, empirical values sorted */
    double *shape_a, *shape_b;  /* beta shapes of beta / PERT inputs */
    int n_corr;             /* inputs that go through the copula */
    int *corr_index;        /* their input indices, ascending */
    double *chol;           /* n_corr x n_corr lower Cholesky factor, row-major */
    int n_regimes;
    double *regime_cum;     /* cumulative probabilities, the last exactly 1 */
};

struct sample_workspace {
    gsl_rng *rng;
    double *z;              /* n_corr independent standard normals */
};

static int copy_dists(sampler_t *s, const input_spec_t *inputs, char *err, size_t errlen)
{
    for (int i = 0; i < s->n_inputs; i++) {
        char msg[256];
        if (dist_validate(&inputs[i].dist, msg, sizeof msg)) {
            error_format(err, errlen, "input '%s': %s", inputs[i].name, msg);
            return -1;
        }
        if (dist_copy(&s->dists[i], &inputs[i].dist)) {
            error_format(err, errlen, "out of memory copying input '%s'", inputs[i].name);
            return -1;
        }
        dist_sort_values(&s->dists[i]);
        dist_prepare(&s->dists[i]);
        double lo, hi;
        if (s->dists[i].kind == DIST_BETA || s->dists[i].kind == DIST_PERT)
            dist_beta_shape(&s->dists[i], &s->shape_a[i], &s->shape_b[i], &lo, &hi);
    }
    return 0;
}

/* The first entry breaking a rule: *at_i, *at_j (lower triangle, i >= j) when not NULL. */
static int check_correlation(const input_spec_t *inputs, int n, const double *c, int *at_i,
                             int *at_j, char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        if (!(fabs(c[i * n + i] - 1.0) <= CORRELATION_TOL)) {
            error_format(err, errlen, "correlation of input '%s' with itself must be 1 (got %g)",
                    inputs[i].name, c[i * n + i]);
            if (at_i)
                *at_i = *at_j = i;
            return -1;
        }
        for (int j = 0; j < i; j++) {
            double r = c[i * n + j], rt = c[j * n + i];
            if (!(fabs(r) <= 1.0) || !(fabs(r - rt) <= CORRELATION_TOL)) {
                error_format(err, errlen, "correlation of inputs '%s' and '%s' must be "
                        "symmetric and within [-1, 1] (got %g and %g)",
                        inputs[i].name, inputs[j].name, r, rt);
                if (at_i) {
                    *at_i = i;
                    *at_j = j;
                }
                return -1;
            }
        }
    }
    return 0;
}

/* Cholesky factor of the k x k leading block of the correlated inputs' matrix into
 * m (resized view); GSL_EDOM when that block is not positive definite. */
static int cholesky_leading(const sampler_t *s, int n, const double *c, int k,
                            gsl_matrix *m)
{
    gsl_matrix_view block = gsl_matrix_submatrix(m, 0, 0, (size_t)k, (size_t)k);
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++)
            gsl_matrix_set(&block.matrix, (size_t)a, (size_t)b,
                           c[s->corr_index[a] * n + s->corr_index[b]]);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_linalg_cholesky_decomp1(&block.matrix);
    gsl_set_error_handler(old);
    return status;
}

/* *bad (when not NULL) receives the input named in a "not positive definite" message. */
static int setup_copula(sampler_t *s, const input_spec_t *inputs, const double *c, int *bad_input,
                        char *err, size_t errlen)
{
    int n = s->n_inputs;
    if (check_correlation(inputs, n, c, NULL, NULL, err, errlen))
        return -1;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            if (j != i && c[i * n + j] != 0.0) {
                s->corr_index[s->n_corr++] = i;
                break;
            }
        }
    }
    if (s->n_corr == 0)
        return 0;
    int k = s->n_corr;
    gsl_matrix *m = gsl_matrix_alloc((size_t)k, (size_t)k);
    s->chol = calloc((size_t)k * (size_t)k, sizeof *s->chol);
    if (!m || !s->chol) {
        gsl_matrix_free(m);
        error_format(err, errlen, "out of memory for the correlation matrix");
        return -1;
    }
    int status = cholesky_leading(s, n, c, k, m);
    if (status) {
        /* Name the first input whose row makes a leading block non-positive-definite:
         * that is where the matrix stops being a correlation matrix. */
        int bad = k;
        for (int kk = 2; kk < k; kk++) {
            if (cholesky_leading(s, n, c, kk, m)) {
                bad = kk;
                break;
            }
        }
        error_format(err, errlen, "correlation matrix is not positive definite: input '%s' "
                "is inconsistent with the correlations of the inputs listed before it "
                "(a correlation of +-1 is not allowed either)",
                inputs[s->corr_index[bad - 1]].name);
        if (bad_input)
            *bad_input = s->corr_index[bad - 1];
        gsl_matrix_free(m);
        return -1;
    }
    for (int a = 0; a < k; a++)
        for (int b = 0; b <= a; b++)
            s->chol[a * k + b] = gsl_matrix_get(m, (size_t)a, (size_t)b);
    gsl_matrix_free(m);
    return 0;
}

int sample_check_correlation(const input_spec_t *inputs, int n_inputs,
                             const double *correlation, int *at_i, int *at_j, char *err,
                             size_t errlen)
{
    *at_i = *at_j = -1;
    if (check_correlation(inputs, n_inputs, correlation, at_i, at_j, err, errlen))
        return -1;
    sampler_t s = {.n_inputs = n_inputs};
    s.corr_index = calloc((size_t)n_inputs + 1, sizeof *s.corr_index);
    if (!s.corr_index) {
        error_format(err, errlen, "out of memory for the correlation matrix");
        return -1;
    }
    int rc = setup_copula(&s, inputs, correlation, at_i, err, errlen);
    free(s.corr_index);
    free(s.chol);
    return rc;
}

static int setup_regimes(sampler_t *s, const double *prob, int n, char *err,
                         size_t errlen)
{
    if (n == 0)
        return 0;
    if (!prob) {
        error_format(err, errlen, "%d regimes but no probabilities", n);
        return -1;
    }
    double sum = 0.0;
    for (int r = 0; r < n; r++) {
        if (!(prob[r] >= 0.0) || !isfinite(prob[r])) {
            error_format(err, errlen, "regime %d: probability must be >= 0 (got %g)", r + 1,
                    prob[r]);
            return -1;
        }
        sum += prob[r];
    }
    if (!(fabs(sum - 1.0) <= REGIME_SUM_TOL)) {
        error_format(err, errlen, "regime probabilities must sum to 1 (got %.9g)", sum);
        return -1;
    }
    s->regime_cum = malloc((size_t)n * sizeof *s->regime_cum);
    if (!s->regime_cum) {
        error_format(err, errlen, "out of memory for regimes");
        return -1;
    }
    double cum = 0.0;
    int last_positive = 0;
    for (int r = 0; r < n; r++) {
        cum += prob[r];
        s->regime_cum[r] = cum / sum;
        if (prob[r] > 0.0)
            last_positive = r;
    }
    /* u < 1 always: the last regime with positive probability takes whatever rounding
     * left above its cumulative sum, and zero-probability regimes after it are never
     * reached. */
    for (int r = last_positive; r < n; r++)
        s->regime_cum[r] = 1.0;
    s->n_regimes = n;
    return 0;
}

sampler_t *sampler_alloc(const input_spec_t *inputs, int n_inputs,
                         const double *correlation, const double *regime_prob,
                         int n_regimes, char *err, size_t errlen)
{
    if (n_inputs < 0 || n_regimes < 0 || (n_inputs > 0 && !inputs)) {
        error_format(err, errlen, "bad sampler arguments (%d inputs, %d regimes)", n_inputs,
                n_regimes);
        return NULL;
    }
    sampler_t *s = calloc(1, sizeof *s);
    if (!s) {
        error_format(err, errlen, "out of memory for the sampler");
        return NULL;
    }
    size_t n = n_inputs > 0 ? (size_t)n_inputs : 1;
    s->n_inputs = n_inputs;
    s->dists = calloc(n, sizeof *s->dists);
    s->shape_a = calloc(n, sizeof *s->shape_a);
    s->shape_b = calloc(n, sizeof *s->shape_b);
    s->corr_index = calloc(n, sizeof *s->corr_index);
    if (!s->dists || !s->shape_a || !s->shape_b || !s->corr_index) {
        error_format(err, errlen, "out of memory for the sampler");
        sampler_free(s);
        return NULL;
    }
    if (copy_dists(s, inputs, err, errlen)
        || (correlation && setup_copula(s, inputs, correlation, NULL, err, errlen))
        || setup_regimes(s, regime_prob, n_regimes, err, errlen)) {
        sampler_free(s);
        return NULL;
    }
    return s;
}

void sampler_free(sampler_t *s)
{
    if (!s)
        return;
    if (s->dists)
        for (int i = 0; i < s->n_inputs; i++)
            dist_free_values(&s->dists[i]);
    free(s->dists);
    free(s->shape_a);
    free(s->shape_b);
    free(s->corr_index);
    free(s->chol);
    free(s->regime_cum);
    free(s);
}

int sampler_n_inputs(const sampler_t *s)
{
    return s->n_inputs;
}

sample_workspace_t *sample_workspace_alloc(const sampler_t *s)
{
    sample_workspace_t *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->rng = rng_alloc();
    ws->z = calloc(s->n_corr > 0 ? (size_t)s->n_corr : 1, sizeof *ws->z);
    if (!ws->rng || !ws->z) {
        sample_workspace_free(ws);
        return NULL;
    }
    return ws;
}

void sample_workspace_free(sample_workspace_t *ws)
{
    if (!ws)
        return;
    if (ws->rng)
        gsl_rng_free(ws->rng);
    free(ws->z);
    free(ws);
}

/* Phi^-1(u), u kept off 0 and 1 so that the score stays finite at a bounded support's
 * ends. */
static double score_of_uniform(double u)
{
    const double tiny = 1e-300, top = 1.0 - 1e-16;
    return gsl_cdf_ugaussian_Pinv(u < tiny ? tiny : u > top ? top : u);
}

/* An independent draw from input i's marginal, by the fastest exact method. *score (when
 * score is not NULL) gets the value's standard normal score where the method makes it
 * on the way: the standard normal a normal or lognormal value was made from, Phi^-1 of
 * the uniform an inverse-CDF value was made from (so no CDF is evaluated back: 8 of the
 * default scenario's inputs saved a normal CDF each per draw), 0 for a fixed value;
 * NAN otherwise (normal_score then reads it off the value). A normal's or lognormal's
 * value is p0 + p1 z, the ziggurat's sigma z by another name: the same bits. */
static double draw_direct(const sampler_t *s, int i, gsl_rng *r, double *score)
{
    const dist_t *d = &s->dists[i];
    double z, u, x;
    switch (d->kind) {
    case DIST_FIXED:
        x = d->p[0];
        z = 0.0;
        break;
    case DIST_NORMAL:
        z = gsl_ran_gaussian_ziggurat(r, 1.0);
        x = d->p[0] + d->p[1] * z;
        break;
    case DIST_LOGNORMAL:
        z = gsl_ran_gaussian_ziggurat(r, 1.0);
        x = exp(d->p[0] + d->p[1] * z);
        break;
    case DIST_UNIFORM:
        u = gsl_rng_uniform(r);
        x = d->p[0] + u * (d->p[1] - d->p[0]);
        z = score ? score_of_uniform(u) : NAN;
        break;
    case DIST_TRUNCNORMAL:
    case DIST_TRIANGULAR:
        u = gsl_rng_uniform(r);
        x = dist_quantile(d, u);
        z = score ? score_of_uniform(u) : NAN;
        break;
    case DIST_BETA:
        x = d->p[2] + (d->p[3] - d->p[2]) * gsl_ran_beta(r, s->shape_a[i], s->shape_b[i]);
        z = NAN;
        break;
    case DIST_PERT:
        x = d->p[0] + (d->p[2] - d->p[0]) * gsl_ran_beta(r, s->shape_a[i], s->shape_b[i]);
        z = NAN;
        break;
    case DIST_EMPIRICAL:
        x = d->values[gsl_rng_uniform_int(r, d->n_values)];
        z = NAN;
        break;
    default:   /* sampler_alloc validated every dist */
        assert(!"unknown distribution kind");
        x = z = NAN;
        break;
    }
    if (score)
        *score = z;
    return x;
}

/* Input i's value for the correlated standard normal zc. */
static double from_normal_score(const dist_t *d, double zc)
{
    switch (d->kind) {
    case DIST_NORMAL:
        return d->p[0] + d->p[1] * zc;
    case DIST_LOGNORMAL:
        return exp(d->p[0] + d->p[1] * zc);
    default:
        return dist_quantile(d, gsl_cdf_ugaussian_P(zc));
    }
}

/* The standard normal score of value x of a directly drawn input that draw_direct gave
 * none (beta, PERT, empirical): Phi^-1(F(x)), which is what the copula's map inverts,
 * so correlated and independent inputs get the same score for the same value. A
 * discrete empirical value takes the middle of its probability step (values assumed
 * distinct). */
static double normal_score(const dist_t *d, double x)
{
    double u = dist_cdf(d, x);
    if (d->kind == DIST_EMPIRICAL)
        u -= 0.5 / (double)d->n_values;
    return score_of_uniform(u);
}

int sampler_draw(const sampler_t *s, sample_workspace_t *ws, uint64_t seed,
                 uint64_t draw, double *values, int *regime)
{
    return sampler_draw_scores(s, ws, seed, draw, values, NULL, regime);
}

int sampler_draw_scores(const sampler_t *s, sample_workspace_t *ws, uint64_t seed,
                        uint64_t draw, double *values, double *z, int *regime)
{
    return sampler_draw_design(s, ws, seed, draw, draw, -1, values, z, regime);
}

int sampler_draw_design(const sampler_t *s, sample_workspace_t *ws, uint64_t seed,
                        uint64_t draw, uint64_t alt, int swap, double *values, double *z,
                        int *regime)
{
    gsl_rng *r = ws->rng;
    int next_corr = 0;
    for (int i = 0; i < s->n_inputs; i++) {
        rng_set_stream(r, seed, i == swap ? alt : draw, (uint32_t)i);
        if (next_corr < s->n_corr && s->corr_index[next_corr] == i)
            ws->z[next_corr++] = gsl_ran_gaussian_ziggurat(r, 1.0);
        else
            values[i] = draw_direct(s, i, r, z ? &z[i] : NULL);
    }
    int k = s->n_corr;
    for (int a = 0; a < k; a++) {
        double zc = 0.0;
        for (int b = 0; b <= a; b++)
            zc += s->chol[a * k + b] * ws->z[b];
        int i = s->corr_index[a];
        values[i] = from_normal_score(&s->dists[i], zc);
        if (z)
            z[i] = zc;
    }
    /* the scores draw_direct did not give are read off the values drawn: they use no
     * random numbers */
    for (int i = 0, a = 0; z && i < s->n_inputs; i++) {
        if (a < k && s->corr_index[a] == i) {
            a++;
            continue;
        }
        if (isnan(z[i]))
            z[i] = normal_score(&s->dists[i], values[i]);
    }
    if (regime) {
        *regime = -1;
        if (s->n_regimes > 0) {
            rng_set_stream(r, seed, swap == s->n_inputs ? alt : draw, SAMPLE_REGIME_STREAM);
            double u = gsl_rng_uniform(r);
            int g = 0;
            while (g < s->n_regimes - 1 && !(u < s->regime_cum[g]))
                g++;
            *regime = g;
        }
    }
    return 0;
}

/* ---- applying inputs to shocks ------------------------------------------------------ */

static void apply_one(double *param, input_apply_t how, double value)
{
    *param = how == APPLY_OVERRIDE ? value : *param * value;
}

void sample_apply(const input_spec_t *inputs, int n_inputs, const double *values,
                  const market_t *market, shocks_t *shocks)
{
    shocks_reset_baseline(shocks, market);
    int ne = shocks->n_exporters, ni = shocks->n_importers;
    for (int k = 0; k < n_inputs; k++) {
        const input_spec_t *in = &inputs[k];
        int e = in->exporter, m = in->importer;
        int has_e = e >= 0 && e < ne, has_m = m >= 0 && m < ni;
        double x = values[k];
        switch (in->target) {
        case TARGET_YIELD:
            if (has_e) apply_one(&shocks->yield[e], in->apply, x);
            break;
        case TARGET_DOMESTIC_DEMAND:
            if (has_e) apply_one(&shocks->domestic_shock[e], in->apply, x);
            break;
        case TARGET_EXCHANGE_RATE:
            if (has_e) apply_one(&shocks->exchange_rate[e], in->apply, x);
            break;
        case TARGET_EPS:
            if (has_e) apply_one(&shocks->eps[e], in->apply, x);
            break;
        case TARGET_DEMAND:
            if (has_m) apply_one(&shocks->demand_shock[m], in->apply, x);
            break;
        case TARGET_SIGMA:
            if (has_m) apply_one(&shocks->sigma[m], in->apply, x);
            break;
        case TARGET_ETA:
            if (has_m) apply_one(&shocks->eta[m], in->apply, x);
            break;
        case TARGET_FREIGHT_INDEX:
            for (int r = 0; r < ne * ni; r++)
                apply_one(&shocks->freight[r], in->apply, x);
            break;
        case TARGET_FREIGHT_ROUTE:
            if (has_e && has_m) apply_one(&shocks->freight[e * ni + m], in->apply, x);
            break;
        case TARGET_COMPLIANCE:
            apply_one(&shocks->compliance, in->apply, x);
            shocks->compliance = shocks->compliance < 0.0 ? 0.0
                                 : shocks->compliance > 1.0 ? 1.0 : shocks->compliance;
            break;
        case TARGET_NTB:   /* a policy, not a shock: sample_apply_barriers */
            break;
        }
    }
}

int sample_apply_barriers(const input_spec_t *inputs, int n_inputs, const double *values,
                          const policy_t *policy, policy_t *out)
{
    int ne = policy->n_exporters, ni = policy->n_importers, any = 0;
    for (int k = 0; k < n_inputs; k++) {
        const input_spec_t *in = &inputs[k];
        if (in->target != TARGET_NTB || in->exporter < 0 || in->exporter >= ne ||
            in->importer < 0 || in->importer >= ni)
            continue;
        if (!any)
            policy_copy_into(out, policy);
        any = 1;
        out->tariff[in->exporter * ni + in->importer] += values[k];
    }
    return any;
}
