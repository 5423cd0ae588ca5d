/* Kikan: the malware engine (libclamav 1.4 plus fallback extractors).
 *
 * Lives in scanner/ and is only ever used inside kikan-scand and its
 * sandboxed children: it parses hostile bytes.  One KikanEngine is loaded
 * and compiled once (DESIGN: "engine loaded once per kiosk start") and may
 * then be used by many threads at once through kikan_engine_scan_fd().
 */
#pragma once

#include <stdint.h>
#include <stddef.h>
#include <time.h>

#include "kikan/report.h"
#include "kikan/source.h"

typedef struct KikanEngine KikanEngine;

/* Scan limits (KR-09).  Zero means "use the default" given in brackets. */
typedef struct {
    uint64_t max_filesize;     /* bytes per file or member          [100 MiB] */
    uint64_t max_scansize;     /* bytes scanned per top-level file  [400 MiB] */
    uint32_t max_recursion;    /* archive nesting depth             [16] */
    uint32_t max_files;        /* members per top-level file        [10000] */
    uint32_t max_scantime_ms;  /* per top-level file                [120000] */
} KikanLimits;

void kikan_limits_apply_defaults (KikanLimits *l);

typedef struct {
    /* Database folders or single database files, loaded in this order.
     * .cvd/.cld/.cud are verified with cl_cvdverify() first: one that fails
     * makes kikan_engine_new() fail (never a silently smaller set). */
    const char *const *databases;
    size_t n_databases;
    KikanLimits limits;
} KikanEngineOptions;

typedef struct {
    char *name;            /* file name, e.g. "daily.cvd" */
    char *path;            /* full path it was loaded from */
    int is_signed;         /* 1 for .cvd/.cld/.cud verified with the ClamAV key */
    unsigned version;      /* 0 for plain signature files */
    int64_t build_time;    /* unix time from the CVD header; file mtime for plain files */
    unsigned signatures;   /* signatures this file contributed */
} KikanDbInfo;

typedef struct {
    char *engine_version;  /* cl_retver() */
    unsigned signatures;   /* total loaded */
    KikanDbInfo *dbs;
    size_t n_dbs;
    int64_t newest_signed_build_time;  /* newest build time of a signed DB, 0 if none */
    double load_seconds;   /* cl_load of everything + cl_engine_compile */
    KikanLimits limits;    /* effective limits */
} KikanEngineInfo;

/* Initialises libclamav once per process (idempotent, thread-safe).
 * Returns 0 or KIKAN_EENGINE. */
int kikan_engine_global_init (void);

/* Loads, verifies and compiles.  On failure returns a KIKAN_E* code, *out is
 * NULL, and @err (if not NULL) holds a message fit for an IT person, naming
 * the file and what to do. */
int kikan_engine_new (const KikanEngineOptions *opts, KikanEngine **out, char *err,
                      size_t errlen);
void kikan_engine_free (KikanEngine *e);  /* accepts NULL */

/* Borrowed; valid until kikan_engine_free(). */
const KikanEngineInfo *kikan_engine_get_info (const KikanEngine *e);

/* Sets the directory libclamav and the fallback extractors may use for
 * temporary files.  Called by a worker child for its private temp dir,
 * before the first scan.  @dir is copied. */
int kikan_engine_set_tmpdir (KikanEngine *e, const char *dir);

/* Scans the regular file open at @fd (read-only, positioned anywhere; the
 * engine uses pread/fmap and does not move the offset) and fills @out,
 * which the caller has zeroed.  @path is the display path copied into
 * @out->path.  Thread-safe.  Always fills a verdict: errors become
 * NOT_INSPECTED with a reason, never CLEAN.  Returns 0, or KIKAN_ENOMEM
 * when even the report could not be built (out is then NOT_INSPECTED if
 * possible). */
int kikan_engine_scan_fd (KikanEngine *e, int fd, const char *path, KikanFileReport *out);

/* Same for any KikanSource: a file inside a volume read through The Sleuth
 * Kit, a decrypted volume.  A read error from the source makes the file
 * NOT_INSPECTED with reason READ_ERROR, never clean. */
int kikan_engine_scan_source (KikanEngine *e, const KikanSource *src, const char *path,
                              KikanFileReport *out);

/* Same for an in-memory buffer (used for fuzzing and selftests). */
int kikan_engine_scan_buffer (KikanEngine *e, const void *buf, size_t len, const char *path,
                              KikanFileReport *out);

/* Deep copy / free of info (for sending it over IPC or keeping it). */
int kikan_engine_info_copy (KikanEngineInfo *dst, const KikanEngineInfo *src);
void kikan_engine_info_clear (KikanEngineInfo *info);  /* accepts NULL */

/* ---- Database files on their own (used by `kikan signatures`) ---- */

/* Verifies one .cvd/.cld/.cud (signature and digest) and reads its header.
 * Returns 0, or KIKAN_EDB with a message in @err. */
int kikan_db_verify (const char *path, unsigned *version, int64_t *build_time,
                     unsigned *signatures, char *err, size_t errlen);

/* 1 if @name has an extension libclamav loads (.cvd .cld .cud .hdb .hsb
 * .mdb .msb .ndb .ldb .yara .yar .cdb .fp .sfp .ign2 .ftm .pdb .wdb ...). */
int kikan_db_is_database_name (const char *name);
/* 1 for .cvd/.cld/.cud. */
int kikan_db_is_signed_name (const char *name);
