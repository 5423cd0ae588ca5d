/* Fuzz harness: arbitrary bytes as a software policy (kiosk/software/policy.c),
 * then, when they load, the posture evaluation (kiosk/software/posture.c).
 *
 * The policy file is written by an administrator, but it is the one input
 * that decides what a returning laptop may carry (Admin B-3, KR-16): a
 * policy that crashes the kiosk, or loads half, would let everything
 * through.  The input is also used as a hostile program name, file name
 * and PUA name, so matching sees invalid UTF-8 and control characters.
 *
 * Invariants beyond "no crash, no sanitizer report, no leak": a refusal
 * names the file and a line ("fuzz.conf:N: "), or the size cap, and is
 * never inih's own vaguer syntax error; a loaded
 * policy has a 64-digit SHA-256; a decision names its rule exactly when
 * it is not "unknown", and an exception rule always carries approver,
 * ticket and expiry; findings come out ordered, each with a code, slip
 * code and detail. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posture-private.h"

#define HASH_A "1fa33aa4e76f3a60ff80179ca3083200da6109f1bb8b6ce88dc05a9979d211ed"

static void
check_decision (KikanPolicyStatus st, const KikanRule *rule)
{
    if (st > KIKAN_POLICY_EXCEPTION_EXPIRED)
        abort ();
    if ((st == KIKAN_POLICY_UNKNOWN) != (rule == NULL))
        abort ();
    if (rule == NULL)
        return;
    if (rule->id == NULL || rule->id[0] == '\0' || rule->line == 0)
        abort ();
    if ((st == KIKAN_POLICY_EXCEPTION || st == KIKAN_POLICY_EXCEPTION_EXPIRED)
        && (rule->kind != KIKAN_RULE_EXCEPTION || rule->approver == NULL || rule->ticket == NULL
            || rule->expires == NULL || strlen (rule->expires) != 10))
        abort ();
    if (st == KIKAN_POLICY_FORBIDDEN && rule->kind != KIKAN_RULE_FORBID)
        abort ();
}

static void
run_policy (const KikanPolicy *p, const char *hostile)
{
    static const gint64 times[] = { 0, 1767225600 /* 2026-01-01 */, G_MAXINT64 / 2 };
    KikanProgram programs[3] = { { 0 } };
    KikanSystem sys = { 0 };
    KikanInventory inv = { 0 };
    KikanExecutable exes[2] = { { 0 } };
    const char *pua[] = { "PUA.Win.Tool.Mimikatz-1", hostile };
    const char *pua_paths[] = { "a/mimi.exe", hostile };
    KikanVerdictOf pv[3], ev[2];
    const KikanRule *rule;

    programs[0].name = (char *)"Microsoft Office Professional Plus 2021";
    programs[0].publisher = (char *)"Microsoft Corporation";
    programs[0].version = (char *)"16.0";
    programs[1].name = (char *)"TeamViewer";
    programs[2].name = (char *)hostile;
    programs[2].version = (char *)hostile;
    programs[2].publisher = (char *)hostile;
    sys.family = KIKAN_OS_WINDOWS;
    sys.product = (char *)hostile;
    sys.version = (char *)"21H2";
    sys.patched = 1767225600;
    exes[0].path = "tools/x.exe";
    exes[0].type = KIKAN_FILETYPE_PE_EXE;
    exes[0].sha256 = HASH_A;
    exes[1].path = hostile;
    exes[1].member = hostile;
    exes[1].type = KIKAN_FILETYPE_AUTORUN;
    exes[1].name_flags = 7;
    inv.programs = programs;
    inv.n_programs = 3;
    inv.systems = &sys;
    inv.n_systems = 1;

    if (kikan_policy_get_sha256 (p) == NULL || strlen (kikan_policy_get_sha256 (p)) != 64)
        abort ();
    /* (The status is taken first: C leaves argument order open.) */
    for (size_t t = 0; t < G_N_ELEMENTS (times); t++) {
        KikanPolicyStatus st;

        for (size_t i = 0; i < 3; i++) {
            st = kikan_policy_check_program (p, &programs[i], times[t], &rule);
            check_decision (st, rule);
        }
        st = kikan_policy_check_file (p, HASH_A, "x.exe", NULL, times[t], &rule);
        check_decision (st, rule);
        st = kikan_policy_check_file (p, hostile, hostile, hostile, times[t], &rule);
        check_decision (st, rule);
        st = kikan_policy_check_file (p, NULL, NULL, NULL, times[t], &rule);
        check_decision (st, rule);
        st = kikan_policy_check_pua (p, pua[0], times[t], &rule);
        check_decision (st, rule);
        st = kikan_policy_check_pua (p, hostile, times[t], &rule);
        check_decision (st, rule);
    }
    rule = kikan_policy_find_end_of_support (p, hostile, hostile);
    if (rule != NULL && rule->kind != KIKAN_RULE_END_OF_SUPPORT)
        abort ();
    rule = kikan_policy_find_end_of_support (p, "Windows 7 Professional", NULL);
    if (rule != NULL && rule->kind != KIKAN_RULE_END_OF_SUPPORT)
        abort ();

    {
        GPtrArray *fs
            = kikan_posture_evaluate (p, &inv, exes, 2, pua, pua_paths, 2, times[1], pv, ev);
        for (guint i = 0; i < fs->len; i++) {
            const KikanFinding *f = fs->pdata[i];
            if (f->code == NULL || f->slip_code == NULL || f->detail == NULL || f->subject == NULL)
                abort ();
            if (i > 0 && ((const KikanFinding *)fs->pdata[i - 1])->level < f->level)
                abort ();
        }
        g_ptr_array_unref (fs);
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    GError *error = NULL;
    KikanPolicy *p;
    char hostile[1025];
    size_t n = size < sizeof hostile - 1 ? size : sizeof hostile - 1;

    memcpy (hostile, data, n);
    hostile[n] = '\0';
    p = kikan_policy_load_data ((const char *)data, size, "fuzz.conf", &error);
    if (p == NULL) {
        if (error == NULL || strncmp (error->message, "fuzz.conf:", 10) != 0)
            abort ();
        /* The reader mirrors inih's view of each line: inih itself must
         * never be the one to find a syntax error (a vaguer message). */
        if (g_str_has_suffix (error->message, ": the line cannot be read as a policy setting")
            || g_str_has_prefix (error->message, "fuzz.conf:0: the policy could not be parsed"))
            abort ();
        g_error_free (error);
        return 0;
    }
    if (error != NULL)
        abort ();
    run_policy (p, hostile);
    kikan_policy_free (p);
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole and cut at each eighth. */
const unsigned kikan_fuzz_prefix_parts = 8;
const unsigned kikan_fuzz_selectors = 0;
#endif
