/* Kikan kiosk: a target the operator named, opened by us.
 *
 * Neither the daemon nor its worker opens a target by name (include/kikan/
 * scand.h): we open it here, read-only, and hand the descriptor over.
 */
#pragma once

#include <glib.h>

typedef struct {
    char *path;       /* as the operator typed it */
    int fd;           /* O_RDONLY, owned */
    gboolean is_dir;  /* FALSE: a regular file (e.g. a disk image) */
} KikanScanTarget;

/* Opens @path with O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK and accepts a
 * folder or a regular file.  Block devices are not supported yet
 * (KIKAN_ERROR_NOT_SUPPORTED); neither is anything else. */
KikanScanTarget *kikan_scan_target_open (const char *path, GError **error);
void kikan_scan_target_free (KikanScanTarget *self);  /* accepts NULL, closes fd */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanScanTarget, kikan_scan_target_free)
