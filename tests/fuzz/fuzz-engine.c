/* Fuzz harness: arbitrary bytes as a file on a returned medium.
 *
 * Invariants checked on every input, beyond "no crash, no sanitizer
 * report": the report is internally consistent (a clean file carries no
 * signature and no reason; a not-inspected one carries a reason; an
 * infected one at least one signature) and its SHA-256 is present. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kikan/engine.h"

static KikanEngine *engine;

static void
init_engine (void)
{
    const char *dbs[] = { KIKAN_FUZZ_SIGNATURES };
    /* Small limits keep each input cheap and exercise the limit paths. */
    KikanEngineOptions o = { dbs, 1, { 8u << 20, 32u << 20, 8, 200, 5000 } };
    char err[512];

    if (kikan_engine_new (&o, &engine, err, sizeof err) != 0) {
        fprintf (stderr, "fuzz-engine: %s\n", err);
        abort ();
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    KikanFileReport r = { 0 };

    if (engine == NULL)
        init_engine ();
    if (kikan_engine_scan_buffer (engine, data, size, "fuzz", &r) != 0)
        abort ();
    if (strlen (r.sha256) != 64)
        abort ();
    switch (r.result) {
    case KIKAN_RESULT_CLEAN:
        if (r.n_signatures != 0 || r.reason != KIKAN_REASON_NONE)
            abort ();
        break;
    case KIKAN_RESULT_NOT_INSPECTED:
        if (r.reason == KIKAN_REASON_NONE)
            abort ();
        break;
    case KIKAN_RESULT_INFECTED:
        if (r.n_signatures == 0)
            abort ();
        break;
    default:
        abort ();
    }
    kikan_file_report_clear (&r);
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
    /* Every prefix cut at a few points: truncated input is the commonest
     * hostile case. */
    for (int k = 1; k < 4; k++)
        LLVMFuzzerTestOneInput (buf, (size_t) n * (size_t) k / 4);
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
            fprintf (stderr, "fuzz-engine: missing seed location %s\n", argv[i]);
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
    printf ("fuzz-engine: %d inputs ran without a finding\n", ran);
    kikan_engine_free (engine);
    return ran > 0 ? 0 : 1;
}
#endif
