/*
 * prepare.h - from a validated config to the objects one sweep point runs with: the
 * calibrated market, the sampler, the policies and the thresholds. Pure set-up: no
 * files, no threads.
 */
#ifndef AGTRADE_PREPARE_H
#define AGTRADE_PREPARE_H

#include "config.h"
#include "engine.h"
#include "quantities.h"
#include "sample.h"

typedef struct {
    market_t *market;
    quantity_layout_t layout;
    sampler_t *sampler;
    policy_t *reference;
    policy_t *scenario;
    policy_t **regimes;
    int n_regimes;
    engine_threshold_t *thresholds;
    int n_thresholds;
    /* with a calendar (config->time): the calibrated calendar and the dated policies
     * (reference, scenario, one per regime), all with room for max_windows windows;
     * NULL without one */
    periods_market_t *pmarket;
    periods_policy_t *p_reference, *p_scenario, **p_regimes;
    int max_windows;
} prepared_t;

/* Calibrate and build everything; on failure returns non-zero with a message naming the
 * config file. `prep` is then empty (safe to free). */
int prepare_point(const config_t *cfg, prepared_t *prep, char *err, size_t errlen);
void prepared_free(prepared_t *prep);

/* Fill an engine spec (everything but callbacks, threads, stop and MPI fields). */
void prepare_engine_spec(const config_t *cfg, const prepared_t *prep, engine_spec_t *spec);

/* The config of sweep point `point`: a copy of cfg with every swept key set. NULL with a
 * message when a key cannot be set. */
config_t *prepare_point_config(const config_t *cfg, size_t point, char *err, size_t errlen);

/* Both steps for sweep point `point`: its config (returned; the caller frees it with
 * config_free and prep with prepared_free) and what the engine needs. NULL with a
 * message on failure, with nothing left to free. */
config_t *prepare_sweep_point(const config_t *cfg, size_t point, prepared_t *prep, char *err,
                              size_t errlen);

#endif
