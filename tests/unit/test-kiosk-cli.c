/* kiosk/: what the subcommands share: opening targets, KIKAN_SANDBOX, which
 * databases load, where the daemon and fixtures are found, the progress
 * line. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli-private.h"
#include "error-private.h"
#include "paths-private.h"
#include "progress-bar-private.h"
#include "scan-target-private.h"

#include "test-kiosk-home.h"

static void
test_open_targets (void **state)
{
    const char *home = *state;
    g_autofree char *file = g_build_filename (home, "disk.img", NULL);
    g_autofree char *fifo = g_build_filename (home, "pipe", NULL);
    g_autofree char *missing = g_build_filename (home, "missing\x1b", NULL);
    g_autoptr (KikanScanTarget) dir_t = NULL;
    g_autoptr (KikanScanTarget) file_t = NULL;
    g_autoptr (KikanScanTarget) t = NULL;
    g_autoptr (GError) error = NULL;

    dir_t = kikan_scan_target_open (home, &error);
    assert_non_null (dir_t);
    assert_true (dir_t->is_dir);
    assert_true (dir_t->fd >= 0);
    assert_true (fcntl (dir_t->fd, F_GETFD) & FD_CLOEXEC);
    assert_int_equal (fcntl (dir_t->fd, F_GETFL) & O_ACCMODE, O_RDONLY);

    assert_true (g_file_set_contents (file, "image", -1, NULL));
    file_t = kikan_scan_target_open (file, &error);
    assert_non_null (file_t);
    assert_false (file_t->is_dir);

    /* A FIFO neither hangs open() nor is accepted. */
    assert_int_equal (mkfifo (fifo, 0600), 0);
    t = kikan_scan_target_open (fifo, &error);
    assert_null (t);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_SUPPORTED));
    g_clear_error (&error);

    t = kikan_scan_target_open ("/dev/null", &error);
    assert_null (t);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_SUPPORTED));
    g_clear_error (&error);

    /* The name in the message is escaped. */
    t = kikan_scan_target_open (missing, &error);
    assert_null (t);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_IO));
    assert_null (strchr (error->message, '\x1b'));
    assert_non_null (strstr (error->message, "missing\\x1B"));
}

static void
test_block_device_not_supported_yet (void **state)
{
    g_autoptr (GDir) d = g_dir_open ("/dev", 0, NULL);
    const char *name;

    /* Any block device will do; a machine without one has nothing to test. */
    while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
        g_autofree char *path = g_build_filename ("/dev", name, NULL);
        g_autoptr (KikanScanTarget) t = NULL;
        g_autoptr (GError) error = NULL;
        struct stat st;

        if (lstat (path, &st) != 0 || !S_ISBLK (st.st_mode) || access (path, R_OK) != 0)
            continue;
        t = kikan_scan_target_open (path, &error);
        assert_null (t);
        assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_SUPPORTED));
        assert_non_null (strstr (error->message, "not supported yet"));
        return;
    }
    print_message ("no readable block device here: nothing to check\n");
}

static void
test_null_sandbox_env (void **state)
{
    g_autoptr (GError) error = NULL;
    gboolean null_sandbox = TRUE;

    g_unsetenv ("KIKAN_SANDBOX");
    assert_true (kikan_cli_null_sandbox_requested (&null_sandbox, &error));
    assert_false (null_sandbox);
    g_setenv ("KIKAN_SANDBOX", "null", TRUE);
    assert_true (kikan_cli_null_sandbox_requested (&null_sandbox, &error));
    assert_true (null_sandbox);
    /* Anything else is a mistake, never silently unconfined or ignored. */
    g_setenv ("KIKAN_SANDBOX", "none", TRUE);
    assert_false (kikan_cli_null_sandbox_requested (&null_sandbox, &error));
    assert_false (null_sandbox);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_USAGE));
    g_unsetenv ("KIKAN_SANDBOX");
}

/* freshclam's databases, which every default list includes. */
static gboolean
system_has_clamav_databases (void)
{
    g_autoptr (GDir) d = g_dir_open (KIKAN_SYSTEM_CLAMAV_DIR, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        if (g_str_has_suffix (name, ".cvd") || g_str_has_suffix (name, ".cld"))
            return TRUE;
    return FALSE;
}

static void
test_databases (void **state)
{
    const char *home_path = *state;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanConfig) config = kikan_config_new ();
    g_autoptr (GError) error = NULL;
    g_autofree char *empty = g_build_filename (home_path, "no-signatures", NULL);
    g_autofree char *project = g_build_filename (home_path, "project", NULL);
    g_autofree char *hdb = g_build_filename (project, "kikan-test.hdb", NULL);
    char *explicit[] = { project, NULL };
    char *missing[] = { "/nonexistent/db.cvd", NULL };
    KikanDbSources *s;

    /* Nothing to load: an error that says what to do. */
    assert_int_equal (g_mkdir (empty, 0700), 0);
    g_setenv ("KIKAN_SIGNATURES_DIR", empty, TRUE);
    if (system_has_clamav_databases ())
        print_message ("%s holds databases here: the no-database case is not checked\n",
                       KIKAN_SYSTEM_CLAMAV_DIR);
    else {
        s = kikan_cli_resolve_databases (home, config, NULL, &error);
        assert_null (s);
        assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NO_SIGNATURES));
        assert_non_null (strstr (error->message, "kikan signatures import"));
        g_clear_error (&error);
    }

    /* The project's signatures, found through KIKAN_SIGNATURES_DIR. */
    assert_int_equal (g_mkdir (project, 0700), 0);
    assert_true (g_file_set_contents (hdb, "44d88612fea8a8f36de82e1278abb02f:68:T\n", -1, NULL));
    g_setenv ("KIKAN_SIGNATURES_DIR", project, TRUE);
    s = kikan_cli_resolve_databases (home, config, NULL, &error);
    assert_non_null (s);
    assert_string_equal (kikan_db_sources_get_paths (s)[kikan_db_sources_get_n (s) - 1], project);
    assert_null (kikan_db_sources_get_paths (s)[kikan_db_sources_get_n (s)]);
    kikan_db_sources_free (s);
    g_unsetenv ("KIKAN_SIGNATURES_DIR");

    /* --database replaces the defaults, and must exist. */
    s = kikan_cli_resolve_databases (home, config, explicit, &error);
    assert_non_null (s);
    assert_int_equal (kikan_db_sources_get_n (s), 1);
    assert_string_equal (kikan_db_sources_get_origin (s, 0), "--database");
    kikan_db_sources_free (s);
    s = kikan_cli_resolve_databases (home, config, missing, &error);
    assert_null (s);
    assert_non_null (strstr (error->message, "/nonexistent/db.cvd"));
    g_clear_error (&error);

    /* kikan.conf naming a folder that is not there is an error. */
    g_strfreev (config->database_dirs);
    config->database_dirs = g_strsplit ("/nonexistent/kikan-dbs", ";", -1);
    s = kikan_cli_resolve_databases (home, config, NULL, &error);
    assert_null (s);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG));
}

static void
test_paths_follow_env (void **state)
{
    g_autofree char *scand = NULL;
    g_autofree char *st = NULL;

    g_setenv ("KIKAN_SCAND", "/opt/kikan/kikan-scand", TRUE);
    g_setenv ("KIKAN_SELFTEST_DIR", "/opt/kikan/selftest", TRUE);
    scand = kikan_paths_dup_scand ();
    st = kikan_paths_dup_selftest_dir ();
    assert_string_equal (scand, "/opt/kikan/kikan-scand");
    assert_string_equal (st, "/opt/kikan/selftest");
    g_unsetenv ("KIKAN_SCAND");
    g_unsetenv ("KIKAN_SELFTEST_DIR");
    g_clear_pointer (&scand, g_free);
    scand = kikan_paths_dup_scand ();
    assert_true (g_str_has_suffix (scand, "/kikan-scand"));
}

static void
test_progress_line (void **state)
{
    KikanProgress counting = { .files_done = 120, .bytes_done = 50000000 };
    KikanProgress known = { .files_done = 50, .bytes_done = 100000000, .files_total = 200,
                            .bytes_total = 400000000, .counting_done = 1 };
    g_autofree char *a = kikan_progress_bar_format (&counting, 2.0, 200);
    g_autofree char *b = kikan_progress_bar_format (&known, 10.0, 200);
    g_autofree char *narrow = kikan_progress_bar_format (&known, 10.0, 30);

    assert_non_null (strstr (a, "counting"));
    assert_non_null (strstr (a, "120 files"));
    assert_non_null (strstr (a, "25.0 MB/s"));
    assert_non_null (strstr (b, "[#####..............."));
    assert_non_null (strstr (b, "50/200 files"));
    assert_non_null (strstr (b, "100.0/400.0 MB"));
    assert_non_null (strstr (b, "10.0 MB/s"));
    assert_non_null (strstr (b, "ETA 0:30"));
    /* Never wider than the terminal: a wrapped line cannot be redrawn. */
    assert_true (g_utf8_strlen (narrow, -1) < 30);
    assert_true (g_utf8_validate (narrow, -1, NULL));
}

int
main (void)
{
#define T(f) cmocka_unit_test_setup_teardown (f, test_home_setup, test_home_teardown)
    const struct CMUnitTest tests[] = {
        T (test_open_targets),
        T (test_block_device_not_supported_yet),
        T (test_null_sandbox_env),
        T (test_databases),
        T (test_paths_follow_env),
        T (test_progress_line),
    };
#undef T

    return cmocka_run_group_tests_name ("kiosk-cli", tests, test_home_group_setup,
                                        test_home_group_teardown);
}
