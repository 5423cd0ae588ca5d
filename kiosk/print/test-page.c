/* Kikan kiosk: a test page for the slip printer (test-page-private.h). */
#include "test-page-private.h"

#include <cairo-pdf.h>

#include "error-private.h"
#include "escape-private.h"

/* A6 in PostScript points, the size of a slip. */
#define PAGE_W 297.64
#define PAGE_H 419.53

static cairo_status_t
append (void *closure, const unsigned char *data, unsigned int length)
{
    g_byte_array_append (closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

GBytes *
kikan_print_test_page_pdf (const char *kiosk_id, GDateTime *when, GError **error)
{
    g_autoptr (GByteArray) out = g_byte_array_new ();
    g_autoptr (GDateTime) now = when != NULL ? g_date_time_ref (when) : g_date_time_new_now_utc ();
    g_autofree char *shown = kikan_escape_for_display (kiosk_id != NULL ? kiosk_id : "", -1);
    g_autofree char *at = g_date_time_format_iso8601 (now);
    g_autofree char *line = g_strdup_printf ("Kiosk %s", shown);
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (append, out, PAGE_W, PAGE_H);
    cairo_t *cr = cairo_create (surface);
    cairo_status_t status;

    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, "Kikan test page");
    /* A frame to the margins shows paper that is cut or fed askew. */
    cairo_set_line_width (cr, 2);
    cairo_rectangle (cr, 12, 12, PAGE_W - 24, PAGE_H - 24);
    cairo_stroke (cr);
    cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size (cr, 22);
    cairo_move_to (cr, 28, 60);
    cairo_show_text (cr, "TEST PAGE");
    cairo_set_font_size (cr, 12);
    cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_move_to (cr, 28, 90);
    cairo_show_text (cr, "Not a clearance slip. Nothing was checked.");
    cairo_move_to (cr, 28, 112);
    cairo_show_text (cr, line);
    cairo_move_to (cr, 28, 130);
    cairo_show_text (cr, at);
    /* Grey steps: a fading print head shows in the light ones first. */
    for (int i = 0; i < 5; i++) {
        cairo_set_source_rgb (cr, i * 0.2, i * 0.2, i * 0.2);
        cairo_rectangle (cr, 28 + i * 48, 160, 40, 40);
        cairo_fill (cr);
    }
    cairo_show_page (cr);
    cairo_destroy (cr);
    cairo_surface_finish (surface);
    status = cairo_surface_status (surface);
    cairo_surface_destroy (surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED, "The test page could not be made: %s",
                     cairo_status_to_string (status));
        return NULL;
    }
    return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
kikan_print_test_page (const KikanPrintSettings *settings, const char *kiosk_id,
                       gint64 *job_id, GError **error)
{
    g_autoptr (GBytes) pdf = NULL;
    gsize len = 0;
    const guint8 *data;

    g_return_val_if_fail (settings != NULL, FALSE);
    if (settings->queue == NULL) {
        g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_NO_QUEUE,
                     "No printer is set up: name the slip printer's CUPS queue as [print] "
                     "queue in kikan.conf (docs/printing.md).");
        return FALSE;
    }
    if ((pdf = kikan_print_test_page_pdf (kiosk_id, NULL, error)) == NULL)
        return FALSE;
    data = g_bytes_get_data (pdf, &len);
    return kikan_print_pdf_data (settings->server, settings->queue, data, len,
                                 "Kikan test page", 1, settings->timeout_s, job_id, error);
}
