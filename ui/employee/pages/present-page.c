/* Kikan kiosk UI: the present page (present-page.h).
 *
 * The list of what the employee holds, from the ledger; a row lights up
 * when its item is handed over (a stick plugged in is matched by the
 * driver's USB watcher, other devices by tag or serial).  "I don't have
 * it with me" is Q1's follow-up (§5.2): at home, lost, stolen, damaged or
 * handed to someone else.  An encrypted stick's passphrase is asked here,
 * before it is read. */
#include "present-page.h"

#include "escape-private.h"
#include "item-text.h"
#include "kiosk-driver.h"
#include "kiosk-i18n.h"

struct _KikanPresentPage {
    KikanPage parent_instance;

    gulong items_handler;

    GtkLabel *heading;
    GtkListBox *list;
    GtkEntry *tag;
    GtkButton *add;
};

G_DEFINE_FINAL_TYPE (KikanPresentPage, kikan_present_page, KIKAN_TYPE_PAGE)

static GActionGroup *
actions (KikanPresentPage *self)
{
    return kikan_driver_get_actions (kikan_page_get_driver (KIKAN_PAGE (self)));
}

/* Q1's follow-up for one item (§5.2): what is asked depends on what the
 * person chose; it is recorded when they press "Record". */
typedef struct {
    KikanPresentPage *page;
    char *asset;
    const char *kind;
    GtkCalendar *calendar;  /* at_home */
    GtkEntry *entry;        /* to whom / what data / what happened */
    GtkDropDown *level;     /* lost, stolen */
    GtkDropDown *personal;  /* lost, stolen */
} AskMissing;

static const char *const missing_levels[]
    = { "confidential", "internal", "public", "unknown", NULL };
static const char *const missing_yes_no[] = { "yes", "no", "not_sure", NULL };

static void
ask_missing_free (AskMissing *ask)
{
    g_object_unref (ask->page);
    g_free (ask->asset);
    g_free (ask);
}

static void
add_member (JsonBuilder *b, const char *name, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return;
    json_builder_set_member_name (b, name);
    json_builder_add_string_value (b, value);
}

static void
on_missing_response (AdwMessageDialog *dialog, const char *response, gpointer data)
{
    AskMissing *ask = data;
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autoptr (JsonNode) root = NULL;
    g_autofree char *json = NULL;
    g_autofree char *date = NULL;

    if (g_strcmp0 (response, "record") != 0) {
        ask_missing_free (ask);
        return;
    }
    json_builder_begin_object (b);
    if (ask->calendar != NULL) {
        g_autoptr (GDateTime) d = gtk_calendar_get_date (ask->calendar);

        date = g_date_time_format (d, "%F");
        add_member (b, "return_by", date);
    }
    if (ask->entry != NULL) {
        const char *text = gtk_editable_get_text (GTK_EDITABLE (ask->entry));

        if (g_str_equal (ask->kind, "transferred"))
            add_member (b, "to", text);
        else if (g_str_equal (ask->kind, "damaged"))
            add_member (b, "description", text);
        else
            add_member (b, "data_held", text);
    }
    if (ask->level != NULL)
        add_member (b, "classification",
                    missing_levels[gtk_drop_down_get_selected (ask->level)]);
    if (ask->personal != NULL)
        add_member (b, "personal_data",
                    missing_yes_no[gtk_drop_down_get_selected (ask->personal)]);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    json_generator_set_root (gen, root);
    json = json_generator_to_data (gen, NULL);
    g_action_group_activate_action (
        kikan_driver_get_actions (kikan_page_get_driver (KIKAN_PAGE (ask->page))),
        "declare-missing-with", g_variant_new ("(sss)", ask->asset, ask->kind, json));
    ask_missing_free (ask);
}

static GtkWidget *
labelled (GtkWidget *box, const char *text, GtkWidget *w)
{
    GtkWidget *label = gtk_label_new (text);

    gtk_label_set_wrap (GTK_LABEL (label), TRUE);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_accessible_update_property (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                    -1);
    gtk_widget_set_size_request (w, -1, 48);
    gtk_box_append (GTK_BOX (box), label);
    gtk_box_append (GTK_BOX (box), w);
    return w;
}

static void
on_missing_kind (GtkButton *button, gpointer data)
{
    KikanPresentPage *self = data;
    AskMissing *ask = g_new0 (AskMissing, 1);
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
    const char *const levels[] = { _("Confidential"), _("Internal"), _("Public"), _("Not sure"),
                                   NULL };
    const char *const ynu[] = { _("Yes"), _("No"), _("Not sure"), NULL };
    GtkPopover *popover = GTK_POPOVER (gtk_widget_get_ancestor (GTK_WIDGET (button),
                                                                GTK_TYPE_POPOVER));
    AdwMessageDialog *dialog;
    g_autofree char *shown = NULL;

    ask->page = g_object_ref (self);
    ask->asset = g_strdup (g_object_get_data (G_OBJECT (button), "asset"));
    ask->kind = g_object_get_data (G_OBJECT (button), "kind");
    if (popover != NULL)
        gtk_popover_popdown (popover);
    shown = kikan_escape_for_display (ask->asset, -1);
    dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
        GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), shown,
        kikan_ui_missing_label (ask->kind)));
    if (g_str_equal (ask->kind, "at_home")) {
        g_autoptr (GDateTime) now = g_date_time_new_now_local ();
        g_autoptr (GDateTime) week = g_date_time_add_days (now, 7);

        ask->calendar = GTK_CALENDAR (gtk_calendar_new ());
        gtk_calendar_select_day (ask->calendar, week);
        labelled (box, _("When will you bring it back?"), GTK_WIDGET (ask->calendar));
    } else if (g_str_equal (ask->kind, "transferred")) {
        ask->entry = GTK_ENTRY (labelled (box, _("To whom did you hand it?"), gtk_entry_new ()));
    } else if (g_str_equal (ask->kind, "damaged")) {
        ask->entry = GTK_ENTRY (labelled (box, _("What happened to it?"), gtk_entry_new ()));
    } else {
        /* Lost or stolen: an incident is opened; what it held matters (KR-04). */
        ask->entry = GTK_ENTRY (labelled (box, _("What data was on it?"), gtk_entry_new ()));
        ask->level = GTK_DROP_DOWN (labelled (box, _("The highest level of that data"),
                                              gtk_drop_down_new_from_strings (levels)));
        ask->personal = GTK_DROP_DOWN (labelled (box, _("Was there personal data?"),
                                                 gtk_drop_down_new_from_strings (ynu)));
        gtk_drop_down_set_selected (ask->level, 3);
        gtk_drop_down_set_selected (ask->personal, 2);
    }
    adw_message_dialog_set_extra_child (dialog, box);
    adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "record", _("_Record"),
                                      NULL);
    adw_message_dialog_set_default_response (dialog, "record");
    adw_message_dialog_set_close_response (dialog, "cancel");
    adw_message_dialog_set_response_appearance (dialog, "record", ADW_RESPONSE_SUGGESTED);
    g_signal_connect (dialog, "response", G_CALLBACK (on_missing_response), ask);
    gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
missing_button (KikanPresentPage *self, const KikanDriverItem *it)
{
    GtkWidget *menu = gtk_menu_button_new ();
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
    GtkWidget *popover = gtk_popover_new ();

    gtk_menu_button_set_label (GTK_MENU_BUTTON (menu), _("I don’t have it with me"));
    gtk_widget_set_valign (menu, GTK_ALIGN_CENTER);
    for (gsize k = 0; kikan_ui_missing_kinds[k] != NULL; k++) {
        GtkWidget *b
            = gtk_button_new_with_label (kikan_ui_missing_label (kikan_ui_missing_kinds[k]));

        gtk_widget_add_css_class (b, "flat");
        gtk_widget_set_size_request (b, -1, 56);
        g_object_set_data_full (G_OBJECT (b), "asset", g_strdup (it->asset), g_free);
        g_object_set_data (G_OBJECT (b), "kind", (gpointer)kikan_ui_missing_kinds[k]);
        g_signal_connect (b, "clicked", G_CALLBACK (on_missing_kind), self);
        gtk_box_append (GTK_BOX (box), b);
    }
    gtk_popover_set_child (GTK_POPOVER (popover), box);
    gtk_menu_button_set_popover (GTK_MENU_BUTTON (menu), popover);
    return menu;
}

typedef struct {
    KikanPresentPage *page;
    gint64 item_id;
    GtkPasswordEntry *entry;
} AskPassphrase;

static void
on_passphrase_response (AdwMessageDialog *dialog, const char *response, gpointer data)
{
    AskPassphrase *ask = data;

    if (g_strcmp0 (response, "use") == 0) {
        const char *text = gtk_editable_get_text (GTK_EDITABLE (ask->entry));

        g_action_group_activate_action (actions (ask->page), "passphrase",
                                        g_variant_new ("(xs)", ask->item_id, text));
    }
    /* Not kept in the widget once handed over. */
    gtk_editable_set_text (GTK_EDITABLE (ask->entry), "");
    g_object_unref (ask->page);
    g_free (ask);
}

static void
on_ask_passphrase (GtkButton *button, gpointer data)
{
    KikanPresentPage *self = data;
    AskPassphrase *ask = g_new0 (AskPassphrase, 1);
    GtkWidget *entry = gtk_password_entry_new ();
    AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
        GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
        _("Type the passphrase of this stick"),
        _("It unlocks the stick for this check only; it is not stored.")));

    ask->page = g_object_ref (self);
    ask->item_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "item-id"));
    ask->entry = GTK_PASSWORD_ENTRY (entry);
    gtk_password_entry_set_show_peek_icon (ask->entry, TRUE);
    gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Passphrase"), -1);
    adw_message_dialog_set_extra_child (dialog, entry);
    adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "use", _("_Unlock"), NULL);
    adw_message_dialog_set_default_response (dialog, "use");
    adw_message_dialog_set_close_response (dialog, "cancel");
    adw_message_dialog_set_response_appearance (dialog, "use", ADW_RESPONSE_SUGGESTED);
    g_signal_connect (dialog, "response", G_CALLBACK (on_passphrase_response), ask);
    gtk_window_present (GTK_WINDOW (dialog));
    gtk_widget_grab_focus (entry);
}

static void
refresh (KikanPresentPage *self)
{
    KikanDriver *driver = kikan_page_get_driver (KIKAN_PAGE (self));
    GPtrArray *items = kikan_driver_get_items (driver);
    const char *name = kikan_driver_get_employee_name (driver);
    gboolean complete = TRUE;
    GtkWidget *child;

    if (name != NULL) {
        g_autofree char *shown = kikan_escape_for_display (name, -1);
        /* TRANSLATORS: %s is the employee's name from the ledger. */
        g_autofree char *text = g_strdup_printf (_("What you hold, %s"), shown);

        gtk_label_set_text (self->heading, text);
    }
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
        gtk_list_box_remove (self->list, child);
    for (guint i = 0; i < items->len; i++) {
        const KikanDriverItem *it = items->pdata[i];
        g_autofree char *title = kikan_ui_item_title (it);
        g_autofree char *state = kikan_ui_item_state (it);
        GtkWidget *row = adw_action_row_new ();
        GtkWidget *icon;

        adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), state);
        gtk_widget_set_size_request (row, -1, 72);
        icon = gtk_image_new_from_icon_name (it->state == KIKAN_DRIVER_ITEM_LENT
                                                 ? "content-loading-symbolic"
                                             : it->state == KIKAN_DRIVER_ITEM_MISSING
                                                 ? "dialog-information-symbolic"
                                                 : "emblem-ok-symbolic");
        adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
        /* Lights up when presented and matched (item 1). */
        if (it->state != KIKAN_DRIVER_ITEM_LENT && it->state != KIKAN_DRIVER_ITEM_MISSING)
            gtk_widget_add_css_class (row, "kiosk-item-matched");
        if (it->state == KIKAN_DRIVER_ITEM_LENT) {
            complete = FALSE;
            adw_action_row_add_suffix (ADW_ACTION_ROW (row), missing_button (self, it));
        } else if (it->state == KIKAN_DRIVER_ITEM_WAITING && !it->has_passphrase) {
            GtkWidget *b = gtk_button_new_with_label (_("Encrypted? Enter its passphrase"));

            gtk_widget_set_valign (b, GTK_ALIGN_CENTER);
            g_object_set_data (G_OBJECT (b), "item-id", GSIZE_TO_POINTER (it->item_id));
            g_signal_connect (b, "clicked", G_CALLBACK (on_ask_passphrase), self);
            adw_action_row_add_suffix (ADW_ACTION_ROW (row), b);
        }
        gtk_list_box_append (self->list, row);
    }
    kikan_page_set_complete (KIKAN_PAGE (self), complete);
}

static void
on_items (KikanDriver *driver, gpointer data)
{
    /* Not on screen: redrawn when shown (progress must stay cheap). */
    if (gtk_widget_get_mapped (GTK_WIDGET (data)))
        refresh (data);
}

static void
on_add (GtkWidget *w, gpointer data)
{
    KikanPresentPage *self = data;
    g_autofree char *tag = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->tag)));

    gtk_editable_set_text (GTK_EDITABLE (self->tag), "");
    g_action_group_activate_action (actions (self), "present-asset", g_variant_new_string (tag));
}

static void
kikan_present_page_shown (KikanPage *page)
{
    KikanPresentPage *self = KIKAN_PRESENT_PAGE (page);

    if (self->items_handler == 0)
        self->items_handler = g_signal_connect (kikan_page_get_driver (page), "items-changed",
                                                G_CALLBACK (on_items), self);
    refresh (self);
    gtk_widget_grab_focus (GTK_WIDGET (self->tag));
}

static void
kikan_present_page_dispose (GObject *object)
{
    KikanPresentPage *self = KIKAN_PRESENT_PAGE (object);
    KikanDriver *driver = kikan_page_get_driver (KIKAN_PAGE (self));

    if (driver != NULL && self->items_handler != 0)
        g_clear_signal_handler (&self->items_handler, driver);
    gtk_widget_dispose_template (GTK_WIDGET (object), KIKAN_TYPE_PRESENT_PAGE);
    G_OBJECT_CLASS (kikan_present_page_parent_class)->dispose (object);
}

static void
kikan_present_page_class_init (KikanPresentPageClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

    G_OBJECT_CLASS (klass)->dispose = kikan_present_page_dispose;
    KIKAN_PAGE_CLASS (klass)->shown = kikan_present_page_shown;
    gtk_widget_class_set_template_from_resource (
        widget_class, "/jp/kikan/Kiosk/employee/pages/present-page.ui");
    gtk_widget_class_bind_template_child (widget_class, KikanPresentPage, heading);
    gtk_widget_class_bind_template_child (widget_class, KikanPresentPage, list);
    gtk_widget_class_bind_template_child (widget_class, KikanPresentPage, tag);
    gtk_widget_class_bind_template_child (widget_class, KikanPresentPage, add);
}

static void
kikan_present_page_init (KikanPresentPage *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    kikan_page_set_title (KIKAN_PAGE (self), _("Hand over your devices"));
    gtk_label_set_text (self->heading, _("What you hold"));
    g_signal_connect (self->add, "clicked", G_CALLBACK (on_add), self);
    g_signal_connect (self->tag, "activate", G_CALLBACK (on_add), self);
}
