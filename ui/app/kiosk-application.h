/* Kikan kiosk UI: the application (issue #11).
 *
 * Opens the kiosk station (kiosk/station/) once at start-up and keeps it
 * for the day: one store, one warm engine.  Command-line options are for
 * the deployment (docs/deploy.md) and the tests:
 *
 *   --kiosk-id ID, --policy FILE, --database PATH…, --usb-models FILE
 *   --language ja|en        the language of the idle screen (default ja)
 *   --windowed              not fullscreen (development only; still no close)
 *   --check-display         open the window, exit 0 once it is drawn (deploy check)
 */
#pragma once

#include <adwaita.h>

#include "station-private.h"

G_BEGIN_DECLS

#define KIKAN_TYPE_KIOSK_APPLICATION (kikan_kiosk_application_get_type ())
G_DECLARE_FINAL_TYPE (KikanKioskApplication, kikan_kiosk_application, KIKAN, KIOSK_APPLICATION,
                      AdwApplication)

KikanKioskApplication *kikan_kiosk_application_new (void);

/* Borrowed; NULL when the station could not be opened (the window then
 * shows why and what IT must do). */
KikanStation *kikan_kiosk_application_get_station (KikanKioskApplication *self);
/* Why the station could not be opened, or NULL. */
const GError *kikan_kiosk_application_get_station_error (KikanKioskApplication *self);
gboolean kikan_kiosk_application_get_windowed (KikanKioskApplication *self);

/* IT mode ends the kiosk (item 2: "kiosk exit"); nothing else may. */
void kikan_kiosk_application_allow_quit (KikanKioskApplication *self);

G_END_DECLS
