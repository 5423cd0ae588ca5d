/* Kikan kiosk UI: the start-up self-test (KR-36) (startup-view.h).  A placeholder until the mode lands. */
#include "startup-view.h"

#include "kiosk-i18n.h"

GtkWidget *
kikan_startup_view_new (KikanKioskWindow *window)
{
    GtkWidget *page = adw_status_page_new ();

    adw_status_page_set_title (ADW_STATUS_PAGE (page), _("Not available yet"));
    return page;
}
