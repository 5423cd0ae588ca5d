/* Kikan kiosk: `kikan audit SUBCOMMAND …`, the tamper-evident audit trail
 * (issue #10; docs/audit.md).  One file a subcommand; this one only
 * dispatches. */
#include <stdio.h>
#include <string.h>

#include "cli-private.h"

static const struct {
    const char *name;
    int (*run) (int argc, char **argv);
    const char *usage;
} subcommands[] = {
    { "init", kikan_cmd_audit_init, "init --kiosk-id ID [--key-file FILE] [--no-qr]" },
    { "verify", kikan_cmd_audit_verify, "verify [--key kikan-vk1:…] [--public-key HEX]" },
    { "list", kikan_cmd_audit_list, "list [--json] [--session N]" },
};

static int
usage (void)
{
    fprintf (stderr, "Usage:\n");
    for (gsize i = 0; i < G_N_ELEMENTS (subcommands); i++)
        fprintf (stderr, "  kikan audit %s\n", subcommands[i].usage);
    return KIKAN_EXIT_ERROR;
}

int
kikan_cmd_audit (int argc, char **argv)
{
    if (argc < 2)
        return usage ();
    for (gsize i = 0; i < G_N_ELEMENTS (subcommands); i++)
        if (strcmp (argv[1], subcommands[i].name) == 0)
            return subcommands[i].run (argc - 1, argv + 1);
    return usage ();
}
