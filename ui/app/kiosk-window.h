/* Kikan kiosk UI: the one window (issue #11 items 1, 2, 4, 5, 6).
 *
 * Fullscreen, undecorated, and it cannot be closed by the person in front
 * of it (KR-38): Escape, Alt+F4, Ctrl+W/Q and the like do nothing, and a
 * close request is refused unless IT chose "exit the kiosk".  It shows
 * one mode at a time, a GtkStack of:
 *
 *   "startup"   the start-up self-test (startup/; KR-36); no check-in until it passes
 *   "employee"  the employee flow (employee/), driven by KikanDriver
 *   "it"        IT mode behind a password (it/; KR-30, KR-35)
 *   "auditor"   auditor mode, read-only (auditor/; KR-31)
 *
 * and, above them, a status strip (kiosk, virus definitions, clock) and a
 * warning when a network interface is up (KR-38).
 *
 * Window actions: win.mode(s) switches mode (IT and auditor views guard
 * themselves), win.language(s) switches between "ja" and "en".
 */
#pragma once

#include <adwaita.h>

#include "kiosk-application.h"

G_BEGIN_DECLS

typedef struct _KikanDriver KikanDriver;

#define KIKAN_TYPE_KIOSK_WINDOW (kikan_kiosk_window_get_type ())
G_DECLARE_FINAL_TYPE (KikanKioskWindow, kikan_kiosk_window, KIKAN, KIOSK_WINDOW,
                      AdwApplicationWindow)

KikanKioskWindow *kikan_kiosk_window_new (KikanKioskApplication *app);

/* Borrowed. */
KikanStation *kikan_kiosk_window_get_station (KikanKioskWindow *self);
KikanDriver *kikan_kiosk_window_get_driver (KikanKioskWindow *self);

/* "startup", "employee", "it" or "auditor". */
void kikan_kiosk_window_set_mode (KikanKioskWindow *self, const char *mode);
const char *kikan_kiosk_window_get_mode (KikanKioskWindow *self);

/* How long IT mode and auditor mode stay on screen without a key or a
 * touch, signed in or not: [it] idle_seconds of kikan.conf, read now.
 * KIKAN_AUTH_DEFAULT_IDLE_SECONDS when there is no station or [it] cannot
 * be read (then nobody can sign in, and the sign-in pages still go away). */
guint kikan_kiosk_window_get_sign_in_idle_seconds (KikanKioskWindow *self);

/* A short message at the bottom of the screen (AdwToast). */
void kikan_kiosk_window_toast (KikanKioskWindow *self, const char *text);

/* Lets the next close request through (IT's "exit the kiosk"). */
void kikan_kiosk_window_allow_close (KikanKioskWindow *self);

/* Rebuilds what is on screen in the current language (kikan_ui_set_language). */
void kikan_kiosk_window_retranslate (KikanKioskWindow *self);

G_END_DECLS
