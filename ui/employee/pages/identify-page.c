/* Kikan kiosk UI: the identify page (identify-page.h).
 *
 * A barcode scanner is a keyboard: it types the ID and presses Enter, so
 * Enter in the entry identifies.  The entry is emptied at once: the ID
 * is not kept on screen (KR-45). */
#include "identify-page.h"

#include "kiosk-driver.h"
#include "kiosk-i18n.h"

struct _KikanIdentifyPage {
    KikanPage parent_instance;

    GtkEntry *entry;
    GtkButton *go;
};

G_DEFINE_FINAL_TYPE (KikanIdentifyPage, kikan_identify_page, KIKAN_TYPE_PAGE)

static void
identify (KikanIdentifyPage *self)
{
    KikanDriver *driver = kikan_page_get_driver (KIKAN_PAGE (self));
    g_autofree char *id = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry)));

    gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
    g_action_group_activate_action (kikan_driver_get_actions (driver), "identify",
                                    g_variant_new_string (id));
}

static void
on_activate (GtkEntry *entry, gpointer data)
{
    identify (data);
}

static void
on_go (GtkButton *button, gpointer data)
{
    identify (data);
}

static void
kikan_identify_page_shown (KikanPage *page)
{
    KikanIdentifyPage *self = KIKAN_IDENTIFY_PAGE (page);

    gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
    gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

static void
kikan_identify_page_dispose (GObject *object)
{
    gtk_widget_dispose_template (GTK_WIDGET (object), KIKAN_TYPE_IDENTIFY_PAGE);
    G_OBJECT_CLASS (kikan_identify_page_parent_class)->dispose (object);
}

static void
kikan_identify_page_class_init (KikanIdentifyPageClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

    G_OBJECT_CLASS (klass)->dispose = kikan_identify_page_dispose;
    KIKAN_PAGE_CLASS (klass)->shown = kikan_identify_page_shown;
    gtk_widget_class_set_template_from_resource (
        widget_class, "/jp/kikan/Kiosk/employee/pages/identify-page.ui");
    gtk_widget_class_bind_template_child (widget_class, KikanIdentifyPage, entry);
    gtk_widget_class_bind_template_child (widget_class, KikanIdentifyPage, go);
}

static void
kikan_identify_page_init (KikanIdentifyPage *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
    kikan_page_set_title (KIKAN_PAGE (self), _("Who is checking in?"));
    g_signal_connect (self->entry, "activate", G_CALLBACK (on_activate), self);
    g_signal_connect (self->go, "clicked", G_CALLBACK (on_go), self);
}
