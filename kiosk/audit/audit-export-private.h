/* Kikan kiosk: exporting the audit trail (issue #10 item 3; KR-31,
 * Admin J-8; docs/audit.md "Export").
 *
 *   jsonl   one JSON object a line, every column (payload as the text that
 *           was hashed, so a line can be hashed again)
 *   csv     RFC 4180, a header line, CRLF, cells that a spreadsheet would
 *           run as formulas guarded with an apostrophe (common/format.c)
 *   syslog  RFC 5424 lines: <110>1 TIMESTAMP KIOSK-ID kikan - KIND
 *           [kikan@32473 seq=… session=… hash=… prev_hash=… payload=…]
 *           (facility 13 "log audit", severity 6; SD-PARAM values escaped
 *           per RFC 5424 §6.3.3; 32473 is the documentation enterprise
 *           number of RFC 5612: a site that forwards to a SIEM keys on
 *           the SD-ID "kikan@32473")
 *
 * Each export is itself recorded: an "audit_export" record (format,
 * filters, count, SHA-256 of what was written) and a seal, in one
 * transaction after the output is complete. */
#pragma once

#include <stdio.h>

#include "audit-query-private.h"

typedef enum {
    KIKAN_AUDIT_EXPORT_JSONL,
    KIKAN_AUDIT_EXPORT_CSV,
    KIKAN_AUDIT_EXPORT_SYSLOG,
} KikanAuditExportFormat;

/* FALSE when @name is none of "jsonl", "csv", "syslog". */
gboolean kikan_audit_export_format_parse (const char *name, KikanAuditExportFormat *out);
const char *kikan_audit_export_format_name (KikanAuditExportFormat f);

/* One record in @format, with its line end, appended to @out.  @hostname
 * is the syslog HOSTNAME (the kiosk ID; made printable ASCII here). */
void kikan_audit_export_row (GString *out, KikanAuditExportFormat format, const char *hostname,
                             const KikanAuditRow *row);
/* The CSV header line (with CRLF). */
void kikan_audit_export_csv_header (GString *out);

/* RFC 5424 §6.3.3: '"', '\' and ']' in a PARAM-VALUE are escaped with a
 * backslash; control characters (which would end the line) become
 * U+FFFD.  Appended to @out. */
void kikan_audit_syslog_escape_param (GString *out, const char *value);

/* The kiosk ID to name in exports: the audit identity's when initialised,
 * else this host's name.  Free it. */
char *kikan_audit_export_kiosk_id (KikanStore *store);

/* Writes every record matching @f to @fp, and then records the export
 * (audit_export + seal) in one transaction.  *@count and @sha256_hex (65
 * bytes) get what was written.  FALSE with @error: the output may be
 * incomplete, and no record was appended. */
gboolean kikan_audit_export (KikanStore *store, const KikanAuditFilter *f,
                             KikanAuditExportFormat format, FILE *fp, const char *out_name,
                             gint64 *count, char sha256_hex[65], GError **error);

/* Inside a transaction of the caller's: the "audit_export" record and
 * the seal ("export") for an export of @format (a bundle: "bundle"). */
gboolean kikan_audit_export_record (KikanStore *store, const char *format,
                                    const KikanAuditFilter *f, const char *out_name,
                                    gint64 count, const char *sha256_hex, GError **error);
