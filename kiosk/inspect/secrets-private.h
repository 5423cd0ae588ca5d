/* Kikan kiosk: passphrases for encrypted volumes, while `kikan` holds them.
 *
 * Each one lives in its own locked page (kikan_secret_alloc: mlock()ed
 * where the limit allows, never in a core dump), is wiped with
 * explicit_bzero() when dropped, and is never printed, logged or put in an
 * error message.  They come from files (--passphrase-file, opened with
 * O_NOFOLLOW) or from the terminal (--ask-passphrase, read from /dev/tty
 * with echo off).
 */
#pragma once

#include <glib.h>

typedef struct KikanSecrets KikanSecrets;

KikanSecrets *kikan_secrets_new (void);
void kikan_secrets_free (KikanSecrets *self);  /* wipes every one; accepts NULL */

/* Reads one passphrase from @path: the whole file but one trailing
 * newline ("\n" or "\r\n"), 1 … KIKAN_SCAN_MAX_SECRET_LEN bytes, no NUL.
 * The file is opened with O_NOFOLLOW and must be a regular file. */
gboolean kikan_secrets_add_file (KikanSecrets *self, const char *path, GError **error);

/* Asks on the controlling terminal (/dev/tty, echo off, restored even on
 * SIGINT): writes @prompt, reads one line.  Returns TRUE and adds it;
 * FALSE with @error KIKAN_ERROR_IO when there is no terminal (or echo
 * cannot be turned off), KIKAN_ERROR_USAGE for a line that is no
 * passphrase (empty, too long), or with @error NULL at end of input
 * (Ctrl-D: the person declined). */
gboolean kikan_secrets_add_from_tty (KikanSecrets *self, const char *prompt, GError **error);

/* Drops (and wipes) the last passphrase added. */
void kikan_secrets_remove_last (KikanSecrets *self);

/* Borrowed, valid until the next change; for KikanScanParams. */
const char *const *kikan_secrets_get (KikanSecrets *self, gsize *n);
gsize kikan_secrets_get_n (KikanSecrets *self);

/* Writes @text to /dev/tty (no secret, ever): for messages between
 * prompts.  Silently nothing without a terminal. */
void kikan_secrets_tell_tty (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanSecrets, kikan_secrets_free)
