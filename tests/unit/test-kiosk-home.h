/* Shared by the kiosk unit tests: a fresh KIKAN_HOME per test case.
 *
 * ctest sets KIKAN_HOME to a per-test-program folder (tests/unit/kiosk.cmake);
 * each test case gets a new empty directory beneath it, so tests never see
 * each other's state and never touch /var/lib/kikan. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>

static char *test_base_home;

static void
test_rm_rf (const char *path)
{
    g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
    const char *name;

    if (d != NULL) {
        while ((name = g_dir_read_name (d)) != NULL) {
            g_autofree char *p = g_build_filename (path, name, NULL);

            if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
                test_rm_rf (p);
            else
                g_unlink (p);
        }
    }
    g_rmdir (path);
}

/* cmocka group setup: remember the base from ctest; refuse to run without
 * one, rather than work on the real state directory. */
static int
test_home_group_setup (void **state)
{
    const char *base = g_getenv ("KIKAN_HOME");

    if (base == NULL || base[0] == '\0') {
        fprintf (stderr, "KIKAN_HOME is not set: run this test through ctest\n");
        return -1;
    }
    test_base_home = g_strdup (base);
    if (g_mkdir_with_parents (test_base_home, 0700) != 0)
        return -1;
    return 0;
}

static int
test_home_group_teardown (void **state)
{
    g_clear_pointer (&test_base_home, g_free);
    return 0;
}

/* Per test: a new KIKAN_HOME; *state is its path (g_free'd in teardown). */
static int
test_home_setup (void **state)
{
    char *dir = g_build_filename (test_base_home, "case-XXXXXX", NULL);

    if (g_mkdtemp (dir) == NULL)
        return -1;
    g_setenv ("KIKAN_HOME", dir, TRUE);
    *state = dir;
    return 0;
}

static int
test_home_teardown (void **state)
{
    test_rm_rf (*state);
    g_free (*state);
    g_setenv ("KIKAN_HOME", test_base_home, TRUE);
    return 0;
}
