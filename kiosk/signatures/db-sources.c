/* Kikan kiosk: which signature databases a scan loads. */
#include "db-sources-private.h"

#include <string.h>

#include "kikan/engine.h"

#include "db-file-private.h"
#include "error-private.h"
#include "paths-private.h"
#include "sig-store-private.h"

struct KikanDbSources {
    GPtrArray *paths;     /* char*, NULL-terminated */
    GPtrArray *origins;   /* char* */
};

KikanDbSources *
kikan_db_sources_new (void)
{
    KikanDbSources *self = g_new0 (KikanDbSources, 1);

    self->paths = g_ptr_array_new_null_terminated (4, g_free, TRUE);
    self->origins = g_ptr_array_new_with_free_func (g_free);
    return self;
}

void
kikan_db_sources_free (KikanDbSources *self)
{
    if (self == NULL)
        return;
    g_ptr_array_unref (self->paths);
    g_ptr_array_unref (self->origins);
    g_free (self);
}

void
kikan_db_sources_add (KikanDbSources *self, const char *path, const char *origin)
{
    g_return_if_fail (self != NULL && path != NULL);
    g_ptr_array_add (self->paths, g_strdup (path));
    g_ptr_array_add (self->origins, g_strdup (origin != NULL ? origin : ""));
}

guint
kikan_db_sources_get_n (KikanDbSources *self)
{
    return self->paths->len;
}

const char *const *
kikan_db_sources_get_paths (KikanDbSources *self)
{
    return (const char *const *) self->paths->pdata;
}

const char *
kikan_db_sources_get_origin (KikanDbSources *self, guint i)
{
    g_return_val_if_fail (i < self->origins->len, NULL);
    return g_ptr_array_index (self->origins, i);
}

/* TRUE when @dir holds a database file (@signed_only: a .cvd/.cld/.cud). */
static gboolean
dir_has_databases (const char *dir, gboolean signed_only)
{
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    if (d == NULL)
        return FALSE;
    while ((name = g_dir_read_name (d)) != NULL)
        if (signed_only ? kikan_db_is_signed_name (name) : kikan_db_is_database_name (name))
            return TRUE;
    return FALSE;
}

gboolean
kikan_db_sources_add_defaults (KikanDbSources *self, KikanHome *home, const KikanConfig *config,
                               GError **error)
{
    g_autofree char *sigdir = kikan_home_dup_signatures_dir (home);
    g_autoptr (KikanSigStore) store = kikan_sig_store_new (sigdir);
    g_autofree char *current = NULL;
    g_autofree char *project = NULL;
    GError *local = NULL;

    /* The link is resolved once, here: an import running meanwhile cannot
     * swap the set under a scan that already chose it. */
    current = kikan_sig_store_dup_current_set (store, &local);
    if (local != NULL) {
        g_propagate_error (error, local);
        return FALSE;
    }
    if (current != NULL)
        kikan_db_sources_add (self, current, "imported set");
    if (dir_has_databases (KIKAN_SYSTEM_CLAMAV_DIR, TRUE))
        kikan_db_sources_add (self, KIKAN_SYSTEM_CLAMAV_DIR, "system ClamAV");
    for (gsize i = 0; config->database_dirs[i] != NULL; i++) {
        if (!g_file_test (config->database_dirs[i], G_FILE_TEST_EXISTS)) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                         "kikan.conf: [signatures] database_dirs names %s, which does not "
                         "exist. Create it or remove it from the list.",
                         config->database_dirs[i]);
            return FALSE;
        }
        kikan_db_sources_add (self, config->database_dirs[i], "kikan.conf");
    }
    project = kikan_paths_dup_project_signatures ();
    if (dir_has_databases (project, FALSE))
        kikan_db_sources_add (self, project, "Kikan project");
    return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

GPtrArray *
kikan_db_sources_list_files (KikanDbSources *self, guint i)
{
    GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify) kikan_db_file_free);
    const char *path, *origin;
    g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GDir) d = NULL;
    const char *name;

    g_return_val_if_fail (i < self->origins->len, files);
    path = g_ptr_array_index (self->paths, i);
    origin = g_ptr_array_index (self->origins, i);
    if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
        g_ptr_array_add (files, kikan_db_file_describe (path, origin));
        return files;
    }
    if ((d = g_dir_open (path, 0, NULL)) == NULL)
        return files;
    while ((name = g_dir_read_name (d)) != NULL)
        if (kikan_db_is_database_name (name))
            g_ptr_array_add (names, g_strdup (name));
    g_ptr_array_sort (names, compare_strings);
    for (guint j = 0; j < names->len; j++) {
        g_autofree char *fpath = g_build_filename (path, g_ptr_array_index (names, j), NULL);

        g_ptr_array_add (files, kikan_db_file_describe (fpath, origin));
    }
    return files;
}

KikanDbAge
kikan_db_age_assess (gint64 newest_signed, guint max_age_days, gint64 now, double *age_days)
{
    double age = newest_signed > 0 ? (double) (now - newest_signed) / 86400.0 : 0.0;

    if (age_days != NULL)
        *age_days = age;
    if (newest_signed <= 0)
        return KIKAN_DB_AGE_NONE;
    /* More than a day ahead of the kiosk's clock: the clock or the build
     * time is wrong, and an age that cannot be known is never fresh
     * (MAL-05, fail closed).  A day absorbs ordinary clock skew. */
    if (age < -1.0)
        return KIKAN_DB_AGE_STALE;
    return age > (double) max_age_days ? KIKAN_DB_AGE_STALE : KIKAN_DB_AGE_FRESH;
}

const char *
kikan_db_age_to_string (KikanDbAge age)
{
    switch (age) {
    case KIKAN_DB_AGE_FRESH:
        return "fresh";
    case KIKAN_DB_AGE_STALE:
        return "stale";
    case KIKAN_DB_AGE_NONE:
    default:
        return "none";
    }
}
