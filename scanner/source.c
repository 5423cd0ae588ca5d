/* KikanSource helpers (include/kikan/source.h). */
#include <errno.h>
#include <unistd.h>

#include "kikan/source.h"

static ssize_t
fd_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    int fd = *(int *) handle;
    ssize_t r;

    do
        r = pread (fd, buf, n, (off_t) off);
    while (r < 0 && errno == EINTR);
    return r;
}

void
kikan_source_init_fd (KikanSource *src, int *fd, uint64_t size)
{
    src->handle = fd;
    src->pread = fd_pread;
    src->size = size;
}

static ssize_t
window_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    KikanSourceWindow *w = handle;

    /* Never read past the window into a neighbouring partition. */
    if (off >= w->size)
        return 0;
    if (n > w->size - off)
        n = (size_t) (w->size - off);
    return w->parent->pread (w->parent->handle, buf, n, w->offset + off);
}

void
kikan_source_init_window (KikanSource *src, KikanSourceWindow *window,
                          const KikanSource *parent, uint64_t offset, uint64_t size)
{
    window->parent = parent;
    window->offset = offset;
    window->size = size;
    src->handle = window;
    src->pread = window_pread;
    src->size = size;
}

int
kikan_source_read_exact (const KikanSource *src, void *buf, size_t n, uint64_t off)
{
    size_t done = 0;

    while (done < n) {
        ssize_t r = src->pread (src->handle, (char *) buf + done, n - done, off + done);
        if (r <= 0)
            return -1;
        done += (size_t) r;
    }
    return 0;
}
