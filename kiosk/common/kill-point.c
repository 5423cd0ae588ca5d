/* Kikan kiosk: the kill-point test seam (kill-point-private.h). */
#include "kill-point-private.h"

#include <signal.h>
#include <unistd.h>

void
kikan_kill_point (KikanKillPoint *kp)
{
    if (kp->target == -1) {
        const char *v = g_getenv (kp->variable);

        kp->target = v != NULL ? g_ascii_strtoll (v, NULL, 10) : 0;
    }
    if (kp->target > 0 && ++kp->counter == kp->target)
        kill (getpid (), SIGKILL);
}
