/* Fuzz harness: the archive cross-check's own parsers (scanner/extract.c,
 * scanner/archive-sniff.c; issue #8 items 2 and 4, issue #12 item 1).
 *
 * fuzz-engine reaches these too, but behind libclamav, which costs
 * milliseconds per input and types most mutated bytes as plain data; here
 * every input goes straight to the routes a person's tools would take.
 *
 * Input: byte 0 modulo N_ROUTES picks the route (index, stream, raw, tar
 * concat, self-extractor, zip from its end record), the rest is the blob, in its own exact-size allocation
 * so that ASan sees any read past it.  Every entry is listed and read with
 * a small limit, and the signature sniffers run over the blob.
 *
 * Invariants beyond "no crash, no sanitizer report, no hang":
 *   - open returns 0 with an archive and an extractor name, or NOT_ARCHIVE
 *     or a negative code with no archive;
 *   - every entry has a name; a parse error carries a message;
 *   - extract never returns more than the limit, and OVER_LIMIT leaves no
 *     buffer (a bomb is a reason, never a truncated "clean" member: KR-09);
 *   - a warning, once taken, is gone;
 *   - the sniffers agree with themselves: an embedded archive lies inside
 *     the blob after the offset asked, and a zip end check that is not
 *     NONE/OK explains itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive-sniff-private.h"
#include "extract-private.h"
#include "kikan/errors.h"

#define ENTRY_LIMIT 4096       /* entries listed per input: keeps each run short */
#define EXTRACT_LIMIT 65536    /* bytes per member: small, so the limit path runs */
#define N_ROUTES (KIKAN_ROUTE_ZIP_END + 1)

static void
check_sniffers (const unsigned char *p, size_t n)
{
    char why[128];
    size_t at = 0;
    int hops = 0;
    KikanZipEnd end;

    (void) kikan_archive_sniff (p, n);
    if (kikan_stream_sniff (p, n) > KIKAN_STREAM_STRONG)
        abort ();
    memset (why, 0, sizeof why);
    end = kikan_zip_end_check (p, n, why, sizeof why);
    if ((end == KIKAN_ZIP_END_SPLIT || end == KIKAN_ZIP_END_INCONSISTENT) && why[0] == '\0')
        abort ();
    if (memchr (why, '\0', sizeof why) == NULL)
        abort ();
    while (hops++ < 64) {
        size_t next = kikan_embedded_archive_next (p, n, at);
        if (next == (size_t) -1)
            break;
        if (next == 0 || next < at || next >= n)
            abort ();
        at = next + 1;
    }
}

static void
walk (const KikanBlob *blob, KikanArchiveRoute route)
{
    KikanArchive *a = NULL;
    const char *extractor = NULL;
    char err[256] = "";
    int r, listed = 0;

    r = kikan_archive_open (blob, route, &a, &extractor, err, sizeof err);
    if (r == KIKAN_ARCHIVE_NOT_ARCHIVE) {
        if (a != NULL)
            abort ();
        return;
    }
    if (r != 0) {
        if (r > 0 || a != NULL)
            abort ();
        return;
    }
    if (a == NULL || extractor == NULL)
        abort ();
    while (listed++ < ENTRY_LIMIT) {
        KikanArchiveEntry e;
        unsigned char *buf = NULL;
        size_t len = 0;

        memset (&e, 0, sizeof e);
        r = kikan_archive_next (a, &e);
        if (r == 0)
            break;
        if (r < 0) {
            const char *m = kikan_archive_error (a);
            if (m == NULL || m[0] == '\0')
                abort ();
            break;
        }
        if (e.name == NULL)
            abort ();
        (void) strlen (e.name);
        if (e.link_target != NULL)
            (void) strlen (e.link_target);
        if (kikan_archive_take_warning (a) != NULL && kikan_archive_take_warning (a) != NULL)
            abort ();
        if (e.is_directory)
            continue;
        r = kikan_archive_extract (a, EXTRACT_LIMIT, &buf, &len);
        if (r == 0) {
            if (len > EXTRACT_LIMIT || (len > 0 && buf == NULL))
                abort ();
            if (len > 0)
                (void) buf[len - 1];  /* the whole buffer is really there */
        } else if (r == KIKAN_ARCHIVE_OVER_LIMIT) {
            if (buf != NULL)
                abort ();
        } else if (r > 0) {
            abort ();
        }
        free (buf);
        if (r < 0)
            break;
    }
    kikan_archive_free (a);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    KikanBlob blob;
    unsigned char *copy;
    size_t n;

    if (size < 1)
        return 0;
    n = size - 1;
    copy = malloc (n > 0 ? n : 1);
    if (copy == NULL)
        abort ();
    if (n > 0)
        memcpy (copy, data + 1, n);
    check_sniffers (copy, n);
    memset (&blob, 0, sizeof blob);
    blob.data = copy;
    blob.size = n;
    walk (&blob, (KikanArchiveRoute) (data[0] % N_ROUTES));
    free (copy);
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
const unsigned kikan_fuzz_prefix_parts = 4;
const unsigned kikan_fuzz_selectors = N_ROUTES;
#endif
