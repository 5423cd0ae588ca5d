/* kiosk/ledger/: the CSV as people really write it parses; each malformed
 * form names its line and column and imports nothing; a dry run reports
 * added / changed / removed exactly and changes nothing; export then
 * import is a no-op; the lookups the check-in uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "error-private.h"
#include "home-private.h"
#include "ledger-csv-private.h"
#include "ledger-private.h"
#include "store-private.h"

#include "test-kiosk-home.h"

#define HEADER "employee_id,employee_name,asset_id,asset_type,serial,encryption_required,lent_on"

static KikanStore *
open_store (void)
{
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (GError) error = NULL;
    KikanStore *store = kikan_store_open (home, &error);

    if (store == NULL)
        fail_msg ("store: %s", error->message);
    return store;
}

static KikanLedgerFile *
parse_ok (const char *text, gssize len)
{
    g_autoptr (GError) error = NULL;
    KikanLedgerFile *f
        = kikan_ledger_csv_parse (text, len < 0 ? strlen (text) : (gsize)len, "test.csv", &error);

    if (f == NULL)
        fail_msg ("parse failed: %s", error->message);
    return f;
}

static const KikanLedgerRow *
row (const KikanLedgerFile *f, guint i)
{
    assert_true (i < f->rows->len);
    return g_ptr_array_index (f->rows, i);
}

static char *
file_sha256 (const char *path)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    assert_true (g_file_get_contents (path, &data, &len, NULL));
    return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)data, len);
}

/* Every row of the ledger tables, as one text: "nothing changed" means
 * this text is the same. */
static char *
dump_ledger (KikanStore *store)
{
    static const char *const sql[] = {
        "SELECT id, name FROM employees ORDER BY id",
        "SELECT id, type, serial, encryption_required, classification_max, ownership FROM assets "
        "ORDER BY id",
        "SELECT id, asset_id, employee_id, lent_on, due_on, telework_method, returned_on, note "
        "FROM loans ORDER BY id",
        "SELECT asset_id, vid, pid, usb_serial, hardware_encrypted FROM media ORDER BY asset_id",
    };
    GString *out = g_string_new (NULL);

    for (gsize i = 0; i < G_N_ELEMENTS (sql); i++) {
        sqlite3_stmt *st = NULL;

        assert_int_equal (sqlite3_prepare_v2 (kikan_store_get_db (store), sql[i], -1, &st, NULL),
                          SQLITE_OK);
        while (sqlite3_step (st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count (st); c++) {
                const char *v = (const char *)sqlite3_column_text (st, c);

                g_string_append_printf (out, "%s|", v != NULL ? v : "NULL");
            }
            g_string_append_c (out, '\n');
        }
        sqlite3_finalize (st);
        g_string_append (out, "--\n");
    }
    return g_string_free (out, FALSE);
}

static gint64
count (KikanStore *store, const char *sql)
{
    sqlite3_stmt *st = NULL;
    gint64 v;

    assert_int_equal (sqlite3_prepare_v2 (kikan_store_get_db (store), sql, -1, &st, NULL),
                      SQLITE_OK);
    assert_int_equal (sqlite3_step (st), SQLITE_ROW);
    v = sqlite3_column_int64 (st, 0);
    sqlite3_finalize (st);
    return v;
}

static KikanLedgerDiff *
import_text (KikanStore *store, const char *text)
{
    g_autoptr (KikanLedgerFile) f = parse_ok (text, -1);
    g_autoptr (GError) error = NULL;
    KikanLedgerDiff *d = NULL;

    if (!kikan_ledger_import (store, f, KIKAN_LEDGER_IMPORT_DEFAULT, NULL, &d, &error))
        fail_msg ("import failed: %s", error->message);
    return d;
}

/* ------------------------------------------------------------ real-world forms */

static void
test_parse_bom_crlf_quotes_japanese (void **state)
{
    /* Columns in another order, an unknown column with a quoted newline,
     * a quoted comma, doubled quotes, CRLF, a BOM. */
    const char *text = "\xef\xbb\xbf"
                       "lent_on,asset_id,notes,employee_name,employee_id,asset_type,serial,"
                       "encryption_required\r\n"
                       "2026-10-01,LT-0003,\"two\r\nlines, and a comma\",山田 "
                       "太郎,E1001,laptop,PF3K7Q2X,yes\r\n"
                       "2026-10-02,USB-0007,,\"Suzuki, Ichiro\",E1003,USB,\"4C53\"\"01\",No\r\n"
                       "2026-10-03,USB-0008,,\"高橋 \"\"タカ\"\" 健\",E1004,usb,,no\r\n";
    g_autoptr (KikanLedgerFile) f = parse_ok (text, -1);

    assert_int_equal (f->rows->len, 3);
    assert_string_equal (row (f, 0)->employee_name, "山田 太郎");
    assert_string_equal (row (f, 0)->asset_id, "LT-0003");
    assert_string_equal (row (f, 0)->lent_on, "2026-10-01");
    assert_true (row (f, 0)->encryption_required);
    assert_int_equal (row (f, 0)->line, 2);
    /* The quoted newline counts: the next record starts on line 4. */
    assert_int_equal (row (f, 1)->line, 4);
    assert_string_equal (row (f, 1)->employee_name, "Suzuki, Ichiro");
    assert_string_equal (row (f, 1)->asset_type, "usb");
    assert_string_equal (row (f, 1)->serial, "4C53\"01");
    assert_false (row (f, 1)->encryption_required);
    assert_string_equal (row (f, 2)->employee_name, "高橋 \"タカ\" 健");
    assert_null (row (f, 2)->serial);
    assert_int_equal (f->columns, 0);
    /* The SHA-256 is the file's, BOM included. */
    {
        g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);

        assert_string_equal (f->sha256, sum);
    }
}

static void
test_parse_lf_no_final_newline_and_blank_rows (void **state)
{
    const char *text
        = HEADER ",due_on,classification,usb_vid,usb_pid,usb_serial,"
                 "hardware_encrypted\n"
                 "\n"
                 "E1,A,USB-1,usb,S1,yes,2026-01-31,2026-02-28,CONFIDENTIAL,0x0781,5581,SN1,yes\n"
                 ",,,,,,,,,,,,\n"
                 "E2,B,LT-1,laptop,S2,no,2024-02-29,,,,,,";
    g_autoptr (KikanLedgerFile) f = parse_ok (text, -1);

    assert_int_equal (f->rows->len, 2);
    assert_int_equal (row (f, 0)->line, 3);
    assert_string_equal (row (f, 0)->due_on, "2026-02-28");
    assert_string_equal (row (f, 0)->classification, "confidential");
    assert_true (row (f, 0)->has_medium);
    assert_int_equal (row (f, 0)->usb_vid, 0x0781);
    assert_int_equal (row (f, 0)->usb_pid, 0x5581);
    assert_string_equal (row (f, 0)->usb_serial, "SN1");
    assert_true (row (f, 0)->hardware_encrypted);
    assert_int_equal (row (f, 1)->line, 5);
    assert_null (row (f, 1)->due_on);
    assert_string_equal (row (f, 1)->classification, "internal"); /* empty: the default */
    assert_false (row (f, 1)->has_medium);
    assert_true (f->columns & KIKAN_LEDGER_COL_DUE_ON);
    assert_true (f->columns & KIKAN_LEDGER_COL_USB_SERIAL);
    assert_false (f->columns & KIKAN_LEDGER_COL_OWNERSHIP);
}

static void
test_parse_example_file (void **state)
{
    g_autofree char *path
        = g_build_filename (KIKAN_TEST_SOURCE_DIR, "data", "ledger.example.csv", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanLedgerFile) f = kikan_ledger_csv_load (path, &error);
    gboolean lt = FALSE, u7 = FALSE, u8 = FALSE;

    if (f == NULL)
        fail_msg ("%s", error->message);
    for (guint i = 0; i < f->rows->len; i++) {
        const KikanLedgerRow *r = row (f, i);

        if (strcmp (r->employee_id, "E1001") != 0)
            continue;
        lt |= strcmp (r->asset_id, "LT-0003") == 0 && strcmp (r->asset_type, "laptop") == 0;
        u7 |= strcmp (r->asset_id, "USB-0007") == 0 && strcmp (r->asset_type, "usb") == 0;
        u8 |= strcmp (r->asset_id, "USB-0008") == 0 && strcmp (r->asset_type, "usb") == 0;
    }
    /* The demo's employee and items (issue #9 "Must show"). */
    assert_true (lt && u7 && u8);
    assert_true (f->rows->len >= 6);
}

/* ------------------------------------------------------------ malformed forms */

typedef struct {
    const char *name;
    const char *text;
    gssize len; /* -1: strlen */
    guint line;
    guint column;
    const char *mention;
} Malformed;

static const Malformed malformed[] = {
    { "empty", "", -1, 1, 1, "the file is empty" },
    { "bom only", "\xef\xbb\xbf\r\n", -1, 1, 1, "the file is empty" },
    { "shift_jis name", HEADER "\r\nE1,\x8e\x52\x93\x63,LT-1,laptop,S,yes,2026-01-01\r\n", -1, 2,
      4, "not UTF-8" },
    { "nul byte", HEADER "\nE1,A,LT-1,laptop,S\0X,yes,2026-01-01\n",
      (gssize)sizeof (HEADER "\nE1,A,LT-1,laptop,S\0X,yes,2026-01-01\n") - 1, 2, 19, "NUL byte" },
    { "control in employee id",
      HEADER "\nE\x01"
             "1,A,LT-1,laptop,S,yes,2026-01-01\n",
      -1, 2, 1, "(employee_id): the employee ID holds a control" },
    { "escape in asset id", HEADER "\nE1,A,LT\x1b[2J,laptop,S,yes,2026-01-01\n", -1, 2, 6,
      "(asset_id): the asset ID holds a control" },
    { "bidi in asset id",
      HEADER "\nE1,A,LT\xe2\x80\xae"
             "1,laptop,S,yes,2026-01-01\n",
      -1, 2, 6, "(asset_id)" },
    { "space in asset id", HEADER "\nE1,A,\"LT 1\",laptop,S,yes,2026-01-01\n", -1, 2, 6,
      "holds a space" },
    { "duplicate column", HEADER ",serial\nE1,A,LT-1,laptop,S,yes,2026-01-01,S\n", -1, 1, 82,
      "the column “serial” appears twice" },
    { "missing column",
      "employee_id,employee_name,asset_id,asset_type,encryption_required,lent_on\n", -1, 1, 1,
      "no column serial" },
    { "asset lent twice",
      HEADER "\nE1,A,LT-1,laptop,S,yes,2026-01-01\nE2,B,LT-1,laptop,S,yes,2026-01-02\n", -1, 3, 6,
      "asset LT-1 is already lent on line 2" },
    { "employee with two names",
      HEADER "\nE1,A,LT-1,laptop,S,yes,2026-01-01\nE1,Z,LT-2,laptop,S,yes,2026-01-02\n", -1, 3, 4,
      "employee E1 has another name on line 2" },
    { "too few fields", HEADER "\nE1,A,LT-1,laptop,S,yes\n", -1, 2, 20, "too few" },
    { "too many fields", HEADER "\nE1,A,LT-1,laptop,S,yes,2026-01-01,extra\n", -1, 2, 35,
      "too many" },
    { "unquoted comma in a name", HEADER "\nE1,Suzuki, Ichiro,LT-1,laptop,S,yes,2026-01-01\n", -1,
      2, 37, "too many" },
    { "bad asset type", HEADER "\nE1,山田 太郎,LT-1,lapto,S,yes,2026-01-01\n", -1, 2, 15,
      "(asset_type): “lapto” is not an asset type" },
    { "bad yes/no", HEADER "\nE1,A,LT-1,laptop,S,maybe,2026-01-01\n", -1, 2, 20,
      "(encryption_required): “maybe” is not yes or no" },
    { "not a real day", HEADER "\nE1,A,LT-1,laptop,S,yes,2026-02-30\n", -1, 2, 24,
      "(lent_on): “2026-02-30” is not a date" },
    { "slashed date", HEADER "\nE1,A,LT-1,laptop,S,yes,2026/01/01\n", -1, 2, 24, "(lent_on)" },
    { "due before lent", HEADER ",due_on\nE1,A,LT-1,laptop,S,yes,2026-03-01,2026-02-01\n", -1, 2,
      35, "due (2026-02-01) before it was lent" },
    { "bad classification", HEADER ",classification\nE1,A,LT-1,laptop,S,yes,2026-03-01,secret\n",
      -1, 2, 35, "not a classification" },
    { "bad usb vid", HEADER ",usb_vid,usb_pid\nE1,A,U-1,usb,S,yes,2026-03-01,07811,5581\n", -1, 2,
      31, "(usb_vid)" },
    { "usb vid without pid column", HEADER ",usb_vid\nE1,A,U-1,usb,S,yes,2026-03-01,0781\n", -1, 1,
      1, "usb_vid and usb_pid come together" },
    { "quote inside unquoted field", HEADER "\nE1,Ta\"ka,LT-1,laptop,S,yes,2026-01-01\n", -1, 2, 6,
      "double quote" },
    { "text after closing quote", HEADER "\nE1,\"Taka\"x,LT-1,laptop,S,yes,2026-01-01\n", -1, 2,
      10, "double quote" },
    { "unterminated quote", HEADER "\nE1,A,LT-1,laptop,S,yes,2026-01-01\nE2,\"B,LT-2\n", -1, 3, 4,
      "never ends" },
    { "name empty", HEADER "\nE1,,LT-1,laptop,S,yes,2026-01-01\n", -1, 2, 4, "the name is empty" },
    { "id too long",
      HEADER "\nE1,A,LT-0123456789012345678901234567890123456789012345678901234567890123456789,"
             "laptop,S,yes,2026-01-01\n",
      -1, 2, 6, "longer than 64 bytes" },
};

static void
check_malformed (const Malformed *m)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanLedgerFile) f = NULL;
    g_autofree char *where = g_strdup_printf ("line %u, column %u", m->line, m->column);
    gsize len = m->len < 0 ? strlen (m->text) : (gsize)m->len;

    f = kikan_ledger_csv_parse (m->text, len, "bad.csv", &error);
    if (f != NULL)
        fail_msg ("%s: parsed, but must be refused", m->name);
    if (!g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CSV))
        fail_msg ("%s: wrong error: %s", m->name, error->message);
    if (strstr (error->message, where) == NULL || strstr (error->message, m->mention) == NULL)
        fail_msg ("%s: “%s” must name “%s” and mention “%s”", m->name, error->message, where,
                  m->mention);
    assert_non_null (strstr (error->message, "nothing was imported"));
    assert_true (g_str_has_prefix (error->message, "bad.csv"));
    /* Hostile bytes never reach the message raw. */
    assert_null (strchr (error->message, 0x1b));
    assert_null (strchr (error->message, 0x01));
    assert_null (strstr (error->message, "\xe2\x80\xae"));
    assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
test_malformed_named_and_store_unchanged (void **state)
{
    g_autoptr (KikanStore) store = open_store ();
    g_autoptr (KikanLedgerDiff) d
        = import_text (store, HEADER "\nE9,Z,LT-9,laptop,S9,yes,2026-01-01\n");
    g_autofree char *before = dump_ledger (store);
    g_autofree char *sum_before = NULL;
    g_autofree char *path = g_strdup (kikan_store_get_path (store));

    g_clear_pointer (&store, kikan_store_free);
    sum_before = file_sha256 (path);
    for (gsize i = 0; i < G_N_ELEMENTS (malformed); i++)
        check_malformed (&malformed[i]);
    {
        g_autofree char *sum_after = file_sha256 (path);
        g_autoptr (KikanStore) again = open_store ();
        g_autofree char *after = dump_ledger (again);

        assert_string_equal (sum_before, sum_after);
        assert_string_equal (before, after);
    }
}

static void
test_many_problems_listed_and_counted (void **state)
{
    g_autoptr (GString) text = g_string_new (HEADER "\n");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanLedgerFile) f = NULL;

    for (int i = 0; i < 30; i++)
        g_string_append_printf (text, "E%d,A,LT-%d,desk,S,yes,2026-01-01\n", i, i);
    f = kikan_ledger_csv_parse (text->str, text->len, "many.csv", &error);
    assert_null (f);
    assert_non_null (strstr (error->message, "30 problems found"));
    assert_non_null (strstr (error->message, "line 2, column"));
    assert_non_null (strstr (error->message, "… and 10 more"));
}

/* Found by fuzz-ledger: a row refused for another reason must not stay
 * in the table of USB identities that later rows are checked against. */
static void
test_refused_row_forgotten (void **state)
{
    const char *text = HEADER ",usb_vid,usb_pid,usb_serial\n"
                              "E1,A,U-1,usb,S,yes,2026-01-01,0781,5581,SN1\n"
                              "E1,Z,U-2,usb,S,yes,2026-01-01,0781,5581,SN2\n"
                              "E3,C,U-3,usb,S,yes,2026-01-01,0781,5581,SN2\n"
                              "E4,D,U-4,usb,S,yes,2026-01-01,0781,5581,SN1\n";
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanLedgerFile) f = kikan_ledger_csv_parse (text, strlen (text), "t.csv", &error);

    assert_null (f);
    assert_non_null (strstr (error->message, "2 problems found"));
    assert_non_null (strstr (error->message, "line 3, column 4 (employee_name)"));
    assert_non_null (strstr (error->message, "line 5, column 41 (usb_serial): this USB identity "
                                             "is already asset U-1's on line 2"));
}

static void
test_oversized_file_refused (void **state)
{
    gsize len = KIKAN_LEDGER_MAX_BYTES + 1;
    g_autofree char *big = g_malloc (len);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanLedgerFile) f = NULL;
    g_autofree char *path = NULL;

    memset (big, 'a', len);
    memcpy (big, HEADER "\n", sizeof HEADER);
    f = kikan_ledger_csv_parse (big, len, "big.csv", &error);
    assert_null (f);
    assert_non_null (strstr (error->message, "larger than 64 MiB"));
    assert_non_null (strstr (error->message, "line 1, column 1"));
    g_clear_error (&error);
    /* From a file, refused before it is read. */
    path = g_build_filename (g_getenv ("KIKAN_HOME"), "big.csv", NULL);
    assert_true (g_file_set_contents (path, big, (gssize)len, NULL));
    f = kikan_ledger_csv_load (path, &error);
    assert_null (f);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CSV));
    assert_non_null (strstr (error->message, "larger than 64 MiB"));
}

static void
test_too_many_rows_refused (void **state)
{
    g_autoptr (GString) text = g_string_sized_new (2 * KIKAN_LEDGER_MAX_ROWS + 200);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanLedgerFile) f = NULL;
    g_autofree char *where = g_strdup_printf ("line %u, column 1", KIKAN_LEDGER_MAX_ROWS + 2);

    /* Rows of one field each: cheap to make, and counted before their
     * field count is checked. */
    g_string_append (text, HEADER "\n");
    for (guint i = 0; i <= KIKAN_LEDGER_MAX_ROWS; i++)
        g_string_append (text, "x\n");
    f = kikan_ledger_csv_parse (text->str, text->len, "rows.csv", &error);
    assert_null (f);
    assert_non_null (strstr (error->message, "more than 1000000 rows"));
    if (strstr (error->message, where) == NULL)
        fail_msg ("“%s” does not name %s", error->message, where);
}

/* ------------------------------------------------------------ diff and import */

static const char *const base_file
    = HEADER ",due_on,telework_method,usb_vid,usb_pid,usb_serial,hardware_encrypted\r\n"
             "E1001,山田 太郎,LT-0003,laptop,PF3K,yes,2026-10-01,2026-12-25,VPN,,,,\r\n"
             "E1001,山田 太郎,USB-0007,usb,U7,yes,2026-10-01,,VPN,0781,5581,U7,no\r\n"
             "E1002,佐藤 花子,USB-0008,usb,U8,yes,2026-10-02,,,0781,5581,U8,no\r\n"
             "E1003,\"Suzuki, Ichiro\",PH-0021,phone,IMEI1,yes,2026-09-15,,standalone,,,,\r\n";

/* Against base_file: USB-0009 added; LT-0003 due date changed; USB-0008
 * to another holder; PH-0021 removed; USB-0007 unchanged; E1002 renamed. */
static const char *const next_file
    = HEADER ",due_on,telework_method,usb_vid,usb_pid,usb_serial,hardware_encrypted\r\n"
             "E1001,山田 太郎,LT-0003,laptop,PF3K,yes,2026-10-01,2027-01-15,VPN,,,,\r\n"
             "E1001,山田 太郎,USB-0007,usb,U7,yes,2026-10-01,,VPN,0781,5581,U7,no\r\n"
             "E1004,高橋 健,USB-0008,usb,U8,yes,2026-11-20,,,0781,5581,U8,no\r\n"
             "E1002,佐藤 花子 (総務),USB-0009,usb,U9,no,2026-11-21,,,1e48,0010,U9,yes\r\n";

static const KikanLedgerChange *
change_for (const KikanLedgerDiff *d, const char *asset)
{
    for (guint i = 0; i < d->changes->len; i++) {
        const KikanLedgerChange *c = g_ptr_array_index (d->changes, i);

        if (strcmp (c->asset_id, asset) == 0)
            return c;
    }
    fail_msg ("no change for %s", asset);
    return NULL;
}

static void
assert_next_diff (const KikanLedgerDiff *d)
{
    const KikanLedgerChange *c;
    const KikanLedgerFieldChange *f;

    assert_int_equal (d->added, 1);
    assert_int_equal (d->changed, 2);
    assert_int_equal (d->removed, 1);
    assert_int_equal (d->unchanged, 1);
    assert_int_equal (d->employees_added, 1);
    assert_int_equal (d->employees_renamed, 1);
    assert_int_equal (d->changes->len, 4);

    c = change_for (d, "USB-0009");
    assert_int_equal (c->kind, KIKAN_LEDGER_ADDED);
    assert_string_equal (c->employee_id, "E1002");
    assert_int_equal (c->line, 5);

    c = change_for (d, "LT-0003");
    assert_int_equal (c->kind, KIKAN_LEDGER_CHANGED);
    assert_false (c->new_holder);
    assert_int_equal (c->fields->len, 1);
    f = g_ptr_array_index (c->fields, 0);
    assert_string_equal (f->field, "due_on");
    assert_string_equal (f->old_value, "2026-12-25");
    assert_string_equal (f->new_value, "2027-01-15");

    c = change_for (d, "USB-0008");
    assert_int_equal (c->kind, KIKAN_LEDGER_CHANGED);
    assert_true (c->new_holder);
    assert_int_equal (c->fields->len, 2);
    f = g_ptr_array_index (c->fields, 0);
    assert_string_equal (f->field, "employee_id");
    assert_string_equal (f->old_value, "E1002");
    assert_string_equal (f->new_value, "E1004");
    f = g_ptr_array_index (c->fields, 1);
    assert_string_equal (f->field, "lent_on");

    c = change_for (d, "PH-0021");
    assert_int_equal (c->kind, KIKAN_LEDGER_REMOVED);
    assert_string_equal (c->employee_id, "E1003");
    /* Removed ones come last. */
    assert_ptr_equal (c, g_ptr_array_index (d->changes, d->changes->len - 1));

    f = g_ptr_array_index (d->renamed, 0);
    assert_string_equal (f->field, "E1002");
    assert_string_equal (f->old_value, "佐藤 花子");
    assert_string_equal (f->new_value, "佐藤 花子 (総務)");
}

static void
test_dry_run_reports_exactly_and_changes_nothing (void **state)
{
    g_autoptr (KikanStore) store = open_store ();
    g_autoptr (KikanLedgerDiff) first = import_text (store, base_file);
    g_autoptr (KikanLedgerFile) f = parse_ok (next_file, -1);
    g_autoptr (KikanLedgerDiff) d = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *before = dump_ledger (store);
    g_autofree char *after = NULL;
    g_autofree char *path = g_strdup (kikan_store_get_path (store));
    g_autofree char *sum_before = NULL;
    g_autofree char *sum_after = NULL;

    assert_int_equal (first->added, 4);
    assert_int_equal (first->employees_added, 3);
    g_clear_pointer (&store, kikan_store_free);
    sum_before = file_sha256 (path);

    store = open_store ();
    d = kikan_ledger_diff (store, f, &error);
    assert_non_null (d);
    assert_next_diff (d);
    after = dump_ledger (store);
    assert_string_equal (before, after);
    g_clear_pointer (&store, kikan_store_free);
    sum_after = file_sha256 (path);
    assert_string_equal (sum_before, sum_after);
}

static void
test_import_applies_the_diff (void **state)
{
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanLedgerDiff) first = NULL;
    g_autoptr (KikanLedgerDiff) d = NULL;
    g_autoptr (KikanLedgerFile) f = parse_ok (next_file, -1);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanLoan) l = NULL;
    g_autoptr (KikanMedium) m = NULL;
    g_autoptr (KikanEmployee) e = NULL;
    g_autoptr (GPtrArray) loans = NULL;
    g_autofree char *summary_like = NULL;

    g_setenv ("KIKAN_FAKE_NOW", "1796299200", TRUE); /* 2026-12-03 */
    store = open_store ();
    first = import_text (store, base_file);
    assert_true (kikan_ledger_import (store, f, KIKAN_LEDGER_IMPORT_DEFAULT, NULL, &d, &error));
    assert_next_diff (d);

    /* Removed: closed on the import date with the note. */
    assert_int_equal (count (store, "SELECT count(*) FROM loans WHERE asset_id = 'PH-0021' AND "
                                    "returned_on = '2026-12-03' AND note = 'removed by import'"),
                      1);
    /* New holder: the old loan ends, a new one begins. */
    assert_int_equal (count (store, "SELECT count(*) FROM loans WHERE asset_id = 'USB-0008'"), 2);
    l = kikan_ledger_find_open_loan (store, "USB-0008", &error);
    assert_non_null (l);
    assert_string_equal (l->employee_id, "E1004");
    assert_string_equal (l->employee_name, "高橋 健");
    assert_string_equal (l->lent_on, "2026-11-20");
    g_clear_pointer (&l, kikan_loan_free);
    l = kikan_ledger_find_open_loan (store, "LT-0003", &error);
    assert_string_equal (l->due_on, "2027-01-15");
    /* Same holder: the loan is corrected in place, no new loan. */
    assert_int_equal (count (store, "SELECT count(*) FROM loans WHERE asset_id = 'LT-0003'"), 1);
    /* Media register filled from the file. */
    m = kikan_ledger_find_medium (store, 0x1e48, 0x0010, "U9", &error);
    assert_non_null (m);
    assert_string_equal (m->asset_id, "USB-0009");
    assert_true (m->hardware_encrypted);
    assert_string_equal (m->registered_by, "ledger import");
    e = kikan_ledger_find_employee (store, "E1002", &error);
    assert_string_equal (e->name, "佐藤 花子 (総務)");
    /* One ledger_changes row per import, with the file's hash and counts. */
    assert_int_equal (count (store, "SELECT count(*) FROM ledger_changes"), 2);
    summary_like = g_strdup_printf (
        "SELECT count(*) FROM ledger_changes WHERE source LIKE '%%%s%%' AND "
        "json_extract(summary, '$.added') = 1 AND json_extract(summary, '$.changed') = 2 AND "
        "json_extract(summary, '$.removed') = 1 AND json_extract(summary, '$.sha256') = '%s'",
        f->sha256, f->sha256);
    assert_int_equal (count (store, summary_like), 1);
    loans = kikan_ledger_list_open_loans (store, NULL, &error);
    assert_int_equal (loans->len, 4);
    /* The store still passes its own check. */
    {
        g_autoptr (GPtrArray) problems = NULL;

        assert_true (kikan_store_check (store, &problems, &error));
        assert_int_equal (problems->len, 0);
    }
    /* Importing the same file again changes nothing. */
    g_clear_pointer (&d, kikan_ledger_diff_free);
    assert_true (kikan_ledger_import (store, f, KIKAN_LEDGER_IMPORT_DEFAULT, NULL, &d, &error));
    assert_int_equal (d->added + d->changed + d->removed, 0);
    assert_int_equal (d->unchanged, 4);
    g_unsetenv ("KIKAN_FAKE_NOW");
}

static void
test_import_is_all_or_nothing (void **state)
{
    g_autoptr (KikanStore) store = open_store ();
    g_autoptr (KikanLedgerDiff) first = import_text (store, base_file);
    g_autoptr (KikanLedgerFile) f = parse_ok (next_file, -1);
    g_autoptr (GError) error = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    /* The database refuses the last loan the import writes: everything
     * before it in the same import must be undone. */
    assert_true (kikan_store_exec (store,
                                   "CREATE TRIGGER refuse_0009 BEFORE INSERT ON loans "
                                   "WHEN NEW.asset_id = 'USB-0009' "
                                   "BEGIN SELECT RAISE(ABORT, 'refused by test'); END",
                                   &error));
    before = dump_ledger (store);
    assert_false (kikan_ledger_import (store, f, KIKAN_LEDGER_IMPORT_DEFAULT, NULL, NULL, &error));
    assert_non_null (strstr (error->message, "refused by test"));
    after = dump_ledger (store);
    assert_string_equal (before, after);
}

/* What IT confirmed is what is imported (KR-02): the fingerprint of a dry
 * run names its changes; the import refuses, changing nothing, when the
 * store changed after the dry run, or when another file is imported with
 * it; a fresh dry run's fingerprint is accepted. */
static void
test_import_refuses_a_stale_preview (void **state)
{
    g_autoptr (KikanStore) store = open_store ();
    g_autoptr (KikanLedgerDiff) first = import_text (store, base_file);
    g_autoptr (KikanLedgerFile) f = parse_ok (next_file, -1);
    g_autoptr (KikanLedgerFile) other = parse_ok (base_file, -1);
    g_autoptr (KikanLedgerDiff) seen = NULL;
    g_autoptr (KikanLedgerDiff) again = NULL;
    g_autoptr (KikanLedgerDiff) d = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *before = NULL;

    seen = kikan_ledger_diff (store, f, &error);
    assert_non_null (seen);
    assert_int_equal (strlen (seen->fingerprint), 64);
    /* The same file against the same store: the same changes. */
    again = kikan_ledger_diff (store, f, &error);
    assert_string_equal (again->fingerprint, seen->fingerprint);
    g_clear_pointer (&again, kikan_ledger_diff_free);

    /* Another file with the fingerprint of this one. */
    before = dump_ledger (store);
    assert_false (kikan_ledger_import (store, other, KIKAN_LEDGER_IMPORT_DEFAULT,
                                       seen->fingerprint, NULL, &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_LEDGER_CHANGED));
    g_clear_error (&error);

    /* The store changes after the dry run: USB-0007 is handed back. */
    assert_true (kikan_ledger_return (store, "USB-0007", "back early", &error));
    g_free (before);
    before = dump_ledger (store);
    assert_false (kikan_ledger_import (store, f, KIKAN_LEDGER_IMPORT_DEFAULT, seen->fingerprint,
                                       NULL, &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_LEDGER_CHANGED));
    assert_non_null (strstr (error->message, "Preview the file again"));
    g_clear_error (&error);
    {
        g_autofree char *after = dump_ledger (store);

        assert_string_equal (before, after);
    }
    assert_int_equal (count (store, "SELECT count(*) FROM ledger_changes WHERE source LIKE "
                                    "'import %'"),
                      1);

    /* Seen again, the new changes are imported. */
    again = kikan_ledger_diff (store, f, &error);
    assert_non_null (again);
    assert_string_not_equal (again->fingerprint, seen->fingerprint);
    assert_true (kikan_ledger_import (store, f, KIKAN_LEDGER_IMPORT_DEFAULT, again->fingerprint,
                                      &d, &error));
    assert_string_equal (d->fingerprint, again->fingerprint);
    assert_int_equal (count (store, "SELECT count(*) FROM loans WHERE returned_on IS NULL AND "
                                    "asset_id = 'USB-0009'"),
                      1);
}

/* A header and no rows, the look of a failed export, would close every
 * open loan and with it the check-in's view of what is missing (KR-03):
 * refused unless the caller says it is meant; harmless into a ledger with
 * no open loans. */
static void
test_import_refuses_an_empty_file_unless_allowed (void **state)
{
    g_autoptr (KikanStore) store = open_store ();
    g_autoptr (KikanLedgerFile) empty = parse_ok (HEADER "\r\n", -1);
    g_autoptr (KikanLedgerDiff) first = NULL;
    g_autoptr (KikanLedgerDiff) d = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    assert_int_equal (empty->rows->len, 0);
    assert_true (kikan_ledger_import (store, empty, KIKAN_LEDGER_IMPORT_DEFAULT, NULL, NULL,
                                      &error));
    first = import_text (store, base_file);
    before = dump_ledger (store);
    assert_false (kikan_ledger_import (store, empty, KIKAN_LEDGER_IMPORT_DEFAULT, NULL, NULL,
                                       &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_LEDGER_EMPTY));
    assert_non_null (strstr (error->message, "(4 of them)"));
    g_clear_error (&error);
    after = dump_ledger (store);
    assert_string_equal (before, after);

    assert_true (kikan_ledger_import (store, empty, KIKAN_LEDGER_IMPORT_ALLOW_EMPTY, NULL, &d,
                                      &error));
    assert_int_equal (d->removed, 4);
    assert_int_equal (count (store, "SELECT count(*) FROM loans WHERE returned_on IS NULL"), 0);
}

static void
test_export_then_import_is_a_noop (void **state)
{
    g_autoptr (KikanStore) store = open_store ();
    const char *text = HEADER
        ",due_on,telework_method,classification,ownership,usb_vid,usb_pid,usb_serial,"
        "hardware_encrypted\n"
        "E1,\"Suzuki, Ichiro\",LT-1,laptop,\" SN with spaces \",yes,2026-10-01,2026-12-01,"
        "\"VPN, then\nremote desktop\",confidential,leased,,,,\n"
        "E2,\"高橋 \"\"タカ\"\" 健\",USB-1,usb,,no,2026-10-02,,,public,company,0781,5581,,yes\n"
        "E2,\"高橋 \"\"タカ\"\" 健\",TOK-1,token,T1,no,2026-10-03,,,internal,personal,,,,\n";
    g_autoptr (KikanLedgerDiff) first = import_text (store, text);
    g_autoptr (GString) out = g_string_new (NULL);
    g_autoptr (GString) out2 = g_string_new (NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanLedgerFile) f = NULL;
    g_autoptr (KikanLedgerDiff) d = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    assert_int_equal (first->added, 3);
    assert_true (kikan_ledger_csv_export (store, out, &error));
    /* RFC 4180: CRLF, quoted where needed. */
    assert_true (g_str_has_prefix (out->str, "employee_id,employee_name,asset_id,asset_type,"
                                             "serial,encryption_required,lent_on,"));
    assert_non_null (strstr (out->str, "\r\n"));
    assert_non_null (strstr (out->str, "\"Suzuki, Ichiro\""));
    assert_non_null (strstr (out->str, "\"高橋 \"\"タカ\"\" 健\""));
    assert_non_null (strstr (out->str, "\" SN with spaces \""));
    f = parse_ok (out->str, (gssize)out->len);
    assert_int_equal (f->rows->len, 3);
    d = kikan_ledger_diff (store, f, &error);
    assert_int_equal (
        d->added + d->changed + d->removed + d->employees_added + d->employees_renamed, 0);
    assert_int_equal (d->unchanged, 3);
    g_clear_pointer (&d, kikan_ledger_diff_free);
    before = dump_ledger (store);
    assert_true (kikan_ledger_import (store, f, KIKAN_LEDGER_IMPORT_DEFAULT, NULL, &d, &error));
    assert_int_equal (d->unchanged, 3);
    after = dump_ledger (store);
    /* Not one row of the ledger changed; the import itself is logged. */
    assert_string_equal (before, after);
    assert_int_equal (count (store, "SELECT count(*) FROM ledger_changes"), 2);
    assert_true (kikan_ledger_csv_export (store, out2, &error));
    assert_string_equal (out->str, out2->str);
}

/* Random ledgers, imported one after the other: after each import the
 * store's open loans are exactly the file's rows (export says so), the
 * diff's counts add up, and the store passes its own check. */
static void
append_random_file (GString *out, GRand *rand, int round)
{
    static const char *const types[] = { "laptop", "usb", "phone", "token", "other" };
    static const char *const classes[] = { "public", "internal", "confidential" };
    static const char *const owners[] = { "company", "leased", "personal" };

    g_string_append (out, HEADER ",due_on,telework_method,classification,ownership,usb_vid,"
                                 "usb_pid,usb_serial,hardware_encrypted\r\n");
    for (int a = 0; a < 30; a++) {
        int e = g_rand_int_range (rand, 0, 8);
        /* Asset a has a fixed type; USB sticks always carry an identity. */
        const char *type = types[a % 5];
        int month = g_rand_int_range (rand, 1, 12);

        if (g_rand_int_range (rand, 0, 4) == 0)
            continue; /* not lent in this file */
        g_string_append_printf (out, "E%d,\"社員 %d%s\",A-%02d,%s,S%d,%s,2026-%02d-%02d,", e, e,
                                (e + round) % 3 == 0 && round % 2 ? ", 新" : "", a, type,
                                g_rand_int_range (rand, 0, 3),
                                g_rand_boolean (rand) ? "yes" : "no", month,
                                g_rand_int_range (rand, 1, 29));
        if (g_rand_boolean (rand))
            g_string_append_printf (out, "2026-12-%02d", g_rand_int_range (rand, 1, 32));
        g_string_append_printf (out, ",%s,%s,%s,", g_rand_boolean (rand) ? "\"VPN,\nRDP\"" : "",
                                classes[g_rand_int_range (rand, 0, 3)],
                                owners[g_rand_int_range (rand, 0, 3)]);
        if (strcmp (type, "usb") == 0)
            g_string_append_printf (out, "0781,%04x,U%d-%d,%s", g_rand_int_range (rand, 1, 3), a,
                                    g_rand_int_range (rand, 0, 2),
                                    g_rand_boolean (rand) ? "yes" : "no");
        else
            g_string_append (out, ",,,");
        g_string_append (out, "\r\n");
    }
}

static int
by_asset_id (gconstpointer a, gconstpointer b)
{
    return strcmp ((*(KikanLedgerRow *const *)a)->asset_id,
                   (*(KikanLedgerRow *const *)b)->asset_id);
}

static void
assert_rows_equal (GPtrArray *x, GPtrArray *y)
{
    assert_int_equal (x->len, y->len);
    g_ptr_array_sort (x, by_asset_id);
    g_ptr_array_sort (y, by_asset_id);
    for (guint i = 0; i < x->len; i++) {
        const KikanLedgerRow *a = g_ptr_array_index (x, i);
        const KikanLedgerRow *b = g_ptr_array_index (y, i);

        assert_string_equal (a->asset_id, b->asset_id);
        assert_string_equal (a->employee_id, b->employee_id);
        assert_string_equal (a->employee_name, b->employee_name);
        assert_string_equal (a->asset_type, b->asset_type);
        assert_int_equal (g_strcmp0 (a->serial, b->serial), 0);
        assert_int_equal (a->encryption_required, b->encryption_required);
        assert_string_equal (a->lent_on, b->lent_on);
        assert_int_equal (g_strcmp0 (a->due_on, b->due_on), 0);
        assert_int_equal (g_strcmp0 (a->telework_method, b->telework_method), 0);
        assert_string_equal (a->classification, b->classification);
        assert_string_equal (a->ownership, b->ownership);
        assert_int_equal (a->has_medium, b->has_medium);
        assert_int_equal (a->usb_vid, b->usb_vid);
        assert_int_equal (a->usb_pid, b->usb_pid);
        assert_int_equal (g_strcmp0 (a->usb_serial, b->usb_serial), 0);
        assert_int_equal (a->hardware_encrypted, b->hardware_encrypted);
    }
}

static void
test_random_imports_make_the_ledger_the_file (void **state)
{
    g_autoptr (KikanStore) store = open_store ();
    g_autoptr (GRand) rand = g_rand_new_with_seed (20261203);
    guint open_before = 0;

    for (int round = 0; round < 25; round++) {
        g_autoptr (GString) text = g_string_new (NULL);
        g_autoptr (GString) out = g_string_new (NULL);
        g_autoptr (KikanLedgerFile) f = NULL;
        g_autoptr (KikanLedgerFile) back = NULL;
        g_autoptr (KikanLedgerDiff) d = NULL;
        g_autoptr (GPtrArray) problems = NULL;
        g_autoptr (GError) error = NULL;

        append_random_file (text, rand, round);
        f = parse_ok (text->str, (gssize)text->len);
        if (!kikan_ledger_import (store, f, KIKAN_LEDGER_IMPORT_DEFAULT, NULL, &d, &error))
            fail_msg ("round %d: %s", round, error->message);
        /* Every loan of the file is added, changed or unchanged; every
         * open loan of the store before is changed, unchanged or removed. */
        assert_int_equal (d->added + d->changed + d->unchanged, f->rows->len);
        assert_int_equal (d->changed + d->unchanged + d->removed, open_before);
        assert_true (kikan_ledger_csv_export (store, out, &error));
        back = parse_ok (out->str, (gssize)out->len);
        assert_rows_equal (f->rows, back->rows);
        assert_true (kikan_store_check (store, &problems, &error));
        if (problems->len > 0)
            fail_msg ("round %d: %s", round, (char *)g_ptr_array_index (problems, 0));
        open_before = f->rows->len;
    }
}

/* ------------------------------------------------------------ every write is in the diff */

static const char *
field_new (const KikanLedgerChange *c, const char *field)
{
    for (guint i = 0; i < c->fields->len; i++) {
        const KikanLedgerFieldChange *f = g_ptr_array_index (c->fields, i);

        if (strcmp (f->field, field) == 0)
            return f->new_value != NULL ? f->new_value : "(none)";
    }
    return NULL;
}

static const char *
field_old (const KikanLedgerChange *c, const char *field)
{
    for (guint i = 0; i < c->fields->len; i++) {
        const KikanLedgerFieldChange *f = g_ptr_array_index (c->fields, i);

        if (strcmp (f->field, field) == 0)
            return f->old_value != NULL ? f->old_value : "(none)";
    }
    return NULL;
}

/* First found by a hostile review (fe90ab4): an asset in the store on no
 * open loan comes back in the file as a new loan with encryption_required
 * no and another USB identity.  The preview must list what the import
 * rewrites in the asset (ENC-02 of its next check-in depends on it) and
 * in the media register, and the import must do exactly that (KR-02). */
static void
test_added_row_lists_the_asset_and_medium_it_rewrites (void **state)
{
    static const char *const first
        = HEADER ",usb_vid,usb_pid,usb_serial,hardware_encrypted\r\n"
                 "E1001,Alice,LT-0003,laptop,PF3K,yes,2026-10-01,,,,\r\n"
                 "E1001,Alice,USB-0009,usb,U9,yes,2026-10-01,0781,5581,U9,no\r\n";
    static const char *const second
        = HEADER ",usb_vid,usb_pid,usb_serial,hardware_encrypted\r\n"
                 "E1001,Alice,LT-0003,laptop,PF3K,yes,2026-10-01,,,,\r\n";
    static const char *const third
        = HEADER ",usb_vid,usb_pid,usb_serial,hardware_encrypted\r\n"
                 "E1001,Alice,LT-0003,laptop,PF3K,yes,2026-10-01,,,,\r\n"
                 "E1002,Bob,USB-0009,usb,U9,no,2026-11-21,1234,5678,X9,no\r\n";
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanLedgerDiff) d1 = NULL;
    g_autoptr (KikanLedgerDiff) d2 = NULL;
    g_autoptr (KikanLedgerDiff) preview = NULL;
    g_autoptr (KikanLedgerDiff) d3 = NULL;
    g_autoptr (KikanLedgerFile) f = parse_ok (third, -1);
    g_autoptr (KikanMedium) m = NULL;
    g_autoptr (GError) error = NULL;
    const KikanLedgerChange *c;

    g_setenv ("KIKAN_FAKE_NOW", "1796299200", TRUE); /* 2026-12-03 */
    store = open_store ();
    d1 = import_text (store, first);
    d2 = import_text (store, second); /* USB-0009's loan closed; the asset stays */
    assert_int_equal (
        count (store, "SELECT encryption_required FROM assets WHERE id = 'USB-0009'"), 1);
    /* The stick's descriptors were recorded at a check-in. */
    assert_true (kikan_store_exec (store,
                                   "UPDATE media SET manufacturer = 'SanDisk', fingerprint = "
                                   "'f00d' WHERE asset_id = 'USB-0009'",
                                   &error));
    preview = kikan_ledger_diff (store, f, &error);
    assert_non_null (preview);
    c = change_for (preview, "USB-0009");
    assert_int_equal (c->kind, KIKAN_LEDGER_ADDED);
    assert_false (c->new_asset);
    assert_string_equal (field_old (c, "encryption_required"), "yes");
    assert_string_equal (field_new (c, "encryption_required"), "no");
    assert_string_equal (field_old (c, "usb_vid"), "0781");
    assert_string_equal (field_new (c, "usb_vid"), "1234");
    assert_string_equal (field_new (c, "usb_pid"), "5678");
    assert_string_equal (field_old (c, "usb_serial"), "U9");
    assert_string_equal (field_new (c, "usb_serial"), "X9");
    assert_string_equal (field_old (c, "usb_manufacturer"), "SanDisk");
    assert_string_equal (field_new (c, "usb_manufacturer"), "(none)");
    assert_string_equal (field_new (c, "usb_descriptor_fingerprint"), "(none)");
    /* Unchanged values are not listed; nor is what a new asset would be. */
    assert_null (field_new (c, "asset_type"));
    assert_null (field_new (c, "serial"));
    assert_null (field_new (c, "hardware_encrypted"));
    assert_null (field_new (c, "usb_product"));
    assert_int_equal (c->fields->len, 6);
    assert_int_equal (preview->new_employees->len, 1);

    /* The import does what was shown. */
    assert_true (kikan_ledger_import (store, f, KIKAN_LEDGER_IMPORT_DEFAULT, preview->fingerprint,
                                      &d3, &error));
    assert_string_equal (d3->fingerprint, preview->fingerprint);
    assert_int_equal (
        count (store, "SELECT encryption_required FROM assets WHERE id = 'USB-0009'"), 0);
    m = kikan_ledger_find_medium_by_asset (store, "USB-0009", &error);
    assert_non_null (m);
    assert_int_equal (m->vid, 0x1234);
    assert_string_equal (m->usb_serial, "X9");
    assert_null (m->manufacturer);
    assert_null (m->fingerprint);
    g_unsetenv ("KIKAN_FAKE_NOW");
}

/* First found by a hostile review (52b0bbf): IT previews a file that
 * lends USB-0009 again, unchanged in the asset (encryption_required no in
 * the store and in the file).  Before IT confirms, two imports from a
 * shell lend it with encryption_required yes and close that loan again.
 * The confirmed import would now turn the requirement off, which no
 * preview showed: its fingerprint differs and it is refused, changing
 * nothing (KR-02). */
static void
test_preview_refused_when_the_asset_it_rewrites_changed (void **state)
{
    static const char *const base = HEADER "\r\n"
                                           "E1001,Alice,LT-0003,laptop,PF3K,yes,2026-10-01\r\n"
                                           "E1001,Alice,USB-0009,usb,U9,no,2026-10-01\r\n";
    static const char *const only_laptop
        = HEADER "\r\n"
                 "E1001,Alice,LT-0003,laptop,PF3K,yes,2026-10-01\r\n";
    static const char *const lend_required
        = HEADER "\r\n"
                 "E1001,Alice,LT-0003,laptop,PF3K,yes,2026-10-01\r\n"
                 "E1001,Alice,USB-0009,usb,U9,yes,2026-11-01\r\n";
    static const char *const previewed_file
        = HEADER "\r\n"
                 "E1001,Alice,LT-0003,laptop,PF3K,yes,2026-10-01\r\n"
                 "E1002,Bob,USB-0009,usb,U9,no,2026-11-21\r\n";
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanLedgerDiff) a = NULL;
    g_autoptr (KikanLedgerDiff) b = NULL;
    g_autoptr (KikanLedgerDiff) c = NULL;
    g_autoptr (KikanLedgerDiff) e = NULL;
    g_autoptr (KikanLedgerDiff) preview = NULL;
    g_autoptr (KikanLedgerDiff) after = NULL;
    g_autoptr (KikanLedgerDiff) done = NULL;
    g_autoptr (KikanLedgerFile) f = parse_ok (previewed_file, -1);
    g_autoptr (GError) error = NULL;
    g_autofree char *before = NULL;
    g_autofree char *now = NULL;

    g_setenv ("KIKAN_FAKE_NOW", "1796299200", TRUE); /* 2026-12-03 */
    store = open_store ();
    a = import_text (store, base);
    b = import_text (store, only_laptop); /* USB-0009 returned, required: no */
    preview = kikan_ledger_diff (store, f, &error);
    assert_non_null (preview);
    assert_null (field_new (change_for (preview, "USB-0009"), "encryption_required"));
    /* Meanwhile, from a shell. */
    c = import_text (store, lend_required);
    e = import_text (store, only_laptop);
    assert_int_equal (
        count (store, "SELECT encryption_required FROM assets WHERE id = 'USB-0009'"), 1);
    after = kikan_ledger_diff (store, f, &error);
    assert_string_equal (field_new (change_for (after, "USB-0009"), "encryption_required"), "no");
    assert_string_not_equal (after->fingerprint, preview->fingerprint);
    before = dump_ledger (store);
    assert_false (kikan_ledger_import (store, f, KIKAN_LEDGER_IMPORT_DEFAULT, preview->fingerprint,
                                       &done, &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_LEDGER_CHANGED));
    now = dump_ledger (store);
    assert_string_equal (before, now);
    assert_int_equal (
        count (store, "SELECT encryption_required FROM assets WHERE id = 'USB-0009'"), 1);
    g_unsetenv ("KIKAN_FAKE_NOW");
}

/* Marks the open loan of @asset as handed back at the kiosk today, by a
 * session of its holder (a check-in does this; here without items, so
 * IT holds nothing). */
static void
return_at_kiosk (KikanStore *store, const char *asset)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *sql = g_strdup_printf (
        "INSERT INTO sessions (uuid, employee_id, kiosk_id, started_at, ended_at, state, "
        "program_version) SELECT 'test-%s-%s', employee_id, 'k', "
        "'2026-12-01T09:00:00Z', '2026-12-01T09:10:00Z', 'ended', 'test' FROM loans WHERE "
        "asset_id = '%s' AND returned_on IS NULL;"
        "UPDATE loans SET returned_on = date(%s, 'unixepoch'), return_session = "
        "last_insert_rowid() WHERE asset_id = '%s' AND returned_on IS NULL",
        asset, g_getenv ("KIKAN_FAKE_NOW"), asset, g_getenv ("KIKAN_FAKE_NOW"), asset);

    if (!kikan_store_exec (store, sql, &error))
        fail_msg ("%s", error->message);
}

/* A row for a loan handed back at the kiosk is kept returned, and nothing
 * else of it is written either: not its asset, its medium or its holder's
 * name (docs/ledger.md "The kiosk's returns and what IT holds"). */
static void
test_row_returned_at_kiosk_writes_nothing (void **state)
{
    static const char *const lent
        = HEADER ",usb_vid,usb_pid,usb_serial,hardware_encrypted\r\n"
                 "E1001,Alice,USB-0009,usb,U9,yes,2026-10-01,0781,5581,U9,no\r\n";
    static const char *const stale
        = HEADER ",usb_vid,usb_pid,usb_serial,hardware_encrypted\r\n"
                 "E1001,Alice Smith,USB-0009,usb,U9X,no,2026-10-01,1234,5678,X9,yes\r\n";
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (KikanLedgerDiff) first = NULL;
    g_autoptr (KikanLedgerDiff) d = NULL;
    g_autoptr (KikanLedgerFile) f = parse_ok (stale, -1);
    g_autoptr (GError) error = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    g_setenv ("KIKAN_FAKE_NOW", "1796299200", TRUE); /* 2026-12-03 */
    store = open_store ();
    first = import_text (store, lent);
    return_at_kiosk (store, "USB-0009");
    before = dump_ledger (store);
    assert_true (kikan_ledger_import (store, f, KIKAN_LEDGER_IMPORT_DEFAULT, NULL, &d, &error));
    assert_int_equal (d->returned_at_kiosk, 1);
    assert_int_equal (d->changes->len, 0);
    assert_int_equal (d->renamed->len + d->new_employees->len, 0);
    after = dump_ledger (store);
    assert_string_equal (before, after);
    g_unsetenv ("KIKAN_FAKE_NOW");
}

/* The ledger tables read generically (every column, so that a column a
 * future import writes is compared too): table → key → column → value
 * (NULL for SQL NULL). */
typedef struct {
    GHashTable *employees, *assets, *media, *loans;
} Ledger;

static GHashTable *
row_new (void)
{
    return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
row_set (GHashTable *row, const char *column, const char *value)
{
    g_hash_table_insert (row, g_strdup (column), g_strdup (value));
}

static const char *
row_get (GHashTable *row, const char *column)
{
    if (!g_hash_table_contains (row, column))
        fail_msg ("no column %s", column);
    return g_hash_table_lookup (row, column);
}

static GHashTable *
table_read (KikanStore *store, const char *sql)
{
    GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)g_hash_table_unref);
    sqlite3_stmt *st = NULL;

    assert_int_equal (sqlite3_prepare_v2 (kikan_store_get_db (store), sql, -1, &st, NULL),
                      SQLITE_OK);
    while (sqlite3_step (st) == SQLITE_ROW) {
        GHashTable *row = row_new ();

        for (int c = 0; c < sqlite3_column_count (st); c++)
            row_set (row, sqlite3_column_name (st, c), (const char *)sqlite3_column_text (st, c));
        g_hash_table_insert (t, g_strdup ((const char *)sqlite3_column_text (st, 0)), row);
    }
    sqlite3_finalize (st);
    return t;
}

static void
ledger_read (KikanStore *store, Ledger *l)
{
    l->employees = table_read (store, "SELECT * FROM employees");
    l->assets = table_read (store, "SELECT * FROM assets");
    l->media = table_read (store, "SELECT * FROM media");
    l->loans = table_read (store, "SELECT * FROM loans");
}

static void
ledger_clear (Ledger *l)
{
    g_clear_pointer (&l->employees, g_hash_table_unref);
    g_clear_pointer (&l->assets, g_hash_table_unref);
    g_clear_pointer (&l->media, g_hash_table_unref);
    g_clear_pointer (&l->loans, g_hash_table_unref);
}

static int
by_text (const void *a, const void *b)
{
    return strcmp (*(char *const *)a, *(char *const *)b);
}

static void
table_dump (GString *out, const char *name, GHashTable *t)
{
    g_autofree gpointer *keys = g_hash_table_get_keys_as_array (t, NULL);
    guint n = g_hash_table_size (t);

    qsort (keys, n, sizeof *keys, by_text);
    for (guint i = 0; i < n; i++) {
        GHashTable *row = g_hash_table_lookup (t, keys[i]);
        g_autofree gpointer *cols = g_hash_table_get_keys_as_array (row, NULL);
        guint m = g_hash_table_size (row);

        qsort (cols, m, sizeof *cols, by_text);
        g_string_append_printf (out, "%s %s:", name, (char *)keys[i]);
        for (guint j = 0; j < m; j++) {
            const char *v = g_hash_table_lookup (row, cols[j]);

            g_string_append_printf (out, " %s=%s", (char *)cols[j], v != NULL ? v : "NULL");
        }
        g_string_append_c (out, '\n');
    }
}

static char *
ledger_dump (const Ledger *l)
{
    GString *out = g_string_new (NULL);

    table_dump (out, "employee", l->employees);
    table_dump (out, "asset", l->assets);
    table_dump (out, "medium", l->media);
    table_dump (out, "loan", l->loans);
    return g_string_free (out, FALSE);
}

/* A field of the diff as the store keeps it. */
static char *
stored_value (const char *field, const char *value)
{
    if (value == NULL)
        return NULL;
    if (strcmp (field, "encryption_required") == 0 || strcmp (field, "hardware_encrypted") == 0)
        return g_strdup (strcmp (value, "yes") == 0 ? "1" : "0");
    if (strcmp (field, "usb_vid") == 0 || strcmp (field, "usb_pid") == 0)
        return g_strdup_printf ("%u", (guint)g_ascii_strtoull (value, NULL, 16));
    return g_strdup (value);
}

typedef struct {
    const char *field;
    const char *column;
} FieldColumn;

static const FieldColumn loan_columns[] = {
    { "employee_id", "employee_id" },
    { "lent_on", "lent_on" },
    { "due_on", "due_on" },
    { "telework_method", "telework_method" },
};
static const FieldColumn asset_columns[] = {
    { "asset_type", "type" },
    { "serial", "serial" },
    { "encryption_required", "encryption_required" },
    { "classification", "classification_max" },
    { "ownership", "ownership" },
};
static const FieldColumn medium_columns[] = {
    { "usb_vid", "vid" },
    { "usb_pid", "pid" },
    { "usb_serial", "usb_serial" },
    { "hardware_encrypted", "hardware_encrypted" },
    { "usb_manufacturer", "manufacturer" },
    { "usb_product", "product" },
    { "usb_descriptor_fingerprint", "fingerprint" },
};

/* Applies the fields of @c that name columns in @map to @row, after
 * checking that each old value is what @row holds (for a row the diff
 * says is new, @row starts empty).  Returns how many it applied. */
static guint
apply_fields (const KikanLedgerChange *c, const FieldColumn *map, gsize n, GHashTable *row)
{
    guint applied = 0;

    for (guint i = 0; i < c->fields->len; i++) {
        const KikanLedgerFieldChange *f = g_ptr_array_index (c->fields, i);

        for (gsize k = 0; k < n; k++) {
            g_autofree char *old_value = NULL;

            if (strcmp (f->field, map[k].field) != 0)
                continue;
            old_value = stored_value (f->field, f->old_value);
            if (g_strcmp0 (old_value, row_get (row, map[k].column)) != 0)
                fail_msg ("%s %s: the diff says it was %s, the store holds %s", c->asset_id,
                          f->field, f->old_value, row_get (row, map[k].column));
            g_hash_table_insert (row, g_strdup (map[k].column),
                                 stored_value (f->field, f->new_value));
            applied++;
        }
    }
    return applied;
}

/* A row of column, value pairs (a value may be NULL), ended by a NULL
 * column. */
static GHashTable *
row_with (const char *column, ...)
{
    GHashTable *row = row_new ();
    va_list ap;

    va_start (ap, column);
    for (; column != NULL; column = va_arg (ap, const char *))
        row_set (row, column, va_arg (ap, const char *));
    va_end (ap);
    return row;
}

/* What @d says the import does to the ledger tables of @l: every field
 * change, employee, loan opened and closed, and the bookkeeping of what
 * it writes (updated_at, registered_at/_by of the rows it changes). */
static void
apply_diff (Ledger *l, const KikanLedgerDiff *d, const char *now, const char *today)
{
    gint64 next_loan = 1;
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init (&it, l->loans);
    while (g_hash_table_iter_next (&it, &key, NULL))
        next_loan = MAX (next_loan, g_ascii_strtoll (key, NULL, 10) + 1);
    for (guint i = 0; i < d->new_employees->len; i++) {
        const KikanLedgerFieldChange *e = g_ptr_array_index (d->new_employees, i);

        assert_null (e->old_value);
        assert_false (g_hash_table_contains (l->employees, e->field));
        g_hash_table_insert (l->employees, g_strdup (e->field),
                             row_with ("id", e->field, "name", e->new_value, "department", NULL,
                                       "email", NULL, "active", "1", "updated_at", now, NULL));
    }
    for (guint i = 0; i < d->renamed->len; i++) {
        const KikanLedgerFieldChange *e = g_ptr_array_index (d->renamed, i);
        GHashTable *row = g_hash_table_lookup (l->employees, e->field);

        assert_non_null (row);
        assert_string_equal (row_get (row, "name"), e->old_value);
        row_set (row, "name", e->new_value);
        row_set (row, "updated_at", now);
    }
    for (guint i = 0; i < d->changes->len; i++) {
        const KikanLedgerChange *c = g_ptr_array_index (d->changes, i);
        GHashTable *asset = g_hash_table_lookup (l->assets, c->asset_id);
        GHashTable *medium = g_hash_table_lookup (l->media, c->asset_id);
        GHashTable *loan = NULL;
        g_autofree char *loan_key = g_strdup_printf ("%" G_GINT64_FORMAT, c->loan_id);

        if (c->kind != KIKAN_LEDGER_ADDED)
            assert_non_null (loan = g_hash_table_lookup (l->loans, loan_key));
        if (c->kind == KIKAN_LEDGER_REMOVED) {
            const char *lent_on = row_get (loan, "lent_on");

            assert_int_equal (c->fields->len, 0);
            row_set (loan, "returned_on", strcmp (today, lent_on) >= 0 ? today : lent_on);
            row_set (loan, "note", "removed by import");
            continue;
        }

        /* The asset: new ones start empty but for the columns no import
         * writes. */
        assert_int_equal (c->new_asset, asset == NULL);
        if (asset == NULL) {
            asset = row_with ("id", c->asset_id, "type", NULL, "serial", NULL, "model", NULL,
                              "ownership", NULL, "encryption_required", NULL, "classification_max",
                              NULL, "status", "in_service", "updated_at", NULL, NULL);
            g_hash_table_insert (l->assets, g_strdup (c->asset_id), asset);
        }
        if (apply_fields (c, asset_columns, G_N_ELEMENTS (asset_columns), asset) > 0)
            row_set (asset, "updated_at", now);

        /* The medium: a new one, or a new identity, is registered by the
         * import. */
        if (medium == NULL) {
            g_autoptr (GHashTable) fresh = row_with (
                "asset_id", c->asset_id, "vid", NULL, "pid", NULL, "usb_serial", NULL,
                "manufacturer", NULL, "product", NULL, "fingerprint", NULL, "hardware_encrypted",
                NULL, "registered_at", NULL, "registered_by", NULL, NULL);

            if (apply_fields (c, medium_columns, G_N_ELEMENTS (medium_columns), fresh) > 0) {
                row_set (fresh, "registered_at", now);
                row_set (fresh, "registered_by", "ledger import");
                g_hash_table_insert (l->media, g_strdup (c->asset_id), g_steal_pointer (&fresh));
            }
        } else if (apply_fields (c, medium_columns, 3, medium) > 0) {
            apply_fields (c, medium_columns + 3, G_N_ELEMENTS (medium_columns) - 3, medium);
            row_set (medium, "registered_at", now);
            row_set (medium, "registered_by", "ledger import");
        } else {
            apply_fields (c, medium_columns + 3, G_N_ELEMENTS (medium_columns) - 3, medium);
        }

        /* The loan: opened, corrected, or closed and opened for the new
         * holder. */
        if (c->kind == KIKAN_LEDGER_CHANGED && !c->new_holder) {
            apply_fields (c, loan_columns, G_N_ELEMENTS (loan_columns), loan);
            continue;
        }
        {
            g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, next_loan++);
            /* A new holder's loan starts from the old one's values, an
             * added one from the change's holder and date. */
            GHashTable *opened
                = row_with ("id", id, "asset_id", c->asset_id, "employee_id", c->employee_id,
                            "lent_on", c->lent_on, "due_on", NULL, "telework_method", NULL,
                            "returned_on", NULL, "return_session", NULL, "note", NULL, NULL);

            if (loan != NULL) {
                row_set (opened, "employee_id", row_get (loan, "employee_id"));
                row_set (opened, "lent_on", row_get (loan, "lent_on"));
                row_set (opened, "due_on", row_get (loan, "due_on"));
                row_set (opened, "telework_method", row_get (loan, "telework_method"));
            }
            apply_fields (c, loan_columns, G_N_ELEMENTS (loan_columns), opened);
            assert_string_equal (row_get (opened, "employee_id"), c->employee_id);
            assert_string_equal (row_get (opened, "lent_on"), c->lent_on);
            if (loan != NULL) {
                const char *lent_on = row_get (loan, "lent_on");
                g_autofree char *note
                    = g_strdup_printf ("transferred to %s by import", c->employee_id);

                row_set (loan, "returned_on", strcmp (today, lent_on) >= 0 ? today : lent_on);
                row_set (loan, "note", note);
            }
            g_hash_table_insert (l->loans, g_strdup (id), opened);
        }
    }
}

/* A random file as the asset tool could write it: any optional columns,
 * five employees, some of the 30 assets not lent, each value sometimes
 * changed from the last file. */
static void
append_random_file_any_columns (GString *out, GRand *rand, int round)
{
    static const char *const types[] = { "laptop", "usb", "phone", "token", "other" };
    static const char *const classes[] = { "public", "internal", "confidential" };
    static const char *const owners[] = { "company", "leased", "personal" };
    static const char *const serials[] = { "", "S0", "S1", "S2" };
    gboolean due = g_rand_boolean (rand), method = g_rand_boolean (rand);
    gboolean cls = g_rand_boolean (rand), own = g_rand_boolean (rand);
    gboolean usb = g_rand_int_range (rand, 0, 4) != 0;
    gboolean serial = usb && g_rand_boolean (rand), hw = usb && g_rand_boolean (rand);

    g_string_append (out, HEADER);
    g_string_append_printf (out, "%s%s%s%s%s%s%s\r\n", due ? ",due_on" : "",
                            method ? ",telework_method" : "", cls ? ",classification" : "",
                            own ? ",ownership" : "", usb ? ",usb_vid,usb_pid" : "",
                            serial ? ",usb_serial" : "", hw ? ",hardware_encrypted" : "");
    for (int a = 0; a < 30; a++) {
        int e = g_rand_int_range (rand, 0, 5);
        /* Mostly a fixed type per asset; now and then the tool says
         * another. */
        const char *type = g_rand_int_range (rand, 0, 10) == 0
                               ? types[g_rand_int_range (rand, 0, 5)]
                               : types[a % 5];

        if (g_rand_int_range (rand, 0, 4) == 0)
            continue; /* not lent in this file */
        g_string_append_printf (out, "E%d,\"社員 %d%s\",A-%02d,%s,%s,%s,2026-%02d-%02d", e, e,
                                (e + round) % 3 == 0 && round % 2 ? ", 新" : "", a, type,
                                serials[g_rand_int_range (rand, 0, 4)],
                                g_rand_boolean (rand) ? "yes" : "no",
                                g_rand_int_range (rand, 1, 12), g_rand_int_range (rand, 1, 29));
        if (due) {
            g_string_append_c (out, ',');
            if (g_rand_boolean (rand))
                g_string_append_printf (out, "2026-12-%02d", g_rand_int_range (rand, 1, 32));
        }
        if (method)
            g_string_append_printf (out, ",%s", g_rand_boolean (rand) ? "\"VPN,\nRDP\"" : "");
        if (cls)
            g_string_append_printf (
                out, ",%s",
                g_rand_int_range (rand, 0, 4) == 0 ? "" : classes[g_rand_int_range (rand, 0, 3)]);
        if (own)
            g_string_append_printf (out, ",%s", owners[g_rand_int_range (rand, 0, 3)]);
        /* USB sticks carry an identity, now and then another one. */
        if (usb && a % 5 == 1)
            g_string_append_printf (out, ",0781,%04x", g_rand_int_range (rand, 1, 3));
        else if (usb)
            g_string_append (out, ",,");
        if (serial && a % 5 == 1)
            g_string_append_printf (out, ",U%d-%d", a, g_rand_int_range (rand, 0, 2));
        else if (serial)
            g_string_append (out, ",");
        if (hw && a % 5 == 1)
            g_string_append_printf (out, ",%s", g_rand_boolean (rand) ? "yes" : "no");
        else if (hw)
            g_string_append (out, ",");
        g_string_append (out, "\r\n");
    }
}

static void
fail_first_difference (int round, const char *expected, const char *actual)
{
    g_auto (GStrv) e = g_strsplit (expected, "\n", -1);
    g_auto (GStrv) a = g_strsplit (actual, "\n", -1);
    guint i = 0;

    while (e[i] != NULL && a[i] != NULL && strcmp (e[i], a[i]) == 0)
        i++;
    fail_msg ("round %d: the import wrote other than its diff says.\n"
              "the diff says: %s\nthe store has: %s",
              round, e[i] != NULL ? e[i] : "(end)", a[i] != NULL ? a[i] : "(end)");
}

/* Random files into a store that also changes between imports the way a
 * kiosk does (loans handed back at the kiosk or with `return`, descriptors
 * recorded for sticks): after each import the ledger tables are exactly
 * those before it with the diff applied, no more and no less, so a write
 * that the diff does not list fails here (KR-02), as does a listed one
 * the import does not make.  The preview's fingerprint is the import's. */
static void
test_random_imports_write_exactly_the_diff (void **state)
{
    g_autoptr (KikanStore) store = NULL;
    g_autoptr (GRand) rand = g_rand_new_with_seed (20261205);
    guint kiosk_rows = 0, rewrites_unlent = 0, cleared = 0, new_holders = 0;

    for (int round = 0; round < 40; round++) {
        g_autoptr (GString) text = g_string_new (NULL);
        g_autoptr (KikanLedgerFile) f = NULL;
        g_autoptr (KikanLedgerDiff) preview = NULL;
        g_autoptr (KikanLedgerDiff) d = NULL;
        g_autoptr (GError) error = NULL;
        g_autofree char *clock = g_strdup_printf ("%d", 1796299200 + round * 86400);
        g_autofree char *now = NULL;
        g_autofree char *today = NULL;
        g_autofree char *expected = NULL;
        g_autofree char *actual = NULL;
        gint64 logged;
        Ledger l = { 0 };

        g_setenv ("KIKAN_FAKE_NOW", clock, TRUE);
        if (store == NULL)
            store = open_store ();
        now = kikan_store_now_iso ();
        today = kikan_store_today ();
        append_random_file_any_columns (text, rand, round);
        f = parse_ok (text->str, (gssize)text->len);

        ledger_read (store, &l);
        logged = count (store, "SELECT count(*) FROM ledger_changes");
        preview = kikan_ledger_diff (store, f, &error);
        assert_non_null (preview);
        if (!kikan_ledger_import (store, f, KIKAN_LEDGER_IMPORT_DEFAULT, preview->fingerprint, &d,
                                  &error))
            fail_msg ("round %d: %s", round, error->message);
        apply_diff (&l, d, now, today);
        expected = ledger_dump (&l);
        ledger_clear (&l);
        ledger_read (store, &l);
        actual = ledger_dump (&l);
        ledger_clear (&l);
        if (strcmp (expected, actual) != 0)
            fail_first_difference (round, expected, actual);
        assert_int_equal (count (store, "SELECT count(*) FROM ledger_changes"), logged + 1);
        kiosk_rows += d->returned_at_kiosk;
        for (guint i = 0; i < d->changes->len; i++) {
            const KikanLedgerChange *c = g_ptr_array_index (d->changes, i);

            if (c->kind == KIKAN_LEDGER_ADDED && !c->new_asset && c->fields->len > 0)
                rewrites_unlent++;
            cleared += field_new (c, "usb_descriptor_fingerprint") != NULL;
            new_holders += c->new_holder;
        }

        /* Between imports, the kiosk: a few loans handed back at a
         * check-in or with `return`, a stick's descriptors recorded. */
        for (int k = 0; k < 3; k++) {
            g_autofree char *asset = g_strdup_printf ("A-%02d", g_rand_int_range (rand, 0, 30));
            g_autofree char *open = g_strdup_printf (
                "SELECT count(*) FROM loans WHERE asset_id = '%s' AND returned_on IS NULL", asset);

            if (count (store, open) == 0)
                continue;
            if (g_rand_boolean (rand)) {
                return_at_kiosk (store, asset);
            } else {
                assert_true (kikan_ledger_return (store, asset, NULL, &error));
            }
        }
        {
            g_autofree char *sql = g_strdup_printf (
                "UPDATE media SET manufacturer = 'Maker', product = 'Stick', fingerprint = "
                "'f00d' WHERE asset_id = 'A-%02d'",
                5 * g_rand_int_range (rand, 0, 6) + 1);

            assert_true (kikan_store_exec (store, sql, &error));
        }
    }
    /* The cases this test is for did occur. */
    assert_true (kiosk_rows > 0);
    assert_true (rewrites_unlent > 0);
    assert_true (cleared > 0);
    assert_true (new_holders > 0);
    g_unsetenv ("KIKAN_FAKE_NOW");
}

/* ------------------------------------------------------------ API of the check-in */

static void
test_lookups_lend_and_return (void **state)
{
    g_autoptr (KikanStore) store = open_store ();
    g_autoptr (KikanLedgerDiff) first = import_text (store, base_file);
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) loans = NULL;
    g_autoptr (KikanAsset) a = NULL;
    g_autoptr (KikanEmployee) e = NULL;
    g_autoptr (KikanMedium) m = NULL;
    const KikanLoan *l;
    gint64 id;

    e = kikan_ledger_find_employee (store, "E1001", &error);
    assert_string_equal (e->name, "山田 太郎");
    g_clear_pointer (&e, kikan_employee_free);
    e = kikan_ledger_find_employee (store, "E9999", &error);
    assert_null (e);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND));
    g_clear_error (&error);

    loans = kikan_ledger_list_open_loans (store, "E1001", &error);
    assert_int_equal (loans->len, 2);
    l = g_ptr_array_index (loans, 0);
    assert_string_equal (l->asset_id, "LT-0003");
    assert_string_equal (l->asset_type, "laptop");
    assert_string_equal (l->serial, "PF3K");
    assert_true (l->encryption_required);
    assert_string_equal (l->classification, "internal");
    assert_string_equal (l->lent_on, "2026-10-01");
    assert_string_equal (l->due_on, "2026-12-25");
    assert_true (l->id > 0);

    a = kikan_ledger_find_asset_by_tag_or_serial (store, "IMEI1", &error);
    assert_string_equal (a->id, "PH-0021");
    g_clear_pointer (&a, kikan_asset_free);
    a = kikan_ledger_find_asset_by_tag_or_serial (store, "USB-0007", &error);
    assert_string_equal (a->type, "usb");
    g_clear_pointer (&a, kikan_asset_free);
    a = kikan_ledger_find_asset (store, "NOPE", &error);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND));
    g_clear_error (&error);

    m = kikan_ledger_find_medium (store, 0x0781, 0x5581, "U8", &error);
    assert_string_equal (m->asset_id, "USB-0008");
    g_clear_pointer (&m, kikan_medium_free);
    m = kikan_ledger_find_medium (store, 0x0781, 0x5581, "OTHER", &error);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND));
    assert_non_null (strstr (error->message, "INV-06"));
    g_clear_error (&error);
    m = kikan_ledger_find_medium_by_asset (store, "USB-0007", &error);
    assert_int_equal (m->vid, 0x0781);
    assert_string_equal (m->usb_serial, "U7");
    g_clear_pointer (&m, kikan_medium_free);

    /* Lending what is lent is refused; returning frees it. */
    id = kikan_ledger_lend (store, "USB-0007", "E1002", NULL, NULL, NULL, &error);
    assert_int_equal (id, 0);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT));
    g_clear_error (&error);
    assert_true (kikan_ledger_return (store, "USB-0007", NULL, &error));
    assert_false (kikan_ledger_return (store, "USB-0007", NULL, &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_FOUND));
    g_clear_error (&error);
    id = kikan_ledger_lend (store, "USB-0007", "E1002", NULL, "2099-01-01", "VPN", &error);
    assert_true (id > 0);

    /* Closing inside the caller's transaction; never before the loan began. */
    assert_true (kikan_store_begin (store, &error));
    assert_false (kikan_ledger_close_loan (store, id, "2000-01-01", 0, NULL, &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT));
    g_clear_error (&error);
    assert_true (kikan_ledger_close_loan (store, id, "2099-12-31", 0, "checked in", &error));
    kikan_store_rollback (store);
    assert_int_equal (count (store, "SELECT count(*) FROM loans WHERE returned_on IS NULL "
                                    "AND asset_id = 'USB-0007'"),
                      1);

    /* Media register from the command line's function. */
    assert_false (kikan_ledger_register_medium (store, "USB-0007", 1, 2, NULL, FALSE, "it01",
                                                FALSE, &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFLICT));
    g_clear_error (&error);
    assert_true (
        kikan_ledger_register_medium (store, "USB-0007", 1, 2, NULL, TRUE, "it01", TRUE, &error));
    m = kikan_ledger_find_medium (store, 1, 2, NULL, &error);
    assert_non_null (m);
    assert_true (m->hardware_encrypted);
    assert_string_equal (m->registered_by, "it01");
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown (f, test_home_setup, test_home_teardown)
        T (test_parse_bom_crlf_quotes_japanese),
        T (test_parse_lf_no_final_newline_and_blank_rows),
        T (test_parse_example_file),
        T (test_malformed_named_and_store_unchanged),
        T (test_many_problems_listed_and_counted),
        T (test_refused_row_forgotten),
        T (test_oversized_file_refused),
        T (test_too_many_rows_refused),
        T (test_dry_run_reports_exactly_and_changes_nothing),
        T (test_import_applies_the_diff),
        T (test_import_is_all_or_nothing),
        T (test_import_refuses_a_stale_preview),
        T (test_import_refuses_an_empty_file_unless_allowed),
        T (test_export_then_import_is_a_noop),
        T (test_random_imports_make_the_ledger_the_file),
        T (test_added_row_lists_the_asset_and_medium_it_rewrites),
        T (test_preview_refused_when_the_asset_it_rewrites_changed),
        T (test_row_returned_at_kiosk_writes_nothing),
        T (test_random_imports_write_exactly_the_diff),
        T (test_lookups_lend_and_return),
#undef T
    };

    return cmocka_run_group_tests (tests, test_home_group_setup, test_home_group_teardown);
}
