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

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kikan/engine.h"
#include "kikan/inventory.h"
#include "kikan/report.h"
#include "kikan/volume.h"

typedef struct KikanScandClient KikanScandClient;

/* The names under which a worker's confinement is reported
 * (KikanTargetEnd.sandbox, the JSON "sandbox"). */
#define KIKAN_SANDBOX_NAME_SECCOMP_LANDLOCK "seccomp+landlock"
#define KIKAN_SANDBOX_NAME_SECCOMP "seccomp"
#define KIKAN_SANDBOX_NAME_NULL "null"  /* confined nothing: asked for, tests only */
/* Only the test-only kikan-scand-proof-off (tests/unit/sandbox-proof.cmake)
 * says this: its backend confines nothing.  The production daemon cannot
 * report it, and a kiosk outside the build tree refuses every result that
 * carries it (kiosk/inspect/scan-report.c). */
#define KIKAN_SANDBOX_NAME_PROOF_OFF "proof-off"

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
    uint32_t volumes_seen;   /* volume reports relayed: > 0 when read as a medium */
    int wrong_secret;        /* 1: status ERROR because a passphrase given unlocks no
                              * encrypted volume; nothing was scanned (detail says which) */
} KikanTargetEnd;

void kikan_target_end_clear (KikanTargetEnd *e);

/* Why a volume of a medium was not read (docs/json.md "Media targets"). */
typedef enum {
    KIKAN_VOLUME_REASON_NONE = 0,
    KIKAN_VOLUME_REASON_ENCRYPTED,               /* "encrypted:<kind>": not unlocked */
    KIKAN_VOLUME_REASON_UNSUPPORTED_FILESYSTEM,  /* "unsupported_filesystem" */
    KIKAN_VOLUME_REASON_NO_FILESYSTEM,           /* "no_filesystem" */
    KIKAN_VOLUME_REASON_READ_ERROR,              /* "read_error" */
    KIKAN_VOLUME_REASON__COUNT
} KikanVolumeReason;

/* "encrypted", "unsupported_filesystem", "no_filesystem", "read_error";
 * NULL for NONE.  The JSON reason of an encrypted volume is this plus
 * ":" plus kikan_encryption_to_string() of its kind. */
const char *kikan_volume_reason_to_string (KikanVolumeReason r);

/* What the worker says about one volume of a medium, before any of its
 * files.  @result is CLEAN for a volume whose file system is read (its
 * files then decide), NOT_INSPECTED with a @reason for one that is not, or
 * only in part (READ_ERROR, with volume.problem saying so); never
 * INFECTED. */
typedef struct {
    KikanVolume volume;
    KikanResult result;
    KikanVolumeReason reason;
} KikanVolumeReport;

void kikan_volume_report_clear (KikanVolumeReport *v);  /* accepts NULL */

typedef struct {
    /* Called on the caller's thread, from within kikan_scand_client_scan().
     * Pointers are borrowed for the duration of the call. Any may be NULL. */
    void (*worker_started) (pid_t pid, const char *sandbox, void *user_data);
    void (*progress) (const KikanProgress *p, void *user_data);
    void (*file) (const KikanFileReport *r, void *user_data);
    /* One per volume of a medium (block device or disk image), in the
     * medium's order, before the first file. */
    void (*volume) (const KikanVolumeReport *v, void *user_data);
    /* Installed software, OS facts and unreadable sources of the target
     * (issue #4), in one or more chunks after the last file: systems
     * arrive merged per volume, so chunks are simply appended. */
    void (*inventory) (const KikanInventory *inv, void *user_data);
} KikanScandEvents;

/* Bounds on the passphrases of one scan, checked on both sides of the
 * protocol. */
#define KIKAN_SCAN_MAX_SECRETS    16
#define KIKAN_SCAN_MAX_SECRET_LEN 1024

typedef struct {
    unsigned jobs;           /* scanning threads in the worker; 0 = number of CPUs */
    unsigned timeout_s;      /* whole-target deadline; 0 = default (3600) */
    int null_sandbox;        /* 1 = ask for the null backend (tests, no seccomp) */
    int probe_only;          /* 1 = report the volumes of a medium (after unlocking
                              * with @secrets) and read no file */
    int as_file;             /* 1 = a regular file is scanned as one file even when it
                              * looks like a disk image */
    /* Passphrases (or BitLocker recovery passwords) to try on encrypted
     * volumes, each 1 … KIKAN_SCAN_MAX_SECRET_LEN bytes without NUL, at
     * most KIKAN_SCAN_MAX_SECRETS.  Borrowed: the caller keeps them in
     * locked memory (kikan_secret_alloc) and wipes them.  They travel in
     * locked memory, are wiped after use in daemon and worker, and never
     * appear in a message, a log or an error.  Every one given must unlock
     * at least one encrypted volume of a medium that has any: otherwise the
     * target ends with status ERROR and wrong_secret = 1, nothing scanned. */
    const char *const *secrets;
    size_t n_secrets;
} KikanScanParams;

/* Memory for secrets: page-backed, mlock()ed where the memory-lock limit
 * allows, excluded from core dumps, zero-filled.  kikan_secret_free()
 * wipes it with explicit_bzero() and unmaps it (accepts NULL). */
void *kikan_secret_alloc (size_t n);
void kikan_secret_free (void *p);

/* Starts kikan-scand (the executable at @scand_path) on a socketpair and
 * waits until it has loaded the engine.  On success *info receives a deep
 * copy of the engine info (free with kikan_engine_info_clear + free).
 * On failure @err says what happened (e.g. a tampered database) and a
 * KIKAN_E* code is returned.
 *
 * With no database at all (opts->n_databases == 0) the daemon loads no
 * engine and only probes: every scan must then be probe_only (others end
 * with status ERROR); *info has no engine version and no database. */
int kikan_scand_client_spawn (const char *scand_path, const KikanEngineOptions *opts,
                              KikanScandClient **out, KikanEngineInfo **info, char *err,
                              size_t errlen);

/* Scans one target.  The wait for the daemon is bounded by the target's
 * deadline (params->timeout_s, else 3600 s) plus a grace of 15 s, and a
 * daemon that stays stopped (SIGSTOP) for 10 s is given up on too: it is
 * then killed, end->status is TIMEOUT and KIKAN_ETIMEOUT is returned.
 * (Waiting for the HELLO of kikan_scand_client_spawn() is bounded by 300 s,
 * and by the same 10 s for a stopped daemon.)  @fd is a directory (O_DIRECTORY), a regular file (a
 * file or a disk image) or a block device opened read-only by the caller;
 * it is sent to the daemon and stays owned by the caller.  @name is the
 * display name for the root.  Blocks, calling @ev as messages arrive, and
 * fills @end.  Returns 0 when the daemon answered (even if the worker
 * failed, or refused a passphrase: look at end->status), or a KIKAN_E*
 * code when the daemon itself is gone. */
int kikan_scand_client_scan (KikanScandClient *c, int fd, const char *name,
                             const KikanScanParams *params, const KikanScandEvents *ev,
                             void *user_data, KikanTargetEnd *end);

/* Thread-safe: stops the scan running on @c from another thread (a medium
 * was removed, or the person cancelled).  The daemon kills its worker,
 * removes its temp dir and exits; the blocked kikan_scand_client_scan()
 * returns KIKAN_ECANCELLED with the target's status ERROR, so nothing of
 * the partial scan can pass for a finished one.  @c is then broken: start
 * a new daemon for the next scan.  Call it only while @c is alive (the
 * caller orders it before kikan_scand_client_free()). */
void kikan_scand_client_cancel (KikanScandClient *c);

/* Asks the daemon to exit and reaps it; accepts NULL. */
void kikan_scand_client_free (KikanScandClient *c);

/* Async-signal-safe, for a SIGINT/SIGTERM handler: shuts down the socket
 * of every live daemon of this process.  Each daemon then kills its
 * worker, removes its temp dir and exits; a kikan_scand_client_spawn() or
 * kikan_scand_client_scan() blocked on it returns at once with an error
 * (the target's status ERROR, detail "interrupted…"), and the reaping that
 * follows waits up to 10 s for the daemon to finish that cleanup.  The
 * daemon runs in a process group of its own, so a Ctrl-C at the terminal
 * reaches only the caller, which decides. */
void kikan_scand_client_interrupt (void);

/* Removes the private temp dirs ("kikan-scand-XXXXXX") under @parent (NULL:
 * $TMPDIR if absolute, else /tmp) that no live daemon holds: each daemon
 * holds a lock on a file in its dir while it uses it, so a dir whose lock
 * is free was left by a daemon that was killed or lost power, with
 * whatever its worker had unpacked or copied (registry hives hold personal
 * data).  Only directories owned by this user, never a symbolic link;
 * dirs without an owner file only when older than an hour.  *removed
 * (optional) counts them.  0, or KIKAN_EIO when @parent cannot be read or
 * a stale dir could not be removed.  kikan_scand_serve() calls it first. */
int kikan_scand_sweep_tmp (const char *parent, unsigned *removed);

/* The daemon's main loop: load the engine described by @opts, send HELLO
 * (or an error) on @sock, then serve requests until the peer closes.
 * With no database (opts->n_databases == 0) no engine is loaded and only
 * probe_only scans are served.  Used by kikan-scand's main().  Returns the
 * process exit code. */
int kikan_scand_serve (int sock, const KikanEngineOptions *opts);
