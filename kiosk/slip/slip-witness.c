/* Kikan kiosk: a slip as a witness of the audit chain (issue #10 item 5;
 * KR-27, KR-32; docs/slip.md "A slip witnesses the chain").
 *
 * Every slip carries the chain head as it stood just before the slip was
 * recorded: a paper copy in the employee's hands of "record N had hash
 * H".  Whoever rewrites the chain afterwards must also make every slip
 * already handed out agree, which they cannot: the slip is signed.  Each
 * check below is named when it fails, so that an auditor knows exactly
 * what does not hold. */
#include <string.h>

#include <sodium.h>

#include "audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "seal-private.h"
#include "slip-private.h"

static void
step (GPtrArray *steps, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
step (GPtrArray *steps, const char *fmt, ...)
{
    va_list ap;

    va_start (ap, fmt);
    g_ptr_array_add (steps, g_strdup_vprintf (fmt, ap));
    va_end (ap);
}

static gboolean
later_decisions (KikanStore *store, gint64 session, gint64 after_seq, const char *number,
                 char **superseded, GError **error)
{
    g_autofree char *latest = NULL, *latest_payload = NULL;
    gint64 decisions = 0;
    sqlite3_stmt *st = kikan_store_prepare (
        store,
        "SELECT (SELECT count(*) FROM audit_records WHERE session_id = ?1 AND seq > ?2 AND kind "
        "IN ('verdict', 'it_action', 'inspection')), (SELECT json_extract (payload, '$.number') "
        "FROM audit_records WHERE session_id = ?1 AND seq > ?2 AND kind = 'slip_issued' ORDER BY "
        "seq DESC LIMIT 1), (SELECT json_extract (payload, '$.payload') FROM audit_records WHERE "
        "session_id = ?1 AND seq > ?2 AND kind = 'slip_issued' ORDER BY seq DESC LIMIT 1)",
        error);

    *superseded = NULL;
    if (st == NULL)
        return FALSE;
    sqlite3_bind_int64 (st, 1, session);
    sqlite3_bind_int64 (st, 2, after_seq);
    if (sqlite3_step (st) == SQLITE_ROW) {
        decisions = sqlite3_column_int64 (st, 0);
        latest = kikan_store_column_dup (st, 1);
        latest_payload = kikan_store_column_dup (st, 2);
    }
    sqlite3_finalize (st);
    if (latest != NULL && g_strcmp0 (latest, number) != 0) {
        g_autoptr (GBytes) lprot = NULL;
        guint8 lsig[KIKAN_SLIP_SIGNATURE_LEN];
        g_autoptr (KikanSlipPayload) lp
            = latest_payload != NULL
                  ? kikan_slip_payload_decode (latest_payload, strlen (latest_payload), &lprot,
                                               lsig, NULL)
                  : NULL;
        g_autofree char *verdict
            = lp != NULL ? g_ascii_strup (kikan_slip_verdict_to_string (lp->verdict), -1)
                         : g_strdup ("(unreadable)");

        *superseded = g_strdup_printf ("SUPERSEDED: the session's decision changed after this "
                                       "slip (%" G_GINT64_FORMAT " later decision%s); the later "
                                       "slip %s says %s and is the one in force",
                                       decisions, decisions == 1 ? "" : "s", latest, verdict);
    } else if (decisions > 0) {
        *superseded = g_strdup_printf ("SUPERSEDED: %" G_GINT64_FORMAT " decision%s were "
                                       "recorded for the session after this slip and no slip "
                                       "was issued since: this slip no longer shows the "
                                       "decision in force (`kikan it show`)",
                                       decisions, decisions == 1 ? "" : "s");
    }
    return TRUE;
}

gboolean
kikan_slip_witness (KikanStore *store, const char *payload, char **failed, GPtrArray **steps_out,
                    char **superseded, GError **error)
{
    g_autoptr (GPtrArray) steps = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (KikanSlipPayload) p = NULL;
    g_autoptr (GBytes) prot = NULL;
    g_autoptr (GError) local = NULL;
    g_autofree char *kiosk_id = NULL, *uuid = NULL, *head_hex = NULL, *rec_hash = NULL;
    g_autofree char *rec_session = NULL, *rec_payload = NULL, *why = NULL;
    guint8 sig[KIKAN_SLIP_SIGNATURE_LEN], pk[KIKAN_AUDIT_PUBLIC_KEY_LEN];
    gint64 issued_seq = 0, issued_session = 0, bad = 0, n = 0;
    sqlite3_stmt *st;
    int rc;

    *failed = NULL;
    if (superseded != NULL)
        *superseded = NULL;
    if ((p = kikan_slip_payload_decode (payload, strlen (payload), &prot, sig, &local)) == NULL) {
        *failed = g_strdup_printf ("decode: %s", local->message);
        goto out;
    }
    step (steps, "decoded slip %s of kiosk %s", p->number, p->kiosk_id);
    if (!kikan_audit_identity (store, &kiosk_id, pk, error)) {
        if (error != NULL && *error != NULL)
            return FALSE;
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND,
                     "This kiosk has no signing key (`kikan audit init` was never run): it "
                     "cannot have issued a signed slip.");
        return FALSE;
    }
    if (!kikan_slip_signature_ok (prot, sig, pk)) {
        *failed = g_strdup ("signature: the slip was not signed by this kiosk's key (forged, "
                            "changed, or issued by another kiosk)");
        goto out;
    }
    if (strcmp (p->kiosk_id, kiosk_id) != 0) {
        *failed = g_strdup ("kiosk: the slip names another kiosk than this store's identity");
        goto out;
    }
    step (steps, "signature valid (this kiosk's key)");

    /* Record chain_seq exists and its hash starts with the slip's bytes. */
    head_hex = g_malloc (2 * KIKAN_SLIP_HEAD_LEN + 1);
    sodium_bin2hex (head_hex, 2 * KIKAN_SLIP_HEAD_LEN + 1, p->chain_head, KIKAN_SLIP_HEAD_LEN);
    if (p->chain_seq == 0) {
        static const char zeros[] = "00000000000000000000000000000000";

        if (strcmp (head_hex, zeros) != 0) {
            *failed = g_strdup ("chain head: the slip names record 0 with a hash that is not "
                                "the empty chain's");
            goto out;
        }
    } else {
        if ((st = kikan_store_prepare (store, "SELECT hash FROM audit_records WHERE seq = ?",
                                       error))
            == NULL)
            return FALSE;
        sqlite3_bind_int64 (st, 1, p->chain_seq);
        rc = sqlite3_step (st);
        if (rc == SQLITE_ROW)
            rec_hash = kikan_store_column_dup (st, 0);
        sqlite3_finalize (st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return kikan_store_fail (store, "Could not read the audit chain", error);
        if (rec_hash == NULL) {
            *failed = g_strdup_printf ("chain head: the audit chain has no record %" G_GINT64_FORMAT
                                       " (records were removed, or the chain was replaced)",
                                       p->chain_seq);
            goto out;
        }
        if (g_ascii_strncasecmp (rec_hash, head_hex, 2 * KIKAN_SLIP_HEAD_LEN) != 0) {
            *failed = g_strdup_printf ("chain head: record %" G_GINT64_FORMAT " of the audit "
                                       "chain does not have the hash the slip carries (%s…): the "
                                       "chain was rewritten after the slip was issued",
                                       p->chain_seq, head_hex);
            goto out;
        }
    }
    step (steps, "audit record %" G_GINT64_FORMAT " has the hash the slip carries (%s…)",
          p->chain_seq, head_hex);

    /* The slip_issued record of this number, after the head it carries. */
    if ((st = kikan_store_prepare (store,
                                   "SELECT seq, session_id, json_extract (payload, '$.session'), "
                                   "json_extract (payload, '$.payload') FROM audit_records WHERE "
                                   "kind = 'slip_issued' AND json_extract (payload, '$.number') = ? "
                                   "ORDER BY seq LIMIT 1",
                                   error))
        == NULL)
        return FALSE;
    kikan_store_bind_text (st, 1, p->number);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        issued_seq = sqlite3_column_int64 (st, 0);
        issued_session = sqlite3_column_int64 (st, 1);
        rec_session = kikan_store_column_dup (st, 2);
        rec_payload = kikan_store_column_dup (st, 3);
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return kikan_store_fail (store, "Could not read the audit chain", error);
    if (issued_seq == 0) {
        *failed = g_strdup_printf ("issued record: the audit chain has no \"slip_issued\" record "
                                   "of slip %s",
                                   p->number);
        goto out;
    }
    if (issued_seq <= p->chain_seq) {
        *failed = g_strdup_printf ("issued record: slip %s's record (%" G_GINT64_FORMAT ") is "
                                   "not after the head it carries (%" G_GINT64_FORMAT ")",
                                   p->number, issued_seq, p->chain_seq);
        goto out;
    }
    /* The record carries this very slip: same signed bytes, same signature. */
    {
        g_autoptr (GBytes) rprot = NULL;
        guint8 rsig[KIKAN_SLIP_SIGNATURE_LEN];
        g_autoptr (KikanSlipPayload) rp
            = rec_payload != NULL
                  ? kikan_slip_payload_decode (rec_payload, strlen (rec_payload), &rprot, rsig,
                                               NULL)
                  : NULL;

        if (rp == NULL || !g_bytes_equal (rprot, prot) || memcmp (rsig, sig, sizeof sig) != 0) {
            *failed = g_strdup_printf ("issued record: record %" G_GINT64_FORMAT " of slip %s "
                                       "carries another payload than this one",
                                       issued_seq, p->number);
            goto out;
        }
    }
    step (steps, "audit record %" G_GINT64_FORMAT " recorded the issue of slip %s", issued_seq,
          p->number);

    /* Its session is the slip's. */
    uuid = kikan_slip_uuid_format (p->session);
    {
        g_autofree char *stored_uuid = NULL;

        if ((st = kikan_store_prepare (store, "SELECT uuid FROM sessions WHERE id = ?", error))
            == NULL)
            return FALSE;
        sqlite3_bind_int64 (st, 1, issued_session);
        if (sqlite3_step (st) == SQLITE_ROW)
            stored_uuid = kikan_store_column_dup (st, 0);
        sqlite3_finalize (st);
        if (g_strcmp0 (rec_session, uuid) != 0 || g_ascii_strcasecmp (stored_uuid ? stored_uuid
                                                                                  : "",
                                                                      uuid)
                                                      != 0) {
            *failed = g_strdup_printf ("session: slip %s's record names another session than "
                                       "the slip (%s)",
                                       p->number, uuid);
            goto out;
        }
    }
    step (steps, "session %s matches", uuid);

    /* The chain itself, up to and past the slip's record. */
    if (!kikan_audit_verify (store, &bad, &why, &n, error))
        return FALSE;
    if (bad != 0 && bad <= issued_seq) {
        *failed = g_strdup_printf ("chain: the audit chain is broken at record %" G_GINT64_FORMAT
                                   " (%s), before the slip's record",
                                   bad, why);
        goto out;
    }
    step (steps, "the audit chain holds up to record %" G_GINT64_FORMAT " (of %" G_GINT64_FORMAT
          ")%s",
          bad != 0 ? bad - 1 : n, n, bad != 0 ? ": run `kikan audit verify`" : "");

    /* What happened to the session after the slip: a slip is genuine for
     * ever, but the decision in force may have changed since (an IT
     * override, a late inspection, a slip issued again). */
    if (superseded != NULL && !later_decisions (store, issued_session, issued_seq, p->number,
                                                superseded, error))
        return FALSE;

out:
    if (steps_out != NULL)
        *steps_out = g_steal_pointer (&steps);
    return TRUE;
}
