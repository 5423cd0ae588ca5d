/* Does this machine's cairo keep memory for every PDF that embeds a
 * CID-keyed CFF font (the slip's Noto Sans CJK JP)?  Found by the soak
 * test (issue #12 item 5, docs/robustness.md): cairo 1.16.0 (Debian 12)
 * leaks the FDArray index of such a font each time its PDF backend
 * subsets it, once per face per document, in
 * cairo_cff_font_read_cid_fontdict(); fixed upstream by cairo commit
 * fc1d6caa8 "Fix memory leak in cairo_cff_font_read_cid_fontdict"
 * (cairo 1.17.6 and later).  The kiosk issues one slip per check-in in
 * two faces of that font, so it grows by that much per check-in.
 *
 * It writes N small PDFs the way the slip does (pangocairo, the slip's
 * font, regular and bold, Japanese and Latin) and prints how much of the
 * malloc heap each keeps, after the first 50 (fontconfig's and cairo's
 * own caches fill first).  Exit status 0 when under 64 bytes per
 * document (no leak), 1 otherwise.
 *
 *   kikan-bench-cairo-cff-leak [N]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

static void
line (cairo_t *cr, const char *font, const char *text, double y, gboolean bold)
{
    PangoLayout *l = pango_cairo_create_layout (cr);
    PangoFontDescription *fd = pango_font_description_from_string (font);

    pango_font_description_set_absolute_size (fd, 10 * PANGO_SCALE);
    if (bold)
        pango_font_description_set_weight (fd, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description (l, fd);
    pango_font_description_free (fd);
    pango_layout_set_text (l, text, -1);
    cairo_move_to (cr, 40, y);
    pango_cairo_show_layout (cr, l);
    g_object_unref (l);
}

/* Bytes of heap kept per document from the 51st to the @n-th. */
static double
per_document (const char *font, const char *path, int n)
{
    size_t at50 = 0;

    for (int i = 1; i <= n; i++) {
        cairo_surface_t *s = cairo_pdf_surface_create (path, 595, 842);
        cairo_t *cr = cairo_create (s);
        char text[96];

        snprintf (text, sizeof text, "Slip KS-%06d 退社時確認 2026-12-04", i);
        line (cr, font, text, 40, FALSE);
        line (cr, font, "クリア CLEARED", 60, TRUE);
        cairo_show_page (cr);
        cairo_destroy (cr);
        cairo_surface_finish (s);
        cairo_surface_destroy (s);
        if (i == 50)
            at50 = mallinfo2 ().uordblks;
    }
    return ((double)mallinfo2 ().uordblks - (double)at50) / (n - 50);
}

int
main (int argc, char **argv)
{
    int n = argc > 1 ? atoi (argv[1]) : 300;
    g_autofree char *path = g_build_filename (g_get_tmp_dir (), "kikan-cairo-cff-leak.pdf",
                                              NULL);
    double kept;

    if (n <= 50) {
        fprintf (stderr, "usage: kikan-bench-cairo-cff-leak [N > 50]\n");
        return 2;
    }
    kept = per_document ("Noto Sans CJK JP", path, n);
    remove (path);
    printf ("cairo %s: %.0f bytes of heap kept per PDF with Noto Sans CJK JP (regular and "
            "bold)\n", cairo_version_string (), kept);
    return kept < 64 ? 0 : 1;
}
