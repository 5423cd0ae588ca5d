/* kiosk/inspect/scan-report.c: results, exit status and the JSON of docs/json.md,
 * from hand-made file reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "scan-report-private.h"

#define NOW ((gint64) 1800000000)   /* 2027-01-15, fixed so that ages are exact */

/* A file report owning heap copies, as the daemon client hands them over. */
static void
make_file (KikanFileReport *r, const char *path, KikanResult result, KikanReason reason,
           const char *detail, const char *sig)
{
    memset (r, 0, sizeof *r);
    r->path = strdup (path);
    r->size = strlen (path);
    memset (r->sha256, 'a', 64);
    r->result = result;
    r->reason = reason;
    r->reason_detail = detail != NULL ? strdup (detail) : NULL;
    if (sig != NULL)
        assert_int_equal (kikan_file_report_add_signature (r, sig), 0);
}

static void
add (KikanScanReport *rep, guint t, const char *path, KikanResult result, KikanReason reason,
     const char *detail, const char *sig)
{
    KikanFileReport r;

    make_file (&r, path, result, reason, detail, sig);
    kikan_scan_report_add_file (rep, t, &r);
    kikan_file_report_clear (&r);
}

static void
end (KikanScanReport *rep, guint t, KikanTargetStatus status, const char *detail)
{
    KikanTargetEnd e = { 0 };

    e.status = status;
    e.detail = detail != NULL ? strdup (detail) : NULL;
    e.sandbox = strdup ("seccomp+landlock");
    e.seconds = 0.5;
    kikan_scan_report_end_target (rep, t, &e);
    kikan_target_end_clear (&e);
}

/* Renders the document to text (as the CLI does) and parses it back. */
static JsonObject *
round_trip (KikanScanReport *rep, JsonParser **parser_out, char **text_out)
{
    g_autoptr (JsonNode) root = kikan_scan_report_to_json (rep, NOW);
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    JsonParser *parser = json_parser_new ();
    g_autoptr (GError) error = NULL;
    char *text;

    json_generator_set_root (gen, root);
    text = json_generator_to_data (gen, NULL);
    assert_true (g_utf8_validate (text, -1, NULL));
    for (const char *p = text; *p != '\0'; p++)
        assert_false ((unsigned char) *p < 0x20 && *p != '\n' && *p != ' ');
    assert_true (json_parser_load_from_data (parser, text, -1, &error));
    *parser_out = parser;
    if (text_out != NULL)
        *text_out = text;
    else
        g_free (text);
    return json_node_get_object (json_parser_get_root (parser));
}

static JsonObject *
file_entry (JsonObject *doc, guint i)
{
    return json_array_get_object_element (json_object_get_array_member (doc, "files"), i);
}

static JsonObject *
target_entry (JsonObject *doc, guint i)
{
    return json_array_get_object_element (json_object_get_array_member (doc, "targets"), i);
}

/* A volume report owning heap copies, as the daemon client hands it over. */
static void
add_volume (KikanScanReport *rep, guint t, guint32 index, const char *fs, const char *label,
            KikanEncryption enc, KikanVolumeReason reason)
{
    KikanVolumeReport v;

    memset (&v, 0, sizeof v);
    v.volume.index = index;
    v.volume.offset = 1048576ull * index;
    v.volume.size = 1000000000ull;
    v.volume.scheme = strdup ("mbr");
    v.volume.part_type = strdup ("0x0c");
    v.volume.filesystem = fs != NULL ? strdup (fs) : NULL;
    v.volume.fs_version = fs != NULL && strcmp (fs, "vfat") == 0 ? strdup ("FAT32") : NULL;
    v.volume.label = label != NULL ? strdup (label) : NULL;
    v.volume.encryption = enc;
    v.volume.entropy = enc == KIKAN_ENC_NONE ? 3.14159 : -1.0;
    v.volume.readable = reason == KIKAN_VOLUME_REASON_NONE;
    v.volume.problem = reason == KIKAN_VOLUME_REASON_NONE ? NULL : strdup ("not read\x1b[2J");
    v.result =
        reason == KIKAN_VOLUME_REASON_NONE ? KIKAN_RESULT_CLEAN : KIKAN_RESULT_NOT_INSPECTED;
    v.reason = reason;
    kikan_scan_report_add_volume (rep, t, &v);
    kikan_volume_report_clear (&v);
}

static JsonObject *
volume_entry (JsonObject *target, guint i)
{
    return json_array_get_object_element (json_object_get_array_member (target, "volumes"), i);
}

/* Engine info as the daemon gives it: 2 signatures, the newest signed
 * database built at @newest_signed (0: none signed). */
static void
take_engine (KikanScanReport *rep, gint64 newest_signed)
{
    KikanEngineInfo *info = calloc (1, sizeof *info);

    info->engine_version = strdup ("1.4.6");
    info->signatures = 2;
    info->newest_signed_build_time = newest_signed;
    kikan_scan_report_take_engine_info (rep, info);
}

static void
test_worst_of (void **state)
{
    assert_int_equal (kikan_result_worst (KIKAN_RESULT_CLEAN, KIKAN_RESULT_CLEAN),
                      KIKAN_RESULT_CLEAN);
    assert_int_equal (kikan_result_worst (KIKAN_RESULT_CLEAN, KIKAN_RESULT_NOT_INSPECTED),
                      KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (kikan_result_worst (KIKAN_RESULT_NOT_INSPECTED, KIKAN_RESULT_INFECTED),
                      KIKAN_RESULT_INFECTED);
    assert_int_equal (kikan_result_worst (KIKAN_RESULT_INFECTED, KIKAN_RESULT_CLEAN),
                      KIKAN_RESULT_INFECTED);
    /* A value nobody knows is never clean. */
    assert_int_equal (kikan_result_worst ((KikanResult) 7, KIKAN_RESULT_CLEAN),
                      KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (kikan_result_to_exit_status (KIKAN_RESULT_CLEAN), 0);
    assert_int_equal (kikan_result_to_exit_status (KIKAN_RESULT_INFECTED), 1);
    assert_int_equal (kikan_result_to_exit_status (KIKAN_RESULT_NOT_INSPECTED), 2);
}

static void
test_target_is_worst_of_its_files (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    guint a = kikan_scan_report_add_target (rep, "/media/a", TRUE);
    guint b = kikan_scan_report_add_target (rep, "/media/b", TRUE);
    guint c = kikan_scan_report_add_target (rep, "/media/c", TRUE);

    add (rep, a, "x.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    add (rep, a, "y.zip", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_ENCRYPTED, "enc", NULL);
    add (rep, a, "z.com", KIKAN_RESULT_INFECTED, KIKAN_REASON_NONE, NULL, "Eicar");
    add (rep, b, "x.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    add (rep, b, "y.zip", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_LIMIT_EXCEEDED, NULL, NULL);
    add (rep, c, "x.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    end (rep, a, KIKAN_TARGET_COMPLETE, NULL);
    end (rep, b, KIKAN_TARGET_COMPLETE, NULL);
    end (rep, c, KIKAN_TARGET_COMPLETE, NULL);

    assert_int_equal (kikan_scan_report_get_target_result (rep, a), KIKAN_RESULT_INFECTED);
    assert_int_equal (kikan_scan_report_get_target_result (rep, b), KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (kikan_scan_report_get_target_result (rep, c), KIKAN_RESULT_CLEAN);
    assert_int_equal (kikan_scan_report_get_result (rep), KIKAN_RESULT_INFECTED);
    assert_int_equal (kikan_scan_report_get_exit_status (rep), 1);
}

static void
test_exit_status_mapping (void **state)
{
    g_autoptr (KikanScanReport) clean = kikan_scan_report_new (TRUE);
    g_autoptr (KikanScanReport) ni = kikan_scan_report_new (TRUE);
    g_autoptr (KikanScanReport) none = kikan_scan_report_new (TRUE);
    guint t;

    t = kikan_scan_report_add_target (clean, "/m", TRUE);
    add (clean, t, "a", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    end (clean, t, KIKAN_TARGET_COMPLETE, NULL);
    assert_int_equal (kikan_scan_report_get_exit_status (clean), 0);

    t = kikan_scan_report_add_target (ni, "/m", TRUE);
    add (ni, t, "a", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    add (ni, t, "b", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_READ_ERROR, "EIO", NULL);
    end (ni, t, KIKAN_TARGET_COMPLETE, NULL);
    assert_int_equal (kikan_scan_report_get_exit_status (ni), 2);

    /* Nothing scanned at all is not a clean result. */
    assert_int_equal (kikan_scan_report_get_exit_status (none), 2);
}

/* A finished scan counts only under a sandbox name the kiosk accepts; the
 * test-only daemon's "proof-off" only in a program run from the build tree
 * (as this test is), never in an installed one. */
static void
test_unknown_sandbox_is_not_evidence (void **state)
{
    static const char *const refused[] = { "banana", "", "seccomp+landlock ", "Seccomp", NULL };

    assert_true (kikan_scan_report_sandbox_accepted ("seccomp+landlock", FALSE));
    assert_true (kikan_scan_report_sandbox_accepted ("seccomp", FALSE));
    assert_true (kikan_scan_report_sandbox_accepted ("null", FALSE));
    assert_false (kikan_scan_report_sandbox_accepted ("proof-off", FALSE));
    assert_true (kikan_scan_report_sandbox_accepted ("proof-off", TRUE));
    assert_false (kikan_scan_report_sandbox_accepted (NULL, TRUE));
    for (guint i = 0; refused[i] != NULL; i++) {
        assert_false (kikan_scan_report_sandbox_accepted (refused[i], FALSE));
        assert_false (kikan_scan_report_sandbox_accepted (refused[i], TRUE));
    }

    /* The NULL at the end: no sandbox reported at all. */
    for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
        g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
        g_autoptr (JsonParser) parser = NULL;
        guint t = kikan_scan_report_add_target (rep, "/media/stick", TRUE);
        KikanTargetEnd e = { .status = KIKAN_TARGET_COMPLETE };
        JsonObject *tj;

        /* Every file clean, the walk complete: still not inspected. */
        add (rep, t, "a.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
        e.sandbox = refused[i] != NULL ? strdup (refused[i]) : NULL;
        kikan_scan_report_end_target (rep, t, &e);
        kikan_target_end_clear (&e);
        assert_int_equal (kikan_scan_report_get_target_status (rep, t),
                          KIKAN_TARGET_WORKER_FAILED);
        assert_int_equal (kikan_scan_report_get_target_result (rep, t),
                          KIKAN_RESULT_NOT_INSPECTED);
        assert_int_equal (kikan_scan_report_get_exit_status (rep), 2);
        tj = target_entry (round_trip (rep, &parser, NULL), 0);
        assert_string_equal (json_object_get_string_member (tj, "status"), "worker_failed");
        assert_non_null (strstr (json_object_get_string_member (tj, "detail"),
                                 "nothing it reported counts"));
    }

    /* Here, in the build tree, the proof's daemon is taken at its word, so
     * that the sandbox proof runs through the kiosk's path. */
    {
        g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
        guint t = kikan_scan_report_add_target (rep, "/media/stick", TRUE);
        KikanTargetEnd e = { .status = KIKAN_TARGET_COMPLETE, .sandbox = strdup ("proof-off") };

        add (rep, t, "a.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
        kikan_scan_report_end_target (rep, t, &e);
        kikan_target_end_clear (&e);
        assert_int_equal (kikan_scan_report_get_target_status (rep, t), KIKAN_TARGET_COMPLETE);
        assert_int_equal (kikan_scan_report_get_target_result (rep, t), KIKAN_RESULT_CLEAN);
    }
}

static void
test_incomplete_target_is_not_inspected (void **state)
{
    static const KikanTargetStatus bad[] = { KIKAN_TARGET_WORKER_FAILED, KIKAN_TARGET_TIMEOUT,
                                             KIKAN_TARGET_ERROR };
    static const char *const names[] = { "worker_failed", "timeout", "error" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
        g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
        g_autoptr (JsonParser) parser = NULL;
        guint t = kikan_scan_report_add_target (rep, "/media/stick", TRUE);
        JsonObject *doc, *tj;

        /* Every file seen so far was clean: the target still is not. */
        add (rep, t, "a.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
        add (rep, t, "b.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
        end (rep, t, bad[i], "worker killed by signal 9");
        assert_int_equal (kikan_scan_report_get_target_result (rep, t),
                          KIKAN_RESULT_NOT_INSPECTED);
        assert_int_equal (kikan_scan_report_get_exit_status (rep), 2);

        doc = round_trip (rep, &parser, NULL);
        assert_string_equal (json_object_get_string_member (doc, "result"), "not_inspected");
        tj = target_entry (doc, 0);
        assert_string_equal (json_object_get_string_member (tj, "status"), names[i]);
        assert_string_equal (json_object_get_string_member (tj, "result"), "not_inspected");
        assert_string_equal (json_object_get_string_member (tj, "detail"),
                             "worker killed by signal 9");
        assert_string_equal (json_object_get_string_member (file_entry (doc, 0), "result"),
                             "clean");
    }
}

/* A disk the scanner listed no volume of is a disk nothing was read of:
 * a complete run with no file is still not clean (KR-10).  A file target
 * with no volume is just a file. */
static void
test_block_device_without_volume_is_not_inspected (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    guint disk = kikan_scan_report_add_target (rep, "/dev/sdz", FALSE);
    guint file = kikan_scan_report_add_target (rep, "/media/a.txt", FALSE);

    kikan_scan_report_set_target_kind (rep, disk, KIKAN_TARGET_KIND_BLOCK_DEVICE, 8 << 20, FALSE);
    end (rep, disk, KIKAN_TARGET_COMPLETE, NULL);
    add (rep, file, "a.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    end (rep, file, KIKAN_TARGET_COMPLETE, NULL);
    assert_int_equal (kikan_scan_report_get_target_result (rep, disk), KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (kikan_scan_report_get_target_result (rep, file), KIKAN_RESULT_CLEAN);
    assert_int_equal (kikan_scan_report_get_exit_status (rep), 2);
}

static void
test_infected_beats_incomplete (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    guint t = kikan_scan_report_add_target (rep, "/m", TRUE);

    add (rep, t, "e.com", KIKAN_RESULT_INFECTED, KIKAN_REASON_NONE, NULL, "Eicar");
    end (rep, t, KIKAN_TARGET_TIMEOUT, "deadline passed");
    assert_int_equal (kikan_scan_report_get_target_result (rep, t), KIKAN_RESULT_INFECTED);
    assert_int_equal (kikan_scan_report_get_exit_status (rep), 1);
}

static void
test_unfinished_and_failed_targets (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    g_autoptr (JsonParser) parser = NULL;
    guint ok = kikan_scan_report_add_target (rep, "/ok", TRUE);
    guint failed = kikan_scan_report_add_target (rep, "/failed", TRUE);
    guint never = kikan_scan_report_add_target (rep, "/never", TRUE);
    JsonObject *doc;

    end (rep, ok, KIKAN_TARGET_COMPLETE, NULL);
    kikan_scan_report_fail_target (rep, failed, "the scan daemon stopped");
    (void) never;   /* added, never ended: e.g. the daemon died first */
    assert_int_equal (kikan_scan_report_get_target_result (rep, ok), KIKAN_RESULT_CLEAN);
    assert_int_equal (kikan_scan_report_get_target_result (rep, failed),
                      KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (kikan_scan_report_get_target_result (rep, never),
                      KIKAN_RESULT_NOT_INSPECTED);
    doc = round_trip (rep, &parser, NULL);
    assert_string_equal (json_object_get_string_member (target_entry (doc, 1), "status"),
                         "error");
    assert_string_equal (json_object_get_string_member (target_entry (doc, 2), "status"),
                         "error");
    assert_non_null (json_object_get_string_member (target_entry (doc, 2), "detail"));
    assert_true (json_object_get_null_member (target_entry (doc, 0), "detail"));
    assert_true (json_object_get_null_member (target_entry (doc, 1), "sandbox"));
    assert_string_equal (json_object_get_string_member (doc, "result"), "not_inspected");
}

static void
test_json_document (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    g_autoptr (JsonParser) parser = NULL;
    g_autofree char *text = NULL;
    KikanEngineInfo *info = calloc (1, sizeof *info);
    KikanFileReport r;
    JsonObject *doc, *f, *m, *s, *e, *db;
    guint t = kikan_scan_report_add_target (rep, "/media/stick", TRUE);

    /* An infected zip with an infected member, then files of every kind. */
    make_file (&r, "docs/outer.zip", KIKAN_RESULT_INFECTED, KIKAN_REASON_NONE, NULL,
               "Eicar-Test-Signature");
    r.size = 468;
    r.n_members = 1;
    r.members = calloc (1, sizeof *r.members);
    r.members[0].name = strdup ("inner\x1b.zip");
    r.members[0].depth = 1;
    r.members[0].size = 320;
    r.members[0].extractor = strdup ("clamav");
    r.members[0].result = KIKAN_RESULT_INFECTED;
    r.members[0].signatures = calloc (1, sizeof (char *));
    r.members[0].signatures[0] = strdup ("Eicar-Test-Signature");
    r.members[0].n_signatures = 1;
    kikan_scan_report_add_file (rep, t, &r);
    kikan_file_report_clear (&r);
    add (rep, t, "enc.zip", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_ENCRYPTED,
         "Heuristics.Encrypted.Zip", NULL);
    add (rep, t, "odd.bin", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_NONE, NULL, NULL);
    make_file (&r, "tiny", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    r.flags = KIKAN_FILE_FLAG_TOO_SMALL_FOR_ENGINE;
    kikan_scan_report_add_file (rep, t, &r);
    kikan_file_report_clear (&r);
    end (rep, t, KIKAN_TARGET_COMPLETE, NULL);

    info->engine_version = strdup ("1.4.6");
    info->signatures = 12;
    info->n_dbs = 1;
    info->dbs = calloc (1, sizeof *info->dbs);
    info->dbs[0].name = strdup ("test-6.cvd");
    info->dbs[0].path = strdup ("/db/test-6.cvd");
    info->dbs[0].is_signed = 1;
    info->dbs[0].version = 6;
    info->dbs[0].build_time = 1624412045;
    info->dbs[0].signatures = 10;
    info->newest_signed_build_time = 1624412045;
    kikan_limits_apply_defaults (&info->limits);
    kikan_scan_report_take_engine_info (rep, info);
    kikan_scan_report_set_seconds (rep, 0.41);

    doc = round_trip (rep, &parser, &text);
    assert_null (strstr (text, "\x1b"));
    assert_string_equal (json_object_get_string_member (doc, "format"), "kikan-scan");
    assert_int_equal (json_object_get_int_member (doc, "format_version"), 1);
    assert_string_equal (json_object_get_string_member (doc, "result"), "infected");
    assert_int_equal (json_array_get_length (json_object_get_array_member (doc, "files")), 4);

    f = file_entry (doc, 0);
    assert_string_equal (json_object_get_string_member (f, "target"), "/media/stick");
    assert_string_equal (json_object_get_string_member (f, "path"), "docs/outer.zip");
    assert_false (json_object_has_member (f, "path_hex"));
    assert_int_equal (json_object_get_int_member (f, "size"), 468);
    assert_string_equal (json_object_get_string_member (f, "result"), "infected");
    assert_true (json_object_get_null_member (f, "reason"));
    assert_false (json_object_get_boolean_member (f, "engine_skipped"));
    assert_string_equal (
        json_array_get_string_element (json_object_get_array_member (f, "signatures"), 0),
        "Eicar-Test-Signature");
    m = json_array_get_object_element (json_object_get_array_member (f, "members"), 0);
    assert_string_equal (json_object_get_string_member (m, "name"), "inner\x1b.zip");
    assert_string_equal (json_object_get_string_member (m, "name_hex"), "696e6e65721b2e7a6970");
    assert_int_equal (json_object_get_int_member (m, "depth"), 1);
    assert_string_equal (json_object_get_string_member (m, "extractor"), "clamav");
    assert_string_equal (json_object_get_string_member (m, "result"), "infected");
    assert_true (json_object_get_null_member (m, "reason"));

    f = file_entry (doc, 1);
    assert_string_equal (json_object_get_string_member (f, "result"), "not_inspected");
    assert_string_equal (json_object_get_string_member (f, "reason"), "encrypted");
    assert_string_equal (json_object_get_string_member (f, "reason_detail"),
                         "Heuristics.Encrypted.Zip");
    /* Not inspected without a reason still says why not: never null. */
    f = file_entry (doc, 2);
    assert_string_equal (json_object_get_string_member (f, "reason"), "engine_error");
    f = file_entry (doc, 3);
    assert_true (json_object_get_boolean_member (f, "engine_skipped"));
    assert_string_equal (json_object_get_string_member (f, "result"), "clean");

    s = json_object_get_object_member (doc, "summary");
    assert_int_equal (json_object_get_int_member (s, "files"), 4);
    assert_int_equal (json_object_get_int_member (s, "bytes"), 468 + 7 + 7 + 4);
    assert_int_equal (json_object_get_int_member (s, "clean"), 1);
    assert_int_equal (json_object_get_int_member (s, "infected"), 1);
    assert_int_equal (json_object_get_int_member (s, "not_inspected"), 2);

    e = json_object_get_object_member (doc, "engine");
    assert_string_equal (json_object_get_string_member (e, "version"), "1.4.6");
    assert_int_equal (json_object_get_int_member (e, "signatures"), 12);
    assert_string_equal (json_object_get_string_member (e, "newest_signed_build_time"),
                         "2021-06-23T01:34:05Z");
    assert_float_equal (json_object_get_double_member (e, "age_days"),
                        (double) (NOW - 1624412045) / 86400.0, 0.06);
    assert_string_equal (json_object_get_string_member (e, "age_state"), "stale");
    assert_int_equal (
        json_object_get_int_member (json_object_get_object_member (e, "limits"), "max_files"),
        10000);
    db = json_array_get_object_element (json_object_get_array_member (e, "databases"), 0);
    assert_string_equal (json_object_get_string_member (db, "name"), "test-6.cvd");
    assert_true (json_object_get_boolean_member (db, "signed"));
    assert_int_equal (json_object_get_int_member (db, "version"), 6);
    assert_string_equal (json_object_get_string_member (db, "build_time"),
                         "2021-06-23T01:34:05Z");
}

static void
test_engine_without_signed_database (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    g_autoptr (JsonParser) parser = NULL;
    JsonObject *e;

    take_engine (rep, 0);
    kikan_scan_report_add_target (rep, "/m", TRUE);
    e = json_object_get_object_member (round_trip (rep, &parser, NULL), "engine");
    assert_true (json_object_get_null_member (e, "newest_signed_build_time"));
    assert_true (json_object_get_null_member (e, "age_days"));
    assert_string_equal (json_object_get_string_member (e, "age_state"), "none");
}

static void
test_path_hex (void **state)
{
    static const struct {
        const char *raw;
        const char *hex;   /* NULL: clean, no path_hex */
    } cases[] = {
        { "plain/name.txt", NULL },
        { "日本語.txt", NULL },
        { "back\\slash", NULL },
        { "new\nline.txt", "6e65770a6c696e652e747874" },
        { "bad-\xff\xfe.txt", "6261642dfffe2e747874" },
        { "rtl-\u202etxt.exe", "72746c2de280ae7478742e657865" },
        { "esc\x1b]0;t\x07", "6573631b5d303b7407" },
    };
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    g_autoptr (JsonParser) parser = NULL;
    g_autofree char *text = NULL;
    guint t = kikan_scan_report_add_target (rep, "/m", TRUE);
    JsonObject *doc;

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        add (rep, t, cases[i].raw, KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    end (rep, t, KIKAN_TARGET_COMPLETE, NULL);
    doc = round_trip (rep, &parser, &text);
    assert_null (strstr (text, "\xff"));
    assert_null (strstr (text, "\x1b"));
    assert_null (strstr (text, "\x07"));
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
        JsonObject *f = file_entry (doc, i);
        g_autofree char *want = g_utf8_make_valid (cases[i].raw, -1);

        assert_string_equal (json_object_get_string_member (f, "path"), want);
        if (cases[i].hex == NULL)
            assert_false (json_object_has_member (f, "path_hex"));
        else
            assert_string_equal (json_object_get_string_member (f, "path_hex"), cases[i].hex);
    }
    /* Invalid UTF-8 became U+FFFD. */
    assert_string_equal (json_object_get_string_member (file_entry (doc, 4), "path"),
                         "bad-\xef\xbf\xbd\xef\xbf\xbd.txt");
}

static void
test_clean_files_only_counted_when_not_kept (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (FALSE);
    guint t = kikan_scan_report_add_target (rep, "/m", TRUE);

    add (rep, t, "a", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    add (rep, t, "b", KIKAN_RESULT_INFECTED, KIKAN_REASON_NONE, NULL, "X");
    add (rep, t, "c", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    end (rep, t, KIKAN_TARGET_COMPLETE, NULL);
    assert_int_equal (kikan_scan_report_get_n_files (rep), 1);
    assert_string_equal (kikan_scan_report_get_file (rep, 0, NULL)->path, "b");
}

static void
test_human_lines (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (FALSE);
    guint dir = kikan_scan_report_add_target (rep, "/media/stick", TRUE);
    guint file = kikan_scan_report_add_target (rep, "/img/usb.img", FALSE);
    KikanFileReport r;
    g_autofree char *line = NULL;
    g_autofree char *summary = NULL;

    make_file (&r, "evil\x1b[2J\u202etxt.exe", KIKAN_RESULT_INFECTED, KIKAN_REASON_NONE, NULL,
               "YARA.bad\nrule");
    line = kikan_scan_report_format_finding (rep, dir, &r);
    assert_string_equal (line, "INFECTED  /media/stick/evil\\x1B[2J\\u{202E}txt.exe  "
                               "[YARA.bad\\x0Arule]");
    kikan_file_report_clear (&r);
    g_clear_pointer (&line, g_free);

    make_file (&r, "a.zip", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_LIMIT_EXCEEDED,
               "Heuristics.Limits.Exceeded.MaxRecursion", NULL);
    line = kikan_scan_report_format_finding (rep, dir, &r);
    assert_string_equal (line, "NOT INSPECTED  /media/stick/a.zip  "
                               "(limit_exceeded: Heuristics.Limits.Exceeded.MaxRecursion)");
    kikan_file_report_clear (&r);
    g_clear_pointer (&line, g_free);

    /* A file target is shown by its own name. */
    make_file (&r, "usb.img", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_UNSUPPORTED, NULL, NULL);
    line = kikan_scan_report_format_finding (rep, file, &r);
    assert_string_equal (line, "NOT INSPECTED  /img/usb.img  (unsupported)");
    kikan_file_report_clear (&r);
    g_clear_pointer (&line, g_free);

    make_file (&r, "ok.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    assert_null (kikan_scan_report_format_finding (rep, dir, &r));
    kikan_file_report_clear (&r);

    /* The verdict line, and a null sandbox is never hidden. */
    {
        KikanTargetEnd e = { .status = KIKAN_TARGET_COMPLETE, .sandbox = strdup ("null") };

        kikan_scan_report_end_target (rep, dir, &e);
        kikan_target_end_clear (&e);
    }
    kikan_scan_report_fail_target (rep, file, "block devices are not supported yet");
    summary = kikan_scan_report_format_summary (rep, NOW);
    assert_non_null (strstr (summary, "RESULT: NOT FULLY INSPECTED"));
    assert_non_null (strstr (summary, "NOT CONFINED"));
    assert_non_null (strstr (summary, "NOT INSPECTED  /img/usb.img  (error: block devices"));
}

static void
test_media_volumes_json (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    g_autoptr (JsonParser) parser = NULL;
    g_autofree char *text = NULL;
    guint img = kikan_scan_report_add_target (rep, "/img/usb.img", FALSE);
    guint dir = kikan_scan_report_add_target (rep, "/media/stick", TRUE);
    JsonObject *doc, *t, *v;

    kikan_scan_report_set_target_kind (rep, img, KIKAN_TARGET_KIND_FILE, 2000000000, FALSE);
    add_volume (rep, img, 1, "vfat", "STICK\xff\u202e", KIKAN_ENC_NONE,
                KIKAN_VOLUME_REASON_NONE);
    add_volume (rep, img, 2, NULL, NULL, KIKAN_ENC_LUKS2, KIKAN_VOLUME_REASON_ENCRYPTED);
    add_volume (rep, img, 3, "ext4", "clean", KIKAN_ENC_NONE, KIKAN_VOLUME_REASON_NONE);
    add (rep, img, "p1:/docs/outer.zip", KIKAN_RESULT_INFECTED, KIKAN_REASON_NONE, NULL, "Eicar");
    add (rep, img, "p1:/secret.zip", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_ENCRYPTED, "enc",
         NULL);
    add (rep, img, "p3:/a.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    end (rep, img, KIKAN_TARGET_COMPLETE, NULL);
    add (rep, dir, "x.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    end (rep, dir, KIKAN_TARGET_COMPLETE, NULL);

    assert_string_equal (kikan_scan_report_get_target_kind (rep, img), "image");
    assert_string_equal (kikan_scan_report_get_target_kind (rep, dir), "directory");
    assert_int_equal (kikan_scan_report_get_n_volumes (rep, img), 3);
    assert_int_equal (kikan_scan_report_get_volume_result (rep, img, 0), KIKAN_RESULT_INFECTED);
    assert_int_equal (kikan_scan_report_get_volume_result (rep, img, 1),
                      KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (kikan_scan_report_get_volume_result (rep, img, 2), KIKAN_RESULT_CLEAN);
    assert_int_equal (kikan_scan_report_get_exit_status (rep), 1);

    doc = round_trip (rep, &parser, &text);
    assert_null (strstr (text, "\xff"));
    t = target_entry (doc, 0);
    assert_string_equal (json_object_get_string_member (t, "kind"), "image");
    assert_string_equal (json_object_get_string_member (t, "result"), "infected");
    assert_int_equal (json_array_get_length (json_object_get_array_member (t, "volumes")), 3);
    v = volume_entry (t, 0);
    assert_int_equal (json_object_get_int_member (v, "index"), 1);
    assert_int_equal (json_object_get_int_member (v, "offset"), 1048576);
    assert_int_equal (json_object_get_int_member (v, "size"), 1000000000);
    assert_string_equal (json_object_get_string_member (v, "scheme"), "mbr");
    assert_string_equal (json_object_get_string_member (v, "part_type"), "0x0c");
    assert_true (json_object_get_null_member (v, "part_name"));
    assert_string_equal (json_object_get_string_member (v, "filesystem"), "vfat");
    assert_string_equal (json_object_get_string_member (v, "fs_version"), "FAT32");
    /* A hostile label: valid UTF-8 in "label", the exact bytes in hex. */
    assert_string_equal (json_object_get_string_member (v, "label"),
                         "STICK\xef\xbf\xbd\u202e");
    assert_string_equal (json_object_get_string_member (v, "label_hex"), "535449434bffe280ae");
    assert_string_equal (json_object_get_string_member (v, "encryption"), "none");
    assert_float_equal (json_object_get_double_member (v, "entropy"), 3.142, 0.0001);
    assert_false (json_object_get_boolean_member (v, "unlocked"));
    assert_true (json_object_get_boolean_member (v, "readable"));
    assert_true (json_object_get_null_member (v, "problem"));
    assert_true (json_object_get_null_member (v, "os"));
    assert_string_equal (json_object_get_string_member (v, "result"), "infected");
    assert_true (json_object_get_null_member (v, "reason"));
    v = volume_entry (t, 1);
    assert_string_equal (json_object_get_string_member (v, "encryption"), "luks2");
    assert_true (json_object_get_null_member (v, "entropy"));  /* not measured */
    assert_false (json_object_get_boolean_member (v, "readable"));
    assert_string_equal (json_object_get_string_member (v, "result"), "not_inspected");
    assert_string_equal (json_object_get_string_member (v, "reason"), "encrypted:luks2");
    assert_string_equal (json_object_get_string_member (v, "problem"), "not read\x1b[2J");
    v = volume_entry (t, 2);
    assert_string_equal (json_object_get_string_member (v, "result"), "clean");
    /* A folder: kind, and no volumes. */
    t = target_entry (doc, 1);
    assert_string_equal (json_object_get_string_member (t, "kind"), "directory");
    assert_int_equal (json_array_get_length (json_object_get_array_member (t, "volumes")), 0);
    assert_string_equal (json_object_get_string_member (file_entry (doc, 0), "path"),
                         "p1:/docs/outer.zip");
}

static void
test_locked_volume_makes_target_not_inspected (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    g_autoptr (JsonParser) parser = NULL;
    guint t = kikan_scan_report_add_target (rep, "/dev/sdb", FALSE);
    JsonObject *doc;

    /* Every file clean, one volume unread: the medium is not clean. */
    kikan_scan_report_set_target_kind (rep, t, KIKAN_TARGET_KIND_BLOCK_DEVICE, 16000000000ull,
                                       FALSE);
    add_volume (rep, t, 1, "vfat", "STICK", KIKAN_ENC_NONE, KIKAN_VOLUME_REASON_NONE);
    add_volume (rep, t, 2, "hfsplus", NULL, KIKAN_ENC_NONE,
                KIKAN_VOLUME_REASON_UNSUPPORTED_FILESYSTEM);
    add (rep, t, "p1:/a.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    end (rep, t, KIKAN_TARGET_COMPLETE, NULL);
    assert_int_equal (kikan_scan_report_get_target_result (rep, t), KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (kikan_scan_report_get_exit_status (rep), 2);
    doc = round_trip (rep, &parser, NULL);
    assert_string_equal (json_object_get_string_member (doc, "result"), "not_inspected");
    assert_string_equal (json_object_get_string_member (target_entry (doc, 0), "kind"),
                         "block_device");
    assert_string_equal (
        json_object_get_string_member (volume_entry (target_entry (doc, 0), 1), "reason"),
        "unsupported_filesystem");
    assert_string_equal (
        json_object_get_string_member (volume_entry (target_entry (doc, 0), 0), "result"),
        "clean");
}

static void
test_wrong_passphrase_and_retry (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    g_autoptr (JsonParser) parser = NULL;
    guint t = kikan_scan_report_add_target (rep, "/img/luks.img", FALSE);
    KikanTargetEnd e = { 0 };
    JsonObject *doc, *tj;

    kikan_scan_report_set_target_kind (rep, t, KIKAN_TARGET_KIND_FILE, 33554432, TRUE);
    add_volume (rep, t, 1, NULL, NULL, KIKAN_ENC_LUKS2, KIKAN_VOLUME_REASON_ENCRYPTED);
    e.status = KIKAN_TARGET_ERROR;
    e.detail = strdup ("the passphrase does not unlock volume p1 (luks2)");
    e.sandbox = strdup ("seccomp+landlock");
    e.volumes_seen = 1;
    e.wrong_secret = 1;
    kikan_scan_report_end_target (rep, t, &e);
    kikan_target_end_clear (&e);
    assert_true (kikan_scan_report_get_target_wrong_secret (rep, t));
    assert_int_equal (kikan_scan_report_get_exit_status (rep), 2);
    doc = round_trip (rep, &parser, NULL);
    tj = target_entry (doc, 0);
    assert_string_equal (json_object_get_string_member (tj, "status"), "error");
    assert_string_equal (json_object_get_string_member (tj, "kind"), "image");
    assert_non_null (strstr (json_object_get_string_member (tj, "detail"), "passphrase"));
    assert_int_equal (json_object_get_int_member (tj, "files"), 0);
    g_clear_object (&parser);

    /* A second attempt starts from nothing, and may succeed. */
    kikan_scan_report_reset_target (rep, t);
    assert_false (kikan_scan_report_get_target_wrong_secret (rep, t));
    assert_int_equal (kikan_scan_report_get_n_volumes (rep, t), 0);
    kikan_scan_report_set_target_kind (rep, t, KIKAN_TARGET_KIND_FILE, 33554432, TRUE);
    {
        KikanVolumeReport v;

        memset (&v, 0, sizeof v);
        v.volume.index = 1;
        v.volume.scheme = strdup ("none");
        v.volume.filesystem = strdup ("vfat");
        v.volume.encryption = KIKAN_ENC_LUKS2;
        v.volume.unlocked = 1;
        v.volume.readable = 1;
        v.volume.entropy = -1;
        kikan_scan_report_add_volume (rep, t, &v);
        kikan_volume_report_clear (&v);
    }
    add (rep, t, "p1:/a.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    end (rep, t, KIKAN_TARGET_COMPLETE, NULL);
    assert_int_equal (kikan_scan_report_get_exit_status (rep), 0);
    doc = round_trip (rep, &parser, NULL);
    tj = target_entry (doc, 0);
    assert_string_equal (json_object_get_string_member (tj, "result"), "clean");
    assert_true (json_object_get_boolean_member (volume_entry (tj, 0), "unlocked"));
    assert_int_equal (json_array_get_length (json_object_get_array_member (doc, "files")), 1);

    /* Three wrong passphrases: the target is an error, HOLD for IT. */
    kikan_scan_report_fail_target (rep, t, "three wrong passphrases: HOLD for IT");
    assert_int_equal (kikan_scan_report_get_exit_status (rep), 2);
}

static void
test_incomplete_medium_volumes (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    g_autoptr (JsonParser) parser = NULL;
    guint t = kikan_scan_report_add_target (rep, "/img/a.img", FALSE);
    JsonObject *v;

    /* The worker died half-way: a readable volume was not read to the end,
     * so it is not inspected, with a reason, never clean. */
    kikan_scan_report_set_target_kind (rep, t, KIKAN_TARGET_KIND_FILE, 1000, FALSE);
    add_volume (rep, t, 1, "vfat", NULL, KIKAN_ENC_NONE, KIKAN_VOLUME_REASON_NONE);
    add (rep, t, "p1:/a.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    end (rep, t, KIKAN_TARGET_WORKER_FAILED, "worker killed by signal 9 (SIGKILL)");
    v = volume_entry (target_entry (round_trip (rep, &parser, NULL), 0), 0);
    assert_string_equal (json_object_get_string_member (v, "result"), "not_inspected");
    assert_string_equal (json_object_get_string_member (v, "reason"), "read_error");
    assert_non_null (json_object_get_string_member (v, "problem"));
}

static void
test_probe_document (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    g_autoptr (JsonParser) parser = JSON_PARSER (json_parser_new ());
    g_autoptr (JsonNode) root = NULL;
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    g_autofree char *text = NULL;
    g_autofree char *human = NULL;
    guint img = kikan_scan_report_add_target (rep, "/img/usb\x1b.img", FALSE);
    guint file = kikan_scan_report_add_target (rep, "/notes.txt", FALSE);
    guint dir = kikan_scan_report_add_target (rep, "/media", TRUE);
    JsonObject *doc, *t, *v;

    kikan_scan_report_set_target_kind (rep, img, KIKAN_TARGET_KIND_FILE, 64000000, FALSE);
    kikan_scan_report_set_target_kind (rep, file, KIKAN_TARGET_KIND_FILE, 12, FALSE);
    /* A label that would clear the screen and reverse the text after it. */
    add_volume (rep, img, 1, "vfat", "EVIL\x1b[2J\u202etxt.exe", KIKAN_ENC_NONE,
                KIKAN_VOLUME_REASON_NONE);
    add_volume (rep, img, 2, NULL, NULL, KIKAN_ENC_BITLOCKER, KIKAN_VOLUME_REASON_ENCRYPTED);
    end (rep, img, KIKAN_TARGET_COMPLETE, NULL);
    end (rep, file, KIKAN_TARGET_COMPLETE, NULL);
    end (rep, dir, KIKAN_TARGET_COMPLETE, NULL);

    root = kikan_scan_report_probe_to_json (rep);
    json_generator_set_root (gen, root);
    text = json_generator_to_data (gen, NULL);
    assert_null (strstr (text, "\x1b"));
    assert_true (json_parser_load_from_data (parser, text, -1, NULL));
    doc = json_node_get_object (json_parser_get_root (parser));
    assert_string_equal (json_object_get_string_member (doc, "format"), "kikan-probe");
    assert_int_equal (json_object_get_int_member (doc, "format_version"), 1);
    /* No verdict and no file in a probe. */
    assert_false (json_object_has_member (doc, "files"));
    assert_false (json_object_has_member (doc, "result"));
    t = target_entry (doc, 0);
    assert_string_equal (json_object_get_string_member (t, "kind"), "image");
    assert_int_equal (json_object_get_int_member (t, "size"), 64000000);
    assert_string_equal (json_object_get_string_member (t, "status"), "complete");
    v = volume_entry (t, 0);
    assert_false (json_object_has_member (v, "result"));
    assert_true (json_object_get_null_member (v, "reason"));
    assert_string_equal (json_object_get_string_member (v, "label_hex"),
                         "4556494c1b5b324ae280ae7478742e657865");
    v = volume_entry (t, 1);
    assert_false (json_object_has_member (v, "result"));
    assert_string_equal (json_object_get_string_member (v, "reason"), "encrypted:bitlocker");
    t = target_entry (doc, 1);
    assert_string_equal (json_object_get_string_member (t, "kind"), "file");
    assert_int_equal (json_object_get_int_member (t, "size"), 12);
    assert_int_equal (json_array_get_length (json_object_get_array_member (t, "volumes")), 0);
    t = target_entry (doc, 2);
    assert_string_equal (json_object_get_string_member (t, "kind"), "directory");
    assert_true (json_object_get_null_member (t, "size"));

    /* The human report escapes what came from the medium. */
    human = kikan_scan_report_format_probe (rep);
    assert_null (strchr (human, '\x1b'));
    assert_null (strstr (human, "\u202e"));
    assert_non_null (strstr (human, "/img/usb\\x1B.img  (image, 64.0 MB)"));
    assert_non_null (strstr (human, "label \"EVIL\\x1B[2J\\u{202E}txt.exe\""));
    assert_non_null (strstr (human, "encryption: BitLocker"));
    assert_non_null (strstr (human, "problem:    not read\\x1B[2J"));
    assert_non_null (strstr (human, "p1  offset 1048576"));
    assert_non_null (strstr (human, "scanned as one file"));
}

static void
test_volume_lines (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (FALSE);
    guint t = kikan_scan_report_add_target (rep, "/dev/sdb", FALSE);
    guint u = kikan_scan_report_add_target (rep, "/dev/sdc", FALSE);
    KikanFileReport r;
    g_autofree char *l1 = NULL;
    g_autofree char *l2 = NULL;
    g_autofree char *l3 = NULL;
    g_autofree char *l4 = NULL;
    g_autofree char *line = NULL;
    g_autofree char *summary = NULL;

    kikan_scan_report_set_target_kind (rep, t, KIKAN_TARGET_KIND_BLOCK_DEVICE, 2000000000ull,
                                       FALSE);
    kikan_scan_report_set_target_kind (rep, u, KIKAN_TARGET_KIND_BLOCK_DEVICE, 2000000000ull,
                                       TRUE);
    add_volume (rep, t, 1, "vfat", "STICK\x1b", KIKAN_ENC_NONE, KIKAN_VOLUME_REASON_NONE);
    add_volume (rep, t, 2, NULL, NULL, KIKAN_ENC_LUKS2, KIKAN_VOLUME_REASON_ENCRYPTED);
    add_volume (rep, t, 3, NULL, NULL, KIKAN_ENC_NONE, KIKAN_VOLUME_REASON_NO_FILESYSTEM);
    add_volume (rep, u, 1, NULL, NULL, KIKAN_ENC_LUKS2, KIKAN_VOLUME_REASON_ENCRYPTED);
    l1 = kikan_scan_report_format_volume (rep, t, 0);
    l2 = kikan_scan_report_format_volume (rep, t, 1);
    l3 = kikan_scan_report_format_volume (rep, t, 2);
    l4 = kikan_scan_report_format_volume (rep, u, 0);
    assert_string_equal (l1, "p1  FAT32  \"STICK\\x1B\"  1.0 GB  encryption: none");
    assert_string_equal (l2, "p2  LUKS2  NOT INSPECTED: encrypted, no passphrase given — run "
                             "again with --ask-passphrase");
    assert_string_equal (l3, "p3  1.0 GB  NOT INSPECTED: no file system (not read\\x1B[2J)");
    /* With a passphrase given, the problem says what happened instead. */
    assert_non_null (strstr (l4, "NOT INSPECTED: encrypted, not unlocked"));
    assert_null (strstr (l4, "--ask-passphrase"));

    line = kikan_scan_report_format_medium (rep, t);
    assert_string_equal (line, "/dev/sdb  (block device, 2.0 GB, 3 volumes)");
    g_clear_pointer (&line, g_free);

    /* A file of a medium is shown as DEVICE:p<index>:/path. */
    make_file (&r, "p1:/evil\u202etxt.exe", KIKAN_RESULT_INFECTED, KIKAN_REASON_NONE, NULL, "X");
    line = kikan_scan_report_format_finding (rep, t, &r);
    assert_string_equal (line, "INFECTED  /dev/sdb:p1:/evil\\u{202E}txt.exe  [X]");
    kikan_file_report_clear (&r);
    add (rep, t, "p1:/evil\u202etxt.exe", KIKAN_RESULT_INFECTED, KIKAN_REASON_NONE, NULL, "X");
    end (rep, t, KIKAN_TARGET_COMPLETE, NULL);
    end (rep, u, KIKAN_TARGET_COMPLETE, NULL);
    summary = kikan_scan_report_format_summary (rep, NOW);
    assert_non_null (strstr (summary, "Volumes:        4 (3 not inspected)"));
    assert_non_null (strstr (summary, "RESULT: INFECTED"));
}

/* Two targets scanned to the end, one file each: /media/a clean, and
 * /media/b with @b_result (infected: by "Eicar"), then evaluated with the
 * newest signed database built at @newest_signed. */
static KikanScanReport *
two_targets_report (KikanResult b_result, gint64 newest_signed, guint max_age_days)
{
    KikanScanReport *rep = kikan_scan_report_new (TRUE);
    guint a = kikan_scan_report_add_target (rep, "/media/a", TRUE);
    guint b = kikan_scan_report_add_target (rep, "/media/b\u202e", TRUE);

    take_engine (rep, newest_signed);
    kikan_scan_report_set_max_age_days (rep, max_age_days);
    add (rep, a, "a.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    add (rep, b, "b.com", b_result, KIKAN_REASON_NONE, NULL,
         b_result == KIKAN_RESULT_INFECTED ? "Eicar" : NULL);
    end (rep, a, KIKAN_TARGET_COMPLETE, NULL);
    end (rep, b, KIKAN_TARGET_COMPLETE, NULL);
    kikan_scan_report_evaluate_software (rep, NULL, NOW);
    return rep;
}

static gboolean
has_finding (JsonObject *target, const char *code, const char *slip)
{
    JsonArray *fs = json_object_get_array_member (
        json_object_get_object_member (target, "software"), "findings");

    for (guint i = 0; i < json_array_get_length (fs); i++) {
        JsonObject *f = json_array_get_object_element (fs, i);

        if (g_str_equal (json_object_get_string_member (f, "code"), code)
            && g_str_equal (json_object_get_string_member (f, "slip_code"), slip)
            && g_str_equal (json_object_get_string_member (f, "level"), "hold"))
            return TRUE;
    }
    return FALSE;
}

/* Issue #8 item 1 (MAL-05, KR-12): stale or unofficial signatures hold
 * every target, whatever the files held; the malware result stays true. */
static void
test_stale_signatures_never_clear (void **state)
{
    struct {
        gint64 newest;
        guint max_age;
        gboolean valid;
    } cases[] = {
        { NOW - 2 * 86400, 7, TRUE },       /* fresh */
        { NOW - 8 * 86400, 7, FALSE },      /* a day too old */
        { 0, 7, FALSE },                    /* no official (signed) database */
        { NOW - 2000 * 86400, 3650, TRUE }, /* old, but IT allows it */
        { NOW - 7 * 86400, 7, TRUE },       /* exactly max_age_days */
        { NOW + 3600, 7, TRUE },            /* an hour ahead: clock skew */
        { NOW + 30 * 86400, 7, FALSE },     /* built in the future: age unknown */
        { NOW + 30 * 86400, 3650, FALSE },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
        g_autoptr (KikanScanReport) rep =
            two_targets_report (KIKAN_RESULT_CLEAN, cases[i].newest, cases[i].max_age);
        g_autoptr (JsonParser) parser = NULL;
        g_autofree char *why = kikan_scan_report_dup_signatures_invalid (rep, NOW);
        g_autofree char *summary = kikan_scan_report_format_summary (rep, NOW);
        JsonObject *doc = round_trip (rep, &parser, NULL);

        /* The malware result is what the files were. */
        assert_int_equal (kikan_scan_report_get_result (rep), KIKAN_RESULT_CLEAN);
        assert_string_equal (json_object_get_string_member (doc, "result"), "clean");
        if (cases[i].valid) {
            assert_null (why);
            assert_int_equal (kikan_scan_report_get_exit_status (rep), 0);
            assert_string_equal (json_object_get_string_member (doc, "verdict"), "cleared");
            assert_null (strstr (summary, "NOT valid for clearance"));
            continue;
        }
        assert_non_null (why);
        assert_int_equal (kikan_scan_report_get_level (rep), KIKAN_LEVEL_HOLD);
        assert_int_equal (kikan_scan_report_get_exit_status (rep), 3);
        assert_string_equal (json_object_get_string_member (doc, "verdict"), "hold");
        for (guint t = 0; t < 2; t++) {
            assert_string_equal (json_object_get_string_member (target_entry (doc, t),
                                                                "verdict"),
                                 "hold");
            assert_true (has_finding (target_entry (doc, t), "SIG-STALE", "MAL-05"));
        }
        assert_non_null (strstr (summary, "NOT valid for clearance (MAL-05)"));
        if (cases[i].newest == 0)
            assert_non_null (strstr (why, "no official"));
        else if (cases[i].newest > NOW)
            assert_non_null (strstr (why, "in the future"));
        else
            assert_non_null (strstr (why, "more than the 7 days allowed"));
    }

    /* No engine info at all: never valid. */
    {
        g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
        g_autofree char *why = kikan_scan_report_dup_signatures_invalid (rep, NOW);

        assert_non_null (why);
    }
}

/* Issue #8 item 5: several targets, one verdict; each says its own. */
static void
test_targets_named_with_their_verdicts (void **state)
{
    g_autoptr (KikanScanReport) rep = two_targets_report (KIKAN_RESULT_INFECTED, NOW - 86400, 7);
    g_autoptr (JsonParser) parser = NULL;
    g_autofree char *summary = NULL;
    JsonObject *doc;

    doc = round_trip (rep, &parser, NULL);
    assert_string_equal (json_object_get_string_member (doc, "verdict"), "quarantine");
    assert_string_equal (json_object_get_string_member (target_entry (doc, 0), "target"),
                         "/media/a");
    assert_string_equal (json_object_get_string_member (target_entry (doc, 0), "verdict"),
                         "cleared");
    assert_string_equal (json_object_get_string_member (target_entry (doc, 1), "verdict"),
                         "quarantine");
    summary = kikan_scan_report_format_summary (rep, NOW);
    assert_non_null (strstr (summary, "  /media/a  CLEAN, 1 file, verdict CLEARED\n"));
    assert_non_null (strstr (summary, "  /media/b\\u{202E}  INFECTED, 1 file, verdict "
                                      "QUARANTINE\n"));
    assert_null (strstr (summary, "Target 1"));
}

/* Issue #8 item 8: a symbolic link is clean, never followed, and says
 * where it points; the reasons "changed" and "inconsistent" in words. */
static void
test_links_and_new_reasons (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    g_autoptr (JsonParser) parser = NULL;
    g_autofree char *line = NULL;
    g_autofree char *summary = NULL;
    guint t = kikan_scan_report_add_target (rep, "/media/stick", TRUE);
    KikanFileReport r;
    JsonObject *doc, *f;

    make_file (&r, "docs/latest", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    r.flags = KIKAN_FILE_FLAG_SYMLINK;
    r.link_target = strdup ("../etc/\u202etxt.exe");
    kikan_scan_report_add_file (rep, t, &r);
    line = kikan_scan_report_format_finding (rep, t, &r);
    assert_string_equal (line, "LINK  /media/stick/docs/latest  link → ../etc/\\u{202E}txt.exe "
                               "(not followed; a link holds no content)");
    kikan_file_report_clear (&r);
    g_clear_pointer (&line, g_free);

    make_file (&r, "grew.log", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_CHANGED,
               "size changed from 10 to 20 bytes", NULL);
    kikan_scan_report_add_file (rep, t, &r);
    line = kikan_scan_report_format_finding (rep, t, &r);
    assert_string_equal (line, "NOT INSPECTED  /media/stick/grew.log  (changed — it changed "
                               "while it was being read, so what was scanned is not what is on "
                               "the medium: scan it again once nothing writes to it: size "
                               "changed from 10 to 20 bytes)");
    kikan_file_report_clear (&r);
    g_clear_pointer (&line, g_free);

    make_file (&r, "odd.zip", KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_INCONSISTENT, NULL, NULL);
    kikan_scan_report_add_file (rep, t, &r);
    line = kikan_scan_report_format_finding (rep, t, &r);
    assert_non_null (strstr (line, "(inconsistent — the archive readers disagree"));
    kikan_file_report_clear (&r);
    end (rep, t, KIKAN_TARGET_COMPLETE, NULL);

    doc = round_trip (rep, &parser, NULL);
    f = file_entry (doc, 0);
    assert_string_equal (json_object_get_string_member (f, "result"), "clean");
    assert_string_equal (json_object_get_string_member (f, "link_target"),
                         "../etc/\u202etxt.exe");
    assert_string_equal (json_object_get_string_member (f, "link_target_hex"),
                         "2e2e2f6574632fe280ae7478742e657865");
    assert_true (json_object_get_null_member (file_entry (doc, 1), "link_target"));
    assert_string_equal (json_object_get_string_member (file_entry (doc, 1), "reason"),
                         "changed");
    assert_string_equal (json_object_get_string_member (file_entry (doc, 2), "reason"),
                         "inconsistent");
    /* The link does not hold the medium: only the two others do. */
    assert_int_equal (json_object_get_int_member (
                          json_object_get_object_member (doc, "summary"), "clean"),
                      1);
    summary = kikan_scan_report_format_summary (rep, NOW);
    assert_non_null (strstr (summary, "Clean:          1 (1 of them symbolic links"));
}

/* Issue #8 item 6: an interrupted scan is never clean. */
static void
test_interrupted (void **state)
{
    g_autoptr (KikanScanReport) rep = kikan_scan_report_new (TRUE);
    g_autoptr (JsonParser) parser = NULL;
    g_autofree char *summary = NULL;
    guint a = kikan_scan_report_add_target (rep, "/media/a", TRUE);
    guint b = kikan_scan_report_add_target (rep, "/media/b", TRUE);
    JsonObject *doc;

    add (rep, a, "a.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    end (rep, a, KIKAN_TARGET_COMPLETE, NULL);
    add (rep, b, "b.txt", KIKAN_RESULT_CLEAN, KIKAN_REASON_NONE, NULL, NULL);
    kikan_scan_report_set_interrupted (rep);
    assert_int_equal (kikan_scan_report_get_result (rep), KIKAN_RESULT_NOT_INSPECTED);
    doc = round_trip (rep, &parser, NULL);
    assert_true (json_object_get_boolean_member (doc, "interrupted"));
    assert_string_equal (json_object_get_string_member (doc, "result"), "not_inspected");
    assert_string_equal (json_object_get_string_member (target_entry (doc, 0), "status"),
                         "complete");
    assert_string_equal (json_object_get_string_member (target_entry (doc, 1), "status"),
                         "interrupted");
    assert_string_equal (json_object_get_string_member (target_entry (doc, 1), "result"),
                         "not_inspected");
    summary = kikan_scan_report_format_summary (rep, NOW);
    assert_non_null (strstr (summary, "INTERRUPTED"));
    assert_non_null (strstr (summary, "NOT INSPECTED  /media/b  (interrupted:"));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_worst_of),
        cmocka_unit_test (test_stale_signatures_never_clear),
        cmocka_unit_test (test_targets_named_with_their_verdicts),
        cmocka_unit_test (test_links_and_new_reasons),
        cmocka_unit_test (test_interrupted),
        cmocka_unit_test (test_target_is_worst_of_its_files),
        cmocka_unit_test (test_exit_status_mapping),
        cmocka_unit_test (test_incomplete_target_is_not_inspected),
        cmocka_unit_test (test_block_device_without_volume_is_not_inspected),
        cmocka_unit_test (test_unknown_sandbox_is_not_evidence),
        cmocka_unit_test (test_infected_beats_incomplete),
        cmocka_unit_test (test_unfinished_and_failed_targets),
        cmocka_unit_test (test_json_document),
        cmocka_unit_test (test_engine_without_signed_database),
        cmocka_unit_test (test_path_hex),
        cmocka_unit_test (test_clean_files_only_counted_when_not_kept),
        cmocka_unit_test (test_human_lines),
        cmocka_unit_test (test_media_volumes_json),
        cmocka_unit_test (test_locked_volume_makes_target_not_inspected),
        cmocka_unit_test (test_wrong_passphrase_and_retry),
        cmocka_unit_test (test_incomplete_medium_volumes),
        cmocka_unit_test (test_probe_document),
        cmocka_unit_test (test_volume_lines),
    };

    return cmocka_run_group_tests_name ("kiosk-scan-report", tests, NULL, NULL);
}
