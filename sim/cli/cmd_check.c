/*
 * cmd_check.c - `agtrade check FILE`: load and validate a scenario file, calibrate its
 * market, and print the baseline (balances, prices, origin shares) and what the file
 * sets up (policies, inputs, thresholds, run). Exit 0, 65 for a bad file or
 * inconsistent data, 66 when the file cannot be read, 64 for a bad command line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "config.h"
#include "market.h"
#include "scenario_path.h"

static void check_usage(FILE *out)
{
    fprintf(out,
            "usage: agtrade check [--set KEY=VALUE]... FILE\n"
            "\n"
            "Validate the scenario FILE (following its base: chain), calibrate the market and\n"
            "print the baseline balances (Mt), prices (USD/t) and origin shares (%% of each\n"
            "importer's imports), then the policies, random inputs and thresholds it sets up.\n"
            "\n"
            "  --set KEY=VALUE   override one key first (dotted path, see configs/README.md)\n"
            "  -h, --help        this help\n"
            "  -V, --version     agtrade's version and git commit\n"
            "\n"
            "exit status: 0 valid, 64 bad command line, 65 invalid file or data, 66 file missing\n");
}

static void print_balances(const market_t *m)
{
    int E = m->n_exporters, I = m->n_importers;
    printf("\nExporters (Mt, USD/t)        production  domestic use   exports   FOB price  "
           "producer price  export tax\n");
    for (int i = 0; i < E; i++) {
        double exports = 0;
        for (int j = 0; j < I; j++)
            exports += m->flow[(size_t)i * (size_t)I + (size_t)j];
        printf("  %-26s %11.2f %13.2f %9.2f %11.2f %15.2f %10.1f %%\n", m->exporter_name[i],
               m->production[i], m->domestic_use[i], exports, m->fob_price[i],
               m->producer_price[i], 100 * m->export_tax[i]);
    }
    printf("\nImporters (Mt, USD/t)           imports  price index   sigma     eta\n");
    for (int j = 0; j < I; j++)
        printf("  %-26s %12.2f %12.2f %7.2f %7.2f\n", m->importer_name[j],
               m->composite_imports[j], m->price_index[j], m->sigma[j], m->eta[j]);
    printf("\nOrigin shares (%% of imports) and landed prices (USD/t)\n  %-26s", "");
    for (int j = 0; j < I; j++)
        printf("%s%19.19s", j ? "   " : "  ", m->importer_name[j]);
    printf("\n");
    for (int i = 0; i < E; i++) {
        printf("  %-26s", m->exporter_name[i]);
        for (int j = 0; j < I; j++) {
            size_t ij = (size_t)i * (size_t)I + (size_t)j;
            printf("%s%8.1f %% at %8.2f", j ? "   " : "  ", 100 * m->base_share[ij],
                   m->landed_price[ij]);
        }
        printf("\n");
    }
}

static void print_policy(const config_t *cfg, const config_policy_t *p, const char *what)
{
    const market_spec_t *s = cfg->market;
    int E = s->n_exporters, I = s->n_importers, changes = 0;
    printf("  %s \"%s\"", what, p->name);
    if (p != &cfg->reference && p != &cfg->scenario)
        printf(" (probability %.4g)", p->probability);
    printf(":");
    for (int i = 0; i < E; i++) {
        if (p->export_tax[i] != s->export_tax[i])
            printf("%s export tax %s %.4g %%", changes++ ? "," : "", s->exporter_name[i],
                   100 * p->export_tax[i]);
        for (int j = 0; j < I; j++) {
            size_t ij = (size_t)i * (size_t)I + (size_t)j;
            if (p->tariff[ij] != s->tariff[ij])
                printf("%s tariff %s -> %s %.4g %%", changes++ ? "," : "", s->exporter_name[i],
                       s->importer_name[j], 100 * p->tariff[ij]);
            if (p->floor[ij] > 0)
                printf("%s floor %s -> %s %.4g Mt", changes++ ? "," : "", s->exporter_name[i],
                       s->importer_name[j], p->floor[ij]);
            if (!isinf(p->cap[ij]))
                printf("%s cap %s -> %s %.4g Mt", changes++ ? "," : "", s->exporter_name[i],
                       s->importer_name[j], p->cap[ij]);
        }
    }
    printf("%s\n", changes ? "" : " baseline tariffs and export taxes");
}

static void print_setup(const config_t *cfg)
{
    printf("\nPolicies\n");
    print_policy(cfg, &cfg->reference, "reference");
    print_policy(cfg, &cfg->scenario, "scenario");
    for (int k = 0; k < cfg->n_regimes; k++)
        print_policy(cfg, &cfg->regimes[k], "regime");
    printf("\nRandom inputs: %d", cfg->n_inputs);
    int correlated = 0, n = cfg->n_inputs;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            correlated += cfg->correlation[i * n + j] != 0;
    printf(" (%d correlated pairs)\n", correlated);
    for (int k = 0; k < cfg->n_thresholds; k++)
        printf("  threshold: %s\n", cfg->thresholds[k].name);
    for (int k = 0; k < cfg->n_sweeps; k++)
        printf("  sweep: %s over %d values\n", cfg->sweeps[k].key, cfg->sweeps[k].n_values);
    const config_time_t *tm = cfg->time;
    if (tm) {   /* calibrated when the file loaded: its stocks are all >= 0 */
        const periods_spec_t *s = tm->spec;
        int changes = tm->scenario.n_changes, windows = tm->scenario.n_windows;
        printf("Calendar: %d periods ('%s' .. '%s') in %d marketing year(s) ('%s' .. '%s'); "
               "scenario schedule: %d change(s), %d window(s)\n", s->n_periods,
               s->period_name[0], s->period_name[s->n_periods - 1], s->n_years,
               tm->year_name[0], tm->year_name[s->n_years - 1], changes, windows);
    }
    printf("Run: %llu draws, seed %llu, output %s\n", (unsigned long long)cfg->draws,
           (unsigned long long)cfg->seed, cfg->output);
}

int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"set", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},   {NULL, 0, NULL, 0}};
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    if (!sets) {
        fprintf(stderr, "agtrade: out of memory\n");
        return EXIT_SOFTWARE;
    }
    int n_sets = 0, c;
    optind = 0;
    while ((c = cli_getopt(argc, argv, "hV", longopts)) != -1) {
        switch (c) {
        case 's': sets[n_sets++] = optarg; break;
        case 'h': check_usage(stdout); free(sets); return EXIT_OK;
        case 'V': cli_print_version(); free(sets); return EXIT_OK;
        default: free(sets); return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        if (optind < argc)
            fprintf(stderr, "agtrade check: one FILE only (got '%s' and '%s')\n", argv[optind],
                    argv[optind + 1]);
        else
            check_usage(stderr);
        free(sets);
        return EXIT_USAGE;
    }
    const char *file = argv[optind];
    config_t *cfg;
    config_error_t err;
    char found[CONFIG_PATH_MAX];   /* a shipped scenario named bare (scenario_path.h) */
    int rc = config_load_with_sets(scenario_path_find(file, file, found, sizeof found), sets,
                                   n_sets, &cfg, &err);
    free(sets);
    if (rc) {
        fprintf(stderr, "agtrade: %s\n", err.message);
        return rc == CONFIG_ENOENT ? EXIT_NOINPUT : EXIT_DATAERR;
    }
    char msg[CONFIG_MSG_MAX];
    market_t *m = market_calibrate(cfg->market, msg, sizeof msg);
    if (!m) {
        fprintf(stderr, "agtrade: %s: calibration failed: %s\n", file, msg);
        config_free(cfg);
        return EXIT_DATAERR;
    }
    printf("%s: valid (%d exporters, %d importers)\n", file, m->n_exporters, m->n_importers);
    print_balances(m);
    print_setup(cfg);
    market_free(m);
    config_free(cfg);
    return EXIT_OK;
}
