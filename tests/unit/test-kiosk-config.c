/* kiosk/common/config.c: kikan.conf in $KIKAN_HOME; a bad value names its key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli-private.h"
#include "config-private.h"
#include "error-private.h"
#include "home-private.h"

#include "test-kiosk-home.h"

/* Writes @text as $KIKAN_HOME/kikan.conf and loads it the way the CLI does. */
static KikanConfig *
load (const char *text, GError **error)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autofree char *path = kikan_home_dup_config_path (home);

    if (text != NULL)
        assert_true (g_file_set_contents (path, text, -1, NULL));
    return kikan_setup_load_config (home, error);
}

static void
assert_config_error (const char *text, const char *must_mention1, const char *must_mention2)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanConfig) config = load (text, &error);

    assert_null (config);
    assert_non_null (error);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG));
    if (strstr (error->message, must_mention1) == NULL ||
        (must_mention2 != NULL && strstr (error->message, must_mention2) == NULL))
        fail_msg ("error “%s” does not mention “%s” / “%s”", error->message, must_mention1,
                  must_mention2 != NULL ? must_mention2 : "");
    /* The message names the file too. */
    assert_non_null (strstr (error->message, "kikan.conf"));
}

static void
test_home_follows_env (void **state)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (GError) error = NULL;
    g_autofree char *tmp = NULL;
    GStatBuf st;

    assert_string_equal (kikan_home_get_path (home), (const char *) *state);
    tmp = kikan_home_ensure_dir (home, "tmp", &error);
    assert_non_null (tmp);
    assert_int_equal (g_stat (tmp, &st), 0);
    assert_int_equal (st.st_mode & 0777, 0700);
}

static void
test_missing_file_gives_defaults (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanConfig) config = load (NULL, &error);

    assert_non_null (config);
    assert_int_equal (config->max_age_days, 7);
    assert_int_equal (config->jobs, 0);
    assert_int_equal (config->timeout_s, 0);
    assert_int_equal (config->limits.max_filesize, 0);
    assert_null (config->database_dirs[0]);
}

static void
test_good_values (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanConfig) config =
        load ("# kiosk settings\n"
              "[scan]\n"
              "max_filesize = 200M\n"
              "max_scansize=1G\n"
              "max_recursion = 10\n"
              "max_files = 5000\n"
              "max_scantime_ms = 60000\n"
              "jobs = 4\n"
              "timeout_s = 1800\n"
              "[signatures]\n"
              "max_age_days = 3\n"
              "database_dirs = /srv/a;/srv/b\n"
              "[kiosk]\n"
              "something_for_later = yes\n",
              &error);

    assert_non_null (config);
    assert_int_equal (config->limits.max_filesize, 200u << 20);
    assert_int_equal (config->limits.max_scansize, 1u << 30);
    assert_int_equal (config->limits.max_recursion, 10);
    assert_int_equal (config->limits.max_files, 5000);
    assert_int_equal (config->limits.max_scantime_ms, 60000);
    assert_int_equal (config->jobs, 4);
    assert_int_equal (config->timeout_s, 1800);
    assert_int_equal (config->max_age_days, 3);
    assert_string_equal (config->database_dirs[0], "/srv/a");
    assert_string_equal (config->database_dirs[1], "/srv/b");
    assert_null (config->database_dirs[2]);
}

static void
test_bad_values_name_the_key (void **state)
{
    assert_config_error ("[scan]\nmax_filesize = lots\n", "max_filesize", "lots");
    assert_config_error ("[scan]\nmax_filesize = 10T\n", "max_filesize", "10T");
    assert_config_error ("[scan]\nmax_filesize = 8G\n", "max_filesize", "out of range");
    assert_config_error ("[scan]\nmax_recursion = 0\n", "max_recursion", "out of range");
    assert_config_error ("[scan]\nmax_files = -5\n", "max_files", "-5");
    assert_config_error ("[scan]\njobs = 4.5\n", "jobs", "4.5");
    assert_config_error ("[scan]\njobs = 99999999999999999999999\n", "jobs", NULL);
    assert_config_error ("[scan]\nmax_scantime_ms =\n", "max_scantime_ms", NULL);
    assert_config_error ("[scan]\ntimeout_s = 1h\n", "timeout_s", "1h");
    assert_config_error ("[signatures]\nmax_age_days = 0\n", "max_age_days", "out of range");
    assert_config_error ("[signatures]\nmax_age_days = week\n", "max_age_days", "week");
    assert_config_error ("[signatures]\ndatabase_dirs = relative/dir\n", "database_dirs",
                         "relative/dir");
}

static void
test_unknown_key_is_an_error (void **state)
{
    /* A typo must not silently fall back to the default. */
    assert_config_error ("[scan]\nmax_filesze = 10M\n", "max_filesze", "[scan]");
    assert_config_error ("[signatures]\nmax_age = 3\n", "max_age", "[signatures]");
}

static void
test_malformed_file (void **state)
{
    assert_config_error ("[scan\nmax_files = 3\n", "kikan.conf", NULL);
    assert_config_error ("this is not a key file\n", "kikan.conf", NULL);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_home_follows_env, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_missing_file_gives_defaults, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_good_values, test_home_setup, test_home_teardown),
        cmocka_unit_test_setup_teardown (test_bad_values_name_the_key, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_unknown_key_is_an_error, test_home_setup,
                                         test_home_teardown),
        cmocka_unit_test_setup_teardown (test_malformed_file, test_home_setup,
                                         test_home_teardown),
    };

    return cmocka_run_group_tests_name ("kiosk-config", tests, test_home_group_setup,
                                        test_home_group_teardown);
}
