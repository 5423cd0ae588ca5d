/* Kikan kiosk: the KIKAN_ERROR GError domain.
 *
 * scanner/ speaks negative KIKAN_E* codes (include/kikan/errors.h); the
 * GLib side turns them into GErrors here, at the boundary (STYLE rule 7).
 * Messages are written for the person at the kiosk: what happened, then
 * what to do next.
 */
#pragma once

#include <glib.h>

#define KIKAN_ERROR (kikan_error_quark ())

typedef enum {
    KIKAN_ERROR_FAILED,        /* anything not listed below */
    KIKAN_ERROR_USAGE,         /* bad command line */
    KIKAN_ERROR_CONFIG,        /* kikan.conf unreadable or holds a bad value */
    KIKAN_ERROR_HOME,          /* the state directory cannot be created or used */
    KIKAN_ERROR_IO,            /* a read, write or copy failed */
    KIKAN_ERROR_NOT_SUPPORTED, /* target kind not supported (yet) */
    KIKAN_ERROR_NO_SIGNATURES, /* nothing to load, or zero signatures loaded */
    KIKAN_ERROR_VERIFY,        /* a signed database failed verification */
    KIKAN_ERROR_BACKWARDS,     /* an import would roll a database back */
    KIKAN_ERROR_REFUSED,       /* an import medium was refused for its layout */
    KIKAN_ERROR_BUSY,          /* another import holds the lock */
    KIKAN_ERROR_ENGINE,        /* the engine or the scan daemon failed */
} KikanErrorCode;

GQuark kikan_error_quark (void);

/* Sets @error from a KIKAN_E* @code and the scanner's message @detail
 * (NULL or "": kikan_strerror (@code) is used), as "@what: @detail. @hint"
 * (@hint, what to do next, may be NULL).  The GError code is chosen from
 * @code. */
void kikan_set_error_from_code (GError **error, int code, const char *detail, const char *what,
                                const char *hint);
