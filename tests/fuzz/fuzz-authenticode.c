/* Fuzz harness: arbitrary bytes as a PE file for Authenticode verification
 * (scanner/authenticode.c; issue #4, Admin B-3).
 *
 * Invariants beyond "no crash, no sanitizer report, no leak, no hang": the
 * status is one of the three; every string is NUL-terminated inside its
 * array; VALID has a 64-digit lower-case hex hash and no detail; INVALID
 * has a detail and neither hash nor subject; NONE has no strings at all;
 * the same bytes give the same answer twice. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kikan/authenticode.h"

static void
check (const KikanAuthenticode *a, KikanAuthenticodeStatus s)
{
    if (s != a->status || s > KIKAN_AUTHENTICODE_INVALID)
        abort ();
    if (memchr (a->cert_sha256, 0, sizeof a->cert_sha256) == NULL
        || memchr (a->subject, 0, sizeof a->subject) == NULL
        || memchr (a->detail, 0, sizeof a->detail) == NULL)
        abort ();
    switch (s) {
    case KIKAN_AUTHENTICODE_VALID:
        if (strlen (a->cert_sha256) != 64 || strspn (a->cert_sha256, "0123456789abcdef") != 64
            || a->detail[0] != '\0')
            abort ();
        for (const char *p = a->subject; *p; p++)
            if ((unsigned char) *p < 0x20 || *p == 0x7f)
                abort ();
        break;
    case KIKAN_AUTHENTICODE_INVALID:
        if (a->detail[0] == '\0' || a->cert_sha256[0] != '\0' || a->subject[0] != '\0')
            abort ();
        break;
    case KIKAN_AUTHENTICODE_NONE:
        if (a->detail[0] != '\0' || a->cert_sha256[0] != '\0' || a->subject[0] != '\0')
            abort ();
        break;
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    KikanAuthenticode a, b;
    KikanAuthenticodeStatus s;

    memset (&a, 0x5a, sizeof a);
    s = kikan_authenticode_verify (data, size, &a);
    check (&a, s);
    memset (&b, 0xa5, sizeof b);
    if (kikan_authenticode_verify (data, size, &b) != s || memcmp (&a, &b, sizeof a) != 0)
        abort ();
    return 0;
}

#ifdef KIKAN_FUZZ_STANDALONE
/* Runs every file (or every file in every folder) named on the command
 * line through the harness, so each build exercises it on the seeds. */
static int
run_file (const char *path)
{
    FILE *f = fopen (path, "rb");
    unsigned char *buf;
    long n;

    if (f == NULL)
        return -1;
    fseek (f, 0, SEEK_END);
    n = ftell (f);
    fseek (f, 0, SEEK_SET);
    buf = malloc ((size_t) n + 1);
    if (buf == NULL || fread (buf, 1, (size_t) n, f) != (size_t) n) {
        fclose (f);
        free (buf);
        return -1;
    }
    fclose (f);
    LLVMFuzzerTestOneInput (buf, (size_t) n);
    /* Every prefix cut at a few points: a truncated copy is the commonest
     * damage. */
    for (int k = 1; k < 8; k++)
        LLVMFuzzerTestOneInput (buf, (size_t) n * (size_t) k / 8);
    free (buf);
    return 0;
}

int
main (int argc, char **argv)
{
    int ran = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat (argv[i], &st) != 0) {
            fprintf (stderr, "fuzz-authenticode: missing seed location %s\n", argv[i]);
            return 1;
        }
        if (S_ISDIR (st.st_mode)) {
            DIR *d = opendir (argv[i]);
            struct dirent *de;
            while (d && (de = readdir (d)) != NULL) {
                char p[4096];
                if (de->d_name[0] == '.')
                    continue;
                snprintf (p, sizeof p, "%s/%s", argv[i], de->d_name);
                if (run_file (p) == 0)
                    ran++;
            }
            if (d)
                closedir (d);
        } else if (run_file (argv[i]) == 0) {
            ran++;
        }
    }
    printf ("fuzz-authenticode: %d inputs ran without a finding\n", ran);
    return ran > 0 ? 0 : 1;
}
#endif
