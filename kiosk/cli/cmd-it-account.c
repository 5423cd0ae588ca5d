/* Kikan kiosk: `kikan it account add|login|passwd ID` (issue #11 item 2;
 * KR-35; docs/it-accounts.md): IT staff accounts, for IT mode and for
 * scripts and tests until the kiosk UI has its login screen.
 *
 * Passwords are never taken from the command line (they would show in
 * `ps` and in shell history): one per line on standard input, or from
 * --password-file.  login: exit 0 IT mode opens, 1 refused or locked,
 * 3 the initial password must be changed first, 2 error.  passwd: old
 * then new, exit 0 changed, 1 the old one was refused, 2 error. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth-private.h"
#include "cli-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "store-private.h"

/* Up to @n lines of at most KIKAN_AUTH_MAX_PASSWORD_BYTES bytes each. */
static char **
read_lines (const char *path, guint n, GError **error)
{
    g_autoptr (GPtrArray) lines = g_ptr_array_new ();
    FILE *f = path != NULL ? fopen (path, "re") : stdin;
    char buf[KIKAN_AUTH_MAX_PASSWORD_BYTES + 3];

    if (f == NULL) {
        g_autofree char *shown = kikan_escape_for_display (path, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "The password file %s cannot be read.",
                     shown);
        return NULL;
    }
    while (lines->len < n && fgets (buf, sizeof buf, f) != NULL) {
        gsize len = strlen (buf);

        if (len > 0 && buf[len - 1] == '\n')
            buf[--len] = '\0';
        if (len > 0 && buf[len - 1] == '\r')
            buf[--len] = '\0';
        g_ptr_array_add (lines, g_strdup (buf));
    }
    sodium_memzero (buf, sizeof buf);
    if (f != stdin)
        fclose (f);
    if (lines->len < n) {
        for (guint i = 0; i < lines->len; i++) {
            sodium_memzero (lines->pdata[i], strlen (lines->pdata[i]));
            g_free (lines->pdata[i]);
        }
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     n == 1 ? "Give the password on one line (standard input or --password-file)."
                            : "Give the old password, then the new one, one per line.");
        return NULL;
    }
    g_ptr_array_add (lines, NULL);
    return (char **)g_ptr_array_free (g_steal_pointer (&lines), FALSE);
}

static void
wipe_lines (char **lines)
{
    for (char **l = lines; l != NULL && *l != NULL; l++)
        sodium_memzero (*l, strlen (*l));
    g_strfreev (lines);
}

static char *
when (gint64 t)
{
    g_autoptr (GDateTime) d = g_date_time_new_from_unix_utc (t);

    return g_date_time_format (d, "%Y-%m-%d %H:%M UTC");
}

static int
report (const KikanAuthResult *r, const KikanAuthPolicy *policy)
{
    g_autofree char *until = NULL;

    switch (r->outcome) {
    case KIKAN_AUTH_OK:
        printf ("Signed in: IT mode opens.\n");
        return KIKAN_EXIT_OK;
    case KIKAN_AUTH_MUST_CHANGE:
        printf ("Right password, but it is the initial one: change it first with `kikan it "
                "account passwd`.\n");
        return KIKAN_EXIT_STALE; /* 3 */
    case KIKAN_AUTH_LOCKED:
        until = when (r->locked_until);
        printf ("IT mode is LOCKED for this account until %s after too many wrong passwords. "
                "The attempts are in the audit log; another IT staff member can help "
                "meanwhile.\n",
                until);
        return KIKAN_EXIT_INFECTED; /* 1 */
    case KIKAN_AUTH_REFUSED:
    default:
        /* The same words whether the account exists or not, and no count:
         * the kiosk does not tell who has an account. */
        printf ("Wrong account or password. After %u wrong passwords in a row, IT mode locks "
                "for %u minutes.\n",
                policy->max_failures, policy->lockout_minutes);
        return KIKAN_EXIT_INFECTED; /* 1 */
    }
}

int
kikan_cmd_it_account (int argc, char **argv)
{
    g_autofree char *password_file = NULL;
    const GOptionEntry entries[] = {
        { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
          "Read the password(s) from FILE instead of standard input", "FILE" },
        { NULL },
    };
    g_autoptr (GOptionContext) context
        = g_option_context_new ("add|login|passwd ID — IT staff accounts");
    g_autoptr (GError) error = NULL;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanStore) store = NULL;
    g_autofree char *conf = NULL;
    char **lines = NULL;
    KikanAuthPolicy policy;
    KikanAuthResult result;
    const char *sub, *id;
    int rc = KIKAN_EXIT_ERROR;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (argc != 3) {
        fprintf (stderr, "Usage: kikan it account add|login|passwd ID [--password-file FILE]\n"
                         "  (passwords one per line on standard input: passwd reads the old "
                         "one, then the new one)\n");
        return KIKAN_EXIT_ERROR;
    }
    sub = argv[1];
    id = argv[2];
    conf = kikan_home_dup_config_path (home);
    if (!kikan_auth_policy_load (conf, &policy, &error)
        || (store = kikan_store_open (home, &error)) == NULL)
        goto fail;
    if (strcmp (sub, "add") == 0) {
        if ((lines = read_lines (password_file, 1, &error)) == NULL
            || !kikan_auth_add_account (store, id, lines[0], &error))
            goto fail;
        printf ("IT account %s added; its password must be changed at the first sign-in.\n", id);
        rc = KIKAN_EXIT_OK;
    } else if (strcmp (sub, "login") == 0) {
        if ((lines = read_lines (password_file, 1, &error)) == NULL
            || !kikan_auth_login (store, &policy, id, lines[0], &result, &error))
            goto fail;
        rc = report (&result, &policy);
    } else if (strcmp (sub, "passwd") == 0) {
        if ((lines = read_lines (password_file, 2, &error)) == NULL)
            goto fail;
        if (kikan_auth_change_password (store, &policy, id, lines[0], lines[1], &result, &error)) {
            printf ("The password was changed.\n");
            rc = KIKAN_EXIT_OK;
        } else if (error != NULL) {
            goto fail;
        } else {
            rc = report (&result, &policy);
        }
    } else {
        fprintf (stderr, "kikan: unknown command “it account %s”.\n", sub);
    }
    wipe_lines (lines);
    return rc;

fail:
    wipe_lines (lines);
    kikan_cli_print_error (error);
    return KIKAN_EXIT_ERROR;
}
