/* Kikan kiosk: the audit bundle (bundle-private.h). */
#include "bundle-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>
#include <sqlite3.h>

#include "audit-export-private.h"
#include "audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "seal-private.h"
#include "verifier-private.h"

const KikanAuditBundleLimits kikan_audit_bundle_default_limits = {
    .max_members = 100000,
    .max_member_bytes = 512u * 1024 * 1024,
    .max_total_bytes = 2048ull * 1024 * 1024,
    .max_name_len = 200,
};

/* ================================================================ writing */

typedef struct {
    struct archive *a;
    gint64 mtime;
    JsonBuilder *manifest; /* inside the "members" array */
    GError **error;
} Writer;

static gboolean
add_member (Writer *w, const char *name, const void *data, gsize len)
{
    struct archive_entry *e = archive_entry_new ();
    g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
    gboolean ok;

    archive_entry_set_pathname (e, name);
    archive_entry_set_size (e, (la_int64_t)len);
    archive_entry_set_filetype (e, AE_IFREG);
    archive_entry_set_perm (e, 0644);
    archive_entry_set_mtime (e, (time_t)w->mtime, 0);
    ok = archive_write_header (w->a, e) == ARCHIVE_OK
         && (len == 0 || archive_write_data (w->a, data, len) == (la_ssize_t)len);
    archive_entry_free (e);
    if (!ok) {
        g_set_error (w->error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Could not write %s into the bundle: %s.", name,
                     archive_error_string (w->a) != NULL ? archive_error_string (w->a) : "?");
        return FALSE;
    }
    if (w->manifest != NULL) {
        json_builder_begin_object (w->manifest);
        json_builder_set_member_name (w->manifest, "name");
        json_builder_add_string_value (w->manifest, name);
        json_builder_set_member_name (w->manifest, "sha256");
        json_builder_add_string_value (w->manifest, sum);
        json_builder_set_member_name (w->manifest, "size");
        json_builder_add_int_value (w->manifest, (gint64)len);
        json_builder_end_object (w->manifest);
    }
    return TRUE;
}

static void
append_json_line (GString *out, JsonNode *node)
{
    g_autofree char *text = json_to_string (node, FALSE);

    g_string_append (out, text);
    g_string_append_c (out, '\n');
}

static gboolean
collect_record (const KikanAuditRow *row, gpointer user_data, GError **error)
{
    g_autoptr (JsonNode) node = kikan_audit_row_to_json (row);

    (void)error;
    if (!row->typed_as_written)
        json_object_set_boolean_member (json_node_get_object (node), "typed_as_written", FALSE);
    append_json_line (user_data, node);
    return TRUE;
}

/* Every row of @sql as one JSON object a line, columns by name; *n counts
 * them. */
static gboolean
collect_table (KikanStore *store, const char *sql, GString *out, gint64 *n, GError **error)
{
    sqlite3_stmt *st = kikan_store_prepare (store, sql, error);
    int rc;

    *n = 0;
    if (st == NULL)
        return FALSE;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) node = NULL;

        json_builder_begin_object (b);
        for (int c = 0; c < sqlite3_column_count (st); c++) {
            const char *name = sqlite3_column_name (st, c);

            switch (sqlite3_column_type (st, c)) {
            case SQLITE_INTEGER:
                json_builder_set_member_name (b, name);
                json_builder_add_int_value (b, sqlite3_column_int64 (st, c));
                break;
            case SQLITE_NULL:
                json_builder_set_member_name (b, name);
                json_builder_add_null_value (b);
                break;
            default:
                kikan_json_add_hostile_string (b, name, (const char *)sqlite3_column_text (st, c));
            }
        }
        json_builder_end_object (b);
        node = json_builder_get_root (b);
        append_json_line (out, node);
        (*n)++;
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the store for the bundle", error);
    return TRUE;
}

/* A file under @home named by the store (hostile): relative, no "..",
 * not a link, a regular file of at most @max bytes.  NULL (no error) when
 * it is not there. */
static GBytes *
read_home_file (const char *home, const char *rel, guint64 max)
{
    g_autofree char *path = NULL;
    g_autofree char *buf = NULL;
    struct stat st;
    gsize got = 0;
    int fd;

    if (rel == NULL || rel[0] == '\0' || rel[0] == '/' || strstr (rel, "..") != NULL)
        return NULL;
    path = g_build_filename (home, rel, NULL);
    if ((fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return NULL;
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || (guint64)st.st_size > max) {
        close (fd);
        return NULL;
    }
    buf = g_malloc ((gsize)st.st_size + 1);
    while (got < (gsize)st.st_size) {
        ssize_t r = read (fd, buf + got, (gsize)st.st_size - got);

        if (r <= 0)
            break;
        got += (gsize)r;
    }
    close (fd);
    if (got != (gsize)st.st_size)
        return NULL;
    return g_bytes_new_take (g_steal_pointer (&buf), got);
}

static gboolean
add_slips (Writer *w, KikanStore *store, const char *home, KikanAuditBundleSummary *sum,
           GError **error)
{
    g_autoptr (GString) lines = g_string_new (NULL);
    g_autoptr (GPtrArray) pdfs = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
    g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
    sqlite3_stmt *st = kikan_store_prepare (store, "SELECT * FROM slips ORDER BY id", error);
    int rc;

    if (st == NULL)
        return FALSE;
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) node = NULL;
        g_autoptr (GBytes) pdf = NULL;
        const char *pdf_path = NULL;
        gint64 id = 0;

        json_builder_begin_object (b);
        for (int c = 0; c < sqlite3_column_count (st); c++) {
            const char *name = sqlite3_column_name (st, c);

            if (strcmp (name, "id") == 0)
                id = sqlite3_column_int64 (st, c);
            if (strcmp (name, "pdf_path") == 0)
                pdf_path = (const char *)sqlite3_column_text (st, c);
            if (sqlite3_column_type (st, c) == SQLITE_INTEGER) {
                json_builder_set_member_name (b, name);
                json_builder_add_int_value (b, sqlite3_column_int64 (st, c));
            } else if (sqlite3_column_type (st, c) == SQLITE_NULL) {
                json_builder_set_member_name (b, name);
                json_builder_add_null_value (b);
            } else {
                kikan_json_add_hostile_string (b, name, (const char *)sqlite3_column_text (st, c));
            }
        }
        pdf = read_home_file (home, pdf_path, kikan_audit_bundle_default_limits.max_member_bytes);
        json_builder_set_member_name (b, "member");
        if (pdf != NULL) {
            char *member = g_strdup_printf ("slips/%" G_GINT64_FORMAT ".pdf", id);

            json_builder_add_string_value (b, member);
            g_ptr_array_add (names, member);
            g_ptr_array_add (pdfs, g_bytes_ref (pdf));
            sum->pdfs++;
        } else {
            json_builder_add_null_value (b);
            sum->pdfs_missing++;
        }
        json_builder_end_object (b);
        node = json_builder_get_root (b);
        append_json_line (lines, node);
        sum->slips++;
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the slips for the bundle", error);
    if (!add_member (w, "slips.jsonl", lines->str, lines->len))
        return FALSE;
    for (guint i = 0; i < pdfs->len; i++) {
        gsize len;
        const void *data = g_bytes_get_data (g_ptr_array_index (pdfs, i), &len);

        if (!add_member (w, g_ptr_array_index (names, i), data, len))
            return FALSE;
    }
    return TRUE;
}

static gboolean
write_archive (KikanStore *store, const char *home, int fd, const char *compression,
               KikanAuditBundleSummary *sum, GError **error)
{
    g_autoptr (GString) records = g_string_new (NULL);
    g_autoptr (GString) seals = g_string_new (NULL);
    g_autoptr (GString) identity = g_string_new (NULL);
    g_autoptr (JsonBuilder) m = json_builder_new ();
    g_autoptr (JsonNode) manifest_node = NULL;
    g_autofree char *manifest = NULL;
    g_autofree char *now = kikan_store_now_iso ();
    g_autofree char *kiosk_id = kikan_audit_export_kiosk_id (store);
    gint64 n_identity = 0, head_seq = 0;
    char head_hash[65] = { 0 };
    guint8 sig[KIKAN_AUDIT_SIGNATURE_LEN];
    g_autoptr (GError) sign_error = NULL;
    Writer w = { NULL, kikan_store_now_unix (), m, error };
    gboolean ok = FALSE;

    if (!kikan_audit_query_foreach (store, NULL, collect_record, records, &sum->records, error)
        || !collect_table (store, "SELECT * FROM audit_seals ORDER BY epoch", seals, &sum->seals,
                           error)
        || !collect_table (store,
                           "SELECT kiosk_id, created_at, public_key, seal_key_id "
                           "FROM audit_identity",
                           identity, &n_identity, error)
        || !kikan_audit_head (store, &head_seq, head_hash, error))
        return FALSE;
    w.a = archive_write_new ();
    if (archive_write_set_format_pax_restricted (w.a) != ARCHIVE_OK
        || (g_strcmp0 (compression, "xz") == 0 ? archive_write_add_filter_xz (w.a)
                                               : archive_write_add_filter_gzip (w.a))
               != ARCHIVE_OK
        || archive_write_open_fd (w.a, fd) != ARCHIVE_OK) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Could not start the bundle: %s.",
                     archive_error_string (w.a) != NULL ? archive_error_string (w.a) : "?");
        goto out;
    }
    json_builder_begin_object (m);
    json_builder_set_member_name (m, "format");
    json_builder_add_string_value (m, KIKAN_AUDIT_BUNDLE_FORMAT);
    json_builder_set_member_name (m, "version");
    json_builder_add_int_value (m, KIKAN_AUDIT_BUNDLE_VERSION);
    json_builder_set_member_name (m, "created_at");
    json_builder_add_string_value (m, now);
    kikan_json_add_hostile_string (m, "kiosk_id", kiosk_id);
    json_builder_set_member_name (m, "members");
    json_builder_begin_array (m);
    if (!add_member (&w, "records.jsonl", records->str, records->len)
        || !add_member (&w, "seals.jsonl", seals->str, seals->len))
        goto out;
    if (n_identity == 1) {
        /* One object, not a line: strip the newline collect_table wrote. */
        g_string_truncate (identity, identity->len - 1);
        if (!add_member (&w, "identity.json", identity->str, identity->len))
            goto out;
    }
    if (!add_slips (&w, store, home, sum, error))
        goto out;
    json_builder_end_array (m);
    json_builder_set_member_name (m, "counts");
    json_builder_begin_object (m);
    json_builder_set_member_name (m, "records");
    json_builder_add_int_value (m, sum->records);
    json_builder_set_member_name (m, "seals");
    json_builder_add_int_value (m, sum->seals);
    json_builder_set_member_name (m, "slips");
    json_builder_add_int_value (m, sum->slips);
    json_builder_end_object (m);
    json_builder_set_member_name (m, "head");
    json_builder_begin_object (m);
    json_builder_set_member_name (m, "seq");
    json_builder_add_int_value (m, head_seq);
    kikan_json_add_hostile_string (m, "hash", head_hash);
    json_builder_end_object (m);
    json_builder_set_member_name (m, "initialised");
    json_builder_add_boolean_value (m, n_identity == 1);
    json_builder_end_object (m);
    manifest_node = json_builder_get_root (m);
    manifest = json_to_string (manifest_node, TRUE);
    w.manifest = NULL;
    if (!add_member (&w, "manifest.json", manifest, strlen (manifest)))
        goto out;
    if (kikan_audit_sign (store, (const guint8 *)manifest, strlen (manifest), sig, &sign_error)) {
        char hex[2 * KIKAN_AUDIT_SIGNATURE_LEN + 2];

        sodium_bin2hex (hex, sizeof hex - 1, sig, sizeof sig);
        strcat (hex, "\n");
        if (!add_member (&w, "manifest.sig", hex, strlen (hex)))
            goto out;
        sum->signed_ = TRUE;
    } else if (!g_error_matches (sign_error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND)) {
        g_propagate_error (error, g_steal_pointer (&sign_error));
        goto out;
    }
    if (archive_write_close (w.a) != ARCHIVE_OK) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Could not finish the bundle: %s.",
                     archive_error_string (w.a) != NULL ? archive_error_string (w.a) : "?");
        goto out;
    }
    ok = TRUE;
out:
    archive_write_free (w.a);
    return ok;
}

gboolean
kikan_audit_bundle_write (KikanStore *store, const char *home, const char *path,
                          const char *compression, KikanAuditBundleSummary *out, GError **error)
{
    g_autofree char *shown = kikan_escape_for_display (path, -1);
    g_autofree char *data = NULL;
    gsize len = 0;
    gboolean ok;
    int fd;

    memset (out, 0, sizeof *out);
    fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Could not create %s: %s. A bundle is never written over an existing "
                     "file: choose a new name.",
                     shown, g_strerror (errno));
        return FALSE;
    }
    /* One snapshot of the store: records, seals and slips agree. */
    ok = kikan_store_exec (store, "BEGIN", error);
    if (ok) {
        ok = write_archive (store, home, fd, compression, out, error);
        kikan_store_rollback (store);
    }
    if (ok && fsync (fd) != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Could not write %s: %s.", shown,
                     g_strerror (errno));
        ok = FALSE;
    }
    close (fd);
    if (ok && !g_file_get_contents (path, &data, &len, error))
        ok = FALSE;
    if (!ok) {
        unlink (path);
        return FALSE;
    }
    {
        g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                            (const guchar *)data, len);

        g_strlcpy (out->sha256, sum, sizeof out->sha256);
    }
    if (!kikan_store_begin (store, error))
        return FALSE;
    if (!kikan_audit_export_record (store, "bundle", NULL, path, out->records, out->sha256,
                                    error)) {
        kikan_store_rollback (store);
        return FALSE;
    }
    return kikan_store_commit (store, error);
}

/* ================================================================ reading */

struct KikanAuditBundle {
    GHashTable *members;       /* name -> GBytes */
    JsonNode *manifest;
    GArray *records;           /* KikanAuditRow */
    GPtrArray *seals;          /* JsonObject (ref) */
    GPtrArray *slips;          /* JsonObject (ref) */
    JsonObject *identity;      /* NULL: none */
    guint8 public_key[32];
};

void
kikan_audit_bundle_free (KikanAuditBundle *b)
{
    if (b == NULL)
        return;
    g_clear_pointer (&b->members, g_hash_table_unref);
    g_clear_pointer (&b->manifest, json_node_unref);
    if (b->records != NULL) {
        for (guint i = 0; i < b->records->len; i++)
            kikan_audit_row_clear (&g_array_index (b->records, KikanAuditRow, i));
        g_array_unref (b->records);
    }
    g_clear_pointer (&b->seals, g_ptr_array_unref);
    g_clear_pointer (&b->slips, g_ptr_array_unref);
    g_clear_pointer (&b->identity, json_object_unref);
    g_free (b);
}

static gboolean
fail_verify (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail_verify (GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *m = NULL;

    va_start (ap, fmt);
    m = g_strdup_vprintf (fmt, ap);
    va_end (ap);
    g_set_error_literal (error, KIKAN_ERROR, KIKAN_ERROR_VERIFY, m);
    return FALSE;
}

static gboolean
is_slip_member (const char *name)
{
    const char *p = name + strlen ("slips/");

    if (!g_str_has_prefix (name, "slips/") || !g_ascii_isdigit (*p) || *p == '0')
        return FALSE;
    while (g_ascii_isdigit (*p))
        p++;
    return strcmp (p, ".pdf") == 0 && p - name <= 6 + 18;
}

static gboolean
known_member (const char *name)
{
    static const char *const fixed[] = { "records.jsonl", "seals.jsonl",   "identity.json",
                                         "slips.jsonl",   "manifest.json", "manifest.sig" };

    for (gsize i = 0; i < G_N_ELEMENTS (fixed); i++)
        if (strcmp (name, fixed[i]) == 0)
            return TRUE;
    return is_slip_member (name);
}

/* Refuses what no Kikan bundle holds and what would be dangerous to
 * extract: absolute paths, "..", empty components, odd bytes. */
static gboolean
check_name (const char *name, gsize max, GError **error)
{
    g_autofree char *shown = kikan_escape_for_display (name != NULL ? name : "", -1);
    g_auto (GStrv) parts = NULL;

    if (name == NULL || name[0] == '\0')
        return fail_verify (error, "the bundle holds a member without a name: it was not "
                                   "written by Kikan");
    if (strlen (name) > max)
        return fail_verify (error, "the bundle holds a member with a name over %" G_GSIZE_FORMAT
                                   " bytes: it was not written by Kikan",
                            max);
    if (name[0] == '/')
        return fail_verify (error, "the bundle holds a member with an absolute path (%s): it "
                                   "was not written by Kikan, and nothing was extracted",
                            shown);
    parts = g_strsplit (name, "/", -1);
    for (char **p = parts; *p != NULL; p++)
        if (strcmp (*p, "..") == 0 || strcmp (*p, ".") == 0 || (*p)[0] == '\0')
            return fail_verify (error, "the bundle holds a member whose path leaves its folder "
                                       "or is not plain (%s): it was not written by Kikan, and "
                                       "nothing was extracted",
                                shown);
    for (const char *c = name; *c != '\0'; c++)
        if (!g_ascii_isalnum (*c) && *c != '.' && *c != '_' && *c != '-' && *c != '/')
            return fail_verify (error, "the bundle holds a member with an unexpected name (%s): "
                                       "it was not written by Kikan",
                                shown);
    if (!known_member (name))
        return fail_verify (error, "the bundle holds a member Kikan does not write (%s): it "
                                   "was added after the export",
                            shown);
    return TRUE;
}

static gboolean
read_members (KikanAuditBundle *b, const void *data, gsize len, const KikanAuditBundleLimits *lim,
              GError **error)
{
    struct archive *a = archive_read_new ();
    struct archive_entry *e;
    guint64 total = 0;
    guint count = 0;
    gboolean ok = FALSE;
    int r;

    archive_read_support_format_tar (a);
    archive_read_support_filter_gzip (a);
    archive_read_support_filter_xz (a);
    if (archive_read_open_memory (a, data, len) != ARCHIVE_OK) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "This is not a Kikan audit bundle (a tar archive, gzip or xz): %s.",
                     archive_error_string (a) != NULL ? archive_error_string (a) : "unreadable");
        goto out;
    }
    while ((r = archive_read_next_header (a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname (e);
        g_autofree char *shown = kikan_escape_for_display (name != NULL ? name : "", -1);
        g_autoptr (GByteArray) buf = g_byte_array_new ();
        guint8 chunk[65536];
        la_ssize_t n;

        if (++count > lim->max_members) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                         "The bundle holds more than %u members: too many to check.",
                         lim->max_members);
            goto out;
        }
        if (!check_name (name, lim->max_name_len, error))
            goto out;
        if (archive_entry_filetype (e) != AE_IFREG || archive_entry_hardlink (e) != NULL
            || archive_entry_symlink (e) != NULL) {
            fail_verify (error, "the bundle member %s is a link, device or folder, not a file: "
                                "it was not written by Kikan, and nothing was extracted",
                         shown);
            goto out;
        }
        if (g_hash_table_contains (b->members, name)) {
            fail_verify (error, "the bundle holds %s twice: it was changed after the export",
                         shown);
            goto out;
        }
        if (archive_entry_size_is_set (e)
            && (guint64)archive_entry_size (e) > lim->max_member_bytes) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                         "The bundle member %s is larger than %" G_GUINT64_FORMAT
                         " bytes: too large to check.",
                         shown, lim->max_member_bytes);
            goto out;
        }
        while ((n = archive_read_data (a, chunk, sizeof chunk)) > 0) {
            total += (guint64)n;
            if (buf->len + (guint64)n > lim->max_member_bytes || total > lim->max_total_bytes) {
                g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                             "The bundle is larger than the limits (%" G_GUINT64_FORMAT
                             " bytes a member, %" G_GUINT64_FORMAT " in all): too large to "
                             "check.",
                             lim->max_member_bytes, lim->max_total_bytes);
                goto out;
            }
            g_byte_array_append (buf, chunk, (guint)n);
        }
        if (n < 0) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                         "The bundle cannot be read at member %s: %s.", shown,
                         archive_error_string (a) != NULL ? archive_error_string (a) : "?");
            goto out;
        }
        g_hash_table_insert (b->members, g_strdup (name),
                             g_byte_array_free_to_bytes (g_steal_pointer (&buf)));
    }
    if (r != ARCHIVE_EOF) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "The bundle cannot be read (truncated or not a tar archive): %s.",
                     archive_error_string (a) != NULL ? archive_error_string (a) : "?");
        goto out;
    }
    ok = TRUE;
out:
    archive_read_free (a);
    return ok;
}

/* JSON that two readers could read differently is refused: a member
 * named twice (json-glib keeps the last, others the first) and a \u0000
 * escape (the string ends there for C, not for others). */
static void
count_member (JsonParser *parser, JsonObject *object, const char *name, gpointer data)
{
    GHashTable *counts = data;

    (void)parser;
    (void)name;
    g_hash_table_insert (counts, object,
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, object))
                                           + 1));
}

static gboolean
has_nul_escape (const char *data, gsize len)
{
    for (gsize i = 0; i + 5 < len; i++) {
        gsize backslashes = 0;

        if (data[i] != '\\' || g_ascii_strncasecmp (data + i + 1, "u0000", 5) != 0)
            continue;
        for (gsize j = i; j > 0 && data[j - 1] == '\\'; j--)
            backslashes++;
        if (backslashes % 2 == 0)
            return TRUE;
    }
    return FALSE;
}

static JsonNode *
parse_json (GBytes *bytes, const char *member, guint line, GError **error)
{
    g_autoptr (JsonParser) p = json_parser_new ();
    g_autoptr (GError) local = NULL;
    g_autoptr (GHashTable) counts = g_hash_table_new (NULL, NULL);
    GHashTableIter it;
    gpointer object, count;
    gsize len;
    const char *data = g_bytes_get_data (bytes, &len);

    if (!g_utf8_validate (data, (gssize)len, NULL) || memchr (data, '\0', len) != NULL
        || has_nul_escape (data, len)) {
        fail_verify (error, "%s line %u is not UTF-8 text without NUL", member, line);
        return NULL;
    }
    g_signal_connect (p, "object-member", G_CALLBACK (count_member), counts);
    if (!json_parser_load_from_data (p, data, (gssize)len, &local)
        || json_parser_get_root (p) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p))) {
        g_autofree char *why
            = kikan_escape_for_display (local != NULL ? local->message : "not an object", -1);

        fail_verify (error, "%s line %u is not a JSON object (%s)", member, line, why);
        return NULL;
    }
    g_hash_table_iter_init (&it, counts);
    while (g_hash_table_iter_next (&it, &object, &count))
        if (GPOINTER_TO_UINT (count) != json_object_get_size (object)) {
            fail_verify (error, "%s line %u names a member twice (two readers would read it "
                         "differently)", member, line);
            return NULL;
        }
    return json_node_copy (json_parser_get_root (p));
}

/* Each line of @member as a JSON object, passed to @each. */
static gboolean
each_line (KikanAuditBundle *b, const char *member, gboolean required,
           gboolean (*each) (KikanAuditBundle *, JsonObject *, guint, GError **), GError **error)
{
    GBytes *bytes = g_hash_table_lookup (b->members, member);
    gsize len;
    const char *data;
    guint line = 0;

    if (bytes == NULL)
        return required ? fail_verify (error, "the bundle has no %s: it was removed", member)
                        : TRUE;
    data = g_bytes_get_data (bytes, &len);
    for (gsize at = 0; at < len;) {
        const char *nl = memchr (data + at, '\n', len - at);
        gsize end = nl != NULL ? (gsize)(nl - data) : len;
        g_autoptr (GBytes) piece = g_bytes_new_from_bytes (bytes, at, end - at);
        g_autoptr (JsonNode) node = NULL;

        line++;
        if (nl == NULL)
            return fail_verify (error, "%s line %u does not end with a line break (cut short?)",
                                member, line);
        if ((node = parse_json (piece, member, line, error)) == NULL
            || !each (b, json_node_get_object (node), line, error))
            return FALSE;
        at = end + 1;
    }
    return TRUE;
}

static const char *
opt_string (JsonObject *o, const char *m, gboolean *ok)
{
    JsonNode *n = json_object_get_member (o, m);

    if (n == NULL || JSON_NODE_HOLDS_NULL (n))
        return NULL;
    if (json_node_get_value_type (n) != G_TYPE_STRING) {
        *ok = FALSE;
        return NULL;
    }
    return json_node_get_string (n);
}

static gboolean
get_int (JsonObject *o, const char *m, gboolean nullable, gint64 *out)
{
    JsonNode *n = json_object_get_member (o, m);

    *out = 0;
    if (n == NULL)
        return FALSE;
    if (JSON_NODE_HOLDS_NULL (n))
        return nullable;
    if (json_node_get_value_type (n) != G_TYPE_INT64)
        return FALSE;
    *out = json_node_get_int (n);
    return TRUE;
}

static gboolean
add_record (KikanAuditBundle *b, JsonObject *o, guint line, GError **error)
{
    KikanAuditRow r = { 0 };
    gboolean ok = TRUE;
    const char *at = opt_string (o, "at", &ok), *kind = opt_string (o, "kind", &ok);
    const char *payload = opt_string (o, "payload", &ok);
    const char *prev = opt_string (o, "prev_hash", &ok), *hash = opt_string (o, "hash", &ok);
    const char *mac = opt_string (o, "mac", &ok);

    if (!get_int (o, "seq", FALSE, &r.seq) || !get_int (o, "session_id", TRUE, &r.session_id)
        || !ok || at == NULL || kind == NULL || payload == NULL || prev == NULL || hash == NULL)
        return fail_verify (error, "records.jsonl line %u is not a whole record (seq, at, kind, "
                                   "session_id, payload, prev_hash, hash, mac)",
                            line);
    r.at = g_strdup (at);
    r.kind = g_strdup (kind);
    r.payload = g_strdup (payload);
    r.prev_hash = g_strdup (prev);
    r.hash = g_strdup (hash);
    r.mac = g_strdup (mac);
    r.typed_as_written = !json_object_has_member (o, "typed_as_written")
                         || json_object_get_boolean_member_with_default (o, "typed_as_written",
                                                                         FALSE);
    g_array_append_val (b->records, r);
    return TRUE;
}

static gboolean
add_seal (KikanAuditBundle *b, JsonObject *o, guint line, GError **error)
{
    static const char *const strings[]
        = { "head_hash", "at", "why", "prev_mac", "mac", "signature" };
    gint64 v;

    if (!get_int (o, "epoch", FALSE, &v) || !get_int (o, "seq", FALSE, &v))
        return fail_verify (error, "seals.jsonl line %u is not a whole seal", line);
    for (gsize i = 0; i < G_N_ELEMENTS (strings); i++) {
        gboolean ok = TRUE;

        if (opt_string (o, strings[i], &ok) == NULL || !ok)
            return fail_verify (error, "seals.jsonl line %u is not a whole seal (%s)", line,
                                strings[i]);
    }
    g_ptr_array_add (b->seals, json_object_ref (o));
    return TRUE;
}

static gboolean
add_slip (KikanAuditBundle *b, JsonObject *o, guint line, GError **error)
{
    gboolean ok = TRUE;
    const char *member = opt_string (o, "member", &ok);
    const char *sum = opt_string (o, "pdf_sha256", &ok);
    gint64 id;

    if (!get_int (o, "id", FALSE, &id) || !ok || sum == NULL
        || (member != NULL && !is_slip_member (member)))
        return fail_verify (error, "slips.jsonl line %u is not a whole slip", line);
    g_ptr_array_add (b->slips, json_object_ref (o));
    return TRUE;
}

/* Every member but the manifest and its signature is listed in the
 * manifest with its SHA-256 and size, and every listed member is there. */
static gboolean
check_manifest (KikanAuditBundle *b, GError **error)
{
    GBytes *bytes = g_hash_table_lookup (b->members, "manifest.json");
    g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
    JsonObject *m;
    JsonArray *members;
    GHashTableIter it;
    gpointer key;

    if (bytes == NULL)
        return fail_verify (error, "the bundle has no manifest.json: it is not a whole bundle");
    if ((b->manifest = parse_json (bytes, "manifest.json", 1, error)) == NULL)
        return FALSE;
    m = json_node_get_object (b->manifest);
    if (g_strcmp0 (json_object_get_string_member_with_default (m, "format", ""),
                   KIKAN_AUDIT_BUNDLE_FORMAT)
            != 0
        || json_object_get_int_member_with_default (m, "version", 0) != KIKAN_AUDIT_BUNDLE_VERSION
        || !json_object_has_member (m, "members")
        || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (m, "members")))
        return fail_verify (error, "manifest.json is not a version %d Kikan bundle manifest",
                            KIKAN_AUDIT_BUNDLE_VERSION);
    members = json_object_get_array_member (m, "members");
    for (guint i = 0; i < json_array_get_length (members); i++) {
        JsonNode *n = json_array_get_element (members, i);
        JsonObject *e = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
        const char *name = e != NULL ? json_object_get_string_member_with_default (e, "name", NULL)
                                     : NULL;
        const char *want = e != NULL
                               ? json_object_get_string_member_with_default (e, "sha256", NULL)
                               : NULL;
        g_autofree char *shown = kikan_escape_for_display (name != NULL ? name : "", -1);
        GBytes *have;
        g_autofree char *sum = NULL;

        if (name == NULL || want == NULL || strcmp (name, "manifest.json") == 0
            || strcmp (name, "manifest.sig") == 0 || !g_hash_table_add (listed, (char *)name))
            return fail_verify (error, "manifest.json entry %u is not a member's name and "
                                       "SHA-256 (or names one twice)",
                                i + 1);
        if ((have = g_hash_table_lookup (b->members, name)) == NULL)
            return fail_verify (error, "member %s is listed in manifest.json but missing from "
                                       "the bundle: it was removed",
                                shown);
        sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, have);
        if (g_ascii_strcasecmp (sum, want) != 0)
            return fail_verify (error, "member %s does not match its SHA-256 in manifest.json: "
                                       "it was changed after the export",
                                shown);
    }
    g_hash_table_iter_init (&it, b->members);
    while (g_hash_table_iter_next (&it, &key, NULL))
        if (strcmp (key, "manifest.json") != 0 && strcmp (key, "manifest.sig") != 0
            && !g_hash_table_contains (listed, key)) {
            g_autofree char *shown = kikan_escape_for_display (key, -1);

            return fail_verify (error, "member %s is not listed in manifest.json: it was added "
                                       "after the export",
                                shown);
        }
    return TRUE;
}

static gboolean
read_identity (KikanAuditBundle *b, GError **error)
{
    GBytes *bytes = g_hash_table_lookup (b->members, "identity.json");
    g_autoptr (JsonNode) node = NULL;
    const char *pk;
    gboolean ok = TRUE;

    if (bytes == NULL)
        return TRUE;
    if ((node = parse_json (bytes, "identity.json", 1, error)) == NULL)
        return FALSE;
    b->identity = json_object_ref (json_node_get_object (node));
    pk = opt_string (b->identity, "public_key", &ok);
    if (!ok || pk == NULL || opt_string (b->identity, "kiosk_id", &ok) == NULL || !ok
        || strlen (pk) != 64
        || sodium_hex2bin (b->public_key, sizeof b->public_key, pk, 64, NULL, NULL, NULL) != 0)
        return fail_verify (error, "identity.json does not hold a kiosk ID and a public key");
    return TRUE;
}

KikanAuditBundle *
kikan_audit_bundle_read (const void *data, gsize len, const KikanAuditBundleLimits *limits,
                         GError **error)
{
    g_autoptr (KikanAuditBundle) b = g_new0 (KikanAuditBundle, 1);

    if (sodium_init () < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "The bundle cannot be checked (libsodium failed to start).");
        return NULL;
    }
    b->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_bytes_unref);
    b->records = g_array_new (FALSE, TRUE, sizeof (KikanAuditRow));
    b->seals = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
    b->slips = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
    if (!read_members (b, data, len, limits != NULL ? limits : &kikan_audit_bundle_default_limits,
                       error)
        || !check_manifest (b, error) || !read_identity (b, error)
        || !each_line (b, "records.jsonl", TRUE, add_record, error)
        || !each_line (b, "seals.jsonl", TRUE, add_seal, error)
        || !each_line (b, "slips.jsonl", FALSE, add_slip, error))
        return NULL;
    return g_steal_pointer (&b);
}

KikanAuditBundle *
kikan_audit_bundle_read_file (const char *path, GError **error)
{
    g_autofree char *data = NULL;
    g_autofree char *shown = kikan_escape_for_display (path, -1);
    struct stat st;
    gsize len;

    if (stat (path, &st) != 0 || !S_ISREG (st.st_mode)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Cannot read the bundle %s: %s.", shown,
                     errno != 0 ? g_strerror (errno) : "not a file");
        return NULL;
    }
    /* The compressed file is held whole; its members are limited again
     * as they are unpacked. */
    if ((guint64)st.st_size > kikan_audit_bundle_default_limits.max_total_bytes) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "The bundle %s is too large to check.",
                     shown);
        return NULL;
    }
    if (!g_file_get_contents (path, &data, &len, error))
        return NULL;
    return kikan_audit_bundle_read (data, len, NULL, error);
}

gint64
kikan_audit_bundle_n_records (KikanAuditBundle *b)
{
    return b->records->len;
}

gint64
kikan_audit_bundle_n_seals (KikanAuditBundle *b)
{
    return b->seals->len;
}

gint64
kikan_audit_bundle_n_slips (KikanAuditBundle *b)
{
    return b->slips->len;
}

const char *
kikan_audit_bundle_get_kiosk_id (KikanAuditBundle *b)
{
    return b->identity != NULL ? json_object_get_string_member (b->identity, "kiosk_id") : NULL;
}

const KikanAuditRow *
kikan_audit_bundle_get_record (KikanAuditBundle *b, guint i)
{
    g_return_val_if_fail (i < b->records->len, NULL);
    return &g_array_index (b->records, KikanAuditRow, i);
}

/* ================================================================ checking */

void
kikan_audit_bundle_report_clear (KikanAuditBundleReport *r)
{
    g_clear_pointer (&r->problem, g_free);
}

static void
problem (KikanAuditBundleReport *r, gint64 seq, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
problem (KikanAuditBundleReport *r, gint64 seq, const char *fmt, ...)
{
    va_list ap;

    if (r->problem != NULL)
        return;
    va_start (ap, fmt);
    r->problem = g_strdup_vprintf (fmt, ap);
    va_end (ap);
    r->first_bad = seq;
    r->intact = FALSE;
}

static void
check_signature (KikanAuditBundle *b, const guint8 *public_key, KikanAuditBundleReport *r)
{
    GBytes *manifest = g_hash_table_lookup (b->members, "manifest.json");
    GBytes *sig = g_hash_table_lookup (b->members, "manifest.sig");
    const guint8 *pk = public_key != NULL ? public_key : b->identity != NULL ? b->public_key : NULL;
    guint8 s[KIKAN_AUDIT_SIGNATURE_LEN];
    gsize sig_len, m_len;
    const char *sig_text;
    const guint8 *m;

    if (public_key != NULL && b->identity != NULL
        && sodium_memcmp (public_key, b->public_key, 32) != 0) {
        problem (r, 0, "identity.json names another public key than the one given: this bundle "
                       "is not from that kiosk, or its identity was replaced");
        return;
    }
    if (pk == NULL) {
        if (sig != NULL)
            problem (r, 0, "manifest.sig is there but identity.json is not: the identity was "
                           "removed");
        return;
    }
    if (sig == NULL) {
        problem (r, 0, "manifest.sig is missing: a kiosk with an audit identity signs every "
                       "bundle, so the signature was removed");
        return;
    }
    sig_text = g_bytes_get_data (sig, &sig_len);
    m = g_bytes_get_data (manifest, &m_len);
    if (sig_len < 2 * sizeof s
        || sodium_hex2bin (s, sizeof s, sig_text, sig_len, "\n", NULL, NULL) != 0
        || crypto_sign_verify_detached (s, m, m_len, pk) != 0) {
        problem (r, 0, "manifest.sig does not verify with the %s public key: the manifest was "
                       "changed or signed by another key",
                 public_key != NULL ? "given" : "bundle's");
        return;
    }
    r->manifest_signed = TRUE;
}

static void
check_slips (KikanAuditBundle *b, KikanAuditBundleReport *r)
{
    for (guint i = 0; i < b->slips->len; i++) {
        JsonObject *o = g_ptr_array_index (b->slips, i);
        const char *member = json_object_get_string_member_with_default (o, "member", NULL);
        const char *want = json_object_get_string_member (o, "pdf_sha256");
        gint64 id = json_object_get_int_member (o, "id");
        GBytes *pdf;
        g_autofree char *sum = NULL;

        if (member == NULL) {
            r->pdfs_missing++;
            continue;
        }
        if ((pdf = g_hash_table_lookup (b->members, member)) == NULL) {
            problem (r, 0, "slip %" G_GINT64_FORMAT "'s PDF is missing from the bundle", id);
            continue;
        }
        sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, pdf);
        if (g_ascii_strcasecmp (sum, want) != 0)
            problem (r, 0, "slip %" G_GINT64_FORMAT "'s PDF does not match its SHA-256 in "
                           "slips.jsonl: it was changed",
                     id);
        else
            r->pdfs_checked++;
    }
}

static void
check_counts (KikanAuditBundle *b, KikanAuditBundleReport *r)
{
    JsonObject *m = json_node_get_object (b->manifest);
    JsonNode *c = json_object_get_member (m, "counts");
    JsonObject *counts = c != NULL && JSON_NODE_HOLDS_OBJECT (c) ? json_node_get_object (c) : NULL;

    if (counts == NULL
        || json_object_get_int_member_with_default (counts, "records", -1) != r->records
        || json_object_get_int_member_with_default (counts, "seals", -1) != r->seals
        || json_object_get_int_member_with_default (counts, "slips", -1) != r->slips)
        problem (r, 0, "manifest.json counts other records, seals or slips than the bundle "
                       "holds");
}

/* The records and seals through the verifier the store's check uses
 * (verifier-private.h), with the bundle's identity. */
static void
check_chain (KikanAuditBundle *b, const guint8 *public_key, const guint8 *initial_key,
             KikanAuditBundleReport *r)
{
    const char *kiosk_id = kikan_audit_bundle_get_kiosk_id (b);
    const guint8 *pk = public_key != NULL ? public_key : b->identity != NULL ? b->public_key : NULL;
    KikanAuditVerifier *v = kikan_audit_verifier_new (kiosk_id, pk, initial_key);
    KikanAuditVerdict verdict;

    for (guint i = 0; i < b->records->len; i++) {
        const KikanAuditRow *row = &g_array_index (b->records, KikanAuditRow, i);
        KikanAuditRecordView view = {
            .seq = row->seq,
            .at = row->at,
            .kind = row->kind,
            .session_id = row->session_id,
            .payload = row->payload,
            .prev_hash = row->prev_hash,
            .hash = row->hash,
            .mac = row->mac,
            .typed_as_written = row->typed_as_written,
        };

        kikan_audit_verifier_add_record (v, &view);
    }
    for (guint i = 0; i < b->seals->len; i++) {
        JsonObject *o = g_ptr_array_index (b->seals, i);
        KikanAuditSealView view = {
            .epoch = json_object_get_int_member (o, "epoch"),
            .seq = json_object_get_int_member (o, "seq"),
            .head_hash = json_object_get_string_member (o, "head_hash"),
            .at = json_object_get_string_member (o, "at"),
            .why = json_object_get_string_member (o, "why"),
            .prev_mac = json_object_get_string_member (o, "prev_mac"),
            .mac = json_object_get_string_member (o, "mac"),
            .signature = json_object_get_string_member (o, "signature"),
            .typed_as_written = TRUE, /* add_seal refused any other type */
        };

        kikan_audit_verifier_add_seal (v, &view);
    }
    kikan_audit_verifier_finish (v, &verdict);
    r->chain_checked = TRUE;
    r->macs_checked = initial_key != NULL && verdict.seals_keyed;
    r->last_sealed_seq = verdict.last_sealed_seq;
    if (verdict.first_bad != 0)
        problem (r, verdict.first_bad, "%s", verdict.why != NULL ? verdict.why : "?");
    if (initial_key != NULL) {
        const char *have = b->identity != NULL
                               ? json_object_get_string_member_with_default (b->identity,
                                                                             "seal_key_id", NULL)
                               : NULL;
        char want[33];

        kikan_audit_key_id (initial_key, want);
        if (have == NULL)
            problem (r, 0, "you hold a verification key but the bundle has no kiosk identity "
                           "(identity.json): it was removed");
        else if (g_ascii_strcasecmp (have, want) != 0)
            problem (r, 0, "the verification key given does not belong to this bundle's kiosk: "
                           "it is another kiosk's key, or identity.json was replaced");
    }
    kikan_audit_verdict_clear (&verdict);
}

void
kikan_audit_bundle_check (KikanAuditBundle *b, const guint8 *public_key,
                          const guint8 *initial_key, KikanAuditBundleReport *out)
{
    memset (out, 0, sizeof *out);
    out->intact = TRUE;
    out->key_from_command_line = public_key != NULL;
    out->records = b->records->len;
    out->seals = b->seals->len;
    out->slips = b->slips->len;
    check_signature (b, public_key, out);
    check_counts (b, out);
    check_slips (b, out);
    check_chain (b, public_key, initial_key, out);
}
