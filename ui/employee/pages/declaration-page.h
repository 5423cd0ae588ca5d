/* Kikan kiosk UI: the declaration page of the employee flow (issue #11 item 1). */
#pragma once

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIKAN_TYPE_DECLARATION_PAGE (kikan_declaration_page_get_type ())
G_DECLARE_FINAL_TYPE (KikanDeclarationPage, kikan_declaration_page, KIKAN, DECLARATION_PAGE, KikanPage)

G_END_DECLS
