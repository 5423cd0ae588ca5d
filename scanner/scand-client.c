/* Kikan: the client half of the daemon protocol (include/kikan/scand.h).
 *
 * Linked by kiosk/ and the CLI through kikan_scanner_core, so it needs no
 * libclamav: it speaks only the protocol of ipc-private.h.  The client is
 * the trusted side; the daemon may die (a crash, the OOM killer), and every
 * such case becomes an error code with a detail an IT person can act on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kikan/errors.h"
#include "kikan/scand.h"
#include "ipc-private.h"

/* recv_bounded(): the daemon is stopped (SIGSTOP) and cannot answer.
 * Internal: callers see KIKAN_ETIMEOUT. */
#define KIKAN_ESTOPPED_DAEMON (-1000)

/* Loading a full official database takes 10-20 s on the kiosk, more on a
 * slow disk or a busy CI machine. */
#define HELLO_TIMEOUT_MS (300 * 1000)
/* Added to the daemon's own target deadline before the client gives up on
 * a daemon that stopped answering altogether (hung, or stopped with
 * SIGSTOP): at its deadline the daemon kills the worker, removes its temp
 * dir and reports within a second or two, so a daemon silent this much
 * longer will not answer.  The deadline must hold in the caller too, or a
 * stopped daemon hangs the kiosk (issue #8). */
#define SCAN_GRACE_S 15u
#define DEFAULT_TIMEOUT_S 3600u
/* Waits are cut into slices this long, so that a daemon that has been
 * stopped (state T) this many slices in a row is given up on, even while
 * it is still loading the engine. */
#define SLICE_MS 1000
#define STOPPED_SLICES_MAX 10
/* The descriptor number the daemon finds its socket on. */
#define SCAND_FD 3

struct KikanScandClient {
    int sock;
    int slot;               /* index in live_socks, -1 when not registered */
    pid_t pid;              /* -1 once reaped */
    KikanIpcReader reader;
    int broken;             /* the daemon is gone or spoke nonsense */
    int cancelled;          /* kikan_scand_client_cancel() was called (atomic access) */
    char detail[256];       /* why it is broken */
};

/* ---- interruption (SIGINT/SIGTERM at the kiosk) ----
 *
 * The sockets of the live daemons, for kikan_scand_client_interrupt(),
 * which a signal handler calls: shutting a socket down is async-signal-
 * safe and makes the daemon stop its worker, remove its temp dir and exit,
 * and makes the client's blocked wait return at once. */
#define MAX_LIVE 16
static volatile sig_atomic_t live_socks[MAX_LIVE] = { -1, -1, -1, -1, -1, -1, -1, -1,
                                                      -1, -1, -1, -1, -1, -1, -1, -1 };
static volatile sig_atomic_t interrupted;

static int
register_sock (int sock)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_socks[i] < 0) {
            live_socks[i] = sock;
            return i;
        }
    return -1;
}

void
kikan_scand_client_interrupt (void)
{
    int saved = errno;

    interrupted = 1;
    for (int i = 0; i < MAX_LIVE; i++)
        if (live_socks[i] >= 0)
            (void) shutdown (live_socks[i], SHUT_RDWR);
    errno = saved;
}

void
kikan_target_end_clear (KikanTargetEnd *e)
{
    if (e == NULL)
        return;
    free (e->detail);
    free (e->sandbox);
    memset (e, 0, sizeof *e);
}

/* ---- process handling ---- */

static void
describe_status (int status, char *buf, size_t len)
{
    if (WIFSIGNALED (status)) {
        const char *abbrev = sigabbrev_np (WTERMSIG (status));

        snprintf (buf, len, "killed by signal %d (SIG%s)", WTERMSIG (status),
                  abbrev ? abbrev : "?");
    } else if (WIFEXITED (status))
        snprintf (buf, len, "exited with status %d", WEXITSTATUS (status));
    else
        snprintf (buf, len, "ended with wait status %d", status);
}

/* Reaps the daemon, giving it @grace_ms to exit by itself before SIGKILL.
 * Fills @how (if not NULL) with how it ended. */
static void
reap_daemon (KikanScandClient *c, int grace_ms, char *how, size_t howlen)
{
    int status = 0;
    pid_t r;

    if (how != NULL && howlen > 0)
        how[0] = '\0';
    if (c->pid <= 0)
        return;
    for (int waited = 0;; waited += 10) {
        do
            r = waitpid (c->pid, &status, WNOHANG);
        while (r < 0 && errno == EINTR);
        if (r != 0 || waited >= grace_ms)
            break;
        nanosleep (&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
    }
    if (r == 0) {
        kill (c->pid, SIGKILL);
        do
            r = waitpid (c->pid, &status, 0);
        while (r < 0 && errno == EINTR);
    }
    if (how != NULL && r == c->pid)
        describe_status (status, how, howlen);
    else if (how != NULL)
        snprintf (how, howlen, "could not be reaped: %s", strerror (errno));
    c->pid = -1;
}

static void
client_close (KikanScandClient *c)
{
    /* Unregistered first, so that an interrupt never shuts down a
     * descriptor number reused for something else. */
    if (c->slot >= 0)
        live_socks[c->slot] = -1;
    c->slot = -1;
    if (c->sock >= 0)
        close (c->sock);
    c->sock = -1;
    kikan_ipc_reader_clear (&c->reader);
}

/* The daemon is unusable from now on: close, reap and remember why. */
static void
mark_broken (KikanScandClient *c, const char *what, int kill_now)
{
    char how[128];

    client_close (c);
    if (kill_now && c->pid > 0)
        kill (c->pid, SIGKILL);
    /* Interrupted: the daemon was asked to stop (its socket shut down) and
     * is given time to remove its temp dir before it is killed. */
    reap_daemon (c, interrupted ? 10000 : 2000, how, sizeof how);
    snprintf (c->detail, sizeof c->detail, "%s%s%s", what, how[0] ? "; kikan-scand " : "",
              how);
    c->broken = 1;
}

/* ---- argv for kikan-scand ---- */

typedef struct {
    char **v;
    size_t n, cap;
} Argv;

static int
argv_add (Argv *a, const char *s)
{
    char *copy;

    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        char **nv = reallocarray (a->v, cap, sizeof *nv);

        if (nv == NULL)
            return KIKAN_ENOMEM;
        a->v = nv;
        a->cap = cap;
    }
    if ((copy = strdup (s)) == NULL)
        return KIKAN_ENOMEM;
    a->v[a->n++] = copy;
    a->v[a->n] = NULL;
    return 0;
}

static int
argv_add_num (Argv *a, const char *opt, uint64_t v)
{
    char buf[32];

    /* Zero means "default" on both sides: not passing it keeps it so. */
    if (v == 0)
        return 0;
    snprintf (buf, sizeof buf, "%" PRIu64, v);
    return argv_add (a, opt) != 0 || argv_add (a, buf) != 0 ? KIKAN_ENOMEM : 0;
}

static void
argv_free (Argv *a)
{
    for (size_t i = 0; i < a->n; i++)
        free (a->v[i]);
    free (a->v);
}

static int
build_argv (Argv *a, const char *scand_path, const KikanEngineOptions *opts)
{
    char fdbuf[16];

    snprintf (fdbuf, sizeof fdbuf, "%d", SCAND_FD);
    if (argv_add (a, scand_path) != 0 || argv_add (a, "--fd") != 0 || argv_add (a, fdbuf) != 0)
        return KIKAN_ENOMEM;
    /* No database: a daemon that only probes (include/kikan/scand.h). */
    if (opts->n_databases == 0)
        return argv_add (a, "--probe-only") != 0 ? KIKAN_ENOMEM : 0;
    for (size_t i = 0; i < opts->n_databases; i++) {
        if (opts->databases[i] == NULL)
            return KIKAN_EINVAL;
        if (argv_add (a, "--database") != 0 || argv_add (a, opts->databases[i]) != 0)
            return KIKAN_ENOMEM;
    }
    if (argv_add_num (a, "--max-filesize", opts->limits.max_filesize) != 0
        || argv_add_num (a, "--max-scansize", opts->limits.max_scansize) != 0
        || argv_add_num (a, "--max-recursion", opts->limits.max_recursion) != 0
        || argv_add_num (a, "--max-files", opts->limits.max_files) != 0
        || argv_add_num (a, "--max-scantime-ms", opts->limits.max_scantime_ms) != 0)
        return KIKAN_ENOMEM;
    return 0;
}

/* In the forked child: only async-signal-safe calls, since the caller
 * (the GTK kiosk) may be multi-threaded. */
static _Noreturn void
exec_daemon (const char *path, char *const argv[], int sock, int errfd)
{
    struct sigaction sa;
    sigset_t all;
    int e, nul, sfd;

    /* Move the descriptors we need above 3 first, so that dup2 onto 0, 1
     * and 3 cannot clobber one of them. */
    if ((errfd = fcntl (errfd, F_DUPFD_CLOEXEC, SCAND_FD + 1)) < 0
        || (sfd = fcntl (sock, F_DUPFD_CLOEXEC, SCAND_FD + 1)) < 0
        || (nul = open ("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
        goto fail;
    if (nul <= SCAND_FD) {
        int high = fcntl (nul, F_DUPFD_CLOEXEC, SCAND_FD + 1);

        close (nul);
        if ((nul = high) < 0)
            goto fail;
    }
    /* stdout may carry the CLI's JSON: the daemon must never write there.
     * stderr stays, for diagnostics.  dup2 leaves the copies inheritable. */
    if (dup2 (nul, 0) < 0 || dup2 (nul, 1) < 0 || dup2 (sfd, SCAND_FD) < 0)
        goto fail;
    /* Nothing else of the caller's leaks into the daemon, inheritable or
     * not (errfd stays open until the exec succeeds). */
    (void) close_range (SCAND_FD + 1, ~0u, CLOSE_RANGE_CLOEXEC);
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        (void) sigaction (sig, &sa, NULL);
    sigemptyset (&all);
    (void) sigprocmask (SIG_SETMASK, &all, NULL);
    /* A process group of its own: Ctrl-C at the terminal reaches `kikan`
     * only, which then stops the daemon in order (its temp dir removed),
     * instead of the daemon dying mid-scan and leaving unpacked content
     * behind. */
    (void) setpgid (0, 0);
    execv (path, argv);
fail:
    e = errno;
    if (errfd >= 0)
        (void) !write (errfd, &e, sizeof e);
    _exit (127);
}

static int64_t
now_ms (void)
{
    struct timespec ts;

    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when the daemon is stopped (SIGSTOP, or traced), from the state field
 * of /proc/<pid>/stat; 0 otherwise, and when it cannot be told. */
static int
daemon_is_stopped (pid_t pid)
{
    char path[64], buf[512];
    const char *rp;
    ssize_t n;
    int fd;

    if (pid <= 0)
        return 0;
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = read (fd, buf, sizeof buf - 1);
    close (fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* "pid (comm) S …": comm may hold anything, so look after the last ')'. */
    if ((rp = strrchr (buf, ')')) == NULL || rp[1] != ' ')
        return 0;
    return rp[2] == 'T' || rp[2] == 't';
}

/* kikan_ipc_recv() bounded by the absolute @deadline (now_ms clock), in
 * slices, giving up early on a daemon that stays stopped: a daemon that
 * is not running cannot answer, and the kiosk must not wait on it for
 * minutes (issue #8).  KIKAN_ETIMEOUT at the deadline,
 * KIKAN_ESTOPPED_DAEMON for a stopped daemon. */
static int
recv_bounded (KikanScandClient *c, int64_t deadline, KikanMsg *m)
{
    int stopped_slices = 0;

    for (;;) {
        int64_t left = deadline - now_ms ();
        int r;

        if (left <= 0)
            left = 0;
        r = kikan_ipc_recv (c->sock, &c->reader, left > SLICE_MS ? SLICE_MS : (int) left, m);
        if (r != KIKAN_ETIMEOUT)
            return r;
        if (now_ms () >= deadline)
            return KIKAN_ETIMEOUT;
        stopped_slices = daemon_is_stopped (c->pid) ? stopped_slices + 1 : 0;
        if (stopped_slices >= STOPPED_SLICES_MAX)
            return KIKAN_ESTOPPED_DAEMON;
    }
}

int
kikan_scand_client_spawn (const char *scand_path, const KikanEngineOptions *opts,
                          KikanScandClient **out, KikanEngineInfo **info, char *err,
                          size_t errlen)
{
    KikanScandClient *c = NULL;
    Argv argv = { NULL, 0, 0 };
    KikanMsg m;
    int sv[2] = { -1, -1 }, ep[2] = { -1, -1 };
    int exec_errno = 0, r;
    ssize_t n;
    char how[128];

    kikan_msg_init (&m, KIKAN_MSG_SHUTDOWN);
    if (out != NULL)
        *out = NULL;
    if (info != NULL)
        *info = NULL;
    if (err == NULL)
        errlen = 0;  /* snprintf (NULL, 0, ...) is then harmless */
    else if (errlen > 0)
        err[0] = '\0';
    if (scand_path == NULL || opts == NULL || out == NULL) {
        r = KIKAN_EINVAL;
        snprintf (err, errlen, "kikan-scand: invalid arguments");
        goto out;
    }
    if ((r = build_argv (&argv, scand_path, opts)) != 0) {
        snprintf (err, errlen, "kikan-scand: %s", kikan_strerror (r));
        goto out;
    }
    if ((c = calloc (1, sizeof *c)) == NULL) {
        r = KIKAN_ENOMEM;
        snprintf (err, errlen, "kikan-scand: out of memory");
        goto out;
    }
    c->sock = -1;
    c->slot = -1;
    c->pid = -1;
    kikan_ipc_reader_init (&c->reader, 0);
    if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0
        || pipe2 (ep, O_CLOEXEC) != 0) {
        r = KIKAN_EIO;
        snprintf (err, errlen, "kikan-scand: cannot create its socket: %s", strerror (errno));
        goto out;
    }
    if ((c->pid = fork ()) < 0) {
        r = KIKAN_EIO;
        snprintf (err, errlen, "kikan-scand: fork failed: %s", strerror (errno));
        goto out;
    }
    if (c->pid == 0)
        exec_daemon (scand_path, argv.v, sv[1], ep[1]);
    close (sv[1]);
    sv[1] = -1;
    close (ep[1]);
    ep[1] = -1;
    c->sock = sv[0];
    sv[0] = -1;
    c->slot = register_sock (c->sock);
    /* A signal that came before the socket was registered shut nothing
     * down: do it now, instead of waiting for the signatures to load. */
    if (interrupted)
        (void) shutdown (c->sock, SHUT_RDWR);

    /* EOF on the pipe means the exec succeeded (the pipe is close-on-exec);
     * an errno arriving means it did not. */
    do
        n = read (ep[0], &exec_errno, sizeof exec_errno);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t) sizeof exec_errno) {
        reap_daemon (c, 2000, NULL, 0);
        r = KIKAN_EIO;
        snprintf (err, errlen, "cannot start the scan daemon %s: %s", scand_path,
                  strerror (exec_errno));
        goto out;
    }

    r = recv_bounded (c, now_ms () + HELLO_TIMEOUT_MS, &m);
    if (r == KIKAN_ETIMEOUT || r == KIKAN_ESTOPPED_DAEMON) {
        client_close (c);
        kill (c->pid, SIGKILL);
        reap_daemon (c, 2000, NULL, 0);
        if (r == KIKAN_ESTOPPED_DAEMON)
            snprintf (err, errlen,
                      "the scan daemon was stopped (not running) for %d s while loading the "
                      "signature databases; it was killed",
                      STOPPED_SLICES_MAX * SLICE_MS / 1000);
        else
            snprintf (err, errlen,
                      "the scan daemon did not finish loading the signature databases within "
                      "%d s; it was killed",
                      HELLO_TIMEOUT_MS / 1000);
        r = KIKAN_ETIMEOUT;
        goto out;
    }
    if (r != 0 && interrupted) {
        client_close (c);
        kill (c->pid, SIGKILL);
        reap_daemon (c, 2000, NULL, 0);
        snprintf (err, errlen, "interrupted while the scan daemon was loading the signatures");
        r = KIKAN_EIO;
        goto out;
    }
    if (r != 0) {
        int eof = c->reader.eof;

        client_close (c);
        reap_daemon (c, 5000, how, sizeof how);
        snprintf (err, errlen,
                  eof ? "the scan daemon %s %s before loading the signature databases"
                      : "the scan daemon %s sent an unreadable greeting; it %s",
                  scand_path, how);
        r = eof ? KIKAN_EWORKER : KIKAN_EPROTO;
        goto out;
    }
    if (m.type == KIKAN_MSG_ERROR) {
        /* The daemon explains itself (e.g. a database failed verification)
         * and exits. */
        r = m.u.error.code;
        snprintf (err, errlen, "%s", m.u.error.message);
        client_close (c);
        reap_daemon (c, 5000, NULL, 0);
        goto out;
    }
    if (m.type != KIKAN_MSG_HELLO || m.u.hello.protocol != KIKAN_IPC_VERSION) {
        r = KIKAN_EPROTO;
        snprintf (err, errlen, "the scan daemon %s speaks another protocol (got %s)",
                  scand_path, kikan_msg_type_name (m.type));
        client_close (c);
        kill (c->pid, SIGKILL);
        reap_daemon (c, 2000, NULL, 0);
        goto out;
    }
    if (info != NULL) {
        if ((*info = malloc (sizeof **info)) == NULL) {
            r = KIKAN_ENOMEM;
            snprintf (err, errlen, "kikan-scand: out of memory");
            goto out;
        }
        /* Moves the decoded info: the message no longer owns it. */
        **info = m.u.hello.info;
        memset (&m.u.hello.info, 0, sizeof m.u.hello.info);
    }
    *out = c;
    c = NULL;
    r = 0;
out:
    kikan_msg_clear (&m);
    if (sv[0] >= 0)
        close (sv[0]);
    if (sv[1] >= 0)
        close (sv[1]);
    if (ep[0] >= 0)
        close (ep[0]);
    if (ep[1] >= 0)
        close (ep[1]);
    argv_free (&argv);
    kikan_scand_client_free (c);
    return r;
}

/* ---- one scan: daemon messages dispatched from a table ---- */

typedef struct {
    const KikanScandEvents *ev;
    void *user_data;
    KikanTargetEnd *end;
    int finished;
} ScanState;

typedef int (*EventHandler) (ScanState *s, KikanMsg *m);

static int
on_worker_started (ScanState *s, KikanMsg *m)
{
    if (s->ev != NULL && s->ev->worker_started != NULL)
        s->ev->worker_started ((pid_t) m->u.worker_started.pid, m->u.worker_started.sandbox,
                               s->user_data);
    return 0;
}

static int
on_progress (ScanState *s, KikanMsg *m)
{
    if (s->ev != NULL && s->ev->progress != NULL)
        s->ev->progress (&m->u.progress, s->user_data);
    return 0;
}

static int
on_file (ScanState *s, KikanMsg *m)
{
    if (s->ev != NULL && s->ev->file != NULL)
        s->ev->file (&m->u.file, s->user_data);
    return 0;
}

static int
on_volume (ScanState *s, KikanMsg *m)
{
    if (s->ev != NULL && s->ev->volume != NULL)
        s->ev->volume (&m->u.volume, s->user_data);
    return 0;
}

static int
on_inventory (ScanState *s, KikanMsg *m)
{
    if (s->ev != NULL && s->ev->inventory != NULL)
        s->ev->inventory (&m->u.inventory, s->user_data);
    return 0;
}

static int
on_target_end (ScanState *s, KikanMsg *m)
{
    /* Moves the strings into the caller's struct. */
    *s->end = m->u.target_end;
    memset (&m->u.target_end, 0, sizeof m->u.target_end);
    s->finished = 1;
    return 0;
}

static const EventHandler event_handlers[KIKAN_MSG__COUNT] = {
    [KIKAN_MSG_WORKER_STARTED] = on_worker_started,
    [KIKAN_MSG_PROGRESS] = on_progress,
    [KIKAN_MSG_FILE] = on_file,
    [KIKAN_MSG_TARGET_END] = on_target_end,
    [KIKAN_MSG_VOLUME] = on_volume,
    [KIKAN_MSG_INVENTORY] = on_inventory,
};

static int
fail_scan (KikanScandClient *c, KikanTargetEnd *end, KikanTargetStatus status, int code)
{
    kikan_target_end_clear (end);
    end->status = status;
    end->detail = strdup (c->detail);
    return code;
}

int
kikan_scand_client_scan (KikanScandClient *c, int fd, const char *name,
                         const KikanScanParams *params, const KikanScandEvents *ev,
                         void *user_data, KikanTargetEnd *end)
{
    KikanMsg m;
    ScanState s = { ev, user_data, end, 0 };
    unsigned timeout_s;
    int64_t deadline;
    int r;

    if (end == NULL)
        return KIKAN_EINVAL;
    memset (end, 0, sizeof *end);
    /* A bad descriptor would make sendmsg() fail with EBADF, which must not
     * be mistaken for a dead daemon. */
    if (c == NULL || fd < 0 || fcntl (fd, F_GETFD) < 0)
        return KIKAN_EINVAL;
    if (c->broken)
        return fail_scan (c, end, KIKAN_TARGET_WORKER_FAILED, KIKAN_ESTATE);

    kikan_msg_init (&m, KIKAN_MSG_SCAN);
    if (params != NULL)
        m.u.scan.params = *params;
    m.u.scan.name = (char *) (name ? name : "");
    /* The frame with the passphrases is built in locked memory and wiped
     * once sent (kikan_ipc_send). */
    if ((r = kikan_ipc_send (c->sock, &m, fd)) != 0) {
        if (r == KIKAN_EIO) {
            mark_broken (c, "the scan daemon went away", 0);
            return fail_scan (c, end, KIKAN_TARGET_WORKER_FAILED, KIKAN_EWORKER);
        }
        return r;  /* could not even encode the request; the daemon is fine */
    }

    timeout_s = m.u.scan.params.timeout_s ? m.u.scan.params.timeout_s : DEFAULT_TIMEOUT_S;
    deadline = now_ms () + ((int64_t) timeout_s + SCAN_GRACE_S) * 1000;
    while (!s.finished) {
        EventHandler h;

        r = recv_bounded (c, deadline, &m);
        if (r == KIKAN_ETIMEOUT || r == KIKAN_ESTOPPED_DAEMON) {
            char what[160];

            if (r == KIKAN_ETIMEOUT)
                snprintf (what, sizeof what,
                          "the scan daemon did not answer within the %u s deadline and %u s "
                          "of grace; it was killed",
                          timeout_s, SCAN_GRACE_S);
            else
                snprintf (what, sizeof what,
                          "the scan daemon was stopped (not running) for %d s; it was killed",
                          STOPPED_SLICES_MAX * SLICE_MS / 1000);
            mark_broken (c, what, 1);
            return fail_scan (c, end, KIKAN_TARGET_TIMEOUT, KIKAN_ETIMEOUT);
        }
        if (r != 0 && interrupted) {
            mark_broken (c, "interrupted; the scan daemon was stopped", 0);
            return fail_scan (c, end, KIKAN_TARGET_ERROR, KIKAN_EIO);
        }
        if (r != 0 && __atomic_load_n (&c->cancelled, __ATOMIC_SEQ_CST)) {
            mark_broken (c, "cancelled; the scan daemon was stopped", 0);
            return fail_scan (c, end, KIKAN_TARGET_ERROR, KIKAN_ECANCELLED);
        }
        if (r == KIKAN_EIO || (r == KIKAN_EPROTO && c->reader.eof)) {
            mark_broken (c, "the scan daemon died during the scan", 0);
            return fail_scan (c, end, KIKAN_TARGET_WORKER_FAILED, KIKAN_EWORKER);
        }
        if (r == KIKAN_ENOMEM)
            return r;
        if (r != 0 || (h = event_handlers[m.type]) == NULL) {
            kikan_msg_clear (&m);
            mark_broken (c, "the scan daemon sent a malformed or unexpected message; it was "
                            "killed", 1);
            return fail_scan (c, end, KIKAN_TARGET_WORKER_FAILED, KIKAN_EPROTO);
        }
        h (&s, &m);
        kikan_msg_clear (&m);
    }
    return 0;
}

void
kikan_scand_client_cancel (KikanScandClient *c)
{
    int sock;

    if (c == NULL)
        return;
    __atomic_store_n (&c->cancelled, 1, __ATOMIC_SEQ_CST);
    /* shutdown(), unlike close(), leaves the descriptor number allocated,
     * so the scanning thread's recv() returns at once and nothing else can
     * reuse the number before kikan_scand_client_free(). */
    sock = c->sock;
    if (sock >= 0)
        (void) shutdown (sock, SHUT_RDWR);
}

void
kikan_scand_client_free (KikanScandClient *c)
{
    KikanMsg m;

    if (c == NULL)
        return;
    if (!c->broken && c->sock >= 0) {
        kikan_msg_init (&m, KIKAN_MSG_SHUTDOWN);
        (void) kikan_ipc_send (c->sock, &m, -1);
    }
    client_close (c);
    reap_daemon (c, 5000, NULL, 0);
    free (c);
}
