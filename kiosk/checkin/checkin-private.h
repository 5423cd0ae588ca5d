/* Kikan kiosk: one returning employee's check-in (issue #9 item 4).
 *
 *   identify ──> declare ──> present items ──> inspect each medium ──> verdict
 *   (begin)      (answer)    (present,          (inspect_async, on a     (finish)
 *                            declare_missing)    thread; cancel on removal)
 *
 * A KikanCheckin is the state of one session, written to the store as it
 * goes, each step in a transaction of its own, so that a crash or a power
 * cut at any moment leaves a consistent store: the session is then found
 * 'open' at the next start and closed as 'incomplete' by
 * kikan_checkin_recover(), never silently lost.  Everything runs on the
 * caller's thread except the scans (KikanInspector), whose results come
 * back through the caller's main loop: the GTK kiosk draws this object,
 * `kikan checkin --script` plays it from a file.
 *
 * Long inspections (item 7): kikan_checkin_end_visit() decides with what
 * is known; a medium still being read is HOLD "inspection pending, kept by
 * IT" (MAL-04), and its result, when it arrives, is recorded with a new
 * verdict for the item and the session, which IT sees in its queue.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "declaration-private.h"
#include "inspector-private.h"
#include "script-private.h"
#include "store-private.h"
#include "usb-private.h"

typedef struct KikanCheckin KikanCheckin;

typedef struct {
    const char *kiosk_id;          /* printed on slips; "kiosk" when NULL */
    const char *policy_version;    /* recorded with the session, may be NULL */
    const char *usb_models_path;   /* hardware-encrypted USB models, may be NULL */
    guint monitoring_days;         /* PROC-03; 0 = 14 */
    /* The kiosk's signatures at the start (MAL-05, KR-12), for a session
     * in which no medium is read; an inspection's own count for its item.
     * @signatures_invalid NULL means fresh. */
    const char *signatures_invalid;
    const char *signatures_version;
    const char *signatures_date;   /* YYYY-MM-DD */
    guint max_age_days;
} KikanCheckinOptions;

/* Identify: @employee_id must be an active employee of the ledger.  The
 * session is recorded 'open'.  @inspector is borrowed and must outlive the
 * check-in; it may be NULL when nothing will be inspected. */
KikanCheckin *kikan_checkin_begin (KikanStore *store, KikanInspector *inspector,
                                   const KikanCheckinOptions *options, const char *employee_id,
                                   GError **error);
void kikan_checkin_free (KikanCheckin *self);  /* accepts NULL; the store keeps the session */

const char *kikan_checkin_get_uuid (KikanCheckin *self);
gint64 kikan_checkin_get_session_id (KikanCheckin *self);

/* The employee's name as the ledger has it (verbatim: hostile, escape
 * before display). */
const char *kikan_checkin_get_employee_name (KikanCheckin *self);
/* The employee's open loans when the session began (KikanLoan*, ledger;
 * borrowed), what the kiosk lists as "what you hold". */
GPtrArray *kikan_checkin_get_loans (KikanCheckin *self);
/* What the employee holds, for the filtering of the declaration (5.1):
 * the types lent, and media declared (Q9 Yes / Not sure) or an
 * unregistered medium presented so far.  The kiosk asks
 * kikan_declaration_applicable() with it. */
void kikan_checkin_get_holdings (KikanCheckin *self, KikanHoldings *out);

/* Checks @script against the store without writing anything, so that a
 * script that cannot be played records nothing: the employee is an
 * active one, no asset is named twice or both presented and declared
 * missing, each missing one is lent to the employee, and no medium (the
 * same file or device under any name) is presented twice. */
gboolean kikan_checkin_check_script (KikanStore *store, const KikanScript *script,
                                     GError **error);

/* The check-in cannot go on (an error after it began): the session is
 * recorded 'incomplete', as after a crash, and what it started is
 * cancelled.  The object may only be freed afterwards. */
gboolean kikan_checkin_abandon (KikanCheckin *self, GError **error);

/* Declare: stores the answer to @question ("Q1" … "Q19") verbatim, with
 * its follow-up (JSON text or NULL), as D-evidence. */
gboolean kikan_checkin_answer (KikanCheckin *self, const char *question, const char *answer,
                               const char *followup_json, GError **error);

/* Present: an item handed over.  Returns the item's id, or 0 with @error
 * (an asset already presented or declared in this session). */
gint64 kikan_checkin_present (KikanCheckin *self, const KikanScriptPresent *item,
                              GError **error);
/* The same with the USB identity already read (the kiosk's watcher reads
 * it off the main loop when the stick is plugged in: "device-added"), so
 * that presenting never waits on the device.  @device is copied; NULL
 * reads it from @item's usb_device, as kikan_checkin_present(). */
gint64 kikan_checkin_present_device (KikanCheckin *self, const KikanScriptPresent *item,
                                     const KikanUsbDevice *device, GError **error);
/* A lent item not presented, with what the person declares (KR-03);
 * lost or stolen opens an incident (KR-04). */
gint64 kikan_checkin_declare_missing (KikanCheckin *self, const KikanScriptMissing *item,
                                      GError **error);

/* The person typed the passphrase of item @item_id's encrypted volume at
 * the kiosk: @files (NULL-terminated, copied) replace the item's
 * passphrase files for its inspection.  Only before the inspection began
 * (KIKAN_ERROR_USAGE otherwise); nothing is recorded, the passphrase
 * never is. */
gboolean kikan_checkin_set_passphrase_files (KikanCheckin *self, gint64 item_id,
                                             const char *const *files, GError **error);

/* Inspect: reads item @item_id's medium through the inspector.  @callback
 * runs on the caller's main loop when the result is recorded. */
typedef void (*KikanCheckinProgress) (gint64 item_id, const KikanProgress *p, gpointer data);
void kikan_checkin_inspect_async (KikanCheckin *self, gint64 item_id,
                                  KikanCheckinProgress progress, gpointer progress_data,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean kikan_checkin_inspect_finish (KikanCheckin *self, GAsyncResult *result,
                                       GError **error);
/* The person (or IT) stops item @item_id's inspection: it ends at once,
 * nothing of it counts, and the item is recorded failed, "cancelled at the
 * kiosk" (HOLD, MAL-04).  FALSE when it is not being inspected. */
gboolean kikan_checkin_cancel_inspection (KikanCheckin *self, gint64 item_id);
/* The medium of a presented item went away (USB removal): its inspection
 * is cancelled and the item recorded "removed during inspection" (HOLD).
 * @devnode is the block device node ("/dev/sdb") or the USB device's
 * sysfs path.  Returns how many items it concerned. */
guint kikan_checkin_medium_removed (KikanCheckin *self, const char *devnode_or_syspath);
/* Inspections started and not yet recorded. */
guint kikan_checkin_get_n_running (KikanCheckin *self);

/* Verdict: decides every item and the session, records the verdicts,
 * closes the loans of the items handed back and ends the session, all in
 * one transaction.  Items still being inspected are recorded pending
 * (HOLD); their results are attached when they arrive, as long as this
 * object lives. */
gboolean kikan_checkin_end_visit (KikanCheckin *self, GError **error);

/* The session as JSON (docs/checkin.md): verdict, reasons, items[] with
 * their verdicts and reasons, incidents[].  From the store, so that it is
 * what was recorded. */
JsonNode *kikan_checkin_to_json (KikanCheckin *self, GError **error);
/* The same for any recorded session. */
JsonNode *kikan_checkin_session_to_json (KikanStore *store, gint64 session_id, GError **error);
/* The overall verdict recorded last ("cleared", "hold", …), or NULL. */
char *kikan_checkin_dup_verdict (KikanStore *store, gint64 session_id);

/* At start-up, with the check-in lock held (no other check-in running):
 * sessions left 'open' by a crash become 'incomplete', inspections left
 * running are ended not inspected, items left inspecting or pending are
 * 'failed' (HOLD stays).  @n_sessions (optional) counts the sessions. */
gboolean kikan_checkin_recover (KikanStore *store, guint *n_sessions, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanCheckin, kikan_checkin_free)
