/* Kikan kiosk: the imported signature sets under $KIKAN_HOME/signatures. */
#include "sig-store-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kikan/engine.h"
#include "kikan/errors.h"

#include "error-private.h"
#include "escape-private.h"

#define LINK_CURRENT "current"
#define LINK_PREVIOUS "previous"
#define LOCK_NAME ".lock"
#define NOT_CHANGED "The signature set was NOT changed"

struct KikanSigStore {
    char *dir;
};

static void
close_fd (int *fd)
{
    if (*fd >= 0)
        close (*fd);
    *fd = -1;
}
#define autofd __attribute__ ((cleanup (close_fd)))

static void
change_free (gpointer p)
{
    KikanDbChange *c = p;

    kikan_db_file_free (c->old_file);
    kikan_db_file_free (c->new_file);
    g_free (c);
}

void
kikan_import_result_free (KikanImportResult *r)
{
    if (r == NULL)
        return;
    g_free (r->set_name);
    g_free (r->previous_set_name);
    g_clear_pointer (&r->changes, g_ptr_array_unref);
    g_clear_pointer (&r->ignored, g_ptr_array_unref);
    g_free (r);
}

KikanSigStore *
kikan_sig_store_new (const char *signatures_dir)
{
    KikanSigStore *self;

    g_return_val_if_fail (signatures_dir != NULL, NULL);
    self = g_new0 (KikanSigStore, 1);
    self->dir = g_strdup (signatures_dir);
    return self;
}

void
kikan_sig_store_free (KikanSigStore *self)
{
    if (self == NULL)
        return;
    g_free (self->dir);
    g_free (self);
}

static gboolean
is_set_name (const char *s)
{
    return g_str_has_prefix (s, "set-") && s[4] != '\0' && strchr (s, '/') == NULL;
}

/* Reads the link @name in the store.  NULL without error when it does not
 * exist; an error when it is not a link that Kikan made. */
static char *
read_set_link (KikanSigStore *self, int sigfd, const char *name, GError **error)
{
    char buf[PATH_MAX];
    ssize_t n = readlinkat (sigfd, name, buf, sizeof buf - 1);

    if (n < 0) {
        int e = errno;

        if (e == ENOENT)
            return NULL;
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_HOME,
                     "%s/%s is not a link made by Kikan (%s). Move it away, then import the "
                     "signatures again with “kikan signatures import DIR”.",
                     self->dir, name, g_strerror (e));
        return NULL;
    }
    buf[n] = '\0';
    if (!is_set_name (buf)) {
        g_autofree char *shown = kikan_escape_for_display (buf, n);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_HOME,
                     "%s/%s points to “%s”, which is not a signature set made by Kikan. Move "
                     "it away, then import the signatures again with “kikan signatures "
                     "import DIR”.",
                     self->dir, name, shown);
        return NULL;
    }
    return g_strdup (buf);
}

char *
kikan_sig_store_dup_current_set (KikanSigStore *self, GError **error)
{
    autofd int sigfd = -1;
    g_autofree char *name = NULL;
    g_autofree char *path = NULL;
    GError *local = NULL;

    g_return_val_if_fail (self != NULL, NULL);
    sigfd = open (self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sigfd < 0)
        return NULL;   /* no store yet: nothing was ever imported */
    name = read_set_link (self, sigfd, LINK_CURRENT, &local);
    if (name == NULL) {
        if (local != NULL)
            g_propagate_error (error, local);
        return NULL;
    }
    path = g_build_filename (self->dir, name, NULL);
    if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_HOME,
                     "%s/" LINK_CURRENT " points to %s, which is missing. Import the "
                     "signatures again with “kikan signatures import DIR”.",
                     self->dir, name);
        return NULL;
    }
    return g_steal_pointer (&path);
}

/* Removes a set directory we made (plain files only inside). */
static void
remove_set_dir (int sigfd, const char *name)
{
    int dfd = openat (sigfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d;
    struct dirent *de;

    if (dfd < 0)
        return;
    d = fdopendir (dfd);
    if (d == NULL) {
        close (dfd);
        return;
    }
    while ((de = readdir (d)) != NULL) {
        if (g_str_equal (de->d_name, ".") || g_str_equal (de->d_name, ".."))
            continue;
        if (unlinkat (dfd, de->d_name, 0) != 0)
            g_warning ("Cannot remove %s/%s: %s", name, de->d_name, g_strerror (errno));
    }
    closedir (d);
    if (unlinkat (sigfd, name, AT_REMOVEDIR) != 0)
        g_warning ("Cannot remove the old signature set %s: %s", name, g_strerror (errno));
}

/* Lists @srcfd: database names go to @dbs, other regular files to @ignored.
 * Links and anything that is not a regular file refuse the medium: an
 * update folder prepared by IT holds plain files only, and we never follow
 * a link out of it. */
static gboolean
list_source (int srcfd, const char *source_dir, GPtrArray *dbs, GPtrArray *ignored,
             GError **error)
{
    int dfd = dup (srcfd);
    DIR *d = dfd >= 0 ? fdopendir (dfd) : NULL;
    struct dirent *de;
    gboolean ok = TRUE;

    if (d == NULL) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Cannot list %s: %s", source_dir,
                     g_strerror (errno));
        if (dfd >= 0)
            close (dfd);
        return FALSE;
    }
    while (ok && (errno = 0, de = readdir (d)) != NULL) {
        g_autofree char *shown = NULL;
        struct stat st;

        if (g_str_equal (de->d_name, ".") || g_str_equal (de->d_name, ".."))
            continue;
        shown = kikan_escape_for_display (de->d_name, -1);
        if (fstatat (srcfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                         "Cannot read “%s” in %s: %s. " NOT_CHANGED ".", shown, source_dir,
                         g_strerror (errno));
            ok = FALSE;
        } else if (S_ISLNK (st.st_mode)) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_REFUSED,
                         "The update folder %s holds “%s”, a symbolic link. An update folder "
                         "must hold the database files themselves; links are never followed. "
                         NOT_CHANGED "; ask IT for a fresh update medium.",
                         source_dir, shown);
            ok = FALSE;
        } else if (!S_ISREG (st.st_mode)) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_REFUSED,
                         "The update folder %s holds “%s”, which is not a regular file (a "
                         "folder, device or pipe). An update folder must hold only the "
                         "database files. " NOT_CHANGED "; ask IT for a fresh update medium.",
                         source_dir, shown);
            ok = FALSE;
        } else if (de->d_name[0] == '.' || !kikan_db_is_database_name (de->d_name)) {
            /* Hidden files are never databases: "._daily.cvd" is macOS metadata. */
            g_ptr_array_add (ignored, g_strdup (de->d_name));
        } else {
            g_ptr_array_add (dbs, g_strdup (de->d_name));
        }
    }
    if (ok && errno != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Cannot list %s: %s", source_dir,
                     g_strerror (errno));
        ok = FALSE;
    }
    closedir (d);
    return ok;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Copies @name from @srcfd into the staging directory, never following a
 * link, and makes it durable. */
static gboolean
copy_file_at (int srcfd, const char *name, int dstfd, GError **error)
{
    g_autofree char *shown = kikan_escape_for_display (name, -1);
    autofd int in = -1;
    autofd int out = -1;
    struct stat st;
    char buf[64 * 1024];
    struct timespec times[2];

    in = openat (srcfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (in < 0 || fstat (in, &st) != 0 || !S_ISREG (st.st_mode)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Cannot read “%s” on the update medium: %s. " NOT_CHANGED ".", shown,
                     in < 0 ? g_strerror (errno) : "not a regular file");
        return FALSE;
    }
    out = openat (dstfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0)
        goto write_error;
    for (;;) {
        ssize_t n = read (in, buf, sizeof buf);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                         "Cannot read “%s” on the update medium: %s. " NOT_CHANGED ".", shown,
                         g_strerror (errno));
            return FALSE;
        }
        if (n == 0)
            break;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write (out, buf + done, (size_t) (n - done));

            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                goto write_error;
            done += w;
        }
    }
    /* Plain databases are described by their mtime: keep the medium's. */
    times[0] = st.st_atim;
    times[1] = st.st_mtim;
    if (futimens (out, times) != 0 || fchmod (out, 0400) != 0 || fsync (out) != 0)
        goto write_error;
    if (close (out) != 0) {
        out = -1;
        goto write_error;
    }
    out = -1;
    return TRUE;

write_error:
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                 "Cannot write the copy of “%s” into the Kikan state directory: %s. Check free "
                 "space. " NOT_CHANGED ".",
                 shown, g_strerror (errno));
    return FALSE;
}

static char *
make_staging_dir (int sigfd, GError **error)
{
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");

    for (guint n = 1; n < 1000; n++) {
        g_autofree char *name = g_strdup_printf ("set-%s-%u", stamp, n);

        if (mkdirat (sigfd, name, 0700) == 0)
            return g_steal_pointer (&name);
        if (errno != EEXIST)
            break;
    }
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                 "Cannot create a new signature set directory: %s. " NOT_CHANGED ".",
                 g_strerror (errno));
    return NULL;
}

/* Points @link_name at @target in one rename(). */
static gboolean
replace_link (int sigfd, const char *target, const char *link_name, GError **error)
{
    g_autofree char *tmp = g_strconcat (link_name, ".new", NULL);

    if (unlinkat (sigfd, tmp, 0) != 0 && errno != ENOENT)
        goto fail;
    if (symlinkat (target, sigfd, tmp) != 0)
        goto fail;
    if (renameat (sigfd, tmp, sigfd, link_name) != 0) {
        int e = errno;

        unlinkat (sigfd, tmp, 0);
        errno = e;
        goto fail;
    }
    return TRUE;

fail:
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Cannot switch “%s” to %s: %s.", link_name,
                 target, g_strerror (errno));
    return FALSE;
}

static gboolean
same_contents (const char *a, const char *b)
{
    g_autofree char *ca = NULL;
    g_autofree char *cb = NULL;
    gsize la = 0, lb = 0;

    if (!g_file_get_contents (a, &ca, &la, NULL) || !g_file_get_contents (b, &cb, &lb, NULL))
        return FALSE;
    return la == lb && memcmp (ca, cb, la) == 0;
}

static KikanDbFile *
steal_by_identity (GPtrArray *files, const char *identity)
{
    for (guint i = 0; i < files->len; i++) {
        KikanDbFile *f = g_ptr_array_index (files, i);

        if (g_str_equal (f->identity, identity))
            return g_ptr_array_steal_index (files, i);
    }
    return NULL;
}

static gint
compare_changes (gconstpointer a, gconstpointer b)
{
    const KikanDbChange *ca = *(KikanDbChange *const *) a;
    const KikanDbChange *cb = *(KikanDbChange *const *) b;
    const KikanDbFile *fa = ca->new_file != NULL ? ca->new_file : ca->old_file;
    const KikanDbFile *fb = cb->new_file != NULL ? cb->new_file : cb->old_file;

    return strcmp (fa->identity, fb->identity);
}

static GPtrArray *
describe_set (const char *set_path, const char *origin, GError **error)
{
    g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (
        (GDestroyNotify) kikan_db_file_free);
    g_autoptr (GDir) dir = g_dir_open (set_path, 0, error);
    const char *name;

    if (dir == NULL)
        return NULL;
    while ((name = g_dir_read_name (dir)) != NULL) {
        g_autofree char *path = NULL;

        if (!kikan_db_is_database_name (name))
            continue;
        path = g_build_filename (set_path, name, NULL);
        g_ptr_array_add (files, kikan_db_file_describe (path, origin));
    }
    return g_steal_pointer (&files);
}

/* Builds the list of changes from the medium's files and the current set,
 * hard-linking carried-over databases into the staging directory. */
static gboolean
plan_changes (GPtrArray *new_files, GPtrArray *old_files, int curfd, int stagefd,
              gboolean replace, GPtrArray *changes, GError **error)
{
    while (new_files->len > 0) {
        KikanDbChange *c = g_new0 (KikanDbChange, 1);

        c->new_file = g_ptr_array_steal_index (new_files, 0);
        c->old_file = steal_by_identity (old_files, c->new_file->identity);
        g_ptr_array_add (changes, c);
        if (c->old_file == NULL) {
            c->kind = KIKAN_DB_CHANGE_ADDED;
        } else if (c->new_file->is_signed && c->old_file->is_signed && c->old_file->verified) {
            if (c->new_file->version < c->old_file->version) {
                g_autofree char *nn = kikan_escape_for_display (c->new_file->name, -1);

                g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_BACKWARDS,
                             "%s is version %u, older than the installed %s (version %u). "
                             "Importing it would roll the signatures back, so it was refused. "
                             NOT_CHANGED "; ask IT for a current update medium.",
                             nn, c->new_file->version, c->old_file->name,
                             c->old_file->version);
                return FALSE;
            }
            c->kind = c->new_file->version == c->old_file->version ? KIKAN_DB_CHANGE_UNCHANGED
                                                                   : KIKAN_DB_CHANGE_UPDATED;
        } else if (!c->new_file->is_signed && !c->old_file->is_signed &&
                   same_contents (c->new_file->path, c->old_file->path)) {
            c->kind = KIKAN_DB_CHANGE_UNCHANGED;
        } else {
            c->kind = KIKAN_DB_CHANGE_UPDATED;
        }
    }
    while (old_files->len > 0) {
        KikanDbChange *c = g_new0 (KikanDbChange, 1);

        c->old_file = g_ptr_array_steal_index (old_files, 0);
        g_ptr_array_add (changes, c);
        if (replace) {
            c->kind = KIKAN_DB_CHANGE_REMOVED;
            continue;
        }
        c->kind = KIKAN_DB_CHANGE_KEPT;
        /* The sets live side by side and their files are read-only: a hard
         * link costs nothing, whereas main.cvd is hundreds of megabytes. */
        if (linkat (curfd, c->old_file->name, stagefd, c->old_file->name, 0) != 0 &&
            !copy_file_at (curfd, c->old_file->name, stagefd, error))
            return FALSE;
    }
    g_ptr_array_sort (changes, compare_changes);
    return TRUE;
}

static gboolean
test_load (const char *stage_path, const KikanLimits *limits, KikanImportResult *res,
           GError **error)
{
    const char *dbs[] = { stage_path };
    KikanEngineOptions eopts = { .databases = dbs, .n_databases = 1, .limits = *limits };
    KikanEngine *engine = NULL;
    const KikanEngineInfo *info;
    char err[1024] = "";
    int r;

    if ((r = kikan_engine_global_init ()) != 0 ||
        (r = kikan_engine_new (&eopts, &engine, err, sizeof err)) != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_ENGINE,
                     "The new signature set does not load: %s. " NOT_CHANGED "; ask IT for a "
                     "fresh update medium.",
                     err[0] != '\0' ? err : kikan_strerror (r));
        return FALSE;
    }
    info = kikan_engine_get_info (engine);
    res->signatures = info->signatures;
    res->newest_signed_build_time = info->newest_signed_build_time;
    kikan_engine_free (engine);
    if (res->signatures == 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NO_SIGNATURES,
                     "The new signature set loads zero signatures. " NOT_CHANGED "; ask IT for "
                     "a fresh update medium.");
        return FALSE;
    }
    return TRUE;
}

static void
prune_sets (int sigfd, const char *keep1, const char *keep2)
{
    int dfd = dup (sigfd);
    DIR *d = dfd >= 0 ? fdopendir (dfd) : NULL;
    g_autoptr (GPtrArray) doomed = g_ptr_array_new_with_free_func (g_free);
    struct dirent *de;

    if (d == NULL) {
        if (dfd >= 0)
            close (dfd);
        return;
    }
    while ((de = readdir (d)) != NULL) {
        if (!is_set_name (de->d_name) || g_strcmp0 (de->d_name, keep1) == 0 ||
            g_strcmp0 (de->d_name, keep2) == 0)
            continue;
        g_ptr_array_add (doomed, g_strdup (de->d_name));
    }
    closedir (d);
    for (guint i = 0; i < doomed->len; i++)
        remove_set_dir (sigfd, g_ptr_array_index (doomed, i));
}

gboolean
kikan_sig_store_import (KikanSigStore *self, const char *source_dir,
                        const KikanImportOptions *opts, KikanImportResult **result,
                        GError **error)
{
    autofd int sigfd = -1;
    autofd int lockfd = -1;
    autofd int srcfd = -1;
    autofd int curfd = -1;
    autofd int stagefd = -1;
    g_autoptr (KikanImportResult) res = g_new0 (KikanImportResult, 1);
    g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GPtrArray) new_files = g_ptr_array_new_with_free_func (
        (GDestroyNotify) kikan_db_file_free);
    g_autoptr (GPtrArray) old_files = NULL;
    g_autofree char *cur_name = NULL;
    g_autofree char *stage_name = NULL;
    g_autofree char *stage_path = NULL;
    g_autofree char *shown_src = NULL;
    g_autoptr (GError) local = NULL;
    gboolean ok = FALSE;

    g_return_val_if_fail (self != NULL, FALSE);
    g_return_val_if_fail (source_dir != NULL, FALSE);
    g_return_val_if_fail (opts != NULL, FALSE);
    g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

    res->changes = g_ptr_array_new_with_free_func (change_free);
    res->ignored = g_ptr_array_new_with_free_func (g_free);
    shown_src = kikan_escape_for_display (source_dir, -1);

    sigfd = open (self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sigfd < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_HOME, "Cannot open %s: %s.", self->dir,
                     g_strerror (errno));
        return FALSE;
    }
    lockfd = openat (sigfd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (lockfd < 0 || flock (lockfd, LOCK_EX | LOCK_NB) != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_BUSY,
                     "Another signature import is running (%s). Wait for it to finish, then "
                     "try again.",
                     g_strerror (errno));
        return FALSE;
    }

    srcfd = open (source_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
    if (srcfd < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Cannot open the update folder %s: %s. Check that the medium is plugged "
                     "in and that the path names a folder.",
                     shown_src, g_strerror (errno));
        return FALSE;
    }
    if (!list_source (srcfd, shown_src, names, res->ignored, error))
        return FALSE;
    if (names->len == 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_REFUSED,
                     "The update folder %s holds no signature database (.cvd, .cld, .cud, "
                     ".hdb, .ndb, .ldb, .yara …). " NOT_CHANGED "; ask IT for a fresh update "
                     "medium.",
                     shown_src);
        return FALSE;
    }
    g_ptr_array_sort (names, compare_strings);
    g_ptr_array_sort (res->ignored, compare_strings);

    cur_name = read_set_link (self, sigfd, LINK_CURRENT, &local);
    if (local != NULL) {
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    if (cur_name != NULL) {
        g_autofree char *cur_path = g_build_filename (self->dir, cur_name, NULL);

        curfd = openat (sigfd, cur_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (curfd < 0 || (old_files = describe_set (cur_path, "current set", NULL)) == NULL) {
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_HOME,
                         "The current signature set %s cannot be read. Move %s/" LINK_CURRENT
                         " away, then import a complete set.",
                         cur_path, self->dir);
            return FALSE;
        }
    } else {
        old_files = g_ptr_array_new_with_free_func ((GDestroyNotify) kikan_db_file_free);
    }

    if ((stage_name = make_staging_dir (sigfd, error)) == NULL)
        return FALSE;
    stage_path = g_build_filename (self->dir, stage_name, NULL);
    stagefd = openat (sigfd, stage_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (stagefd < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Cannot open %s: %s. " NOT_CHANGED ".",
                     stage_path, g_strerror (errno));
        goto out;
    }

    /* Copy first, then verify the copies: what is verified is exactly
     * what will be loaded, whatever the medium does meanwhile. */
    for (guint i = 0; i < names->len; i++)
        if (!copy_file_at (srcfd, g_ptr_array_index (names, i), stagefd, error))
            goto out;
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index (names, i);
        g_autofree char *path = g_build_filename (stage_path, name, NULL);
        g_autoptr (KikanDbFile) f = kikan_db_file_describe (path, "import medium");
        g_autofree char *shown = kikan_escape_for_display (name, -1);

        if (f->is_signed && !f->verified) {
            g_autofree char *why = kikan_escape_for_display (f->error, -1);

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_VERIFY,
                         "%s. " NOT_CHANGED "; ask IT for a fresh update medium.", why);
            goto out;
        }
        if (f->error != NULL) {
            g_autofree char *why = kikan_escape_for_display (f->error, -1);

            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                         "%s cannot be read: %s. " NOT_CHANGED "; ask IT for a fresh update "
                         "medium.",
                         shown, why);
            goto out;
        }
        for (guint j = 0; j < new_files->len; j++) {
            KikanDbFile *other = g_ptr_array_index (new_files, j);

            if (g_str_equal (other->identity, f->identity)) {
                g_autofree char *shown_other = kikan_escape_for_display (other->name, -1);

                g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_REFUSED,
                             "The update folder holds two files of the database “%s”: %s and "
                             "%s. " NOT_CHANGED "; ask IT to keep only the newest one.",
                             f->identity, shown_other, shown);
                goto out;
            }
        }
        g_ptr_array_add (new_files, g_steal_pointer (&f));
    }

    if (!plan_changes (new_files, old_files, curfd, stagefd, opts->replace, res->changes,
                       error))
        goto out;

    res->changed = cur_name == NULL;
    for (guint i = 0; i < res->changes->len; i++) {
        KikanDbChange *c = g_ptr_array_index (res->changes, i);

        if (c->kind == KIKAN_DB_CHANGE_ADDED || c->kind == KIKAN_DB_CHANGE_UPDATED ||
            c->kind == KIKAN_DB_CHANGE_REMOVED)
            res->changed = TRUE;
    }
    if (!res->changed) {
        /* Re-importing the same medium is harmless and changes nothing. */
        remove_set_dir (sigfd, stage_name);
        g_clear_pointer (&stage_name, g_free);
        res->set_name = g_steal_pointer (&cur_name);
        res->previous_set_name = read_set_link (self, sigfd, LINK_PREVIOUS, NULL);
        *result = g_steal_pointer (&res);
        return TRUE;
    }
    if (fsync (stagefd) != 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Cannot write the new signature set to disk: %s. " NOT_CHANGED ".",
                     g_strerror (errno));
        goto out;
    }
    if (!test_load (stage_path, &opts->limits, res, error))
        goto out;

    /* "previous" first: a crash between the two renames leaves both links
     * pointing at the old set, which is still a whole set. */
    if (cur_name != NULL && !replace_link (sigfd, cur_name, LINK_PREVIOUS, error))
        goto out;
    if (!replace_link (sigfd, stage_name, LINK_CURRENT, error))
        goto out;
    if (fsync (sigfd) != 0)
        g_warning ("fsync of %s failed: %s", self->dir, g_strerror (errno));
    res->set_name = g_steal_pointer (&stage_name);
    res->previous_set_name = g_steal_pointer (&cur_name);
    prune_sets (sigfd, res->set_name, res->previous_set_name);
    ok = TRUE;

out:
    if (!ok) {
        if (stage_name != NULL)
            remove_set_dir (sigfd, stage_name);
        return FALSE;
    }
    *result = g_steal_pointer (&res);
    return TRUE;
}

gboolean
kikan_sig_store_rollback (KikanSigStore *self, const char *restore_set, const char *failed_set,
                          GError **error)
{
    autofd int sigfd = -1;

    g_return_val_if_fail (self != NULL && failed_set != NULL, FALSE);
    g_return_val_if_fail (is_set_name (failed_set), FALSE);
    g_return_val_if_fail (restore_set == NULL || is_set_name (restore_set), FALSE);
    sigfd = open (self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sigfd < 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Cannot open %s to restore the previous signature set: %s. Ask IT to "
                     "point %s/" LINK_CURRENT " back at the previous set.",
                     self->dir, g_strerror (errno), self->dir);
        return FALSE;
    }
    if (restore_set != NULL) {
        if (!replace_link (sigfd, restore_set, LINK_CURRENT, error))
            return FALSE;
    } else if (unlinkat (sigfd, LINK_CURRENT, 0) != 0 && errno != ENOENT) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Cannot remove %s/" LINK_CURRENT ": %s. Ask IT to remove it by hand.",
                     self->dir, g_strerror (errno));
        return FALSE;
    }
    if (fsync (sigfd) != 0)
        g_warning ("fsync of %s failed: %s", self->dir, g_strerror (errno));
    remove_set_dir (sigfd, failed_set);
    return TRUE;
}
