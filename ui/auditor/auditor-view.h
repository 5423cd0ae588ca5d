/* Kikan kiosk UI: auditor mode, read-only (issue #11 item 4; KR-31, KR-32,
 * KR-33; docs/audit.md "Auditor mode"); a mode of the window.
 *
 * Behind an auditor account (kiosk/auth/, role "auditor": an IT account
 * does not open it, and an auditor account does not open IT mode).  On
 * screen, signed in or not, the mode goes back to the employee screen
 * after [it] idle_seconds of kikan.conf without a key or a touch, as IT
 * mode does.  The password and verification-key fields are emptied after
 * each attempt, on each change of page and whenever the mode leaves the
 * screen; a failed change of the initial password gives the change up
 * (sign in again).  Once signed in the auditor sees, never changes:
 *
 *   sessions, findings, overrides, logins, records
 *                 the audit records of kind session_start, verdict,
 *                 it_action, it_login, or any kind, chosen by the filters
 *                 of kiosk/audit/audit-query-private.h (`kikan audit list`);
 *                 a row opens the whole record (`kikan audit show`)
 *   verify        the chain, its seals and checkpoints (`kikan audit
 *                 verify`), on a thread; with the auditor's verification
 *                 key (kikan-vk1:…) the forward-secure seals too
 *   sample        a reproducible draw of sessions (`kikan audit sample`,
 *                 KR-33) and the reviewer's attestation (`kikan audit attest`)
 *   export        the signed bundle (`kikan audit export --bundle`), JSONL
 *                 or CSV into a folder the auditor names: the kiosk never
 *                 mounts media, IT mounts it (docs/audit.md)
 *
 * Nothing here writes to the store but what the library records itself:
 * the login attempts, audit_sample, audit_attestation, audit_export and
 * their seals.
 *
 * Actions, group "auditor" (on the window, so that tests and buttons reach
 * them alike):
 *   auditor.login((ss))            account, password
 *   auditor.change-password((sss)) account, initial password, new one
 *   auditor.logout                 back to the sign-in page (also on leaving the mode)
 *   auditor.view(s)                sessions | findings | overrides | logins |
 *                                  records | verify | sample | export
 *   auditor.filter(a{sv})          since, until (s: a date or ISO time),
 *                                  employee, asset, verdict, kind (s),
 *                                  session (x); missing keys are cleared;
 *                                  refused as a whole when one is bad
 *   auditor.show(x)                the record with that number, whole
 *   auditor.show-session(x)        All records, filtered to that session
 *   auditor.back                   from a record to its list
 *   auditor.verify(s)              the verification key, or "" for none
 *   auditor.sample((sxs))          seed (hex, "" for a random one), how
 *                                  many sessions, period "SINCE..UNTIL"
 *                                  (either may be empty; "" all time)
 *   auditor.attest((xss))          sample id, reviewer, statement
 *   auditor.export((ss))           format (bundle | jsonl | csv), folder
 *
 * Properties (read-only) say what the screen shows, for the tests: see
 * the class_init.  A language switch rebuilds the view (the window's
 * retranslate), which signs the auditor out, as leaving the mode does.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef struct _KikanKioskWindow KikanKioskWindow;

#define KIKAN_TYPE_AUDITOR_VIEW (kikan_auditor_view_get_type ())
G_DECLARE_FINAL_TYPE (KikanAuditorView, kikan_auditor_view, KIKAN, AUDITOR_VIEW, AdwBin)

/* The widget of this mode, for the window's stack. */
GtkWidget *kikan_auditor_view_new (KikanKioskWindow *window);

/* The record numbers the current list shows, in order (borrowed; gint64). */
GArray *kikan_auditor_view_get_shown_seqs (KikanAuditorView *self);
/* The sessions of the last sample drawn, in draw order (borrowed; gint64). */
GArray *kikan_auditor_view_get_sample_selection (KikanAuditorView *self);

G_END_DECLS
