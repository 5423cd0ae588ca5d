/* Kikan kiosk: choosing audit records and sessions (audit-query-private.h). */
#include "audit-query-private.h"

#include <string.h>

#include <sqlite3.h>

#include "error-private.h"
#include "escape-private.h"

#define ID_MAX 256

static const char *const verdict_levels[]
    = { "cleared", "conditional", "hold", "quarantine", "not_returned" };

KikanAuditFilter *
kikan_audit_filter_new (void)
{
    return g_new0 (KikanAuditFilter, 1);
}

void
kikan_audit_filter_free (KikanAuditFilter *f)
{
    if (f == NULL)
        return;
    g_free (f->since);
    g_free (f->until);
    g_free (f->employee_id);
    g_free (f->asset_id);
    g_free (f->verdict);
    g_free (f->kind);
    g_free (f->since_text);
    g_free (f->until_text);
    g_free (f);
}

static gboolean
is_date (const char *t)
{
    guint y, m, d;

    if (strlen (t) != 10 || t[4] != '-' || t[7] != '-')
        return FALSE;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !g_ascii_isdigit (t[i]))
            return FALSE;
    y = (guint)g_ascii_strtoull (t, NULL, 10);
    m = (guint)g_ascii_strtoull (t + 5, NULL, 10);
    d = (guint)g_ascii_strtoull (t + 8, NULL, 10);
    return y >= 1 && g_date_valid_dmy ((GDateDay)d, (GDateMonth)m, (GDateYear)y);
}

/* @text as a UTC second, "YYYY-MM-DDTHH:MM:SSZ", moved by @end_of seconds
 * past itself (until is exclusive: a date's bound is the next midnight, a
 * time's the next second). */
static char *
parse_bound (const char *text, gboolean until, const char *option, GError **error)
{
    g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
    g_autoptr (GDateTime) t = NULL;
    g_autoptr (GDateTime) moved = NULL;
    g_autofree char *shown = kikan_escape_for_display (text, -1);

    if (text != NULL && strlen (text) <= 64) {
        if (is_date (text)) {
            g_autofree char *midnight = g_strconcat (text, "T00:00:00Z", NULL);

            t = g_date_time_new_from_iso8601 (midnight, utc);
            if (t != NULL && until)
                moved = g_date_time_add_days (t, 1);
        } else if (strchr (text, 'T') != NULL) {
            t = g_date_time_new_from_iso8601 (text, utc);
            if (t != NULL && until)
                moved = g_date_time_add_seconds (t, 1);
        }
    }
    if (t == NULL || g_date_time_get_year (t) < 1 || g_date_time_get_year (t) > 9998) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "%s \"%s\" is neither a date (2026-11-02) nor an ISO 8601 time "
                     "(2026-11-02T09:30:00Z; without a zone it is UTC).",
                     option, shown);
        return NULL;
    }
    {
        g_autoptr (GDateTime) u = g_date_time_to_utc (moved != NULL ? moved : t);

        return g_date_time_format (u, "%Y-%m-%dT%H:%M:%SZ");
    }
}

gboolean
kikan_audit_filter_set_since (KikanAuditFilter *f, const char *text, GError **error)
{
    char *v = parse_bound (text, FALSE, "--since", error);

    if (v == NULL)
        return FALSE;
    g_free (f->since);
    f->since = v;
    g_free (f->since_text);
    f->since_text = g_strdup (text);
    return TRUE;
}

gboolean
kikan_audit_filter_set_until (KikanAuditFilter *f, const char *text, GError **error)
{
    char *v = parse_bound (text, TRUE, "--until", error);

    if (v == NULL)
        return FALSE;
    g_free (f->until);
    f->until = v;
    g_free (f->until_text);
    f->until_text = g_strdup (text);
    return TRUE;
}

gboolean
kikan_audit_filter_set_verdict (KikanAuditFilter *f, const char *level, GError **error)
{
    for (gsize i = 0; i < G_N_ELEMENTS (verdict_levels); i++)
        if (g_strcmp0 (level, verdict_levels[i]) == 0) {
            g_free (f->verdict);
            f->verdict = g_strdup (level);
            return TRUE;
        }
    {
        g_autofree char *shown = kikan_escape_for_display (level != NULL ? level : "", -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "--verdict \"%s\" is not a verdict: use cleared, conditional, hold, "
                     "quarantine or not_returned.",
                     shown);
    }
    return FALSE;
}

gboolean
kikan_audit_filter_set_text (KikanAuditFilter *f, const char *which, const char *value,
                             GError **error)
{
    char **slot = g_str_equal (which, "employee") ? &f->employee_id
                  : g_str_equal (which, "asset")  ? &f->asset_id
                  : g_str_equal (which, "kind")   ? &f->kind
                                                  : NULL;

    g_return_val_if_fail (slot != NULL, FALSE);
    if (value != NULL && (strlen (value) > ID_MAX || !g_utf8_validate (value, -1, NULL))) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "--%s must be valid UTF-8 of at most %d bytes.", which, ID_MAX);
        return FALSE;
    }
    g_free (*slot);
    *slot = value != NULL && value[0] != '\0' ? g_strdup (value) : NULL;
    return TRUE;
}

gboolean
kikan_audit_filter_is_empty (const KikanAuditFilter *f)
{
    return f == NULL
           || (f->since == NULL && f->until == NULL && f->employee_id == NULL
               && f->asset_id == NULL && f->verdict == NULL && f->kind == NULL
               && f->session_id == 0);
}

JsonNode *
kikan_audit_filter_to_json (const KikanAuditFilter *f)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    if (f != NULL) {
        const struct {
            const char *name, *value;
        } s[] = {
            { "since", f->since },          { "until", f->until },
            { "employee", f->employee_id }, { "asset", f->asset_id },
            { "verdict", f->verdict },      { "kind", f->kind },
        };

        for (gsize i = 0; i < G_N_ELEMENTS (s); i++)
            if (s[i].value != NULL)
                kikan_json_add_hostile_string (b, s[i].name, s[i].value);
        if (f->session_id != 0) {
            json_builder_set_member_name (b, "session");
            json_builder_add_int_value (b, f->session_id);
        }
    }
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

void
kikan_audit_row_clear (KikanAuditRow *r)
{
    g_clear_pointer (&r->at, g_free);
    g_clear_pointer (&r->kind, g_free);
    g_clear_pointer (&r->payload, g_free);
    g_clear_pointer (&r->prev_hash, g_free);
    g_clear_pointer (&r->hash, g_free);
    g_clear_pointer (&r->mac, g_free);
}

/* The sessions whose overall verdict in force (the newest session-level
 * verdict row) is ?7. */
#define SESSIONS_WITH_VERDICT                                                                   \
    "SELECT v.session_id FROM verdicts v WHERE v.item_id IS NULL AND v.verdict = ?7 AND v.id = " \
    "(SELECT max(w.id) FROM verdicts w WHERE w.session_id = v.session_id AND w.item_id IS NULL)"

/* A payload member, NULL when the payload is not JSON (CASE evaluates
 * json_extract only then: a payload edited into garbage must not make the
 * whole query fail). */
#define PAYLOAD_MEMBER(m) "(CASE WHEN json_valid(r.payload) THEN json_extract(r.payload, '$." m "') END)"

static const char records_where[]
    = " WHERE (?1 IS NULL OR r.at >= ?1) AND (?2 IS NULL OR r.at < ?2)"
      " AND (?3 IS NULL OR r.kind = ?3) AND (?4 = 0 OR r.session_id = ?4)"
      " AND (?5 IS NULL OR r.session_id IN (SELECT id FROM sessions WHERE employee_id = ?5)"
      "      OR " PAYLOAD_MEMBER ("employee") " = ?5)"
      " AND (?6 IS NULL OR r.session_id IN (SELECT session_id FROM items WHERE asset_id = ?6)"
      "      OR " PAYLOAD_MEMBER ("asset") " = ?6)"
      " AND (?7 IS NULL OR r.session_id IN (" SESSIONS_WITH_VERDICT "))";

static void
bind_filter (sqlite3_stmt *st, const KikanAuditFilter *f)
{
    static const KikanAuditFilter none = { 0 };

    if (f == NULL)
        f = &none;
    kikan_store_bind_text (st, 1, f->since);
    kikan_store_bind_text (st, 2, f->until);
    kikan_store_bind_text (st, 3, f->kind);
    sqlite3_bind_int64 (st, 4, f->session_id);
    kikan_store_bind_text (st, 5, f->employee_id);
    kikan_store_bind_text (st, 6, f->asset_id);
    kikan_store_bind_text (st, 7, f->verdict);
}

static const char *
mac_column (KikanStore *store)
{
    return kikan_store_get_version (store) >= 3 ? "r.mac" : "NULL";
}

static void
read_row (sqlite3_stmt *st, KikanAuditRow *r)
{
    r->seq = sqlite3_column_int64 (st, 0);
    r->at = kikan_store_column_dup (st, 1);
    r->kind = kikan_store_column_dup (st, 2);
    r->session_id = sqlite3_column_type (st, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64 (st, 3);
    r->payload = kikan_store_column_dup (st, 4);
    r->prev_hash = kikan_store_column_dup (st, 5);
    r->hash = kikan_store_column_dup (st, 6);
    r->mac = kikan_store_column_dup (st, 7);
    /* As audit.c reads them: a field stored as another type hashes like
     * the original while the store says something else. */
    r->typed_as_written = sqlite3_column_type (st, 0) == SQLITE_INTEGER
                          && sqlite3_column_type (st, 1) == SQLITE_TEXT
                          && sqlite3_column_type (st, 2) == SQLITE_TEXT
                          && (sqlite3_column_type (st, 3) == SQLITE_INTEGER
                              || sqlite3_column_type (st, 3) == SQLITE_NULL)
                          && sqlite3_column_type (st, 4) == SQLITE_TEXT
                          && sqlite3_column_type (st, 5) == SQLITE_TEXT
                          && sqlite3_column_type (st, 6) == SQLITE_TEXT
                          && (sqlite3_column_type (st, 7) == SQLITE_TEXT
                              || sqlite3_column_type (st, 7) == SQLITE_NULL);
}

gboolean
kikan_audit_query_foreach (KikanStore *store, const KikanAuditFilter *f, KikanAuditRowFunc func,
                           gpointer user_data, gint64 *n_matched, GError **error)
{
    g_autofree char *sql = g_strdup_printf (
        "SELECT r.seq, r.at, r.kind, r.session_id, r.payload, r.prev_hash, r.hash, %s "
        "FROM audit_records r%s ORDER BY r.seq",
        mac_column (store), records_where);
    sqlite3_stmt *st = kikan_store_prepare (store, sql, error);
    gint64 n = 0;
    int rc;

    if (st == NULL)
        return FALSE;
    bind_filter (st, f);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        KikanAuditRow r = { 0 };
        gboolean go_on;

        read_row (st, &r);
        n++;
        go_on = func (&r, user_data, error);
        kikan_audit_row_clear (&r);
        if (!go_on) {
            sqlite3_finalize (st);
            return FALSE;
        }
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the audit chain", error);
    if (n_matched != NULL)
        *n_matched = n;
    return TRUE;
}

gboolean
kikan_audit_query_get (KikanStore *store, gint64 seq, KikanAuditRow *out, GError **error)
{
    g_autofree char *sql = g_strdup_printf (
        "SELECT r.seq, r.at, r.kind, r.session_id, r.payload, r.prev_hash, r.hash, %s "
        "FROM audit_records r WHERE r.seq = ?",
        mac_column (store));
    sqlite3_stmt *st = kikan_store_prepare (store, sql, error);
    int rc;

    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, seq);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW)
        read_row (st, out);
    sqlite3_finalize (st);
    if (rc == SQLITE_DONE) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND,
                     "There is no audit record %" G_GINT64_FORMAT
                     ": `kikan audit list` shows the records there are.",
                     seq);
        return FALSE;
    }
    if (rc != SQLITE_ROW)
        return kikan_store_fail (store, "Could not read the audit chain", error);
    return TRUE;
}

GArray *
kikan_audit_query_sessions (KikanStore *store, const KikanAuditFilter *f, GError **error)
{
    g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
    sqlite3_stmt *st = kikan_store_prepare (
        store,
        "SELECT s.id FROM sessions s"
        " WHERE (?1 IS NULL OR s.started_at >= ?1) AND (?2 IS NULL OR s.started_at < ?2)"
        " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM audit_records r WHERE r.session_id = s.id"
        "                            AND r.kind = ?3))"
        " AND (?4 = 0 OR s.id = ?4) AND (?5 IS NULL OR s.employee_id = ?5)"
        " AND (?6 IS NULL OR s.id IN (SELECT session_id FROM items WHERE asset_id = ?6))"
        " AND (?7 IS NULL OR s.id IN (" SESSIONS_WITH_VERDICT "))"
        " ORDER BY s.id",
        error);
    int rc;

    if (st == NULL)
        return NULL;
    bind_filter (st, f);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        gint64 id = sqlite3_column_int64 (st, 0);

        g_array_append_val (ids, id);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the sessions", error), NULL;
    return g_steal_pointer (&ids);
}

JsonNode *
kikan_audit_row_to_json (const KikanAuditRow *r)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "seq");
    json_builder_add_int_value (b, r->seq);
    kikan_json_add_hostile_string (b, "at", r->at);
    kikan_json_add_hostile_string (b, "kind", r->kind);
    json_builder_set_member_name (b, "session_id");
    if (r->session_id > 0)
        json_builder_add_int_value (b, r->session_id);
    else
        json_builder_add_null_value (b);
    kikan_json_add_hostile_string (b, "payload", r->payload);
    kikan_json_add_hostile_string (b, "prev_hash", r->prev_hash);
    kikan_json_add_hostile_string (b, "hash", r->hash);
    kikan_json_add_hostile_string (b, "mac", r->mac);
    json_builder_end_object (b);
    return json_builder_get_root (b);
}
