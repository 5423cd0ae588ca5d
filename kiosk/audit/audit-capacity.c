/* Kikan kiosk: capacity of the store (audit-capacity-private.h; KR-32). */
#include "audit-capacity-private.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "audit-events-private.h"
#include "audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "test-seams-private.h"

void
kikan_audit_capacity_clear (KikanAuditCapacity *c)
{
    g_clear_pointer (&c->oldest, g_free);
    g_clear_pointer (&c->newest, g_free);
    g_clear_pointer (&c->warning_text, g_free);
}

gboolean
kikan_audit_capacity_load_min_free_mb (const char *conf_path, guint64 *min_free_mb,
                                       GError **error)
{
    g_autoptr (GKeyFile) kf = g_key_file_new ();
    g_autoptr (GError) local = NULL;
    g_auto (GStrv) keys = NULL;
    g_autofree char *shown = kikan_escape_for_display (conf_path, -1);

    *min_free_mb = KIKAN_AUDIT_MIN_FREE_MB_DEFAULT;
    if (!g_key_file_load_from_file (kf, conf_path, G_KEY_FILE_NONE, &local)) {
        if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return TRUE;
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG, "%s cannot be read: %s.", shown,
                     local->message);
        return FALSE;
    }
    if (!g_key_file_has_group (kf, "audit"))
        return TRUE;
    keys = g_key_file_get_keys (kf, "audit", NULL, NULL);
    for (char **k = keys; k != NULL && *k != NULL; k++) {
        g_autofree char *key = kikan_escape_for_display (*k, -1);
        g_autofree char *raw = NULL;
        char *end = NULL;
        guint64 v;

        if (strcmp (*k, "min_free_mb") != 0) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                         "%s: [audit] %s is not a setting (the one there is: min_free_mb).",
                         shown, key);
            return FALSE;
        }
        raw = g_key_file_get_value (kf, "audit", *k, NULL);
        errno = 0;
        v = raw != NULL && g_ascii_isdigit (raw[0]) ? g_ascii_strtoull (raw, &end, 10) : 0;
        if (raw == NULL || end == NULL || *end != '\0' || errno != 0 || v > 1024 * 1024 * 1024) {
            g_autofree char *value = kikan_escape_for_display (raw != NULL ? raw : "", -1);

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                         "%s: [audit] min_free_mb = \"%s\" is not a number of megabytes "
                         "(0 … 1073741824).",
                         shown, value);
            return FALSE;
        }
        *min_free_mb = v;
    }
    return TRUE;
}

static guint64
file_size (const char *path)
{
    struct stat st;

    return stat (path, &st) == 0 ? (guint64)st.st_size : 0;
}

static gboolean
free_space (const char *store_path, guint64 *out, GError **error)
{
    const char *seam = kikan_test_seam ("KIKAN_TEST_FREE_BYTES");
    g_autofree char *dir = g_path_get_dirname (store_path);
    struct statvfs vfs;

    if (seam != NULL && seam[0] != '\0') {
        char *end = NULL;

        *out = g_ascii_strtoull (seam, &end, 10);
        if (end == NULL || *end != '\0' || !g_ascii_isdigit (seam[0])) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                         "KIKAN_TEST_FREE_BYTES must be a number of bytes (tests only).");
            return FALSE;
        }
        return TRUE;
    }
    if (statvfs (dir, &vfs) != 0) {
        g_autofree char *shown = kikan_escape_for_display (dir, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Could not read the free space of %s: %s.", shown, g_strerror (errno));
        return FALSE;
    }
    *out = (guint64)vfs.f_bavail * (guint64)vfs.f_frsize;
    return TRUE;
}

/* Bytes of the regular files beneath @dir (0 when it does not exist).
 * Links are not followed: the archive is Kikan's own folder. */
static guint64
tree_size (const char *dir)
{
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    guint64 total = 0;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        GStatBuf st;

        if (g_lstat (path, &st) != 0)
            continue;
        if (S_ISDIR (st.st_mode))
            total += tree_size (path);
        else if (S_ISREG (st.st_mode))
            total += (guint64)st.st_size;
    }
    return total;
}

static double
parse_time (const char *t)
{
    g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
    g_autoptr (GDateTime) dt = t != NULL ? g_date_time_new_from_iso8601 (t, utc) : NULL;

    return dt != NULL ? (double)g_date_time_to_unix (dt) : -1;
}

gboolean
kikan_audit_capacity (KikanStore *store, guint64 min_free_mb, KikanAuditCapacity *out,
                      GError **error)
{
    const char *path = kikan_store_get_path (store);
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    sqlite3_stmt *st = kikan_store_prepare (
        store, "SELECT count(*), min(at), max(at) FROM audit_records", error);
    double first, last;

    memset (out, 0, sizeof *out);
    if (st == NULL)
        return FALSE;
    if (sqlite3_step (st) != SQLITE_ROW) {
        sqlite3_finalize (st);
        return kikan_store_fail (store, "Could not count the audit records", error);
    }
    out->records = sqlite3_column_int64 (st, 0);
    out->oldest = kikan_store_column_dup (st, 1);
    out->newest = kikan_store_column_dup (st, 2);
    sqlite3_finalize (st);
    if (!free_space (path, &out->free_bytes, error))
        return FALSE;
    out->store_bytes = file_size (path) + file_size (wal);
    {
        /* Every slip's PDF is archived beside the store and kept as long
         * as the records (KR-32): the growth that fills the disk is both.
         * The soak of issue #12 found the archive growing faster than the
         * store, unseen by this estimate. */
        g_autofree char *home = g_path_get_dirname (path);
        g_autofree char *slips = g_build_filename (home, "slips", NULL);

        out->archive_bytes = tree_size (slips);
    }
    out->min_free_bytes = min_free_mb * 1024 * 1024;
    first = parse_time (out->oldest);
    last = parse_time (out->newest);
    out->span_days = first >= 0 && last >= first ? (last - first) / 86400.0 : 0;
    out->days_until_full = -1;
    if (out->records > 0) {
        /* Under a day of history says little about a year: the growth is
         * then taken over one day, which overstates it (warns early). */
        out->bytes_per_day
            = (double)(out->store_bytes + out->archive_bytes) / MAX (out->span_days, 1.0);
        if (out->bytes_per_day > 0)
            out->days_until_full = (double)out->free_bytes / out->bytes_per_day;
    }
    if (out->free_bytes < out->min_free_bytes) {
        out->warning = TRUE;
        out->warning_text = g_strdup_printf (
            "only %" G_GUINT64_FORMAT " MB are free on the store's disk, under the %" G_GUINT64_FORMAT
            " MB of [audit] min_free_mb: records are never deleted, so move the store to a "
            "larger disk (or free space) before it fills, and export a bundle now",
            out->free_bytes / (1024 * 1024), min_free_mb);
    } else if (out->days_until_full >= 0 && out->days_until_full < KIKAN_AUDIT_MIN_DAYS) {
        out->warning = TRUE;
        out->warning_text = g_strdup_printf (
            "at the growth so far the store's disk is full in %.0f days, under a year: records "
            "are never deleted, so plan a larger disk and export a bundle now",
            out->days_until_full);
    }
    return TRUE;
}

gboolean
kikan_audit_capacity_record_warning (KikanStore *store, const KikanAuditCapacity *c,
                                     GError **error)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) payload = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "records");
    json_builder_add_int_value (b, c->records);
    json_builder_set_member_name (b, "store_bytes");
    json_builder_add_int_value (b, (gint64)c->store_bytes);
    json_builder_set_member_name (b, "free_bytes");
    json_builder_add_int_value (b, (gint64)c->free_bytes);
    json_builder_set_member_name (b, "days_until_full");
    json_builder_add_int_value (b, (gint64)c->days_until_full);
    kikan_json_add_hostile_string (b, "why", c->warning_text);
    json_builder_end_object (b);
    payload = json_builder_get_root (b);
    return kikan_audit_append (store, "capacity_warning", 0, payload, error);
}

gboolean
kikan_audit_note_kiosk_state (KikanHome *home, KikanStore *store, const char *policy_path,
                              char **warning, GError **error)
{
    g_autofree char *conf = kikan_home_dup_config_path (home);
    const char *files[] = { "kikan.conf", conf, "policy", policy_path, NULL };
    KikanAuditCapacity cap = { 0 };
    guint64 min_free_mb = KIKAN_AUDIT_MIN_FREE_MB_DEFAULT;
    g_autofree char *today = kikan_store_today ();
    gboolean ok = TRUE;

    *warning = NULL;
    if (!g_file_test (conf, G_FILE_TEST_EXISTS))
        files[1] = NULL;
    if (!kikan_audit_note_files (store, files, NULL, error)
        || !kikan_audit_capacity_load_min_free_mb (conf, &min_free_mb, error)
        || !kikan_audit_capacity (store, min_free_mb, &cap, error))
        return FALSE;
    if (cap.warning) {
        sqlite3_stmt *st;
        gboolean noted_today = FALSE;

        *warning = g_strdup (cap.warning_text);
        st = kikan_store_prepare (store,
                                  "SELECT 1 FROM audit_records WHERE kind = 'capacity_warning' "
                                  "AND substr(at, 1, 10) = ? LIMIT 1",
                                  error);
        if (st == NULL) {
            kikan_audit_capacity_clear (&cap);
            return FALSE;
        }
        kikan_store_bind_text (st, 1, today);
        noted_today = sqlite3_step (st) == SQLITE_ROW;
        sqlite3_finalize (st);
        if (!noted_today) {
            ok = kikan_store_begin (store, error)
                 && kikan_audit_capacity_record_warning (store, &cap, error)
                 && kikan_store_commit (store, error);
            if (!ok)
                kikan_store_rollback (store);
        }
    }
    kikan_audit_capacity_clear (&cap);
    return ok;
}
