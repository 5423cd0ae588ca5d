/* Kikan kiosk: the one place where Kikan keeps its state. */
#include "home-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "error-private.h"

#define KIKAN_HOME_DEFAULT "/var/lib/kikan"

struct KikanHome {
    char *path;
};

KikanHome *
kikan_home_new_for_path (const char *path)
{
    KikanHome *self;

    g_return_val_if_fail (path != NULL && path[0] != '\0', NULL);
    self = g_new0 (KikanHome, 1);
    self->path = g_canonicalize_filename (path, NULL);
    return self;
}

KikanHome *
kikan_home_new (void)
{
    const char *env = g_getenv ("KIKAN_HOME");

    return kikan_home_new_for_path (env != NULL && env[0] != '\0' ? env : KIKAN_HOME_DEFAULT);
}

void
kikan_home_free (KikanHome *self)
{
    if (self == NULL)
        return;
    g_free (self->path);
    g_free (self);
}

const char *
kikan_home_get_path (KikanHome *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->path;
}

char *
kikan_home_dup_config_path (KikanHome *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return g_build_filename (self->path, "kikan.conf", NULL);
}

char *
kikan_home_dup_signatures_dir (KikanHome *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return g_build_filename (self->path, "signatures", NULL);
}

char *
kikan_home_dup_tmp_dir (KikanHome *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return g_build_filename (self->path, "tmp", NULL);
}

char *
kikan_home_ensure_dir (KikanHome *self, const char *subdir, GError **error)
{
    g_autofree char *path = NULL;
    GStatBuf st;

    g_return_val_if_fail (self != NULL, NULL);
    path = subdir != NULL ? g_build_filename (self->path, subdir, NULL) : g_strdup (self->path);
    if (g_mkdir_with_parents (path, 0700) != 0) {
        int e = errno;

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_HOME,
                     "Cannot create the Kikan state directory %s: %s. Run as the kiosk "
                     "user, or set KIKAN_HOME to a directory you may write to.",
                     path, g_strerror (e));
        return NULL;
    }
    if (g_stat (path, &st) != 0 || !S_ISDIR (st.st_mode)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_HOME,
                     "%s is not a directory. Move it away or set KIKAN_HOME elsewhere.", path);
        return NULL;
    }
    return g_steal_pointer (&path);
}
