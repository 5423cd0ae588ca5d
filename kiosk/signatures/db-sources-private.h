/* Kikan kiosk: which signature databases a scan loads.
 *
 * Without --database, `kikan scan`, `kikan selftest` and `kikan signatures
 * status` all use the same list, in this order:
 *   1. the imported set, $KIKAN_HOME/signatures/current;
 *   2. /var/lib/clamav, when it holds any .cvd or .cld (freshclam's copy);
 *   3. [signatures] database_dirs from kikan.conf;
 *   4. the project's own signatures (see kikan_paths_dup_project_signatures).
 */
#pragma once

#include <glib.h>

#include "config-private.h"
#include "home-private.h"

typedef struct KikanDbSources KikanDbSources;

typedef enum {
    KIKAN_DB_AGE_NONE,    /* no signed database loaded */
    KIKAN_DB_AGE_FRESH,
    KIKAN_DB_AGE_STALE,   /* newest signed database older than max_age_days, or built
                           * more than a day after @now (age unknown) (MAL-05) */
} KikanDbAge;

KikanDbSources *kikan_db_sources_new (void);
void kikan_db_sources_free (KikanDbSources *self);  /* accepts NULL */

/* Adds a folder or a single database file; @origin says where it came from
 * ("--database", "imported set", …).  Both are copied. */
void kikan_db_sources_add (KikanDbSources *self, const char *path, const char *origin);

/* Adds the default list above.  Fails when the imported set's link is
 * broken, or when kikan.conf names a folder that does not exist. */
gboolean kikan_db_sources_add_defaults (KikanDbSources *self, KikanHome *home,
                                        const KikanConfig *config, GError **error);

guint kikan_db_sources_get_n (KikanDbSources *self);
/* NULL-terminated; borrowed until the next add. */
const char *const *kikan_db_sources_get_paths (KikanDbSources *self);
const char *kikan_db_sources_get_origin (KikanDbSources *self, guint i);

/* The database files of source @i (a folder's in name order), each
 * verified or counted: a new GPtrArray of KikanDbFile*. */
GPtrArray *kikan_db_sources_list_files (KikanDbSources *self, guint i);

/* How old the newest signed database (@newest_signed, unix time, 0 = none)
 * is at @now; *age_days may be NULL. */
KikanDbAge kikan_db_age_assess (gint64 newest_signed, guint max_age_days, gint64 now,
                                double *age_days);
const char *kikan_db_age_to_string (KikanDbAge age);  /* "none", "fresh", "stale" */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanDbSources, kikan_db_sources_free)
