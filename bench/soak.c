/* Kikan soak: a day of service (issue #12 item 5).  Run by scripts/soak.sh,
 * which builds it (-DKIKAN_BUILD_BENCH=ON), makes the media, prepares a
 * fresh KIKAN_HOME and judges the curves this program writes.
 *
 * The kiosk must run all day at an office entrance without a restart, so
 * what one check-in keeps (memory, a descriptor, a temp file) adds up over
 * a day.  This program opens the station exactly as kikan-kiosk does
 * (kikan_home_new() from KIKAN_HOME, kikan_station_open(), warm, start-up
 * self-test: docs/station.md, KR-36), keeps its ONE warm inspector for the
 * whole run, and plays N check-ins back to back through the same station
 * calls the kiosk's driver makes (ui/employee/kiosk-driver.c): begin,
 * the 19 answers, present, a passphrase handed over in a sealed memfd,
 * inspect, end the visit, the session as JSON, the slip issued, printed
 * and archived, the check-in ended.  Each check-in hands back one medium,
 * cycling through the prepared set (every kind the project reads).
 *
 * After every --sample-every check-ins it writes one TSV row: this
 * process's (the kiosk's) VmRSS and open descriptors from /proc/self, and
 * the same for the warm kikan-scand (found as our child named
 * kikan-scand in /proc), plus the malloc heap in use, so that a slow leak
 * too small for RSS's page granularity still shows.
 *
 *   kikan-soak --media FILE --tsv FILE [--checkins N] [--sample-every K]
 *              [--kiosk-id ID] [--database PATH]...
 *
 * --media: a TSV of "kind<TAB>path<TAB>passphrase file or -" lines.
 * Exit status 0 when every check-in was recorded with a verdict and a
 * slip; 1 when a call failed (its error on stderr); 2 usage.
 */
#define _GNU_SOURCE   /* memfd_create, F_ADD_SEALS: the passphrase as the kiosk hands it */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fcntl.h>
#include <gio/gio.h>

#include "checkin-private.h"
#include "home-private.h"
#include "station-private.h"
#include "store-private.h"
#include "test-seams-private.h"

#define N_QUESTIONS 19
#define N_EMPLOYEES 3   /* per medium */

typedef struct {
    char *kind;
    char *path;
    char *passphrase;   /* the text, read once from the file; NULL when none */
} Medium;

static void
medium_free (gpointer p)
{
    Medium *m = p;

    g_free (m->kind);
    g_free (m->path);
    if (m->passphrase != NULL)
        explicit_bzero (m->passphrase, strlen (m->passphrase));
    g_free (m->passphrase);
    g_free (m);
}

static void
fail (const char *what, const GError *error)
{
    fprintf (stderr, "kikan-soak: %s: %s\n", what, error != NULL ? error->message : "failed");
}

/* ---- the media ---------------------------------------------------- */

static GPtrArray *
load_media (const char *path, GError **error)
{
    g_autofree char *text = NULL;
    g_auto (GStrv) lines = NULL;
    g_autoptr (GPtrArray) media = g_ptr_array_new_with_free_func (medium_free);

    if (!g_file_get_contents (path, &text, NULL, error))
        return NULL;
    lines = g_strsplit (text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        g_auto (GStrv) f = NULL;
        Medium *m;

        if (lines[i][0] == '\0' || lines[i][0] == '#')
            continue;
        f = g_strsplit (lines[i], "\t", 3);
        if (g_strv_length (f) != 3) {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "%s:%u: want kind, path, passphrase file", path, i + 1);
            return NULL;
        }
        m = g_new0 (Medium, 1);
        m->kind = g_strdup (f[0]);
        m->path = g_strdup (f[1]);
        g_ptr_array_add (media, m);
        if (!g_str_equal (f[2], "-")) {
            gsize len = 0;

            if (!g_file_get_contents (f[2], &m->passphrase, &len, error))
                return NULL;
            /* As typed at the kiosk: one line, no newline. */
            m->passphrase[strcspn (m->passphrase, "\n")] = '\0';
        }
    }
    if (media->len == 0) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: no media", path);
        return NULL;
    }
    return g_steal_pointer (&media);
}

/* The passphrase as the kiosk hands it over (kiosk-driver.c
 * passphrase_memfd()): a sealed memfd named by /proc/self/fd/N, closed
 * when the medium's inspection ended. */
static int
passphrase_memfd (const char *text)
{
    gsize len = strlen (text);
    int fd = memfd_create ("kikan-passphrase", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (fd < 0 || write (fd, text, len) != (gssize)len || write (fd, "\n", 1) != 1
        || fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)
               != 0) {
        if (fd >= 0)
            close (fd);
        return -1;
    }
    return fd;
}

/* ---- /proc -------------------------------------------------------- */

/* The "VmRSS:" (or other) line of /proc/@pid/status in KiB, -1 if gone. */
static gint64
status_kib (const char *pid, const char *field)
{
    g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);
    g_autofree char *text = NULL;
    const char *at;

    if (!g_file_get_contents (path, &text, NULL, NULL))
        return -1;
    if ((at = strstr (text, field)) == NULL)
        return -1;
    return g_ascii_strtoll (at + strlen (field), NULL, 10);
}

static gint64
count_fds (const char *pid)
{
    g_autofree char *path = g_strdup_printf ("/proc/%s/fd", pid);
    DIR *d = opendir (path);
    struct dirent *de;
    gint64 n = 0;

    if (d == NULL)
        return -1;
    while ((de = readdir (d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir (d);
    /* Our own count includes the descriptor opendir() used to read it. */
    return g_str_equal (pid, "self") ? n - 1 : n;
}

/* The warm daemon: our child whose comm is kikan-scand (its workers are
 * its children, not ours).  0 when none runs. */
static long
find_scand (void)
{
    DIR *d = opendir ("/proc");
    struct dirent *de;
    long me = (long)getpid (), found = 0;

    if (d == NULL)
        return 0;
    while (found == 0 && (de = readdir (d)) != NULL) {
        g_autofree char *path = NULL;
        g_autofree char *text = NULL;
        const char *close_paren;
        long ppid = 0;

        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        path = g_strdup_printf ("/proc/%s/stat", de->d_name);
        if (!g_file_get_contents (path, &text, NULL, NULL))
            continue;
        /* "pid (comm) S ppid …": comm may hold anything, look after the last ')'. */
        if ((close_paren = strrchr (text, ')')) == NULL
            || sscanf (close_paren + 1, " %*c %ld", &ppid) != 1 || ppid != me)
            continue;
        if (strstr (text, "(kikan-scand)") != NULL)
            found = strtol (de->d_name, NULL, 10);
    }
    closedir (d);
    return found;
}

static guint
count_entries (const char *dir)
{
    GDir *d = g_dir_open (dir, 0, NULL);
    guint n = 0;

    if (d == NULL)
        return 0;
    while (g_dir_read_name (d) != NULL)
        n++;
    g_dir_close (d);
    return n;
}

/* ---- the station, as the kiosk opens it ---------------------------- */

typedef struct {
    GMainLoop *loop;
    GAsyncResult *result;
} Wait;

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
    Wait *w = data;

    w->result = g_object_ref (result);
    g_main_loop_quit (w->loop);
}

static KikanStation *
open_station (KikanHome *home, const char *kiosk_id, const char *const *databases)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_autoptr (KikanStation) station = NULL;
    g_autoptr (KikanStationReport) report = NULL;
    KikanStationOptions options = { 0 };
    Wait w = { loop, NULL };

    options.kiosk_id = kiosk_id;
    options.databases = databases;
    /* An explicit KIKAN_SANDBOX=null only: a test seam, so only the build
     * tree's soak program honours it (kikan/test-seam.h). */
    options.null_sandbox = g_strcmp0 (kikan_test_seam ("KIKAN_SANDBOX"), "null") == 0;
    if ((station = kikan_station_open (home, &options, &error)) == NULL) {
        fail ("opening the station", error);
        return NULL;
    }
    /* The start-up view warms the engine, then runs the self-test. */
    kikan_station_warm_async (station, NULL, on_done, &w);
    g_main_loop_run (loop);
    if (!kikan_station_warm_finish (station, w.result, &error)) {
        g_clear_object (&w.result);
        fail ("warming the engine", error);
        return NULL;
    }
    g_clear_object (&w.result);
    kikan_station_selftest_async (station, NULL, on_done, &w);
    g_main_loop_run (loop);
    report = kikan_station_selftest_finish (station, w.result, &error);
    g_clear_object (&w.result);
    if (report == NULL) {
        fail ("the start-up self-test", error);
        return NULL;
    }
    for (guint i = 0; i < report->checks->len; i++) {
        const KikanStationCheck *c = report->checks->pdata[i];

        if (c->status != KIKAN_CHECK_PASS)
            fprintf (stderr, "kikan-soak: self-test %s %s: %s\n", c->id,
                     c->status == KIKAN_CHECK_FAIL ? "FAIL" : "WARN", c->detail);
    }
    if (!kikan_station_may_check_in (station)) {
        fprintf (stderr, "kikan-soak: the station refuses check-ins (KR-36)\n");
        return NULL;
    }
    return g_steal_pointer (&station);
}

/* The ledger: one asset per medium of the set (SK-01 …) and
 * N_EMPLOYEES employees for each (E0101 …), who take turns returning it;
 * the asset is lent before each check-in as IT's ledger import would (not
 * part of what is measured: it is SQL, not the kiosk).  Each medium has
 * employees of its own so that an earlier held check-in (PROC-08) holds
 * only the sessions of the media that hold, as at a real entrance. */
static gboolean
setup_ledger (KikanStore *store, guint n_media)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GString) sql = g_string_new ("BEGIN IMMEDIATE;");

    for (guint i = 1; i <= n_media; i++)
        for (guint e = 1; e <= N_EMPLOYEES; e++)
            g_string_append_printf (sql, "INSERT INTO employees (id, name, updated_at) VALUES "
                                         "('E%02u%02u', 'Soak employee %u-%u', "
                                         "'2026-11-01T00:00:00Z');",
                                    i, e, i, e);
    for (guint i = 1; i <= n_media; i++)
        g_string_append_printf (sql, "INSERT INTO assets (id, type, serial, "
                                     "encryption_required, classification_max, updated_at) "
                                     "VALUES ('SK-%02u', 'usb', 'SKS%06u', 0, 'internal', "
                                     "'2026-11-01T00:00:00Z');",
                                i, i);
    g_string_append (sql, "COMMIT;");
    if (!kikan_store_exec (store, sql->str, &error)) {
        fail ("the ledger", error);
        return FALSE;
    }
    return TRUE;
}

static gboolean
lend (KikanStore *store, const char *asset, const char *employee)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *sql = g_strdup_printf (
        "BEGIN IMMEDIATE;"
        "UPDATE loans SET returned_on = date('now') WHERE asset_id = '%s' "
        "AND returned_on IS NULL;"
        "INSERT INTO loans (asset_id, employee_id, lent_on, telework_method) "
        "VALUES ('%s', '%s', '2026-10-01', 'standalone');"
        "COMMIT;",
        asset, asset, employee);

    if (!kikan_store_exec (store, sql, &error)) {
        fail ("lending", error);
        return FALSE;
    }
    return TRUE;
}

/* ---- one check-in -------------------------------------------------- */

typedef struct {
    GMainLoop *loop;
    KikanCheckin *checkin;
    gboolean ok;
    GError *error;
} Inspect;

static void
on_inspected (GObject *source, GAsyncResult *result, gpointer data)
{
    Inspect *w = data;

    w->ok = kikan_checkin_inspect_finish (w->checkin, result, &w->error);
    g_main_loop_quit (w->loop);
}

/* One employee's visit, the kiosk's calls in the kiosk's order.  The
 * overall verdict goes to @verdict, the slip's outcome to @slip_ok. */
static gboolean
checkin_once (KikanStation *station, const char *employee, const char *asset,
              const Medium *m, char **verdict, gboolean *slip_ok)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_autoptr (JsonNode) root = NULL;
    g_autoptr (KikanStationSlip) slip = NULL;
    KikanScriptPresent p = { 0 };
    Inspect w = { loop, NULL, FALSE, NULL };
    KikanCheckin *c;
    gboolean ok = FALSE;
    gint64 item;
    int pfd = -1;

    if ((c = kikan_station_begin_checkin (station, employee, &error)) == NULL) {
        fail ("begin", error);
        return FALSE;
    }
    w.checkin = c;
    for (guint q = 1; q <= N_QUESTIONS; q++) {
        g_autofree char *name = g_strdup_printf ("Q%u", q);

        /* Q19 is the confirmation of the whole declaration (DEC-11). */
        if (!kikan_checkin_answer (c, name, q == N_QUESTIONS ? "yes" : "no", NULL, &error)) {
            fail (name, error);
            goto out;
        }
    }
    p.asset = (char *)asset;
    p.medium = m->path;
    p.passphrase_files = (char *[]){ NULL };
    if ((item = kikan_checkin_present (c, &p, &error)) == 0) {
        fail ("present", error);
        goto out;
    }
    if (m->passphrase != NULL) {
        g_autofree char *fd_path = NULL;

        if ((pfd = passphrase_memfd (m->passphrase)) < 0) {
            fprintf (stderr, "kikan-soak: memfd: %s\n", g_strerror (errno));
            goto out;
        }
        fd_path = g_strdup_printf ("/proc/self/fd/%d", pfd);
        if (!kikan_checkin_set_passphrase_files (c, item, (const char *const[]){ fd_path, NULL },
                                                 &error)) {
            fail ("passphrase", error);
            goto out;
        }
    }
    kikan_checkin_inspect_async (c, item, NULL, NULL, on_inspected, &w);
    g_main_loop_run (loop);
    if (!w.ok) {
        /* The kiosk shows the failure on the item and goes on: the item
         * is recorded failed (HOLD); so does the soak. */
        fprintf (stderr, "kikan-soak: inspection of %s (%s): %s\n", m->kind, m->path,
                 w.error != NULL ? w.error->message : "failed");
        g_clear_error (&w.error);
    }
    if (pfd >= 0) {
        close (pfd);
        pfd = -1;
    }
    if (!kikan_checkin_end_visit (c, &error)) {
        fail ("end_visit", error);
        goto out;
    }
    if ((root = kikan_checkin_to_json (c, &error)) == NULL) {
        fail ("to_json", error);
        goto out;
    }
    slip = kikan_station_issue_slip (station, kikan_checkin_get_session_id (c), root);
    *slip_ok = slip->number != NULL && slip->pdf_path != NULL
               && g_file_test (slip->pdf_path, G_FILE_TEST_IS_REGULAR);
    if (!*slip_ok)
        fprintf (stderr, "kikan-soak: no slip: %s\n",
                 slip->not_issued != NULL ? slip->not_issued : "no PDF archived");
    *verdict = kikan_checkin_dup_verdict (kikan_station_get_store (station),
                                          kikan_checkin_get_session_id (c));
    ok = TRUE;

out:
    if (pfd >= 0)
        close (pfd);
    if (!ok)
        (void)kikan_checkin_abandon (c, NULL);
    kikan_station_end_checkin (station, c);
    /* What the kiosk's driver must also leave between two people: no
     * check-in still counted by the station (ui/employee/kiosk-driver.c). */
    if (kikan_station_get_n_checkins (station) != 0) {
        fprintf (stderr, "kikan-soak: the station still counts %u check-ins\n",
                 kikan_station_get_n_checkins (station));
        ok = FALSE;
    }
    return ok;
}

/* ---- main ---------------------------------------------------------- */

int
main (int argc, char **argv)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *media_path = NULL, *tsv_path = NULL, *kiosk_id = NULL;
    g_auto (GStrv) databases = NULL;
    gint checkins = 500, every = 1;
    g_autoptr (GOptionContext) ctx = g_option_context_new ("- a day of check-ins");
    const GOptionEntry entries[] = {
        { "media", 0, 0, G_OPTION_ARG_FILENAME, &media_path, "the media set (TSV)", "FILE" },
        { "tsv", 0, 0, G_OPTION_ARG_FILENAME, &tsv_path, "where the samples go", "FILE" },
        { "checkins", 0, 0, G_OPTION_ARG_INT, &checkins, "how many (500)", "N" },
        { "sample-every", 0, 0, G_OPTION_ARG_INT, &every, "sample after every K (1)", "K" },
        { "kiosk-id", 0, 0, G_OPTION_ARG_STRING, &kiosk_id, "printed on slips", "ID" },
        { "database", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &databases, "signatures", "PATH" },
        { NULL },
    };
    g_autoptr (GPtrArray) media = NULL;
    g_autoptr (KikanHome) home = NULL;
    g_autoptr (KikanStation) station = NULL;
    g_autofree char *home_tmp = NULL;
    FILE *tsv = NULL;
    gint64 t0;
    guint slips = 0;
    int status = 1;

    g_option_context_add_main_entries (ctx, entries, NULL);
    if (!g_option_context_parse (ctx, &argc, &argv, &error) || media_path == NULL
        || tsv_path == NULL || checkins < 1 || every < 1) {
        fprintf (stderr, "kikan-soak: %s\n",
                 error != NULL ? error->message : "--media and --tsv are needed, N, K > 0");
        return 2;
    }
    if ((media = load_media (media_path, &error)) == NULL) {
        fail ("the media", error);
        return 2;
    }
    /* KIKAN_HOME, as kikan-kiosk (scripts/soak.sh made it fresh). */
    home = kikan_home_new ();
    if ((station = open_station (home, kiosk_id != NULL ? kiosk_id : "soak-1",
                                 (const char *const *)databases)) == NULL)
        return 1;
    if (!setup_ledger (kikan_station_get_store (station), media->len))
        goto out;
    home_tmp = g_build_filename (kikan_home_get_path (home), "tmp", NULL);
    if ((tsv = fopen (tsv_path, "we")) == NULL) {
        fprintf (stderr, "kikan-soak: %s: %s\n", tsv_path, g_strerror (errno));
        goto out;
    }
    fprintf (tsv, "checkin\telapsed_s\tkiosk_rss_kib\tkiosk_fds\tdaemon_rss_kib\tdaemon_fds"
                  "\tdaemon_pid\tkiosk_heap_kib\tkiosk_rss_anon_kib\tdaemon_rss_anon_kib"
                  "\thome_tmp_entries\tkind\tverdict\n");
    t0 = g_get_monotonic_time ();
    for (gint k = 0; k <= checkins; k++) {
        const Medium *m = k > 0 ? media->pdata[(guint)(k - 1) % media->len] : NULL;
        g_autofree char *verdict = NULL;

        if (k > 0) {
            g_autofree char *employee = g_strdup_printf (
                "E%02u%02u", (guint)(k - 1) % media->len + 1,
                (guint)(k - 1) / media->len % N_EMPLOYEES + 1);
            g_autofree char *asset = g_strdup_printf ("SK-%02u",
                                                      (guint)(k - 1) % media->len + 1);
            gboolean slip_ok = FALSE;

            if (!lend (kikan_station_get_store (station), asset, employee)
                || !checkin_once (station, employee, asset, m, &verdict, &slip_ok))
                goto out;
            slips += slip_ok;
        }
        /* Row 0 is the station after its start-up self-test, before the
         * first check-in. */
        if (k == 0 || k % every == 0 || k == checkins) {
            struct mallinfo2 mi = mallinfo2 ();
            long scand = find_scand ();
            g_autofree char *spid = g_strdup_printf ("%ld", scand);

            fprintf (tsv, "%d\t%.2f\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT
                          "\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%ld\t%zu"
                          "\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\t%u\t%s\t%s\n",
                     k, (g_get_monotonic_time () - t0) / 1e6, status_kib ("self", "VmRSS:"),
                     count_fds ("self"), scand > 0 ? status_kib (spid, "VmRSS:") : -1,
                     scand > 0 ? count_fds (spid) : -1, scand, mi.uordblks / 1024,
                     status_kib ("self", "RssAnon:"),
                     scand > 0 ? status_kib (spid, "RssAnon:") : -1, count_entries (home_tmp),
                     m != NULL ? m->kind : "-", verdict != NULL ? verdict : "-");
            fflush (tsv);
        }
        if (k > 0 && (k % 50 == 0 || k == checkins))
            fprintf (stderr, "kikan-soak: %d/%d check-ins, %.0f s\n", k, checkins,
                     (g_get_monotonic_time () - t0) / 1e6);
    }
    if (slips != (guint)checkins) {
        fprintf (stderr, "kikan-soak: %u slips for %d check-ins\n", slips, checkins);
        goto out;
    }
    status = 0;

out:
    if (tsv != NULL)
        fclose (tsv);
    return status;
}
