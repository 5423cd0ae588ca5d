/* Kikan kiosk UI: the inspection page (inspect-page.h).
 *
 * One row per medium: files, bytes and time left while it is read; the
 * reading runs off the main loop (the inspector's daemon), so this page
 * stays drawn and answers touches; the rows are updated in place, at most
 * a few times a second (the driver throttles progress). */
#include "inspect-page.h"

#include "item-text.h"
#include "kiosk-driver.h"
#include "kiosk-i18n.h"

struct _KikanInspectPage {
    KikanPage parent_instance;

    gulong items_handler;
    GHashTable *rows; /* item id → Row* */

    GtkListBox *list;
    GtkWidget *stop_waiting;
    GtkWidget *result;
};

G_DEFINE_FINAL_TYPE (KikanInspectPage, kikan_inspect_page, KIKAN_TYPE_PAGE)

typedef struct {
    AdwActionRow *row;
    GtkProgressBar *bar;
    GtkWidget *stop;
} Row;

static Row *
make_row (KikanInspectPage *self, const KikanDriverItem *it)
{
    Row *r = g_new0 (Row, 1);
    g_autofree char *title = kikan_ui_item_title (it);
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

    r->row = ADW_ACTION_ROW (adw_action_row_new ());
    adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (r->row), FALSE);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r->row), title);
    r->bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
    gtk_widget_set_size_request (GTK_WIDGET (r->bar), 240, -1);
    gtk_widget_set_valign (GTK_WIDGET (r->bar), GTK_ALIGN_CENTER);
    gtk_accessible_update_property (GTK_ACCESSIBLE (r->bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Progress"), -1);
    r->stop = gtk_button_new_with_label (_("Stop"));
    gtk_widget_set_valign (r->stop, GTK_ALIGN_CENTER);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (r->stop), "checkin.cancel-inspection");
    gtk_actionable_set_action_target (GTK_ACTIONABLE (r->stop), "x", it->item_id);
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (r->bar));
    gtk_box_append (GTK_BOX (box), r->stop);
    adw_action_row_add_suffix (r->row, box);
    gtk_widget_set_size_request (GTK_WIDGET (r->row), -1, 72);
    gtk_list_box_append (self->list, GTK_WIDGET (r->row));
    return r;
}

static void
refresh (KikanInspectPage *self)
{
    KikanDriver *driver = kikan_page_get_driver (KIKAN_PAGE (self));
    GPtrArray *items = kikan_driver_get_items (driver);
    guint running = 0;

    for (guint i = 0; i < items->len; i++) {
        const KikanDriverItem *it = items->pdata[i];
        g_autofree char *state = NULL;
        Row *r;

        if (it->medium == NULL || it->item_id == 0)
            continue;
        if ((r = g_hash_table_lookup (self->rows, &it->item_id)) == NULL) {
            r = make_row (self, it);
            g_hash_table_insert (self->rows, g_memdup2 (&it->item_id, sizeof it->item_id), r);
        }
        state = kikan_ui_item_state (it);
        adw_action_row_set_subtitle (r->row, state);
        if (it->state == KIKAN_DRIVER_ITEM_INSPECTING) {
            running++;
            if (it->bytes_total > 0)
                gtk_progress_bar_set_fraction (r->bar, (double)it->bytes_done
                                                           / (double)it->bytes_total);
            else
                gtk_progress_bar_pulse (r->bar);
        } else if (it->state == KIKAN_DRIVER_ITEM_INSPECTED
                   || it->state == KIKAN_DRIVER_ITEM_NOT_INSPECTED) {
            gtk_progress_bar_set_fraction (r->bar, 1.0);
        }
        gtk_widget_set_visible (r->stop, it->state == KIKAN_DRIVER_ITEM_INSPECTING);
    }
    gtk_widget_set_visible (self->stop_waiting, running > 0);
    gtk_widget_set_sensitive (self->result, running == 0);
    kikan_page_set_complete (KIKAN_PAGE (self), running == 0);
}

static void
on_items (KikanDriver *driver, gpointer data)
{
    if (gtk_widget_get_mapped (GTK_WIDGET (data)))
        refresh (data);
}

static void
kikan_inspect_page_shown (KikanPage *page)
{
    KikanInspectPage *self = KIKAN_INSPECT_PAGE (page);
    KikanDriver *driver = kikan_page_get_driver (page);

    if (self->items_handler == 0)
        self->items_handler = g_signal_connect (driver, "items-changed", G_CALLBACK (on_items),
                                                self);
    /* Reading starts when the person reaches this page. */
    g_action_group_activate_action (kikan_driver_get_actions (driver), "inspect", NULL);
    refresh (self);
    gtk_widget_grab_focus (self->result);
}

static void
kikan_inspect_page_dispose (GObject *object)
{
    KikanInspectPage *self = KIKAN_INSPECT_PAGE (object);
    KikanDriver *driver = kikan_page_get_driver (KIKAN_PAGE (self));

    if (driver != NULL && self->items_handler != 0)
        g_clear_signal_handler (&self->items_handler, driver);
    g_clear_pointer (&self->rows, g_hash_table_unref);
    gtk_widget_dispose_template (GTK_WIDGET (object), KIKAN_TYPE_INSPECT_PAGE);
    G_OBJECT_CLASS (kikan_inspect_page_parent_class)->dispose (object);
}

static void
kikan_inspect_page_class_init (KikanInspectPageClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

    G_OBJECT_CLASS (klass)->dispose = kikan_inspect_page_dispose;
    KIKAN_PAGE_CLASS (klass)->shown = kikan_inspect_page_shown;
    gtk_widget_class_set_template_from_resource (
        widget_class, "/jp/kikan/Kiosk/employee/pages/inspect-page.ui");
    gtk_widget_class_bind_template_child (widget_class, KikanInspectPage, list);
    gtk_widget_class_bind_template_child (widget_class, KikanInspectPage, stop_waiting);
    gtk_widget_class_bind_template_child (widget_class, KikanInspectPage, result);
}

static void
kikan_inspect_page_init (KikanInspectPage *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
    kikan_page_set_title (KIKAN_PAGE (self), _("Checking your media"));
}
