/* Kikan kiosk: where the other parts of Kikan are found. */
#include "paths-private.h"

static char *
pick (const char *env_name, const char *installed, const char *fallback, GFileTest test)
{
    const char *env = g_getenv (env_name);

    if (env != NULL && env[0] != '\0')
        return g_strdup (env);
    if (installed != NULL && g_file_test (installed, test))
        return g_strdup (installed);
    return g_strdup (fallback);
}

char *
kikan_paths_dup_scand (void)
{
    /* The build tree comes before the installed copy so that a developer's
     * `kikan` never talks to an older installed daemon. */
    return pick ("KIKAN_SCAND", KIKAN_SCAND_BUILD_PATH, KIKAN_LIBEXEC_DIR "/kikan-scand",
                 G_FILE_TEST_IS_EXECUTABLE);
}

char *
kikan_paths_dup_project_signatures (void)
{
    return pick ("KIKAN_SIGNATURES_DIR", KIKAN_SIGNATURES_INSTALL_DIR,
                 KIKAN_SIGNATURES_SOURCE_DIR, G_FILE_TEST_IS_DIR);
}

char *
kikan_paths_dup_selftest_dir (void)
{
    return pick ("KIKAN_SELFTEST_DIR", KIKAN_SELFTEST_INSTALL_DIR, KIKAN_SELFTEST_BUILD_DIR,
                 G_FILE_TEST_IS_DIR);
}
