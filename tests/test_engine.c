/*
 * test_engine.c - the Monte Carlo engine: reproducibility whatever the thread count,
 * common random numbers, failed draws counted and excluded, quantiles within their
 * stated error bound, interruption at a chunk edge.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "engine.h"
#include "solve_batch.h"
#include "quantities.h"
#include "sample.h"
#include "stats.h"
#include "model_fixture.h"

#define N_INPUTS 5

typedef struct {
    market_t *market;
    quantity_layout_t layout;
    input_spec_t inputs[N_INPUTS];
    sampler_t *sampler;
    policy_t *reference, *scenario, *escalation;
    const policy_t *regimes[2];
    engine_threshold_t threshold;
    engine_spec_t spec;
} fixture_t;

static void set_input(input_spec_t *in, const char *name, input_target_t target, int exporter,
                      int importer, dist_kind_t kind, double p0, double p1)
{
    memset(in, 0, sizeof *in);
    snprintf(in->name, sizeof in->name, "%s", name);
    in->target = target;
    in->exporter = exporter;
    in->importer = importer;
    in->apply = APPLY_MULTIPLY;
    in->dist.kind = kind;
    in->dist.p[0] = p0;
    in->dist.p[1] = p1;
}

/* A realistic run: yield, demand and elasticity uncertainty, two regimes (a 28 % and a
 * 138 % tariff on US -> China) with probabilities 0.635 / 0.365. */
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    market_spec_t *spec = fixture_default_spec();
    char why[256];
    f->market = market_calibrate(spec, why, sizeof why);
    market_spec_free(spec);
    assert_non_null(f->market);
    quantity_layout_init(&f->layout, 5, 3);
    set_input(&f->inputs[0], "yield_US", TARGET_YIELD, 0, -1, DIST_NORMAL, 1.0, 0.061);
    set_input(&f->inputs[1], "yield_Brazil", TARGET_YIELD, 1, -1, DIST_NORMAL, 1.0, 0.067);
    set_input(&f->inputs[2], "sigma_China", TARGET_SIGMA, -1, 0, DIST_LOGNORMAL, 0.0, 0.41);
    set_input(&f->inputs[3], "demand_China", TARGET_DEMAND, -1, 0, DIST_NORMAL, 1.0, 0.027);
    set_input(&f->inputs[4], "freight", TARGET_FREIGHT_INDEX, -1, -1, DIST_UNIFORM, 0.83, 1.21);
    double corr[N_INPUTS * N_INPUTS] = {0};
    for (int i = 0; i < N_INPUTS; i++)
        corr[i * N_INPUTS + i] = 1;
    corr[0 * N_INPUTS + 1] = corr[1 * N_INPUTS + 0] = 0.37;
    double prob[2] = {0.635, 0.365};
    char err[256];
    f->sampler = sampler_alloc(f->inputs, N_INPUTS, corr, prob, 2, err, sizeof err);
    assert_non_null(f->sampler);
    f->reference = policy_alloc_baseline(f->market);
    f->scenario = policy_copy(f->reference);
    f->escalation = policy_copy(f->reference);
    f->scenario->tariff[0] = 0.28;
    f->escalation->tariff[0] = 1.38;
    f->regimes[0] = f->scenario;
    f->regimes[1] = f->escalation;
    f->threshold.index = quantity_index(&f->layout, "flow", FORM_LEVEL, 0, 0);
    f->threshold.value = 5.0;
    f->threshold.above = 0;
    engine_spec_t *s = &f->spec;
    s->market = f->market;
    s->layout = &f->layout;
    s->sampler = f->sampler;
    s->inputs = f->inputs;
    s->n_inputs = N_INPUTS;
    s->reference = f->reference;
    s->scenario = f->scenario;
    s->regimes = f->regimes;
    s->n_regimes = 2;
    s->thresholds = &f->threshold;
    s->n_thresholds = 1;
    s->seed = 20251130;
    s->draws = 2 * ENGINE_CHUNK_BLOCKS * ENGINE_BLOCK_DRAWS / 3 + 77;   /* partial blocks */
    s->mpi_size = 1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    sampler_free(f->sampler);
    policy_free(f->reference);
    policy_free(f->scenario);
    policy_free(f->escalation);
    market_free(f->market);
    free(f);
    return 0;
}

static point_summary_t *run(const engine_spec_t *spec)
{
    point_summary_t *ps = point_summary_alloc(spec->layout->n_vars, 1 + spec->n_regimes,
                                              spec->n_thresholds);
    char err[256];
    int rc = engine_run_point(spec, ps, err, sizeof err);
    if (rc != ENGINE_OK)
        print_error("engine: %s\n", err);
    assert_int_equal(rc, ENGINE_OK);
    return ps;
}

static void assert_same_bits(const void *a, const void *b, size_t bytes, const char *what)
{
    if (memcmp(a, b, bytes) != 0) {
        print_error("%s differs\n", what);
        fail();
    }
}

static void assert_summaries_identical(const point_summary_t *a, const point_summary_t *b)
{
    size_t GV = (size_t)a->n_groups * a->n_vars, V = a->n_vars;
    size_t GT = (size_t)a->n_groups * (size_t)a->n_thresholds;
    assert_same_bits(a->draws_ok, b->draws_ok, (size_t)a->n_groups * 8, "draws_ok");
    assert_same_bits(a->mean, b->mean, GV * 8, "mean");
    assert_same_bits(a->sd, b->sd, GV * 8, "sd");
    assert_same_bits(a->min, b->min, GV * 8, "min");
    assert_same_bits(a->max, b->max, GV * 8, "max");
    assert_same_bits(a->quantile, b->quantile, GV * SUMMARY_N_QUANTILES * 8, "quantiles");
    assert_same_bits(a->hist, b->hist, V * SUMMARY_HIST_BINS * 8, "histograms");
    assert_same_bits(a->hist_edges, b->hist_edges, V * (SUMMARY_HIST_BINS + 1) * 8, "edges");
    assert_same_bits(a->threshold_prob, b->threshold_prob, GT * 8, "threshold probabilities");
}

static void test_summaries_are_bitwise_identical_for_1_2_3_and_8_threads(void **state)
{
    fixture_t *f = *state;
    f->spec.threads = 1;
    point_summary_t *one = run(&f->spec);
    assert_true(one->draws_ok[0] + one->draws_failed[0] == f->spec.draws);
    static const int counts[3] = {2, 3, 8};
    for (int k = 0; k < 3; k++) {
        f->spec.threads = counts[k];
        point_summary_t *many = run(&f->spec);
        assert_summaries_identical(one, many);
        point_summary_free(many);
    }
    point_summary_free(one);
}

/* Raw draws collected through the engine's callback. */
typedef struct {
    size_t n_vars;
    uint64_t n;
    double *values;
    int32_t *regime, *status;
} collected_t;

static int collect(void *ctx, uint64_t first, uint64_t n, const double *values,
                   const int32_t *regime, const int32_t *status, const int32_t *iterations)
{
    collected_t *c = ctx;
    (void)iterations;
    memcpy(c->values + first * c->n_vars, values, n * c->n_vars * sizeof(double));
    memcpy(c->regime + first, regime, n * sizeof(int32_t));
    memcpy(c->status + first, status, n * sizeof(int32_t));
    c->n += n;
    return 0;
}

static collected_t *run_collect(engine_spec_t *spec, point_summary_t **ps)
{
    collected_t *c = calloc(1, sizeof *c);
    c->n_vars = spec->layout->n_vars;
    c->values = malloc(spec->draws * c->n_vars * sizeof(double));
    c->regime = malloc(spec->draws * sizeof(int32_t));
    c->status = malloc(spec->draws * sizeof(int32_t));
    spec->raw = collect;
    spec->raw_ctx = c;
    *ps = run(spec);
    spec->raw = NULL;
    assert_int_equal(c->n, spec->draws);
    return c;
}

static void collected_free(collected_t *c)
{
    free(c->values);
    free(c->regime);
    free(c->status);
    free(c);
}

static void test_scenario_equal_to_reference_changes_nothing_in_any_draw(void **state)
{
    fixture_t *f = *state;
    f->spec.scenario = f->reference;
    f->spec.n_regimes = 0;
    f->spec.draws = 1234;
    point_summary_t *ps;
    collected_t *c = run_collect(&f->spec, &ps);
    const quantity_layout_t *lay = &f->layout;
    for (uint64_t d = 0; d < c->n; d++) {
        const double *row = c->values + d * lay->n_vars;
        assert_int_equal(c->status[d], 0);
        for (size_t v = 0; v < lay->n_level; v++)
            if (row[2 * lay->n_level + v] != 0.0 && !isnan(row[2 * lay->n_level + v]))
                fail_msg("draw %llu: change of value %zu is %g, not 0", (unsigned long long)d, v,
                         row[2 * lay->n_level + v]);
        assert_true(row[quantity_index(lay, "welfare_total", FORM_WELFARE, -1, -1)] == 0.0);
    }
    long flow_change = quantity_index(lay, "flow", FORM_CHANGE, 0, 0);
    assert_true(ps->mean[flow_change] == 0.0 && ps->sd[flow_change] == 0.0);
    point_summary_free(ps);
    collected_free(c);
}

static void test_draws_see_the_same_shocks_under_every_policy(void **state)
{
    fixture_t *f = *state;
    f->spec.n_regimes = 0;
    f->spec.draws = 999;
    point_summary_t *a, *b;
    collected_t *ca = run_collect(&f->spec, &a);
    f->spec.scenario = f->escalation;
    collected_t *cb = run_collect(&f->spec, &b);
    const quantity_layout_t *lay = &f->layout;
    /* reference levels depend on the shocks only, so they agree draw by draw */
    for (uint64_t d = 0; d < ca->n; d++)
        assert_memory_equal(ca->values + d * lay->n_vars + lay->n_level,
                            cb->values + d * lay->n_vars + lay->n_level,
                            lay->n_level * sizeof(double));
    long us_china = quantity_index(lay, "flow", FORM_LEVEL, 0, 0);
    assert_true(b->mean[us_china] < a->mean[us_china]);   /* 138 % cuts more than 28 % */
    point_summary_free(a);
    point_summary_free(b);
    collected_free(ca);
    collected_free(cb);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_quantiles_lie_within_their_error_bound_of_the_exact_ones(void **state)
{
    fixture_t *f = *state;
    f->spec.draws = 20011;
    point_summary_t *ps;
    collected_t *c = run_collect(&f->spec, &ps);
    static const char *const names[3] = {"flow", "share", "fob_price"};
    for (int k = 0; k < 3; k++) {
        long v = quantity_index(&f->layout, names[k], FORM_LEVEL, k == 2 ? 1 : 0, 0);
        double *sorted = malloc(c->n * sizeof(double));
        size_t n = 0;
        for (uint64_t d = 0; d < c->n; d++)
            if (!c->status[d])
                sorted[n++] = c->values[d * c->n_vars + (size_t)v];
        qsort(sorted, n, sizeof(double), compare_doubles);
        for (int q = 0; q < SUMMARY_N_QUANTILES; q++) {
            double exact = sorted[(size_t)(summary_quantile_probs[q] * (double)(n - 1))];
            double bound = ps->quantile_error[v];
            /* one order statistic either way is within the bound plus the local spacing */
            size_t at = (size_t)(summary_quantile_probs[q] * (double)(n - 1));
            double spacing = sorted[at + 1 < n ? at + 1 : at] - sorted[at > 0 ? at - 1 : 0];
            assert_close(ps->quantile[(size_t)v * SUMMARY_N_QUANTILES + (size_t)q], exact, 0,
                         bound + spacing);
        }
        free(sorted);
    }
    point_summary_free(ps);
    collected_free(c);
}

static void test_failed_draws_are_counted_and_left_out(void **state)
{
    fixture_t *f = *state;
    /* an elasticity override that is invalid (sigma <= 0) in about 9 % of draws */
    set_input(&f->inputs[2], "sigma_China", TARGET_SIGMA, -1, 0, DIST_UNIFORM, -1.1, 10.9);
    f->inputs[2].apply = APPLY_OVERRIDE;
    char err[256];
    sampler_t *sampler = sampler_alloc(f->inputs, N_INPUTS, NULL, NULL, 0, err, sizeof err);
    assert_non_null(sampler);
    f->spec.sampler = sampler;
    f->spec.n_regimes = 0;
    f->spec.draws = 3001;
    point_summary_t *ps;
    collected_t *c = run_collect(&f->spec, &ps);
    uint64_t failed = 0;
    double sum = 0;
    long v = quantity_index(&f->layout, "fob_price", FORM_LEVEL, 0, -1);
    for (uint64_t d = 0; d < c->n; d++) {
        if (c->status[d]) {
            failed++;
            assert_true(isnan(c->values[d * c->n_vars + (size_t)v]));
        } else {
            sum += c->values[d * c->n_vars + (size_t)v];
        }
    }
    assert_true(failed > 150 && failed < 400);
    assert_int_equal(ps->draws_failed[0], failed);
    assert_int_equal(ps->draws_ok[0], f->spec.draws - failed);
    assert_close(ps->mean[v], sum / (double)(f->spec.draws - failed), 1e-12, 0);
    point_summary_free(ps);
    collected_free(c);
    sampler_free(sampler);
}

/* The same summary with and without raw draws (the engine then keeps a block's rows in
 * different buffers), and moments bitwise what row-by-row Welford adds give when merged
 * as engine.h says: draws in order within a block, blocks in order into their chunk,
 * chunks in order into the point. Two regimes, failed draws, 3 chunks, 2 threads. */
static void test_moments_are_row_by_row_welford_merged_in_block_order(void **state)
{
    fixture_t *f = *state;
    set_input(&f->inputs[2], "sigma_China", TARGET_SIGMA, -1, 0, DIST_UNIFORM, -1.1, 10.9);
    f->inputs[2].apply = APPLY_OVERRIDE;
    double prob[2] = {0.635, 0.365};
    char err[256];
    sampler_t *sampler = sampler_alloc(f->inputs, N_INPUTS, NULL, prob, 2, err, sizeof err);
    assert_non_null(sampler);
    f->spec.sampler = sampler;
    f->spec.draws = 2 * ENGINE_CHUNK_BLOCKS * ENGINE_BLOCK_DRAWS + 1000;
    f->spec.threads = 2;
    point_summary_t *with_raw;
    collected_t *c = run_collect(&f->spec, &with_raw);
    point_summary_t *without = run(&f->spec);
    assert_summaries_identical(with_raw, without);
    assert_true(without->draws_failed[0] > 0 && without->draws_ok[1] > 0 &&
                without->draws_ok[2] > 0);

    size_t V = c->n_vars;
    stats_moments_t *block = stats_moments_alloc(V), *chunk = stats_moments_alloc(V);
    stats_moments_t *point = stats_moments_alloc(V);
    uint64_t per_chunk = (uint64_t)ENGINE_CHUNK_BLOCKS * ENGINE_BLOCK_DRAWS;
    for (int g = 0; g < 3; g++) {
        stats_moments_reset(point);
        for (uint64_t c0 = 0; c0 < c->n; c0 += per_chunk) {
            stats_moments_reset(chunk);
            for (uint64_t b0 = c0; b0 < c0 + per_chunk && b0 < c->n; b0 += ENGINE_BLOCK_DRAWS) {
                stats_moments_reset(block);
                for (uint64_t d = b0; d < b0 + ENGINE_BLOCK_DRAWS && d < c->n; d++)
                    if (!c->status[d] && (g == 0 || c->regime[d] == g - 1))
                        stats_moments_add(block, c->values + d * V);
                stats_moments_merge(chunk, block);
            }
            stats_moments_merge(point, chunk);
        }
        for (size_t v = 0; v < V; v++) {
            size_t at = (size_t)g * V + v;
            double mean = stats_mean(point, v), sd = stats_sd(point, v);
            double mn = stats_min(point, v), mx = stats_max(point, v);
            assert_same_bits(&mean, &without->mean[at], 8, "mean");
            assert_same_bits(&sd, &without->sd[at], 8, "sd");
            assert_same_bits(&mn, &without->min[at], 8, "min");
            assert_same_bits(&mx, &without->max[at], 8, "max");
        }
    }
    stats_moments_free(block);
    stats_moments_free(chunk);
    stats_moments_free(point);
    point_summary_free(with_raw);
    point_summary_free(without);
    collected_free(c);
    sampler_free(sampler);
}

static void test_stop_flag_interrupts_at_a_chunk_edge(void **state)
{
    fixture_t *f = *state;
    volatile sig_atomic_t stop = 1;
    f->spec.stop = &stop;
    f->spec.draws = 3 * ENGINE_CHUNK_BLOCKS * ENGINE_BLOCK_DRAWS;
    point_summary_t *ps = point_summary_alloc(f->layout.n_vars, 3, 1);
    char err[256];
    assert_int_equal(engine_run_point(&f->spec, ps, err, sizeof err), ENGINE_INTERRUPTED);
    assert_non_null(strstr(err, "interrupted after 8192 of 24576 draws"));
    point_summary_free(ps);
}

/* Law of total variance (attrib.h): within + between regimes is the variance over all
 * draws to 1e-12 relative, and each part is what a two-pass computation over the raw
 * draws gives, for every variable. */
static void test_variance_splits_into_within_and_between_regimes(void **state)
{
    fixture_t *f = *state;
    point_summary_t *ps;
    collected_t *c = run_collect(&f->spec, &ps);
    size_t V = c->n_vars;
    int checked = 0;
    for (size_t v = 0; v < V; v++) {
        long double n[3] = {0}, sum[3] = {0}, ss[3] = {0};
        for (uint64_t d = 0; d < c->n; d++)
            if (!c->status[d]) {
                double x = c->values[d * V + v];
                for (int g = 0; g < 3; g++)
                    if (g == 0 || c->regime[d] == g - 1) {
                        n[g] += 1;
                        sum[g] += x;
                    }
            }
        for (uint64_t d = 0; d < c->n; d++)
            if (!c->status[d]) {
                double x = c->values[d * V + v];
                for (int g = 0; g < 3; g++)
                    if (g == 0 || c->regime[d] == g - 1)
                        ss[g] += (x - sum[g] / n[g]) * (x - sum[g] / n[g]);
            }
        long double within = (ss[1] + ss[2]) / (n[0] - 1), between = 0;
        for (int g = 1; g < 3; g++) {
            long double dm = sum[g] / n[g] - sum[0] / n[0];
            between += n[g] * dm * dm / (n[0] - 1);
        }
        double w, b, total = ps->sd[v] * ps->sd[v];
        attrib_variance_split(ps, v, &w, &b);
        double scale = total > 0 ? total : 1.0;
        if (fabs(w + b - total) > 1e-12 * scale)
            fail_msg("variable %zu: within %.17g + between %.17g != variance %.17g", v, w, b,
                     total);
        if (fabs(w - (double)within) > 1e-10 * scale ||
            fabs(b - (double)between) > 1e-10 * scale)
            fail_msg("variable %zu: split (%.17g, %.17g), two-pass (%.17g, %.17g)", v, w, b,
                     (double)within, (double)between);
        checked += total > 0 && b > 1e-3 * total;
    }
    assert_true(checked > 10);   /* the tariff regimes move many quantities */
    collected_free(c);
    point_summary_free(ps);
}

/* ---- attribution and sampled inputs (attrib.h, engine_inputs_fn) ------------------ */

typedef struct {
    collected_t draws;
    size_t row;
    double *inputs;
} collected_inputs_t;

static int collect_inputs(void *ctx, uint64_t first, uint64_t n, const double *inputs)
{
    collected_inputs_t *c = ctx;
    memcpy(c->inputs + first * c->row, inputs, n * c->row * sizeof(double));
    return 0;
}

static point_summary_t *run_attrib(engine_spec_t *spec, collected_inputs_t *c)
{
    point_summary_t *ps = point_summary_alloc(spec->layout->n_vars, 1 + spec->n_regimes,
                                              spec->n_thresholds);
    assert_int_equal(point_summary_alloc_attrib(ps, spec->n_inputs, spec->n_attrib), 0);
    if (c) {
        spec->raw = collect;
        spec->raw_inputs = collect_inputs;
        spec->raw_ctx = c;
    }
    char err[256];
    int rc = engine_run_point(spec, ps, err, sizeof err);
    spec->raw = NULL;
    spec->raw_inputs = NULL;
    assert_int_equal(rc, ENGINE_OK);
    return ps;
}

/* Every value attributed: the correlations, regression coefficients and R^2 are the same
 * bits for 1, 2, 3 and 8 threads and what a two-pass computation over the raw draws
 * gives; each draw's inputs are the sampler's, their scores the copula's. */
static void test_attribution_is_reproducible_and_matches_the_raw_draws(void **state)
{
    fixture_t *f = *state;
    engine_spec_t *spec = &f->spec;
    size_t V = f->layout.n_vars, K = N_INPUTS, row = ENGINE_INPUT_ROW(N_INPUTS);
    size_t *index = malloc(V * sizeof *index);
    for (size_t v = 0; v < V; v++)
        index[v] = v;
    spec->attrib_index = index;
    spec->n_attrib = V;
    spec->threads = 1;
    collected_inputs_t c = {.row = row};
    c.draws.n_vars = V;
    c.draws.values = malloc(spec->draws * V * sizeof(double));
    c.draws.regime = malloc(spec->draws * sizeof(int32_t));
    c.draws.status = malloc(spec->draws * sizeof(int32_t));
    c.inputs = malloc(spec->draws * row * sizeof(double));
    point_summary_t *one = run_attrib(spec, &c);

    /* the inputs: the sampler's values and scores, bit for bit */
    sample_workspace_t *ws = sample_workspace_alloc(f->sampler);
    double values[N_INPUTS], z[N_INPUTS];
    for (uint64_t d = 0; d < spec->draws; d += 97) {
        int g;
        sampler_draw_scores(f->sampler, ws, spec->seed, d, values, z, &g);
        assert_memory_equal(values, c.inputs + d * row, sizeof values);
        assert_memory_equal(z, c.inputs + d * row + K, sizeof z);
        assert_true(c.inputs[d * row + 2 * K] == 1.0);   /* no compliance input */
        /* normal, correlated: value = mean + sd z; lognormal: log value = sdlog z */
        assert_close(values[0], 1.0 + 0.061 * z[0], 1e-14, 0);
        assert_close(log(values[2]), 0.41 * z[2], 1e-12, 1e-14);
    }
    sample_workspace_free(ws);

    /* the statistics, from the raw draws */
    int checked = 0;
    for (size_t v = 0; v < V; v += 7) {
        long double n = 0, mx = 0, mz[N_INPUTS] = {0};
        for (uint64_t d = 0; d < spec->draws; d++)
            if (!c.draws.status[d]) {
                n += 1;
                mx += c.draws.values[d * V + v];
                for (size_t i = 0; i < K; i++)
                    mz[i] += c.inputs[d * row + K + i];
            }
        mx /= n;
        for (size_t i = 0; i < K; i++)
            mz[i] /= n;
        long double sxx = 0, szx[N_INPUTS] = {0}, szz[N_INPUTS] = {0};
        for (uint64_t d = 0; d < spec->draws; d++)
            if (!c.draws.status[d]) {
                long double dx = c.draws.values[d * V + v] - mx;
                sxx += dx * dx;
                for (size_t i = 0; i < K; i++) {
                    long double dz = c.inputs[d * row + K + i] - mz[i];
                    szx[i] += dz * dx;
                    szz[i] += dz * dz;
                }
            }
        if (!(sxx > 1e-20 * n * (1 + mx * mx)))
            continue;
        for (size_t i = 0; i < K; i++) {
            double expect = (double)(szx[i] / sqrtl(szz[i] * sxx));
            assert_close(one->corr_input[i * V + v], expect, 1e-9, 1e-9);
        }
        assert_true(one->r2[v] >= -1e-12 && one->r2[v] <= 1 + 1e-12);
        checked++;
    }
    assert_true(checked > 20);
    static const int counts[3] = {2, 3, 8};
    for (int k = 0; k < 3; k++) {
        spec->threads = counts[k];
        point_summary_t *many = run_attrib(spec, NULL);
        assert_same_bits(one->corr_input, many->corr_input, K * V * 8, "corr_input");
        assert_same_bits(one->src_input, many->src_input, K * V * 8, "src_input");
        assert_same_bits(one->r2, many->r2, V * 8, "r2");
        point_summary_free(many);
    }
    point_summary_free(one);
    free(c.draws.values);
    free(c.draws.regime);
    free(c.draws.status);
    free(c.inputs);
    free(index);
    spec->attrib_index = NULL;
    spec->n_attrib = 0;
}

/* The batched solve (engine.h's solve_kernel): every kernel variant this CPU runs, and
 * the scalar path (one draw at a time), give the default's bits, draw by draw and in
 * the summary, on 1, 2 and 3 threads (models/solve_batch.h: the batch repeats the scalar
 * solve's operations with the same exp and log). */
static void test_batched_solve_is_one_result_and_agrees_with_the_scalar_path(void **state)
{
    fixture_t *f = *state;
    f->spec.draws = 3000;
    f->spec.threads = 1;
    point_summary_t *base, *other;
    collected_t *cb = run_collect(&f->spec, &base);
    const int kernels[] = { SOLVE_KERNEL_PORTABLE, SOLVE_KERNEL_AVX, SOLVE_KERNEL_AVX512 };
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
        if (!solve_batch_kernel_available((solve_kernel_t)kernels[k]))
            continue;
        f->spec.solve_kernel = kernels[k];
        f->spec.threads = 1 + 2 * (int)(k % 2);
        other = run(&f->spec);
        assert_summaries_identical(base, other);
        point_summary_free(other);
    }
    /* a kernel that cannot run is an error, not a fallback */
    f->spec.solve_kernel = 99;
    point_summary_t *none = point_summary_alloc(f->layout.n_vars, 3, 1);
    char err[256];
    assert_int_equal(engine_run_point(&f->spec, none, err, sizeof err), ENGINE_BAD_SPEC);
    assert_non_null(strstr(err, "solve kernel 99"));
    point_summary_free(none);
    f->spec.solve_kernel = ENGINE_SOLVE_SCALAR;
    f->spec.threads = 2;
    collected_t *cs = run_collect(&f->spec, &other);
    assert_summaries_identical(base, other);
    size_t V = f->layout.n_vars;
    for (uint64_t d = 0; d < cb->n; d++) {
        assert_int_equal(cb->status[d], cs->status[d]);
        for (size_t v = 0; !cb->status[d] && v < V; v++) {
            double a = cb->values[d * V + v], b = cs->values[d * V + v];
            if (memcmp(&a, &b, sizeof a) != 0)
                fail_msg("draw %llu, value %zu: batched %.17g, scalar %.17g",
                         (unsigned long long)d, v, a, b);
        }
    }
    point_summary_free(base);
    point_summary_free(other);
    collected_free(cb);
    collected_free(cs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_summaries_are_bitwise_identical_for_1_2_3_and_8_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scenario_equal_to_reference_changes_nothing_in_any_draw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_draws_see_the_same_shocks_under_every_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quantiles_lie_within_their_error_bound_of_the_exact_ones, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_draws_are_counted_and_left_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_moments_are_row_by_row_welford_merged_in_block_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_flag_interrupts_at_a_chunk_edge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variance_splits_into_within_and_between_regimes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attribution_is_reproducible_and_matches_the_raw_draws, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batched_solve_is_one_result_and_agrees_with_the_scalar_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
