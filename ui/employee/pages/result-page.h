/* Kikan kiosk UI: the result page of the employee flow (issue #11 item 1). */
#pragma once

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIKAN_TYPE_RESULT_PAGE (kikan_result_page_get_type ())
G_DECLARE_FINAL_TYPE (KikanResultPage, kikan_result_page, KIKAN, RESULT_PAGE, KikanPage)

G_END_DECLS
