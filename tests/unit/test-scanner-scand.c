/* Tests of kikan-scand with the real engine in real processes: the client
 * API (scanner/scand-client.c) spawns the daemon built next to this test,
 * which loads a signature database written here, forks sandboxed workers
 * and relays their results.  Each test works in its own temp dir, with
 * TMPDIR pointed inside it so that the daemon's private temp dirs can be
 * checked for leftovers.
 *
 * Media (issue #3): disk images are made here at test time with mkfs.vfat
 * -C and mcopy (FAT), cryptsetup luksFormat (a LUKS2 header on a plain
 * file: no device-mapper) and sfdisk; a block device is a loop device
 * (losetup, as root).  A missing tool FAILS the test with its name. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kikan/engine.h"
#include "kikan/errors.h"
#include "kikan/report.h"
#include "kikan/scand.h"
#include "kikan/volume.h"
#include "sandbox-private.h"
#include "scand-test-support.h"

#ifndef KIKAN_SCAND_PATH
#error "KIKAN_SCAND_PATH must name the kikan-scand executable"
#endif
#ifndef KIKAN_TEST_SHARED
#error "KIKAN_TEST_SHARED must name the shared test data folder"
#endif

/* A name with an escape sequence, a newline and invalid UTF-8. */
#define HOSTILE_NAME "bad\x1b[2J\n\xff\xfe.txt"
/* Files for the kill and timeout tests: enough work that the scan is
 * still running when the test's callback acts (measured: well over 1 s
 * with one thread). */
#define BIG_FILES 1500
#define BIG_FILE_BYTES 8192

typedef ScandTestDir Fixture;

typedef enum {
    ACT_NONE,
    ACT_KILL_WORKER,
    ACT_STOP_WORKER,
    ACT_KILL_DAEMON,
} Action;

typedef struct {
    /* First: scand_test_on_file() and _on_volume() are handed the whole
     * Collected as their ScandTestReports. */
    ScandTestReports got;
    Action action;
    pid_t worker_pid;
    pid_t daemon_pid;
    char sandbox[64];
    char comm[64];
    int seccomp_mode;        /* from /proc/PID/status, -1 unknown */
    int no_new_privs;
    int progress_calls;
    KikanProgress last_progress;
} Collected;
_Static_assert (offsetof (Collected, got) == 0, "scand_test_on_file() takes a Collected");

/* ---- helpers ---- */

static int
count_entries (const char *dir)
{
    char cmd[PATH_MAX + 32];
    FILE *p;
    int n = -1;

    snprintf (cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    if ((p = popen (cmd, "r")) != NULL) {
        if (fscanf (p, "%d", &n) != 1)
            n = -1;
        pclose (p);
    }
    return n;
}

static int
setup (void **state)
{
    *state = scand_test_dir_new ("scand");
    return 0;
}

static int
teardown (void **state)
{
    scand_test_dir_free (*state);
    return 0;
}

static int
expect_null_sandbox (void)
{
    const char *sb = getenv ("KIKAN_SANDBOX");

    return sb != NULL && strcmp (sb, "null") == 0;
}

static void
read_proc_status (pid_t pid, Collected *c)
{
    char path[64], line[256];
    FILE *fp;

    c->seccomp_mode = -1;
    c->no_new_privs = -1;
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    if ((fp = fopen (path, "re")) == NULL)
        return;
    while (fgets (line, sizeof line, fp) != NULL) {
        if (strncmp (line, "Seccomp:", 8) == 0)
            c->seccomp_mode = atoi (line + 8);
        else if (strncmp (line, "NoNewPrivs:", 11) == 0)
            c->no_new_privs = atoi (line + 11);
        else if (strncmp (line, "PPid:", 5) == 0)
            c->daemon_pid = (pid_t) atoi (line + 5);
    }
    fclose (fp);
    snprintf (path, sizeof path, "/proc/%d/comm", (int) pid);
    if ((fp = fopen (path, "re")) != NULL) {
        if (fgets (c->comm, sizeof c->comm, fp) != NULL)
            c->comm[strcspn (c->comm, "\n")] = '\0';
        fclose (fp);
    }
}

static void
on_worker_started (pid_t pid, const char *sandbox, void *user_data)
{
    Collected *c = user_data;

    c->worker_pid = pid;
    snprintf (c->sandbox, sizeof c->sandbox, "%s", sandbox);
    if (c->action == ACT_NONE)
        return;
    /* The worker is busy with a big target now: look at it, then act. */
    read_proc_status (pid, c);
    switch (c->action) {
    case ACT_KILL_WORKER:
        kill (pid, SIGKILL);
        break;
    case ACT_STOP_WORKER:
        kill (pid, SIGSTOP);
        break;
    case ACT_KILL_DAEMON:
        if (c->daemon_pid > 1)
            kill (c->daemon_pid, SIGKILL);
        break;
    case ACT_NONE:
        break;
    }
}

static void
on_progress (const KikanProgress *p, void *user_data)
{
    Collected *c = user_data;

    c->progress_calls++;
    c->last_progress = *p;
}

static const KikanScandEvents events = { on_worker_started, on_progress, scand_test_on_file,
                                          scand_test_on_volume };

static void
collected_clear (Collected *c)
{
    scand_test_reports_clear (&c->got);
    memset (c, 0, sizeof *c);
}

static const KikanFileReport *
find_report (const Collected *c, const char *path)
{
    const KikanFileReport *v = c->got.reports;

    for (size_t i = 0; v != NULL && i < c->got.n_reports; i++)
        if (v[i].path != NULL && strcmp (v[i].path, path) == 0)
            return &v[i];
    return NULL;
}

/* The report for @path; the test fails (and never returns NULL) if there
 * is none. */
static const KikanFileReport *
get_report (const Collected *c, const char *path)
{
    const KikanFileReport *r = find_report (c, path);

    if (r == NULL) {
        fail_msg ("no report for \"%s\" among %zu", path, c->got.n_reports);
        abort ();
    }
    return r;
}

static int
has_signature (const KikanFileReport *r, const char *prefix)
{
    for (size_t i = 0; i < r->n_signatures; i++)
        if (strncmp (r->signatures[i], prefix, strlen (prefix)) == 0)
            return 1;
    return 0;
}

static KikanScandClient *
spawn_with (const char *const *dbs, size_t n)
{
    KikanEngineOptions opts;
    KikanScandClient *c = NULL;
    KikanEngineInfo *info = NULL;
    char err[1024];
    int r;

    memset (&opts, 0, sizeof opts);
    opts.databases = dbs;
    opts.n_databases = n;
    r = kikan_scand_client_spawn (KIKAN_SCAND_PATH, &opts, &c, &info, err, sizeof err);
    if (r != 0)
        fail_msg ("kikan-scand did not start: %s (%s)", err, kikan_strerror (r));
    assert_non_null (c);
    assert_non_null (info);
    /* No database: a probe-only daemon, with no engine to describe. */
    if (n == 0)
        assert_null (info->engine_version);
    else
        assert_non_null (info->engine_version);
    assert_int_equal (info->n_dbs, n);
    kikan_engine_info_clear (info);
    free (info);
    return c;
}

static KikanScandClient *
spawn_marker (const Fixture *f)
{
    const char *dbs[] = { f->ndb };

    return spawn_with (dbs, 1);
}

static int
scan_path (KikanScandClient *c, const char *path, const KikanScanParams *p, Collected *col,
           KikanTargetEnd *end)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    int r;

    assert_true (fd >= 0);
    r = kikan_scand_client_scan (c, fd, path, p, &events, col, end);
    close (fd);
    return r;
}

static void
assert_sandbox_name (const char *name)
{
    assert_non_null (name);
    if (expect_null_sandbox ())
        assert_string_equal (name, "null");
    else
        assert_true (strcmp (name, "seccomp+landlock") == 0 || strcmp (name, "seccomp") == 0);
}

/* A directory of BIG_FILES harmless files in 30 subdirectories. */
static void
make_big_target (const Fixture *f, char *out)
{
    char *body = malloc (BIG_FILE_BYTES);
    char sub[PATH_MAX], file[PATH_MAX];

    assert_non_null (body);
    for (size_t i = 0; i < BIG_FILE_BYTES; i++)
        body[i] = (char) ((i * 131 + 7) & 0x7f);
    path_join (out, f->root, "big");
    assert_int_equal (mkdir (out, 0755), 0);
    for (int i = 0; i < BIG_FILES; i++) {
        char name[32];

        snprintf (name, sizeof name, "d%02d", i % 30);
        path_join (sub, out, name);
        if (i < 30)
            assert_int_equal (mkdir (sub, 0755), 0);
        snprintf (name, sizeof name, "f%05d.bin", i);
        path_join (file, sub, name);
        memcpy (body, &i, sizeof i);
        write_file (file, body, BIG_FILE_BYTES);
    }
    free (body);
}

/* ---- tests ---- */

static void
test_scan_directory_and_file (void **state)
{
    Fixture *f = *state;
    KikanScandClient *c = spawn_marker (f);
    KikanScanParams p = { 2, 0, 0 };
    KikanTargetEnd end;
    Collected col;
    const KikanFileReport *r;
    char target[PATH_MAX], outside[PATH_MAX], path[PATH_MAX], sub[PATH_MAX];

    memset (&col, 0, sizeof col);
    path_join (outside, f->root, "outside.txt");
    write_text (outside, "outside the target: " MARKER "\n");
    path_join (target, f->root, "medium");
    assert_int_equal (mkdir (target, 0755), 0);
    path_join (path, target, "marked.txt");
    write_text (path, "harmless text with " MARKER " inside\n");
    path_join (path, target, "clean.txt");
    write_text (path, "nothing to see in this file\n");
    path_join (sub, target, "sub");
    assert_int_equal (mkdir (sub, 0755), 0);
    path_join (path, sub, "deeper.txt");
    write_text (path, "another clean file, one level down\n");
    path_join (path, target, HOSTILE_NAME);
    write_text (path, "hostile name, marked: " MARKER "\n");
    /* A symlink pointing outside the target, at a marked file: reported as
     * a symlink, never followed (else the outside file would be infected
     * under this name). */
    path_join (path, target, "link");
    assert_int_equal (symlink (outside, path), 0);
    path_join (path, target, "fifo");
    assert_int_equal (mkfifo (path, 0644), 0);

    assert_int_equal (scan_path (c, target, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_null (end.detail);
    assert_sandbox_name (end.sandbox);
    assert_string_equal (end.sandbox, col.sandbox);
    assert_true (end.worker_pid > 0);
    assert_int_equal (end.worker_pid, col.worker_pid);
    assert_int_equal (end.files_seen, 6);
    assert_int_equal (col.got.n_reports, 6);

    r = get_report (&col, "marked.txt");
    assert_int_equal (r->result, KIKAN_RESULT_INFECTED);
    assert_true (has_signature (r, MARKER_SIG));
    assert_int_equal (strlen (r->sha256), 64);
    r = get_report (&col, HOSTILE_NAME);  /* the exact bytes of the name came back */
    assert_int_equal (r->result, KIKAN_RESULT_INFECTED);
    r = get_report (&col, "clean.txt");
    assert_int_equal (r->result, KIKAN_RESULT_CLEAN);
    r = get_report (&col, "sub/deeper.txt");
    assert_int_equal (r->result, KIKAN_RESULT_CLEAN);
    /* A link's text is no content: clean, flagged, its target reported and
     * never followed (issue #8, "false holds"). */
    r = get_report (&col, "link");
    assert_int_equal (r->result, KIKAN_RESULT_CLEAN);
    assert_int_equal (r->reason, KIKAN_REASON_NONE);
    assert_true (r->flags & KIKAN_FILE_FLAG_SYMLINK);
    assert_non_null (r->link_target);
    assert_string_equal (r->link_target, outside);
    assert_string_equal (r->sha256, "");
    assert_int_equal (r->n_signatures, 0);
    r = get_report (&col, "fifo");
    assert_int_equal (r->result, KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (r->reason, KIKAN_REASON_UNSUPPORTED);

    assert_true (col.progress_calls >= 2);
    assert_true (col.last_progress.counting_done);
    assert_int_equal (col.last_progress.files_total, 6);
    assert_int_equal (col.last_progress.files_done, 6);
    assert_int_equal (col.last_progress.bytes_done, col.last_progress.bytes_total);
    /* The daemon removed the worker's private temp dir. */
    assert_int_equal (count_entries (f->tmpdir), 0);
    kikan_target_end_clear (&end);
    collected_clear (&col);

    /* A descriptor that is not open is the caller's mistake, not a dead
     * daemon: refused, and the daemon stays usable. */
    assert_int_equal (kikan_scand_client_scan (c, 1000, "x", &p, &events, &col, &end),
                      KIKAN_EINVAL);
    kikan_target_end_clear (&end);

    /* The same daemon scans again: a single file as the target, reported
     * under its base name. */
    path_join (path, target, "marked.txt");
    assert_int_equal (scan_path (c, path, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_int_equal (col.got.n_reports, 1);
    assert_string_equal (col.got.reports[0].path, "marked.txt");
    assert_int_equal (col.got.reports[0].result, KIKAN_RESULT_INFECTED);
    assert_int_equal (count_entries (f->tmpdir), 0);
    kikan_target_end_clear (&end);
    collected_clear (&col);

    /* And once more with the null backend, which says so. */
    p.null_sandbox = 1;
    assert_int_equal (scan_path (c, target, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_string_equal (end.sandbox, "null");
    assert_int_equal (col.got.n_reports, 6);
    r = get_report (&col, "marked.txt");
    assert_int_equal (r->result, KIKAN_RESULT_INFECTED);
    kikan_target_end_clear (&end);
    collected_clear (&col);
    kikan_scand_client_free (c);
}

static void
test_depth_limit (void **state)
{
    Fixture *f = *state;
    KikanScandClient *c = spawn_marker (f);
    KikanScanParams p = { 1, 0, 0 };
    KikanTargetEnd end;
    Collected col;
    char target[PATH_MAX], expect[PATH_MAX];
    int dfd, sub;
    size_t n = 0;

    memset (&col, 0, sizeof col);
    path_join (target, f->root, "deep");
    assert_int_equal (mkdir (target, 0755), 0);
    /* 260 nested directories "d", built with *at calls: the full path is
     * no concern of the test. */
    dfd = open (target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true (dfd >= 0);
    for (int level = 1; level <= 260; level++) {
        assert_int_equal (mkdirat (dfd, "d", 0755), 0);
        sub = openat (dfd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true (sub >= 0);
        close (dfd);
        dfd = sub;
        if (level == 2) {
            int fd = openat (dfd, "f.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

            assert_true (fd >= 0);
            assert_int_equal (write (fd, "a clean file\n", 13), 13);
            close (fd);
        }
    }
    close (dfd);

    assert_int_equal (scan_path (c, target, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_int_equal (col.got.n_reports, 2);
    (void) get_report (&col, "d/d/f.txt");
    /* Levels 1..256 are entered; the directory at level 257 is reported
     * and not entered. */
    for (int level = 1; level <= 257; level++) {
        memcpy (expect + n, level == 1 ? "d" : "/d", level == 1 ? 1 : 2);
        n += level == 1 ? 1 : 2;
    }
    expect[n] = '\0';
    assert_int_equal (get_report (&col, expect)->result, KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (get_report (&col, expect)->reason, KIKAN_REASON_LIMIT_EXCEEDED);
    kikan_target_end_clear (&end);
    collected_clear (&col);
    kikan_scand_client_free (c);
}

static void
test_worker_killed (void **state)
{
    Fixture *f = *state;
    KikanScandClient *c = spawn_marker (f);
    KikanScanParams p = { 1, 0, 0 };
    KikanTargetEnd end;
    Collected col;
    char target[PATH_MAX];

    memset (&col, 0, sizeof col);
    make_big_target (f, target);
    col.action = ACT_KILL_WORKER;
    assert_int_equal (scan_path (c, target, &p, &col, &end), 0);

    /* What the worker looked like while it ran. */
    assert_string_equal (col.comm, "kikan-worker");
    assert_int_equal (col.no_new_privs, 1);
    if (!expect_null_sandbox ())
        assert_int_equal (col.seccomp_mode, 2);  /* SECCOMP_MODE_FILTER */

    if (end.status != KIKAN_TARGET_WORKER_FAILED)
        fail_msg ("status %d after SIGKILL (detail %s, %llu files seen): raise BIG_FILES",
                  end.status, end.detail ? end.detail : "-",
                  (unsigned long long) end.files_seen);
    assert_non_null (end.detail);
    assert_non_null (strstr (end.detail, "signal 9"));
    assert_non_null (strstr (end.detail, "SIGKILL"));
    assert_int_equal (end.worker_pid, col.worker_pid);
    assert_true (end.files_seen < BIG_FILES);
    assert_int_equal (end.files_seen, col.got.n_reports);
    assert_int_equal (count_entries (f->tmpdir), 0);
    kikan_target_end_clear (&end);
    collected_clear (&col);

    /* The daemon is unharmed and scans the next target. */
    assert_int_equal (scan_path (c, f->ndb, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    kikan_target_end_clear (&end);
    collected_clear (&col);
    kikan_scand_client_free (c);
}

static void
test_timeout (void **state)
{
    Fixture *f = *state;
    KikanScandClient *c = spawn_marker (f);
    KikanScanParams p = { 1, 1, 0 };
    KikanTargetEnd end;
    Collected col;
    char target[PATH_MAX];

    memset (&col, 0, sizeof col);
    make_big_target (f, target);
    /* A stopped worker never finishes: only the deadline ends it. */
    col.action = ACT_STOP_WORKER;
    assert_int_equal (scan_path (c, target, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_TIMEOUT);
    assert_non_null (end.detail);
    assert_non_null (strstr (end.detail, "deadline"));
    assert_true (end.seconds >= 1.0 && end.seconds < 60.0);
    assert_int_equal (count_entries (f->tmpdir), 0);
    kikan_target_end_clear (&end);
    collected_clear (&col);
    kikan_scand_client_free (c);
}

static int count_scand_dirs (const char *dir);

static void
test_daemon_killed (void **state)
{
    Fixture *f = *state;
    KikanScandClient *c = spawn_marker (f);
    KikanScanParams p = { 1, 0, 0 };
    KikanTargetEnd end;
    Collected col;
    char target[PATH_MAX], path[64];
    pid_t worker;
    int r;

    memset (&col, 0, sizeof col);
    make_big_target (f, target);
    col.action = ACT_KILL_DAEMON;
    r = scan_path (c, target, &p, &col, &end);
    /* Kept before collected_clear() zeroes it: the check below needs it. */
    worker = col.worker_pid;
    assert_true (worker > 0);
    assert_int_equal (r, KIKAN_EWORKER);
    assert_int_equal (end.status, KIKAN_TARGET_WORKER_FAILED);
    assert_non_null (end.detail);
    assert_non_null (strstr (end.detail, "signal 9"));
    kikan_target_end_clear (&end);
    collected_clear (&col);

    /* The handle stays refused ... */
    r = scan_path (c, target, &p, &col, &end);
    assert_int_equal (r, KIKAN_ESTATE);
    assert_non_null (end.detail);
    kikan_target_end_clear (&end);
    collected_clear (&col);
    kikan_scand_client_free (c);

    /* ... and the orphaned worker did not outlive its daemon. */
    snprintf (path, sizeof path, "/proc/%d/stat", (int) worker);
    for (int i = 0; i < 200; i++) {
        char buf[512] = "";
        FILE *fp = fopen (path, "re");

        if (fp == NULL)
            break;
        if (fgets (buf, sizeof buf, fp) == NULL)
            buf[0] = '\0';
        fclose (fp);
        if (strstr (buf, ") Z ") != NULL)
            break;
        assert_true (i < 199);
        nanosleep (&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
    }

    /* The killed daemon left its target's private temp dir behind; the
     * next daemon sweeps it when it starts (its own warm-up dir is gone
     * again by the time it answers). */
    assert_true (count_scand_dirs (f->tmpdir) >= 1);
    c = spawn_marker (f);
    assert_int_equal (count_scand_dirs (f->tmpdir), 0);
    kikan_scand_client_free (c);
}

/* kikan-scand-XXXXXX directories directly under @dir. */
static int
count_scand_dirs (const char *dir)
{
    DIR *d = opendir (dir);
    struct dirent *de;
    int n = 0;

    assert_non_null (d);
    while ((de = readdir (d)) != NULL)
        if (strncmp (de->d_name, "kikan-scand-", 12) == 0)
            n++;
    closedir (d);
    return n;
}

static void
make_scand_dir (const char *parent, const char *name, int with_owner, time_t mtime)
{
    char p[PATH_MAX], o[PATH_MAX];

    path_join (p, parent, name);
    assert_int_equal (mkdir (p, 0700), 0);
    path_join (o, p, "unpacked.bin");
    write_file (o, "hive copy", 9);
    if (with_owner) {
        path_join (o, p, ".owner");
        write_file (o, "", 0);
    }
    if (mtime != 0) {
        struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
        assert_int_equal (utimensat (AT_FDCWD, p, ts, 0), 0);
    }
}

static int
exists_in (const char *parent, const char *name)
{
    char p[PATH_MAX];
    struct stat st;

    path_join (p, parent, name);
    return lstat (p, &st) == 0;
}

/* The sweep removes only what no live daemon holds (docs: scand.h). */
static void
test_sweep_stale_tmpdirs (void **state)
{
    Fixture *f = *state;
    char parent[PATH_MAX], p[PATH_MAX], owner[PATH_MAX];
    unsigned removed = 99;
    int held;

    path_join (parent, f->root, "sweep");
    assert_int_equal (mkdir (parent, 0700), 0);
    make_scand_dir (parent, "kikan-scand-dead01", 1, 0);        /* lock free: stale */
    make_scand_dir (parent, "kikan-scand-live01", 1, 0);        /* lock held below */
    make_scand_dir (parent, "kikan-scand-old001", 0, time (NULL) - 7200);  /* no owner, old */
    make_scand_dir (parent, "kikan-scand-new001", 0, 0);        /* no owner, fresh */
    make_scand_dir (parent, "kikan-other-dead01", 1, 0);        /* not ours by name */
    make_scand_dir (parent, "kikan-scand-toolong1", 1, 0);      /* not mkdtemp's shape */
    path_join (p, parent, "kikan-scand-file01");
    write_file (p, "x", 1);                                     /* a file, not a dir */
    /* A symbolic link named like a dir, pointing at a dir that must survive. */
    path_join (p, parent, "kikan-scand-link01");
    assert_int_equal (symlink ("kikan-other-dead01", p), 0);

    path_join (p, parent, "kikan-scand-live01");
    path_join (owner, p, ".owner");
    held = open (owner, O_RDWR | O_CLOEXEC);
    assert_true (held >= 0);
    assert_int_equal (flock (held, LOCK_EX | LOCK_NB), 0);

    assert_int_equal (kikan_scand_sweep_tmp (parent, &removed), 0);
    assert_int_equal (removed, 2);
    assert_false (exists_in (parent, "kikan-scand-dead01"));
    assert_false (exists_in (parent, "kikan-scand-old001"));
    assert_true (exists_in (parent, "kikan-scand-live01"));
    assert_true (exists_in (parent, "kikan-scand-new001"));
    assert_true (exists_in (parent, "kikan-other-dead01"));
    assert_true (exists_in (parent, "kikan-scand-toolong1"));
    assert_true (exists_in (parent, "kikan-scand-file01"));
    assert_true (exists_in (parent, "kikan-scand-link01"));
    path_join (p, parent, "kikan-other-dead01/unpacked.bin");
    assert_true (access (p, F_OK) == 0);

    /* Once its daemon is gone, the live one goes too. */
    close (held);
    assert_int_equal (kikan_scand_sweep_tmp (parent, &removed), 0);
    assert_int_equal (removed, 1);
    assert_false (exists_in (parent, "kikan-scand-live01"));

    /* A parent that does not exist is nothing to sweep. */
    path_join (p, f->root, "no-such-dir");
    assert_int_equal (kikan_scand_sweep_tmp (p, &removed), 0);
    assert_int_equal (removed, 0);
}

static void
test_database_errors (void **state)
{
    Fixture *f = *state;
    KikanEngineOptions opts;
    KikanScandClient *c = (KikanScandClient *) 0x1;
    KikanEngineInfo *info = (KikanEngineInfo *) 0x1;
    char err[1024], src[PATH_MAX], tampered[PATH_MAX], missing[PATH_MAX];
    const char *dbs[1];
    unsigned char *buf;
    size_t len;
    FILE *fp;
    int r;

    memset (&opts, 0, sizeof opts);
    opts.databases = dbs;
    opts.n_databases = 1;

    /* Missing database: no daemon, a message naming the file. */
    path_join (missing, f->root, "no-such-dir/missing.ndb");
    dbs[0] = missing;
    r = kikan_scand_client_spawn (KIKAN_SCAND_PATH, &opts, &c, &info, err, sizeof err);
    assert_true (r < 0);
    assert_null (c);
    assert_null (info);
    assert_true (strlen (err) > 0);
    assert_non_null (strstr (err, "missing.ndb"));

    /* The signed upstream test database loads; one byte changed, it must
     * not. */
    path_join (src, KIKAN_TEST_SHARED, "clamav/test-6.cvd");
    fp = fopen (src, "rb");
    if (fp == NULL)
        fail_msg ("shared test data missing: %s", src);
    buf = malloc (1 << 20);
    assert_non_null (buf);
    len = fread (buf, 1, 1 << 20, fp);
    fclose (fp);
    assert_true (len > 1024);
    path_join (tampered, f->root, "test-6.cvd");
    write_file (tampered, buf, len);
    dbs[0] = tampered;
    c = spawn_with (dbs, 1);
    kikan_scand_client_free (c);

    buf[len - 100] ^= 0x01;
    write_file (tampered, buf, len);
    free (buf);
    c = (KikanScandClient *) 0x1;
    r = kikan_scand_client_spawn (KIKAN_SCAND_PATH, &opts, &c, &info, err, sizeof err);
    assert_int_equal (r, KIKAN_EDB);
    assert_null (c);
    assert_non_null (strstr (err, "test-6.cvd"));

    /* A daemon that cannot even be executed. */
    r = kikan_scand_client_spawn ("/nonexistent/kikan-scand", &opts, &c, &info, err,
                                  sizeof err);
    assert_true (r < 0);
    assert_null (c);
    assert_non_null (strstr (err, "/nonexistent/kikan-scand"));
    assert_int_equal (count_entries (f->tmpdir), 0);
}

static void
test_clamav_testfiles (void **state)
{
    Fixture *f = *state;
    const char *dir = "/usr/share/clamav-testfiles";
    KikanScandClient *c;
    KikanScanParams p = { 0, 0, 0 };
    KikanTargetEnd end;
    Collected col;
    char hdb[PATH_MAX];
    const char *dbs[1];
    struct stat st;

    if (stat (dir, &st) != 0)
        fail_msg ("%s is missing: install the clamav-testfiles package", dir);
    memset (&col, 0, sizeof col);
    /* The MD5 of clam.exe, which every test file contains in some form. */
    path_join (hdb, f->root, "clam.hdb");
    write_text (hdb, "aa15bcf478d165efd2065190eb473bcb:544:Kikan.Test.ClamExe\n");
    dbs[0] = hdb;
    c = spawn_with (dbs, 1);
    assert_int_equal (scan_path (c, dir, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_int_equal (col.got.n_reports, 44);
    for (size_t i = 0; i < col.got.n_reports; i++) {
        if (col.got.reports[i].result != KIKAN_RESULT_INFECTED
            || !has_signature (&col.got.reports[i], "Kikan.Test.ClamExe"))
            fail_msg ("%s: result %s, reason %s (%s)", col.got.reports[i].path,
                      kikan_result_to_string (col.got.reports[i].result),
                      kikan_reason_to_string (col.got.reports[i].reason)
                          ? kikan_reason_to_string (col.got.reports[i].reason)
                          : "-",
                      col.got.reports[i].reason_detail ? col.got.reports[i].reason_detail : "-");
    }
    assert_int_equal (count_entries (f->tmpdir), 0);
    kikan_target_end_clear (&end);
    collected_clear (&col);
    kikan_scand_client_free (c);
}

/* ---- media ---- */

/* Runs @cmd through the shell; the test fails, naming the command and
 * what it said, unless it exits 0. */
static void
run_tool (const Fixture *f, const char *cmd)
{
    char full[8 * PATH_MAX], errpath[PATH_MAX];
    int st;

    path_join (errpath, f->root, "tool.err");
    snprintf (full, sizeof full, "%s >/dev/null 2>'%s'", cmd, errpath);
    st = system (full);
    if (st != 0) {
        char err[512] = "";
        FILE *fp = fopen (errpath, "re");

        if (fp != NULL) {
            size_t n = fread (err, 1, sizeof err - 1, fp);

            err[n] = '\0';
            fclose (fp);
        }
        fail_msg ("this test needs `%s` (dosfstools, mtools, cryptsetup-bin, fdisk; loop "
                  "devices as root): exit status 0x%x: %s",
                  cmd, st, err);
    }
}

/* A FAT image of 8 MiB holding docs/marked.txt (the marker), clean.txt
 * and an empty file, made without any mount. */
static void
make_fat_image (const Fixture *f, const char *name, char *out)
{
    char tree[PATH_MAX], docs[PATH_MAX], path[PATH_MAX], cmd[4 * PATH_MAX];

    path_join (out, f->root, name);
    snprintf (tree, sizeof tree, "%s.d", out);
    assert_int_equal (mkdir (tree, 0755), 0);
    path_join (docs, tree, "docs");
    assert_int_equal (mkdir (docs, 0755), 0);
    path_join (path, docs, "marked.txt");
    write_text (path, "harmless text with " MARKER " inside\n");
    path_join (path, tree, "clean.txt");
    write_text (path, "nothing to see in this file\n");
    path_join (path, tree, "empty");
    write_text (path, "");
    snprintf (cmd, sizeof cmd, "mkfs.vfat -C -n KIKANTEST '%s' 8192", out);
    run_tool (f, cmd);
    snprintf (cmd, sizeof cmd, "mcopy -s -i '%s' '%s/docs' '%s/clean.txt' '%s/empty' ::/", out,
              tree, tree, tree);
    run_tool (f, cmd);
}

static void
test_scan_fat_image (void **state)
{
    Fixture *f = *state;
    KikanScandClient *c = spawn_marker (f);
    KikanScanParams p = { 2, 0, 0 };
    KikanTargetEnd end;
    Collected col;
    const KikanFileReport *r;
    const KikanVolume *v;
    char image[PATH_MAX];

    memset (&col, 0, sizeof col);
    make_fat_image (f, "usb.img", image);

    /* Read as a medium: one volume (the whole image), files qualified with
     * it, the marker found two levels down. */
    assert_int_equal (scan_path (c, image, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_null (end.detail);
    assert_sandbox_name (end.sandbox);
    assert_int_equal (end.volumes_seen, 1);
    assert_int_equal (end.wrong_secret, 0);
    assert_int_equal (col.got.n_volumes, 1);
    /* Volumes come before the first file. */
    assert_int_equal (col.got.reports_before_last_volume, 0);
    v = &col.got.volumes[0].volume;
    assert_int_equal (v->index, 1);
    assert_int_equal (v->offset, 0);
    assert_int_equal (v->size, 8192 * 1024);
    assert_string_equal (v->scheme, "none");
    assert_string_equal (v->filesystem, "vfat");
    assert_non_null (v->label);
    assert_string_equal (v->label, "KIKANTEST");
    assert_int_equal (v->encryption, KIKAN_ENC_NONE);
    assert_int_equal (v->readable, 1);
    assert_null (v->problem);
    assert_int_equal (col.got.volumes[0].result, KIKAN_RESULT_CLEAN);
    assert_int_equal (col.got.volumes[0].reason, KIKAN_VOLUME_REASON_NONE);
    r = get_report (&col, "p1:/docs/marked.txt");
    assert_int_equal (r->result, KIKAN_RESULT_INFECTED);
    assert_true (has_signature (r, MARKER_SIG));
    assert_int_equal (strlen (r->sha256), 64);
    r = get_report (&col, "p1:/clean.txt");
    assert_int_equal (r->result, KIKAN_RESULT_CLEAN);
    assert_int_equal (r->size, strlen ("nothing to see in this file\n"));
    r = get_report (&col, "p1:/empty");
    assert_int_equal (r->result, KIKAN_RESULT_CLEAN);
    assert_int_equal (end.files_seen, col.got.n_reports);
    assert_int_equal (col.last_progress.files_done, col.got.n_reports);
    assert_int_equal (count_entries (f->tmpdir), 0);
    kikan_target_end_clear (&end);
    collected_clear (&col);

    /* --as-file: the same image is one file, which holds the marker's
     * bytes as they are. */
    p.as_file = 1;
    assert_int_equal (scan_path (c, image, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_int_equal (end.volumes_seen, 0);
    assert_int_equal (col.got.n_volumes, 0);
    assert_int_equal (col.got.n_reports, 1);
    assert_string_equal (col.got.reports[0].path, "usb.img");
    assert_int_equal (col.got.reports[0].result, KIKAN_RESULT_INFECTED);
    kikan_target_end_clear (&end);
    collected_clear (&col);

    /* A probe through the scanning daemon: volumes, no file read. */
    p.as_file = 0;
    p.probe_only = 1;
    assert_int_equal (scan_path (c, image, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_int_equal (col.got.n_volumes, 1);
    assert_int_equal (col.got.n_reports, 0);
    assert_int_equal (end.files_seen, 0);
    kikan_target_end_clear (&end);
    collected_clear (&col);

    /* A passphrase given for a medium without any encrypted volume is
     * simply not needed: scanned as usual. */
    {
        const char *secret[] = { "not needed here" };

        p.probe_only = 0;
        p.secrets = secret;
        p.n_secrets = 1;
        assert_int_equal (scan_path (c, image, &p, &col, &end), 0);
        assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
        assert_int_equal (get_report (&col, "p1:/docs/marked.txt")->result,
                          KIKAN_RESULT_INFECTED);
        kikan_target_end_clear (&end);
        collected_clear (&col);
    }
    kikan_scand_client_free (c);
}

static void
test_probe_only_daemon (void **state)
{
    Fixture *f = *state;
    KikanScandClient *c = spawn_with (NULL, 0);
    KikanScanParams p = { 1, 0, 0 };
    KikanTargetEnd end;
    Collected col;
    char image[PATH_MAX], mbr[PATH_MAX], cmd[6 * PATH_MAX];

    memset (&col, 0, sizeof col);
    make_fat_image (f, "usb.img", image);
    /* An MBR disk with two partitions, the second unformatted. */
    path_join (mbr, f->root, "disk.img");
    snprintf (cmd, sizeof cmd,
              "truncate -s 24M '%s' && printf 'start=2048, size=16384, type=c\nstart=18432, "
              "type=83\n' | sfdisk -q '%s' && dd if='%s' of='%s' bs=512 seek=2048 conv=notrunc "
              "status=none",
              mbr, mbr, image, mbr);
    run_tool (f, cmd);

    /* A daemon without signatures probes ... */
    p.probe_only = 1;
    assert_int_equal (scan_path (c, mbr, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_sandbox_name (end.sandbox);
    assert_int_equal (col.got.n_volumes, 2);
    assert_int_equal (col.got.n_reports, 0);
    assert_int_equal (col.got.volumes[0].volume.index, 1);
    assert_string_equal (col.got.volumes[0].volume.scheme, "mbr");
    assert_int_equal (col.got.volumes[0].volume.offset, 2048 * 512);
    assert_string_equal (col.got.volumes[0].volume.filesystem, "vfat");
    assert_int_equal (col.got.volumes[0].result, KIKAN_RESULT_CLEAN);
    assert_int_equal (col.got.volumes[1].volume.index, 2);
    assert_int_equal (col.got.volumes[1].volume.offset, 18432 * 512);
    assert_null (col.got.volumes[1].volume.filesystem);
    assert_int_equal (col.got.volumes[1].volume.readable, 0);
    assert_non_null (col.got.volumes[1].volume.problem);
    assert_int_equal (col.got.volumes[1].result, KIKAN_RESULT_NOT_INSPECTED);
    assert_true (col.got.volumes[1].reason == KIKAN_VOLUME_REASON_NO_FILESYSTEM
                 || col.got.volumes[1].reason == KIKAN_VOLUME_REASON_ENCRYPTED);
    kikan_target_end_clear (&end);
    collected_clear (&col);

    /* ... a file that is not a disk image has no volume ... */
    assert_int_equal (scan_path (c, f->ndb, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_int_equal (col.got.n_volumes, 0);
    assert_int_equal (col.got.n_reports, 0);
    kikan_target_end_clear (&end);
    collected_clear (&col);

    /* ... and refuses to scan: it has no engine. */
    p.probe_only = 0;
    assert_int_equal (scan_path (c, image, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_ERROR);
    assert_non_null (end.detail);
    assert_non_null (strstr (end.detail, "only probe"));
    assert_int_equal (col.got.n_reports, 0);
    assert_int_equal (count_entries (f->tmpdir), 0);
    kikan_target_end_clear (&end);
    collected_clear (&col);
    kikan_scand_client_free (c);
}

static void
test_luks_passphrase (void **state)
{
    Fixture *f = *state;
    KikanScandClient *c = spawn_marker (f);
    KikanScanParams p = { 1, 0, 0 };
    KikanTargetEnd end;
    Collected col;
    char image[PATH_MAX], keyfile[PATH_MAX], cmd[4 * PATH_MAX];
    const char *right[] = { "kikan unit test passphrase" };
    const char *wrong[] = { "kikan wrong passphrase" };
    const char *both[] = { "kikan unit test passphrase", "kikan wrong passphrase" };

    memset (&col, 0, sizeof col);
    path_join (image, f->root, "luks.img");
    path_join (keyfile, f->root, "luks.pass");
    write_text (keyfile, right[0]);
    /* A LUKS2 header on a plain file (no device-mapper needed to format);
     * PBKDF2 with few iterations keeps the test fast. */
    snprintf (cmd, sizeof cmd,
              "truncate -s 20M '%s' && cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 "
              "--pbkdf-force-iterations 1000 --key-file '%s' '%s'",
              image, keyfile, image);
    run_tool (f, cmd);

    /* No passphrase: encrypted, not inspected, nothing read. */
    assert_int_equal (scan_path (c, image, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_int_equal (col.got.n_volumes, 1);
    assert_int_equal (col.got.volumes[0].volume.encryption, KIKAN_ENC_LUKS2);
    assert_int_equal (col.got.volumes[0].volume.unlocked, 0);
    assert_int_equal (col.got.volumes[0].volume.readable, 0);
    assert_int_equal (col.got.volumes[0].result, KIKAN_RESULT_NOT_INSPECTED);
    assert_int_equal (col.got.volumes[0].reason, KIKAN_VOLUME_REASON_ENCRYPTED);
    assert_non_null (col.got.volumes[0].volume.problem);
    assert_int_equal (col.got.n_reports, 0);
    kikan_target_end_clear (&end);
    collected_clear (&col);

    /* A wrong passphrase: the target is an error, nothing scanned, and the
     * passphrase appears nowhere. */
    p.secrets = wrong;
    p.n_secrets = 1;
    assert_int_equal (scan_path (c, image, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_ERROR);
    assert_int_equal (end.wrong_secret, 1);
    assert_non_null (end.detail);
    assert_string_equal (end.detail, "the passphrase does not unlock volume p1 (luks2)");
    assert_null (strstr (end.detail, wrong[0]));
    assert_int_equal (end.files_seen, 0);
    assert_int_equal (col.got.n_reports, 0);
    assert_int_equal (col.got.n_volumes, 1);
    assert_int_equal (col.got.volumes[0].reason, KIKAN_VOLUME_REASON_ENCRYPTED);
    assert_null (strstr (col.got.volumes[0].volume.problem, wrong[0]));
    assert_int_equal (count_entries (f->tmpdir), 0);
    kikan_target_end_clear (&end);
    collected_clear (&col);

    /* The right one unlocks it in user space.  Its plaintext was never
     * formatted (random-looking): read, but no file system. */
    p.secrets = right;
    assert_int_equal (scan_path (c, image, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_int_equal (end.wrong_secret, 0);
    assert_int_equal (col.got.n_volumes, 1);
    assert_int_equal (col.got.volumes[0].volume.unlocked, 1);
    assert_int_equal (col.got.volumes[0].result, KIKAN_RESULT_NOT_INSPECTED);
    assert_true (col.got.volumes[0].reason != KIKAN_VOLUME_REASON_ENCRYPTED);
    assert_int_equal (count_entries (f->tmpdir), 0);
    kikan_target_end_clear (&end);
    collected_clear (&col);

    /* Two passphrases, one of which unlocks nothing: refused (each one
     * given must unlock a volume), naming it by its position only. */
    p.secrets = both;
    p.n_secrets = 2;
    assert_int_equal (scan_path (c, image, &p, &col, &end), 0);
    assert_int_equal (end.status, KIKAN_TARGET_ERROR);
    assert_int_equal (end.wrong_secret, 1);
    assert_non_null (strstr (end.detail, "passphrase 2 of 2"));
    kikan_target_end_clear (&end);
    collected_clear (&col);
    kikan_scand_client_free (c);
}

static void
test_block_device_target (void **state)
{
    Fixture *f = *state;
    KikanScandClient *c = spawn_marker (f);
    KikanScanParams p = { 1, 0, 0 };
    KikanTargetEnd end;
    Collected col;
    char image[PATH_MAX], cmd[4 * PATH_MAX], dev[64] = "";
    FILE *fp;

    memset (&col, 0, sizeof col);
    make_fat_image (f, "usb.img", image);
    snprintf (cmd, sizeof cmd, "losetup --find --show '%s' 2>/dev/null", image);
    if ((fp = popen (cmd, "r")) == NULL || fgets (dev, sizeof dev, fp) == NULL)
        dev[0] = '\0';
    if (fp != NULL)
        pclose (fp);
    dev[strcspn (dev, "\n")] = '\0';
    if (strncmp (dev, "/dev/loop", 9) != 0)
        fail_msg ("this test needs a loop device (root and losetup): `%s` gave \"%s\"", cmd, dev);

    /* The daemon accepts a block device; the worker sizes it with lseek
     * and reads it as a medium. */
    assert_int_equal (scan_path (c, dev, &p, &col, &end), 0);
    snprintf (cmd, sizeof cmd, "losetup -d %s", dev);
    if (system (cmd) != 0)
        print_message ("could not detach %s\n", dev);
    assert_int_equal (end.status, KIKAN_TARGET_COMPLETE);
    assert_int_equal (col.got.n_volumes, 1);
    assert_int_equal (col.got.volumes[0].volume.size, 8192 * 1024);
    assert_int_equal (get_report (&col, "p1:/docs/marked.txt")->result, KIKAN_RESULT_INFECTED);
    kikan_target_end_clear (&end);
    collected_clear (&col);
    kikan_scand_client_free (c);
}

/* ---- the sandbox backend on its own ---- */

typedef enum {
    PROBE_SOCKET,        /* killed */
    PROBE_FORK,          /* killed */
    PROBE_EXECVE,        /* killed */
    PROBE_PTRACE,        /* killed */
    PROBE_ALLOWED,       /* exits 0 if everything a scan needs works */
    PROBE_DENIED,        /* exits 0 if everything else fails as it should */
} Probe;

static void *
thread_main (void *arg)
{
    return arg;
}

/* Runs in a forked child after the backend was applied.  Returns the exit
 * status: 0 when the probe behaved, a line number otherwise. */
static int
run_probe (Probe probe, int target_fd, int tmp_fd, int landlock)
{
    char *const argv[] = { (char *) "/bin/true", NULL };
    pthread_t th;
    void *ret = NULL;
    int fd;

    switch (probe) {
    case PROBE_SOCKET:
        (void) socket (AF_INET, SOCK_STREAM, 0);
        return 1;
    case PROBE_FORK:
        (void) syscall (SYS_fork);
        return 2;
    case PROBE_EXECVE:
        execve (argv[0], argv, NULL);
        return 3;
    case PROBE_PTRACE:
        (void) ptrace (PTRACE_TRACEME, 0, NULL, NULL);
        return 4;
    case PROBE_ALLOWED:
        /* Threads, reading beneath the target, writing in the temp dir. */
        if (pthread_create (&th, NULL, thread_main, (void *) 7) != 0
            || pthread_join (th, &ret) != 0 || ret != (void *) 7)
            return 5;
        if ((fd = openat (target_fd, "file", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
            return 6;
        close (fd);
        if ((fd = openat (tmp_fd, "new", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
            return 7;
        if (write (fd, "x", 1) != 1)
            return 8;
        close (fd);
        if (unlinkat (tmp_fd, "new", 0) != 0)
            return 9;
        return 0;
    case PROBE_DENIED:
        /* No signals to anyone else, no executable memory, no chmod, no
         * clone3 (glibc must fall back to clone, which seccomp can read). */
        if (kill (getppid (), 0) == 0)
            return 10;
        if (mmap (NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            != MAP_FAILED)
            return 11;
        if (syscall (SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
            return 12;
        if (fchmodat (tmp_fd, ".", 0777, 0) == 0)
            return 13;
        if (landlock) {
            /* Nothing outside the target and the temp dir can be opened,
             * and the target cannot be written. */
            if (open ("/etc/passwd", O_RDONLY | O_CLOEXEC) >= 0 || errno != EACCES)
                return 14;
            if (openat (target_fd, "file", O_WRONLY | O_CLOEXEC) >= 0 || errno != EACCES)
                return 15;
            if (openat (target_fd, "made", O_WRONLY | O_CREAT | O_CLOEXEC, 0600) >= 0)
                return 16;
        }
        return 0;
    }
    return 17;
}

/* Forks, applies the seccomp backend in the child, runs @probe; returns
 * the wait status and the backend's name. */
static int
confined (const Fixture *f, Probe probe, char *applied_out, size_t applied_len)
{
    char target[PATH_MAX], tmp[PATH_MAX], file[PATH_MAX];
    int pipefd[2], status = 0;
    pid_t pid;
    ssize_t n;

    path_join (target, f->root, "sbx-target");
    path_join (tmp, f->root, "sbx-tmp");
    (void) mkdir (target, 0755);
    (void) mkdir (tmp, 0700);
    path_join (file, target, "file");
    write_text (file, "readable\n");
    assert_int_equal (pipe2 (pipefd, O_CLOEXEC), 0);
    pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0) {
        KikanSandboxPaths paths;
        const char *applied = "";
        char err[256];
        int r;

        paths.target_fd = open (target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        paths.target_is_dir = 1;
        paths.tmpdir_fd = open (tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (paths.target_fd < 0 || paths.tmpdir_fd < 0)
            _exit (200);
        if (kikan_sandbox_seccomp.apply (&paths, &applied, err, sizeof err) != 0) {
            (void) !write (pipefd[1], err, strlen (err));
            _exit (201);
        }
        (void) !write (pipefd[1], applied, strlen (applied));
        close (pipefd[1]);
        r = run_probe (probe, paths.target_fd, paths.tmpdir_fd,
                       strstr (applied, "landlock") != NULL);
        _exit (r > 199 ? 199 : r);
    }
    close (pipefd[1]);
    n = read (pipefd[0], applied_out, applied_len - 1);
    applied_out[n > 0 ? n : 0] = '\0';
    close (pipefd[0]);
    assert_int_equal (waitpid (pid, &status, 0), pid);
    return status;
}

static void
test_sandbox_backend (void **state)
{
    Fixture *f = *state;
    static const Probe killed[] = { PROBE_SOCKET, PROBE_FORK, PROBE_EXECVE, PROBE_PTRACE };
    char applied[256];
    int status;

    if (expect_null_sandbox ())
        skip ();  /* this machine runs without seccomp by declaration */
    for (size_t i = 0; i < sizeof killed / sizeof killed[0]; i++) {
        status = confined (f, killed[i], applied, sizeof applied);
        if (!WIFSIGNALED (status) || WTERMSIG (status) != SIGSYS)
            fail_msg ("probe %d: expected death by SIGSYS, got wait status 0x%x (%s)",
                      (int) killed[i], status, applied);
    }
    status = confined (f, PROBE_ALLOWED, applied, sizeof applied);
    if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        fail_msg ("what a scan needs failed in the sandbox at check %d (status 0x%x, %s)",
                  WIFEXITED (status) ? WEXITSTATUS (status) : -1, status, applied);
    assert_sandbox_name (applied);
    status = confined (f, PROBE_DENIED, applied, sizeof applied);
    if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        fail_msg ("the sandbox allowed what it must deny, check %d (status 0x%x, %s)",
                  WIFEXITED (status) ? WEXITSTATUS (status) : -1, status, applied);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_scan_directory_and_file, setup, teardown),
        cmocka_unit_test_setup_teardown (test_depth_limit, setup, teardown),
        cmocka_unit_test_setup_teardown (test_worker_killed, setup, teardown),
        cmocka_unit_test_setup_teardown (test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown (test_daemon_killed, setup, teardown),
        cmocka_unit_test_setup_teardown (test_sweep_stale_tmpdirs, setup, teardown),
        cmocka_unit_test_setup_teardown (test_database_errors, setup, teardown),
        cmocka_unit_test_setup_teardown (test_clamav_testfiles, setup, teardown),
        cmocka_unit_test_setup_teardown (test_scan_fat_image, setup, teardown),
        cmocka_unit_test_setup_teardown (test_probe_only_daemon, setup, teardown),
        cmocka_unit_test_setup_teardown (test_luks_passphrase, setup, teardown),
        cmocka_unit_test_setup_teardown (test_block_device_target, setup, teardown),
        cmocka_unit_test_setup_teardown (test_sandbox_backend, setup, teardown),
    };

    return cmocka_run_group_tests_name ("scanner-scand", tests, NULL, NULL);
}
