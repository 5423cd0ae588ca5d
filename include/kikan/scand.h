/* Kikan: the scan daemon and how the kiosk talks to it.
 *
 * Process layout (DESIGN "Processes and trust boundaries"):
 *
 *   kikan / kikan-kiosk  --socketpair-->  kikan-scand  --socketpair-->  worker child
 *        (this client API)                (loads engine once,           (rlimits, no-new-privs,
 *                                          forks one child per          seccomp, Landlock; reads
 *                                          target, relays results)      only the fd it was given)
 *
 * The client opens the target itself and hands the descriptor over
 * (SCM_RIGHTS); neither the daemon nor the worker opens the target by name.
 * Messages are versioned with a fixed header (scanner/ipc-private.h).
 *
 * Plain C: used from kiosk/ (GLib) and tests alike.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "kikan/engine.h"
#include "kikan/report.h"

typedef struct KikanScandClient KikanScandClient;

typedef struct {
    uint64_t files_done;
    uint64_t bytes_done;
    uint64_t files_total;   /* known after the worker's walk; 0 while counting */
    uint64_t bytes_total;
    int counting_done;      /* 1 once files_total/bytes_total are final */
} KikanProgress;

/* How a target ended, from the daemon's point of view. */
typedef enum {
    KIKAN_TARGET_COMPLETE = 0,       /* worker walked everything and exited 0 */
    KIKAN_TARGET_WORKER_FAILED = 1,  /* crashed, killed, bad exit, protocol error */
    KIKAN_TARGET_TIMEOUT = 2,        /* target deadline passed; worker killed */
    KIKAN_TARGET_ERROR = 3,          /* could not start (sandbox, fork, bad fd) */
} KikanTargetStatus;

typedef struct {
    KikanTargetStatus status;
    char *detail;            /* e.g. "worker killed by signal 9"; NULL when complete */
    char *sandbox;           /* backend that confined the worker: "seccomp+landlock", "seccomp", "null" */
    pid_t worker_pid;
    uint64_t files_seen;     /* file reports relayed */
    double seconds;
} KikanTargetEnd;

void kikan_target_end_clear (KikanTargetEnd *e);

typedef struct {
    /* Called on the caller's thread, from within kikan_scand_client_scan().
     * Pointers are borrowed for the duration of the call. Any may be NULL. */
    void (*worker_started) (pid_t pid, const char *sandbox, void *user_data);
    void (*progress) (const KikanProgress *p, void *user_data);
    void (*file) (const KikanFileReport *r, void *user_data);
} KikanScandEvents;

typedef struct {
    unsigned jobs;           /* scanning threads in the worker; 0 = number of CPUs */
    unsigned timeout_s;      /* whole-target deadline; 0 = default (3600) */
    int null_sandbox;        /* 1 = ask for the null backend (tests, no seccomp) */
} KikanScanParams;

/* Starts kikan-scand (the executable at @scand_path) on a socketpair and
 * waits until it has loaded the engine.  On success *info receives a deep
 * copy of the engine info (free with kikan_engine_info_clear + free).
 * On failure @err says what happened (e.g. a tampered database) and a
 * KIKAN_E* code is returned. */
int kikan_scand_client_spawn (const char *scand_path, const KikanEngineOptions *opts,
                              KikanScandClient **out, KikanEngineInfo **info, char *err,
                              size_t errlen);

/* Scans one target.  @fd is a directory (O_DIRECTORY) or regular file opened
 * read-only by the caller; it is sent to the daemon and stays owned by the
 * caller.  @name is the display name for the root.  Blocks, calling @ev as
 * messages arrive, and fills @end.  Returns 0 when the daemon answered (even
 * if the worker failed: look at end->status), or a KIKAN_E* code when the
 * daemon itself is gone. */
int kikan_scand_client_scan (KikanScandClient *c, int fd, const char *name,
                             const KikanScanParams *params, const KikanScandEvents *ev,
                             void *user_data, KikanTargetEnd *end);

/* Asks the daemon to exit and reaps it; accepts NULL. */
void kikan_scand_client_free (KikanScandClient *c);

/* The daemon's main loop: load the engine described by @opts, send HELLO
 * (or an error) on @sock, then serve requests until the peer closes.
 * Used by kikan-scand's main().  Returns the process exit code. */
int kikan_scand_serve (int sock, const KikanEngineOptions *opts);
