/* Fallback extractors: libarchive and libunarr behind one small interface
 * (extract-private.h).  Plain C, runs only inside the sandboxed worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <unarr.h>

#include "kikan/errors.h"
#include "kikan/report.h"
#include "extract-private.h"

#define READ_CHUNK (256 * 1024)

struct KikanArchive {
    const KikanBlob *blob;  /* in memory: the engine reads every file once */
    /* libarchive */
    struct archive *ar;
    uint64_t pos;
    /* libunarr */
    ar_stream *us;
    ar_archive *ua;
    int first;
    KikanArchiveRoute route;
    char err[256];
    char warn[256];      /* first structure/integrity warning not yet taken */
    char warn_taken[256];
};

static const unsigned char rar4_magic[7] = { 'R', 'a', 'r', '!', 0x1a, 0x07, 0x00 };

/* ---- libarchive over the blob's bytes ---- */

static la_ssize_t
la_read (struct archive *ar, void *user, const void **buf)
{
    KikanArchive *a = user;
    const KikanBlob *b = a->blob;
    size_t want;

    (void) ar;
    if (a->pos >= b->size)
        return 0;
    want = READ_CHUNK;
    if (b->size - a->pos < want)
        want = (size_t) (b->size - a->pos);
    *buf = b->data + a->pos;
    a->pos += want;
    return (la_ssize_t) want;
}

static la_int64_t
la_seek (struct archive *ar, void *user, la_int64_t off, int whence)
{
    KikanArchive *a = user;
    int64_t base;

    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t) a->pos; break;
    case SEEK_END: base = (int64_t) a->blob->size; break;
    default: return ARCHIVE_FATAL;
    }
    if (base + off < 0)
        return ARCHIVE_FATAL;
    a->pos = (uint64_t) (base + off);
    if (a->pos > a->blob->size)
        a->pos = a->blob->size;
    return (la_int64_t) a->pos;
}

static la_int64_t
la_skip (struct archive *ar, void *user, la_int64_t request)
{
    KikanArchive *a = user;
    uint64_t left = a->blob->size - a->pos;

    if (request < 0)
        return 0;
    if ((uint64_t) request > left)
        request = (la_int64_t) left;
    a->pos += (uint64_t) request;
    return request;
}

/* Compression filters built into Debian's libarchive (zlib, bzip2, liblzma,
 * libzstd, liblz4).  filter_all would also register lrzip, grzip and lzop,
 * which libarchive runs as external programs: the worker's seccomp filter
 * kills a process that forks, so one crafted file would cost the whole
 * medium. */
static int
support_builtin_filters (struct archive *ar)
{
    int (*const filters[]) (struct archive *) = {
        archive_read_support_filter_gzip,  archive_read_support_filter_bzip2,
        archive_read_support_filter_xz,    archive_read_support_filter_lzma,
        archive_read_support_filter_lzip,  archive_read_support_filter_zstd,
        archive_read_support_filter_lz4,   archive_read_support_filter_compress,
        archive_read_support_filter_uu,    archive_read_support_filter_rpm,
    };

    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++)
        if (filters[i](ar) != ARCHIVE_OK)
            return -1;  /* ARCHIVE_WARN: it would run an external program */
    return 0;
}

static void
note_warning (KikanArchive *a)
{
    const char *msg = archive_error_string (a->ar);

    /* A name whose bytes are not valid in their declared character set
     * says nothing about the archive's structure or content: names are
     * kept as bytes and escaped wherever they are shown. */
    if (msg != NULL
        && (strstr (msg, "can't be converted") != NULL
            || strstr (msg, "cannot be converted") != NULL))
        return;
    if (a->warn[0] == '\0')
        snprintf (a->warn, sizeof a->warn, "libarchive: %s",
                  archive_error_string (a->ar) ? archive_error_string (a->ar)
                                               : "warning about the archive's structure");
}

static int
open_libarchive (KikanArchive *a)
{
    struct archive *ar;

    if ((ar = archive_read_new ()) == NULL)
        return KIKAN_ENOMEM;
    a->ar = ar;
    if (a->route != KIKAN_ROUTE_STREAM && support_builtin_filters (ar) != 0) {
        snprintf (a->err, sizeof a->err,
                  "libarchive here lacks a built-in decompressor: nothing can be extracted");
        return KIKAN_EENGINE;
    }
    switch (a->route) {
    case KIKAN_ROUTE_INDEX:
        /* Real container formats only: "raw" and "mtree" would accept any
         * file and make every text file look like an archive. */
        archive_read_support_format_zip_seekable (ar);
        archive_read_support_format_7zip (ar);
        archive_read_support_format_rar (ar);
        archive_read_support_format_rar5 (ar);
        archive_read_support_format_tar (ar);
        archive_read_support_format_gnutar (ar);
        archive_read_support_format_cpio (ar);
        archive_read_support_format_iso9660 (ar);
        archive_read_support_format_cab (ar);
        archive_read_support_format_lha (ar);
        archive_read_support_format_xar (ar);
        archive_read_support_format_ar (ar);
        break;
    case KIKAN_ROUTE_STREAM:
        archive_read_support_format_zip_streamable (ar);
        break;
    case KIKAN_ROUTE_RAW:
        /* As bsdcat does: "empty" takes a stream that decodes to nothing
         * (an empty .gz), so that only a decoder's failure fails here. */
        archive_read_support_format_raw (ar);
        archive_read_support_format_empty (ar);
        break;
    case KIKAN_ROUTE_SFX:
        archive_read_support_format_rar (ar);
        archive_read_support_format_rar5 (ar);
        archive_read_support_format_7zip (ar);
        break;
    case KIKAN_ROUTE_ZIP_END:
        archive_read_support_format_zip_seekable (ar);
        break;
    case KIKAN_ROUTE_TAR_CONCAT:
        archive_read_support_format_tar (ar);
        archive_read_support_format_gnutar (ar);
        archive_read_set_format_option (ar, "tar", "read_concatenated_archives", "1");
        break;
    }
    archive_read_set_callback_data (ar, a);
    archive_read_set_read_callback (ar, la_read);
    if (a->route != KIKAN_ROUTE_STREAM) {
        archive_read_set_seek_callback (ar, la_seek);
        archive_read_set_skip_callback (ar, la_skip);
    }
    if (archive_read_open1 (ar) != ARCHIVE_OK) {
        snprintf (a->err, sizeof a->err, "libarchive: %s",
                  archive_error_string (ar) ? archive_error_string (ar) : "cannot open");
        return KIKAN_ARCHIVE_NOT_ARCHIVE;
    }
    /* The raw format takes any bytes; it is a route only when a
     * decompressor claimed them (the first filter is "none"). */
    if (a->route == KIKAN_ROUTE_RAW && archive_filter_count (ar) <= 1) {
        snprintf (a->err, sizeof a->err, "not a compressed stream");
        return KIKAN_ARCHIVE_NOT_ARCHIVE;
    }
    return 0;
}

static int blob_starts_with (const KikanBlob *b, const unsigned char *magic, size_t n);

/* A Windows or ELF program: where libarchive goes looking for an embedded
 * self-extracting archive. */
static int
blob_is_program (const KikanBlob *b)
{
    static const unsigned char mz[2] = { 'M', 'Z' }, elf[4] = { 0x7f, 'E', 'L', 'F' };

    return blob_starts_with (b, mz, sizeof mz) || blob_starts_with (b, elf, sizeof elf);
}

static int
blob_starts_with (const KikanBlob *b, const unsigned char *magic, size_t n)
{
    return b->size >= n && memcmp (b->data, magic, n) == 0;
}

int
kikan_archive_open (const KikanBlob *blob, KikanArchiveRoute route, KikanArchive **out,
                    const char **extractor, char *err, size_t errlen)
{
    KikanArchive *a;
    int r;

    *out = NULL;
    if (blob->data == NULL) {
        snprintf (err, errlen, "internal error: archives are read from memory only");
        return KIKAN_EINVAL;
    }
    if ((a = calloc (1, sizeof *a)) == NULL)
        return KIKAN_ENOMEM;
    a->blob = blob;
    a->first = 1;
    a->route = route;

    if ((route == KIKAN_ROUTE_INDEX || route == KIKAN_ROUTE_SFX)
        && blob_starts_with (blob, rar4_magic, sizeof rar4_magic)) {
        /* RAR 1.5-4: libunarr decodes v2.0 and v2.9 data that libarchive 3.6
         * cannot. */
        if ((a->us = ar_open_memory (blob->data, blob->size)) != NULL
            && (a->ua = ar_open_rar_archive (a->us)) != NULL) {
            *extractor = KIKAN_EXTRACTOR_LIBUNARR;
            *out = a;
            return 0;
        }
        /* Fall through to libarchive, which may still know this RAR. */
    }

    r = open_libarchive (a);
    if (r != 0) {
        snprintf (err, errlen, "%s", a->err);
        kikan_archive_free (a);
        return r;
    }
    *extractor = KIKAN_EXTRACTOR_LIBARCHIVE;
    *out = a;
    return 0;
}

static uint64_t
tar_octal (const unsigned char *p, size_t n)
{
    uint64_t v = 0;

    if (p[0] & 0x80)
        return UINT64_MAX;  /* base-256: far too large for a device anyway */
    for (size_t i = 0; i < n && p[i] != '\0' && p[i] != ' '; i++) {
        if (p[i] < '0' || p[i] > '7')
            return UINT64_MAX;
        v = v * 8 + (uint64_t) (p[i] - '0');
    }
    return v;
}

/* For a tar device or FIFO entry just read: 1 when its own header says it
 * has no data.  libarchive ignores that size (POSIX says such entries have
 * none), 7-Zip honours it.  Only an uncompressed tar held in memory can be
 * checked; anything else counts as "not zero" (fail closed). */
static int
tar_header_size_is_zero (KikanArchive *a)
{
    const KikanBlob *b = a->blob;
    la_int64_t pos = archive_read_header_position (a->ar);

    if (b->data == NULL || archive_filter_count (a->ar) > 1 || pos < 0)
        return 0;
    /* The position is where the entry's first header starts: skip the
     * pax and GNU long-name headers that precede the entry's own. */
    for (int hops = 0; hops < 16; hops++) {
        const unsigned char *h;
        uint64_t size;

        if ((uint64_t) pos + 512 > b->size)
            return 0;
        h = b->data + pos;
        size = tar_octal (h + 124, 12);
        if (h[156] == 'x' || h[156] == 'g' || h[156] == 'L' || h[156] == 'K') {
            if (size == UINT64_MAX || size > b->size)
                return 0;
            pos += 512 + (la_int64_t) ((size + 511) / 512 * 512);
            continue;
        }
        return (h[156] == '3' || h[156] == '4' || h[156] == '6') && size == 0;
    }
    return 0;
}

int
kikan_archive_next (KikanArchive *a, KikanArchiveEntry *e)
{
    memset (e, 0, sizeof *e);
    if (a->ua != NULL) {
        if (!ar_parse_entry (a->ua)) {
            if (ar_at_eof (a->ua))
                return 0;
            snprintf (a->err, sizeof a->err, "libunarr: RAR entry could not be parsed");
            /* Inside a program, a RAR signature followed by no entry is
             * just those bytes (an unarchiving library holds them). */
            if (a->first && a->route == KIKAN_ROUTE_SFX)
                return KIKAN_ENOTSUP;
            return KIKAN_EINVAL;
        }
        a->first = 0;
        e->name = ar_entry_get_name (a->ua);
        if (e->name == NULL)
            e->name = "";
        e->size = ar_entry_get_size (a->ua);
        e->size_known = 1;
        e->is_regular = 1;
        return 1;
    } else {
        struct archive_entry *ae;
        int r = archive_read_next_header (a->ar, &ae);

        if (r == ARCHIVE_EOF)
            return 0;
        if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY) {
            snprintf (a->err, sizeof a->err, "libarchive: %s",
                      archive_error_string (a->ar) ? archive_error_string (a->ar)
                                                   : "bad archive header");
            /* A first header that fails before any format recognised the
             * bytes means this is not an archive; once a format has claimed
             * them (e.g. a zip whose central directory points past the end),
             * it is a damaged archive: a parse error.  Except in a program:
             * libarchive searches executables for a self-extracting RAR or
             * zip, and a program that merely contains the magic bytes (an
             * unarchiving library does) is not a damaged archive.  A real
             * self-extractor's archive is also a layer of its own, which
             * libclamav hands over and which is checked from its own magic
             * (engine.c keeps it as a nested archive). */
            if (a->first && (archive_format (a->ar) == 0 || blob_is_program (a->blob)
                             || a->route == KIKAN_ROUTE_SFX))
                return KIKAN_ENOTSUP;
            return KIKAN_EINVAL;
        }
        if (r == ARCHIVE_WARN)
            note_warning (a);
        a->first = 0;
        e->name = archive_entry_pathname (ae);
        if (e->name == NULL)
            e->name = "";
        e->size_known = archive_entry_size_is_set (ae);
        e->size = e->size_known ? (uint64_t) archive_entry_size (ae) : 0;
        e->encrypted = archive_entry_is_encrypted (ae) ? 1 : 0;
        e->is_regular = archive_entry_filetype (ae) == AE_IFREG;
        {
            mode_t t = archive_entry_filetype (ae);

            /* A zip's "directory" is only an attribute: 7-Zip and Python
             * write one that carries data out as a file.  In every other
             * format libarchive reads, a directory is one, whatever size
             * its own records take (an ISO 9660 directory's extent). */
            e->is_directory = t == AE_IFDIR
                              && ((archive_format (a->ar) & ARCHIVE_FORMAT_BASE_MASK)
                                      != ARCHIVE_FORMAT_ZIP
                                  || (e->size_known && e->size == 0));
            e->link_target = t == AE_IFLNK ? archive_entry_symlink (ae) : NULL;
            e->type_name = t == AE_IFREG   ? "file"
                           : t == AE_IFDIR ? "directory"
                           : t == AE_IFLNK ? "symbolic link"
                           : t == AE_IFCHR || t == AE_IFBLK ? "device"
                           : t == AE_IFIFO  ? "FIFO"
                           : t == AE_IFSOCK ? "socket"
                                            : "unknown";
            e->is_tar = (archive_format (a->ar) & ARCHIVE_FORMAT_BASE_MASK)
                        == ARCHIVE_FORMAT_TAR;
            e->is_zip = (archive_format (a->ar) & ARCHIVE_FORMAT_BASE_MASK)
                        == ARCHIVE_FORMAT_ZIP;
            e->tar_special = e->is_tar && (t == AE_IFCHR || t == AE_IFBLK || t == AE_IFIFO)
                             && !tar_header_size_is_zero (a);
        }
        return 1;
    }
}

int
kikan_archive_extract (KikanArchive *a, uint64_t limit, unsigned char **buf, size_t *len)
{
    unsigned char *p = NULL;
    size_t cap = 0, n = 0;
    int warnings = 0;

    *buf = NULL;
    *len = 0;
    if (a->ua != NULL) {
        size_t sz = ar_entry_get_size (a->ua);

        if (sz > limit)
            return KIKAN_ARCHIVE_OVER_LIMIT;
        if ((p = malloc (sz ? sz : 1)) == NULL)
            return KIKAN_ENOMEM;
        if (sz > 0 && !ar_entry_uncompress (a->ua, p, sz)) {
            free (p);
            snprintf (a->err, sizeof a->err, "libunarr: RAR data could not be decompressed");
            return KIKAN_EINVAL;
        }
        *buf = p;
        *len = sz;
        return 0;
    }
    for (;;) {
        la_ssize_t r;

        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64 * 1024;
            unsigned char *np;

            if (ncap > limit + 1)
                ncap = (size_t) limit + 1;
            if (ncap <= cap) {
                free (p);
                return KIKAN_ARCHIVE_OVER_LIMIT;
            }
            if ((np = realloc (p, ncap)) == NULL) {
                free (p);
                return KIKAN_ENOMEM;
            }
            p = np;
            cap = ncap;
        }
        r = archive_read_data (a->ar, p + n, cap - n);
        if (r == 0)
            break;
        if (r == ARCHIVE_WARN && ++warnings <= 2) {
            /* E.g. "ZIP bad CRC" at the end of the entry: the bytes are
             * there, but the archive does not vouch for them. */
            note_warning (a);
            continue;
        }
        if (r < 0) {
            snprintf (a->err, sizeof a->err, "libarchive: %s",
                      archive_error_string (a->ar) ? archive_error_string (a->ar)
                                                   : "data error");
            free (p);
            return KIKAN_EINVAL;
        }
        n += (size_t) r;
        if (n > limit) {
            free (p);
            return KIKAN_ARCHIVE_OVER_LIMIT;
        }
    }
    *buf = p;
    *len = n;
    return 0;
}

const char *
kikan_archive_take_warning (KikanArchive *a)
{
    if (a->warn[0] == '\0')
        return NULL;
    memcpy (a->warn_taken, a->warn, sizeof a->warn_taken);
    a->warn[0] = '\0';
    return a->warn_taken;
}

const char *
kikan_archive_error (const KikanArchive *a)
{
    return a->err[0] ? a->err : "archive error";
}

void
kikan_archive_free (KikanArchive *a)
{
    if (a == NULL)
        return;
    if (a->ua != NULL)
        ar_close_archive (a->ua);
    if (a->us != NULL)
        ar_close (a->us);
    if (a->ar != NULL)
        archive_read_free (a->ar);
    free (a);
}
