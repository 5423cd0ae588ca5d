/* kikan usb: placeholder until the USB identity part of issue #9 lands. */
#include <stdio.h>

#include "cli-private.h"

int
kikan_cmd_usb (int argc, char **argv)
{
    fprintf (stderr, "kikan usb: not built yet (issue #9).\n");
    return KIKAN_EXIT_ERROR;
}
