/* Kikan kiosk UI: the result page (result-page.h).
 *
 * The overall verdict with the §5.3 heading in its colour, then each
 * item's verdict, its reasons in plain words (the slip texts of §5.4, as
 * recorded) and what to do next; then the slip: its number, and whether
 * it printed — if not, what to do.  Everything shown is read back from
 * the store (kikan_checkin_to_json), so the screen says what was
 * recorded. */
#include "result-page.h"

#include "escape-private.h"
#include "item-text.h"
#include "kiosk-driver.h"
#include "kiosk-i18n.h"

struct _KikanResultPage {
    KikanPage parent_instance;

    GtkLabel *banner;
    GtkLabel *next_step;
    GtkListBox *list;
    GtkLabel *slip;
    GtkWidget *done;
};

G_DEFINE_FINAL_TYPE (KikanResultPage, kikan_result_page, KIKAN_TYPE_PAGE)

static const char *const verdicts[]
    = { "cleared", "conditional", "hold", "quarantine", "not_returned", NULL };

/* The slip headings of REQUIREMENTS §5.3. */
static const char *
heading (const char *v)
{
    if (g_strcmp0 (v, "cleared") == 0)
        return _("CLEARED – may reconnect");
    if (g_strcmp0 (v, "conditional") == 0)
        return _("CLEARED WITH CONDITIONS");
    if (g_strcmp0 (v, "quarantine") == 0)
        return _("QUARANTINED – do not connect");
    if (g_strcmp0 (v, "not_returned") == 0)
        return _("NOT RETURNED");
    return _("ON HOLD – IT review required");
}

/* What the person does next, in plain words (KR-25: no blame). */
static const char *
next_step (const char *v)
{
    if (g_strcmp0 (v, "cleared") == 0)
        return _("You may connect it to the office network again.");
    if (g_strcmp0 (v, "conditional") == 0)
        return _("You may connect it only as the slip says: follow the conditions printed on "
                 "it.");
    if (g_strcmp0 (v, "quarantine") == 0)
        return _("Please do not connect it. Hand it to IT now: they keep it and will contact "
                 "you.");
    if (g_strcmp0 (v, "not_returned") == 0)
        return _("Bring it back by the date shown, or contact IT with the incident number "
                 "shown.");
    if (g_strcmp0 (v, "hold") == 0)
        return _("Please do not connect it yet. Leave it with IT at the desk: they will tell "
                 "you when it is ready.");
    return _("Not decided yet: IT will look at it and tell you.");
}

/* A string member, NULL when absent, null or not a string. */
static const char *
str_member (JsonObject *o, const char *m)
{
    return o != NULL ? json_object_get_string_member_with_default (o, m, NULL) : NULL;
}

static void
set_verdict_class (GtkWidget *w, const char *v)
{
    for (gsize i = 0; verdicts[i] != NULL; i++) {
        g_autofree char *cls = g_strconcat ("verdict-", verdicts[i], NULL);

        if (g_strcmp0 (v, verdicts[i]) == 0)
            gtk_widget_add_css_class (w, cls);
        else
            gtk_widget_remove_css_class (w, cls);
    }
}

static char *
reasons_text (JsonObject *o)
{
    JsonArray *r = json_object_has_member (o, "reasons")
                           && JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "reasons"))
                       ? json_object_get_array_member (o, "reasons")
                       : NULL;
    GString *s = g_string_new (NULL);

    for (guint i = 0; r != NULL && i < json_array_get_length (r); i++) {
        JsonObject *reason = json_array_get_object_element (r, i);
        JsonNode *c = json_object_get_member (reason, "condition");
        g_autofree char *text = kikan_escape_for_display (str_member (reason, "text"), -1);

        g_string_append_printf (s, "%s• %s", s->len > 0 ? "\n" : "", text);
        /* KR-28: what a conditional clearance asks of the person, and
         * until when. */
        if (c != NULL && JSON_NODE_HOLDS_OBJECT (c)) {
            JsonObject *co = json_node_get_object (c);
            g_autofree char *what = kikan_escape_for_display (str_member (co, "text"), -1);
            const char *until = str_member (co, "until");

            g_string_append (s, "\n   ");
            /* TRANSLATORS: %s is what a conditional clearance asks. */
            g_string_append_printf (s, _("Condition: %s"), what);
            if (until != NULL) {
                g_autofree char *u = kikan_escape_for_display (until, -1);

                g_string_append_c (s, ' ');
                /* TRANSLATORS: %s is a date, the end of a condition. */
                g_string_append_printf (s, _("(until %s)"), u);
            }
        }
    }
    return g_string_free (s, FALSE);
}

/* One row: @o is an item, or the session itself (its own reasons: the
 * declaration, the ledger, the signatures) when @title is given. */
static void
show_item (KikanResultPage *self, JsonObject *o, const char *session_title)
{
    const char *v = str_member (o, "verdict");
    const char *asset = str_member (o, "asset");
    g_autofree char *title = session_title != NULL
                                 ? g_strdup (session_title)
                                 : kikan_escape_for_display (
                                       asset != NULL ? asset : _("A medium not in the ledger"),
                                       -1);
    g_autofree char *reasons = reasons_text (o);
    g_autofree char *body = g_strdup_printf ("%s\n%s", reasons, next_step (v));
    GtkWidget *row = adw_expander_row_new ();
    GtkWidget *label = gtk_label_new (body);
    GtkWidget *badge = gtk_label_new (heading (v));

    adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
    adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), next_step (v));
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), g_strcmp0 (v, "cleared") != 0);
    gtk_label_set_wrap (GTK_LABEL (label), TRUE);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_widget_set_margin_start (label, 18);
    gtk_widget_set_margin_end (label, 18);
    gtk_widget_set_margin_top (label, 12);
    gtk_widget_set_margin_bottom (label, 12);
    adw_expander_row_add_row (ADW_EXPANDER_ROW (row), label);
    gtk_widget_add_css_class (badge, "verdict-chip");
    set_verdict_class (badge, v);
    gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
    adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row), badge);
    gtk_list_box_append (self->list, row);
}

static void
show_slip (KikanResultPage *self, const KikanStationSlip *slip)
{
    g_autofree char *text = NULL;

    if (slip == NULL || slip->number == NULL) {
        g_autofree char *why = kikan_escape_for_display (
            slip != NULL && slip->not_issued != NULL ? slip->not_issued : "", -1);

        text = g_strdup_printf (_("No slip could be made this time (%s). Your check-in is "
                                  "recorded: please show this screen to IT."),
                                why);
    } else if (g_strcmp0 (slip->print_outcome, "printed") == 0) {
        text = g_strdup_printf (_("Slip %s was printed: please take it from the printer and "
                                  "keep it with the device."),
                                slip->number);
    } else {
        /* In plain words for the person; the library's message (paths,
         * commands) is for IT, who finds it in the print record. */
        const char *why = g_strcmp0 (slip->print_outcome, "no_printer") == 0
                              ? _("no printer is set up on this kiosk")
                              : _("the printer did not print it");

        text = g_strdup_printf (_("Slip %s could not be printed: %s. It is kept on this "
                                  "kiosk and stays valid: write down the number, or show this "
                                  "screen to IT, who can print it again."),
                                slip->number, why);
    }
    gtk_label_set_text (self->slip, text);
}

static void
kikan_result_page_shown (KikanPage *page)
{
    KikanResultPage *self = KIKAN_RESULT_PAGE (page);
    KikanDriver *driver = kikan_page_get_driver (page);
    JsonNode *root = kikan_driver_get_result (driver);
    JsonObject *o = root != NULL ? json_node_get_object (root) : NULL;
    JsonArray *items = o != NULL ? json_object_get_array_member (o, "items") : NULL;
    const char *v = str_member (o, "verdict");
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
        gtk_list_box_remove (self->list, child);
    gtk_label_set_text (self->banner, heading (v));
    set_verdict_class (GTK_WIDGET (self->banner), v);
    gtk_label_set_text (self->next_step, next_step (v));
    for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
        show_item (self, json_array_get_object_element (items, i), NULL);
    if (o != NULL && json_object_has_member (o, "reasons")
        && JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "reasons"))
        && json_array_get_length (json_object_get_array_member (o, "reasons")) > 0)
        show_item (self, o, _("Your answers and this visit"));
    show_slip (self, kikan_driver_get_slip (driver));
    gtk_widget_grab_focus (self->done);
}

static void
kikan_result_page_dispose (GObject *object)
{
    gtk_widget_dispose_template (GTK_WIDGET (object), KIKAN_TYPE_RESULT_PAGE);
    G_OBJECT_CLASS (kikan_result_page_parent_class)->dispose (object);
}

static void
kikan_result_page_class_init (KikanResultPageClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

    G_OBJECT_CLASS (klass)->dispose = kikan_result_page_dispose;
    KIKAN_PAGE_CLASS (klass)->shown = kikan_result_page_shown;
    gtk_widget_class_set_template_from_resource (
        widget_class, "/jp/kikan/Kiosk/employee/pages/result-page.ui");
    gtk_widget_class_bind_template_child (widget_class, KikanResultPage, banner);
    gtk_widget_class_bind_template_child (widget_class, KikanResultPage, next_step);
    gtk_widget_class_bind_template_child (widget_class, KikanResultPage, list);
    gtk_widget_class_bind_template_child (widget_class, KikanResultPage, slip);
    gtk_widget_class_bind_template_child (widget_class, KikanResultPage, done);
}

static void
kikan_result_page_init (KikanResultPage *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    kikan_page_set_title (KIKAN_PAGE (self), _("Your result"));
}
