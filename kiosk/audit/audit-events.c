/* Kikan kiosk: audit events outside a check-in (audit-events-private.h). */
#include "audit-events-private.h"

#include <string.h>

#include <sqlite3.h>

#include "audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "seal-private.h"

gboolean
kikan_audit_record_event (KikanHome *home, const char *kind, JsonNode *payload, GError **error)
{
    g_autoptr (KikanStore) store = kikan_store_open (home, error);

    return store != NULL && kikan_audit_record_event_in (store, kind, payload, error);
}

gboolean
kikan_audit_record_event_in (KikanStore *store, const char *kind, JsonNode *payload,
                             GError **error)
{
    if (!kikan_store_begin (store, error))
        return FALSE;
    if (!kikan_audit_append (store, kind, 0, payload, error)
        || !kikan_audit_seal (store, kind, error) || !kikan_store_commit (store, error)) {
        kikan_store_rollback (store);
        return FALSE;
    }
    return TRUE;
}

/* The SHA-256 of @path, "none" when @path is NULL, "missing" when there is
 * no such file, "unreadable: …" otherwise: a file IT removed is a change
 * too. */
static char *
file_digest (const char *path)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;

    if (path == NULL)
        return g_strdup ("none");
    if (!g_file_get_contents (path, &data, &len, &error))
        return g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                   ? g_strdup ("missing")
                   : g_strdup ("unreadable");
    return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)data, len);
}

/* The digest the last config_change record of @role holds, or NULL. */
static gboolean
last_digest (KikanStore *store, const char *role, char **digest, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (
        store,
        "SELECT json_extract(payload, '$.sha256') FROM audit_records WHERE kind = "
        "'config_change' AND json_extract(payload, '$.role') = ? ORDER BY seq DESC LIMIT 1",
        error);
    int rc;

    *digest = NULL;
    if (st == NULL)
        return FALSE;
    kikan_store_bind_text (st, 1, role);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW)
        *digest = kikan_store_column_dup (st, 0);
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the audit chain", error);
    return TRUE;
}

gboolean
kikan_audit_note_files (KikanStore *store, const char *const *files, guint *changed,
                        GError **error)
{
    guint n = 0;

    if (!kikan_store_begin (store, error))
        return FALSE;
    for (gsize i = 0; files[i] != NULL; i += 2) {
        const char *role = files[i], *path = files[i + 1];
        g_autofree char *now = file_digest (path);
        g_autofree char *before = NULL;
        g_autoptr (JsonNode) payload = NULL;

        if (!last_digest (store, role, &before, error))
            goto fail;
        if (g_strcmp0 (before, now) == 0)
            continue;
        payload = kikan_audit_payload ("role", role, "path", path, "sha256", now, "previous",
                                       before, NULL);
        if (!kikan_audit_append (store, "config_change", 0, payload, error))
            goto fail;
        n++;
    }
    if (n > 0 && !kikan_audit_seal (store, "config_change", error))
        goto fail;
    if (!kikan_store_commit (store, error))
        goto fail;
    if (changed != NULL)
        *changed = n;
    return TRUE;

fail:
    kikan_store_rollback (store);
    return FALSE;
}

/* The audit chain, checked as `kikan audit verify` does without the
 * auditor's key (KR-32): a store whose rows are sound but whose chain was
 * rewritten is not intact. */
static void
check_audit_chain (KikanHome *home, GPtrArray *problems)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = kikan_store_open_readonly (home, &error);
    g_autofree char *why = NULL;
    gint64 bad = 0, n = 0;

    if (store == NULL || !kikan_audit_verify (store, &bad, &why, &n, &error)) {
        g_autofree char *msg = kikan_escape_for_display (error->message, -1);

        g_ptr_array_add (problems, g_strdup_printf ("the audit chain could not be checked: %s",
                                                    msg));
    } else if (bad != 0) {
        g_autofree char *msg = kikan_escape_for_display (why, -1);

        g_ptr_array_add (problems,
                         g_strdup_printf ("the audit chain is broken at record %" G_GINT64_FORMAT
                                          " of %" G_GINT64_FORMAT ": %s (kikan audit verify)",
                                          bad, n, msg));
    }
}

gboolean
kikan_audit_db_check (KikanHome *home, GPtrArray **problems, int *version, GError **error)
{
    g_autofree char *path = kikan_store_dup_path_for_home (home);

    if (!kikan_store_check_file (path, problems, version, error))
        return FALSE;
    if ((*problems)->len == 0)
        check_audit_chain (home, *problems);
    return TRUE;
}
