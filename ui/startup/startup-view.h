/* Kikan kiosk UI: the start-up self-test (KR-36); a mode of the window (issue #11 item 5).
 *
 * Shown first.  When the station could not be opened it says what
 * happened and what IT must do; otherwise it warms the engine, runs the
 * station's self-test and shows each check with its status, what was
 * found and, on WARN or FAIL, what IT must do.  A passed self-test moves
 * the window to "employee" by itself; a failed one stays here: no
 * check-in (kikan_station_may_check_in() is FALSE and the window refuses
 * the employee mode) until IT fixes the cause and retries.
 *
 * Actions, group "startup" on the window:
 *   startup.retry      runs the self-test again (enabled when it is not running)
 * The "IT staff" button is win.mode('it').
 */
#pragma once

#include <adwaita.h>

#include "station-private.h"

G_BEGIN_DECLS

typedef struct _KikanKioskWindow KikanKioskWindow;

#define KIKAN_TYPE_STARTUP_VIEW (kikan_startup_view_get_type ())
G_DECLARE_FINAL_TYPE (KikanStartupView, kikan_startup_view, KIKAN, STARTUP_VIEW, AdwBin)

/* The widget of this mode, for the window's stack. */
GtkWidget *kikan_startup_view_new (KikanKioskWindow *window);

/* The view @window shows now (borrowed), or NULL.  For tests and IT mode. */
KikanStartupView *kikan_startup_view_find (KikanKioskWindow *window);

/* The "startup" action group (borrowed; also inserted on the window). */
GActionGroup *kikan_startup_view_get_actions (KikanStartupView *self);
/* "unavailable" (the station could not be opened), "running", "passed" or
 * "failed". */
const char *kikan_startup_view_get_phase (KikanStartupView *self);
/* The title and text on screen now (for tests: the failing check's
 * remedy is among the rows' subtitles, see kikan_startup_view_dup_text). */
char *kikan_startup_view_dup_text (KikanStartupView *self);

/* One check of a self-test report as a row: a status icon, the check's
 * name, what was found and, on WARN or FAIL, what IT must do.  IT mode's
 * self-test section shows the same rows. */
GtkWidget *kikan_startup_check_row_new (const KikanStationCheck *check);

G_END_DECLS
