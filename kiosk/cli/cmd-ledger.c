/* kikan ledger: placeholder until the ledger part of issue #9 lands. */
#include <stdio.h>

#include "cli-private.h"

int
kikan_cmd_ledger (int argc, char **argv)
{
    fprintf (stderr, "kikan ledger: not built yet (issue #9).\n");
    return KIKAN_EXIT_ERROR;
}
