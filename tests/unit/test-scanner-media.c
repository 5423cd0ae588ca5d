/* Media layer tests (scanner/media.c) on real images made by mkfs, sfdisk,
 * mtools, ntfs-3g, exFAT FUSE and cryptsetup (tests/fixtures/make-images.sh),
 * ISO 9660 images made here by genisoimage, and on the shared samples
 * (BitLocker, Core Storage, APFS, HFS+).
 *
 * For every plain file system the walk must list exactly the files that
 * were copied in, with their sizes, and reading each one back must give
 * exactly the bytes written.  Broken and hostile media must each end
 * quickly with a problem or an ERROR/LIMIT entry. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kikan/errors.h"
#include "kikan/source.h"
#include "kikan/volume.h"
#include "media-private.h"
#include "sandbox-private.h"

#define IMAGES KIKAN_TEST_MEDIA_IMAGES

/* ---- Helpers ---- */

typedef struct {
    KikanEntryKind kind;
    char *path;
    uint64_t inode, size;
    char *detail;
    uint32_t stream;
    char *link;
} Entry;

typedef struct {
    Entry *e;
    size_t n;
} Entries;

typedef struct {
    int fd;
    KikanSource src;
    KikanMedia *m;
    double open_seconds;
} Image;

static double
now (void)
{
    struct timespec ts;

    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void
image_path (char *out, size_t len, const char *name)
{
    snprintf (out, len, "%s/%s", IMAGES, name);
}

/* Opens IMAGES/@name as a medium; returns 0, or -1 when the image was not
 * made on this machine (no FUSE, no cryptsetup): the caller skips. */
static int
image_open (Image *img, const char *name, const KikanMediaLimits *limits)
{
    char path[4096], err[256];
    struct stat st;
    double t0;

    memset (img, 0, sizeof *img);
    image_path (path, sizeof path, name);
    if ((img->fd = open (path, O_RDONLY | O_CLOEXEC)) < 0) {
        print_message ("image %s not made here: skipped\n", name);
        return -1;
    }
    assert_int_equal (fstat (img->fd, &st), 0);
    kikan_source_init_fd (&img->src, &img->fd, (uint64_t) st.st_size);
    t0 = now ();
    if (kikan_media_open (&img->src, limits, &img->m, err, sizeof err) != 0)
        fail_msg ("kikan_media_open(%s): %s", name, err);
    img->open_seconds = now () - t0;
    return 0;
}

static void
image_close (Image *img)
{
    kikan_media_free (img->m);
    close (img->fd);
}

static int
collect (const KikanEntry *e, void *user_data)
{
    Entries *l = user_data;
    Entry *x;

    l->e = realloc (l->e, (l->n + 1) * sizeof *l->e);
    assert_non_null (l->e);
    x = &l->e[l->n++];
    x->kind = e->kind;
    x->path = strdup (e->path);
    x->inode = e->inode;
    x->size = e->size;
    x->detail = e->detail ? strdup (e->detail) : NULL;
    x->stream = e->stream;
    x->link = e->link_target ? strdup (e->link_target) : NULL;
    return 0;
}

static void
entries_clear (Entries *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free (l->e[i].path);
        free (l->e[i].detail);
        free (l->e[i].link);
    }
    free (l->e);
    memset (l, 0, sizeof *l);
}

static void
walk (KikanMedia *m, size_t vi, Entries *l)
{
    char err[256];

    memset (l, 0, sizeof *l);
    if (kikan_media_walk (m, vi, collect, l, err, sizeof err) != 0)
        fail_msg ("walk of volume %zu: %s", vi, err);
}

static const Entry *
find (const Entries *l, const char *path)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp (l->e[i].path, path) == 0)
            return &l->e[i];
    return NULL;
}

/* Like find, but the entry must be there. */
static const Entry *must_find (const Entries *l, const char *path)
    __attribute__ ((returns_nonnull));

static const Entry *
must_find (const Entries *l, const char *path)
{
    const Entry *e = find (l, path);

    if (e == NULL) {
        fail_msg ("%s missing from the walk", path);
        abort ();
    }
    return e;
}

static size_t
count_kind (const Entries *l, KikanEntryKind kind)
{
    size_t n = 0;

    for (size_t i = 0; i < l->n; i++)
        n += l->e[i].kind == kind;
    return n;
}

/* Reads the whole of @src in odd-sized chunks; returns a malloc'd buffer,
 * or NULL (errno set) when a read failed. */
static unsigned char *
read_all (const KikanSource *src)
{
    unsigned char *buf = malloc (src->size + 1);
    uint64_t off = 0;

    assert_non_null (buf);
    while (off < src->size) {
        size_t want = src->size - off < 65521 ? (size_t) (src->size - off) : 65521;
        ssize_t r = src->pread (src->handle, buf + off, want, off);
        if (r <= 0) {
            free (buf);
            if (r == 0)
                errno = ENODATA;
            return NULL;
        }
        off += (uint64_t) r;
    }
    return buf;
}

static unsigned char *
slurp (const char *path, size_t *len)
{
    FILE *f = fopen (path, "rb");
    unsigned char *b;
    long n;

    assert_non_null (f);
    fseek (f, 0, SEEK_END);
    n = ftell (f);
    fseek (f, 0, SEEK_SET);
    b = malloc ((size_t) n + 1);
    assert_non_null (b);
    assert_int_equal (fread (b, 1, (size_t) n, f), (size_t) n);
    fclose (f);
    *len = (size_t) n;
    return b;
}

/* The regular files of a content folder, as "/rel/path". */
static char *content_root;
static char **content_paths;
static size_t n_content;

static int
content_entry (const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
    if (type == FTW_F && S_ISREG (sb->st_mode)) {
        content_paths = realloc (content_paths, (n_content + 1) * sizeof *content_paths);
        assert_non_null (content_paths);
        content_paths[n_content++] = strdup (fpath + strlen (content_root));
    }
    return 0;
}

/* The walk of volume @vi lists exactly the files of content/@content (plus
 * @extra names the file system shows on its own), with their sizes, and
 * each reads back byte for byte. */
static void
check_volume_content (KikanMedia *m, size_t vi, const char *content, const char *const *extra)
{
    char dir[4096];
    Entries l;
    KikanMediaReader *r = NULL;

    snprintf (dir, sizeof dir, "%s/content/%s", IMAGES, content);
    content_root = dir;
    n_content = 0;
    content_paths = NULL;
    assert_int_equal (nftw (dir, content_entry, 16, FTW_PHYS), 0);
    assert_true (n_content >= 5);

    walk (m, vi, &l);
    assert_int_equal (kikan_media_reader_new (m, vi, &r), 0);
    for (size_t i = 0; i < n_content; i++) {
        const Entry *e = must_find (&l, content_paths[i]);
        char file[8192];
        unsigned char *want, *got;
        size_t len;
        const KikanSource *src;

        if (e->kind != KIKAN_ENTRY_REGULAR)
            fail_msg ("%s: %s is kind %d (%s)", content, e->path, (int) e->kind,
                      e->detail ? e->detail : "");
        snprintf (file, sizeof file, "%s%s", dir, content_paths[i]);
        want = slurp (file, &len);
        assert_int_equal (e->size, len);
        assert_int_equal (kikan_media_reader_open (r, e->inode, &src), 0);
        assert_int_equal (src->size, len);
        got = read_all (src);
        if (got == NULL)
            fail_msg ("%s: reading %s failed: %s", content, e->path, strerror (errno));
        if (memcmp (want, got, len) != 0)
            fail_msg ("%s: %s read back different bytes", content, e->path);
        /* At the end: nothing more, and no error. */
        {
            char c;
            assert_int_equal (src->pread (src->handle, &c, 1, len), 0);
        }
        free (want);
        free (got);
    }
    /* Nothing listed that was not copied in (deleted entries, metadata,
     * TSK's virtual files stay out). */
    for (size_t i = 0; i < l.n; i++) {
        int known = 0;
        for (size_t j = 0; j < n_content && !known; j++)
            known = strcmp (l.e[i].path, content_paths[j]) == 0;
        for (size_t j = 0; extra != NULL && extra[j] != NULL && !known; j++)
            known = strcmp (l.e[i].path, extra[j]) == 0;
        if (!known)
            fail_msg ("%s: unexpected entry %s (kind %d)", content, l.e[i].path,
                      (int) l.e[i].kind);
    }
    kikan_media_reader_free (r);
    entries_clear (&l);
    for (size_t i = 0; i < n_content; i++)
        free (content_paths[i]);
    free (content_paths);
}

static void
assert_str (const char *got, const char *want)
{
    if (want == NULL) {
        if (got != NULL)
            fail_msg ("expected NULL, got \"%s\"", got);
        return;
    }
    if (got == NULL)
        fail_msg ("expected \"%s\", got NULL", want);
    assert_string_equal (got, want);
}

/* ---- Plain file systems ---- */

static void
check_single_fs (const char *image, const char *content, const char *fs, const char *version, const char *label,
                 const char *uuid, const char *os, const char *const *extra)
{
    Image img;
    const KikanVolume *v;

    if (image_open (&img, image, NULL) != 0)
        skip ();
    assert_true (kikan_media_looks_like_medium (&img.src));
    assert_int_equal (kikan_media_get_n_volumes (img.m), 1);
    v = kikan_media_get_volume (img.m, 0);
    assert_int_equal (v->index, 1);
    assert_int_equal (v->offset, 0);
    assert_int_equal (v->size, img.src.size);
    assert_str (v->scheme, "none");
    assert_str (v->part_type, NULL);
    assert_str (v->filesystem, fs);
    if (version != NULL)
        assert_str (v->fs_version, version);
    assert_str (v->label, label);
    if (uuid != NULL)
        assert_str (v->uuid, uuid);
    assert_int_equal (v->encryption, KIKAN_ENC_NONE);
    assert_true (v->readable);
    assert_str (v->problem, NULL);
    assert_true (v->entropy >= 0 && v->entropy < 7.9);
    assert_str (v->os, os);
    check_volume_content (img.m, 0, content, extra);
    image_close (&img);
}

static void
test_fat16 (void **state)
{
    check_single_fs ("fat16.img", "fat16", "vfat", "FAT16", "KIKANF16", "1A2B-3C4D", NULL, NULL);
}

static void
test_fat32 (void **state)
{
    /* Also: the Windows marker in lower case (FAT ignores case). */
    check_single_fs ("fat32.img", "fat32", "vfat", "FAT32", "KIKANF32", "1A2B-3C4D", "windows", NULL);
}

static void
test_exfat (void **state)
{
    /* exFAT's bitmap and upcase table are shown by TSK as files; they are
     * scanned like any file (docs/media.md). */
    static const char *const extra[] = { "/$ALLOC_BITMAP", "/$UPCASE_TABLE", NULL };

    check_single_fs ("exfat.img", "exfat", "exfat", NULL, "KIKANEXF", NULL, NULL, extra);
}

static void
test_ntfs (void **state)
{
    /* The alternate data stream make-images.sh writes is an entry of its
     * own, read through its own attribute (issue #8 item 6). */
    static const char *const extra[] = { "/KIKAN-MARKER.TXT:kikan-ads", NULL };
    static const char want[] = "alternate data stream\n";
    Image img;
    Entries l;
    const Entry *e, *main;
    KikanMediaReader *r;
    const KikanSource *src;
    unsigned char *got;

    check_single_fs ("ntfs.img", "ntfs", "ntfs", NULL, "KIKANNTFS", NULL, "windows", extra);
    if (image_open (&img, "ntfs.img", NULL) != 0)
        skip ();
    walk (img.m, 0, &l);
    e = must_find (&l, "/KIKAN-MARKER.TXT:kikan-ads");
    main = must_find (&l, "/KIKAN-MARKER.TXT");
    assert_int_equal (e->kind, KIKAN_ENTRY_REGULAR);
    assert_int_equal (e->inode, main->inode);
    assert_int_equal (main->stream, 0);
    assert_int_not_equal (e->stream, 0);
    assert_int_equal (e->size, sizeof want - 1);
    assert_int_equal (kikan_media_reader_new (img.m, 0, &r), 0);
    assert_int_equal (kikan_media_reader_open_stream (r, e->inode, e->stream, &src), 0);
    assert_int_equal (src->size, sizeof want - 1);
    assert_non_null (got = read_all (src));
    assert_memory_equal (got, want, sizeof want - 1);
    free (got);
    /* The main stream is still the file's own data. */
    assert_int_equal (kikan_media_reader_open (r, main->inode, &src), 0);
    assert_int_equal (src->size, main->size);
    /* A stream that is not there is an error, never an empty read. */
    assert_int_equal (kikan_media_reader_open_stream (r, e->inode, e->stream + 77, &src),
                      KIKAN_EIO);
    kikan_media_reader_free (r);
    entries_clear (&l);
    image_close (&img);
}

static void
test_ext4 (void **state)
{
    check_single_fs ("ext4.img", "ext4", "ext4", NULL, "KIKANEXT", "4b696b61-6e00-4000-8000-000000000004",
                     "linux", NULL);
}

static void
test_iso9660 (void **state)
{
    Image img;
    const KikanVolume *v;
    Entries l;
    const Entry *e;
    KikanMediaReader *r;
    const KikanSource *src;
    unsigned char *got;
    static const char want[] = "hello from an ISO 9660 image\n";

    if (image_open (&img, "iso9660.img", NULL) != 0)
        skip ();
    v = kikan_media_get_volume (img.m, 0);
    assert_str (v->filesystem, "iso9660");
    assert_str (v->label, "KIKANISO");
    assert_true (v->readable);
    walk (img.m, 0, &l);
    assert_int_equal (l.n, 1);
    e = must_find (&l, "/HELLO.TXT");      /* TSK drops the ";1" version */
    assert_int_equal (e->size, sizeof want - 1);
    assert_int_equal (kikan_media_reader_new (img.m, 0, &r), 0);
    assert_int_equal (kikan_media_reader_open (r, e->inode, &src), 0);
    assert_non_null (got = read_all (src));
    assert_memory_equal (got, want, sizeof want - 1);
    free (got);
    kikan_media_reader_free (r);
    entries_clear (&l);
    image_close (&img);
}

/* ---- ISO 9660: every directory tree (issue #8) ---- */

/* Writes the files of the tree test into @dir and makes @dir/t.iso with
 * genisoimage: /both.txt in both trees, /sub/rr.txt only in the primary
 * (Rock Ridge) tree, /jol.txt only in the Joliet tree.  -1 without
 * genisoimage (the caller skips). */
static int
iso_make (const char *dir)
{
    static const char *const files[][2] = { { "both.txt", "in both trees\n" },
                                             { "sub/rr.txt", "only in the Rock Ridge tree\n" },
                                             { "jol.txt", "only in the Joliet tree\n" } };
    char path[4096], cmd[8192];
    FILE *f;

    snprintf (path, sizeof path, "%s/src/sub", dir);
    snprintf (cmd, sizeof cmd, "mkdir -p '%s'", path);
    assert_int_equal (system (cmd), 0);
    for (size_t i = 0; i < 3; i++) {
        snprintf (path, sizeof path, "%s/src/%s", dir, files[i][0]);
        assert_non_null (f = fopen (path, "w"));
        fputs (files[i][1], f);
        fclose (f);
    }
    snprintf (cmd, sizeof cmd,
              "genisoimage -quiet -R -J -hide-joliet sub/rr.txt -hide jol.txt -o '%s/t.iso' "
              "'%s/src' 2>/dev/null",
              dir, dir);
    if (system (cmd) != 0) {
        print_message ("genisoimage not installed: skipped\n");
        return -1;
    }
    return 0;
}

/* The byte offset of the record named @name (@len bytes as stored) in the
 * root directory of the tree whose descriptor is at sector @vd_sector. */
static size_t
iso_find_record (const unsigned char *b, size_t n, unsigned vd_sector, const char *name,
                 size_t len)
{
    const unsigned char *vd = b + (size_t) vd_sector * 2048;
    size_t off = (size_t) (vd[156 + 2] | vd[156 + 3] << 8 | vd[156 + 4] << 16) * 2048;

    for (size_t i = off; i + 34 < n && i < off + 2048 && b[i] != 0; i += b[i])
        if (b[i + 32] == len && memcmp (b + i + 33, name, len) == 0)
            return i;
    fail_msg ("record %s not found", name);
    return 0;
}

static void
iso_write (const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen (path, "wb");

    assert_non_null (f);
    assert_int_equal (fwrite (b, 1, n, f), n);
    fclose (f);
}

/* Walks @path; each of @want listed once as REGULAR (and read back when
 * @text is given), @n_errors ERROR entries, nothing else. */
static void
iso_check (const char *path, const char *const *want, const char *const *text, size_t n_want,
           size_t n_errors, const char *error_re)
{
    Image img;
    Entries l;
    KikanMediaReader *r;
    char err[256];
    struct stat st;
    double t0 = now ();

    memset (&img, 0, sizeof img);
    assert_true ((img.fd = open (path, O_RDONLY | O_CLOEXEC)) >= 0);
    assert_int_equal (fstat (img.fd, &st), 0);
    kikan_source_init_fd (&img.src, &img.fd, (uint64_t) st.st_size);
    if (kikan_media_open (&img.src, NULL, &img.m, err, sizeof err) != 0)
        fail_msg ("kikan_media_open: %s", err);
    assert_str (kikan_media_get_volume (img.m, 0)->filesystem, "iso9660");
    walk (img.m, 0, &l);
    assert_true (now () - t0 < 5);
    assert_int_equal (count_kind (&l, KIKAN_ENTRY_REGULAR), n_want);
    assert_int_equal (count_kind (&l, KIKAN_ENTRY_ERROR), n_errors);
    assert_int_equal (l.n, n_want + n_errors);
    assert_int_equal (kikan_media_reader_new (img.m, 0, &r), 0);
    for (size_t i = 0; i < n_want; i++) {
        const Entry *e = must_find (&l, want[i]);
        const KikanSource *src;
        unsigned char *got;

        assert_int_equal (e->kind, KIKAN_ENTRY_REGULAR);
        assert_int_equal (kikan_media_reader_open (r, e->inode, &src), 0);
        assert_int_equal (src->size, strlen (text[i]));
        assert_non_null (got = read_all (src));
        assert_memory_equal (got, text[i], strlen (text[i]));
        free (got);
    }
    for (size_t i = 0; i < l.n; i++)
        if (l.e[i].kind == KIKAN_ENTRY_ERROR)
            assert_non_null (strstr (l.e[i].detail, error_re));
    kikan_media_reader_free (r);
    entries_clear (&l);
    image_close (&img);
}

/* A file only one tree lists is listed (TSK walks the Joliet tree only);
 * a directory pointing at its own parent in both trees ends the walk
 * there; a malformed record is an ERROR. */
static void
test_iso9660_trees (void **state)
{
    static const char *const paths[] = { "/both.txt", "/jol.txt", "/sub/rr.txt" };
    static const char *const text[] = { "in both trees\n", "only in the Joliet tree\n",
                                        "only in the Rock Ridge tree\n" };
    static const char *const loop_paths[] = { "/both.txt", "/jol.txt", "/sub/both.txt",
                                              "/sub/jol.txt" };
    static const char *const loop_text[] = { "in both trees\n", "only in the Joliet tree\n",
                                             "in both trees\n", "only in the Joliet tree\n" };
    char dir[] = "/tmp/kikan-iso-XXXXXX", iso[4096], cmd[4200];
    unsigned char *b;
    size_t n, sub_p, sub_j, rec;

    assert_non_null (mkdtemp (dir));
    if (iso_make (dir) != 0)
        goto out;
    snprintf (iso, sizeof iso, "%s/t.iso", dir);
    iso_check (iso, paths, text, 3, 0, "");

    /* /sub of both trees pointing back at the root: a loop. */
    b = slurp (iso, &n);
    assert_int_equal (b[16 * 2048], 1);
    assert_int_equal (b[17 * 2048], 2);
    sub_p = iso_find_record (b, n, 16, "SUB", 3);
    sub_j = iso_find_record (b, n, 17, "\0s\0u\0b", 6);
    for (int k = 0; k < 2; k++) {
        size_t at = k == 0 ? sub_p : sub_j;
        const unsigned char *root = b + (16 + k) * 2048 + 156;
        memcpy (b + at + 2, root + 2, 16);      /* extent and size, both byte orders */
    }
    snprintf (iso, sizeof iso, "%s/loop.iso", dir);
    iso_write (iso, b, n);
    /* TSK follows the loop once (its ERROR closes it); the primary tree's
     * /SUB is the root again, read once: /sub/rr.txt is out of reach. */
    iso_check (iso, loop_paths, loop_text, 4, 1, "directory already walked");

    /* A record in the primary root too short to hold its name. */
    free (b);
    snprintf (iso, sizeof iso, "%s/t.iso", dir);
    b = slurp (iso, &n);
    rec = iso_find_record (b, n, 16, "SUB", 3);
    b[rec] = 20;
    snprintf (iso, sizeof iso, "%s/bad.iso", dir);
    iso_write (iso, b, n);
    /* TSK still lists all three (through the path table); the ERROR keeps
     * the volume from being cleared, as Linux stops at such a record. */
    iso_check (iso, paths, text, 3, 1, "malformed ISO 9660 directory record");
    free (b);
out:
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal (system (cmd), 0);
}

static ssize_t
buf_pread (void *handle, void *out, size_t n, uint64_t off)
{
    const KikanSource *b = handle;      /* size, and the bytes after it */
    const unsigned char *bytes = (const unsigned char *) (b + 1);

    if (off >= b->size)
        return 0;
    if (n > b->size - off)
        n = (size_t) (b->size - off);
    memcpy (out, bytes + off, n);
    return (ssize_t) n;
}

/* A UDF/ISO 9660 bridge disc (genisoimage -udf) is read through its ISO
 * trees and says that its UDF tree is not: also where libblkid does not
 * take part (a disk image inside a target, here a memory source), although
 * its UDF descriptors lie past the 40 KiB header the own checks read. */
static void
test_iso9660_udf_bridge (void **state)
{
    char dir[] = "/tmp/kikan-udf-XXXXXX", cmd[8400], iso[4200];
    KikanSource *mem, src;
    KikanMedia *m = NULL;
    unsigned char *b;
    char err[256];
    size_t n;

    assert_non_null (mkdtemp (dir));
    if (iso_make (dir) != 0)
        goto out;
    snprintf (cmd, sizeof cmd, "genisoimage -quiet -R -J -udf -o '%s/u.iso' '%s/src' 2>/dev/null",
              dir, dir);
    assert_int_equal (system (cmd), 0);
    snprintf (iso, sizeof iso, "%s/u.iso", dir);
    b = slurp (iso, &n);
    assert_non_null (mem = malloc (sizeof *mem + n));
    memcpy (mem + 1, b, n);
    free (b);
    mem->size = n;
    src.handle = mem;
    src.pread = buf_pread;
    src.size = n;
    assert_int_equal (kikan_media_open (&src, NULL, &m, err, sizeof err), 0);
    assert_str (kikan_media_get_volume (m, 0)->filesystem, "iso9660");
    assert_true (kikan_media_get_volume (m, 0)->readable);
    assert_non_null (kikan_media_get_volume (m, 0)->problem);
    assert_non_null (strstr (kikan_media_get_volume (m, 0)->problem, "files only in the UDF"));
    kikan_media_free (m);
    free (mem);
out:
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal (system (cmd), 0);
}

/* ---- Partitioned disks ---- */

static void
test_mbr (void **state)
{
    Image img;
    const KikanVolume *v;

    if (image_open (&img, "mbr.img", NULL) != 0)
        skip ();
    assert_true (kikan_media_looks_like_medium (&img.src));
    assert_int_equal (kikan_media_get_n_volumes (img.m), 2);
    v = kikan_media_get_volume (img.m, 0);
    assert_int_equal (v->index, 1);
    assert_str (v->scheme, "mbr");
    assert_str (v->part_type, "0x0e");
    assert_int_equal (v->offset, 2048 * 512);
    assert_int_equal (v->size, 32768 * 512);
    assert_str (v->filesystem, "vfat");
    assert_str (v->fs_version, "FAT16");
    assert_true (v->readable);
    assert_int_equal (kikan_media_get_volume_source (img.m, 0)->size, v->size);
    v = kikan_media_get_volume (img.m, 1);
    assert_int_equal (v->index, 2);
    assert_str (v->part_type, "0x83");
    assert_int_equal (v->offset, 34816 * 512);
    assert_str (v->filesystem, "ext4");
    assert_str (v->os, "linux");
    assert_str (v->os_evidence, "etc/os-release");
    check_volume_content (img.m, 0, "fat16", NULL);
    check_volume_content (img.m, 1, "ext4", NULL);
    image_close (&img);
}

static void
test_gpt (void **state)
{
    Image img;
    const KikanVolume *v;

    if (image_open (&img, "gpt.img", NULL) != 0)
        skip ();
    assert_int_equal (kikan_media_get_n_volumes (img.m), 2);
    v = kikan_media_get_volume (img.m, 0);
    assert_str (v->scheme, "gpt");
    assert_str (v->part_type, "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7");
    assert_str (v->part_name, "KIKAN DATA");
    assert_int_equal (v->offset, 2048 * 512);
    assert_int_equal (v->size, 81920 * 512);
    assert_str (v->filesystem, "vfat");
    assert_str (v->fs_version, "FAT32");
    assert_str (v->os, "windows");
    assert_str (v->problem, NULL);
    v = kikan_media_get_volume (img.m, 1);
    assert_str (v->part_type, "0fc63daf-8483-4772-8e79-3d69d8477de4");
    assert_str (v->part_name, "linux");
    assert_str (v->filesystem, "ext4");
    check_volume_content (img.m, 0, "fat32", NULL);
    check_volume_content (img.m, 1, "ext4", NULL);
    image_close (&img);
}

/* The primary GPT damaged: the backup at the end of the disk is used, and
 * the volumes say so. */
static void
test_gpt_backup (void **state)
{
    char path[4096];
    unsigned char *b;
    size_t len;
    KikanSource src;
    KikanMedia *m;
    char err[256];
    int fd;
    FILE *f;

    image_path (path, sizeof path, "gpt.img");
    if (access (path, R_OK) != 0)
        skip ();
    b = slurp (path, &len);
    memset (b + 512, 0, 512);       /* primary header gone */
    image_path (path, sizeof path, "gpt-backup.tmp");
    assert_non_null (f = fopen (path, "wb"));
    assert_int_equal (fwrite (b, 1, len, f), len);
    fclose (f);
    free (b);
    assert_true ((fd = open (path, O_RDONLY | O_CLOEXEC)) >= 0);
    kikan_source_init_fd (&src, &fd, len);
    assert_int_equal (kikan_media_open (&src, NULL, &m, err, sizeof err), 0);
    assert_int_equal (kikan_media_get_n_volumes (m), 2);
    assert_str (kikan_media_get_volume (m, 0)->part_name, "KIKAN DATA");
    assert_non_null (strstr (kikan_media_get_volume (m, 0)->problem, "backup GPT"));
    assert_true (kikan_media_get_volume (m, 1)->readable);
    kikan_media_free (m);
    close (fd);
    unlink (path);
}

/* ---- Encryption and unknown contents ---- */

static void
check_encrypted (const char *image, KikanEncryption enc, const char *detail_part)
{
    Image img;
    const KikanVolume *v;
    char err[256];

    if (image_open (&img, image, NULL) != 0)
        skip ();
    assert_true (kikan_media_looks_like_medium (&img.src));
    assert_int_equal (kikan_media_get_n_volumes (img.m), 1);
    v = kikan_media_get_volume (img.m, 0);
    if (v->encryption != enc)
        fail_msg ("%s: encryption %s, expected %s", image,
                  kikan_encryption_to_string (v->encryption), kikan_encryption_to_string (enc));
    assert_false (v->readable);
    assert_false (v->unlocked);
    assert_non_null (v->problem);
    assert_str (v->filesystem, NULL);
    assert_non_null (v->encryption_detail);
    if (strstr (v->encryption_detail, detail_part) == NULL)
        fail_msg ("%s: detail \"%s\" lacks \"%s\"", image, v->encryption_detail, detail_part);
    /* Not readable means no walk, with a reason. */
    assert_int_equal (kikan_media_walk (img.m, 0, collect, NULL, err, sizeof err),
                      KIKAN_ENOTSUP);
    assert_true (err[0] != '\0');
    image_close (&img);
}

static void
test_bitlocker (void **state)
{
    check_encrypted ("bitlocker-win7.img", KIKAN_ENC_BITLOCKER, "BitLocker");
}

static void
test_filevault2 (void **state)
{
    Image img;

    check_encrypted ("cs_fvault2.img", KIKAN_ENC_FILEVAULT2, "Core Storage");
    if (image_open (&img, "cs_fvault2.img", NULL) == 0) {
        /* The physical volume UUID from the Core Storage header. */
        assert_non_null (kikan_media_get_volume (img.m, 0)->uuid);
        image_close (&img);
    }
}

static void
test_luks1 (void **state)
{
    check_encrypted ("luks1.img", KIKAN_ENC_LUKS1, "LUKS1");
}

static void
test_luks2 (void **state)
{
    check_encrypted ("luks2.img", KIKAN_ENC_LUKS2, "LUKS2");
}

static void
test_apfs (void **state)
{
    Image img;
    const KikanVolume *v;
    Entries l;

    if (image_open (&img, "apfs.img", NULL) != 0)
        skip ();
    v = kikan_media_get_volume (img.m, 0);
    assert_str (v->filesystem, "apfs");
    assert_str (v->uuid, "25e5f1d3-11c0-4d36-98a5-3f66953519b9");
    /* TSK's APFS pool reads the volume flags: this sample is unencrypted. */
    assert_int_equal (v->encryption, KIKAN_ENC_NONE);
    assert_true (v->readable);
    walk (img.m, 0, &l);
    assert_int_equal (count_kind (&l, KIKAN_ENTRY_ERROR), 0);
    entries_clear (&l);
    image_close (&img);
}

static void
test_hfsplus (void **state)
{
    Image img;
    const KikanVolume *v;
    Entries l;

    if (image_open (&img, "hfsplus.img", NULL) != 0)
        skip ();
    v = kikan_media_get_volume (img.m, 0);
    assert_str (v->filesystem, "hfsplus");
    assert_str (v->label, "123456789ABCDE");
    assert_int_equal (v->encryption, KIKAN_ENC_NONE);
    assert_true (v->readable);
    walk (img.m, 0, &l);
    /* HFS+ special files ($CatalogFile, ...) are file system metadata. */
    for (size_t i = 0; i < l.n; i++)
        assert_true (l.e[i].path[1] != '$');
    assert_int_equal (count_kind (&l, KIKAN_ENTRY_ERROR), 0);
    entries_clear (&l);
    image_close (&img);
}

static void
test_random (void **state)
{
    Image img;
    const KikanVolume *v;

    if (image_open (&img, "random.img", NULL) != 0)
        skip ();
    /* A regular file of random bytes is a file, not a medium... */
    assert_false (kikan_media_looks_like_medium (&img.src));
    /* ...but read as a medium it is "unknown, possibly encrypted". */
    v = kikan_media_get_volume (img.m, 0);
    assert_int_equal (v->encryption, KIKAN_ENC_UNKNOWN);
    assert_true (v->entropy > 7.9);
    assert_str (v->filesystem, NULL);
    assert_false (v->readable);
    assert_non_null (v->problem);
    assert_non_null (strstr (v->encryption_detail, "entropy"));
    image_close (&img);
}

/* A decrypted view handed in by the unlocker: here simply a FAT16 image in
 * memory (no descriptor, so no libblkid: own checks and TSK only). */
typedef struct {
    unsigned char *b;
    size_t n;
} MemSource;

static ssize_t
mem_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    MemSource *s = handle;

    if (off >= s->n)
        return 0;
    if (n > s->n - off)
        n = (size_t) (s->n - off);
    memcpy (buf, s->b + off, n);
    return (ssize_t) n;
}

/* ---- Tables that disagree, and what no table lists (issue #8 item 5) ---- */

/* A disk of any size that is zeros but for a few 512-byte sectors; counts
 * its reads. */
typedef struct {
    uint64_t size;
    uint64_t off[4];
    unsigned char sec[4][512];
    size_t n;
    unsigned long reads;
} SparseDisk;

static ssize_t
sparse_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    SparseDisk *d = handle;

    __atomic_add_fetch (&d->reads, 1, __ATOMIC_RELAXED);
    if (off >= d->size)
        return 0;
    if (n > d->size - off)
        n = (size_t) (d->size - off);
    memset (buf, 0, n);
    for (size_t i = 0; i < d->n; i++) {
        uint64_t s = d->off[i], e = s + 512, from = s > off ? s : off,
                 to = e < off + n ? e : off + n;
        if (from < to)
            memcpy ((unsigned char *) buf + (from - off), d->sec[i] + (from - s), to - from);
    }
    return (ssize_t) n;
}

static void
sparse_mbr (SparseDisk *d, const uint32_t (*parts)[3], size_t n_parts)
{
    unsigned char *b = d->sec[d->n];

    memset (b, 0, 512);
    for (size_t i = 0; i < n_parts; i++) {
        unsigned char *e = b + 446 + 16 * i;
        e[4] = (unsigned char) parts[i][0];
        memcpy (e + 8, &parts[i][1], 4);   /* little-endian host (x86-64, arm64) */
        memcpy (e + 12, &parts[i][2], 4);
    }
    b[510] = 0x55;
    b[511] = 0xaa;
    d->off[d->n++] = 0;
}

/* A FAT16 boot sector the own checks accept (its FATs are zeros). */
static void
sparse_fat_boot (SparseDisk *d, uint64_t off)
{
    unsigned char *b = d->sec[d->n];
    uint16_t bps = 512, res = 1, rootents = 512, fatsz = 32;
    uint32_t tot = 65536;

    memset (b, 0, 512);
    b[0] = 0xeb;
    b[1] = 0x3c;
    b[2] = 0x90;
    memcpy (b + 3, "MSWIN4.1", 8);
    memcpy (b + 11, &bps, 2);
    b[13] = 8;
    memcpy (b + 14, &res, 2);
    b[16] = 2;
    memcpy (b + 17, &rootents, 2);
    b[21] = 0xf8;
    memcpy (b + 22, &fatsz, 2);
    memcpy (b + 32, &tot, 4);
    b[510] = 0x55;
    b[511] = 0xaa;
    d->off[d->n++] = off;
}

static void
test_overlapping_partitions (void **state)
{
    static const uint32_t parts[][3] = { { 0x0c, 2048, 20480 }, { 0x83, 10240, 20480 } };
    SparseDisk d = { .size = 64u << 20 };
    KikanSource src = { &d, sparse_pread, 0 };
    KikanMedia *m = NULL;
    char err[256];

    sparse_mbr (&d, parts, 2);
    src.size = d.size;
    assert_int_equal (kikan_media_open (&src, NULL, &m, err, sizeof err), 0);
    assert_int_equal (kikan_media_get_n_volumes (m), 2);
    for (size_t i = 0; i < 2; i++) {
        const KikanVolume *v = kikan_media_get_volume (m, i);
        assert_non_null (v->problem);
        assert_non_null (strstr (v->problem, "overlaps volume"));
    }
    kikan_media_free (m);
}

/* A 2 TiB disk with one 1 MiB partition: the search for file systems no
 * table lists is thinned out to at most 4096 probes, still finds one on a
 * boundary it probes, and costs a bounded number of reads. */
static void
test_unlisted_filesystem_bounded (void **state)
{
    static const uint32_t parts[][3] = { { 0x0c, 2048, 2048 } };
    SparseDisk d = { .size = 2ull << 40 };
    KikanSource src = { &d, sparse_pread, 0 };
    KikanMedia *m = NULL;
    const KikanVolume *v;
    char err[256];
    double t0 = now ();

    sparse_mbr (&d, parts, 1);
    sparse_fat_boot (&d, 1ull << 40);
    src.size = d.size;
    assert_int_equal (kikan_media_open (&src, NULL, &m, err, sizeof err), 0);
    assert_true (now () - t0 < 10.0);
    assert_true (d.reads < 20000);
    assert_int_equal (kikan_media_get_n_volumes (m), 2);
    v = kikan_media_get_volume (m, 0);
    assert_null (v->problem == NULL ? NULL : strstr (v->problem, "outside"));
    v = kikan_media_get_volume (m, 1);
    assert_str (v->scheme, "none");
    assert_int_equal (v->offset, 1ull << 40);
    assert_int_equal (v->size, d.size - (1ull << 40) - 33 * 512);
    assert_non_null (v->problem);
    assert_non_null (strstr (v->problem, "outside every partition"));
    kikan_media_free (m);

    /* Nothing there: no volume is invented. */
    d.n = 0;
    sparse_mbr (&d, parts, 1);
    assert_int_equal (kikan_media_open (&src, NULL, &m, err, sizeof err), 0);
    assert_int_equal (kikan_media_get_n_volumes (m), 1);
    kikan_media_free (m);
}

static void
test_set_unlocked (void **state)
{
    Image img;
    char path[4096];
    MemSource ms;
    KikanSource plain;
    const KikanVolume *v;

    if (image_open (&img, "luks2.img", NULL) != 0)
        skip ();
    image_path (path, sizeof path, "fat16.img");
    ms.b = slurp (path, &ms.n);
    plain.handle = &ms;
    plain.pread = mem_pread;
    plain.size = ms.n;
    assert_int_equal (kikan_media_set_unlocked (img.m, 0, &plain), 0);
    v = kikan_media_get_volume (img.m, 0);
    assert_true (v->unlocked);
    assert_true (v->readable);
    assert_int_equal (v->encryption, KIKAN_ENC_LUKS2);
    assert_str (v->filesystem, "vfat");
    assert_str (v->fs_version, "FAT16");
    assert_str (v->uuid, "1A2B-3C4D");      /* from TSK, not libblkid */
    assert_str (v->problem, NULL);
    /* The stored bytes stay what they were. */
    assert_int_equal (kikan_media_get_volume_source (img.m, 0)->size, img.src.size);
    check_volume_content (img.m, 0, "fat16", NULL);
    image_close (&img);
    free (ms.b);
}

/* ---- Broken and hostile media ---- */

static void
test_empty (void **state)
{
    Image img;
    const KikanVolume *v;

    if (image_open (&img, "empty.img", NULL) != 0)
        skip ();
    assert_false (kikan_media_looks_like_medium (&img.src));
    assert_int_equal (kikan_media_get_n_volumes (img.m), 1);
    v = kikan_media_get_volume (img.m, 0);
    assert_int_equal (v->size, 0);
    assert_false (v->readable);
    assert_non_null (strstr (v->problem, "empty"));
    image_close (&img);
}

static void
test_sparse_4g (void **state)
{
    Image img;
    const KikanVolume *v;

    if (image_open (&img, "sparse4g.img", NULL) != 0)
        skip ();
    assert_true (img.open_seconds < 10);
    assert_int_equal (kikan_media_get_n_volumes (img.m), 1);
    v = kikan_media_get_volume (img.m, 0);
    assert_int_equal (v->size, UINT64_C (4) << 30);
    assert_str (v->filesystem, NULL);
    assert_false (v->readable);
    /* All zeros: nothing suggests encryption, but nothing is readable. */
    assert_int_equal (v->encryption, KIKAN_ENC_NONE);
    assert_true (v->entropy >= 0 && v->entropy < 1);
    assert_non_null (strstr (v->problem, "no recognised file system"));
    image_close (&img);
}

static void
test_truncated (void **state)
{
    Image img;
    const KikanVolume *v;
    Entries l;
    const Entry *e;
    KikanMediaReader *r;
    const KikanSource *src;
    unsigned char buf[4096];

    if (image_open (&img, "fat-truncated.img", NULL) != 0)
        skip ();
    assert_true (img.open_seconds < 10);
    v = kikan_media_get_volume (img.m, 0);
    assert_str (v->filesystem, "vfat");
    assert_true (v->readable);
    assert_non_null (v->problem);
    assert_non_null (strstr (v->problem, "truncated"));
    walk (img.m, 0, &l);
    /* What lies in the present half reads; what lies beyond is an error. */
    e = must_find (&l, "/docs/readme.txt");
    assert_int_equal (e->kind, KIKAN_ENTRY_REGULAR);
    e = must_find (&l, "/docs/large.bin");
    assert_int_equal (e->kind, KIKAN_ENTRY_ERROR);
    assert_non_null (strstr (e->detail, "beyond the end"));
    assert_int_equal (kikan_media_reader_new (img.m, 0, &r), 0);
    assert_int_equal (kikan_media_reader_open (r, e->inode, &src), 0);
    assert_int_equal (src->pread (src->handle, buf, sizeof buf, 0), sizeof buf);
    assert_int_equal (src->pread (src->handle, buf, sizeof buf, 8u << 20), -1);
    assert_int_equal (errno, EIO);
    assert_null (read_all (src));
    kikan_media_reader_free (r);
    entries_clear (&l);
    image_close (&img);
}

static void
test_mbr_past_end (void **state)
{
    Image img;
    const KikanVolume *v;

    if (image_open (&img, "mbr-past-end.img", NULL) != 0)
        skip ();
    assert_true (img.open_seconds < 10);
    assert_int_equal (kikan_media_get_n_volumes (img.m), 3);
    /* The first fits. */
    v = kikan_media_get_volume (img.m, 0);
    assert_true (v->readable);
    assert_str (v->problem, NULL);
    check_volume_content (img.m, 0, "fat16", NULL);
    /* The second runs past the end: its declared size stays, its source
     * holds what exists, and it says so. */
    v = kikan_media_get_volume (img.m, 1);
    assert_int_equal (v->size, 16384 * 512);
    assert_int_equal (kikan_media_get_volume_source (img.m, 1)->size,
                      img.src.size - 34816 * 512);
    assert_non_null (strstr (v->problem, "past the end"));
    /* The third starts beyond it: nothing to read, nothing claimed. */
    v = kikan_media_get_volume (img.m, 2);
    assert_false (v->readable);
    assert_int_equal (v->encryption, KIKAN_ENC_UNKNOWN);
    assert_int_equal (kikan_media_get_volume_source (img.m, 2)->size, 0);
    assert_non_null (strstr (v->problem, "beyond the end"));
    image_close (&img);
}

static void
test_fat_cycle (void **state)
{
    Image img;
    Entries l;
    const Entry *e;
    KikanMediaReader *r;
    const KikanSource *src;
    double t0;

    if (image_open (&img, "fat-cycle.img", NULL) != 0)
        skip ();
    t0 = now ();
    walk (img.m, 0, &l);
    e = must_find (&l, "/docs/sub/deep.bin");
    assert_int_equal (e->kind, KIKAN_ENTRY_ERROR);
    assert_non_null (strstr (e->detail, "cluster chain"));
    /* Read anyway (a worker may): it fails, it does not loop. */
    assert_int_equal (kikan_media_reader_new (img.m, 0, &r), 0);
    assert_int_equal (kikan_media_reader_open (r, e->inode, &src), 0);
    assert_null (read_all (src));
    assert_int_equal (errno, EIO);
    kikan_media_reader_free (r);
    assert_true (now () - t0 < 10);
    /* The rest of the volume is fine. */
    assert_int_equal (must_find (&l, "/docs/readme.txt")->kind, KIKAN_ENTRY_REGULAR);
    entries_clear (&l);
    image_close (&img);
}

static void
check_dirloop (const char *image, const char *loop_path)
{
    Image img;
    Entries l;
    const Entry *e;
    double t0;

    if (image_open (&img, image, NULL) != 0)
        skip ();
    t0 = now ();
    walk (img.m, 0, &l);
    assert_true (now () - t0 < 10);
    e = must_find (&l, loop_path);
    assert_int_equal (e->kind, KIKAN_ENTRY_ERROR);
    assert_non_null (strstr (e->detail, "already walked"));
    assert_int_equal (count_kind (&l, KIKAN_ENTRY_ERROR), 1);
    assert_int_equal (count_kind (&l, KIKAN_ENTRY_LIMIT), 0);
    entries_clear (&l);
    image_close (&img);
}

static void
test_fat_dirloop (void **state)
{
    /* docs/sub points at docs' own cluster: docs/sub lists docs again, and
     * docs/sub/sub is where the loop is caught. */
    check_dirloop ("fat-dirloop.img", "/docs/sub/sub");
}

static void
test_ext4_dirloop (void **state)
{
    check_dirloop ("ext4-dirloop.img", "/docs/sub/loop");
}

static void
test_ext2_triple_indirect (void **state)
{
    Image img;
    Entries l;
    const Entry *e;
    KikanMediaReader *r;
    const KikanSource *src;
    double t0;

    if (image_open (&img, "ext2-sparse.img", NULL) != 0)
        skip ();
    t0 = now ();
    walk (img.m, 0, &l);
    e = must_find (&l, "/sparse.bin");
    assert_int_equal (e->kind, KIKAN_ENTRY_ERROR);
    assert_int_equal (e->size, 70u << 20);
    assert_non_null (strstr (e->detail, "triple-indirect"));
    assert_int_equal (kikan_media_reader_new (img.m, 0, &r), 0);
    assert_int_equal (kikan_media_reader_open (r, e->inode, &src), 0);
    assert_null (read_all (src));
    kikan_media_reader_free (r);
    assert_true (now () - t0 < 5);
    entries_clear (&l);
    image_close (&img);
}

static void
test_ext4_inline_huge (void **state)
{
    Image img;
    Entries l;
    const Entry *e;
    KikanMediaReader *r;
    const KikanSource *src;
    double t0;

    if (image_open (&img, "ext4-inline-huge.img", NULL) != 0)
        skip ();
    t0 = now ();
    walk (img.m, 0, &l);
    e = must_find (&l, "/docs/readme.txt");
    assert_int_equal (e->kind, KIKAN_ENTRY_ERROR);
    assert_non_null (strstr (e->detail, "inline data"));
    assert_int_equal (must_find (&l, "/docs/sub/deep.bin")->kind, KIKAN_ENTRY_REGULAR);
    /* A reader asked for it anyway refuses before TSK loads it. */
    assert_int_equal (kikan_media_reader_new (img.m, 0, &r), 0);
    assert_int_equal (kikan_media_reader_open (r, e->inode, &src), KIKAN_EIO);
    kikan_media_reader_free (r);
    assert_true (now () - t0 < 2);
    entries_clear (&l);
    image_close (&img);
}

static void
test_limits (void **state)
{
    KikanMediaLimits depth1 = { 1, 0 }, three = { 0, 3 };
    Image img;
    Entries l;
    const Entry *e;

    /* Depth 1: /docs is walked, /docs/sub is not. */
    if (image_open (&img, "ext4.img", &depth1) != 0)
        skip ();
    walk (img.m, 0, &l);
    e = must_find (&l, "/docs/sub");
    assert_int_equal (e->kind, KIKAN_ENTRY_LIMIT);
    assert_non_null (strstr (e->detail, "deeper"));
    assert_non_null (find (&l, "/docs/readme.txt"));
    assert_null (find (&l, "/docs/sub/deep.bin"));
    entries_clear (&l);
    image_close (&img);

    /* Three entries, then the walk stops with a LIMIT entry. */
    assert_int_equal (image_open (&img, "ext4.img", &three), 0);
    walk (img.m, 0, &l);
    assert_true (l.n >= 1 && l.n <= 4);
    assert_int_equal (l.e[l.n - 1].kind, KIKAN_ENTRY_LIMIT);
    assert_non_null (strstr (l.e[l.n - 1].detail, "entries"));
    assert_int_equal (count_kind (&l, KIKAN_ENTRY_LIMIT), 1);
    entries_clear (&l);
    image_close (&img);
}

static int
stop_after_one (const KikanEntry *e, void *user_data)
{
    (*(int *) user_data)++;
    return 1;
}

static void
test_walk_stops_on_request (void **state)
{
    Image img;
    char err[256];
    int calls = 0;

    if (image_open (&img, "fat16.img", NULL) != 0)
        skip ();
    assert_int_equal (kikan_media_walk (img.m, 0, stop_after_one, &calls, err, sizeof err), 0);
    assert_int_equal (calls, 1);
    image_close (&img);
}

static void
test_looks_like_medium (void **state)
{
    static const char *const media[] = { "mbr.img", "gpt.img", "fat16.img", "ext4.img",
                                         "luks1.img", "bitlocker-win7.img", "cs_fvault2.img",
                                         "apfs.img", "hfsplus.img" };
    char path[4096];
    int fd;
    KikanSource src;
    const char text[] = "just a text file, long enough to be probed\n";

    for (size_t i = 0; i < sizeof media / sizeof media[0]; i++) {
        struct stat st;
        image_path (path, sizeof path, media[i]);
        if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
            continue;
        assert_int_equal (fstat (fd, &st), 0);
        kikan_source_init_fd (&src, &fd, (uint64_t) st.st_size);
        if (!kikan_media_looks_like_medium (&src))
            fail_msg ("%s not recognised as a medium", media[i]);
        close (fd);
    }
    /* A text file (padded past one sector) is not a medium. */
    {
        MemSource ms;
        ms.n = 4096;
        ms.b = calloc (1, ms.n);
        for (size_t off = 0; off + sizeof text <= ms.n; off += sizeof text - 1)
            memcpy (ms.b + off, text, sizeof text - 1);
        src.handle = &ms;
        src.pread = mem_pread;
        src.size = ms.n;
        assert_false (kikan_media_looks_like_medium (&src));
        free (ms.b);
    }
}

/* The same probe, walk and read inside the worker's real seccomp sandbox
 * (libblkid and TSK must need nothing the allow-list denies), on @fd,
 * which the child inherits as the worker does.  Returns the child's
 * summary line in @got. */
static void
sandboxed_probe (int fd, const char *what, char *got, size_t gotlen)
{
    char tmp[] = "/tmp/kikan-media-sbx-XXXXXX";
    int pipefd[2], status = 0;
    pid_t pid;
    ssize_t n;

    assert_non_null (mkdtemp (tmp));
    assert_int_equal (pipe2 (pipefd, O_CLOEXEC), 0);
    pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0) {
        KikanSandboxPaths paths;
        const char *applied = "";
        char err[256], out[512];
        KikanSource src;
        KikanMedia *m;
        KikanMediaReader *r;
        const KikanSource *fsrc;
        Entries l;
        const Entry *e;
        unsigned char *data;
        uint64_t size;

        paths.target_fd = fd;
        paths.target_is_dir = 0;
        paths.tmpdir_fd = open (tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (paths.tmpdir_fd < 0)
            _exit (10);
        /* A block device's size comes from lseek, as the worker does. */
        size = (uint64_t) lseek (fd, 0, SEEK_END);
        if (kikan_sandbox_seccomp.apply (&paths, &applied, err, sizeof err) != 0)
            _exit (11);
        kikan_source_init_fd (&src, &fd, size);
        if (!kikan_media_looks_like_medium (&src))
            _exit (12);
        if (kikan_media_open (&src, NULL, &m, err, sizeof err) != 0)
            _exit (13);
        memset (&l, 0, sizeof l);
        if (kikan_media_walk (m, 0, collect, &l, err, sizeof err) != 0)
            _exit (14);
        if ((e = find (&l, "/docs/sub/deep.bin")) == NULL)
            _exit (15);
        if (kikan_media_reader_new (m, 0, &r) != 0
            || kikan_media_reader_open (r, e->inode, &fsrc) != 0)
            _exit (16);
        if ((data = read_all (fsrc)) == NULL)
            _exit (17);
        snprintf (out, sizeof out, "%s|%s|%s|%s|%s|%zu|%s",
                  kikan_media_get_volume (m, 0)->filesystem,
                  kikan_media_get_volume (m, 0)->label ? kikan_media_get_volume (m, 0)->label
                                                       : "-",
                  kikan_media_get_volume (m, 0)->part_name,
                  kikan_media_get_volume (m, 1)->filesystem,
                  kikan_media_get_volume (m, 1)->os ? kikan_media_get_volume (m, 1)->os : "-",
                  l.n, applied);
        (void) !write (pipefd[1], out, strlen (out));
        _exit (0);
    }
    close (pipefd[1]);
    n = read (pipefd[0], got, gotlen - 1);
    got[n > 0 ? n : 0] = '\0';
    close (pipefd[0]);
    assert_int_equal (waitpid (pid, &status, 0), pid);
    rmdir (tmp);
    if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        fail_msg ("media access of %s failed in the sandbox (wait status 0x%x)", what, status);
    print_message ("in the sandbox, %s: %s\n", what, got);
    /* libblkid's label shows that it worked under seccomp too. */
    assert_true (strncmp (got, "vfat|KIKANF32|KIKAN DATA|ext4|linux|", 36) == 0);
}

static int
sandbox_declared_null (void)
{
    const char *sb = getenv ("KIKAN_SANDBOX");

    return sb != NULL && strcmp (sb, "null") == 0;
}

static void
test_in_sandbox (void **state)
{
    char path[4096], got[512];
    int fd = -1;

    image_path (path, sizeof path, "gpt.img");
    if (sandbox_declared_null () || (fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
        skip ();
    sandboxed_probe (fd, "an image file", got, sizeof got);
    close (fd);
}

/* Real targets are block devices: libblkid then tries ioctls and sysfs,
 * which the sandbox refuses; the probe must still work.  Needs root and a
 * loop device (read-only). */
static void
test_block_device_in_sandbox (void **state)
{
    char path[4096], cmd[4200], dev[256] = "", got[512];
    FILE *p;
    int fd = -1;

    image_path (path, sizeof path, "gpt.img");
    if (sandbox_declared_null () || geteuid () != 0 || access (path, R_OK) != 0)
        skip ();
    snprintf (cmd, sizeof cmd, "losetup -r -f --show '%s' 2>/dev/null", path);
    if ((p = popen (cmd, "r")) == NULL)
        skip ();
    if (fgets (dev, sizeof dev, p) == NULL)
        dev[0] = '\0';
    pclose (p);
    dev[strcspn (dev, "\n")] = '\0';
    if (strncmp (dev, "/dev/loop", 9) != 0) {
        print_message ("no loop device here: skipped\n");
        skip ();
    }
    /* Detached at once: the kernel frees the device when the last
     * descriptor closes, even if an assertion below fails. */
    fd = open (dev, O_RDONLY | O_CLOEXEC);
    snprintf (cmd, sizeof cmd, "losetup -d '%s'", dev);
    assert_int_equal (system (cmd), 0);
    assert_true (fd >= 0);
    sandboxed_probe (fd, dev, got, sizeof got);
    close (fd);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_fat16),
        cmocka_unit_test (test_fat32),
        cmocka_unit_test (test_exfat),
        cmocka_unit_test (test_ntfs),
        cmocka_unit_test (test_ext4),
        cmocka_unit_test (test_iso9660),
        cmocka_unit_test (test_iso9660_trees),
        cmocka_unit_test (test_iso9660_udf_bridge),
        cmocka_unit_test (test_mbr),
        cmocka_unit_test (test_gpt),
        cmocka_unit_test (test_gpt_backup),
        cmocka_unit_test (test_bitlocker),
        cmocka_unit_test (test_filevault2),
        cmocka_unit_test (test_luks1),
        cmocka_unit_test (test_luks2),
        cmocka_unit_test (test_apfs),
        cmocka_unit_test (test_hfsplus),
        cmocka_unit_test (test_random),
        cmocka_unit_test (test_set_unlocked),
        cmocka_unit_test (test_overlapping_partitions),
        cmocka_unit_test (test_unlisted_filesystem_bounded),
        cmocka_unit_test (test_empty),
        cmocka_unit_test (test_sparse_4g),
        cmocka_unit_test (test_truncated),
        cmocka_unit_test (test_mbr_past_end),
        cmocka_unit_test (test_fat_cycle),
        cmocka_unit_test (test_fat_dirloop),
        cmocka_unit_test (test_ext4_dirloop),
        cmocka_unit_test (test_ext2_triple_indirect),
        cmocka_unit_test (test_ext4_inline_huge),
        cmocka_unit_test (test_limits),
        cmocka_unit_test (test_walk_stops_on_request),
        cmocka_unit_test (test_looks_like_medium),
        cmocka_unit_test (test_in_sandbox),
        cmocka_unit_test (test_block_device_in_sandbox),
    };

    return cmocka_run_group_tests_name ("scanner-media", tests, NULL, NULL);
}
