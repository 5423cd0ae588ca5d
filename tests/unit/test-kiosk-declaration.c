/* kiosk/checkin/declaration.c: the self-declaration Q1–Q19 (REQUIREMENTS.md
 * 5.1, 5.2; KR-21).  Questions are filtered to what the employee holds,
 * "Not sure" is routed as "Yes", answers are parsed from text and anything
 * else is refused with the question named, changing nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "declaration-private.h"
#include "error-private.h"

static void
test_answers_parse (void **state)
{
    static const struct {
        const char *text;
        KikanAnswer want;
    } ok[] = {
        { "yes", KIKAN_ANSWER_YES },
        { "Yes", KIKAN_ANSWER_YES },
        { "YES", KIKAN_ANSWER_YES },
        { " yes\n", KIKAN_ANSWER_YES },
        { "no", KIKAN_ANSWER_NO },
        { "No", KIKAN_ANSWER_NO },
        { "not_sure", KIKAN_ANSWER_NOT_SURE },
        { "Not sure", KIKAN_ANSWER_NOT_SURE },
        { "NOT-SURE", KIKAN_ANSWER_NOT_SURE },
    };
    static const char *const bad[]
        = { "",  " ",   "y",       "n",       "yes please", "maybe", "true",
            "1", "not", "notsure", "yes\x1b", "はい",       "no no" };

    for (gsize i = 0; i < G_N_ELEMENTS (ok); i++) {
        KikanAnswer a = KIKAN_ANSWER_UNSET;

        if (!kikan_answer_from_string (ok[i].text, &a))
            fail_msg ("\"%s\" refused", ok[i].text);
        assert_int_equal (a, ok[i].want);
    }
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
        KikanAnswer a = KIKAN_ANSWER_NO;

        if (kikan_answer_from_string (bad[i], &a))
            fail_msg ("\"%s\" accepted", bad[i]);
        assert_int_equal (a, KIKAN_ANSWER_NO);
    }
    assert_false (kikan_answer_from_string (NULL, NULL));
    for (int a = 0; a <= KIKAN_ANSWER_NOT_SURE; a++) {
        KikanAnswer back;

        if (a == KIKAN_ANSWER_UNSET)
            continue;
        assert_true (kikan_answer_from_string (kikan_answer_to_string (a), &back));
        assert_int_equal (back, a);
    }
}

/* 5.1: "Not sure" is routed like "Yes", never as a pass. */
static void
test_not_sure_is_yes (void **state)
{
    g_autoptr (KikanDeclaration) d = kikan_declaration_new ();

    assert_true (kikan_answer_is_yes (KIKAN_ANSWER_YES));
    assert_true (kikan_answer_is_yes (KIKAN_ANSWER_NOT_SURE));
    assert_false (kikan_answer_is_yes (KIKAN_ANSWER_NO));
    assert_false (kikan_answer_is_yes (KIKAN_ANSWER_UNSET));
    assert_true (kikan_declaration_set_answer (d, "Q5", "Not sure", NULL));
    assert_int_equal (d->answer[5], KIKAN_ANSWER_NOT_SURE);
    assert_true (kikan_declaration_needs_followup (d, 5));
    assert_true (kikan_declaration_set_answer (d, "Q6", "no", NULL));
    assert_false (kikan_declaration_needs_followup (d, 6));
    assert_false (kikan_declaration_needs_followup (d, 7));
    /* Q19 is a confirmation: no follow-up. */
    assert_true (kikan_declaration_set_answer (d, "Q19", "yes", NULL));
    assert_false (kikan_declaration_needs_followup (d, 19));
}

static void
test_questions (void **state)
{
    static const struct {
        const char *s;
        guint q;
    } cases[] = {
        { "Q1", 1 },  { "q1", 1 },           { "Q9", 9 },  { "Q10", 10 }, { "Q19", 19 },
        { "Q0", 0 },  { "Q20", 0 },          { "Q01", 0 }, { "Q", 0 },    { "1", 0 },
        { "Q1x", 0 }, { "Q-1", 0 },          { "x1", 0 },  { "", 0 },     { "Q100", 0 },
        { "Q 1", 0 }, { "Q99999999999", 0 },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
        if (kikan_question_from_string (cases[i].s) != cases[i].q)
            fail_msg ("\"%s\" → %u, expected %u", cases[i].s,
                      kikan_question_from_string (cases[i].s), cases[i].q);
    }
    assert_int_equal (kikan_question_from_string (NULL), 0);
    for (guint q = 1; q <= KIKAN_N_QUESTIONS; q++)
        assert_non_null (kikan_question_text (q));
    assert_null (kikan_question_text (0));
    assert_null (kikan_question_text (20));
    assert_non_null (strstr (kikan_question_text (7), "personal PC"));
    assert_true (kikan_question_is_optional (18));
    assert_false (kikan_question_is_optional (19));
}

static void
assert_refused (KikanDeclaration *d, const char *q, const char *value, const char *mention)
{
    g_autoptr (GError) error = NULL;
    KikanDeclaration before = *d;

    if (kikan_declaration_set_answer (d, q, value, &error))
        fail_msg ("%s = \"%s\" accepted", q, value ? value : "(null)");
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_USAGE));
    if (strstr (error->message, mention) == NULL)
        fail_msg ("\"%s\" does not name \"%s\"", error->message, mention);
    /* Nothing changed. */
    assert_memory_equal (&before, d, sizeof before);
}

static void
test_set_answer_refused (void **state)
{
    g_autoptr (KikanDeclaration) d = kikan_declaration_new ();

    assert_true (kikan_declaration_set_answer (d, "Q3", "yes", NULL));
    assert_refused (d, "Q3", "maybe", "Q3");
    assert_refused (d, "Q3", "", "Q3");
    assert_refused (d, "Q3", NULL, "Q3");
    assert_refused (d, "Q12", "y", "Q12");
    assert_refused (d, "Q20", "yes", "Q20");
    assert_refused (d, "Q0", "yes", "Q1 to Q19");
    assert_refused (d, NULL, "yes", "Unknown question");
    assert_refused (d, "Q17", "", "Q17");
    assert_refused (d, "Q17", "   ", "Q17");
    /* Hostile values are escaped in the message. */
    {
        g_autoptr (GError) error = NULL;

        assert_false (kikan_declaration_set_answer (d, "Q4", "\x1b[2Jyes", &error));
        assert_null (strchr (error->message, '\x1b'));
        assert_non_null (strstr (error->message, "\\x1B"));
        g_clear_error (&error);
        assert_false (kikan_declaration_set_answer (d, "Q\x1b", "yes", &error));
        assert_null (strchr (error->message, '\x1b'));
    }
    assert_int_equal (d->answer[3], KIKAN_ANSWER_YES);
}

static void
test_free_text (void **state)
{
    g_autoptr (KikanDeclaration) d = kikan_declaration_new ();

    assert_true (kikan_declaration_set_answer (d, "Q17", "The USB rule stopped printing", NULL));
    assert_int_equal (d->answer[17], KIKAN_ANSWER_YES);
    assert_string_equal (d->text[17], "The USB rule stopped printing");
    assert_true (kikan_declaration_set_answer (d, "Q17", "no", NULL));
    assert_int_equal (d->answer[17], KIKAN_ANSWER_NO);
    assert_true (kikan_declaration_set_answer (d, "Q18", "会議室の予約", NULL));
    assert_int_equal (d->answer[18], KIKAN_ANSWER_YES);
    assert_string_equal (d->text[18], "会議室の予約");
    assert_true (kikan_declaration_set_answer (d, "Q18", "", NULL));
    assert_int_equal (d->answer[18], KIKAN_ANSWER_UNSET);
    assert_null (d->text[18]);
    /* Other questions take no free text. */
    assert_false (kikan_declaration_set_answer (d, "Q16", "Dropbox", NULL));
    kikan_declaration_set_text (d, 16, "Dropbox");
    kikan_declaration_set_incident (d, 2, "INC-1");
    kikan_declaration_set_incident (d, 2, "INC-2");
    assert_string_equal (d->text[16], "Dropbox");
    assert_string_equal (d->incident[2], "INC-2");
    kikan_declaration_set_text (d, 16, NULL);
    assert_null (d->text[16]);
}

static guint
applicable_mask (const KikanHoldings *h)
{
    guint m = 0;

    for (guint q = 1; q <= KIKAN_N_QUESTIONS; q++)
        if (kikan_declaration_applicable (q, h))
            m |= 1u << q;
    return m;
}

#define QS(...) qmask ((const guint[]){ __VA_ARGS__, 0 })

static guint
qmask (const guint *qs)
{
    guint m = 0;

    for (; *qs != 0; qs++)
        m |= 1u << *qs;
    return m;
}

static void
test_applicability (void **state)
{
    const KikanHoldings none = { 0 }, usb = { .usb = TRUE }, laptop = { .laptop = TRUE },
                        phone = { .phone = TRUE }, token = { .token = TRUE },
                        declared = { .media_declared = TRUE };
    const guint always = QS (6, 7, 9, 14, 15, 16, 17, 18, 19);

    assert_int_equal (applicable_mask (&none), always);
    assert_int_equal (applicable_mask (&usb), always | QS (1, 2, 8, 10));
    assert_int_equal (applicable_mask (&laptop), always | QS (1, 2, 3, 4, 5, 10, 11, 12, 13));
    assert_int_equal (applicable_mask (&phone), always | QS (1, 2, 3, 4, 5, 11, 12, 13));
    assert_int_equal (applicable_mask (&token), always | QS (1, 2));
    /* 5.1: Q8 only when media were lent or declared. */
    assert_int_equal (applicable_mask (&declared), always | QS (8, 10));
    assert_false (kikan_declaration_applicable (0, &usb));
    assert_false (kikan_declaration_applicable (20, &usb));
}

static void
test_missing (void **state)
{
    g_autoptr (KikanDeclaration) d = kikan_declaration_new ();
    const KikanHoldings usb = { .usb = TRUE };
    guint missing[KIKAN_N_QUESTIONS];
    guint n;

    n = kikan_declaration_missing (d, &usb, missing, G_N_ELEMENTS (missing));
    /* Q1 Q2 Q6 Q7 Q8 Q9 Q10 Q14 Q15 Q16 Q17 Q19: Q18 is optional. */
    assert_int_equal (n, 12);
    assert_int_equal (missing[0], 1);
    assert_int_equal (missing[n - 1], 19);
    for (guint i = 0; i < n; i++)
        assert_int_not_equal (missing[i], 18);
    for (guint q = 1; q <= KIKAN_N_QUESTIONS; q++)
        d->answer[q] = q == 18 ? KIKAN_ANSWER_UNSET : KIKAN_ANSWER_NO;
    assert_int_equal (kikan_declaration_missing (d, &usb, NULL, 0), 0);
    d->answer[8] = KIKAN_ANSWER_UNSET;
    d->answer[3] = KIKAN_ANSWER_UNSET; /* not asked without a laptop or phone */
    n = kikan_declaration_missing (d, &usb, missing, 1);
    assert_int_equal (n, 1);
    assert_int_equal (missing[0], 8);
}

static void
test_classification (void **state)
{
    KikanClassification c = KIKAN_CLASSIFICATION_UNKNOWN;

    assert_true (kikan_classification_from_string ("Confidential", &c));
    assert_int_equal (c, KIKAN_CLASSIFICATION_CONFIDENTIAL);
    assert_true (kikan_classification_from_string ("public", &c));
    assert_int_equal (c, KIKAN_CLASSIFICATION_PUBLIC);
    assert_false (kikan_classification_from_string ("secret", &c));
    assert_false (kikan_classification_from_string (NULL, &c));
    assert_int_equal (c, KIKAN_CLASSIFICATION_PUBLIC);
    assert_string_equal (kikan_classification_to_string (KIKAN_CLASSIFICATION_INTERNAL),
                         "internal");
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_answers_parse), cmocka_unit_test (test_not_sure_is_yes),
        cmocka_unit_test (test_questions),     cmocka_unit_test (test_set_answer_refused),
        cmocka_unit_test (test_free_text),     cmocka_unit_test (test_applicability),
        cmocka_unit_test (test_missing),       cmocka_unit_test (test_classification),
    };

    return cmocka_run_group_tests (tests, NULL, NULL);
}
