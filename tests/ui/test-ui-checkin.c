/* UI tests of the employee flow (issue #11 item 1): the real kikan-kiosk
 * in-process under Xvfb (ui-harness.h), driven through the "checkin"
 * actions as a person drives it through the buttons; the store's state is
 * what is asserted.  Real kikan-scand in its sandbox, real signed test
 * signatures (test-6.cvd), real signed slips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "ui-harness.h"

/* The harness itself: the window is on the display in the employee mode,
 * the store is readable, the app's own snapshot writes a PNG and the
 * frame clock ticks. */
static void
test_harness (void **state)
{
    UiHarnessOptions o = { .default_ledger = TRUE };
    UiHarness *h = ui_harness_new (&o);
    g_autofree char *png = g_build_filename (h->tmp, "welcome.png", NULL);
    g_autofree char *name = NULL;
    g_autoptr (GError) error = NULL;
    UiFrameGaps *gaps;
    guint ticks = 0;
    double gap;
    GStatBuf st;

    assert_string_equal (ui_harness_page_id (h), "welcome");
    assert_string_equal (kikan_kiosk_window_get_mode (h->window), "employee");
    assert_int_equal (ui_harness_sql_int (h, "SELECT count(*) FROM loans"), 2);
    name = ui_harness_sql_text (h, "SELECT name FROM employees WHERE id = 'E1001'");
    assert_string_equal (name, "山田 太郎");
    gaps = ui_frame_gaps_start (GTK_WIDGET (h->window));
    ui_harness_spin (500);
    gap = ui_frame_gaps_stop (gaps, &ticks);
    if (ticks < 10)
        fail_msg ("only %u frame-clock ticks in 500 ms (gap %.1f ms)", ticks, gap);
    assert_true (gap > 0 && gap < 1000);
    assert_true (ui_harness_snapshot (GTK_WIDGET (h->window), png, &error));
    g_assert_no_error (error);
    assert_int_equal (g_stat (png, &st), 0);
    assert_true (st.st_size > 1000);
    ui_harness_free (h);
}

int
main (int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_harness),
    };

    return ui_harness_main (tests, G_N_ELEMENTS (tests), argc, argv);
}
