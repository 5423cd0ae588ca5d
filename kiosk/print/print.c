/* Kikan kiosk: printing a PDF through CUPS (issue #10 item 6; KR-27;
 * docs/printing.md).  See print-private.h for what counts as printed. */
#include "print-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cups/cups.h>
#include <glib/gstdio.h>

#include "error-private.h"
#include "escape-private.h"

/* How often the job's state is asked for while waiting. */
#define POLL_INTERVAL_US (200 * 1000)
/* How long connecting to the scheduler may take. */
#define CONNECT_TIMEOUT_MS 5000

G_DEFINE_QUARK (kikan-print-error-quark, kikan_print_error)

KikanPrintSettings *
kikan_print_settings_new (void)
{
    KikanPrintSettings *self = g_new0 (KikanPrintSettings, 1);

    self->timeout_s = KIKAN_PRINT_DEFAULT_TIMEOUT_S;
    return self;
}

void
kikan_print_settings_free (KikanPrintSettings *self)
{
    if (self == NULL)
        return;
    g_free (self->queue);
    g_free (self->server);
    g_free (self);
}

gboolean
kikan_print_queue_name_valid (const char *queue)
{
    gsize n;

    if (queue == NULL || (n = strlen (queue)) == 0 || n > 127)
        return FALSE;
    for (const char *c = queue; *c != '\0'; c++)
        if (*c <= ' ' || *c >= 0x7f || strchr ("/\\#'\"", *c) != NULL)
            return FALSE;
    return TRUE;
}

gboolean
kikan_print_server_valid (const char *server)
{
    const char *colon;
    gsize n;

    if (server == NULL || (n = strlen (server)) == 0 || n > 1023)
        return FALSE;
    for (const char *c = server; *c != '\0'; c++)
        if (*c <= ' ' || *c >= 0x7f)
            return FALSE;
    if (server[0] == '/')
        return TRUE;
    if ((colon = strrchr (server, ':')) != NULL) {
        guint64 port;

        if (colon == server || colon[1] == '\0'
            || !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
            return FALSE;
    }
    for (const char *c = server; *c != '\0' && c != colon; c++)
        if (!g_ascii_isalnum (*c) && *c != '.' && *c != '-' && *c != '_')
            return FALSE;
    return TRUE;
}

static gboolean
config_error (GError **error, const char *path, const char *key, const char *what)
{
    g_autofree char *shown = kikan_escape_for_display (path, -1);

    g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG, "%s: [print] %s %s. Correct it "
                 "(docs/printing.md) and run the command again.", shown, key, what);
    return FALSE;
}

KikanPrintSettings *
kikan_print_settings_load (const char *path, GError **error)
{
    g_autoptr (KikanPrintSettings) self = kikan_print_settings_new ();
    g_autoptr (GKeyFile) kf = g_key_file_new ();
    g_autoptr (GError) local = NULL;
    g_auto (GStrv) keys = NULL;

    if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local)) {
        g_autofree char *shown = NULL;

        if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return g_steal_pointer (&self);
        shown = kikan_escape_for_display (path, -1);
        g_set_error (error, KIKAN_ERROR, KIKAN_ERROR_CONFIG,
                     "%s cannot be read: %s. Correct it (docs/cli.md) and run the command again.",
                     shown, local->message);
        return NULL;
    }
    if (!g_key_file_has_group (kf, "print"))
        return g_steal_pointer (&self);
    keys = g_key_file_get_keys (kf, "print", NULL, NULL);
    for (gsize i = 0; keys != NULL && keys[i] != NULL; i++) {
        g_autofree char *v = g_key_file_get_string (kf, "print", keys[i], NULL);
        g_autofree char *key = kikan_escape_for_display (keys[i], -1);

        if (v == NULL) {
            config_error (error, path, key, "is not a valid string");
            return NULL;
        }
        g_strstrip (v);
        if (g_str_equal (keys[i], "queue")) {
            if (v[0] != '\0' && !kikan_print_queue_name_valid (v)) {
                config_error (error, path, key, "is not a CUPS queue name (1-127 printable "
                              "characters, no spaces, '/', '\\', '#' or quotes)");
                return NULL;
            }
            g_free (self->queue);
            self->queue = v[0] != '\0' ? g_steal_pointer (&v) : NULL;
        } else if (g_str_equal (keys[i], "server")) {
            if (v[0] != '\0' && !kikan_print_server_valid (v)) {
                config_error (error, path, key, "must be the path of the CUPS socket "
                              "(/run/cups/cups.sock) or host:port");
                return NULL;
            }
            g_free (self->server);
            self->server = v[0] != '\0' ? g_steal_pointer (&v) : NULL;
        } else if (g_str_equal (keys[i], "timeout_s")) {
            guint64 t;

            if (!g_ascii_string_to_unsigned (v, 10, 1, KIKAN_PRINT_MAX_TIMEOUT_S, &t, NULL)) {
                g_autofree char *what = g_strdup_printf (
                    "must be a whole number of seconds from 1 to %u", KIKAN_PRINT_MAX_TIMEOUT_S);

                config_error (error, path, key, what);
                return NULL;
            }
            self->timeout_s = (guint)t;
        } else {
            config_error (error, path, key, "is not a known key (queue, server, timeout_s)");
            return NULL;
        }
    }
    return g_steal_pointer (&self);
}

GBytes *
kikan_print_read_file (const char *path, gsize max, GError **error)
{
    g_autofree char *shown = kikan_escape_for_display (path, -1);
    g_autofree guint8 *buf = NULL;
    struct stat st;
    gsize got = 0;
    int fd;

    if ((fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        int e = errno;

        g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_FILE, "%s cannot be opened: %s",
                     shown, g_strerror (e));
        return NULL;
    }
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || (guint64)st.st_size > max) {
        close (fd);
        g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_FILE,
                     "%s is not a regular file of at most %" G_GSIZE_FORMAT " bytes", shown, max);
        return NULL;
    }
    buf = g_malloc ((gsize)st.st_size + 1);
    for (;;) {
        ssize_t n = read (fd, buf + got, (gsize)st.st_size + 1 - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;

            close (fd);
            g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_FILE,
                         "%s cannot be read: %s", shown, g_strerror (e));
            return NULL;
        }
        if (n == 0)
            break;
        got += (gsize)n;
        if (got > (gsize)st.st_size) {
            close (fd);
            g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_FILE,
                         "%s grew while it was being read", shown);
            return NULL;
        }
    }
    close (fd);
    return g_bytes_new_take (g_steal_pointer (&buf), got);
}

/* ------------------------------------------------------------ CUPS */

typedef struct {
    const char *queue;
    char *server_shown; /* the server, for messages */
    http_t *http;
    char uri[HTTP_MAX_URI];
} Printer;

/* The printer's state (IPP_PSTATE_*), whether it accepts jobs and why it is
 * in that state (escaped; may be empty).  FALSE with the error of the
 * request (KIKAN_PRINT_ERROR_NO_QUEUE when it does not exist). */
static gboolean
printer_state (Printer *p, int *state, gboolean *accepting, char **why, GError **error)
{
    static const char *const attrs[] = { "printer-state", "printer-state-message",
                                         "printer-state-reasons", "printer-is-accepting-jobs" };
    ipp_t *req = ippNewRequest (IPP_OP_GET_PRINTER_ATTRIBUTES);
    ipp_t *resp;
    ipp_attribute_t *a;
    GString *msg = g_string_new (NULL);

    ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, p->uri);
    ippAddStrings (req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                   G_N_ELEMENTS (attrs), NULL, attrs);
    resp = cupsDoRequest (p->http, req, "/");
    if (resp == NULL || ippGetStatusCode (resp) > IPP_STATUS_OK_CONFLICTING) {
        ipp_status_t st = cupsLastError ();
        g_autofree char *detail = kikan_escape_for_display (cupsLastErrorString (), -1);

        ippDelete (resp);
        g_string_free (msg, TRUE);
        if (st == IPP_STATUS_ERROR_NOT_FOUND)
            g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_NO_QUEUE,
                         "The printer '%s' is not set up on this kiosk: the print service at %s "
                         "has no queue of that name. Ask IT to set it up (lpadmin), or correct "
                         "[print] queue in kikan.conf (lpstat -p lists the queues).",
                         p->queue, p->server_shown);
        else
            g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_NO_SERVICE,
                         "The print service at %s did not say how the printer '%s' is: %s. "
                         "Check that CUPS is running on this kiosk.",
                         p->server_shown, p->queue, detail);
        return FALSE;
    }
    *state = (a = ippFindAttribute (resp, "printer-state", IPP_TAG_ENUM)) != NULL
                 ? ippGetInteger (a, 0)
                 : IPP_PSTATE_IDLE;
    *accepting = (a = ippFindAttribute (resp, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN))
                         != NULL
                     ? ippGetBoolean (a, 0)
                     : TRUE;
    if ((a = ippFindAttribute (resp, "printer-state-message", IPP_TAG_TEXT)) != NULL
        && ippGetString (a, 0, NULL) != NULL && ippGetString (a, 0, NULL)[0] != '\0')
        g_string_append (msg, ippGetString (a, 0, NULL));
    if ((a = ippFindAttribute (resp, "printer-state-reasons", IPP_TAG_KEYWORD)) != NULL) {
        for (int i = 0; i < ippGetCount (a); i++) {
            const char *r = ippGetString (a, i, NULL);

            if (r == NULL || g_str_equal (r, "none"))
                continue;
            g_string_append_printf (msg, "%s%s", msg->len > 0 ? "; " : "", r);
        }
    }
    *why = kikan_escape_for_display (msg->str, -1);
    g_string_free (msg, TRUE);
    ippDelete (resp);
    return TRUE;
}

/* The state of job @id (IPP_JSTATE_*), 0 when CUPS does not know it (or
 * could not be asked); *why gets the job's state reasons and the
 * printer's message about it (escaped, may be empty).  Asked with
 * Get-Job-Attributes: cupsGetJobs2() lists only what the job history
 * keeps and says nothing about why a job ended. */
static int
job_state (Printer *p, int id, char **why)
{
    static const char *const attrs[] = { "job-state", "job-state-reasons",
                                         "job-printer-state-message" };
    ipp_t *req = ippNewRequest (IPP_OP_GET_JOB_ATTRIBUTES);
    ipp_t *resp;
    ipp_attribute_t *a;
    GString *msg = g_string_new (NULL);
    int state = 0;

    ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, p->uri);
    ippAddInteger (req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", id);
    ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL,
                  cupsUser ());
    ippAddStrings (req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                   G_N_ELEMENTS (attrs), NULL, attrs);
    resp = cupsDoRequest (p->http, req, "/");
    if (resp != NULL && ippGetStatusCode (resp) <= IPP_STATUS_OK_CONFLICTING) {
        if ((a = ippFindAttribute (resp, "job-state", IPP_TAG_ENUM)) != NULL)
            state = ippGetInteger (a, 0);
        if ((a = ippFindAttribute (resp, "job-printer-state-message", IPP_TAG_TEXT)) != NULL
            && ippGetString (a, 0, NULL) != NULL)
            g_string_append (msg, ippGetString (a, 0, NULL));
        if ((a = ippFindAttribute (resp, "job-state-reasons", IPP_TAG_KEYWORD)) != NULL) {
            for (int i = 0; i < ippGetCount (a); i++) {
                const char *r = ippGetString (a, i, NULL);

                if (r == NULL || g_str_equal (r, "none"))
                    continue;
                g_string_append_printf (msg, "%s%s", msg->len > 0 ? "; " : "", r);
            }
        }
    } else {
        g_debug ("Get-Job-Attributes %d: %s", id, cupsLastErrorString ());
    }
    ippDelete (resp);
    *why = kikan_escape_for_display (msg->str, -1);
    g_string_free (msg, TRUE);
    return state;
}

static void
cancel_job (Printer *p, int id)
{
    if (cupsCancelJob2 (p->http, p->queue, id, 0) != IPP_STATUS_OK)
        g_debug ("Cancelling job %d: %s", id, cupsLastErrorString ());
}

static const char *
state_name (int jstate)
{
    switch (jstate) {
    case IPP_JSTATE_ABORTED: return "aborted";
    case IPP_JSTATE_CANCELED: return "cancelled";
    case IPP_JSTATE_STOPPED: return "stopped";
    default: return "unfinished";
    }
}

/* Hands the PDF to CUPS with cupsPrintFile2(), the call DESIGN.md
 * verified here: the bytes go through a private temporary file (0600, the
 * caller's TMPDIR), so that what is printed is exactly what the caller
 * checked, even if the original file changes meanwhile. */
static gboolean
submit (Printer *p, const guint8 *data, gsize len, const char *title, guint copies, int *id,
        GError **error)
{
    g_autofree char *copies_s = g_strdup_printf ("%u", copies);
    g_autofree char *tmp = NULL;
    g_autoptr (GError) local = NULL;
    cups_option_t *options = NULL;
    int n_options = 0;
    int fd;

    *id = 0;
    if ((fd = g_file_open_tmp ("kikan-print-XXXXXX.pdf", &tmp, &local)) < 0
        || (close (fd), !g_file_set_contents_full (tmp, (const char *)data, (gssize)len,
                                                   G_FILE_SET_CONTENTS_NONE, 0600, &local))) {
        if (tmp != NULL)
            g_unlink (tmp);
        g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_FILE,
                     "The PDF could not be handed to the print service (temporary file: %s).",
                     local->message);
        return FALSE;
    }
    n_options = cupsAddOption ("copies", copies_s, n_options, &options);
    n_options = cupsAddOption ("document-format", CUPS_FORMAT_PDF, n_options, &options);
    *id = cupsPrintFile2 (p->http, p->queue, tmp, title, n_options, options);
    cupsFreeOptions (n_options, options);
    g_unlink (tmp);
    if (*id > 0)
        return TRUE;
    {
        g_autofree char *detail = kikan_escape_for_display (cupsLastErrorString (), -1);

        g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_SUBMIT,
                     "The print service at %s did not take the job for the printer '%s': %s. "
                     "Check the printer and the print service (lpstat -p), then print again.",
                     p->server_shown, p->queue, detail);
        return FALSE;
    }
}

/* Connects to @server and checks that @queue exists, is not stopped and
 * accepts jobs: what a job needs before it is made.  @p is filled for
 * the requests that follow; the caller frees p->server_shown and closes
 * p->http unless it is CUPS_HTTP_DEFAULT. */
static gboolean
open_ready_printer (Printer *p, const char *server, const char *queue, GError **error)
{
    gboolean accepting = TRUE;
    g_autofree char *why = NULL;
    int pstate = 0;

    p->queue = queue;
    cupsSetServer (server);
    p->server_shown = kikan_escape_for_display (cupsServer (), -1);
    httpAssembleURIf (HTTP_URI_CODING_ALL, p->uri, sizeof p->uri, "ipp", NULL, "localhost",
                      ippPort (), "/printers/%s", queue);
    p->http = httpConnect2 (cupsServer (), ippPort (), NULL, AF_UNSPEC, cupsEncryption (), 1,
                            CONNECT_TIMEOUT_MS, NULL);
    if (p->http == NULL) {
        g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_NO_SERVICE,
                     "No print service is running at %s: the printer '%s' cannot be reached. "
                     "Start CUPS on this kiosk (or correct [print] server in kikan.conf).",
                     p->server_shown, queue);
        return FALSE;
    }
    /* That connection only proves that a scheduler answers.  The requests
     * go over libcups's own per-thread connection (CUPS_HTTP_DEFAULT),
     * which it reopens as needed: a connection of ours that carried a
     * document answered the next request with "Service Unavailable" over
     * the local socket (CUPS 2.4.2). */
    httpClose (p->http);
    p->http = CUPS_HTTP_DEFAULT;
    if (!printer_state (p, &pstate, &accepting, &why, error))
        return FALSE;
    if (pstate == IPP_PSTATE_STOPPED) {
        g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_STOPPED,
                     "The printer '%s' is stopped (%s). Check it (out of paper? jammed? "
                     "switched off?), then ask IT to resume it (cupsenable %s).",
                     queue, why[0] != '\0' ? why : "no reason given", queue);
        return FALSE;
    }
    if (!accepting) {
        g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_NOT_ACCEPTING,
                     "The printer '%s' does not accept jobs (%s). Ask IT to accept them again "
                     "(cupsaccept %s).",
                     queue, why[0] != '\0' ? why : "no reason given", queue);
        return FALSE;
    }
    return TRUE;
}

gboolean
kikan_print_check_queue (const char *server, const char *queue, GError **error)
{
    Printer p = { 0 };
    gboolean ok;

    g_return_val_if_fail (kikan_print_queue_name_valid (queue), FALSE);
    g_return_val_if_fail (server == NULL || kikan_print_server_valid (server), FALSE);
    ok = open_ready_printer (&p, server, queue, error);
    if (p.http != NULL && p.http != CUPS_HTTP_DEFAULT)
        httpClose (p.http);
    g_free (p.server_shown);
    return ok;
}

gboolean
kikan_print_pdf_data (const char *server, const char *queue, const guint8 *data, gsize len,
                      const char *title, guint copies, guint timeout_s, gint64 *job_id,
                      GError **error)
{
    Printer p = { .queue = queue };
    gboolean ok = FALSE;
    gboolean accepting = TRUE;
    gint64 deadline;
    int pstate = 0;
    int id = 0;

    g_return_val_if_fail (kikan_print_queue_name_valid (queue), FALSE);
    g_return_val_if_fail (server == NULL || kikan_print_server_valid (server), FALSE);
    g_return_val_if_fail (data != NULL && copies > 0 && timeout_s > 0, FALSE);

    *job_id = 0;
    if (!open_ready_printer (&p, server, queue, error))
        goto out;
    if (!submit (&p, data, len, title, copies, &id, error))
        goto out;
    *job_id = id;
    deadline = g_get_monotonic_time () + (gint64)timeout_s * G_USEC_PER_SEC;
    for (;;) {
        g_autofree char *jwhy = NULL;
        int js = job_state (&p, id, &jwhy);

        if (js == IPP_JSTATE_COMPLETED) {
            ok = TRUE;
            goto out;
        }
        if (js == IPP_JSTATE_ABORTED || js == IPP_JSTATE_CANCELED || js == IPP_JSTATE_STOPPED
            || js == 0) {
            const char *w = jwhy;

            if (js == IPP_JSTATE_STOPPED)
                cancel_job (&p, id);
            if (js == 0)
                g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_JOB_FAILED,
                             "The print service no longer knows job %d on the printer '%s'. "
                             "Check whether the slip came out.", id, queue);
            else
                g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_JOB_FAILED,
                             "The printer '%s' did not print job %d: the job was %s (%s). "
                             "Check the printer (out of paper? jammed?).",
                             queue, id, state_name (js), w[0] != '\0' ? w : "no reason given");
            goto out;
        }
        /* Pending, held or processing: a printer that stopped meanwhile
         * (a failing backend under the stop-printer policy, cupsdisable)
         * will not print it. */
        {
            g_autofree char *w = NULL;

            if (printer_state (&p, &pstate, &accepting, &w, NULL)
                && pstate == IPP_PSTATE_STOPPED) {
                cancel_job (&p, id);
                g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_STOPPED,
                             "The printer '%s' stopped (out of paper?) before job %d was "
                             "printed (%s). The job was cancelled so that it does not come "
                             "out later. Check the printer, then ask IT to resume it "
                             "(cupsenable %s).",
                             queue, id, w[0] != '\0' ? w : "no reason given", queue);
                goto out;
            }
        }
        if (g_get_monotonic_time () >= deadline) {
            cancel_job (&p, id);
            g_set_error (error, KIKAN_PRINT_ERROR, KIKAN_PRINT_ERROR_TIMEOUT,
                         "The printer '%s' did not finish job %d within %u s. The job was "
                         "cancelled so that it does not come out later. Check the printer.",
                         queue, id, timeout_s);
            goto out;
        }
        g_usleep (POLL_INTERVAL_US);
    }

out:
    if (p.http != NULL && p.http != CUPS_HTTP_DEFAULT)
        httpClose (p.http);
    g_free (p.server_shown);
    return ok;
}

gboolean
kikan_print_pdf (const char *server, const char *queue, const char *path, const char *title,
                 guint copies, guint timeout_s, gint64 *job_id, GError **error)
{
    g_autoptr (GBytes) pdf = kikan_print_read_file (path, KIKAN_PRINT_MAX_PDF_BYTES, error);
    gsize len = 0;
    const guint8 *data;

    *job_id = 0;
    if (pdf == NULL)
        return FALSE;
    data = g_bytes_get_data (pdf, &len);
    return kikan_print_pdf_data (server, queue, data != NULL ? data : (const guint8 *)"", len,
                                 title, copies, timeout_s, job_id, error);
}
