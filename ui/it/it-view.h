/* Kikan kiosk UI: IT mode behind a password (KR-30, KR-35, KR-37); a mode of
 * the window (issue #11 item 2).
 *
 * A sign-in page (kikan_auth_login with the [it] policy of kikan.conf;
 * every attempt is audited by the library; one refusal text for a wrong
 * password, an unknown account and a locked one, as `kikan it account
 * login`), the forced change of an initial password, then a session of IT
 * mode whose account is the `by` of every action.  The session ends on
 * "Leave IT mode" and after [it] idle_seconds of kikan.conf without a key
 * or a touch (default 300); IT mode on screen with nobody signed in (the
 * sign-in and change pages) times out after the same time.  Every
 * password field is emptied after each attempt, on each change of page and
 * whenever IT mode leaves the screen.  Sections:
 * the queue with each item's evidence and resolve/override (PROC-01,
 * PROC-02), the ledger and the media register, signature import, and
 * this kiosk (self-test, printer, clock, exit).
 *
 * Import media are given as a FOLDER typed by IT: the kiosk mounts
 * nothing itself (automount is off, KR-38); IT mounts the medium
 * read-only (docs/deploy.md) and types where.
 *
 * Actions, group "it" on the window.  Those marked * need a signed-in
 * session and are disabled without one:
 *   it.login((ss))            account, password
 *   it.sign-in                the same from the sign-in page's entries
 *   it.change-password((sss)) account's current, new, new again (after MUST_CHANGE)
 *   it.change-submit          the same from the change page's entries
 *   it.cancel                 leaves the sign-in page (back to start-up or check-in)
 * * it.logout                 "Leave IT mode"
 * * it.open((xx))             shows session, item (0: the session's own part) with its evidence
 * * it.resolve((xxss))        session, item, target verdict, reason (PROC-01, HOLD only)
 * * it.override((xxss))       session, item, target verdict, reason (PROC-02)
 * * it.resolve-selected, it.override-selected   the same for the open item, from the page
 *                           (disabled until the reason has at least 10 characters)
 * * it.ledger-preview(s)      a dry run of importing the CSV file at this path
 * * it.ledger-import(s)       imports it (after a preview of the same file, unchanged since)
 * * it.ledger-import-previewed  the same for the file previewed last
 * * it.media-add((sqqsb))     asset, USB vendor ID, product ID, serial ("" none), hw-encrypted
 * * it.media-add-entered      the same from the page's entries
 * * it.import(s)              imports the signatures in this folder, swapping the engine
 * * it.import-entered         the same from the page's entry
 * * it.selftest               runs the start-up self-test again
 * * it.print-slip(s)          reprints the slip with this number (kikan_slip_print_recorded)
 * * it.print-test-page        prints a test page on the [print] queue (not a slip, not recorded)
 * * it.confirm-clock          "The clock is right" (KR-37)
 * * it.exit                   asks, then ends the kiosk (recorded: "kiosk_exit")
 * * it.exit-confirmed         ends the kiosk without asking (what the dialog's button does)
 * Targets are "cleared", "conditional", "hold", "quarantine", "not_returned".
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _KikanKioskWindow KikanKioskWindow;

/* PROC-01/PROC-02: a reason shorter than this is not a reason. */
#define KIKAN_IT_MIN_REASON_CHARS 10

#define KIKAN_TYPE_IT_VIEW (kikan_it_view_get_type ())
G_DECLARE_FINAL_TYPE (KikanItView, kikan_it_view, KIKAN, IT_VIEW, AdwBin)

/* The widget of this mode, for the window's stack. */
GtkWidget *kikan_it_view_new (KikanKioskWindow *window);

/* The view @window shows now (borrowed), or NULL. */
KikanItView *kikan_it_view_find (KikanKioskWindow *window);

/* The "it" action group (borrowed; also inserted on the window). */
GActionGroup *kikan_it_view_get_actions (KikanItView *self);
/* The signed-in account, or NULL. */
const char *kikan_it_view_get_account (KikanItView *self);
/* "login", "change" or "main". */
const char *kikan_it_view_get_page (KikanItView *self);
/* The last message IT was shown (a refusal, an action's outcome, why an
 * import failed), or "". */
const char *kikan_it_view_get_message (KikanItView *self);
/* TRUE while a sign-in, a signature import or a print job runs. */
gboolean kikan_it_view_get_busy (KikanItView *self);

G_END_DECLS
