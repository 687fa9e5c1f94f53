/*
 * scenario_path.h - where scenario files are found, and the folder an output goes in,
 * so that an installed agtrade runs its shipped scenarios from any working directory.
 *
 * Search order for a scenario (the command line's FILE, and a file's `base:`):
 *   1. the name as given: relative to the working directory (command line) or to the
 *      folder of the file that names it (base:), or absolute;
 *   2. for a bare name (no '/'): each folder of AGTRADE_CONFIG_PATH (':'-separated,
 *      empty entries skipped), in order;
 *   3. the installed scenarios, <dir of the running binary>/../share/agtrade/configs
 *      (found through /proc/self/exe, so an installation can be moved or staged with
 *      DESTDIR; nothing is compiled in).
 *
 * Reads the environment and the file system; keeps no state; thread-safe.
 */
#ifndef AGTRADE_SCENARIO_PATH_H
#define AGTRADE_SCENARIO_PATH_H

#include <stddef.h>

/* `given` is what step 1 tries (the caller has joined it to the right folder); `name`
 * is what the file or command line said. Returns given when it exists or when nothing
 * is found (the caller then reports given as missing); else out, holding the path found
 * in step 2 or 3. */
const char *scenario_path_find(const char *given, const char *name, char *out, size_t outlen);

/* Creates the folder of output when it is missing and its own parent exists (one level,
 * e.g. "outputs/" of "outputs/x.h5" in a fresh working directory). 0 on success or when
 * nothing needed doing; -1 with a one-line message in err. */
int scenario_output_folder(const char *output, char *err, size_t errlen);

#endif
