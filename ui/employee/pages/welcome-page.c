/* Kikan kiosk UI: the welcome page and idle screen (welcome-page.h). */
#include "welcome-page.h"

struct _KikanWelcomePage {
    KikanPage parent_instance;
};

G_DEFINE_FINAL_TYPE (KikanWelcomePage, kikan_welcome_page, KIKAN_TYPE_PAGE)

static void
kikan_welcome_page_dispose (GObject *object)
{
    gtk_widget_dispose_template (GTK_WIDGET (object), KIKAN_TYPE_WELCOME_PAGE);
    G_OBJECT_CLASS (kikan_welcome_page_parent_class)->dispose (object);
}

static void
kikan_welcome_page_class_init (KikanWelcomePageClass *klass)
{
    G_OBJECT_CLASS (klass)->dispose = kikan_welcome_page_dispose;
    gtk_widget_class_set_template_from_resource (GTK_WIDGET_CLASS (klass),
                                                 "/jp/kikan/Kiosk/employee/pages/welcome-page.ui");
}

static void
kikan_welcome_page_init (KikanWelcomePage *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
}
