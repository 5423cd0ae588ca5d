/* Kikan kiosk: reproducible samples of sessions for log review, and the
 * reviewers' attestations (issue #10 item 3; KR-33, JNSA-2.5, Admin J-9;
 * docs/audit.md "Sampling for review (KR-33)").
 *
 * The population is the sessions matching a filter, ordered by id.  The
 * draw is a partial Fisher-Yates shuffle: for i = 0 … k-1, j = i +
 * uniform(n - i), swap P[i] and P[j]; the selection is P[0 … k-1] in draw
 * order.  uniform(m) takes the next 64-bit number x = the first 8 bytes,
 * little-endian, of BLAKE2b with a 16-byte output (libsodium
 * crypto_generichash, no key; 16 is its shortest) over seed || counter (counter: 8 bytes little-endian, 0, 1, 2 …, one
 * per number drawn), rejecting x >= 2^64 - (2^64 mod m), and returns
 * x mod m.  So the same seed and population give the same selection on
 * any machine, and anyone can redo the draw from the audit_samples row.
 */
#pragma once

#include "audit-query-private.h"

#define KIKAN_AUDIT_SEED_MAX 64          /* bytes */
#define KIKAN_AUDIT_REVIEWER_MAX 128     /* bytes of a reviewer's name */
#define KIKAN_AUDIT_STATEMENT_MAX 4000   /* bytes of a statement */

/* The draw alone: @k of the @n ids in @population (ascending), in draw
 * order, into @out (a GArray of gint64, emptied first).  @k <= @n. */
void kikan_audit_sample_draw (const guint8 *seed, gsize seed_len, const gint64 *population,
                              gsize n, gsize k, GArray *out);

/* Parses 2 … 128 hex digits (an even number) into @seed; *len gets the
 * bytes.  FALSE when @hex is not that. */
gboolean kikan_audit_seed_parse (const char *hex, guint8 seed[KIKAN_AUDIT_SEED_MAX], gsize *len);

/* Checks a reviewer's name or statement typed by a person: valid UTF-8,
 * not empty, at most @max bytes, no control characters (a statement may
 * hold line breaks).  KIKAN_ERROR_USAGE naming @option. */
gboolean kikan_audit_check_person_text (const char *text, gsize max, gboolean lines,
                                        const char *option, GError **error);

typedef struct {
    gint64 id;
    char *seed_hex;
    gint64 population_size;
    GArray *selection; /* gint64 */
} KikanAuditSample;

void kikan_audit_sample_free (KikanAuditSample *s); /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanAuditSample, kikan_audit_sample_free)

/* Draws @size sessions of those matching @f with @seed (NULL: a random
 * 128-bit seed), and writes the audit_samples row and its "audit_sample"
 * record in one transaction.  KIKAN_ERROR_USAGE when @size is 0 or more
 * than the population (the message says how many sessions match). */
KikanAuditSample *kikan_audit_sample (KikanStore *store, const KikanAuditFilter *f, gsize size,
                                      const guint8 *seed, gsize seed_len, const char *by,
                                      GError **error);

/* Writes an audit_attestations row and its "audit_attestation" record in
 * one transaction; *id gets the row's id.  KIKAN_ERROR_NOT_FOUND when
 * there is no sample @sample_id. */
gboolean kikan_audit_attest (KikanStore *store, gint64 sample_id, const char *reviewer,
                             const char *statement, gint64 *id, GError **error);

/* {"format": "kikan-audit-samples", "samples": [{id, drawn_at, drawn_by,
 * seed, population, selection, attestations: [{id, at, reviewer,
 * statement}…]}…]}; strings made valid UTF-8. */
JsonNode *kikan_audit_samples_to_json (KikanStore *store, GError **error);
