/* Kikan kiosk UI: the identify page of the employee flow (issue #11 item 1). */
#pragma once

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIKAN_TYPE_IDENTIFY_PAGE (kikan_identify_page_get_type ())
G_DECLARE_FINAL_TYPE (KikanIdentifyPage, kikan_identify_page, KIKAN, IDENTIFY_PAGE, KikanPage)

G_END_DECLS
