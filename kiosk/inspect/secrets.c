/* Kikan kiosk: passphrases for encrypted volumes, while `kikan` holds them. */
#include "secrets-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "kikan/scand.h"

#include "error-private.h"
#include "escape-private.h"
#include "signal-guard-private.h"

struct KikanSecrets {
    char *v[KIKAN_SCAN_MAX_SECRETS + 1];  /* kikan_secret_alloc blocks, NULL-terminated */
    gsize n;
};

KikanSecrets *
kikan_secrets_new (void)
{
    return g_new0 (KikanSecrets, 1);
}

void
kikan_secrets_free (KikanSecrets *self)
{
    if (self == NULL)
        return;
    while (self->n > 0)
        kikan_secrets_remove_last (self);
    g_free (self);
}

void
kikan_secrets_remove_last (KikanSecrets *self)
{
    g_return_if_fail (self != NULL);
    if (self->n == 0)
        return;
    self->n--;
    kikan_secret_free (self->v[self->n]);  /* wipes it */
    self->v[self->n] = NULL;
}

const char *const *
kikan_secrets_get (KikanSecrets *self, gsize *n)
{
    if (n != NULL)
        *n = self != NULL ? self->n : 0;
    return self != NULL && self->n > 0 ? (const char *const *) self->v : NULL;
}

gsize
kikan_secrets_get_n (KikanSecrets *self)
{
    return self != NULL ? self->n : 0;
}

static gboolean
check_room (KikanSecrets *self, GError **error)
{
    if (self->n < KIKAN_SCAN_MAX_SECRETS)
        return TRUE;
    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                 "At most %d passphrases can be given to one scan.", KIKAN_SCAN_MAX_SECRETS);
    return FALSE;
}

/* Takes @buf (a kikan_secret_alloc block holding @len bytes) after
 * checking it; wipes and frees it when refused. */
static gboolean
take_secret (KikanSecrets *self, char *buf, gsize len, const char *what, GError **error)
{
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    if (len > 0 && buf[len - 1] == '\r')
        len--;
    buf[len] = '\0';
    if (len == 0 || memchr (buf, '\0', len) != NULL || len > KIKAN_SCAN_MAX_SECRET_LEN) {
        kikan_secret_free (buf);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "%s: a passphrase must be 1 to %d bytes of text on one line.", what,
                     KIKAN_SCAN_MAX_SECRET_LEN);
        return FALSE;
    }
    /* Whatever followed the newline was wiped with the block's tail. */
    explicit_bzero (buf + len, KIKAN_SCAN_MAX_SECRET_LEN + 3 - len);
    self->v[self->n++] = buf;
    return TRUE;
}

/* "/proc/self/fd/N" (or "/dev/fd/N"): a descriptor of this process.  The
 * kiosk hands a typed passphrase over in a sealed memfd, so that it is
 * never on a disk nor under a name another process could open; the magic
 * link cannot be opened with O_NOFOLLOW (ELOOP), so the descriptor is
 * duplicated and read from its start.  -1 with errno set when @path names
 * a descriptor that is not open; -2 when @path is not of that form. */
static int
dup_own_fd (const char *path)
{
    const char *n = NULL;
    guint64 v = 0;
    int fd;

    if (g_str_has_prefix (path, "/proc/self/fd/"))
        n = path + strlen ("/proc/self/fd/");
    else if (g_str_has_prefix (path, "/dev/fd/"))
        n = path + strlen ("/dev/fd/");
    if (n == NULL || !g_ascii_string_to_unsigned (n, 10, 3, G_MAXINT, &v, NULL))
        return -2;
    if ((fd = fcntl ((int)v, F_DUPFD_CLOEXEC, 3)) < 0)
        return -1;
    if (lseek (fd, 0, SEEK_SET) != 0) {
        int e = errno;

        close (fd);
        errno = e;
        return -1;
    }
    return fd;
}

gboolean
kikan_secrets_add_file (KikanSecrets *self, const char *path, GError **error)
{
    g_autofree char *shown = NULL;
    /* Room for the longest passphrase, "\r\n", and one byte to notice a
     * longer file. */
    const gsize cap = KIKAN_SCAN_MAX_SECRET_LEN + 3;
    char *buf = NULL;
    gsize len = 0;
    struct stat st;
    int fd;

    g_return_val_if_fail (self != NULL && path != NULL, FALSE);
    shown = kikan_escape_for_display (path, -1);
    if (!check_room (self, error))
        return FALSE;
    if ((fd = dup_own_fd (path)) == -2)
        fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "--passphrase-file %s: %s%s.", shown,
                     g_strerror (e), e == ELOOP ? " (a symbolic link is not followed)" : "");
        return FALSE;
    }
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
        close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "--passphrase-file %s: not a regular file.", shown);
        return FALSE;
    }
    if ((buf = kikan_secret_alloc (cap + 1)) == NULL) {
        close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED, "Out of memory for a passphrase.");
        return FALSE;
    }
    /* Straight into locked memory: no stdio buffer keeps a copy. */
    while (len < cap) {
        ssize_t r = read (fd, buf + len, cap - len);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;

            close (fd);
            kikan_secret_free (buf);
            g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "--passphrase-file %s: %s.", shown,
                         g_strerror (e));
            return FALSE;
        }
        if (r == 0)
            break;
        len += (gsize) r;
    }
    close (fd);
    if (len == cap) {
        kikan_secret_free (buf);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "--passphrase-file %s: longer than %d bytes: not a passphrase.", shown,
                     KIKAN_SCAN_MAX_SECRET_LEN);
        return FALSE;
    }
    {
        g_autofree char *what = g_strdup_printf ("--passphrase-file %s", shown);

        return take_secret (self, buf, len, what, error);
    }
}

void
kikan_secrets_tell_tty (const char *text)
{
    int fd = open ("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);

    if (fd < 0)
        return;
    (void) !write (fd, text, strlen (text));
    close (fd);
}

gboolean
kikan_secrets_add_from_tty (KikanSecrets *self, const char *prompt, GError **error)
{
    const gsize cap = KIKAN_SCAN_MAX_SECRET_LEN + 3;
    struct termios saved, quiet;
    char *buf = NULL;
    gsize len = 0;
    gboolean echo_off = FALSE, eof = FALSE;
    int fd, slot = -1;

    g_return_val_if_fail (self != NULL && prompt != NULL, FALSE);
    if (!check_room (self, error))
        return FALSE;
    if ((fd = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
        int e = errno;

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "--ask-passphrase needs a terminal to ask on (/dev/tty: %s); give "
                     "--passphrase-file instead.",
                     g_strerror (e));
        return FALSE;
    }
    if ((buf = kikan_secret_alloc (cap + 1)) == NULL) {
        close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_FAILED, "Out of memory for a passphrase.");
        return FALSE;
    }
    if (tcgetattr (fd, &saved) == 0) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t) (ECHO | ECHOE | ECHOK | ECHONL);
        /* Registered first: a Ctrl-C at the prompt gets the echo back. */
        slot = kikan_signal_guard_add_termios (fd, &saved);
        if (slot >= 0 && tcsetattr (fd, TCSAFLUSH, &quiet) == 0)
            echo_off = TRUE;
    }
    if (!echo_off) {
        /* Never read a passphrase that would be shown on the screen. */
        kikan_signal_guard_undo (slot);
        kikan_secret_free (buf);
        close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "--ask-passphrase: cannot turn off echo on the terminal; give "
                     "--passphrase-file instead.");
        return FALSE;
    }
    (void) !write (fd, prompt, strlen (prompt));
    while (len < cap) {
        ssize_t r = read (fd, buf + len, 1);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            eof = len == 0;
            break;
        }
        if (buf[len++] == '\n')
            break;
    }
    kikan_signal_guard_undo (slot);  /* echo back on */
    (void) !write (fd, "\n", 1);
    close (fd);
    if (eof) {
        kikan_secret_free (buf);
        return FALSE;  /* declined: no error */
    }
    if (len == cap) {
        /* The rest of the line is left unread: it stays with the terminal. */
        kikan_secret_free (buf);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                     "The passphrase typed is longer than %d bytes.", KIKAN_SCAN_MAX_SECRET_LEN);
        return FALSE;
    }
    return take_secret (self, buf, len, "The passphrase typed", error);
}
