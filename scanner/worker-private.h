/* Kikan: the sandboxed worker child of kikan-scand.
 *
 * One worker per target.  kikan-scand forks it with the engine already
 * compiled (shared copy-on-write) and hands it the target descriptor, its
 * end of a socketpair and a private temp dir.  The worker confines itself
 * (worker.c, then a backend from sandbox-private.h) before it reads one
 * byte of the target, walks the target with openat(O_NOFOLLOW) only, scans
 * regular files with a pool of threads and streams the results back:
 *
 *   WORKER_STARTED, PROGRESS (counting done), FILE..., PROGRESS..., WORKER_DONE
 *
 * or ERROR when it could not confine itself (it then scans nothing).
 */
#pragma once

#include <sys/types.h>

#include "kikan/engine.h"

/* Depth below the target root beyond which directories are not entered
 * (reported LIMIT_EXCEEDED instead): a guard against crafted media. */
#define KIKAN_WORKER_MAX_DEPTH 256
/* Upper bound on scanning threads, whatever the machine or request says. */
#define KIKAN_WORKER_MAX_JOBS 64

/* Exit statuses of the worker process (the daemon reads them). */
enum {
    KIKAN_WORKER_EXIT_OK = 0,        /* walked everything, sent WORKER_DONE */
    KIKAN_WORKER_EXIT_SANDBOX = 10,  /* could not confine itself; sent ERROR */
    KIKAN_WORKER_EXIT_SETUP = 11,    /* could not prepare (fds, limits, temp dir) */
    KIKAN_WORKER_EXIT_LOST = 12,     /* the daemon stopped listening */
    KIKAN_WORKER_EXIT_NOMEM = 13,    /* out of memory for its own bookkeeping */
};

typedef struct {
    KikanEngine *engine;   /* the daemon's engine, copy-on-write after fork */
    int sock;              /* worker end of the socketpair */
    int target_fd;         /* directory or regular file, read-only */
    const char *name;      /* display name of the target root (hostile) */
    const char *tmpdir;    /* private temp dir created by the daemon (0700) */
    unsigned jobs;         /* scanning threads; 0 = online CPUs */
    int null_sandbox;      /* 1: the null backend (reported as "null") */
    pid_t daemon_pid;      /* to notice a daemon that died before the fork returned */
    int stderr_fd;         /* pipe to the daemon, which escapes and filters it; -1: keep fd 2 */
} KikanWorkerArgs;

/* Called once by the daemon, after the engine is loaded and before any
 * worker is forked, with the engine's temp dir pointed at a private
 * directory.  Loads what libraries would otherwise load lazily from the
 * file system in the middle of a scan -- where the sandbox forbids it: the
 * time zone (libclamav names its temp dirs by local time), OpenSSL's
 * configuration and digest providers (via a scan of a constant buffer),
 * and the iconv modules libclamav uses for OLE2 code pages.  Every worker
 * inherits the result through fork(). */
void kikan_worker_prime (KikanEngine *engine);

/* Runs in the freshly forked child and never returns: it ends the process
 * with _exit() and one of the KIKAN_WORKER_EXIT_* statuses, so no atexit
 * handler inherited from the daemon ever runs in the child. */
_Noreturn void kikan_worker_main (const KikanWorkerArgs *args);
