/* Fuzz harness: arbitrary bytes as an audit bundle (kiosk/audit/bundle.c,
 * libarchive), read from memory and checked with no key; no store.
 *
 * A bundle reaches `kikan audit verify --bundle` on an auditor's machine
 * from anyone: it is hostile input (KR-31, KR-32; docs/audit.md
 * "Bundles").
 *
 * Invariants beyond "no crash, no sanitizer report, no leak":
 *   - a refusal is KIKAN_ERROR_VERIFY (not what Kikan writes) or
 *     KIKAN_ERROR_IO (unreadable, or over the limits), and its message is
 *     valid UTF-8 without control characters (it reaches a terminal);
 *   - an accepted bundle holds records, whose count matches
 *     kikan_audit_bundle_get_record, and its check either holds or names
 *     a problem (never both, never neither), never claims MACs were checked
 *     without a key, nor a signature without identity.json. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle-private.h"
#include "error-private.h"

static const KikanAuditBundleLimits limits = {
    .max_members = 64,
    .max_member_bytes = 1 << 20,
    .max_total_bytes = 4 << 20,
    .max_name_len = 200,
};

static void
check_message (const char *m)
{
    if (m == NULL || !g_utf8_validate (m, -1, NULL))
        abort ();
    for (const char *c = m; *c != '\0'; c++)
        if ((guchar)*c < 0x20 || *c == 0x7f)
            abort ();
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    GError *error = NULL;
    KikanAuditBundle *b = kikan_audit_bundle_read (data, size, &limits, &error);
    KikanAuditBundleReport r;

    if (b == NULL) {
        if (error == NULL || error->domain != KIKAN_ERROR
            || (error->code != KIKAN_ERROR_VERIFY && error->code != KIKAN_ERROR_IO))
            abort ();
        check_message (error->message);
        g_error_free (error);
        return 0;
    }
    if (error != NULL)
        abort ();
    for (gint64 i = 0; i < kikan_audit_bundle_n_records (b); i++)
        if (kikan_audit_bundle_get_record (b, (guint)i) == NULL)
            abort ();
    kikan_audit_bundle_check (b, NULL, NULL, &r);
    if (r.intact == (r.problem != NULL) || r.macs_checked
        || (r.manifest_signed && kikan_audit_bundle_get_kiosk_id (b) == NULL)
        || r.records != kikan_audit_bundle_n_records (b))
        abort ();
    if (r.problem != NULL)
        check_message (r.problem);
    kikan_audit_bundle_report_clear (&r);
    kikan_audit_bundle_free (b);
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole and cut at each eighth. */
const unsigned kikan_fuzz_prefix_parts = 8;
const unsigned kikan_fuzz_selectors = 0;
#endif
