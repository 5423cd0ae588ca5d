/* Kikan kiosk UI: IT mode behind a password (KR-30, KR-35) (it-view.h).  A placeholder until the mode lands. */
#include "it-view.h"

#include "kiosk-i18n.h"

GtkWidget *
kikan_it_view_new (KikanKioskWindow *window)
{
    GtkWidget *page = adw_status_page_new ();

    adw_status_page_set_title (ADW_STATUS_PAGE (page), _("Not available yet"));
    return page;
}
