/* Kikan kiosk: the ledger CSV of the asset-management tool (Admin B-2,
 * KR-02; docs/ledger.md).
 *
 * The file is hostile input: it is read with libcsv (strict RFC 4180
 * quoting), validated completely into memory, and only then compared with
 * or applied to the store.  Any problem names the file's line (of the
 * record's first byte; newlines inside quotes count) and column (in
 * characters, 1-based, of the field's first byte), and nothing is
 * imported.
 */
#pragma once

#include <glib.h>

#include "store-private.h"

/* Sanity caps: a real ledger is far smaller; a bigger file is a mistake
 * (the wrong export) or an attack on the kiosk's memory. */
#define KIKAN_LEDGER_MAX_BYTES (64 * 1024 * 1024)
#define KIKAN_LEDGER_MAX_ROWS 1000000
#define KIKAN_LEDGER_MAX_ID 64     /* bytes, employee_id and asset_id */
#define KIKAN_LEDGER_MAX_TEXT 1024 /* bytes, every other known field */
/* At most this many problems are listed; the count says how many more. */
#define KIKAN_LEDGER_MAX_PROBLEMS 20

/* The optional known columns a file may carry (bit set when present). */
typedef enum {
    KIKAN_LEDGER_COL_DUE_ON = 1 << 0,
    KIKAN_LEDGER_COL_TELEWORK_METHOD = 1 << 1,
    KIKAN_LEDGER_COL_CLASSIFICATION = 1 << 2,
    KIKAN_LEDGER_COL_OWNERSHIP = 1 << 3,
    KIKAN_LEDGER_COL_USB_VID = 1 << 4,
    KIKAN_LEDGER_COL_USB_PID = 1 << 5,
    KIKAN_LEDGER_COL_USB_SERIAL = 1 << 6,
    KIKAN_LEDGER_COL_HARDWARE_ENCRYPTED = 1 << 7,
} KikanLedgerColumns;

/* One validated row: a loan, its employee, its asset and, when the
 * usb_vid/usb_pid cells are filled, its media register entry.  Optional
 * columns absent from the file leave the stored value as it is;
 * present but empty cells mean "none" (dates, method, USB serial) or the
 * default (classification internal, ownership company). */
typedef struct {
    guint line;
    char *employee_id;
    char *employee_name;
    char *asset_id;
    char *asset_type; /* normalised to lower case */
    char *serial;     /* NULL when empty */
    gboolean encryption_required;
    char *lent_on;
    char *due_on;          /* NULL when empty or absent */
    char *telework_method; /* NULL when empty or absent */
    char *classification;  /* NULL when absent */
    char *ownership;       /* NULL when absent */
    gboolean has_medium;   /* usb_vid and usb_pid filled */
    guint16 usb_vid;
    guint16 usb_pid;
    char *usb_serial; /* NULL when empty or absent */
    gboolean hardware_encrypted;
} KikanLedgerRow;

typedef struct {
    char *name; /* as given, for messages (not escaped) */
    char sha256[65];
    gsize size;
    guint columns;   /* KikanLedgerColumns present */
    GPtrArray *rows; /* KikanLedgerRow, in file order */
} KikanLedgerFile;

void kikan_ledger_file_free (KikanLedgerFile *f); /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanLedgerFile, kikan_ledger_file_free)

/* Parses and validates @len bytes of @data (a whole file; @name is used
 * in messages).  NULL with KIKAN_ERROR_CSV when anything is wrong: the
 * message's first line says what and what to do, then one line per
 * problem, "line L, column C (field): what".  No store is needed. */
KikanLedgerFile *kikan_ledger_csv_parse (const char *data, gsize len, const char *name,
                                         GError **error);
/* Reads @path (at most KIKAN_LEDGER_MAX_BYTES) and parses it. */
KikanLedgerFile *kikan_ledger_csv_load (const char *path, GError **error);

/* The ledger's open loans as CSV (all known columns, header first, CRLF,
 * RFC 4180 quoting, UTF-8 without BOM), ordered by asset ID: importing
 * it into the same store changes nothing. */
gboolean kikan_ledger_csv_export (KikanStore *store, GString *out, GError **error);

/* ------------------------------------------------------------ import */

typedef enum {
    KIKAN_LEDGER_ADDED,
    KIKAN_LEDGER_CHANGED,
    KIKAN_LEDGER_REMOVED,
} KikanLedgerChangeKind;

typedef struct {
    char *field;     /* "employee_id", "due_on", "usb_serial", … */
    char *old_value; /* NULL: none */
    char *new_value; /* NULL: none */
} KikanLedgerFieldChange;

typedef struct {
    KikanLedgerChangeKind kind;
    char *asset_id;
    char *employee_id; /* the file's holder; the store's for removed */
    char *lent_on;
    guint line;          /* 0 for removed */
    gint64 loan_id;      /* the store's open loan (changed, removed), else 0 */
    gboolean new_holder; /* changed: another employee holds it now */
    gboolean new_asset;  /* added: the asset is not in the store yet */
    /* KikanLedgerFieldChange, for added and changed: every value the
     * import writes for this row that differs from what the store holds,
     * in the loan (added: due_on, telework_method; changed: employee_id,
     * lent_on, due_on, telework_method), in the asset (asset_type, serial,
     * encryption_required, classification, ownership) and in the media
     * register (usb_vid, usb_pid, usb_serial, hardware_encrypted; a new
     * identity also clears usb_manufacturer, usb_product and
     * usb_descriptor_fingerprint).  Old values are the store's whether or
     * not the asset is on loan; NULL for a new asset or medium.  Removed:
     * empty (the loan is closed, nothing else is written). */
    GPtrArray *fields;
} KikanLedgerChange;

/* Every write of an import is in its diff, and the import writes nothing
 * else (KR-02): the changes' fields, the employees added and renamed, the
 * loans opened and closed, and the import's own bookkeeping (updated_at,
 * registered_at/_by of what it writes, one ledger_changes row). */
typedef struct {
    GPtrArray *changes; /* KikanLedgerChange: added and changed in file order, then removed */
    GPtrArray *renamed; /* KikanLedgerFieldChange: field = employee ID, old → new name */
    /* KikanLedgerFieldChange: field = employee ID, old NULL, new = name. */
    GPtrArray *new_employees;
    guint added, changed, removed, unchanged;
    guint employees_added, employees_renamed;
    /* Rows for loans handed back at the kiosk that the asset tool does not
     * know of yet (the row's loan began on or before that return): kept
     * returned, not opened again, and nothing else of the row is written
     * either (not its asset, medium or employee): the asset tool's view of
     * an item it still thinks is lent is older than the kiosk's. */
    guint returned_at_kiosk;
    /* Why the file cannot be imported as it is (a new loan of an asset IT
     * still holds after a check-in, naming its line), or NULL. */
    char *refusal;
    /* SHA-256 (hex) over the file's SHA-256 and everything above, field
     * changes included: two diffs with the same fingerprint make the same
     * writes.  A preview
     * hands it to the import that IT confirms, which refuses when the
     * file or the store has changed since (KR-02). */
    char *fingerprint;
} KikanLedgerDiff;

void kikan_ledger_diff_free (KikanLedgerDiff *d); /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanLedgerDiff, kikan_ledger_diff_free)

/* What importing @file into @store would change; @store NULL compares
 * with an empty ledger.  Reads only. */
KikanLedgerDiff *kikan_ledger_diff (KikanStore *store, const KikanLedgerFile *file,
                                    GError **error);

typedef enum {
    KIKAN_LEDGER_IMPORT_DEFAULT = 0,
    /* Accept a file that lists no loans although the store has open ones.
     * A header and no rows is what a failed export from the asset tool
     * looks like; taken as "nobody holds anything" it would close every
     * loan, and every missing item would pass unnoticed (KR-03). */
    KIKAN_LEDGER_IMPORT_ALLOW_EMPTY = 1 << 0,
} KikanLedgerImportFlags;

/* Imports @file: in one transaction, makes exactly the writes its diff
 * lists (employees and assets, loans added and changed, open loans absent
 * from the file closed with returned_on the import date and the note
 * "removed by import", the media register) and writes a ledger_changes
 * row with the file's SHA-256, the diff's fingerprint and the counts.
 * All or nothing.  *@diff_out (may be NULL) gets what was changed.
 *
 * Refused, changing nothing: a diff with a refusal (KIKAN_ERROR_CONFLICT);
 * a file of no loans that would close open ones, unless @flags allow it
 * (KIKAN_ERROR_LEDGER_EMPTY); and, when @previewed is not NULL, a diff
 * whose fingerprint is not @previewed (KIKAN_ERROR_LEDGER_CHANGED): what
 * IT confirmed is what they saw, even if the file was rewritten or the
 * store changed (another import, a check-in) after the preview. */
gboolean kikan_ledger_import (KikanStore *store, const KikanLedgerFile *file,
                              KikanLedgerImportFlags flags, const char *previewed,
                              KikanLedgerDiff **diff_out, GError **error);
