/* fickle-fs: a FUSE file system that behaves like a hostile or failing
 * medium, for the integration tests of issue #8 item 8 (content that
 * changes during the scan) on FOLDER targets, where Kikan reads files
 * through ordinary descriptors.
 *
 *   fickle-fs PAYLOAD MOUNTPOINT
 *
 * PAYLOAD is a file whose bytes the first read shows (the test writes
 * EICAR there at run time: none lives in the repository).  The files:
 *
 *   two-faced.com  PAYLOAD's bytes the first time each byte is read,
 *                  'a' every time after that
 *   shrinks.txt    claims 3 MiB; once a read has started, nothing past the
 *                  first MiB is there any more (truncated while read)
 *   gone.txt       claims 3 MiB; reads past the first MiB fail with EIO
 *                  (the medium pulled out mid-read)
 *   steady.txt     3 MiB of 'b' that never change (the control)
 *
 * direct_io on every file: each read reaches this process, as it would on
 * a real device, instead of the kernel's page cache answering it.  Runs in
 * the foreground, single-threaded, until unmounted (fusermount3 -u). */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BIG (3u << 20)
#define MIB (1u << 20)

static unsigned char payload[4096];
static size_t payload_len;
static unsigned char seen[sizeof payload];
static int shrinks_started;

enum { F_TWO_FACED, F_SHRINKS, F_GONE, F_STEADY, F__COUNT };
static const char *const names[F__COUNT] = { "two-faced.com", "shrinks.txt", "gone.txt",
                                             "steady.txt" };

static int
which (const char *path)
{
    for (int i = 0; i < F__COUNT; i++)
        if (path[0] == '/' && strcmp (path + 1, names[i]) == 0)
            return i;
    return -1;
}

static off_t
size_of (int f)
{
    return f == F_TWO_FACED ? (off_t) payload_len : (off_t) BIG;
}

static int
fickle_getattr (const char *path, struct stat *st, struct fuse_file_info *fi)
{
    int f = which (path);

    (void) fi;
    memset (st, 0, sizeof *st);
    if (strcmp (path, "/") == 0) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    }
    if (f < 0)
        return -ENOENT;
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    st->st_size = size_of (f);
    return 0;
}

static int
fickle_readdir (const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void) off;
    (void) fi;
    (void) flags;
    if (strcmp (path, "/") != 0)
        return -ENOENT;
    fill (buf, ".", NULL, 0, 0);
    fill (buf, "..", NULL, 0, 0);
    for (int i = 0; i < F__COUNT; i++)
        fill (buf, names[i], NULL, 0, 0);
    return 0;
}

static int
fickle_open (const char *path, struct fuse_file_info *fi)
{
    if (which (path) < 0)
        return -ENOENT;
    if ((fi->flags & O_ACCMODE) != O_RDONLY)
        return -EROFS;
    fi->direct_io = 1;
    return 0;
}

static int
fickle_read (const char *path, char *buf, size_t n, off_t off, struct fuse_file_info *fi)
{
    int f = which (path);
    off_t size, end;

    (void) fi;
    if (f < 0)
        return -ENOENT;
    size = size_of (f);
    if (off >= size)
        return 0;
    if ((off_t) n > size - off)
        n = (size_t) (size - off);
    end = off + (off_t) n;
    switch (f) {
    case F_TWO_FACED:
        for (size_t i = 0; i < n; i++) {
            size_t at = (size_t) off + i;
            buf[i] = (char) (seen[at] ? 'a' : payload[at]);
            seen[at] = 1;
        }
        return (int) n;
    case F_SHRINKS:
        if (shrinks_started && off >= MIB)
            return 0;
        shrinks_started = 1;
        if (end > MIB)
            n = (size_t) (MIB - off);
        memset (buf, 'c', n);
        return (int) n;
    case F_GONE:
        if (end > MIB)
            return -EIO;
        memset (buf, 'd', n);
        return (int) n;
    default:
        memset (buf, 'b', n);
        return (int) n;
    }
}

static const struct fuse_operations ops = {
    .getattr = fickle_getattr,
    .readdir = fickle_readdir,
    .open = fickle_open,
    .read = fickle_read,
};

int
main (int argc, char **argv)
{
    FILE *p;
    char *fargv[] = { argv[0], "-f", "-s", "-o", "ro", NULL, NULL };

    if (argc != 3) {
        fprintf (stderr, "usage: fickle-fs PAYLOAD MOUNTPOINT\n");
        return 2;
    }
    if ((p = fopen (argv[1], "rb")) == NULL) {
        perror (argv[1]);
        return 2;
    }
    payload_len = fread (payload, 1, sizeof payload, p);
    fclose (p);
    fargv[5] = argv[2];
    return fuse_main (6, fargv, &ops, NULL);
}
