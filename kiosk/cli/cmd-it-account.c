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

/* Exactly @n lines of at most KIKAN_AUTH_MAX_PASSWORD_BYTES bytes each.
 * A line that holds a NUL (the password would be cut there) or is longer
 * is refused before any attempt is made: a broken or binary file
 * (/dev/zero) costs no attempt and opens nothing. */
static char **
read_lines (const char *path, guint n, GError **error)
{
    g_autoptr (GPtrArray) lines = g_ptr_array_new ();
    FILE *f = path != NULL ? fopen (path, "re") : stdin;
    char buf[KIKAN_AUTH_MAX_PASSWORD_BYTES + 1];
    gboolean ok = TRUE;

    if (f == NULL) {
        g_autofree char *shown = kikan_escape_for_display (path, -1);

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "The password file %s cannot be read.",
                     shown);
        return NULL;
    }
    /* Byte by byte, never more than one line's worth: /dev/zero or a huge
     * file stops at the first line that is too long or holds a NUL. */
    while (ok && lines->len < n) {
        gsize len = 0;
        int c = EOF;

        while (len <= KIKAN_AUTH_MAX_PASSWORD_BYTES && (c = getc (f)) != EOF && c != '\n') {
            if (c == '\0' || len == KIKAN_AUTH_MAX_PASSWORD_BYTES) {
                ok = FALSE;
                break;
            }
            buf[len++] = (char)c;
        }
        if (!ok || (c == EOF && len == 0))
            break;
        if (len > 0 && buf[len - 1] == '\r')
            len--;
        buf[len] = '\0';
        g_ptr_array_add (lines, g_strdup (buf));
    }
    sodium_memzero (buf, sizeof buf);
    if (f != stdin)
        fclose (f);
    if (!ok || lines->len < n) {
        for (guint i = 0; i < lines->len; i++) {
            sodium_memzero (lines->pdata[i], strlen (lines->pdata[i]));
            g_free (lines->pdata[i]);
        }
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     !ok ? "A password line holds a NUL byte or is longer than %d bytes: "
                           "nothing was tried."
                     : n == 1 ? "Give the password on one line (standard input or "
                                "--password-file)."
                              : "Give the old password, then the new one, one per line.",
                     KIKAN_AUTH_MAX_PASSWORD_BYTES);
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

static int
report (const KikanAuthResult *r, const KikanAuthPolicy *policy, KikanAuthRole role)
{
    switch (r->outcome) {
    case KIKAN_AUTH_OK:
        printf ("Signed in: %s mode opens.\n", role == KIKAN_AUTH_ROLE_AUDITOR ? "auditor" : "IT");
        return KIKAN_EXIT_OK;
    case KIKAN_AUTH_MUST_CHANGE:
        printf ("Right password, but it is the initial one: change it first with `kikan it "
                "account passwd`.\n");
        return KIKAN_EXIT_STALE; /* 3 */
    case KIKAN_AUTH_LOCKED:
    case KIKAN_AUTH_REFUSED:
    default:
        /* The same words whether the account exists, is locked, or the
         * password is wrong, and no count: a locked answer that only real
         * accounts give would tell who has one.  The audit record says
         * which it was. */
        printf ("Not signed in: wrong account or password, or the account is locked after %u "
                "wrong passwords in a row (for %u minutes). Every attempt is in the audit "
                "log; another IT staff member can help meanwhile.\n",
                policy->max_failures, policy->lockout_minutes);
        return KIKAN_EXIT_INFECTED; /* 1 */
    }
}

int
kikan_cmd_it_account (int argc, char **argv)
{
    g_autofree char *password_file = NULL;
    g_autofree char *role_name = NULL;
    const GOptionEntry entries[] = {
        { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
          "Read the password(s) from FILE instead of standard input", "FILE" },
        { "role", 0, 0, G_OPTION_ARG_STRING, &role_name,
          "add: the mode the account opens; login: the mode to open (default it)",
          "it|auditor" },
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
    KikanAuthRole role = KIKAN_AUTH_ROLE_IT;
    const char *sub, *id;
    int rc = KIKAN_EXIT_ERROR;

    g_option_context_add_main_entries (context, entries, NULL);
    if (!kikan_cli_parse (context, &argc, &argv))
        return KIKAN_EXIT_ERROR;
    if (role_name != NULL && !kikan_auth_role_parse (role_name, &role)) {
        fprintf (stderr, "kikan: --role is it (IT mode) or auditor (auditor mode).\n");
        return KIKAN_EXIT_ERROR;
    }
    if (argc != 3) {
        fprintf (stderr, "Usage: kikan it account add|login|passwd ID [--role it|auditor] "
                         "[--password-file FILE]\n"
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
            || !kikan_auth_add_account_with_role (store, id, role, lines[0], &error))
            goto fail;
        printf ("%s account %s added; it opens %s mode only, and its password must be changed "
                "at the first sign-in.\n",
                role == KIKAN_AUTH_ROLE_AUDITOR ? "Auditor" : "IT", id,
                role == KIKAN_AUTH_ROLE_AUDITOR ? "auditor" : "IT");
        rc = KIKAN_EXIT_OK;
    } else if (strcmp (sub, "login") == 0) {
        if ((lines = read_lines (password_file, 1, &error)) == NULL
            || !kikan_auth_login_as (store, &policy, role, id, lines[0], &result, &error))
            goto fail;
        rc = report (&result, &policy, role);
    } else if (strcmp (sub, "passwd") == 0) {
        if ((lines = read_lines (password_file, 2, &error)) == NULL)
            goto fail;
        if (kikan_auth_change_password (store, &policy, id, lines[0], lines[1], &result, &error)) {
            printf ("The password was changed.\n");
            rc = KIKAN_EXIT_OK;
        } else if (error != NULL) {
            goto fail;
        } else {
            rc = report (&result, &policy, KIKAN_AUTH_ROLE_IT);
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
