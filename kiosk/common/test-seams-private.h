/* Kikan kiosk: test seams on the GLib side.
 *
 * Every test seam is read with kikan_test_seam() (kikan/test-seam.h),
 * which answers only in a program that runs from its build tree; this
 * header adds what the long-lived kiosk needs besides.
 */
#pragma once

#include <glib.h>

#include "kikan/test-seam.h"

/* Removes every test seam from this process's environment, so that no
 * program it starts (kikan-scand, a print filter) inherits one, and
 * returns the names that were set, for the log.  Free it with g_strfreev;
 * it is empty, never NULL, when none was set.  kikan-kiosk calls it at
 * start-up when it does not run from the build tree. */
char **kikan_test_seams_drop_from_environment (void);
