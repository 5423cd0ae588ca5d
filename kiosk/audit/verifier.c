/* Kikan kiosk: checking a chain and its seals (verifier-private.h). */
#include "verifier-private.h"

#include <string.h>

#include <sodium.h>

#include "audit-private.h"

static const char zero_hash[KIKAN_AUDIT_HASH_HEX_LEN + 1]
    = "0000000000000000000000000000000000000000000000000000000000000000";

typedef struct {
    gint64 seq;
    guint8 hash[32];
    guint8 mac[32];
    gboolean hash_ok; /* the stored hash is 64 hex digits */
    gboolean has_mac, mac_ok;
} Rec;

struct KikanAuditVerifier {
    char *kiosk_id;
    gboolean have_pk, have_key;
    guint8 pk[KIKAN_AUDIT_PUBLIC_KEY_LEN];
    guint8 key[KIKAN_AUDIT_KEY_LEN]; /* K_e for the next expected seal e */

    /* The chain. */
    char prev[KIKAN_AUDIT_HASH_HEX_LEN + 1];
    gint64 expected, n;
    GArray *recs;

    /* The seals. */
    gint64 next_epoch, last_seq;
    char prev_mac[65];
    gboolean all_signed;

    /* The first problem found that points at one record, and the first
     * that points at a range of them (a seal that no longer matches). */
    gint64 first_bad;
    char *why;
    gint64 range_from, range_to;
    char *range_why;
};

static void
problem (KikanAuditVerifier *v, gint64 seq, char *why)
{
    seq = MAX (seq, 1);
    if (v->first_bad == 0 || seq < v->first_bad) {
        v->first_bad = seq;
        g_free (v->why);
        v->why = why;
    } else {
        g_free (why);
    }
}

/* A seal that does not hold says only that something in (from, to] was
 * rewritten; a record MAC in that range that fails names the record, and
 * wins (kikan_audit_verifier_finish). */
static void
range_problem (KikanAuditVerifier *v, gint64 from, gint64 to, char *why)
{
    from = MAX (from, 1);
    if (v->range_from == 0 || from < v->range_from) {
        v->range_from = from;
        v->range_to = MAX (to, from);
        g_free (v->range_why);
        v->range_why = why;
    } else {
        g_free (why);
    }
}

KikanAuditVerifier *
kikan_audit_verifier_new (const char *kiosk_id, const guint8 *public_key, const guint8 *initial_key)
{
    KikanAuditVerifier *v = g_new0 (KikanAuditVerifier, 1);

    v->kiosk_id = g_strdup (kiosk_id);
    if (public_key != NULL) {
        v->have_pk = TRUE;
        memcpy (v->pk, public_key, sizeof v->pk);
    }
    if (initial_key != NULL) {
        v->have_key = TRUE;
        memcpy (v->key, initial_key, sizeof v->key);
    }
    g_strlcpy (v->prev, zero_hash, sizeof v->prev);
    g_strlcpy (v->prev_mac, zero_hash, sizeof v->prev_mac);
    v->expected = 1;
    v->recs = g_array_new (FALSE, TRUE, sizeof (Rec));
    v->all_signed = TRUE;
    return v;
}

static gboolean
hex32 (const char *hex, guint8 out[32])
{
    gsize len = 0;

    return hex != NULL && strlen (hex) == 64
           && sodium_hex2bin (out, 32, hex, 64, NULL, &len, NULL) == 0 && len == 32;
}

void
kikan_audit_verifier_add_record (KikanAuditVerifier *v, const KikanAuditRecordView *r)
{
    char hash[KIKAN_AUDIT_HASH_HEX_LEN + 1];
    Rec rec = { 0 };
    gint64 seq = r->seq;

    v->n++;
    kikan_audit_record_hash (seq, r->at, r->kind, r->session_id, r->payload, v->prev, hash);
    /* The hash reads each field as text or an integer: a value stored as
     * another type (1.5 read as 1, a blob) would hash like the original
     * while the store says something else. */
    if (!r->typed_as_written)
        problem (v, seq,
                 g_strdup_printf ("record %" G_GINT64_FORMAT " holds a field of the wrong type "
                                  "(it was edited after it was written)",
                                  seq));
    else if (seq < 1)
        problem (v, 1,
                 g_strdup_printf ("a record numbered %" G_GINT64_FORMAT " stands before record 1 "
                                  "(inserted)",
                                  seq));
    else if (seq != v->expected)
        problem (v, MIN (seq, v->expected),
                 g_strdup_printf ("record %" G_GINT64_FORMAT " is missing: the chain jumps from "
                                  "%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                                  v->expected, v->expected - 1, seq));
    else if (g_strcmp0 (r->prev_hash, v->prev) != 0)
        problem (v, seq,
                 g_strdup_printf ("record %" G_GINT64_FORMAT " does not follow the record before "
                                  "it (removed, reordered or inserted)",
                                  seq));
    else if (g_strcmp0 (r->hash, hash) != 0)
        problem (v, seq,
                 g_strdup_printf ("record %" G_GINT64_FORMAT " was changed after it was written "
                                  "(its hash does not match its contents)",
                                  seq));
    /* The chain goes on from what is stored, so that one changed record
     * is named alone. */
    g_strlcpy (v->prev, r->hash != NULL ? r->hash : "", sizeof v->prev);
    v->expected = seq + 1;

    rec.seq = seq;
    rec.hash_ok = hex32 (r->hash, rec.hash);
    rec.has_mac = r->mac != NULL;
    rec.mac_ok = rec.has_mac && hex32 (r->mac, rec.mac);
    g_array_append_val (v->recs, rec);
}

/* The records a seal closes are (v->last_seq, upto]: each must carry a MAC
 * made with the key of that seal (records before `kikan audit init`, in
 * seal 0's range and before its last record, carry none). */
static void
check_record_macs (KikanAuditVerifier *v, gint64 upto, gint64 epoch)
{
    for (gint64 s = MAX (v->last_seq, 0) + 1; s <= upto && s <= (gint64)v->recs->len; s++) {
        const Rec *rec = &g_array_index (v->recs, Rec, s - 1);
        char mac[65], hash_hex[65];
        guint8 want[32];

        if (rec->seq != s || !rec->hash_ok)
            continue; /* the chain already names this record */
        if (!rec->has_mac) {
            if (epoch == 0 && s < upto)
                continue; /* written before init */
            problem (v, s,
                     g_strdup_printf ("record %" G_GINT64_FORMAT " carries no seal MAC although "
                                      "the kiosk was sealing when it was written (inserted or "
                                      "rewritten)",
                                      s));
            continue;
        }
        if (!rec->mac_ok) {
            problem (v, s, g_strdup_printf ("record %" G_GINT64_FORMAT "'s seal MAC is damaged", s));
            continue;
        }
        if (!v->have_key)
            continue;
        sodium_bin2hex (hash_hex, sizeof hash_hex, rec->hash, sizeof rec->hash);
        kikan_audit_record_mac (v->key, hash_hex, mac);
        if (!hex32 (mac, want) || sodium_memcmp (want, rec->mac, 32) != 0)
            problem (v, s,
                     g_strdup_printf ("record %" G_GINT64_FORMAT " was changed after it was "
                                      "sealed: its MAC does not match (the chain was recomputed "
                                      "after an edit, with a key that cannot seal the past)",
                                      s));
    }
}

void
kikan_audit_verifier_add_seal (KikanAuditVerifier *v, const KikanAuditSealView *s)
{
    gint64 epoch = s->epoch, from = MAX (v->last_seq, 0) + 1;
    g_autoptr (GBytes) message = NULL;
    guint8 sig[KIKAN_AUDIT_SIGNATURE_LEN];
    gsize siglen = 0;

    if (v->kiosk_id == NULL) {
        problem (v, 1, g_strdup ("the store holds audit seals but no kiosk identity: the "
                                 "identity was removed"));
        return;
    }
    if (!s->typed_as_written) {
        problem (v, from,
                 g_strdup_printf ("seal %" G_GINT64_FORMAT " holds a field of the wrong type "
                                  "(edited)",
                                  epoch));
        return;
    }
    if (epoch != v->next_epoch) {
        problem (v, from,
                 g_strdup_printf ("seal %" G_GINT64_FORMAT " is missing (the seals jump from %"
                                  G_GINT64_FORMAT " to %" G_GINT64_FORMAT "): seals were "
                                  "removed",
                                  v->next_epoch, v->next_epoch - 1, epoch));
        v->next_epoch = epoch; /* check the rest against what is there */
    }
    if (s->seq < MAX (v->last_seq, 1) || s->seq > (gint64)v->recs->len) {
        problem (v, from,
                 g_strdup_printf ("seal %" G_GINT64_FORMAT " covers record %" G_GINT64_FORMAT
                                  ", which the chain does not hold in that place (records "
                                  "removed or seals reordered)",
                                  epoch, s->seq));
        v->all_signed = FALSE;
        return;
    }
    if (g_strcmp0 (s->prev_mac, v->prev_mac) != 0)
        problem (v, from,
                 g_strdup_printf ("seal %" G_GINT64_FORMAT " does not follow the seal before it "
                                  "(a seal was removed, reordered or inserted)",
                                  epoch));
    {
        const Rec *rec = &g_array_index (v->recs, Rec, s->seq - 1);
        guint8 head[32];

        if (!hex32 (s->head_hash, head) || !rec->hash_ok || memcmp (head, rec->hash, 32) != 0)
            range_problem (v, from, s->seq,
                     g_strdup_printf ("records %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " no "
                                      "longer match seal %" G_GINT64_FORMAT ": one of them was "
                                      "changed, removed or inserted and the chain recomputed",
                                      from, s->seq, epoch));
    }
    message = kikan_audit_seal_message (v->kiosk_id, epoch, s->seq, s->head_hash, s->at, s->why,
                                        s->prev_mac);
    if (v->have_pk) {
        if (s->signature == NULL || strlen (s->signature) != 2 * sizeof sig
            || sodium_hex2bin (sig, sizeof sig, s->signature, strlen (s->signature), NULL,
                               &siglen, NULL)
                   != 0
            || siglen != sizeof sig
            || crypto_sign_verify_detached (sig, g_bytes_get_data (message, NULL),
                                            g_bytes_get_size (message), v->pk)
                   != 0) {
            v->all_signed = FALSE;
            range_problem (v, from, s->seq,
                     g_strdup_printf ("seal %" G_GINT64_FORMAT " is not signed by this kiosk's "
                                      "key (forged or changed)",
                                      epoch));
        }
    }
    if (v->have_key) {
        char mac[65];

        kikan_audit_seal_mac (v->key, message, mac);
        if (g_strcmp0 (mac, s->mac) != 0)
            range_problem (v, from, s->seq,
                     g_strdup_printf ("seal %" G_GINT64_FORMAT " was not made with the kiosk's "
                                      "sealing key for it: it was forged or re-sealed with a key "
                                      "taken later",
                                      epoch));
    }
    check_record_macs (v, s->seq, epoch);
    g_strlcpy (v->prev_mac, s->mac != NULL ? s->mac : "", sizeof v->prev_mac);
    v->last_seq = s->seq;
    v->next_epoch = epoch + 1;
    if (v->have_key)
        kikan_audit_evolve_key (v->key);
}

void
kikan_audit_verifier_finish (KikanAuditVerifier *v, KikanAuditVerdict *out)
{
    memset (out, 0, sizeof *out);
    if (v->kiosk_id != NULL) {
        if (v->next_epoch == 0)
            problem (v, 1,
                     g_strdup ("the kiosk was initialised but its first seal is missing: seals "
                               "were removed"));
        else
            /* Records after the last seal: MAC'd with the next key. */
            check_record_macs (v, (gint64)v->recs->len, v->next_epoch);
    } else {
        for (guint i = 0; i < v->recs->len; i++)
            if (g_array_index (v->recs, Rec, i).has_mac) {
                problem (v, g_array_index (v->recs, Rec, i).seq,
                         g_strdup ("a record carries a seal MAC but the store has no kiosk "
                                   "identity: the identity was removed"));
                break;
            }
    }
    if (v->range_from != 0 && (v->first_bad == 0 || v->first_bad > v->range_to)) {
        out->first_bad = v->range_from;
        out->why = g_steal_pointer (&v->range_why);
    } else {
        out->first_bad = v->first_bad;
        out->why = g_steal_pointer (&v->why);
    }
    g_free (v->why);
    g_free (v->range_why);
    out->n_records = v->n;
    out->n_seals = v->next_epoch;
    out->last_sealed_seq = MAX (v->last_seq, 0);
    out->seals_signed = v->have_pk && v->all_signed && v->next_epoch > 0;
    out->seals_keyed = v->have_key && v->next_epoch > 0;
    out->head_hash = g_strdup (v->n > 0 ? v->prev : zero_hash);
    sodium_memzero (v->key, sizeof v->key);
    g_array_unref (v->recs);
    g_free (v->kiosk_id);
    g_free (v);
}

void
kikan_audit_verdict_clear (KikanAuditVerdict *v)
{
    g_clear_pointer (&v->why, g_free);
    g_clear_pointer (&v->head_hash, g_free);
    g_clear_pointer (&v->tail_how, g_free);
}
