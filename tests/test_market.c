/*
 * test_market.c - specs, calibration (derived constants and every validation message),
 * policies and baseline shocks.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "model_fixture.h"

static void test_calibration_derives_landed_prices_shares_and_price_index(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    char err[256];
    market_t *m = market_calibrate(s, err, sizeof err);
    assert_non_null(m);
    assert_int_equal(m->n_exporters, 5);
    assert_int_equal(m->n_importers, 3);
    /* US -> China: (410 + 40) * 1.03 */
    assert_close(m->landed_price[0], 463.5, 1e-15, 0);
    assert_close(m->producer_price[2], 385.0 * 0.74, 1e-15, 0);
    assert_close(m->composite_imports[0], 108.0, 1e-14, 0);
    assert_close(m->composite_imports[1], 14.6, 1e-14, 0);
    /* PMb_China = sum X pb / M: the vectors' reference value */
    assert_close(m->price_index[0], 453.8294444444443, 1e-13, 0);
    for (int j = 0; j < 3; j++) {
        double qs = 0, vs = 0;
        for (int i = 0; i < 5; i++) {
            qs += m->base_share[i * 3 + j];
            vs += m->base_value_share[i * 3 + j];
        }
        assert_close(qs, 1.0, 1e-14, 0);
        assert_close(vs, 1.0, 1e-14, 0);
    }
    assert_close(m->base_share[0], 22.8 / 108.0, 1e-14, 0);
    assert_close(m->base_value_share[0], 22.8 * 463.5 / (108.0 * m->price_index[0]), 1e-14, 0);
    assert_true(m->base_share[9] == 0 && m->base_value_share[9] == 0);   /* Paraguay -> China */
    assert_int_equal(market_exporter_index(m, "Paraguay"), 3);
    assert_int_equal(market_importer_index(m, "EU"), 1);
    assert_int_equal(market_exporter_index(m, "Uruguay"), -1);
    assert_int_equal(market_importer_index(m, NULL), -1);
    market_free(m);
    market_spec_free(s);
}

static void test_calibration_copies_the_spec_so_it_may_be_freed(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    market_spec_t *c = market_spec_copy(s);
    assert_non_null(c);
    assert_ptr_not_equal(c->flow, s->flow);
    assert_memory_equal(c->flow, s->flow, 15 * sizeof(double));
    assert_string_equal(c->exporter_name[1], "Brazil");
    market_t *m = market_calibrate(c, NULL, 0);
    c->flow[0] = 999.25;
    market_spec_free(c);
    assert_non_null(m);
    assert_close(m->flow[0], 22.8, 0, 0);
    market_free(m);
    market_spec_free(s);
}

static void test_domestic_use_absorbs_a_small_imbalance(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    s->domestic_use[1] += 0.2385;   /* 0.23 % of Brazil's exports */
    char err[256];
    market_t *m = market_calibrate(s, err, sizeof err);
    assert_non_null(m);
    assert_close(m->domestic_use[1], 171.5 - (76.8 + 6.6 + 19.74), 1e-14, 0);
    market_free(m);
    market_spec_free(s);
}

/* Calibrates a broken spec and checks the message names the region and the number. */
static void expect_error(market_spec_t *s, const char *region, const char *number)
{
    char err[256] = "untouched";
    market_t *m = market_calibrate(s, err, sizeof err);
    if (m || !strstr(err, region) || !strstr(err, number))
        print_error("message: '%s' (wanted '%s' and '%s')\n", err, region, number);
    assert_null(m);
    assert_non_null(strstr(err, region));
    assert_non_null(strstr(err, number));
    assert_null(strchr(err, '\n'));
    market_spec_free(s);
}

static void test_imbalance_beyond_half_a_percent_names_the_exporter(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    s->domestic_use[2] -= 1.75;   /* Argentina: 9.61 Mt surplus vs 7.87 Mt exports */
    expect_error(s, "Argentina", "7.87");
}

static void test_importer_without_imports_is_rejected(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    for (int i = 0; i < 5; i++) {
        s->domestic_use[i] += s->flow[i * 3 + 1];
        s->flow[i * 3 + 1] = 0;
    }
    expect_error(s, "EU", "imports");
}

static void test_elasticities_outside_their_domain_are_rejected(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    s->sigma[2] = -0.25;
    expect_error(s, "Other importers", "-0.25");
    s = fixture_default_spec();
    s->sigma[0] = 0;
    expect_error(s, "China", "sigma");
    s = fixture_default_spec();
    s->eta[1] = 0.35;
    expect_error(s, "EU", "0.35");
    s = fixture_default_spec();
    s->eps[3] = 0.125;
    expect_error(s, "Paraguay", "0.125");
    s = fixture_default_spec();
    s->kappa[4] = -0.5;
    expect_error(s, "Other exporters", "-0.5");
}

static void test_negative_route_data_and_bad_prices_are_rejected(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    s->freight[4] = -12.5;   /* Brazil -> EU */
    expect_error(s, "Brazil", "-12.5");
    s = fixture_default_spec();
    s->tariff[5] = -0.03;    /* Brazil -> Other importers */
    expect_error(s, "Other importers", "-0.03");
    s = fixture_default_spec();
    s->flow[0] = -1.5;
    s->domestic_use[0] += 24.3;
    expect_error(s, "US", "-1.5");
    s = fixture_default_spec();
    s->fob_price[1] = 0;
    expect_error(s, "Brazil", "fob_price must be > 0 (USD/t)");
    s = fixture_default_spec();
    s->export_tax[2] = 1.0;
    expect_error(s, "Argentina", "export_tax must be in [0, 1)");
    s = fixture_default_spec();
    s->production[3] = NAN;
    expect_error(s, "Paraguay", "nan");
}

/* The rules are stated once: market_spec_check() says which value broke one, so that
 * a scenario-file loader can point at it (file, line, key) instead of repeating them. */
static void test_spec_check_names_the_faulty_value(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    market_fault_t f;
    char err[256];
    assert_int_equal(market_spec_check(s, &f, err, sizeof err), 0);
    s->sigma[2] = -0.25;
    assert_int_equal(market_spec_check(s, &f, err, sizeof err), -1);
    assert_string_equal(f.field, "sigma");
    assert_int_equal(f.exporter, -1);
    assert_int_equal(f.importer, 2);
    assert_string_equal(err, "sigma must be > 0 (got -0.25)");
    s->sigma[2] = 2;
    s->freight[4] = -12.5;   /* Brazil -> EU */
    assert_int_equal(market_spec_check(s, &f, err, sizeof err), -1);
    assert_string_equal(f.field, "freight");
    assert_int_equal(f.exporter, 1);
    assert_int_equal(f.importer, 1);
    s->freight[4] = 12.5;
    s->domestic_use[2] -= 1.75;   /* a rule relating the region's values */
    assert_int_equal(market_spec_check(s, &f, err, sizeof err), -1);
    assert_null(f.field);
    assert_int_equal(f.exporter, 2);
    assert_non_null(strstr(err, "limit 0.5 %"));
    market_spec_free(s);
}

static void test_too_few_exporters_are_rejected(void **state)
{
    (void)state;
    market_spec_t *s = market_spec_alloc(1, 1);
    assert_non_null(s);
    char err[128];
    assert_null(market_calibrate(s, err, sizeof err));
    assert_non_null(strstr(err, "2.."));
    market_spec_free(s);
    assert_null(market_spec_alloc(0, 3));
    assert_null(market_spec_alloc(2, MARKET_MAX_REGIONS + 1));
}

static void test_baseline_policy_and_shocks_reproduce_the_calibration_inputs(void **state)
{
    (void)state;
    market_spec_t *s = fixture_default_spec();
    s->kappa[1] = 0.15;
    market_t *m = market_calibrate(s, NULL, 0);
    policy_t *p = policy_alloc_baseline(m);
    shocks_t *sh = shocks_alloc_baseline(m);
    for (int r = 0; r < 15; r++) {
        assert_true(p->tariff[r] == m->tariff[r]);
        assert_true(p->floor[r] == 0);
        assert_true(isinf(p->cap[r]) && p->cap[r] > 0);
        assert_true(sh->freight[r] == m->freight[r]);
    }
    assert_true(p->export_tax[2] == 0.26);
    assert_true(sh->kappa[1] == 0.15 && sh->eps[0] == -1.0 && sh->sigma[0] == 12);
    assert_true(sh->yield[4] == 1 && sh->demand_shock[2] == 1 && sh->compliance == 1);
    policy_t *q = policy_copy(p);
    q->tariff[0] = 0.28;
    q->cap[3] = 4.75;
    assert_true(p->tariff[0] == 0.03);
    policy_copy_into(p, q);
    assert_true(p->tariff[0] == 0.28 && p->cap[3] == 4.75);
    sh->yield[0] = 0.83;
    sh->sigma[1] = 2.5;
    shocks_reset_baseline(sh, m);
    assert_true(sh->yield[0] == 1 && sh->sigma[1] == 6);
    policy_free(p);
    policy_free(q);
    shocks_free(sh);
    market_free(m);
    market_spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calibration_derives_landed_prices_shares_and_price_index),
        cmocka_unit_test(test_calibration_copies_the_spec_so_it_may_be_freed),
        cmocka_unit_test(test_domestic_use_absorbs_a_small_imbalance),
        cmocka_unit_test(test_imbalance_beyond_half_a_percent_names_the_exporter),
        cmocka_unit_test(test_importer_without_imports_is_rejected),
        cmocka_unit_test(test_elasticities_outside_their_domain_are_rejected),
        cmocka_unit_test(test_negative_route_data_and_bad_prices_are_rejected),
        cmocka_unit_test(test_spec_check_names_the_faulty_value),
        cmocka_unit_test(test_too_few_exporters_are_rejected),
        cmocka_unit_test(test_baseline_policy_and_shocks_reproduce_the_calibration_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
