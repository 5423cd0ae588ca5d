/* kikan: the command-line face of the kiosk library (docs/cli.md). */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cli-private.h"

static const struct {
    const char *name;
    int (*run) (int argc, char **argv);
    const char *help;
} commands[] = {
    { "scan", kikan_cmd_scan, "scan folders, files, disk images or disks for malware" },
    { "software", kikan_cmd_software,
      "installed software, OS and antivirus freshness, and programs, judged by the policy" },
    { "probe", kikan_cmd_probe, "show the volumes of disks and disk images (no file is read)" },
    { "signatures", kikan_cmd_signatures, "show (status) or import (import DIR) signatures" },
    { "selftest", kikan_cmd_selftest, "check that the scanner finds what it must" },
    { "checkin", kikan_cmd_checkin, "a returning employee's check-in, scripted (docs/checkin.md)" },
    { "it", kikan_cmd_it, "IT staff: resolve or override a verdict, list what is held" },
    { "ledger", kikan_cmd_ledger, "the lending ledger: import, export, list, lend, return" },
    { "usb", kikan_cmd_usb, "USB devices attached, with their identity and interfaces" },
    { "db", kikan_cmd_db, "the kiosk's store: check its integrity" },
    { "audit", kikan_cmd_audit, "the tamper-evident audit trail: verify the chain, list records" },
    { "slip", kikan_cmd_slip, "clearance slips: issue, reprint, show, verify (network team)" },
    { "netlist", kikan_cmd_netlist,
      "for the network team: export the signed cleared and watch lists, or verify them" },
};

static void
usage (FILE *out)
{
    fprintf (out, "Usage: kikan COMMAND [OPTION…]\n\nCommands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
        fprintf (out, "  %-12s %s\n", commands[i].name, commands[i].help);
    fprintf (out, "\nRun “kikan COMMAND --help” for a command's options. State lives in "
                  "$KIKAN_HOME (default /var/lib/kikan).\n");
}

int
main (int argc, char **argv)
{
    setlocale (LC_ALL, "");
    if (argc < 2) {
        usage (stderr);
        return KIKAN_EXIT_ERROR;
    }
    if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
        strcmp (argv[1], "help") == 0) {
        usage (stdout);
        return KIKAN_EXIT_OK;
    }
    if (strcmp (argv[1], "--version") == 0) {
        printf ("kikan %s\n", KIKAN_VERSION);
        return KIKAN_EXIT_OK;
    }
    for (size_t i = 0; i < G_N_ELEMENTS (commands); i++) {
        if (strcmp (argv[1], commands[i].name) == 0) {
            g_autofree char *prgname = g_strconcat ("kikan ", commands[i].name, NULL);

            g_set_prgname (prgname);
            return commands[i].run (argc - 1, argv + 1);
        }
    }
    fprintf (stderr, "kikan: unknown command “%s”.\n", argv[1]);
    usage (stderr);
    return KIKAN_EXIT_ERROR;
}
