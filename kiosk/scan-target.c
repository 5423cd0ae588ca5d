/* Kikan kiosk: a target the operator named, opened by us. */
#include "scan-target-private.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error-private.h"
#include "escape-private.h"

static const char *
kind_name (mode_t mode)
{
    if (S_ISCHR (mode))
        return "character device";
    if (S_ISFIFO (mode))
        return "pipe";
    if (S_ISSOCK (mode))
        return "socket";
    return "special file";
}

KikanScanTarget *
kikan_scan_target_open (const char *path, GError **error)
{
    g_autofree char *shown = NULL;
    struct stat st;
    int fd;

    g_return_val_if_fail (path != NULL, NULL);
    shown = kikan_escape_for_display (path, -1);
    /* O_NONBLOCK: a FIFO named by mistake must not hang us in open(). */
    fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Cannot open %s: %s. Check the path, and that the medium is still "
                     "plugged in.",
                     shown, g_strerror (e));
        return NULL;
    }
    if (fstat (fd, &st) != 0) {
        int e = errno;

        close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Cannot examine %s: %s.", shown,
                     g_strerror (e));
        return NULL;
    }
    if (S_ISBLK (st.st_mode)) {
        close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_SUPPORTED,
                     "%s is a block device: scanning whole devices is not supported yet. "
                     "Scan a disk image or a folder instead.",
                     shown);
        return NULL;
    }
    if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode)) {
        close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_SUPPORTED,
                     "%s is a %s, not a folder or a file: it cannot be scanned.", shown,
                     kind_name (st.st_mode));
        return NULL;
    }
    KikanScanTarget *self = g_new0 (KikanScanTarget, 1);

    self->path = g_strdup (path);
    self->fd = fd;
    self->is_dir = S_ISDIR (st.st_mode);
    return self;
}

void
kikan_scan_target_free (KikanScanTarget *self)
{
    if (self == NULL)
        return;
    if (self->fd >= 0)
        close (self->fd);
    g_free (self->path);
    g_free (self);
}
