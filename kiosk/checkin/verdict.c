/* Kikan kiosk: the verdict engine (issue #9 item 5; docs/verdicts.md).
 *
 * Every rule below is one line of the table-driven test in
 * tests/unit/test-kiosk-verdict.c.  The shape of each rule: what evidence,
 * which code (reasons.c gives its level, provenance and text), and why a
 * demanding administrator wants it that way when 5.4 does not say. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error-private.h"
#include "escape-private.h"
#include "verdict-private.h"

/* ---- names ---- */

static const char *const item_type_names[]
    = { "none", "laptop", "usb", "phone", "token", "other" };

const char *
kikan_item_type_to_string (KikanItemType t)
{
    g_return_val_if_fail ((guint)t < G_N_ELEMENTS (item_type_names), "none");
    return item_type_names[t];
}

gboolean
kikan_item_type_from_string (const char *s, KikanItemType *out)
{
    if (s == NULL)
        return FALSE;
    for (guint i = 1; i < G_N_ELEMENTS (item_type_names); i++) {
        if (strcmp (s, item_type_names[i]) == 0) {
            *out = (KikanItemType)i;
            return TRUE;
        }
    }
    return FALSE;
}

static const char *const presence_names[]
    = { "undeclared", "present", "at_home", "lost", "stolen", "damaged", "transferred" };

const char *
kikan_presence_to_string (KikanPresence p)
{
    g_return_val_if_fail ((guint)p < G_N_ELEMENTS (presence_names), "undeclared");
    return presence_names[p];
}

gboolean
kikan_presence_from_string (const char *s, KikanPresence *out)
{
    if (s == NULL)
        return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS (presence_names); i++) {
        if (strcmp (s, presence_names[i]) == 0) {
            *out = (KikanPresence)i;
            return TRUE;
        }
    }
    return FALSE;
}

const char *
kikan_it_action_kind_to_string (KikanItActionKind k)
{
    return k == KIKAN_IT_OVERRIDE ? "override" : "resolve";
}

gboolean
kikan_it_action_kind_from_string (const char *s, KikanItActionKind *out)
{
    if (g_strcmp0 (s, "resolve") == 0)
        *out = KIKAN_IT_RESOLVE;
    else if (g_strcmp0 (s, "override") == 0)
        *out = KIKAN_IT_OVERRIDE;
    else
        return FALSE;
    return TRUE;
}

/* ---- results ---- */

void
kikan_verdict_reason_free (KikanVerdictReason *r)
{
    if (r == NULL)
        return;
    g_free (r->code);
    g_free (r->text);
    g_free (r->condition);
    g_free (r->until);
    g_free (r);
}

static void
it_action_free (gpointer p)
{
    KikanItAction *a = p;

    g_free (a->by);
    g_free (a->reason);
    g_free (a->at);
    g_free (a);
}

KikanVerdictResult *
kikan_verdict_result_new (void)
{
    KikanVerdictResult *r = g_new0 (KikanVerdictResult, 1);

    r->reasons = g_ptr_array_new_with_free_func ((GDestroyNotify)kikan_verdict_reason_free);
    r->it_actions = g_ptr_array_new_with_free_func (it_action_free);
    return r;
}

void
kikan_verdict_result_free (KikanVerdictResult *r)
{
    if (r == NULL)
        return;
    g_ptr_array_unref (r->reasons);
    g_ptr_array_unref (r->it_actions);
    g_free (r);
}

const KikanVerdictReason *
kikan_verdict_result_find (const KikanVerdictResult *r, const char *code)
{
    for (guint i = 0; i < r->reasons->len; i++) {
        const KikanVerdictReason *x = g_ptr_array_index (r->reasons, i);

        if (strcmp (x->code, code) == 0)
            return x;
    }
    return NULL;
}

void
kikan_session_verdict_free (KikanSessionVerdict *v)
{
    if (v == NULL)
        return;
    kikan_verdict_result_free (v->session);
    g_ptr_array_unref (v->items);
    g_free (v);
}

/* ---- building reasons ---- */

/* What a CONDITIONAL reason asks before or after reconnecting (KR-28). */
static const char *
default_condition (const char *code)
{
    static const struct {
        const char *code;
        const char *condition;
    } conditions[] = {
        { "MAL-06", "Update or re-enable the antivirus on the remediation segment, then re-check "
                    "at the kiosk" },
        { "UPD-01", "Install the updates on the remediation segment, then re-check at the kiosk" },
        { "DEC-02", "IT follows up the use of the personal device; work data must stay deleted "
                    "from it" },
        { "DEC-05", "Reset the password or have the token reissued before reconnecting" },
        { "PROC-03", "Enhanced network monitoring" },
        { "PROC-04", "Re-check at the kiosk after remediation" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (conditions); i++) {
        if (strcmp (conditions[i].code, code) == 0)
            return conditions[i].condition;
    }
    return "Remediate on the remediation segment, then re-check at the kiosk";
}

/* Appends a reason @code to @r, or, when @r already has one with that
 * code and @merge is not NULL, appends @merge to it (the worse level
 * wins): one line per code and item on the slip, every subject kept.
 * @level < 0: the table's level.  Variadic: placeholder name/value
 * pairs, then NULL; as many as the caller gives, so no pair is ever
 * dropped from a slip line. */
static KikanVerdictReason *
add_reason_full (KikanVerdictResult *r, const char *code, KikanProvenance prov, int level,
                 gboolean info, const char *detail, const char *merge, ...)
{
    const KikanReasonDef *def = kikan_reason_def_lookup (code);
    g_autoptr (GPtrArray) keys = NULL, values = NULL;
    KikanVerdictReason *x = NULL;
    va_list ap;

    /* Every code here is a literal of this file, and test_rows_cover_table
     * ties them to the table: an unknown one is a programming error, and a
     * slip line without its text is worse than stopping. */
    g_assert (def != NULL);
    if (level < 0) {
        level = (int)def->level;
        info = def->info;
    }
    if (merge != NULL) {
        for (guint i = 0; i < r->reasons->len; i++) {
            KikanVerdictReason *y = g_ptr_array_index (r->reasons, i);

            if (strcmp (y->code, code) != 0)
                continue;
            if (merge[0] != '\0' && strstr (y->text, merge) == NULL) {
                g_autofree char *t = g_strconcat (y->text, "; ", merge, NULL);

                g_free (y->text);
                y->text = g_steal_pointer (&t);
            }
            if (!info && (y->info || (int)y->level < level)) {
                y->info = FALSE;
                y->level = (KikanVerdict)level;
                /* A condition is what clears a CONDITIONAL line; raised
                 * above it, the line holds, and a slip that still showed
                 * "cleared once you …" beside HOLD would promise what IT
                 * has not decided. */
                if (y->level != KIKAN_VERDICT_CONDITIONAL)
                    g_clear_pointer (&y->condition, g_free);
            }
            x = y;
            goto out;
        }
    }
    keys = g_ptr_array_new ();
    values = g_ptr_array_new ();
    va_start (ap, merge);
    for (const char *k; (k = va_arg (ap, const char *)) != NULL;) {
        g_ptr_array_add (keys, (gpointer)k);
        g_ptr_array_add (values, (gpointer)va_arg (ap, const char *));
    }
    va_end (ap);

    x = g_new0 (KikanVerdictReason, 1);
    x->code = g_strdup (code);
    x->provenance = prov;
    x->level = info ? KIKAN_VERDICT_CLEARED : (KikanVerdict)level;
    x->info = info;
    x->text = kikan_reason_fill (def->text, (const char *const *)keys->pdata,
                                 (const char *const *)values->pdata, keys->len);
    if (detail != NULL && detail[0] != '\0') {
        g_autofree char *t = g_strconcat (x->text, " – ", detail, NULL);

        g_free (x->text);
        x->text = g_steal_pointer (&t);
    }
    g_ptr_array_add (r->reasons, x);
out:
    if (!x->info && x->level == KIKAN_VERDICT_CONDITIONAL && x->condition == NULL)
        x->condition = g_strdup (default_condition (code));
    return x;
}

/* At the table's level. */
#define add_reason(r, code, prov, detail, ...)                                                    \
    add_reason_full (r, code, prov, -1, FALSE, detail, NULL, __VA_ARGS__)

KikanVerdictReason *
kikan_verdict_result_add_reason (KikanVerdictResult *r, const char *code, KikanProvenance prov,
                                 const char *detail)
{
    return add_reason (r, code, prov, detail, NULL);
}

static KikanVerdict
worst_of_reasons (const KikanVerdictResult *r)
{
    KikanVerdict v = KIKAN_VERDICT_CLEARED;

    for (guint i = 0; i < r->reasons->len; i++) {
        const KikanVerdictReason *x = g_ptr_array_index (r->reasons, i);

        if (!x->info)
            v = kikan_verdict_worst (v, x->level);
    }
    return v;
}

static gboolean
nonempty (const char *s)
{
    return s != NULL && s[0] != '\0';
}

static const char *
or_default (const char *s, const char *dflt)
{
    return nonempty (s) ? s : dflt;
}

/* ---- one item ---- */

static gboolean
is_medium (const KikanItemEvidence *it)
{
    /* What the device itself offers beats what the ledger calls it: a
     * "token" that is also a USB mass-storage device is a medium. */
    return it->asset_id == NULL || it->type == KIKAN_ITEM_TYPE_USB
           || it->type == KIKAN_ITEM_TYPE_NONE || it->offers_storage;
}

static gboolean
has_prefix (const char *s, const char *p)
{
    return strncmp (s, p, strlen (p)) == 0;
}

/* Where the rules for inventory (INV-*) end and the medium begins. */
static void
evaluate_absent (KikanVerdictResult *r, const KikanItemEvidence *it)
{
    const char *d = NULL;

    switch (it->presence) {
    case KIKAN_PRESENCE_AT_HOME:
        add_reason (r, "INV-02", KIKAN_PROVENANCE_DECLARED, NULL, "date",
                    or_default (it->return_by, "no date given"), NULL);
        break;
    case KIKAN_PRESENCE_LOST:
    case KIKAN_PRESENCE_STOLEN:
        add_reason (r, "INV-03", KIKAN_PROVENANCE_DECLARED, NULL, "how",
                    it->presence == KIKAN_PRESENCE_LOST ? "lost" : "stolen", "incident",
                    or_default (it->incident, "(number not yet assigned)"), NULL);
        break;
    case KIKAN_PRESENCE_DAMAGED:
        add_reason (r, "INV-04", KIKAN_PROVENANCE_DECLARED, NULL, NULL);
        break;
    case KIKAN_PRESENCE_TRANSFERRED:
        d = it->transferred_to;
        {
            g_autofree char *detail
                = g_strdup_printf ("handed to %s", or_default (d, "someone not named"));

            add_reason (r, "INV-07", KIKAN_PROVENANCE_DECLARED, detail, NULL);
        }
        break;
    case KIKAN_PRESENCE_UNDECLARED:
    default:
        /* KR-03: an item neither presented nor declared is never silently
         * fine; it is not returned, and the declaration is incomplete. */
        add_reason_full (r, "DEC-11", KIKAN_PROVENANCE_DECLARED, KIKAN_VERDICT_NOT_RETURNED, FALSE,
                         "item not presented and not declared", NULL, NULL);
        break;
    }
    if (it->type == KIKAN_ITEM_TYPE_TOKEN)
        add_reason (r, "INV-08", KIKAN_PROVENANCE_MEASURED, NULL, NULL);
}

static void
evaluate_identity (KikanVerdictResult *r, const KikanItemEvidence *it)
{
    gboolean matched = TRUE;

    if (it->asset_id == NULL || it->usb_state == KIKAN_USB_UNREGISTERED) {
        add_reason (r, "INV-06", KIKAN_PROVENANCE_MEASURED, it->usb_detail, NULL);
        matched = FALSE;
    }
    if (it->serial_mismatch) {
        add_reason_full (r, "INV-05", KIKAN_PROVENANCE_MEASURED, -1, FALSE,
                         or_default (it->serial_detail, "serial differs"),
                         or_default (it->serial_detail, "serial differs"), NULL);
        matched = FALSE;
    }
    if (it->usb_state == KIKAN_USB_MISMATCH) {
        add_reason_full (r, "INV-05", KIKAN_PROVENANCE_MEASURED, -1, FALSE,
                         or_default (it->usb_detail, "USB identity differs from the register"),
                         or_default (it->usb_detail, "USB identity differs from the register"),
                         NULL);
        matched = FALSE;
    }
    if (it->badusb)
        add_reason (r, "USB-01", KIKAN_PROVENANCE_MEASURED, it->badusb_detail, NULL);
    if (it->usb_interfaces_unknown)
        add_reason (r, "USB-02", KIKAN_PROVENANCE_MEASURED, it->usb_interfaces_detail, NULL);
    if (it->asset_id != NULL && !it->lent) {
        /* A registered asset that is not on this employee's loans: whose
         * is it?  IT finds out before it goes anywhere. */
        add_reason_full (r, "INV-07", KIKAN_PROVENANCE_MEASURED, -1, FALSE,
                         "not on the loans of the person returning it", NULL, NULL);
        matched = FALSE;
    }
    if (matched)
        add_reason (r, "INV-01", KIKAN_PROVENANCE_MEASURED, NULL, "what", "Item", NULL);
}

/* Why content was not inspected, collected into one MAL-04 per item. */
static void
not_inspected (KikanVerdictResult *r, const char *why)
{
    add_reason_full (r, "MAL-04", KIKAN_PROVENANCE_MEASURED, -1, FALSE, NULL, why, "why", why,
                     NULL);
}

/* Detections are positive evidence: they count even from a scan that did
 * not finish (removed, failed).  Heuristics.Limits/Encrypted mean "not
 * inspected" (KR-09, KR-10); other Heuristics.* are suspicious (MAL-03);
 * anything else, PUA included (docs/policy.md), is malware (MAL-02). */
static void
evaluate_detections (KikanVerdictResult *r, const KikanInspectionEvidence *in)
{
    guint n_heur = in->n_heuristic;
    const KikanVerdictDetection *first_heur = NULL;

    for (gsize i = 0; i < in->n_detections; i++) {
        const KikanVerdictDetection *d = &in->detections[i];
        const char *sig = or_default (d->signature, "unnamed detection");
        const char *path = or_default (d->path, "an unnamed file");

        if (has_prefix (sig, "Heuristics.Limits.Exceeded")
            || has_prefix (sig, "Heuristics.Encrypted")) {
            g_autofree char *why = g_strdup_printf ("%s (%s)", path, sig);

            not_inspected (r, why);
        } else if (has_prefix (sig, "Heuristics.")) {
            n_heur++;
            if (first_heur == NULL)
                first_heur = d;
        } else {
            add_reason (r, "MAL-02", KIKAN_PROVENANCE_MEASURED, NULL, "signature", sig, "file",
                        path, NULL);
        }
    }
    if (n_heur > 0) {
        g_autofree char *detail
            = first_heur != NULL
                  ? g_strdup_printf ("%u heuristic detection%s, first %s on %s", n_heur,
                                     n_heur == 1 ? "" : "s",
                                     or_default (first_heur->signature, "?"),
                                     or_default (first_heur->path, "an unnamed file"))
                  : g_strdup_printf ("%u heuristic detection%s", n_heur, n_heur == 1 ? "" : "s");

        add_reason_full (r, "MAL-03", KIKAN_PROVENANCE_MEASURED, -1, FALSE, detail, detail, NULL);
    }
}

static KikanVerdict
level_of_finding (KikanLevel l, gboolean *info)
{
    *info = FALSE;
    switch (l) {
    case KIKAN_LEVEL_INFO:
        *info = TRUE;
        return KIKAN_VERDICT_CLEARED;
    case KIKAN_LEVEL_CONDITIONAL:
        return KIKAN_VERDICT_CONDITIONAL;
    case KIKAN_LEVEL_QUARANTINE:
        return KIKAN_VERDICT_QUARANTINE;
    case KIKAN_LEVEL_HOLD:
    default:
        return KIKAN_VERDICT_HOLD;
    }
}

/* Software and update findings (kiosk/software/posture-private.h), each
 * under its slip code at its own level, provenance M (the kiosk read the
 * disk itself); one line per code, every subject kept.  @partial: the
 * scan did not finish, so only what holds or quarantines counts. */
static void
evaluate_findings (KikanVerdictResult *r, GPtrArray *findings, gboolean partial)
{
    if (findings == NULL)
        return;
    for (guint i = 0; i < findings->len; i++) {
        const KikanFinding *f = g_ptr_array_index (findings, i);
        const char *slip = f->slip_code;
        const char *subject = or_default (f->subject, or_default (f->code, "unnamed"));
        gboolean info;
        KikanVerdict level = level_of_finding (f->level, &info);

        if (partial && (info || level < KIKAN_VERDICT_HOLD))
            continue;
        if (kikan_reason_def_lookup (slip) == NULL) {
            /* A finding this engine does not know: never ignored. */
            g_autofree char *why
                = g_strdup_printf ("unknown finding %s: %s", or_default (f->code, "?"), subject);

            add_reason_full (r, "UPD-04", KIKAN_PROVENANCE_MEASURED, KIKAN_VERDICT_HOLD, FALSE,
                             why, why, NULL);
            continue;
        }
        if (strcmp (slip, "MAL-04") == 0) {
            not_inspected (r, or_default (f->detail, subject));
        } else if (strcmp (slip, "MAL-05") == 0) {
            add_reason_full (r, "MAL-05", KIKAN_PROVENANCE_MEASURED, -1, FALSE, f->detail, "",
                             "days", "the allowed number of", NULL);
        } else if (strcmp (slip, "SW-01") == 0 || strcmp (slip, "SW-03") == 0) {
            add_reason_full (r, slip, KIKAN_PROVENANCE_MEASURED, (int)level, info, NULL, subject,
                             "how", "found", "list", subject, NULL);
        } else if (strcmp (slip, "UPD-02") == 0) {
            add_reason_full (r, slip, KIKAN_PROVENANCE_MEASURED, (int)level, info, NULL, subject,
                             "name", subject, NULL);
        } else if (strcmp (slip, "SW-05") == 0) {
            g_autofree char *more = g_strdup_printf ("%s (%s, until %s)", subject,
                                                     or_default (f->ticket, "no ticket"),
                                                     or_default (f->expires, "no date"));

            add_reason_full (r, slip, KIKAN_PROVENANCE_MEASURED, (int)level, info, subject, more,
                             "ticket", or_default (f->ticket, "(no ticket)"), "date",
                             or_default (f->expires, "(no date)"), NULL);
        } else {
            add_reason_full (r, slip, KIKAN_PROVENANCE_MEASURED, (int)level, info, subject,
                             subject, NULL);
        }
    }
}

static gboolean
work_data_declared (const KikanDeclaration *decl)
{
    /* KR-14: work data above "public" (or of a level not said) on media
     * needs encryption whatever the ledger says; so does personal data
     * (yes or not sure) whatever level was typed (Case 2, KR-47). */
    return decl != NULL && kikan_answer_is_yes (decl->answer[10])
           && (decl->q10_classification != KIKAN_CLASSIFICATION_PUBLIC
               || kikan_answer_is_yes (decl->q10_personal_data));
}

static void
evaluate_encryption (KikanVerdictResult *r, const KikanItemEvidence *it,
                     const KikanDeclaration *decl)
{
    const KikanInspectionEvidence *in = &it->inspection;
    gboolean done = in->state == KIKAN_INSPECTION_DONE;
    gboolean needs = it->encryption_required || it->asset_id == NULL || work_data_declared (decl);
    gboolean detected_plain = FALSE, detected_encrypted = FALSE;

    if (it->hw_encrypted) {
        /* A hardware-encrypted model unlocked on its own keypad reads as
         * a plain file system: the model is the evidence (KR-13). */
        g_autofree char *type = g_strdup_printf ("hardware-encrypted model %s",
                                                 or_default (it->hw_model, "(unnamed)"));

        add_reason (r, "ENC-01", KIKAN_PROVENANCE_MEASURED, NULL, "type", type, NULL);
        detected_encrypted = TRUE;
    } else if (done) {
        switch (in->encryption) {
        case KIKAN_ENCRYPTION_PLAIN:
        case KIKAN_ENCRYPTION_MIXED:
            detected_plain = TRUE;
            if (needs) {
                GString *why = g_string_new (in->encryption == KIKAN_ENCRYPTION_MIXED
                                                 ? "some volumes are not encrypted"
                                                 : "no encryption found");

                if (it->encryption_required || it->asset_id == NULL)
                    g_string_append (why, it->asset_id == NULL
                                              ? "; an unregistered medium must be encrypted"
                                              : "; the ledger requires encryption");
                if (work_data_declared (decl))
                    g_string_append (why, "; work data declared on it (Q10)");
                add_reason (r, "ENC-02", KIKAN_PROVENANCE_MEASURED, why->str, NULL);
                g_string_free (why, TRUE);
            }
            break;
        case KIKAN_ENCRYPTION_ENCRYPTED: {
            g_autofree char *type = g_strdup_printf (
                "%s, %s", or_default (in->encryption_kind, "type not named"),
                in->unlocked ? "unlocked and inspected at the kiosk" : "not unlocked");

            add_reason (r, "ENC-01", KIKAN_PROVENANCE_MEASURED, NULL, "type", type, NULL);
            detected_encrypted = TRUE;
            break;
        }
        case KIKAN_ENCRYPTION_UNKNOWN:
        case KIKAN_ENCRYPTION_UNSET:
        default:
            add_reason (r, "ENC-03", KIKAN_PROVENANCE_MEASURED, NULL, NULL);
            break;
        }
    }
    /* KR-18: declared versus detected; "not sure" never mismatches. */
    if ((it->declared_encrypted == KIKAN_ANSWER_YES && detected_plain)
        || (it->declared_encrypted == KIKAN_ANSWER_NO && detected_encrypted))
        add_reason (r, "ENC-06", KIKAN_PROVENANCE_MEASURED,
                    detected_plain ? "declared encrypted, found unencrypted"
                                   : "declared unencrypted, found encrypted",
                    NULL);
}

static void
evaluate_inspection (KikanVerdictResult *r, const KikanItemEvidence *it)
{
    const KikanInspectionEvidence *in = &it->inspection;
    const KikanSignatureEvidence *sig = &in->signatures;

    switch (in->state) {
    case KIKAN_INSPECTION_PENDING:
        not_inspected (r, or_default (in->detail, "inspection pending, kept by IT"));
        return;
    case KIKAN_INSPECTION_DONE:
        break;
    case KIKAN_INSPECTION_REMOVED:
    case KIKAN_INSPECTION_FAILED:
    case KIKAN_INSPECTION_NONE: /* never here: kikan_verdict_evaluate_item() */
    default: {
        /* Nothing from a partial scan is reported clean; what it found
         * still counts.  A state this engine does not know (a damaged row,
         * a newer caller) is no scan at all: not inspected, never an
         * abort of the kiosk in the middle of a check-in. */
        const char *cause = in->state == KIKAN_INSPECTION_REMOVED  ? "removed during inspection"
                            : in->state == KIKAN_INSPECTION_FAILED ? "inspection failed"
                                                                   : "inspection state unknown";
        g_autofree char *why = g_strdup_printf ("%s%s%s", cause, nonempty (in->detail) ? ": " : "",
                                                nonempty (in->detail) ? in->detail : "");

        not_inspected (r, why);
        evaluate_detections (r, in);
        evaluate_findings (r, in->findings, TRUE);
        return;
    }
    }

    evaluate_detections (r, in);
    if (in->n_not_inspected > 0) {
        g_autofree char *why = g_strdup_printf (
            "%u item%s not inspected, first %s (%s)", in->n_not_inspected,
            in->n_not_inspected == 1 ? "" : "s", or_default (in->not_inspected_path, "(unnamed)"),
            or_default (in->not_inspected_reason, "no reason given"));

        not_inspected (r, why);
    } else if (in->result == KIKAN_SCAN_NOT_INSPECTED || in->result == KIKAN_SCAN_UNSET) {
        not_inspected (r, or_default (in->detail, "the scan gave no complete result"));
    } else if (in->result != KIKAN_SCAN_CLEAN && in->result != KIKAN_SCAN_INFECTED) {
        /* Only CLEAN and INFECTED say the content was read.  A result
         * this engine does not know (a damaged row, a newer caller) is no
         * result, as an unknown inspection state is above (KR-10). */
        not_inspected (r, "scan result unknown");
    }
    if ((in->encryption == KIKAN_ENCRYPTION_ENCRYPTED || in->encryption == KIKAN_ENCRYPTION_MIXED)
        && !in->unlocked)
        not_inspected (r, "encrypted volume not unlocked");
    if (in->result == KIKAN_SCAN_INFECTED && kikan_verdict_result_find (r, "MAL-02") == NULL
        && kikan_verdict_result_find (r, "MAL-03") == NULL) {
        /* Infected with no detection named: fail closed as malware. */
        add_reason (r, "MAL-02", KIKAN_PROVENANCE_MEASURED, NULL, "signature", "unnamed detection",
                    "file", "(not reported)", NULL);
    }
    evaluate_findings (r, in->findings, FALSE);
    /* KR-19, KR-46: a laptop's (or phone's) disk read to the end with no
     * operating system on it gives no posture at all: never assumed
     * compliant. */
    if ((it->type == KIKAN_ITEM_TYPE_LAPTOP || it->type == KIKAN_ITEM_TYPE_PHONE)
        && in->n_systems == 0 && kikan_verdict_result_find (r, "UPD-04") == NULL)
        add_reason (r, "UPD-04", KIKAN_PROVENANCE_MEASURED,
                    "no operating system was found on its disk, so its updates and antivirus "
                    "could not be measured", NULL);
    if (!sig->fresh) {
        char days[16];

        if (sig->max_age_days > 0)
            g_snprintf (days, sizeof days, "%u", sig->max_age_days);
        add_reason_full (r, "MAL-05", KIKAN_PROVENANCE_MEASURED, -1, FALSE,
                         or_default (sig->detail, "signatures not known to be fresh"), "", "days",
                         sig->max_age_days > 0 ? days : "the allowed number of", NULL);
    }
    if (in->result == KIKAN_SCAN_CLEAN && in->n_detections == 0 && in->n_heuristic == 0
        && in->n_not_inspected == 0 && sig->fresh
        && kikan_verdict_result_find (r, "MAL-04") == NULL
        && kikan_verdict_result_find (r, "MAL-05") == NULL)
        add_reason (r, "MAL-01", KIKAN_PROVENANCE_MEASURED, NULL, "version",
                    or_default (sig->version, "unknown"), "date",
                    or_default (sig->date, "unknown"), NULL);
    /* PROC-04 (5.4: after UPD/MAL-06): remediation is followed by a re-check. */
    if (kikan_verdict_result_find (r, "UPD-01") != NULL
        || kikan_verdict_result_find (r, "MAL-06") != NULL)
        add_reason_full (r, "PROC-04", KIKAN_PROVENANCE_MEASURED, -1, FALSE, NULL, "", NULL);
}

void
kikan_verdict_result_finish (KikanVerdictResult *r)
{
    r->verdict = worst_of_reasons (r);
    /* Every path above gives at least one reason (INV-01 at the very
     * least); a verdict nobody can explain on the slip is never CLEARED. */
    if (r->reasons->len == 0) {
        g_critical ("verdict: an item with no reason; holding it");
        r->verdict = KIKAN_VERDICT_HOLD;
    }
}

KikanVerdictResult *
kikan_verdict_evaluate_item (const KikanItemEvidence *it, const KikanDeclaration *decl)
{
    KikanVerdictResult *r = kikan_verdict_result_new ();

    /* A zeroed result is CLEARED: the misuse below must not return that. */
    r->verdict = KIKAN_VERDICT_HOLD;
    g_return_val_if_fail (it != NULL, r);
    if (it->presence != KIKAN_PRESENCE_PRESENT) {
        /* What is not here cannot have been inspected: evidence of an
         * inspection on an absent item is ignored, never credited. */
        evaluate_absent (r, it);
    } else {
        evaluate_identity (r, it);
        if (it->inspection.state != KIKAN_INSPECTION_NONE) {
            evaluate_inspection (r, it);
        } else if (it->type == KIKAN_ITEM_TYPE_LAPTOP || it->type == KIKAN_ITEM_TYPE_PHONE) {
            /* KR-19: no disk inspected and no report: never assume compliance. */
            add_reason (r, "UPD-04", KIKAN_PROVENANCE_MEASURED, NULL, NULL);
        } else if (is_medium (it)) {
            not_inspected (r, "no medium was read");
        }
        evaluate_encryption (r, it, decl);
    }
    kikan_verdict_result_finish (r);
    return r;
}

/* ---- the session ---- */

void
kikan_session_evidence_holdings (const KikanSessionEvidence *ev, KikanHoldings *out)
{
    memset (out, 0, sizeof *out);
    for (gsize i = 0; i < ev->n_items; i++) {
        const KikanItemEvidence *it = &ev->items[i];

        if (it->asset_id == NULL) {
            out->media_declared = TRUE;
            continue;
        }
        if (!it->lent)
            continue;
        switch (it->type) {
        case KIKAN_ITEM_TYPE_LAPTOP:
            out->laptop = TRUE;
            break;
        case KIKAN_ITEM_TYPE_PHONE:
            out->phone = TRUE;
            break;
        case KIKAN_ITEM_TYPE_USB:
        case KIKAN_ITEM_TYPE_NONE:
            out->usb = TRUE;
            break;
        case KIKAN_ITEM_TYPE_TOKEN:
            out->token = TRUE;
            break;
        case KIKAN_ITEM_TYPE_OTHER:
        default:
            out->other = TRUE;
            break;
        }
    }
    if (ev->declaration != NULL && kikan_answer_is_yes (ev->declaration->answer[9]))
        out->media_declared = TRUE;
}

static gboolean
yes (const KikanDeclaration *d, guint q)
{
    return kikan_answer_is_yes (d->answer[q]);
}

static void
evaluate_declaration (KikanVerdictResult *s, const KikanDeclaration *d, const KikanHoldings *h)
{
    const KikanProvenance D = KIKAN_PROVENANCE_DECLARED;
    guint missing[KIKAN_N_QUESTIONS];
    guint n_missing;
    GString *dec11 = g_string_new (NULL);

    /* Every answer counts, asked or not: a "yes" is never discarded. */
    if (yes (d, 2))
        add_reason (s, "DEC-10", D, NULL, "incident",
                    or_default (d->incident[2], "not yet assigned"), NULL);
    if (yes (d, 3))
        add_reason (s, "SW-01", D, NULL, "how", "declared", "list",
                    or_default (d->text[3], "names not given"), NULL);
    if (yes (d, 4))
        add_reason (s, "SW-02", D, d->text[4], NULL);
    if (yes (d, 5))
        add_reason (s, "DEC-01", D, NULL, "incident",
                    or_default (d->incident[5], "not yet assigned"), NULL);
    if (yes (d, 6))
        add_reason (s, "DEC-04", D, NULL, "incident",
                    or_default (d->incident[6], "not yet assigned"), NULL);
    if (yes (d, 7)) {
        /* KR-22: only a confirmed deletion makes it a condition. */
        gboolean deleted = d->byod_data_deleted == KIKAN_ANSWER_YES;
        g_autofree char *detail = g_strdup_printf (
            "%s%s", nonempty (d->byod_device) ? d->byod_device : "device not named",
            deleted ? "; deletion of work data confirmed"
                    : "; deletion of work data NOT confirmed");

        add_reason_full (s, "DEC-02", D, deleted ? KIKAN_VERDICT_CONDITIONAL : KIKAN_VERDICT_HOLD,
                         FALSE, detail, NULL, "ref",
                         or_default (d->byod_ref, "to be opened by IT"), NULL);
    }
    if (yes (d, 8)) {
        if (d->q8_media_inspected)
            add_reason_full (s, "DEC-03", D, KIKAN_VERDICT_CLEARED, TRUE, NULL, NULL, "state",
                             "scanned at this kiosk", NULL);
        else
            add_reason (s, "DEC-03", D, NULL, "state", "must be scanned", NULL);
    }
    if (yes (d, 9))
        add_reason (s, "INV-06", D, "unregistered media used during telework (Q9)", NULL);
    if (yes (d, 10) && kikan_answer_is_yes (d->q10_personal_data))
        add_reason (s, "PROC-07", D, NULL, NULL);
    if (yes (d, 11)) {
        add_reason (s, "UPD-01", D, d->text[11], NULL);
        add_reason (s, "PROC-04", D, NULL, NULL);
    }
    if (yes (d, 12))
        add_reason (s, "CFG-07", D, d->text[12], NULL);
    if (yes (d, 13))
        add_reason (s, "DEC-07", D, NULL, NULL);
    if (yes (d, 14))
        add_reason (s, "DEC-05", D, d->text[14], NULL);
    if (yes (d, 15) && !d->q15_all_returned)
        add_reason (s, "DEC-08", D, NULL, NULL);
    if (yes (d, 16))
        add_reason (s, "DEC-06", D, NULL, "name", or_default (d->text[16], "not named"), NULL);
    if (yes (d, 17))
        add_reason (s, "DEC-09", D, NULL, NULL);
    /* Q18 is optional and never changes a verdict. */

    n_missing = kikan_declaration_missing (d, h, missing, G_N_ELEMENTS (missing));
    for (guint i = 0; i < n_missing; i++) {
        if (missing[i] == 19)
            continue;
        g_string_append_printf (dec11, "%sQ%u", dec11->len == 0 ? "not answered: " : ", ",
                                missing[i]);
    }
    if (d->answer[19] != KIKAN_ANSWER_YES)
        g_string_append_printf (dec11, "%sanswers not confirmed (Q19)", dec11->len ? "; " : "");
    if (dec11->len > 0)
        add_reason (s, "DEC-11", D, dec11->str, NULL);
    g_string_free (dec11, TRUE);
}

static gboolean
parse_date (const char *s, GDate *out)
{
    guint y, m, dd;

    /* Exactly YYYY-MM-DD: sscanf's %u alone would also take "2026- 1-03"
     * or "2026-+1-03". */
    if (s == NULL || strlen (s) != 10 || s[4] != '-' || s[7] != '-')
        return FALSE;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
            return FALSE;
    y = (guint)atoi (s);
    m = (guint)atoi (s + 5);
    dd = (guint)atoi (s + 8);
    if (!g_date_valid_dmy ((GDateDay)dd, (GDateMonth)m, (GDateYear)y))
        return FALSE;
    g_date_clear (out, 1);
    g_date_set_dmy (out, (GDateDay)dd, (GDateMonth)m, (GDateYear)y);
    return TRUE;
}

static gboolean
result_has_code (const KikanVerdictResult *r, const char *code)
{
    return kikan_verdict_result_find (r, code) != NULL;
}

/* Whether an item's own reasons hold @code.  An item's reasons are what
 * the kiosk measured (M) or, for an absent item, what was declared about
 * its presence (INV-*, DEC-11); what the declaration says about software
 * (Q3, SW-01 D) is on the session part, never on an item. */
static gboolean
any_item_has (const KikanSessionVerdict *sv, const char *code)
{
    for (guint i = 0; i < sv->items->len; i++) {
        if (result_has_code (g_ptr_array_index (sv->items, i), code))
            return TRUE;
    }
    return FALSE;
}

void
kikan_session_verdict_update_overall (KikanSessionVerdict *sv)
{
    KikanVerdict v = sv->session->verdict;

    for (guint i = 0; i < sv->items->len; i++)
        v = kikan_verdict_worst (
            v, ((KikanVerdictResult *)g_ptr_array_index (sv->items, i))->verdict);
    sv->overall = v;
}

/* KR-03, KR-12, KR-10: what never ends CLEARED or CONDITIONAL (either
 * lets the item go back to its holder or onto the network).  They hold by
 * construction; this is the engine checking itself, failing closed: a
 * lent item not returned, stale signatures, an item with MAL-04 or MAL-05,
 * and, positively, an item whose content was inspected but that does not
 * carry MAL-01 ("no malware found"): the one reason that vouches for it. */
void
kikan_session_verdict_check_invariants (KikanSessionVerdict *sv, const KikanSessionEvidence *ev)
{
    const char *broken = NULL;

    if (sv->overall != KIKAN_VERDICT_CLEARED && sv->overall != KIKAN_VERDICT_CONDITIONAL)
        return;
    if (!ev->signatures.fresh)
        broken = "signatures stale (MAL-05)";
    for (gsize i = 0; i < ev->n_items && broken == NULL; i++) {
        const KikanItemEvidence *it = &ev->items[i];
        const KikanVerdictResult *r = g_ptr_array_index (sv->items, i);

        if (it->lent && it->presence != KIKAN_PRESENCE_PRESENT)
            broken = "a lent item is not returned (KR-03)";
        else if (result_has_code (r, "MAL-04") || result_has_code (r, "MAL-05"))
            broken = "content not inspected or signatures stale (MAL-04, MAL-05)";
        else if (it->inspection.state == KIKAN_INSPECTION_DONE && !it->inspection.signatures.fresh)
            broken = "an inspection ran with stale signatures (MAL-05)";
        else if (it->presence == KIKAN_PRESENCE_PRESENT
                 && it->inspection.state == KIKAN_INSPECTION_DONE
                 && !result_has_code (r, "MAL-01"))
            broken = "an inspected item has no \"no malware found\" (MAL-01, KR-10)";
    }
    if (broken != NULL) {
        g_critical ("verdict: overall %s although %s; holding",
                    sv->overall == KIKAN_VERDICT_CLEARED ? "CLEARED" : "CONDITIONAL", broken);
        sv->overall = KIKAN_VERDICT_HOLD;
    }
}

KikanSessionVerdict *
kikan_verdict_evaluate_session (const KikanSessionEvidence *ev, GError **error)
{
    g_autoptr (KikanSessionVerdict) sv = NULL;
    KikanHoldings holdings;
    GDate today;
    gboolean all_matched = TRUE;

    g_return_val_if_fail (ev != NULL, NULL);
    if (ev->declaration == NULL) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "No declaration for the verdict: run the declaration (Q1–Q19) first.");
        return NULL;
    }
    if (!parse_date (ev->today, &today)) {
        g_autofree char *shown = kikan_escape_for_display (or_default (ev->today, "(none)"), -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "Today's date \"%s\" is not a date YYYY-MM-DD: check the kiosk clock.",
                     shown);
        return NULL;
    }
    g_return_val_if_fail (ev->n_items == 0 || ev->items != NULL, NULL);

    sv = g_new0 (KikanSessionVerdict, 1);
    sv->session = kikan_verdict_result_new ();
    sv->items = g_ptr_array_new_with_free_func ((GDestroyNotify)kikan_verdict_result_free);
    for (gsize i = 0; i < ev->n_items; i++) {
        const KikanItemEvidence *it = &ev->items[i];
        KikanVerdictResult *r = kikan_verdict_evaluate_item (it, ev->declaration);

        g_ptr_array_add (sv->items, r);
        if (it->lent && !(it->presence == KIKAN_PRESENCE_PRESENT && result_has_code (r, "INV-01")))
            all_matched = FALSE;
    }

    kikan_session_evidence_holdings (ev, &holdings);
    if (all_matched)
        add_reason (sv->session, "INV-01", KIKAN_PROVENANCE_MEASURED, NULL, "what",
                    "All lent items", NULL);
    evaluate_declaration (sv->session, ev->declaration, &holdings);
    /* KR-18: "no unapproved software" declared, but the kiosk found some. */
    if (ev->declaration->answer[3] == KIKAN_ANSWER_NO
        && (any_item_has (sv, "SW-01") || any_item_has (sv, "SW-03")))
        add_reason (sv->session, "SW-04", KIKAN_PROVENANCE_MEASURED,
                    "Q3 answered no, unapproved or prohibited software found", NULL);
    if (ev->earlier_held != NULL)
        add_reason (sv->session, "PROC-08", KIKAN_PROVENANCE_MEASURED, NULL, "session",
                    ev->earlier_held, NULL);
    if (!ev->signatures.fresh) {
        char days[16];

        if (ev->signatures.max_age_days > 0)
            g_snprintf (days, sizeof days, "%u", ev->signatures.max_age_days);
        add_reason (sv->session, "MAL-05", KIKAN_PROVENANCE_MEASURED,
                    or_default (ev->signatures.detail, "signatures not known to be fresh"), "days",
                    ev->signatures.max_age_days > 0 ? days : "the allowed number of", NULL);
    }
    sv->session->verdict = worst_of_reasons (sv->session);
    kikan_session_verdict_update_overall (sv);

    if (sv->overall == KIKAN_VERDICT_CONDITIONAL) {
        guint days = ev->monitoring_days > 0 ? ev->monitoring_days : KIKAN_MONITORING_DAYS_DEFAULT;
        char until[16];
        KikanVerdictReason *x;

        g_date_add_days (&today, days);
        g_snprintf (until, sizeof until, "%04u-%02u-%02u", (guint)g_date_get_year (&today),
                    (guint)g_date_get_month (&today), (guint)g_date_get_day (&today));
        x = add_reason (sv->session, "PROC-03", KIKAN_PROVENANCE_MEASURED, NULL, "date", until,
                        NULL);
        x->until = g_strdup (until);
        sv->session->verdict = worst_of_reasons (sv->session);
    }
    kikan_session_verdict_check_invariants (sv, ev);
    return g_steal_pointer (&sv);
}

/* ---- IT actions ---- */

static gboolean
blank (const char *s)
{
    /* KR-30: who and why must be written.  Unicode spaces (U+3000, NBSP),
     * zero-width and other format characters and controls write nothing;
     * invalid UTF-8 is no text either. */
    if (s == NULL || !g_utf8_validate (s, -1, NULL))
        return TRUE;
    for (; *s != '\0'; s = g_utf8_next_char (s)) {
        gunichar c = g_utf8_get_char (s);

        switch (g_unichar_type (c)) {
        case G_UNICODE_CONTROL:
        case G_UNICODE_FORMAT:
        case G_UNICODE_UNASSIGNED:
        case G_UNICODE_PRIVATE_USE:
        case G_UNICODE_SURROGATE:
        case G_UNICODE_LINE_SEPARATOR:
        case G_UNICODE_PARAGRAPH_SEPARATOR:
        case G_UNICODE_SPACE_SEPARATOR:
            continue;
        default:
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
kikan_verdict_apply_it_action (KikanVerdictResult *r, KikanItActionKind kind, KikanVerdict to,
                               const char *by, const char *reason, const char *at, GError **error)
{
    KikanItAction *a;
    KikanVerdictReason *x;

    g_return_val_if_fail (r != NULL, FALSE);
    if ((guint)to >= KIKAN_VERDICT_N_LEVELS) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE, "Unknown verdict for the IT action.");
        return FALSE;
    }
    if (blank (by)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "An IT action needs the IT user's identity: give --by ID (KR-30).");
        return FALSE;
    }
    if (blank (reason)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "An IT action needs a written reason: give --reason TEXT (KR-30).");
        return FALSE;
    }
    if (blank (at)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE, "An IT action needs its time.");
        return FALSE;
    }
    if (kind == KIKAN_IT_RESOLVE && r->verdict != KIKAN_VERDICT_HOLD) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "Only a HOLD can be resolved; this verdict is %s. Use an override, with "
                     "its reason, to change it.",
                     kikan_verdict_to_string (r->verdict));
        return FALSE;
    }

    a = g_new0 (KikanItAction, 1);
    a->kind = kind;
    a->from = r->verdict;
    a->to = to;
    a->by = g_strdup (by);
    a->reason = g_strdup (reason);
    a->at = g_strdup (at);
    g_ptr_array_add (r->it_actions, a);

    if (!r->it_acted) {
        r->it_acted = TRUE;
        r->original_verdict = r->verdict;
    }
    if (kind == KIKAN_IT_OVERRIDE) {
        g_autofree char *detail = g_strdup_printf ("%s → %s", kikan_verdict_to_string (a->from),
                                                   kikan_verdict_to_string (to));

        r->overridden = TRUE;
        x = add_reason_full (r, "PROC-02", KIKAN_PROVENANCE_VERIFIED, (int)to, FALSE, detail, NULL,
                             "id", by, "reason", reason, NULL);
    } else {
        x = add_reason_full (r, "PROC-01", KIKAN_PROVENANCE_VERIFIED, (int)to, FALSE, reason, NULL,
                             "id", by, "time", at, NULL);
    }
    if (to == KIKAN_VERDICT_CONDITIONAL) {
        g_free (x->condition);
        x->condition = g_strdup_printf ("As set by IT staff %s: %s", by, reason);
    }
    r->verdict = to;
    return TRUE;
}

/* ---- JSON ---- */

static void
add_action_json (JsonBuilder *b, const KikanItAction *a)
{
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "kind");
    json_builder_add_string_value (b, kikan_it_action_kind_to_string (a->kind));
    json_builder_set_member_name (b, "from");
    json_builder_add_string_value (b, kikan_verdict_to_string (a->from));
    json_builder_set_member_name (b, "to");
    json_builder_add_string_value (b, kikan_verdict_to_string (a->to));
    kikan_json_add_hostile_string (b, "by", a->by);
    kikan_json_add_hostile_string (b, "reason", a->reason);
    kikan_json_add_hostile_string (b, "at", a->at);
    json_builder_end_object (b);
}

static void
add_reasons_json (JsonBuilder *b, const KikanVerdictResult *r)
{
    json_builder_set_member_name (b, "reasons");
    json_builder_begin_array (b);
    for (guint i = 0; i < r->reasons->len; i++) {
        const KikanVerdictReason *x = g_ptr_array_index (r->reasons, i);
        char prov[2] = { (char)x->provenance, '\0' };

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "code");
        json_builder_add_string_value (b, x->code);
        json_builder_set_member_name (b, "provenance");
        json_builder_add_string_value (b, prov);
        json_builder_set_member_name (b, "level");
        json_builder_add_string_value (b, x->info ? "info" : kikan_verdict_to_string (x->level));
        kikan_json_add_hostile_string (b, "text", x->text);
        if (x->condition != NULL) {
            json_builder_set_member_name (b, "condition");
            json_builder_begin_object (b);
            kikan_json_add_hostile_string (b, "text", x->condition);
            kikan_json_add_hostile_string (b, "until", x->until);
            json_builder_end_object (b);
        }
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
}

static void
add_it_json (JsonBuilder *b, const KikanVerdictResult *r)
{
    const KikanItAction *last_override = NULL;

    if (!r->it_acted)
        return;
    json_builder_set_member_name (b, "original_verdict");
    json_builder_add_string_value (b, kikan_verdict_to_string (r->original_verdict));
    json_builder_set_member_name (b, "it_actions");
    json_builder_begin_array (b);
    for (guint i = 0; i < r->it_actions->len; i++) {
        const KikanItAction *a = g_ptr_array_index (r->it_actions, i);

        add_action_json (b, a);
        if (a->kind == KIKAN_IT_OVERRIDE)
            last_override = a;
    }
    json_builder_end_array (b);
    if (last_override != NULL) {
        json_builder_set_member_name (b, "override");
        add_action_json (b, last_override);
    }
}

void
kikan_verdict_result_add_json_members (const KikanVerdictResult *r, JsonBuilder *b)
{
    json_builder_set_member_name (b, "verdict");
    json_builder_add_string_value (b, kikan_verdict_to_string (r->verdict));
    add_reasons_json (b, r);
    add_it_json (b, r);
}

JsonNode *
kikan_verdict_result_to_json (const KikanVerdictResult *r)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    kikan_verdict_result_add_json_members (r, b);
    json_builder_end_object (b);
    return json_builder_get_root (b);
}

void
kikan_session_verdict_add_json_members (const KikanSessionVerdict *sv, JsonBuilder *b)
{
    json_builder_set_member_name (b, "verdict");
    json_builder_add_string_value (b, kikan_verdict_to_string (sv->overall));
    add_reasons_json (b, sv->session);
    add_it_json (b, sv->session);
}

/* Reading back: strict, every member checked, so that a damaged or forged
 * row is refused rather than half-believed. */

static const char *
get_string (JsonObject *o, const char *member, gboolean nullable, GError **error)
{
    JsonNode *n = json_object_get_member (o, member);

    if (n != NULL && nullable && JSON_NODE_HOLDS_NULL (n))
        return NULL;
    if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "Stored verdict: \"%s\" is missing or not a string.", member);
        return NULL;
    }
    return json_node_get_string (n);
}

static gboolean
get_verdict (JsonObject *o, const char *member, KikanVerdict *out, GError **error)
{
    const char *s = get_string (o, member, FALSE, error);

    if (s == NULL)
        return FALSE;
    if (!kikan_verdict_from_string (s, out)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "Stored verdict: \"%s\" is not a verdict level.", member);
        return FALSE;
    }
    return TRUE;
}

static JsonArray *
get_array (JsonObject *o, const char *member, GError **error)
{
    JsonNode *n = json_object_get_member (o, member);

    if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "Stored verdict: \"%s\" is missing or not an array.", member);
        return NULL;
    }
    return json_node_get_array (n);
}

static JsonObject *
element_object (JsonArray *a, guint i, const char *what, GError **error)
{
    JsonNode *n = json_array_get_element (a, i);

    if (!JSON_NODE_HOLDS_OBJECT (n)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "Stored verdict: %s %u is not an object.", what, i);
        return NULL;
    }
    return json_node_get_object (n);
}

static KikanVerdictReason *
reason_from_json (JsonObject *o, GError **error)
{
    g_autoptr (GError) local = NULL;
    const char *code, *prov, *level, *text;
    KikanVerdictReason *x;
    JsonNode *cond;

    if ((code = get_string (o, "code", FALSE, error)) == NULL
        || (prov = get_string (o, "provenance", FALSE, error)) == NULL
        || (level = get_string (o, "level", FALSE, error)) == NULL
        || (text = get_string (o, "text", FALSE, error)) == NULL)
        return NULL;
    if (kikan_reason_def_lookup (code) == NULL) {
        g_autofree char *shown = kikan_escape_for_display (code, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "Stored verdict: unknown reason code \"%s\".", shown);
        return NULL;
    }
    if (strlen (prov) != 1 || !kikan_provenance_is_valid (prov[0])) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "Stored verdict: reason %s has no valid provenance (M, R, D or V).", code);
        return NULL;
    }
    x = g_new0 (KikanVerdictReason, 1);
    x->code = g_strdup (code);
    x->provenance = (KikanProvenance)prov[0];
    x->text = g_strdup (text);
    if (strcmp (level, "info") == 0) {
        x->info = TRUE;
    } else if (!kikan_verdict_from_string (level, &x->level)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "Stored verdict: reason %s has no valid level.", code);
        kikan_verdict_reason_free (x);
        return NULL;
    }
    cond = json_object_get_member (o, "condition");
    if (cond != NULL && !JSON_NODE_HOLDS_NULL (cond)) {
        JsonObject *c;
        const char *ct, *until;

        if (!JSON_NODE_HOLDS_OBJECT (cond)) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                         "Stored verdict: the condition of %s is not an object.", code);
            kikan_verdict_reason_free (x);
            return NULL;
        }
        c = json_node_get_object (cond);
        ct = get_string (c, "text", FALSE, &local);
        until = ct != NULL ? get_string (c, "until", TRUE, &local) : NULL;
        if (local != NULL) {
            g_propagate_error (error, g_steal_pointer (&local));
            kikan_verdict_reason_free (x);
            return NULL;
        }
        x->condition = g_strdup (ct);
        x->until = g_strdup (until);
    }
    return x;
}

KikanVerdictResult *
kikan_verdict_result_from_json (JsonNode *node, GError **error)
{
    g_autoptr (KikanVerdictResult) r = kikan_verdict_result_new ();
    JsonObject *o;
    JsonArray *a;

    if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED, "Stored verdict: not an object.");
        return NULL;
    }
    o = json_node_get_object (node);
    if (!get_verdict (o, "verdict", &r->verdict, error)
        || (a = get_array (o, "reasons", error)) == NULL)
        return NULL;
    for (guint i = 0; i < json_array_get_length (a); i++) {
        JsonObject *e = element_object (a, i, "reason", error);
        KikanVerdictReason *x = e != NULL ? reason_from_json (e, error) : NULL;

        if (x == NULL)
            return NULL;
        g_ptr_array_add (r->reasons, x);
    }
    if (json_object_has_member (o, "original_verdict")) {
        if (!get_verdict (o, "original_verdict", &r->original_verdict, error)
            || (a = get_array (o, "it_actions", error)) == NULL)
            return NULL;
        r->it_acted = TRUE;
        if (json_array_get_length (a) == 0) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                         "Stored verdict: an original verdict without any IT action.");
            return NULL;
        }
        for (guint i = 0; i < json_array_get_length (a); i++) {
            JsonObject *e = element_object (a, i, "IT action", error);
            g_autofree KikanItAction *act = NULL;
            const char *by, *reason, *at;

            if (e == NULL)
                return NULL;
            act = g_new0 (KikanItAction, 1);
            if (!kikan_it_action_kind_from_string (get_string (e, "kind", FALSE, NULL),
                                                   &act->kind)) {
                g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                             "Stored verdict: IT action %u has no valid kind.", i);
                return NULL;
            }
            if (!get_verdict (e, "from", &act->from, error)
                || !get_verdict (e, "to", &act->to, error)
                || (by = get_string (e, "by", FALSE, error)) == NULL
                || (reason = get_string (e, "reason", FALSE, error)) == NULL
                || (at = get_string (e, "at", FALSE, error)) == NULL)
                return NULL;
            if (blank (by) || blank (reason) || blank (at)) {
                g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                             "Stored verdict: IT action %u lacks who, why or when (KR-30).", i);
                return NULL;
            }
            act->by = g_strdup (by);
            act->reason = g_strdup (reason);
            act->at = g_strdup (at);
            if (act->kind == KIKAN_IT_OVERRIDE)
                r->overridden = TRUE;
            g_ptr_array_add (r->it_actions, g_steal_pointer (&act));
        }
    } else if (json_object_has_member (o, "it_actions")
               || json_object_has_member (o, "override")) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED,
                     "Stored verdict: IT actions without the original verdict.");
        return NULL;
    }
    return g_steal_pointer (&r);
}
