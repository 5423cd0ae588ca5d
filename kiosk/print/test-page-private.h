/* Kikan kiosk: a test page for the slip printer (issue #11 item 2, IT
 * mode's "Print a test page"; docs/printing.md).
 *
 * One A6 page that names the kiosk and the time, so that IT can see the
 * queue, the paper and the print quality without issuing a slip.  A test
 * page is not a slip: it is not archived, signed nor recorded.
 */
#pragma once

#include <glib.h>

#include "print-private.h"

/* The PDF of the test page for @kiosk_id (any text: escaped) at @when
 * (NULL: now).  NULL with @error only when cairo failed. */
GBytes *kikan_print_test_page_pdf (const char *kiosk_id, GDateTime *when, GError **error);

/* Prints the test page on @settings' queue and waits as kikan_print_pdf
 * does.  KIKAN_PRINT_ERROR_NO_QUEUE when no printer is set up. */
gboolean kikan_print_test_page (const KikanPrintSettings *settings, const char *kiosk_id,
                                gint64 *job_id, GError **error);
