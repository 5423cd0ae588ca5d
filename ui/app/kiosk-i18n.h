/* Kikan kiosk UI: gettext, and switching between Japanese and English at
 * run time (issue #11 item 7; KR-45). */
#pragma once

#include <glib.h>
#include <glib/gi18n.h>

/* Binds the "kikan" text domain: the build tree's catalogs when run from
 * the build tree, the installed ones otherwise. */
void kikan_ui_i18n_init (void);

/* "ja" or "en".  Later gettext() calls use it; templates built before
 * keep the old language, so the caller rebuilds what is on screen. */
void kikan_ui_set_language (const char *lang);
const char *kikan_ui_get_language (void);
