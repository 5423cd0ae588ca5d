/* fault-fs: a FUSE file system whose reads fail where a test says, for
 * the fault-injection tests of issue #12 item 4 (tests/integration/
 * test_faults.py; docs/robustness.md).  A failing disk, a bad sector or a
 * stick pulled out mid-scan shows up to Kikan as a read that returns -1
 * with EIO (or ENODEV); this file system makes those reads happen on real
 * descriptors, through the kernel, so that every layer between the device
 * and the verdict (pread, libblkid, The Sleuth Kit, the worker's walk) sees
 * exactly what it would see on the failing device.
 *
 *   fault-fs [--image FILE] [--eio START:LEN]... [--gone-after BYTES]
 *            [--gone-errno EIO|ENODEV] [--stats FILE] MOUNTPOINT
 *
 * The files:
 *
 *   /medium.img         (with --image) FILE's bytes, read only.  A read
 *                       that touches a byte of an --eio range fails with
 *                       EIO (a bad sector: a file's data or a directory's
 *                       cluster inside the image's file system).  Once
 *                       --gone-after bytes have been served, every later
 *                       read fails with --gone-errno (the medium was pulled
 *                       out during the scan).
 *   /tree/              a folder medium:
 *     readme.txt        4 KiB of text that always reads (the control)
 *     mid-file.bin      1 MiB claimed; reads past the first 512 KiB fail
 *                       with EIO (a read error in the middle of a file)
 *     broken-dir/       64 files f00.txt ... f63.txt; its listing gives the
 *                       first 16 names, then fails with EIO (a read error in
 *                       the middle of a directory)
 *
 * --stats FILE: at unmount, the number of bytes of /medium.img served and
 * the number of reads refused are written to FILE ("served N\nrefused M\n"),
 * so that a test can place --gone-after inside a complete scan's reads.
 *
 * direct_io on every file: each read reaches this process, as it would on
 * a real device, instead of the kernel's page cache answering it.  Runs in
 * the foreground, single-threaded, until unmounted (fusermount3 -u). */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KIB 1024u
#define MID_SIZE (1024u * KIB)
#define MID_GOOD (512u * KIB)
#define README_SIZE (4u * KIB)
#define DIR_FILES 64
#define DIR_LISTED 16
#define DIR_FILE_SIZE 1000
#define MAX_RANGES 16

static int image_fd = -1;
static off_t image_size;
static struct {
    uint64_t start, len;
} ranges[MAX_RANGES];
static int n_ranges;
static uint64_t gone_after = UINT64_MAX;
static int gone_errno = EIO;
static uint64_t served, refused;
static const char *stats_path;

enum { P_NONE, P_ROOT, P_IMAGE, P_TREE, P_README, P_MID, P_DIR, P_DIR_FILE };

/* What @path names; *@index is the number of a broken-dir file. */
static int
classify (const char *path, int *index)
{
    unsigned n;
    char tail;

    if (strcmp (path, "/") == 0)
        return P_ROOT;
    if (strcmp (path, "/medium.img") == 0)
        return image_fd >= 0 ? P_IMAGE : P_NONE;
    if (strcmp (path, "/tree") == 0)
        return P_TREE;
    if (strcmp (path, "/tree/readme.txt") == 0)
        return P_README;
    if (strcmp (path, "/tree/mid-file.bin") == 0)
        return P_MID;
    if (strcmp (path, "/tree/broken-dir") == 0)
        return P_DIR;
    if (sscanf (path, "/tree/broken-dir/f%2u.tx%c", &n, &tail) == 2 && tail == 't' && n < DIR_FILES
        && strlen (path) == strlen ("/tree/broken-dir/f00.txt")) {
        *index = (int)n;
        return P_DIR_FILE;
    }
    return P_NONE;
}

static int
fault_getattr (const char *path, struct stat *st, struct fuse_file_info *fi)
{
    int index = 0;
    int p = classify (path, &index);

    (void)fi;
    memset (st, 0, sizeof *st);
    switch (p) {
    case P_ROOT:
    case P_TREE:
    case P_DIR:
        st->st_mode = S_IFDIR | 0555;
        st->st_nlink = 2;
        return 0;
    case P_IMAGE:
        st->st_size = image_size;
        break;
    case P_README:
        st->st_size = README_SIZE;
        break;
    case P_MID:
        st->st_size = MID_SIZE;
        break;
    case P_DIR_FILE:
        st->st_size = DIR_FILE_SIZE;
        break;
    default:
        return -ENOENT;
    }
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    return 0;
}

/* Entries carry their own offsets (the next entry's index), so that the
 * kernel asks again from where it stopped: that second request is the one
 * broken-dir fails, after its first names were delivered. */
static int
fault_readdir (const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
               struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    int index = 0;
    int p = classify (path, &index);
    const char *fixed[4];
    int n_fixed = 0;
    off_t i;

    (void)fi;
    (void)flags;
    fixed[n_fixed++] = ".";
    fixed[n_fixed++] = "..";
    if (p == P_ROOT) {
        fixed[n_fixed++] = "tree";
        if (image_fd >= 0)
            fixed[n_fixed++] = "medium.img";
    } else if (p == P_TREE) {
        fixed[n_fixed++] = "readme.txt";
        fixed[n_fixed++] = "mid-file.bin";
    } else if (p != P_DIR) {
        return -ENOENT;
    }
    for (i = off; i < n_fixed; i++)
        if (fill (buf, fixed[i], NULL, i + 1, 0) != 0)
            return 0;
    if (p == P_TREE && i == n_fixed) {
        if (fill (buf, "broken-dir", NULL, i + 1, 0) != 0)
            return 0;
        return 0;
    }
    if (p != P_DIR)
        return 0;
    for (; i < n_fixed + DIR_FILES; i++) {
        char name[16];

        if (i >= n_fixed + DIR_LISTED)
            return i == off ? -EIO : 0;
        snprintf (name, sizeof name, "f%02d.txt", (int)(i - n_fixed));
        if (fill (buf, name, NULL, i + 1, 0) != 0)
            return 0;
    }
    return 0;
}

static int
fault_open (const char *path, struct fuse_file_info *fi)
{
    int index = 0;
    int p = classify (path, &index);

    if (p == P_NONE || p == P_ROOT || p == P_TREE || p == P_DIR)
        return p == P_NONE ? -ENOENT : -EISDIR;
    if ((fi->flags & O_ACCMODE) != O_RDONLY)
        return -EROFS;
    fi->direct_io = 1;
    return 0;
}

static int
read_image (char *buf, size_t n, off_t off)
{
    uint64_t end;
    ssize_t r;

    if (off >= image_size)
        return 0;
    if ((off_t)n > image_size - off)
        n = (size_t)(image_size - off);
    end = (uint64_t)off + n;
    if (served >= gone_after) {
        refused++;
        return -gone_errno;
    }
    for (int i = 0; i < n_ranges; i++)
        if ((uint64_t)off < ranges[i].start + ranges[i].len && end > ranges[i].start) {
            refused++;
            return -EIO;
        }
    r = pread (image_fd, buf, n, off);
    if (r < 0)
        return -errno;
    served += (uint64_t)r;
    return (int)r;
}

static int
fault_read (const char *path, char *buf, size_t n, off_t off, struct fuse_file_info *fi)
{
    int index = 0;
    int p = classify (path, &index);
    off_t size;

    (void)fi;
    switch (p) {
    case P_IMAGE:
        return read_image (buf, n, off);
    case P_README:
        size = README_SIZE;
        break;
    case P_MID:
        size = MID_SIZE;
        break;
    case P_DIR_FILE:
        size = DIR_FILE_SIZE;
        break;
    default:
        return -ENOENT;
    }
    if (off >= size)
        return 0;
    if ((off_t)n > size - off)
        n = (size_t)(size - off);
    if (p == P_MID && off + (off_t)n > (off_t)MID_GOOD)
        return -EIO;
    for (size_t i = 0; i < n; i++)
        buf[i] = p == P_README ? "an ordinary note, nothing to see\n"[(off + (off_t)i) % 33]
                               : (char)('e' + (p == P_MID));
    return (int)n;
}

static void
fault_destroy (void *data)
{
    FILE *f;

    (void)data;
    if (stats_path == NULL)
        return;
    if ((f = fopen (stats_path, "w")) == NULL) {
        perror (stats_path);
        return;
    }
    fprintf (f, "served %llu\nrefused %llu\n", (unsigned long long)served,
             (unsigned long long)refused);
    fclose (f);
}

static const struct fuse_operations ops = {
    .getattr = fault_getattr,
    .readdir = fault_readdir,
    .open = fault_open,
    .read = fault_read,
    .destroy = fault_destroy,
};

static int
usage (void)
{
    fprintf (stderr, "usage: fault-fs [--image FILE] [--eio START:LEN]... [--gone-after BYTES] "
                     "[--gone-errno EIO|ENODEV] [--stats FILE] MOUNTPOINT\n");
    return 2;
}

int
main (int argc, char **argv)
{
    char *fargv[] = { argv[0], "-f", "-s", "-o", "ro", NULL, NULL };
    const char *mountpoint = NULL;
    struct stat st;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp (a, "--image") == 0 && v != NULL) {
            if ((image_fd = open (v, O_RDONLY | O_CLOEXEC)) < 0 || fstat (image_fd, &st) != 0) {
                perror (v);
                return 2;
            }
            image_size = st.st_size;
            i++;
        } else if (strcmp (a, "--eio") == 0 && v != NULL) {
            unsigned long long s, l;

            if (n_ranges == MAX_RANGES || sscanf (v, "%llu:%llu", &s, &l) != 2 || l == 0)
                return usage ();
            ranges[n_ranges].start = s;
            ranges[n_ranges++].len = l;
            i++;
        } else if (strcmp (a, "--gone-after") == 0 && v != NULL) {
            gone_after = strtoull (v, NULL, 10);
            i++;
        } else if (strcmp (a, "--gone-errno") == 0 && v != NULL) {
            if (strcmp (v, "EIO") == 0)
                gone_errno = EIO;
            else if (strcmp (v, "ENODEV") == 0)
                gone_errno = ENODEV;
            else
                return usage ();
            i++;
        } else if (strcmp (a, "--stats") == 0 && v != NULL) {
            stats_path = v;
            i++;
        } else if (a[0] != '-' && mountpoint == NULL) {
            mountpoint = a;
        } else {
            return usage ();
        }
    }
    if (mountpoint == NULL)
        return usage ();
    fargv[5] = (char *)mountpoint;
    return fuse_main (6, fargv, &ops, NULL);
}
