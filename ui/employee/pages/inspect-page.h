/* Kikan kiosk UI: the inspect page of the employee flow (issue #11 item 1). */
#pragma once

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIKAN_TYPE_INSPECT_PAGE (kikan_inspect_page_get_type ())
G_DECLARE_FINAL_TYPE (KikanInspectPage, kikan_inspect_page, KIKAN, INSPECT_PAGE, KikanPage)

G_END_DECLS
