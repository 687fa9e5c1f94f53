/*
 * test_run.c - run.c through run_execute(), where it is not I/O: resolving the config
 * (-n/-s/-o as --set, the message naming what the user typed), choosing the shard (option
 * or Slurm's array variables) and the points a shard holds, --print-config.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"
#include "cli.h"
#include "h5out.h"
#include "results.h"
#include "run.h"

static char dir[64];
static volatile sig_atomic_t never;

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/agtrade-test-run-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void options(run_options_t *o, const char *config, const char **sets, int n_sets)
{
    static char arg0[] = "run";
    static char *argv[] = {arg0, NULL};
    memset(o, 0, sizeof *o);
    o->config_path = config;
    o->sets = sets;
    o->n_sets = n_sets;
    o->quiet = 1;
    o->threads = 1;
    o->stop = &never;
    o->command_line = argv;
    o->command_argc = 1;
}

/* Run with fd (1 or 2) going to a file; returns the exit code, the text in out. */
static int captured(const run_options_t *o, int fd, char *out, size_t outlen)
{
    char path[128];
    snprintf(path, sizeof path, "%s/captured", dir);
    fflush(NULL);
    int saved = dup(fd), f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(f, fd);
    close(f);
    int rc = run_execute(o);
    fflush(NULL);
    dup2(saved, fd);
    close(saved);
    FILE *in = fopen(path, "r");
    size_t n = in ? fread(out, 1, outlen - 1, in) : 0;
    out[n] = '\0';
    if (in)
        fclose(in);
    return rc;
}

/* -n, -s and -o become run.draws / run.seed / run.output of the resolved config. */
static void print_config_shows_the_options_as_keys(void **state)
{
    (void)state;
    run_options_t o;
    const char *sets[] = {"exporters.US.fob_price=403.25"};
    options(&o, "configs/default.yaml", sets, 1);
    o.print_config = 1;
    o.has_draws = 1;
    o.draws = 1234;
    o.has_seed = 1;
    o.seed = 99;
    o.output = "elsewhere.h5";
    static char yaml[1 << 16];
    assert_int_equal(captured(&o, 1, yaml, sizeof yaml), EXIT_OK);
    assert_non_null(strstr(yaml, "draws: 1234"));
    assert_non_null(strstr(yaml, "seed: 99"));
    assert_non_null(strstr(yaml, "elsewhere.h5"));
    assert_non_null(strstr(yaml, "fob_price: 403.25"));
}

/* A bad -n is reported as the user typed it, not as the --set it stands for. */
static void a_bad_option_value_is_named_as_typed(void **state)
{
    (void)state;
    run_options_t o;
    options(&o, "configs/default.yaml", NULL, 0);
    o.has_draws = 1;
    o.draws = 2000000000000ull;
    snprintf(o.typed[0], sizeof o.typed[0], "-n 2000000000000");
    char msg[1024];
    assert_int_equal(captured(&o, 2, msg, sizeof msg), EXIT_USAGE);
    assert_non_null(strstr(msg, "agtrade: -n 2000000000000: run.draws must be <="));
    assert_null(strstr(msg, "--set"));
    const char *sets[] = {"run.draws=0"};
    options(&o, "configs/default.yaml", sets, 1);
    assert_int_equal(captured(&o, 2, msg, sizeof msg), EXIT_DATAERR);
    assert_non_null(strstr(msg, "--set run.draws=0: "));
}

/* The points present in shard k of n: p % n == k, whether the shard is an option or
 * comes from Slurm's array variables. */
static void shards_hold_every_nth_point(void **state)
{
    (void)state;
    char out[128], msg[1024], err[512];
    snprintf(out, sizeof out, "%s/shard.h5", dir);
    const char *sets[] = {"run.draws=300"};
    for (int from_slurm = 0; from_slurm < 2; from_slurm++) {
        run_options_t o;
        options(&o, "configs/default.yaml", sets, 1);
        o.output = out;
        double v[4] = {0, 0.1, 0.2, 0.3};
        o.n_sweeps = 1;
        snprintf(o.sweeps[0].key, sizeof o.sweeps[0].key, "scenario.tariffs.US.China");
        o.sweeps[0].values = v;
        o.sweeps[0].n_values = 4;
        if (from_slurm) {
            setenv("SLURM_ARRAY_TASK_ID", "1", 1);
            setenv("SLURM_ARRAY_TASK_COUNT", "2", 1);
        } else {
            o.has_shard = 1;
            o.shard_k = 1;
            o.shard_n = 2;
        }
        int rc = captured(&o, 2, msg, sizeof msg);
        unsetenv("SLURM_ARRAY_TASK_ID");
        unsetenv("SLURM_ARRAY_TASK_COUNT");
        if (rc)
            print_error("%s", msg);
        assert_int_equal(rc, EXIT_OK);
        h5in_t *in = h5in_open(out, err, sizeof err);
        assert_non_null(in);
        results_t *res = results_read(in, err, sizeof err);
        assert_non_null(res);
        assert_int_equal(res->n_points, 4);
        assert_int_equal(results_count_present(res), 2);
        assert_true(!res->points[0] && res->points[1] && !res->points[2] && res->points[3]);
        assert_true(res->point_values[3] == 0.3);
        results_free(res);
        h5in_close(in);
        unlink(out);
    }
}

static void impossible_shards_are_usage_errors(void **state)
{
    (void)state;
    run_options_t o;
    char msg[1024];
    options(&o, "configs/default.yaml", NULL, 0);
    o.has_shard = 1;
    o.shard_k = 1;   /* a single point: shard 1/2 has none */
    o.shard_n = 2;
    assert_int_equal(captured(&o, 2, msg, sizeof msg), EXIT_USAGE);
    assert_non_null(strstr(msg, "shard 1/2 has no points"));
    options(&o, "configs/default.yaml", NULL, 0);
    setenv("SLURM_ARRAY_TASK_ID", "5", 1);   /* no _COUNT: not a range array */
    assert_int_equal(captured(&o, 2, msg, sizeof msg), EXIT_USAGE);
    unsetenv("SLURM_ARRAY_TASK_ID");
    assert_non_null(strstr(msg, "--shard K/N"));
    options(&o, "configs/missing.yaml", NULL, 0);
    assert_int_equal(captured(&o, 2, msg, sizeof msg), EXIT_NOINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(print_config_shows_the_options_as_keys),
        cmocka_unit_test(a_bad_option_value_is_named_as_typed),
        cmocka_unit_test(shards_hold_every_nth_point),
        cmocka_unit_test(impossible_shards_are_usage_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
