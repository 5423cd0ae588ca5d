/* kiosk/software/policy.c: the software policy file (issue #4 item 1).
 *
 * A malformed policy is refused whole, with the line that is wrong
 * (KR-16); matching follows docs/policy.md "How a rule decides": globs
 * are case-insensitive, criteria AND, a repeated key OR, and a valid
 * exception > forbid > approve > expired exception > unknown (Admin B-3,
 * KR-17, KR-20).  Dates are built from today's local date so the tests
 * hold on any day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "error-private.h"
#include "policy-private.h"

#define HASH_A "1fa33aa4e76f3a60ff80179ca3083200da6109f1bb8b6ce88dc05a9979d211ed"
#define HASH_B "42b84d38cb6ef63f22d1e7ba2aa4afc766e9c92c20eee58453026f8cdf2abfec"
#define HASH_S "cbe2b077f60a50b909ba49c131cce0c1c08ce30d20ae2e27c81d1a56ad270a95"

static KikanPolicy *
load_text (const char *text, GError **error)
{
    return kikan_policy_load_data (text, strlen (text), "t.conf", error);
}

/* The policy must be refused with a message starting "t.conf:LINE: " and
 * mentioning @mention. */
static void
assert_refused_len (const char *text, gsize len, guint line, const char *mention)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanPolicy) p = kikan_policy_load_data (text, len, "t.conf", &error);
    g_autofree char *prefix = g_strdup_printf ("t.conf:%u: ", line);

    if (p != NULL)
        fail_msg ("policy accepted, expected an error on line %u", line);
    assert_non_null (error);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG));
    if (!g_str_has_prefix (error->message, prefix) || strstr (error->message, mention) == NULL)
        fail_msg ("error \"%s\" is not \"%s…%s…\"", error->message, prefix, mention);
}

static void
assert_refused (const char *text, guint line, const char *mention)
{
    assert_refused_len (text, strlen (text), line, mention);
}

static char *
example_path (void)
{
    return g_build_filename (KIKAN_TEST_SOURCE_DIR, "data", "policy.conf.example", NULL);
}

/* "YYYY-MM-DD" of today + @days, local time. */
static char *
day_string (int days)
{
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_autoptr (GDateTime) d = g_date_time_add_days (now, days);

    return g_date_time_format (d, "%Y-%m-%d");
}

/* Unix time of today + @days at @h:@m:@s local time. */
static gint64
local_time (int days, int h, int m, int s)
{
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_autoptr (GDateTime) d = g_date_time_add_days (now, days);
    g_autoptr (GDateTime) t
        = g_date_time_new_local (g_date_time_get_year (d), g_date_time_get_month (d),
                                 g_date_time_get_day_of_month (d), h, m, s);

    return g_date_time_to_unix (t);
}

static KikanProgram
program (const char *name, const char *version, const char *publisher)
{
    KikanProgram p = { 0 };

    p.name = (char *)name;
    p.version = (char *)version;
    p.publisher = (char *)publisher;
    return p;
}

static KikanPolicyStatus
check_prog (const KikanPolicy *pol, const char *name, const char *version, const char *publisher,
            const char **rule_id)
{
    KikanProgram p = program (name, version, publisher);
    const KikanRule *rule = (const KikanRule *)0x1; /* must be overwritten */
    KikanPolicyStatus st
        = kikan_policy_check_program (pol, &p, g_get_real_time () / G_USEC_PER_SEC, &rule);

    if (st == KIKAN_POLICY_UNKNOWN)
        assert_null (rule);
    else
        assert_non_null (rule);
    if (rule_id != NULL)
        *rule_id = rule != NULL ? rule->id : NULL;
    return st;
}

/* ---- the example file ---- */

static void
test_example_loads (void **state)
{
    g_autofree char *path = example_path ();
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanPolicy) p = kikan_policy_load (path, &error);
    g_autofree char *bytes = NULL;
    g_autofree char *sha = NULL;
    gsize len;
    const char *id = NULL;
    const KikanRule *rule = NULL;
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;

    if (p == NULL)
        fail_msg ("%s", error->message);
    assert_string_equal (kikan_policy_get_path (p), path);
    assert_string_equal (kikan_policy_get_version (p), "2026-11-01");
    assert_int_equal (kikan_policy_get_max_os_patch_age_days (p), 45);
    assert_int_equal (kikan_policy_get_max_av_age_days (p), 7);
    assert_true (kikan_policy_get_require_antivirus (p));
    assert_true (kikan_policy_get_unknown_executable_holds (p));
    /* The audit trail keeps the hash of the very bytes loaded. */
    assert_true (g_file_get_contents (path, &bytes, &len, NULL));
    sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)bytes, len);
    assert_string_equal (kikan_policy_get_sha256 (p), sha);

    assert_int_equal (check_prog (p, "Microsoft Office Professional Plus 2021", "16.0",
                                  "Microsoft Corporation", &id),
                      KIKAN_POLICY_APPROVED);
    assert_string_equal (id, "Microsoft Office");
    assert_int_equal (check_prog (p, "TeamViewer 15", "15.2", "TeamViewer Germany GmbH", &id),
                      KIKAN_POLICY_FORBIDDEN);
    assert_string_equal (id, "TeamViewer");
    assert_int_equal (check_prog (p, "AnyDesk", NULL, NULL, &id), KIKAN_POLICY_FORBIDDEN);
    assert_int_equal (check_prog (p, "7-Zip 23.01", "23.01", "Igor Pavlov", NULL),
                      KIKAN_POLICY_UNKNOWN);
    assert_int_equal (kikan_policy_check_file (p, HASH_B, "expense.exe", NULL, now, &rule),
                      KIKAN_POLICY_APPROVED);
    assert_string_equal (rule->id, "Kikan test tool");
    assert_int_equal (rule->line, 51); /* its section header */
    assert_string_equal (rule->reason, "In-house expense tool, release builds from IT");
    assert_int_equal (kikan_policy_check_file (p, NULL, "setup.msi", HASH_S, now, &rule),
                      KIKAN_POLICY_APPROVED);
    assert_string_equal (rule->id, "Signed by our IT");
    assert_int_equal (kikan_policy_check_file (p, NULL, "run.ps1", HASH_S, now, &rule),
                      KIKAN_POLICY_UNKNOWN);
    assert_int_equal (kikan_policy_check_pua (p, "PUA.Win.Tool.Mimikatz-6398632-0", now, &rule),
                      KIKAN_POLICY_FORBIDDEN);
    assert_string_equal (rule->category, "hacking-tool");
    rule = kikan_policy_find_end_of_support (p, "Windows 7 Professional", NULL);
    assert_non_null (rule);
    assert_string_equal (rule->id, "Windows 7");
    assert_int_equal (rule->kind, KIKAN_RULE_END_OF_SUPPORT);
    assert_non_null (kikan_policy_find_end_of_support (p, "Windows 10 Pro", "21H2"));
    assert_null (kikan_policy_find_end_of_support (p, "Windows 10 Pro", "22H2"));
    assert_null (kikan_policy_find_end_of_support (p, "Windows 11 Pro", "23H2"));
    (void)state;
}

/* ---- refusals, each with its exact line ---- */

static void
test_refuse_bad_values (void **state)
{
    assert_refused ("[approve \"a\"]\nsha256 = " HASH_A "0\n", 2, "64 hexadecimal");
    assert_refused ("[approve \"a\"]\n\nsha256 = 1fa33aa4e76f3a60ff80179ca3083200da6109f1bb8b6ce88"
                    "dc05a9979d211eg\n",
                    3, "64 hexadecimal");
    assert_refused ("[approve \"a\"]\nsigner = abc\n", 2, "signer must be exactly 64");
    assert_refused ("[exception \"z\"]\nname = Zoom*\napprover = A\nticket = T\n"
                    "expires = 2026-02-30\n",
                    5, "2026-02-30");
    assert_refused ("[exception \"z\"]\nname = Zoom*\nexpires = 2026-13-01\n", 3, "YYYY-MM-DD");
    assert_refused ("[exception \"z\"]\nname = Zoom*\nexpires = 31.12.2026\n", 3, "YYYY-MM-DD");
    assert_refused ("[exception \"z\"]\nname = Zoom*\nexpires = 2026-1-01\n", 3, "YYYY-MM-DD");
    assert_refused ("[policy]\nmax_os_patch_age_days = -1\n", 2, "whole number");
    assert_refused ("[policy]\nmax_os_patch_age_days = 3651\n", 2, "whole number");
    assert_refused ("[policy]\nmax_av_definition_age_days = seven\n", 2, "whole number");
    assert_refused ("[policy]\nrequire_antivirus = maybe\n", 2, "yes or no");
    assert_refused ("[policy]\nunknown_executable = allow\n", 2, "hold or info");
    assert_refused ("[forbid \"f\"]\nname =\n", 2, "no value");
    assert_refused ("[forbid \"f\"]\nname = ; only a comment\n", 2, "no value");
    assert_refused ("[forbid \"f\"]\nfile = C:/tools/x.exe\n", 2, "remove the folder");
    (void)state;
}

static void
test_refuse_structure (void **state)
{
    /* Missing approver/ticket/expires: the line of the section header. */
    assert_refused ("[policy]\nversion = 1\n\n[exception \"Zoom (emergency)\"]\nname = Zoom*\n"
                    "ticket = IT-1\nexpires = 2026-12-31\n\n[forbid \"x\"]\nname = x\n",
                    4, "no approver");
    assert_refused ("[exception \"z\"]\nname = Zoom*\napprover = A\nexpires = 2026-12-31\n", 1,
                    "no ticket");
    assert_refused ("[exception \"z\"]\nname = Zoom*\napprover = A\nticket = T\n", 1,
                    "no expires");
    assert_refused ("[policy]\nversion = 1\nmax_patch_days = 3\n", 3, "unknown key");
    assert_refused ("[forbid \"f\"]\nname = x\ncolour = red\n", 3, "unknown key");
    /* class only belongs to forbid, approver only to exception. */
    assert_refused ("[approve \"a\"]\nname = x\nclass = office\n", 3, "unknown key");
    assert_refused ("[forbid \"f\"]\nname = x\napprover = A\n", 3, "unknown key");
    assert_refused ("[end-of-support \"e\"]\nname = x\npublisher = y\n", 3, "unknown key");
    assert_refused ("[Policy]\n", 1, "unknown section");
    assert_refused ("[allow \"x\"]\nname = x\n", 1, "unknown section");
    assert_refused ("[approve x]\nname = x\n", 1, "double quotes");
    assert_refused ("[approve \"x\" extra]\nname = x\n", 1, "double quotes");
    assert_refused ("[approve \"  \"]\nname = x\n", 1, "empty");
    assert_refused ("[approve \"x\"\nname = x\n", 1, "closing");
    assert_refused ("[approve \"x\"] junk\nname = x\n", 1, "after the section header");
    assert_refused ("[approve \"Same\"]\nname = x\n\n[forbid \"same\"]\nname = y\n", 4,
                    "already defined on line 1");
    assert_refused ("[policy]\n[policy]\n", 2, "second [policy]");
    assert_refused ("[approve \"a\"]\nreason = nothing\n[forbid \"b\"]\nname = b\n", 1,
                    "no criterion");
    assert_refused ("[forbid \"b\"]\nname = b\n[approve \"a\"]\n", 3, "no criterion");
    assert_refused ("[approve \"a\"]\nname = x\nsha256 = " HASH_A "\n", 1, "mixes");
    assert_refused ("[approve \"a\"]\nversion = 1.*\n", 1, "no name or publisher");
    assert_refused ("[approve \"a\"]\nfile = tool.exe\n", 1, "name alone");
    assert_refused ("[exception \"a\"]\nfile = tool.exe\napprover = A\nticket = T\n"
                    "expires = 2030-01-01\n",
                    1, "name alone");
    assert_refused ("[exception \"z\"]\nname = Z\napprover = A\napprover = B\n", 4, "given twice");
    assert_refused ("[policy]\nversion = 1\nversion = 2\n", 3, "given twice");
    assert_refused ("name = x\n", 1, "outside any section");
    /* inih would take an indented line as more of the previous value. */
    assert_refused ("[approve \"a\"]\nname = Microsoft Office*\n  publisher = Microsoft\n", 3,
                    "indented");
    (void)state;
}

static void
test_refuse_bytes (void **state)
{
    g_autoptr (GString) s = g_string_new ("[policy]\nversion = 1\n; ");
    g_autofree char *big = NULL;
    gsize big_len = 2u << 20;
    static const char nul[] = "[policy]\nversion = a\0b\n";

    assert_refused ("[policy]\nversion = 1\njunk line here\n", 3, "neither");
    for (int i = 0; i < 300; i++)
        g_string_append_c (s, 'x');
    g_string_append (s, "\n");
    assert_refused (s->str, 3, "longer than 197");
    /* 197 characters is still fine, even with CRLF. */
    g_string_assign (s, "[policy]\r\nversion = ");
    while (s->len < strlen ("[policy]\r\n") + 197)
        g_string_append_c (s, 'v');
    g_string_append (s, "\r\n");
    {
        g_autoptr (GError) error = NULL;
        g_autoptr (KikanPolicy) p = load_text (s->str, &error);
        assert_non_null (p);
        assert_int_equal (strlen (kikan_policy_get_version (p)), 197 - strlen ("version = "));
    }
    assert_refused_len (nul, sizeof nul - 1, 2, "NUL byte");
    assert_refused ("[policy]\n\nversion = caf\xc3\n", 3, "UTF-8");
    assert_refused ("[policy]\nversion = \xed\xa0\x80\n", 2, "UTF-8"); /* a surrogate */
    assert_refused ("[policy]\nversion = a\x01z\n", 2, "control character");
    assert_refused ("[policy]\nversion = a\rb\n", 2, "control character");
    assert_refused ("[forbid \"x\xe2\x80\xaegpj.exe\"]\nname = x\n", 1, "U+202E");
    /* The first error wins. */
    assert_refused ("[policy]\nbogus = 1\n[approve \"a\"]\nsha256 = 12\n", 2, "unknown key");

    /* Larger than 1 MiB: refused without reading a line. */
    big = g_malloc (big_len);
    memset (big, '#', big_len);
    {
        g_autoptr (GError) error = NULL;
        g_autoptr (KikanPolicy) p = kikan_policy_load_data (big, big_len, "t.conf", &error);
        assert_null (p);
        assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG));
        assert_non_null (strstr (error->message, "1 MiB"));
    }
    (void)state;
}

static void
test_load_file_errors (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp ("kikan-policy-XXXXXX", NULL);
    g_autofree char *big_path = g_build_filename (dir, "big.conf", NULL);
    g_autofree char *bad_path = g_build_filename (dir, "bad.conf", NULL);
    g_autofree char *big = g_malloc0 ((2u << 20) + 1);
    KikanPolicy *p;

    assert_non_null (dir);
    p = kikan_policy_load ("/nonexistent/kikan/policy.conf", &error);
    assert_null (p);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_IO));
    g_clear_error (&error);
    p = kikan_policy_load (dir, &error); /* a directory */
    assert_null (p);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_IO));
    g_clear_error (&error);

    memset (big, ';', 2u << 20);
    assert_true (g_file_set_contents (big_path, big, 2u << 20, NULL));
    p = kikan_policy_load (big_path, &error);
    assert_null (p);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG));
    assert_true (g_str_has_prefix (error->message, big_path));
    g_clear_error (&error);

    assert_true (
        g_file_set_contents (bad_path, "[policy]\n\n\nmax_os_patch_age_days = x\n", -1, NULL));
    p = kikan_policy_load (bad_path, &error);
    assert_null (p);
    {
        g_autofree char *prefix = g_strdup_printf ("%s:4: ", bad_path);
        assert_true (g_str_has_prefix (error->message, prefix));
    }
    g_unlink (big_path);
    g_unlink (bad_path);
    g_rmdir (dir);
    (void)state;
}

static void
test_empty_and_defaults (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanPolicy) p = load_text ("", &error);
    g_autoptr (KikanPolicy) q = NULL;
    g_autoptr (KikanPolicy) r = NULL;

    /* An empty policy is valid and approves nothing (fail closed). */
    assert_non_null (p);
    assert_null (kikan_policy_get_version (p));
    assert_int_equal (kikan_policy_get_max_os_patch_age_days (p), 45);
    assert_int_equal (kikan_policy_get_max_av_age_days (p), 7);
    assert_true (kikan_policy_get_require_antivirus (p));
    assert_true (kikan_policy_get_unknown_executable_holds (p));
    assert_string_equal (kikan_policy_get_sha256 (p),
                         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal (check_prog (p, "Anything", NULL, NULL, NULL), KIKAN_POLICY_UNKNOWN);

    /* A BOM, CRLF, comments of both kinds, ':' as separator, values off. */
    q = load_text ("\xef\xbb\xbf; comment\r\n# another\r\n[policy]\r\n"
                   "max_os_patch_age_days: 0\r\nmax_av_definition_age_days = 0 ; off\r\n"
                   "require_antivirus = No\r\nunknown_executable = info\r\n",
                   &error);
    assert_non_null (q);
    assert_int_equal (kikan_policy_get_max_os_patch_age_days (q), 0);
    assert_int_equal (kikan_policy_get_max_av_age_days (q), 0);
    assert_false (kikan_policy_get_require_antivirus (q));
    assert_false (kikan_policy_get_unknown_executable_holds (q));
    /* A long rule name (inih keeps only 50 bytes of a section name). */
    r = load_text ("[approve \"A very long rule name that is longer than fifty bytes for inih\"]\n"
                   "name = x*\n[approve \"A very long rule name that is longer than fifty bytes "
                   "for inih too\"]\nname = y*\n",
                   &error);
    assert_non_null (r);
    {
        const char *id = NULL;
        assert_int_equal (check_prog (r, "yes", NULL, NULL, &id), KIKAN_POLICY_APPROVED);
        assert_string_equal (id, "A very long rule name that is longer than fifty bytes for "
                                 "inih too");
    }
    (void)state;
}

/* ---- matching and precedence ---- */

static void
test_match_programs (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanPolicy) p
        = load_text ("[approve \"Office\"]\nname = Microsoft Office*\nname = Microsoft 365*\n"
                     "publisher = Microsoft Corporation\nversion = 16.*\n"
                     "[forbid \"TV\"]\nname = TeamViewer*\nclass = remote-access\n"
                     "[approve \"Any 7-Zip\"]\nname = 7-Zip ??.??\n",
                     &error);
    const char *id;

    assert_non_null (p);
    /* Case-insensitive on pattern and value; the whole string must match. */
    assert_int_equal (check_prog (p, "MICROSOFT office Professional", "16.0.1",
                                  "microsoft "
                                  "CORPORATION",
                                  &id),
                      KIKAN_POLICY_APPROVED);
    assert_string_equal (id, "Office");
    assert_int_equal (check_prog (p, "Microsoft 365 Apps", "16.0", "Microsoft Corporation", NULL),
                      KIKAN_POLICY_APPROVED); /* OR of the two names */
    assert_int_equal (check_prog (p, "Office", "16.0", "Microsoft Corporation", NULL),
                      KIKAN_POLICY_UNKNOWN);
    /* AND: every criterion must match; a missing value matches nothing. */
    assert_int_equal (check_prog (p, "Microsoft Office", "16.0", "Evil Corp", NULL),
                      KIKAN_POLICY_UNKNOWN);
    assert_int_equal (check_prog (p, "Microsoft Office", "16.0", NULL, NULL),
                      KIKAN_POLICY_UNKNOWN);
    assert_int_equal (check_prog (p, "Microsoft Office", "15.0", "Microsoft Corporation", NULL),
                      KIKAN_POLICY_UNKNOWN);
    assert_int_equal (check_prog (p, "Microsoft Office", NULL, "Microsoft Corporation", NULL),
                      KIKAN_POLICY_UNKNOWN);
    assert_int_equal (check_prog (p, "7-Zip 23.01", NULL, NULL, NULL), KIKAN_POLICY_APPROVED);
    assert_int_equal (check_prog (p, "7-Zip 23.011", NULL, NULL, NULL), KIKAN_POLICY_UNKNOWN);
    /* Hostile names: invalid UTF-8, full-width look-alikes, controls. */
    assert_int_equal (check_prog (p, "TeamViewer\xff\xfe", NULL, NULL, &id),
                      KIKAN_POLICY_FORBIDDEN);
    assert_string_equal (id, "TV");
    assert_int_equal (
        check_prog (p, "\xef\xbc\xb4\xef\xbd\x85\xef\xbd\x81mViewer", NULL, NULL, NULL),
        KIKAN_POLICY_FORBIDDEN); /* "ＴｅａmViewer" */
    assert_int_equal (check_prog (p, "Team\xffViewer", NULL, NULL, NULL), KIKAN_POLICY_UNKNOWN);
    assert_int_equal (check_prog (p, "", NULL, NULL, NULL), KIKAN_POLICY_UNKNOWN);
    /* Program rules never match files or PUA names. */
    assert_int_equal (kikan_policy_check_file (p, NULL, "TeamViewer.exe", NULL, 0, NULL),
                      KIKAN_POLICY_UNKNOWN);
    assert_int_equal (kikan_policy_check_pua (p, "TeamViewer", 0, NULL), KIKAN_POLICY_UNKNOWN);
    (void)state;
}

static void
test_precedence (void **state)
{
    g_autofree char *today = day_string (0);
    g_autofree char *yesterday = day_string (-1);
    g_autofree char *text = g_strdup_printf (
        "[approve \"Zoom approved\"]\nname = Zoom*\n"
        "[forbid \"Zoom old\"]\nname = Zoom*\nversion = 4.*\n"
        "[exception \"Zoom emergency\"]\nname = Zoom*\nversion = 4.*\napprover = Sato (IT)\n"
        "ticket = IT-1\nexpires = %s\n"
        "[exception \"Skype expired\"]\nname = Skype*\napprover = Sato (IT)\nticket = IT-2\n"
        "expires = %s\n"
        "[forbid \"Webex\"]\nname = Webex*\n"
        "[exception \"Webex expired\"]\nname = Webex*\napprover = A\nticket = IT-3\n"
        "expires = %s\n"
        "[approve \"Slack\"]\nname = Slack*\n"
        "[exception \"Slack expired\"]\nname = Slack*\napprover = A\nticket = IT-4\n"
        "expires = %s\n",
        today, yesterday, yesterday, yesterday);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanPolicy) p = load_text (text, &error);
    KikanProgram zoom4 = program ("Zoom Workplace", "4.1", NULL);
    KikanProgram zoom5 = program ("Zoom Workplace", "5.0", NULL);
    KikanProgram skype = program ("Skype 8", "8.1", NULL);
    KikanProgram webex = program ("Webex", "1", NULL);
    KikanProgram slack = program ("Slack", "1", NULL);
    const KikanRule *rule = NULL;
    gint64 noon = local_time (0, 12, 0, 0);
    gint64 last_second = local_time (0, 23, 59, 59);
    gint64 tomorrow = local_time (1, 0, 0, 0);

    if (p == NULL)
        fail_msg ("%s", error->message);
    /* A valid exception beats forbid, through the last second of its day. */
    assert_int_equal (kikan_policy_check_program (p, &zoom4, noon, &rule), KIKAN_POLICY_EXCEPTION);
    assert_string_equal (rule->id, "Zoom emergency");
    assert_string_equal (rule->ticket, "IT-1");
    assert_string_equal (rule->approver, "Sato (IT)");
    assert_string_equal (rule->expires, today);
    assert_int_equal (rule->line, 6);
    assert_int_equal (kikan_policy_check_program (p, &zoom4, last_second, &rule),
                      KIKAN_POLICY_EXCEPTION);
    /* Once it expires, forbid beats the expired exception. */
    assert_int_equal (kikan_policy_check_program (p, &zoom4, tomorrow, &rule),
                      KIKAN_POLICY_FORBIDDEN);
    assert_string_equal (rule->id, "Zoom old");
    /* Forbid does not match 5.x: approve. */
    assert_int_equal (kikan_policy_check_program (p, &zoom5, noon, &rule), KIKAN_POLICY_APPROVED);
    assert_string_equal (rule->id, "Zoom approved");
    /* Expired yesterday, nothing else: expired (KR-20), with that rule. */
    assert_int_equal (kikan_policy_check_program (p, &skype, noon, &rule),
                      KIKAN_POLICY_EXCEPTION_EXPIRED);
    assert_string_equal (rule->id, "Skype expired");
    assert_string_equal (rule->expires, yesterday);
    assert_int_equal (kikan_policy_check_program (p, &skype, local_time (-1, 23, 59, 59), &rule),
                      KIKAN_POLICY_EXCEPTION);
    assert_int_equal (kikan_policy_check_program (p, &webex, noon, &rule), KIKAN_POLICY_FORBIDDEN);
    /* Approve beats an expired exception. */
    assert_int_equal (kikan_policy_check_program (p, &slack, noon, &rule), KIKAN_POLICY_APPROVED);
    assert_string_equal (rule->id, "Slack");
    assert_string_equal (kikan_policy_status_to_string (KIKAN_POLICY_EXCEPTION_EXPIRED),
                         "exception_expired");
    assert_string_equal (kikan_policy_status_to_string (KIKAN_POLICY_UNKNOWN), "unknown");
    (void)state;
}

static void
test_match_files_and_pua (void **state)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanPolicy) p = load_text (
        "[approve \"tool\"]\nsha256 = 1FA33AA4E76F3A60FF80179CA3083200DA6109F1BB8B6CE88DC05A9979D"
        "211ED\nsha256 = " HASH_B "\n"
        "[approve \"signed\"]\nsigner = " HASH_S "\nfile = *.exe\n"
        "[forbid \"anydesk\"]\nfile = AnyDesk*.exe\n"
        "[forbid \"bad hash\"]\nsha256 = " HASH_B "\n"
        "[forbid \"pua\"]\npua = PUA.Win.Tool.*\n"
        "[approve \"pua ok\"]\npua = PUA.Win.Packer.*\n",
        &error);
    const KikanRule *rule = NULL;

    if (p == NULL)
        fail_msg ("%s", error->message);
    /* sha256 is normalised to lowercase; either of the two matches. */
    assert_int_equal (kikan_policy_check_file (p, HASH_A, "x.exe", NULL, 0, &rule),
                      KIKAN_POLICY_APPROVED);
    assert_string_equal (rule->id, "tool");
    assert_int_equal (kikan_policy_check_file (p, HASH_B, "x.exe", NULL, 0, &rule),
                      KIKAN_POLICY_FORBIDDEN); /* forbid > approve */
    assert_string_equal (rule->id, "bad hash");
    assert_int_equal (kikan_policy_check_file (p, NULL, "x.exe", NULL, 0, &rule),
                      KIKAN_POLICY_UNKNOWN);
    assert_null (rule);
    assert_int_equal (kikan_policy_check_file (p, "", "x.exe", NULL, 0, NULL),
                      KIKAN_POLICY_UNKNOWN);
    /* signer AND file */
    assert_int_equal (kikan_policy_check_file (p, NULL, "Setup.EXE", HASH_S, 0, &rule),
                      KIKAN_POLICY_APPROVED);
    assert_string_equal (rule->id, "signed");
    assert_int_equal (kikan_policy_check_file (p, NULL, "setup.dll", HASH_S, 0, NULL),
                      KIKAN_POLICY_UNKNOWN);
    assert_int_equal (kikan_policy_check_file (p, NULL, "setup.exe", HASH_A, 0, NULL),
                      KIKAN_POLICY_UNKNOWN);
    assert_int_equal (kikan_policy_check_file (p, NULL, "setup.exe", NULL, 0, NULL),
                      KIKAN_POLICY_UNKNOWN);
    /* file matches the last component only, whatever the separator. */
    assert_int_equal (
        kikan_policy_check_file (p, NULL, "tools/ANYDESK_portable.exe", NULL, 0, &rule),
        KIKAN_POLICY_FORBIDDEN);
    assert_string_equal (rule->id, "anydesk");
    assert_int_equal (kikan_policy_check_file (p, NULL, "a.zip\\x\\AnyDesk.exe", NULL, 0, NULL),
                      KIKAN_POLICY_FORBIDDEN);
    assert_int_equal (kikan_policy_check_file (p, NULL, "AnyDesk.exe/readme.txt", NULL, 0, NULL),
                      KIKAN_POLICY_UNKNOWN);
    assert_int_equal (kikan_policy_check_file (p, NULL, NULL, NULL, 0, NULL),
                      KIKAN_POLICY_UNKNOWN);
    /* PUA names */
    assert_int_equal (kikan_policy_check_pua (p, "PUA.Win.Tool.Mimikatz-1", 0, &rule),
                      KIKAN_POLICY_FORBIDDEN);
    assert_string_equal (rule->id, "pua");
    assert_int_equal (kikan_policy_check_pua (p, "pua.win.packer.upx-1", 0, &rule),
                      KIKAN_POLICY_APPROVED);
    assert_int_equal (
        kikan_policy_check_pua (p, "PUA.Doc.Packed.EncryptedDoc-6563700-0", 0, &rule),
        KIKAN_POLICY_UNKNOWN);
    assert_int_equal (kikan_policy_check_pua (p, NULL, 0, &rule), KIKAN_POLICY_UNKNOWN);
    /* File and PUA rules never match programs. */
    assert_int_equal (check_prog (p, "AnyDesk.exe", NULL, NULL, NULL), KIKAN_POLICY_UNKNOWN);
    (void)state;
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_example_loads),       cmocka_unit_test (test_refuse_bad_values),
        cmocka_unit_test (test_refuse_structure),    cmocka_unit_test (test_refuse_bytes),
        cmocka_unit_test (test_load_file_errors),    cmocka_unit_test (test_empty_and_defaults),
        cmocka_unit_test (test_match_programs),      cmocka_unit_test (test_precedence),
        cmocka_unit_test (test_match_files_and_pua),
    };

    return cmocka_run_group_tests_name ("kiosk-policy", tests, NULL, NULL);
}
