/* Kikan kiosk: the audit chain (audit-private.h). */
#include "audit-private.h"

#include <stdarg.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "error-private.h"
#include "escape-private.h"

/* The first record's "previous hash". */
static const char genesis[KIKAN_AUDIT_HASH_HEX_LEN + 1]
    = "0000000000000000000000000000000000000000000000000000000000000000";

static void
feed (crypto_generichash_state *h, const char *s)
{
    /* Each field is followed by a NUL, so no two records can be cut into
     * the same byte stream differently. */
    crypto_generichash_update (h, (const unsigned char *)(s != NULL ? s : ""),
                               s != NULL ? strlen (s) : 0);
    crypto_generichash_update (h, (const unsigned char *)"", 1);
}

/* BLAKE2b-256 of one record, hex, into @out (65 bytes). */
static void
record_hash (gint64 seq, const char *at, const char *kind, gint64 session_id,
             const char *payload, const char *prev_hash, char *out)
{
    crypto_generichash_state h;
    unsigned char digest[32];
    char num[32];

    crypto_generichash_init (&h, NULL, 0, sizeof digest);
    feed (&h, "kikan-audit-v1");
    g_snprintf (num, sizeof num, "%" G_GINT64_FORMAT, seq);
    feed (&h, num);
    feed (&h, at);
    feed (&h, kind);
    if (session_id > 0)
        g_snprintf (num, sizeof num, "%" G_GINT64_FORMAT, session_id);
    else
        num[0] = '\0';
    feed (&h, num);
    feed (&h, payload);
    feed (&h, prev_hash);
    crypto_generichash_final (&h, digest, sizeof digest);
    sodium_bin2hex (out, KIKAN_AUDIT_HASH_HEX_LEN + 1, digest, sizeof digest);
}

gboolean
kikan_audit_append (KikanStore *store, const char *kind, gint64 session_id, JsonNode *payload,
                    GError **error)
{
    g_autofree char *now = kikan_store_now_iso ();
    g_autofree char *text = json_to_string (payload, FALSE);
    char prev[KIKAN_AUDIT_HASH_HEX_LEN + 1];
    char hash[KIKAN_AUDIT_HASH_HEX_LEN + 1];
    gint64 seq = 1;
    sqlite3_stmt *st;
    int rc;

    g_return_val_if_fail (kind != NULL && payload != NULL, FALSE);
    if (sodium_init () < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "The audit chain cannot hash (libsodium failed to start).");
        return FALSE;
    }
    g_strlcpy (prev, genesis, sizeof prev);
    st = kikan_store_prepare (store,
                              "SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1",
                              error);
    if (st == NULL)
        return FALSE;
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        seq = sqlite3_column_int64 (st, 0) + 1;
        g_strlcpy (prev, (const char *)sqlite3_column_text (st, 1), sizeof prev);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the audit chain", error);
    record_hash (seq, now, kind, session_id, text, prev, hash);
    st = kikan_store_prepare (store,
                              "INSERT INTO audit_records (seq, at, kind, session_id, payload, "
                              "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                              error);
    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, seq);
    kikan_store_bind_text (st, 2, now);
    kikan_store_bind_text (st, 3, kind);
    if (session_id > 0)
        sqlite3_bind_int64 (st, 4, session_id);
    else
        sqlite3_bind_null (st, 4);
    kikan_store_bind_text (st, 5, text);
    kikan_store_bind_text (st, 6, prev);
    kikan_store_bind_text (st, 7, hash);
    return kikan_store_step_done (store, st, "Could not append to the audit chain", error);
}

static gboolean
typed_as_written (sqlite3_stmt *st)
{
    return sqlite3_column_type (st, 0) == SQLITE_INTEGER
           && sqlite3_column_type (st, 1) == SQLITE_TEXT
           && sqlite3_column_type (st, 2) == SQLITE_TEXT
           && (sqlite3_column_type (st, 3) == SQLITE_INTEGER
               || sqlite3_column_type (st, 3) == SQLITE_NULL)
           && sqlite3_column_type (st, 4) == SQLITE_TEXT
           && sqlite3_column_type (st, 5) == SQLITE_TEXT
           && sqlite3_column_type (st, 6) == SQLITE_TEXT;
}

/* What the store holds that the chain must account for: each row of these
 * tables was written together with one record of that kind, so a chain
 * cut short (its last records removed, which breaks no hash) shows as rows
 * without records.  audit_baseline counts the rows a store had before the
 * chain existed (schema step 1 -> 2). */
static const struct {
    const char *kind;
    const char *table;
} accounted[] = {
    { "session_start", "sessions" }, { "declaration", "declarations" }, { "item", "items" },
    { "verdict", "verdicts" },       { "it_action", "it_actions" },
    { "ledger_change", "ledger_changes" },
};

static gboolean
check_accounted (KikanStore *store, gint64 n, gint64 *first_bad, char **why, GError **error)
{
    for (gsize i = 0; i < G_N_ELEMENTS (accounted) && *first_bad == 0; i++) {
        g_autofree char *sql = g_strdup_printf (
            "SELECT (SELECT count(*) FROM %s) - coalesce((SELECT %s FROM audit_baseline), 0), "
            "(SELECT count(*) FROM audit_records WHERE kind = ?)",
            accounted[i].table, accounted[i].table);
        sqlite3_stmt *st = kikan_store_prepare (store, sql, error);
        gint64 rows, records;

        if (st == NULL)
            return FALSE;
        sqlite3_bind_text (st, 1, accounted[i].kind, -1, SQLITE_STATIC);
        if (sqlite3_step (st) != SQLITE_ROW) {
            sqlite3_finalize (st);
            return kikan_store_fail (store, "Could not compare the store with its audit chain",
                                     error);
        }
        rows = sqlite3_column_int64 (st, 0);
        records = sqlite3_column_int64 (st, 1);
        sqlite3_finalize (st);
        if (rows != records) {
            *first_bad = n + 1;
            *why = g_strdup_printf ("the store holds %" G_GINT64_FORMAT " %s but the chain "
                                    "records %" G_GINT64_FORMAT ": records were removed from its "
                                    "end, or rows written without their record",
                                    rows, accounted[i].table, records);
        }
    }
    return TRUE;
}

gboolean
kikan_audit_verify (KikanStore *store, gint64 *first_bad, char **why, gint64 *n_records,
                    GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (store,
                                            "SELECT seq, at, kind, session_id, payload, "
                                            "prev_hash, hash FROM audit_records ORDER BY seq",
                                            error);
    char prev[KIKAN_AUDIT_HASH_HEX_LEN + 1];
    gint64 expected = 1, n = 0;
    int rc;

    *first_bad = 0;
    *why = NULL;
    if (st == NULL)
        return FALSE;
    if (sodium_init () < 0) {
        sqlite3_finalize (st);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "The audit chain cannot be checked (libsodium failed to start).");
        return FALSE;
    }
    g_strlcpy (prev, genesis, sizeof prev);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        gint64 seq = sqlite3_column_int64 (st, 0);
        const char *stored_prev = (const char *)sqlite3_column_text (st, 5);
        const char *stored = (const char *)sqlite3_column_text (st, 6);
        char hash[KIKAN_AUDIT_HASH_HEX_LEN + 1];

        n++;
        if (*first_bad != 0)
            continue;
        record_hash (seq, (const char *)sqlite3_column_text (st, 1),
                     (const char *)sqlite3_column_text (st, 2), sqlite3_column_int64 (st, 3),
                     (const char *)sqlite3_column_text (st, 4), prev, hash);
        /* The hash reads each field as text or an integer: a value stored
         * as another type (1.5 read as 1, a blob) would hash like the
         * original while the store says something else. */
        if (!typed_as_written (st)) {
            *first_bad = MAX (seq, 1);
            *why = g_strdup_printf ("record %" G_GINT64_FORMAT " holds a field of the wrong "
                                    "type (it was edited after it was written)",
                                    seq);
        } else if (seq < 1) {
            *first_bad = 1;
            *why = g_strdup_printf ("a record numbered %" G_GINT64_FORMAT " stands before "
                                    "record 1 (inserted)",
                                    seq);
        } else if (seq != expected) {
            *first_bad = MIN (seq, expected);
            *why = g_strdup_printf ("record %" G_GINT64_FORMAT " is missing: the chain jumps "
                                    "from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                                    expected, expected - 1, seq);
        } else if (g_strcmp0 (stored_prev, prev) != 0) {
            *first_bad = seq;
            *why = g_strdup_printf ("record %" G_GINT64_FORMAT " does not follow the record "
                                    "before it (removed, reordered or inserted)",
                                    seq);
        } else if (g_strcmp0 (stored, hash) != 0) {
            *first_bad = seq;
            *why = g_strdup_printf ("record %" G_GINT64_FORMAT " was changed after it was "
                                    "written (its hash does not match its contents)",
                                    seq);
        }
        /* The chain goes on from what is stored, so that one changed
         * record is named alone. */
        g_strlcpy (prev, stored != NULL ? stored : "", sizeof prev);
        expected = seq + 1;
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the audit chain", error);
    if (n_records != NULL)
        *n_records = n;
    if (*first_bad == 0)
        return check_accounted (store, n, first_bad, why, error);
    return TRUE;
}

JsonNode *
kikan_audit_list_to_json (KikanStore *store, gint64 session_id, GError **error)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    sqlite3_stmt *st = kikan_store_prepare (
        store,
        session_id > 0 ? "SELECT seq, at, kind, session_id, payload, hash FROM audit_records "
                         "WHERE session_id = ? ORDER BY seq"
                       : "SELECT seq, at, kind, session_id, payload, hash FROM audit_records "
                         "WHERE ? = 0 ORDER BY seq",
        error);
    int rc;

    if (st == NULL)
        return NULL;
    sqlite3_bind_int64 (st, 1, session_id);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "kikan-audit");
    json_builder_set_member_name (b, "records");
    json_builder_begin_array (b);
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        g_autoptr (JsonParser) p = json_parser_new ();

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "seq");
        json_builder_add_int_value (b, sqlite3_column_int64 (st, 0));
        kikan_json_add_hostile_string (b, "at", (const char *)sqlite3_column_text (st, 1));
        kikan_json_add_hostile_string (b, "kind", (const char *)sqlite3_column_text (st, 2));
        json_builder_set_member_name (b, "session_id");
        if (sqlite3_column_type (st, 3) == SQLITE_NULL)
            json_builder_add_null_value (b);
        else
            json_builder_add_int_value (b, sqlite3_column_int64 (st, 3));
        json_builder_set_member_name (b, "payload");
        if (json_parser_load_from_data (p, (const char *)sqlite3_column_text (st, 4), -1, NULL))
            json_builder_add_value (b, json_node_copy (json_parser_get_root (p)));
        else
            json_builder_add_null_value (b);
        kikan_json_add_hostile_string (b, "hash", (const char *)sqlite3_column_text (st, 5));
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the audit chain", error), NULL;
    return json_builder_get_root (b);
}

JsonNode *
kikan_audit_payload (const char *key, ...)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    va_list ap;

    json_builder_begin_object (b);
    va_start (ap, key);
    for (const char *k = key; k != NULL; k = va_arg (ap, const char *)) {
        const char *v = va_arg (ap, const char *);

        json_builder_set_member_name (b, k);
        if (v == NULL)
            json_builder_add_null_value (b);
        else
            json_builder_add_string_value (b, v);
    }
    va_end (ap);
    json_builder_end_object (b);
    return json_builder_get_root (b);
}
