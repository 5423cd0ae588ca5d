/* Kikan kiosk: the one-line progress bar of `kikan scan` on a terminal. */
#include "progress-bar-private.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include "escape-private.h"

#define BAR_CELLS 20
#define REDRAW_INTERVAL_US (G_USEC_PER_SEC / 10)

struct KikanProgressBar {
    FILE *out;
    char *label;
    gint64 started;
    gint64 last_draw;
    gboolean shown;
};

KikanProgressBar *
kikan_progress_bar_new (FILE *out)
{
    KikanProgressBar *self = g_new0 (KikanProgressBar, 1);

    self->out = out;
    self->started = g_get_monotonic_time ();
    return self;
}

void
kikan_progress_bar_free (KikanProgressBar *self)
{
    if (self == NULL)
        return;
    kikan_progress_bar_clear (self);
    g_free (self->label);
    g_free (self);
}

void
kikan_progress_bar_start (KikanProgressBar *self, const char *label)
{
    g_free (self->label);
    self->label = kikan_escape_for_display (label, -1);
    self->started = g_get_monotonic_time ();
    self->last_draw = 0;
}

void
kikan_progress_bar_clear (KikanProgressBar *self)
{
    if (self == NULL || !self->shown)
        return;
    fputs ("\r\033[K", self->out);
    fflush (self->out);
    self->shown = FALSE;
}

static guint
terminal_width (FILE *out)
{
    struct winsize ws;

    if (ioctl (fileno (out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
        return ws.ws_col;
    return 80;
}

static char *
format_duration (double s)
{
    guint64 t = (guint64) (s + 0.5);

    if (t >= 3600)
        return g_strdup_printf ("%" G_GUINT64_FORMAT ":%02u:%02u", t / 3600,
                                (guint) (t / 60 % 60), (guint) (t % 60));
    return g_strdup_printf ("%u:%02u", (guint) (t / 60), (guint) (t % 60));
}

char *
kikan_progress_bar_format (const KikanProgress *p, double elapsed, guint width)
{
    GString *s = g_string_new (NULL);
    double mb = (double) p->bytes_done / 1e6;
    double rate = elapsed > 0.05 ? mb / elapsed : 0.0;

    if (p->counting_done && p->files_total > 0) {
        double frac = p->bytes_total > 0 ? (double) p->bytes_done / (double) p->bytes_total
                                         : (double) p->files_done / (double) p->files_total;
        guint cells = (guint) (CLAMP (frac, 0.0, 1.0) * BAR_CELLS + 0.5);

        g_string_append_c (s, '[');
        for (guint i = 0; i < BAR_CELLS; i++)
            g_string_append_c (s, i < cells ? '#' : '.');
        g_string_append_printf (s, "] %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " files  "
                                   "%.1f/%.1f MB  %.1f MB/s",
                                p->files_done, p->files_total, mb,
                                (double) p->bytes_total / 1e6, rate);
        if (rate > 0.0 && p->bytes_total >= p->bytes_done) {
            g_autofree char *eta =
                format_duration ((double) (p->bytes_total - p->bytes_done) / 1e6 / rate);

            g_string_append_printf (s, "  ETA %s", eta);
        }
    } else {
        g_string_append_printf (s, "counting… %" G_GUINT64_FORMAT " files  %.1f MB  %.1f MB/s",
                                p->files_done, mb, rate);
    }
    /* Keep to one line: a wrapped line cannot be redrawn in place.  The
     * text is ASCII but for "…", so truncating on a byte count is safe
     * once the string is made valid again. */
    if (s->len >= width) {
        g_string_truncate (s, width > 1 ? width - 1 : 0);
        while (s->len > 0 && !g_utf8_validate (s->str, (gssize) s->len, NULL))
            g_string_truncate (s, s->len - 1);
    }
    return g_string_free (s, FALSE);
}

void
kikan_progress_bar_update (KikanProgressBar *self, const KikanProgress *p)
{
    gint64 now = g_get_monotonic_time ();
    g_autofree char *text = NULL;
    g_autofree char *line = NULL;
    guint width;

    if (self->shown && now - self->last_draw < REDRAW_INTERVAL_US)
        return;
    self->last_draw = now;
    width = terminal_width (self->out);
    text = kikan_progress_bar_format (p, (double) (now - self->started) / G_USEC_PER_SEC, width);
    /* The label goes first when it fits; the bar itself always does. */
    if (self->label != NULL &&
        (guint) (g_utf8_strlen (self->label, -1) + g_utf8_strlen (text, -1) + 2) < width)
        line = g_strdup_printf ("%s: %s", self->label, text);
    else
        line = g_strdup (text);
    fprintf (self->out, "\r\033[K%s", line);
    fflush (self->out);
    self->shown = TRUE;
}
