/* Kikan kiosk: printing a PDF through CUPS (issue #10 item 6; KR-27;
 * docs/printing.md).
 *
 *   [print]                   in $KIKAN_HOME/kikan.conf
 *   queue = slips             the CUPS queue; absent or empty: no printer
 *   server = /run/cups/cups.sock   or host:port; absent: libcups's default
 *   timeout_s = 120           how long to wait for the job to complete
 *
 * A print is over only when CUPS says the job is completed: a job that is
 * aborted, cancelled or stopped, a printer that stops while the job waits
 * (out of paper, a failing backend), or a job still unfinished at the
 * deadline are failures, and such a job is cancelled so that it cannot
 * come out of the printer later while the kiosk has recorded "failed".
 *
 * libcups keeps its server setting per thread: call these from one thread
 * at a time.
 */
#pragma once

#include <glib.h>

#define KIKAN_PRINT_DEFAULT_TIMEOUT_S 120u
#define KIKAN_PRINT_MAX_TIMEOUT_S 3600u
/* A slip is a few hundred KiB; a bigger file is a mistake. */
#define KIKAN_PRINT_MAX_PDF_BYTES (64 * 1024 * 1024)

#define KIKAN_PRINT_ERROR (kikan_print_error_quark ())

typedef enum {
    KIKAN_PRINT_ERROR_NO_SERVICE,    /* no CUPS scheduler answers */
    KIKAN_PRINT_ERROR_NO_QUEUE,      /* the queue does not exist on that server */
    KIKAN_PRINT_ERROR_NOT_ACCEPTING, /* the queue rejects jobs (cupsreject) */
    KIKAN_PRINT_ERROR_STOPPED,       /* the printer is stopped (cupsdisable, backend error) */
    KIKAN_PRINT_ERROR_JOB_FAILED,    /* the job was aborted, cancelled or stopped */
    KIKAN_PRINT_ERROR_TIMEOUT,       /* not completed in time (the job was cancelled) */
    KIKAN_PRINT_ERROR_SUBMIT,        /* CUPS refused the job, or the connection broke */
    KIKAN_PRINT_ERROR_FILE,          /* the PDF could not be read */
} KikanPrintErrorCode;

GQuark kikan_print_error_quark (void);

typedef struct {
    char *queue;     /* NULL: no printer configured */
    char *server;    /* NULL: libcups's default (CUPS_SERVER, client.conf, the local socket) */
    guint timeout_s; /* > 0 */
} KikanPrintSettings;

KikanPrintSettings *kikan_print_settings_new (void); /* no printer, default timeout */
void kikan_print_settings_free (KikanPrintSettings *self); /* accepts NULL */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KikanPrintSettings, kikan_print_settings_free)

/* Reads the [print] group of the kikan.conf at @path (a missing file or
 * group: no printer).  An unknown key, a queue name CUPS would not accept,
 * a bad server or timeout is KIKAN_ERROR_CONFIG naming the file and key. */
KikanPrintSettings *kikan_print_settings_load (const char *path, GError **error);

/* TRUE when @queue is a name CUPS accepts for a queue (1-127 printable
 * characters, none of space, '/', '\\', '#', quotes). */
gboolean kikan_print_queue_name_valid (const char *queue);
/* TRUE when @server is an absolute socket path or host[:port]. */
gboolean kikan_print_server_valid (const char *server);

/* Checks, without printing, that @queue of @server (NULL: the default)
 * exists, is not stopped and accepts jobs, as a print would before making
 * its job (the station's self-test, KR-36).  FALSE with the
 * KIKAN_PRINT_ERROR a print would give, saying what to do. */
gboolean kikan_print_check_queue (const char *server, const char *queue, GError **error);

/* Prints @len bytes of PDF @data on @queue of @server (NULL: the default)
 * as a job named @title, @copies times, and waits until CUPS reports the
 * job completed, at most @timeout_s seconds.  TRUE with *job_id when the
 * job completed; FALSE with a KIKAN_PRINT_ERROR whose message says what
 * happened and what to do (and *job_id set when a job had been made:
 * such a job is cancelled). */
gboolean kikan_print_pdf_data (const char *server, const char *queue, const guint8 *data,
                               gsize len, const char *title, guint copies, guint timeout_s,
                               gint64 *job_id, GError **error);

/* The same for the PDF file at @path (read whole first, at most
 * KIKAN_PRINT_MAX_PDF_BYTES, not following a symbolic link). */
gboolean kikan_print_pdf (const char *server, const char *queue, const char *path,
                          const char *title, guint copies, guint timeout_s, gint64 *job_id,
                          GError **error);

/* Reads the regular file at @path (O_NOFOLLOW) whole, at most @max bytes. */
GBytes *kikan_print_read_file (const char *path, gsize max, GError **error);
