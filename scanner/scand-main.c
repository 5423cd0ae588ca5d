/* kikan-scand: the scan daemon's thin main.
 *
 *   kikan-scand --fd N [--database PATH]... [--max-filesize BYTES]
 *               [--max-scansize BYTES] [--max-recursion N] [--max-files N]
 *               [--max-scantime-ms MS]
 *   kikan-scand --fd N --probe-only
 *
 * --probe-only loads no engine: the daemon then only probes media (the
 * volumes of a disk), for `kikan probe`, which needs no signatures.
 *
 * Started by kikan_scand_client_spawn() with its end of a socketpair as
 * descriptor N; everything else happens in kikan_scand_serve().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kikan/scand.h"

enum {
    OPT_FD = 256,
    OPT_DATABASE,
    OPT_MAX_FILESIZE,
    OPT_MAX_SCANSIZE,
    OPT_MAX_RECURSION,
    OPT_MAX_FILES,
    OPT_MAX_SCANTIME_MS,
    OPT_PROBE_ONLY,
};

static const struct option options[] = {
    { "fd", required_argument, NULL, OPT_FD },
    { "database", required_argument, NULL, OPT_DATABASE },
    { "max-filesize", required_argument, NULL, OPT_MAX_FILESIZE },
    { "max-scansize", required_argument, NULL, OPT_MAX_SCANSIZE },
    { "max-recursion", required_argument, NULL, OPT_MAX_RECURSION },
    { "max-files", required_argument, NULL, OPT_MAX_FILES },
    { "max-scantime-ms", required_argument, NULL, OPT_MAX_SCANTIME_MS },
    { "probe-only", no_argument, NULL, OPT_PROBE_ONLY },
    { NULL, 0, NULL, 0 },
};

static void
usage (void)
{
    fprintf (stderr, "usage: kikan-scand --fd N [--database PATH]... [--max-filesize BYTES]\n"
                     "                   [--max-scansize BYTES] [--max-recursion N]"
                     " [--max-files N]\n"
                     "                   [--max-scantime-ms MS]\n"
                     "       kikan-scand --fd N --probe-only\n"
                     "Started by the kiosk or the kikan CLI, not by hand.\n");
}

/* Whole decimal numbers only: "12x", "-1" or an overflow is an error, not
 * a silently different limit. */
static int
parse_u64 (const char *s, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull (s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

int
main (int argc, char **argv)
{
    KikanEngineOptions opts;
    const char **dbs = NULL;
    size_t n_dbs = 0;
    uint64_t v;
    struct stat st;
    int fd = -1, c, status = 2, probe_only = 0;

    memset (&opts, 0, sizeof opts);
    while ((c = getopt_long (argc, argv, "", options, NULL)) != -1) {
        const char **nd;

        switch (c) {
        case OPT_FD:
            if (parse_u64 (optarg, INT_MAX, &v) != 0)
                goto bad;
            fd = (int) v;
            break;
        case OPT_DATABASE:
            if ((nd = reallocarray (dbs, n_dbs + 1, sizeof *dbs)) == NULL) {
                fprintf (stderr, "kikan-scand: out of memory\n");
                goto out;
            }
            dbs = nd;
            dbs[n_dbs++] = optarg;
            break;
        case OPT_MAX_FILESIZE:
            if (parse_u64 (optarg, UINT64_MAX, &opts.limits.max_filesize) != 0)
                goto bad;
            break;
        case OPT_MAX_SCANSIZE:
            if (parse_u64 (optarg, UINT64_MAX, &opts.limits.max_scansize) != 0)
                goto bad;
            break;
        case OPT_MAX_RECURSION:
            if (parse_u64 (optarg, UINT32_MAX, &v) != 0)
                goto bad;
            opts.limits.max_recursion = (uint32_t) v;
            break;
        case OPT_MAX_FILES:
            if (parse_u64 (optarg, UINT32_MAX, &v) != 0)
                goto bad;
            opts.limits.max_files = (uint32_t) v;
            break;
        case OPT_MAX_SCANTIME_MS:
            if (parse_u64 (optarg, UINT32_MAX, &v) != 0)
                goto bad;
            opts.limits.max_scantime_ms = (uint32_t) v;
            break;
        case OPT_PROBE_ONLY:
            probe_only = 1;
            break;
        default:
            goto bad;
        }
    }
    /* Either an engine to load or an explicit probe-only daemon: a
     * forgotten --database never silently yields a daemon that cannot
     * scan. */
    if (optind != argc || fd < 0 || (probe_only != 0) == (n_dbs != 0))
        goto bad;
    if (fstat (fd, &st) != 0 || !S_ISSOCK (st.st_mode)) {
        fprintf (stderr, "kikan-scand: descriptor %d is not a socket\n", fd);
        goto out;
    }
    /* Its own end must not leak into the workers, whatever the starter
     * left inheritable. */
    if (fcntl (fd, F_SETFD, FD_CLOEXEC) != 0) {
        fprintf (stderr, "kikan-scand: descriptor %d: %s\n", fd, strerror (errno));
        goto out;
    }
    opts.databases = dbs;
    opts.n_databases = n_dbs;
    status = kikan_scand_serve (fd, &opts);
    goto out;
bad:
    usage ();
out:
    free (dbs);
    return status;
}
