/*
 * test_barriers.c - non-tariff barriers (input target ntb): sample_apply_barriers adds
 * each barrier's value to its route's tariff of the draw's policy, leaves the policy it
 * was given alone, and does nothing (not even a copy) when the run has no barrier.
 */
#include "testutil.h"

#include <string.h>

#include "sample.h"
#include "model_fixture.h"

typedef struct {
    market_t *market;
    policy_t *policy, *out;
} fixture_t;

static int setup(void **state)
{
    static fixture_t f;
    market_spec_t *spec = fixture_default_spec();
    char err[256];
    f.market = market_calibrate(spec, err, sizeof err);
    market_spec_free(spec);
    if (!f.market)
        return -1;
    f.policy = policy_alloc_baseline(f.market);
    f.out = policy_alloc_baseline(f.market);
    f.policy->tariff[0 * 3 + 0] = 0.23;   /* US -> China */
    *state = &f;
    return f.policy && f.out ? 0 : -1;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    policy_free(f->policy);
    policy_free(f->out);
    market_free(f->market);
    return 0;
}

static input_spec_t input(input_target_t target, int exporter, int importer)
{
    input_spec_t in;
    memset(&in, 0, sizeof in);
    in.target = target;
    in.exporter = exporter;
    in.importer = importer;
    in.apply = APPLY_OVERRIDE;
    in.dist.kind = DIST_FIXED;
    return in;
}

static void no_barrier_leaves_out_untouched(void **state)
{
    fixture_t *f = *state;
    input_spec_t in[2] = {input(TARGET_SIGMA, -1, 0), input(TARGET_FREIGHT_ROUTE, 0, 0)};
    double values[2] = {5, 1.2};
    f->out->tariff[0] = 99;
    assert_int_equal(sample_apply_barriers(in, 2, values, f->policy, f->out), 0);
    assert_true(f->out->tariff[0] == 99);
    assert_int_equal(sample_apply_barriers(in, 0, values, f->policy, f->out), 0);
}

static void barriers_add_to_their_routes(void **state)
{
    fixture_t *f = *state;
    /* two barriers on US -> China compose; one on Brazil -> EU; one outside the market */
    input_spec_t in[4] = {input(TARGET_NTB, 0, 0), input(TARGET_YIELD, 0, -1),
                          input(TARGET_NTB, 1, 1), input(TARGET_NTB, 7, 0)};
    input_spec_t second = input(TARGET_NTB, 0, 0);
    double values[5] = {0.5, 0.9, 0.125, 3, 0.25};
    input_spec_t all[5] = {in[0], in[1], in[2], in[3], second};
    assert_int_equal(sample_apply_barriers(all, 5, values, f->policy, f->out), 1);
    assert_true(f->out->tariff[0 * 3 + 0] == 0.23 + 0.5 + 0.25);
    assert_true(f->out->tariff[1 * 3 + 1] == f->policy->tariff[1 * 3 + 1] + 0.125);
    for (int r = 0; r < 15; r++)
        if (r != 0 && r != 4)
            assert_true(f->out->tariff[r] == f->policy->tariff[r]);
    for (int i = 0; i < 5; i++)
        assert_true(f->out->export_tax[i] == f->policy->export_tax[i]);
    assert_true(f->policy->tariff[0] == 0.23);   /* the given policy is not touched */
}

static void barriers_are_not_shocks(void **state)
{
    fixture_t *f = *state;
    shocks_t *a = shocks_alloc_baseline(f->market), *b = shocks_alloc_baseline(f->market);
    input_spec_t in = input(TARGET_NTB, 0, 0);
    double v = 0.75;
    sample_apply(&in, 1, &v, f->market, a);
    sample_apply(NULL, 0, NULL, f->market, b);
    for (int r = 0; r < 15; r++)
        assert_true(a->freight[r] == b->freight[r]);
    assert_true(a->compliance == b->compliance);
    shocks_free(a);
    shocks_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_barrier_leaves_out_untouched),
        cmocka_unit_test(barriers_add_to_their_routes),
        cmocka_unit_test(barriers_are_not_shocks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
