/* Kikan kiosk UI: the present page of the employee flow (issue #11 item 1). */
#pragma once

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIKAN_TYPE_PRESENT_PAGE (kikan_present_page_get_type ())
G_DECLARE_FINAL_TYPE (KikanPresentPage, kikan_present_page, KIKAN, PRESENT_PAGE, KikanPage)

G_END_DECLS
