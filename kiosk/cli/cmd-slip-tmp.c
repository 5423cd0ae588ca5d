/* TEMPORARY (branch i10-print only): `kikan slip print …` until the slip
 * helper's cmd-slip.c, which dispatches "print" to kikan_cmd_slip_print,
 * is merged.  Delete this file and its line in kiosk/CMakeLists.txt then. */
#include <stdio.h>
#include <string.h>

#include "cli-private.h"

int
kikan_cmd_slip (int argc, char **argv)
{
    if (argc >= 2 && strcmp (argv[1], "print") == 0)
        return kikan_cmd_slip_print (argc - 1, argv + 1);
    fprintf (stderr, "Usage:\n  kikan slip print NUMBER [--queue Q] [--server S] [--json]\n");
    return KIKAN_EXIT_ERROR;
}
