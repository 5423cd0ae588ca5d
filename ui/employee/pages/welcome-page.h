/* Kikan kiosk UI: the welcome page, which is also the idle screen
 * (issue #11 item 1; KR-25, KR-45): what will happen, that the session is
 * logged, in non-punitive words, Japanese or English.  It shows nothing
 * about the last person. */
#pragma once

#include "kiosk-page.h"

G_BEGIN_DECLS

#define KIKAN_TYPE_WELCOME_PAGE (kikan_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (KikanWelcomePage, kikan_welcome_page, KIKAN, WELCOME_PAGE, KikanPage)

G_END_DECLS
