/* Kikan kiosk: what the `kikan` subcommands share. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "config-private.h"
#include "db-sources-private.h"
#include "home-private.h"
#include "policy-private.h"
#include "station-setup-private.h"

/* Exit statuses shared by every subcommand (docs/cli.md). */
enum {
    KIKAN_EXIT_OK = 0,
    KIKAN_EXIT_INFECTED = 1,   /* scan: malware found; selftest: an expectation failed */
    KIKAN_EXIT_ERROR = 2,      /* not inspected, or the command could not do its job */
    KIKAN_EXIT_STALE = 3,      /* signatures status: stale or no signed database */
};

/* The subcommands: argv[0] is the subcommand's name. */
int kikan_cmd_scan (int argc, char **argv);
int kikan_cmd_probe (int argc, char **argv);
int kikan_cmd_software (int argc, char **argv);
int kikan_cmd_signatures (int argc, char **argv);
int kikan_cmd_selftest (int argc, char **argv);
int kikan_cmd_checkin (int argc, char **argv);
int kikan_cmd_it (int argc, char **argv);
/* `kikan it account …`: argv[0] is "account". */
int kikan_cmd_it_account (int argc, char **argv);
int kikan_cmd_ledger (int argc, char **argv);
int kikan_cmd_usb (int argc, char **argv);
int kikan_cmd_db (int argc, char **argv);
int kikan_cmd_audit (int argc, char **argv);
/* `kikan audit <sub>`: argv[0] is <sub>. */
int kikan_cmd_audit_verify (int argc, char **argv);
int kikan_cmd_audit_init (int argc, char **argv);
int kikan_cmd_audit_list (int argc, char **argv);
/* `kikan audit verify --slip FILE|PAYLOAD` (cmd-audit-slip.c). */
int kikan_cmd_audit_verify_slip (const char *payload_or_file);
/* `kikan slip <sub>`: argv[0] is <sub>.  kikan_cmd_slip is cmd-slip.c's
 * (the slip helper's), which dispatches "print" to kikan_cmd_slip_print. */
int kikan_cmd_slip (int argc, char **argv);
int kikan_cmd_slip_print (int argc, char **argv);
/* `kikan netlist export|verify` (KR-29). */
int kikan_cmd_netlist (int argc, char **argv);

/* "kikan: <message>" on stderr. */
void kikan_cli_print_error (const GError *error);
/* One JSON document, pretty-printed, on stdout. */
void kikan_cli_print_json (JsonNode *root);

/* Parses @context over argc/argv, printing the error and a hint. */
gboolean kikan_cli_parse (GOptionContext *context, int *argc, char ***argv);
