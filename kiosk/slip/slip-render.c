/* Kikan kiosk: the slip as a PDF (issue #10 item 4; KR-12, KR-27, KR-28,
 * JNSA-2.6; REQUIREMENTS.md 5.5; docs/slip.md "What the slip says").
 *
 * cairo-pdf + pangocairo with IPAGothic (subset-embedded, so pdftotext
 * reads the Japanese back), the QR from libqrencode drawn as
 * filled rectangles.  Two layouts: an 80 mm receipt as long as its content
 * (measured in a first pass on a recording surface) and A4 pages.
 *
 * The reader is an employee who is not technical: the verdict comes first
 * and big, then what to do next in plain words, then the evidence.  Every
 * string from the store goes through kikan_escape_for_display() (control
 * and bidirectional characters made visible) and g_markup_escape_text()
 * before pango sees it. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "error-private.h"
#include "escape-private.h"
#include "slip-private.h"
#include "slip-words-private.h"

#define MM (72.0 / 25.4)
#define DOT_MM (25.4 / 203.0) /* one dot of a 203 dpi thermal printer */
/* A TrueType CJK font.  The slip first used Noto Sans CJK JP, a CID-keyed
 * CFF font: Debian 12's cairo 1.16 embeds nearly all of such a font in
 * every PDF (1.7 MB a slip, some 60 GB a year at 100 check-ins a day,
 * KR-32) and leaks 0.8 KB per face per PDF in
 * cairo_cff_font_read_cid_fontdict() (fixed upstream in 1.17.6), which the
 * 500-check-in soak showed as a growing heap (docs/robustness.md).
 * IPAGothic is subset properly (about 90 KB a slip) and keeps nothing;
 * bold is synthesised by pango. */
#define FONT "IPAGothic"

static char *esc (const char *raw);

/* @word said plainly, markup-escaped; free it. */
static char *
say (const char *word, gboolean japanese)
{
    const char *plain = kikan_slip_words_say (word, japanese ? KIKAN_SLIP_JA : KIKAN_SLIP_EN);

    return plain != NULL ? g_markup_escape_text (plain, -1) : esc (word);
}

/* @tmpl with its first "%s" replaced by @a and the second by @b (the
 * tables' templates are not printf formats the compiler can check). */
static char *
fill (const char *tmpl, const char *a, const char *b)
{
    GString *out = g_string_new (NULL);
    const char *args[2] = { a, b };
    guint k = 0;

    for (const char *c = tmpl; *c != '\0'; c++) {
        if (c[0] == '%' && c[1] == 's' && k < 2) {
            g_string_append (out, args[k++] ? args[k - 1] : "");
            c++;
        } else
            g_string_append_c (out, *c);
    }
    return g_string_free (out, FALSE);
}

/* ---- drawing ---- */

typedef struct {
    cairo_t *cr;
    double x, y, width;      /* points */
    double page_h, bottom;   /* A4: break pages; receipt: page_h 0 */
    double top;
    double body, small, big; /* font sizes in points */
} Pen;

/* Escaped for a pango markup string: control and bidi characters visible,
 * markup characters quoted. */
static char *
esc (const char *raw)
{
    /* Declared above the word tables, which use it. */
    g_autofree char *shown = kikan_escape_for_display (raw != NULL ? raw : "", -1);

    return g_markup_escape_text (shown, -1);
}

static PangoLayout *
make_layout (Pen *pen, const char *markup, double size, gboolean bold, double indent)
{
    PangoLayout *l = pango_cairo_create_layout (pen->cr);
    PangoFontDescription *fd = pango_font_description_from_string (FONT);

    pango_font_description_set_absolute_size (fd, size * PANGO_SCALE);
    if (bold)
        pango_font_description_set_weight (fd, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description (l, fd);
    pango_font_description_free (fd);
    pango_layout_set_width (l, (int)((pen->width - indent) * PANGO_SCALE));
    pango_layout_set_wrap (l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_markup (l, markup, -1);
    return l;
}

static void
need (Pen *pen, double h)
{
    if (pen->page_h > 0 && pen->y + h > pen->bottom && pen->y > pen->top) {
        cairo_show_page (pen->cr);
        pen->y = pen->top;
    }
}

/* Draws @markup (already escaped) and moves down. */
static void
text (Pen *pen, const char *markup, double size, gboolean bold, double indent)
{
    PangoLayout *l = make_layout (pen, markup, size, bold, indent);
    int w, h;

    pango_layout_get_pixel_size (l, &w, &h);
    need (pen, h);
    cairo_move_to (pen->cr, pen->x + indent, pen->y);
    pango_cairo_show_layout (pen->cr, l);
    pen->y += h + size * 0.15;
    g_object_unref (l);
}

/* White text on a black band: the verdict, COPY, an override. */
static void
band (Pen *pen, const char *markup, double size)
{
    PangoLayout *l = make_layout (pen, markup, size, TRUE, 2 * MM);
    int w, h;
    double pad = 1.2 * MM;

    pango_layout_set_alignment (l, PANGO_ALIGN_CENTER);
    pango_layout_get_pixel_size (l, &w, &h);
    need (pen, h + 2 * pad);
    cairo_set_source_rgb (pen->cr, 0, 0, 0);
    cairo_rectangle (pen->cr, pen->x, pen->y, pen->width, h + 2 * pad);
    cairo_fill (pen->cr);
    cairo_set_source_rgb (pen->cr, 1, 1, 1);
    cairo_move_to (pen->cr, pen->x + 1 * MM, pen->y + pad);
    pango_cairo_show_layout (pen->cr, l);
    cairo_set_source_rgb (pen->cr, 0, 0, 0);
    pen->y += h + 2 * pad + 1.5 * MM;
    g_object_unref (l);
}

/* The same for text of this file (not markup): escaped here. */
static void
text_plain (Pen *pen, const char *plain, double size, gboolean bold, double indent)
{
    g_autofree char *m = g_markup_escape_text (plain, -1);

    text (pen, m, size, bold, indent);
}

static void
heading (Pen *pen, const char *plain, double size)
{
    g_autofree char *m = g_markup_printf_escaped ("<b>%s</b>", plain);

    text (pen, m, size, FALSE, 0);
}

static void
rule (Pen *pen)
{
    need (pen, 2 * MM);
    pen->y += 0.8 * MM;
    cairo_set_line_width (pen->cr, 0.5);
    cairo_move_to (pen->cr, pen->x, pen->y);
    cairo_line_to (pen->cr, pen->x + pen->width, pen->y);
    cairo_stroke (pen->cr);
    pen->y += 1.2 * MM;
}

/* "label: value" with the label bold; @value already escaped. */
static void
field (Pen *pen, const char *label, const char *value_markup)
{
    g_autofree char *m = g_strdup_printf ("<b>%s</b>  %s", label, value_markup);

    text (pen, m, pen->body, FALSE, 0);
}

/* The QR code, modules snapped to whole printer dots (DESIGN.md: 40–50 mm
 * at 203 dpi decodes reliably), centred. */
static gboolean
qr (Pen *pen, const char *payload, gboolean top_right, double *size_out, GError **error)
{
    QRcode *q = QRcode_encodeString (payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    double dots_per_module, module, size, x0, y0;

    if (q == NULL) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "The slip's QR code could not be made (%s).", g_strerror (errno));
        return FALSE;
    }
    dots_per_module = floor ((46.0 / DOT_MM) / q->width);
    if (dots_per_module < 1)
        dots_per_module = 1;
    module = dots_per_module * DOT_MM * MM;
    size = module * q->width;
    if (size_out != NULL)
        *size_out = size;
    if (!top_right) {
        need (pen, size + 8 * MM);
        pen->y += 4 * MM; /* the quiet zone (four modules and more) */
    }
    /* A4: beside the header, in the page margin's quiet zone. */
    x0 = top_right ? pen->x + pen->width - size : pen->x + (pen->width - size) / 2;
    x0 = round (x0 / (DOT_MM * MM)) * (DOT_MM * MM);
    y0 = round (pen->y / (DOT_MM * MM)) * (DOT_MM * MM);
    cairo_set_source_rgb (pen->cr, 0, 0, 0);
    for (int r = 0; r < q->width; r++)
        for (int c = 0; c < q->width; c++)
            if (q->data[r * q->width + c] & 1)
                cairo_rectangle (pen->cr, x0 + c * module, y0 + r * module, module, module);
    cairo_fill (pen->cr);
    if (!top_right)
        pen->y = y0 + size + 4 * MM;
    QRcode_free (q);
    return TRUE;
}

static char *
format_time (gint64 t, gboolean with_zone)
{
    g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (t);
    g_autoptr (GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

    if (local == NULL)
        return g_strdup ("?");
    return g_date_time_format (local, with_zone ? "%Y-%m-%d %H:%M %Z" : "%Y-%m-%d");
}

static guint
verdict_index (const char *v)
{
    guint i = KIKAN_SLIP_HOLD;

    /* Not decided is never shown as cleared (fail closed). */
    if (!kikan_slip_verdict_from_string (v, &i))
        i = KIKAN_SLIP_HOLD;
    return i;
}

static char *
reason_line (const KikanSlipWords *w, gboolean japanese, const KikanSlipReason *r)
{
    g_autofree char *code = esc (r->code);
    g_autofree char *prov = esc (r->provenance);
    g_autofree char *stored = esc (r->text);
    const char *ja_text = japanese ? kikan_slip_words_reason_ja (r->code) : NULL;

    if (ja_text != NULL)
        return g_strdup_printf ("<b>%s</b> (%s) %s\n<span size=\"smaller\" "
                                "foreground=\"#444444\">%s</span>",
                                code, prov, ja_text, stored);
    return g_strdup_printf ("<b>%s</b> (%s) %s", code, prov, stored);
}

static gboolean
is_override (const KikanSlipReason *r)
{
    return g_strcmp0 (r->code, "PROC-02") == 0;
}

static void
draw_reasons (Pen *pen, const KikanSlipWords *w, gboolean japanese, GPtrArray *reasons,
              double indent)
{
    for (guint i = 0; reasons != NULL && i < reasons->len; i++) {
        const KikanSlipReason *r = reasons->pdata[i];
        g_autofree char *line = reason_line (w, japanese, r);

        if (is_override (r)) {
            /* KR-30: an override is highlighted wherever it appears. */
            g_autofree char *m = g_strdup_printf ("%s — %s", w->override_mark, line);

            band (pen, m, pen->body);
        } else
            text (pen, line, pen->body, FALSE, indent);
    }
}

static void
draw_item (Pen *pen, const KikanSlipWords *w, gboolean japanese, const KikanSlipItem *it)
{
    g_autofree char *asset = esc (it->asset);
    g_autofree char *type = say (it->type, japanese);
    g_autofree char *serial = esc (it->serial);
    guint v = verdict_index (it->verdict);
    const char *word = it->verdict != NULL ? w->word[v] : w->undecided;
    g_autoptr (GString) checked = g_string_new (NULL);
    g_autofree char *head = it->serial != NULL
                                ? g_strdup_printf ("<b>%s</b>  %s  %s %s  <b>【%s】</b>", asset,
                                                   type, w->serial, serial, word)
                                : g_strdup_printf ("<b>%s</b>  %s  <b>【%s】</b>", asset, type,
                                                   word);

    text (pen, head, pen->body * 1.1, FALSE, 0);
    if (g_strcmp0 (it->presence, "present") != 0 && it->presence != NULL) {
        g_autofree char *p = say (it->presence, japanese);
        g_autofree char *m = fill (w->presence_missing, p, NULL);

        text (pen, m, pen->body, FALSE, 3 * MM);
    } else if (it->inspected) {
        g_autofree char *files = g_strdup_printf ("%" G_GINT64_FORMAT, it->files);
        g_autofree char *bytes = g_format_size ((guint64)MAX (it->bytes, 0));
        g_autofree char *enc = say (it->encryption != NULL ? it->encryption : "unknown", japanese);

        g_string_append_printf (checked, "<b>%s</b>  ", w->checked);
        g_autofree char *fb = fill (w->files_bytes, files, bytes);

        g_string_append (checked, fb);
        g_string_append_printf (checked, "; %s %s; ", w->encryption, enc);
        if (g_strcmp0 (it->result, "infected") == 0)
            g_string_append_printf (checked, "<b>%s</b>", w->result_infected);
        else if (g_strcmp0 (it->result, "clean") == 0 && it->not_inspected == 0)
            g_string_append (checked, w->result_clean);
        else {
            g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (it->not_inspected, 1));

            g_autofree char *part = fill (w->result_partial, n, NULL);

            g_string_append (checked, part);
        }
        if (it->software_findings > 0) {
            g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, it->software_findings);

            g_string_append (checked, "; ");
            g_autofree char *sw = fill (w->software_findings, n, NULL);

            g_string_append (checked, sw);
        }
        text (pen, checked->str, pen->small, FALSE, 3 * MM);
    } else {
        g_autofree char *m = g_strdup_printf ("<b>%s</b>  %s", w->checked, w->no_medium);

        text (pen, m, pen->small, FALSE, 3 * MM);
    }
    draw_reasons (pen, w, japanese, it->reasons, 3 * MM);
    pen->y += 1 * MM;
}

/* Every condition of the session and its items (KR-28), with its date. */
static void
draw_conditions (Pen *pen, const KikanSlipWords *w, gboolean japanese, const KikanSlipDoc *doc)
{
    guint n = 0;

    heading (pen, w->conditions, pen->body * 1.1);
    for (guint i = 0; i <= doc->items->len; i++) {
        const KikanSlipItem *it = i < doc->items->len ? doc->items->pdata[i] : NULL;
        GPtrArray *reasons = it != NULL ? it->reasons : doc->reasons;

        for (guint k = 0; reasons != NULL && k < reasons->len; k++) {
            const KikanSlipReason *r = reasons->pdata[k];
            const char *ja_c = NULL;
            g_autofree char *what = NULL, *until = NULL, *asset = NULL, *m = NULL;

            if (r->condition == NULL)
                continue;
            /* IT's own wording (PROC-01/02 "as set by IT") stays as written. */
            if (japanese && !g_str_has_prefix (r->condition, "As set by IT"))
                ja_c = kikan_slip_words_condition_ja (r->code);
            what = ja_c != NULL ? g_markup_escape_text (ja_c, -1) : esc (r->condition);
            until = r->until != NULL ? esc (r->until) : NULL;
            asset = esc (it != NULL ? it->asset : doc->employee_id);
            if (until != NULL)
                m = g_strdup_printf ("• <b>%s</b> %s (%s) — <b>%s %s</b>", asset, what, r->code,
                                     w->until, until);
            else
                m = g_strdup_printf ("• <b>%s</b> %s (%s)", asset, what, r->code);
            text (pen, m, pen->body, FALSE, 2 * MM);
            n++;
        }
    }
    if (n == 0)
        text_plain (pen, w->no_conditions, pen->body, FALSE, 2 * MM);
}

static gboolean
draw (Pen *pen, const KikanSlipDoc *doc, KikanSlipLanguage language, GError **error)
{
    const KikanSlipWords *w = kikan_slip_words (language);
    gboolean japanese = language == KIKAN_SLIP_JA;
    guint v = verdict_index (doc->verdict);
    g_autofree char *number = esc (doc->number);
    g_autofree char *kiosk = esc (doc->kiosk_id);
    g_autofree char *issued = format_time (doc->issued_at, TRUE);
    g_autofree char *valid = format_time (doc->valid_until, TRUE);
    g_autofree char *emp_id = esc (doc->employee_id);
    g_autofree char *emp_name = esc (doc->employee_name);
    g_autofree char *m = NULL;
    gboolean may_reconnect = v == KIKAN_SLIP_CLEARED || v == KIKAN_SLIP_CONDITIONAL;

    gboolean qr_on_top = pen->page_h > 0; /* A4: the QR beside the header */
    double full_width = pen->width, qr_size = 0, qr_top = pen->y;

    cairo_set_source_rgb (pen->cr, 0, 0, 0);
    if (qr_on_top) {
        if (!qr (pen, doc->payload, TRUE, &qr_size, error))
            return FALSE;
        pen->width = full_width - qr_size - 6 * MM;
    }
    text_plain (pen, w->title, pen->body * 1.2, TRUE, 0);
    if (doc->copy) {
        g_autofree char *of = esc (doc->copy_of_number);
        g_autofree char *c = g_strdup_printf ("%s  (%s)", w->copy_banner, of);

        band (pen, c, pen->big);
    }
    m = g_strdup_printf ("%s  <b>%s</b>", w->number, number);
    text (pen, m, pen->big * 0.8, FALSE, 0);
    g_clear_pointer (&m, g_free);
    if (qr_on_top) {
        g_autofree char *cap = g_markup_escape_text (w->qr_caption, -1);

        text (pen, cap, pen->small, FALSE, 0);
        pen->width = full_width;
        pen->y = MAX (pen->y, qr_top + qr_size + 3 * MM);
    }
    /* The verdict first and big: what the person must know. */
    m = g_strdup_printf ("%s: %s", w->overall, w->heading[v]);
    band (pen, m, pen->big);
    g_clear_pointer (&m, g_free);
    m = g_strdup_printf ("<b>%s</b>\n%s", w->next_heading, w->next[v]);
    text (pen, m, pen->body * 1.1, FALSE, 0);
    g_clear_pointer (&m, g_free);
    if (may_reconnect) {
        g_autofree char *vm = fill (w->valid_until, valid, NULL);

        m = g_strdup_printf ("<b>%s</b>", vm);
    } else
        m = g_strdup_printf ("<b>%s</b>", w->not_valid);
    text (pen, m, pen->body * 1.1, FALSE, 0);
    g_clear_pointer (&m, g_free);
    rule (pen);

    m = g_strdup_printf ("%s  %s", emp_id, emp_name);
    field (pen, w->employee, m);
    g_clear_pointer (&m, g_free);
    m = g_strdup_printf ("%s (%s)", issued, doc->clock_verified ? w->clock_ok : w->clock_unverified);
    field (pen, w->issued, m);
    g_clear_pointer (&m, g_free);
    field (pen, w->kiosk, kiosk);
    if (doc->telework_from != NULL) {
        g_autofree char *a = esc (doc->telework_from), *b = esc (doc->telework_to);
        g_autofree char *how = doc->telework_method ? esc (doc->telework_method) : NULL;

        m = g_strdup_printf ("%s – %s%s%s%s", a, b, how ? " (" : "", how ? how : "",
                             how ? ")" : "");
        field (pen, w->telework, m);
        g_clear_pointer (&m, g_free);
    } else
        field (pen, w->telework, (char *)w->telework_unknown);
    if (doc->policy_version != NULL) {
        g_autofree char *p = esc (doc->policy_version);

        field (pen, w->policy, p);
    } else
        field (pen, w->policy, (char *)w->policy_unknown);
    if (doc->sig_version != NULL || doc->sig_date != NULL) {
        g_autofree char *a = esc (doc->sig_version ? doc->sig_version : "?");
        g_autofree char *b = esc (doc->sig_date ? doc->sig_date : "?");

        m = g_strdup_printf ("%s (%s)", a, b);
        field (pen, w->signatures, m); /* KR-12 */
        g_clear_pointer (&m, g_free);
    } else
        field (pen, w->signatures, (char *)w->signatures_unknown);
    rule (pen);

    heading (pen, w->items, pen->body * 1.1);
    for (guint i = 0; i < doc->items->len; i++)
        draw_item (pen, w, japanese, doc->items->pdata[i]);
    if (doc->reasons != NULL && doc->reasons->len > 0)
        draw_reasons (pen, w, japanese, doc->reasons, 0);
    for (guint i = 0; i < doc->incidents->len; i++) {
        g_autofree char *n = esc (doc->incidents->pdata[i]);

        field (pen, w->incident, n);
    }
    text_plain (pen, w->provenance_legend, pen->small, FALSE, 0);
    rule (pen);

    draw_conditions (pen, w, japanese, doc);
    if (doc->it_staff->len > 0) {
        g_autoptr (GString) s = g_string_new (NULL);

        for (guint i = 0; i < doc->it_staff->len; i++) {
            g_autofree char *id = esc (doc->it_staff->pdata[i]);

            g_string_append_printf (s, "%s%s", i ? ", " : "", id);
        }
        field (pen, w->it_verifier, s->str);
    }
    rule (pen);

    {
        g_autofree char *name = esc (doc->contact_name);
        g_autofree char *phone = esc (doc->contact_phone);
        g_autofree char *mail = esc (doc->contact_mail);

        m = g_strdup_printf ("%s\n%s: <b>%s</b>%s%s%s%s", name, w->phone, phone,
                             doc->contact_mail ? "\n" : "", doc->contact_mail ? w->mail : "",
                             doc->contact_mail ? ": " : "", doc->contact_mail ? mail : "");
        field (pen, w->contacts, m);
        g_clear_pointer (&m, g_free);
    }
    text_plain (pen, w->reminder, pen->body, TRUE, 0);
    text_plain (pen, w->logged, pen->small, FALSE, 0);
    if (!qr_on_top) {
        g_autofree char *cap = g_markup_escape_text (w->qr_caption, -1);

        if (!qr (pen, doc->payload, FALSE, NULL, error))
            return FALSE;
        m = g_strdup_printf ("%s\n%s  %s", cap, w->number, number);
        text (pen, m, pen->small, FALSE, 0);
        g_clear_pointer (&m, g_free);
    }
    if (doc->copy) {
        g_autofree char *c = g_markup_escape_text (w->copy_banner, -1);

        band (pen, c, pen->big);
    }
    return TRUE;
}

gboolean
kikan_slip_render (const KikanSlipDoc *doc, KikanSlipLayout layout, KikanSlipLanguage language,
                   const char *path, GError **error)
{
    Pen pen = { 0 };
    cairo_surface_t *surface;
    double page_w, page_h;
    cairo_status_t status;
    gboolean ok;

    if (layout == KIKAN_SLIP_RECEIPT) {
        cairo_surface_t *rec = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);

        /* First pass: how long the receipt must be. */
        page_w = 80 * MM;
        pen = (Pen){ cairo_create (rec), 4 * MM, 4 * MM, 72 * MM, 0, 0, 4 * MM, 7.5, 6.2, 12 };
        ok = draw (&pen, doc, language, error);
        cairo_destroy (pen.cr);
        cairo_surface_destroy (rec);
        if (!ok)
            return FALSE;
        page_h = ceil (pen.y + 6 * MM);
        surface = cairo_pdf_surface_create (path, page_w, page_h);
        pen = (Pen){ NULL, 4 * MM, 4 * MM, 72 * MM, 0, 0, 4 * MM, 7.5, 6.2, 12 };
    } else {
        page_w = 210 * MM;
        page_h = 297 * MM;
        surface = cairo_pdf_surface_create (path, page_w, page_h);
        pen = (Pen){ NULL, 20 * MM, 18 * MM, 170 * MM, page_h, page_h - 18 * MM, 18 * MM,
                     10.5, 8.5, 17 };
    }
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, "Kikan clearance slip");
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "kikan " KIKAN_VERSION);
    pen.cr = cairo_create (surface);
    ok = draw (&pen, doc, language, error);
    cairo_show_page (pen.cr);
    cairo_destroy (pen.cr);
    cairo_surface_finish (surface);
    status = cairo_surface_status (surface);
    cairo_surface_destroy (surface);
    if (ok && status != CAIRO_STATUS_SUCCESS) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "The slip's PDF %s could not be written: %s.",
                     path, cairo_status_to_string (status));
        return FALSE;
    }
    return ok;
}
