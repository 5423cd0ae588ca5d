/* Kikan kiosk: what the `kikan audit …` subcommands share (issue #10
 * item 3; docs/audit.md). */
#pragma once

#include <glib.h>

#include "audit-query-private.h"

/* The filter options every listing command takes: --since, --until,
 * --employee, --asset, --verdict, --kind, --session. */
typedef struct {
    char *since, *until, *employee, *asset, *verdict, *kind;
    gint64 session;
} KikanCliAuditFilterArgs;

void kikan_cli_audit_filter_add_entries (GOptionContext *context, KikanCliAuditFilterArgs *a);
/* The filter the options ask for; NULL with the error printed. */
KikanAuditFilter *kikan_cli_audit_filter_build (KikanCliAuditFilterArgs *a);
void kikan_cli_audit_filter_args_clear (KikanCliAuditFilterArgs *a);

/* `kikan audit verify --bundle FILE …` (cmd-audit-bundle.c): argv as
 * kikan_cmd_audit_verify got it. */
int kikan_cmd_audit_verify_bundle (int argc, char **argv);
int kikan_cmd_audit_show (int argc, char **argv);
int kikan_cmd_audit_export (int argc, char **argv);
int kikan_cmd_audit_sample (int argc, char **argv);
int kikan_cmd_audit_attest (int argc, char **argv);
int kikan_cmd_audit_samples (int argc, char **argv);
int kikan_cmd_audit_status (int argc, char **argv);
