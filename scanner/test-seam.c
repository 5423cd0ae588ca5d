/* Kikan: test seams, honoured only from the build tree (kikan/test-seam.h). */
#include "kikan/test-seam.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef KIKAN_BUILD_ROOT
#error "KIKAN_BUILD_ROOT (the build tree, absolute) must be defined by the build"
#endif

/* docs/deploy.md "Environment" has one row for each, saying what it swaps. */
const char *const kikan_test_seam_names[] = {
    "KIKAN_SCAND",           /* the scan daemon to run */
    "KIKAN_SANDBOX",         /* "null": the worker runs unconfined */
    "KIKAN_FAKE_NOW",        /* the clock, in Unix seconds */
    "KIKAN_POLICY",          /* the software policy file */
    "KIKAN_SIGNATURES_DIR",  /* the project's own signatures */
    "KIKAN_SELFTEST_DIR",    /* the start-up self-test's fixtures */
    "KIKAN_TEST_FREE_BYTES", /* the free space the audit capacity check sees */
    "KIKAN_TEST_KILL_AT",    /* SIGKILL at the N-th check-in commit */
    "KIKAN_TEST_KILL_AUDIT", /* SIGKILL at the N-th audit record, seal or key write */
    NULL,
};

int
kikan_test_seam_exe_in_build_tree (const char *exe, const char *build_root)
{
    size_t n;

    if (exe == NULL || build_root == NULL || build_root[0] != '/')
        return 0;
    n = strlen (build_root);
    /* "/" would take in every program on the machine. */
    if (n < 2 || build_root[n - 1] == '/')
        return 0;
    /* Beneath it, on a path component: not /src/build-other for /src/build. */
    return strncmp (exe, build_root, n) == 0 && exe[n] == '/' && exe[n + 1] != '\0';
}

static int seams_enabled;
static pthread_once_t seams_once = PTHREAD_ONCE_INIT;

static void
decide (void)
{
    char exe[PATH_MAX];
    char root[PATH_MAX];
    ssize_t n;

    /* The kernel's answer is canonical; a build tree that no longer exists
     * (realpath fails) enables nothing. */
    n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || (size_t) n >= sizeof exe - 1)
        return;
    exe[n] = '\0';
    if (realpath (KIKAN_BUILD_ROOT, root) == NULL)
        return;
    seams_enabled = kikan_test_seam_exe_in_build_tree (exe, root);
}

int
kikan_test_seams_enabled (void)
{
    (void) pthread_once (&seams_once, decide);
    return seams_enabled;
}

const char *
kikan_test_seam (const char *name)
{
    size_t i;

    for (i = 0; name != NULL && kikan_test_seam_names[i] != NULL; i++)
        if (strcmp (name, kikan_test_seam_names[i]) == 0)
            break;
    if (name == NULL || kikan_test_seam_names[i] == NULL) {
        fprintf (stderr, "kikan: \"%s\" is not a registered test seam (kikan/test-seam.h)\n",
                 name != NULL ? name : "(null)");
        abort ();
    }
    return kikan_test_seams_enabled () ? getenv (name) : NULL;
}
