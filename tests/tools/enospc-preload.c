/* enospc-preload: an LD_PRELOAD library that makes the disk under one
 * folder fill up, for the "disk full while a session is written" test of
 * issue #12 item 4 (tests/integration/test_faults.py; docs/robustness.md).
 *
 *   LD_PRELOAD=libenospc-preload.so KIKAN_ENOSPC_DIR=DIR KIKAN_ENOSPC_BUDGET=N
 *   [KIKAN_ENOSPC_REPORT=FILE] kikan ...
 *
 * A write to a regular file under DIR that makes the file longer uses up
 * the budget by the bytes it adds (new blocks, as a file system allocates
 * them); overwriting bytes a file already has costs nothing, as on a real
 * full disk.  When the budget runs out, the write stores what still fits
 * (a short write) and every later growth fails with ENOSPC: what SQLite,
 * GLib and the kiosk see on a full disk, without mounting anything (CI may
 * not allow a small tmpfs).  KIKAN_ENOSPC_BUDGET unset: nothing fails, and
 * KIKAN_ENOSPC_REPORT (if set) receives the bytes that were added, so that
 * a test can place budgets inside a whole check-in.
 *
 * Only the first program started with it is affected: LD_PRELOAD is taken
 * out of the environment at load, so that kikan-scand and its sandboxed
 * worker (which write nothing under the home but their private TMPDIR)
 * run without it.  Covers write, pwrite, pwrite64, writev, pwritev and
 * pwritev64, which is every call libsqlite3 and GLib make to write
 * (`nm -D --undefined-only`).  Never used on a kiosk. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static char dir[PATH_MAX];
static size_t dir_len;
static int limited;
static unsigned long long budget, added;
static const char *report;

__attribute__ ((constructor)) static void
enospc_init (void)
{
    const char *d = getenv ("KIKAN_ENOSPC_DIR");
    const char *b = getenv ("KIKAN_ENOSPC_BUDGET");

    unsetenv ("LD_PRELOAD");
    if (d != NULL && realpath (d, dir) != NULL)
        dir_len = strlen (dir);
    if (b != NULL && b[0] != '\0') {
        limited = 1;
        budget = strtoull (b, NULL, 10);
    }
    report = getenv ("KIKAN_ENOSPC_REPORT");
}

__attribute__ ((destructor)) static void
enospc_fini (void)
{
    FILE *f;

    if (report == NULL || (f = fopen (report, "w")) == NULL)
        return;
    fprintf (f, "%llu\n", added);
    fclose (f);
}

/* The bytes a write of @n bytes at @off adds to @fd's file, or -1 when the
 * file is not one under DIR (then it is not counted). */
static long long
growth (int fd, off_t off, size_t n)
{
    char link[64], path[PATH_MAX];
    struct stat st;
    ssize_t len;

    if (dir_len == 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
        return -1;
    snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
    if ((len = readlink (link, path, sizeof path - 1)) < 0)
        return -1;
    path[len] = '\0';
    if (strncmp (path, dir, dir_len) != 0 || (path[dir_len] != '/' && path[dir_len] != '\0'))
        return -1;
    if (off < 0) /* write(): at the file position, or the end for O_APPEND */
        off = lseek (fd, 0, SEEK_CUR) < 0 ? st.st_size : lseek (fd, 0, SEEK_CUR);
    if ((unsigned long long)off + n <= (unsigned long long)st.st_size)
        return 0;
    return (long long)((unsigned long long)off + n
                       - ((unsigned long long)off > (unsigned long long)st.st_size
                              ? (unsigned long long)off
                              : (unsigned long long)st.st_size));
}

/* How many of @n bytes may be written: all, fewer (a short write), or 0
 * with errno ENOSPC. */
static size_t
allowed (int fd, off_t off, size_t n, int *full)
{
    long long g = growth (fd, off, n);

    *full = 0;
    if (g <= 0)
        return n;
    if (limited && added + (unsigned long long)g > budget) {
        unsigned long long left = budget - added;
        size_t keep = n - (size_t)g + (size_t)left;

        if (keep == 0 || left == 0) {
            *full = 1;
            return 0;
        }
        added = budget;
        return keep;
    }
    added += (unsigned long long)g;
    return n;
}

#define REAL(name) real_##name = real_##name ? real_##name : dlsym (RTLD_NEXT, #name)

static ssize_t (*real_write) (int, const void *, size_t);
static ssize_t (*real_pwrite) (int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64) (int, const void *, size_t, off_t);
static ssize_t (*real_writev) (int, const struct iovec *, int);
static ssize_t (*real_pwritev) (int, const struct iovec *, int, off_t);
static ssize_t (*real_pwritev64) (int, const struct iovec *, int, off_t);

ssize_t
write (int fd, const void *buf, size_t n)
{
    int full;
    size_t k;

    REAL (write);
    k = allowed (fd, -1, n, &full);
    if (full) {
        errno = ENOSPC;
        return -1;
    }
    return real_write (fd, buf, k);
}

ssize_t
pwrite (int fd, const void *buf, size_t n, off_t off)
{
    int full;
    size_t k;

    REAL (pwrite);
    k = allowed (fd, off, n, &full);
    if (full) {
        errno = ENOSPC;
        return -1;
    }
    return real_pwrite (fd, buf, k, off);
}

ssize_t
pwrite64 (int fd, const void *buf, size_t n, off_t off)
{
    int full;
    size_t k;

    REAL (pwrite64);
    k = allowed (fd, off, n, &full);
    if (full) {
        errno = ENOSPC;
        return -1;
    }
    return real_pwrite64 (fd, buf, k, off);
}

/* Vectored writes: all or nothing (a short vectored write is legal, but
 * nothing here needs one to be exercised). */
static size_t
iov_total (const struct iovec *iov, int cnt)
{
    size_t n = 0;

    for (int i = 0; i < cnt; i++)
        n += iov[i].iov_len;
    return n;
}

static int
iov_refused (int fd, off_t off, const struct iovec *iov, int cnt)
{
    size_t n = iov_total (iov, cnt);
    long long g = growth (fd, off, n);

    if (g <= 0)
        return 0;
    if (limited && added + (unsigned long long)g > budget) {
        added = budget;
        errno = ENOSPC;
        return 1;
    }
    added += (unsigned long long)g;
    return 0;
}

ssize_t
writev (int fd, const struct iovec *iov, int cnt)
{
    REAL (writev);
    return iov_refused (fd, -1, iov, cnt) ? -1 : real_writev (fd, iov, cnt);
}

ssize_t
pwritev (int fd, const struct iovec *iov, int cnt, off_t off)
{
    REAL (pwritev);
    return iov_refused (fd, off, iov, cnt) ? -1 : real_pwritev (fd, iov, cnt, off);
}

ssize_t
pwritev64 (int fd, const struct iovec *iov, int cnt, off_t off)
{
    REAL (pwritev64);
    return iov_refused (fd, off, iov, cnt) ? -1 : real_pwritev64 (fd, iov, cnt, off);
}
