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

/* ---- test-only builds (tests/unit/sandbox-proof.cmake; never installed) ----
 *
 * kikan-scand-probe is kikan-scand compiled with KIKAN_SANDBOX_PROBE: its
 * worker, once confined exactly as in production and after WORKER_STARTED,
 * calls kikan_sandbox_probe() before it reads the target.
 * kikan-scand-proof-off adds KIKAN_SANDBOX_PROOF_OFF: no rlimits, and
 * kikan_sandbox_proof_off in place of the seccomp backend, so that
 * scripts/sandbox-proof.sh can show every sandbox test FAIL without the
 * sandbox; it reports its own sandbox name, "proof-off".  The production kikan-scand has neither (a ctest checks its
 * bytes for the probe's names). */
#if defined(KIKAN_SANDBOX_PROOF_OFF) && !defined(KIKAN_SANDBOX_PROBE)
#error "KIKAN_SANDBOX_PROOF_OFF is only for the probe builds (KIKAN_SANDBOX_PROBE)"
#endif
#ifdef KIKAN_SANDBOX_PROBE
/* A hostile action refused with an errno (not killed) ends the worker with
 * this status plus the errno: 113 for EACCES, 101 for EPERM. */
#define KIKAN_PROBE_EXIT_REFUSED 100
/* A probe that was asked for but cannot run (no KIKAN_PROBE_OUT). */
#define KIKAN_PROBE_EXIT_MISUSED 99

/* When the display name of the target contains "kikan-probe-<action>",
 * does what code that has taken over the worker would try (the table in
 * sandbox-probe.c).  Refused with an errno: ends the process with
 * KIKAN_PROBE_EXIT_REFUSED + errno, as an exploit that hits a wall
 * crashes.  Allowed: leaves its evidence (a file in $KIKAN_PROBE_OUT, or
 * in the target) and returns, so the scan goes on and reports the target
 * as if nothing had happened.  Any other name: returns at once. */
void kikan_sandbox_probe (const char *name, int target_fd);
#endif
#ifdef KIKAN_SANDBOX_PROOF_OFF
/* Applies nothing and answers KIKAN_SANDBOX_NAME_PROOF_OFF ("proof-off";
 * kikan/scand.h): a sandbox that failed, which the sandbox tests must
 * notice by what the worker manages to do, and whose name a kiosk outside
 * the build tree refuses. */
extern const KikanSandboxBackend kikan_sandbox_proof_off;
#endif
