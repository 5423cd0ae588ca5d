/* Kikan: fault injection for the test-only daemon kikan-scand-fault
 * (tests/unit/worker-faults.cmake; issue #12 item 6, KR-10).
 *
 * The worker's fail-closed paths include some that no input can reach:
 * the engine that cannot even start a report, an engine error on a result
 * that would otherwise be clean, a volume that a scanning thread cannot
 * open again, a file the walk listed that then cannot be opened, an entry
 * the media layer describes in a way the worker does not expect.  The
 * daemon is linked with -Wl,--wrap for the calls the worker makes into
 * the engine and the media layer, so scanner/worker.c is compiled from the
 * very same source and its branches are counted together with the
 * production build's.  Each __wrap_ function calls the real one unless
 * KIKAN_FAULT names its fault:
 *
 *   reader_new          kikan_media_reader_new fails (KIKAN_EIO)
 *   open_stream         kikan_media_reader_open_stream fails (KIKAN_EIO)
 *   open_stream_null    kikan_media_reader_open_stream says 0 but gives no source
 *   scan_no_report      the engine returns KIKAN_ENOMEM and fills nothing
 *   scan_error          the engine scans, then returns KIKAN_EIO with its report
 *   walk_unknown_kind   the walk gives an entry kind the worker does not know
 *                       (every OTHER entry), with no detail
 *   walk_swap_detail    the walk gives OTHER entries a detail and LIMIT
 *                       entries none
 *
 * The variable is read once, in the daemon before the first request; the
 * worker is forked from it and inherits the answer.  Never installed: the
 * production kikan-scand holds none of these names (checked by
 * tests/tools/check-not-in-production.cmake). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kikan/engine.h"
#include "kikan/errors.h"
#include "kikan/report.h"
#include "kikan/source.h"
#include "media-private.h"

typedef enum {
    FAULT_NONE = 0,
    FAULT_READER_NEW,
    FAULT_OPEN_STREAM,
    FAULT_OPEN_STREAM_NULL,
    FAULT_SCAN_NO_REPORT,
    FAULT_SCAN_ERROR,
    FAULT_WALK_UNKNOWN_KIND,
    FAULT_WALK_SWAP_DETAIL,
} Fault;

/* An entry kind KikanEntryKind does not have. */
#define UNKNOWN_ENTRY_KIND 99

static Fault fault = FAULT_NONE;

__attribute__ ((constructor)) static void
fault_init (void)
{
    static const struct {
        const char *name;
        Fault fault;
    } names[] = {
        { "reader_new", FAULT_READER_NEW },
        { "open_stream", FAULT_OPEN_STREAM },
        { "open_stream_null", FAULT_OPEN_STREAM_NULL },
        { "scan_no_report", FAULT_SCAN_NO_REPORT },
        { "scan_error", FAULT_SCAN_ERROR },
        { "walk_unknown_kind", FAULT_WALK_UNKNOWN_KIND },
        { "walk_swap_detail", FAULT_WALK_SWAP_DETAIL },
    };
    const char *v = getenv ("KIKAN_FAULT");

    if (v == NULL || v[0] == '\0')
        return;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp (v, names[i].name) == 0) {
            fault = names[i].fault;
            return;
        }
    /* A misspelt fault must not run the test against an unfaulted daemon
     * that then passes for the wrong reason. */
    abort ();
}

int __real_kikan_media_reader_new (KikanMedia *m, size_t i, KikanMediaReader **out);
int __wrap_kikan_media_reader_new (KikanMedia *m, size_t i, KikanMediaReader **out);
int __real_kikan_media_reader_open_stream (KikanMediaReader *r, uint64_t inode, uint32_t stream,
                                           const KikanSource **src);
int __wrap_kikan_media_reader_open_stream (KikanMediaReader *r, uint64_t inode, uint32_t stream,
                                           const KikanSource **src);
int __real_kikan_engine_scan_fd (KikanEngine *e, int fd, const char *path, KikanFileReport *out);
int __wrap_kikan_engine_scan_fd (KikanEngine *e, int fd, const char *path, KikanFileReport *out);
int __real_kikan_engine_scan_source (KikanEngine *e, const KikanSource *src, const char *path,
                                     KikanFileReport *out);
int __wrap_kikan_engine_scan_source (KikanEngine *e, const KikanSource *src, const char *path,
                                     KikanFileReport *out);
int __real_kikan_media_walk (KikanMedia *m, size_t i,
                             int (*cb) (const KikanEntry *e, void *user_data), void *user_data,
                             char *err, size_t errlen);
int __wrap_kikan_media_walk (KikanMedia *m, size_t i,
                             int (*cb) (const KikanEntry *e, void *user_data), void *user_data,
                             char *err, size_t errlen);

int
__wrap_kikan_media_reader_new (KikanMedia *m, size_t i, KikanMediaReader **out)
{
    if (fault == FAULT_READER_NEW) {
        *out = NULL;
        return KIKAN_EIO;
    }
    return __real_kikan_media_reader_new (m, i, out);
}

int
__wrap_kikan_media_reader_open_stream (KikanMediaReader *r, uint64_t inode, uint32_t stream,
                                       const KikanSource **src)
{
    if (fault == FAULT_OPEN_STREAM) {
        *src = NULL;
        return KIKAN_EIO;
    }
    if (fault == FAULT_OPEN_STREAM_NULL) {
        *src = NULL;
        return 0;
    }
    return __real_kikan_media_reader_open_stream (r, inode, stream, src);
}

int
__wrap_kikan_engine_scan_fd (KikanEngine *e, int fd, const char *path, KikanFileReport *out)
{
    int rc;

    if (fault == FAULT_SCAN_NO_REPORT)
        return KIKAN_ENOMEM;
    rc = __real_kikan_engine_scan_fd (e, fd, path, out);
    return fault == FAULT_SCAN_ERROR && rc == 0 ? KIKAN_EIO : rc;
}

int
__wrap_kikan_engine_scan_source (KikanEngine *e, const KikanSource *src, const char *path,
                                 KikanFileReport *out)
{
    int rc;

    if (fault == FAULT_SCAN_NO_REPORT)
        return KIKAN_ENOMEM;
    rc = __real_kikan_engine_scan_source (e, src, path, out);
    return fault == FAULT_SCAN_ERROR && rc == 0 ? KIKAN_EIO : rc;
}

typedef struct {
    int (*cb) (const KikanEntry *e, void *user_data);
    void *user_data;
} WalkRelay;

/* Hands each entry on, changed as the fault says. */
static int
walk_relay (const KikanEntry *e, void *user_data)
{
    WalkRelay *relay = user_data;
    KikanEntry copy = *e;

    if (fault == FAULT_WALK_UNKNOWN_KIND && e->kind == KIKAN_ENTRY_OTHER) {
        copy.kind = (KikanEntryKind) UNKNOWN_ENTRY_KIND;
        copy.detail = NULL;
    } else if (fault == FAULT_WALK_SWAP_DETAIL && e->kind == KIKAN_ENTRY_OTHER)
        copy.detail = "kikan-scand-fault: a detail on a special file";
    else if (fault == FAULT_WALK_SWAP_DETAIL && e->kind == KIKAN_ENTRY_LIMIT)
        copy.detail = NULL;
    return relay->cb (&copy, relay->user_data);
}

int
__wrap_kikan_media_walk (KikanMedia *m, size_t i, int (*cb) (const KikanEntry *e, void *user_data),
                         void *user_data, char *err, size_t errlen)
{
    WalkRelay relay = { cb, user_data };

    if (fault != FAULT_WALK_UNKNOWN_KIND && fault != FAULT_WALK_SWAP_DETAIL)
        return __real_kikan_media_walk (m, i, cb, user_data, err, errlen);
    return __real_kikan_media_walk (m, i, walk_relay, &relay, err, errlen);
}
