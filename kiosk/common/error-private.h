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
    /* The store (kiosk/store/, docs/store.md): each reason to refuse
     * service has its own code, so that the kiosk can show IT the right
     * next step.  The file is never changed in any of these cases. */
    KIKAN_ERROR_STORE,              /* any other SQLite failure */
    KIKAN_ERROR_STORE_NOT_DATABASE, /* kikan.db is not a SQLite database */
    KIKAN_ERROR_STORE_NOT_KIKAN,    /* a SQLite database, but not a Kikan store */
    KIKAN_ERROR_STORE_CORRUPT,      /* PRAGMA integrity_check failed */
    KIKAN_ERROR_STORE_FOREIGN_KEYS, /* PRAGMA foreign_key_check found rows */
    KIKAN_ERROR_STORE_TOO_NEW,      /* user_version newer than this program */
    KIKAN_ERROR_NOT_FOUND,          /* no such employee, asset, loan or medium */
    KIKAN_ERROR_CONFLICT,           /* e.g. an asset that is already lent */
    KIKAN_ERROR_CSV,                /* a ledger CSV that cannot be imported */
    KIKAN_ERROR_AUDIT_BROKEN,       /* the audit chain does not verify: service refused */
    KIKAN_ERROR_LEDGER_EMPTY,       /* a ledger CSV of no loans would close every open one */
    KIKAN_ERROR_LEDGER_CHANGED,     /* the file or the store changed after the preview */
} KikanErrorCode;

GQuark kikan_error_quark (void);

/* Sets @error from a KIKAN_E* @code and the scanner's message @detail
 * (NULL or "": kikan_strerror (@code) is used), as "@what: @detail. @hint"
 * (@hint, what to do next, may be NULL).  The GError code is chosen from
 * @code. */
void kikan_set_error_from_code (GError **error, int code, const char *detail, const char *what,
                                const char *hint);
