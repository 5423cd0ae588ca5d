/* kiosk/software/software-facts.c: what one target's software side says (issue #4).
 *
 * The facts are fed as the daemon would relay them (file reports with
 * program info, inventory chunks) and evaluated with a policy loaded from
 * memory.  Each case asserts the exact findings, in order: worst first
 * whatever finding the facts add themselves (KR-19), programs in an OS's
 * own folders counted and not judged one by one (KR-46), and a partial
 * picture never "cleared". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "software-facts-private.h"

#define HASH_TOOL "1fa33aa4e76f3a60ff80179ca3083200da6109f1bb8b6ce88dc05a9979d211ed"
#define HASH_DLL  "cbe2b077f60a50b909ba49c131cce0c1c08ce30d20ae2e27c81d1a56ad270a95"

static const char policy_text[] = "[policy]\n"
                                   "version = t\n"
                                   "max_os_patch_age_days = 0\n"
                                   "max_av_definition_age_days = 0\n"
                                   "require_antivirus = no\n"
                                   "\n"
                                   "[forbid \"TeamViewer\"]\n"
                                   "name = TeamViewer*\n"
                                   "\n"
                                   "[exception \"Zoom\"]\n"
                                   "name = Zoom*\n"
                                   "approver = Sato\n"
                                   "ticket = IT-1\n"
                                   "expires = 2099-12-31\n";

static KikanPolicy *
load_policy (void)
{
    GError *error = NULL;
    KikanPolicy *p = kikan_policy_load_data (policy_text, sizeof policy_text - 1, "t.conf",
                                             &error);

    if (p == NULL)
        fail_msg ("policy: %s", error->message);
    return p;
}

/* A Windows system on volume p1 (SOFTWARE hive), with TeamViewer. */
static void
add_windows (KikanSoftwareFacts *sw, gint64 now)
{
    KikanSystem sys = { 0 };
    KikanProgram prog = { 0 };
    KikanInventory inv = { 0 };

    sys.family = KIKAN_OS_WINDOWS;
    sys.source = (char *) "p1:/Windows/System32/config/SOFTWARE";
    sys.product = (char *) "Windows 10 Pro";
    sys.build = (char *) "19045.4291";
    sys.patched = now - 86400;
    sys.av_product = (char *) "Microsoft Defender";
    sys.av_updated = now - 3600;
    prog.name = (char *) "TeamViewer";
    prog.version = (char *) "15.48.4";
    prog.source = sys.source;
    inv.systems = &sys;
    inv.n_systems = 1;
    inv.programs = &prog;
    inv.n_programs = 1;
    kikan_software_facts_add_inventory (sw, &inv);
}

static void
add_program_file (KikanSoftwareFacts *sw, const char *path, const char *hash)
{
    KikanFileReport r = { 0 };

    r.path = (char *) path;
    strcpy (r.sha256, hash);
    r.exec.type = KIKAN_FILETYPE_PE_EXE;
    strcpy (r.exec.sha256, hash);
    kikan_software_facts_add_file (sw, &r);
}

static void
expect (GPtrArray *f, guint i, const char *code, KikanLevel level, const char *subject)
{
    const KikanFinding *x;

    if (i >= f->len)
        fail_msg ("expected a finding #%u (%s), there are %u", i, code, f->len);
    x = g_ptr_array_index (f, i);
    assert_string_equal (x->code, code);
    assert_int_equal (x->level, level);
    assert_string_equal (x->subject, subject);
}

/* On the system's volume, Windows/ and Program Files/ programs are counted,
 * not judged; the user's Downloads and another volume are judged. */
static void
test_system_folders_counted (void **state)
{
    g_autoptr (KikanPolicy) policy = load_policy ();
    g_autoptr (KikanSoftwareFacts) sw = kikan_software_facts_new ();
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;
    GPtrArray *f;

    add_windows (sw, now);
    add_program_file (sw, "p1:/Windows/System32/kernel32.dll", HASH_DLL);
    add_program_file (sw, "p1:/program files/Vendor/app.exe", HASH_DLL);
    add_program_file (sw, "p1:/Users/alice/Downloads/tool.exe", HASH_TOOL);
    add_program_file (sw, "p2:/Windows/copied.exe", HASH_TOOL);  /* no system on p2 */
    kikan_software_facts_evaluate (sw, policy, now);
    f = kikan_software_facts_get_findings (sw);
    assert_int_equal (f->len, 3);
    expect (f, 0, "SW-FORBIDDEN", KIKAN_LEVEL_QUARANTINE, "TeamViewer");
    expect (f, 1, "SW-UNAPPROVED", KIKAN_LEVEL_HOLD, "p1:/Users/alice/Downloads/tool.exe");
    expect (f, 2, "SW-UNAPPROVED", KIKAN_LEVEL_HOLD, "p2:/Windows/copied.exe");
    assert_int_equal (kikan_software_facts_get_n_executables (sw), 2);
    assert_int_equal (kikan_software_facts_get_worst (sw), KIKAN_LEVEL_QUARANTINE);
}

/* Findings the facts add themselves keep the order worst first. */
static void
test_incomplete_sorted_and_held (void **state)
{
    g_autoptr (KikanPolicy) policy = load_policy ();
    g_autoptr (KikanSoftwareFacts) sw = kikan_software_facts_new ();
    g_autoptr (KikanSoftwareFacts) empty = kikan_software_facts_new ();
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;
    GPtrArray *f;

    add_windows (sw, now);
    kikan_software_facts_set_incomplete (sw, "worker killed by signal 9");
    kikan_software_facts_evaluate (sw, policy, now);
    f = kikan_software_facts_get_findings (sw);
    assert_int_equal (f->len, 2);
    expect (f, 0, "SW-FORBIDDEN", KIKAN_LEVEL_QUARANTINE, "TeamViewer");
    expect (f, 1, "UPD-UNKNOWN", KIKAN_LEVEL_HOLD, "software and updates");
    assert_non_null (strstr (((KikanFinding *) f->pdata[1])->detail, "signal 9"));
    assert_string_equal (((KikanFinding *) f->pdata[1])->slip_code, "UPD-04");

    /* Nothing found at all, but content not inspected: not "cleared". */
    kikan_software_facts_evaluate (empty, policy, now);
    assert_int_equal (kikan_software_facts_get_worst (empty), KIKAN_LEVEL_INFO);
    assert_string_equal (kikan_level_to_verdict (kikan_software_facts_get_worst (empty)),
                         "cleared");
    /* With an info finding (a valid exception) beside it, the HOLD the
     * facts add comes first. */
    {
        KikanProgram zoom = { 0 };
        KikanInventory inv = { 0 };

        zoom.name = (char *) "Zoom";
        inv.programs = &zoom;
        inv.n_programs = 1;
        kikan_software_facts_add_inventory (empty, &inv);
    }
    kikan_software_facts_set_not_inspected (empty, "Part of this item (1 file, 0 volumes)");
    kikan_software_facts_evaluate (empty, policy, now);
    f = kikan_software_facts_get_findings (empty);
    assert_int_equal (f->len, 2);
    expect (f, 0, "SW-NOT-INSPECTED", KIKAN_LEVEL_HOLD, "content not inspected");
    assert_string_equal (((KikanFinding *) f->pdata[0])->slip_code, "MAL-04");
    expect (f, 1, "SW-EXCEPTION", KIKAN_LEVEL_INFO, "Zoom");
    assert_string_equal (kikan_level_to_verdict (kikan_software_facts_get_worst (empty)),
                         "hold");
}

/* A member list cut to fit a message lost programs: HOLD, never silence. */
static void
test_programs_cut (void **state)
{
    g_autoptr (KikanPolicy) policy = load_policy ();
    g_autoptr (KikanSoftwareFacts) sw = kikan_software_facts_new ();
    KikanFileReport r = { 0 };
    GPtrArray *f;

    r.path = (char *) "big.zip";
    r.flags = KIKAN_FILE_FLAG_PROGRAMS_CUT;
    kikan_software_facts_add_file (sw, &r);
    kikan_software_facts_evaluate (sw, policy, 0);
    f = kikan_software_facts_get_findings (sw);
    assert_int_equal (f->len, 1);
    expect (f, 0, "SW-UNAPPROVED", KIKAN_LEVEL_HOLD, "big.zip");
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_system_folders_counted),
        cmocka_unit_test (test_incomplete_sorted_and_held),
        cmocka_unit_test (test_programs_cut),
    };

    return cmocka_run_group_tests_name ("kiosk-software-facts", tests, NULL, NULL);
}
