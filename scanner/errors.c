/* Error strings for KIKAN_E* codes. */
#include "kikan/errors.h"

const char *
kikan_strerror (int code)
{
    switch (code) {
    case KIKAN_OK: return "success";
    case KIKAN_ENOMEM: return "out of memory";
    case KIKAN_EINVAL: return "invalid argument or malformed input";
    case KIKAN_EIO: return "input/output error";
    case KIKAN_EDB: return "signature database error";
    case KIKAN_EENGINE: return "malware engine error";
    case KIKAN_ESANDBOX: return "sandbox could not be applied";
    case KIKAN_EPROTO: return "protocol error between kiosk and scanner";
    case KIKAN_ETIMEOUT: return "timed out";
    case KIKAN_EWORKER: return "scanner worker failed";
    case KIKAN_ENOTSUP: return "not supported";
    case KIKAN_ESTATE: return "operation not allowed in this state";
    case KIKAN_ECANCELLED: return "cancelled";
    default: return "unknown error";
    }
}
