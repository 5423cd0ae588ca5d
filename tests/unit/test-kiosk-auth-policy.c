/* Unit test of kikan_auth_policy_load (kiosk/auth/auth.c): the [it] group
 * of kikan.conf — defaults, each key, and a bad key or value refused with
 * its name (docs/it-accounts.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "auth-private.h"
#include "error-private.h"

/* Loads @text as a kikan.conf; the policy, or FALSE with @error. */
static gboolean
load (const char *text, KikanAuthPolicy *out, GError **error)
{
    g_autofree char *dir = g_dir_make_tmp ("kikan-auth-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "kikan.conf", NULL);
    gboolean ok;

    assert_non_null (dir);
    if (text != NULL)
        assert_true (g_file_set_contents (path, text, -1, NULL));
    ok = kikan_auth_policy_load (path, out, error);
    g_unlink (path);
    g_rmdir (dir);
    return ok;
}

static void
test_defaults (void **state)
{
    KikanAuthPolicy p = { 0 };
    g_autoptr (GError) error = NULL;

    assert_true (load (NULL, &p, &error)); /* no kikan.conf at all */
    assert_int_equal (p.max_failures, 5);
    assert_int_equal (p.lockout_minutes, 15);
    assert_int_equal (p.idle_seconds, KIKAN_AUTH_DEFAULT_IDLE_SECONDS);
    memset (&p, 0, sizeof p);
    assert_true (load ("[signatures]\nmax_age_days = 7\n", &p, &error));
    assert_int_equal (p.idle_seconds, 300);
}

static void
test_keys (void **state)
{
    KikanAuthPolicy p = { 0 };
    g_autoptr (GError) error = NULL;

    assert_true (load ("[it]\nmax_failures = 3\nlockout_minutes = 2\nidle_seconds = 45\n", &p,
                       &error));
    g_assert_no_error (error);
    assert_int_equal (p.max_failures, 3);
    assert_int_equal (p.lockout_minutes, 2);
    assert_int_equal (p.idle_seconds, 45);
}

static void
test_bad_values_named (void **state)
{
    static const struct {
        const char *text;
        const char *named;
    } bad[] = {
        { "[it]\nidle_seconds = 9\n", "idle_seconds" },
        { "[it]\nidle_seconds = 86401\n", "idle_seconds" },
        { "[it]\nidle_seconds = soon\n", "idle_seconds" },
        { "[it]\nidle_minutes = 5\n", "idle_minutes" },
        { "[it]\nmax_failures = 0\n", "max_failures" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
        KikanAuthPolicy p = { 0 };
        g_autoptr (GError) error = NULL;

        assert_false (load (bad[i].text, &p, &error));
        assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG));
        if (strstr (error->message, bad[i].named) == NULL)
            fail_msg ("%s: the error does not name %s: %s", bad[i].text, bad[i].named,
                      error->message);
    }
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_defaults),
        cmocka_unit_test (test_keys),
        cmocka_unit_test (test_bad_values_named),
    };

    return cmocka_run_group_tests (tests, NULL, NULL);
}
