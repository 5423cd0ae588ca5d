/* Kikan: the sandboxed worker (see worker-private.h).
 *
 * Order matters and follows STYLE rule 8: descriptors, rlimits, process
 * flags, no-new-privs, then the sandbox backend; only after that is the
 * first byte of the target read.
 *
 * The walk has two passes.  The first lists the tree breadth-first into
 * memory (parent index + name per entry, about 60 bytes plus the name, so
 * 100k files stay within a few MiB) to send the totals early.  The second
 * re-opens each directory from the root one component at a time with
 * openat(O_NOFOLLOW) and hands each regular file, already open, to the
 * thread pool.  At most two directory descriptors are open at any time, so
 * a deep tree cannot exhaust RLIMIT_NOFILE.
 *
 * A medium (a block device, or a regular file that the media layer
 * recognises as a disk image) is never opened by path: its volumes are
 * probed through a KikanSource over the descriptor, encrypted ones are
 * unlocked in user space, each readable file system is listed in full
 * first (for the totals), then every scanning thread reads the files it is
 * given through its own KikanMediaReader per volume, since The Sleuth Kit's
 * handles are not shared between threads.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kikan/errors.h"
#include "kikan/inventory.h"
#include "kikan/scand.h"
#include "archive-sniff-private.h"
#include "ipc-private.h"
#include "media-private.h"
#include "coverage-private.h"
#include "sandbox-private.h"
#include "unlock-private.h"
#include "worker-private.h"

#if defined(__SANITIZE_ADDRESS__)
#define KIKAN_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KIKAN_HAVE_ASAN 1
#endif
#endif

#define GIB (1024ull * 1024ull * 1024ull)
#define MIB (1024ull * 1024ull)
#define NO_PARENT UINT32_MAX
#define PROGRESS_INTERVAL_MS 100
/* Signature names kept when a report must be shrunk to fit a frame. */
#define SHRUNK_MAX_SIGNATURES 64

/* ---- the worker's state ---- */

/* One file to scan: an open descriptor (directory and file targets), or
 * an inode of a volume of a medium (fd -1). */
typedef struct {
    int fd;
    char *path;
    uint64_t size;
    KikanMedia *media; /* medium (fd -1): the target's, or a disk image's inside it */
    size_t vol;       /* medium: 0-based volume */
    uint64_t inode;   /* medium: for kikan_media_reader_open */
    int64_t mtime;    /* medium: modification time (directory targets: fstat) */
    int is_hive;      /* file target whose content is a registry hive ("regf") */
    uint32_t stream;  /* medium: a named stream of the inode (KikanEntry.stream), else 0 */
    unsigned level;   /* disk images around it (0: on the target itself); NO_NESTING:
                       * never opened as a disk image (--as-file) */
} Job;

#define NO_NESTING UINT_MAX

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t can_put, can_get;
    Job *ring;
    size_t cap, head, count;
    int closed;
} Queue;

typedef struct {
    KikanEngine *engine;
    int sock;
    pthread_mutex_t send_lock;   /* one frame at a time on the socket */
    KikanProgress progress;
    int64_t last_progress_ms;
    uint64_t files_sent;
    uint32_t volumes_sent;
    Queue queue;
    KikanMedia *media;           /* a medium target, else NULL */
    size_t n_volumes;
    pthread_mutex_t media_lock;  /* kikan_media_reader_new, one thread at a time */
    void *secrets_arena;         /* the passphrases until they are wiped, else NULL */
    const char *tmpdir;          /* private temp dir: registry hives are copied here */
    pthread_mutex_t inv_lock;    /* the inventory, filled from any scanning thread */
    KikanInventory inv;          /* installed software and OS facts (issue #4) */
    uint32_t inventory_sent;
    int as_file;                 /* --as-file: a file target is never opened as an image */
} Worker;

/* ---- small helpers ---- */

static _Noreturn void
die (int status)
{
    kikan_coverage_flush ();
    _exit (status);
}

/* Wipes the passphrases: called as soon as no volume needs them any more,
 * before a single file is read. */
static void
forget_secrets (Worker *w)
{
    kikan_secret_free (w->secrets_arena);
    w->secrets_arena = NULL;
}

static int64_t
now_ms (void)
{
    struct timespec ts;

    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
send_or_die (Worker *w, const KikanMsg *m)
{
    /* A lost daemon means nobody will read the results: stop at once. */
    if (kikan_ipc_send (w->sock, m, -1) != 0)
        die (KIKAN_WORKER_EXIT_LOST);
}

/* Caller holds send_lock. */
static void
send_progress_locked (Worker *w, int force)
{
    KikanMsg m;
    int64_t t = now_ms ();

    if (!force && t - w->last_progress_ms < PROGRESS_INTERVAL_MS)
        return;
    w->last_progress_ms = t;
    kikan_msg_init (&m, KIKAN_MSG_PROGRESS);
    m.u.progress = w->progress;
    send_or_die (w, &m);
}

static void
send_progress (Worker *w, int force)
{
    pthread_mutex_lock (&w->send_lock);
    send_progress_locked (w, force);
    pthread_mutex_unlock (&w->send_lock);
}

/* Encodes a report, shrinking it if it is too large for one frame: first
 * the member list (informational), then the signature list beyond the
 * first few.  The verdict never improves: a shrunk report that was not
 * INFECTED becomes NOT_INSPECTED, because what was dropped can no longer
 * be shown to anyone. */
static int
encode_report (KikanFileReport *r, uint8_t **frame, size_t *len)
{
    KikanMsg m;
    KikanFileReport s;
    size_t n_members = r->n_members;
    int rc;

    kikan_msg_init (&m, KIKAN_MSG_FILE);
    m.u.file = *r;
    rc = kikan_ipc_encode (&m, frame, len);
    while (rc == KIKAN_EPROTO && m.u.file.n_members > 0) {
        m.u.file.n_members /= 2;
        /* A program among the members left out cannot be judged by the
         * policy: say so rather than let it pass unseen (issue #4). */
        for (size_t i = m.u.file.n_members; i < n_members; i++)
            if (r->members[i].exec.type != KIKAN_FILETYPE_OTHER)
                m.u.file.flags |= KIKAN_FILE_FLAG_PROGRAMS_CUT;
        rc = kikan_ipc_encode (&m, frame, len);
    }
    r->n_members = n_members;  /* the report still owns every member */
    if (rc != KIKAN_EPROTO && rc != KIKAN_EINVAL)
        return rc;

    memset (&s, 0, sizeof s);
    s.path = r->path;
    s.size = r->size;
    s.signatures = r->signatures;
    s.n_signatures = r->n_signatures < SHRUNK_MAX_SIGNATURES ? r->n_signatures
                                                             : SHRUNK_MAX_SIGNATURES;
    if (r->result == KIKAN_RESULT_INFECTED)
        s.result = KIKAN_RESULT_INFECTED;
    else {
        s.result = KIKAN_RESULT_NOT_INSPECTED;
        s.reason = KIKAN_REASON_ENGINE_ERROR;
        s.reason_detail = (char *) "the scan report was too large to send in full";
    }
    s.seconds = r->seconds;
    s.exec = r->exec;  /* borrowed */
    m.u.file = s;
    return kikan_ipc_encode (&m, frame, len);
}

/* Sends one FILE report and counts it.  Called from any thread. */
static void
send_report (Worker *w, KikanFileReport *r, uint64_t bytes)
{
    uint8_t *frame = NULL;
    size_t len = 0;

    if (encode_report (r, &frame, &len) != 0)
        die (KIKAN_WORKER_EXIT_NOMEM);
    pthread_mutex_lock (&w->send_lock);
    if (kikan_ipc_send_frame (w->sock, frame, len, -1) != 0)
        die (KIKAN_WORKER_EXIT_LOST);
    w->files_sent++;
    w->progress.files_done++;
    w->progress.bytes_done += bytes;
    send_progress_locked (w, 0);
    pthread_mutex_unlock (&w->send_lock);
    free (frame);
}

/* A report for something that is not scanned (symlink, device, unreadable
 * directory ...): always NOT_INSPECTED with a reason. */
static void
send_not_inspected (Worker *w, const char *path, uint64_t size, KikanReason reason,
                    const char *detail)
{
    KikanFileReport r;

    memset (&r, 0, sizeof r);
    r.path = (char *) path;
    r.size = size;
    r.result = KIKAN_RESULT_NOT_INSPECTED;
    r.reason = reason;
    r.reason_detail = (char *) detail;
    send_report (w, &r, 0);
}

/* A symbolic link (issue #8, "false holds"): its text is all it holds, and
 * that text is not content anyone can open from the medium, so it is
 * CLEAN with the SYMLINK flag and the text, never followed.  What it
 * points to is scanned where it lies, if it lies on the target at all. */
static void
send_symlink (Worker *w, const char *path, const char *target)
{
    KikanFileReport r;

    memset (&r, 0, sizeof r);
    r.path = (char *) path;
    r.result = KIKAN_RESULT_CLEAN;
    r.flags = KIKAN_FILE_FLAG_SYMLINK;
    r.link_target = (char *) (target != NULL ? target : "");
    send_report (w, &r, 0);
}

/* ---- hardening before the sandbox ---- */

static int
cmp_int (const void *a, const void *b)
{
    int x = *(const int *) a, y = *(const int *) b;

    return (x > y) - (x < y);
}

/* Closes every descriptor but @keep; 0 and 1 are then pointed at /dev/null
 * (unless kept) so that nothing the worker opens later can land on them
 * and receive stray output. */
static int
close_fds_except (int *keep, size_t n)
{
    unsigned next = 0;
    int devnull;

    qsort (keep, n, sizeof *keep, cmp_int);
    for (size_t i = 0; i < n; i++) {
        if (keep[i] < 0 || (unsigned) keep[i] < next)
            continue;
        if ((unsigned) keep[i] > next && close_range (next, (unsigned) keep[i] - 1, 0) != 0)
            return -1;
        next = (unsigned) keep[i] + 1;
    }
    if (close_range (next, ~0u, 0) != 0)
        return -1;
    for (int fd = 0; fd <= 1; fd++) {
        int kept = 0;

        for (size_t i = 0; i < n; i++)
            kept |= keep[i] == fd;
        if (kept)
            continue;
        if ((devnull = open ("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
            return -1;
        if (devnull != fd) {
            if (dup2 (devnull, fd) < 0) {
                close (devnull);
                return -1;
            }
            close (devnull);
        }
    }
    return 0;
}

static uint64_t
current_vm_size (void)
{
    unsigned long long pages = 0;
    FILE *f = fopen ("/proc/self/statm", "re");

    if (f != NULL) {
        if (fscanf (f, "%llu", &pages) != 1)
            pages = 0;
        fclose (f);
    }
    return (uint64_t) pages * (uint64_t) sysconf (_SC_PAGESIZE);
}

static int
set_limit (int resource, uint64_t value)
{
    struct rlimit rl;

    rl.rlim_cur = rl.rlim_max = (rlim_t) value;
    return setrlimit (resource, &rl);
}

static int
apply_rlimits (unsigned jobs, char *err, size_t errlen)
{
    uint64_t as;

    /* Hostile bytes and the state of the scan must never end up in a core
     * file on the kiosk's disk. */
    if (set_limit (RLIMIT_CORE, 0) != 0) {
        snprintf (err, errlen, "RLIMIT_CORE: %s", strerror (errno));
        return -1;
    }
    /* Each scanning thread holds its file plus libclamav's temp files for
     * nested content (a few per recursion level). */
    if (set_limit (RLIMIT_NOFILE, 128 + 32ull * jobs) != 0) {
        snprintf (err, errlen, "RLIMIT_NOFILE: %s", strerror (errno));
        return -1;
    }
    /* Temp files are bounded by max_scansize already; this stops a runaway
     * decompressor from filling the disk.  SIGXFSZ is ignored so that an
     * oversized write fails with EFBIG (the file is then NOT_INSPECTED)
     * instead of killing the worker. */
    signal (SIGXFSZ, SIG_IGN);
    if (set_limit (RLIMIT_FSIZE, 1 * GIB) != 0) {
        snprintf (err, errlen, "RLIMIT_FSIZE: %s", strerror (errno));
        return -1;
    }
#ifndef KIKAN_HAVE_ASAN
    /* Address space: what the worker already maps (the compiled engine,
     * over 1 GiB with the full official database), plus 4 GiB for scanning,
     * plus a stack and a malloc arena reservation per thread.  ASan reserves
     * terabytes of shadow memory up front, so a sanitizer build skips this
     * limit (docs/ipc.md). */
    as = current_vm_size () + 4 * GIB + (uint64_t) jobs * 72 * MIB;
    if (set_limit (RLIMIT_AS, as) != 0) {
        snprintf (err, errlen, "RLIMIT_AS: %s", strerror (errno));
        return -1;
    }
#else
    (void) as;
    (void) current_vm_size;
#endif
    return 0;
}

/* A daemon started as root (to read raw media) must not hand root to the
 * worker: every capability goes except CAP_DAC_READ_SEARCH, which lets it
 * read a medium's files whatever their owner, and grants nothing else.  An
 * unprivileged worker has nothing to drop and loses nothing here. */
static int
drop_capabilities (char *err, size_t errlen)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    const uint32_t keep = 1u << CAP_DAC_READ_SEARCH;

    /* The bounding set first, while CAP_SETPCAP may still be held; EPERM
     * means there is nothing we could drop, EINVAL that we are past the
     * kernel's last capability. */
    for (int cap = 0; cap < 64; cap++) {
        if (cap == CAP_DAC_READ_SEARCH)
            continue;
        if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno == EINVAL)
            break;
    }
    (void) prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    memset (data, 0, sizeof data);
    if (syscall (SYS_capget, &hdr, data) != 0) {
        snprintf (err, errlen, "capget: %s", strerror (errno));
        return -1;
    }
    data[0].effective &= keep;
    data[0].permitted &= keep;
    data[0].inheritable = 0;
    for (size_t i = 1; i < _LINUX_CAPABILITY_U32S_3; i++)
        data[i].effective = data[i].permitted = data[i].inheritable = 0;
    if (syscall (SYS_capset, &hdr, data) != 0) {
        snprintf (err, errlen, "capset: %s", strerror (errno));
        return -1;
    }
    return 0;
}

static unsigned
effective_jobs (unsigned requested)
{
    long n = requested;

    if (n == 0)
        n = sysconf (_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > KIKAN_WORKER_MAX_JOBS)
        n = KIKAN_WORKER_MAX_JOBS;
    return (unsigned) n;
}

const char *const kikan_worker_confined_names[] = {
#ifndef KIKAN_SANDBOX_PROOF_OFF
    KIKAN_SANDBOX_NAME_SECCOMP_LANDLOCK,
    KIKAN_SANDBOX_NAME_SECCOMP,
#else
    /* The test-only build says what it is: nothing may take its results
     * for those of a confined worker (kikan/scand.h). */
    KIKAN_SANDBOX_NAME_PROOF_OFF,
#endif
    NULL,
};

/* Everything up to and including the sandbox.  On failure @err says what
 * and the return value is the exit status to use. */
static int
confine (const KikanWorkerArgs *a, unsigned jobs, int target_is_dir, const char **applied,
         char *err, size_t errlen)
{
    int keep[3] = { 2, a->target_fd, a->sock };
    KikanSandboxPaths paths;
    const KikanSandboxBackend *backend;
    int tmpfd = -1, r = KIKAN_WORKER_EXIT_SETUP;

    if (close_fds_except (keep, 3) != 0) {
        snprintf (err, errlen, "closing inherited descriptors: %s", strerror (errno));
        goto out;
    }
#ifndef KIKAN_SANDBOX_PROOF_OFF
    if (apply_rlimits (jobs, err, errlen) != 0)
        goto out;
#else
    /* Test-only kikan-scand-proof-off (sandbox-private.h): no limits. */
    (void) apply_rlimits;
#endif
    /* Content that makes the engine spin until the deadline must not take
     * the CPU from the kiosk's screen and the employee in front of it: the
     * worker runs below them (nice 10, inherited by its scanning threads,
     * which start later).  On an idle kiosk a scan loses nothing.  Only
     * ever lowered: a daemon started lower still (`nice -n 19`) keeps its
     * value, where a root worker would otherwise raise itself to 10.  A
     * failure changes nothing but the priority, so it is not an error. */
    errno = 0;
    {
        int now = getpriority (PRIO_PROCESS, 0);

        if (errno != 0 || now < KIKAN_WORKER_NICE)
            (void) setpriority (PRIO_PROCESS, 0, KIKAN_WORKER_NICE);
    }
    /* Tests and operators find the worker by this name.  Not dumpable: no
     * core, and no ptrace or /proc/PID/mem access by same-uid processes. */
    if (prctl (PR_SET_NAME, "kikan-worker", 0, 0, 0) != 0
        || prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        snprintf (err, errlen, "prctl: %s", strerror (errno));
        goto out;
    }
    if (drop_capabilities (err, errlen) != 0)
        goto out;
    if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf (err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror (errno));
        goto out;
    }
    /* Opened by name while the path is still trusted (the daemon made it). */
    if ((tmpfd = open (a->tmpdir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        snprintf (err, errlen, "temp dir %s: %s", a->tmpdir, strerror (errno));
        goto out;
    }
    paths.target_fd = a->target_fd;
    paths.target_is_dir = target_is_dir;
    paths.tmpdir_fd = tmpfd;
    backend = a->null_sandbox ? &kikan_sandbox_null : &kikan_sandbox_seccomp;
#ifdef KIKAN_SANDBOX_PROOF_OFF
    if (!a->null_sandbox)
        backend = &kikan_sandbox_proof_off;
#endif
    if (backend->apply (&paths, applied, err, errlen) != 0) {
        r = KIKAN_WORKER_EXIT_SANDBOX;
        goto out;
    }
    r = 0;
out:
    if (tmpfd >= 0)
        close (tmpfd);
    return r;
}

/* ---- thread pool ---- */

static int
queue_init (Queue *q, size_t cap)
{
    memset (q, 0, sizeof *q);
    if ((q->ring = calloc (cap, sizeof *q->ring)) == NULL)
        return KIKAN_ENOMEM;
    q->cap = cap;
    pthread_mutex_init (&q->lock, NULL);
    pthread_cond_init (&q->can_put, NULL);
    pthread_cond_init (&q->can_get, NULL);
    return 0;
}

static void
queue_put (Queue *q, Job j)
{
    pthread_mutex_lock (&q->lock);
    while (q->count == q->cap)
        pthread_cond_wait (&q->can_put, &q->lock);
    q->ring[(q->head + q->count) % q->cap] = j;
    q->count++;
    pthread_cond_signal (&q->can_get);
    pthread_mutex_unlock (&q->lock);
}

static int
queue_get (Queue *q, Job *j)
{
    int got = 0;

    pthread_mutex_lock (&q->lock);
    while (q->count == 0 && !q->closed)
        pthread_cond_wait (&q->can_get, &q->lock);
    if (q->count > 0) {
        *j = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        got = 1;
        pthread_cond_signal (&q->can_put);
    }
    pthread_mutex_unlock (&q->lock);
    return got;
}

static void
queue_close (Queue *q)
{
    pthread_mutex_lock (&q->lock);
    q->closed = 1;
    pthread_cond_broadcast (&q->can_get);
    pthread_mutex_unlock (&q->lock);
}

/* The engine's verdict on @src (or @fd), with the same fail-closed
 * post-processing for both. */
static void
finish_report (KikanFileReport *r, int rc, Job *j)
{
    if (r->path == NULL) {
        /* The engine could not even start the report: fail closed. */
        kikan_file_report_clear (r);
        r->path = j->path;
        j->path = NULL;
        r->size = j->size;
        r->result = KIKAN_RESULT_NOT_INSPECTED;
        r->reason = KIKAN_REASON_ENGINE_ERROR;
    } else if (rc != 0 && r->result == KIKAN_RESULT_CLEAN)
        kikan_file_report_degrade (r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_ENGINE_ERROR,
                                   kikan_strerror (rc));
}

/* Opens inode j->inode of volume j->vol of j->media through this thread's
 * reader of that volume (made on first use).  NULL with @detail set on
 * failure. */
static const KikanSource *
open_media_file (Worker *w, Job *j, KikanMediaReader **readers, char *detail, size_t len)
{
    const KikanSource *src = NULL;
    int rc = 0;

    if (readers[j->vol] == NULL) {
        pthread_mutex_lock (&w->media_lock);
        rc = kikan_media_reader_new (j->media, j->vol, &readers[j->vol]);
        pthread_mutex_unlock (&w->media_lock);
        if (rc != 0) {
            readers[j->vol] = NULL;
            snprintf (detail, len, "its volume could not be opened for reading: %s",
                      kikan_strerror (rc));
            return NULL;
        }
    }
    if ((rc = kikan_media_reader_open_stream (readers[j->vol], j->inode, j->stream, &src)) != 0
        || src == NULL) {
        snprintf (detail, len, "could not be opened: %s", kikan_strerror (rc ? rc : KIKAN_EIO));
        return NULL;
    }
    return src;
}

/* ---- installed software and OS facts (issue #4 item 3, KR-46) ---- */

static ssize_t
job_pread (int fd, const KikanSource *src, void *buf, size_t n, uint64_t off)
{
    if (src != NULL)
        return src->pread (src->handle, buf, n, off);
    return pread (fd, buf, n, (off_t) off);
}

/* The <u> of ".../Users/<u>/NTUSER.DAT" (or "Documents and Settings"). */
static char *
hive_user_of (const char *path)
{
    const char *end = strrchr (path, '/'), *start;

    if (end == NULL || strcasecmp (end + 1, "NTUSER.DAT") != 0)
        return NULL;
    for (start = end; start > path && start[-1] != '/'; start--)
        ;
    if (start == end)
        return NULL;
    return strndup (start, (size_t) (end - start));
}

static void
inventory_problem (Worker *w, const char *path, const char *what)
{
    pthread_mutex_lock (&w->inv_lock);
    if (kikan_inventory_add_problem (&w->inv, path, what) != 0)
        die (KIKAN_WORKER_EXIT_NOMEM);
    pthread_mutex_unlock (&w->inv_lock);
}

/* Reads a registry hive, package database, os-release or Info.plist the
 * walk reached (its path says which) into the target's inventory.  The
 * bytes are read through the same descriptor or file-system reader the
 * scan used: nothing is opened by name.  Whatever cannot be read is a
 * problem in the inventory (UPD-UNKNOWN, HOLD), never silence. */
static void
collect_inventory (Worker *w, const Job *j, int fd, const KikanSource *src, KikanInvSource kind)
{
    uint64_t size = j->size, max = kikan_inventory_source_max (kind), off = 0;
    unsigned char *buf = NULL;
    char what[256], tmp[4096];
    int64_t mtime = j->mtime;
    int rc = 0;

    switch (kind) {
    case KIKAN_INV_SOURCE_MARKER_WINDOWS:
    case KIKAN_INV_SOURCE_MARKER_LINUX:
    case KIKAN_INV_SOURCE_MARKER_MACOS:
        pthread_mutex_lock (&w->inv_lock);
        rc = kikan_inventory_add_marker (&w->inv,
                                         kind == KIKAN_INV_SOURCE_MARKER_WINDOWS ? KIKAN_OS_WINDOWS
                                         : kind == KIKAN_INV_SOURCE_MARKER_LINUX ? KIKAN_OS_LINUX
                                                                                 : KIKAN_OS_MACOS,
                                         j->path);
        pthread_mutex_unlock (&w->inv_lock);
        if (rc != 0)
            die (KIKAN_WORKER_EXIT_NOMEM);
        return;
    case KIKAN_INV_SOURCE_NONE:
        return;
    default:
        break;
    }
    if (src != NULL)
        size = src->size;
    else {
        struct stat st;
        if (fstat (fd, &st) != 0) {
            snprintf (what, sizeof what, "could not be examined: %s", strerror (errno));
            inventory_problem (w, j->path, what);
            return;
        }
        size = (uint64_t) st.st_size;
        mtime = (int64_t) st.st_mtime;
    }
    if (size > max) {
        snprintf (what, sizeof what, "is %" PRIu64 " bytes, larger than the %" PRIu64
                  " bytes Kikan reads from such a file: not read", size, max);
        inventory_problem (w, j->path, what);
        return;
    }
    if ((buf = malloc (size ? (size_t) size : 1)) == NULL)
        die (KIKAN_WORKER_EXIT_NOMEM);
    while (off < size) {
        ssize_t n = job_pread (fd, src, buf + off, (size_t) (size - off), off);
        if (n <= 0) {
            snprintf (what, sizeof what, "could not be read to the end (%" PRIu64 " of %" PRIu64
                      " bytes)", off, size);
            inventory_problem (w, j->path, what);
            free (buf);
            return;
        }
        off += (uint64_t) n;
    }
    if (kind == KIKAN_INV_SOURCE_HIVE) {
        /* libhivex opens hives by name only: a private copy in the
         * worker's own temp dir, removed at once. */
        char *user = hive_user_of (j->path);
        int tfd;

        snprintf (tmp, sizeof tmp, "%s/hive-XXXXXX", w->tmpdir);
        if ((tfd = mkstemp (tmp)) < 0) {
            snprintf (what, sizeof what, "could not be copied for reading: %s", strerror (errno));
            inventory_problem (w, j->path, what);
            free (user);
            free (buf);
            return;
        }
        off = 0;
        while (off < size) {
            ssize_t n = write (tfd, buf + off, (size_t) (size - off));
            if (n <= 0)
                break;
            off += (uint64_t) n;
        }
        close (tfd);
        free (buf);
        buf = NULL;
        if (off < size) {
            unlink (tmp);
            inventory_problem (w, j->path, "could not be copied for reading: temp space full");
            free (user);
            return;
        }
        pthread_mutex_lock (&w->inv_lock);
        rc = kikan_inventory_add_hive_file (&w->inv, tmp, j->path, user);
        pthread_mutex_unlock (&w->inv_lock);
        unlink (tmp);
        free (user);
    } else {
        pthread_mutex_lock (&w->inv_lock);
        if (kind == KIKAN_INV_SOURCE_DPKG_STATUS)
            rc = kikan_inventory_add_dpkg_status (&w->inv, buf, (size_t) size, j->path, mtime);
        else if (kind == KIKAN_INV_SOURCE_OS_RELEASE)
            rc = kikan_inventory_add_os_release (&w->inv, buf, (size_t) size, j->path);
        else
            rc = kikan_inventory_add_plist (&w->inv, kind, buf, (size_t) size, j->path);
        pthread_mutex_unlock (&w->inv_lock);
    }
    free (buf);
    if (rc != 0)
        die (KIKAN_WORKER_EXIT_NOMEM);
}

/* Sends the inventory in frames of at most INVENTORY_CHUNK programs (one
 * 1 MiB frame could not hold 20,000 of them), systems and problems in the
 * first.  After the last file, before WORKER_DONE. */
#define INVENTORY_CHUNK 50

static void
send_inventory (Worker *w)
{
    KikanInventory *inv = &w->inv;
    size_t next = 0;
    int first = 1;

    if (inv->n_systems == 0 && inv->n_programs == 0 && inv->n_problems == 0)
        return;
    while (first || next < inv->n_programs) {
        KikanMsg m;
        size_t n = inv->n_programs - next < INVENTORY_CHUNK ? inv->n_programs - next
                                                            : INVENTORY_CHUNK;

        kikan_msg_init (&m, KIKAN_MSG_INVENTORY);
        if (first) {
            m.u.inventory.systems = inv->systems;
            m.u.inventory.n_systems = inv->n_systems;
            m.u.inventory.problems = inv->problems;
            m.u.inventory.n_problems = inv->n_problems;
        }
        m.u.inventory.programs = n ? inv->programs + next : NULL;
        m.u.inventory.n_programs = n;
        send_or_die (w, &m);  /* borrowed: nothing to clear */
        w->inventory_sent++;
        next += n;
        first = 0;
    }
}

static void nested_image (Worker *w, KikanFileReport *r, const KikanSource *src,
                          unsigned level);

/* Scans one regular file and sends its report; takes ownership of the
 * job's descriptor (if any) and path.  @readers: this thread's readers of
 * the medium's volumes (NULL unless the target is a medium).  A disk
 * image it turns out to be is opened and its files are scanned and sent
 * before it (issue #8 item 7). */
static void
scan_job (Worker *w, Job *j, KikanMediaReader **readers)
{
    KikanFileReport r;
    char detail[256];
    int rc;

    memset (&r, 0, sizeof r);
    if (j->fd >= 0) {
        KikanSource fsrc;
        int fd = j->fd;

        rc = kikan_engine_scan_fd (w->engine, j->fd, j->path, &r);
        if (j->is_hive)
            collect_inventory (w, j, j->fd, NULL, KIKAN_INV_SOURCE_HIVE);
        else
            collect_inventory (w, j, j->fd, NULL, kikan_inventory_source_of_path (j->path));
        finish_report (&r, rc, j);
        kikan_source_init_fd (&fsrc, &fd, j->size);
        nested_image (w, &r, &fsrc, j->level);
        close (j->fd);
        j->fd = -1;
    } else {
        const KikanSource *src = open_media_file (w, j, readers, detail, sizeof detail);

        if (src == NULL) {
            r.path = j->path;
            r.size = j->size;
            r.result = KIKAN_RESULT_NOT_INSPECTED;
            r.reason = KIKAN_REASON_READ_ERROR;
            r.reason_detail = detail;
            send_report (w, &r, j->size);
            free (j->path);
            j->path = NULL;
            return;
        }
        rc = kikan_engine_scan_source (w->engine, src, j->path, &r);
        /* A stream's path ends in ":name": it is no registry hive or
         * package database, whatever the file's name; and a disk image
         * inside the target is not the target's installed system. */
        if (j->stream == 0 && j->level == 0)
            collect_inventory (w, j, -1, src, kikan_inventory_source_of_path (j->path));
        finish_report (&r, rc, j);
        nested_image (w, &r, src, j->level);
    }
    send_report (w, &r, j->size);
    kikan_file_report_clear (&r);
    free (j->path);
    j->path = NULL;
}

static KikanMediaReader **
readers_new (const Worker *w)
{
    KikanMediaReader **readers;

    if (w->media == NULL)
        return NULL;
    if ((readers = calloc (w->n_volumes ? w->n_volumes : 1, sizeof *readers)) == NULL)
        die (KIKAN_WORKER_EXIT_NOMEM);
    return readers;
}

static void
readers_free (const Worker *w, KikanMediaReader **readers)
{
    if (readers == NULL)
        return;
    for (size_t i = 0; i < w->n_volumes; i++)
        kikan_media_reader_free (readers[i]);
    free (readers);
}

static void *
scan_thread (void *data)
{
    Worker *w = data;
    KikanMediaReader **readers = readers_new (w);
    Job j;

    while (queue_get (&w->queue, &j))
        scan_job (w, &j, readers);
    readers_free (w, readers);
    return NULL;
}

/* ---- walk ---- */

typedef struct {
    uint32_t parent;  /* index in dirs, NO_PARENT for the root */
    uint32_t depth;   /* 0 for the root */
    char *name;       /* "" for the root */
    dev_t dev;
    ino_t ino;
} WalkDir;

typedef enum {
    ENT_FILE,          /* regular file: scanned */
    ENT_SYMLINK,       /* never followed */
    ENT_SPECIAL,       /* fifo, socket, device: never opened */
    ENT_UNREADABLE,    /* a directory that could not be opened or listed */
    ENT_TOO_DEEP,      /* a directory below KIKAN_WORKER_MAX_DEPTH */
    ENT_STAT_FAILED,   /* not even its type could be read */
} EntryKind;

typedef struct {
    uint32_t dir;     /* the directory holding it */
    uint32_t subdir;  /* UNREADABLE: the directory it stands for */
    uint8_t kind;     /* EntryKind */
    int err;          /* errno for UNREADABLE / STAT_FAILED */
    mode_t mode;
    uint64_t size;
    char *name;
    char *link;       /* SYMLINK: its text (readlinkat, never followed), or NULL */
} WalkEntry;

typedef struct {
    int root_fd;
    WalkDir *dirs;
    size_t n_dirs, cap_dirs;
    WalkEntry *entries;
    size_t n_entries, cap_entries;
    uint64_t bytes_total;
} Walk;

static int
grow (void **v, size_t *cap, size_t need, size_t elem)
{
    size_t cap2;
    void *nv;

    if (need <= *cap)
        return 0;
    cap2 = *cap ? *cap * 2 : 64;
    while (cap2 < need)
        cap2 *= 2;
    if ((nv = reallocarray (*v, cap2, elem)) == NULL)
        return KIKAN_ENOMEM;
    *v = nv;
    *cap = cap2;
    return 0;
}

static int
add_entry (Walk *wk, uint32_t dir, EntryKind kind, const char *name, const struct stat *st,
           int err)
{
    WalkEntry *e;

    if (grow ((void **) &wk->entries, &wk->cap_entries, wk->n_entries + 1,
              sizeof *wk->entries) != 0)
        return KIKAN_ENOMEM;
    e = &wk->entries[wk->n_entries];
    memset (e, 0, sizeof *e);
    if ((e->name = strdup (name)) == NULL)
        return KIKAN_ENOMEM;
    e->dir = dir;
    e->kind = (uint8_t) kind;
    e->err = err;
    if (st != NULL) {
        e->mode = st->st_mode;
        e->size = S_ISREG (st->st_mode) && st->st_size > 0 ? (uint64_t) st->st_size : 0;
    }
    if (kind == ENT_FILE)
        wk->bytes_total += e->size;
    wk->n_entries++;
    return 0;
}

static int
add_dir (Walk *wk, uint32_t parent, const char *name, const struct stat *st)
{
    WalkDir *d;

    if (wk->n_dirs >= NO_PARENT)
        return KIKAN_ENOMEM;
    if (grow ((void **) &wk->dirs, &wk->cap_dirs, wk->n_dirs + 1, sizeof *wk->dirs) != 0)
        return KIKAN_ENOMEM;
    d = &wk->dirs[wk->n_dirs];
    if ((d->name = strdup (name)) == NULL)
        return KIKAN_ENOMEM;
    d->parent = parent;
    d->depth = parent == NO_PARENT ? 0 : wk->dirs[parent].depth + 1;
    d->dev = st->st_dev;
    d->ino = st->st_ino;
    wk->n_dirs++;
    return 0;
}

static void
walk_clear (Walk *wk)
{
    for (size_t i = 0; i < wk->n_dirs; i++)
        free (wk->dirs[i].name);
    for (size_t i = 0; i < wk->n_entries; i++) {
        free (wk->entries[i].name);
        free (wk->entries[i].link);
    }
    free (wk->dirs);
    free (wk->entries);
}

/* Target-relative, '/'-separated path of @name inside directory @dir
 * (NULL name: the directory itself).  Caller frees. */
static char *
path_of (const Walk *wk, uint32_t dir, const char *name)
{
    size_t len = 0, ncomp = 0, pos, n;
    char *p;

    if (name != NULL) {
        len += strlen (name);
        ncomp++;
    }
    for (uint32_t d = dir; d != NO_PARENT && wk->dirs[d].parent != NO_PARENT;
         d = wk->dirs[d].parent) {
        len += strlen (wk->dirs[d].name);
        ncomp++;
    }
    if (ncomp == 0)
        return strdup (".");  /* the root itself */
    len += ncomp - 1;         /* separators */
    if ((p = malloc (len + 1)) == NULL)
        return NULL;
    pos = len;
    p[pos] = '\0';
    if (name != NULL) {
        n = strlen (name);
        pos -= n;
        memcpy (p + pos, name, n);
    }
    for (uint32_t d = dir; d != NO_PARENT && wk->dirs[d].parent != NO_PARENT;
         d = wk->dirs[d].parent) {
        if (pos < len)
            p[--pos] = '/';
        n = strlen (wk->dirs[d].name);
        pos -= n;
        memcpy (p + pos, wk->dirs[d].name, n);
    }
    return p;
}

/* Opens directory @idx by walking down from the root one component at a
 * time, never following a symbolic link, and checks it is still the
 * directory the first pass saw.  Returns a new descriptor or -1 (errno). */
static int
open_dir (const Walk *wk, uint32_t idx)
{
    uint32_t chain[KIKAN_WORKER_MAX_DEPTH + 1];
    size_t n = 0;
    struct stat st;
    int fd = -1;

    for (uint32_t d = idx; wk->dirs[d].parent != NO_PARENT; d = wk->dirs[d].parent) {
        if (n == KIKAN_WORKER_MAX_DEPTH + 1) {
            errno = ELOOP;
            return -1;
        }
        chain[n++] = d;
    }
    if ((fd = fcntl (wk->root_fd, F_DUPFD_CLOEXEC, 3)) < 0)
        return -1;
    while (n > 0) {
        int sub = openat (fd, wk->dirs[chain[--n]].name,
                          O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        int saved = errno;

        close (fd);
        if (sub < 0) {
            errno = saved;
            return -1;
        }
        fd = sub;
    }
    if (fstat (fd, &st) != 0 || st.st_dev != wk->dirs[idx].dev
        || st.st_ino != wk->dirs[idx].ino) {
        close (fd);
        errno = ESTALE;
        return -1;
    }
    return fd;
}

/* First pass: breadth-first listing of the whole tree. */
static int
walk_list (Walk *wk)
{
    struct stat st;
    int rc;

    if (fstat (wk->root_fd, &st) != 0)
        return KIKAN_EIO;
    if ((rc = add_dir (wk, NO_PARENT, "", &st)) != 0)
        return rc;
    for (size_t i = 0; i < wk->n_dirs; i++) {
        DIR *dp = NULL;
        struct dirent *de;
        int dfd, lfd, err = 0;

        if ((dfd = open_dir (wk, (uint32_t) i)) < 0) {
            err = errno;
            goto unreadable;
        }
        /* fdopendir() owns the descriptor it is given: list through a
         * duplicate and keep dfd for fstatat().  Duplicates share the
         * directory offset, hence the rewind. */
        if ((lfd = fcntl (dfd, F_DUPFD_CLOEXEC, 3)) < 0 || (dp = fdopendir (lfd)) == NULL) {
            err = errno;
            if (lfd >= 0)
                close (lfd);
            close (dfd);
            goto unreadable;
        }
        rewinddir (dp);
        for (;;) {
            errno = 0;
            if ((de = readdir (dp)) == NULL) {
                err = errno;
                break;
            }
            if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
                continue;
            if (fstatat (dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
                rc = add_entry (wk, (uint32_t) i, ENT_STAT_FAILED, de->d_name, NULL, errno);
            else if (S_ISDIR (st.st_mode)) {
                if (wk->dirs[i].depth + 1 > KIKAN_WORKER_MAX_DEPTH)
                    rc = add_entry (wk, (uint32_t) i, ENT_TOO_DEEP, de->d_name, &st, 0);
                else
                    rc = add_dir (wk, (uint32_t) i, de->d_name, &st);
            } else if (S_ISREG (st.st_mode))
                rc = add_entry (wk, (uint32_t) i, ENT_FILE, de->d_name, &st, 0);
            else if (S_ISLNK (st.st_mode)) {
                char text[PATH_MAX];
                ssize_t len = readlinkat (dfd, de->d_name, text, sizeof text - 1);

                rc = add_entry (wk, (uint32_t) i, ENT_SYMLINK, de->d_name, &st, 0);
                /* The link's text is reported, never followed (issue #8);
                 * a link that cannot be read has no text to report. */
                if (rc == 0 && len >= 0) {
                    text[len] = '\0';
                    if ((wk->entries[wk->n_entries - 1].link = strdup (text)) == NULL)
                        rc = KIKAN_ENOMEM;
                }
            }
            else
                rc = add_entry (wk, (uint32_t) i, ENT_SPECIAL, de->d_name, &st, 0);
            if (rc != 0) {
                closedir (dp);
                close (dfd);
                return rc;
            }
        }
        closedir (dp);
        close (dfd);
        if (err == 0)
            continue;
    unreadable:
        /* The directory itself gets a report; what it holds is unknown and
         * therefore not CLEARED by anyone downstream. */
        rc = add_entry (wk, i == 0 ? NO_PARENT : wk->dirs[i].parent, ENT_UNREADABLE,
                        wk->dirs[i].name, NULL, err ? err : EIO);
        if (rc != 0)
            return rc;
        wk->entries[wk->n_entries - 1].subdir = (uint32_t) i;
    }
    return 0;
}

static const char *
special_kind (mode_t mode)
{
    if (S_ISFIFO (mode))
        return "a FIFO: never opened";
    if (S_ISSOCK (mode))
        return "a socket: never opened";
    if (S_ISCHR (mode))
        return "a character device: never opened";
    if (S_ISBLK (mode))
        return "a block device: never opened";
    return "not a regular file: never opened";
}

/* Second pass: reports every entry, hands regular files to the pool. */
static void
walk_scan (Worker *w, Walk *wk, int threaded)
{
    uint32_t cur = NO_PARENT;
    int cur_fd = -1, cur_err = 0;
    char detail[160];

    for (size_t i = 0; i < wk->n_entries; i++) {
        WalkEntry *e = &wk->entries[i];
        char *path;
        Job j;
        struct stat st;

        if (e->kind == ENT_UNREADABLE) {
            path = path_of (wk, e->subdir, NULL);
            if (path == NULL)
                die (KIKAN_WORKER_EXIT_NOMEM);
            snprintf (detail, sizeof detail, "directory could not be read: %s",
                      strerror (e->err));
            send_not_inspected (w, path, 0, KIKAN_REASON_READ_ERROR, detail);
            free (path);
            continue;
        }
        if ((path = path_of (wk, e->dir, e->name)) == NULL)
            die (KIKAN_WORKER_EXIT_NOMEM);
        switch ((EntryKind) e->kind) {
        case ENT_SYMLINK:
            send_symlink (w, path, e->link);
            break;
        case ENT_SPECIAL:
            send_not_inspected (w, path, 0, KIKAN_REASON_UNSUPPORTED, special_kind (e->mode));
            break;
        case ENT_TOO_DEEP:
            snprintf (detail, sizeof detail,
                      "directory deeper than %d levels: not entered", KIKAN_WORKER_MAX_DEPTH);
            send_not_inspected (w, path, 0, KIKAN_REASON_LIMIT_EXCEEDED, detail);
            break;
        case ENT_STAT_FAILED:
            snprintf (detail, sizeof detail, "could not be examined: %s", strerror (e->err));
            send_not_inspected (w, path, 0, KIKAN_REASON_READ_ERROR, detail);
            break;
        case ENT_FILE:
            if (cur != e->dir) {
                if (cur_fd >= 0)
                    close (cur_fd);
                cur = e->dir;
                cur_fd = open_dir (wk, cur);
                cur_err = cur_fd < 0 ? errno : 0;
            }
            if (cur_fd < 0) {
                snprintf (detail, sizeof detail, "its directory could not be reopened: %s",
                          strerror (cur_err));
                send_not_inspected (w, path, e->size, KIKAN_REASON_READ_ERROR, detail);
                break;
            }
            /* O_NONBLOCK: should the name have become a FIFO since the
             * listing, opening it must not hang the walk. */
            j.fd = openat (cur_fd, e->name,
                           O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
            if (j.fd < 0) {
                snprintf (detail, sizeof detail, "could not be opened: %s", strerror (errno));
                send_not_inspected (w, path, e->size,
                                    errno == ELOOP ? KIKAN_REASON_SYMLINK
                                                   : KIKAN_REASON_READ_ERROR,
                                    detail);
                break;
            }
            if (fstat (j.fd, &st) != 0 || !S_ISREG (st.st_mode)) {
                close (j.fd);
                send_not_inspected (w, path, e->size, KIKAN_REASON_UNSUPPORTED,
                                    "no longer a regular file when opened");
                break;
            }
            j.path = path;
            j.size = (uint64_t) st.st_size;
            j.vol = 0;
            j.media = NULL;
            j.inode = 0;
            j.mtime = (int64_t) st.st_mtime;
            j.is_hive = 0;
            j.stream = 0;
            j.level = 0;
            path = NULL;
            if (threaded)
                queue_put (&w->queue, j);
            else
                scan_job (w, &j, NULL);
            break;
        case ENT_UNREADABLE:
            break;
        }
        free (path);
    }
    if (cur_fd >= 0)
        close (cur_fd);
}

/* ---- targets ---- */

static const char *
display_basename (const char *name, char *buf, size_t buflen)
{
    size_t n = name ? strlen (name) : 0;
    const char *slash;

    while (n > 1 && name[n - 1] == '/')
        n--;
    if (n == 0 || (n == 1 && name[0] == '/'))
        return "file";
    if (n >= buflen)
        n = buflen - 1;
    memcpy (buf, name, n);
    buf[n] = '\0';
    slash = strrchr (buf, '/');
    return slash ? slash + 1 : buf;
}

static void
scan_file_target (Worker *w, const KikanWorkerArgs *a, const struct stat *st)
{
    char buf[4096];
    Job j;

    w->progress.files_total = 1;
    w->progress.bytes_total = (uint64_t) st->st_size;
    w->progress.counting_done = 1;
    send_progress (w, 1);
    j.fd = fcntl (a->target_fd, F_DUPFD_CLOEXEC, 3);
    if (j.fd < 0 || (j.path = strdup (display_basename (a->name, buf, sizeof buf))) == NULL)
        die (KIKAN_WORKER_EXIT_NOMEM);
    j.size = (uint64_t) st->st_size;
    j.media = NULL;
    j.vol = 0;
    j.inode = 0;
    j.mtime = 0;
    j.stream = 0;
    /* --as-file: the file is one file, also when its content is a disk
     * image; otherwise a target that got here was not recognised as a
     * medium, and is only opened as one if its content says so. */
    j.level = w->as_file ? NO_NESTING : 0;
    /* A registry hive given on its own (kikan software NTUSER.DAT) is
     * recognised by its "regf" signature, whatever its name. */
    {
        char magic[4];
        j.is_hive = pread (j.fd, magic, sizeof magic, 0) == (ssize_t) sizeof magic
                    && memcmp (magic, "regf", 4) == 0;
    }
    scan_job (w, &j, NULL);
}

/* A disk image given as the target is read through the media layer, its
 * partitions and file systems.  unzip and Python's zipfile open the same
 * file as a zip when a zip's end record ends it (a zip appended to an ISO
 * or a FAT image, or written into space no partition covers; fourth
 * red-team round): then the whole file is also scanned as one file, or,
 * larger than max_filesize, reported not inspected.  Only the tail is
 * read to find out, so an ordinary image costs 64 KiB. */
static void
scan_image_as_zip_too (Worker *w, const KikanWorkerArgs *a, const struct stat *st)
{
    uint64_t size = (uint64_t) st->st_size;
    size_t n = size < 22 + 65535 ? (size_t) size : 22 + 65535;
    unsigned char *tail;
    char buf[4096];
    Job j;

    if (w->engine == NULL || a->probe_only || n < 22)
        return;
    if ((tail = malloc (n)) == NULL)
        die (KIKAN_WORKER_EXIT_NOMEM);
    if (pread (a->target_fd, tail, n, (off_t) (size - n)) != (ssize_t) n) {
        free (tail);
        send_not_inspected (w, display_basename (a->name, buf, sizeof buf), size,
                            KIKAN_REASON_READ_ERROR, "the end of the image could not be read");
        return;
    }
    if (kikan_zip_end_check (tail, n, NULL, 0) == KIKAN_ZIP_END_NONE) {
        free (tail);
        return;
    }
    free (tail);
    if (size > kikan_engine_get_info (w->engine)->limits.max_filesize) {
        send_not_inspected (w, display_basename (a->name, buf, sizeof buf), size,
                            KIKAN_REASON_LIMIT_EXCEEDED,
                            "a zip's end record ends this disk image: unzip and Python open "
                            "it as a zip, and it is larger than max_filesize, so it was not "
                            "scanned as one");
        return;
    }
    memset (&j, 0, sizeof j);
    j.fd = fcntl (a->target_fd, F_DUPFD_CLOEXEC, 3);
    if (j.fd < 0 || (j.path = strdup (display_basename (a->name, buf, sizeof buf))) == NULL)
        die (KIKAN_WORKER_EXIT_NOMEM);
    j.size = size;
    j.level = NO_NESTING;  /* its file systems are the media walk's */
    scan_job (w, &j, NULL);
}

static void
scan_dir_target (Worker *w, const KikanWorkerArgs *a, unsigned jobs)
{
    Walk wk;
    pthread_t threads[KIKAN_WORKER_MAX_JOBS];
    unsigned started = 0;

    memset (&wk, 0, sizeof wk);
    wk.root_fd = a->target_fd;
    if (walk_list (&wk) != 0)
        die (KIKAN_WORKER_EXIT_NOMEM);
    w->progress.files_total = wk.n_entries;
    w->progress.bytes_total = wk.bytes_total;
    w->progress.counting_done = 1;
    send_progress (w, 1);

    if (queue_init (&w->queue, 2 * (size_t) jobs) != 0)
        die (KIKAN_WORKER_EXIT_NOMEM);
    for (unsigned i = 0; i < jobs; i++) {
        if (pthread_create (&threads[i], NULL, scan_thread, w) != 0)
            break;
        started++;
    }
    /* With no thread at all the walk scans inline: slower, still complete. */
    walk_scan (w, &wk, started > 0);
    queue_close (&w->queue);
    for (unsigned i = 0; i < started; i++)
        pthread_join (threads[i], NULL);
    walk_clear (&wk);
}

/* ---- media: block devices and disk images ---- */

/* One entry of a volume's listing, kept until it is scanned or reported. */
typedef struct {
    size_t vol;             /* 0-based volume */
    uint8_t kind;           /* KikanEntryKind */
    uint64_t inode;
    uint64_t size;
    int64_t mtime;
    char *path;             /* "p<index>:/dir/file" (hostile) */
    char *detail;           /* ERROR / LIMIT, else NULL */
    char *link;             /* SYMLINK: its text (hostile), else NULL */
    uint32_t stream;        /* REGULAR: a named stream of the inode, else 0 */
} MediaEntry;

typedef struct {
    MediaEntry *v;
    size_t n, cap;
    uint64_t bytes_total;
    size_t vol;             /* the volume being walked */
    uint32_t index;         /* its 1-based index, for the paths */
    const char *prefix;     /* a nested image: the image's own path, else NULL */
    int failed;             /* out of memory */
} MediaListing;

/* Per volume of the medium: what unlocking and walking found. */
typedef struct {
    KikanUnlocked *unlocked;   /* kept alive as long as the medium: it reads through it */
    int refused;               /* a passphrase was tried and refused */
    char problem[768];         /* why it stays unread; holds any library message in full */
    KikanVolumeReason reason;  /* NONE unless the worker decided (walk failed) */
} VolumeState;

/* Drops the entries from @mark on (a volume whose walk failed). */
static void
media_listing_truncate (MediaListing *l, size_t mark)
{
    while (l->n > mark) {
        MediaEntry *e = &l->v[--l->n];

        if (e->kind == KIKAN_ENTRY_REGULAR)
            l->bytes_total -= e->size;
        free (e->path);
        free (e->detail);
        free (e->link);
    }
}

static void
media_listing_clear (MediaListing *l)
{
    media_listing_truncate (l, 0);
    free (l->v);
    memset (l, 0, sizeof *l);
}

static int
media_collect (const KikanEntry *e, void *user_data)
{
    MediaListing *l = user_data;
    MediaEntry *me;
    const char *p = e->path != NULL ? e->path : "";

    if (grow ((void **) &l->v, &l->cap, l->n + 1, sizeof *l->v) != 0) {
        l->failed = 1;
        return 1;
    }
    me = &l->v[l->n];
    memset (me, 0, sizeof *me);
    me->vol = l->vol;
    me->kind = (uint8_t) e->kind;
    me->inode = e->inode;
    me->size = e->kind == KIKAN_ENTRY_REGULAR ? e->size : 0;
    me->mtime = e->mtime;
    me->stream = e->kind == KIKAN_ENTRY_REGULAR ? e->stream : 0;
    /* Volume-qualified, so that files of two volumes never share a name
     * (docs/json.md "Media targets"); inside a nested disk image, after the
     * image's own path and a '!' (docs/media.md "Disk images inside"). */
    if (asprintf (&me->path, "%s%sp%" PRIu32 ":%s%s", l->prefix ? l->prefix : "",
                  l->prefix ? "!" : "", l->index, p[0] == '/' ? "" : "/", p)
        < 0) {
        me->path = NULL;
        l->failed = 1;
        return 1;
    }
    if ((e->detail != NULL && (me->detail = strdup (e->detail)) == NULL)
        || (e->kind == KIKAN_ENTRY_SYMLINK && e->link_target != NULL
            && (me->link = strdup (e->link_target)) == NULL)) {
        free (me->path);
        free (me->detail);
        l->failed = 1;
        return 1;
    }
    if (e->kind == KIKAN_ENTRY_REGULAR)
        l->bytes_total += me->size;
    l->n++;
    return 0;
}

static int
unlockable (KikanEncryption e)
{
    /* Nothing to unlock on a plain volume, and nothing to try a passphrase
     * on when not even the kind of encryption is known. */
    return e != KIKAN_ENC_NONE && e != KIKAN_ENC_UNKNOWN;
}

/* Tries every passphrase on every encrypted volume.  @opened[s] is set for
 * each passphrase that unlocked one.  Returns 1 when at least one volume
 * answered "wrong passphrase" or was unlocked (there was something the
 * passphrases are for), else 0. */
static int
unlock_volumes (Worker *w, const KikanWorkerArgs *a, VolumeState *vs, int *opened)
{
    int tried = 0;

    for (size_t i = 0; i < w->n_volumes; i++) {
        const KikanVolume *v = kikan_media_get_volume (w->media, i);

        if (v == NULL || !unlockable (v->encryption) || v->unlocked)
            continue;
        for (size_t s = 0; s < a->n_secrets; s++) {
            KikanUnlocked *u = NULL;
            char err[256] = "";
            int rc = kikan_unlock (kikan_media_get_volume_source (w->media, i), v->encryption,
                                   a->secrets[s], strlen (a->secrets[s]), a->tmpdir, &u, err,
                                   sizeof err);

            if (rc == KIKAN_UNLOCK_WRONG_SECRET) {
                vs[i].refused = 1;
                tried = 1;
                continue;
            }
            if (rc != 0) {
                /* Not a question of the passphrase: another one cannot help. */
                kikan_unlocked_free (u);
                snprintf (vs[i].problem, sizeof vs[i].problem,
                          "encrypted (%s) and could not be unlocked here: %s",
                          kikan_encryption_to_string (v->encryption),
                          err[0] ? err : kikan_strerror (rc));
                break;
            }
            tried = 1;
            opened[s] = 1;
            vs[i].unlocked = u;
            rc = kikan_media_set_unlocked (w->media, i, kikan_unlocked_get_source (u));
            if (rc != 0)
                snprintf (vs[i].problem, sizeof vs[i].problem,
                          "unlocked, but the decrypted volume could not be read: %s",
                          kikan_strerror (rc));
            break;
        }
        /* set_unlocked may have replaced the volume: look again next time. */
    }
    return tried;
}

/* The message for a passphrase that unlocked nothing (never the
 * passphrase itself). */
static void
wrong_secret_message (Worker *w, const KikanWorkerArgs *a, const VolumeState *vs,
                      size_t secret, char *out, size_t len)
{
    char locked[256] = "";
    size_t n_locked = 0, pos = 0;

    for (size_t i = 0; i < w->n_volumes; i++) {
        const KikanVolume *v = kikan_media_get_volume (w->media, i);
        int k;

        if (v == NULL || !vs[i].refused || v->unlocked)
            continue;
        k = snprintf (locked + pos, sizeof locked - pos, "%sp%" PRIu32 " (%s)",
                      n_locked ? ", " : "", v->index, kikan_encryption_to_string (v->encryption));
        if (k > 0 && (size_t) k < sizeof locked - pos)
            pos += (size_t) k;
        n_locked++;
    }
    if (a->n_secrets == 1 && n_locked > 0)
        snprintf (out, len, "the passphrase does not unlock volume%s %s", n_locked > 1 ? "s" : "",
                  locked);
    else if (n_locked > 0)
        snprintf (out, len, "passphrase %zu of %zu does not unlock volume%s %s", secret + 1,
                  a->n_secrets, n_locked > 1 ? "s" : "", locked);
    else
        snprintf (out, len,
                  "passphrase %zu of %zu unlocks no encrypted volume (each passphrase given must "
                  "unlock one)",
                  secret + 1, a->n_secrets);
}

/* Replaces the human explanation of @v. */
static void
set_problem (KikanVolume *v, const char *text)
{
    char *copy = strdup (text);

    if (copy == NULL)
        die (KIKAN_WORKER_EXIT_NOMEM);
    free (v->problem);
    v->problem = copy;
}

/* Sends one VOLUME message: the media layer's view of volume @i, with the
 * verdict on whether its files could be read. */
static void
send_volume (Worker *w, size_t i, const VolumeState *vs, size_t secrets_given)
{
    KikanMsg m;
    KikanVolumeReport vr;
    const KikanVolume *src = kikan_media_get_volume (w->media, i);
    char text[320];

    memset (&vr, 0, sizeof vr);
    if (src == NULL || kikan_volume_copy (&vr.volume, src) != 0)
        die (KIKAN_WORKER_EXIT_NOMEM);
    vr.result = KIKAN_RESULT_NOT_INSPECTED;
    if (vr.volume.index == 0)
        vr.volume.index = (uint32_t) i + 1;  /* the protocol numbers volumes from 1 */
    if ((unsigned) vr.volume.encryption >= KIKAN_ENC__COUNT)
        vr.volume.encryption = KIKAN_ENC_UNKNOWN;
    if (vr.volume.size > 0 && kikan_media_get_volume_source (w->media, i) != NULL
        && kikan_media_get_volume_source (w->media, i)->size == 0) {
        /* The partition table places it past the end of the medium: there
         * are no bytes to call encrypted or plain, only a read error. */
        vr.reason = KIKAN_VOLUME_REASON_READ_ERROR;
        vr.volume.readable = 0;
        set_problem (&vr.volume, vs[i].problem[0] ? vs[i].problem
                                                  : "the partition lies past the end of the medium");
    } else if (vr.volume.encryption != KIKAN_ENC_NONE && !vr.volume.unlocked) {
        /* Encrypted and not unlocked: never read, never clean. */
        vr.reason = KIKAN_VOLUME_REASON_ENCRYPTED;
        vr.volume.readable = 0;
        if (vs[i].problem[0])
            set_problem (&vr.volume, vs[i].problem);
        else if (vs[i].refused) {
            snprintf (text, sizeof text, "encrypted (%s): %s",
                      kikan_encryption_to_string (vr.volume.encryption),
                      secrets_given > 1 ? "none of the passphrases given unlocks it"
                                        : "the passphrase given does not unlock it");
            set_problem (&vr.volume, text);
        } else if (vr.volume.problem == NULL) {
            snprintf (text, sizeof text, "encrypted (%s): %s",
                      kikan_encryption_to_string (vr.volume.encryption),
                      vr.volume.encryption == KIKAN_ENC_UNKNOWN
                          ? "no file system recognised and the content looks random"
                          : secrets_given ? "not unlocked" : "no passphrase given");
            set_problem (&vr.volume, text);
        }
    } else if (vs[i].reason != KIKAN_VOLUME_REASON_NONE) {
        vr.reason = vs[i].reason;
        vr.volume.readable = 0;
        set_problem (&vr.volume, vs[i].problem[0] ? vs[i].problem : "could not be read");
    } else if (!vr.volume.readable) {
        vr.reason = vr.volume.filesystem == NULL ? KIKAN_VOLUME_REASON_NO_FILESYSTEM
                                                 : KIKAN_VOLUME_REASON_UNSUPPORTED_FILESYSTEM;
        if (vs[i].problem[0])
            set_problem (&vr.volume, vs[i].problem);
        else if (vr.volume.problem == NULL) {
            if (vr.volume.filesystem == NULL)
                snprintf (text, sizeof text, "no file system recognised");
            else
                snprintf (text, sizeof text, "its file system cannot be read here");
            set_problem (&vr.volume, text);
        }
    } else if (vr.volume.problem != NULL) {
        /* Readable, but not all of it (e.g. a file system larger than what
         * is left of the medium): what can be read is read, and the volume
         * is still not inspected in full. */
        vr.reason = KIKAN_VOLUME_REASON_READ_ERROR;
    } else {
        vr.result = KIKAN_RESULT_CLEAN;  /* its files decide */
        vr.reason = KIKAN_VOLUME_REASON_NONE;
    }
    kikan_msg_init (&m, KIKAN_MSG_VOLUME);
    m.u.volume = vr;
    pthread_mutex_lock (&w->send_lock);
    send_or_die (w, &m);
    w->volumes_sent++;
    pthread_mutex_unlock (&w->send_lock);
    kikan_volume_report_clear (&vr);
}

/* Refuses the target after its VOLUME messages: nothing is scanned. */
static _Noreturn void
refuse (Worker *w, int code, const char *message, int status)
{
    KikanMsg m;

    kikan_msg_init (&m, KIKAN_MSG_ERROR);
    m.u.error.code = code;
    m.u.error.message = (char *) message;
    pthread_mutex_lock (&w->send_lock);
    send_or_die (w, &m);
    pthread_mutex_unlock (&w->send_lock);
    die (status);
}

static void send_media_entry (Worker *w, const MediaEntry *e);

/* The job that scans the regular file @e of @m, inside @level disk images;
 * takes e->path. */
static Job
media_job (KikanMedia *m, MediaEntry *e, unsigned level)
{
    Job j;

    j.fd = -1;
    j.path = e->path;
    e->path = NULL;
    j.size = e->size;
    j.media = m;
    j.vol = e->vol;
    j.inode = e->inode;
    j.mtime = e->mtime;
    j.is_hive = 0;
    j.stream = e->stream;
    j.level = level;
    return j;
}

/* Reports an entry that is not a regular file (never read), or hands a
 * regular one to the pool. */
static void
media_dispatch (Worker *w, MediaEntry *e, int threaded, KikanMediaReader **readers)
{
    Job j;

    switch ((KikanEntryKind) e->kind) {
    case KIKAN_ENTRY_REGULAR:
        j = media_job (w->media, e, 0);
        if (threaded)
            queue_put (&w->queue, j);
        else
            scan_job (w, &j, readers);
        return;
    default:
        send_media_entry (w, e);
        return;
    }
}

/* Reports an entry of a medium that is not a regular file: never read. */
static void
send_media_entry (Worker *w, const MediaEntry *e)
{
    switch ((KikanEntryKind) e->kind) {
    case KIKAN_ENTRY_SYMLINK:
        send_symlink (w, e->path, e->link);
        return;
    case KIKAN_ENTRY_OTHER:
        send_not_inspected (w, e->path, 0, KIKAN_REASON_UNSUPPORTED,
                            e->detail ? e->detail : "not a regular file: never opened");
        return;
    case KIKAN_ENTRY_LIMIT:
        send_not_inspected (w, e->path, 0, KIKAN_REASON_LIMIT_EXCEEDED,
                            e->detail ? e->detail : "the walk was cut here: too deep or too "
                                                    "many entries");
        return;
    case KIKAN_ENTRY_ERROR:
    default:
        /* An entry kind this worker does not know is not read either.  A
         * regular file never comes here (both callers scan those); one
         * that did would be reported unread, never dropped. */
        send_not_inspected (w, e->path, e->size, KIKAN_REASON_READ_ERROR,
                            e->detail ? e->detail : "could not be read");
        return;
    }
}

/* ---- disk images inside a target (issue #8 item 7) ---- */

static void scan_nested_medium (Worker *w, KikanFileReport *outer, const KikanSource *src,
                                unsigned level);

/* Decides whether the file @r reports on (content @src) is a disk image,
 * and if so opens it through the media layer and scans its files before
 * @r is sent.  Windows mounts ISO, VHD and VHDX files on a double click,
 * macOS mounts DMG files, Linux desktops open raw disk images: what such
 * an image holds is shown to a person, so it is scanned or @r says why
 * not.
 *
 * Which files: those the engine classified as a disk image by content
 * (kikan_filetype_classify: MBR, GPT, boot sectors, ext, ISO 9660, UDF,
 * HFS+, APFS, LUKS, BitLocker, VHD, VHDX, VMDK, QCOW, VDI, DMG), and
 * those the engine did not read in full (too large for it, so not
 * classified): for them the media layer's own header checks decide, on at
 * most 40 KiB.  A file of another kind is left alone, so no ordinary file
 * costs a second read.  @src is never NULL: scan_job() calls this only
 * with the content it has just scanned open. */
static void
nested_image (Worker *w, KikanFileReport *r, const KikanSource *src, unsigned level)
{
    KikanFileType t = (KikanFileType) r->exec.type;
    char detail[160];

    if (level == NO_NESTING || src->size < 512)
        return;
    if (t != KIKAN_FILETYPE_DISK_IMAGE && t != KIKAN_FILETYPE_DMG
        && r->result != KIKAN_RESULT_NOT_INSPECTED)
        return;
    if (!kikan_media_looks_like_image (src)) {
        if (t == KIKAN_FILETYPE_DISK_IMAGE || t == KIKAN_FILETYPE_DMG)
            kikan_file_report_degrade (
                r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_UNSUPPORTED,
                t == KIKAN_FILETYPE_DMG
                    ? "an Apple disk image (DMG): macOS opens it as a drive, and its file "
                      "systems are not read here"
                    : "a disk image in a format Kikan does not open (VHD, VHDX, VMDK, QCOW, "
                      "VDI, ...): its file systems were not read");
        return;
    }
    if (level >= KIKAN_WORKER_MAX_IMAGE_NESTING) {
        snprintf (detail, sizeof detail,
                  "a disk image inside %u disk images: not opened (at most %d levels)", level,
                  KIKAN_WORKER_MAX_IMAGE_NESTING);
        kikan_file_report_degrade (r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_LIMIT_EXCEEDED,
                                   detail);
        return;
    }
    scan_nested_medium (w, r, src, level + 1);
}

/* Adds to the totals announced at the start, for files found inside a
 * nested image. */
static void
grow_totals (Worker *w, uint64_t files, uint64_t bytes)
{
    pthread_mutex_lock (&w->send_lock);
    w->progress.files_total += files;
    w->progress.bytes_total += bytes;
    pthread_mutex_unlock (&w->send_lock);
}

/* Opens @src as a medium nested in the file @outer reports on, walks
 * every readable volume and scans its files in this thread, as
 * "<outer path>!p<N>:/<path>".  What cannot be read (the image as a whole,
 * an encrypted or unreadable volume, a volume with a problem) is a
 * not_inspected report of its own: "<outer path>!p<N>:".  Passphrases are
 * for the target's own volumes: an encrypted nested volume stays locked.
 * Bounded like the target: the same depth and entry limits per volume,
 * KIKAN_WORKER_MAX_IMAGE_NESTING levels, and the worker's deadline. */
static void
scan_nested_medium (Worker *w, KikanFileReport *outer, const KikanSource *src, unsigned level)
{
    KikanMediaLimits limits = { KIKAN_WORKER_MAX_DEPTH, KIKAN_WORKER_MAX_ENTRIES };
    KikanMedia *m = NULL;
    MediaListing listing;
    KikanMediaReader **readers = NULL;
    size_t nv;
    char err[512] = "", detail[768];
    int rc;

    memset (&listing, 0, sizeof listing);
    /* Probing and walking open TSK handles and libblkid probes: one thread
     * at a time (the target's own walk ran before any thread started). */
    pthread_mutex_lock (&w->media_lock);
    rc = kikan_media_open (src, &limits, &m, err, sizeof err);
    pthread_mutex_unlock (&w->media_lock);
    if (rc != 0) {
        snprintf (detail, sizeof detail, "a disk image that could not be opened: %s",
                  err[0] ? err : kikan_strerror (rc));
        kikan_file_report_degrade (outer, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_READ_ERROR,
                                   detail);
        return;
    }
    nv = kikan_media_get_n_volumes (m);
    listing.prefix = outer->path;
    for (size_t i = 0; i < nv; i++) {
        const KikanVolume *v = kikan_media_get_volume (m, i);
        uint32_t index = v->index ? v->index : (uint32_t) i + 1;
        char *vpath = NULL;
        size_t mark = listing.n;

        if (asprintf (&vpath, "%s!p%" PRIu32 ":", outer->path, index) < 0)
            die (KIKAN_WORKER_EXIT_NOMEM);
        if (v->encryption != KIKAN_ENC_NONE && !v->unlocked) {
            snprintf (detail, sizeof detail,
                      "an encrypted volume (%s) inside a disk image: not unlocked (passphrases "
                      "are for the target's own volumes)",
                      kikan_encryption_to_string (v->encryption));
            grow_totals (w, 1, 0);
            send_not_inspected (w, vpath, v->size, KIKAN_REASON_ENCRYPTED, detail);
        } else if (!v->readable) {
            snprintf (detail, sizeof detail, "a volume inside a disk image that was not read: %s",
                      v->problem ? v->problem
                      : v->filesystem ? "its file system cannot be read here"
                                      : "no file system recognised");
            grow_totals (w, 1, 0);
            send_not_inspected (w, vpath, v->size,
                                v->filesystem ? KIKAN_REASON_UNSUPPORTED
                                              : KIKAN_REASON_PARSE_ERROR,
                                detail);
        } else {
            if (v->problem != NULL) {
                /* Read as far as it goes, and still not cleared. */
                snprintf (detail, sizeof detail, "a volume inside a disk image: %s", v->problem);
                grow_totals (w, 1, 0);
                send_not_inspected (w, vpath, 0, KIKAN_REASON_READ_ERROR, detail);
            }
            listing.vol = i;
            listing.index = index;
            err[0] = '\0';
            pthread_mutex_lock (&w->media_lock);
            rc = kikan_media_walk (m, i, media_collect, &listing, err, sizeof err);
            pthread_mutex_unlock (&w->media_lock);
            if (listing.failed)
                die (KIKAN_WORKER_EXIT_NOMEM);
            if (rc != 0) {
                media_listing_truncate (&listing, mark);
                snprintf (detail, sizeof detail,
                          "a volume inside a disk image whose file system could not be "
                          "walked: %s",
                          err[0] ? err : kikan_strerror (rc));
                grow_totals (w, 1, 0);
                send_not_inspected (w, vpath, 0, KIKAN_REASON_READ_ERROR, detail);
            }
        }
        free (vpath);
    }
    grow_totals (w, listing.n, listing.bytes_total);
    if ((readers = calloc (nv ? nv : 1, sizeof *readers)) == NULL)
        die (KIKAN_WORKER_EXIT_NOMEM);
    for (size_t i = 0; i < listing.n; i++) {
        MediaEntry *e = &listing.v[i];

        if (e->kind == KIKAN_ENTRY_REGULAR) {
            Job j = media_job (m, e, level);
            scan_job (w, &j, readers);
        } else
            send_media_entry (w, e);
    }
    for (size_t i = 0; i < nv; i++)
        kikan_media_reader_free (readers[i]);
    free (readers);
    media_listing_clear (&listing);
    kikan_media_free (m);
}

static void
scan_medium (Worker *w, const KikanWorkerArgs *a, const KikanSource *disk, unsigned jobs)
{
    KikanMediaLimits limits = { KIKAN_WORKER_MAX_DEPTH, KIKAN_WORKER_MAX_ENTRIES };
    MediaListing listing;
    VolumeState *vs = NULL;
    int *opened = NULL;
    pthread_t threads[KIKAN_WORKER_MAX_JOBS];
    KikanMediaReader **readers = NULL;
    unsigned started = 0;
    char err[512] = "", msg[640];
    int rc;

    memset (&listing, 0, sizeof listing);
    if ((rc = kikan_media_open (disk, &limits, &w->media, err, sizeof err)) != 0) {
        snprintf (msg, sizeof msg, "the medium could not be read: %s",
                  err[0] ? err : kikan_strerror (rc));
        refuse (w, rc < 0 ? rc : KIKAN_EIO, msg, KIKAN_WORKER_EXIT_UNREADABLE);
    }
    w->n_volumes = kikan_media_get_n_volumes (w->media);
    if ((vs = calloc (w->n_volumes ? w->n_volumes : 1, sizeof *vs)) == NULL
        || (opened = calloc (a->n_secrets ? a->n_secrets : 1, sizeof *opened)) == NULL)
        die (KIKAN_WORKER_EXIT_NOMEM);

    if (a->n_secrets > 0 && unlock_volumes (w, a, vs, opened)) {
        /* Every passphrase given must unlock a volume: one that unlocks
         * nothing is a typo, and a scan that silently skipped the volume
         * it was meant for would look like a success. */
        for (size_t s = 0; s < a->n_secrets; s++) {
            if (opened[s])
                continue;
            wrong_secret_message (w, a, vs, s, msg, sizeof msg);
            forget_secrets (w);
            for (size_t i = 0; i < w->n_volumes; i++)
                send_volume (w, i, vs, a->n_secrets);
            refuse (w, KIKAN_EINVAL, msg, KIKAN_WORKER_EXIT_WRONG_SECRET);
        }
    }
    /* The passphrases are of no further use: wiped before any file is read. */
    forget_secrets (w);

    if (!a->probe_only) {
        for (size_t i = 0; i < w->n_volumes; i++) {
            const KikanVolume *v = kikan_media_get_volume (w->media, i);
            size_t mark = listing.n;

            if (v == NULL || !v->readable || (v->encryption != KIKAN_ENC_NONE && !v->unlocked))
                continue;
            listing.vol = i;
            listing.index = v->index ? v->index : (uint32_t) i + 1;
            err[0] = '\0';
            rc = kikan_media_walk (w->media, i, media_collect, &listing, err, sizeof err);
            if (listing.failed)
                die (KIKAN_WORKER_EXIT_NOMEM);
            if (rc != 0) {
                /* A file system that cannot be walked: its volume is not
                 * inspected (what was listed of it is dropped). */
                media_listing_truncate (&listing, mark);
                vs[i].reason = KIKAN_VOLUME_REASON_READ_ERROR;
                snprintf (vs[i].problem, sizeof vs[i].problem,
                          "its file system could not be walked: %s",
                          err[0] ? err : kikan_strerror (rc));
            }
        }
    }
    for (size_t i = 0; i < w->n_volumes; i++)
        send_volume (w, i, vs, a->n_secrets);
    if (a->probe_only)
        goto out;

    w->progress.files_total = listing.n;
    w->progress.bytes_total = listing.bytes_total;
    w->progress.counting_done = 1;
    send_progress (w, 1);
    if (queue_init (&w->queue, 2 * (size_t) jobs) != 0)
        die (KIKAN_WORKER_EXIT_NOMEM);
    for (unsigned i = 0; i < jobs; i++) {
        if (pthread_create (&threads[i], NULL, scan_thread, w) != 0)
            break;
        started++;
    }
    /* With no thread at all the files are scanned inline: slower, still
     * complete. */
    if (started == 0)
        readers = readers_new (w);
    for (size_t i = 0; i < listing.n; i++)
        media_dispatch (w, &listing.v[i], started > 0, readers);
    queue_close (&w->queue);
    for (unsigned i = 0; i < started; i++)
        pthread_join (threads[i], NULL);
    readers_free (w, readers);
out:
    media_listing_clear (&listing);
    kikan_media_free (w->media);
    w->media = NULL;
    /* After the medium: it read the decrypted volumes through these. */
    for (size_t i = 0; i < w->n_volumes; i++)
        kikan_unlocked_free (vs[i].unlocked);
    free (vs);
    free (opened);
}

/* Bytes of a block device: lseek to the end (ioctl is not on the seccomp
 * allow-list, lseek is), and back, although everything reads with pread. */
static uint64_t
target_size (int fd, const struct stat *st)
{
    off_t end;

    if (!S_ISBLK (st->st_mode))
        return st->st_size > 0 ? (uint64_t) st->st_size : 0;
    end = lseek (fd, 0, SEEK_END);
    (void) lseek (fd, 0, SEEK_SET);
    return end > 0 ? (uint64_t) end : 0;
}

/* The code pages libclamav converts from (its OLE2 code-page table),
 * into UTF-8. */
static const char *const primed_encodings[] = {
    "UTF-16LE", "UTF-16BE", "UTF-16", "UCS-4", "UCS-4LE", "UCS-4BE", "UTF-7", "US-ASCII",
    "IBM037", "IBM437", "IBM500", "ASMO-708", "IBM775", "IBM850", "IBM852", "IBM855",
    "IBM857", "IBM860", "IBM861", "IBM863", "IBM864", "IBM865", "CP866", "IBM869", "IBM870",
    "WINDOWS-874", "CP875", "SHIFT_JIS", "GB2312", "CP949", "BIG5", "IBM1026", "WINDOWS-1250",
    "WINDOWS-1251", "WINDOWS-1252", "WINDOWS-1253", "WINDOWS-1254", "WINDOWS-1255",
    "WINDOWS-1256", "WINDOWS-1257", "WINDOWS-1258", "JOHAB", "MACINTOSH", "IBM273", "IBM277",
    "IBM278", "IBM280", "IBM284", "IBM285", "IBM290", "IBM297", "IBM420", "IBM423", "IBM424",
    "KOI8-R", "IBM871", "IBM880", "IBM905", "EUC-JP", "CP1025", "KOI8-U", "ISO-8859-1",
    "ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-5", "ISO-8859-6", "ISO-8859-7",
    "ISO-8859-8", "ISO-8859-9", "ISO-8859-13", "ISO-8859-15", "ISO-2022-JP", "ISO-2022-JP-2",
    "ISO-2022-JP-3", "ISO-2022-KR", "EUC-CN", "EUC-KR", "GB18030",
};

/* Held open for the life of the process: glibc unloads a gconv module
 * only after its last descriptor is closed, so every later iconv_open()
 * of these finds the module already mapped. */
static iconv_t primed_iconv[sizeof primed_encodings / sizeof primed_encodings[0]];

void
kikan_worker_prime (KikanEngine *engine)
{
    static const char warmup[] = "Kikan engine warm-up: constant bytes, never from a medium.\n";
    KikanFileReport r;

    tzset ();
    /* libcryptsetup's crypto backend and random source, loaded now: in
     * the worker, after the sandbox, they could not be. */
    kikan_unlock_prime ();
    for (size_t i = 0; i < sizeof primed_encodings / sizeof primed_encodings[0]; i++)
        if (primed_iconv[i] == NULL)
            primed_iconv[i] = iconv_open ("UTF-8//TRANSLIT", primed_encodings[i]);
    /* Whatever fails here (an encoding this glibc lacks) stays unavailable
     * in the worker too, where it only costs metadata, never a verdict. */
    if (engine == NULL)
        return;
    memset (&r, 0, sizeof r);
    (void) kikan_engine_scan_buffer (engine, warmup, sizeof warmup - 1, "warm-up", &r);
    kikan_file_report_clear (&r);
}

/* A raw disk image (.img, .dd, .raw, ...) is a medium even when nothing at
 * its start is recognised: the image of a VeraCrypt stick, or of one whose
 * partition table was wiped, is all high-entropy bytes, and scanning it as
 * one plain file would call it clean.  As a medium its single volume is
 * reported "unknown, possibly encrypted" (KR-13) and is not inspected. */
static int
has_image_name (const char *name)
{
    static const char *const exts[] = { ".img", ".dd", ".raw", ".dsk", ".ima", ".001", NULL };
    size_t n = name ? strlen (name) : 0;

    for (size_t i = 0; exts[i] != NULL; i++) {
        size_t m = strlen (exts[i]);
        if (n > m && strcasecmp (name + n - m, exts[i]) == 0)
            return 1;
    }
    return 0;
}

void
kikan_worker_main (const KikanWorkerArgs *a)
{
    Worker w;
    KikanMsg m;
    struct stat st;
    KikanSource disk;
    int disk_fd;
    const char *applied = NULL;
    char err[512];
    unsigned jobs;
    int rc;

    /* The worker must not outlive a daemon that can no longer reap or
     * supervise it.  The daemon is single-threaded, so the "parent thread"
     * of PDEATHSIG is the daemon itself. */
    if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid () != a->daemon_pid)
        die (KIKAN_WORKER_EXIT_SETUP);
    /* stderr goes to the daemon, which escapes it before it reaches a
     * terminal or a log. */
    if (a->stderr_fd >= 0 && a->stderr_fd != 2) {
        if (dup2 (a->stderr_fd, 2) < 0)
            die (KIKAN_WORKER_EXIT_SETUP);
        close (a->stderr_fd);
    }
    memset (&w, 0, sizeof w);
    w.engine = a->engine;
    w.sock = a->sock;
    pthread_mutex_init (&w.send_lock, NULL);
    pthread_mutex_init (&w.media_lock, NULL);
    pthread_mutex_init (&w.inv_lock, NULL);
    w.tmpdir = a->tmpdir;
    w.as_file = a->as_file;
    /* Memory locks do not survive fork(): lock the passphrases again, now,
     * since mlock is not on the sandbox's allow-list. */
    w.secrets_arena = a->secrets_arena;
    kikan_secret_relock (w.secrets_arena);
    err[0] = '\0';

    /* fstat looks at the inode, not at the bytes: safe before the sandbox,
     * and Landlock needs to know what kind of target it confines. */
    if (fstat (a->target_fd, &st) != 0
        || !(S_ISDIR (st.st_mode) || S_ISREG (st.st_mode) || S_ISBLK (st.st_mode))) {
        snprintf (err, sizeof err,
                  "the target is neither a directory, a regular file nor a block device");
        rc = KIKAN_WORKER_EXIT_SETUP;
        goto failed;
    }
    if (a->engine == NULL && !a->probe_only) {
        snprintf (err, sizeof err, "no engine to scan with: only probes are possible");
        rc = KIKAN_WORKER_EXIT_SETUP;
        goto failed;
    }
    jobs = effective_jobs (a->jobs);
    /* Fewer malloc arenas than threads: each one reserves 64 MiB of
     * address space, which RLIMIT_AS counts. */
    mallopt (M_ARENA_MAX, (int) (jobs < 8 ? jobs + 1 : 8));
    if ((rc = confine (a, jobs, S_ISDIR (st.st_mode), &applied, err, sizeof err)) != 0)
        goto failed;
    /* From here on the worker is confined. */
    if (a->engine != NULL && kikan_engine_set_tmpdir (a->engine, a->tmpdir) != 0) {
        snprintf (err, sizeof err, "the engine refused the temp dir %s", a->tmpdir);
        rc = KIKAN_WORKER_EXIT_SETUP;
        goto failed;
    }
    kikan_msg_init (&m, KIKAN_MSG_WORKER_STARTED);
    m.u.worker_started.pid = (int32_t) getpid ();
    m.u.worker_started.sandbox = (char *) applied;
    send_or_die (&w, &m);
#ifdef KIKAN_SANDBOX_PROBE
    /* Test-only kikan-scand-probe (sandbox-private.h): a hostile action,
     * confined exactly as the scan below, before the first byte is read. */
    kikan_sandbox_probe (a->name, a->target_fd);
#endif

    disk_fd = a->target_fd;
    kikan_source_init_fd (&disk, &disk_fd, target_size (a->target_fd, &st));
    /* A block device is always a medium; a regular file is one when the
     * media layer recognises a partition table, a file system or an
     * encryption header at its start (asked only now, confined: the
     * answer comes from parsing its bytes). */
    if (S_ISBLK (st.st_mode)
        || (S_ISREG (st.st_mode) && !a->as_file
            && (kikan_media_looks_like_medium (&disk) || has_image_name (a->name)))) {
        scan_medium (&w, a, &disk, jobs);
        /* After the volumes: the protocol reports a medium's volumes first. */
        if (S_ISREG (st.st_mode))
            scan_image_as_zip_too (&w, a, &st);
    }
    else {
        /* Passphrases are for volumes: a folder or a single file has none. */
        forget_secrets (&w);
        if (a->probe_only)
            ;  /* nothing to probe: no volume */
        else if (S_ISDIR (st.st_mode))
            scan_dir_target (&w, a, jobs);
        else
            scan_file_target (&w, a, &st);
    }
    forget_secrets (&w);

    if (!a->probe_only)
        send_inventory (&w);
    send_progress (&w, 1);
    kikan_msg_init (&m, KIKAN_MSG_WORKER_DONE);
    m.u.worker_done.files_sent = w.files_sent;
    m.u.worker_done.volumes_sent = w.volumes_sent;
    m.u.worker_done.inventory_sent = w.inventory_sent;
    /* Coverage builds: the counters are written before the daemon hears
     * that the target is done, not after.  A test that freezes the
     * daemon's processes once a result is in the store would otherwise
     * stop this worker inside gcov's write, holding the lock of a counter
     * file every other process of the build waits for at its exit.  (The
     * write in die() is then nothing: gcov writes once.) */
    kikan_coverage_flush ();
    send_or_die (&w, &m);
    die (KIKAN_WORKER_EXIT_OK);

failed:
    /* Nothing of the target was read.  Tell the daemon why, then stop. */
    forget_secrets (&w);
    kikan_msg_init (&m, KIKAN_MSG_ERROR);
    m.u.error.code = rc == KIKAN_WORKER_EXIT_SANDBOX ? KIKAN_ESANDBOX : KIKAN_EWORKER;
    m.u.error.message = err;
    (void) kikan_ipc_send (a->sock, &m, -1);
    die (rc);
}
