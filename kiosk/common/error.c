/* Kikan kiosk: the KIKAN_ERROR GError domain. */
#include "error-private.h"

#include "kikan/errors.h"

G_DEFINE_QUARK (kikan-error-quark, kikan_error)

void
kikan_set_error_from_code (GError **error, int code, const char *detail, const char *what,
                           const char *hint)
{
    KikanErrorCode kcode;

    switch (code) {
    case KIKAN_EDB:
        kcode = KIKAN_ERROR_VERIFY;
        break;
    case KIKAN_EIO:
        kcode = KIKAN_ERROR_IO;
        break;
    case KIKAN_ENOTSUP:
        kcode = KIKAN_ERROR_NOT_SUPPORTED;
        break;
    case KIKAN_EENGINE:
    case KIKAN_ESANDBOX:
    case KIKAN_EPROTO:
    case KIKAN_EWORKER:
    case KIKAN_ETIMEOUT:
        kcode = KIKAN_ERROR_ENGINE;
        break;
    default:
        kcode = KIKAN_ERROR_FAILED;
        break;
    }
    if (detail == NULL || detail[0] == '\0')
        detail = kikan_strerror (code);
    g_set_error (error, KIKAN_ERROR, kcode, "%s: %s%s%s%s", what, detail,
                 g_str_has_suffix (detail, ".") ? "" : ".", hint != NULL ? " " : "",
                 hint != NULL ? hint : "");
}
