/* Kikan: the worker's sandbox backends behind one small interface.
 *
 * Like OpenSSH's sandbox-*.c: the worker applies its common hardening
 * (closed descriptors, rlimits, no-new-privs; worker.c) and then asks one
 * backend to confine it, before it reads one byte of the target.
 *
 *   seccomp  (sandbox-seccomp.c): Landlock file-system rules when the kernel
 *            has Landlock, then a seccomp allow-list.  Name
 *            "seccomp+landlock" or "seccomp".
 *   null     (sandbox-null.c): confines nothing.  For tests and machines
 *            without seccomp only; its name "null" is reported with every
 *            result so it is never hidden.
 *
 * A backend that cannot apply what it promises fails, and the worker then
 * does not scan (KIKAN_ESANDBOX): never a silently weaker sandbox.
 */
#pragma once

#include <stddef.h>

typedef struct {
    int target_fd;      /* the target, open read-only (directory or regular file) */
    int target_is_dir;  /* 1: reads beneath target_fd are allowed; 0: only the open fd */
    int tmpdir_fd;      /* the worker's private temp dir (O_PATH | O_DIRECTORY) */
} KikanSandboxPaths;

typedef struct {
    const char *name;  /* "seccomp" or "null" */
    /* Confines the calling process (all its future threads inherit it).
     * On success *applied names what is in force (a static string).  On
     * failure returns KIKAN_ESANDBOX with a message in @err; the process may
     * then be half-confined and must not scan. */
    int (*apply) (const KikanSandboxPaths *paths, const char **applied, char *err,
                  size_t errlen);
} KikanSandboxBackend;

extern const KikanSandboxBackend kikan_sandbox_seccomp;
extern const KikanSandboxBackend kikan_sandbox_null;
