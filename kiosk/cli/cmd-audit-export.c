/* Kikan kiosk: `kikan audit export --format jsonl|csv|syslog [--out FILE]
 * [filters]` and `kikan audit export --bundle FILE [--compression gzip|xz]`
 * (issue #10 item 3; KR-31, KR-32, Admin J-5, J-6, J-8; docs/audit.md
 * "Export", "Bundles").  Each export is itself an audit record. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit-export-private.h"
#include "bundle-private.h"
#include "cli-private.h"
#include "cmd-audit-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "store-private.h"

static int
export_bundle (KikanHome *home, const char *path, const char *compression,
               const KikanAuditFilter *f)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanStore) store = NULL;
    g_autofree char *shown = kikan_escape_for_display (path, -1);
    KikanAuditBundleSummary sum;

    if (!kikan_audit_filter_is_empty (f)) {
        fprintf (stderr, "kikan: a bundle holds the whole trail (the verifier needs every "
                         "record): drop the filters, or export --format jsonl with them.\n");
        return KIKAN_EXIT_ERROR;
    }
    if (g_strcmp0 (compression, "gzip") != 0 && g_strcmp0 (compression, "xz") != 0) {
        fprintf (stderr, "kikan: --compression must be gzip or xz.\n");
        return KIKAN_EXIT_ERROR;
    }
    if ((store = kikan_store_open (home, &error)) == NULL
        || !kikan_audit_bundle_write (store, kikan_home_get_path (home), path, compression, &sum,
                                      &error)) {
        kikan_cli_print_error (error);
        return KIKAN_EXIT_ERROR;
    }
    printf ("Wrote %s: %" G_GINT64_FORMAT " records, %" G_GINT64_FORMAT " seals, %" G_GINT64_FORMAT
            " slips (%" G_GINT64_FORMAT " PDFs",
            shown, sum.records, sum.seals, sum.slips, sum.pdfs);
    if (sum.pdfs_missing > 0)
        printf (", %" G_GINT64_FORMAT " PDFs MISSING on this kiosk", sum.pdfs_missing);
    printf (").\nSHA-256 %s\n", sum.sha256);
    if (sum.signed_)
        printf ("The manifest is signed with this kiosk's audit key (manifest.sig).\n");
    else
        printf ("The manifest is NOT signed: this kiosk has no audit identity yet (`kikan audit "
                "init`). The bundle then proves only that its records hang together, not who "
                "wrote them.\n");
    return KIKAN_EXIT_OK;
}

int
kikan_cmd_audit_export (int argc, char **argv)
{
    KikanCliAuditFilterArgs args = { 0 };
    g_autofree char *format_name = NULL;
    g_autofree char *out = NULL;
    g_autofree char *bundle = NULL;
    g_autofree char *compression = NULL;
    const GOptionEntry entries[] = {
        { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, "jsonl, csv or syslog", "FORMAT" },
        { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Write to FILE (new), not stdout", "FILE" },
        { "bundle", 0, 0, G_OPTION_ARG_FILENAME, &bundle,
          "Write a signed bundle of the whole trail to FILE (new)", "FILE" },
        { "compression", 0, 0, G_OPTION_ARG_STRING, &compression,
          "The bundle's compression: gzip (default) or xz", "gzip|xz" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— export the audit trail");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanAuditFilter) f = NULL;
    KikanAuditExportFormat format;
    FILE *fp = stdout;
    gint64 count = 0;
    char sum[65];
    int rc = KIKAN_EXIT_ERROR;

    g_option_context_add_main_entries (context, entries, NULL);
    kikan_cli_audit_filter_add_entries (context, &args);
    if (!kikan_cli_parse (context, &argc, &argv))
        goto out;
    if (argc != 1 || (bundle == NULL) == (format_name == NULL)) {
        fprintf (stderr, "Usage: kikan audit export --format jsonl|csv|syslog [--out FILE] "
                         "[filters]\n       kikan audit export --bundle FILE [--compression "
                         "gzip|xz]\n");
        goto out;
    }
    if ((f = kikan_cli_audit_filter_build (&args)) == NULL)
        goto out;
    if (bundle != NULL) {
        if (out != NULL) {
            fprintf (stderr, "kikan: --bundle names its own file: drop --out.\n");
            goto out;
        }
        rc = export_bundle (home, bundle, compression != NULL ? compression : "gzip", f);
        goto out;
    }
    if (compression != NULL) {
        fprintf (stderr, "kikan: --compression is for --bundle only.\n");
        goto out;
    }
    if (!kikan_audit_export_format_parse (format_name, &format)) {
        fprintf (stderr, "kikan: --format must be jsonl, csv or syslog.\n");
        goto out;
    }
    if ((store = kikan_store_open (home, &error)) == NULL) {
        kikan_cli_print_error (error);
        goto out;
    }
    if (out != NULL) {
        g_autofree char *shown = kikan_escape_for_display (out, -1);
        int fd = open (out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

        if (fd < 0 || (fp = fdopen (fd, "w")) == NULL) {
            fprintf (stderr, "kikan: could not create %s: %s. An export is never written over "
                             "an existing file: choose a new name.\n",
                     shown, g_strerror (errno));
            if (fd >= 0)
                close (fd);
            fp = NULL;
            goto out;
        }
    }
    if (!kikan_audit_export (store, f, format, fp, out != NULL ? out : "-", &count, sum,
                             &error)) {
        kikan_cli_print_error (error);
        if (out != NULL) {
            fclose (fp);
            fp = NULL;
            unlink (out);
        }
        goto out;
    }
    if (out != NULL) {
        if (fsync (fileno (fp)) != 0 || fclose (fp) != 0) {
            fp = NULL;
            fprintf (stderr, "kikan: could not finish writing the export: %s.\n",
                     g_strerror (errno));
            goto out;
        }
        fp = NULL;
    }
    /* The summary goes to stderr: stdout may be the export itself. */
    fprintf (stderr, "Exported %" G_GINT64_FORMAT " records as %s (SHA-256 %s); the export is "
                     "recorded in the audit trail.\n",
             count, format_name, sum);
    rc = KIKAN_EXIT_OK;
out:
    if (fp != NULL && fp != stdout)
        fclose (fp);
    kikan_cli_audit_filter_args_clear (&args);
    return rc;
}
