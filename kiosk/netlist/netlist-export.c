/* Kikan kiosk: `kikan netlist export`, the signed lists on a medium for
 * the network team (issue #10 item 7; KR-29, JNSA-2.6, Admin I-4, I-6;
 * docs/netlist.md).
 *
 *   DIR/cleared.csv  watch.csv  netlist.json      the lists
 *   DIR/SHA256SUMS                                sha256sum -c can check it
 *   DIR/SHA256SUMS.sig                            Ed25519 over SHA256SUMS, hex
 *   DIR/kiosk-public-key.txt                      the kiosk's key, hex
 *
 * The files are written and synced first, then one "netlist_export" audit
 * record names them with their hashes; if that record cannot be written
 * the files are removed again, so that no export exists without its
 * record. */
#include "netlist-private.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "format-private.h"
#include "ledger-csv-private.h"
#include "seal-private.h"

static const char *const columns[] = {
    "asset_id", "asset_type", "mac", "hostname", "employee_id", "employee_name", "verdict",
    "session_verdict", "reason_codes", "watch_reason", "valid_until", "checked_at", "kiosk_id",
    "session", "slip_number",
};

static const char *
field (const KikanNetlistEntry *e, gsize i)
{
    const char *v[] = { e->asset_id, e->asset_type, e->mac, e->hostname, e->employee_id,
                        e->employee_name, e->verdict, e->session_verdict, e->reason_codes,
                        e->watch_reason, e->valid_until, e->checked_at, e->kiosk_id,
                        e->session, e->slip_number };

    G_STATIC_ASSERT (G_N_ELEMENTS (v) == G_N_ELEMENTS (columns));
    return v[i];
}

GBytes *
kikan_netlist_to_csv (const GPtrArray *entries)
{
    GString *out = g_string_new (NULL);

    for (gsize c = 0; c < G_N_ELEMENTS (columns); c++)
        kikan_csv_append_field (out, columns[c], c == 0);
    g_string_append (out, "\r\n");
    for (guint i = 0; i < entries->len; i++) {
        const KikanNetlistEntry *e = g_ptr_array_index (entries, i);

        for (gsize c = 0; c < G_N_ELEMENTS (columns); c++) {
            /* What a spreadsheet shows must be what is there: control,
             * bidirectional and invisible characters and bytes that are
             * not UTF-8 become visible escapes (STYLE rule 14). */
            g_autofree char *v = field (e, c) != NULL
                                     ? kikan_escape_for_display (field (e, c), -1)
                                     : NULL;

            kikan_csv_append_field (out, v, c == 0);
        }
        g_string_append (out, "\r\n");
    }
    return g_string_free_to_bytes (out);
}

static void
add_entries (JsonBuilder *b, const char *member, const GPtrArray *entries)
{
    json_builder_set_member_name (b, member);
    json_builder_begin_array (b);
    for (guint i = 0; i < entries->len; i++) {
        const KikanNetlistEntry *e = g_ptr_array_index (entries, i);

        json_builder_begin_object (b);
        for (gsize c = 0; c < G_N_ELEMENTS (columns); c++)
            kikan_json_add_hostile_string (b, columns[c], field (e, c));
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
}

GBytes *
kikan_netlist_to_json (const KikanNetlist *list, const char *kiosk_id)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autoptr (JsonNode) root = NULL;
    g_autofree char *text = NULL;
    char *safe;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "kikan-netlist");
    json_builder_set_member_name (b, "format_version");
    json_builder_add_int_value (b, 1);
    kikan_json_add_hostile_string (b, "kiosk_id", kiosk_id);
    json_builder_set_member_name (b, "generated_at");
    json_builder_add_string_value (b, list->generated_at);
    json_builder_set_member_name (b, "valid_hours");
    json_builder_add_int_value (b, list->valid_hours);
    add_entries (b, "cleared", list->cleared);
    add_entries (b, "watch", list->watch);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    json_generator_set_pretty (gen, TRUE);
    json_generator_set_indent (gen, 2);
    json_generator_set_root (gen, root);
    text = json_generator_to_data (gen, NULL);
    /* Bidirectional and other invisible characters become \u escapes. */
    safe = kikan_escape_json_text (text, -1);
    return g_bytes_new_take (safe, strlen (safe));
}

void
kikan_netlist_export_free (KikanNetlistExport *self)
{
    if (self == NULL)
        return;
    g_free (self->sums_sha256);
    g_free (self->public_key_hex);
    g_free (self);
}

typedef struct {
    const char *name;
    GBytes *data;
    char *sha256;
} OutFile;

static gboolean
write_file (const char *dir, const OutFile *f, GError **error)
{
    g_autofree char *path = g_build_filename (dir, f->name, NULL);
    g_autoptr (GError) local = NULL;
    gsize len = 0;
    const char *data = g_bytes_get_data (f->data, &len);

    if (!g_file_set_contents_full (path, data != NULL ? data : "", (gssize)len,
                                   G_FILE_SET_CONTENTS_CONSISTENT
                                       | G_FILE_SET_CONTENTS_DURABLE,
                                   0644, &local)) {
        g_autofree char *shown = kikan_escape_for_display (path, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "%s could not be written (%s): check the medium (space, write "
                     "protection), then export again.",
                     shown, local->message);
        return FALSE;
    }
    return TRUE;
}

static gboolean
prepare_dir (const char *dir, const OutFile *files, gsize n, GError **error)
{
    g_autofree char *shown = kikan_escape_for_display (dir, -1);

    if (g_mkdir_with_parents (dir, 0755) != 0) {
        int e = errno;

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "%s could not be made: %s.", shown,
                     g_strerror (e));
        return FALSE;
    }
    if (!g_file_test (dir, G_FILE_TEST_IS_DIR)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "%s is not a folder.", shown);
        return FALSE;
    }
    for (gsize i = 0; i < n; i++) {
        g_autofree char *p = g_build_filename (dir, files[i].name, NULL);

        if (g_file_test (p, G_FILE_TEST_EXISTS) || g_file_test (p, G_FILE_TEST_IS_SYMLINK)) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT,
                         "%s already holds an export (%s): nothing was written. Export into "
                         "an empty folder, so that no list is mixed with an older one.",
                         shown, files[i].name);
            return FALSE;
        }
    }
    return TRUE;
}

static void
remove_files (const char *dir, const OutFile *files, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        g_autofree char *p = g_build_filename (dir, files[i].name, NULL);

        g_unlink (p);
    }
}

static gboolean
record (KikanStore *store, const char *dir, const KikanNetlist *list, const OutFile *files,
        gsize n, GError **error)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) payload = NULL;

    json_builder_begin_object (b);
    kikan_json_add_hostile_string (b, "dir", dir);
    json_builder_set_member_name (b, "generated_at");
    json_builder_add_string_value (b, list->generated_at);
    json_builder_set_member_name (b, "valid_hours");
    json_builder_add_int_value (b, list->valid_hours);
    json_builder_set_member_name (b, "cleared");
    json_builder_add_int_value (b, list->cleared->len);
    json_builder_set_member_name (b, "watch");
    json_builder_add_int_value (b, list->watch->len);
    json_builder_set_member_name (b, "files");
    json_builder_begin_object (b);
    for (gsize i = 0; i < n; i++) {
        json_builder_set_member_name (b, files[i].name);
        json_builder_add_string_value (b, files[i].sha256);
    }
    json_builder_end_object (b);
    json_builder_end_object (b);
    payload = json_builder_get_root (b);
    if (!kikan_store_begin (store, error))
        return FALSE;
    if (!kikan_audit_append (store, "netlist_export", 0, payload, error)
        || !kikan_store_commit (store, error)) {
        kikan_store_rollback (store);
        return FALSE;
    }
    return TRUE;
}

KikanNetlistExport *
kikan_netlist_export (KikanStore *store, const char *dir, guint valid_hours, GError **error)
{
    g_autoptr (KikanNetlist) list = NULL;
    g_autoptr (KikanNetlistExport) out = g_new0 (KikanNetlistExport, 1);
    g_autoptr (GString) sums = g_string_new (NULL);
    g_autofree char *kiosk_id = NULL;
    g_autofree char *sig_hex = NULL;
    guint8 pk[KIKAN_AUDIT_PUBLIC_KEY_LEN];
    guint8 sig[KIKAN_AUDIT_SIGNATURE_LEN];
    OutFile files[6] = {
        { KIKAN_NETLIST_CLEARED_CSV, NULL, NULL }, { KIKAN_NETLIST_WATCH_CSV, NULL, NULL },
        { KIKAN_NETLIST_JSON, NULL, NULL },        { KIKAN_NETLIST_SUMS, NULL, NULL },
        { KIKAN_NETLIST_SIG, NULL, NULL },         { KIKAN_NETLIST_PUBKEY, NULL, NULL },
    };
    KikanNetlistExport *ret = NULL;
    gsize written = 0;

    g_return_val_if_fail (store != NULL && dir != NULL, NULL);
    if (!kikan_audit_identity (store, &kiosk_id, pk, error)) {
        if (error != NULL && *error == NULL)
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND,
                         "This kiosk has no audit identity yet, so the lists cannot be signed: "
                         "nothing was exported. Run “kikan audit init” first (docs/audit.md).");
        return NULL;
    }
    if ((list = kikan_netlist_build (store, valid_hours, error)) == NULL)
        return NULL;
    files[0].data = kikan_netlist_to_csv (list->cleared);
    files[1].data = kikan_netlist_to_csv (list->watch);
    files[2].data = kikan_netlist_to_json (list, kiosk_id);
    for (gsize i = 0; i < 3; i++) {
        files[i].sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, files[i].data);
        g_string_append_printf (sums, "%s  %s\n", files[i].sha256, files[i].name);
    }
    files[3].data = g_bytes_new (sums->str, sums->len);
    if (!kikan_audit_sign (store, (const guint8 *)sums->str, sums->len, sig, error))
        goto out;
    sig_hex = kikan_escape_to_hex ((const char *)sig, sizeof sig);
    out->public_key_hex = kikan_escape_to_hex ((const char *)pk, sizeof pk);
    {
        g_autofree char *s = g_strconcat (sig_hex, "\n", NULL);
        g_autofree char *k = g_strconcat (out->public_key_hex, "\n", NULL);

        files[4].data = g_bytes_new (s, strlen (s));
        files[5].data = g_bytes_new (k, strlen (k));
    }
    for (gsize i = 3; i < G_N_ELEMENTS (files); i++)
        files[i].sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, files[i].data);
    if (!prepare_dir (dir, files, G_N_ELEMENTS (files), error))
        goto out;
    for (written = 0; written < G_N_ELEMENTS (files); written++)
        if (!write_file (dir, &files[written], error))
            goto undo;
    if (!record (store, dir, list, files, G_N_ELEMENTS (files), error)) {
        g_prefix_error (error, "The export was not recorded in the audit trail, so its files "
                               "were removed again: ");
        goto undo;
    }
    out->n_cleared = list->cleared->len;
    out->n_watch = list->watch->len;
    out->sums_sha256 = g_strdup (files[3].sha256);
    ret = g_steal_pointer (&out);
    goto out;

undo:
    remove_files (dir, files, written);
out:
    for (gsize i = 0; i < G_N_ELEMENTS (files); i++) {
        g_clear_pointer (&files[i].data, g_bytes_unref);
        g_free (files[i].sha256);
    }
    return ret;
}
