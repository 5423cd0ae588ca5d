/* kikan checkin: placeholder until the check-in part of issue #9 lands. */
#include <stdio.h>

#include "cli-private.h"

int
kikan_cmd_checkin (int argc, char **argv)
{
    fprintf (stderr, "kikan checkin: not built yet (issue #9).\n");
    return KIKAN_EXIT_ERROR;
}
