/* Kikan kiosk: the self-declaration Q1–Q19 (REQUIREMENTS.md 5.1, 5.2). */
#include <string.h>

#include "declaration-private.h"
#include "error-private.h"
#include "escape-private.h"

static const char *const question_texts[KIKAN_N_QUESTIONS + 1] = {
    NULL,
    "The list shows everything lent to you. Is any of it not with you today?",
    "Was any item lost, stolen or damaged at any time, even if you later found it?",
    "Did you install any software, apps, browser extensions or online-meeting tools that IT "
    "did not provide?",
    "Did you download any software from somewhere other than the official store or vendor "
    "site?",
    "Did anything odd happen: slowness, pop-ups, unknown files, security warnings, crashes or "
    "a ransom message?",
    "Did you open a suspicious mail, attachment or link, or get an unusual request to pay or "
    "transfer money?",
    "Did you use a personal PC, tablet or phone for work?",
    "Did you move data between a personal device and a company device or medium?",
    "Did you use any USB memory, disk or CD/DVD that the company did not lend or register?",
    "Did you store work data on the device itself or on removable media? Of which level "
    "(confidential / internal / public)? Any personal data?",
    "Did you postpone, skip or turn off any OS or software updates?",
    "Did you turn off or change any security setting (antivirus, firewall, VPN, encryption, "
    "screen lock)?",
    "Did you work over public or hotel Wi-Fi without the company VPN?",
    "Might any password, IC card or token of yours have been seen, shared, lost or reused "
    "elsewhere?",
    "Did you take confidential paper documents or printouts home? Are all returned or disposed "
    "of by the rules?",
    "Did you use cloud services (file sharing, chat, mail) that are not on the approved list?",
    "Is there anything you were unsure was allowed, or any rule that got in your way?",
    "Optional: which tasks felt risky to do from home, and what equipment do you need for "
    "hybrid work?",
    "I confirm the answers above are accurate, and I have read today's security notices and "
    "the policy version shown",
};

static const char *const answer_names[] = { "unset", "yes", "no", "not_sure" };

const char *
kikan_answer_to_string (KikanAnswer a)
{
    g_return_val_if_fail ((guint)a < G_N_ELEMENTS (answer_names), "unset");
    return answer_names[a];
}

gboolean
kikan_answer_is_yes (KikanAnswer a)
{
    return a == KIKAN_ANSWER_YES || a == KIKAN_ANSWER_NOT_SURE;
}

gboolean
kikan_answer_from_string (const char *s, KikanAnswer *out)
{
    g_autofree char *t = NULL;

    if (s == NULL)
        return FALSE;
    t = g_strstrip (g_ascii_strdown (s, -1));
    if (strcmp (t, "yes") == 0)
        *out = KIKAN_ANSWER_YES;
    else if (strcmp (t, "no") == 0)
        *out = KIKAN_ANSWER_NO;
    else if (strcmp (t, "not_sure") == 0 || strcmp (t, "not sure") == 0
             || strcmp (t, "not-sure") == 0)
        *out = KIKAN_ANSWER_NOT_SURE;
    else
        return FALSE;
    return TRUE;
}

guint
kikan_question_from_string (const char *s)
{
    guint q = 0;

    if (s == NULL || (s[0] != 'Q' && s[0] != 'q') || s[1] < '1' || s[1] > '9')
        return 0;
    for (const char *p = s + 1; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || q > KIKAN_N_QUESTIONS)
            return 0;
        q = q * 10 + (guint)(*p - '0');
    }
    return q <= KIKAN_N_QUESTIONS ? q : 0;
}

const char *
kikan_question_text (guint q)
{
    return q >= 1 && q <= KIKAN_N_QUESTIONS ? question_texts[q] : NULL;
}

gboolean
kikan_question_is_optional (guint q)
{
    return q == 18;
}

gboolean
kikan_question_takes_text (guint q)
{
    return q == 17 || q == 18;
}

gboolean
kikan_declaration_applicable (guint q, const KikanHoldings *h)
{
    gboolean lent = h->laptop || h->phone || h->usb || h->token || h->other;
    gboolean device = h->laptop || h->phone;

    switch (q) {
    case 1:
    case 2:
        return lent;
    case 3:
    case 4:
    case 5:
    case 11:
    case 12:
    case 13:
        return device;
    case 8:
        return h->usb || h->media_declared;
    case 10:
        return h->usb || h->laptop || h->media_declared;
    case 6:
    case 7:
    case 9:
    case 14:
    case 15:
    case 16:
    case 17:
    case 18:
    case 19:
        return TRUE;
    default:
        return FALSE;
    }
}

static const char *const classification_names[]
    = { "unknown", "public", "internal", "confidential" };

const char *
kikan_classification_to_string (KikanClassification c)
{
    g_return_val_if_fail ((guint)c < G_N_ELEMENTS (classification_names), "unknown");
    return classification_names[c];
}

gboolean
kikan_classification_from_string (const char *s, KikanClassification *out)
{
    if (s == NULL)
        return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS (classification_names); i++) {
        if (g_ascii_strcasecmp (s, classification_names[i]) == 0) {
            *out = (KikanClassification)i;
            return TRUE;
        }
    }
    return FALSE;
}

KikanDeclaration *
kikan_declaration_new (void)
{
    return g_new0 (KikanDeclaration, 1);
}

void
kikan_declaration_free (KikanDeclaration *d)
{
    if (d == NULL)
        return;
    for (guint q = 0; q <= KIKAN_N_QUESTIONS; q++) {
        g_free (d->text[q]);
        g_free (d->incident[q]);
    }
    g_free (d->byod_device);
    g_free (d->byod_work);
    g_free (d->byod_ref);
    g_free (d);
}

gboolean
kikan_declaration_set_answer (KikanDeclaration *d, const char *question, const char *value,
                              GError **error)
{
    guint q = kikan_question_from_string (question);
    KikanAnswer a;

    g_return_val_if_fail (d != NULL, FALSE);
    if (q == 0) {
        g_autofree char *shown = kikan_escape_for_display (question ? question : "(none)", -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "Unknown question \"%s\": the questions are Q1 to Q19.", shown);
        return FALSE;
    }
    if (kikan_answer_from_string (value, &a)) {
        d->answer[q] = a;
        return TRUE;
    }
    if (kikan_question_takes_text (q) && value != NULL) {
        /* Free text: Q17's feedback counts as "yes, something was unclear"
         * (DEC-09); Q18 is recorded only when there is something in it. */
        g_autofree char *t = g_strstrip (g_strdup (value));

        if (t[0] == '\0') {
            d->answer[q] = q == 18 ? KIKAN_ANSWER_UNSET : d->answer[q];
            if (q == 18)
                kikan_declaration_set_text (d, q, NULL);
            if (q == 17)
                goto refuse;
            return TRUE;
        }
        d->answer[q] = KIKAN_ANSWER_YES;
        kikan_declaration_set_text (d, q, value);
        return TRUE;
    }
refuse : {
    g_autofree char *shown = kikan_escape_for_display (value ? value : "(none)", -1);

    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                 "Q%u: \"%s\" is not an answer. Answer yes, no or not_sure%s.", q, shown,
                 kikan_question_takes_text (q) ? ", or write a text" : "");
    return FALSE;
}
}

void
kikan_declaration_set_text (KikanDeclaration *d, guint q, const char *s)
{
    g_return_if_fail (q >= 1 && q <= KIKAN_N_QUESTIONS);
    g_free (d->text[q]);
    d->text[q] = g_strdup (s);
}

void
kikan_declaration_set_incident (KikanDeclaration *d, guint q, const char *s)
{
    g_return_if_fail (q >= 1 && q <= KIKAN_N_QUESTIONS);
    g_free (d->incident[q]);
    d->incident[q] = g_strdup (s);
}

gboolean
kikan_declaration_needs_followup (const KikanDeclaration *d, guint q)
{
    g_return_val_if_fail (q >= 1 && q <= KIKAN_N_QUESTIONS, FALSE);
    return q != 19 && kikan_answer_is_yes (d->answer[q]);
}

guint
kikan_declaration_missing (const KikanDeclaration *d, const KikanHoldings *h, guint *missing,
                           guint max)
{
    guint n = 0;

    for (guint q = 1; q <= KIKAN_N_QUESTIONS; q++) {
        if (kikan_question_is_optional (q) || !kikan_declaration_applicable (q, h)
            || d->answer[q] != KIKAN_ANSWER_UNSET)
            continue;
        if (missing != NULL && n < max)
            missing[n] = q;
        n++;
    }
    return n;
}
