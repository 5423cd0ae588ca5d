/* kikan db: placeholder until the store part of issue #9 lands. */
#include <stdio.h>

#include "cli-private.h"

int
kikan_cmd_db (int argc, char **argv)
{
    fprintf (stderr, "kikan db: not built yet (issue #9).\n");
    return KIKAN_EXIT_ERROR;
}
