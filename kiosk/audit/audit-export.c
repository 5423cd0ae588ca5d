/* Kikan kiosk: exporting the audit trail (audit-export-private.h). */
#include "audit-export-private.h"

#include <string.h>

#include "audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "format-private.h"
#include "seal-private.h"

static const char *const format_names[] = { "jsonl", "csv", "syslog" };

gboolean
kikan_audit_export_format_parse (const char *name, KikanAuditExportFormat *out)
{
    for (gsize i = 0; i < G_N_ELEMENTS (format_names); i++)
        if (g_strcmp0 (name, format_names[i]) == 0) {
            *out = (KikanAuditExportFormat)i;
            return TRUE;
        }
    return FALSE;
}

const char *
kikan_audit_export_format_name (KikanAuditExportFormat f)
{
    g_return_val_if_fail ((gsize)f < G_N_ELEMENTS (format_names), "?");
    return format_names[f];
}

void
kikan_audit_export_csv_header (GString *out)
{
    g_string_append (out, "seq,at,kind,session_id,payload,prev_hash,hash,mac\r\n");
}

/* RFC 5424 PRINTUSASCII (33-126) only, at most @max bytes; "-" (NILVALUE)
 * when nothing is left.  Anything else becomes '_': a header field with a
 * space would shift every field after it. */
static void
append_header_field (GString *out, const char *v, gsize max)
{
    gsize n = 0;

    for (const char *c = v != NULL ? v : ""; *c != '\0' && n < max; c++, n++)
        g_string_append_c (out, (*c >= 33 && *c <= 126) ? *c : '_');
    if (n == 0)
        g_string_append_c (out, '-');
}

/* "YYYY-MM-DDTHH:MM:SSZ" as written by kikan_store_now_iso, else NILVALUE:
 * a time edited into something else must not break the line's grammar. */
static gboolean
is_kikan_time (const char *t)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";

    if (t == NULL || strlen (t) != sizeof shape - 1)
        return FALSE;
    for (gsize i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? !g_ascii_isdigit (t[i]) : t[i] != shape[i])
            return FALSE;
    return TRUE;
}

void
kikan_audit_syslog_escape_param (GString *out, const char *value)
{
    g_autofree char *valid = kikan_escape_for_json (value != NULL ? value : "", -1);

    for (const char *c = valid; *c != '\0'; c = g_utf8_next_char (c)) {
        gunichar u = g_utf8_get_char (c);

        if (u == '"' || u == '\\' || u == ']') {
            g_string_append_c (out, '\\');
            g_string_append_c (out, (char)u);
        } else if (!kikan_escape_is_clean (c, g_utf8_next_char (c) - c)) {
            /* Controls, C1, bidirectional and other invisible format
             * characters, line separators: the classes a terminal would
             * show as escapes, so that a SOC console cannot be made to
             * show a reason or an ID reversed or hidden. */
            g_string_append_unichar (out, 0xfffd);
        } else {
            g_string_append_len (out, c, g_utf8_next_char (c) - c);
        }
    }
}

static void
append_param (GString *out, const char *name, const char *value)
{
    g_string_append_printf (out, " %s=\"", name);
    kikan_audit_syslog_escape_param (out, value);
    g_string_append_c (out, '"');
}

void
kikan_audit_export_row (GString *out, KikanAuditExportFormat format, const char *hostname,
                        const KikanAuditRow *row)
{
    char seq[32], session[32];

    g_snprintf (seq, sizeof seq, "%" G_GINT64_FORMAT, row->seq);
    if (row->session_id > 0)
        g_snprintf (session, sizeof session, "%" G_GINT64_FORMAT, row->session_id);
    else
        session[0] = '\0';
    switch (format) {
    case KIKAN_AUDIT_EXPORT_JSONL: {
        g_autoptr (JsonNode) node = kikan_audit_row_to_json (row);
        g_autofree char *text = json_to_string (node, FALSE);
        g_autofree char *safe = kikan_escape_json_text (text, -1);

        g_string_append (out, safe);
        g_string_append_c (out, '\n');
        break;
    }
    case KIKAN_AUDIT_EXPORT_CSV: {
        const char *cells[] = { seq,       row->at,        row->kind, session,
                                row->payload, row->prev_hash, row->hash, row->mac };

        for (gsize i = 0; i < G_N_ELEMENTS (cells); i++) {
            g_autofree char *valid = kikan_escape_for_json (cells[i] != NULL ? cells[i] : "", -1);

            kikan_csv_append_field (out, valid, i == 0);
        }
        g_string_append (out, "\r\n");
        break;
    }
    case KIKAN_AUDIT_EXPORT_SYSLOG:
        /* <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP
         * MSGID SP STRUCTURED-DATA: facility 13 (log audit) * 8 +
         * severity 6 (informational). */
        g_string_append (out, "<110>1 ");
        g_string_append (out, is_kikan_time (row->at) ? row->at : "-");
        g_string_append_c (out, ' ');
        append_header_field (out, hostname, 255);
        g_string_append (out, " kikan - ");
        append_header_field (out, row->kind, 32);
        g_string_append (out, " [kikan@32473");
        append_param (out, "seq", seq);
        if (session[0] != '\0')
            append_param (out, "session", session);
        append_param (out, "hash", row->hash);
        append_param (out, "prev_hash", row->prev_hash);
        if (row->mac != NULL)
            append_param (out, "mac", row->mac);
        append_param (out, "payload", row->payload);
        g_string_append (out, "]\n");
        break;
    }
}

char *
kikan_audit_export_kiosk_id (KikanStore *store)
{
    g_autofree char *kiosk_id = NULL;

    if (kikan_audit_identity (store, &kiosk_id, NULL, NULL) && kiosk_id != NULL)
        return g_steal_pointer (&kiosk_id);
    return g_strdup (g_get_host_name ());
}

typedef struct {
    KikanAuditExportFormat format;
    const char *hostname;
    FILE *fp;
    GChecksum *sum;
    GString *buf;
} ExportState;

static gboolean
export_one (const KikanAuditRow *row, gpointer user_data, GError **error)
{
    ExportState *s = user_data;

    g_string_truncate (s->buf, 0);
    kikan_audit_export_row (s->buf, s->format, s->hostname, row);
    g_checksum_update (s->sum, (const guchar *)s->buf->str, (gssize)s->buf->len);
    if (fwrite (s->buf->str, 1, s->buf->len, s->fp) != s->buf->len) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Could not write the export (disk full?): nothing was recorded; free "
                     "space and export again.");
        return FALSE;
    }
    return TRUE;
}

gboolean
kikan_audit_export_record (KikanStore *store, const char *format, const KikanAuditFilter *f,
                           const char *out_name, gint64 count, const char *sha256_hex,
                           GError **error)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) payload = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, format);
    json_builder_set_member_name (b, "filters");
    json_builder_add_value (b, kikan_audit_filter_to_json (f));
    json_builder_set_member_name (b, "count");
    json_builder_add_int_value (b, count);
    json_builder_set_member_name (b, "sha256");
    json_builder_add_string_value (b, sha256_hex);
    kikan_json_add_hostile_string (b, "out", out_name);
    json_builder_end_object (b);
    payload = json_builder_get_root (b);
    return kikan_audit_append (store, "audit_export", 0, payload, error)
           && kikan_audit_seal (store, "export", error);
}

gboolean
kikan_audit_export (KikanStore *store, const KikanAuditFilter *f, KikanAuditExportFormat format,
                    FILE *fp, const char *out_name, gint64 *count, char sha256_hex[65],
                    GError **error)
{
    g_autofree char *hostname = kikan_audit_export_kiosk_id (store);
    g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
    g_autoptr (GString) buf = g_string_new (NULL);
    ExportState s = { format, hostname, fp, sum, buf };
    gint64 n = 0;

    if (format == KIKAN_AUDIT_EXPORT_CSV) {
        kikan_audit_export_csv_header (buf);
        g_checksum_update (sum, (const guchar *)buf->str, (gssize)buf->len);
        if (fwrite (buf->str, 1, buf->len, fp) != buf->len) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Could not write the export.");
            return FALSE;
        }
    }
    /* Read in one snapshot: records appended meanwhile are left for the
     * next export rather than half-read. */
    if (!kikan_store_exec (store, "BEGIN", error))
        return FALSE;
    if (!kikan_audit_query_foreach (store, f, export_one, &s, &n, error)) {
        kikan_store_rollback (store);
        return FALSE;
    }
    kikan_store_rollback (store);
    if (fflush (fp) != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Could not write the export (disk full?): nothing was recorded.");
        return FALSE;
    }
    g_strlcpy (sha256_hex, g_checksum_get_string (sum), 65);
    if (!kikan_store_begin (store, error))
        return FALSE;
    if (!kikan_audit_export_record (store, kikan_audit_export_format_name (format), f, out_name,
                                    n, sha256_hex, error)) {
        kikan_store_rollback (store);
        return FALSE;
    }
    if (!kikan_store_commit (store, error))
        return FALSE;
    *count = n;
    return TRUE;
}
