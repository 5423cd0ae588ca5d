/* Media access inside the sandboxed worker (issue #3): partitions, volume
 * probing (libblkid + own header checks + entropy), and reading file
 * systems in user space with The Sleuth Kit.  No kernel mount, no writes.
 *
 * Everything reads through KikanSource, so a decrypted volume
 * (unlock-private.h) is walked exactly like a plain one. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kikan/source.h"
#include "kikan/volume.h"

typedef struct KikanMedia KikanMedia;

/* Limits that protect the worker from hostile file systems.  Zero means
 * the default in brackets. */
typedef struct {
    uint32_t max_depth;      /* directory nesting [256] */
    uint64_t max_entries;    /* directory entries per volume [5,000,000] */
} KikanMediaLimits;

/* 1 if @disk looks like a medium rather than a single file: a partition
 * table (MBR/GPT), a file system or an encryption header that libblkid or
 * the own checks recognise at offset 0.  Used to decide how a regular-file
 * target (an image, or just a file) is treated.  libblkid takes part only
 * when a descriptor lies under @disk (a source from kikan_source_init_fd,
 * or a window over one). */
int kikan_media_looks_like_medium (const KikanSource *disk);

/* 1 if the first bytes of @src (a file found inside a target) carry a
 * partition table (MBR, GPT) or a volume header the own checks know (FAT,
 * exFAT, NTFS, ext2/3/4, HFS+, APFS, ISO 9660, UDF, LUKS, BitLocker, Core
 * Storage), so that it can be opened with kikan_media_open as a nested disk
 * image (issue #8 item 7).  Never asks libblkid: it would find something in
 * many ordinary files.  Reads at most 40 KiB. */
int kikan_media_looks_like_image (const KikanSource *src);

/* Enumerates partitions (MBR, GPT, or none = the whole medium is one
 * volume) and probes each: file system, label, UUID, encryption, entropy,
 * OS presence (for readable ones).  @disk must outlive the media.  Errors
 * in the partition table are not fatal: a table pointing past the end of
 * the medium yields the volumes that fit, with `problem` set on the rest.
 * An empty medium yields one volume of size 0 with a problem.  Every
 * partition any table lists that a system would honour is a volume: the
 * MBR entries of a hybrid MBR, partitions only the backup GPT lists, an
 * MBR beside a file system at sector 0, and file systems found at the start
 * of a gap or on a MiB boundary that no table lists; such a volume, and
 * overlapping ones, carry a problem (issue #8 item 5, docs/media.md).
 *
 * `problem` may also be set on a READABLE volume: something is wrong
 * although its file system could be walked (truncated, partition past the
 * end, damaged primary GPT, some APFS volumes encrypted).  Such a volume
 * is walked, but it is not fully inspected.
 *
 * Returns 0, or KIKAN_EIO (the start of the medium cannot be read),
 * KIKAN_ENOMEM, KIKAN_EINVAL, with @err set.  Hostile content is never an
 * error here: it becomes a problem on a volume. */
int kikan_media_open (const KikanSource *disk, const KikanMediaLimits *limits,
                      KikanMedia **out, char *err, size_t errlen);
void kikan_media_free (KikanMedia *m);  /* accepts NULL */

size_t kikan_media_get_n_volumes (const KikanMedia *m);
/* Borrowed; index is 0-based here (KikanVolume.index is 1-based). */
const KikanVolume *kikan_media_get_volume (const KikanMedia *m, size_t i);
/* The bytes of volume @i as stored on the medium (still encrypted if it
 * is).  Its size is what exists on the medium: smaller than
 * KikanVolume.size for a partition that runs past the end, 0 for one that
 * starts beyond it. */
const KikanSource *kikan_media_get_volume_source (const KikanMedia *m, size_t i);

/* Replaces volume @i's byte source with @plain (a decrypted view, owned by
 * the caller, must outlive the media), marks it unlocked and probes its
 * file system again.  @plain has no descriptor, so libblkid cannot help:
 * the file system comes from the own checks and TSK, the UUID from TSK
 * (FAT, NTFS, ext), the label stays unknown.  encryption and entropy keep
 * what the stored bytes showed.  Returns 0, KIKAN_EINVAL or KIKAN_ENOMEM;
 * a plain view without a readable file system is not an error (readable
 * stays 0, problem says why). */
int kikan_media_set_unlocked (KikanMedia *m, size_t i, const KikanSource *plain);

/* One entry met while walking a volume. */
typedef enum {
    KIKAN_ENTRY_REGULAR = 0,
    KIKAN_ENTRY_SYMLINK,
    KIKAN_ENTRY_OTHER,       /* device, fifo, socket, ... */
    KIKAN_ENTRY_ERROR,       /* a directory or entry that could not be read */
    KIKAN_ENTRY_LIMIT,       /* walk cut here: too deep or too many entries */
} KikanEntryKind;

typedef struct {
    KikanEntryKind kind;
    const char *path;        /* "/dir/file" inside the volume; hostile; borrowed */
    uint64_t inode;          /* for kikan_media_reader_open */
    uint64_t size;
    const char *detail;      /* for ERROR / LIMIT, else NULL */
    int64_t mtime;           /* REGULAR: modification time (Unix seconds), 0 if unknown */
    const char *link_target; /* SYMLINK: the link's text as the file system keeps it
                              * (hostile, never followed), NULL when not readable */
    uint32_t stream;         /* 0: the file's own data; else one of its named streams
                              * (NTFS alternate data stream, HFS+ resource fork), for
                              * kikan_media_reader_open_stream; path then ends in
                              * ":name" or "/..namedfork/rsrc" (issue #8 item 6) */
} KikanEntry;

/* Walks volume @i (allocated entries only: deleted entries and slack are
 * left alone, see docs/media.md) calling @cb
 * for each entry; a non-zero return from @cb stops the walk.  Directories
 * are entered, not reported.  File system metadata (NTFS $MFT..., HFS+
 * special files) and TSK's virtual entries are skipped.  A regular file
 * whose data cannot be read (broken or cyclic cluster chain, data beyond
 * the end of a truncated medium, a map TSK would take minutes to build) is
 * reported as ERROR, not REGULAR.  Every named stream of a file or
 * directory (NTFS "$DATA" attributes with a name, HFS+ resource forks) is
 * an entry of its own, REGULAR with a non-zero `stream` (at most
 * KIKAN_MEDIA_MAX_STREAMS per file, then a LIMIT); a directory met twice (a loop) as ERROR;
 * depth and entry limits as LIMIT.  In an APFS container of several
 * volumes each volume's name is the top folder.  Returns 0, or KIKAN_ENOTSUP
 * (volume not readable) / KIKAN_ENOMEM with @err set. */
int kikan_media_walk (KikanMedia *m, size_t i,
                      int (*cb) (const KikanEntry *e, void *user_data), void *user_data,
                      char *err, size_t errlen);

/* A per-thread reader of one volume: The Sleuth Kit's handles are not
 * shared between threads, so each scanning thread opens its own. */
typedef struct KikanMediaReader KikanMediaReader;
int kikan_media_reader_new (KikanMedia *m, size_t i, KikanMediaReader **out);
void kikan_media_reader_free (KikanMediaReader *r);
/* Opens the regular file @inode (KikanEntry.inode from the walk: opaque,
 * its top byte names the APFS volume); *src stays valid until the next
 * call on this reader or its free, and may be read from several threads.
 * Reads past what the file system maps fail with -1 and errno EIO (never
 * silently return zeros).  Returns 0, KIKAN_EINVAL (not a regular file),
 * KIKAN_EIO (metadata not readable, or refused as the walk reported). */
int kikan_media_reader_open (KikanMediaReader *r, uint64_t inode, const KikanSource **src);
/* The same for one named stream of @inode (KikanEntry.stream, non-zero);
 * @inode may then also be a directory.  KIKAN_EIO when the stream is gone. */
int kikan_media_reader_open_stream (KikanMediaReader *r, uint64_t inode, uint32_t stream,
                                    const KikanSource **src);

/* Named streams read per file or directory before the walk says LIMIT. */
#define KIKAN_MEDIA_MAX_STREAMS 64u
