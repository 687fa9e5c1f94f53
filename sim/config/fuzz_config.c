/*
 * fuzz_config.c - libFuzzer target for the scenario-file loader (`make fuzz`).
 * Every input must either load or fail with a one-line message; one that loads must
 * print (config_to_yaml) to YAML that loads back to the same market, and must take a
 * --set. The file is named as if it lived in configs/, so `base:` entries of the seed
 * files resolve to the shipped calibration.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(const config_error_t *err)
{
    if (!err->message[0] || strchr(err->message, '\n'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    config_t *cfg;
    config_error_t err;
    if (config_load_string((const char *)data, size, "configs/fuzz-input.yaml", &cfg, &err)) {
        check_message(&err);
        return 0;
    }
    char *yaml = config_to_yaml(cfg);
    if (!yaml)
        abort();
    config_t *back;
    if (config_load_string(yaml, strlen(yaml), "configs/fuzz-printed.yaml", &back, &err))
        abort();   /* the printed form of a valid config must load */
    const market_spec_t *a = cfg->market, *b = back->market;
    size_t r = (size_t)a->n_exporters * (size_t)a->n_importers * sizeof(double);
    if (a->n_exporters != b->n_exporters || memcmp(a->flow, b->flow, r) ||
        memcmp(a->domestic_use, b->domestic_use, (size_t)a->n_exporters * sizeof(double)) ||
        back->n_inputs != cfg->n_inputs || back->n_regimes != cfg->n_regimes)
        abort();
    if (config_set(cfg, "run.draws=17", &err) == 0 && cfg->draws != 17)
        abort();
    config_t *copy = config_copy(cfg);
    if (!copy)
        abort();
    config_free(copy);
    free(yaml);
    config_free(back);
    config_free(cfg);
    return 0;
}
