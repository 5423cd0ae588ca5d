/* Kikan kiosk: kikan.conf, the kiosk's settings (docs/cli.md).
 *
 *   [scan]
 *   max_filesize = 100M       bytes per file or archive member (K, M, G: binary)
 *   max_scansize = 400M       bytes scanned per top-level file
 *   max_recursion = 16        archive nesting depth
 *   max_files = 10000         members per top-level file
 *   max_scantime_ms = 120000  per top-level file
 *   jobs = 0                  scanning threads per medium, 0 = one per CPU
 *   timeout_s = 3600          whole-medium deadline, 0 = the daemon's default
 *   [signatures]
 *   max_age_days = 7          older newest signed database = stale (MAL-05)
 *   database_dirs = /srv/a;/srv/b   extra database folders for `kikan scan`
 *   [kiosk]
 *   idle_seconds = 120        kikan-kiosk: a visit with no touch or key for this
 *                             long is warned, then ended (issue #11 item 1)
 *
 * A missing file means "all defaults".  A bad value, or an unknown key in
 * these groups, is an error that names the key: a typo must not
 * silently fall back to a default.  Other groups are left to other parts
 * of Kikan.
 */
#pragma once

#include <glib.h>

#include "kikan/engine.h"

#define KIKAN_CONFIG_DEFAULT_MAX_AGE_DAYS 7u
#define KIKAN_CONFIG_DEFAULT_IDLE_SECONDS 120u

typedef struct {
    KikanLimits limits;      /* zero fields mean the engine's defaults */
    guint jobs;              /* 0 = one thread per CPU */
    guint timeout_s;         /* 0 = the daemon's default */
    guint max_age_days;
    char **database_dirs;    /* NULL-terminated, never NULL */
    guint idle_seconds;      /* [kiosk]: the kiosk's inactivity timeout */
} KikanConfig;

/* All defaults. */
KikanConfig *kikan_config_new (void);
/* Reads @path; a missing file gives the defaults.  NULL with @error set
 * (KIKAN_ERROR_CONFIG, message naming the file and key) otherwise. */
KikanConfig *kikan_config_load (const char *path, GError **error);
void kikan_config_free (KikanConfig *self);  /* accepts NULL */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanConfig, kikan_config_free)
