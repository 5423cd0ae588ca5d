/* Kikan kiosk: the employee's self-declaration, Q1–Q19 of REQUIREMENTS.md
 * 5.2 (KR-21, KR-22, KR-23; issue #9 item 4).
 *
 * A plain model: the answers and their follow-ups, which questions apply
 * to what the employee holds (5.1 "Personalisation"), and the parsing of
 * an answer from text.  "Not sure" is routed like "Yes" (5.1): never as a
 * pass.  What the answers mean for the verdict is verdict.c's business.
 * Every string is owned by the declaration and stored verbatim (hostile:
 * escape before display).
 */
#pragma once

#include <glib.h>

#define KIKAN_N_QUESTIONS 19

typedef enum {
    KIKAN_ANSWER_UNSET = 0, /* not answered (yet) */
    KIKAN_ANSWER_YES,
    KIKAN_ANSWER_NO,
    KIKAN_ANSWER_NOT_SURE,
} KikanAnswer;

/* "unset", "yes", "no", "not_sure". */
const char *kikan_answer_to_string (KikanAnswer a);
/* TRUE for YES and NOT_SURE: "Not sure" is routed as "Yes" (5.1). */
gboolean kikan_answer_is_yes (KikanAnswer a);
/* Parses "yes", "no", "not_sure" (also "not sure", "not-sure"), in any
 * ASCII case, surrounding blanks ignored.  FALSE for anything else. */
gboolean kikan_answer_from_string (const char *s, KikanAnswer *out);

/* "Q1" … "Q19" (also "q7") → 1 … 19; 0 for anything else. */
guint kikan_question_from_string (const char *s);
/* The English wording of 5.2 (borrowed), NULL for a number out of range. */
const char *kikan_question_text (guint q);
/* Q18 is optional: an unanswered Q18 never makes the declaration
 * incomplete.  Every other applicable question must be answered. */
gboolean kikan_question_is_optional (guint q);
/* Q17 and Q18 accept free text instead of yes/no/not_sure. */
gboolean kikan_question_takes_text (guint q);

/* What the employee holds, for the filtering of 5.1. */
typedef struct {
    gboolean laptop;         /* a laptop on loan */
    gboolean phone;          /* a phone (or tablet) on loan */
    gboolean usb;            /* a USB medium on loan */
    gboolean token;          /* an IC card or token on loan */
    gboolean other;          /* anything else on loan */
    gboolean media_declared; /* media declared (Q9 yes/not sure) or an unregistered
                              * medium presented */
} KikanHoldings;

/* Whether question @q (1…19) is asked of someone holding @h:
 *   Q1, Q2            anything lent
 *   Q3, Q4, Q5, Q11, Q12, Q13  a laptop or phone lent (software, updates,
 *                     settings and networks of a company device)
 *   Q8                media lent or declared (5.1's example)
 *   Q10               a medium or a laptop lent, or media declared
 *   Q6, Q7, Q9, Q14–Q19  always (mail, personal devices, unregistered media,
 *                     credentials, paper, cloud, feedback, confirmation)
 * FALSE for a number out of range.  docs/verdicts.md "Declaration". */
gboolean kikan_declaration_applicable (guint q, const KikanHoldings *h);

typedef enum {
    KIKAN_CLASSIFICATION_UNKNOWN = 0, /* not said: counted as above public */
    KIKAN_CLASSIFICATION_PUBLIC,
    KIKAN_CLASSIFICATION_INTERNAL,
    KIKAN_CLASSIFICATION_CONFIDENTIAL,
} KikanClassification;

/* "unknown", "public", "internal", "confidential". */
const char *kikan_classification_to_string (KikanClassification c);
/* The inverse, ASCII case-insensitive; FALSE for anything else. */
gboolean kikan_classification_from_string (const char *s, KikanClassification *out);

typedef struct {
    KikanAnswer answer[KIKAN_N_QUESTIONS + 1]; /* [1] … [19]; [0] unused */
    /* Follow-up text per question, owned, NULL when none: Q3 software
     * names, Q4 what and from where, Q14 which account or token, Q16
     * service names, Q17/Q18 free text, Q5 description … (verbatim). */
    char *text[KIKAN_N_QUESTIONS + 1];
    /* Incident numbers the caller opened for Q2, Q5, Q6 (KR-23), owned. */
    char *incident[KIKAN_N_QUESTIONS + 1];
    /* Q7 BYOD follow-up (KR-22). */
    char *byod_device;
    char *byod_work;
    char *byod_ref;                /* IT follow-up reference, if opened */
    KikanAnswer byod_data_deleted; /* confirmed deleted: YES only */
    /* Q8: every medium named was presented and inspected at this kiosk. */
    gboolean q8_media_inspected;
    /* Q10: the highest level of work data stored, and personal data. */
    KikanClassification q10_classification;
    KikanAnswer q10_personal_data;
    /* Q15: all paper documents returned or disposed of by the rules. */
    gboolean q15_all_returned;
} KikanDeclaration;

KikanDeclaration *kikan_declaration_new (void);
void kikan_declaration_free (KikanDeclaration *d); /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanDeclaration, kikan_declaration_free)

/* Records the answer @value to @question ("Q3"), as typed in a script or
 * chosen on screen.  Q17 and Q18 take free text too (kept in text[];
 * Q17's answer becomes YES, Q18's is recorded as YES when not empty).
 * Anything else that is not an answer, or an unknown question, is refused
 * with an error naming the question and the value (escaped), and changes
 * nothing. */
gboolean kikan_declaration_set_answer (KikanDeclaration *d, const char *question,
                                       const char *value, GError **error);
/* Replaces text[@q] / incident[@q] with a copy of @s (NULL clears). */
void kikan_declaration_set_text (KikanDeclaration *d, guint q, const char *s);
void kikan_declaration_set_incident (KikanDeclaration *d, guint q, const char *s);

/* Whether the employee must be asked the follow-up of @q: the answer is
 * Yes or Not sure (5.1). */
gboolean kikan_declaration_needs_followup (const KikanDeclaration *d, guint q);

/* The applicable questions (for @h) that are still unanswered, in order,
 * Q18 never among them.  Returns their count; @missing (may be NULL)
 * receives up to @max question numbers. */
guint kikan_declaration_missing (const KikanDeclaration *d, const KikanHoldings *h, guint *missing,
                                 guint max);
