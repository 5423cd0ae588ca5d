/* Fuzz harness: arbitrary bytes as an encrypted volume handed to
 * kikan_unlock() with a fixed passphrase.  The first byte picks the kind
 * (LUKS1, LUKS2, FileVault 2, BitLocker), the rest is the volume.
 *
 * Invariants checked on every input, beyond "no crash, no sanitizer
 * report": the result is 0, KIKAN_UNLOCK_WRONG_SECRET or a KIKAN_E* code;
 * a refusal leaves no handle and carries a message; no message quotes the
 * passphrase; the temp dir is empty afterwards (the header copy is always
 * deleted); an unlocked volume is no larger than the input and reads 0 at
 * its end. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kikan/errors.h"
#include "unlock-private.h"

static const char PASS[] = "fuzz-Pa55phrase!";
static const KikanEncryption kinds[] = { KIKAN_ENC_LUKS1, KIKAN_ENC_LUKS2,
                                         KIKAN_ENC_FILEVAULT2, KIKAN_ENC_BITLOCKER };
static char tmpdir[512];

typedef struct {
    const uint8_t *p;
    size_t n;
} Mem;

static ssize_t
mem_pread (void *handle, void *buf, size_t n, uint64_t off)
{
    const Mem *m = handle;

    if (off >= m->n)
        return 0;
    if (n > m->n - off)
        n = (size_t) (m->n - off);
    memcpy (buf, m->p + off, n);
    return (ssize_t) n;
}

static void
remove_tmpdir (void)
{
    rmdir (tmpdir);
}

static void
init_tmpdir (void)
{
    const char *base = getenv ("TMPDIR");

    snprintf (tmpdir, sizeof tmpdir, "%s/kikan-fuzz-unlock-XXXXXX", base ? base : "/tmp");
    if (mkdtemp (tmpdir) == NULL) {
        perror ("fuzz-unlock: mkdtemp");
        abort ();
    }
    atexit (remove_tmpdir);
}

static void
check_tmpdir_empty (void)
{
    DIR *d = opendir (tmpdir);
    struct dirent *de;

    if (d == NULL)
        abort ();
    while ((de = readdir (d)) != NULL)
        if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0) {
            fprintf (stderr, "fuzz-unlock: left behind: %s\n", de->d_name);
            abort ();
        }
    closedir (d);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    KikanUnlocked *u = NULL;
    KikanSource src;
    Mem m;
    char err[256];
    int r;

    if (tmpdir[0] == '\0')
        init_tmpdir ();
    if (size < 1)
        return 0;
    m.p = data + 1;
    m.n = size - 1;
    src.handle = &m;
    src.pread = mem_pread;
    src.size = m.n;
    err[0] = 'x';
    err[1] = '\0';
    r = kikan_unlock (&src, kinds[data[0] % 4], PASS, strlen (PASS), tmpdir, &u, err,
                      sizeof err);
    check_tmpdir_empty ();
    if (strstr (err, "Pa55") != NULL)
        abort ();
    if (r == 0) {
        const KikanSource *p = kikan_unlocked_get_source (u);
        unsigned char buf[4096];
        if (p == NULL || p->size > m.n || kikan_unlocked_describe (u) == NULL)
            abort ();
        if (p->pread (p->handle, buf, sizeof buf, p->size) != 0)
            abort ();
        if (p->size > 0 && p->pread (p->handle, buf, sizeof buf, 0) <= 0)
            abort ();
        kikan_unlocked_free (u);
    } else if (r == KIKAN_UNLOCK_WRONG_SECRET || (r < 0 && r >= KIKAN_ESTATE)) {
        if (u != NULL || err[0] == '\0')
            abort ();
    } else {
        abort ();
    }
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* fuzz-standalone.c runs the seeds whole and cut at each quarter
 * (truncated input is the commonest hostile case), then the same bytes as
 * every other kind of volume (byte 0). */
const unsigned kikan_fuzz_prefix_parts = 4;
const unsigned kikan_fuzz_selectors = 4;
#endif
