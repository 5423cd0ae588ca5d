/* Kikan kiosk: where the other parts of Kikan are found.
 *
 * Test seams come first (KIKAN_SCAND, KIKAN_SIGNATURES_DIR,
 * KIKAN_SELFTEST_DIR: honoured only by a program that runs from the build
 * tree, kikan/test-seam.h), then the installed location, then the build
 * tree; the scan daemon is taken from the build tree only by the build
 * tree's own `kikan`.
 */
#pragma once

#include <glib.h>

/* The scan daemon: $KIKAN_SCAND (a test seam: in the build tree only),
 * else the build tree's kikan-scand when this `kikan` is the build tree's
 * own (by /proc/self/exe), else — an installed `kikan`, or a copy anywhere
 * else — only the installed libexec/kikan/kikan-scand.  Free it. */
char *kikan_paths_dup_scand (void);

/* The decision behind kikan_paths_dup_scand(), as a pure function:
 * @env_scand (the KIKAN_SCAND seam as kikan_test_seam() gives it: NULL
 * outside the build tree) when set and not empty; @build_scand when @exe (the running
 * executable, canonical; NULL when unknown) is exactly @build_kikan (the
 * build tree's kikan); else @installed_scand.  Free it. */
char *kikan_paths_choose_scand (const char *exe, const char *env_scand, const char *build_kikan,
                                const char *build_scand, const char *installed_scand);

/* The canonical path of the running executable (/proc/self/exe), or NULL.
 * Free it. */
char *kikan_paths_dup_self_exe (void);

/* The project's own signatures: $KIKAN_SIGNATURES_DIR (a test seam), else
 * the installed copy when it exists, else the source tree's signatures/.
 * Free it. */
char *kikan_paths_dup_project_signatures (void);

/* The self-test fixtures: $KIKAN_SELFTEST_DIR (a test seam), else the
 * installed copy when it exists, else the build tree's fixtures/selftest.
 * Free it. */
char *kikan_paths_dup_selftest_dir (void);

/* Where ClamAV's freshclam keeps the official databases. */
#define KIKAN_SYSTEM_CLAMAV_DIR "/var/lib/clamav"
