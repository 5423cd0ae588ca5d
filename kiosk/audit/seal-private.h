/* Kikan kiosk: sealing the audit chain (issue #10 item 2; KR-32, Admin
 * J-5, J-6; docs/audit.md "Seals").
 *
 * A plain hash chain can be recomputed by whoever holds the file.  So the
 * chain is sealed the way Schneier and Kelsey's secure audit logs and
 * systemd-journald's Forward Secure Sealing do it:
 *
 *   K_0          random, made by `kikan audit init`, shown to the auditor
 *                once (text and QR) and then wiped from the kiosk;
 *   K_e+1        = BLAKE2b-256 keyed with K_e over "kikan-seal-evolve";
 *                K_e is wiped (memory and $KIKAN_HOME/keys/seal.key)
 *                once seal e is committed.
 *   seal e       = BLAKE2b-256 keyed with K_e over the chain head, its
 *                sequence number, the time, why, the kiosk ID and seal
 *                e-1's MAC; the same message is signed with the kiosk's
 *                Ed25519 key (a checkpoint anyone with the public key can
 *                check).  Each key seals exactly once.
 *   record mac   every record appended after init carries BLAKE2b-256
 *                keyed with K_e over its hash, e = the seals made before
 *                it; so a chain recomputed after an edit fails at the exact
 *                record for every record a later seal has closed.
 *
 * Whoever takes the kiosk holds K_n only: they can neither re-seal nor
 * re-MAC anything sealed before they took it.  Records after the last
 * seal are only as safe as the plain chain, which is why the kiosk seals
 * at every session end, IT action and ledger change, and every
 * KIKAN_AUDIT_SEAL_INTERVAL records.
 *
 * Keys live beside the store: <dir of kikan.db>/keys/ (0700), seal.key
 * and kiosk.ed25519 (0600).  A key file behind the store (a crash between
 * a seal's commit and the key's rewrite) is derived forward on load; one
 * ahead of the store's seals means seals were removed, and nothing more
 * is written (fail closed).
 */
#pragma once

#include <glib.h>

#include "store-private.h"

#define KIKAN_AUDIT_SEAL_INTERVAL 32
#define KIKAN_AUDIT_KEY_LEN 32
#define KIKAN_AUDIT_PUBLIC_KEY_LEN 32
#define KIKAN_AUDIT_SIGNATURE_LEN 64

/* What `kikan audit init` hands to the auditor: the text form of K_0 is
 * "kikan-vk1:" + 64 hex digits (dashes and spaces ignored on input). */
typedef struct {
    char *kiosk_id;
    char *verification_key;   /* "kikan-vk1:…", K_0: shown once, never stored */
    char *public_key_hex;     /* Ed25519, 64 hex digits */
} KikanAuditInit;

void kikan_audit_init_free (KikanAuditInit *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanAuditInit, kikan_audit_init_free)

/* `kikan audit init`: makes K_0 and the Ed25519 key pair, writes the
 * identity row, an "audit_init" record and seal 0 in one transaction,
 * leaves K_1 in keys/seal.key and returns what the auditor must keep.
 * KIKAN_ERROR_CONFLICT when the store is already initialised. */
KikanAuditInit *kikan_audit_init (KikanStore *store, const char *kiosk_id, GError **error);

/* TRUE (and *kiosk_id, *public_key when not NULL) once initialised;
 * FALSE without error when not; FALSE with @error when unreadable. */
gboolean kikan_audit_identity (KikanStore *store, char **kiosk_id,
                               guint8 public_key[KIKAN_AUDIT_PUBLIC_KEY_LEN], GError **error);

/* Inside the caller's transaction: seals the chain as it stands (a no-op
 * on a store that is not initialised, or when nothing was appended since
 * the last seal).  @why: "session_end", "it_action", "interval", … */
gboolean kikan_audit_seal (KikanStore *store, const char *why, GError **error);

/* Outside a transaction: brings keys/seal.key up to the committed seals,
 * wiping the keys that already sealed (a crash between a seal's commit and
 * the key's rewrite leaves the old key behind until this runs: the kiosk
 * runs it at every start, through kikan_checkin_recover). */
gboolean kikan_audit_wipe_used_keys (KikanStore *store, GError **error);

/* Signs @msg with the kiosk's Ed25519 key (slips, export manifests).
 * KIKAN_ERROR_NOT_FOUND when the kiosk is not initialised. */
gboolean kikan_audit_sign (KikanStore *store, const guint8 *msg, gsize len,
                           guint8 signature[KIKAN_AUDIT_SIGNATURE_LEN], GError **error);

/* The chain head: the last record's seq and hash (0 and 64 zeros when
 * the chain is empty). */
gboolean kikan_audit_head (KikanStore *store, gint64 *seq, char hash[65], GError **error);

/* Parses the text form of a verification key; FALSE when it is not one. */
gboolean kikan_audit_parse_verification_key (const char *text, guint8 key[KIKAN_AUDIT_KEY_LEN]);
/* The kiosk's Ed25519 public key as `kikan audit init` shows it: 64 hex
 * digits, blanks around them allowed.  The one parser of it for the
 * chain, the slip, the bundle and the network lists. */
gboolean kikan_audit_parse_public_key (const char *text,
                                       guint8 key[KIKAN_AUDIT_PUBLIC_KEY_LEN]);

/* Internal to audit/ (and to tests that play the attacker): the pieces
 * both the sealing and the verifier compute. */
void kikan_audit_evolve_key (guint8 key[KIKAN_AUDIT_KEY_LEN]);
void kikan_audit_key_id (const guint8 initial_key[KIKAN_AUDIT_KEY_LEN], char out[33]);
void kikan_audit_record_mac (const guint8 key[KIKAN_AUDIT_KEY_LEN], const char *hash,
                             char out[65]);
void kikan_audit_seal_mac (const guint8 key[KIKAN_AUDIT_KEY_LEN], GBytes *message, char out[65]);
/* For kikan_audit_append, inside its transaction: *sealed FALSE when the
 * kiosk is not initialised (no MAC); else @mac gets the record's MAC. */
gboolean kikan_audit_mac_for_append (KikanStore *store, const char *hash, char mac[65],
                                     gboolean *sealed, GError **error);

/* The sealing key beside the store, for verify on the kiosk: whether
 * keys/ and keys/seal.key exist, and the key's epoch and value (wipe it). */
gboolean kikan_audit_key_file (KikanStore *store, gboolean *keys_dir_present, gboolean *present,
                               gint64 *epoch, guint8 key[KIKAN_AUDIT_KEY_LEN], GError **error);
/* The epoch of the sealing key beside the store (-1: no key file). */
gboolean kikan_audit_key_epoch (KikanStore *store, gint64 *epoch, GError **error);
/* The last record the last seal covers (0: no seal yet). */
gboolean kikan_audit_last_sealed_seq (KikanStore *store, gint64 *seq, GError **error);
/* KIKAN_TEST_KILL_AUDIT=N: SIGKILL at the N-th write point (tests). */
void kikan_audit_kill_point (void);
