/* Kikan kiosk: IT staff resolve or override a verdict (issue #9 item 6;
 * KR-30, PROC-01, PROC-02).
 *
 * The engine's verdict is never changed in place: an action adds a row to
 * it_actions, a new verdict row for the item (or for the session's own
 * part) carrying PROC-01/PROC-02 and the original verdict, and a new
 * overall verdict for the session, in one transaction.  Who and why are
 * mandatory.  (Authentication of IT staff comes with the kiosk UI; until
 * then @by is the ID the operator gives.)
 */
#pragma once

#include <json-glib/json-glib.h>

#include "reasons-private.h"
#include "store-private.h"

/* The session named by @ref: its numeric id or its UUID.  0 with @error
 * when there is none. */
gint64 kikan_it_find_session (KikanStore *store, const char *ref, GError **error);
/* The item named by @ref within @session_id: its numeric id or its asset
 * id; "session" names the session's own part (returns 0, no error).  -1
 * with @error when there is none. */
gint64 kikan_it_find_item (KikanStore *store, gint64 session_id, const char *ref,
                           GError **error);

/* Resolves (@override FALSE: PROC-01, only a HOLD) or overrides (PROC-02)
 * the verdict of @item_id (0: the session's own part) to @to ("cleared",
 * "conditional", "hold", "quarantine", "not_returned").  Returns the new
 * overall verdict (free it) or NULL with @error; nothing is written then. */
char *kikan_it_act (KikanStore *store, gint64 session_id, gint64 item_id, gboolean override,
                    const char *to, const char *by, const char *reason, GError **error);

/* Inside the caller's transaction: a new session row carrying @part_json
 * (the session's own reasons, as kikan_verdict_result_to_json() writes
 * them) whose verdict is the worst of every verdict in force in the
 * session: the newest row of each item, IT's included, and that part.
 * @by is "kiosk" or the IT user; @action_id the IT action, or 0. */
gboolean kikan_it_restate_session (KikanStore *store, gint64 session_id, const char *part_json,
                                   const char *at, const char *by, gint64 action_id,
                                   KikanVerdict *overall, GError **error);

/* IT's queue: items whose verdict in force is not CLEARED (HOLD,
 * QUARANTINE, NOT RETURNED, CONDITIONAL), inspections pending or failed,
 * and sessions a crash left incomplete; newest first. */
JsonNode *kikan_it_queue_to_json (KikanStore *store, GError **error);
