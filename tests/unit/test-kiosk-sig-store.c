/* kiosk/signatures/sig-store.c: offline signature import (KR-11) with the real, signed
 * upstream test databases test-5.cvd and test-6.cvd.  Forgeries, rollbacks
 * and odd media are refused, and a refused import changes nothing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db-file-private.h"
#include "db-sources-private.h"
#include "error-private.h"
#include "home-private.h"
#include "sig-store-private.h"

#include "test-kiosk-home.h"

#define CVD5 KIKAN_TEST_SHARED "/clamav/test-5.cvd"
#define CVD6 KIKAN_TEST_SHARED "/clamav/test-6.cvd"
#define CVD_HEADER 512

/* The shared test data is a prerequisite: without it these tests FAIL. */
static void
require_testdata (void)
{
    if (!g_file_test (CVD5, G_FILE_TEST_IS_REGULAR) || !g_file_test (CVD6, G_FILE_TEST_IS_REGULAR))
        fail_msg ("the shared test data is missing (%s, %s): it is a prerequisite of this "
                  "test",
                  CVD5, CVD6);
}

static KikanSigStore *
open_store (void)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = kikan_home_ensure_dir (home, "signatures", &error);

    assert_non_null (dir);
    return kikan_sig_store_new (dir);
}

static char *
sigdir_path (const char *name)
{
    return g_build_filename (g_getenv ("KIKAN_HOME"), "signatures", name, NULL);
}

/* Where "current" points, or NULL. */
static char *
read_current (void)
{
    g_autofree char *link = sigdir_path ("current");

    return g_file_read_link (link, NULL);
}

static guint
count_sets (void)
{
    g_autofree char *dir = sigdir_path (NULL);
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    guint n = 0;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        if (g_str_has_prefix (name, "set-"))
            n++;
    return n;
}

/* A fresh update folder (inside the test's home, so that teardown removes
 * it) holding copies of @srcs. */
static char *
make_medium (const char *name, const char *const *srcs)
{
    g_autofree char *dirname = g_strdup_printf ("media-%s", name);
    char *medium = g_build_filename (g_getenv ("KIKAN_HOME"), dirname, NULL);

    assert_int_equal (g_mkdir_with_parents (medium, 0700), 0);
    for (; srcs != NULL && *srcs != NULL; srcs++) {
        g_autofree char *contents = NULL;
        g_autofree char *base = g_path_get_basename (*srcs);
        g_autofree char *dst = g_build_filename (medium, base, NULL);
        gsize len = 0;

        assert_true (g_file_get_contents (*srcs, &contents, &len, NULL));
        assert_true (g_file_set_contents (dst, contents, (gssize) len, NULL));
    }
    return medium;
}

static void
write_file (const char *dir, const char *name, const char *text)
{
    g_autofree char *path = g_build_filename (dir, name, NULL);

    assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* Flips one bit at @offset (negative: from the end) of @dir/@name. */
static void
flip_byte (const char *dir, const char *name, gssize offset)
{
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_autofree char *contents = NULL;
    gsize len = 0;

    assert_true (g_file_get_contents (path, &contents, &len, NULL));
    if (offset < 0)
        offset += (gssize) len;
    assert_true (offset >= 0 && (gsize) offset < len);
    contents[offset] ^= 0x01;
    assert_true (g_file_set_contents (path, contents, (gssize) len, NULL));
}

static gboolean
import (KikanSigStore *store, const char *medium, gboolean replace, KikanImportResult **res,
        GError **error)
{
    KikanImportOptions opts = { .replace = replace };

    return kikan_sig_store_import (store, medium, &opts, res, error);
}

static KikanImportResult *
import_ok (KikanSigStore *store, const char *medium)
{
    g_autoptr (GError) error = NULL;
    KikanImportResult *res = NULL;

    if (!import (store, medium, FALSE, &res, &error))
        fail_msg ("import of %s failed: %s", medium, error->message);
    return res;
}

static void
assert_refused (KikanSigStore *store, const char *medium, int code, const char *mention)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanImportResult) res = NULL;
    g_autofree char *before = read_current ();
    guint sets = count_sets ();

    assert_false (import (store, medium, FALSE, &res, &error));
    assert_null (res);
    if (!g_error_matches (error, KIKAN_ERROR, code))
        fail_msg ("expected error code %d, got %d: %s", code, error->code, error->message);
    if (mention != NULL && strstr (error->message, mention) == NULL)
        fail_msg ("the error “%s” does not mention “%s”", error->message, mention);
    /* Nothing changed: same current set, no staging directory left. */
    g_autofree char *after = read_current ();
    assert_string_equal (before != NULL ? before : "(none)", after != NULL ? after : "(none)");
    assert_int_equal (count_sets (), sets);
}

static void
assert_current_holds (const char *name, guint version)
{
    g_autofree char *cur = read_current ();
    g_autofree char *path = NULL;
    g_autoptr (KikanDbFile) f = NULL;

    assert_non_null (cur);
    path = g_build_filename (g_getenv ("KIKAN_HOME"), "signatures", cur, name, NULL);
    f = kikan_db_file_describe (path, NULL);
    if (f->error != NULL)
        fail_msg ("%s in the current set: %s", name, f->error);
    assert_int_equal (f->version, version);
}

/* ---- tests ---- */

static void
test_identity (void **state)
{
    g_autofree char *a = kikan_db_file_identity ("test-6.cvd", TRUE, 6);
    g_autofree char *b = kikan_db_file_identity ("daily.cld", TRUE, 27000);
    g_autofree char *c = kikan_db_file_identity ("foo-2.cvd", TRUE, 3);
    g_autofree char *d = kikan_db_file_identity ("kikan-test.hdb", FALSE, 0);
    g_autofree char *e = kikan_db_file_identity ("daily.cvd", TRUE, 27001);

    assert_string_equal (a, "test");
    assert_string_equal (b, "daily");
    assert_string_equal (c, "foo-2");   /* the suffix is not its version */
    assert_string_equal (d, "kikan-test.hdb");
    assert_string_equal (e, "daily");
}

static void
test_count_lines (void **state)
{
    const char *hdb = "# comment\n\naa15bcf4:544:Kikan.Test\n  \nbb:68:Other\n";
    const char *yara = "rule a { condition: true }\nprivate rule b\n{ condition: false }\n"
                       "global private rule c { condition: true }\n// rule in a comment\n";

    assert_int_equal (kikan_db_file_count_lines ("x.hdb", hdb, strlen (hdb)), 2);
    assert_int_equal (kikan_db_file_count_lines ("x.yara", yara, strlen (yara)), 3);
}

static void
test_import_5_then_6 (void **state)
{
    const char *m5[] = { CVD5, NULL };
    const char *m6[] = { CVD6, NULL };
    g_autoptr (KikanSigStore) store = NULL;
    g_autoptr (KikanImportResult) r5 = NULL;
    g_autoptr (KikanImportResult) r6 = NULL;
    g_autofree char *d5 = NULL;
    g_autofree char *d6 = NULL;
    g_autofree char *cur = NULL;
    g_autofree char *prev = NULL;
    g_autofree char *prev_link = sigdir_path ("previous");
    g_autofree char *old_copy = NULL;
    KikanDbChange *c;

    require_testdata ();
    store = open_store ();
    d5 = make_medium ("5", m5);
    d6 = make_medium ("6", m6);

    r5 = import_ok (store, d5);
    assert_true (r5->changed);
    assert_null (r5->previous_set_name);
    assert_int_equal (r5->changes->len, 1);
    c = g_ptr_array_index (r5->changes, 0);
    assert_int_equal (c->kind, KIKAN_DB_CHANGE_ADDED);
    assert_int_equal (c->new_file->version, 5);
    assert_true (r5->signatures > 0);
    assert_true (r5->newest_signed_build_time > 0);
    assert_current_holds ("test-5.cvd", 5);

    r6 = import_ok (store, d6);
    assert_true (r6->changed);
    assert_int_equal (r6->changes->len, 1);
    c = g_ptr_array_index (r6->changes, 0);
    assert_int_equal (c->kind, KIKAN_DB_CHANGE_UPDATED);
    assert_int_equal (c->old_file->version, 5);
    assert_int_equal (c->new_file->version, 6);

    /* current -> the new set, which holds test-6 and no longer test-5;
     * previous -> the set before, kept for rollback. */
    cur = read_current ();
    assert_string_equal (cur, r6->set_name);
    assert_string_not_equal (cur, r5->set_name);
    assert_current_holds ("test-6.cvd", 6);
    old_copy = g_build_filename (g_getenv ("KIKAN_HOME"), "signatures", cur, "test-5.cvd", NULL);
    assert_false (g_file_test (old_copy, G_FILE_TEST_EXISTS));
    prev = g_file_read_link (prev_link, NULL);
    assert_string_equal (prev, r5->set_name);
    assert_string_equal (r6->previous_set_name, r5->set_name);
    assert_int_equal (count_sets (), 2);
}

static void
test_backwards_is_refused (void **state)
{
    const char *m5[] = { CVD5, NULL };
    const char *m6[] = { CVD6, NULL };
    g_autoptr (KikanSigStore) store = NULL;
    g_autoptr (KikanImportResult) r6 = NULL;
    g_autofree char *d5 = NULL;
    g_autofree char *d6 = NULL;

    require_testdata ();
    store = open_store ();
    d5 = make_medium ("5", m5);
    d6 = make_medium ("6", m6);
    r6 = import_ok (store, d6);
    assert_refused (store, d5, KIKAN_ERROR_BACKWARDS, "test-5.cvd");
    assert_current_holds ("test-6.cvd", 6);
}

static void
test_same_version_changes_nothing (void **state)
{
    const char *m6[] = { CVD6, NULL };
    g_autoptr (KikanSigStore) store = NULL;
    g_autoptr (KikanImportResult) first = NULL;
    g_autoptr (KikanImportResult) again = NULL;
    g_autofree char *d6 = NULL;
    g_autofree char *cur = NULL;

    require_testdata ();
    store = open_store ();
    d6 = make_medium ("6", m6);
    first = import_ok (store, d6);
    again = import_ok (store, d6);
    assert_false (again->changed);
    assert_string_equal (again->set_name, first->set_name);
    cur = read_current ();
    assert_string_equal (cur, first->set_name);
    assert_int_equal (count_sets (), 1);
}

static void
test_tampered_body_is_refused (void **state)
{
    const char *m5[] = { CVD5, NULL };
    const char *m6[] = { CVD6, NULL };
    g_autoptr (KikanSigStore) store = NULL;
    g_autoptr (KikanImportResult) r5 = NULL;
    g_autofree char *d5 = NULL;
    g_autofree char *bad = NULL;
    gsize len = 0;
    g_autofree char *contents = NULL;

    require_testdata ();
    store = open_store ();
    d5 = make_medium ("5", m5);
    bad = make_medium ("bad-body", m6);
    assert_true (g_file_get_contents (CVD6, &contents, &len, NULL));
    flip_byte (bad, "test-6.cvd", (gssize) (CVD_HEADER + (len - CVD_HEADER) / 2));

    /* Refused into an empty store, and over a good set. */
    assert_refused (store, bad, KIKAN_ERROR_VERIFY, "test-6.cvd");
    assert_null (read_current ());
    r5 = import_ok (store, d5);
    assert_refused (store, bad, KIKAN_ERROR_VERIFY, "test-6.cvd");
    assert_current_holds ("test-5.cvd", 5);
}

static void
test_tampered_header_signature_is_refused (void **state)
{
    const char *m6[] = { CVD6, NULL };
    g_autoptr (KikanSigStore) store = NULL;
    g_autoptr (KikanImportResult) good = NULL;
    g_autofree char *d6 = NULL;
    g_autofree char *bad = NULL;
    g_autofree char *contents = NULL;
    g_auto (GStrv) fields = NULL;
    gsize len = 0;
    gssize offset;

    require_testdata ();
    store = open_store ();
    d6 = make_medium ("6", m6);
    good = import_ok (store, d6);

    /* The header is "ClamAV-VDB:time:version:sigs:level:md5:dsig:builder:stime";
     * flip a byte in the middle of the digital signature (field 7). */
    assert_true (g_file_get_contents (CVD6, &contents, &len, NULL));
    contents[CVD_HEADER - 1] = '\0';
    fields = g_strsplit (contents, ":", -1);
    assert_true (g_strv_length (fields) >= 8);
    offset = (gssize) (strstr (contents, fields[6]) - contents) + (gssize) strlen (fields[6]) / 2;
    bad = make_medium ("bad-header", m6);
    flip_byte (bad, "test-6.cvd", offset);
    assert_refused (store, bad, KIKAN_ERROR_VERIFY, "test-6.cvd");
    /* The previous good set is still in use. */
    assert_current_holds ("test-6.cvd", 6);
    {
        g_autofree char *cur = read_current ();

        assert_string_equal (cur, good->set_name);
    }
}

static void
test_bad_media_are_refused (void **state)
{
    const char *m6[] = { CVD6, NULL };
    g_autoptr (KikanSigStore) store = NULL;
    g_autoptr (KikanImportResult) good = NULL;
    g_autofree char *d6 = NULL;
    g_autofree char *empty = NULL;
    g_autofree char *readme_only = NULL;
    g_autofree char *with_link = NULL;
    g_autofree char *with_dir = NULL;
    g_autofree char *link = NULL;
    g_autofree char *sub = NULL;
    g_autofree char *missing = NULL;

    require_testdata ();
    store = open_store ();
    d6 = make_medium ("6", m6);
    good = import_ok (store, d6);

    empty = make_medium ("empty", NULL);
    assert_refused (store, empty, KIKAN_ERROR_REFUSED, "no signature database");

    readme_only = make_medium ("readme", NULL);
    write_file (readme_only, "README.txt", "not a database\n");
    write_file (readme_only, "._test-6.cvd", "macOS metadata, not a database\n");
    assert_refused (store, readme_only, KIKAN_ERROR_REFUSED, "no signature database");

    /* A link is refused even when it points at a good database. */
    with_link = make_medium ("link", m6);
    link = g_build_filename (with_link, "daily.cvd", NULL);
    assert_int_equal (symlink (CVD6, link), 0);
    assert_refused (store, with_link, KIKAN_ERROR_REFUSED, "daily.cvd");

    with_dir = make_medium ("subdir", m6);
    sub = g_build_filename (with_dir, "more", NULL);
    assert_int_equal (g_mkdir (sub, 0700), 0);
    assert_refused (store, with_dir, KIKAN_ERROR_REFUSED, "more");

    missing = g_strconcat (empty, "-does-not-exist", NULL);
    assert_refused (store, missing, KIKAN_ERROR_IO, "does-not-exist");
    assert_current_holds ("test-6.cvd", 6);
}

static void
test_two_versions_on_one_medium_are_refused (void **state)
{
    const char *both[] = { CVD5, CVD6, NULL };
    g_autoptr (KikanSigStore) store = NULL;
    g_autofree char *d = NULL;

    require_testdata ();
    store = open_store ();
    d = make_medium ("both", both);
    assert_refused (store, d, KIKAN_ERROR_REFUSED, "test-5.cvd");
}

static void
test_merge_and_replace (void **state)
{
    const char *m6[] = { CVD6, NULL };
    g_autoptr (KikanSigStore) store = NULL;
    g_autoptr (KikanImportResult) r6 = NULL;
    g_autoptr (KikanImportResult) rplain = NULL;
    g_autoptr (KikanImportResult) rrep = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *d6 = NULL;
    g_autofree char *plain = NULL;
    g_autofree char *plain2 = NULL;
    guint kept = 0, added = 0, removed = 0;

    require_testdata ();
    store = open_store ();
    d6 = make_medium ("6", m6);
    r6 = import_ok (store, d6);

    /* A medium with only an organisation's plain file keeps test-6.cvd. */
    plain = make_medium ("plain", NULL);
    write_file (plain, "org.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Org.Test.Eicar\n");
    rplain = import_ok (store, plain);
    for (guint i = 0; i < rplain->changes->len; i++) {
        KikanDbChange *c = g_ptr_array_index (rplain->changes, i);

        kept += c->kind == KIKAN_DB_CHANGE_KEPT;
        added += c->kind == KIKAN_DB_CHANGE_ADDED;
    }
    assert_int_equal (kept, 1);
    assert_int_equal (added, 1);
    assert_current_holds ("test-6.cvd", 6);

    /* --replace: exactly the medium's databases. */
    plain2 = make_medium ("plain2", NULL);
    write_file (plain2, "org.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Org.Test.Eicar2\n");
    assert_true (import (store, plain2, TRUE, &rrep, &error));
    for (guint i = 0; i < rrep->changes->len; i++)
        removed += ((KikanDbChange *) g_ptr_array_index (rrep->changes, i))->kind ==
                   KIKAN_DB_CHANGE_REMOVED;
    assert_int_equal (removed, 1);
    {
        g_autofree char *cur = read_current ();
        g_autofree char *gone = g_build_filename (g_getenv ("KIKAN_HOME"), "signatures", cur,
                                                  "test-6.cvd", NULL);

        assert_false (g_file_test (gone, G_FILE_TEST_EXISTS));
    }
    /* Only the current set and the one before it are kept. */
    assert_int_equal (count_sets (), 2);
}

static void
test_set_that_does_not_load_is_refused (void **state)
{
    const char *m6[] = { CVD6, NULL };
    g_autoptr (KikanSigStore) store = NULL;
    g_autoptr (KikanImportResult) r6 = NULL;
    g_autofree char *d6 = NULL;
    g_autofree char *broken = NULL;

    require_testdata ();
    store = open_store ();
    d6 = make_medium ("6", m6);
    r6 = import_ok (store, d6);
    broken = make_medium ("broken", NULL);
    write_file (broken, "broken.ndb", "this line is not an ndb signature\n");
    assert_refused (store, broken, KIKAN_ERROR_ENGINE, "does not load");
    assert_current_holds ("test-6.cvd", 6);
}

static void
test_leftovers_are_pruned (void **state)
{
    g_autoptr (KikanSigStore) store = open_store ();
    g_autofree char *crashed = sigdir_path ("set-20200101T000000Z-1");
    g_autofree char *crashed_file = NULL;
    const char *hashes[] = { "44d88612fea8a8f36de82e1278abb02f:68:A\n",
                             "44d88612fea8a8f36de82e1278abb02f:68:B\n",
                             "44d88612fea8a8f36de82e1278abb02f:68:C\n" };

    /* A set left behind by an import that crashed half-way. */
    assert_int_equal (g_mkdir (crashed, 0700), 0);
    crashed_file = g_build_filename (crashed, "half.hdb", NULL);
    assert_true (g_file_set_contents (crashed_file, "x", -1, NULL));
    for (guint i = 0; i < G_N_ELEMENTS (hashes); i++) {
        g_autofree char *name = g_strdup_printf ("gen%u", i);
        g_autofree char *m = make_medium (name, NULL);
        g_autoptr (KikanImportResult) r = NULL;

        write_file (m, "org.hdb", hashes[i]);
        r = import_ok (store, m);
        assert_true (r->changed);
    }
    assert_false (g_file_test (crashed, G_FILE_TEST_EXISTS));
    assert_int_equal (count_sets (), 2);
}

static void
test_scan_uses_the_current_set (void **state)
{
    const char *m6[] = { CVD6, NULL };
    g_autoptr (KikanSigStore) store = NULL;
    g_autoptr (KikanImportResult) r6 = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanConfig) config = kikan_config_new ();
    g_autoptr (KikanDbSources) sources = kikan_db_sources_new ();
    g_autoptr (GError) error = NULL;
    g_autofree char *d6 = NULL;
    g_autofree char *want = NULL;
    g_autofree char *no_project = NULL;

    require_testdata ();
    store = open_store ();
    d6 = make_medium ("6", m6);
    r6 = import_ok (store, d6);
    no_project = make_medium ("no-project", NULL);
    g_setenv ("KIKAN_SIGNATURES_DIR", no_project, TRUE);
    assert_true (kikan_db_sources_add_defaults (sources, home, config, &error));
    g_unsetenv ("KIKAN_SIGNATURES_DIR");
    assert_true (kikan_db_sources_get_n (sources) >= 1);
    /* The link is resolved: a later import cannot swap the set under a scan. */
    want = sigdir_path (r6->set_name);
    assert_string_equal (kikan_db_sources_get_paths (sources)[0], want);
    assert_string_equal (kikan_db_sources_get_origin (sources, 0), "imported set");
}

static void
test_broken_current_link_is_an_error (void **state)
{
    g_autoptr (KikanSigStore) store = open_store ();
    g_autoptr (GError) error = NULL;
    g_autofree char *link = sigdir_path ("current");
    g_autofree char *set = NULL;

    assert_int_equal (symlink ("set-20990101T000000Z-1", link), 0);
    set = kikan_sig_store_dup_current_set (store, &error);
    assert_null (set);
    assert_non_null (error);
    assert_non_null (strstr (error->message, "missing"));
}

int
main (void)
{
#define T(f) cmocka_unit_test_setup_teardown (f, test_home_setup, test_home_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_identity),
        cmocka_unit_test (test_count_lines),
        T (test_import_5_then_6),
        T (test_backwards_is_refused),
        T (test_same_version_changes_nothing),
        T (test_tampered_body_is_refused),
        T (test_tampered_header_signature_is_refused),
        T (test_bad_media_are_refused),
        T (test_two_versions_on_one_medium_are_refused),
        T (test_merge_and_replace),
        T (test_set_that_does_not_load_is_refused),
        T (test_leftovers_are_pruned),
        T (test_scan_uses_the_current_set),
        T (test_broken_current_link_is_an_error),
    };
#undef T

    return cmocka_run_group_tests_name ("kiosk-sig-store", tests, test_home_group_setup,
                                        test_home_group_teardown);
}
