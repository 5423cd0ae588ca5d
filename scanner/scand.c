/* Kikan: kikan-scand's main loop (include/kikan/scand.h, docs/ipc.md).
 *
 * The daemon loads the engine once, says HELLO, then serves one SCAN at a
 * time: private temp dir, socketpair, fork a worker (worker.c) that shares
 * the compiled engine copy-on-write, relay what the worker sends after
 * decoding it, and end with TARGET_END.  The daemon itself never reads a
 * byte of the target: it only fstat()s the descriptor it passes on.
 *
 * Started without databases (--probe-only) it loads no engine and serves
 * only probe_only scans: `kikan probe` needs no signatures.
 *
 * It is single-threaded on purpose: fork() from a single-threaded process
 * gives the worker a consistent copy of everything, and PR_SET_PDEATHSIG in
 * the worker then refers to the daemon itself.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kikan/errors.h"
#include "kikan/scand.h"
#include "kikan/test-seam.h"
#include "ipc-private.h"
#include "worker-private.h"

#define DEFAULT_TIMEOUT_S 3600u
/* Frames handled per wake-up, so that a chatty worker cannot starve the
 * deadline check. */
#define MAX_FRAMES_PER_WAKE 64
/* How often the daemon checks on a worker when the kernel has no pidfd. */
#define REAP_TICK_MS 20
/* Volumes one medium may report: an MBR chain or a GPT holds far fewer. */
#define MAX_VOLUMES 1024
#define MAX_INVENTORY_FRAMES 4096  /* KIKAN_INV_MAX_PROGRAMS per source, 50 a frame */

typedef struct {
    int client;            /* socket to the client (kiosk or CLI) */
    KikanEngine *engine;   /* NULL: a probe-only daemon */
    int force_null;        /* KIKAN_SANDBOX=null, a test seam (build tree only) */
    int quit;              /* stop serving after this message */
} Daemon;

/* One target being scanned. */
typedef struct {
    Daemon *d;
    const KikanMsgScan *req;
    pid_t pid;
    int started;           /* WORKER_STARTED seen */
    int done;              /* WORKER_DONE seen */
    int errored;           /* ERROR seen */
    int proto_failed;      /* the worker broke the protocol: killed */
    int client_gone;       /* relaying failed: the client went away */
    char *sandbox;
    int32_t error_code;
    char error_msg[384];   /* what the worker said in its ERROR */
    char detail[512];      /* why the daemon gave up on the worker */
    uint64_t files_seen;
    uint32_t volumes_seen;
    uint32_t inventory_seen;
    uint32_t *volume_index;  /* the indices seen, so that "p<index>:" stays unique */
    int errfd;             /* read end of the worker's stderr, -1 when closed */
    char errline[1024];    /* partial line read from it */
    size_t errlen;
} Target;

static double
now_seconds (void)
{
    struct timespec ts;

    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t
now_ms (void)
{
    struct timespec ts;

    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the worker's temp dir ---- */

#define TMPDIR_PREFIX "kikan-scand-"
#define TMPDIR_OWNER  ".owner"  /* flock()ed by the daemon while the dir is in use */
/* A directory without an owner file (made by a daemon before owner files,
 * or caught between mkdtemp and the lock) is only swept when older. */
#define TMPDIR_UNOWNED_AGE_S (3600)

static const char *
tmp_base (void)
{
    const char *base = getenv ("TMPDIR");

    /* A relative or absurd TMPDIR would put hostile unpacked content
     * somewhere unexpected: only an absolute path is honoured. */
    if (base == NULL || base[0] != '/' || strlen (base) > PATH_MAX / 2)
        base = "/tmp";
    return base;
}

/* A private temp dir, and the lock that says its daemon is alive: a
 * daemon that is killed (or a kiosk that loses power) leaves the dir
 * behind, with whatever a worker had unpacked or copied there (registry
 * hives hold personal data); the next daemon's kikan_scand_sweep_tmp()
 * removes it once the lock is free. */
typedef struct {
    char *path;
    int lock_fd;
} TmpDir;

static int
make_tmpdir (TmpDir *t)
{
    int fd;

    t->path = NULL;
    t->lock_fd = -1;
    if (asprintf (&t->path, "%s/" TMPDIR_PREFIX "XXXXXX", tmp_base ()) < 0) {
        t->path = NULL;
        return -1;
    }
    /* mkdtemp creates it with mode 0700. */
    if (mkdtemp (t->path) == NULL) {
        free (t->path);
        t->path = NULL;
        return -1;
    }
    {
        char owner[PATH_MAX];

        snprintf (owner, sizeof owner, "%s/" TMPDIR_OWNER, t->path);
        fd = open (owner, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;

            close (fd);
            (void) unlink (owner);
            fd = -1;
            errno = e;
        }
    }
    if (fd < 0) {
        int e = errno;

        (void) rmdir (t->path);
        free (t->path);
        t->path = NULL;
        errno = e;
        return -1;
    }
    t->lock_fd = fd;
    return 0;
}

static int rmtree (const char *path);

/* Removes the dir and everything in it, then lets go of the lock. */
static void
drop_tmpdir (TmpDir *t)
{
    if (t->path != NULL && rmtree (t->path) != 0)
        fprintf (stderr, "kikan-scand: could not remove temp dir %s: %s\n", t->path,
                 strerror (errno));
    if (t->lock_fd >= 0)
        close (t->lock_fd);
    free (t->path);
    t->path = NULL;
    t->lock_fd = -1;
}

/* Deletes everything in directory @cur that is not a directory, and puts
 * the name of one subdirectory (if any) in @sub.  Returns 1 if a
 * subdirectory was found, 0 if none, -1 on error. */
static int
purge_files (int cur, char sub[NAME_MAX + 1])
{
    DIR *dp;
    struct dirent *de;
    int lfd, found = 0;

    if ((lfd = fcntl (cur, F_DUPFD_CLOEXEC, 3)) < 0)
        return -1;
    if ((dp = fdopendir (lfd)) == NULL) {
        close (lfd);
        return -1;
    }
    rewinddir (dp);
    while ((de = readdir (dp)) != NULL) {
        struct stat st;

        if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
            continue;
        if (fstatat (cur, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR (st.st_mode)) {
            if (!found && strlen (de->d_name) <= NAME_MAX) {
                strcpy (sub, de->d_name);
                found = 1;
            }
        } else
            (void) unlinkat (cur, de->d_name, 0);
    }
    closedir (dp);
    return found;
}

/* Removes @path and everything beneath it without following a symbolic
 * link (the worker that filled it may have been hostile) and without
 * recursion, so no tree depth can exhaust the daemon's stack or
 * descriptors: repeatedly walk down to a directory without subdirectories,
 * empty it and remove it. */
static int
rmtree (const char *path)
{
    const int dflags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int root, r = -1;

    if ((root = open (path, dflags)) < 0)
        return errno == ENOENT ? 0 : -1;
    /* Each round removes one directory; the bound stops a loop on an entry
     * that cannot be removed. */
    for (unsigned round = 0; round < 1000000; round++) {
        char name[NAME_MAX + 1] = "", sub[NAME_MAX + 1];
        int parent = -1, cur = fcntl (root, F_DUPFD_CLOEXEC, 3), found;

        if (cur < 0)
            goto out;
        while ((found = purge_files (cur, sub)) == 1) {
            int next = openat (cur, sub, dflags);

            if (next < 0)
                break;
            if (parent >= 0)
                close (parent);
            parent = cur;
            cur = next;
            strcpy (name, sub);
        }
        close (cur);
        if (found != 0) {
            if (parent >= 0)
                close (parent);
            goto out;
        }
        if (parent < 0) {
            r = rmdir (path);
            goto out;
        }
        found = unlinkat (parent, name, AT_REMOVEDIR);
        close (parent);
        if (found != 0)
            goto out;
    }
out:
    close (root);
    return r;
}

int
kikan_scand_sweep_tmp (const char *parent, unsigned *removed)
{
    DIR *dp;
    struct dirent *de;
    int pfd, r = 0;
    time_t now = time (NULL);

    if (removed != NULL)
        *removed = 0;
    if (parent == NULL)
        parent = tmp_base ();
    if ((pfd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return errno == ENOENT ? 0 : KIKAN_EIO;
    if ((dp = fdopendir (pfd)) == NULL) {
        close (pfd);
        return KIKAN_EIO;
    }
    while ((de = readdir (dp)) != NULL) {
        struct stat st;
        char path[PATH_MAX];
        int dfd, ofd, stale;

        if (strncmp (de->d_name, TMPDIR_PREFIX, strlen (TMPDIR_PREFIX)) != 0
            || strlen (de->d_name) != strlen (TMPDIR_PREFIX) + 6)
            continue;
        /* Only real directories of this user: never a symbolic link, never
         * someone else's dir in a shared /tmp. */
        if (fstatat (pfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR (st.st_mode)
            || st.st_uid != geteuid ())
            continue;
        if ((dfd = openat (pfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC))
            < 0)
            continue;
        ofd = openat (dfd, TMPDIR_OWNER, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
        if (ofd >= 0)
            /* The lock is free only when the daemon that made it is gone. */
            stale = flock (ofd, LOCK_EX | LOCK_NB) == 0;
        else
            stale = errno == ENOENT && now - st.st_mtime > TMPDIR_UNOWNED_AGE_S;
        close (dfd);
        snprintf (path, sizeof path, "%s/%s", parent, de->d_name);
        if (stale) {
            if (rmtree (path) == 0) {
                if (removed != NULL)
                    (*removed)++;
            } else
                r = KIKAN_EIO;
        }
        if (ofd >= 0)
            close (ofd);
    }
    closedir (dp);
    return r;
}

/* ---- the worker's stderr ---- */

/* Libraries in the worker write diagnostics to stderr, and some quote
 * bytes from the medium.  The daemon reads them through a pipe and passes
 * each line on with every byte outside printable ASCII escaped (STYLE rule
 * 14).  libunarr logs every damaged RAR ("! file.c:N: ..."); those lines
 * say nothing the report does not, so they are shown only with KIKAN_DEBUG. */
static void
flush_err_line (Target *t)
{
    static int debug = -1;
    const unsigned char *p = (const unsigned char *) t->errline;

    if (debug < 0)
        debug = getenv ("KIKAN_DEBUG") != NULL;
    if (t->errlen == 0)
        return;
    if (debug || !(t->errlen >= 2 && p[0] == '!' && p[1] == ' ')) {
        fprintf (stderr, "kikan-worker[%ld]: ", (long) t->pid);
        for (size_t i = 0; i < t->errlen; i++) {
            if (p[i] < 0x20 || p[i] >= 0x7f)
                fprintf (stderr, "\\x%02x", p[i]);
            else
                fputc (p[i], stderr);
        }
        fputc ('\n', stderr);
    }
    t->errlen = 0;
}

/* Returns 1 at end of file. */
static int
pump_worker_stderr (Target *t)
{
    char buf[4096];
    ssize_t n;

    do
        n = read (t->errfd, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        if (n < 0 && errno == EAGAIN)
            return 0;
        flush_err_line (t);
        return 1;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n' || t->errlen == sizeof t->errline) {
            flush_err_line (t);
            if (buf[i] == '\n')
                continue;
        }
        t->errline[t->errlen++] = buf[i];
    }
    return 0;
}

/* ---- messages from the worker, dispatched from a table ---- */

typedef int (*WorkerHandler) (Target *t, KikanMsg *m, const uint8_t *raw, size_t raw_len);

static int
proto_error (Target *t, const char *what)
{
    snprintf (t->detail, sizeof t->detail, "worker broke the protocol (%s); worker killed", what);
    return KIKAN_EPROTO;
}

static int
relay (Target *t, const uint8_t *raw, size_t raw_len)
{
    if (kikan_ipc_send_frame (t->d->client, raw, raw_len, -1) != 0) {
        t->client_gone = 1;
        return KIKAN_EIO;
    }
    return 0;
}

static int
on_worker_started (Target *t, KikanMsg *m, const uint8_t *raw, size_t raw_len)
{
    const char *sb = m->u.worker_started.sandbox;
    int want_null = t->req->params.null_sandbox || t->d->force_null;
    KikanMsg out;
    int ok;

    if (t->started || t->errored)
        return proto_error (t, "WORKER_STARTED out of order");
    /* The name goes on every result: it must be the backend we asked for,
     * under a name this build's confined worker may report. */
    ok = 0;
    if (want_null)
        ok = strcmp (sb, KIKAN_SANDBOX_NAME_NULL) == 0;
    else
        for (size_t i = 0; kikan_worker_confined_names[i] != NULL; i++)
            ok |= strcmp (sb, kikan_worker_confined_names[i]) == 0;
    if (!ok)
        return proto_error (t, "unexpected sandbox name");
    if ((t->sandbox = strdup (sb)) == NULL)
        return KIKAN_ENOMEM;
    t->started = 1;
    /* The pid is the one fork() returned, never the one the child claims:
     * the client may signal it. */
    kikan_msg_init (&out, KIKAN_MSG_WORKER_STARTED);
    out.u.worker_started.pid = (int32_t) t->pid;
    out.u.worker_started.sandbox = t->sandbox;
    if (kikan_ipc_send (t->d->client, &out, -1) != 0) {
        t->client_gone = 1;
        return KIKAN_EIO;
    }
    return 0;
}

static int
on_worker_progress (Target *t, KikanMsg *m, const uint8_t *raw, size_t raw_len)
{
    if (!t->started || t->done || t->errored)
        return proto_error (t, "PROGRESS out of order");
    return relay (t, raw, raw_len);
}

static int
on_worker_file (Target *t, KikanMsg *m, const uint8_t *raw, size_t raw_len)
{
    if (!t->started || t->done || t->errored)
        return proto_error (t, "FILE out of order");
    /* A probe reads no file. */
    if (t->req->params.probe_only)
        return proto_error (t, "FILE during a probe");
    t->files_seen++;
    return relay (t, raw, raw_len);
}

static int
on_worker_volume (Target *t, KikanMsg *m, const uint8_t *raw, size_t raw_len)
{
    uint32_t idx = m->u.volume.volume.index, *nv;

    /* Volumes are reported after the worker is confined and before the
     * first file. */
    if (!t->started || t->done || t->errored || t->files_seen > 0)
        return proto_error (t, "VOLUME out of order");
    if (t->volumes_seen >= MAX_VOLUMES)
        return proto_error (t, "too many volumes");
    for (uint32_t i = 0; i < t->volumes_seen; i++)
        if (t->volume_index[i] == idx)
            return proto_error (t, "a volume index reported twice");
    if ((nv = reallocarray (t->volume_index, t->volumes_seen + 1, sizeof *nv)) == NULL)
        return KIKAN_ENOMEM;
    t->volume_index = nv;
    t->volume_index[t->volumes_seen++] = idx;
    return relay (t, raw, raw_len);
}

static int
on_worker_inventory (Target *t, KikanMsg *m, const uint8_t *raw, size_t raw_len)
{
    if (!t->started || t->done || t->errored)
        return proto_error (t, "INVENTORY out of order");
    if (t->req->params.probe_only)
        return proto_error (t, "INVENTORY during a probe");
    if (t->inventory_seen >= MAX_INVENTORY_FRAMES)
        return proto_error (t, "too many inventory messages");
    t->inventory_seen++;
    return relay (t, raw, raw_len);
}

static int
on_worker_done (Target *t, KikanMsg *m, const uint8_t *raw, size_t raw_len)
{
    if (!t->started || t->done || t->errored)
        return proto_error (t, "WORKER_DONE out of order");
    if (m->u.worker_done.files_sent != t->files_seen)
        return proto_error (t, "WORKER_DONE counts a different number of files");
    if (m->u.worker_done.volumes_sent != t->volumes_seen)
        return proto_error (t, "WORKER_DONE counts a different number of volumes");
    if (m->u.worker_done.inventory_sent != t->inventory_seen)
        return proto_error (t, "WORKER_DONE counts a different number of inventory messages");
    t->done = 1;
    return 0;
}

static int
on_worker_error (Target *t, KikanMsg *m, const uint8_t *raw, size_t raw_len)
{
    /* A worker reports an error instead of starting, or after starting but
     * before its first file: a medium it cannot open, or a passphrase that
     * unlocks nothing.  Never in the middle of a scan. */
    if (t->errored || t->done || t->files_seen > 0)
        return proto_error (t, "ERROR out of order");
    t->errored = 1;
    t->error_code = m->u.error.code;
    snprintf (t->error_msg, sizeof t->error_msg, "%s", m->u.error.message);
    return 0;
}

static const WorkerHandler worker_handlers[KIKAN_MSG__COUNT] = {
    [KIKAN_MSG_WORKER_STARTED] = on_worker_started,
    [KIKAN_MSG_PROGRESS] = on_worker_progress,
    [KIKAN_MSG_FILE] = on_worker_file,
    [KIKAN_MSG_WORKER_DONE] = on_worker_done,
    [KIKAN_MSG_ERROR] = on_worker_error,
    [KIKAN_MSG_VOLUME] = on_worker_volume,
    [KIKAN_MSG_INVENTORY] = on_worker_inventory,
};

/* Reads and handles what the worker sent.  Returns 0 to keep going, 1 at a
 * clean EOF, or a negative code (the worker is then to be killed, unless
 * it is the client that is gone). */
static int
pump_worker (Target *t, int sock, KikanIpcReader *rd)
{
    for (int i = 0; i < MAX_FRAMES_PER_WAKE; i++) {
        KikanMsg m;
        uint8_t *raw = NULL;
        size_t raw_len = 0;
        WorkerHandler h;
        int rc = kikan_ipc_reader_read (rd, sock);

        if (rc == 0)
            return 0;
        if (rc < 0) {
            if (rc == KIKAN_EIO && rd->eof)
                return 1;
            return proto_error (t, rc == KIKAN_EPROTO ? "malformed or truncated frame"
                                                      : "socket error");
        }
        if ((rc = kikan_ipc_reader_take (rd, &m, &raw, &raw_len)) != 0) {
            if (rc == KIKAN_ENOMEM) {
                snprintf (t->detail, sizeof t->detail,
                          "daemon out of memory decoding a worker message; worker killed");
                return rc;
            }
            return proto_error (t, "undecodable message");
        }
        h = worker_handlers[m.type];
        rc = h ? h (t, &m, raw, raw_len) : proto_error (t, "message type not for the daemon");
        kikan_msg_clear (&m);
        free (raw);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- one target ---- */

static void
describe_exit (Target *t, int status, KikanTargetEnd *end)
{
    if (WIFSIGNALED (status)) {
        int sig = WTERMSIG (status);
        const char *abbrev = sigabbrev_np (sig);

        end->status = KIKAN_TARGET_WORKER_FAILED;
        snprintf (t->detail, sizeof t->detail, "worker killed by signal %d (SIG%s)%s", sig,
                  abbrev ? abbrev : "?",
                  sig == SIGSYS ? ": it made a system call the sandbox forbids" : "");
    } else if (WIFEXITED (status) && WEXITSTATUS (status) != 0) {
        int code = WEXITSTATUS (status);

        if (t->errored && (code == KIKAN_WORKER_EXIT_WRONG_SECRET
                           || code == KIKAN_WORKER_EXIT_UNREADABLE)) {
            /* It refused to scan: a passphrase that unlocks nothing, or a
             * medium it cannot open.  Its own words say which. */
            end->status = KIKAN_TARGET_ERROR;
            end->wrong_secret = code == KIKAN_WORKER_EXIT_WRONG_SECRET;
            snprintf (t->detail, sizeof t->detail, "%s", t->error_msg);
        } else if (t->errored) {
            /* It never read the target: it could not start. */
            end->status = KIKAN_TARGET_ERROR;
            snprintf (t->detail, sizeof t->detail, "%s: %s",
                      code == KIKAN_WORKER_EXIT_SANDBOX ? "sandbox could not be applied"
                                                        : "worker could not start",
                      t->error_msg);
        } else {
            end->status = KIKAN_TARGET_WORKER_FAILED;
            snprintf (t->detail, sizeof t->detail, "worker exited with status %d%s", code,
                      code == KIKAN_WORKER_EXIT_LOST    ? " (lost the daemon)"
                      : code == KIKAN_WORKER_EXIT_NOMEM ? " (out of memory)"
                                                        : "");
        }
    } else if (!t->done) {
        /* Exit 0 after an ERROR is a lie about success, not a success. */
        end->status = KIKAN_TARGET_WORKER_FAILED;
        snprintf (t->detail, sizeof t->detail, "worker exited without finishing its walk");
    } else {
        end->status = KIKAN_TARGET_COMPLETE;
        t->detail[0] = '\0';
    }
}

static pid_t
reap (pid_t pid, int *status)
{
    pid_t r;

    do
        r = waitpid (pid, status, 0);
    while (r < 0 && errno == EINTR);
    return r;
}

/* Supervises the worker until it has exited and its socket is drained, the
 * deadline passed, or it misbehaved.  Fills @end's status and detail. */
static void
supervise (Target *t, int sock, int64_t deadline, KikanTargetEnd *end)
{
    KikanIpcReader rd;
    int pidfd, sock_open = 1, exited = 0, killed = 0, timed_out = 0, status = 0;

    kikan_ipc_reader_init (&rd, 0);
    /* A pidfd lets poll() wake up when the worker exits; without one (old
     * kernel) the daemon looks with WNOHANG every REAP_TICK_MS. */
    pidfd = (int) syscall (SYS_pidfd_open, t->pid, 0);
    while (sock_open || !exited) {
        struct pollfd p[4];
        nfds_t n = 0;
        int isock = -1, ipid = -1, ierr = -1, iclient, wait_ms, rc;
        int64_t left = deadline - now_ms ();

        if (left <= 0) {
            timed_out = 1;
            break;
        }
        wait_ms = left > INT_MAX ? INT_MAX : (int) left;
        if (sock_open) {
            p[n] = (struct pollfd){ sock, POLLIN, 0 };
            isock = (int) n++;
        }
        if (!exited && pidfd >= 0) {
            p[n] = (struct pollfd){ pidfd, POLLIN, 0 };
            ipid = (int) n++;
        } else if (!exited && wait_ms > REAP_TICK_MS)
            wait_ms = REAP_TICK_MS;
        if (t->errfd >= 0) {
            p[n] = (struct pollfd){ t->errfd, POLLIN, 0 };
            ierr = (int) n++;
        }
        /* Events 0: only hang-up or error is of interest on the client
         * socket while a scan runs. */
        p[n] = (struct pollfd){ t->d->client, 0, 0 };
        iclient = (int) n++;

        rc = poll (p, n, wait_ms);
        if (rc < 0 && errno != EINTR)
            break;
        if (rc < 0)
            continue;
        if (p[iclient].revents & (POLLHUP | POLLERR | POLLNVAL)) {
            t->client_gone = 1;
            break;
        }
        if (ierr >= 0 && p[ierr].revents && pump_worker_stderr (t) == 1) {
            close (t->errfd);
            t->errfd = -1;
        }
        if (isock >= 0 && p[isock].revents) {
            rc = pump_worker (t, sock, &rd);
            if (rc == 1)
                sock_open = 0;
            else if (rc < 0) {
                if (!t->client_gone)
                    t->proto_failed = 1;
                break;
            }
        }
        if (!exited && (ipid < 0 || p[ipid].revents)) {
            pid_t w;

            do
                w = waitpid (t->pid, &status, WNOHANG);
            while (w < 0 && errno == EINTR);
            if (w == t->pid)
                exited = 1;
        }
    }
    if (!exited) {
        /* Deadline, protocol violation, or nobody left to report to. */
        kill (t->pid, SIGKILL);
        killed = 1;
        reap (t->pid, &status);
    }
    if (pidfd >= 0)
        close (pidfd);
    kikan_ipc_reader_clear (&rd);

    if (t->proto_failed || (t->client_gone && killed)) {
        end->status = KIKAN_TARGET_WORKER_FAILED;
        if (t->detail[0] == '\0')
            snprintf (t->detail, sizeof t->detail, "client went away; worker killed");
    } else if (timed_out) {
        end->status = KIKAN_TARGET_TIMEOUT;
        snprintf (t->detail, sizeof t->detail,
                  "target deadline of %u s passed; worker killed",
                  t->req->params.timeout_s ? t->req->params.timeout_s : DEFAULT_TIMEOUT_S);
    } else
        describe_exit (t, status, end);
}

static int
send_target_end (Daemon *d, const KikanTargetEnd *end)
{
    KikanMsg m;

    kikan_msg_init (&m, KIKAN_MSG_TARGET_END);
    m.u.target_end = *end;
    return kikan_ipc_send (d->client, &m, -1);
}

/* Handles one SCAN.  Returns 0, or a negative code when the client is gone
 * (the daemon then stops). */
static int
run_target (Daemon *d, KikanMsg *req)
{
    Target t;
    KikanTargetEnd end;
    KikanWorkerArgs args;
    struct stat st;
    TmpDir tmpdir = { NULL, -1 };
    int sv[2] = { -1, -1 }, errp[2] = { -1, -1 };
    double t0 = now_seconds ();
    unsigned timeout_s = req->u.scan.params.timeout_s ? req->u.scan.params.timeout_s
                                                       : DEFAULT_TIMEOUT_S;
    int r = 0;

    memset (&t, 0, sizeof t);
    memset (&end, 0, sizeof end);
    t.d = d;
    t.req = &req->u.scan;
    t.pid = -1;
    t.errfd = -1;
    end.status = KIKAN_TARGET_ERROR;

    /* fstat reads the inode, not the content: the daemon still never
     * touches target bytes. */
    if (req->fd < 0) {
        snprintf (t.detail, sizeof t.detail, "no target descriptor came with the request");
        goto finish;
    }
    if (fstat (req->fd, &st) != 0
        || !(S_ISDIR (st.st_mode) || S_ISREG (st.st_mode) || S_ISBLK (st.st_mode))) {
        snprintf (t.detail, sizeof t.detail,
                  "the target is neither a directory, a regular file nor a block device");
        goto finish;
    }
    if (d->engine == NULL && !req->u.scan.params.probe_only) {
        snprintf (t.detail, sizeof t.detail,
                  "this kikan-scand loaded no signatures: it can only probe media");
        goto finish;
    }
    if (make_tmpdir (&tmpdir) != 0) {
        snprintf (t.detail, sizeof t.detail, "could not create a private temp dir: %s",
                  strerror (errno));
        goto finish;
    }
    if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf (t.detail, sizeof t.detail, "socketpair: %s", strerror (errno));
        goto finish;
    }
    if (pipe2 (errp, O_CLOEXEC | O_NONBLOCK) != 0) {
        snprintf (t.detail, sizeof t.detail, "pipe: %s", strerror (errno));
        goto finish;
    }
    args.engine = d->engine;
    args.sock = sv[1];
    args.target_fd = req->fd;
    args.name = req->u.scan.name;
    args.tmpdir = tmpdir.path;
    args.jobs = req->u.scan.params.jobs;
    args.null_sandbox = req->u.scan.params.null_sandbox || d->force_null;
    args.probe_only = req->u.scan.params.probe_only;
    args.as_file = req->u.scan.params.as_file;
    /* The passphrases stay in the request's locked block: the worker gets
     * a copy-on-write view of it through fork() and locks it again. */
    args.secrets = req->u.scan.params.secrets;
    args.n_secrets = req->u.scan.params.n_secrets;
    args.secrets_arena = req->u.scan.secrets_arena;
    args.daemon_pid = getpid ();
    args.stderr_fd = errp[1];
    if ((t.pid = fork ()) < 0) {
        snprintf (t.detail, sizeof t.detail, "fork: %s", strerror (errno));
        goto finish;
    }
    if (t.pid == 0)
        kikan_worker_main (&args);  /* never returns */
    /* The worker has its own copy of the passphrases now: the daemon's is
     * wiped at once rather than kept for the whole scan. */
    kikan_secret_free (req->u.scan.secrets_arena);
    req->u.scan.secrets_arena = NULL;
    req->u.scan.params.secrets = NULL;
    req->u.scan.params.n_secrets = 0;
    args.secrets = NULL;
    close (sv[1]);
    sv[1] = -1;
    close (errp[1]);
    errp[1] = -1;
    t.errfd = errp[0];
    errp[0] = -1;
    supervise (&t, sv[0], now_ms () + (int64_t) timeout_s * 1000, &end);

finish:
    if (t.errfd >= 0) {
        /* Whatever the worker wrote before it ended (it has exited and
         * the write end is closed, so this reaches end of file). */
        for (int i = 0; i < 4096 && pump_worker_stderr (&t) == 0; i++)
            ;
        close (t.errfd);
        t.errfd = -1;
    }
    for (int i = 0; i < 2; i++)
        if (errp[i] >= 0)
            close (errp[i]);
    if (sv[0] >= 0)
        close (sv[0]);
    if (sv[1] >= 0)
        close (sv[1]);
    /* Removed before TARGET_END, so that a client that sees the end also
     * sees no trace of the target's content left on disk. */
    drop_tmpdir (&tmpdir);
    if (t.client_gone) {
        r = KIKAN_EIO;
        goto out;
    }
    end.detail = t.detail[0] ? t.detail : NULL;
    end.sandbox = t.sandbox;
    end.worker_pid = t.pid > 0 ? t.pid : 0;
    end.files_seen = t.files_seen;
    end.volumes_seen = t.volumes_seen;
    end.seconds = now_seconds () - t0;
    if (send_target_end (d, &end) != 0)
        r = KIKAN_EIO;
out:
    free (t.sandbox);
    free (t.volume_index);
    return r;
}

/* ---- messages from the client, dispatched from a table ---- */

typedef int (*ClientHandler) (Daemon *d, KikanMsg *m);

static int
on_client_scan (Daemon *d, KikanMsg *m)
{
    /* run_target wipes the passphrases once the worker is forked; the
     * caller's kikan_msg_clear() does on every other path. */
    if (run_target (d, m) != 0)
        d->quit = 1;
    return 0;
}

static int
on_client_shutdown (Daemon *d, KikanMsg *m)
{
    d->quit = 1;
    return 0;
}

static const ClientHandler client_handlers[KIKAN_MSG__COUNT] = {
    [KIKAN_MSG_SCAN] = on_client_scan,
    [KIKAN_MSG_SHUTDOWN] = on_client_shutdown,
};

/* Runs kikan_worker_prime() with the engine's temp dir pointed at a
 * throw-away private directory, removed again afterwards: the warm-up scan
 * must not leave anything in the shared /tmp. */
static void
prime_engine (KikanEngine *engine)
{
    TmpDir dir;

    if (make_tmpdir (&dir) != 0) {
        fprintf (stderr, "kikan-scand: no temp dir for the warm-up: %s\n", strerror (errno));
        kikan_worker_prime (NULL);
        return;
    }
    if (engine == NULL) {
        /* A probe-only daemon: only the media libraries to warm up. */
        drop_tmpdir (&dir);
        kikan_worker_prime (NULL);
        return;
    }
    if (kikan_engine_set_tmpdir (engine, dir.path) != 0) {
        fprintf (stderr, "kikan-scand: the engine refused the temp dir %s\n", dir.path);
        drop_tmpdir (&dir);
        return;
    }
    kikan_worker_prime (engine);
    drop_tmpdir (&dir);
}

static void
send_error (int sock, int code, const char *message)
{
    KikanMsg m;

    kikan_msg_init (&m, KIKAN_MSG_ERROR);
    m.u.error.code = code < 0 ? code : KIKAN_EPROTO;
    m.u.error.message = (char *) (message && *message ? message : kikan_strerror (code));
    (void) kikan_ipc_send (sock, &m, -1);
}

int
kikan_scand_serve (int sock, const KikanEngineOptions *opts)
{
    Daemon d;
    KikanIpcReader rd;
    KikanMsg m;
    char err[1024];
    /* A test seam: an installed daemon never runs its workers unconfined
     * because of its environment (kikan/test-seam.h). */
    const char *sb = kikan_test_seam ("KIKAN_SANDBOX");
    int rc, status = 1;

    memset (&d, 0, sizeof d);
    d.client = sock;
    d.force_null = sb != NULL && strcmp (sb, "null") == 0;
    kikan_ipc_reader_init (&rd, 1);
    /* A client that vanishes must show up as an error code on send, not
     * kill the daemon; and workers must stay reapable. */
    signal (SIGPIPE, SIG_IGN);
    signal (SIGCHLD, SIG_DFL);
    /* What a killed daemon left behind goes first (best effort: a dir that
     * cannot be removed is reported and left, never followed). */
    if (kikan_scand_sweep_tmp (NULL, NULL) != 0)
        fprintf (stderr, "kikan-scand: a stale temp dir in %s could not be removed\n",
                 tmp_base ());

    err[0] = '\0';
    if (opts->n_databases > 0) {
        if ((rc = kikan_engine_global_init ()) != 0) {
            send_error (sock, rc, "libclamav could not be initialised");
            goto out;
        }
        if ((rc = kikan_engine_new (opts, &d.engine, err, sizeof err)) != 0) {
            send_error (sock, rc, err);
            goto out;
        }
    }
    prime_engine (d.engine);
    kikan_msg_init (&m, KIKAN_MSG_HELLO);
    m.u.hello.protocol = KIKAN_IPC_VERSION;
    /* A probe-only daemon says so with an empty engine info. */
    if (d.engine != NULL)
        m.u.hello.info = *kikan_engine_get_info (d.engine);
    if (kikan_ipc_send (sock, &m, -1) != 0)
        goto out;

    while (!d.quit) {
        ClientHandler h;

        rc = kikan_ipc_recv (sock, &rd, -1, &m);
        if (rc != 0) {
            if (rc == KIKAN_EIO && rd.eof)
                status = 0;  /* the client closed: a normal end */
            else {
                fprintf (stderr, "kikan-scand: bad request from the client: %s\n",
                         kikan_strerror (rc));
                send_error (sock, KIKAN_EPROTO, "kikan-scand could not read the request");
            }
            goto out;
        }
        if ((h = client_handlers[m.type]) == NULL) {
            fprintf (stderr, "kikan-scand: unexpected %s message from the client\n",
                     kikan_msg_type_name (m.type));
            send_error (sock, KIKAN_EPROTO, "kikan-scand received an unexpected message");
            kikan_msg_clear (&m);
            goto out;
        }
        h (&d, &m);
        kikan_msg_clear (&m);
    }
    status = 0;
out:
    kikan_ipc_reader_clear (&rd);
    kikan_engine_free (d.engine);
    return status;
}
