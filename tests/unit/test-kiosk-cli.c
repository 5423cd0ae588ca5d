/* kiosk/: what the subcommands share: opening targets (folders, files,
 * disk images, block devices set read-only and restored), passphrase
 * files, KIKAN_SANDBOX, which databases load, where the daemon and
 * fixtures are found, the progress line. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kikan/scand.h"

#include "cli-private.h"
#include "config-private.h"
#include "error-private.h"
#include "escape-private.h"
#include "paths-private.h"
#include "progress-bar-private.h"
#include "scan-target-private.h"
#include "secrets-private.h"
#include "test-seams-private.h"

#include "test-kiosk-home.h"

static void
test_open_targets (void **state)
{
    const char *home = *state;
    g_autofree char *file = g_build_filename (home, "disk.img", NULL);
    g_autofree char *fifo = g_build_filename (home, "pipe", NULL);
    g_autofree char *missing = g_build_filename (home, "missing\x1b", NULL);
    g_autoptr (KikanScanTarget) dir_t = NULL;
    g_autoptr (KikanScanTarget) file_t = NULL;
    g_autoptr (KikanScanTarget) t = NULL;
    g_autoptr (GError) error = NULL;

    dir_t = kikan_scan_target_open (home, &error);
    assert_non_null (dir_t);
    assert_true (dir_t->is_dir);
    assert_true (dir_t->fd >= 0);
    assert_true (fcntl (dir_t->fd, F_GETFD) & FD_CLOEXEC);
    assert_int_equal (fcntl (dir_t->fd, F_GETFL) & O_ACCMODE, O_RDONLY);

    assert_true (g_file_set_contents (file, "image", -1, NULL));
    file_t = kikan_scan_target_open (file, &error);
    assert_non_null (file_t);
    assert_false (file_t->is_dir);
    assert_int_equal (file_t->kind, KIKAN_TARGET_KIND_FILE);
    assert_int_equal (file_t->size, 5);
    assert_int_equal (dir_t->kind, KIKAN_TARGET_KIND_DIRECTORY);

    /* A FIFO neither hangs open() nor is accepted. */
    assert_int_equal (mkfifo (fifo, 0600), 0);
    t = kikan_scan_target_open (fifo, &error);
    assert_null (t);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_SUPPORTED));
    g_clear_error (&error);

    t = kikan_scan_target_open ("/dev/null", &error);
    assert_null (t);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_SUPPORTED));
    g_clear_error (&error);

    /* The name in the message is escaped. */
    t = kikan_scan_target_open (missing, &error);
    assert_null (t);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_IO));
    assert_null (strchr (error->message, '\x1b'));
    assert_non_null (strstr (error->message, "missing\\x1B"));
}

/* A loop device over a fresh image, or a test failure that says why. */
static char *
attach_loop (const char *home, char **image_out)
{
    g_autofree char *image = g_build_filename (home, "loop.img", NULL);
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = 0;

    {
        int fd = open (image, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        assert_true (fd >= 0);
        assert_int_equal (ftruncate (fd, 4 << 20), 0);
        close (fd);
    }
    cmd = g_strdup_printf ("losetup --find --show %s", image);
    if (!g_spawn_command_line_sync (cmd, &out, &err, &status, NULL) || status != 0
        || out == NULL || !g_str_has_prefix (out, "/dev/loop"))
        fail_msg ("this test needs a loop device (root and losetup): `%s` failed: %s", cmd,
                  err != NULL ? err : "-");
    g_strstrip (out);
    *image_out = g_steal_pointer (&image);
    return g_steal_pointer (&out);
}

static void
detach_loop (const char *dev)
{
    g_autofree char *cmd = g_strdup_printf ("losetup -d %s", dev);

    (void) g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
}

static int
read_only_flag (const char *dev)
{
    int fd = open (dev, O_RDONLY | O_CLOEXEC), ro = -1;

    assert_true (fd >= 0);
    assert_int_equal (ioctl (fd, BLKROGET, &ro), 0);
    close (fd);
    return ro;
}

static void
test_block_device (void **state)
{
    const char *home = *state;
    g_autofree char *image = NULL;
    g_autofree char *dev = attach_loop (home, &image);
    g_autoptr (GError) error = NULL;
    KikanScanTarget *t;
    pid_t pid;
    int status = 0;

    /* Opened read-only, sized with lseek, and set read-only in the kernel
     * for as long as it is held ... */
    assert_int_equal (read_only_flag (dev), 0);
    t = kikan_scan_target_open (dev, &error);
    if (t == NULL)
        fail_msg ("%s: %s", dev, error->message);
    assert_int_equal (t->kind, KIKAN_TARGET_KIND_BLOCK_DEVICE);
    assert_false (t->is_dir);
    assert_int_equal (t->size, 4 << 20);
    assert_int_equal (fcntl (t->fd, F_GETFL) & O_ACCMODE, O_RDONLY);
    assert_true (t->read_only_set);
    assert_int_equal (read_only_flag (dev), 1);
    assert_string_equal (kikan_target_kind_to_string (t->kind), "block_device");
    /* ... and given back its previous flag when freed. */
    kikan_scan_target_free (t);
    assert_int_equal (read_only_flag (dev), 0);

    /* Stopped by SIGTERM or SIGINT while holding it: restored all the same,
     * and the signal still ends the process. */
    for (int i = 0; i < 2; i++) {
        int sig = i == 0 ? SIGTERM : SIGINT;

        pid = fork ();
        assert_true (pid >= 0);
        if (pid == 0) {
            KikanScanTarget *held = kikan_scan_target_open (dev, NULL);

            if (held == NULL || read_only_flag (dev) != 1)
                _exit (3);
            raise (sig);
            _exit (4);
        }
        assert_int_equal (waitpid (pid, &status, 0), pid);
        if (!WIFSIGNALED (status) || WTERMSIG (status) != sig)
            fail_msg ("child holding %s: wait status 0x%x, expected death by signal %d", dev,
                      status, sig);
        assert_int_equal (read_only_flag (dev), 0);
    }

    /* A device someone set read-only stays so. */
    {
        int fd = open (dev, O_RDONLY | O_CLOEXEC), on = 1, off = 0;

        assert_int_equal (ioctl (fd, BLKROSET, &on), 0);
        t = kikan_scan_target_open (dev, &error);
        assert_non_null (t);
        assert_false (t->read_only_set);
        kikan_scan_target_free (t);
        assert_int_equal (read_only_flag (dev), 1);
        assert_int_equal (ioctl (fd, BLKROSET, &off), 0);
        close (fd);
    }
    detach_loop (dev);
}

static void
test_symlinked_targets (void **state)
{
    const char *home = *state;
    g_autofree char *dir = g_build_filename (home, "folder", NULL);
    g_autofree char *file = g_build_filename (home, "usb.img", NULL);
    g_autofree char *to_dir = g_build_filename (home, "link-to-folder", NULL);
    g_autofree char *to_file = g_build_filename (home, "link-to-image", NULL);
    g_autoptr (KikanScanTarget) t = NULL;
    g_autoptr (GError) error = NULL;

    assert_int_equal (g_mkdir (dir, 0700), 0);
    assert_true (g_file_set_contents (file, "image", -1, NULL));
    assert_int_equal (symlink (dir, to_dir), 0);
    assert_int_equal (symlink (file, to_file), 0);
    /* A link to a folder is followed, as before media support ... */
    t = kikan_scan_target_open (to_dir, &error);
    assert_non_null (t);
    assert_true (t->is_dir);
    assert_int_equal (t->kind, KIKAN_TARGET_KIND_DIRECTORY);
    g_clear_pointer (&t, kikan_scan_target_free);
    /* ... a link to an image or a disk is not: the real name is given. */
    t = kikan_scan_target_open (to_file, &error);
    assert_null (t);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NOT_SUPPORTED));
    assert_non_null (strstr (error->message, "usb.img"));
}

static void
test_passphrase_files (void **state)
{
    const char *home = *state;
    g_autofree char *good = g_build_filename (home, "good.pass", NULL);
    g_autofree char *crlf = g_build_filename (home, "crlf.pass", NULL);
    g_autofree char *empty = g_build_filename (home, "empty.pass", NULL);
    g_autofree char *nul = g_build_filename (home, "nul.pass", NULL);
    g_autofree char *big = g_build_filename (home, "big.pass", NULL);
    g_autofree char *link = g_build_filename (home, "link.pass", NULL);
    g_autofree char *longest = g_malloc (KIKAN_SCAN_MAX_SECRET_LEN + 2);
    g_autoptr (KikanSecrets) s = kikan_secrets_new ();
    g_autoptr (GError) error = NULL;
    const char *const *v;
    gsize n = 9;

    assert_null (kikan_secrets_get (s, &n));
    assert_int_equal (n, 0);
    /* One trailing newline goes, anything else stays. */
    assert_true (g_file_set_contents (good, "two words \n", -1, NULL));
    assert_true (kikan_secrets_add_file (s, good, &error));
    assert_true (g_file_set_contents (crlf, "windows\r\n", -1, NULL));
    assert_true (kikan_secrets_add_file (s, crlf, &error));
    v = kikan_secrets_get (s, &n);
    assert_int_equal (n, 2);
    assert_string_equal (v[0], "two words ");
    assert_string_equal (v[1], "windows");
    assert_null (v[2]);
    kikan_secrets_remove_last (s);
    assert_int_equal (kikan_secrets_get_n (s), 1);

    /* Refused: empty, a NUL inside, too long, a symbolic link, missing;
     * and no message ever quotes the file's content. */
    assert_true (g_file_set_contents (empty, "\n", -1, NULL));
    assert_false (kikan_secrets_add_file (s, empty, &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_USAGE));
    g_clear_error (&error);
    assert_true (g_file_set_contents (nul, "sec\0ret", 7, NULL));
    assert_false (kikan_secrets_add_file (s, nul, &error));
    assert_null (strstr (error->message, "sec"));
    g_clear_error (&error);
    memset (longest, 'p', KIKAN_SCAN_MAX_SECRET_LEN + 1);
    longest[KIKAN_SCAN_MAX_SECRET_LEN + 1] = '\0';
    assert_true (g_file_set_contents (big, longest, -1, NULL));
    assert_false (kikan_secrets_add_file (s, big, &error));
    assert_null (strstr (error->message, "ppppp"));
    g_clear_error (&error);
    longest[KIKAN_SCAN_MAX_SECRET_LEN] = '\n';  /* exactly the longest allowed */
    assert_true (g_file_set_contents (big, longest, -1, NULL));
    assert_true (kikan_secrets_add_file (s, big, &error));
    assert_int_equal (strlen (kikan_secrets_get (s, NULL)[1]), KIKAN_SCAN_MAX_SECRET_LEN);
    assert_int_equal (symlink (good, link), 0);
    assert_false (kikan_secrets_add_file (s, link, &error));
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_IO));
    g_clear_error (&error);
    /* The kiosk's way (issue #11): a sealed memfd of this process, by
     * /proc/self/fd/N, read from its start; a closed one is refused. */
    {
        int mfd = memfd_create ("kikan-passphrase", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        g_autofree char *own = NULL;

        assert_true (mfd >= 0);
        assert_int_equal (write (mfd, "typed at the kiosk\n", 19), 19);
        assert_int_equal (fcntl (mfd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK),
                          0);
        own = g_strdup_printf ("/proc/self/fd/%d", mfd);
        assert_true (kikan_secrets_add_file (s, own, &error));
        g_assert_no_error (error);
        v = kikan_secrets_get (s, &n);
        assert_string_equal (v[n - 1], "typed at the kiosk");
        kikan_secrets_remove_last (s);
        close (mfd);
        assert_false (kikan_secrets_add_file (s, own, &error));
        assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_IO));
    }
    assert_null (strstr (error->message, "two words"));
    g_clear_error (&error);
    assert_false (kikan_secrets_add_file (s, "/nonexistent/pass", &error));
    g_clear_error (&error);
    assert_false (kikan_secrets_add_file (s, home, &error));  /* a folder */
    g_clear_error (&error);
    assert_int_equal (kikan_secrets_get_n (s), 2);
}

/* Runs kikan_secrets_add_from_tty() in a child whose controlling terminal
 * is a pseudo-terminal we drive: types @typed after the prompt and returns
 * everything the terminal showed.  The child exits 0 when it read
 * @expect (NULL: expects a refusal) and found echo on again afterwards. */
static char *
ask_on_pty (const char *typed, const char *expect, int *child_status)
{
    GString *shown = g_string_new (NULL);
    int master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
    pid_t pid;

    assert_true (master >= 0);
    assert_int_equal (grantpt (master), 0);
    assert_int_equal (unlockpt (master), 0);
    pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0) {
        g_autoptr (KikanSecrets) s = kikan_secrets_new ();
        g_autoptr (GError) error = NULL;
        struct termios t;
        int slave, ok;

        setsid ();
        /* The first terminal a session leader opens becomes its own. */
        if ((slave = open (ptsname (master), O_RDWR)) < 0)
            _exit (10);
        ok = kikan_secrets_add_from_tty (s, "Passphrase: ", &error);
        if (tcgetattr (slave, &t) != 0 || !(t.c_lflag & ECHO))
            _exit (11);
        if (expect == NULL)
            _exit (ok ? 12 : 0);
        if (!ok || kikan_secrets_get_n (s) != 1
            || strcmp (kikan_secrets_get (s, NULL)[0], expect) != 0)
            _exit (13);
        _exit (0);
    }
    for (gboolean sent = FALSE;;) {
        char buf[256];
        ssize_t n = read (master, buf, sizeof buf);

        if (n <= 0)
            break;  /* EIO once the child closed its side */
        g_string_append_len (shown, buf, n);
        if (!sent && strstr (shown->str, "Passphrase: ") != NULL) {
            assert_int_equal (write (master, typed, strlen (typed)), (ssize_t) strlen (typed));
            sent = TRUE;
        }
    }
    assert_int_equal (waitpid (pid, child_status, 0), pid);
    close (master);
    return g_string_free (shown, FALSE);
}

static void
test_ask_passphrase_on_terminal (void **state)
{
    g_autofree char *shown = NULL;
    g_autofree char *shown_empty = NULL;
    int status = -1;

    /* Asked with echo off: the terminal never shows what was typed, and
     * echo is back afterwards. */
    shown = ask_on_pty ("open sesame\n", "open sesame", &status);
    if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        fail_msg ("child reading the passphrase: wait status 0x%x", status);
    assert_non_null (strstr (shown, "Passphrase: "));
    assert_null (strstr (shown, "sesame"));
    /* An empty line is refused, not taken as a passphrase. */
    shown_empty = ask_on_pty ("\n", NULL, &status);
    assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

static void
test_null_sandbox_env (void **state)
{
    g_autoptr (GError) error = NULL;
    gboolean null_sandbox = TRUE;

    g_unsetenv ("KIKAN_SANDBOX");
    assert_true (kikan_setup_null_sandbox_requested (&null_sandbox, &error));
    assert_false (null_sandbox);
    g_setenv ("KIKAN_SANDBOX", "null", TRUE);
    assert_true (kikan_setup_null_sandbox_requested (&null_sandbox, &error));
    assert_true (null_sandbox);
    /* Anything else is a mistake, never silently unconfined or ignored. */
    g_setenv ("KIKAN_SANDBOX", "none", TRUE);
    assert_false (kikan_setup_null_sandbox_requested (&null_sandbox, &error));
    assert_false (null_sandbox);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_USAGE));
    g_unsetenv ("KIKAN_SANDBOX");
}

/* freshclam's databases, which every default list includes. */
static gboolean
system_has_clamav_databases (void)
{
    g_autoptr (GDir) d = g_dir_open (KIKAN_SYSTEM_CLAMAV_DIR, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        if (g_str_has_suffix (name, ".cvd") || g_str_has_suffix (name, ".cld"))
            return TRUE;
    return FALSE;
}

static void
test_databases (void **state)
{
    const char *home_path = *state;
    g_autoptr (KikanHome) home = kikan_home_new ();
    g_autoptr (KikanConfig) config = kikan_config_new ();
    g_autoptr (GError) error = NULL;
    g_autofree char *empty = g_build_filename (home_path, "no-signatures", NULL);
    g_autofree char *project = g_build_filename (home_path, "project", NULL);
    g_autofree char *hdb = g_build_filename (project, "kikan-test.hdb", NULL);
    char *explicit[] = { project, NULL };
    char *missing[] = { "/nonexistent/db.cvd", NULL };
    KikanDbSources *s;

    /* Nothing to load: an error that says what to do. */
    assert_int_equal (g_mkdir (empty, 0700), 0);
    g_setenv ("KIKAN_SIGNATURES_DIR", empty, TRUE);
    if (system_has_clamav_databases ())
        print_message ("%s holds databases here: the no-database case is not checked\n",
                       KIKAN_SYSTEM_CLAMAV_DIR);
    else {
        s = kikan_setup_resolve_databases (home, config, NULL, &error);
        assert_null (s);
        assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_NO_SIGNATURES));
        assert_non_null (strstr (error->message, "kikan signatures import"));
        g_clear_error (&error);
    }

    /* The project's signatures, found through KIKAN_SIGNATURES_DIR. */
    assert_int_equal (g_mkdir (project, 0700), 0);
    assert_true (g_file_set_contents (hdb, "44d88612fea8a8f36de82e1278abb02f:68:T\n", -1, NULL));
    g_setenv ("KIKAN_SIGNATURES_DIR", project, TRUE);
    s = kikan_setup_resolve_databases (home, config, NULL, &error);
    assert_non_null (s);
    assert_string_equal (kikan_db_sources_get_paths (s)[kikan_db_sources_get_n (s) - 1], project);
    assert_null (kikan_db_sources_get_paths (s)[kikan_db_sources_get_n (s)]);
    kikan_db_sources_free (s);
    g_unsetenv ("KIKAN_SIGNATURES_DIR");

    /* --database replaces the defaults, and must exist. */
    s = kikan_setup_resolve_databases (home, config, explicit, &error);
    assert_non_null (s);
    assert_int_equal (kikan_db_sources_get_n (s), 1);
    assert_string_equal (kikan_db_sources_get_origin (s, 0), "--database");
    kikan_db_sources_free (s);
    s = kikan_setup_resolve_databases (home, config, missing, &error);
    assert_null (s);
    assert_non_null (strstr (error->message, "/nonexistent/db.cvd"));
    g_clear_error (&error);

    /* kikan.conf naming a folder that is not there is an error. */
    g_strfreev (config->database_dirs);
    config->database_dirs = g_strsplit ("/nonexistent/kikan-dbs", ";", -1);
    s = kikan_setup_resolve_databases (home, config, NULL, &error);
    assert_null (s);
    assert_true (g_error_matches (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG));
}

/* What an installed kikan-kiosk does at start: every test seam set in its
 * environment is removed (and named, for the journal); the rest stays. */
static void
test_seams_dropped_from_environment (void **state)
{
    g_auto (GStrv) none = NULL;
    g_auto (GStrv) dropped = NULL;
    guint n = 0;

    for (gsize i = 0; kikan_test_seam_names[i] != NULL; i++)
        g_unsetenv (kikan_test_seam_names[i]);
    none = kikan_test_seams_drop_from_environment ();
    assert_non_null (none);
    assert_null (none[0]);

    for (gsize i = 0; kikan_test_seam_names[i] != NULL; i++, n++)
        g_setenv (kikan_test_seam_names[i], "1", TRUE);
    g_setenv ("KIKAN_HOME_NOT_A_SEAM", "kept", TRUE);
    dropped = kikan_test_seams_drop_from_environment ();
    assert_int_equal (g_strv_length (dropped), n);
    for (gsize i = 0; kikan_test_seam_names[i] != NULL; i++) {
        assert_true (g_strv_contains ((const char *const *)dropped, kikan_test_seam_names[i]));
        assert_null (g_getenv (kikan_test_seam_names[i]));
    }
    assert_string_equal (g_getenv ("KIKAN_HOME_NOT_A_SEAM"), "kept");
    g_unsetenv ("KIKAN_HOME_NOT_A_SEAM");
}

static void
test_paths_follow_env (void **state)
{
    g_autofree char *scand = NULL;
    g_autofree char *st = NULL;

    g_setenv ("KIKAN_SCAND", "/opt/kikan/kikan-scand", TRUE);
    g_setenv ("KIKAN_SELFTEST_DIR", "/opt/kikan/selftest", TRUE);
    scand = kikan_paths_dup_scand ();
    st = kikan_paths_dup_selftest_dir ();
    assert_string_equal (scand, "/opt/kikan/kikan-scand");
    assert_string_equal (st, "/opt/kikan/selftest");
    g_unsetenv ("KIKAN_SCAND");
    g_unsetenv ("KIKAN_SELFTEST_DIR");
    g_clear_pointer (&scand, g_free);
    scand = kikan_paths_dup_scand ();
    assert_true (g_str_has_suffix (scand, "/kikan-scand"));
}

/* Issue #8: an installed kikan runs only the installed daemon, even when
 * the build tree it came from still exists; only the build tree's own
 * kikan runs the build tree's daemon. */
static void
test_scand_follows_the_running_executable (void **state)
{
    const char *bk = "/src/kikan/build/kiosk/kikan";
    const char *bs = "/src/kikan/build/scanner/kikan-scand";
    const char *is = "/usr/local/libexec/kikan/kikan-scand";
    struct {
        const char *exe, *env, *want;
    } cases[] = {
        { "/src/kikan/build/kiosk/kikan", NULL, "/src/kikan/build/scanner/kikan-scand" },
        { "/usr/local/bin/kikan", NULL, "/usr/local/libexec/kikan/kikan-scand" },
        /* A copy next to the build tree, or in it under another name. */
        { "/src/kikan/build/kiosk/kikan-copy", NULL, "/usr/local/libexec/kikan/kikan-scand" },
        { "/tmp/kikan", NULL, "/usr/local/libexec/kikan/kikan-scand" },
        /* /proc/self/exe unreadable: never the build tree's. */
        { NULL, NULL, "/usr/local/libexec/kikan/kikan-scand" },
        { "/usr/local/bin/kikan", "", "/usr/local/libexec/kikan/kikan-scand" },
        { "/usr/local/bin/kikan", "/opt/scand", "/opt/scand" },
        { "/src/kikan/build/kiosk/kikan", "/opt/scand", "/opt/scand" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
        g_autofree char *got = kikan_paths_choose_scand (cases[i].exe, cases[i].env, bk, bs, is);

        assert_string_equal (got, cases[i].want);
    }

    /* This test program is not the build tree's kikan: it gets the
     * installed daemon's path, whatever exists in the build tree. */
    {
        g_autofree char *exe = kikan_paths_dup_self_exe ();
        g_autofree char *scand = NULL;

        assert_non_null (exe);
        assert_true (g_str_has_suffix (exe, "/test-kiosk-cli"));
        g_unsetenv ("KIKAN_SCAND");
        scand = kikan_paths_dup_scand ();
        assert_string_equal (scand, KIKAN_TEST_LIBEXEC_DIR "/kikan-scand");
    }
}

static void
test_progress_line (void **state)
{
    KikanProgress counting = { .files_done = 120, .bytes_done = 50000000 };
    KikanProgress known = { .files_done = 50, .bytes_done = 100000000, .files_total = 200,
                            .bytes_total = 400000000, .counting_done = 1 };
    g_autofree char *a = kikan_progress_bar_format (&counting, 2.0, 200);
    g_autofree char *b = kikan_progress_bar_format (&known, 10.0, 200);
    g_autofree char *narrow = kikan_progress_bar_format (&known, 10.0, 30);

    assert_non_null (strstr (a, "counting"));
    assert_non_null (strstr (a, "120 files"));
    assert_non_null (strstr (a, "25.0 MB/s"));
    assert_non_null (strstr (b, "[#####..............."));
    assert_non_null (strstr (b, "50/200 files"));
    assert_non_null (strstr (b, "100.0/400.0 MB"));
    assert_non_null (strstr (b, "10.0 MB/s"));
    assert_non_null (strstr (b, "ETA 0:30"));
    /* Never wider than the terminal: a wrapped line cannot be redrawn. */
    assert_true (g_utf8_strlen (narrow, -1) < 30);
    assert_true (g_utf8_validate (narrow, -1, NULL));
}

/* kikan.conf is typed by IT, and what is typed can hold a pasted terminal
 * escape or a right-to-left override: the refusal quotes it escaped, so it
 * reaches the start-up screen and the log harmless (STYLE rule 14).  Found
 * by tests/fuzz/fuzz-config.c (issue #12 item 1); seeds escape-value.conf
 * and rlo-key.conf replay it. */
static void
test_config_messages_escaped (void **state)
{
    static const struct {
        const char *text;
        const char *shown;   /* what the message must quote instead */
    } cases[] = {
        { "[scan]\njobs = 1\x1b[2J\n", "1\\x1B[2J" },
        { "[scan]\nmax_f\xe2\x80\xaeilesize = 1\n", "max_f\\u{202E}ilesize" },
        { "[signatures]\ndatabase_dirs = rel\x07" "ative\n", "rel\\x07ative" },
        { "[scan]\n\x1b]0;pwned\x07\n", "\\x1B]0;pwned\\x07" },
    };
    g_autofree char *path = g_build_filename (*state, "kikan.conf", NULL);

    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
        g_autoptr (GError) error = NULL;
        g_autoptr (KikanConfig) config = NULL;

        assert_true (g_file_set_contents (path, cases[i].text, -1, NULL));
        config = kikan_config_load (path, &error);
        assert_null (config);
        assert_non_null (error);
        if (strstr (error->message, cases[i].shown) == NULL)
            fail_msg ("case %zu: \"%s\" does not quote %s", i, error->message, cases[i].shown);
        assert_true (kikan_escape_is_clean (error->message, -1));
    }
}

int
main (void)
{
#define T(f) cmocka_unit_test_setup_teardown (f, test_home_setup, test_home_teardown)
    const struct CMUnitTest tests[] = {
        T (test_open_targets),
        T (test_block_device),
        T (test_symlinked_targets),
        T (test_passphrase_files),
        T (test_ask_passphrase_on_terminal),
        T (test_null_sandbox_env),
        T (test_databases),
        T (test_config_messages_escaped),
        T (test_paths_follow_env),
        T (test_seams_dropped_from_environment),
        T (test_scand_follows_the_running_executable),
        T (test_progress_line),
    };
#undef T

    return cmocka_run_group_tests_name ("kiosk-cli", tests, test_home_group_setup,
                                        test_home_group_teardown);
}
