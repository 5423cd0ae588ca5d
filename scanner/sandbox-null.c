/* Kikan: the null sandbox backend.
 *
 * Confines nothing beyond the worker's common hardening (rlimits,
 * no-new-privs, closed descriptors).  It exists so that the whole scan path
 * runs on machines without seccomp and in tests that must not depend on the
 * kernel; every result it produces carries the sandbox name "null". */
#include <stddef.h>

#include "sandbox-private.h"

static int
null_apply (const KikanSandboxPaths *paths, const char **applied, char *err, size_t errlen)
{
    *applied = "null";
    return 0;
}

const KikanSandboxBackend kikan_sandbox_null = {
    "null",
    null_apply,
};
