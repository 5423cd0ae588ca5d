/* Kikan kiosk: IT staff resolve or override a verdict (it-actions-private.h). */
#include "it-actions-private.h"

#include <string.h>

#include <sqlite3.h>

#include "audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "verdict-private.h"

gint64
kikan_it_find_session (KikanStore *store, const char *ref, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (store,
                                            "SELECT id FROM sessions WHERE uuid = ?1 OR "
                                            "CAST(id AS TEXT) = ?1",
                                            error);
    gint64 id = 0;

    if (st == NULL)
        return 0;
    sqlite3_bind_text (st, 1, ref, -1, SQLITE_TRANSIENT);
    if (sqlite3_step (st) == SQLITE_ROW)
        id = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    if (id == 0) {
        g_autofree char *shown = kikan_escape_for_display (ref, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "There is no session %s. “kikan it list” shows the sessions IT must "
                     "look at.",
                     shown);
    }
    return id;
}

gint64
kikan_it_find_item (KikanStore *store, gint64 session_id, const char *ref, GError **error)
{
    sqlite3_stmt *st;
    gint64 id = -1;
    int n = 0;

    if (strcmp (ref, "session") == 0)
        return 0;
    st = kikan_store_prepare (store,
                              "SELECT id FROM items WHERE session_id = ?1 AND "
                              "(CAST(id AS TEXT) = ?2 OR asset_id = ?2)",
                              error);
    if (st == NULL)
        return -1;
    sqlite3_bind_int64 (st, 1, session_id);
    sqlite3_bind_text (st, 2, ref, -1, SQLITE_TRANSIENT);
    while (sqlite3_step (st) == SQLITE_ROW) {
        id = sqlite3_column_int64 (st, 0);
        n++;
    }
    sqlite3_finalize (st);
    if (n != 1) {
        g_autofree char *shown = kikan_escape_for_display (ref, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "Session %" G_GINT64_FORMAT " has %s item %s. Name an item by the number "
                     "“kikan it show” gives, or “session” for the session's own reasons.",
                     session_id, n == 0 ? "no" : "more than one", shown);
        return -1;
    }
    return id;
}

/* The verdict row in force for @item_id (0: the session's), as a result. */
static KikanVerdictResult *
load_latest (KikanStore *store, gint64 session_id, gint64 item_id, GError **error)
{
    g_autoptr (JsonParser) p = json_parser_new ();
    sqlite3_stmt *st
        = kikan_store_prepare (store,
                               "SELECT reasons FROM verdicts WHERE session_id = ?1 AND "
                               "((?2 = 0 AND item_id IS NULL) OR item_id = ?2) "
                               "ORDER BY id DESC LIMIT 1",
                               error);
    KikanVerdictResult *r = NULL;
    int rc;

    if (st == NULL)
        return NULL;
    sqlite3_bind_int64 (st, 1, session_id);
    sqlite3_bind_int64 (st, 2, item_id);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        if (json_parser_load_from_data (p, (const char *)sqlite3_column_text (st, 0), -1, NULL))
            r = kikan_verdict_result_from_json (json_parser_get_root (p), error);
        else
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                         "A verdict in the store cannot be read: run “kikan db check”.");
    } else if (rc == SQLITE_DONE)
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "This has no verdict yet: the session has not been decided (it may still "
                     "be running, or was left incomplete).");
    else
        kikan_store_fail (store, "Could not read the verdict", error);
    sqlite3_finalize (st);
    return r;
}

/* The worst of the verdicts in force of every item and of the session's
 * own part. */
static gboolean
overall_now (KikanStore *store, gint64 session_id, KikanVerdict *out, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (
        store,
        "SELECT v.verdict, v.item_id, v.reasons FROM verdicts v WHERE v.session_id = ?1 AND "
        "v.id = (SELECT max(w.id) FROM verdicts w WHERE w.session_id = ?1 AND "
        "w.item_id IS v.item_id)",
        error);
    KikanVerdict worst = KIKAN_VERDICT_CLEARED;
    gboolean any = FALSE;
    int rc;

    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, session_id);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        KikanVerdict v;

        if (sqlite3_column_type (st, 1) == SQLITE_NULL) {
            /* The session row's column is the overall; its own part's
             * verdict is inside its reasons. */
            g_autoptr (JsonParser) p = json_parser_new ();
            g_autoptr (KikanVerdictResult) r = NULL;

            if (!json_parser_load_from_data (p, (const char *)sqlite3_column_text (st, 2), -1,
                                             NULL)
                || (r = kikan_verdict_result_from_json (json_parser_get_root (p), error))
                       == NULL) {
                sqlite3_finalize (st);
                if (error != NULL && *error == NULL)
                    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                                 "A verdict in the store cannot be read.");
                return FALSE;
            }
            v = r->verdict;
        } else if (!kikan_verdict_from_string ((const char *)sqlite3_column_text (st, 0), &v)) {
            sqlite3_finalize (st);
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                         "A verdict in the store is not one Kikan knows: run “kikan db check”.");
            return FALSE;
        }
        worst = kikan_verdict_worst (worst, v);
        any = TRUE;
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the verdicts", error);
    /* Fail closed: a session with no verdict at all is never cleared. */
    *out = any ? worst : KIKAN_VERDICT_HOLD;
    return TRUE;
}

static gboolean
insert_verdict (KikanStore *store, gint64 session_id, gint64 item_id, const char *verdict,
                const char *reasons, const char *at, const char *by, gint64 action_id,
                GError **error)
{
    sqlite3_stmt *st
        = kikan_store_prepare (store,
                               "INSERT INTO verdicts (session_id, item_id, verdict, "
                               "reasons, decided_at, decided_by, it_action_id) VALUES "
                               "(?, ?, ?, ?, ?, ?, ?)",
                               error);

    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, session_id);
    if (item_id > 0)
        sqlite3_bind_int64 (st, 2, item_id);
    else
        sqlite3_bind_null (st, 2);
    sqlite3_bind_text (st, 3, verdict, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 4, reasons, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 5, at, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 6, by, -1, SQLITE_TRANSIENT);
    if (action_id > 0)
        sqlite3_bind_int64 (st, 7, action_id);
    else
        sqlite3_bind_null (st, 7);
    if (sqlite3_step (st) != SQLITE_DONE) {
        sqlite3_finalize (st);
        return kikan_store_fail (store, "Could not record the verdict", error);
    }
    sqlite3_finalize (st);
    return TRUE;
}

static char *
act_locked (KikanStore *store, gint64 session_id, gint64 item_id, gboolean override,
            KikanVerdict to, const char *by, const char *reason, const char *now, GError **error)
{
    g_autoptr (KikanVerdictResult) r = load_latest (store, session_id, item_id, error);
    g_autoptr (KikanVerdictResult) session_part = NULL;
    g_autoptr (JsonNode) node = NULL;
    g_autofree char *json = NULL;
    g_autofree char *session_json = NULL;
    KikanVerdict from, overall = KIKAN_VERDICT_HOLD;
    sqlite3_stmt *st;
    gint64 action_id;

    if (r == NULL)
        return NULL;
    from = r->verdict;
    if (!kikan_verdict_apply_it_action (r, override ? KIKAN_IT_OVERRIDE : KIKAN_IT_RESOLVE, to, by,
                                        reason, now, error))
        return NULL;
    st = kikan_store_prepare (
        store,
        "INSERT INTO it_actions (session_id, item_id, kind, by_user, reason, "
        "from_verdict, to_verdict, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        error);
    if (st == NULL)
        return NULL;
    sqlite3_bind_int64 (st, 1, session_id);
    if (item_id > 0)
        sqlite3_bind_int64 (st, 2, item_id);
    else
        sqlite3_bind_null (st, 2);
    sqlite3_bind_text (st, 3, override ? "override" : "resolve", -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 4, by, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 5, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (st, 6, kikan_verdict_to_string (from), -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 7, kikan_verdict_to_string (to), -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 8, now, -1, SQLITE_TRANSIENT);
    if (sqlite3_step (st) != SQLITE_DONE) {
        sqlite3_finalize (st);
        kikan_store_fail (store, "Could not record the IT action", error);
        return NULL;
    }
    sqlite3_finalize (st);
    action_id = sqlite3_last_insert_rowid (kikan_store_get_db (store));
    {
        g_autofree char *item = item_id > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, item_id)
                                            : NULL;
        g_autoptr (JsonNode) p = kikan_audit_payload (
            "kind", override ? "override" : "resolve", "item", item, "by", by, "reason", reason,
            "from", kikan_verdict_to_string (from), "to", kikan_verdict_to_string (to), NULL);

        if (!kikan_audit_append (store, "it_action", session_id, p, error))
            return NULL;
    }
    node = kikan_verdict_result_to_json (r);
    json = json_to_string (node, FALSE);
    if (item_id > 0) {
        if (!insert_verdict (store, session_id, item_id, kikan_verdict_to_string (r->verdict),
                             json, now, by, action_id, error))
            return NULL;
        {
            g_autofree char *item = g_strdup_printf ("%" G_GINT64_FORMAT, item_id);
            g_autoptr (JsonNode) p = kikan_audit_payload (
                "item", item, "verdict", kikan_verdict_to_string (r->verdict), "reasons", json,
                "by", by, NULL);

            if (!kikan_audit_append (store, "verdict", session_id, p, error))
                return NULL;
        }
        /* The session's row is restated with the new overall. */
        if ((session_part = load_latest (store, session_id, 0, error)) == NULL)
            return NULL;
        g_clear_pointer (&node, json_node_unref);
        node = kikan_verdict_result_to_json (session_part);
        session_json = json_to_string (node, FALSE);
    } else
        session_json = g_steal_pointer (&json);
    if (!kikan_it_restate_session (store, session_id, session_json, now, by, action_id, &overall,
                                   error))
        return NULL;
    return g_strdup (kikan_verdict_to_string (overall));
}

gboolean
kikan_it_restate_session (KikanStore *store, gint64 session_id, const char *part_json,
                          const char *at, const char *by, gint64 action_id,
                          KikanVerdict *overall, GError **error)
{
    sqlite3_stmt *st;

    /* The overall row is written last, so it is computed with every new
     * item row in place; a placeholder first carries the session's part. */
    if (!insert_verdict (store, session_id, 0, "hold", part_json, at, by, action_id, error)
        || !overall_now (store, session_id, overall, error))
        return FALSE;
    st = kikan_store_prepare (
        store, "UPDATE verdicts SET verdict = ? WHERE id = last_insert_rowid()", error);
    if (st == NULL)
        return FALSE;
    sqlite3_bind_text (st, 1, kikan_verdict_to_string (*overall), -1, SQLITE_STATIC);
    if (!kikan_store_step_done (store, st, "Could not record the overall verdict", error))
        return FALSE;
    {
        g_autoptr (JsonNode) p
            = kikan_audit_payload ("item", NULL, "verdict", kikan_verdict_to_string (*overall),
                                   "reasons", part_json, "by", by, NULL);

        return kikan_audit_append (store, "verdict", session_id, p, error);
    }
}

char *
kikan_it_act (KikanStore *store, gint64 session_id, gint64 item_id, gboolean override,
              const char *to, const char *by, const char *reason, GError **error)
{
    g_autofree char *now = kikan_store_now_iso ();
    KikanVerdict v;
    char *overall;

    if (to == NULL || !kikan_verdict_from_string (to, &v)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "--verdict must be cleared, conditional, hold, quarantine or not_returned.");
        return NULL;
    }
    if (!kikan_store_begin (store, error))
        return NULL;
    overall = act_locked (store, session_id, item_id, override, v, by, reason, now, error);
    if (overall == NULL) {
        kikan_store_rollback (store);
        return NULL;
    }
    if (!kikan_store_commit (store, error)) {
        g_free (overall);
        return NULL;
    }
    return overall;
}

/* Adds member @member: an array with one object per row of @sql, whose
 * columns are named by @names (NULL-terminated); a name starting with '#'
 * is an integer (the '#' dropped), any other a string from the store,
 * escaped as hostile; SQL NULL is JSON null. */
static gboolean
add_rows (JsonBuilder *b, KikanStore *store, const char *member, const char *sql,
          const char *const *names, const char *what, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (store, sql, error);
    int rc;

    if (st == NULL)
        return FALSE;
    json_builder_set_member_name (b, member);
    json_builder_begin_array (b);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        json_builder_begin_object (b);
        for (int c = 0; names[c] != NULL; c++) {
            const char *name = names[c][0] == '#' ? names[c] + 1 : names[c];

            if (sqlite3_column_type (st, c) == SQLITE_NULL) {
                json_builder_set_member_name (b, name);
                json_builder_add_null_value (b);
            } else if (names[c][0] == '#') {
                json_builder_set_member_name (b, name);
                json_builder_add_int_value (b, sqlite3_column_int64 (st, c));
            } else
                kikan_json_add_hostile_string (b, name,
                                               (const char *)sqlite3_column_text (st, c));
        }
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, what, error);
    return TRUE;
}

JsonNode *
kikan_it_queue_to_json (KikanStore *store, GError **error)
{
    static const char *const item_columns[]
        = { "session", "#session_id",  "employee", "started_at", "session_state", "#item",
            "asset",   "presented_as", "state",    "verdict",    "decided_by",    NULL };
    static const char *const incident_columns[]
        = { "number", "kind", "session", "#session_id", "employee", "opened_at", NULL };
    static const char *const held_columns[]
        = { "session", "#session_id", "employee", "started_at", "verdict", NULL };
    static const char *const incomplete_columns[]
        = { "session", "#session_id", "employee", "started_at", NULL };
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "kikan-it-queue");
    if (!add_rows (b, store, "items",
                   "SELECT s.uuid, s.id, s.employee_id, s.started_at, s.state, i.id, i.asset_id, "
                   "i.presented_as, i.state, v.verdict, v.decided_by FROM items i "
                   "JOIN sessions s ON s.id = i.session_id LEFT JOIN verdicts v ON v.id = "
                   "(SELECT max(w.id) FROM verdicts w WHERE w.item_id = i.id) "
                   "WHERE v.verdict IS NULL OR v.verdict <> 'cleared' OR i.state IN ('pending', "
                   "'failed') ORDER BY s.id DESC, i.id",
                   item_columns, "Could not read IT's queue", error)
        /* Incidents and follow-ups opened at the kiosk (KR-04, KR-22,
         * KR-23): closing them comes with the IT screens (issue #11). */
        || !add_rows (b, store, "incidents",
                      "SELECT n.number, n.kind, s.uuid, s.id, s.employee_id, n.opened_at "
                      "FROM incidents n JOIN sessions s ON s.id = n.session_id "
                      "ORDER BY n.id DESC",
                      incident_columns, "Could not read the incidents", error)
        /* Sessions held by their own reasons (the declaration: DEC-01,
         * DEC-11, PROC-08 …), which no item carries. */
        || !add_rows (b, store, "held_sessions",
                      "SELECT s.uuid, s.id, s.employee_id, s.started_at, "
                      "json_extract(v.reasons, '$.verdict') FROM sessions s JOIN verdicts v ON "
                      "v.id = (SELECT max(w.id) FROM verdicts w WHERE w.session_id = s.id AND "
                      "w.item_id IS NULL) WHERE json_extract(v.reasons, '$.verdict') NOT IN "
                      "('cleared', 'conditional') ORDER BY s.id DESC",
                      held_columns, "Could not read the held sessions", error)
        || !add_rows (b, store, "incomplete_sessions",
                      "SELECT uuid, id, employee_id, started_at FROM sessions WHERE state = "
                      "'incomplete' ORDER BY id DESC",
                      incomplete_columns, "Could not read the incomplete sessions", error))
        return NULL;
    json_builder_end_object (b);
    return json_builder_get_root (b);
}
