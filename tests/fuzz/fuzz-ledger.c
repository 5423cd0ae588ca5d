/* Fuzz harness: arbitrary bytes as the asset-management tool's ledger CSV
 * (kiosk/ledger/ledger-csv.c, libcsv), parsed and validated into memory;
 * no store.
 *
 * The CSV comes from another system, by hand or by USB stick (Admin B-2):
 * it is hostile input that decides who is asked for what at the kiosk.
 *
 * Invariants beyond "no crash, no sanitizer report, no leak":
 *   - a refusal is KIKAN_ERROR_CSV, starts with the file's name, says
 *     nothing was imported, names "line L, column C" on every problem line,
 *     and is valid UTF-8 with no control character but the newlines
 *     between problems (the message reaches a terminal);
 *   - an accepted file has rows in increasing line order (line >= 2), each
 *     with a non-empty employee ID, name and asset ID, an asset type of
 *     the five, a real lent_on date (due_on not before it), and no asset
 *     twice;
 *   - writing the accepted rows back as CSV (RFC 4180 quoting) and parsing
 *     that again gives the same rows: what the reader keeps is exactly
 *     what a writer can express. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error-private.h"
#include "ledger-csv-private.h"
#include "ledger-private.h"

static void
check_refusal (const GError *error)
{
    const char *m;

    if (error == NULL || !g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CSV))
        abort ();
    m = error->message;
    if (!g_str_has_prefix (m, "fuzz.csv cannot be imported: ") || !g_utf8_validate (m, -1, NULL)
        || strstr (m, "nothing was imported") == NULL)
        abort ();
    for (const char *c = m; *c != '\0'; c++)
        if (((guchar)*c < 0x20 && *c != '\n') || *c == 0x7f)
            abort ();
    /* Every problem line names a line and a column. */
    for (const char *nl = strchr (m, '\n'); nl != NULL; nl = strchr (nl + 1, '\n')) {
        if (g_str_has_prefix (nl + 1, "  … and "))
            continue;
        if (!g_str_has_prefix (nl + 1, "  line ") || strstr (nl + 1, ", column ") == NULL)
            abort ();
    }
}

static void
put (GString *out, const char *v, gboolean first)
{
    if (!first)
        g_string_append_c (out, ',');
    if (v == NULL)
        return;
    g_string_append_c (out, '"');
    for (const char *c = v; *c != '\0'; c++) {
        if (*c == '"')
            g_string_append_c (out, '"');
        g_string_append_c (out, *c);
    }
    g_string_append_c (out, '"');
}

static void
check_rows (const KikanLedgerFile *f)
{
    static const char *const types[] = { "laptop", "usb", "phone", "token", "other" };
    g_autoptr (GHashTable) assets = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr (GString) again = g_string_new (
        "employee_id,employee_name,asset_id,asset_type,serial,encryption_required,lent_on,"
        "due_on,telework_method\r\n");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanLedgerFile) f2 = NULL;
    guint last = 1;

    if (strlen (f->sha256) != 64)
        abort ();
    for (guint i = 0; i < f->rows->len; i++) {
        const KikanLedgerRow *r = g_ptr_array_index (f->rows, i);
        gboolean typed = FALSE;

        if (r->line <= last)
            abort ();
        last = r->line;
        if (r->employee_id[0] == '\0' || r->employee_name[0] == '\0' || r->asset_id[0] == '\0')
            abort ();
        for (gsize t = 0; t < G_N_ELEMENTS (types); t++)
            typed |= strcmp (r->asset_type, types[t]) == 0;
        if (!typed || !kikan_ledger_date_is_valid (r->lent_on))
            abort ();
        if (r->due_on != NULL
            && (!kikan_ledger_date_is_valid (r->due_on) || strcmp (r->due_on, r->lent_on) < 0))
            abort ();
        if (!g_hash_table_add (assets, r->asset_id))
            abort ();
        put (again, r->employee_id, TRUE);
        put (again, r->employee_name, FALSE);
        put (again, r->asset_id, FALSE);
        put (again, r->asset_type, FALSE);
        put (again, r->serial, FALSE);
        put (again, r->encryption_required ? "yes" : "no", FALSE);
        put (again, r->lent_on, FALSE);
        put (again, r->due_on, FALSE);
        put (again, r->telework_method, FALSE);
        g_string_append (again, "\r\n");
    }
    f2 = kikan_ledger_csv_parse (again->str, again->len, "again.csv", &error);
    if (f2 == NULL || f2->rows->len != f->rows->len)
        abort ();
    for (guint i = 0; i < f->rows->len; i++) {
        const KikanLedgerRow *a = g_ptr_array_index (f->rows, i);
        const KikanLedgerRow *b = g_ptr_array_index (f2->rows, i);

        if (strcmp (a->employee_id, b->employee_id) != 0
            || strcmp (a->employee_name, b->employee_name) != 0
            || strcmp (a->asset_id, b->asset_id) != 0 || strcmp (a->asset_type, b->asset_type) != 0
            || g_strcmp0 (a->serial, b->serial) != 0
            || a->encryption_required != b->encryption_required
            || strcmp (a->lent_on, b->lent_on) != 0 || g_strcmp0 (a->due_on, b->due_on) != 0
            || g_strcmp0 (a->telework_method, b->telework_method) != 0)
            abort ();
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    GError *error = NULL;
    KikanLedgerFile *f = kikan_ledger_csv_parse ((const char *)data, size, "fuzz.csv", &error);

    if (f == NULL) {
        check_refusal (error);
        g_error_free (error);
        return 0;
    }
    if (error != NULL)
        abort ();
    check_rows (f);
    kikan_ledger_file_free (f);
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole and cut at each eighth. */
const unsigned kikan_fuzz_prefix_parts = 8;
const unsigned kikan_fuzz_selectors = 0;
#endif
