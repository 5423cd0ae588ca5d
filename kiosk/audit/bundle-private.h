/* Kikan kiosk: the audit bundle, a signed archive an auditor checks away
 * from the kiosk (issue #10 item 3; KR-31, KR-32, Admin J-5, J-6;
 * docs/audit.md "Bundles").
 *
 * A pax tar, gzip or xz, holding:
 *   records.jsonl   every audit record, every column (mac included)
 *   seals.jsonl     every audit_seals row
 *   identity.json   kiosk id, public key, seal key id (only once
 *                   `kikan audit init` was run)
 *   slips.jsonl     every slips row, with "member": its PDF in the bundle
 *   slips/N.pdf     the archived PDF of slip N (when it was on the kiosk)
 *   manifest.json   format, version, time, counts, chain head, and the
 *                   SHA-256 and size of every other member
 *   manifest.sig    Ed25519 signature of manifest.json, hex (only once
 *                   initialised)
 *
 * The reader takes hostile archives: it holds every member in memory
 * within limits (count, size, total, name length), refuses absolute
 * paths, "..", duplicates, links, devices and anything but regular files,
 * and names the line of a JSON error.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "audit-query-private.h"

#define KIKAN_AUDIT_BUNDLE_FORMAT "kikan-audit-bundle"
#define KIKAN_AUDIT_BUNDLE_VERSION 1

typedef struct {
    guint max_members;
    guint64 max_member_bytes;
    guint64 max_total_bytes;
    gsize max_name_len;
} KikanAuditBundleLimits;

/* 100 000 members, 512 MiB a member, 2 GiB in all, 200-byte names. */
extern const KikanAuditBundleLimits kikan_audit_bundle_default_limits;

typedef struct {
    gint64 records, seals, slips, pdfs, pdfs_missing;
    gboolean signed_;          /* manifest.sig written */
    char sha256[65];           /* of the archive file */
} KikanAuditBundleSummary;

/* Writes the bundle of @store to @path (@compression: "gzip" or "xz"),
 * created 0600 and not over an existing file, then records the export
 * (audit_export, format "bundle", and a seal) in one transaction.
 * @home: $KIKAN_HOME, which slip PDF paths are relative to. */
gboolean kikan_audit_bundle_write (KikanStore *store, const char *home, const char *path,
                                   const char *compression, KikanAuditBundleSummary *out,
                                   GError **error);

typedef struct KikanAuditBundle KikanAuditBundle;

void kikan_audit_bundle_free (KikanAuditBundle *b); /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanAuditBundle, kikan_audit_bundle_free)

/* Reads an archive from memory.  NULL with @error: KIKAN_ERROR_VERIFY when
 * it is not what Kikan writes (a hostile member name, a link, a
 * duplicate, a member the manifest does not list or lists differently,
 * a JSON error, naming the member and line), KIKAN_ERROR_IO when it
 * cannot be read at all or exceeds @limits (NULL: the defaults). */
KikanAuditBundle *kikan_audit_bundle_read (const void *data, gsize len,
                                           const KikanAuditBundleLimits *limits, GError **error);
KikanAuditBundle *kikan_audit_bundle_read_file (const char *path, GError **error);

/* What the bundle holds (borrowed). */
gint64 kikan_audit_bundle_n_records (KikanAuditBundle *b);
gint64 kikan_audit_bundle_n_seals (KikanAuditBundle *b);
gint64 kikan_audit_bundle_n_slips (KikanAuditBundle *b);
const char *kikan_audit_bundle_get_kiosk_id (KikanAuditBundle *b); /* NULL: no identity */
/* The row of record @i (0-based), borrowed. */
const KikanAuditRow *kikan_audit_bundle_get_record (KikanAuditBundle *b, guint i);

typedef struct {
    gboolean intact;
    char *problem;             /* the first thing that does not hold */
    gint64 first_bad;          /* its record, 0: none or not a record */
    gboolean key_from_command_line; /* the public key was given (trusted) */
    gboolean manifest_signed;  /* manifest.sig present and checked */
    gboolean macs_checked;     /* the verification key was given */
    gboolean chain_checked;    /* the records were fed to the verifier */
    gint64 records, seals, slips, pdfs_checked, pdfs_missing;
    gint64 last_sealed_seq;
} KikanAuditBundleReport;

void kikan_audit_bundle_report_clear (KikanAuditBundleReport *r);

/* Checks the signature of the manifest (with @public_key, 32 bytes, when
 * given: trusted; else with identity.json's: only consistent), the PDFs
 * against slips.jsonl, and the records and seals through the verifier
 * (verifier-private.h) with @initial_key (K_0, or NULL). */
void kikan_audit_bundle_check (KikanAuditBundle *b, const guint8 *public_key,
                               const guint8 *initial_key, KikanAuditBundleReport *out);
