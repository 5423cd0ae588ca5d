/* Kikan: a readable range of bytes, wherever it lives.
 *
 * A file inside a volume read through The Sleuth Kit, a decrypted volume,
 * a partition of a disk image and a plain file descriptor all look the
 * same to the engine: a size and a pread function.  Plain C.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

typedef struct {
    void *handle;
    /* Reads up to @n bytes at @off into @buf.  Returns the number of bytes
     * read (0 only at or past the end), or -1 with errno set on a read
     * error: a medium pulled out mid-read, a bad sector, a decryption
     * failure.  Must be safe to call from several threads at once unless
     * the source's creator says otherwise. */
    ssize_t (*pread) (void *handle, void *buf, size_t n, uint64_t off);
    uint64_t size;
} KikanSource;

/* A source over a descriptor (pread(2)); @fd stays owned by the caller. */
void kikan_source_init_fd (KikanSource *src, int *fd, uint64_t size);

/* A sub-range [offset, offset+size) of @parent; @parent must outlive it.
 * @window is storage the caller provides for the source's state. */
typedef struct {
    const KikanSource *parent;
    uint64_t offset;
    uint64_t size;
} KikanSourceWindow;
void kikan_source_init_window (KikanSource *src, KikanSourceWindow *window,
                               const KikanSource *parent, uint64_t offset, uint64_t size);

/* Reads exactly @n bytes at @off; returns 0, or -1 (short read or error). */
int kikan_source_read_exact (const KikanSource *src, void *buf, size_t n, uint64_t off);
