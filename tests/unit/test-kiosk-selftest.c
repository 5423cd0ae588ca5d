/* kiosk/inspect/selftest.c: expectations.tsv and the pass/fail rules of KR-36,
 * against hand-made scan reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error-private.h"
#include "selftest-private.h"

static const char *const tsv = "# path\tresult\ttext\n"
                               "eicar-nested.zip\tinfected\tEicar\n"
                               "encrypted.zip\tnot_inspected\tencrypted\n"
                               "deep.zip\tnot_inspected\tMaxRecursion\n"
                               "docs/readme.txt\tclean\t\n"
                               "empty.txt\tclean\t-\r\n"
                               "\n";

static void
add (KikanScanReport *rep, guint t, const char *path, KikanResult result, KikanReason reason,
     const char *detail, const char *sig)
{
    KikanFileReport r = { 0 };

    r.path = strdup (path);
    r.result = result;
    r.reason = reason;
    r.reason_detail = detail != NULL ? strdup (detail) : NULL;
    if (sig != NULL)
        assert_int_equal (kikan_file_report_add_signature (&r, sig), 0);
    kikan_scan_report_add_file (rep, t, &r);
    kikan_file_report_clear (&r);
}

/* The scan of a fixtures directory in which everything went as expected;
 * @skip names a file to leave out. */
static KikanScanReport *
good_scan (const char *sandbox, KikanTargetStatus status, const char *skip)
{
    KikanScanReport *rep = kikan_scan_report_new (TRUE);
    guint t = kikan_scan_report_add_target (rep, "/fixtures/selftest", TRUE);
    KikanTargetEnd end = { .status = status, .sandbox = sandbox ? strdup (sandbox) : NULL };

    if (g_strcmp0 (skip, "eicar-nested.zip") != 0)
        add (rep, t, "eicar-nested.zip", KIKAN_RESULT_INFECTED, KIKAN_REASON_NONE, NULL,
             "Kikan.Test.Eicar.UNOFFICIAL");
    add (rep, t, "encrypted.zip", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_ENCRYPTED,
         "Heuristics.Encrypted.Zip", NULL);
    add (rep, t, "deep.zip", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_LIMIT_EXCEEDED,
         "Heuristics.Limits.Exceeded.MaxRecursion", NULL);
    add (rep, t, "docs/readme.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    add (rep, t, "empty.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    add (rep, t, "expectations.tsv", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    kikan_scan_report_end_target (rep, t, &end);
    kikan_target_end_clear (&end);
    return rep;
}

static KikanSelftest *
parse (void)
{
    g_autoptr (GError) error = NULL;
    KikanSelftest *st = kikan_selftest_new_from_data (tsv, "expectations.tsv", &error);

    if (st == NULL)
        fail_msg ("%s", error->message);
    return st;
}

static void
test_parse (void **state)
{
    g_autoptr (KikanSelftest) st = parse ();
    const KikanSelftestCheck *c;

    assert_int_equal (kikan_selftest_get_n_checks (st), 5);
    c = kikan_selftest_get_check (st, 0);
    assert_string_equal (c->path, "eicar-nested.zip");
    assert_int_equal (c->expected, KIKAN_RESULT_INFECTED);
    assert_string_equal (c->expected_text, "Eicar");
    assert_int_equal (c->line, 2);
    c = kikan_selftest_get_check (st, 4);
    assert_string_equal (c->expected_text, "");   /* "-" and a CR are not text */
    /* Not evaluated yet: not passed. */
    assert_false (kikan_selftest_passed (st));
}

static void
test_parse_errors (void **state)
{
    static const char *const bad[] = {
        "a.zip\tdirty\tx\n",          /* unknown result */
        "a.zip\n",                    /* no result */
        "\tclean\t\n",                /* no path */
        "a.zip\tclean\t\na.zip\tinfected\tX\n",   /* the same file twice */
        "# only a comment\n",         /* nothing to check */
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
        g_autoptr (GError) error = NULL;
        g_autoptr (KikanSelftest) st = kikan_selftest_new_from_data (bad[i], "x.tsv", &error);

        assert_null (st);
        assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG));
        assert_non_null (strstr (error->message, "x.tsv"));
    }
}

static void
test_all_hold (void **state)
{
    g_autoptr (KikanSelftest) st = parse ();
    g_autoptr (KikanScanReport) rep = good_scan ("seccomp+landlock", KIKAN_TARGET_COMPLETE, NULL);

    kikan_selftest_evaluate (st, rep, 0, FALSE);
    for (guint i = 0; i < kikan_selftest_get_n_checks (st); i++) {
        const KikanSelftestCheck *c = kikan_selftest_get_check (st, i);

        if (!c->pass)
            fail_msg ("%s did not pass: got %s", c->path, c->actual_text);
    }
    /* expectations.tsv itself needs no line of its own. */
    assert_int_equal (kikan_selftest_get_uncovered (st)->len, 0);
    assert_int_equal (kikan_selftest_get_problems (st)->len, 0);
    assert_string_equal (kikan_selftest_get_sandbox (st), "seccomp+landlock");
    assert_true (kikan_selftest_passed (st));
}

static void
test_wrong_result_fails (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanSelftest) st = kikan_selftest_new_from_data (
        "eicar-nested.zip\tclean\t\nencrypted.zip\tnot_inspected\tencrypted\n"
        "deep.zip\tnot_inspected\tlimit\ndocs/readme.txt\tclean\nempty.txt\tclean\n",
        "e.tsv", &error);
    g_autoptr (KikanScanReport) rep = good_scan ("seccomp", KIKAN_TARGET_COMPLETE, NULL);

    kikan_selftest_evaluate (st, rep, 0, FALSE);
    assert_false (kikan_selftest_get_check (st, 0)->pass);
    assert_int_equal (kikan_selftest_get_check (st, 0)->actual, KIKAN_RESULT_INFECTED);
    /* The reason name matches too, not only its detail. */
    assert_true (kikan_selftest_get_check (st, 2)->pass);
    assert_false (kikan_selftest_passed (st));
}

static void
test_wrong_signature_fails (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanSelftest) st = kikan_selftest_new_from_data (
        "eicar-nested.zip\tinfected\tClamExe\nencrypted.zip\tnot_inspected\tparse_error\n"
        "deep.zip\tnot_inspected\tmaxrecursion\ndocs/readme.txt\tclean\nempty.txt\tclean\n",
        "e.tsv", &error);
    g_autoptr (KikanScanReport) rep = good_scan ("seccomp", KIKAN_TARGET_COMPLETE, NULL);

    kikan_selftest_evaluate (st, rep, 0, FALSE);
    assert_false (kikan_selftest_get_check (st, 0)->pass);
    assert_false (kikan_selftest_get_check (st, 1)->pass);
    assert_true (kikan_selftest_get_check (st, 2)->pass);   /* case does not matter */
    assert_false (kikan_selftest_passed (st));
}

static void
test_missing_file_fails (void **state)
{
    g_autoptr (KikanSelftest) st = parse ();
    g_autoptr (KikanScanReport) rep =
        good_scan ("seccomp", KIKAN_TARGET_COMPLETE, "eicar-nested.zip");

    kikan_selftest_evaluate (st, rep, 0, FALSE);
    assert_false (kikan_selftest_get_check (st, 0)->found);
    assert_false (kikan_selftest_get_check (st, 0)->pass);
    assert_false (kikan_selftest_passed (st));
}

static void
test_uncovered_file_fails (void **state)
{
    g_autoptr (GError) error = NULL;
    /* Everything but empty.txt has a line. */
    g_autoptr (KikanSelftest) st = kikan_selftest_new_from_data (
        "eicar-nested.zip\tinfected\tEicar\nencrypted.zip\tnot_inspected\tencrypted\n"
        "deep.zip\tnot_inspected\tMaxRecursion\ndocs/readme.txt\tclean\n",
        "e.tsv", &error);
    g_autoptr (KikanScanReport) rep = good_scan ("seccomp", KIKAN_TARGET_COMPLETE, NULL);
    GPtrArray *uncovered;

    kikan_selftest_evaluate (st, rep, 0, FALSE);
    uncovered = kikan_selftest_get_uncovered (st);
    assert_int_equal (uncovered->len, 1);
    assert_string_equal (g_ptr_array_index (uncovered, 0), "empty.txt");
    assert_false (kikan_selftest_passed (st));
}

static void
test_incomplete_scan_fails (void **state)
{
    g_autoptr (KikanSelftest) st = parse ();
    g_autoptr (KikanScanReport) rep = good_scan ("seccomp", KIKAN_TARGET_WORKER_FAILED, NULL);

    kikan_selftest_evaluate (st, rep, 0, FALSE);
    assert_int_equal (kikan_selftest_get_problems (st)->len, 1);
    assert_false (kikan_selftest_passed (st));
}

static void
test_null_sandbox (void **state)
{
    g_autoptr (KikanSelftest) silent = parse ();
    g_autoptr (KikanSelftest) asked = parse ();
    g_autoptr (KikanSelftest) none = parse ();
    g_autoptr (KikanScanReport) rep = good_scan ("null", KIKAN_TARGET_COMPLETE, NULL);
    g_autoptr (KikanScanReport) no_worker = good_scan (NULL, KIKAN_TARGET_COMPLETE, NULL);

    /* Unconfined without being asked: fail. */
    kikan_selftest_evaluate (silent, rep, 0, FALSE);
    assert_false (kikan_selftest_passed (silent));
    /* Asked for with KIKAN_SANDBOX=null: the checks alone decide. */
    kikan_selftest_evaluate (asked, rep, 0, TRUE);
    assert_true (kikan_selftest_passed (asked));
    /* No worker reported a sandbox at all: fail. */
    kikan_selftest_evaluate (none, no_worker, 0, TRUE);
    assert_false (kikan_selftest_passed (none));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_parse),
        cmocka_unit_test (test_parse_errors),
        cmocka_unit_test (test_all_hold),
        cmocka_unit_test (test_wrong_result_fails),
        cmocka_unit_test (test_wrong_signature_fails),
        cmocka_unit_test (test_missing_file_fails),
        cmocka_unit_test (test_uncovered_file_fails),
        cmocka_unit_test (test_incomplete_scan_fails),
        cmocka_unit_test (test_null_sandbox),
    };

    return cmocka_run_group_tests_name ("kiosk-selftest", tests, NULL, NULL);
}
