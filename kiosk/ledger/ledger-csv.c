/* Kikan kiosk: reading and writing the ledger CSV (Admin B-2; docs/ledger.md).
 *
 * libcsv is fed ONE byte at a time: its callbacks then fire while a known
 * byte is being read, so each field's first byte, and the byte where a
 * quoting error is found, have exact offsets, and every problem can name
 * a line and a column.  A real ledger is a few hundred kilobytes; even the
 * 64 MiB cap reads in well under a second this way. */
#include "ledger-csv-private.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "error-private.h"
#include "format-private.h"
#include "escape-private.h"
#include "ledger-private.h"

/* The known columns, in the order export writes them.  The first
 * N_REQUIRED must be in every file (Admin B-2, issue #9). */
enum {
    F_EMPLOYEE_ID,
    F_EMPLOYEE_NAME,
    F_ASSET_ID,
    F_ASSET_TYPE,
    F_SERIAL,
    F_ENCRYPTION_REQUIRED,
    F_LENT_ON,
    F_DUE_ON,
    F_TELEWORK_METHOD,
    F_CLASSIFICATION,
    F_OWNERSHIP,
    F_USB_VID,
    F_USB_PID,
    F_USB_SERIAL,
    F_HARDWARE_ENCRYPTED,
    N_FIELDS
};
#define N_REQUIRED 7

static const char *const field_names[N_FIELDS] = {
    "employee_id",         "employee_name", "asset_id", "asset_type",      "serial",
    "encryption_required", "lent_on",       "due_on",   "telework_method", "classification",
    "ownership",           "usb_vid",       "usb_pid",  "usb_serial",      "hardware_encrypted",
};

/* The KikanLedgerColumns bit of each optional field. */
static const guint field_bits[N_FIELDS] = {
    [F_DUE_ON] = KIKAN_LEDGER_COL_DUE_ON,
    [F_TELEWORK_METHOD] = KIKAN_LEDGER_COL_TELEWORK_METHOD,
    [F_CLASSIFICATION] = KIKAN_LEDGER_COL_CLASSIFICATION,
    [F_OWNERSHIP] = KIKAN_LEDGER_COL_OWNERSHIP,
    [F_USB_VID] = KIKAN_LEDGER_COL_USB_VID,
    [F_USB_PID] = KIKAN_LEDGER_COL_USB_PID,
    [F_USB_SERIAL] = KIKAN_LEDGER_COL_USB_SERIAL,
    [F_HARDWARE_ENCRYPTED] = KIKAN_LEDGER_COL_HARDWARE_ENCRYPTED,
};

static const char *const asset_types[] = { "laptop", "usb", "phone", "token", "other", NULL };
static const char *const classifications[] = { "public", "internal", "confidential", NULL };
static const char *const ownerships[] = { "company", "leased", "personal", NULL };

void
kikan_ledger_file_free (KikanLedgerFile *f)
{
    if (f == NULL)
        return;
    g_free (f->name);
    if (f->rows != NULL)
        g_ptr_array_unref (f->rows);
    g_free (f);
}

static void
row_free (KikanLedgerRow *r)
{
    if (r == NULL)
        return;
    g_free (r->employee_id);
    g_free (r->employee_name);
    g_free (r->asset_id);
    g_free (r->asset_type);
    g_free (r->serial);
    g_free (r->lent_on);
    g_free (r->due_on);
    g_free (r->telework_method);
    g_free (r->classification);
    g_free (r->ownership);
    g_free (r->usb_serial);
    g_free (r);
}

/* ------------------------------------------------------------ positions */

typedef struct {
    gsize off; /* byte offset in the data */
    guint line;
    gsize line_start; /* offset of that line's first byte */
} Pos;

typedef struct {
    const char *data;
    gsize len;
    gsize begin; /* after a BOM */
    const char *name;

    /* Where the byte being fed lies. */
    Pos cur;
    gboolean at_field_start;
    gboolean in_record;
    Pos record_start;
    Pos field_start;

    GPtrArray *fields; /* char *, the current record */
    GArray *starts;    /* Pos, the first byte of each field */

    gboolean have_header;
    int column_of[N_FIELDS]; /* header index of each known field, -1 */
    guint n_columns;
    guint records;

    GPtrArray *problems;
    guint n_problems;
    gboolean stop;

    KikanLedgerFile *file;
    GHashTable *asset_lines;   /* asset_id → line (GUINT_TO_POINTER) */
    GHashTable *employee_rows; /* employee_id → KikanLedgerRow (borrowed) */
    GHashTable *usb_rows;      /* "vid:pid:serial" → KikanLedgerRow (borrowed) */
} Parser;

/* 1-based column in characters: UTF-8 continuation bytes do not count. */
static guint
column_of (const Parser *p, const Pos *pos)
{
    guint col = 1;
    gsize from = MAX (pos->line_start, p->begin);

    for (gsize i = from; i < pos->off && i < p->len; i++)
        if (((guchar)p->data[i] & 0xc0) != 0x80)
            col++;
    return col;
}

/* The position of byte @off, counted from the start (for the rare
 * problems found before the parse: encoding). */
static Pos
pos_of (const Parser *p, gsize off)
{
    Pos pos = { p->begin, 1, p->begin };

    for (gsize i = p->begin; i < off && i < p->len; i++) {
        if (p->data[i] == '\n'
            || (p->data[i] == '\r' && (i + 1 >= p->len || p->data[i + 1] != '\n'))) {
            pos.line++;
            pos.line_start = i + 1;
        }
    }
    pos.off = off;
    return pos;
}

/* A value from the file, shown in a message: escaped, cut at 40
 * characters. */
static char *
shown (const char *v)
{
    g_autofree char *cut = NULL;

    if (g_utf8_validate (v, -1, NULL) && g_utf8_strlen (v, -1) > 40) {
        g_autofree char *head = g_utf8_substring (v, 0, 40);

        cut = g_strconcat (head, "…", NULL);
    }
    return kikan_escape_for_display (cut != NULL ? cut : v, -1);
}

static void problem_at (Parser *p, const Pos *pos, int field, const char *fmt, ...)
    G_GNUC_PRINTF (4, 5);

static void
problem_at (Parser *p, const Pos *pos, int field, const char *fmt, ...)
{
    g_autofree char *what = NULL;
    va_list ap;

    p->n_problems++;
    if (p->problems->len >= KIKAN_LEDGER_MAX_PROBLEMS)
        return;
    va_start (ap, fmt);
    what = g_strdup_vprintf (fmt, ap);
    va_end (ap);
    /* A value after a quoted newline lies on a later line than its
     * record: name both, the value's place and the record's. */
    if (p->record_start.line > 0 && pos->line > p->record_start.line)
        g_ptr_array_add (p->problems,
                         g_strdup_printf ("line %u, column %u (%s%sthe record starts on line %u): "
                                          "%s",
                                          pos->line, column_of (p, pos),
                                          field >= 0 ? field_names[field] : "",
                                          field >= 0 ? "; " : "", p->record_start.line, what));
    else if (field >= 0)
        g_ptr_array_add (p->problems,
                         g_strdup_printf ("line %u, column %u (%s): %s", pos->line,
                                          column_of (p, pos), field_names[field], what));
    else
        g_ptr_array_add (p->problems, g_strdup_printf ("line %u, column %u: %s", pos->line,
                                                       column_of (p, pos), what));
}

/* ------------------------------------------------------------ values */

static gboolean
in_set (const char *v, const char *const *set)
{
    for (gsize i = 0; set[i] != NULL; i++)
        if (strcmp (v, set[i]) == 0)
            return TRUE;
    return FALSE;
}

/* NULL when @v is acceptable text, else why not.  Tabs and newlines pass
 * only where @multiline (free text: the telework method). */
static const char *
text_problem (const char *v, gboolean multiline, gsize max)
{
    if (strlen (v) > max)
        return max == KIKAN_LEDGER_MAX_ID ? "longer than 64 bytes" : "longer than 1024 bytes";
    for (const char *c = v; *c != '\0'; c = g_utf8_next_char (c)) {
        gsize n = (gsize)(g_utf8_next_char (c) - c);

        if (multiline && (*c == '\t' || *c == '\n' || *c == '\r'))
            continue;
        if (!kikan_escape_is_clean (c, (gssize)n))
            return "holds a control or invisible character";
    }
    return NULL;
}

static const char *
id_problem (const char *v)
{
    const char *why;

    if (v[0] == '\0')
        return "is empty";
    if ((why = text_problem (v, FALSE, KIKAN_LEDGER_MAX_ID)) != NULL)
        return why;
    for (const char *c = v; *c != '\0'; c = g_utf8_next_char (c))
        if (g_unichar_isspace (g_utf8_get_char (c)))
            return "holds a space";
    return NULL;
}

/* yes/no, any case; -1 when neither. */
static int
yes_no (const char *v)
{
    if (g_ascii_strcasecmp (v, "yes") == 0)
        return 1;
    if (g_ascii_strcasecmp (v, "no") == 0)
        return 0;
    return -1;
}

/* 1 to 4 hex digits, optionally after 0x. */
static gboolean
parse_hex16 (const char *v, guint16 *out)
{
    guint64 x;
    const char *d = v;

    if (g_ascii_strncasecmp (d, "0x", 2) == 0)
        d += 2;
    if (d[0] == '\0' || strlen (d) > 4)
        return FALSE;
    for (const char *c = d; *c != '\0'; c++)
        if (!g_ascii_isxdigit (*c))
            return FALSE;
    x = g_ascii_strtoull (d, NULL, 16);
    *out = (guint16)x;
    return TRUE;
}

/* ------------------------------------------------------------ records */

/* A spreadsheet runs a cell that starts with = + - @ as a formula: the
 * export writes one apostrophe before such a value (and before one that
 * already starts with apostrophes and then one of those), and the import
 * takes exactly one away again, so that export → import changes nothing
 * (CSV injection, OWASP; kikan_csv_formula_guarded, shared with the audit
 * export). */
#define formula_guarded kikan_csv_formula_guarded

static const char *
cell (Parser *p, int field)
{
    int c = p->column_of[field];
    const char *v = c >= 0 ? g_ptr_array_index (p->fields, c) : NULL;

    if (v != NULL && v[0] == '\'' && formula_guarded (v))
        return v + 1;
    return v;
}

/* TRUE when @v shows nothing: only spaces (any Unicode space, NBSP and
 * U+3000 included), separators, format or control characters. */
static gboolean
shows_nothing (const char *v)
{
    if (!g_utf8_validate (v, -1, NULL))
        return FALSE;  /* said elsewhere: not UTF-8 */
    for (; *v != '\0'; v = g_utf8_next_char (v)) {
        switch (g_unichar_type (g_utf8_get_char (v))) {
        case G_UNICODE_CONTROL:
        case G_UNICODE_FORMAT:
        case G_UNICODE_LINE_SEPARATOR:
        case G_UNICODE_PARAGRAPH_SEPARATOR:
        case G_UNICODE_SPACE_SEPARATOR:
            continue;
        default:
            return FALSE;
        }
    }
    return TRUE;
}

/* A required cell: the header check made sure its column exists. */
static const char *
req (Parser *p, int field)
{
    const char *v = cell (p, field);

    g_assert (v != NULL);
    return v != NULL ? v : "";
}

static const Pos *
cell_pos (Parser *p, int field)
{
    return &g_array_index (p->starts, Pos, p->column_of[field]);
}

static void
process_header (Parser *p)
{
    g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    GString *missing = g_string_new (NULL);

    p->n_columns = p->fields->len;
    for (guint i = 0; i < p->fields->len; i++) {
        char *name = g_ascii_strdown (g_ptr_array_index (p->fields, i), -1);
        const Pos *pos = &g_array_index (p->starts, Pos, i);

        g_strstrip (name);
        /* Spreadsheets leave unnamed trailing columns: ignored like any
         * unknown column, and never "duplicates" of each other. */
        if (name[0] != '\0') {
            gpointer first;

            if (g_hash_table_lookup_extended (seen, name, NULL, &first)) {
                g_autofree char *s = shown (name);

                problem_at (
                    p, pos, -1,
                    "the column “%s” appears twice (first in column %u of the header); "
                    "each column may appear once",
                    s, column_of (p, &g_array_index (p->starts, Pos, GPOINTER_TO_UINT (first))));
            } else {
                g_hash_table_insert (seen, g_strdup (name), GUINT_TO_POINTER (i));
            }
            for (int f = 0; f < N_FIELDS; f++)
                if (strcmp (name, field_names[f]) == 0 && p->column_of[f] < 0)
                    p->column_of[f] = (int)i;
        }
        g_free (name);
    }
    for (int f = 0; f < N_REQUIRED; f++)
        if (p->column_of[f] < 0)
            g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "", field_names[f]);
    if (missing->len > 0)
        problem_at (p, &p->record_start, -1,
                    "the header has no column %s (required: employee_id, employee_name, "
                    "asset_id, asset_type, serial, encryption_required, lent_on, in any order)",
                    missing->str);
    if ((p->column_of[F_USB_VID] < 0) != (p->column_of[F_USB_PID] < 0))
        problem_at (p, &p->record_start, -1,
                    "usb_vid and usb_pid come together: the header "
                    "has only one of them");
    for (int f = N_REQUIRED; f < N_FIELDS; f++)
        if (p->column_of[f] >= 0)
            p->file->columns |= field_bits[f];
    g_string_free (missing, TRUE);
    /* Rows cannot be read against a broken header. */
    if (p->n_problems > 0)
        p->stop = TRUE;
}

/* Validates one data record into a row (added to the file when it has
 * no problem). */
static void
process_row (Parser *p)
{
    KikanLedgerRow *r;
    guint before = p->n_problems;
    const char *v;
    const char *why;
    gboolean all_empty = TRUE;
    int yn;

    for (guint i = 0; i < p->fields->len; i++)
        if (((const char *)g_ptr_array_index (p->fields, i))[0] != '\0')
            all_empty = FALSE;
    /* A row of empty cells (",,,,,,") is what spreadsheets leave at the
     * end: nothing to import, not an error. */
    if (all_empty)
        return;
    if (++p->records > KIKAN_LEDGER_MAX_ROWS) {
        guint listed = p->problems->len;

        problem_at (p, &p->record_start, -1,
                    "more than %u rows: this is not a ledger export "
                    "(split it, or check that it is the right file)",
                    KIKAN_LEDGER_MAX_ROWS);
        /* The reason the reading stopped comes first, whatever else was
         * found on the way. */
        if (p->problems->len == listed && listed > 0) {
            g_free (g_ptr_array_steal_index (p->problems, listed - 1));
            p->n_problems--;
            problem_at (p, &p->record_start, -1,
                        "more than %u rows: this is not a ledger "
                        "export (split it, or check that it is the "
                        "right file)",
                        KIKAN_LEDGER_MAX_ROWS);
        }
        if (p->problems->len > 1) {
            char *last = g_ptr_array_steal_index (p->problems, p->problems->len - 1);

            g_ptr_array_insert (p->problems, 0, last);
        }
        p->stop = TRUE;
        return;
    }
    if (p->fields->len != p->n_columns) {
        const Pos *pos = p->fields->len > p->n_columns
                             ? &g_array_index (p->starts, Pos, p->n_columns)
                             : &g_array_index (p->starts, Pos, p->fields->len - 1);

        problem_at (p, pos, -1,
                    "this row has %u fields but the header has %u (too %s); a "
                    "comma inside a value needs the value in double quotes",
                    p->fields->len, p->n_columns, p->fields->len > p->n_columns ? "many" : "few");
        return;
    }

    r = g_new0 (KikanLedgerRow, 1);
    r->line = p->record_start.line;

    v = req (p, F_EMPLOYEE_ID);
    if ((why = id_problem (v)) != NULL)
        problem_at (p, cell_pos (p, F_EMPLOYEE_ID), F_EMPLOYEE_ID, "the employee ID %s", why);
    r->employee_id = g_strdup (v);

    v = req (p, F_EMPLOYEE_NAME);
    if (v[0] == '\0' || shows_nothing (v))
        problem_at (p, cell_pos (p, F_EMPLOYEE_NAME), F_EMPLOYEE_NAME, "the name is empty");
    else if ((why = text_problem (v, FALSE, KIKAN_LEDGER_MAX_TEXT)) != NULL)
        problem_at (p, cell_pos (p, F_EMPLOYEE_NAME), F_EMPLOYEE_NAME, "the name %s", why);
    r->employee_name = g_strdup (v);

    v = req (p, F_ASSET_ID);
    if ((why = id_problem (v)) != NULL)
        problem_at (p, cell_pos (p, F_ASSET_ID), F_ASSET_ID, "the asset ID %s", why);
    r->asset_id = g_strdup (v);

    r->asset_type = g_ascii_strdown (req (p, F_ASSET_TYPE), -1);
    if (!in_set (r->asset_type, asset_types)) {
        g_autofree char *s = shown (req (p, F_ASSET_TYPE));

        problem_at (p, cell_pos (p, F_ASSET_TYPE), F_ASSET_TYPE,
                    "“%s” is not an asset type (laptop, usb, phone, token or other)", s);
    }

    v = req (p, F_SERIAL);
    if ((why = text_problem (v, FALSE, KIKAN_LEDGER_MAX_TEXT)) != NULL)
        problem_at (p, cell_pos (p, F_SERIAL), F_SERIAL, "the serial number %s", why);
    r->serial = v[0] != '\0' ? g_strdup (v) : NULL;

    yn = yes_no (req (p, F_ENCRYPTION_REQUIRED));
    if (yn < 0) {
        g_autofree char *s = shown (req (p, F_ENCRYPTION_REQUIRED));

        problem_at (p, cell_pos (p, F_ENCRYPTION_REQUIRED), F_ENCRYPTION_REQUIRED,
                    "“%s” is not yes or no", s);
    }
    r->encryption_required = yn == 1;

    v = req (p, F_LENT_ON);
    if (!kikan_ledger_date_is_valid (v)) {
        g_autofree char *s = shown (v);

        problem_at (p, cell_pos (p, F_LENT_ON), F_LENT_ON,
                    "“%s” is not a date written YYYY-MM-DD (a real day, from 1970)", s);
    }
    r->lent_on = g_strdup (v);

    if ((v = cell (p, F_DUE_ON)) != NULL && v[0] != '\0') {
        if (!kikan_ledger_date_is_valid (v)) {
            g_autofree char *s = shown (v);

            problem_at (p, cell_pos (p, F_DUE_ON), F_DUE_ON,
                        "“%s” is not a date written YYYY-MM-DD (leave it empty for no due date)",
                        s);
        } else if (kikan_ledger_date_is_valid (r->lent_on) && strcmp (v, r->lent_on) < 0) {
            /* Both are checked dates: nothing in them needs escaping. */
            problem_at (p, cell_pos (p, F_DUE_ON), F_DUE_ON,
                        "the item is due (%s) before it was lent (%s)", v, r->lent_on);
        }
        r->due_on = g_strdup (v);
    }

    if ((v = cell (p, F_TELEWORK_METHOD)) != NULL && v[0] != '\0') {
        if ((why = text_problem (v, TRUE, KIKAN_LEDGER_MAX_TEXT)) != NULL)
            problem_at (p, cell_pos (p, F_TELEWORK_METHOD), F_TELEWORK_METHOD,
                        "the telework method %s", why);
        r->telework_method = g_strdup (v);
    }

    if ((v = cell (p, F_CLASSIFICATION)) != NULL) {
        r->classification = v[0] != '\0' ? g_ascii_strdown (v, -1) : g_strdup ("internal");
        if (!in_set (r->classification, classifications)) {
            g_autofree char *s = shown (v);

            problem_at (p, cell_pos (p, F_CLASSIFICATION), F_CLASSIFICATION,
                        "“%s” is not a classification (public, internal or confidential)", s);
        }
    }
    if ((v = cell (p, F_OWNERSHIP)) != NULL) {
        r->ownership = v[0] != '\0' ? g_ascii_strdown (v, -1) : g_strdup ("company");
        if (!in_set (r->ownership, ownerships)) {
            g_autofree char *s = shown (v);

            problem_at (p, cell_pos (p, F_OWNERSHIP), F_OWNERSHIP,
                        "“%s” is not an ownership (company, leased or personal)", s);
        }
    }

    if (p->column_of[F_USB_VID] >= 0 && p->column_of[F_USB_PID] >= 0) {
        const char *vid = req (p, F_USB_VID);
        const char *pid = req (p, F_USB_PID);

        if (vid[0] != '\0' || pid[0] != '\0') {
            r->has_medium = TRUE;
            if (!parse_hex16 (vid, &r->usb_vid)) {
                g_autofree char *s = shown (vid);

                problem_at (p, cell_pos (p, F_USB_VID), F_USB_VID,
                            "“%s” is not a USB vendor ID (4 hex digits, e.g. 0781)", s);
            }
            if (!parse_hex16 (pid, &r->usb_pid)) {
                g_autofree char *s = shown (pid);

                problem_at (p, cell_pos (p, F_USB_PID), F_USB_PID,
                            "“%s” is not a USB product ID (4 hex digits, e.g. 5581)", s);
            }
        }
    }
    if ((v = cell (p, F_USB_SERIAL)) != NULL && v[0] != '\0') {
        if (!r->has_medium)
            problem_at (p, cell_pos (p, F_USB_SERIAL), F_USB_SERIAL,
                        "a USB serial needs usb_vid and usb_pid in the same row");
        else if ((why = text_problem (v, FALSE, KIKAN_LEDGER_MAX_TEXT)) != NULL)
            problem_at (p, cell_pos (p, F_USB_SERIAL), F_USB_SERIAL, "the USB serial %s", why);
        r->usb_serial = g_strdup (v);
    }
    if ((v = cell (p, F_HARDWARE_ENCRYPTED)) != NULL && v[0] != '\0') {
        yn = yes_no (v);
        if (yn < 0) {
            g_autofree char *s = shown (v);

            problem_at (p, cell_pos (p, F_HARDWARE_ENCRYPTED), F_HARDWARE_ENCRYPTED,
                        "“%s” is not yes or no", s);
        } else if (yn == 1 && !r->has_medium) {
            problem_at (p, cell_pos (p, F_HARDWARE_ENCRYPTED), F_HARDWARE_ENCRYPTED,
                        "a hardware-encrypted medium needs usb_vid and usb_pid in the same row");
        }
        r->hardware_encrypted = yn == 1;
    }

    /* Across rows: the file is one consistent picture of who holds what.
     * Only a row without problems enters the tables (they borrow it). */
    if (p->n_problems == before) {
        gpointer other;

        if (g_hash_table_lookup_extended (p->asset_lines, r->asset_id, NULL, &other)) {
            g_autofree char *s = shown (r->asset_id);

            problem_at (p, cell_pos (p, F_ASSET_ID), F_ASSET_ID,
                        "asset %s is already lent on line %u: an asset is lent to one person "
                        "at a time",
                        s, GPOINTER_TO_UINT (other));
        }
        other = g_hash_table_lookup (p->employee_rows, r->employee_id);
        if (other != NULL
            && strcmp (((KikanLedgerRow *)other)->employee_name, r->employee_name) != 0) {
            g_autofree char *s = shown (r->employee_id);

            problem_at (p, cell_pos (p, F_EMPLOYEE_NAME), F_EMPLOYEE_NAME,
                        "employee %s has another name on line %u; one employee has one name", s,
                        ((KikanLedgerRow *)other)->line);
        }
        if (r->has_medium && r->usb_serial != NULL) {
            g_autofree char *key
                = g_strdup_printf ("%04x:%04x:%s", r->usb_vid, r->usb_pid, r->usb_serial);

            other = g_hash_table_lookup (p->usb_rows, key);
            if (other != NULL) {
                g_autofree char *s = shown (((KikanLedgerRow *)other)->asset_id);

                problem_at (p, cell_pos (p, F_USB_SERIAL), F_USB_SERIAL,
                            "this USB identity is already asset %s's on line %u", s,
                            ((KikanLedgerRow *)other)->line);
            } else if (p->n_problems == before) {
                g_hash_table_insert (p->usb_rows, g_steal_pointer (&key), r);
            }
        }
    }
    if (p->n_problems != before) {
        row_free (r);
        return;
    }
    g_hash_table_insert (p->asset_lines, r->asset_id, GUINT_TO_POINTER (r->line));
    if (!g_hash_table_contains (p->employee_rows, r->employee_id))
        g_hash_table_insert (p->employee_rows, r->employee_id, r);
    g_ptr_array_add (p->file->rows, r);
}

/* libcsv: end of a field. */
static void
on_field (void *s, size_t len, void *data)
{
    Parser *p = data;

    g_ptr_array_add (p->fields, g_strndup (s != NULL ? s : "", len));
    g_array_append_val (p->starts, p->field_start);
    p->at_field_start = TRUE;
}

/* libcsv: end of a record. */
static void
on_record (int c, void *data)
{
    Parser *p = data;

    (void)c;
    if (p->fields->len > 0 && !p->stop) {
        if (!p->have_header) {
            p->have_header = TRUE;
            process_header (p);
        } else {
            process_row (p);
        }
    }
    g_ptr_array_set_size (p->fields, 0);
    g_array_set_size (p->starts, 0);
    p->at_field_start = TRUE;
    p->in_record = FALSE;
}

static void
fail_with_problems (Parser *p, GError **error)
{
    g_autofree char *name = kikan_escape_for_display (p->name, -1);
    GString *msg = g_string_new (NULL);

    g_string_append_printf (msg,
                            "%s cannot be imported: %u problem%s found; nothing was "
                            "imported. Correct the file and import it again.",
                            name, p->n_problems, p->n_problems == 1 ? "" : "s");
    for (guint i = 0; i < p->problems->len; i++)
        g_string_append_printf (msg, "\n  %s", (const char *)g_ptr_array_index (p->problems, i));
    if (p->n_problems > p->problems->len)
        g_string_append_printf (msg, "\n  … and %u more", p->n_problems - p->problems->len);
    g_set_error_literal (error, KIKAN_ERROR, KIKAN_ERROR_CSV, msg->str);
    g_string_free (msg, TRUE);
}

KikanLedgerFile *
kikan_ledger_csv_parse (const char *data, gsize len, const char *name, GError **error)
{
    g_autoptr (KikanLedgerFile) file = g_new0 (KikanLedgerFile, 1);
    g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
    struct csv_parser csv;
    Parser p = { 0 };
    const char *bad = NULL;
    gboolean ok = FALSE;

    g_return_val_if_fail (data != NULL || len == 0, NULL);
    file->name = g_strdup (name != NULL ? name : "ledger.csv");
    file->size = len;
    file->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)row_free);
    g_checksum_update (sum, (const guchar *)(data != NULL ? data : ""), len);
    g_strlcpy (file->sha256, g_checksum_get_string (sum), sizeof file->sha256);

    p.data = data != NULL ? data : "";
    p.len = len;
    p.name = file->name;
    p.file = file;
    p.problems = g_ptr_array_new_with_free_func (g_free);
    for (int f = 0; f < N_FIELDS; f++)
        p.column_of[f] = -1;
    /* A UTF-8 BOM (Excel's "CSV UTF-8") is not part of the first name. */
    if (len >= 3 && memcmp (p.data, "\xef\xbb\xbf", 3) == 0)
        p.begin = 3;

    if (len > KIKAN_LEDGER_MAX_BYTES) {
        Pos start = { p.begin, 1, p.begin };

        problem_at (&p, &start, -1,
                    "the file is larger than %u MiB: this is not a ledger "
                    "export (check that it is the right file)",
                    KIKAN_LEDGER_MAX_BYTES / (1024 * 1024));
        fail_with_problems (&p, error);
        g_ptr_array_unref (p.problems);
        return NULL;
    }
    /* Encoding first: a byte that is not UTF-8 makes every name suspect.
     * (g_utf8_validate_len also stops at a NUL byte.) */
    if (!g_utf8_validate_len (p.data + p.begin, len - p.begin, &bad)) {
        Pos at = pos_of (&p, (gsize)(bad - p.data));

        if (*bad == '\0')
            problem_at (&p, &at, -1, "a NUL byte: this is not a text file");
        else
            problem_at (&p, &at, -1,
                        "the byte 0x%02x is not UTF-8 (Excel's plain “CSV” is "
                        "Shift_JIS: save as “CSV UTF-8” instead)",
                        (guchar)*bad);
        fail_with_problems (&p, error);
        g_ptr_array_unref (p.problems);
        return NULL;
    }

    p.fields = g_ptr_array_new_with_free_func (g_free);
    p.starts = g_array_new (FALSE, FALSE, sizeof (Pos));
    p.asset_lines = g_hash_table_new (g_str_hash, g_str_equal);
    p.employee_rows = g_hash_table_new (g_str_hash, g_str_equal);
    p.usb_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    p.at_field_start = TRUE;
    p.cur.line = 1;
    p.cur.line_start = p.begin;

    if (csv_init (&csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED, "Out of memory reading the ledger.");
        goto out;
    }
    for (gsize i = p.begin; i < len && !p.stop; i++) {
        char c = p.data[i];

        p.cur.off = i;
        if (!p.in_record && (c == '\r' || c == '\n')) {
            /* Between records: libcsv skips blank lines. */
        } else {
            if (!p.in_record) {
                p.in_record = TRUE;
                p.record_start = p.cur;
            }
            if (p.at_field_start) {
                p.at_field_start = FALSE;
                p.field_start = p.cur;
            }
        }
        if (csv_parse (&csv, &p.data[i], 1, on_field, on_record, &p) != 1) {
            problem_at (&p, &p.cur, -1,
                        "a double quote where CSV does not allow one: a value holding quotes "
                        "must be wholly in double quotes, with each quote inside doubled (\"\")");
            p.stop = TRUE;
            break;
        }
        if (c == '\n' || (c == '\r' && (i + 1 >= len || p.data[i + 1] != '\n'))) {
            p.cur.line++;
            p.cur.line_start = i + 1;
        }
    }
    if (!p.stop) {
        p.cur.off = len;
        if (csv_fini (&csv, on_field, on_record, &p) != 0)
            problem_at (&p, &p.field_start, -1,
                        "this quoted value never ends: its closing double quote is missing");
    }
    csv_free (&csv);

    if (!p.have_header && p.n_problems == 0) {
        Pos start = { p.begin, 1, p.begin };

        problem_at (&p, &start, -1,
                    "the file is empty: the first row must name the columns "
                    "(employee_id, employee_name, asset_id, asset_type, serial, "
                    "encryption_required, lent_on)");
    }
    if (p.n_problems > 0) {
        fail_with_problems (&p, error);
        goto out;
    }
    ok = TRUE;
out:
    g_ptr_array_unref (p.problems);
    if (p.fields != NULL)
        g_ptr_array_unref (p.fields);
    if (p.starts != NULL)
        g_array_unref (p.starts);
    g_clear_pointer (&p.asset_lines, g_hash_table_unref);
    g_clear_pointer (&p.employee_rows, g_hash_table_unref);
    g_clear_pointer (&p.usb_rows, g_hash_table_unref);
    return ok ? g_steal_pointer (&file) : NULL;
}

KikanLedgerFile *
kikan_ledger_csv_load (const char *path, GError **error)
{
    g_autofree char *name = kikan_escape_for_display (path, -1);
    g_autofree char *buf = NULL;
    GStatBuf st;
    gsize got = 0;
    int fd;

    g_return_val_if_fail (path != NULL, NULL);
    if ((fd = g_open (path, O_RDONLY | O_CLOEXEC, 0)) < 0) {
        int e = errno;

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "%s cannot be read: %s. Check the file name.", name, g_strerror (e));
        return NULL;
    }
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
        close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "%s is not a regular file: give the CSV file itself.", name);
        return NULL;
    }
    if (st.st_size > KIKAN_LEDGER_MAX_BYTES) {
        close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CSV,
                     "%s cannot be imported: it is larger than %u MiB, which is not a ledger "
                     "export; nothing was imported. Check that it is the right file.",
                     name, KIKAN_LEDGER_MAX_BYTES / (1024 * 1024));
        return NULL;
    }
    /* Read at most one byte past the cap: a file that grows while it is
     * read is still refused. */
    buf = g_malloc ((gsize)st.st_size + 2);
    for (;;) {
        gsize want = (gsize)st.st_size + 1 - got;
        ssize_t n;

        if (want == 0)
            break;
        n = read (fd, buf + got, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;

            close (fd);
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "%s cannot be read: %s.", name,
                         g_strerror (e));
            return NULL;
        }
        if (n == 0)
            break;
        got += (gsize)n;
    }
    close (fd);
    if (got > (gsize)st.st_size) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "%s changed while it was being read: copy it, then import the copy.", name);
        return NULL;
    }
    return kikan_ledger_csv_parse (buf, got, path, error);
}

/* ------------------------------------------------------------ export */

/* One value, RFC 4180 (common/format.c, shared with the audit export). */
#define put_field kikan_csv_append_field

gboolean
kikan_ledger_csv_export (KikanStore *store, GString *out, GError **error)
{
    sqlite3 *db = kikan_store_get_db (store);
    sqlite3_stmt *st = NULL;
    int rc;

    g_return_val_if_fail (store != NULL && out != NULL, FALSE);
    for (int f = 0; f < N_FIELDS; f++)
        put_field (out, field_names[f], f == 0);
    g_string_append (out, "\r\n");
    rc = sqlite3_prepare_v2 (
        db,
        "SELECT l.employee_id, e.name, l.asset_id, a.type, a.serial, a.encryption_required, "
        "l.lent_on, l.due_on, l.telework_method, a.classification_max, a.ownership, "
        "m.vid, m.pid, m.usb_serial, m.hardware_encrypted "
        "FROM loans l JOIN assets a ON a.id = l.asset_id JOIN employees e ON e.id = l.employee_id "
        "LEFT JOIN media m ON m.asset_id = l.asset_id "
        "WHERE l.returned_on IS NULL ORDER BY l.asset_id",
        -1, &st, NULL);
    if (rc != SQLITE_OK)
        return kikan_store_set_error (error, db, rc, "The ledger could not be read");
    while ((rc = sqlite3_step (st)) == SQLITE_ROW) {
        gboolean medium = sqlite3_column_type (st, 11) != SQLITE_NULL;
        g_autofree char *vid
            = medium ? g_strdup_printf ("%04x", sqlite3_column_int (st, 11)) : NULL;
        g_autofree char *pid
            = medium ? g_strdup_printf ("%04x", sqlite3_column_int (st, 12)) : NULL;

        for (int c = 0; c <= 10; c++) {
            const char *v = (const char *)sqlite3_column_text (st, c);

            if (c == F_ENCRYPTION_REQUIRED)
                v = sqlite3_column_int (st, c) != 0 ? "yes" : "no";
            put_field (out, v, c == 0);
        }
        put_field (out, vid, FALSE);
        put_field (out, pid, FALSE);
        put_field (out, medium ? (const char *)sqlite3_column_text (st, 13) : NULL, FALSE);
        put_field (out, medium ? (sqlite3_column_int (st, 14) != 0 ? "yes" : "no") : NULL, FALSE);
        g_string_append (out, "\r\n");
    }
    sqlite3_finalize (st);
    if (rc != SQLITE_DONE)
        return kikan_store_set_error (error, db, rc, "The ledger could not be read");
    return TRUE;
}
