/* Archive and stream signatures, and a zip's end record checked the way
 * unzip reads it (archive-sniff-private.h).  Plain C on hostile bytes:
 * every read is bounds-checked against @n. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "archive-sniff-private.h"

static int
has_at (const unsigned char *p, size_t n, size_t off, const void *magic, size_t len)
{
    return n >= len && off <= n - len && memcmp (p + off, magic, len) == 0;
}

static uint32_t
le16 (const unsigned char *p)
{
    return (uint32_t) p[0] | (uint32_t) p[1] << 8;
}

static uint32_t
le32 (const unsigned char *p)
{
    return le16 (p) | le16 (p + 2) << 16;
}

static uint64_t
le64 (const unsigned char *p)
{
    return (uint64_t) le32 (p) | (uint64_t) le32 (p + 4) << 32;
}

/* ---- compressed streams ---- */

int
kikan_stream_sniff (const unsigned char *p, size_t n)
{
    static const struct {
        const char *magic;
        size_t len;
    } magics[] = {
        { "\x1f\x8b", 2 },                 /* gzip */
        { "BZh", 3 },                      /* bzip2 */
        { "\xfd" "7zXZ\x00", 6 },          /* xz */
        { "\x28\xb5\x2f\xfd", 4 },         /* zstd */
        { "\x04\x22\x4d\x18", 4 },         /* lz4 */
        { "\x02\x21\x4c\x18", 4 },         /* lz4, legacy */
        { "LZIP", 4 },                     /* lzip */
        { "\x1f\x9d", 2 },                 /* compress (.Z) */
        { "\xed\xab\xee\xdb", 4 },         /* rpm */
    };

    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (has_at (p, n, 0, magics[i].magic, magics[i].len))
            return KIKAN_STREAM_STRONG;
    /* lz4/zstd skippable frame (0x184D2A50-5F, little-endian). */
    if (n >= 8 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18)
        return KIKAN_STREAM_STRONG;
    /* .lzma ("alone"): no magic; libarchive's own test is a properties
     * byte below 225 and a dictionary size of 2^n or 2^n + 2^(n-1).  Many
     * ordinary files pass that test by chance, so it is a weak sign. */
    if (n >= 13 && p[0] < 225) {
        uint32_t dict = le32 (p + 1);

        for (int b = 12; b < 31; b++)
            if (dict == (1u << b) || dict == (1u << b) + (1u << (b - 1)))
                return KIKAN_STREAM_WEAK;
    }
    return 0;
}

/* ---- archives ---- */

/* A tar header block: its checksum (octal at 148) equals the sum of its
 * bytes with the checksum field counted as spaces, unsigned (POSIX) or
 * signed (old Sun and v7 tars); GNU tar and Python accept either. */
static int
is_tar_header (const unsigned char *p, size_t n)
{
    uint64_t stored = 0;
    int64_t sum_s = 0;
    uint64_t sum_u = 0;
    size_t i;

    if (n < 512 || p[0] == '\0')
        return 0;
    for (i = 148; i < 156 && (p[i] == ' ' || p[i] == '\0'); i++)
        ;
    if (i == 156)
        return 0;
    for (; i < 156 && p[i] >= '0' && p[i] <= '7'; i++)
        stored = stored * 8 + (uint64_t) (p[i] - '0');
    if (i < 156 && p[i] != ' ' && p[i] != '\0')
        return 0;
    for (i = 0; i < 512; i++) {
        unsigned char c = (i >= 148 && i < 156) ? ' ' : p[i];

        sum_u += c;
        sum_s += (signed char) c;
    }
    return stored == sum_u || (int64_t) stored == sum_s;
}

/* An LHA header: "-lh5-" style method at offset 2, a level of 0-3. */
static int
is_lha_header (const unsigned char *p, size_t n)
{
    if (n < 22 || p[2] != '-' || p[6] != '-' || (p[3] != 'l' && p[3] != 'p'))
        return 0;
    for (int i = 4; i < 6; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'z')))
            return 0;
    return p[20] <= 3;
}

const char *
kikan_archive_sniff (const unsigned char *p, size_t n)
{
    if (p == NULL)
        return NULL;
    if (has_at (p, n, 0, "PK\3\4", 4) || has_at (p, n, 0, "PK\7\10", 4)
        || has_at (p, n, 0, "PK00", 4))
        return "zip";
    if (has_at (p, n, 0, "Rar!\x1a\x07", 6))
        return "rar";
    if (has_at (p, n, 0, "7z\xbc\xaf\x27\x1c", 6))
        return "7z";
    if (has_at (p, n, 0, "MSCF\0\0\0\0", 8))
        return "cab";
    if (has_at (p, n, 0, "!<arch>\n", 8))
        return "ar";
    if (has_at (p, n, 0, "xar!", 4))
        return "xar";
    if (has_at (p, n, 0, "070707", 6) || has_at (p, n, 0, "070701", 6)
        || has_at (p, n, 0, "070702", 6) || has_at (p, n, 0, "\xc7\x71", 2)
        || has_at (p, n, 0, "\x71\xc7", 2))
        return "cpio";
    if (is_lha_header (p, n))
        return "lha";
    if (is_tar_header (p, n))
        return "tar";
    if (has_at (p, n, 0x8001, "CD001", 5))
        return "iso9660";
    if (kikan_zip_end_check (p, n, NULL, 0) != KIKAN_ZIP_END_NONE)
        return "zip";
    return NULL;
}

/* ---- a zip's end record ---- */

/* The end record at @o describes a real central directory: one that ends
 * where the record starts (prefix or not), or one that a ZIP64 locator
 * right before the record describes.  Not an empty one: "PK\5\6" and
 * zeros occur by chance in programs that handle zips (Python's
 * zipimport.pyc, an unzip object file: measured on /usr). */
static int
end_record_is_real (const unsigned char *p, size_t o)
{
    uint32_t cd_size = le32 (p + o + 12);

    if (o >= 20 && memcmp (p + o - 20, "PK\6\7", 4) == 0)
        return 1;
    return cd_size >= 46 && cd_size <= o && memcmp (p + o - cd_size, "PK\1\2", 4) == 0;
}

KikanZipEnd
kikan_zip_end_check (const unsigned char *p, size_t n, char *why, size_t whylen)
{
    size_t lo, o = 0;
    int found = 0;
    uint32_t disk, cd_disk, this_entries, entries, cd_size, cd_off;

    if (p == NULL || n < 22)
        return KIKAN_ZIP_END_NONE;
    /* unzip, Python and 7-Zip look back from the end over a maximal
     * comment (the last 64 KiB + 22 bytes) and also accept bytes after the
     * record.  A record whose comment ends the file counts as it is; one
     * followed by other bytes only when its central directory is where it
     * says (or a ZIP64 locator precedes it): "PK\5\6" merely occurring in
     * a program is not a zip.  The one nearest the end wins, as in unzip;
     * memmem because this runs for every file and member. */
    lo = n > 22 + 65535 ? n - 22 - 65535 : 0;
    for (size_t at = lo; at + 22 <= n;) {
        const unsigned char *hit = memmem (p + at, n - at, "PK\5\6", 4);
        size_t h;

        if (hit == NULL || (size_t) (hit - p) + 22 > n)
            break;
        h = (size_t) (hit - p);
        if (h + 22 + le16 (hit + 20) == n
            || (h + 22 + le16 (hit + 20) < n && end_record_is_real (p, h))) {
            o = h;
            found = 1;
        }
        at = h + 1;
    }
    if (!found)
        return KIKAN_ZIP_END_NONE;
    disk = le16 (p + o + 4);
    cd_disk = le16 (p + o + 6);
    this_entries = le16 (p + o + 8);
    entries = le16 (p + o + 10);
    cd_size = le32 (p + o + 12);
    cd_off = le32 (p + o + 16);
    if ((disk != 0 && disk != 0xffff) || (cd_disk != 0 && cd_disk != 0xffff)) {
        if (why)
            snprintf (why, whylen, "part of a split zip (disk %u of its set): the other parts "
                      "are needed to read it; join them (zip -s 0) and scan the whole archive",
                      disk);
        return KIKAN_ZIP_END_SPLIT;
    }
    if (this_entries != entries && this_entries != 0xffff && entries != 0xffff) {
        if (why)
            snprintf (why, whylen, "the zip's end record says %u entries on this disk but %u "
                      "in all: readers disagree about what it holds", this_entries, entries);
        return KIKAN_ZIP_END_INCONSISTENT;
    }
    /* A ZIP64 locator right before the record, and the ZIP64 end record
     * right before the locator (its fixed size is 56 bytes). */
    if (o >= 20 + 56 && memcmp (p + o - 20, "PK\6\7", 4) == 0) {
        const unsigned char *loc = p + o - 20, *z = p + o - 20 - 56;
        uint32_t disks = le32 (loc + 16);

        if (disks > 1) {
            if (why)
                snprintf (why, whylen, "part of a split ZIP64 archive (%u disks): join the "
                          "parts and scan the whole archive", disks);
            return KIKAN_ZIP_END_SPLIT;
        }
        if (memcmp (z, "PK\6\6", 4) == 0) {
            uint64_t entries64 = le64 (z + 32), size64 = le64 (z + 40), off64 = le64 (z + 48);

            if ((entries != 0xffff && entries64 != entries)
                || (cd_size != 0xffffffffu && size64 != cd_size)
                || (cd_off != 0xffffffffu && off64 != cd_off)) {
                if (why)
                    snprintf (why, whylen, "the zip's classic and ZIP64 end records point at "
                              "different central directories: unzip and 7-Zip read one, "
                              "libarchive and Python the other");
                return KIKAN_ZIP_END_INCONSISTENT;
            }
        }
    }
    return KIKAN_ZIP_END_OK;
}

/* ---- self-extracting RAR ---- */

size_t
kikan_embedded_archive_next (const unsigned char *p, size_t n, size_t from)
{
    static const struct {
        const char *magic;
        size_t len;
    } sigs[] = {
        { "Rar!\x1a\x07", 6 },               /* RAR 1.5-4 and 5 */
        { "7z\xbc\xaf\x27\x1c", 6 },          /* 7z */
    };
    size_t best = (size_t) -1;

    if (p == NULL)
        return best;
    if (from == 0)
        from = 1;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        const unsigned char *hit;

        if (from < n && (hit = memmem (p + from, n - from, sigs[i].magic, sigs[i].len)) != NULL
            && (size_t) (hit - p) < best)
            best = (size_t) (hit - p);
    }
    return best;
}
