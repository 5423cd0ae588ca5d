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
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <linux/capability.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kikan/errors.h"
#include "ipc-private.h"
#include "sandbox-private.h"
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

typedef struct {
    int fd;
    char *path;
    uint64_t size;
} Job;

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
    Queue queue;
} Worker;

/* ---- small helpers ---- */

static _Noreturn void
die (int status)
{
    _exit (status);
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
    if (apply_rlimits (jobs, err, errlen) != 0)
        goto out;
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

/* Scans one open regular file and sends its report; takes ownership of the
 * job's descriptor and path. */
static void
scan_job (Worker *w, Job *j)
{
    KikanFileReport r;
    int rc;

    memset (&r, 0, sizeof r);
    rc = kikan_engine_scan_fd (w->engine, j->fd, j->path, &r);
    close (j->fd);
    j->fd = -1;
    if (r.path == NULL) {
        /* The engine could not even start the report: fail closed. */
        kikan_file_report_clear (&r);
        r.path = j->path;
        j->path = NULL;
        r.size = j->size;
        r.result = KIKAN_RESULT_NOT_INSPECTED;
        r.reason = KIKAN_REASON_ENGINE_ERROR;
    } else if (rc != 0 && r.result == KIKAN_RESULT_CLEAN)
        kikan_file_report_degrade (&r, KIKAN_RESULT_NOT_INSPECTED, KIKAN_REASON_ENGINE_ERROR,
                                   kikan_strerror (rc));
    send_report (w, &r, j->size);
    kikan_file_report_clear (&r);
    free (j->path);
    j->path = NULL;
}

static void *
scan_thread (void *data)
{
    Worker *w = data;
    Job j;

    while (queue_get (&w->queue, &j))
        scan_job (w, &j);
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
    for (size_t i = 0; i < wk->n_entries; i++)
        free (wk->entries[i].name);
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
            else if (S_ISLNK (st.st_mode))
                rc = add_entry (wk, (uint32_t) i, ENT_SYMLINK, de->d_name, &st, 0);
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
            send_not_inspected (w, path, 0, KIKAN_REASON_SYMLINK,
                                "a symbolic link: never followed");
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
            path = NULL;
            if (threaded)
                queue_put (&w->queue, j);
            else
                scan_job (w, &j);
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
    scan_job (w, &j);
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
    for (size_t i = 0; i < sizeof primed_encodings / sizeof primed_encodings[0]; i++)
        if (primed_iconv[i] == NULL)
            primed_iconv[i] = iconv_open ("UTF-8//TRANSLIT", primed_encodings[i]);
    /* Whatever fails here (an encoding this glibc lacks) stays unavailable
     * in the worker too, where it only costs metadata, never a verdict. */
    memset (&r, 0, sizeof r);
    (void) kikan_engine_scan_buffer (engine, warmup, sizeof warmup - 1, "warm-up", &r);
    kikan_file_report_clear (&r);
}

void
kikan_worker_main (const KikanWorkerArgs *a)
{
    Worker w;
    KikanMsg m;
    struct stat st;
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
    err[0] = '\0';

    /* fstat looks at the inode, not at the bytes: safe before the sandbox,
     * and Landlock needs to know what kind of target it confines. */
    if (fstat (a->target_fd, &st) != 0 || !(S_ISDIR (st.st_mode) || S_ISREG (st.st_mode))) {
        snprintf (err, sizeof err, "the target is neither a directory nor a regular file");
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
    if (kikan_engine_set_tmpdir (a->engine, a->tmpdir) != 0) {
        snprintf (err, sizeof err, "the engine refused the temp dir %s", a->tmpdir);
        rc = KIKAN_WORKER_EXIT_SETUP;
        goto failed;
    }
    kikan_msg_init (&m, KIKAN_MSG_WORKER_STARTED);
    m.u.worker_started.pid = (int32_t) getpid ();
    m.u.worker_started.sandbox = (char *) applied;
    send_or_die (&w, &m);

    if (S_ISDIR (st.st_mode))
        scan_dir_target (&w, a, jobs);
    else
        scan_file_target (&w, a, &st);

    send_progress (&w, 1);
    kikan_msg_init (&m, KIKAN_MSG_WORKER_DONE);
    m.u.worker_done.files_sent = w.files_sent;
    send_or_die (&w, &m);
    die (KIKAN_WORKER_EXIT_OK);

failed:
    /* Nothing of the target was read.  Tell the daemon why, then stop. */
    kikan_msg_init (&m, KIKAN_MSG_ERROR);
    m.u.error.code = rc == KIKAN_WORKER_EXIT_SANDBOX ? KIKAN_ESANDBOX : KIKAN_EWORKER;
    m.u.error.message = err;
    (void) kikan_ipc_send (a->sock, &m, -1);
    die (rc);
}
