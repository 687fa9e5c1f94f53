/*
 * policy.c - policies and per-draw shocks: plain arrays sized for one market.
 */
#include "policy.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double *policy_vec(size_t n)
{
    return calloc(n ? n : 1, sizeof(double));
}

void policy_free(policy_t *p)
{
    if (!p)
        return;
    free(p->tariff);
    free(p->export_tax);
    free(p->floor);
    free(p->cap);
    free(p);
}

static policy_t *policy_alloc_dims(int E, int I)
{
    policy_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->n_exporters = E;
    p->n_importers = I;
    p->tariff = policy_vec((size_t)E * (size_t)I);
    p->export_tax = policy_vec((size_t)E);
    p->floor = policy_vec((size_t)E * (size_t)I);
    p->cap = policy_vec((size_t)E * (size_t)I);
    if (!p->tariff || !p->export_tax || !p->floor || !p->cap) {
        policy_free(p);
        return NULL;
    }
    return p;
}

policy_t *policy_alloc_baseline(const market_t *market)
{
    if (!market)
        return NULL;
    int E = market->n_exporters, I = market->n_importers;
    policy_t *p = policy_alloc_dims(E, I);
    if (!p)
        return NULL;
    size_t R = (size_t)E * (size_t)I;
    memcpy(p->tariff, market->tariff, R * sizeof(double));
    memcpy(p->export_tax, market->export_tax, (size_t)E * sizeof(double));
    for (size_t r = 0; r < R; r++)
        p->cap[r] = INFINITY;
    return p;
}

void policy_copy_into(policy_t *dst, const policy_t *src)
{
    assert(dst && src);
    assert(dst->n_exporters == src->n_exporters && dst->n_importers == src->n_importers);
    size_t R = (size_t)src->n_exporters * (size_t)src->n_importers;
    memcpy(dst->tariff, src->tariff, R * sizeof(double));
    memcpy(dst->export_tax, src->export_tax, (size_t)src->n_exporters * sizeof(double));
    memcpy(dst->floor, src->floor, R * sizeof(double));
    memcpy(dst->cap, src->cap, R * sizeof(double));
}

policy_t *policy_copy(const policy_t *policy)
{
    if (!policy)
        return NULL;
    policy_t *p = policy_alloc_dims(policy->n_exporters, policy->n_importers);
    if (p)
        policy_copy_into(p, policy);
    return p;
}

void shocks_free(shocks_t *s)
{
    if (!s)
        return;
    free(s->yield);
    free(s->domestic_shock);
    free(s->exchange_rate);
    free(s->eps);
    free(s->kappa);
    free(s->demand_shock);
    free(s->sigma);
    free(s->eta);
    free(s->freight);
    free(s);
}

void shocks_reset_baseline(shocks_t *s, const market_t *market)
{
    int E = market->n_exporters, I = market->n_importers;
    for (int i = 0; i < E; i++) {
        s->yield[i] = 1.0;
        s->domestic_shock[i] = 1.0;
        s->exchange_rate[i] = 1.0;
        s->eps[i] = market->eps[i];
        s->kappa[i] = market->kappa[i];
    }
    for (int j = 0; j < I; j++) {
        s->demand_shock[j] = 1.0;
        s->sigma[j] = market->sigma[j];
        s->eta[j] = market->eta[j];
    }
    memcpy(s->freight, market->freight, (size_t)E * (size_t)I * sizeof(double));
    s->compliance = 1.0;
}

shocks_t *shocks_alloc_baseline(const market_t *market)
{
    if (!market)
        return NULL;
    shocks_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t E = (size_t)market->n_exporters, I = (size_t)market->n_importers;
    s->n_exporters = market->n_exporters;
    s->n_importers = market->n_importers;
    s->yield = policy_vec(E);
    s->domestic_shock = policy_vec(E);
    s->exchange_rate = policy_vec(E);
    s->eps = policy_vec(E);
    s->kappa = policy_vec(E);
    s->demand_shock = policy_vec(I);
    s->sigma = policy_vec(I);
    s->eta = policy_vec(I);
    s->freight = policy_vec(E * I);
    if (!s->yield || !s->domestic_shock || !s->exchange_rate || !s->eps || !s->kappa ||
        !s->demand_shock || !s->sigma || !s->eta || !s->freight) {
        shocks_free(s);
        return NULL;
    }
    shocks_reset_baseline(s, market);
    return s;
}
