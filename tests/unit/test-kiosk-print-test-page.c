/* Unit test of the slip printer's test page (kiosk/print/test-page.c):
 * a one-page PDF that says it is a test page and names the kiosk (hostile
 * text escaped), and no job without a queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "test-page-private.h"

static char *
pdf_text (GBytes *pdf)
{
    g_autofree char *dir = g_dir_make_tmp ("kikan-testpage-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "page.pdf", NULL);
    g_autofree char *out = NULL;
    g_autoptr (GError) error = NULL;
    const char *argv[] = { KIKAN_TEST_PDFTOTEXT, path, "-", NULL };
    gsize len = 0;
    const char *data = g_bytes_get_data (pdf, &len);
    int status = 0;

    assert_true (g_file_set_contents (path, data, (gssize)len, NULL));
    if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                       &status, &error))
        fail_msg ("pdftotext: %s", error->message);
    assert_true (g_spawn_check_wait_status (status, NULL));
    g_unlink (path);
    g_rmdir (dir);
    return g_steal_pointer (&out);
}

static void
test_pdf (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GDateTime) when = g_date_time_new_utc (2026, 12, 3, 12, 0, 0);
    g_autoptr (GBytes) pdf = kikan_print_test_page_pdf ("kiosk-east\x1b[2J", when, &error);
    g_autofree char *text = NULL;
    gsize len = 0;
    const char *data;

    g_assert_no_error (error);
    assert_non_null (pdf);
    data = g_bytes_get_data (pdf, &len);
    assert_true (len > 100 && memcmp (data, "%PDF-", 5) == 0);
    text = pdf_text (pdf);
    assert_non_null (strstr (text, "TEST PAGE"));
    assert_non_null (strstr (text, "Not a clearance slip"));
    assert_non_null (strstr (text, "kiosk-east"));
    assert_non_null (strstr (text, "2026-12-03T12:00:00"));
    /* The escape sequence of a hostile kiosk name is not on the page. */
    assert_null (strchr (text, '\x1b'));
}

static void
test_no_queue (void **state)
{
    g_autoptr (KikanPrintSettings) settings = kikan_print_settings_new ();
    g_autoptr (GError) error = NULL;
    gint64 job = 0;

    assert_false (kikan_print_test_page (settings, "k", &job, &error));
    assert_true (g_error_matches (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_NO_QUEUE));
    assert_non_null (strstr (error->message, "[print]"));
    assert_int_equal (job, 0);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_pdf),
        cmocka_unit_test (test_no_queue),
    };

    return cmocka_run_group_tests (tests, NULL, NULL);
}
