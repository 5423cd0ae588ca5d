/* Kikan kiosk: where the other parts of Kikan are found. */
#include "paths-private.h"

#include "test-seams-private.h"

static char *
pick (const char *seam, const char *installed, const char *fallback, GFileTest test)
{
    const char *env = kikan_test_seam (seam);

    if (env != NULL && env[0] != '\0')
        return g_strdup (env);
    if (installed != NULL && g_file_test (installed, test))
        return g_strdup (installed);
    return g_strdup (fallback);
}

char *
kikan_paths_choose_scand (const char *exe, const char *env_scand, const char *build_kikan,
                          const char *build_scand, const char *installed_scand)
{
    g_return_val_if_fail (build_scand != NULL && installed_scand != NULL, NULL);
    if (env_scand != NULL && env_scand[0] != '\0')
        return g_strdup (env_scand);
    /* Only the `kikan` of the build tree itself runs the build tree's
     * daemon.  Anything else — the installed copy, a copy elsewhere, an
     * executable whose path cannot be read — runs only the installed one:
     * an installed kiosk must never execute a program from a build tree
     * that happens to exist on the machine (issue #8). */
    if (exe != NULL && build_kikan != NULL && g_str_equal (exe, build_kikan))
        return g_strdup (build_scand);
    return g_strdup (installed_scand);
}

char *
kikan_paths_dup_self_exe (void)
{
    g_autofree char *link = g_file_read_link ("/proc/self/exe", NULL);

    return link != NULL ? g_canonicalize_filename (link, NULL) : NULL;
}

char *
kikan_paths_dup_scand (void)
{
    g_autofree char *exe = kikan_paths_dup_self_exe ();
    g_autofree char *build_kikan = g_canonicalize_filename (KIKAN_BUILD_KIKAN_PATH, NULL);

    /* KIKAN_SCAND is a test seam: an installed kikan or kikan-kiosk never
     * runs a daemon named in its environment (kikan/test-seam.h). */
    return kikan_paths_choose_scand (exe, kikan_test_seam ("KIKAN_SCAND"), build_kikan,
                                     KIKAN_SCAND_BUILD_PATH, KIKAN_LIBEXEC_DIR "/kikan-scand");
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
