/* Kikan kiosk: the one place where Kikan keeps its state.
 *
 *   $KIKAN_HOME (default /var/lib/kikan)
 *   ├── kikan.conf            optional GKeyFile (docs/cli.md)
 *   ├── signatures/
 *   │   ├── current  -> set-<UTC time>-<n>   the set `kikan scan` loads
 *   │   ├── previous -> set-…                kept for rollback
 *   │   └── set-…/
 *   └── tmp/                  TMPDIR of the scan daemon and of test loads
 *
 * Creating a KikanHome touches nothing on disk; directories are made
 * (mode 0700) only when a command needs them, so that a read-only command
 * works without a home at all.
 */
#pragma once

#include <glib.h>

typedef struct KikanHome KikanHome;

/* The home named by $KIKAN_HOME, or /var/lib/kikan.  Free with
 * kikan_home_free(). */
KikanHome *kikan_home_new (void);
KikanHome *kikan_home_new_for_path (const char *path);
void kikan_home_free (KikanHome *self);  /* accepts NULL */

/* Borrowed. */
const char *kikan_home_get_path (KikanHome *self);

/* Paths inside the home; free them.  They may not exist. */
char *kikan_home_dup_config_path (KikanHome *self);
char *kikan_home_dup_signatures_dir (KikanHome *self);
char *kikan_home_dup_tmp_dir (KikanHome *self);

/* Creates the home and @subdir inside it (NULL: the home itself) with mode
 * 0700 where missing, and checks that the result is a directory.  Returns
 * the path (free it) or NULL with @error set. */
char *kikan_home_ensure_dir (KikanHome *self, const char *subdir, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanHome, kikan_home_free)
