/* Kikan kiosk: a target the operator named, opened by us.
 *
 * Neither the daemon nor its worker opens a target by name (include/kikan/
 * scand.h): we open it here, read-only, and hand the descriptor over.  A
 * block device is also set read-only in the kernel (BLKROSET) where we are
 * permitted to, and set back as it was when the target is freed, or when
 * `kikan` is stopped by SIGINT, SIGTERM or SIGHUP (signal-guard-private.h).
 */
#pragma once

#include <glib.h>

typedef enum {
    KIKAN_TARGET_KIND_DIRECTORY,     /* "directory" */
    KIKAN_TARGET_KIND_FILE,          /* a regular file: one file, or a disk image */
    KIKAN_TARGET_KIND_BLOCK_DEVICE,  /* "block_device" */
} KikanTargetKind;

typedef struct {
    char *path;       /* as the operator typed it */
    int fd;           /* O_RDONLY, owned */
    gboolean is_dir;
    KikanTargetKind kind;
    guint64 size;     /* bytes of a file or device; 0 for a folder */
    gboolean read_only_set;  /* we set BLKROSET: restored on free */
    int guard_slot;   /* signal-guard slot restoring it, -1 when none */
} KikanScanTarget;

/* Opens @path with O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_NOCTTY|O_NONBLOCK and
 * accepts a folder, a regular file or a block device.  A symbolic link is
 * followed only to a folder (as before media support); a link to a file or
 * a device is refused, naming what it points to, so that the device read
 * is exactly the one named.  Anything else (FIFO, socket, character
 * device) is KIKAN_ERROR_NOT_SUPPORTED. */
KikanScanTarget *kikan_scan_target_open (const char *path, GError **error);
void kikan_scan_target_free (KikanScanTarget *self);  /* accepts NULL; restores, closes */

/* "directory", "file", "block_device"; a FILE that turned out to be a disk
 * image is named "image" by the report, which knows. */
const char *kikan_target_kind_to_string (KikanTargetKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanScanTarget, kikan_scan_target_free)
