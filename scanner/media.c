/* Media access inside the sandboxed worker (scanner/media-private.h,
 * docs/media.md): partition tables, volume probing and reading file
 * systems in user space.  No kernel mount and no write ever reaches the
 * medium: every byte comes through a KikanSource.
 *
 *  - Partition tables (MBR with its extended chain, GPT) are parsed here,
 *    so that a table pointing past the end yields a clear per-volume
 *    problem instead of a refusal.
 *  - Each volume is probed with libblkid when a descriptor lies under its
 *    source (labels, UUIDs, the widest list of file systems), and always
 *    with our own header checks: encryption headers (LUKS, BitLocker incl.
 *    To Go, Core Storage which libblkid 2.38 does not know, APFS), and the
 *    common file systems for sources without a descriptor (a decrypted
 *    volume, the fuzzer's buffer).  Entropy is sampled, never measured over
 *    the whole volume.
 *  - File systems are read with The Sleuth Kit over an external image whose
 *    read callback is the volume's KikanSource.  The walk is bounded
 *    (depth, entries, revisited directories) and lists allocated entries
 *    only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <blkid/blkid.h>
#include <tsk/libtsk.h>
/* For EXT2FS_INFO (ext_inode_refusal): installed with libtsk-dev, and this
 * file is built against the very version it runs with. */
#include <tsk/fs/tsk_ext2fs.h>

#include "kikan/errors.h"
#include "media-private.h"

/* ---- Constants that shape the probe ---- */

#define KIKAN_MEDIA_DEFAULT_DEPTH 256u
#define KIKAN_MEDIA_DEFAULT_ENTRIES 5000000u

/* The header buffer covers every signature checked here: boot sectors at 0,
 * ext and HFS+ superblocks at 1 KiB, ISO 9660 / UDF descriptors at 32 KiB. */
#define KIKAN_HDR_LEN (40u * 1024u)

/* Entropy: 64 samples of 4 KiB spread evenly over the volume after its
 * first MiB, pooled into one histogram (256 KiB of data).  Random data then
 * measures 7.999 bits/byte (the small-sample deficit is ~0.001), while any
 * file system holding metadata, text or zeros stays well below 7.9. */
#define KIKAN_ENTROPY_SAMPLES 64u
#define KIKAN_ENTROPY_SAMPLE_LEN 4096u
#define KIKAN_ENTROPY_SKIP (1024u * 1024u)
#define KIKAN_ENTROPY_THRESHOLD 7.9

/* The Microsoft Reserved partition (GPT type below): no file system by
 * design; Windows never mounts or shows it and udisks hides it. */
#define KIKAN_GPT_TYPE_MSR "e3c9e316-0b5c-4db8-817d-f92df00215ae"

/* Partition table bounds: no real medium comes near them, a hostile one
 * stops here with a problem on record. */
#define KIKAN_MAX_LOGICAL 128u
#define KIKAN_MAX_GPT_ENTRIES 1024u
#define KIKAN_MAX_GPT_ARRAY (1024u * 1024u)

/* TSK reads a directory whole into memory: 256 MiB holds millions of
 * entries in any file system, more than max_entries lets through. */
#define KIKAN_MAX_DIR_BYTES (256u * 1024u * 1024u)

/* An APFS container may hold many volumes; each is opened by TSK on its
 * own.  The volume number lives in the top byte of the inode numbers the
 * walk hands out, so readers know which volume an inode belongs to. */
#define KIKAN_MAX_APFS_VOLUMES 64u
#define KIKAN_INODE_VOL_SHIFT 56
#define KIKAN_INODE_MASK ((UINT64_C (1) << KIKAN_INODE_VOL_SHIFT) - 1)

/* An ISO 9660 file as the directory records name its data: what the walk
 * compares between TSK's listing and each directory tree. */
#define KIKAN_ISO_KEY(extent, size) (((uint64_t) (extent) << 32) | (uint64_t) (size))

/* ---- Types ---- */

typedef struct {
    KikanVolume v;
    KikanSourceWindow win;      /* the stored bytes: a window over the disk */
    KikanSource stored;
    const KikanSource *src;     /* stored, or the decrypted view once unlocked */
    int is_apfs;                /* open through TSK's APFS pool */
    int no_data;                /* holds nothing by design (an empty Microsoft Reserved
                                 * partition): "readable", walked as no entries */
    TSK_FS_TYPE_ENUM tsk_type;  /* type to open it as; DETECT when not known */
} KikanMediaVolume;

struct KikanMedia {
    const KikanSource *disk;
    KikanMediaLimits limits;
    KikanMediaVolume *vols;
    size_t n_vols;
    /* Hook for hardware-encrypted USB models (IronKey, Apricorn, DataLocker,
     * ...): their locked state shows no partition at all, their unlocked
     * state a plain FAT, so only the USB identity tells them apart.  The
     * kiosk knows the identity (libusb/udev); once a table of such models
     * exists it will be passed in here, and a match will set
     * encryption_detail ("hardware-encrypted USB model") on every volume.
     * Zero means "not known"; nothing sets it yet. */
    uint16_t usb_vendor_id;
    uint16_t usb_product_id;
};

/* A TSK external image over a KikanSource.  TSK casts the pointer it is
 * given to TSK_IMG_INFO, so that struct must come first. */
typedef struct {
    TSK_IMG_INFO img;
    const KikanSource *src;
    int io_error;               /* set by a failed pread: TSK masks some */
} KikanTskImg;

/* Everything TSK needs to read one volume: a plain file system, or the
 * volumes of an APFS container. */
typedef struct {
    KikanTskImg *img;
    const TSK_POOL_INFO *pool;
    size_t n;
    TSK_IMG_INFO *pool_img[KIKAN_MAX_APFS_VOLUMES];
    TSK_FS_INFO *fs[KIKAN_MAX_APFS_VOLUMES];
    char *name[KIKAN_MAX_APFS_VOLUMES];
    int encrypted[KIKAN_MAX_APFS_VOLUMES];
} KikanTsk;

struct KikanMediaReader {
    KikanMedia *m;
    size_t vi;
    KikanTsk tsk;
    pthread_mutex_t lock;       /* TSK file handles are not thread-safe */
    TSK_FS_FILE *file;
    const TSK_FS_ATTR *attr;
    uint64_t mapped_end;        /* reads at or past here fail: unmapped data */
    KikanSource src;
    KikanSourceWindow raw_win;  /* an ISO 9660 file TSK did not list (iso_raw_open) */
    KikanSource raw;
};

/* ---- Small helpers ---- */

static uint16_t
le16 (const unsigned char *p)
{
    return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t
le32 (const unsigned char *p)
{
    return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16)
           | ((uint32_t) p[3] << 24);
}

static uint64_t
le64 (const unsigned char *p)
{
    return (uint64_t) le32 (p) | ((uint64_t) le32 (p + 4) << 32);
}

static uint16_t
be16 (const unsigned char *p)
{
    return (uint16_t) ((p[0] << 8) | p[1]);
}

static int
set_str (char **dst, const char *s)
{
    char *c = NULL;

    if (s != NULL && (c = strdup (s)) == NULL)
        return KIKAN_ENOMEM;
    free (*dst);
    *dst = c;
    return 0;
}

static int
set_fmt (char **dst, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static int
set_fmt (char **dst, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;

    va_start (ap, fmt);
    n = vasprintf (&s, fmt, ap);
    va_end (ap);
    if (n < 0)
        return KIKAN_ENOMEM;
    free (*dst);
    *dst = s;
    return 0;
}

/* Keeps the first problem on record: it is the root cause. */
static int
add_problem (KikanVolume *v, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static int
add_problem (KikanVolume *v, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL, *joined = NULL;
    int n;

    va_start (ap, fmt);
    n = vasprintf (&s, fmt, ap);
    va_end (ap);
    if (n < 0)
        return KIKAN_ENOMEM;
    if (v->problem == NULL) {
        v->problem = s;
        return 0;
    }
    n = asprintf (&joined, "%s; %s", v->problem, s);
    free (s);
    if (n < 0)
        return KIKAN_ENOMEM;
    free (v->problem);
    v->problem = joined;
    return 0;
}

/* Reads up to @n bytes at @off, stopping early only at the end of the
 * source.  Returns the count, or -1 on a read error. */
static ssize_t
read_upto (const KikanSource *src, void *buf, size_t n, uint64_t off)
{
    size_t done = 0;

    if (off >= src->size)
        return 0;
    if (n > src->size - off)
        n = (size_t) (src->size - off);
    while (done < n) {
        ssize_t r = src->pread (src->handle, (char *) buf + done, n - done, off + done);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        done += (size_t) r;
    }
    return (ssize_t) done;
}

/* CRC-32 (IEEE, GPT) and CRC-32C (Castagnoli, Core Storage), bitwise:
 * they only ever cover a few headers. */
static uint32_t
crc32_any (uint32_t crc, const unsigned char *p, size_t n, uint32_t poly)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc & 1) ? (crc >> 1) ^ poly : crc >> 1;
    }
    return crc;
}

static uint32_t
crc32_ieee (const unsigned char *p, size_t n)
{
    return crc32_any (0xffffffffu, p, n, 0xedb88320u) ^ 0xffffffffu;
}

static void
format_guid (char out[37], const unsigned char *g)
{
    /* GPT GUIDs are mixed-endian: three little-endian fields, then bytes. */
    snprintf (out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", le32 (g),
              le16 (g + 4), le16 (g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14],
              g[15]);
}

/* UTF-16LE (GPT partition names) to UTF-8; unpaired surrogates become
 * U+FFFD.  The result is still hostile text. */
static char *
utf16le_to_utf8 (const unsigned char *p, size_t units)
{
    char *out = malloc (units * 3 + 1), *o = out;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < units; i++) {
        uint32_t c = le16 (p + 2 * i);
        if (c == 0)
            break;
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < units) {
            uint32_t c2 = le16 (p + 2 * (i + 1));
            if (c2 >= 0xdc00 && c2 <= 0xdfff) {
                c = 0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00);
                i++;
            } else {
                c = 0xfffd;
            }
        } else if (c >= 0xd800 && c <= 0xdfff) {
            c = 0xfffd;
        }
        if (c < 0x80) {
            *o++ = (char) c;
        } else if (c < 0x800) {
            *o++ = (char) (0xc0 | (c >> 6));
            *o++ = (char) (0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            *o++ = (char) (0xe0 | (c >> 12));
            *o++ = (char) (0x80 | ((c >> 6) & 0x3f));
            *o++ = (char) (0x80 | (c & 0x3f));
        } else {
            *o++ = (char) (0xf0 | (c >> 18));
            *o++ = (char) (0x80 | ((c >> 12) & 0x3f));
            *o++ = (char) (0x80 | ((c >> 6) & 0x3f));
            *o++ = (char) (0x80 | (c & 0x3f));
        }
    }
    *o = '\0';
    return out;
}

/* libblkid probes only descriptors.  The worker's target is one, and
 * partitions are windows over it, so the descriptor (and the window's
 * offset in it) is found by recognising the two source kinds of
 * source.c by their read functions.  Decrypted volumes and in-memory
 * sources have none: they get our own checks only. */
static int
source_get_fd (const KikanSource *src, int *fd, uint64_t *offset)
{
    KikanSource fd_kind, win_kind;
    KikanSourceWindow w;
    int dummy = -1;
    uint64_t base = 0;

    kikan_source_init_fd (&fd_kind, &dummy, 0);
    kikan_source_init_window (&win_kind, &w, &fd_kind, 0, 0);
    for (int hops = 0; hops < 16 && src != NULL; hops++) {
        if (src->pread == fd_kind.pread) {
            *fd = *(const int *) src->handle;
            *offset = base;
            return *fd >= 0 ? 0 : -1;
        }
        if (src->pread != win_kind.pread)
            break;
        base += ((const KikanSourceWindow *) src->handle)->offset;
        src = ((const KikanSourceWindow *) src->handle)->parent;
    }
    return -1;
}

/* ---- Own header checks ---- */

typedef struct {
    const char *fs;             /* file system name as libblkid spells it, or NULL */
    char fs_version[16];
    KikanEncryption enc;        /* KIKAN_ENC__COUNT: no encryption header */
    char enc_detail[96];
    char uuid[40];
} KikanHeaderInfo;

static const unsigned char bitlocker_guid[16] = {
    /* 4967d63b-2e29-4ad8-8399-f6a339e3d001, as stored */
    0x3b, 0xd6, 0x67, 0x49, 0x29, 0x2e, 0xd8, 0x4a,
    0x83, 0x99, 0xf6, 0xa3, 0x39, 0xe3, 0xd0, 0x01,
};

/* A FAT boot sector whose BIOS parameter block makes sense; sets the FAT
 * width from the cluster count as the specification defines it. */
static int
check_fat (const unsigned char *b, size_t len, char *ver, size_t verlen)
{
    unsigned bps, spc, res, nfats, rootents, fatsz, tot, rootsecs, meta;
    uint64_t clusters;

    if (len < 512 || !((b[0] == 0xeb && b[2] == 0x90) || b[0] == 0xe9))
        return 0;
    bps = le16 (b + 11);
    spc = b[13];
    res = le16 (b + 14);
    nfats = b[16];
    rootents = le16 (b + 17);
    fatsz = le16 (b + 22) ? le16 (b + 22) : le32 (b + 36);
    tot = le16 (b + 19) ? le16 (b + 19) : le32 (b + 32);
    if ((bps != 512 && bps != 1024 && bps != 2048 && bps != 4096) || spc == 0
        || (spc & (spc - 1)) != 0 || res == 0 || nfats == 0 || nfats > 2 || fatsz == 0
        || b[21] < 0xf0)
        return 0;
    rootsecs = (rootents * 32u + bps - 1) / bps;
    meta = res + nfats * fatsz + rootsecs;
    if (tot <= meta)
        return 0;
    clusters = (tot - meta) / spc;
    snprintf (ver, verlen, "%s",
              clusters < 4085 ? "FAT12" : clusters < 65525 ? "FAT16" : "FAT32");
    return 1;
}

/* Checks what the first KIKAN_HDR_LEN bytes say.  Encryption headers are
 * looked at first: a BitLocker volume also carries a FAT-like boot sector. */
static void
check_headers (const unsigned char *b, size_t len, KikanHeaderInfo *h)
{
    memset (h, 0, sizeof *h);
    h->enc = KIKAN_ENC__COUNT;

    if (len >= 8 && memcmp (b, "LUKS\xba\xbe", 6) == 0) {
        unsigned ver = be16 (b + 6);
        if (ver == 1 || ver == 2) {
            h->enc = ver == 1 ? KIKAN_ENC_LUKS1 : KIKAN_ENC_LUKS2;
            snprintf (h->enc_detail, sizeof h->enc_detail, "LUKS%u", ver);
            /* The UUID is a NUL-terminated string at 168 in both versions. */
            if (len >= 168 + 40) {
                memcpy (h->uuid, b + 168, sizeof h->uuid - 1);
                h->uuid[sizeof h->uuid - 1] = '\0';
                for (char *c = h->uuid; *c; c++)
                    if (*c < 0x20 || *c > 0x7e)
                        *c = '?';
            }
            return;
        }
    }
    if (len >= 512 && memcmp (b + 3, "-FVE-FS-", 8) == 0) {
        h->enc = KIKAN_ENC_BITLOCKER;
        snprintf (h->enc_detail, sizeof h->enc_detail, "BitLocker (%s)",
                  b[1] == 0x52 ? "Windows Vista" : "Windows 7 or later");
        return;
    }
    if (len >= 512 && memcmp (b + 3, "MSWIN4.1", 8) == 0
        && memcmp (b + 424, bitlocker_guid, 16) == 0) {
        h->enc = KIKAN_ENC_BITLOCKER;
        snprintf (h->enc_detail, sizeof h->enc_detail, "BitLocker To Go");
        return;
    }
    /* Core Storage physical volume header: "CS" at 88, version 1, CRC-32C
     * (seed in the header, no final xor) over bytes 8..511.  The checksum
     * matters: two magic bytes alone would match random data. */
    if (len >= 512 && b[88] == 'C' && b[89] == 'S' && le16 (b + 8) == 1
        && le32 (b + 90) == 1
        && crc32_any (le32 (b + 4), b + 8, 504, 0x82f63b78u) == le32 (b)) {
        uint32_t cipher = le32 (b + 172);
        if (cipher == 2) {
            h->enc = KIKAN_ENC_FILEVAULT2;
            snprintf (h->enc_detail, sizeof h->enc_detail, "FileVault 2 (Core Storage, AES-XTS)");
        } else {
            h->enc = KIKAN_ENC_UNKNOWN;
            snprintf (h->enc_detail, sizeof h->enc_detail,
                      "Core Storage volume, cipher %u (not readable here)", cipher);
        }
        format_guid (h->uuid, b + 304);
        return;
    }
    if (len >= 36 && memcmp (b + 32, "NXSB", 4) == 0) {
        h->fs = "apfs";
        return;
    }
    if (len >= 512 && memcmp (b + 3, "NTFS    ", 8) == 0) {
        h->fs = "ntfs";
        return;
    }
    if (len >= 512 && memcmp (b + 3, "EXFAT   ", 8) == 0) {
        h->fs = "exfat";
        return;
    }
    if (check_fat (b, len, h->fs_version, sizeof h->fs_version)) {
        h->fs = "vfat";
        return;
    }
    if (len >= 1024 + 104 && le16 (b + 1024 + 56) == 0xef53) {
        uint32_t compat = le32 (b + 1024 + 92), incompat = le32 (b + 1024 + 96);
        /* extents, 64bit, flex_bg, ... are ext4; a journal alone is ext3. */
        h->fs = (incompat & ~0x6u) != 0 ? "ext4" : (compat & 0x4u) ? "ext3" : "ext2";
        return;
    }
    if (len >= 1024 + 4 && ((b[1024] == 'H' && b[1025] == '+' && be16 (b + 1026) == 4)
                            || (b[1024] == 'H' && b[1025] == 'X' && be16 (b + 1026) == 5))) {
        h->fs = "hfsplus";
        return;
    }
    if (len >= 32769 + 5 && memcmp (b + 32769, "BEA01", 5) == 0) {
        /* UDF: a beginning, then NSR02/NSR03 among the next descriptors. */
        for (size_t off = 32769 + 2048; off + 5 <= len; off += 2048)
            if (memcmp (b + off, "NSR02", 5) == 0 || memcmp (b + off, "NSR03", 5) == 0) {
                h->fs = "udf";
                return;
            }
    }
    if (len >= 32769 + 5 && memcmp (b + 32769, "CD001", 5) == 0) {
        h->fs = "iso9660";
        return;
    }
}

/* ---- libblkid ---- */

typedef struct {
    char type[32];
    char version[32];
    char label[256];
    char uuid[64];
    int found;                  /* 1 found, 0 nothing, -2 several conflicting */
} KikanBlkidInfo;

static void
blkid_copy_value (blkid_probe pr, const char *name, char *dst, size_t dstlen)
{
    const char *data = NULL;
    size_t len = 0;

    dst[0] = '\0';
    if (blkid_probe_lookup_value (pr, name, &data, &len) == 0 && data != NULL) {
        if (len > 0 && data[len - 1] == '\0')
            len--;
        if (len >= dstlen)
            len = dstlen - 1;
        memcpy (dst, data, len);
        dst[len] = '\0';
    }
}

static void
probe_blkid (int fd, uint64_t offset, uint64_t size, KikanBlkidInfo *out)
{
    blkid_probe pr;
    int r;

    memset (out, 0, sizeof *out);
    if ((pr = blkid_new_probe ()) == NULL)
        return;
    if (blkid_probe_set_device (pr, fd, (blkid_loff_t) offset, (blkid_loff_t) size) != 0)
        goto out;
    blkid_probe_enable_partitions (pr, 0);
    blkid_probe_enable_superblocks (pr, 1);
    blkid_probe_set_superblocks_flags (pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID
                                               | BLKID_SUBLKS_TYPE | BLKID_SUBLKS_VERSION
                                               | BLKID_SUBLKS_USAGE);
    r = blkid_do_safeprobe (pr);
    if (r == 0) {
        out->found = 1;
        blkid_copy_value (pr, "TYPE", out->type, sizeof out->type);
        blkid_copy_value (pr, "VERSION", out->version, sizeof out->version);
        blkid_copy_value (pr, "LABEL", out->label, sizeof out->label);
        blkid_copy_value (pr, "UUID", out->uuid, sizeof out->uuid);
    } else if (r == -2) {
        out->found = -2;
    }
out:
    blkid_free_probe (pr);
    /* libblkid turns read-ahead off on the descriptor (POSIX_FADV_RANDOM);
     * the scan that follows reads files sequentially through the same open
     * file, so it is turned back on.  In the sandbox both calls fail
     * harmlessly (fadvise64 is not on the allow-list). */
    posix_fadvise (fd, 0, 0, POSIX_FADV_NORMAL);
}

/* ---- Entropy ---- */

/* log2 for 0 < x <= 1 without libm (kikan_scanner does not link it, and
 * the entropy needs only a few decimals): x = m * 2^e with m in [1, 2),
 * ln m = 2 atanh ((m - 1) / (m + 1)), whose series converges fast there. */
static double
kikan_log2 (double x)
{
    int e = 0;
    double z, z2, term, sum = 0;

    while (x < 1) {
        x *= 2;
        e--;
    }
    while (x >= 2) {
        x /= 2;
        e++;
    }
    z = (x - 1) / (x + 1);
    z2 = z * z;
    term = z;
    for (int k = 1; k < 40; k += 2) {
        sum += term / k;
        term *= z2;
    }
    return e + 2 * sum / 0.69314718055994530942;
}

/* Shannon entropy in bits per byte of a histogram of @total bytes; -1 when
 * it is empty. */
static double
histogram_entropy (const uint64_t counts[256], uint64_t total)
{
    double h = 0;

    if (total == 0)
        return -1;
    for (int i = 0; i < 256; i++) {
        if (counts[i] != 0) {
            double p = (double) counts[i] / (double) total;
            h -= p * kikan_log2 (p);
        }
    }
    return h;
}

/* Shannon entropy in bits per byte of evenly spread samples (see
 * KIKAN_ENTROPY_*); -1 when nothing could be read. */
static double
measure_entropy (const KikanSource *src)
{
    uint64_t counts[256] = { 0 }, total = 0, start = 0, span;
    unsigned char *buf;

    if (src->size == 0 || (buf = malloc (KIKAN_ENTROPY_SAMPLE_LEN)) == NULL)
        return -1;
    if (src->size >= 2 * (uint64_t) KIKAN_ENTROPY_SKIP)
        start = KIKAN_ENTROPY_SKIP;
    span = src->size - start;
    for (unsigned k = 0; k < KIKAN_ENTROPY_SAMPLES; k++) {
        uint64_t off = start;
        ssize_t r;
        if (span > KIKAN_ENTROPY_SAMPLE_LEN)
            off += ((span - KIKAN_ENTROPY_SAMPLE_LEN) / (KIKAN_ENTROPY_SAMPLES - 1)) * k;
        off &= ~(uint64_t) 511;
        r = read_upto (src, buf, KIKAN_ENTROPY_SAMPLE_LEN, off);
        for (ssize_t i = 0; i < r; i++)
            counts[buf[i]]++;
        if (r > 0)
            total += (uint64_t) r;
        if (span <= KIKAN_ENTROPY_SAMPLE_LEN)
            break;
    }
    free (buf);
    return histogram_entropy (counts, total);
}

/* ---- The Sleuth Kit over a KikanSource ---- */

static ssize_t
tsk_cb_read (TSK_IMG_INFO *img, TSK_OFF_T off, char *buf, size_t len)
{
    KikanTskImg *t = (KikanTskImg *) img;
    ssize_t r;

    if (off < 0)
        return -1;
    r = read_upto (t->src, buf, len, (uint64_t) off);
    if (r < 0)
        t->io_error = 1;
    return r;
}

static void
tsk_cb_close (TSK_IMG_INFO *img)
{
    free (img);
}

static void
tsk_cb_imgstat (TSK_IMG_INFO *img, FILE *f)
{
}

static KikanTskImg *
tsk_img_new (const KikanSource *src)
{
    /* calloc: TSK expects a zeroed cache table in the struct. */
    KikanTskImg *t = calloc (1, sizeof *t);

    if (t == NULL)
        return NULL;
    t->src = src;
    if (tsk_img_open_external (t, (TSK_OFF_T) src->size, 512, tsk_cb_read, tsk_cb_close,
                               tsk_cb_imgstat)
        == NULL) {
        free (t);
        return NULL;
    }
    return t;
}

static void
kikan_tsk_close (KikanTsk *k)
{
    for (size_t i = 0; i < k->n; i++) {
        if (k->fs[i] != NULL)
            tsk_fs_close (k->fs[i]);
        if (k->pool_img[i] != NULL)
            tsk_img_close (k->pool_img[i]);
        free (k->name[i]);
    }
    if (k->pool != NULL)
        tsk_pool_close (k->pool);
    if (k->img != NULL)
        tsk_img_close (&k->img->img);
    memset (k, 0, sizeof *k);
}

static void
tsk_error_copy (char *err, size_t errlen, const char *what)
{
    const char *e = tsk_error_get ();

    snprintf (err, errlen, "%s: %s", what, e != NULL && *e ? e : "unknown error");
    tsk_error_reset ();
}

/* Opens volume @mv with TSK: one file system, or every volume of an APFS
 * container (encrypted APFS volumes stay closed and are flagged).  Returns
 * 0, or KIKAN_ENOTSUP with @err when nothing could be opened. */
static int
kikan_tsk_open (const KikanMediaVolume *mv, TSK_FS_TYPE_ENUM type, KikanTsk *k, char *err,
                size_t errlen)
{
    memset (k, 0, sizeof *k);
    tsk_error_reset ();
    if (mv->src->size < 512) {
        snprintf (err, errlen, "volume too small for a file system");
        return KIKAN_ENOTSUP;
    }
    if ((k->img = tsk_img_new (mv->src)) == NULL) {
        tsk_error_copy (err, errlen, "cannot set up the image reader");
        return KIKAN_ENOMEM;
    }
    if (mv->is_apfs) {
        const TSK_POOL_VOLUME_INFO *pv;
        int opened = 0;

        if ((k->pool = tsk_pool_open_img_sing (&k->img->img, 0, TSK_POOL_TYPE_APFS)) == NULL) {
            tsk_error_copy (err, errlen, "APFS container not readable");
            goto fail;
        }
        for (pv = k->pool->vol_list; pv != NULL && k->n < KIKAN_MAX_APFS_VOLUMES; pv = pv->next) {
            size_t i = k->n++;
            k->name[i] = strdup (pv->desc != NULL ? pv->desc : "");
            if (k->name[i] == NULL)
                goto fail;
            if (pv->flags & TSK_POOL_VOLUME_FLAG_ENCRYPTED) {
                k->encrypted[i] = 1;
                continue;
            }
            if ((k->pool_img[i] = k->pool->get_img_info (k->pool, pv->block)) == NULL)
                continue;
            if ((k->fs[i] = tsk_fs_open_img (k->pool_img[i], 0, TSK_FS_TYPE_APFS)) != NULL)
                opened++;
            else
                tsk_error_copy (err, errlen, "APFS volume not readable");
        }
        if (k->n == 0) {
            snprintf (err, errlen, "APFS container holds no volume");
            goto fail;
        }
        /* All encrypted is a success here: the probe reports it. */
        for (size_t i = 0; i < k->n; i++)
            opened += k->encrypted[i];
        if (opened == 0) {
            if (errlen > 0 && err[0] == '\0')
                snprintf (err, errlen, "no APFS volume could be opened");
            goto fail;
        }
        return 0;
    }
    k->n = 1;
    if ((k->fs[0] = tsk_fs_open_img (&k->img->img, 0, type)) == NULL) {
        tsk_error_copy (err, errlen, "The Sleuth Kit cannot open it");
        goto fail;
    }
    /* TSK numbers its virtual $OrphanFiles directory last_inum; a hostile
     * ISO 9660 with no file (found by fuzzing) makes that the root's
     * number.  TSK's ISO 9660 code checks for the orphan directory before
     * the root, so opening the root searches for orphans, which opens the
     * root again, and TSK 4.11 takes its orphan lock twice and hangs for
     * good.  (HFS+ checks the root first: a small one has them equal.) */
    if (TSK_FS_TYPE_ISISO9660 (k->fs[0]->ftype)
        && k->fs[0]->root_inum == TSK_FS_ORPHANDIR_INUM (k->fs[0])) {
        snprintf (err, errlen, "its root directory has the number of TSK's orphan directory "
                               "(hostile metadata)");
        goto fail;
    }
    return 0;
fail:
    kikan_tsk_close (k);
    return KIKAN_ENOTSUP;
}

static const char *
tsk_fs_name (TSK_FS_TYPE_ENUM t, const char **version)
{
    *version = NULL;
    switch (t) {
    case TSK_FS_TYPE_FAT12: *version = "FAT12"; return "vfat";
    case TSK_FS_TYPE_FAT16: *version = "FAT16"; return "vfat";
    case TSK_FS_TYPE_FAT32: *version = "FAT32"; return "vfat";
    case TSK_FS_TYPE_EXFAT: return "exfat";
    case TSK_FS_TYPE_NTFS: return "ntfs";
    case TSK_FS_TYPE_EXT2: return "ext2";
    case TSK_FS_TYPE_EXT3: return "ext3";
    case TSK_FS_TYPE_EXT4: return "ext4";
    case TSK_FS_TYPE_HFS: return "hfsplus";
    case TSK_FS_TYPE_ISO9660: return "iso9660";
    case TSK_FS_TYPE_APFS: return "apfs";
    case TSK_FS_TYPE_FFS1:
    case TSK_FS_TYPE_FFS1B:
    case TSK_FS_TYPE_FFS2: return "ufs";
    case TSK_FS_TYPE_YAFFS2: return "yaffs2";
    default: return NULL;
    }
}

/* The TSK type to open a file system as, from the name the probe found:
 * opening the known type avoids TSK's "NTFS or FAT" refusals and parses
 * no more hostile structures than needed. */
static TSK_FS_TYPE_ENUM
tsk_type_for (const char *fs)
{
    if (fs == NULL)
        return TSK_FS_TYPE_DETECT;
    if (strcmp (fs, "vfat") == 0)
        return TSK_FS_TYPE_FAT_DETECT;
    if (strcmp (fs, "exfat") == 0)
        return TSK_FS_TYPE_EXFAT;
    if (strcmp (fs, "ntfs") == 0)
        return TSK_FS_TYPE_NTFS_DETECT;
    if (strncmp (fs, "ext", 3) == 0)
        return TSK_FS_TYPE_EXT_DETECT;
    if (strcmp (fs, "hfsplus") == 0 || strcmp (fs, "hfs") == 0)
        return TSK_FS_TYPE_HFS_DETECT;
    if (strcmp (fs, "iso9660") == 0 || strcmp (fs, "udf") == 0)
        return TSK_FS_TYPE_ISO9660_DETECT;
    return TSK_FS_TYPE_UNSUPP;
}

/* File systems whose names compare without case. */
static int
fs_ignores_case (const TSK_FS_INFO *fs)
{
    return TSK_FS_TYPE_ISFAT (fs->ftype) || TSK_FS_TYPE_ISNTFS (fs->ftype)
           || TSK_FS_TYPE_ISHFS (fs->ftype) || TSK_FS_TYPE_ISAPFS (fs->ftype)
           || TSK_FS_TYPE_ISISO9660 (fs->ftype);
}

/* The fs_id TSK read, formatted as libblkid prints it; used for volumes
 * that had no descriptor for libblkid (decrypted ones). */
static void
tsk_uuid (const TSK_FS_INFO *fs, char *out, size_t outlen)
{
    const uint8_t *id = fs->fs_id;

    out[0] = '\0';
    if (TSK_FS_TYPE_ISFAT (fs->ftype) && fs->fs_id_used >= 4)
        snprintf (out, outlen, "%02X%02X-%02X%02X", id[3], id[2], id[1], id[0]);
    else if (TSK_FS_TYPE_ISNTFS (fs->ftype) && fs->fs_id_used >= 8)
        snprintf (out, outlen, "%02X%02X%02X%02X%02X%02X%02X%02X", id[7], id[6], id[5], id[4],
                  id[3], id[2], id[1], id[0]);
    else if (TSK_FS_TYPE_ISEXT (fs->ftype) && fs->fs_id_used >= 16)
        snprintf (out, outlen,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", id[0],
                  id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10], id[11],
                  id[12], id[13], id[14], id[15]);
}

/* ---- Data maps ---- */

/* Why TSK must not be asked to open @meta (as a directory when @as_dir),
 * or NULL; *@limit tells a limit (LIMIT entry) from damage (ERROR).
 * Measured with TSK 4.11 (and found by fuzzing):
 *  - it reads a whole directory into one buffer of the size the metadata
 *    claims, and clears it first: a 60 KiB image whose root directory
 *    claims 770 MB costs 30 s and that much memory;
 *  - for a block-mapped ext2/3 inode that reaches the triple-indirect
 *    blocks it builds one run per block of the double-indirect range
 *    (p^2 runs, p = block size / 4) in quadratic time: 16-80 s with 1 KiB
 *    blocks, hours with 4 KiB blocks, for one file. */
static const char *
tsk_refusal (const TSK_FS_INFO *fs, const TSK_FS_META *meta, int as_dir, int *limit)
{
    uint64_t size = meta->size > 0 ? (uint64_t) meta->size : 0;

    *limit = 0;
    if (as_dir && size > (uint64_t) fs->img_info->size)
        return "directory larger than its volume";
    if (as_dir && size > KIKAN_MAX_DIR_BYTES) {
        *limit = 1;
        return "directory larger than 256 MiB: not walked";
    }
    if (TSK_FS_TYPE_ISEXT (fs->ftype) && meta->content_type == TSK_FS_META_CONTENT_TYPE_DEFAULT
        && fs->block_size >= 1024) {
        uint64_t p = fs->block_size / 4, bs = fs->block_size;
        if (size / bs > 12 + p + p * p)
            return "ext2/3 file reaching triple-indirect blocks: The Sleuth Kit 4.11 maps "
                   "those in quadratic time";
    }
    return NULL;
}

/* TSK 4.11 loads an ext inode flagged "inline data" by allocating,
 * clearing and copying a buffer of the size the inode claims
 * (ext4_load_attrs_inline), whatever the superblock's features say:
 * gigabytes for a hostile inode, before the caller ever sees its metadata
 * (found by fuzzing).  Real inline data fits in the inode, under one block.
 * So before TSK loads inode @ino of an ext file system, its raw bytes are
 * read here, located as TSK locates them (ext2fs_dinode_load).  Returns
 * why it must not be loaded, or NULL (also when it cannot be read: TSK
 * then fails the same way). */
static const char *
ext_inode_refusal (TSK_FS_INFO *fs, TSK_INUM_T ino)
{
    const EXT2FS_INFO *e = (const EXT2FS_INFO *) fs;
    unsigned char gd[sizeof (ext4fs_gd) > 64 ? sizeof (ext4fs_gd) : 64], in[128];
    uint32_t ipg;
    uint64_t grp, rel, table, size, gd_size;
    int wide;

    if (!TSK_FS_TYPE_ISEXT (fs->ftype) || ino < fs->first_inum || ino >= fs->last_inum)
        return NULL;
    ipg = le32 (e->fs->s_inodes_per_group);
    if (ipg == 0 || e->inode_size < sizeof in)
        return NULL;
    gd_size = le16 (e->fs->s_desc_size);
    wide = fs->ftype == TSK_FS_TYPE_EXT4
           && (le32 (e->fs->s_feature_incompat) & EXT2FS_FEATURE_INCOMPAT_64BIT) && gd_size >= 64;
    if (gd_size < (wide ? sizeof (ext4fs_gd) : sizeof (ext2fs_gd)))
        gd_size = wide ? sizeof (ext4fs_gd) : sizeof (ext2fs_gd);
    grp = (ino - fs->first_inum) / ipg;
    rel = (ino - 1) - (uint64_t) ipg * grp;
    if (tsk_fs_read (fs, e->groups_offset + (TSK_OFF_T) (grp * gd_size), (char *) gd,
                     wide ? sizeof (ext4fs_gd) : sizeof (ext2fs_gd))
        != (ssize_t) (wide ? sizeof (ext4fs_gd) : sizeof (ext2fs_gd))) {
        tsk_error_reset ();
        return NULL;
    }
    table = le32 (gd + 8);
    if (wide)
        table |= (uint64_t) le32 (gd + 0x28) << 32;
    if (table > (uint64_t) fs->last_block
        || tsk_fs_read (fs, (TSK_OFF_T) (table * fs->block_size + rel * e->inode_size),
                        (char *) in, sizeof in)
               != (ssize_t) sizeof in) {
        tsk_error_reset ();
        return NULL;
    }
    size = le32 (in + 4) | ((uint64_t) le32 (in + 108) << 32);
    if ((le32 (in + 32) & EXT2_INLINE_DATA) && size > fs->block_size)
        return "ext inode claiming more inline data than an inode holds: The Sleuth Kit "
               "4.11 would allocate all of it";
    return NULL;
}

/* How far the default data of @f is mapped onto blocks that exist: runs
 * covering the file from offset 0 without gaps or TSK "filler" runs, and
 * (except in APFS, whose runs are container blocks) inside the volume.
 * Sets *@why when the map stops short of the file's size.  This is what
 * turns a cyclic or broken FAT chain, or a file in the missing half of a
 * truncated image, into a clear error instead of silent zeros. */
static uint64_t
data_mapped_end (const TSK_FS_INFO *fs, const TSK_FS_ATTR *a, uint64_t size, const char **why)
{
    uint64_t limit_blocks, covered = 0, bs = fs->block_size;
    const TSK_FS_ATTR_RUN *run;

    *why = NULL;
    if (size == 0)
        return 0;
    if (a == NULL) {
        *why = "no data attribute";
        return 0;
    }
    if (a->flags & TSK_FS_ATTR_RES) {
        if ((uint64_t) a->size < size)
            *why = "resident data shorter than the file";
        return (uint64_t) a->size < size ? (uint64_t) a->size : size;
    }
    if (!(a->flags & TSK_FS_ATTR_NONRES) || bs == 0) {
        *why = "unknown data layout";
        return 0;
    }
    if (a->flags & TSK_FS_ATTR_COMP)
        return size;            /* runs are in compressed units: TSK checks them */
    limit_blocks = fs->last_block + 1;
    if (fs->last_block_act > 0 && fs->last_block_act < fs->last_block)
        limit_blocks = fs->last_block_act + 1;
    for (run = a->nrd.run; run != NULL; run = run->next) {
        if (run->offset != covered / bs || covered % bs != 0) {
            *why = "gap in the data map";
            break;
        }
        if (run->flags & TSK_FS_ATTR_RUN_FLAG_FILLER) {
            *why = "part of the data map is missing";
            break;
        }
        if (!(run->flags & TSK_FS_ATTR_RUN_FLAG_SPARSE) && !TSK_FS_TYPE_ISAPFS (fs->ftype)
            && (run->addr >= limit_blocks || run->len > limit_blocks - run->addr)) {
            if (run->addr < limit_blocks)
                covered += (limit_blocks - run->addr) * bs;
            *why = limit_blocks <= fs->last_block
                       ? "data lies beyond the end of the medium (truncated image?)"
                       : "data map points outside the file system";
            break;
        }
        covered += run->len * bs;
        if (covered >= size)
            return size;
    }
    if (*why == NULL && covered < size)
        *why = "data map shorter than the file (broken or cyclic cluster chain)";
    if (covered > size)
        covered = size;
    if (covered > (uint64_t) a->size)
        covered = (uint64_t) a->size;
    return covered;
}

/* ---- Journals a mount would replay ---- */

/* 1 when NTFS's $LogFile (MFT entry 2) says the volume was not cleanly
 * unmounted, the test ntfs-3g makes before it refuses to mount: of the
 * two restart pages ("RSTR" at 0 and at the system page size), the one
 * with the later LSN has clients in use and no RESTART_VOLUME_IS_CLEAN
 * (0x0002) flag.  Windows then replays the log on mount, and small files
 * live inside their MFT records, so the log can hold file content.  The
 * restart area sits in the page's first sector, before the update
 * sequence fixup at byte 510, so no fixup is needed.  A fresh $LogFile is
 * all 0xFF and counts as clean. */
static int
ntfs_log_unclean (TSK_FS_INFO *fs)
{
    TSK_FS_FILE *f = tsk_fs_file_open_meta (fs, NULL, 2);
    const TSK_FS_ATTR *a;
    unsigned char b[8192];
    uint64_t best = 0;
    int found = 0, unclean = 0;

    if (f == NULL || f->meta == NULL || (a = tsk_fs_file_attr_get (f)) == NULL
        || tsk_fs_attr_read (a, 0, (char *) b, sizeof b, TSK_FS_FILE_READ_FLAG_NONE)
               != (ssize_t) sizeof b)
        goto out;
    for (int pg = 0; pg < 2; pg++) {
        uint32_t ps = le32 (b + 0x10);
        const unsigned char *p = b + (pg ? ps : 0);
        unsigned ra;
        uint64_t lsn;

        if (pg == 1 && (ps < 512 || ps > sizeof b - 512))
            break;
        if (memcmp (p, "RSTR", 4) != 0)
            continue;
        ra = le16 (p + 0x18);
        if (ra < 0x1e || ra + 16 > 510)
            continue;
        lsn = le64 (p + ra);
        if (found && lsn <= best)
            continue;
        found = 1;
        best = lsn;
        unclean = le16 (p + ra + 12) != 0xffff && (le16 (p + ra + 14) & 0x0002) == 0;
    }
out:
    tsk_fs_file_close (f);
    tsk_error_reset ();
    return unclean;
}

/* ---- OS presence ---- */

/* 1 if @nm leads to TSK's virtual $OrphanFiles directory: by its type, or
 * (a hostile name) by pointing at its inode number.  Opening it makes TSK
 * search the whole file system for orphans, and when that search meets
 * such a name again, TSK 4.11 takes its orphan lock a second time and
 * hangs for good (see kikan_tsk_open for the case fuzzing found). */
static int
tsk_orphan_dir (const TSK_FS_INFO *fs, const TSK_FS_NAME *nm)
{
    return nm->type == TSK_FS_NAME_TYPE_VIRT || nm->type == TSK_FS_NAME_TYPE_VIRT_DIR
           || nm->meta_addr == TSK_FS_ORPHANDIR_INUM (fs);
}

/* Looks up @path (components separated by '/') from the root, comparing
 * names without case where the file system does; 1 if it is a regular
 * file.  The caller has checked that the root may be opened. */
static int
fs_has_file (TSK_FS_INFO *fs, const char *path)
{
    TSK_INUM_T inum = fs->root_inum;
    char comp[64];
    const char *p = path;
    int found = 0, limit;

    while (*p) {
        const char *slash = strchr (p, '/');
        size_t n = slash ? (size_t) (slash - p) : strlen (p);
        TSK_FS_DIR *dir;
        int hit = 0;

        if (n == 0 || n >= sizeof comp)
            return 0;
        memcpy (comp, p, n);
        comp[n] = '\0';
        p += n + (slash ? 1 : 0);
        if ((dir = tsk_fs_dir_open_meta (fs, inum)) == NULL) {
            tsk_error_reset ();
            return 0;
        }
        for (size_t i = 0; i < tsk_fs_dir_getsize (dir) && !hit; i++) {
            const TSK_FS_NAME *nm = tsk_fs_dir_get_name (dir, i);
            TSK_FS_FILE *f;

            if (nm == NULL || nm->name == NULL || tsk_orphan_dir (fs, nm)
                || (fs_ignores_case (fs) ? strcasecmp (nm->name, comp) : strcmp (nm->name, comp))
                       != 0
                || ext_inode_refusal (fs, nm->meta_addr) != NULL)
                continue;
            if ((f = tsk_fs_dir_get (dir, i)) == NULL)
                continue;
            if (f->name != NULL && f->name->name != NULL
                && !(f->name->flags & TSK_FS_NAME_FLAG_UNALLOC)
                && (fs_ignores_case (fs) ? strcasecmp (f->name->name, comp)
                                         : strcmp (f->name->name, comp))
                       == 0
                && f->meta != NULL) {
                if (*p == '\0') {
                    found = f->meta->type == TSK_FS_META_TYPE_REG;
                    hit = 1;
                } else if (f->meta->type == TSK_FS_META_TYPE_DIR
                           && tsk_refusal (fs, f->meta, 1, &limit) == NULL) {
                    inum = f->name->meta_addr;
                    hit = 1;
                }
            }
            tsk_fs_file_close (f);
        }
        tsk_fs_dir_close (dir);
        if (!hit)
            return 0;
    }
    tsk_error_reset ();
    return found;
}

static int
detect_os (KikanVolume *v, KikanTsk *k)
{
    static const struct {
        const char *os, *path;
    } marks[] = {
        { "windows", "Windows/System32/config/SOFTWARE" },
        { "macos", "System/Library/CoreServices/SystemVersion.plist" },
        { "linux", "etc/os-release" },
        { "linux", "usr/lib/os-release" },
    };

    for (size_t i = 0; i < k->n; i++) {
        TSK_FS_FILE *root;
        int refused, limit;

        if (k->fs[i] == NULL)
            continue;
        /* The root is opened as a directory by every lookup: check once. */
        if (ext_inode_refusal (k->fs[i], k->fs[i]->root_inum) != NULL)
            continue;
        if ((root = tsk_fs_file_open_meta (k->fs[i], NULL, k->fs[i]->root_inum)) == NULL) {
            tsk_error_reset ();
            continue;
        }
        refused = root->meta == NULL || tsk_refusal (k->fs[i], root->meta, 1, &limit) != NULL;
        tsk_fs_file_close (root);
        if (refused)
            continue;
        for (size_t j = 0; j < sizeof marks / sizeof marks[0]; j++) {
            if (fs_has_file (k->fs[i], marks[j].path)) {
                if (set_str (&v->os, marks[j].os) != 0
                    || set_str (&v->os_evidence, marks[j].path) != 0)
                    return KIKAN_ENOMEM;
                return 0;
            }
        }
    }
    return 0;
}

/* ---- Probing one volume ---- */

/* 1 if a UDF descriptor (NSR02/NSR03) follows the ISO 9660 descriptors: a
 * UDF/ISO bridge disc, whose UDF tree Windows and macOS show and TSK
 * cannot read.  libblkid says "udf" for such a disc, but only where it
 * takes part; the own checks see "CD001" at sector 16 and stop, and
 * genisoimage -udf puts NSR02 at sector 20, past the header they read.
 * Reads the Volume Recognition Sequence from sector 16 while it holds
 * known identifiers, at most 64 sectors. */
static int
iso_has_udf (const KikanSource *src)
{
    unsigned char d[8];

    for (unsigned k = 0; k < 64; k++) {
        if (kikan_source_read_exact (src, d, sizeof d, (16u + k) * 2048u) != 0)
            return 0;
        if (memcmp (d + 1, "NSR02", 5) == 0 || memcmp (d + 1, "NSR03", 5) == 0)
            return 1;
        if (memcmp (d + 1, "CD001", 5) != 0 && memcmp (d + 1, "BEA01", 5) != 0
            && memcmp (d + 1, "BOOT2", 5) != 0 && memcmp (d + 1, "CDW02", 5) != 0)
            return 0;
    }
    return 0;
}

/* Issue #8 (false holds): the Microsoft Reserved partition (MSR) of every
 * GPT disk Windows sets up has no file system by design; Windows never
 * mounts or shows it, Linux's udisks hides it, and Windows leaves it all
 * zeros, so "no recognised file system" there held every Windows laptop
 * disk.  An MSR without a header is read in full (Windows makes it 16 or
 * 128 MiB; a larger one is not trusted) and listed with this explanation,
 * not held, only when every byte of it is zero.  Anything else is data no
 * one accounts for: a FAT with its signature bytes wiped (which a hand
 * mount still reads), a VeraCrypt container that is mostly zeros after a
 * quick format (third red-team round; an entropy threshold let both
 * through).  A problem the tables already gave keeps the volume held; a
 * file system found in an MSR is read like any other, so this is only
 * reached when none is.  Returns 1 (marked), 0 (not such a partition, or
 * something in it), or KIKAN_ENOMEM. */
#define KIKAN_MSR_MAX_SIZE (256u * 1024u * 1024u)
#define KIKAN_MSR_READ (1024u * 1024u)

static int
msr_holds_no_data (KikanMediaVolume *mv)
{
    KikanVolume *v = &mv->v;
    const KikanSource *src = mv->src;
    unsigned char *buf;
    int r = 0;

    if (v->problem != NULL || v->scheme == NULL || strcmp (v->scheme, "gpt") != 0
        || v->part_type == NULL || strcasecmp (v->part_type, KIKAN_GPT_TYPE_MSR) != 0
        || src->size == 0 || src->size > KIKAN_MSR_MAX_SIZE)
        return 0;
    if ((buf = malloc (KIKAN_MSR_READ)) == NULL)
        return KIKAN_ENOMEM;
    for (uint64_t off = 0; off < src->size; off += KIKAN_MSR_READ) {
        size_t n = src->size - off < KIKAN_MSR_READ ? (size_t) (src->size - off) : KIKAN_MSR_READ;

        if (kikan_source_read_exact (src, buf, n, off) != 0)
            goto out;
        if (buf[0] != 0 || (n > 1 && memcmp (buf, buf + 1, n - 1) != 0))
            goto out;
    }
    v->encryption = KIKAN_ENC_NONE;
    if (set_fmt (&v->encryption_detail,
                 "Microsoft Reserved partition: no file system by design, never shown by "
                 "Windows or Linux; read in full: all zeros, nothing to read")
        != 0) {
        r = KIKAN_ENOMEM;
        goto out;
    }
    mv->no_data = 1;
    v->readable = 1;
    r = 1;
out:
    free (buf);
    return r;
}

/* Probes the file system of @mv (its current source): encryption headers,
 * file system, then The Sleuth Kit.  Fills filesystem, fs_version, label,
 * uuid, encryption (unless @keep_encryption), readable, os, problem. */
static int
probe_volume (KikanMediaVolume *mv, int keep_encryption)
{
    KikanVolume *v = &mv->v;
    unsigned char *hdr = NULL;
    ssize_t hlen;
    KikanHeaderInfo h;
    KikanBlkidInfo bk;
    const char *fs = NULL, *ver = NULL;
    KikanEncryption enc = KIKAN_ENC__COUNT;
    const char *enc_detail = NULL;
    char err[256] = "";
    KikanTsk k;
    int r = KIKAN_ENOMEM, fd = -1;
    uint64_t fd_off = 0;

    memset (&bk, 0, sizeof bk);
    if (mv->src->size == 0) {
        v->readable = 0;
        return v->problem != NULL ? 0 : add_problem (v, "the volume is empty (0 bytes)");
    }
    if ((hdr = calloc (1, KIKAN_HDR_LEN)) == NULL)
        goto out;
    hlen = read_upto (mv->src, hdr, KIKAN_HDR_LEN, 0);
    if (hlen < 0) {
        if (!keep_encryption)
            v->encryption = KIKAN_ENC_UNKNOWN;
        r = add_problem (v, "read error at the start of the volume: %s", strerror (errno));
        goto out;
    }
    check_headers (hdr, (size_t) hlen, &h);
    if (mv->src == &mv->stored && source_get_fd (mv->src, &fd, &fd_off) == 0)
        probe_blkid (fd, fd_off, mv->src->size, &bk);

    /* Encryption: our own header checks decide (they also cover Core
     * Storage); libblkid's crypto types back them up. */
    enc = h.enc;
    enc_detail = h.enc_detail[0] ? h.enc_detail : NULL;
    if (enc == KIKAN_ENC__COUNT && bk.found == 1) {
        if (strcmp (bk.type, "crypto_LUKS") == 0) {
            enc = strcmp (bk.version, "2") == 0 ? KIKAN_ENC_LUKS2 : KIKAN_ENC_LUKS1;
            enc_detail = enc == KIKAN_ENC_LUKS2 ? "LUKS2" : "LUKS1";
        } else if (strcmp (bk.type, "BitLocker") == 0) {
            enc = KIKAN_ENC_BITLOCKER;
            enc_detail = "BitLocker";
        }
    }
    if (bk.found == 1) {
        if (bk.label[0] && set_str (&v->label, bk.label) != 0)
            goto out;
        if (bk.uuid[0] && set_str (&v->uuid, bk.uuid) != 0)
            goto out;
    } else if (h.uuid[0] && set_str (&v->uuid, h.uuid) != 0) {
        goto out;
    }

    if (!keep_encryption && enc != KIKAN_ENC__COUNT) {
        v->encryption = enc;
        if (set_str (&v->encryption_detail, enc_detail) != 0)
            goto out;
        v->readable = 0;
        r = add_problem (v, "%s", enc == KIKAN_ENC_UNKNOWN
                                      ? "Core Storage volume that cannot be read here"
                                      : "encrypted volume, not unlocked");
        goto out;
    }

    /* File system: libblkid's name when it found one (not a crypto type),
     * else our own checks. */
    if (bk.found == 1 && strcmp (bk.type, "crypto_LUKS") != 0
        && strcmp (bk.type, "BitLocker") != 0) {
        fs = bk.type;
        ver = bk.version[0] ? bk.version : NULL;
    } else if (h.fs != NULL) {
        fs = h.fs;
        ver = h.fs_version[0] ? h.fs_version : NULL;
    }
    if (set_str (&v->filesystem, fs) != 0 || set_str (&v->fs_version, ver) != 0)
        goto out;

    mv->is_apfs = fs != NULL && strcmp (fs, "apfs") == 0;
    mv->tsk_type = tsk_type_for (fs);
    if (mv->tsk_type == TSK_FS_TYPE_UNSUPP && !mv->is_apfs) {
        if (!keep_encryption)
            v->encryption = KIKAN_ENC_NONE;
        v->readable = 0;
        r = add_problem (v, "file system %s cannot be read in user space here", fs);
        goto out;
    }
    if (kikan_tsk_open (mv, mv->tsk_type, &k, err, sizeof err) != 0) {
        v->readable = 0;
        if (fs != NULL) {
            if (!keep_encryption)
                v->encryption = KIKAN_ENC_NONE;
            r = add_problem (v, "%s file system not readable (%s)", fs, err);
            goto out;
        }
        /* Nothing recognised at all.  Without a header we cannot tell an
         * empty volume from a VeraCrypt one; entropy is the only hint. */
        if (!keep_encryption && bk.found != -2) {
            int msr = msr_holds_no_data (mv);
            if (msr < 0)
                goto out;
            if (msr) {
                r = 0;
                goto out;
            }
        }
        if (!keep_encryption) {
            if (v->entropy < 0) {
                v->encryption = KIKAN_ENC_UNKNOWN;
                if (set_str (&v->encryption_detail, "nothing recognised, entropy unknown") != 0)
                    goto out;
            } else if (v->entropy >= KIKAN_ENTROPY_THRESHOLD) {
                v->encryption = KIKAN_ENC_UNKNOWN;
                if (set_fmt (&v->encryption_detail,
                             "no header recognised, entropy %.3f bits/byte: possibly encrypted "
                             "(VeraCrypt/TrueCrypt leave no header)",
                             v->entropy)
                    != 0)
                    goto out;
            } else {
                v->encryption = KIKAN_ENC_NONE;
            }
        }
        r = add_problem (v, "no recognised file system%s",
                         bk.found == -2 ? " (conflicting signatures)" : "");
        goto out;
    }

    /* Readable. */
    v->readable = 1;
    if (!keep_encryption) {
        v->encryption = KIKAN_ENC_NONE;
        if (mv->is_apfs) {
            size_t n_enc = 0;
            for (size_t i = 0; i < k.n; i++)
                n_enc += (size_t) k.encrypted[i];
            if (n_enc > 0) {
                v->encryption = KIKAN_ENC_APFS;
                if (set_fmt (&v->encryption_detail, "APFS: %zu of %zu volumes encrypted", n_enc,
                             k.n)
                    != 0)
                    goto tsk_out;
                if (add_problem (v, "%zu encrypted APFS volume(s), not unlocked", n_enc) != 0)
                    goto tsk_out;
                if (n_enc == k.n)
                    v->readable = 0;
            }
        }
    }
    if (!mv->is_apfs) {
        const char *tfs, *tver;
        char uuid[64];

        mv->tsk_type = k.fs[0]->ftype;
        tfs = tsk_fs_name (k.fs[0]->ftype, &tver);
        if (v->filesystem == NULL && set_str (&v->filesystem, tfs) != 0)
            goto tsk_out;
        if (v->fs_version == NULL && tver != NULL && set_str (&v->fs_version, tver) != 0)
            goto tsk_out;
        tsk_uuid (k.fs[0], uuid, sizeof uuid);
        if (v->uuid == NULL && uuid[0] && set_str (&v->uuid, uuid) != 0)
            goto tsk_out;
        if (k.fs[0]->last_block_act < k.fs[0]->last_block
            && add_problem (v,
                            "the file system is larger than its volume (%" PRIu64
                            " of %" PRIu64 " bytes present): truncated, files beyond the "
                            "end cannot be read",
                            mv->src->size,
                            (uint64_t) (k.fs[0]->last_block + 1) * k.fs[0]->block_size)
                   != 0)
            goto tsk_out;
        if (((fs != NULL && strcmp (fs, "udf") == 0)
             || (TSK_FS_TYPE_ISISO9660 (k.fs[0]->ftype) && iso_has_udf (mv->src)))
            && add_problem (v, "UDF read through its ISO 9660 bridge: files only in the UDF "
                               "tree are not seen")
                   != 0)
            goto tsk_out;
        /* Issue #8 item 6 (journals): ext3/4 with "needs_recovery" was not
         * unmounted cleanly, and Linux replays the journal when it mounts
         * it.  TSK reads the file system as committed, without the
         * journal: what a person sees after plugging it in may differ from
         * what was read, so the volume is read and not cleared. */
        if (TSK_FS_TYPE_ISNTFS (k.fs[0]->ftype) && ntfs_log_unclean (k.fs[0])
            && add_problem (v, "the NTFS log holds changes not yet written to the file "
                               "system (not removed cleanly): Windows replays them when it "
                               "mounts it, and may show content that was not read")
                   != 0)
            goto tsk_out;
        if (TSK_FS_TYPE_ISEXT (k.fs[0]->ftype) && hlen >= 1024 + 100
            && le16 (hdr + 1024 + 56) == 0xef53 && (le32 (hdr + 1024 + 96) & 0x4u) != 0
            && add_problem (v, "the ext journal holds changes not yet written to the file "
                               "system (not unmounted cleanly): a system that mounts it "
                               "replays them, and may show files that were not read")
                   != 0)
            goto tsk_out;
    }
    if (v->readable && detect_os (v, &k) != 0)
        goto tsk_out;
    r = 0;
tsk_out:
    kikan_tsk_close (&k);
out:
    free (hdr);
    return r;
}

/* ---- Partition tables ---- */

typedef struct {
    uint64_t offset, size;
    char scheme[8];
    char part_type[40];
    char *part_name;
    char *problem;
} KikanPart;

typedef struct {
    KikanPart *p;
    size_t n, cap;
} KikanPartList;

static KikanPart *
part_add (KikanPartList *l, const char *scheme, uint64_t offset, uint64_t size)
{
    KikanPart *p;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        KikanPart *np = realloc (l->p, cap * sizeof *np);
        if (np == NULL)
            return NULL;
        l->p = np;
        l->cap = cap;
    }
    p = &l->p[l->n++];
    memset (p, 0, sizeof *p);
    snprintf (p->scheme, sizeof p->scheme, "%s", scheme);
    p->offset = offset;
    p->size = size;
    return p;
}

static void
part_list_clear (KikanPartList *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free (l->p[i].part_name);
        free (l->p[i].problem);
    }
    free (l->p);
    memset (l, 0, sizeof *l);
}

static int
is_extended (unsigned type)
{
    return type == 0x05 || type == 0x0f || type == 0x85;
}

/* A boot sector that starts a file system or an encrypted volume: then
 * the medium is a "superfloppy" even though 0x55AA and partition-like
 * bytes may be present (mkfs.exfat leaves such bytes; libblkid then even
 * reports a "dos" table). */
static int
sector0_is_volume (const unsigned char *b, size_t len)
{
    KikanHeaderInfo h;

    check_headers (b, len, &h);
    return h.fs != NULL || h.enc != KIKAN_ENC__COUNT;
}

/* A plausible MBR: the signature, boot flags 0x00/0x80 only, and at least
 * one non-empty entry. */
static int
mbr_valid (const unsigned char *b)
{
    int used = 0;

    if (b[510] != 0x55 || b[511] != 0xaa)
        return 0;
    for (int i = 0; i < 4; i++) {
        const unsigned char *e = b + 446 + 16 * i;
        if (e[0] != 0x00 && e[0] != 0x80)
            return 0;
        if (e[4] != 0 && le32 (e + 12) != 0)
            used++;
    }
    return used > 0;
}

static int
part_set_problem (KikanPart *p, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static int
part_set_problem (KikanPart *p, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (p->problem != NULL)
        return 0;
    va_start (ap, fmt);
    n = vasprintf (&p->problem, fmt, ap);
    va_end (ap);
    if (n < 0) {
        p->problem = NULL;
        return KIKAN_ENOMEM;
    }
    return 0;
}

static int
parse_mbr (const KikanSource *disk, const unsigned char *b, KikanPartList *l)
{
    uint64_t ext_start = 0, ext_size = 0;
    int has_ext = 0;
    unsigned char ebr[512];

    for (int i = 0; i < 4; i++) {
        const unsigned char *e = b + 446 + 16 * i;
        unsigned type = e[4];
        uint64_t start = le32 (e + 8), count = le32 (e + 12);
        KikanPart *p;

        if (type == 0 || count == 0)
            continue;
        if (is_extended (type)) {
            if (!has_ext) {
                has_ext = 1;
                ext_start = start;
                ext_size = count;
            }
            continue;
        }
        if ((p = part_add (l, "mbr", start * 512, count * 512)) == NULL)
            return KIKAN_ENOMEM;
        snprintf (p->part_type, sizeof p->part_type, "0x%02x", type);
        if (type == 0xee && part_set_problem (p, "GPT protective partition, but no valid GPT "
                                                 "header was found")
                                != 0)
            return KIKAN_ENOMEM;
    }
    if (!has_ext)
        return 0;

    /* The extended partition's chain: each EBR holds one logical
     * partition (relative to itself) and a link to the next EBR (relative
     * to the extended partition).  Bounded and loop-checked. */
    {
        uint64_t seen[KIKAN_MAX_LOGICAL];
        uint64_t ebr_lba = ext_start;
        unsigned n = 0;
        const char *stop = NULL;

        for (;;) {
            const unsigned char *e0 = ebr + 446, *e1 = ebr + 462;
            KikanPart *p;

            if (n == KIKAN_MAX_LOGICAL) {
                stop = "more logical partitions than Kikan reads";
                break;
            }
            for (unsigned j = 0; j < n; j++)
                if (seen[j] == ebr_lba)
                    stop = "the extended partition chain loops";
            if (stop != NULL)
                break;
            seen[n++] = ebr_lba;
            if (ebr_lba > UINT64_MAX / 512
                || kikan_source_read_exact (disk, ebr, sizeof ebr, ebr_lba * 512) != 0) {
                stop = "an extended boot record lies beyond the end of the medium";
                break;
            }
            if (ebr[510] != 0x55 || ebr[511] != 0xaa) {
                stop = "an extended boot record has no signature";
                break;
            }
            if (e0[4] != 0 && le32 (e0 + 12) != 0) {
                if ((p = part_add (l, "mbr", (ebr_lba + le32 (e0 + 8)) * 512,
                                   (uint64_t) le32 (e0 + 12) * 512))
                    == NULL)
                    return KIKAN_ENOMEM;
                snprintf (p->part_type, sizeof p->part_type, "0x%02x", e0[4]);
            }
            if (!is_extended (e1[4]) || le32 (e1 + 12) == 0)
                break;
            if (le32 (e1 + 8) >= ext_size) {
                stop = "an extended boot record points outside the extended partition";
                break;
            }
            ebr_lba = ext_start + le32 (e1 + 8);
        }
        if (stop != NULL) {
            /* Logical partitions past this point are unknown: record that
             * as a volume of its own so the medium cannot pass as fully
             * inspected. */
            KikanPart *p = part_add (l, "mbr", ext_start * 512, 0);
            if (p == NULL)
                return KIKAN_ENOMEM;
            snprintf (p->part_type, sizeof p->part_type, "0x%02x", 0x05);
            if (part_set_problem (p, "%s", stop) != 0)
                return KIKAN_ENOMEM;
        }
    }
    return 0;
}

/* Reads and checks a GPT header at @lba; 0 when it and its entry array
 * check out (*@entries allocated), 1 when not a valid GPT header there. */
static int
gpt_read (const KikanSource *disk, unsigned ss, uint64_t lba, unsigned char *hdr,
          unsigned char **entries, uint32_t *n, uint32_t *esize, int *crc_ok)
{
    uint32_t hsize, crc;
    uint64_t elba, total;
    unsigned char *ent;

    *entries = NULL;
    *crc_ok = 0;
    if (lba > UINT64_MAX / ss || kikan_source_read_exact (disk, hdr, ss, lba * ss) != 0)
        return 1;
    if (memcmp (hdr, "EFI PART", 8) != 0)
        return 1;
    hsize = le32 (hdr + 12);
    *n = le32 (hdr + 80);
    *esize = le32 (hdr + 84);
    elba = le64 (hdr + 72);
    if (hsize < 92 || hsize > ss || *esize < 128 || *esize > 4096 || *esize % 8 != 0
        || *n == 0 || *n > KIKAN_MAX_GPT_ENTRIES)
        return 1;
    total = (uint64_t) *n * *esize;
    if (total > KIKAN_MAX_GPT_ARRAY || elba > UINT64_MAX / ss)
        return 1;
    crc = le32 (hdr + 16);
    memset (hdr + 16, 0, 4);
    *crc_ok = crc32_ieee (hdr, hsize) == crc;
    memcpy (hdr + 16, &crc, 4);  /* only the check needed zeros there */
    if ((ent = malloc ((size_t) total)) == NULL)
        return KIKAN_ENOMEM;
    if (kikan_source_read_exact (disk, ent, (size_t) total, elba * ss) != 0) {
        free (ent);
        return 1;
    }
    if (crc32_ieee (ent, (size_t) total) != le32 (hdr + 88))
        *crc_ok = 0;
    *entries = ent;
    return 0;
}

/* Appends the used entries of a GPT entry array to @l; @warn (may be NULL)
 * becomes every partition's problem.  0 or KIKAN_ENOMEM. */
static int
gpt_add_entries (KikanPartList *l, const unsigned char *ent, uint32_t n, uint32_t esize,
                 unsigned ss, const char *warn)
{
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e = ent + (size_t) i * esize;
        static const unsigned char zero[16];
        uint64_t first = le64 (e + 32), last = le64 (e + 40);
        KikanPart *p;

        if (memcmp (e, zero, 16) == 0)
            continue;
        if (first > UINT64_MAX / ss || last > UINT64_MAX / ss - 1) {
            first = 0;
            last = 0;
            warn = warn ? warn : "partition entry out of range";
        }
        p = part_add (l, "gpt", first * ss, last >= first ? (last - first + 1) * ss : 0);
        if (p == NULL)
            return KIKAN_ENOMEM;
        format_guid (p->part_type, e);
        if ((p->part_name = utf16le_to_utf8 (e + 56, (esize - 56) / 2 < 36 ? (esize - 56) / 2
                                                                          : 36))
            == NULL)
            return KIKAN_ENOMEM;
        if (p->part_name[0] == '\0') {
            free (p->part_name);
            p->part_name = NULL;
        }
        if (last < first && part_set_problem (p, "partition ends before it starts") != 0)
            return KIKAN_ENOMEM;
        if (warn != NULL && part_set_problem (p, "%s", warn) != 0)
            return KIKAN_ENOMEM;
    }
    return 0;
}

/* 1 when @l holds a partition at @offset of @size bytes. */
static int
part_list_has (const KikanPartList *l, size_t from, uint64_t offset, uint64_t size)
{
    for (size_t i = from; i < l->n; i++)
        if (l->p[i].offset == offset && l->p[i].size == size)
            return 1;
    return 0;
}

/* Moves @p (and its strings) to the end of @l, with @problem when it has
 * none yet (NULL: none).  0 or KIKAN_ENOMEM. */
static int
part_move (KikanPartList *l, KikanPart *p, const char *problem)
{
    KikanPart *q = part_add (l, p->scheme, p->offset, p->size);

    if (q == NULL)
        return KIKAN_ENOMEM;
    memcpy (q->part_type, p->part_type, sizeof q->part_type);
    q->part_name = p->part_name;
    q->problem = p->problem;
    p->part_name = p->problem = NULL;
    if (problem != NULL && part_set_problem (q, "%s", problem) != 0)
        return KIKAN_ENOMEM;
    return 0;
}

/* Issue #8 item 5: the backup GPT (at the alternate LBA the primary names)
 * must list what the primary lists.  A tool that reads only the backup
 * (some do when they repair) would show partitions the primary hides, so
 * a partition only in the backup is read as a volume of its own, and every
 * disagreement is a problem (never cleared).  A backup that is missing or
 * fails its checksums is not a disagreement: no system uses it while the
 * primary is valid, and images copied onto a larger stick lose it.
 * Returns 0 or KIKAN_ENOMEM. */
static int
gpt_compare_backup (const KikanSource *disk, unsigned ss, const unsigned char *hdr,
                    const unsigned char *ent, uint32_t n, uint32_t esize, KikanPartList *l,
                    size_t first)
{
    unsigned char bhdr[4096];
    unsigned char *bent = NULL;
    uint32_t bn = 0, besize = 0;
    uint64_t alt = le64 (hdr + 32);
    KikanPartList b = { 0 };
    size_t primary_end = l->n;
    int bcrc = 0, r, differ = 0;

    if (alt <= 1 || alt >= disk->size / ss)
        return 0;
    r = gpt_read (disk, ss, alt, bhdr, &bent, &bn, &besize, &bcrc);
    if (r < 0)
        return r;
    if (r != 0 || !bcrc
        || (bn == n && besize == esize && memcmp (bent, ent, (size_t) n * esize) == 0)) {
        free (bent);
        return 0;
    }
    if (gpt_add_entries (&b, bent, bn, besize, ss, NULL) != 0)
        goto nomem;
    for (size_t i = 0; i < b.n; i++) {
        if (part_list_has (l, first, b.p[i].offset, b.p[i].size))
            continue;
        differ = 1;
        if (part_move (l, &b.p[i], "listed only in the backup GPT, not in the primary: the "
                                   "partition tables disagree") != 0)
            goto nomem;
    }
    for (size_t i = first; i < primary_end; i++) {
        if (part_list_has (&b, 0, l->p[i].offset, l->p[i].size))
            continue;
        differ = 1;
        if (part_set_problem (&l->p[i], "not listed in the backup GPT: the partition tables "
                                        "disagree") != 0)
            goto nomem;
    }
    if (!differ)
        for (size_t i = first; i < primary_end; i++)
            if (part_set_problem (&l->p[i], "the backup GPT's partition entries differ from "
                                            "the primary's (types or names)") != 0)
                goto nomem;
    part_list_clear (&b);
    free (bent);
    return 0;
nomem:
    part_list_clear (&b);
    free (bent);
    return KIKAN_ENOMEM;
}

/* Parses a GPT with sector size @ss: the primary header, or the backup at
 * the last sector when the primary fails its checksums.  Returns 0 (parsed),
 * 1 (no GPT) or KIKAN_ENOMEM. */
static int
parse_gpt (const KikanSource *disk, unsigned ss, KikanPartList *l)
{
    unsigned char hdr[4096];
    unsigned char *ent = NULL;
    uint32_t n = 0, esize = 0;
    int crc_ok = 0, r;
    const char *warn = NULL;
    size_t first_part;

    r = gpt_read (disk, ss, 1, hdr, &ent, &n, &esize, &crc_ok);
    if (r < 0)
        return r;
    if (r != 0 || !crc_ok) {
        unsigned char *bent = NULL;
        uint32_t bn = 0, besize = 0;
        int bcrc = 0;
        unsigned char bhdr[4096];
        int br = disk->size / ss >= 2
                     ? gpt_read (disk, ss, disk->size / ss - 1, bhdr, &bent, &bn, &besize, &bcrc)
                     : 1;
        if (br < 0) {
            free (ent);
            return br;
        }
        if (br == 0 && bcrc) {
            free (ent);
            ent = bent;
            n = bn;
            esize = besize;
            memcpy (hdr, bhdr, ss);
            warn = "primary GPT damaged, backup GPT used";
        } else {
            free (bent);
            if (r != 0)
                return 1;
            warn = "GPT checksums do not match";
        }
    }
    first_part = l->n;
    if (gpt_add_entries (l, ent, n, esize, ss, warn) != 0)
        goto nomem;
    if (warn == NULL
        && gpt_compare_backup (disk, ss, hdr, ent, n, esize, l, first_part) != 0)
        goto nomem;
    free (ent);
    return 0;
nomem:
    free (ent);
    return KIKAN_ENOMEM;
}

/* Issue #8 item 5: the MBR entries of a hybrid MBR (beside a GPT).  macOS
 * (Boot Camp) and Linux honour them, Windows on a BIOS machine uses only
 * them: an entry the GPT does not list is a partition some system shows,
 * so it is read as a volume of its own, with a problem (the tables
 * disagree).  Entries that match a GPT partition exactly are the usual
 * hybrid and add nothing; the 0xEE protective entry is the GPT itself.
 * Returns 0 or KIKAN_ENOMEM. */
static int
merge_hybrid_mbr (const KikanSource *disk, const unsigned char *s0, KikanPartList *l)
{
    KikanPartList m = { 0 };
    int r = 0;

    if ((r = parse_mbr (disk, s0, &m)) != 0)
        goto out;
    for (size_t i = 0; i < m.n && r == 0; i++) {
        KikanPart *p = &m.p[i];

        if (strcmp (p->part_type, "0xee") == 0)
            continue;
        if (p->size > 0 && part_list_has (l, 0, p->offset, p->size) && p->problem == NULL)
            continue;
        r = part_move (l, p, "listed in the hybrid MBR but not in the GPT: the partition "
                             "tables disagree (macOS, Linux and Windows on BIOS machines "
                             "show it)");
    }
out:
    part_list_clear (&m);
    return r;
}

/* Bounds of the search for file systems outside every partition: probes
 * at the start of each gap and every MiB in it (where partitioning tools
 * put volumes), at most this many 4 KiB reads in all, and this many
 * volumes found. */
#define KIKAN_MAX_GAP_PROBES 4096u
#define KIKAN_MAX_GAP_VOLUMES 16u
#define KIKAN_GAP_STEP (1024u * 1024u)

typedef struct {
    uint64_t start, end;
} KikanRange;

static int
range_cmp (const void *a, const void *b)
{
    const KikanRange *x = a, *y = b;

    return (x->start > y->start) - (x->start < y->start);
}

/* Issue #8 item 5: what the tables in @l leave unexplained.  Partitions
 * that overlap each other are problems on both (one file system's writes
 * land in the other's, and a system may show either).  A file system
 * header at the start of a gap or on a MiB boundary inside one -- where
 * no partition table points -- becomes a volume of its own (scheme
 * "none") with a problem: its files are read, and the medium is not
 * cleared.  Returns 0 or KIKAN_ENOMEM. */
static int
check_layout (const KikanSource *disk, KikanPartList *l)
{
    KikanRange *rg = NULL;
    size_t n_rg = 0, n_table = l->n;
    uint64_t pos, candidates = 0, step = KIKAN_GAP_STEP, low, high;
    unsigned found = 0;
    unsigned char b[4096];
    int r = KIKAN_ENOMEM;

    for (size_t i = 0; i < n_table; i++)
        for (size_t j = i + 1; j < n_table; j++) {
            KikanPart *a = &l->p[i], *c = &l->p[j];

            if (a->size == 0 || c->size == 0 || a->offset >= c->offset + c->size
                || c->offset >= a->offset + a->size)
                continue;
            if (part_set_problem (a, "overlaps volume %zu: the partition tables disagree",
                                  j + 1)
                    != 0
                || part_set_problem (c, "overlaps volume %zu: the partition tables disagree",
                                     i + 1)
                       != 0)
                goto out;
        }

    /* Sector 0 and the primary GPT (34 sectors), and the backup GPT at the
     * end, are the tables themselves. */
    low = 34 * 512;
    high = disk->size > 33 * 512 ? disk->size - 33 * 512 : 0;
    if ((rg = calloc (n_table + 1, sizeof *rg)) == NULL)
        goto out;
    for (size_t i = 0; i < n_table; i++) {
        if (l->p[i].size == 0 || l->p[i].offset >= disk->size)
            continue;
        rg[n_rg].start = l->p[i].offset;
        rg[n_rg].end = disk->size - l->p[i].offset < l->p[i].size ? disk->size
                                                                   : l->p[i].offset + l->p[i].size;
        n_rg++;
    }
    qsort (rg, n_rg, sizeof *rg, range_cmp);
    /* Count the candidates first, to thin them out evenly on a huge disk
     * with a small partition (a 2 TB disk would otherwise mean two million
     * probes). */
    for (int pass = 0; pass < 2; pass++) {
        size_t k = 0;

        pos = low;
        while (pos < high && found < KIKAN_MAX_GAP_VOLUMES) {
            uint64_t gap_end = high, c;

            while (k < n_rg && rg[k].end <= pos)
                k++;
            if (k < n_rg && rg[k].start <= pos) {
                pos = rg[k].end;
                continue;
            }
            if (k < n_rg && rg[k].start < gap_end)
                gap_end = rg[k].start;
            /* The gap [pos, gap_end): its first sector, then every step. */
            c = (pos + 511) / 512 * 512;
            while (c < gap_end && found < KIKAN_MAX_GAP_VOLUMES) {
                KikanHeaderInfo h;
                ssize_t got;

                if (pass == 0) {
                    candidates++;
                } else {
                    got = read_upto (disk, b, sizeof b, c);
                    if (got >= 512) {
                        check_headers (b, (size_t) got, &h);
                        if (h.fs != NULL || h.enc != KIKAN_ENC__COUNT) {
                            KikanPart *p = part_add (l, "none", c, gap_end - c);

                            if (p == NULL
                                || part_set_problem (
                                       p, "a %s starts at byte %" PRIu64 ", outside every "
                                          "partition: no partition table accounts for it",
                                       h.fs ? h.fs : "volume header", c)
                                       != 0)
                                goto out;
                            found++;
                            break;
                        }
                    }
                }
                c = (c / step + 1) * step;
            }
            pos = gap_end;
        }
        if (pass == 0 && candidates > KIKAN_MAX_GAP_PROBES)
            step = KIKAN_GAP_STEP * ((candidates + KIKAN_MAX_GAP_PROBES - 1) / KIKAN_MAX_GAP_PROBES);
    }
    r = 0;
out:
    free (rg);
    return r;
}

/* Issue #8 item 5: a file system at sector 0 beside a partition table (a
 * "superfloppy plus MBR" polyglot).  Windows may mount the one, Linux the
 * other: the whole medium is read as a volume, every partition the table
 * lists away from sector 0 too, and both carry a problem.  An ISO 9660 or
 * UDF image with an MBR is the "isohybrid" layout of every Linux installer:
 * its MBR partitions are read as well (they hold the EFI boot image), but
 * without a problem, and only the MBR is used (its GPT, if any, lists the
 * ISO itself at an offset where no file system starts). */
static int
sector0_polyglot (const KikanSource *disk, const unsigned char *probe, size_t n,
                  KikanPartList *l)
{
    KikanHeaderInfo h;
    KikanPartList t = { 0 };
    int r = 0, iso, gpt = 0, moved = 0;
    size_t whole;

    check_headers (probe, n, &h);
    iso = h.fs != NULL && (strcmp (h.fs, "iso9660") == 0 || strcmp (h.fs, "udf") == 0);
    if (part_add (l, "none", 0, disk->size) == NULL)
        return KIKAN_ENOMEM;
    whole = l->n - 1;
    if (!iso && (memcmp (probe + 512, "EFI PART", 8) == 0
                 || (n >= 4104 && memcmp (probe + 4096, "EFI PART", 8) == 0))) {
        r = parse_gpt (disk, memcmp (probe + 512, "EFI PART", 8) == 0 ? 512 : 4096, &t);
        if (r < 0)
            goto out;
        gpt = r == 0;
        r = 0;
    }
    if (!gpt && mbr_valid (probe) && (r = parse_mbr (disk, probe, &t)) != 0)
        goto out;
    for (size_t i = 0; i < t.n && r == 0; i++) {
        if (t.p[i].offset == 0 || strcmp (t.p[i].part_type, "0xee") == 0)
            continue;
        moved = 1;
        r = part_move (l, &t.p[i], iso ? NULL : "listed in a partition table that shares "
                                                "sector 0 with a file system: systems may "
                                                "show either");
    }
    if (r == 0 && moved && !iso)
        r = part_set_problem (&l->p[whole], "a file system (%s) starts at sector 0 and a "
                                            "partition table is there too: systems may show "
                                            "either",
                              h.fs ? h.fs : "encrypted volume");
out:
    part_list_clear (&t);
    return r;
}

/* check_layout(), and then, when the partition tables list no partition
 * at all (what `sfdisk` or `sgdisk -o` leave: a valid table, empty) and no
 * file system lies where they leave space: the whole medium, read as one
 * volume with a problem.  Otherwise the medium would have no volume, the
 * worker nothing to read or report, and a medium nobody read would come
 * back clean (KR-10); read whole, random bytes are "unknown, possibly
 * encrypted" as on a medium with no table (KR-13). */
static int
check_layout_or_whole (const KikanSource *disk, KikanPartList *l)
{
    KikanPart *p;
    int r = check_layout (disk, l);

    if (r != 0 || l->n > 0)
        return r;
    p = part_add (l, "none", 0, disk->size);
    if (p == NULL
        || part_set_problem (p, "the partition table lists no partition: the medium is "
                                "read as a whole")
               != 0)
        return KIKAN_ENOMEM;
    return 0;
}

/* Decides the layout of @disk and lists its volumes. */
static int
read_layout (const KikanSource *disk, KikanPartList *l, char *err, size_t errlen)
{
    unsigned char s0[512];
    unsigned char probe[KIKAN_HDR_LEN];
    ssize_t n;
    int r, protective = 0;

    if (disk->size == 0) {
        KikanPart *p = part_add (l, "none", 0, 0);
        if (p == NULL || part_set_problem (p, "the medium is empty (0 bytes)") != 0)
            return KIKAN_ENOMEM;
        return 0;
    }
    /* Zeroed: the checks below may look past what a tiny medium holds. */
    memset (probe, 0, sizeof probe);
    n = read_upto (disk, probe, sizeof probe, 0);
    if (n < 0) {
        snprintf (err, errlen, "cannot read the start of the medium: %s", strerror (errno));
        return KIKAN_EIO;
    }
    memcpy (s0, probe, sizeof s0);
    for (int i = 0; i < 4; i++)
        protective |= s0[446 + 16 * i + 4] == 0xee;
    if (n >= 512 && sector0_is_volume (probe, (size_t) n))
        return sector0_polyglot (disk, probe, (size_t) n, l);
    if (n >= 512) {
        int gpt512 = memcmp (probe + 512, "EFI PART", 8) == 0;
        int gpt4k = n >= 4104 && memcmp (probe + 4096, "EFI PART", 8) == 0;

        /* GPT first: its protective MBR would otherwise pass as a table.
         * A protective MBR without a primary header still means GPT: the
         * backup header at the end may be intact. */
        if (gpt512 || gpt4k || (mbr_valid (s0) && protective)) {
            r = parse_gpt (disk, gpt4k && !gpt512 ? 4096 : 512, l);
            if (r < 0)
                return r;
            if (r == 0) {
                if (mbr_valid (s0) && (r = merge_hybrid_mbr (disk, s0, l)) != 0)
                    return r;
                return check_layout_or_whole (disk, l);
            }
        }
        if (mbr_valid (s0)) {
            if ((r = parse_mbr (disk, s0, l)) != 0)
                return r;
            return check_layout_or_whole (disk, l);
        }
    }
    return part_add (l, "none", 0, disk->size) != NULL ? 0 : KIKAN_ENOMEM;
}

/* ---- Public API ---- */

int
kikan_media_looks_like_medium (const KikanSource *disk)
{
    unsigned char *b;
    ssize_t n;
    int r = 0, fd = -1;
    uint64_t fd_off = 0;

    if (disk == NULL || disk->size < 512 || (b = calloc (1, KIKAN_HDR_LEN)) == NULL)
        return 0;
    n = read_upto (disk, b, KIKAN_HDR_LEN, 0);
    if (n >= 512) {
        if (sector0_is_volume (b, (size_t) n) || mbr_valid (b)
            || memcmp (b + 512, "EFI PART", 8) == 0)
            r = 1;
        else if (source_get_fd (disk, &fd, &fd_off) == 0) {
            KikanBlkidInfo bk;
            probe_blkid (fd, fd_off, disk->size, &bk);
            r = bk.found != 0;
        }
    }
    free (b);
    return r;
}

int
kikan_media_looks_like_image (const KikanSource *src)
{
    unsigned char *b;
    ssize_t n;
    int r = 0;

    if (src == NULL || src->size < 512 || (b = calloc (1, KIKAN_HDR_LEN)) == NULL)
        return 0;
    n = read_upto (src, b, KIKAN_HDR_LEN, 0);
    if (n >= 512)
        r = sector0_is_volume (b, (size_t) n) || mbr_valid (b)
            || memcmp (b + 512, "EFI PART", 8) == 0
            || (n >= 4104 && memcmp (b + 4096, "EFI PART", 8) == 0);
    free (b);
    return r;
}

int
kikan_media_open (const KikanSource *disk, const KikanMediaLimits *limits, KikanMedia **out,
                  char *err, size_t errlen)
{
    KikanMedia *m = NULL;
    KikanPartList l = { 0 };
    int r = KIKAN_ENOMEM;

    if (err == NULL)
        errlen = 0;
    else if (errlen > 0)
        err[0] = '\0';
    if (disk == NULL || out == NULL || disk->pread == NULL) {
        snprintf (err, errlen, "kikan_media_open: missing argument");
        return KIKAN_EINVAL;
    }
    *out = NULL;
    if ((m = calloc (1, sizeof *m)) == NULL)
        goto nomem;
    m->disk = disk;
    if (limits != NULL)
        m->limits = *limits;
    if (m->limits.max_depth == 0)
        m->limits.max_depth = KIKAN_MEDIA_DEFAULT_DEPTH;
    if (m->limits.max_entries == 0)
        m->limits.max_entries = KIKAN_MEDIA_DEFAULT_ENTRIES;

    if ((r = read_layout (disk, &l, err, errlen)) != 0) {
        if (r == KIKAN_ENOMEM)
            goto nomem;
        goto out;
    }
    if ((m->vols = calloc (l.n, sizeof *m->vols)) == NULL)
        goto nomem;
    m->n_vols = l.n;
    for (size_t i = 0; i < l.n; i++) {
        KikanMediaVolume *mv = &m->vols[i];
        KikanPart *p = &l.p[i];
        KikanVolume *v = &mv->v;
        uint64_t avail = 0;

        v->index = (uint32_t) (i + 1);
        v->offset = p->offset;
        v->size = p->size;
        v->entropy = -1;
        v->encryption = KIKAN_ENC_UNKNOWN;
        if (set_str (&v->scheme, p->scheme) != 0
            || (p->part_type[0] && set_str (&v->part_type, p->part_type) != 0))
            goto nomem;
        v->part_name = p->part_name;
        p->part_name = NULL;
        v->problem = p->problem;
        p->problem = NULL;
        /* The stored bytes that exist: a partition past the end keeps its
         * declared size in the volume, its source holds what is there. */
        if (p->offset < disk->size)
            avail = disk->size - p->offset < p->size ? disk->size - p->offset : p->size;
        kikan_source_init_window (&mv->stored, &mv->win, disk, p->offset, avail);
        mv->src = &mv->stored;
        if (p->size > 0 && p->offset >= disk->size) {
            if (add_problem (v, "partition starts beyond the end of the medium (at %" PRIu64
                                ", medium holds %" PRIu64 " bytes)",
                             p->offset, disk->size)
                != 0)
                goto nomem;
            continue;
        }
        if (avail < p->size
            && add_problem (v, "partition extends past the end of the medium (%" PRIu64
                               " of %" PRIu64 " bytes present)",
                            avail, p->size)
                   != 0)
            goto nomem;
        if (strcmp (p->scheme, "none") == 0 && disk->size == 0) {
            v->encryption = KIKAN_ENC_NONE;
            continue;
        }
        if (avail == 0)
            continue;
        v->entropy = measure_entropy (mv->src);
        if (probe_volume (mv, 0) != 0)
            goto nomem;
    }
    part_list_clear (&l);
    *out = m;
    return 0;
nomem:
    r = KIKAN_ENOMEM;
    snprintf (err, errlen, "out of memory while probing the medium");
out:
    part_list_clear (&l);
    kikan_media_free (m);
    return r;
}

void
kikan_media_free (KikanMedia *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_vols; i++)
        kikan_volume_clear (&m->vols[i].v);
    free (m->vols);
    free (m);
}

size_t
kikan_media_get_n_volumes (const KikanMedia *m)
{
    return m != NULL ? m->n_vols : 0;
}

const KikanVolume *
kikan_media_get_volume (const KikanMedia *m, size_t i)
{
    return m != NULL && i < m->n_vols ? &m->vols[i].v : NULL;
}

const KikanSource *
kikan_media_get_volume_source (const KikanMedia *m, size_t i)
{
    return m != NULL && i < m->n_vols ? &m->vols[i].stored : NULL;
}

int
kikan_media_set_unlocked (KikanMedia *m, size_t i, const KikanSource *plain)
{
    KikanMediaVolume *mv;
    KikanVolume *v;

    if (m == NULL || i >= m->n_vols || plain == NULL)
        return KIKAN_EINVAL;
    mv = &m->vols[i];
    v = &mv->v;
    mv->src = plain;
    v->unlocked = 1;
    v->readable = 0;
    mv->is_apfs = 0;
    free (v->filesystem);
    free (v->fs_version);
    free (v->problem);
    free (v->os);
    free (v->os_evidence);
    v->filesystem = v->fs_version = v->problem = v->os = v->os_evidence = NULL;
    /* The container's UUID gives way to the inner file system's. */
    free (v->uuid);
    free (v->label);
    v->uuid = v->label = NULL;
    return probe_volume (mv, 1);
}

/* ---- Walking ---- */

/* A set of directory inode numbers already entered: a directory reached
 * twice (a loop, or a hostile second link) is reported and not walked
 * again. */
typedef struct {
    uint64_t *slot;
    size_t cap, n;
} KikanInodeSet;

static uint64_t
hash64 (uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C (0xff51afd7ed558ccd);
    x ^= x >> 33;
    return x;
}

/* Returns 1 if @ino was already present, 0 if added, KIKAN_ENOMEM. */
static int
inode_set_add (KikanInodeSet *s, uint64_t ino)
{
    uint64_t key = ino + 1;     /* 0 marks an empty slot */
    size_t i;

    if ((s->n + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 1024;
        uint64_t *ns = calloc (ncap, sizeof *ns);
        if (ns == NULL)
            return KIKAN_ENOMEM;
        for (size_t j = 0; j < s->cap; j++) {
            if (s->slot[j] == 0)
                continue;
            for (i = hash64 (s->slot[j]) & (ncap - 1); ns[i] != 0; i = (i + 1) & (ncap - 1))
                ;
            ns[i] = s->slot[j];
        }
        free (s->slot);
        s->slot = ns;
        s->cap = ncap;
    }
    for (i = hash64 (key) & (s->cap - 1); s->slot[i] != 0; i = (i + 1) & (s->cap - 1))
        if (s->slot[i] == key)
            return 1;
    s->slot[i] = key;
    s->n++;
    return 0;
}

typedef struct {
    TSK_FS_DIR *dir;
    size_t next;
    size_t path_len;
} KikanWalkFrame;

typedef struct {
    KikanMedia *m;
    TSK_FS_INFO *fs;
    uint64_t vol_tag;           /* APFS volume number, in the top byte of inodes */
    int (*cb) (const KikanEntry *e, void *user_data);
    void *user_data;
    char *path;
    size_t path_cap;
    uint64_t entries;
    KikanInodeSet seen;
    int stop;                   /* 1: callback or limit stopped the walk */
    int64_t cur_mtime;         /* of the entry being emitted (regular files) */
    const char *cur_link;       /* of the symbolic link being emitted, else NULL */
    uint32_t cur_stream;        /* of the named stream being emitted, else 0 */
    KikanInodeSet iso_listed;   /* ISO 9660: KIKAN_ISO_KEY of every file TSK listed */
} KikanWalk;

static int
path_set (KikanWalk *w, size_t base, const char *name)
{
    size_t n = strlen (name), need = base + 1 + n + 1;

    if (need > w->path_cap) {
        size_t cap = need * 2;
        char *p = realloc (w->path, cap);
        if (p == NULL)
            return KIKAN_ENOMEM;
        w->path = p;
        w->path_cap = cap;
    }
    w->path[base] = '/';
    memcpy (w->path + base + 1, name, n + 1);
    return 0;
}

static void
emit (KikanWalk *w, KikanEntryKind kind, uint64_t inode, uint64_t size, const char *detail)
{
    KikanEntry e;

    if (w->stop)
        return;
    e.kind = kind;
    e.path = w->path[0] ? w->path : "/";
    e.inode = inode;
    e.size = size;
    e.detail = detail;
    e.mtime = kind == KIKAN_ENTRY_REGULAR ? w->cur_mtime : 0;
    e.link_target = kind == KIKAN_ENTRY_SYMLINK ? w->cur_link : NULL;
    e.stream = kind == KIKAN_ENTRY_REGULAR ? w->cur_stream : 0;
    if (w->cb (&e, w->user_data) != 0)
        w->stop = 1;
}

/* System files a file system keeps in its root that are no user data:
 * NTFS metadata ($MFT, $LogFile, ... and the $Extend tree: reserved MFT
 * entries below 24) and the HFS+ special files TSK shows (catalog node IDs
 * below 16).  Only when both the reserved number and the '$' match. */
static int
is_fs_metadata (const TSK_FS_INFO *fs, int in_root, const TSK_FS_NAME *nm)
{
    uint64_t ino = nm->meta_addr;

    if (!in_root || nm->name[0] != '$')
        return 0;
    if (TSK_FS_TYPE_ISNTFS (fs->ftype))
        return ino < 24;
    if (TSK_FS_TYPE_ISHFS (fs->ftype))
        return ino < 16;
    return 0;
}

/* The stream number of a named stream: its TSK attribute type and id,
 * which tsk_fs_file_attr_get_type finds again in a reader. */
#define KIKAN_STREAM(type, id) (((uint32_t) (type) << 16) | (uint32_t) (id))

/* Issue #8 item 6: every named stream of @f, an entry of its own after the
 * file (or directory) it belongs to.  NTFS keeps them as $DATA attributes
 * with a name ("doc.txt:evil"; Windows runs scripts and programs straight
 * from them), HFS+ as the resource fork (macOS shows it as
 * "file/..namedfork/rsrc").  The path is w->path plus the suffix; it is
 * put back afterwards.  Returns 0 or KIKAN_ENOMEM. */
static int
walk_streams (KikanWalk *w, TSK_FS_FILE *f, uint64_t ino)
{
    size_t base;
    unsigned count = 0;
    int n;

    if (!TSK_FS_TYPE_ISNTFS (w->fs->ftype) && !TSK_FS_TYPE_ISHFS (w->fs->ftype)
        && !TSK_FS_TYPE_ISAPFS (w->fs->ftype))
        return 0;
    base = strlen (w->path);
    n = tsk_fs_file_attr_getsize (f);
    for (int i = 0; i < n && !w->stop; i++) {
        const TSK_FS_ATTR *a = tsk_fs_file_attr_get_idx (f, i);
        const char *sep, *name, *why = NULL;
        uint64_t size, mapped;
        size_t need;

        if (a == NULL)
            continue;
        if (a->type == TSK_FS_ATTR_TYPE_NTFS_DATA && a->name != NULL && a->name[0] != '\0'
            && strcmp (a->name, "$Data") != 0) {
            sep = ":";
            name = a->name;
        } else if (a->type == TSK_FS_ATTR_TYPE_HFS_RSRC && a->size > 0) {
            sep = "/..namedfork/";
            name = "rsrc";
        } else
            continue;
        need = base + strlen (sep) + strlen (name) + 1;
        if (need > w->path_cap) {
            char *p = realloc (w->path, need * 2);
            if (p == NULL)
                return KIKAN_ENOMEM;
            w->path = p;
            w->path_cap = need * 2;
        }
        snprintf (w->path + base, w->path_cap - base, "%s%s", sep, name);
        if (++count > KIKAN_MEDIA_MAX_STREAMS) {
            char msg[96];
            w->path[base] = '\0';
            snprintf (msg, sizeof msg, "more than %u named streams: the others not read",
                      KIKAN_MEDIA_MAX_STREAMS);
            emit (w, KIKAN_ENTRY_LIMIT, ino, 0, msg);
            break;
        }
        if (++w->entries > w->m->limits.max_entries) {
            char msg[96];
            snprintf (msg, sizeof msg, "more than %" PRIu64 " entries: walk stopped",
                      w->m->limits.max_entries);
            emit (w, KIKAN_ENTRY_LIMIT, 0, 0, msg);
            w->stop = 1;
            break;
        }
        size = a->size > 0 ? (uint64_t) a->size : 0;
        mapped = data_mapped_end (w->fs, a, size, &why);
        tsk_error_reset ();
        if (mapped < size) {
            char msg[160];
            snprintf (msg, sizeof msg, "stream data not readable: %s",
                      why ? why : "unmapped data");
            emit (w, KIKAN_ENTRY_ERROR, ino, size, msg);
        } else {
            w->cur_stream = KIKAN_STREAM (a->type, a->id);
            emit (w, KIKAN_ENTRY_REGULAR, ino, size, NULL);
            w->cur_stream = 0;
        }
    }
    w->path[base] = '\0';
    tsk_error_reset ();
    return 0;
}

/* An NTFS file whose content Windows shows is not in its main $DATA:
 * WOF-compressed (CompactOS, "compact /exe": the main stream is sparse and
 * the content is LZX/XPRESS in "WofCompressedData", which TSK cannot
 * decompress: read as it is, the file would be all zeros) or EFS-encrypted
 * (the main stream is ciphertext; "$EFS" holds the keys).  The reason, or
 * NULL. */
static const char *
ntfs_content_elsewhere (const TSK_FS_INFO *fs, TSK_FS_FILE *f)
{
    int n;

    if (!TSK_FS_TYPE_ISNTFS (fs->ftype))
        return NULL;
    n = tsk_fs_file_attr_getsize (f);
    for (int i = 0; i < n; i++) {
        const TSK_FS_ATTR *a = tsk_fs_file_attr_get_idx (f, i);

        if (a == NULL || a->name == NULL)
            continue;
        if (a->type == TSK_FS_ATTR_TYPE_NTFS_DATA && strcmp (a->name, "WofCompressedData") == 0)
            return "compressed by Windows (WOF/CompactOS): Windows shows content that Kikan "
                   "cannot decompress";
        if (a->type == TSK_FS_ATTR_TYPE_NTFS_LOG && strcmp (a->name, "$EFS") == 0)
            return "encrypted with EFS: Windows shows its owner content that Kikan cannot "
                   "decrypt";
    }
    tsk_error_reset ();
    return NULL;
}

/* Walks one file system from its root into @w.  Returns 0 or KIKAN_ENOMEM. */
static int
walk_fs (KikanWalk *w, size_t prefix_len)
{
    KikanWalkFrame *stack;
    size_t depth = 0, max_depth = w->m->limits.max_depth;
    int r = 0;

    if ((stack = calloc (max_depth + 1, sizeof *stack)) == NULL)
        return KIKAN_ENOMEM;
    w->path[prefix_len] = '\0';
    if (inode_set_add (&w->seen, w->vol_tag | w->fs->root_inum) < 0) {
        free (stack);
        return KIKAN_ENOMEM;
    }
    {
        const char *why = ext_inode_refusal (w->fs, w->fs->root_inum);
        TSK_FS_FILE *root = why ? NULL : tsk_fs_file_open_meta (w->fs, NULL, w->fs->root_inum);
        int limit = 0;

        if (why == NULL)
            why = root == NULL || root->meta == NULL ? "root directory metadata not readable"
                                                     : tsk_refusal (w->fs, root->meta, 1, &limit);
        tsk_fs_file_close (root);
        tsk_error_reset ();
        if (why != NULL) {
            emit (w, limit ? KIKAN_ENTRY_LIMIT : KIKAN_ENTRY_ERROR,
                  w->vol_tag | w->fs->root_inum, 0, why);
            free (stack);
            return 0;
        }
    }
    if ((stack[0].dir = tsk_fs_dir_open_meta (w->fs, w->fs->root_inum)) == NULL) {
        char msg[256];
        tsk_error_copy (msg, sizeof msg, "root directory not readable");
        emit (w, KIKAN_ENTRY_ERROR, w->vol_tag | w->fs->root_inum, 0, msg);
        free (stack);
        return 0;
    }
    stack[0].path_len = prefix_len;

    while (!w->stop) {
        KikanWalkFrame *fr = &stack[depth];
        const TSK_FS_NAME *nm;
        TSK_FS_FILE *f;
        const TSK_FS_META *meta;
        const char *why;
        uint64_t ino, size;

        if (fr->next >= tsk_fs_dir_getsize (fr->dir)) {
            tsk_fs_dir_close (fr->dir);
            fr->dir = NULL;
            if (depth == 0)
                break;
            depth--;
            continue;
        }
        nm = tsk_fs_dir_get_name (fr->dir, fr->next++);
        if (nm == NULL || nm->name == NULL || strcmp (nm->name, ".") == 0
            || strcmp (nm->name, "..") == 0 || (nm->flags & TSK_FS_NAME_FLAG_UNALLOC)
            || tsk_orphan_dir (w->fs, nm)) {
            tsk_error_reset ();
            continue;
        }
        if (++w->entries > w->m->limits.max_entries) {
            char msg[96];
            w->path[fr->path_len] = '\0';
            snprintf (msg, sizeof msg, "more than %" PRIu64 " entries: walk stopped",
                      w->m->limits.max_entries);
            emit (w, KIKAN_ENTRY_LIMIT, 0, 0, msg);
            w->stop = 1;
            break;
        }
        if (is_fs_metadata (w->fs, depth == 0, nm))
            continue;
        if (path_set (w, fr->path_len, nm->name) != 0) {
            r = KIKAN_ENOMEM;
            break;
        }
        ino = nm->meta_addr;
        if (ino > KIKAN_INODE_MASK) {
            emit (w, KIKAN_ENTRY_ERROR, 0, 0, "inode number out of range");
            continue;
        }
        if ((why = ext_inode_refusal (w->fs, ino)) != NULL) {
            emit (w, KIKAN_ENTRY_ERROR, w->vol_tag | ino, 0, why);
            continue;
        }
        if ((f = tsk_fs_dir_get (fr->dir, fr->next - 1)) == NULL) {
            char msg[256];
            tsk_error_copy (msg, sizeof msg, "metadata not readable");
            emit (w, KIKAN_ENTRY_ERROR, w->vol_tag | ino, 0, msg);
            continue;
        }
        meta = f->meta;
        ino |= w->vol_tag;
        if (meta == NULL) {
            emit (w, KIKAN_ENTRY_ERROR, ino, 0, "metadata not readable");
            tsk_error_reset ();
            tsk_fs_file_close (f);
            continue;
        }
        size = meta->size > 0 ? (uint64_t) meta->size : 0;
        if (meta->flags & TSK_FS_META_FLAG_UNALLOC) {
            emit (w, KIKAN_ENTRY_ERROR, ino, size,
                  "allocated name points to unallocated metadata");
            tsk_fs_file_close (f);
            continue;
        }
        w->cur_mtime = (int64_t) meta->mtime;
        switch (meta->type) {
        case TSK_FS_META_TYPE_REG: {
            int limit;
            const TSK_FS_ATTR *a;
            uint64_t mapped;

            if ((why = tsk_refusal (w->fs, meta, 0, &limit)) != NULL) {
                emit (w, KIKAN_ENTRY_ERROR, ino, size, why);
                break;
            }
            a = size > 0 ? tsk_fs_file_attr_get (f) : NULL;
            if (TSK_FS_TYPE_ISISO9660 (w->fs->ftype) && meta->content_ptr != NULL
                && meta->content_len >= sizeof (TSK_DADDR_T)) {
                /* TSK 4.11 skips an extended attribute record of N blocks
                 * as N bytes: such a file is left to iso_walk_tree, which
                 * reads it where Linux does. */
                if (a != NULL && (a->flags & TSK_FS_ATTR_NONRES) && a->nrd.skiplen != 0)
                    break;
                if (inode_set_add (&w->iso_listed,
                                   KIKAN_ISO_KEY (((TSK_DADDR_T *) meta->content_ptr)[0], size))
                    < 0) {
                    r = KIKAN_ENOMEM;
                    break;
                }
            }

            /* FAT volume labels are directory entries, shown by TSK as
             * empty files; nothing to scan in an empty file anyway. */
            if (size == 0 && strstr (f->name->name, " (Volume Label Entry)") != NULL
                && TSK_FS_TYPE_ISFAT (w->fs->ftype))
                break;
            mapped = data_mapped_end (w->fs, a, size, &why);
            tsk_error_reset ();
            if (mapped < size) {
                char msg[160];
                snprintf (msg, sizeof msg, "file data not readable: %s",
                          why ? why : "unmapped data");
                emit (w, KIKAN_ENTRY_ERROR, ino, size, msg);
            } else if ((why = ntfs_content_elsewhere (w->fs, f)) != NULL) {
                emit (w, KIKAN_ENTRY_ERROR, ino, size, why);
            } else {
                emit (w, KIKAN_ENTRY_REGULAR, ino, size, NULL);
            }
            r = walk_streams (w, f, ino);
            break;
        }
        case TSK_FS_META_TYPE_DIR: {
            int seen = inode_set_add (&w->seen, ino);
            if (seen < 0) {
                r = KIKAN_ENOMEM;
                break;
            }
            if (seen) {
                emit (w, KIKAN_ENTRY_ERROR, ino, 0,
                      "directory already walked (directory loop or second link)");
                break;
            }
            int limit;

            if ((why = tsk_refusal (w->fs, meta, 1, &limit)) != NULL) {
                emit (w, limit ? KIKAN_ENTRY_LIMIT : KIKAN_ENTRY_ERROR, ino, size, why);
                break;
            }
            /* A directory's named streams are as reachable as a file's
             * ("dir:stream"); listed before it is entered, with its path. */
            if ((r = walk_streams (w, f, ino)) != 0)
                break;
            if (depth + 1 > max_depth) {
                char msg[96];
                snprintf (msg, sizeof msg, "directory nesting deeper than %zu: not walked",
                          max_depth);
                emit (w, KIKAN_ENTRY_LIMIT, ino, 0, msg);
                break;
            }
            stack[depth + 1].dir = tsk_fs_dir_open_meta (w->fs, f->name->meta_addr);
            if (stack[depth + 1].dir == NULL) {
                char msg[256];
                tsk_error_copy (msg, sizeof msg, "directory not readable");
                emit (w, KIKAN_ENTRY_ERROR, ino, 0, msg);
                break;
            }
            stack[depth + 1].next = 0;
            stack[depth + 1].path_len = strlen (w->path);
            depth++;
            break;
        }
        case TSK_FS_META_TYPE_LNK:
            /* Issue #8 ("false holds"): the link's text is reported, never
             * followed; TSK keeps it in meta->link (ext, HFS+). */
            w->cur_link = meta->link;
            emit (w, KIKAN_ENTRY_SYMLINK, ino, size, NULL);
            w->cur_link = NULL;
            break;
        case TSK_FS_META_TYPE_VIRT:
        case TSK_FS_META_TYPE_VIRT_DIR:
            break;
        default:
            emit (w, KIKAN_ENTRY_OTHER, ino, size, NULL);
            break;
        }
        tsk_fs_file_close (f);
        if (r != 0)
            break;
    }
    for (size_t i = 0; i <= max_depth; i++)
        if (stack[i].dir != NULL)
            tsk_fs_dir_close (stack[i].dir);
    free (stack);
    return r;
}

/* ---- ISO 9660: every directory tree (issue #8) ---- */

/* An ISO 9660 volume can carry several directory trees over the same data:
 * the primary one (with Rock Ridge names: what Linux shows) and
 * supplementary ones (Joliet: what Windows shows).  The Sleuth Kit 4.11
 * walks the first Joliet tree and lists the files only the other trees
 * hold as orphans, which the walk leaves out like deleted files; it also
 * finds directories through the path table, not through the directory
 * records that systems follow, and drops the rest of a directory sector at
 * the first record it does not like.  So after TSK's walk every tree is
 * read here from its directory records, and each file whose (extent, size)
 * TSK did not list becomes an entry of its own, read straight from the
 * volume (kikan_media_reader_open).  Bounded: at most KIKAN_ISO_MAX_VD
 * volume descriptors, the walk's depth and entry limits, each directory
 * (extent, size) once (a directory pointing at itself ends there), and
 * KIKAN_ISO_MAX_DIR_TOTAL bytes of directories over all trees. */

#define KIKAN_ISO_SECTOR 2048u
#define KIKAN_ISO_VD_START (16u * KIKAN_ISO_SECTOR)
#define KIKAN_ISO_MAX_VD 64u
#define KIKAN_ISO_MAX_TREES 8u
/* Real discs have a few MiB of directories per tree (100,000 files take
 * about 10 MiB); a hostile one could make every directory claim the
 * volume. */
#define KIKAN_ISO_MAX_DIR_TOTAL (256u * 1024u * 1024u)
/* A file only one tree shows: the top byte of its inode is this tag, bits
 * 48-49 the logical block size (512 << n), the rest the byte offset of its
 * directory record in the volume, which the reader parses again. */
#define KIKAN_INODE_ISO_RAW (UINT64_C (0xff) << KIKAN_INODE_VOL_SHIFT)
#define KIKAN_INODE_ISO_BS_SHIFT 48
#define KIKAN_INODE_ISO_OFF_MASK ((UINT64_C (1) << KIKAN_INODE_ISO_BS_SHIFT) - 1)

typedef struct {
    uint32_t extent, len;       /* root directory */
    uint32_t bs;                /* logical block size */
    int joliet;                 /* names in UCS-2/UTF-16 big-endian */
    int primary;                /* names may carry Rock Ridge NM entries */
} KikanIsoTree;

typedef struct {
    uint64_t off;               /* directory's bytes in the volume */
    uint64_t len;
    uint64_t done;              /* bytes of it read so far */
    uint64_t chunk_off;         /* where buf came from */
    size_t chunk_len, rec;      /* bytes in buf, next record in buf */
    size_t path_len;
    unsigned char buf[KIKAN_ISO_SECTOR];
} KikanIsoFrame;

static int
iso_bs_ok (uint32_t bs)
{
    return bs == 512 || bs == 1024 || bs == 2048;
}

/* The directory trees the volume descriptors name, primary first.  Returns
 * the number of trees, or -1 with @why set (descriptors not readable). */
static int
iso_list_trees (const KikanSource *src, KikanIsoTree *t, const char **why)
{
    unsigned char vd[KIKAN_ISO_SECTOR];
    int n = 0, have_primary = 0;

    for (unsigned k = 0; k < KIKAN_ISO_MAX_VD; k++) {
        uint64_t off = KIKAN_ISO_VD_START + (uint64_t) k * KIKAN_ISO_SECTOR;
        KikanIsoTree tr;

        if (kikan_source_read_exact (src, vd, sizeof vd, off) != 0
            || memcmp (vd + 1, "CD001", 5) != 0) {
            *why = "ISO 9660 volume descriptors not readable: its directory trees were not "
                   "compared";
            return -1;
        }
        if (vd[0] == 255) {
            if (have_primary)
                return n;
            *why = "no primary ISO 9660 volume descriptor: its directory trees were not "
                   "compared";
            return -1;
        }
        if (vd[0] != 1 && vd[0] != 2)
            continue;
        memset (&tr, 0, sizeof tr);
        tr.bs = le16 (vd + 128);
        /* The root's extended attribute record, if any, comes first; an
         * address past 32 bits (no volume reaches it) must not wrap round
         * to another directory. */
        if ((uint64_t) le32 (vd + 156 + 2) + vd[156 + 1] > UINT32_MAX) {
            *why = "an ISO 9660 root directory lies beyond any volume: its directory trees "
                   "were not compared";
            return -1;
        }
        tr.extent = le32 (vd + 156 + 2) + vd[156 + 1];
        tr.len = le32 (vd + 156 + 10);
        tr.primary = vd[0] == 1;
        tr.joliet = vd[0] == 2 && vd[88] == '%' && vd[89] == '/'
                    && (vd[90] == '@' || vd[90] == 'C' || vd[90] == 'E');
        if (n == (int) KIKAN_ISO_MAX_TREES) {
            *why = "more than 8 ISO 9660 directory trees: they were not compared";
            return -1;
        }
        if (tr.primary) {
            /* Primary first: its Rock Ridge names are what Linux shows. */
            memmove (t + 1, t, (size_t) n * sizeof *t);
            t[0] = tr;
            have_primary = 1;
        } else {
            t[n] = tr;
        }
        n++;
    }
    *why = "more than 64 ISO 9660 volume descriptors: its directory trees were not compared";
    return -1;
}

/* The name a system shows for the record @p (@len bytes, file identifier
 * of @fi_len bytes): Joliet's UTF-16BE, else the Rock Ridge NM name when
 * there is one (primary tree), else the ISO identifier without ";1" and a
 * trailing dot.  '/' and NUL become '_' so that no name forges a folder.
 * Sets *zisofs when a Rock Ridge ZF entry says the data is compressed.
 * NULL when out of memory. */
static char *
iso_record_name (const unsigned char *p, size_t len, const KikanIsoTree *tr, int *zisofs)
{
    size_t fi_len = p[32], su, nm_len = 0;
    char nm[512], *out = NULL;
    int have_nm = 0;

    *zisofs = 0;
    /* System use area: after the identifier and its padding byte. */
    su = 33 + fi_len + ((fi_len & 1u) == 0 ? 1 : 0);
    while (tr->primary && su + 4 <= len) {
        const unsigned char *e = p + su;
        size_t elen = e[2];

        if (elen < 4 || su + elen > len)
            break;
        if (e[0] == 'N' && e[1] == 'M' && elen >= 5 && (e[4] & 0x6u) == 0) {
            size_t n = elen - 5;
            if (nm_len + n < sizeof nm) {
                memcpy (nm + nm_len, e + 5, n);
                nm_len += n;
                have_nm = 1;
            }
        } else if (e[0] == 'Z' && e[1] == 'F') {
            *zisofs = 1;
        } else if (e[0] == 'S' && e[1] == 'T') {
            break;
        }
        su += elen;
    }
    if (tr->joliet) {
        unsigned char le[256];
        size_t units = fi_len / 2;
        for (size_t i = 0; i < units; i++) {
            le[2 * i] = p[33 + 2 * i + 1];
            le[2 * i + 1] = p[33 + 2 * i];
        }
        out = utf16le_to_utf8 (le, units);
    } else if (have_nm && nm_len > 0) {
        out = strndup (nm, nm_len);
    } else {
        out = strndup ((const char *) p + 33, fi_len);
    }
    if (out == NULL)
        return NULL;
    if (!have_nm || tr->joliet) {
        char *semi = strrchr (out, ';');
        size_t n;
        if (semi != NULL)
            *semi = '\0';
        n = strlen (out);
        if (n > 1 && out[n - 1] == '.')
            out[n - 1] = '\0';
    }
    for (char *c = out; *c; c++)
        if (*c == '/')
            *c = '_';
    if (out[0] == '\0') {
        free (out);
        out = strdup ("_");
    }
    return out;
}

/* 1 if @key is in @s. */
static int
inode_set_has (const KikanInodeSet *s, uint64_t key)
{
    key++;
    if (s->cap == 0)
        return 0;
    for (size_t i = hash64 (key) & (s->cap - 1); s->slot[i] != 0; i = (i + 1) & (s->cap - 1))
        if (s->slot[i] == key)
            return 1;
    return 0;
}

/* Walks tree @tr of the ISO 9660 volume @src into @w: files whose
 * (extent, size) is neither in w->iso_listed (TSK's walk) nor in
 * @emitted are entries.  @dirs holds the directories already read,
 * @dir_total the directory bytes read so far.  Returns 0 or
 * KIKAN_ENOMEM; 1 when the byte budget ran out (LIMIT emitted). */
static int
iso_walk_tree (KikanWalk *w, const KikanSource *src, const KikanIsoTree *tr,
               KikanInodeSet *dirs, KikanInodeSet *emitted, uint64_t *dir_total)
{
    size_t max_depth = w->m->limits.max_depth, depth = 0;
    KikanIsoFrame *st;
    uint64_t bs = tr->bs;
    unsigned bs_code = bs == 512 ? 0 : bs == 1024 ? 1 : 2;
    int r = 0;

    w->path[0] = '\0';
    if (!iso_bs_ok (tr->bs)) {
        emit (w, KIKAN_ENTRY_ERROR, 0, 0,
              "ISO 9660 directory tree with an unusual logical block size: not read");
        return 0;
    }
    if (tr->len == 0 || ((uint64_t) tr->extent * bs + tr->len > src->size)) {
        emit (w, KIKAN_ENTRY_ERROR, 0, 0,
              "ISO 9660 root directory lies beyond the end of the volume: tree not read");
        return 0;
    }
    if ((r = inode_set_add (dirs, KIKAN_ISO_KEY (tr->extent, tr->len))) != 0)
        return r < 0 ? r : 0;
    if ((st = calloc (max_depth + 1, sizeof *st)) == NULL)
        return KIKAN_ENOMEM;
    st[0].off = (uint64_t) tr->extent * bs;
    st[0].len = tr->len;

    while (!w->stop) {
        KikanIsoFrame *fr = &st[depth];
        const unsigned char *p;
        size_t len, fi_len;
        uint32_t extent, size;
        unsigned flags;
        uint64_t rec_off, off;
        char *name;
        int zisofs, seen;

        if (fr->rec >= fr->chunk_len) {
            size_t n;
            if (fr->done >= fr->len) {
                if (depth == 0)
                    break;
                depth--;
                continue;
            }
            n = fr->len - fr->done < KIKAN_ISO_SECTOR ? (size_t) (fr->len - fr->done)
                                                        : KIKAN_ISO_SECTOR;
            w->path[fr->path_len] = '\0';
            if ((*dir_total += n) > KIKAN_ISO_MAX_DIR_TOTAL) {
                emit (w, KIKAN_ENTRY_LIMIT, 0, 0,
                      "ISO 9660 directory trees larger than 256 MiB: the rest not compared");
                r = 1;
                break;
            }
            fr->chunk_off = fr->off + fr->done;
            fr->done += KIKAN_ISO_SECTOR;
            fr->rec = 0;
            fr->chunk_len = 0;
            if (kikan_source_read_exact (src, fr->buf, n, fr->chunk_off) != 0) {
                emit (w, KIKAN_ENTRY_ERROR, 0, 0,
                      "ISO 9660 directory not readable");
                fr->done = fr->len;
                continue;
            }
            fr->chunk_len = n;
            continue;
        }
        p = fr->buf + fr->rec;
        len = p[0];
        if (len == 0) {
            /* Zero padding to the end of the sector (ECMA-119 6.8.1.1). */
            fr->rec = fr->chunk_len;
            continue;
        }
        if (len < 34 || fr->rec + len > fr->chunk_len || 33u + p[32] > len) {
            w->path[fr->path_len] = '\0';
            emit (w, KIKAN_ENTRY_ERROR, 0, 0,
                  "malformed ISO 9660 directory record: the rest of its sector not read");
            fr->rec = fr->chunk_len;
            continue;
        }
        rec_off = fr->chunk_off + fr->rec;
        fr->rec += len;
        fi_len = p[32];
        if (fi_len == 1 && (p[33] == 0 || p[33] == 1))
            continue;           /* "." and ".." */
        if (++w->entries > w->m->limits.max_entries) {
            char msg[96];
            w->path[fr->path_len] = '\0';
            snprintf (msg, sizeof msg, "more than %" PRIu64 " entries: walk stopped",
                      w->m->limits.max_entries);
            emit (w, KIKAN_ENTRY_LIMIT, 0, 0, msg);
            w->stop = 1;
            break;
        }
        extent = le32 (p + 2);
        size = le32 (p + 10);
        flags = p[25];
        /* The data follows its extended attribute record, as Linux reads it. */
        off = ((uint64_t) extent + p[1]) * bs;
        if ((name = iso_record_name (p, len, tr, &zisofs)) == NULL) {
            r = KIKAN_ENOMEM;
            break;
        }
        r = path_set (w, fr->path_len, name);
        free (name);
        if (r != 0)
            break;
        if (size == 0)
            continue;           /* nothing to read (Rock Ridge links and devices too) */
        if (flags & 0x02u) {
            if (off + size > src->size) {
                emit (w, KIKAN_ENTRY_ERROR, 0, 0,
                      "ISO 9660 directory lies beyond the end of the volume");
                continue;
            }
        } else if (flags & 0x80u) {
            /* ISO 9660 "multi-extent": this record is one piece of a file
             * that Linux and libarchive show whole; read piece by piece,
             * as The Sleuth Kit lists them, a signature across a seam or
             * for the whole file is never matched (third red-team round). */
            emit (w, KIKAN_ENTRY_ERROR, 0, size,
                  "an ISO 9660 file stored in several extents: Linux shows it as one file, "
                  "Kikan reads only its pieces");
            continue;
        } else if (zisofs) {
            /* Linux shows zisofs files decompressed; neither TSK nor the
             * engine decompresses them, whichever tree listed them. */
            emit (w, KIKAN_ENTRY_ERROR, 0, size,
                  "compressed with zisofs (Rock Ridge ZF): Linux shows content that Kikan "
                  "cannot decompress");
            continue;
        } else if (inode_set_has (&w->iso_listed, KIKAN_ISO_KEY (extent, size))) {
            continue;
        }
        /* A directory met again (a loop, or the same one in two trees)
         * holds nothing new; a file two trees list is listed once. */
        if ((seen = inode_set_add ((flags & 0x02u) ? dirs : emitted,
                                   KIKAN_ISO_KEY (extent, size)))
            != 0) {
            if (seen < 0) {
                r = seen;
                break;
            }
            continue;
        }
        if (flags & 0x02u) {
            if (depth + 1 > max_depth) {
                char msg[96];
                snprintf (msg, sizeof msg, "directory nesting deeper than %zu: not walked",
                          max_depth);
                emit (w, KIKAN_ENTRY_LIMIT, 0, 0, msg);
                continue;
            }
            depth++;
            memset (&st[depth], 0, offsetof (KikanIsoFrame, buf));
            st[depth].off = off;
            st[depth].len = size;
            st[depth].path_len = strlen (w->path);
            continue;
        }
        if (p[26] != 0 || p[27] != 0)
            emit (w, KIKAN_ENTRY_ERROR, 0, size,
                  "interleaved ISO 9660 file (only in a directory tree The Sleuth Kit did not "
                  "walk): not read");
        else if (off + size > src->size)
            emit (w, KIKAN_ENTRY_ERROR, 0, size, "file data lies beyond the end of the volume");
        else
            emit (w, KIKAN_ENTRY_REGULAR,
                  KIKAN_INODE_ISO_RAW | ((uint64_t) bs_code << KIKAN_INODE_ISO_BS_SHIFT)
                      | rec_off,
                  size, NULL);
    }
    free (st);
    return r;
}

/* Reads every directory tree of the ISO 9660 volume @src after TSK's walk
 * (above).  Returns 0 or KIKAN_ENOMEM. */
static int
iso_walk_other_trees (KikanWalk *w, const KikanSource *src)
{
    KikanIsoTree trees[KIKAN_ISO_MAX_TREES];
    KikanInodeSet dirs = { 0 }, emitted = { 0 };
    const char *why = NULL;
    uint64_t total = 0;
    int n, r = 0;

    w->path[0] = '\0';
    if (w->fs->block_pre_size != 0 || w->fs->block_post_size != 0) {
        emit (w, KIKAN_ENTRY_ERROR, 0, 0,
              "ISO 9660 in raw CD sectors: only one of its directory trees was read");
        return 0;
    }
    if ((n = iso_list_trees (src, trees, &why)) < 0) {
        emit (w, KIKAN_ENTRY_ERROR, 0, 0, why);
        return 0;
    }
    for (int i = 0; i < n && !w->stop && r == 0; i++)
        r = iso_walk_tree (w, src, &trees[i], &dirs, &emitted, &total);
    free (dirs.slot);
    free (emitted.slot);
    return r < 0 ? r : 0;
}

/* A source over a file only an ISO 9660 tree TSK did not walk lists: the
 * directory record at the offset the inode holds is read again, and its
 * extent (after the extended attribute record, as Linux reads it) and size
 * give a window over the volume. */
static int
iso_raw_open (KikanMediaReader *r, uint64_t inode, const KikanSource **src)
{
    const KikanSource *vol = r->m->vols[r->vi].src;
    uint64_t rec_off = inode & KIKAN_INODE_ISO_OFF_MASK, bs, off;
    unsigned char p[34];
    unsigned code = (unsigned) ((inode >> KIKAN_INODE_ISO_BS_SHIFT) & 3u);

    if (code > 2 || kikan_source_read_exact (vol, p, sizeof p, rec_off) != 0)
        return KIKAN_EIO;
    bs = (uint64_t) 512 << code;
    off = ((uint64_t) le32 (p + 2) + p[1]) * bs;
    if (p[0] < 34 || (p[25] & 0x02u) || p[26] != 0 || p[27] != 0
        || off + le32 (p + 10) > vol->size)
        return KIKAN_EIO;
    kikan_source_init_window (&r->raw, &r->raw_win, vol, off, le32 (p + 10));
    *src = &r->raw;
    return 0;
}

int
kikan_media_walk (KikanMedia *m, size_t i, int (*cb) (const KikanEntry *e, void *user_data),
                  void *user_data, char *err, size_t errlen)
{
    KikanMediaVolume *mv;
    KikanTsk k;
    KikanWalk w;
    int r;

    if (err == NULL)
        errlen = 0;
    else if (errlen > 0)
        err[0] = '\0';
    if (m == NULL || i >= m->n_vols || cb == NULL) {
        snprintf (err, errlen, "kikan_media_walk: bad argument");
        return KIKAN_EINVAL;
    }
    mv = &m->vols[i];
    if (!mv->v.readable) {
        snprintf (err, errlen, "volume %u is not readable: %s", mv->v.index,
                  mv->v.problem ? mv->v.problem : "no file system");
        return KIKAN_ENOTSUP;
    }
    if (mv->no_data)
        return 0;       /* an empty Microsoft Reserved partition: no entries */
    if ((r = kikan_tsk_open (mv, mv->tsk_type, &k, err, errlen)) != 0)
        return r;
    memset (&w, 0, sizeof w);
    w.m = m;
    w.cb = cb;
    w.user_data = user_data;
    w.path_cap = 256;
    if ((w.path = malloc (w.path_cap)) == NULL) {
        r = KIKAN_ENOMEM;
        goto out;
    }
    for (size_t j = 0; j < k.n && !w.stop; j++) {
        size_t prefix = 0;

        w.path[0] = '\0';
        /* Several APFS volumes: each gets its name as the top folder. */
        if (mv->is_apfs && k.n > 1) {
            if (path_set (&w, 0, k.name[j][0] ? k.name[j] : "volume") != 0) {
                r = KIKAN_ENOMEM;
                goto out;
            }
            prefix = strlen (w.path);
        }
        if (k.encrypted[j] || k.fs[j] == NULL) {
            emit (&w, KIKAN_ENTRY_ERROR, 0, 0,
                  k.encrypted[j] ? "encrypted APFS volume, not unlocked"
                                 : "APFS volume not readable");
            continue;
        }
        w.fs = k.fs[j];
        w.vol_tag = (uint64_t) j << KIKAN_INODE_VOL_SHIFT;
        if ((r = walk_fs (&w, prefix)) != 0)
            goto out;
    }
    /* Issue #8: the directory trees TSK did not walk. */
    if (!mv->is_apfs && !w.stop && k.fs[0] != NULL && TSK_FS_TYPE_ISISO9660 (k.fs[0]->ftype)) {
        w.fs = k.fs[0];
        if ((r = iso_walk_other_trees (&w, mv->src)) != 0)
            goto out;
    }
    /* TSK hides some read errors (it may parse garbage instead): never let
     * them pass unnoticed. */
    if (k.img->io_error && !w.stop) {
        w.path[0] = '\0';
        emit (&w, KIKAN_ENTRY_ERROR, 0, 0, "read errors on the medium while walking");
    }
    r = 0;
out:
    if (r == KIKAN_ENOMEM)
        snprintf (err, errlen, "out of memory while walking volume %u", mv->v.index);
    free (w.path);
    free (w.seen.slot);
    free (w.iso_listed.slot);
    kikan_tsk_close (&k);
    return r;
}

/* ---- Reading files ---- */

static ssize_t
reader_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    KikanMediaReader *r = handle;
    ssize_t got;

    if (off >= r->src.size || n == 0)
        return 0;
    if (n > r->src.size - off)
        n = (size_t) (r->src.size - off);
    if (off >= r->mapped_end) {
        errno = EIO;
        return -1;
    }
    if (n > r->mapped_end - off)
        n = (size_t) (r->mapped_end - off);
    pthread_mutex_lock (&r->lock);
    r->tsk.img->io_error = 0;
    got = tsk_fs_attr_read (r->attr, (TSK_OFF_T) off, buf, n, TSK_FS_FILE_READ_FLAG_NONE);
    if (got != (ssize_t) n || r->tsk.img->io_error) {
        tsk_error_reset ();
        got = -1;
    }
    pthread_mutex_unlock (&r->lock);
    if (got < 0)
        errno = EIO;
    return got;
}

int
kikan_media_reader_new (KikanMedia *m, size_t i, KikanMediaReader **out)
{
    KikanMediaReader *r;
    char err[256] = "";
    int rc;

    if (out == NULL)
        return KIKAN_EINVAL;
    *out = NULL;
    if (m == NULL || i >= m->n_vols)
        return KIKAN_EINVAL;
    if (!m->vols[i].v.readable || m->vols[i].no_data)
        return KIKAN_ENOTSUP;
    if ((r = calloc (1, sizeof *r)) == NULL)
        return KIKAN_ENOMEM;
    r->m = m;
    r->vi = i;
    if ((rc = kikan_tsk_open (&m->vols[i], m->vols[i].tsk_type, &r->tsk, err, sizeof err))
        != 0) {
        free (r);
        return rc;
    }
    pthread_mutex_init (&r->lock, NULL);
    *out = r;
    return 0;
}

void
kikan_media_reader_free (KikanMediaReader *r)
{
    if (r == NULL)
        return;
    if (r->file != NULL)
        tsk_fs_file_close (r->file);
    kikan_tsk_close (&r->tsk);
    pthread_mutex_destroy (&r->lock);
    free (r);
}

int
kikan_media_reader_open (KikanMediaReader *r, uint64_t inode, const KikanSource **src)
{
    return kikan_media_reader_open_stream (r, inode, 0, src);
}

int
kikan_media_reader_open_stream (KikanMediaReader *r, uint64_t inode, uint32_t stream,
                                const KikanSource **src)
{
    size_t vol = (size_t) (inode >> KIKAN_INODE_VOL_SHIFT);
    TSK_FS_INFO *fs;
    const char *why;
    uint64_t size;
    int limit;

    if (r == NULL || src == NULL)
        return KIKAN_EINVAL;
    *src = NULL;
    pthread_mutex_lock (&r->lock);
    if (r->file != NULL) {
        tsk_fs_file_close (r->file);
        r->file = NULL;
        r->attr = NULL;
    }
    pthread_mutex_unlock (&r->lock);
    if ((inode & ~KIKAN_INODE_MASK) == KIKAN_INODE_ISO_RAW)
        return stream == 0 ? iso_raw_open (r, inode, src) : KIKAN_EINVAL;
    if (vol >= r->tsk.n || (fs = r->tsk.fs[vol]) == NULL)
        return KIKAN_EINVAL;
    if (ext_inode_refusal (fs, inode & KIKAN_INODE_MASK) != NULL)
        return KIKAN_EIO;
    if ((r->file = tsk_fs_file_open_meta (fs, NULL, inode & KIKAN_INODE_MASK)) == NULL) {
        tsk_error_reset ();
        return KIKAN_EIO;
    }
    if (r->file->meta == NULL || r->file->meta->size < 0
        || !(r->file->meta->type == TSK_FS_META_TYPE_REG
             || (stream != 0 && r->file->meta->type == TSK_FS_META_TYPE_DIR))) {
        tsk_fs_file_close (r->file);
        r->file = NULL;
        return KIKAN_EINVAL;
    }
    size = (uint64_t) r->file->meta->size;
    if (stream != 0) {
        /* A named stream: its own attribute, size and data map. */
        const TSK_FS_ATTR *a = tsk_fs_file_attr_get_type (
            r->file, (TSK_FS_ATTR_TYPE_ENUM) (stream >> 16), (uint16_t) (stream & 0xffffu), 1);

        if (a == NULL || a->size < 0) {
            tsk_error_reset ();
            tsk_fs_file_close (r->file);
            r->file = NULL;
            return KIKAN_EIO;
        }
        size = (uint64_t) a->size;
        r->attr = size > 0 ? a : NULL;
        r->mapped_end = data_mapped_end (fs, r->attr, size, &why);
    } else if (tsk_refusal (fs, r->file->meta, 0, &limit) != NULL) {
        r->attr = NULL;
        r->mapped_end = 0;      /* every read fails: see the walk's ERROR */
    } else {
        r->attr = size > 0 ? tsk_fs_file_attr_get (r->file) : NULL;
        r->mapped_end = data_mapped_end (fs, r->attr, size, &why);
    }
    tsk_error_reset ();
    r->src.handle = r;
    r->src.pread = reader_pread;
    r->src.size = size;
    *src = &r->src;
    return 0;
}
