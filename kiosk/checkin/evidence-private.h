/* Kikan kiosk: what the check-in knows of each item, and what an
 * inspection came to, in the form the verdict engine reads.
 *
 * Internal to kiosk/checkin/.  A KikanInspectionSummary is distilled from
 * the scan report of one medium (kiosk/inspect/) as soon as the report
 * arrives, so that the report (possibly large) can be dropped; it holds
 * exactly the evidence KR-08 asks the store to keep and the verdict needs.
 */
#pragma once

#include <glib.h>

#include "scan-report-private.h"
#include "usb-private.h"

typedef enum {
    KIKAN_MEDIUM_ENC_NONE,      /* every volume a plain file system */
    KIKAN_MEDIUM_ENC_ENCRYPTED, /* every volume encrypted (unlocked or not) */
    KIKAN_MEDIUM_ENC_MIXED,     /* plain and encrypted volumes */
    KIKAN_MEDIUM_ENC_UNKNOWN,   /* high entropy, no volumes (a folder), or not determined */
} KikanMediumEncryption;

typedef struct {
    char *signature;            /* hostile strings: verbatim */
    char *path;
    char *sha256;
} KikanDetectionRecord;

typedef struct {
    char *path;
    char *reason;               /* "encrypted", "limit_exceeded", … */
    char *detail;
} KikanSkipped;

typedef struct {
    char *result;               /* clean | infected | not_inspected */
    gboolean complete;          /* the worker finished the medium */
    char *status_detail;        /* why it did not, or NULL */
    guint64 files, bytes, n_not_inspected;
    GPtrArray *detections;      /* KikanDetectionRecord*: every signature on every file */
    guint n_heuristic;          /* detections named Heuristics.* (not Limits.Exceeded) */
    GPtrArray *skipped;         /* KikanSkipped*: files not inspected (first 1000) */
    KikanMediumEncryption encryption;
    char *encryption_kinds;     /* "luks2", "bitlocker,luks2", or NULL */
    gboolean locked;            /* an encrypted volume was not unlocked */
    gboolean unlocked;          /* a volume was unlocked with a passphrase */
    GPtrArray *software;        /* KikanFinding* (posture-private.h), owned copies */
    guint n_systems;            /* operating systems whose facts were read (KR-46) */
    char *signatures_invalid;   /* MAL-05: why the signatures are not valid, or NULL */
    char *engine_version;
    char *db_version;           /* "daily 27000, main 62" */
    char *db_time;              /* ISO time of the newest signed database */
    char *sandbox;
    double seconds;
} KikanInspectionSummary;

KikanInspectionSummary *kikan_inspection_summary_new_from_report (KikanScanReport *report,
                                                                  guint target, gint64 now);
void kikan_inspection_summary_free (KikanInspectionSummary *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanInspectionSummary, kikan_inspection_summary_free)

/* One item of the session. */
typedef struct {
    gint64 id;
    char *presented_as;         /* what was typed or scanned (verbatim) */
    char *asset_id;             /* NULL: not in the ledger */
    char *type;
    char *ledger_serial;
    gboolean encryption_required;
    char *classification;
    gint64 loan_id;             /* 0 when not on this employee's open loans */
    gboolean lent_to_other;     /* on someone else's open loan (INV-07) */
    char *presence;             /* present | at_home | lost | stolen | damaged | transferred |
                                 * undeclared */
    char *return_by, *transferred_to, *incident_number;
    char *typed_serial;
    gboolean serial_mismatch;   /* INV-05 */
    char *medium;
    char *medium_key;           /* the same file or device under any name: "dev:ino" */
    char **passphrase_files;
    char *declared_encrypted;
    /* USB identity, when the item came as a USB block device. */
    KikanUsbDevice *usb;
    char *usb_node;
    GPtrArray *usb_findings;    /* KikanUsbFinding* */
    /* Inspection. */
    char *state;                /* recorded | inspecting | inspected | pending | removed | failed */
    char *failure;              /* why an inspection failed or did not start */
    gint64 inspection_id;
    gint64 started_us;
    GCancellable *cancellable;
    gboolean removed;
    gboolean cancelled;         /* kikan_checkin_cancel_inspection() */
    KikanInspectionSummary *summary;
} KikanCheckinItem;
