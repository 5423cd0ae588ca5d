/* Kikan kiosk UI: the assistant of the employee flow (issue #11 item 8).
 *
 * The model is gnome-initial-setup's GisAssistant: it shows the driver's
 * current page, with Back and Next under it (Next only when the page is
 * complete) and where the person is in the flow.  It makes pages through
 * the driver when they are first needed and keeps them for the run. */
#pragma once

#include <adwaita.h>

#include "kiosk-driver.h"

G_BEGIN_DECLS

#define KIKAN_TYPE_ASSISTANT (kikan_assistant_get_type ())
G_DECLARE_FINAL_TYPE (KikanAssistant, kikan_assistant, KIKAN, ASSISTANT, AdwBin)

GtkWidget *kikan_assistant_new (KikanDriver *driver);

/* The page on screen (borrowed), for tests. */
KikanPage *kikan_assistant_get_current_page (KikanAssistant *self);

G_END_DECLS
