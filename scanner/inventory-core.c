/* Kikan: freeing inventories (include/kikan/inventory.h).
 *
 * Kept apart from the parsers (scanner/inventory.c, libhivex and libplist)
 * so that the IPC codec and the kiosk, which only carry and free
 * inventories, need neither library. */
#include <stdlib.h>
#include <string.h>

#include "kikan/inventory.h"

const char *
kikan_os_family_to_string (KikanOsFamily f)
{
    switch (f) {
    case KIKAN_OS_WINDOWS:
        return "windows";
    case KIKAN_OS_LINUX:
        return "linux";
    case KIKAN_OS_MACOS:
        return "macos";
    case KIKAN_OS_UNKNOWN:
    default:
        return "unknown";
    }
}

void
kikan_system_clear (KikanSystem *s)
{
    free (s->source);
    free (s->product);
    free (s->version);
    free (s->build);
    free (s->edition);
    free (s->patched_source);
    free (s->av_product);
    free (s->av_version);
}

void
kikan_program_clear (KikanProgram *p)
{
    free (p->name);
    free (p->version);
    free (p->publisher);
    free (p->install_date);
    free (p->key);
    free (p->source);
    free (p->user);
}

void
kikan_inventory_clear (KikanInventory *inv)
{
    if (inv == NULL)
        return;
    for (size_t i = 0; i < inv->n_systems; i++)
        kikan_system_clear (&inv->systems[i]);
    for (size_t i = 0; i < inv->n_programs; i++)
        kikan_program_clear (&inv->programs[i]);
    for (size_t i = 0; i < inv->n_problems; i++) {
        free (inv->problems[i].source);
        free (inv->problems[i].what);
    }
    free (inv->systems);
    free (inv->programs);
    free (inv->problems);
    memset (inv, 0, sizeof *inv);
}

