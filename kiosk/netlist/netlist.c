/* Kikan kiosk: which devices go on the network team's cleared and watch
 * lists (issue #10 item 7; KR-29, JNSA-2.6, Admin I-4, I-6;
 * docs/netlist.md).  The rules are in netlist-private.h. */
#include "netlist-private.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "error-private.h"

static void
entry_free (KikanNetlistEntry *e)
{
    if (e == NULL)
        return;
    g_free (e->asset_id);
    g_free (e->asset_type);
    g_free (e->mac);
    g_free (e->hostname);
    g_free (e->employee_id);
    g_free (e->employee_name);
    g_free (e->verdict);
    g_free (e->session_verdict);
    g_free (e->reason_codes);
    g_free (e->watch_reason);
    g_free (e->valid_until);
    g_free (e->checked_at);
    g_free (e->kiosk_id);
    g_free (e->session);
    g_free (e->slip_number);
    g_free (e);
}

static KikanNetlistEntry *
entry_copy (const KikanNetlistEntry *e)
{
    KikanNetlistEntry *c = g_new0 (KikanNetlistEntry, 1);

    c->asset_id = g_strdup (e->asset_id);
    c->asset_type = g_strdup (e->asset_type);
    c->mac = g_strdup (e->mac);
    c->hostname = g_strdup (e->hostname);
    c->employee_id = g_strdup (e->employee_id);
    c->employee_name = g_strdup (e->employee_name);
    c->verdict = g_strdup (e->verdict);
    c->session_verdict = g_strdup (e->session_verdict);
    c->reason_codes = g_strdup (e->reason_codes);
    c->watch_reason = g_strdup (e->watch_reason);
    c->valid_until = g_strdup (e->valid_until);
    c->checked_at = g_strdup (e->checked_at);
    c->kiosk_id = g_strdup (e->kiosk_id);
    c->session = g_strdup (e->session);
    c->slip_number = g_strdup (e->slip_number);
    return c;
}

void
kikan_netlist_free (KikanNetlist *self)
{
    if (self == NULL)
        return;
    g_free (self->generated_at);
    g_clear_pointer (&self->cleared, g_ptr_array_unref);
    g_clear_pointer (&self->watch, g_ptr_array_unref);
    g_free (self);
}

/* A verdict in force: the newest row of an item, or of a session's
 * overall (item_id NULL). */
typedef struct {
    gboolean found;
    char *verdict;
    char *decided_at;
    GPtrArray *codes;        /* char*, in order */
    char *monitoring_until;  /* PROC-03's end date, or NULL */
} Verdict;

static void
verdict_clear (Verdict *v)
{
    g_free (v->verdict);
    g_free (v->decided_at);
    g_clear_pointer (&v->codes, g_ptr_array_unref);
    g_free (v->monitoring_until);
}

static gboolean
bad_row (gint64 id, const char *what, GError **error)
{
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_STORE,
                 "Verdict row %" G_GINT64_FORMAT " cannot be read back (%s): nothing was "
                 "exported. Run “kikan db check” and “kikan audit verify”, and tell IT.",
                 id, what);
    return FALSE;
}

/* The reasons column: {"verdict": …, "reasons": [{"code", …, "condition"?:
 * {"text", "until"}}], …} (kiosk/checkin/verdict.c). */
static gboolean
parse_reasons (gint64 id, const char *text, Verdict *v, GError **error)
{
    g_autoptr (JsonParser) parser = json_parser_new ();
    JsonObject *root;
    JsonArray *reasons;

    if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL)
        || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        return bad_row (id, "its reasons are not a JSON object", error);
    root = json_node_get_object (json_parser_get_root (parser));
    if (!json_object_has_member (root, "reasons")
        || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "reasons")))
        return bad_row (id, "no list of reasons", error);
    reasons = json_object_get_array_member (root, "reasons");
    for (guint i = 0; i < json_array_get_length (reasons); i++) {
        JsonNode *n = json_array_get_element (reasons, i);
        JsonObject *r;
        JsonNode *code;

        if (!JSON_NODE_HOLDS_OBJECT (n))
            return bad_row (id, "a reason is not an object", error);
        r = json_node_get_object (n);
        code = json_object_get_member (r, "code");
        if (code == NULL || json_node_get_value_type (code) != G_TYPE_STRING)
            return bad_row (id, "a reason has no code", error);
        g_ptr_array_add (v->codes, g_strdup (json_node_get_string (code)));
        if (g_str_equal (json_node_get_string (code), "PROC-03")
            && json_object_has_member (r, "condition")
            && JSON_NODE_HOLDS_OBJECT (json_object_get_member (r, "condition"))) {
            JsonObject *c = json_object_get_object_member (r, "condition");
            JsonNode *u = json_object_get_member (c, "until");

            if (u != NULL && json_node_get_value_type (u) == G_TYPE_STRING) {
                g_free (v->monitoring_until);
                v->monitoring_until = g_strdup (json_node_get_string (u));
            }
        }
    }
    return TRUE;
}

static gboolean
read_verdict (KikanStore *store, const char *sql, gint64 key, Verdict *v, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (store, sql, error);
    gboolean ok = TRUE;
    int rc;

    v->codes = g_ptr_array_new_with_free_func (g_free);
    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, key);
    if ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        gint64 id = sqlite3_column_int64 (st, 0);
        g_autofree char *reasons = kikan_store_column_dup (st, 2);

        v->found = TRUE;
        v->verdict = kikan_store_column_dup (st, 1);
        v->decided_at = kikan_store_column_dup (st, 3);
        ok = parse_reasons (id, reasons, v, error);
    } else if (rc != SQLITE_DONE) {
        ok = kikan_store_fail (store, "The verdicts could not be read", error);
    }
    sqlite3_finalize (st);
    return ok;
}

static gboolean
may_connect (const char *verdict)
{
    return verdict != NULL
           && (g_str_equal (verdict, "cleared") || g_str_equal (verdict, "conditional"));
}

/* The codes of @item then those of @session it does not already have. */
static char *
join_codes (const Verdict *item, const Verdict *session)
{
    g_autoptr (GString) s = g_string_new (NULL);
    g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
    const Verdict *both[] = { item, session };

    for (gsize k = 0; k < 2; k++) {
        if (both[k]->codes == NULL)
            continue;
        for (guint i = 0; i < both[k]->codes->len; i++) {
            const char *c = g_ptr_array_index (both[k]->codes, i);

            if (!g_hash_table_add (seen, (gpointer)c))
                continue;
            g_string_append_printf (s, "%s%s", s->len > 0 ? " " : "", c);
        }
    }
    return g_strdup (s->str);
}

/* "YYYY-MM-DDTHH:MM:SSZ" → Unix time; FALSE when it is not one. */
static gboolean
parse_iso (const char *s, gint64 *out)
{
    g_autoptr (GDateTime) dt = NULL;

    if (s == NULL || (dt = g_date_time_new_from_iso8601 (s, NULL)) == NULL)
        return FALSE;
    *out = g_date_time_to_unix (dt);
    return TRUE;
}

static char *
iso_of (gint64 t)
{
    g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);

    return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("");
}

static gboolean
read_slip (KikanStore *store, gint64 session_id, char **number, char **valid_until,
           GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (
        store,
        "SELECT number, valid_until FROM slips WHERE session_id = ? AND copy_of IS NULL "
        "ORDER BY id DESC LIMIT 1",
        error);
    int rc;

    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, session_id);
    if ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        *number = kikan_store_column_dup (st, 0);
        *valid_until = kikan_store_column_dup (st, 1);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return kikan_store_fail (store, "The slips could not be read", error);
    return TRUE;
}

/* Decides the lists @e (filled but for the list fields) goes on. */
static void
place (KikanNetlist *list, KikanNetlistEntry *e, const Verdict *item, const Verdict *session,
       const char *slip_valid_until, gint64 now, const char *today)
{
    const char *decided = session->found ? session->decided_at : item->decided_at;
    gint64 t = 0, until = 0, slip_until = 0;
    gboolean cleared = FALSE;
    gboolean monitored = item->monitoring_until != NULL || session->monitoring_until != NULL;
    const char *monitor_end = session->monitoring_until != NULL ? session->monitoring_until
                                                                : item->monitoring_until;

    if (item->found && session->found && may_connect (item->verdict)
        && may_connect (session->verdict) && parse_iso (decided, &t)) {
        until = t + (gint64)list->valid_hours * 3600;
        if (slip_valid_until != NULL && parse_iso (slip_valid_until, &slip_until)
            && slip_until < until)
            until = slip_until;
        cleared = now < until;
    }
    if (cleared) {
        KikanNetlistEntry *c = entry_copy (e);

        c->valid_until = iso_of (until);
        g_ptr_array_add (list->cleared, c);
    }
    /* Enhanced monitoring (PROC-03) lasts to the end of its date. */
    if (monitored && (monitor_end == NULL || strcmp (monitor_end, today) < 0))
        monitored = FALSE;
    if (cleared && !monitored) {
        entry_free (e);
        return;
    }
    if (!item->found || !session->found) {
        e->watch_reason = g_strdup ("no_verdict");
    } else if (!may_connect (item->verdict)) {
        e->watch_reason = g_strdup (item->verdict);
    } else if (!may_connect (session->verdict)) {
        e->watch_reason = g_strdup (session->verdict);
    } else if (monitored) {
        e->watch_reason = g_strdup ("monitoring");
        e->valid_until = g_strdup (monitor_end);
    } else {
        e->watch_reason = g_strdup ("expired");
        if (until > 0)
            e->valid_until = iso_of (until);
    }
    g_ptr_array_add (list->watch, e);
}

KikanNetlist *
kikan_netlist_build (KikanStore *store, guint valid_hours, GError **error)
{
    g_autoptr (KikanNetlist) list = g_new0 (KikanNetlist, 1);
    g_autofree char *today = kikan_store_today ();
    gint64 now = kikan_store_now_unix ();
    sqlite3_stmt *st;
    int rc;

    g_return_val_if_fail (valid_hours > 0 && valid_hours <= KIKAN_NETLIST_MAX_VALID_HOURS, NULL);
    list->generated_at = kikan_store_now_iso ();
    list->valid_hours = valid_hours;
    list->cleared = g_ptr_array_new_with_free_func ((GDestroyNotify)entry_free);
    list->watch = g_ptr_array_new_with_free_func ((GDestroyNotify)entry_free);
    /* Each asset's latest item in a check-in that ended (an item taken
     * back out of a session does not count). */
    st = kikan_store_prepare (
        store,
        "SELECT a.id, a.type, i.id, s.id, s.uuid, s.kiosk_id, s.employee_id, e.name "
        "FROM assets a "
        "JOIN items i ON i.id = (SELECT i2.id FROM items i2 JOIN sessions s2 "
        "  ON s2.id = i2.session_id WHERE i2.asset_id = a.id AND s2.state = 'ended' "
        "  AND i2.state <> 'removed' ORDER BY i2.session_id DESC, i2.id DESC LIMIT 1) "
        "JOIN sessions s ON s.id = i.session_id "
        "JOIN employees e ON e.id = s.employee_id "
        "ORDER BY a.id",
        error);
    if (st == NULL)
        return NULL;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        KikanNetlistEntry *e = g_new0 (KikanNetlistEntry, 1);
        Verdict item = { 0 }, session = { 0 };
        g_autofree char *slip_until = NULL;
        gint64 item_id = sqlite3_column_int64 (st, 2);
        gint64 session_id = sqlite3_column_int64 (st, 3);
        gboolean ok;

        e->asset_id = kikan_store_column_dup (st, 0);
        e->asset_type = kikan_store_column_dup (st, 1);
        e->session = kikan_store_column_dup (st, 4);
        e->kiosk_id = kikan_store_column_dup (st, 5);
        e->employee_id = kikan_store_column_dup (st, 6);
        e->employee_name = kikan_store_column_dup (st, 7);
        ok = read_verdict (store,
                           "SELECT id, verdict, reasons, decided_at FROM verdicts "
                           "WHERE item_id = ? ORDER BY id DESC LIMIT 1",
                           item_id, &item, error)
             && read_verdict (store,
                              "SELECT id, verdict, reasons, decided_at FROM verdicts "
                              "WHERE session_id = ? AND item_id IS NULL ORDER BY id DESC LIMIT 1",
                              session_id, &session, error)
             && read_slip (store, session_id, &e->slip_number, &slip_until, error);
        if (ok) {
            e->verdict = g_strdup (item.verdict);
            e->session_verdict = g_strdup (session.verdict);
            e->reason_codes = join_codes (&item, &session);
            e->checked_at = g_strdup (session.found ? session.decided_at : item.decided_at);
            place (list, e, &item, &session, slip_until, now, today);
        } else {
            entry_free (e);
        }
        verdict_clear (&item);
        verdict_clear (&session);
        if (!ok) {
            sqlite3_finalize (st);
            return NULL;
        }
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE) {
        kikan_store_fail (store, "The check-ins could not be read", error);
        return NULL;
    }
    return g_steal_pointer (&list);
}
