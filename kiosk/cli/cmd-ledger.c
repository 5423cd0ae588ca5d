/* Kikan kiosk: `kikan ledger …`, the lending ledger and the media register
 * from the command line (issue #9 item 2; KR-01, KR-02, KR-06, Admin B-2,
 * E-4; docs/ledger.md).
 *
 *   kikan ledger import [--dry-run] [--json] FILE
 *   kikan ledger export [FILE|-]
 *   kikan ledger list [--json] [--employee ID]
 *   kikan ledger lend ASSET EMPLOYEE [--due YYYY-MM-DD] [--method TEXT]
 *   kikan ledger return ASSET
 *   kikan ledger media add ASSET --vid HEX --pid HEX [--serial S] [--hardware-encrypted]
 * [--replace] kikan ledger media list [--json]
 *
 * Exit status: 0 done, 2 the command could not do its job (nothing was
 * changed). */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "ledger-csv-private.h"
#include "ledger-private.h"
#include "store-private.h"

static KikanStore *
open_store (void)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (GError) error = NULL;
    KikanStore *store = kikan_store_open (home, &error);

    if (store == NULL)
        kikan_cli_print_error (error);
    return store;
}

/* Prints @v escaped, "-" for NULL or empty. */
static char *
esc (const char *v)
{
    return kikan_escape_for_display (v != NULL && v[0] != '\0' ? v : "-", -1);
}

/* ------------------------------------------------------------ import */

/* "; field old → new" for each field change: every value the import
 * writes over what the store holds (KR-02). */
static void
print_fields (const GPtrArray *fields)
{
    for (guint j = 0; j < fields->len; j++) {
        const KikanLedgerFieldChange *f = g_ptr_array_index (fields, j);
        g_autofree char *o
            = kikan_escape_for_display (f->old_value != NULL ? f->old_value : "(none)", -1);
        g_autofree char *n
            = kikan_escape_for_display (f->new_value != NULL ? f->new_value : "(none)", -1);

        printf ("%s %s %s → %s", j > 0 ? ";" : "", f->field, o, n);
    }
}

static void
print_diff_human (const KikanLedgerFile *file, const KikanLedgerDiff *d, gboolean dry_run)
{
    g_autofree char *name = kikan_escape_for_display (file->name, -1);

    printf ("%s (%u rows, sha256 %s)%s:\n", name, file->rows->len, file->sha256,
            dry_run ? " compared with the ledger" : " imported into the ledger");
    for (guint i = 0; i < d->changes->len; i++) {
        const KikanLedgerChange *c = g_ptr_array_index (d->changes, i);
        g_autofree char *asset = esc (c->asset_id);
        g_autofree char *emp = esc (c->employee_id);

        switch (c->kind) {
        case KIKAN_LEDGER_ADDED:
            /* An asset the store has is rewritten by the row like one on
             * loan: what changes in it is shown the same way. */
            printf ("  added    %s  lent to %s on %s (line %u%s)%s", asset, emp, c->lent_on,
                    c->line, c->new_asset ? ", new asset" : "", c->fields->len > 0 ? ":" : "");
            print_fields (c->fields);
            printf ("\n");
            break;
        case KIKAN_LEDGER_REMOVED:
            printf ("  removed  %s  was lent to %s on %s; not in the file, so it is closed\n",
                    asset, emp, c->lent_on);
            break;
        case KIKAN_LEDGER_CHANGED:
            printf ("  changed  %s  (line %u):", asset, c->line);
            print_fields (c->fields);
            printf ("\n");
            break;
        }
    }
    for (guint i = 0; i < d->new_employees->len; i++) {
        const KikanLedgerFieldChange *f = g_ptr_array_index (d->new_employees, i);
        g_autofree char *id = esc (f->field);
        g_autofree char *n = esc (f->new_value);

        printf ("  new      employee %s: %s\n", id, n);
    }
    for (guint i = 0; i < d->renamed->len; i++) {
        const KikanLedgerFieldChange *f = g_ptr_array_index (d->renamed, i);
        g_autofree char *id = esc (f->field);
        g_autofree char *o = esc (f->old_value);
        g_autofree char *n = esc (f->new_value);

        printf ("  renamed  employee %s: %s → %s\n", id, o, n);
    }
    printf ("Loans: %u added, %u changed, %u removed, %u unchanged. Employees: %u added, %u "
            "renamed.\n",
            d->added, d->changed, d->removed, d->unchanged, d->employees_added,
            d->employees_renamed);
    if (d->returned_at_kiosk > 0)
        printf ("%u row(s) describe loans already handed back at the kiosk: kept returned, "
                "and nothing else of them is written (the asset tool has not recorded the "
                "return yet).\n",
                d->returned_at_kiosk);
    if (dry_run && d->refusal != NULL)
        printf ("The import would be refused: %s.\n", d->refusal);
    if (dry_run && d->refusal == NULL)
        printf ("Dry run: nothing was changed. To apply exactly these changes, run\n"
                "  kikan ledger import --previewed %s FILE\n"
                "(refused if the file or the ledger changes in between).\n",
                d->fingerprint);
    else if (dry_run)
        printf ("Dry run: nothing was changed.\n");
}

static void
add_opt_string (JsonBuilder *b, const char *member, const char *v)
{
    kikan_json_add_hostile_string (b, member, v);
}

static void
print_diff_json (const KikanLedgerFile *file, const KikanLedgerDiff *d, gboolean dry_run)
{
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;
    static const char *const sections[] = { "added", "changed", "removed" };

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "kikan-ledger-import");
    json_builder_set_member_name (b, "format_version");
    json_builder_add_int_value (b, 1);
    json_builder_set_member_name (b, "dry_run");
    json_builder_add_boolean_value (b, dry_run);
    add_opt_string (b, "file", file->name);
    json_builder_set_member_name (b, "sha256");
    json_builder_add_string_value (b, file->sha256);
    json_builder_set_member_name (b, "rows");
    json_builder_add_int_value (b, file->rows->len);
    json_builder_set_member_name (b, "fingerprint");
    json_builder_add_string_value (b, d->fingerprint);
    for (int k = 0; k < 3; k++) {
        json_builder_set_member_name (b, sections[k]);
        json_builder_begin_array (b);
        for (guint i = 0; i < d->changes->len; i++) {
            const KikanLedgerChange *c = g_ptr_array_index (d->changes, i);

            if ((int)c->kind != k)
                continue;
            json_builder_begin_object (b);
            add_opt_string (b, "asset_id", c->asset_id);
            add_opt_string (b, "employee_id", c->employee_id);
            add_opt_string (b, "lent_on", c->lent_on);
            json_builder_set_member_name (b, "line");
            if (c->line > 0)
                json_builder_add_int_value (b, c->line);
            else
                json_builder_add_null_value (b);
            if (c->kind == KIKAN_LEDGER_ADDED) {
                json_builder_set_member_name (b, "new_asset");
                json_builder_add_boolean_value (b, c->new_asset);
            }
            if (c->kind == KIKAN_LEDGER_CHANGED) {
                json_builder_set_member_name (b, "new_holder");
                json_builder_add_boolean_value (b, c->new_holder);
            }
            if (c->kind != KIKAN_LEDGER_REMOVED) {
                json_builder_set_member_name (b, "fields");
                json_builder_begin_array (b);
                for (guint j = 0; j < c->fields->len; j++) {
                    const KikanLedgerFieldChange *f = g_ptr_array_index (c->fields, j);

                    json_builder_begin_object (b);
                    add_opt_string (b, "field", f->field);
                    add_opt_string (b, "old", f->old_value);
                    add_opt_string (b, "new", f->new_value);
                    json_builder_end_object (b);
                }
                json_builder_end_array (b);
            }
            json_builder_end_object (b);
        }
        json_builder_end_array (b);
    }
    json_builder_set_member_name (b, "new_employees");
    json_builder_begin_array (b);
    for (guint i = 0; i < d->new_employees->len; i++) {
        const KikanLedgerFieldChange *f = g_ptr_array_index (d->new_employees, i);

        json_builder_begin_object (b);
        add_opt_string (b, "employee_id", f->field);
        add_opt_string (b, "name", f->new_value);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_set_member_name (b, "renamed");
    json_builder_begin_array (b);
    for (guint i = 0; i < d->renamed->len; i++) {
        const KikanLedgerFieldChange *f = g_ptr_array_index (d->renamed, i);

        json_builder_begin_object (b);
        add_opt_string (b, "employee_id", f->field);
        add_opt_string (b, "old", f->old_value);
        add_opt_string (b, "new", f->new_value);
        json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_set_member_name (b, "counts");
    json_builder_begin_object (b);
#define COUNT(name)                                                                               \
    json_builder_set_member_name (b, #name);                                                      \
    json_builder_add_int_value (b, d->name)
    COUNT (added);
    COUNT (changed);
    COUNT (removed);
    COUNT (unchanged);
    COUNT (returned_at_kiosk);
    COUNT (employees_added);
    COUNT (employees_renamed);
#undef COUNT
    json_builder_end_object (b);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    kikan_cli_print_json (root);
}

static int
cmd_import (int argc, char **argv)
{
    gboolean dry_run = FALSE, json = FALSE, allow_empty = FALSE;
    g_autofree char *previewed = NULL;
    const GOptionEntry entries[] = {
        { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
          "Show what would change (added, changed, removed loans) and change nothing", NULL },
        { "previewed", 0, 0, G_OPTION_ARG_STRING, &previewed,
          "Import only if the changes are still those of the dry run that printed FINGERPRINT",
          "FINGERPRINT" },
        { "allow-empty", 0, 0, G_OPTION_ARG_NONE, &allow_empty,
          "Accept a file that lists no loans at all (it closes every open loan)", NULL },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write the kikan-ledger-import JSON document",
          NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new (
        "FILE — import the asset-management tool's list of current loans (CSV)");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanLedgerFile) file = NULL;
    g_autoptr (KikanLedgerDiff) diff = NULL;
    g_autoptr (KikanStore) store = NULL;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 2) {
        fprintf (stderr, "kikan: name one CSV file: kikan ledger import [--dry-run] FILE\n");
        return KIKAN_EXIT_ERROR;
    }
    if (dry_run && previewed != NULL) {
        fprintf (stderr, "kikan: --previewed goes with the import itself, not with --dry-run\n");
        return KIKAN_EXIT_ERROR;
    }
    /* The whole file is validated before the store is even opened. */
    if ((file = kikan_ledger_csv_load (argv[1], &error)) == NULL) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    if (dry_run) {
        g_autoptr (KikanHome) home = kikan_home_new ();

        /* A dry run changes nothing, creates nothing and migrates
         * nothing: without a store, or with an empty one, everything in
         * the file would be added. */
        store = kikan_store_open_readonly (home, &error);
        if (store == NULL && !g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND)) {
            kikan_cli_print_error (error);
            return KIKAN_EXIT_ERROR;
        }
        g_clear_error (&error);
        if (store != NULL && kikan_store_get_version (store) == 0)
            g_clear_pointer (&store, kikan_store_free);
        diff = kikan_ledger_diff (store, file, &error);
    } else {
        if ((store = open_store ()) == NULL)
            return KIKAN_EXIT_ERROR;
        if (!kikan_ledger_import (store, file,
                                  allow_empty ? KIKAN_LEDGER_IMPORT_ALLOW_EMPTY
                                              : KIKAN_LEDGER_IMPORT_DEFAULT,
                                  previewed, &diff, &error)) {
            kikan_cli_print_error (error);
            if (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_LEDGER_EMPTY))
                fprintf (stderr, "kikan: if every item really is back, run the import again "
                                 "with --allow-empty.\n");
            return KIKAN_EXIT_ERROR;
        }
    }
    if (diff == NULL) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    if (json)
        print_diff_json (file, diff, dry_run);
    else
        print_diff_human (file, diff, dry_run);
    return KIKAN_EXIT_OK;
}

/* ------------------------------------------------------------ export */

static int
cmd_export (int argc, char **argv)
{
    const GOptionEntry entries[] = { { NULL } };
    g_autoptr (GOptionContext) context = g_option_context_new (
        "[FILE|-] — write the current loans as CSV (standard output when no FILE, or -)");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (GString) out = g_string_new (NULL);

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc > 2) {
        fprintf (stderr, "kikan: kikan ledger export [FILE|-]\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = open_store ()) == NULL)
        return KIKAN_EXIT_ERROR;
    if (!kikan_ledger_csv_export (store, out, &error)) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    if (argc < 2 || g_str_equal (argv[1], "-")) {
        if (fwrite (out->str, 1, out->len, stdout) != out->len || fflush (stdout) != 0) {
            fprintf (stderr, "kikan: the export could not be written to standard output.\n");
            return KIKAN_EXIT_ERROR;
        }
        return KIKAN_EXIT_OK;
    }
    /* Names and who holds what: personal data, so 0600; written whole or
     * not at all. */
    if (!g_file_set_contents_full (argv[1], out->str, (gssize)out->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error)) {
        g_autofree char *shown = kikan_escape_for_display (argv[1], -1);

        fprintf (stderr, "kikan: the export could not be written to %s: %s\n", shown,
                 error->message);
        return KIKAN_EXIT_ERROR;
    }
    return KIKAN_EXIT_OK;
}

/* ------------------------------------------------------------ list */

static void
add_medium_json (JsonBuilder *b, const KikanMedium *m, gboolean with_asset)
{
    g_autofree char *vid = g_strdup_printf ("%04x", m->vid);
    g_autofree char *pid = g_strdup_printf ("%04x", m->pid);

    json_builder_begin_object (b);
    if (with_asset)
        add_opt_string (b, "asset_id", m->asset_id);
    json_builder_set_member_name (b, "vid");
    json_builder_add_string_value (b, vid);
    json_builder_set_member_name (b, "pid");
    json_builder_add_string_value (b, pid);
    add_opt_string (b, "usb_serial", m->usb_serial);
    add_opt_string (b, "manufacturer", m->manufacturer);
    add_opt_string (b, "product", m->product);
    add_opt_string (b, "fingerprint", m->fingerprint);
    json_builder_set_member_name (b, "hardware_encrypted");
    json_builder_add_boolean_value (b, m->hardware_encrypted);
    add_opt_string (b, "registered_at", m->registered_at);
    add_opt_string (b, "registered_by", m->registered_by);
    json_builder_end_object (b);
}

static int
cmd_list (int argc, char **argv)
{
    gboolean json = FALSE;
    char *employee = NULL;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write the kikan-ledger JSON document", NULL },
        { "employee", 'e', 0, G_OPTION_ARG_STRING, &employee, "Only this employee's loans", "ID" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— list the open loans");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (GPtrArray) loans = NULL;
    g_autoptr (GPtrArray) media = NULL;
    g_autoptr (GHashTable) medium_of = g_hash_table_new (g_str_hash, g_str_equal);
    g_autofree char *employee_owned = NULL;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    employee_owned = employee;
    if (argc > 1) {
        fprintf (stderr, "kikan: kikan ledger list takes no argument (use --employee ID).\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = open_store ()) == NULL)
        return KIKAN_EXIT_ERROR;
    if (employee != NULL) {
        g_autoptr (KikanEmployee) e = kikan_ledger_find_employee (store, employee, &error);

        if (e == NULL) {
            kikan_cli_print_error (error);
            return KIKAN_EXIT_ERROR;
        }
    }
    if ((loans = kikan_ledger_list_open_loans (store, employee, &error)) == NULL
        || (media = kikan_ledger_list_media (store, &error)) == NULL) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    for (guint i = 0; i < media->len; i++) {
        KikanMedium *m = g_ptr_array_index (media, i);

        g_hash_table_insert (medium_of, m->asset_id, m);
    }
    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) root = NULL;

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "format");
        json_builder_add_string_value (b, "kikan-ledger");
        json_builder_set_member_name (b, "format_version");
        json_builder_add_int_value (b, 1);
        json_builder_set_member_name (b, "loans");
        json_builder_begin_array (b);
        for (guint i = 0; i < loans->len; i++) {
            const KikanLoan *l = g_ptr_array_index (loans, i);
            const KikanMedium *m = g_hash_table_lookup (medium_of, l->asset_id);

            json_builder_begin_object (b);
            json_builder_set_member_name (b, "loan_id");
            json_builder_add_int_value (b, l->id);
            add_opt_string (b, "asset_id", l->asset_id);
            add_opt_string (b, "asset_type", l->asset_type);
            add_opt_string (b, "serial", l->serial);
            json_builder_set_member_name (b, "encryption_required");
            json_builder_add_boolean_value (b, l->encryption_required);
            add_opt_string (b, "classification", l->classification);
            add_opt_string (b, "ownership", l->ownership);
            add_opt_string (b, "employee_id", l->employee_id);
            add_opt_string (b, "employee_name", l->employee_name);
            add_opt_string (b, "lent_on", l->lent_on);
            add_opt_string (b, "due_on", l->due_on);
            add_opt_string (b, "telework_method", l->telework_method);
            json_builder_set_member_name (b, "medium");
            if (m != NULL)
                add_medium_json (b, m, FALSE);
            else
                json_builder_add_null_value (b);
            json_builder_end_object (b);
        }
        json_builder_end_array (b);
        json_builder_end_object (b);
        root = json_builder_get_root (b);
        kikan_cli_print_json (root);
        return KIKAN_EXIT_OK;
    }
    if (loans->len == 0) {
        printf ("No open loans%s.\n", employee != NULL ? " for this employee" : "");
        return KIKAN_EXIT_OK;
    }
    printf ("%-12s %-7s %-16s %-10s %-10s %-10s %s\n", "ASSET", "TYPE", "SERIAL", "EMPLOYEE",
            "LENT", "DUE", "NAME");
    for (guint i = 0; i < loans->len; i++) {
        const KikanLoan *l = g_ptr_array_index (loans, i);
        g_autofree char *a = esc (l->asset_id);
        g_autofree char *s = esc (l->serial);
        g_autofree char *e = esc (l->employee_id);
        g_autofree char *n = esc (l->employee_name);
        g_autofree char *t = esc (l->asset_type);
        g_autofree char *lent = esc (l->lent_on);
        g_autofree char *due = esc (l->due_on);

        /* Even the store's checked values are escaped: the file may have
         * been edited by hand (STYLE rule 14). */
        printf ("%-12s %-7s %-16s %-10s %-10s %-10s %s\n", a, t, s, e, lent, due, n);
    }
    return KIKAN_EXIT_OK;
}

/* ------------------------------------------------------------ lend, return */

static int
cmd_lend (int argc, char **argv)
{
    g_autofree char *due = NULL;
    g_autofree char *method = NULL;
    const GOptionEntry entries[] = {
        { "due", 0, 0, G_OPTION_ARG_STRING, &due, "Due date", "YYYY-MM-DD" },
        { "method", 0, 0, G_OPTION_ARG_STRING, &method,
          "Telework method (e.g. \"VPN\", \"remote desktop\", \"standalone\")", "TEXT" },
        { NULL },
    };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("ASSET EMPLOYEE — lend an asset to an employee from today");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    g_autofree char *today = kikan_store_today ();
    g_autofree char *a = NULL;
    g_autofree char *e = NULL;
    gint64 id;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 3) {
        fprintf (stderr, "kikan: kikan ledger lend ASSET EMPLOYEE [--due YYYY-MM-DD] "
                         "[--method TEXT]\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = open_store ()) == NULL)
        return KIKAN_EXIT_ERROR;
    id = kikan_ledger_lend (store, argv[1], argv[2], NULL, due, method, &error);
    if (id == 0) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    a = kikan_escape_for_display (argv[1], -1);
    e = kikan_escape_for_display (argv[2], -1);
    printf ("Lent %s to %s from %s (loan %" G_GINT64_FORMAT ").\n", a, e, today, id);
    return KIKAN_EXIT_OK;
}

static int
cmd_return (int argc, char **argv)
{
    const GOptionEntry entries[] = { { NULL } };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("ASSET — record that a lent asset came back (today)");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    g_autofree char *a = NULL;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 2) {
        fprintf (stderr, "kikan: kikan ledger return ASSET\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = open_store ()) == NULL)
        return KIKAN_EXIT_ERROR;
    if (!kikan_ledger_return (store, argv[1], "returned with kikan ledger return", &error)) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    a = kikan_escape_for_display (argv[1], -1);
    printf ("%s is returned.\n", a);
    return KIKAN_EXIT_OK;
}

/* ------------------------------------------------------------ media */

static gboolean
parse_hex_option (const char *name, const char *v, guint16 *out)
{
    const char *d = v;
    g_autofree char *shown = NULL;

    if (d != NULL && g_ascii_strncasecmp (d, "0x", 2) == 0)
        d += 2;
    if (d != NULL && d[0] != '\0' && strlen (d) <= 4
        && strspn (d, "0123456789abcdefABCDEF") == strlen (d)) {
        *out = (guint16)g_ascii_strtoull (d, NULL, 16);
        return TRUE;
    }
    shown = kikan_escape_for_display (v != NULL ? v : "(missing)", -1);
    fprintf (stderr,
             "kikan: --%s %s: give the USB ID as 4 hex digits, e.g. --vid 0781 "
             "--pid 5581 (as “kikan usb list” shows it).\n",
             name, shown);
    return FALSE;
}

static int
cmd_media_add (int argc, char **argv)
{
    g_autofree char *vid_s = NULL;
    g_autofree char *pid_s = NULL;
    g_autofree char *serial = NULL;
    gboolean hw = FALSE, replace = FALSE;
    const GOptionEntry entries[] = {
        { "vid", 0, 0, G_OPTION_ARG_STRING, &vid_s, "USB vendor ID", "HEX" },
        { "pid", 0, 0, G_OPTION_ARG_STRING, &pid_s, "USB product ID", "HEX" },
        { "serial", 0, 0, G_OPTION_ARG_STRING, &serial, "USB serial number (iSerialNumber)", "S" },
        { "hardware-encrypted", 0, 0, G_OPTION_ARG_NONE, &hw,
          "The medium encrypts in hardware (ENC-01)", NULL },
        { "replace", 0, 0, G_OPTION_ARG_NONE, &replace, "Replace the asset's registered identity",
          NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("ASSET — register a removable medium's USB identity (KR-06)");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    g_autofree char *a = NULL;
    guint16 vid, pid;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 2) {
        fprintf (stderr, "kikan: kikan ledger media add ASSET --vid HEX --pid HEX [--serial S] "
                         "[--hardware-encrypted]\n");
        return KIKAN_EXIT_ERROR;
    }
    if (!parse_hex_option ("vid", vid_s, &vid) || !parse_hex_option ("pid", pid_s, &pid))
        return KIKAN_EXIT_ERROR;
    if (serial != NULL && !kikan_escape_is_clean (serial, -1)) {
        fprintf (stderr, "kikan: --serial holds a control or invisible character: type the "
                         "serial as “kikan usb list” shows it.\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = open_store ()) == NULL)
        return KIKAN_EXIT_ERROR;
    if (!kikan_ledger_register_medium (store, argv[1], vid, pid,
                                       serial != NULL && serial[0] != '\0' ? serial : NULL, hw,
                                       g_get_user_name (), replace, &error)) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    a = kikan_escape_for_display (argv[1], -1);
    printf ("Registered %s as USB %04x:%04x%s.\n", a, vid, pid, hw ? ", hardware-encrypted" : "");
    return KIKAN_EXIT_OK;
}

static int
cmd_media_list (int argc, char **argv)
{
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Write the kikan-media JSON document", NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— list the media register");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (GPtrArray) media = NULL;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if ((store = open_store ()) == NULL)
        return KIKAN_EXIT_ERROR;
    if ((media = kikan_ledger_list_media (store, &error)) == NULL) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    if (json) {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autoptr (JsonNode) root = NULL;

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "format");
        json_builder_add_string_value (b, "kikan-media");
        json_builder_set_member_name (b, "format_version");
        json_builder_add_int_value (b, 1);
        json_builder_set_member_name (b, "media");
        json_builder_begin_array (b);
        for (guint i = 0; i < media->len; i++)
            add_medium_json (b, g_ptr_array_index (media, i), TRUE);
        json_builder_end_array (b);
        json_builder_end_object (b);
        root = json_builder_get_root (b);
        kikan_cli_print_json (root);
        return KIKAN_EXIT_OK;
    }
    if (media->len == 0) {
        printf ("The media register is empty.\n");
        return KIKAN_EXIT_OK;
    }
    printf ("%-12s %-9s %-24s %-9s %s\n", "ASSET", "USB ID", "SERIAL", "HW-ENC", "REGISTERED");
    for (guint i = 0; i < media->len; i++) {
        const KikanMedium *m = g_ptr_array_index (media, i);
        g_autofree char *a = esc (m->asset_id);
        g_autofree char *s = esc (m->usb_serial);
        g_autofree char *by = esc (m->registered_by);
        g_autofree char *at = esc (m->registered_at);

        printf ("%-12s %04x:%04x %-24s %-9s %s by %s\n", a, m->vid, m->pid, s,
                m->hardware_encrypted ? "yes" : "no", at, by);
    }
    return KIKAN_EXIT_OK;
}

static const char usage[]
    = "Usage: kikan ledger import [--dry-run] [--json] FILE\n"
      "       kikan ledger export [FILE|-]\n"
      "       kikan ledger list [--json] [--employee ID]\n"
      "       kikan ledger lend ASSET EMPLOYEE [--due YYYY-MM-DD] [--method TEXT]\n"
      "       kikan ledger return ASSET\n"
      "       kikan ledger media add ASSET --vid HEX --pid HEX [--serial S] "
      "[--hardware-encrypted] [--replace]\n"
      "       kikan ledger media list [--json]\n";

int
kikan_cmd_ledger (int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run) (int argc, char **argv);
    } subs[] = {
        { "import", cmd_import }, { "export", cmd_export }, { "list", cmd_list },
        { "lend", cmd_lend },     { "return", cmd_return },
    };

    if (argc < 2) {
        fputs (usage, stderr);
        return KIKAN_EXIT_ERROR;
    }
    if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")) {
        fputs (usage, stdout);
        return KIKAN_EXIT_OK;
    }
    for (gsize i = 0; i < G_N_ELEMENTS (subs); i++) {
        if (g_str_equal (argv[1], subs[i].name)) {
            g_autofree char *prg = g_strconcat ("kikan ledger ", subs[i].name, NULL);

            g_set_prgname (prg);
            return subs[i].run (argc - 1, argv + 1);
        }
    }
    if (g_str_equal (argv[1], "media") && argc >= 3) {
        if (g_str_equal (argv[2], "add")) {
            g_set_prgname ("kikan ledger media add");
            return cmd_media_add (argc - 2, argv + 2);
        }
        if (g_str_equal (argv[2], "list")) {
            g_set_prgname ("kikan ledger media list");
            return cmd_media_list (argc - 2, argv + 2);
        }
    }
    {
        g_autofree char *shown = kikan_escape_for_display (argv[1], -1);

        fprintf (stderr, "kikan: unknown command “ledger %s”.\n%s", shown, usage);
    }
    return KIKAN_EXIT_ERROR;
}
