/* Fallback extractors (issue #2 item 4): libarchive for what libclamav
 * skips or misreads (ZIP64 local-extra sizes, RAR5, anything it silently
 * drops), libunarr for RAR 1.5-4 (libarchive 3.6 fails on RAR v2.0 data).
 * Both run only inside the sandboxed worker. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kikan/source.h"

typedef struct KikanArchive KikanArchive;

/* Bytes to scan: a memory buffer, or (only for the engine's one read of a
 * file, engine.c scan_top) a KikanSource read with its pread function.
 * The extractors below take memory blobs only. */
typedef struct {
    const unsigned char *data;  /* non-NULL: memory source */
    const KikanSource *src;     /* used when data is NULL */
    uint64_t size;
} KikanBlob;

/* The ways a person's tools take an archive apart (issue #8 item 2):
 * each is a separate extraction route, and Kikan scans what every route
 * yields (or says why it could not). */
typedef enum {
    /* The archive's own index: a zip's central directory (Windows
     * Explorer, 7-Zip, Python's zipfile), a RAR's or 7z's headers, a tar
     * read front to back.  libunarr for RAR 1.5-4, libarchive otherwise. */
    KIKAN_ROUTE_INDEX = 0,
    /* A zip read front to back by its local headers, as streaming readers
     * do (bsdtar from a pipe, Java's ZipInputStream). */
    KIKAN_ROUTE_STREAM,
    /* A bare compressed stream (.gz .bz2 .xz .lzma .lz .zst .lz4 .Z),
     * every concatenated stream of it, decompressed as gzip/bzip2/xz/zstd
     * and friends do (issue #8 item 4). */
    KIKAN_ROUTE_RAW,
    /* A tar read on past its end-of-archive blocks into a tar that
     * follows, as GNU tar -i, bsdtar --ignore-zeros and Python's
     * ignore_zeros do. */
    KIKAN_ROUTE_TAR_CONCAT,
    /* A RAR or 7z found inside other bytes (a self-extractor, an archive
     * appended to a file), opened from its signature; bytes there that do
     * not parse as one are not one. */
    KIKAN_ROUTE_SFX,
    /* A zip found through the end record at the end of bytes another
     * format claimed first (a tar or an ISO 9660 image that is also a
     * zip): unzip, Python's zipfile and 7-Zip's zip handler open the file
     * as the zip that record describes. */
    KIKAN_ROUTE_ZIP_END,
} KikanArchiveRoute;

typedef struct {
    const char *name;     /* borrowed until the next call; hostile */
    uint64_t size;
    int size_known;
    int encrypted;
    int is_regular;
    /* A directory (in a zip: one that carries no data): the only entries
     * whose data is not read.  Every other entry (links, devices, FIFOs,
     * entries of no type, a zip "directory" with data) is extracted, since
     * 7-Zip, Python's zipfile, ar and bsdtar write such entries' data out
     * as ordinary files. */
    int is_directory;
    /* A tar device or FIFO entry: libarchive reads no data for it, but a
     * size in its header makes 7-Zip extract the bytes that follow as a
     * file (and libarchive parse them as the next header). */
    int tar_special;
    /* A symbolic link's target as the archive stores it (a zip keeps it
     * as the entry's data, which 7-Zip and Python's zipfile write out as
     * a file's content), or NULL.  Borrowed like name. */
    const char *link_target;
    const char *type_name;  /* "symbolic link", "device", ... for messages */
    int is_tar;             /* the entry comes from a tar (any variant) */
    int is_zip;             /* the entry comes from a zip */
} KikanArchiveEntry;

enum {
    KIKAN_ARCHIVE_NOT_ARCHIVE = 1,  /* no extractor recognises the bytes */
    KIKAN_ARCHIVE_OVER_LIMIT = 2,   /* entry larger than the limit given */
};

/* Opens @blob (in memory) along @route with the extractor suited to it.
 * Returns 0 and sets *out and *extractor (KIKAN_EXTRACTOR_*),
 * KIKAN_ARCHIVE_NOT_ARCHIVE (nothing on that route recognises the bytes:
 * for KIKAN_ROUTE_RAW, no compression filter applies), or a negative
 * KIKAN_E* code with a message in @err (the bytes look like an archive but
 * cannot be parsed).  @blob must outlive the archive.  Only filters built
 * into libarchive are used: one that would run an external program
 * (lrzip, grzip, lzop here) would be killed by the worker's seccomp
 * filter. */
int kikan_archive_open (const KikanBlob *blob, KikanArchiveRoute route, KikanArchive **out,
                        const char **extractor, char *err, size_t errlen);

/* 1 and fills @e for the next entry, 0 at the end, negative KIKAN_E* on a
 * parse error (message via kikan_archive_error()). */
int kikan_archive_next (KikanArchive *a, KikanArchiveEntry *e);

/* Reads the current entry into a new buffer of at most @limit bytes.
 * Returns 0, KIKAN_ARCHIVE_OVER_LIMIT, or a negative code. */
int kikan_archive_extract (KikanArchive *a, uint64_t limit, unsigned char **buf, size_t *len);

const char *kikan_archive_error (const KikanArchive *a);

/* The first warning an extractor gave about the archive's structure or
 * integrity since the last call (libarchive's ARCHIVE_WARN: sizes that
 * disagree between the central directory and a local header, a bad CRC),
 * or NULL.  Clears it.  Any warning is a reason not to call the archive
 * clean (issue #8 item 2). */
const char *kikan_archive_take_warning (KikanArchive *a);
void kikan_archive_free (KikanArchive *a);
