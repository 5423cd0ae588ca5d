/* Kikan kiosk: what one signature database file is.
 *
 * Signed databases (.cvd/.cld/.cud) are verified with kikan_db_verify()
 * and described by their signed header.  Plain files (.hdb, .ndb, .yara…)
 * carry no version: they are described by their mtime and a light count
 * of their signature lines.
 */
#pragma once

#include <glib.h>

typedef struct {
    char *name;          /* file name, e.g. "daily.cvd" (from our own store or an admin's dir) */
    char *path;
    char *identity;      /* which database this is: see kikan_db_file_identity() */
    char *origin;        /* where it was found ("imported set", …); may be NULL */
    gboolean is_signed;
    gboolean verified;   /* signed and verification passed */
    char *error;         /* why it could not be verified or read, starting with the
                          * file's name; NULL when fine */
    guint version;       /* signed only */
    gint64 build_time;   /* signed: header build time; plain: file mtime; 0 unknown */
    guint signatures;    /* signed: header count; plain: light count of lines */
} KikanDbFile;

/* Describes the database file at @path; never fails: problems go to
 * ->error.  @origin may be NULL.  Free with kikan_db_file_free(). */
KikanDbFile *kikan_db_file_describe (const char *path, const char *origin);
void kikan_db_file_free (KikanDbFile *self);  /* accepts NULL */

/* The database a file holds, which stays the same across updates: the name
 * without its extension (daily.cvd and daily.cld are both "daily").  For a
 * signed file named "<db>-<version>.cvd" whose header carries that same
 * version, the suffix is dropped too (test-6.cvd at version 6 is "test"),
 * so that versioned file names are still compared with each other.  Plain
 * files are identified by their whole name.  Free it. */
char *kikan_db_file_identity (const char *name, gboolean is_signed, guint version);

/* Number of signature lines in a plain database: non-empty lines that are
 * not comments; for YARA, the rule declarations. */
guint kikan_db_file_count_lines (const char *name, const char *contents, gsize len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanDbFile, kikan_db_file_free)
