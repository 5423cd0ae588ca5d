/* Kikan kiosk: checking a chain and its seals, wherever they come from
 * (the store, or an exported bundle: issue #10 item 3; docs/audit.md).
 *
 * Feed every record in the order it is stored, then every seal in the
 * order it is stored, then finish.  The verifier names the first record
 * that does not hold: changed, removed, reordered, inserted, or (with the
 * verification key) recomputed after an edit.  It never trusts the order
 * or the numbering it is given: that is what it checks.
 */
#pragma once

#include <glib.h>

#include "seal-private.h"

typedef struct {
    gint64 seq;
    const char *at, *kind;
    gint64 session_id;          /* 0: none */
    const char *payload, *prev_hash, *hash;
    const char *mac;            /* NULL: written before init */
    gboolean typed_as_written;  /* every field read back as the type it was written */
} KikanAuditRecordView;

typedef struct {
    gint64 epoch, seq;
    const char *head_hash, *at, *why, *prev_mac, *mac, *signature;
    gboolean typed_as_written;
} KikanAuditSealView;

typedef struct {
    gint64 first_bad;           /* 0: every record holds */
    char *why;                  /* what is wrong with it */
    gint64 n_records, n_seals;
    gint64 last_sealed_seq;     /* records after it are not sealed yet */
    gboolean seals_signed;      /* every seal's Ed25519 signature checked */
    gboolean seals_keyed;       /* every seal's and record's MAC checked with K_0 */
    char *head_hash;            /* the last record's hash */
    /* Records and seals cut from the END break no link: only something
     * outside the chain can show it.  TRUE when that was checked: against
     * the sealing key on the kiosk (its epoch equals the seals, and with
     * K_0 it is the key they lead to), or against an anchor given by the
     * auditor (a slip's or a bundle's head). */
    gboolean tail_checked;
    char *tail_how;             /* how, for people; NULL when not checked */
} KikanAuditVerdict;

void kikan_audit_verdict_clear (KikanAuditVerdict *v);

typedef struct KikanAuditVerifier KikanAuditVerifier;

/* @kiosk_id and @public_key: the identity the seals must be made by (NULL:
 * the chain was never initialised, and any seal or MAC is a forgery).
 * @initial_key: K_0 from the auditor, or NULL (then MACs cannot be
 * checked, and the verdict says so). */
KikanAuditVerifier *kikan_audit_verifier_new (const char *kiosk_id, const guint8 *public_key,
                                              const guint8 *initial_key);
void kikan_audit_verifier_add_record (KikanAuditVerifier *v, const KikanAuditRecordView *r);
void kikan_audit_verifier_add_seal (KikanAuditVerifier *v, const KikanAuditSealView *s);
/* Fills @out (clear it with kikan_audit_verdict_clear) and frees @v. */
void kikan_audit_verifier_finish (KikanAuditVerifier *v, KikanAuditVerdict *out);

/* The seal message both the MAC and the Ed25519 signature cover. */
GBytes *kikan_audit_seal_message (const char *kiosk_id, gint64 epoch, gint64 seq,
                                  const char *head_hash, const char *at, const char *why,
                                  const char *prev_mac);
