/* Kikan kiosk: what a station and each `kikan` command set up before they
 * scan or check in: kikan.conf, the signature sources, the temporary
 * directory, the sandbox choice and IT's software policy
 * (station-setup-private.h).  Moved here from the CLI so that the
 * long-lived station (station.c) and the commands share one copy. */
#include "station-setup-private.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "error-private.h"
#include "escape-private.h"
#include "test-seams-private.h"

/* The state directory exists but this user may not look into it (the
 * default /var/lib/kikan is mode 0700, the kiosk user's): say so, rather
 * than that a kikan.conf which may not even exist "cannot be read". */
static gboolean
check_home_accessible (KikanHome *home, GError **error)
{
    const char *path = kikan_home_get_path (home);
    const char *env = g_getenv ("KIKAN_HOME");
    g_autofree char *shown = NULL;
    int e;

    if (g_access (path, R_OK | X_OK) == 0 || (e = errno) == ENOENT)
        return TRUE;
    shown = kikan_escape_for_display (path, -1);
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_HOME,
                 "The Kikan state directory %s%s is not accessible to user %s (%s). Run kikan "
                 "as the kiosk user, or set KIKAN_HOME to a directory you own.",
                 shown, env != NULL && env[0] != '\0' ? " (KIKAN_HOME)" : " (the default)",
                 g_get_user_name (), g_strerror (e));
    return FALSE;
}

KikanConfig *
kikan_setup_load_config (KikanHome *home, GError **error)
{
    g_autofree char *path = kikan_home_dup_config_path (home);

    if (!check_home_accessible (home, error))
        return NULL;
    return kikan_config_load (path, error);
}

KikanDbSources *
kikan_setup_resolve_databases (KikanHome *home, const KikanConfig *config, char **explicit,
                             GError **error)
{
    g_autoptr (KikanDbSources) sources = kikan_db_sources_new ();

    if (explicit != NULL && explicit[0] != NULL) {
        for (gsize i = 0; explicit[i] != NULL; i++) {
            if (!g_file_test (explicit[i], G_FILE_TEST_EXISTS)) {
                g_autofree char *shown = kikan_escape_for_display (explicit[i], -1);

                g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NO_SIGNATURES,
                             "--database %s: no such file or folder.", shown);
                return NULL;
            }
            kikan_db_sources_add (sources, explicit[i], "--database");
        }
        return g_steal_pointer (&sources);
    }
    if (!kikan_db_sources_add_defaults (sources, home, config, error))
        return NULL;
    if (kikan_db_sources_get_n (sources) == 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NO_SIGNATURES,
                     "No signature databases were found (none imported into %s, none in "
                     "/var/lib/clamav, no project signatures). Import IT's update with “kikan "
                     "signatures import DIR”, or name databases with --database.",
                     kikan_home_get_path (home));
        return NULL;
    }
    return g_steal_pointer (&sources);
}

void
kikan_setup_use_home_tmpdir (KikanHome *home)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *tmp = NULL;

    /* A scan with --database needs no home: never create one just for this. */
    if (!g_file_test (kikan_home_get_path (home), G_FILE_TEST_IS_DIR))
        return;
    if ((tmp = kikan_home_ensure_dir (home, "tmp", &error)) == NULL) {
        g_debug ("Not using the home's tmp/: %s", error->message);
        return;
    }
    g_setenv ("TMPDIR", tmp, TRUE);
}

gboolean
kikan_setup_null_sandbox_requested (gboolean *null_sandbox, GError **error)
{
    /* A test seam: an installed kikan confines its workers whatever its
     * environment says (kikan/test-seam.h). */
    const char *v = kikan_test_seam ("KIKAN_SANDBOX");

    *null_sandbox = FALSE;
    if (v == NULL || v[0] == '\0')
        return TRUE;
    if (g_str_equal (v, "null")) {
        *null_sandbox = TRUE;
        return TRUE;
    }
    g_autofree char *shown = kikan_escape_for_display (v, -1);

    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                 "KIKAN_SANDBOX=%s is not understood. Unset it (the worker is then confined), "
                 "or set KIKAN_SANDBOX=null to run without a sandbox in tests.",
                 shown);
    return FALSE;
}

/* Where the policy is looked for when --policy is not given (issue #4
 * item 1); KIKAN_POLICY, a test seam (build tree only), overrides it:
 * elsewhere a policy other than this one is named with --policy, where
 * whoever starts the program can see it. */
#define KIKAN_DEFAULT_POLICY "/etc/kikan/policy.conf"

/* Loads the policy: @explicit_path (--policy) or $KIKAN_POLICY must load;
 * the default file may be absent (then *policy stays NULL and @why_none
 * says so: every program is then "unknown", SW-NO-POLICY), but when
 * present it must load.  A malformed policy stops the command before
 * anything is scanned (the message names the line). */
gboolean
kikan_setup_load_policy (const char *explicit_path, KikanPolicy **policy, char **path,
                         char **why_none, GError **error)
{
    const char *env = kikan_test_seam ("KIKAN_POLICY");
    gboolean use_env = explicit_path == NULL && env != NULL && env[0] != '\0';
    gboolean use_default = explicit_path == NULL && !use_env;
    const char *p = explicit_path != NULL ? explicit_path : use_env ? env : KIKAN_DEFAULT_POLICY;

    *policy = NULL;
    *path = g_strdup (p);
    if (use_default && !g_file_test (p, G_FILE_TEST_EXISTS)) {
        *why_none = g_strdup_printf ("no policy file at %s: every program counts as unknown",
                                     p);
        return TRUE;
    }
    if ((*policy = kikan_policy_load (p, error)) == NULL) {
        if (error != NULL && *error != NULL) {
            char *msg = g_strdup_printf ("The software policy was not loaded and nothing was "
                                         "scanned: %s\nCorrect the policy file (docs/policy.md) "
                                         "and run the command again.",
                                         (*error)->message);
            g_free ((*error)->message);
            (*error)->message = msg;
        }
        return FALSE;
    }
    return TRUE;
}

