/* Kikan kiosk: software and update findings (issue #4 items 2-5).
 *
 * Every decision here is documented in docs/policy.md ("What each finding
 * means"); the table of codes is in posture-private.h.  Subjects, details
 * and sources carry hostile text from the medium verbatim: they are only
 * ever passed as "%s" arguments, and escaped where they are displayed.
 */
#include "posture-private.h"

#include <string.h>

#define SECONDS_PER_DAY G_GINT64_CONSTANT (86400)
#define DEFAULT_MAX_OS_DAYS 45
#define DEFAULT_MAX_AV_DAYS 7
/* A date later than this past "now" is not believed (KR-19): the laptop's
 * clock was wrong or the record was altered. */
#define FUTURE_SLACK SECONDS_PER_DAY

typedef struct {
    const char *code;
    const char *slip;
} CodeSlip;

static const CodeSlip code_slips[] = {
    { "SW-FORBIDDEN", "SW-03" },         { "SW-UNAPPROVED", "SW-01" },
    { "SW-EXCEPTION-EXPIRED", "SW-01" }, { "SW-EXCEPTION", "SW-05" },
    { "SW-NO-POLICY", "SW-01" },         { "SW-AUTORUN", "MAL-03" },
    { "SW-DECEPTIVE-NAME", "MAL-03" },   { "SW-TYPE-MISMATCH", "MAL-03" },
    { "UPD-OS-STALE", "UPD-01" },        { "UPD-AV-STALE", "MAL-06" },
    { "UPD-END-OF-SUPPORT", "UPD-02" },  { "UPD-UNKNOWN", "UPD-04" },
    { "SW-NOT-INSPECTED", "MAL-04" },    { "SIG-STALE", "MAL-05" },
    { "SCAN-UNCONFINED", "MAL-04" },
};

const char *
kikan_level_to_string (KikanLevel l)
{
    switch (l) {
    case KIKAN_LEVEL_INFO:
        return "info";
    case KIKAN_LEVEL_CONDITIONAL:
        return "conditional";
    case KIKAN_LEVEL_HOLD:
        return "hold";
    case KIKAN_LEVEL_QUARANTINE:
        return "quarantine";
    default:
        return "hold";
    }
}

void
kikan_finding_free (KikanFinding *f)
{
    if (f == NULL)
        return;
    g_free (f->code);
    g_free (f->slip_code);
    g_free (f->subject);
    g_free (f->detail);
    g_free (f->source);
    g_free (f->rule);
    g_free (f->ticket);
    g_free (f->approver);
    g_free (f->expires);
    g_free (f);
}

KikanLevel
kikan_findings_worst (GPtrArray *findings)
{
    KikanLevel worst = KIKAN_LEVEL_INFO;

    if (findings == NULL)
        return worst;
    for (guint i = 0; i < findings->len; i++) {
        const KikanFinding *f = findings->pdata[i];
        if (f->level > worst)
            worst = f->level;
    }
    return worst;
}

/* Appends a finding; takes @detail.  The rule's exception fields are
 * copied only for exception findings. */
KikanFinding *
kikan_finding_new (const char *code, KikanLevel level, const char *subject, const char *source,
                   char *detail)
{
    KikanFinding *f = g_new0 (KikanFinding, 1);

    f->code = g_strdup (code);
    for (guint i = 0; i < G_N_ELEMENTS (code_slips); i++)
        if (strcmp (code_slips[i].code, code) == 0)
            f->slip_code = g_strdup (code_slips[i].slip);
    g_assert (f->slip_code != NULL);
    f->level = level;
    f->subject = g_strdup (subject != NULL ? subject : "");
    f->detail = detail;
    f->source = g_strdup (source);
    return f;
}

static KikanFinding *
add (GPtrArray *out, const char *code, KikanLevel level, const char *subject, const char *source,
     const KikanRule *rule, char *detail)
{
    KikanFinding *f = kikan_finding_new (code, level, subject, source, detail);

    if (rule != NULL) {
        f->rule = g_strdup (rule->id);
        f->rule_line = rule->line;
        if (rule->kind == KIKAN_RULE_EXCEPTION) {
            f->ticket = g_strdup (rule->ticket);
            f->approver = g_strdup (rule->approver);
            f->expires = g_strdup (rule->expires);
        }
    }
    g_ptr_array_add (out, f);
    return f;
}

/* "YYYY-MM-DD" in kiosk local time. */
static char *
format_day (gint64 t)
{
    g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (t);

    return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d") : g_strdup ("an unreadable date");
}

/* " It is forbidden by rule "X" (class remote-access): reason." etc. */
static void
append_rule (GString *s, const char *verb, const KikanRule *rule)
{
    g_string_append_printf (s, " %s policy rule \"%s\" (line %u", verb, rule->id, rule->line);
    if (rule->category != NULL)
        g_string_append_printf (s, ", class %s", rule->category);
    g_string_append (s, ")");
    if (rule->reason != NULL)
        g_string_append_printf (s, ": %s", rule->reason);
    g_string_append (s, ".");
}

/* How one item fared against the policy, as a finding, or none for an
 * approved item.  @what: "X version 1.2 by Y, found in Z," (no verb);
 * @unknown_level: the level of an unmatched item. */
static void
add_software_finding (GPtrArray *out, KikanPolicyStatus status, const KikanRule *rule,
                      const char *subject, const char *source, const char *what,
                      KikanLevel unknown_level, const char *unknown_advice)
{
    GString *d = g_string_new (what);

    switch (status) {
    case KIKAN_POLICY_APPROVED:
        g_string_free (d, TRUE);
        return;
    case KIKAN_POLICY_FORBIDDEN:
        g_string_append (d, " is forbidden software.");
        append_rule (d, "It matches", rule);
        g_string_append (d, " Do not connect the device: IT must remove it and inspect the "
                            "device first.");
        add (out, "SW-FORBIDDEN", KIKAN_LEVEL_QUARANTINE, subject, source, rule,
             g_string_free (d, FALSE));
        return;
    case KIKAN_POLICY_EXCEPTION:
        g_string_append_printf (d,
                                " is allowed by an exception under ticket %s, approved by %s, "
                                "valid until %s.",
                                rule->ticket, rule->approver, rule->expires);
        append_rule (d, "See", rule);
        add (out, "SW-EXCEPTION", KIKAN_LEVEL_INFO, subject, source, rule,
             g_string_free (d, FALSE));
        return;
    case KIKAN_POLICY_EXCEPTION_EXPIRED:
        g_string_append_printf (d,
                                " was allowed only by an exception (ticket %s, approved by %s) "
                                "that expired at the end of %s, so it now counts as unapproved "
                                "(KR-20).",
                                rule->ticket, rule->approver, rule->expires);
        append_rule (d, "See", rule);
        g_string_append (d, " Ask IT to renew the exception or remove the software before "
                            "reconnecting.");
        add (out, "SW-EXCEPTION-EXPIRED", KIKAN_LEVEL_HOLD, subject, source, rule,
             g_string_free (d, FALSE));
        return;
    case KIKAN_POLICY_UNKNOWN:
    default:
        g_string_append_printf (d, " is not on the approved software list. %s", unknown_advice);
        add (out, "SW-UNAPPROVED", unknown_level, subject, source, NULL, g_string_free (d, FALSE));
        return;
    }
}

static char *
describe_program (const KikanProgram *p)
{
    GString *s = g_string_new (NULL);

    g_string_append_printf (s, "The program \"%s\"", p->name != NULL ? p->name : "");
    if (p->version != NULL)
        g_string_append_printf (s, " version %s", p->version);
    if (p->publisher != NULL)
        g_string_append_printf (s, " by %s", p->publisher);
    if (p->user != NULL)
        g_string_append_printf (s, ", installed for user %s", p->user);
    if (p->source != NULL)
        g_string_append_printf (s, ", listed in %s", p->source);
    if (p->flags & KIKAN_PROGRAM_FLAG_TRUNCATED)
        g_string_append (s, " (a value was cut: it was too long)");
    g_string_append (s, ",");
    return g_string_free (s, FALSE);
}

static void
evaluate_program (GPtrArray *out, const KikanPolicy *policy, const KikanProgram *p, gint64 now,
                  KikanVerdictOf *verdict)
{
    const KikanRule *rule = NULL;
    KikanPolicyStatus st = kikan_policy_check_program (policy, p, now, &rule);
    g_autofree char *what = describe_program (p);
    const KikanRule *eos;

    if (verdict != NULL) {
        verdict->status = st;
        verdict->rule = rule;
    }
    /* An update or hotfix belongs to its parent program, which is judged
     * itself; only a forbid rule naming the update is worth a finding. */
    if ((p->flags & KIKAN_PROGRAM_FLAG_UPDATE) && st != KIKAN_POLICY_FORBIDDEN)
        return;
    add_software_finding (out, st, rule, p->name, p->source, what, KIKAN_LEVEL_HOLD,
                          "Ask IT to approve it or remove it before reconnecting.");
    if ((p->flags & KIKAN_PROGRAM_FLAG_UPDATE) == 0
        && (eos = kikan_policy_find_end_of_support (policy, p->name, p->version)) != NULL) {
        GString *d = g_string_new (what);

        g_string_append (d, " is past its vendor's end of support and no longer gets security "
                            "fixes (Admin C-3).");
        append_rule (d, "It matches", eos);
        g_string_append (d, " Remove it or upgrade to a supported version; IT must inspect the "
                            "device before it reconnects.");
        add (out, "UPD-END-OF-SUPPORT", KIKAN_LEVEL_QUARANTINE, p->name, p->source, eos,
             g_string_free (d, FALSE));
    }
}

static char *
exe_subject (const KikanExecutable *e)
{
    const char *path = e->path != NULL ? e->path : "";

    if (e->member != NULL)
        return g_strdup_printf ("%s \u203a %s", path, e->member);
    return g_strdup (path);
}

static void
evaluate_exe (GPtrArray *out, const KikanPolicy *policy, const KikanExecutable *e, gint64 now,
              KikanVerdictOf *verdict, guint *n_unjudged)
{
    g_autofree char *subject = exe_subject (e);
    const char *sha = e->sha256 != NULL && e->sha256[0] != '\0' ? e->sha256 : NULL;
    const char *label = kikan_filetype_label (e->type);
    KikanPolicyStatus st = KIKAN_POLICY_UNKNOWN;
    const KikanRule *rule = NULL;

    if (e->type == KIKAN_FILETYPE_AUTORUN) {
        /* autorun.inf is not software to approve: it asks Windows to start
         * something from the medium, which is suspicious in itself. */
        add (out, "SW-AUTORUN", KIKAN_LEVEL_HOLD, subject, e->path, NULL,
             g_strdup_printf ("The medium holds an AutoRun file (%s) that tries to start a "
                              "program when the medium is inserted. IT must review the "
                              "medium before it is used.",
                              subject));
    } else if (e->type == KIKAN_FILETYPE_OTHER) {
        /* Listed only for its deceptive name (below): its content is no
         * program, so there is nothing for the policy to approve. */
    } else if (policy == NULL) {
        (*n_unjudged)++;
    } else {
        GString *what = g_string_new (NULL);
        const char *name = e->member != NULL ? e->member : e->path;

        st = kikan_policy_check_file (policy, sha, name, e->signer_cert_sha256, now, &rule);
        g_string_append_printf (what, "The %s %s", label, subject);
        if (sha != NULL)
            g_string_append_printf (what, " (SHA-256 %s)", sha);
        if (e->signer_cert_sha256 != NULL)
            g_string_append_printf (what, ", signed by %s (certificate SHA-256 %s),",
                                    e->signer_subject != NULL ? e->signer_subject
                                                              : "an unnamed signer",
                                    e->signer_cert_sha256);
        else
            g_string_append (what, ", not signed or with a signature that could not be "
                                   "verified,");
        add_software_finding (out, st, rule, subject, e->path, what->str,
                              kikan_policy_get_unknown_executable_holds (policy)
                                  ? KIKAN_LEVEL_HOLD
                                  : KIKAN_LEVEL_INFO,
                              "Ask IT to approve it, or remove it from the medium before the "
                              "medium is used.");
        g_string_free (what, TRUE);
    }
    if (verdict != NULL) {
        verdict->status = st;
        verdict->rule = rule;
    }
    if (e->name_flags & (KIKAN_NAME_FLAG_BIDI | KIKAN_NAME_FLAG_DOUBLE_EXT)) {
        GString *d = g_string_new (NULL);

        g_string_append_printf (d,
                                "The name of %s is made to look like something else: ", subject);
        if (e->name_flags & KIKAN_NAME_FLAG_BIDI)
            g_string_append (d, "it holds an invisible right-to-left or other direction "
                                "control character that reorders how it is shown");
        if ((e->name_flags & KIKAN_NAME_FLAG_BIDI) && (e->name_flags & KIKAN_NAME_FLAG_DOUBLE_EXT))
            g_string_append (d, ", and ");
        if (e->name_flags & KIKAN_NAME_FLAG_DOUBLE_EXT)
            g_string_append (d, "it has a document extension followed by a program extension");
        if (e->type == KIKAN_FILETYPE_OTHER)
            g_string_append (d, ". Do not open it; IT must review the medium.");
        else
            g_string_append_printf (d,
                                    ", and its content is a %s. Do not open it; IT must review "
                                    "the medium.",
                                    label);
        add (out, "SW-DECEPTIVE-NAME", KIKAN_LEVEL_HOLD, subject, e->path, NULL,
             g_string_free (d, FALSE));
    }
    if (e->name_flags & KIKAN_NAME_FLAG_EXT_MISMATCH)
        add (out, "SW-TYPE-MISMATCH", KIKAN_LEVEL_HOLD, subject, e->path, NULL,
             g_strdup_printf ("%s has the extension of a document or media file, but its content "
                              "is a %s. Do not open it; IT must review the medium.",
                              subject, label));
}

static void
evaluate_pua (GPtrArray *out, const KikanPolicy *policy, const char *name, const char *path,
              gint64 now)
{
    const KikanRule *rule = NULL;
    KikanPolicyStatus st = kikan_policy_check_pua (policy, name, now, &rule);
    g_autofree char *what = NULL;

    what = g_strdup_printf ("%s, which the virus scanner reports as the potentially unwanted "
                            "program %s,",
                            path != NULL ? path : "A file", name);
    add_software_finding (out, st, rule, path != NULL ? path : name, path, what, KIKAN_LEVEL_HOLD,
                          "Ask IT to approve it, or remove it before the medium is used.");
}

static const char *
family_label (KikanOsFamily f)
{
    switch (f) {
    case KIKAN_OS_WINDOWS:
        return "Windows";
    case KIKAN_OS_LINUX:
        return "Linux";
    case KIKAN_OS_MACOS:
        return "macOS";
    case KIKAN_OS_UNKNOWN:
    default:
        return "An unidentified operating system";
    }
}

/* UPD-UNKNOWN: @what says what could not be measured. */
static void
unknown_posture (GPtrArray *out, const char *subject, const char *source, const char *what)
{
    GString *d = g_string_new (what);

    g_string_append (d, " Kikan does not assume it is up to date (KR-19): IT must check it "
                        "before the device reconnects.");
    add (out, "UPD-UNKNOWN", KIKAN_LEVEL_HOLD, subject, source, NULL, g_string_free (d, FALSE));
}

/* Checks one date; returns TRUE when it could be judged (known, not in
 * the future). */
static gboolean
date_usable (GPtrArray *out, const char *subject, const char *source, gint64 t, gint64 now,
             const char *what)
{
    g_autofree char *msg = NULL;

    if (t <= 0) {
        msg = g_strdup_printf ("Kikan cannot tell when %s of %s was last updated.", what, subject);
        unknown_posture (out, subject, source, msg);
        return FALSE;
    }
    if (t > now + FUTURE_SLACK) {
        g_autofree char *day = format_day (t);
        msg = g_strdup_printf ("The last update of %s of %s is dated %s, in the future: the "
                               "device's clock was wrong or the record was altered.",
                               what, subject, day);
        unknown_posture (out, subject, source, msg);
        return FALSE;
    }
    return TRUE;
}

static void
evaluate_system (GPtrArray *out, const KikanPolicy *policy, const KikanSystem *s, gint64 now)
{
    guint max_os
        = policy != NULL ? kikan_policy_get_max_os_patch_age_days (policy) : DEFAULT_MAX_OS_DAYS;
    guint max_av
        = policy != NULL ? kikan_policy_get_max_av_age_days (policy) : DEFAULT_MAX_AV_DAYS;
    gboolean require_av = policy != NULL ? kikan_policy_get_require_antivirus (policy) : TRUE;
    g_autofree char *subject = NULL;
    const KikanRule *eos;
    gboolean known = s->product != NULL;

    if (s->product != NULL)
        subject = g_strdup (s->product);
    else if (s->family == KIKAN_OS_UNKNOWN)
        subject = g_strdup ("operating system");
    else
        subject = g_strdup_printf ("%s system", family_label (s->family));

    if (!known) {
        g_autofree char *msg = g_strdup_printf (
            "%s is present%s%s, but its version could not be read.", family_label (s->family),
            s->source != NULL ? " at " : "", s->source != NULL ? s->source : "");
        unknown_posture (out, subject, s->source, msg);
    }

    /* OS updates.  A marker-only system (no product) is already a hold:
     * only evidence that is there is judged further. */
    if (known || s->patched != 0) {
        if (date_usable (out, subject, s->source, s->patched, now, "the operating system")
            && max_os > 0 && now - s->patched > (gint64)max_os * SECONDS_PER_DAY) {
            g_autofree char *day = format_day (s->patched);
            GString *d = g_string_new (NULL);

            g_string_append_printf (d,
                                    "The newest operating system update found on %s is from "
                                    "%s, %" G_GINT64_FORMAT " days ago",
                                    subject, day, (now - s->patched) / SECONDS_PER_DAY);
            if (s->patched_source != NULL)
                g_string_append_printf (d, " (%s)", s->patched_source);
            g_string_append_printf (d,
                                    "; the policy allows %u days. Install the updates on the "
                                    "remediation network, then have the device checked "
                                    "again.",
                                    max_os);
            add (out, "UPD-OS-STALE", KIKAN_LEVEL_CONDITIONAL, subject, s->source, NULL,
                 g_string_free (d, FALSE));
        }
    }

    /* Antivirus: required on Windows (Microsoft Defender's state is in the
     * SOFTWARE hive); elsewhere judged only when there is evidence. */
    if (s->av_product == NULL) {
        if (s->family == KIKAN_OS_WINDOWS && known && require_av) {
            g_autofree char *msg = g_strdup_printf (
                "No antivirus was found on %s: Microsoft Defender's state could not be read "
                "and no other antivirus is known.",
                subject);
            unknown_posture (out, subject, s->source, msg);
        }
    } else if (s->av_disabled) {
        add (out, "UPD-AV-STALE", KIKAN_LEVEL_CONDITIONAL, subject, s->source, NULL,
             g_strdup_printf ("%s on %s is switched off by a policy setting (Admin F-1). Turn "
                              "real-time protection back on, then have the device checked "
                              "again.",
                              s->av_product, subject));
    } else {
        g_autofree char *what = g_strdup_printf ("the antivirus definitions (%s)", s->av_product);

        if (date_usable (out, subject, s->source, s->av_updated, now, what) && max_av > 0
            && now - s->av_updated > (gint64)max_av * SECONDS_PER_DAY) {
            g_autofree char *day = format_day (s->av_updated);
            GString *d = g_string_new (NULL);

            g_string_append_printf (d, "The %s definitions on %s", s->av_product, subject);
            if (s->av_version != NULL)
                g_string_append_printf (d, " (version %s)", s->av_version);
            g_string_append_printf (d,
                                    " are from %s, %" G_GINT64_FORMAT " days ago; the policy "
                                    "allows %u days. Update them on the remediation "
                                    "network, then have the device checked again.",
                                    day, (now - s->av_updated) / SECONDS_PER_DAY, max_av);
            add (out, "UPD-AV-STALE", KIKAN_LEVEL_CONDITIONAL, subject, s->source, NULL,
                 g_string_free (d, FALSE));
        }
    }

    if (policy != NULL && s->product != NULL
        && (eos = kikan_policy_find_end_of_support (policy, s->product, s->version)) != NULL) {
        GString *d = g_string_new (NULL);

        g_string_append_printf (d, "%s", s->product);
        if (s->version != NULL)
            g_string_append_printf (d, " version %s", s->version);
        g_string_append (d, " is past its vendor's end of support and no longer gets security "
                            "fixes (Admin C-3).");
        append_rule (d, "It matches", eos);
        g_string_append (d, " The device must not reconnect: IT must reinstall or replace it.");
        add (out, "UPD-END-OF-SUPPORT", KIKAN_LEVEL_QUARANTINE, subject, s->source, eos,
             g_string_free (d, FALSE));
    }
}

static gint
finding_cmp (gconstpointer pa, gconstpointer pb)
{
    const KikanFinding *a = *(const KikanFinding *const *)pa;
    const KikanFinding *b = *(const KikanFinding *const *)pb;
    int c;

    if (a->level != b->level)
        return a->level > b->level ? -1 : 1;
    if ((c = strcmp (a->code, b->code)) != 0)
        return c;
    return strcmp (a->subject, b->subject);
}

GPtrArray *
kikan_posture_evaluate (const KikanPolicy *policy, const KikanInventory *inv,
                        const KikanExecutable *exes, gsize n_exes, const char *const *pua,
                        const char *const *pua_paths, gsize n_pua, gint64 now,
                        KikanVerdictOf *program_status, KikanVerdictOf *exe_status)
{
    GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)kikan_finding_free);
    guint n_programs = 0, n_unjudged_exes = 0, n_unjudged_pua = 0;

    g_return_val_if_fail (n_exes == 0 || exes != NULL, out);
    g_return_val_if_fail (n_pua == 0 || pua != NULL, out);

    if (inv != NULL) {
        for (gsize i = 0; i < inv->n_programs; i++) {
            const KikanProgram *p = &inv->programs[i];

            if (policy != NULL) {
                evaluate_program (out, policy, p, now,
                                  program_status != NULL ? &program_status[i] : NULL);
                continue;
            }
            if (program_status != NULL) {
                program_status[i].status = KIKAN_POLICY_UNKNOWN;
                program_status[i].rule = NULL;
            }
            if ((p->flags & KIKAN_PROGRAM_FLAG_UPDATE) == 0)
                n_programs++;
        }
        for (gsize i = 0; i < inv->n_systems; i++)
            evaluate_system (out, policy, &inv->systems[i], now);
        for (gsize i = 0; i < inv->n_problems; i++) {
            const KikanInvProblem *pr = &inv->problems[i];
            const char *src = pr->source != NULL ? pr->source : "";
            g_autofree char *msg = g_strdup_printf (
                "%s could not be read: %s.", src, pr->what != NULL ? pr->what : "no reason given");

            unknown_posture (out, src, pr->source, msg);
        }
    }
    for (gsize i = 0; i < n_exes; i++)
        evaluate_exe (out, policy, &exes[i], now, exe_status != NULL ? &exe_status[i] : NULL,
                      &n_unjudged_exes);
    for (gsize i = 0; i < n_pua; i++) {
        const char *path = pua_paths != NULL ? pua_paths[i] : NULL;

        if (pua[i] == NULL)
            continue;
        if (policy == NULL)
            n_unjudged_pua++;
        else
            evaluate_pua (out, policy, pua[i], path, now);
    }
    if (policy == NULL && n_programs + n_unjudged_exes + n_unjudged_pua > 0)
        add (out, "SW-NO-POLICY", KIKAN_LEVEL_HOLD, "software policy", NULL, NULL,
             g_strdup_printf ("No software policy is loaded, so %u installed program(s), %u "
                              "executable(s) and %u potentially unwanted program(s) could not "
                              "be judged. Install the policy (/etc/kikan/policy.conf) and check "
                              "again; until then IT must review them.",
                              n_programs, n_unjudged_exes, n_unjudged_pua));
    kikan_findings_sort (out);
    return out;
}

void
kikan_findings_sort (GPtrArray *findings)
{
    g_ptr_array_sort (findings, finding_cmp);
}
