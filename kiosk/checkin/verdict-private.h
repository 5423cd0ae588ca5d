/* Kikan kiosk: the verdict engine (issue #9 item 5, KR-26; REQUIREMENTS.md
 * 5.3, 5.4; docs/verdicts.md).
 *
 * Pure functions from evidence to verdicts: no I/O, no store, no clock
 * (the caller passes "today").  The caller (checkin/session.c) gathers the
 * evidence of one session — ledger, media register, USB identity, the
 * inspections, the software findings, the declaration, the signature age,
 * policy — into the plain structs below and gets back a verdict per item
 * and overall, each with its reasons, their provenance marks and, for
 * CONDITIONAL ones, the conditions to print (KR-28).
 *
 * Fail closed everywhere: a zero-initialised evidence struct means "not
 * checked" and never clears anything (presence undeclared, inspection
 * none, signatures not fresh).  Overall is never CLEARED while a lent
 * item is unaccounted for (KR-03), while the signatures are stale
 * (MAL-05, KR-12) or while any content was not inspected (MAL-04, KR-10).
 *
 * Strings in evidence are borrowed and may be hostile; they reach reason
 * texts verbatim (escaping is the printer's job).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "declaration-private.h"
#include "posture-private.h"
#include "reasons-private.h"

/* ---- evidence ---- */

typedef enum {
    KIKAN_ITEM_TYPE_NONE = 0, /* an unregistered medium: no asset */
    KIKAN_ITEM_TYPE_LAPTOP,
    KIKAN_ITEM_TYPE_USB,
    KIKAN_ITEM_TYPE_PHONE,
    KIKAN_ITEM_TYPE_TOKEN,
    KIKAN_ITEM_TYPE_OTHER,
} KikanItemType;

/* "none", "laptop", "usb", "phone", "token", "other"; from_string accepts
 * the ledger's five (not "none"). */
const char *kikan_item_type_to_string (KikanItemType t);
gboolean kikan_item_type_from_string (const char *s, KikanItemType *out);

typedef enum {
    KIKAN_PRESENCE_UNDECLARED = 0, /* not presented and nothing declared (KR-03) */
    KIKAN_PRESENCE_PRESENT,
    KIKAN_PRESENCE_AT_HOME,
    KIKAN_PRESENCE_LOST,
    KIKAN_PRESENCE_STOLEN,
    KIKAN_PRESENCE_DAMAGED,     /* declared damaged, not presented */
    KIKAN_PRESENCE_TRANSFERRED, /* handed to someone else */
} KikanPresence;

/* The names of the store's items.presence column. */
const char *kikan_presence_to_string (KikanPresence p);
gboolean kikan_presence_from_string (const char *s, KikanPresence *out);

typedef enum {
    KIKAN_USB_NONE = 0,     /* not a USB device, or read from an image/path */
    KIKAN_USB_MATCHED,      /* matched the register by serial and VID/PID */
    KIKAN_USB_UNREGISTERED, /* not in the register (INV-06, KR-06) */
    KIKAN_USB_MISMATCH,     /* registered, but serial or descriptors differ (INV-05) */
} KikanUsbState;

typedef enum {
    KIKAN_INSPECTION_NONE = 0, /* not a medium, or nothing was presented to read */
    KIKAN_INSPECTION_PENDING,  /* still running, or kept by IT (item 7) */
    KIKAN_INSPECTION_REMOVED,  /* the medium was removed during the inspection */
    KIKAN_INSPECTION_FAILED,   /* the daemon died, the medium could not be opened … */
    KIKAN_INSPECTION_DONE,
} KikanInspectionState;

typedef enum {
    KIKAN_SCAN_UNSET = 0, /* no result: counted as not inspected */
    KIKAN_SCAN_CLEAN,
    KIKAN_SCAN_INFECTED,
    KIKAN_SCAN_NOT_INSPECTED,
} KikanScanResult;

typedef enum {
    KIKAN_ENCRYPTION_UNSET = 0, /* not reported: treated as undetermined (ENC-03) */
    KIKAN_ENCRYPTION_PLAIN,     /* no encryption */
    KIKAN_ENCRYPTION_ENCRYPTED, /* every volume encrypted (see kind, unlocked) */
    KIKAN_ENCRYPTION_UNKNOWN,   /* possibly encrypted, undetermined */
    KIKAN_ENCRYPTION_MIXED,     /* some volumes plain: the plain part is unencrypted */
} KikanEncryptionState;

/* The kiosk's signatures when a scan ran (or for the session): zero
 * means not known to be fresh, which is stale (MAL-05). */
typedef struct {
    gboolean fresh;
    const char *version; /* "27120" */
    const char *date;    /* "2026-12-01" */
    const char *detail;  /* why stale: "are 9.3 days old, more than the 7 allowed" */
    guint max_age_days;  /* for the MAL-05 text; 0 when unknown */
} KikanSignatureEvidence;

typedef struct {
    const char *signature; /* "Eicar-Test-Signature", "Heuristics.Phishing.Email" */
    const char *path;
    const char *sha256;
} KikanVerdictDetection;

typedef struct {
    KikanInspectionState state;
    const char *detail; /* FAILED/REMOVED/PENDING: why, for the MAL-04 text */
    /* DONE: */
    KikanScanResult result;
    const KikanVerdictDetection *detections; /* every detection name, "Heuristics.*" included:
                                              * the engine sorts malware (MAL-02) from
                                              * heuristics (MAL-03) and limits (MAL-04) */
    gsize n_detections;
    guint n_heuristic; /* heuristic hits counted elsewhere (0 if all listed) */
    guint n_not_inspected;
    const char *not_inspected_path;   /* the first one */
    const char *not_inspected_reason; /* "encrypted", "limit_exceeded" … */
    KikanEncryptionState encryption;
    const char *encryption_kind;       /* "bitlocker", "luks2" … */
    gboolean unlocked;                 /* ENCRYPTED: unlocked and read at the kiosk */
    GPtrArray *findings;               /* KikanFinding* (posture-private.h), borrowed;
                                        * NULL for none */
    guint n_systems;                   /* operating systems whose posture was measured on
                                        * it (a laptop disk with none: UPD-04, KR-19) */
    KikanSignatureEvidence signatures; /* those the scan ran with */
} KikanInspectionEvidence;

typedef struct {
    /* asset (ledger) */
    const char *asset_id; /* NULL: an unregistered medium */
    KikanItemType type;
    gboolean lent; /* on this employee's open loans */
    gboolean encryption_required;
    KikanClassification classification_max;
    /* presence */
    KikanPresence presence;
    const char *return_by;      /* AT_HOME */
    const char *incident;       /* LOST/STOLEN: the number the caller opened */
    const char *transferred_to; /* TRANSFERRED */
    /* identity */
    gboolean serial_mismatch;
    const char *serial_detail;
    KikanUsbState usb_state;
    const char *usb_detail;
    gboolean badusb;                 /* storage + keyboard/mouse/network: USB-01 */
    const char *badusb_detail;       /* "mass storage + HID keyboard (03/01/01)" */
    gboolean offers_storage;          /* the device has a mass-storage interface: a medium,
                                       * whatever the ledger's type */
    gboolean usb_interfaces_unknown; /* interfaces could not be read: USB-02 */
    const char *usb_interfaces_detail;
    gboolean hw_encrypted;
    const char *hw_model;
    /* inspection of its medium or disk */
    KikanInspectionEvidence inspection;
    /* ENC-06 cross-check */
    KikanAnswer declared_encrypted;
} KikanItemEvidence;

typedef struct {
    const KikanDeclaration *declaration; /* required */
    const KikanItemEvidence *items;      /* every item of the session */
    gsize n_items;
    KikanSignatureEvidence signatures; /* the kiosk's, now */
    guint monitoring_days;             /* PROC-03; 0: the default, 14 */
    const char *today;                 /* "YYYY-MM-DD", required */
    /* Earlier check-ins of the same employee whose items (or own reasons)
     * are still held by IT: "session 12, 14", or NULL.  While IT has not
     * settled them, this one is not CLEARED either (PROC-08). */
    const char *earlier_held;
} KikanSessionEvidence;

#define KIKAN_MONITORING_DAYS_DEFAULT 14

/* The holdings of 5.1 that @ev's items and Q9 answer imply. */
void kikan_session_evidence_holdings (const KikanSessionEvidence *ev, KikanHoldings *out);

/* ---- results ---- */

typedef struct {
    char *code; /* "MAL-02" */
    KikanProvenance provenance;
    KikanVerdict level; /* the verdict it imposes; ignored when @info */
    gboolean info;
    char *text;      /* English slip text, placeholders filled (hostile parts
                      * verbatim) */
    char *condition; /* CONDITIONAL: what to do (KR-28), else NULL */
    char *until;     /* "YYYY-MM-DD" or NULL */
} KikanVerdictReason;

void kikan_verdict_reason_free (KikanVerdictReason *r); /* accepts NULL */

typedef enum {
    KIKAN_IT_RESOLVE,  /* PROC-01: IT verified and decided */
    KIKAN_IT_OVERRIDE, /* PROC-02: IT overrides the engine */
} KikanItActionKind;

/* "resolve", "override". */
const char *kikan_it_action_kind_to_string (KikanItActionKind k);
gboolean kikan_it_action_kind_from_string (const char *s, KikanItActionKind *out);

typedef struct {
    KikanItActionKind kind;
    KikanVerdict from;
    KikanVerdict to;
    char *by;
    char *reason;
    char *at; /* "2026-12-03T14:05:00Z" */
} KikanItAction;

/* The verdict of one item, or the session-level part of a session. */
typedef struct {
    KikanVerdict verdict; /* current: after IT actions */
    GPtrArray *reasons;   /* KikanVerdictReason*, owned, in the order decided */
    /* KR-30: once IT acted, the engine's verdict is kept here and every
     * printer shows the override. */
    gboolean it_acted;
    KikanVerdict original_verdict;
    gboolean overridden;   /* an override (not only a resolve) was applied */
    GPtrArray *it_actions; /* KikanItAction*, owned, oldest first */
} KikanVerdictResult;

KikanVerdictResult *kikan_verdict_result_new (void);
void kikan_verdict_result_free (KikanVerdictResult *r); /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanVerdictResult, kikan_verdict_result_free)

/* The first reason with @code, or NULL (borrowed). */
const KikanVerdictReason *kikan_verdict_result_find (const KikanVerdictResult *r,
                                                     const char *code);

typedef struct {
    KikanVerdict overall;        /* worst of every item and the session part */
    KikanVerdictResult *session; /* session-level reasons (declaration, INV-01,
                                  * MAL-05, SW-04, PROC-03); its verdict is theirs */
    GPtrArray *items;            /* KikanVerdictResult*, one per evidence item, same order */
} KikanSessionVerdict;

void kikan_session_verdict_free (KikanSessionVerdict *v); /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanSessionVerdict, kikan_session_verdict_free)

/* ---- the engine ---- */

/* The verdict of one item given the session's declaration @decl (Q10 for
 * ENC-02; may be NULL: no work data declared).  Never NULL. */
KikanVerdictResult *kikan_verdict_evaluate_item (const KikanItemEvidence *item,
                                                 const KikanDeclaration *decl);

/* The whole session: every item, the declaration, the session-level
 * reasons and the overall verdict.  NULL with @error when the evidence
 * itself is unusable (no declaration, @today not a date). */
KikanSessionVerdict *kikan_verdict_evaluate_session (const KikanSessionEvidence *ev,
                                                     GError **error);

/* Recomputes sv->overall from the items and the session part, after IT
 * actions. */
void kikan_session_verdict_update_overall (KikanSessionVerdict *sv);

/* ---- the engine's own steps (for its unit tests) ---- */

/* The checks below hold by construction, so no evidence reaches their
 * failing side; the unit tests call these steps on a verdict they broke
 * on purpose, to prove that the checks still fail closed (issue #12
 * item 6).  Nothing else needs them. */

/* Adds @code (a code of the reason table, which is a programming error
 * otherwise: it aborts) at the table's level, with @detail after its
 * text; @r's verdict is not recomputed.  Returns the reason (borrowed). */
KikanVerdictReason *kikan_verdict_result_add_reason (KikanVerdictResult *r, const char *code,
                                                     KikanProvenance prov, const char *detail);
/* Sets @r's verdict from its reasons; an item with none is held, with a
 * g_critical(). */
void kikan_verdict_result_finish (KikanVerdictResult *r);
/* When @sv claims CLEARED or CONDITIONAL although @ev has stale
 * signatures (KR-12, MAL-05), a lent item not returned (KR-03), an item
 * with MAL-04 or MAL-05 or inspected with stale signatures (KR-10, KR-12),
 * or an inspected item without MAL-01 (KR-10): sets overall to HOLD, with
 * a g_critical().  @sv->items must match @ev->items. */
void kikan_session_verdict_check_invariants (KikanSessionVerdict *sv,
                                             const KikanSessionEvidence *ev);

/* ---- IT actions (KR-30, PROC-01, PROC-02) ---- */

/* Applies an IT action to @r (an item, or a session's session part):
 * RESOLVE adds PROC-01 (V) "Verified by IT staff {id} at {time}" and is
 * only for a HOLD (a QUARANTINE or NOT RETURNED is changed by an
 * override, never a resolve); OVERRIDE adds PROC-02 (V) "Override applied
 * by {id}: {reason}".  The verdict becomes @to; the engine's verdict stays
 * in original_verdict.  Refused (FALSE, @error, @r unchanged) when @by or
 * @reason is empty or blank, @at is empty, or a resolve is not of a HOLD. */
gboolean kikan_verdict_apply_it_action (KikanVerdictResult *r, KikanItActionKind kind,
                                        KikanVerdict to, const char *by, const char *reason,
                                        const char *at, GError **error);

/* ---- JSON ---- */

/* Adds "verdict", "reasons" [{"code","provenance","level","text",
 * "condition"?: {"text","until"}}], and when IT acted "original_verdict",
 * "it_actions" and "override" (the last override) to the object being
 * built.  Hostile text is made valid UTF-8. */
void kikan_verdict_result_add_json_members (const KikanVerdictResult *r, JsonBuilder *b);
/* The same as a whole object.  Free with json_node_unref(). */
JsonNode *kikan_verdict_result_to_json (const KikanVerdictResult *r);
/* The session: "verdict" (overall), "reasons" (session level) and the
 * session part's IT members; "items" is the caller's (with asset ids). */
void kikan_session_verdict_add_json_members (const KikanSessionVerdict *sv, JsonBuilder *b);

/* Reads back what kikan_verdict_result_to_json() wrote (the store keeps
 * it, and `kikan it` acts on it).  Strict: an unknown verdict, level,
 * provenance or code, or a missing member, is refused with @error. */
KikanVerdictResult *kikan_verdict_result_from_json (JsonNode *node, GError **error);
