/* Kikan kiosk: `kikan audit SUBCOMMAND …`, the tamper-evident audit trail
 * (issue #10; docs/audit.md).  One file a subcommand; this one only
 * dispatches. */
#include <stdio.h>
#include <string.h>

#include "cli-private.h"
#include "cmd-audit-private.h"

static const struct {
    const char *name;
    int (*run) (int argc, char **argv);
    const char *usage;
} subcommands[] = {
    { "init", kikan_cmd_audit_init, "init --kiosk-id ID [--key-file FILE] [--no-qr]" },
    { "verify", kikan_cmd_audit_verify,
      "verify [--key kikan-vk1:…] [--public-key HEX]\n"
      "  kikan audit verify --bundle FILE [--key kikan-vk1:…] [--public-key HEX]" },
    { "list", kikan_cmd_audit_list, "list [--json] [filters]" },
    { "show", kikan_cmd_audit_show, "show SEQ [--json]" },
    { "export", kikan_cmd_audit_export,
      "export --format jsonl|csv|syslog [--out FILE] [filters]\n"
      "  kikan audit export --bundle FILE [--compression gzip|xz]" },
    { "sample", kikan_cmd_audit_sample,
      "sample --size N --by REVIEWER [--seed HEX] [filters] [--json]" },
    { "attest", kikan_cmd_audit_attest, "attest SAMPLE_ID --by REVIEWER --statement TEXT" },
    { "samples", kikan_cmd_audit_samples, "samples [--json]" },
    { "status", kikan_cmd_audit_status, "status [--json]" },
};

static int
usage (void)
{
    fprintf (stderr, "Usage:\n");
    for (gsize i = 0; i < G_N_ELEMENTS (subcommands); i++)
        fprintf (stderr, "  kikan audit %s\n", subcommands[i].usage);
    fprintf (stderr, "filters: --since WHEN --until WHEN --employee ID --asset ID "
                     "--verdict LEVEL --kind KIND --session N\n");
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
