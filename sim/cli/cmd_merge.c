/* cmd_merge.c - `agtrade merge OUT.h5 SHARD.h5...`: the shards of a sweep into one file
 * whose data equal, bit for bit, those of the unsharded run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "config.h"
#include "h5out.h"
#include "results.h"
#include "run.h"

static const char merge_usage[] =
    "usage: agtrade merge OUT.h5 SHARD.h5...\n"
    "\n"
    "Checks that the shards come from the same configuration, seed and agtrade version and\n"
    "cover every sweep point exactly once, then writes one file (temporary file + rename).\n";

/* What every shard must agree on. */
typedef struct {
    char *config_yaml, *version;
    char *cf[3];             /* CF title, institution, references: carried over */
    uint64_t seed, draws;
    int64_t threads;
} identity_t;

static void identity_free(identity_t *id)
{
    free(id->config_yaml);
    free(id->version);
    for (int k = 0; k < 3; k++)
        free(id->cf[k]);
    memset(id, 0, sizeof *id);
}

/* The shards' configs differ in run.output (each wrote its own file): compare them, and
 * record the merged one, with run.output set to the merged file. */
static int normalize_config(char **yaml, const char *shard, const char *out_path, char *err,
                            size_t errlen)
{
    config_t *cfg = NULL;
    config_error_t cerr;
    char assignment[CONFIG_PATH_MAX + 16];
    snprintf(assignment, sizeof assignment, "run.output=%s", out_path);
    if (config_load_string(*yaml, strlen(*yaml), "config_yaml", &cfg, &cerr) ||
        config_set(cfg, assignment, &cerr)) {
        snprintf(err, errlen, "%s: its config_yaml does not load: %s", shard, cerr.message);
        config_free(cfg);
        return -1;
    }
    char *normal = config_to_yaml(cfg);
    config_free(cfg);
    if (!normal) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    free(*yaml);
    *yaml = normal;
    return 0;
}

static int read_identity(h5in_t *in, const char *path, const char *out_path, identity_t *id,
                         char *err, size_t errlen)
{
    int64_t complete = 0;
    char why[512];
    if (h5in_attr_exists(in, "/", "complete", err, errlen) < 0)   /* damaged: err says so */
        return -1;
    if (h5in_attr_int64(in, "/", "complete", &complete, why, sizeof why) || complete != 1) {
        snprintf(err, errlen, "%s: not a complete agtrade output file (attribute complete != 1)",
                 path);
        return -1;
    }
    if (h5in_read_string_scalar(in, "config_yaml", &id->config_yaml, why, sizeof why) ||
        h5in_attr_string(in, "/", "agtrade_version", &id->version, why, sizeof why) ||
        h5in_attr_uint64(in, "/", "seed", &id->seed, why, sizeof why) ||
        h5in_attr_uint64(in, "/", "draws", &id->draws, why, sizeof why) ||
        h5in_attr_int64(in, "/", "threads", &id->threads, why, sizeof why)) {
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    static const char *const cf_names[3] = {"title", "institution", "references"};
    for (int k = 0; k < 3; k++)   /* absent in files of agtrade 0.1.0 before them */
        if (h5in_attr_exists(in, "/", cf_names[k], why, sizeof why) == 1 &&
            h5in_attr_string(in, "/", cf_names[k], &id->cf[k], why, sizeof why)) {
            snprintf(err, errlen, "%s: %s", path, why);
            return -1;
        }
    if (normalize_config(&id->config_yaml, path, out_path, err, errlen))
        return -1;
    if (h5in_exists(in, "draws")) {
        snprintf(err, errlen, "%s: merging shards with raw draws (/draws) is not supported", path);
        return -1;
    }
    return 0;
}

static int same_identity(const identity_t *a, const identity_t *b, const char *first,
                         const char *path, char *err, size_t errlen)
{
    /* the specific differences first: seed and draws are in the configuration too */
    const char *what = strcmp(a->version, b->version)        ? "agtrade version"
                       : a->seed != b->seed                  ? "seed"
                       : a->draws != b->draws                ? "draw count"
                       : strcmp(a->config_yaml, b->config_yaml) ? "configuration"
                                                             : NULL;
    if (what)
        snprintf(err, errlen, "%s and %s come from a different %s; they are not shards of one run",
                 first, path, what);
    return what ? -1 : 0;
}

/* Move the points of `shard` into `merged`, refusing a point given twice. */
static int take_points(results_t *merged, results_t *shard, const char *path, char *err,
                       size_t errlen)
{
    if (shard->n_points != merged->n_points || shard->n_sweeps != merged->n_sweeps ||
        shard->n_regimes != merged->n_regimes || shard->n_thresholds != merged->n_thresholds ||
        shard->layout.n_vars != merged->layout.n_vars || shard->n_periods != merged->n_periods ||
        shard->n_years != merged->n_years) {
        snprintf(err, errlen, "%s: sweep or model dimensions differ from the first shard", path);
        return -1;
    }
    for (size_t p = 0; p < shard->n_points; p++) {
        if (!shard->points[p])
            continue;
        if (merged->points[p]) {
            snprintf(err, errlen, "point %zu appears in more than one shard (again in %s)", p, path);
            return -1;
        }
        merged->points[p] = shard->points[p];
        shard->points[p] = NULL;
        memcpy(&merged->point_values[p * (size_t)merged->n_sweeps],
               &shard->point_values[p * (size_t)shard->n_sweeps],
               (size_t)shard->n_sweeps * sizeof(double));
    }
    return 0;
}

static int check_coverage(const results_t *merged, char *err, size_t errlen)
{
    size_t missing = 0, used = 0;
    char list[512] = "";
    for (size_t p = 0; p < merged->n_points; p++) {
        if (merged->points[p])
            continue;
        if (missing++ < 20)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%zu", used ? ", " : "", p);
    }
    if (missing)
        snprintf(err, errlen, "%zu of %zu points missing from the shards: %s%s", missing,
                 merged->n_points, list, missing > 20 ? ", ..." : "");
    return missing ? -1 : 0;
}

/* Read every shard; on success *merged holds all points and id the shared identity. */
static int gather(int n, char **paths, const char *out_path, results_t **merged,
                  identity_t *id, char *err, size_t errlen)
{
    for (int k = 0; k < n; k++) {
        h5in_t *in = h5in_open(paths[k], err, errlen);
        if (!in)
            return EXIT_NOINPUT;
        identity_t this_id = {0};
        results_t *shard = NULL;
        int rc = read_identity(in, paths[k], out_path, &this_id, err, errlen);
        if (!rc && k > 0)
            rc = same_identity(id, &this_id, paths[0], paths[k], err, errlen);
        if (!rc && !(shard = results_read(in, err, errlen)))   /* err names the file */
            rc = -1;
        if (!rc && k == 0) {
            *id = this_id;
            memset(&this_id, 0, sizeof this_id);
            *merged = shard;
            shard = NULL;
        } else if (!rc) {
            rc = take_points(*merged, shard, paths[k], err, errlen);
        }
        identity_free(&this_id);
        results_free(shard);
        h5in_close(in);
        if (rc)
            return EXIT_DATAERR;
    }
    return check_coverage(*merged, err, errlen) ? EXIT_DATAERR : EXIT_OK;
}

static int write_merged(const char *out_path, const results_t *merged, const identity_t *id,
                        int argc, char **argv, char *err, size_t errlen)
{
    char cmdline[8192];
    results_command_line(argc, argv, cmdline, sizeof cmdline);
    h5out_t *h = h5out_create(out_path, err, errlen);
    if (!h)
        return -1;
    results_meta_t meta = {.config_yaml = id->config_yaml, .seed = id->seed, .draws = id->draws,
                           .threads = id->threads, .command_line = cmdline, .shard = "0/1",
                           .title = id->cf[0], .institution = id->cf[1],
                           .references = id->cf[2]};
    int rc = results_define(h, merged, 0, err, errlen);
    if (!rc)
        rc = results_write_summary(h, merged, err, errlen);
    if (!rc)
        rc = results_write_metadata(h, merged, &meta, err, errlen);
    if (rc) {
        char ignored[256];
        h5out_abort(h, NULL, ignored, sizeof ignored);
        return -1;
    }
    return h5out_commit(h, err, errlen);
}

int cmd_merge(int argc, char **argv)
{
    int done = cli_simple_options(argc, argv, merge_usage);
    if (done >= 0)
        return done;   /* --help, --version or a bad option */
    argc -= optind - 1;   /* the operands follow argv[0] (after a "--") */
    argv += optind - 1;
    if (argc < 3) {
        fprintf(stderr, "agtrade: merge needs OUT.h5 and at least one SHARD.h5 "
                        "(try 'agtrade merge --help')\n");
        return EXIT_USAGE;
    }
    if (run_output_is_input(argv[1], (const char *const *)argv + 2, argc - 2))
        return EXIT_IOERR;
    char err[2048];
    results_t *merged = NULL;
    identity_t id = {0};
    int rc = gather(argc - 2, argv + 2, argv[1], &merged, &id, err, sizeof err);
    if (rc == EXIT_OK && write_merged(argv[1], merged, &id, argc, argv, err, sizeof err))
        rc = EXIT_IOERR;
    if (rc)
        fprintf(stderr, "agtrade: %s\n", err);
    results_free(merged);
    identity_free(&id);
    return rc;
}
