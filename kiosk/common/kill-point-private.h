/* Kikan kiosk: the kill-point test seam (tests only).
 *
 * A kill-point test runs a command again and again with an environment
 * variable set to 1, 2, 3 …; the process SIGKILLs itself at the N-th time
 * it passes a kill point of that variable, so that every moment at which
 * a crash could leave the store or a key half-written is tried
 * (tests/integration/test_checkin.py: KIKAN_TEST_KILL_AT at each commit;
 * test_audit_seal.py: KIKAN_TEST_KILL_AUDIT at each record, seal and key
 * write). Unset, a kill point costs one comparison.  The variables are
 * test seams (kikan/test-seam.h): an installed program never reads them. */
#pragma once

#include <glib.h>

typedef struct {
    const char *variable;
    gint counter;
    gint64 target; /* -1: not read yet; 0: off */
} KikanKillPoint;

#define KIKAN_KILL_POINT_INIT(variable) { (variable), 0, -1 }

void kikan_kill_point (KikanKillPoint *kp);
