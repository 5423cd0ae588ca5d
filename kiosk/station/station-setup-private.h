/* Kikan kiosk: what a station and each `kikan` command set up before they
 * scan or check in (moved from the CLI: the station and `kikan` share it). */
#pragma once

#include <glib.h>

#include "config-private.h"
#include "db-sources-private.h"
#include "home-private.h"
#include "policy-private.h"

/* kikan.conf of @home, or the defaults when there is none. */
KikanConfig *kikan_setup_load_config (KikanHome *home, GError **error);

/* The databases to load: @explicit (from --database) when not empty, else
 * the defaults.  Fails when nothing is found to load. */
KikanDbSources *kikan_setup_resolve_databases (KikanHome *home, const KikanConfig *config,
                                               char **explicit, GError **error);

/* Points TMPDIR at $KIKAN_HOME/tmp (made when missing) when the home
 * exists, so that the daemon's and libclamav's temporary files stay in a
 * 0700 directory.  A missing home is left alone. */
void kikan_setup_use_home_tmpdir (KikanHome *home);

/* Reads KIKAN_SANDBOX: TRUE for "null" (tests only), FALSE when unset or
 * empty; an error for any other value. */
gboolean kikan_setup_null_sandbox_requested (gboolean *null_sandbox, GError **error);

/* Loads the software policy: @explicit_path (--policy) or $KIKAN_POLICY
 * must load; the default /etc/kikan/policy.conf may be absent (then
 * *policy stays NULL and *why_none says so: every program is then
 * "unknown", SW-NO-POLICY), but when present it must load.  *path gets
 * the path used.  A malformed policy is an error that names the line. */
gboolean kikan_setup_load_policy (const char *explicit_path, KikanPolicy **policy, char **path,
                                  char **why_none, GError **error);
