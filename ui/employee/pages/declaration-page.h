/* Kikan kiosk UI: one question of the declaration (issue #11 item 1;
 * REQUIREMENTS §5.1, §5.2; KR-21, KR-24, KR-25).  Property "question":
 * 1…19, set at construction; the driver makes one page per question that
 * applies (kikan_driver_create_page). */
#pragma once

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIKAN_TYPE_DECLARATION_PAGE (kikan_declaration_page_get_type ())
G_DECLARE_FINAL_TYPE (KikanDeclarationPage, kikan_declaration_page, KIKAN, DECLARATION_PAGE,
                      KikanPage)

G_END_DECLS
