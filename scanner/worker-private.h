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
 *
 * A block device, or a regular file that looks like a disk image, is read
 * as a medium (media-private.h): its volumes are probed, encrypted ones
 * unlocked in user space with the passphrases given (unlock-private.h), and
 * the file systems walked through The Sleuth Kit, never mounted.  Every
 * named stream of a file is a file of its own ("p1:/doc.txt:evil"), a
 * symbolic link is reported clean with its text (never followed), and a
 * disk image found inside any target is opened the same way and its files
 * reported as "<image path>!p<N>:/<path>" (issue #8; docs/media.md):
 *
 *   WORKER_STARTED, VOLUME..., PROGRESS (counting done), FILE..., WORKER_DONE
 *
 * or, when a passphrase given unlocks nothing or the medium cannot be
 * opened, WORKER_STARTED, VOLUME..., ERROR (and nothing is scanned).
 */
#pragma once

#include <sys/types.h>

#include "kikan/engine.h"

/* Depth below the target root beyond which directories are not entered
 * (reported LIMIT_EXCEEDED instead): a guard against crafted media. */
#define KIKAN_WORKER_MAX_DEPTH 256
/* The worker's nice value: below the kiosk UI and the daemon, so that a
 * scan that spins on hostile content leaves the screen responsive. */
#define KIKAN_WORKER_NICE 10
/* Upper bound on scanning threads, whatever the machine or request says. */
#define KIKAN_WORKER_MAX_JOBS 64
/* Directory entries listed per volume of a medium before the walk is cut
 * (the rest is reported LIMIT_EXCEEDED). */
#define KIKAN_WORKER_MAX_ENTRIES 5000000ull
/* Disk images inside disk images opened before one is reported
 * LIMIT_EXCEEDED instead (issue #8 item 7): a folder's image and an image
 * inside that one are read, a third level is not. */
#define KIKAN_WORKER_MAX_IMAGE_NESTING 2

/* Exit statuses of the worker process (the daemon reads them). */
enum {
    KIKAN_WORKER_EXIT_OK = 0,        /* walked everything, sent WORKER_DONE */
    KIKAN_WORKER_EXIT_SANDBOX = 10,  /* could not confine itself; sent ERROR */
    KIKAN_WORKER_EXIT_SETUP = 11,    /* could not prepare (fds, limits, temp dir) */
    KIKAN_WORKER_EXIT_LOST = 12,     /* the daemon stopped listening */
    KIKAN_WORKER_EXIT_NOMEM = 13,    /* out of memory for its own bookkeeping */
    KIKAN_WORKER_EXIT_WRONG_SECRET = 14,  /* sent ERROR: a passphrase unlocks nothing */
    KIKAN_WORKER_EXIT_UNREADABLE = 15,    /* sent ERROR: the medium cannot be opened */
};

typedef struct {
    KikanEngine *engine;   /* the daemon's engine, copy-on-write after fork; NULL in a
                            * probe-only daemon (then probe_only is 1) */
    int sock;              /* worker end of the socketpair */
    int target_fd;         /* directory, regular file or block device, read-only */
    const char *name;      /* display name of the target root (hostile) */
    const char *tmpdir;    /* private temp dir created by the daemon (0700) */
    unsigned jobs;         /* scanning threads; 0 = online CPUs */
    int null_sandbox;      /* 1: the null backend (reported as "null") */
    pid_t daemon_pid;      /* to notice a daemon that died before the fork returned */
    int stderr_fd;         /* pipe to the daemon, which escapes and filters it; -1: keep fd 2 */
    int probe_only;        /* 1: report the volumes of a medium, read no file */
    int as_file;           /* 1: a regular file is one file, never a disk image */
    /* Passphrases for encrypted volumes, inside @secrets_arena (a
     * kikan_secret_alloc block of the daemon's, copy-on-write after fork):
     * the worker locks it again before its sandbox, and wipes it as soon as
     * the volumes are unlocked. */
    const char *const *secrets;
    size_t n_secrets;
    void *secrets_arena;
} KikanWorkerArgs;

/* The names a worker of this build reports when it is confined (not
 * null_sandbox), NULL-terminated: the seccomp backend's, or, in the
 * test-only kikan-scand-proof-off, only KIKAN_SANDBOX_NAME_PROOF_OFF.
 * The daemon relays no other name (scand.c).  Defined in worker.c, the one
 * file each test-only daemon compiles again. */
extern const char *const kikan_worker_confined_names[];

/* Called once by the daemon, after the engine is loaded and before any
 * worker is forked, with the engine's temp dir pointed at a private
 * directory.  Loads what libraries would otherwise load lazily from the
 * file system in the middle of a scan -- where the sandbox forbids it: the
 * time zone (libclamav names its temp dirs by local time), OpenSSL's
 * configuration and digest providers (via a scan of a constant buffer),
 * and the iconv modules libclamav uses for OLE2 code pages.  Every worker
 * inherits the result through fork().  @engine NULL (a probe-only daemon):
 * everything but the engine. */
void kikan_worker_prime (KikanEngine *engine);

/* Runs in the freshly forked child and never returns: it ends the process
 * with _exit() and one of the KIKAN_WORKER_EXIT_* statuses, so no atexit
 * handler inherited from the daemon ever runs in the child. */
_Noreturn void kikan_worker_main (const KikanWorkerArgs *args);
