/* What bytes look like to a person's archive tools, decided by their own
 * signatures and independently of libarchive's bidders (issue #8 items 2
 * and 4, second red-team round).
 *
 * libarchive's bidders are strict: a zip whose end record it rejects, an
 * LHA whose first method it does not know, a zstd frame with trailing
 * bytes are "not an archive" to it, while unzip, lhasa or zstd extract
 * them.  The engine asks these functions whether something IS an archive
 * or stream, so that "no extractor here could read it" becomes a reason
 * (parse_error) instead of silence, and so that nested archives
 * libclamav does not type (ar, LHA, old tars) are still taken apart.
 * Plain C, no allocation; runs on hostile bytes inside the worker. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The archive or compressed-stream format whose signature @p starts with
 * (or, for a zip, whose end-of-central-directory record ends it), e.g.
 * "zip", "rar", "7z", "tar", "lha", "ar", or NULL. */
const char *kikan_archive_sniff (const unsigned char *p, size_t n);

/* Whether @p starts like a compressed stream a person's tools decode:
 * KIKAN_STREAM_STRONG for a real signature (gzip, bzip2, xz, lzip, zstd
 * incl. skippable frames, lz4, compress, rpm), KIKAN_STREAM_WEAK for the
 * .lzma guess (no magic; many files pass it by chance), else 0.  Only a
 * strong one that no decoder reads is a reason to hold a file. */
enum { KIKAN_STREAM_WEAK = 1, KIKAN_STREAM_STRONG = 2 };
int kikan_stream_sniff (const unsigned char *p, size_t n);

typedef enum {
    KIKAN_ZIP_END_NONE = 0,      /* no end-of-central-directory record */
    KIKAN_ZIP_END_OK,            /* one record, a single-disk zip */
    KIKAN_ZIP_END_SPLIT,         /* part of a split or spanned zip */
    KIKAN_ZIP_END_INCONSISTENT,  /* the record contradicts itself or its ZIP64 twin */
} KikanZipEnd;

/* Finds a zip's end-of-central-directory record the way unzip does (the
 * last 64 KiB + 22 bytes, the comment must reach the end) and checks it
 * against itself and against a ZIP64 end record.  @why (may be NULL) gets
 * a sentence for SPLIT and INCONSISTENT. */
KikanZipEnd kikan_zip_end_check (const unsigned char *p, size_t n, char *why, size_t whylen);

/* The first offset at or after @from (and after 0) where a RAR or 7z
 * archive's signature appears inside other bytes, or (size_t) -1.  7-Zip
 * and unrar look for them in any file (a self-extractor, an archive
 * appended to a picture or a script), not only in programs. */
size_t kikan_embedded_archive_next (const unsigned char *p, size_t n, size_t from);
