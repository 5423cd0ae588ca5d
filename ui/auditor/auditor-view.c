/* Kikan kiosk UI: auditor mode, read-only (KR-31) (auditor-view.h).  A placeholder until the mode lands. */
#include "auditor-view.h"

#include "kiosk-i18n.h"

GtkWidget *
kikan_auditor_view_new (KikanKioskWindow *window)
{
    GtkWidget *page = adw_status_page_new ();

    adw_status_page_set_title (ADW_STATUS_PAGE (page), _("Not available yet"));
    return page;
}
