/* kikan it: placeholder until the IT actions part of issue #9 lands. */
#include <stdio.h>

#include "cli-private.h"

int
kikan_cmd_it (int argc, char **argv)
{
    fprintf (stderr, "kikan it: not built yet (issue #9).\n");
    return KIKAN_EXIT_ERROR;
}
