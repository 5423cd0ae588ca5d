/* Kikan: the sandbox probe.  TEST-ONLY: compiled into kikan-scand-probe
 * and kikan-scand-proof-off (tests/unit/sandbox-proof.cmake), never into
 * kikan-scand, never installed.  See sandbox-private.h.
 *
 * The worker calls kikan_sandbox_probe() once it is confined exactly as in
 * production and has said WORKER_STARTED, before it reads the target.
 * The target's display name picks the action; each stands for one thing
 * that code which took over the worker while it parsed a medium would try
 * (issue #12 item 3, docs/robustness.md "Sandbox proof"):
 *
 *   kikan-probe-open-path     open("/etc/passwd") by path and read it
 *   kikan-probe-socket        socket(AF_INET): a way out to the network
 *   kikan-probe-exec          execve("/bin/sh"): run another program
 *   kikan-probe-write-outside create a file in $KIKAN_PROBE_OUT, outside
 *                             the worker's private temp dir
 *   kikan-probe-write-target  create a file in the target directory
 *   kikan-probe-memory        reserve address space in 256 MiB steps up to
 *                             64 GiB (never touched, so the machine is not
 *                             starved when no limit stops it)
 *   kikan-probe-cpu           spin on the CPU forever
 *
 * When the action is allowed, the probe leaves evidence the test can see
 * and returns: the scan then goes on and the target comes back as if
 * nothing had happened, which is what a compromised worker would report.
 * When it is refused with an errno, the probe ends the worker with
 * KIKAN_PROBE_EXIT_REFUSED + errno (the test reads the errno back from the
 * daemon's "worker exited with status N"); when the kernel kills it
 * (SIGSYS), there is nothing left to do.  Out of address space, it ends
 * as the worker does when its own memory runs out
 * (KIKAN_WORKER_EXIT_NOMEM). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kikan/scand.h"
#include "sandbox-private.h"
#include "worker-private.h"

#ifndef KIKAN_SANDBOX_PROBE
#error "sandbox-probe.c is for the test-only kikan-scand-probe builds"
#endif

#define PROBE_PREFIX      "kikan-probe-"
#define PROBE_CHUNK       (256ull * 1024 * 1024)
#define PROBE_MAX_CHUNKS  256  /* 64 GiB of address space */

static _Noreturn void
refused (void)
{
    int e = errno > 0 && errno < 100 ? errno : 99;

    _exit (KIKAN_PROBE_EXIT_REFUSED + e);
}

/* The escape worked: leave @what in $KIKAN_PROBE_OUT/@action for the
 * test to find (only reached when nothing confines the worker). */
static void
evidence (const char *out, const char *action, const void *what, size_t len)
{
    char path[4096];
    int fd;

    snprintf (path, sizeof path, "%s/%s", out, action);
    if ((fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
        return;
    (void) !write (fd, what, len);
    close (fd);
}

static int
is_action (const char *name, const char *action)
{
    const char *p = strstr (name, PROBE_PREFIX);
    size_t n = strlen (action);

    if (p == NULL)
        return 0;
    p += strlen (PROBE_PREFIX);
    return strncmp (p, action, n) == 0 && (p[n] == '\0' || p[n] == '.' || p[n] == '/');
}

static void
probe_open_path (const char *out)
{
    char buf[256];
    ssize_t n;
    int fd = open ("/etc/passwd", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        refused ();
    n = read (fd, buf, sizeof buf);
    close (fd);
    evidence (out, "open-path", buf, n > 0 ? (size_t) n : 0);
}

static void
probe_socket (const char *out)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        refused ();
    close (fd);
    evidence (out, "socket", "socket\n", 7);
}

static void
probe_exec (const char *out)
{
    char path[4096];
    char *argv[] = { "sh", "-c", "echo escaped > \"$0\"", path, NULL };
    char *envp[] = { NULL };

    /* The shell writes the evidence itself: proof that it really ran. */
    snprintf (path, sizeof path, "%s/exec", out);
    execve ("/bin/sh", argv, envp);
    refused ();
}

static void
probe_write_outside (const char *out)
{
    char path[4096];
    int fd;

    snprintf (path, sizeof path, "%s/write-outside", out);
    if ((fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
        refused ();
    (void) !write (fd, "escaped\n", 8);
    close (fd);
}

static void
probe_write_target (int target_fd)
{
    int fd = openat (target_fd, "kikan-probe-planted", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                     0600);

    if (fd < 0)
        refused ();
    (void) !write (fd, "planted\n", 8);
    close (fd);
}

static void
probe_memory (const char *out)
{
    static void *chunks[PROBE_MAX_CHUNKS];
    size_t i;

    /* MAP_NORESERVE and never touched: RLIMIT_AS counts address space, so
     * the limit is met without using the machine's memory. */
    for (i = 0; i < PROBE_MAX_CHUNKS; i++) {
        chunks[i] = mmap (NULL, PROBE_CHUNK, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (chunks[i] == MAP_FAILED) {
            if (errno == ENOMEM)
                _exit (KIKAN_WORKER_EXIT_NOMEM);
            refused ();
        }
    }
    for (i = 0; i < PROBE_MAX_CHUNKS; i++)
        munmap (chunks[i], PROBE_CHUNK);
    evidence (out, "memory", "64 GiB reserved\n", 16);
}

static _Noreturn void
probe_cpu (void)
{
    volatile uint64_t spin = 0;

    for (;;)
        spin++;
}

void
kikan_sandbox_probe (const char *name, int target_fd)
{
    const char *out;

    if (name == NULL || strstr (name, PROBE_PREFIX) == NULL)
        return;
    /* Read from the environment the daemon inherited from the test. */
    out = getenv ("KIKAN_PROBE_OUT");
    if (out == NULL || out[0] != '/')
        _exit (KIKAN_PROBE_EXIT_MISUSED);
    if (is_action (name, "open-path"))
        probe_open_path (out);
    else if (is_action (name, "socket"))
        probe_socket (out);
    else if (is_action (name, "exec"))
        probe_exec (out);
    else if (is_action (name, "write-outside"))
        probe_write_outside (out);
    else if (is_action (name, "write-target"))
        probe_write_target (target_fd);
    else if (is_action (name, "memory"))
        probe_memory (out);
    else if (is_action (name, "cpu"))
        probe_cpu ();
    else
        _exit (KIKAN_PROBE_EXIT_MISUSED);
}

#ifdef KIKAN_SANDBOX_PROOF_OFF
static int
proof_off_apply (const KikanSandboxPaths *paths, const char **applied, char *err,
                 size_t errlen)
{
    (void) paths;
    (void) err;
    (void) errlen;
    *applied = KIKAN_SANDBOX_NAME_PROOF_OFF;
    return 0;
}

const KikanSandboxBackend kikan_sandbox_proof_off = {
    "seccomp",
    proof_off_apply,
};
#endif
