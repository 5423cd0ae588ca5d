/* Kikan kiosk: the audit events that are not part of a check-in (issue
 * #10 item 1; KR-32, Admin J-5; docs/audit.md "What is recorded"):
 * signature imports, self-tests, IT's confirmations of the clock
 * ("clock_confirmed", KR-37), and changes of kikan.conf or the policy
 * file, which IT edits by hand and so no command can record as it
 * happens: the kiosk notices them at the next check-in's start. */
#pragma once

#include <json-glib/json-glib.h>

#include "home-private.h"
#include "store-private.h"

/* In a transaction of its own on $KIKAN_HOME/kikan.db (made when there is
 * none yet): appends @kind with @payload and seals. */
gboolean kikan_audit_record_event (KikanHome *home, const char *kind, JsonNode *payload,
                                   GError **error);
/* The same on @store, already open (the kiosk station holds one). */
gboolean kikan_audit_record_event_in (KikanStore *store, const char *kind, JsonNode *payload,
                                      GError **error);

/* For each (role, path) pair of @files (NULL-terminated pairs; a NULL path
 * means "none in use"): when its SHA-256 differs from the one the last
 * "config_change" record of that role holds (or there is none yet),
 * appends a "config_change" record {role, path, sha256, previous}.  One
 * transaction.  *@changed (optional) counts the records written. */
gboolean kikan_audit_note_files (KikanStore *store, const char *const *files, guint *changed,
                                 GError **error);

/* `kikan db check` (docs/store.md), also the station's "store" check
 * (KR-36): the store file of @home opened read-only and checked
 * (kikan_store_check_file()), then, when its rows are sound, its audit
 * chain as `kikan audit verify` walks it without the auditor's key.
 * *@problems gets one escaped line per problem (empty: intact);
 * *@version the schema version, -1 when unknown.  FALSE with @error when
 * the store could not be checked at all. */
gboolean kikan_audit_db_check (KikanHome *home, GPtrArray **problems, int *version,
                               GError **error);
