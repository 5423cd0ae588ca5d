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
 *                                    ("at_home:YYYY-MM-DD" names the return-by date)
 *   checkin.declare-missing-with((sss))  the same with Q1's follow-up as a JSON object:
 *                                    {"return_by", "to", "data_held", "classification",
 *                                     "personal_data", "description"}
 *   checkin.answer-with((sss))       the same with the follow-up of 5.2 (a JSON object:
 *                                    {"text": …}, Q7 {"device","work","data_deleted"},
 *                                    Q8 {"media": […]}, Q10 {"classification", …})
 *   checkin.passphrase((xs))         item id, passphrase for its encrypted volume
 *                                    (before its inspection starts)
 *   checkin.inspect                  start reading every medium presented (the
 *                                    inspection page does it when shown)
 *   checkin.cancel-inspection(x)     the person stops one medium's inspection (HOLD)
 *   checkin.medium-removed(s)        a medium went away (what the USB watcher reports)
 *   checkin.next / checkin.back      move through the pages the driver allows
 *   checkin.finish                   end the visit: verdict, slip issued and printed
 *   checkin.done                     back to the idle screen, personal data cleared
 *   checkin.cancel                   asks, then abandons the session (recorded incomplete)
 *   checkin.cancel-confirmed         abandons at once (the dialog's "End the check-in")
 *   checkin.still-here               the person answered the inactivity warning
 *
 * Questions are pages whose id is the question ("Q1" … "Q19").
 */
#pragma once

#include <adwaita.h>

#include "kiosk-page.h"
#include "station-private.h"
#include "usb-watch-private.h"

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

/* What the employee holds and hands over, one row per lent asset or
 * medium presented, in the order of the ledger then of presenting
 * (signal "items-changed" when any changes). */
typedef enum {
    KIKAN_DRIVER_ITEM_LENT,          /* on loan, not handed over yet */
    KIKAN_DRIVER_ITEM_PRESENTED,     /* handed over, nothing to read */
    KIKAN_DRIVER_ITEM_WAITING,       /* a medium to read, not started yet */
    KIKAN_DRIVER_ITEM_INSPECTING,
    KIKAN_DRIVER_ITEM_INSPECTED,     /* read to the end */
    KIKAN_DRIVER_ITEM_NOT_INSPECTED, /* failed, stopped or pulled out */
    KIKAN_DRIVER_ITEM_MISSING,       /* declared not with them (Q1's follow-up) */
} KikanDriverItemState;

typedef struct {
    char *asset;        /* asset tag, NULL for a medium not in the ledger (verbatim) */
    char *type;         /* the ledger's type ("usb", "laptop", …), or NULL */
    char *medium;       /* what is read (verbatim), or NULL */
    char *usb_syspath;  /* the USB device it came on, or NULL */
    char *declared;     /* MISSING: at_home | lost | stolen | damaged | transferred */
    gint64 item_id;     /* 0 until handed over or declared */
    KikanDriverItemState state;
    gboolean has_passphrase;
    guint64 files_done, files_total, bytes_done, bytes_total;
    gint64 started_us;  /* monotonic, when its inspection started */
    char *failure;      /* NOT_INSPECTED: why, as the library said it */
} KikanDriverItem;

/* KikanDriverItem*, borrowed. */
GPtrArray *kikan_driver_get_items (KikanDriver *self);
/* The employee's name (verbatim: hostile) while a session is on, or NULL. */
const char *kikan_driver_get_employee_name (KikanDriver *self);
/* Whether question @q (1…19) applies to what this employee holds (5.1). */
gboolean kikan_driver_question_applies (KikanDriver *self, guint q);
/* The answer recorded for "Q@q" ("yes", "no", "not_sure", text) or NULL. */
const char *kikan_driver_get_answer (KikanDriver *self, guint q);
/* After checkin.finish: the session as recorded (kikan_checkin_to_json,
 * with "slip"), and the slip; NULL before. */
JsonNode *kikan_driver_get_result (KikanDriver *self);
const KikanStationSlip *kikan_driver_get_slip (KikanDriver *self);
/* The hot-plug watcher of this visit (borrowed; NULL on the idle
 * screen).  Its signals are what plugging and pulling a stick do; the UI
 * tests emit them as the kernel would (the watcher itself is tested with
 * umockdev in tests/unit). */
KikanUsbWatch *kikan_driver_get_usb_watch (KikanDriver *self);
/* Seconds of inactivity before the warning (kikan.conf [kiosk] idle_seconds). */
guint kikan_driver_get_idle_seconds (KikanDriver *self);

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
