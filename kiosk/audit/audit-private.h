/* Kikan kiosk: the audit chain (issue #10 item 1; KR-32, Admin J-5, J-6;
 * docs/audit.md).
 *
 * Every event of the kiosk is appended to `audit_records` in the SAME
 * transaction as the change it describes, so a record exists exactly when
 * its change does, and is on disk (synchronous=FULL) before anyone is told
 * "done".  Record n's hash is BLAKE2b-256 (libsodium) over its sequence
 * number, time, kind, session, payload and record n-1's hash: a record
 * changed, removed, reordered or inserted breaks the chain from there, and
 * kikan_audit_verify() names the first record that does not hold.
 *
 * A plain chain can be recomputed by whoever holds the whole file; the
 * forward-secure seals and record MACs (seal-private.h) are what stop that.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "store-private.h"
#include "verifier-private.h"

#define KIKAN_AUDIT_HASH_HEX_LEN 64

/* Inside the caller's transaction: appends an event of @kind ("session_start",
 * "declaration", "item", "inspection_start", "inspection", "verdict",
 * "session_end", "session_incomplete", "it_action", "ledger_change") for
 * @session_id (0: none) with @payload (a JSON object: copied as text,
 * exactly as hashed).  FALSE with @error; the caller rolls back. */
gboolean kikan_audit_append (KikanStore *store, const char *kind, gint64 session_id,
                             JsonNode *payload, GError **error);

/* Walks the whole chain.  TRUE when it could be read; then *first_bad is 0
 * when every record holds, else the sequence number of the first record
 * that does not (changed, removed, reordered or inserted), and *why (free
 * it) says what is wrong with it.  *n_records (optional) counts them. */
gboolean kikan_audit_verify (KikanStore *store, gint64 *first_bad, char **why,
                             gint64 *n_records, GError **error);

/* The whole check: the chain, its seals and checkpoints, the record MACs
 * when @initial_key (K_0, the auditor's verification key) is given, the
 * identity against @trusted_key (the auditor's copy of the public key;
 * NULL: the store's own), the end of the chain against the sealing key
 * beside the store and @head_anchor ("SEQ:HASH" from a later slip or
 * bundle; NULL: none), and the store's rows against the records.  TRUE
 * when it could be read; @out says what holds (kikan_audit_verdict_clear
 * it). */
gboolean kikan_audit_verify_store (KikanStore *store, const guint8 *initial_key,
                                   const guint8 *trusted_key, const char *head_anchor,
                                   KikanAuditVerdict *out, GError **error);

/* BLAKE2b-256 of one record, hex, into @out (65 bytes). */
void kikan_audit_record_hash (gint64 seq, const char *at, const char *kind, gint64 session_id,
                              const char *payload, const char *prev_hash, char *out);

/* The records (of @session_id, or all when 0), oldest first, as JSON:
 * {"format": "kikan-audit", "records": [{seq, at, kind, session_id,
 * payload, hash}…]}. */
JsonNode *kikan_audit_list_to_json (KikanStore *store, gint64 session_id, GError **error);

/* A small builder for payloads: {"k": "v", …} from pairs of strings,
 * NULL-terminated; a NULL value is JSON null.  Free with json_node_unref. */
JsonNode *kikan_audit_payload (const char *key, ...) G_GNUC_NULL_TERMINATED;
