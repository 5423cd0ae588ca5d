/* Kikan: error codes shared by every module.
 *
 * Plain C (no GLib): scanner/ uses these as negative return codes, 0 is
 * success.  kiosk/ maps them onto its GError domain at the boundary.
 */
#pragma once

enum {
    KIKAN_OK = 0,
    KIKAN_ENOMEM = -1,    /* allocation failed */
    KIKAN_EINVAL = -2,    /* bad argument or malformed input */
    KIKAN_EIO = -3,       /* read/write error; errno kept where useful */
    KIKAN_EDB = -4,       /* signature database missing, unverifiable or not loadable */
    KIKAN_EENGINE = -5,   /* libclamav refused an operation */
    KIKAN_ESANDBOX = -6,  /* the sandbox could not be applied: never scan then */
    KIKAN_EPROTO = -7,    /* IPC message malformed, wrong version or out of order */
    KIKAN_ETIMEOUT = -8,  /* a deadline passed */
    KIKAN_EWORKER = -9,   /* a worker died, was killed or misbehaved */
    KIKAN_ENOTSUP = -10,  /* target kind or format not supported */
    KIKAN_ESTATE = -11,   /* handle used in the wrong state */
    KIKAN_ECANCELLED = -12, /* the caller cancelled (a medium removed mid-scan) */
};

/* Returns a static English description of a KIKAN_E* code. */
const char *kikan_strerror (int code);
