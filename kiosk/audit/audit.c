/* Kikan kiosk: the audit chain (audit-private.h). */
#include "audit-private.h"

#include <stdarg.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "error-private.h"
#include "escape-private.h"
#include "seal-private.h"
#include "verifier-private.h"

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

void
kikan_audit_record_hash (gint64 seq, const char *at, const char *kind, gint64 session_id,
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

/* The events after which the chain is sealed at once: the end of what a
 * person or a command did (issue #10 item 2: "at every session end"). */
static const char *const closing_kinds[] = {
    "session_end", "session_incomplete", "it_action", "ledger_change", "slip_issued",
    "slip_print", "netlist_export", "audit_export", "audit_sample", "audit_attestation",
    "signature_import", "config_change", "selftest", "capacity_warning", "clock_confirmed",
    NULL,
};

static gboolean
seal_before_commit (KikanStore *store, gpointer data, GError **error)
{
    (void)data;
    return kikan_audit_seal (store, "commit", error);
}

gboolean
kikan_audit_append (KikanStore *store, const char *kind, gint64 session_id, JsonNode *payload,
                    GError **error)
{
    g_autofree char *now = kikan_store_now_iso ();
    g_autofree char *text = json_to_string (payload, FALSE);
    char prev[KIKAN_AUDIT_HASH_HEX_LEN + 1];
    char hash[KIKAN_AUDIT_HASH_HEX_LEN + 1];
    char mac[KIKAN_AUDIT_HASH_HEX_LEN + 1];
    gboolean sealed = FALSE;
    gint64 seq = 1, sealed_seq = 0;
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
    kikan_audit_record_hash (seq, now, kind, session_id, text, prev, hash);
    if (!kikan_audit_mac_for_append (store, hash, mac, &sealed, error))
        return FALSE;
    st = kikan_store_prepare (store,
                              "INSERT INTO audit_records (seq, at, kind, session_id, payload, "
                              "prev_hash, hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
    kikan_store_bind_text (st, 8, sealed ? mac : NULL);
    if (!kikan_store_step_done (store, st, "Could not append to the audit chain", error))
        return FALSE;
    kikan_audit_kill_point ();
    if (!sealed)
        return TRUE;
    /* Every transaction that appends ends with a seal over its last
     * record, so that nothing a command committed is left unsealed; a
     * seal is also made where a person or a command finishes something,
     * and every KIKAN_AUDIT_SEAL_INTERVAL records of a long transaction. */
    kikan_store_before_commit (store, seal_before_commit, NULL);
    if (g_strv_contains (closing_kinds, kind))
        return kikan_audit_seal (store, kind, error);
    if (!kikan_audit_last_sealed_seq (store, &sealed_seq, error))
        return FALSE;
    if (seq - sealed_seq >= KIKAN_AUDIT_SEAL_INTERVAL)
        return kikan_audit_seal (store, "interval", error);
    return TRUE;
}

/* What the store holds that the chain must account for: each row of these
 * tables was written together with one record of that kind, so a chain
 * cut short (its last records removed, which breaks no hash) shows as rows
 * without records.  audit_baseline counts the rows a store had before the
 * chain existed (schema step 1 -> 2). */
static const struct {
    const char *kind;
    const char *table;
    int since_version; /* 2: audit_baseline counts its rows from before the chain */
} accounted[] = {
    { "session_start", "sessions", 2 },
    { "declaration", "declarations", 2 },
    { "item", "items", 2 },
    { "verdict", "verdicts", 2 },
    { "it_action", "it_actions", 2 },
    { "ledger_change", "ledger_changes", 2 },
    { "slip_issued", "slips", 3 },
    { "slip_print", "slip_prints", 3 },
    { "audit_sample", "audit_samples", 3 },
    { "audit_attestation", "audit_attestations", 3 },
};

static gboolean
check_accounted (KikanStore *store, gint64 n, gint64 *first_bad, char **why, GError **error)
{
    for (gsize i = 0; i < G_N_ELEMENTS (accounted) && *first_bad == 0; i++) {
        g_autofree char *sql = NULL;

        if (kikan_store_get_version (store) < accounted[i].since_version)
            continue;
        sql = accounted[i].since_version == 2
                  ? g_strdup_printf ("SELECT (SELECT count(*) FROM %s) - coalesce((SELECT %s "
                                     "FROM audit_baseline), 0), (SELECT count(*) FROM "
                                     "audit_records WHERE kind = ?)",
                                     accounted[i].table, accounted[i].table)
                  : g_strdup_printf ("SELECT (SELECT count(*) FROM %s), (SELECT count(*) FROM "
                                     "audit_records WHERE kind = ?)",
                                     accounted[i].table);
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

/* Each column's type as stored, read BEFORE any value is (reading a blob
 * as text converts it, and SQLite's type is then undefined): an integer
 * stored as text or a real, a blob stored for text, or text that hides
 * bytes after a NUL (which the hash, reading up to the NUL, would not
 * cover while other readers show them) is a field that was edited after
 * it was written.  @want: SQLITE_INTEGER, SQLITE_TEXT, or their negation
 * for "or NULL". */
static gboolean
typed_as_written (sqlite3_stmt *st, const int *want, int n_columns)
{
    for (int i = 0; i < n_columns; i++) {
        int t = sqlite3_column_type (st, i), w = ABS (want[i]);

        if (t == SQLITE_NULL && want[i] < 0)
            continue;
        if (t != w)
            return FALSE;
    }
    for (int i = 0; i < n_columns; i++) {
        if (ABS (want[i]) == SQLITE_TEXT && sqlite3_column_type (st, i) == SQLITE_TEXT) {
            const char *text = (const char *)sqlite3_column_text (st, i);

            if (text == NULL || strlen (text) != (size_t)sqlite3_column_bytes (st, i))
                return FALSE;
        }
    }
    return TRUE;
}

static gboolean
feed_records (KikanStore *store, KikanAuditVerifier *v, GError **error)
{
    static const int want[] = { SQLITE_INTEGER, SQLITE_TEXT, SQLITE_TEXT, -SQLITE_INTEGER,
                                SQLITE_TEXT,    SQLITE_TEXT, SQLITE_TEXT, -SQLITE_TEXT };
    gboolean with_mac = kikan_store_get_version (store) >= 3;
    sqlite3_stmt *st = kikan_store_prepare (
        store,
        with_mac ? "SELECT seq, at, kind, session_id, payload, prev_hash, hash, mac "
                   "FROM audit_records ORDER BY seq"
                 : "SELECT seq, at, kind, session_id, payload, prev_hash, hash "
                   "FROM audit_records ORDER BY seq",
        error);
    int rc;

    if (st == NULL)
        return FALSE;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        /* Types first: nothing before this line reads a value. */
        gboolean typed = typed_as_written (st, want, with_mac ? 8 : 7);
        KikanAuditRecordView r;

        r.seq = sqlite3_column_int64 (st, 0);
        r.at = (const char *)sqlite3_column_text (st, 1);
        r.kind = (const char *)sqlite3_column_text (st, 2);
        r.session_id = sqlite3_column_int64 (st, 3);
        r.payload = (const char *)sqlite3_column_text (st, 4);
        r.prev_hash = (const char *)sqlite3_column_text (st, 5);
        r.hash = (const char *)sqlite3_column_text (st, 6);
        r.mac = with_mac ? (const char *)sqlite3_column_text (st, 7) : NULL;
        r.typed_as_written = typed;
        kikan_audit_verifier_add_record (v, &r);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the audit chain", error);
    return TRUE;
}

static gboolean
feed_seals (KikanStore *store, KikanAuditVerifier *v, GError **error)
{
    static const int want[] = { SQLITE_INTEGER, SQLITE_INTEGER, SQLITE_TEXT, SQLITE_TEXT,
                                SQLITE_TEXT,    SQLITE_TEXT,    SQLITE_TEXT, SQLITE_TEXT };
    sqlite3_stmt *st;
    int rc;

    if (kikan_store_get_version (store) < 3)
        return TRUE;
    st = kikan_store_prepare (store,
                              "SELECT epoch, seq, head_hash, at, why, prev_mac, mac, signature "
                              "FROM audit_seals ORDER BY epoch",
                              error);
    if (st == NULL)
        return FALSE;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        gboolean typed = typed_as_written (st, want, 8);
        KikanAuditSealView s;

        s.epoch = sqlite3_column_int64 (st, 0);
        s.seq = sqlite3_column_int64 (st, 1);
        s.head_hash = (const char *)sqlite3_column_text (st, 2);
        s.at = (const char *)sqlite3_column_text (st, 3);
        s.why = (const char *)sqlite3_column_text (st, 4);
        s.prev_mac = (const char *)sqlite3_column_text (st, 5);
        s.mac = (const char *)sqlite3_column_text (st, 6);
        s.signature = (const char *)sqlite3_column_text (st, 7);
        s.typed_as_written = typed;
        kikan_audit_verifier_add_seal (v, &s);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the audit seals", error);
    return TRUE;
}

/* The store's seal_key_id, to tell a wrong verification key from a forged
 * seal. */
static char *
stored_key_id (KikanStore *store)
{
    sqlite3_stmt *st = kikan_store_prepare (store, "SELECT seal_key_id FROM audit_identity", NULL);
    char *id = NULL;

    if (st == NULL)
        return NULL;
    if (sqlite3_step (st) == SQLITE_ROW)
        id = kikan_store_column_dup (st, 0);
    sqlite3_finalize (st);
    return id;
}

static void
verdict_problem (KikanAuditVerdict *out, gint64 seq, char *why)
{
    if (out->first_bad == 0 || out->first_bad > seq) {
        g_free (out->why);
        out->why = why;
        out->first_bad = seq;
    } else {
        g_free (why);
    }
}

/* What explains everything after it: it replaces any other finding. */
static void
identity_problem (KikanAuditVerdict *out, char *why)
{
    g_free (out->why);
    out->why = why;
    out->first_bad = 1;
}

/* On the kiosk itself: the sealing key moves one step after each seal is
 * committed, and only forward, so its epoch must equal the seals (a crash
 * may leave it one behind until the next start), and with K_0 it must be
 * K_0 evolved that far: a thief who cuts the last seals cannot make the
 * older key the cut calls for. */
static void
check_tail_on_kiosk (KikanStore *store, const guint8 *initial_key, KikanAuditVerdict *out)
{
    g_autoptr (GError) error = NULL;
    guint8 key[KIKAN_AUDIT_KEY_LEN], want[KIKAN_AUDIT_KEY_LEN];
    gboolean dir = FALSE, present = FALSE;
    gint64 epoch = -1, from = out->last_sealed_seq + 1;

    if (!kikan_audit_key_file (store, &dir, &present, &epoch, key, &error)) {
        if (dir)
            verdict_problem (out, from, g_strdup_printf ("the sealing key on this kiosk cannot "
                                                         "be read (%s): the last seals cannot "
                                                         "be vouched for",
                                                         error->message));
        return;
    }
    if (!dir)
        return; /* a copy of the store: the auditor anchors it (--head) */
    if (!present) {
        verdict_problem (out, from, g_strdup ("the sealing key was removed from this kiosk: "
                                              "the last seals cannot be vouched for (seals cut "
                                              "from the end?)"));
        return;
    }
    if (epoch > out->n_seals) {
        verdict_problem (out, from,
                         g_strdup_printf ("the kiosk's sealing key has made %" G_GINT64_FORMAT
                                          " seals but the store holds %" G_GINT64_FORMAT
                                          ": the last seals were removed",
                                          epoch, out->n_seals));
    } else if (initial_key != NULL) {
        memcpy (want, initial_key, sizeof want);
        for (gint64 e = 0; e < epoch; e++)
            kikan_audit_evolve_key (want);
        if (sodium_memcmp (want, key, sizeof key) != 0)
            verdict_problem (out, from,
                             g_strdup_printf ("the sealing key on this kiosk is not the key the "
                                              "seals lead to at seal %" G_GINT64_FORMAT ": it was "
                                              "replaced (seals cut from the end?)",
                                              epoch));
        else if (epoch == out->n_seals) {
            out->tail_checked = TRUE;
            out->tail_how = g_strdup_printf ("the sealing key on this kiosk is the one the "
                                             "verification key leads to after seal %"
                                             G_GINT64_FORMAT,
                                             epoch - 1);
        }
    }
    sodium_memzero (key, sizeof key);
    sodium_memzero (want, sizeof want);
}

/* --head SEQ:HASH, from a later slip, bundle or export: the chain must
 * still hold that record with that hash (a prefix of 16 hex digits or
 * more, as a slip carries). */
static void
check_anchor (KikanStore *store, const char *anchor, KikanAuditVerdict *out, GError **error)
{
    g_auto (GStrv) parts = g_strsplit (anchor, ":", 2);
    guint64 seq = 0;
    sqlite3_stmt *st;
    g_autofree char *hash = NULL;

    (void)error;
    if (g_strv_length (parts) != 2
        || !g_ascii_string_to_unsigned (parts[0], 10, 1, G_MAXINT64, &seq, NULL)
        || strlen (parts[1]) < 16 || strlen (parts[1]) > 64) {
        verdict_problem (out, 1, g_strdup ("the anchor given is not SEQ:HASH (16 to 64 hex "
                                           "digits)"));
        return;
    }
    st = kikan_store_prepare (store, "SELECT hash FROM audit_records WHERE seq = ?", NULL);
    if (st == NULL)
        return;
    sqlite3_bind_int64 (st, 1, (gint64)seq);
    if (sqlite3_step (st) == SQLITE_ROW)
        hash = kikan_store_column_dup (st, 0);
    sqlite3_finalize (st);
    if (hash == NULL)
        verdict_problem (out, MIN ((gint64)seq, out->n_records + 1),
                         g_strdup_printf ("the chain ends at record %" G_GINT64_FORMAT " but the "
                                          "anchor names record %" G_GINT64_FORMAT ": records "
                                          "were cut from the end",
                                          out->n_records, (gint64)seq));
    else if (g_ascii_strncasecmp (hash, parts[1], strlen (parts[1])) != 0)
        verdict_problem (out, (gint64)seq,
                         g_strdup_printf ("record %" G_GINT64_FORMAT " is not the one the "
                                          "anchor names (rewritten)",
                                          (gint64)seq));
    else if (!out->tail_checked) {
        out->tail_checked = TRUE;
        out->tail_how = g_strdup_printf ("the chain still holds record %" G_GINT64_FORMAT
                                         " as the anchor you gave",
                                         (gint64)seq);
    }
}

gboolean
kikan_audit_verify_store (KikanStore *store, const guint8 *initial_key, const guint8 *trusted_key,
                          const char *head_anchor, KikanAuditVerdict *out, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autofree char *kiosk_id = NULL;
    guint8 pk[KIKAN_AUDIT_PUBLIC_KEY_LEN];
    gboolean initialised, wrong_key = FALSE;
    KikanAuditVerifier *v;

    memset (out, 0, sizeof *out);
    if (sodium_init () < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "The audit chain cannot be checked (libsodium failed to start).");
        return FALSE;
    }
    initialised = kikan_audit_identity (store, &kiosk_id, pk, &local);
    if (local != NULL) {
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    /* A verification key that is not this store's would fail every MAC:
     * say that once instead (and check the rest without it). */
    if (initial_key != NULL && initialised) {
        g_autofree char *have = stored_key_id (store);
        char want[33];

        kikan_audit_key_id (initial_key, want);
        wrong_key = g_strcmp0 (have, want) != 0;
    }
    v = kikan_audit_verifier_new (initialised ? kiosk_id : NULL,
                                  trusted_key != NULL ? trusted_key : initialised ? pk : NULL,
                                  wrong_key ? NULL : initial_key);
    if (!feed_records (store, v, error) || !feed_seals (store, v, error)) {
        KikanAuditVerdict discard;

        kikan_audit_verifier_finish (v, &discard);
        kikan_audit_verdict_clear (&discard);
        return FALSE;
    }
    kikan_audit_verifier_finish (v, out);
    if (initial_key != NULL) {
        if (!initialised)
            identity_problem (out, g_strdup ("you hold a verification key for this kiosk but the "
                                             "store has no audit identity: it was removed"));
        else if (wrong_key)
            identity_problem (out, g_strdup ("the verification key given does not belong to this "
                                             "store: it is another kiosk's key, or this store's "
                                             "identity was replaced"));
    }
    if (initialised)
        check_tail_on_kiosk (store, wrong_key ? NULL : initial_key, out);
    if (head_anchor != NULL)
        check_anchor (store, head_anchor, out, error);
    if (trusted_key != NULL && initialised && sodium_memcmp (trusted_key, pk, sizeof pk) != 0)
        identity_problem (out, g_strdup ("the store's kiosk identity is not the public key you "
                                         "trust: the identity was replaced"));
    if (out->first_bad == 0)
        return check_accounted (store, out->n_records, &out->first_bad, &out->why, error);
    return TRUE;
}

gboolean
kikan_audit_verify (KikanStore *store, gint64 *first_bad, char **why, gint64 *n_records,
                    GError **error)
{
    KikanAuditVerdict v;

    *first_bad = 0;
    *why = NULL;
    if (!kikan_audit_verify_store (store, NULL, NULL, NULL, &v, error))
        return FALSE;
    *first_bad = v.first_bad;
    *why = g_steal_pointer (&v.why);
    if (n_records != NULL)
        *n_records = v.n_records;
    kikan_audit_verdict_clear (&v);
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
