/* prepare.c - see prepare.h. */
#include "prepare.h"
#include "sweep.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void prepared_free(prepared_t *prep)
{
    periods_policy_free(prep->p_reference);
    periods_policy_free(prep->p_scenario);
    for (int r = 0; prep->p_regimes && r < prep->n_regimes; r++)
        periods_policy_free(prep->p_regimes[r]);
    free(prep->p_regimes);
    periods_market_free(prep->pmarket);
    sampler_free(prep->sampler);
    policy_free(prep->reference);
    policy_free(prep->scenario);
    for (int r = 0; r < prep->n_regimes; r++)
        policy_free(prep->regimes[r]);
    free(prep->regimes);
    free(prep->thresholds);
    market_free(prep->market);
    memset(prep, 0, sizeof *prep);
}

static policy_t *policy_from_config(const market_t *market, const config_policy_t *src)
{
    policy_t *p = policy_alloc_baseline(market);
    if (p)
        config_policy_apply(src, p);
    return p;
}

static int prepare_policies(const config_t *cfg, prepared_t *prep)
{
    prep->reference = policy_from_config(prep->market, &cfg->reference);
    prep->scenario = policy_from_config(prep->market, &cfg->scenario);
    if (!prep->reference || !prep->scenario)
        return -1;
    if (cfg->n_regimes == 0)
        return 0;
    prep->regimes = calloc((size_t)cfg->n_regimes, sizeof *prep->regimes);
    if (!prep->regimes)
        return -1;
    prep->n_regimes = cfg->n_regimes;
    for (int r = 0; r < cfg->n_regimes; r++)
        if (!(prep->regimes[r] = policy_from_config(prep->market, &cfg->regimes[r])))
            return -1;
    return 0;
}

/* ---- a calendar ---- */

/* One dated policy: the annual policy in force from the first period, its schedule, its
 * windows. */
static periods_policy_t *dated_policy(const prepared_t *prep, const policy_t *base,
                                      const config_schedule_t *sched, char *why, size_t len)
{
    periods_policy_t *p = periods_policy_alloc(prep->pmarket, prep->max_windows);
    if (!p) {
        snprintf(why, len, "out of memory");
        return NULL;
    }
    if (periods_policy_resolve(prep->pmarket, base, sched->changes, sched->n_changes, p, why,
                               len)) {
        periods_policy_free(p);
        return NULL;
    }
    for (int w = 0; w < sched->n_windows; w++)
        if (periods_policy_add_window(p, &sched->windows[w], why, len)) {
            periods_policy_free(p);
            return NULL;
        }
    return p;
}

static int prepare_calendar(const config_t *cfg, prepared_t *prep, char *err, size_t errlen)
{
    const config_time_t *tm = cfg->time;
    char why[512] = "";
    prep->pmarket = periods_calibrate(tm->spec, why, sizeof why);
    if (!prep->pmarket) {
        snprintf(err, errlen, "%s: %s", cfg->path, why);
        return -1;
    }
    /* room for every window a policy may have: its own, plus one per marketing year for
     * each annual floor or finite cap of the base policy */
    int most = tm->reference.n_windows > tm->scenario.n_windows ? tm->reference.n_windows
                                                                 : tm->scenario.n_windows;
    for (int r = 0; r < cfg->n_regimes; r++)
        most = tm->regimes[r].n_windows > most ? tm->regimes[r].n_windows : most;
    prep->max_windows = most + 2 * prep->market->n_exporters * prep->market->n_importers *
                                   prep->pmarket->n_years;
    quantity_layout_init_periods(&prep->layout, prep->market->n_exporters,
                                 prep->market->n_importers, prep->pmarket->n_periods,
                                 prep->pmarket->n_years);
    prep->p_reference = dated_policy(prep, prep->reference, &tm->reference, why, sizeof why);
    prep->p_scenario = prep->p_reference
        ? dated_policy(prep, prep->scenario, &tm->scenario, why, sizeof why) : NULL;
    if (prep->p_scenario && cfg->n_regimes &&
        !(prep->p_regimes = calloc((size_t)cfg->n_regimes, sizeof *prep->p_regimes)))
        snprintf(why, sizeof why, "out of memory");
    int ok = prep->p_scenario && (!cfg->n_regimes || prep->p_regimes);
    for (int r = 0; ok && r < cfg->n_regimes; r++)
        ok = (prep->p_regimes[r] = dated_policy(prep, prep->regimes[r], &tm->regimes[r], why,
                                                sizeof why)) != NULL;
    if (!ok) {
        snprintf(err, errlen, "%s: time: %s", cfg->path, why);
        return -1;
    }
    return 0;
}

static int prepare_thresholds(const config_t *cfg, prepared_t *prep, char *err, size_t errlen)
{
    prep->thresholds = calloc((size_t)cfg->n_thresholds + 1, sizeof *prep->thresholds);
    if (!prep->thresholds) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    prep->n_thresholds = cfg->n_thresholds;
    for (int t = 0; t < cfg->n_thresholds; t++) {
        const config_threshold_t *th = &cfg->thresholds[t];
        long index = quantity_index_at(&prep->layout, th->variable,
                                       th->of_change ? FORM_CHANGE : FORM_LEVEL, th->exporter,
                                       th->importer, th->period, th->year);
        if (index < 0) {
            snprintf(err, errlen, "%s: threshold '%s': no per-draw quantity '%s'%s for these regions",
                     cfg->path, th->name, th->variable, th->of_change ? " (change)" : "");
            return -1;
        }
        prep->thresholds[t].index = index;
        prep->thresholds[t].above = th->op == THRESHOLD_ABOVE;
        prep->thresholds[t].value = th->value;
    }
    return 0;
}

int prepare_point(const config_t *cfg, prepared_t *prep, char *err, size_t errlen)
{
    memset(prep, 0, sizeof *prep);
    char why[512] = "";
    prep->market = market_calibrate(cfg->market, why, sizeof why);
    if (!prep->market) {
        snprintf(err, errlen, "%s: %s", cfg->path, why);
        return -1;
    }
    quantity_layout_init(&prep->layout, prep->market->n_exporters, prep->market->n_importers);

    double *regime_prob = calloc((size_t)cfg->n_regimes + 1, sizeof(double));
    if (!regime_prob) {
        snprintf(err, errlen, "out of memory");
        prepared_free(prep);
        return -1;
    }
    for (int r = 0; r < cfg->n_regimes; r++)
        regime_prob[r] = cfg->regimes[r].probability;
    prep->sampler = sampler_alloc(cfg->inputs, cfg->n_inputs, cfg->correlation, regime_prob,
                                  cfg->n_regimes, why, sizeof why);
    free(regime_prob);
    if (!prep->sampler) {
        snprintf(err, errlen, "%s: %s", cfg->path, why);
        prepared_free(prep);
        return -1;
    }
    if (prepare_policies(cfg, prep)) {
        snprintf(err, errlen, "out of memory");
        prepared_free(prep);
        return -1;
    }
    if (cfg->time && prepare_calendar(cfg, prep, err, errlen)) {
        prepared_free(prep);
        return -1;
    }
    if (prepare_thresholds(cfg, prep, err, errlen)) {
        prepared_free(prep);
        return -1;
    }
    return 0;
}

void prepare_engine_spec(const config_t *cfg, const prepared_t *prep, engine_spec_t *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->market = prep->market;
    spec->layout = &prep->layout;
    spec->sampler = prep->sampler;
    spec->inputs = cfg->inputs;
    spec->n_inputs = cfg->n_inputs;
    spec->reference = prep->reference;
    spec->scenario = prep->scenario;
    spec->regimes = (const policy_t *const *)prep->regimes;
    spec->n_regimes = prep->n_regimes;
    spec->thresholds = prep->thresholds;
    spec->n_thresholds = prep->n_thresholds;
    spec->seed = cfg->seed;
    spec->draws = cfg->draws;
    spec->mpi_size = 1;
    spec->pmarket = prep->pmarket;
    spec->p_reference = prep->p_reference;
    spec->p_scenario = prep->p_scenario;
    spec->p_regimes = (const periods_policy_t *const *)prep->p_regimes;
    spec->max_windows = prep->max_windows;
    spec->input_yearly = cfg->time ? cfg->time->input_yearly : NULL;
}

config_t *prepare_point_config(const config_t *cfg, size_t point, char *err, size_t errlen)
{
    config_t *pc = config_copy(cfg);
    if (!pc) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    double values[SWEEP_MAX_KEYS];
    sweep_point_values(cfg->sweeps, cfg->n_sweeps, point, values);
    for (int k = 0; k < cfg->n_sweeps; k++) {
        config_error_t cerr;
        if (config_set_number(pc, cfg->sweeps[k].key, values[k], &cerr)) {
            snprintf(err, errlen, "sweep point %zu: %s", point, cerr.message);
            config_free(pc);
            return NULL;
        }
    }
    return pc;
}

config_t *prepare_sweep_point(const config_t *cfg, size_t point, prepared_t *prep, char *err,
                              size_t errlen)
{
    config_t *pc = prepare_point_config(cfg, point, err, errlen);
    if (pc && prepare_point(pc, prep, err, errlen)) {
        config_free(pc);
        return NULL;
    }
    return pc;
}
