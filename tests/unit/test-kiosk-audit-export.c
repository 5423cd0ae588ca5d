/* Unit tests: the audit export's pieces (issue #10 item 3; KR-31, KR-33;
 * docs/audit.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "audit-export-private.h"
#include "audit-query-private.h"
#include "audit-sample-private.h"
#include "error-private.h"
#include "format-private.h"

static const gint64 population[] = { 3, 5, 8, 13, 21, 34, 55, 89, 144, 233 };

static GArray *
draw (const char *seed_hex, gsize k)
{
    guint8 seed[KIKAN_AUDIT_SEED_MAX];
    gsize len = 0;
    GArray *out = g_array_new (FALSE, FALSE, sizeof (gint64));

    assert_true (kikan_audit_seed_parse (seed_hex, seed, &len));
    kikan_audit_sample_draw (seed, len, population, G_N_ELEMENTS (population), k, out);
    return out;
}

/* KR-33: the same seed and population give the same selection; another
 * seed another one; every id drawn once, from the population. */
static void
test_draw_reproducible (void **state)
{
    g_autoptr (GArray) a = draw ("c0ffee", 4);
    g_autoptr (GArray) b = draw ("c0ffee", 4);
    g_autoptr (GArray) c = draw ("0badf00d", 4);
    g_autoptr (GArray) all = draw ("c0ffee", G_N_ELEMENTS (population));
    gint64 sum = 0, want = 0;

    (void)state;
    assert_int_equal (a->len, 4);
    assert_memory_equal (a->data, b->data, 4 * sizeof (gint64));
    assert_memory_not_equal (a->data, c->data, 4 * sizeof (gint64));
    /* A partial draw is the start of the whole shuffle. */
    assert_memory_equal (a->data, all->data, 4 * sizeof (gint64));
    for (gsize i = 0; i < G_N_ELEMENTS (population); i++) {
        want += population[i];
        sum += g_array_index (all, gint64, i);
        for (gsize j = 0; j < i; j++)
            assert_int_not_equal (g_array_index (all, gint64, i), g_array_index (all, gint64, j));
    }
    assert_int_equal (sum, want);
}

/* The draw is pinned: this vector is what docs/audit.md's algorithm gives,
 * on any machine; a change to the stream or the shuffle breaks it (and
 * every auditor's ability to redraw an old sample). */
static void
test_draw_known_answer (void **state)
{
    g_autoptr (GArray) a = draw ("00", 3);
    g_autofree char *got = NULL;
    g_autoptr (GString) s = g_string_new (NULL);

    (void)state;
    for (guint i = 0; i < a->len; i++)
        g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? "," : "", g_array_index (a, gint64, i));
    got = g_strdup (s->str);
    assert_string_equal (got, "13,8,34");
}

static void
test_seed_parse (void **state)
{
    guint8 seed[KIKAN_AUDIT_SEED_MAX];
    gsize len = 0;
    g_autofree char *long_seed = g_strnfill (130, 'a');

    (void)state;
    assert_true (kikan_audit_seed_parse ("00ff", seed, &len));
    assert_int_equal (len, 2);
    assert_int_equal (seed[1], 0xff);
    assert_false (kikan_audit_seed_parse ("abc", seed, &len));
    assert_false (kikan_audit_seed_parse ("zz", seed, &len));
    assert_false (kikan_audit_seed_parse ("", seed, &len));
    assert_false (kikan_audit_seed_parse (long_seed, seed, &len));
}

static void
test_filter_times (void **state)
{
    g_autoptr (KikanAuditFilter) f = kikan_audit_filter_new ();
    g_autoptr (GError) error = NULL;

    (void)state;
    assert_true (kikan_audit_filter_set_since (f, "2026-11-02", NULL));
    assert_string_equal (f->since, "2026-11-02T00:00:00Z");
    assert_true (kikan_audit_filter_set_until (f, "2026-11-02", NULL));
    assert_string_equal (f->until, "2026-11-03T00:00:00Z");
    assert_true (kikan_audit_filter_set_since (f, "2026-11-02T18:30:00+09:00", NULL));
    assert_string_equal (f->since, "2026-11-02T09:30:00Z");
    assert_true (kikan_audit_filter_set_until (f, "2026-12-31T23:59:59Z", NULL));
    assert_string_equal (f->until, "2027-01-01T00:00:00Z");
    assert_false (kikan_audit_filter_set_since (f, "2026-02-30", &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_USAGE));
    assert_non_null (strstr (error->message, "--since"));
    g_clear_error (&error);
    assert_false (kikan_audit_filter_set_until (f, "tomorrow\x1b[2J", &error));
    assert_null (strchr (error->message, '\x1b'));
    g_clear_error (&error);
    assert_false (kikan_audit_filter_set_verdict (f, "fine", &error));
    assert_true (kikan_audit_filter_set_verdict (f, "quarantine", NULL));
}

static void
test_syslog_escape (void **state)
{
    g_autoptr (GString) s = g_string_new (NULL);

    (void)state;
    kikan_audit_syslog_escape_param (s, "a\"b]c\\d[e\nf");
    assert_string_equal (s->str, "a\\\"b\\]c\\\\d[e\xef\xbf\xbd" "f");
}

static void
test_syslog_line_hostile_header (void **state)
{
    g_autoptr (GString) s = g_string_new (NULL);
    KikanAuditRow r = { .seq = 7, .at = (char *)"not a time", .kind = (char *)"evil kind\n",
                        .session_id = 0, .payload = (char *)"{}", .prev_hash = (char *)"p",
                        .hash = (char *)"h", .mac = NULL };

    (void)state;
    kikan_audit_export_row (s, KIKAN_AUDIT_EXPORT_SYSLOG, "host name", &r);
    assert_string_equal (s->str, "<110>1 - host_name kikan - evil_kind_ [kikan@32473 seq=\"7\" "
                                 "hash=\"h\" prev_hash=\"p\" payload=\"{}\"]\n");
}

static void
test_csv_guard (void **state)
{
    g_autoptr (GString) s = g_string_new (NULL);

    (void)state;
    kikan_csv_append_field (s, "=1+1", TRUE);
    kikan_csv_append_field (s, "a,\"b\"", FALSE);
    kikan_csv_append_field (s, "'@x", FALSE);
    kikan_csv_append_field (s, NULL, FALSE);
    assert_string_equal (s->str, "'=1+1,\"a,\"\"b\"\"\",''@x,");
}

static void
test_person_text (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *too_long = g_strnfill (KIKAN_AUDIT_REVIEWER_MAX + 1, 'a');

    (void)state;
    assert_true (kikan_audit_check_person_text ("山田 太郎", 128, FALSE, "--by", NULL));
    assert_true (kikan_audit_check_person_text ("a\nb", 128, TRUE, "--statement", NULL));
    assert_false (kikan_audit_check_person_text ("a\nb", 128, FALSE, "--by", NULL));
    assert_false (kikan_audit_check_person_text ("a\xe2\x80\xae" "b", 128, TRUE, "--by", NULL));
    assert_false (kikan_audit_check_person_text ("\xff", 128, TRUE, "--by", NULL));
    assert_false (kikan_audit_check_person_text ("", 128, TRUE, "--by", NULL));
    assert_false (kikan_audit_check_person_text (too_long, KIKAN_AUDIT_REVIEWER_MAX, FALSE,
                                                 "--by", &error));
    assert_non_null (strstr (error->message, "--by is too long"));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_draw_reproducible),
        cmocka_unit_test (test_draw_known_answer),
        cmocka_unit_test (test_seed_parse),
        cmocka_unit_test (test_filter_times),
        cmocka_unit_test (test_syslog_escape),
        cmocka_unit_test (test_syslog_line_hostile_header),
        cmocka_unit_test (test_csv_guard),
        cmocka_unit_test (test_person_text),
    };

    return cmocka_run_group_tests (tests, NULL, NULL);
}
