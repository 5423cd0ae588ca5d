/* Kikan kiosk: the kill-point test seam (kill-point-private.h). */
#include "kill-point-private.h"

#include <signal.h>
#include <unistd.h>

#include "test-seams-private.h"

void
kikan_kill_point (KikanKillPoint *kp)
{
    if (kp->target == -1) {
        /* A test seam: only the build tree's programs kill themselves. */
        const char *v = kikan_test_seam (kp->variable);

        kp->target = v != NULL ? g_ascii_strtoll (v, NULL, 10) : 0;
    }
    if (kp->target > 0 && ++kp->counter == kp->target)
        kill (getpid (), SIGKILL);
}
