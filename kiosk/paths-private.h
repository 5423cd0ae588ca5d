/* Kikan kiosk: where the other parts of Kikan are found.
 *
 * Environment variables come first (tests and development), then the
 * installed location, then the build tree.
 */
#pragma once

#include <glib.h>

/* The scan daemon: $KIKAN_SCAND, else the build-tree kikan-scand when it
 * exists, else the installed libexec copy.  Free it. */
char *kikan_paths_dup_scand (void);

/* The project's own signatures: $KIKAN_SIGNATURES_DIR, else the installed
 * copy when it exists, else the source tree's signatures/.  Free it. */
char *kikan_paths_dup_project_signatures (void);

/* The self-test fixtures: $KIKAN_SELFTEST_DIR, else the installed copy when
 * it exists, else the build tree's fixtures/selftest.  Free it. */
char *kikan_paths_dup_selftest_dir (void);

/* Where ClamAV's freshclam keeps the official databases. */
#define KIKAN_SYSTEM_CLAMAV_DIR "/var/lib/clamav"
