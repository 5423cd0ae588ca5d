/* Kikan kiosk: will the store hold the audit trail for another year?
 * (issue #10 item 3; KR-32, Admin J-6; docs/audit.md "Retention (KR-32)").
 *
 * Nothing in Kikan deletes audit records: retention is the disk's size.
 * So the kiosk tells IT early when the disk will not last: the store's
 * growth per day so far, projected against the free space of its file
 * system.  The computation is here so that `kikan audit status`, the
 * kiosk's screen and `kikan checkin` show the same warning.
 *
 * Test seam: KIKAN_TEST_FREE_BYTES=<bytes> replaces statvfs()'s free
 * space (build tree only, kikan/test-seam.h; docs/audit.md), since a tiny
 * file system cannot be mounted in a test.
 */
#pragma once

#include "home-private.h"
#include "store-private.h"

#define KIKAN_AUDIT_MIN_FREE_MB_DEFAULT 512
#define KIKAN_AUDIT_MIN_DAYS 365

typedef struct {
    gint64 records;
    char *oldest, *newest;     /* record times; NULL when there is none */
    double span_days;          /* newest - oldest */
    guint64 store_bytes;       /* kikan.db and its -wal */
    guint64 archive_bytes;     /* the slip archive beside it (slips/): kept as long */
    guint64 free_bytes;        /* available to this user on the store's file system */
    double bytes_per_day;      /* store + archive over max(span, 1 day); 0 without records */
    double days_until_full;    /* free / bytes_per_day; < 0: no growth to project */
    guint64 min_free_bytes;
    gboolean warning;
    char *warning_text;        /* what is wrong and what to do, when warning */
} KikanAuditCapacity;

void kikan_audit_capacity_clear (KikanAuditCapacity *c);

/* [audit] min_free_mb of kikan.conf at @conf_path (default 512 when the
 * file or the key is missing).  KIKAN_ERROR_CONFIG naming the file and
 * the key for a bad value or an unknown key in [audit]. */
gboolean kikan_audit_capacity_load_min_free_mb (const char *conf_path, guint64 *min_free_mb,
                                                GError **error);

/* Fills @out for @store (free with kikan_audit_capacity_clear). */
gboolean kikan_audit_capacity (KikanStore *store, guint64 min_free_mb, KikanAuditCapacity *out,
                               GError **error);

/* Inside the caller's transaction: a "capacity_warning" record holding
 * the figures of @c (for the kiosk to leave a trace of the warning it
 * showed). */
gboolean kikan_audit_capacity_record_warning (KikanStore *store, const KikanAuditCapacity *c,
                                              GError **error);

/* At each check-in's start (issue #10; KR-32, Admin J-5, J-6, J-8): a
 * kikan.conf or policy file (@policy_path, NULL when none) that changed
 * since the last check-in is recorded in the audit trail (IT edits them
 * by hand, so nothing else can), and a disk that will not hold another
 * year of records gives *@warning (free it; NULL when the disk is fine),
 * recorded once a day as a "capacity_warning". */
gboolean kikan_audit_note_kiosk_state (KikanHome *home, KikanStore *store,
                                       const char *policy_path, char **warning,
                                       GError **error);
