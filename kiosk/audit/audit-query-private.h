/* Kikan kiosk: choosing audit records and sessions by date, employee,
 * asset, verdict, kind and session (issue #10 item 3; KR-31, Admin J-8;
 * docs/audit.md "Listing and filters").
 *
 * The filter lives here, not in the CLI, so that `kikan audit list`,
 * `export`, `sample` and the auditor view of the GTK kiosk (issue #11)
 * choose the same records for the same words.
 *
 * A record matches when it passes every filter that is set:
 *   since/until   its time `at` (UTC) is in [since, until)
 *   kind          its kind
 *   session       its session_id
 *   employee      it belongs to a session of that employee (sessions),
 *                 or its payload names the employee ("employee": ID)
 *   asset         it belongs to a session in which the asset was
 *                 presented or accounted for (items), or its payload
 *                 names the asset ("asset": ID)
 *   verdict       it belongs to a session whose overall verdict in force
 *                 (the newest session-level row of verdicts) is that level
 * A session matches (the population of a sample) when its start time is
 * in [since, until) and it passes employee, asset, verdict, session, and
 * (kind) holds at least one record of that kind.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "store-private.h"

typedef struct {
    char *since;       /* inclusive, "YYYY-MM-DDTHH:MM:SSZ"; NULL: no bound */
    char *until;       /* exclusive, same form */
    char *employee_id;
    char *asset_id;
    char *verdict;     /* cleared | conditional | hold | quarantine | not_returned */
    char *kind;
    gint64 session_id; /* 0: any */
    /* What the person typed for since/until, for the export's payload. */
    char *since_text, *until_text;
} KikanAuditFilter;

KikanAuditFilter *kikan_audit_filter_new (void);
void kikan_audit_filter_free (KikanAuditFilter *f); /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanAuditFilter, kikan_audit_filter_free)

/* "2026-11-02" (that whole day, UTC, for until: up to its end) or an ISO
 * 8601 time ("2026-11-02T09:30:00Z", "2026-11-02T18:30:00+09:00"; no
 * zone: UTC).  KIKAN_ERROR_USAGE naming @option when @text is neither. */
gboolean kikan_audit_filter_set_since (KikanAuditFilter *f, const char *text, GError **error);
gboolean kikan_audit_filter_set_until (KikanAuditFilter *f, const char *text, GError **error);
/* KIKAN_ERROR_USAGE when @level is not one of the five verdicts. */
gboolean kikan_audit_filter_set_verdict (KikanAuditFilter *f, const char *level,
                                         GError **error);
/* Copies the rest (NULL or "" clears); IDs longer than 256 bytes are
 * refused (KIKAN_ERROR_USAGE). */
gboolean kikan_audit_filter_set_text (KikanAuditFilter *f, const char *which, const char *value,
                                      GError **error);
/* TRUE when no filter is set. */
gboolean kikan_audit_filter_is_empty (const KikanAuditFilter *f);
/* {"since": …, "until": …, "employee": …, …}: only what is set; the
 * normalised times.  For the payloads of audit_export and audit_sample. */
JsonNode *kikan_audit_filter_to_json (const KikanAuditFilter *f);

/* One record as stored (every string owned). */
typedef struct {
    gint64 seq;
    char *at, *kind;
    gint64 session_id; /* 0: none */
    char *payload;     /* the JSON text, exactly as hashed */
    char *prev_hash, *hash;
    char *mac;         /* NULL: none (written before `kikan audit init`, or schema < 3) */
    gboolean typed_as_written;
} KikanAuditRow;

void kikan_audit_row_clear (KikanAuditRow *r);

/* Called for each record, oldest first; return FALSE (with @error) to
 * stop.  The row is borrowed. */
typedef gboolean (*KikanAuditRowFunc) (const KikanAuditRow *row, gpointer user_data,
                                       GError **error);

/* Every record matching @f (NULL: all), oldest first.  *n_matched
 * (optional) counts them. */
gboolean kikan_audit_query_foreach (KikanStore *store, const KikanAuditFilter *f,
                                    KikanAuditRowFunc func, gpointer user_data, gint64 *n_matched,
                                    GError **error);

/* Record @seq; KIKAN_ERROR_NOT_FOUND when there is none. */
gboolean kikan_audit_query_get (KikanStore *store, gint64 seq, KikanAuditRow *out,
                                GError **error);

/* The ids of the sessions matching @f, ascending (a GArray of gint64). */
GArray *kikan_audit_query_sessions (KikanStore *store, const KikanAuditFilter *f,
                                    GError **error);

/* {"seq", "at", "kind", "session_id", "payload" (the text as hashed),
 * "prev_hash", "hash", "mac"}: every column; strings made valid UTF-8. */
JsonNode *kikan_audit_row_to_json (const KikanAuditRow *r);
