/* kiosk/software/posture.c: findings from an inventory, executables on a medium and
 * PUA detections (issue #4 items 2-5).
 *
 * Inventories are built by hand: the parsers have their own tests.  Each
 * case asserts the exact findings (code, slip code, level, subject, rule):
 * forbidden software is QUARANTINE (Admin B-3), unapproved and expired
 * exceptions HOLD (JNSA-2.4, KR-17, KR-20), stale updates CONDITIONAL
 * (JNSA-2.2, Admin C-1, F-1), end of support QUARANTINE (Admin C-3), and
 * anything that could not be measured HOLD (KR-19). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "posture-private.h"

#define HASH_A "1fa33aa4e76f3a60ff80179ca3083200da6109f1bb8b6ce88dc05a9979d211ed"
#define HASH_S "cbe2b077f60a50b909ba49c131cce0c1c08ce30d20ae2e27c81d1a56ad270a95"
#define DAY G_GINT64_CONSTANT (86400)

static gint64 now;
static char *in_10_days, *yesterday;

static char *
day_string (int days)
{
    g_autoptr (GDateTime) n = g_date_time_new_now_local ();
    g_autoptr (GDateTime) d = g_date_time_add_days (n, days);

    return g_date_time_format (d, "%Y-%m-%d");
}

static KikanPolicy *
make_policy (const char *extra_policy_keys)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *text = g_strdup_printf (
        "[policy]\nversion = test\nmax_os_patch_age_days = 30\nmax_av_definition_age_days = 7\n"
        "%s\n"
        "[approve \"Office\"]\nname = Microsoft Office*\npublisher = Microsoft Corporation\n"
        "[forbid \"TeamViewer\"]\nname = TeamViewer*\nclass = remote-access\n"
        "reason = Unmanaged remote access\n"
        "[exception \"Zoom\"]\nname = Zoom*\napprover = Sato (IT)\nticket = IT-1\nexpires = %s\n"
        "[exception \"Skype\"]\nname = Skype*\napprover = Ito\nticket = IT-2\nexpires = %s\n"
        "[approve \"tool\"]\nsha256 = " HASH_A "\n"
        "[forbid \"AnyDesk\"]\nsigner = " HASH_S "\n"
        "[forbid \"Tools\"]\npua = PUA.Win.Tool.*\n"
        "[approve \"Packers\"]\npua = PUA.Win.Packer.*\n"
        "[end-of-support \"Windows 7\"]\nname = Windows 7*\n"
        "[end-of-support \"Flash\"]\nname = Adobe Flash Player*\n",
        extra_policy_keys, in_10_days, yesterday);
    KikanPolicy *p = kikan_policy_load_data (text, strlen (text), "policy.conf", &error);

    if (p == NULL)
        fail_msg ("%s", error->message);
    return p;
}

static int
setup (void **state)
{
    now = g_get_real_time () / G_USEC_PER_SEC;
    in_10_days = day_string (10);
    yesterday = day_string (-1);
    *state = make_policy ("");
    return 0;
}

static int
teardown (void **state)
{
    kikan_policy_free (*state);
    g_free (in_10_days);
    g_free (yesterday);
    return 0;
}

static const KikanFinding *
find (GPtrArray *fs, const char *code, const char *subject)
{
    const KikanFinding *hit = NULL;

    for (guint i = 0; i < fs->len; i++) {
        const KikanFinding *f = fs->pdata[i];
        if (strcmp (f->code, code) == 0 && strcmp (f->subject, subject) == 0) {
            if (hit != NULL)
                fail_msg ("two findings %s for \"%s\"", code, subject);
            hit = f;
        }
    }
    if (hit == NULL) {
        for (guint i = 0; i < fs->len; i++) {
            const KikanFinding *f = fs->pdata[i];
            print_message ("  have %s \"%s\": %s\n", f->code, f->subject, f->detail);
        }
        fail_msg ("no finding %s for \"%s\"", code, subject);
    }
    return hit;
}

static void
assert_finding (const KikanFinding *f, const char *slip, KikanLevel level, const char *rule)
{
    assert_string_equal (f->slip_code, slip);
    assert_int_equal (f->level, level);
    if (rule == NULL) {
        assert_null (f->rule);
        assert_int_equal (f->rule_line, 0);
    } else {
        assert_non_null (f->rule);
        assert_string_equal (f->rule, rule);
        assert_true (f->rule_line > 0);
    }
    assert_non_null (f->detail);
    assert_true (strlen (f->detail) > 20);
}

static void
assert_mentions (const KikanFinding *f, const char *text)
{
    if (strstr (f->detail, text) == NULL)
        fail_msg ("detail \"%s\" does not mention \"%s\"", f->detail, text);
}

/* Worst level first, then code, then subject. */
static void
assert_ordered (GPtrArray *fs)
{
    for (guint i = 1; i < fs->len; i++) {
        const KikanFinding *a = fs->pdata[i - 1], *b = fs->pdata[i];
        int c = strcmp (a->code, b->code);

        assert_true (a->level >= b->level);
        if (a->level == b->level) {
            assert_true (c <= 0);
            if (c == 0)
                assert_true (strcmp (a->subject, b->subject) <= 0);
        }
    }
}

static KikanProgram
prog (const char *name, const char *version, const char *publisher, guint32 flags)
{
    KikanProgram p = { 0 };

    p.name = (char *)name;
    p.version = (char *)version;
    p.publisher = (char *)publisher;
    p.source = (char *)"p2:/Windows/System32/config/SOFTWARE";
    p.flags = flags;
    return p;
}

static void
test_programs (void **state)
{
    const KikanPolicy *pol = *state;
    KikanProgram programs[] = {
        prog ("Microsoft Office Professional Plus 2021", "16.0", "Microsoft Corporation", 0),
        prog ("TeamViewer", "15.2", "TeamViewer Germany GmbH", 0),
        prog ("7-Zip 23.01 (x64)", "23.01", "Igor Pavlov", 0),
        prog ("Zoom Workplace", "6.0", "Zoom Video Communications, Inc.", 0),
        prog ("Skype version 8.1", "8.1", "Skype Technologies S.A.", 0),
        prog ("Security Update for 7-Zip", "1", NULL, KIKAN_PROGRAM_FLAG_UPDATE),
        prog ("Adobe Flash Player 32 NPAPI", "32.0", "Adobe", KIKAN_PROGRAM_FLAG_SYSTEM_COMPONENT),
    };
    KikanInventory inv = { 0 };
    KikanVerdictOf verdicts[G_N_ELEMENTS (programs)];
    g_autoptr (GPtrArray) fs = NULL;
    const KikanFinding *f;

    inv.programs = programs;
    inv.n_programs = G_N_ELEMENTS (programs);
    fs = kikan_posture_evaluate (pol, &inv, NULL, 0, NULL, NULL, 0, now, verdicts, NULL);

    assert_int_equal (fs->len, 6);
    f = find (fs, "SW-FORBIDDEN", "TeamViewer");
    assert_finding (f, "SW-03", KIKAN_LEVEL_QUARANTINE, "TeamViewer");
    assert_mentions (f, "15.2");
    assert_mentions (f, "remote-access");
    assert_mentions (f, "Unmanaged remote access");
    assert_string_equal (f->source, "p2:/Windows/System32/config/SOFTWARE");
    assert_null (f->ticket);

    f = find (fs, "SW-UNAPPROVED", "7-Zip 23.01 (x64)");
    assert_finding (f, "SW-01", KIKAN_LEVEL_HOLD, NULL);
    assert_mentions (f, "version 23.01 by Igor Pavlov");
    assert_mentions (f, "p2:/Windows/System32/config/SOFTWARE");
    assert_mentions (f, "Ask IT to approve it or remove it before reconnecting");

    f = find (fs, "SW-EXCEPTION", "Zoom Workplace");
    assert_finding (f, "SW-05", KIKAN_LEVEL_INFO, "Zoom");
    assert_string_equal (f->ticket, "IT-1");
    assert_string_equal (f->approver, "Sato (IT)");
    assert_string_equal (f->expires, in_10_days);
    assert_mentions (f, in_10_days);

    f = find (fs, "SW-EXCEPTION-EXPIRED", "Skype version 8.1");
    assert_finding (f, "SW-01", KIKAN_LEVEL_HOLD, "Skype");
    assert_string_equal (f->ticket, "IT-2");
    assert_string_equal (f->approver, "Ito");
    assert_string_equal (f->expires, yesterday);

    /* A system component is judged too; end of support is QUARANTINE. */
    find (fs, "SW-UNAPPROVED", "Adobe Flash Player 32 NPAPI");
    f = find (fs, "UPD-END-OF-SUPPORT", "Adobe Flash Player 32 NPAPI");
    assert_finding (f, "UPD-02", KIKAN_LEVEL_QUARANTINE, "Flash");

    /* Verdicts for the JSON lists, including the update (no finding). */
    assert_int_equal (verdicts[0].status, KIKAN_POLICY_APPROVED);
    assert_string_equal (verdicts[0].rule->id, "Office");
    assert_int_equal (verdicts[1].status, KIKAN_POLICY_FORBIDDEN);
    assert_int_equal (verdicts[2].status, KIKAN_POLICY_UNKNOWN);
    assert_null (verdicts[2].rule);
    assert_int_equal (verdicts[3].status, KIKAN_POLICY_EXCEPTION);
    assert_int_equal (verdicts[4].status, KIKAN_POLICY_EXCEPTION_EXPIRED);
    assert_int_equal (verdicts[5].status, KIKAN_POLICY_UNKNOWN);
    assert_ordered (fs);
    assert_int_equal (kikan_findings_worst (fs), KIKAN_LEVEL_QUARANTINE);
}

/* Evaluates one system alone. */
static GPtrArray *
eval_system (const KikanPolicy *pol, KikanSystem *s)
{
    KikanInventory inv = { 0 };

    inv.systems = s;
    inv.n_systems = 1;
    return kikan_posture_evaluate (pol, &inv, NULL, 0, NULL, NULL, 0, now, NULL, NULL);
}

static KikanSystem
windows (gint64 patched, gint64 av_updated)
{
    KikanSystem s = { 0 };

    s.family = KIKAN_OS_WINDOWS;
    s.source = (char *)"p2:/Windows/System32/config/SOFTWARE";
    s.product = (char *)"Windows 10 Pro";
    s.version = (char *)"22H2";
    s.build = (char *)"19045.4291";
    s.patched = patched;
    s.patched_source = (char *)"CBS RollupFix package";
    s.av_product = (char *)"Microsoft Defender";
    s.av_version = (char *)"1.403.1234.0";
    s.av_updated = av_updated;
    return s;
}

static void
assert_one (GPtrArray *fs, const char *code, const char *slip, KikanLevel level,
            const char *subject, const char *mention)
{
    const KikanFinding *f;

    if (fs->len != 1) {
        for (guint i = 0; i < fs->len; i++)
            print_message ("  have %s: %s\n", ((KikanFinding *)fs->pdata[i])->code,
                           ((KikanFinding *)fs->pdata[i])->detail);
        fail_msg ("%u findings, expected one %s", fs->len, code);
    }
    f = find (fs, code, subject);
    assert_finding (f, slip, level, NULL);
    if (mention != NULL)
        assert_mentions (f, mention);
}

static void
test_systems (void **state)
{
    const KikanPolicy *pol = *state;
    g_autoptr (GPtrArray) fs = NULL;
    KikanSystem s;
    g_autoptr (GDateTime) d40 = g_date_time_new_from_unix_local (now - 40 * DAY);
    g_autofree char *d40s = g_date_time_format (d40, "%Y-%m-%d");

    s = windows (now - 5 * DAY, now - 1 * DAY);
    fs = eval_system (pol, &s);
    assert_int_equal (fs->len, 0); /* fresh OS and AV */
    assert_int_equal (kikan_findings_worst (fs), KIKAN_LEVEL_INFO);
    g_clear_pointer (&fs, g_ptr_array_unref);

    s = windows (now - 40 * DAY, now - DAY);
    fs = eval_system (pol, &s);
    assert_one (fs, "UPD-OS-STALE", "UPD-01", KIKAN_LEVEL_CONDITIONAL, "Windows 10 Pro",
                "40 days");
    assert_mentions (fs->pdata[0], d40s);
    assert_mentions (fs->pdata[0], "CBS RollupFix package");
    assert_string_equal (((KikanFinding *)fs->pdata[0])->source,
                         "p2:/Windows/System32/config/SOFTWARE");
    g_clear_pointer (&fs, g_ptr_array_unref);

    s = windows (0, now - DAY);
    fs = eval_system (pol, &s);
    assert_one (fs, "UPD-UNKNOWN", "UPD-04", KIKAN_LEVEL_HOLD, "Windows 10 Pro",
                "cannot tell when");
    g_clear_pointer (&fs, g_ptr_array_unref);

    s = windows (now + 3 * DAY, now - DAY); /* clock tampering */
    fs = eval_system (pol, &s);
    assert_one (fs, "UPD-UNKNOWN", "UPD-04", KIKAN_LEVEL_HOLD, "Windows 10 Pro", "future");
    g_clear_pointer (&fs, g_ptr_array_unref);

    s = windows (now - DAY, now - 10 * DAY);
    fs = eval_system (pol, &s);
    assert_one (fs, "UPD-AV-STALE", "MAL-06", KIKAN_LEVEL_CONDITIONAL, "Windows 10 Pro",
                "1.403.1234.0");
    g_clear_pointer (&fs, g_ptr_array_unref);

    s = windows (now - DAY, 0);
    fs = eval_system (pol, &s);
    assert_one (fs, "UPD-UNKNOWN", "UPD-04", KIKAN_LEVEL_HOLD, "Windows 10 Pro",
                "Microsoft Defender");
    g_clear_pointer (&fs, g_ptr_array_unref);

    s = windows (now - DAY, now - DAY);
    s.av_disabled = 1;
    fs = eval_system (pol, &s);
    assert_one (fs, "UPD-AV-STALE", "MAL-06", KIKAN_LEVEL_CONDITIONAL, "Windows 10 Pro",
                "switched off");
    g_clear_pointer (&fs, g_ptr_array_unref);

    s = windows (now - DAY, 0);
    s.av_product = NULL;
    fs = eval_system (pol, &s);
    assert_one (fs, "UPD-UNKNOWN", "UPD-04", KIKAN_LEVEL_HOLD, "Windows 10 Pro", "No antivirus");
    g_clear_pointer (&fs, g_ptr_array_unref);

    /* A marker only: one hold, nothing else to say. */
    memset (&s, 0, sizeof s);
    s.family = KIKAN_OS_WINDOWS;
    s.source = (char *)"p2:/Windows/System32/config/SYSTEM";
    fs = eval_system (pol, &s);
    assert_one (fs, "UPD-UNKNOWN", "UPD-04", KIKAN_LEVEL_HOLD, "Windows system",
                "version could not be read");
    assert_mentions (fs->pdata[0], "p2:/Windows/System32/config/SYSTEM");
    g_clear_pointer (&fs, g_ptr_array_unref);

    /* Linux: patch age only, no antivirus requirement. */
    memset (&s, 0, sizeof s);
    s.family = KIKAN_OS_LINUX;
    s.source = (char *)"p1:/etc/os-release";
    s.product = (char *)"Debian GNU/Linux 12 (bookworm)";
    s.patched = now - 2 * DAY;
    fs = eval_system (pol, &s);
    assert_int_equal (fs->len, 0);
    g_clear_pointer (&fs, g_ptr_array_unref);
    s.patched = now - 31 * DAY;
    fs = eval_system (pol, &s);
    assert_one (fs, "UPD-OS-STALE", "UPD-01", KIKAN_LEVEL_CONDITIONAL,
                "Debian GNU/Linux 12 (bookworm)", "31 days");
    g_clear_pointer (&fs, g_ptr_array_unref);

    /* End of support, beside the other checks. */
    s = windows (now - DAY, now - DAY);
    s.product = (char *)"Windows 7 Professional";
    s.version = NULL;
    fs = eval_system (pol, &s);
    assert_int_equal (fs->len, 1);
    assert_finding (find (fs, "UPD-END-OF-SUPPORT", "Windows 7 Professional"), "UPD-02",
                    KIKAN_LEVEL_QUARANTINE, "Windows 7");
}

static void
test_thresholds_off (void **state)
{
    g_autoptr (KikanPolicy) pol = make_policy ("require_antivirus = no\n");
    g_autoptr (KikanPolicy) off = NULL;
    g_autoptr (GPtrArray) fs = NULL;
    KikanSystem s = windows (now - DAY, 0);

    s.av_product = NULL;
    fs = eval_system (pol, &s);
    assert_int_equal (fs->len, 0);
    g_clear_pointer (&fs, g_ptr_array_unref);

    /* 0 turns the age checks off, but not the unknown-date holds. */
    {
        g_autoptr (GError) error = NULL;
        const char *text = "[policy]\nmax_os_patch_age_days = 0\nmax_av_definition_age_days = 0\n";
        off = kikan_policy_load_data (text, strlen (text), "p", &error);
        assert_non_null (off);
    }
    s = windows (now - 900 * DAY, now - 900 * DAY);
    fs = eval_system (off, &s);
    assert_int_equal (fs->len, 0);
    g_clear_pointer (&fs, g_ptr_array_unref);
    s = windows (0, now - DAY);
    fs = eval_system (off, &s);
    assert_one (fs, "UPD-UNKNOWN", "UPD-04", KIKAN_LEVEL_HOLD, "Windows 10 Pro", NULL);
    (void)state;
}

static void
test_problems (void **state)
{
    KikanInvProblem problems[] = {
        { (char *)"p2:/Windows/System32/config/SOFTWARE",
          (char *)"registry hive is corrupt: bad block at 0x2000" },
        { (char *)"p1:/var/lib/dpkg/status",
          (char *)"dpkg status is truncated in the middle of a package record" },
    };
    KikanInventory inv = { 0 };
    g_autoptr (GPtrArray) fs = NULL;
    const KikanFinding *f;

    inv.problems = problems;
    inv.n_problems = 2;
    fs = kikan_posture_evaluate (*state, &inv, NULL, 0, NULL, NULL, 0, now, NULL, NULL);
    assert_int_equal (fs->len, 2);
    f = find (fs, "UPD-UNKNOWN", "p2:/Windows/System32/config/SOFTWARE");
    assert_finding (f, "UPD-04", KIKAN_LEVEL_HOLD, NULL);
    assert_string_equal (f->source, "p2:/Windows/System32/config/SOFTWARE");
    assert_mentions (f, "registry hive is corrupt: bad block at 0x2000");
    f = find (fs, "UPD-UNKNOWN", "p1:/var/lib/dpkg/status");
    assert_mentions (f, "truncated");
    /* Ordered by subject within the same level and code. */
    assert_string_equal (((KikanFinding *)fs->pdata[0])->subject, "p1:/var/lib/dpkg/status");
}

static KikanExecutable
exe (const char *path, const char *member, KikanFileType type, guint32 flags, const char *sha)
{
    KikanExecutable e = { 0 };

    e.path = path;
    e.member = member;
    e.type = type;
    e.name_flags = flags;
    e.sha256 = sha;
    return e;
}

static void
test_executables (void **state)
{
    KikanExecutable exes[] = {
        exe ("tools/portable.exe", NULL, KIKAN_FILETYPE_PE_EXE, 0,
             "0000000000000000000000000000000000000000000000000000000000000000"),
        exe ("tools/expense.exe", NULL, KIKAN_FILETYPE_PE_EXE, 0, HASH_A),
        exe ("autorun.inf", NULL, KIKAN_FILETYPE_AUTORUN, 0, ""),
        exe ("report.pdf.exe", NULL, KIKAN_FILETYPE_PE_EXE, KIKAN_NAME_FLAG_DOUBLE_EXT, NULL),
        exe ("bundle.zip", "invoice\xe2\x80\xaegpj.exe", KIKAN_FILETYPE_PE_EXE,
             KIKAN_NAME_FLAG_BIDI | KIKAN_NAME_FLAG_EXT_MISMATCH, NULL),
        exe ("setup.zip", "AnyDesk.exe", KIKAN_FILETYPE_PE_EXE, 0, NULL),
    };
    KikanVerdictOf v[G_N_ELEMENTS (exes)];
    g_autoptr (GPtrArray) fs = NULL;
    g_autoptr (KikanPolicy) info = make_policy ("unknown_executable = info\n");
    const KikanFinding *f;

    exes[5].signer_cert_sha256 = HASH_S;
    exes[5].signer_subject = "CN=AnyDesk Software GmbH";
    fs = kikan_posture_evaluate (*state, NULL, exes, G_N_ELEMENTS (exes), NULL, NULL, 0, now, NULL,
                                 v);
    f = find (fs, "SW-UNAPPROVED", "tools/portable.exe");
    assert_finding (f, "SW-01", KIKAN_LEVEL_HOLD, NULL);
    assert_string_equal (f->source, "tools/portable.exe");
    f = find (fs, "SW-AUTORUN", "autorun.inf");
    assert_finding (f, "MAL-03", KIKAN_LEVEL_HOLD, NULL);
    f = find (fs, "SW-DECEPTIVE-NAME", "report.pdf.exe");
    assert_finding (f, "MAL-03", KIKAN_LEVEL_HOLD, NULL);
    assert_mentions (f, "document extension followed by a program extension");
    find (fs, "SW-UNAPPROVED", "report.pdf.exe");
    f = find (fs, "SW-DECEPTIVE-NAME", "bundle.zip \u203a invoice\xe2\x80\xaegpj.exe");
    assert_mentions (f, "right-to-left");
    f = find (fs, "SW-TYPE-MISMATCH", "bundle.zip \u203a invoice\xe2\x80\xaegpj.exe");
    assert_finding (f, "MAL-03", KIKAN_LEVEL_HOLD, NULL);
    assert_string_equal (f->source, "bundle.zip");
    find (fs, "SW-UNAPPROVED", "bundle.zip \u203a invoice\xe2\x80\xaegpj.exe");
    f = find (fs, "SW-FORBIDDEN", "setup.zip \u203a AnyDesk.exe");
    assert_finding (f, "SW-03", KIKAN_LEVEL_QUARANTINE, "AnyDesk");
    assert_mentions (f, "CN=AnyDesk Software GmbH");
    assert_int_equal (fs->len, 8);
    assert_int_equal (v[0].status, KIKAN_POLICY_UNKNOWN);
    assert_int_equal (v[1].status, KIKAN_POLICY_APPROVED);
    assert_string_equal (v[1].rule->id, "tool");
    assert_int_equal (v[2].status, KIKAN_POLICY_UNKNOWN);
    assert_null (v[2].rule);
    assert_int_equal (v[5].status, KIKAN_POLICY_FORBIDDEN);
    assert_ordered (fs);
    assert_string_equal (((KikanFinding *)fs->pdata[0])->code, "SW-FORBIDDEN");
    g_clear_pointer (&fs, g_ptr_array_unref);

    /* unknown_executable = info: an unknown program on a medium informs. */
    fs = kikan_posture_evaluate (info, NULL, exes, 1, NULL, NULL, 0, now, NULL, NULL);
    assert_one (fs, "SW-UNAPPROVED", "SW-01", KIKAN_LEVEL_INFO, "tools/portable.exe", NULL);
}

static void
test_pua (void **state)
{
    const char *const names[] = { "PUA.Win.Tool.Mimikatz-6398632-0", "PUA.Win.Packer.Upx-1",
                                  "PUA.Doc.Packed.EncryptedDoc-6563700-0" };
    const char *const paths[] = { "x/mimi.exe", "x/packed.exe", "x/doc.docx" };
    g_autoptr (GPtrArray) fs = NULL;
    const KikanFinding *f;

    fs = kikan_posture_evaluate (*state, NULL, NULL, 0, names, paths, 3, now, NULL, NULL);
    assert_int_equal (fs->len, 2);
    f = find (fs, "SW-FORBIDDEN", "x/mimi.exe");
    assert_finding (f, "SW-03", KIKAN_LEVEL_QUARANTINE, "Tools");
    assert_mentions (f, "PUA.Win.Tool.Mimikatz-6398632-0");
    f = find (fs, "SW-UNAPPROVED", "x/doc.docx");
    assert_finding (f, "SW-01", KIKAN_LEVEL_HOLD, NULL);
}

static void
test_no_policy (void **state)
{
    KikanProgram programs[] = {
        prog ("TeamViewer", "15", NULL, 0),
        prog ("Foo", "1", NULL, 0),
        prog ("Foo hotfix", "1", NULL, KIKAN_PROGRAM_FLAG_UPDATE),
    };
    KikanSystem s = windows (now - 50 * DAY, now - DAY);
    KikanExecutable exes[] = {
        exe ("a.exe", NULL, KIKAN_FILETYPE_PE_EXE, 0, NULL),
        exe ("autorun.inf", NULL, KIKAN_FILETYPE_AUTORUN, 0, NULL),
    };
    const char *const pua[] = { "PUA.Win.Tool.X" };
    const char *const pua_paths[] = { "b.exe" };
    KikanInventory inv = { 0 };
    KikanVerdictOf pv[3], ev[2];
    g_autoptr (GPtrArray) fs = NULL;
    const KikanFinding *f;

    inv.programs = programs;
    inv.n_programs = 3;
    inv.systems = &s;
    inv.n_systems = 1;
    fs = kikan_posture_evaluate (NULL, &inv, exes, 2, pua, pua_paths, 1, now, pv, ev);
    assert_int_equal (fs->len, 3);
    f = find (fs, "SW-NO-POLICY", "software policy");
    assert_finding (f, "SW-01", KIKAN_LEVEL_HOLD, NULL);
    assert_mentions (f, "2 installed program(s), 1 executable(s) and 1 potentially");
    find (fs, "SW-AUTORUN", "autorun.inf");
    /* The default maximum patch age (45 days) applies without a policy. */
    f = find (fs, "UPD-OS-STALE", "Windows 10 Pro");
    assert_mentions (f, "45 days");
    for (int i = 0; i < 3; i++) {
        assert_int_equal (pv[i].status, KIKAN_POLICY_UNKNOWN);
        assert_null (pv[i].rule);
    }
    assert_int_equal (ev[0].status, KIKAN_POLICY_UNKNOWN);
    g_clear_pointer (&fs, g_ptr_array_unref);

    /* Nothing at all to judge: no finding. */
    fs = kikan_posture_evaluate (NULL, NULL, NULL, 0, NULL, NULL, 0, now, NULL, NULL);
    assert_int_equal (fs->len, 0);
    (void)state;
}

static void
test_hostile_strings (void **state)
{
    g_autofree char *longname = g_malloc (65537);
    const char *evil = "\x1b[31m%s%n%x\r\nEvil\xff\xfe Corp";
    KikanProgram programs[2];
    KikanSystem s = windows (now - 40 * DAY, now - DAY);
    KikanInventory inv = { 0 };
    g_autoptr (GPtrArray) fs = NULL;
    const KikanFinding *f;

    memset (longname, 'A', 65536);
    longname[65536] = '\0';
    programs[0] = prog (evil, "%s%s", evil, KIKAN_PROGRAM_FLAG_TRUNCATED);
    programs[0].source = (char *)"p2:/Users/\xe2\x80\xae"
                                 "evil/NTUSER.DAT";
    programs[0].user = (char *)"\xe2\x80\xae"
                               "evil";
    programs[1] = prog (longname, NULL, NULL, 0);
    s.product = (char *)"Windows %n\x07";
    inv.programs = programs;
    inv.n_programs = 2;
    inv.systems = &s;
    inv.n_systems = 1;
    fs = kikan_posture_evaluate (*state, &inv, NULL, 0, NULL, NULL, 0, now, NULL, NULL);
    assert_int_equal (fs->len, 3);
    /* Stored raw: escaping is the display's job. */
    f = find (fs, "SW-UNAPPROVED", evil);
    assert_mentions (f, evil);
    assert_mentions (f, "version %s%s");
    assert_mentions (f, "was cut");
    assert_string_equal (f->source, "p2:/Users/\xe2\x80\xae"
                                    "evil/NTUSER.DAT");
    f = find (fs, "SW-UNAPPROVED", longname);
    assert_mentions (f, longname);
    f = find (fs, "UPD-OS-STALE", "Windows %n\x07");
    assert_mentions (f, "Windows %n\x07");
}

static void
test_ordering (void **state)
{
    KikanProgram programs[] = {
        prog ("Zoom", "1", NULL, 0),       /* info */
        prog ("b-unknown", "1", NULL, 0),  /* hold */
        prog ("TeamViewer", "1", NULL, 0), /* quarantine */
        prog ("a-unknown", "1", NULL, 0),  /* hold */
    };
    KikanSystem s = windows (now - 40 * DAY, 0); /* conditional + hold */
    KikanInventory inv = { 0 };
    g_autoptr (GPtrArray) fs = NULL;
    static const char *const expect[][2] = {
        { "SW-FORBIDDEN", "TeamViewer" },     { "SW-UNAPPROVED", "a-unknown" },
        { "SW-UNAPPROVED", "b-unknown" },     { "UPD-UNKNOWN", "Windows 10 Pro" },
        { "UPD-OS-STALE", "Windows 10 Pro" }, { "SW-EXCEPTION", "Zoom" },
    };

    inv.programs = programs;
    inv.n_programs = G_N_ELEMENTS (programs);
    inv.systems = &s;
    inv.n_systems = 1;
    fs = kikan_posture_evaluate (*state, &inv, NULL, 0, NULL, NULL, 0, now, NULL, NULL);
    assert_int_equal (fs->len, G_N_ELEMENTS (expect));
    for (guint i = 0; i < fs->len; i++) {
        const KikanFinding *f = fs->pdata[i];
        assert_string_equal (f->code, expect[i][0]);
        assert_string_equal (f->subject, expect[i][1]);
    }
    assert_string_equal (kikan_level_to_string (KIKAN_LEVEL_CONDITIONAL), "conditional");
    assert_string_equal (kikan_level_to_string (KIKAN_LEVEL_QUARANTINE), "quarantine");
    assert_int_equal (kikan_findings_worst (NULL), KIKAN_LEVEL_INFO);
    kikan_finding_free (NULL);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_programs),       cmocka_unit_test (test_systems),
        cmocka_unit_test (test_thresholds_off), cmocka_unit_test (test_problems),
        cmocka_unit_test (test_executables),    cmocka_unit_test (test_pua),
        cmocka_unit_test (test_no_policy),      cmocka_unit_test (test_hostile_strings),
        cmocka_unit_test (test_ordering),
    };

    return cmocka_run_group_tests_name ("kiosk-posture", tests, setup, teardown);
}
