/* Unit tests of the test-seam accessor (kikan/test-seam.h): the build-tree
 * decision as a pure function, and this test program, which runs from the
 * build tree, seeing the seams it is given.  That an installed copy sees
 * none is integration.seams.* (tests/integration/test_seams.py), which
 * runs `kikan` installed with `cmake --install`. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kikan/test-seam.h"

static void
test_exe_in_build_tree (void **state)
{
    struct {
        const char *exe, *root;
        int want;
    } cases[] = {
        { "/src/kikan/build/kiosk/kikan", "/src/kikan/build", 1 },
        { "/src/kikan/build/tests/unit/test-kiosk-cli", "/src/kikan/build", 1 },
        { "/src/kikan/build/ui/kikan-kiosk (deleted)", "/src/kikan/build", 1 },
        /* Installed, or a copy next to the build tree. */
        { "/usr/local/bin/kikan", "/src/kikan/build", 0 },
        { "/src/kikan/build-other/kiosk/kikan", "/src/kikan/build", 0 },
        { "/src/kikan/buildkikan", "/src/kikan/build", 0 },
        { "/src/kikan/build", "/src/kikan/build", 0 },
        { "/src/kikan/build/", "/src/kikan/build", 0 },
        { "/src/kikan/kikan", "/src/kikan/build", 0 },
        /* Unknown executable, or a root that would take in everything. */
        { NULL, "/src/kikan/build", 0 },
        { "/usr/bin/kikan", "/", 0 },
        { "/usr/bin/kikan", "", 0 },
        { "/usr/bin/kikan", "usr", 0 },
        { "/src/kikan/build/kiosk/kikan", "/src/kikan/build/", 0 },
        { "/src/kikan/build/kiosk/kikan", NULL, 0 },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = kikan_test_seam_exe_in_build_tree (cases[i].exe, cases[i].root);

        if (got != cases[i].want)
            fail_msg ("exe %s, root %s: %d, expected %d", cases[i].exe ? cases[i].exe : "NULL",
                      cases[i].root ? cases[i].root : "NULL", got, cases[i].want);
    }
}

/* This program lies in the build tree: every seam is read. */
static void
test_build_tree_reads_seams (void **state)
{
    assert_int_equal (kikan_test_seams_enabled (), 1);
    for (size_t i = 0; kikan_test_seam_names[i] != NULL; i++) {
        const char *name = kikan_test_seam_names[i];

        assert_int_equal (strncmp (name, "KIKAN_", 6), 0);
        setenv (name, "seam-value", 1);
        assert_non_null (kikan_test_seam (name));
        assert_string_equal (kikan_test_seam (name), "seam-value");
        unsetenv (name);
        assert_null (kikan_test_seam (name));
    }
}

/* The list names what docs/deploy.md "Environment" says it does. */
static void
test_registry (void **state)
{
    const char *want[] = { "KIKAN_SCAND", "KIKAN_SANDBOX", "KIKAN_FAKE_NOW", "KIKAN_POLICY",
                           "KIKAN_SIGNATURES_DIR", "KIKAN_SELFTEST_DIR",
                           "KIKAN_TEST_FREE_BYTES", "KIKAN_TEST_KILL_AT",
                           "KIKAN_TEST_KILL_AUDIT" };
    size_t n = 0;

    while (kikan_test_seam_names[n] != NULL)
        n++;
    assert_int_equal (n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++)
        assert_string_equal (kikan_test_seam_names[i], want[i]);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_exe_in_build_tree),
        cmocka_unit_test (test_build_tree_reads_seams),
        cmocka_unit_test (test_registry),
    };

    return cmocka_run_group_tests_name ("scanner-test-seam", tests, NULL, NULL);
}
