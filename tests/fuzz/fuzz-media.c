/* Fuzz harness: arbitrary bytes as a disk image (scanner/media.c).
 *
 * Each input is probed twice: as a descriptor (a memfd, so libblkid takes
 * part, as for a real target) and as a plain in-memory source handed in as
 * the "decrypted" view of volume 1 (own header checks and TSK only).  Every
 * readable volume is walked and every regular file and named stream read
 * to its end (at most 1 MiB each: a hostile file system may declare
 * terabytes of sparse data); kikan_media_looks_like_image sees the input
 * as a file found inside a target would be seen (issue #8).  An ISO 9660
 * volume is also read through every directory tree by media.c's own
 * parser (seed iso-trees.img: files only in the Rock Ridge tree and only
 * in the Joliet tree), whose files the readers open as raw extents.
 *
 * Invariants beyond "no crash, no sanitizer report, no hang": every volume
 * has a scheme, a non-readable one says why, a readable one has a file
 * system name; entries have paths starting with '/' and details when they
 * are errors or limits; a source never returns more than asked. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kikan/source.h"
#include "kikan/volume.h"
#include "media-private.h"

#define KIKAN_FUZZ_READ_CAP (1u << 20)

typedef struct {
    const uint8_t *b;
    size_t n;
} MemSource;

static ssize_t
mem_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    const MemSource *s = handle;

    if (off >= s->n)
        return 0;
    if (n > s->n - off)
        n = (size_t) (s->n - off);
    memcpy (buf, s->b + off, n);
    return (ssize_t) n;
}

typedef struct {
    uint64_t inodes[256];
    uint32_t streams[256];
    size_t n;
} Regulars;

static int
on_entry (const KikanEntry *e, void *user_data)
{
    Regulars *r = user_data;

    if (e->path == NULL || e->path[0] != '/')
        abort ();
    if ((e->kind == KIKAN_ENTRY_ERROR || e->kind == KIKAN_ENTRY_LIMIT) && e->detail == NULL)
        abort ();
    if (e->kind > KIKAN_ENTRY_LIMIT)
        abort ();
    if (e->kind != KIKAN_ENTRY_REGULAR && e->stream != 0)
        abort ();
    if (e->kind == KIKAN_ENTRY_REGULAR && r->n < sizeof r->inodes / sizeof r->inodes[0]) {
        r->streams[r->n] = e->stream;
        r->inodes[r->n++] = e->inode;
    }
    return 0;
}

static void
check_volume (const KikanVolume *v)
{
    if (v->scheme == NULL || v->encryption >= KIKAN_ENC__COUNT)
        abort ();
    if (!v->readable && v->problem == NULL)
        abort ();
    /* The one readable volume without a file system: an empty Microsoft
     * Reserved partition, walked as no entries (issue #8). */
    if (v->readable && v->filesystem == NULL
        && (v->part_type == NULL
            || strcmp (v->part_type, "e3c9e316-0b5c-4db8-817d-f92df00215ae") != 0
            || v->encryption != KIKAN_ENC_NONE))
        abort ();
}

static void
read_files (KikanMedia *m, size_t i, const Regulars *regs)
{
    static unsigned char buf[65536 + 16];
    KikanMediaReader *r = NULL;

    if (kikan_media_reader_new (m, i, &r) != 0)
        return;
    for (size_t k = 0; k < regs->n; k++) {
        const KikanSource *src;
        uint64_t off = 0;

        if (kikan_media_reader_open_stream (r, regs->inodes[k], regs->streams[k], &src) != 0)
            continue;
        while (off < src->size && off < KIKAN_FUZZ_READ_CAP) {
            ssize_t got = src->pread (src->handle, buf, 65536, off);
            if (got > 65536)
                abort ();
            if (got <= 0)
                break;
            off += (uint64_t) got;
        }
    }
    kikan_media_reader_free (r);
}

static void
walk_volume (KikanMedia *m, size_t i)
{
    const KikanVolume *v = kikan_media_get_volume (m, i);
    Regulars regs;
    char err[256];

    check_volume (v);
    if (!v->readable)
        return;
    regs.n = 0;
    (void) kikan_media_walk (m, i, on_entry, &regs, err, sizeof err);
    read_files (m, i, &regs);
}

static void
run_media (const KikanSource *disk, const KikanSource *plain)
{
    KikanMediaLimits lim = { 16, 2000 };
    KikanMedia *m = NULL;
    char err[256];

    (void) kikan_media_looks_like_medium (disk);
    (void) kikan_media_looks_like_image (disk);
    if (kikan_media_open (disk, &lim, &m, err, sizeof err) != 0)
        return;
    for (size_t i = 0; i < kikan_media_get_n_volumes (m); i++) {
        if (kikan_media_get_volume_source (m, i) == NULL)
            abort ();
        walk_volume (m, i);
    }
    /* The same bytes once more as a "decrypted" volume 1: no descriptor. */
    if (plain != NULL && kikan_media_get_n_volumes (m) > 0
        && kikan_media_set_unlocked (m, 0, plain) == 0)
        walk_volume (m, 0);
    kikan_media_free (m);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static int fd = -1;
    KikanSource disk, plain;
    MemSource ms = { data, size };

    /* One memfd for the whole run, refilled per input. */
    if (fd < 0 && (fd = memfd_create ("fuzz-media", MFD_CLOEXEC)) < 0)
        abort ();
    if (ftruncate (fd, 0) != 0 || (size > 0 && pwrite (fd, data, size, 0) != (ssize_t) size))
        abort ();
    kikan_source_init_fd (&disk, &fd, size);
    plain.handle = &ms;
    plain.pread = mem_pread;
    plain.size = size;
    run_media (&disk, &plain);
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole and cut at each quarter:
 * truncated media are the commonest hostile case. */
const unsigned kikan_fuzz_prefix_parts = 4;
const unsigned kikan_fuzz_selectors = 0;
#endif
