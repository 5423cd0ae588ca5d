/* Kikan kiosk: a target the operator named, opened by us. */
#include "scan-target-private.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error-private.h"
#include "escape-private.h"
#include "signal-guard-private.h"

/* O_NONBLOCK: a FIFO named by mistake must not hang us in open(). */
#define TARGET_FLAGS (O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

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

const char *
kikan_target_kind_to_string (KikanTargetKind kind)
{
    switch (kind) {
    case KIKAN_TARGET_KIND_DIRECTORY:
        return "directory";
    case KIKAN_TARGET_KIND_BLOCK_DEVICE:
        return "block_device";
    case KIKAN_TARGET_KIND_FILE:
    default:
        return "file";
    }
}

/* A symbolic link named as the target.  Followed to a folder (a mount
 * point behind a link is a folder like any other); refused to anything
 * else, with the real name to use instead. */
static int
open_through_link (const char *path, const char *shown, GError **error)
{
    g_autofree char *real = realpath (path, NULL);
    g_autofree char *real_shown = NULL;
    struct stat st;
    int fd;

    if (real == NULL || stat (real, &st) != 0) {
        int e = errno;

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO,
                     "Cannot open %s: it is a symbolic link that leads nowhere readable (%s).",
                     shown, g_strerror (e));
        return -1;
    }
    real_shown = kikan_escape_for_display (real, -1);
    if (!S_ISDIR (st.st_mode)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_SUPPORTED,
                     "%s is a symbolic link: links to a disk, an image or a file are not "
                     "followed. Name it directly: %s",
                     shown, real_shown);
        return -1;
    }
    if ((fd = open (real, TARGET_FLAGS | O_DIRECTORY)) < 0) {
        int e = errno;

        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_IO, "Cannot open %s (%s): %s.", shown,
                     real_shown, g_strerror (e));
        return -1;
    }
    return fd;
}

/* Sets a block device read-only in the kernel for as long as we hold it,
 * when we may (CAP_SYS_ADMIN); remembers the previous flag, and registers
 * its restoration for the signals that could end us first. */
static void
set_device_read_only (KikanScanTarget *self)
{
    int prev = 0, on = 1;

    if (ioctl (self->fd, BLKROGET, &prev) != 0 || prev != 0)
        return;  /* unknown, or read-only already: nothing to set or restore */
    if ((self->guard_slot = kikan_signal_guard_add_blkro (self->fd, prev)) < 0)
        return;
    if (ioctl (self->fd, BLKROSET, &on) != 0) {
        /* Not permitted (no CAP_SYS_ADMIN): the descriptor is read-only
         * anyway, and nothing changed that needs restoring. */
        g_debug ("BLKROSET on %s: %s", self->path, g_strerror (errno));
        kikan_signal_guard_undo (self->guard_slot);
        self->guard_slot = -1;
        return;
    }
    self->read_only_set = TRUE;
}

KikanScanTarget *
kikan_scan_target_open (const char *path, GError **error)
{
    g_autofree char *shown = NULL;
    KikanScanTarget *self;
    struct stat st;
    int fd;

    g_return_val_if_fail (path != NULL, NULL);
    shown = kikan_escape_for_display (path, -1);
    fd = open (path, TARGET_FLAGS);
    if (fd < 0 && errno == ELOOP && lstat (path, &st) == 0 && S_ISLNK (st.st_mode)) {
        if ((fd = open_through_link (path, shown, error)) < 0)
            return NULL;
    } else if (fd < 0) {
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
    if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode) && !S_ISBLK (st.st_mode)) {
        close (fd);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NOT_SUPPORTED,
                     "%s is a %s, not a folder, a file or a disk: it cannot be scanned.", shown,
                     kind_name (st.st_mode));
        return NULL;
    }
    self = g_new0 (KikanScanTarget, 1);
    self->path = g_strdup (path);
    self->fd = fd;
    self->guard_slot = -1;
    self->is_dir = S_ISDIR (st.st_mode);
    if (S_ISDIR (st.st_mode))
        self->kind = KIKAN_TARGET_KIND_DIRECTORY;
    else if (S_ISREG (st.st_mode)) {
        self->kind = KIKAN_TARGET_KIND_FILE;
        self->size = st.st_size > 0 ? (guint64) st.st_size : 0;
    } else {
        off_t end;

        self->kind = KIKAN_TARGET_KIND_BLOCK_DEVICE;
        /* lseek, as the worker does (its sandbox has no ioctl). */
        end = lseek (fd, 0, SEEK_END);
        (void) lseek (fd, 0, SEEK_SET);
        self->size = end > 0 ? (guint64) end : 0;
        set_device_read_only (self);
    }
    return self;
}

void
kikan_scan_target_free (KikanScanTarget *self)
{
    if (self == NULL)
        return;
    if (self->guard_slot >= 0)
        kikan_signal_guard_undo (self->guard_slot);  /* the previous BLKROSET value */
    if (self->fd >= 0)
        close (self->fd);
    g_free (self->path);
    g_free (self);
}
