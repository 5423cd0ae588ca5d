/* Kikan kiosk: reading a slip code a barcode scanner wrote into a file
 * (slip-private.h, kikan_slip_read_code_file). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error-private.h"
#include "escape-private.h"
#include "slip-payload-private.h"
#include "slip-private.h"

/* A code is at most KIKAN_SLIP_MAX_TEXT characters; room for whitespace
 * around it, and one byte more to tell "too long" from "just fits". */
#define CODE_FILE_MAX (4 * KIKAN_SLIP_MAX_TEXT)

static char *
not_a_code (const char *path, const char *why, GError **error)
{
    g_autofree char *shown = kikan_escape_for_display (path, -1);

    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_USAGE,
                 "%s is not a slip code (%s). Give the code itself (it starts with %s) or a text "
                 "file holding it.",
                 shown, why, KIKAN_SLIP_PREFIX);
    return NULL;
}

char *
kikan_slip_read_code_file (const char *path, GError **error)
{
    g_autofree char *buf = g_malloc (CODE_FILE_MAX + 2);
    struct stat sb;
    gsize len = 0;
    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0)
        return not_a_code (path, g_strerror (errno), error);
    /* Never read what is not a regular file (/dev/zero, a FIFO) or what
     * is larger than any code: a hostile "code" must not fill memory. */
    if (fstat (fd, &sb) != 0 || !S_ISREG (sb.st_mode)) {
        close (fd);
        return not_a_code (path, "not a regular file", error);
    }
    if (sb.st_size > CODE_FILE_MAX) {
        close (fd);
        return not_a_code (path, "too long", error);
    }
    while (len <= CODE_FILE_MAX) {
        ssize_t n = read (fd, buf + len, CODE_FILE_MAX + 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;

            close (fd);
            return not_a_code (path, g_strerror (err), error);
        }
        if (n == 0)
            break;
        len += (gsize)n;
    }
    close (fd);
    if (len > CODE_FILE_MAX)
        return not_a_code (path, "too long", error);
    if (memchr (buf, '\0', len) != NULL)
        return not_a_code (path, "binary", error);
    buf[len] = '\0';
    return g_steal_pointer (&buf);
}
