/* Kikan kiosk: one running kikan-scand and the targets scanned through it. */
#include "scan-session-private.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <gio/gio.h>

#include "kikan/errors.h"

#include "error-private.h"
#include "escape-private.h"
#include "test-seams-private.h"

struct KikanScanSession {
    KikanScandClient *client;
    KikanEngineInfo *info;
    gboolean broken;
};

typedef struct {
    KikanScanReport *report;
    guint target;
    const KikanScanSessionEvents *events;
    gpointer user_data;
} Relay;

static void
free_info (KikanEngineInfo *info)
{
    if (info == NULL)
        return;
    kikan_engine_info_clear (info);
    free (info);
}

static KikanScanSession *
session_start (const char *scand_path, const KikanEngineOptions *opts, gboolean probe_only,
               GError **error)
{
    g_autoptr (KikanScanSession) self = g_new0 (KikanScanSession, 1);
    char err[1024] = "";
    int r;

    if (!g_file_test (scand_path, G_FILE_TEST_IS_EXECUTABLE)) {
        /* KIKAN_SCAND is a test seam: worth naming only where it works. */
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_ENGINE, "The scan daemon %s is missing. %s",
                     scand_path,
                     kikan_test_seams_enabled ()
                         ? "Build it, or set KIKAN_SCAND to the kikan-scand to use."
                         : "Reinstall Kikan.");
        return NULL;
    }
    r = kikan_scand_client_spawn (scand_path, opts, &self->client, &self->info, err, sizeof err);
    if (r != 0) {
        /* A daemon that hung or was stopped says nothing about the
         * signatures: the next step is another one then. */
        kikan_set_error_from_code (error, r, err, "The scan engine could not start",
                                   r == KIKAN_ETIMEOUT
                                       ? "Nothing was scanned. Run the command again; if this "
                                         "repeats, call IT."
                                       : "Check the signatures with “kikan signatures status”, "
                                         "or the --database paths.");
        return NULL;
    }
    if (!probe_only && (self->info == NULL || self->info->signatures == 0)) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NO_SIGNATURES,
                     "The scan engine loaded zero signatures, so it would find nothing. Import "
                     "signatures with “kikan signatures import DIR”, or name databases with "
                     "--database.");
        return NULL;
    }
    return g_steal_pointer (&self);
}

KikanScanSession *
kikan_scan_session_new (const char *scand_path, const KikanEngineOptions *opts, GError **error)
{
    g_return_val_if_fail (scand_path != NULL && opts != NULL, NULL);
    /* No database would start a probe-only daemon: not what a scan wants. */
    if (opts->n_databases == 0) {
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_NO_SIGNATURES,
                     "No signature database to load.");
        return NULL;
    }
    return session_start (scand_path, opts, FALSE, error);
}

KikanScanSession *
kikan_scan_session_new_for_probe (const char *scand_path, GError **error)
{
    const KikanEngineOptions none = { 0 };

    g_return_val_if_fail (scand_path != NULL, NULL);
    return session_start (scand_path, &none, TRUE, error);
}

gboolean
kikan_scan_session_is_broken (KikanScanSession *self)
{
    return self->broken;
}

void
kikan_scan_session_free (KikanScanSession *self)
{
    if (self == NULL)
        return;
    kikan_scand_client_free (self->client);
    free_info (self->info);
    g_free (self);
}

const KikanEngineInfo *
kikan_scan_session_get_engine_info (KikanScanSession *self)
{
    return self->info;
}

KikanEngineInfo *
kikan_scan_session_steal_engine_info (KikanScanSession *self)
{
    return g_steal_pointer (&self->info);
}

static void
relay_progress (const KikanProgress *p, void *user_data)
{
    Relay *relay = user_data;

    if (relay->events != NULL && relay->events->progress != NULL)
        relay->events->progress (p, relay->user_data);
}

static void
relay_file (const KikanFileReport *r, void *user_data)
{
    Relay *relay = user_data;

    kikan_scan_report_add_file (relay->report, relay->target, r);
    if (relay->events != NULL && relay->events->file != NULL)
        relay->events->file (relay->report, relay->target, r, relay->user_data);
}

static void
relay_volume (const KikanVolumeReport *v, void *user_data)
{
    Relay *relay = user_data;

    kikan_scan_report_add_volume (relay->report, relay->target, v);
    if (relay->events != NULL && relay->events->volume != NULL)
        relay->events->volume (relay->report, relay->target,
                               kikan_scan_report_get_n_volumes (relay->report, relay->target) - 1,
                               relay->user_data);
}

static void
relay_inventory (const KikanInventory *inv, void *user_data)
{
    Relay *relay = user_data;

    kikan_scan_report_add_inventory (relay->report, relay->target, inv);
}

gboolean
kikan_scan_session_scan (KikanScanSession *self, KikanScanTarget *target,
                         const KikanScanParams *params, KikanScanReport *report,
                         const KikanScanSessionEvents *events, gpointer user_data,
                         GError **error)
{
    guint index;

    g_return_val_if_fail (self != NULL && target != NULL && report != NULL, FALSE);
    index = kikan_scan_report_add_target (report, target->path, target->is_dir);
    kikan_scan_report_set_target_kind (report, index, target->kind, target->size,
                                       params != NULL && params->n_secrets > 0);
    return kikan_scan_session_scan_into (self, target, params, report, index, events, user_data,
                                         error);
}

/* TRUE when @fd is still what @before described: same size, and for a
 * file or folder the same modification and change times (a block
 * device's times do not follow its content; it is read-only while held,
 * BLKROSET). */
static gboolean
same_medium (const struct stat *before, int fd)
{
    struct stat now;

    if (fstat (fd, &now) != 0 || now.st_size != before->st_size)
        return FALSE;
    if (S_ISBLK (now.st_mode))
        return TRUE;
    return now.st_mtim.tv_sec == before->st_mtim.tv_sec
           && now.st_mtim.tv_nsec == before->st_mtim.tv_nsec
           && now.st_ctim.tv_sec == before->st_ctim.tv_sec
           && now.st_ctim.tv_nsec == before->st_ctim.tv_nsec;
}

gboolean
kikan_scan_session_scan_into (KikanScanSession *self, KikanScanTarget *target,
                              const KikanScanParams *params, KikanScanReport *report,
                              guint index, const KikanScanSessionEvents *events,
                              gpointer user_data, GError **error)
{
    static const KikanScandEvents ev = {
        .progress = relay_progress,
        .file = relay_file,
        .volume = relay_volume,
        .inventory = relay_inventory,
    };
    Relay relay = { .report = report, .events = events, .user_data = user_data };
    KikanTargetEnd end = { 0 };
    struct stat before;
    gboolean have_before;
    int r;

    g_return_val_if_fail (self != NULL && target != NULL && report != NULL, FALSE);
    relay.target = index;
    if (self->broken) {
        kikan_scan_report_fail_target (report, relay.target,
                                       "not scanned: the scan daemon had stopped");
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_ENGINE, "The scan daemon has stopped.");
        return FALSE;
    }
    have_before = fstat (target->fd, &before) == 0;
    r = kikan_scand_client_scan (self->client, target->fd, target->path, params, &ev, &relay,
                                 &end);
    if (r == KIKAN_ETIMEOUT) {
        /* The daemon itself did not answer by the deadline (hung, or
         * stopped): the target is not inspected with reason timeout, and
         * the daemon, killed, serves no other target. */
        g_autofree char *shown = kikan_escape_for_display (end.detail ? end.detail : "", -1);

        self->broken = TRUE;
        kikan_scan_report_end_target (report, relay.target, &end);
        kikan_target_end_clear (&end);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_ENGINE,
                     "The scan did not finish in time: %s. The target is reported not "
                     "inspected (timeout). Scan it again; if this repeats, call IT.",
                     shown);
        return FALSE;
    }
    if (r == KIKAN_ECANCELLED) {
        /* kikan_scan_session_cancel() from another thread: the target is
         * not inspected, whatever its files said so far. */
        self->broken = TRUE;
        kikan_target_end_clear (&end);
        kikan_scan_report_fail_target (report, relay.target, "cancelled during the scan");
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                     "The scan was cancelled; the medium is reported not inspected.");
        return FALSE;
    }
    if (r != 0) {
        /* After an interruption the caller's kikan_scan_report_set_interrupted()
         * says so for every target not finished. */
        g_autofree char *detail = g_strdup_printf ("the scan daemon stopped: %s",
                                                   kikan_strerror (r));

        self->broken = TRUE;
        kikan_target_end_clear (&end);
        kikan_scan_report_fail_target (report, relay.target, detail);
        kikan_set_error_from_code (error, r, NULL, "The scan daemon stopped",
                                   "The targets not scanned are reported not inspected; scan "
                                   "them again.");
        return FALSE;
    }
    kikan_scan_report_end_target (report, relay.target, &end);
    kikan_target_end_clear (&end);
    /* The worker checks each file it reads against itself; a disk image or
     * folder changed while it was read (written into behind the kiosk's
     * back) is caught here, on the whole medium: what was read may not be
     * what is on it now, so none of it counts as inspected (KR-10). */
    if (!have_before || !same_medium (&before, target->fd))
        kikan_scan_report_fail_target (report, relay.target,
                                       "changed during the inspection: the medium's size or "
                                       "modification time moved while it was read");
    return TRUE;
}

void
kikan_scan_session_cancel (KikanScanSession *self)
{
    g_return_if_fail (self != NULL);
    kikan_scand_client_cancel (self->client);
}
