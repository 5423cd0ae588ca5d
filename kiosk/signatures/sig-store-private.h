/* Kikan kiosk: the imported signature sets under $KIKAN_HOME/signatures.
 *
 * An import (KR-11, Admin F-1) never edits the set in use.  It builds a
 * new directory set-<UTC time>-<n>/, verifies and test-loads it, and only
 * then points the symbolic link "current" at it with one rename(), so a
 * scan sees either the old set or the new one, whole.  "previous" keeps
 * the set before for rollback; older sets are pruned.
 *
 * What a new set holds: every database file of the import medium, plus
 * (unless @replace) every database of the current set that the medium does
 * not update, hard-linked.  A signed database may not go backwards: a
 * medium whose daily.cvd is older than the installed one is refused, and a
 * medium whose version equals the installed one changes nothing for that
 * database.
 */
#pragma once

#include <glib.h>

#include "kikan/engine.h"

#include "db-file-private.h"

typedef struct KikanSigStore KikanSigStore;

typedef enum {
    KIKAN_DB_CHANGE_ADDED,     /* new database */
    KIKAN_DB_CHANGE_UPDATED,   /* newer version, or different plain content */
    KIKAN_DB_CHANGE_UNCHANGED, /* on the medium, same version (or bytes) as installed */
    KIKAN_DB_CHANGE_KEPT,      /* not on the medium, carried over from the current set */
    KIKAN_DB_CHANGE_REMOVED,   /* not on the medium, dropped (--replace) */
} KikanDbChangeKind;

typedef struct {
    KikanDbChangeKind kind;
    KikanDbFile *old_file;   /* NULL for ADDED */
    KikanDbFile *new_file;   /* NULL for REMOVED */
} KikanDbChange;

typedef struct {
    gboolean changed;            /* FALSE: the medium held nothing new, current untouched */
    char *set_name;              /* the set now current */
    char *previous_set_name;     /* the set before, NULL if there was none */
    GPtrArray *changes;          /* KikanDbChange*, sorted by identity */
    GPtrArray *ignored;          /* char*: names on the medium that are not databases */
    guint signatures;            /* loaded by the test load of the new set */
    gint64 newest_signed_build_time;  /* 0 when the set has no signed database */
} KikanImportResult;

void kikan_import_result_free (KikanImportResult *r);  /* accepts NULL */

typedef struct {
    KikanLimits limits;          /* used for the test load */
    gboolean replace;            /* the new set is exactly the medium's databases */
} KikanImportOptions;

/* @signatures_dir is $KIKAN_HOME/signatures; it must exist for an import. */
KikanSigStore *kikan_sig_store_new (const char *signatures_dir);
void kikan_sig_store_free (KikanSigStore *self);  /* accepts NULL */

/* The directory "current" points to.  NULL with no error when nothing was
 * ever imported; NULL with @error when the link is broken. Free it. */
char *kikan_sig_store_dup_current_set (KikanSigStore *self, GError **error);

/* Imports the databases in @source_dir (see above).  On failure nothing
 * the store uses has changed, the staging directory is gone and @error
 * says what was wrong and what to do. */
gboolean kikan_sig_store_import (KikanSigStore *self, const char *source_dir,
                                 const KikanImportOptions *opts, KikanImportResult **result,
                                 GError **error);

/* Undoes an import whose new set then failed (the kiosk station's engine
 * would not load it or failed its self-test): "current" points at
 * @restore_set again (the import's previous_set_name; NULL: there was no
 * set before, and "current" is removed) and @failed_set is deleted.  The
 * "previous" link is left as it is. */
gboolean kikan_sig_store_rollback (KikanSigStore *self, const char *restore_set,
                                   const char *failed_set, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanSigStore, kikan_sig_store_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanImportResult, kikan_import_result_free)
