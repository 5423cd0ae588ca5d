/* Kikan: what a scan says about one file.
 *
 * These structures cross module and process boundaries (they are encoded
 * by scanner/ipc.c), so they are plain C and fully owned: every string is
 * a heap copy freed by kikan_file_report_clear().  Strings that come from a
 * medium (path, member names, signature names of YARA rules) are HOSTILE:
 * they may hold control characters or invalid UTF-8, and consumers must
 * escape them before display (STYLE rule 14).
 *
 * Fail closed (KR-10, STYLE rule 6): a file is CLEAN only when every part
 * of it came back explicitly clean from an extractor that reached it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kikan/authenticode.h"
#include "kikan/filetype.h"

typedef enum {
    KIKAN_RESULT_CLEAN = 0,
    KIKAN_RESULT_INFECTED = 1,
    KIKAN_RESULT_NOT_INSPECTED = 2,
} KikanResult;

/* Why something was not inspected (KR-09, KR-10, reason MAL-04). */
typedef enum {
    KIKAN_REASON_NONE = 0,
    KIKAN_REASON_ENCRYPTED,        /* encrypted archive or document */
    KIKAN_REASON_LIMIT_EXCEEDED,   /* file size, scan size, recursion, file count */
    KIKAN_REASON_PARSE_ERROR,      /* no extractor could parse it */
    KIKAN_REASON_READ_ERROR,       /* the bytes could not be read */
    KIKAN_REASON_TIMEOUT,          /* scan time limit hit */
    KIKAN_REASON_WORKER_FAILED,    /* the sandboxed worker crashed or was killed */
    KIKAN_REASON_UNSUPPORTED,      /* not a regular file (device, fifo, socket) */
    KIKAN_REASON_SYMLINK,          /* a symbolic link: never followed */
    KIKAN_REASON_ENGINE_ERROR,     /* libclamav returned an unexpected error */
    KIKAN_REASON_CHANGED,          /* size or content changed while it was being read
                                    * (issue #8 item 8): what was scanned is not what is there */
    KIKAN_REASON_INCONSISTENT,     /* extractors disagree about an archive or one of them
                                    * warned about its structure or integrity (issue #8 item 2) */
    KIKAN_REASON__COUNT
} KikanReason;

/* Stable machine-readable names, e.g. "limit_exceeded"; NULL for NONE. */
const char *kikan_reason_to_string (KikanReason r);
/* "clean", "infected", "not_inspected". */
const char *kikan_result_to_string (KikanResult r);

/* Which component reached a piece of content. */
#define KIKAN_EXTRACTOR_CLAMAV     "clamav"
#define KIKAN_EXTRACTOR_LIBARCHIVE "libarchive"
#define KIKAN_EXTRACTOR_LIBUNARR   "libunarr"

/* What a file or member is as a program (issue #4 item 2, KR-17):
 * classified by content inside the worker, hashed, and its Authenticode
 * signature checked when it is a Windows program. */
typedef struct {
    uint8_t type;            /* KikanFileType; KIKAN_FILETYPE_OTHER when not a program */
    uint8_t signature;       /* KikanAuthenticodeStatus (PE types only) */
    uint32_t name_flags;     /* KIKAN_NAME_FLAG_* */
    char sha256[65];         /* of this content, lowercase hex; "" when type is OTHER or
                              * the bytes were not available */
    char signer_sha256[65];  /* signature VALID: SHA-256 of the signing certificate; else "" */
    char *signer_subject;    /* signature VALID: its subject (hostile); else NULL */
} KikanExecInfo;

/* One member of an archive as seen by the cross-check (issue #2 item 4). */
typedef struct {
    char *name;            /* path inside its archive (hostile), may be "" */
    uint32_t depth;        /* 1 = directly inside the file, 2 = inside a member ... */
    uint64_t size;         /* uncompressed size as the extractor saw it */
    char *extractor;       /* KIKAN_EXTRACTOR_* that delivered its content */
    KikanResult result;
    KikanReason reason;
    char *reason_detail;   /* e.g. "Heuristics.Limits.Exceeded.MaxRecursion"; may be NULL */
    char **signatures;     /* all signature names that matched this member */
    size_t n_signatures;
    KikanExecInfo exec;    /* what kind of program it is, if any */
} KikanMember;

#define KIKAN_FILE_FLAG_TOO_SMALL_FOR_ENGINE 0x1u  /* <= 5 bytes: see docs/json.md */
#define KIKAN_FILE_FLAG_PROGRAMS_CUT 0x2u  /* the member list was cut to fit a message and
                                            * programs were among the members left out */
#define KIKAN_FILE_FLAG_SYMLINK 0x4u       /* a symbolic link: its target is in link_target,
                                            * it was never followed and holds no content of
                                            * its own (issue #8, "false holds") */

typedef struct {
    char *path;            /* target-relative path, '/'-separated (hostile) */
    uint64_t size;
    char sha256[65];       /* lowercase hex, "" when the file could not be read */
    KikanResult result;
    KikanReason reason;
    char *reason_detail;   /* human/engine detail for the reason; may be NULL */
    char **signatures;     /* every signature that matched the file or a member */
    size_t n_signatures;
    KikanMember *members;  /* archive members where known */
    size_t n_members;
    uint32_t flags;        /* KIKAN_FILE_FLAG_* */
    double seconds;        /* wall time spent on this file */
    KikanExecInfo exec;    /* what kind of program the file itself is, if any */
    char *link_target;     /* KIKAN_FILE_FLAG_SYMLINK: where the link points (hostile,
                            * never followed); else NULL */
} KikanFileReport;

/* Frees signer_subject and zeroes @x; accepts NULL. */
void kikan_exec_info_clear (KikanExecInfo *x);

/* Releases everything the report owns and zeroes it; accepts NULL. */
void kikan_file_report_clear (KikanFileReport *r);

/* Appends a copy of @name to r->signatures unless already present.
 * Returns 0 or KIKAN_ENOMEM. */
int kikan_file_report_add_signature (KikanFileReport *r, const char *name);

/* Makes @r worse, never better: INFECTED beats NOT_INSPECTED beats CLEAN.
 * The first reason recorded for NOT_INSPECTED is kept. @detail is copied. */
void kikan_file_report_degrade (KikanFileReport *r, KikanResult res, KikanReason reason,
                                const char *detail);

/* Deep copy; returns 0 or KIKAN_ENOMEM (dst is cleared on failure). */
int kikan_file_report_copy (KikanFileReport *dst, const KikanFileReport *src);
