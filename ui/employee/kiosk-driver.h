/* Kikan kiosk UI: the driver of the employee flow (issue #11 item 1).
 *
 * The model is gnome-initial-setup's GisDriver: the driver owns the state
 * of one run — here the check-in session (kiosk/checkin/, begun through
 * the station) — and decides which pages there are and in what order;
 * the assistant (kiosk-assistant.h) shows the driver's current page and
 * the pages change the session only through the driver's actions.
 *
 * The flow: welcome → identify → declaration (one question per page,
 * filtered to what the employee holds, REQUIREMENTS §5.2) → present items
 * → inspection → result (slip printed) → back to welcome, the idle screen,
 * with no personal data left on screen (KR-45).  Inactivity on any page
 * but the welcome warns, then ends the visit.
 *
 * Actions, in the group "checkin" on the window (the UI tests drive the
 * whole flow through them, as a person does through the buttons):
 *
 *   checkin.start                    welcome → identify
 *   checkin.identify(s)              employee ID typed or scanned; begins the session
 *   checkin.answer((ss))             question "Q1"…"Q19", "yes"|"no"|"not_sure" or text
 *   checkin.present-asset(s)         an asset tag or serial typed or scanned
 *   checkin.present-medium((ss))     asset tag (or ""), medium path (disk image, block
 *                                    device) — what plugging a stick in does
 *   checkin.declare-missing((ss))    asset tag, at_home|lost|stolen|damaged|transferred
 *   checkin.passphrase((xs))         item id, passphrase for its encrypted volume
 *   checkin.next / checkin.back      move through the pages the driver allows
 *   checkin.finish                   end the visit: verdict, slip issued and printed
 *   checkin.done                     back to the idle screen, personal data cleared
 *   checkin.cancel                   abandon the session (recorded incomplete)
 */
#pragma once

#include <adwaita.h>

#include "kiosk-page.h"
#include "station-private.h"

G_BEGIN_DECLS

typedef struct _KikanKioskWindow KikanKioskWindow;

#define KIKAN_TYPE_DRIVER (kikan_driver_get_type ())
G_DECLARE_FINAL_TYPE (KikanDriver, kikan_driver, KIKAN, DRIVER, GObject)

/* @window is borrowed (it owns the driver). */
KikanDriver *kikan_driver_new (KikanKioskWindow *window);

KikanKioskWindow *kikan_driver_get_window (KikanDriver *self);
/* Borrowed; NULL when the station could not be opened. */
KikanStation *kikan_driver_get_station (KikanDriver *self);
/* Borrowed; NULL on the idle screen. */
KikanCheckin *kikan_driver_get_checkin (KikanDriver *self);

/* The ids of the pages of this run, in order (borrowed; property "flow"
 * is notified when it changes, e.g. after identify filters the
 * declaration).  The current one is property "page-id". */
const char *const *kikan_driver_get_flow (KikanDriver *self);
const char *kikan_driver_get_page_id (KikanDriver *self);

/* A new page widget for @page_id (the assistant owns it). */
KikanPage *kikan_driver_create_page (KikanDriver *self, const char *page_id);

/* The last thing that went wrong, said to the person (NULL when none);
 * property "problem". */
const char *kikan_driver_get_problem (KikanDriver *self);

/* The "checkin" action group (borrowed; GTK 4.8 has no
 * gtk_widget_get_action_group(): the tests reach the actions here). */
GActionGroup *kikan_driver_get_actions (KikanDriver *self);

/* Anything the person did (key, touch): restarts the inactivity timer. */
void kikan_driver_note_activity (KikanDriver *self);

G_END_DECLS
